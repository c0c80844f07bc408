/* store/redis_mongo: the Redis result cache, read by the worker threads
 * through synchronous contexts and written by the loop thread through one
 * async context. */
#include "rm.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <hiredis/adapters/libevent.h>
#pragma GCC diagnostic pop

/* ------------------------------------------------------------------ */
/* Redis: synchronous contexts for the worker threads                   */

void rm_redis_release(struct rm_state *st, redisContext *c, bool ok)
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
redisContext *rm_redis_get(struct rm_state *st)
{
	struct timeval tv = {st->redis_timeout_ms / 1000,
	                     (st->redis_timeout_ms % 1000) * 1000};
	redisContext *c = NULL;
	redisReply *r;

	pthread_mutex_lock(&st->lock);
	if (st->redis_down && pu_mono_ms() < st->redis_down_until) {
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
				pu_log(st, AC_LOG_ERROR, "Redis SELECT %d: %s",
				       st->rdb, r->str);
			freeReplyObject(r);
			rm_redis_release(st, c, false);
			return NULL;
		}
		freeReplyObject(r);
	}
	return c;
}

int rm_key(struct rm_state *st, char *buf, size_t len, const char *kind,
           const char *id)
{
	int n = snprintf(buf, len, "%s%s:%s", st->prefix, kind, id);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : n;
}

int rm_key_context(struct rm_state *st, char *buf, size_t len, const char *kind,
                   const char *id, redisContext **c)
{
	int ret = rm_key(st, buf, len, kind, id);

	*c = NULL;
	if (ret < 0)
		return ret;
	*c = rm_redis_get(st);
	return *c ? 0 : -EIO;
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
int rm_cache_get(struct rm_state *st, const char *id, char **json, char **owner)
{
	char key[RM_MAX_ID + 128];
	redisContext *c;
	redisReply *r;
	const char *nl;
	int ret;

	if (st->ttl_s <= 0)
		return -ENOENT;
	ret = rm_key_context(st, key, sizeof(key), "result", id, &c);
	if (ret < 0)
		return ret;
	r = redisCommand(c, "GET %s", key);
	if (!r ||
	    (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_NIL)) {
		if (r && r->type == REDIS_REPLY_ERROR)
			pu_log(st, AC_LOG_ERROR, "Redis GET: %s", r->str);
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
		pu_log(st, AC_LOG_DEBUG, "cache connection to %s is up",
		       st->redis_url);
		return;
	}
	/* hiredis frees the context after this callback. */
	pu_log(st, AC_LOG_DEBUG, "cache connection to %s failed: %s",
	       st->redis_url, ac->errstr);
	if (st->ac == ac)
		st->ac = NULL;
	rm_schedule_reconnect(st);
}

void rm_disconnect_cb(const redisAsyncContext *ac, int status)
{
	struct rm_state *st = ac->data;

	if (st->ac == ac)
		st->ac = NULL;
	if (status != REDIS_OK && !st->closing)
		pu_log(st, AC_LOG_DEBUG, "cache connection lost: %s",
		       ac->errstr);
	rm_schedule_reconnect(st);
}

void rm_async_connect(struct rm_state *st)
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
		pu_log(st, AC_LOG_DEBUG, "cache connection: %s", ac->errstr);
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
		pu_log(st, AC_LOG_WARN, "Redis cache write: %s", r->str);
}

void rm_put_free(struct rm_put *p)
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
void rm_cache_put(struct rm_state *st, const char *id, const char *owner,
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
