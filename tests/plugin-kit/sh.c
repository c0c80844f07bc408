/* An example language plugin built out of tree against an installed
 * Algocode: POSIX shell scripts run by /bin/sh, no compile step.
 *
 *   cc $(pkg-config --cflags algocode-plugin) -fPIC -shared -o sh.so sh.c
 *
 * Install it as <plugins.dir>/lang/sh.so and list "sh" in lang.plugins. */
#include <algocode/plugin.h>

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

struct sh_state {
	struct ac_lang_info info;
};

static const char *const sh_run[] = {"/bin/sh", "/box/main.sh", NULL};

static int sh_init(const struct ac_host *host, struct ac_plugin_ctx *ctx,
                   void **state)
{
	struct sh_state *st;

	*state = NULL;
	if (access("/bin/sh", X_OK) < 0)
		return -ENOPKG; /* the core skips the language */
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->info.name = "sh";
	st->info.display = "POSIX shell (/bin/sh)";
	st->info.source_file = "main.sh";
	st->info.compile_argv = NULL; /* nothing to compile */
	st->info.run_argv = sh_run;
	/* Declared in sh_settings: the core checked its range and gives its
	 * default when unset. */
	if (host->conf_float(ctx, "time_multiplier",
	                     &st->info.time_multiplier) < 0) {
		free(st);
		return -EINVAL;
	}
	st->info.memory_multiplier = 1.0;
	st->info.run_processes = 16; /* a script forks its commands */
	st->info.version = "sh (example plugin)";
	host->log(ctx, AC_LOG_INFO, "example plugin ready");
	*state = st;
	return 0;
}

static void sh_fini(void *state)
{
	free(state);
}

static const struct ac_lang_info *sh_info(void *state)
{
	return &((struct sh_state *)state)->info;
}

static const struct ac_lang_ops sh_ops = {
        .init = sh_init,
        .fini = sh_fini,
        .info = sh_info,
};

/* Its settings (group lang.sh): checked by the core before init, shown by
 * `algocode settings lang/sh`. */
static const struct ac_setting sh_settings[] = {
        {"time_multiplier", AC_SETTING_FLOAT, "1", 0.01, 100,
         "the problem's time limit is multiplied by this for scripts"},
        {NULL, 0, NULL, 0, 0, NULL},
};

AC_PLUGIN_DEFINE_SETTINGS(AC_KIND_LANG, "sh",
                          "POSIX shell scripts (out-of-tree example)", "1.0.0",
                          sh_ops, sh_settings);
