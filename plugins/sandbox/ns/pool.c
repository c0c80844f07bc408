/* sandbox/ns: resource pools kept across runs: stacks of init (when it shares
 * the judge's memory), run cgroups made ahead and finished ones to remove,
 * empty network namespaces, user namespaces per id slot, and the host
 * id slots of the programs.
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
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../common/plugin_util.h"
#include "pool.h"
#include "spare.h"
#include "state.h"
#include "util.h"

void *ns_stack_get(struct ns_state *st)
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

void ns_stack_put(struct ns_state *st, void *m)
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
 * both are done by a thread started when a run has ended (ns_cg_tidy).  A
 * cgroup is never used twice: the peak memory and OOM count of a run are its
 * own.  Spares and leftovers go at fini, or, after a crash, with the next
 * start's sweep of dead judges' run-<pid>-<n> cgroups. */
static int ns_cg_name(struct ns_state *st, char *name, size_t len)
{
	return snprintf(name, len, "run-%d-%08x-%u", (int)getpid(), st->token,
	                atomic_fetch_add(&st->seq, 1));
}

/* The limits of a set whose spare spawner stays in it during the run:
 * pids.max counts the spawner too. */
static struct ac_limits ns_cg_limits_sp(const struct ac_limits *l)
{
	struct ac_limits l2 = *l;

	l2.processes++;
	return l2;
}

static void ns_cg_make_spare(struct ns_state *st, const struct ac_limits *l);

