/* The judge role: consumes jobs, judges them on the pool, publishes results
 * and acknowledges a job only after its result is confirmed published. */
#ifndef AC_JUDGE_ROLE_H
#define AC_JUDGE_ROLE_H
#include <stddef.h>
struct ac_core;
struct ac_config;
struct ac_run_job;
/* The limits of a run with custom input from the run.* settings
 * (docs/configuration.md), each clamped to its range. */
void ac_run_limits(const struct ac_config *cfg, struct ac_run_job *rj);
int ac_judge_role_start(struct ac_core *core, char *err, size_t errlen);
/* Stop taking jobs, let running judgements finish and run the loop (at
 * most 10 s) until their results are confirmed.  Not from inside the loop. */
void ac_judge_role_quiesce(struct ac_core *core);
/* Quiesce (if not done) and free the role. */
void ac_judge_role_stop(struct ac_core *core);
#endif
