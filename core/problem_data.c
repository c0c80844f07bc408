/* Problem packages: test groups and their testdata.yaml (the grading
 * settings of a directory of data/, inherited by the directories below
 * it; docs/problem-format.md "Scoring"). */
#include "problem_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define PB_TESTDATA_MAX (64u << 10)
#define PB_GROUPS_MAX   10000

static const char *pb_td_scalar(yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static int pb_td_number(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return end != s && !*end && !errno && isfinite(*out) ? 0 : -EINVAL;
}

/* grader_flags: words, each one a verdict or score rule. */
static int pb_td_flags(struct ac_grading *g, const char *s, char *bad,
                       size_t badlen)
{
	static const struct {
		const char *name;
		int verdict, score, sample;
	} flags[] = {
	        {"first_error", AC_GRADE_FIRST_ERROR, -1, 0},
	        {"worst_error", AC_GRADE_WORST_ERROR, -1, 0},
	        {"accept_if_any_accepted", AC_GRADE_ACCEPT_IF_ANY, -1, 0},
	        {"always_accept", AC_GRADE_ALWAYS_ACCEPT, -1, 0},
	        {"sum", -1, AC_GRADE_SUM, 0},
	        {"avg", -1, AC_GRADE_AVG, 0},
	        {"min", -1, AC_GRADE_MIN, 0},
	        {"max", -1, AC_GRADE_MAX, 0},
	        {"ignore_sample", -1, -1, 1},
	};

	while (*s) {
		size_t l = strcspn(s, " \t"), i;

		for (i = 0; l && i < sizeof(flags) / sizeof(flags[0]); i++) {
			if (strlen(flags[i].name) != l ||
			    strncmp(flags[i].name, s, l) != 0)
				continue;
			if (flags[i].verdict >= 0)
				g->verdict = flags[i].verdict;
			if (flags[i].score >= 0)
				g->score = flags[i].score;
			if (flags[i].sample)
				g->ignore_sample = true;
			break;
		}
		if (l && i == sizeof(flags) / sizeof(flags[0])) {
			snprintf(bad, badlen, "%.*s", (int)(l > 60 ? 60 : l),
			         s);
			return -EINVAL;
		}
		s += l;
		s += strspn(s, " \t");
	}
	return 0;
}

/* One key of a testdata.yaml; what into what on error. */
static int pb_td_key(struct ac_grading *g, const char *k, yaml_node_t *v,
                     char *what, size_t wlen)
{
	const char *s = v->type == YAML_SCALAR_NODE ? pb_td_scalar(v) : NULL;
	char bad[64];
	double a, c;

	if (!s) {
		snprintf(what, wlen, "%s: must be a string or a number", k);
		return -EINVAL;
	}
	if (strcmp(k, "on_reject") == 0) {
		if (strcmp(s, "break") != 0 && strcmp(s, "continue") != 0)
			goto bad;
		g->on_reject_continue = s[0] == 'c';
	} else if (strcmp(k, "grading") == 0) {
		if (strcmp(s, "default") != 0) {
			snprintf(what, wlen,
			         "grading: \"%.40s\" is not supported (only "
			         "the default grader; custom graders are not "
			         "implemented)",
			         s);
			return -ENOTSUP;
		}
	} else if (strcmp(k, "grader_flags") == 0) {
		if (pb_td_flags(g, s, bad, sizeof(bad)) < 0) {
			snprintf(what, wlen,
			         "grader_flags: unknown flag \"%s\"", bad);
			return -EINVAL;
		}
	} else if (strcmp(k, "accept_score") == 0) {
		if (pb_td_number(s, &g->accept_score) < 0)
			goto bad;
	} else if (strcmp(k, "reject_score") == 0) {
		if (pb_td_number(s, &g->reject_score) < 0)
			goto bad;
	} else if (strcmp(k, "range") == 0) {
		char lo[64], hi[64], extra;

		if (sscanf(s, "%63s %63s %c", lo, hi, &extra) != 2)
			goto bad;
		a = strcmp(lo, "-inf") == 0 ? -INFINITY : strtod(lo, NULL);
		c = strcmp(hi, "inf") == 0 || strcmp(hi, "+inf") == 0
		            ? INFINITY
		            : strtod(hi, NULL);
		if ((!isinf(a) && pb_td_number(lo, &a) < 0) ||
		    (!isinf(c) && pb_td_number(hi, &c) < 0) || a > c)
			goto bad;
		g->range_min = a;
		g->range_max = c;
	} else if (strcmp(k, "input_validator_flags") == 0) {
		/* input validators are not run by the judge */
	} else if (strcmp(k, "output_validator_flags") == 0) {
		/* handled by pb_td_flags_key */
	} else {
		snprintf(what, wlen,
		         "unknown key \"%.60s\" (not in the problem package "
		         "format)",
		         k);
		return -EINVAL;
	}
	return 0;
bad:
	snprintf(what, wlen, "%s: \"%.60s\" is not valid", k, s);
	return -EINVAL;
}

/* output_validator_flags: the default validator's flags for the whole
 * problem.  Set in data/testdata.yaml, and the same wherever repeated;
 * flags that differ between groups are refused. */
static int pb_td_ovflags(struct pb *b, const char *rel, yaml_node_t *v,
                         char *what, size_t wlen)
{
	const char *s = pb_td_scalar(v);

	if (b->ovflags) {
		if (strcmp(b->ovflags, s) == 0)
			return 0;
		snprintf(what, wlen,
		         "output_validator_flags: not supported: \"%.60s\" "
		         "differs from data/testdata.yaml's (per-group "
		         "validator flags are not implemented)",
		         s);
		return -ENOTSUP;
	}
	if (strcmp(rel, "data/testdata.yaml") != 0) {
		snprintf(
		        what, wlen,
		        "output_validator_flags: not supported below "
		        "data/testdata.yaml (per-group validator flags are not "
		        "implemented)");
		return -ENOTSUP;
	}
	b->ovflags = strdup(s);
	return b->ovflags ? 0 : -ENOMEM;
}

static int pb_td_doc(struct pb *b, const char *rel, yaml_document_t *doc,
                     struct ac_grading *g)
{
	yaml_node_t *root = yaml_document_get_root_node(doc);
	char what[256];
	int ret;

	if (!root ||
	    (root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0))
		return 0;
	if (root->type != YAML_MAPPING_NODE) {
		pb_err(b, rel, "top level: must be a mapping");
		return -EINVAL;
	}
	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
	     pr < root->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(doc, pr->value);

		if (!k || !v || k->type != YAML_SCALAR_NODE) {
			pb_err(b, rel, "keys must be strings");
			return -EINVAL;
		}
		ret = pb_td_key(g, pb_td_scalar(k), v, what, sizeof(what));
		if (ret == 0 &&
		    strcmp(pb_td_scalar(k), "output_validator_flags") == 0)
			ret = pb_td_ovflags(b, rel, v, what, sizeof(what));
		if (ret < 0) {
			pb_err(b, rel, "line %lu: %s",
			       (unsigned long)k->start_mark.line + 1, what);
			return ret;
		}
	}
	return 0;
}

