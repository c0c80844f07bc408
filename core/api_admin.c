/* Operations: GET /metrics, the readiness check and /version
 * (docs/api.md, "Operations"). */
#include "api_int.h"

#include "metrics.h"
#include "pool.h"
#include "util.h"

#include <sys/queue.h> /* before libevent's TAILQ fallbacks */

#include <errno.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void api_metrics(struct api *api, struct evhttp_request *req)
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

/* GET /api/v1/common/ready/: the store answers a lookup, the transport is
 * connected to its broker and its last publish did not fail, the sandbox (its
 * root helper under privilege separation) answers; 503 naming what is down. The
 * store and sandbox calls block: they run on the worker pool. */
struct api_ready {
	struct api_pending p;
	int store_rc, sandbox_rc;
	bool has_store, has_sandbox;
};

/* The sandbox's answer, shared by the readiness checks of the next
 * API_READY_SANDBOX_MS: `enforcing` makes a cgroup and clones namespaces
 * (in the root helper under privilege separation), and the route is open
 * to anyone, so a flood of it must not make one probe each.  Concurrent
 * checks wait for the one probing, then take its answer. */
#define API_READY_SANDBOX_MS 2000
static pthread_mutex_t api_ready_mu = PTHREAD_MUTEX_INITIALIZER;
static int64_t api_ready_at = -1;
static int api_ready_rc;

static int api_ready_sandbox(struct ac_core *core)
{
	int64_t now;
	int rc;

	pthread_mutex_lock(&api_ready_mu);
	now = ac_mono_ms();
	if (api_ready_at < 0 || now - api_ready_at >= API_READY_SANDBOX_MS) {
		api_ready_rc =
		        AC_SANDBOX(core)->enforcing(core->sandbox->state);
		api_ready_at = ac_mono_ms();
	}
	rc = api_ready_rc;
	pthread_mutex_unlock(&api_ready_mu);
	return rc;
}

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
		r->sandbox_rc = api_ready_sandbox(core);
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
	         rc == -EIO        ? "not answering"
	         : rc == -ENOTCONN ? "not connected"
	                           : strerror(-rc));
	json_object_set_new(checks, name, json_string(buf));
	snprintf(down + off, len - off, "%s%s (%s)", off ? ", " : "", name,
	         buf + 6);
}

/* The transport: down when its last publish failed, or when it says it
 * has no connection to its broker (ABI 3.3, optional). */
static int api_ready_transport(struct api *api)
{
	const struct ac_transport_ops *tr;

	if (!api->core->transport)
		return 0;
	if (api->transport_down)
		return -EIO;
	tr = AC_TRANSPORT(api->core);
	return tr->connected ? tr->connected(api->core->transport->state) : 0;
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
	                api_ready_transport(api), false, down, sizeof(down));
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

void api_ready(struct api *api, struct evhttp_request *req)
{
	struct api_ready *r = calloc(1, sizeof(*r));

	if (!r) {
		api_error(api, req, R_HEALTH, 503, "Out of memory.");
		return;
	}
	r->has_store = api->core->store != NULL;
	r->has_sandbox = api->core->sandbox != NULL;
	if (api_offload(&r->p, api, req, R_HEALTH, api_ready_work,
	                api_ready_done, r) < 0)
		free(r);
}

/* GET /version: the build and the plugins this process runs. */
void api_version(struct api *api, struct evhttp_request *req)
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
