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
#include "sq.h"

/* Log the connection's last error and map it to -EIO. */
int sq_fail(struct sq_state *st, sqlite3 *db, const char *what)
{
	pu_log(st, AC_LOG_ERROR, "%s: %s: %s", st->path, what,
	       sqlite3_errmsg(db));
	return -EIO;
}

/* Borrow a read-only connection; waits only while all are lent out (the
 * core has as many workers as there are readers). */
struct sq_conn *sq_reader_get(struct sq_state *st)
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

void sq_reader_put(struct sq_state *st, struct sq_conn *c)
{
	pthread_mutex_lock(&st->rlock);
	c->busy = false;
	pthread_cond_signal(&st->rcond);
	pthread_mutex_unlock(&st->rlock);
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

int sq_begin(struct sq_state *st)
{
	return sq_step_done(st, SQ_BEGIN, "begin transaction");
}

int sq_commit(struct sq_state *st)
{
	return sq_step_done(st, SQ_COMMIT, "commit");
}

void sq_rollback(struct sq_state *st)
{
	if (!sqlite3_get_autocommit(st->w.db))
		sq_step_done(st, SQ_ROLLBACK, "rollback");
}

void sq_release(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

int sq_write_begin(struct sq_state *st)
{
	pthread_mutex_lock(&st->wlock);
	return sq_begin(st);
}

int sq_write_end(struct sq_state *st, int ret)
{
	if (ret == 0)
		ret = sq_commit(st);
	if (ret < 0)
		sq_rollback(st);
	pthread_mutex_unlock(&st->wlock);
	return ret;
}

int sq_write_step(struct sq_state *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);
	int ret = 0;

	if (rc == SQLITE_CONSTRAINT_PRIMARYKEY ||
	    rc == SQLITE_CONSTRAINT_UNIQUE)
		ret = -EEXIST;
	else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
		ret = -ENOENT;
	else if (rc != SQLITE_DONE)
		ret = sq_fail(st, st->w.db, what);
	sq_release(s);
	return ret;
}

/* A read snapshot over several statements on reader c. */
static int sq_read_begin(struct sq_state *st, struct sq_conn *c)
{
	int rc = sqlite3_step(c->stmt[SQ_BEGIN_READ]);

	sqlite3_reset(c->stmt[SQ_BEGIN_READ]);
	if (rc != SQLITE_DONE)
		return sq_fail(st, c->db, "begin read transaction");
	return 0;
}

/* End the snapshot, if one was begun, and give the reader back. */
static void sq_read_end(struct sq_state *st, struct sq_conn *c)
{
	if (!sqlite3_get_autocommit(c->db)) {
		/* Nothing to commit: this ends the read transaction. */
		if (sqlite3_step(c->stmt[SQ_COMMIT]) != SQLITE_DONE)
			sq_fail(st, c->db, "end read transaction");
		sqlite3_reset(c->stmt[SQ_COMMIT]);
	}
	sq_reader_put(st, c);
}

static int sq_put_submission(void *state, const struct ac_submission *sub)
{
	struct sq_state *st = state;
	sqlite3_stmt *s = st->w.stmt[SQ_PUT_SUBMISSION];
	int ret;

	if (!st_submission_ok(sub, SQ_MAX_DOC))
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
	ret = sq_write_step(st, s, "insert submission");
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

	if (!st_id_ok(submission_id) || !result_json ||
	    strnlen(result_json, SQ_MAX_DOC + 1) > SQ_MAX_DOC)
		return -EINVAL;
	ret = sq_write_begin(st);
	if (ret < 0)
		goto out;
	sqlite3_bind_text(ins, 1, submission_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 2, result_json, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 3, st_now_ms());
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
		pu_log(st, AC_LOG_DEBUG,
		       "result for submission %s, unknown here: stored anyway",
		       submission_id);
	sq_release(upd);
out:
	ret = sq_write_end(st, ret);
	if (ret == 0 && !inserted)
		pu_log(st, AC_LOG_DEBUG,
		       "duplicate result for submission %s ignored",
		       submission_id);
	return ret;
}

int sq_dup_column(sqlite3_stmt *s, int col, char **out)
{
	const unsigned char *text = sqlite3_column_text(s, col);

	*out = NULL;
	if (!text)
		return 0;
	*out = strdup((const char *)text);
	return *out ? 0 : -ENOMEM;
}

int sq_dup_columns(sqlite3_stmt *s, char **const *v, int n)
{
	int ret = 0;

	for (int i = 0; i < n && ret == 0; i++)
		ret = sq_dup_column(s, i, v[i]);
	return ret;
}

static int sq_get_result(void *state, const char *submission_id,
                         char **result_json, char **owner)
{
	struct sq_state *st = state;
	struct sq_conn *c;
	sqlite3_stmt *s, *o;
	char *json = NULL, *user = NULL;
	int rc, ret;

	ret = st_result_begin(submission_id, result_json, owner);
	if (ret < 0)
		return ret;
	c = sq_reader_get(st);
	s = c->stmt[SQ_GET_SUBMISSION];
	o = c->stmt[SQ_GET_ORPHAN];
	/* One snapshot for both lookups: a submission and its result stored
	 * between them cannot pass for a result without an owner. */
	ret = sq_read_begin(st, c);
	if (ret < 0)
		goto out;
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
	sq_read_end(st, c);
	if (ret == 0 && !json)
		ret = -EIO;
	if (ret == -EAGAIN) {
		st_result_give(NULL, user, result_json, owner);
		return ret;
	}
	if (ret < 0) {
		free(json);
		free(user);
		return ret;
	}
	return st_result_give(json, user, result_json, owner);
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
		st_rows_free(rows, *n);
		*n = 0;
		return ret;
	}
	*out = rows;
	return 0;
}

