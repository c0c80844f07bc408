/* sandbox/ns: one run, as named steps over struct ns_run: the judge thread's
 * side (open, spawn init, supervise, measure, release). */
#ifndef AC_SANDBOX_NS_RUN_H
#define AC_SANDBOX_NS_RUN_H

#include "state.h"

/* One run: the steps above, in order; the first that fails has said why
 * in the report (an Internal Error), and the run stops there. */
int ns_run(void *state, const struct ac_run_spec *spec,
           struct ac_run_report *rep);

#endif
