/* store/sqlite: users and refresh tokens. */
#include "sq.h"

/* ------------------------------------------------------------------ */
/* Users and refresh tokens                                             */

int sq_put_user(void *state, const struct ac_user *u)
{
	struct sq_state *st = state;
	sqlite3_stmt *s = st->w.stmt[SQ_PUT_USER];
	char *email;
	int ret;

	ret = st_user_email(u, &email);
	if (ret < 0)
		return ret;
	pthread_mutex_lock(&st->wlock);
	sqlite3_bind_text(s, 1, u->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, u->username, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, email, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, u->password_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, u->first_name ? u->first_name : "", -1,
	                  SQLITE_STATIC);
	sqlite3_bind_text(s, 6, u->last_name ? u->last_name : "", -1,
	                  SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, u->created_at ? u->created_at : st_now_ms());
	ret = sq_write_step(st, s, "insert user");
	pthread_mutex_unlock(&st->wlock);
	free(email);
	return ret;
}

int sq_get_user(void *state, enum ac_user_key by, const char *key,
                struct ac_user *out)
{
	struct sq_state *st = state;
	enum sq_stmt which;
	struct sq_conn *c;
	sqlite3_stmt *s;
	char *k;
	int rc, ret;

	memset(out, 0, sizeof(*out));
	if (!st_id_ok(key))
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
	k = st_user_key(by, key);
	if (!k)
		return -ENOMEM;
	c = sq_reader_get(st);
	s = c->stmt[which];
	sqlite3_bind_text(s, 1, k, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		char **v[ST_USER_STRINGS];

		st_user_strings(out, v);
		ret = sq_dup_columns(s, v, ST_USER_STRINGS);
		out->created_at = sqlite3_column_int64(s, 6);
		for (size_t i = 0; ret == 0 && i < ST_USER_STRINGS; i++)
			if (!*v[i])
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
		st_user_clear(out);
	return ret;
}

int sq_put_refresh(void *state, const char *jti, const char *user_id,
                   int64_t expires_at)
{
	struct sq_state *st = state;
	sqlite3_stmt *s = st->w.stmt[SQ_PUT_REFRESH];
	int ret;

	if (!st_id_ok(jti) || !st_id_ok(user_id))
		return -EINVAL;
	pthread_mutex_lock(&st->wlock);
	sqlite3_bind_text(s, 1, jti, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, user_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, expires_at);
	/* -ENOENT: no such user (the foreign key). */
	ret = sq_write_step(st, s, "insert refresh token");
	pthread_mutex_unlock(&st->wlock);
	return ret;
}

/* In a write transaction: of two concurrent uses (threads or processes),
 * exactly one finds the token unused. */
int sq_use_refresh(void *state, const char *jti, int64_t now, char **user_id)
{
	struct sq_state *st = state;
	sqlite3_stmt *get = st->w.stmt[SQ_GET_REFRESH];
	sqlite3_stmt *upd = st->w.stmt[SQ_REVOKE_JTI];
	char *user = NULL;
	int rc, ret;

	*user_id = NULL;
	if (!st_id_ok(jti))
		return -ENOENT;
	ret = sq_write_begin(st);
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
out:
	ret = sq_write_end(st, ret);
	if (ret == 0 && !user)
		ret = -EIO;
	if (ret < 0) {
		free(user);
		return ret;
	}
	*user_id = user;
	return 0;
}

int sq_revoke_refresh(void *state, const char *jti, const char *user_id)
{
	struct sq_state *st = state;
	sqlite3_stmt *s;
	int ret;

	if (jti ? !st_id_ok(jti) : !st_id_ok(user_id))
		return -EINVAL;
	s = st->w.stmt[jti ? SQ_REVOKE_JTI : SQ_REVOKE_USER];
	pthread_mutex_lock(&st->wlock);
	sqlite3_bind_text(s, 1, jti ? jti : user_id, -1, SQLITE_STATIC);
	ret = sq_write_step(st, s, "revoke refresh token");
	pthread_mutex_unlock(&st->wlock);
	return ret;
}
