/* The cloned side of sandbox/ns: the sandbox's init (pid 1 of the new pid
 * namespace, still root in the initial user namespace) and the program it
 * starts (pid 2), which enters the run's user namespace, drops everything
 * and execs.
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
#include <sys/mman.h>
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

/* The program's size of stack until execve (see init_spawn). */
#define PROG_STACK (64 * 1024)

/* Why the program could not start: written by the program into memory it
 * shares with init until execve. */
struct prog_fail {
	int err;
	char what[64];
};

struct prog_arg {
	const struct nsx_child *c;
	volatile struct prog_fail *fail;
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

/* Close every fd >= 3 except the (up to 8) in keep. */
static void c_close_except(const int *keep, int n)
{
	int k[8], i, j;
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

/* The hexadecimal mask after "\n<key>:\t" in a /proc status text. */
static int c_status_mask(const char *text, const char *key, uint64_t *out)
{
	size_t kl = strlen(key);
	const char *p = text;

	for (; *p; p++) {
		if (*p != '\n' || strncmp(p + 1, key, kl) != 0 ||
		    p[1 + kl] != ':')
			continue;
		p += 2 + kl;
		while (*p == '\t' || *p == ' ')
			p++;
		*out = 0;
		for (; *p && *p != '\n'; p++) {
			int d = *p >= '0' && *p <= '9'   ? *p - '0'
			        : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
			                                 : -1;

			if (d < 0)
				return -1;
			*out = (*out << 4) | (uint64_t)d;
		}
		return 0;
	}
	return -1;
}

/* Kernel struct sigaction (x86_64 and arm64: no sa_restorer needed for
 * SIG_DFL). */
struct c_ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

/* Every disposition back to SIG_DFL and nothing blocked.  clone3 with
 * CLONE_CLEAR_SIGHAND already reset the handlers (not the ignored
 * signals): /proc/self/status says which signals are still ignored or
 * caught, and only those are reset (one rt_sigaction each instead of 62).
 * Raw rt_sigaction, so glibc's internal signals are reset too. */
static void c_reset_signals(void)
{
	struct c_ksigaction ka;
	char buf[4096];
	uint64_t ign = 0, cgt = 0, todo = ~0ULL;
	uint64_t none = 0;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ssize_t n = -1;

	if (fd >= 0) {
		buf[0] = '\n';
		n = read(fd, buf + 1, sizeof(buf) - 2);
		close(fd);
	}
	if (n > 0) {
		buf[n + 1] = '\0';
		if (c_status_mask(buf, "SigIgn", &ign) == 0 &&
		    c_status_mask(buf, "SigCgt", &cgt) == 0)
			todo = ign | cgt;
	}
	memset(&ka, 0, sizeof(ka));
	ka.handler = SIG_DFL;
	for (int s = 1; s <= 64; s++)
		if ((todo >> (s - 1)) & 1 && s != SIGKILL && s != SIGSTOP)
			syscall(SYS_rt_sigaction, s, &ka, NULL,
			        sizeof(uint64_t));
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof(uint64_t));
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

int nsx_make_ro(const char *dst)
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

int nsx_run_plan(const struct nsx_plan *plan, const char **what,
                 const char **path)
{
	for (size_t i = 0; i < plan->n; i++) {
		const struct nsx_step *s = &plan->v[i];

		*path = s->dst;
		switch (s->kind) {
		case NSX_MKDIR:
			*what = "mkdir";
			if (mkdir(s->dst, 0755) < 0 && errno != EEXIST)
				return -1;
			break;
		case NSX_BIND_RO:
			*what = "mountpoint";
			if (c_mountpoint(s->dst, s->is_dir) < 0)
				return -1;
			*what = "bind";
			*path = s->src;
			if (mount(s->src, s->dst, NULL, MS_BIND | MS_REC, NULL))
				return -1;
			*what = "read-only";
			*path = s->dst;
			if (nsx_make_ro(s->dst) < 0)
				return -1;
			break;
		case NSX_TREE_RO:
			*what = "mountpoint";
			if (c_mountpoint(s->dst, s->is_dir) < 0)
				return -1;
			*what = "attach";
			if (syscall(SYS_move_mount, s->fd, "", AT_FDCWD, s->dst,
			            MOVE_MOUNT_F_EMPTY_PATH) < 0)
				return -1;
			*what = "read-only";
			if (nsx_make_ro(s->dst) < 0)
				return -1;
			break;
		case NSX_MKNOD:
			*what = "mknod";
			if (mknod(s->dst, S_IFCHR | 0666, s->rdev) < 0 ||
			    chmod(s->dst, 0666) < 0)
				return -1;
			break;
		case NSX_SYMLINK:
			*what = "symlink";
			if (symlink(s->src, s->dst) < 0 && errno != EEXIST)
				return -1;
			break;
		case NSX_FILE: {
			int fd = open(s->dst,
			              O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
			                      O_NOFOLLOW,
			              0644);

			*what = "write";
			if (fd < 0)
				return -1;
			if (c_write_all(fd, s->src, strlen(s->src))) {
				int e = errno;

				close(fd);
				errno = e;
				return -1;
			}
			close(fd);
			break;
		}
		}
	}
	return 0;
}

static void c_run_plan(const struct nsx_child *c, const struct nsx_plan *plan)
{
	const char *what = "plan", *path = NULL;

	if (nsx_run_plan(plan, &what, &path) < 0)
		c_fail(c, what, path);
}

/* Hide kernel interfaces of /proc that a program has no business with:
 * /dev/null bound over files, an empty read-only tmpfs over directories. */
const char *const nsx_proc_files[NSX_PROC_FILES] = {
        "proc/kcore",       "proc/sysrq-trigger", "proc/keys",
        "proc/key-users",   "proc/timer_list",    "proc/sched_debug",
        "proc/kallsyms",    "proc/kmsg",          "proc/kpagecount",
        "proc/kpageflags",  "proc/kpagecgroup",   "proc/latency_stats",
        "proc/config.gz",   "proc/modules",       "proc/buddyinfo",
        "proc/pagetypeinfo"};
const char *const nsx_proc_dirs[NSX_PROC_DIRS] = {"proc/acpi", "proc/scsi",
                                                  "proc/irq",  "proc/bus",
                                                  "proc/fs",   "proc/driver"};

/* Which entries to mask, from the host's /proc (the same kernel: every
 * proc instance has the same entries, owners and modes).  Files only root
 * may open (kcore, kmsg, kpage*, sysrq-trigger on most kernels) stay: the
 * program's uid is not root's.  Each mount costs time on every run.  Runs
 * in the judge (init), not in the child. */
void nsx_proc_masks(uint32_t *files, uint32_t *dirs)
{
	char path[64];
	struct stat sb;

	*files = *dirs = 0;
	for (size_t i = 0; i < NSX_PROC_FILES; i++) {
		path[0] = '/';
		path[1] = '\0';
		c_cat(path, sizeof(path), nsx_proc_files[i]);
		if (lstat(path, &sb) == 0 &&
		    (sb.st_uid != 0 || (sb.st_mode & (S_IROTH | S_IWOTH))))
			*files |= 1u << i;
	}
	for (size_t i = 0; i < NSX_PROC_DIRS; i++) {
		path[0] = '/';
		path[1] = '\0';
		c_cat(path, sizeof(path), nsx_proc_dirs[i]);
		if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
			*dirs |= 1u << i;
	}
}

static void c_mask_proc(const struct nsx_child *c)
{
	for (size_t i = 0; i < NSX_PROC_FILES; i++)
		if ((c->mask_files >> i) & 1 &&
		    mount("dev/null", nsx_proc_files[i], NULL, MS_BIND, NULL) <
		            0 &&
		    errno != ENOENT)
			c_fail(c, "mask", nsx_proc_files[i]);
	for (size_t i = 0; i < NSX_PROC_DIRS; i++)
		if ((c->mask_dirs >> i) & 1 &&
		    mount("tmpfs", nsx_proc_dirs[i], "tmpfs",
		          MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		          "size=0,nr_inodes=1,mode=0555") < 0 &&
		    errno != ENOENT)
			c_fail(c, "mask", nsx_proc_dirs[i]);
}

/* The per-run mounts, relative to the new root (the current directory):
 * fresh /tmp and /dev/shm, /proc of the new pid namespace, its masks. */
static void c_run_mounts(const struct nsx_child *c)
{
	const unsigned long nsd = MS_NOSUID | MS_NODEV;

	if (mount("tmpfs", "tmp", "tmpfs", nsd, c->tmp_opts) < 0)
		c_fail(c, "mount", "/tmp");
	if (mount("tmpfs", "dev/shm", "tmpfs", nsd | MS_NOEXEC, c->shm_opts) <
	    0)
		c_fail(c, "mount", "/dev/shm");
	if (mount("proc", "proc", "proc", nsd | MS_NOEXEC, "hidepid=2") < 0)
		c_fail(c, "mount", "/proc");
	c_mask_proc(c);
	/* The program's user namespace comes with its sysctls set
	 * (user.max_user_namespaces = 0): read-only from the start. */
	if (mount("proc/sys", "proc/sys", NULL, MS_BIND | MS_REC, NULL) < 0 ||
	    nsx_make_ro("proc/sys") < 0)
		c_fail(c, "read-only", "/proc/sys");
	if (sethostname("sandbox", 7) < 0)
		c_fail(c, "sethostname", NULL);
}

/* Enter a copy of the prepared root (c->tmpl_fd): the box is cloned as a
 * detached mount first (it must be taken from the judge's namespace, where
 * its descriptor lives), then init enters the template namespace, makes a
 * private copy of it and attaches the box and the per-run mounts there.
 * The template's mounts are read-only already and nothing done here
 * reaches the template (the copy is private). */
static void c_enter_root(const struct nsx_child *c)
{
	struct mount_attr a;
	struct stat sb;
	int box;

	box = (int)syscall(SYS_open_tree, c->box_fd, "",
	                   OPEN_TREE_CLONE | O_CLOEXEC | AT_EMPTY_PATH);
	if (box < 0)
		c_fail(c, "bind box", c->box_name);
	memset(&a, 0, sizeof(a));
	a.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
	if (syscall(SYS_mount_setattr, box, "", AT_EMPTY_PATH, &a, sizeof(a)) <
	    0)
		c_fail(c, "bind box nosuid", c->box_name);
	close(c->box_fd);
	if (setns(c->tmpl_fd, CLONE_NEWNS) < 0)
		c_fail(c, "setns", "template mount namespace");
	close(c->tmpl_fd);
	if (unshare(CLONE_NEWNS) < 0)
		c_fail(c, "unshare", "mount namespace");
	/* setns put us at the namespace's root: make sure it is the
	 * template's read-only tmpfs. */
	if (chdir("/") < 0 || stat(".", &sb) < 0)
		c_fail(c, "stat", "/");
	if (sb.st_dev != c->tmpl_dev) {
		errno = EXDEV;
		c_fail(c, "template root", NULL);
	}
	if (syscall(SYS_move_mount, box, "", AT_FDCWD, "box",
	            MOVE_MOUNT_F_EMPTY_PATH) < 0)
		c_fail(c, "attach box", c->box_name);
	close(box);
	c_run_mounts(c);
}

/* Build the new root on c->root and pivot into it.  The root tmpfs is the
 * one mount that allows device nodes: the judge created the few in /dev,
 * it is read-only once built and the program cannot mknod anyway. */
static void c_build_root(const struct nsx_child *c)
{
	const unsigned long nsd = MS_NOSUID | MS_NODEV;
	int box;

	/* Our own mount namespace.  The box descriptor names a mount of the
	 * judge's namespace, which cannot be bound from here: the working
	 * directory is carried over to the copy, so take the box from it. */
	if (fchdir(c->box_fd) < 0 || unshare(CLONE_NEWNS) < 0 ||
	    (box = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    dup3(box, c->box_fd, O_CLOEXEC) < 0)
		c_fail(c, "mount namespace", NULL);
	close(box);
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
	/* The box through its descriptor (the host's /proc is still
	 * visible): no path the caller chose is resolved here. */
	if (mkdir("box", 0755) < 0 ||
	    mount(c->box_proc, "box", NULL, MS_BIND, NULL) < 0 ||
	    mount(NULL, "box", NULL, MS_REMOUNT | MS_BIND | nsd, NULL) < 0)
		c_fail(c, "bind box", c->box_name);
	close(c->box_fd);
	if (mkdir("tmp", 01777) < 0 || mkdir("dev/shm", 01777) < 0 ||
	    mkdir("proc", 0555) < 0)
		c_fail(c, "mkdir", NULL);
	c_run_mounts(c);
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

static void __attribute__((noreturn))
prog_fail(volatile struct prog_fail *f, const char *what)
{
	size_t i;

	f->err = errno;
	for (i = 0; what[i] && i + 1 < sizeof(f->what); i++)
		f->what[i] = what[i];
	f->what[i] = '\0';
	_exit(127);
}

/* pid 2, sharing init's memory until execve (vfork-like: init waits):
 * enter the prepared user namespace, drop everything, exec.  Failures are
 * left in a->fail for init. */
static int prog_main(void *arg)
{
	const struct prog_arg *a = arg;
	const struct nsx_child *c = a->c;
	volatile struct prog_fail *f = a->fail;
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];
	int in, out, err;

	/* Move our fds out of the way of 0..2, then install them. */
	if ((in = fcntl(c->in_fd, F_DUPFD_CLOEXEC, 10)) < 0 ||
	    (out = fcntl(c->out_fd, F_DUPFD_CLOEXEC, 10)) < 0 ||
	    (err = fcntl(c->err_fd, F_DUPFD_CLOEXEC, 10)) < 0)
		prog_fail(f, "dup");
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		prog_fail(f, "dup2");

	/* init is exempt from the OOM killer (-1000, inherited): the program
	 * is not.  A vfork child's value is its own, init keeps its. */
	if (c_write_file("/proc/self/oom_score_adj", "0") < 0)
		prog_fail(f, "oom_score_adj");
	/* Limits first: raising a hard limit needs the initial namespace. */
	if (setrlimit(RLIMIT_STACK, &c->rl_stack) < 0 ||
	    setrlimit(RLIMIT_FSIZE, &c->rl_fsize) < 0 ||
	    setrlimit(RLIMIT_NOFILE, &c->rl_nofile) < 0 ||
	    setrlimit(RLIMIT_CPU, &c->rl_cpu) < 0 ||
	    setrlimit(RLIMIT_CORE, &c->rl_core) < 0)
		prog_fail(f, "setrlimit");
	if (syscall(SYS_setgroups, 0, NULL) < 0)
		prog_fail(f, "setgroups");
	/* A user namespace made ahead by the judge: uid/gid 1000 mapped to
	 * the sandbox uid/gid, user.max_user_namespaces = 0 (no nested
	 * namespaces, even where a profile lets clone3 through seccomp). */
	if (setns(c->user_fd, CLONE_NEWUSER) < 0)
		prog_fail(f, "setns(CLONE_NEWUSER)");
	syscall(SYS_close_range, 3u, ~0u, 0);

	if (setsid() < 0)
		prog_fail(f, "setsid");
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		prog_fail(f, "prctl");
	for (int cap = 0; cap <= c->cap_last; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			prog_fail(f, "drop bounding set");
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (syscall(SYS_setresgid, c->inner_gid, c->inner_gid, c->inner_gid) <
	            0 ||
	    syscall(SYS_setresuid, c->inner_uid, c->inner_uid, c->inner_uid) <
	            0)
		prog_fail(f, "setresuid");
	/* Our old uid was unmapped, so setresuid kept the namespace's
	 * capabilities: clear them explicitly. */
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data) < 0)
		prog_fail(f, "capset");
	if (chdir("/box") < 0)
		prog_fail(f, "chdir /box");
	/* Last: from here on only the allow-listed system calls work (the
	 * failure path below needs only exit_group). */
	if (c->filter) {
		struct sock_fprog sp = {c->filter->len, c->filter->insns};

		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &sp) < 0)
			prog_fail(f, "seccomp");
	}
	execve(c->argv[0], c->argv, c->envp);
	prog_fail(f, "execve");
}

