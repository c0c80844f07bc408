/* Unit tests of verdicts (core/verdict.c): a table of run reports covering
 * every rule of ac_verdict_of() and every precedence pair, then names,
 * parsing and signal names. */
#include "verdict.h"

#include "../check_run.h"
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Limits of every case: 1 s CPU, 3 s wall, 256 MiB, 64 MiB output. */
static const struct ac_limits lim = {
        .cpu_ms = 1000,
        .wall_ms = 3000,
        .memory_kb = 262144,
        .stdout_kb = 65536,
};

/* A clean run: exited 0, well within every limit. */
#define CLEAN                                                                  \
	.exited = true, .exit_code = 0, .cpu_us = 100000, .wall_us = 150000,   \
	.memory_kb = 10000

/* 90% of 262144 KiB is 235929.6 KiB */
#define NEAR_MEM 240000

struct vcase {
	const char *name;
	struct ac_run_report r;
	enum ac_validation val;
	enum ac_verdict want;
	const char *detail;     /* exact detail, or NULL */
	const char *detail_has; /* substring of the detail, or NULL */
	int run_failed;
};

/* Cases start from CLEAN and override some of its fields. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
/* One case per entry: kept out of clang-format, which would spread each
 * over ten lines. */
/* clang-format off */
static const struct vcase cases[] = {
	/* ---- each rule alone */
	{"accepted", {CLEAN}, AC_VAL_CORRECT, AC_V_AC, "", NULL, 0},
	{"wrong answer", {CLEAN}, AC_VAL_WRONG, AC_V_WA, NULL, "validator", 0},
	{"validator error", {CLEAN}, AC_VAL_ERROR, AC_V_IE, NULL,
	 "validator failed", 0},
	{"not validated", {CLEAN}, AC_VAL_NOT_RUN, AC_V_IE, NULL,
	 "not validated", 0},
	{"internal error", {CLEAN, .internal_error = "clone: EPERM"},
	 AC_VAL_CORRECT, AC_V_IE, "clone: EPERM", NULL, 1},
	{"cpu flag", {CLEAN, .cpu_exceeded = true, .cpu_us = 1013000},
	 AC_VAL_NOT_RUN, AC_V_TLE, "cpu 1.013 s > 1.000 s", NULL, 1},
	{"cpu measured over, no flag", {CLEAN, .cpu_us = 1000001},
	 AC_VAL_CORRECT, AC_V_TLE, "cpu 1.000 s > 1.000 s", NULL, 1},
	{"cpu exactly at the limit", {CLEAN, .cpu_us = 1000000},
	 AC_VAL_CORRECT, AC_V_AC, "", NULL, 0},
	{"cpu flag at the limit", {CLEAN, .cpu_exceeded = true,
				   .cpu_us = 1000000},
	 AC_VAL_NOT_RUN, AC_V_TLE, "cpu 1.000 s >= 1.000 s", NULL, 1},
	{"wall", {.signal = SIGKILL, .wall_exceeded = true, .wall_us = 3000000,
		  .cpu_us = 2000, .memory_kb = 500},
	 AC_VAL_NOT_RUN, AC_V_TLE, "wall 3.000 s >= 3.000 s", NULL, 1},
	{"oom killed", {.signal = SIGKILL, .oom_killed = true,
			.memory_kb = 262000},
	 AC_VAL_NOT_RUN, AC_V_MLE, "killed by the memory limit (262144 KiB)",
	 NULL, 1},
	{"peak at the limit", {CLEAN, .memory_kb = 262144}, AC_VAL_CORRECT,
	 AC_V_MLE, "memory 262144 KiB >= 262144 KiB", NULL, 1},
	{"peak just below the limit, clean exit", {CLEAN, .memory_kb = 262143},
	 AC_VAL_CORRECT, AC_V_AC, "", NULL, 0},
	{"bad_alloc near the limit", {.signal = SIGABRT, .memory_kb = NEAR_MEM},
	 AC_VAL_NOT_RUN, AC_V_MLE,
	 "Aborted at 91% of the memory limit (240000 KiB of 262144 KiB)", NULL,
	 1},
	{"segv near the limit", {.signal = SIGSEGV, .memory_kb = NEAR_MEM},
	 AC_VAL_NOT_RUN, AC_V_MLE, NULL, "Segmentation Fault at 91%", 1},
	{"sigkill near the limit", {.signal = SIGKILL, .memory_kb = NEAR_MEM},
	 AC_VAL_NOT_RUN, AC_V_MLE, NULL, "Killed at", 1},
	{"exit 1 near the limit",
	 {.exited = true, .exit_code = 1, .memory_kb = NEAR_MEM},
	 AC_VAL_NOT_RUN, AC_V_MLE, NULL, "exit code 1 at 91%", 1},
	{"abort below 90%", {.signal = SIGABRT, .memory_kb = 235929},
	 AC_VAL_NOT_RUN, AC_V_RE, "Aborted", NULL, 1},
	{"sigfpe near the limit is not memory",
	 {.signal = SIGFPE, .memory_kb = NEAR_MEM}, AC_VAL_NOT_RUN, AC_V_RE,
	 "Floating Point Exception", NULL, 1},
	{"clean exit near the limit",
	 {CLEAN, .memory_kb = NEAR_MEM}, AC_VAL_CORRECT, AC_V_AC, "", NULL, 0},
	{"output limit", {CLEAN, .stdout_exceeded = true,
			  .stdout_bytes = 67108865},
	 AC_VAL_NOT_RUN, AC_V_OLE, "output 67108865 bytes > 65536 KiB", NULL,
	 1},
	{"segfault", {.signal = SIGSEGV, .memory_kb = 1000}, AC_VAL_NOT_RUN,
	 AC_V_RE, "Segmentation Fault", NULL, 1},
	{"exit code", {.exited = true, .exit_code = 3, .memory_kb = 1000},
	 AC_VAL_NOT_RUN, AC_V_RE, "exit code 3", NULL, 1},
	{"negative exit code", {.exited = true, .exit_code = -1},
	 AC_VAL_NOT_RUN, AC_V_RE, "exit code -1", NULL, 1},
	{"neither exited nor signalled", {.cpu_us = 10}, AC_VAL_CORRECT,
	 AC_V_IE, NULL, "neither", 1},
	{"stderr overflow is not a failure", {CLEAN, .stderr_exceeded = true},
	 AC_VAL_CORRECT, AC_V_AC, "", NULL, 0},

	/* ---- precedence pairs: the higher rule wins */
	{"IE beats TLE", {CLEAN, .internal_error = "x", .cpu_exceeded = true},
	 AC_VAL_NOT_RUN, AC_V_IE, "x", NULL, 1},
	{"IE beats MLE", {CLEAN, .internal_error = "x", .oom_killed = true},
	 AC_VAL_NOT_RUN, AC_V_IE, "x", NULL, 1},
	{"IE beats RE", {.signal = SIGSEGV, .internal_error = "x"},
	 AC_VAL_NOT_RUN, AC_V_IE, "x", NULL, 1},
	{"IE beats AC", {CLEAN, .internal_error = "x"}, AC_VAL_CORRECT,
	 AC_V_IE, "x", NULL, 1},
	{"TLE(cpu) beats OOM",
	 {.signal = SIGKILL, .cpu_exceeded = true, .cpu_us = 1200000,
	  .oom_killed = true, .memory_kb = 262144},
	 AC_VAL_NOT_RUN, AC_V_TLE, "cpu 1.200 s > 1.000 s", NULL, 1},
	{"TLE(cpu) beats the MLE heuristic",
	 {.signal = SIGKILL, .cpu_exceeded = true, .cpu_us = 1001000,
	  .memory_kb = NEAR_MEM},
	 AC_VAL_NOT_RUN, AC_V_TLE, NULL, "cpu", 1},
	{"OOM beats TLE(wall)",
	 {.signal = SIGKILL, .wall_exceeded = true, .wall_us = 3000000,
	  .oom_killed = true, .memory_kb = 262144},
	 AC_VAL_NOT_RUN, AC_V_MLE, NULL, "killed by the memory limit", 1},
	{"peak at the limit beats TLE(wall)",
	 {.signal = SIGKILL, .wall_exceeded = true, .wall_us = 3000000,
	  .memory_kb = 262144},
	 AC_VAL_NOT_RUN, AC_V_MLE, "memory 262144 KiB >= 262144 KiB", NULL, 1},
	{"TLE(wall) beats the MLE heuristic",
	 {.signal = SIGKILL, .wall_exceeded = true, .wall_us = 3100000,
	  .memory_kb = NEAR_MEM},
	 AC_VAL_NOT_RUN, AC_V_TLE, "wall 3.100 s > 3.000 s", NULL, 1},
	{"TLE beats OLE",
	 {.signal = SIGKILL, .cpu_exceeded = true, .cpu_us = 1500000,
	  .stdout_exceeded = true},
	 AC_VAL_NOT_RUN, AC_V_TLE, NULL, "cpu", 1},
	{"MLE beats OLE",
	 {.signal = SIGKILL, .oom_killed = true, .stdout_exceeded = true},
	 AC_VAL_NOT_RUN, AC_V_MLE, NULL, "memory", 1},
	{"OLE beats the MLE heuristic",
	 {.signal = SIGKILL, .stdout_exceeded = true, .memory_kb = NEAR_MEM},
	 AC_VAL_NOT_RUN, AC_V_OLE, NULL, "output", 1},
	{"OOM beats RE", {.signal = SIGSEGV, .oom_killed = true},
	 AC_VAL_NOT_RUN, AC_V_MLE, NULL, "memory limit", 1},
	{"OLE beats RE(SIGPIPE)",
	 {.signal = SIGPIPE, .stdout_exceeded = true}, AC_VAL_NOT_RUN,
	 AC_V_OLE, NULL, "output", 1},
	{"OLE beats RE(SIGXFSZ)",
	 {.signal = SIGXFSZ, .stdout_exceeded = true}, AC_VAL_NOT_RUN,
	 AC_V_OLE, NULL, "output", 1},
	{"OLE beats WA", {CLEAN, .stdout_exceeded = true}, AC_VAL_WRONG,
	 AC_V_OLE, NULL, "output", 1},
	{"TLE beats RE", {.signal = SIGSEGV, .cpu_us = 2000000},
	 AC_VAL_NOT_RUN, AC_V_TLE, NULL, "cpu 2.000 s", 1},
	{"TLE beats WA", {CLEAN, .cpu_us = 2000000}, AC_VAL_WRONG, AC_V_TLE,
	 NULL, "cpu", 1},
	{"TLE beats AC", {CLEAN, .wall_exceeded = true, .wall_us = 3000001},
	 AC_VAL_CORRECT, AC_V_TLE, NULL, "wall", 1},
	{"MLE beats WA", {CLEAN, .memory_kb = 300000}, AC_VAL_WRONG,
	 AC_V_MLE, "memory 300000 KiB >= 262144 KiB", NULL, 1},
	{"RE beats WA", {.signal = SIGSEGV}, AC_VAL_WRONG, AC_V_RE,
	 "Segmentation Fault", NULL, 1},
	{"RE beats AC", {.exited = true, .exit_code = 1}, AC_VAL_CORRECT,
	 AC_V_RE, "exit code 1", NULL, 1},
	{"RE beats validator error", {.exited = true, .exit_code = 2},
	 AC_VAL_ERROR, AC_V_RE, "exit code 2", NULL, 1},
	{"signal wins over the exit code",
	 {.exited = true, .exit_code = 5, .signal = SIGBUS}, AC_VAL_NOT_RUN,
	 AC_V_RE, "Bus Error", NULL, 1},
};
/* clang-format on */
#pragma GCC diagnostic pop

