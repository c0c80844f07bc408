/* Unit tests of the problem package loader (core/problem.c).  Fixtures
 * live in tests/unit/data/ (read from $top_srcdir); anything that needs a
 * change is done on a copy in a temporary directory. */
#include "problem.h"

#include "../check_run.h"
#include <check.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char data_dir[PATH_MAX];
static char tmpdir[64];
static char err[1024];

static void find_data(void)
{
	const char *top = getenv("top_srcdir");
	char file[PATH_MAX];

	if (top && *top) {
		snprintf(data_dir, sizeof(data_dir), "%s/tests/unit/data", top);
	} else {
		snprintf(file, sizeof(file), "%s", __FILE__);
		snprintf(data_dir, sizeof(data_dir), "%s/data", dirname(file));
	}
}

static const char *fixture(const char *rel)
{
	static char paths[4][PATH_MAX + 64];
	static int next;
	char *p = paths[next++ % 4];

	snprintf(p, PATH_MAX + 64, "%s/%s", data_dir, rel);
	return p;
}

static const char *tmp(const char *rel)
{
	static char paths[4][256];
	static int next;
	char *p = paths[next++ % 4];

	snprintf(p, 256, "%s/%s", tmpdir, rel);
	return p;
}

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void sh(const char *fmt, ...)
{
	char cmd[2 * PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	ck_assert_msg(system(cmd) == 0, "command failed: %s", cmd);
}

static void tmp_setup(void)
{
	ac_check_mkdtemp(tmpdir, sizeof(tmpdir), "/tmp",
	                 "check_problem.XXXXXX");
}

static void tmp_teardown(void)
{
	sh("chmod -R u+rwX '%s'; rm -rf '%s'", tmpdir, tmpdir);
}

/* Copy a fixture package into the temporary directory as `name`. */
static const char *copy_fixture(const char *rel, const char *name)
{
	/* writable even when the source tree is not (make distcheck) */
	sh("cp -R '%s' '%s' && chmod -R u+w '%s'", fixture(rel), tmp(name),
	   tmp(name));
	return tmp(name);
}

static struct ac_problem *load_ok(const char *dir)
{
	struct ac_problem *p = NULL;
	int ret = ac_problem_load(dir, &p, err, sizeof(err));

	ck_assert_msg(ret == 0, "%s: %d %s", dir, ret, err);
	ck_assert_ptr_nonnull(p);
	return p;
}

/* Load must fail, with a message naming `file` (and `also`). */
static int load_fails(const char *dir, const char *file, const char *also)
{
	struct ac_problem *p = NULL;
	int ret = ac_problem_load(dir, &p, err, sizeof(err));

	ck_assert_msg(ret < 0, "%s loaded", dir);
	ck_assert_ptr_null(p);
	ck_assert_msg(strstr(err, file) != NULL, "\"%s\" does not name %s", err,
	              file);
	if (also)
		ck_assert_msg(strstr(err, also) != NULL,
		              "\"%s\" does not say %s", err, also);
	return ret;
}

/* ------------------------------------------------------------- good */

START_TEST(test_good_package)
{
	struct ac_problem *p = load_ok(fixture("problems/good"));
	char real[PATH_MAX];

	ck_assert_str_eq(p->id, "good");
	ck_assert_str_eq(p->name, "Good Problem");
	ck_assert_str_eq(p->uuid, "7d1f5b0e-2c39-4e4a-9a57-0c8f0a4f1c11");
	ck_assert_ptr_nonnull(realpath(fixture("problems/good"), real));
	ck_assert_str_eq(p->dir, real);
	/* limits.time_limit wins over .timelimit */
	ck_assert(p->time_limit_s == 2.5);
	ck_assert_uint_eq(p->memory_mb, 512);
	ck_assert_uint_eq(p->output_mb, 8);
	ck_assert_int_eq(p->validation, AC_VALIDATION_DEFAULT);
	ck_assert_ptr_null(p->validator_dir);
	ck_assert(p->flags.case_sensitive);
	ck_assert(!p->flags.space_change_sensitive);
	ck_assert(p->flags.has_float_abs && p->flags.has_float_rel);
	ck_assert(p->flags.float_abs == 1e-6 && p->flags.float_rel == 1e-6);
	ck_assert_str_eq(p->difficulty, "medium");
	ck_assert_uint_eq(p->ntags, 2);
	ck_assert_str_eq(p->tags[0], "math");
	ck_assert_str_eq(p->tags[1], "implementation");
	ck_assert_str_eq(p->statement, "# Good Problem\n\nAdd two numbers.\n");
	ck_assert_uint_eq(strlen(p->hash), 64);
	ck_assert_uint_eq(strspn(p->hash, "0123456789abcdef"), 64);
	ac_problem_free(p);
}
END_TEST

START_TEST(test_good_test_order)
{
	static const char *const names[] = {
	        "sample/1",       "sample/10",        "sample/2",
	        "secret/1-small", "secret/2-group/a", "secret/2-group/b",
	        "secret/3-big",
	};
	struct ac_problem *p = load_ok(fixture("problems/good"));
	char want[PATH_MAX + 64];
	size_t i;

	ck_assert_uint_eq(p->ntests, 7);
	ck_assert_uint_eq(p->nsamples, 3);
	for (i = 0; i < p->ntests; i++) {
		ck_assert_str_eq(p->tests[i].name, names[i]);
		ck_assert(p->tests[i].sample == (i < 3));
		ck_assert_ptr_nonnull(
		        realpath(fixture("problems/good/data"), want));
		strcat(want, "/");
		strcat(want, names[i]);
		strcat(want, ".in");
		ck_assert_str_eq(p->tests[i].in_path, want);
		strcpy(want + strlen(want) - 3, ".ans");
		ck_assert_str_eq(p->tests[i].ans_path, want);
		ck_assert(p->tests[i].in_path[0] == '/');
	}
	ac_problem_free(p);
}
END_TEST

START_TEST(test_legacy_package)
{
	struct ac_problem *p = load_ok(fixture("problems/legacy"));
	char want[PATH_MAX];

	ck_assert_str_eq(p->name, "Legacy Layout");
	ck_assert_ptr_null(p->uuid);
	ck_assert_ptr_null(p->difficulty);
	/* .timelimit is used when limits has no time_limit */
	ck_assert(p->time_limit_s == 1.5);
	ck_assert_uint_eq(p->memory_mb, 256);
	ck_assert_uint_eq(p->output_mb, 64);
	ck_assert_int_eq(p->validation, AC_VALIDATION_CUSTOM);
	ck_assert_ptr_nonnull(realpath(
	        fixture("problems/legacy/output_validators/check"), want));
	ck_assert_str_eq(p->validator_dir, want);
	/* flags of a custom validator are not default-validator flags */
	ck_assert(!p->flags.case_sensitive && !p->flags.has_float_abs);
	ck_assert_uint_eq(p->ntags, 3);
	ck_assert_str_eq(p->tags[0], "dp");
	ck_assert_str_eq(p->tags[1], "greedy");
	ck_assert_str_eq(p->tags[2], "graphs");
	ck_assert_str_eq(p->statement, "Legacy statement.\n");
	ck_assert_uint_eq(p->ntests, 1);
	ck_assert_uint_eq(p->nsamples, 0);
	ck_assert_str_eq(p->tests[0].name, "secret/1");
	ac_problem_free(p);
}
END_TEST

START_TEST(test_minimal_defaults)
{
	struct ac_problem *p = load_ok(fixture("problems/minimal"));

	ck_assert_str_eq(p->id, "minimal");
	ck_assert_str_eq(p->name, "minimal");
	ac_problem_free(p);
	/* a trailing slash does not change the id */
	p = load_ok(fixture("problems/minimal/"));
	ck_assert_str_eq(p->id, "minimal");
	ck_assert(p->time_limit_s == 1.0);
	ck_assert_uint_eq(p->memory_mb, 256);
	ck_assert_uint_eq(p->output_mb, 64);
	ck_assert_int_eq(p->validation, AC_VALIDATION_DEFAULT);
	ck_assert(!p->flags.case_sensitive && !p->flags.space_change_sensitive);
	ck_assert(!p->flags.has_float_abs && !p->flags.has_float_rel);
	ck_assert_str_eq(p->statement, "");
	ck_assert_uint_eq(p->ntags, 0);
	ck_assert_uint_eq(p->ntests, 1);
	ck_assert_uint_eq(p->nsamples, 1);
	ck_assert_str_eq(p->tests[0].name, "sample/only");
	ac_problem_free(p);
}
END_TEST

/* The content hash of the package at D, into OUT (65 bytes). */
static void hash_of(const char *d, char *out)
{
	struct ac_problem *p = load_ok(d);

	strcpy(out, p->hash);
	ac_problem_free(p);
}

/* Write TEXT into FILE of the package at D: the statement is TEXT now. */
static void statement_becomes(const char *d, const char *file, const char *text)
{
	struct ac_problem *p;
	char want[32];

	sh("echo %s > '%s/%s'", text, d, file);
	snprintf(want, sizeof(want), "%s\n", text);
	p = load_ok(d);
	ck_assert_str_eq(p->statement, want);
	ac_problem_free(p);
}

START_TEST(test_statement_fallbacks)
{
	const char *d = copy_fixture("problems/minimal", "st");

	/* Each file written wins over all those before it. */
	sh("mkdir -p '%s/problem_statement' '%s/statement'", d, d);
	statement_becomes(d, "statement/problem.en.tex", "tex");
	statement_becomes(d, "problem_statement/problem.md", "legacy-md");
	statement_becomes(d, "statement/problem.md", "md");
	statement_becomes(d, "problem_statement/problem.en.md", "legacy-en");
	statement_becomes(d, "statement/problem.en.md", "en");
}
END_TEST

START_TEST(test_hash_stable_and_sensitive)
{
	const char *d = copy_fixture("problems/good", "good");
	char orig[65], h0[65], h1[65], h[65];

	hash_of(fixture("problems/good"), orig);
	/* stable: the same content elsewhere has the same hash */
	hash_of(d, h0);
	ck_assert_str_eq(h0, orig);
	hash_of(d, h);
	ck_assert_str_eq(h, orig);
	/* a test file changes */
	sh("echo 5 > '%s/data/secret/2-group/b.ans'", d);
	hash_of(d, h1);
	ck_assert_str_ne(h1, h0);
	/* ... and back */
	sh("echo 6 > '%s/data/secret/2-group/b.ans'", d);
	hash_of(d, h);
	ck_assert_str_eq(h, h0);
	/* a renamed test */
	sh("mv '%s/data/secret/3-big.in' '%s/data/secret/4-big.in' && "
	   "mv '%s/data/secret/3-big.ans' '%s/data/secret/4-big.ans'",
	   d, d, d, d);
	hash_of(d, h);
	ck_assert_str_ne(h, h0);
	ck_assert_str_ne(h, h1);
	sh("mv '%s/data/secret/4-big.in' '%s/data/secret/3-big.in' && "
	   "mv '%s/data/secret/4-big.ans' '%s/data/secret/3-big.ans'",
	   d, d, d, d);
	/* problem.yaml changes */
	sh("echo '# comment' >> '%s/problem.yaml'", d);
	hash_of(d, h);
	ck_assert_str_ne(h, h0);
}
END_TEST

START_TEST(test_hash_ignores_statement_covers_validator)
{
	const char *d = copy_fixture("problems/legacy", "legacy");
	struct ac_problem *p;
	char h0[65], h[65];

	hash_of(d, h0);
	/* the statement and submissions are not part of judging */
	sh("echo more >> '%s/problem_statement/problem.en.md'", d);
	sh("echo x > '%s/submissions/accepted/b.cpp'", d);
	hash_of(d, h);
	ck_assert_str_eq(h, h0);
	/* .timelimit is */
	sh("echo 2 > '%s/.timelimit'", d);
	p = load_ok(d);
	ck_assert_str_ne(p->hash, h0);
	ck_assert(p->time_limit_s == 2.0);
	ac_problem_free(p);
	sh("printf '1.5\\n' > '%s/.timelimit'", d);
	hash_of(d, h);
	ck_assert_str_eq(h, h0);
	/* the validator's source is */
	sh("echo '// x' >> '%s/output_validators/check/check.cpp'", d);
	hash_of(d, h);
	ck_assert_str_ne(h, h0);
}
END_TEST

START_TEST(test_symlink_inside_ok)
{
	const char *d = copy_fixture("problems/minimal", "ln");
	struct ac_problem *p;
	char want[PATH_MAX];

	sh("mkdir '%s/data/secret' && ln -s ../sample/only.in "
	   "'%s/data/secret/x.in' && ln -s ../sample/only.ans "
	   "'%s/data/secret/x.ans'",
	   d, d, d);
	p = load_ok(d);
	ck_assert_uint_eq(p->ntests, 2);
	ck_assert_str_eq(p->tests[1].name, "secret/x");
	/* stored resolved */
	ck_assert_ptr_nonnull(realpath(tmp("ln/data/sample/only.in"), want));
	ck_assert_str_eq(p->tests[1].in_path, want);
	ac_problem_free(p);
}
END_TEST

START_TEST(test_old_style_output_validator)
{
	const char *d = copy_fixture("problems/minimal", "ov");
	struct ac_problem *p;
	char want[PATH_MAX];

	sh("printf 'validation: custom\\n' > '%s/problem.yaml' && mkdir "
	   "'%s/output_validator' && echo x > '%s/output_validator/v.py'",
	   d, d, d);
	p = load_ok(d);
	ck_assert_ptr_nonnull(realpath(tmp("ov/output_validator"), want));
	ck_assert_str_eq(p->validator_dir, want);
	ac_problem_free(p);
}
END_TEST

START_TEST(test_name_map_and_interactive)
{
	const char *d = copy_fixture("problems/legacy", "nm");
	struct ac_problem *p;

	sh("printf 'name:\\n  de: Hallo\\n  en: Hello\\nvalidation: custom "
	   "interactive\\nlimits: {memory: 64}\\n' > "
	   "'%s/problem.yaml'",
	   d);
	p = load_ok(d);
	ck_assert_str_eq(p->name, "Hello");
	ck_assert_int_eq(p->validation, AC_VALIDATION_CUSTOM_INTERACTIVE);
	ck_assert_uint_eq(p->memory_mb, 64);
	ac_problem_free(p);
}
END_TEST

/* ------------------------------------------------ every key, by name */

/* A copy of the minimal package with this problem.yaml. */
static const char *pkg(const char *name, const char *yaml)
{
	const char *d = copy_fixture("problems/minimal", name);
	char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/problem.yaml", d);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(yaml, f);
	fclose(f);
	return d;
}

START_TEST(test_keys_2023_07)
{
	const char *d = pkg(
	        "k23", "problem_format_version: 2023-07-draft\n"
	               "type: [scoring]\n"
	               "name: {en: Hello, sv: Hej}\n"
	               "uuid: 0b9d1c2e-1111-2222-3333-444455556666\n"
	               "version: '3'\n"
	               "credits: {authors: [Ada], testers: Bob}\n"
	               "source: [{name: NWERC 2024, url: 'https://x'}, SWERC]\n"
	               "license: cc by-sa\n"
	               "rights_owner: ICPC\n"
	               "limits:\n"
	               "  time_multipliers: {ac_to_time_limit: 3, "
	               "time_limit_to_tle: 1.25}\n"
	               "  time_limit: 2.5\n"
	               "  time_resolution: 0.5\n"
	               "  memory: 512\n"
	               "  output: 16\n"
	               "  code: 64\n"
	               "  compilation_time: 30\n"
	               "  compilation_memory: 1024\n"
	               "  validation_time: 20\n"
	               "  validation_memory: 256\n"
	               "  validation_output: 4\n"
	               "  validation_passes: 3\n"
	               "keywords: [graphs, dp]\n"
	               "languages: [cpp, python3]\n"
	               "allow_file_writing: true\n");
	struct ac_problem *p;
	char want[PATH_MAX];

	sh("mkdir '%s/output_validator' && echo x > "
	   "'%s/output_validator/v.py'",
	   d, d);
	p = load_ok(d);
	ck_assert_int_eq(p->format, AC_FORMAT_2023_07);
	ck_assert_uint_eq(p->type_flags, AC_PROBLEM_SCORING);
	ck_assert_str_eq(p->name, "Hello");
	/* output_validator/ without any validation: key is the validator */
	ck_assert_int_eq(p->validation, AC_VALIDATION_CUSTOM);
	ck_assert(p->validator_score);
	ck_assert_ptr_nonnull(realpath(tmp("k23/output_validator"), want));
	ck_assert_str_eq(p->validator_dir, want);
	ck_assert(p->time_limit_s == 2.5 && p->time_limit_given);
	ck_assert(p->ac_to_time_limit == 3 && p->time_limit_to_tle == 1.25);
	ck_assert(p->time_resolution == 0.5);
	ck_assert_uint_eq(p->memory_mb, 512);
	ck_assert_uint_eq(p->output_mb, 16);
	ck_assert_uint_eq(p->code_kb, 64);
	ck_assert_uint_eq(p->compile_time_s, 30);
	ck_assert_uint_eq(p->compile_memory_mb, 1024);
	ck_assert_uint_eq(p->validation_time_s, 20);
	ck_assert_uint_eq(p->validation_memory_mb, 256);
	ck_assert_uint_eq(p->validation_output_mb, 4);
	ck_assert_uint_eq(p->validation_passes, 3);
	ck_assert(ac_problem_allows_lang(p, "cpp"));
	ck_assert(ac_problem_allows_lang(p, "python3"));
	ck_assert(!ac_problem_allows_lang(p, "java"));
	ck_assert_ptr_nonnull(strstr(p->meta_json,
	                             "\"names\":{\"en\":\"Hello\","
	                             "\"sv\":\"Hej\"}"));
	ck_assert_ptr_nonnull(strstr(p->meta_json, "\"authors\":[\"Ada\"]"));
	ck_assert_ptr_nonnull(strstr(p->meta_json, "\"license\":\"cc by-sa\""));
	ck_assert_ptr_nonnull(
	        strstr(p->meta_json, "\"rights_owner\":\"ICPC\""));
	ck_assert_ptr_nonnull(strstr(p->meta_json, "NWERC 2024"));
	ck_assert_ptr_nonnull(strstr(p->meta_json, "\"keywords\":[\"graphs\""));
	ck_assert_ptr_nonnull(strstr(p->meta_json, "\"version\":\"3\""));
	ac_problem_free(p);

	/* no output_validator/: the default validator, said so */
	sh("rm -r '%s/output_validator'", d);
	p = load_ok(d);
	ck_assert_int_eq(p->validation, AC_VALIDATION_DEFAULT);
	ac_problem_free(p);
}
END_TEST

START_TEST(test_keys_legacy)
{
	const char *d = pkg("kl", "problem_format_version: legacy\n"
	                          "type: scoring\n"
	                          "name: Old\n"
	                          "author: Ada Lovelace\n"
	                          "source: NCPC\n"
	                          "source_url: https://ncpc.example\n"
	                          "license: cc by-sa\n"
	                          "rights_owner: NCPC\n"
	                          "keywords: graphs dp\n"
	                          "languages: cpp python3\n"
	                          "grading: {objective: max, "
	                          "show_test_data_groups: true}\n"
	                          "limits:\n"
	                          "  time_multiplier: 4\n"
	                          "  time_safety_margin: 3\n"
	                          "  memory: 128\n"
	                          "  code: 100\n"
	                          "validation: custom score\n");
	struct ac_problem *p;

	sh("mkdir -p '%s/output_validators/v' && echo x > "
	   "'%s/output_validators/v/v.py'",
	   d, d);
	p = load_ok(d);
	ck_assert_int_eq(p->format, AC_FORMAT_LEGACY);
	ck_assert_uint_eq(p->type_flags, AC_PROBLEM_SCORING);
	ck_assert(p->validator_score);
	ck_assert(p->ac_to_time_limit == 4 && p->time_limit_to_tle == 3);
	ck_assert(!p->time_limit_given);
	ck_assert_uint_eq(p->code_kb, 100);
	ck_assert(!ac_problem_allows_lang(p, "java"));
	ck_assert_ptr_nonnull(
	        strstr(p->meta_json, "\"author\":\"Ada Lovelace\""));
	ck_assert_ptr_nonnull(strstr(p->meta_json, "\"keywords\":[\"graphs\","
	                                           "\"dp\"]"));
	ac_problem_free(p);
	/* legacy defaults */
	d = pkg("kl2", "name: x\n");
	p = load_ok(d);
	ck_assert(p->ac_to_time_limit == 5 && p->time_limit_to_tle == 2);
	ck_assert(ac_problem_allows_lang(p, "java"));
	ac_problem_free(p);
	d = pkg("kl3", "problem_format_version: 2023-07\nlanguages: all\n");
	p = load_ok(d);
	ck_assert(p->ac_to_time_limit == 2 && p->time_limit_to_tle == 1.5);
	ck_assert(ac_problem_allows_lang(p, "java"));
	ac_problem_free(p);
}
END_TEST

/* Each line: a problem.yaml, then what the error must say. */
START_TEST(test_keys_refused_by_name)
{
	static const char *const cases[][2] = {
	        {"nonsense_key: 1\n", "nonsense_key: unknown key"},
	        {"limits: {cpu: 3}\n", "limits.cpu: unknown key"},
	        {"problem_format_version: 2099-01\n", "problem_format_version"},
	        {"problem_format_version: 2023-07\ntype: quantum\n",
	         "type: \"quantum\""},
	        {"type: interactive\n", "pass-fail or scoring (legacy)"},
	        {"problem_format_version: 2023-07\ntype: submit-answer\n",
	         "submit-answer is not supported"},
	        {"problem_format_version: 2023-07\ntype: [pass-fail, "
	         "scoring]\n",
	         "exclude each other"},
	        {"problem_format_version: 2023-07\nvalidation: custom\n",
	         "validation: not a key of problem_format_version 2023-07"},
	        {"problem_format_version: 2023-07\nvalidator_flags: x\n",
	         "validator_flags: not a key"},
	        {"credits: Ada\n",
	         "credits: not a key of problem_format_version "
	         "legacy"},
	        {"problem_format_version: 2023-07\nconstants: {a: 1}\n",
	         "constants: not supported"},
	        {"problem_format_version: 2023-07\nembargo_until: 2030-01-01\n",
	         "embargo_until: not supported"},
	        {"license: mine\n", "license: \"mine\""},
	        {"limits: {time_multiplier: 0.5}\n", "limits.time_multiplier"},
	        {"problem_format_version: 2023-07\nlimits: {time_multipliers: "
	         "{ac_to_time_limit: 0}}\n",
	         "limits.time_multipliers.ac_to_time_limit"},
	        {"problem_format_version: 2023-07\nlimits: {validation_passes: "
	         "1}\n",
	         "limits.validation_passes"},
	        {"limits: {code: big}\n", "limits.code"},
	        {"grading: {objective: min}\n", "grading.objective"},
	        {"validation: custom nonsense\n", "validation"},
	        {"problem_format_version: 2023-07\ntype: interactive\n",
	         "output_validator: missing"},
	};
	char name[16];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(name, sizeof(name), "r%zu", i);
		load_fails(pkg(name, cases[i][0]), "problem", cases[i][1]);
	}
}
END_TEST

