/* store/sqlite's private header: the state every part shares, the cached
 * statements, and the functions one part calls in another.  The parts:
 * sqlite.c (the submissions, results, rate and outbox ops, and the life
 * cycle), sq_schema.c (the file, its schema and migrations, the
 * connections), sq_users.c (users and refresh tokens).  Prefix: sq_.
 */
#ifndef ALGOCODE_SQ_H
#define ALGOCODE_SQ_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include <algocode/plugin.h>

#include "../../common/plugin_util.h"
#include "../common/st_common.h"

#define SQ_SCHEMA_VERSION 2
#define SQ_MAX_DOC        (64 << 20)
#define SQ_READERS        4 /* read-only connections: the core's workers */

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

/* sq_schema.c */
int sq_make_parent(struct sq_state *st, const char *path);
int sq_schema(struct sq_state *st);
int sq_create_file(struct sq_state *st);
int sq_pragmas(struct sq_state *st, long long busy_ms);
int sq_prepare(struct sq_state *st, struct sq_conn *c, bool reader);
void sq_conn_close(struct sq_state *st, struct sq_conn *c);
int sq_quick_check(struct sq_state *st);
int sq_open_readers(struct sq_state *st, long long busy_ms);

/* sq_users.c */
int sq_put_user(void *state, const struct ac_user *u);
int sq_get_user(void *state, enum ac_user_key by, const char *key,
                struct ac_user *out);
int sq_put_refresh(void *state, const char *jti, const char *user_id,
                   int64_t expires_at);
int sq_use_refresh(void *state, const char *jti, int64_t now, char **user_id);
int sq_revoke_refresh(void *state, const char *jti, const char *user_id);
/* sqlite.c */
int sq_fail(struct sq_state *st, sqlite3 *db, const char *what);
struct sq_conn *sq_reader_get(struct sq_state *st);
void sq_reader_put(struct sq_state *st, struct sq_conn *c);
int sq_begin(struct sq_state *st);
int sq_commit(struct sq_state *st);
void sq_rollback(struct sq_state *st);
void sq_release(sqlite3_stmt *s);
/* A write transaction: sq_write_begin takes the writer's lock and begins
 * (0 or a negative errno); sq_write_end(st, ret), called whatever begin
 * returned, commits when ret is 0, else rolls back, and releases the
 * lock: ret, or the commit's error. */
int sq_write_begin(struct sq_state *st);
int sq_write_end(struct sq_state *st, int ret);
/* Step the bound statement s of the writer (wlock held) and reset it: 0,
 * -EEXIST on a primary key or unique conflict, -ENOENT on a foreign key
 * (no such row), else -EIO logged as `what`. */
int sq_write_step(struct sq_state *st, sqlite3_stmt *s, const char *what);
int sq_dup_column(sqlite3_stmt *s, int col, char **out);
/* Columns 0..n-1 of s into *v[0..n) (sq_dup_column each). */
int sq_dup_columns(sqlite3_stmt *s, char **const *v, int n);

#endif
