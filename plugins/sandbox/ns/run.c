/* sandbox/ns: one run, as named steps over struct ns_run: the judge thread's
 * side (open, spawn init, supervise, measure, release).
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
#include "../common/sbx_stream.h"
#include "plan.h"
#include "pool.h"
#include "reap.h"
#include "ropath.h"
#include "run.h"
#include "spare.h"
#include "state.h"
#include "sys.h"
#include "tmpl.h"
#include "util.h"

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
	/* A spare spawner placed in the cgroups (spare.h), or NULL; its CPU
	 * time in them until init ran. */
	struct ns_sparer *sparer;
	uint64_t sp_own;
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
	bool have_status, running, killed, init_dead, sock_eof;
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
	c->masks = st->masks.n ? &st->masks : NULL;
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
	if (ns_cg_take(r->st, r->l, &r->cg, &r->sparer, r->rep->internal_error,
	               sizeof(r->rep->internal_error)) < 0)
		return -1;
	r->cg_ok = true;
	/* Where init moves itself (v1), cpuacct last; its CPU time is
	 * counted from there (fresh cgroups: cg_go is 0).  Not with a spare
	 * spawner: init is born there. */
	if (r->st->cg.version == 1 && !r->sparer) {
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
		j->ca = *ca;
		j->ca.flags |= CLONE_VM | CLONE_VFORK | CLONE_PARENT_SETTID;
		j->ca.parent_tid = (uint64_t)(uintptr_t)&j->tid;
		j->ca.stack = (uint64_t)(uintptr_t)(r->stk + 2 * NS_GUARD +
		                                    NS_PROG_STACK);
		j->ca.stack_size = NS_INIT_STACK;
		j->c = &r->c;
		j->tid = 0;
		atomic_init(&j->done, false);
		if ((j->sock = fcntl(r->sp[1], F_DUPFD_CLOEXEC, 3)) < 0) {
			rc = errno;
		} else if (r->sparer) {
			ns_sparer_go(r->sparer, ns_spawn_thread, j,
			             &r->spawner);
			r->spawner_ok = true;
		} else if ((rc = pthread_create(&r->spawner, NULL,
		                                ns_spawn_thread, j)) != 0) {
			close(j->sock);
		} else {
			r->spawner_ok = true;
		}
	} else {
		r->c.vm_shared = false;
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
			/* The spawner is blocked in the clone by now. */
			if (r->sparer && r->spawner_ok)
				r->sp_own = ns_sparer_cpu_ns(r->sparer);
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
	r->t_setup = pu_mono_us();
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
		now = pu_mono_us();
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
			r->t_end = pu_mono_us();
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
		uint64_t init_own = r->init_end - r->init_go + r->sp_own;

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

/* The spawner back (joined) once init is gone: at once when init was
 * waited for or never made, else (`late`) after init was killed.  A spare
 * spawner leaves the run's cgroups by ending: its pids.current charge
 * goes a moment after the join (the thread is released after it wakes
 * its joiner), so the count is awaited briefly. */
static void ns_run_spawner_out(struct ns_run *r, bool late)
{
	const struct timespec us20 = {0, 20000};

	if (r->spawner_ok && (late || r->pid < 0 || r->init_dead)) {
		pthread_join(r->spawner, NULL);
		r->spawner_ok = false;
		for (int i = 0; r->sparer && r->cg_ok && i < 250 &&
		                cg_run_count(&r->cg) > 0;
		     i++)
			nanosleep(&us20, NULL);
	}
	if (!r->spawner_ok && r->sparer) {
		ns_sparer_free(r->sparer); /* never given: it ends now */
		r->sparer = NULL;
	}
}

/* Step 9: give back what the run held.  No task left (init, waited for,
 * reaped the others): the cgroups are removed later.  Else they are swept
 * now. */
static void ns_run_release(struct ns_run *r)
{
	struct ns_state *st = r->st;
	bool cg_empty, reuse = true;
	int *fdv[] = {&r->pidfd,    &r->tmpl_fd,  &r->in_fd,    &r->opipe[0],
	              &r->opipe[1], &r->epipe[0], &r->epipe[1], &r->sp[0],
	              &r->sp[1],    &r->out.rfd,  &r->err.rfd,  &r->out.file,
	              &r->err.file};

	ns_run_spawner_out(r, false);
	cg_empty = r->cg_ok && cg_run_count(&r->cg) == 0;
	if (r->cg_ok && !cg_empty && cg_run_kill_all(&r->cg) > 0) {
		NS_LOG(st, AC_LOG_WARN, "run %s: processes survived init",
		       r->cg.sys->version == 1 ? r->cg.mem : r->cg.v2);
		reuse = false;
	}
	ns_run_spawner_out(r, true);
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
	ns_cg_tidy(st, r->l);
	for (size_t i = 0; i < sizeof(fdv) / sizeof(fdv[0]); i++)
		if (*fdv[i] >= 0)
			close(*fdv[i]);
	if (r->box_fd >= 0 && !r->fds)
		close(r->box_fd);
	plan_free(&r->run_plan);
	ns_reap(st, r->mnt_hold);
	ns_stack_put(st, r->stk); /* only when init never started */
	for (int i = 0; i < 3; i++)
		free(r->cg_procs[i]);
}

/* One run: the steps above, in order; the first that fails has said why
 * in the report (an Internal Error), and the run stops there. */
int ns_run(void *state, const struct ac_run_spec *spec,
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
