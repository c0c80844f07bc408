/* Store conformance suite: the same tests for every store plugin.
 *
 *   check_store PLUGIN        (or AC_STORE_PLUGIN=PLUGIN check_store)
 *
 * The plugin is dlopen()ed from $top_builddir/plugins-build/store/ and gets
 * its settings from AC_STORE_CONF, "key=value" pairs separated by ';'
 * (e.g. "path=/tmp/x.db" or "mongo=mongodb://...;redis=redis://...").
 * The test host runs a real event loop on its own thread (run_on_loop works
 * as in the daemon) and runs submit_work synchronously.  Every op of
 * struct ac_store_ops is covered, including concurrency from several
 * threads; ids are unique per process so runs may share a database.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include <algocode/plugin.h>

#include "../host_stub.h"
/* st_user_clear and st_rows_free: what the core does with the users and
 * rows a store hands back (free each member). */
#include "st_common.h"

#include "../check_run.h"

#define NTHREADS 8

/* ------------------------------------------------------------ test host */

/* th_host and struct ac_plugin_ctx: host_stub.h. */

static const char *plugin_name;

/* ------------------------------------------------------------ fixture */

static void *dl;
static const struct ac_plugin *desc;
static const struct ac_store_ops *ops;
static struct ac_plugin_ctx ctx;
static char **conf;      /* ctx.conf: "key=value" from $AC_STORE_CONF */
static char log_tag[80]; /* "store/<plugin>" */
static void *st;
static pthread_t loop_thread;
static bool loop_running;
static char uniq[64]; /* per process: ids never collide across runs */
static atomic_uint counter;

static void *loop_main(void *arg)
{
	(void)arg;
	event_base_loop(ctx.base, EVLOOP_NO_EXIT_ON_EMPTY);
	return NULL;
}

static void parse_conf(void)
{
	const char *env = getenv("AC_STORE_CONF");
	char *copy, *save = NULL;
	size_t n = 0;

	conf = calloc(64, sizeof(char *));
	ck_assert_ptr_nonnull(conf);
	ctx.conf = (const char *const *)conf;
	if (!env)
		return;
	copy = strdup(env);
	ck_assert_ptr_nonnull(copy);
	for (char *t = strtok_r(copy, ";", &save); t && n < 63;
	     t = strtok_r(NULL, ";", &save))
		if (*t)
			conf[n++] = strdup(t);
	free(copy);
}

static void store_open(void)
{
	void **init_state = &st;
	const struct ac_store_ops *o = ops;

	st = (void *)0x1; /* init must reset it */
	ck_assert_int_eq(o->init(&th_host, &ctx, init_state), 0);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(pthread_create(&loop_thread, NULL, loop_main, NULL),
	                 0);
	loop_running = true;
}

static void store_close(void)
{
	if (loop_running) {
		event_base_loopexit(ctx.base, NULL);
		pthread_join(loop_thread, NULL);
		loop_running = false;
	}
	/* Whatever the loop had not run yet runs now (as the daemon's pool
	 * does at shutdown). */
	event_base_loop(ctx.base, EVLOOP_NONBLOCK);
	if (st)
		ops->fini(st);
	st = NULL;
}

/* Set in each test's process (Check forks one per test). */
static void new_uniq(void)
{
	unsigned char rnd[4] = {0};
	FILE *f = fopen("/dev/urandom", "rb");

	if (f) {
		if (fread(rnd, 1, sizeof(rnd), f) != sizeof(rnd))
			rnd[0] = 0;
		fclose(f);
	}
	snprintf(uniq, sizeof(uniq), "%ld%02x%02x%02x%02x", (long)getpid(),
	         rnd[0], rnd[1], rnd[2], rnd[3]);
	atomic_store(&counter, 0);
}

static void setup(void)
{
	const char *top = getenv("top_builddir");
	char path[4096];

	ck_assert_int_eq(evthread_use_pthreads(), 0);
	new_uniq();
	snprintf(path, sizeof(path), "%s/plugins-build/store/%s.so",
	         top ? top : ".", plugin_name);
	ck_assert_msg(access(path, R_OK) == 0, "%s is missing", path);
	dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	ck_assert_msg(dl, "dlopen %s: %s", path, dlerror());
	desc = dlsym(dl, AC_PLUGIN_SYMBOL);
	ck_assert_ptr_nonnull(desc);
	ops = desc->ops;
	memset(&ctx, 0, sizeof(ctx));
	snprintf(log_tag, sizeof(log_tag), "store/%s", plugin_name);
	th_ctx_init(&ctx, log_tag);
	ctx.settings = desc->abi_minor >= 2 ? desc->settings : NULL;
	ctx.debug_env = "AC_STORE_DEBUG";
	parse_conf();
	ctx.base = event_base_new();
	ck_assert_ptr_nonnull(ctx.base);
	store_open();
}

static void teardown(void)
{
	store_close();
	event_base_free(ctx.base);
	for (char **p = conf; p && *p; p++)
		free(*p);
	free(conf);
	conf = NULL;
	th_ctx_fini(&ctx);
	dlclose(dl);
}

