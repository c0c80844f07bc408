/* Timing of repeated runs, shared by the benchmark drivers (bench/forkexec,
 * tests/sbxrun): a monotonic clock in microseconds, and the median and
 * 99th percentile of a set of run times. */
#ifndef AC_BENCH_TIMING_H
#define AC_BENCH_TIMING_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static inline int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sort the n (> 0) run times t (microseconds) and print their median and
 * 99th percentile in milliseconds as "median_ms=" and "p99_ms=" lines. */
static inline void print_median_p99(uint64_t *t, long n)
{
	qsort(t, (size_t)n, sizeof(*t), cmp_u64);
	printf("median_ms=%.3f\np99_ms=%.3f\n", t[(n - 1) / 2] / 1000.0,
	       t[(size_t)((n - 1) * 99 / 100)] / 1000.0);
}

#endif
