/* The api role: the HTTP endpoints of design.md over libevent's evhttp.
 * This file holds the role itself (start and stop, its settings), the
 * routing table and what every route shares: replies, pending requests,
 * authentication.  The routes live by concern in api_submit.c,
 * api_results.c, api_run.c, api_problems.c and api_admin.c (api_int.h).
 *
 * Everything here runs on the loop thread.  Store calls block, so they run
 * on the worker pool (ac_pool_submit) and complete back on the loop; the
 * transport is loop driven.  A pending request is a `struct api_pending`
 * whose `req` the connection's close callback clears, so a completion never
 * answers a request evhttp has freed.
 *
 * Lifetime: struct api is reference counted.  Pool jobs and publishes hold a
 * reference, so ac_api_stop may return while one is still in flight (its
 * completion then frees itself).  The results consumer gets the core as its
 * argument and finds the api through core->api, so a delivery arriving after
 * ac_api_stop is requeued, never handed to freed memory. */
#include "api_int.h"

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

const char *const api_route_names[R_COUNT] = {
        "submit",      "result",      "problems", "problem",
        "languages",   "healthcheck", "metrics",  "stream",
        "submissions", "other",       "run",
};
_Static_assert(sizeof(api_route_names) / sizeof(api_route_names[0]) == R_COUNT,
               "one name per route");

/* ------------------------------------------------------------------ */
/* Replies                                                              */

