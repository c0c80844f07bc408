/* Unit tests of the real plugins: transport/inproc, store/sqlite, lang/cpp.
 *
 * Each test dlopen()s the built .so from $top_builddir/plugins-build/ (the
 * installed layout made by the Makefile's all-local), checks the descriptor
 * and drives its ops through a small host table implemented here: logs go
 * to stderr (the last warning/error is kept for assertions), settings come
 * from a key=value list, submit_work runs synchronously and run_on_loop uses
 * event_base_once.  Suites run only for configured plugins (AC_TEST_*), and
 * then a missing .so is a failure, not a skip.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#ifdef AC_TEST_SQLITE
#include <sqlite3.h>
#endif

#include <algocode/plugin.h>

#include "../check_run.h"
#include "../host_stub.h"

/* ------------------------------------------------------------ test host */

/* Helpers that a build with some plugins disabled may not use. */
#define TH_UNUSED __attribute__((unused))

/* th_host and struct ac_plugin_ctx: host_stub.h. */

/* A loaded plugin and its context. */
struct tp {
	void *dl;
	const struct ac_plugin *desc;
	struct ac_plugin_ctx ctx;
	void *state;
};

/* dlopen the built plugin and check its descriptor (th_plugin_open); no
 * init yet. */
TH_UNUSED static void tp_open(struct tp *p, enum ac_plugin_kind kind,
                              const char *name, const char *const *conf)
{
	memset(p, 0, sizeof(*p));
	p->desc = th_plugin_open(kind, name, &p->dl);
	p->ctx.conf = conf;
	th_ctx_init(&p->ctx, "plugin");
	p->ctx.settings = p->desc->settings;
}

/* The common ops sit first in every kind's table. */
struct tp_common {
	AC_PLUGIN_COMMON_OPS;
};

TH_UNUSED static int tp_init(struct tp *p)
{
	return th_plugin_init(p->desc, &p->ctx, &p->state);
}

TH_UNUSED static void tp_fini(struct tp *p)
{
	const struct tp_common *ops = p->desc->ops;

	ops->fini(p->state);
	p->state = NULL;
}

TH_UNUSED static void tp_close(struct tp *p)
{
	if (p->state)
		tp_fini(p);
	if (p->ctx.base)
		event_base_free(p->ctx.base);
	th_ctx_fini(&p->ctx);
	dlclose(p->dl);
	memset(p, 0, sizeof(*p));
}

TH_UNUSED static bool tp_logged(struct tp *p, const char *needle)
{
	return strstr(p->ctx.last_problem, needle) != NULL;
}

/* The last warning or error P logged must name NEEDLE. */
#define ck_assert_logged(p, needle)                                            \
	ck_assert_msg(tp_logged((p), (needle)), "log: %s",                     \
	              (p)->ctx.last_problem)

/* ------------------------------------------------------- temp directory */

