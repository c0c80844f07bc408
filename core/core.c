/* The core: event base, configuration, general worker pool, plugins and
 * problems shared by the roles of one process. */
#include "core.h"

#include "judge.h"
#include "log.h"
#include "pool.h"
#include "privsep.h"
#include "settings.h"

#include <errno.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int core_load_one(struct ac_core *core, const char *dir,
                         enum ac_plugin_kind kind, const char *group,
                         struct ac_loaded **out, char *err, size_t errlen)
{
	char path[128];
	const char *name;
	char e2[700];
	int r;

	snprintf(path, sizeof(path), "%s.plugin", group);
	r = ac_config_get_string(core->cfg, path, &name, e2, sizeof(e2));
	if (r == -ENOENT) {
		snprintf(err, errlen, "no %s plugin configured (setting %s)",
		         ac_kind_name(kind), path);
		return -EINVAL;
	}
	if (r < 0) {
		snprintf(err, errlen, "%s", e2);
		return r;
	}
	return ac_plugin_load(core, dir, kind, name, group, out, err, errlen);
}

struct core_unused {
	const char *dir;
	char *err;
	size_t errlen;
	unsigned n;
};

/* A lang.NAME group of a language not loaded: fine when its plugin is
 * installed (configured, not used), else an error (a typo). */
static void core_unused_lang_cb(void *arg, const char *name, const char *origin)
{
	struct core_unused *u = arg;
	char path[4096];

	snprintf(path, sizeof(path), "%s/lang/%s.so", u->dir, name);
	if (access(path, F_OK) == 0)
		return;
	if (u->n++ > 0)
		log_error("%s", u->err);
	snprintf(u->err, u->errlen,
	         "%s: lang.%s: no language %s (not in lang.plugins, and no "
	         "plugin %s)",
	         origin, name, name, path);
}

/* The language plugins of lang.plugins; a language whose compiler is
 * missing (-ENOPKG) or whose plugin is not installed (-ENOENT) is skipped
 * with a warning, but one at least must be available. */
static int core_load_langs(struct ac_core *core, const char *dir, char *err,
                           size_t errlen)
{
	int r;
	const char **names = ac_config_string_list(core->cfg, "lang.plugins");
	size_t n = 0;

	if (!names || !names[0]) {
		free(names);
		snprintf(err, errlen,
		         "no language configured (setting "
		         "lang.plugins)");
		return -EINVAL;
	}
	{
		struct core_unused u = {
		        .dir = dir, .err = err, .errlen = errlen};

		ac_settings_unused_langs(core->cfg, core_unused_lang_cb, &u);
		if (u.n > 0) {
			free(names);
			return -EINVAL;
		}
	}
	while (names[n])
		n++;
	core->langs = calloc(n, sizeof(*core->langs));
	if (!core->langs) {
		free(names);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		char group[128];
		snprintf(group, sizeof(group), "lang.%s", names[i]);
		r = ac_plugin_load(core, dir, AC_KIND_LANG, names[i], group,
		                   &core->langs[core->nlangs], err, errlen);
		/* -ENOPKG: the language's compiler or interpreter is
		 * not installed here; serve the others. */
		if (r == -ENOPKG) {
			log_warn("%s: language skipped", err);
			continue;
		}
		/* Not installed: a distribution ships some languages
		 * in packages of their own (algocode-plugin-java). */
		if (r == -ENOENT) {
			log_warn("%s: language skipped (plugin not "
			         "installed)",
			         err);
			continue;
		}
		if (r < 0) {
			free(names);
			return r;
		}
		core->nlangs++;
	}
	free(names);
	if (core->nlangs == 0) {
		snprintf(err, errlen,
		         "no language of lang.plugins is available "
		         "here");
		return -ENOPKG;
	}
	return 0;
}

