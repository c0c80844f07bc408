/* The judge role: consumes jobs, judges them on the pool, publishes results
 * and acknowledges a job only after its result is confirmed published. */
#ifndef AC_JUDGE_ROLE_H
#define AC_JUDGE_ROLE_H
#include <stddef.h>
struct ac_core;
int ac_judge_role_start(struct ac_core *core, char *err, size_t errlen);
void ac_judge_role_stop(struct ac_core *core);
#endif
