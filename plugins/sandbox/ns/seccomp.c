/* seccomp policy of sandbox/ns: an allow-list compiled once with libseccomp
 * into classic BPF (seccomp_export_bpf) on the judge side; the cloned child
 * only hands the ready program to seccomp(2) right before execve (no
 * libseccomp call after fork: it allocates).
 *
 * Actions (see docs/sandbox.md, "seccomp"):
 *   - listed system calls: allowed;
 *   - clone: allowed unless a namespace flag is set (CLONE_NEW*);
 *   - socket/socketpair: AF_UNIX only, other families fail with
 *     EAFNOSUPPORT (the JVM probes AF_INET/AF_INET6 at start-up);
 *   - personality: PER_LINUX and the query 0xffffffff only (anything
 *     else, e.g. ADDR_NO_RANDOMIZE, kills);
 *   - clone3 and io_uring_*: ENOSYS, so glibc and runtimes fall back (to
 *     clone, whose flags can be inspected; to plain read/write);
 *   - everything else, including ptrace, mount, bpf, keyctl, unshare,
 *     setns, perf_event_open...: the process is killed (SIGSYS, reported
 *     as "Bad System Call").
 * The filter is for the native architecture (x86_64); other ABIs (i386
 * int 0x80, x32) kill.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <pthread.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ns.h"

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

#define SC_CACHE_MAX 64

/* Namespace flags refused in clone(2).  CLONE_NEWTIME (0x80) is not in
 * the list: in clone(2) that bit belongs to the exit signal. */
#define SC_NS_FLAGS                                                            \
	((uint64_t)(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |                \
	            CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |              \
	            CLONE_NEWCGROUP))

/* The default allow-list: what compilers, linkers, C/C++ programs (with
 * threads), Python 3 and the JVM use. */
static const char *const sc_allow[] = {
        /* files and descriptors */
        "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv",
        "pwritev", "preadv2", "pwritev2", "open", "openat", "openat2", "creat",
        "close", "close_range", "lseek", "dup", "dup2", "dup3", "fcntl",
        "flock", "ioctl", "pipe", "pipe2", "stat", "fstat", "lstat",
        "newfstatat", "statx", "statfs", "fstatfs", "access", "faccessat",
        "faccessat2", "readlink", "readlinkat", "getdents", "getdents64",
        "getcwd", "chdir", "fchdir", "mkdir", "mkdirat", "rmdir", "rename",
        "renameat", "renameat2", "link", "linkat", "unlink", "unlinkat",
        "symlink", "symlinkat", "chmod", "fchmod", "fchmodat", "chown",
        "fchown", "lchown", "fchownat", "umask", "truncate", "ftruncate",
        "fallocate", "fsync", "fdatasync", "sync_file_range", "fadvise64",
        "readahead", "sendfile", "copy_file_range", "splice", "tee", "vmsplice",
        "utime", "utimes", "utimensat", "futimesat", "mknod", "mknodat",
        "getxattr", "lgetxattr", "fgetxattr", "listxattr", "llistxattr",
        "flistxattr", "setxattr", "lsetxattr", "fsetxattr", "removexattr",
        "lremovexattr", "fremovexattr", "inotify_init", "inotify_init1",
        "inotify_add_watch", "inotify_rm_watch", "memfd_create",
        /* polling and events */
        "poll", "ppoll", "select", "pselect6", "epoll_create", "epoll_create1",
        "epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd",
        "eventfd2", "signalfd", "signalfd4", "timerfd_create",
        "timerfd_settime", "timerfd_gettime",
        /* memory */
        "brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "msync",
        "mincore", "mlock", "mlock2", "munlock", "mlockall", "munlockall",
        "membarrier", "get_mempolicy", "set_mempolicy", "mbind", "pkey_alloc",
        "pkey_free", "pkey_mprotect",
        /* processes and threads */
        "fork", "vfork", "execve", "execveat", "exit", "exit_group", "wait4",
        "waitid", "kill", "tkill", "tgkill", "getpid", "getppid", "gettid",
        "getpgid", "setpgid", "getpgrp", "getsid", "setsid", "set_tid_address",
        "set_robust_list", "get_robust_list", "futex", "futex_waitv", "rseq",
        "arch_prctl", "prctl", "seccomp", "capget", "capset", "pidfd_open",
        "pidfd_send_signal", "sched_yield", "sched_getaffinity",
        "sched_setaffinity", "sched_getparam", "sched_setparam",
        "sched_getscheduler", "sched_setscheduler", "sched_getattr",
        "sched_setattr", "sched_get_priority_max", "sched_get_priority_min",
        "sched_rr_get_interval", "getpriority", "setpriority", "getcpu",
        "getrlimit", "setrlimit", "prlimit64", "getrusage", "times",
        /* credentials (only the one mapped id exists, no capabilities) */
        "getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid",
        "getgroups", "setuid", "setgid", "setreuid", "setregid", "setresuid",
        "setresgid", "setfsuid", "setfsgid", "setgroups",
        /* signals */
        "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending",
        "rt_sigtimedwait", "rt_sigsuspend", "rt_sigqueueinfo",
        "rt_tgsigqueueinfo", "sigaltstack", "pause", "restart_syscall",
        /* time */
        "nanosleep", "clock_nanosleep", "clock_gettime", "clock_getres",
        "gettimeofday", "time", "alarm", "getitimer", "setitimer",
        "timer_create", "timer_settime", "timer_gettime", "timer_getoverrun",
        "timer_delete",
        /* system information */
        "uname", "sysinfo", "getrandom",
        /* local sockets (socket/socketpair are filtered below) */
        "connect", "accept", "accept4", "bind", "listen", "shutdown", "sendto",
        "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "getsockname",
        "getpeername", "setsockopt", "getsockopt",
        /* System V IPC and message queues: the ipc namespace is private */
        "shmget", "shmat", "shmdt", "shmctl", "semget", "semop", "semtimedop",
        "semctl", "msgget", "msgsnd", "msgrcv", "msgctl", "mq_open",
        "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify",
        "mq_getsetattr", NULL};

