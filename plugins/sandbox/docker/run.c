/* sandbox/docker: one run in a warm container: its cgroups, the run message to
 * the agent, the loop that reads the output, samples the CPU time and enforces
 * the limits, and the report.  See docker.c and docs/sandbox-docker.md. */
#define _GNU_SOURCE 1
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algocode/plugin.h>

#include "../../common/plugin_util.h"
#include "../common/sbx_file.h"
#include "../common/sbx_stdin.h"
#include "../common/sbx_stream.h"
#include "dk.h"
#include "dk_state.h"
#include "fs.h"

/* ------------------------------------------------------------ one run */

static int dk_open_out(const char *path)
{
	if (!path)
		return -1;
	return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	            0644);
}

struct dk_run {
	struct dk_state *st;
	struct dk_cont *c;
	const struct ac_run_spec *spec;
	struct ac_run_report *rep;
	char cg[CG_N][PATH_MAX + 32];
	bool cg_made[CG_N];
	int rootfd, boxfd, sock, pidfd;
	pid_t pid;
	bool killed, tainted;
	uint64_t drain_ns; /* our CPU time reading the program's output */
};

/* The CPU time of the calling thread, in ns. */
static uint64_t dk_thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

#define FAILF(run, ...)                                                        \
	snprintf((run)->rep->internal_error,                                   \
	         sizeof((run)->rep->internal_error), __VA_ARGS__)

static int dk_run_cgroups(struct dk_run *rn)
{
	struct dk_state *st = rn->st;
	const struct ac_limits *l = &rn->spec->limits;
	unsigned n = atomic_fetch_add(&st->seq, 1);
	int r = 0;

	for (int i = 0; i < CG_N; i++) {
		snprintf(rn->cg[i], sizeof(rn->cg[i]), "%s/ac-run-%d-%u",
		         rn->c->cg[i], (int)getpid(), n);
		if (mkdir(rn->cg[i], 0755) < 0) {
			r = -errno;
			FAILF(rn, "sandbox setup: mkdir %s: %s", rn->cg[i],
			      strerror(errno));
			return r;
		}
		rn->cg_made[i] = true;
	}
	r = dk_write_u64(rn->cg[0], "memory.limit_in_bytes",
	                 l->memory_kb * 1024);
	if (r == 0 && st->memsw)
		r = dk_write_u64(rn->cg[0], "memory.memsw.limit_in_bytes",
		                 l->memory_kb * 1024);
	/* Only the program's processes are in the run's cgroups (the
	 * agent, which starts it, stays in the container's). */
	if (r == 0)
		r = dk_write_u64(rn->cg[1], "pids.max", l->processes);
	if (r < 0)
		FAILF(rn, "sandbox setup: cgroup limits: %s", strerror(-r));
	return r;
}

static void dk_run_cgroups_rm(struct dk_run *rn)
{
	dk_cg_kill(rn->cg[1]);
	for (int i = 0; i < CG_N; i++) {
		if (!rn->cg_made[i])
			continue;
		for (int k = 0;
		     k < 500 && rmdir(rn->cg[i]) < 0 && errno == EBUSY; k++) {
			dk_cg_kill(rn->cg[i]);
			usleep(1000);
		}
		/* Still there: something of the run may live on (v1: the
		 * container's cgroup.procs does not list its children's). */
		if (access(rn->cg[i], F_OK) == 0)
			rn->tainted = true;
	}
}

static void dk_kill(struct dk_run *rn)
{
	rn->killed = true;
	dk_cg_kill(rn->cg[1]);
}

/* Ask the agent for the run: the request (dk.h) with the run's
 * descriptors (stdin, stdout, stderr, its end of the run socket). */
