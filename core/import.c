/* `algocode problem import` (see import.h).
 *
 * A zip is unpacked with unzip(1) into a temporary directory (unzip
 * refuses paths that leave it); the package is what holds problem.yaml
 * (Kattis/ICPC) or problem.xml (Polygon), at the top or one directory
 * down.  A Kattis package is copied as it is; a Polygon package is
 * translated: names, limits, tests (samples, groups and points), the
 * checker (the standard testlib ones become default-validator flags),
 * statements and solutions.  The result is loaded with ac_problem_load,
 * so a package Algocode would refuse is reported with the loader's
 * message. */
#include "import.h"

#include "problem.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define IM_XML_MAX   (4u << 20)
#define IM_XML_DEPTH 32
#define IM_TESTS_MAX 10000
#define IM_TEXT_MAX  (4u << 20)

extern char **environ;

/* ------------------------------------------------------------ files */

static int im_run(const char *const argv[])
{
	pid_t pid;
	int st, r;

	r = posix_spawn(&pid, argv[0], NULL, NULL, (char *const *)argv,
	                environ);
	if (r != 0)
		return -r;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EIO;
}

static bool im_exists(const char *dir, const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	return lstat(p, &st) == 0;
}

/* A whole regular file (at most max bytes), NUL-terminated. */
static char *im_read(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	char *buf = NULL;
	size_t n = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > max || !(buf = malloc(st.st_size + 1)))
		goto out;
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + n, st.st_size - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += r;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
out:
	close(fd);
	return buf;
}

