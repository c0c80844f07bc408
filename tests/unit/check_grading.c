/* Unit tests of the grading rules (core/grading.c): a table of problems
 * (groups with their testdata.yaml settings), judged tests, and the
 * group verdicts and scores they must make. */
#include "grading.h"

#include "../check_run.h"
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define G_MAX 6
#define T_MAX 8

/* A group: name, parent, settings. */
struct g_def {
	const char *name;
	size_t parent;
	const char *flags; /* letters: c=continue s=ignore_sample, verdict
	                      F/W/A/K (first, worst, any, always), score
	                      +/a/m/M (sum, avg, min, max) */
	double accept, reject, lo, hi;
};

/* A test: group, verdict, validator score (NAN: none), run? */
struct t_def {
	size_t group;
	enum ac_verdict v;
	double score;
	int skipped;
};

struct g_case {
	const char *what;
	struct g_def groups[G_MAX];
	struct t_def tests[T_MAX];
	/* expected, per group: verdict and score; -1: not graded */
	int want_v[G_MAX];
	double want_s[G_MAX];
};

#define X   NAN
#define NG  (-1)
#define INF INFINITY

/* data(0) { sample(1) { s1 }, secret(2) { g1(3) {a b}, g2(4) {c d} } } */
#define TREE(rootflags, secretflags, g1flags, g2flags)                         \
	{                                                                      \
		{"", 0, rootflags, 1, 0, -INF, INF},                           \
		        {"sample", 0, "", 1, 0, -INF, INF},                    \
		        {"secret", 0, secretflags, 1, 0, -INF, INF},           \
		        {"secret/g1", 2, g1flags, 20, 0, -INF, INF},           \
		{                                                              \
			"secret/g2", 2, g2flags, 30, 0, -INF, INF              \
		}                                                              \
	}

static const struct g_case cases[] = {
        {"all accepted: sum of accept_score per test",
         TREE("", "", "", ""),
         {{1, AC_V_AC, X, 0},
          {3, AC_V_AC, X, 0},
          {3, AC_V_AC, X, 0},
          {4, AC_V_AC, X, 0},
          {4, AC_V_AC, X, 0}},
         {AC_V_AC, AC_V_AC, AC_V_AC, AC_V_AC, AC_V_AC},
         {1 + 40 + 60, 1, 100, 40, 60}},
        {"min per group, ignore_sample, continue at the root",
         TREE("cs", "", "m", "m"),
         {{1, AC_V_WA, X, 0},
          {3, AC_V_AC, X, 0},
          {3, AC_V_AC, X, 0},
          {4, AC_V_AC, X, 0},
          {4, AC_V_TLE, X, 0}},
         {AC_V_TLE, AC_V_WA, AC_V_TLE, AC_V_AC, AC_V_TLE},
         {20, 0, 20, 20, 0}},
        {"on_reject break at the root stops after the failed sample",
         TREE("", "", "m", "m"),
         {{1, AC_V_WA, X, 0},
          {3, AC_V_AC, X, 0},
          {3, AC_V_AC, X, 0},
          {4, AC_V_AC, X, 0},
          {4, AC_V_AC, X, 0}},
         {AC_V_WA, AC_V_WA, AC_V_AC, AC_V_AC, AC_V_AC},
         {0, 0, 50, 20, 30}},
        {"break inside a group: the test after the failure is ignored",
         TREE("c", "c", "+", "+c"),
         {{1, AC_V_AC, X, 0},
          {3, AC_V_WA, X, 0},
          {3, AC_V_AC, X, 0},
          {4, AC_V_RE, X, 0},
          {4, AC_V_AC, X, 0}},
         {AC_V_WA, AC_V_AC, AC_V_WA, AC_V_WA, AC_V_RE},
         {31, 1, 30, 0, 30}},
        {"worst_error takes the most severe verdict",
         TREE("cW", "cW", "c", "c"),
         {{1, AC_V_AC, X, 0},
          {3, AC_V_WA, X, 0},
          {3, AC_V_AC, X, 0},
          {4, AC_V_TLE, X, 0},
          {4, AC_V_RE, X, 0}},
         {AC_V_TLE, AC_V_AC, AC_V_TLE, AC_V_WA, AC_V_TLE},
         {21, 1, 20, 20, 0}},
        {"accept_if_any_accepted and max",
         TREE("cAM", "cAM", "cM", "cM"),
         {{1, AC_V_AC, X, 0},
          {3, AC_V_WA, X, 0},
          {3, AC_V_AC, X, 0},
          {4, AC_V_WA, X, 0},
          {4, AC_V_WA, X, 0}},
         {AC_V_AC, AC_V_AC, AC_V_WA, AC_V_WA, AC_V_WA},
         {20, 1, 20, 20, 0}},
        {"always_accept and avg",
         TREE("cKa", "c", "ca", "c"),
         {{1, AC_V_AC, X, 0},
          {3, AC_V_WA, X, 0},
          {3, AC_V_AC, X, 0},
          {4, AC_V_AC, X, 0},
          {4, AC_V_AC, X, 0}},
         {AC_V_AC, AC_V_AC, AC_V_WA, AC_V_WA, AC_V_AC},
         {35.5, 1, 70, 10, 60}},
        {"validator scores replace accept_score; skipped tests do not count",
         TREE("cs", "c", "c", "cm"),
         {{1, AC_V_AC, X, 0},
          {3, AC_V_AC, 7.5, 0},
          {3, AC_V_AC, 2.5, 0},
          {4, AC_V_AC, 12, 0},
          {4, AC_V_WA, X, 1}},
         {AC_V_AC, AC_V_AC, AC_V_AC, AC_V_AC, AC_V_AC},
         {22, 1, 22, 10, 12}},
};

