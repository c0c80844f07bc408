/* cgroup v2 delegation by systemd (Delegate=yes, docs/deployment.md,
 * "systemd"). */
#ifndef AC_DELEGATE_H
#define AC_DELEGATE_H
struct ac_config;

/* Started by systemd (INVOCATION_ID) as root, on cgroup v2, in a cgroup
 * systemd delegated (its trusted.delegate attribute), with the ns sandbox
 * and no sandbox.cgroup_root: move this process into the child "main" of
 * its cgroup and set sandbox.cgroup_root to the child "algocode", so the
 * run cgroups live in the delegated subtree (the kernel forbids enabling
 * controllers in a cgroup that holds processes; without this the sandbox
 * falls back to /algocode below the root).  Call while single-threaded,
 * before ac_core_init.  Anything else, or a step that fails (logged),
 * leaves everything as it was: 0 always. */
int ac_cg_delegate(struct ac_config *cfg);
#endif