/* Never allowed, even when a profile asks: they reach kernel state beyond
 * the sandbox or are large attack surface. */
static const char *const sc_never[] = {"ptrace",
                                       "mount",
                                       "umount2",
                                       "pivot_root",
                                       "chroot",
                                       "bpf",
                                       "perf_event_open",
                                       "keyctl",
                                       "add_key",
                                       "request_key",
                                       "kexec_load",
                                       "kexec_file_load",
                                       "init_module",
                                       "finit_module",
                                       "delete_module",
                                       "reboot",
                                       "swapon",
                                       "swapoff",
                                       "setns",
                                       "unshare",
                                       "userfaultfd",
                                       "io_uring_setup",
                                       "io_uring_enter",
                                       "io_uring_register",
                                       "open_by_handle_at",
                                       "name_to_handle_at",
                                       "process_vm_readv",
                                       "process_vm_writev",
                                       "kcmp",
                                       "acct",
                                       "settimeofday",
                                       "clock_settime",
                                       "adjtimex",
                                       "clock_adjtime",
                                       "quotactl",
                                       "quotactl_fd",
                                       "lookup_dcookie",
                                       "syslog",
                                       "iopl",
                                       "ioperm",
                                       "fsopen",
                                       "fsconfig",
                                       "fsmount",
                                       "fspick",
                                       "open_tree",
                                       "move_mount",
                                       "mount_setattr",
                                       "sethostname",
                                       "setdomainname",
                                       "vhangup",
                                       "fanotify_init",
                                       "uselib",
                                       "personality",
                                       "socket",
                                       "socketpair",
                                       "clone",
                                       NULL};

struct sc_entry {
	char *key; /* the profile's names joined by '\n' */
	struct sc_filter f;
};

struct sc_cache {
	pthread_mutex_t mu;
	struct sc_filter def;
	struct sc_entry v[SC_CACHE_MAX];
	size_t n;
};

