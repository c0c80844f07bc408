/* sandbox/ns internals shared by ns.c (plugin, judge side), cgroup.c
 * (cgroup v1/v2 management) and child.c (code that runs in the cloned
 * child: the sandbox's init and the program before exec).
 *
 * Split of work: everything that allocates, formats or may take a lock is
 * done on the judge side before clone3(); the child only executes a
 * precomputed plan with raw system calls (the judge is multi-threaded, so
 * the child must stay async-signal-safe until execve).  A later privilege
 * separated helper can run the same plan unchanged.
 */
#ifndef AC_SANDBOX_NS_H
#define AC_SANDBOX_NS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <linux/filter.h>

#include <algocode/plugin.h>

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif

/* uid/gid of the program inside the user namespace. */
#define NSX_INNER_ID 1000u

/* ------------------------------------------------------------ mount plan */

enum nsx_step_kind {
	NSX_MKDIR,   /* mkdir dst */
	NSX_BIND_RO, /* bind src on dst (dir or file), read-only, nosuid */
	NSX_MKNOD,   /* character device dst (0666), number rdev */
	NSX_SYMLINK, /* symlink src -> dst */
	NSX_FILE,    /* create dst (0644) holding the string src */
	NSX_TREE_RO, /* attach the detached mount `fd` on dst, read-only */
};

struct nsx_step {
	enum nsx_step_kind kind;
	bool is_dir; /* binds: the mount point is a directory */
	dev_t rdev;  /* NSX_MKNOD */
	int fd;      /* NSX_TREE_RO: from open_tree(OPEN_TREE_CLONE); else -1 */
	char *src;
	char *dst; /* absolute path below the new root (before pivot_root) */
};

/* The run-independent part of the root file system, built by init(). */
struct nsx_plan {
	struct nsx_step *v;
	size_t n, cap;
};

/* ------------------------------------------------------------ messages */

/* init -> judge (SOCK_SEQPACKET, one struct per message). */
enum nsx_msg_type {
	NSX_MSG_RUNNING = 'R', /* the program was exec'ed */
	NSX_MSG_STATUS = 'S',  /* status: wait status of the program */
	NSX_MSG_SETUP = 'E',   /* setup failed: err, what */
	NSX_MSG_EXEC = 'X',    /* execve failed: err */
	NSX_MSG_DONE = 'D',    /* from the spawner: init is gone, or the
	                          clone failed (err) */
};

/* A message carrying at most one descriptor (SCM_RIGHTS; fd < 0: none),
 * set up in memory only, with no call: init's raw-syscall code (child.c)
 * uses it as well as the judge's side. */
union nsx_fdbuf {
	char buf[CMSG_SPACE(sizeof(int))];
	struct cmsghdr align;
};

