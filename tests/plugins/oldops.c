/* A language plugin as built against an older minor ABI: its operations
 * table stops after `info` (classify and run_argv were appended to struct
 * ac_lang_ops later).  The loader must take it, with those members NULL
 * in the table the core calls (plugin.h, AC_ABI_MINOR). */
#include <algocode/plugin.h>
#include <errno.h>
#include <stdlib.h>

/* struct ac_lang_ops as it was before classify and run_argv. */
struct old_lang_ops {
	AC_PLUGIN_COMMON_OPS;
	const struct ac_lang_info *(*info)(void *state);
};

static const char *const old_run[] = {"/bin/true", NULL};

static int old_init(const struct ac_host *host, struct ac_plugin_ctx *ctx,
                    void **state)
{
	struct ac_lang_info *in = calloc(1, sizeof(*in));

	(void)host;
	(void)ctx;
	if (!in)
		return -ENOMEM;
	in->name = "oldops";
	in->display = "Old Ops";
	in->source_file = "main.old";
	in->run_argv = old_run;
	in->version = "oldops 1.0";
	*state = in;
	return 0;
}

static void old_fini(void *state)
{
	free(state);
}

static const struct ac_lang_info *old_info(void *state)
{
	return state;
}

static const struct old_lang_ops old_ops = {
        .init = old_init,
        .fini = old_fini,
        .info = old_info,
};

AC_PLUGIN_DEFINE(AC_KIND_LANG, "oldops",
                 "test plugin with an older, shorter operations table", "0.9",
                 old_ops);
