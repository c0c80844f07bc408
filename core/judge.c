/* The judging pipeline (blocking; worker threads only).
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

#include "grading.h"

#include "log.h"
#include "msg.h"
#include "privsep.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <math.h>
#include <sched.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#define JUDGE_LOG_MAX           (16u * 1024) /* compile log kept in the result */
#define JUDGE_MSG_MAX           1024u        /* a test's message */
#define JUDGE_VALIDATOR_TIME_MS 30000u       /* a validator's own limits */
#define JUDGE_VALIDATOR_MEM_KB  (1024u * 1024)
#define JUDGE_CACHE_ENTRY_MAX   (64ull * 1024 * 1024) /* bytes, one entry */
#define JUDGE_CACHE_FILES_MAX   4096u /* files and directories, one entry */
/* What a build (what the compiler left in the box) may hold: the judge
 * keeps a copy and makes every test's box from it.  Bytes: the larger of
 * the problem's memory limit and the largest file the compiler may write
 * (the language's compile fsize limit).  Over any of these the verdict
 * is Compilation Error naming the limit (docs/verdicts.md). */
#define JUDGE_BUILD_FILES_MAX 65536u       /* files and directories */
#define JUDGE_BUILD_DEPTH_MAX 64           /* directory levels below the box */
#define JUDGE_STDERR_HEAD     (16u * 1024) /* what classify() sees */

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

static int judge_in_list(char **l, const char *name)
{
	for (size_t i = 0; l && l[i]; i++)
		if (strcmp(l[i], name) == 0)
			return 1;
	return 0;
}

/* Remove from the box everything a previous test left; keep `keep`. */
static void judge_box_clear(const char *box, char **keep)
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

/* ------------------------------------------------------ compile cache */

/* Copy the regular files and directories of src into dst (which exists),
 * never following symlinks; the names in `skip` (NULL-terminated, at the
 * top level; may be NULL) are left out.
 * Fails with -EFBIG past the budget. */
int judge_copy_tree(const char *src, const char *dst, char **skip, int depth,
                    struct judge_budget *b)
{
	char **names;
	int r = 0;

	if (depth > b->depth_max) {
		b->why = "directory levels";
		return -ELOOP;
	}
	ac_list_dir(src, NULL, &names, NULL);
	if (!names)
		return -errno ? -errno : -EIO;
	for (size_t i = 0; names[i] && r == 0; i++) {
		char from[4096], to[4096];
		struct stat st;

		if (judge_in_list(skip, names[i]))
			continue;
		if (snprintf(from, sizeof(from), "%s/%s", src, names[i]) >=
		            (int)sizeof(from) ||
		    snprintf(to, sizeof(to), "%s/%s", dst, names[i]) >=
		            (int)sizeof(to)) {
			r = -ENAMETOOLONG;
			break;
		}
		if (lstat(from, &st) < 0) {
			r = -errno;
			break;
		}
		if (b->files == 0) {
			b->why = "files and directories";
			r = -EFBIG;
			break;
		}
		b->files--;
		if (S_ISDIR(st.st_mode)) {
			if (mkdir(to, 0755) < 0)
				r = -errno;
			else
				r = judge_copy_tree(from, to, NULL, depth + 1,
				                    b);
		} else if (S_ISREG(st.st_mode)) {
			if ((uint64_t)st.st_size > b->bytes) {
				b->why = "bytes";
				r = -EFBIG;
				break;
			}
			b->bytes -= (uint64_t)st.st_size;
			r = ac_copy_file(from, to,
			                 (st.st_mode & 0111) ? 0755 : 0644);
		}
		/* symlinks, fifos, sockets: not part of a build */
	}
	ac_names_free(names);
	return r;
}

/* Before each test the box is removed (as root under privilege
 * separation: whatever the last test closed or nested goes too) and made
 * again from the pristine copy of what the compiler produced: nothing a
 * previous test wrote, deleted, replaced or chmod'ed survives into the
 * next one (no state across tests). */
static int judge_box_reset(struct ac_judge_ctx *ctx, const char *box,
                           const char *pristine, struct judge_budget b,
                           uint64_t box_kb, bool *mounted)
{
	int r = judge_remove(ctx, box);

	*mounted = false;
	if (r < 0)
		return r;
	if (mkdir(box, 0755) < 0)
		return -errno;
	/* Under privilege separation the box is a tmpfs of box_kb (the
	 * helper mounts it): what a test writes there is bounded, and
	 * counts against its memory limit. */
	r = ac_privsep_box_mount(ctx->sb, ctx->sb_state, box, box_kb);
	if (r < 0 && r != -ENOTSUP)
		return r;
	*mounted = r == 0;
	return judge_copy_tree(pristine, box, NULL, 0, &b);
}

/* A box tmpfs with no room left: the program filled it. */
static bool judge_box_full(const char *box)
{
	struct statvfs sv;

	return statvfs(box, &sv) == 0 && sv.f_bavail == 0;
}

static void judge_cache_key(const struct ac_lang_info *lang,
                            const struct ac_judge_job *job, char *hex,
                            size_t hexlen)
{
	crypto_hash_sha256_state h;
	unsigned char d[crypto_hash_sha256_BYTES];
	uint64_t n = job->code_len;
	static const unsigned char zero;

#define JUDGE_H(s)                                                             \
	crypto_hash_sha256_update(&h, (const unsigned char *)(s), strlen(s) + 1)
	crypto_hash_sha256_init(&h);
	JUDGE_H("algocode compile cache 2");
	/* Per user: a hit must not tell anyone that someone else already
	 * submitted this very source (docs/security.md). */
	JUDGE_H(job->user_id ? job->user_id : "");
	JUDGE_H(lang->name);
	JUDGE_H(lang->version ? lang->version : "");
	JUDGE_H(lang->source_file);
	for (size_t i = 0; lang->compile_argv[i]; i++)
		JUDGE_H(lang->compile_argv[i]);
	crypto_hash_sha256_update(&h, &zero, 1);
	crypto_hash_sha256_update(&h, (const unsigned char *)&n, sizeof(n));
	crypto_hash_sha256_update(&h, (const unsigned char *)job->code,
	                          job->code_len);
	crypto_hash_sha256_final(&h, d);
#undef JUDGE_H
	sodium_bin2hex(hex, hexlen, d, sizeof(d));
}

