/* sbxrun: drive a sandbox plugin directly (tests and benchmarks).
 *
 *   sbxrun --plugin SO --box DIR [limits] [--repeat N] [-- ARGV...]
 *   sbxrun --plugin SO --check-env
 *
 * Prints the run report as key=value lines; with --repeat N prints the
 * median and p99 of the wall time of run() (the per-run cost) instead;
 * --threads T spreads those runs over T concurrent threads.  --each (with
 * --repeat, one thread) prints one line per run instead, whatever its
 * outcome (limits hit, non-zero status): "run=I key=value ..." with the
 * report's fields and run_us, then " out=" and the first line of --stdout F
 * when one is given (the program's own figures, see bench/sandbox_limits.sh).
 * Settings for the plugin: --set key=value (conf_string / conf_int).
 * A run profile: --allow-syscall NAME and --ro-path PATH (repeatable).
 * --fds passes descriptors instead of paths, as the privilege-separation
 * helper does (spec.fds): the box, --stdin, --stdout, --stderr and every
 * --ro-path (O_PATH, opened before the plugin is loaded).
 * Exit: 0 report printed, 2 internal error, 1 usage or load error.
 */
#define _GNU_SOURCE 1
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <algocode/plugin.h>

#include "../bench/timing.h"
#include "host_stub.h"

#define MAX_SETTINGS 16 /* --set */
#define MAX_PROFILE  16

static void env_line_cb(void *arg, const char *what, bool enforced,
                        const char *detail)
{
	printf("%-24s %-3s %s\n", what, enforced ? "yes" : "no", detail);
}

/* One line of --each: the report of run i (stdout_path: the output file). */
static void print_report_line(long i, const struct ac_run_report *r,
                              uint64_t run_us, const char *stdout_path)
{
	char line[256] = "";

	if (stdout_path) {
		FILE *f = fopen(stdout_path, "r");

		if (f) {
			if (!fgets(line, sizeof(line), f))
				line[0] = '\0';
			fclose(f);
		}
		line[strcspn(line, "\n")] = '\0';
	}
	printf("run=%ld exited=%d exit_code=%d signal=%d cpu_us=%" PRIu64
	       " wall_us=%" PRIu64 " memory_kb=%" PRIu64
	       " cpu_exceeded=%d wall_exceeded=%d oom_killed=%d run_us=%" PRIu64
	       "%s%s\n",
	       i, r->exited, r->exit_code, r->signal, r->cpu_us, r->wall_us,
	       r->memory_kb, r->cpu_exceeded, r->wall_exceeded, r->oom_killed,
	       run_us, stdout_path ? " out=" : "", line);
	fflush(stdout);
}

static void print_report(const struct ac_run_report *r, uint64_t run_us)
{
	printf("exited=%d\nexit_code=%d\nsignal=%d\ncpu_us=%" PRIu64
	       "\nwall_us=%" PRIu64 "\nmemory_kb=%" PRIu64
	       "\ncpu_exceeded=%d\nwall_exceeded=%d\noom_killed=%d\n"
	       "stdout_exceeded=%d\nstderr_exceeded=%d\nstdout_bytes=%" PRIu64
	       "\nrun_us=%" PRIu64 "\ninternal_error=%s\n",
	       r->exited, r->exit_code, r->signal, r->cpu_us, r->wall_us,
	       r->memory_kb, r->cpu_exceeded, r->wall_exceeded, r->oom_killed,
	       r->stdout_exceeded, r->stderr_exceeded, r->stdout_bytes, run_us,
	       r->internal_error);
}

/* A thread of --repeat: runs n times, times[i] per run. */
struct worker {
	const struct ac_sandbox_ops *ops;
	void *state;
	const struct ac_run_spec *spec;
	uint64_t *times;
	long n;
	long pause_ms; /* idle before each run (not timed) */
	int failed;
	pthread_t tid;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct ac_run_report rep;

	for (long i = 0; i < w->n; i++) {
		uint64_t t0;
		int r;

		if (w->pause_ms > 0) {
			struct timespec ts = {w->pause_ms / 1000,
			                      (w->pause_ms % 1000) * 1000000};

			nanosleep(&ts, NULL);
		}
		t0 = now_us();
		r = w->ops->run(w->state, w->spec, &rep);

		w->times[i] = now_us() - t0;
		if (r < 0 || rep.internal_error[0] || !rep.exited ||
		    rep.exit_code) {
			fprintf(stderr, "sbxrun: run %ld failed: %s\n", i,
			        r < 0                   ? strerror(-r)
			        : rep.internal_error[0] ? rep.internal_error
			                                : "non-zero status");
			w->failed = 1;
			break;
		}
	}
	return NULL;
}

