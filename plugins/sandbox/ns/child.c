/* The cloned side of sandbox/ns: the sandbox's init (pid 1 of the new pid
 * namespace, still root in the initial user namespace) and the program it
 * forks (pid 2), which enters a fresh user namespace, drops everything and
 * execs.
 *
 * The judge is multi-threaded and we were created by a raw clone3(), so
 * glibc's view of threads and locks is stale here: only plain system
 * calls (raw syscall() where glibc would broadcast to threads, e.g. the
 * set*id family) and pure functions (strlen, memcpy) until execve.
 * Nothing here allocates or formats.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ns.h"

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT           47
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

/* Program -> init, over a stream socketpair. */
#define PROG_READY  'U' /* in the new user namespace: write the maps */
#define PROG_FAIL   'F' /* followed by struct prog_fail */
#define INIT_MAPPED 'M'

struct prog_fail {
	int err;
	char what[64];
};

static void c_cat(char *dst, size_t cap, const char *src)
{
	size_t l = strlen(dst);

	while (*src && l + 1 < cap)
		dst[l++] = *src++;
	dst[l] = '\0';
}

static void c_send(const struct nsx_child *c, int type, int err, int status,
                   const char *what, const char *path)
{
	struct nsx_msg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.err = err;
	m.status = status;
	if (what)
		c_cat(m.what, sizeof(m.what), what);
	if (path) {
		c_cat(m.what, sizeof(m.what), " ");
		c_cat(m.what, sizeof(m.what), path);
	}
	send(c->sock, &m, sizeof(m), MSG_NOSIGNAL);
}

static void __attribute__((noreturn))
c_fail(const struct nsx_child *c, const char *what, const char *path)
{
	c_send(c, NSX_MSG_SETUP, errno, 0, what, path);
	_exit(1);
}

/* Decimal of a small non-negative number. */
static void c_utoa(char *buf, unsigned long v)
{
	char tmp[24];
	int n = 0, i = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < 23);
	while (n)
		buf[i++] = tmp[--n];
	buf[i] = '\0';
}

static int c_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int c_read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return (int)got;
		got += (size_t)n;
	}
	return (int)got;
}

static int c_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	int rc;

	if (fd < 0)
		return -1;
	rc = c_write_all(fd, s, strlen(s));
	close(fd);
	return rc;
}

/* Close every fd >= 3 except the (up to 5) in keep. */
static void c_close_except(const int *keep, int n)
{
	int k[5], i, j;
	unsigned int lo = 3;

	for (i = 0; i < n; i++)
		k[i] = keep[i];
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && k[j - 1] > k[j]; j--) {
			int t = k[j];

			k[j] = k[j - 1];
			k[j - 1] = t;
		}
	for (i = 0; i < n; i++) {
		if (k[i] < 0 || (unsigned int)k[i] < lo)
			continue;
		if ((unsigned int)k[i] > lo)
			syscall(SYS_close_range, lo, (unsigned int)k[i] - 1, 0);
		lo = (unsigned int)k[i] + 1;
	}
	syscall(SYS_close_range, lo, ~0u, 0);
}

