/* The test host: one fake ac_host table for the unit tests that dlopen a
 * real plugin (check_plugins, check_nats, check_rabbitmq, check_store),
 * and the loading of such a plugin (th_plugin_open, th_plugin_init).
 *
 * Logs go to stderr as "[tag level] line"; the last warning or error is
 * kept in last_problem (counted in problems) and "connected to" /
 * "reconnected to" lines are counted in connections, for assertions.
 * Settings come from conf, a NULL-terminated "key=value" list, else from
 * the defaults of the settings table.
 * submit_work runs the work at once; its done callback runs at once too,
 * or, with done_on_loop, on the event loop as the core does; run_on_loop
 * uses event_base_once on base. */
#ifndef AC_TEST_HOST_STUB_H
#define AC_TEST_HOST_STUB_H

#include <algocode/plugin.h>

#include <pthread.h>
#include <stdbool.h>

/* The host's per-plugin handle; opaque to the plugins. */
struct ac_plugin_ctx {
	const char *const *conf; /* "key=value", NULL-terminated */
	struct event_base *base;
	const char *tag;         /* log prefix; NULL: "plugin" */
	const char *debug_env;   /* set: debug lines only if this variable is */
	bool done_on_loop;       /* submit_work: done() through run_on_loop */
	pthread_mutex_t lock;    /* guards what follows */
	char last_problem[1024]; /* last warn or error line */
	unsigned problems;
	unsigned connections; /* "connected to" / "reconnected to" lines */
	/* The plugin's declared settings (NULL: none): their defaults are
	 * what an unset key reads as, as in the core. */
	const struct ac_setting *settings;
};

extern const struct ac_host th_host;

/* Initialise the lock and the tag; conf and base are the caller's. */
void th_ctx_init(struct ac_plugin_ctx *ctx, const char *tag);
void th_ctx_fini(struct ac_plugin_ctx *ctx);
/* What the core does before init: every key of conf declared by the
 * settings table, an integer or number within its range.  0, or -EINVAL
 * (logged). */
int th_check_conf(struct ac_plugin_ctx *ctx);

/* dlopen $top_builddir/plugins-build/<kind>/NAME.so (the installed
 * layout made by the Makefile's all-local) and check its descriptor: ABI,
 * kind, name, a description and ops.  A failed check fails the test
 * (Check's ck_assert).  The handle in *dl, for dlclose. */
const struct ac_plugin *th_plugin_open(enum ac_plugin_kind kind,
                                       const char *name, void **dl);
/* What the core does to start a plugin: check ctx's conf against the
 * settings (th_check_conf), then the descriptor's init, *state set to a
 * non-NULL value first (init must reset it).  init's return, or -EINVAL
 * (*state NULL) when the conf is refused. */
int th_plugin_init(const struct ac_plugin *desc, struct ac_plugin_ctx *ctx,
                   void **state);

#endif
