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

#include "../common/sbx_stdin.h"
#include "../common/sbx_stream.h"
#include "ns.h"
#include "sys.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#define NS_CLONE_INTO_CGROUP   0x200000000ULL
#define NS_CLONE_CLEAR_SIGHAND 0x100000000ULL

#define NS_SETUP_TIMEOUT_MS 10000
#define NS_DRAIN_TIMEOUT_MS 2000
#define NS_TICK_MS          5
#define NS_NET_POOL         16
#define NS_TMPL_MAX         8 /* prepared roots kept (profiles' ro_paths) */
#define NS_TMPL_MAX_AGE_US  (60 * 1000000ULL) /* then rebuilt */
#define NS_ROOT_OPTS        "size=1024k,nr_inodes=4096,mode=0755"
#define NS_CG_SPARE         2     /* run cgroups made ahead */
#define NS_CG_DEAD          8     /* finished runs' cgroups awaiting removal */
#define NS_UID_FIRST        60000 /* sandbox.uid: the programs' first host id */
#define NS_UID_COUNT        256   /* sandbox.uid_count: runs alive at once */
#define NS_ID_WAIT_S        30    /* a run waits this long for a free id */

/* A prepared root (see ns_tmpl_build). */
struct ns_tmpl {
	char *key; /* the profile's ro_paths joined by '\n' ("": none) */
	int fd;    /* the template mount namespace */
	dev_t dev; /* st_dev of its root */
	uint64_t born_us;
};

struct ns_state {
	const struct ac_host *host;
	struct ac_plugin_ctx *ctx;
	char *root_dir;
	/* Host ids of the programs: run i of those alive at once is
	 * uid + slot, gid + slot (see ns_id_take), so concurrent runs share
	 * no per-user kernel quota. */
	uid_t uid;
	gid_t gid;
	unsigned id_count;
	unsigned id_next;     /* where the next search starts (round robin) */
	uint64_t *id_busy;    /* a bit a slot, under net_mu */
	int *user_slot;       /* a user namespace kept per slot, or -1 */
	int id_lock;          /* <root_dir>.ids: byte uid+slot locked by its
	                       * run, whatever the process (F_OFD_SETLK) */
	pthread_cond_t id_cv; /* a slot was given back */
	unsigned long long tmp_kb;
	struct nsx_plan plan;
	struct cg_sys cg;
	struct sc_cache *sc; /* NULL: seccomp disabled (sandbox.seccomp) */
	/* Empty network namespaces ready for runs (see ns_net_get). */
	pthread_mutex_t net_mu;
	int net_free[NS_NET_POOL];
	int net_n;
	/* Prepared roots; tmpl_ok false: every run builds its root. */
	pthread_mutex_t tmpl_mu;
	struct ns_tmpl tmpl[NS_TMPL_MAX];
	int tmpl_n;
	bool tmpl_ok;
	uint32_t mask_files, mask_dirs; /* nsx_proc_masks() */
	int cap_last;
	atomic_uint seq;
	unsigned int token; /* of this instance, in its cgroups' names */
	uint64_t ncpu;      /* online CPUs: the fastest CPU time can accrue */
	/* init shares our memory (see ns_spawn_thread), on stacks from this
	 * pool (under net_mu). */
	bool share_vm;
	int oom_adj; /* our oom_score_adj (programs inherit it) */
	/* Run cgroups made ahead, and finished runs' cgroups to remove (see
	 * ns_cg_housekeep), under cg_mu. */
	pthread_mutex_t cg_mu;
	struct cg_run cg_spare[NS_CG_SPARE];
	int cg_spare_n;
	struct cg_run cg_dead[NS_CG_DEAD];
	int cg_dead_n;
	/* The reaper (ns_reap): a thread that drops finished runs' mount
	 * namespaces; reap[1] < 0: none, runs drop their own. */
	int reap[2];
	pthread_t reaper;
	atomic_int reap_pending;
	void *stk_free[NS_NET_POOL];
	int stk_n;
	struct sbx_stdin_cache in_cache; /* stdin without its host path */
};

#define NS_LOG(st, lvl, ...) (st)->host->log((st)->ctx, lvl, __VA_ARGS__)

/* Stacks of init and of the program until its execve, when init shares
 * the judge's memory: one mapping each run, [guard | program | guard |
 * init], kept for later runs.  A stack goes back only once init has been
 * waited for. */
#define NS_GUARD      4096
#define NS_PROG_STACK (64 * 1024)
#define NS_INIT_STACK (128 * 1024)
#define NS_STACK_MAP  (2 * NS_GUARD + NS_PROG_STACK + NS_INIT_STACK)

static void *ns_stack_get(struct ns_state *st)
{
	char *m = NULL;

	pthread_mutex_lock(&st->net_mu);
	if (st->stk_n > 0)
		m = st->stk_free[--st->stk_n];
	pthread_mutex_unlock(&st->net_mu);
	if (m)
		return m;
	m = mmap(NULL, NS_STACK_MAP, PROT_READ | PROT_WRITE,
	         MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1,
	         0);
	if (m == MAP_FAILED)
		return NULL;
	if (mprotect(m, NS_GUARD, PROT_NONE) < 0 ||
	    mprotect(m + NS_GUARD + NS_PROG_STACK, NS_GUARD, PROT_NONE) < 0) {
		munmap(m, NS_STACK_MAP);
		return NULL;
	}
	return m;
}

static void ns_stack_put(struct ns_state *st, void *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&st->net_mu);
	if (st->stk_n < NS_NET_POOL) {
		st->stk_free[st->stk_n++] = m;
		m = NULL;
	}
	pthread_mutex_unlock(&st->net_mu);
	if (m)
		munmap(m, NS_STACK_MAP);
}

/* Run cgroups.  Making them (mkdir of three v1 hierarchies, limits, the
 * files read at the end) and removing them cost ~0.3 ms of every run
 * here, before the program could start and after it ended.  So a run
 * takes a set made ahead when there is one (setting only the limits that
 * differ), and leaves its own, once verified empty, to be removed later;
 * both are done by a judge thread while its program runs, when it has
 * nothing else to do (ns_cg_housekeep).  A cgroup is never used twice:
 * the peak memory and OOM count of a run are its own.  Spares and
 * leftovers go at fini, or, after a crash, with the next start's sweep
 * of dead judges' run-<pid>-<n> cgroups. */
static int ns_cg_name(struct ns_state *st, char *name, size_t len)
{
	return snprintf(name, len, "run-%d-%08x-%u", (int)getpid(), st->token,
	                atomic_fetch_add(&st->seq, 1));
}

static int ns_cg_take(struct ns_state *st, const struct ac_limits *l,
                      struct cg_run *cg, char *err, size_t errlen)
{
	char name[64];
	bool got = false;

	pthread_mutex_lock(&st->cg_mu);
	if (st->cg_spare_n > 0) {
		*cg = st->cg_spare[--st->cg_spare_n];
		got = true;
	}
	pthread_mutex_unlock(&st->cg_mu);
	if (got) {
		if (cg_run_set_limits(cg, l, err, errlen) == 0)
			return 0;
		cg_run_destroy(cg);
	}
	ns_cg_name(st, name, sizeof(name));
	return cg_run_create(&st->cg, name, l, cg, err, errlen);
}

/* A finished run's cgroups, empty: removed later, or now when too many
 * wait. */
static void ns_cg_bury(struct ns_state *st, struct cg_run *cg)
{
	bool kept = false;

	pthread_mutex_lock(&st->cg_mu);
	if (st->cg_dead_n < NS_CG_DEAD) {
		st->cg_dead[st->cg_dead_n++] = *cg;
		kept = true;
	}
	pthread_mutex_unlock(&st->cg_mu);
	if (!kept)
		cg_run_destroy(cg);
}

/* While a program runs: remove up to two finished runs' cgroups, then
 * make one spare set (with this run's limits: the next run is likely to
 * have the same) if there is none. */
static void ns_cg_housekeep(struct ns_state *st, const struct ac_limits *l)
{
	struct cg_run cg;
	char name[64], err[256];

	for (int i = 0; i < 2; i++) {
		bool got = false;

		pthread_mutex_lock(&st->cg_mu);
		if (st->cg_dead_n > 0) {
			cg = st->cg_dead[--st->cg_dead_n];
			got = true;
		}
		pthread_mutex_unlock(&st->cg_mu);
		if (!got)
			break;
		cg_run_destroy(&cg);
	}
	pthread_mutex_lock(&st->cg_mu);
	if (st->cg_spare_n > 0) {
		pthread_mutex_unlock(&st->cg_mu);
		return;
	}
	pthread_mutex_unlock(&st->cg_mu);
	ns_cg_name(st, name, sizeof(name));
	if (cg_run_create(&st->cg, name, l, &cg, err, sizeof(err)) < 0)
		return; /* the next run makes its own, and reports why */
	pthread_mutex_lock(&st->cg_mu);
	if (st->cg_spare_n < NS_CG_SPARE) {
		st->cg_spare[st->cg_spare_n++] = cg;
		cg.sys = NULL;
	}
	pthread_mutex_unlock(&st->cg_mu);
	if (cg.sys)
		cg_run_destroy(&cg);
}

/* A run's mount namespace dies with its init, and the kernel then
 * unmounts its tree (the box, /tmp, /dev/shm, /proc and its masks) and
 * waits for an RCU grace period before init is reported dead: ~0.2 ms of
 * every run here.  So the judge holds the namespace (an fd opened while
 * the program runs) and gives it to this thread, which closes it: the
 * teardown happens after the run has been reported.  At most
 * NS_REAP_MAX wait; beyond that, runs close their own. */
#define NS_REAP_MAX 16

static void *ns_reaper_thread(void *arg)
{
	struct ns_state *st = arg;
	int fd;

	while (read(st->reap[0], &fd, sizeof(fd)) == (ssize_t)sizeof(fd)) {
		close(fd);
		atomic_fetch_sub(&st->reap_pending, 1);
	}
	return NULL;
}

static void ns_reaper_start(struct ns_state *st)
{
	sigset_t all, old;
	int rc;

	st->reap[0] = st->reap[1] = -1;
	if (pipe2(st->reap, O_CLOEXEC) < 0) {
		st->reap[0] = st->reap[1] = -1;
		return;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&st->reaper, NULL, ns_reaper_thread, st);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		close(st->reap[0]);
		close(st->reap[1]);
		st->reap[0] = st->reap[1] = -1;
	}
}

static void ns_reap(struct ns_state *st, int fd)
{
	if (fd < 0)
		return;
	if (st->reap[1] >= 0 &&
	    atomic_fetch_add(&st->reap_pending, 1) < NS_REAP_MAX &&
	    write(st->reap[1], &fd, sizeof(fd)) == (ssize_t)sizeof(fd))
		return;
	if (st->reap[1] >= 0)
		atomic_fetch_sub(&st->reap_pending, 1);
	close(fd);
}

/* init is started vfork-like, CLONE_VM | CLONE_VFORK: it runs in the
 * judge's memory on a stack of its own (nothing to copy at its start,
 * nothing to tear down at its exit) while the thread that cloned it waits
 * for its exit.  That thread is a short-lived spawner (ns_spawn_thread),
 * not the judge thread, which supervises the run meanwhile.
 *
 * Being a vfork child is also what keeps the OOM killer away from init:
 * it never picks a task in vfork (its memory is its parent's), whereas it
 * kills every process sharing a victim's memory, which for init would be
 * the judge.  Its oom_score_adj needs no change (lowering it takes
 * CAP_SYS_RESOURCE, which some container roots lack).
 *
 * The spawner learns nothing until init exits; the kernel wrote init's
 * pid and pidfd (CLONE_PARENT_SETTID, CLONE_PIDFD) before init ran, and
 * the judge reads them once init speaks (or tid is set).  The spawner
 * reports its own end (NSX_MSG_DONE, with the error if the clone failed)
 * on its own copy of the socket. */