/* Aliases cannot make a small problem.yaml a huge served document. */
START_TEST(test_alias_bomb_bounded)
{
	struct ac_problem *p;
	const char *d =
	        pkg("ab", "problem_format_version: 2023-07\n"
	                  "credits:\n"
	                  "  a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	                  "  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	                  "  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
	                  "  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
	                  "  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
	                  "  f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
	                  "  g: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n");

	p = load_ok(d);
	ck_assert_uint_lt(strlen(p->meta_json), 64 * 1024);
	ac_problem_free(p);
}
END_TEST

START_TEST(test_dirs_refused_by_name)
{
	const char *d = pkg("d1", "name: x\n");

	/* a 2023-07 layout read as legacy would use the default validator */
	sh("mkdir '%s/output_validator' && echo x > "
	   "'%s/output_validator/v.py'",
	   d, d);
	load_fails(d, "d1/output_validator", "problem_format_version");
	d = pkg("d2", "problem_format_version: 2023-07\n");
	sh("mkdir -p '%s/output_validators/v'", d);
	load_fails(d, "d2/output_validators", "output_validator/");
	d = pkg("d3", "name: x\n");
	sh("mkdir '%s/include'", d);
	load_fails(d, "d3/include", "not supported");
}
END_TEST

START_TEST(test_groups_and_testdata)
{
	const char *d = pkg("g", "problem_format_version: 2023-07\n"
	                         "type: scoring\n");
	struct ac_problem *p;
	const struct ac_grading *g;
	char hash[65];

	sh("cd '%s/data' && mkdir -p secret/g1 secret/g2/deep && "
	   "for t in secret/g1/a secret/g1/b secret/g2/c secret/g2/deep/d; "
	   "do echo 1 > $t.in; echo 1 > $t.ans; done && "
	   "printf 'on_reject: continue\\ngrader_flags: ignore_sample sum\\n' "
	   "> testdata.yaml && "
	   "printf 'on_reject: break\\naccept_score: 20\\ngrader_flags: "
	   "min\\n' > secret/g1/testdata.yaml && "
	   "printf 'accept_score: 30\\nrange: 0 60\\ngrader_flags: "
	   "worst_error avg\\n' > secret/g2/testdata.yaml",
	   d);
	p = load_ok(d);
	/* data, sample, secret, g1, g2, deep */
	ck_assert_uint_eq(p->ngroups, 6);
	ck_assert_str_eq(p->groups[0].name, "");
	ck_assert(p->groups[0].grading.on_reject_continue);
	ck_assert(p->groups[0].grading.ignore_sample);
	ck_assert_str_eq(p->groups[3].name, "secret/g1");
	ck_assert_uint_eq(p->groups[3].parent, 2);
	g = &p->groups[3].grading;
	ck_assert(!g->on_reject_continue);
	ck_assert(g->accept_score == 20 && g->score == AC_GRADE_MIN);
	g = &p->groups[5].grading; /* secret/g2/deep inherits g2 */
	ck_assert_str_eq(p->groups[5].name, "secret/g2/deep");
	ck_assert_uint_eq(p->groups[5].parent, 4);
	ck_assert(g->on_reject_continue && g->accept_score == 30);
	ck_assert(g->range_min == 0 && g->range_max == 60);
	ck_assert(g->verdict == AC_GRADE_WORST_ERROR &&
	          g->score == AC_GRADE_AVG);
	ck_assert_str_eq(p->tests[p->ntests - 1].name, "secret/g2/deep/d");
	ck_assert_uint_eq(p->tests[p->ntests - 1].group, 5);
	strcpy(hash, p->hash);
	ac_problem_free(p);
	/* testdata.yaml decides scores: it is part of the content hash */
	sh("echo 'accept_score: 25' >> '%s/data/secret/g2/testdata.yaml'", d);
	p = load_ok(d);
	ck_assert_str_ne(p->hash, hash);
	ac_problem_free(p);
	/* output_validator_flags: the default validator's, from data/ */
	sh("echo 'output_validator_flags: float_tolerance 1e-3' >> "
	   "'%s/data/testdata.yaml'",
	   d);
	p = load_ok(d);
	ck_assert(p->flags.has_float_abs && p->flags.float_abs == 1e-3);
	ac_problem_free(p);
	sh("echo 'output_validator_flags: case_sensitive' > "
	   "'%s/data/secret/g1/testdata.yaml'",
	   d);
	load_fails(d, "g/data/secret/g1/testdata.yaml", "per-group");
	sh("echo 'grader_flags: bogus' > '%s/data/secret/g1/testdata.yaml'", d);
	load_fails(d, "g/data/secret/g1/testdata.yaml", "bogus");
	sh("echo 'frobnicate: 1' > '%s/data/secret/g1/testdata.yaml'", d);
	load_fails(d, "g/data/secret/g1/testdata.yaml", "frobnicate");
	sh("echo 'grading: custom' > '%s/data/secret/g1/testdata.yaml'", d);
	load_fails(d, "g/data/secret/g1/testdata.yaml", "not supported");
}
END_TEST

