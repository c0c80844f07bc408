/* The api role: the HTTP endpoints of design.md over libevent's evhttp.
 *
 * Everything here runs on the loop thread.  Store calls block, so they run
 * on the worker pool (ac_pool_submit) and complete back on the loop; the
 * transport is loop driven.  A pending request is a `struct api_pending`
 * whose `req` the connection's close callback clears, so a completion never
 * answers a request evhttp has freed.
 *
 * Result polls of unfinished submissions are parked, not blocked: each
 * waiter is a small struct in a hash table keyed by submission id with a
 * timer.  A stored result wakes every waiter of its id; the timer answers
 * 202 pending.  A result stored between a poll's store lookup and its
 * parking is caught by the `recent` ring (ids stored since the lookup
 * started), which sends the poll back to the store.
 *
 * Lifetime: struct api is reference counted.  Pool jobs and publishes hold a
 * reference, so ac_api_stop may return while one is still in flight (its
 * completion then frees itself).  The results consumer gets the core as its
 * argument and finds the api through core->api, so a delivery arriving after
 * ac_api_stop is requeued, never handed to freed memory. */
#include "api.h"

#include "config.h"
#include "console.h"
#include "core.h"
#include "http.h"
#include "jwt.h"
#include "log.h"
#include "metrics.h"
#include "msg.h"
#include "openapi.h"
#include "pool.h"
#include "problem.h"
#include "result.h"
#include "settings.h"
#include "stream.h"
#include "submissions.h"

#include <sys/queue.h> /* before libevent's TAILQ fallbacks */

#include <ctype.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Waiters hash table buckets; ids of recently stored results remembered. */
#define API_NBUCKETS 4096
#define API_NRECENT  1024
/* Longest submission or problem id in a path. */
#define API_MAX_ID 128
/* Store lookups of one poll before it parks anyway. */
#define API_MAX_RECHECK 3
/* Problems per page, as the original. */
#define API_PAGE_SIZE 10
/* Bytes of one sample file, and of all of them, in problem detail. */
#define API_SAMPLE_MAX  65536
#define API_SAMPLES_MAX 262144
/* Distinct (route, status) counters. */
#define API_MAX_HTTP_STATS 96
/* ac_api_stop waits this long for work in flight, then this long for the
 * answers to be written. */
#define API_DRAIN_S 5
/* A result the store refused is kept (unacknowledged) and stored again
 * after 1, 2, 4 s, then every API_RETRY_MAX_S (less than API_DRAIN_S: a
 * stop sees the last retry and requeues the result). */
#define API_RETRY_MAX_S 4
#define API_FLUSH_US    200000
/* Jobs stored but not yet confirmed by the transport, kept in memory for
 * a prompt retry (beyond this many, the store's outbox sweep finds them);
 * a failed publish is tried again after 1, 2, 4 ... API_OUTBOX_MAX_S s. */
#define API_OUTBOX_MAX   10000
#define API_OUTBOX_MAX_S 16
/* Bytes of job messages the outbox holds at most.  Beyond, a job is left
 * pending in the store; while the outbox is that full, submit answers 503
 * (nothing is accepted that memory cannot hold). */
#define API_OUTBOX_MAX_BYTES (64u << 20)
/* A job the transport refused for want of room (-ENOBUFS: the in-memory
 * queue's byte budget) is offered again after this long. */
#define API_FULL_RETRY_S 1
/* Submissions claimed from the store per sweep step. */
#define API_SWEEP_BATCH 256

enum api_route {
	R_SUBMIT,
	R_RESULT,
	R_PROBLEMS,
	R_PROBLEM,
	R_LANGUAGES,
	R_HEALTH,
	R_METRICS,
	R_STREAM,
	R_SUBMISSIONS,
	R_OTHER,
	R_RUN,
	R_COUNT
};

static const char *const api_route_names[R_COUNT] = {
        "submit",      "result",      "problems", "problem",
        "languages",   "healthcheck", "metrics",  "stream",
        "submissions", "other",       "run",
};
_Static_assert(sizeof(api_route_names) / sizeof(api_route_names[0]) == R_COUNT,
               "one name per route");

struct api_waiter;
struct api;
struct api_run;

/* A job on its way to the transport: published, or waiting in the
 * outbox for the transport to come back. */
struct api_job {
	struct api_job *next;
	struct api *api;
	char *id, *lang, *body;
	size_t len;
	bool probe;    /* the one publish that tests a transport marked down */
	bool outboxed; /* came from the outbox (a refusal puts it back first) */
};

struct api_recent {
	char id[API_MAX_ID + 1];
	uint64_t seq;
};

struct api_http_stat {
	int route, code;
	uint64_t count;
};

struct api {
	struct ac_core *core;
	struct ac_http *http;
	unsigned refs;
	bool stopped;
	unsigned inflight; /* pool jobs and publishes not yet completed */

	struct ac_jwt_keys keys;
	struct ac_streams *streams; /* GET /api/v1/result/stream/ (stream.c) */
	struct ac_console *console; /* the web console under / (console.c) */
	struct ac_openapi *openapi; /* GET /api/v1/openapi.json (openapi.c) */
	size_t max_source;          /* bytes */
	int wait_s;
	double burst, rate;

	struct api_waiter *buckets[API_NBUCKETS];
	size_t nwaiters;
	struct api_recent recent[API_NRECENT];
	size_t recent_next;
	uint64_t seq; /* results stored so far */

	/* The outbox (docs/architecture.md, "Durability"). */
	struct api_job *outbox, **outbox_tail;
	size_t noutbox, outbox_bytes;
	bool queue_full; /* the transport refused a job for want of room */
	uint64_t jobs_deferred;
	bool transport_down; /* the last publish failed */
	bool probing;        /* a probe publish is in flight */
	unsigned backoff_s;
	struct event *outbox_timer, *sweep_timer;
	bool sweeping;
	/* A sweep cut short by a full queue: resumed with its cutoff. */
	bool sweep_resume;
	int64_t resume_cutoff_ms;
	const char *resume_why;
	long long requeue_after_ms, sweep_interval_s, max_attempts;
	int64_t started_ms;
	uint64_t jobs_requeued, publish_failures, submissions_given_up;

	struct api_http_stat stats[API_MAX_HTTP_STATS];
	size_t nstats;
	uint64_t submissions_accepted, submissions_throttled;
	uint64_t results_received, results_invalid, results_store_failed;
	uint64_t polls_parked, polls_timed_out, polls_woken;

	/* Runs with custom input: kept in memory only (never stored). */
	struct api_run *runs;
	size_t nruns;
	long long run_max_inputs, run_max_input_kb, run_max_runs;
};

/* A request waiting for something off the loop. */
struct api_pending {
	struct api *api;
	struct evhttp_request *req; /* NULL once the client is gone */
	enum api_route route;
};

struct api_waiter {
	struct api_pending p;
	struct api_waiter *next, **pprev;
	struct event *timer;
	char *user;
	char id[API_MAX_ID + 1];
};

static void api_unref(struct api *api);
static void api_runs_free(struct api *api);

/* ------------------------------------------------------------------ */
/* Replies                                                              */

static void api_count(struct api *api, enum api_route route, int code)
{
	for (size_t i = 0; i < api->nstats; i++) {
		if (api->stats[i].route == (int)route &&
		    api->stats[i].code == code) {
			api->stats[i].count++;
			return;
		}
	}
	if (api->nstats == API_MAX_HTTP_STATS)
		return;
	api->stats[api->nstats].route = route;
	api->stats[api->nstats].code = code;
	api->stats[api->nstats].count = 1;
	api->nstats++;
}

/* Send text as the whole response; req is finished afterwards. */
static void api_reply_raw(struct api *api, struct evhttp_request *req,
                          enum api_route route, int code, const char *ctype,
                          const char *text, size_t len)
{
	struct evbuffer *buf = evbuffer_new();
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	api_count(api, route, code);
	evhttp_add_header(h, "Content-Type", ctype);
	evhttp_add_header(h, "Cache-Control", "no-store");
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		/* libevent 2.1 would send the body of a HEAD answer. */
		char n[32];

		snprintf(n, sizeof(n), "%zu", len);
		evhttp_add_header(h, "Content-Length", n);
	} else if (buf && len) {
		evbuffer_add(buf, text, len);
	}
	evhttp_send_reply(req, code, ac_http_reason(code), buf);
	if (buf)
		evbuffer_free(buf);
}

/* Send a JSON value (reference stolen). */
static void api_reply_json(struct api *api, struct evhttp_request *req,
                           enum api_route route, int code, json_t *body)
{
	char *text = body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER)
	                  : NULL;

	if (!text) {
		static const char oom[] = "{\"detail\":\"Out of memory.\"}";

		api_reply_raw(api, req, route, 500, "application/json", oom,
		              sizeof(oom) - 1);
	} else {
		api_reply_raw(api, req, route, code, "application/json", text,
		              strlen(text));
	}
	free(text);
	json_decref(body);
}

static void api_error(struct api *api, struct evhttp_request *req,
                      enum api_route route, int code, const char *fmt, ...)
        AC_PRINTF(5, 6);