static void setup_problem(const struct g_case *c, struct ac_problem *p,
                          struct ac_test_group *groups, struct ac_test *tests,
                          struct ac_grade_test *gt)
{
	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < G_MAX && c->groups[i].name; i++) {
		const struct g_def *d = &c->groups[i];
		struct ac_grading *g = &groups[i].grading;

		memset(&groups[i], 0, sizeof(groups[i]));
		groups[i].name = (char *)d->name;
		groups[i].parent = d->parent;
		g->accept_score = d->accept;
		g->reject_score = d->reject;
		g->range_min = d->lo;
		g->range_max = d->hi;
		for (const char *f = d->flags; *f; f++) {
			switch (*f) {
			case 'c':
				g->on_reject_continue = true;
				break;
			case 's':
				g->ignore_sample = true;
				break;
			case 'F':
				g->verdict = AC_GRADE_FIRST_ERROR;
				break;
			case 'W':
				g->verdict = AC_GRADE_WORST_ERROR;
				break;
			case 'A':
				g->verdict = AC_GRADE_ACCEPT_IF_ANY;
				break;
			case 'K':
				g->verdict = AC_GRADE_ALWAYS_ACCEPT;
				break;
			case '+':
				g->score = AC_GRADE_SUM;
				break;
			case 'a':
				g->score = AC_GRADE_AVG;
				break;
			case 'm':
				g->score = AC_GRADE_MIN;
				break;
			case 'M':
				g->score = AC_GRADE_MAX;
				break;
			}
		}
		p->ngroups = i + 1;
	}
	for (size_t i = 0; i < T_MAX && c->tests[i].group; i++) {
		memset(&tests[i], 0, sizeof(tests[i]));
		tests[i].group = c->tests[i].group;
		gt[i].run = !c->tests[i].skipped;
		gt[i].verdict = c->tests[i].v;
		gt[i].has_score = !isnan(c->tests[i].score);
		gt[i].score = c->tests[i].score;
		p->ntests = i + 1;
	}
	p->groups = groups;
	p->tests = tests;
}

