/* Problem packages: the ICPC/Kattis problem package format, the subset in
 * docs/problem-format.md.
 *
 * A package is untrusted input: every file is resolved with realpath() and
 * must stay inside the package directory and be a regular file; files are
 * size-bounded where they are read into memory (problem.yaml, .timelimit,
 * the statement); directories are listed in strcmp order, never in readdir
 * order, so the test order and the content hash do not depend on the file
 * system.
 */
#include "problem.h"

#include "log.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#define PB_YAML_MAX      (1u << 20) /* problem.yaml */
#define PB_STATEMENT_MAX (4u << 20) /* the statement */
#define PB_TIMELIMIT_MAX 64         /* .timelimit */
#define PB_DIR_MAX       100000     /* entries in one directory */
#define PB_TESTS_MAX     10000      /* tests in one package */
#define PB_TAGS_MAX      64
#define PB_DEPTH_MAX     4 /* nested test groups / validator subdirectories */
#define PB_TIME_MAX      3600.0     /* seconds */
#define PB_MEMORY_MAX    (1u << 20) /* MiB (1 TiB) */

#define PB_DEFAULT_TIME   1.0
#define PB_DEFAULT_MEMORY 256
#define PB_DEFAULT_OUTPUT 64

/* The state of one load. */
struct pb {
	char *root; /* realpath of the package */
	size_t rootlen;
	char *err;
	size_t errlen;
	struct ac_problem *p;
	size_t tests_cap;
	char *flags; /* validator_flags as written, until validation is known */
	int has_time; /* limits.time_limit was given */
};

static void pb_err(struct pb *b, const char *rel, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* "<root>/<rel>: <message>" into b->err. */
static void pb_err(struct pb *b, const char *rel, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!b->err || b->errlen == 0)
		return;
	if (rel && *rel)
		n = snprintf(b->err, b->errlen, "%s/%s: ", b->root, rel);
	else
		n = snprintf(b->err, b->errlen, "%s: ", b->root);
	if (n < 0 || (size_t)n >= b->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(b->err + n, b->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static char *pb_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 2);

	if (!s)
		return NULL;
	memcpy(s, a, la);
	s[la] = '/';
	memcpy(s + la + 1, b, lb + 1);
	return s;
}

/* Resolve rel (relative to the package) to an absolute path inside the
 * package.  Returns 0 with *abs (malloc'ed) and *st, -ENOENT when the path
 * does not exist (no message), or another negative errno with a message:
 * a symlink that leaves the package, a resolution failure. */
static int pb_resolve(struct pb *b, const char *rel, char **abs,
                      struct stat *st)
{
	char *path = pb_join(b->root, rel), *real = NULL;
	struct stat lst;
	int ret = 0;

	*abs = NULL;
	if (!path)
		return -ENOMEM;
	if (lstat(path, &lst) < 0) {
		ret = -errno;
		if (ret != -ENOENT)
			pb_err(b, rel, "%s", strerror(errno));
		goto out;
	}
	real = realpath(path, NULL);
	if (!real) {
		ret = -errno;
		pb_err(b, rel, "cannot resolve: %s", strerror(errno));
		goto out;
	}
	if (strncmp(real, b->root, b->rootlen) != 0 ||
	    (real[b->rootlen] != '/' && real[b->rootlen] != '\0')) {
		ret = -EPERM;
		pb_err(b, rel, "symlink points outside the package (to %s)",
		       real);
		goto out;
	}
	if (stat(real, st) < 0) {
		ret = -errno;
		pb_err(b, rel, "%s", strerror(errno));
		goto out;
	}
	*abs = real;
	real = NULL;
out:
	free(real);
	free(path);
	return ret;
}

/* Like pb_resolve, and the result must be a regular file. */
static int pb_file(struct pb *b, const char *rel, char **abs, struct stat *st)
{
	int ret = pb_resolve(b, rel, abs, st);

	if (ret < 0)
		return ret;
	if (!S_ISREG(st->st_mode)) {
		pb_err(b, rel, "not a regular file");
		free(*abs);
		*abs = NULL;
		return -EINVAL;
	}
	return 0;
}

/* Read a whole regular file of at most max bytes; NUL-terminated. */
static int pb_read(struct pb *b, const char *rel, size_t max, char **data,
                   size_t *len)
{
	struct stat st;
	char *abs = NULL, *buf = NULL;
	size_t n = 0;
	int fd = -1, ret;

	*data = NULL;
	ret = pb_file(b, rel, &abs, &st);
	if (ret < 0)
		return ret;
	if ((uint64_t)st.st_size > max) {
		pb_err(b, rel, "too large (%lld bytes, at most %zu)",
		       (long long)st.st_size, max);
		ret = -EFBIG;
		goto out;
	}
	fd = open(abs, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		ret = -errno;
		pb_err(b, rel, "%s", strerror(errno));
		goto out;
	}
	buf = malloc(max + 1);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, max + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			pb_err(b, rel, "%s", strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			pb_err(b, rel, "too large (more than %zu bytes)", max);
			ret = -EFBIG;
			goto out;
		}
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	buf = NULL;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	free(abs);
	return ret;
}

static int pb_strcmp_cb(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void pb_names_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The entries of a directory (absolute path), without "." names, in
 * strcmp order. */
static int pb_list(struct pb *b, const char *abs, const char *rel, char ***out,
                   size_t *nout)
{
	DIR *d = opendir(abs);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int ret = 0;

	*out = NULL;
	*nout = 0;
	if (!d) {
		ret = -errno;
		if (b)
			pb_err(b, rel, "%s", strerror(errno));
		return ret;
	}
	while ((errno = 0, e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == PB_DIR_MAX) {
			if (b)
				pb_err(b, rel, "more than %d entries",
				       PB_DIR_MAX);
			ret = -E2BIG;
			goto out;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **nn = realloc(names, ncap * sizeof(*nn));

			if (!nn) {
				ret = -ENOMEM;
				goto out;
			}
			names = nn;
			cap = ncap;
		}
		names[n] = strdup(e->d_name);
		if (!names[n]) {
			ret = -ENOMEM;
			goto out;
		}
		n++;
	}
	if (errno) {
		ret = -errno;
		if (b)
			pb_err(b, rel, "%s", strerror(errno));
		goto out;
	}
	if (n)
		qsort(names, n, sizeof(*names), pb_strcmp_cb);
	*out = names;
	*nout = n;
	names = NULL;
	n = 0;
out:
	pb_names_free(names, n);
	closedir(d);
	return ret;
}

/* ------------------------------------------------ problem.yaml */

static yaml_node_t *pb_map_get(yaml_document_t *doc, yaml_node_t *map,
                               const char *key)
{
	yaml_node_pair_t *pair;

	for (pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(doc, pair->key);

		if (k && k->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, key) == 0)
			return yaml_document_get_node(doc, pair->value);
	}
	return NULL;
}

static const char *pb_scalar(yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static void pb_yaml_err(struct pb *b, yaml_node_t *n, const char *key,
                        const char *what)
{
	if (n)
		pb_err(b, "problem.yaml", "line %lu: %s: %s",
		       (unsigned long)n->start_mark.line + 1, key, what);
	else
		pb_err(b, "problem.yaml", "%s: %s", key, what);
}

/* A scalar string value; -EINVAL with a message on another type. */
static int pb_yaml_string(struct pb *b, yaml_node_t *n, const char *key,
                          char **out)
{
	if (n->type != YAML_SCALAR_NODE) {
		pb_yaml_err(b, n, key, "must be a string");
		return -EINVAL;
	}
	free(*out);
	*out = strdup(pb_scalar(n));
	return *out ? 0 : -ENOMEM;
}

/* A time limit in seconds: positive, finite, at most PB_TIME_MAX. */
static int pb_parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	while (isspace((unsigned char)*s))
		s++;
	errno = 0;
	v = strtod(s, &end);
	if (end == s)
		return -EINVAL;
	while (isspace((unsigned char)*end))
		end++;
	if (*end || errno == ERANGE || !isfinite(v) || v <= 0 ||
	    v > PB_TIME_MAX)
		return -EINVAL;
	*out = v;
	return 0;
}

/* A size in MiB: a positive integer, at most PB_MEMORY_MAX. */
static int pb_parse_mib(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end || errno == ERANGE || v == 0 || v > PB_MEMORY_MAX)
		return -EINVAL;
	*out = v;
	return 0;
}

