/* sandbox/ns: small helpers shared by the judge-side modules: clone, error
 * reports, descriptor passing, settings. */
#ifndef AC_SANDBOX_NS_UTIL_H
#define AC_SANDBOX_NS_UTIL_H

#include "state.h"

/* clone3(), or clone(2) where clone3 is missing (old kernels, valgrind).
 * Both are fork-like here: no new stack, the child continues on a copy.
 * CLONE_CLEAR_SIGHAND (5.5) is dropped where unknown: the child resets
 * what is left itself. */
pid_t ns_clone(struct nsx_clone_args *ca);

void ns_error(struct ac_run_report *r, const char *fmt, ...) AC_PRINTF(2, 3);

/* One message of at most len bytes, with the descriptor it may carry
 * (SCM_RIGHTS) in *fd (else -1).  Returns recvmsg's value. */
ssize_t ns_recvfd(int sock, void *buf, size_t len, int flags, int *fd);

/* The value of sandbox.KEY, else def (the core checked its range against
 * the plugin's settings table). */
int ns_conf_int(struct ns_state *st, const char *key, long long def,
                long long *out);

#endif
