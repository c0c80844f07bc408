/* sandbox/docker runner: a tiny static program the plugin ships inside
 * itself and binds read-only at /.algocode/runner in every container.
 *
 *   runner init
 *       the container's main process (pid 1, root inside the container
 *       with CAP_SETUID, CAP_SETGID and CAP_SETPCAP only): the agent that
 *       starts the runs the judge asks for (the protocol is in dk.h and
 *       docs/sandbox-docker.md).  It listens on /.algocode/run/ctl (a
 *       root-only tmpfs the program cannot reach), accepts exactly one
 *       connection, from outside its pid namespace (the judge), removes
 *       the listener, and from then on reads run requests from that
 *       connection only; when it closes, the agent exits and the kernel
 *       kills everything left in the container.  It reaps orphans.
 *
 * One run: the agent forks a child, which sets the run's rlimits, raises
 * its oom_score_adj, setsid()s, tells the judge its pid on the run socket
 * and waits for the go (the judge has moved it into the run's cgroups by
 * then); then it drops the bounding set, becomes UID:GID, empties every
 * capability set, sets no_new_privs, chdir("/box"), takes the run's
 * stdin/stdout/stderr as 0-2, keeps no other descriptor and execs the
 * program with exactly the run's environment.  The agent reports how the
 * child ended on the run socket.  Everything the program left behind is
 * killed by the judge (the run's cgroup).  No stdio: only system calls.
 */
#define _GNU_SOURCE 1
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <mqueue.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dk.h"

/* One run request, as received and checked. */
struct run {
	struct dk_run_msg m;
	int fd[DK_RUN_NFDS]; /* stdin, stdout, stderr, run socket */
	char *strs;
	char **argv, **envp;
};