/* {"detail": "..."} with the status. */
static void api_error(struct api *api, struct evhttp_request *req,
                      enum api_route route, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Messages may quote the request (a JSON parser's context): keep
	 * them printable ASCII, hence valid UTF-8. */
	for (char *c = msg; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
			*c = '?';
	api_reply_json(api, req, route, code,
	               json_pack("{s:s}", "detail", msg));
}

/* A string safe to echo in a message: printable ASCII, bounded. */
static void api_printable(const char *s, char *out, size_t outlen)
{
	size_t j = 0;

	for (; s && *s && j + 4 < outlen; s++)
		out[j++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
	if (s && *s && j + 4 >= outlen) {
		memcpy(out + j, "...", 3);
		j += 3;
	}
	out[j] = '\0';
}

/* ------------------------------------------------------------------ */
/* Pending requests                                                     */

/* The connection of a pending request closes.  Usually evhttp frees the
 * request right after; when the client hung up, evhttp has already detached
 * the request from the connection and left it to us. */
static void api_forget_req(struct api_pending *p)
{
	if (p->req && !evhttp_request_get_connection(p->req))
		evhttp_request_free(p->req);
	p->req = NULL;
}

static void api_pending_close_cb(struct evhttp_connection *evcon, void *arg)
{
	api_forget_req(arg);
}

static void api_pending_attach(struct api_pending *p, struct api *api,
                               struct evhttp_request *req, enum api_route route)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);

	p->api = api;
	p->req = req;
	p->route = route;
	if (evcon)
		ac_http_set_closecb(evcon, api_pending_close_cb, p);
}

/* The request to answer, or NULL when the client is gone. */
static struct evhttp_request *api_pending_detach(struct api_pending *p)
{
	struct evhttp_request *req = p->req;

	if (req) {
		struct evhttp_connection *evcon =
		        evhttp_request_get_connection(req);
		if (evcon)
			ac_http_set_closecb(evcon, NULL, NULL);
	}
	p->req = NULL;
	return req;
}

static void api_ref(struct api *api)
{
	api->refs++;
}

/* Submit blocking work for a pending request; the api stays alive until
 * done ran. */
static int api_pool(struct api *api, void (*work)(void *), void (*done)(void *),
                    void *arg)
{
	int rc = ac_pool_submit(api->core->pool, work, done, arg);

	if (rc == 0) {
		api_ref(api);
		api->inflight++;
	}
	return rc;
}

/* Call at the start of every completion of api_pool or of a publish. */
static void api_completed(struct api *api)
{
	api->inflight--;
}

/* ------------------------------------------------------------------ */
/* Authentication (Django REST framework simplejwt behaviour)          */

static void api_unauthorized(struct api *api, struct evhttp_request *req,
                             enum api_route route, const char *detail,
                             bool invalid_token)
{
	json_t *body = json_pack("{s:s}", "detail", detail);

	if (body && invalid_token)
		json_object_set_new(body, "code",
		                    json_string("token_not_valid"));
	evhttp_add_header(evhttp_request_get_output_headers(req),
	                  "WWW-Authenticate", "Bearer realm=\"api\"");
	api_reply_json(api, req, route, 401, body);
}

/* The user of the request's bearer token (malloc'ed), or NULL after
 * answering 401.  The token must be an unexpired HS256 access token signed
 * with one of our keys (never alg "none", never a refresh token). */
static char *api_auth(struct api *api, struct evhttp_request *req,
                      enum api_route route)
{
	const char *h = evhttp_find_header(
	        evhttp_request_get_input_headers(req), "Authorization");
	struct ac_jwt_claims claims;
	char err[256], *copy, *user;
	const char *tok;
	size_t toklen;
	int rc;

	rc = ac_http_bearer(h, &tok, &toklen);
	if (rc == -ENOENT) {
		api_unauthorized(
		        api, req, route,
		        "Authentication credentials were not provided.", false);
		return NULL;
	}
	if (rc < 0) {
		api_unauthorized(api, req, route,
		                 "Authorization header must contain two "
		                 "space-delimited values",
		                 true);
		return NULL;
	}
	copy = strndup(tok, toklen);
	rc = copy ? ac_jwt_check(&api->keys, copy, (int64_t)time(NULL),
	                         "access", 1, &claims, err, sizeof(err))
	          : -ENOMEM;
	free(copy);
	if (rc < 0) {
		log_debug("%s: token refused: %s", __func__,
		          rc == -ENOMEM ? "out of memory" : err);
		api_unauthorized(api, req, route,
		                 "Given token not valid for any token type",
		                 true);
		return NULL;
	}
	user = strdup(claims.user_id);
	if (!user)
		api_error(api, req, route, 503, "Out of memory.");
	return user;
}

/* ------------------------------------------------------------------ */
/* Waiters                                                              */

static unsigned api_hash(const char *id)
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

static void api_waiter_free(struct api_waiter *w)
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

	api_forget_req(&w->p);
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
static void api_answer_result(struct api *api, struct evhttp_request *req,
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

/* A result was stored: remember it and answer its waiters. */
static void api_result_stored(struct api *api, const char *id,
                              const char *owner, const char *result_json)
{
	struct api_recent *r = &api->recent[api->recent_next];
	struct api_waiter *w, *next;

	api->seq++;
	snprintf(r->id, sizeof(r->id), "%s", id);
	r->seq = api->seq;
	api->recent_next = (api->recent_next + 1) % API_NRECENT;
	ac_streams_result(api->streams, id, owner, result_json);

	for (w = api->buckets[api_hash(id)]; w; w = next) {
		struct evhttp_request *req;

		next = w->next;
		if (strcmp(w->id, id) != 0)
			continue;
		req = api_pending_detach(&w->p);
		api->polls_woken++;
		if (req)
			api_answer_result(api, req, w->user, owner,
			                  result_json);
		api_waiter_free(w);
	}
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

struct api_check {
	struct api_pending p;
	char id[API_MAX_ID + 1];
	char *user;
	uint64_t seq; /* api->seq when the lookup was submitted */
	int rechecks;
	int rc;
	bool run; /* GET /api/v1/code/run/ID/ */
	char *json, *owner;
};

static void api_run_unstored(struct api *api, struct evhttp_request *req,
                             struct api_check *c);
static void api_run_result(struct api *api, const char *id, const char *doc);

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
		else if (api->wait_s <= 0)
			api_reply_json(api, req, R_RESULT, 202,
			               json_pack("{s:s,s:n}", "status",
			                         "pending", "data"));
		else
			api_park(api, req, c->id, c->user);
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
static bool api_id_ok(const char *s, size_t len)
{
	if (len == 0 || len > API_MAX_ID)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '_' && s[i] != '.')
			return false;
	return !(len <= 2 && s[0] == '.');
}

static void api_result_check(struct api *api, struct evhttp_request *req,
                             const char *id, size_t idlen)
{
	struct api_check *c;
	char *user = api_auth(api, req, R_RESULT);

	if (!user)
		return;
	if (!api_id_ok(id, idlen)) {
		free(user);
		api_error(api, req, R_RESULT, 404, "Not found.");
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		free(user);
		api_error(api, req, R_RESULT, 503, "Out of memory.");
		return;
	}
	memcpy(c->id, id, idlen);
	c->user = user;
	api_pending_attach(&c->p, api, req, R_RESULT);
	if (api_check_submit(c) < 0) {
		api_pending_detach(&c->p);
		api_check_free(c);
		api_error(api, req, R_RESULT, 503, "Server is shutting down.");
	}
}

/* GET /api/v1/result/stream/ID/: Server-Sent Events (core/stream.c). */
static void api_result_stream(struct api *api, struct evhttp_request *req,
                              const char *id, size_t idlen)
{
	char idbuf[API_MAX_ID + 1];
	char *user = api_auth(api, req, R_STREAM);

	if (!user)
		return;
	if (!api_id_ok(id, idlen)) {
		free(user);
		api_error(api, req, R_STREAM, 404, "Not found.");
		return;
	}
	memcpy(idbuf, id, idlen);
	idbuf[idlen] = '\0';
	api_count(api, R_STREAM, 200);
	ac_streams_open(api->streams, req, idbuf, user);
}

/* ------------------------------------------------------------------ */
/* POST /api/v1/code/submit/                                            */

struct api_submit {
	struct api_pending p;
	char id[40];
	char *user, *lang, *code, *key;
	size_t code_len;
	const struct ac_problem *problem; /* belongs to the core */
	int64_t now_ms;
	bool all_tests;
	int rc_rate, rc_put;
	int64_t retry_ms;
	char *job;
};

static void api_submit_free(struct api_submit *s)
{
	free(s->user);
	free(s->lang);
	free(s->code);
	free(s->key);
	free(s->job);
	free(s);
}

/* A random UUID (version 4). */
static void api_new_id(char out[37])
{
	unsigned char b[16];
	char hex[33];

	randombytes_buf(b, sizeof(b));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	sodium_bin2hex(hex, sizeof(hex), b, sizeof(b));
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
	         hex + 16, hex + 20);
}

static void api_submit_work(void *arg)
{
	struct api_submit *s = arg;
	struct api *api = s->p.api;
	const struct ac_store_ops *store = AC_STORE(api->core);
	void *state = api->core->store->state;
	struct ac_submission sub;
	struct ac_job_msg m;

	s->rc_rate = store->rate_take(state, s->key, api->burst, api->rate,
	                              s->now_ms, &s->retry_ms);
	if (s->rc_rate < 0)
		return;
	memset(&sub, 0, sizeof(sub));
	sub.problem_id = s->problem->id;
	sub.lang = s->lang;
	sub.user_id = s->user;
	sub.code = s->code;
	sub.code_len = s->code_len;
	sub.submitted_at = s->now_ms;
	sub.problem_hash = s->problem->hash;
	sub.all_tests = s->all_tests;
	memset(&m, 0, sizeof(m));
	m.problem_id = s->problem->id;
	m.problem_hash = (char *)s->problem->hash;
	m.lang = s->lang;
	m.user_id = s->user;
	m.code = s->code;
	m.code_len = s->code_len;
	m.submitted_at = s->now_ms;
	m.all_tests = s->all_tests;
	/* The job is built before the submission is stored: once stored,
	 * the answer must be 201. */
	for (int i = 0; i < 3; i++) {
		api_new_id(s->id);
		sub.id = s->id;
		m.submission_id = s->id;
		free(s->job);
		s->job = ac_job_msg_encode(&m);
		if (!s->job) {
			s->rc_put = -ENOMEM;
			return;
		}
		s->rc_put = store->put_submission(state, &sub);
		if (s->rc_put != -EEXIST)
			break;
	}
}

/* ------------------------------------------------------------------ */
/* Publishing jobs: the outbox                                          */

static void api_job_free(struct api_job *j)
{
	if (!j)
		return;
	free(j->id);
	free(j->lang);
	free(j->body);
	free(j);
}

/* Takes the strings (malloc'ed) on success and on failure. */
static struct api_job *api_job_new(struct api *api, char *id, char *lang,
                                   char *body)
{
	struct api_job *j = calloc(1, sizeof(*j));

	if (!j || !id || !lang || !body) {
		free(j);
		free(id);
		free(lang);
		free(body);
		return NULL;
	}
	j->api = api;
	j->id = id;
	j->lang = lang;
	j->body = body;
	j->len = strlen(body);
	return j;
}

static void api_outbox_push(struct api *api, struct api_job *j, bool head)
{
	if (api->noutbox >= API_OUTBOX_MAX ||
	    api->outbox_bytes + j->len > API_OUTBOX_MAX_BYTES) {
		/* Still pending in the store: the sweep enqueues it after
		 * api.requeue_after_s. */
		log_warn("submission %s: the outbox is full; left to the "
		         "store's sweep",
		         j->id);
		api_job_free(j);
		return;
	}
	j->probe = false;
	j->outboxed = true;
	j->next = NULL;
	api->outbox_bytes += j->len;
	if (head && api->outbox) {
		j->next = api->outbox;
		api->outbox = j;
	} else {
		if (!api->outbox)
			api->outbox_tail = &api->outbox;
		*api->outbox_tail = j;
		api->outbox_tail = &j->next;
	}
	api->noutbox++;
	ac_metrics_set("outbox_jobs", NULL, (double)api->noutbox);
}

static struct api_job *api_outbox_pop(struct api *api)
{
	struct api_job *j = api->outbox;

	if (!j)
		return NULL;
	api->outbox = j->next;
	if (!api->outbox)
		api->outbox_tail = &api->outbox;
	j->next = NULL;
	api->noutbox--;
	api->outbox_bytes -= j->len;
	ac_metrics_set("outbox_jobs", NULL, (double)api->noutbox);
	return j;
}

static void api_outbox_arm(struct api *api)
{
	struct timeval tv = {api->backoff_s ? api->backoff_s : API_FULL_RETRY_S,
	                     0};

	if (api->stopped || !api->outbox_timer || api->probing ||
	    evtimer_pending(api->outbox_timer, NULL))
		return;
	evtimer_add(api->outbox_timer, &tv);
}

static void api_job_send(struct api_job *j);

/* Publish what waits in the outbox, unless the transport is down (then a
 * timer probes it with one job at a time). */
static void api_outbox_pump(struct api *api)
{
	struct api_job *j;

	if (api->stopped)
		return;
	if (api->transport_down) {
		api_outbox_arm(api);
		return;
	}
	/* A refusal for want of room stops the round: the timer offers the
	 * rest again later. */
	while (!api->transport_down && !api->queue_full &&
	       (j = api_outbox_pop(api)))
		api_job_send(j);
}

static void api_outbox_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct api *api = arg;
	struct api_job *j;

	(void)fd;
	(void)what;
	if (api->stopped || api->probing)
		return;
	if (!api->transport_down) {
		api->queue_full = false;
		api_outbox_pump(api);
		return;
	}
	j = api_outbox_pop(api);
	if (!j)
		return;
	api->probing = true;
	j->probe = true;
	api_job_send(j);
}

static void api_job_published(void *arg, int status)
{
	struct api_job *j = arg;
	struct api *api = j->api;
	char labels[128];

	api_completed(api);
	if (j->probe)
		api->probing = false;
	if (status == 0) {
		if (snprintf(labels, sizeof(labels), "lang=\"%s\"", j->lang) <
		    (int)sizeof(labels))
			ac_metrics_add("jobs_published_total", labels, 1);
		if (api->transport_down) {
			log_warn("api: the transport is back; publishing %zu "
			         "job(s) from the outbox",
			         api->noutbox);
			api->transport_down = false;
			api->backoff_s = 0;
		}
		api_job_free(j);
		api_outbox_pump(api);
		api_unref(api);
		return;
	}
	if (status == -ENOBUFS && !api->stopped) {
		/* The transport is up but holds all it may (in-memory queue:
		 * transport.max_queued_mb; other users' jobs still get in).
		 * The job waits in the outbox, then, past its bound, pending
		 * in the store; offered again every API_FULL_RETRY_S. */
		if (j->probe) {
			api->transport_down = false;
			api->backoff_s = 0;
		}
		if (!api->queue_full)
			log_info(
			        "submission %s: the job queue is full; the job "
			        "waits in the outbox",
			        j->id);
		api->queue_full = true;
		api->jobs_deferred++;
		ac_metrics_add("jobs_deferred_total", NULL, 1);
		api_outbox_push(api, j, j->outboxed);
		api_outbox_arm(api);
		api_unref(api);
		return;
	}
	api->publish_failures++;
	ac_metrics_add("publish_failures_total", NULL, 1);
	if (!api->transport_down)
		log_error("submission %s: publishing the job failed (%s); it "
		          "stays pending and is published when the transport "
		          "is back",
		          j->id, strerror(-status));
	else
		log_debug("submission %s: publish failed again: %s", j->id,
		          strerror(-status));
	if (api->stopped) {
		/* Pending in the store: enqueued again at the next start
		 * (in-memory transport) or by the sweep. */
		api_job_free(j);
		api_unref(api);
		return;
	}
	if (j->probe || !api->transport_down)
		api->backoff_s =
		        api->backoff_s ? (api->backoff_s * 2 > API_OUTBOX_MAX_S
		                                  ? API_OUTBOX_MAX_S
		                                  : api->backoff_s * 2)
		                       : 1;
	api->transport_down = true;
	api_outbox_push(api, j, true);
	api_outbox_arm(api);
	api_unref(api);
}

