/* sandbox/ns: the plan that the cloned child executes (child.c), and
 * what the judge side hands it.
 *
 * Split of work: everything that allocates, formats or may take a lock is
 * done on the judge side before clone3(); the child only executes a
 * precomputed plan with raw system calls (the judge is multi-threaded, so
 * the child must stay async-signal-safe until execve).  A later privilege
 * separated helper can run the same plan unchanged.  This header depends
 * on no judge-side module.
 */
#ifndef AC_SANDBOX_NS_CHILD_H
#define AC_SANDBOX_NS_CHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>

struct sc_filter; /* sc.h */

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
	NSX_MASK,    /* an empty read-only tmpfs (mode 000) on directory dst,
	                where it exists: a host path no program may see */
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
	/* A prepared root (see ns_tmpl_build in tmpl.c): a mount namespace
	 * whose "/" is the read-only root.  init enters it with setns and makes
	 * its own copy with unshare(CLONE_NEWNS); -1: build the root (below).
	 */
	int tmpl_fd;
	dev_t tmpl_dev; /* st_dev of the template's root */
	/* Without a template: mount point of the new root (host path) and
	 * the plans to run on it. */
	const char *root;
	const struct nsx_plan *plan;
	const struct nsx_plan *run_plan; /* this run's extra (may be NULL) */
	const struct nsx_plan *masks;    /* after both (may be NULL) */
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
};

/* The child side: never returns (exits).  nsx_child_fn is the same for
 * nsx_clone3_fn (sys.h). */
void nsx_child_main(const struct nsx_child *c) __attribute__((noreturn));
int nsx_child_fn(void *c);
#endif