/* data/<name>/testdata.yaml into g, when there is one. */
static int pb_td_read(struct pb *b, const char *name, struct ac_grading *g)
{
	yaml_document_t doc;
	char rel[4200];
	int ret;

	snprintf(rel, sizeof(rel), "data%s%s/testdata.yaml", *name ? "/" : "",
	         name);
	ret = pb_yaml_file(b, rel, PB_TESTDATA_MAX, false, &doc);
	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		return ret;
	ret = pb_td_doc(b, rel, &doc, g);
	yaml_document_delete(&doc);
	return ret;
}

int pb_add_group(struct pb *b, const char *name, size_t parent)
{
	struct ac_problem *p = b->p;
	struct ac_test_group *g;

	if (p->ngroups >= PB_GROUPS_MAX) {
		pb_err(b, "data", "more than %d test groups", PB_GROUPS_MAX);
		return -E2BIG;
	}
	if (p->ngroups == b->groups_cap) {
		size_t ncap = b->groups_cap ? 2 * b->groups_cap : 8;
		struct ac_test_group *ng =
		        realloc(p->groups, ncap * sizeof(*ng));

		if (!ng)
			return -ENOMEM;
		p->groups = ng;
		b->groups_cap = ncap;
	}
	g = &p->groups[p->ngroups];
	memset(g, 0, sizeof(*g));
	if (!(g->name = strdup(name)))
		return -ENOMEM;
	g->parent = parent;
	if (p->ngroups) {
		g->grading = p->groups[parent].grading;
	} else {
		g->grading.accept_score = 1;
		g->grading.reject_score = 0;
		g->grading.range_min = -INFINITY;
		g->grading.range_max = INFINITY;
	}
	b->cur_group = p->ngroups++;
	return pb_td_read(b, name, &g->grading);
}

int pb_root_group(struct pb *b)
{
	return pb_add_group(b, "", 0);
}