struct ns_spawn {
	struct nsx_clone_args ca;
	struct nsx_child *c;
	int sock;           /* the spawner's copy of init's socket end */
	volatile pid_t tid; /* CLONE_PARENT_SETTID */
	atomic_bool done;   /* the clone returned */
};

static void *ns_spawn_thread(void *arg)
{
	struct ns_spawn *j = arg;
	struct nsx_msg m;
	long r = nsx_clone3_fn(&j->ca, sizeof(j->ca), nsx_child_fn, j->c);

	if (r == -EINVAL && (j->ca.flags & NS_CLONE_CLEAR_SIGHAND)) {
		j->ca.flags &= ~NS_CLONE_CLEAR_SIGHAND;
		r = nsx_clone3_fn(&j->ca, sizeof(j->ca), nsx_child_fn, j->c);
	}
	/* A failed clone may have written a pidfd number it then released:
	 * it must not be closed later as ours. */
	if (r < 0)
		*(volatile int *)(uintptr_t)j->ca.pidfd = -1;
	atomic_store(&j->done, true);
	memset(&m, 0, sizeof(m));
	m.type = NSX_MSG_DONE;
	m.err = r < 0 ? (int)-r : 0;
	snprintf(m.what, sizeof(m.what), "clone3");
	send(j->sock, &m, sizeof(m), MSG_NOSIGNAL);
	close(j->sock);
	return NULL;
}

/* clone3(), or clone(2) where clone3 is missing (old kernels, valgrind).
 * Both are fork-like here: no new stack, the child continues on a copy.
 * CLONE_CLEAR_SIGHAND (5.5) is dropped where unknown: the child resets
 * what is left itself. */
static pid_t ns_clone(struct nsx_clone_args *ca)
{
	pid_t pid = (pid_t)syscall(SYS_clone3, ca, sizeof(*ca));

	if (pid < 0 && errno == EINVAL &&
	    (ca->flags & NS_CLONE_CLEAR_SIGHAND)) {
		ca->flags &= ~NS_CLONE_CLEAR_SIGHAND;
		pid = (pid_t)syscall(SYS_clone3, ca, sizeof(*ca));
	}
	if (pid >= 0 || errno != ENOSYS || (ca->flags & NS_CLONE_INTO_CGROUP))
		return pid;
	/* x86_64 and arm64 agree on (flags, stack, parent_tid, ...). */
	return (pid_t)syscall(SYS_clone, (unsigned long)(ca->flags | SIGCHLD),
	                      0UL, (void *)(uintptr_t)ca->pidfd, 0UL, 0UL);
}

static uint64_t ns_now_us(void);
static void ns_error(struct ac_run_report *r, const char *fmt, ...)
        AC_PRINTF(2, 3);

/* ------------------------------------------------------------ plan */

static int plan_add(struct nsx_plan *p, enum nsx_step_kind kind, bool is_dir,
                    const char *src, const char *dst)
{
	struct nsx_step *s;

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 32;
		struct nsx_step *v = realloc(p->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		p->v = v;
		p->cap = cap;
	}
	s = &p->v[p->n];
	s->kind = kind;
	s->is_dir = is_dir;
	s->fd = -1;
	s->src = src ? strdup(src) : NULL;
	s->dst = strdup(dst);
	if ((src && !s->src) || !s->dst) {
		free(s->src);
		free(s->dst);
		return -ENOMEM;
	}
	p->n++;
	return 0;
}

static void plan_free(struct nsx_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].src);
		free(p->v[i].dst);
		if (p->v[i].fd >= 0)
			close(p->v[i].fd);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

/* mkdir steps for the parent directories of `rel` (relative to the new
 * root). */
static int plan_parents(struct nsx_plan *p, const char *rel)
{
	char dir[4096];
	int rc;

	for (const char *q = strchr(rel, '/'); q; q = strchr(q + 1, '/')) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(q - rel), rel);
		if ((rc = plan_add(p, NSX_MKDIR, true, NULL, dir)) < 0)
			return rc;
	}
	return 0;
}

/* Mirror host path `abs` (absolute) at the same place in the new root:
 * a symlink is recreated, a directory or regular file is bound read-only,
 * anything missing is skipped.  Parent directories are created first. */
static int plan_mirror_at(struct nsx_plan *p, const char *abs, const char *at);

static int plan_mirror(struct nsx_plan *p, const char *abs)
{
	return plan_mirror_at(p, abs, abs);
}

/* Like plan_mirror, but host path `abs` appears at `at` (absolute). */
static int plan_mirror_at(struct nsx_plan *p, const char *abs, const char *at)
{
	struct stat sb;
	const char *rel = at + 1;
	char target[4096];
	ssize_t n;
	int rc;

	if (lstat(abs, &sb) < 0)
		return 0;
	if ((rc = plan_parents(p, rel)) < 0)
		return rc;
	if (S_ISLNK(sb.st_mode)) {
		n = readlink(abs, target, sizeof(target) - 1);
		if (n < 0)
			return 0;
		target[n] = '\0';
		return plan_add(p, NSX_SYMLINK, false, target, rel);
	}
	if (S_ISDIR(sb.st_mode) || S_ISREG(sb.st_mode))
		return plan_add(p, NSX_BIND_RO, S_ISDIR(sb.st_mode), abs, rel);
	return 0;
}

static const char ns_passwd[] =
        "root:x:0:0:root:/root:/usr/sbin/nologin\n"
        "sandbox:x:1000:1000:sandbox:/box:/bin/sh\n"
        "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
static const char ns_group[] = "root:x:0:\nsandbox:x:1000:\nnogroup:x:65534:\n";

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
static int ns_ro_path_check(const struct ns_state *st, const char *path,
                            char *real, const char **why)
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

static int plan_build(struct ns_state *st, const char *extra)
{
	static const char *const sys[] = {"/usr",   "/bin",   "/sbin",  "/lib",
	                                  "/lib32", "/lib64", "/libx32"};
	static const char *const etc[] = {
	        "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d",
	        "/etc/localtime",   "/etc/timezone",   "/etc/alternatives"};
	static const char *const devs[] = {"null", "zero", "full", "random",
	                                   "urandom"};
	struct nsx_plan *p = &st->plan;
	char real[PATH_MAX];
	const char *why;
	char src[64], dst[64];
	int rc = 0;
	size_t i;

	for (i = 0; i < sizeof(sys) / sizeof(sys[0]) && rc == 0; i++)
		rc = plan_mirror(p, sys[i]);
	if (rc == 0)
		rc = plan_add(p, NSX_MKDIR, true, NULL, "etc");
	for (i = 0; i < sizeof(etc) / sizeof(etc[0]) && rc == 0; i++)
		rc = plan_mirror(p, etc[i]);
	if (rc == 0)
		rc = plan_add(p, NSX_FILE, false, ns_passwd, "etc/passwd");
	if (rc == 0)
		rc = plan_add(p, NSX_FILE, false, ns_group, "etc/group");
	if (rc == 0)
		rc = plan_add(p, NSX_FILE, false,
		              "127.0.0.1 localhost\n::1 localhost\n",
		              "etc/hosts");
	if (rc == 0)
		rc = plan_add(p, NSX_FILE, false, "sandbox\n", "etc/hostname");
	if (rc == 0)
		rc = plan_add(p, NSX_FILE, false,
		              "passwd: files\ngroup: files\nhosts: files\n",
		              "etc/nsswitch.conf");
	if (rc == 0)
		rc = plan_add(p, NSX_MKDIR, true, NULL, "dev");
	for (i = 0; i < sizeof(devs) / sizeof(devs[0]) && rc == 0; i++) {
		struct stat sb;

		snprintf(src, sizeof(src), "/dev/%s", devs[i]);
		snprintf(dst, sizeof(dst), "dev/%s", devs[i]);
		/* The same device numbers, as nodes on the root tmpfs (a
		 * mknod costs far less than a bind and its remount). */
		if (stat(src, &sb) == 0 && S_ISCHR(sb.st_mode) &&
		    (rc = plan_add(p, NSX_MKNOD, false, NULL, dst)) == 0)
			p->v[p->n - 1].rdev = sb.st_rdev;
	}
	if (rc == 0)
		rc = plan_add(p, NSX_SYMLINK, false, "/proc/self/fd", "dev/fd");
	for (i = 0; i < 3 && rc == 0; i++) {
		static const char *const names[] = {"stdin", "stdout",
		                                    "stderr"};

		snprintf(src, sizeof(src), "/proc/self/fd/%zu", i);
		snprintf(dst, sizeof(dst), "dev/%s", names[i]);
		rc = plan_add(p, NSX_SYMLINK, false, src, dst);
	}
	/* sandbox.extra_ro: comma-separated host paths bound read-only. */
	while (rc == 0 && extra && *extra) {
		char path[1024];
		const char *e = strchr(extra, ',');
		size_t l = e ? (size_t)(e - extra) : strlen(extra);

		while (l && *extra == ' ')
			extra++, l--;
		while (l && extra[l - 1] == ' ')
			l--;
		if (l >= sizeof(path))
			return -ENAMETOOLONG;
		memcpy(path, extra, l);
		path[l] = '\0';
		extra = e ? e + 1 : NULL;
		if (!l)
			continue;
		rc = ns_ro_path_check(st, path, real, &why);
		if (rc < 0) {
			NS_LOG(st, AC_LOG_ERROR,
			       "sandbox.extra_ro: refusing \"%s\": %s", path,
			       why);
			return -EINVAL;
		}
		if (rc == 0)
			rc = plan_mirror_at(p, real, path);
	}
	return rc;
}

/* ------------------------------------------------------------ templates */

/* Prepared roots.  Building the root costs ~60 system calls (about 10
 * mounts and their read-only remounts, mkdir, mknod, symlink, the
 * generated /etc files, pivot_root): a run used to do all of them.  Now a
 * short-lived thread builds it once in a mount namespace of its own (a
 * copy of the judge's, made private, so nothing reaches the host's), on a
 * tmpfs on root_dir, pivots into it, detaches the host's mounts and
 * remounts "/" read-only: that namespace holds exactly the read-only root
 * with empty mount points for /box, /tmp, /dev/shm and /proc, and stays
 * alive through an fd.  A run's init enters it with setns(), takes its own
 * private copy with unshare(CLONE_NEWNS) (a handful of mounts to copy)
 * and adds the run's box, /tmp, /dev/shm and /proc (see c_enter_root).
 * One template per set of profile ro_paths (up to NS_TMPL_MAX; further
 * sets build their root per run), rebuilt after a minute so that files
 * replaced on the host (ld.so.cache after ldconfig) show up. */
struct ns_tmpl_job {
	struct ns_state *st;
	const struct nsx_plan *run_plan;
	int fd;
	dev_t dev;
	int err;
	const char *what, *path;
};

