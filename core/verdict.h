/* Verdicts and the pure per-test verdict function. */
#ifndef AC_VERDICT_H
#define AC_VERDICT_H
#include <algocode/plugin.h>
#include <stdbool.h>
#include <stddef.h>

enum ac_verdict {
	AC_V_AC = 0, /* Accepted */
	AC_V_WA,     /* Wrong Answer */
	AC_V_TLE,    /* Time Limit Exceeded */
	AC_V_MLE,    /* Memory Limit Exceeded */
	AC_V_OLE,    /* Output Limit Exceeded */
	AC_V_RE,     /* Runtime Error */
	AC_V_CE,     /* Compilation Error */
	AC_V_IE,     /* Internal Error */
};

enum ac_validation {
	AC_VAL_NOT_RUN = 0, /* the validator was not run */
	AC_VAL_CORRECT,
	AC_VAL_WRONG,
	AC_VAL_ERROR, /* the validator failed: Internal Error */
};

const char *ac_verdict_code(enum ac_verdict v); /* "AC" */
const char *ac_verdict_name(enum ac_verdict v); /* "Accepted" */
/* Parse "AC" or "Accepted" or a submissions/ directory name such as
 * "wrong_answer"; -EINVAL when unknown. */
int ac_verdict_parse(const char *s, enum ac_verdict *out);
/* "Segmentation Fault" for SIGSEGV, ...; "Signal N" otherwise. */
const char *ac_signal_name(int sig);

/* The verdict of one test from the run report, the limits the run had and
 * the validator's outcome (AC_VAL_NOT_RUN when the run already failed).
 * Pure.  Writes a human-readable detail ("cpu 1.02 s > 1.00 s",
 * "Segmentation Fault") into detail.  Precedence is documented in
 * docs/verdicts.md and in verdict.c. */
enum ac_verdict ac_verdict_of(const struct ac_run_report *r,
                              const struct ac_limits *lim,
                              enum ac_validation val, char *detail,
                              size_t detail_len);
/* True when the run report alone already decides a failing verdict, so the
 * validator need not run. */
int ac_run_failed(const struct ac_run_report *r, const struct ac_limits *lim);

/* The last line of a traceback that does not start with blanks (Java's
 * "...OutOfMemoryError: Java heap space", Python's "MemoryError"). */
void ac_verdict_error_line(const char *s, char *buf, size_t len);
/* What the language knows better than the run report: a Runtime Error
 * whose runtime ran out of memory (hint AC_HINT_MEMORY) is MLE; detail
 * and msg (the runtime's own line) are rewritten then.  Returns the
 * verdict. */
enum ac_verdict ac_verdict_hint(enum ac_verdict v, enum ac_run_hint hint,
                                const char *stderr_head, char *detail,
                                size_t detail_len, char *msg, size_t msg_len);
/* A test's message: "detail: msg", or the one that is not empty. */
void ac_verdict_message(const char *detail, const char *msg, char *both,
                        size_t len);

/* Validator protocols (problem.yaml validator_protocol). */
#define AC_VPROTO_KATTIS  0 /* 42 accepted, 43 wrong answer */
#define AC_VPROTO_TESTLIB 1 /* 0 ok, 1 wa, 2 pe, 3 fail, 7 points */
/* A testlib checker's points: its message (the first line of its stderr)
 * is "points N ..." as testlib's quitp writes it, or "N ...".  0 with
 * *points, -EINVAL when there is no finite number there. */
int ac_testlib_points(const char *msg, double *points);

/* What a validator's exit says under its protocol; *points when testlib
 * exited 7 (partial score, recorded); why says what failed. */
enum ac_validation ac_validator_exit(int protocol,
                                     const struct ac_run_report *r,
                                     bool *points, char *why, size_t len);
/* The verdict of an interactive (or multi-pass) test: an internal error
 * first; then Wrong Answer when the validator rejected the submission
 * before it ended (validator_first) or after a clean run; then the
 * submission's own failure (TLE, MLE, OLE, RE); then a validator failure
 * (IE); then Accepted (docs/problem-format.md). */
enum ac_verdict ac_verdict_interactive(const struct ac_run_report *r,
                                       const struct ac_limits *lim,
                                       enum ac_validation val,
                                       bool validator_first, char *detail,
                                       size_t detail_len);
#endif
