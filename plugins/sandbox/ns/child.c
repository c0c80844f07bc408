/* The cloned side of sandbox/ns: the sandbox's init (pid 1 of the new pid
 * namespace, still root in the initial user namespace) and the program it
 * starts (pid 2), which enters the run's user namespace, drops everything
 * and execs.
 *
 * init is created with CLONE_VM | CLONE_VFORK (nsx_clone3_fn, from a
 * spawner thread of the judge): it shares the judge's address space and
 * the spawner's thread pointer, on a stack of its own, and the program
 * shares them too until its execve.  So everything here enters the kernel
 * through the raw wrappers of sys.h (no errno: it is the judge thread's),
 * calls only pure functions (strlen, memcpy) besides, never allocates,
 * formats or takes a lock, and writes no memory but its own stack and the
 * prog_fail record.  Without raw system calls for the architecture, init
 * is forked instead and the same code runs on a copy.
 *
 * No function here is instrumented by AddressSanitizer: it would poison
 * and check stacks it does not know (NSX_CHILD).
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "sc.h"
#include "sys.h"

#define NSX_CHILD __attribute__((no_sanitize("address")))

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT           47
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

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

/* ------------------------------------------------------------ clone */

/* nsx_clone3_fn (sys.h): clone3, then the child calls fn(arg) on its new
 * stack and exits with its value.  The child must not return into the C
 * frame that made the call: that frame lives on the parent's stack. */
#if defined(__x86_64__)
__asm__(".text\n"
        ".globl nsx_clone3_fn\n"
        ".hidden nsx_clone3_fn\n"
        ".type nsx_clone3_fn,@function\n"
        "nsx_clone3_fn:\n"
        "	endbr64\n"
        "	mov %rdx, %r8\n"
        "	mov %rcx, %r9\n"
        "	mov $435, %eax\n"
        "	syscall\n"
        "	test %rax, %rax\n"
        "	jnz 1f\n"
        "	xor %ebp, %ebp\n"
        "	mov %r9, %rdi\n"
        "	call *%r8\n"
        "	mov %eax, %edi\n"
        "	mov $231, %eax\n"
        "	syscall\n"
        "	hlt\n"
        "1:	ret\n"
        ".size nsx_clone3_fn, .-nsx_clone3_fn\n");
#elif defined(__aarch64__)
__asm__(".text\n"
        ".globl nsx_clone3_fn\n"
        ".hidden nsx_clone3_fn\n"
        ".type nsx_clone3_fn,%function\n"
        "nsx_clone3_fn:\n"
        "	hint 34\n"
        "	mov x9, x2\n"
        "	mov x10, x3\n"
        "	mov x8, #435\n"
        "	svc #0\n"
        "	cbnz x0, 1f\n"
        "	mov x29, xzr\n"
        "	mov x30, xzr\n"
        "	mov x0, x10\n"
        "	blr x9\n"
        "	mov x8, #94\n"
        "	svc #0\n"
        "	brk #0\n"
        "1:	ret\n"
        ".size nsx_clone3_fn, .-nsx_clone3_fn\n");
#endif

/* ------------------------------------------------------------ helpers */

static NSX_CHILD void __attribute__((noreturn)) c_exit(int code)
{
	for (;;)
		nsx_sys1(SYS_exit_group, code);
}

static NSX_CHILD long c_open(const char *path, int flags, int mode)
{
	return nsx_sys4(SYS_openat, AT_FDCWD, path, flags, mode);
}

static NSX_CHILD void c_close(int fd)
{
	nsx_sys1(SYS_close, fd);
}

static NSX_CHILD long c_mount(const char *src, const char *dst,
                              const char *type, unsigned long flags,
                              const void *data)
{
	return nsx_sys5(SYS_mount, src, dst, type, flags, data);
}

static NSX_CHILD long c_mkdir(const char *path, int mode)
{
	return nsx_sys3(SYS_mkdirat, AT_FDCWD, path, mode);
}

static NSX_CHILD long c_chdir(const char *path)
{
	return nsx_sys1(SYS_chdir, path);
}