START_TEST(test_table)
{
	const struct g_case *c = &cases[_i];
	struct ac_problem p;
	struct ac_test_group groups[G_MAX];
	struct ac_test tests[T_MAX];
	struct ac_grade_test gt[T_MAX];
	struct ac_grade_group out[G_MAX];

	setup_problem(c, &p, groups, tests, gt);
	ck_assert_int_eq(ac_grade(&p, gt, out), 0);
	for (size_t g = 0; g < p.ngroups; g++) {
		ck_assert_msg(out[g].graded, "%s: group %zu not graded",
		              c->what, g);
		ck_assert_msg((int)out[g].verdict == c->want_v[g],
		              "%s: group %s verdict %s, want %s", c->what,
		              groups[g].name, ac_verdict_code(out[g].verdict),
		              ac_verdict_code(c->want_v[g]));
		ck_assert_msg(fabs(out[g].score - c->want_s[g]) < 1e-9,
		              "%s: group %s score %g, want %g", c->what,
		              groups[g].name, out[g].score, c->want_s[g]);
	}
}
END_TEST

/* Nested three deep, range checks, a group with no judged test. */
START_TEST(test_nested_and_range)
{
	struct g_case c = {"nested",
	                   {{"", 0, "c", 1, 0, -INF, INF},
	                    {"secret", 0, "c", 1, 0, -INF, INF},
	                    {"secret/a", 1, "cm", 10, 0, 0, 10},
	                    {"secret/a/deep", 2, "c", 5, 0, 0, 8},
	                    {"secret/b", 1, "c", 1, 0, -INF, INF}},
	                   {{2, AC_V_AC, X, 0},
	                    {3, AC_V_AC, X, 0},
	                    {3, AC_V_AC, X, 0},
	                    {2, AC_V_AC, 11, 0},
	                    {4, AC_V_WA, X, 1}},
	                   {0},
	                   {0}};
	struct ac_problem p;
	struct ac_test_group groups[G_MAX];
	struct ac_test tests[T_MAX];
	struct ac_grade_test gt[T_MAX];
	struct ac_grade_group out[G_MAX];

	setup_problem(&c, &p, groups, tests, gt);
	ck_assert_int_eq(ac_grade(&p, gt, out), 0);
	/* deep: 5 + 5 = 10 is outside its range 0..8: Internal Error */
	ck_assert_int_eq(out[3].verdict, AC_V_IE);
	ck_assert(out[3].score == 10);
	/* a: min(10, deep=10, the score 11 out of range -> IE, 0) */
	ck_assert_int_eq(out[2].verdict, AC_V_IE);
	ck_assert(out[2].score == 0);
	/* b: its only test was not judged */
	ck_assert(!out[4].graded);
	ck_assert(out[1].graded && out[1].score == 0);
	ck_assert_int_eq(out[0].verdict, AC_V_IE);
	ck_assert_int_eq(ac_grade(NULL, gt, out), -EINVAL);
}
END_TEST

START_TEST(test_severity_order)
{
	ck_assert_int_lt(ac_grade_severity(AC_V_AC),
	                 ac_grade_severity(AC_V_WA));
	ck_assert_int_lt(ac_grade_severity(AC_V_WA),
	                 ac_grade_severity(AC_V_TLE));
	ck_assert_int_lt(ac_grade_severity(AC_V_RE),
	                 ac_grade_severity(AC_V_TLE));
	ck_assert_int_lt(ac_grade_severity(AC_V_TLE),
	                 ac_grade_severity(AC_V_IE));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("grading");
	TCase *tc = tcase_create("rules");

	tcase_add_loop_test(tc, test_table, 0,
	                    (int)(sizeof(cases) / sizeof(cases[0])));
	AC_ADD_TESTS(tc, test_nested_and_range, test_severity_order);
	suite_add_tcase(s, tc);
	return ac_check_run(s);
}