/* ------------------------------------------------- problem verify tools */

START_TEST(test_expected_score_marker)
{
	double s = -1;
	const char *a = "// x\n// @EXPECTED_SCORE@: 40.5\nint main(){}\n";
	const char *b = "# @EXPECTED_SCORE@: lots\n";

	ck_assert_int_eq(ac_expected_score(a, strlen(a), &s), 1);
	ck_assert(s == 40.5);
	ck_assert_int_eq(ac_expected_score("int x;", 6, &s), 0);
	ck_assert_int_eq(ac_expected_score(b, strlen(b), &s), -EINVAL);
}
END_TEST

START_TEST(test_time_limit_rules)
{
	struct ac_problem *p = load_ok(
	        pkg("tl", "problem_format_version: 2023-07\nlimits:\n"
	                  "  time_resolution: 0.5\n"
	                  "  time_multipliers: {ac_to_time_limit: 3}\n"));

	/* 0.41 s x 3 = 1.23 -> the next multiple of 0.5 */
	ck_assert(ac_time_limit_from(p, 0.41) == 1.5);
	ck_assert(ac_time_limit_from(p, 0.5) == 1.5);
	ck_assert(ac_time_limit_from(p, 0.001) == 0.5);
	ac_problem_free(p);
	/* legacy: time_multiplier (default 5), whole seconds */
	p = load_ok(pkg("tl2", "name: x\n"));
	ck_assert(ac_time_limit_from(p, 0.41) == 3);
	ck_assert(ac_time_limit_from(p, 0.001) == 1);
	ac_problem_free(p);
}
END_TEST

