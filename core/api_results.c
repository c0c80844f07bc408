/* Results: GET /api/v1/result/check/ID/ and /result/stream/ID/, and the
 * results consumer that stores what the judges send.
 *
 * Result polls of unfinished submissions are parked, not blocked: each
 * waiter is a small struct in a hash table keyed by submission id with a
 * timer.  A stored result wakes every waiter of its id; the timer answers
 * 202 pending.  A result stored between a poll's store lookup and its
 * parking is caught by the `recent` ring (ids stored since the lookup
 * started), which sends the poll back to the store. */
#include "api_int.h"

#include "http.h"
#include "msg.h"
#include "stream.h"
#include "util.h"

#include <sys/queue.h> /* before libevent's TAILQ fallbacks */

#include <errno.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/util.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Store lookups of one poll before it parks anyway. */
#define API_MAX_RECHECK 3

/* ------------------------------------------------------------------ */
/* Waiters                                                              */

unsigned api_hash(const char *id)
{
	uint32_t h = 2166136261u;

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 16777619u;
	return h % API_NBUCKETS;
}

static void api_waiter_unlink(struct api_waiter *w)
{
	if (!w->pprev)
		return;
	*w->pprev = w->next;
	if (w->next)
		w->next->pprev = w->pprev;
	w->next = NULL;
	w->pprev = NULL;
	w->p.api->nwaiters--;
}

void api_waiter_free(struct api_waiter *w)
{
	api_waiter_unlink(w);
	if (w->timer)
		event_free(w->timer);
	free(w->user);
	free(w);
}

/* The client went away while parked. */
static void api_waiter_close_cb(struct evhttp_connection *evcon, void *arg)
{
	struct api_waiter *w = arg;

	ac_http_forget(&w->p.req);
	api_waiter_free(w);
}

static void api_waiter_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct api_waiter *w = arg;
	struct api *api = w->p.api;
	struct evhttp_request *req = api_pending_detach(&w->p);

	api->polls_timed_out++;
	if (req)
		api_reply_json(
		        api, req, R_RESULT, 202,
		        json_pack("{s:s,s:n}", "status", "pending", "data"));
	api_waiter_free(w);
}

/* Park req until the result of id arrives or wait_s passes.  On failure
 * req has been answered. */
static void api_park(struct api *api, struct evhttp_request *req,
                     const char *id, const char *user)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct timeval tv = {api->wait_s, 0};
	struct api_waiter *w = calloc(1, sizeof(*w));
	unsigned b;

	if (!w || !(w->user = strdup(user)))
		goto fail;
	snprintf(w->id, sizeof(w->id), "%s", id);
	w->p.api = api;
	w->p.req = req;
	w->p.route = R_RESULT;
	w->timer = evtimer_new(api->core->base, api_waiter_timeout_cb, w);
	if (!w->timer || evtimer_add(w->timer, &tv) < 0)
		goto fail;
	b = api_hash(id);
	w->next = api->buckets[b];
	if (w->next)
		w->next->pprev = &w->next;
	api->buckets[b] = w;
	w->pprev = &api->buckets[b];
	api->nwaiters++;
	api->polls_parked++;
	if (evcon)
		ac_http_set_closecb(evcon, api_waiter_close_cb, w);
	return;
fail:
	if (w)
		api_waiter_free(w);
	api_error(api, req, R_RESULT, 503, "Out of memory.");
}

/* The embedded result document: 200, or 404 when the user does not own
 * it.  owner NULL: the owner named in the document. */
void api_answer_result(struct api *api, struct evhttp_request *req,
                       const char *user, const char *owner,
                       const char *result_json)
{
	json_t *doc = json_loads(result_json, 0, NULL);

	if (!doc) {
		log_error("stored result is not valid JSON");
		api_error(api, req, R_RESULT, 500,
		          "The stored result is not valid JSON.");
		return;
	}
	if (!owner || !*owner)
		owner = json_string_value(json_object_get(doc, "user_id"));
	if (!owner || strcmp(owner, user) != 0) {
		json_decref(doc);
		api_error(api, req, R_RESULT, 404, "Not found.");
		return;
	}
	api_reply_json(
	        api, req, R_RESULT, 200,
	        json_pack("{s:s,s:o}", "status", "success", "data", doc));
}

