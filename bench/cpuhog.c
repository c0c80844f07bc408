/* cpuhog: the programs of bench/sandbox_limits.sh (static, no sanitizers).
 *
 *   cpuhog spin [T]     T threads (default 1) busy forever: a CPU-limit TLE
 *   cpuhog pause        sleep forever: a wall-limit TLE
 *   cpuhog burn MS [P]  burn MS ms of CPU in all, split over P processes
 *                       (default 1: the program alone; P > 1: it forks P-1
 *                       children that burn their share while it burns its
 *                       own, and waits for them), then print its own
 *                       getrusage: "rusage_us=N self_us=N children_us=N
 *                       main_us=N" (utime + stime of RUSAGE_SELF +
 *                       RUSAGE_CHILDREN, of each, and of both since main()
 *                       began: without the exec and what the process did
 *                       before it)
 */
#define _GNU_SOURCE 1
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long sink;

static void *spin_forever(void *arg)
{
	(void)arg;
	for (;;)
		sink++;
	return NULL;
}

static long long cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Burn ms of this process's CPU time, mostly in user mode (one clock read
 * per 4096 increments). */
static void burn(double ms)
{
	long long until = cpu_ns() + (long long)(ms * 1e6);

	while (cpu_ns() < until)
		for (int i = 0; i < 4096; i++)
			sink++;
}

static long long tv_us(const struct timeval *tv)
{
	return (long long)tv->tv_sec * 1000000LL + tv->tv_usec;
}

static long long rusage_us(int who)
{
	struct rusage ru;

	if (getrusage(who, &ru) < 0)
		return -1;
	return tv_us(&ru.ru_utime) + tv_us(&ru.ru_stime);
}

int main(int argc, char **argv)
{
	long long at_main = rusage_us(RUSAGE_SELF);

	if (argc >= 2 && strcmp(argv[1], "spin") == 0) {
		int t = argc > 2 ? atoi(argv[2]) : 1;
		pthread_t tid;

		for (int i = 1; i < t; i++)
			if (pthread_create(&tid, NULL, spin_forever, NULL) != 0)
				return 3;
		spin_forever(NULL);
	}
	if (argc >= 2 && strcmp(argv[1], "pause") == 0) {
		for (;;)
			pause();
	}
	if (argc >= 3 && strcmp(argv[1], "burn") == 0) {
		double ms = atof(argv[2]);
		int p = argc > 3 ? atoi(argv[3]) : 1;
		long long self, children;

		if (p < 1)
			p = 1;
		for (int i = 1; i < p; i++) {
			pid_t pid = fork();

			if (pid < 0)
				return 3;
			if (pid == 0) {
				burn(ms / p);
				_exit(0);
			}
		}
		burn(ms / p);
		while (wait(NULL) > 0)
			;
		self = rusage_us(RUSAGE_SELF);
		children = rusage_us(RUSAGE_CHILDREN);
		printf("rusage_us=%lld self_us=%lld children_us=%lld "
		       "main_us=%lld\n",
		       self + children, self, children,
		       self + children - at_main);
		return 0;
	}
	fprintf(stderr, "usage: cpuhog spin [T] | pause | burn MS [P]\n");
	return 2;
}
