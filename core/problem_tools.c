/* Problem packages: what `algocode problem verify` needs beyond loading
 * (expected scores of labelled submissions, from their source or from
 * 2023-07 submissions/submissions.yaml; the time limit computed from the
 * accepted ones and written back). */
#include "problem_int.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#define PT_MARK "@EXPECTED_SCORE@:"

int ac_expected_score(const char *code, size_t len, double *score)
{
	const char *m = NULL, *s;
	size_t ml = strlen(PT_MARK);
	char buf[64], *end;
	size_t n = 0;

	for (size_t i = 0; i + ml <= len && !m; i++)
		if (memcmp(code + i, PT_MARK, ml) == 0)
			m = code + i + ml;
	if (!m)
		return 0;
	s = m;
	while (s < code + len && (*s == ' ' || *s == '\t'))
		s++;
	while (s + n < code + len && n + 1 < sizeof(buf) &&
	       strchr("0123456789.+-eE", s[n]))
		n++;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	*score = strtod(buf, &end);
	if (n == 0 || *end || errno || !isfinite(*score))
		return -EINVAL;
	return 1;
}

double ac_time_limit_from(const struct ac_problem *p, double slowest_s)
{
	double res = p->format == AC_FORMAT_2023_07 ? p->time_resolution : 1.0;
	double want = slowest_s * p->ac_to_time_limit;
	double k = ceil(want / res - 1e-9);

	if (k < 1)
		k = 1;
	return k * res;
}

/* The text of problem.yaml with limits.time_limit set to tl (block
 * style only).  malloc'ed, NULL with errno. */
static char *pt_edit(const char *y, const char *val)
{
	const char *lim = NULL, *line, *tl = NULL, *next;
	size_t cap = strlen(y) + 128;
	char *out = malloc(cap);

	if (!out)
		return NULL;
	for (line = y; *line; line = next) {
		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		if (!lim && strncmp(line, "limits:", 7) == 0) {
			const char *r = line + 7;

			while (*r == ' ' || *r == '\t')
				r++;
			if (*r != '\n' && *r != '\0' && *r != '#') {
				free(out);
				errno = ENOTSUP; /* flow style */
				return NULL;
			}
			lim = line;
		} else if (lim && (*line == ' ' || *line == '\t')) {
			const char *k = line + strspn(line, " \t");

			if (strncmp(k, "time_limit:", 11) == 0)
				tl = line;
		} else if (lim && *line != '\n' && *line != '#') {
			break; /* the next top-level key */
		}
	}
	if (tl) {
		const char *eol = strchr(tl, '\n');
		size_t ind = strspn(tl, " \t");

		snprintf(out, cap, "%.*s%.*stime_limit: %s\n%s", (int)(tl - y),
		         y, (int)ind, tl, val, eol ? eol + 1 : "");
	} else if (lim) {
		const char *eol = strchr(lim, '\n');

		snprintf(out, cap, "%.*s  time_limit: %s\n%s",
		         (int)((eol ? eol + 1 : lim + strlen(lim)) - y), y, val,
		         eol ? eol + 1 : "");
	} else {
		size_t l = strlen(y);

		snprintf(out, cap, "%s%slimits:\n  time_limit: %s\n", y,
		         l && y[l - 1] != '\n' ? "\n" : "", val);
	}
	return out;
}

static int pt_write(const char *path, const char *text)
{
	char tmp[4200];
	size_t len = strlen(text);
	int fd, r = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len || fsync(fd) < 0)
		r = -EIO;
	close(fd);
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