/* "line 3: limits.memory: "lots" is not a positive integer (MiB)" */
static void pb_yaml_bad(struct pb *b, yaml_node_t *v, const char *key,
                        const char *what)
{
	char buf[160];

	if (v->type == YAML_SCALAR_NODE)
		snprintf(buf, sizeof(buf), "\"%.60s\" is not %s", pb_scalar(v),
		         what);
	else
		snprintf(buf, sizeof(buf), "must be %s", what);
	pb_yaml_err(b, v, key, buf);
}

static int pb_yaml_limits(struct pb *b, yaml_document_t *doc, yaml_node_t *n)
{
	struct ac_problem *p = b->p;
	yaml_node_t *v;

	if (n->type != YAML_MAPPING_NODE) {
		pb_yaml_err(b, n, "limits", "must be a mapping");
		return -EINVAL;
	}
	v = pb_map_get(doc, n, "time_limit");
	if (v) {
		if (v->type != YAML_SCALAR_NODE ||
		    pb_parse_seconds(pb_scalar(v), &p->time_limit_s) < 0) {
			pb_yaml_bad(b, v, "limits.time_limit",
			            "a positive number of seconds (at most "
			            "3600)");
			return -EINVAL;
		}
		b->has_time = 1;
	}
	v = pb_map_get(doc, n, "memory");
	if (v && (v->type != YAML_SCALAR_NODE ||
	          pb_parse_mib(pb_scalar(v), &p->memory_mb) < 0)) {
		pb_yaml_bad(b, v, "limits.memory", "a positive integer (MiB)");
		return -EINVAL;
	}
	v = pb_map_get(doc, n, "output");
	if (v && (v->type != YAML_SCALAR_NODE ||
	          pb_parse_mib(pb_scalar(v), &p->output_mb) < 0)) {
		pb_yaml_bad(b, v, "limits.output", "a positive integer (MiB)");
		return -EINVAL;
	}
	return 0;
}

static int pb_add_tag(struct ac_problem *p, const char *s, size_t len)
{
	char **nt;

	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (!len || p->ntags >= PB_TAGS_MAX)
		return 0;
	nt = realloc(p->tags, (p->ntags + 1) * sizeof(*nt));
	if (!nt)
		return -ENOMEM;
	p->tags = nt;
	p->tags[p->ntags] = strndup(s, len);
	if (!p->tags[p->ntags])
		return -ENOMEM;
	p->ntags++;
	return 0;
}

