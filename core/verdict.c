/* Verdicts: names, parsing, signal names and the per-test verdict function.
 *
 * ac_verdict_of() decides one test from the sandbox's run report, the
 * limits of the run and the validator's outcome.  It is pure (no I/O, no
 * globals) and applies these rules in order; the first that matches wins:
 *
 *  1. internal_error non-empty             -> IE  the judge failed, never
 *                                                 the user's fault
 *  2. cpu_exceeded or cpu_us > cpu_ms      -> TLE "cpu 1.013 s > 1.000 s"
 *  3. oom_killed or peak >= memory limit   -> MLE "memory N KiB >= N KiB" /
 *                                                 "killed by the memory limit"
 *  4. wall_exceeded                        -> TLE "wall 3.000 s >= 3.000 s"
 *  5. stdout_exceeded                      -> OLE
 *  6. died abnormally (SIGABRT, SIGSEGV,   -> MLE "Aborted at 95% of the
 *     SIGKILL, non-zero exit) with peak            memory limit (...)"
 *     >= 90% of the memory limit
 *  7. killed by a signal                   -> RE  ac_signal_name()
 *     exited with a non-zero code          -> RE  "exit code 3"
 *     neither exited nor signalled         -> IE  (an impossible report)
 *  8. validator: ERROR -> IE, WRONG -> WA, CORRECT -> AC, NOT_RUN -> IE
 *
 * Why this order (the long form is in docs/verdicts.md):
 *  - IE first: when the sandbox failed, nothing else in the report can be
 *    trusted, and the user must not be blamed.
 *  - CPU time is an exact measurement and the CPU watchdog kills with
 *    SIGKILL.  A program killed for time while near the memory ceiling would
 *    otherwise look like a memory death (rule 6), so CPU-TLE comes before
 *    every memory rule.  If the OOM report and the CPU overrun are both
 *    set, the CPU limit was crossed before the kill landed: TLE is true.
 *  - Hard memory evidence (the controller acted, or the peak reached the
 *    limit) comes before the wall-clock limit: a program stuck at its memory
 *    ceiling stalls in reclaim, burns wall time without CPU time and is
 *    then killed by the wall watchdog; the root cause is memory.  Without
 *    hard evidence, an idle program killed at the wall limit is TLE.
 *  - Output over the limit is hard evidence too; the sandbox stops such a
 *    program (SIGPIPE, SIGXFSZ or SIGKILL), which must not read as RE or
 *    trip the memory heuristic.
 *  - The memory heuristic (rule 6) covers std::bad_alloc -> abort(),
 *    a NULL from malloc -> SIGSEGV, Java/Python out-of-memory exits: the
 *    allocation that failed was the one that would have crossed the limit,
 *    so the recorded peak stays just below it.  It only applies to abnormal
 *    deaths that no stronger rule explained.
 *  - A run that failed is never validated; its verdict does not depend on
 *    what it printed.
 */
#include "verdict.h"
#include "util.h"

#include <stdlib.h>

#include <math.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const vd_codes[] = {
        [AC_V_AC] = "AC",   [AC_V_WA] = "WA",   [AC_V_TLE] = "TLE",
        [AC_V_MLE] = "MLE", [AC_V_OLE] = "OLE", [AC_V_RE] = "RE",
        [AC_V_CE] = "CE",   [AC_V_IE] = "IE",
};

static const char *const vd_names[] = {
        [AC_V_AC] = "Accepted",
        [AC_V_WA] = "Wrong Answer",
        [AC_V_TLE] = "Time Limit Exceeded",
        [AC_V_MLE] = "Memory Limit Exceeded",
        [AC_V_OLE] = "Output Limit Exceeded",
        [AC_V_RE] = "Runtime Error",
        [AC_V_CE] = "Compilation Error",
        [AC_V_IE] = "Internal Error",
};

/* submissions/<dir> names of the problem package format. */
static const struct {
	const char *dir;
	enum ac_verdict v;
} vd_dirs[] = {
        {"accepted", AC_V_AC},
        {"wrong_answer", AC_V_WA},
        {"time_limit_exceeded", AC_V_TLE},
        {"memory_limit_exceeded", AC_V_MLE},
        {"output_limit_exceeded", AC_V_OLE},
        {"run_time_error", AC_V_RE},
        {"runtime_error", AC_V_RE},
        {"compile_error", AC_V_CE},
};

#define VD_COUNT (sizeof(vd_codes) / sizeof(vd_codes[0]))
/* Rule 6: an abnormal death at or above this share of the limit is MLE. */
#define VD_MLE_PERCENT 90

const char *ac_verdict_code(enum ac_verdict v)
{
	if ((unsigned)v >= VD_COUNT)
		return "IE";
	return vd_codes[v];
}