/* A fresh id: "<tag>-<process>-<n>". */
static void new_id(char *buf, size_t len, const char *tag)
{
	snprintf(buf, len, "%s-%s-%u", tag, uniq,
	         atomic_fetch_add(&counter, 1));
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Submitted at `at` (ms): the outbox tests put theirs far in the past, so
 * that a cutoff just above it selects this test's submissions, never the
 * other tests' (put_sub: made now). */
static int put_sub_at(const char *id, const char *user, int64_t at,
                      const char *hash, bool all_tests)
{
	struct ac_submission s = {
	        .id = id,
	        .problem_id = "hello",
	        .lang = "python3",
	        .user_id = user,
	        .code = "print(1)\0tail",
	        .code_len = 13,
	        .submitted_at = at,
	        .problem_hash = hash,
	        .all_tests = all_tests,
	};

	return ops->put_submission(st, &s);
}

static int put_sub(const char *id, const char *user)
{
	return put_sub_at(id, user, now_ms(), NULL, false);
}

/* ------------------------------------------------------------ descriptor */

START_TEST(descriptor)
{
	ck_assert_uint_eq(desc->abi, AC_ABI_VERSION);
	ck_assert_int_eq(desc->kind, AC_KIND_STORE);
	ck_assert_str_eq(desc->name, plugin_name);
	ck_assert_ptr_nonnull(desc->description);
	ck_assert_ptr_nonnull(ops->put_submission);
	ck_assert_ptr_nonnull(ops->put_result);
	ck_assert_ptr_nonnull(ops->get_result);
	ck_assert_ptr_nonnull(ops->rate_take);
	ck_assert_ptr_nonnull(ops->put_user);
	ck_assert_ptr_nonnull(ops->get_user);
	ck_assert_ptr_nonnull(ops->put_refresh);
	ck_assert_ptr_nonnull(ops->use_refresh);
	ck_assert_ptr_nonnull(ops->revoke_refresh);
	ck_assert_ptr_nonnull(ops->claim_pending);
}
END_TEST

/* ------------------------------------------------------------ submissions */

/* get_result of ID returns RET with JSON and OWNER (NULL: none). */
static void expect_result(const char *id, int ret, const char *json,
                          const char *owner)
{
	char *got_json = NULL, *got_owner = NULL;

	ck_assert_int_eq(ops->get_result(st, id, &got_json, &got_owner), ret);
	if (json)
		ck_assert_str_eq(got_json, json);
	else
		ck_assert_ptr_null(got_json);
	if (owner) {
		ck_assert_ptr_nonnull(got_owner);
		ck_assert_str_eq(got_owner, owner);
	} else {
		ck_assert_ptr_null(got_owner);
	}
	free(got_json);
	free(got_owner);
}

START_TEST(submission_lifecycle)
{
	char id[96], user[96];
	char *json = NULL;

	new_id(id, sizeof(id), "sub");
	new_id(user, sizeof(user), "user");
	expect_result(id, -ENOENT, NULL, NULL);
	ck_assert_int_eq(put_sub(id, user), 0);
	/* Pending: the owner is known already. */
	expect_result(id, -EAGAIN, NULL, user);
	ck_assert_int_eq(ops->put_result(st, id, "{\"verdict_code\":\"AC\"}"),
	                 0);
	for (int i = 0; i < 3; i++) { /* MongoDB, then the cache */
		expect_result(id, 0, "{\"verdict_code\":\"AC\"}", user);
		usleep(50000);
	}
	/* owner may be NULL. */
	ck_assert_int_eq(ops->get_result(st, id, &json, NULL), 0);
	free(json);
}
END_TEST

START_TEST(submission_without_user)
{
	char id[96];
	char *json = NULL, *owner = (char *)"x";

	new_id(id, sizeof(id), "anon");
	ck_assert_int_eq(put_sub(id, NULL), 0);
	ck_assert_int_eq(ops->get_result(st, id, &json, &owner), -EAGAIN);
	ck_assert_ptr_null(owner);
	ck_assert_int_eq(ops->put_result(st, id, "{}"), 0);
	expect_result(id, 0, "{}", NULL);
}
END_TEST

START_TEST(submission_duplicate)
{
	char id[96];

	new_id(id, sizeof(id), "dup");
	ck_assert_int_eq(put_sub(id, "u1"), 0);
	ck_assert_int_eq(put_sub(id, "u2"), -EEXIST);
}
END_TEST

START_TEST(submission_invalid)
{
	char big[400];
	struct ac_submission s = {.id = "x", .problem_id = "p", .lang = "cpp"};
	char *json = NULL, *owner = NULL;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(ops->put_submission(st, NULL), -EINVAL);
	s.id = "";
	ck_assert_int_eq(ops->put_submission(st, &s), -EINVAL);
	s.id = big;
	ck_assert_int_eq(ops->put_submission(st, &s), -EINVAL);
	s.id = "ok-id";
	s.problem_id = NULL;
	ck_assert_int_eq(ops->put_submission(st, &s), -EINVAL);
	s.problem_id = "p";
	s.code = NULL;
	s.code_len = 5;
	ck_assert_int_eq(ops->put_submission(st, &s), -EINVAL);
	ck_assert_int_eq(ops->put_result(st, "", "{}"), -EINVAL);
	ck_assert_int_eq(ops->put_result(st, big, "{}"), -EINVAL);
	ck_assert_int_eq(ops->put_result(st, "x", NULL), -EINVAL);
	ck_assert_int_eq(ops->get_result(st, "", &json, &owner), -ENOENT);
	ck_assert_int_eq(ops->get_result(st, big, &json, &owner), -ENOENT);
}
END_TEST

START_TEST(result_idempotent)
{
	char id[96];

	new_id(id, sizeof(id), "idem");
	ck_assert_int_eq(put_sub(id, "alice"), 0);
	ck_assert_int_eq(ops->put_result(st, id, "{\"n\":1}"), 0);
	ck_assert_int_eq(ops->put_result(st, id, "{\"n\":2}"), 0);
	ck_assert_int_eq(ops->put_result(st, id, "{\"n\":1}"), 0);
	for (int i = 0; i < 3; i++) {
		expect_result(id, 0, "{\"n\":1}", "alice");
		usleep(30000);
	}
}
END_TEST

/* A result may arrive for a submission made through another api process
 * that this store has not seen (yet): it is kept. */
START_TEST(result_orphan)
{
	char id[96];

	new_id(id, sizeof(id), "orphan");
	ck_assert_int_eq(ops->put_result(st, id, "{\"o\":true}"), 0);
	expect_result(id, 0, "{\"o\":true}", NULL);
}
END_TEST

START_TEST(result_large)
{
	size_t n = 1 << 20;
	char *doc = malloc(n + 32), *json = NULL, *owner = NULL;
	char id[96];
	size_t len;

	ck_assert_ptr_nonnull(doc);
	len = (size_t)sprintf(doc, "{\"log\":\"");
	memset(doc + len, 'x', n);
	strcpy(doc + len + n, "\"}");
	new_id(id, sizeof(id), "large");
	ck_assert_int_eq(put_sub(id, "bob"), 0);
	ck_assert_int_eq(ops->put_result(st, id, doc), 0);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(ops->get_result(st, id, &json, &owner), 0);
		ck_assert_uint_eq(strlen(json), strlen(doc));
		ck_assert_int_eq(strcmp(json, doc), 0);
		free(json);
		free(owner);
		usleep(50000);
	}
	free(doc);
}
END_TEST