/* The time limit written back: edited in place, added to limits:, or a
 * new limits:; a flow-style limits: is left for a human. */
START_TEST(test_write_time_limit)
{
	static const char *const cases[][2] = {
	        {"name: x\nlimits:\n  memory: 64\n  time_limit: 9 # old\n"
	         "tags: [a]\n",
	         "name: x\nlimits:\n  memory: 64\n  time_limit: 2.5\n"
	         "tags: [a]\n"},
	        {"name: x\nlimits:\n  memory: 64\ntags: [a]\n",
	         "name: x\nlimits:\n  time_limit: 2.5\n  memory: 64\n"
	         "tags: [a]\n"},
	        {"name: x\n", "name: x\nlimits:\n  time_limit: 2.5\n"},
	};
	char err2[512], path[300];
	struct ac_problem *p;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[8], *got;
		FILE *f;
		long n;

		snprintf(name, sizeof(name), "w%zu", i);
		p = load_ok(pkg(name, cases[i][0]));
		ck_assert_int_eq(
		        ac_problem_write_time_limit(p, 2.5, err2, sizeof(err2)),
		        0);
		snprintf(path, sizeof(path), "%s/problem.yaml", p->dir);
		ac_problem_free(p);
		f = fopen(path, "r");
		ck_assert_ptr_nonnull(f);
		got = calloc(1, 4096);
		n = (long)fread(got, 1, 4095, f);
		fclose(f);
		ck_assert_int_gt(n, 0);
		ck_assert_str_eq(got, cases[i][1]);
		free(got);
		p = load_ok(tmp(name));
		ck_assert(p->time_limit_s == 2.5);
		ac_problem_free(p);
	}
	p = load_ok(pkg("wf", "limits: {memory: 64}\n"));
	ck_assert_int_lt(ac_problem_write_time_limit(p, 2, err2, sizeof(err2)),
	                 0);
	ck_assert_ptr_nonnull(strstr(err2, "flow style"));
	ac_problem_free(p);
}
END_TEST