static int pb_yaml_tags(struct pb *b, yaml_document_t *doc, yaml_node_t *n)
{
	yaml_node_item_t *it;
	int ret;

	if (n->type == YAML_SCALAR_NODE) {
		const char *s = pb_scalar(n), *c;

		for (;;) {
			c = strchr(s, ',');
			ret = pb_add_tag(b->p, s,
			                 c ? (size_t)(c - s) : strlen(s));
			if (ret < 0 || !c)
				return ret;
			s = c + 1;
		}
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		pb_yaml_err(b, n, "tags",
		            "must be a list or a comma-separated string");
		return -EINVAL;
	}
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		yaml_node_t *t = yaml_document_get_node(doc, *it);

		if (!t || t->type != YAML_SCALAR_NODE) {
			pb_yaml_err(b, t ? t : n, "tags",
			            "every tag must be a string");
			return -EINVAL;
		}
		ret = pb_add_tag(b->p, pb_scalar(t), strlen(pb_scalar(t)));
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* name: a string, or a map of language -> name (the newer format): the
 * "en" entry, else the first one. */
static int pb_yaml_name(struct pb *b, yaml_document_t *doc, yaml_node_t *n)
{
	yaml_node_t *v;

	if (n->type == YAML_MAPPING_NODE) {
		v = pb_map_get(doc, n, "en");
		if (!v &&
		    n->data.mapping.pairs.start < n->data.mapping.pairs.top)
			v = yaml_document_get_node(
			        doc, n->data.mapping.pairs.start->value);
		if (!v)
			return 0;
		n = v;
	}
	return pb_yaml_string(b, n, "name", &b->p->name);
}

/* One word of 2023-07 `type:` into type_flags; -EINVAL when unknown. */
static int pb_type_word(struct ac_problem *p, const char *w)
{
	if (strcmp(w, "pass-fail") == 0)
		return 0;
	if (strcmp(w, "scoring") == 0)
		p->type_flags |= AC_PROBLEM_SCORING;
	else if (strcmp(w, "interactive") == 0)
		p->type_flags |= AC_PROBLEM_INTERACTIVE;
	else if (strcmp(w, "multi-pass") == 0)
		p->type_flags |= AC_PROBLEM_MULTIPASS;
	else if (strcmp(w, "submit-answer") == 0)
		p->type_flags |= AC_PROBLEM_SUBMIT_ANSWER;
	else
		return -EINVAL;
	return 0;
}

/* Words separated by blanks ("custom interactive", "interactive
 * multi-pass") through fn; -EINVAL at the first unknown one. */
static int pb_words(struct ac_problem *p, const char *s,
                    int (*fn)(struct ac_problem *, const char *))
{
	char w[64];

	while (*s) {
		size_t n = strcspn(s, " \t");

		if (n >= sizeof(w))
			return -EINVAL;
		memcpy(w, s, n);
		w[n] = '\0';
		if (n && fn(p, w) < 0)
			return -EINVAL;
		s += n;
		s += strspn(s, " \t");
	}
	return 0;
}

/* Legacy `validation:` words (scoring is not judged here). */
static int pb_validation_word(struct ac_problem *p, const char *w)
{
	if (strcmp(w, "default") == 0)
		return 0;
	if (strcmp(w, "custom") == 0) {
		p->validation = AC_VALIDATION_CUSTOM;
		return 0;
	}
	if (strcmp(w, "interactive") == 0 || strcmp(w, "multi-pass") == 0)
		return pb_type_word(p, w);
	return -EINVAL;
}

/* `type:` (2023-07): a string or a sequence of words. */
static int pb_yaml_type(struct pb *b, yaml_document_t *doc, yaml_node_t *v)
{
	static const char *const want =
	        "pass-fail, scoring, interactive, multi-pass or submit-answer "
	        "(a string or a list)";

	if (v->type == YAML_SCALAR_NODE) {
		if (pb_words(b->p, pb_scalar(v), pb_type_word) == 0)
			return 0;
	} else if (v->type == YAML_SEQUENCE_NODE) {
		yaml_node_item_t *it;

		for (it = v->data.sequence.items.start;
		     it < v->data.sequence.items.top; it++) {
			yaml_node_t *e = yaml_document_get_node(doc, *it);

			if (!e || e->type != YAML_SCALAR_NODE ||
			    pb_type_word(b->p, pb_scalar(e)) < 0)
				break;
		}
		if (it == v->data.sequence.items.top)
			return 0;
	}
	pb_yaml_bad(b, v, "type", want);
	return -EINVAL;
}

/* `limits.validation_passes`: 2..AC_PROBLEM_PASSES_MAX. */
static int pb_yaml_passes(struct pb *b, yaml_document_t *doc, yaml_node_t *root)
{
	yaml_node_t *l = pb_map_get(doc, root, "limits"), *v;
	char *end;
	unsigned long n;

	if (!l || l->type != YAML_MAPPING_NODE ||
	    !(v = pb_map_get(doc, l, "validation_passes")))
		return 0;
	errno = 0;
	n = v->type == YAML_SCALAR_NODE ? strtoul(pb_scalar(v), &end, 10) : 0;
	if (v->type != YAML_SCALAR_NODE || errno || *end || n < 2 ||
	    n > AC_PROBLEM_PASSES_MAX) {
		pb_yaml_bad(b, v, "limits.validation_passes",
		            "an integer from 2 to 100");
		return -EINVAL;
	}
	b->p->validation_passes = (unsigned)n;
	return 0;
}

/* The problem's kind: legacy `validation:` ("custom interactive",
 * "custom multi-pass"...), 2023-07 `type:`, `validator_protocol:` and
 * `limits.validation_passes` (docs/problem-format.md). */
static int pb_yaml_kind(struct pb *b, yaml_document_t *doc, yaml_node_t *root)
{
	struct ac_problem *p = b->p;
	yaml_node_t *v;
	char *s = NULL;
	int ret = 0;

	p->validation_passes = AC_PROBLEM_PASSES_DEFAULT;
	if ((v = pb_map_get(doc, root, "validation"))) {
		if ((ret = pb_yaml_string(b, v, "validation", &s)) < 0)
			return ret;
		if (pb_words(p, s, pb_validation_word) < 0 ||
		    (p->validation == AC_VALIDATION_DEFAULT &&
		     (p->type_flags &
		      (AC_PROBLEM_INTERACTIVE | AC_PROBLEM_MULTIPASS)))) {
			pb_yaml_bad(b, v, "validation",
			            "default, custom, custom interactive, "
			            "custom multi-pass or custom interactive "
			            "multi-pass");
			ret = -EINVAL;
		}
		free(s);
		s = NULL;
	}
	if (ret == 0 && (v = pb_map_get(doc, root, "type")))
		ret = pb_yaml_type(b, doc, v);
	if (ret == 0 && (v = pb_map_get(doc, root, "validator_protocol"))) {
		if ((ret = pb_yaml_string(b, v, "validator_protocol", &s)) < 0)
			return ret;
		if (strcmp(s, "kattis") == 0) {
			p->validator_protocol = AC_PROTO_KATTIS;
		} else if (strcmp(s, "testlib") == 0) {
			p->validator_protocol = AC_PROTO_TESTLIB;
		} else {
			pb_yaml_bad(b, v, "validator_protocol",
			            "kattis or testlib");
			ret = -EINVAL;
		}
		free(s);
	}
	if (ret == 0)
		ret = pb_yaml_passes(b, doc, root);
	/* Interactive and multi-pass problems need the custom validator. */
	if (p->type_flags & (AC_PROBLEM_INTERACTIVE | AC_PROBLEM_MULTIPASS))
		p->validation = (p->type_flags & AC_PROBLEM_INTERACTIVE)
		                        ? AC_VALIDATION_CUSTOM_INTERACTIVE
		                        : AC_VALIDATION_CUSTOM;
	return ret;
}

static int pb_yaml_root(struct pb *b, yaml_document_t *doc, yaml_node_t *root)
{
	struct ac_problem *p = b->p;
	yaml_node_t *v;
	int ret = 0;

	if (root->type != YAML_MAPPING_NODE) {
		pb_yaml_err(b, root, "top level", "must be a mapping");
		return -EINVAL;
	}
	if ((v = pb_map_get(doc, root, "name")) &&
	    (ret = pb_yaml_name(b, doc, v)) < 0)
		return ret;
	if ((v = pb_map_get(doc, root, "uuid")) &&
	    (ret = pb_yaml_string(b, v, "uuid", &p->uuid)) < 0)
		return ret;
	if ((v = pb_map_get(doc, root, "difficulty")) &&
	    (ret = pb_yaml_string(b, v, "difficulty", &p->difficulty)) < 0)
		return ret;
	if ((v = pb_map_get(doc, root, "validator_flags")) &&
	    (ret = pb_yaml_string(b, v, "validator_flags", &b->flags)) < 0)
		return ret;
	if ((v = pb_map_get(doc, root, "limits")) &&
	    (ret = pb_yaml_limits(b, doc, v)) < 0)
		return ret;
	if ((v = pb_map_get(doc, root, "tags")) &&
	    (ret = pb_yaml_tags(b, doc, v)) < 0)
		return ret;
	return pb_yaml_kind(b, doc, root);
}

static int pb_yaml(struct pb *b)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	char *data = NULL;
	size_t len = 0;
	int ret, have_doc = 0;

	ret = pb_read(b, "problem.yaml", PB_YAML_MAX, &data, &len);
	if (ret == -ENOENT) {
		pb_err(b, "problem.yaml", "missing");
		return ret;
	}
	if (ret < 0)
		return ret;
	if (!yaml_parser_initialize(&parser)) {
		free(data);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	if (!yaml_parser_load(&parser, &doc)) {
		pb_err(b, "problem.yaml", "line %lu: YAML error: %s%s%s",
		       (unsigned long)parser.problem_mark.line + 1,
		       parser.problem ? parser.problem : "syntax error",
		       parser.context ? " " : "",
		       parser.context ? parser.context : "");
		ret = -EINVAL;
		goto out;
	}
	have_doc = 1;
	root = yaml_document_get_root_node(&doc);
	/* An empty problem.yaml means every default. */
	if (root &&
	    !(root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0))
		ret = pb_yaml_root(b, &doc, root);
out:
	if (have_doc)
		yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	free(data);
	return ret;
}

static int pb_timelimit(struct pb *b)
{
	char *data = NULL;
	size_t len;
	int ret;

	if (b->has_time)
		return 0;
	ret = pb_read(b, ".timelimit", PB_TIMELIMIT_MAX, &data, &len);
	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		return ret;
	if (pb_parse_seconds(data, &b->p->time_limit_s) < 0) {
		pb_err(b, ".timelimit",
		       "must be a positive number of seconds (at most 3600)");
		ret = -EINVAL;
	}
	free(data);
	return ret;
}

/* --------------------------------------------------- statement */

static int pb_statement(struct pb *b)
{
	static const char *const names[] = {
	        "statement/problem.en.md",  "problem_statement/problem.en.md",
	        "statement/problem.md",     "problem_statement/problem.md",
	        "statement/problem.en.tex", "problem_statement/problem.en.tex",
	};
	size_t i, len;
	int ret;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ret = pb_read(b, names[i], PB_STATEMENT_MAX, &b->p->statement,
		              &len);
		if (ret == 0)
			return 0;
		if (ret != -ENOENT)
			return ret;
	}
	b->p->statement = strdup("");
	return b->p->statement ? 0 : -ENOMEM;
}

