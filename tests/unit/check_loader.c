/* Plugin loader: ABI refusal, kind and name checks, host table, unload. */
#include "config.h"
#include "core.h"
#include "loader.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check_run.h"

static char plugdir[4096]; /* tests/plugins/.libs of the build tree */
static char tmpdir[4096];  /* <kind>/<name>.so layout for ac_plugin_load */

static void setup(void)
{
	const char *b = getenv("top_builddir");
	char p[8192];

	snprintf(plugdir, sizeof(plugdir), "%s/tests/plugins/.libs",
	         b ? b : ".");
	ac_check_mkdtemp(tmpdir, sizeof(tmpdir), NULL, "ac-loader-XXXXXX");
	snprintf(p, sizeof(p), "%s/lang", tmpdir);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	{
		char from[8192], to[8192];
		snprintf(from, sizeof(from), "%s/goodlang.so", plugdir);
		snprintf(to, sizeof(to), "%s/lang/goodlang.so", tmpdir);
		ck_assert_int_eq(symlink(from, to), 0);
		snprintf(from, sizeof(from), "%s/badabi.so", plugdir);
		snprintf(to, sizeof(to), "%s/lang/badabi.so", tmpdir);
		ck_assert_int_eq(symlink(from, to), 0);
		snprintf(to, sizeof(to), "%s/lang/adir.so", tmpdir);
		ck_assert_int_eq(mkdir(to, 0755), 0);
	}
}

static void teardown(void)
{
	ac_check_rmtree(tmpdir);
}

START_TEST(test_wrong_abi_refused)
{
	struct ac_loaded *p = NULL;
	char path[8192], err[1024] = "";
	int r;

	snprintf(path, sizeof(path), "%s/badabi.so", plugdir);
	r = ac_plugin_open(path, AC_KIND_LANG, "badabi", &p, err, sizeof(err));
	ck_assert_int_eq(r, -EPROTO);
	ck_assert_ptr_null(p);
	{
		char got[64], need[64];

		snprintf(got, sizeof(got), "ABI version %u",
		         AC_ABI_VERSION + 41);
		snprintf(need, sizeof(need), "needs %u", AC_ABI_VERSION);
		ck_assert_msg(strstr(err, got) && strstr(err, need),
		              "message: %s", err);
	}
	ck_assert_ptr_nonnull(strstr(err, "badabi.so"));
}
END_TEST

/* A plugin built against an older minor ABI (a shorter operations
 * table) loads, and the members it did not know are NULL in the table
 * the core calls; its own version is kept. */
START_TEST(test_older_minor_loads)
{
	struct ac_loaded *p = NULL;
	const struct ac_lang_ops *ops;
	char path[8192], err[1024] = "";
	void *state = NULL;

	snprintf(path, sizeof(path), "%s/oldops.so", plugdir);
	ck_assert_msg(ac_plugin_open(path, AC_KIND_LANG, "oldops", &p, err,
	                             sizeof(err)) == 0,
	              "%s", err);
	ops = p->ops;
	ck_assert_ptr_nonnull(ops->info);
	ck_assert_ptr_null(ops->classify);
	ck_assert_ptr_null(ops->run_argv);
	ck_assert_uint_lt(p->desc->ops_size, sizeof(struct ac_lang_ops));
	ck_assert_str_eq(p->desc->version, "0.9");
	/* Its descriptor ends before `settings`: never read. */
	ck_assert_uint_eq(p->desc->abi_minor, 1);
	ck_assert_ptr_null(ac_plugin_settings(p->desc));
	ck_assert_int_eq(ops->init(ac_host_table(), &p->ctx, &state), 0);
	ck_assert_str_eq(ops->info(state)->name, "oldops");
	ops->fini(state);
	ac_plugin_unload(p);
}
END_TEST

/* One built against a newer minor than the core's is refused, saying
 * both. */
START_TEST(test_newer_minor_refused)
{
	struct ac_loaded *p = NULL;
	char path[8192], err[1024] = "", want[64];

	snprintf(path, sizeof(path), "%s/newminor.so", plugdir);
	ck_assert_int_eq(ac_plugin_open(path, AC_KIND_LANG, "newminor", &p, err,
	                                sizeof(err)),
	                 -EPROTO);
	ck_assert_ptr_null(p);
	snprintf(want, sizeof(want), "ABI %u.%u, newer", AC_ABI_VERSION,
	         AC_ABI_MINOR + 1);
	ck_assert_msg(strstr(err, want), "message: %s", err);
}
END_TEST

/* Load goodlang from tmpdir with CORE on the configuration text CONF
 * (*CFG for the caller to free): ac_plugin_load's result. */
