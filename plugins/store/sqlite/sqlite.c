/* store/sqlite: submissions, results, users and rate buckets in one SQLite
 * file (WAL mode).
 *
 * Every op is blocking and runs on worker threads, possibly concurrently.
 * Writes go through one read-write connection guarded by its own mutex, so
 * a transaction made of several statements never interleaves with another
 * thread's; writing transactions start with BEGIN IMMEDIATE so they never
 * fail half-way on a lock upgrade, and busy_timeout makes them wait for
 * other processes sharing the file.  Reads (get_result, get_user) go
 * through a small pool of read-only connections: in WAL mode a reader never
 * waits for a writer, ours or another process's, so a poll of a finished
 * result is answered while a write waits for the lock.
 *
 * At start-up PRAGMA quick_check reads the whole file once: a damaged file
 * is refused (init fails, naming it) rather than served.
 *
 * Settings (group `store`): path (required), busy_timeout_ms (default
 * 5000), quick_check (default true).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include <algocode/plugin.h>

#define SQ_SCHEMA_VERSION 2
#define SQ_MAX_ID         256 /* submission ids, user ids, bucket keys */
#define SQ_MAX_DOC        (64 << 20)
#define SQ_READERS        4 /* read-only connections: the core's workers */

/* migrations[v] takes the schema from version v to v + 1. */
static const char *const sq_migrations[SQ_SCHEMA_VERSION] = {
        /* 0 -> 1: the first schema.  results.submission_id is deliberately
         * not a foreign key: a result may arrive for a submission this store
         * has not seen (made through another api process sharing the
         * transport), and it is kept rather than lost. */
        "CREATE TABLE users("
        " id TEXT PRIMARY KEY,"
        " username TEXT NOT NULL UNIQUE,"
        " email TEXT NOT NULL UNIQUE,"
        " password_hash TEXT NOT NULL,"
        " first_name TEXT NOT NULL DEFAULT '',"
        " last_name TEXT NOT NULL DEFAULT '',"
        " created_at INTEGER NOT NULL);"
        "CREATE TABLE submissions("
        " id TEXT PRIMARY KEY,"
        " problem_id TEXT NOT NULL,"
        " lang TEXT NOT NULL,"
        " user_id TEXT,"
        " code BLOB NOT NULL,"
        " submitted_at INTEGER NOT NULL,"
        " status TEXT NOT NULL DEFAULT 'pending'"
        "  CHECK (status IN ('pending', 'done')));"
        "CREATE INDEX submissions_user ON submissions(user_id, submitted_at);"
        "CREATE INDEX submissions_pending ON submissions(submitted_at)"
        " WHERE status = 'pending';"
        "CREATE TABLE results("
        " submission_id TEXT PRIMARY KEY,"
        " result_json TEXT NOT NULL,"
        " verdict_code TEXT,"
        " finished_at INTEGER NOT NULL);"
        "CREATE TABLE rate_buckets("
        " key TEXT PRIMARY KEY,"
        " tokens REAL NOT NULL,"
        " updated_ms INTEGER NOT NULL);"
        "CREATE TABLE refresh_tokens("
        " jti TEXT PRIMARY KEY,"
        " user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
        " expires_at INTEGER NOT NULL,"
        " revoked INTEGER NOT NULL DEFAULT 0);"
        "CREATE INDEX refresh_tokens_user ON refresh_tokens(user_id);",
        /* 1 -> 2: what a job needs to be enqueued again (problem_hash,
         * all_tests), when it was last enqueued and how often (the
         * outbox: claim_pending).  Submissions of schema 1 count as
         * enqueued once, when submitted. */
        "ALTER TABLE submissions ADD COLUMN problem_hash TEXT;"
        "ALTER TABLE submissions ADD COLUMN all_tests INTEGER NOT NULL"
        " DEFAULT 0;"
        "ALTER TABLE submissions ADD COLUMN queued_at INTEGER;"
        "ALTER TABLE submissions ADD COLUMN attempts INTEGER NOT NULL"
        " DEFAULT 1;"
        "UPDATE submissions SET queued_at = submitted_at;"
        "CREATE INDEX submissions_queued ON submissions(queued_at)"
        " WHERE status = 'pending';",
};

enum sq_stmt {
	SQ_PUT_SUBMISSION,
	SQ_PUT_RESULT,
	SQ_MARK_DONE,
	SQ_GET_SUBMISSION,
	SQ_GET_ORPHAN,
	SQ_GET_BUCKET,
	SQ_PUT_BUCKET,
	SQ_PUT_USER,
	SQ_GET_USER_ID,
	SQ_GET_USER_NAME,
	SQ_GET_USER_EMAIL,
	SQ_PUT_REFRESH,
	SQ_GET_REFRESH,
	SQ_REVOKE_JTI,
	SQ_REVOKE_USER,
	SQ_LIST_PENDING,
	SQ_CLAIM,
	SQ_LIST_USER,
	SQ_COUNT_USER,
	SQ_BEGIN,
	SQ_BEGIN_READ,
	SQ_COMMIT,
	SQ_ROLLBACK,
	SQ_NSTMT,
};