/* ------------------------------------------------------- tests */

static int pb_add_test(struct pb *b, const char *name, char *in, char *ans,
                       bool sample)
{
	struct ac_problem *p = b->p;
	struct ac_test *t;

	if (p->ntests == PB_TESTS_MAX) {
		pb_err(b, "data", "more than %d tests", PB_TESTS_MAX);
		goto fail;
	}
	if (p->ntests == b->tests_cap) {
		size_t ncap = b->tests_cap ? b->tests_cap * 2 : 16;
		struct ac_test *nt = realloc(p->tests, ncap * sizeof(*nt));

		if (!nt)
			goto fail;
		p->tests = nt;
		b->tests_cap = ncap;
	}
	t = &p->tests[p->ntests];
	t->name = strdup(name);
	if (!t->name)
		goto fail;
	t->in_path = in;
	t->ans_path = ans;
	t->sample = sample;
	p->ntests++;
	if (sample)
		p->nsamples++;
	return 0;
fail:
	free(in);
	free(ans);
	return p->ntests == PB_TESTS_MAX ? -E2BIG : -ENOMEM;
}

/* One test: rel is "data/<group>/.../<name>.in"; its answer is the
 * ".ans" next to it. */
static int pb_test_file(struct pb *b, const char *rel, bool sample)
{
	size_t l = strlen(rel);
	char *in = NULL, *ans = NULL, *arel = NULL, *name = NULL;
	struct stat st;
	int ret;

	ret = pb_file(b, rel, &in, &st);
	if (ret < 0)
		goto out;
	arel = malloc(l + 2);
	name = strndup(rel + strlen("data/"), l - strlen("data/") - 3);
	if (!arel || !name) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(arel, rel, l - 3);
	strcpy(arel + l - 3, ".ans");
	ret = pb_file(b, arel, &ans, &st);
	if (ret == -ENOENT)
		pb_err(b, rel, "no matching answer file %s", arel);
	if (ret < 0)
		goto out;
	ret = pb_add_test(b, name, in, ans, sample);
	in = ans = NULL; /* owned by the test, or freed by pb_add_test */
out:
	free(in);
	free(ans);
	free(arel);
	free(name);
	return ret;
}

