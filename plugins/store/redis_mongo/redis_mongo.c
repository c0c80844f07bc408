/* store/redis_mongo: documents in MongoDB (libmongoc), a result cache and
 * the rate-limit buckets in Redis (hiredis).
 *
 * MongoDB holds everything that must survive: submissions, results, users,
 * refresh tokens (and the rate buckets while Redis is down).  The ops are
 * blocking and run on the core's worker threads; they share one
 * mongoc_client_pool_t.  Documents are keyed by `_id` (the submission id,
 * the user id, the jti), so MongoDB's own unique index makes inserts
 * exclusive; createIndexes adds unique indexes on submissions.id,
 * users.username and users.email.  put_result is an upsert with
 * $setOnInsert only: the first result of a submission wins, later ones
 * change nothing.
 *
 * Redis is a cache and may be lost at any time:
 *  - cache writes (a result that arrived, a result read from MongoDB) are
 *    queued by the worker thread and written by the loop thread through
 *    hiredis' libevent adapter (one async context, reconnected by a timer);
 *  - the result poll reads the cache first, and the rate buckets are
 *    updated by one Lua script; both run on the worker threads through
 *    small synchronous hiredis contexts (a context is used by one thread at
 *    a time: they are kept in a mutex-guarded free list).
 * When Redis fails, it is left alone for a second (no timeout per request),
 * polls read MongoDB and rate buckets move to MongoDB (compare-and-swap on a
 * version field).  When MongoDB fails, every op that needs it fails fast
 * (-EIO, the api answers 503) for a second, then tries again.
 *
 * Settings (group `store`): redis (redis://HOST:PORT[/DB] or
 * unix:///PATH), mongo (a MongoDB URI; its database, default "algocode"),
 * cache_ttl_s (3600; 0: no cache), prefix (Redis key prefix, "algocode:"),
 * redis_timeout_ms (500), mongo_timeout_ms (2000: server selection and
 * connection; the URI's own options win).
 */
#include "rm.h"

/* ------------------------------------------------------------------ */
/* Submissions and results                                              */

static int rm_put_submission(void *state, const struct ac_submission *sub)
{
	struct rm_state *st = state;
	mongoc_client_t *cl;
	bson_t doc = BSON_INITIALIZER;
	int ret;

	if (!st_submission_ok(sub, RM_MAX_DOC))
		return -EINVAL;
	BSON_APPEND_UTF8(&doc, "_id", sub->id);
	BSON_APPEND_UTF8(&doc, "id", sub->id);
	BSON_APPEND_UTF8(&doc, "problem_id", sub->problem_id);
	BSON_APPEND_UTF8(&doc, "lang", sub->lang);
	if (sub->user_id)
		BSON_APPEND_UTF8(&doc, "user_id", sub->user_id);
	else
		BSON_APPEND_NULL(&doc, "user_id");
	BSON_APPEND_BINARY(&doc, "code", BSON_SUBTYPE_BINARY,
	                   (const uint8_t *)(sub->code ? sub->code : ""),
	                   (uint32_t)sub->code_len);
	BSON_APPEND_INT64(&doc, "submitted_at", sub->submitted_at);
	if (sub->problem_hash)
		BSON_APPEND_UTF8(&doc, "problem_hash", sub->problem_hash);
	BSON_APPEND_BOOL(&doc, "all_tests", sub->all_tests);
	/* The outbox (claim_pending): pending until put_result. */
	BSON_APPEND_BOOL(&doc, "pending", true);
	BSON_APPEND_INT64(&doc, "queued_at", sub->submitted_at);
	BSON_APPEND_INT32(&doc, "attempts", 1);
	ret = rm_pop(st, &cl);
	if (ret == 0) {
		ret = rm_insert(st, cl, "submissions", &doc,
		                "insert submission");
		rm_push(st, cl, ret);
	}
	bson_destroy(&doc);
	return ret;
}

/* The submission has its result: the outbox skips it from now on.  A
 * failure is harmless (claim_pending checks the results collection and
 * clears the mark itself), so it is only logged. */
