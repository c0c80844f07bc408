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
#include <sys/resource.h>
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
};

struct nsx_msg {
	int type;
	int err;
	int status;
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

/* ------------------------------------------------------------ child */

/* Execute a plan below the current directory (the child, and the judge's
 * template builder).  Returns 0, or -1 with errno set and *what / *path
 * naming the step that failed. */
int nsx_run_plan(const struct nsx_plan *plan, const char **what,
                 const char **path);
/* Make dst and everything below it read-only, nosuid, nodev. */
int nsx_make_ro(const char *dst);

/* Files and directories of /proc hidden in every run (see c_mask_proc),
 * and which of them need a mask on this host (bit i: entry i), found once
 * by nsx_proc_masks(). */
#define NSX_PROC_FILES 16
#define NSX_PROC_DIRS  6
extern const char *const nsx_proc_files[NSX_PROC_FILES];
extern const char *const nsx_proc_dirs[NSX_PROC_DIRS];
void nsx_proc_masks(uint32_t *files, uint32_t *dirs);

/* Everything the cloned child needs, computed before clone3(); the child
 * only reads it.  Pointers reference memory of the judge process, valid in
 * the child's copy of the address space. */
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
};

/* The child side: never returns (calls _exit). */
void nsx_child_main(const struct nsx_child *c) __attribute__((noreturn));

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
	char err[200]; /* why version is 0 */
};

struct cg_run {
	const struct cg_sys *sys;
	char *mem, *pids, *cpu, *v2; /* this run's directories */
	int cpu_fd;                  /* cpuacct.usage or cpu.stat */
	int v2_fd; /* O_PATH of v2 dir, for CLONE_INTO_CGROUP */
	/* cg_run_kill_all() found every cgroup empty: the caller calls it
	 * only once the run's processes are gone, so nothing can enter them
	 * again and a later call need not read them. */
	bool empty;
};

/* Find the hierarchies; `root` (may be NULL) overrides the parent of the
 * run cgroups, relative to each hierarchy's root.  Always returns 0; on
 * failure sys->version is 0 and sys->err says why. */
int cg_sys_init(struct cg_sys *sys, const char *root);
void cg_sys_fini(struct cg_sys *sys);
/* Create the run's cgroups and set the limits.  On error run is cleaned up
 * and err holds a message. */
int cg_run_create(const struct cg_sys *sys, const char *name,
                  const struct ac_limits *lim, struct cg_run *run, char *err,
                  size_t errlen);
/* Move pid into the run's cgroups (v1; v2 uses CLONE_INTO_CGROUP). */
int cg_run_attach(struct cg_run *run, pid_t pid);
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
