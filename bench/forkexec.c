/* forkexec: the baseline cost of starting a program.
 *
 *   forkexec [-n N] [-i DIR] [-p MS] PROG [ARGS...]
 *
 * With -i DIR, run i reads DIR's (i mod count)-th *.in file (sorted) on
 * stdin, like the judge feeding tests; stdout goes to /dev/null.
 * Runs PROG N times (default 200) with a bare fork + execv + waitpid and
 * prints the median and the 99th percentile of one run in milliseconds,
 * as key=value lines (see bench/sandbox_overhead.sh).
 */
#define _GNU_SOURCE 1
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "timing.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.in files of dir, sorted, as full paths. */
static char **list_inputs(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL;

	*n = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		char **nv;
		if (l < 4 || strcmp(de->d_name + l - 3, ".in") != 0)
			continue;
		nv = realloc(v, (*n + 1) * sizeof(*v));
		if (!nv)
			break;
		v = nv;
		v[*n] = malloc(strlen(dir) + l + 2);
		if (!v[*n])
			break;
		sprintf(v[*n], "%s/%s", dir, de->d_name);
		(*n)++;
	}
	closedir(d);
	if (v)
		qsort(v, *n, sizeof(*v), cmp_str);
	return v;
}

int main(int argc, char **argv)
{
	long n = 200;
	uint64_t *t;
	int opt;
	char **inputs = NULL;
	long pause_ms = 0; /* -p: idle before each run (not timed) */
	size_t ninputs = 0;

	while ((opt = getopt(argc, argv, "+n:i:p:")) != -1) {
		if (opt == 'p') {
			pause_ms = strtol(optarg, NULL, 10);
			continue;
		}
		if (opt == 'i') {
			inputs = list_inputs(optarg, &ninputs);
			if (!inputs || !ninputs) {
				fprintf(stderr, "forkexec: no *.in in %s\n",
				        optarg);
				return 1;
			}
			continue;
		}
		if (opt != 'n' || (n = strtol(optarg, NULL, 10)) <= 0) {
			fprintf(stderr,
			        "usage: forkexec [-n N] [-i DIR] [-p MS] PROG "
			        "[ARGS]\n");
			return 1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: forkexec [-n N] PROG [ARGS]\n");
		return 1;
	}
	t = calloc((size_t)n, sizeof(*t));
	if (!t)
		return 1;
	for (long i = 0; i < n; i++) {
		struct timespec ts = {pause_ms / 1000,
		                      (pause_ms % 1000) * 1000000};
		uint64_t t0;
		int st;
		pid_t pid;

		if (pause_ms > 0)
			nanosleep(&ts, NULL);
		t0 = now_us();
		pid = fork();

		if (pid == 0) {
			if (inputs) {
				int in = open(inputs[(size_t)i % ninputs],
				              O_RDONLY);
				int out = open("/dev/null", O_WRONLY);
				if (in < 0 || out < 0)
					_exit(126);
				dup2(in, 0);
				dup2(out, 1);
			}
			execv(argv[optind], &argv[optind]);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0) {
			fprintf(stderr, "forkexec: run %ld of %s failed\n", i,
			        argv[optind]);
			free(t);
			return 1;
		}
		t[i] = now_us() - t0;
	}
	printf("runs=%ld\n", n);
	print_median_p99(t, n);
	free(t);
	for (size_t k = 0; k < ninputs; k++)
		free(inputs[k]);
	free(inputs);
	return 0;
}