START_TEST(test_table)
{
	const struct vcase *c = &cases[_i];
	char detail[256];
	enum ac_verdict v;

	memset(detail, 'X', sizeof(detail));
	detail[sizeof(detail) - 1] = '\0';
	v = ac_verdict_of(&c->r, &lim, c->val, detail, sizeof(detail));
	ck_assert_msg(v == c->want, "%s: got %s (%s), want %s", c->name,
	              ac_verdict_code(v), detail, ac_verdict_code(c->want));
	if (c->detail)
		ck_assert_msg(strcmp(detail, c->detail) == 0,
		              "%s: detail \"%s\", want \"%s\"", c->name, detail,
		              c->detail);
	if (c->detail_has)
		ck_assert_msg(strstr(detail, c->detail_has) != NULL,
		              "%s: detail \"%s\" lacks \"%s\"", c->name, detail,
		              c->detail_has);
	ck_assert_msg(!!ac_run_failed(&c->r, &lim) == c->run_failed,
	              "%s: ac_run_failed != %d", c->name, c->run_failed);
	/* The validation outcome never changes a failed run's verdict. */
	if (c->run_failed) {
		int val;

		for (val = AC_VAL_NOT_RUN; val <= AC_VAL_ERROR; val++)
			ck_assert_msg(ac_verdict_of(&c->r, &lim,
			                            (enum ac_validation)val,
			                            NULL, 0) == c->want,
			              "%s: depends on validation %d", c->name,
			              val);
	}
}
END_TEST

