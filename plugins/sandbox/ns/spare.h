/* sandbox/ns: spare spawners.  On cgroup v1 a task enters a cgroup by a
 * write to its tasks or cgroup.procs file, and the first such write after
 * a pause waits for an RCU grace period (5-16 ms here, against tens of
 * microseconds back to back): init moving itself into the run's cgroups
 * made every run after an idle moment (the first test of nearly every
 * submission) several times dearer than the next.  So a set of spare
 * cgroups (pool.c) comes with a spare spawner: a judge thread that moves
 * itself (only itself: the tasks file) into those cgroups while the
 * judge has nothing else to do, then waits.  A run taking the set hands
 * it the clone of init, which is born in the run's cgroups (children
 * inherit the cgroups of the thread that cloned them), as on v2 with
 * CLONE_INTO_CGROUP: no task moves on the run's path.
 *
 * The thread stays in the cgroups until init is gone (it is blocked in
 * the vfork-like clone): the run's pids.max counts it (one more than
 * without), cgroup.procs lists the judge's pid (cgroup.c never signals
 * it) and its CPU time from its arrival on is subtracted like init's.
 * Its memory is the judge's, charged to the judge's cgroup. */
#ifndef AC_SANDBOX_NS_SPARE_H
#define AC_SANDBOX_NS_SPARE_H

#include <pthread.h>
#include <stdint.h>

#include "cgroup.h"

struct ns_sparer;

/* Start a spare spawner for the (v1) cgroups of cg: it places itself in
 * them in the background.  NULL when it cannot be made. */
struct ns_sparer *ns_sparer_new(const struct cg_run *cg);
/* Wait until the spawner is placed: 0, or -errno (then drop it). */
int ns_sparer_ready(struct ns_sparer *sp);
/* Hand it the clone: it runs fn(arg) and ends with it; *th is the thread
 * to join.  The thread was made with every signal blocked. */
void ns_sparer_go(struct ns_sparer *sp, void *(*fn)(void *), void *arg,
                  pthread_t *th);
/* Its CPU time since it entered the cgroups (ns). */
uint64_t ns_sparer_cpu_ns(struct ns_sparer *sp);
/* Free it: after the thread given by ns_sparer_go was joined, or, when
 * never given one, ask it to end (it leaves the cgroups by ending) and
 * join it.  NULL is ignored. */
void ns_sparer_free(struct ns_sparer *sp);

#endif