static int load_goodlang(struct ac_core *core, const char *conf,
                         struct ac_config **cfg, struct ac_loaded **p,
                         char *err, size_t len)
{
	ck_assert_int_eq(
	        ac_config_load_string("t", conf, NULL, 0, cfg, err, len), 0);
	memset(core, 0, sizeof(*core));
	core->cfg = *cfg;
	return ac_plugin_load(core, tmpdir, AC_KIND_LANG, "goodlang",
	                      "lang.goodlang", p, err, len);
}

START_TEST(test_good_plugin_loads)
{
	struct ac_core core;
	struct ac_config *cfg;
	struct ac_loaded *p = NULL;
	const struct ac_lang_ops *ops;
	char err[1024];

	ck_assert_int_eq(load_goodlang(&core,
	                               "lang = { goodlang = { display = "
	                               "\"Shown\"; }; };",
	                               &cfg, &p, err, sizeof(err)),
	                 0);
	ops = p->desc->ops;
	ck_assert_str_eq(ops->info(p->state)->display, "Shown");
	ck_assert_str_eq(p->ctx.log_prefix, "lang/goodlang");
	ac_plugin_unload(p);
	ac_config_free(cfg);
}
END_TEST

START_TEST(test_init_failure_unloads)
{
	struct ac_core core;
	struct ac_config *cfg;
	struct ac_loaded *p = NULL;
	char err[1024];

	ck_assert_int_eq(load_goodlang(&core,
	                               "lang = { goodlang = { fail = 1; }; };",
	                               &cfg, &p, err, sizeof(err)),
	                 -EINVAL);
	ck_assert_ptr_null(p);
	ck_assert_msg(strstr(err, "failed to start"), "message: %s", err);
	ac_config_free(cfg);
}
END_TEST

START_TEST(test_wrong_kind_and_name)
{
	struct ac_loaded *p = NULL;
	char path[8192], err[1024];

	snprintf(path, sizeof(path), "%s/goodlang.so", plugdir);
	ck_assert_int_eq(ac_plugin_open(path, AC_KIND_STORE, "goodlang", &p,
	                                err, sizeof(err)),
	                 -EINVAL);
	ck_assert_msg(strstr(err, "is a lang plugin, expected a store plugin"),
	              "message: %s", err);
	ck_assert_int_eq(ac_plugin_open(path, AC_KIND_LANG, "other", &p, err,
	                                sizeof(err)),
	                 -EINVAL);
	ck_assert_msg(strstr(err, "calls itself \"goodlang\""), "message: %s",
	              err);
	ck_assert_ptr_null(p);
}
END_TEST

START_TEST(test_missing_and_not_regular)
{
	struct ac_core core;
	struct ac_loaded *p = NULL;
	char err[1024];

	memset(&core, 0, sizeof(core));
	ck_assert_int_eq(ac_plugin_load(&core, tmpdir, AC_KIND_LANG, "nosuch",
	                                "lang.nosuch", &p, err, sizeof(err)),
	                 -ENOENT);
	ck_assert_msg(strstr(err, "nosuch.so"), "message: %s", err);
	ck_assert_int_eq(ac_plugin_load(&core, tmpdir, AC_KIND_LANG, "adir",
	                                "lang.adir", &p, err, sizeof(err)),
	                 -EINVAL);
	ck_assert_msg(strstr(err, "not a regular file"), "message: %s", err);
	ck_assert_int_eq(ac_plugin_load(&core, tmpdir, AC_KIND_LANG, "../x",
	                                "lang.x", &p, err, sizeof(err)),
	                 -EINVAL);
	ck_assert_msg(strstr(err, "not valid"), "message: %s", err);
}
END_TEST

START_TEST(test_not_a_plugin)
{
	struct ac_loaded *p = NULL;
	char err[1024];

	/* libc is a shared object but not an Algocode plugin. */
	ck_assert_int_eq(ac_plugin_open("/lib/x86_64-linux-gnu/libc.so.6",
	                                AC_KIND_LANG, "libc", &p, err,
	                                sizeof(err)),
	                 -ENOEXEC);
	ck_assert_msg(strstr(err, "not an Algocode plugin"), "message: %s",
	              err);
	/* A text file is not loadable at all. */
	{
		char path[8192];
		FILE *f;
		snprintf(path, sizeof(path), "%s/lang/text.so", tmpdir);
		f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		fputs("not a shared object\n", f);
		fclose(f);
		ck_assert_int_eq(ac_plugin_open(path, AC_KIND_LANG, "text", &p,
		                                err, sizeof(err)),
		                 -ENOEXEC);
		ck_assert_msg(strstr(err, "text.so"), "message: %s", err);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("loader");

	AC_TCASE(s, "loader", setup, teardown, 0, test_wrong_abi_refused,
	         test_older_minor_loads, test_newer_minor_refused,
	         test_good_plugin_loads, test_init_failure_unloads,
	         test_wrong_kind_and_name, test_missing_and_not_regular,
	         test_not_a_plugin);
	return ac_check_run(s);
}