static const char *const sq_sql[SQ_NSTMT] = {
        [SQ_PUT_SUBMISSION] =
                "INSERT INTO submissions(id, problem_id, lang, user_id, code,"
                " submitted_at, status, problem_hash, all_tests, queued_at,"
                " attempts) VALUES(?1, ?2, ?3, ?4, ?5, ?6,"
                " CASE WHEN EXISTS(SELECT 1 FROM results WHERE submission_id"
                " = ?1) THEN 'done' ELSE 'pending' END, ?7, ?8, ?6, 1)",
        /* verdict_code is filled from the document (JSON1, built into SQLite
         * since 3.38; sq_init falls back to NULL without it). */
        [SQ_PUT_RESULT] =
                "INSERT OR IGNORE INTO results(submission_id, result_json,"
                " verdict_code, finished_at) VALUES(?1, ?2, CASE WHEN"
                " json_valid(?2) THEN json_extract(?2, '$.verdict_code') END,"
                " ?3)",
        [SQ_MARK_DONE] = "UPDATE submissions SET status = 'done' WHERE id = ?1",
        [SQ_GET_SUBMISSION] =
                "SELECT s.user_id, r.result_json FROM submissions s LEFT JOIN"
                " results r ON r.submission_id = s.id WHERE s.id = ?1",
        [SQ_GET_ORPHAN] =
                "SELECT result_json FROM results WHERE submission_id = ?1",
        [SQ_GET_BUCKET] =
                "SELECT tokens, updated_ms FROM rate_buckets WHERE key = ?1",
        [SQ_PUT_BUCKET] = "INSERT OR REPLACE INTO rate_buckets(key, tokens,"
                          " updated_ms) VALUES(?1, ?2, ?3)",
#define SQ_USER_COLS                                                           \
	"SELECT id, username, email, password_hash, first_name, last_name,"    \
	" created_at FROM users WHERE "
        [SQ_PUT_USER] = "INSERT INTO users(id, username, email, password_hash,"
                        " first_name, last_name, created_at)"
                        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        [SQ_GET_USER_ID] = SQ_USER_COLS "id = ?1",
        [SQ_GET_USER_NAME] = SQ_USER_COLS "username = ?1",
        [SQ_GET_USER_EMAIL] = SQ_USER_COLS "email = ?1",
        [SQ_PUT_REFRESH] = "INSERT INTO refresh_tokens(jti, user_id,"
                           " expires_at, revoked) VALUES(?1, ?2, ?3, 0)",
        [SQ_GET_REFRESH] = "SELECT user_id, revoked, expires_at FROM"
                           " refresh_tokens WHERE jti = ?1",
        [SQ_REVOKE_JTI] = "UPDATE refresh_tokens SET revoked = 1"
                          " WHERE jti = ?1",
        [SQ_REVOKE_USER] = "UPDATE refresh_tokens SET revoked = 1"
                           " WHERE user_id = ?1",
#undef SQ_USER_COLS
        /* A result stored before its submission leaves status pending
         * until put_result runs again: the NOT EXISTS settles it. */
        [SQ_LIST_PENDING] =
                "SELECT id, problem_id, problem_hash, lang, user_id, code,"
                " submitted_at, all_tests, attempts FROM submissions s"
                " WHERE status = 'pending' AND queued_at <= ?1 AND NOT"
                " EXISTS(SELECT 1 FROM results r WHERE r.submission_id ="
                " s.id) ORDER BY submitted_at LIMIT ?2",
        [SQ_CLAIM] = "UPDATE submissions SET queued_at = ?2, attempts ="
                     " attempts + 1 WHERE id = ?1",
        /* ?2 NULL: every problem.  The index submissions_user serves. */
        [SQ_LIST_USER] =
                "SELECT s.id, s.problem_id, s.lang, s.submitted_at,"
                " r.result_json FROM submissions s LEFT JOIN results r ON"
                " r.submission_id = s.id WHERE s.user_id = ?1 AND (?2 IS"
                " NULL OR s.problem_id = ?2) ORDER BY s.submitted_at DESC,"
                " s.id DESC LIMIT ?3 OFFSET ?4",
        [SQ_COUNT_USER] = "SELECT count(*) FROM submissions WHERE user_id ="
                          " ?1 AND (?2 IS NULL OR problem_id = ?2)",
        [SQ_BEGIN] = "BEGIN IMMEDIATE",
        /* A reader's snapshot over several statements. */
        [SQ_BEGIN_READ] = "BEGIN DEFERRED",
        [SQ_COMMIT] = "COMMIT",
        [SQ_ROLLBACK] = "ROLLBACK",
};

static const char sq_put_result_nojson[] =
        "INSERT OR IGNORE INTO results(submission_id, result_json,"
        " verdict_code, finished_at) VALUES(?1, ?2, NULL, ?3)";

/* The statements a read-only connection prepares. */
static const bool sq_read_stmt[SQ_NSTMT] = {
        [SQ_GET_SUBMISSION] = true, [SQ_GET_ORPHAN] = true,
        [SQ_GET_USER_ID] = true,    [SQ_GET_USER_NAME] = true,
        [SQ_GET_USER_EMAIL] = true, [SQ_BEGIN_READ] = true,
        [SQ_COMMIT] = true,         [SQ_LIST_USER] = true,
        [SQ_COUNT_USER] = true,
};

struct sq_conn {
	sqlite3 *db;
	sqlite3_stmt *stmt[SQ_NSTMT]; /* NULL where not prepared */
	bool busy;                    /* a reader lent to a thread */
};

struct sq_state {
	const struct ac_host *host;
	struct ac_plugin_ctx *ctx;
	char *path;
	struct sq_conn w; /* the writer, used under wlock */
	pthread_mutex_t wlock;
	struct sq_conn r[SQ_READERS]; /* lent under rlock */
	pthread_mutex_t rlock;
	pthread_cond_t rcond; /* a reader was given back */
	bool wlock_ok, rlock_ok, rcond_ok;
};

#define sq_log(st, lvl, ...) (st)->host->log((st)->ctx, (lvl), __VA_ARGS__)

/* Log the connection's last error and map it to -EIO. */
static int sq_fail(struct sq_state *st, sqlite3 *db, const char *what)
{
	sq_log(st, AC_LOG_ERROR, "%s: %s: %s", st->path, what,
	       sqlite3_errmsg(db));
	return -EIO;
}

/* Borrow a read-only connection; waits only while all are lent out (the
 * core has as many workers as there are readers). */
static struct sq_conn *sq_reader_get(struct sq_state *st)
{
	pthread_mutex_lock(&st->rlock);
	for (;;) {
		for (int i = 0; i < SQ_READERS; i++) {
			if (!st->r[i].busy) {
				st->r[i].busy = true;
				pthread_mutex_unlock(&st->rlock);
				return &st->r[i];
			}
		}
		pthread_cond_wait(&st->rcond, &st->rlock);
	}
}

static void sq_reader_put(struct sq_state *st, struct sq_conn *c)
{
	pthread_mutex_lock(&st->rlock);
	c->busy = false;
	pthread_cond_signal(&st->rcond);
	pthread_mutex_unlock(&st->rlock);
}

static int64_t sq_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool sq_id_ok(const char *s)
{
	return s && s[0] && strnlen(s, SQ_MAX_ID + 1) <= SQ_MAX_ID;
}

/* Run one cached statement to completion (no rows expected). */
static int sq_step_done(struct sq_state *st, enum sq_stmt which,
                        const char *what)
{
	sqlite3_stmt *s = st->w.stmt[which];
	int rc = sqlite3_step(s);
	int ret = 0;

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		ret = sq_fail(st, st->w.db, what);
	sqlite3_reset(s);
	return ret;
}