/* A hit: copy the entry's files into the box, its log into *log and the
 * original compile's time into *time_ms (a hit looks like a compile). */
static int judge_cache_get(struct ac_judge_ctx *ctx, const char *key,
                           const char *box, char **source, char **log,
                           uint64_t *time_ms)
{
	char entry[4200], files[4300], logp[4300];
	char *t;
	struct judge_budget b = {JUDGE_CACHE_ENTRY_MAX, JUDGE_CACHE_FILES_MAX,
	                         JUDGE_BUILD_DEPTH_MAX, NULL};
	int r;

	snprintf(entry, sizeof(entry), "%s/cache/%s", ctx->work_dir, key);
	snprintf(files, sizeof(files), "%s/files", entry);
	snprintf(logp, sizeof(logp), "%s/log", entry);
	if (access(files, F_OK) < 0)
		return -ENOENT;
	utimensat(AT_FDCWD, entry, NULL, AT_SYMLINK_NOFOLLOW);
	r = judge_copy_tree(files, box, source, 0, &b);
	if (r < 0) {
		/* evicted meanwhile, or damaged: compile after all */
		judge_box_clear(box, source);
		return r;
	}
	*log = judge_read_head(logp, JUDGE_LOG_MAX + 64, -1);
	snprintf(logp, sizeof(logp), "%s/time", entry);
	t = judge_read_head(logp, 32, -1);
	*time_ms = t ? strtoull(t, NULL, 10) : 0;
	free(t);
	return 0;
}

struct judge_cache_ent {
	char *name;
	time_t mtime;
	uint64_t kb;
};

static __thread uint64_t judge_du_acc;

static int judge_du_cb(const char *path, const struct stat *st, int flag,
                       struct FTW *ftw)
{
	(void)path;
	(void)flag;
	(void)ftw;
	judge_du_acc += ((uint64_t)st->st_blocks * 512 + 1023) / 1024;
	return 0;
}

static int judge_ent_cmp(const void *a, const void *b)
{
	const struct judge_cache_ent *x = a, *y = b;

	return x->mtime < y->mtime ? -1 : x->mtime > y->mtime;
}

/* Remove the oldest entries until the cache fits; called under the lock. */
static void judge_cache_evict(struct ac_judge_ctx *ctx)
{
	char dir[4200];
	char **names;
	struct judge_cache_ent *ents;
	size_t n = 0;
	uint64_t total = 0;
	time_t now = time(NULL);

	snprintf(dir, sizeof(dir), "%s/cache", ctx->work_dir);
	ac_list_dir(dir, NULL, &names, NULL);
	if (!names)
		return;
	while (names[n])
		n++;
	ents = calloc(n + 1, sizeof(*ents));
	for (size_t i = 0; ents && i < n; i++) {
		char path[4500];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (lstat(path, &st) < 0)
			continue;
		if (strncmp(names[i], "tmp-", 4) == 0) {
			/* left by a judge that died while storing */
			if (now - st.st_mtime > 3600)
				ac_rmtree(path);
			continue;
		}
		judge_du_acc = 0;
		nftw(path, judge_du_cb, 16, FTW_PHYS | FTW_MOUNT);
		ents[i].name = names[i];
		ents[i].mtime = st.st_mtime;
		ents[i].kb = judge_du_acc;
		total += judge_du_acc;
	}
	if (ents && total > ctx->compile_cache_kb) {
		qsort(ents, n, sizeof(*ents), judge_ent_cmp);
		for (size_t i = 0; i < n && total > ctx->compile_cache_kb;
		     i++) {
			char path[4500];

			if (!ents[i].name)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir,
			         ents[i].name);
			ac_rmtree(path);
			total -= ents[i].kb;
		}
	}
	free(ents);
	ac_names_free(names);
}

/* Store what a successful compile left in the box. */
static void judge_cache_put(struct ac_judge_ctx *ctx, const char *key,
                            const char *box, char **source, const char *log,
                            uint64_t time_ms)
{
	char dir[4200], tmp[4300], files[4400], path[4400];
	struct judge_budget b = {JUDGE_CACHE_ENTRY_MAX, JUDGE_CACHE_FILES_MAX,
	                         JUDGE_BUILD_DEPTH_MAX, NULL};
	int r;

	snprintf(dir, sizeof(dir), "%s/cache", ctx->work_dir);
	if (ac_mkdir_p(dir, 0755) < 0)
		return;
	snprintf(tmp, sizeof(tmp), "%s/tmp-XXXXXX", dir);
	if (!mkdtemp(tmp))
		return;
	snprintf(files, sizeof(files), "%s/files", tmp);
	r = mkdir(files, 0755) < 0 ? -errno : 0;
	if (r == 0)
		r = judge_copy_tree(box, files, source, 0, &b);
	if (r == 0) {
		snprintf(path, sizeof(path), "%s/log", tmp);
		r = ac_write_file(path, log ? log : "", log ? strlen(log) : 0,
		                  0644);
	}
	if (r == 0) {
		char t[32];

		snprintf(path, sizeof(path), "%s/time", tmp);
		snprintf(t, sizeof(t), "%llu", (unsigned long long)time_ms);
		r = ac_write_file(path, t, strlen(t), 0644);
	}
	if (r == 0) {
		snprintf(path, sizeof(path), "%s/%s", dir, key);
		chmod(tmp, 0755);
		if (rename(tmp, path) < 0)
			r = -errno; /* another worker stored it first */
	}
	if (r < 0) {
		if (r != -EEXIST && r != -ENOTEMPTY)
			log_debug("compile cache: not stored: %s",
			          strerror(-r));
		ac_rmtree(tmp);
	}
	pthread_mutex_lock(&ctx->lock);
	judge_cache_evict(ctx);
	pthread_mutex_unlock(&ctx->lock);
}