/* Answer every poll parked on id with the document doc of owner. */
void api_wake(struct api *api, const char *id, const char *owner,
              const char *doc)
{
	struct api_waiter *w, *next;

	for (w = api->buckets[api_hash(id)]; w; w = next) {
		struct evhttp_request *req;

		next = w->next;
		if (strcmp(w->id, id) != 0)
			continue;
		req = api_pending_detach(&w->p);
		api->polls_woken++;
		if (req)
			api_answer_result(api, req, w->user, owner, doc);
		api_waiter_free(w);
	}
}

/* Not there yet: 202 pending at once (api.wait_s 0), else parked until it
 * is or the wait ends. */
void api_pend(struct api *api, struct evhttp_request *req, enum api_route route,
              const char *id, const char *user)
{
	if (api->wait_s <= 0)
		api_reply_json(
		        api, req, route, 202,
		        json_pack("{s:s,s:n}", "status", "pending", "data"));
	else
		api_park(api, req, id, user);
}

/* A result was stored: remember it and answer its waiters. */
void api_result_stored(struct api *api, const char *id, const char *owner,
                       const char *result_json)
{
	struct api_recent *r = &api->recent[api->recent_next];

	api->seq++;
	snprintf(r->id, sizeof(r->id), "%s", id);
	r->seq = api->seq;
	api->recent_next = (api->recent_next + 1) % API_NRECENT;
	ac_streams_result(api->streams, id, owner, result_json);

	api_wake(api, id, owner, result_json);
}

/* Was a result for id stored since seq?  Conservatively yes when the ring
 * has forgotten that far back. */