static void *ns_tmpl_thread(void *arg)
{
	struct ns_tmpl_job *j = arg;
	const char *what = "unshare", *path = NULL;
	struct stat sb;
	int fd = -1;

	if (unshare(CLONE_NEWNS | CLONE_FS) < 0)
		goto fail;
	what = "make / private";
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		goto fail;
	what = "mount tmpfs";
	path = j->st->root_dir;
	if (mount("tmpfs", path, "tmpfs", MS_NOSUID, NS_ROOT_OPTS) < 0)
		goto fail;
	what = "chdir";
	if (chdir(path) < 0)
		goto fail;
	{
		long rc = nsx_run_plan(&j->st->plan, &what, &path);

		if (rc == 0 && j->run_plan)
			rc = nsx_run_plan(j->run_plan, &what, &path);
		if (rc < 0) {
			errno = (int)-rc;
			goto fail;
		}
	}
	what = "mkdir";
	path = "/box /tmp /dev/shm /proc";
	/* "tmp" exists already when a read-only path lies below it. */
	if (mkdir("box", 0755) < 0 ||
	    (mkdir("tmp", 01777) < 0 && errno != EEXIST) ||
	    mkdir("dev/shm", 01777) < 0 || mkdir("proc", 0555) < 0)
		goto fail;
	what = "open";
	path = "/proc/thread-self/ns/mnt";
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		goto fail;
	what = "pivot_root";
	path = NULL;
	if (syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		goto fail;
	what = "remount / read-only";
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID,
	          NULL) < 0 ||
	    stat("/", &sb) < 0)
		goto fail;
	j->fd = fd;
	j->dev = sb.st_dev;
	return NULL;
fail:
	j->err = errno;
	j->what = what;
	j->path = path;
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* Build a template (fd of its mount namespace), or -errno (logged). */
static int ns_tmpl_build(struct ns_state *st, const struct nsx_plan *run_plan,
                         dev_t *dev)
{
	struct ns_tmpl_job j = {st, run_plan, -1, 0, 0, NULL, NULL};
	pthread_t t;
	int rc = pthread_create(&t, NULL, ns_tmpl_thread, &j);

	if (rc != 0)
		return -rc;
	pthread_join(t, NULL);
	if (j.fd < 0) {
		NS_LOG(st, AC_LOG_WARN,
		       "cannot prepare the sandbox root (%s%s%s: %s); runs "
		       "build it themselves",
		       j.what, j.path ? " " : "", j.path ? j.path : "",
		       strerror(j.err));
		return -(j.err ? j.err : EIO);
	}
	*dev = j.dev;
	return j.fd;
}

/* The profile's ro_paths given as descriptors (spec.fds->ro), or NULL. */
static const int *ns_ro_fds(const struct ac_run_spec *spec)
{
	return spec->fds && spec->profile && spec->profile->ro_paths
	               ? spec->fds->ro
	               : NULL;
}

/* The key of a profile's ro_paths (malloc'ed; "" when none).  A path given
 * as a descriptor is keyed with the file it names (device and inode): a
 * template serves again only for the very same files. */
static char *ns_tmpl_key(const struct ac_run_spec *spec)
{
	const char *const *v = spec->profile ? spec->profile->ro_paths : NULL;
	const int *fds = ns_ro_fds(spec);
	size_t len = 1;
	char *key, *p;

	for (size_t i = 0; v && v[i]; i++)
		len += strlen(v[i]) + 48;
	if (!(key = malloc(len)))
		return NULL;
	p = key;
	for (size_t i = 0; v && v[i]; i++) {
		struct stat sb;

		if (fds && fstat(fds[i], &sb) < 0) {
			free(key);
			return NULL;
		}
		p += fds ? sprintf(p, "%s@%llx:%llx\n", v[i],
		                   (unsigned long long)sb.st_dev,
		                   (unsigned long long)sb.st_ino)
		         : sprintf(p, "%s\n", v[i]);
	}
	*p = '\0';
	return key;
}

/* A profile path given as descriptor fd: the same rules as
 * ns_ro_path_check, on the path and on what fd names; then a detached
 * copy of what fd names is attached at `path`.  Returns 0, 1 (already
 * visible) or -errno with why set. */