/* Hand a job to the transport, or to the outbox while it is down. */
static void api_job_send(struct api_job *j)
{
	struct api *api = j->api;
	const struct ac_transport_ops *tr = AC_TRANSPORT(api->core);
	int rc;

	if (api->transport_down && !j->probe) {
		if (api->stopped) {
			api_job_free(j); /* pending in the store */
			return;
		}
		api_outbox_push(api, j, false);
		api_outbox_arm(api);
		return;
	}
	/* A reference for the publish (whose done callback may, with some
	 * transports, run before publish_job returns). */
	api_ref(api);
	api->inflight++;
	rc = tr->publish_job(api->core->transport->state, j->lang, j->body,
	                     strlen(j->body), api_job_published, j);
	if (rc < 0)
		api_job_published(j, rc);
}

static void api_submit_done(void *arg)
{
	struct api_submit *s = arg;
	struct api *api = s->p.api;
	struct evhttp_request *req;
	struct api_job *j;
	int rc;

	api_completed(api);
	if (s->rc_rate == -EAGAIN) {
		long long wait = (s->retry_ms + 999) / 1000;
		char num[32];

		if (wait < 1)
			wait = 1;
		api->submissions_throttled++;
		req = api_pending_detach(&s->p);
		if (req) {
			char msg[128];

			snprintf(num, sizeof(num), "%lld", wait);
			snprintf(msg, sizeof(msg),
			         "Request was throttled. Expected available in "
			         "%lld seconds.",
			         wait);
			evhttp_add_header(
			        evhttp_request_get_output_headers(req),
			        "Retry-After", num);
			api_reply_json(api, req, R_SUBMIT, 429,
			               json_pack("{s:s,s:I}", "detail", msg,
			                         "wait_time",
			                         (json_int_t)wait));
		}
		goto out;
	}
	if (s->rc_rate < 0 || s->rc_put < 0) {
		rc = s->rc_rate < 0 ? s->rc_rate : s->rc_put;
		log_error("submission store: %s: %s",
		          s->rc_rate < 0 ? "rate_take" : "put_submission",
		          strerror(-rc));
		req = api_pending_detach(&s->p);
		if (req)
			api_error(api, req, R_SUBMIT, 503,
			          "The submission store is unavailable; the "
			          "submission was not accepted.");
		goto out;
	}
	/* Stored as pending: that is the promise.  The job goes to the
	 * transport now, or waits in the outbox while the transport is
	 * down; either way the submission gets its result (the store keeps
	 * it pending until then, and the sweep enqueues it again). */
	api->submissions_accepted++;
	req = api_pending_detach(&s->p);
	if (req)
		api_reply_json(api, req, R_SUBMIT, 201,
		               json_pack("{s:{s:s,s:s}}", "result", "detail",
		                         "Your response has been submitted.",
		                         "submission_id", s->id));
	else
		log_info("submission %s: client gone before the answer; "
		         "judged anyway",
		         s->id);
	j = api_job_new(api, strdup(s->id), s->lang, s->job);
	s->lang = NULL;
	s->job = NULL;
	if (j)
		api_job_send(j);
	else
		log_error("submission %s: out of memory; left to the sweep",
		          s->id);
out:
	api_submit_free(s);
	api_unref(api);
}

/* ------------------------------------------------------------------ */
/* The sweep: pending submissions enqueued again                        */

struct api_sweep {
	struct api *api;
	int64_t cutoff_ms, now_ms;
	const char *why; /* "start-up" or "sweep" */
	struct ac_pending *v;
	size_t n;
	int rc;
};

/* A submission enqueued api.max_attempts times without a result: an
 * Internal Error result is stored for it, so that nobody waits forever. */
struct api_giveup {
	struct api *api;
	char *id, *user, *json;
	int rc;
};

static void api_sweep_start(struct api *api, int64_t cutoff_ms,
                            const char *why);

static void api_giveup_work(void *arg)
{
	struct api_giveup *g = arg;
	struct ac_core *core = g->api->core;

	g->rc = AC_STORE(core)->put_result(core->store->state, g->id, g->json);
}

static void api_giveup_done(void *arg)
{
	struct api_giveup *g = arg;
	struct api *api = g->api;

	api_completed(api);
	if (g->rc < 0)
		log_error("submission %s: cannot store its Internal Error "
		          "result (%s); the sweep tries again",
		          g->id, strerror(-g->rc));
	else if (!api->stopped)
		api_result_stored(api, g->id, g->user, g->json);
	free(g->id);
	free(g->user);
	free(g->json);
	free(g);
	api_unref(api);
}

static void api_give_up(struct api *api, const struct ac_pending *p)
{
	struct ac_result r;
	struct ac_test_result t;
	struct api_giveup *g;
	char msg[256];

	memset(&r, 0, sizeof(r));
	memset(&t, 0, sizeof(t));
	snprintf(msg, sizeof(msg),
	         "not judged after %u attempts (see the judges' logs for "
	         "this submission id)",
	         p->attempts - 1);
	log_error("submission %s: %s: Internal Error", p->id, msg);
	r.submission_id = p->id;
	r.problem_id = p->problem_id;
	r.lang = p->lang;
	r.user_id = p->user_id ? p->user_id : "";
	r.verdict = AC_V_IE;
	r.host = api->core->hostname;
	r.sandbox = "none";
	r.submitted_at = p->submitted_at;
	r.finished_at = ac_now_ms();
	t.name = "(judge)";
	t.verdict = AC_V_IE;
	t.message = msg;
	/* r borrows every string but its tests, which add_test copies. */
	g = calloc(1, sizeof(*g));
	if (g && ac_result_add_test(&r, &t) == 0)
		g->json = ac_result_to_json(&r);
	for (size_t i = 0; i < r.ntests; i++) {
		free(r.tests[i].name);
		free(r.tests[i].message);
	}
	free(r.tests);
	if (g) {
		g->api = api;
		g->id = strdup(p->id);
		g->user = p->user_id ? strdup(p->user_id) : NULL;
	}
	if (!g || !g->json || !g->id ||
	    api_pool(api, api_giveup_work, api_giveup_done, g) < 0) {
		log_error("submission %s: cannot store its Internal Error "
		          "result now",
		          p->id);
		if (g) {
			free(g->id);
			free(g->user);
			free(g->json);
			free(g);
		}
		return;
	}
	api->submissions_given_up++;
	ac_metrics_add("internal_errors_total", "cause=\"attempts\"", 1);
}

/* A claimed submission: its job again. */
static void api_requeue(struct api *api, struct ac_pending *p, const char *why)
{
	const struct ac_problem *prob =
	        api->core->problems
	                ? ac_problem_find(api->core->problems, p->problem_id)
	                : NULL;
	struct ac_job_msg m;
	struct api_job *j;
	char labels[64];

	memset(&m, 0, sizeof(m));
	m.submission_id = p->id;
	m.problem_id = p->problem_id;
	/* The problem as this api has it now (the judge compares); a
	 * problem no longer installed keeps the stored hash and the judge
	 * answers Internal Error naming it. */
	m.problem_hash = prob ? (char *)prob->hash
	                      : (p->problem_hash ? p->problem_hash : "-");
	m.lang = p->lang;
	m.user_id = p->user_id ? p->user_id : "";
	m.code = p->code;
	m.code_len = p->code_len;
	m.submitted_at = p->submitted_at;
	m.all_tests = p->all_tests;
	j = api_job_new(api, strdup(p->id), strdup(p->lang),
	                ac_job_msg_encode(&m));
	if (!j) {
		log_error("submission %s: out of memory; left to the sweep",
		          p->id);
		return;
	}
	log_info("submission %s: enqueued again (%s, attempt %u)", p->id, why,
	         p->attempts);
	api->jobs_requeued++;
	snprintf(labels, sizeof(labels), "reason=\"%s\"", why);
	ac_metrics_add("jobs_requeued_total", labels, 1);
	api_job_send(j);
}

static void api_sweep_work(void *arg)
{
	struct api_sweep *w = arg;
	struct ac_core *core = w->api->core;

	w->rc = AC_STORE(core)->claim_pending(core->store->state, w->cutoff_ms,
	                                      w->now_ms, API_SWEEP_BATCH, &w->v,
	                                      &w->n);
}

static void api_sweep_arm(struct api *api)
{
	struct timeval tv = {api->sweep_interval_s, 0};

	if (!api->stopped && api->sweep_timer)
		evtimer_add(api->sweep_timer, &tv);
}

static void api_sweep_done(void *arg)
{
	struct api_sweep *w = arg;
	struct api *api = w->api;
	bool more = false;

	api_completed(api);
	api->sweeping = false;
	if (w->rc < 0)
		log_error("api: claiming pending submissions failed (%s); "
		          "tried again in %lld s",
		          strerror(-w->rc), api->sweep_interval_s);
	for (size_t i = 0; i < w->n; i++) {
		struct ac_pending *p = &w->v[i];

		if (!api->stopped && p->attempts > (unsigned)api->max_attempts)
			api_give_up(api, p);
		else if (!api->stopped)
			api_requeue(api, p, w->why);
		free(p->id);
		free(p->problem_id);
		free(p->problem_hash);
		free(p->lang);
		free(p->user_id);
		free(p->code);
	}
	if (w->n && w->rc == 0)
		log_info("api: %zu pending submission(s) enqueued again (%s)",
		         w->n, w->why);
	more = w->rc == 0 && w->n == API_SWEEP_BATCH;
	free(w->v);
	if (more && !api->stopped && api->queue_full) {
		/* Claiming more would only count attempts of jobs the queue
		 * cannot take: go on once the outbox has drained. */
		api->sweep_resume = true;
		api->resume_cutoff_ms = w->cutoff_ms;
		api->resume_why = w->why;
		api_sweep_arm(api);
	} else if (more && !api->stopped) {
		api_sweep_start(api, w->cutoff_ms, w->why);
	} else {
		api_sweep_arm(api);
	}
	free(w);
	api_unref(api);
}

/* Claim what was last enqueued at or before cutoff_ms. */
static void api_sweep_start(struct api *api, int64_t cutoff_ms, const char *why)
{
	struct api_sweep *w;

	if (api->stopped || api->sweeping)
		return;
	w = calloc(1, sizeof(*w));
	if (!w) {
		api_sweep_arm(api);
		return;
	}
	w->api = api;
	w->cutoff_ms = cutoff_ms;
	w->now_ms = ac_now_ms();
	w->why = why;
	if (api_pool(api, api_sweep_work, api_sweep_done, w) < 0) {
		free(w);
		api_sweep_arm(api);
		return;
	}
	api->sweeping = true;
}

static void api_sweep_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct api *api = arg;
	int64_t cutoff;

	(void)fd;
	(void)what;
	/* While the transport is down the outbox holds the jobs: claiming
	 * them again would only queue duplicates behind them. */
	if (api->transport_down || (api->queue_full && api->outbox)) {
		api_sweep_arm(api);
		return;
	}
	cutoff = ac_now_ms() - api->requeue_after_ms;
	if (api->sweep_resume) {
		api->sweep_resume = false;
		if (api->resume_cutoff_ms > cutoff) {
			api_sweep_start(api, api->resume_cutoff_ms,
			                api->resume_why);
			return;
		}
	}
	api_sweep_start(api, cutoff, "sweep");
}

/* A required string field of the submission. */
static int api_field(struct api *api, struct evhttp_request *req, json_t *body,
                     const char *name, const char **out, size_t *len)
{
	json_t *v = json_object_get(body, name);

	if (!v || json_is_null(v)) {
		api_error(api, req, R_SUBMIT, 400, "Field \"%s\" is required.",
		          name);
		return -EINVAL;
	}
	if (!json_is_string(v)) {
		api_error(api, req, R_SUBMIT, 400,
		          "Field \"%s\" must be a string.", name);
		return -EINVAL;
	}
	*out = json_string_value(v);
	*len = json_string_length(v);
	if (*len == 0 || strspn(*out, " \t\r\n") == *len) {
		api_error(api, req, R_SUBMIT, 400,
		          "Field \"%s\" may not be blank.", name);
		return -EINVAL;
	}
	return 0;
}

/* "files": [{"name", "content"}] of a submission: names checked (no
 * path, no dot-file, distinct), at most AC_FILES_MAX files and
 * api.max_source_kb bytes in all; *bundle (malloc'ed) is what the store
 * keeps as the code (core/msg.h).  On failure the request was answered. */
