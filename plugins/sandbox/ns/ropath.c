/* sandbox/ns: read-only path rules: which host paths (sandbox.extra_ro, a
 * profile's ro_paths) may be bound, and those of one run.
 */
#define _GNU_SOURCE 1
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "plan.h"
#include "ropath.h"
#include "state.h"
#include "util.h"

/* Is `path` equal to `tree` or below it? */
static bool ns_under(const char *path, const char *tree)
{
	size_t l = strlen(tree);

	return strncmp(path, tree, l) == 0 &&
	       (path[l] == '\0' || path[l] == '/' || strcmp(tree, "/") == 0);
}

/* Trees the sandbox builds itself: an extra path there makes no sense.
 * (/tmp is not among them: a path below it is attached inside the run's
 * own /tmp, see ns_run_ro.) */
static const char *const ns_own[] = {
        "/box",       "/dev",          "/proc",
        "/sys",       "/etc/passwd",   "/etc/group",
        "/etc/hosts", "/etc/hostname", "/etc/nsswitch.conf"};
/* Host secrets: never bound, nor anything below one (it is part of the
 * secret), nor any directory holding one.  /run stays whole: a directory
 * there may hold a socket (docker.sock), which a read-only bind does not
 * stop anyone from connecting to. */
static const char *const ns_secret[] = {"/etc/shadow",
                                        "/etc/shadow-",
                                        "/etc/gshadow",
                                        "/etc/gshadow-",
                                        "/etc/sudoers",
                                        "/etc/sudoers.d",
                                        "/etc/ssh",
                                        "/etc/ssl/private",
                                        "/etc/algocode",
                                        "/run",
                                        "/var/run",
                                        "/var/lib/algocode",
                                        "/etc/security/opasswd",
                                        "/boot"};
/* Home trees: they hold users' secrets, so neither they, nor a home in
 * them, nor anything holding them is bound, nor a hidden entry of a home
 * (see ns_home_entry_ok).  A directory further below
 * (/root/src/algocode/_build/tests/pch) is: a bind shows that directory
 * only, never its parents. */
static const char *const ns_homes[] = {"/root", "/home"};
/* Already mirrored read-only as a whole. */
static const char *const ns_sys_trees[] = {"/usr",   "/bin",   "/sbin",  "/lib",
                                           "/lib32", "/lib64", "/libx32"};

/* May `rest`, a path inside a home directory ("src/x", ".ssh"), be bound?
 * Not a hidden entry (~/.ssh, ~/.gnupg, ~/.config, ~/.aws, ...: where
 * credentials live), except the XDG data and cache trees (~/.local, a
 * common install prefix, and ~/.cache) without the key rings. */
static bool ns_home_entry_ok(const char *rest)
{
	if (rest[0] != '.')
		return true;
	if (ns_under(rest, ".local/share/keyrings") ||
	    ns_under(".local/share/keyrings", rest))
		return false;
	return ns_under(rest, ".local") || ns_under(rest, ".cache");
}

/* The rules on one (absolute, lexically clean) path. */
static int ns_ro_path_rules(const struct ns_state *st, const char *path,
                            const char **why)
{
	size_t i;

	for (i = 0; i < sizeof(ns_own) / sizeof(ns_own[0]); i++)
		if (ns_under(path, ns_own[i])) {
			*why = "is inside what the sandbox provides itself";
			return -EPERM;
		}
	if (strcmp(path, "/tmp") == 0) {
		*why = "is the sandbox's own /tmp";
		return -EPERM;
	}
	for (i = 0; i < sizeof(ns_secret) / sizeof(ns_secret[0]); i++)
		if (ns_under(path, ns_secret[i]) ||
		    ns_under(ns_secret[i], path)) {
			*why = "is, is in or holds host secrets";
			return -EPERM;
		}
	for (i = 0; i < sizeof(ns_homes) / sizeof(ns_homes[0]); i++) {
		const char *h = ns_homes[i], *rest;
		size_t l = strlen(h);

		if (ns_under(h, path)) {
			*why = "is or holds home directories";
			return -EPERM;
		}
		if (!ns_under(path, h))
			continue;
		/* rest: what follows the home ("/root/x" -> "x",
		 * "/home/u/x" -> "x"). */
		rest = path + l + 1;
		if (strcmp(h, "/home") == 0) {
			rest = strchr(rest, '/');
			if (!rest) {
				*why = "is a home directory";
				return -EPERM;
			}
			rest++;
		}
		if (!ns_home_entry_ok(rest)) {
			*why = "is a hidden entry of a home directory "
			       "(where credentials live)";
			return -EPERM;
		}
	}
	if (ns_under(path, st->root_dir) || ns_under(st->root_dir, path)) {
		*why = "is or holds the sandbox root";
		return -EPERM;
	}
	if (strcmp(path, "/") == 0) {
		*why = "is the host's root";
		return -EPERM;
	}
	return 0;
}