/* A package file copied to a new file: a regular file of at most 1 GiB. */
static int im_copy(const char *from, const char *to)
{
	struct stat st;

	if (lstat(from, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > (1u << 30))
		return -ENOENT;
	return ac_copy_file(from, to, 0644);
}

/* mkdir -p of dest/rel */
static int im_mkdirs(const char *dest, const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", dest, rel);
	return ac_mkdir_p(p, 0755);
}

static void im_say(FILE *f, const char *what, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void im_say(FILE *f, const char *what, const char *fmt, ...)
{
	va_list ap;

	if (!f)
		return;
	fprintf(f, "%s: ", what);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

/* --------------------------------------------------------- tiny XML */

/* An element: its name, attributes (name, value pairs), text, children.
 * Enough for Polygon's problem.xml: no DTD, the five predefined entities
 * and numeric ones below 128. */
struct xn {
	char *name, *text;
	char **attrs; /* 2 * nattrs */
	size_t nattrs;
	struct xn **kids;
	size_t nkids;
};

static void xn_free(struct xn *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < 2 * n->nattrs; i++)
		free(n->attrs[i]);
	for (size_t i = 0; i < n->nkids; i++)
		xn_free(n->kids[i]);
	free(n->attrs);
	free(n->kids);
	free(n->name);
	free(n->text);
	free(n);
}

static char *xn_unescape(const char *s, size_t len)
{
	char *o = malloc(len + 1), *w = o;
	static const struct {
		const char *e;
		char c;
	} ents[] = {{"&lt;", '<'},
	            {"&gt;", '>'},
	            {"&amp;", '&'},
	            {"&quot;", '"'},
	            {"&apos;", '\''}};

	if (!o)
		return NULL;
	for (size_t i = 0; i < len;) {
		size_t k;

		for (k = 0; s[i] == '&' && k < 5; k++)
			if (strncmp(s + i, ents[k].e, strlen(ents[k].e)) == 0)
				break;
		if (s[i] == '&' && k < 5) {
			*w++ = ents[k].c;
			i += strlen(ents[k].e);
		} else if (s[i] == '&' && s[i + 1] == '#' &&
		           isdigit((unsigned char)s[i + 2])) {
			long c = strtol(s + i + 2, NULL, 10);

			*w++ = c > 0 && c < 128 ? (char)c : '?';
			while (i < len && s[i] != ';')
				i++;
			i++;
		} else {
			*w++ = s[i++];
		}
	}
	*w = '\0';
	return o;
}

static int xn_push(void ***v, size_t *n, void *item)
{
	void **nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	nv[(*n)++] = item;
	*v = nv;
	return 0;
}

static const char *xn_skip(const char *p, const char *end)
{
	while (p < end && isspace((unsigned char)*p))
		p++;
	return p;
}

/* Attributes up to '>' or '/>'; *p moves past them. */
static int xn_attrs(struct xn *n, const char **pp, const char *end)
{
	const char *p = *pp;

	for (;;) {
		const char *k, *v;
		char q;

		p = xn_skip(p, end);
		if (p >= end)
			return -EINVAL;
		if (*p == '>' || *p == '/')
			break;
		k = p;
		while (p < end && *p != '=' && !isspace((unsigned char)*p) &&
		       *p != '>')
			p++;
		if (p == k)
			return -EINVAL;
		n->attrs =
		        realloc(n->attrs, 2 * (n->nattrs + 1) * sizeof(char *));
		if (!n->attrs)
			return -ENOMEM;
		n->attrs[2 * n->nattrs] = strndup(k, p - k);
		n->attrs[2 * n->nattrs + 1] = NULL;
		n->nattrs++;
		p = xn_skip(p, end);
		if (p >= end || *p != '=')
			return -EINVAL;
		p = xn_skip(p + 1, end);
		if (p >= end || (*p != '"' && *p != '\''))
			return -EINVAL;
		q = *p++;
		v = p;
		while (p < end && *p != q)
			p++;
		if (p >= end)
			return -EINVAL;
		n->attrs[2 * n->nattrs - 1] = xn_unescape(v, p - v);
		if (!n->attrs[2 * n->nattrs - 2] ||
		    !n->attrs[2 * n->nattrs - 1])
			return -ENOMEM;
		p++;
	}
	*pp = p;
	return 0;
}

/* One element starting at *pp (just after '<'). */
static int xn_parse(const char **pp, const char *end, int depth,
                    struct xn **out)
{
	struct xn *n = calloc(1, sizeof(*n));
	const char *p = *pp, *s;
	int r = -EINVAL;

	*out = NULL;
	if (!n)
		return -ENOMEM;
	if (depth > IM_XML_DEPTH)
		goto fail;
	s = p;
	while (p < end && !isspace((unsigned char)*p) && *p != '>' && *p != '/')
		p++;
	if (p == s || !(n->name = strndup(s, p - s)))
		goto fail;
	if ((r = xn_attrs(n, &p, end)) < 0)
		goto fail;
	r = -EINVAL;
	if (*p == '/') {
		if (p + 1 >= end || p[1] != '>')
			goto fail;
		*pp = p + 2;
		*out = n;
		return 0;
	}
	p++; /* '>' */
	for (;;) {
		s = p;
		while (p < end && *p != '<')
			p++;
		if (p >= end)
			goto fail;
		if (p > s && !n->text) /* the first run of text is enough */
			n->text = xn_unescape(s, p - s);
		if (p + 1 < end && (p[1] == '!' || p[1] == '?')) {
			const char *e =
			        p[1] == '!' && strncmp(p, "<!--", 4) == 0
			                ? strstr(p, "-->")
			                : strchr(p, '>');
			if (!e)
				goto fail;
			p = e + 1;
			continue;
		}
		if (p + 1 < end && p[1] == '/') {
			size_t l = strlen(n->name);

			if ((size_t)(end - p) < l + 3 ||
			    strncmp(p + 2, n->name, l) != 0)
				goto fail;
			p = strchr(p, '>');
			if (!p)
				goto fail;
			*pp = p + 1;
			*out = n;
			return 0;
		} else {
			struct xn *k;

			p++;
			if ((r = xn_parse(&p, end, depth + 1, &k)) < 0 ||
			    (r = xn_push((void ***)&n->kids, &n->nkids, k)) <
			            0) {
				xn_free(k);
				goto fail;
			}
			r = -EINVAL;
		}
	}
fail:
	xn_free(n);
	return r;
}

static struct xn *xn_load(const char *path)
{
	size_t len;
	char *d = im_read(path, IM_XML_MAX, &len);
	const char *p, *end;
	struct xn *root = NULL;

	if (!d)
		return NULL;
	end = d + len;
	for (p = d; p < end; p++) {
		if (*p != '<')
			continue;
		if (p[1] == '?' || p[1] == '!') {
			p = strchr(p, '>');
			if (!p)
				break;
			continue;
		}
		p++;
		if (xn_parse(&p, end, 0, &root) < 0)
			root = NULL;
		break;
	}
	free(d);
	return root;
}

static const char *xn_attr(const struct xn *n, const char *name)
{
	for (size_t i = 0; n && i < n->nattrs; i++)
		if (strcmp(n->attrs[2 * i], name) == 0)
			return n->attrs[2 * i + 1];
	return NULL;
}

/* The first child on a path "a/b/c". */
static const struct xn *xn_get(const struct xn *n, const char *path)
{
	char part[64];

	while (n && *path) {
		size_t l = strcspn(path, "/");
		const struct xn *next = NULL;

		snprintf(part, sizeof(part), "%.*s", (int)(l < 63 ? l : 63),
		         path);
		for (size_t i = 0; i < n->nkids && !next; i++)
			if (strcmp(n->kids[i]->name, part) == 0)
				next = n->kids[i];
		n = next;
		path += l;
		if (*path == '/')
			path++;
	}
	return n;
}

static const char *xn_text(const struct xn *n, const char *path)
{
	n = xn_get(n, path);
	return n && n->text ? n->text : NULL;
}

/* ---------------------------------------------------------- Polygon */

struct im_poly {
	const char *src, *dest;
	char srcreal[PATH_MAX]; /* files read must resolve below it */
	FILE *rep;
	const struct xn *root;
	FILE *y;    /* problem.yaml being written */
	int custom; /* 0 default, 1 custom, 2 custom interactive */
	char flags[96];
	bool scoring;
};

/* "tests/%02d" with n, only %d and %0Nd allowed.  -EINVAL otherwise. */
static int im_pattern(const char *pat, unsigned n, char *out, size_t len)
{
	const char *pc = strchr(pat, '%');
	char num[32];
	int width = 0;
	const char *after;

	if (!pc)
		return -EINVAL;
	after = pc + 1;
	if (*after == '0')
		after++;
	while (isdigit((unsigned char)*after))
		width = width * 10 + (*after++ - '0');
	if (*after != 'd' || strchr(after, '%') || width > 9)
		return -EINVAL;
	snprintf(num, sizeof(num), "%0*u", width, n);
	snprintf(out, len, "%.*s%s%s", (int)(pc - pat), pat, num, after + 1);
	return strstr(out, "..") ? -EINVAL : 0;
}

static void im_yaml_str(FILE *y, const char *s)
{
	fputc('"', y);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', y);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, y);
	}
	fputc('"', y);
}

static void im_names(struct im_poly *ip)
{
	const struct xn *names = xn_get(ip->root, "names");
	bool any = false;

	for (size_t i = 0; names && i < names->nkids; i++) {
		const char *lang = xn_attr(names->kids[i], "language");
		const char *v = xn_attr(names->kids[i], "value");
		char code[8];

		if (!lang || !v)
			continue;
		snprintf(code, sizeof(code), "%.2s",
		         strcmp(lang, "english") == 0 ? "en" : lang);
		fprintf(ip->y, "%s  %s: ", any ? "" : "name:\n", code);
		im_yaml_str(ip->y, v);
		fputc('\n', ip->y);
		any = true;
	}
}

/* The group's directory below data/secret ("" for no group). */
static void im_group_dir(const char *g, char *out, size_t len)
{
	size_t o = 0;

	if (!g || !*g) {
		out[0] = '\0';
		return;
	}
	o = snprintf(out, len, "group-");
	for (; *g && o + 1 < len; g++)
		out[o++] = isalnum((unsigned char)*g) || *g == '-' ? *g : '_';
	out[o] = '\0';
}

/* A file of the package, not a symlink (or a symlinked directory) that
 * leads out of it. */
static bool im_inside(const struct im_poly *ip, const char *path)
{
	char real[PATH_MAX];
	size_t l = strlen(ip->srcreal);

	return realpath(path, real) && strncmp(real, ip->srcreal, l) == 0 &&
	       real[l] == '/';
}

/* Copy test n; "sample" or "secret[/group-G]". */
static int im_test(struct im_poly *ip, const struct xn *ts, unsigned n,
                   const struct xn *t)
{
	const char *ip_pat = xn_text(ts, "input-path-pattern");
	const char *ap_pat = xn_text(ts, "answer-path-pattern");
	char in[512], ans[512], from[PATH_MAX], to[PATH_MAX], gd[80], dir[160];
	bool sample = xn_attr(t, "sample") &&
	              strcmp(xn_attr(t, "sample"), "true") == 0;
	int r;

	if (!ip_pat || !ap_pat || im_pattern(ip_pat, n, in, sizeof(in)) < 0 ||
	    im_pattern(ap_pat, n, ans, sizeof(ans)) < 0) {
		im_say(ip->rep, "NOT CARRIED OVER",
		       "test %u: no usable input/answer path pattern", n);
		return 0;
	}
	snprintf(from, sizeof(from), "%s/%s", ip->src, in);
	snprintf(to, sizeof(to), "%s/%s", ip->src, ans);
	if ((access(from, F_OK) == 0 && !im_inside(ip, from)) ||
	    (access(to, F_OK) == 0 && !im_inside(ip, to))) {
		im_say(ip->rep, "NOT CARRIED OVER",
		       "test %u: %s or %s leads out of the package", n, in,
		       ans);
		return 0;
	}
	if (access(from, R_OK) < 0 ||
	    (snprintf(to, sizeof(to), "%s/%s", ip->src, ans),
	     access(to, R_OK) < 0)) {
		im_say(ip->rep, "NOT CARRIED OVER",
		       "test %u: %s or %s is not in the package (a generated "
		       "test: download the full package from Polygon)",
		       n, in, ans);
		return 0;
	}
	im_group_dir(xn_attr(t, "group"), gd, sizeof(gd));
	snprintf(dir, sizeof(dir), "data/%s%s%s", sample ? "sample" : "secret",
	         *gd && !sample ? "/" : "", sample ? "" : gd);
	if ((r = im_mkdirs(ip->dest, dir)) < 0)
		return r;
	snprintf(to, sizeof(to), "%s/%s/%03u.in", ip->dest, dir, n);
	r = im_copy(from, to);
	if (r == 0) {
		snprintf(from, sizeof(from), "%s/%s", ip->src, ans);
		snprintf(to, sizeof(to), "%s/%s/%03u.ans", ip->dest, dir, n);
		r = im_copy(from, to);
		if (r < 0) {
			snprintf(to, sizeof(to), "%s/%s/%03u.in", ip->dest, dir,
			         n);
			unlink(to);
		}
	}
	if (r < 0 && r != -ENOMEM) {
		im_say(ip->rep, "NOT CARRIED OVER",
		       "test %u: cannot copy %s and %s (not regular files?)", n,
		       in, ans);
		r = 0;
	}
	return r;
}

static int im_testdata(struct im_poly *ip, const char *dir, const char *text)
{
	char p[PATH_MAX], rel[200];
	int r;

	snprintf(rel, sizeof(rel), "data%s%s", *dir ? "/" : "", dir);
	r = im_mkdirs(ip->dest, rel);
	snprintf(p, sizeof(p), "%s/%s/testdata.yaml", ip->dest, rel);
	return r < 0 ? r : ac_write_file(p, text, strlen(text), 0644);
}

/* Points: per group (complete-group: all or nothing; each-test: the same
 * points for every test) into testdata.yaml. */
static int im_points(struct im_poly *ip, const struct xn *ts)
{
	const struct xn *tests = xn_get(ts, "tests"), *groups;
	char buf[256], gd[80], dir[160];
	int r;

	groups = xn_get(ts, "groups");
	for (size_t i = 0; tests && i < tests->nkids && !ip->scoring; i++)
		if (xn_attr(tests->kids[i], "points"))
			ip->scoring = true;
	if (!ip->scoring && !groups)
		return 0;
	ip->scoring = true;
	r = im_testdata(ip, "",
	                "on_reject: continue\ngrader_flags: "
	                "ignore_sample\n");
	for (size_t i = 0; r == 0 && groups && i < groups->nkids; i++) {
		const struct xn *g = groups->kids[i];
		const char *name = xn_attr(g, "name");
		const char *pol = xn_attr(g, "points-policy");
		const char *pts = xn_attr(g, "points");
		double each = -1;
		bool same = true, secret = false;

		if (!name)
			continue;
		for (size_t k = 0; tests && k < tests->nkids; k++) {
			const struct xn *t = tests->kids[k];

			if (xn_attr(t, "group") &&
			    strcmp(xn_attr(t, "group"), name) == 0 &&
			    !(xn_attr(t, "sample") &&
			      strcmp(xn_attr(t, "sample"), "true") == 0))
				secret = true;
		}
		if (!secret)
			continue; /* only samples: data/sample/ */
		if (xn_get(g, "dependencies"))
			im_say(ip->rep, "NOT CARRIED OVER",
			       "group %s: dependencies on other groups", name);
		for (size_t k = 0; tests && k < tests->nkids; k++) {
			const char *tg = xn_attr(tests->kids[k], "group");
			const char *tp = xn_attr(tests->kids[k], "points");
			double v = tp ? strtod(tp, NULL) : 0;

			if (!tg || strcmp(tg, name) != 0)
				continue;
			if (each >= 0 && v != each)
				same = false;
			each = v;
		}
		im_group_dir(name, gd, sizeof(gd));
		snprintf(dir, sizeof(dir), "secret/%s", gd);
		if (pol && strcmp(pol, "each-test") == 0) {
			if (!same)
				im_say(ip->rep, "NOT CARRIED OVER",
				       "group %s: tests worth different points "
				       "(each gets %g)",
				       name, each);
			snprintf(buf, sizeof(buf),
			         "on_reject: continue\naccept_score: %g\n"
			         "grader_flags: sum\n",
			         each < 0 ? 0 : each);
		} else {
			snprintf(buf, sizeof(buf),
			         "accept_score: %s\ngrader_flags: min\n",
			         pts ? pts : "0");
		}
		r = im_testdata(ip, dir, buf);
	}
	return r;
}

static int im_tests(struct im_poly *ip)
{
	const struct xn *judging = xn_get(ip->root, "judging"), *ts = NULL;
	const struct xn *tests;
	const char *tl, *ml;
	int r = 0;

	for (size_t i = 0; judging && i < judging->nkids && !ts; i++)
		if (strcmp(judging->kids[i]->name, "testset") == 0)
			ts = judging->kids[i];
	if (!ts)
		return -ENOENT;
	if (judging->nkids > 1)
		im_say(ip->rep, "NOT CARRIED OVER",
		       "testsets other than \"%s\"",
		       xn_attr(ts, "name") ? xn_attr(ts, "name") : "?");
	tl = xn_text(ts, "time-limit");
	ml = xn_text(ts, "memory-limit");
	fprintf(ip->y, "limits:\n  time_limit: %g\n  memory: %llu\n",
	        tl ? strtod(tl, NULL) / 1000.0 : 1.0,
	        ml ? (strtoull(ml, NULL, 10) + (1u << 20) - 1) >> 20 : 256ull);
	tests = xn_get(ts, "tests");
	for (size_t i = 0;
	     r == 0 && tests && i < tests->nkids && i < IM_TESTS_MAX; i++)
		r = im_test(ip, ts, (unsigned)i + 1, tests->kids[i]);
	return r == 0 ? im_points(ip, ts) : r;
}

/* Copy a package file to dest/dir/ under its base name. */
static int im_copy_into(struct im_poly *ip, const char *rel, const char *dir)
{
	char from[PATH_MAX], to[PATH_MAX];
	const char *base = strrchr(rel, '/');
	int r;

	if (strstr(rel, ".."))
		return -EINVAL;
	if ((r = im_mkdirs(ip->dest, dir)) < 0)
		return r;
	snprintf(from, sizeof(from), "%s/%s", ip->src, rel);
	if (!im_inside(ip, from))
		return -EPERM;
	snprintf(to, sizeof(to), "%s/%s/%s", ip->dest, dir,
	         base ? base + 1 : rel);
	return im_copy(from, to);
}

/* The checker: a standard testlib one becomes default-validator flags. */
static int im_checker(struct im_poly *ip)
{
	static const struct {
		const char *name, *flags, *note;
	} std[] = {
	        {"std::wcmp.cpp", "case_sensitive", NULL},
	        {"std::ncmp.cpp", "case_sensitive", NULL},
	        {"std::icmp.cpp", "case_sensitive", NULL},
	        {"std::hcmp.cpp", "case_sensitive", NULL},
	        {"std::yesno.cpp", "", NULL},
	        {"std::nyesno.cpp", "", NULL},
	        {"std::rcmp4.cpp", "float_tolerance 1e-4", NULL},
	        {"std::rcmp6.cpp", "float_tolerance 1e-6", NULL},
	        {"std::rcmp9.cpp", "float_tolerance 1e-9", NULL},
	        {"std::lcmp.cpp", "case_sensitive",
	         "std::lcmp compares lines; the default validator compares "
	         "tokens"},
	        {"std::fcmp.cpp", "case_sensitive space_change_sensitive",
	         NULL},
	};
	const struct xn *c = xn_get(ip->root, "assets/checker");
	const char *name = xn_attr(c, "name");
	const struct xn *src = xn_get(c, "source");
	const char *path = xn_attr(src, "path");
	char tl[PATH_MAX];

	if (!c)
		return 0;
	for (size_t i = 0; name && i < sizeof(std) / sizeof(std[0]); i++) {
		if (strcmp(name, std[i].name) != 0)
			continue;
		snprintf(ip->flags, sizeof(ip->flags), "%s", std[i].flags);
		if (std[i].note)
			im_say(ip->rep, "NOTE", "%s", std[i].note);
		return 0;
	}
	if (!path)
		return 0;
	ip->custom = 1;
	if (im_copy_into(ip, path, "output_validators/checker") < 0)
		im_say(ip->rep, "NOT CARRIED OVER", "checker %s: unreadable",
		       path);
	snprintf(tl, sizeof(tl), "%s/files/testlib.h", ip->src);
	if (access(tl, R_OK) == 0)
		im_copy_into(ip, "files/testlib.h",
		             "output_validators/checker");
	im_say(ip->rep, "NOT CARRIED OVER",
	       "checker %s is a testlib checker (exit 0/1/2/7, points in "
	       "its output): copied to output_validators/checker/, but it "
	       "needs the testlib validator protocol; as a Kattis validator "
	       "(exit 42/43) every test is an Internal Error",
	       name ? name : path);
	return 0;
}

static void im_interactor(struct im_poly *ip)
{
	const struct xn *i = xn_get(ip->root, "assets/interactor");
	const char *path = xn_attr(xn_get(i, "source"), "path");

	if (!i)
		return;
	ip->custom = 2;
	if (path)
		im_copy_into(ip, path, "interactor");
	im_say(ip->rep, "NOT CARRIED OVER",
	       "the interactor (copied to interactor/): interactive problems "
	       "are not judged yet (validation: custom interactive gives an "
	       "Internal Error)");
}

static void im_append(const struct im_poly *ip, FILE *out, const char *rel,
                      const char *head)
{
	char p[PATH_MAX], *t;

	snprintf(p, sizeof(p), "%s/%s", ip->src, rel);
	t = im_inside(ip, p) ? im_read(p, IM_TEXT_MAX, NULL) : NULL;
	if (!t)
		return;
	if (head)
		fprintf(out, "\n\\section*{%s}\n\n", head);
	fputs(t, out);
	free(t);
}

/* statement-sections/english/{legend,input,output,notes}.tex, else
 * statements/english/problem.tex, as statement/problem.en.tex. */
static void im_statement(struct im_poly *ip)
{
	char p[PATH_MAX], *text = NULL;
	size_t len = 0;
	FILE *out;

	if (im_mkdirs(ip->dest, "statement") < 0)
		return;
	out = open_memstream(&text, &len);
	if (!out)
		return;
	if (im_exists(ip->src, "statement-sections/english/legend.tex")) {
		im_append(ip, out, "statement-sections/english/legend.tex",
		          NULL);
		im_append(ip, out, "statement-sections/english/input.tex",
		          "Input");
		im_append(ip, out, "statement-sections/english/output.tex",
		          "Output");
		im_append(ip, out, "statement-sections/english/notes.tex",
		          "Notes");
	} else {
		im_append(ip, out, "statements/english/problem.tex", NULL);
	}
	fclose(out);
	if (len) {
		snprintf(p, sizeof(p), "%s/statement/problem.en.tex", ip->dest);
		ac_write_file(p, text, len, 0644);
		im_say(ip->rep, "NOTE",
		       "the statement is LaTeX (statement/problem.en.tex), "
		       "served as is");
	} else {
		im_say(ip->rep, "NOT CARRIED OVER",
		       "no English statement found");
	}
	free(text);
}

static void im_solutions(struct im_poly *ip)
{
	static const struct {
		const char *tag, *kind;
	} kinds[] = {
	        {"main", "accepted"},
	        {"accepted", "accepted"},
	        {"wrong-answer", "wrong_answer"},
	        {"time-limit-exceeded", "time_limit_exceeded"},
	        {"memory-limit-exceeded", "memory_limit_exceeded"},
	};
	const struct xn *s = xn_get(ip->root, "assets/solutions");

	for (size_t i = 0; s && i < s->nkids; i++) {
		const char *tag = xn_attr(s->kids[i], "tag");
		const char *path =
		        xn_attr(xn_get(s->kids[i], "source"), "path");
		const char *kind = NULL;
		char dir[64];

		for (size_t k = 0; tag && k < sizeof(kinds) / sizeof(kinds[0]);
		     k++)
			if (strcmp(tag, kinds[k].tag) == 0)
				kind = kinds[k].kind;
		if (!path)
			continue;
		if (!kind) {
			im_say(ip->rep, "NOT CARRIED OVER",
			       "solution %s: tag \"%s\" has no submissions/ "
			       "kind",
			       path, tag ? tag : "");
			continue;
		}
		snprintf(dir, sizeof(dir), "submissions/%s", kind);
		if (im_copy_into(ip, path, dir) < 0)
			im_say(ip->rep, "NOT CARRIED OVER",
			       "solution %s: unreadable", path);
	}
}

static int im_polygon(const char *src, const char *dest, FILE *rep)
{
	struct im_poly ip = {.src = src, .dest = dest, .rep = rep};
	char p[PATH_MAX], *yaml = NULL;
	size_t ylen = 0;
	int r;

	if (!realpath(src, ip.srcreal))
		return -errno;
	snprintf(p, sizeof(p), "%s/problem.xml", src);
	ip.root = xn_load(p);
	if (!ip.root || strcmp(ip.root->name, "problem") != 0) {
		xn_free((struct xn *)ip.root);
		return -EINVAL;
	}
	if (mkdir(dest, 0755) < 0) {
		r = -errno;
		goto out;
	}
	ip.y = open_memstream(&yaml, &ylen);
	if (!ip.y) {
		r = -ENOMEM;
		goto out;
	}
	fprintf(ip.y, "# imported from a Polygon package by algocode problem "
	              "import\n");
	im_names(&ip);
	r = im_tests(&ip);
	if (r == -ENOENT)
		im_say(rep, "NOT CARRIED OVER", "problem.xml has no testset");
	if (r == 0 || r == -ENOENT)
		r = im_checker(&ip);
	im_interactor(&ip);
	im_statement(&ip);
	im_solutions(&ip);
	if (ip.scoring)
		fprintf(ip.y, "type: scoring\n");
	fprintf(ip.y, "validation: %s\n",
	        ip.custom == 2   ? "custom interactive"
	        : ip.custom == 1 ? "custom"
	                         : "default");
	if (!ip.custom && ip.flags[0])
		fprintf(ip.y, "validator_flags: %s\n", ip.flags);
	fclose(ip.y);
	if (ip.custom == 2 && !im_exists(dest, "output_validators"))
		im_mkdirs(dest, "output_validators/interactor"),
		        snprintf(p, sizeof(p),
		                 "%s/output_validators/interactor/README",
		                 dest),
		        ac_write_file(p, "the interactor is in interactor/\n",
		                      33, 0644);
	snprintf(p, sizeof(p), "%s/problem.yaml", dest);
	if (r == 0)
		r = ac_write_file(p, yaml, ylen, 0644);
	for (size_t i = 0; i < 4; i++) {
		static const char *const unused[] = {"files", "generators",
		                                     "validators", "scripts"};

		if (im_exists(src, unused[i]))
			im_say(rep, "NOTE", "%s/: not used by Algocode",
			       unused[i]);
	}
out:
	free(yaml);
	xn_free((struct xn *)ip.root);
	return r;
}

/* ------------------------------------------------------------ import */

/* Where the package is: dir itself, or its only subdirectory. */
static int im_root(const char *dir, char *out, size_t len)
{
	DIR *d;
	struct dirent *e;
	int n = 0;

	if (im_exists(dir, "problem.yaml") || im_exists(dir, "problem.xml")) {
		snprintf(out, len, "%s", dir);
		return 0;
	}
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		char sub[PATH_MAX];

		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
		if (im_exists(sub, "problem.yaml") ||
		    im_exists(sub, "problem.xml")) {
			snprintf(out, len, "%s", sub);
			n++;
		}
	}
	closedir(d);
	return n == 1 ? 0 : -ENOENT;
}

