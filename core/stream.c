/* Live results over Server-Sent Events (see stream.h, docs/api.md).
 *
 * Everything runs on the loop thread.  A stream is registered in a hash
 * table keyed by submission id BEFORE its store lookup starts, so a result
 * stored while the lookup runs is not missed: it answers the stream
 * itself (the result message names the owner).  The lookup decides what an
 * unanswered stream gets: 404 (unknown, another user's), the final event
 * at once (the result exists), or the event-stream headers and then the
 * events as the judge's progress messages and the result arrive.
 *
 * Progress messages are best-effort; the final event is not: a stream
 * looks the result up again every recheck_s (with a keep-alive comment),
 * which also covers a layout where another api process consumed the
 * result.  When the final event goes out, any test the stream did not see
 * live is sent from the document first, so a client always sees compile,
 * the tests in order, then the result.
 *
 * A client that goes away: the connection's close callback frees the
 * stream at once (a store lookup in flight is detached from it).  A client
 * that stops reading: its pending output is bounded (STREAM_MAX_PENDING),
 * beyond which the connection is dropped. */
#include "stream.h"

#include "core.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "msg.h"
#include "pool.h"

#include <errno.h>
#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STREAM_NBUCKETS    4096
#define STREAM_MAX_ID      128
#define STREAM_MAX_PENDING (4u << 20)
/* Progress of this many recent submissions is kept (up to STREAM_CACHE_MAX
 * bytes each) and replayed to a stream opened while one is judged. */
#define STREAM_NCACHE    1024
#define STREAM_CACHE_MAX (64u << 10)

struct stream_lookup;

struct stream {
	struct ac_streams *ss;
	struct evhttp_request *req;
	struct stream *next, **pprev;
	struct event *timer;
	struct stream_lookup *lookup; /* in flight, or NULL */
	char *user;
	char id[STREAM_MAX_ID + 1];
	int64_t opened_ms;
	bool open; /* the event-stream headers went out */
	bool compile_sent;
	size_t next_test; /* index of the next test event */
};

struct stream_lookup {
	struct ac_streams *ss;
	struct stream *st; /* NULL once the stream is gone */
	char id[STREAM_MAX_ID + 1];
	int rc;
	char *json, *owner;
};

struct stream_cache {
	char id[STREAM_MAX_ID + 1];
	char user[STREAM_MAX_ID + 1];
	char *text; /* the events so far, as sent */
	size_t len;
	size_t next_test;
	bool compile;
};

struct ac_streams {
	struct ac_core *core;
	struct stream_cache cache[STREAM_NCACHE];
	size_t cache_next;
	unsigned refs;
	bool stopped;
	int recheck_s, max_s;
	size_t n;
	struct stream *buckets[STREAM_NBUCKETS];
};

static unsigned stream_hash(const char *id)
{
	uint32_t h = 2166136261u;

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 16777619u;
	return h % STREAM_NBUCKETS;
}

static int64_t stream_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void streams_unref(struct ac_streams *ss)
{
	if (--ss->refs > 0)
		return;
	for (size_t i = 0; i < STREAM_NCACHE; i++)
		free(ss->cache[i].text);
	free(ss);
}

/* ---- Recent progress ---- */

static struct stream_cache *stream_cache_find(struct ac_streams *ss,
                                              const char *id)
{
	for (size_t i = 0; i < STREAM_NCACHE; i++)
		if (ss->cache[i].text && strcmp(ss->cache[i].id, id) == 0)
			return &ss->cache[i];
	return NULL;
}

static void stream_cache_drop(struct ac_streams *ss, const char *id)
{
	struct stream_cache *c = stream_cache_find(ss, id);

	if (!c)
		return;
	free(c->text);
	memset(c, 0, sizeof(*c));
}

/* Remember an event (text as sent) of a progress message. */
static void stream_cache_add(struct ac_streams *ss,
                             const struct ac_progress_msg *m, const char *text,
                             size_t index)
{
	struct stream_cache *c = stream_cache_find(ss, m->submission_id);
	size_t len = strlen(text);
	char *t;

	if (!c) {
		if (strlen(m->submission_id) > STREAM_MAX_ID ||
		    strlen(m->user_id) > STREAM_MAX_ID)
			return;
		c = &ss->cache[ss->cache_next];
		ss->cache_next = (ss->cache_next + 1) % STREAM_NCACHE;
		free(c->text);
		memset(c, 0, sizeof(*c));
		snprintf(c->id, sizeof(c->id), "%s", m->submission_id);
		snprintf(c->user, sizeof(c->user), "%s", m->user_id);
		if (!(c->text = strdup("")))
			return;
	}
	if (strcmp(m->event, "compile") == 0) {
		if (c->compile)
			return;
		c->compile = true;
	} else if (index < c->next_test || !c->compile) {
		return; /* a repeat, or its compile event was lost */
	}
	if (c->len + len > STREAM_CACHE_MAX ||
	    !(t = realloc(c->text, c->len + len + 1)))
		return;
	memcpy(t + c->len, text, len + 1);
	c->text = t;
	c->len += len;
	if (strcmp(m->event, "test") == 0)
		c->next_test = index + 1;
}