const char *ac_verdict_name(enum ac_verdict v)
{
	if ((unsigned)v >= VD_COUNT)
		return "Internal Error";
	return vd_names[v];
}

int ac_verdict_parse(const char *s, enum ac_verdict *out)
{
	size_t i;

	if (!s || !out)
		return -EINVAL;
	for (i = 0; i < VD_COUNT; i++) {
		if (strcasecmp(s, vd_codes[i]) == 0 ||
		    strcasecmp(s, vd_names[i]) == 0) {
			*out = (enum ac_verdict)i;
			return 0;
		}
	}
	for (i = 0; i < sizeof(vd_dirs) / sizeof(vd_dirs[0]); i++) {
		if (strcasecmp(s, vd_dirs[i].dir) == 0) {
			*out = vd_dirs[i].v;
			return 0;
		}
	}
	return -EINVAL;
}

#define VD_SIG(n) [n] = "Signal " #n
static const char *const vd_signals[] = {
        VD_SIG(1),  VD_SIG(2),  VD_SIG(3),  VD_SIG(4),  VD_SIG(5),  VD_SIG(6),
        VD_SIG(7),  VD_SIG(8),  VD_SIG(9),  VD_SIG(10), VD_SIG(11), VD_SIG(12),
        VD_SIG(13), VD_SIG(14), VD_SIG(15), VD_SIG(16), VD_SIG(17), VD_SIG(18),
        VD_SIG(19), VD_SIG(20), VD_SIG(21), VD_SIG(22), VD_SIG(23), VD_SIG(24),
        VD_SIG(25), VD_SIG(26), VD_SIG(27), VD_SIG(28), VD_SIG(29), VD_SIG(30),
        VD_SIG(31), VD_SIG(32), VD_SIG(33), VD_SIG(34), VD_SIG(35), VD_SIG(36),
        VD_SIG(37), VD_SIG(38), VD_SIG(39), VD_SIG(40), VD_SIG(41), VD_SIG(42),
        VD_SIG(43), VD_SIG(44), VD_SIG(45), VD_SIG(46), VD_SIG(47), VD_SIG(48),
        VD_SIG(49), VD_SIG(50), VD_SIG(51), VD_SIG(52), VD_SIG(53), VD_SIG(54),
        VD_SIG(55), VD_SIG(56), VD_SIG(57), VD_SIG(58), VD_SIG(59), VD_SIG(60),
        VD_SIG(61), VD_SIG(62), VD_SIG(63), VD_SIG(64),
};

const char *ac_signal_name(int sig)
{
	switch (sig) {
	case SIGSEGV:
		return "Segmentation Fault";
	case SIGFPE:
		return "Floating Point Exception";
	case SIGABRT:
		return "Aborted";
	case SIGBUS:
		return "Bus Error";
	case SIGILL:
		return "Illegal Instruction";
	case SIGKILL:
		return "Killed";
	case SIGXCPU:
		return "CPU Time Limit Exceeded";
	case SIGXFSZ:
		return "File Size Limit Exceeded";
	case SIGPIPE:
		return "Broken Pipe";
	case SIGSYS:
		return "Bad System Call";
	case SIGTERM:
		return "Terminated";
	case SIGTRAP:
		return "Trace/Breakpoint Trap";
	case SIGHUP:
		return "Hangup";
	case SIGINT:
		return "Interrupt";
	case SIGQUIT:
		return "Quit";
	case SIGALRM:
		return "Alarm Clock";
	default:
		break;
	}
	if (sig > 0 && (size_t)sig < sizeof(vd_signals) / sizeof(vd_signals[0]))
		return vd_signals[sig];
	return "Unknown Signal";
}

static int vd_abnormal(const struct ac_run_report *r)
{
	if (r->signal == SIGABRT || r->signal == SIGSEGV ||
	    r->signal == SIGKILL)
		return 1;
	return r->signal == 0 && r->exited && r->exit_code != 0;
}

