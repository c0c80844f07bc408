/* store/redis_mongo: server health (a failed server is left alone for a
 * second) and the MongoDB helpers the ops share. */
#include "rm.h"

/* ------------------------------------------------------------------ */
/* Server health                                                        */

void rm_mark_down(struct rm_state *st, bool redis, const char *why)
{
	bool first;

	pthread_mutex_lock(&st->lock);
	if (redis) {
		first = !st->redis_down;
		st->redis_down = true;
		st->redis_down_until = pu_mono_ms() + RM_DOWN_MS;
	} else {
		first = !st->mongo_down;
		st->mongo_down = true;
		st->mongo_down_until = pu_mono_ms() + RM_DOWN_MS;
	}
	pthread_mutex_unlock(&st->lock);
	if (first && redis)
		pu_log(st, AC_LOG_WARN,
		       "Redis %s is unavailable (%s): reading MongoDB, rate "
		       "limits in MongoDB",
		       st->redis_url, why);
	else if (first)
		pu_log(st, AC_LOG_ERROR,
		       "MongoDB is unavailable (%s): store operations fail "
		       "until it is back",
		       why);
}

void rm_mark_up(struct rm_state *st, bool redis)
{
	bool was;

	pthread_mutex_lock(&st->lock);
	if (redis) {
		was = st->redis_down;
		st->redis_down = false;
	} else {
		was = st->mongo_down;
		st->mongo_down = false;
	}
	pthread_mutex_unlock(&st->lock);
	if (was)
		pu_log(st, AC_LOG_WARN, "%s is back",
		       redis ? "Redis" : "MongoDB");
}

/* ------------------------------------------------------------------ */
/* MongoDB                                                              */

/* Map a libmongoc error: duplicate keys are -EEXIST; an unreachable
 * server marks MongoDB down for RM_DOWN_MS. */
void rm_query_end(struct rm_state *st, struct rm_query *q, int ret)
{
	if (q->cur)
		mongoc_cursor_destroy(q->cur);
	if (q->coll)
		mongoc_collection_destroy(q->coll);
	rm_push(st, q->cl, ret);
	bson_destroy(&q->filter);
	bson_destroy(&q->opts);
}

int rm_merr(struct rm_state *st, const bson_error_t *e, const char *what)
{
	if (e->code == 11000 || e->code == 11001)
		return -EEXIST;
	if (e->domain == MONGOC_ERROR_SERVER_SELECTION ||
	    e->domain == MONGOC_ERROR_STREAM ||
	    (e->domain == MONGOC_ERROR_CLIENT &&
	     e->code == MONGOC_ERROR_CLIENT_AUTHENTICATE)) {
		rm_mark_down(st, false, e->message);
		return -EIO;
	}
	pu_log(st, AC_LOG_ERROR, "MongoDB: %s: %s", what, e->message);
	return -EIO;
}

/* One index per command: FerretDB 1.24 drops the connection when a
 * command re-creates several indexes that exist already. */
#define RM_INDEX(coll, key, name, uniq)                                        \
	"{\"createIndexes\": \"" coll "\", \"indexes\": [{\"key\": {\"" key    \
	"\": 1}, \"name\": \"" name "\", \"unique\": " uniq "}]}"
static const char *const rm_index_cmds[] = {
        RM_INDEX("submissions", "id", "submission_id", "true"),
        RM_INDEX("submissions", "user_id", "by_user", "false"),
        RM_INDEX("submissions", "queued_at", "by_queued", "false"),
        RM_INDEX("users", "username", "username", "true"),
        RM_INDEX("users", "email", "email", "true"),
        RM_INDEX("refresh_tokens", "user_id", "by_user", "false"),
        RM_INDEX("rate_buckets", "k", "by_key", "false"),
};

int rm_ensure_indexes(struct rm_state *st, mongoc_client_t *cl)
{
	int ret = 0;

	if (atomic_load(&st->indexes_ok))
		return 0;
	pthread_mutex_lock(&st->index_lock);
	if (atomic_load(&st->indexes_ok))
		goto out;
	for (size_t i = 0; i < sizeof(rm_index_cmds) / sizeof(*rm_index_cmds);
	     i++) {
		bson_error_t err;
		bson_t *cmd = bson_new_from_json(
		        (const uint8_t *)rm_index_cmds[i], -1, &err);
		bool ok;

		if (!cmd) {
			pu_log(st, AC_LOG_ERROR, "index command: %s",
			       err.message);
			ret = -EINVAL;
			goto out;
		}
		ok = mongoc_client_write_command_with_opts(cl, st->dbname, cmd,
		                                           NULL, NULL, &err);
		bson_destroy(cmd);
		if (!ok) {
			ret = rm_merr(st, &err, "createIndexes");
			goto out;
		}
	}
	atomic_store(&st->indexes_ok, true);
	pu_log(st, AC_LOG_DEBUG, "indexes of %s are in place", st->dbname);
out:
	pthread_mutex_unlock(&st->index_lock);
	return ret;
}

/* A client of the pool with the indexes in place, or -EIO while MongoDB
 * is marked down. */
int rm_pop(struct rm_state *st, mongoc_client_t **out)
{
	mongoc_client_t *cl;
	bool down;
	int ret;

	*out = NULL;
	pthread_mutex_lock(&st->lock);
	down = st->mongo_down && pu_mono_ms() < st->mongo_down_until;
	pthread_mutex_unlock(&st->lock);
	if (down)
		return -EIO;
	cl = mongoc_client_pool_pop(st->mpool);
	if (!cl)
		return -ENOMEM;
	ret = rm_ensure_indexes(st, cl);
	if (ret < 0) {
		mongoc_client_pool_push(st->mpool, cl);
		return ret;
	}
	*out = cl;
	return 0;
}