static void stream_gauge(struct ac_streams *ss)
{
	ac_metrics_set("result_streams", NULL, (double)ss->n);
}

static void stream_count(const char *event)
{
	char labels[48];

	snprintf(labels, sizeof(labels), "event=\"%s\"", event);
	ac_metrics_add("result_stream_events_total", labels, 1);
}

/* Forget st (its request, if any, is the caller's business). */
static void stream_free(struct stream *st)
{
	struct ac_streams *ss = st->ss;

	*st->pprev = st->next;
	if (st->next)
		st->next->pprev = st->pprev;
	ss->n--;
	stream_gauge(ss);
	if (st->lookup)
		st->lookup->st = NULL;
	if (st->timer)
		event_free(st->timer);
	free(st->user);
	free(st);
}

static void stream_close_cb(struct evhttp_connection *evcon, void *arg)
{
	struct stream *st = arg;

	(void)evcon;
	ac_http_forget(&st->req);
	stream_free(st);
}

/* Take st's request back from it: no close callback of ours any more. */
static struct evhttp_request *stream_detach(struct stream *st)
{
	struct evhttp_request *req = st->req;
	struct evhttp_connection *evcon =
	        req ? evhttp_request_get_connection(req) : NULL;

	if (evcon)
		ac_http_set_closecb(evcon, NULL, NULL);
	st->req = NULL;
	return req;
}

/* Answer a stream not yet open with an error, and forget it. */
static void stream_refuse(struct stream *st, int code, const char *msg)
{
	struct evhttp_request *req = stream_detach(st);

	stream_free(st);
	if (req)
		ac_http_error(req, code, msg);
}

/* End an open stream and forget it. */
static void stream_end(struct stream *st)
{
	struct evhttp_request *req = stream_detach(st);

	stream_free(st);
	if (req)
		ac_http_stream_end(req);
}

/* Write raw text.  -1 when the stream is gone (freed). */
static int stream_write(struct stream *st, const char *text, size_t len)
{
	int rc = ac_http_stream_send(st->req, text, len, STREAM_MAX_PENDING);

	if (rc == 0)
		return 0;
	log_debug("stream %s: dropped (%s)", st->id, strerror(-rc));
	ac_metrics_add("result_streams_dropped_total", NULL, 1);
	/* The close callback frees st. */
	ac_http_stream_abort(st->req);
	return -1;
}

/* One event: "event: NAME\ndata: JSON\n\n" (compact JSON has no
 * newline).  -1 when the stream is gone. */
static int stream_event(struct stream *st, const char *name, const char *json)
{
	size_t nl = strlen(name), jl = strlen(json);
	char *buf = malloc(nl + jl + 20);
	int rc;

	if (!buf) {
		ac_http_stream_abort(st->req);
		return -1;
	}
	memcpy(buf, "event: ", 7);
	memcpy(buf + 7, name, nl);
	memcpy(buf + 7 + nl, "\ndata: ", 7);
	memcpy(buf + 14 + nl, json, jl);
	memcpy(buf + 14 + nl + jl, "\n\n", 2);
	rc = stream_write(st, buf, nl + jl + 16);
	free(buf);
	if (rc == 0)
		stream_count(name);
	return rc;
}

static int stream_event_json(struct stream *st, const char *name, json_t *v)
{
	char *s = v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	int rc;

	json_decref(v);
	if (!s)
		return 0; /* out of memory: this event is lost, the stream
		           * goes on (the final event repeats everything) */
	rc = stream_event(st, name, s);
	free(s);
	return rc;
}

/* Send the headers.  -1 when the stream is gone (HEAD: ended). */
static int stream_open(struct stream *st)
{
	static const char hello[] = "retry: 3000\n\n";
	struct stream_cache *c;

	if (st->open)
		return 0;
	if (ac_http_stream_start(st->req, "text/event-stream") < 0) {
		stream_refuse(st, 503, "Out of memory.");
		return -1;
	}
	st->open = true;
	if (evhttp_request_get_command(st->req) == EVHTTP_REQ_HEAD) {
		stream_end(st);
		return -1;
	}
	if (stream_write(st, hello, sizeof(hello) - 1) < 0)
		return -1;
	/* What was judged before the stream opened. */
	c = stream_cache_find(st->ss, st->id);
	if (!c || strcmp(c->user, st->user) != 0 || !c->len)
		return 0;
	if (stream_write(st, c->text, c->len) < 0)
		return -1;
	st->compile_sent = c->compile;
	st->next_test = c->next_test;
	return 0;
}