/* The tests below rel ("data/sample"): every *.in in strcmp order, real
 * subdirectories (test groups) recursed into at their place in that
 * order.  Other files (.ans, .desc, .png, ...) are skipped. */
static int pb_tests_dir(struct pb *b, const char *rel, bool sample, int depth)
{
	struct stat st;
	char *abs = NULL, **names = NULL;
	size_t n = 0, i;
	int ret;

	ret = pb_resolve(b, rel, &abs, &st);
	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		return ret;
	if (!S_ISDIR(st.st_mode)) {
		pb_err(b, rel, "not a directory");
		ret = -ENOTDIR;
		goto out;
	}
	ret = pb_list(b, abs, rel, &names, &n);
	if (ret < 0)
		goto out;
	for (i = 0; i < n && ret == 0; i++) {
		char *erel = pb_join(rel, names[i]);
		char *full = pb_join(abs, names[i]);
		size_t l = strlen(names[i]);
		struct stat lst;

		if (!erel || !full) {
			ret = -ENOMEM;
		} else if (lstat(full, &lst) < 0) {
			ret = -errno;
			pb_err(b, erel, "%s", strerror(errno));
		} else if (S_ISDIR(lst.st_mode)) {
			if (depth >= PB_DEPTH_MAX) {
				pb_err(b, erel,
				       "test groups nested deeper than %d",
				       PB_DEPTH_MAX);
				ret = -ELOOP;
			} else {
				ret = pb_tests_dir(b, erel, sample, depth + 1);
			}
		} else if (l > 3 && strcmp(names[i] + l - 3, ".in") == 0) {
			ret = pb_test_file(b, erel, sample);
		} else if (S_ISLNK(lst.st_mode) && stat(full, &st) == 0 &&
		           S_ISDIR(st.st_mode)) {
			pb_err(b, erel,
			       "a symlinked test group is not supported");
			ret = -ELOOP;
		}
		free(erel);
		free(full);
	}
out:
	pb_names_free(names, n);
	free(abs);
	return ret;
}

/* --------------------------------------------------- validator */

