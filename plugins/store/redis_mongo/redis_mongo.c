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
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <hiredis/adapters/libevent.h>
#pragma GCC diagnostic pop
#include <mongoc/mongoc.h>

#include <algocode/plugin.h>

#define RM_MAX_ID        256
#define RM_MAX_DOC       (15 << 20) /* under MongoDB's 16 MiB documents */
#define RM_MAX_IDLE      16         /* idle synchronous Redis contexts */
#define RM_DOWN_MS       1000       /* leave a failed server alone this long */
#define RM_RECONNECT_S   1
#define RM_MAX_QUEUE     4096  /* cache writes waiting for the loop */
#define RM_CAS_MS        10000 /* a rate take retries a lost race this long */
#define RM_KEEP_VERSIONS 64    /* rate bucket versions kept in MongoDB */
#define RM_DEFAULT_REDIS "redis://127.0.0.1:6379"
#define RM_DEFAULT_MONGO "mongodb://127.0.0.1:27017/algocode"

/* One cache write waiting for the loop thread. */
struct rm_put {
	struct rm_put *next;
	size_t keylen, vallen;
	char *key, *val;
};

struct rm_state {
	const struct ac_host *host;
	struct ac_plugin_ctx *ctx;
	char *redis_url, *mongo_url, *prefix;
	char *rhost, *rpath; /* TCP host, or a Unix socket path */
	int rport, rdb;
	long long ttl_s, redis_timeout_ms, mongo_timeout_ms;

	mongoc_uri_t *muri;
	mongoc_client_pool_t *mpool;
	char *dbname;
	atomic_bool indexes_ok;
	pthread_mutex_t index_lock;

	pthread_mutex_t lock; /* everything below up to the loop part */
	bool lock_ok, index_lock_ok;
	redisContext *idle[RM_MAX_IDLE];
	unsigned nidle;
	int64_t redis_down_until, mongo_down_until; /* monotonic ms */
	bool redis_down, mongo_down;                /* logged once */
	struct rm_put *queue, **queue_tail;
	size_t queued;
	bool flush_pending;

	/* Loop thread only. */
	struct event_base *base;
	redisAsyncContext *ac;
	struct event *reconnect;
	bool closing;
};

#define rm_log(st, lvl, ...) (st)->host->log((st)->ctx, (lvl), __VA_ARGS__)

static int64_t rm_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleep 1-200 us, the amount taken from the clock's low bits (callers on
 * several threads get different pauses; no shared random state). */
static void rm_jitter_pause(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_nsec = (ts.tv_nsec / 1000 % 200 + 1) * 1000;
	ts.tv_sec = 0;
	nanosleep(&ts, NULL);
}

static int64_t rm_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool rm_id_ok(const char *s)
{
	return s && s[0] && strnlen(s, RM_MAX_ID + 1) <= RM_MAX_ID;
}

static bool rm_text_ok(const char *s, size_t max)
{
	return s && strnlen(s, max + 1) <= max;
}

/* ------------------------------------------------------------------ */
/* Server health                                                        */

static void rm_mark_down(struct rm_state *st, bool redis, const char *why)
{
	bool first;

	pthread_mutex_lock(&st->lock);
	if (redis) {
		first = !st->redis_down;
		st->redis_down = true;
		st->redis_down_until = rm_mono_ms() + RM_DOWN_MS;
	} else {
		first = !st->mongo_down;
		st->mongo_down = true;
		st->mongo_down_until = rm_mono_ms() + RM_DOWN_MS;
	}
	pthread_mutex_unlock(&st->lock);
	if (first && redis)
		rm_log(st, AC_LOG_WARN,
		       "Redis %s is unavailable (%s): reading MongoDB, rate "
		       "limits in MongoDB",
		       st->redis_url, why);
	else if (first)
		rm_log(st, AC_LOG_ERROR,
		       "MongoDB is unavailable (%s): store operations fail "
		       "until it is back",
		       why);
}

static void rm_mark_up(struct rm_state *st, bool redis)
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
		rm_log(st, AC_LOG_WARN, "%s is back",
		       redis ? "Redis" : "MongoDB");
}

/* ------------------------------------------------------------------ */
/* MongoDB                                                              */

/* Map a libmongoc error: duplicate keys are -EEXIST; an unreachable
 * server marks MongoDB down for RM_DOWN_MS. */
static int rm_merr(struct rm_state *st, const bson_error_t *e, const char *what)
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
	rm_log(st, AC_LOG_ERROR, "MongoDB: %s: %s", what, e->message);
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

static int rm_ensure_indexes(struct rm_state *st, mongoc_client_t *cl)
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
			rm_log(st, AC_LOG_ERROR, "index command: %s",
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
	rm_log(st, AC_LOG_DEBUG, "indexes of %s are in place", st->dbname);
out:
	pthread_mutex_unlock(&st->index_lock);
	return ret;
}

/* A client of the pool with the indexes in place, or -EIO while MongoDB
 * is marked down. */