void api_count(struct api *api, enum api_route route, int code)
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
void api_reply_raw(struct api *api, struct evhttp_request *req,
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
void api_reply_json(struct api *api, struct evhttp_request *req,
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

/* {"detail": "..."} with the status. */
void api_error(struct api *api, struct evhttp_request *req,
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
void api_printable(const char *s, char *out, size_t outlen)
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

/* The request waits (ac_http_hold: req NULL once the client is gone). */
void api_pending_attach(struct api_pending *p, struct api *api,
                        struct evhttp_request *req, enum api_route route)
{
	p->api = api;
	p->route = route;
	ac_http_hold(&p->req, req);
}

/* The request to answer, or NULL when the client is gone. */
struct evhttp_request *api_pending_detach(struct api_pending *p)
{
	return ac_http_unhold(&p->req);
}

void api_ref(struct api *api)
{
	api->refs++;
}

/* Submit blocking work for a pending request; the api stays alive until
 * done ran. */
int api_pool(struct api *api, void (*work)(void *), void (*done)(void *),
             void *arg)
{
	int rc = ac_pool_submit(api->core->pool, work, done, arg);

	if (rc == 0) {
		api_ref(api);
		api->inflight++;
	}
	return rc;
}

/* Run work then done for the request p (attached to req): -1 after
 * answering 503 when the pool takes no more (the caller frees arg). */
int api_offload(struct api_pending *p, struct api *api,
                struct evhttp_request *req, enum api_route route,
                void (*work)(void *), void (*done)(void *), void *arg)
{
	api_pending_attach(p, api, req, route);
	if (api_pool(api, work, done, arg) == 0)
		return 0;
	api_pending_detach(p);
	api_error(api, req, route, 503, "Server is shutting down.");
	return -1;
}

/* The request's body, a JSON object; NULL after answering 400 with what
 * is wrong with it. */
json_t *api_body(struct api *api, struct evhttp_request *req,
                 enum api_route route)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t blen = evbuffer_get_length(in);
	char msg[300];
	json_t *body = ac_http_parse_object(
	        blen ? (const char *)evbuffer_pullup(in, -1) : NULL, blen, msg,
	        sizeof(msg));

	if (!body)
		api_error(api, req, route, 400, "%s", msg);
	return body;
}

json_t *api_auth_body(struct api *api, struct evhttp_request *req,
                      enum api_route route, char **user)
{
	json_t *body;

	*user = api_auth(api, req, route);
	if (!*user)
		return NULL;
	body = api_body(api, req, route);
	if (!body) {
		free(*user);
		*user = NULL;
	}
	return body;
}

/* Call at the start of every completion of api_pool or of a publish. */
void api_completed(struct api *api)
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
char *api_auth(struct api *api, struct evhttp_request *req,
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

static void api_submissions(struct api *api, struct evhttp_request *req)
{
	char *user = api_auth(api, req, R_SUBMISSIONS);

	if (user) {
		api_count(api, R_SUBMISSIONS, 200);
		ac_submissions_list(api->core, req, user);
	}
}

static void api_health(struct api *api, struct evhttp_request *req)
{
	api_reply_json(api, req, R_HEALTH, 200,
	               json_pack("{s:s}", "status", "OK"));
}

static void api_openapi(struct api *api, struct evhttp_request *req)
{
	if (!ac_openapi_serve(api->openapi, req))
		api_error(api, req, R_OTHER, 404, "Not found.");
}

/* The routes, tried in order: a path, or (by_id) a prefix followed by an
 * id; the metrics' route; POST or GET/HEAD. */
static const struct api_path {
	const char *path;
	enum api_route route;
	bool post;
	void (*handle)(struct api *api, struct evhttp_request *req);
	void (*by_id)(struct api *api, struct evhttp_request *req,
	              const char *id, size_t idlen);
} api_paths[] = {
        {"/api/v1/code/submit/", R_SUBMIT, true, api_submit, NULL},
        {"/api/v1/code/run/", R_RUN, true, api_run_post, NULL},
        {"/api/v1/code/run/", R_RUN, false, NULL, api_run_get},
        {"/api/v1/result/check/", R_RESULT, false, NULL, api_result_check},
        {"/api/v1/result/stream/", R_STREAM, false, NULL, api_result_stream},
        {"/api/v1/submissions/", R_SUBMISSIONS, false, api_submissions, NULL},
        {"/api/v1/problem/all/", R_PROBLEMS, false, api_problem_list, NULL},
        {"/api/v1/problem/", R_PROBLEM, false, NULL, api_problem_detail},
        {"/api/v1/languages/", R_LANGUAGES, false, api_languages, NULL},
        {"/api/v1/common/healthcheck/", R_HEALTH, false, api_health, NULL},
        {"/api/v1/common/ready/", R_HEALTH, false, api_ready, NULL},
        {"/version", R_HEALTH, false, api_version, NULL},
        {"/metrics", R_METRICS, false, api_metrics, NULL},
        {"/api/v1/openapi.json", R_OTHER, false, api_openapi, NULL},
};

static void api_request_cb(struct evhttp_request *req, const char *path,
                           void *arg)
{
	struct api *api = arg;
	const char *id;
	size_t idlen;

	if (api->stopped) {
		api_error(api, req, R_OTHER, 503, "Server is shutting down.");
		return;
	}
	for (size_t i = 0; i < sizeof(api_paths) / sizeof(api_paths[0]); i++) {
		const struct api_path *r = &api_paths[i];

		if (r->by_id ? !api_match_id(path, r->path, &id, &idlen)
		             : !ac_http_path_is(path, r->path))
			continue;
		if (!api_method_ok(api, req, r->route, r->post))
			return;
		if (r->by_id)
			r->by_id(api, req, id, idlen);
		else
			r->handle(api, req);
		return;
	}
	if (!ac_console_serve(api->console, req, path))
		api_error(api, req, R_OTHER, 404, "Not found.");
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

void api_unref(struct api *api)
{
	if (--api->refs == 0)
		api_free(api);
}

static int api_settings(struct api *api, struct ac_http_limits *lim, char *err,
                        size_t errlen)
{
	long long source_kb, wait_s, body_kb, idle, req, header_kb, url;
	long long requeue_after_s;
	const struct ac_settings_want first[] = {
	        {"api.max_source_kb", &source_kb, NULL},
	        {"api.result_wait_s", &wait_s, NULL},
	};
	const struct ac_settings_want rest[] = {
	        /* Unset: the defaults computed below. */
	        {"api.max_body_kb", &body_kb, NULL},
	        {"api.read_timeout_s", &idle, NULL},
	        {"api.request_timeout_s", &req, NULL},
	        {"api.max_header_kb", &header_kb, NULL},
	        {"api.max_url_bytes", &url, NULL},
	        {"api.requeue_after_s", &requeue_after_s, NULL},
	        {"api.requeue_interval_s", &api->sweep_interval_s, NULL},
	        {"api.max_attempts", &api->max_attempts, NULL},
	        {"api.run_max_inputs", &api->run_max_inputs, NULL},
	        {"api.run_max_input_kb", &api->run_max_input_kb, NULL},
	        {"api.run_max_runs", &api->run_max_runs, NULL},
	        {"api.rate_burst", NULL, &api->burst},
	        {"api.rate_per_s", NULL, &api->rate},
	};
	int rc;

	ac_http_limits_default(lim);
	rc = ac_settings_read(api->core->cfg, first,
	                      sizeof(first) / sizeof(first[0]), err, errlen);
	if (rc < 0)
		return rc;
	api->max_source = (size_t)source_kb * 1024;
	api->wait_s = (int)wait_s;
	/* JSON escaping may blow the source up (\u00XX is 6 bytes). */
	body_kb = (long long)(api->max_source / 1024) * 6 + 64;
	idle = api->wait_s + 25 > 30 ? api->wait_s + 25 : 30;
	rc = ac_settings_read(api->core->cfg, rest,
	                      sizeof(rest) / sizeof(rest[0]), err, errlen);
	if (rc < 0)
		return rc;
	if (idle <= api->wait_s) {
		snprintf(err, errlen,
		         "api.read_timeout_s (%lld) must be above "
		         "api.result_wait_s (%d)",
		         idle, api->wait_s);
		return -EINVAL;
	}
	lim->body_max = (size_t)body_kb * 1024;
	lim->timeout_s = (int)idle;
	lim->request_timeout_s = (int)req;
	lim->headers_max = (size_t)header_kb * 1024;
	lim->url_max = (size_t)url;
	api->requeue_after_ms = requeue_after_s * 1000;
	return 0;
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

void ac_api_stop(struct ac_core *core)
{
	struct api *api = core ? core->api : NULL;

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
	ac_http_drain(core->base, &api->inflight, API_DRAIN_S, API_FLUSH_US);
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
