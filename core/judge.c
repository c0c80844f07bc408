/* The judging pipeline (blocking; worker threads only): the context, the
 * run directory and the steps of ac_judge around the tests.  The compile
 * cache is judge_cache.c, submissions of several files judge_files.c, the
 * tests judge_test.c, runs with custom input judge_run.c, custom
 * validators judge_val.c (judge_int.h).
 *
 *
 * Layout of one run under judge.work_dir:
 *   run-XXXXXX/box/        bound at /box in the sandbox: the source, then
 *                          the compiled program; reset between tests to
 *                          what the compiler left
 *   run-XXXXXX/out/        outside every sandbox: captured stdout/stderr
 *   run-XXXXXX/vbox/       a custom validator's box: its binary, the
 *                          test's input and answer, feedback/
 *   validators/<hash>/     custom validators, compiled once per problem
 *                          content hash
 *   cache/<key>/           the compile cache: files/ (what the compiler
 *                          left in the box, the sources excepted) and
 *                          log; key = sha256(user, language, version,
 *                          compile argv, source), the source of several
 *                          files being their bundle (every name and
 *                          content, core/msg.h).  Built in cache/tmp-XXXXXX
 *                          and renamed into place (concurrent workers and
 *                          processes are safe); a hit touches the entry
 *                          and the oldest are evicted over
 *                          judge.compile_cache_mb.
 * Expected answers are never in the submission's box: input comes on
 * stdin from a file the sandbox opens, output goes to out/.
 * A run with custom input (ac_judge_run) takes the same steps up to the
 * run command, then runs each input (out/<i>.in) unchecked. */
#include "judge.h"
#include "judge_int.h"

#include "log.h"
#include "msg.h"
#include "privsep.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static void judge_sweep(struct ac_judge_ctx *ctx);

static bool judge_reveal_default;

void ac_judge_set_reveal_default(bool reveal)
{
	judge_reveal_default = reveal;
}

static char *judge_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

int ac_judge_ctx_init(struct ac_judge_ctx *ctx, const struct ac_sandbox_ops *sb,
                      void *sb_state, const char *sandbox_name,
                      const char *work_dir, const char *host)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->sb = sb;
	ctx->sb_state = sb_state;
	ctx->sandbox_name = sandbox_name;
	ctx->work_dir = strdup(work_dir);
	ctx->host = strdup(host);
	if (!ctx->work_dir || !ctx->host) {
		free(ctx->work_dir);
		free(ctx->host);
		return -ENOMEM;
	}
	pthread_mutex_init(&ctx->lock, NULL);
	ctx->compile_cache_kb = 256 * 1024;
	ctx->reveal_secret_details = judge_reveal_default;
	judge_sweep(ctx);
	return 0;
}

uint64_t ac_judge_cache_kb(long long mb)
{
	if (mb <= 0)
		return 0;
	if (mb > (1ll << 30))
		mb = 1ll << 30;
	return (uint64_t)mb * 1024;
}

void ac_judge_ctx_fini(struct ac_judge_ctx *ctx)
{
	free(ctx->work_dir);
	free(ctx->host);
	pthread_mutex_destroy(&ctx->lock);
	memset(ctx, 0, sizeof(*ctx));
}

/* Remove what a sandboxed program may have written (a box, a run
 * directory): as root through the sandbox helper under privilege
 * separation (the program's files are not the judge's user's), else as
 * this process.  Logged on failure. */
int judge_remove(struct ac_judge_ctx *ctx, const char *path)
{
	int r = ac_privsep_remove(ctx->sb, ctx->sb_state, path);

	if (r == -ENOTSUP)
		r = ac_rmtree(path);
	if (r < 0)
		log_warn("cannot remove %s: %s", path, strerror(-r));
	return r;
}