/* Problem kinds (issue 17): legacy validation words, 2023-07 type,
 * validator_protocol and validation_passes. */
START_TEST(test_kinds)
{
	const char *d = copy_fixture("problems/legacy", "kinds");
	struct ac_problem *p;

	sh("printf 'validation: custom multi-pass\\nlimits:\\n  "
	   "validation_passes: 5\\nvalidator_protocol: testlib\\n' > "
	   "'%s/problem.yaml'",
	   d);
	p = load_ok(d);
	ck_assert_int_eq(p->validation, AC_VALIDATION_CUSTOM);
	ck_assert_uint_eq(p->type_flags, AC_PROBLEM_MULTIPASS);
	ck_assert_uint_eq(p->validation_passes, 5);
	ck_assert_int_eq(p->validator_protocol, AC_PROTO_TESTLIB);
	ac_problem_free(p);

	sh("printf 'problem_format_version: 2023-07\\ntype: [interactive, "
	   "multi-pass]\\n' > '%s/problem.yaml' && rm -r "
	   "'%s/output_validators' && mkdir '%s/output_validator' && echo x > "
	   "'%s/output_validator/v.cpp'",
	   d, d, d, d);
	p = load_ok(d);
	ck_assert_int_eq(p->validation, AC_VALIDATION_CUSTOM_INTERACTIVE);
	ck_assert_uint_eq(p->type_flags,
	                  AC_PROBLEM_INTERACTIVE | AC_PROBLEM_MULTIPASS);
	ck_assert_uint_eq(p->validation_passes, AC_PROBLEM_PASSES_DEFAULT);
	ck_assert_int_eq(p->validator_protocol, AC_PROTO_KATTIS);
	ac_problem_free(p);

	sh("printf 'problem_format_version: 2023-07\\ntype: interactive\\n' > "
	   "'%s/problem.yaml' && mkdir -p "
	   "'%s/input_validators/a' '%s/input_validators/b' && echo x > "
	   "'%s/input_validators/a/v.py'",
	   d, d, d, d);
	p = load_ok(d);
	ck_assert_uint_eq(p->type_flags, AC_PROBLEM_INTERACTIVE);
	ck_assert_uint_eq(p->ninput_validators, 2);
	ck_assert_ptr_nonnull(strstr(p->input_validators[0], "/a"));
	ac_problem_free(p);

	sh("printf 'validator_protocol: polygon\\n' > '%s/problem.yaml'", d);
	load_fails(d, "kinds/problem.yaml", "validator_protocol");
	sh("printf 'type: batch\\n' > '%s/problem.yaml'", d);
	load_fails(d, "kinds/problem.yaml", "type");
	sh("printf 'validation: interactive\\n' > '%s/problem.yaml'", d);
	load_fails(d, "kinds/problem.yaml", "validation");
	sh("printf 'validation: custom multi-pass\\nlimits: "
	   "{validation_passes: 1}\\n' > '%s/problem.yaml'",
	   d);
	load_fails(d, "kinds/problem.yaml", "validation_passes");
}
END_TEST

