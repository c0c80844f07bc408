/* sandbox/ns: the reaper: a thread that drops finished runs' mount namespaces
 * off the run's critical path. */
#ifndef AC_SANDBOX_NS_REAP_H
#define AC_SANDBOX_NS_REAP_H

#include "state.h"

void ns_reaper_start(struct ns_state *st);

void ns_reap(struct ns_state *st, int fd);

#endif
