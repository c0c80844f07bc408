/* sandbox/ns: read-only path rules: which host paths (sandbox.extra_ro, a
 * profile's ro_paths) may be bound, and those of one run. */
#ifndef AC_SANDBOX_NS_ROPATH_H
#define AC_SANDBOX_NS_ROPATH_H

#include "state.h"

/* Check a host path to bind read-only (sandbox.extra_ro, a profile's
 * ro_paths): absolute and lexically clean (no ".", "..", "//", trailing
 * "/"), existing, and both it and what it resolves to (symlinks followed,
 * into `real`, PATH_MAX) outside what the sandbox builds and holding no
 * secret.  Returns 0 (bind `real` at `path`), 1 (already visible: skip)
 * or -errno with why set. */
int ns_ro_path_check(const struct ns_state *st, const char *path, char *real,
                     const char **why);

/* The profile's ro_paths given as descriptors (spec.fds->ro), or NULL. */
const int *ns_ro_fds(const struct ac_run_spec *spec);

/* A profile path given as descriptor fd: the same rules as
 * ns_ro_path_check, on the path and on what fd names; then a detached
 * copy of what fd names is attached at `path`.  Returns 0, 1 (already
 * visible) or -errno with why set. */
int ns_ro_fd_plan(const struct ns_state *st, const char *path, int fd,
                  struct nsx_plan *run_plan, const char **why);

/* The read-only paths of this run, sandbox.extra_ro (binds of the plan)
 * and the profile's ro_paths (checked already), once more: none may hold
 * the box (it would show the judge's work directory, other runs' boxes);
 * those below /tmp are listed in c.  Returns 0 or -errno with rep set. */
int ns_run_ro(const struct ns_state *st, const struct ac_run_spec *spec,
              struct nsx_child *c, struct ac_run_report *rep);

#endif
