/* Small helpers every plugin may use, whatever its kind: header-only,
 * static inline, because a plugin cannot link the core's util.c (it sees
 * only core/include/algocode/, design.md).  The core's counterpart is
 * core/util.h; keep the two in step.
 *
 * A plugin's state (the `void *state` of the ABI) is a struct of the
 * plugin's own whose members `host` and `ctx` hold what init was given:
 * pu_log and PU_DEFINE_INIT rely on those two names, nothing else. */
#ifndef AC_PLUGIN_UTIL_H
#define AC_PLUGIN_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <algocode/plugin.h>

/* CLOCK_MONOTONIC in milliseconds / microseconds, for intervals. */
static inline int64_t pu_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline uint64_t pu_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Log a line through the host, which prefixes the plugin's kind and name:
 *     pu_log(st, AC_LOG_WARN, "queue %s is full", name);  */
#define pu_log(st, lvl, ...) (st)->host->log((st)->ctx, (lvl), __VA_ARGS__)

/* Defines the init operation of a plugin, `static int name(host, ctx,
 * state)`, the same for every plugin:
 *  - a zeroed state of `type` (calloc; -ENOMEM), its host and ctx set;
 *  - setup(st), the plugin's own part (settings, connections, threads),
 *    returning 0 or a negative errno;
 *  - on failure fini(st) (the plugin's fini op, which releases a state
 *    setup left half made) and setup's error, *state NULL; on success
 *    *state = st and 0.
 * Usage:
 *     static int my_setup(struct my_state *st) { ... }
 *     PU_DEFINE_INIT(my_init, struct my_state, my_setup, my_fini)
 * PU_DEFINE_INIT_IN is the same for a state whose host and ctx are those
 * of a member struct, named with its dot: PU_DEFINE_INIT_IN(cpp_init,
 * struct cpp_state, g., cpp_setup, cpp_fini) sets st->g.host. */
#define PU_DEFINE_INIT_IN(name, type, base, setup, fini)                       \
	static int name(const struct ac_host *host, struct ac_plugin_ctx *ctx, \
	                void **state)                                          \
	{                                                                      \
		type *st_ = calloc(1, sizeof(*st_));                           \
		int ret_;                                                      \
                                                                               \
		*state = NULL;                                                 \
		if (!st_)                                                      \
			return -ENOMEM;                                        \
		st_->base host = host;                                         \
		st_->base ctx = ctx;                                           \
		ret_ = setup(st_);                                             \
		if (ret_ < 0) {                                                \
			fini(st_);                                             \
			return ret_;                                           \
		}                                                              \
		*state = st_;                                                  \
		return 0;                                                      \
	}
#define PU_DEFINE_INIT(name, type, setup, fini)                                \
	PU_DEFINE_INIT_IN(name, type, , setup, fini)

/* Settings read through the host (the core checked their type and range
 * against the plugin's table before init, and an unset key reads as the
 * table's default): 0 with *out set; 0 with *out unchanged when the key
 * is unset and has no default (pu_conf_str: a copy of dflt, or NULL);
 * another negative errno, logged naming the key. */
static inline int pu_conf_done(const struct ac_host *host,
                               struct ac_plugin_ctx *ctx, const char *key,
                               int r)
{
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		host->log(ctx, AC_LOG_ERROR, "setting %s: %s", key,
		          strerror(-r));
	return r;
}

static inline int pu_conf_int(const struct ac_host *host,
                              struct ac_plugin_ctx *ctx, const char *key,
                              long long *out)
{
	return pu_conf_done(host, ctx, key, host->conf_int(ctx, key, out));
}

static inline int pu_conf_bool(const struct ac_host *host,
                               struct ac_plugin_ctx *ctx, const char *key,
                               bool *out)
{
	return pu_conf_done(host, ctx, key, host->conf_bool(ctx, key, out));
}

static inline int pu_conf_str(const struct ac_host *host,
                              struct ac_plugin_ctx *ctx, const char *key,
                              const char *dflt, char **out)
{
	int r = host->conf_string(ctx, key, out);

	if (r == -ENOENT) {
		*out = dflt ? strdup(dflt) : NULL;
		return !dflt || *out ? 0 : -ENOMEM;
	}
	return pu_conf_done(host, ctx, key, r);
}

#endif
