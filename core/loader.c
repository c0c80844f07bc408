/* Plugin loader.  A plugin file is opened only when it is a regular file;
 * its descriptor is checked (ABI first, then kind and name) before any of
 * its code runs; a failed load is undone with dlclose. */
#include "loader.h"

#include "config.h"
#include "core.h"
#include "log.h"
#include "metrics.h"
#include "pool.h"
#include "settings.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *ac_kind_name(enum ac_plugin_kind kind)
{
	switch (kind) {
	case AC_KIND_TRANSPORT:
		return "transport";
	case AC_KIND_STORE:
		return "store";
	case AC_KIND_SANDBOX:
		return "sandbox";
	case AC_KIND_LANG:
		return "lang";
	}
	return "unknown";
}

/* A plugin name is a short identifier: it becomes part of a path. */
static int loader_valid_name(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* The size of a kind's operations table in this core, and the least a
 * plugin's may have: through its last required member (those after it
 * were appended later and are optional: AC_ABI_MINOR). */
#define LOADER_THROUGH(type, member)                                           \
	(offsetof(type, member) + sizeof(((type *)0)->member))

static void loader_ops_sizes(enum ac_plugin_kind kind, size_t *full,
                             size_t *least)
{
	switch (kind) {
	case AC_KIND_TRANSPORT:
		*full = sizeof(struct ac_transport_ops);
		*least = LOADER_THROUGH(struct ac_transport_ops, nack);
		return;
	case AC_KIND_STORE:
		*full = sizeof(struct ac_store_ops);
		*least = LOADER_THROUGH(struct ac_store_ops, rate_take);
		return;
	case AC_KIND_SANDBOX:
		*full = sizeof(struct ac_sandbox_ops);
		*least = LOADER_THROUGH(struct ac_sandbox_ops, enforcing);
		return;
	case AC_KIND_LANG:
		*full = sizeof(struct ac_lang_ops);
		*least = LOADER_THROUGH(struct ac_lang_ops, info);
		return;
	}
	*full = *least = 0;
}

/* The plugin's operations table as this core's layout: a copy in which
 * the members the plugin did not know (an older AC_ABI_MINOR) are NULL.
 * NULL and a message in err when its size cannot be right. */
static void *loader_ops_copy(const char *path, const struct ac_plugin *d,
                             char *err, size_t errlen)
{
	size_t full, least;
	void *ops;

	loader_ops_sizes(d->kind, &full, &least);
	if (d->abi_minor > AC_ABI_MINOR) {
		snprintf(err, errlen,
		         "%s: plugin built against ABI %u.%u, newer than this "
		         "algocode's %u.%u; rebuild it against the installed "
		         "headers",
		         path, d->abi, d->abi_minor, AC_ABI_VERSION,
		         AC_ABI_MINOR);
		return NULL;
	}
	if (d->ops_size == 0) {
		snprintf(err, errlen,
		         "%s: the descriptor does not give the size of its "
		         "operations table: declare it with AC_PLUGIN_DEFINE "
		         "(algocode/plugin.h, docs/plugin-authors.md) and "
		         "rebuild",
		         path);
		return NULL;
	}
	if (d->ops_size < least || d->ops_size > full) {
		snprintf(err, errlen,
		         "%s: its operations table has %u bytes, where a %s "
		         "plugin of ABI %u.%u has %zu to %zu",
		         path, d->ops_size, ac_kind_name(d->kind), d->abi,
		         d->abi_minor, least, full);
		return NULL;
	}
	if (!(ops = calloc(1, full))) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	memcpy(ops, d->ops, d->ops_size);
	return ops;
}

static int loader_ops_complete(enum ac_plugin_kind kind, const void *ops)
{
	switch (kind) {
	case AC_KIND_TRANSPORT: {
		const struct ac_transport_ops *o = ops;
		return o->init && o->fini && o->publish_job &&
		       o->publish_result && o->consume_jobs &&
		       o->consume_results && o->ack && o->nack;
	}
	case AC_KIND_STORE: {
		const struct ac_store_ops *o = ops;
		return o->init && o->fini && o->put_submission &&
		       o->put_result && o->get_result && o->rate_take;
	}
	case AC_KIND_SANDBOX: {
		const struct ac_sandbox_ops *o = ops;
		return o->init && o->fini && o->run && o->check_env &&
		       o->enforcing;
	}
	case AC_KIND_LANG: {
		const struct ac_lang_ops *o = ops;
		return o->init && o->fini && o->info;
	}
	}
	return 0;
}