/* Read at most max bytes of a host file the judge wrote itself. */
char *judge_read_head(const char *path, size_t max, int dirfd)
{
	int fd =
	        dirfd >= 0
	                ? openat(dirfd, path,
	                         O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
	                : open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	char *buf;
	size_t len = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return NULL;
	}
	buf = malloc(max + 1);
	if (!buf) {
		close(fd);
		return NULL;
	}
	while (len < max) {
		ssize_t n = read(fd, buf + len, max - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	/* NUL bytes would cut the string short in JSON: show them as '?'. */
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\0')
			buf[i] = '?';
	return buf;
}

int judge_in_list(char **l, const char *name)
{
	for (size_t i = 0; l && l[i]; i++)
		if (strcmp(l[i], name) == 0)
			return 1;
	return 0;
}

/* Remove from the box everything a previous test left; keep `keep`. */
void judge_box_clear(const char *box, char **keep)
{
	char **now = NULL;

	ac_list_dir(box, NULL, &now, NULL);

	for (size_t i = 0; now && now[i]; i++) {
		char path[4096];
		if (judge_in_list(keep, now[i]))
			continue;
		snprintf(path, sizeof(path), "%s/%s", box, now[i]);
		ac_rmtree(path);
	}
	ac_names_free(now);
}

/* The judgement fails with verdict v: the message and a test named name
 * (may be NULL) in out. */
void judge_fail(struct ac_result *out, enum ac_verdict v, const char *name,
                const char *fmt, ...)
{
	struct ac_test_result t;
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memset(&t, 0, sizeof(t));
	/* A failure outside any test is reported as a pseudo-test so that
	 * the result document carries its message. */
	t.name = (char *)(name ? name : "(judge)");
	t.verdict = v;
	t.message = msg;
	out->verdict = v;
	ac_result_add_test(out, &t);
	log_warn("submission %s: %s",
	         out->submission_id ? out->submission_id : "?", msg);
}

/* Wall-clock limit of a test run (docs/verdicts.md, "Wall-clock limit"):
 * CPU limit x f + 1 s, f = max(3, 2 x demand), demand = runnable tasks per
 * CPU (the larger of the 1-minute load average and the tasks runnable
 * now), f at most JUDGE_WALL_F_MAX: a CPU-bound program is stopped by its
 * CPU limit, not by the wall clock, as long as it gets half its fair share
 * of a CPU.  l is filled (docs/api.md). */
#define JUDGE_WALL_F         3.0
#define JUDGE_WALL_F_MAX     10.0
#define JUDGE_WALL_FLOOR_MS  1000u
#define JUDGE_PRESSURE_BUSY  20.0 /* % of the last 10 s with tasks waiting */
#define JUDGE_TLE_RERUNS_MAX 2u   /* TLE tests judged again, per submission */

void judge_load_sample(struct ac_judge_load *l)
{
	unsigned reruns = l->tle_reruns;
	cpu_set_t set;
	double demand;
	FILE *f;

	memset(l, 0, sizeof(*l));
	l->known = true;
	l->tle_reruns = reruns;
	l->cpu_pressure = -1;
	l->cpus = sched_getaffinity(0, sizeof(set), &set) == 0
	                  ? (unsigned)CPU_COUNT(&set)
	                  : 0;
	if (l->cpus == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		l->cpus = n > 0 ? (unsigned)n : 1;
	}
	if ((f = fopen("/proc/loadavg", "re"))) {
		unsigned run = 0;

		if (fscanf(f, "%lf %*f %*f %u/", &l->loadavg, &run) != 2)
			l->loadavg = 0, run = 0;
		/* The judge reading this is one of the runnable. */
		l->runnable = run > 0 ? run - 1 : 0;
		fclose(f);
	}
	if ((f = fopen("/proc/pressure/cpu", "re"))) {
		double p;

		if (fscanf(f, "some avg10=%lf", &p) == 1)
			l->cpu_pressure = p;
		fclose(f);
	}
	demand =
	        (l->loadavg > l->runnable ? l->loadavg : l->runnable) / l->cpus;
	/* A fair share of a CPU is 1/demand: twice the time that takes. */
	l->wall_factor =
	        2.0 * demand > JUDGE_WALL_F ? 2.0 * demand : JUDGE_WALL_F;
	if (l->wall_factor > JUDGE_WALL_F_MAX)
		l->wall_factor = JUDGE_WALL_F_MAX;
	l->overloaded = demand > 1.0 || l->cpu_pressure >= JUDGE_PRESSURE_BUSY;
}

uint64_t judge_wall_ms(uint64_t cpu_ms, const struct ac_judge_load *l)
{
	return (uint64_t)((double)cpu_ms * l->wall_factor + 0.5) +
	       JUDGE_WALL_FLOOR_MS;
}

/* A TLE that a loaded host may have caused is judged once more: one that
 * used at least half its CPU limit (a CPU-bound program: its CPU time is
 * inflated by contention for caches and cores, and its wall time by the
 * wait for a CPU), at most JUDGE_TLE_RERUNS_MAX per submission.  Waiting
 * programs (sleep, blocked reads) are not. */
bool judge_rerun_tle(const struct ac_test_result *tr,
                     const struct ac_run_report *rep,
                     const struct ac_limits *lim, struct ac_judge_load *l)
{
	if (tr->verdict != AC_V_TLE || rep->cpu_us * 2 < lim->cpu_ms * 1000 ||
	    l->tle_reruns >= JUDGE_TLE_RERUNS_MAX)
		return false;
	l->tle_reruns++;
	return true;
}

/* A build the judge will not keep (over a limit of struct judge_budget,
 * or unreadable): the submitter's doing, so Compilation Error with the
 * limit named in the compile log.  false for the judge's own failures. */
static bool judge_build_refused(int r, const struct judge_budget *b,
                                const struct judge_budget *limit,
                                struct ac_result *out)
{
	char why[300];
	size_t ol;
	char *nl;

	if (r == -EFBIG && b->why && !strcmp(b->why, "bytes"))
		snprintf(why, sizeof(why),
		         "the build is larger than %llu MiB, the most a build "
		         "may hold (the larger of the problem's memory limit "
		         "and the compiler's file size limit)",
		         (unsigned long long)(limit->bytes >> 20));
	else if (r == -EFBIG)
		snprintf(why, sizeof(why),
		         "the build holds more than %u files and directories, "
		         "the most a build may hold",
		         limit->files);
	else if (r == -ELOOP)
		snprintf(why, sizeof(why),
		         "the build nests directories more than %d levels "
		         "deep, the most a build may nest",
		         limit->depth_max);
	else if (r == -ENAMETOOLONG)
		snprintf(why, sizeof(why),
		         "the build has a path longer than the judge copies "
		         "(4095 bytes)");
	else if (r == -EACCES || r == -EPERM)
		snprintf(why, sizeof(why),
		         "the build has a file or directory the judge cannot "
		         "read");
	else
		return false;
	ol = out->compile_log ? strlen(out->compile_log) : 0;
	nl = realloc(out->compile_log, ol + strlen(why) + 2);
	if (nl) {
		snprintf(nl + ol, strlen(why) + 2, "%s%s", ol ? "\n" : "", why);
		out->compile_log = nl;
	}
	out->compile_ok = false;
	out->verdict = AC_V_CE;
	log_info("submission %s: %s",
	         out->submission_id ? out->submission_id : "?", why);
	return true;
}

/* A new run directory, locked (flock) for as long as the judgement runs:
 * the start-up sweep of another judge process sharing judge.work_dir
 * leaves a locked directory alone.  *lockfd is the lock. */
static int judge_run_dir(struct ac_judge_ctx *ctx, char *tmpl, size_t len,
                         int *lockfd)
{
	for (int tries = 0; tries < 3; tries++) {
		struct stat st;
		int fd;

		snprintf(tmpl, len, "%s/run-XXXXXX", ctx->work_dir);
		if (!mkdtemp(tmpl))
			return -errno;
		fd = open(tmpl,
		          O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue; /* swept before we could lock it */
		if (flock(fd, LOCK_EX) < 0 || fstat(fd, &st) < 0) {
			int e = errno;

			close(fd);
			return -e;
		}
		if (st.st_nlink == 0) {
			close(fd); /* swept between mkdtemp and the lock */
			continue;
		}
		fchmod(fd, 0755);
		*lockfd = fd;
		return 0;
	}
	return -EAGAIN;
}

/* At start-up: remove the run directories a judge that died left in
 * judge.work_dir (those no live judge holds locked), as root through the
 * helper under privilege separation. */
static void judge_sweep(struct ac_judge_ctx *ctx)
{
	char **names = NULL;

	ac_list_dir(ctx->work_dir, NULL, &names, NULL);
	size_t n = 0, failed = 0;

	for (size_t i = 0; names && names[i]; i++) {
		char path[4400];
		int fd;

		if (strncmp(names[i], "run-", 4) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", ctx->work_dir, names[i]);
		fd = open(path,
		          O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0) {
			if (fd >= 0)
				close(fd); /* a live judgement */
			continue;
		}
		if (judge_remove(ctx, path) == 0)
			n++;
		else
			failed++;
		close(fd);
	}
	ac_names_free(names);
	if (n || failed)
		log_info("judge: removed %zu run directories an earlier judge "
		         "left in %s%s",
		         n, ctx->work_dir,
		         failed ? " (some could not be removed: see above)"
		                : "");
}

/* Replace every occurrence of `what` in the malloc'ed string *s by
 * `with`. */
static void judge_replace(char **s, const char *what, const char *with)
{
	size_t wl = what ? strlen(what) : 0, nl = strlen(with), n = 0;
	char *p, *out, *o;

	if (!*s || wl < 2)
		return;
	for (p = strstr(*s, what); p; p = strstr(p + wl, what))
		n++;
	if (n == 0)
		return;
	out = malloc(strlen(*s) + n * (nl > wl ? nl - wl : 0) + 1);
	if (!out)
		return;
	o = out;
	for (p = *s;;) {
		char *hit = strstr(p, what);
		size_t k;

		if (!hit) {
			strcpy(o, p);
			break;
		}
		k = (size_t)(hit - p);
		memcpy(o, p, k);
		o += k;
		memcpy(o, with, nl);
		o += nl;
		p = hit + wl;
	}
	free(*s);
	*s = out;
}

/* Host paths never reach the result document: the work directory and
 * the problem's package are named, not shown (the log has them). */
static void judge_scrub(char **s, const struct ac_judge_ctx *ctx,
                        const struct ac_problem *p)
{
	char wd[4096];
	size_t n;

	snprintf(wd, sizeof(wd), "%s", ctx->work_dir);
	n = strlen(wd);
	while (n > 1 && wd[n - 1] == '/')
		wd[--n] = '\0';
	judge_replace(s, wd, "<judge.work_dir>");
	if (p && p->dir) {
		char pd[4096];

		snprintf(pd, sizeof(pd), "%s", p->dir);
		n = strlen(pd);
		while (n > 1 && pd[n - 1] == '/')
			pd[--n] = '\0';
		judge_replace(s, pd, "<problem>");
	}
}

/* What the package allows (problem.yaml languages, limits.code). */
static int judge_package_refuses(struct judge_run *j)
{
	const struct ac_problem *p = j->p;

	if (!ac_problem_allows_lang(p, j->lang->name)) {
		judge_fail(j->out, AC_V_CE, NULL,
		           "the problem does not accept the language %s "
		           "(problem.yaml languages)",
		           j->lang->name);
		return -1;
	}
	if (p->code_kb && j->job->src.code_len > p->code_kb * 1024) {
		judge_fail(j->out, AC_V_CE, NULL,
		           "the source is %zu bytes, over the problem's "
		           "limits.code of %llu KiB",
		           j->job->src.code_len,
		           (unsigned long long)p->code_kb);
		return -1;
	}
	return 0;
}

/* Step 1: the result's identity, and a run directory of our own. */
int judge_step_start(struct judge_run *j)
{
	struct ac_result *out = j->out;
	int r;

	out->submission_id = judge_strdup(j->job->src.id);
	out->problem_id = judge_strdup(j->p->id);
	out->lang = judge_strdup(j->lang->name);
	out->user_id = judge_strdup(j->job->src.user_id);
	out->host = judge_strdup(j->ctx->host);
	out->sandbox = judge_strdup(j->ctx->sandbox_name);
	out->lang_version = judge_strdup(j->lang->version);
	out->submitted_at = j->job->src.submitted_at;
	out->verdict = AC_V_IE;
	if (judge_package_refuses(j) < 0)
		return -1;
	if ((r = ac_mkdir_p(j->ctx->work_dir, 0755)) < 0) {
		judge_fail(out, AC_V_IE, NULL, "judge.work_dir %s: %s",
		           j->ctx->work_dir, strerror(-r));
		return -1;
	}
	if ((r = judge_run_dir(j->ctx, j->tmpl, sizeof(j->tmpl), &j->lockfd)) <
	    0) {
		j->tmpl[0] = '\0';
		judge_fail(out, AC_V_IE, NULL,
		           "cannot create a run directory in %s: %s",
		           j->ctx->work_dir, strerror(-r));
		return -1;
	}
	return 0;
}

/* Step 2: box/ with the source in it, and out/. */
int judge_step_source(struct judge_run *j)
{
	char src[4400];
	int r;

	snprintf(j->box, sizeof(j->box), "%s/box", j->tmpl);
	snprintf(j->outd, sizeof(j->outd), "%s/out", j->tmpl);
	if (mkdir(j->box, 0755) < 0 || mkdir(j->outd, 0700) < 0) {
		judge_fail(j->out, AC_V_IE, NULL, "cannot create %s: %s",
		           j->box, strerror(errno));
		return -1;
	}
	if (ac_files_is_bundle(j->job->src.code, j->job->src.code_len))
		return judge_step_files(j);
	j->srcs = calloc(2, sizeof(*j->srcs));
	if (!j->srcs || !(j->srcs[0] = strdup(j->lang->source_file))) {
		judge_fail(j->out, AC_V_IE, NULL, "out of memory");
		return -1;
	}
	snprintf(src, sizeof(src), "%s/%s", j->box, j->lang->source_file);
	if ((r = ac_write_file(src, j->job->src.code, j->job->src.code_len,
	                       0644)) < 0) {
		judge_fail(j->out, AC_V_IE, NULL, "cannot write %s: %s", src,
		           strerror(-r));
		return -1;
	}
	return 0;
}

/* The compile cache: true when it had this very build (now in the box,
 * with the original compile's log and time). */
static bool judge_cache_lookup(struct judge_run *j)
{
	struct ac_result *out = j->out;
	uint64_t t0 = ac_mono_ms();

	j->key[0] = '\0';
	if (!j->lang->compile_argv || j->ctx->compile_cache_kb == 0 ||
	    sodium_init() < 0)
		return false;
	judge_cache_key(j->lang, j->job, j->key, sizeof(j->key));
	if (judge_cache_get(j->ctx, j->key, j->box, j->srcs, &out->compile_log,
	                    &out->compile_time_ms) != 0)
		return false;
	if (out->compile_time_ms == 0)
		out->compile_time_ms = ac_mono_ms() - t0;
	log_debug("submission %s: compile cache hit %s",
	          j->job->src.id ? j->job->src.id : "?", j->key);
	return true;
}

/* The compiler's log: its stdout then its stderr, each cut at
 * JUDGE_LOG_MAX. */
static char *judge_compile_log(const char *logp, const char *errp,
                               bool stderr_over)
{
	char *e = judge_read_head(errp, JUDGE_LOG_MAX, -1);
	char *o = judge_read_head(logp, JUDGE_LOG_MAX, -1);
	size_t el = e ? strlen(e) : 0, ol = o ? strlen(o) : 0;
	char *log = malloc(el + ol + 64);

	if (log)
		snprintf(log, el + ol + 64, "%s%s%s", o ? o : "", e ? e : "",
		         (el >= JUDGE_LOG_MAX || ol >= JUDGE_LOG_MAX ||
		          stderr_over)
		                 ? "\n[log truncated]"
		                 : "");
	free(e);
	free(o);
	return log;
}

/* A compile that did not succeed: Compilation Error, with the reason
 * when the compiler said nothing. */
static void judge_compile_failed(struct ac_result *out,
                                 const struct ac_run_report *rep)
{
	char why[256];

	out->compile_ok = false;
	if (rep->cpu_exceeded || rep->wall_exceeded)
		snprintf(why, sizeof(why),
		         "the compiler exceeded its time limit");
	else if (rep->oom_killed)
		snprintf(why, sizeof(why),
		         "the compiler exceeded its memory limit");
	else if (rep->signal)
		snprintf(why, sizeof(why), "the compiler died: %s",
		         ac_signal_name(rep->signal));
	else
		snprintf(why, sizeof(why), "the compiler exited with %d",
		         rep->exit_code);
	out->verdict = AC_V_CE;
	if (!out->compile_log || !out->compile_log[0]) {
		free(out->compile_log);
		out->compile_log = strdup(why);
	}
}

/* Step 3: compile in the sandbox, unless the compile cache has this very
 * build. */
int judge_step_compile(struct judge_run *j)
{
	const struct ac_lang_info *lang = j->lang;
	struct ac_result *out = j->out;
	struct ac_run_spec spec;
	struct ac_run_report rep;
	char logp[4400], errp[4400];
	uint64_t t0;
	int r;

	out->compile_ok = true;
	if (judge_cache_lookup(j) || !lang->compile_argv)
		return 0;
	snprintf(logp, sizeof(logp), "%s/compile.out", j->outd);
	snprintf(errp, sizeof(errp), "%s/compile.err", j->outd);
	memset(&spec, 0, sizeof(spec));
	spec.argv =
	        j->cargv ? (const char *const *)j->cargv : lang->compile_argv;
	spec.envp = lang->envp;
	spec.box_dir = j->box;
	spec.stdout_path = logp;
	spec.stderr_path = errp;
	spec.limits = lang->compile_limits;
	if (j->p->compile_time_s) { /* limits.compilation_* */
		spec.limits.cpu_ms = j->p->compile_time_s * 1000;
		spec.limits.wall_ms = 2 * spec.limits.cpu_ms;
	}
	if (j->p->compile_memory_mb)
		spec.limits.memory_kb = j->p->compile_memory_mb * 1024;
	spec.profile = lang->compile_profile;
	memset(&rep, 0, sizeof(rep));
	t0 = ac_mono_ms();
	r = j->ctx->sb->run(j->ctx->sb_state, &spec, &rep);
	out->compile_time_ms = ac_mono_ms() - t0;
	if (r < 0 || rep.internal_error[0]) {
		out->compile_ok = false;
		judge_fail(out, AC_V_IE, NULL, "sandbox failed to compile: %s",
		           rep.internal_error[0] ? rep.internal_error
		                                 : strerror(-r));
		return -1;
	}
	out->compile_log = judge_compile_log(logp, errp, rep.stderr_exceeded);
	if (!rep.exited || rep.exit_code != 0 || rep.cpu_exceeded ||
	    rep.wall_exceeded || rep.oom_killed) {
		judge_compile_failed(out, &rep);
		return -1;
	}
	if (j->key[0])
		judge_cache_put(j->ctx, j->key, j->box, j->srcs,
		                out->compile_log, out->compile_time_ms);
	return 0;
}

/* Step 4: keep the build (pristine/), within what a build may hold: the
 * larger of the problem's memory limit and the compiler's file size
 * limit, JUDGE_BUILD_FILES_MAX files, JUDGE_BUILD_DEPTH_MAX levels. */
int judge_step_keep_build(struct judge_run *j)
{
	uint64_t kb = (uint64_t)j->p->memory_mb * 1024;
	struct judge_budget b;
	int r;

	if (j->lang->compile_limits.fsize_kb > kb)
		kb = j->lang->compile_limits.fsize_kb;
	j->build = (struct judge_budget){kb * 1024, JUDGE_BUILD_FILES_MAX,
	                                 JUDGE_BUILD_DEPTH_MAX, NULL};
	snprintf(j->pristine, sizeof(j->pristine), "%s/pristine", j->tmpl);
	if (mkdir(j->pristine, 0700) < 0) {
		judge_fail(j->out, AC_V_IE, NULL, "cannot create %s: %s",
		           j->pristine, strerror(errno));
		return -1;
	}
	b = j->build;
	r = judge_copy_tree(j->box, j->pristine, NULL, 0, &b);
	j->build_used = j->build.bytes - b.bytes;
	if (r < 0 && judge_build_refused(r, &b, &j->build, j->out))
		return -1;
	if (r < 0) {
		judge_fail(j->out, AC_V_IE, NULL,
		           "cannot keep the compiled program: %s",
		           strerror(-r));
		return -1;
	}
	return 0;
}

/* Step 5: the problem's custom validator, built once per content hash
 * through its language's plugin. */
static int judge_step_validator(struct judge_run *j)
{
	char err[1024];

	if (j->p->validation == AC_VALIDATION_DEFAULT)
		return 0;
	if (judge_val_build(j->ctx, j->p, &j->val, err, sizeof(err)) < 0) {
		judge_fail(j->out, AC_V_IE, NULL, "%s", err);
		return -1;
	}
	return 0;
}

/* Step 6: the limits of every test run: the problem's, with the
 * language's multipliers, and a wall limit from the host's load. */
void judge_step_limits(struct judge_run *j)
{
	const struct ac_problem *p = j->p;
	const struct ac_lang_info *lang = j->lang;
	struct ac_limits *lim = &j->lim;

	memset(lim, 0, sizeof(*lim));
	lim->cpu_ms = (uint64_t)(p->time_limit_s * 1000.0 *
	                                 (lang->time_multiplier > 0
	                                          ? lang->time_multiplier
	                                          : 1.0) +
	                         0.5);
	if (lim->cpu_ms == 0)
		lim->cpu_ms = 1;
	judge_load_sample(&j->out->load);
	lim->wall_ms = judge_wall_ms(lim->cpu_ms, &j->out->load);
	lim->memory_kb = (uint64_t)((double)p->memory_mb * 1024.0 *
	                            (lang->memory_multiplier > 0
	                                     ? lang->memory_multiplier
	                                     : 1.0)) +
	                 lang->memory_extra_kb;
	lim->stack_kb = 0;
	lim->stdout_kb = p->output_mb * 1024;
	lim->stderr_kb = 64;
	lim->fsize_kb = p->output_mb * 1024;
	lim->processes = lang->run_processes ? lang->run_processes : 1;
	lim->nofile = 64;
	/* A test's box: the build, and room for what the test writes (its
	 * memory limit bounds that already: tmpfs pages are the writer's). */
	j->box_kb = j->build_used / 1024 +
	            (lim->memory_kb > lim->fsize_kb ? lim->memory_kb
	                                            : lim->fsize_kb) +
	            1024;
}

/* Step 7: a run command that depends on the build or on the limits (the
 * language's run_argv); -ENOEXEC from it is the submitter's doing (CE). */
int judge_step_run_command(struct judge_run *j)
{
	const struct ac_judge_job *job = j->job;
	struct ac_result *out = j->out;
	char err[1024] = "";
	int r;

	if (!job->src.lang_ops || !job->src.lang_ops->run_argv)
		return 0;
	r = job->src.lang_ops->run_argv(job->src.lang_state, j->box, &j->lim,
	                                &j->run_argv, err, sizeof(err));
	if (r == -ENOEXEC) {
		size_t ol = out->compile_log ? strlen(out->compile_log) : 0;
		char *nl = realloc(out->compile_log, ol + strlen(err) + 2);

		if (nl) {
			snprintf(nl + ol, strlen(err) + 2, "%s%s",
			         ol ? "\n" : "", err);
			out->compile_log = nl;
		}
		out->compile_ok = false;
		out->verdict = AC_V_CE;
		return -1;
	}
	if (r < 0 || !j->run_argv || !j->run_argv[0]) {
		judge_fail(out, AC_V_IE, NULL, "%s: no run command: %s",
		           j->lang->name,
		           err[0] ? err : strerror(r < 0 ? -r : EINVAL));
		return -1;
	}
	return 0;
}

/* Step 9: the run directory goes (as root through the helper when
 * separated); no host path stays in what the submitter sees. */
void judge_step_finish(struct judge_run *j)
{
	struct ac_result *out = j->out;

	if (j->tmpl[0]) {
		if (!getenv("ALGOCODE_KEEP_BOXES"))
			judge_remove(j->ctx, j->tmpl);
		else
			log_info("kept %s", j->tmpl);
	}
	if (j->lockfd >= 0)
		close(j->lockfd);
	for (size_t i = 0; i < out->ntests; i++)
		judge_scrub(&out->tests[i].message, j->ctx, j->p);
	judge_scrub(&out->compile_log, j->ctx, j->p);
	free(j->run_argv);
	judge_val_free(&j->val);
	ac_names_free(j->srcs);
	ac_names_free(j->cstr);
	free(j->cargv);
	out->finished_at = ac_now_ms();
}

int ac_judge(struct ac_judge_ctx *ctx, const struct ac_judge_job *job,
             struct ac_result *out)
{
	struct judge_run *j;

	if (!ctx || !job || !job->problem || !job->src.lang || !out ||
	    !job->src.code)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	/* Its paths make it too large for a worker thread's stack. */
	if (!(j = calloc(1, sizeof(*j))))
		return -ENOMEM;
	j->ctx = ctx;
	j->job = job;
	j->p = job->problem;
	j->lang = job->src.lang;
	j->out = out;
	j->lockfd = -1;
	if (judge_step_start(j) == 0 && judge_step_source(j) == 0 &&
	    judge_step_compile(j) == 0 && judge_step_keep_build(j) == 0 &&
	    judge_step_validator(j) == 0) {
		judge_step_limits(j);
		if (judge_step_run_command(j) == 0) {
			judge_step_tests(j);
			judge_step_grade(j);
		}
	}
	judge_step_finish(j);
	free(j);
	return 0;
}