struct race {
	char id[96];
	int idx;
	int rc;
};

static void *race_submission(void *arg)
{
	struct race *r = arg;

	r->rc = put_sub(r->id, r->idx % 2 ? "odd" : "even");
	return NULL;
}

static void *race_result(void *arg)
{
	struct race *r = arg;
	char doc[64];

	snprintf(doc, sizeof(doc), "{\"writer\":%d}", r->idx);
	r->rc = ops->put_result(st, r->id, doc);
	return NULL;
}

/* NTHREADS threads at once, thread i running FN on &ARR[i]; returns once
 * every one has ended. */
#define RUN_THREADS(arr, fn) run_threads((arr), sizeof((arr)[0]), (fn))

static void run_threads(void *arr, size_t size, void *(*fn)(void *))
{
	pthread_t t[NTHREADS];

	for (int i = 0; i < NTHREADS; i++)
		ck_assert_int_eq(
		        pthread_create(&t[i], NULL, fn, (char *)arr + i * size),
		        0);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
}

START_TEST(concurrent_same_submission)
{
	struct race r[NTHREADS];
	char id[96];
	int ok = 0, exists = 0;

	new_id(id, sizeof(id), "race");
	for (int i = 0; i < NTHREADS; i++) {
		snprintf(r[i].id, sizeof(r[i].id), "%s", id);
		r[i].idx = i;
	}
	RUN_THREADS(r, race_submission);
	for (int i = 0; i < NTHREADS; i++) {
		ok += r[i].rc == 0;
		exists += r[i].rc == -EEXIST;
	}
	ck_assert_int_eq(ok, 1);
	ck_assert_int_eq(exists, NTHREADS - 1);
}
END_TEST

START_TEST(concurrent_results)
{
	struct race r[NTHREADS];
	char id[96], *first = NULL, *json = NULL, *owner = NULL;

	new_id(id, sizeof(id), "rres");
	ck_assert_int_eq(put_sub(id, "carol"), 0);
	for (int i = 0; i < NTHREADS; i++) {
		snprintf(r[i].id, sizeof(r[i].id), "%s", id);
		r[i].idx = i;
	}
	RUN_THREADS(r, race_result);
	for (int i = 0; i < NTHREADS; i++)
		ck_assert_int_eq(r[i].rc, 0);
	/* One of them won, and it stays the answer. */
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(ops->get_result(st, id, &json, &owner), 0);
		ck_assert_str_eq(owner, "carol");
		ck_assert_ptr_nonnull(strstr(json, "{\"writer\":"));
		if (!first)
			first = strdup(json);
		else
			ck_assert_str_eq(json, first);
		free(json);
		free(owner);
		usleep(50000);
	}
	free(first);
}
END_TEST

struct many {
	int idx, rc_put, rc_res, rc_get;
};

static void *many_worker(void *arg)
{
	struct many *m = arg;

	for (int i = 0; i < 25; i++) {
		char id[96], doc[64], *json = NULL, *owner = NULL;

		new_id(id, sizeof(id), "many");
		snprintf(doc, sizeof(doc), "{\"id\":\"%s\"}", id);
		if (put_sub(id, "dave") != 0)
			m->rc_put++;
		if (ops->put_result(st, id, doc) != 0)
			m->rc_res++;
		if (ops->get_result(st, id, &json, &owner) != 0 ||
		    strcmp(json, doc) != 0 || strcmp(owner, "dave") != 0)
			m->rc_get++;
		free(json);
		free(owner);
	}
	return NULL;
}

START_TEST(concurrent_many)
{
	struct many m[NTHREADS];

	memset(m, 0, sizeof(m));
	RUN_THREADS(m, many_worker);
	for (int i = 0; i < NTHREADS; i++) {
		ck_assert_int_eq(m[i].rc_put, 0);
		ck_assert_int_eq(m[i].rc_res, 0);
		ck_assert_int_eq(m[i].rc_get, 0);
	}
}
END_TEST