static void rm_clear_pending(struct rm_state *st, mongoc_client_t *cl,
                             const char *submission_id)
{
	bson_t filter = BSON_INITIALIZER, update = BSON_INITIALIZER, set;

	BSON_APPEND_UTF8(&filter, "_id", submission_id);
	BSON_APPEND_DOCUMENT_BEGIN(&update, "$set", &set);
	BSON_APPEND_BOOL(&set, "pending", false);
	bson_append_document_end(&update, &set);
	if (rm_update(st, cl, "submissions", &filter, &update, false, false,
	              NULL, NULL, "clear pending") < 0)
		pu_log(st, AC_LOG_DEBUG, "submission %s: pending mark kept",
		       submission_id);
	bson_destroy(&filter);
	bson_destroy(&update);
}

/* A submission document into *p. */
static int rm_pending_doc(const bson_t *doc, struct ac_pending *p)
{
	static const char *const keys[ST_PENDING_STRINGS] = {
	        "_id", "problem_id", "problem_hash", "lang", "user_id"};
	char **v[ST_PENDING_STRINGS];
	bson_iter_t it;
	const uint8_t *bin = NULL;
	uint32_t blen = 0;
	bson_subtype_t sub;
	int ret;

	memset(p, 0, sizeof(*p));
	st_pending_strings(p, v);
	ret = rm_dup_utf8s(doc, keys, v, ST_PENDING_STRINGS);
	if (ret == 0 && bson_iter_init_find(&it, doc, "code") &&
	    BSON_ITER_HOLDS_BINARY(&it))
		bson_iter_binary(&it, &sub, &blen, &bin);
	if (ret == 0)
		ret = st_pending_code(p, bin, blen);
	if (ret == 0) {
		p->submitted_at = rm_get_int(doc, "submitted_at", 0);
		p->all_tests = bson_iter_init_find(&it, doc, "all_tests") &&
		               BSON_ITER_HOLDS_BOOL(&it) && bson_iter_bool(&it);
		p->attempts = (unsigned)rm_get_int(doc, "attempts", 1) + 1;
	}
	return st_pending_done(p, ret);
}

/* Candidates are read, then each is claimed by inserting the document
 * {_id: "<id>#<attempts>"} into `claims` (another api process may claim it
 * in between: its insert wins, ours hits the unique _id and the
 * submission is skipped); the winner then stamps queued_at and attempts.  A
 * candidate that has its result already (put_result did not get to clear the
 * mark) is cleared and skipped. */
