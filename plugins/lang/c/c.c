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
 * `<compiler> -dumpfullversion` run once at init, without a shell.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pipe2 */
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algocode/plugin.h>

#include "../common/lang_common.h"

#define C_DEFAULT_COMPILER "/usr/bin/gcc"
#define C_MAX_FLAGS        32
#define C_MAX_FLAGS_LEN    1024
/* Processes+threads of a run.  CPU time is accounted over all threads, so
 * threads buy nothing against the time limit; 4 lets a program (or a C
 * runtime) start a helper thread or two and still stops fork bombs. */
#define C_RUN_PROCESSES 4

struct c_state {
	const struct ac_host *host;
	struct ac_plugin_ctx *ctx;
	struct ac_lang_info info;
	char *compiler;
	char *flags; /* tokenised in place; compile_argv points in it */
	const char **compile_argv;
	const char *run_argv[2];
	const char *envp[5];
	char version[64];
};

#define c_log(st, lvl, ...) (st)->host->log((st)->ctx, (lvl), __VA_ARGS__)

static const struct ac_lang_info *c_info(void *state)
{
	struct c_state *st = state;

	return &st->info;
}

static int c_version(struct c_state *st)
{
	return lc_gnu_version(st->host, st->ctx, st->compiler, "gcc",
	                      st->version, sizeof(st->version));
}

/* Split the `flags` setting in place and build compile_argv. */
static int c_build_argv(struct c_state *st)
{
	/* No -pipe: with it, cc1 writes to a pipe of its own whose read
	 * end `#include "/dev/stdout"` reopens, and reads until the wall
	 * limit.  Without it, the compiler's streams are the sandbox's
	 * pipes, which belong to root: /dev/stdout, /dev/stderr cannot be
	 * opened (docs/security.md). */
	static const char *const head[] = {"-O2", "-std=gnu11"};
	static const char *const tail[] = {"-o", "/box/main", "/box/main.c",
	                                   "-lm"};
	const char *extra[C_MAX_FLAGS];
	size_t nextra, n = 0, total;
	int ret;

	ret = lc_split_flags(st->host, st->ctx, "c", st->flags, extra,
	                     C_MAX_FLAGS, C_MAX_FLAGS_LEN, &nextra);
	if (ret < 0)
		return ret;
	total = 1 + 3 + nextra + 4 + 1;
	st->compile_argv = calloc(total, sizeof(*st->compile_argv));
	if (!st->compile_argv)
		return -ENOMEM;
	st->compile_argv[n++] = st->compiler;
	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		st->compile_argv[n++] = head[i];
	for (size_t i = 0; i < nextra; i++)
		st->compile_argv[n++] = extra[i];
	for (size_t i = 0; i < 4; i++)
		st->compile_argv[n++] = tail[i];
	st->compile_argv[n] = NULL;
	return 0;
}

static void c_fini(void *state)
{
	struct c_state *st = state;

	if (!st)
		return;
	free(st->compile_argv);
	free(st->flags);
	free(st->compiler);
	free(st);
}

static int c_init(const struct ac_host *host, struct ac_plugin_ctx *ctx,
                  void **state)
{
	struct c_state *st;
	struct ac_lang_info *in;
	int ret;

	*state = NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->host = host;
	st->ctx = ctx;
	ret = host->conf_string(ctx, "compiler", &st->compiler);
	if (ret == -ENOENT) {
		st->compiler = strdup(C_DEFAULT_COMPILER);
		ret = st->compiler ? 0 : -ENOMEM;
	} else if (ret < 0) {
		c_log(st, AC_LOG_ERROR, "lang.c.compiler must be a string");
	}
	if (ret < 0)
		goto fail;
	ret = host->conf_string(ctx, "flags", &st->flags);
	if (ret == -ENOENT) {
		st->flags = NULL;
		ret = 0;
	} else if (ret < 0) {
		c_log(st, AC_LOG_ERROR, "lang.c.flags must be a string");
		goto fail;
	}
	ret = lc_check_tool(host, ctx, "lang.c.compiler", st->compiler);
	if (ret < 0)
		goto fail;
	ret = lc_conf_multiplier(host, ctx, "time_multiplier",
	                         &st->info.time_multiplier);
	if (ret == 0)
		ret = lc_conf_multiplier(host, ctx, "memory_multiplier",
		                         &st->info.memory_multiplier);
	if (ret < 0)
		goto fail;
	ret = c_build_argv(st);
	if (ret < 0)
		goto fail;
	ret = c_version(st);
	if (ret < 0)
		goto fail;
	st->run_argv[0] = "/box/main";
	st->run_argv[1] = NULL;
	lc_base_env(st->envp);
	in = &st->info;
	lc_set_info(in, "c", "C11 (GNU gcc)", "main.c", st->compile_argv,
	            st->run_argv, st->envp);
	in->compile_limits = lc_gnu_compile_limits();
	in->run_processes = C_RUN_PROCESSES;
	in->version = st->version;
	c_log(st, AC_LOG_DEBUG, "%s (%s)", st->version, st->compiler);
	*state = st;
	return 0;
fail:
	c_fini(st);
	return ret;
}

static const struct ac_lang_ops c_ops = {
        .init = c_init,
        .fini = c_fini,
        .info = c_info,
};

static const struct ac_setting c_settings[] = {
        {"compiler", AC_SETTING_STRING, C_DEFAULT_COMPILER, 0, 0,
         "the C compiler (absolute path); missing: the language is skipped"},
        {"flags", AC_SETTING_STRING, NULL, 0, 0,
         "compiler flags in place of the default ones (split at spaces)"},
        LC_MULTIPLIER_SETTINGS,
        {NULL, 0, NULL, 0, 0, NULL},
};

AC_PLUGIN_DEFINE_SETTINGS(AC_KIND_LANG, "c", "C11 compiled with GNU gcc",
                          PACKAGE_VERSION, c_ops, c_settings);