static bool api_recent_since(const struct api *api, const char *id,
                             uint64_t seq)
{
	if (api->seq == seq)
		return false;
	if (api->seq - seq >= API_NRECENT)
		return true;
	for (size_t i = 0; i < API_NRECENT; i++)
		if (api->recent[i].seq > seq &&
		    strcmp(api->recent[i].id, id) == 0)
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* GET /api/v1/result/check/ID/                                         */

static void api_check_free(struct api_check *c)
{
	free(c->user);
	free(c->json);
	free(c->owner);
	free(c);
}

static void api_check_work(void *arg)
{
	struct api_check *c = arg;
	struct ac_core *core = c->p.api->core;

	free(c->json);
	free(c->owner);
	c->json = c->owner = NULL;
	c->rc = AC_STORE(core)->get_result(core->store->state, c->id, &c->json,
	                                   &c->owner);
}

static void api_check_done(void *arg);

static int api_check_submit(struct api_check *c)
{
	c->seq = c->p.api->seq;
	return api_pool(c->p.api, api_check_work, api_check_done, c);
}

static void api_check_done(void *arg)
{
	struct api_check *c = arg;
	struct api *api = c->p.api;
	struct evhttp_request *req;

	api_completed(api);
	if (!c->p.req)
		goto out;
	if (api->stopped) {
		req = api_pending_detach(&c->p);
		api_error(api, req, R_RESULT, 503, "Server is shutting down.");
		goto out;
	}
	if ((c->rc == -EAGAIN || (c->run && c->rc == -ENOENT)) &&
	    (!c->owner || strcmp(c->owner, c->user) == 0) &&
	    api_recent_since(api, c->id, c->seq) &&
	    c->rechecks < API_MAX_RECHECK) {
		/* Stored while we looked: ask the store again. */
		c->rechecks++;
		if (api_check_submit(c) == 0) {
			api_unref(api);
			return;
		}
	}
	req = api_pending_detach(&c->p);
	if (c->run && c->rc != 0) {
		api_run_unstored(api, req, c);
		goto out;
	}
	/* Stored by the api the document reached: a run accepted here keeps
	 * it in memory too, and its other parked polls are answered. */
	if (c->run)
		api_run_result(api, c->id, c->json);
	switch (c->rc) {
	case 0:
		api_answer_result(api, req, c->user, c->owner, c->json);
		break;
	case -ENOENT:
		api_error(api, req, R_RESULT, 404, "Not found.");
		break;
	case -EAGAIN:
		if (c->owner && strcmp(c->owner, c->user) != 0)
			api_error(api, req, R_RESULT, 404, "Not found.");
		else
			api_pend(api, req, R_RESULT, c->id, c->user);
		break;
	default:
		log_error("result store: get_result(%s): %s", c->id,
		          strerror(-c->rc));
		api_error(api, req, R_RESULT, 503,
		          "The result store is unavailable.");
		break;
	}
out:
	api_check_free(c);
	api_unref(api);
}

/* Ids we accept in paths: [A-Za-z0-9._-], bounded. */
bool api_id_ok(const char *s, size_t len)
{
	return ac_id_chars_ok(s, len, API_MAX_ID) && !(len <= 2 && s[0] == '.');
}

char *api_auth_id(struct api *api, struct evhttp_request *req,
                  enum api_route route, const char *id, size_t idlen)
{
	char *user = api_auth(api, req, route);

	if (user && !api_id_ok(id, idlen)) {
		free(user);
		api_error(api, req, route, 404, "Not found.");
		return NULL;
	}
	return user;
}

/* Look id (idlen bytes, checked) up in the store for req on the pool;
 * user is taken (freed on failure); run: a run's document. */
void api_check_start(struct api *api, struct evhttp_request *req,
                     enum api_route route, const char *id, size_t idlen,
                     char *user, bool run)
{
	struct api_check *c = calloc(1, sizeof(*c));

	if (!c) {
		free(user);
		api_error(api, req, route, 503, "Out of memory.");
		return;
	}
	memcpy(c->id, id, idlen);
	c->user = user;
	c->run = run;
	api_pending_attach(&c->p, api, req, route);
	if (api_check_submit(c) < 0) {
		api_pending_detach(&c->p);
		api_check_free(c);
		api_error(api, req, route, 503, "Server is shutting down.");
	}
}

void api_result_check(struct api *api, struct evhttp_request *req,
                      const char *id, size_t idlen)
{
	char *user = api_auth_id(api, req, R_RESULT, id, idlen);

	if (!user)
		return;
	api_check_start(api, req, R_RESULT, id, idlen, user, false);
}

/* GET /api/v1/result/stream/ID/: Server-Sent Events (core/stream.c). */
void api_result_stream(struct api *api, struct evhttp_request *req,
                       const char *id, size_t idlen)
{
	char idbuf[API_MAX_ID + 1];
	char *user = api_auth_id(api, req, R_STREAM, id, idlen);

	if (!user)
		return;
	memcpy(idbuf, id, idlen);
	idbuf[idlen] = '\0';
	api_count(api, R_STREAM, 200);
	ac_streams_open(api->streams, req, idbuf, user);
}

/* ------------------------------------------------------------------ */
/* Results consumer                                                     */

struct api_delivery {
	struct api *api;
	struct ac_delivery *d;
	char *id, *user, *json;
	int rc;
	bool run;            /* a run's document (API_RUN_PREFIX) */
	unsigned attempts;   /* put_result calls that failed */
	struct event *retry; /* delays the next put_result */
};

static void api_delivery_free(struct api_delivery *dl)
{
	if (dl->retry)
		event_free(dl->retry);
	free(dl->id);
	free(dl->user);
	free(dl->json);
	free(dl);
}

static void api_delivery_work(void *arg);
static void api_delivery_done(void *arg);

/* The store failed a while ago: try again, holding the delivery (a nack
 * would make the broker count a redelivery, and dead-letter the result
 * after a few during a longer store outage).  Only a stopping api hands it
 * back to the queue. */
static void api_delivery_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct api_delivery *dl = arg;
	struct api *api = dl->api;

	api_completed(api);
	if (!api->stopped &&
	    api_pool(api, api_delivery_work, api_delivery_done, dl) == 0) {
		api_unref(api); /* api_pool took its own */
		return;
	}
	AC_TRANSPORT(api->core)->nack(api->core->transport->state, dl->d, true,
	                              "result store unavailable");
	api_delivery_free(dl);
	api_unref(api);
}

static void api_delivery_work(void *arg)
{
	struct api_delivery *dl = arg;
	struct ac_core *core = dl->api->core;

	dl->rc = AC_STORE(core)->put_result(core->store->state, dl->id,
	                                    dl->json);
}