int ac_plugin_open(const char *path, enum ac_plugin_kind kind, const char *name,
                   struct ac_loaded **out, char *err, size_t errlen)
{
	struct ac_loaded *p = NULL;
	const struct ac_plugin *d;
	struct stat st;
	void *dl = NULL, *ops = NULL;
	int r;

	if (stat(path, &st) < 0) {
		r = -errno;
		snprintf(err, errlen, "%s plugin \"%s\": %s: %s",
		         ac_kind_name(kind), name, path, strerror(errno));
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen,
		         "%s plugin \"%s\": %s is not a regular file",
		         ac_kind_name(kind), name, path);
		return -EINVAL;
	}
	dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		snprintf(err, errlen, "%s plugin \"%s\": %s",
		         ac_kind_name(kind), name, dlerror());
		return -ENOEXEC;
	}
	dlerror();
	d = dlsym(dl, AC_PLUGIN_SYMBOL);
	if (!d) {
		const char *e = dlerror();
		snprintf(err, errlen,
		         "%s: not an Algocode plugin (no %s symbol%s%s)", path,
		         AC_PLUGIN_SYMBOL, e ? ": " : "", e ? e : "");
		r = -ENOEXEC;
		goto fail;
	}
	/* The ABI first: nothing else in the descriptor is trusted before. */
	if (d->abi != AC_ABI_VERSION) {
		snprintf(err, errlen,
		         "%s: plugin ABI version %u, but this algocode needs "
		         "%u; "
		         "rebuild the plugin against the installed headers",
		         path, d->abi, AC_ABI_VERSION);
		r = -EPROTO;
		goto fail;
	}
	if (d->kind != kind) {
		snprintf(err, errlen,
		         "%s: is a %s plugin, expected a %s plugin", path,
		         ac_kind_name(d->kind), ac_kind_name(kind));
		r = -EINVAL;
		goto fail;
	}
	if (!d->name || strcmp(d->name, name) != 0) {
		snprintf(err, errlen,
		         "%s: plugin calls itself \"%s\", expected \"%s\"",
		         path, d->name ? d->name : "(null)", name);
		r = -EINVAL;
		goto fail;
	}
	if (!d->ops) {
		snprintf(err, errlen, "%s: no operations table", path);
		r = -EINVAL;
		goto fail;
	}
	if (!(ops = loader_ops_copy(path, d, err, errlen))) {
		r = -EPROTO;
		goto fail;
	}
	if (!loader_ops_complete(kind, ops)) {
		snprintf(err, errlen, "%s: incomplete operations table", path);
		r = -EINVAL;
		goto fail;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		r = -ENOMEM;
		goto fail;
	}
	p->desc = d;
	p->ops = ops;
	p->owns_ops = true;
	ops = NULL;
	p->dl = dl;
	p->ctx.kind = kind;
	p->ctx.name = strdup(name);
	if (asprintf(&p->ctx.log_prefix, "%s/%s", ac_kind_name(kind), name) < 0)
		p->ctx.log_prefix = NULL;
	if (!p->ctx.name || !p->ctx.log_prefix) {
		r = -ENOMEM;
		goto fail;
	}
	*out = p;
	return 0;
fail:
	if (p) {
		free(p->ctx.name);
		free(p->ctx.log_prefix);
		free((void *)p->ops);
		free(p);
	}
	free(ops);
	dlclose(dl);
	return r;
}

const struct ac_setting *ac_plugin_settings(const struct ac_plugin *d)
{
	return d->abi_minor >= 2 ? d->settings : NULL;
}

unsigned ac_plugin_check_settings(const struct ac_config *cfg,
                                  const struct ac_loaded *p,
                                  const char *conf_group,
                                  void (*cb)(void *arg, const char *msg),
                                  void *arg)
{
	const struct ac_setting *table = ac_plugin_settings(p->desc);

	if (!table) {
		log_warn("%s (ABI %u.%u) declares no settings: %s is not "
		         "checked",
		         p->ctx.log_prefix, p->desc->abi, p->desc->abi_minor,
		         conf_group);
		return 0;
	}
	return ac_settings_check_group(cfg, conf_group, p->ctx.log_prefix,
	                               table, cb, arg);
}