static void judge_fail(struct ac_result *out, enum ac_verdict v,
                       const char *name, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static void judge_fail(struct ac_result *out, enum ac_verdict v,
                       const char *name, const char *fmt, ...)
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

static void judge_load_sample(struct ac_judge_load *l)
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

static uint64_t judge_wall_ms(uint64_t cpu_ms, const struct ac_judge_load *l)
{
	return (uint64_t)((double)cpu_ms * l->wall_factor + 0.5) +
	       JUDGE_WALL_FLOOR_MS;
}

/* A TLE that a loaded host may have caused is judged once more: one that
 * used at least half its CPU limit (a CPU-bound program: its CPU time is
 * inflated by contention for caches and cores, and its wall time by the
 * wait for a CPU), at most JUDGE_TLE_RERUNS_MAX per submission.  Waiting
 * programs (sleep, blocked reads) are not. */
static bool judge_rerun_tle(const struct ac_test_result *tr,
                            const struct ac_run_report *rep,
                            const struct ac_limits *lim,
                            struct ac_judge_load *l)
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

/* One judgement, from the job to the result document: the state its steps
 * share (ac_judge below lists the steps).  A step that fails has put the
 * verdict and its message in `out` and returns -1: the judgement stops. */
struct judge_run {
	struct ac_judge_ctx *ctx;
	const struct ac_judge_job *job;
	const struct ac_problem *p;
	const struct ac_lang_info *lang;
	struct ac_result *out;
	/* The run directory (locked by lockfd while it is used), its box
	 * (bound at /box), out/ (outside every box) and the build kept for
	 * every test (pristine/). */
	char tmpl[4096], box[4200], outd[4200], pristine[4300];
	int lockfd;
	char key[2 * crypto_hash_sha256_BYTES + 1]; /* compile cache; "" */
	struct judge_budget build;                  /* what a build may hold */
	uint64_t build_used;                        /* bytes of this build */
	struct judge_val val; /* the custom validator (val.build NULL: none) */
	struct ac_limits lim; /* of every test run */
	char **run_argv;      /* NULL: lang->run_argv */
	uint64_t box_kb;      /* size of a test's box */
	bool failed;          /* a test failed */
	/* The source files written in the box (NULL-terminated; the compile
	 * cache leaves them out), and for several files the compile command
	 * naming them (NULL: lang->compile_argv). */
	char **srcs;
	char **cargv;
	char **cstr; /* strings of cargv the judge made */
};

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
	if (p->code_kb && j->job->code_len > p->code_kb * 1024) {
		judge_fail(j->out, AC_V_CE, NULL,
		           "the source is %zu bytes, over the problem's "
		           "limits.code of %llu KiB",
		           j->job->code_len, (unsigned long long)p->code_kb);
		return -1;
	}
	return 0;
}

