/* Scoring problems: how test results make group results and a score, the
 * rules of the problem package format's default grader
 * (docs/problem-format.md "Scoring").  Pure: no I/O, no allocation but
 * the caller's arrays. */
#ifndef AC_GRADING_H
#define AC_GRADING_H
#include "problem.h"
#include "verdict.h"
#include <stdbool.h>

/* One test as judged. */
struct ac_grade_test {
	bool run; /* false: not judged (skipped) */
	enum ac_verdict verdict;
	bool has_score; /* the validator gave a score (score.txt, or
	                   testlib points) */
	double score;
};

/* One group of the problem (ac_problem.groups[i]). */
struct ac_grade_group {
	bool graded; /* it holds a judged test */
	enum ac_verdict verdict;
	double score;
};

/* Grade every group of p from tests[p->ntests] into groups[p->ngroups];
 * groups[0] (data/) is the submission's.  Returns 0, or -EINVAL on bad
 * arguments. */
int ac_grade(const struct ac_problem *p, const struct ac_grade_test *tests,
             struct ac_grade_group *groups);

/* Severity for worst_error: AC < WA < OLE < MLE < RE < TLE < CE < IE. */
int ac_grade_severity(enum ac_verdict v);
#endif
