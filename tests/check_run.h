/* The end of every Check suite's main: run the suite (Check forks a
 * process per test), free the runner and exit as automake expects: 0 when
 * every test passed, 1 otherwise (ac_check_run_all: a runner holding
 * several suites).  And what the suites share: their test lists and test
 * cases (AC_ADD_TESTS, AC_TCASE, AC_SUITE), a temporary directory
 * (ac_check_mkdtemp, ac_check_rmtree). */
#ifndef AC_TEST_CHECK_RUN_H
#define AC_TEST_CHECK_RUN_H

#include <check.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

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

/* AC_TCASE(S, NAME, SETUP, TEARDOWN, TIMEOUT_S, TEST...): the test case
 * NAME of the suite S with these tests, in this order; SETUP and
 * TEARDOWN (NULL: none) a checked fixture, run in each test's process;
 * TIMEOUT_S > 0 its timeout in seconds (else Check's default).  The
 * test case, for tests added afterwards. */
#define AC_TCASE(s, name, setup, teardown, timeout_s, ...)                     \
	ac_check_tcase((s), (name), (setup), (teardown), (timeout_s),          \
	               (const TTest *const[]){__VA_ARGS__},                    \
	               sizeof((const TTest *const[]){__VA_ARGS__}) /           \
	                       sizeof(const TTest *))

static inline TCase *ac_check_tcase(Suite *s, const char *name, SFun setup,
                                    SFun teardown, double timeout_s,
                                    const TTest *const *tests, size_t n)
{
	TCase *tc = tcase_create(name);

	if (setup || teardown)
		tcase_add_checked_fixture(tc, setup, teardown);
	if (timeout_s > 0)
		tcase_set_timeout(tc, timeout_s);
	ac_check_add_tests(tc, tests, n);
	suite_add_tcase(s, tc);
	return tc;
}

/* AC_SUITE(NAME, TCASE, TIMEOUT_S, TEST...): a suite of one test case
 * (AC_TCASE, no fixture). */
#define AC_SUITE(name, tcase, timeout_s, ...)                                  \
	ac_check_suite1(suite_create(name), (tcase), (timeout_s),              \
	                (const TTest *const[]){__VA_ARGS__},                   \
	                sizeof((const TTest *const[]){__VA_ARGS__}) /          \
	                        sizeof(const TTest *))

static inline Suite *ac_check_suite1(Suite *s, const char *tcase,
                                     double timeout_s,
                                     const TTest *const *tests, size_t n)
{
	ac_check_tcase(s, tcase, NULL, NULL, timeout_s, tests, n);
	return s;
}

/* ac_check_mkdtemp(DIR, LEN, PARENT, LEAF): DIR, a new directory
 * PARENT/LEAF, LEAF a mkdtemp template (NAME.XXXXXX); PARENT NULL: $TMPDIR,
 * else /tmp.  ac_check_rmtree(DIR): rm -rf DIR. */
static inline void ac_check_mkdtemp(char *dir, size_t len, const char *parent,
                                    const char *leaf)
{
	if (!parent)
		parent = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	ck_assert_int_lt(snprintf(dir, len, "%s/%s", parent, leaf), (int)len);
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static inline void ac_check_rmtree(const char *dir)
{
	char cmd[8300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

#endif