static int pb_validator(struct pb *b)
{
	struct ac_problem *p = b->p;
	struct stat st;
	char *abs = NULL, **names = NULL, *rel = NULL;
	size_t n = 0;
	int ret;

	if (p->validation == AC_VALIDATION_DEFAULT)
		return 0;
	ret = pb_resolve(b, "output_validators", &abs, &st);
	if (ret == -ENOENT) {
		/* The 2023 layout: output_validator/ is the program. */
		ret = pb_resolve(b, "output_validator", &abs, &st);
		if (ret == -ENOENT) {
			pb_err(b, "output_validators",
			       "missing: validation is custom, so "
			       "output_validators/ must hold the validator");
			return ret;
		}
		if (ret < 0)
			return ret;
		if (!S_ISDIR(st.st_mode)) {
			pb_err(b, "output_validator", "not a directory");
			ret = -ENOTDIR;
			goto out;
		}
		p->validator_dir = abs;
		abs = NULL;
		goto out;
	}
	if (ret < 0)
		return ret;
	if (!S_ISDIR(st.st_mode)) {
		pb_err(b, "output_validators", "not a directory");
		ret = -ENOTDIR;
		goto out;
	}
	ret = pb_list(b, abs, "output_validators", &names, &n);
	if (ret < 0)
		goto out;
	if (n != 1) {
		pb_err(b, "output_validators",
		       "must hold exactly one validator directory (found %zu "
		       "entries)",
		       n);
		ret = -EINVAL;
		goto out;
	}
	rel = pb_join("output_validators", names[0]);
	if (!rel) {
		ret = -ENOMEM;
		goto out;
	}
	free(abs);
	abs = NULL;
	ret = pb_resolve(b, rel, &abs, &st);
	if (ret == 0 && !S_ISDIR(st.st_mode)) {
		pb_err(b, rel,
		       "must be a directory holding the validator's "
		       "source");
		ret = -ENOTDIR;
	}
	if (ret < 0)
		goto out;
	p->validator_dir = abs;
	abs = NULL;
out:
	free(rel);
	pb_names_free(names, n);
	free(abs);
	return ret;
}

static int pb_add_input_validator(struct ac_problem *p, char *abs)
{
	char **n = realloc(p->input_validators,
	                   (p->ninput_validators + 1) * sizeof(*n));

	if (!n) {
		free(abs);
		return -ENOMEM;
	}
	p->input_validators = n;
	n[p->ninput_validators++] = abs;
	return 0;
}

/* input_validators/ (a directory per validator, or the validator's files
 * themselves) or the 2023 layout's input_validator/; none is fine. */
static int pb_input_validators(struct pb *b)
{
	const char *top = "input_validators";
	char *abs = NULL, **names = NULL, *rel;
	struct stat st;
	size_t n = 0;
	bool files = false;
	int ret = pb_resolve(b, top, &abs, &st);

	if (ret == -ENOENT) {
		top = "input_validator";
		ret = pb_resolve(b, top, &abs, &st);
	}
	if (ret == -ENOENT)
		return 0;
	if (ret == 0 && !S_ISDIR(st.st_mode)) {
		pb_err(b, top, "not a directory");
		ret = -ENOTDIR;
	}
	if (ret == 0 && strcmp(top, "input_validators") == 0)
		ret = pb_list(b, abs, top, &names, &n);
	for (size_t i = 0; ret == 0 && i < n; i++) {
		char *sub = NULL;

		if (!(rel = pb_join(top, names[i]))) {
			ret = -ENOMEM;
			break;
		}
		ret = pb_resolve(b, rel, &sub, &st);
		free(rel);
		if (ret == 0 && S_ISDIR(st.st_mode))
			ret = pb_add_input_validator(b->p, sub);
		else if (ret == 0)
			files = true, free(sub);
	}
	if (ret == 0 && (strcmp(top, "input_validator") == 0 || files)) {
		/* The directory is the program (2023), or holds its files. */
		ret = pb_add_input_validator(b->p, abs);
		abs = NULL;
	}
	pb_names_free(names, n);
	free(abs);
	return ret;
}

/* -------------------------------------------------------- hash */

/* Hash one item: its package-relative name, its size, its content. */
static int pb_hash_file(struct pb *b, crypto_hash_sha256_state *h,
                        const char *rel, const char *abs)
{
	unsigned char buf[65536];
	struct stat st;
	char head[64];
	int fd, ret = 0;

	fd = open(abs, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		ret = -errno;
		pb_err(b, rel, "%s", strerror(errno));
		return ret;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		pb_err(b, rel, "not a regular file");
		goto out;
	}
	crypto_hash_sha256_update(h, (const unsigned char *)rel,
	                          strlen(rel) + 1);
	snprintf(head, sizeof(head), "%lld", (long long)st.st_size);
	crypto_hash_sha256_update(h, (const unsigned char *)head,
	                          strlen(head) + 1);
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			pb_err(b, rel, "%s", strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		crypto_hash_sha256_update(h, buf, (size_t)r);
	}
out:
	close(fd);
	return ret;
}

/* Hash a package file given by its relative name, when it exists. */
static int pb_hash_rel(struct pb *b, crypto_hash_sha256_state *h,
                       const char *rel)
{
	struct stat st;
	char *abs = NULL;
	int ret = pb_file(b, rel, &abs, &st);

	if (ret == -ENOENT)
		return 0;
	if (ret == 0)
		ret = pb_hash_file(b, h, rel, abs);
	free(abs);
	return ret;
}