/* Everything survives a restart of the store. */
START_TEST(reopen)
{
	char id[96], pend[96], user[96], jti[96];
	char *json = NULL, *owner = NULL, *uid = NULL;
	struct ac_user u = {0}, got;

	new_id(id, sizeof(id), "keep");
	new_id(pend, sizeof(pend), "keep-pending");
	new_id(user, sizeof(user), "keep-user");
	new_id(jti, sizeof(jti), "keep-jti");
	ck_assert_int_eq(put_sub(id, user), 0);
	ck_assert_int_eq(put_sub(pend, user), 0);
	ck_assert_int_eq(ops->put_result(st, id, "{\"kept\":1}"), 0);
	u.id = user;
	u.username = user;
	u.email = jti; /* unique enough */
	u.password_hash = "$argon2id$x";
	ck_assert_int_eq(ops->put_user(st, &u), 0);
	ck_assert_int_eq(ops->put_refresh(st, jti, user, now_ms() / 1000 + 60),
	                 0);
	store_close();
	store_open();
	expect_result(id, 0, "{\"kept\":1}", user);
	ck_assert_int_eq(ops->get_result(st, pend, &json, &owner), -EAGAIN);
	free(owner);
	ck_assert_int_eq(put_sub(id, user), -EEXIST);
	ck_assert_int_eq(ops->get_user(st, AC_USER_BY_ID, user, &got), 0);
	ck_assert_str_eq(got.username, user);
	free(got.id);
	free(got.username);
	free(got.email);
	free(got.password_hash);
	free(got.first_name);
	free(got.last_name);
	ck_assert_int_eq(ops->use_refresh(st, jti, now_ms() / 1000, &uid), 0);
	ck_assert_str_eq(uid, user);
	free(uid);
}
END_TEST

/* ------------------------------------------------------------ outbox */

static void pending_free(struct ac_pending *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].problem_id);
		free(v[i].problem_hash);
		free(v[i].lang);
		free(v[i].user_id);
		free(v[i].code);
	}
	free(v);
}

/* Index of id in v, or -1. */
static int pending_find(const struct ac_pending *v, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].id, id) == 0)
			return (int)i;
	return -1;
}

/* Claimed by put_submission's time only when older than the cutoff, oldest
 * first, with everything a job needs; once claimed, not again until the
 * cutoff passes the claim; never with a result. */