static bool sc_in(const char *const *list, const char *name)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(list[i], name) == 0)
			return true;
	return false;
}

static int sc_add(scmp_filter_ctx ctx, uint32_t action, const char *name,
                  unsigned int argc, const struct scmp_arg_cmp *args)
{
	int nr = seccomp_syscall_resolve_name(name), rc;

	if (nr == __NR_SCMP_ERROR)
		return -ENOENT;
	if (nr < 0)
		return 0; /* not a system call of this architecture */
	rc = seccomp_rule_add_array(ctx, action, nr, argc, args);
	return rc < 0 ? rc : 1;
}

/* Export ctx's BPF program into f (malloc'ed instructions). */
static int sc_export(scmp_filter_ctx ctx, struct sc_filter *f)
{
	struct stat sb;
	int fd = memfd_create("algocode-seccomp", MFD_CLOEXEC), rc;
	size_t size;

	if (fd < 0)
		return -errno;
	rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0)
		goto out;
	if (fstat(fd, &sb) < 0) {
		rc = -errno;
		goto out;
	}
	size = (size_t)sb.st_size;
	if (size == 0 || size % sizeof(struct sock_filter) ||
	    size / sizeof(struct sock_filter) > BPF_MAXINSNS) {
		rc = -E2BIG;
		goto out;
	}
	f->insns = malloc(size);
	if (!f->insns) {
		rc = -ENOMEM;
		goto out;
	}
	if (pread(fd, f->insns, size, 0) != (ssize_t)size) {
		free(f->insns);
		f->insns = NULL;
		rc = -EIO;
		goto out;
	}
	f->len = (unsigned short)(size / sizeof(struct sock_filter));
	rc = 0;
out:
	close(fd);
	return rc;
}

/* Build the policy with the extra names (NULL-terminated, may be NULL). */
static int sc_build(const char *const *extra, struct sc_filter *f, char *err,
                    size_t errlen)
{
	const struct scmp_arg_cmp clone_ok =
	        SCMP_A0(SCMP_CMP_MASKED_EQ, SC_NS_FLAGS, 0);
	const struct scmp_arg_cmp unix_ok = SCMP_A0(SCMP_CMP_EQ, AF_UNIX);
	const struct scmp_arg_cmp unix_no = SCMP_A0(SCMP_CMP_NE, AF_UNIX);
	const struct scmp_arg_cmp pers_linux =
	        SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, PER_LINUX);
	const struct scmp_arg_cmp pers_query =
	        SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, 0xffffffffu);
	static const char *const enosys[] = {"clone3", "io_uring_setup",
	                                     "io_uring_enter",
	                                     "io_uring_register", NULL};
	scmp_filter_ctx ctx;
	const char *what = "seccomp_init";
	unsigned int n = 0;
	int rc = 0;

	memset(f, 0, sizeof(*f));
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx) {
		snprintf(err, errlen, "seccomp_init failed");
		return -ENOMEM;
	}
	/* Evaluate as a binary tree: ~200 rules stay cheap per call. */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	for (size_t i = 0; extra && extra[i]; i++) {
		if (sc_in(sc_never, extra[i]) && strcmp(extra[i], "clone3")) {
			snprintf(err, errlen,
			         "seccomp: profile asks for \"%s\", which the "
			         "sandbox never allows",
			         extra[i]);
			rc = -EPERM;
			goto out;
		}
		if (sc_in(sc_allow, extra[i]))
			continue;
		what = extra[i];
		if ((rc = sc_add(ctx, SCMP_ACT_ALLOW, extra[i], 0, NULL)) < 0)
			goto fail;
		n += (unsigned int)rc;
	}
	for (size_t i = 0; sc_allow[i]; i++) {
		what = sc_allow[i];
		if ((rc = sc_add(ctx, SCMP_ACT_ALLOW, sc_allow[i], 0, NULL)) <
		    0)
			goto fail;
		n += (unsigned int)rc;
	}
	for (size_t i = 0; enosys[i]; i++) {
		bool asked = false;

		for (size_t j = 0; extra && extra[j]; j++)
			asked |= strcmp(extra[j], enosys[i]) == 0;
		what = enosys[i];
		if (!asked && (rc = sc_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
		                           enosys[i], 0, NULL)) < 0)
			goto fail;
	}
	what = "clone";
	if ((rc = sc_add(ctx, SCMP_ACT_ALLOW, "clone", 1, &clone_ok)) < 0)
		goto fail;
	what = "socket";
	if ((rc = sc_add(ctx, SCMP_ACT_ALLOW, "socket", 1, &unix_ok)) < 0 ||
	    (rc = sc_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), "socket", 1,
	                 &unix_no)) < 0)
		goto fail;
	what = "socketpair";
	if ((rc = sc_add(ctx, SCMP_ACT_ALLOW, "socketpair", 1, &unix_ok)) < 0 ||
	    (rc = sc_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), "socketpair", 1,
	                 &unix_no)) < 0)
		goto fail;
	what = "personality";
	if ((rc = sc_add(ctx, SCMP_ACT_ALLOW, "personality", 1, &pers_linux)) <
	            0 ||
	    (rc = sc_add(ctx, SCMP_ACT_ALLOW, "personality", 1, &pers_query)) <
	            0)
		goto fail;
	n += 4;
	what = "export";
	if ((rc = sc_export(ctx, f)) < 0)
		goto fail;
	f->allowed = n;
	rc = 0;
	goto out;