static void *ns_cg_maker(void *arg)
{
	struct ns_state *st = arg;
	struct cg_run cg;

	/* The spare first: a run starting now waits for it (ns_cg_take). */
	ns_cg_make_spare(st, &st->cg_maker_lim);
	pthread_mutex_lock(&st->cg_mu);
	st->cg_making_spare = false;
	pthread_cond_broadcast(&st->cg_cv);
	pthread_mutex_unlock(&st->cg_mu);
	for (;;) {
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
	st->cg_making = false;
	pthread_mutex_unlock(&st->cg_mu);
	return NULL;
}

void ns_cg_tidy(struct ns_state *st, const struct ac_limits *l)
{
	pthread_mutex_lock(&st->cg_mu);
	if ((st->cg_spare_n > 0 && st->cg_dead_n == 0) || st->cg_making) {
		pthread_mutex_unlock(&st->cg_mu);
		return;
	}
	if (st->cg_maker_on) /* done: cg_making is its last act */
		pthread_join(st->cg_maker, NULL);
	st->cg_maker_lim = *l;
	st->cg_maker_on = st->cg_making = st->cg_making_spare =
	        pthread_create(&st->cg_maker, NULL, ns_cg_maker, st) == 0;
	pthread_mutex_unlock(&st->cg_mu);
}

void ns_cg_maker_stop(struct ns_state *st)
{
	if (st->cg_maker_on)
		pthread_join(st->cg_maker, NULL);
	st->cg_maker_on = false;
}

int ns_cg_take(struct ns_state *st, const struct ac_limits *l,
               struct cg_run *cg, struct ns_sparer **sp, char *err,
               size_t errlen)
{
	char name[64];
	bool got = false;

	*sp = NULL;
	pthread_mutex_lock(&st->cg_mu);
	/* A set being made (the last run's ns_cg_tidy): wait for it rather
	 * than make one beside it. */
	while (st->cg_making_spare)
		pthread_cond_wait(&st->cg_cv, &st->cg_mu);
	if (st->cg_spare_n > 0) {
		st->cg_spare_n--;
		*cg = st->cg_spare[st->cg_spare_n];
		*sp = st->cg_spare_sp[st->cg_spare_n];
		st->cg_spare_sp[st->cg_spare_n] = NULL;
		got = true;
	}
	pthread_mutex_unlock(&st->cg_mu);
	/* Its spawner is usually placed long ago; else it is about to be
	 * (waiting costs no more than init moving itself). */
	if (*sp && ns_sparer_ready(*sp) < 0) {
		ns_sparer_free(*sp);
		*sp = NULL;
	}
	if (got) {
		struct ac_limits l2 = ns_cg_limits_sp(l);

		if (cg_run_set_limits(cg, *sp ? &l2 : l, err, errlen) == 0)
			return 0;
		ns_sparer_free(*sp); /* out of the cgroups before they go */
		*sp = NULL;
		cg_run_destroy(cg);
	}
	ns_cg_name(st, name, sizeof(name));
	return cg_run_create(&st->cg, name, l, cg, err, errlen);
}

/* A finished run's cgroups, empty: removed later, or now when too many
 * wait. */
void ns_cg_bury(struct ns_state *st, struct cg_run *cg)
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

/* Make one spare set (with limits l: the next run is likely to have the
 * same), with its spare spawner on v1 (spare.h), unless there is one. */
static void ns_cg_make_spare(struct ns_state *st, const struct ac_limits *l)
{
	struct cg_run cg;
	struct ac_limits l2;
	struct ns_sparer *sp;
	char name[64], err[256];
	bool with_sp;

	pthread_mutex_lock(&st->cg_mu);
	if (st->cg_spare_n > 0) {
		pthread_mutex_unlock(&st->cg_mu);
		return;
	}
	pthread_mutex_unlock(&st->cg_mu);
	/* With a spare spawner (v1, init sharing our memory): see spare.h. */
	with_sp = st->cg.version == 1 && st->share_vm;
	l2 = ns_cg_limits_sp(l);
	ns_cg_name(st, name, sizeof(name));
	if (cg_run_create(&st->cg, name, with_sp ? &l2 : l, &cg, err,
	                  sizeof(err)) < 0)
		return; /* the next run makes its own, and reports why */
	sp = with_sp ? ns_sparer_new(&cg) : NULL;
	pthread_mutex_lock(&st->cg_mu);
	if (st->cg_spare_n < NS_CG_SPARE) {
		st->cg_spare_sp[st->cg_spare_n] = sp;
		st->cg_spare[st->cg_spare_n++] = cg;
		cg.sys = NULL;
		sp = NULL;
	}
	pthread_mutex_unlock(&st->cg_mu);
	ns_sparer_free(sp);
	if (cg.sys)
		cg_run_destroy(&cg);
}

/* The name of host group (group) or user id `id`, kept in buf, or NULL
 * when it has none. */
static const char *ns_id_owner(bool group, long long id, char *buf, size_t len)
{
	if (group) {
		struct group gr, *grp = NULL;

		getgrgid_r((gid_t)id, &gr, buf, len, &grp);
		return grp ? grp->gr_name : NULL;
	}
	struct passwd pw, *pwp = NULL;

	getpwuid_r((uid_t)id, &pw, buf, len, &pwp);
	return pwp ? pwp->pw_name : NULL;
}

/* The host ids of the programs (sandbox.uid, gid, uid_count): a range
 * that no host account or group may use (a host process of one of these
 * ids could signal or trace the programs, and share their per-user
 * quotas), checked here so that a clash stops start-up, naming the id. */
int ns_ids_init(struct ns_state *st)
{
	long long uid, gid, count;
	char buf[4096];
	int rc;

	if ((rc = ns_conf_int(st, "uid", NS_UID_FIRST, &uid)) < 0 ||
	    (rc = ns_conf_int(st, "gid", uid, &gid)) < 0 ||
	    (rc = ns_conf_int(st, "uid_count", NS_UID_COUNT, &count)) < 0)
		return rc;
	if (uid + count - 1 > 0x7ffffffe || gid + count - 1 > 0x7ffffffe) {
		NS_LOG(st, AC_LOG_ERROR,
		       "sandbox.uid_count: %lld ids from uid %lld or gid %lld "
		       "go past 2147483646",
		       count, uid, gid);
		return -EINVAL;
	}
	for (long long i = 0; i < count; i++) {
		for (int g = 0; g < 2; g++) {
			long long first = g ? gid : uid;
			const char *id = g ? "gid" : "uid";
			const char *name =
			        ns_id_owner(g, first + i, buf, sizeof(buf));

			if (!name)
				continue;
			NS_LOG(st, AC_LOG_ERROR,
			       "sandbox.%s: the programs' %ss %lld-%lld "
			       "include host %s %s (%lld); choose a range "
			       "of its own (sandbox.%s, sandbox.uid_count)",
			       id, id, first, first + count - 1,
			       g ? "group" : "user", name, first + i, id);
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
int ns_ids_lock_open(struct ns_state *st)
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

int ns_net_get(struct ns_state *st)
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

void ns_net_put(struct ns_state *st, int fd, bool reuse)
{
	ns_pool_give(st, st->net_free, &st->net_n, fd, reuse);
}

/* What the child of ns_user_new says: 'U' and the namespace's fd (in
 * the table it shares with the judge), or 'F'. */
struct ns_user_msg {
	char b;
	int fd;
};

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
	struct timeval tmo = {10, 0};
	struct ns_user_msg msg = {0, -1};
	sigset_t all, old;
	char path[64], map[64];
	int p[2], fd = -1, rc = -EIO;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p) < 0)
		return -errno;
	memset(&ca, 0, sizeof(ca));
	/* CLONE_FILES: the child shares the judge's descriptor table instead
	 * of holding copies of it.  A copy would keep open, for as long as
	 * the child lives, whatever another thread had open at that moment:
	 * a program being copied into a box for writing, whose execve then
	 * failed with ETXTBSY ("Text file busy"). */
	ca.flags = CLONE_FILES;
	ca.exit_signal = SIGCHLD;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid = ns_clone(&ca);
	if (pid == 0) {
		/* Raw system calls only (see child.c); SIGKILL ends us.  What
		 * we open is the judge's own: close it or hand it over. */
		int w;

		msg.b = 'F';
		if (unshare(CLONE_NEWUSER) == 0 &&
		    (w = open("/proc/sys/user/max_user_namespaces",
		              O_WRONLY | O_CLOEXEC)) >= 0) {
			if (write(w, "0\n", 2) == 2)
				msg.b = 'U';
			close(w);
		}
		/* The namespace, opened by us: the judge may not open our
		 * /proc/<pid>/ns (its memory, which we copy, is not dumpable
		 * once a program has changed uid in it, and it may lack
		 * CAP_SYS_PTRACE). */
		if (msg.b == 'U')
			msg.fd = open("/proc/self/ns/user",
			              O_RDONLY | O_CLOEXEC);
		if (send(p[1], &msg, sizeof(msg), MSG_NOSIGNAL) !=
		    (ssize_t)sizeof(msg)) {
			if (msg.fd >= 0)
				close(msg.fd);
			_exit(1);
		}
		for (;;)
			pause();
	}
	rc = -errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return rc;
	}
	/* The child's end stays open here (one table): no EOF if it dies
	 * before it speaks, hence the time-out. */
	setsockopt(p[0], SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo));
	rc = -EIO;
	if (recv(p[0], &msg, sizeof(msg), 0) == (ssize_t)sizeof(msg))
		fd = msg.fd;
	if (msg.b == 'U' && fd >= 0) {
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
	close(p[1]);
	return rc < 0 ? rc : fd;
}