/* ----------------------------------------------------------- broken */

START_TEST(test_broken_missing_yaml)
{
	load_fails(fixture("broken/no_yaml"), "no_yaml/problem.yaml",
	           "missing");
}
END_TEST

START_TEST(test_broken_yaml_syntax)
{
	load_fails(fixture("broken/bad_yaml"), "bad_yaml/problem.yaml",
	           "line 4");
	ck_assert_ptr_nonnull(strstr(err, "YAML"));
}
END_TEST

/* Broken fixture packages: each must fail to load with a message naming
 * `file` and saying `also` and `more` (NULL: not checked). */
struct broken {
	const char *fixture, *file, *also, *more;
};

static void check_broken(const struct broken *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		load_fails(fixture(b[i].fixture), b[i].file, b[i].also);
		if (b[i].more)
			ck_assert_msg(strstr(err, b[i].more) != NULL,
			              "%s: \"%s\" does not say %s",
			              b[i].fixture, err, b[i].more);
	}
}

#define CHECK_BROKEN(b) check_broken((b), sizeof(b) / sizeof((b)[0]))

START_TEST(test_broken_numbers)
{
	static const struct broken b[] = {
	        {"broken/negative_time", "negative_time/problem.yaml",
	         "limits.time_limit", "line 3"},
	        {"broken/bad_memory", "bad_memory/problem.yaml",
	         "limits.memory", "\"lots\""},
	        {"broken/bad_output", "bad_output/problem.yaml",
	         "limits.output", NULL},
	        {"broken/bad_timelimit", "bad_timelimit/.timelimit", "seconds",
	         NULL},
	};

	CHECK_BROKEN(b);
}
END_TEST

