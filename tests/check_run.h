/* The end of every Check suite's main: run the suite (Check forks a
 * process per test), free the runner and exit as automake expects: 0 when
 * every test passed, 1 otherwise (ac_check_run_all: a runner holding
 * several suites). */
#ifndef AC_TEST_CHECK_RUN_H
#define AC_TEST_CHECK_RUN_H

#include <check.h>
#include <stddef.h>

static inline int ac_check_run_all(SRunner *sr)
{
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

static inline int ac_check_run(Suite *s)
{
	return ac_check_run_all(srunner_create(s));
}

/* AC_ADD_TESTS(TC, TEST...): add the tests (START_TEST names) to the test
 * case TC, in this order: one list where every suite used to repeat
 * tcase_add_test a line each. */
#define AC_ADD_TESTS(tc, ...)                                                  \
	ac_check_add_tests((tc), (const TTest *const[]){__VA_ARGS__},          \
	                   sizeof((const TTest *const[]){__VA_ARGS__}) /       \
	                           sizeof(const TTest *))

static inline void ac_check_add_tests(TCase *tc, const TTest *const *tests,
                                      size_t n)
{
	for (size_t i = 0; i < n; i++)
		tcase_add_test(tc, tests[i]);
}

#endif
