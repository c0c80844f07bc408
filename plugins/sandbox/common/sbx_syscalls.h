/* Helpers shared by the sandbox plugins (header-only: each plugin is its
 * own shared object).  The seccomp policy's lists of system call names:
 * sandbox/ns compiles them (plugins/sandbox/ns/seccomp.c), sandbox/docker
 * writes them into a Docker seccomp profile; one list, so that the two
 * plugins cannot drift apart.  See docs/sandbox.md, "seccomp".
 */
#ifndef AC_SBX_SYSCALLS_H
#define AC_SBX_SYSCALLS_H

#include <stddef.h>

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

#endif