static int rm_claim_pending(void *state, int64_t cutoff_ms, int64_t now_ms,
                            size_t max, struct ac_pending **out, size_t *n)
{
	struct rm_state *st = state;
	struct rm_query qy = RM_QUERY_INIT;
	const bson_t *doc;
	bson_t q, sort;
	struct ac_pending *v = NULL;
	size_t count = 0, kept = 0;
	int ret;

	ret = st_pending_alloc(&max, &v, out, n);
	if (ret < 0 || !v)
		return ret;
	ret = rm_pop(st, &qy.cl);
	if (ret < 0)
		goto out;
	BSON_APPEND_BOOL(&qy.filter, "pending", true);
	BSON_APPEND_DOCUMENT_BEGIN(&qy.filter, "queued_at", &q);
	BSON_APPEND_INT64(&q, "$lte", cutoff_ms);
	bson_append_document_end(&qy.filter, &q);
	BSON_APPEND_DOCUMENT_BEGIN(&qy.opts, "sort", &sort);
	BSON_APPEND_INT32(&sort, "submitted_at", 1);
	bson_append_document_end(&qy.opts, &sort);
	BSON_APPEND_INT64(&qy.opts, "limit", (int64_t)max);
	qy.coll =
	        mongoc_client_get_collection(qy.cl, st->dbname, "submissions");
	qy.cur = mongoc_collection_find_with_opts(qy.coll, &qy.filter, &qy.opts,
	                                          NULL);
	while (count < max && mongoc_cursor_next(qy.cur, &doc)) {
		ret = rm_pending_doc(doc, &v[count]);
		if (ret < 0)
			goto out;
		count++;
	}
	if (mongoc_cursor_error(qy.cur, &qy.err)) {
		ret = rm_merr(st, &qy.err, "find pending submissions");
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		struct ac_pending *p = &v[i];
		bson_t *res = NULL;
		bson_t f = BSON_INITIALIZER, u = BSON_INITIALIZER, set;
		int64_t matched = 0;

		ret = rm_find_by_id(st, qy.cl, "results", p->id, &res);
		bson_destroy(res);
		if (ret == 0) {
			rm_clear_pending(st, qy.cl, p->id);
		} else if (ret == -ENOENT) {
			/* The claim itself is an insert keyed by (id, attempt):
			 * of two claimers that read the same attempt, one
			 * inserts, the other hits _id (an update with a filter
			 * is not atomic on every MongoDB-compatible server). */
			char key[RM_MAX_ID + 32];
			unsigned at = p->attempts - 1;

			snprintf(key, sizeof(key), "%s#%u", p->id, at);
			BSON_APPEND_UTF8(&f, "_id", key);
			BSON_APPEND_INT64(&f, "at", now_ms);
			ret = rm_insert(st, qy.cl, "claims", &f, "claim");
			if (ret == 0) {
				bson_reinit(&f);
				BSON_APPEND_UTF8(&f, "_id", p->id);
				BSON_APPEND_DOCUMENT_BEGIN(&u, "$set", &set);
				BSON_APPEND_INT64(&set, "queued_at", now_ms);
				BSON_APPEND_INT32(&set, "attempts",
				                  (int32_t)p->attempts);
				bson_append_document_end(&u, &set);
				ret = rm_update(st, qy.cl, "submissions", &f,
				                &u, false, false, &matched,
				                NULL,
				                "claim pending submission");
			} else if (ret == -EEXIST) {
				ret = 0; /* another claimer won */
			}
		}
		bson_destroy(&f);
		bson_destroy(&u);
		if (ret < 0 && ret != -ENOENT)
			goto out;
		ret = 0;
		if (matched != 1) {
			st_pending_clear(p);
		} else if (kept != i) {
			/* Claimed: kept, in order; one owner per string. */
			v[kept++] = *p;
			memset(p, 0, sizeof(*p));
		} else {
			kept++;
		}
	}
	count = kept;
out:
	rm_query_end(st, &qy, ret);
	return st_pending_finish(ret, v, count, out, n);
}

/* verdict_code of a result document, when it is JSON with one. */
static char *rm_verdict_code(const char *json)
{
	bson_t *b = bson_new_from_json((const uint8_t *)json, -1, NULL);
	char *v = NULL;

	if (b) {
		rm_dup_utf8(b, "verdict_code", &v);
		bson_destroy(b);
	}
	return v;
}

static int rm_put_result(void *state, const char *submission_id,
                         const char *result_json)
{
	struct rm_state *st = state;
	mongoc_client_t *cl;
	bson_t filter = BSON_INITIALIZER, update = BSON_INITIALIZER, set;
	bson_t *sub = NULL;
	char *owner = NULL, *verdict = NULL;
	int64_t upserted = 0;
	int ret;

	if (!st_id_ok(submission_id) || !st_text_ok(result_json, RM_MAX_DOC))
		return -EINVAL;
	ret = rm_pop(st, &cl);
	if (ret < 0)
		goto out;
	/* The owner goes with the result: a poll then reads one document. */
	ret = rm_find_by_id(st, cl, "submissions", submission_id, &sub);
	if (ret == 0)
		ret = rm_dup_utf8(sub, "user_id", &owner);
	else if (ret == -ENOENT)
		ret = 0; /* kept anyway: see sqlite.c */
	if (ret < 0) {
		rm_push(st, cl, ret);
		goto out;
	}
	verdict = rm_verdict_code(result_json);
	BSON_APPEND_UTF8(&filter, "_id", submission_id);
	BSON_APPEND_DOCUMENT_BEGIN(&update, "$setOnInsert", &set);
	BSON_APPEND_UTF8(&set, "result", result_json);
	if (verdict)
		BSON_APPEND_UTF8(&set, "verdict_code", verdict);
	if (owner)
		BSON_APPEND_UTF8(&set, "user_id", owner);
	BSON_APPEND_INT64(&set, "finished_at", st_now_ms());
	bson_append_document_end(&update, &set);
	ret = rm_update(st, cl, "results", &filter, &update, true, false, NULL,
	                &upserted, "upsert result");
	/* Two racing first upserts: one inserts, the other hits _id. */
	if (ret == -EEXIST)
		ret = 0;
	if (ret == 0 && sub)
		rm_clear_pending(st, cl, submission_id);
	rm_push(st, cl, ret);
	if (ret == 0 && upserted)
		rm_cache_put(st, submission_id, owner, result_json);
	else if (ret == 0)
		pu_log(st, AC_LOG_DEBUG,
		       "duplicate result for submission %s ignored",
		       submission_id);
out:
	bson_destroy(sub);
	bson_destroy(&filter);
	bson_destroy(&update);
	free(owner);
	free(verdict);
	return ret;
}