static int ns_ro_fd_plan(const struct ns_state *st, const char *path, int fd,
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

/* The read-only paths of this run, sandbox.extra_ro (binds of the plan)
 * and the profile's ro_paths (checked already), once more: none may hold
 * the box (it would show the judge's work directory, other runs' boxes);
 * those below /tmp are listed in c.  Returns 0 or -errno with rep set. */
static int ns_run_ro(const struct ns_state *st, const struct ac_run_spec *spec,
                     struct nsx_child *c, struct ac_run_report *rep)
{
	const char *const *v = spec->profile ? spec->profile->ro_paths : NULL;
	const int *fds = ns_ro_fds(spec);
	char box[PATH_MAX];
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
		if (ns_under(box, s->src)) {
			ns_error(rep,
			         "sandbox.extra_ro \"%.100s\" holds the box "
			         "(the judge's work directory)",
			         s->src);
			return -EPERM;
		}
		if (strncmp(s->dst, "tmp/", 4) == 0)
			rc = ns_tmp_ro_add(c, s->dst, s->is_dir);
	}
	for (size_t i = 0; v && v[i] && rc == 0; i++) {
		struct stat sb;

		if (ns_under(box, v[i])) {
			ns_error(rep,
			         "profile ro_path \"%.100s\" holds the box "
			         "(the judge's work directory)",
			         v[i]);
			return -EPERM;
		}
		if (!ns_under(v[i], "/tmp"))
			continue;
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

/* Check the profile's ro_paths and add them to run_plan.  Returns 0 or
 * -errno with rep set. */
static int ns_profile_plan(struct ns_state *st, const struct ac_run_spec *spec,
                           struct nsx_plan *run_plan, struct ac_run_report *rep)
{
	const char *const *v = spec->profile ? spec->profile->ro_paths : NULL;
	const int *fds = ns_ro_fds(spec);

	for (size_t i = 0; v && v[i]; i++) {
		char real[PATH_MAX];
		const char *why;
		int rc = fds ? ns_ro_fd_plan(st, v[i], fds[i], run_plan, &why)
		             : ns_ro_path_check(st, v[i], real, &why);

		if (rc < 0) {
			ns_error(rep, "profile ro_path \"%.100s\" %s", v[i],
			         why);
			return rc;
		}
		if (rc == 0 && !fds &&
		    (rc = plan_mirror_at(run_plan, real, v[i])) < 0) {
			ns_error(rep, "profile ro_path: %s", strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/* The root of a run: *fd a template mount namespace (this run's own fd,
 * to close after clone) with *dev its root's st_dev, or -1 when the run
 * builds its root from the plan and *run_plan (filled then).  Returns 0,
 * or -errno with rep set (a refused ro_path). */
static int ns_root_for(struct ns_state *st, const struct ac_run_spec *spec,
                       struct nsx_plan *run_plan, int *fd, dev_t *dev,
                       struct ac_run_report *rep)
{
	uint64_t now = ns_now_us();
	char *key = NULL;
	int i, rc, nfd;

	*fd = -1;
	if (st->tmpl_ok && (key = ns_tmpl_key(spec))) {
		pthread_mutex_lock(&st->tmpl_mu);
		for (i = 0; i < st->tmpl_n; i++)
			if (strcmp(st->tmpl[i].key, key) == 0)
				break;
		if (i < st->tmpl_n &&
		    now - st->tmpl[i].born_us < NS_TMPL_MAX_AGE_US) {
			*fd = fcntl(st->tmpl[i].fd, F_DUPFD_CLOEXEC, 3);
			*dev = st->tmpl[i].dev;
		}
		pthread_mutex_unlock(&st->tmpl_mu);
		if (*fd >= 0) {
			free(key);
			return 0;
		}
	}
	/* Not prepared (yet): check the profile's paths now. */
	if ((rc = ns_profile_plan(st, spec, run_plan, rep)) < 0) {
		free(key);
		return rc;
	}
	if (!key)
		return 0;
	nfd = ns_tmpl_build(st, run_plan, dev);
	if (nfd < 0) {
		free(key);
		return 0;
	}
	pthread_mutex_lock(&st->tmpl_mu);
	for (i = 0; i < st->tmpl_n; i++)
		if (strcmp(st->tmpl[i].key, key) == 0)
			break;
	if (i == st->tmpl_n && i < NS_TMPL_MAX) {
		st->tmpl[i].key = key;
		st->tmpl[i].fd = -1;
		st->tmpl_n++;
		key = NULL;
	}
	if (i < st->tmpl_n) {
		/* New or stale (another run may have rebuilt it already:
		 * the newest wins). */
		if (st->tmpl[i].fd >= 0)
			close(st->tmpl[i].fd);
		st->tmpl[i].fd = nfd;
		st->tmpl[i].dev = *dev;
		st->tmpl[i].born_us = now;
		nfd = fcntl(nfd, F_DUPFD_CLOEXEC, 3);
	}
	/* else: no room, the template serves this run only. */
	pthread_mutex_unlock(&st->tmpl_mu);
	free(key);
	*fd = nfd;
	/* With a template the run does not need its own plan. */
	if (nfd >= 0)
		plan_free(run_plan);
	return 0;
}

/* ------------------------------------------------------------ init */

static int ns_conf_int(struct ns_state *st, const char *key, long long def,
                       long long min, long long max, long long *out)
{
	int rc = st->host->conf_int(st->ctx, key, out);

	if (rc == -ENOENT) {
		*out = def;
		return 0;
	}
	if (rc < 0 || *out < min || *out > max) {
		NS_LOG(st, AC_LOG_ERROR,
		       "sandbox.%s: expected an integer in "
		       "[%lld, %lld]",
		       key, min, max);
		return -EINVAL;
	}
	return 0;
}

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
	for (int i = 0; i < st->cg_spare_n; i++)
		cg_run_destroy(&st->cg_spare[i]);
	for (int i = 0; i < st->cg_dead_n; i++)
		cg_run_destroy(&st->cg_dead[i]);
	pthread_mutex_destroy(&st->cg_mu);
	sbx_stdin_fini(&st->in_cache);
	plan_free(&st->plan);
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

/* The host ids of the programs (sandbox.uid, gid, uid_count): a range
 * that no host account or group may use (a host process of one of these
 * ids could signal or trace the programs, and share their per-user
 * quotas), checked here so that a clash stops start-up, naming the id. */
static int ns_ids_init(struct ns_state *st)
{
	long long uid, gid, count;
	char buf[4096];
	int rc;

	if ((rc = ns_conf_int(st, "uid", NS_UID_FIRST, 1, 0x7ffffffe, &uid)) <
	            0 ||
	    (rc = ns_conf_int(st, "gid", uid, 1, 0x7ffffffe, &gid)) < 0 ||
	    (rc = ns_conf_int(st, "uid_count", NS_UID_COUNT, 1, 65536,
	                      &count)) < 0)
		return rc;
	if (uid + count - 1 > 0x7ffffffe || gid + count - 1 > 0x7ffffffe) {
		NS_LOG(st, AC_LOG_ERROR,
		       "sandbox.uid_count: %lld ids from uid %lld or gid %lld "
		       "go past 2147483646",
		       count, uid, gid);
		return -EINVAL;
	}
	for (long long i = 0; i < count; i++) {
		struct passwd pw, *pwp = NULL;
		struct group gr, *grp = NULL;

		getpwuid_r((uid_t)(uid + i), &pw, buf, sizeof(buf), &pwp);
		if (pwp) {
			NS_LOG(st, AC_LOG_ERROR,
			       "sandbox.uid: the programs' uids %lld-%lld "
			       "include host user %s (%lld); choose a range "
			       "of its own (sandbox.uid, sandbox.uid_count)",
			       uid, uid + count - 1, pw.pw_name, uid + i);
			return -EINVAL;
		}
		getgrgid_r((gid_t)(gid + i), &gr, buf, sizeof(buf), &grp);
		if (grp) {
			NS_LOG(st, AC_LOG_ERROR,
			       "sandbox.gid: the programs' gids %lld-%lld "
			       "include host group %s (%lld); choose a range "
			       "of its own (sandbox.gid, sandbox.uid_count)",
			       gid, gid + count - 1, gr.gr_name, gid + i);
			return -EINVAL;
		}
	}
	st->uid = (uid_t)uid;
	st->gid = (gid_t)gid;
	st->id_count = (unsigned)count;
	st->id_busy = calloc((st->id_count + 63) / 64, sizeof(uint64_t));
	st->user_slot = malloc(st->id_count * sizeof(int));
	if (!st->id_busy || !st->user_slot)
		return -ENOMEM;
	for (unsigned i = 0; i < st->id_count; i++)
		st->user_slot[i] = -1;
	return 0;
}

/* The file whose bytes stand for the ids: a run holds an OFD lock on the
 * byte at offset uid+slot, so that judges in other processes (another
 * `algocode judge`, a second judge service) skip the ids in use here. */
static int ns_ids_lock_open(struct ns_state *st)
{
	char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s.ids", st->root_dir) >=
	    sizeof(path))
		return -ENAMETOOLONG;
	st->id_lock =
	        open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (st->id_lock < 0) {
		int rc = -errno;

		NS_LOG(st, AC_LOG_ERROR, "sandbox ids: %s: %s", path,
		       strerror(-rc));
		return rc;
	}
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
	sbx_stdin_init(&st->in_cache);
	{
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		st->ncpu = n > 0 ? (uint64_t)n : 1;
	}
	if ((rc = ns_ids_init(st)) < 0)
		goto fail;
	if ((rc = ns_conf_int(st, "tmp_size_kb", 262144, 1024,
	                      64LL * 1024 * 1024, &v)) < 0)
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
		st->token = (unsigned int)ns_now_us() ^ (unsigned int)getpid();
	cg_sys_init(&st->cg, cg_root, st->token);
	if (st->cg.version == 0)
		NS_LOG(st, AC_LOG_WARN, "no usable cgroups: %s", st->cg.err);
	rc = host->conf_string(ctx, "extra_ro", &extra);
	if (rc < 0 && rc != -ENOENT)
		goto fail;
	rc = plan_build(st, extra);
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
	{
		char adj[16] = "";
		int fd = open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);

		if (fd >= 0) {
			if (read(fd, adj, sizeof(adj) - 1) < 0)
				adj[0] = '\0';
			close(fd);
		}
		st->oom_adj = atoi(adj);
	}
	/* Prepared roots need open_tree, move_mount (5.2) and mount_setattr
	 * (5.12); the default one is built now. */
	if (ns_have_syscall(SYS_open_tree) && ns_have_syscall(SYS_move_mount) &&
	    ns_have_syscall(SYS_mount_setattr)) {
		struct ns_tmpl *t = &st->tmpl[0];

		t->key = strdup("");
		t->fd = t->key ? ns_tmpl_build(st, NULL, &t->dev) : -ENOMEM;
		t->born_us = ns_now_us();
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

/* ------------------------------------------------------------ run */

/* Network namespaces.  Creating one costs ~0.3 ms and its destruction
 * more kernel work later, so a run takes an empty one (only a downed `lo`)
 * from a pool and init enters it with setns().  A namespace is used by
 * one run at a time and goes back to the pool only when every process of
 * the run is gone (nothing of a run can reach the next: no sockets
 * survive their processes, and without capabilities in the namespace's
 * owner a program cannot change it). */
static void *ns_net_thread(void *arg)
{
	int *fd = arg;

	if (unshare(CLONE_NEWNET) < 0)
		*fd = -errno;
	else if ((*fd = open("/proc/thread-self/ns/net",
	                     O_RDONLY | O_CLOEXEC)) < 0)
		*fd = -errno;
	return NULL;
}

/* An empty network namespace (fd), or -errno. */
/* The namespace pools (network, user): a stack of fds under net_mu.
 * Take one, or -1 when the pool is empty. */
static int ns_pool_take(struct ns_state *st, int *v, int *n)
{
	int fd = -1;

	pthread_mutex_lock(&st->net_mu);
	if (*n > 0)
		fd = v[--*n];
	pthread_mutex_unlock(&st->net_mu);
	return fd;
}

/* Give fd back (reuse: its run is gone and left nothing), else close. */
static void ns_pool_give(struct ns_state *st, int *v, int *n, int fd,
                         bool reuse)
{
	if (fd < 0)
		return;
	pthread_mutex_lock(&st->net_mu);
	if (reuse && *n < NS_NET_POOL) {
		v[(*n)++] = fd;
		fd = -1;
	}
	pthread_mutex_unlock(&st->net_mu);
	if (fd >= 0)
		close(fd);
}

static int ns_net_get(struct ns_state *st)
{
	pthread_t t;
	int fd = ns_pool_take(st, st->net_free, &st->net_n);

	if (fd >= 0)
		return fd;
	/* A short-lived thread: the judge's own threads never change
	 * namespace. */
	fd = -EIO;
	if (pthread_create(&t, NULL, ns_net_thread, &fd) != 0)
		return -EAGAIN;
	pthread_join(t, NULL);
	return fd;
}

static void ns_net_put(struct ns_state *st, int fd, bool reuse)
{
	ns_pool_give(st, st->net_free, &st->net_n, fd, reuse);
}

/* One message of at most len bytes, with the descriptor it may carry
 * (SCM_RIGHTS) in *fd (else -1).  Returns recvmsg's value. */
static ssize_t ns_recvfd(int sock, void *buf, size_t len, int flags, int *fd)
{
	union nsx_fdbuf cb;
	struct iovec iov = {buf, len};
	struct msghdr mh;
	struct cmsghdr *cm;
	ssize_t n;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cb.buf;
	mh.msg_controllen = sizeof(cb.buf);
	*fd = -1;
	n = recvmsg(sock, &mh, flags | MSG_CMSG_CLOEXEC);
	for (cm = n >= 0 ? CMSG_FIRSTHDR(&mh) : NULL; cm;
	     cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS ||
		    cm->cmsg_len != CMSG_LEN(sizeof(int)))
			continue;
		if (*fd >= 0)
			close(*fd);
		memcpy(fd, CMSG_DATA(cm), sizeof(int));
	}
	return n;
}

/* User namespaces.  The program used to unshare(CLONE_NEWUSER) itself,
 * with init writing its uid/gid maps in a handshake, which forced init to
 * fork it (a copy of the judge's address space, and its teardown at
 * execve).  Now the judge makes the namespace ahead: a short-lived child
 * unshares it and writes user.max_user_namespaces = 0 in it, the judge
 * writes the maps (uid/gid 1000 -> the sandbox uid/gid, nothing else) and
 * keeps an fd.  The program enters it with setns(), so init can start it
 * vfork-like (see init_spawn).  Like network namespaces, one goes back to
 * the pool only when every process of its run is gone: a user namespace
 * owns nothing here (every other namespace belongs to the initial one),
 * its maps cannot be changed once written, keyrings are out of reach
 * (seccomp) and the rest of its state (counters) lives with processes. */
static int ns_user_new(struct ns_state *st, unsigned slot)
{
	struct nsx_clone_args ca;
	sigset_t all, old;
	char path[64], map[64], b = 0;
	int p[2], fd = -1, rc = -EIO;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p) < 0)
		return -errno;
	memset(&ca, 0, sizeof(ca));
	ca.exit_signal = SIGCHLD;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid = ns_clone(&ca);
	if (pid == 0) {
		/* Raw system calls only (see child.c); SIGKILL ends us. */
		int w;

		union nsx_fdbuf cb;
		struct iovec iov = {&b, 1};
		struct msghdr mh;
		int nsfd = -1;

		b = 'F';
		if (unshare(CLONE_NEWUSER) == 0 &&
		    (w = open("/proc/sys/user/max_user_namespaces",
		              O_WRONLY | O_CLOEXEC)) >= 0) {
			if (write(w, "0\n", 2) == 2)
				b = 'U';
			close(w);
		}
		/* The namespace, opened by us: the judge may not open our
		 * /proc/<pid>/ns (its memory, which we copy, is not dumpable
		 * once a program has changed uid in it, and it may lack
		 * CAP_SYS_PTRACE). */
		if (b == 'U')
			nsfd = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
		nsx_msg_fd(&mh, &iov, &cb, nsfd);
		if (sendmsg(p[1], &mh, MSG_NOSIGNAL) < 0)
			_exit(1);
		for (;;)
			pause();
	}
	rc = -errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return rc;
	}
	rc = -EIO;
	if (ns_recvfd(p[0], &b, 1, 0, &fd) == 1 && b == 'U' && fd >= 0) {
		int m;

		snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
		snprintf(map, sizeof(map), "%u %u 1\n", NSX_INNER_ID,
		         (unsigned)(st->uid + slot));
		if ((m = open(path, O_WRONLY | O_CLOEXEC)) >= 0) {
			rc = write(m, map, strlen(map)) < 0 ? -errno : 0;
			close(m);
		} else {
			rc = -errno;
		}
		snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
		snprintf(map, sizeof(map), "%u %u 1\n", NSX_INNER_ID,
		         (unsigned)(st->gid + slot));
		if (rc == 0 && (m = open(path, O_WRONLY | O_CLOEXEC)) >= 0) {
			rc = write(m, map, strlen(map)) < 0 ? -errno : 0;
			close(m);
		} else if (rc == 0) {
			rc = -errno;
		}
	}
	if (rc < 0 && fd >= 0) {
		close(fd);
		fd = -1;
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, __WALL);
	close(p[0]);
	return rc < 0 ? rc : fd;
}

/* The user namespace of a run holding id slot `slot`: the one kept for
 * that slot, or a new one.  Only the run holding the slot touches its
 * entry. */
static int ns_user_get(struct ns_state *st, unsigned slot)
{
	int fd = st->user_slot[slot];

	st->user_slot[slot] = -1;
	return fd >= 0 ? fd : ns_user_new(st, slot);
}

static void ns_user_put(struct ns_state *st, unsigned slot, int fd, bool reuse)
{
	if (fd < 0)
		return;
	if (reuse && st->user_slot[slot] < 0)
		st->user_slot[slot] = fd;
	else
		close(fd);
}

/* Lock or unlock (F_UNLCK) the byte of slot i in the ids file. */
static int ns_id_lock(struct ns_state *st, unsigned i, short type)
{
	struct flock fl = {.l_type = type,
	                   .l_whence = SEEK_SET,
	                   .l_start = (off_t)st->uid + i,
	                   .l_len = 1};

	return fcntl(st->id_lock, F_OFD_SETLK, &fl) < 0 ? -errno : 0;
}

/* Take a free id slot for a run: the next one after the last taken (so
 * consecutive runs get different ids) that neither a run of ours nor one
 * of another process holds.  Waits up to NS_ID_WAIT_S when none is free
 * (the other processes' runs are polled every 50 ms).  0 and *slot, or
 * -EAGAIN. */
static int ns_id_take(struct ns_state *st, unsigned *slot)
{
	uint64_t until = ns_now_us() + NS_ID_WAIT_S * 1000000ULL;
	int rc = -EAGAIN;

	pthread_mutex_lock(&st->net_mu);
	for (;;) {
		struct timespec ts;

		for (unsigned k = 0; k < st->id_count && rc < 0; k++) {
			unsigned i = (st->id_next + k) % st->id_count;

			if ((st->id_busy[i / 64] & (1ULL << (i % 64))) ||
			    ns_id_lock(st, i, F_WRLCK) < 0)
				continue;
			st->id_busy[i / 64] |= 1ULL << (i % 64);
			st->id_next = (i + 1) % st->id_count;
			*slot = i;
			rc = 0;
		}
		if (rc == 0 || ns_now_us() >= until)
			break;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&st->id_cv, &st->net_mu, &ts);
	}
	pthread_mutex_unlock(&st->net_mu);
	return rc;
}

static void ns_id_give(struct ns_state *st, unsigned slot)
{
	pthread_mutex_lock(&st->net_mu);
	ns_id_lock(st, slot, F_UNLCK);
	st->id_busy[slot / 64] &= ~(1ULL << (slot % 64));
	pthread_cond_signal(&st->id_cv);
	pthread_mutex_unlock(&st->net_mu);
}

static uint64_t ns_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

#ifndef RESOLVE_NO_XDEV
#define RESOLVE_NO_XDEV       0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS   0x04
#define RESOLVE_BENEATH       0x08
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* struct open_how (linux/openat2.h). */
struct ns_open_how {
	uint64_t flags, mode, resolve;
};

#define NS_CHOWN_MAX_DEPTH   16
#define NS_CHOWN_MAX_ENTRIES 100000

/* Open `name` below the directory dfd without ever following a symlink
 * or crossing a mount (openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
 * RESOLVE_NO_XDEV; plain openat with O_NOFOLLOW where openat2 is
 * missing: our names never contain '/'). */
static int ns_open_beneath(int dfd, const char *name, int flags)
{
	struct ns_open_how how = {(uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC), 0,
	                          RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
	                                  RESOLVE_NO_MAGICLINKS |
	                                  RESOLVE_NO_XDEV};
	int fd = (int)syscall(SYS_openat2, dfd, name, &how, sizeof(how));

	if (fd < 0 && errno == ENOSYS && !strchr(name, '/'))
		fd = openat(dfd, name, flags | O_NOFOLLOW | O_CLOEXEC);
	return fd;
}

/* Give the box (and what is in it) to the sandbox user.  Nothing is
 * resolved by name twice: every entry is opened O_PATH beneath its
 * directory without following symlinks, checked on the descriptor and
 * chown'ed through it (AT_EMPTY_PATH); directories get u+rwx and regular
 * files u+rw back (a run may chmod the box), never a set-id bit (chown
 * cleared it; the mode read before must not bring it back).  Symlinks, devices,
 * fifos and multiply-linked files are left alone (a planted link to a host file
 * must never make root chown it); what lies deeper than 16 levels or
 * beyond 100000 entries was made by the sandbox user and is its own
 * already.  *budget counts the entries left. */
static int ns_chown_tree(int dfd, uid_t uid, gid_t gid, int depth, long *budget)
{
	struct stat dsb;
	DIR *d;
	struct dirent *e;
	int rc = 0;

	/* The box itself is the sandbox user's alone during the run: no
	 * one else (a separated judge's user) reaches into it meanwhile. */
	mode_t want = depth == 0 ? 0700 : 0700 | 01777;

	if (fchown(dfd, uid, gid) < 0 || fstat(dfd, &dsb) < 0 ||
	    ((dsb.st_mode & 07777) != ((dsb.st_mode | 0700) & want) &&
	     fchmod(dfd, (dsb.st_mode | 0700) & want) < 0)) {
		close(dfd);
		return -errno;
	}
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -errno;
	}
	while ((e = readdir(d)) && --*budget > 0) {
		struct stat sb;
		int fd;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		fd = ns_open_beneath(dirfd(d), e->d_name, O_PATH);
		if (fd < 0)
			continue;
		if (fstat(fd, &sb) < 0) {
			close(fd);
			continue;
		}
		if (S_ISDIR(sb.st_mode) && depth < NS_CHOWN_MAX_DEPTH) {
			int sub = ns_open_beneath(fd, ".",
			                          O_RDONLY | O_DIRECTORY);

			if (sub >= 0 &&
			    (rc = ns_chown_tree(sub, uid, gid, depth + 1,
			                        budget)) < 0) {
				close(fd);
				break;
			}
		} else if (S_ISREG(sb.st_mode) && sb.st_nlink == 1) {
			if (sb.st_uid != uid || sb.st_gid != gid)
				fchownat(fd, "", uid, gid, AT_EMPTY_PATH);
			/* The owner can read and write it again (a run may
			 * have taken that away); through the descriptor's
			 * magic link, which names exactly this inode. */
			if ((sb.st_mode & 0600) != 0600) {
				char fdp[40];

				snprintf(fdp, sizeof(fdp), "/proc/self/fd/%d",
				         fd);
				chmod(fdp, (sb.st_mode | 0600) & 0777);
			}
		}
		close(fd);
	}
	closedir(d);
	return rc;
}

