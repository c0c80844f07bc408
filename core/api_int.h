/* What the api role's files share (internal to them; nothing else
 * includes it): struct api, the routes, the pending requests and waiters,
 * and the functions one file defines for another.
 *   api.c          the role: start and stop, settings, routing, replies,
 *                  pending requests, authentication
 *   api_submit.c   POST /api/v1/code/submit/, the outbox, the sweep
 *   api_results.c  result polls (parked waiters), the stream route, the
 *                  results consumer
 *   api_run.c      runs with custom input
 *   api_problems.c problems and languages
 *   api_admin.c    metrics, readiness, version */
#ifndef AC_API_INT_H
#define AC_API_INT_H
#include "api.h"

#include "core.h"
#include "jwt.h"
#include "log.h"

#include <sys/queue.h> /* before libevent's TAILQ fallbacks */

#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Waiters hash table buckets; ids of recently stored results remembered. */
#define API_NBUCKETS 4096
#define API_NRECENT  1024
/* Longest submission or problem id in a path. */
#define API_MAX_ID 128
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
/* Ids of runs with custom input start so (results of runs and of
 * submissions share the results queue and the store). */
#define API_RUN_PREFIX "run-"

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

extern const char *const api_route_names[R_COUNT];

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

/* A result lookup of GET /api/v1/result/check/ID/ or
 * GET /api/v1/code/run/ID/ (api_results.c, api_run.c). */
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

/* api.c */
void api_count(struct api *api, enum api_route route, int code);
void api_reply_raw(struct api *api, struct evhttp_request *req,
                   enum api_route route, int code, const char *ctype,
                   const char *text, size_t len);
void api_reply_json(struct api *api, struct evhttp_request *req,
                    enum api_route route, int code, json_t *body);
/* {"detail": "..."} with the status. */
void api_error(struct api *api, struct evhttp_request *req,
               enum api_route route, int code, const char *fmt, ...)
        AC_PRINTF(5, 6);
void api_printable(const char *s, char *out, size_t outlen);
void api_pending_attach(struct api_pending *p, struct api *api,
                        struct evhttp_request *req, enum api_route route);
struct evhttp_request *api_pending_detach(struct api_pending *p);
void api_ref(struct api *api);
int api_pool(struct api *api, void (*work)(void *), void (*done)(void *),
             void *arg);
void api_completed(struct api *api);
int api_offload(struct api_pending *p, struct api *api,
                struct evhttp_request *req, enum api_route route,
                void (*work)(void *), void (*done)(void *), void *arg);
json_t *api_body(struct api *api, struct evhttp_request *req,
                 enum api_route route);
char *api_auth(struct api *api, struct evhttp_request *req,
               enum api_route route);
/* api_auth, then api_body: the body, the user in *user; NULL when either
 * answered req (*user NULL). */
json_t *api_auth_body(struct api *api, struct evhttp_request *req,
                      enum api_route route, char **user);
void api_unref(struct api *api);

/* api_results.c */
unsigned api_hash(const char *id);
void api_waiter_free(struct api_waiter *w);
void api_answer_result(struct api *api, struct evhttp_request *req,
                       const char *user, const char *owner,
                       const char *result_json);
void api_result_stored(struct api *api, const char *id, const char *owner,
                       const char *result_json);
void api_check_start(struct api *api, struct evhttp_request *req,
                     enum api_route route, const char *id, size_t idlen,
                     char *user, bool run);
void api_wake(struct api *api, const char *id, const char *owner,
              const char *doc);
void api_pend(struct api *api, struct evhttp_request *req, enum api_route route,
              const char *id, const char *user);
bool api_id_ok(const char *s, size_t len);
/* api_auth, then the id of the path (404 when not api_id_ok): the user, or
 * NULL when req was answered. */
char *api_auth_id(struct api *api, struct evhttp_request *req,
                  enum api_route route, const char *id, size_t idlen);
void api_result_check(struct api *api, struct evhttp_request *req,
                      const char *id, size_t idlen);
void api_result_stream(struct api *api, struct evhttp_request *req,
                       const char *id, size_t idlen);
void api_result_msg_cb(void *arg, const char *body, size_t len,
                       struct ac_delivery *d);

/* api_submit.c */
void api_job_free(struct api_job *j);
struct api_job *api_job_new(struct api *api, char *id, char *lang, char *body);
struct api_job *api_outbox_pop(struct api *api);
void api_outbox_timer_cb(evutil_socket_t fd, short what, void *arg);
void api_job_send(struct api_job *j);
void api_sweep_start(struct api *api, int64_t cutoff_ms, const char *why);
void api_sweep_timer_cb(evutil_socket_t fd, short what, void *arg);
void api_submit(struct api *api, struct evhttp_request *req);
/* May a job of about `bytes` join the outbox?  When busy, or when the
 * outbox has no room, req is answered 503 (Retry-After: 30) with msg and
 * the answer is false. */
bool api_admit(struct api *api, struct evhttp_request *req,
               enum api_route route, bool busy, size_t bytes, const char *msg);
void api_throttled(struct api *api, struct evhttp_request *req,
                   enum api_route route, int64_t retry_ms);

/* api_problems.c */
json_t *api_nullable(const char *s);
void api_problem_list(struct api *api, struct evhttp_request *req);
void api_problem_detail(struct api *api, struct evhttp_request *req,
                        const char *id, size_t idlen);
void api_languages(struct api *api, struct evhttp_request *req);

/* api_admin.c */
void api_metrics(struct api *api, struct evhttp_request *req);
void api_ready(struct api *api, struct evhttp_request *req);
void api_version(struct api *api, struct evhttp_request *req);

/* api_run.c */
void api_runs_free(struct api *api);
void api_run_result(struct api *api, const char *id, const char *doc);
void api_run_unstored(struct api *api, struct evhttp_request *req,
                      struct api_check *c);
void api_run_get(struct api *api, struct evhttp_request *req, const char *id,
                 size_t idlen);
void api_run_post(struct api *api, struct evhttp_request *req);

#endif
