/* The compile cache (cache/<key>/ under judge.work_dir: what a compile
 * left in the box, keyed by sha256 of the user, language, compile command
 * and source; built aside and renamed into place, the oldest evicted over
 * judge.compile_cache_mb), and the box made fresh from the build kept in
 * pristine/ before each test.  See judge.c for the run's layout. */
#include "judge_int.h"

#include "log.h"
#include "privsep.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

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
int judge_box_reset(struct ac_judge_ctx *ctx, const char *box,
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
bool judge_box_full(const char *box)
{
	struct statvfs sv;

	return statvfs(box, &sv) == 0 && sv.f_bavail == 0;
}

void judge_cache_key(const struct ac_lang_info *lang,
                     const struct ac_judge_job *job, char *hex, size_t hexlen)
{
	crypto_hash_sha256_state h;
	unsigned char d[crypto_hash_sha256_BYTES];
	uint64_t n = job->src.code_len;
	static const unsigned char zero;

#define JUDGE_H(s)                                                             \
	crypto_hash_sha256_update(&h, (const unsigned char *)(s), strlen(s) + 1)
	crypto_hash_sha256_init(&h);
	JUDGE_H("algocode compile cache 2");
	/* Per user: a hit must not tell anyone that someone else already
	 * submitted this very source (docs/security.md). */
	JUDGE_H(job->src.user_id ? job->src.user_id : "");
	JUDGE_H(lang->name);
	JUDGE_H(lang->version ? lang->version : "");
	JUDGE_H(lang->source_file);
	for (size_t i = 0; lang->compile_argv[i]; i++)
		JUDGE_H(lang->compile_argv[i]);
	crypto_hash_sha256_update(&h, &zero, 1);
	crypto_hash_sha256_update(&h, (const unsigned char *)&n, sizeof(n));
	crypto_hash_sha256_update(&h, (const unsigned char *)job->src.code,
	                          job->src.code_len);
	crypto_hash_sha256_final(&h, d);
#undef JUDGE_H
	sodium_bin2hex(hex, hexlen, d, sizeof(d));
}

/* A hit: copy the entry's files into the box, its log into *log and the
 * original compile's time into *time_ms (a hit looks like a compile). */
int judge_cache_get(struct ac_judge_ctx *ctx, const char *key, const char *box,
                    char **source, char **log, uint64_t *time_ms)
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
void judge_cache_put(struct ac_judge_ctx *ctx, const char *key, const char *box,
                     char **source, const char *log, uint64_t time_ms)
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