static int dk_send_run(struct dk_run *rn, const int fds[DK_RUN_NFDS])
{
	static const char *const def_env[] = {
	        "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/box",
	        "LANG=C.UTF-8", "TMPDIR=/tmp", NULL};
	const struct ac_run_spec *s = rn->spec;
	const char *const *env = s->envp ? s->envp : def_env;
	const struct ac_limits *l = &s->limits;
	struct dk_run_msg m = {.magic = DK_RUN_MAGIC,
	                       .uid = (uint32_t)rn->st->uid,
	                       .gid = (uint32_t)rn->st->gid,
	                       .cpu_s = (l->cpu_ms + 999) / 1000 + 1,
	                       .fsize_kb = l->fsize_kb,
	                       .stack_kb =
	                               l->stack_kb ? l->stack_kb : l->memory_kb,
	                       .nofile = l->nofile ? l->nofile : 64};
	union {
		char b[CMSG_SPACE(sizeof(int) * DK_RUN_NFDS)];
		struct cmsghdr align;
	} u;
	struct iovec iov = {&m, sizeof(m)};
	struct msghdr mh = {.msg_iov = &iov,
	                    .msg_iovlen = 1,
	                    .msg_control = u.b,
	                    .msg_controllen = sizeof(u.b)};
	struct cmsghdr *cm;
	size_t len = 0, off = 0;
	char *buf;
	int r = 0;

	for (size_t i = 0; s->argv[i]; i++, m.argc++)
		len += strlen(s->argv[i]) + 1;
	for (size_t i = 0; env[i]; i++, m.envc++)
		len += strlen(env[i]) + 1;
	if (len > DK_RUN_STRINGS_MAX) {
		FAILF(rn,
		      "sandbox: the run's arguments and environment are too "
		      "large (%zu bytes, at most %u)",
		      len, DK_RUN_STRINGS_MAX);
		return -E2BIG;
	}
	m.len = (uint32_t)len;
	buf = malloc(len);
	if (!buf) {
		FAILF(rn, "sandbox: out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; s->argv[i]; i++) {
		memcpy(buf + off, s->argv[i], strlen(s->argv[i]) + 1);
		off += strlen(s->argv[i]) + 1;
	}
	for (size_t i = 0; env[i]; i++) {
		memcpy(buf + off, env[i], strlen(env[i]) + 1);
		off += strlen(env[i]) + 1;
	}
	memset(u.b, 0, sizeof(u.b));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * DK_RUN_NFDS);
	memcpy(CMSG_DATA(cm), fds, sizeof(int) * DK_RUN_NFDS);
	/* The control connection has a send timeout (dk_agent_connect). */
	if (sendmsg(rn->c->ctl, &mh, MSG_NOSIGNAL) != (ssize_t)sizeof(m))
		r = -errno;
	for (off = 0; r == 0 && off < len;) {
		ssize_t n =
		        send(rn->c->ctl, buf + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			r = n < 0 ? -errno : -EPIPE;
		else
			off += (size_t)n;
	}
	free(buf);
	if (r < 0) {
		FAILF(rn, "sandbox: the agent of container %.12s: %s",
		      rn->c->id, strerror(-r));
		rn->tainted = true;
	}
	return r;
}

/* The parent of `pid` as /proc says, or -1. */
static pid_t dk_ppid(pid_t pid)
{
	char p[64], b[512], *e;

	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	if (sbx_read_file(p, b, sizeof(b)) < 0)
		return -1;
	e = strrchr(b, ')');
	if (!e || strlen(e) < 5)
		return -1;
	return (pid_t)atoi(e + 4);
}

/* The agent's child said "ready" with the kernel's word for its pid:
 * check it is the agent's child, move it into the run's cgroups, watch
 * it with a pidfd and let it go. */
static int dk_go(struct dk_run *rn, pid_t pid)
{
	struct pollfd p;
	char b[32];
	int r;

	if (pid <= 0 || pid == rn->c->init_pid) {
		FAILF(rn,
		      "sandbox setup: the run's pid (%d) is not the "
		      "agent's child",
		      (int)pid);
		return -EPROTO;
	}
	rn->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (rn->pidfd < 0 && errno != ENOSYS) {
		r = -errno;
		FAILF(rn, "sandbox setup: pidfd_open: %s", strerror(errno));
		return r;
	}
	/* No pidfd (old kernel, valgrind): the agent's status ends the
	 * run. */
	if (dk_ppid(pid) != rn->c->init_pid) {
		FAILF(rn,
		      "sandbox setup: the run's pid (%d) is not the "
		      "agent's child",
		      (int)pid);
		return -EPROTO;
	}
	rn->pid = pid;
	snprintf(b, sizeof(b), "%d", (int)pid);
	for (int i = 0; i < CG_N; i++) {
		r = sbx_write_at(rn->cg[i], "cgroup.procs", b);
		if (r < 0) {
			FAILF(rn, "sandbox setup: move the run into %s: %s",
			      rn->cg[i], strerror(-r));
			return r;
		}
	}
	/* Still the same process (its pid was not reused meanwhile). */
	p = (struct pollfd){rn->pidfd, POLLIN, 0};
	if (rn->pidfd >= 0 && poll(&p, 1, 0) != 0) {
		FAILF(rn, "sandbox setup: the run ended before its start");
		return -ESRCH;
	}
	b[0] = DK_MSG_GO;
	if (send(rn->sock, b, 1, MSG_NOSIGNAL) != 1) {
		r = -errno;
		FAILF(rn, "sandbox setup: cannot start the run: %s",
		      strerror(errno));
		return r;
	}
	return 0;
}

/* One message of the run socket: its text in msg, the sender's pid. */
static ssize_t dk_recv_msg(int sock, char *msg, size_t cap, pid_t *from)
{
	union {
		char b[CMSG_SPACE(sizeof(struct ucred)) +
		       CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} u;
	struct iovec iov = {msg, cap - 1};
	struct msghdr mh = {.msg_iov = &iov,
	                    .msg_iovlen = 1,
	                    .msg_control = u.b,
	                    .msg_controllen = sizeof(u.b)};
	ssize_t n = recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

	*from = 0;
	if (n < 0)
		return n;
	msg[n] = '\0';
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c;
	     c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_CREDENTIALS &&
		    c->cmsg_len == CMSG_LEN(sizeof(struct ucred))) {
			struct ucred cr;

			memcpy(&cr, CMSG_DATA(c), sizeof(cr));
			*from = cr.pid;
		} else if (c->cmsg_type == SCM_RIGHTS) {
			/* Nobody sends descriptors here. */
			size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (size_t i = 0; i < k; i++) {
				int fd;

				memcpy(&fd, CMSG_DATA(c) + i * sizeof(int),
				       sizeof(fd));
				close(fd);
			}
		}
	}
	return n;
}

