/* store/redis_mongo's private header: the state every part shares and the
 * functions one part calls in another.  The parts: redis_mongo.c (the
 * submissions, results and outbox ops, and the life cycle), rm_mongo.c
 * (server health and the MongoDB helpers), rm_redis.c (the Redis result
 * cache), rm_rate.c (rate buckets), rm_users.c (users and refresh tokens).
 * Prefix: rm_.
 */
#ifndef ALGOCODE_RM_H
#define ALGOCODE_RM_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <mongoc/mongoc.h>

#include <algocode/plugin.h>

#include "../../common/plugin_util.h"
#include "../common/st_common.h"

#define RM_MAX_ID        ST_MAX_ID
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

/* rm_mongo.c */
void rm_mark_down(struct rm_state *st, bool redis, const char *why);
void rm_mark_up(struct rm_state *st, bool redis);
int rm_merr(struct rm_state *st, const bson_error_t *e, const char *what);
int rm_ensure_indexes(struct rm_state *st, mongoc_client_t *cl);
int rm_pop(struct rm_state *st, mongoc_client_t **out);
void rm_push(struct rm_state *st, mongoc_client_t *cl, int ret);
/* A query of several documents: the client (rm_pop), its filter and
 * options, the collection and the cursor; rm_query_end releases them
 * all, the client given back with ret (rm_push). */
struct rm_query {
	mongoc_client_t *cl;
	mongoc_collection_t *coll;
	mongoc_cursor_t *cur;
	bson_t filter, opts;
	bson_error_t err;
};
#define RM_QUERY_INIT                                                          \
	{                                                                      \
		.filter = BSON_INITIALIZER, .opts = BSON_INITIALIZER           \
	}
void rm_query_end(struct rm_state *st, struct rm_query *q, int ret);
int rm_find_one(struct rm_state *st, mongoc_client_t *cl, const char *coll_name,
                const bson_t *filter, const bson_t *sort, bson_t **out);
int rm_find_by_id(struct rm_state *st, mongoc_client_t *cl,
                  const char *coll_name, const char *id, bson_t **out);
int rm_insert(struct rm_state *st, mongoc_client_t *cl, const char *coll_name,
              const bson_t *doc, const char *what);
int rm_update(struct rm_state *st, mongoc_client_t *cl, const char *coll_name,
              const bson_t *filter, const bson_t *update, bool upsert,
              bool many, int64_t *matched, int64_t *upserted, const char *what);
int rm_dup_utf8(const bson_t *doc, const char *key, char **out);
/* The members keys[0..n) of doc into *v[0..n) (rm_dup_utf8 each). */
int rm_dup_utf8s(const bson_t *doc, const char *const *keys, char **const *v,
                 size_t n);
int64_t rm_get_int(const bson_t *doc, const char *key, int64_t dflt);
double rm_get_double(const bson_t *doc, const char *key, double dflt);

/* rm_rate.c */
int rm_rate_take(void *state, const char *key, double burst, double per_sec,
                 int64_t now_ms, int64_t *retry_after_ms);

/* rm_redis.c */
void rm_redis_release(struct rm_state *st, redisContext *c, bool ok);
redisContext *rm_redis_get(struct rm_state *st);
int rm_key(struct rm_state *st, char *buf, size_t len, const char *kind,
           const char *id);
/* rm_key, then a synchronous context (rm_redis_get) into *c to use it on:
 * 0, the key's error, or -EIO when Redis is down (*c NULL). */
int rm_key_context(struct rm_state *st, char *buf, size_t len, const char *kind,
                   const char *id, redisContext **c);
int rm_cache_get(struct rm_state *st, const char *id, char **json,
                 char **owner);
void rm_disconnect_cb(const redisAsyncContext *ac, int status);
void rm_async_connect(struct rm_state *st);
void rm_put_free(struct rm_put *p);
void rm_cache_put(struct rm_state *st, const char *id, const char *owner,
                  const char *json);

/* rm_users.c */
int rm_put_user(void *state, const struct ac_user *u);
int rm_get_user(void *state, enum ac_user_key by, const char *key,
                struct ac_user *out);
int rm_put_refresh(void *state, const char *jti, const char *user_id,
                   int64_t expires_at);
int rm_use_refresh(void *state, const char *jti, int64_t now, char **user_id);
int rm_revoke_refresh(void *state, const char *jti, const char *user_id);

#endif