/* ?1 user_id, ?2 problem_id or NULL (every problem). */
static void sq_bind_user_problem(sqlite3_stmt *s, const char *user_id,
                                 const char *problem_id)
{
	sqlite3_bind_text(s, 1, user_id, -1, SQLITE_STATIC);
	if (problem_id)
		sqlite3_bind_text(s, 2, problem_id, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 2);
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
	ret = sq_read_begin(st, c);
	if (ret < 0)
		goto out;
	s = c->stmt[SQ_COUNT_USER];
	sq_bind_user_problem(s, user_id, problem_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*total = (size_t)sqlite3_column_int64(s, 0);
	sq_release(s);
	if (rc != SQLITE_ROW) {
		ret = sq_fail(st, c->db, "count submissions");
		goto out;
	}
	s = c->stmt[SQ_LIST_USER];
	sq_bind_user_problem(s, user_id, problem_id);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)max);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)offset);
	ret = sq_list_rows(st, c, max, out, n);
out:
	sq_read_end(st, c);
	return ret;
}

static int sq_rate_take(void *state, const char *key, double burst,
                        double per_sec, int64_t now_ms, int64_t *retry_after_ms)
{
	struct sq_state *st = state;
	sqlite3_stmt *get = st->w.stmt[SQ_GET_BUCKET];
	sqlite3_stmt *put = st->w.stmt[SQ_PUT_BUCKET];
	double tokens;
	int64_t updated, retry = 0;
	int rc, ret, verdict = 0;

	if (retry_after_ms)
		*retry_after_ms = 0;
	if (!st_rate_ok(key, burst, per_sec))
		return -EINVAL;
	ret = sq_write_begin(st);
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
	verdict = st_bucket_step(&tokens, &updated, burst, per_sec, now_ms,
	                         &retry);
	if (verdict == -EAGAIN && retry_after_ms)
		*retry_after_ms = retry;
	sqlite3_bind_text(put, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_double(put, 2, tokens);
	sqlite3_bind_int64(put, 3, updated);
	ret = sq_write_step(st, put, "write rate bucket");
out:
	ret = sq_write_end(st, ret);
	return ret == 0 ? verdict : ret;
}

/* One row of SQ_LIST_PENDING into *p. */
static int sq_pending_row(sqlite3_stmt *s, struct ac_pending *p)
{
	const void *code = sqlite3_column_blob(s, 5);
	int len = sqlite3_column_bytes(s, 5);
	char **v[ST_PENDING_STRINGS];
	int ret;

	memset(p, 0, sizeof(*p));
	st_pending_strings(p, v);
	ret = sq_dup_columns(s, v, ST_PENDING_STRINGS);
	if (ret == 0)
		ret = st_pending_code(p, code, (size_t)len);
	if (ret == 0) {
		p->submitted_at = sqlite3_column_int64(s, 6);
		p->all_tests = sqlite3_column_int(s, 7) != 0;
		p->attempts = (unsigned)sqlite3_column_int(s, 8) + 1;
	}
	return st_pending_done(p, ret);
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

	ret = st_pending_alloc(&max, &v, out, n);
	if (ret < 0 || !v)
		return ret;
	ret = sq_write_begin(st);
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
out:
	ret = sq_write_end(st, ret);
	return st_pending_finish(ret, v, count, out, n);
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

/* The settings and the locks. */
static int sq_settings_read(struct sq_state *st, long long *busy_ms,
                            bool *check)
{
	int ret;

	if (!sqlite3_threadsafe()) {
		pu_log(st, AC_LOG_ERROR, "libsqlite3 is built without threads");
		return -ENOTSUP;
	}
	ret = pu_conf_str(st->host, st->ctx, "path", NULL, &st->path);
	if (ret < 0)
		return ret;
	if (!st->path || !st->path[0]) {
		pu_log(st, AC_LOG_ERROR,
		       "store.path is not set: name the SQLite database file, "
		       "e.g. store.path = \"/var/lib/algocode/algocode.db\"");
		return -EINVAL;
	}
	if (strlen(st->path) >= PATH_MAX) {
		pu_log(st, AC_LOG_ERROR, "store.path is too long");
		return -ENAMETOOLONG;
	}
	if ((ret = pu_conf_int(st->host, st->ctx, "busy_timeout_ms", busy_ms)) <
	            0 ||
	    (ret = pu_conf_bool(st->host, st->ctx, "quick_check", check)) < 0)
		return ret;
	st->wlock_ok = pthread_mutex_init(&st->wlock, NULL) == 0;
	st->rlock_ok = pthread_mutex_init(&st->rlock, NULL) == 0;
	st->rcond_ok = pthread_cond_init(&st->rcond, NULL) == 0;
	return st->wlock_ok && st->rlock_ok && st->rcond_ok ? 0 : -ENOMEM;
}

static int sq_setup(struct sq_state *st)
{
	long long busy_ms = 5000;
	bool check = true;
	int ret;

	ret = sq_settings_read(st, &busy_ms, &check);
	if (ret < 0)
		return ret;
	ret = sq_make_parent(st, st->path);
	if (ret < 0)
		return ret;
	ret = sq_create_file(st);
	if (ret < 0)
		return ret;
	if (sqlite3_open_v2(st->path, &st->w.db,
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	                            SQLITE_OPEN_FULLMUTEX,
	                    NULL) != SQLITE_OK) {
		ret = st->w.db ? sq_fail(st, st->w.db, "open") : -ENOMEM;
		return ret;
	}
	sqlite3_extended_result_codes(st->w.db, 1);
	ret = sq_pragmas(st, busy_ms);
	if (ret < 0)
		return ret;
	if (check) {
		ret = sq_quick_check(st);
		if (ret < 0)
			return ret;
	}
	ret = sq_schema(st);
	if (ret < 0)
		return ret;
	ret = sq_prepare(st, &st->w, false);
	if (ret < 0)
		return ret;
	ret = sq_open_readers(st, busy_ms);
	if (ret < 0)
		return ret;
	pu_log(st, AC_LOG_DEBUG,
	       "opened %s (schema %d, 1 writer, %d read-only connections)",
	       st->path, SQ_SCHEMA_VERSION, SQ_READERS);
	return 0;
}

PU_DEFINE_INIT(sq_init, struct sq_state, sq_setup, sq_fini)

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
        AC_SET_STRING("path", NULL,
                      "the SQLite database file (required; created when "
                      "missing)"),
        AC_SET_INT("busy_timeout_ms", "5000", 0, 600000,
                   "how long a write waits for another process's write "
                   "lock"),
        AC_SET_BOOL("quick_check", "true",
                    "PRAGMA quick_check at start-up: a damaged file is "
                    "refused"),
        AC_SETTINGS_END,
};

AC_PLUGIN_DEFINE_SETTINGS(AC_KIND_STORE, "sqlite",
                          "SQLite database file (WAL): submissions, "
                          "results, users, rate limits",
                          PACKAGE_VERSION, sq_ops, sq_settings);