int ac_plugin_load(struct ac_core *core, const char *dir,
                   enum ac_plugin_kind kind, const char *name,
                   const char *conf_group, struct ac_loaded **out, char *err,
                   size_t errlen)
{
	struct ac_loaded *p;
	char path[4096];
	int r;

	if (!loader_valid_name(name)) {
		snprintf(err, errlen,
		         "%s plugin name \"%s\" is not valid (lowercase "
		         "letters, "
		         "digits, '-' and '_')",
		         ac_kind_name(kind), name);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "%s/%s/%s.so", dir, ac_kind_name(kind),
	         name);
	r = ac_plugin_open(path, kind, name, &p, err, errlen);
	if (r < 0)
		return r;
	p->ctx.core = core;
	p->ctx.conf_group = strdup(conf_group);
	if (!p->ctx.conf_group) {
		ac_plugin_unload(p);
		return -ENOMEM;
	}
	p->ctx.settings = ac_plugin_settings(p->desc);
	if (core && core->cfg) {
		struct ac_settings_errs e = {.err = err, .errlen = errlen};

		if (ac_plugin_check_settings(core->cfg, p, conf_group,
		                             ac_settings_errs_cb, &e) > 0) {
			ac_plugin_unload(p);
			return -EINVAL;
		}
	}
	/* Every ops table starts with init/fini (AC_PLUGIN_COMMON_OPS). */
	{
		const struct ac_lang_ops *common = p->ops;
		void *state = NULL;
		r = common->init(ac_host_table(), &p->ctx, &state);
		if (r < 0) {
			snprintf(err, errlen,
			         "%s plugin \"%s\" failed to start: %s",
			         ac_kind_name(kind), name, strerror(-r));
			if (state)
				common->fini(state);
			ac_plugin_unload(p);
			return r;
		}
		p->state = state;
	}
	log_debug("loaded %s (%s, version %s, ABI %u.%u)", path,
	          p->desc->description,
	          p->desc->version ? p->desc->version : "unknown", p->desc->abi,
	          p->desc->abi_minor);
	*out = p;
	return 0;
}

void ac_plugin_unload(struct ac_loaded *p)
{
	if (!p)
		return;
	if (p->state) {
		const struct ac_lang_ops *common = p->ops;
		common->fini(p->state);
	}
	if (p->owns_ops)
		free((void *)p->ops);
	if (p->dl)
		dlclose(p->dl);
	free(p->ctx.name);
	free(p->ctx.conf_group);
	free(p->ctx.log_prefix);
	free(p);
}

/* ---------------------------------------------------------------- host */

static void host_log(struct ac_plugin_ctx *ctx, enum ac_log_level level,
                     const char *fmt, ...) AC_PRINTF(3, 4);
static void host_log(struct ac_plugin_ctx *ctx, enum ac_log_level level,
                     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ac_logv(level, ctx ? ctx->log_prefix : "plugin", fmt, ap);
	va_end(ap);
}

static struct event_base *host_event_base(struct ac_plugin_ctx *ctx)
{
	return ctx && ctx->core ? ctx->core->base : NULL;
}

static int host_key(struct ac_plugin_ctx *ctx, const char *key, char *buf,
                    size_t len)
{
	if (!ctx || !ctx->core || !ctx->core->cfg || !key || !ctx->conf_group)
		return -ENOENT;
	if ((size_t)snprintf(buf, len, "%s.%s", ctx->conf_group, key) >= len)
		return -EINVAL;
	return 0;
}

/* The default its settings table gives key, or NULL. */
static const char *host_default(struct ac_plugin_ctx *ctx, const char *key)
{
	const struct ac_setting *e = ac_settings_find(ctx->settings, key);

	return e ? e->def : NULL;
}

/* The plugin's key read as type t into out (a const char *, long long,
 * double or bool), else the default its settings table gives it. */
static int host_conf_get(struct ac_plugin_ctx *ctx, const char *key,
                         enum ac_setting_type t, void *out)
{
	char path[256], err[700];
	const struct ac_config *cfg;
	const char *def;
	int r = host_key(ctx, key, path, sizeof(path));

