/* Privilege separation (docs/architecture.md, "Privilege separation").
 *
 * Started as root with `user` set, `algocode serve` forks a sandbox helper
 * that keeps root and holds only the sandbox plugin, then switches itself
 * to `user` before it loads anything else, opens a port or reads a queue.
 * The helper answers a closed set of requests over a SOCK_SEQPACKET
 * socket: run a program, report check-env, say whether limits are
 * enforced.  The judge opens the run's files itself and passes the
 * descriptors; the helper opens the box beneath judge.work_dir itself
 * (openat2: no link, no other mount) and checks the rest in ps_do_run(). */
#ifndef AC_PRIVSEP_H
#define AC_PRIVSEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ac_core;
struct ac_config;

/* Called by ac_core_init before the event base, threads or plugins exist.
 * When this process is root and `user` names another user: prepares
 * `state_dirs`, forks the helper when `need` has AC_NEED_SANDBOX (the
 * helper loads the sandbox plugin from plugin_dir), and drops to the
 * user; core->sandbox is then the helper's proxy.  Nothing to do
 * otherwise (0).  On error returns a negative errno and a message. */
int ac_privsep_setup(struct ac_core *core, unsigned need,
                     const char *plugin_dir, char *err, size_t errlen);

/* After the event base exists: leave the loop (exit status 1) when the
 * helper dies.  No-op without a helper. */
int ac_privsep_watch(struct ac_core *core);

/* What `algocode check-env` says about privilege separation. */
bool ac_privsep_describe(const struct ac_config *cfg, char *buf, size_t len);

/* Exposed for the unit test: whether uid:gid (without supplementary
 * groups) can reach the real path of `path` (x on every directory) and
 * read it.  0, or -errno with a reason in *why. */
int ps_readable_by(const char *path, uid_t uid, gid_t gid, const char **why);
/* Exposed for the unit test: open `path` (O_PATH) as uid:gid would, a
 * directory or regular file it can read.  The descriptor, or -errno with a
 * reason in *why. */
int ps_pin_ro(const char *path, uid_t uid, gid_t gid, const char **why);

/* Remove `name` beneath the directory dfd, whatever the modes and depth
 * of what lies below: descriptor based (openat, unlinkat, never through a
 * symbolic link, never onto another mount), iterative (one descriptor
 * held at a time: it climbs back through "..", checked against the inode
 * it came from), making directories it owns accessible when it is not
 * root.  0 (also when name does not exist), or the first -errno that
 * stopped it. */
int ac_rmtree_at(int dfd, const char *name);

struct ac_sandbox_ops;
/* Remove the tree at `path` (absolute, beneath judge.work_dir) as root
 * through the sandbox helper, when sb/state is the helper's proxy
 * (privilege separation): what a sandboxed program left, in directories
 * it closed or nested deeper than anything may hold open, goes too.
 * -ENOTSUP when sb is not the proxy (remove it yourself), else 0 or
 * -errno. */
int ac_privsep_remove(const struct ac_sandbox_ops *sb, void *state,
                      const char *path);
/* Mount a tmpfs of size_kb KiB, owned by the judge's user, on the empty
 * directory `path` (beneath judge.work_dir) through the helper; removing
 * it (ac_privsep_remove, of it or of the run directory holding it as
 * box/) unmounts it.  -ENOTSUP without the helper, else 0 or -errno. */
int ac_privsep_box_mount(const struct ac_sandbox_ops *sb, void *state,
                         const char *path, uint64_t size_kb);

struct ac_run_spec;
struct ac_run_report;
/* Exposed for the unit test.  The helper's request loop on ctl, running
 * requests with ops/state for boxes beneath work_dir owned by uid;
 * returns when the other end is closed and every request is done. */
int ps_helper_loop(int ctl, const struct ac_sandbox_ops *ops, void *state,
                   const char *work_dir, uid_t uid, gid_t gid);
/* The proxy's run: send spec to the helper on ctl, wait for its report. */
int ps_proxy_run(int ctl, const struct ac_run_spec *spec,
                 struct ac_run_report *rep);
/* The proxy's remove and box mount (ac_privsep_remove,
 * ac_privsep_box_mount): 0 or -errno. */
int ps_proxy_remove(int ctl, const char *path);
int ps_proxy_box_mount(int ctl, const char *path, uint64_t size_kb);

#endif