static void c_reset_signals(void)
{
	struct sigaction sa;
	sigset_t none;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaction(s, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Fork-like clone3 (no new stack: the child continues on a copy). */
static pid_t c_fork(void)
{
	uint64_t args[11];

	memset(args, 0, sizeof(args));
	args[4] = SIGCHLD; /* exit_signal */
	pid_t pid = (pid_t)syscall(SYS_clone3, args, 88);

	if (pid < 0 && errno == ENOSYS)
		pid = (pid_t)syscall(SYS_clone, (unsigned long)SIGCHLD, 0UL,
		                     0UL, 0UL, 0UL);
	return pid;
}

static int c_mountpoint(const char *dst, bool is_dir)
{
	int fd;

	if (is_dir)
		return (mkdir(dst, 0755) < 0 && errno != EEXIST) ? -1 : 0;
	fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* Make dst and everything below it read-only, nosuid, nodev. */
static int c_make_ro(const char *dst)
{
	struct mount_attr a;

	memset(&a, 0, sizeof(a));
	a.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
	if (syscall(SYS_mount_setattr, AT_FDCWD, dst, AT_RECURSIVE, &a,
	            sizeof(a)) == 0)
		return 0;
	if (errno != ENOSYS)
		return -1;
	return mount(NULL, dst, NULL,
	             MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV,
	             NULL);
}

static void c_run_plan(const struct nsx_child *c, const struct nsx_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++) {
		const struct nsx_step *s = &plan->v[i];

		switch (s->kind) {
		case NSX_MKDIR:
			if (mkdir(s->dst, 0755) < 0 && errno != EEXIST)
				c_fail(c, "mkdir", s->dst);
			break;
		case NSX_BIND_RO:
			if (c_mountpoint(s->dst, s->is_dir) < 0)
				c_fail(c, "mountpoint", s->dst);
			if (mount(s->src, s->dst, NULL, MS_BIND | MS_REC, NULL))
				c_fail(c, "bind", s->src);
			if (c_make_ro(s->dst) < 0)
				c_fail(c, "read-only", s->dst);
			break;
		case NSX_MKNOD:
			if (mknod(s->dst, S_IFCHR | 0666, s->rdev) < 0 ||
			    chmod(s->dst, 0666) < 0)
				c_fail(c, "mknod", s->dst);
			break;
		case NSX_SYMLINK:
			if (symlink(s->src, s->dst) < 0 && errno != EEXIST)
				c_fail(c, "symlink", s->dst);
			break;
		case NSX_FILE: {
			int fd = open(s->dst,
			              O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
			                      O_NOFOLLOW,
			              0644);

			if (fd < 0 || c_write_all(fd, s->src, strlen(s->src)))
				c_fail(c, "write", s->dst);
			close(fd);
			break;
		}
		}
	}
}

/* Hide kernel interfaces of /proc that a program has no business with:
 * /dev/null bound over files, an empty read-only tmpfs over directories. */
static void c_mask_proc(const struct nsx_child *c)
{
	static const char *const files[] = {
	        "proc/kcore",       "proc/sysrq-trigger", "proc/keys",
	        "proc/key-users",   "proc/timer_list",    "proc/sched_debug",
	        "proc/kallsyms",    "proc/kmsg",          "proc/kpagecount",
	        "proc/kpageflags",  "proc/kpagecgroup",   "proc/latency_stats",
	        "proc/config.gz",   "proc/modules",       "proc/buddyinfo",
	        "proc/pagetypeinfo"};
	static const char *const dirs[] = {"proc/acpi", "proc/scsi",
	                                   "proc/irq",  "proc/bus",
	                                   "proc/fs",   "proc/driver"};
	struct stat sb;

	/* Files only root may open (kcore, kmsg, kpage*, sysrq-trigger on
	 * most kernels) stay: the program's uid is not root's.  Each mount
	 * costs time on every run. */
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (lstat(files[i], &sb) == 0 &&
		    (sb.st_uid != 0 || (sb.st_mode & (S_IROTH | S_IWOTH))) &&
		    mount("dev/null", files[i], NULL, MS_BIND, NULL) < 0)
			c_fail(c, "mask", files[i]);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (lstat(dirs[i], &sb) == 0 && S_ISDIR(sb.st_mode) &&
		    mount("tmpfs", dirs[i], "tmpfs",
		          MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		          "size=0,nr_inodes=1,mode=0555") < 0)
			c_fail(c, "mask", dirs[i]);
}

/* Build the new root on c->root and pivot into it.  The root tmpfs is the
 * one mount that allows device nodes: the judge created the few in /dev,
 * it is read-only once built and the program cannot mknod anyway. */
static void c_build_root(const struct nsx_child *c)
{
	const unsigned long nsd = MS_NOSUID | MS_NODEV;

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		c_fail(c, "make / private", NULL);
	if (mount("tmpfs", c->root, "tmpfs", MS_NOSUID, c->root_opts) < 0)
		c_fail(c, "mount tmpfs", c->root);
	if (chdir(c->root) < 0)
		c_fail(c, "chdir", c->root);
	/* From here on every path is relative to the new root. */
	c_run_plan(c, c->plan);
	if (c->run_plan)
		c_run_plan(c, c->run_plan);
	if (mkdir("box", 0755) < 0 ||
	    mount(c->box_dir, "box", NULL, MS_BIND, NULL) < 0 ||
	    mount(NULL, "box", NULL, MS_REMOUNT | MS_BIND | nsd, NULL) < 0)
		c_fail(c, "bind box", c->box_dir);
	if (mkdir("tmp", 01777) < 0 ||
	    mount("tmpfs", "tmp", "tmpfs", nsd, c->tmp_opts) < 0)
		c_fail(c, "mount", "/tmp");
	if (mkdir("dev/shm", 01777) < 0 ||
	    mount("tmpfs", "dev/shm", "tmpfs", nsd | MS_NOEXEC, c->shm_opts) <
	            0)
		c_fail(c, "mount", "/dev/shm");
	if (mkdir("proc", 0555) < 0 ||
	    mount("proc", "proc", "proc", nsd | MS_NOEXEC, "hidepid=2") < 0)
		c_fail(c, "mount", "/proc");
	c_mask_proc(c);
	if (sethostname("sandbox", 7) < 0)
		c_fail(c, "sethostname", NULL);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		c_fail(c, "pivot_root", c->root);
	/* The old root is now stacked on top of "/": detach it. */
	if (umount2(".", MNT_DETACH) < 0)
		c_fail(c, "umount old root", NULL);
	if (chdir("/") < 0)
		c_fail(c, "chdir", "/");
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID,
	          NULL) < 0)
		c_fail(c, "remount / read-only", NULL);
}