/* Give the client back; a successful op clears the down mark. */
void rm_push(struct rm_state *st, mongoc_client_t *cl, int ret)
{
	if (!cl)
		return;
	mongoc_client_pool_push(st->mpool, cl);
	if (ret != -EIO)
		rm_mark_up(st, false);
}

/* Find one document by filter; 0 and *out (bson_copy, caller destroys),
 * -ENOENT, or an error. */
int rm_find_one(struct rm_state *st, mongoc_client_t *cl, const char *coll_name,
                const bson_t *filter, const bson_t *sort, bson_t **out)
{
	mongoc_collection_t *coll;
	mongoc_cursor_t *cur;
	const bson_t *doc;
	bson_error_t err;
	bson_t opts = BSON_INITIALIZER;
	int ret = -ENOENT;

	*out = NULL;
	coll = mongoc_client_get_collection(cl, st->dbname, coll_name);
	BSON_APPEND_INT64(&opts, "limit", 1);
	if (sort)
		BSON_APPEND_DOCUMENT(&opts, "sort", sort);
	cur = mongoc_collection_find_with_opts(coll, filter, &opts, NULL);
	if (mongoc_cursor_next(cur, &doc)) {
		*out = bson_copy(doc);
		ret = *out ? 0 : -ENOMEM;
	} else if (mongoc_cursor_error(cur, &err)) {
		ret = rm_merr(st, &err, "find");
	}
	mongoc_cursor_destroy(cur);
	mongoc_collection_destroy(coll);
	bson_destroy(&opts);
	return ret;
}

int rm_find_by_id(struct rm_state *st, mongoc_client_t *cl,
                  const char *coll_name, const char *id, bson_t **out)
{
	bson_t filter = BSON_INITIALIZER;
	int ret;

	BSON_APPEND_UTF8(&filter, "_id", id);
	ret = rm_find_one(st, cl, coll_name, &filter, NULL, out);
	bson_destroy(&filter);
	return ret;
}

int rm_insert(struct rm_state *st, mongoc_client_t *cl, const char *coll_name,
              const bson_t *doc, const char *what)
{
	mongoc_collection_t *coll;
	bson_error_t err;
	int ret = 0;

	coll = mongoc_client_get_collection(cl, st->dbname, coll_name);
	if (!mongoc_collection_insert_one(coll, doc, NULL, NULL, &err))
		ret = rm_merr(st, &err, what);
	mongoc_collection_destroy(coll);
	return ret;
}

/* update_one or update_many; *matched and *upserted may be NULL. */
int rm_update(struct rm_state *st, mongoc_client_t *cl, const char *coll_name,
              const bson_t *filter, const bson_t *update, bool upsert,
              bool many, int64_t *matched, int64_t *upserted, const char *what)
{
	mongoc_collection_t *coll;
	bson_error_t err;
	bson_t opts = BSON_INITIALIZER, reply;
	bson_iter_t it;
	bool ok;
	int ret = 0;

	if (upsert)
		BSON_APPEND_BOOL(&opts, "upsert", true);
	coll = mongoc_client_get_collection(cl, st->dbname, coll_name);
	if (many)
		ok = mongoc_collection_update_many(coll, filter, update, &opts,
		                                   &reply, &err);
	else
		ok = mongoc_collection_update_one(coll, filter, update, &opts,
		                                  &reply, &err);
	if (!ok) {
		ret = rm_merr(st, &err, what);
	} else {
		if (matched)
			*matched =
			        bson_iter_init_find(&it, &reply, "matchedCount")
			                ? bson_iter_as_int64(&it)
			                : 0;
		if (upserted)
			*upserted = bson_iter_init_find(&it, &reply,
			                                "upsertedCount")
			                    ? bson_iter_as_int64(&it)
			                    : 0;
	}
	bson_destroy(&reply);
	bson_destroy(&opts);
	mongoc_collection_destroy(coll);
	return ret;
}

/* A string member of doc, strdup'ed; NULL (and 0) when absent or null. */
int rm_dup_utf8(const bson_t *doc, const char *key, char **out)
{
	bson_iter_t it;

	*out = NULL;
	if (!bson_iter_init_find(&it, doc, key) || !BSON_ITER_HOLDS_UTF8(&it))
		return 0;
	*out = strdup(bson_iter_utf8(&it, NULL));
	return *out ? 0 : -ENOMEM;
}

int rm_dup_utf8s(const bson_t *doc, const char *const *keys, char **const *v,
                 size_t n)
{
	int ret = 0;

	for (size_t i = 0; i < n && ret == 0; i++)
		ret = rm_dup_utf8(doc, keys[i], v[i]);
	return ret;
}

int64_t rm_get_int(const bson_t *doc, const char *key, int64_t dflt)
{
	bson_iter_t it;

	if (!bson_iter_init_find(&it, doc, key) || !BSON_ITER_HOLDS_NUMBER(&it))
		return dflt;
	return bson_iter_as_int64(&it);
}

double rm_get_double(const bson_t *doc, const char *key, double dflt)
{
	bson_iter_t it;

	if (!bson_iter_init_find(&it, doc, key) || !BSON_ITER_HOLDS_NUMBER(&it))
		return dflt;
	return bson_iter_as_double(&it);
}
