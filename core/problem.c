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
#include "problem_int.h"

#include "log.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
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
	t->group = b->cur_group;
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
	size_t n = 0, i, parent = b->cur_group;
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
	ret = pb_add_group(b, rel + strlen("data/"), parent);
	if (ret < 0)
		goto out;
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
	b->cur_group = parent;
	pb_names_free(names, n);
	free(abs);
	return ret;
}

/* --------------------------------------------------- validator */

/* output_validator/ (2023-07): the directory is the program. */
static int pb_validator_2023(struct pb *b)
{
	struct ac_problem *p = b->p;
	struct stat st;
	char *abs = NULL;
	int ret;

	ret = pb_resolve(b, "output_validators", &abs, &st);
	free(abs);
	abs = NULL;
	if (ret == 0) {
		pb_err(b, "output_validators",
		       "the legacy directory: problem_format_version 2023-07 "
		       "has its validator in output_validator/");
		return -EINVAL;
	}
	if (ret != -ENOENT)
		return ret;
	ret = pb_resolve(b, "output_validator", &abs, &st);
	if (ret == -ENOENT) {
		if (p->type_flags &
		    (AC_PROBLEM_INTERACTIVE | AC_PROBLEM_MULTIPASS)) {
			pb_err(b, "output_validator",
			       "missing: an interactive or multi-pass problem "
			       "needs its output validator");
			return ret;
		}
		p->validation = AC_VALIDATION_DEFAULT;
		return 0;
	}
	if (ret < 0)
		return ret;
	if (!S_ISDIR(st.st_mode)) {
		pb_err(b, "output_validator", "not a directory");
		free(abs);
		return -ENOTDIR;
	}
	p->validator_dir = abs;
	p->validation = (p->type_flags & AC_PROBLEM_INTERACTIVE)
	                        ? AC_VALIDATION_CUSTOM_INTERACTIVE
	                        : AC_VALIDATION_CUSTOM;
	if (p->type_flags & AC_PROBLEM_SCORING)
		p->validator_score = true;
	return 0;
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

/* output_validators/NAME/ (legacy), used with validation: custom. */
static int pb_validator(struct pb *b)
{
	struct ac_problem *p = b->p;
	struct stat st;
	char *abs = NULL, **names = NULL, *rel = NULL;
	size_t n = 0;
	int ret;

	if (p->format == AC_FORMAT_2023_07)
		return pb_validator_2023(b);
	if (p->type_flags & AC_PROBLEM_INTERACTIVE)
		p->validation = AC_VALIDATION_CUSTOM_INTERACTIVE;
	if (p->validation == AC_VALIDATION_DEFAULT) {
		/* The 2023-07 layout read as legacy would be judged with
		 * the default validator: refuse it. */
		ret = pb_resolve(b, "output_validator", &abs, &st);
		free(abs);
		if (ret == 0 && !b->validation_given) {
			pb_err(b, "output_validator",
			       "the 2023-07 layout, but problem.yaml has no "
			       "problem_format_version: 2023-07 (nor "
			       "validation: custom)");
			return -EINVAL;
		}
		return ret == -ENOENT || ret == 0 ? 0 : ret;
	}
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

/* -------------------------------------------------------- hash */

/* Hash one item: its package-relative name, its size, its content. */
static int pb_hash_file(struct pb *b, crypto_hash_sha256_state *h,
                        const char *rel, const char *abs)
{
	unsigned char buf[65536];
	struct stat st;
	char head[64];
	ssize_t r;
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
	while ((r = ac_read_bounded(fd, buf, sizeof(buf))) > 0)
		crypto_hash_sha256_update(h, buf, (size_t)r);
	if (r < 0) {
		ret = (int)r;
		pb_err(b, rel, "%s", strerror(-ret));
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
	/* testdata.yaml decides scores: every group's, in group order */
	for (i = 0; ret == 0 && i < p->ngroups; i++) {
		char rel[4200];

		snprintf(rel, sizeof(rel), "data%s%s/testdata.yaml",
		         p->groups[i].name[0] ? "/" : "", p->groups[i].name);
		ret = pb_hash_rel(b, &h, rel);
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
	for (i = 0; i < p->nlanguages; i++)
		free(p->languages[i]);
	free(p->languages);
	for (i = 0; i < p->ngroups; i++)
		free(p->groups[i].name);
	free(p->groups);
	free(p->meta_json);
	free(p);
}

bool ac_problem_allows_lang(const struct ac_problem *p, const char *lang)
{
	if (!p->languages)
		return true;
	for (size_t i = 0; lang && i < p->nlanguages; i++)
		if (strcmp(p->languages[i], lang) == 0)
			return true;
	return false;
}

/* Directories of the specification that change how a submission is
 * judged and that the judge does not implement: refused by name. */
static int pb_refused_dirs(struct pb *b)
{
	static const struct {
		const char *dir, *why;
	} refused[] = {
	        {"include", "files appended to every submission are not "
	                    "implemented"},
	        {"static_validator", "static validation of the source is not "
	                             "implemented"},
	};
	struct stat st;
	char *abs;

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		int ret = pb_resolve(b, refused[i].dir, &abs, &st);

		free(abs);
		if (ret == 0) {
			pb_err(b, refused[i].dir, "not supported: %s",
			       refused[i].why);
			return -ENOTSUP;
		}
		if (ret != -ENOENT)
			return ret;
	}
	return 0;
}

/* testdata.yaml's output_validator_flags: the default validator's flags
 * (with validation custom they are not passed, as validator_flags). */
static int pb_ovflags(struct pb *b)
{
	char ferr[256];
	int ret;

	if (!b->ovflags || b->p->validation != AC_VALIDATION_DEFAULT)
		return 0;
	if (b->flags && strcmp(b->flags, b->ovflags) != 0) {
		pb_err(b, "data/testdata.yaml",
		       "output_validator_flags differ from problem.yaml's "
		       "validator_flags");
		return -EINVAL;
	}
	memset(&b->p->flags, 0, sizeof(b->p->flags));
	ret = ac_validator_flags_parse(b->ovflags, &b->p->flags, ferr,
	                               sizeof(ferr));
	if (ret < 0)
		pb_err(b, "data/testdata.yaml", "output_validator_flags: %s",
		       ferr);
	return ret;
}

/* What problem.yaml said, once read: the default validator's flags, the
 * served metadata. */
static int pb_settle(struct pb *b)
{
	struct ac_problem *p = b->p;
	char ferr[256];
	int ret;

	if (!p->name && !(p->name = strdup(p->id)))
		return -ENOMEM;
	if (p->validation == AC_VALIDATION_DEFAULT && b->flags) {
		ret = ac_validator_flags_parse(b->flags, &p->flags, ferr,
		                               sizeof(ferr));
		if (ret < 0) {
			pb_err(b, "problem.yaml", "validator_flags: %s", ferr);
			return ret;
		}
	}
	if (p->validator_score && !(p->type_flags & AC_PROBLEM_SCORING)) {
		pb_err(b, "problem.yaml",
		       "validation: score needs type: scoring");
		return -EINVAL;
	}
	if (!json_object_get(b->meta, "names") &&
	    json_object_set_new(b->meta, "names",
	                        json_pack("{s:s}", "en", p->name)) < 0)
		return -ENOMEM;
	p->meta_json = json_dumps(b->meta, JSON_COMPACT | JSON_SORT_KEYS);
	return p->meta_json ? 0 : -ENOMEM;
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

static int pb_sample_tests(struct pb *b)
{
	return pb_tests_dir(b, "data/sample", true, 0);
}

static int pb_secret_tests(struct pb *b)
{
	return pb_tests_dir(b, "data/secret", false, 0);
}

static int pb_some_tests(struct pb *b)
{
	b->p->time_limit_given = b->has_time;
	if (b->p->ntests > 0)
		return 0;
	pb_err(b, "data",
	       "no tests: neither data/sample/ nor data/secret/ holds a .in "
	       "file");
	return -ENOENT;
}

/* The steps of a load, in order; the first error stops it. */
static int (*const pb_steps[])(struct pb *b) = {
        pb_yaml,       pb_timelimit,  pb_settle,           pb_refused_dirs,
        pb_statement,  pb_root_group, pb_sample_tests,     pb_secret_tests,
        pb_some_tests, pb_validator,  pb_input_validators, pb_ovflags,
        pb_hash,
};

int ac_problem_load(const char *dir, struct ac_problem **out, char *err,
                    size_t errlen)
{
	struct pb b = {.err = err, .errlen = errlen};
	struct ac_problem *p = NULL;
	struct stat st;
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
	p->format = AC_FORMAT_LEGACY;
	p->ac_to_time_limit = 5.0;  /* legacy time_multiplier */
	p->time_limit_to_tle = 2.0; /* legacy time_safety_margin */
	p->time_resolution = 1.0;
	p->validation_passes = 2;
	if (!(b.meta = json_object())) {
		ret = -ENOMEM;
		goto out;
	}
	ret = 0;
	for (size_t i = 0;
	     ret == 0 && i < sizeof(pb_steps) / sizeof(pb_steps[0]); i++)
		ret = pb_steps[i](&b);
	if (ret < 0)
		goto out;
	*out = p;
	p = NULL;
out:
	if (ret == -ENOMEM && err && errlen && !err[0])
		snprintf(err, errlen, "%s: out of memory", b.root);
	ac_problem_free(p);
	json_decref(b.meta);
	free(b.ovflags);
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