static void __attribute__((noreturn)) prog_fail(int fd, const char *what)
{
	struct prog_fail f;
	char tag = PROG_FAIL;

	memset(&f, 0, sizeof(f));
	f.err = errno;
	c_cat(f.what, sizeof(f.what), what);
	c_write_all(fd, &tag, 1);
	c_write_all(fd, &f, sizeof(f));
	_exit(127);
}

/* pid 2: enter a user namespace, drop everything, exec. */
static void __attribute__((noreturn))
prog_main(const struct nsx_child *c, int sp)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];
	int in, out, err, keep;
	char b = 0;

	/* Move our fds out of the way of 0..3, then install them. */
	if ((in = fcntl(c->in_fd, F_DUPFD_CLOEXEC, 10)) < 0 ||
	    (out = fcntl(c->out_fd, F_DUPFD_CLOEXEC, 10)) < 0 ||
	    (err = fcntl(c->err_fd, F_DUPFD_CLOEXEC, 10)) < 0 ||
	    (keep = fcntl(sp, F_DUPFD_CLOEXEC, 10)) < 0)
		prog_fail(sp, "dup");
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0 ||
	    dup3(keep, 3, O_CLOEXEC) < 0)
		prog_fail(sp, "dup2");
	sp = 3;
	syscall(SYS_close_range, 4u, ~0u, 0);

	/* Limits first: raising a hard limit needs the initial namespace. */
	if (setrlimit(RLIMIT_STACK, &c->rl_stack) < 0 ||
	    setrlimit(RLIMIT_FSIZE, &c->rl_fsize) < 0 ||
	    setrlimit(RLIMIT_NOFILE, &c->rl_nofile) < 0 ||
	    setrlimit(RLIMIT_CPU, &c->rl_cpu) < 0 ||
	    setrlimit(RLIMIT_CORE, &c->rl_core) < 0)
		prog_fail(sp, "setrlimit");
	if (syscall(SYS_setgroups, 0, NULL) < 0)
		prog_fail(sp, "setgroups");
	if (unshare(CLONE_NEWUSER) < 0)
		prog_fail(sp, "unshare(CLONE_NEWUSER)");
	/* No nested user namespaces (and so no other namespaces) below us,
	 * even where a profile lets clone3 through seccomp.  The sysctl is
	 * our new namespace's own; init makes /proc/sys read-only next. */
	if (c_write_file("/proc/sys/user/max_user_namespaces", "0\n") < 0)
		prog_fail(sp, "user.max_user_namespaces");
	b = PROG_READY;
	if (c_write_all(sp, &b, 1) < 0 || c_read_full(sp, &b, 1) != 1 ||
	    b != INIT_MAPPED)
		prog_fail(sp, "uid map");

	if (setsid() < 0)
		prog_fail(sp, "setsid");
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		prog_fail(sp, "prctl");
	for (int cap = 0; cap < 64; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			prog_fail(sp, "drop bounding set");
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (syscall(SYS_setresgid, c->inner_gid, c->inner_gid, c->inner_gid) <
	            0 ||
	    syscall(SYS_setresuid, c->inner_uid, c->inner_uid, c->inner_uid) <
	            0)
		prog_fail(sp, "setresuid");
	/* Our old uid was unmapped, so setresuid kept the namespace's
	 * capabilities: clear them explicitly. */
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data) < 0)
		prog_fail(sp, "capset");
	if (chdir("/box") < 0)
		prog_fail(sp, "chdir /box");
	/* Last: from here on only the allow-listed system calls work (the
	 * failure path below needs write and exit_group, both allowed). */
	if (c->filter) {
		struct sock_fprog prog = {c->filter->len, c->filter->insns};

		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
			prog_fail(sp, "seccomp");
	}
	execve(c->argv[0], c->argv, c->envp);
	prog_fail(sp, "execve");
}