static int api_submit_files(struct api *api, struct evhttp_request *req,
                            json_t *body, char **bundle, size_t *len)
{
	json_t *files = json_object_get(body, "files"), *v;
	struct ac_src_file *f;
	size_t i, total = 0;
	char shown[80];
	int rc = -EINVAL;

	if (json_object_get(body, "code") &&
	    !json_is_null(json_object_get(body, "code"))) {
		api_error(api, req, R_SUBMIT, 400,
		          "Give either \"code\" or \"files\", not both.");
		return -EINVAL;
	}
	if (!json_is_array(files) || json_array_size(files) == 0) {
		api_error(api, req, R_SUBMIT, 400,
		          "Field \"files\" must be a non-empty array of "
		          "{\"name\", \"content\"}.");
		return -EINVAL;
	}
	if (json_array_size(files) > AC_FILES_MAX) {
		api_error(api, req, R_SUBMIT, 413,
		          "%zu files; the limit is %d.", json_array_size(files),
		          AC_FILES_MAX);
		return -E2BIG;
	}
	f = calloc(json_array_size(files), sizeof(*f));
	if (!f) {
		api_error(api, req, R_SUBMIT, 503, "Out of memory.");
		return -ENOMEM;
	}
	json_array_foreach(files, i, v)
	{
		json_t *nm = json_object_get(v, "name");
		json_t *c = json_object_get(v, "content");

		if (!json_is_string(nm) || !json_is_string(c)) {
			api_error(api, req, R_SUBMIT, 400,
			          "File %zu must be {\"name\": string, "
			          "\"content\": string}.",
			          i + 1);
			goto out;
		}
		if (!ac_file_name_ok(json_string_value(nm),
		                     json_string_length(nm))) {
			api_printable(json_string_value(nm), shown,
			              sizeof(shown));
			api_error(api, req, R_SUBMIT, 400,
			          "File name \"%s\" is not valid: 1 to %d "
			          "letters, digits, '.', '_' or '-', not "
			          "starting with '.'.",
			          shown, AC_FILE_NAME_MAX);
			goto out;
		}
		for (size_t k = 0; k < i; k++)
			if (strcmp(f[k].name, json_string_value(nm)) == 0) {
				api_error(api, req, R_SUBMIT, 400,
				          "File \"%s\" is given twice.",
				          f[k].name);
				goto out;
			}
		snprintf(f[i].name, sizeof(f[i].name), "%s",
		         json_string_value(nm));
		f[i].data = json_string_value(c);
		f[i].len = json_string_length(c);
		total += f[i].len;
	}
	if (total > api->max_source) {
		api_error(api, req, R_SUBMIT, 413,
		          "The files are %zu bytes; the limit is %zu KiB.",
		          total, api->max_source / 1024);
		rc = -E2BIG;
		goto out;
	}
	rc = ac_files_bundle(f, json_array_size(files), bundle, len);
	if (rc < 0)
		api_error(api, req, R_SUBMIT, 503, "Out of memory.");
out:
	free(f);
	return rc;
}

static void api_submit(struct api *api, struct evhttp_request *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t blen = evbuffer_get_length(in);
	const char *problem_id, *lang, *code;
	size_t plen, llen, clen;
	const struct ac_problem *problem;
	struct api_submit *s = NULL;
	json_t *body = NULL, *all;
	char *user, shown[80], msg[300], *bundle = NULL;

	user = api_auth(api, req, R_SUBMIT);
	if (!user)
		return;
	body = ac_http_parse_object(blen ? (const char *)evbuffer_pullup(in, -1)
	                                 : NULL,
	                            blen, msg, sizeof(msg));
	if (!body) {
		api_error(api, req, R_SUBMIT, 400, "%s", msg);
		goto out;
	}
	if (api_field(api, req, body, "problem_id", &problem_id, &plen) < 0 ||
	    api_field(api, req, body, "lang", &lang, &llen) < 0)
		goto out;
	if (json_object_get(body, "files")) {
		/* Several files: one bundle in place of the code. */
		if (api_submit_files(api, req, body, &bundle, &clen) < 0)
			goto out;
		code = bundle;
	} else if (api_field(api, req, body, "code", &code, &clen) < 0) {
		goto out;
	} else if (ac_files_is_bundle(code, clen)) {
		api_error(api, req, R_SUBMIT, 400,
		          "Field \"code\" may not start with a NUL byte.");
		goto out;
	}
	all = json_object_get(body, "all_tests");
	if (all && !json_is_boolean(all) && !json_is_null(all)) {
		api_error(api, req, R_SUBMIT, 400,
		          "Field \"all_tests\" must be a boolean.");
		goto out;
	}
	if (!bundle && clen > api->max_source) {
		api_error(api, req, R_SUBMIT, 413,
		          "The source code is %zu bytes; the limit is %zu KiB.",
		          clen, api->max_source / 1024);
		goto out;
	}
	if (llen != strlen(lang) || !ac_core_lang(api->core, lang)) {
		char list[256];

		ac_core_lang_list(api->core, list, sizeof(list));
		api_printable(lang, shown, sizeof(shown));
		api_error(api, req, R_SUBMIT, 400,
		          "Unsupported language \"%s\"; supported: %s", shown,
		          list);
		goto out;
	}
	problem = plen == strlen(problem_id) && api->core->problems
	                  ? ac_problem_find(api->core->problems, problem_id)
	                  : NULL;
	if (!problem) {
		api_printable(problem_id, shown, sizeof(shown));
		api_error(api, req, R_SUBMIT, 400,
		          "The problem id \"%s\" is not valid.", shown);
		goto out;
	}
	/* The package's own limits: languages and limits.code. */
	if (!ac_problem_allows_lang(problem, lang)) {
		api_error(api, req, R_SUBMIT, 400,
		          "The problem %s does not accept the language \"%s\" "
		          "(its problem.yaml restricts languages).",
		          problem->id, lang);
		goto out;
	}
	if (problem->code_kb && clen > problem->code_kb * 1024) {
		api_error(
		        api, req, R_SUBMIT, 413,
		        "The source code is %zu bytes; the problem's limit is "
		        "%llu KiB.",
		        clen, (unsigned long long)problem->code_kb);
		goto out;
	}
	if (api->outbox_bytes + clen * 6 + 4096 > API_OUTBOX_MAX_BYTES ||
	    api->noutbox >= API_OUTBOX_MAX) {
		/* Jobs already wait in memory for the transport (down or
		 * full): accepting more would only leave them to the sweep. */
		evhttp_add_header(evhttp_request_get_output_headers(req),
		                  "Retry-After", "30");
		api_error(api, req, R_SUBMIT, 503,
		          "The judging queue is full; try again later.");
		goto out;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		goto oom;
	s->user = user;
	user = NULL;
	s->lang = strdup(lang);
	s->code = malloc(clen + 1);
	if (asprintf(&s->key, "submit:%s", s->user) < 0)
		s->key = NULL;
	if (!s->lang || !s->code || !s->key)
		goto oom;
	memcpy(s->code, code, clen);
	s->code[clen] = '\0';
	s->code_len = clen;
	s->problem = problem;
	s->now_ms = ac_now_ms();
	s->all_tests = all && json_is_true(all);
	api_pending_attach(&s->p, api, req, R_SUBMIT);
	if (api_pool(api, api_submit_work, api_submit_done, s) < 0) {
		api_pending_detach(&s->p);
		api_error(api, req, R_SUBMIT, 503, "Server is shutting down.");
		goto out;
	}
	s = NULL;
	goto out;
oom:
	api_error(api, req, R_SUBMIT, 503, "Out of memory.");
out:
	if (s)
		api_submit_free(s);
	free(user);
	free(bundle);
	json_decref(body);
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
#define API_RUN_PREFIX "run-"

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

static void api_result_msg_cb(void *arg, const char *body, size_t len,
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

/* ------------------------------------------------------------------ */
/* GET /api/v1/problem/all/                                             */

static bool api_has_tag(const struct ac_problem *p, const char *tag, size_t len)
{
	for (size_t i = 0; i < p->ntags; i++)
		if (strlen(p->tags[i]) == len &&
		    strncasecmp(p->tags[i], tag, len) == 0)
			return true;
	return false;
}

/* Every comma-separated tag of `tags` is one of the problem's. */
static bool api_match_tags(const struct ac_problem *p, const char *tags)
{
	while (tags && *tags) {
		const char *end = strchr(tags, ',');
		const char *a = tags, *b = end ? end : tags + strlen(tags);

		while (a < b && isspace((unsigned char)*a))
			a++;
		while (b > a && isspace((unsigned char)b[-1]))
			b--;
		if (b > a && !api_has_tag(p, a, b - a))
			return false;
		tags = end ? end + 1 : NULL;
	}
	return true;
}

static json_t *api_tags_json(const struct ac_problem *p)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < p->ntags; i++)
		json_array_append_new(a, json_string(p->tags[i]));
	return a;
}

static json_t *api_nullable(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* The Host header when it looks like one, else the listen address. */
static const char *api_host(struct api *api, struct evhttp_request *req)
{
	const char *h = evhttp_find_header(
	        evhttp_request_get_input_headers(req), "Host");
	size_t n = h ? strlen(h) : 0;

	if (n == 0 || n > 255 ||
	    strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	              "0123456789.-:[]") != n)
		return ac_config_string(api->core->cfg, "api.listen",
		                        "127.0.0.1:8080");
	return h;
}

/* http://HOST/PATH?the query without page[&page=N] (N 0: no page). */
static json_t *api_page_url(struct api *api, struct evhttp_request *req,
                            const char *path, const struct evkeyvalq *q,
                            long page)
{
	struct evbuffer *b = evbuffer_new();
	const struct evkeyval *kv;
	json_t *url = NULL;
	char sep = '?';

	if (!b)
		return json_null();
	evbuffer_add_printf(b, "http://%s%s", api_host(api, req), path);
	TAILQ_FOREACH(kv, q, next)
	{
		char *k, *v;

		if (strcmp(kv->key, "page") == 0)
			continue;
		k = evhttp_encode_uri(kv->key);
		v = evhttp_encode_uri(kv->value);
		if (k && v)
			evbuffer_add_printf(b, "%c%s=%s", sep, k, v);
		sep = '&';
		free(k);
		free(v);
	}
	if (page > 0)
		evbuffer_add_printf(b, "%cpage=%ld", sep, page);
	url = json_stringn((const char *)evbuffer_pullup(b, -1),
	                   evbuffer_get_length(b));
	evbuffer_free(b);
	return url ? url : json_null();
}

static void api_problem_list(struct api *api, struct evhttp_request *req)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *query = evhttp_uri_get_query(uri);
	const char *path = evhttp_uri_get_path(uri);
	const struct ac_problem_set *set = api->core->problems;
	const char *title, *tags, *pagestr;
	struct evkeyvalq q;
	json_t *results = NULL, *body;
	size_t count = 0, npages, first;
	long page = 1;

	TAILQ_INIT(&q);
	if (query && evhttp_parse_query_str(query, &q) < 0) {
		api_error(api, req, R_PROBLEMS, 400, "Malformed query string.");
		goto out;
	}
	title = evhttp_find_header(&q, "title");
	tags = evhttp_find_header(&q, "tags");
	pagestr = evhttp_find_header(&q, "page");
	results = json_array();
	if (!results)
		goto oom;
	for (size_t i = 0; set && i < set->n; i++) {
		const struct ac_problem *p = set->items[i];

		if (title && *title && !strcasestr(p->name, title))
			continue;
		if (!api_match_tags(p, tags))
			continue;
		count++;
	}
	npages = count ? (count + API_PAGE_SIZE - 1) / API_PAGE_SIZE : 1;
	if (pagestr && strcmp(pagestr, "last") == 0) {
		page = (long)npages;
	} else if (pagestr) {
		char *end;

		errno = 0;
		page = strtol(pagestr, &end, 10);
		if (errno || end == pagestr || *end || page < 1)
			page = -1;
	}
	if (page < 1 || (size_t)page > npages) {
		api_error(api, req, R_PROBLEMS, 404, "Invalid page.");
		goto out;
	}
	first = (size_t)(page - 1) * API_PAGE_SIZE;
	count = 0;
	for (size_t i = 0; set && i < set->n; i++) {
		const struct ac_problem *p = set->items[i];
		json_t *item;

		if (title && *title && !strcasestr(p->name, title))
			continue;
		if (!api_match_tags(p, tags))
			continue;
		if (count >= first && count < first + API_PAGE_SIZE) {
			item = json_pack(
			        "{s:s,s:o,s:s,s:o,s:o,s:I,s:I}", "id", p->id,
			        "uuid", api_nullable(p->uuid), "title", p->name,
			        "difficulty", api_nullable(p->difficulty),
			        "tags", api_tags_json(p), "time_limit_ms",
			        (json_int_t)llround(p->time_limit_s * 1000.0),
			        "memory_mb", (json_int_t)p->memory_mb);
			if (!item || json_array_append_new(results, item) < 0)
				goto oom;
		}
		count++;
	}
	body = json_pack("{s:i,s:{s:I,s:o,s:o,s:o}}", "status_code", 200,
	                 "questions", "count", (json_int_t)count, "next",
	                 (size_t)page < npages
	                         ? api_page_url(api, req, path, &q, page + 1)
	                         : json_null(),
	                 "previous",
	                 page > 1 ? api_page_url(api, req, path, &q,
	                                         page == 2 ? 0 : page - 1)
	                          : json_null(),
	                 "results", results);
	results = NULL;
	api_reply_json(api, req, R_PROBLEMS, 200, body);
	goto out;
oom:
	api_error(api, req, R_PROBLEMS, 503, "Out of memory.");
out:
	json_decref(results);
	evhttp_clear_headers(&q);
}