static inline __attribute__((always_inline)) void
nsx_msg_fd(struct msghdr *mh, struct iovec *iov, union nsx_fdbuf *cb, int fd)
{
	memset(mh, 0, sizeof(*mh));
	mh->msg_iov = iov;
	mh->msg_iovlen = 1;
	if (fd >= 0) {
		struct cmsghdr *cm;

		memset(cb, 0, sizeof(*cb));
		mh->msg_control = cb->buf;
		mh->msg_controllen = sizeof(cb->buf);
		cm = CMSG_FIRSTHDR(mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
}

struct nsx_msg {
	int type;
	int err;
	int status;
	uint64_t cpu_ns; /* RUNNING: init's CPU time once in the cgroups */
	char what[200];
};

/* ------------------------------------------------------ child parameters */

/* ------------------------------------------------------------ seccomp */

/* A compiled seccomp program (classic BPF). */
struct sc_filter {
	struct sock_filter *insns; /* owned by the cache */
	unsigned short len;
	unsigned int allowed; /* system calls allowed (some conditionally) */
};

struct sc_cache;

/* Build the default policy; *out is freed with sc_cache_free().  On error
 * err holds a message. */
int sc_cache_new(struct sc_cache **out, char *err, size_t errlen);
void sc_cache_free(struct sc_cache *c);
const struct sc_filter *sc_cache_default(const struct sc_cache *c);
/* The policy for a profile's extra system calls (NULL-terminated, may be
 * NULL), built on first use and cached (thread-safe).  *out stays valid
 * until sc_cache_free(). */
int sc_cache_get(struct sc_cache *c, const char *const *extra,
                 const struct sc_filter **out, char *err, size_t errlen);
/* Compile the policy for extra (as sc_cache_get) into f (f->insns is
 * malloc'ed): by the sandbox's own compiler, or by libseccomp (the
 * reference of tests/unit/check_seccomp). */
int sc_build_with(const char *const *extra, bool libseccomp,
                  struct sc_filter *f, char *err, size_t errlen);

/* ------------------------------------------------------------ child */

/* Execute a plan below the current directory (the child, and the judge's
 * template builder).  Returns 0, or -errno with *what / *path naming the
 * step that failed.  Raw system calls: errno is left alone. */
long nsx_run_plan(const struct nsx_plan *plan, const char **what,
                  const char **path);
/* Make dst and everything below it read-only, nosuid, nodev (0 or
 * -errno). */
long nsx_make_ro(const char *dst);

/* Layout of struct clone_args (linux/sched.h, CLONE_ARGS_SIZE_VER2). */
struct nsx_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack,
	        stack_size, tls, set_tid, set_tid_size, cgroup;
};

/* Files and directories of /proc hidden in every run (see c_mask_proc),
 * and which of them need a mask on this host (bit i: entry i), found once
 * by nsx_proc_masks(). */
#define NSX_PROC_FILES 16
#define NSX_PROC_DIRS  6
extern const char *const nsx_proc_files[NSX_PROC_FILES];
extern const char *const nsx_proc_dirs[NSX_PROC_DIRS];
void nsx_proc_masks(uint32_t *files, uint32_t *dirs);

/* A read-only path below /tmp: the root holds it at dst ("tmp/..."), and
 * each run attaches a copy of it inside its own /tmp (see c_run_mounts). */
#define NSX_TMP_RO_MAX 8
struct nsx_tmp_ro {
	const char *dst;
	bool is_dir;
};

/* Everything the cloned child needs, computed before clone3(); the child
 * only reads it.  Pointers reference memory of the judge process, which
 * init shares (CLONE_VM) or has a copy of; the judge keeps all of it
 * unchanged until init is gone. */
struct nsx_child {
	/* A prepared root (see ns_tmpl in ns.c): a mount namespace whose "/"
	 * is the read-only root.  init enters it with setns and makes its own
	 * copy with unshare(CLONE_NEWNS); -1: build the root (below). */
	int tmpl_fd;
	dev_t tmpl_dev; /* st_dev of the template's root */
	/* Without a template: mount point of the new root (host path) and
	 * the plans to run on it. */
	const char *root;
	const struct nsx_plan *plan;
	const struct nsx_plan *run_plan; /* this run's extra (may be NULL) */
	int box_fd;                      /* the box directory, bound at /box */
	const char *box_proc;            /* "/proc/self/fd/<box_fd>" */
	const char *box_name;            /* for messages */
	uint32_t mask_files, mask_dirs;  /* nsx_proc_masks() */
	int cap_last;                    /* highest capability number */
	const char *root_opts, *tmp_opts, *shm_opts; /* tmpfs options */
	struct nsx_tmp_ro tmp_ro[NSX_TMP_RO_MAX];    /* [tmp_ro_n] */
	size_t tmp_ro_n;
	char *const *argv;
	char *const *envp;
	const struct sc_filter *filter; /* loaded right before execve */
	int sock;                       /* seqpacket to the judge */
	int net_fd; /* an empty network namespace to enter; -1: own one */
	int in_fd, out_fd, err_fd;
	int user_fd; /* the program's user namespace (ns_user_get) */
	uid_t inner_uid;
	gid_t inner_gid;
	struct rlimit rl_stack, rl_fsize, rl_nofile, rl_cpu, rl_core;
	/* cgroup v1: the run's cgroup.procs files, where init moves itself
	 * (NULL: v2, init was born in its cgroup). */
	const char *cg_procs[3];
	/* The program's stack until execve (lowest address, size). */
	void *prog_stack;
	size_t prog_stack_size;
	/* init is vfork-like (CLONE_VM | CLONE_VFORK from a spawner thread,
	 * see ns_spawn_thread): it leaves its oom_score_adj alone. */
	bool vm_shared;
	/* The program raises its oom_score_adj to 0 (it would inherit a
	 * value below 0). */
	bool prog_oom_reset;
};

/* The child side: never returns (exits).  nsx_child_fn is the same for
 * nsx_clone3_fn (sys.h). */
void nsx_child_main(const struct nsx_child *c) __attribute__((noreturn));
int nsx_child_fn(void *c);

/* ------------------------------------------------------------ cgroups */

struct cg_sys {
	int version; /* 1 or 2; 0: no usable cgroups */
	/* v1: directories under which run cgroups are created (NULL when the
	 * controller is not mounted).  v2: v2_base. */
	char *mem_base, *pids_base, *cpu_base;
	char *v2_base;
	bool memsw;    /* v1 memory.memsw.*, v2 memory.swap.max: swap can be
	                  limited */
	bool no_swap;  /* the machine has no swap at all */
	char err[512]; /* why version is 0 */
};

struct cg_run {
	const struct cg_sys *sys;
	char *mem, *pids, *cpu, *v2; /* this run's directories */
	int cpu_fd;                  /* cpuacct.usage or cpu.stat */
	int v2_fd; /* O_PATH of v2 dir, for CLONE_INTO_CGROUP */
	/* Read at the end, opened with the cgroups: the peak (v1 read-write,
	 * for its reset), the OOM counter, the number of tasks. */
	int peak_fd, oom_fd, cnt_fd;
	bool peak_cur;   /* v2 without memory.peak: memory.current */
	uint64_t mem_kb; /* the limits set now */
	unsigned int procs;
	/* cg_run_kill_all() found every cgroup empty: the caller calls it
	 * only once the run's processes are gone, so nothing can enter them
	 * again and a later call need not read them. */
	bool empty;
};

/* Find the hierarchies; `root` (may be NULL) overrides the parent of the
 * run cgroups, relative to each hierarchy's root.  Removes the run
 * cgroups (run-<pid>-<token>-<n>) of dead judges, and of an earlier judge
 * with our pid and another token.  Always returns 0; on
 * failure sys->version is 0 and sys->err says why. */
int cg_sys_init(struct cg_sys *sys, const char *root, unsigned int token);
void cg_sys_fini(struct cg_sys *sys);
/* Create the run's cgroups and set the limits.  On error run is cleaned up
 * and err holds a message. */
int cg_run_create(const struct cg_sys *sys, const char *name,
                  const struct ac_limits *lim, struct cg_run *run, char *err,
                  size_t errlen);
/* Set the limits of lim where they differ from the cgroups' (a cgroup
 * made ahead for another run).  On error err holds a message. */
int cg_run_set_limits(struct cg_run *run, const struct ac_limits *lim,
                      char *err, size_t errlen);
/* Tasks in the run's cgroups (pids.current: zombies count until reaped),
 * or -1 when unknown. */
int cg_run_count(struct cg_run *run);
/* CPU time of the run in nanoseconds. */
int cg_run_cpu_ns(struct cg_run *run, uint64_t *ns);
/* Reset the peak memory (best effort). */
void cg_run_reset_peak(struct cg_run *run);
/* Peak memory in bytes and whether the OOM killer acted. */
int cg_run_mem(struct cg_run *run, uint64_t *peak, bool *oom);
/* SIGKILL every process of the run at once (cgroup.kill on v2, one pass
 * over cgroup.procs on v1): at a limit, without waiting for the
 * namespace's init to take them down. */
void cg_run_kill_now(struct cg_run *run);
/* SIGKILL every process still in the run's cgroups until they are empty
 * (bounded); returns the number of processes that had to be killed. */
int cg_run_kill_all(struct cg_run *run);
/* Kill what remains, remove the cgroups, free. */
void cg_run_destroy(struct cg_run *run);

#endif
