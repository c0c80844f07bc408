/* POST /api/v1/code/submit/ and what gets its job to a judge: the job
 * stored, then published through the outbox (jobs the transport has not
 * confirmed, retried with back-off), and the sweep that enqueues again the
 * submissions left pending in the store (docs/architecture.md,
 * "Durability"). */
#include "api_int.h"
#include "util.h"

#include "http.h"
#include "metrics.h"
#include "msg.h"
#include "result.h"

#include <sys/queue.h> /* before libevent's TAILQ fallbacks */

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/util.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A job the transport refused for want of room (-ENOBUFS: the in-memory
 * queue's byte budget) is offered again after this long. */
#define API_FULL_RETRY_S 1
/* Submissions claimed from the store per sweep step. */
#define API_SWEEP_BATCH 256

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
		ac_uuid4(s->id);
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

void api_job_free(struct api_job *j)
{
	if (!j)
		return;
	free(j->id);
	free(j->lang);
	free(j->body);
	free(j);
}

/* Takes the strings (malloc'ed) on success and on failure. */
struct api_job *api_job_new(struct api *api, char *id, char *lang, char *body)
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

struct api_job *api_outbox_pop(struct api *api)
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

void api_outbox_timer_cb(evutil_socket_t fd, short what, void *arg)
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
void api_job_send(struct api_job *j)
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

/* 429 for a client over its rate (the store's rate_take said -EAGAIN and
 * retry_ms): Retry-After in whole seconds, at least 1, and the message;
 * a submission's answer also carries wait_time (as the original).  req
 * may be NULL (the client is gone): only counted. */
void api_throttled(struct api *api, struct evhttp_request *req,
                   enum api_route route, int64_t retry_ms)
{
	api->submissions_throttled++;
	if (req)
		api_reply_json(
		        api, req, route, 429,
		        ac_http_throttled(req, retry_ms, route == R_SUBMIT));
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
		api_throttled(api, api_pending_detach(&s->p), R_SUBMIT,
		              s->retry_ms);
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
void api_sweep_start(struct api *api, int64_t cutoff_ms, const char *why)
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

void api_sweep_timer_cb(evutil_socket_t fd, short what, void *arg)
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

bool api_admit(struct api *api, struct evhttp_request *req,
               enum api_route route, bool busy, size_t bytes, const char *msg)
{
	/* Jobs already wait in memory for the transport (down or full):
	 * accepting more would only leave them to the sweep. */
	if (!busy && api->outbox_bytes + bytes + 4096 <= API_OUTBOX_MAX_BYTES &&
	    api->noutbox < API_OUTBOX_MAX)
		return true;
	evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After",
	                  "30");
	api_error(api, req, route, 503, "%s", msg);
	return false;
}

void api_submit(struct api *api, struct evhttp_request *req)
{
	const char *problem_id, *lang, *code;
	size_t plen, llen, clen;
	const struct ac_problem *problem;
	struct api_submit *s = NULL;
	json_t *body = NULL, *all;
	char *user, shown[80], *bundle = NULL;

	body = api_auth_body(api, req, R_SUBMIT, &user);
	if (!body)
		return;
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
	if (!api_admit(api, req, R_SUBMIT, false, clen * 6,
	               "The judging queue is full; try again later."))
		goto out;
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
	if (api_offload(&s->p, api, req, R_SUBMIT, api_submit_work,
	                api_submit_done, s) < 0)
		goto out;
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