int ac_import(const char *src, const char *dest, FILE *report, char *err,
              size_t errlen)
{
	char tmp[] = "/tmp/algocode-import.XXXXXX", root[PATH_MAX];
	struct ac_problem *p = NULL;
	struct stat st;
	bool unpacked = false;
	int r;

	if (lstat(dest, &st) == 0) {
		snprintf(err, errlen, "%s: already exists", dest);
		return -EEXIST;
	}
	if (stat(src, &st) < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", src, strerror(errno));
		return r;
	}
	if (S_ISREG(st.st_mode)) {
		const char *argv[] = {
		        "/usr/bin/unzip", "-qq", src, "-d", tmp, NULL};

		if (!mkdtemp(tmp)) {
			snprintf(err, errlen, "mkdtemp: %s", strerror(errno));
			return -errno;
		}
		unpacked = true;
		r = im_run(argv);
		if (r < 0) {
			snprintf(
			        err, errlen,
			        "%s: unzip failed (is it a zip archive, and is "
			        "/usr/bin/unzip installed?)",
			        src);
			goto out;
		}
	}
	r = im_root(unpacked ? tmp : src, root, sizeof(root));
	if (r < 0) {
		snprintf(err, errlen,
		         "%s: neither problem.yaml (Kattis/ICPC) nor "
		         "problem.xml "
		         "(Polygon) at the top or one directory down",
		         src);
		goto out;
	}
	if (im_exists(root, "problem.yaml")) {
		const char *argv[] = {"/bin/cp", "-R", root, dest, NULL};

		fprintf(report, "FORMAT: Kattis/ICPC problem package\n");
		r = im_run(argv);
	} else {
		fprintf(report, "FORMAT: Polygon package (problem.xml)\n");
		r = im_polygon(root, dest, report);
	}
	if (r < 0) {
		snprintf(err, errlen, "%s: cannot import: %s", src,
		         strerror(-r));
		goto out;
	}
	r = ac_problem_load(dest, &p, err, errlen);
	if (r < 0)
		fprintf(report,
		        "NOT CARRIED OVER: Algocode refuses the result: "
		        "%s\n",
		        err);
	else
		fprintf(report, "LOADED: %s, %zu tests (%zu samples)\n", p->id,
		        p->ntests, p->nsamples);
	ac_problem_free(p);
out:
	if (unpacked) {
		const char *argv[] = {"/bin/rm", "-rf", tmp, NULL};

		im_run(argv);
	}
	return r;
}
