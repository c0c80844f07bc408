/* store/redis_mongo: users and refresh tokens, in MongoDB. */
#include "rm.h"

/* ------------------------------------------------------------------ */
/* Users and refresh tokens                                             */

int rm_put_user(void *state, const struct ac_user *u)
{
	struct rm_state *st = state;
	mongoc_client_t *cl;
	bson_t doc = BSON_INITIALIZER;
	char *email;
	int ret;

	ret = st_user_email(u, &email);
	if (ret < 0)
		return ret;
	BSON_APPEND_UTF8(&doc, "_id", u->id);
	BSON_APPEND_UTF8(&doc, "username", u->username);
	BSON_APPEND_UTF8(&doc, "email", email);
	BSON_APPEND_UTF8(&doc, "password_hash", u->password_hash);
	BSON_APPEND_UTF8(&doc, "first_name",
	                 u->first_name ? u->first_name : "");
	BSON_APPEND_UTF8(&doc, "last_name", u->last_name ? u->last_name : "");
	BSON_APPEND_INT64(&doc, "created_at",
	                  u->created_at ? u->created_at : st_now_ms());
	ret = rm_pop(st, &cl);
	if (ret == 0) {
		ret = rm_insert(st, cl, "users", &doc, "insert user");
		rm_push(st, cl, ret);
	}
	bson_destroy(&doc);
	free(email);
	return ret;
}

int rm_get_user(void *state, enum ac_user_key by, const char *key,
                struct ac_user *out)
{
	static const char *const fields[] = {
	        [AC_USER_BY_ID] = "_id",
	        [AC_USER_BY_USERNAME] = "username",
	        [AC_USER_BY_EMAIL] = "email",
	};
	/* In the order of st_user_strings. */
	static const char *const keys[ST_USER_STRINGS] = {
	        "_id",           "username",   "email",
	        "password_hash", "first_name", "last_name"};
	struct rm_state *st = state;
	mongoc_client_t *cl;
	bson_t filter = BSON_INITIALIZER;
	bson_t *doc = NULL;
	char *k;
	int ret;

	memset(out, 0, sizeof(*out));
	if ((unsigned)by > AC_USER_BY_EMAIL || !st_id_ok(key))
		return -ENOENT;
	k = st_user_key(by, key);
	if (!k)
		return -ENOMEM;
	BSON_APPEND_UTF8(&filter, fields[by], k);
	ret = rm_pop(st, &cl);
	if (ret == 0) {
		ret = rm_find_one(st, cl, "users", &filter, NULL, &doc);
		rm_push(st, cl, ret);
	}
	if (ret == 0) {
		char **v[ST_USER_STRINGS];

		st_user_strings(out, v);
		if (rm_dup_utf8s(doc, keys, v, ST_USER_STRINGS) < 0)
			ret = -ENOMEM;
		else if (!out->id || !out->username || !out->email ||
		         !out->password_hash)
			ret = -EIO;
		out->created_at = rm_get_int(doc, "created_at", 0);
		if (ret == 0 && !out->first_name)
			ret = (out->first_name = strdup("")) ? 0 : -ENOMEM;
		if (ret == 0 && !out->last_name)
			ret = (out->last_name = strdup("")) ? 0 : -ENOMEM;
		if (ret < 0)
			st_user_clear(out);
	}
	bson_destroy(doc);
	bson_destroy(&filter);
	free(k);
	return ret;
}

int rm_put_refresh(void *state, const char *jti, const char *user_id,
                   int64_t expires_at)
{
	struct rm_state *st = state;
	mongoc_client_t *cl;
	bson_t doc = BSON_INITIALIZER;
	int ret;

	if (!st_id_ok(jti) || !st_id_ok(user_id))
		return -EINVAL;
	BSON_APPEND_UTF8(&doc, "_id", jti);
	BSON_APPEND_UTF8(&doc, "user_id", user_id);
	BSON_APPEND_INT64(&doc, "expires_at", expires_at);
	BSON_APPEND_BOOL(&doc, "revoked", false);
	ret = rm_pop(st, &cl);
	if (ret == 0) {
		bson_t *user = NULL;

		/* Only for a known user (sqlite: a foreign key). */
		ret = rm_find_by_id(st, cl, "users", user_id, &user);
		bson_destroy(user);
		if (ret == 0)
			ret = rm_insert(st, cl, "refresh_tokens", &doc,
			                "insert refresh token");
		rm_push(st, cl, ret);
	}
	bson_destroy(&doc);
	return ret;
}