static void api_delivery_done(void *arg)
{
	struct api_delivery *dl = arg;
	struct api *api = dl->api;
	const struct ac_transport_ops *tr = AC_TRANSPORT(api->core);
	void *ts = api->core->transport->state;

	api_completed(api);
	if (dl->rc == 0) {
		tr->ack(ts, dl->d);
		if (!dl->run)
			api->results_received++;
		/* A run's parked polls on this api that did not accept it
		 * are answered here, the owner's from memory already. */
		if (!api->stopped)
			api_result_stored(api, dl->id, dl->user, dl->json);
	} else if (dl->rc == -EINVAL && dl->run) {
		/* Too large to store: only the api that accepted the run
		 * (if it was this one) can answer its polls. */
		log_error("run %s: the store rejects its document (%s); "
		          "kept in memory only",
		          dl->id, strerror(-dl->rc));
		tr->ack(ts, dl->d);
	} else if (dl->rc == -EINVAL) {
		/* Never storable (e.g. too large): retrying cannot help. */
		log_error("result of %s: the store rejects it (%s); "
		          "dead-lettered",
		          dl->id, strerror(-dl->rc));
		api->results_invalid++;
		tr->nack(ts, dl->d, false, "the store rejects this result");
	} else {
		struct timeval tv = {dl->attempts < 3 ? 1L << dl->attempts
		                                      : API_RETRY_MAX_S,
		                     0};

		if (dl->attempts++ == 0)
			log_error("result of %s: the store refused it (%s); "
			          "held, retrying",
			          dl->id, strerror(-dl->rc));
		api->results_store_failed++;
		if (!dl->retry)
			dl->retry = evtimer_new(api->core->base,
			                        api_delivery_retry_cb, dl);
		if (!api->stopped && dl->retry &&
		    evtimer_add(dl->retry, &tv) == 0) {
			api->inflight++; /* the reference stays with dl */
			return;
		}
		tr->nack(ts, dl->d, true, "result store unavailable");
	}
	api_delivery_free(dl);
	api_unref(api);
}

/* A judge's progress message (best-effort, on the results queue): to the
 * result streams, acknowledged at once.  false: not one. */
static bool api_progress_msg(struct api *api, const char *body, size_t len,
                             struct ac_delivery *d)
{
	const struct ac_transport_ops *tr = AC_TRANSPORT(api->core);
	struct ac_progress_msg m;
	char err[256];
	int rc = ac_progress_msg_decode(body, len, &m, err, sizeof(err));

	if (rc == -ENOMSG)
		return false;
	if (rc < 0) {
		log_error("invalid message on the results queue dropped: %s",
		          err);
		api->results_invalid++;
		tr->nack(api->core->transport->state, d, false, err);
		return true;
	}
	tr->ack(api->core->transport->state, d);
	if (!api->stopped)
		ac_streams_progress(api->streams, &m);
	ac_progress_msg_clear(&m);
	return true;
}

void api_result_msg_cb(void *arg, const char *body, size_t len,
                       struct ac_delivery *d)
{
	struct ac_core *core = arg;
	struct api *api = core->api;
	const struct ac_transport_ops *tr = AC_TRANSPORT(core);
	struct api_delivery *dl;
	char err[256];
	int rc;

	/* While ac_api_stop drains, results are still stored: they are
	 * work in flight too. */
	if (!api) {
		tr->nack(core->transport->state, d, true, "api is stopped");
		return;
	}
	if (api_progress_msg(api, body, len, d))
		return;
	dl = calloc(1, sizeof(*dl));
	if (!dl) {
		tr->nack(core->transport->state, d, true, "out of memory");
		return;
	}
	dl->api = api;
	dl->d = d;
	rc = ac_result_msg_decode(body, len, &dl->id, &dl->user, &dl->json, err,
	                          sizeof(err));
	if (rc == 0 && !api_id_ok(dl->id, strlen(dl->id))) {
		snprintf(err, sizeof(err), "invalid submission id");
		rc = -EINVAL;
	}
	if (rc < 0) {
		log_error("invalid result message dropped: %s", err);
		api->results_invalid++;
		tr->nack(core->transport->state, d, false, err);
		goto fail;
	}
	/* A run's document answers the polls of the api that accepted the
	 * run from memory at once, and is stored for every other api
	 * process (they compete for the result queue). */
	dl->run = strncmp(dl->id, API_RUN_PREFIX, strlen(API_RUN_PREFIX)) == 0;
	if (dl->run)
		api_run_result(api, dl->id, dl->json);
	if (api_pool(api, api_delivery_work, api_delivery_done, dl) < 0) {
		tr->nack(core->transport->state, d, true, "api is stopping");
		goto fail;
	}
	return;
fail:
	api_delivery_free(dl);
}
