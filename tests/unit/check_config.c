/* Configuration: files, include directory order, overrides, errors. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../check_run.h"

static char dir[4096];

static void write_file(const char *name, const char *text)
{
	char path[8192];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "%s/ac-config-XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[8300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static struct ac_config *load(const char *name, const char *const *ov, size_t n,
                              int expect, char *err, size_t errlen)
{
	struct ac_config *cfg = NULL;
	char path[8192];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(ac_config_load(path, ov, n, &cfg, err, errlen),
	                 expect);
	return cfg;
}

START_TEST(test_basic_values)
{
	char err[1024];
	struct ac_config *cfg;
	const char **list;

	write_file("a.conf", "roles = [\"api\", \"judge\"];\n"
	                     "api = { listen = \"127.0.0.1:9\"; max = 5; rate "
	                     "= 0.5; on = true; };\n");
	cfg = load("a.conf", NULL, 0, 0, err, sizeof(err));
	ck_assert_str_eq(ac_config_string(cfg, "api.listen", "x"),
	                 "127.0.0.1:9");
	ck_assert_int_eq(ac_config_int(cfg, "api.max", 0), 5);
	ck_assert_int_eq(ac_config_int(cfg, "api.nothere", 77), 77);
	ck_assert(ac_config_float(cfg, "api.rate", 0) == 0.5);
	ck_assert(ac_config_float(cfg, "api.max", 0) == 5.0);
	ck_assert(ac_config_bool(cfg, "api.on", false));
	list = ac_config_string_list(cfg, "roles");
	ck_assert_ptr_nonnull(list);
	ck_assert_str_eq(list[0], "api");
	ck_assert_str_eq(list[1], "judge");
	ck_assert_ptr_null(list[2]);
	free(list);
	ac_config_free(cfg);
}
END_TEST

START_TEST(test_syntax_error_names_file_and_line)
{
	char err[1024];

	write_file("bad.conf", "a = 1;\nb = ;\n");
	load("bad.conf", NULL, 0, -EINVAL, err, sizeof(err));
	ck_assert_msg(strstr(err, "bad.conf:2"), "message: %s", err);
}
END_TEST

START_TEST(test_missing_file)
{
	char err[1024];

	load("nothere.conf", NULL, 0, -EINVAL, err, sizeof(err));
	ck_assert_msg(strstr(err, "nothere.conf") && strstr(err, "cannot read"),
	              "message: %s", err);
}
END_TEST

START_TEST(test_wrong_type_names_file_and_line)
{
	char err[1024];
	long long v;
	struct ac_config *cfg;

	write_file("t.conf", "x = 1;\njudge = {\n  workers = \"two\";\n};\n");
	cfg = load("t.conf", NULL, 0, 0, err, sizeof(err));
	ck_assert_int_eq(
	        ac_config_get_int(cfg, "judge.workers", &v, err, sizeof(err)),
	        -EINVAL);
	ck_assert_msg(strstr(err, "t.conf:3") && strstr(err, "judge.workers") &&
	                      strstr(err, "an integer"),
	              "message: %s", err);
	ac_config_free(cfg);
}
END_TEST

START_TEST(test_include_dir_sorted_order)
{
	char err[1024], path[8192];
	struct ac_config *cfg;
	long long v;

	write_file("main.conf",
	           "include_dir = \"main.d\";\n"
	           "api = { listen = \"a\"; keep = 1; };\nlevel = 1;\n");
	snprintf(path, sizeof(path), "%s/main.d", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	/* Written in reverse: 20 must win over 10 because of the sort. */
	write_file("main.d/20-last.conf", "api = { listen = \"from20\"; };\n");
	write_file("main.d/10-first.conf",
	           "api = { listen = \"from10\"; extra = 3; };\nlevel = 2;\n");
	write_file("main.d/ignored.txt", "this is not read = ;\n");
	write_file("main.d/30-types.conf",
	           "\n\njudge = { workers = \"x\"; };\n");
	cfg = load("main.conf", NULL, 0, 0, err, sizeof(err));
	ck_assert_str_eq(ac_config_string(cfg, "api.listen", ""), "from20");
	ck_assert_int_eq(ac_config_int(cfg, "api.keep", 0), 1); /* merged */
	ck_assert_int_eq(ac_config_int(cfg, "api.extra", 0), 3);
	ck_assert_int_eq(ac_config_int(cfg, "level", 0), 2);
	/* An error in a merged setting names the fragment and its line. */
	ck_assert_int_eq(
	        ac_config_get_int(cfg, "judge.workers", &v, err, sizeof(err)),
	        -EINVAL);
	ck_assert_msg(strstr(err, "30-types.conf:3"), "message: %s", err);
	ac_config_free(cfg);
}
END_TEST

