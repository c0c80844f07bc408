/* The test host table; see host_stub.h. */
#include "host_stub.h"

#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <event2/event.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void th_ctx_init(struct ac_plugin_ctx *ctx, const char *tag)
{
	ctx->tag = tag;
	pthread_mutex_init(&ctx->lock, NULL);
}

void th_ctx_fini(struct ac_plugin_ctx *ctx)
{
	pthread_mutex_destroy(&ctx->lock);
}

static void th_log(struct ac_plugin_ctx *ctx, enum ac_log_level level,
                   const char *fmt, ...) AC_PRINTF(3, 4);
static void th_log(struct ac_plugin_ctx *ctx, enum ac_log_level level,
                   const char *fmt, ...)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};
	char line[1024];
	va_list ap;

	if (level == AC_LOG_DEBUG && ctx->debug_env && !getenv(ctx->debug_env))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "[%s %s] %s\n", ctx->tag ? ctx->tag : "plugin",
	        level <= AC_LOG_DEBUG ? names[level] : "?", line);
	pthread_mutex_lock(&ctx->lock);
	if (level <= AC_LOG_WARN) {
		snprintf(ctx->last_problem, sizeof(ctx->last_problem), "%s",
		         line);
		ctx->problems++;
	}
	if (strncmp(line, "connected to ", 13) == 0 ||
	    strncmp(line, "reconnected to ", 15) == 0)
		ctx->connections++;
	pthread_mutex_unlock(&ctx->lock);
}

static struct event_base *th_event_base(struct ac_plugin_ctx *ctx)
{
	return ctx->base;
}

static const char *th_lookup(struct ac_plugin_ctx *ctx, const char *key)
{
	size_t n = strlen(key);

	for (const char *const *p = ctx->conf; p && *p; p++)
		if (strncmp(*p, key, n) == 0 && (*p)[n] == '=')
			return *p + n + 1;
	for (size_t i = 0; ctx->settings && ctx->settings[i].name; i++)
		if (strcmp(ctx->settings[i].name, key) == 0)
			return ctx->settings[i].def;
	return NULL;
}

int th_check_conf(struct ac_plugin_ctx *ctx)
{
	for (const char *const *p = ctx->conf; p && *p; p++) {
		const struct ac_setting *e = NULL;
		const char *eq = strchr(*p, '=');
		size_t n = eq ? (size_t)(eq - *p) : strlen(*p);
		char *end;
		double v;

		for (size_t i = 0; ctx->settings && ctx->settings[i].name; i++)
			if (strlen(ctx->settings[i].name) == n &&
			    strncmp(ctx->settings[i].name, *p, n) == 0)
				e = &ctx->settings[i];
		if (!ctx->settings)
			continue;
		if (!e || !eq) {
			th_log(ctx, AC_LOG_ERROR, "%s: unknown setting", *p);
			return -EINVAL;
		}
		if (e->type != AC_SETTING_INT && e->type != AC_SETTING_FLOAT)
			continue;
		v = strtod(eq + 1, &end);
		if (*end || end == eq + 1 ||
		    ((e->min != 0 || e->max != 0) &&
		     !(v >= e->min && v <= e->max))) {
			th_log(ctx, AC_LOG_ERROR, "%s: out of range", *p);
			return -EINVAL;
		}
	}
	return 0;
}

static int th_conf_string(struct ac_plugin_ctx *ctx, const char *key,
                          char **out)
{
	const char *v = th_lookup(ctx, key);

	*out = NULL;
	if (!v)
		return -ENOENT;
	*out = strdup(v);
	return *out ? 0 : -ENOMEM;
}

/* KEY's value read whole as a number: a long long into *i (i set), else a
 * double into *d. */
static int th_conf_number(struct ac_plugin_ctx *ctx, const char *key,
                          long long *i, double *d)
{
	const char *v = th_lookup(ctx, key);
	char *end;

	if (!v)
		return -ENOENT;
	errno = 0;
	if (i)
		*i = strtoll(v, &end, 10);
	else
		*d = strtod(v, &end);
	return (errno || end == v || *end) ? -EINVAL : 0;
}