/* Write /proc/<pid>/<file>. */
static int init_write_map(pid_t pid, const char *file, const char *map)
{
	char path[64] = "/proc/";

	c_utoa(path + 6, (unsigned long)pid);
	c_cat(path, sizeof(path), "/");
	c_cat(path, sizeof(path), file);
	return c_write_file(path, map);
}

void nsx_child_main(const struct nsx_child *c)
{
	int keep[5] = {c->sock, c->in_fd, c->out_fd, c->err_fd, c->net_fd};
	int sp[2], st;
	struct prog_fail f;
	pid_t pid, r;
	char b = 0;

	c_reset_signals();
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	c_close_except(keep, 5);
	/* Wait until the judge has put us into the run's cgroups. */
	if (recv(c->sock, &b, 1, 0) != 1 || b != 'G')
		_exit(1);
	if (c->net_fd >= 0) {
		if (setns(c->net_fd, CLONE_NEWNET) < 0)
			c_fail(c, "setns", "network namespace");
		close(c->net_fd);
	}
	c_build_root(c);

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
		c_fail(c, "socketpair", NULL);
	pid = c_fork();
	if (pid < 0)
		c_fail(c, "fork", NULL);
	if (pid == 0) {
		close(sp[0]);
		close(c->sock);
		prog_main(c, sp[1]);
	}
	close(sp[1]);
	close(c->in_fd);
	close(c->out_fd);
	close(c->err_fd);
	/* The memory cgroup's OOM killer should pick the program, not us. */
	c_write_file("/proc/self/oom_score_adj", "-1000");

	if (c_read_full(sp[0], &b, 1) == 1 && b == PROG_READY) {
		if (init_write_map(pid, "uid_map", c->uid_map) < 0 ||
		    init_write_map(pid, "gid_map", c->gid_map) < 0) {
			int e = errno;

			kill(pid, SIGKILL);
			errno = e;
			c_fail(c, "write uid_map/gid_map", NULL);
		}
		/* The program has set its sysctls: /proc/sys is read-only
		 * from now on. */
		if (mount("/proc/sys", "/proc/sys", NULL, MS_BIND | MS_REC,
		          NULL) < 0 ||
		    c_make_ro("/proc/sys") < 0) {
			int e = errno;

			kill(pid, SIGKILL);
			errno = e;
			c_fail(c, "read-only", "/proc/sys");
		}
		b = INIT_MAPPED;
		c_write_all(sp[0], &b, 1);
		b = 0;
		/* EOF: execve closed the socket, the program runs. */
		if (c_read_full(sp[0], &b, 1) == 0)
			c_send(c, NSX_MSG_RUNNING, 0, 0, NULL, NULL);
	}
	if (b == PROG_FAIL) {
		memset(&f, 0, sizeof(f));
		c_read_full(sp[0], &f, sizeof(f));
		f.what[sizeof(f.what) - 1] = '\0';
		c_send(c,
		       strcmp(f.what, "execve") == 0 ? NSX_MSG_EXEC
		                                     : NSX_MSG_SETUP,
		       f.err, 0, f.what, NULL);
	} else if (b != 0) {
		c_send(c, NSX_MSG_SETUP, EPROTO, 0, "program start", NULL);
	}
	close(sp[0]);
	for (;;) {
		r = (pid_t)wait4(-1, &st, __WALL, NULL);
		if (r == pid) {
			c_send(c, NSX_MSG_STATUS, 0, st, NULL, NULL);
			/* Exiting kills everything left in the namespace. */
			_exit(0);
		}
		if (r < 0 && errno != EINTR)
			_exit(1);
	}
}