static int ns_open_out(const char *path)
{
	if (!path)
		return -1;
	return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	            0600);
}

static void ns_kill(int pidfd, pid_t pid)
{
	if (pid <= 0)
		return; /* init not known yet: never kill(-1) */
	if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0)
		kill(pid, SIGKILL);
}

/* One message from init (or the spawner); init's mount namespace comes
 * with NSX_MSG_RUNNING. */
static ssize_t ns_recv(int sock, struct nsx_msg *m, int *fd)
{
	return ns_recvfd(sock, m, sizeof(*m), MSG_DONTWAIT, fd);
}

/* A vfork-like init whose first word never came: wait (briefly: the
 * clone is the spawner's first act) until the clone is done, and return
 * init's pid, or -1 when there is no init. */
static pid_t ns_spawn_settle(struct ns_spawn *j)
{
	const struct timespec ms = {0, 1000000};

	while (j->tid <= 0 && !atomic_load(&j->done))
		nanosleep(&ms, NULL);
	return j->tid > 0 ? j->tid : -1;
}

static void ns_error(struct ac_run_report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->internal_error[0])
		return; /* keep the first cause */
	va_start(ap, fmt);
	vsnprintf(r->internal_error, sizeof(r->internal_error), fmt, ap);
	va_end(ap);
}

static int ns_validate(const struct ac_run_spec *spec)
{
	const struct ac_limits *l;

	if (!spec || !spec->argv || !spec->argv[0] || spec->argv[0][0] != '/')
		return -EINVAL;
	/* With descriptors, box_dir only names the box in messages. */
	if (spec->fds ? spec->fds->box < 0
	              : (!spec->box_dir || spec->box_dir[0] != '/'))
		return -EINVAL;
	l = &spec->limits;
	if (!l->cpu_ms || !l->wall_ms || !l->memory_kb || !l->processes)
		return -EINVAL;
	if (l->memory_kb > (UINT64_MAX >> 11) ||
	    l->stack_kb > (UINT64_MAX >> 11) ||
	    l->fsize_kb > (UINT64_MAX >> 11) ||
	    l->stdout_kb > (UINT64_MAX >> 11) ||
	    l->stderr_kb > (UINT64_MAX >> 11) ||
	    l->cpu_ms > UINT64_MAX / 2000000)
		return -EINVAL;
	return 0;
}

static const char *const ns_default_env[] = {
        "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/box", "LANG=C.UTF-8",
        "TMPDIR=/tmp", NULL};

/* The CPU time task `pid` has used, in ns (/proc/PID/schedstat, readable
 * while it is a zombie too). */
static int ns_task_cpu_ns(pid_t pid, uint64_t *ns)
{
	char path[64], buf[128], *end;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	*ns = strtoull(buf, &end, 10);
	return end == buf ? -EIO : 0;
}

/* One run, from the caller's spec to the report: the state its steps
 * share (ns_run below lists the steps).  It lives in ns_run's frame, so
 * the vfork-like init, which reads `c` from the judge's memory, finds it
 * there until it is gone.  Descriptors are -1 when not held. */
struct ns_run {
	struct ns_state *st;
	const struct ac_run_spec *spec;
	const struct ac_limits *l;
	const struct ac_run_fds *fds; /* the caller's, never closed here */
	struct ac_run_report *rep;
	const char *box_name; /* for messages */
	char box_proc[40], tmp_opts[96], shm_opts[96];
	/* What init is given, and how it is cloned. */
	struct nsx_child c;
	struct nsx_clone_args ca;
	struct nsx_plan run_plan;
	struct ns_spawn spawn;
	pthread_t spawner;
	bool spawner_ok;
	char *stk; /* init's and the program's stacks (ns_stack_get) */
	/* Held for the run. */
	int box_fd, in_fd, tmpl_fd, net_fd, user_fd;
	int opipe[2], epipe[2], sp[2];
	int pidfd, mnt_hold; /* mnt_hold: the run's mount ns (ns_reap) */
	unsigned id;         /* the run's id slot (ns_id_take), if id_ok */
	bool id_ok;
	dev_t tmpl_dev;
	struct sbx_stream out, err;
	struct cg_run cg;
	bool cg_ok;
	char *cg_procs[3];
	/* What supervision learnt. */
	pid_t pid;
	int status, tick_ms;
	bool have_status, running, killed, init_dead, sock_eof, housekeep;
	bool init_go_ok;
	uint64_t t_setup, t_start, t_end, t_dead;
	uint64_t cpu0, cpu_ns, cg_go, init_go, init_end;
	uint64_t drain_ns; /* our CPU time reading the program's output */
};

static void ns_run_init(struct ns_run *r, struct ns_state *st,
                        const struct ac_run_spec *spec,
                        struct ac_run_report *rep)
{
	memset(r, 0, sizeof(*r));
	r->st = st;
	r->spec = spec;
	r->l = &spec->limits;
	r->fds = spec->fds;
	r->rep = rep;
	r->box_name = spec->box_dir ? spec->box_dir : "(descriptor)";
	r->box_fd = r->in_fd = r->tmpl_fd = r->net_fd = r->user_fd = -1;
	for (int i = 0; i < 2; i++)
		r->opipe[i] = r->epipe[i] = r->sp[i] = -1;
	r->pidfd = r->mnt_hold = -1;
	r->out.rfd = r->out.file = r->err.rfd = r->err.file = -1;
	r->cg.cpu_fd = r->cg.v2_fd = -1;
	r->pid = -1;
	r->tick_ms = NS_TICK_MS;
}

/* The judge's copies of init's descriptors, once init has its own: the
 * pipes and the socket then see EOF when the run's processes are gone. */
static void ns_run_close_child_fds(struct ns_run *r)
{
	int *v[5] = {&r->sp[1], &r->opipe[1], &r->epipe[1], &r->in_fd,
	             &r->tmpl_fd};

	for (int i = 0; i < 5; i++)
		if (*v[i] >= 0) {
			close(*v[i]);
			*v[i] = -1;
		}
}

/* Before killing a vfork-like init that has not spoken: learn its pid. */
static void ns_run_settle(struct ns_run *r)
{
	if (r->pid < 0 && r->spawner_ok &&
	    (r->pid = ns_spawn_settle(&r->spawn)) > 0)
		ns_run_close_child_fds(r);
}