	if (r < 0)
		return r;
	cfg = ctx->core->cfg;
	switch (t) {
	case AC_SETTING_INT:
		r = ac_config_get_int(cfg, path, out, err, sizeof(err));
		break;
	case AC_SETTING_FLOAT:
		r = ac_config_get_float(cfg, path, out, err, sizeof(err));
		break;
	case AC_SETTING_BOOL:
		r = ac_config_get_bool(cfg, path, out, err, sizeof(err));
		break;
	default:
		r = ac_config_get_string(cfg, path, out, err, sizeof(err));
		break;
	}
	if (r == -EINVAL)
		log_error("%s", err);
	if (r != -ENOENT || !(def = host_default(ctx, key)))
		return r;
	switch (t) {
	case AC_SETTING_INT:
		*(long long *)out = strtoll(def, NULL, 0);
		break;
	case AC_SETTING_FLOAT:
		*(double *)out = strtod(def, NULL);
		break;
	case AC_SETTING_BOOL:
		*(bool *)out = strcmp(def, "true") == 0;
		break;
	default:
		*(const char **)out = def;
		break;
	}
	return 0;
}

static int host_conf_string(struct ac_plugin_ctx *ctx, const char *key,
                            char **out)
{
	const char *v;
	int r = host_conf_get(ctx, key, AC_SETTING_STRING, &v);

	if (r < 0)
		return r;
	*out = strdup(v);
	return *out ? 0 : -ENOMEM;
}

static int host_conf_int(struct ac_plugin_ctx *ctx, const char *key,
                         long long *out)
{
	return host_conf_get(ctx, key, AC_SETTING_INT, out);
}

static int host_conf_float(struct ac_plugin_ctx *ctx, const char *key,
                           double *out)
{
	return host_conf_get(ctx, key, AC_SETTING_FLOAT, out);
}

static int host_conf_bool(struct ac_plugin_ctx *ctx, const char *key, bool *out)
{
	return host_conf_get(ctx, key, AC_SETTING_BOOL, out);
}

static int host_submit_work(struct ac_plugin_ctx *ctx, void (*work)(void *),
                            void (*done)(void *), void *arg)
{
	if (!ctx || !ctx->core || !ctx->core->pool)
		return -ENOTCONN;
	return ac_pool_submit(ctx->core->pool, work, done, arg);
}

static int host_run_on_loop(struct ac_plugin_ctx *ctx, void (*fn)(void *),
                            void *arg)
{
	if (!ctx || !ctx->core || !ctx->core->pool)
		return -ENOTCONN;
	return ac_pool_run_on_loop(ctx->core->pool, fn, arg);
}

static void host_metric(struct ac_plugin_ctx *ctx, const char *name,
                        const char *labels, char kind, double value)
{
	(void)ctx;
	if (!name)
		return;
	if (kind == 'g')
		ac_metrics_set(name, labels, value);
	else
		ac_metrics_add(name, labels, value);
}

/* The judge's directories no sandboxed program may see: its problem
 * packages (hidden tests and answers, validators, reference solutions)
 * and its work directory (other runs' boxes), resolved where they exist
 * (a sandbox that shows /usr must hide /usr/local/share/algocode/problems,
 * the make-install default). */
static int host_private_path(struct ac_plugin_ctx *ctx, size_t i, char *buf,
                             size_t len)
{
	const char *v[2];
	char real[PATH_MAX];
	size_t k = 0;

	v[0] = ac_config_string(ctx->core->cfg, "judge.problems_dir", NULL);
	v[1] = ac_config_string(ctx->core->cfg, "judge.work_dir",
	                        AC_DEFAULT_WORK_DIR);
	for (size_t j = 0; j < 2; j++) {
		const char *p = v[j];

		if (!p || p[0] != '/')
			continue;
		if (realpath(p, real))
			p = real;
		if (k++ != i)
			continue;
		if (strlen(p) >= len)
			return -ENAMETOOLONG;
		memcpy(buf, p, strlen(p) + 1);
		return 0;
	}
	return -ENOENT;
}

static const struct ac_host host_table = {
        .abi = AC_ABI_VERSION,
        .log = host_log,
        .event_base = host_event_base,
        .conf_string = host_conf_string,
        .conf_int = host_conf_int,
        .conf_bool = host_conf_bool,
        .submit_work = host_submit_work,
        .run_on_loop = host_run_on_loop,
        .metric = host_metric,
        .conf_float = host_conf_float,
        .private_path = host_private_path,
};

const struct ac_host *ac_host_table(void)
{
	return &host_table;
}