START_TEST(test_detail_bounds)
{
	struct ac_run_report r = {.internal_error = {0}};
	char small[8];

	/* internal_error without a terminating NUL is read within bounds */
	memset(r.internal_error, 'e', sizeof(r.internal_error));
	ck_assert_int_eq(
	        ac_verdict_of(&r, &lim, AC_VAL_CORRECT, small, sizeof(small)),
	        AC_V_IE);
	ck_assert_str_eq(small, "eeeeeee");
	/* no detail buffer */
	ck_assert_int_eq(ac_verdict_of(&r, &lim, AC_VAL_CORRECT, NULL, 0),
	                 AC_V_IE);
	/* no report */
	ck_assert_int_eq(
	        ac_verdict_of(NULL, &lim, AC_VAL_CORRECT, small, sizeof(small)),
	        AC_V_IE);
	ck_assert(ac_run_failed(NULL, &lim));
}
END_TEST

START_TEST(test_no_limits)
{
	struct ac_run_report r = {
	        .exited = true, .cpu_us = 99000000, .memory_kb = 1u << 30};
	struct ac_limits none = {0};
	char d[64];

	/* zero limits mean "not set": only the sandbox's flags count */
	ck_assert_int_eq(ac_verdict_of(&r, &none, AC_VAL_CORRECT, d, sizeof(d)),
	                 AC_V_AC);
	ck_assert_int_eq(ac_verdict_of(&r, NULL, AC_VAL_CORRECT, d, sizeof(d)),
	                 AC_V_AC);
	r.oom_killed = true;
	ck_assert_int_eq(ac_verdict_of(&r, NULL, AC_VAL_CORRECT, d, sizeof(d)),
	                 AC_V_MLE);
}
END_TEST