int ac_core_init(struct ac_core *core, struct ac_config *cfg, unsigned need,
                 char *err, size_t errlen)
{
	const char *dir, *lvl;
	enum ac_log_level level;
	int r;

	memset(core, 0, sizeof(*core));
	core->cfg = cfg;
	lvl = ac_config_string(cfg, "log.level", "info");
	if (ac_log_level_parse(lvl, &level) < 0) {
		snprintf(err, errlen,
		         "log.level \"%s\" is not one of error, warn, info, "
		         "debug",
		         lvl);
		return -EINVAL;
	}
	ac_log_set_level(level);
	ac_log_route_libevent();
	{
		const char *file = ac_config_string(cfg, "log.file", NULL);

		/* Opened here, as root, before privileges are dropped. */
		r = file ? ac_log_set_file(file) : 0;
		if (r < 0) {
			snprintf(err, errlen, "log.file %s: %s", file,
			         strerror(-r));
			return r;
		}
	}
	/* Every setting outside the plugins' groups (theirs are checked
	 * as each plugin loads): an error stops start-up. */
	{
		struct ac_settings_errs e = {.err = err, .errlen = errlen};

		if (ac_settings_check_core(cfg, ac_settings_errs_cb, &e) > 0) {
			size_t n = strlen(err);

			if (e.n > 1)
				snprintf(err + n, errlen - n,
				         " (and %u more errors above)",
				         e.n - 1);
			return -EINVAL;
		}
	}
	{
		bool reveal = false;

		r = ac_config_get_bool(cfg, "judge.reveal_secret_details",
		                       &reveal, err, errlen);
		if (r < 0 && r != -ENOENT)
			return r;
		ac_judge_set_reveal_default(reveal);
	}

	dir = ac_config_string(cfg, "plugins.dir", AC_PLUGIN_DIR);
	/* Before any thread, event base or other plugin: the helper is
	 * forked from a single-threaded process and everything loaded after
	 * this runs as `user`. */
	if (need & AC_NEED_PRIVSEP) {
		r = ac_privsep_setup(core, need, dir, err, errlen);
		if (r < 0)
			return r;
	}
	if (evthread_use_pthreads() < 0) {
		snprintf(err, errlen, "libevent: no pthreads support");
		return -ENOTSUP;
	}
	core->base = event_base_new();
	if (!core->base) {
		snprintf(err, errlen, "libevent: cannot create the event base");
		return -ENOMEM;
	}
	core->pool = ac_pool_new(core->base, 4);
	if (!core->pool) {
		snprintf(err, errlen, "cannot start the worker pool");
		return -ENOMEM;
	}
	if (gethostname(core->hostname, sizeof(core->hostname) - 1) < 0)
		snprintf(core->hostname, sizeof(core->hostname), "localhost");

	if ((r = ac_privsep_watch(core)) < 0) {
		snprintf(err, errlen, "cannot watch the sandbox helper");
		return r;
	}
	if (need & AC_NEED_STORE) {
		r = core_load_one(core, dir, AC_KIND_STORE, "store",
		                  &core->store, err, errlen);
		if (r < 0)
			return r;
	}
	if (need & AC_NEED_TRANSPORT) {
		r = core_load_one(core, dir, AC_KIND_TRANSPORT, "transport",
		                  &core->transport, err, errlen);
		if (r < 0)
			return r;
	}
	if ((need & AC_NEED_SANDBOX) && !core->sandbox) {
		r = core_load_one(core, dir, AC_KIND_SANDBOX, "sandbox",
		                  &core->sandbox, err, errlen);
		if (r < 0)
			return r;
	}
	if ((need & AC_NEED_LANGS) &&
	    (r = core_load_langs(core, dir, err, errlen)) < 0)
		return r;
	if (need & AC_NEED_PROBLEMS) {
		size_t nerr = 0;
		core->problems_dir =
		        ac_config_string(cfg, "judge.problems_dir", NULL);
		if (!core->problems_dir) {
			snprintf(err, errlen,
			         "judge.problems_dir is not set: where are the "
			         "problem packages?");
			return -EINVAL;
		}
		r = ac_problem_set_load(core->problems_dir, &core->problems,
		                        &nerr, err, errlen);
		if (r < 0)
			return r;
		log_info("%zu problems loaded from %s%s", core->problems->n,
		         core->problems_dir,
		         nerr ? " (some packages are broken: see above)" : "");
	}
	return 0;
}