TH_UNUSED static int rm_cb(const char *path, const struct stat *sb, int flag,
                           struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

TH_UNUSED static char *tmpdir_new(void)
{
	const char *base = getenv("TMPDIR");
	char *dir;

	ck_assert_int_gt(asprintf(&dir, "%s/ac-check-plugins-XXXXXX",
	                          base && *base ? base : "/tmp"),
	                 0);
	ck_assert_msg(mkdtemp(dir), "mkdtemp %s: %s", dir, strerror(errno));
	return dir;
}

TH_UNUSED static void tmpdir_free(char *dir)
{
	nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

/* ------------------------------------------------------------ sqlite */
#ifdef AC_TEST_SQLITE

struct sq_fixture {
	char *dir;
	char *db;
	char *conf_path;
	const char *conf[3];
	struct tp p;
	const struct ac_store_ops *ops;
};

static void sqf_setup(struct sq_fixture *f, const char *rel)
{
	memset(f, 0, sizeof(*f));
	f->dir = tmpdir_new();
	ck_assert_int_gt(asprintf(&f->db, "%s/%s", f->dir, rel), 0);
	ck_assert_int_gt(asprintf(&f->conf_path, "path=%s", f->db), 0);
	f->conf[0] = f->conf_path;
	f->conf[1] = "busy_timeout_ms=2000";
	f->conf[2] = NULL;
	tp_open(&f->p, AC_KIND_STORE, "sqlite", f->conf);
	f->ops = f->p.desc->ops;
}

static void sqf_teardown(struct sq_fixture *f)
{
	tp_close(&f->p);
	tmpdir_free(f->dir);
	free(f->db);
	free(f->conf_path);
}

static sqlite3 *sq_raw(const char *path)
{
	sqlite3 *db = NULL;

	ck_assert_int_eq(
	        sqlite3_open_v2(path, &db,
	                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
	                        NULL),
	        SQLITE_OK);
	sqlite3_busy_timeout(db, 2000);
	return db;
}

/* The first column of the first row as text ("" if none), malloc'ed. */
/* Run SQL on the store file of F before the plugin opens it. */
static void sq_prepare(struct sq_fixture *f, const char *sql)
{
	sqlite3 *db = sq_raw(f->db);

	ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static char *sq_query(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = NULL;
	char *out;

	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK,
	              "%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		out = strdup((const char *)sqlite3_column_text(s, 0));
	else
		out = strdup("");
	sqlite3_finalize(s);
	return out;
}

static void sq_expect(sqlite3 *db, const char *sql, const char *want)
{
	char *got = sq_query(db, sql);

	ck_assert_msg(strcmp(got, want) == 0, "%s: got \"%s\", want \"%s\"",
	              sql, got, want);
	free(got);
}

static void sq_submit(struct sq_fixture *f, const char *id, const char *user)
{
	static const char code[] = "int main() { return 0; }\n";
	struct ac_submission s = {
	        .id = id,
	        .problem_id = "hello",
	        .lang = "cpp",
	        .user_id = user,
	        .code = code,
	        .code_len = sizeof(code) - 1,
	        .submitted_at = 1700000000000LL,
	};

	ck_assert_int_eq(f->ops->put_submission(f->p.state, &s), 0);
}

/* get_result of ID returns RET, with JSON and OWNER (NULL: none). */
static void sq_expect_result(struct sq_fixture *f, const char *id, int ret,
                             const char *json, const char *owner)
{
	char *got_json = NULL, *got_owner = NULL;

	ck_assert_int_eq(
	        f->ops->get_result(f->p.state, id, &got_json, &got_owner), ret);
	if (json)
		ck_assert_str_eq(got_json, json);
	else
		ck_assert_ptr_null(got_json);
	if (owner)
		ck_assert_str_eq(got_owner, owner);
	else
		ck_assert_ptr_null(got_owner);
	free(got_json);
	free(got_owner);
}

START_TEST(sqlite_schema_created)
{
	struct sq_fixture f;
	struct stat sb;
	sqlite3 *db;

	/* The parent directories do not exist yet. */
	sqf_setup(&f, "state/sub/algocode.db");
	ck_assert_int_eq(tp_init(&f.p), 0);
	ck_assert_ptr_nonnull(f.p.state);
	ck_assert_int_eq(stat(f.db, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	{
		char *parent;

		ck_assert_int_gt(asprintf(&parent, "%s/state/sub", f.dir), 0);
		ck_assert_int_eq(stat(parent, &sb), 0);
		ck_assert(S_ISDIR(sb.st_mode));
		ck_assert_int_eq(sb.st_mode & 0777, 0700);
		free(parent);
	}
	db = sq_raw(f.db);
	sq_expect(db, "PRAGMA journal_mode", "wal");
	sq_expect(db, "SELECT group_concat(version) FROM schema_version", "2");
	sq_expect(db,
	          "SELECT group_concat(name, ',') FROM (SELECT name FROM "
	          "sqlite_master WHERE type = 'table' ORDER BY name)",
	          "rate_buckets,refresh_tokens,results,schema_version,"
	          "submissions,users");
	/* The columns the api and auth roles rely on. */
	sq_expect(db,
	          "SELECT count(*) FROM pragma_table_info('users') WHERE name "
	          "IN ('id','username','email','password_hash','first_name',"
	          "'last_name','created_at')",
	          "7");
	sq_expect(db,
	          "SELECT count(*) FROM pragma_table_info('submissions') WHERE "
	          "name IN ('id','problem_id','lang','user_id','code',"
	          "'submitted_at','status')",
	          "7");
	sqlite3_close(db);
	sqf_teardown(&f);
}
END_TEST

START_TEST(sqlite_path_required)
{
	struct tp p;
	const char *conf[] = {NULL};

	tp_open(&p, AC_KIND_STORE, "sqlite", conf);
	ck_assert_int_lt(tp_init(&p), 0);
	ck_assert_ptr_null(p.state);
	ck_assert_logged(&p, "store.path");
	tp_close(&p);
}
END_TEST

START_TEST(sqlite_reopen)
{
	struct sq_fixture f;
	sqlite3 *db;

	sqf_setup(&f, "a.db");
	ck_assert_int_eq(tp_init(&f.p), 0);
	sq_submit(&f, "s1", "u1");
	ck_assert_int_eq(f.ops->put_result(f.p.state, "s1", "{\"x\":1}"), 0);
	sq_submit(&f, "s2", "u1");
	tp_fini(&f.p);

	ck_assert_int_eq(tp_init(&f.p), 0);
	sq_expect_result(&f, "s1", 0, "{\"x\":1}", "u1");
	/* pending: the owner is known */
	sq_expect_result(&f, "s2", -EAGAIN, NULL, "u1");
	tp_fini(&f.p);

	db = sq_raw(f.db);
	sq_expect(db, "SELECT group_concat(version) FROM schema_version", "2");
	sqlite3_close(db);
	sqf_teardown(&f);
}
END_TEST

START_TEST(sqlite_migrates_version0)
{
	struct sq_fixture f;
	sqlite3 *db;

	/* A database with an empty schema_version table (version 0) and an
	 * unrelated table: it is migrated, the other table left alone. */
	sqf_setup(&f, "old.db");
	sq_prepare(&f, "CREATE TABLE schema_version(version INTEGER); "
	               "CREATE TABLE keep(x); INSERT INTO keep VALUES(42)");
	ck_assert_int_eq(tp_init(&f.p), 0);
	sq_submit(&f, "s1", NULL);
	tp_fini(&f.p);
	db = sq_raw(f.db);
	sq_expect(db, "SELECT group_concat(version) FROM schema_version", "2");
	sq_expect(db, "SELECT x FROM keep", "42");
	sq_expect(db, "SELECT count(*) FROM submissions", "1");
	sqlite3_close(db);
	sqf_teardown(&f);
}
END_TEST

START_TEST(sqlite_newer_schema_refused)
{
	struct sq_fixture f;
	sqlite3 *db;

	sqf_setup(&f, "new.db");
	sq_prepare(&f, "CREATE TABLE schema_version(version INTEGER); "
	               "INSERT INTO schema_version VALUES(99)");
	ck_assert_int_lt(tp_init(&f.p), 0);
	ck_assert_ptr_null(f.p.state);
	ck_assert_logged(&f.p, "newer");
	/* Nothing was touched. */
	db = sq_raw(f.db);
	sq_expect(db, "SELECT group_concat(version) FROM schema_version", "99");
	sq_expect(db,
	          "SELECT count(*) FROM sqlite_master WHERE name = "
	          "'submissions'",
	          "0");
	sqlite3_close(db);
	sqf_teardown(&f);
}
END_TEST

START_TEST(sqlite_submission_dup)
{
	struct sq_fixture f;
	struct ac_submission s = {.id = "dup",
	                          .problem_id = "p",
	                          .lang = "cpp",
	                          .user_id = "u",
	                          .code = "x",
	                          .code_len = 1,
	                          .submitted_at = 1};

	sqf_setup(&f, "a.db");
	ck_assert_int_eq(tp_init(&f.p), 0);
	ck_assert_int_eq(f.ops->put_submission(f.p.state, &s), 0);
	ck_assert_int_eq(f.ops->put_submission(f.p.state, &s), -EEXIST);
	s.id = NULL;
	ck_assert_int_eq(f.ops->put_submission(f.p.state, &s), -EINVAL);
	s.id = "";
	ck_assert_int_eq(f.ops->put_submission(f.p.state, &s), -EINVAL);
	sqf_teardown(&f);
}
END_TEST

START_TEST(sqlite_result_states)
{
	struct sq_fixture f;
	char *json = NULL;
	sqlite3 *db;

	sqf_setup(&f, "a.db");
	ck_assert_int_eq(tp_init(&f.p), 0);
	sq_expect_result(&f, "nope", -ENOENT, NULL, NULL);

	sq_submit(&f, "s1", "alice");
	/* pending: the owner is known */
	sq_expect_result(&f, "s1", -EAGAIN, NULL, "alice");

	ck_assert_int_eq(f.ops->put_result(f.p.state, "s1",
	                                   "{\"verdict_code\":\"AC\",\"n\":1}"),
	                 0);
	/* Idempotent: the second result is ignored, the first kept. */
	ck_assert_int_eq(f.ops->put_result(f.p.state, "s1",
	                                   "{\"verdict_code\":\"WA\",\"n\":2}"),
	                 0);
	sq_expect_result(&f, "s1", 0, "{\"verdict_code\":\"AC\",\"n\":1}",
	                 "alice");
	/* owner may be NULL when the caller does not want it. */
	ck_assert_int_eq(f.ops->get_result(f.p.state, "s1", &json, NULL), 0);
	free(json);

	/* A result for a submission this store has not seen is kept, without
	 * an owner, and completes the submission if it arrives later. */
	ck_assert_int_eq(f.ops->put_result(f.p.state, "ghost", "{}"), 0);
	sq_expect_result(&f, "ghost", 0, "{}", NULL);
	sq_submit(&f, "ghost", "bob");
	sq_expect_result(&f, "ghost", 0, "{}", "bob");

	db = sq_raw(f.db);
	sq_expect(db, "SELECT status FROM submissions WHERE id = 's1'", "done");
	sq_expect(db, "SELECT status FROM submissions WHERE id = 'ghost'",
	          "done");
	sq_expect(db,
	          "SELECT verdict_code FROM results WHERE submission_id "
	          "= 's1'",
	          "AC");
	sqlite3_close(db);
	sqf_teardown(&f);
}
END_TEST

START_TEST(sqlite_rate_bucket)
{
	struct sq_fixture f;
	const double per_sec = 1.0 / 20; /* one token every 20 s */
	const int64_t t0 = 1700000000000LL;
	int64_t retry = -1;
	void *st;

	sqf_setup(&f, "a.db");
	ck_assert_int_eq(tp_init(&f.p), 0);
	st = f.p.state;
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(
		        f.ops->rate_take(st, "u1", 3, per_sec, t0, &retry), 0);
	ck_assert_int_eq(f.ops->rate_take(st, "u1", 3, per_sec, t0, &retry),
	                 -EAGAIN);
	ck_assert_int_eq(retry, 20000);
	/* Another user has their own bucket. */
	ck_assert_int_eq(f.ops->rate_take(st, "u2", 3, per_sec, t0, &retry), 0);
	/* Half a token later: 10 s to wait. */
	ck_assert_int_eq(
	        f.ops->rate_take(st, "u1", 3, per_sec, t0 + 10000, &retry),
	        -EAGAIN);
	ck_assert_int_eq(retry, 10000);
	/* A clock going backwards refills nothing. */
	ck_assert_int_eq(
	        f.ops->rate_take(st, "u1", 3, per_sec, t0 - 60000, &retry),
	        -EAGAIN);
	ck_assert_int_eq(retry, 10000);
	ck_assert_int_eq(
	        f.ops->rate_take(st, "u1", 3, per_sec, t0 + 20000, &retry), 0);
	ck_assert_int_eq(
	        f.ops->rate_take(st, "u1", 3, per_sec, t0 + 20000, &retry),
	        -EAGAIN);
	ck_assert_int_eq(retry, 20000);
	/* A long pause refills up to the burst only. */
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(f.ops->rate_take(st, "u1", 3, per_sec,
		                                  t0 + 86400000, &retry),
		                 0);
	ck_assert_int_eq(
	        f.ops->rate_take(st, "u1", 3, per_sec, t0 + 86400000, &retry),
	        -EAGAIN);
	ck_assert_int_eq(retry, 20000);
	/* Nonsense parameters. */
	ck_assert_int_eq(f.ops->rate_take(st, "u1", 0, per_sec, t0, &retry),
	                 -EINVAL);
	ck_assert_int_eq(f.ops->rate_take(st, "u1", 3, 0, t0, &retry), -EINVAL);
	ck_assert_int_eq(f.ops->rate_take(st, NULL, 3, 1, t0, &retry), -EINVAL);
	sqf_teardown(&f);
}
END_TEST

struct sq_race {
	const struct ac_store_ops *ops;
	void *state;
	int n;
	pthread_barrier_t *start;
	int ret;
};

static void *sq_race_thread(void *arg)
{
	struct sq_race *r = arg;
	char json[64];

	snprintf(json, sizeof(json), "{\"thread\":%d}", r->n);
	pthread_barrier_wait(r->start);
	r->ret = r->ops->put_result(r->state, "race", json);
	/* And some more traffic on other ids meanwhile. */
	for (int i = 0; i < 20 && r->ret == 0; i++) {
		char id[32];

		snprintf(id, sizeof(id), "t%d-%d", r->n, i);
		r->ret = r->ops->put_result(r->state, id, json);
	}
	return NULL;
}

START_TEST(sqlite_concurrent_results)
{
	struct sq_fixture f;
	pthread_t th[4];
	struct sq_race r[4];
	pthread_barrier_t start;
	char *json = NULL, *owner = NULL;
	sqlite3 *db;

	sqf_setup(&f, "a.db");
	ck_assert_int_eq(tp_init(&f.p), 0);
	sq_submit(&f, "race", "u");
	pthread_barrier_init(&start, NULL, 4);
	for (int i = 0; i < 4; i++) {
		r[i] = (struct sq_race){.ops = f.ops,
		                        .state = f.p.state,
		                        .n = i,
		                        .start = &start};
		ck_assert_int_eq(
		        pthread_create(&th[i], NULL, sq_race_thread, &r[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		ck_assert_int_eq(r[i].ret, 0);
	}
	pthread_barrier_destroy(&start);
	ck_assert_int_eq(f.ops->get_result(f.p.state, "race", &json, &owner),
	                 0);
	ck_assert_msg(strncmp(json, "{\"thread\":", 10) == 0, "%s", json);
	free(json);
	free(owner);
	db = sq_raw(f.db);
	sq_expect(db,
	          "SELECT count(*) FROM results WHERE submission_id = 'race'",
	          "1");
	sq_expect(db, "SELECT count(*) FROM results", "81");
	sqlite3_close(db);
	sqf_teardown(&f);
}
END_TEST

static Suite *sqlite_suite(void)
{
	return AC_SUITE("store/sqlite", "sqlite", 60, sqlite_schema_created,
	                sqlite_path_required, sqlite_reopen,
	                sqlite_migrates_version0, sqlite_newer_schema_refused,
	                sqlite_submission_dup, sqlite_result_states,
	                sqlite_rate_bucket, sqlite_concurrent_results);
}
#endif /* AC_TEST_SQLITE */

/* ------------------------------------------------------------ inproc */
#ifdef AC_TEST_INPROC

#define REC_MAX 64

/* A consumer that records what it gets. */
struct rec {
	const struct ac_transport_ops *ops;
	void *state;
	bool auto_ack;
	const bool *busy;   /* set while the test is inside an op */
	unsigned reentrant; /* deliveries made while *busy */
	unsigned n;
	char body[REC_MAX][32];
	struct ac_delivery *d[REC_MAX];
	/* Optional: publish a result from inside the job callback. */
	bool publish_result_in_cb;
	bool in_cb;
};

static void rec_cb(void *arg, const char *body, size_t len,
                   struct ac_delivery *d)
{
	struct rec *r = arg;

	if (r->busy && *r->busy)
		r->reentrant++;
	ck_assert_uint_lt(r->n, REC_MAX);
	ck_assert_uint_lt(len, sizeof(r->body[0]));
	ck_assert_uint_eq(strlen(body), len);
	memcpy(r->body[r->n], body, len);
	r->body[r->n][len] = '\0';
	r->d[r->n] = d;
	r->n++;
	r->in_cb = true;
	if (r->publish_result_in_cb)
		ck_assert_int_eq(
		        r->ops->publish_result(r->state, "res", 3, NULL, NULL),
		        0);
	if (r->auto_ack)
		r->ops->ack(r->state, d);
	r->in_cb = false;
}

struct dones {
	const bool *busy;
	unsigned n, reentrant, bad_status;
};

static void done_cb(void *arg, int status)
{
	struct dones *dn = arg;

	if (dn->busy && *dn->busy)
		dn->reentrant++;
	if (status != 0)
		dn->bad_status++;
	dn->n++;
}

struct ipf {
	struct tp p;
	const struct ac_transport_ops *ops;
	bool busy;
};

static void ipf_setup_conf(struct ipf *f, const char *const *conf)
{
	memset(f, 0, sizeof(*f));
	tp_open(&f->p, AC_KIND_TRANSPORT, "inproc", conf);
	f->p.ctx.base = event_base_new();
	ck_assert_ptr_nonnull(f->p.ctx.base);
	ck_assert_int_eq(tp_init(&f->p), 0);
	f->ops = f->p.desc->ops;
}

static void ipf_setup(struct ipf *f)
{
	static const char *const conf[] = {NULL};

	ipf_setup_conf(f, conf);
}

static void ipf_pump(struct ipf *f)
{
	for (int i = 0; i < 20; i++)
		event_base_loop(f->p.ctx.base, EVLOOP_NONBLOCK);
}

static void ipf_job(struct ipf *f, const char *lang, const char *body,
                    struct dones *dn)
{
	f->busy = true;
	ck_assert_int_eq(f->ops->publish_job(f->p.state, lang, body,
	                                     strlen(body), dn ? done_cb : NULL,
	                                     dn),
	                 0);
	f->busy = false;
}

static void rec_init(struct rec *r, struct ipf *f, bool auto_ack)
{
	memset(r, 0, sizeof(*r));
	r->ops = f->ops;
	r->state = f->p.state;
	r->auto_ack = auto_ack;
	r->busy = &f->busy;
}

/* A fresh instance (ipf_setup) whose recorder R consumes the "cpp" jobs,
 * PREFETCH at a time (0: no limit). */
static void ipf_consumer(struct ipf *f, struct rec *r, bool auto_ack,
                         unsigned prefetch)
{
	static const char *const langs[] = {"cpp", NULL};

	ipf_setup(f);
	rec_init(r, f, auto_ack);
	ck_assert_int_eq(
	        f->ops->consume_jobs(f->p.state, langs, prefetch, rec_cb, r),
	        0);
}

/* Pump the loop: R then holds N deliveries, the last of them LAST (NULL:
 * any). */
static void ipf_pump_expect(struct ipf *f, struct rec *r, unsigned n,
                            const char *last)
{
	ipf_pump(f);
	ck_assert_uint_eq(r->n, n);
	if (last)
		ck_assert_str_eq(r->body[n - 1], last);
}

/* ipf_consumer with one job at a time; FIRST and SECOND published and
 * pumped: FIRST delivered, SECOND waiting for its ack. */
static void ipf_two_jobs(struct ipf *f, struct rec *r, const char *first,
                         const char *second)
{
	ipf_consumer(f, r, false, 1);
	ipf_job(f, "cpp", first, NULL);
	ipf_job(f, "cpp", second, NULL);
	ipf_pump_expect(f, r, 1, first);
}

START_TEST(inproc_publish_before_consume)
{
	struct ipf f;
	struct rec r;
	struct dones dn = {0};
	const char *const langs[] = {"cpp", NULL};

	ipf_setup(&f);
	dn.busy = &f.busy;
	ipf_job(&f, "cpp", "j1", &dn);
	ipf_job(&f, "cpp", "j2", &dn);
	ipf_job(&f, "cpp", "j3", &dn);
	ck_assert_uint_eq(dn.n, 0); /* never inside publish */
	ipf_pump(&f);
	ck_assert_uint_eq(dn.n, 3); /* confirmed without a consumer */
	ck_assert_uint_eq(dn.reentrant, 0);
	ck_assert_uint_eq(dn.bad_status, 0);

	rec_init(&r, &f, true);
	f.busy = true;
	ck_assert_int_eq(f.ops->consume_jobs(f.p.state, langs, 10, rec_cb, &r),
	                 0);
	f.busy = false;
	ck_assert_uint_eq(r.n, 0);
	ipf_pump_expect(&f, &r, 3, NULL);
	ck_assert_str_eq(r.body[0], "j1");
	ck_assert_str_eq(r.body[1], "j2");
	ck_assert_str_eq(r.body[2], "j3");
	ck_assert_uint_eq(r.reentrant, 0);
	tp_close(&f.p);
}
END_TEST

START_TEST(inproc_ordering_and_languages)
{
	struct ipf f;
	struct rec cpp, py, res;
	const char *const cpp_langs[] = {"cpp", NULL};
	const char *const py_langs[] = {"python3", NULL};
	char body[16];

	ipf_setup(&f);
	rec_init(&cpp, &f, true);
	rec_init(&py, &f, true);
	rec_init(&res, &f, true);
	ck_assert_int_eq(
	        f.ops->consume_jobs(f.p.state, cpp_langs, 0, rec_cb, &cpp), 0);
	ck_assert_int_eq(
	        f.ops->consume_jobs(f.p.state, py_langs, 4, rec_cb, &py), 0);
	ck_assert_int_eq(f.ops->consume_results(f.p.state, rec_cb, &res), 0);
	for (int i = 0; i < 20; i++) {
		snprintf(body, sizeof(body), "c%02d", i);
		ipf_job(&f, "cpp", body, NULL);
	}
	ipf_job(&f, "python3", "p0", NULL);
	f.busy = true;
	ck_assert_int_eq(f.ops->publish_result(f.p.state, "r0", 2, NULL, NULL),
	                 0);
	f.busy = false;
	ipf_pump(&f);
	ck_assert_uint_eq(cpp.n, 20);
	for (int i = 0; i < 20; i++) {
		snprintf(body, sizeof(body), "c%02d", i);
		ck_assert_str_eq(cpp.body[i], body);
	}
	ck_assert_uint_eq(py.n, 1);
	ck_assert_str_eq(py.body[0], "p0");
	ck_assert_uint_eq(res.n, 1);
	ck_assert_str_eq(res.body[0], "r0");
	ck_assert_uint_eq(cpp.reentrant + py.reentrant + res.reentrant, 0);
	/* Bad language names. */
	ck_assert_int_eq(f.ops->publish_job(f.p.state, "", "x", 1, NULL, NULL),
	                 -EINVAL);
	ck_assert_int_eq(
	        f.ops->publish_job(f.p.state, "../etc", "x", 1, NULL, NULL),
	        -EINVAL);
	tp_close(&f.p);
}
END_TEST

START_TEST(inproc_prefetch)
{
	struct ipf f;
	struct rec r;

	ipf_two_jobs(&f, &r, "j1", "j2");
	ipf_pump_expect(&f, &r, 1, NULL); /* j2 waits for the ack */
	f.busy = true;
	f.ops->ack(f.p.state, r.d[0]);
	f.busy = false;
	ck_assert_uint_eq(r.n, 1);
	ipf_pump_expect(&f, &r, 2, "j2");
	ck_assert_uint_eq(r.reentrant, 0);
	f.ops->ack(f.p.state, r.d[1]);
	tp_close(&f.p);
}
END_TEST

START_TEST(inproc_nack_requeue)
{
	struct ipf f;
	struct rec r;

	ipf_two_jobs(&f, &r, "j1", "j2");
	/* Requeued at the head: j1 again, before j2. */
	f.ops->nack(f.p.state, r.d[0], true, "judge shutting down");
	ipf_pump_expect(&f, &r, 2, "j1");
	/* After 5 deliveries a requeue dead-letters it. */
	for (unsigned i = 2; i < 5; i++) {
		f.ops->nack(f.p.state, r.d[i - 1], true, "again");
		ipf_pump_expect(&f, &r, i + 1, "j1");
	}
	f.ops->nack(f.p.state, r.d[4], true, "poison");
	ck_assert_logged(&f.p, "poison");
	ipf_pump_expect(&f, &r, 6, "j2");
	f.ops->ack(f.p.state, r.d[5]);
	ipf_pump_expect(&f, &r, 6, NULL);
	tp_close(&f.p);
}
END_TEST

START_TEST(inproc_nack_dead_letter)
{
	struct ipf f;
	struct rec r;

	ipf_two_jobs(&f, &r, "bad", "good");
	f.ops->nack(f.p.state, r.d[0], false, "malformed job");
	ck_assert_logged(&f.p, "malformed job");
	ipf_pump_expect(&f, &r, 2, "good");
	f.ops->ack(f.p.state, r.d[1]);
	ipf_pump_expect(&f, &r, 2, NULL); /* "bad" never comes back */
	tp_close(&f.p);
}
END_TEST

START_TEST(inproc_results_and_reentrancy)
{
	struct ipf f;
	struct rec jobs, res;
	struct dones dn = {0};
	const char *const langs[] = {"cpp", NULL};

	ipf_setup(&f);
	rec_init(&jobs, &f, true);
	rec_init(&res, &f, true);
	/* The job consumer publishes a result from inside its callback: the
	 * result must not be delivered before that callback returns. */
	jobs.publish_result_in_cb = true;
	res.busy = &jobs.in_cb;
	dn.busy = &f.busy;
	ck_assert_int_eq(
	        f.ops->consume_jobs(f.p.state, langs, 2, rec_cb, &jobs), 0);
	ck_assert_int_eq(f.ops->consume_results(f.p.state, rec_cb, &res), 0);
	for (int i = 0; i < 5; i++)
		ipf_job(&f, "cpp", "job", &dn);
	f.busy = true;
	ck_assert_int_eq(
	        f.ops->publish_result(f.p.state, "direct", 6, done_cb, &dn), 0);
	f.busy = false;
	ck_assert_uint_eq(jobs.n + res.n + dn.n, 0);
	ipf_pump(&f);
	ck_assert_uint_eq(jobs.n, 5);
	ck_assert_uint_eq(res.n, 6);
	ck_assert_str_eq(res.body[0], "direct");
	ck_assert_str_eq(res.body[5], "res");
	ck_assert_uint_eq(res.reentrant, 0);
	ck_assert_uint_eq(dn.n, 6);
	ck_assert_uint_eq(dn.reentrant, 0);
	ck_assert_uint_eq(dn.bad_status, 0);
	tp_close(&f.p);
}
END_TEST

START_TEST(inproc_fini_drops)
{
	struct ipf f;
	struct rec r;

	ipf_consumer(&f, &r, false, 1);
	ipf_job(&f, "cpp", "a", NULL);
	ipf_job(&f, "cpp", "b", NULL);
	ipf_job(&f, "java", "c", NULL);
	ipf_pump_expect(&f, &r, 1,
	                NULL); /* "a" in flight, "b" and "c" queued */
	tp_fini(&f.p);
	ck_assert_logged(&f.p, "dropped 3");
	tp_close(&f.p);
}
END_TEST

/* Job queues take turns between users ("user_id"); order within a user
 * is kept; a requeued job goes first again. */
START_TEST(inproc_fair_by_user)
{
	struct ipf f;
	struct rec r;
	const char *const langs[] = {"cpp", NULL};
	static const char *const want[] = {"a1", "b1", "c1", "a2",
	                                   "b2", "a3", "a4"};
	char body[32];

	ipf_setup(&f);
	rec_init(&r, &f, true);
	for (int i = 1; i <= 4; i++) {
		snprintf(body, sizeof(body),
		         "{\"user_id\":\"a\",\"n\":\"a%d\"}", i);
		ipf_job(&f, "cpp", body, NULL);
	}
	ipf_job(&f, "cpp", "{\"user_id\":\"b\",\"n\":\"b1\"}", NULL);
	ipf_job(&f, "cpp", "{\"n\":\"c1\",\"user_id\":\"c\"}", NULL);
	ipf_job(&f, "cpp", "{\"user_id\":\"b\",\"n\":\"b2\"}", NULL);
	ck_assert_int_eq(f.ops->consume_jobs(f.p.state, langs, 0, rec_cb, &r),
	                 0);
	ipf_pump_expect(&f, &r, 7, NULL);
	for (unsigned i = 0; i < 7; i++) {
		snprintf(body, sizeof(body), "\"n\":\"%s\"", want[i]);
		ck_assert_msg(strstr(r.body[i], body), "delivery %u: %s", i,
		              r.body[i]);
	}
	tp_close(&f.p);

	/* A requeued job is delivered first again, before other users. */
	ipf_two_jobs(&f, &r, "{\"user_id\":\"a\",\"n\":\"a1\"}",
	             "{\"user_id\":\"b\",\"n\":\"b1\"}");
	f.ops->nack(f.p.state, r.d[0], true, "stopping");
	ipf_pump_expect(&f, &r, 2, NULL);
	ck_assert_ptr_nonnull(strstr(r.body[1], "a1"));
	f.ops->ack(f.p.state, r.d[1]);
	ipf_pump_expect(&f, &r, 3, NULL);
	ck_assert_ptr_nonnull(strstr(r.body[2], "b1"));
	f.ops->ack(f.p.state, r.d[2]);
	tp_close(&f.p);
}
END_TEST

static void keep_cb(void *arg, const char *body, size_t len,
                    struct ac_delivery *d)
{
	struct ac_delivery **out = arg;

	(void)body;
	(void)len;
	ck_assert_ptr_null(*out);
	*out = d;
}

/* transport.max_queued_mb: over it a job is refused, unless its user has
 * nothing waiting; acknowledged jobs give their bytes back. */
START_TEST(inproc_byte_budget)
{
	static const char *const conf[] = {"max_queued_mb=1", NULL};
	static const char *const bad[] = {"max_queued_mb=0", NULL};
	struct ipf f;
	struct ac_delivery *d = NULL;
	const char *const langs[] = {"cpp", NULL};
	size_t len = 300 * 1024;
	char *body = malloc(len + 1);
	int n = 0, rc;

	ck_assert_ptr_nonnull(body);
	ipf_setup_conf(&f, conf);
	/* User a's jobs: 300 KiB each, so three fit in 1 MiB. */
	memset(body, 'x', len);
	body[len] = '\0';
	memcpy(body, "{\"user_id\":\"a\",\"pad\":\"", 22);
	body[len - 2] = '"';
	body[len - 1] = '}';
	while ((rc = f.ops->publish_job(f.p.state, "cpp", body, len, NULL,
	                                NULL)) == 0)
		n++;
	ck_assert_int_eq(rc, -ENOBUFS);
	ck_assert_int_eq(n, 3);
	/* User b has nothing waiting: one job gets in, not two. */
	memcpy(body, "{\"user_id\":\"b\",\"pad\":\"", 22);
	ck_assert_int_eq(
	        f.ops->publish_job(f.p.state, "cpp", body, len, NULL, NULL), 0);
	ck_assert_int_eq(
	        f.ops->publish_job(f.p.state, "cpp", body, len, NULL, NULL),
	        -ENOBUFS);
	/* Results are not counted. */
	ck_assert_int_eq(
	        f.ops->publish_result(f.p.state, body, len, NULL, NULL), 0);
	/* Delivered: still counted until acknowledged. */
	ck_assert_int_eq(f.ops->consume_jobs(f.p.state, langs, 1, keep_cb, &d),
	                 0);
	ipf_pump(&f);
	ck_assert_ptr_nonnull(d);
	memcpy(body, "{\"user_id\":\"a\",\"pad\":\"", 22);
	ck_assert_int_eq(
	        f.ops->publish_job(f.p.state, "cpp", body, len, NULL, NULL),
	        -ENOBUFS);
	/* Acknowledged (that job, and the next delivered one): room again. */
	f.ops->ack(f.p.state, d);
	d = NULL;
	ipf_pump(&f);
	ck_assert_ptr_nonnull(d);
	f.ops->ack(f.p.state, d);
	d = NULL;
	ck_assert_int_eq(
	        f.ops->publish_job(f.p.state, "cpp", body, len, NULL, NULL), 0);
	tp_close(&f.p);
	free(body);

	tp_open(&f.p, AC_KIND_TRANSPORT, "inproc", bad);
	f.p.ctx.base = event_base_new();
	ck_assert_int_eq(tp_init(&f.p), -EINVAL);
	tp_close(&f.p);
}
END_TEST

static Suite *inproc_suite(void)
{
	return AC_SUITE("transport/inproc", "inproc", 0,
	                inproc_publish_before_consume,
	                inproc_ordering_and_languages, inproc_prefetch,
	                inproc_nack_requeue, inproc_nack_dead_letter,
	                inproc_results_and_reentrancy, inproc_fini_drops,
	                inproc_fair_by_user, inproc_byte_budget);
}
#endif /* AC_TEST_INPROC */

/* ------------------------------------------------------------ cpp */
#ifdef AC_TEST_CPP

static bool have_gxx(void)
{
	if (access("/usr/bin/g++", X_OK) == 0)
		return true;
	fprintf(stderr, "SKIPPED: lang/cpp cpp_info, cpp_flags: /usr/bin/g++ "
	                "is not installed\n");
	return false;
}

/* lang/cpp started with CONF: its info. */
static const struct ac_lang_info *cpp_start(struct tp *p,
                                            const char *const *conf)
{
	const struct ac_lang_ops *ops;
	const struct ac_lang_info *in;

	tp_open(p, AC_KIND_LANG, "cpp", conf);
	ops = p->desc->ops;
	ck_assert_int_eq(tp_init(p), 0);
	in = ops->info(p->state);
	ck_assert_ptr_nonnull(in);
	return in;
}

/* lang/cpp refuses CONF, naming WHAT in its log. */
static void cpp_refused(const char *const *conf, const char *what)
{
	struct tp p;

	tp_open(&p, AC_KIND_LANG, "cpp", conf);
	ck_assert_int_lt(tp_init(&p), 0);
	ck_assert_ptr_null(p.state);
	ck_assert_logged(&p, what);
	tp_close(&p);
}

START_TEST(cpp_info)
{
	/* pch=false: no precompiled header is built (see the e2e tests). */
	static const char *const conf[] = {"pch=false", NULL};
	/* No -pipe: a source could #include cc1's own output pipe. */
	static const char *const want_argv[] = {
	        "/usr/bin/g++",  "-O2", "-std=gnu++17", "-o", "/box/main",
	        "/box/main.cpp", NULL};
	static const char *const want_env[] = {"PATH=/usr/bin:/bin",
	                                       "LANG=C.UTF-8", "HOME=/box",
	                                       "TMPDIR=/tmp", NULL};
	const struct ac_lang_info *in;
	struct tp p;
	int gold;

	in = cpp_start(&p, conf);
	ck_assert_str_eq(in->name, "cpp");
	ck_assert_str_eq(in->display, "C++17 (GNU g++)");
	ck_assert_str_eq(in->source_file, "main.cpp");
	/* -fuse-ld=gold after -std where gold is installed. */
	gold = access("/usr/bin/ld.gold", X_OK) == 0;
	if (gold)
		ck_assert_str_eq(in->compile_argv[3], "-fuse-ld=gold");
	for (int i = 0; want_argv[i]; i++) {
		int j = i + (gold && i >= 3);

		ck_assert_ptr_nonnull(in->compile_argv[j]);
		ck_assert_str_eq(in->compile_argv[j], want_argv[i]);
	}
	ck_assert_ptr_null(in->compile_argv[6 + gold]);
	ck_assert_str_eq(in->run_argv[0], "/box/main");
	ck_assert_ptr_null(in->run_argv[1]);
	for (int i = 0; want_env[i]; i++)
		ck_assert_str_eq(in->envp[i], want_env[i]);
	ck_assert_ptr_null(in->envp[4]);
	ck_assert_uint_eq(in->compile_limits.cpu_ms, 30000);
	ck_assert_uint_eq(in->compile_limits.wall_ms, 40000);
	ck_assert_uint_eq(in->compile_limits.memory_kb, 1024 * 1024);
	ck_assert_uint_eq(in->compile_limits.stdout_kb, 64);
	ck_assert_uint_eq(in->compile_limits.stderr_kb, 64);
	ck_assert_uint_eq(in->compile_limits.fsize_kb, 256 * 1024);
	ck_assert_uint_eq(in->compile_limits.processes, 64);
	ck_assert_uint_eq(in->compile_limits.nofile, 64);
	ck_assert(in->time_multiplier == 1.0);
	ck_assert(in->memory_multiplier == 1.0);
	ck_assert_uint_eq(in->run_processes, 4);
	ck_assert_msg(strncmp(in->version, "g++ ", 4) == 0 &&
	                      in->version[4] >= '0' && in->version[4] <= '9',
	              "version \"%s\"", in->version);
	tp_close(&p);
}
END_TEST

START_TEST(cpp_flags)
{
	static const char *const conf[] = {"flags=-Wall  -DONLINE_JUDGE",
	                                   "pch=false", NULL};
	static const char *const bad[] = {"flags=-Wall rm", NULL};
	static const char *const mult[] = {"time_multiplier=1.5",
	                                   "memory_multiplier=2", "pch=false",
	                                   NULL};
	static const char *const piped[] = {"flags=-Wall -pipe", "pch=false",
	                                    NULL};
	const struct ac_lang_info *in;
	struct tp p;
	int gold;

	in = cpp_start(&p, conf);
	gold = access("/usr/bin/ld.gold", X_OK) == 0;
	ck_assert_str_eq(in->compile_argv[3 + gold], "-Wall");
	ck_assert_str_eq(in->compile_argv[4 + gold], "-DONLINE_JUDGE");
	ck_assert_str_eq(in->compile_argv[5 + gold], "-o");
	ck_assert_str_eq(in->compile_argv[7 + gold], "/box/main.cpp");
	ck_assert_ptr_null(in->compile_argv[8 + gold]);
	tp_close(&p);

	/* Multipliers, as every language has them. */
	in = cpp_start(&p, mult);
	ck_assert(in->time_multiplier == 1.5);
	ck_assert(in->memory_multiplier == 2.0);
	tp_close(&p);

	/* -pipe is refused, naming the setting. */
	cpp_refused(piped, "-pipe is refused");
	cpp_refused(bad, "lang.cpp.flags");
}
END_TEST

START_TEST(cpp_bad_compiler)
{
	static const char *const relative[] = {"compiler=g++", NULL};
	static const char *const missing[] = {"compiler=/nonexistent/g++",
	                                      NULL};
	static const char *const notexec[] = {"compiler=/etc/passwd", NULL};
	static const char *const notgcc[] = {"compiler=/bin/false", NULL};
	const char *const *cases[] = {relative, missing, notexec, notgcc};
	struct tp p;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		tp_open(&p, AC_KIND_LANG, "cpp", cases[i]);
		rc = tp_init(&p);
		ck_assert_int_lt(rc, 0);
		/* Not installed: the core skips the language (-ENOPKG)
		 * instead of refusing to start. */
		if (cases[i] == missing)
			ck_assert_int_eq(rc, -ENOPKG);
		ck_assert_ptr_null(p.state);
		ck_assert_msg(tp_logged(&p, "lang.cpp.compiler") ||
		                      tp_logged(&p, "dumpfullversion"),
		              "case %zu log: %s", i, p.ctx.last_problem);
		tp_close(&p);
	}
}
END_TEST

static Suite *cpp_suite(void)
{
	Suite *s = suite_create("lang/cpp");

	/* cpp_info and cpp_flags start the compiler: without one they are
	 * not run (have_gxx says so). */
	if (have_gxx())
		AC_TCASE(s, "cpp", NULL, NULL, 0, cpp_info, cpp_flags,
		         cpp_bad_compiler);
	else
		AC_TCASE(s, "cpp", NULL, NULL, 0, cpp_bad_compiler);
	return s;
}
#endif /* AC_TEST_CPP */

int main(void)
{
	SRunner *sr = srunner_create(NULL);

#ifdef AC_TEST_SQLITE
	srunner_add_suite(sr, sqlite_suite());
#else
	fprintf(stderr, "SKIPPED: store/sqlite is not configured\n");
#endif
#ifdef AC_TEST_INPROC
	srunner_add_suite(sr, inproc_suite());
#else
	fprintf(stderr, "SKIPPED: transport/inproc is not configured\n");
#endif
#ifdef AC_TEST_CPP
	srunner_add_suite(sr, cpp_suite());
#else
	fprintf(stderr, "SKIPPED: lang/cpp is not configured\n");
#endif
	return ac_check_run_all(sr);
}