/* ------------------------------------------------------------------ */
/* GET /api/v1/problem/ID/                                              */

struct api_problem {
	struct api_pending p;
	const struct ac_problem *problem;
	char *text; /* the response body, built on a worker */
};

/* At most max bytes of a file as a JSON string (invalid UTF-8 bytes shown
 * as '?'); *truncated when there was more. */
static json_t *api_file_json(const char *path, size_t max, bool *truncated)
{
	char *buf = malloc(max + 1);
	json_t *s = NULL;
	size_t n = 0;
	int fd;

	*truncated = false;
	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		goto out;
	while (n < max + 1) {
		ssize_t r = read(fd, buf + n, max + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += r;
	}
	close(fd);
	if (n > max) {
		n = max;
		*truncated = true;
	}
	s = json_stringn(buf, n);
	if (!s) {
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)buf[i] >= 0x80)
				buf[i] = '?';
		s = json_stringn(buf, n);
	}
out:
	free(buf);
	return s;
}

/* What problem.yaml says beyond the limits (names, credits, source,
 * license, ...; docs/api.md), added to the question: never replaces a
 * field. */
static void api_problem_meta(json_t *question, const struct ac_problem *p)
{
	static const char *const types[] = {"scoring", "interactive",
	                                    "multi-pass", "submit-answer"};
	json_t *meta = p->meta_json ? json_loads(p->meta_json, 0, NULL) : NULL;
	json_t *type = json_array(), *v;
	const char *k;

	if (!question)
		goto out;
	json_object_foreach(meta, k, v)
	{
		if (!json_object_get(question, k))
			json_object_set(question, k, v);
	}
	for (size_t i = 0; type && i < 4; i++)
		if (p->type_flags & (1u << i))
			json_array_append_new(type, json_string(types[i]));
	if (type && !(p->type_flags & AC_PROBLEM_SCORING))
		json_array_insert_new(type, 0, json_string("pass-fail"));
	if (type && !json_object_get(question, "type"))
		json_object_set(question, "type", type);
out:
	json_decref(type);
	json_decref(meta);
}

