/* sandbox/ns: resource pools kept across runs: stacks of init (when it shares
 * the judge's memory), run cgroups made ahead and finished ones to remove,
 * empty network namespaces, user namespaces per id slot, and the host
 * id slots of the programs. */
#ifndef AC_SANDBOX_NS_POOL_H
#define AC_SANDBOX_NS_POOL_H

#include "state.h"

void *ns_stack_get(struct ns_state *st);

void ns_stack_put(struct ns_state *st, void *m);

/* The run's cgroups: a spare set when there is one (*sp: its placed
 * spare spawner, or NULL), else new ones.  On error err holds a
 * message. */
int ns_cg_take(struct ns_state *st, const struct ac_limits *l,
               struct cg_run *cg, struct ns_sparer **sp, char *err,
               size_t errlen);

/* Wait for the thread making a spare set, if any (fini). */
void ns_cg_maker_stop(struct ns_state *st);

/* A finished run's cgroups, empty: removed later, or now when too many
 * wait. */
void ns_cg_bury(struct ns_state *st, struct cg_run *cg);

/* After a run has ended (its processes gone, its cgroups buried): a
 * thread removes the finished runs' cgroups and makes one spare set
 * (with this run's limits: the next run is likely to have the same), its
 * spare spawner placed on v1 (spare.h).  Between runs, never during one:
 * on cgroup v1 the first task move or cgroup removal after an idle moment
 * waits for an RCU grace period (5-20 ms here) holding the cgroup lock,
 * and a run beside it waited as long (its start and its end).  A judge's
 * next test, back to back, may start before the spare is ready; it then
 * makes its cgroups itself, which costs little when warm. */
void ns_cg_tidy(struct ns_state *st, const struct ac_limits *l);

/* The host ids of the programs (sandbox.uid, gid, uid_count): a range
 * that no host account or group may use (a host process of one of these
 * ids could signal or trace the programs, and share their per-user
 * quotas), checked here so that a clash stops start-up, naming the id. */
int ns_ids_init(struct ns_state *st);

/* The file whose bytes stand for the ids: a run holds an OFD lock on the
 * byte at offset uid+slot, so that judges in other processes (another
 * `algocode judge`, a second judge service) skip the ids in use here. */
int ns_ids_lock_open(struct ns_state *st);

int ns_net_get(struct ns_state *st);

void ns_net_put(struct ns_state *st, int fd, bool reuse);

/* The user namespace of a run holding id slot `slot`: the one kept for
 * that slot, or a new one (ns_user_new: a fork of this process and a
 * round trip with the child, on the run's path). */
int ns_user_get(struct ns_state *st, unsigned slot);

/* A run gives its namespace back (kept for its slot when `reuse`), then
 * a thread gives the next NS_USER_AHEAD free slots theirs, between runs:
 * without it each of the first uid_count runs of a judge paid
 * ns_user_new, and more after an idle moment: on the development
 * machine under others' load (load average ~28 on 2 CPUs), median 23 ms
 * a warm run, 48 ms a cold one (after 300 ms idle). */
void ns_user_put(struct ns_state *st, unsigned slot, int fd, bool reuse);

/* fini: wait for that thread. */
void ns_user_maker_stop(struct ns_state *st);

/* Take a free id slot for a run: the next one after the last taken (so
 * consecutive runs get different ids) that neither a run of ours nor one
 * of another process holds.  Waits up to NS_ID_WAIT_S when none is free
 * (the other processes' runs are polled every 50 ms).  0 and *slot, or
 * -EAGAIN. */
int ns_id_take(struct ns_state *st, unsigned *slot);

void ns_id_give(struct ns_state *st, unsigned slot);

#endif