START_TEST(test_broken_keys)
{
	static const struct broken b[] = {
	        {"broken/bad_flags", "bad_flags/problem.yaml", "bogus_flag",
	         "validator_flags"},
	        {"broken/bad_validation", "bad_validation/problem.yaml",
	         "validation", NULL},
	        {"broken/tags_map", "tags_map/problem.yaml", "tags", NULL},
	};

	CHECK_BROKEN(b);
}
END_TEST

START_TEST(test_broken_tests)
{
	static const struct broken b[] = {
	        {"broken/missing_ans", "missing_ans/data/secret/2.in", "2.ans",
	         NULL},
	        {"broken/no_tests", "no_tests/data", "no tests", NULL},
	};

	CHECK_BROKEN(b);
}
END_TEST

START_TEST(test_broken_validators)
{
	static const struct broken b[] = {
	        {"broken/custom_no_validator",
	         "custom_no_validator/output_validators", NULL, NULL},
	        {"broken/custom_two_validators",
	         "custom_two_validators/output_validators", "exactly one",
	         NULL},
	        {"broken/custom_validator_file",
	         "custom_validator_file/output_validators/check.py",
	         "directory", NULL},
	};

	CHECK_BROKEN(b);
}
END_TEST

START_TEST(test_broken_not_a_dir)
{
	struct ac_problem *p = NULL;

	ck_assert_int_eq(ac_problem_load(tmp("nowhere"), &p, err, sizeof(err)),
	                 -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "nowhere"));
	sh("touch '%s'", tmp("file"));
	ck_assert_int_eq(ac_problem_load(tmp("file"), &p, err, sizeof(err)),
	                 -ENOTDIR);
	ck_assert_ptr_null(p);
}
END_TEST

START_TEST(test_broken_symlink_outside)
{
	const char *d = copy_fixture("problems/minimal", "evil");

	sh("echo secret > '%s/outside.txt'", tmpdir);
	sh("mkdir '%s/data/secret' && ln -s ../../../outside.txt "
	   "'%s/data/secret/a.in' && echo 1 > '%s/data/secret/a.ans'",
	   d, d, d);
	load_fails(d, "evil/data/secret/a.in", "outside the package");
	sh("rm '%s/data/secret/a.in' && echo 1 > '%s/data/secret/a.in' && "
	   "ln -sf /etc/passwd '%s/data/secret/a.ans'",
	   d, d, d);
	load_fails(d, "evil/data/secret/a.ans", "outside the package");
	sh("rm -r '%s/data/secret' && mv '%s/problem.yaml' '%s/../p.yaml' && "
	   "ln -s ../p.yaml '%s/problem.yaml'",
	   d, d, d, d);
	load_fails(d, "evil/problem.yaml", "outside the package");
	sh("rm '%s/problem.yaml' && touch '%s/problem.yaml' && "
	   "ln -s /etc '%s/statement'",
	   d, d, d);
	/* no statement file under the link, but it would leave the package */
	sh("ln -s /etc/passwd '%s/../hostname' && mkdir -p "
	   "'%s/problem_statement' && ln -s ../../hostname "
	   "'%s/problem_statement/problem.en.md'",
	   d, d, d);
	load_fails(d, "evil/problem_statement/problem.en.md", "outside");
	/* a test group symlinked elsewhere */
	sh("rm -r '%s/problem_statement' '%s/statement' && mkdir '%s/grp' && "
	   "ln -s '%s/grp' '%s/data/secret'",
	   d, d, tmpdir, tmpdir, d);
	load_fails(d, "evil/data/secret", "outside the package");
}
END_TEST

START_TEST(test_broken_not_regular)
{
	const char *d = copy_fixture("problems/minimal", "fifo");

	sh("mkdir '%s/data/secret' && mkfifo '%s/data/secret/a.in' && "
	   "echo 1 > '%s/data/secret/a.ans'",
	   d, d, d);
	load_fails(d, "fifo/data/secret/a.in", "not a regular file");
	sh("rm '%s/data/secret/a.in' && echo 1 > '%s/data/secret/a.in' && "
	   "rm '%s/data/secret/a.ans' && mkfifo '%s/data/secret/a.ans'",
	   d, d, d, d);
	load_fails(d, "fifo/data/secret/a.ans", "not a regular file");
	sh("rm -r '%s/data/secret' && mv '%s/problem.yaml' '%s/y' && "
	   "mkfifo '%s/problem.yaml'",
	   d, d, d, d);
	load_fails(d, "fifo/problem.yaml", "not a regular file");
}
END_TEST

