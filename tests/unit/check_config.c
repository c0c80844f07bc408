/* Configuration: files, include directory order, overrides, errors. */
#include "config.h"
#include "settings.h"

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
	ac_check_mkdtemp(dir, sizeof(dir), NULL, "ac-config-XXXXXX");
}

static void teardown(void)
{
	ac_check_rmtree(dir);
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

/* mkdir DIR/NAME (an include directory of the test's files). */
static void make_dir(const char *name)
{
	char path[8192];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(mkdir(path, 0755), 0);
}

/* GOT must be REL's message with the test directory before it: the file
 * names the checker reports are the full paths. */
#define ck_assert_dir_msg(got, rel)                                            \
	do {                                                                   \
		char want_[9000];                                              \
		snprintf(want_, sizeof(want_), "%s/%s", dir, (rel));           \
		ck_assert_str_eq((got), want_);                                \
	} while (0)

/* ERR, a message, must name WANT. */
#define ck_assert_names(err, want)                                             \
	ck_assert_msg(strstr((err), (want)), "message: %s", (err))

/* Reading KEY as an integer must be refused, the message in ERR. */
static void get_int_refused(struct ac_config *cfg, const char *key, char *err,
                            size_t errlen)
{
	long long v;

	ck_assert_int_eq(ac_config_get_int(cfg, key, &v, err, errlen), -EINVAL);
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
	ck_assert_names(err, "bad.conf:2");
}
END_TEST

START_TEST(test_missing_file)
{
	char err[1024];

	load("nothere.conf", NULL, 0, -EINVAL, err, sizeof(err));
	ck_assert_names(err, "nothere.conf");
	ck_assert_names(err, "cannot read");
}
END_TEST

START_TEST(test_wrong_type_names_file_and_line)
{
	char err[1024];
	struct ac_config *cfg;

	write_file("t.conf", "x = 1;\njudge = {\n  workers = \"two\";\n};\n");
	cfg = load("t.conf", NULL, 0, 0, err, sizeof(err));
	get_int_refused(cfg, "judge.workers", err, sizeof(err));
	ck_assert_names(err, "t.conf:3");
	ck_assert_names(err, "judge.workers");
	ck_assert_names(err, "an integer");
	ac_config_free(cfg);
}
END_TEST

START_TEST(test_include_dir_sorted_order)
{
	char err[1024];
	struct ac_config *cfg;

	write_file("main.conf",
	           "include_dir = \"main.d\";\n"
	           "api = { listen = \"a\"; keep = 1; };\nlevel = 1;\n");
	make_dir("main.d");
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
	get_int_refused(cfg, "judge.workers", err, sizeof(err));
	ck_assert_names(err, "30-types.conf:3");
	ac_config_free(cfg);
}
END_TEST

START_TEST(test_include_dir_error)
{
	char err[1024];

	write_file("m.conf", "include_dir = \"m.d\";\n");
	make_dir("m.d");
	write_file("m.d/01.conf", "ok = 1;\n");
	write_file("m.d/02.conf", "ok = 1;\n\nbroken = [;\n");
	load("m.conf", NULL, 0, -EINVAL, err, sizeof(err));
	ck_assert_names(err, "02.conf:3");
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

	write_file("e.conf", "x = 1;\n");
	load("e.conf", bad1, 1, -EINVAL, err, sizeof(err));
	ck_assert_names(err, "noequals");
	load("e.conf", bad2, 1, -EINVAL, err, sizeof(err));
	load("e.conf", bad3, 1, -EINVAL, err, sizeof(err));
	/* A wrong type coming from -o names the override. */
	cfg = load("e.conf", ok, 1, 0, err, sizeof(err));
	get_int_refused(cfg, "judge.workers", err, sizeof(err));
	ck_assert_names(err, "-o judge.workers=");
	ac_config_free(cfg);
}
END_TEST

START_TEST(test_override_beats_include)
{
	char err[1024];
	const char *ov[] = {"api.listen=cli"};
	struct ac_config *cfg;

	write_file("p.conf",
	           "include_dir = \"p.d\";\napi = { listen = \"main\"; };\n");
	make_dir("p.d");
	write_file("p.d/a.conf", "api = { listen = \"frag\"; };\n");
	cfg = load("p.conf", ov, 1, 0, err, sizeof(err));
	ck_assert_str_eq(ac_config_string(cfg, "api.listen", ""), "cli");
	ac_config_free(cfg);
}
END_TEST

/* The errors the checker reports, in order. */
struct errs {
	char msg[8][400];
	unsigned n;
};

static void errs_cb(void *arg, const char *msg)
{
	struct errs *e = arg;

	if (e->n < 8)
		snprintf(e->msg[e->n], sizeof(e->msg[0]), "%s", msg);
	e->n++;
}

static void unused_cb(void *arg, const char *name, const char *origin)
{
	struct errs *e = arg;

	if (e->n < 8)
		snprintf(e->msg[e->n], sizeof(e->msg[0]), "lang.%s at %s", name,
		         origin);
	e->n++;
}

/* A plugin's table as a language declares it. */
static const struct ac_setting test_table[] = {
        {"flags", AC_SETTING_STRING, NULL, 0, 0, "compiler flags"},
        {"level", AC_SETTING_INT, "3", 1, 5, "a level"},
        {"ratio", AC_SETTING_FLOAT, "1", 0.5, 2, "a ratio"},
        {"tags", AC_SETTING_LIST, NULL, 0, 0, "tags"},
        {"on", AC_SETTING_BOOL, "true", 0, 0, "a switch"},
        {NULL, 0, NULL, 0, 0, NULL},
};

/* GROUP checked against test_table as PLUGIN's: N errors, kept in E. */
static void check_group(struct ac_config *cfg, const char *group,
                        const char *plugin, struct errs *e, unsigned n)
{
	ck_assert_uint_eq(ac_settings_check_group(cfg, group, plugin,
	                                          test_table, errs_cb, e),
	                  n);
}

/* The core's settings: an unknown key, a wrong type and a value out of
 * range, each with its file and line, from the file, a fragment and -o. */
START_TEST(test_settings_core)
{
	char err[1024];
	const char *ov[] = {"api.result_wait_s=301", "http.fd_reserve=64",
	                    "lang.cp.flags=x"};
	struct ac_config *cfg;
	struct errs e = {0};

	write_file("s.conf",
	           "include_dir = \"s.d\";\n"
	           "api = {\n"
	           "  lisen = \"127.0.0.1:1\";\n"
	           "  max_source_kb = 0;\n"
	           "};\n"
	           "judge = { workers = \"two\"; };\n"
	           "lang = { plugins = [\"cpp\"]; cpp = { x = 1; }; };\n"
	           "sandbox = { allow_degraded = 1; uid = 5; };\n");
	make_dir("s.d");
	write_file("s.d/10-site.conf", "\nlog = { levle = \"debug\"; };\n");
	cfg = load("s.conf", ov, 3, 0, err, sizeof(err));
	ck_assert_uint_eq(ac_settings_check_core(cfg, errs_cb, &e), 6);
	ck_assert_uint_eq(e.n, 6);
	ck_assert_dir_msg(e.msg[0], "s.conf:3: api.lisen: unknown setting (did "
	                            "you mean api.listen?)");
	ck_assert_dir_msg(
	        e.msg[1],
	        "s.conf:4: api.max_source_kb: 0 is out of range (1 to 65536)");
	ck_assert_str_eq(e.msg[2], "-o api.result_wait_s=301: "
	                           "api.result_wait_s: 301 is out of range (0 "
	                           "to 300)");
	ck_assert_dir_msg(
	        e.msg[3],
	        "s.conf:6: judge.workers: must be an integer, not a string");
	/* lang.cpp belongs to its plugin, lang.cp too (not loaded:
	 * ac_settings_unused_langs); sandbox.uid is the plugin's,
	 * allow_degraded the core's. */
	ck_assert_dir_msg(e.msg[4],
	                  "s.conf:8: sandbox.allow_degraded: must be a boolean "
	                  "(true or false), not an integer");
	ck_assert_dir_msg(e.msg[5], "s.d/10-site.conf:2: log.levle: unknown "
	                            "setting (did you mean log.level?)");
	e.n = 0;
	ac_settings_unused_langs(cfg, unused_cb, &e);
	ck_assert_uint_eq(e.n, 1);
	ck_assert_str_eq(e.msg[0], "lang.cp at -o lang.cp.flags=x");
	ac_config_free(cfg);
}
END_TEST

/* A plugin's group against its table: a typo, a wrong type, a value out
 * of range, each with file:line or the override; the core's own keys in
 * the group are left to the core's check. */
START_TEST(test_settings_plugin_group)
{
	char err[1024];
	const char *ov[] = {"lang.x.flgs=-O3", "lang.x.level=3000000000"};
	struct ac_config *cfg;
	struct errs e = {0};

	write_file("p.conf", "lang = {\n"
	                     "  plugins = [\"x\"];\n"
	                     "  x = {\n"
	                     "    flags = 3;\n"
	                     "    ratio = \"1.5\";\n"
	                     "    tags = [\"a\", \"b\"];\n"
	                     "    on = \"yes\";\n"
	                     "  };\n"
	                     "};\n"
	                     "sandbox = { plugin = \"ns\"; allow_degraded = "
	                     "true; ratio = 9.5; };\n");
	cfg = load("p.conf", ov, 2, 0, err, sizeof(err));
	ck_assert_uint_eq(ac_settings_check_core(cfg, errs_cb, &e), 0);
	check_group(cfg, "lang.x", "lang/x", &e, 4);
	ck_assert_dir_msg(
	        e.msg[0],
	        "p.conf:4: lang.x.flags: must be a string, not an integer");
	ck_assert_dir_msg(e.msg[1], "p.conf:7: lang.x.on: must be a boolean "
	                            "(true or false), not a string");
	ck_assert_str_eq(e.msg[2], "-o lang.x.flgs=-O3: lang.x.flgs: unknown "
	                           "setting of lang/x (did you mean "
	                           "lang.x.flags?)");
	/* Beyond 32 bits, exactly (not wrapped). */
	ck_assert_str_eq(e.msg[3], "-o lang.x.level=3000000000: lang.x.level: "
	                           "3000000000 is out of range (1 to 5)");
	e.n = 0;
	check_group(cfg, "sandbox", "sandbox/t", &e, 1);
	ck_assert_dir_msg(
	        e.msg[0],
	        "p.conf:10: sandbox.ratio: 9.5 is out of range (0.5 to 2)");
	ac_config_free(cfg);
}
END_TEST

/* The core's readers: the value, else the table's default. */
START_TEST(test_settings_readers)
{
	char err[1024];
	const char *ov[] = {"api.max_source_kb=128", "auth.login_per_s=\"0.5\"",
	                    "api.max_url_bytes=9999999999"};
	struct ac_config *cfg;
	long long v;
	double d;

	write_file("r.conf", "x = 1;\n");
	cfg = load("r.conf", ov, 3, 0, err, sizeof(err));
	ck_assert_int_eq(
	        ac_settings_int(cfg, "api.max_source_kb", &v, err, sizeof(err)),
	        0);
	ck_assert_int_eq(v, 128);
	ck_assert_int_eq(
	        ac_settings_int(cfg, "judge.workers", &v, err, sizeof(err)), 0);
	ck_assert_int_eq(v, 2);
	ck_assert_int_eq(
	        ac_settings_int(cfg, "api.max_body_kb", &v, err, sizeof(err)),
	        -ENOENT);
	ck_assert_int_eq(ac_settings_float(cfg, "auth.login_per_s", &d, err,
	                                   sizeof(err)),
	                 0);
	ck_assert(d == 0.5);
	ck_assert_int_eq(
	        ac_settings_float(cfg, "api.rate_per_s", &d, err, sizeof(err)),
	        0);
	ck_assert(d == 0.05);
	ck_assert_int_eq(
	        ac_settings_int(cfg, "api.max_url_bytes", &v, err, sizeof(err)),
	        -EINVAL);
	ck_assert_str_eq(err, "-o api.max_url_bytes=9999999999: "
	                      "api.max_url_bytes: 9999999999 is out of range "
	                      "(64 to 1048576)");
	ac_config_free(cfg);
}
END_TEST

/* KEY reads as the integer WANT. */
static void int_is(const struct ac_config *cfg, const char *key, long long want)
{
	char err[1024];
	long long v = 0;

	ck_assert_msg(ac_config_get_int(cfg, key, &v, err, sizeof(err)) == 0,
	              "%s: %s", key, err);
	ck_assert_int_eq(v, want);
}

/* -o reads an integer exactly, or refuses it; libconfig would wrap it. */
START_TEST(test_override_wide_integers)
{
	char err[1024];
	const char *ov[] = {"a.big=3000000000", "a.neg=-3000000000",
	                    "a.hex=0x1FFFFFFFF", "a.small=42"};
	const char *huge[] = {"a.huge=99999999999999999999"};
	struct ac_config *cfg;

	write_file("w.conf", "x = 1;\n");
	cfg = load("w.conf", ov, 4, 0, err, sizeof(err));
	int_is(cfg, "a.big", 3000000000LL);
	int_is(cfg, "a.neg", -3000000000LL);
	int_is(cfg, "a.hex", 0x1FFFFFFFFLL);
	int_is(cfg, "a.small", 42);
	ac_config_free(cfg);
	load("w.conf", huge, 1, -EINVAL, err, sizeof(err));
	ck_assert_str_eq(err, "-o a.huge=99999999999999999999: the integer is "
	                      "out of range (a 64-bit integer)");
}
END_TEST

/* In a file, libconfig 1.5 wraps an integer beyond 32 bits (4294967298
 * read as 2): such a literal is an error at its line, in the main file
 * and in an include fragment; with L it is read exactly; numbers in
 * strings, comments, names and floats are not integers. */
START_TEST(test_file_wide_integers)
{
	static const struct {
		const char *file, *text, *msg;
	} bad[] = {
	        {"g.conf", "a = {\n  ok = 1;\n  w = 4294967298;\n};\n",
	         "g.conf:3: the integer 4294967298 does not fit in 32 bits: "
	         "write 4294967298L for a 64-bit integer"},
	        {"n.conf", "l = [1, -3000000000];\n",
	         "n.conf:1: the integer -3000000000 does not fit in 32 bits: "
	         "write -3000000000L for a 64-bit integer"},
	        {"wide.d/10-x.conf", "x = { y = 0x100000000; };\n",
	         "wide.d/10-x.conf:1: the integer 0x100000000 does not fit in "
	         "32 bits: write 0x100000000L for a 64-bit integer"},
	};
	char err[1024];
	struct ac_config *cfg;
	double d;

	write_file("f.conf",
	           "# 9999999999 in a comment\n"
	           "a = { name9999999999 = \"9999999999\"; // 8888888888\n"
	           "  /* 7777777777\n     6666666666 */ f = 1e12;\n"
	           "  big = 5000000000L; neg = -2147483648; h = 0x7fffffff;\n"
	           "};\n");
	cfg = load("f.conf", NULL, 0, 0, err, sizeof(err));
	int_is(cfg, "a.big", 5000000000LL);
	int_is(cfg, "a.neg", -2147483648LL);
	int_is(cfg, "a.h", 0x7fffffff);
	ck_assert_int_eq(ac_config_get_float(cfg, "a.f", &d, err, sizeof(err)),
	                 0);
	ck_assert(d == 1e12);
	ac_config_free(cfg);

	/* The fragment through include_dir, the others as the main file. */
	make_dir("wide.d");
	write_file("m.conf", "include_dir = \"wide.d\";\n");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(bad[i].file, bad[i].text);
		load(strchr(bad[i].file, '/') ? "m.conf" : bad[i].file, NULL, 0,
		     -EINVAL, err, sizeof(err));
		ck_assert_dir_msg(err, bad[i].msg);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config");

	AC_TCASE(s, "config", setup, teardown, 0, test_basic_values,
	         test_syntax_error_names_file_and_line, test_missing_file,
	         test_wrong_type_names_file_and_line,
	         test_include_dir_sorted_order, test_include_dir_error,
	         test_missing_include_dir_is_fine, test_overrides,
	         test_override_errors, test_override_beats_include,
	         test_settings_core, test_settings_plugin_group,
	         test_settings_readers, test_override_wide_integers,
	         test_file_wide_integers);
	return ac_check_run(s);
}