/* Step 1: the result's identity, and a run directory of our own. */
static int judge_step_start(struct judge_run *j)
{
	struct ac_result *out = j->out;
	int r;

	out->submission_id = judge_strdup(j->job->submission_id);
	out->problem_id = judge_strdup(j->p->id);
	out->lang = judge_strdup(j->lang->name);
	out->user_id = judge_strdup(j->job->user_id);
	out->host = judge_strdup(j->ctx->host);
	out->sandbox = judge_strdup(j->ctx->sandbox_name);
	out->lang_version = judge_strdup(j->lang->version);
	out->submitted_at = j->job->submitted_at;
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

/* ------------------------------------------ submissions of several files */

static const char *judge_ext(const char *name)
{
	const char *d = strrchr(name, '.');

	return d ? d : "";
}

/* A file compiled with the others: the extension of the language's
 * source file, and for C++ (.cpp) also .cc, .cxx and .c. */
static bool judge_is_unit(const char *name, const char *source_file)
{
	const char *e = judge_ext(name), *se = judge_ext(source_file);

	if (!*se)
		return false;
	if (strcmp(e, se) == 0)
		return true;
	return strcmp(se, ".cpp") == 0 &&
	       (!strcmp(e, ".cc") || !strcmp(e, ".cxx") || !strcmp(e, ".c"));
}

/* The file says `if __name__ == "__main__"` (either quote, any blanks). */
static bool judge_has_main_guard(const char *d, size_t n)
{
	static const char key[] = "__name__";

	for (size_t i = 0; i + sizeof(key) - 1 <= n; i++) {
		size_t k = i + sizeof(key) - 1;
		char q;

		if (memcmp(d + i, key, sizeof(key) - 1) != 0)
			continue;
		while (k < n && (d[k] == ' ' || d[k] == '\t'))
			k++;
		if (k + 2 > n || d[k] != '=' || d[k + 1] != '=')
			continue;
		k += 2;
		while (k < n && (d[k] == ' ' || d[k] == '\t'))
			k++;
		if (k + 10 > n || (d[k] != '"' && d[k] != '\''))
			continue;
		q = d[k];
		if (memcmp(d + k + 1, "__main__", 8) == 0 && d[k + 9] == q)
			return true;
	}
	return false;
}

static void judge_ce(struct ac_result *out, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static void judge_ce(struct ac_result *out, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	free(out->compile_log);
	out->compile_log = strdup(msg);
	out->compile_ok = false;
	out->verdict = AC_V_CE;
}

/* Does the run command name the source file (Python's main.py)?  Then
 * one file must be the program's entry and is written under that name. */
static bool judge_runs_source(const struct ac_lang_info *lang)
{
	const char *sf = lang->source_file;

	for (size_t i = 0; lang->run_argv && lang->run_argv[i]; i++) {
		const char *a = lang->run_argv[i];

		if (strcmp(a, sf) == 0 ||
		    (strncmp(a, "/box/", 5) == 0 && strcmp(a + 5, sf) == 0))
			return true;
	}
	return false;
}

/* The main file by the language's rule (docs/api.md, "Several files"):
 * the one named as the source file; else, when the run command names
 * it, the only compiled file, or the only one with a __main__ guard.
 * -1 with the verdict CE when it cannot be told; *main = -1 when the
 * language needs none (C, C++, Java: all files are compiled together
 * and the linker or the class files tell). */
static int judge_files_main(struct judge_run *j, const struct ac_src_file *f,
                            size_t n, long *main)
{
	const char *sf = j->lang->source_file;
	size_t units = 0, guards = 0;
	long unit = -1, guard = -1;

	*main = -1;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(f[i].name, sf) == 0)
			*main = (long)i;
		if (!judge_is_unit(f[i].name, sf))
			continue;
		units++;
		unit = (long)i;
		if (judge_has_main_guard(f[i].data, f[i].len)) {
			guards++;
			guard = (long)i;
		}
	}
	if (units == 0) {
		judge_ce(j->out,
		         "none of the %zu files is a %s source (*%s): nothing "
		         "to compile",
		         n, j->lang->display ? j->lang->display : j->lang->name,
		         judge_ext(sf));
		return -1;
	}
	if (*main >= 0 || !judge_runs_source(j->lang))
		return 0;
	if (units == 1)
		*main = unit;
	else if (guards == 1)
		*main = guard;
	else {
		judge_ce(j->out,
		         "cannot tell the main file among %zu *%s files: name "
		         "it %s, or give exactly one file with `if __name__ == "
		         "\"__main__\":` (%zu have one)",
		         units, judge_ext(sf), sf, guards);
		return -1;
	}
	return 0;
}

/* The compile command with the language's source file replaced by every
 * compiled file (written names, in the order given). */
static int judge_files_argv(struct judge_run *j)
{
	const char *const *a = j->lang->compile_argv;
	const char *sf = j->lang->source_file;
	size_t n = 0, k = 0, ns = 0;
	bool found = false;

	if (!a)
		return 0;
	while (a[n])
		n++;
	while (j->srcs[ns])
		ns++;
	j->cargv = calloc(n + ns + 1, sizeof(*j->cargv));
	j->cstr = calloc(ns + 1, sizeof(*j->cstr));
	if (!j->cargv || !j->cstr)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		bool abs = strncmp(a[i], "/box/", 5) == 0;

		if (strcmp(abs ? a[i] + 5 : a[i], sf) != 0) {
			j->cargv[k++] = (char *)a[i];
			continue;
		}
		found = true;
		for (size_t u = 0, c = 0; u < ns; u++) {
			if (!judge_is_unit(j->srcs[u], sf))
				continue;
			if (asprintf(&j->cstr[c], "%s%s", abs ? "/box/" : "",
			             j->srcs[u]) < 0) {
				j->cstr[c] = NULL;
				return -ENOMEM;
			}
			j->cargv[k++] = j->cstr[c++];
		}
	}
	if (!found) {
		/* The language names its file elsewhere (Java's script
		 * compiles every *.java when there is no Main.java). */
		free(j->cargv);
		j->cargv = NULL;
	}
	return 0;
}

/* Step 2 for a submission of several files: names checked, the main file
 * found, every file written in the box, the compile command built. */
static int judge_step_files(struct judge_run *j)
{
	struct ac_src_file *f = NULL;
	char err[256], path[4400];
	size_t n = 0;
	long main;
	int r;

	if (ac_files_unbundle(j->job->code, j->job->code_len, &f, &n, err,
	                      sizeof(err)) < 0) {
		judge_ce(j->out, "the files of the submission: %s", err);
		return -1;
	}
	if (judge_files_main(j, f, n, &main) < 0) {
		free(f);
		return -1;
	}
	j->srcs = calloc(n + 1, sizeof(*j->srcs));
	r = j->srcs ? 0 : -ENOMEM;
	for (size_t i = 0; r == 0 && i < n; i++) {
		const char *name =
		        (long)i == main ? j->lang->source_file : f[i].name;

		if (!(j->srcs[i] = strdup(name))) {
			r = -ENOMEM;
			break;
		}
		snprintf(path, sizeof(path), "%s/%s", j->box, name);
		r = ac_write_file(path, f[i].data, f[i].len, 0644);
	}
	if (r == 0)
		r = judge_files_argv(j);
	free(f);
	if (r < 0) {
		judge_fail(j->out, AC_V_IE, NULL, "cannot write the files: %s",
		           strerror(-r));
		return -1;
	}
	return 0;
}

