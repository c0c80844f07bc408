/* sandbox/ns: Linux namespaces + cgroups + rlimits.
 *
 * One run: the judge thread creates the run's cgroups, opens the files and
 * pipes, then clone3()s a child in new pid, ipc, uts and cgroup
 * namespaces.  That child is the sandbox's init (child.c): it enters a
 * private copy of a prepared mount namespace holding the read-only root
 * (see ns_tmpl_build; or builds the root from bind mounts on a fresh tmpfs
 * and pivots into it where that is not possible), adds the run's box,
 * /tmp, /dev/shm and /proc, and starts the program vfork-like; the program
 * enters a user namespace made ahead (ns_user_get) as an unprivileged uid,
 * drops every capability and execs.  The judge thread meanwhile polls the
 * output pipes, samples the cgroup's CPU time and the wall clock, and
 * kills the namespace's init (which takes everything in it down) on any
 * limit.  See docs/sandbox.md.
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

#include "../../common/plugin_util.h"
#include "env.h"
#include "plan.h"
#include "pool.h"
#include "reap.h"
#include "run.h"
#include "state.h"
#include "sys.h"
#include "tmpl.h"
#include "util.h"

static void ns_fini(void *state)
{
	struct ns_state *st = state;

	if (!st)
		return;
	if (st->reap[1] >= 0) {
		close(st->reap[1]); /* the reaper drains the pipe, then ends */
		pthread_join(st->reaper, NULL);
		close(st->reap[0]);
	}
	ns_cg_maker_stop(st);
	if (st->user_slot)
		ns_user_maker_stop(st);
	for (int i = 0; i < st->cg_spare_n; i++) {
		ns_sparer_free(st->cg_spare_sp[i]); /* out before rmdir */
		cg_run_destroy(&st->cg_spare[i]);
	}
	for (int i = 0; i < st->cg_dead_n; i++)
		cg_run_destroy(&st->cg_dead[i]);
	pthread_mutex_destroy(&st->cg_mu);
	pthread_cond_destroy(&st->cg_cv);
	sbx_stdin_fini(&st->in_cache);
	plan_free(&st->plan);
	plan_free(&st->masks);
	cg_sys_fini(&st->cg);
	for (int i = 0; i < st->net_n; i++)
		close(st->net_free[i]);
	for (unsigned i = 0; st->user_slot && i < st->id_count; i++)
		if (st->user_slot[i] >= 0)
			close(st->user_slot[i]);
	free(st->user_slot);
	free(st->id_busy);
	if (st->id_lock >= 0)
		close(st->id_lock);
	pthread_cond_destroy(&st->id_cv);
	for (int i = 0; i < st->stk_n; i++)
		munmap(st->stk_free[i], NS_STACK_MAP);
	pthread_mutex_destroy(&st->net_mu);
	for (int i = 0; i < st->tmpl_n; i++) {
		close(st->tmpl[i].fd);
		free(st->tmpl[i].key);
	}
	pthread_mutex_destroy(&st->tmpl_mu);
	sc_cache_free(st->sc);
	free(st->root_dir);
	free(st);
}

/* Does the kernel have this system call?  (Called with invalid
 * arguments: ENOSYS only when it is missing.) */
static bool ns_have_syscall(long nr)
{
	return syscall(nr, -1, NULL, 0, NULL, 0) >= 0 || errno != ENOSYS;
}

/* The highest capability number of this kernel (the bounding set loop). */
static int ns_cap_last(void)
{
	char buf[16];
	int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	long v;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 63;
	buf[n] = '\0';
	v = strtol(buf, NULL, 10);
	return v > 0 && v < 64 ? (int)v : 63;
}

/* mkdir -p for the root mount point, root-owned, not a symlink. */
static int ns_make_root_dir(const char *path)
{
	char buf[1024];
	struct stat sb;

	if (path[0] != '/' || strlen(path) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, path);
	for (char *q = strchr(buf + 1, '/');; q = strchr(q + 1, '/')) {
		if (q)
			*q = '\0';
		if (mkdir(buf, 0700) < 0 && errno != EEXIST)
			return -errno;
		if (!q)
			break;
		*q = '/';
	}
	if (lstat(path, &sb) < 0)
		return -errno;
	if (!S_ISDIR(sb.st_mode) || sb.st_uid != 0)
		return -EPERM;
	return 0;
}

