/* Problem packages: what `algocode problem verify` needs beyond loading
 * (expected scores of labelled submissions, the time limit computed from
 * the accepted ones and written back). */
#include "problem_int.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