/* The final event, after any compile and test event not sent yet. */
static void stream_final(struct stream *st, const char *owner,
                         const char *result_json)
{
	json_t *doc = json_loads(result_json, 0, NULL), *tests, *t;
	size_t i;

	if (!doc) {
		if (st->open)
			stream_end(st);
		else
			stream_refuse(st, 500,
			              "The stored result is not valid JSON.");
		return;
	}
	if (!owner || !*owner)
		owner = json_string_value(json_object_get(doc, "user_id"));
	if (!owner || strcmp(owner, st->user) != 0) {
		if (st->open)
			stream_end(st);
		else
			stream_refuse(st, 404, "Not found.");
		goto out;
	}
	if (stream_open(st) < 0)
		goto out;
	if (!st->compile_sent) {
		st->compile_sent = true;
		if (stream_event_json(
		            st, "compile",
		            json_incref(json_object_get(doc, "compile"))) < 0)
			goto out;
	}
	tests = json_object_get(doc, "tests");
	json_array_foreach(tests, i, t)
	{
		json_t *ev;

		if (i < st->next_test)
			continue;
		ev = json_deep_copy(t);
		json_object_set_new(ev, "index", json_integer((json_int_t)i));
		json_object_set_new(
		        ev, "total",
		        json_integer((json_int_t)json_array_size(tests)));
		if (stream_event_json(st, "test", ev) < 0)
			goto out;
		st->next_test = i + 1;
	}
	if (stream_event(st, "result", result_json) == 0)
		stream_end(st);
out:
	json_decref(doc);
}

/* ---- Store lookups ---- */

static void stream_lookup_work(void *arg)
{
	struct stream_lookup *l = arg;
	struct ac_core *core = l->ss->core;

	l->rc = AC_STORE(core)->get_result(core->store->state, l->id, &l->json,
	                                   &l->owner);
}

static void stream_lookup_done(void *arg)
{
	struct stream_lookup *l = arg;
	struct stream *st = l->st;

	if (!st || l->ss->stopped)
		goto out;
	st->lookup = NULL;
	switch (l->rc) {
	case 0:
		stream_final(st, l->owner, l->json);
		break;
	case -ENOENT:
		if (!st->open)
			stream_refuse(st, 404, "Not found.");
		break;
	case -EAGAIN:
		if (l->owner && *l->owner && strcmp(l->owner, st->user) != 0) {
			if (!st->open)
				stream_refuse(st, 404, "Not found.");
			else
				stream_end(st);
		} else {
			stream_open(st);
		}
		break;
	default:
		log_error("result store: get_result(%s): %s", l->id,
		          strerror(-l->rc));
		if (!st->open)
			stream_refuse(st, 503,
			              "The result store is unavailable.");
		break;
	}
out:
	free(l->json);
	free(l->owner);
	streams_unref(l->ss);
	free(l);
}

static int stream_lookup(struct stream *st)
{
	struct stream_lookup *l;
	int rc;

	if (st->lookup)
		return 0;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->ss = st->ss;
	l->st = st;
	snprintf(l->id, sizeof(l->id), "%s", st->id);
	rc = ac_pool_submit(st->ss->core->pool, stream_lookup_work,
	                    stream_lookup_done, l);
	if (rc < 0) {
		free(l);
		return rc;
	}
	st->ss->refs++;
	st->lookup = l;
	return 0;
}

static void stream_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	static const char ping[] = ": keep-alive\n\n";
	struct stream *st = arg;
	struct ac_streams *ss = st->ss;

	(void)fd;
	(void)what;
	if (!st->open) /* the first lookup is slow: wait for it */
		return;
	if (stream_now_ms() - st->opened_ms >= (int64_t)ss->max_s * 1000) {
		if (stream_event(st, "timeout", "{}") == 0)
			stream_end(st);
		return;
	}
	if (stream_write(st, ping, sizeof(ping) - 1) < 0)
		return;
	stream_lookup(st);
}

/* ---- Entry points ---- */

struct ac_streams *ac_streams_new(struct ac_core *core, int recheck_s,
                                  int max_s)
{
	struct ac_streams *ss = calloc(1, sizeof(*ss));

	if (!ss)
		return NULL;
	ss->core = core;
	ss->refs = 1;
	ss->recheck_s = recheck_s > 0 ? recheck_s : 15;
	ss->max_s = max_s > 0 ? max_s : 3600;
	ac_metrics_declare("result_streams", AC_METRIC_GAUGE,
	                   "Result streams (Server-Sent Events) open.");
	ac_metrics_declare("result_stream_events_total", AC_METRIC_COUNTER,
	                   "Events sent on result streams, by event.");
	ac_metrics_declare("result_streams_dropped_total", AC_METRIC_COUNTER,
	                   "Result streams whose client stopped reading.");
	ac_metrics_declare("progress_received_total", AC_METRIC_COUNTER,
	                   "Progress messages received from judges.");
	stream_gauge(ss);
	return ss;
}