/* Rules 1-7: the verdict the run alone decides, or -1 for a clean run. */
static int vd_run(const struct ac_run_report *r, const struct ac_limits *lim,
                  char *d, size_t dlen)
{
	uint64_t cpu_ms = lim ? lim->cpu_ms : 0;
	uint64_t wall_ms = lim ? lim->wall_ms : 0;
	uint64_t mem_kb = lim ? lim->memory_kb : 0;
	size_t ielen = strnlen(r->internal_error, sizeof(r->internal_error));

	if (ielen > 0) {
		ac_seterr(d, dlen, "%.*s", (int)ielen, r->internal_error);
		return AC_V_IE;
	}
	if (r->cpu_exceeded || (cpu_ms && r->cpu_us > cpu_ms * 1000)) {
		ac_seterr(d, dlen, "cpu %.3f s %s %.3f s", r->cpu_us / 1e6,
		          r->cpu_us > cpu_ms * 1000 ? ">" : ">=", cpu_ms / 1e3);
		return AC_V_TLE;
	}
	if (r->oom_killed) {
		ac_seterr(d, dlen, "killed by the memory limit (%llu KiB)",
		          (unsigned long long)mem_kb);
		return AC_V_MLE;
	}
	if (mem_kb && r->memory_kb >= mem_kb) {
		ac_seterr(d, dlen, "memory %llu KiB >= %llu KiB",
		          (unsigned long long)r->memory_kb,
		          (unsigned long long)mem_kb);
		return AC_V_MLE;
	}
	if (r->wall_exceeded) {
		ac_seterr(d, dlen, "wall %.3f s %s %.3f s", r->wall_us / 1e6,
		          r->wall_us > wall_ms * 1000 ? ">" : ">=",
		          wall_ms / 1e3);
		return AC_V_TLE;
	}
	if (r->stdout_exceeded) {
		ac_seterr(d, dlen, "output %llu bytes > %llu KiB",
		          (unsigned long long)r->stdout_bytes,
		          (unsigned long long)(lim ? lim->stdout_kb : 0));
		return AC_V_OLE;
	}
	if (mem_kb && vd_abnormal(r) &&
	    r->memory_kb * 100 >= mem_kb * VD_MLE_PERCENT) {
		char what[48];

		if (r->signal)
			snprintf(what, sizeof(what), "%s",
			         ac_signal_name(r->signal));
		else
			snprintf(what, sizeof(what), "exit code %d",
			         r->exit_code);
		ac_seterr(d, dlen,
		          "%s at %llu%% of the memory limit (%llu KiB of "
		          "%llu KiB)",
		          what,
		          (unsigned long long)(r->memory_kb * 100 / mem_kb),
		          (unsigned long long)r->memory_kb,
		          (unsigned long long)mem_kb);
		return AC_V_MLE;
	}
	if (r->signal != 0) {
		ac_seterr(d, dlen, "%s", ac_signal_name(r->signal));
		return AC_V_RE;
	}
	if (!r->exited) {
		ac_seterr(d, dlen, "%s",
		          "the sandbox reported neither an exit nor a signal");
		return AC_V_IE;
	}
	if (r->exit_code != 0) {
		ac_seterr(d, dlen, "exit code %d", r->exit_code);
		return AC_V_RE;
	}
	return -1;
}

enum ac_verdict ac_verdict_of(const struct ac_run_report *r,
                              const struct ac_limits *lim,
                              enum ac_validation val, char *detail,
                              size_t detail_len)
{
	int v;

	ac_seterr(detail, detail_len, "%s", "");
	if (!r) {
		ac_seterr(detail, detail_len, "%s", "no run report");
		return AC_V_IE;
	}
	v = vd_run(r, lim, detail, detail_len);
	if (v >= 0)
		return (enum ac_verdict)v;
	switch (val) {
	case AC_VAL_CORRECT:
		return AC_V_AC;
	case AC_VAL_WRONG:
		ac_seterr(detail, detail_len, "%s",
		          "rejected by the validator");
		return AC_V_WA;
	case AC_VAL_ERROR:
		ac_seterr(detail, detail_len, "%s",
		          "validator failed (judge error)");
		return AC_V_IE;
	case AC_VAL_NOT_RUN:
	default:
		ac_seterr(detail, detail_len, "%s",
		          "not validated: the run was clean but no validator "
		          "ran");
		return AC_V_IE;
	}
}

int ac_run_failed(const struct ac_run_report *r, const struct ac_limits *lim)
{
	if (!r)
		return 1;
	return vd_run(r, lim, NULL, 0) >= 0;
}

/* ------------------------------------------------ overrides (judge) */

/* The last line of a traceback that does not start with blanks: Java's
 * "Exception in thread "main" java.lang.OutOfMemoryError: Java heap
 * space", Python's "MemoryError". */
void ac_verdict_error_line(const char *s, char *buf, size_t len)
{
	const char *best = NULL, *best_end = NULL;

	buf[0] = '\0';
	while (s && *s) {
		const char *e = strchr(s, '\n');
		if (!e)
			e = s + strlen(s);
		if (e > s && *s != ' ' && *s != '\t') {
			best = s;
			best_end = e;
		}
		s = *e ? e + 1 : e;
	}
	if (best) {
		size_t n = (size_t)(best_end - best);
		if (n >= len)
			n = len - 1;
		memcpy(buf, best, n);
		buf[n] = '\0';
		for (char *p = buf; *p; p++)
			if ((unsigned char)*p < 0x20)
				*p = ' ';
	}
}

