/* A minimal, well-formed language plugin for the loader tests: it reads a
 * setting through the host table and counts init/fini calls in its state. */
#include <algocode/plugin.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct goodlang {
	struct ac_lang_info info;
	char *display;
};

static const char *const good_run[] = {"/bin/true", NULL};

static int good_init(const struct ac_host *host, struct ac_plugin_ctx *ctx,
                     void **state)
{
	struct goodlang *g = calloc(1, sizeof(*g));
	long long fail = 0;

	if (!g)
		return -ENOMEM;
	if (host->conf_int(ctx, "fail", &fail) == 0 && fail) {
		free(g);
		return -EINVAL;
	}
	if (host->conf_string(ctx, "display", &g->display) < 0)
		g->display = strdup("Good Language");
	g->info.name = "goodlang";
	g->info.display = g->display;
	g->info.source_file = "main.good";
	g->info.run_argv = good_run;
	g->info.version = "goodlang 1.0";
	host->log(ctx, AC_LOG_DEBUG, "goodlang ready");
	*state = g;
	return 0;
}

static void good_fini(void *state)
{
	struct goodlang *g = state;
	free(g->display);
	free(g);
}

static const struct ac_lang_info *good_info(void *state)
{
	return &((struct goodlang *)state)->info;
}

static const struct ac_lang_ops good_ops = {
        .init = good_init,
        .fini = good_fini,
        .info = good_info,
};

AC_PLUGIN_DEFINE(AC_KIND_LANG, "goodlang", "test language plugin", "0.0.1",
                 good_ops);