/* Check a host path to bind read-only (sandbox.extra_ro, a profile's
 * ro_paths): absolute and lexically clean (no ".", "..", "//", trailing
 * "/"), existing, and both it and what it resolves to (symlinks followed,
 * into `real`, PATH_MAX) outside what the sandbox builds and holding no
 * secret.  Returns 0 (bind `real` at `path`), 1 (already visible: skip)
 * or -errno with why set. */
int ns_ro_path_check(const struct ns_state *st, const char *path, char *real,
                     const char **why)
{
	size_t l = strlen(path), i;
	int rc;

	*why = "must be an absolute path without \".\", \"..\" or \"//\"";
	if (path[0] != '/' || l < 2 || l >= PATH_MAX || strstr(path, "//") ||
	    strstr(path, "/../") || strstr(path, "/./") ||
	    (l >= 3 && strcmp(path + l - 3, "/..") == 0) ||
	    (l >= 2 && strcmp(path + l - 2, "/.") == 0) || path[l - 1] == '/')
		return -EINVAL;
	if ((rc = ns_ro_path_rules(st, path, why)) < 0)
		return rc;
	if (!realpath(path, real)) {
		*why = "does not exist";
		return -ENOENT;
	}
	if ((rc = ns_ro_path_rules(st, real, why)) < 0) {
		*why = "resolves to a path that is refused";
		return rc;
	}
	for (i = 0; i < sizeof(ns_sys_trees) / sizeof(ns_sys_trees[0]); i++)
		if (ns_under(path, ns_sys_trees[i]))
			return 1;
	return 0;
}

/* The profile's ro_paths given as descriptors (spec.fds->ro), or NULL. */
const int *ns_ro_fds(const struct ac_run_spec *spec)
{
	return spec->fds && spec->profile && spec->profile->ro_paths
	               ? spec->fds->ro
	               : NULL;
}

/* A profile path given as descriptor fd: the same rules as
 * ns_ro_path_check, on the path and on what fd names; then a detached
 * copy of what fd names is attached at `path`.  Returns 0, 1 (already
 * visible) or -errno with why set. */
int ns_ro_fd_plan(const struct ns_state *st, const char *path, int fd,
                  struct nsx_plan *run_plan, const char **why)
{
	char real[PATH_MAX], self[64];
	const char *rel = path + 1;
	struct stat sb;
	ssize_t n;
	int rc = ns_ro_path_check(st, path, real, why);

