/* sandbox/ns: cgroup v1/v2 management of the runs (cgroup.c). */
#ifndef AC_SANDBOX_NS_CGROUP_H
#define AC_SANDBOX_NS_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <algocode/plugin.h>

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