/* Step 2: box/ with the source in it, and out/. */
static int judge_step_source(struct judge_run *j)
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
	if (ac_files_is_bundle(j->job->code, j->job->code_len))
		return judge_step_files(j);
	j->srcs = calloc(2, sizeof(*j->srcs));
	if (!j->srcs || !(j->srcs[0] = strdup(j->lang->source_file))) {
		judge_fail(j->out, AC_V_IE, NULL, "out of memory");
		return -1;
	}
	snprintf(src, sizeof(src), "%s/%s", j->box, j->lang->source_file);
	if ((r = ac_write_file(src, j->job->code, j->job->code_len, 0644)) <
	    0) {
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
	          j->job->submission_id ? j->job->submission_id : "?", j->key);
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
static int judge_step_compile(struct judge_run *j)
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
static int judge_step_keep_build(struct judge_run *j)
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
static void judge_step_limits(struct judge_run *j)
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
static int judge_step_run_command(struct judge_run *j)
{
	const struct ac_judge_job *job = j->job;
	struct ac_result *out = j->out;
	char err[1024] = "";
	int r;

	if (!job->lang_ops || !job->lang_ops->run_argv)
		return 0;
	r = job->lang_ops->run_argv(job->lang_state, j->box, &j->lim,
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

/* One test's run and what its output is worth.  Files: out/<i>.out and
 * .err. */
struct judge_test {
	const struct ac_test *t;
	size_t i;
	char outp[4400], errp[4400];
	struct ac_run_report rep;
	enum ac_validation val;
	bool mounted;            /* the box is a tmpfs of its own */
	bool validator_first;    /* interactive: the validator ended first */
	char msg[JUDGE_MSG_MAX]; /* the validator's (or runtime's) */
	char detail[512];        /* the verdict's own */
	bool has_score;          /* the validator's score (score.txt, or a
	                            testlib checker's points) */
	double score;
	struct ac_test_result tr;
};

/* A scoring validator's score: FEEDBACK_DIR/score.txt, one finite
 * number; unreadable, or missing with legacy `validation: custom score`,
 * is a validator error (Internal Error). */
static void judge_test_score(struct judge_run *j, struct judge_test *x)
{
	char path[4400], *txt = NULL, *end;
	int dfd, fdir;

	/* as judgemessage.txt: no symlink the validator made is followed */
	snprintf(path, sizeof(path), "%s/vbox", j->tmpl);
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd >= 0) {
		fdir = openat(dfd, "feedback",
		              O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fdir >= 0) {
			txt = judge_read_head("score.txt", 64, fdir);
			close(fdir);
		}
		close(dfd);
	}
	if (txt) {
		errno = 0;
		x->score = strtod(txt, &end);
		while (*end == ' ' || *end == '\n' || *end == '\r' ||
		       *end == '\t')
			end++;
		x->has_score =
		        end != txt && !*end && !errno && isfinite(x->score);
	}
	if (!txt && j->p->format == AC_FORMAT_2023_07)
		return; /* no score.txt: the group's accept_score */
	if (!x->has_score) {
		x->val = AC_VAL_ERROR;
		snprintf(x->msg, sizeof(x->msg),
		         "validator: no valid score.txt in the feedback "
		         "directory (a scoring validator must write one)");
	}
	free(txt);
}

static bool judge_interactive(const struct ac_problem *p)
{
	return (p->type_flags &
	        (AC_PROBLEM_INTERACTIVE | AC_PROBLEM_MULTIPASS)) != 0;
}

/* A fresh box for the test (and for each pass of a multi-pass test). */
static int judge_test_box(struct judge_run *j, struct judge_test *x)
{
	int r = judge_box_reset(j->ctx, j->box, j->pristine, j->build,
	                        j->box_kb, &x->mounted);

	if (r < 0)
		judge_fail(j->out, AC_V_IE, NULL,
		           "cannot prepare the box for %s: %s", x->t->name,
		           strerror(-r));
	return r;
}

struct judge_reset_arg {
	struct judge_run *j;
	struct judge_test *x;
};

static int judge_test_reset_cb(void *arg)
{
	struct judge_reset_arg *a = arg;

	return judge_test_box(a->j, a->x);
}

/* An interactive or multi-pass test: the submission and the validator
 * (core/judge_val.c). */
static void judge_test_interact(struct judge_run *j, struct judge_test *x,
                                const struct ac_run_spec *spec)
{
	struct judge_reset_arg ra = {j, x};
	struct judge_sub sub = {spec, judge_test_reset_cb, &ra};
	struct judge_inter *in = calloc(1, sizeof(*in));

	if (!in) {
		snprintf(x->rep.internal_error, sizeof(x->rep.internal_error),
		         "out of memory");
		return;
	}
	judge_val_interact(j->ctx, &j->val, j->p, j->tmpl, x->t, &sub, in);
	x->rep = in->rep;
	x->val = in->val;
	x->validator_first = in->validator_first;
	snprintf(x->msg, sizeof(x->msg), "%s", in->msg);
	free(in);
}

/* A testlib checker's points (exit 7) as the test's score in a scoring
 * problem; points without a number are a checker failure. */
static void judge_test_points(struct judge_test *x, double pts)
{
	if (isnan(pts)) {
		x->val = AC_VAL_ERROR;
		snprintf(x->msg, sizeof(x->msg),
		         "validator: testlib exit 7 (points) without a number "
		         "(\"points N\" expected on its stderr)");
		return;
	}
	x->has_score = true;
	x->score = pts;
}

/* Run the test in a fresh box and validate its output; -1 when the box
 * could not be made (an Internal Error is recorded). */
static int judge_test_run(struct judge_run *j, struct judge_test *x)
{
	struct ac_run_spec spec;
	int r;

	x->msg[0] = '\0';
	x->val = AC_VAL_NOT_RUN;
	if (judge_test_box(j, x) < 0)
		return -1;
	memset(&spec, 0, sizeof(spec));
	spec.argv = j->run_argv ? (const char *const *)j->run_argv
	                        : j->lang->run_argv;
	spec.envp = j->lang->envp;
	spec.box_dir = j->box;
	spec.stdin_path = x->t->in_path;
	spec.stdout_path = x->outp;
	spec.stderr_path = x->errp;
	spec.limits = j->lim;
	spec.profile = j->lang->run_profile;
	memset(&x->rep, 0, sizeof(x->rep));
	if (judge_interactive(j->p)) {
		judge_test_interact(j, x, &spec);
		return 0;
	}
	r = j->ctx->sb->run(j->ctx->sb_state, &spec, &x->rep);
	if (r < 0 && !x->rep.internal_error[0])
		snprintf(x->rep.internal_error, sizeof(x->rep.internal_error),
		         "sandbox: %s", strerror(-r));
	x->msg[0] = '\0';
	x->val = AC_VAL_NOT_RUN;
	x->has_score = false;
	if (ac_run_failed(&x->rep, &j->lim))
		return 0;
	if (j->p->validation != AC_VALIDATION_DEFAULT) {
		double pts = INFINITY; /* left alone: no testlib points */

		x->val = judge_val_check(j->ctx, &j->val, j->tmpl, x->t,
		                         x->outp, x->msg, sizeof(x->msg), &pts);
		if (x->val == AC_VAL_CORRECT && pts != INFINITY &&
		    (j->p->type_flags & AC_PROBLEM_SCORING))
			judge_test_points(x, pts);
		else if (j->p->validator_score &&
		         j->p->validator_protocol != AC_PROTO_TESTLIB &&
		         x->val == AC_VAL_CORRECT)
			judge_test_score(j, x);
		return 0;
	}
	r = ac_validate_files(x->t->ans_path, x->outp, &j->p->flags, x->msg,
	                      sizeof(x->msg));
	x->val = r == 1 ? AC_VAL_CORRECT : r == 0 ? AC_VAL_WRONG : AC_VAL_ERROR;
	if (r < 0)
		snprintf(x->msg, sizeof(x->msg),
		         "validator: cannot read the output: %s", strerror(-r));
	return 0;
}

/* The test's verdict: the pure function of the report and the
 * validator's answer (core/verdict.c), then what the runtime knows
 * better (an OutOfMemoryError is MLE) and a full box (OLE). */
static void judge_test_verdict(struct judge_run *j, struct judge_test *x)
{
	const struct ac_judge_job *job = j->job;
	struct ac_test_result *tr = &x->tr;

	memset(tr, 0, sizeof(*tr));
	tr->name = x->t->name;
	tr->has_score = x->has_score;
	tr->score = x->score;
	tr->verdict =
	        judge_interactive(j->p)
	                ? ac_verdict_interactive(&x->rep, &j->lim, x->val,
	                                         x->validator_first, x->detail,
	                                         sizeof(x->detail))
	                : ac_verdict_of(&x->rep, &j->lim, x->val, x->detail,
	                                sizeof(x->detail));
	tr->time_ms = x->rep.cpu_us / 1000;
	tr->wall_ms = x->rep.wall_us / 1000;
	tr->memory_kb = x->rep.memory_kb;
	tr->exit_code = x->rep.exited ? x->rep.exit_code : -1;
	tr->signal = x->rep.signal;
	if (tr->verdict == AC_V_RE && job->lang_ops &&
	    job->lang_ops->classify) {
		char *head = judge_read_head(x->errp, JUDGE_STDERR_HEAD, -1);

		tr->verdict = ac_verdict_hint(
		        tr->verdict,
		        job->lang_ops->classify(job->lang_state, &x->rep,
		                                head ? head : "",
		                                head ? strlen(head) : 0),
		        head, x->detail, sizeof(x->detail), x->msg,
		        sizeof(x->msg));
		free(head);
	}
	/* A program that filled its box and then failed: Output Limit
	 * Exceeded, which says what happened. */
	if ((tr->verdict == AC_V_RE || tr->verdict == AC_V_WA) && x->mounted &&
	    judge_box_full(j->box)) {
		tr->verdict = AC_V_OLE;
		snprintf(
		        x->detail, sizeof(x->detail),
		        "the box is full: more than %llu KiB written in /box",
		        (unsigned long long)(j->box_kb - j->build_used / 1024));
		x->msg[0] = '\0';
	}
}

/* Add the test to the result.  A test that is not a sample shows the
 * submitter its verdict, time and memory and the run's own detail
 * (signal, exit code, the limit hit), never what the validator said
 * (expected or actual output) nor what the program printed: the full
 * message goes to the log (docs/security.md). */
static void judge_test_record(struct judge_run *j, struct judge_test *x)
{
	char both[JUDGE_MSG_MAX + 600];

	ac_verdict_message(x->detail, x->msg, both, sizeof(both));
	if (x->t->sample || j->ctx->reveal_secret_details ||
	    strcmp(both, x->detail) == 0) {
		x->tr.message = both;
	} else {
		log_info("submission %s: %s: %s: %s",
		         j->job->submission_id ? j->job->submission_id : "?",
		         x->t->name, ac_verdict_code(x->tr.verdict), both);
		x->tr.message = x->detail;
	}
	ac_result_add_test(j->out, &x->tr);
}

/* Step 8, for test i: run, judge (a TLE near its CPU limit twice, as the
 * host's load is then), record.  -1: judging cannot go on. */
static int judge_step_test(struct judge_run *j, size_t i)
{
	struct judge_test x;
	bool rerun = false;

	memset(&x, 0, sizeof(x));
	x.t = &j->p->tests[i];
	x.i = i;
	snprintf(x.outp, sizeof(x.outp), "%s/%zu.out", j->outd, i);
	snprintf(x.errp, sizeof(x.errp), "%s/%zu.err", j->outd, i);
	for (;;) {
		if (judge_test_run(j, &x) < 0)
			return -1;
		judge_test_verdict(j, &x);
		if (rerun || !(rerun = judge_rerun_tle(&x.tr, &x.rep, &j->lim,
		                                       &j->out->load)))
			break;
		/* Limits as the host's load is now. */
		judge_load_sample(&j->out->load);
		j->lim.wall_ms = judge_wall_ms(j->lim.cpu_ms, &j->out->load);
	}
	if (rerun && x.tr.verdict == AC_V_TLE)
		snprintf(x.detail + strlen(x.detail),
		         sizeof(x.detail) - strlen(x.detail),
		         " (judged twice)");
	judge_test_record(j, &x);
	if (x.tr.verdict != AC_V_AC && !j->failed) {
		j->failed = true;
		j->out->verdict = x.tr.verdict;
	}
	if (j->job->progress)
		j->job->progress(j->job->progress_arg,
		                 &j->out->tests[j->out->ntests - 1], i,
		                 j->p->ntests);
	return 0;
}

/* Step 8: the tests, samples first, each group in name order; judging
 * stops at the first failure unless the job asks for all tests or the
 * problem is scored (its groups are graded after the loop). */
static void judge_step_tests(struct judge_run *j)
{
	bool all = j->job->all_tests || (j->p->type_flags & AC_PROBLEM_SCORING);

	j->out->verdict = AC_V_AC;
	for (size_t i = 0; i < j->p->ntests; i++) {
		if (j->failed && !all)
			break;
		if (judge_step_test(j, i) < 0)
			break;
	}
	if (j->p->ntests == 0)
		judge_fail(j->out, AC_V_IE, NULL, "the problem has no tests");
}

/* Step 8b, scoring problems: the groups graded from the tests' results
 * (core/grading.c); the result's verdict stays the test loop's. */
static void judge_step_grade(struct judge_run *j)
{
	const struct ac_problem *p = j->p;
	struct ac_result *out = j->out;
	struct ac_grade_test *gt = NULL;
	struct ac_grade_group *gg = NULL;

	if (!(p->type_flags & AC_PROBLEM_SCORING) || !out->compile_ok ||
	    out->ntests == 0)
		return;
	gt = calloc(p->ntests, sizeof(*gt));
	gg = calloc(p->ngroups, sizeof(*gg));
	if (!gt || !gg)
		goto out;
	for (size_t i = 0; i < p->ntests && i < out->ntests; i++) {
		gt[i].run = true;
		gt[i].verdict = out->tests[i].verdict;
		gt[i].has_score = out->tests[i].has_score;
		gt[i].score = out->tests[i].score;
	}
	if (ac_grade(p, gt, gg) < 0)
		goto out;
	out->scored = true;
	out->score = gg[0].score;
	out->score_verdict = gg[0].verdict;
	for (size_t g = 0; g < p->ngroups; g++)
		if (gg[g].graded &&
		    ac_result_add_group(out, p->groups[g].name, gg[g].verdict,
		                        gg[g].score) < 0)
			break;
out:
	free(gt);
	free(gg);
}

/* Step 9: the run directory goes (as root through the helper when
 * separated); no host path stays in what the submitter sees. */
static void judge_step_finish(struct judge_run *j)
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

	if (!ctx || !job || !job->problem || !job->lang || !out || !job->code)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	/* Its paths make it too large for a worker thread's stack. */
	if (!(j = calloc(1, sizeof(*j))))
		return -ENOMEM;
	j->ctx = ctx;
	j->job = job;
	j->p = job->problem;
	j->lang = job->lang;
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

/* ------------------------------------------ run with custom input */

/* The verdict code of one run: a run that ended well is "OK" (nothing
 * was checked), else the verdict's code (TLE, MLE, OLE, RE, IE). */
static const char *judge_run_code(enum ac_verdict v)
{
	return v == AC_V_AC ? "OK" : ac_verdict_code(v);
}

static const char *judge_run_name(enum ac_verdict v)
{
	return v == AC_V_AC ? "OK" : ac_verdict_name(v);
}

/* One input: written to out/, run in a fresh box, reported. */
static json_t *judge_run_input(struct judge_run *j, const struct ac_run_job *rj,
                               size_t i, enum ac_verdict *v)
{
	struct judge_test x;
	struct ac_test t;
	struct ac_run_spec spec;
	char inp[4400], name[32];
	char *out = NULL, *err = NULL;
	json_t *o;
	int r;

	memset(&x, 0, sizeof(x));
	memset(&t, 0, sizeof(t));
	snprintf(name, sizeof(name), "input/%zu", i + 1);
	snprintf(inp, sizeof(inp), "%s/%zu.in", j->outd, i);
	t.name = name;
	t.in_path = inp;
	x.t = &t;
	x.i = i;
	snprintf(x.outp, sizeof(x.outp), "%s/%zu.out", j->outd, i);
	snprintf(x.errp, sizeof(x.errp), "%s/%zu.err", j->outd, i);
	r = ac_write_file(inp, rj->inputs[i], rj->input_lens[i], 0600);
	if (r == 0)
		r = judge_box_reset(j->ctx, j->box, j->pristine, j->build,
		                    j->box_kb, &x.mounted);
	if (r < 0) {
		*v = AC_V_IE;
		return json_pack("{s:s,s:s,s:s,s:s}", "name", name,
		                 "verdict_code", "IE", "verdict",
		                 "Internal Error", "message",
		                 "cannot prepare the box");
	}
	memset(&spec, 0, sizeof(spec));
	spec.argv = j->run_argv ? (const char *const *)j->run_argv
	                        : j->lang->run_argv;
	spec.envp = j->lang->envp;
	spec.box_dir = j->box;
	spec.stdin_path = inp;
	spec.stdout_path = x.outp;
	spec.stderr_path = x.errp;
	spec.limits = j->lim;
	spec.profile = j->lang->run_profile;
	r = j->ctx->sb->run(j->ctx->sb_state, &spec, &x.rep);
	if (r < 0 && !x.rep.internal_error[0])
		snprintf(x.rep.internal_error, sizeof(x.rep.internal_error),
		         "sandbox: %s", strerror(-r));
	x.val = ac_run_failed(&x.rep, &j->lim) ? AC_VAL_NOT_RUN
	                                       : AC_VAL_CORRECT;
	judge_test_verdict(j, &x);
	*v = x.tr.verdict;
	out = judge_read_head(x.outp, rj->stdout_kb * 1024, -1);
	err = judge_read_head(x.errp, rj->stderr_kb * 1024, -1);
	if (x.msg[0] && x.detail[0])
		snprintf(x.detail + strlen(x.detail),
		         sizeof(x.detail) - strlen(x.detail), ": %.400s",
		         x.msg);
	o = json_pack(
	        "{s:s,s:s,s:s,s:o,s:o,s:b,s:o,s:b,s:I,s:I,s:I,s:i,s:i}", "name",
	        name, "verdict_code", judge_run_code(*v), "verdict",
	        judge_run_name(*v), "message",
	        ac_json_text(x.detail[0] ? x.detail : x.msg), "stdout",
	        ac_json_text(out ? out : ""), "stdout_truncated",
	        x.rep.stdout_bytes > rj->stdout_kb * 1024 ||
	                x.rep.stdout_exceeded,
	        "stderr", ac_json_text(err ? err : ""), "stderr_truncated",
	        err && strlen(err) >= rj->stderr_kb * 1024, "time_ms",
	        (json_int_t)x.tr.time_ms, "wall_ms", (json_int_t)x.tr.wall_ms,
	        "memory_kb", (json_int_t)x.tr.memory_kb, "exit_code",
	        x.tr.exit_code, "signal", x.tr.signal);
	free(out);
	free(err);
	unlink(inp);
	return o;
}

/* The run document from what the steps left in j->out and the runs. */
static char *judge_run_doc(struct judge_run *j, const struct ac_run_job *rj,
                           json_t *runs, enum ac_verdict v)
{
	struct ac_result *out = j->out;
	char fin[40];
	const char *msg = NULL;
	json_t *doc;
	char *s;

	for (size_t i = 0; i < out->ntests; i++)
		if (out->tests[i].message)
			msg = out->tests[i].message; /* a step's failure */
	ac_format_time(out->finished_at, fin, sizeof(fin));
	doc = json_pack(
	        "{s:s,s:s,s:s,s:s,s:s,s:o,s:{s:b,s:o,s:I},s:o,s:{s:s,s:s,s:o},"
	        "s:s}",
	        "run_id", rj->run_id ? rj->run_id : "", "user_id",
	        rj->user_id ? rj->user_id : "", "lang", j->lang->name,
	        "verdict", judge_run_name(v), "verdict_code", judge_run_code(v),
	        "message", ac_json_text(msg), "compile", "ok", out->compile_ok,
	        "log", ac_json_text(out->compile_log), "time_ms",
	        (json_int_t)out->compile_time_ms, "runs", runs, "judge", "host",
	        j->ctx->host, "sandbox", j->ctx->sandbox_name, "lang_version",
	        ac_json_text(j->lang->version), "finished_at", fin);
	if (!doc)
		return NULL;
	s = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(doc);
	return s;
}

int ac_judge_run(struct ac_judge_ctx *ctx, const struct ac_run_job *rj,
                 char **doc)
{
	struct ac_problem p;
	struct ac_judge_job job;
	struct ac_result out;
	struct judge_run *j;
	enum ac_verdict v = AC_V_IE;
	json_t *runs;

	*doc = NULL;
	if (!ctx || !rj || !rj->lang || !rj->code || !doc)
		return -EINVAL;
	memset(&p, 0, sizeof(p));
	p.id = (char *)"(run)";
	p.time_limit_s = (double)rj->time_limit_ms / 1000.0;
	p.memory_mb = rj->memory_mb;
	p.output_mb = rj->output_mb;
	memset(&job, 0, sizeof(job));
	job.problem = &p;
	job.lang = rj->lang;
	job.lang_ops = rj->lang_ops;
	job.lang_state = rj->lang_state;
	job.code = rj->code;
	job.code_len = rj->code_len;
	job.submission_id = rj->run_id;
	job.user_id = rj->user_id;
	job.submitted_at = rj->submitted_at;
	memset(&out, 0, sizeof(out));
	runs = json_array();
	if (!runs || !(j = calloc(1, sizeof(*j)))) {
		json_decref(runs);
		return -ENOMEM;
	}
	j->ctx = ctx;
	j->job = &job;
	j->p = &p;
	j->lang = rj->lang;
	j->out = &out;
	j->lockfd = -1;
	if (judge_step_start(j) == 0 && judge_step_source(j) == 0 &&
	    judge_step_compile(j) == 0 && judge_step_keep_build(j) == 0) {
		judge_step_limits(j);
		if (judge_step_run_command(j) == 0) {
			v = AC_V_AC;
			for (size_t i = 0; i < rj->ninputs; i++) {
				enum ac_verdict vi = AC_V_AC;

				json_array_append_new(
				        runs, judge_run_input(j, rj, i, &vi));
				if (vi != AC_V_AC && v == AC_V_AC)
					v = vi;
			}
		}
	}
	if (out.verdict == AC_V_CE)
		v = AC_V_CE;
	judge_step_finish(j);
	*doc = judge_run_doc(j, rj, runs, v);
	ac_result_clear(&out);
	free(j);
	return *doc ? 0 : -ENOMEM;
}
