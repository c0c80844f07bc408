/* The end of every Check suite's main: run the suite (Check forks a
 * process per test), free the runner and exit as automake expects: 0 when
 * every test passed, 1 otherwise. */
#ifndef AC_TEST_CHECK_RUN_H
#define AC_TEST_CHECK_RUN_H

#include <check.h>

static inline int ac_check_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

#endif