START_TEST(test_codes_and_names)
{
	static const char *const codes[] = {"AC",  "WA", "TLE", "MLE",
	                                    "OLE", "RE", "CE",  "IE"};
	static const char *const names[] = {"Accepted",
	                                    "Wrong Answer",
	                                    "Time Limit Exceeded",
	                                    "Memory Limit Exceeded",
	                                    "Output Limit Exceeded",
	                                    "Runtime Error",
	                                    "Compilation Error",
	                                    "Internal Error"};
	int v;

	for (v = AC_V_AC; v <= AC_V_IE; v++) {
		enum ac_verdict p;

		ck_assert_str_eq(ac_verdict_code((enum ac_verdict)v), codes[v]);
		ck_assert_str_eq(ac_verdict_name((enum ac_verdict)v), names[v]);
		ck_assert_int_eq(ac_verdict_parse(codes[v], &p), 0);
		ck_assert_int_eq(p, v);
		ck_assert_int_eq(ac_verdict_parse(names[v], &p), 0);
		ck_assert_int_eq(p, v);
	}
	ck_assert_str_eq(ac_verdict_code((enum ac_verdict)99), "IE");
	ck_assert_str_eq(ac_verdict_name((enum ac_verdict) - 1),
	                 "Internal Error");
}
END_TEST

START_TEST(test_parse)
{
	static const struct {
		const char *s;
		int want; /* -1: -EINVAL */
	} t[] = {
	        {"accepted", AC_V_AC},
	        {"wrong_answer", AC_V_WA},
	        {"time_limit_exceeded", AC_V_TLE},
	        {"memory_limit_exceeded", AC_V_MLE},
	        {"output_limit_exceeded", AC_V_OLE},
	        {"run_time_error", AC_V_RE},
	        {"runtime_error", AC_V_RE},
	        {"compile_error", AC_V_CE},
	        {"tle", AC_V_TLE},
	        {"wrong answer", AC_V_WA},
	        {"", -1},
	        {"ACC", -1},
	        {"wrong", -1},
	        {"accepted ", -1},
	        {"time-limit-exceeded", -1},
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		enum ac_verdict v = AC_V_IE;
		int ret = ac_verdict_parse(t[i].s, &v);

		if (t[i].want < 0) {
			ck_assert_msg(ret == -EINVAL, "\"%s\" parsed", t[i].s);
		} else {
			ck_assert_msg(ret == 0, "\"%s\" not parsed", t[i].s);
			ck_assert_msg((int)v == t[i].want, "\"%s\" -> %d",
			              t[i].s, v);
		}
	}
	ck_assert_int_eq(ac_verdict_parse(NULL, NULL), -EINVAL);
}
END_TEST