START_TEST(test_broken_symlinked_group)
{
	const char *d = copy_fixture("problems/good", "sg");

	sh("ln -s 2-group '%s/data/secret/4-again'", d);
	load_fails(d, "sg/data/secret/4-again", "symlinked test group");
}
END_TEST

START_TEST(test_broken_big_yaml)
{
	const char *d = copy_fixture("problems/minimal", "big");

	sh("head -c 2000000 /dev/zero | tr '\\0' '#' > '%s/problem.yaml'", d);
	load_fails(d, "big/problem.yaml", "too large");
}
END_TEST

/* -------------------------------------------------------------- set */

/* The problem set at DIR, loaded without error; NERR its broken packages. */
static struct ac_problem_set *set_ok(const char *dir, size_t *nerr)
{
	struct ac_problem_set *set = NULL;

	ck_assert_int_eq(ac_problem_set_load(dir, &set, nerr, err, sizeof(err)),
	                 0);
	ck_assert_ptr_nonnull(set);
	return set;
}

START_TEST(test_set_good)
{
	size_t nerr = 99;
	struct ac_problem_set *set = set_ok(fixture("problems"), &nerr);

	ck_assert_uint_eq(nerr, 0);
	ck_assert_uint_eq(set->n, 3);
	ck_assert_str_eq(set->items[0]->id, "good");
	ck_assert_str_eq(set->items[1]->id, "legacy");
	ck_assert_str_eq(set->items[2]->id, "minimal");
	ck_assert_ptr_eq(ac_problem_find(set, "legacy"), set->items[1]);
	ck_assert_ptr_eq(
	        ac_problem_find(set, "7d1f5b0e-2c39-4e4a-9a57-0c8f0a4f1c11"),
	        set->items[0]);
	ck_assert_ptr_null(ac_problem_find(set, "nope"));
	ck_assert_ptr_null(ac_problem_find(set, "7d1f5b0e"));
	ck_assert_ptr_null(ac_problem_find(set, ""));
	ck_assert_ptr_null(ac_problem_find(set, NULL));
	ck_assert_ptr_null(ac_problem_find(NULL, "good"));
	ac_problem_set_free(set);
}
END_TEST

START_TEST(test_set_broken_counted)
{
	size_t nerr = 0;
	struct ac_problem_set *set = set_ok(fixture("broken"), &nerr);

	ck_assert_uint_eq(set->n, 0);
	ck_assert_uint_eq(nerr, 14);
	ac_problem_set_free(set);
}
END_TEST

START_TEST(test_set_mixed_and_duplicate_uuid)
{
	struct ac_problem_set *set = NULL;
	size_t nerr = 0;

	sh("mkdir '%s/set'", tmpdir);
	copy_fixture("problems/good", "set/a-good");
	copy_fixture("problems/good", "set/b-same-uuid");
	copy_fixture("broken/missing_ans", "set/c-broken");
	copy_fixture("problems/minimal", "set/d-minimal");
	/* a symlinked package keeps the name of the link as its id */
	copy_fixture("problems/minimal", "real-min");
	sh("ln -s ../real-min '%s/set/e-link'", tmpdir);
	sh("echo readme > '%s/set/README'", tmpdir);
	sh("mkdir '%s/set/.hidden'", tmpdir);
	set = set_ok(tmp("set"), &nerr);
	ck_assert_uint_eq(nerr, 2);
	ck_assert_uint_eq(set->n, 3);
	ck_assert_str_eq(set->items[0]->id, "a-good");
	ck_assert_str_eq(set->items[1]->id, "d-minimal");
	ck_assert_str_eq(set->items[2]->id, "e-link");
	ck_assert_ptr_nonnull(strstr(set->items[2]->dir, "/real-min"));
	ck_assert_ptr_eq(
	        ac_problem_find(set, "7d1f5b0e-2c39-4e4a-9a57-0c8f0a4f1c11"),
	        set->items[0]);
	ac_problem_set_free(set);

	ck_assert_int_eq(ac_problem_set_load(tmp("missing"), &set, &nerr, err,
	                                     sizeof(err)),
	                 -ENOENT);
	ck_assert_ptr_null(set);
	ck_assert_ptr_nonnull(strstr(err, "missing"));
}
END_TEST

static Suite *problem_suite(void)
{
	Suite *s = suite_create("problem");

	AC_TCASE(s, "good", tmp_setup, tmp_teardown, 0, test_good_package,
	         test_good_test_order, test_legacy_package,
	         test_minimal_defaults, test_statement_fallbacks,
	         test_hash_stable_and_sensitive,
	         test_hash_ignores_statement_covers_validator,
	         test_symlink_inside_ok, test_old_style_output_validator,
	         test_name_map_and_interactive, test_kinds);
	/* Some tests copy a package with the shell for each of 20 cases:
	 * more than Check's 4 s on a loaded machine. */
	AC_TCASE(s, "broken", tmp_setup, tmp_teardown, 60,
	         test_broken_missing_yaml, test_broken_yaml_syntax,
	         test_broken_numbers, test_broken_keys, test_broken_tests,
	         test_broken_validators, test_broken_not_a_dir,
	         test_broken_symlink_outside, test_broken_not_regular,
	         test_broken_symlinked_group, test_broken_big_yaml,
	         test_keys_2023_07, test_keys_legacy, test_keys_refused_by_name,
	         test_dirs_refused_by_name, test_alias_bomb_bounded,
	         test_expected_score_marker, test_time_limit_rules,
	         test_write_time_limit, test_groups_and_testdata);
	AC_TCASE(s, "set", tmp_setup, tmp_teardown, 0, test_set_good,
	         test_set_broken_counted, test_set_mixed_and_duplicate_uuid);
	return s;
}

int main(void)
{
	find_data();
	return ac_check_run(problem_suite());
}