/* Under net_mu: one of the next NS_USER_AHEAD free slots (from id_next,
 * where ns_id_take looks first) without a user namespace, or -1. */
static int ns_user_wanted(struct ns_state *st)
{
	unsigned seen = 0;

	for (unsigned k = 0; k < st->id_count && seen < NS_USER_AHEAD; k++) {
		unsigned i = (st->id_next + k) % st->id_count;

		if (st->id_busy[i / 64] & (1ULL << (i % 64)))
			continue;
		seen++;
		if (st->user_slot[i] < 0)
			return (int)i;
	}
	return -1;
}

/* Give the next free slots their user namespaces.  A slot taken
 * meanwhile still gets it when its run has not asked yet (the run takes
 * it), else keeps the one its run made. */
static void *ns_user_maker(void *arg)
{
	struct ns_state *st = arg;
	int i, fd;

	pthread_mutex_lock(&st->net_mu);
	while (!st->user_quit && (i = ns_user_wanted(st)) >= 0) {
		pthread_mutex_unlock(&st->net_mu);
		fd = ns_user_new(st, (unsigned)i);
		pthread_mutex_lock(&st->net_mu);
		if (fd < 0)
			break; /* the runs make their own, and say why */
		if (st->user_slot[i] < 0)
			st->user_slot[i] = fd;
		else
			close(fd);
	}
	st->user_making = false; /* its last act */
	pthread_mutex_unlock(&st->net_mu);
	return NULL;
}

static void ns_user_ahead(struct ns_state *st)
{
	pthread_mutex_lock(&st->net_mu);
	if (!st->user_making && !st->user_quit && ns_user_wanted(st) >= 0) {
		if (st->user_maker_on) /* done: user_making is its last act */
			pthread_join(st->user_maker, NULL);
		st->user_maker_on = st->user_making =
		        pthread_create(&st->user_maker, NULL, ns_user_maker,
		                       st) == 0;
	}
	pthread_mutex_unlock(&st->net_mu);
}

void ns_user_maker_stop(struct ns_state *st)
{
	pthread_mutex_lock(&st->net_mu);
	st->user_quit = true;
	pthread_mutex_unlock(&st->net_mu);
	if (st->user_maker_on)
		pthread_join(st->user_maker, NULL);
	st->user_maker_on = false;
}

int ns_user_get(struct ns_state *st, unsigned slot)
{
	int fd;

	pthread_mutex_lock(&st->net_mu);
	fd = st->user_slot[slot];
	st->user_slot[slot] = -1;
	pthread_mutex_unlock(&st->net_mu);
	return fd >= 0 ? fd : ns_user_new(st, slot);
}

void ns_user_put(struct ns_state *st, unsigned slot, int fd, bool reuse)
{
	if (fd < 0)
		return;
	pthread_mutex_lock(&st->net_mu);
	if (reuse && st->user_slot[slot] < 0) {
		st->user_slot[slot] = fd;
		fd = -1;
	}
	pthread_mutex_unlock(&st->net_mu);
	if (fd >= 0)
		close(fd);
	ns_user_ahead(st);
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
int ns_id_take(struct ns_state *st, unsigned *slot)
{
	uint64_t until = pu_mono_us() + NS_ID_WAIT_S * 1000000ULL;
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
		if (rc == 0 || pu_mono_us() >= until)
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

void ns_id_give(struct ns_state *st, unsigned slot)
{
	pthread_mutex_lock(&st->net_mu);
	ns_id_lock(st, slot, F_UNLCK);
	st->id_busy[slot / 64] &= ~(1ULL << (slot % 64));
	pthread_cond_signal(&st->id_cv);
	pthread_mutex_unlock(&st->net_mu);
}
