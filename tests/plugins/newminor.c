/* A plugin that claims a newer minor ABI than the core's: it may call
 * members of the host table this core does not have, so it is refused. */
#include <algocode/plugin.h>
#include <stdlib.h>

static int nm_init(const struct ac_host *host, struct ac_plugin_ctx *ctx,
                   void **state)
{
	(void)host;
	(void)ctx;
	(void)state;
	abort(); /* never called */
}

static void nm_fini(void *state)
{
	(void)state;
}

static const struct ac_lang_info *nm_info(void *state)
{
	(void)state;
	abort();
}

static const struct ac_lang_ops nm_ops = {
        .init = nm_init,
        .fini = nm_fini,
        .info = nm_info,
};

AC_EXPORT const struct ac_plugin algocode_plugin = {
        .abi = AC_ABI_VERSION,
        .kind = AC_KIND_LANG,
        .name = "newminor",
        .description = "test plugin built against a newer minor ABI",
        .ops = &nm_ops,
        .abi_minor = AC_ABI_MINOR + 1,
        .ops_size = sizeof(nm_ops),
        .version = "9.9",
};