/* Start the program like posix_spawn: clone(CLONE_VM | CLONE_VFORK) on a
 * stack of its own, so no copy of the address space is made and init
 * resumes once the program has exec'ed (or failed: then *f says why). */
static pid_t init_spawn(const struct nsx_child *c, volatile struct prog_fail *f)
{
	struct prog_arg a = {c, f};
	char *stack = mmap(NULL, PROG_STACK, PROT_READ | PROT_WRITE,
	                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	pid_t pid;

	if (stack == MAP_FAILED)
		return -1;
	/* The stack goes with init (no munmap: it costs a TLB flush). */
	pid = clone(prog_main, stack + PROG_STACK,
	            CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
	return pid;
}

void nsx_child_main(const struct nsx_child *c)
{
	int keep[8] = {c->sock,   c->in_fd,  c->out_fd,  c->err_fd,
	               c->net_fd, c->box_fd, c->tmpl_fd, c->user_fd};
	volatile struct prog_fail f;
	int st;
	pid_t pid, r;
	char b = 0;

	c_reset_signals();
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	c_close_except(keep, 8);
	/* Wait until the judge has put us into the run's cgroups. */
	if (recv(c->sock, &b, 1, 0) != 1 || b != 'G')
		_exit(1);
	if (c->net_fd >= 0) {
		if (setns(c->net_fd, CLONE_NEWNET) < 0)
			c_fail(c, "setns", "network namespace");
		close(c->net_fd);
	}
	if (c->tmpl_fd >= 0)
		c_enter_root(c);
	else
		c_build_root(c);
	/* The memory cgroup's OOM killer should pick the program, not us
	 * (the program sets its own back to 0). */
	c_write_file("/proc/self/oom_score_adj", "-1000");

	memset((void *)&f, 0, sizeof(f));
	pid = init_spawn(c, &f);
	if (pid < 0)
		c_fail(c, "spawn", NULL);
	close(c->in_fd);
	close(c->out_fd);
	close(c->err_fd);
	close(c->user_fd);
	if (f.what[0]) {
		struct prog_fail g;

		memcpy(&g, (const void *)&f, sizeof(g));
		g.what[sizeof(g.what) - 1] = '\0';
		c_send(c,
		       strcmp(g.what, "execve") == 0 ? NSX_MSG_EXEC
		                                     : NSX_MSG_SETUP,
		       g.err, 0, g.what, NULL);
	} else {
		c_send(c, NSX_MSG_RUNNING, 0, 0, NULL, NULL);
	}
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