/* What the run socket says, once the program is gone. */
struct dk_end {
	char status[DK_MSG_MAX + 1]; /* "exit N", "signal N", "" */
	int noexec;                  /* the child's errno, 0: none */
};

/* The loop: start the run, then stdout/stderr out, limits, its end. */
static void dk_loop(struct dk_run *rn, struct sbx_stream *out,
                    struct sbx_stream *err, struct dk_end *end,
                    uint64_t *wall_us)
{
	const struct ac_limits *l = &rn->spec->limits;
	struct ac_run_report *rep = rn->rep;
	bool started = false, done = false, sock_eof = false;
	uint64_t t0 = 0, t_setup = pu_mono_us(), last_cpu = 0, t_end = 0,
	         drain_until = 0;

	for (;;) {
		struct pollfd p[4] = {
		        {sock_eof ? -1 : rn->sock, POLLIN, 0},
		        {started && !done ? rn->pidfd : -1, POLLIN, 0},
		        {out->rfd, POLLIN, 0},
		        {err->rfd, POLLIN, 0}};
		uint64_t now;

		if (poll(p, 4, POLL_MS) < 0 && errno != EINTR)
			break;
		now = pu_mono_us();
		if (p[0].revents) {
			char msg[DK_MSG_MAX + 1];
			pid_t from;
			ssize_t n =
			        dk_recv_msg(rn->sock, msg, sizeof(msg), &from);

			if (n == 0 ||
			    (n < 0 && errno != EAGAIN && errno != EINTR)) {
				sock_eof = true;
			} else if (n > 0 && !started &&
			           strcmp(msg, DK_MSG_READY) == 0) {
				if (dk_go(rn, from) < 0) {
					rn->tainted = true;
					break;
				}
				started = true;
				t0 = now = pu_mono_us();
			} else if (n > 0 && started && from == rn->pid &&
			           strncmp(msg, "noexec ", 7) == 0) {
				end->noexec = atoi(msg + 7);
			} else if (n > 0 && from == rn->c->init_pid &&
			           (strncmp(msg, "exit ", 5) == 0 ||
			            strncmp(msg, "signal ", 7) == 0)) {
				snprintf(end->status, sizeof(end->status), "%s",
				         msg);
			} else if (n > 0) {
				/* "nofork ERRNO" or anything unexpected. */
				FAILF(rn,
				      "sandbox: the agent of container "
				      "%.12s: %s",
				      rn->c->id, msg);
				rn->tainted = true;
				break;
			}
		}
		if (p[2].revents || p[3].revents) {
			uint64_t c0 = dk_thread_cpu_ns();

			if (p[2].revents)
				sbx_stream_read(out);
			if (p[3].revents)
				sbx_stream_read(err);
			rn->drain_ns += dk_thread_cpu_ns() - c0;
		}
		if (!started) {
			if (sock_eof || now - t_setup > API_TIMEOUT * 1000ull) {
				FAILF(rn,
				      "sandbox setup: the agent of "
				      "container %.12s did not start the run",
				      rn->c->id);
				rn->tainted = true;
				break;
			}
			continue;
		}
		if (!done &&
		    ((p[1].revents & POLLIN) || end->status[0] || sock_eof)) {
			done = true;
			t_end = now;
			/* What the program left behind goes now. */
			dk_cg_kill(rn->cg[1]);
			drain_until = now + DRAIN_MS * 1000ull;
		}
		if (done) {
			if ((end->status[0] || sock_eof) && out->rfd < 0 &&
			    err->rfd < 0)
				break;
			if (now >= drain_until)
				break;
			continue;
		}
		if (out->over && !rn->killed) {
			rep->stdout_exceeded = true;
			dk_kill(rn);
		}
		if (now - last_cpu >= POLL_MS * 1000) {
			uint64_t cpu = dk_read_u64(rn->cg[2], "cpuacct.usage") +
			               rn->drain_ns;

			last_cpu = now;
			if (cpu >= l->cpu_ms * 1000000ull) {
				rep->cpu_exceeded = true;
				dk_kill(rn);
			}
		}
		if (now - t0 >= l->wall_ms * 1000ull) {
			rep->wall_exceeded = true;
			dk_kill(rn);
		}
		if (rn->killed &&
		    now - t0 > l->wall_ms * 1000ull + 10000000ull) {
			/* The run outlived SIGKILL for 10 s. */
			FAILF(rn, "sandbox: the run cannot be killed");
			rn->tainted = true;
			break;
		}
	}
	*wall_us = t0 ? (t_end ? t_end : pu_mono_us()) - t0 : 0;
}