/* Every regular file below the validator directory, in strcmp order, named
 * relative to it ("validator/<path>"). */
static int pb_hash_tree(struct pb *b, crypto_hash_sha256_state *h,
                        const char *abs, const char *name, int depth)
{
	char **names = NULL;
	size_t n = 0, i;
	int ret;

	ret = pb_list(b, abs, name, &names, &n);
	for (i = 0; ret == 0 && i < n; i++) {
		char *full = pb_join(abs, names[i]);
		char *sub = pb_join(name, names[i]);
		char *real = NULL;
		struct stat st;

		if (!full || !sub) {
			ret = -ENOMEM;
			goto next;
		}
		real = realpath(full, NULL);
		if (!real || strncmp(real, b->root, b->rootlen) != 0 ||
		    (real[b->rootlen] != '/' && real[b->rootlen] != '\0')) {
			pb_err(b, sub, "%s",
			       real ? "symlink points outside the package"
			            : "cannot resolve");
			ret = -EPERM;
			goto next;
		}
		if (lstat(full, &st) < 0) {
			ret = -errno;
			pb_err(b, sub, "%s", strerror(errno));
			goto next;
		}
		if (S_ISDIR(st.st_mode)) {
			if (depth >= PB_DEPTH_MAX) {
				pb_err(b, sub, "nested deeper than %d",
				       PB_DEPTH_MAX);
				ret = -ELOOP;
			} else {
				ret = pb_hash_tree(b, h, full, sub, depth + 1);
			}
		} else if (stat(real, &st) == 0 && S_ISREG(st.st_mode)) {
			ret = pb_hash_file(b, h, sub, real);
		} else {
			pb_err(b, sub, "not a regular file or directory");
			ret = -EINVAL;
		}
	next:
		free(real);
		free(sub);
		free(full);
	}
	pb_names_free(names, n);
	return ret;
}

static int pb_hash(struct pb *b)
{
	static const char hex[] = "0123456789abcdef";
	struct ac_problem *p = b->p;
	crypto_hash_sha256_state h;
	unsigned char out[crypto_hash_sha256_BYTES];
	size_t i;
	int ret;

	crypto_hash_sha256_init(&h);
	ret = pb_hash_rel(b, &h, "problem.yaml");
	if (ret == 0)
		ret = pb_hash_rel(b, &h, ".timelimit");
	for (i = 0; ret == 0 && i < p->ntests; i++) {
		char *rel = pb_join("data", p->tests[i].name);
		char *in = rel ? malloc(strlen(rel) + 5) : NULL;

		if (!in) {
			ret = -ENOMEM;
		} else {
			sprintf(in, "%s.in", rel);
			ret = pb_hash_file(b, &h, in, p->tests[i].in_path);
			sprintf(in, "%s.ans", rel);
			if (ret == 0)
				ret = pb_hash_file(b, &h, in,
				                   p->tests[i].ans_path);
		}
		free(in);
		free(rel);
	}
	if (ret == 0 && p->validator_dir)
		ret = pb_hash_tree(b, &h, p->validator_dir, "validator", 0);
	if (ret < 0)
		return ret;
	crypto_hash_sha256_final(&h, out);
	for (i = 0; i < sizeof(out); i++) {
		p->hash[2 * i] = hex[out[i] >> 4];
		p->hash[2 * i + 1] = hex[out[i] & 15];
	}
	p->hash[2 * sizeof(out)] = '\0';
	return 0;
}

/* -------------------------------------------------------- load */

void ac_problem_free(struct ac_problem *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->ntests; i++) {
		free(p->tests[i].name);
		free(p->tests[i].in_path);
		free(p->tests[i].ans_path);
	}
	free(p->tests);
	for (i = 0; i < p->ntags; i++)
		free(p->tags[i]);
	free(p->tags);
	free(p->id);
	free(p->uuid);
	free(p->dir);
	free(p->name);
	free(p->validator_dir);
	for (i = 0; i < p->ninput_validators; i++)
		free(p->input_validators[i]);
	free(p->input_validators);
	free(p->statement);
	free(p->difficulty);
	free(p);
}

/* The id: the last component of the path as given (so a symlinked
 * package keeps the name it has in the problems directory), or of the
 * resolved path for "." and the like.  malloc'ed. */
static char *pb_id(const char *dir, const char *real)
{
	size_t len = strlen(dir), start;

	while (len > 1 && dir[len - 1] == '/')
		len--;
	start = len;
	while (start > 0 && dir[start - 1] != '/')
		start--;
	if (len == start || (len - start == 1 && dir[start] == '.') ||
	    (len - start == 2 && dir[start] == '.' && dir[start + 1] == '.') ||
	    dir[start] == '/') {
		const char *slash = strrchr(real, '/');

		return strdup(slash && slash[1] ? slash + 1 : real);
	}
	return strndup(dir + start, len - start);
}

