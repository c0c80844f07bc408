/* sandbox/ns: the seccomp policy compiler (seccomp.c; named sc.h, not
 * seccomp.h, which is libseccomp's). */
#ifndef AC_SANDBOX_NS_SC_H
#define AC_SANDBOX_NS_SC_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/filter.h>

/* A compiled seccomp program (classic BPF). */
struct sc_filter {
	struct sock_filter *insns; /* owned by the cache */
	unsigned short len;
	unsigned int allowed; /* system calls allowed (some conditionally) */
};

struct sc_cache;

/* Build the default policy; *out is freed with sc_cache_free().  On error
 * err holds a message. */
int sc_cache_new(struct sc_cache **out, char *err, size_t errlen);
void sc_cache_free(struct sc_cache *c);
const struct sc_filter *sc_cache_default(const struct sc_cache *c);
/* The policy for a profile's extra system calls (NULL-terminated, may be
 * NULL), built on first use and cached (thread-safe).  *out stays valid
 * until sc_cache_free(). */
int sc_cache_get(struct sc_cache *c, const char *const *extra,
                 const struct sc_filter **out, char *err, size_t errlen);
/* Compile the policy for extra (as sc_cache_get) into f (f->insns is
 * malloc'ed): by the sandbox's own compiler, or by libseccomp (the
 * reference of tests/unit/check_seccomp). */
int sc_build_with(const char *const *extra, bool libseccomp,
                  struct sc_filter *f, char *err, size_t errlen);
#endif