static int sq_begin(struct sq_state *st)
{
	return sq_step_done(st, SQ_BEGIN, "begin transaction");
}

static int sq_commit(struct sq_state *st)
{
	return sq_step_done(st, SQ_COMMIT, "commit");
}

static void sq_rollback(struct sq_state *st)
{
	if (!sqlite3_get_autocommit(st->w.db))
		sq_step_done(st, SQ_ROLLBACK, "rollback");
}

static void sq_release(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

static int sq_put_submission(void *state, const struct ac_submission *sub)
{
	struct sq_state *st = state;
	sqlite3_stmt *s = st->w.stmt[SQ_PUT_SUBMISSION];
	int rc, ret = 0;

	if (!sub || !sq_id_ok(sub->id) || !sq_id_ok(sub->problem_id) ||
	    !sq_id_ok(sub->lang) || (sub->user_id && !sq_id_ok(sub->user_id)) ||
	    (sub->problem_hash && !sq_id_ok(sub->problem_hash)) ||
	    (!sub->code && sub->code_len) || sub->code_len > SQ_MAX_DOC)
		return -EINVAL;
	pthread_mutex_lock(&st->wlock);
	sqlite3_bind_text(s, 1, sub->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, sub->problem_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, sub->lang, -1, SQLITE_STATIC);
	if (sub->user_id)
		sqlite3_bind_text(s, 4, sub->user_id, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 4);
	/* A zero-length blob, never NULL: code is NOT NULL. */
	sqlite3_bind_blob(s, 5, sub->code ? sub->code : "", (int)sub->code_len,
	                  SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, sub->submitted_at);
	if (sub->problem_hash)
		sqlite3_bind_text(s, 7, sub->problem_hash, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 7);
	sqlite3_bind_int(s, 8, sub->all_tests ? 1 : 0);
	rc = sqlite3_step(s);
	if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
		ret = -EEXIST;
	else if (rc != SQLITE_DONE)
		ret = sq_fail(st, st->w.db, "insert submission");
	sq_release(s);
	pthread_mutex_unlock(&st->wlock);
	return ret;
}

static int sq_put_result(void *state, const char *submission_id,
                         const char *result_json)
{
	struct sq_state *st = state;
	sqlite3_stmt *ins = st->w.stmt[SQ_PUT_RESULT];
	sqlite3_stmt *upd = st->w.stmt[SQ_MARK_DONE];
	int ret, rc, inserted = 0;

	if (!sq_id_ok(submission_id) || !result_json ||
	    strnlen(result_json, SQ_MAX_DOC + 1) > SQ_MAX_DOC)
		return -EINVAL;
	pthread_mutex_lock(&st->wlock);
	ret = sq_begin(st);
	if (ret < 0)
		goto out;
	sqlite3_bind_text(ins, 1, submission_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 2, result_json, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 3, sq_now_ms());
	rc = sqlite3_step(ins);
	if (rc != SQLITE_DONE) {
		ret = sq_fail(st, st->w.db, "insert result");
		sq_release(ins);
		goto out;
	}
	inserted = sqlite3_changes(st->w.db);
	sq_release(ins);
	sqlite3_bind_text(upd, 1, submission_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(upd);
	if (rc != SQLITE_DONE) {
		ret = sq_fail(st, st->w.db, "mark submission done");
		sq_release(upd);
		goto out;
	}
	if (sqlite3_changes(st->w.db) == 0)
		sq_log(st, AC_LOG_DEBUG,
		       "result for submission %s, unknown here: stored anyway",
		       submission_id);
	sq_release(upd);
	ret = sq_commit(st);
	if (ret == 0 && !inserted)
		sq_log(st, AC_LOG_DEBUG,
		       "duplicate result for submission %s ignored",
		       submission_id);
out:
	if (ret < 0)
		sq_rollback(st);
	pthread_mutex_unlock(&st->wlock);
	return ret;
}

static int sq_dup_column(sqlite3_stmt *s, int col, char **out)
{
	const unsigned char *text = sqlite3_column_text(s, col);

	*out = NULL;
	if (!text)
		return 0;
	*out = strdup((const char *)text);
	return *out ? 0 : -ENOMEM;
}

static int sq_get_result(void *state, const char *submission_id,
                         char **result_json, char **owner)
{
	struct sq_state *st = state;
	struct sq_conn *c;
	sqlite3_stmt *s, *o;
	char *json = NULL, *user = NULL;
	int rc, ret;

	*result_json = NULL;
	if (owner)
		*owner = NULL;
	if (!sq_id_ok(submission_id))
		return -ENOENT;
	c = sq_reader_get(st);
	s = c->stmt[SQ_GET_SUBMISSION];
	o = c->stmt[SQ_GET_ORPHAN];
	/* One snapshot for both lookups: a submission and its result stored
	 * between them cannot pass for a result without an owner. */
	rc = sqlite3_step(c->stmt[SQ_BEGIN_READ]);
	sqlite3_reset(c->stmt[SQ_BEGIN_READ]);
	if (rc != SQLITE_DONE) {
		ret = sq_fail(st, c->db, "begin read transaction");
		goto out;
	}
	sqlite3_bind_text(s, 1, submission_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_type(s, 1) == SQLITE_NULL) {
			/* Pending: the owner still tells the api whose it is.
			 */
			ret = sq_dup_column(s, 0, &user);
			if (ret == 0)
				ret = -EAGAIN;
		} else {
			ret = sq_dup_column(s, 1, &json);
			if (ret == 0)
				ret = sq_dup_column(s, 0, &user);
		}
		sq_release(s);
		goto out;
	}
	sq_release(s);
	if (rc != SQLITE_DONE) {
		ret = sq_fail(st, c->db, "read result");
		goto out;
	}
	/* Unknown submission: a result stored without it has no owner. */
	sqlite3_bind_text(o, 1, submission_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(o);
	if (rc == SQLITE_ROW)
		ret = sq_dup_column(o, 0, &json);
	else if (rc == SQLITE_DONE)
		ret = -ENOENT;
	else
		ret = sq_fail(st, c->db, "read result");
	sq_release(o);
out:
	if (!sqlite3_get_autocommit(c->db)) {
		/* Nothing to commit: this ends the read transaction. */
		if (sqlite3_step(c->stmt[SQ_COMMIT]) != SQLITE_DONE)
			sq_fail(st, c->db, "end read transaction");
		sqlite3_reset(c->stmt[SQ_COMMIT]);
	}
	sq_reader_put(st, c);
	if (ret == 0 && !json)
		ret = -EIO;
	if (ret == -EAGAIN && owner) {
		*owner = user;
		return ret;
	}
	if (ret < 0) {
		free(json);
		free(user);
		return ret;
	}
	*result_json = json;
	if (owner)
		*owner = user;
	else
		free(user);
	return 0;
}

static void sq_rows_free(struct ac_submission_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].id);
		free(rows[i].problem_id);
		free(rows[i].lang);
		free(rows[i].result_json);
	}
	free(rows);
}