static int rm_pop(struct rm_state *st, mongoc_client_t **out)
{
	mongoc_client_t *cl;
	bool down;
	int ret;

	*out = NULL;
	pthread_mutex_lock(&st->lock);
	down = st->mongo_down && rm_mono_ms() < st->mongo_down_until;
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
static void rm_push(struct rm_state *st, mongoc_client_t *cl, int ret)
{
	if (!cl)
		return;
	mongoc_client_pool_push(st->mpool, cl);
	if (ret != -EIO)
		rm_mark_up(st, false);
}

/* Find one document by filter; 0 and *out (bson_copy, caller destroys),
 * -ENOENT, or an error. */
static int rm_find_one(struct rm_state *st, mongoc_client_t *cl,
                       const char *coll_name, const bson_t *filter,
                       const bson_t *sort, bson_t **out)
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

static int rm_find_by_id(struct rm_state *st, mongoc_client_t *cl,
                         const char *coll_name, const char *id, bson_t **out)
{
	bson_t filter = BSON_INITIALIZER;
	int ret;

	BSON_APPEND_UTF8(&filter, "_id", id);
	ret = rm_find_one(st, cl, coll_name, &filter, NULL, out);
	bson_destroy(&filter);
	return ret;
}

static int rm_insert(struct rm_state *st, mongoc_client_t *cl,
                     const char *coll_name, const bson_t *doc, const char *what)
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
static int rm_update(struct rm_state *st, mongoc_client_t *cl,
                     const char *coll_name, const bson_t *filter,
                     const bson_t *update, bool upsert, bool many,
                     int64_t *matched, int64_t *upserted, const char *what)
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
static int rm_dup_utf8(const bson_t *doc, const char *key, char **out)
{
	bson_iter_t it;

	*out = NULL;
	if (!bson_iter_init_find(&it, doc, key) || !BSON_ITER_HOLDS_UTF8(&it))
		return 0;
	*out = strdup(bson_iter_utf8(&it, NULL));
	return *out ? 0 : -ENOMEM;
}

static int64_t rm_get_int(const bson_t *doc, const char *key, int64_t dflt)
{
	bson_iter_t it;

	if (!bson_iter_init_find(&it, doc, key) || !BSON_ITER_HOLDS_NUMBER(&it))
		return dflt;
	return bson_iter_as_int64(&it);
}

static double rm_get_double(const bson_t *doc, const char *key, double dflt)
{
	bson_iter_t it;

	if (!bson_iter_init_find(&it, doc, key) || !BSON_ITER_HOLDS_NUMBER(&it))
		return dflt;
	return bson_iter_as_double(&it);
}

/* ------------------------------------------------------------------ */
/* Redis: synchronous contexts for the worker threads                   */

static void rm_redis_release(struct rm_state *st, redisContext *c, bool ok)
{
	if (!c)
		return;
	if (!ok) {
		rm_mark_down(st, true, c->err ? c->errstr : "bad reply");
		redisFree(c);
		return;
	}
	pthread_mutex_lock(&st->lock);
	if (st->nidle < RM_MAX_IDLE) {
		st->idle[st->nidle++] = c;
		c = NULL;
	}
	pthread_mutex_unlock(&st->lock);
	if (c)
		redisFree(c);
	rm_mark_up(st, true);
}

/* A connected context for this thread's exclusive use, or NULL while
 * Redis is down. */
static redisContext *rm_redis_get(struct rm_state *st)
{
	struct timeval tv = {st->redis_timeout_ms / 1000,
	                     (st->redis_timeout_ms % 1000) * 1000};
	redisContext *c = NULL;
	redisReply *r;

	pthread_mutex_lock(&st->lock);
	if (st->redis_down && rm_mono_ms() < st->redis_down_until) {
		pthread_mutex_unlock(&st->lock);
		return NULL;
	}
	if (st->nidle)
		c = st->idle[--st->nidle];
	pthread_mutex_unlock(&st->lock);
	if (c)
		return c;
	if (st->rpath)
		c = redisConnectUnixWithTimeout(st->rpath, tv);
	else
		c = redisConnectWithTimeout(st->rhost, st->rport, tv);
	if (!c)
		return NULL;
	if (c->err || redisSetTimeout(c, tv) != REDIS_OK) {
		rm_redis_release(st, c, false);
		return NULL;
	}
	if (st->rdb) {
		r = redisCommand(c, "SELECT %d", st->rdb);
		if (!r || r->type == REDIS_REPLY_ERROR) {
			if (r)
				rm_log(st, AC_LOG_ERROR, "Redis SELECT %d: %s",
				       st->rdb, r->str);
			freeReplyObject(r);
			rm_redis_release(st, c, false);
			return NULL;
		}
		freeReplyObject(r);
	}
	return c;
}

static int rm_key(struct rm_state *st, char *buf, size_t len, const char *kind,
                  const char *id)
{
	int n = snprintf(buf, len, "%s%s:%s", st->prefix, kind, id);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : n;
}

/* The cached value: "<owner>\n<json>" (owner empty when unknown). */
static int rm_cache_value(const char *owner, const char *json, char **out,
                          size_t *len)
{
	size_t ol = owner ? strlen(owner) : 0, jl = strlen(json);
	char *v;

	*out = NULL;
	if (owner && memchr(owner, '\n', ol))
		return -EINVAL;
	v = malloc(ol + 1 + jl + 1);
	if (!v)
		return -ENOMEM;
	memcpy(v, owner ? owner : "", ol);
	v[ol] = '\n';
	memcpy(v + ol + 1, json, jl + 1);
	*out = v;
	*len = ol + 1 + jl;
	return 0;
}

/* 0 and the cached result, -ENOENT on a miss, -EIO when Redis failed. */
static int rm_cache_get(struct rm_state *st, const char *id, char **json,
                        char **owner)
{
	char key[RM_MAX_ID + 128];
	redisContext *c;
	redisReply *r;
	const char *nl;
	int ret;

	if (st->ttl_s <= 0)
		return -ENOENT;
	ret = rm_key(st, key, sizeof(key), "result", id);
	if (ret < 0)
		return ret;
	c = rm_redis_get(st);
	if (!c)
		return -EIO;
	r = redisCommand(c, "GET %s", key);
	if (!r ||
	    (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_NIL)) {
		if (r && r->type == REDIS_REPLY_ERROR)
			rm_log(st, AC_LOG_ERROR, "Redis GET: %s", r->str);
		freeReplyObject(r);
		rm_redis_release(st, c, false);
		return -EIO;
	}
	ret = -ENOENT;
	if (r->type == REDIS_REPLY_STRING &&
	    (nl = memchr(r->str, '\n', r->len)) != NULL) {
		size_t ol = (size_t)(nl - r->str);

		*json = strndup(nl + 1, r->len - ol - 1);
		*owner = ol ? strndup(r->str, ol) : NULL;
		ret = (*json && (*owner || !ol)) ? 0 : -ENOMEM;
		if (ret < 0) {
			free(*json);
			free(*owner);
			*json = *owner = NULL;
		}
	}
	freeReplyObject(r);
	rm_redis_release(st, c, true);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Redis: the async context on the loop thread (cache writes)          */

static void rm_async_connect(struct rm_state *st);

static void rm_reconnect_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rm_state *st = arg;

	(void)fd;
	(void)what;
	if (!st->closing && !st->ac)
		rm_async_connect(st);
}

static void rm_schedule_reconnect(struct rm_state *st)
{
	struct timeval tv = {RM_RECONNECT_S, 0};

	if (st->closing || !st->base)
		return;
	if (!st->reconnect)
		st->reconnect = evtimer_new(st->base, rm_reconnect_cb, st);
	if (st->reconnect)
		evtimer_add(st->reconnect, &tv);
}

static void rm_connect_cb(const redisAsyncContext *ac, int status)
{
	struct rm_state *st = ac->data;

	if (status == REDIS_OK) {
		rm_log(st, AC_LOG_DEBUG, "cache connection to %s is up",
		       st->redis_url);
		return;
	}
	/* hiredis frees the context after this callback. */
	rm_log(st, AC_LOG_DEBUG, "cache connection to %s failed: %s",
	       st->redis_url, ac->errstr);
	if (st->ac == ac)
		st->ac = NULL;
	rm_schedule_reconnect(st);
}

static void rm_disconnect_cb(const redisAsyncContext *ac, int status)
{
	struct rm_state *st = ac->data;

	if (st->ac == ac)
		st->ac = NULL;
	if (status != REDIS_OK && !st->closing)
		rm_log(st, AC_LOG_DEBUG, "cache connection lost: %s",
		       ac->errstr);
	rm_schedule_reconnect(st);
}

static void rm_async_connect(struct rm_state *st)
{
	redisAsyncContext *ac;

	if (st->rpath)
		ac = redisAsyncConnectUnix(st->rpath);
	else
		ac = redisAsyncConnect(st->rhost, st->rport);
	if (!ac) {
		rm_schedule_reconnect(st);
		return;
	}
	if (ac->err) {
		rm_log(st, AC_LOG_DEBUG, "cache connection: %s", ac->errstr);
		redisAsyncFree(ac);
		rm_schedule_reconnect(st);
		return;
	}
	ac->data = st;
	if (redisLibeventAttach(ac, st->base) != REDIS_OK) {
		redisAsyncFree(ac);
		rm_schedule_reconnect(st);
		return;
	}
	redisAsyncSetConnectCallback(ac, rm_connect_cb);
	redisAsyncSetDisconnectCallback(ac, rm_disconnect_cb);
	st->ac = ac;
	if (st->rdb)
		redisAsyncCommand(ac, NULL, NULL, "SELECT %d", st->rdb);
}

static void rm_set_reply_cb(redisAsyncContext *ac, void *reply, void *priv)
{
	redisReply *r = reply;
	struct rm_state *st = priv;

	(void)ac;
	if (r && r->type == REDIS_REPLY_ERROR)
		rm_log(st, AC_LOG_WARN, "Redis cache write: %s", r->str);
}

static void rm_put_free(struct rm_put *p)
{
	free(p->key);
	free(p->val);
	free(p);
}

/* Loop thread: write the queued cache entries. */
static void rm_flush_cb(void *arg)
{
	struct rm_state *st = arg;
	struct rm_put *list, *next;

	pthread_mutex_lock(&st->lock);
	list = st->queue;
	st->queue = NULL;
	st->queue_tail = &st->queue;
	st->queued = 0;
	st->flush_pending = false;
	pthread_mutex_unlock(&st->lock);
	for (; list; list = next) {
		next = list->next;
		/* Without a connection the entry is dropped: the next poll
		 * reads MongoDB and queues it again. */
		if (st->ac && !st->closing)
			redisAsyncCommand(st->ac, rm_set_reply_cb, st,
			                  "SET %b %b EX %lld", list->key,
			                  list->keylen, list->val, list->vallen,
			                  st->ttl_s);
		rm_put_free(list);
	}
}

/* Without an event base: write from this worker thread. */
static void rm_cache_put_sync(struct rm_state *st, struct rm_put *p)
{
	redisContext *c = rm_redis_get(st);
	redisReply *r;

	if (c) {
		r = redisCommand(c, "SET %b %b EX %lld", p->key, p->keylen,
		                 p->val, p->vallen, st->ttl_s);
		rm_redis_release(st, c, r && r->type != REDIS_REPLY_ERROR);
		freeReplyObject(r);
	}
	rm_put_free(p);
}

/* Worker thread: cache this result (best effort). */
static void rm_cache_put(struct rm_state *st, const char *id, const char *owner,
                         const char *json)
{
	char key[RM_MAX_ID + 128];
	struct rm_put *p;
	bool schedule = false;
	int n;

	if (st->ttl_s <= 0)
		return;
	n = rm_key(st, key, sizeof(key), "result", id);
	if (n < 0)
		return;
	p = calloc(1, sizeof(*p));
	if (!p)
		return;
	p->key = strdup(key);
	p->keylen = (size_t)n;
	if (!p->key || rm_cache_value(owner, json, &p->val, &p->vallen) < 0) {
		rm_put_free(p);
		return;
	}
	if (!st->base) {
		rm_cache_put_sync(st, p);
		return;
	}
	pthread_mutex_lock(&st->lock);
	if (st->queued >= RM_MAX_QUEUE) {
		pthread_mutex_unlock(&st->lock);
		rm_put_free(p);
		return;
	}
	*st->queue_tail = p;
	st->queue_tail = &p->next;
	st->queued++;
	if (!st->flush_pending)
		schedule = st->flush_pending = true;
	pthread_mutex_unlock(&st->lock);
	if (schedule && st->host->run_on_loop(st->ctx, rm_flush_cb, st) < 0) {
		pthread_mutex_lock(&st->lock);
		st->flush_pending = false;
		pthread_mutex_unlock(&st->lock);
	}
}

/* ------------------------------------------------------------------ */
/* Submissions and results                                              */

static int rm_put_submission(void *state, const struct ac_submission *sub)
{
	struct rm_state *st = state;
	mongoc_client_t *cl;
	bson_t doc = BSON_INITIALIZER;
	int ret;

	if (!sub || !rm_id_ok(sub->id) || !rm_id_ok(sub->problem_id) ||
	    !rm_id_ok(sub->lang) || (sub->user_id && !rm_id_ok(sub->user_id)) ||
	    (sub->problem_hash && !rm_id_ok(sub->problem_hash)) ||
	    (!sub->code && sub->code_len) || sub->code_len > RM_MAX_DOC)
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
		rm_log(st, AC_LOG_DEBUG, "submission %s: pending mark kept",
		       submission_id);
	bson_destroy(&filter);
	bson_destroy(&update);
}

static void rm_pending_clear(struct ac_pending *p)
{
	free(p->id);
	free(p->problem_id);
	free(p->problem_hash);
	free(p->lang);
	free(p->user_id);
	free(p->code);
	memset(p, 0, sizeof(*p));
}

/* A submission document into *p. */
static int rm_pending_doc(const bson_t *doc, struct ac_pending *p)
{
	bson_iter_t it;
	const uint8_t *bin = NULL;
	uint32_t blen = 0;
	bson_subtype_t sub;
	int ret;

	memset(p, 0, sizeof(*p));
	ret = rm_dup_utf8(doc, "_id", &p->id);
	if (ret == 0)
		ret = rm_dup_utf8(doc, "problem_id", &p->problem_id);
	if (ret == 0)
		ret = rm_dup_utf8(doc, "problem_hash", &p->problem_hash);
	if (ret == 0)
		ret = rm_dup_utf8(doc, "lang", &p->lang);
	if (ret == 0)
		ret = rm_dup_utf8(doc, "user_id", &p->user_id);
	if (ret == 0 && bson_iter_init_find(&it, doc, "code") &&
	    BSON_ITER_HOLDS_BINARY(&it))
		bson_iter_binary(&it, &sub, &blen, &bin);
	if (ret == 0 && !(p->code = malloc((size_t)blen + 1)))
		ret = -ENOMEM;
	if (ret == 0) {
		if (blen)
			memcpy(p->code, bin, blen);
		p->code[blen] = '\0';
		p->code_len = blen;
		p->submitted_at = rm_get_int(doc, "submitted_at", 0);
		p->all_tests = bson_iter_init_find(&it, doc, "all_tests") &&
		               BSON_ITER_HOLDS_BOOL(&it) && bson_iter_bool(&it);
		p->attempts = (unsigned)rm_get_int(doc, "attempts", 1) + 1;
		if (!p->id || !p->problem_id || !p->lang)
			ret = -EIO;
	}
	if (ret < 0)
		rm_pending_clear(p);
	return ret;
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
	mongoc_client_t *cl = NULL;
	mongoc_collection_t *coll = NULL;
	mongoc_cursor_t *cur = NULL;
	const bson_t *doc;
	bson_error_t err;
	bson_t filter = BSON_INITIALIZER, opts = BSON_INITIALIZER, q, sort;
	struct ac_pending *v = NULL;
	size_t count = 0, kept = 0;
	int ret;

	*out = NULL;
	*n = 0;
	if (max == 0)
		return 0;
	if (max > 100000)
		max = 100000;
	v = calloc(max, sizeof(*v));
	if (!v)
		return -ENOMEM;
	ret = rm_pop(st, &cl);
	if (ret < 0)
		goto out;
	BSON_APPEND_BOOL(&filter, "pending", true);
	BSON_APPEND_DOCUMENT_BEGIN(&filter, "queued_at", &q);
	BSON_APPEND_INT64(&q, "$lte", cutoff_ms);
	bson_append_document_end(&filter, &q);
	BSON_APPEND_DOCUMENT_BEGIN(&opts, "sort", &sort);
	BSON_APPEND_INT32(&sort, "submitted_at", 1);
	bson_append_document_end(&opts, &sort);
	BSON_APPEND_INT64(&opts, "limit", (int64_t)max);
	coll = mongoc_client_get_collection(cl, st->dbname, "submissions");
	cur = mongoc_collection_find_with_opts(coll, &filter, &opts, NULL);
	while (count < max && mongoc_cursor_next(cur, &doc)) {
		ret = rm_pending_doc(doc, &v[count]);
		if (ret < 0)
			goto out;
		count++;
	}
	if (mongoc_cursor_error(cur, &err)) {
		ret = rm_merr(st, &err, "find pending submissions");
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		struct ac_pending *p = &v[i];
		bson_t *res = NULL;
		bson_t f = BSON_INITIALIZER, u = BSON_INITIALIZER, set;
		int64_t matched = 0;

		ret = rm_find_by_id(st, cl, "results", p->id, &res);
		bson_destroy(res);
		if (ret == 0) {
			rm_clear_pending(st, cl, p->id);
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
			ret = rm_insert(st, cl, "claims", &f, "claim");
			if (ret == 0) {
				bson_reinit(&f);
				BSON_APPEND_UTF8(&f, "_id", p->id);
				BSON_APPEND_DOCUMENT_BEGIN(&u, "$set", &set);
				BSON_APPEND_INT64(&set, "queued_at", now_ms);
				BSON_APPEND_INT32(&set, "attempts",
				                  (int32_t)p->attempts);
				bson_append_document_end(&u, &set);
				ret = rm_update(st, cl, "submissions", &f, &u,
				                false, false, &matched, NULL,
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
			rm_pending_clear(p);
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
	if (cur)
		mongoc_cursor_destroy(cur);
	if (coll)
		mongoc_collection_destroy(coll);
	rm_push(st, cl, ret);
	bson_destroy(&filter);
	bson_destroy(&opts);
	if (ret < 0 || count == 0) {
		for (size_t i = 0; i < count; i++)
			rm_pending_clear(&v[i]);
		free(v);
		return ret;
	}
	*out = v;
	*n = count;
	return 0;
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

	if (!rm_id_ok(submission_id) || !rm_text_ok(result_json, RM_MAX_DOC))
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
	BSON_APPEND_INT64(&set, "finished_at", rm_now_ms());
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
		rm_log(st, AC_LOG_DEBUG,
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

	*result_json = NULL;
	if (owner)
		*owner = NULL;
	if (!rm_id_ok(submission_id))
		return -ENOENT;
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
		if (owner)
			*owner = user;
		else
			free(user);
		bson_destroy(res);
		bson_destroy(sub);
		return -EAGAIN;
	}
	rm_cache_put(st, submission_id, user, json);
found:
	bson_destroy(res);
	bson_destroy(sub);
	*result_json = json;
	if (owner)
		*owner = user;
	else
		free(user);
	return 0;
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

static void rm_rows_free(struct ac_submission_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].id);
		free(rows[i].problem_id);
		free(rows[i].lang);
		free(rows[i].result_json);
	}
	free(rows);
}

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
	mongoc_client_t *cl = NULL;
	mongoc_collection_t *coll = NULL;
	mongoc_cursor_t *cur = NULL;
	const bson_t *doc;
	bson_error_t err;
	bson_t filter = BSON_INITIALIZER, opts = BSON_INITIALIZER, sort, proj;
	struct ac_submission_row *v = NULL;
	size_t count = 0;
	int64_t c;
	int ret;

	*out = NULL;
	*n = *total = 0;
	if (!rm_id_ok(user_id) || (problem_id && !rm_id_ok(problem_id)) ||
	    max > 1000 || offset > INT64_MAX)
		return -EINVAL;
	if (max && !(v = calloc(max, sizeof(*v))))
		return -ENOMEM;
	ret = rm_pop(st, &cl);
	if (ret < 0)
		goto out;
	BSON_APPEND_UTF8(&filter, "user_id", user_id);
	if (problem_id)
		BSON_APPEND_UTF8(&filter, "problem_id", problem_id);
	coll = mongoc_client_get_collection(cl, st->dbname, "submissions");
	c = mongoc_collection_count_documents(coll, &filter, NULL, NULL, NULL,
	                                      &err);
	if (c < 0) {
		ret = rm_merr(st, &err, "count submissions");
		goto out;
	}
	*total = (size_t)c;
	if (max == 0)
		goto out;
	BSON_APPEND_DOCUMENT_BEGIN(&opts, "sort", &sort);
	BSON_APPEND_INT32(&sort, "submitted_at", -1);
	BSON_APPEND_INT32(&sort, "_id", -1);
	bson_append_document_end(&opts, &sort);
	BSON_APPEND_DOCUMENT_BEGIN(&opts, "projection", &proj);
	BSON_APPEND_INT32(&proj, "code", 0);
	bson_append_document_end(&opts, &proj);
	BSON_APPEND_INT64(&opts, "skip", (int64_t)offset);
	BSON_APPEND_INT64(&opts, "limit", (int64_t)max);
	cur = mongoc_collection_find_with_opts(coll, &filter, &opts, NULL);
	while (count < max && mongoc_cursor_next(cur, &doc)) {
		ret = rm_row(st, cl, doc, &v[count++]);
		if (ret < 0)
			goto out;
	}
	if (mongoc_cursor_error(cur, &err))
		ret = rm_merr(st, &err, "list submissions");
out:
	if (cur)
		mongoc_cursor_destroy(cur);
	if (coll)
		mongoc_collection_destroy(coll);
	rm_push(st, cl, ret);
	bson_destroy(&filter);
	bson_destroy(&opts);
	if (ret < 0 || count == 0) {
		rm_rows_free(v, count);
		if (ret < 0)
			*total = 0;
		return ret;
	}
	*out = v;
	*n = count;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Rate buckets                                                         */

/* KEYS[1] bucket; ARGV burst, tokens per ms, now ms.  Returns 0 when a
 * token was taken, else the wait in ms.  Atomic: Redis runs scripts one
 * at a time, so api processes sharing this Redis share the bucket. */
static const char rm_rate_lua[] =
        "local burst = tonumber(ARGV[1])\n"
        "local rate = tonumber(ARGV[2])\n"
        "local now = tonumber(ARGV[3])\n"
        "local b = redis.call('HMGET', KEYS[1], 't', 'u')\n"
        "local tokens = tonumber(b[1])\n"
        "local updated = tonumber(b[2])\n"
        "if tokens == nil or updated == nil then\n"
        "  tokens = burst; updated = now\n"
        "end\n"
        "if tokens < 0 then tokens = 0 end\n"
        "if now > updated then\n"
        "  tokens = tokens + (now - updated) * rate; updated = now\n"
        "end\n"
        "if tokens > burst then tokens = burst end\n"
        "local wait = 0\n"
        "if tokens >= 1 then\n"
        "  tokens = tokens - 1\n"
        "else\n"
        "  wait = math.min(math.ceil((1 - tokens) / rate), 4e15)\n"
        "  if wait < 1 then wait = 1 end\n"
        "end\n"
        "redis.call('HSET', KEYS[1], 't', string.format('%.17g', tokens),"
        " 'u', string.format('%.0f', updated))\n"
        "local ttl = math.min(math.ceil((burst - tokens) / rate), 2592000000)"
        " + 60000\n"
        "redis.call('PEXPIRE', KEYS[1], string.format('%.0f', ttl))\n"
        "return string.format('%.0f', wait)\n";

/* The same bucket in C, for the MongoDB fallback. */
static int rm_bucket_step(double *tokens, int64_t *updated, double burst,
                          double per_sec, int64_t now_ms, int64_t *retry)
{
	if (!isfinite(*tokens) || *tokens < 0)
		*tokens = 0;
	if (now_ms > *updated) {
		*tokens += (double)(now_ms - *updated) * per_sec / 1000.0;
		*updated = now_ms;
	}
	if (*tokens > burst)
		*tokens = burst;
	if (*tokens >= 1) {
		*tokens -= 1;
		return 0;
	}
	{
		double wait = ceil((1 - *tokens) / per_sec * 1000.0);

		*retry = wait > 4e15 ? (int64_t)4e15 : (int64_t)wait;
		if (*retry < 1)
			*retry = 1;
	}
	return -EAGAIN;
}

static int rm_rate_redis(struct rm_state *st, const char *key, double burst,
                         double per_sec, int64_t now_ms, int64_t *retry)
{
	char k[RM_MAX_ID + 128], a1[64], a2[64], a3[32];
	redisContext *c;
	redisReply *r;
	long long wait;
	int ret;

	ret = rm_key(st, k, sizeof(k), "rate", key);
	if (ret < 0)
		return ret;
	c = rm_redis_get(st);
	if (!c)
		return -EIO;
	snprintf(a1, sizeof(a1), "%.17g", burst);
	snprintf(a2, sizeof(a2), "%.17g", per_sec / 1000.0);
	snprintf(a3, sizeof(a3), "%lld", (long long)now_ms);
	r = redisCommand(c, "EVAL %s 1 %s %s %s %s", rm_rate_lua, k, a1, a2,
	                 a3);
	if (!r || r->type != REDIS_REPLY_STRING) {
		if (r && r->type == REDIS_REPLY_ERROR)
			rm_log(st, AC_LOG_ERROR, "Redis rate script: %s",
			       r->str);
		freeReplyObject(r);
		rm_redis_release(st, c, false);
		return -EIO;
	}
	wait = strtoll(r->str, NULL, 10);
	freeReplyObject(r);
	rm_redis_release(st, c, true);
	if (wait <= 0)
		return 0;
	*retry = wait;
	return -EAGAIN;
}

/* Used while Redis is down.  A bucket is a chain of versions: document
 * "<key>#<n>" holds the state after the n-th take, and a take inserts
 * version n + 1.  Of two racing takes one insert hits the unique _id, and
 * the loser reads again: a compare-and-swap that needs nothing but _id
 * uniqueness (FerretDB's updates are not atomic under concurrency).  A
 * loss means another take went through, so the bound is on time, not on
 * tries (a slow caller among many fast ones can lose dozens in a row),
 * with a short random pause after each loss to spread the retries. */
static int rm_rate_mongo(struct rm_state *st, const char *key, double burst,
                         double per_sec, int64_t now_ms, int64_t *retry)
{
	mongoc_client_t *cl;
	bson_t filter = BSON_INITIALIZER, sort = BSON_INITIALIZER;
	int ret;

	ret = rm_pop(st, &cl);
	if (ret < 0)
		return ret;
	BSON_APPEND_UTF8(&filter, "k", key);
	BSON_APPEND_INT32(&sort, "n", -1);
	for (int64_t until = rm_mono_ms() + RM_CAS_MS;;) {
		bson_t *cur = NULL;
		bson_t doc = BSON_INITIALIZER;
		double tokens = burst;
		int64_t updated = now_ms, n = 0;
		char id[RM_MAX_ID + 32];
		int verdict;

		ret = rm_find_one(st, cl, "rate_buckets", &filter, &sort, &cur);
		if (ret < 0 && ret != -ENOENT)
			break;
		if (cur) {
			tokens = rm_get_double(cur, "t", 0);
			updated = rm_get_int(cur, "u", now_ms);
			n = rm_get_int(cur, "n", 0);
			bson_destroy(cur);
		}
		verdict = rm_bucket_step(&tokens, &updated, burst, per_sec,
		                         now_ms, retry);
		snprintf(id, sizeof(id), "%s#%lld", key, (long long)n + 1);
		BSON_APPEND_UTF8(&doc, "_id", id);
		BSON_APPEND_UTF8(&doc, "k", key);
		BSON_APPEND_INT64(&doc, "n", n + 1);
		BSON_APPEND_DOUBLE(&doc, "t", tokens);
		BSON_APPEND_INT64(&doc, "u", updated);
		ret = rm_insert(st, cl, "rate_buckets", &doc,
		                "insert rate bucket");
		bson_destroy(&doc);
		if (ret == 0) {
			/* Drop old versions (best effort), not the recent
			 * ones: a slow reader may still insert after one of
			 * them, and must hit it. */
			mongoc_collection_t *coll =
			        mongoc_client_get_collection(cl, st->dbname,
			                                     "rate_buckets");
			bson_t old = BSON_INITIALIZER, lt;

			BSON_APPEND_UTF8(&old, "k", key);
			BSON_APPEND_DOCUMENT_BEGIN(&old, "n", &lt);
			BSON_APPEND_INT64(&lt, "$lt", n + 1 - RM_KEEP_VERSIONS);
			bson_append_document_end(&old, &lt);
			mongoc_collection_delete_many(coll, &old, NULL, NULL,
			                              NULL);
			bson_destroy(&old);
			mongoc_collection_destroy(coll);
			ret = verdict;
			break;
		}
		if (ret != -EEXIST)
			break;
		ret = -EBUSY; /* lost the race: read again */
		if (rm_mono_ms() >= until)
			break;
		rm_jitter_pause();
	}
	if (ret < 0 && ret != -EAGAIN)
		rm_log(st, AC_LOG_WARN, "rate bucket %s in MongoDB: %s%s", key,
		       strerror(-ret),
		       ret == -EBUSY ? " (lost every race for 10 s)" : "");
	rm_push(st, cl, ret);
	bson_destroy(&filter);
	bson_destroy(&sort);
	return ret;
}

static int rm_rate_take(void *state, const char *key, double burst,
                        double per_sec, int64_t now_ms, int64_t *retry_after_ms)
{
	struct rm_state *st = state;
	int64_t retry = 0;
	int ret;

	if (retry_after_ms)
		*retry_after_ms = 0;
	if (!rm_id_ok(key) || !isfinite(burst) || burst < 1 || burst > 1e9 ||
	    !isfinite(per_sec) || per_sec <= 0 || per_sec > 1e9)
		return -EINVAL;
	ret = rm_rate_redis(st, key, burst, per_sec, now_ms, &retry);
	if (ret == -EIO)
		ret = rm_rate_mongo(st, key, burst, per_sec, now_ms, &retry);
	if (ret == -EAGAIN && retry_after_ms)
		*retry_after_ms = retry;
	return ret;
}

/* ------------------------------------------------------------------ */
/* Users and refresh tokens                                             */

static char *rm_lower(const char *s)
{
	char *d = strdup(s);

	for (char *p = d; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

static int rm_put_user(void *state, const struct ac_user *u)
{
	struct rm_state *st = state;
	mongoc_client_t *cl;
	bson_t doc = BSON_INITIALIZER;
	char *email;
	int ret;

	if (!u || !rm_id_ok(u->id) || !rm_id_ok(u->username) ||
	    !rm_id_ok(u->email) || !rm_text_ok(u->password_hash, 1024) ||
	    (u->first_name && !rm_text_ok(u->first_name, 1024)) ||
	    (u->last_name && !rm_text_ok(u->last_name, 1024)))
		return -EINVAL;
	email = rm_lower(u->email);
	if (!email)
		return -ENOMEM;
	BSON_APPEND_UTF8(&doc, "_id", u->id);
	BSON_APPEND_UTF8(&doc, "username", u->username);
	BSON_APPEND_UTF8(&doc, "email", email);
	BSON_APPEND_UTF8(&doc, "password_hash", u->password_hash);
	BSON_APPEND_UTF8(&doc, "first_name",
	                 u->first_name ? u->first_name : "");
	BSON_APPEND_UTF8(&doc, "last_name", u->last_name ? u->last_name : "");
	BSON_APPEND_INT64(&doc, "created_at",
	                  u->created_at ? u->created_at : rm_now_ms());
	ret = rm_pop(st, &cl);
	if (ret == 0) {
		ret = rm_insert(st, cl, "users", &doc, "insert user");
		rm_push(st, cl, ret);
	}
	bson_destroy(&doc);
	free(email);
	return ret;
}

static void rm_user_clear(struct ac_user *u)
{
	free(u->id);
	free(u->username);
	free(u->email);
	free(u->password_hash);
	free(u->first_name);
	free(u->last_name);
	memset(u, 0, sizeof(*u));
}

static int rm_get_user(void *state, enum ac_user_key by, const char *key,
                       struct ac_user *out)
{
	static const char *const fields[] = {
	        [AC_USER_BY_ID] = "_id",
	        [AC_USER_BY_USERNAME] = "username",
	        [AC_USER_BY_EMAIL] = "email",
	};
	struct rm_state *st = state;
	mongoc_client_t *cl;
	bson_t filter = BSON_INITIALIZER;
	bson_t *doc = NULL;
	char *k;
	int ret;

	memset(out, 0, sizeof(*out));
	if ((unsigned)by > AC_USER_BY_EMAIL || !rm_id_ok(key))
		return -ENOENT;
	k = by == AC_USER_BY_EMAIL ? rm_lower(key) : strdup(key);
	if (!k)
		return -ENOMEM;
	BSON_APPEND_UTF8(&filter, fields[by], k);
	ret = rm_pop(st, &cl);
	if (ret == 0) {
		ret = rm_find_one(st, cl, "users", &filter, NULL, &doc);
		rm_push(st, cl, ret);
	}
	if (ret == 0) {
		if (rm_dup_utf8(doc, "_id", &out->id) < 0 ||
		    rm_dup_utf8(doc, "username", &out->username) < 0 ||
		    rm_dup_utf8(doc, "email", &out->email) < 0 ||
		    rm_dup_utf8(doc, "password_hash", &out->password_hash) <
		            0 ||
		    rm_dup_utf8(doc, "first_name", &out->first_name) < 0 ||
		    rm_dup_utf8(doc, "last_name", &out->last_name) < 0)
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
			rm_user_clear(out);
	}
	bson_destroy(doc);
	bson_destroy(&filter);
	free(k);
	return ret;
}

static int rm_put_refresh(void *state, const char *jti, const char *user_id,
                          int64_t expires_at)
{
	struct rm_state *st = state;
	mongoc_client_t *cl;
	bson_t doc = BSON_INITIALIZER;
	int ret;

	if (!rm_id_ok(jti) || !rm_id_ok(user_id))
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
static int rm_use_refresh(void *state, const char *jti, int64_t now,
                          char **user_id)
{
	struct rm_state *st = state;
	mongoc_client_t *cl;
	bson_t *doc = NULL;
	bson_t mark = BSON_INITIALIZER, filter = BSON_INITIALIZER;
	bson_t update = BSON_INITIALIZER, set;
	bson_iter_t it;
	int ret;

	*user_id = NULL;
	if (!rm_id_ok(jti))
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
		rm_log(st, AC_LOG_DEBUG, "refresh token %s used, flag not set",
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

static int rm_revoke_refresh(void *state, const char *jti, const char *user_id)
{
	struct rm_state *st = state;
	mongoc_client_t *cl;
	bson_t filter = BSON_INITIALIZER, update = BSON_INITIALIZER, set;
	int ret;

	if (jti ? !rm_id_ok(jti) : !rm_id_ok(user_id))
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

/* The value, or *v unchanged when unset (the core checked the range:
 * rm_settings). */
static int rm_conf_int(struct rm_state *st, const char *key, long long *v)
{
	int ret = st->host->conf_int(st->ctx, key, v);

	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		rm_log(st, AC_LOG_ERROR, "store.%s must be an integer", key);
	return ret;
}

static int rm_conf_str(struct rm_state *st, const char *key, const char *dflt,
                       char **out)
{
	int ret = st->host->conf_string(st->ctx, key, out);

	if (ret == -ENOENT) {
		*out = strdup(dflt);
		return *out ? 0 : -ENOMEM;
	}
	if (ret < 0)
		rm_log(st, AC_LOG_ERROR, "store.%s must be a string", key);
	return ret;
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
		rm_log(st, AC_LOG_ERROR, "store.mongo: %s", err.message);
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
		rm_log(st, AC_LOG_ERROR,
		       "store.mongo: cannot create a client "
		       "pool");
		return -EINVAL;
	}
	mongoc_client_pool_set_error_api(st->mpool, MONGOC_ERROR_API_VERSION_2);
	/* Indexes now if MongoDB answers; otherwise at the first op. */
	cl = mongoc_client_pool_pop(st->mpool);
	if (cl) {
		if (rm_ensure_indexes(st, cl) < 0)
			rm_log(st, AC_LOG_WARN,
			       "MongoDB %s does not answer yet: starting "
			       "anyway, operations fail until it does",
			       st->dbname);
		mongoc_client_pool_push(st->mpool, cl);
	}
	return 0;
}

static int rm_init(const struct ac_host *host, struct ac_plugin_ctx *ctx,
                   void **state)
{
	struct rm_state *st;
	int ret;

	*state = NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->host = host;
	st->ctx = ctx;
	st->queue_tail = &st->queue;
	st->ttl_s = 3600;
	st->redis_timeout_ms = 500;
	st->mongo_timeout_ms = 2000;
	if (pthread_mutex_init(&st->lock, NULL) != 0) {
		ret = -ENOMEM;
		goto fail;
	}
	st->lock_ok = true;
	if (pthread_mutex_init(&st->index_lock, NULL) != 0) {
		ret = -ENOMEM;
		goto fail;
	}
	st->index_lock_ok = true;
	if ((ret = rm_conf_str(st, "redis", RM_DEFAULT_REDIS, &st->redis_url)) <
	            0 ||
	    (ret = rm_conf_str(st, "mongo", RM_DEFAULT_MONGO, &st->mongo_url)) <
	            0 ||
	    (ret = rm_conf_str(st, "prefix", "algocode:", &st->prefix)) < 0 ||
	    (ret = rm_conf_int(st, "cache_ttl_s", &st->ttl_s)) < 0 ||
	    (ret = rm_conf_int(st, "redis_timeout_ms", &st->redis_timeout_ms)) <
	            0 ||
	    (ret = rm_conf_int(st, "mongo_timeout_ms", &st->mongo_timeout_ms)) <
	            0)
		goto fail;
	if (strlen(st->prefix) > 64) {
		rm_log(st, AC_LOG_ERROR,
		       "store.prefix is longer than 64 bytes");
		ret = -EINVAL;
		goto fail;
	}
	ret = rm_parse_redis(st);
	if (ret < 0) {
		rm_log(st, AC_LOG_ERROR,
		       "store.redis \"%s\" is not redis://HOST[:PORT][/DB] or "
		       "unix:///PATH",
		       st->redis_url);
		goto fail;
	}
	ret = rm_init_mongo(st);
	if (ret < 0)
		goto fail;
	st->base = host->event_base ? host->event_base(ctx) : NULL;
	if (st->base && st->ttl_s > 0)
		rm_async_connect(st);
	rm_log(st, AC_LOG_DEBUG,
	       "MongoDB database %s, Redis %s, cache TTL %lld s", st->dbname,
	       st->redis_url, st->ttl_s);
	*state = st;
	return 0;
fail:
	rm_fini(st);
	return ret;
}

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
        {"redis", AC_SETTING_STRING, RM_DEFAULT_REDIS, 0, 0,
         "the Redis server (redis://[:password@]host:port[/db])"},
        {"mongo", AC_SETTING_STRING, RM_DEFAULT_MONGO, 0, 0,
         "the MongoDB URI; its path names the database"},
        {"prefix", AC_SETTING_STRING, "algocode:", 0, 0,
         "prefix of every Redis key (at most 64 bytes)"},
        {"cache_ttl_s", AC_SETTING_INT, "3600", 0, 365LL * 86400,
         "how long a result stays in the Redis cache"},
        {"redis_timeout_ms", AC_SETTING_INT, "500", 10, 60000,
         "timeout of one Redis command"},
        {"mongo_timeout_ms", AC_SETTING_INT, "2000", 100, 600000,
         "timeout of one MongoDB operation"},
        {NULL, 0, NULL, 0, 0, NULL},
};

AC_PLUGIN_DEFINE_SETTINGS(AC_KIND_STORE, "redis_mongo",
                          "MongoDB documents with a Redis result cache and "
                          "rate limits",
                          PACKAGE_VERSION, rm_ops, rm_settings);
