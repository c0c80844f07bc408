/* Small helpers every plugin may use, whatever its kind: header-only,
 * static inline, because a plugin cannot link the core's util.c (it sees
 * only core/include/algocode/, design.md).  The core's counterpart is
 * core/util.h; keep the two in step. */
#ifndef AC_PLUGIN_UTIL_H
#define AC_PLUGIN_UTIL_H

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC in milliseconds / microseconds, for intervals. */
static inline int64_t pu_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline uint64_t pu_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

#endif