START_TEST(test_signal_names)
{
	static const struct {
		int sig;
		const char *name;
	} t[] = {
	        {SIGSEGV, "Segmentation Fault"},
	        {SIGFPE, "Floating Point Exception"},
	        {SIGABRT, "Aborted"},
	        {SIGBUS, "Bus Error"},
	        {SIGILL, "Illegal Instruction"},
	        {SIGKILL, "Killed"},
	        {SIGXCPU, "CPU Time Limit Exceeded"},
	        {SIGXFSZ, "File Size Limit Exceeded"},
	        {SIGPIPE, "Broken Pipe"},
	        {SIGSYS, "Bad System Call"},
	        {SIGTERM, "Terminated"},
	        {SIGUSR1, "Signal 10"},
	        {34, NULL},
	        {64, "Signal 64"},
	        {65, "Unknown Signal"},
	        {0, "Unknown Signal"},
	        {-3, "Unknown Signal"},
	};
	size_t i;
	char want[32];

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *name = t[i].name;

		if (!name) {
			snprintf(want, sizeof(want), "Signal %d", t[i].sig);
			name = want;
		}
		ck_assert_str_eq(ac_signal_name(t[i].sig), name);
	}
}
END_TEST

/* Validator exit codes by protocol (issue 17). */
START_TEST(test_validator_exit)
{
	struct ac_run_report r;
	char why[256];
	bool pts;

	memset(&r, 0, sizeof(r));
	r.exited = true;
	r.exit_code = 42;
	ck_assert_int_eq(
	        ac_validator_exit(AC_VPROTO_KATTIS, &r, &pts, why, sizeof(why)),
	        AC_VAL_CORRECT);
	r.exit_code = 43;
	ck_assert_int_eq(
	        ac_validator_exit(AC_VPROTO_KATTIS, &r, &pts, why, sizeof(why)),
	        AC_VAL_WRONG);
	r.exit_code = 0;
	ck_assert_int_eq(
	        ac_validator_exit(AC_VPROTO_KATTIS, &r, &pts, why, sizeof(why)),
	        AC_VAL_ERROR);
	ck_assert_ptr_nonnull(strstr(why, "not 42/43"));
	ck_assert_int_eq(ac_validator_exit(AC_VPROTO_TESTLIB, &r, &pts, why,
	                                   sizeof(why)),
	                 AC_VAL_CORRECT);
	for (int c = 1; c <= 2; c++) {
		r.exit_code = c;
		ck_assert_int_eq(ac_validator_exit(AC_VPROTO_TESTLIB, &r, &pts,
		                                   why, sizeof(why)),
		                 AC_VAL_WRONG);
	}
	r.exit_code = 3;
	ck_assert_int_eq(ac_validator_exit(AC_VPROTO_TESTLIB, &r, &pts, why,
	                                   sizeof(why)),
	                 AC_VAL_ERROR);
	r.exit_code = 7;
	ck_assert_int_eq(ac_validator_exit(AC_VPROTO_TESTLIB, &r, &pts, why,
	                                   sizeof(why)),
	                 AC_VAL_CORRECT);
	ck_assert(pts);
	r.exit_code = 42;
	ck_assert_int_eq(ac_validator_exit(AC_VPROTO_TESTLIB, &r, &pts, why,
	                                   sizeof(why)),
	                 AC_VAL_ERROR);
	r.exited = false;
	r.signal = SIGKILL;
	r.wall_exceeded = true;
	ck_assert_int_eq(
	        ac_validator_exit(AC_VPROTO_KATTIS, &r, &pts, why, sizeof(why)),
	        AC_VAL_ERROR);
}
END_TEST

/* Interactive precedence: WA before the submission's failure only when
 * the validator rejected first (issue 17). */
