/* lang/c: C11 with GNU gcc.
 *
 * Settings (group `lang.c`):
 *   compiler  absolute path of gcc (default /usr/bin/gcc); it must exist and
 *             be executable here, and the sandbox must show it at the same
 *             path (it binds /usr read-only).  When it does not exist, init
 *             returns -ENOPKG and the core serves the other languages.
 *   time_multiplier, memory_multiplier  (default 1) applied to the
 *             problem's limits.
 *   flags     extra compiler flags, space-separated, each starting with '-'
 *             (default none); they go before "-o".
 *
 * Programs are linked with -lm.  The version string ("gcc 12.2.0") comes from
 * `<compiler> -dumpfullversion` run once at init, without a shell.  All
 * but the command line is shared with lang/cpp: lang_common.h, lc_gnu_*.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pipe2 */
#endif
#include <algocode/plugin.h>

#include "../common/lang_common.h"

#define C_DEFAULT_COMPILER "/usr/bin/gcc"

/* gcc -O2 -std=gnu11 <flags> -o /box/main /box/main.c -lm */
static int c_setup(struct lc_gnu *st)
{
	static const char *const head[] = {"-O2", "-std=gnu11", NULL};
	static const char *const tail[] = {"-o", "/box/main", "/box/main.c",
	                                   "-lm", NULL};
	size_t n;
	int ret;

	ret = lc_gnu_setup(st, "c", C_DEFAULT_COMPILER, "gcc");
	if (ret == 0)
		ret = lc_gnu_argv(st, head, 4, &n);
	if (ret < 0)
		return ret;
	lc_argv_add(st->compile_argv, &n, tail);
	lc_gnu_finish(st, "C11 (GNU gcc)", "main.c");
	return 0;
}

static void c_fini(void *state)
{
	struct lc_gnu *st = state;

	if (!st)
		return;
	lc_gnu_free(st);
	free(st);
}

PU_DEFINE_INIT(c_init, struct lc_gnu, c_setup, c_fini)

static const struct ac_lang_ops c_ops = {
        .init = c_init,
        .fini = c_fini,
        .info = lc_gnu_info,
};

static const struct ac_setting c_settings[] = {
        LC_GNU_SETTINGS(C_DEFAULT_COMPILER, "C"),
        LC_MULTIPLIER_SETTINGS,
        AC_SETTINGS_END,
};

AC_PLUGIN_DEFINE_SETTINGS(AC_KIND_LANG, "c", "C11 compiled with GNU gcc",
                          PACKAGE_VERSION, c_ops, c_settings);
