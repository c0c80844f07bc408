/* Scoring problems: the default grader of the problem package format
 * (see grading.h).
 *
 * A group's results are those of its tests and subgroups, in judging
 * order (tests and subgroups interleaved by name).  With on_reject: break
 * (the default) the first rejected result ends the group; with continue
 * every result counts.  A test scores the validator's score when it gave
 * one, else accept_score when accepted and reject_score when not, with
 * the settings of the test's own group.  The group's verdict follows its
 * verdict flag, its score its score flag, and a score outside the group's
 * range is an Internal Error (a broken package or validator). */
#include "grading.h"

#include <errno.h>
#include <math.h>
#include <string.h>

int ac_grade_severity(enum ac_verdict v)
{
	switch (v) {
	case AC_V_AC:
		return 0;
	case AC_V_WA:
		return 1;
	case AC_V_OLE:
		return 2;
	case AC_V_MLE:
		return 3;
	case AC_V_RE:
		return 4;
	case AC_V_TLE:
		return 5;
	case AC_V_CE:
		return 6;
	default:
		return 7;
	}
}

/* What one group is made of so far. */
struct gr_acc {
	size_t n;
	enum ac_verdict first_err, worst;
	bool any_ac, any_err;
	double sum, min, max;
	bool stopped; /* on_reject: break happened */
};

static void gr_add(struct gr_acc *a, enum ac_verdict v, double score)
{
	if (a->n == 0) {
		a->min = a->max = score;
	} else {
		a->min = fmin(a->min, score);
		a->max = fmax(a->max, score);
	}
	a->n++;
	a->sum += score;
	if (v == AC_V_AC) {
		a->any_ac = true;
		return;
	}
	if (!a->any_err)
		a->first_err = v;
	if (!a->any_err || ac_grade_severity(v) > ac_grade_severity(a->worst))
		a->worst = v;
	a->any_err = true;
}

static void gr_finish(const struct ac_grading *g, const struct gr_acc *a,
                      struct ac_grade_group *out)
{
	out->graded = a->n > 0;
	if (!out->graded) {
		out->verdict = AC_V_AC;
		out->score = 0;
		return;
	}
	switch (g->verdict) {
	case AC_GRADE_WORST_ERROR:
		out->verdict = a->any_err ? a->worst : AC_V_AC;
		break;
	case AC_GRADE_ACCEPT_IF_ANY:
		out->verdict =
		        a->any_ac || !a->any_err ? AC_V_AC : a->first_err;
		break;
	case AC_GRADE_ALWAYS_ACCEPT:
		out->verdict = AC_V_AC;
		break;
	default:
		out->verdict = a->any_err ? a->first_err : AC_V_AC;
	}
	switch (g->score) {
	case AC_GRADE_AVG:
		out->score = a->sum / (double)a->n;
		break;
	case AC_GRADE_MIN:
		out->score = a->min;
		break;
	case AC_GRADE_MAX:
		out->score = a->max;
		break;
	default:
		out->score = a->sum;
	}
	if (!(out->score >= g->range_min && out->score <= g->range_max))
		out->verdict = AC_V_IE;
}

static double gr_test_score(const struct ac_grading *g,
                            const struct ac_grade_test *t, enum ac_verdict *v)
{
	*v = t->verdict;
	if (t->verdict != AC_V_AC)
		return g->reject_score;
	if (!t->has_score)
		return g->accept_score;
	if (!isfinite(t->score) || t->score < g->range_min ||
	    t->score > g->range_max) {
		*v = AC_V_IE; /* a validator's score out of range */
		return g->reject_score;
	}
	return t->score;
}

/* Is group k a descendant of (or) group g?  Its child of g then in
 * *child. */
static bool gr_under(const struct ac_problem *p, size_t k, size_t g,
                     size_t *child)
{
	while (k != g) {
		if (k == 0)
			return false;
		*child = k;
		k = p->groups[k].parent;
	}
	return true;
}

/* Grade group g (recursively); tests [*i, ...) that belong below it are
 * consumed. */
static void gr_group(const struct ac_problem *p,
                     const struct ac_grade_test *tests, size_t *i, size_t g,
                     struct ac_grade_group *groups)
{
	const struct ac_grading *gs = &p->groups[g].grading;
	struct gr_acc a;
	size_t child = g;

	memset(&a, 0, sizeof(a));
	while (*i < p->ntests && gr_under(p, p->tests[*i].group, g, &child)) {
		enum ac_verdict v;
		double s;
		bool ignored;

		if (p->tests[*i].group == g) {
			const struct ac_grade_test *t = &tests[(*i)++];

			if (!t->run || a.stopped)
				continue;
			s = gr_test_score(gs, t, &v);
			ignored = false;
		} else {
			gr_group(p, tests, i, child, groups);
			if (!groups[child].graded || a.stopped)
				continue;
			v = groups[child].verdict;
			s = groups[child].score;
			ignored = gs->ignore_sample &&
			          strcmp(p->groups[child].name, "sample") == 0;
		}
		if (ignored)
			continue;
		gr_add(&a, v, s);
		if (v != AC_V_AC && !gs->on_reject_continue)
			a.stopped = true;
	}
	gr_finish(gs, &a, &groups[g]);
}

int ac_grade(const struct ac_problem *p, const struct ac_grade_test *tests,
             struct ac_grade_group *groups)
{
	size_t i = 0;

	if (!p || !groups || (p->ntests && !tests) || p->ngroups == 0)
		return -EINVAL;
	for (size_t g = 0; g < p->ngroups; g++)
		groups[g] = (struct ac_grade_group){.graded = false,
		                                    .verdict = AC_V_AC};
	gr_group(p, tests, &i, 0, groups);
	return 0;
}