START_TEST(test_interactive)
{
	struct ac_run_report r;
	char d[256];

	memset(&r, 0, sizeof(r));
	r.exited = true;
	ck_assert_int_eq(ac_verdict_interactive(&r, &lim, AC_VAL_CORRECT, false,
	                                        d, sizeof(d)),
	                 AC_V_AC);
	ck_assert_int_eq(ac_verdict_interactive(&r, &lim, AC_VAL_WRONG, false,
	                                        d, sizeof(d)),
	                 AC_V_WA);
	ck_assert_int_eq(ac_verdict_interactive(&r, &lim, AC_VAL_ERROR, false,
	                                        d, sizeof(d)),
	                 AC_V_IE);
	r.exited = false;
	r.signal = SIGSEGV;
	ck_assert_int_eq(ac_verdict_interactive(&r, &lim, AC_VAL_WRONG, false,
	                                        d, sizeof(d)),
	                 AC_V_RE);
	ck_assert_int_eq(ac_verdict_interactive(&r, &lim, AC_VAL_WRONG, true, d,
	                                        sizeof(d)),
	                 AC_V_WA);
	r.signal = SIGKILL;
	r.cpu_exceeded = true;
	r.cpu_us = (lim.cpu_ms + 1) * 1000;
	ck_assert_int_eq(ac_verdict_interactive(&r, &lim, AC_VAL_WRONG, false,
	                                        d, sizeof(d)),
	                 AC_V_TLE);
	ck_assert_int_eq(ac_verdict_interactive(&r, &lim, AC_VAL_ERROR, false,
	                                        d, sizeof(d)),
	                 AC_V_TLE);
	memset(&r, 0, sizeof(r));
	snprintf(r.internal_error, sizeof(r.internal_error), "boom");
	ck_assert_int_eq(ac_verdict_interactive(&r, &lim, AC_VAL_WRONG, true, d,
	                                        sizeof(d)),
	                 AC_V_IE);
}
END_TEST

/* Overrides moved from the judge (issue 16). */
START_TEST(test_hint_and_message)
{
	char d[64] = "exit code 1", m[64] = "", both[160];

	ck_assert_int_eq(ac_verdict_hint(AC_V_RE, AC_HINT_MEMORY,
	                                 "Traceback:\n  x\nMemoryError\n", d,
	                                 sizeof(d), m, sizeof(m)),
	                 AC_V_MLE);
	ck_assert_str_eq(m, "MemoryError");
	ck_assert_int_eq(ac_verdict_hint(AC_V_WA, AC_HINT_MEMORY, "", d,
	                                 sizeof(d), m, sizeof(m)),
	                 AC_V_WA);
	ac_verdict_message("a", "b", both, sizeof(both));
	ck_assert_str_eq(both, "a: b");
	ac_verdict_message("a", "", both, sizeof(both));
	ck_assert_str_eq(both, "a");
	ac_verdict_message("a", "a", both, sizeof(both));
	ck_assert_str_eq(both, "a");
}
END_TEST

/* testlib's quitp writes "points N message" to stderr. */
START_TEST(test_testlib_points)
{
	static const struct {
		const char *msg;
		int rc;
		double want;
	} pts_cases[] = {
	        {"points 35", 0, 35},
	        {"points 0.5 half of the pairs", 0, 0.5},
	        {"  points\t2.25", 0, 2.25},
	        {"7 something", 0, 7},
	        {"points -1.5e1", 0, -15},
	        {"points 3; points (testlib exit 7)", 0, 3},
	        {"points", -EINVAL, 0},
	        {"points abc", -EINVAL, 0},
	        {"points 12abc", -EINVAL, 0},
	        {"points nan", -EINVAL, 0},
	        {"points inf", -EINVAL, 0},
	        {"points 1e999", -EINVAL, 0},
	        {"", -EINVAL, 0},
	        {"ok fine", -EINVAL, 0},
	};

	for (size_t i = 0; i < sizeof(pts_cases) / sizeof(pts_cases[0]); i++) {
		double got = -1234;
		int rc = ac_testlib_points(pts_cases[i].msg, &got);

		ck_assert_msg(rc == pts_cases[i].rc, "%s: %d", pts_cases[i].msg,
		              rc);
		if (rc == 0)
			ck_assert_msg(got == pts_cases[i].want, "%s: %g",
			              pts_cases[i].msg, got);
	}
	ck_assert_int_eq(ac_testlib_points(NULL, NULL), -EINVAL);
}
END_TEST

static Suite *verdict_suite(void)
{
	Suite *s = suite_create("verdict");
	TCase *tc = tcase_create("verdict");

	tcase_add_loop_test(tc, test_table, 0,
	                    (int)(sizeof(cases) / sizeof(cases[0])));
	AC_ADD_TESTS(tc, test_detail_bounds, test_no_limits,
	             test_codes_and_names, test_parse, test_signal_names,
	             test_validator_exit, test_interactive,
	             test_hint_and_message, test_testlib_points);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ac_check_run(verdict_suite());
}