int ac_problem_write_time_limit(const struct ac_problem *p, double tl,
                                char *err, size_t errlen)
{
	struct pb b = {.err = err, .errlen = errlen};
	char val[32], *y = NULL, *edited = NULL, path[4200];
	size_t len;
	int r;

	b.root = p->dir;
	b.rootlen = strlen(p->dir);
	b.p = (struct ac_problem *)p;
	snprintf(val, sizeof(val), "%.10g", tl);
	r = pb_read(&b, "problem.yaml", PB_YAML_MAX, &y, &len);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/.timelimit", p->dir);
	if (p->format == AC_FORMAT_LEGACY && access(path, F_OK) == 0 &&
	    !strstr(y, "time_limit:")) {
		/* legacy: the limit lives in .timelimit */
		snprintf(val + strlen(val), sizeof(val) - strlen(val), "\n");
		r = pt_write(path, val);
		goto out;
	}
	edited = pt_edit(y, val);
	if (!edited) {
		r = -errno;
		pb_err(&b, "problem.yaml",
		       r == -ENOTSUP ? "limits is written in flow style; set "
		                       "limits.time_limit: %s by hand"
		                     : "cannot edit: %s",
		       r == -ENOTSUP ? val : strerror(-r));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/problem.yaml", p->dir);
	r = pt_write(path, edited);
out:
	if (r < 0 && err && errlen && !err[0])
		snprintf(err, errlen, "%s: cannot write the time limit: %s",
		         p->dir, strerror(-r));
	free(edited);
	free(y);
	return r;
}

/* One `score:` of submissions.yaml: a number, or [lo, hi]. */
static int pt_score(yaml_document_t *doc, yaml_node_t *v, double *lo,
                    double *hi)
{
	yaml_node_t *a, *b;
	char *end;

	if (v->type == YAML_SCALAR_NODE) {
		*lo = *hi = strtod((const char *)v->data.scalar.value, &end);
		return *end ? -EINVAL : 1;
	}
	if (v->type != YAML_SEQUENCE_NODE ||
	    v->data.sequence.items.top - v->data.sequence.items.start != 2)
		return -EINVAL;
	a = yaml_document_get_node(doc, v->data.sequence.items.start[0]);
	b = yaml_document_get_node(doc, v->data.sequence.items.start[1]);
	if (!a || !b || a->type != YAML_SCALAR_NODE ||
	    b->type != YAML_SCALAR_NODE)
		return -EINVAL;
	*lo = strtod((const char *)a->data.scalar.value, &end);
	if (*end)
		return -EINVAL;
	*hi = strtod((const char *)b->data.scalar.value, &end);
	return *end || *lo > *hi ? -EINVAL : 1;
}

/* Does the glob match rel ("wrong_answer/x.cpp") or a directory above
 * it ("wrong_answer")? */
static bool pt_glob(const char *glob, const char *rel)
{
	char buf[4200];

	snprintf(buf, sizeof(buf), "%s", rel);
	for (;;) {
		char *slash;

		if (fnmatch(glob, buf, FNM_PATHNAME) == 0)
			return true;
		slash = strrchr(buf, '/');
		if (!slash)
			return false;
		*slash = '\0';
	}
}

int ac_submission_expected_score(const struct ac_problem *p, const char *rel,
                                 double *lo, double *hi)
{
	struct pb b = {.root = p->dir, .rootlen = strlen(p->dir)};
	yaml_document_t doc;
	yaml_node_t *root;
	int r, found = 0;

	b.p = (struct ac_problem *)p;
	r = pb_yaml_file(&b, "submissions/submissions.yaml", PB_YAML_MAX, false,
	                 &doc);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	root = yaml_document_get_root_node(&doc);
	for (yaml_node_pair_t *pr = root && root->type == YAML_MAPPING_NODE
	                                    ? root->data.mapping.pairs.start
	                                    : NULL;
	     pr && pr < root->data.mapping.pairs.top && found >= 0; pr++) {
		yaml_node_t *k = yaml_document_get_node(&doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(&doc, pr->value);

		if (!k || !v || k->type != YAML_SCALAR_NODE ||
		    v->type != YAML_MAPPING_NODE ||
		    !pt_glob((const char *)k->data.scalar.value, rel))
			continue;
		for (yaml_node_pair_t *q = v->data.mapping.pairs.start;
		     q < v->data.mapping.pairs.top; q++) {
			yaml_node_t *qk = yaml_document_get_node(&doc, q->key);

			if (qk && qk->type == YAML_SCALAR_NODE &&
			    strcmp((const char *)qk->data.scalar.value,
			           "score") == 0)
				found = pt_score(
				        &doc,
				        yaml_document_get_node(&doc, q->value),
				        lo, hi);
		}
	}
	yaml_document_delete(&doc);
	return found;
}