static int rm_get_result(void *state, const char *submission_id,
                         char **result_json, char **owner)
{
	struct rm_state *st = state;
	mongoc_client_t *cl = NULL;
	bson_t *res = NULL, *sub = NULL;
	char *json = NULL, *user = NULL;
	int ret;

	ret = st_result_begin(submission_id, result_json, owner);
	if (ret < 0)
		return ret;
	if (rm_cache_get(st, submission_id, &json, &user) == 0)
		goto found;
	ret = rm_pop(st, &cl);
	if (ret < 0)
		return ret;
	ret = rm_find_by_id(st, cl, "results", submission_id, &res);
	if (ret == 0) {
		ret = rm_dup_utf8(res, "result", &json);
		if (ret == 0 && !json)
			ret = -EIO;
		if (ret == 0)
			ret = rm_dup_utf8(res, "user_id", &user);
	}
	if (ret == 0 && user) {
		rm_push(st, cl, ret);
		rm_cache_put(st, submission_id, user, json);
		goto found;
	}
	if (ret < 0 && ret != -ENOENT)
		goto fail;
	/* No result, or a result stored before its submission. */
	ret = rm_find_by_id(st, cl, "submissions", submission_id, &sub);
	if (ret == 0)
		ret = rm_dup_utf8(sub, "user_id", &user);
	if (ret < 0 && !(ret == -ENOENT && json))
		goto fail;
	rm_push(st, cl, 0);
	if (!json) {
		bson_destroy(res);
		bson_destroy(sub);
		st_result_give(NULL, user, result_json, owner);
		return -EAGAIN;
	}
	rm_cache_put(st, submission_id, user, json);
found:
	bson_destroy(res);
	bson_destroy(sub);
	return st_result_give(json, user, result_json, owner);
fail:
	rm_push(st, cl, ret);
	bson_destroy(res);
	bson_destroy(sub);
	free(json);
	free(user);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Submissions of a user                                                */

/* One submission document (and its result, if any) into r. */
static int rm_row(struct rm_state *st, mongoc_client_t *cl, const bson_t *doc,
                  struct ac_submission_row *r)
{
	bson_t *res = NULL;
	int ret;

	if ((ret = rm_dup_utf8(doc, "id", &r->id)) < 0 ||
	    (ret = rm_dup_utf8(doc, "problem_id", &r->problem_id)) < 0 ||
	    (ret = rm_dup_utf8(doc, "lang", &r->lang)) < 0)
		return ret;
	if (!r->id || !r->problem_id || !r->lang)
		return -EIO;
	r->submitted_at = rm_get_int(doc, "submitted_at", 0);
	ret = rm_find_by_id(st, cl, "results", r->id, &res);
	if (ret == 0)
		ret = rm_dup_utf8(res, "result", &r->result_json);
	else if (ret == -ENOENT)
		ret = 0;
	bson_destroy(res);
	return ret;
}

static int rm_list_submissions(void *state, const char *user_id,
                               const char *problem_id, size_t offset,
                               size_t max, struct ac_submission_row **out,
                               size_t *n, size_t *total)
{
	struct rm_state *st = state;
	struct rm_query qy = RM_QUERY_INIT;
	const bson_t *doc;
	bson_t sort, proj;
	struct ac_submission_row *v = NULL;
	size_t count = 0;
	int64_t c;
	int ret;

	*out = NULL;
	*n = *total = 0;
	if (!st_id_ok(user_id) || (problem_id && !st_id_ok(problem_id)) ||
	    max > 1000 || offset > INT64_MAX)
		return -EINVAL;
	if (max && !(v = calloc(max, sizeof(*v))))
		return -ENOMEM;
	ret = rm_pop(st, &qy.cl);
	if (ret < 0)
		goto out;
	BSON_APPEND_UTF8(&qy.filter, "user_id", user_id);
	if (problem_id)
		BSON_APPEND_UTF8(&qy.filter, "problem_id", problem_id);
	qy.coll =
	        mongoc_client_get_collection(qy.cl, st->dbname, "submissions");
	c = mongoc_collection_count_documents(qy.coll, &qy.filter, NULL, NULL,
	                                      NULL, &qy.err);
	if (c < 0) {
		ret = rm_merr(st, &qy.err, "count submissions");
		goto out;
	}
	*total = (size_t)c;
	if (max == 0)
		goto out;
	BSON_APPEND_DOCUMENT_BEGIN(&qy.opts, "sort", &sort);
	BSON_APPEND_INT32(&sort, "submitted_at", -1);
	BSON_APPEND_INT32(&sort, "_id", -1);
	bson_append_document_end(&qy.opts, &sort);
	BSON_APPEND_DOCUMENT_BEGIN(&qy.opts, "projection", &proj);
	BSON_APPEND_INT32(&proj, "code", 0);
	bson_append_document_end(&qy.opts, &proj);
	BSON_APPEND_INT64(&qy.opts, "skip", (int64_t)offset);
	BSON_APPEND_INT64(&qy.opts, "limit", (int64_t)max);
	qy.cur = mongoc_collection_find_with_opts(qy.coll, &qy.filter, &qy.opts,
	                                          NULL);
	while (count < max && mongoc_cursor_next(qy.cur, &doc)) {
		ret = rm_row(st, qy.cl, doc, &v[count++]);
		if (ret < 0)
			goto out;
	}
	if (mongoc_cursor_error(qy.cur, &qy.err))
		ret = rm_merr(st, &qy.err, "list submissions");
out:
	rm_query_end(st, &qy, ret);
	if (ret < 0 || count == 0) {
		st_rows_free(v, count);
		if (ret < 0)
			*total = 0;
		return ret;
	}
	*out = v;
	*n = count;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                           */

/* redis://HOST[:PORT][/DB] or unix:///PATH. */
static int rm_parse_redis(struct rm_state *st)
{
	const char *u = st->redis_url, *p, *slash, *colon;
	char *end;
	long v;

	if (strncmp(u, "unix://", 7) == 0) {
		st->rpath = strdup(u + 7);
		return st->rpath && st->rpath[0] == '/' ? 0 : -EINVAL;
	}
	if (strncmp(u, "redis://", 8) != 0)
		return -EINVAL;
	p = u + 8;
	slash = strchr(p, '/');
	colon = memchr(p, ':', slash ? (size_t)(slash - p) : strlen(p));
	st->rport = 6379;
	if (colon) {
		errno = 0;
		v = strtol(colon + 1, &end, 10);
		if (errno || end == colon + 1 || v < 1 || v > 65535 ||
		    (*end && *end != '/'))
			return -EINVAL;
		st->rport = (int)v;
	}
	st->rhost = strndup(p, colon   ? (size_t)(colon - p)
	                       : slash ? (size_t)(slash - p)
	                               : strlen(p));
	if (!st->rhost)
		return -ENOMEM;
	if (!st->rhost[0] || strchr(st->rhost, '@'))
		return -EINVAL; /* no credentials in this form */
	if (slash && slash[1]) {
		errno = 0;
		v = strtol(slash + 1, &end, 10);
		if (errno || *end || v < 0 || v > 1000)
			return -EINVAL;
		st->rdb = (int)v;
	}
	return 0;
}

static void rm_fini(void *state)
{
	struct rm_state *st = state;

	if (!st)
		return;
	st->closing = true;
	if (st->reconnect)
		event_free(st->reconnect);
	if (st->ac)
		redisAsyncFree(st->ac); /* calls rm_disconnect_cb */
	st->ac = NULL;
	while (st->queue) {
		struct rm_put *p = st->queue;

		st->queue = p->next;
		rm_put_free(p);
	}
	for (unsigned i = 0; i < st->nidle; i++)
		redisFree(st->idle[i]);
	if (st->mpool) {
		mongoc_client_pool_destroy(st->mpool);
		/* The handler lives in this .so, which may be unloaded. */
		mongoc_log_set_handler(mongoc_log_default_handler, NULL);
	}
	if (st->muri)
		mongoc_uri_destroy(st->muri);
	if (st->lock_ok)
		pthread_mutex_destroy(&st->lock);
	if (st->index_lock_ok)
		pthread_mutex_destroy(&st->index_lock);
	free(st->dbname);
	free(st->rhost);
	free(st->rpath);
	free(st->redis_url);
	free(st->mongo_url);
	free(st->prefix);
	free(st);
}

/* libmongoc logs through a process-wide handler: keep its errors, drop
 * its chatter (e.g. FerretDB has no endSessions); this store logs what
 * matters itself. */
static void rm_mongoc_log_cb(mongoc_log_level_t level, const char *domain,
                             const char *message, void *arg)
{
	(void)arg;
	if (level <= MONGOC_LOG_LEVEL_ERROR)
		fprintf(stderr, "libmongoc %s: %s\n", domain, message);
}

static int rm_init_mongo(struct rm_state *st)
{
	bson_error_t err;
	const char *db;
	mongoc_client_t *cl;

	mongoc_init(); /* once per process (pthread_once inside) */
	mongoc_log_set_handler(rm_mongoc_log_cb, NULL);
	st->muri = mongoc_uri_new_with_error(st->mongo_url, &err);
	if (!st->muri) {
		pu_log(st, AC_LOG_ERROR, "store.mongo: %s", err.message);
		return -EINVAL;
	}
	if (!mongoc_uri_has_option(st->muri,
	                           MONGOC_URI_SERVERSELECTIONTIMEOUTMS))
		mongoc_uri_set_option_as_int32(
		        st->muri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS,
		        (int32_t)st->mongo_timeout_ms);
	if (!mongoc_uri_has_option(st->muri, MONGOC_URI_CONNECTTIMEOUTMS))
		mongoc_uri_set_option_as_int32(st->muri,
		                               MONGOC_URI_CONNECTTIMEOUTMS,
		                               (int32_t)st->mongo_timeout_ms);
	if (!mongoc_uri_has_option(st->muri, MONGOC_URI_SOCKETTIMEOUTMS))
		mongoc_uri_set_option_as_int32(
		        st->muri, MONGOC_URI_SOCKETTIMEOUTMS,
		        (int32_t)(st->mongo_timeout_ms * 5));
	if (!mongoc_uri_has_option(st->muri, MONGOC_URI_APPNAME))
		mongoc_uri_set_appname(st->muri, "algocode");
	db = mongoc_uri_get_database(st->muri);
	st->dbname = strdup(db && db[0] ? db : "algocode");
	if (!st->dbname)
		return -ENOMEM;
	st->mpool = mongoc_client_pool_new(st->muri);
	if (!st->mpool) {
		pu_log(st, AC_LOG_ERROR,
		       "store.mongo: cannot create a client "
		       "pool");
		return -EINVAL;
	}
	mongoc_client_pool_set_error_api(st->mpool, MONGOC_ERROR_API_VERSION_2);
	/* Indexes now if MongoDB answers; otherwise at the first op. */
	cl = mongoc_client_pool_pop(st->mpool);
	if (cl) {
		if (rm_ensure_indexes(st, cl) < 0)
			pu_log(st, AC_LOG_WARN,
			       "MongoDB %s does not answer yet: starting "
			       "anyway, operations fail until it does",
			       st->dbname);
		mongoc_client_pool_push(st->mpool, cl);
	}
	return 0;
}

static int rm_setup(struct rm_state *st)
{
	const struct ac_host *host = st->host;
	int ret;

	st->queue_tail = &st->queue;
	st->ttl_s = 3600;
	st->redis_timeout_ms = 500;
	st->mongo_timeout_ms = 2000;
	st->lock_ok = pthread_mutex_init(&st->lock, NULL) == 0;
	st->index_lock_ok = pthread_mutex_init(&st->index_lock, NULL) == 0;
	if (!st->lock_ok || !st->index_lock_ok)
		return -ENOMEM;
	if ((ret = pu_conf_str(host, st->ctx, "redis", RM_DEFAULT_REDIS,
	                       &st->redis_url)) < 0 ||
	    (ret = pu_conf_str(host, st->ctx, "mongo", RM_DEFAULT_MONGO,
	                       &st->mongo_url)) < 0 ||
	    (ret = pu_conf_str(host, st->ctx, "prefix",
	                       "algocode:", &st->prefix)) < 0 ||
	    (ret = pu_conf_int(host, st->ctx, "cache_ttl_s", &st->ttl_s)) < 0 ||
	    (ret = pu_conf_int(host, st->ctx, "redis_timeout_ms",
	                       &st->redis_timeout_ms)) < 0 ||
	    (ret = pu_conf_int(host, st->ctx, "mongo_timeout_ms",
	                       &st->mongo_timeout_ms)) < 0)
		return ret;
	if (strlen(st->prefix) > 64) {
		pu_log(st, AC_LOG_ERROR,
		       "store.prefix is longer than 64 bytes");
		return -EINVAL;
	}
	ret = rm_parse_redis(st);
	if (ret < 0) {
		pu_log(st, AC_LOG_ERROR,
		       "store.redis \"%s\" is not redis://HOST[:PORT][/DB] or "
		       "unix:///PATH",
		       st->redis_url);
		return ret;
	}
	ret = rm_init_mongo(st);
	if (ret < 0)
		return ret;
	st->base = host->event_base ? host->event_base(st->ctx) : NULL;
	if (st->base && st->ttl_s > 0)
		rm_async_connect(st);
	pu_log(st, AC_LOG_DEBUG,
	       "MongoDB database %s, Redis %s, cache TTL %lld s", st->dbname,
	       st->redis_url, st->ttl_s);
	return 0;
}

PU_DEFINE_INIT(rm_init, struct rm_state, rm_setup, rm_fini)

static const struct ac_store_ops rm_ops = {
        .init = rm_init,
        .fini = rm_fini,
        .put_submission = rm_put_submission,
        .put_result = rm_put_result,
        .get_result = rm_get_result,
        .rate_take = rm_rate_take,
        .put_user = rm_put_user,
        .get_user = rm_get_user,
        .put_refresh = rm_put_refresh,
        .use_refresh = rm_use_refresh,
        .revoke_refresh = rm_revoke_refresh,
        .claim_pending = rm_claim_pending,
        .list_submissions = rm_list_submissions,
};

static const struct ac_setting rm_settings[] = {
        AC_SET_STRING("redis", RM_DEFAULT_REDIS,
                      "the Redis server (redis://[:password@]host:port[/db])"),
        AC_SET_STRING("mongo", RM_DEFAULT_MONGO,
                      "the MongoDB URI; its path names the database"),
        AC_SET_STRING("prefix", "algocode:",
                      "prefix of every Redis key (at most 64 bytes)"),
        AC_SET_INT("cache_ttl_s", "3600", 0, 365LL * 86400,
                   "how long a result stays in the Redis cache"),
        AC_SET_INT("redis_timeout_ms", "500", 10, 60000,
                   "timeout of one Redis command"),
        AC_SET_INT("mongo_timeout_ms", "2000", 100, 600000,
                   "timeout of one MongoDB operation"),
        AC_SETTINGS_END,
};

AC_PLUGIN_DEFINE_SETTINGS(AC_KIND_STORE, "redis_mongo",
                          "MongoDB documents with a Redis result cache and "
                          "rate limits",
                          PACKAGE_VERSION, rm_ops, rm_settings);