/* Exactly once: the use inserts a marker with the jti as _id into
 * refresh_used; of concurrent uses one insert wins (findAndModify is not
 * atomic in FerretDB). */
int rm_use_refresh(void *state, const char *jti, int64_t now, char **user_id)
{
	struct rm_state *st = state;
	mongoc_client_t *cl;
	bson_t *doc = NULL;
	bson_t mark = BSON_INITIALIZER, filter = BSON_INITIALIZER;
	bson_t update = BSON_INITIALIZER, set;
	bson_iter_t it;
	int ret;

	*user_id = NULL;
	if (!st_id_ok(jti))
		return -ENOENT;
	ret = rm_pop(st, &cl);
	if (ret < 0)
		return ret;
	ret = rm_find_by_id(st, cl, "refresh_tokens", jti, &doc);
	if (ret < 0)
		goto out;
	if (bson_iter_init_find(&it, doc, "revoked") &&
	    bson_iter_as_bool(&it)) {
		ret = -EKEYREVOKED;
		goto out;
	}
	if (rm_get_int(doc, "expires_at", 0) <= now) {
		ret = -EKEYEXPIRED;
		goto out;
	}
	ret = rm_dup_utf8(doc, "user_id", user_id);
	if (ret == 0 && !*user_id)
		ret = -EIO;
	if (ret < 0)
		goto out;
	BSON_APPEND_UTF8(&mark, "_id", jti);
	BSON_APPEND_INT64(&mark, "used_at", now);
	ret = rm_insert(st, cl, "refresh_used", &mark, "consume refresh token");
	if (ret == -EEXIST)
		ret = -EKEYREVOKED;
	if (ret < 0)
		goto out;
	/* The flag is for readers (revoke by user, listing): the marker
	 * decides. */
	BSON_APPEND_UTF8(&filter, "_id", jti);
	BSON_APPEND_DOCUMENT_BEGIN(&update, "$set", &set);
	BSON_APPEND_BOOL(&set, "revoked", true);
	bson_append_document_end(&update, &set);
	if (rm_update(st, cl, "refresh_tokens", &filter, &update, false, false,
	              NULL, NULL, "mark refresh token used") == -EIO)
		pu_log(st, AC_LOG_DEBUG, "refresh token %s used, flag not set",
		       jti);
out:
	rm_push(st, cl, ret);
	if (ret < 0) {
		free(*user_id);
		*user_id = NULL;
	}
	bson_destroy(doc);
	bson_destroy(&mark);
	bson_destroy(&filter);
	bson_destroy(&update);
	return ret;
}

int rm_revoke_refresh(void *state, const char *jti, const char *user_id)
{
	struct rm_state *st = state;
	mongoc_client_t *cl;
	bson_t filter = BSON_INITIALIZER, update = BSON_INITIALIZER, set;
	int ret;

	if (jti ? !st_id_ok(jti) : !st_id_ok(user_id))
		return -EINVAL;
	if (jti)
		BSON_APPEND_UTF8(&filter, "_id", jti);
	else
		BSON_APPEND_UTF8(&filter, "user_id", user_id);
	BSON_APPEND_DOCUMENT_BEGIN(&update, "$set", &set);
	BSON_APPEND_BOOL(&set, "revoked", true);
	bson_append_document_end(&update, &set);
	ret = rm_pop(st, &cl);
	if (ret == 0) {
		ret = rm_update(st, cl, "refresh_tokens", &filter, &update,
		                false, !jti, NULL, NULL,
		                "revoke refresh token");
		rm_push(st, cl, ret);
	}
	bson_destroy(&filter);
	bson_destroy(&update);
	return ret;
}