static NSX_CHILD long c_prctl(int op, unsigned long a, unsigned long b)
{
	return nsx_sys5(SYS_prctl, op, a, b, 0, 0);
}

static NSX_CHILD void c_cat(char *dst, size_t cap, const char *src)
{
	size_t l = strlen(dst);

	while (*src && l + 1 < cap)
		dst[l++] = *src++;
	dst[l] = '\0';
}

static NSX_CHILD void c_send(const struct nsx_child *c, int type, int err,
                             int status, const char *what, const char *path)
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
	nsx_sys6(SYS_sendto, c->sock, &m, sizeof(m), MSG_NOSIGNAL, 0, 0);
}

/* Report a failed step (rc: -errno) and exit. */
static NSX_CHILD void __attribute__((noreturn))
c_fail(const struct nsx_child *c, long rc, const char *what, const char *path)
{
	c_send(c, NSX_MSG_SETUP, rc < 0 ? (int)-rc : EIO, 0, what, path);
	c_exit(1);
}

static NSX_CHILD long c_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		long n = nsx_sys3(SYS_write, fd, p, len);

		if (n == -EINTR)
			continue;
		if (n < 0)
			return n;
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static NSX_CHILD long c_write_file(const char *path, const char *s)
{
	long fd = c_open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0), rc;

	if (fd < 0)
		return fd;
	rc = c_write_all((int)fd, s, strlen(s));
	c_close((int)fd);
	return rc;
}

/* Close every fd >= 3 except the (up to 8) in keep. */
static NSX_CHILD void c_close_except(const int *keep, int n)
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
			nsx_sys3(SYS_close_range, lo, (unsigned int)k[i] - 1,
			         0);
		lo = (unsigned int)k[i] + 1;
	}
	nsx_sys3(SYS_close_range, lo, ~0u, 0);
}