static void usage(void)
{
	fprintf(stderr,
	        "usage: sbxrun --plugin SO [--set k=v]... (--check-env | "
	        "--box DIR [--cpu MS] [--wall MS] [--mem KB] [--stack KB]\n"
	        "       [--procs N] [--nofile N] [--fsize KB] [--out-kb KB] "
	        "[--err-kb KB] [--stdin F] [--stdout F] [--stderr F]\n"
	        "       [--allow-syscall NAME]... [--ro-path PATH]... [--fds]\n"
	        "       [--repeat N [--threads T | --each] [--pause MS]] -- "
	        "ARGV...)\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"plugin", required_argument, NULL, 'p'},
	        {"set", required_argument, NULL, 'S'},
	        {"check-env", no_argument, NULL, 'E'},
	        {"box", required_argument, NULL, 'b'},
	        {"cpu", required_argument, NULL, 'c'},
	        {"wall", required_argument, NULL, 'w'},
	        {"mem", required_argument, NULL, 'm'},
	        {"stack", required_argument, NULL, 's'},
	        {"procs", required_argument, NULL, 'n'},
	        {"nofile", required_argument, NULL, 'f'},
	        {"fsize", required_argument, NULL, 'z'},
	        {"out-kb", required_argument, NULL, 'o'},
	        {"err-kb", required_argument, NULL, 'e'},
	        {"stdin", required_argument, NULL, 'I'},
	        {"stdout", required_argument, NULL, 'O'},
	        {"stderr", required_argument, NULL, 'R'},
	        {"repeat", required_argument, NULL, 'r'},
	        {"threads", required_argument, NULL, 't'},
	        {"each", no_argument, NULL, 'x'},
	        {"pause", required_argument, NULL, 'W'},
	        {"allow-syscall", required_argument, NULL, 'A'},
	        {"ro-path", required_argument, NULL, 'P'},
	        {"fds", no_argument, NULL, 'F'},
	        {NULL, 0, NULL, 0}};
	const char *conf[MAX_SETTINGS + 1] = {NULL}; /* "key=value" */
	const char *sys_v[MAX_PROFILE + 1] = {NULL},
	                                *ro_v[MAX_PROFILE + 1] = {NULL};
	struct ac_run_profile prof = {NULL, NULL};
	struct ac_run_fds rf = {-1, -1, -1, -1, NULL};
	int ro_fd[MAX_PROFILE] = {0};
	int nsys = 0, nro = 0, nconf = 0;
	struct ac_plugin_ctx ctx = {.conf = conf};
	struct ac_run_spec spec;
	struct ac_run_report rep;
	const struct ac_plugin *pl;
	const struct ac_sandbox_ops *ops = NULL;
	const char *plugin = NULL;
	bool check_env = false, each = false, use_fds = false;
	long repeat = 0, threads = 1, pause_ms = 0;
	struct worker *ws = NULL;
	void *dl, *state = NULL;
	uint64_t *times = NULL;
	int opt, rc = 1;

	memset(&spec, 0, sizeof(spec));
	spec.limits.cpu_ms = 2000;
	spec.limits.wall_ms = 5000;
	spec.limits.memory_kb = 262144;
	spec.limits.processes = 16;
	spec.limits.fsize_kb = 65536;
	spec.limits.stdout_kb = 65536;
	spec.limits.stderr_kb = 64;
	while ((opt = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		unsigned long long v = optarg ? strtoull(optarg, NULL, 10) : 0;

		switch (opt) {
		case 'p':
			plugin = optarg;
			break;
		case 'S':
			if (!strchr(optarg, '=') || nconf == MAX_SETTINGS) {
				usage();
				return 1;
			}
			conf[nconf++] = optarg;
			break;
		case 'E':
			check_env = true;
			break;
		case 'b':
			spec.box_dir = optarg;
			break;
		case 'c':
			spec.limits.cpu_ms = v;
			break;
		case 'w':
			spec.limits.wall_ms = v;
			break;
		case 'm':
			spec.limits.memory_kb = v;
			break;
		case 's':
			spec.limits.stack_kb = v;
			break;
		case 'n':
			spec.limits.processes = (uint32_t)v;
			break;
		case 'f':
			spec.limits.nofile = (uint32_t)v;
			break;
		case 'z':
			spec.limits.fsize_kb = v;
			break;
		case 'o':
			spec.limits.stdout_kb = v;
			break;
		case 'e':
			spec.limits.stderr_kb = v;
			break;
		case 'I':
			spec.stdin_path = optarg;
			break;
		case 'O':
			spec.stdout_path = optarg;
			break;
		case 'R':
			spec.stderr_path = optarg;
			break;
		case 'r':
			repeat = (long)v;
			break;
		case 't':
			threads = v ? (long)v : 1;
			break;
		case 'W':
			pause_ms = (long)v;
			break;
		case 'x':
			each = true;
			break;
		case 'F':
			use_fds = true;
			break;
		case 'A':
		case 'P':
			if ((opt == 'A' ? nsys : nro) == MAX_PROFILE) {
				usage();
				return 1;
			}
			if (opt == 'A')
				sys_v[nsys++] = optarg;
			else
				ro_v[nro++] = optarg;
			break;
		default:
			usage();
			return 1;
		}
	}
	if (!plugin || (!check_env && (!spec.box_dir || optind >= argc))) {
		usage();
		return 1;
	}
	spec.argv = (const char *const *)&argv[optind];
	if (nsys || nro) {
		prof.syscalls = nsys ? sys_v : NULL;
		prof.ro_paths = nro ? ro_v : NULL;
		spec.profile = &prof;
	}
	if (use_fds && !check_env) {
		const int wr = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;

		rf.box = open(spec.box_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		rf.in = spec.stdin_path
		                ? open(spec.stdin_path, O_RDONLY | O_CLOEXEC)
		                : -1;
		rf.out = spec.stdout_path ? open(spec.stdout_path, wr, 0644)
		                          : -1;
		rf.err = spec.stderr_path ? open(spec.stderr_path, wr, 0644)
		                          : -1;
		if (rf.box < 0 || (spec.stdin_path && rf.in < 0) ||
		    (spec.stdout_path && rf.out < 0) ||
		    (spec.stderr_path && rf.err < 0)) {
			fprintf(stderr, "sbxrun: --fds: %s\n", strerror(errno));
			return 1;
		}
		for (int i = 0; i < nro; i++)
			if ((ro_fd[i] = open(ro_v[i], O_PATH | O_CLOEXEC)) <
			    0) {
				fprintf(stderr, "sbxrun: --fds: %s: %s\n",
				        ro_v[i], strerror(errno));
				return 1;
			}
		rf.ro = nro ? ro_fd : NULL;
		spec.fds = &rf;
	}

	dl = dlopen(plugin, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		fprintf(stderr, "sbxrun: %s\n", dlerror());
		return 1;
	}
	th_ctx_init(&ctx, "sbxrun");
	pl = dlsym(dl, AC_PLUGIN_SYMBOL);
	if (!pl || pl->abi != AC_ABI_VERSION || pl->kind != AC_KIND_SANDBOX) {
		fprintf(stderr, "sbxrun: %s: not a sandbox plugin of ABI %u\n",
		        plugin, AC_ABI_VERSION);
		goto out;
	}
	ops = pl->ops;
	ctx.settings = pl->abi_minor >= 2 ? pl->settings : NULL;
	if ((rc = ops->init(&th_host, &ctx, &state)) < 0) {
		fprintf(stderr, "sbxrun: init: %s\n", strerror(-rc));
		rc = 1;
		goto out;
	}
	rc = 0;
	if (check_env) {
		ops->check_env(state, env_line_cb, NULL);
		printf("enforcing=%d\n", ops->enforcing(state) == 0);
		goto out;
	}
	if (repeat > 0 && each) {
		for (long i = 0; i < repeat; i++) {
			uint64_t t0 = now_us();
			int r = ops->run(state, &spec, &rep);
			uint64_t dt = now_us() - t0;

			if (r < 0 || rep.internal_error[0]) {
				fprintf(stderr, "sbxrun: run %ld failed: %s\n",
				        i,
				        r < 0 ? strerror(-r)
				              : rep.internal_error);
				rc = 2;
				goto out;
			}
			print_report_line(i, &rep, dt, spec.stdout_path);
		}
		goto out;
	}
	if (repeat > 0) {
		long per;

		if (threads > repeat)
			threads = repeat;
		per = repeat / threads;
		repeat = per * threads;
		times = calloc((size_t)repeat, sizeof(*times));
		ws = calloc((size_t)threads, sizeof(*ws));
		if (!times || !ws) {
			rc = 1;
			goto out;
		}
		for (long i = 0; i < threads; i++) {
			ws[i] = (struct worker){
			        ops, state,    &spec, times + i * per,
			        per, pause_ms, 0,     0};
			if (pthread_create(&ws[i].tid, NULL, worker_main,
			                   &ws[i]) != 0) {
				fprintf(stderr, "sbxrun: pthread_create\n");
				threads = i;
				rc = 1;
				break;
			}
		}
		for (long i = 0; i < threads; i++) {
			pthread_join(ws[i].tid, NULL);
			if (ws[i].failed)
				rc = 2;
		}
		if (rc)
			goto out;
		printf("runs=%ld\nthreads=%ld\n", repeat, threads);
		print_median_p99(times, repeat);
		goto out;
	}
	{
		uint64_t t0 = now_us();
		int r = ops->run(state, &spec, &rep);

		if (r < 0) {
			fprintf(stderr, "sbxrun: run: %s\n", strerror(-r));
			rc = 1;
			goto out;
		}
		print_report(&rep, now_us() - t0);
		rc = rep.internal_error[0] ? 2 : 0;
	}
out:
	free(times);
	free(ws);
	if (state)
		ops->fini(state);
	dlclose(dl);
	th_ctx_fini(&ctx);
	return rc;
}