static void api_problem_work(void *arg)
{
	struct api_problem *ap = arg;
	const struct ac_problem *p = ap->problem;
	json_t *samples = json_array(), *q;
	size_t total = 0;

	for (size_t i = 0; samples && i < p->ntests; i++) {
		const struct ac_test *t = &p->tests[i];
		bool tin, tout;
		json_t *in, *out;

		if (!t->sample)
			continue;
		if (total >= API_SAMPLES_MAX)
			break;
		in = api_file_json(t->in_path, API_SAMPLE_MAX, &tin);
		out = api_file_json(t->ans_path, API_SAMPLE_MAX, &tout);
		if (!in || !out) {
			json_decref(in);
			json_decref(out);
			continue;
		}
		total += json_string_length(in) + json_string_length(out);
		json_array_append_new(samples,
		                      json_pack("{s:s,s:o,s:o,s:b}", "name",
		                                t->name, "input", in, "output",
		                                out, "truncated", tin || tout));
	}
	q = json_pack(
	        "{s:i,s:{s:s,s:o,s:s,s:o,s:s,s:o,s:{s:I,s:I,s:I},s:o,s:s}}",
	        "status_code", 200, "question", "id", p->id, "uuid",
	        api_nullable(p->uuid), "title", p->name, "difficulty",
	        api_nullable(p->difficulty), "description",
	        p->statement ? p->statement : "", "testcases_example",
	        samples ? samples : json_array(), "constraints",
	        "time_limit_ms", (json_int_t)llround(p->time_limit_s * 1000.0),
	        "memory_mb", (json_int_t)p->memory_mb, "output_mb",
	        (json_int_t)p->output_mb, "tags", api_tags_json(p),
	        "validation",
	        p->validation == AC_VALIDATION_DEFAULT  ? "default"
	        : p->validation == AC_VALIDATION_CUSTOM ? "custom"
	                                                : "custom interactive");
	if (q)
		api_problem_meta(json_object_get(q, "question"), p);
	ap->text = q ? json_dumps(q, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(q);
}

static void api_problem_done(void *arg)
{
	struct api_problem *ap = arg;
	struct api *api = ap->p.api;
	struct evhttp_request *req = api_pending_detach(&ap->p);

	api_completed(api);
	if (req && ap->text)
		api_reply_raw(api, req, R_PROBLEM, 200, "application/json",
		              ap->text, strlen(ap->text));
	else if (req)
		api_error(api, req, R_PROBLEM, 503, "Out of memory.");
	free(ap->text);
	free(ap);
	api_unref(api);
}

static void api_problem_detail(struct api *api, struct evhttp_request *req,
                               const char *id, size_t idlen)
{
	char buf[API_MAX_ID + 1];
	const struct ac_problem *p = NULL;
	struct api_problem *ap;

	if (api_id_ok(id, idlen) && api->core->problems) {
		memcpy(buf, id, idlen);
		buf[idlen] = '\0';
		p = ac_problem_find(api->core->problems, buf);
	}
	if (!p) {
		api_error(api, req, R_PROBLEM, 404, "Not found.");
		return;
	}
	ap = calloc(1, sizeof(*ap));
	if (!ap) {
		api_error(api, req, R_PROBLEM, 503, "Out of memory.");
		return;
	}
	ap->problem = p;
	api_pending_attach(&ap->p, api, req, R_PROBLEM);
	if (api_pool(api, api_problem_work, api_problem_done, ap) < 0) {
		api_pending_detach(&ap->p);
		free(ap);
		api_error(api, req, R_PROBLEM, 503, "Server is shutting down.");
	}
}

/* ------------------------------------------------------------------ */
/* Languages, health, metrics                                           */

static void api_languages(struct api *api, struct evhttp_request *req)
{
	struct ac_core *core = api->core;
	json_t *list = json_array();

	for (size_t i = 0; list && i < core->nlangs; i++) {
		const struct ac_lang_ops *ops = core->langs[i]->ops;
		const struct ac_lang_info *info =
		        ops->info(core->langs[i]->state);

		if (!info)
			continue;
		json_array_append_new(
		        list,
		        json_pack("{s:s,s:s,s:o}", "name", info->name,
		                  "display",
		                  info->display ? info->display : info->name,
		                  "version", api_nullable(info->version)));
	}
	api_reply_json(api, req, R_LANGUAGES, 200, list);
}

static void api_metrics(struct api *api, struct evhttp_request *req)
{
	struct evbuffer *b = evbuffer_new();
	char *reg;

	if (!b) {
		api_error(api, req, R_METRICS, 503, "Out of memory.");
		return;
	}
	evbuffer_add_printf(
	        b, "# HELP algocode_http_requests_total HTTP responses "
	           "by route and status.\n"
	           "# TYPE algocode_http_requests_total counter\n");
	for (size_t i = 0; i < api->nstats; i++)
		evbuffer_add_printf(b,
		                    "algocode_http_requests_total{route=\"%s\","
		                    "code=\"%d\"} "
		                    "%" PRIu64 "\n",
		                    api_route_names[api->stats[i].route],
		                    api->stats[i].code, api->stats[i].count);
#define API_METRIC(name, type, help, value)                                    \
	evbuffer_add_printf(b,                                                 \
	                    "# HELP algocode_" name " " help "\n"              \
	                    "# TYPE algocode_" name " " type "\n"              \
	                    "algocode_" name " %" PRIu64 "\n",                 \
	                    (uint64_t)(value))
	API_METRIC("submissions_accepted_total", "counter",
	           "Submissions stored (answered 201).",
	           api->submissions_accepted);
	API_METRIC("submissions_requeued_total", "counter",
	           "Pending submissions enqueued again (start-up, sweep).",
	           api->jobs_requeued);
	API_METRIC("submissions_given_up_total", "counter",
	           "Submissions answered Internal Error after "
	           "api.max_attempts enqueues.",
	           api->submissions_given_up);
	API_METRIC("submissions_throttled_total", "counter",
	           "Submissions refused by the rate limit.",
	           api->submissions_throttled);
	API_METRIC("results_received_total", "counter",
	           "Results consumed and stored.", api->results_received);
	API_METRIC("results_invalid_total", "counter",
	           "Result messages dropped as invalid.", api->results_invalid);
	API_METRIC("results_store_failures_total", "counter",
	           "Failed attempts to store a result (held and retried).",
	           api->results_store_failed);
	API_METRIC("result_polls_parked_total", "counter",
	           "Result polls parked waiting for a result.",
	           api->polls_parked);
	API_METRIC("result_polls_woken_total", "counter",
	           "Parked polls answered by an arriving result.",
	           api->polls_woken);
	API_METRIC("result_polls_timed_out_total", "counter",
	           "Parked polls answered pending.", api->polls_timed_out);
	API_METRIC("result_waiters", "gauge", "Result polls parked right now.",
	           api->nwaiters);
	API_METRIC("worker_pool_busy", "gauge",
	           "Blocking jobs queued or running on the worker pool.",
	           ac_pool_busy(api->core->pool));
#undef API_METRIC
	/* Then the process-wide registry (judge role, plugins). */
	reg = ac_metrics_render();
	if (reg) {
		evbuffer_add(b, reg, strlen(reg));
		free(reg);
	}
	api_reply_raw(api, req, R_METRICS, 200, "text/plain; version=0.0.4",
	              (const char *)evbuffer_pullup(b, -1),
	              evbuffer_get_length(b));
	evbuffer_free(b);
}

/* ------------------------------------------------------------------ */
/* Readiness and version (docs/api.md, "Operations")                   */

/* GET /api/v1/common/ready/: the store answers a lookup, the transport's
 * last publish did not fail, the sandbox (its root helper under privilege
 * separation) answers; 503 naming what is down.  The store and sandbox
 * calls block: they run on the worker pool. */
struct api_ready {
	struct api_pending p;
	int store_rc, sandbox_rc;
	bool has_store, has_sandbox;
};

static void api_ready_work(void *arg)
{
	struct api_ready *r = arg;
	struct ac_core *core = r->p.api->core;
	char *json = NULL, *owner = NULL;

	if (r->has_store) {
		r->store_rc = AC_STORE(core)->get_result(
		        core->store->state, "algocode-readiness-probe", &json,
		        &owner);
		if (r->store_rc == -ENOENT || r->store_rc == -EAGAIN)
			r->store_rc = 0;
		free(json);
		free(owner);
	}
	if (r->has_sandbox)
		r->sandbox_rc =
		        AC_SANDBOX(core)->enforcing(core->sandbox->state);
}

/* One check's entry in `checks`; appends its name to `down` when down. */
static void api_ready_check(json_t *checks, const char *name, bool used, int rc,
                            bool degraded_ok, char *down, size_t len)
{
	char buf[128];
	size_t off = strlen(down);

	if (!used) {
		json_object_set_new(checks, name, json_string("not used"));
		return;
	}
	if (rc == 0) {
		json_object_set_new(checks, name, json_string("up"));
		return;
	}
	if (degraded_ok) {
		json_object_set_new(checks, name, json_string("degraded"));
		return;
	}
	snprintf(buf, sizeof(buf), "down: %s",
	         rc == -EIO ? "not answering" : strerror(-rc));
	json_object_set_new(checks, name, json_string(buf));
	snprintf(down + off, len - off, "%s%s (%s)", off ? ", " : "", name,
	         buf + 6);
}

static void api_ready_done(void *arg)
{
	struct api_ready *r = arg;
	struct api *api = r->p.api;
	struct ac_core *core = api->core;
	struct evhttp_request *req;
	json_t *checks = json_object(), *body;
	char down[512] = "";
	bool degraded =
	        ac_config_bool(core->cfg, "sandbox.allow_degraded", false);

	api_completed(api);
	req = api_pending_detach(&r->p);
	if (!req || !checks)
		goto out;
	api_ready_check(checks, "store", r->has_store, r->store_rc, false, down,
	                sizeof(down));
	api_ready_check(checks, "transport", core->transport != NULL,
	                api->transport_down ? -EIO : 0, false, down,
	                sizeof(down));
	api_ready_check(checks, "sandbox", r->has_sandbox, r->sandbox_rc,
	                degraded && r->sandbox_rc != -EIO &&
	                        r->sandbox_rc != -EPIPE &&
	                        r->sandbox_rc != -ECONNRESET,
	                down, sizeof(down));
	json_object_set_new(checks, "problems",
	                    json_integer(core->problems
	                                         ? (json_int_t)core->problems->n
	                                         : 0));
	if (api->stopped)
		snprintf(down, sizeof(down), "shutting down");
	if (down[0]) {
		char detail[600];

		snprintf(detail, sizeof(detail), "Not ready: %s.", down);
		body = json_pack("{s:s,s:s,s:o}", "detail", detail, "status",
		                 "not ready", "checks", checks);
		checks = NULL;
		api_reply_json(api, req, R_HEALTH, 503, body);
	} else {
		body = json_pack("{s:s,s:o}", "status", "ready", "checks",
		                 checks);
		checks = NULL;
		api_reply_json(api, req, R_HEALTH, 200, body);
	}
out:
	json_decref(checks);
	free(r);
	api_unref(api);
}

static void api_ready(struct api *api, struct evhttp_request *req)
{
	struct api_ready *r = calloc(1, sizeof(*r));

	if (!r) {
		api_error(api, req, R_HEALTH, 503, "Out of memory.");
		return;
	}
	r->has_store = api->core->store != NULL;
	r->has_sandbox = api->core->sandbox != NULL;
	api_pending_attach(&r->p, api, req, R_HEALTH);
	if (api_pool(api, api_ready_work, api_ready_done, r) < 0) {
		api_pending_detach(&r->p);
		free(r);
		api_error(api, req, R_HEALTH, 503, "Server is shutting down.");
	}
}

/* GET /version: the build and the plugins this process runs. */
static void api_version(struct api *api, struct evhttp_request *req)
{
	struct ac_core *core = api->core;
	json_t *langs = json_array(), *plugins;

	for (size_t i = 0; langs && i < core->nlangs; i++) {
		const struct ac_lang_ops *ops = core->langs[i]->ops;
		const struct ac_lang_info *info =
		        ops->info(core->langs[i]->state);

		if (info)
			json_array_append_new(langs, json_string(info->name));
	}
	plugins = json_pack(
	        "{s:o,s:o,s:o,s:o}", "transport",
	        api_nullable(
	                ac_config_string(core->cfg, "transport.plugin", NULL)),
	        "store",
	        api_nullable(ac_config_string(core->cfg, "store.plugin", NULL)),
	        "sandbox",
	        api_nullable(core->sandbox
	                             ? ac_config_string(core->cfg,
	                                                "sandbox.plugin", NULL)
	                             : NULL),
	        "lang", langs ? langs : json_array());
	api_reply_json(api, req, R_HEALTH, 200,
	               json_pack("{s:s,s:s,s:i,s:i,s:o}", "name", PACKAGE_NAME,
	                         "version", PACKAGE_VERSION, "abi",
	                         (int)AC_ABI_VERSION, "abi_minor",
	                         (int)AC_ABI_MINOR, "plugins",
	                         plugins ? plugins : json_object()));
}

/* ------------------------------------------------------------------ */
/* POST /api/v1/code/run/ and GET /api/v1/code/run/ID/                  */

/* The api that accepts a run keeps it in memory: pending for at most
 * API_RUN_PENDING_S, finished for API_RUN_KEEP_S.  Its document is also
 * stored (put_result, by whichever api process consumes it), so that
 * every api process can answer its polls (docs/api.md). */
#define API_RUN_PENDING_S 600
#define API_RUN_KEEP_S    300

struct api_run {
	struct api_run *next;
	char id[48];
	char *user;
	char *doc;          /* NULL while pending */
	int64_t expires_ms; /* forgotten then */
};

static void api_run_free(struct api_run *r)
{
	free(r->user);
	free(r->doc);
	free(r);
}

static void api_runs_free(struct api *api)
{
	while (api->runs) {
		struct api_run *r = api->runs;

		api->runs = r->next;
		api_run_free(r);
	}
	api->nruns = 0;
}

/* Forget expired runs; the run of id, or NULL. */
static struct api_run *api_run_find(struct api *api, const char *id)
{
	int64_t now = ac_now_ms();
	struct api_run **pp = &api->runs, *found = NULL;

	while (*pp) {
		struct api_run *r = *pp;

		if (r->expires_ms <= now) {
			*pp = r->next;
			api->nruns--;
			api_run_free(r);
			continue;
		}
		if (id && strcmp(r->id, id) == 0)
			found = r;
		pp = &r->next;
	}
	return found;
}

/* A run's document arrived on the result queue: keep it and answer its
 * waiters.  A run this api does not know (forgotten, or accepted by
 * another api process) is served from the store (put_result by the
 * caller, get_result by api_run_get). */
static void api_run_result(struct api *api, const char *id, const char *doc)
{
	struct api_run *r = api_run_find(api, id);
	struct api_waiter *w, *next;

	if (!r)
		return;
	if (r->doc)
		return; /* judged twice (a redelivery): the first wins */
	r->doc = strdup(doc);
	if (!r->doc)
		return;
	r->expires_ms = ac_now_ms() + API_RUN_KEEP_S * 1000;
	for (w = api->buckets[api_hash(id)]; w; w = next) {
		struct evhttp_request *req;

		next = w->next;
		if (strcmp(w->id, id) != 0)
			continue;
		req = api_pending_detach(&w->p);
		api->polls_woken++;
		if (req)
			api_answer_result(api, req, w->user, r->user, r->doc);
		api_waiter_free(w);
	}
}

/* A run id: "run-" and a version 7 UUID, whose first 48 bits are the
 * time it was accepted (ms since the epoch), so that any api process can
 * tell a run that may still be pending from an unknown or expired one. */
static void api_run_new_id(char out[37])
{
	uint64_t ms = (uint64_t)ac_now_ms();
	char ts[13];

	api_new_id(out);
	snprintf(ts, sizeof(ts), "%012llx",
	         (unsigned long long)(ms & 0xffffffffffffULL));
	memcpy(out, ts, 8);
	memcpy(out + 9, ts + 8, 4);
	out[14] = '7';
}

/* Was the run of id accepted in the last API_RUN_PENDING_S (by any api
 * process)?  false for an id of another shape. */
static bool api_run_fresh(const char *id)
{
	const char *u = id + strlen(API_RUN_PREFIX);
	char hex[13];
	int64_t ms, now = ac_now_ms();

	if (strlen(id) != strlen(API_RUN_PREFIX) + 36 || u[8] != '-' ||
	    u[13] != '-' || u[14] != '7')
		return false;
	memcpy(hex, u, 8);
	memcpy(hex + 8, u + 9, 4);
	hex[12] = '\0';
	if (strspn(hex, "0123456789abcdef") != 12)
		return false;
	ms = (int64_t)strtoll(hex, NULL, 16);
	return ms > now - API_RUN_PENDING_S * 1000 && ms < now + 60 * 1000;
}

/* The store has no document for the run c->id (c->rc < 0): answer from
 * memory, or park while the run may be pending here or on another api
 * process.  Another user's run, or an unknown or expired one: 404. */
static void api_run_unstored(struct api *api, struct evhttp_request *req,
                             struct api_check *c)
{
	struct api_run *r = api_run_find(api, c->id);

	if (c->rc != -ENOENT && c->rc != -EAGAIN)
		log_error("result store: get_result(%s): %s", c->id,
		          strerror(-c->rc));
	if (r && strcmp(r->user, c->user) != 0)
		api_error(api, req, R_RUN, 404, "Not found.");
	else if (r && r->doc)
		api_answer_result(api, req, c->user, r->user, r->doc);
	else if (!r && (c->rc == -EAGAIN || !api_run_fresh(c->id)))
		api_error(api, req, R_RUN, 404, "Not found.");
	else if (api->wait_s <= 0)
		api_reply_json(
		        api, req, R_RUN, 202,
		        json_pack("{s:s,s:n}", "status", "pending", "data"));
	else
		api_park(api, req, c->id, c->user);
}

/* From this api's memory when it accepted the run and has its document;
 * else from the store (the document may have reached another api
 * process), then parked until it arrives here or the wait ends. */
static void api_run_get(struct api *api, struct evhttp_request *req,
                        const char *id, size_t idlen)
{
	char *user = api_auth(api, req, R_RUN), key[API_MAX_ID + 1];
	struct api_check *c = NULL;
	struct api_run *r;

	if (!user)
		return;
	if (!api_id_ok(id, idlen) ||
	    strncmp(id, API_RUN_PREFIX, strlen(API_RUN_PREFIX)) != 0) {
		api_error(api, req, R_RUN, 404, "Not found.");
		goto out;
	}
	memcpy(key, id, idlen);
	key[idlen] = '\0';
	r = api_run_find(api, key);
	if (r && strcmp(r->user, user) != 0) {
		api_error(api, req, R_RUN, 404, "Not found.");
		goto out;
	}
	if (r && r->doc) {
		api_answer_result(api, req, user, r->user, r->doc);
		goto out;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		api_error(api, req, R_RUN, 503, "Out of memory.");
		goto out;
	}
	memcpy(c->id, key, idlen + 1);
	c->user = user;
	user = NULL;
	c->run = true;
	api_pending_attach(&c->p, api, req, R_RUN);
	if (api_check_submit(c) < 0) {
		api_pending_detach(&c->p);
		api_check_free(c);
		api_error(api, req, R_RUN, 503, "Server is shutting down.");
	}
out:
	free(user);
}

struct api_run_post {
	struct api_pending p;
	struct ac_job_msg m; /* owns its strings */
	char *key;
	int rc_rate;
	int64_t retry_ms;
};

static void api_run_post_free(struct api_run_post *rp)
{
	ac_job_msg_clear(&rp->m);
	free(rp->key);
	free(rp);
}

static void api_run_post_work(void *arg)
{
	struct api_run_post *rp = arg;
	struct api *api = rp->p.api;

	rp->rc_rate = AC_STORE(api->core)->rate_take(
	        api->core->store->state, rp->key, api->burst, api->rate,
	        ac_now_ms(), &rp->retry_ms);
}

static void api_run_post_done(void *arg)
{
	struct api_run_post *rp = arg;
	struct api *api = rp->p.api;
	struct evhttp_request *req = api_pending_detach(&rp->p);
	struct api_run *r = NULL;
	struct api_job *j;
	char *body = NULL, num[32];

	api_completed(api);
	if (rp->rc_rate == -EAGAIN) {
		long long wait = (rp->retry_ms + 999) / 1000;

		if (wait < 1)
			wait = 1;
		api->submissions_throttled++;
		if (req) {
			snprintf(num, sizeof(num), "%lld", wait);
			evhttp_add_header(
			        evhttp_request_get_output_headers(req),
			        "Retry-After", num);
			api_error(api, req, R_RUN, 429,
			          "Request was throttled. Expected available "
			          "in %lld seconds.",
			          wait);
		}
		goto out;
	}
	if (rp->rc_rate < 0) {
		log_error("run: rate_take: %s", strerror(-rp->rc_rate));
		if (req)
			api_error(api, req, R_RUN, 503,
			          "The store is unavailable; the run was not "
			          "accepted.");
		goto out;
	}
	if (!req)
		goto out; /* the client is gone: nothing to run for */
	r = calloc(1, sizeof(*r));
	body = ac_job_msg_encode(&rp->m);
	if (!r || !body || !(r->user = strdup(rp->m.user_id))) {
		api_error(api, req, R_RUN, 503, "Out of memory.");
		goto out;
	}
	snprintf(r->id, sizeof(r->id), "%s", rp->m.submission_id);
	r->expires_ms = ac_now_ms() + API_RUN_PENDING_S * 1000;
	r->next = api->runs;
	api->runs = r;
	api->nruns++;
	r = NULL;
	api_reply_json(api, req, R_RUN, 201,
	               json_pack("{s:{s:s,s:s}}", "result", "detail",
	                         "Your run has been submitted.", "run_id",
	                         rp->m.submission_id));
	j = api_job_new(api, strdup(rp->m.submission_id), strdup(rp->m.lang),
	                body);
	body = NULL;
	if (j)
		api_job_send(j);
out:
	free(body);
	if (r)
		api_run_free(r);
	api_run_post_free(rp);
	api_unref(api);
}

/* The inputs of a run request: "input" (one string) or "inputs" (an
 * array of strings), bounded by api.run_max_inputs and
 * api.run_max_input_kb each.  On failure the request was answered. */
static int api_run_inputs(struct api *api, struct evhttp_request *req,
                          json_t *body, struct ac_job_msg *m)
{
	json_t *one = json_object_get(body, "input");
	json_t *many = json_object_get(body, "inputs"), *v;
	size_t n, i;

	if ((one && many) || (!one && !many)) {
		api_error(api, req, R_RUN, 400,
		          "Give either \"input\" (a string) or \"inputs\" (an "
		          "array of strings).");
		return -EINVAL;
	}
	if (one && !json_is_string(one)) {
		api_error(api, req, R_RUN, 400,
		          "Field \"input\" must be a string.");
		return -EINVAL;
	}
	if (many && (!json_is_array(many) || json_array_size(many) == 0)) {
		api_error(api, req, R_RUN, 400,
		          "Field \"inputs\" must be a non-empty array of "
		          "strings.");
		return -EINVAL;
	}
	n = one ? 1 : json_array_size(many);
	if (n > (size_t)api->run_max_inputs) {
		api_error(api, req, R_RUN, 413,
		          "%zu inputs; the limit is %lld.", n,
		          api->run_max_inputs);
		return -E2BIG;
	}
	m->inputs = calloc(n, sizeof(*m->inputs));
	m->input_lens = calloc(n, sizeof(*m->input_lens));
	if (!m->inputs || !m->input_lens) {
		api_error(api, req, R_RUN, 503, "Out of memory.");
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		v = one ? one : json_array_get(many, i);
		if (!json_is_string(v)) {
			api_error(api, req, R_RUN, 400,
			          "Input %zu is not a string.", i + 1);
			return -EINVAL;
		}
		if (json_string_length(v) >
		    (size_t)api->run_max_input_kb * 1024) {
			api_error(api, req, R_RUN, 413,
			          "Input %zu is %zu bytes; the limit is %lld "
			          "KiB.",
			          i + 1, json_string_length(v),
			          api->run_max_input_kb);
			return -E2BIG;
		}
		m->input_lens[i] = json_string_length(v);
		m->inputs[i] = malloc(m->input_lens[i] + 1);
		if (!m->inputs[i]) {
			api_error(api, req, R_RUN, 503, "Out of memory.");
			return -ENOMEM;
		}
		memcpy(m->inputs[i], json_string_value(v), m->input_lens[i]);
		m->inputs[i][m->input_lens[i]] = '\0';
		m->ninputs = i + 1;
	}
	return 0;
}

/* The request's lang and code, checked as submit checks them; then its
 * inputs.  On failure the request was answered. */
static int api_run_parse(struct api *api, struct evhttp_request *req,
                         json_t *body, struct ac_job_msg *m)
{
	json_t *v = json_object_get(body, "lang");
	json_t *c = json_object_get(body, "code");
	char shown[80], list[256];

	if (!json_is_string(v) || !json_is_string(c) ||
	    json_string_length(c) == 0) {
		api_error(api, req, R_RUN, 400,
		          "Fields \"lang\" and \"code\" are required strings.");
		return -EINVAL;
	}
	if (json_string_length(c) > api->max_source) {
		api_error(api, req, R_RUN, 413,
		          "The source code is %zu bytes; the limit is %zu KiB.",
		          json_string_length(c), api->max_source / 1024);
		return -E2BIG;
	}
	if (json_string_length(v) != strlen(json_string_value(v)) ||
	    !ac_core_lang(api->core, json_string_value(v))) {
		ac_core_lang_list(api->core, list, sizeof(list));
		api_printable(json_string_value(v), shown, sizeof(shown));
		api_error(api, req, R_RUN, 400,
		          "Unsupported language \"%s\"; supported: %s", shown,
		          list);
		return -EINVAL;
	}
	m->lang = strdup(json_string_value(v));
	m->code_len = json_string_length(c);
	m->code = malloc(m->code_len + 1);
	if (!m->lang || !m->code) {
		api_error(api, req, R_RUN, 503, "Out of memory.");
		return -ENOMEM;
	}
	memcpy(m->code, json_string_value(c), m->code_len + 1);
	return api_run_inputs(api, req, body, m);
}

static void api_run_post(struct api *api, struct evhttp_request *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t blen = evbuffer_get_length(in);
	struct api_run_post *rp = NULL;
	char *user, msg[300], uuid[37];
	json_t *body = NULL;

	user = api_auth(api, req, R_RUN);
	if (!user)
		return;
	body = ac_http_parse_object(blen ? (const char *)evbuffer_pullup(in, -1)
	                                 : NULL,
	                            blen, msg, sizeof(msg));
	if (!body) {
		api_error(api, req, R_RUN, 400, "%s", msg);
		goto out;
	}
	rp = calloc(1, sizeof(*rp));
	if (!rp) {
		api_error(api, req, R_RUN, 503, "Out of memory.");
		goto out;
	}
	if (api_run_parse(api, req, body, &rp->m) < 0)
		goto out;
	api_run_find(api, NULL);
	if (api->nruns >= (size_t)api->run_max_runs ||
	    api->outbox_bytes + blen + 4096 > API_OUTBOX_MAX_BYTES ||
	    api->noutbox >= API_OUTBOX_MAX) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		                  "Retry-After", "30");
		api_error(api, req, R_RUN, 503,
		          "Too many runs waiting; try again later.");
		goto out;
	}
	api_run_new_id(uuid);
	rp->m.run = true;
	rp->m.user_id = user;
	user = NULL;
	rp->m.submitted_at = ac_now_ms();
	if (asprintf(&rp->m.submission_id, API_RUN_PREFIX "%s", uuid) < 0)
		rp->m.submission_id = NULL;
	/* The same bucket as submissions: a run costs a token too. */
	if (asprintf(&rp->key, "submit:%s", rp->m.user_id) < 0)
		rp->key = NULL;
	if (!rp->m.submission_id || !rp->key) {
		api_error(api, req, R_RUN, 503, "Out of memory.");
		goto out;
	}
	api_pending_attach(&rp->p, api, req, R_RUN);
	if (api_pool(api, api_run_post_work, api_run_post_done, rp) < 0) {
		api_pending_detach(&rp->p);
		api_error(api, req, R_RUN, 503, "Server is shutting down.");
		goto out;
	}
	rp = NULL;
