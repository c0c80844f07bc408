/* A language plugin as built against an older minor ABI (3.1): its
 * operations table stops after `info` (classify and run_argv were appended
 * to struct ac_lang_ops later), and its descriptor after `version` (the
 * settings table came in 3.2).  The loader must take it, with those
 * members NULL in the table the core calls, read no settings table, and
 * leave its group unchecked with a warning (plugin.h, AC_ABI_MINOR). */
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

/* struct ac_plugin as it was in ABI 3.1, before `settings`. */
struct old_plugin {
	uint32_t abi;
	enum ac_plugin_kind kind;
	const char *name;
	const char *description;
	const void *ops;
	uint32_t abi_minor;
	uint32_t ops_size;
	const char *version;
};

AC_EXPORT const struct old_plugin algocode_plugin = {
        .abi = AC_ABI_VERSION,
        .kind = AC_KIND_LANG,
        .name = "oldops",
        .description = "test plugin with an older, shorter operations table",
        .ops = &old_ops,
        .abi_minor = 1,
        .ops_size = (uint32_t)sizeof(old_ops),
        .version = "0.9",
};