/* "what N" on the run socket (one message). */
static void say(int sock, const char *what, long v)
{
	char b[DK_MSG_MAX], d[24];
	size_t n = strlen(what), k = 0;
	unsigned long u = v < 0 ? (unsigned long)-v : (unsigned long)v;

	memcpy(b, what, n);
	b[n++] = ' ';
	if (v < 0)
		b[n++] = '-';
	do {
		d[k++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	while (k)
		b[n++] = d[--k];
	send(sock, b, n, MSG_NOSIGNAL);
}

static void lim(int res, unsigned long long v)
{
	struct rlimit rl = {v, v};

	setrlimit(res, &rl);
}

/* Blank our command line in /proc/<pid>/cmdline: the strings are moved to
 * the heap (never freed) and the argument area is zeroed; where
 * CAP_SYS_RESOURCE is available it is also made empty (PR_SET_MM). */
static char **hide_cmdline(int argc, char **argv)
{
	char *start = argv[0], *end = argv[argc - 1] + strlen(argv[argc - 1]);
	size_t len = (size_t)(end - start) + 1;
	char *keep = malloc(len);
	char **nv = malloc(((size_t)argc + 1) * sizeof(*nv));

	if (!keep || !nv)
		return argv;
	memcpy(keep, start, len);
	for (int i = 0; i < argc; i++)
		nv[i] = keep + (argv[i] - start);
	nv[argc] = NULL;
	memset(start, 0, len);
	prctl(PR_SET_MM, PR_SET_MM_ARG_START, (unsigned long)end, 0, 0);
	return nv;
}

/* Drop every capability, the bounding set included. */
static int drop_caps(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	for (int i = 0; i <= 63; i++)
		if (prctl(PR_CAPBSET_READ, i, 0, 0, 0) == 1 &&
		    prctl(PR_CAPBSET_DROP, i, 0, 0, 0) < 0)
			return -1;
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	memset(d, 0, sizeof(d));
	return (int)syscall(SYS_capset, &h, d);
}

/* Remove what earlier runs left in the container's IPC namespace, which
 * every run of the container shares: System V shared memory, message
 * queues and semaphores, POSIX message queues.  Called as the run's uid,
 * their creator (removing needs no capability then). */
static void wipe_ipc(void)
{
	union {
		struct shmid_ds shm;
		struct shm_info shm_info;
		struct msqid_ds msg;
		struct msginfo msg_info;
		struct semid_ds sem;
		struct seminfo sem_info;
	} b;
	char buf[4096], name[NAME_MAX + 2];
	int max, id, fd;
	long n;

	max = shmctl(0, SHM_INFO, &b.shm);
	for (int i = 0; i <= max; i++)
		if ((id = shmctl(i, SHM_STAT_ANY, &b.shm)) >= 0)
			shmctl(id, IPC_RMID, NULL);
	max = msgctl(0, MSG_INFO, &b.msg);
	for (int i = 0; i <= max; i++)
		if ((id = msgctl(i, MSG_STAT_ANY, &b.msg)) >= 0)
			msgctl(id, IPC_RMID, NULL);
	max = semctl(0, 0, SEM_INFO, &b.sem_info);
	for (int i = 0; i <= max; i++)
		if ((id = semctl(i, 0, SEM_STAT_ANY, &b.sem)) >= 0)
			semctl(id, 0, IPC_RMID);
	fd = open("/dev/mqueue", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	while (fd >= 0 &&
	       (n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
		for (long off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);

			off += d->d_reclen;
			if (d->d_name[0] == '.' || strlen(d->d_name) > NAME_MAX)
				continue;
			name[0] = '/';
			strcpy(name + 1, d->d_name);
			mq_unlink(name);
		}
	if (fd >= 0)
		close(fd);
}

/* Whether an earlier run left IPC objects here. */
static int ipc_left(void)
{
	struct shm_info shm;
	struct msginfo msg;
	struct seminfo sem;
	char buf[1024];
	int fd, left = 0;
	long n;

	if ((shmctl(0, SHM_INFO, (struct shmid_ds *)&shm) >= 0 &&
	     shm.used_ids > 0) ||
	    (msgctl(0, MSG_INFO, (struct msqid_ds *)&msg) >= 0 &&
	     msg.msgpool > 0) ||
	    (semctl(0, 0, SEM_INFO, &sem) >= 0 && sem.semusz > 0))
		return 1;
	fd = open("/dev/mqueue", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	while (fd >= 0 && !left &&
	       (n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
		for (long off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);

			off += d->d_reclen;
			if (d->d_name[0] != '.')
				left = 1;
		}
	if (fd >= 0)
		close(fd);
	return left;
}

/* Remove what earlier runs left, as their uid (the objects' owner: the
 * agent has no CAP_IPC_OWNER), in a short-lived process started before
 * the judge moves the child into the run's cgroups and starts the clock:
 * none of it is charged to this run. */
static void wipe_ipc_as(uid_t uid, gid_t gid)
{
	pid_t p;

	if (!ipc_left())
		return;
	p = fork();
	if (p == 0) {
		if (setgroups(0, NULL) == 0 && setresgid(gid, gid, gid) == 0 &&
		    setresuid(uid, uid, uid) == 0)
			wipe_ipc();
		_exit(0);
	}
	while (p > 0 && waitpid(p, NULL, 0) < 0 && errno == EINTR)
		;
}

/* The forked child: becomes the program.  Never returns. */
static void child(struct run *r)
{
	const struct dk_run_msg *m = &r->m;
	int sock = r->fd[3], fd;
	sigset_t none;
	char go;
	ssize_t n;

	/* Descriptors 0-2 are always open in the agent: the received ones
	 * are >= 3 and nothing is overwritten here. */
	for (int i = 0; i < 3; i++)
		if (dup2(r->fd[i], i) < 0)
			goto fail;
	lim(RLIMIT_CORE, 0);
	lim(RLIMIT_CPU, m->cpu_s);
	lim(RLIMIT_FSIZE, m->fsize_kb * 1024);
	lim(RLIMIT_STACK, m->stack_kb ? m->stack_kb * 1024 : RLIM_INFINITY);
	lim(RLIMIT_NOFILE, m->nofile);
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "1000", 4) < 0) {
			/* not fatal */
		}
		close(fd);
	}
	setsid();
	wipe_ipc_as(m->uid, m->gid);
	/* Our pid (the kernel adds it), then the judge's go: the run's
	 * cgroups hold us by then. */
	if (send(sock, DK_MSG_READY, strlen(DK_MSG_READY), MSG_NOSIGNAL) < 0)
		_exit(127);
	do
		n = recv(sock, &go, 1, 0);
	while (n < 0 && errno == EINTR);
	if (n != 1 || go != DK_MSG_GO)
		_exit(127); /* the judge gave up on the run */
	if (setgroups(0, NULL) < 0 || setresgid(m->gid, m->gid, m->gid) < 0)
		goto fail;
	/* The bounding set first (needs CAP_SETPCAP), then the uid
	 * (CAP_SETUID; clears the permitted and effective sets), then
	 * whatever is left. */
	for (int i = 0; i <= 63; i++)
		if (prctl(PR_CAPBSET_DROP, i, 0, 0, 0) < 0 && errno != EINVAL)
			goto fail;
	if (setresuid(m->uid, m->uid, m->uid) < 0 || drop_caps() < 0)
		goto fail;
	umask(022); /* the agent's is 077 */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		goto fail;
	if (chdir("/box") < 0)
		goto fail;
	/* Only 0-2 and the run socket (close-on-exec) stay. */
	if (sock > 3 && syscall(SYS_close_range, 3, sock - 1, 0) < 0)
		goto fail;
	if (syscall(SYS_close_range, sock + 1, ~0U, 0) < 0)
		goto fail;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* ETXTBSY: something still holds the program open for writing, for
	 * a moment only (the judge copies it into the box on the host, where
	 * a process forked meanwhile keeps a copy until its exec).  Wait for
	 * it, up to about 200 ms, rather than fail the run. */
	for (int i = 0; execve(r->argv[0], r->argv, r->envp) < 0 &&
	                errno == ETXTBSY && i < 100;
	     i++)
		nanosleep(&(struct timespec){0, 2000000}, NULL);
fail:
	say(sock, "noexec", errno);
	_exit(127);
}

static void run_free(struct run *r)
{
	for (int i = 0; i < DK_RUN_NFDS; i++)
		if (r->fd[i] >= 0)
			close(r->fd[i]);
	free(r->strs);
	free(r->argv);
	free(r->envp);
	memset(r, 0, sizeof(*r));
	for (int i = 0; i < DK_RUN_NFDS; i++)
		r->fd[i] = -1;
}

/* Read exactly n bytes of the control connection. */
static int read_all(int fd, char *b, size_t n)
{
	while (n > 0) {
		ssize_t k = read(fd, b, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

/* One run request from the control connection, checked.  1: a request in
 * *r; 0: the connection closed; -1: a malformed request. */
static int recv_run(int ctl, struct run *r)
{
	union {
		char b[CMSG_SPACE(sizeof(int) * (DK_RUN_NFDS + 4))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {&r->m, sizeof(r->m)};
	struct msghdr mh = {.msg_iov = &iov,
	                    .msg_iovlen = 1,
	                    .msg_control = u.b,
	                    .msg_controllen = sizeof(u.b)};
	struct dk_run_msg *m = &r->m;
	int nfd = 0, bad = 0;
	ssize_t n;
	size_t nstr = 0, k = 0, i;

	do
		n = recvmsg(ctl, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c;
	     c = CMSG_NXTHDR(&mh, c)) {
		size_t cnt;
		int *fds = (int *)CMSG_DATA(c);

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		cnt = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < cnt; i++) {
			if (nfd < DK_RUN_NFDS)
				r->fd[nfd] = fds[i];
			else
				close(fds[i]);
			nfd++;
		}
	}
	if (n != (ssize_t)sizeof(*m) || (mh.msg_flags & MSG_CTRUNC) ||
	    nfd != DK_RUN_NFDS || m->magic != DK_RUN_MAGIC || m->uid == 0 ||
	    m->gid == 0 || m->argc == 0 || m->len == 0 ||
	    m->len > DK_RUN_STRINGS_MAX || (uint64_t)m->argc + m->envc > m->len)
		return -1;
	r->strs = malloc(m->len);
	r->argv = calloc((size_t)m->argc + 1, sizeof(char *));
	r->envp = calloc((size_t)m->envc + 1, sizeof(char *));
	if (!r->strs || !r->argv || !r->envp ||
	    read_all(ctl, r->strs, m->len) < 0)
		return -1;
	/* Exactly argc + envc strings, each NUL-terminated, filling len. */
	if (r->strs[m->len - 1] != '\0')
		bad = 1;
	for (i = 0; !bad && i < m->len; i = k + 1) {
		k = i + strlen(r->strs + i);
		if (nstr < m->argc)
			r->argv[nstr] = r->strs + i;
		else if (nstr < (size_t)m->argc + m->envc)
			r->envp[nstr - m->argc] = r->strs + i;
		nstr++;
	}
	if (bad || nstr != (size_t)m->argc + m->envc)
		return -1;
	return 1;
}

/* Wait for the judge's connection: the only one ever accepted. */
static int accept_judge(int sigfd)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int lfd, c = -1;

	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		return -1;
	memcpy(sa.sun_path, DK_CTL_PATH, sizeof(DK_CTL_PATH));
	unlink(DK_CTL_PATH);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(lfd, 4) < 0) {
		close(lfd);
		return -1;
	}
	while (c < 0) {
		struct pollfd p[2] = {{lfd, POLLIN, 0}, {sigfd, POLLIN, 0}};
		struct signalfd_siginfo si;
		struct ucred cr;
		socklen_t cl = sizeof(cr);

		if (poll(p, 2, -1) < 0)
			continue;
		if (p[1].revents) {
			while (read(sigfd, &si, sizeof(si)) > 0)
				;
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
		}
		if (!p[0].revents)
			continue;
		c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		/* Root from outside our pid namespace (its pid is 0 here):
		 * nothing in the container qualifies. */
		if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr, &cl) < 0 ||
		    cr.uid != 0 || cr.pid != 0) {
			close(c);
			c = -1;
		}
	}
	close(lfd);
	unlink(DK_CTL_PATH);
	return c;
}

static int do_init(void)
{
	struct run cur, req;
	sigset_t set;
	pid_t pid = -1;
	int sigfd, ctl, fd;
	char hello = DK_CTL_HELLO;

	/* 0-2 open, so that received descriptors are >= 3. */
	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd < 3)
		;
	if (fd > 2)
		close(fd);
	umask(077);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	sigfillset(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sigfd < 0)
		return 1;
	ctl = accept_judge(sigfd);
	if (ctl < 0 || send(ctl, &hello, 1, MSG_NOSIGNAL) != 1)
		return 1;
	memset(&cur, 0, sizeof(cur));
	memset(&req, 0, sizeof(req));
	for (int i = 0; i < DK_RUN_NFDS; i++)
		cur.fd[i] = req.fd[i] = -1;
	for (;;) {
		struct pollfd p[2] = {{ctl, POLLIN, 0}, {sigfd, POLLIN, 0}};
		struct signalfd_siginfo si;
		int st, r;
		pid_t w;

		if (poll(p, 2, -1) < 0)
			continue;
		if (p[1].revents) {
			while (read(sigfd, &si, sizeof(si)) > 0)
				;
			while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
				if (w != pid)
					continue; /* an orphan */
				if (WIFSIGNALED(st))
					say(cur.fd[3], "signal", WTERMSIG(st));
				else
					say(cur.fd[3], "exit", WEXITSTATUS(st));
				run_free(&cur);
				pid = -1;
			}
		}
		if (!p[0].revents)
			continue;
		r = recv_run(ctl, &req);
		if (r <= 0)
			_exit(r < 0 ? 2 : 0); /* the container ends */
		if (pid > 0) {
			say(req.fd[3], "nofork", EBUSY);
			run_free(&req);
			continue;
		}
		pid = fork();
		if (pid == 0)
			child(&req);
		if (pid < 0) {
			say(req.fd[3], "nofork", errno);
			run_free(&req);
			continue;
		}
		/* The run socket stays to report the end; stdio is the
		 * child's only. */
		cur = req;
		for (int i = 0; i < 3; i++) {
			close(cur.fd[i]);
			cur.fd[i] = -1;
		}
		free(cur.strs);
		free(cur.argv);
		free(cur.envp);
		cur.strs = NULL;
		cur.argv = cur.envp = NULL;
		memset(&req, 0, sizeof(req));
		for (int i = 0; i < DK_RUN_NFDS; i++)
			req.fd[i] = -1;
	}
}

int main(int argc, char **argv)
{
	if (argc >= 1)
		argv = hide_cmdline(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "init") == 0)
		return do_init();
	return 120;
}