/* The rows of SQ_LIST_USER (bound) into *out. */
static int sq_list_rows(struct sq_state *st, struct sq_conn *c, size_t max,
                        struct ac_submission_row **out, size_t *n)
{
	sqlite3_stmt *s = c->stmt[SQ_LIST_USER];
	struct ac_submission_row *rows = NULL;
	int rc = SQLITE_DONE, ret = 0;

	if (max && !(rows = calloc(max, sizeof(*rows))))
		return -ENOMEM;
	while (*n < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct ac_submission_row *r = &rows[(*n)++];

		if ((ret = sq_dup_column(s, 0, &r->id)) < 0 ||
		    (ret = sq_dup_column(s, 1, &r->problem_id)) < 0 ||
		    (ret = sq_dup_column(s, 2, &r->lang)) < 0 ||
		    (ret = sq_dup_column(s, 4, &r->result_json)) < 0)
			break;
		r->submitted_at = sqlite3_column_int64(s, 3);
		if (!r->id || !r->problem_id || !r->lang) {
			ret = -EIO;
			break;
		}
	}
	if (ret == 0 && *n < max && rc != SQLITE_DONE)
		ret = sq_fail(st, c->db, "list submissions");
	sq_release(s);
	if (ret < 0) {
		sq_rows_free(rows, *n);
		*n = 0;
		return ret;
	}
	*out = rows;
	return 0;
}

static int sq_list_submissions(void *state, const char *user_id,
                               const char *problem_id, size_t offset,
                               size_t max, struct ac_submission_row **out,
                               size_t *n, size_t *total)
{
	struct sq_state *st = state;
	struct sq_conn *c;
	sqlite3_stmt *s;
	int rc, ret;

	*out = NULL;
	*n = *total = 0;
	if (!user_id || max > 1000 || offset > INT64_MAX)
		return -EINVAL;
	c = sq_reader_get(st);
	/* One snapshot for the count and the page. */
	rc = sqlite3_step(c->stmt[SQ_BEGIN_READ]);
	sqlite3_reset(c->stmt[SQ_BEGIN_READ]);
	if (rc != SQLITE_DONE) {
		ret = sq_fail(st, c->db, "begin read transaction");
		goto out;
	}
	s = c->stmt[SQ_COUNT_USER];
	sqlite3_bind_text(s, 1, user_id, -1, SQLITE_STATIC);
	if (problem_id)
		sqlite3_bind_text(s, 2, problem_id, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 2);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*total = (size_t)sqlite3_column_int64(s, 0);
	sq_release(s);
	if (rc != SQLITE_ROW) {
		ret = sq_fail(st, c->db, "count submissions");
		goto out;
	}
	s = c->stmt[SQ_LIST_USER];
	sqlite3_bind_text(s, 1, user_id, -1, SQLITE_STATIC);
	if (problem_id)
		sqlite3_bind_text(s, 2, problem_id, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 2);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)max);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)offset);
	ret = sq_list_rows(st, c, max, out, n);
out:
	if (!sqlite3_get_autocommit(c->db)) {
		if (sqlite3_step(c->stmt[SQ_COMMIT]) != SQLITE_DONE)
			sq_fail(st, c->db, "end read transaction");
		sqlite3_reset(c->stmt[SQ_COMMIT]);
	}
	sq_reader_put(st, c);
	return ret;
}

