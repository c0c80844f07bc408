/* Plugin loader: <plugins.dir>/<kind>/<name>.so, ABI checked first. */
#ifndef AC_LOADER_H
#define AC_LOADER_H
#include <algocode/plugin.h>
#include <stdbool.h>
#include <stddef.h>

struct ac_core;

struct ac_plugin_ctx {
	struct ac_core *core;
	enum ac_plugin_kind kind;
	char *name;       /* plugin name */
	char *conf_group; /* settings path for conf_*: "store", "lang.cpp" ...
	                   */
	char *log_prefix; /* "sandbox/ns" */
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
/* Open <dir>/<kind>/<name>.so and call init with the core's host table. */
int ac_plugin_load(struct ac_core *core, const char *dir,
                   enum ac_plugin_kind kind, const char *name,
                   const char *conf_group, struct ac_loaded **out, char *err,
                   size_t errlen);
/* fini (when initialised) then dlclose.  NULL is fine. */
void ac_plugin_unload(struct ac_loaded *p);
/* The host table the core gives plugins. */
const struct ac_host *ac_host_table(void);
#endif
