/* store/redis_mongo: rate buckets, in Redis, or in MongoDB while Redis is
 * down. */
#include "rm.h"

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

static int rm_rate_redis(struct rm_state *st, const char *key, double burst,
                         double per_sec, int64_t now_ms, int64_t *retry)
{
	char k[RM_MAX_ID + 128], a1[64], a2[64], a3[32];
	redisContext *c;
	redisReply *r;
	long long wait;
	int ret;

	ret = rm_key_context(st, k, sizeof(k), "rate", key, &c);
	if (ret < 0)
		return ret;
	snprintf(a1, sizeof(a1), "%.17g", burst);
	snprintf(a2, sizeof(a2), "%.17g", per_sec / 1000.0);
	snprintf(a3, sizeof(a3), "%lld", (long long)now_ms);
	r = redisCommand(c, "EVAL %s 1 %s %s %s %s", rm_rate_lua, k, a1, a2,
	                 a3);
	if (!r || r->type != REDIS_REPLY_STRING) {
		if (r && r->type == REDIS_REPLY_ERROR)
			pu_log(st, AC_LOG_ERROR, "Redis rate script: %s",
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
	for (int64_t until = pu_mono_ms() + RM_CAS_MS;;) {
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
		verdict = st_bucket_step(&tokens, &updated, burst, per_sec,
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
		if (pu_mono_ms() >= until)
			break;
		rm_jitter_pause();
	}
	if (ret < 0 && ret != -EAGAIN)
		pu_log(st, AC_LOG_WARN, "rate bucket %s in MongoDB: %s%s", key,
		       strerror(-ret),
		       ret == -EBUSY ? " (lost every race for 10 s)" : "");
	rm_push(st, cl, ret);
	bson_destroy(&filter);
	bson_destroy(&sort);
	return ret;
}

int rm_rate_take(void *state, const char *key, double burst, double per_sec,
                 int64_t now_ms, int64_t *retry_after_ms)
{
	struct rm_state *st = state;
	int64_t retry = 0;
	int ret;

	if (retry_after_ms)
		*retry_after_ms = 0;
	if (!st_rate_ok(key, burst, per_sec))
		return -EINVAL;
	ret = rm_rate_redis(st, key, burst, per_sec, now_ms, &retry);
	if (ret == -EIO)
		ret = rm_rate_mongo(st, key, burst, per_sec, now_ms, &retry);
	if (ret == -EAGAIN && retry_after_ms)
		*retry_after_ms = retry;
	return ret;
}