START_TEST(claim_pending)
{
	/* A distinct millisecond range per process (runs may share a
	 * database). */
	int64_t base = 1000000 + (int64_t)(getpid() % 100000) * 100;
	int64_t now = now_ms();
	char a[96], b[96], c[96], done[96], early[96], recent[96];
	struct ac_pending *v = NULL;
	size_t n = 0;
	int ia, ib, ic;

	new_id(a, sizeof(a), "pend-a");
	new_id(b, sizeof(b), "pend-b");
	new_id(c, sizeof(c), "pend-c");
	new_id(done, sizeof(done), "pend-done");
	new_id(early, sizeof(early), "pend-early");
	new_id(recent, sizeof(recent), "pend-recent");
	/* Inserted out of order: claims come oldest first. */
	ck_assert_int_eq(put_sub_at(c, "carol", base + 3, "h3", false), 0);
	ck_assert_int_eq(put_sub_at(a, "alice", base + 1, "h1", true), 0);
	ck_assert_int_eq(put_sub_at(b, NULL, base + 2, NULL, false), 0);
	ck_assert_int_eq(put_sub_at(done, "dan", base + 1, "h", false), 0);
	ck_assert_int_eq(ops->put_result(st, done, "{\"d\":1}"), 0);
	/* A result that arrived before its submission. */
	ck_assert_int_eq(ops->put_result(st, early, "{\"e\":1}"), 0);
	ck_assert_int_eq(put_sub_at(early, "eve", base + 1, "h", false), 0);
	ck_assert_int_eq(put_sub_at(recent, "rob", now, "h", false), 0);

	ck_assert_int_eq(ops->claim_pending(st, base + 10, now, 100, &v, &n),
	                 0);
	ia = pending_find(v, n, a);
	ib = pending_find(v, n, b);
	ic = pending_find(v, n, c);
	ck_assert_int_ge(ia, 0);
	ck_assert_int_ge(ib, 0);
	ck_assert_int_ge(ic, 0);
	ck_assert_int_lt(ia, ib);
	ck_assert_int_lt(ib, ic);
	ck_assert_int_eq(pending_find(v, n, done), -1);
	ck_assert_int_eq(pending_find(v, n, early), -1);
	ck_assert_int_eq(pending_find(v, n, recent), -1);
	ck_assert_str_eq(v[ia].problem_id, "hello");
	ck_assert_str_eq(v[ia].lang, "python3");
	ck_assert_str_eq(v[ia].user_id, "alice");
	ck_assert_str_eq(v[ia].problem_hash, "h1");
	ck_assert(v[ia].all_tests);
	ck_assert_uint_eq(v[ia].code_len, 13);
	ck_assert_int_eq(memcmp(v[ia].code, "print(1)\0tail", 13), 0);
	ck_assert_int_eq(v[ia].code[13], '\0');
	ck_assert_int_eq(v[ia].submitted_at, base + 1);
	ck_assert_uint_eq(v[ia].attempts, 2);
	ck_assert_ptr_null(v[ib].user_id);
	ck_assert_ptr_null(v[ib].problem_hash);
	ck_assert(!v[ib].all_tests);
	ck_assert_uint_eq(v[ic].attempts, 2);
	pending_free(v, n);

	/* Claimed now: not again before the cutoff passes the claim. */
	ck_assert_int_eq(ops->claim_pending(st, base + 10, now, 100, &v, &n),
	                 0);
	ck_assert_int_eq(pending_find(v, n, a), -1);
	ck_assert_int_eq(pending_find(v, n, c), -1);
	pending_free(v, n);
	ck_assert_int_eq(ops->claim_pending(st, now, now + 1, 100000, &v, &n),
	                 0);
	ck_assert_int_ge(pending_find(v, n, a), 0);
	ck_assert_int_ge(pending_find(v, n, recent), 0);
	ck_assert_uint_eq(v[pending_find(v, n, a)].attempts, 3);
	ck_assert_uint_eq(v[pending_find(v, n, recent)].attempts, 2);
	ck_assert_int_eq(pending_find(v, n, done), -1);
	ck_assert_int_eq(pending_find(v, n, early), -1);
	pending_free(v, n);

	/* With a result, never again; max bounds the batch. */
	ck_assert_int_eq(ops->put_result(st, a, "{\"a\":1}"), 0);
	ck_assert_int_eq(ops->claim_pending(st, now + 1, now + 2, 1, &v, &n),
	                 0);
	ck_assert_uint_le(n, 1);
	pending_free(v, n);
	ck_assert_int_eq(
	        ops->claim_pending(st, now + 2, now + 3, 100000, &v, &n), 0);
	ck_assert_int_eq(pending_find(v, n, a), -1);
	ck_assert_int_ge(pending_find(v, n, b), 0);
	pending_free(v, n);
	ck_assert_int_eq(ops->claim_pending(st, 0, now, 0, &v, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(ops->put_result(st, b, "{}"), 0);
	ck_assert_int_eq(ops->put_result(st, c, "{}"), 0);
	ck_assert_int_eq(ops->put_result(st, recent, "{}"), 0);
}
END_TEST

#define CLAIM_SUBS 40

struct claimer {
	int64_t cutoff, now;
	struct ac_pending *v;
	size_t n;
	int rc;
};

static void *claim_worker(void *arg)
{
	struct claimer *c = arg;

	c->rc = ops->claim_pending(st, c->cutoff, c->now, 7, &c->v, &c->n);
	return NULL;
}

/* Threads claiming at once (api processes sharing the store) never get
 * the same submission. */
START_TEST(claim_pending_concurrent)
{
	int64_t base = 50000000 + (int64_t)(getpid() % 100000) * 100;
	int64_t now = now_ms();
	char ids[CLAIM_SUBS][96];
	int seen[CLAIM_SUBS] = {0};
	struct claimer c[NTHREADS];

	for (int i = 0; i < CLAIM_SUBS; i++) {
		new_id(ids[i], sizeof(ids[i]), "claim");
		ck_assert_int_eq(put_sub_at(ids[i], "u", base + i, "h", false),
		                 0);
	}
	/* Rounds until one claims nothing (claimers that read the same
	 * candidates share them out: a round may claim few). */
	for (int round = 0, got = 1; got && round < 40; round++) {
		got = 0;
		for (int i = 0; i < NTHREADS; i++) {
			memset(&c[i], 0, sizeof(c[i]));
			c[i].cutoff = base + CLAIM_SUBS;
			c[i].now = now;
		}
		RUN_THREADS(c, claim_worker);
		for (int i = 0; i < NTHREADS; i++) {
			ck_assert_int_eq(c[i].rc, 0);
			for (int k = 0; k < CLAIM_SUBS; k++)
				if (pending_find(c[i].v, c[i].n, ids[k]) >= 0) {
					seen[k]++;
					got++;
				}
			pending_free(c[i].v, c[i].n);
		}
	}
	/* Each claimed exactly once. */
	for (int k = 0; k < CLAIM_SUBS; k++) {
		ck_assert_int_eq(seen[k], 1);
		ck_assert_int_eq(ops->put_result(st, ids[k], "{}"), 0);
	}
}
END_TEST

/* ------------------------------------------------------------ rate limits */

START_TEST(rate_burst_and_refill)
{
	char key[96];
	int64_t t0 = 1700000000000LL, retry = -1;

	new_id(key, sizeof(key), "rate");
	/* burst 3, one token every 20 s (the original's limit) */
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(ops->rate_take(st, key, 3, 0.05, t0, &retry),
		                 0);
		ck_assert_int_eq(retry, 0);
	}
	ck_assert_int_eq(ops->rate_take(st, key, 3, 0.05, t0, &retry), -EAGAIN);
	ck_assert_int_eq(retry, 20000);
	ck_assert_int_eq(ops->rate_take(st, key, 3, 0.05, t0 + 5000, &retry),
	                 -EAGAIN);
	ck_assert_int_eq(retry, 15000);
	/* A clock going backwards adds nothing. */
	ck_assert_int_eq(ops->rate_take(st, key, 3, 0.05, t0 - 60000, &retry),
	                 -EAGAIN);
	ck_assert_int_eq(ops->rate_take(st, key, 3, 0.05, t0 + 20000, &retry),
	                 0);
	ck_assert_int_eq(ops->rate_take(st, key, 3, 0.05, t0 + 20000, &retry),
	                 -EAGAIN);
	ck_assert_int_eq(retry, 20000);
	/* A long pause refills to the burst, no more. */
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(
		        ops->rate_take(st, key, 3, 0.05, t0 + 3600000, &retry),
		        0);
	ck_assert_int_eq(ops->rate_take(st, key, 3, 0.05, t0 + 3600000, &retry),
	                 -EAGAIN);
	/* Another key has its own bucket; retry_after_ms may be NULL. */
	new_id(key, sizeof(key), "rate");
	ck_assert_int_eq(ops->rate_take(st, key, 1, 1, t0, NULL), 0);
	ck_assert_int_eq(ops->rate_take(st, key, 1, 1, t0, NULL), -EAGAIN);
	ck_assert_int_eq(ops->rate_take(st, key, 1, 1, t0 + 1000, NULL), 0);
}
END_TEST

START_TEST(rate_invalid)
{
	int64_t retry;

	ck_assert_int_eq(ops->rate_take(st, "", 3, 1, 0, &retry), -EINVAL);
	ck_assert_int_eq(ops->rate_take(st, "k", 0.5, 1, 0, &retry), -EINVAL);
	ck_assert_int_eq(ops->rate_take(st, "k", 3, 0, 0, &retry), -EINVAL);
	ck_assert_int_eq(ops->rate_take(st, "k", 3, -1, 0, &retry), -EINVAL);
}
END_TEST

struct rate_race {
	const char *key;
	int64_t now;
	int taken, limited, other;
};

static void *rate_worker(void *arg)
{
	struct rate_race *r = arg;

	for (int i = 0; i < 10; i++) {
		int64_t retry;
		int rc = ops->rate_take(st, r->key, 5, 1e-6, r->now, &retry);

		if (rc == 0)
			r->taken++;
		else if (rc == -EAGAIN)
			r->limited++;
		else
			r->other++;
	}
	return NULL;
}

/* Several threads (think: api processes) share one bucket: exactly
 * `burst` of 80 attempts succeed. */
START_TEST(rate_concurrent)
{
	struct rate_race r[NTHREADS];
	char key[96];
	int taken = 0, limited = 0;

	new_id(key, sizeof(key), "rrace");
	memset(r, 0, sizeof(r));
	for (int i = 0; i < NTHREADS; i++) {
		r[i].key = key;
		r[i].now = 1700000000000LL;
	}
	RUN_THREADS(r, rate_worker);
	for (int i = 0; i < NTHREADS; i++) {
		ck_assert_int_eq(r[i].other, 0);
		taken += r[i].taken;
		limited += r[i].limited;
	}
	ck_assert_int_eq(taken, 5);
	ck_assert_int_eq(limited, NTHREADS * 10 - 5);
}
END_TEST

/* ------------------------------------------------------------ users */

START_TEST(users)
{
	char id[96], name[96], email[160], upper[160], key[160];
	struct ac_user u = {0}, got;
	const enum ac_user_key by[] = {AC_USER_BY_ID, AC_USER_BY_USERNAME,
	                               AC_USER_BY_EMAIL, AC_USER_BY_EMAIL};

	new_id(id, sizeof(id), "uid");
	new_id(name, sizeof(name), "name");
	snprintf(email, sizeof(email), "%s@example.org", name);
	snprintf(upper, sizeof(upper), "%s@Example.ORG", name);
	u.id = id;
	u.username = name;
	u.email = upper; /* stored lower-case */
	u.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$abc$def";
	u.first_name = "Ada";
	u.last_name = "Lovelace";
	u.created_at = 1700000000123LL;
	ck_assert_int_eq(ops->put_user(st, &u), 0);
	for (size_t i = 0; i < sizeof(by) / sizeof(*by); i++) {
		const char *k = i == 0   ? id
		                : i == 1 ? name
		                : i == 2 ? upper
		                         : email;

		snprintf(key, sizeof(key), "%s", k);
		ck_assert_int_eq(ops->get_user(st, by[i], key, &got), 0);
		ck_assert_str_eq(got.id, id);
		ck_assert_str_eq(got.username, name);
		ck_assert_str_eq(got.email, email);
		ck_assert_str_eq(got.password_hash, u.password_hash);
		ck_assert_str_eq(got.first_name, "Ada");
		ck_assert_str_eq(got.last_name, "Lovelace");
		ck_assert_int_eq(got.created_at, 1700000000123LL);
		st_user_clear(&got);
	}
	ck_assert_int_eq(ops->get_user(st, AC_USER_BY_ID, "no-such-user", &got),
	                 -ENOENT);
	ck_assert_int_eq(
	        ops->get_user(st, AC_USER_BY_EMAIL, "nobody@example.org", &got),
	        -ENOENT);
	ck_assert_int_eq(ops->get_user(st, AC_USER_BY_USERNAME, "", &got),
	                 -ENOENT);
	/* Same username, other e-mail and id. */
	{
		char id2[96], e2[96];

		new_id(id2, sizeof(id2), "uid");
		new_id(e2, sizeof(e2), "mail");
		u.id = id2;
		u.email = e2;
		ck_assert_int_eq(ops->put_user(st, &u), -EEXIST);
		/* Same e-mail (other case), other username and id. */
		u.username = e2;
		u.email = email;
		ck_assert_int_eq(ops->put_user(st, &u), -EEXIST);
		/* Same id. */
		u.id = id;
		u.email = e2;
		ck_assert_int_eq(ops->put_user(st, &u), -EEXIST);
		/* Empty names are fine, NULL names read back as "". */
		u.id = id2;
		u.first_name = u.last_name = NULL;
		ck_assert_int_eq(ops->put_user(st, &u), 0);
		ck_assert_int_eq(ops->get_user(st, AC_USER_BY_ID, id2, &got),
		                 0);
		ck_assert_str_eq(got.first_name, "");
		ck_assert_str_eq(got.last_name, "");
		st_user_clear(&got);
	}
	u.id = NULL;
	ck_assert_int_eq(ops->put_user(st, &u), -EINVAL);
	ck_assert_int_eq(ops->put_user(st, NULL), -EINVAL);
}
END_TEST

struct reg {
	char id[96], name[96];
	const char *email;
	int rc;
};

static void *register_worker(void *arg)
{
	struct reg *r = arg;
	struct ac_user u = {
	        .id = r->id,
	        .username = r->name,
	        .email = (char *)r->email,
	        .password_hash = "h",
	};

	r->rc = ops->put_user(st, &u);
	return NULL;
}

START_TEST(users_concurrent_email)
{
	struct reg r[NTHREADS];
	char email[128];
	struct ac_user got;
	int ok = 0, exists = 0, winner = -1;

	new_id(email, sizeof(email), "race");
	strcat(email, "@example.org");
	for (int i = 0; i < NTHREADS; i++) {
		new_id(r[i].id, sizeof(r[i].id), "ruid");
		new_id(r[i].name, sizeof(r[i].name), "rname");
		r[i].email = email;
	}
	RUN_THREADS(r, register_worker);
	for (int i = 0; i < NTHREADS; i++) {
		if (r[i].rc == 0) {
			ok++;
			winner = i;
		}
		exists += r[i].rc == -EEXIST;
	}
	ck_assert_int_eq(ok, 1);
	ck_assert_int_eq(exists, NTHREADS - 1);
	ck_assert_int_eq(ops->get_user(st, AC_USER_BY_EMAIL, email, &got), 0);
	ck_assert_str_eq(got.id, r[winner].id);
	st_user_clear(&got);
	for (int i = 0; i < NTHREADS; i++)
		if (i != winner)
			ck_assert_int_eq(
			        ops->get_user(st, AC_USER_BY_ID, r[i].id, &got),
			        -ENOENT);
}
END_TEST

/* ------------------------------------------------------------ refresh */

static void make_user(char *id, size_t len)
{
	char mail[128];
	struct ac_user u = {0};

	new_id(id, len, "ruser");
	snprintf(mail, sizeof(mail), "%s@example.org", id);
	u.id = id;
	u.username = id;
	u.email = mail;
	u.password_hash = "h";
	ck_assert_int_eq(ops->put_user(st, &u), 0);
}

START_TEST(refresh_tokens)
{
	char user[96], other[96], j1[96], j2[96], j3[96], j4[96], jx[96];
	int64_t now = now_ms() / 1000;
	char *uid = NULL;

	make_user(user, sizeof(user));
	make_user(other, sizeof(other));
	new_id(j1, sizeof(j1), "jti");
	new_id(j2, sizeof(j2), "jti");
	new_id(j3, sizeof(j3), "jti");
	new_id(j4, sizeof(j4), "jti");
	new_id(jx, sizeof(jx), "jti");
	ck_assert_int_eq(ops->put_refresh(st, j1, user, now + 3600), 0);
	ck_assert_int_eq(ops->put_refresh(st, j1, user, now + 3600), -EEXIST);
	ck_assert_int_eq(ops->put_refresh(st, j2, "no-such-user", now + 3600),
	                 -ENOENT);
	/* Used once, then revoked (rotation). */
	ck_assert_int_eq(ops->use_refresh(st, j1, now, &uid), 0);
	ck_assert_str_eq(uid, user);
	free(uid);
	uid = NULL;
	ck_assert_int_eq(ops->use_refresh(st, j1, now, &uid), -EKEYREVOKED);
	ck_assert_ptr_null(uid);
	ck_assert_int_eq(ops->use_refresh(st, "no-such-jti", now, &uid),
	                 -ENOENT);
	/* Expired: valid strictly before expires_at. */
	ck_assert_int_eq(ops->put_refresh(st, j2, user, now - 1), 0);
	ck_assert_int_eq(ops->use_refresh(st, j2, now, &uid), -EKEYEXPIRED);
	ck_assert_int_eq(ops->put_refresh(st, jx, user, now), 0);
	ck_assert_int_eq(ops->use_refresh(st, jx, now, &uid), -EKEYEXPIRED);
	/* Revoked by jti. */
	ck_assert_int_eq(ops->put_refresh(st, j3, user, now + 3600), 0);
	ck_assert_int_eq(ops->revoke_refresh(st, j3, NULL), 0);
	ck_assert_int_eq(ops->use_refresh(st, j3, now, &uid), -EKEYREVOKED);
	/* Revoked by user: every token of user, none of other's. */
	new_id(j3, sizeof(j3), "jti");
	ck_assert_int_eq(ops->put_refresh(st, j3, user, now + 3600), 0);
	ck_assert_int_eq(ops->put_refresh(st, j4, other, now + 3600), 0);
	new_id(j1, sizeof(j1), "jti");
	ck_assert_int_eq(ops->put_refresh(st, j1, user, now + 3600), 0);
	ck_assert_int_eq(ops->revoke_refresh(st, NULL, user), 0);
	ck_assert_int_eq(ops->use_refresh(st, j3, now, &uid), -EKEYREVOKED);
	ck_assert_int_eq(ops->use_refresh(st, j1, now, &uid), -EKEYREVOKED);
	ck_assert_int_eq(ops->use_refresh(st, j4, now, &uid), 0);
	ck_assert_str_eq(uid, other);
	free(uid);
	/* Revoking twice or an unknown token is not an error. */
	ck_assert_int_eq(ops->revoke_refresh(st, j3, NULL), 0);
	ck_assert_int_eq(ops->revoke_refresh(st, "no-such-jti", NULL), 0);
	ck_assert_int_eq(ops->revoke_refresh(st, NULL, NULL), -EINVAL);
}
END_TEST

struct use_race {
	const char *jti;
	int64_t now;
	int rc;
	char *uid;
};

static void *use_worker(void *arg)
{
	struct use_race *u = arg;

	u->rc = ops->use_refresh(st, u->jti, u->now, &u->uid);
	return NULL;
}

START_TEST(refresh_concurrent_use)
{
	struct use_race u[NTHREADS];
	char user[96], jti[96];
	int ok = 0, revoked = 0;

	make_user(user, sizeof(user));
	new_id(jti, sizeof(jti), "cjti");
	ck_assert_int_eq(
	        ops->put_refresh(st, jti, user, now_ms() / 1000 + 3600), 0);
	memset(u, 0, sizeof(u));
	for (int i = 0; i < NTHREADS; i++) {
		u[i].jti = jti;
		u[i].now = now_ms() / 1000;
	}
	RUN_THREADS(u, use_worker);
	for (int i = 0; i < NTHREADS; i++) {
		if (u[i].rc == 0) {
			ok++;
			ck_assert_str_eq(u[i].uid, user);
		}
		revoked += u[i].rc == -EKEYREVOKED;
		free(u[i].uid);
	}
	ck_assert_int_eq(ok, 1);
	ck_assert_int_eq(revoked, NTHREADS - 1);
}
END_TEST

/* ------------------------------------------------------- submissions list */

/* A run's document (docs/api.md): stored like a result without a
 * submission, so that every api process finds it; the user named inside
 * it has no submission for it. */
START_TEST(result_run_unlisted)
{
	char id[96], user[96], doc[256];
	char *json = NULL, *owner = NULL;
	struct ac_submission_row *v = NULL;
	size_t n = 99, total = 99;

	ck_assert_ptr_nonnull(ops->list_submissions);
	new_id(id, sizeof(id), "run");
	new_id(user, sizeof(user), "runner");
	snprintf(doc, sizeof(doc),
	         "{\"run_id\":\"%s\",\"user_id\":\"%s\","
	         "\"verdict_code\":\"OK\"}",
	         id, user);
	ck_assert_int_eq(ops->put_result(st, id, doc), 0);
	ck_assert_int_eq(ops->put_result(st, id, "{\"second\":1}"), 0);
	for (int i = 0; i < 2; i++) { /* the second read may be cached */
		ck_assert_int_eq(ops->get_result(st, id, &json, &owner), 0);
		ck_assert_str_eq(json, doc);
		ck_assert_ptr_null(owner);
		free(json);
		usleep(30000);
	}
	ck_assert_int_eq(
	        ops->list_submissions(st, user, NULL, 0, 10, &v, &n, &total),
	        0);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(total, 0);
	st_rows_free(v, n);
}
END_TEST

#define ANY_TOTAL ((size_t)-1)

/* list_submissions of USER (PROBLEM: NULL, all) from SKIP, at most TAKE:
 * exactly the rows IDS (NULL-terminated), of TOTAL (ANY_TOTAL: not
 * checked). */
static void expect_list(const char *user, const char *problem, size_t skip,
                        size_t take, size_t total, const char *const *ids)
{
	struct ac_submission_row *v = NULL;
	size_t n = 99, got_total = 99, want = 0;

	ck_assert_int_eq(ops->list_submissions(st, user, problem, skip, take,
	                                       &v, &n, &got_total),
	                 0);
	while (ids[want])
		want++;
	ck_assert_uint_eq(n, want);
	if (total != ANY_TOTAL)
		ck_assert_uint_eq(got_total, total);
	for (size_t i = 0; i < want; i++)
		ck_assert_str_eq(v[i].id, ids[i]);
	st_rows_free(v, n);
}

/* Five submissions of one user (two problems, one with a result), one of
 * another user: newest first, filtered by problem, paged, counted. */
START_TEST(list_submissions)
{
	char user[96], other[96], ids[5][96], oid[96];
	struct ac_submission_row *v = NULL;
	size_t n = 99, total = 99;
	int64_t t0 = now_ms() - 100000;

	ck_assert_ptr_nonnull(ops->list_submissions);
	new_id(user, sizeof(user), "lister");
	new_id(other, sizeof(other), "other");
	for (int i = 0; i < 5; i++) {
		struct ac_submission s = {
		        .problem_id = i % 2 ? "odd" : "even",
		        .lang = "python3",
		        .user_id = user,
		        .code = "print(1)",
		        .code_len = 8,
		        .submitted_at = t0 + i * 1000,
		};

		new_id(ids[i], sizeof(ids[i]), "list");
		s.id = ids[i];
		ck_assert_int_eq(ops->put_submission(st, &s), 0);
	}
	new_id(oid, sizeof(oid), "list");
	ck_assert_int_eq(put_sub(oid, other), 0);
	ck_assert_int_eq(
	        ops->put_result(st, ids[3], "{\"verdict_code\":\"WA\"}"), 0);

	ck_assert_int_eq(
	        ops->list_submissions(st, user, NULL, 0, 10, &v, &n, &total),
	        0);
	ck_assert_uint_eq(n, 5);
	ck_assert_uint_eq(total, 5);
	for (int i = 0; i < 5; i++) {
		ck_assert_str_eq(v[i].id, ids[4 - i]);
		ck_assert_str_eq(v[i].lang, "python3");
		ck_assert_int_eq(v[i].submitted_at, t0 + (4 - i) * 1000);
	}
	ck_assert_str_eq(v[0].problem_id, "even");
	ck_assert_ptr_null(v[0].result_json);
	ck_assert_ptr_nonnull(v[1].result_json);
	ck_assert_ptr_nonnull(strstr(v[1].result_json, "WA"));
	st_rows_free(v, n);

	/* A page: skip 2, take 2. */
	expect_list(user, NULL, 2, 2, 5,
	            (const char *[]){ids[2], ids[1], NULL});
	/* One problem. */
	expect_list(user, "odd", 0, 10, 2,
	            (const char *[]){ids[3], ids[1], NULL});
	/* Beyond the end, nobody's, and the other user's own. */
	expect_list(user, NULL, 10, 10, 5, (const char *[]){NULL});
	expect_list("nobody-at-all", NULL, 0, 10, 0, (const char *[]){NULL});
	expect_list(other, NULL, 0, 10, ANY_TOTAL, (const char *[]){oid, NULL});
}
END_TEST

/* ------------------------------------------------------------ main */

static Suite *store_suite(void)
{
	Suite *s = suite_create("store");

	AC_TCASE(s, plugin_name, setup, teardown, 60, descriptor,
	         submission_lifecycle, submission_without_user,
	         submission_duplicate, submission_invalid, result_idempotent,
	         result_orphan, result_run_unlisted, result_large,
	         concurrent_same_submission, concurrent_results,
	         concurrent_many, reopen, claim_pending,
	         claim_pending_concurrent, rate_burst_and_refill, rate_invalid,
	         rate_concurrent, users, users_concurrent_email, refresh_tokens,
	         refresh_concurrent_use, list_submissions);
	return s;
}

int main(int argc, char **argv)
{
	plugin_name = argc > 1 ? argv[1] : getenv("AC_STORE_PLUGIN");
	if (!plugin_name || !plugin_name[0]) {
		fprintf(stderr, "usage: %s PLUGIN (or AC_STORE_PLUGIN=...)\n",
		        argv[0]);
		return 99;
	}
	return ac_check_run(store_suite());
}