/* The hexadecimal mask after "\n<key>:\t" in a /proc status text. */
static NSX_CHILD int c_status_mask(const char *text, const char *key,
                                   uint64_t *out)
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
static NSX_CHILD void c_reset_signals(void)
{
	struct c_ksigaction ka;
	char buf[4096];
	uint64_t ign = 0, cgt = 0, todo = ~0ULL;
	uint64_t none = 0;
	long fd = c_open("/proc/self/status", O_RDONLY | O_CLOEXEC, 0);
	long n = -1;

	if (fd >= 0) {
		buf[0] = '\n';
		n = nsx_sys3(SYS_read, fd, buf + 1, sizeof(buf) - 2);
		c_close((int)fd);
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
			nsx_sys4(SYS_rt_sigaction, s, &ka, NULL,
			         sizeof(uint64_t));
	nsx_sys4(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL,
	         sizeof(uint64_t));
}

static NSX_CHILD long c_mountpoint(const char *dst, bool is_dir)
{
	long fd;

	if (is_dir) {
		fd = c_mkdir(dst, 0755);
		return fd == -EEXIST ? 0 : fd;
	}
	fd = c_open(dst, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return fd;
	c_close((int)fd);
	return 0;
}

NSX_CHILD long nsx_make_ro(const char *dst)
{
	struct mount_attr a;
	long rc;

	memset(&a, 0, sizeof(a));
	a.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
	rc = nsx_sys5(SYS_mount_setattr, AT_FDCWD, dst, AT_RECURSIVE, &a,
	              sizeof(a));
	if (rc != -ENOSYS)
		return rc;
	return c_mount(NULL, dst, NULL,
	               MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV,
	               NULL);
}

NSX_CHILD long nsx_run_plan(const struct nsx_plan *plan, const char **what,
                            const char **path)
{
	long rc = 0;

	for (size_t i = 0; i < plan->n; i++) {
		const struct nsx_step *s = &plan->v[i];

		*path = s->dst;
		switch (s->kind) {
		case NSX_MKDIR:
			*what = "mkdir";
			rc = c_mkdir(s->dst, 0755);
			if (rc == -EEXIST)
				rc = 0;
			break;
		case NSX_BIND_RO:
			*what = "mountpoint";
			if ((rc = c_mountpoint(s->dst, s->is_dir)) < 0)
				break;
			*what = "bind";
			*path = s->src;
			if ((rc = c_mount(s->src, s->dst, NULL,
			                  MS_BIND | MS_REC, NULL)) < 0)
				break;
			*what = "read-only";
			*path = s->dst;
			rc = nsx_make_ro(s->dst);
			break;
		case NSX_TREE_RO:
			*what = "mountpoint";
			if ((rc = c_mountpoint(s->dst, s->is_dir)) < 0)
				break;
			*what = "attach";
			if ((rc = nsx_sys5(SYS_move_mount, s->fd, "", AT_FDCWD,
			                   s->dst, MOVE_MOUNT_F_EMPTY_PATH)) <
			    0)
				break;
			*what = "read-only";
			rc = nsx_make_ro(s->dst);
			break;
		case NSX_MASK:
			*what = "hide";
			*path = s->dst;
			rc = c_mount("tmpfs", s->dst, "tmpfs",
			             MS_RDONLY | MS_NOSUID | MS_NODEV |
			                     MS_NOEXEC,
			             "size=4k,nr_inodes=1,mode=000");
			if (rc == -ENOENT || rc == -ENOTDIR)
				rc = 0; /* not in this root: nothing to hide */
			break;
		case NSX_MKNOD:
			*what = "mknod";
			if ((rc = nsx_sys4(SYS_mknodat, AT_FDCWD, s->dst,
			                   S_IFCHR | 0666,
			                   (unsigned int)s->rdev)) < 0)
				break;
			rc = nsx_sys3(SYS_fchmodat, AT_FDCWD, s->dst, 0666);
			break;
		case NSX_SYMLINK:
			*what = "symlink";
			rc = nsx_sys3(SYS_symlinkat, s->src, AT_FDCWD, s->dst);
			if (rc == -EEXIST)
				rc = 0;
			break;
		case NSX_FILE: {
			long fd = c_open(s->dst,
			                 O_WRONLY | O_CREAT | O_TRUNC |
			                         O_CLOEXEC | O_NOFOLLOW,
			                 0644);

			*what = "write";
			if (fd < 0) {
				rc = fd;
				break;
			}
			rc = c_write_all((int)fd, s->src, strlen(s->src));
			c_close((int)fd);
			break;
		}
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

static NSX_CHILD void c_run_plan(const struct nsx_child *c,
                                 const struct nsx_plan *plan)
{
	const char *what = "plan", *path = NULL;
	long rc = nsx_run_plan(plan, &what, &path);

	if (rc < 0)
		c_fail(c, rc, what, path);
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

/* The masks.  The directories share one empty read-only tmpfs: the first
 * one found is mounted, the others are bind mounts of it (a bind costs
 * less than a new file system, at the mount and at the teardown). */
static NSX_CHILD void c_mask_proc(const struct nsx_child *c)
{
	const char *first = NULL;
	long rc;

	for (size_t i = 0; i < NSX_PROC_FILES; i++)
		if ((c->mask_files >> i) & 1 &&
		    (rc = c_mount("dev/null", nsx_proc_files[i], NULL, MS_BIND,
		                  NULL)) < 0 &&
		    rc != -ENOENT)
			c_fail(c, rc, "mask", nsx_proc_files[i]);
	for (size_t i = 0; i < NSX_PROC_DIRS; i++) {
		if (!((c->mask_dirs >> i) & 1))
			continue;
		if (first)
			rc = c_mount(first, nsx_proc_dirs[i], NULL, MS_BIND,
			             NULL);
		else
			rc = c_mount("tmpfs", nsx_proc_dirs[i], "tmpfs",
			             MS_RDONLY | MS_NOSUID | MS_NODEV |
			                     MS_NOEXEC,
			             "size=0,nr_inodes=1,mode=0555");
		if (rc == 0 && !first)
			first = nsx_proc_dirs[i];
		else if (rc < 0 && rc != -ENOENT)
			c_fail(c, rc, "mask", nsx_proc_dirs[i]);
	}
}

/* The read-only paths below /tmp (c->tmp_ro): the root holds them at their
 * place, where the run's own /tmp is about to hide them.  Copies are taken
 * first (fds), then attached inside the new /tmp, parents made 0755. */
static NSX_CHILD void c_tmp_ro_take(const struct nsx_child *c, long *fds)
{
	for (size_t i = 0; i < c->tmp_ro_n; i++) {
		fds[i] = nsx_sys3(SYS_open_tree, AT_FDCWD, c->tmp_ro[i].dst,
		                  OPEN_TREE_CLONE | O_CLOEXEC | AT_RECURSIVE);
		if (fds[i] < 0)
			c_fail(c, fds[i], "copy read-only path",
			       c->tmp_ro[i].dst);
	}
}

static NSX_CHILD void c_tmp_ro_put(const struct nsx_child *c, long *fds)
{
	for (size_t i = 0; i < c->tmp_ro_n; i++) {
		const char *dst = c->tmp_ro[i].dst;
		char dir[PATH_MAX];
		long rc = 0;

		for (size_t j = 4; dst[j] && j + 1 < sizeof(dir); j++) {
			if (dst[j] != '/')
				continue;
			memcpy(dir, dst, j);
			dir[j] = '\0';
			if ((rc = c_mkdir(dir, 0755)) < 0 && rc != -EEXIST)
				c_fail(c, rc, "mkdir", dir);
		}
		if ((rc = c_mountpoint(dst, c->tmp_ro[i].is_dir)) < 0 ||
		    (rc = nsx_sys5(SYS_move_mount, fds[i], "", AT_FDCWD, dst,
		                   MOVE_MOUNT_F_EMPTY_PATH)) < 0 ||
		    (rc = nsx_make_ro(dst)) < 0)
			c_fail(c, rc, "attach read-only path", dst);
		c_close((int)fds[i]);
	}
}

/* The per-run mounts, relative to the new root (the current directory):
 * fresh /tmp (with the read-only paths below it) and /dev/shm, /proc of
 * the new pid namespace, its masks. */
static NSX_CHILD void c_run_mounts(const struct nsx_child *c)
{
	const unsigned long nsd = MS_NOSUID | MS_NODEV;
	long rc, tmp_ro[NSX_TMP_RO_MAX];

	c_tmp_ro_take(c, tmp_ro);
	if ((rc = c_mount("tmpfs", "tmp", "tmpfs", nsd, c->tmp_opts)) < 0)
		c_fail(c, rc, "mount", "/tmp");
	c_tmp_ro_put(c, tmp_ro);
	if ((rc = c_mount("tmpfs", "dev/shm", "tmpfs", nsd | MS_NOEXEC,
	                  c->shm_opts)) < 0)
		c_fail(c, rc, "mount", "/dev/shm");
	if ((rc = c_mount("proc", "proc", "proc", nsd | MS_NOEXEC,
	                  "hidepid=2")) < 0)
		c_fail(c, rc, "mount", "/proc");
	c_mask_proc(c);
	/* The program's user namespace comes with its sysctls set
	 * (user.max_user_namespaces = 0): read-only from the start. */
	if ((rc = c_mount("proc/sys", "proc/sys", NULL, MS_BIND | MS_REC,
	                  NULL)) < 0 ||
	    (rc = nsx_make_ro("proc/sys")) < 0)
		c_fail(c, rc, "read-only", "/proc/sys");
	if ((rc = nsx_sys2(SYS_sethostname, "sandbox", 7)) < 0)
		c_fail(c, rc, "sethostname", NULL);
}

/* Enter a copy of the prepared root (c->tmpl_fd): the box is cloned as a
 * detached mount first (it must be taken from the judge's namespace, where
 * its descriptor lives), then init enters the template namespace, makes a
 * private copy of it and attaches the box and the per-run mounts there.
 * The template's mounts are read-only already and nothing done here
 * reaches the template (the copy is private). */
static NSX_CHILD void c_enter_root(const struct nsx_child *c)
{
	struct mount_attr a;
	struct stat sb;
	long box, rc;

	box = nsx_sys3(SYS_open_tree, c->box_fd, "",
	               OPEN_TREE_CLONE | O_CLOEXEC | AT_EMPTY_PATH);
	if (box < 0)
		c_fail(c, box, "bind box", c->box_name);
	memset(&a, 0, sizeof(a));
	a.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
	if ((rc = nsx_sys5(SYS_mount_setattr, box, "", AT_EMPTY_PATH, &a,
	                   sizeof(a))) < 0)
		c_fail(c, rc, "bind box nosuid", c->box_name);
	c_close(c->box_fd);
	if ((rc = nsx_sys2(SYS_setns, c->tmpl_fd, CLONE_NEWNS)) < 0)
		c_fail(c, rc, "setns", "template mount namespace");
	c_close(c->tmpl_fd);
	if ((rc = nsx_sys1(SYS_unshare, CLONE_NEWNS)) < 0)
		c_fail(c, rc, "unshare", "mount namespace");
	/* setns put us at the namespace's root: make sure it is the
	 * template's read-only tmpfs. */
	if ((rc = c_chdir("/")) < 0 ||
	    (rc = nsx_sys4(SYS_newfstatat, AT_FDCWD, ".", &sb, 0)) < 0)
		c_fail(c, rc, "stat", "/");
	if (sb.st_dev != c->tmpl_dev)
		c_fail(c, -EXDEV, "template root", NULL);
	if ((rc = nsx_sys5(SYS_move_mount, box, "", AT_FDCWD, "box",
	                   MOVE_MOUNT_F_EMPTY_PATH)) < 0)
		c_fail(c, rc, "attach box", c->box_name);
	c_close((int)box);
	c_run_mounts(c);
}

/* Build the new root on c->root and pivot into it.  The root tmpfs is the
 * one mount that allows device nodes: the judge created the few in /dev,
 * it is read-only once built and the program cannot mknod anyway. */
static NSX_CHILD void c_build_root(const struct nsx_child *c)
{
	const unsigned long nsd = MS_NOSUID | MS_NODEV;
	long box, rc;

	/* Our own mount namespace.  The box descriptor names a mount of the
	 * judge's namespace, which cannot be bound from here: the working
	 * directory is carried over to the copy, so take the box from it. */
	if ((rc = nsx_sys1(SYS_fchdir, c->box_fd)) < 0 ||
	    (rc = nsx_sys1(SYS_unshare, CLONE_NEWNS)) < 0 ||
	    (rc = box = c_open(".", O_PATH | O_DIRECTORY | O_CLOEXEC, 0)) < 0 ||
	    (rc = nsx_sys3(SYS_dup3, box, c->box_fd, O_CLOEXEC)) < 0)
		c_fail(c, rc, "mount namespace", NULL);
	c_close((int)box);
	if ((rc = c_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) < 0)
		c_fail(c, rc, "make / private", NULL);
	if ((rc = c_mount("tmpfs", c->root, "tmpfs", MS_NOSUID, c->root_opts)) <
	    0)
		c_fail(c, rc, "mount tmpfs", c->root);
	if ((rc = c_chdir(c->root)) < 0)
		c_fail(c, rc, "chdir", c->root);
	/* From here on every path is relative to the new root. */
	c_run_plan(c, c->plan);
	if (c->run_plan)
		c_run_plan(c, c->run_plan);
	if (c->masks)
		c_run_plan(c, c->masks);
	/* The box through its descriptor (the host's /proc is still
	 * visible): no path the caller chose is resolved here. */
	if ((rc = c_mkdir("box", 0755)) < 0 ||
	    (rc = c_mount(c->box_proc, "box", NULL, MS_BIND, NULL)) < 0 ||
	    (rc = c_mount(NULL, "box", NULL, MS_REMOUNT | MS_BIND | nsd,
	                  NULL)) < 0)
		c_fail(c, rc, "bind box", c->box_name);
	c_close(c->box_fd);
	/* "tmp" exists already when a read-only path lies below it. */
	if (((rc = c_mkdir("tmp", 01777)) < 0 && rc != -EEXIST) ||
	    (rc = c_mkdir("dev/shm", 01777)) < 0 ||
	    (rc = c_mkdir("proc", 0555)) < 0)
		c_fail(c, rc, "mkdir", NULL);
	c_run_mounts(c);
	if ((rc = nsx_sys2(SYS_pivot_root, ".", ".")) < 0)
		c_fail(c, rc, "pivot_root", c->root);
	/* The old root is now stacked on top of "/": detach it. */
	if ((rc = nsx_sys2(SYS_umount2, ".", MNT_DETACH)) < 0)
		c_fail(c, rc, "umount old root", NULL);
	if ((rc = c_chdir("/")) < 0)
		c_fail(c, rc, "chdir", "/");
	if ((rc = c_mount(NULL, "/", NULL,
	                  MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID, NULL)) <
	    0)
		c_fail(c, rc, "remount / read-only", NULL);
}

static NSX_CHILD void __attribute__((noreturn))
prog_fail(volatile struct prog_fail *f, long rc, const char *what)
{
	size_t i;

	f->err = rc < 0 ? (int)-rc : EIO;
	for (i = 0; what[i] && i + 1 < sizeof(f->what); i++)
		f->what[i] = what[i];
	f->what[i] = '\0';
	c_exit(127);
}

static NSX_CHILD long c_rlimit(int res, const struct rlimit *rl)
{
	return nsx_sys4(SYS_prlimit64, 0, res, rl, NULL);
}

/* pid 2, sharing init's memory until execve (vfork-like: init waits):
 * enter the prepared user namespace, drop everything, exec.  Failures are
 * left in a->fail for init. */
static NSX_CHILD int prog_main(void *arg)
{
	const struct prog_arg *a = arg;
	const struct nsx_child *c = a->c;
	volatile struct prog_fail *f = a->fail;
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];
	long in, out, err, rc;

	/* Move our fds out of the way of 0..2, then install them. */
	if ((rc = in = nsx_sys3(SYS_fcntl, c->in_fd, F_DUPFD_CLOEXEC, 10)) <
	            0 ||
	    (rc = out = nsx_sys3(SYS_fcntl, c->out_fd, F_DUPFD_CLOEXEC, 10)) <
	            0 ||
	    (rc = err = nsx_sys3(SYS_fcntl, c->err_fd, F_DUPFD_CLOEXEC, 10)) <
	            0)
		prog_fail(f, rc, "dup");
	if ((rc = nsx_sys3(SYS_dup3, in, 0, 0)) < 0 ||
	    (rc = nsx_sys3(SYS_dup3, out, 1, 0)) < 0 ||
	    (rc = nsx_sys3(SYS_dup3, err, 2, 0)) < 0)
		prog_fail(f, rc, "dup2");

	/* The OOM killer's first choice, in the run's memory cgroup and on
	 * the whole host: never the judge's protection (the sandbox helper's
	 * -1000, a forked init's -1000, docs/security.md "Memory").  Raising
	 * it needs no privilege, and a vfork child's value is its own (init
	 * keeps its); a program that cannot drop the protection does not
	 * run. */
	if ((rc = c_write_file("/proc/self/oom_score_adj", "1000")) < 0)
		prog_fail(f, rc, "oom_score_adj");
	/* Limits first: raising a hard limit needs the initial namespace. */
	if ((rc = c_rlimit(RLIMIT_STACK, &c->rl_stack)) < 0 ||
	    (rc = c_rlimit(RLIMIT_FSIZE, &c->rl_fsize)) < 0 ||
	    (rc = c_rlimit(RLIMIT_NOFILE, &c->rl_nofile)) < 0 ||
	    (rc = c_rlimit(RLIMIT_CPU, &c->rl_cpu)) < 0 ||
	    (rc = c_rlimit(RLIMIT_CORE, &c->rl_core)) < 0)
		prog_fail(f, rc, "setrlimit");
	if ((rc = nsx_sys2(SYS_setgroups, 0, NULL)) < 0)
		prog_fail(f, rc, "setgroups");
	/* A user namespace made ahead by the judge: uid/gid 1000 mapped to
	 * the sandbox uid/gid, user.max_user_namespaces = 0 (no nested
	 * namespaces, even where a profile lets clone3 through seccomp). */
	if ((rc = nsx_sys2(SYS_setns, c->user_fd, CLONE_NEWUSER)) < 0)
		prog_fail(f, rc, "setns(CLONE_NEWUSER)");
	nsx_sys3(SYS_close_range, 3u, ~0u, 0);

	if ((rc = nsx_sys0(SYS_setsid)) < 0)
		prog_fail(f, rc, "setsid");
	if ((rc = c_prctl(PR_SET_PDEATHSIG, SIGKILL, 0)) < 0 ||
	    (rc = c_prctl(PR_SET_NO_NEW_PRIVS, 1, 0)) < 0)
		prog_fail(f, rc, "prctl");
	for (int cap = 0; cap <= c->cap_last; cap++)
		if ((rc = c_prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0)) <
		            0 &&
		    rc != -EINVAL)
			prog_fail(f, rc, "drop bounding set");
	c_prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0);
	if ((rc = nsx_sys3(SYS_setresgid, c->inner_gid, c->inner_gid,
	                   c->inner_gid)) < 0 ||
	    (rc = nsx_sys3(SYS_setresuid, c->inner_uid, c->inner_uid,
	                   c->inner_uid)) < 0)
		prog_fail(f, rc, "setresuid");
	/* Our old uid was unmapped, so setresuid kept the namespace's
	 * capabilities: clear them explicitly. */
	memset(data, 0, sizeof(data));
	if ((rc = nsx_sys2(SYS_capset, &hdr, data)) < 0)
		prog_fail(f, rc, "capset");
	if ((rc = c_chdir("/box")) < 0)
		prog_fail(f, rc, "chdir /box");
	/* Last: from here on only the allow-listed system calls work (the
	 * failure path below needs only exit_group). */
	if (c->filter) {
		struct sock_fprog sp = {c->filter->len, c->filter->insns};

		if ((rc = nsx_sys3(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0,
		                   &sp)) < 0)
			prog_fail(f, rc, "seccomp");
	}
	/* ETXTBSY: something still holds the program open for writing, for
	 * a moment only (a process forked by another thread of the host
	 * while the file was being copied, until its exec or exit).  Wait
	 * for it, up to about 200 ms, rather than fail the run. */
	for (int i = 0;; i++) {
		struct timespec ms = {0, 2000000};

		rc = nsx_sys3(SYS_execve, c->argv[0], c->argv, c->envp);
		if (rc != -ETXTBSY || i == 100)
			break;
		nsx_sys4(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ms, NULL);
	}
	prog_fail(f, rc, "execve");
}

/* "Running", with our CPU time and our mount namespace: the judge holds
 * it so that our exit does not wait for its teardown (ns_reap in reap.c).
 * We open it ourselves: the judge may not open /proc/<us>/ns (a process
 * sharing our memory changed its uid, so the memory is not dumpable, and
 * the judge may lack CAP_SYS_PTRACE). */
static NSX_CHILD void c_send_running(const struct nsx_child *c, uint64_t cpu)
{
	union nsx_fdbuf cb;
	struct nsx_msg m;
	struct iovec iov = {&m, sizeof(m)};
	struct msghdr mh;
	long fd = c_open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC, 0);
	int ifd = (int)fd;

	memset(&m, 0, sizeof(m));
	m.type = NSX_MSG_RUNNING;
	m.cpu_ns = cpu;
	nsx_msg_fd(&mh, &iov, &cb, ifd);
	nsx_sys3(SYS_sendmsg, c->sock, &mh, MSG_NOSIGNAL);
	if (fd >= 0)
		c_close(ifd);
}

/* Start the program like posix_spawn: CLONE_VM | CLONE_VFORK on the stack
 * the judge gave us (c->prog_stack), so no copy of the address space is
 * made and init resumes once the program has exec'ed (or failed: then *f
 * says why).  Returns its pid, or -errno. */
static NSX_CHILD long init_spawn(const struct nsx_child *c,
                                 volatile struct prog_fail *f)
{
	struct prog_arg a = {c, f};
	long pid;

#if NSX_RAW_SYSCALLS
	struct nsx_clone_args ca;

	memset(&ca, 0, sizeof(ca));
	ca.flags = CLONE_VM | CLONE_VFORK;
	ca.exit_signal = SIGCHLD;
	ca.stack = (uint64_t)(uintptr_t)c->prog_stack;
	ca.stack_size = c->prog_stack_size;
	pid = nsx_clone3_fn(&ca, sizeof(ca), prog_main, &a);
	if (pid != -ENOSYS)
		return pid;
		/* No clone3 (then init was forked, and errno is its own). */
#endif
	pid = clone(prog_main, (char *)c->prog_stack + c->prog_stack_size,
	            CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
	return pid < 0 ? -errno : pid;
}

NSX_CHILD void nsx_child_main(const struct nsx_child *c)
{
	int keep[8] = {c->sock,   c->in_fd,  c->out_fd,  c->err_fd,
	               c->net_fd, c->box_fd, c->tmpl_fd, c->user_fd};
	volatile struct prog_fail f;
	int st;
	long pid, r, rc;
	uint64_t cpu_in = 0;

	c_reset_signals();
	c_prctl(PR_SET_PDEATHSIG, SIGKILL, 0);
	c_close_except(keep, 8);
	/* Into the run's cgroups (v1: writing 0 moves the writer; on v2 we
	 * were born there), cpuacct last.  From then on the cgroup counts
	 * our time too: the judge subtracts it, from the reading taken
	 * right after the move (the clock of the running thread is exact,
	 * /proc's schedstat may lag by a tick). */
	for (int i = 0; i < 3; i++)
		if (c->cg_procs[i] &&
		    (rc = c_write_file(c->cg_procs[i], "0")) < 0)
			c_fail(c, rc, "move into cgroup", c->cg_procs[i]);
	if (c->cg_procs[0]) {
		struct timespec ts;

		if ((rc = nsx_sys2(SYS_clock_gettime, CLOCK_THREAD_CPUTIME_ID,
		                   &ts)) < 0)
			c_fail(c, rc, "clock_gettime", NULL);
		cpu_in = (uint64_t)ts.tv_sec * 1000000000ULL +
		         (uint64_t)ts.tv_nsec;
	}
	if (c->net_fd >= 0) {
		if ((rc = nsx_sys2(SYS_setns, c->net_fd, CLONE_NEWNET)) < 0)
			c_fail(c, rc, "setns", "network namespace");
		c_close(c->net_fd);
	}
	if (c->tmpl_fd >= 0)
		c_enter_root(c);
	else
		c_build_root(c);
	/* The memory cgroup's OOM killer should pick the program, not us
	 * (the program sets its own back to 0).  A vfork-like init is
	 * never picked (see ns_spawn_thread in run.c), and the write would
	 * need CAP_SYS_RESOURCE: done only for a forked init (best
	 * effort). */
	if (!c->vm_shared)
		c_write_file("/proc/self/oom_score_adj", "-1000");

	memset((void *)&f, 0, sizeof(f));
	pid = init_spawn(c, &f);
	if (pid < 0)
		c_fail(c, pid, "spawn", NULL);
	c_close(c->in_fd);
	c_close(c->out_fd);
	c_close(c->err_fd);
	c_close(c->user_fd);
	if (f.what[0]) {
		struct prog_fail g;

		memcpy(&g, (const void *)&f, sizeof(g));
		g.what[sizeof(g.what) - 1] = '\0';
		c_send(c,
		       strcmp(g.what, "execve") == 0 ? NSX_MSG_EXEC
		                                     : NSX_MSG_SETUP,
		       g.err, 0, g.what, NULL);
	} else {
		c_send_running(c, cpu_in);
	}
	for (;;) {
		r = nsx_sys4(SYS_wait4, -1, &st, __WALL, NULL);
		if (r == pid) {
			c_send(c, NSX_MSG_STATUS, 0, st, NULL, NULL);
			/* Exiting kills everything left in the namespace. */
			c_exit(0);
		}
		if (r < 0 && r != -EINTR)
			c_exit(1);
	}
}

NSX_CHILD int nsx_child_fn(void *c)
{
	nsx_child_main(c);
}
