/* A language plugin built against a different plugin ABI: the loader must
 * refuse it before calling anything in it. */
#include <algocode/plugin.h>
#include <stdlib.h>

static int bad_init(const struct ac_host *host, struct ac_plugin_ctx *ctx,
                    void **state)
{
	abort(); /* never reached: the ABI check comes first */
}

static void bad_fini(void *state)
{
	abort();
}

static const struct ac_lang_info *bad_info(void *state)
{
	abort();
}

static const struct ac_lang_ops bad_ops = {
        .init = bad_init,
        .fini = bad_fini,
        .info = bad_info,
};

AC_EXPORT const struct ac_plugin algocode_plugin = {
        .abi = AC_ABI_VERSION + 41,
        .kind = AC_KIND_LANG,
        .name = "badabi",
        .description = "test plugin with a wrong ABI version",
        .ops = &bad_ops,
};