static int ns_init(const struct ac_host *host, struct ac_plugin_ctx *ctx,
                   void **state)
{
	struct ns_state *st = calloc(1, sizeof(*st));
	char *cg_root = NULL, *extra = NULL;
	bool use_sc = true;
	long long v;
	int rc;

	*state = NULL;
	if (!st)
		return -ENOMEM;
	st->host = host;
	st->ctx = ctx;
	atomic_init(&st->seq, 0);
	atomic_init(&st->reap_pending, 0);
	st->reap[0] = st->reap[1] = -1;
	pthread_mutex_init(&st->net_mu, NULL);
	pthread_cond_init(&st->id_cv, NULL);
	st->id_lock = -1;
	pthread_mutex_init(&st->tmpl_mu, NULL);
	pthread_mutex_init(&st->cg_mu, NULL);
	pthread_cond_init(&st->cg_cv, NULL);
	sbx_stdin_init(&st->in_cache);
	{
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		st->ncpu = n > 0 ? (uint64_t)n : 1;
	}
	if ((rc = ns_ids_init(st)) < 0)
		goto fail;
	if ((rc = ns_conf_int(st, "tmp_size_kb", 262144, &v)) < 0)
		goto fail;
	st->tmp_kb = (unsigned long long)v;
	rc = host->conf_string(ctx, "root_dir", &st->root_dir);
	if (rc == -ENOENT)
		st->root_dir = strdup("/run/algocode-sandbox");
	else if (rc < 0)
		goto fail;
	if (!st->root_dir) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = ns_make_root_dir(st->root_dir);
	if (rc < 0) {
		NS_LOG(st, AC_LOG_ERROR,
		       "sandbox.root_dir %s: %s (must be an absolute path to a "
		       "root-owned directory)",
		       st->root_dir, strerror(-rc));
		goto fail;
	}
	if ((rc = ns_ids_lock_open(st)) < 0)
		goto fail;
	rc = host->conf_string(ctx, "cgroup_root", &cg_root);
	if (rc < 0 && rc != -ENOENT)
		goto fail;
	if (getrandom(&st->token, sizeof(st->token), 0) !=
	    (ssize_t)sizeof(st->token))
		st->token = (unsigned int)pu_mono_us() ^ (unsigned int)getpid();
	cg_sys_init(&st->cg, cg_root, st->token);
	if (st->cg.version == 0)
		NS_LOG(st, AC_LOG_WARN, "no usable cgroups: %s", st->cg.err);
	rc = host->conf_string(ctx, "extra_ro", &extra);
	if (rc < 0 && rc != -ENOENT)
		goto fail;
	rc = plan_build(st, extra);
	if (rc == 0)
		rc = plan_masks(st);
	if (rc < 0)
		goto fail;
	nsx_proc_masks(&st->mask_files, &st->mask_dirs);
	st->cap_last = ns_cap_last();
	/* vfork-like inits need clone3 with a stack (5.3); valgrind has no
	 * clone3 either. */
	st->share_vm = NSX_RAW_SYSCALLS && ns_have_syscall(SYS_clone3);
	/* A program changes its uid while it still shares our memory (it is
	 * a vfork child until its exec), and with fs.suid_dumpable 0 or 2
	 * the kernel then makes that memory, ours, not dumpable.  Be so from
	 * the start, so that every run sees the same process: no core dumps,
	 * /proc/<our pid> readable by root only, and our children's
	 * /proc/<pid>/ns open only with CAP_SYS_PTRACE, which the sandbox
	 * does not need (children send their namespaces themselves). */
	if (st->share_vm)
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	ns_reaper_start(st);
	/* Prepared roots need open_tree, move_mount (5.2) and mount_setattr
	 * (5.12); the default one is built now. */
	if (ns_have_syscall(SYS_open_tree) && ns_have_syscall(SYS_move_mount) &&
	    ns_have_syscall(SYS_mount_setattr)) {
		struct ns_tmpl *t = &st->tmpl[0];

		t->key = strdup("");
		t->fd = t->key ? ns_tmpl_build(st, NULL, &t->dev) : -ENOMEM;
		t->born_us = pu_mono_us();
		if (t->fd >= 0) {
			st->tmpl_n = 1;
			st->tmpl_ok = true;
		} else {
			free(t->key);
			t->key = NULL;
		}
	}
	rc = host->conf_bool(ctx, "seccomp", &use_sc);
	if (rc < 0 && rc != -ENOENT)
		goto fail;
	if (use_sc) {
		char err[256] = "";

		if ((rc = sc_cache_new(&st->sc, err, sizeof(err))) < 0) {
			NS_LOG(st, AC_LOG_ERROR, "%s", err);
			goto fail;
		}
	} else {
		NS_LOG(st, AC_LOG_WARN,
		       "sandbox.seccomp = false: programs run without a "
		       "system call filter");
	}
	*state = st;
	rc = 0;
fail:
	free(cg_root);
	free(extra);
	if (rc < 0)
		ns_fini(st);
	return rc;
}

static const struct ac_sandbox_ops ns_ops = {
        .init = ns_init,
        .fini = ns_fini,
        .run = ns_run,
        .check_env = ns_check_env,
        .enforcing = ns_enforcing,
};

/* The core checks these before init; uid + uid_count and gid + uid_count
 * must also stay below 2^31 - 1 (ns_ids_init). */
static const struct ac_setting ns_settings[] = {
        AC_SET_INT(
                "uid", "60000", 1, 0x7ffffffe,
                "first host uid of the programs (uid_count of them, used by no "
                "host account)"),
        AC_SET_INT("gid", NULL, 1, 0x7ffffffe,
                   "first host gid of the programs (default: uid)"),
        AC_SET_INT("uid_count", "256", 1, 65536,
                   "host ids reserved, so runs alive at once at most"),
        AC_SET_INT("tmp_size_kb", "262144", 1024, 64LL * 1024 * 1024,
                   "size of /tmp and of /dev/shm (each) of a run"),
        AC_SET_STRING("root_dir", "/run/algocode-sandbox",
                      "empty root-owned directory the new root is mounted on"),
        AC_SET_STRING(
                "cgroup_root", NULL,
                "parent of the run cgroups, relative to each hierarchy's root "
                "(default: the judge's own cgroup + /algocode)"),
        AC_SET_STRING("extra_ro", NULL,
                      "more host paths bound read-only in every run, "
                      "comma-separated"),
        AC_SET_BOOL(
                "seccomp", "true",
                "load the system call filter (false only to debug a runtime)"),
        AC_SETTINGS_END,
};

AC_PLUGIN_DEFINE_SETTINGS(AC_KIND_SANDBOX, "ns",
                          "Linux namespaces, cgroups (v1/v2) and rlimits",
                          PACKAGE_VERSION, ns_ops, ns_settings);