static void ns_run_kill(struct ns_run *r)
{
	ns_kill(r->pidfd, r->pid);
	cg_run_kill_now(&r->cg);
	r->killed = true;
}

/* The program runs: its CPU time and peak are counted from now. */
static void ns_run_started(struct ns_run *r, uint64_t now)
{
	r->running = true;
	r->t_start = now;
	cg_run_cpu_ns(&r->cg, &r->cpu0);
	cg_run_reset_peak(&r->cg);
}

/* Step 1: the box, the caller's descriptor or ours. */
static int ns_run_open_box(struct ns_run *r)
{
	struct stat sb;

	if (r->fds) {
		if (fstat(r->fds->box, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
			ns_error(r->rep, "box %s: %s", r->box_name,
			         errno ? strerror(errno) : "not a directory");
			return -1;
		}
		r->box_fd = r->fds->box;
	} else if ((r->box_fd = open(r->spec->box_dir,
	                             O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	                                     O_CLOEXEC)) < 0) {
		ns_error(r->rep, "box %s: %s", r->box_name, strerror(errno));
		return -1;
	}
	snprintf(r->box_proc, sizeof(r->box_proc), "/proc/self/fd/%d",
	         r->box_fd);
	return 0;
}

/* Step 2: stdin, the output files and the pipes.  The caller's
 * descriptors are duplicated: ours are closed at the end, theirs never. */
static int ns_run_open_streams(struct ns_run *r)
{
	const struct ac_run_spec *spec = r->spec;
	const struct ac_run_fds *fds = r->fds;

	r->in_fd = sbx_stdin_open(&r->st->in_cache, r->st->host, r->st->ctx,
	                          "sandbox/ns", fds ? fds->in : -1,
	                          fds ? NULL : spec->stdin_path);
	if (r->in_fd < 0) {
		ns_error(r->rep, "stdin %s: %s",
		         spec->stdin_path      ? spec->stdin_path
		         : fds && fds->in >= 0 ? "(descriptor)"
		                               : "/dev/null",
		         strerror(errno));
		return -1;
	}
	r->out.cap = r->l->stdout_kb * 1024;
	r->err.cap = r->l->stderr_kb * 1024;
	if (fds) {
		if ((fds->out >= 0 &&
		     (r->out.file = fcntl(fds->out, F_DUPFD_CLOEXEC, 3)) < 0) ||
		    (fds->err >= 0 &&
		     (r->err.file = fcntl(fds->err, F_DUPFD_CLOEXEC, 3)) < 0)) {
			ns_error(r->rep, "output file: %s", strerror(errno));
			return -1;
		}
	} else if ((spec->stdout_path &&
	            (r->out.file = ns_open_out(spec->stdout_path)) < 0) ||
	           (spec->stderr_path &&
	            (r->err.file = ns_open_out(spec->stderr_path)) < 0)) {
		ns_error(r->rep, "output file: %s", strerror(errno));
		return -1;
	}
	if (pipe2(r->opipe, O_CLOEXEC) < 0 || pipe2(r->epipe, O_CLOEXEC) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, r->sp) < 0) {
		ns_error(r->rep, "pipes: %s", strerror(errno));
		return -1;
	}
	fcntl(r->opipe[0], F_SETFL, O_NONBLOCK);
	fcntl(r->epipe[0], F_SETFL, O_NONBLOCK);
	r->out.rfd = r->opipe[0];
	r->err.rfd = r->epipe[0];
	r->opipe[0] = r->epipe[0] = -1;
	return 0;
}

