/* sandbox/ns: the read-only root: its plan (plan_build), and template mount
 * namespaces, prepared roots that a run copies (unshare) instead of
 * building its own. */
#ifndef AC_SANDBOX_NS_TMPL_H
#define AC_SANDBOX_NS_TMPL_H

#include "state.h"

int plan_build(struct ns_state *st, const char *extra);
/* The judge's private directories to hide (st->masks). */
int plan_masks(struct ns_state *st);

/* Build a template (fd of its mount namespace), or -errno (logged). */
int ns_tmpl_build(struct ns_state *st, const struct nsx_plan *run_plan,
                  dev_t *dev);

/* The root of a run: *fd a template mount namespace (this run's own fd,
 * to close after clone) with *dev its root's st_dev, or -1 when the run
 * builds its root from the plan and *run_plan (filled then).  Returns 0,
 * or -errno with rep set (a refused ro_path). */
int ns_root_for(struct ns_state *st, const struct ac_run_spec *spec,
                struct nsx_plan *run_plan, int *fd, dev_t *dev,
                struct ac_run_report *rep);

#endif
