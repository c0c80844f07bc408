/* Verdicts and the pure per-test verdict function. */
#ifndef AC_VERDICT_H
#define AC_VERDICT_H
#include <algocode/plugin.h>
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
#endif
