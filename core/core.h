/* The core: one event base, the configuration, the worker pool and the
 * loaded plugins, shared by every role running in this process. */
#ifndef AC_CORE_H
#define AC_CORE_H
#include "config.h"
#include "loader.h"
#include "problem.h"
#include <algocode/plugin.h>
#include <stddef.h>

struct event_base;
struct event;
struct ac_pool;

/* judge.work_dir when unset. */
#define AC_DEFAULT_WORK_DIR "/var/lib/algocode/work"

/* Which plugin kinds ac_core_init loads. */
enum {
	AC_NEED_TRANSPORT = 1 << 0,
	AC_NEED_STORE = 1 << 1,
	AC_NEED_SANDBOX = 1 << 2,
	AC_NEED_LANGS = 1 << 3,
	AC_NEED_PROBLEMS = 1 << 4,
	/* Started as root with `user` set: fork the sandbox helper and run
	 * as that user (core/privsep.h).  serve only. */
	AC_NEED_PRIVSEP = 1 << 5,
};

struct ac_core {
	struct event_base *base;
	struct ac_config *cfg; /* owned */
	struct ac_pool *pool;
	struct ac_loaded *transport, *store, *sandbox;
	struct ac_loaded **langs; /* nlangs entries, in configuration order */
	size_t nlangs;
	struct ac_problem_set *problems;
	const char *problems_dir; /* belongs to cfg */
	char hostname[256];
	struct event *sigs[3]; /* SIGTERM, SIGINT, SIGHUP (core_sigs) */
	/* SIGHUP reload (core/reload.c): the job on the pool, and problems
	 * replaced by a reload, kept until fini since a running judgement
	 * may still point at them. */
	void *reload;
	struct ac_problem **retired;
	size_t nretired;
	void *api;   /* struct ac_api, when the api role runs */
	void *judge; /* struct ac_judge_role, when the judge role runs */
	void *auth;  /* struct auth, when the auth role runs */
	void *http;  /* struct ac_http list: the HTTP servers (core/http.h) */
	int exit_status;
};

#define AC_TRANSPORT(c) ((const struct ac_transport_ops *)(c)->transport->ops)
#define AC_STORE(c)     ((const struct ac_store_ops *)(c)->store->ops)
#define AC_SANDBOX(c)   ((const struct ac_sandbox_ops *)(c)->sandbox->ops)

/* Takes ownership of cfg (also on failure).  Loads what `need` asks for. */
int ac_core_init(struct ac_core *core, struct ac_config *cfg, unsigned need,
                 char *err, size_t errlen);
/* Stop the loop on SIGTERM/SIGINT; reload (ac_core_reload) on SIGHUP. */
int ac_core_handle_signals(struct ac_core *core);
/* SIGHUP: reopen log.file and re-read judge.problems_dir on the worker
 * pool; on the loop, packages that loaded replace the old set, a package
 * that no longer loads keeps its old version (its error is logged), a
 * removed directory drops its problem.  Connections and running jobs are
 * not touched.  Tells systemd RELOADING=1, then READY=1.  A reload while
 * one runs is skipped.  core/reload.c. */
int ac_core_reload(struct ac_core *core);
/* Free what reloads left (on fini). */
void ac_core_reload_fini(struct ac_core *core);
void ac_core_fini(struct ac_core *core);
/* The language plugin serving `name`, or NULL. */
const struct ac_lang_info *ac_core_lang(const struct ac_core *core,
                                        const char *name);
/* The loaded plugin serving `name` (ops, state), or NULL. */
const struct ac_loaded *ac_core_lang_plugin(const struct ac_core *core,
                                            const char *name);
/* src->lang = lang, and src->lang_ops/lang_state: the plugin serving it
 * (NULL when none does). */
struct ac_job_source;
void ac_core_job_lang(const struct ac_core *core,
                      const struct ac_lang_info *lang,
                      struct ac_job_source *src);
/* "cpp, c, python3": the supported language names (static buffer use:
 * caller provides buf). */
void ac_core_lang_list(const struct ac_core *core, char *buf, size_t len);
#endif
