/* Runs with custom input: POST /api/v1/code/run/ and
 * GET /api/v1/code/run/ID/ (kept in memory by the api that accepted them,
 * their documents stored so that any api process answers). */
#include "api_int.h"
#include "util.h"

#include "http.h"
#include "msg.h"
#include "result.h"

#include <sys/queue.h> /* before libevent's TAILQ fallbacks */

#include <errno.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void api_runs_free(struct api *api)
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
void api_run_result(struct api *api, const char *id, const char *doc)
{
	struct api_run *r = api_run_find(api, id);

	if (!r)
		return;
	if (r->doc)
		return; /* judged twice (a redelivery): the first wins */
	r->doc = strdup(doc);
	if (!r->doc)
		return;
	r->expires_ms = ac_now_ms() + API_RUN_KEEP_S * 1000;
	api_wake(api, id, r->user, r->doc);
}

/* A run id: "run-" and a version 7 UUID, whose first 48 bits are the
 * time it was accepted (ms since the epoch), so that any api process can
 * tell a run that may still be pending from an unknown or expired one. */
static void api_run_new_id(char out[37])
{
	uint64_t ms = (uint64_t)ac_now_ms();
	char ts[13];

	ac_uuid4(out);
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
void api_run_unstored(struct api *api, struct evhttp_request *req,
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
	else
		api_pend(api, req, R_RUN, c->id, c->user);
}

/* From this api's memory when it accepted the run and has its document;
 * else from the store (the document may have reached another api
 * process), then parked until it arrives here or the wait ends. */
void api_run_get(struct api *api, struct evhttp_request *req, const char *id,
                 size_t idlen)
{
	char *user = api_auth_id(api, req, R_RUN, id, idlen);
	char key[API_MAX_ID + 1];
	struct api_run *r;

	if (!user)
		return;
	if (strncmp(id, API_RUN_PREFIX, strlen(API_RUN_PREFIX)) != 0) {
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
	api_check_start(api, req, R_RUN, key, idlen, user, true);
	user = NULL;
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
	char *body = NULL;

	api_completed(api);
	if (rp->rc_rate == -EAGAIN) {
		api_throttled(api, req, R_RUN, rp->retry_ms);
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

void api_run_post(struct api *api, struct evhttp_request *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t blen = evbuffer_get_length(in);
	struct api_run_post *rp = NULL;
	char *user, uuid[37];
	json_t *body = NULL;

	body = api_auth_body(api, req, R_RUN, &user);
	if (!body)
		return;
	rp = calloc(1, sizeof(*rp));
	if (!rp) {
		api_error(api, req, R_RUN, 503, "Out of memory.");
		goto out;
	}
	if (api_run_parse(api, req, body, &rp->m) < 0)
		goto out;
	api_run_find(api, NULL);
	if (!api_admit(api, req, R_RUN, api->nruns >= (size_t)api->run_max_runs,
	               blen, "Too many runs waiting; try again later."))
		goto out;
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
	if (api_offload(&rp->p, api, req, R_RUN, api_run_post_work,
	                api_run_post_done, rp) < 0)
		goto out;
	rp = NULL;
out:
	if (rp)
		api_run_post_free(rp);
	free(user);
	json_decref(body);
}
