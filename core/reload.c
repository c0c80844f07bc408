/* SIGHUP: reopen the log file and re-read the problems directory without
 * stopping anything (core.h, ac_core_reload). */
#include "core.h"
#include "log.h"
#include "pool.h"
#include "sdnotify.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct reload_job {
	struct ac_core *core;
	struct ac_problem_set *set; /* what the worker loaded */
	size_t nerr;
	int r;
	char err[512];
};

static void reload_work_cb(void *arg)
{
	struct reload_job *j = arg;

	j->r = ac_problem_set_load(j->core->problems_dir, &j->set, &j->nerr,
	                           j->err, sizeof(j->err));
}

static int reload_id_cmp(const void *a, const void *b)
{
	const struct ac_problem *const *pa = a, *const *pb = b;

	return strcmp((*pa)->id, (*pb)->id);
}

/* Keep p until fini; without memory for that, it is leaked rather than
 * freed under a running judgement. */
static void reload_retire(struct ac_core *core, struct ac_problem *p)
{
	struct ac_problem **n;

	n = realloc(core->retired, (core->nretired + 1) * sizeof(*n));
	if (!n)
		return;
	core->retired = n;
	core->retired[core->nretired++] = p;
}

/* The old version of `id` in `set`, taken out of it (NULL there). */
static struct ac_problem *reload_take(struct ac_problem_set *set,
                                      const char *id)
{
	for (size_t i = 0; i < set->n; i++) {
		struct ac_problem *p = set->items[i];

		if (p && strcmp(p->id, id) == 0) {
			set->items[i] = NULL;
			return p;
		}
	}
	return NULL;
}

static bool reload_dir_exists(const char *dir)
{
	struct stat st;

	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Merge the loaded set `nw` with the old one into `nw`; the old set's
 * entries end up in nw or retired.  Counts what changed.  -ENOMEM before
 * anything moved. */
static int reload_merge(struct ac_core *core, struct ac_problem_set *nw,
                        size_t *added, size_t *changed, size_t *kept,
                        size_t *removed)
{
	struct ac_problem_set *old = core->problems;
	struct ac_problem **items;
	size_t cap = nw->n + old->n;

	items = realloc(nw->items, (cap ? cap : 1) * sizeof(*items));
	if (!items)
		return -ENOMEM;
	nw->items = items;
	for (size_t i = 0; i < nw->n; i++) {
		struct ac_problem *o = reload_take(old, nw->items[i]->id);

		if (!o) {
			(*added)++;
			log_info("reload: problem %s added", nw->items[i]->id);
		} else if (strcmp(o->hash, nw->items[i]->hash) == 0) {
			/* Unchanged: keep the old object, free the copy. */
			ac_problem_free(nw->items[i]);
			nw->items[i] = o;
		} else {
			(*changed)++;
			log_info("reload: problem %s changed (content hash "
			         "%.12s, was %.12s)",
			         nw->items[i]->id, nw->items[i]->hash, o->hash);
			reload_retire(core, o);
		}
	}
	for (size_t i = 0; i < old->n; i++) {
		struct ac_problem *o = old->items[i];

		if (!o)
			continue;
		old->items[i] = NULL;
		if (reload_dir_exists(o->dir) && !ac_problem_find(nw, o->id) &&
		    !(o->uuid && ac_problem_find(nw, o->uuid))) {
			(*kept)++;
			log_warn("reload: problem %s: the package no longer "
			         "loads (see above); its previous version "
			         "stays",
			         o->id);
			nw->items[nw->n++] = o;
			continue;
		}
		(*removed)++;
		log_info("reload: problem %s removed", o->id);
		reload_retire(core, o);
	}
	qsort(nw->items, nw->n, sizeof(*nw->items), reload_id_cmp);
	return 0;
}

static void reload_done_cb(void *arg)
{
	struct reload_job *j = arg;
	struct ac_core *core = j->core;
	size_t added = 0, changed = 0, kept = 0, removed = 0;
	int r;

	core->reload = NULL;
	if (j->r < 0) {
		log_error("reload: %s; the problems stay as they were", j->err);
		goto out;
	}
	r = reload_merge(core, j->set, &added, &changed, &kept, &removed);
	if (r < 0) {
		log_error("reload: %s; the problems stay as they were",
		          strerror(-r));
		goto out;
	}
	ac_problem_set_free(core->problems); /* its entries were moved */
	core->problems = j->set;
	j->set = NULL;
	log_info("reload: %zu problems (%zu added, %zu changed, %zu removed, "
	         "%zu refused and kept at their previous version)",
	         core->problems->n, added, changed, removed, kept);
out:
	ac_problem_set_free(j->set);
	free(j);
	ac_sd_notify("READY=1");
}

int ac_core_reload(struct ac_core *core)
{
	struct reload_job *j;
	int r;

	ac_sd_notify("RELOADING=1");
	if ((r = ac_log_reopen()) < 0)
		log_error("reload: cannot reopen log.file: %s", strerror(-r));
	if (!core->problems_dir || !core->problems) {
		ac_sd_notify("READY=1");
		return 0;
	}
	if (core->reload) {
		log_warn("reload: one is already running; skipped");
		return -EBUSY;
	}
	j = calloc(1, sizeof(*j));
	if (!j) {
		ac_sd_notify("READY=1");
		return -ENOMEM;
	}
	j->core = core;
	r = ac_pool_submit(core->pool, reload_work_cb, reload_done_cb, j);
	if (r < 0) {
		free(j);
		ac_sd_notify("READY=1");
		return r;
	}
	core->reload = j;
	return 0;
}

void ac_core_reload_fini(struct ac_core *core)
{
	struct reload_job *j = core->reload;

	/* The pool is gone: a job it finished never ran its completion. */
	if (j) {
		ac_problem_set_free(j->set);
		free(j);
		core->reload = NULL;
	}
	for (size_t i = 0; i < core->nretired; i++)
		ac_problem_free(core->retired[i]);
	free(core->retired);
	core->retired = NULL;
	core->nretired = 0;
}