enum ac_verdict ac_verdict_hint(enum ac_verdict v, enum ac_run_hint hint,
                                const char *stderr_head, char *detail,
                                size_t detail_len, char *msg, size_t msg_len)
{
	char line[200];

	if (v != AC_V_RE || hint != AC_HINT_MEMORY)
		return v;
	ac_verdict_error_line(stderr_head, line, sizeof(line));
	ac_seterr(detail, detail_len, "%s",
	          "out of memory (the runtime said so)");
	/* The line is the program's own stderr: in msg, which hidden tests
	 * do not show. */
	ac_seterr(msg, msg_len, "%s", line);
	return AC_V_MLE;
}

void ac_verdict_message(const char *detail, const char *msg, char *both,
                        size_t len)
{
	if (msg[0] && detail[0] && strcmp(msg, detail) != 0)
		snprintf(both, len, "%s: %s", detail, msg);
	else
		snprintf(both, len, "%s", msg[0] ? msg : detail);
}

enum ac_validation ac_validator_exit(int protocol,
                                     const struct ac_run_report *r,
                                     bool *points, char *why, size_t len)
{
	*points = false;
	ac_seterr(why, len, "%s", "");
	if (r->internal_error[0]) {
		ac_seterr(why, len, "sandbox failed: %.200s",
		          r->internal_error);
		return AC_VAL_ERROR;
	}
	if (!r->exited || r->wall_exceeded || r->cpu_exceeded) {
		ac_seterr(why, len, "%s",
		          r->wall_exceeded  ? "over its wall time limit (hung?)"
		          : r->cpu_exceeded ? "over its CPU time limit"
		          : r->oom_killed   ? "over its memory limit"
		          : r->signal       ? ac_signal_name(r->signal)
		                            : "over its limits");
		return AC_VAL_ERROR;
	}
	if (protocol == AC_VPROTO_TESTLIB) {
		switch (r->exit_code) {
		case 0:
			return AC_VAL_CORRECT;
		case 1:
			return AC_VAL_WRONG;
		case 2:
			ac_seterr(why, len, "%s", "presentation error");
			return AC_VAL_WRONG;
		case 3:
			ac_seterr(why, len, "%s",
			          "the checker failed (testlib exit 3)");
			return AC_VAL_ERROR;
		case 7:
			*points = true;
			return AC_VAL_CORRECT;
		default:
			ac_seterr(why, len,
			          "exited with %d (testlib: 0, 1, 2, 3 or 7)",
			          r->exit_code);
			return AC_VAL_ERROR;
		}
	}
	if (r->exit_code == 42)
		return AC_VAL_CORRECT;
	if (r->exit_code == 43)
		return AC_VAL_WRONG;
	ac_seterr(why, len, "exited with %d (not 42/43)", r->exit_code);
	return AC_VAL_ERROR;
}

enum ac_verdict ac_verdict_interactive(const struct ac_run_report *r,
                                       const struct ac_limits *lim,
                                       enum ac_validation val,
                                       bool validator_first, char *detail,
                                       size_t detail_len)
{
	int v = r ? vd_run(r, lim, detail, detail_len) : AC_V_IE;

	if (!r) {
		ac_seterr(detail, detail_len, "%s", "no run report");
		return AC_V_IE;
	}
	if (v == AC_V_IE)
		return AC_V_IE;
	/* A validator that rejected while the submission still ran: the
	 * submission would have been stopped there, whatever it did after
	 * (Kattis problemtools and DOMjudge judge so).  Otherwise the
	 * submission's own failure first: a validator reading the end of
	 * file of a crashed submission says "wrong" because of the crash. */
	if (val == AC_VAL_WRONG && (v < 0 || validator_first)) {
		ac_seterr(detail, detail_len, "%s",
		          "rejected by the validator");
		return AC_V_WA;
	}
	if (v >= 0)
		return (enum ac_verdict)v;
	return ac_verdict_of(r, lim, val, detail, detail_len);
}

int ac_testlib_points(const char *msg, double *points)
{
	char *end;
	double d;

	if (!msg)
		return -EINVAL;
	while (*msg == ' ' || *msg == '\t')
		msg++;
	if (strncmp(msg, "points", 6) == 0 && (msg[6] == ' ' || msg[6] == '\t'))
		msg += 7;
	while (*msg == ' ' || *msg == '\t')
		msg++;
	errno = 0;
	d = strtod(msg, &end);
	if (end == msg || errno || !isfinite(d) ||
	    (*end && *end != ' ' && *end != '\t' && *end != '\n' &&
	     *end != ';'))
		return -EINVAL;
	*points = d;
	return 0;
}