fail:
	snprintf(err, errlen, "seccomp: %s: %s", what,
	         rc == -ENOENT ? "unknown system call" : strerror(-rc));
out:
	seccomp_release(ctx);
	return rc;
}

static void sc_filter_free(struct sc_filter *f)
{
	free(f->insns);
	memset(f, 0, sizeof(*f));
}

/* Profile key: names joined by '\n' (malloc'ed). */
static char *sc_key(const char *const *extra)
{
	size_t len = 1;
	char *k;

	for (size_t i = 0; extra && extra[i]; i++)
		len += strlen(extra[i]) + 1;
	k = malloc(len);
	if (!k)
		return NULL;
	k[0] = '\0';
	for (size_t i = 0; extra && extra[i]; i++) {
		strcat(k, extra[i]);
		strcat(k, "\n");
	}
	return k;
}

int sc_cache_new(struct sc_cache **out, char *err, size_t errlen)
{
	struct sc_cache *c = calloc(1, sizeof(*c));
	int rc;

	*out = NULL;
	if (!c)
		return -ENOMEM;
	pthread_mutex_init(&c->mu, NULL);
	if ((rc = sc_build(NULL, &c->def, err, errlen)) < 0) {
		sc_cache_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void sc_cache_free(struct sc_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].key);
		sc_filter_free(&c->v[i].f);
	}
	sc_filter_free(&c->def);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

const struct sc_filter *sc_cache_default(const struct sc_cache *c)
{
	return &c->def;
}

int sc_cache_get(struct sc_cache *c, const char *const *extra,
                 const struct sc_filter **out, char *err, size_t errlen)
{
	char *key;
	int rc = 0;

	*out = NULL;
	if (!extra || !extra[0]) {
		*out = &c->def;
		return 0;
	}
	if (!(key = sc_key(extra)))
		return -ENOMEM;
	pthread_mutex_lock(&c->mu);
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].key, key) == 0) {
			*out = &c->v[i].f;
			goto out;
		}
	if (c->n == SC_CACHE_MAX) {
		snprintf(err, errlen,
		         "seccomp: more than %d distinct run profiles",
		         SC_CACHE_MAX);
		rc = -ENOSPC;
		goto out;
	}
	if ((rc = sc_build(extra, &c->v[c->n].f, err, errlen)) < 0)
		goto out;
	c->v[c->n].key = key;
	key = NULL;
	*out = &c->v[c->n++].f;
out:
	pthread_mutex_unlock(&c->mu);
	free(key);
	return rc;
}