void ac_streams_free(struct ac_streams *ss)
{
	if (!ss)
		return;
	ss->stopped = true;
	for (size_t b = 0; b < STREAM_NBUCKETS; b++)
		while (ss->buckets[b]) {
			struct stream *st = ss->buckets[b];

			if (st->open)
				stream_end(st);
			else
				stream_refuse(st, 503,
				              "Server is shutting down.");
		}
	streams_unref(ss);
}

void ac_streams_open(struct ac_streams *ss, struct evhttp_request *req,
                     const char *id, char *user)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct timeval tv = {ss->recheck_s, 0};
	struct stream *st;
	unsigned b;

	if (strlen(id) > STREAM_MAX_ID) {
		free(user);
		ac_http_error(req, 404, "Not found.");
		return;
	}
	if (!(st = calloc(1, sizeof(*st)))) {
		free(user);
		ac_http_error(req, 503, "Out of memory.");
		return;
	}
	st->ss = ss;
	st->req = req;
	st->user = user;
	st->opened_ms = stream_now_ms();
	snprintf(st->id, sizeof(st->id), "%s", id);
	b = stream_hash(id);
	st->next = ss->buckets[b];
	if (st->next)
		st->next->pprev = &st->next;
	ss->buckets[b] = st;
	st->pprev = &ss->buckets[b];
	ss->n++;
	stream_gauge(ss);
	st->timer =
	        event_new(ss->core->base, -1, EV_PERSIST, stream_timer_cb, st);
	if (!st->timer || event_add(st->timer, &tv) < 0 ||
	    stream_lookup(st) < 0) {
		stream_refuse(st, 503, "Server is shutting down.");
		return;
	}
	if (evcon)
		ac_http_set_closecb(evcon, stream_close_cb, st);
}

/* "event: NAME\ndata: JSON\n\n" (malloc'ed). */
static char *stream_text(const char *name, const char *json)
{
	size_t n = strlen(name) + strlen(json) + 20;
	char *t = malloc(n);

	if (t)
		snprintf(t, n, "event: %s\ndata: %s\n\n", name, json);
	return t;
}

void ac_streams_progress(struct ac_streams *ss, const struct ac_progress_msg *m)
{
	struct stream *st, *next;
	bool compile = strcmp(m->event, "compile") == 0;
	json_t *data, *iv;
	size_t index;
	char *text;

	ac_metrics_add("progress_received_total", NULL, 1);
	if (ss->stopped || !(data = json_loads(m->data_json, 0, NULL)))
		return;
	iv = json_object_get(data, "index");
	index = json_is_integer(iv) && json_integer_value(iv) >= 0
	                ? (size_t)json_integer_value(iv)
	                : 0;
	json_decref(data);
	if (!(text = stream_text(m->event, m->data_json)))
		return;
	stream_cache_add(ss, m, text, index);
	for (st = ss->buckets[stream_hash(m->submission_id)]; st; st = next) {
		next = st->next;
		if (strcmp(st->id, m->submission_id) != 0 ||
		    strcmp(st->user, m->user_id) != 0)
			continue;
		/* Opening replays what is known, this event included. */
		if (stream_open(st) < 0)
			continue;
		if (compile) {
			if (!st->compile_sent) {
				st->compile_sent = true;
				stream_event(st, "compile", m->data_json);
			}
			continue;
		}
		if (!st->compile_sent) {
			/* Its compile event was missed: tests run only
			 * after a successful compile. */
			st->compile_sent = true;
			if (stream_event(st, "compile", "{\"ok\":true}") < 0)
				continue;
		}
		/* Tests in order, each once (a judgement redone after an
		 * Internal Error repeats them). */
		if (index < st->next_test)
			continue;
		if (stream_event(st, "test", m->data_json) == 0)
			st->next_test = index + 1;
	}
	free(text);
}

void ac_streams_result(struct ac_streams *ss, const char *id, const char *owner,
                       const char *result_json)
{
	struct stream *st, *next;

	if (ss->stopped)
		return;
	stream_cache_drop(ss, id);
	for (st = ss->buckets[stream_hash(id)]; st; st = next) {
		next = st->next;
		if (strcmp(st->id, id) == 0)
			stream_final(st, owner, result_json);
	}
}

size_t ac_streams_count(const struct ac_streams *ss)
{
	return ss ? ss->n : 0;
}