static void core_hup_cb(evutil_socket_t sig, short what, void *arg)
{
	struct ac_core *core = arg;

	log_info("signal %d: reloading", (int)sig);
	ac_core_reload(core);
}

static void core_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct ac_core *core = arg;

	log_info("signal %d: shutting down", (int)sig);
	event_base_loopexit(core->base, NULL);
}

/* The signals the core handles, in the order of core->sigs. */
static const struct {
	int signo;
	event_callback_fn cb;
} core_sigs[] = {
        {SIGTERM, core_signal_cb},
        {SIGINT, core_signal_cb},
        {SIGHUP, core_hup_cb},
};

int ac_core_handle_signals(struct ac_core *core)
{
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < sizeof(core_sigs) / sizeof(core_sigs[0]); i++) {
		core->sigs[i] = evsignal_new(core->base, core_sigs[i].signo,
		                             core_sigs[i].cb, core);
		if (!core->sigs[i])
			return -ENOMEM;
		if (evsignal_add(core->sigs[i], NULL) < 0)
			return -EINVAL;
	}
	return 0;
}

void ac_core_fini(struct ac_core *core)
{
	/* Finish blocking work first: its completions may still use plugins. */
	ac_pool_free(core->pool);
	core->pool = NULL;
	for (size_t i = 0; i < core->nlangs; i++)
		ac_plugin_unload(core->langs[i]);
	free(core->langs);
	ac_plugin_unload(core->sandbox);
	ac_plugin_unload(core->transport);
	ac_plugin_unload(core->store);
	ac_core_reload_fini(core);
	ac_problem_set_free(core->problems);
	for (size_t i = 0; i < sizeof(core->sigs) / sizeof(core->sigs[0]); i++)
		if (core->sigs[i])
			event_free(core->sigs[i]);
	if (core->base)
		event_base_free(core->base);
	ac_config_free(core->cfg);
	memset(core, 0, sizeof(*core));
}

const struct ac_loaded *ac_core_lang_plugin(const struct ac_core *core,
                                            const char *name)
{
	for (size_t i = 0; i < core->nlangs; i++) {
		const struct ac_lang_ops *ops = core->langs[i]->ops;
		const struct ac_lang_info *info =
		        ops->info(core->langs[i]->state);
		if (info && strcmp(info->name, name) == 0)
			return core->langs[i];
	}
	return NULL;
}

void ac_core_job_lang(const struct ac_core *core,
                      const struct ac_lang_info *lang,
                      struct ac_job_source *src)
{
	const struct ac_loaded *lp = ac_core_lang_plugin(core, lang->name);

	src->lang = lang;
	src->lang_ops = lp ? lp->ops : NULL;
	src->lang_state = lp ? lp->state : NULL;
}

const struct ac_lang_info *ac_core_lang(const struct ac_core *core,
                                        const char *name)
{
	const struct ac_loaded *lp = ac_core_lang_plugin(core, name);
	const struct ac_lang_ops *ops = lp ? lp->ops : NULL;

	return ops ? ops->info(lp->state) : NULL;
}

void ac_core_lang_list(const struct ac_core *core, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < core->nlangs && off < len; i++) {
		const struct ac_lang_ops *ops = core->langs[i]->ops;
		const struct ac_lang_info *info =
		        ops->info(core->langs[i]->state);
		int w = snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
		                 info ? info->name : "?");
		if (w < 0)
			break;
		off += (size_t)w;
	}
}