static bool dk_oom(struct dk_run *rn)
{
	char b[512], *k;

	if (sbx_read_at(rn->cg[0], "memory.oom_control", b, sizeof(b)) < 0)
		return false;
	k = strstr(b, "oom_kill ");
	if (k && strtoull(k + 9, NULL, 10) > 0)
		return true;
	return false;
}

/* Only the container's init may remain in it. */
static bool dk_cont_clean(struct dk_run *rn)
{
	char p[PATH_MAX + 32];
	FILE *f;
	int pid, others = 0;

	snprintf(p, sizeof(p), "%s/cgroup.procs", rn->c->cg[1]);
	f = fopen(p, "re");
	if (!f)
		return false;
	while (fscanf(f, "%d", &pid) == 1)
		if (pid != rn->c->init_pid)
			others++;
	fclose(f);
	return others == 0;
}

/* The program's descriptors: fds[0] stdin (the caller's file or
 * /dev/null), fds[1] and fds[2] pipes whose read ends go to out and err,
 * fds[3] the agent's end of the run socket (rn->sock is ours, with
 * SO_PASSCRED: the kernel tells us who sends). */
static int dk_run_fds(struct dk_run *rn, int fds[DK_RUN_NFDS],
                      struct sbx_stream *out, struct sbx_stream *err)
{
	const struct ac_run_spec *s = rn->spec;
	int op[2], ep[2], sp[2], one = 1;

	fds[0] = sbx_stdin_open(&rn->st->in_cache, rn->st->host, rn->st->ctx,
	                        "sandbox/docker", s->fds ? s->fds->in : -1,
	                        s->fds ? NULL : s->stdin_path);
	if (fds[0] < 0) {
		FAILF(rn, "sandbox setup: stdin %s: %s",
		      s->stdin_path ? s->stdin_path : "", strerror(errno));
		return -1;
	}
	if (pipe2(op, O_CLOEXEC) < 0)
		goto fail;
	out->rfd = op[0];
	fds[1] = op[1];
	if (pipe2(ep, O_CLOEXEC) < 0)
		goto fail;
	err->rfd = ep[0];
	fds[2] = ep[1];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		goto fail;
	rn->sock = sp[0];
	fds[3] = sp[1];
	if (setsockopt(rn->sock, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) <
	    0)
		goto fail;
	fcntl(out->rfd, F_SETFL, O_NONBLOCK);
	fcntl(err->rfd, F_SETFL, O_NONBLOCK);
	return 0;
fail:
	FAILF(rn, "sandbox setup: pipes: %s", strerror(errno));
	return -1;
}