out:
	if (rp)
		api_run_post_free(rp);
	free(user);
	json_decref(body);
}

/* ------------------------------------------------------------------ */
/* Routing                                                              */

/* If path is prefix + ID + "/" (final slash optional), the ID. */
static bool api_match_id(const char *path, const char *prefix, const char **id,
                         size_t *idlen)
{
	size_t n = strlen(prefix);
	const char *end;

	if (strncmp(path, prefix, n) != 0)
		return false;
	path += n;
	end = strchr(path, '/');
	if (end && end[1] != '\0')
		return false;
	*id = path;
	*idlen = end ? (size_t)(end - path) : strlen(path);
	return *idlen > 0;
}

/* path equals want, with or without its final slash. */
static bool api_path_is(const char *path, const char *want)
{
	size_t n = strlen(want);

	if (strcmp(path, want) == 0)
		return true;
	return want[n - 1] == '/' && strlen(path) == n - 1 &&
	       strncmp(path, want, n - 1) == 0;
}

static bool api_method_ok(struct api *api, struct evhttp_request *req,
                          enum api_route route, bool post)
{
	enum evhttp_cmd_type m = evhttp_request_get_command(req);
	static const char *const names[] = {"GET",   "POST",    "HEAD",
	                                    "PUT",   "DELETE",  "OPTIONS",
	                                    "TRACE", "CONNECT", "PATCH"};
	const char *name = "?";

	if (post ? m == EVHTTP_REQ_POST
	         : (m == EVHTTP_REQ_GET || m == EVHTTP_REQ_HEAD))
		return true;
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((unsigned)m == (1u << i))
			name = names[i];
	evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
	                  post ? "POST, OPTIONS" : "GET, HEAD, OPTIONS");
	if (m == EVHTTP_REQ_OPTIONS) {
		api_reply_json(api, req, route, 200, json_object());
		return false;
	}
	api_error(api, req, route, 405, "Method \"%s\" not allowed.", name);
	return false;
}

static void api_request_cb(struct evhttp_request *req, const char *path,
                           void *arg)
{
	struct api *api = arg;
	const char *id;
	size_t idlen;

	if (api->stopped) {
		api_error(api, req, R_OTHER, 503, "Server is shutting down.");
	} else if (api_path_is(path, "/api/v1/code/submit/")) {
		if (api_method_ok(api, req, R_SUBMIT, true))
			api_submit(api, req);
	} else if (api_path_is(path, "/api/v1/code/run/")) {
		if (api_method_ok(api, req, R_RUN, true))
			api_run_post(api, req);
	} else if (api_match_id(path, "/api/v1/code/run/", &id, &idlen)) {
		if (api_method_ok(api, req, R_RUN, false))
			api_run_get(api, req, id, idlen);
	} else if (api_match_id(path, "/api/v1/result/check/", &id, &idlen)) {
		if (api_method_ok(api, req, R_RESULT, false))
			api_result_check(api, req, id, idlen);
	} else if (api_match_id(path, "/api/v1/result/stream/", &id, &idlen)) {
		if (api_method_ok(api, req, R_STREAM, false))
			api_result_stream(api, req, id, idlen);
	} else if (api_path_is(path, "/api/v1/submissions/")) {
		char *user;

		if (api_method_ok(api, req, R_SUBMISSIONS, false) &&
		    (user = api_auth(api, req, R_SUBMISSIONS))) {
			api_count(api, R_SUBMISSIONS, 200);
			ac_submissions_list(api->core, req, user);
		}
	} else if (api_path_is(path, "/api/v1/problem/all/")) {
		if (api_method_ok(api, req, R_PROBLEMS, false))
			api_problem_list(api, req);
	} else if (api_match_id(path, "/api/v1/problem/", &id, &idlen)) {
		if (api_method_ok(api, req, R_PROBLEM, false))
			api_problem_detail(api, req, id, idlen);
	} else if (api_path_is(path, "/api/v1/languages/")) {
		if (api_method_ok(api, req, R_LANGUAGES, false))
			api_languages(api, req);
	} else if (api_path_is(path, "/api/v1/common/healthcheck/")) {
		if (api_method_ok(api, req, R_HEALTH, false))
			api_reply_json(api, req, R_HEALTH, 200,
			               json_pack("{s:s}", "status", "OK"));
	} else if (api_path_is(path, "/api/v1/common/ready/")) {
		if (api_method_ok(api, req, R_HEALTH, false))
			api_ready(api, req);
	} else if (api_path_is(path, "/version")) {
		if (api_method_ok(api, req, R_HEALTH, false))
			api_version(api, req);
	} else if (api_path_is(path, "/metrics")) {
		if (api_method_ok(api, req, R_METRICS, false))
			api_metrics(api, req);
	} else if (api_path_is(path, "/api/v1/openapi.json")) {
		if (api_method_ok(api, req, R_OTHER, false) &&
		    !ac_openapi_serve(api->openapi, req))
			api_error(api, req, R_OTHER, 404, "Not found.");
	} else if (!ac_console_serve(api->console, req, path)) {
		api_error(api, req, R_OTHER, 404, "Not found.");
	}
}

/* ------------------------------------------------------------------ */
/* Start and stop                                                       */

/* Parked polls are connections: let there be thousands. */
static void api_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max > 65536 ? 65536 : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
		log_debug("%s: open files limit raised to %llu", __func__,
		          (unsigned long long)rl.rlim_cur);
}

static void api_free(struct api *api)
{
	api_runs_free(api);
	ac_streams_free(api->streams);
	ac_console_free(api->console);
	ac_openapi_free(api->openapi);
	while (api->outbox)
		api_job_free(api_outbox_pop(api));
	ac_jwt_keys_wipe(&api->keys);
	free(api);
}

static void api_unref(struct api *api)
{
	if (--api->refs == 0)
		api_free(api);
}

