/* sandbox/ns: the plugin instance's state (struct ns_state), shared by
 * the judge-side modules: ns.c (plugin), run.c (one run), pool.c
 * (resource pools), spare.c (spare spawners), reap.c (reaper), plan.c (mount
 * plans), tmpl.c (root and templates), ropath.c (read-only path rules), env.c
 * (probes) and util.c.  The child side (child.c) sees child.h only.
 */
#ifndef AC_SANDBOX_NS_STATE_H
#define AC_SANDBOX_NS_STATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <algocode/plugin.h>

#include "../common/sbx_stdin.h"
#include "cgroup.h"
#include "child.h"
#include "sc.h"
#include "spare.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#define NS_CLONE_INTO_CGROUP   0x200000000ULL
#define NS_CLONE_CLEAR_SIGHAND 0x100000000ULL

#define NS_SETUP_TIMEOUT_MS 10000
#define NS_DRAIN_TIMEOUT_MS 2000
#define NS_TICK_MS          5
#define NS_NET_POOL         16
#define NS_TMPL_MAX         8 /* prepared roots kept (profiles' ro_paths) */
#define NS_TMPL_MAX_AGE_US  (60 * 1000000ULL) /* then rebuilt */
#define NS_ROOT_OPTS        "size=1024k,nr_inodes=4096,mode=0755"
#define NS_CG_SPARE         2     /* run cgroups made ahead */
#define NS_CG_DEAD          8     /* finished runs' cgroups awaiting removal */
#define NS_UID_FIRST        60000 /* sandbox.uid: the programs' first host id */
#define NS_UID_COUNT        256   /* sandbox.uid_count: runs alive at once */
#define NS_ID_WAIT_S        30    /* a run waits this long for a free id */
#define NS_USER_AHEAD       2     /* next free slots given a user namespace */

/* A prepared root (see ns_tmpl_build). */
struct ns_tmpl {
	char *key; /* the profile's ro_paths joined by '\n' ("": none) */
	int fd;    /* the template mount namespace */
	dev_t dev; /* st_dev of its root */
	uint64_t born_us;
};

struct ns_state {
	const struct ac_host *host;
	struct ac_plugin_ctx *ctx;
	char *root_dir;
	/* Host ids of the programs: run i of those alive at once is
	 * uid + slot, gid + slot (see ns_id_take), so concurrent runs share
	 * no per-user kernel quota. */
	uid_t uid;
	gid_t gid;
	unsigned id_count;
	unsigned id_next;  /* where the next search starts (round robin) */
	uint64_t *id_busy; /* a bit a slot, under net_mu */
	int *user_slot;    /* a user namespace kept per slot, or -1, under
	                    * net_mu */
	/* A thread giving the next slots their user namespaces ahead (see
	 * ns_user_get), to join before the next one or at fini. */
	pthread_t user_maker;
	bool user_maker_on;   /* started, not joined yet */
	bool user_making;     /* it runs (under net_mu) */
	bool user_quit;       /* fini: make no more (under net_mu) */
	int id_lock;          /* <root_dir>.ids: byte uid+slot locked by its
	                       * run, whatever the process (F_OFD_SETLK) */
	pthread_cond_t id_cv; /* a slot was given back */
	unsigned long long tmp_kb;
	struct nsx_plan plan;
	/* The judge's private directories (host->private_path) below what
	 * the root shows, hidden after every bind (plan_masks). */
	struct nsx_plan masks;
	struct cg_sys cg;
	struct sc_cache *sc; /* NULL: seccomp disabled (sandbox.seccomp) */
	/* Empty network namespaces ready for runs (see ns_net_get). */
	pthread_mutex_t net_mu;
	int net_free[NS_NET_POOL];
	int net_n;
	/* Prepared roots; tmpl_ok false: every run builds its root. */
	pthread_mutex_t tmpl_mu;
	struct ns_tmpl tmpl[NS_TMPL_MAX];
	int tmpl_n;
	bool tmpl_ok;
	uint32_t mask_files, mask_dirs; /* nsx_proc_masks() */
	int cap_last;
	atomic_uint seq;
	unsigned int token; /* of this instance, in its cgroups' names */
	uint64_t ncpu;      /* online CPUs: the fastest CPU time can accrue */
	/* init shares our memory (see ns_spawn_thread), on stacks from this
	 * pool (under net_mu). */
	bool share_vm;
	/* Run cgroups made ahead, and finished runs' cgroups to remove (see
	 * ns_cg_tidy), under cg_mu. */
	pthread_mutex_t cg_mu;
	/* The thread removing finished runs' cgroups and making a spare set
	 * (ns_cg_tidy), to join before the next one or at fini. */
	pthread_t cg_maker;
	bool cg_maker_on; /* cg_maker was started, not joined yet */
	bool cg_making;   /* it runs (under cg_mu) */
	/* it is making the spare set; cg_cv is signalled when done */
	bool cg_making_spare;
	pthread_cond_t cg_cv;
	struct ac_limits cg_maker_lim;
	struct cg_run cg_spare[NS_CG_SPARE];
	struct ns_sparer *cg_spare_sp[NS_CG_SPARE]; /* spare.h, or NULL */
	int cg_spare_n;
	struct cg_run cg_dead[NS_CG_DEAD];
	int cg_dead_n;
	/* The reaper (ns_reap): a thread that drops finished runs' mount
	 * namespaces; reap[1] < 0: none, runs drop their own. */
	int reap[2];
	pthread_t reaper;
	atomic_int reap_pending;
	void *stk_free[NS_NET_POOL];
	int stk_n;
	struct sbx_stdin_cache in_cache; /* stdin without its host path */
};

#define NS_LOG(st, lvl, ...) (st)->host->log((st)->ctx, lvl, __VA_ARGS__)

/* Stacks of init and of the program until its execve, when init shares
 * the judge's memory: one mapping each run, [guard | program | guard |
 * init], kept for later runs.  A stack goes back only once init has been
 * waited for. */
#define NS_GUARD      4096
#define NS_PROG_STACK (64 * 1024)
#define NS_INIT_STACK (128 * 1024)
#define NS_STACK_MAP  (2 * NS_GUARD + NS_PROG_STACK + NS_INIT_STACK)

#endif
