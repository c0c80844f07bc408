/* Plugin loader: <plugins.dir>/<kind>/<name>.so, ABI checked first. */
#ifndef AC_LOADER_H
#define AC_LOADER_H
#include <algocode/plugin.h>
#include <stdbool.h>
#include <stddef.h>

struct ac_core;
struct ac_config;

struct ac_plugin_ctx {
	struct ac_core *core;
	enum ac_plugin_kind kind;
	char *name;       /* plugin name */
	char *conf_group; /* settings path for conf_*: "store", "lang.cpp" ...
	                   */
	char *log_prefix; /* "sandbox/ns" */
	/* Its declared settings (ABI 3.2), NULL when it declares none: the
	 * defaults conf_* return for unset keys. */
	const struct ac_setting *settings;
};

struct ac_loaded {
	const struct ac_plugin *desc;
	/* Its operations table in this core's layout (members of a newer
	 * AC_ABI_MINOR than the plugin's are NULL): what the core calls. */
	const void *ops;
	bool owns_ops; /* ops is the loader's copy (free it) */
	void *dl;
	void *state; /* from ops->init */
	struct ac_plugin_ctx ctx;
};

const char *ac_kind_name(enum ac_plugin_kind kind);
/* Open the file, check the descriptor (ABI, kind, name), do not init.
 * On error returns a negative errno and a message in err. */
int ac_plugin_open(const char *path, enum ac_plugin_kind kind, const char *name,
                   struct ac_loaded **out, char *err, size_t errlen);
/* The settings table of a descriptor: NULL when it declares none or was
 * built before ABI 3.2 (the member is not there to read). */
const struct ac_setting *ac_plugin_settings(const struct ac_plugin *d);
/* Check the settings group of an opened plugin against its table; a
 * plugin without one is said once (a warning).  Every error goes to cb;
 * returns the number of errors. */
unsigned ac_plugin_check_settings(const struct ac_config *cfg,
                                  const struct ac_loaded *p,
                                  const char *conf_group,
                                  void (*cb)(void *arg, const char *msg),
                                  void *arg);
/* Open <dir>/<kind>/<name>.so, check its settings group (errors logged, the
 * first in err: it does not start) and call init with the core's host
 * table. */
int ac_plugin_load(struct ac_core *core, const char *dir,
                   enum ac_plugin_kind kind, const char *name,
                   const char *conf_group, struct ac_loaded **out, char *err,
                   size_t errlen);
/* fini (when initialised) then dlclose.  NULL is fine. */
void ac_plugin_unload(struct ac_loaded *p);
/* The host table the core gives plugins. */
const struct ac_host *ac_host_table(void);
#endif
