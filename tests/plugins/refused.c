/* Language plugins the loader must refuse on their descriptor, before
 * calling anything in them (every operation aborts).  Built twice:
 *   badabi.la (REFUSED_BADABI): built against a different plugin ABI;
 *   newminor.la: claims a newer minor ABI than the core's: it may call
 *   members of the host table this core does not have. */
#include <algocode/plugin.h>
#include <stdlib.h>

static int refused_init(const struct ac_host *host, struct ac_plugin_ctx *ctx,
                        void **state)
{
	(void)host;
	(void)ctx;
	(void)state;
	abort(); /* never reached: the descriptor check comes first */
}

static void refused_fini(void *state)
{
	(void)state;
	abort();
}

static const struct ac_lang_info *refused_info(void *state)
{
	(void)state;
	abort();
}

static const struct ac_lang_ops refused_ops = {
        .init = refused_init,
        .fini = refused_fini,
        .info = refused_info,
};

#ifdef REFUSED_BADABI
AC_EXPORT const struct ac_plugin algocode_plugin = {
        .abi = AC_ABI_VERSION + 41,
        .kind = AC_KIND_LANG,
        .name = "badabi",
        .description = "test plugin with a wrong ABI version",
        .ops = &refused_ops,
};
#else
AC_EXPORT const struct ac_plugin algocode_plugin = {
        .abi = AC_ABI_VERSION,
        .kind = AC_KIND_LANG,
        .name = "newminor",
        .description = "test plugin built against a newer minor ABI",
        .ops = &refused_ops,
        .abi_minor = AC_ABI_MINOR + 1,
        .ops_size = sizeof(refused_ops),
        .version = "9.9",
};
#endif