	if (rc != 0)
		return rc;
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	n = readlink(self, real, sizeof(real) - 1);
	if (n <= 0 || fstat(fd, &sb) < 0) {
		*why = "has a descriptor that cannot be examined";
		return -EBADF;
	}
	real[n] = '\0';
	if (real[0] != '/' || (rc = ns_ro_path_rules(st, real, why)) < 0) {
		*why = "has a descriptor naming a path that is refused";
		return rc < 0 ? rc : -EPERM;
	}
	if (!S_ISDIR(sb.st_mode) && !S_ISREG(sb.st_mode)) {
		*why = "has a descriptor that is not a directory or a file";
		return -EINVAL;
	}
	*why = "cannot be added (out of memory)";
	if ((rc = plan_parents(run_plan, rel)) < 0 ||
	    (rc = plan_add(run_plan, NSX_TREE_RO, S_ISDIR(sb.st_mode), NULL,
	                   rel)) < 0)
		return rc;
	/* The descriptor names a mount of our namespace, which cannot be
	 * bound from the template's: a detached copy can be attached
	 * there. */
	run_plan->v[run_plan->n - 1].fd = (int)syscall(
	        SYS_open_tree, fd, "",
	        OPEN_TREE_CLONE | O_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
	if (run_plan->v[run_plan->n - 1].fd < 0) {
		*why = "cannot be copied from its descriptor (open_tree)";
		return -errno;
	}
	return 0;
}

/* Add `rel` (a path of the new root, "tmp/...") to the read-only paths a
 * run attaches inside its own /tmp (struct nsx_tmp_ro), unless it lies
 * below one listed already (attached with it). */
static int ns_tmp_ro_add(struct nsx_child *c, const char *rel, bool is_dir)
{
	for (size_t i = 0; i < c->tmp_ro_n; i++)
		if (ns_under(rel, c->tmp_ro[i].dst))
			return 0;
	if (c->tmp_ro_n == NSX_TMP_RO_MAX)
		return -E2BIG;
	c->tmp_ro[c->tmp_ro_n].dst = rel;
	c->tmp_ro[c->tmp_ro_n++].is_dir = is_dir;
	return 0;
}

/* A read-only path below /tmp is attached inside the run's own /tmp,
 * after the masks of the judge's private directories (st->masks): one
 * that is, holds or lies below such a directory would show it.  The mask
 * it meets ("/..."), or NULL. */
static const char *ns_tmp_ro_masked(const struct ns_state *st, const char *rel)
{
	for (size_t i = 0; i < st->masks.n; i++)
		if (ns_under(rel, st->masks.v[i].dst) ||
		    ns_under(st->masks.v[i].dst, rel))
			return st->masks.v[i].dst;
	return NULL;
}

/* Is the box (absolute) below one of the judge's private directories,
 * hidden after every bind?  Then a bind holding it does not show it (the
 * work directory of `make install`, /usr/local/var/lib/algocode/work,
 * lies below /usr). */
static bool ns_box_hidden(const struct ns_state *st, const char *box)
{
	for (size_t i = 0; i < st->masks.n; i++)
		if (ns_under(box + 1, st->masks.v[i].dst))
			return true;
	return false;
}

/* The read-only paths of this run, sandbox.extra_ro (binds of the plan)
 * and the profile's ro_paths (checked already), once more: none may hold
 * the box (it would show the judge's work directory, other runs' boxes);
 * those below /tmp are listed in c.  Returns 0 or -errno with rep set. */
int ns_run_ro(const struct ns_state *st, const struct ac_run_spec *spec,
              struct nsx_child *c, struct ac_run_report *rep)
{
	const char *const *v = spec->profile ? spec->profile->ro_paths : NULL;
	const int *fds = ns_ro_fds(spec);
	char box[PATH_MAX];
	const char *m;
	ssize_t n;
	int rc = 0;

	/* Where the box really is (its descriptor). */
	if ((n = readlink(c->box_proc, box, sizeof(box) - 1)) <= 0 ||
	    box[0] != '/') {
		ns_error(rep, "box %s: cannot be examined", c->box_name);
		return -EIO;
	}
	box[n] = '\0';
	c->tmp_ro_n = 0;
	for (size_t i = 0; i < st->plan.n && rc == 0; i++) {
		const struct nsx_step *s = &st->plan.v[i];

		if (s->kind != NSX_BIND_RO)
			continue;
		if (ns_under(box, s->src) && !ns_box_hidden(st, box)) {
			ns_error(rep,
			         "sandbox.extra_ro \"%.100s\" holds the box "
			         "(the judge's work directory)",
			         s->src);
			return -EPERM;
		}
		if (strncmp(s->dst, "tmp/", 4) != 0)
			continue;
		if ((m = ns_tmp_ro_masked(st, s->dst))) {
			ns_error(rep,
			         "sandbox.extra_ro \"%.100s\" shows /%.100s "
			         "(the "
			         "judge's problems or work directory)",
			         s->src, m);
			return -EPERM;
		}
		rc = ns_tmp_ro_add(c, s->dst, s->is_dir);
	}
	for (size_t i = 0; v && v[i] && rc == 0; i++) {
		struct stat sb;

		if (ns_under(box, v[i]) && !ns_box_hidden(st, box)) {
			ns_error(rep,
			         "profile ro_path \"%.100s\" holds the box "
			         "(the judge's work directory)",
			         v[i]);
			return -EPERM;
		}
		if (!ns_under(v[i], "/tmp"))
			continue;
		if ((m = ns_tmp_ro_masked(st, v[i] + 1))) {
			ns_error(
			        rep,
			        "profile ro_path \"%.100s\" shows /%.100s (the "
			        "judge's problems or work directory)",
			        v[i], m);
			return -EPERM;
		}
		if ((fds ? fstat(fds[i], &sb) : stat(v[i], &sb)) < 0)
			rc = -errno;
		else
			rc = ns_tmp_ro_add(c, v[i] + 1, S_ISDIR(sb.st_mode));
	}
	if (rc < 0)
		ns_error(rep, "read-only paths below /tmp: %s (at most %d)",
		         strerror(-rc), NSX_TMP_RO_MAX);
	return rc;
}
