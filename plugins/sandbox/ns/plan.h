/* sandbox/ns: building mount plans (struct nsx_plan, run by child.c or the
 * template builder). */
#ifndef AC_SANDBOX_NS_PLAN_H
#define AC_SANDBOX_NS_PLAN_H

#include "state.h"

int plan_add(struct nsx_plan *p, enum nsx_step_kind kind, bool is_dir,
             const char *src, const char *dst);

void plan_free(struct nsx_plan *p);

/* mkdir steps for the parent directories of `rel` (relative to the new
 * root). */
int plan_parents(struct nsx_plan *p, const char *rel);

int plan_mirror(struct nsx_plan *p, const char *abs);

/* Like plan_mirror, but host path `abs` appears at `at` (absolute). */
int plan_mirror_at(struct nsx_plan *p, const char *abs, const char *at);

#endif
