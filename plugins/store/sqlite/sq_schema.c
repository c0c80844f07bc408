/* store/sqlite: the database file, its schema and migrations, the
 * statements and the connections. */
#include "sq.h"

#include <stdarg.h>

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

/* mkdir -p the directory part of path, new directories mode 0700. */
int sq_make_parent(struct sq_state *st, const char *path)
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
				pu_log(st, AC_LOG_ERROR,
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
		pu_log(st, AC_LOG_ERROR, "%s: %s: %s", st->path, what,
		       msg ? msg : sqlite3_errmsg(st->w.db));
		sqlite3_free(msg);
		return -EIO;
	}
	return 0;
}

/* sq_exec of a statement formatted by sqlite3_vmprintf (numbers only:
 * nothing from outside is formatted into SQL). */
static int sq_execf(struct sq_state *st, const char *what, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int sq_execf(struct sq_state *st, const char *what, const char *fmt, ...)
{
	va_list ap;
	char *sql;
	int ret;

	va_start(ap, fmt);
	sql = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	if (!sql)
		return -ENOMEM;
	ret = sq_exec(st, sql, what);
	sqlite3_free(sql);
	return ret;
}

/* Create or migrate the schema in one transaction. */
int sq_schema(struct sq_state *st)
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
		pu_log(st, AC_LOG_ERROR,
		       "%s: database schema version %d is newer than this "
		       "algocode supports (%d): upgrade algocode or use "
		       "another "
		       "store.path",
		       st->path, version, SQ_SCHEMA_VERSION);
		ret = -EPROTONOSUPPORT;
		goto out;
	}
	if (version < 0) {
		pu_log(st, AC_LOG_ERROR, "%s: bad schema version %d", st->path,
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
	ret = sq_execf(st, "write schema version",
	               "DELETE FROM schema_version;"
	               "INSERT INTO schema_version(version) VALUES(%d)",
	               SQ_SCHEMA_VERSION);
	if (ret < 0)
		goto out;
	if (version == 0)
		pu_log(st, AC_LOG_INFO, "%s: created schema version %d",
		       st->path, SQ_SCHEMA_VERSION);
	else
		pu_log(st, AC_LOG_INFO, "%s: migrated schema %d -> %d",
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
int sq_create_file(struct sq_state *st)
{
	int fd = open(st->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);

	if (fd < 0) {
		int err = errno;

		pu_log(st, AC_LOG_ERROR, "store.path: cannot open %s: %s",
		       st->path, strerror(err));
		return -err;
	}
	close(fd);
	return 0;
}

int sq_pragmas(struct sq_state *st, long long busy_ms)
{
	sqlite3_stmt *s = NULL;
	int ret;

	ret = sq_execf(st, "set pragmas",
	               "PRAGMA busy_timeout=%lld; PRAGMA foreign_keys=ON;"
	               " PRAGMA synchronous=NORMAL",
	               busy_ms);
	if (ret < 0)
		return ret;
	if (sqlite3_prepare_v2(st->w.db, "PRAGMA journal_mode=WAL", -1, &s,
	                       NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW) {
		ret = sq_fail(st, st->w.db, "set journal_mode=WAL");
		goto out;
	}
	if (strcmp((const char *)sqlite3_column_text(s, 0), "wal") != 0)
		pu_log(st, AC_LOG_WARN,
		       "%s: journal_mode is %s, not wal (filesystem without "
		       "shared memory?)",
		       st->path, sqlite3_column_text(s, 0));
out:
	sqlite3_finalize(s);
	return ret;
}

/* Prepare the statements of one connection: all of them on the writer,
 * those of sq_read_stmt on a reader. */
int sq_prepare(struct sq_state *st, struct sq_conn *c, bool reader)
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
			pu_log(st, AC_LOG_INFO,
			       "SQLite has no JSON functions: "
			       "results.verdict_code"
			       " stays empty");
			continue;
		}
		return sq_fail(st, c->db, "prepare statement");
	}
	return 0;
}

void sq_conn_close(struct sq_state *st, struct sq_conn *c)
{
	for (int i = 0; i < SQ_NSTMT; i++)
		sqlite3_finalize(c->stmt[i]);
	if (c->db && sqlite3_close(c->db) != SQLITE_OK)
		pu_log(st, AC_LOG_ERROR, "%s: close: %s", st->path,
		       sqlite3_errmsg(c->db));
	memset(c, 0, sizeof(*c));
}

static int sq_damaged(struct sq_state *st, const char *why)
{
	char line[512];
	size_t i;

	/* quick_check answers on several lines: one line in the log. */
	for (i = 0; why[i] && i < sizeof(line) - 1; i++)
		line[i] = why[i] == '\n' ? ' ' : why[i];
	line[i] = '\0';
	pu_log(st, AC_LOG_ERROR,
	       "%s: the database file is damaged (PRAGMA quick_check: %s): "
	       "refusing to serve from it; restore it from a backup, or move "
	       "it away to start with an empty store",
	       st->path, line);
	return -EIO;
}

/* PRAGMA quick_check on the writer, before anything else reads the file:
 * it reads every page once (no index cross-checks), so its cost grows with
 * the size of the file. */
int sq_quick_check(struct sq_state *st)
{
	sqlite3_stmt *s = NULL;
	int64_t t0 = pu_mono_ms();
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
		pu_log(st, AC_LOG_INFO, "%s: quick_check ok (%lld ms)",
		       st->path, (long long)(pu_mono_ms() - t0));
	return ret;
}

/* The read-only connections, opened once the schema is in place. */
int sq_open_readers(struct sq_state *st, long long busy_ms)
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