static int sq_rate_take(void *state, const char *key, double burst,
                        double per_sec, int64_t now_ms, int64_t *retry_after_ms)
{
	struct sq_state *st = state;
	sqlite3_stmt *get = st->w.stmt[SQ_GET_BUCKET];
	sqlite3_stmt *put = st->w.stmt[SQ_PUT_BUCKET];
	double tokens;
	int64_t updated;
	int rc, ret, verdict;

	if (retry_after_ms)
		*retry_after_ms = 0;
	if (!sq_id_ok(key) || !isfinite(burst) || burst < 1 || burst > 1e9 ||
	    !isfinite(per_sec) || per_sec <= 0 || per_sec > 1e9)
		return -EINVAL;
	pthread_mutex_lock(&st->wlock);
	ret = sq_begin(st);
	if (ret < 0)
		goto out;
	sqlite3_bind_text(get, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(get);
	if (rc == SQLITE_ROW) {
		tokens = sqlite3_column_double(get, 0);
		updated = sqlite3_column_int64(get, 1);
	} else if (rc == SQLITE_DONE) {
		tokens = burst; /* a new bucket starts full */
		updated = now_ms;
	} else {
		ret = sq_fail(st, st->w.db, "read rate bucket");
		sq_release(get);
		goto out;
	}
	sq_release(get);
	if (!isfinite(tokens) || tokens < 0)
		tokens = 0;
	/* A clock that went backwards adds nothing and moves nothing back. */
	if (now_ms > updated) {
		tokens += (double)(now_ms - updated) * per_sec / 1000.0;
		updated = now_ms;
	}
	if (tokens > burst)
		tokens = burst;
	if (tokens >= 1) {
		tokens -= 1;
		verdict = 0;
	} else {
		/* ceil() by hand: the plugin does not link libm. */
		double wait = (1 - tokens) / per_sec * 1000.0;
		int64_t ms = wait > 4e15 ? (int64_t)4e15 : (int64_t)wait;

		if ((double)ms < wait)
			ms++;
		if (retry_after_ms)
			*retry_after_ms = ms < 1 ? 1 : ms;
		verdict = -EAGAIN;
	}
	sqlite3_bind_text(put, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_double(put, 2, tokens);
	sqlite3_bind_int64(put, 3, updated);
	rc = sqlite3_step(put);
	sq_release(put);
	if (rc != SQLITE_DONE) {
		ret = sq_fail(st, st->w.db, "write rate bucket");
		goto out;
	}
	ret = sq_commit(st);
	if (ret == 0)
		ret = verdict;
out:
	if (ret < 0 && ret != -EAGAIN)
		sq_rollback(st);
	pthread_mutex_unlock(&st->wlock);
	return ret;
}

static void sq_pending_clear(struct ac_pending *p)
{
	free(p->id);
	free(p->problem_id);
	free(p->problem_hash);
	free(p->lang);
	free(p->user_id);
	free(p->code);
	memset(p, 0, sizeof(*p));
}

/* One row of SQ_LIST_PENDING into *p. */
static int sq_pending_row(sqlite3_stmt *s, struct ac_pending *p)
{
	const void *code = sqlite3_column_blob(s, 5);
	int len = sqlite3_column_bytes(s, 5);
	int ret;

	memset(p, 0, sizeof(*p));
	ret = sq_dup_column(s, 0, &p->id);
	if (ret == 0)
		ret = sq_dup_column(s, 1, &p->problem_id);
	if (ret == 0)
		ret = sq_dup_column(s, 2, &p->problem_hash);
	if (ret == 0)
		ret = sq_dup_column(s, 3, &p->lang);
	if (ret == 0)
		ret = sq_dup_column(s, 4, &p->user_id);
	if (ret == 0 && !(p->code = malloc((size_t)len + 1)))
		ret = -ENOMEM;
	if (ret == 0) {
		if (len)
			memcpy(p->code, code, (size_t)len);
		p->code[len] = '\0';
		p->code_len = (size_t)len;
		p->submitted_at = sqlite3_column_int64(s, 6);
		p->all_tests = sqlite3_column_int(s, 7) != 0;
		p->attempts = (unsigned)sqlite3_column_int(s, 8) + 1;
		if (!p->id || !p->problem_id || !p->lang)
			ret = -EIO;
	}
	if (ret < 0)
		sq_pending_clear(p);
	return ret;
}

/* Select and stamp in one write transaction: of two processes sharing
 * the file, the second sees the first's queued_at. */
static int sq_claim_pending(void *state, int64_t cutoff_ms, int64_t now_ms,
                            size_t max, struct ac_pending **out, size_t *n)
{
	struct sq_state *st = state;
	sqlite3_stmt *sel = st->w.stmt[SQ_LIST_PENDING];
	sqlite3_stmt *upd = st->w.stmt[SQ_CLAIM];
	struct ac_pending *v = NULL;
	size_t count = 0;
	int rc, ret;

	*out = NULL;
	*n = 0;
	if (max == 0)
		return 0;
	if (max > 100000)
		max = 100000;
	v = calloc(max, sizeof(*v));
	if (!v)
		return -ENOMEM;
	pthread_mutex_lock(&st->wlock);
	ret = sq_begin(st);
	if (ret < 0)
		goto out;
	sqlite3_bind_int64(sel, 1, cutoff_ms);
	sqlite3_bind_int64(sel, 2, (sqlite3_int64)max);
	while (count < max && (rc = sqlite3_step(sel)) == SQLITE_ROW) {
		ret = sq_pending_row(sel, &v[count]);
		if (ret < 0)
			break;
		count++;
	}
	if (ret == 0 && count < max && rc != SQLITE_DONE)
		ret = sq_fail(st, st->w.db, "list pending submissions");
	sq_release(sel);
	for (size_t i = 0; ret == 0 && i < count; i++) {
		sqlite3_bind_text(upd, 1, v[i].id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(upd, 2, now_ms);
		if (sqlite3_step(upd) != SQLITE_DONE)
			ret = sq_fail(st, st->w.db, "claim pending submission");
		sq_release(upd);
	}
	if (ret == 0)
		ret = sq_commit(st);
out:
	if (ret < 0)
		sq_rollback(st);
	pthread_mutex_unlock(&st->wlock);
	if (ret < 0 || count == 0) {
		for (size_t i = 0; i < count; i++)
			sq_pending_clear(&v[i]);
		free(v);
		return ret;
	}
	*out = v;
	*n = count;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Users and refresh tokens                                             */

static int sq_put_user(void *state, const struct ac_user *u)
{
	struct sq_state *st = state;
	sqlite3_stmt *s = st->w.stmt[SQ_PUT_USER];
	char *email;
	int rc, ret = 0;

	if (!u || !sq_id_ok(u->id) || !sq_id_ok(u->username) ||
	    !sq_id_ok(u->email) || !u->password_hash ||
	    strnlen(u->password_hash, 1025) > 1024 ||
	    (u->first_name && strnlen(u->first_name, 1025) > 1024) ||
	    (u->last_name && strnlen(u->last_name, 1025) > 1024))
		return -EINVAL;
	email = strdup(u->email);
	if (!email)
		return -ENOMEM;
	/* ASCII lower case: e-mail addresses compare case-insensitively. */
	for (char *p = email; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	pthread_mutex_lock(&st->wlock);
	sqlite3_bind_text(s, 1, u->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, u->username, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, email, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, u->password_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, u->first_name ? u->first_name : "", -1,
	                  SQLITE_STATIC);
	sqlite3_bind_text(s, 6, u->last_name ? u->last_name : "", -1,
	                  SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, u->created_at ? u->created_at : sq_now_ms());
	rc = sqlite3_step(s);
	if (rc == SQLITE_CONSTRAINT_PRIMARYKEY ||
	    rc == SQLITE_CONSTRAINT_UNIQUE)
		ret = -EEXIST;
	else if (rc != SQLITE_DONE)
		ret = sq_fail(st, st->w.db, "insert user");
	sq_release(s);
	pthread_mutex_unlock(&st->wlock);
	free(email);
	return ret;
}

static void sq_user_clear(struct ac_user *u)
{
	free(u->id);
	free(u->username);
	free(u->email);
	free(u->password_hash);
	free(u->first_name);
	free(u->last_name);
	memset(u, 0, sizeof(*u));
}

static int sq_get_user(void *state, enum ac_user_key by, const char *key,
                       struct ac_user *out)
{
	struct sq_state *st = state;
	enum sq_stmt which;
	struct sq_conn *c;
	sqlite3_stmt *s;
	char *k;
	int rc, ret;

	memset(out, 0, sizeof(*out));
	if (!sq_id_ok(key))
		return -ENOENT;
	switch (by) {
	case AC_USER_BY_ID:
		which = SQ_GET_USER_ID;
		break;
	case AC_USER_BY_USERNAME:
		which = SQ_GET_USER_NAME;
		break;
	case AC_USER_BY_EMAIL:
		which = SQ_GET_USER_EMAIL;
		break;
	default:
		return -ENOENT;
	}
	k = strdup(key);
	if (!k)
		return -ENOMEM;
	if (by == AC_USER_BY_EMAIL)
		for (char *p = k; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
	c = sq_reader_get(st);
	s = c->stmt[which];
	sqlite3_bind_text(s, 1, k, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		ret = sq_dup_column(s, 0, &out->id);
		if (ret == 0)
			ret = sq_dup_column(s, 1, &out->username);
		if (ret == 0)
			ret = sq_dup_column(s, 2, &out->email);
		if (ret == 0)
			ret = sq_dup_column(s, 3, &out->password_hash);
		if (ret == 0)
			ret = sq_dup_column(s, 4, &out->first_name);
		if (ret == 0)
			ret = sq_dup_column(s, 5, &out->last_name);
		out->created_at = sqlite3_column_int64(s, 6);
		if (ret == 0 && (!out->id || !out->username || !out->email ||
		                 !out->password_hash || !out->first_name ||
		                 !out->last_name))
			ret = -EIO;
	} else if (rc == SQLITE_DONE) {
		ret = -ENOENT;
	} else {
		ret = sq_fail(st, c->db, "read user");
	}
	sq_release(s);
	sq_reader_put(st, c);
	free(k);
	if (ret < 0)
		sq_user_clear(out);
	return ret;
}

static int sq_put_refresh(void *state, const char *jti, const char *user_id,
                          int64_t expires_at)
{
	struct sq_state *st = state;
	sqlite3_stmt *s = st->w.stmt[SQ_PUT_REFRESH];
	int rc, ret = 0;

	if (!sq_id_ok(jti) || !sq_id_ok(user_id))
		return -EINVAL;
	pthread_mutex_lock(&st->wlock);
	sqlite3_bind_text(s, 1, jti, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, user_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, expires_at);
	rc = sqlite3_step(s);
	if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
		ret = -EEXIST;
	else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
		ret = -ENOENT; /* no such user */
	else if (rc != SQLITE_DONE)
		ret = sq_fail(st, st->w.db, "insert refresh token");
	sq_release(s);
	pthread_mutex_unlock(&st->wlock);
	return ret;
}

/* In a write transaction: of two concurrent uses (threads or processes),
 * exactly one finds the token unused. */
static int sq_use_refresh(void *state, const char *jti, int64_t now,
                          char **user_id)
{
	struct sq_state *st = state;
	sqlite3_stmt *get = st->w.stmt[SQ_GET_REFRESH];
	sqlite3_stmt *upd = st->w.stmt[SQ_REVOKE_JTI];
	char *user = NULL;
	int rc, ret;

	*user_id = NULL;
	if (!sq_id_ok(jti))
		return -ENOENT;
	pthread_mutex_lock(&st->wlock);
	ret = sq_begin(st);
	if (ret < 0)
		goto out;
	sqlite3_bind_text(get, 1, jti, -1, SQLITE_STATIC);
	rc = sqlite3_step(get);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_int(get, 1))
			ret = -EKEYREVOKED;
		else if (sqlite3_column_int64(get, 2) <= now)
			ret = -EKEYEXPIRED;
		else
			ret = sq_dup_column(get, 0, &user);
	} else if (rc == SQLITE_DONE) {
		ret = -ENOENT;
	} else {
		ret = sq_fail(st, st->w.db, "read refresh token");
	}
	sq_release(get);
	if (ret == 0) {
		sqlite3_bind_text(upd, 1, jti, -1, SQLITE_STATIC);
		if (sqlite3_step(upd) != SQLITE_DONE)
			ret = sq_fail(st, st->w.db, "consume refresh token");
		sq_release(upd);
	}
	if (ret == 0)
		ret = sq_commit(st);
out:
	if (ret < 0)
		sq_rollback(st);
	pthread_mutex_unlock(&st->wlock);
	if (ret == 0 && !user)
		ret = -EIO;
	if (ret < 0) {
		free(user);
		return ret;
	}
	*user_id = user;
	return 0;
}

static int sq_revoke_refresh(void *state, const char *jti, const char *user_id)
{
	struct sq_state *st = state;
	sqlite3_stmt *s;
	int rc, ret = 0;

	if (jti ? !sq_id_ok(jti) : !sq_id_ok(user_id))
		return -EINVAL;
	s = st->w.stmt[jti ? SQ_REVOKE_JTI : SQ_REVOKE_USER];
	pthread_mutex_lock(&st->wlock);
	sqlite3_bind_text(s, 1, jti ? jti : user_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE)
		ret = sq_fail(st, st->w.db, "revoke refresh token");
	sq_release(s);
	pthread_mutex_unlock(&st->wlock);
	return ret;
}

/* mkdir -p the directory part of path, new directories mode 0700. */
static int sq_make_parent(struct sq_state *st, const char *path)
{
	char *dir = strdup(path);
	char *slash;
	int ret = 0;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		goto out; /* the current directory or / */
	*slash = '\0';
	for (char *p = dir + 1;; p++) {
		char saved = *p;

		if (saved != '/' && saved != '\0')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			struct stat sb;
			int err = errno;

			if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
				sq_log(st, AC_LOG_ERROR,
				       "store.path: cannot create %s: %s", dir,
				       strerror(err));
				ret = -err;
				goto out;
			}
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
out:
	free(dir);
	return ret;
}

static int sq_exec(struct sq_state *st, const char *sql, const char *what)
{
	char *msg = NULL;

	if (sqlite3_exec(st->w.db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		sq_log(st, AC_LOG_ERROR, "%s: %s: %s", st->path, what,
		       msg ? msg : sqlite3_errmsg(st->w.db));
		sqlite3_free(msg);
		return -EIO;
	}
	return 0;
}

/* Create or migrate the schema in one transaction. */
static int sq_schema(struct sq_state *st)
{
	sqlite3_stmt *s = NULL;
	int version = 0, ret;

	ret = sq_exec(st, "BEGIN IMMEDIATE", "begin schema transaction");
	if (ret < 0)
		return ret;
	ret = sq_exec(st,
	              "CREATE TABLE IF NOT EXISTS schema_version("
	              "version INTEGER NOT NULL)",
	              "create schema_version");
	if (ret < 0)
		goto out;
	if (sqlite3_prepare_v2(st->w.db,
	                       "SELECT max(version) FROM schema_version", -1,
	                       &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW) {
		ret = sq_fail(st, st->w.db, "read schema version");
		goto out;
	}
	version = sqlite3_column_int(s, 0);
	if (version > SQ_SCHEMA_VERSION) {
		sq_log(st, AC_LOG_ERROR,
		       "%s: database schema version %d is newer than this "
		       "algocode supports (%d): upgrade algocode or use "
		       "another "
		       "store.path",
		       st->path, version, SQ_SCHEMA_VERSION);
		ret = -EPROTONOSUPPORT;
		goto out;
	}
	if (version < 0) {
		sq_log(st, AC_LOG_ERROR, "%s: bad schema version %d", st->path,
		       version);
		ret = -EPROTONOSUPPORT;
		goto out;
	}
	if (version == SQ_SCHEMA_VERSION)
		goto out;
	for (int v = version; v < SQ_SCHEMA_VERSION; v++) {
		char what[64];

		snprintf(what, sizeof(what), "migrate schema %d -> %d", v,
		         v + 1);
		ret = sq_exec(st, sq_migrations[v], what);
		if (ret < 0)
			goto out;
	}
	{
		char sql[128];

		snprintf(sql, sizeof(sql),
		         "DELETE FROM schema_version;"
		         "INSERT INTO schema_version(version) VALUES(%d)",
		         SQ_SCHEMA_VERSION);
		ret = sq_exec(st, sql, "write schema version");
		if (ret < 0)
			goto out;
	}
	if (version == 0)
		sq_log(st, AC_LOG_INFO, "%s: created schema version %d",
		       st->path, SQ_SCHEMA_VERSION);
	else
		sq_log(st, AC_LOG_INFO, "%s: migrated schema %d -> %d",
		       st->path, version, SQ_SCHEMA_VERSION);
out:
	sqlite3_finalize(s);
	if (ret < 0)
		sq_exec(st, "ROLLBACK", "rollback schema transaction");
	else
		ret = sq_exec(st, "COMMIT", "commit schema");
	return ret;
}

/* Create the file 0600 ourselves: SQLite would use 0644 & ~umask, and it
 * gives its -wal and -shm files the database file's mode. */
static int sq_create_file(struct sq_state *st)
{
	int fd = open(st->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);

	if (fd < 0) {
		int err = errno;

		sq_log(st, AC_LOG_ERROR, "store.path: cannot open %s: %s",
		       st->path, strerror(err));
		return -err;
	}
	close(fd);
	return 0;
}

static int sq_pragmas(struct sq_state *st, long long busy_ms)
{
	char sql[160];
	sqlite3_stmt *s = NULL;
	int ret;

	snprintf(sql, sizeof(sql),
	         "PRAGMA busy_timeout=%lld; PRAGMA foreign_keys=ON;"
	         " PRAGMA synchronous=NORMAL",
	         busy_ms);
	ret = sq_exec(st, sql, "set pragmas");
	if (ret < 0)
		return ret;
	if (sqlite3_prepare_v2(st->w.db, "PRAGMA journal_mode=WAL", -1, &s,
	                       NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW) {
		ret = sq_fail(st, st->w.db, "set journal_mode=WAL");
		goto out;
	}
	if (strcmp((const char *)sqlite3_column_text(s, 0), "wal") != 0)
		sq_log(st, AC_LOG_WARN,
		       "%s: journal_mode is %s, not wal (filesystem without "
		       "shared memory?)",
		       st->path, sqlite3_column_text(s, 0));
out:
	sqlite3_finalize(s);
	return ret;
}

/* Prepare the statements of one connection: all of them on the writer,
 * those of sq_read_stmt on a reader. */
static int sq_prepare(struct sq_state *st, struct sq_conn *c, bool reader)
{
	for (int i = 0; i < SQ_NSTMT; i++) {
		if (reader && !sq_read_stmt[i])
			continue;
		if (sqlite3_prepare_v3(c->db, sq_sql[i], -1,
		                       SQLITE_PREPARE_PERSISTENT, &c->stmt[i],
		                       NULL) == SQLITE_OK)
			continue;
		if (i == SQ_PUT_RESULT &&
		    sqlite3_prepare_v3(c->db, sq_put_result_nojson, -1,
		                       SQLITE_PREPARE_PERSISTENT, &c->stmt[i],
		                       NULL) == SQLITE_OK) {
			sq_log(st, AC_LOG_INFO,
			       "SQLite has no JSON functions: "
			       "results.verdict_code"
			       " stays empty");
			continue;
		}
		return sq_fail(st, c->db, "prepare statement");
	}
	return 0;
}

static void sq_conn_close(struct sq_state *st, struct sq_conn *c)
{
	for (int i = 0; i < SQ_NSTMT; i++)
		sqlite3_finalize(c->stmt[i]);
	if (c->db && sqlite3_close(c->db) != SQLITE_OK)
		sq_log(st, AC_LOG_ERROR, "%s: close: %s", st->path,
		       sqlite3_errmsg(c->db));
	memset(c, 0, sizeof(*c));
}

static int64_t sq_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int sq_damaged(struct sq_state *st, const char *why)
{
	char line[512];
	size_t i;

	/* quick_check answers on several lines: one line in the log. */
	for (i = 0; why[i] && i < sizeof(line) - 1; i++)
		line[i] = why[i] == '\n' ? ' ' : why[i];
	line[i] = '\0';
	sq_log(st, AC_LOG_ERROR,
	       "%s: the database file is damaged (PRAGMA quick_check: %s): "
	       "refusing to serve from it; restore it from a backup, or move "
	       "it away to start with an empty store",
	       st->path, line);
	return -EIO;
}

/* PRAGMA quick_check on the writer, before anything else reads the file:
 * it reads every page once (no index cross-checks), so its cost grows with
 * the size of the file. */
static int sq_quick_check(struct sq_state *st)
{
	sqlite3_stmt *s = NULL;
	int64_t t0 = sq_mono_ms();
	int rc, ret = 0;

	rc = sqlite3_prepare_v2(st->w.db, "PRAGMA quick_check(1)", -1, &s,
	                        NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const unsigned char *text = sqlite3_column_text(s, 0);

		if (!text || strcmp((const char *)text, "ok") != 0)
			ret = sq_damaged(st, text ? (const char *)text
			                          : "no answer");
	} else if ((rc & 0xff) == SQLITE_CORRUPT ||
	           (rc & 0xff) == SQLITE_NOTADB) {
		ret = sq_damaged(st, sqlite3_errmsg(st->w.db));
	} else {
		ret = sq_fail(st, st->w.db, "PRAGMA quick_check");
	}
	sqlite3_finalize(s);
	if (ret == 0)
		sq_log(st, AC_LOG_INFO, "%s: quick_check ok (%lld ms)",
		       st->path, (long long)(sq_mono_ms() - t0));
	return ret;
}

/* The read-only connections, opened once the schema is in place. */
static int sq_open_readers(struct sq_state *st, long long busy_ms)
{
	for (int i = 0; i < SQ_READERS; i++) {
		struct sq_conn *c = &st->r[i];
		int ret;

		if (sqlite3_open_v2(st->path, &c->db,
		                    SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
		                    NULL) != SQLITE_OK)
			return c->db ? sq_fail(st, c->db, "open read-only")
			             : -ENOMEM;
		sqlite3_extended_result_codes(c->db, 1);
		/* Readers wait only in rare cases (WAL recovery after a
		 * crash of another process), never for a writer. */
		sqlite3_busy_timeout(c->db, (int)busy_ms);
		ret = sq_prepare(st, c, true);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static void sq_fini(void *state)
{
	struct sq_state *st = state;

	if (!st)
		return;
	for (int i = 0; i < SQ_READERS; i++)
		sq_conn_close(st, &st->r[i]);
	sq_conn_close(st, &st->w);
	if (st->wlock_ok)
		pthread_mutex_destroy(&st->wlock);
	if (st->rlock_ok)
		pthread_mutex_destroy(&st->rlock);
	if (st->rcond_ok)
		pthread_cond_destroy(&st->rcond);
	free(st->path);
	free(st);
}

static int sq_init(const struct ac_host *host, struct ac_plugin_ctx *ctx,
                   void **state)
{
	struct sq_state *st;
	long long busy_ms = 5000;
	bool check = true;
	int ret;

	*state = NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->host = host;
	st->ctx = ctx;
	if (!sqlite3_threadsafe()) {
		sq_log(st, AC_LOG_ERROR, "libsqlite3 is built without threads");
		ret = -ENOTSUP;
		goto fail;
	}
	ret = host->conf_string(ctx, "path", &st->path);
	if (ret == -ENOENT || (ret == 0 && !st->path[0])) {
		sq_log(st, AC_LOG_ERROR,
		       "store.path is not set: name the SQLite database file, "
		       "e.g. store.path = \"/var/lib/algocode/algocode.db\"");
		ret = -EINVAL;
		goto fail;
	}
	if (ret < 0) {
		sq_log(st, AC_LOG_ERROR, "store.path must be a string");
		goto fail;
	}
	if (strlen(st->path) >= PATH_MAX) {
		sq_log(st, AC_LOG_ERROR, "store.path is too long");
		ret = -ENAMETOOLONG;
		goto fail;
	}
	ret = host->conf_int(ctx, "busy_timeout_ms", &busy_ms);
	if (ret < 0 && ret != -ENOENT) {
		sq_log(st, AC_LOG_ERROR,
		       "store.busy_timeout_ms must be an integer");
		goto fail;
	}
	ret = host->conf_bool(ctx, "quick_check", &check);
	if (ret < 0 && ret != -ENOENT) {
		sq_log(st, AC_LOG_ERROR,
		       "store.quick_check must be true or false");
		goto fail;
	}
	if (pthread_mutex_init(&st->wlock, NULL) != 0) {
		ret = -ENOMEM;
		goto fail;
	}
	st->wlock_ok = true;
	if (pthread_mutex_init(&st->rlock, NULL) != 0) {
		ret = -ENOMEM;
		goto fail;
	}
	st->rlock_ok = true;
	if (pthread_cond_init(&st->rcond, NULL) != 0) {
		ret = -ENOMEM;
		goto fail;
	}
	st->rcond_ok = true;
	ret = sq_make_parent(st, st->path);
	if (ret < 0)
		goto fail;
	ret = sq_create_file(st);
	if (ret < 0)
		goto fail;
	if (sqlite3_open_v2(st->path, &st->w.db,
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	                            SQLITE_OPEN_FULLMUTEX,
	                    NULL) != SQLITE_OK) {
		ret = st->w.db ? sq_fail(st, st->w.db, "open") : -ENOMEM;
		goto fail;
	}
	sqlite3_extended_result_codes(st->w.db, 1);
	ret = sq_pragmas(st, busy_ms);
	if (ret < 0)
		goto fail;
	if (check) {
		ret = sq_quick_check(st);
		if (ret < 0)
			goto fail;
	}
	ret = sq_schema(st);
	if (ret < 0)
		goto fail;
	ret = sq_prepare(st, &st->w, false);
	if (ret < 0)
		goto fail;
	ret = sq_open_readers(st, busy_ms);
	if (ret < 0)
		goto fail;
	sq_log(st, AC_LOG_DEBUG,
	       "opened %s (schema %d, 1 writer, %d read-only connections)",
	       st->path, SQ_SCHEMA_VERSION, SQ_READERS);
	*state = st;
	return 0;
fail:
	sq_fini(st);
	return ret;
}

static const struct ac_store_ops sq_ops = {
        .init = sq_init,
        .fini = sq_fini,
        .put_submission = sq_put_submission,
        .put_result = sq_put_result,
        .get_result = sq_get_result,
        .rate_take = sq_rate_take,
        .put_user = sq_put_user,
        .get_user = sq_get_user,
        .put_refresh = sq_put_refresh,
        .use_refresh = sq_use_refresh,
        .revoke_refresh = sq_revoke_refresh,
        .claim_pending = sq_claim_pending,
        .list_submissions = sq_list_submissions,
};

/* The core checks these before init (busy_timeout_ms's range). */
static const struct ac_setting sq_settings[] = {
        {"path", AC_SETTING_STRING, NULL, 0, 0,
         "the SQLite database file (required; created when missing)"},
        {"busy_timeout_ms", AC_SETTING_INT, "5000", 0, 600000,
         "how long a write waits for another process's write lock"},
        {"quick_check", AC_SETTING_BOOL, "true", 0, 0,
         "PRAGMA quick_check at start-up: a damaged file is refused"},
        {NULL, 0, NULL, 0, 0, NULL},
};

AC_PLUGIN_DEFINE_SETTINGS(AC_KIND_STORE, "sqlite",
                          "SQLite database file (WAL): submissions, "
                          "results, users, rate limits",
                          PACKAGE_VERSION, sq_ops, sq_settings);