START_TEST(test_include_dir_error)
{
	char err[1024], path[8192];

	write_file("m.conf", "include_dir = \"m.d\";\n");
	snprintf(path, sizeof(path), "%s/m.d", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	write_file("m.d/01.conf", "ok = 1;\n");
	write_file("m.d/02.conf", "ok = 1;\n\nbroken = [;\n");
	load("m.conf", NULL, 0, -EINVAL, err, sizeof(err));
	ck_assert_msg(strstr(err, "02.conf:3"), "message: %s", err);
}
END_TEST

START_TEST(test_missing_include_dir_is_fine)
{
	char err[1024];
	struct ac_config *cfg;

	write_file("n.conf", "include_dir = \"none.d\";\nx = 1;\n");
	cfg = load("n.conf", NULL, 0, 0, err, sizeof(err));
	ck_assert_int_eq(ac_config_int(cfg, "x", 0), 1);
	ac_config_free(cfg);
}
END_TEST

START_TEST(test_overrides)
{
	char err[1024];
	struct ac_config *cfg;
	const char *ov[] = {
	        "transport.plugin=nats", /* bare word: a string */
	        "judge.workers=8",       /* a number */
	        "api.rate=0.25",
	        "api.on=false",
	        "api.quoted=\"a b\"",
	        "new.group.deep=yes", /* creates the groups; "yes" a string */
	        "store.path=/tmp/x y.db", /* not a libconfig value: a string */
	        "lang.plugins=[\"cpp\", \"c\"]",
	        "empty=",
	};
	const char **list;

	write_file("o.conf", "transport = { plugin = \"inproc\"; };\n"
	                     "judge = { workers = 2; };\n");
	cfg = load("o.conf", ov, sizeof(ov) / sizeof(ov[0]), 0, err,
	           sizeof(err));
	ck_assert_str_eq(ac_config_string(cfg, "transport.plugin", ""), "nats");
	ck_assert_int_eq(ac_config_int(cfg, "judge.workers", 0), 8);
	ck_assert(ac_config_float(cfg, "api.rate", 0) == 0.25);
	ck_assert(!ac_config_bool(cfg, "api.on", true));
	ck_assert_str_eq(ac_config_string(cfg, "api.quoted", ""), "a b");
	ck_assert_str_eq(ac_config_string(cfg, "new.group.deep", ""), "yes");
	ck_assert_str_eq(ac_config_string(cfg, "store.path", ""),
	                 "/tmp/x y.db");
	ck_assert_str_eq(ac_config_string(cfg, "empty", "x"), "");
	list = ac_config_string_list(cfg, "lang.plugins");
	ck_assert_str_eq(list[1], "c");
	free(list);
	ac_config_free(cfg);
}
END_TEST

START_TEST(test_override_errors)
{
	char err[1024];
	const char *bad1[] = {"noequals"};
	const char *bad2[] = {".a=1"};
	const char *bad3[] = {"a..b=1"};
	const char *ok[] = {"judge.workers=\"two\""};
	struct ac_config *cfg;
	long long v;

	write_file("e.conf", "x = 1;\n");
	load("e.conf", bad1, 1, -EINVAL, err, sizeof(err));
	ck_assert_msg(strstr(err, "noequals"), "message: %s", err);
	load("e.conf", bad2, 1, -EINVAL, err, sizeof(err));
	load("e.conf", bad3, 1, -EINVAL, err, sizeof(err));
	/* A wrong type coming from -o names the override. */
	cfg = load("e.conf", ok, 1, 0, err, sizeof(err));
	ck_assert_int_eq(
	        ac_config_get_int(cfg, "judge.workers", &v, err, sizeof(err)),
	        -EINVAL);
	ck_assert_msg(strstr(err, "-o judge.workers="), "message: %s", err);
	ac_config_free(cfg);
}
END_TEST

START_TEST(test_override_beats_include)
{
	char err[1024], path[8192];
	const char *ov[] = {"api.listen=cli"};
	struct ac_config *cfg;

	write_file("p.conf",
	           "include_dir = \"p.d\";\napi = { listen = \"main\"; };\n");
	snprintf(path, sizeof(path), "%s/p.d", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	write_file("p.d/a.conf", "api = { listen = \"frag\"; };\n");
	cfg = load("p.conf", ov, 1, 0, err, sizeof(err));
	ck_assert_str_eq(ac_config_string(cfg, "api.listen", ""), "cli");
	ac_config_free(cfg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_checked_fixture(tc, setup, teardown);
	AC_ADD_TESTS(tc, test_basic_values,
	             test_syntax_error_names_file_and_line, test_missing_file,
	             test_wrong_type_names_file_and_line,
	             test_include_dir_sorted_order, test_include_dir_error,
	             test_missing_include_dir_is_fine, test_overrides,
	             test_override_errors, test_override_beats_include);
	suite_add_tcase(s, tc);
	return ac_check_run(s);
}