/* Step 3: the run's host ids, which own the box for the run. */
static int ns_run_own_box(struct ns_run *r)
{
	long budget = NS_CHOWN_MAX_ENTRIES;
	int dfd, rc;

	if ((rc = ns_id_take(r->st, &r->id)) < 0) {
		ns_error(r->rep,
		         "all %u sandbox ids (sandbox.uid_count) are in use",
		         r->st->id_count);
		return -1;
	}
	r->id_ok = true;
	dfd = openat(r->box_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	rc = dfd < 0 ? -errno
	             : ns_chown_tree(dfd, r->st->uid + r->id,
	                             r->st->gid + r->id, 0, &budget);
	if (rc < 0) {
		ns_error(r->rep, "chown box %s: %s", r->box_name,
		         strerror(-rc));
		return -1;
	}
	return 0;
}

/* Step 4: everything init needs, computed now (it makes no decision). */
static int ns_run_child_args(struct ns_run *r)
{
	struct ns_state *st = r->st;
	const struct ac_run_spec *spec = r->spec;
	const struct ac_limits *l = r->l;
	struct nsx_child *c = &r->c;

	snprintf(r->tmp_opts, sizeof(r->tmp_opts),
	         "size=%lluk,nr_inodes=%llu,mode=1777", st->tmp_kb,
	         st->tmp_kb / 4 + 1024);
	snprintf(r->shm_opts, sizeof(r->shm_opts),
	         "size=%lluk,nr_inodes=1024,mode=1777", st->tmp_kb);
	if (ns_root_for(st, spec, &r->run_plan, &r->tmpl_fd, &r->tmpl_dev,
	                r->rep) < 0)
		return -1;
	if (r->tmpl_fd < 0 && ns_ro_fds(spec)) {
		/* The child closes every descriptor before it builds a root
		 * itself. */
		ns_error(r->rep, "profile ro_paths given as descriptors need a "
		                 "prepared root (open_tree, move_mount and "
		                 "mount_setattr: Linux 5.12)");
		return -1;
	}
	c->tmpl_fd = r->tmpl_fd;
	c->tmpl_dev = r->tmpl_dev;
	c->root = st->root_dir;
	c->plan = &st->plan;
	c->run_plan = r->run_plan.n ? &r->run_plan : NULL;
	c->box_fd = r->box_fd;
	c->box_proc = r->box_proc;
	c->box_name = r->box_name;
	if (ns_run_ro(st, spec, c, r->rep) < 0)
		return -1;
	c->mask_files = st->mask_files;
	c->mask_dirs = st->mask_dirs;
	c->cap_last = st->cap_last;
	c->root_opts = NS_ROOT_OPTS;
	c->tmp_opts = r->tmp_opts;
	c->shm_opts = r->shm_opts;
	c->argv = (char *const *)spec->argv;
	c->envp = (char *const *)(spec->envp ? spec->envp : ns_default_env);
	if (st->sc &&
	    sc_cache_get(st->sc, spec->profile ? spec->profile->syscalls : NULL,
	                 &c->filter, r->rep->internal_error,
	                 sizeof(r->rep->internal_error)) < 0)
		return -1;
	c->sock = r->sp[1];
	c->in_fd = r->in_fd;
	c->out_fd = r->opipe[1];
	c->err_fd = r->epipe[1];
	c->net_fd = r->net_fd = ns_net_get(st);
	c->user_fd = r->user_fd = ns_user_get(st, r->id);
	if (r->user_fd < 0) {
		ns_error(r->rep, "user namespace: %s", strerror(-r->user_fd));
		return -1;
	}
	c->inner_uid = NSX_INNER_ID;
	c->inner_gid = NSX_INNER_ID;
	if (!(r->stk = ns_stack_get(st))) {
		ns_error(r->rep, "sandbox stacks: %s", strerror(errno));
		return -1;
	}
	c->prog_stack = r->stk + NS_GUARD;
	c->prog_stack_size = NS_PROG_STACK;
	c->rl_stack.rlim_cur = c->rl_stack.rlim_max =
	        (l->stack_kb ? l->stack_kb : l->memory_kb) * 1024;
	c->rl_fsize.rlim_cur = c->rl_fsize.rlim_max = l->fsize_kb * 1024;
	c->rl_nofile.rlim_cur = c->rl_nofile.rlim_max =
	        l->nofile ? l->nofile : 64;
	c->rl_cpu.rlim_cur = (l->cpu_ms + 999) / 1000 + 1;
	c->rl_cpu.rlim_max = c->rl_cpu.rlim_cur + 1;
	return 0;
}

/* Step 5: the run's cgroups. */
static int ns_run_cgroups(struct ns_run *r)
{
	if (ns_cg_take(r->st, r->l, &r->cg, r->rep->internal_error,
	               sizeof(r->rep->internal_error)) < 0)
		return -1;
	r->cg_ok = true;
	/* Where init moves itself (v1), cpuacct last; its CPU time is
	 * counted from there (fresh cgroups: cg_go is 0). */
	if (r->st->cg.version == 1) {
		const char *dirs[3] = {r->cg.mem, r->cg.pids, r->cg.cpu};

		for (int i = 0, k = 0; i < 3; i++) {
			if (!dirs[i])
				continue;
			if (asprintf(&r->cg_procs[k], "%s/cgroup.procs",
			             dirs[i]) < 0) {
				r->cg_procs[k] = NULL;
				ns_error(r->rep, "cgroups: %s",
				         strerror(ENOMEM));
				return -1;
			}
			r->c.cg_procs[k] = r->cg_procs[k];
			k++;
		}
	}
	if (cg_run_cpu_ns(&r->cg, &r->cg_go) < 0) {
		ns_error(r->rep, "cgroup CPU time: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Step 6: clone init, vfork-like from a spawner thread or forked. */
static int ns_run_spawn(struct ns_run *r)
{
	struct ns_state *st = r->st;
	struct nsx_clone_args *ca = &r->ca;
	sigset_t all, old;
	int rc = 0;

	/* init makes its mount namespace itself (it takes the box from the
	 * judge's first). */
	ca->flags = CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |
	            CLONE_NEWCGROUP | CLONE_PIDFD | NS_CLONE_CLEAR_SIGHAND;
	if (r->net_fd < 0)
		ca->flags |= CLONE_NEWNET;
	ca->pidfd = (uint64_t)(uintptr_t)&r->pidfd;
	ca->exit_signal = SIGCHLD;
	if (r->cg.v2_fd >= 0) {
		ca->flags |= NS_CLONE_INTO_CGROUP;
		ca->cgroup = (uint64_t)r->cg.v2_fd;
	}
	/* No signal handler may run in the child before it resets them. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (st->share_vm) {
		struct ns_spawn *j = &r->spawn;

		r->c.vm_shared = true;
		r->c.prog_oom_reset = st->oom_adj < 0;
		j->ca = *ca;
		j->ca.flags |= CLONE_VM | CLONE_VFORK | CLONE_PARENT_SETTID;
		j->ca.parent_tid = (uint64_t)(uintptr_t)&j->tid;
		j->ca.stack = (uint64_t)(uintptr_t)(r->stk + 2 * NS_GUARD +
		                                    NS_PROG_STACK);
		j->ca.stack_size = NS_INIT_STACK;
		j->c = &r->c;
		j->tid = 0;
		atomic_init(&j->done, false);
		if ((j->sock = fcntl(r->sp[1], F_DUPFD_CLOEXEC, 3)) < 0)
			rc = errno;
		else if ((rc = pthread_create(&r->spawner, NULL,
		                              ns_spawn_thread, j)) != 0)
			close(j->sock);
		else
			r->spawner_ok = true;
	} else {
		r->c.vm_shared = false;
		r->c.prog_oom_reset = true;
		r->pid = ns_clone(ca);
		if (r->pid == 0)
			nsx_child_main(&r->c); /* never returns */
		rc = errno;
		if (r->pid < 0)
			r->pidfd = -1; /* a failed clone may have written one */
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!r->spawner_ok) {
		/* A forked init (or none): it has its copies. */
		ns_run_close_child_fds(r);
		if (r->pid < 0) {
			ns_error(r->rep, "%s: %s",
			         st->share_vm ? "spawner" : "clone3",
			         strerror(rc));
			return -1;
		}
	}
	/* A vfork-like init is known by its first message (ns_run_on_msg):
	 * its pid and pidfd were written before it ran, and it has its
	 * copies of the descriptors.  It moves itself into the run's
	 * cgroups (v1) and says, when the program runs, what CPU time it had
	 * used by then: from there on, everything the cgroup uses but init's
	 * own time is the program's. */
	return 0;
}

/* A message from init (or from the spawner, when it is back). */
static void ns_run_on_msg(struct ns_run *r, uint64_t now)
{
	struct nsx_msg m;
	int mfd = -1;
	ssize_t n = ns_recv(r->sp[0], &m, &mfd);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		r->sock_eof = true;
	} else if (n == (ssize_t)sizeof(m)) {
		m.what[sizeof(m.what) - 1] = '\0';
		if (r->pid < 0 && r->spawner_ok && m.type != NSX_MSG_DONE) {
			/* init's first word: it exists. */
			r->pid = r->spawn.tid;
			ns_run_close_child_fds(r);
			if (r->killed)
				ns_kill(r->pidfd, r->pid);
		}
		switch (m.type) {
		case NSX_MSG_DONE:
			/* The spawner is back: init is gone (its death is
			 * seen on its pidfd), or was never made. */
			if (r->pid < 0 && r->spawn.tid > 0 && !m.err)
				r->pid = r->spawn.tid;
			if (r->pid < 0) {
				ns_error(r->rep, "clone3: %s",
				         strerror(m.err ? m.err : EIO));
				r->init_dead = true;
			}
			ns_run_close_child_fds(r);
			break;
		case NSX_MSG_RUNNING:
			r->init_go = m.cpu_ns;
			r->init_go_ok = true;
			if (r->mnt_hold < 0) {
				r->mnt_hold = mfd;
				mfd = -1;
			}
			if (!r->running) /* else seen by its output */
				ns_run_started(r, now);
			break;
		case NSX_MSG_STATUS:
			r->have_status = true;
			r->status = m.status;
			if (!r->t_end)
				r->t_end = now;
			break;
		case NSX_MSG_EXEC:
			ns_error(r->rep, "cannot execute %s: %s",
			         r->spec->argv[0], strerror(m.err));
			break;
		default:
			ns_error(r->rep, "sandbox setup: %s: %s", m.what,
			         strerror(m.err));
			break;
		}
	}
	if (mfd >= 0)
		close(mfd);
}

/* The limits, on a live run not yet killed: kill it over one, else set
 * the next wake-up. */
static void ns_run_enforce(struct ns_run *r, uint64_t now)
{
	const struct ac_limits *l = r->l;

	if (r->out.over) {
		ns_run_kill(r);
	} else if (!r->running) {
		if (now - r->t_setup > NS_SETUP_TIMEOUT_MS * 1000ULL) {
			ns_error(r->rep, "sandbox setup timed out");
			/* init may not have spoken yet (its program, stopped
			 * before its exec, holds it). */
			ns_run_settle(r);
			ns_run_kill(r);
		}
	} else if (now - r->t_start >= l->wall_ms * 1000) {
		r->rep->wall_exceeded = true;
		ns_run_kill(r);
	} else if (cg_run_cpu_ns(&r->cg, &r->cpu_ns) == 0 &&
	           r->cpu_ns - r->cpu0 + r->drain_ns >= l->cpu_ms * 1000000) {
		r->rep->cpu_exceeded = true;
		ns_run_kill(r);
	} else {
		/* Wake at the nearer of the deadlines rather than a whole
		 * tick late: the wall one, and the CPU one at its fastest
		 * (every CPU busy). */
		uint64_t wall_left = r->t_start + l->wall_ms * 1000 - now;
		uint64_t used =
		        (r->cpu_ns > r->cpu0 ? r->cpu_ns - r->cpu0 : 0) +
		        r->drain_ns;
		uint64_t cpu_left =
		        (l->cpu_ms * 1000000 - used) / r->st->ncpu / 1000;

		r->tick_ms =
		        (int)((wall_left < cpu_left ? wall_left : cpu_left) /
		              1000);
		if (r->tick_ms > NS_TICK_MS)
			r->tick_ms = NS_TICK_MS;
		if (r->tick_ms < 1)
			r->tick_ms = 1;
	}
}

/* The CPU time of the calling thread, in ns. */
static uint64_t ns_thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Step 7: supervise until init is gone and both pipes are drained. */
static void ns_run_supervise(struct ns_run *r)
{
	r->t_setup = ns_now_us();
	while (!r->init_dead || !r->sock_eof || r->out.rfd >= 0 ||
	       r->err.rfd >= 0) {
		struct pollfd pf[4] = {
		        {r->init_dead || r->pid < 0 ? -1 : r->pidfd, POLLIN, 0},
		        {r->sock_eof ? -1 : r->sp[0], POLLIN, 0},
		        {r->out.rfd, POLLIN, 0},
		        {r->err.rfd, POLLIN, 0}};
		uint64_t now;

		if (poll(pf, 4, r->tick_ms) < 0 && errno != EINTR) {
			ns_error(r->rep, "poll: %s", strerror(errno));
			ns_run_settle(r);
			ns_kill(r->pidfd, r->pid);
			break;
		}
		now = ns_now_us();
		if (pf[1].revents)
			ns_run_on_msg(r, now);
		if (pf[0].revents) {
			r->init_dead = true;
			r->t_dead = now;
			if (!r->t_end)
				r->t_end = now;
		}
		if (pf[2].revents || pf[3].revents) {
			/* Copying what the program wrote (vmsplice costs it
			 * nothing) is charged to the run, or a program could
			 * keep a judge's CPU busy at no cost of its own. */
			uint64_t t0 = ns_thread_cpu_ns();

			if (pf[2].revents)
				sbx_stream_read(&r->out);
			if (pf[3].revents)
				sbx_stream_read(&r->err);
			r->drain_ns += ns_thread_cpu_ns() - t0;
		}
		r->err.over = r->err.seen > r->err.cap;
		/* Only the exec'ed program writes to the pipes: output means
		 * it runs, even when init (busy, or killed for that output)
		 * has not said so yet. */
		if (!r->running && (r->out.seen || r->err.seen) &&
		    !r->rep->internal_error[0])
			ns_run_started(r, now);
		if (r->running && !r->housekeep && !r->init_dead) {
			/* Idle until the program ends: tidy the cgroups. */
			r->housekeep = true;
			ns_cg_housekeep(r->st, r->l);
			continue;
		}
		if (r->init_dead) {
			/* Everything in the namespace died with init; only a
			 * concurrent run's clone may briefly hold our pipes. */
			if (now - r->t_dead > NS_DRAIN_TIMEOUT_MS * 1000ULL)
				break;
			continue;
		}
		if (!r->killed)
			ns_run_enforce(r, now);
	}
	if (!r->init_dead) {
		ns_kill(r->pidfd, r->pid);
		if (!r->t_end)
			r->t_end = ns_now_us();
	}
	/* init is a zombie now (unless the loop gave up on it): its own CPU
	 * time is final. */
	r->init_go_ok = r->init_go_ok && r->init_dead && r->pid > 0 &&
	                ns_task_cpu_ns(r->pid, &r->init_end) == 0;
	if (r->pid > 0)
		waitpid(r->pid, NULL, __WALL);
	/* init is gone: its stack and the program's are free again. */
	ns_stack_put(r->st, r->stk);
	r->stk = NULL;
}

/* Step 8: the report's measures.  The CPU time is everything the run's
 * cgroup used from the go on, less what init itself used meanwhile (its
 * set-up, and its exit, which unmounts the run's tree): the program from
 * its creation (it is init's child), with its children and threads,
 * whatever the judge thread's timing.  Without a reading of init's time:
 * from the moment the judge saw the program start. */
static void ns_run_measure(struct ns_run *r)
{
	struct ac_run_report *rep = r->rep;
	uint64_t cpu_ns = 0, peak = 0;

	if (cg_run_cpu_ns(&r->cg, &cpu_ns) == 0 && r->running) {
		uint64_t init_own = r->init_end - r->init_go;

		if (r->init_go_ok && cpu_ns >= r->cg_go &&
		    cpu_ns - r->cg_go >= init_own)
			rep->cpu_us =
			        (cpu_ns - r->cg_go - init_own + r->drain_ns) /
			        1000;
		else
			rep->cpu_us = (cpu_ns - r->cpu0 + r->drain_ns) / 1000;
	}
	if (cg_run_mem(&r->cg, &peak, &rep->oom_killed) == 0)
		rep->memory_kb = peak / 1024;
	if (r->running)
		rep->wall_us = r->t_end - r->t_start;
	if (rep->cpu_us > r->l->cpu_ms * 1000)
		rep->cpu_exceeded = true;
	rep->stdout_bytes = r->out.seen;
	rep->stdout_exceeded = r->out.over;
	rep->stderr_exceeded = r->err.over;
	if (r->have_status && WIFEXITED(r->status)) {
		rep->exited = true;
		rep->exit_code = WEXITSTATUS(r->status);
	} else if (r->have_status && WIFSIGNALED(r->status)) {
		rep->signal = WTERMSIG(r->status);
	} else {
		rep->signal = SIGKILL;
	}
	if (!r->running && !rep->internal_error[0])
		ns_error(rep, "sandbox init died during setup");
}

/* Step 9: give back what the run held.  No task left (init, waited for,
 * reaped the others): the cgroups are removed later.  Else they are swept
 * now. */
static void ns_run_release(struct ns_run *r)
{
	struct ns_state *st = r->st;
	bool cg_empty = r->cg_ok && cg_run_count(&r->cg) == 0;
	bool reuse = true;
	int *fdv[] = {&r->pidfd,    &r->tmpl_fd,  &r->in_fd,    &r->opipe[0],
	              &r->opipe[1], &r->epipe[0], &r->epipe[1], &r->sp[0],
	              &r->sp[1],    &r->out.rfd,  &r->err.rfd,  &r->out.file,
	              &r->err.file};

	if (r->cg_ok && !cg_empty && cg_run_kill_all(&r->cg) > 0) {
		NS_LOG(st, AC_LOG_WARN, "run %s: processes survived init",
		       r->cg.sys->version == 1 ? r->cg.mem : r->cg.v2);
		reuse = false;
	}
	reuse = reuse && (r->pid < 0 || r->init_dead);
	ns_net_put(st, r->net_fd, reuse);
	if (r->id_ok) {
		ns_user_put(st, r->id, r->user_fd, reuse);
		ns_id_give(st, r->id);
	}
	if (cg_empty)
		ns_cg_bury(st, &r->cg);
	else if (r->cg_ok)
		cg_run_destroy(&r->cg);
	for (size_t i = 0; i < sizeof(fdv) / sizeof(fdv[0]); i++)
		if (*fdv[i] >= 0)
			close(*fdv[i]);
	if (r->box_fd >= 0 && !r->fds)
		close(r->box_fd);
	plan_free(&r->run_plan);
	/* init is gone (waited for, or never made), so the spawner's clone
	 * has returned. */
	if (r->spawner_ok)
		pthread_join(r->spawner, NULL);
	ns_reap(st, r->mnt_hold);
	ns_stack_put(st, r->stk); /* only when init never started */
	for (int i = 0; i < 3; i++)
		free(r->cg_procs[i]);
}

/* One run: the steps above, in order; the first that fails has said why
 * in the report (an Internal Error), and the run stops there. */
static int ns_run(void *state, const struct ac_run_spec *spec,
                  struct ac_run_report *rep)
{
	struct ns_state *st = state;
	struct ns_run r;
	int rc;

	if (!st || !rep)
		return -EINVAL;
	memset(rep, 0, sizeof(*rep));
	if ((rc = ns_validate(spec)) < 0)
		return rc;
	if (!spec->fds &&
	    strncmp(spec->box_dir, st->root_dir, strlen(st->root_dir)) == 0)
		return -EINVAL;
	ns_run_init(&r, st, spec, rep);
	if (ns_run_open_box(&r) == 0 && ns_run_open_streams(&r) == 0 &&
	    ns_run_own_box(&r) == 0 && ns_run_child_args(&r) == 0 &&
	    ns_run_cgroups(&r) == 0 && ns_run_spawn(&r) == 0) {
		ns_run_supervise(&r);
		ns_run_measure(&r);
	}
	ns_run_release(&r);
	return 0;
}

/* ------------------------------------------------------------ check-env */

/* Run `cat /proc/self/status /proc/1/status` in the sandbox and keep its
 * stdout in buf: what the program really gets (no_new_privs, seccomp mode,
 * capability sets, whether init is visible). */
static int ns_probe_run(struct ns_state *st, char *buf, size_t len,
                        struct ac_run_report *rep)
{
	static const char *const argv[] = {"/bin/cat", "/proc/self/status",
	                                   "/proc/1/status", NULL};
	char dir[] = "/tmp/algocode-probe.XXXXXX", box[64], out[64];
	struct ac_run_spec spec;
	ssize_t n = -1;
	int fd, rc;

	buf[0] = '\0';
	if (!mkdtemp(dir))
		return -errno;
	snprintf(box, sizeof(box), "%s/box", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	if (mkdir(box, 0700) < 0) {
		rc = -errno;
		goto out;
	}
	memset(&spec, 0, sizeof(spec));
	spec.argv = argv;
	spec.box_dir = box;
	spec.stdout_path = out;
	spec.limits.cpu_ms = 2000;
	spec.limits.wall_ms = 5000;
	spec.limits.memory_kb = 65536;
	spec.limits.processes = 4;
	spec.limits.stdout_kb = 64;
	spec.limits.fsize_kb = 64;
	rc = ns_run(st, &spec, rep);
	if (rc == 0 && rep->internal_error[0])
		rc = -EIO;
	fd = open(out, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, len - 1);
		close(fd);
	}
	if (n >= 0)
		buf[n] = '\0';
	else if (rc == 0)
		rc = -EIO;
	unlink(out);
out:
	rmdir(box);
	rmdir(dir);
	return rc;
}

/* "Key:\tvalue" of a /proc status text, or NULL. */
static const char *ns_status_field(const char *text, const char *key, char *val,
                                   size_t len)
{
	size_t kl = strlen(key);

	for (const char *p = text; p && *p;
	     p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, key, kl) == 0 && p[kl] == ':') {
			const char *v = p + kl + 1;
			size_t n = 0;

			while (*v == '\t' || *v == ' ')
				v++;
			while (v[n] && v[n] != '\n' && n + 1 < len)
				n++;
			memcpy(val, v, n);
			val[n] = '\0';
			return val;
		}
	}
	return NULL;
}