static int th_conf_int(struct ac_plugin_ctx *ctx, const char *key,
                       long long *out)
{
	return th_conf_number(ctx, key, out, NULL);
}

static int th_conf_float(struct ac_plugin_ctx *ctx, const char *key,
                         double *out)
{
	return th_conf_number(ctx, key, NULL, out);
}

static int th_conf_bool(struct ac_plugin_ctx *ctx, const char *key, bool *out)
{
	const char *v = th_lookup(ctx, key);

	if (!v)
		return -ENOENT;
	if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
		return -EINVAL;
	*out = v[0] == 't';
	return 0;
}

struct th_call {
	void (*fn)(void *);
	void *arg;
};

static void th_call_cb(evutil_socket_t fd, short what, void *arg)
{
	struct th_call *c = arg;

	(void)fd;
	(void)what;
	c->fn(c->arg);
	free(c);
}

static int th_run_on_loop(struct ac_plugin_ctx *ctx, void (*fn)(void *),
                          void *arg)
{
	struct th_call *c = malloc(sizeof(*c));
	struct timeval zero = {0, 0};

	if (!c)
		return -ENOMEM;
	c->fn = fn;
	c->arg = arg;
	if (event_base_once(ctx->base, -1, EV_TIMEOUT, th_call_cb, c, &zero) <
	    0) {
		free(c);
		return -ENOMEM;
	}
	return 0;
}

static int th_submit_work(struct ac_plugin_ctx *ctx, void (*work)(void *),
                          void (*done)(void *), void *arg)
{
	work(arg);
	if (!done)
		return 0;
	if (ctx->done_on_loop)
		return th_run_on_loop(ctx, done, arg);
	done(arg);
	return 0;
}

const struct ac_host th_host = {
        .abi = AC_ABI_VERSION,
        .log = th_log,
        .event_base = th_event_base,
        .conf_string = th_conf_string,
        .conf_int = th_conf_int,
        .conf_bool = th_conf_bool,
        .submit_work = th_submit_work,
        .run_on_loop = th_run_on_loop,
        .conf_float = th_conf_float,
};

const struct ac_plugin *th_plugin_open(enum ac_plugin_kind kind,
                                       const char *name, void **dl)
{
	static const char *const kind_dirs[] = {
	        [AC_KIND_TRANSPORT] = "transport",
	        [AC_KIND_STORE] = "store",
	        [AC_KIND_SANDBOX] = "sandbox",
	        [AC_KIND_LANG] = "lang",
	};
	const char *top = getenv("top_builddir");
	const struct ac_plugin *desc;
	char path[4096];

	snprintf(path, sizeof(path), "%s/plugins-build/%s/%s.so",
	         top ? top : ".", kind_dirs[kind], name);
	ck_assert_msg(access(path, R_OK) == 0,
	              "%s is missing (set top_builddir, run make all-local)",
	              path);
	*dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	ck_assert_msg(*dl, "dlopen %s: %s", path, dlerror());
	desc = dlsym(*dl, AC_PLUGIN_SYMBOL);
	ck_assert_msg(desc, "no %s in %s", AC_PLUGIN_SYMBOL, path);
	ck_assert_uint_eq(desc->abi, AC_ABI_VERSION);
	ck_assert_int_eq(desc->kind, kind);
	ck_assert_str_eq(desc->name, name);
	ck_assert_ptr_nonnull(desc->description);
	ck_assert_ptr_nonnull(desc->ops);
	return desc;
}

int th_plugin_init(const struct ac_plugin *desc, struct ac_plugin_ctx *ctx,
                   void **state)
{
	/* The common ops sit first in every kind's table. */
	const struct {
		AC_PLUGIN_COMMON_OPS;
	} *ops = desc->ops;

	*state = (void *)0x1; /* init must reset it */
	/* The core checks the declared settings before init. */
	if (th_check_conf(ctx) < 0) {
		*state = NULL;
		return -EINVAL;
	}
	return ops->init(&th_host, ctx, state);
}