int ac_problem_load(const char *dir, struct ac_problem **out, char *err,
                    size_t errlen)
{
	struct pb b = {.err = err, .errlen = errlen};
	struct ac_problem *p = NULL;
	struct stat st;
	char ferr[256];
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!dir || !out)
		return -EINVAL;
	*out = NULL;
	if (sodium_init() < 0) {
		if (err && errlen)
			snprintf(err, errlen, "libsodium failed to initialise");
		return -EIO;
	}
	b.root = realpath(dir, NULL);
	if (!b.root) {
		ret = -errno;
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return ret;
	}
	b.rootlen = strlen(b.root);
	if (stat(b.root, &st) < 0 || !S_ISDIR(st.st_mode)) {
		pb_err(&b, NULL, "not a directory");
		ret = -ENOTDIR;
		goto out;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		ret = -ENOMEM;
		goto out;
	}
	b.p = p;
	p->id = pb_id(dir, b.root);
	p->dir = strdup(b.root);
	if (!p->id || !p->dir) {
		ret = -ENOMEM;
		goto out;
	}
	p->time_limit_s = PB_DEFAULT_TIME;
	p->memory_mb = PB_DEFAULT_MEMORY;
	p->output_mb = PB_DEFAULT_OUTPUT;
	p->validation = AC_VALIDATION_DEFAULT;
	p->validation_passes = AC_PROBLEM_PASSES_DEFAULT;

	ret = pb_yaml(&b);
	if (ret == 0)
		ret = pb_timelimit(&b);
	if (ret < 0)
		goto out;
	if (!p->name && !(p->name = strdup(p->id))) {
		ret = -ENOMEM;
		goto out;
	}
	if (p->validation == AC_VALIDATION_DEFAULT && b.flags) {
		ret = ac_validator_flags_parse(b.flags, &p->flags, ferr,
		                               sizeof(ferr));
		if (ret < 0) {
			pb_err(&b, "problem.yaml", "validator_flags: %s", ferr);
			goto out;
		}
	}
	ret = pb_statement(&b);
	if (ret < 0)
		goto out;
	ret = pb_tests_dir(&b, "data/sample", true, 0);
	if (ret == 0)
		ret = pb_tests_dir(&b, "data/secret", false, 0);
	if (ret < 0)
		goto out;
	if (p->ntests == 0) {
		pb_err(&b, "data",
		       "no tests: neither data/sample/ nor data/secret/ holds "
		       "a .in file");
		ret = -ENOENT;
		goto out;
	}
	ret = pb_validator(&b);
	if (ret == 0)
		ret = pb_input_validators(&b);
	if (ret == 0)
		ret = pb_hash(&b);
	if (ret < 0)
		goto out;
	*out = p;
	p = NULL;
out:
	if (ret == -ENOMEM && err && errlen && !err[0])
		snprintf(err, errlen, "%s: out of memory", b.root);
	ac_problem_free(p);
	free(b.flags);
	free(b.root);
	return ret;
}

/* --------------------------------------------------------- set */

void ac_problem_set_free(struct ac_problem_set *set)
{
	size_t i;

	if (!set)
		return;
	for (i = 0; i < set->n; i++)
		ac_problem_free(set->items[i]);
	free(set->items);
	free(set);
}

static const struct ac_problem *pb_find_uuid(const struct ac_problem_set *set,
                                             const char *uuid)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (set->items[i]->uuid &&
		    strcmp(set->items[i]->uuid, uuid) == 0)
			return set->items[i];
	return NULL;
}

int ac_problem_set_load(const char *dir, struct ac_problem_set **out,
                        size_t *nerrors, char *err, size_t errlen)
{
	struct ac_problem_set *set = NULL;
	char **names = NULL, perr[1024];
	size_t n = 0, i, bad = 0;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (nerrors)
		*nerrors = 0;
	if (!dir || !out)
		return -EINVAL;
	*out = NULL;
	ret = pb_list(NULL, dir, NULL, &names, &n);
	if (ret < 0) {
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", dir, strerror(-ret));
		return ret;
	}
	set = calloc(1, sizeof(*set));
	if (!set || (n && !(set->items = calloc(n, sizeof(*set->items))))) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		char *path = pb_join(dir, names[i]);
		struct ac_problem *p = NULL;
		struct stat st;

		if (!path) {
			ret = -ENOMEM;
			goto out;
		}
		if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
			free(path); /* a README or the like */
			continue;
		}
		ret = ac_problem_load(path, &p, perr, sizeof(perr));
		free(path);
		if (ret == -ENOMEM)
			goto out;
		if (ret < 0) {
			log_warn("problem %s skipped: %s", names[i], perr);
			bad++;
			continue;
		}
		if (p->uuid && pb_find_uuid(set, p->uuid)) {
			log_warn("problem %s skipped: uuid %s is already used "
			         "by problem %s",
			         p->id, p->uuid,
			         pb_find_uuid(set, p->uuid)->id);
			ac_problem_free(p);
			bad++;
			continue;
		}
		set->items[set->n++] = p;
	}
	ret = 0;
	*out = set;
	set = NULL;
out:
	if (ret < 0 && err && errlen)
		snprintf(err, errlen, "%s: %s", dir, strerror(-ret));
	if (nerrors)
		*nerrors = bad;
	ac_problem_set_free(set);
	pb_names_free(names, n);
	return ret;
}

const struct ac_problem *ac_problem_find(const struct ac_problem_set *set,
                                         const char *id_or_uuid)
{
	size_t i;

	if (!set || !id_or_uuid)
		return NULL;
	for (i = 0; i < set->n; i++)
		if (strcmp(set->items[i]->id, id_or_uuid) == 0)
			return set->items[i];
	return pb_find_uuid(set, id_or_uuid);
}