static int api_settings(struct api *api, struct ac_http_limits *lim, char *err,
                        size_t errlen)
{
	struct ac_core *core = api->core;
	long long v, body_max, timeout;
	int rc;

	ac_http_limits_default(lim);
	rc = ac_settings_int(core->cfg, "api.max_source_kb", &v, err, errlen);
	if (rc < 0)
		return rc;
	api->max_source = (size_t)v * 1024;
	rc = ac_settings_int(core->cfg, "api.result_wait_s", &v, err, errlen);
	if (rc < 0)
		return rc;
	api->wait_s = (int)v;
	/* JSON escaping may blow the source up (\u00XX is 6 bytes). */
	rc = ac_settings_int(core->cfg, "api.max_body_kb", &body_max, err,
	                     errlen);
	if (rc == -ENOENT) {
		body_max = (long long)(api->max_source / 1024) * 6 + 64;
		rc = 0;
	}
	if (rc < 0)
		return rc;
	rc = ac_settings_int(core->cfg, "api.read_timeout_s", &timeout, err,
	                     errlen);
	if (rc == -ENOENT) {
		timeout = api->wait_s + 25 > 30 ? api->wait_s + 25 : 30;
		rc = 0;
	}
	if (rc == 0 && timeout <= api->wait_s) {
		snprintf(err, errlen,
		         "api.read_timeout_s (%lld) must be above "
		         "api.result_wait_s (%d)",
		         timeout, api->wait_s);
		rc = -EINVAL;
	}
	if (rc < 0)
		return rc;
	lim->body_max = (size_t)body_max * 1024;
	lim->timeout_s = (int)timeout;
	rc = ac_settings_int(core->cfg, "api.request_timeout_s", &v, err,
	                     errlen);
	if (rc < 0)
		return rc;
	lim->request_timeout_s = (int)v;
	rc = ac_settings_int(core->cfg, "api.max_header_kb", &v, err, errlen);
	if (rc < 0)
		return rc;
	lim->headers_max = (size_t)v * 1024;
	rc = ac_settings_int(core->cfg, "api.max_url_bytes", &v, err, errlen);
	if (rc < 0)
		return rc;
	lim->url_max = (size_t)v;
	rc = ac_settings_int(core->cfg, "api.requeue_after_s", &v, err, errlen);
	if (rc < 0)
		return rc;
	api->requeue_after_ms = v * 1000;
	rc = ac_settings_int(core->cfg, "api.requeue_interval_s", &v, err,
	                     errlen);
	if (rc < 0)
		return rc;
	api->sweep_interval_s = v;
	rc = ac_settings_int(core->cfg, "api.max_attempts", &v, err, errlen);
	if (rc < 0)
		return rc;
	api->max_attempts = v;
	rc = ac_settings_int(core->cfg, "api.run_max_inputs",
	                     &api->run_max_inputs, err, errlen);
	if (rc == 0)
		rc = ac_settings_int(core->cfg, "api.run_max_input_kb",
		                     &api->run_max_input_kb, err, errlen);
	if (rc == 0)
		rc = ac_settings_int(core->cfg, "api.run_max_runs",
		                     &api->run_max_runs, err, errlen);
	if (rc < 0)
		return rc;
	rc = ac_settings_float(core->cfg, "api.rate_burst", &api->burst, err,
	                       errlen);
	if (rc == 0)
		rc = ac_settings_float(core->cfg, "api.rate_per_s", &api->rate,
		                       err, errlen);
	return rc;
}

/* The OpenAPI document (api.openapi_file): a missing file leaves
 * /api/v1/openapi.json unserved (404, logged), a broken one is an error. */
static int api_openapi_load(struct api *api, char *err, size_t errlen)
{
	const char *path = ac_config_string(api->core->cfg, "api.openapi_file",
	                                    AC_OPENAPI_FILE);
	char e[512];
	int rc;

	rc = ac_openapi_load(path, &api->openapi, e, sizeof(e));
	if (rc == -ENOENT) {
		log_info("api: no OpenAPI document (%s)", e);
		return 0;
	}
	if (rc < 0)
		snprintf(err, errlen, "api.openapi_file: %s", e);
	return rc;
}

/* The web console (api.console, api.console_dir): a missing directory
 * leaves / unserved (logged), a broken one is an error. */
static int api_console_load(struct api *api, char *err, size_t errlen)
{
	const char *dir = ac_config_string(api->core->cfg, "api.console_dir",
	                                   AC_CONSOLE_DIR);
	char e[512];
	int rc;

	if (!ac_config_bool(api->core->cfg, "api.console", true))
		return 0;
	rc = ac_console_load(dir, &api->console, e, sizeof(e));
	if (rc == -ENOENT) {
		log_info("api: no web console (%s)", e);
		return 0;
	}
	if (rc < 0) {
		snprintf(err, errlen, "api.console_dir: %s", e);
		return rc;
	}
	log_info("api: web console at / (%zu files from %s)",
	         ac_console_count(api->console), dir);
	return 0;
}

int ac_api_start(struct ac_core *core, char *err, size_t errlen)
{
	const char *secret_path, *listen;
	struct ac_http_limits lim;
	struct api *api;
	int rc;

	if (core->api) {
		snprintf(err, errlen, "the api role is already running");
		return -EALREADY;
	}
	if (!core->transport || !core->store || !core->pool || !core->base) {
		snprintf(err, errlen,
		         "the api role needs a transport and a store");
		return -EINVAL;
	}
	api = calloc(1, sizeof(*api));
	if (!api) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	api->core = core;
	api->refs = 1;
	api->outbox_tail = &api->outbox;
	api->started_ms = ac_now_ms();
	rc = api_settings(api, &lim, err, errlen);
	if (rc < 0)
		goto fail;
	if (!AC_STORE(core)->claim_pending) {
		snprintf(err, errlen,
		         "the %s store has no claim_pending: the api role "
		         "needs it to keep its promise (a stored submission "
		         "gets a result)",
		         core->store->desc->name);
		rc = -ENOTSUP;
		goto fail;
	}
	api->outbox_timer = evtimer_new(core->base, api_outbox_timer_cb, api);
	api->sweep_timer = evtimer_new(core->base, api_sweep_timer_cb, api);
	if (!api->outbox_timer || !api->sweep_timer) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto fail;
	}
	secret_path = ac_config_string(core->cfg, "api.jwt_secret_file", NULL);
	if (!secret_path) {
		snprintf(err, errlen,
		         "api.jwt_secret_file is not set: where is the token "
		         "signing key?");
		rc = -EINVAL;
		goto fail;
	}
	rc = ac_jwt_keys_load(secret_path, 1, &api->keys, err, errlen);
	if (rc < 0)
		goto fail;

	{
		long long recheck, max_s;

		rc = ac_settings_int(core->cfg, "api.stream_recheck_s",
		                     &recheck, err, errlen);
		if (rc == 0)
			rc = ac_settings_int(core->cfg, "api.stream_max_s",
			                     &max_s, err, errlen);
		if (rc < 0)
			goto fail;
		api->streams = ac_streams_new(core, (int)recheck, (int)max_s);
		if (!api->streams) {
			snprintf(err, errlen, "out of memory");
			rc = -ENOMEM;
			goto fail;
		}
	}
	rc = api_console_load(api, err, errlen);
	if (rc < 0)
		goto fail;
	rc = api_openapi_load(api, err, errlen);
	if (rc < 0)
		goto fail;
	api_raise_nofile();
	listen = ac_config_string(core->cfg, "api.listen", "127.0.0.1:8080");
	rc = ac_http_open(core, "api.listen", listen, &lim, &api->http, err,
	                  errlen);
	if (rc < 0)
		goto fail;
	/* Everything not routed to another role of this server. */
	rc = ac_http_route(api->http, "/", api_request_cb, api);
	if (rc < 0) {
		snprintf(err, errlen, "cannot route the api: %s",
		         strerror(-rc));
		goto fail;
	}
	ac_metrics_declare("jobs_published_total", AC_METRIC_COUNTER,
	                   "Jobs the transport confirmed, by language.");
	ac_metrics_declare("jobs_requeued_total", AC_METRIC_COUNTER,
	                   "Pending submissions enqueued again, by reason "
	                   "(start-up, sweep).");
	ac_metrics_declare("publish_failures_total", AC_METRIC_COUNTER,
	                   "Job publishes the transport refused or did not "
	                   "confirm (the job waits in the outbox).");
	ac_metrics_declare("jobs_deferred_total", AC_METRIC_COUNTER,
	                   "Jobs the transport refused for want of room "
	                   "(offered again).");
	ac_metrics_declare("outbox_jobs", AC_METRIC_GAUGE,
	                   "Stored jobs waiting for the transport.");
	ac_metrics_declare("internal_errors_total", AC_METRIC_COUNTER,
	                   "Internal Error results, by cause.");
	ac_metrics_set("outbox_jobs", NULL, 0);
	ac_metrics_declare_transport();
	/* Results are consumed from now on; core->api must be set first. */
	core->api = api;
	rc = AC_TRANSPORT(core)->consume_results(core->transport->state,
	                                         api_result_msg_cb, core);
	if (rc < 0) {
		core->api = NULL;
		snprintf(err, errlen, "cannot consume results: %s",
		         strerror(-rc));
		goto fail;
	}
	log_info("api: listening on %s (results wait %d s, sources up to %zu "
	         "KiB, %zu signing key%s)",
	         ac_http_address(api->http), api->wait_s,
	         api->max_source / 1024, api->keys.n,
	         api->keys.n == 1 ? "" : "s");
	/* Keep the promise of earlier runs: with queues that did not survive
	 * the restart every pending submission is enqueued again; with a
	 * broker's durable queues only those older than requeue_after_s. */
	{
		const struct ac_transport_ops *tr = AC_TRANSPORT(core);
		bool vol = tr->volatile_queues &&
		           tr->volatile_queues(core->transport->state);

		api_sweep_start(api,
		                vol ? api->started_ms
		                    : api->started_ms - api->requeue_after_ms,
		                "start-up");
	}
	return 0;
fail:
	ac_http_close(api->http, api);
	if (api->outbox_timer)
		event_free(api->outbox_timer);
	if (api->sweep_timer)
		event_free(api->sweep_timer);
	api_free(api);
	return rc;
}

static void api_drain_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	bool *expired = arg;

	*expired = true;
}

void ac_api_stop(struct ac_core *core)
{
	struct api *api = core ? core->api : NULL;
	struct timeval tv = {API_DRAIN_S, 0};
	struct event *deadline;
	bool expired = false;

	if (!api)
		return;
	/* No new connections (on a shared server, for the other roles
	 * too: they stop with us); requests on open ones answer 503. */
	ac_http_stop_accepting(api->http);
	api->stopped = true;
	evtimer_del(api->outbox_timer);
	evtimer_del(api->sweep_timer);
	if (api->noutbox)
		log_warn("api: %zu job(s) still in the outbox stay pending "
		         "(enqueued again at the next start or by the sweep)",
		         api->noutbox);
	while (api->outbox)
		api_job_free(api_outbox_pop(api));
	ac_streams_free(api->streams);
	api->streams = NULL;
	for (size_t b = 0; b < API_NBUCKETS; b++) {
		while (api->buckets[b]) {
			struct api_waiter *w = api->buckets[b];
			struct evhttp_request *req = api_pending_detach(&w->p);

			api_waiter_free(w);
			if (req)
				api_error(api, req, R_RESULT, 503,
				          "Server is shutting down.");
		}
	}
	/* Let blocking work and publishes in flight complete and answer,
	 * then give the answers a moment to be written (must not be called
	 * from inside the loop). */
	deadline = evtimer_new(core->base, api_drain_timeout_cb, &expired);
	if (deadline && evtimer_add(deadline, &tv) == 0) {
		while (api->inflight && !expired)
			if (event_base_loop(core->base, EVLOOP_ONCE) < 0)
				break;
		tv.tv_sec = 0;
		tv.tv_usec = API_FLUSH_US;
		expired = false;
		if (evtimer_add(deadline, &tv) == 0)
			while (!expired)
				if (event_base_loop(core->base, EVLOOP_ONCE) <
				    0)
					break;
	}
	if (deadline)
		event_free(deadline);
	if (api->inflight)
		log_warn("api: stopping with %u operations in flight",
		         api->inflight);
	/* The last role of the server frees every connection: pending
	 * requests lose their req. */
	ac_http_close(api->http, api);
	api->http = NULL;
	event_free(api->outbox_timer);
	event_free(api->sweep_timer);
	api->outbox_timer = api->sweep_timer = NULL;
	core->api = NULL;
	api_unref(api);
}