/* The lines of check-env about the program's own view, from a real run. */
static void ns_check_program(struct ns_state *st, ac_line_cb cb, void *arg)
{
	static const char *const caps[] = {"CapInh", "CapPrm", "CapEff",
	                                   "CapBnd", "CapAmb"};
	struct ac_run_report rep;
	char text[8192], v[64], detail[320];
	const struct sc_filter *f = st->sc ? sc_cache_default(st->sc) : NULL;
	int rc = ns_probe_run(st, text, sizeof(text), &rep);
	bool ok;

	if (rc < 0) {
		snprintf(detail, sizeof(detail), "probe run failed: %s",
		         rep.internal_error[0] ? rep.internal_error
		                               : strerror(-rc));
		cb(arg, "seccomp", false, detail);
		cb(arg, "no_new_privs", false, detail);
		cb(arg, "capabilities dropped", false, detail);
		cb(arg, "/proc hidepid", false, detail);
		return;
	}
	ok = f && ns_status_field(text, "Seccomp", v, sizeof(v)) &&
	     strcmp(v, "2") == 0;
	if (f)
		snprintf(detail, sizeof(detail),
		         "filter loaded (mode %s), %u system calls allowed, "
		         "default action: kill process (SIGSYS); non-AF_UNIX "
		         "sockets EAFNOSUPPORT, clone3/io_uring ENOSYS, "
		         "hugetlb pages ENOMEM/EINVAL",
		         ok ? v : "?", f->allowed);
	else
		snprintf(detail, sizeof(detail), "disabled (sandbox.seccomp)");
	cb(arg, "seccomp", ok, detail);
	ok = ns_status_field(text, "NoNewPrivs", v, sizeof(v)) &&
	     strcmp(v, "1") == 0;
	cb(arg, "no_new_privs", ok, ok ? "NoNewPrivs: 1" : "not set");
	ok = true;
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		ok = ok && ns_status_field(text, caps[i], v, sizeof(v)) &&
		     strspn(v, "0") == strlen(v) && v[0];
	cb(arg, "capabilities dropped", ok,
	   ok ? "inheritable, permitted, effective, bounding, ambient: 0"
	      : "a capability set is not empty");
	/* Two status files were asked for: with hidepid=2 init's is not
	 * there. */
	ok = strstr(text, "Name:") &&
	     !strstr(strstr(text, "Name:") + 5, "Name:");
	cb(arg, "/proc hidepid", ok,
	   ok ? "hidepid=2: other processes (init) invisible"
	      : "the program sees /proc/1");
}

/* Can a child be created with these namespace flags? */
static int ns_probe_clone(uint64_t flags)
{
	struct nsx_clone_args ca;
	sigset_t all, old;
	pid_t pid;
	int st = 0, e;

	memset(&ca, 0, sizeof(ca));
	ca.flags = flags;
	ca.exit_signal = SIGCHLD;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid = ns_clone(&ca);
	if (pid == 0)
		_exit(0);
	e = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pid < 0)
		return -e;
	if (waitpid(pid, &st, __WALL) < 0 && errno != ECHILD)
		return -errno;
	return 0;
}

/* Create and remove a probe cgroup; fills what works. */
static int ns_probe_cgroup(struct ns_state *st, bool *cpu, char *err,
                           size_t errlen)
{
	struct ac_limits l;
	struct cg_run run;
	char name[64];
	int rc;

	memset(&l, 0, sizeof(l));
	l.memory_kb = 65536;
	l.processes = 8;
	snprintf(name, sizeof(name), "run-%d-probe%u", (int)getpid(),
	         atomic_fetch_add(&st->seq, 1));
	rc = cg_run_create(&st->cg, name, &l, &run, err, errlen);
	if (rc < 0)
		return rc;
	if (cpu) {
		uint64_t ns;

		*cpu = cg_run_cpu_ns(&run, &ns) == 0;
	}
	cg_run_destroy(&run);
	return 0;
}

static int ns_check_env(void *state, ac_line_cb cb, void *arg)
{
	static const struct {
		const char *what;
		uint64_t flag;
	} nss[] = {{"user namespace", CLONE_NEWUSER},
	           {"pid namespace", CLONE_NEWPID},
	           {"mount namespace", CLONE_NEWNS},
	           {"network namespace", CLONE_NEWNET},
	           {"ipc namespace", CLONE_NEWIPC},
	           {"uts namespace", CLONE_NEWUTS}};
	struct ns_state *st = state;
	char detail[320], err[256] = "";
	bool cpu = false, cg_ok;
	int rc;

	if (!st || !cb)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(nss) / sizeof(nss[0]); i++) {
		rc = ns_probe_clone(nss[i].flag);
		snprintf(detail, sizeof(detail), "%s",
		         rc ? strerror(-rc) : "clone3 ok");
		cb(arg, nss[i].what, rc == 0, detail);
	}
	snprintf(detail, sizeof(detail),
	         "uids %u-%u, gids %u-%u: one a live run, no host account",
	         (unsigned)st->uid, (unsigned)st->uid + st->id_count - 1,
	         (unsigned)st->gid, (unsigned)st->gid + st->id_count - 1);
	cb(arg, "ids of their own", true, detail);
	cg_ok = ns_probe_cgroup(st, &cpu, err, sizeof(err)) == 0;
	snprintf(
	        detail, sizeof(detail), "%s",
	        cg_ok ? (st->cg.version == 1 ? st->cg.mem_base : st->cg.v2_base)
	              : err);
	cb(arg,
	   st->cg.version == 2   ? "cgroup memory (v2)"
	   : st->cg.version == 1 ? "cgroup memory (v1)"
	                         : "cgroup memory",
	   cg_ok, detail);
	if (st->cg.version == 1)
		snprintf(detail, sizeof(detail), "%s",
		         st->cg.memsw ? "memory.memsw.limit_in_bytes = limit"
		         : st->cg.no_swap ? "no swap configured"
		                          : "swap present and not limited "
		                            "(no memsw accounting)");
	else
		snprintf(detail, sizeof(detail), "%s",
		         st->cg.no_swap ? "no swap configured"
		         : st->cg.memsw ? "memory.swap.max = 0"
		                        : "swap present and not limited "
		                          "(no memory.swap.max)");
	cb(arg, "swap off", cg_ok && (st->cg.no_swap || st->cg.memsw), detail);
	snprintf(detail, sizeof(detail), "%s",
	         !cg_ok ? err
	         : st->cg.version == 1
	                 ? (st->cg.pids_base ? st->cg.pids_base
	                                     : "pids controller not mounted")
	                 : "pids.max");
	cb(arg, "cgroup pids",
	   cg_ok && (st->cg.version == 2 || st->cg.pids_base), detail);
	snprintf(detail, sizeof(detail), "%s",
	         st->cg.version == 1
	                 ? "cpuacct.usage (all threads and children)"
	                 : "cpu.stat usage_usec");
	cb(arg, "cgroup cpu accounting", cg_ok && cpu, detail);
	ns_check_program(st, cb, arg);
	cb(arg, "rlimits", true,
	   "stack = memory limit (or stack_kb), fsize, nofile, core 0, "
	   "cpu backstop");
	return 0;
}

static int ns_enforcing(void *state)
{
	struct ns_state *st = state;
	char err[256];

	if (!st || st->cg.version == 0)
		return -ENOTSUP;
	if (st->cg.version == 1 && !st->cg.pids_base)
		return -ENOTSUP;
	if (ns_probe_cgroup(st, NULL, err, sizeof(err)) < 0)
		return -ENOTSUP;
	if (ns_probe_clone(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS |
	                   CLONE_NEWNET) < 0)
		return -ENOTSUP;
	return 0;
}

static const struct ac_sandbox_ops ns_ops = {
        .init = ns_init,
        .fini = ns_fini,
        .run = ns_run,
        .check_env = ns_check_env,
        .enforcing = ns_enforcing,
};

AC_PLUGIN_DEFINE(AC_KIND_SANDBOX, "ns",
                 "Linux namespaces, cgroups (v1/v2) and rlimits",
                 PACKAGE_VERSION, ns_ops);