static int dk_run_in(struct dk_run *rn)
{
	struct dk_state *st = rn->st;
	const struct ac_run_spec *s = rn->spec;
	struct ac_run_report *rep = rn->rep;
	struct dk_fs_owner own = {st->uid, st->gid};
	struct sbx_stream out = {.rfd = -1, .file = -1},
	                  err = {.rfd = -1, .file = -1};
	struct dk_end end;
	char p[64];
	uint64_t wall = 0;
	int hostbox, r, fd, fds[DK_RUN_NFDS] = {-1, -1, -1, -1};

	memset(&end, 0, sizeof(end));
	snprintf(p, sizeof(p), "/proc/%d/root", (int)rn->c->init_pid);
	rn->rootfd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rn->rootfd >= 0)
		rn->boxfd =
		        openat(rn->rootfd, "box",
		               O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rn->rootfd < 0 || rn->boxfd < 0) {
		FAILF(rn, "sandbox: container %.12s lost its root: %s",
		      rn->c->id, strerror(errno));
		rn->tainted = true;
		return 0;
	}
	/* Files in. */
	/* spec.fds: the caller's descriptors (privilege separation); the
	 * copies made here are ours to close. */
	hostbox = s->fds ? openat(s->fds->box, ".",
	                          O_RDONLY | O_DIRECTORY | O_CLOEXEC)
	                 : open(s->box_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (hostbox < 0) {
		FAILF(rn, "sandbox setup: open %s: %s", s->box_dir,
		      strerror(errno));
		return 0;
	}
	r = dk_fs_mirror(hostbox, rn->boxfd, &own);
	if (r == 0 && (fchown(rn->boxfd, st->uid, st->gid) < 0 ||
	               fchmod(rn->boxfd, 0755) < 0))
		r = -errno;
	if (r < 0) {
		FAILF(rn, "sandbox setup: copy the box in: %s", strerror(-r));
		goto out;
	}
	if (s->fds) {
		out.file = s->fds->out >= 0
		                   ? fcntl(s->fds->out, F_DUPFD_CLOEXEC, 3)
		                   : -1;
		err.file = s->fds->err >= 0
		                   ? fcntl(s->fds->err, F_DUPFD_CLOEXEC, 3)
		                   : -1;
	} else {
		out.file = dk_open_out(s->stdout_path);
		err.file = dk_open_out(s->stderr_path);
	}
	if (((s->fds ? s->fds->out >= 0 : s->stdout_path != NULL) &&
	     out.file < 0) ||
	    ((s->fds ? s->fds->err >= 0 : s->stderr_path != NULL) &&
	     err.file < 0)) {
		FAILF(rn, "sandbox setup: open the output files: %s",
		      strerror(errno));
		goto out;
	}
	out.cap = s->limits.stdout_kb * 1024;
	err.cap = s->limits.stderr_kb * 1024;
	if (dk_run_cgroups(rn) < 0 || dk_run_fds(rn, fds, &out, &err) < 0)
		goto out;
	r = dk_send_run(rn, fds);
	/* The agent has its copies (or the run failed): only the program
	 * may hold the pipes' write ends, for their EOF. */
	for (int i = 0; i < DK_RUN_NFDS; i++) {
		close(fds[i]);
		fds[i] = -1;
	}
	if (r < 0)
		goto out;
	dk_loop(rn, &out, &err, &end, &wall);
	if (rep->internal_error[0])
		goto out;
	/* The report; the CPU time with ours copying its output. */
	rep->wall_us = wall;
	rep->cpu_us =
	        (dk_read_u64(rn->cg[2], "cpuacct.usage") + rn->drain_ns) / 1000;
	rep->memory_kb =
	        dk_read_u64(rn->cg[0], "memory.max_usage_in_bytes") / 1024;
	rep->oom_killed = dk_oom(rn);
	rep->stdout_bytes = out.seen;
	rep->stdout_exceeded = out.over;
	rep->stderr_exceeded = err.over;
	if (rep->cpu_us >= s->limits.cpu_ms * 1000)
		rep->cpu_exceeded = true;
	if (end.noexec) {
		FAILF(rn, "cannot execute %s: %s", s->argv[0],
		      strerror(end.noexec));
	} else if (strncmp(end.status, "exit ", 5) == 0 && !rn->killed) {
		rep->exited = true;
		rep->exit_code = atoi(end.status + 5);
	} else if (strncmp(end.status, "signal ", 7) == 0) {
		rep->signal = atoi(end.status + 7);
	} else if (rn->killed || rep->oom_killed) {
		rep->signal = SIGKILL;
	} else if (strncmp(end.status, "exit ", 5) == 0) {
		rep->exited = true;
		rep->exit_code = atoi(end.status + 5);
	} else {
		FAILF(rn,
		      "sandbox: the agent of container %.12s gave no "
		      "status for the run",
		      rn->c->id);
		rn->tainted = true;
	}
out:
	if (rn->cg_made[1])
		dk_run_cgroups_rm(rn);
	for (int i = 0; i < DK_RUN_NFDS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (rn->sock >= 0)
		close(rn->sock);
	if (rn->pidfd >= 0)
		close(rn->pidfd);
	if (out.rfd >= 0)
		close(out.rfd);
	if (err.rfd >= 0)
		close(err.rfd);
	if (out.file >= 0)
		close(out.file);
	if (err.file >= 0)
		close(err.file);
	/* Files out: the box as the run left it. */
	if (!rn->tainted && rn->pid > 0) {
		r = dk_fs_mirror(rn->boxfd, hostbox, &own);
		if (r < 0 && !rep->internal_error[0])
			FAILF(rn, "sandbox: copy the box out: %s",
			      strerror(-r));
	}
	close(hostbox);
	/* Wipe /box, /tmp and /dev/shm for the next run. */
	if (!rn->tainted && dk_fs_wipe(rn->boxfd) < 0)
		rn->tainted = true;
	for (int i = 0; i < 2 && !rn->tainted; i++) {
		fd = openat(rn->rootfd, i ? "dev/shm" : "tmp",
		            O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || dk_fs_wipe(fd) < 0)
			rn->tainted = true;
		if (fd >= 0)
			close(fd);
	}
	if (!rn->tainted && !dk_cont_clean(rn))
		rn->tainted = true;
	return 0;
}

int dk_run(void *state, const struct ac_run_spec *spec,
           struct ac_run_report *rep)
{
	struct dk_state *st = state;
	struct dk_run rn;
	struct dk_pool *pool;
	char err[512];
	int r;

	memset(rep, 0, sizeof(*rep));
	if (!spec || !spec->argv || !spec->argv[0] || spec->argv[0][0] != '/' ||
	    !spec->box_dir || !spec->limits.cpu_ms || !spec->limits.wall_ms ||
	    !spec->limits.memory_kb || !spec->limits.processes)
		return -EINVAL;
	if (spec->limits.memory_kb > (uint64_t)st->mem_max_kb ||
	    spec->limits.processes + 1ull > (uint64_t)st->procs_max) {
		snprintf(rep->internal_error, sizeof(rep->internal_error),
		         "sandbox: the run's limits (%" PRIu64
		         " kB, %u processes) exceed the containers' "
		         "(sandbox.max_memory_kb %lld, max_processes %lld)",
		         spec->limits.memory_kb, spec->limits.processes,
		         st->mem_max_kb, st->procs_max);
		return 0;
	}
	pool = dk_pool_get(st, spec->profile, err, sizeof(err));
	if (!pool) {
		snprintf(rep->internal_error, sizeof(rep->internal_error), "%s",
		         err);
		return 0;
	}
	memset(&rn, 0, sizeof(rn));
	rn.st = st;
	rn.spec = spec;
	rn.rep = rep;
	rn.rootfd = rn.boxfd = rn.sock = rn.pidfd = -1;
	r = dk_acquire(st, pool, &rn.c, err, sizeof(err));
	if (r < 0) {
		snprintf(rep->internal_error, sizeof(rep->internal_error),
		         "sandbox: %s", err);
		return 0;
	}
	dk_run_in(&rn);
	if (rn.boxfd >= 0)
		close(rn.boxfd);
	if (rn.rootfd >= 0)
		close(rn.rootfd);
	if (rn.tainted)
		LOG(st, AC_LOG_INFO, "container %.12s retired after a run",
		    rn.c->id);
	dk_release(st, rn.c, !rn.tainted);
	return 0;
}
