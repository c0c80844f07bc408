/* sandbox/ns: environment probes: check_env and enforcing. */
#ifndef AC_SANDBOX_NS_ENV_H
#define AC_SANDBOX_NS_ENV_H

#include "state.h"

int ns_check_env(void *state, ac_line_cb cb, void *arg);

int ns_enforcing(void *state);

#endif
