/* The judge role: jobs come from the transport, are judged on a pool of
 * judge.workers threads, and a job is acknowledged only once its result
 * was confirmed published.  A malformed job is dead-lettered with the
 * reason; a job the judge cannot serve correctly (unknown problem, a
 * different problem content hash) gets an Internal Error result naming the
 * cause, so that the submitter is never left waiting.
 *
 * An Internal Error from the pipeline may be transient (EMFILE, a sandbox
 * helper that hiccuped, a full disk being cleaned): the job is judged again
 * up to judge.ie_retries times, after 1, 2, 3 ... s, before the IE is
 * published; each retry and each published IE is logged with the
 * submission id and counted by cause (judge_retries_total,
 * internal_errors_total).  A result the transport did not confirm goes
 * back to the queue (nack with requeue), which bounds its redeliveries.
 *
 * On SIGTERM (quiesce) no new job is taken; running judgements get
 * judge.shutdown_grace_s to finish and have their results confirmed.
 * Jobs still running after that are abandoned: the process exits at once
 * and their submissions, pending in the store, are enqueued again by the
 * api (at its next start with the in-memory transport; by the broker's
 * redelivery otherwise). */
#include "judge_role.h"

#include "core.h"
#include "judge.h"
#include "log.h"
#include "metrics.h"
#include "msg.h"
#include "pool.h"
#include "result.h"
#include "settings.h"

#include <errno.h>
#include <event2/event.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct ac_judge_role {
	struct ac_core *core;
	struct ac_judge_ctx jctx;
	struct ac_pool *workers;
	unsigned nworkers;
	unsigned busy;     /* jobs handed to the workers (loop thread only) */
	unsigned inflight; /* tasks not yet settled (loop thread only) */
	bool stopping;     /* no new jobs: they go back to the queue */
	bool all_tests;
	unsigned ie_retries; /* judge.ie_retries */
	int grace_s;         /* judge.shutdown_grace_s */
	bool progress;       /* judge.progress: publish per-test progress */
	const char *
	        *langs; /* names, NULL-terminated (strings owned by plugins) */
};

struct jr_task {
	struct ac_judge_role *jr;
	struct ac_delivery *d;
	struct ac_job_msg msg;
	const struct ac_problem *problem;
	const struct ac_lang_info *lang;
	struct ac_result result;
	char *early_error; /* IE without judging */
	char *body;        /* encoded result message */
	double judge_s;    /* time spent judging (worker thread) */
	bool on_worker;    /* counted in jr->busy */
	unsigned retries;  /* judgements redone after an Internal Error */
	struct event *retry;
	const char *ie_cause; /* set for an early Internal Error */
	char *run_doc;        /* a run's document (msg.run) */
};

/* A run.* setting: checked at start-up (core/settings.c), so an error here
 * only comes from a configuration that was not; its default then. */
static uint64_t jr_setting(const struct ac_config *cfg, const char *path)
{
	const struct ac_setting *e = ac_settings_find(ac_core_settings, path);
	char err[700];
	long long v;

	if (ac_settings_int(cfg, path, &v, err, sizeof(err)) < 0) {
		log_warn("%s", err);
		v = strtoll(e->def, NULL, 10);
	}
	return (uint64_t)v;
}

void ac_run_limits(const struct ac_config *cfg, struct ac_run_job *rj)
{
	rj->time_limit_ms = jr_setting(cfg, "run.time_limit_ms");
	rj->memory_mb = jr_setting(cfg, "run.memory_mb");
	rj->output_mb = jr_setting(cfg, "run.output_mb");
	rj->stdout_kb = jr_setting(cfg, "run.stdout_kb");
	rj->stderr_kb = jr_setting(cfg, "run.stderr_kb");
}

static double jr_mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void jr_workers_gauge(struct ac_judge_role *jr)
{
	ac_metrics_set("judge_workers_busy", NULL, jr->busy);
	ac_metrics_set("judge_workers_idle", NULL,
	               jr->busy < jr->nworkers ? jr->nworkers - jr->busy : 0);
}

static void jr_task_free(struct jr_task *t)
{
	t->jr->inflight--;
	if (t->retry)
		event_free(t->retry);
	ac_job_msg_clear(&t->msg);
	ac_result_clear(&t->result);
	free(t->early_error);
	free(t->run_doc);
	free(t->body);
	free(t);
}

static void jr_count_ie(const char *metric, const char *cause)
{
	char labels[64];

	snprintf(labels, sizeof(labels), "cause=\"%s\"", cause);
	ac_metrics_add(metric, labels, 1);
}

static void jr_published_cb(void *arg, int status)
{
	struct jr_task *t = arg;
	const struct ac_transport_ops *tr = AC_TRANSPORT(t->jr->core);
	void *ts = t->jr->core->transport->state;

	if (status == 0) {
		tr->ack(ts, t->d);
	} else {
		jr_count_ie("judge_retries_total", "publish");
		log_warn("submission %s: result not published (%s); the job "
		         "goes back to the queue",
		         t->msg.submission_id, strerror(-status));
		tr->nack(ts, t->d, true, "result not published");
	}
	jr_task_free(t);
}

/* A short, fixed label for the cause of an Internal Error result, and its
 * message (borrowed from r). */
static const char *jr_ie_cause(const struct ac_result *r, const char **msg)
{
	*msg = "(no message)";
	for (size_t i = 0; i < r->ntests; i++) {
		const struct ac_test_result *t = &r->tests[i];

		if (t->verdict != AC_V_IE)
			continue;
		if (t->message)
			*msg = t->message;
		if (t->message && strstr(t->message, "validator"))
			return "validator";
		if (!t->name || t->name[0] != '(')
			return "run"; /* the sandbox failed on a test */
		if (strstr(t->name, "compile"))
			return "compile";
		return "setup";
	}
	return "unknown";
}

/* Loop thread: the task no longer holds a worker. */
static void jr_off_worker(struct jr_task *t)
{
	if (t->on_worker) {
		t->on_worker = false;
		t->jr->busy--;
		jr_workers_gauge(t->jr);
	}
}

/* Loop thread: false when t->body (the result message) could not be
 * encoded: the job then goes back to the queue and t is freed. */
static bool jr_encoded(struct jr_task *t, const char *what)
{
	const struct ac_transport_ops *tr = AC_TRANSPORT(t->jr->core);

	if (t->body)
		return true;
	log_error("%s %s: %s", t->msg.run ? "run" : "submission",
	          t->msg.submission_id, what);
	tr->nack(t->jr->core->transport->state, t->d, true, what);
	jr_task_free(t);
	return false;
}

/* Loop thread: hand t->body to the transport; jr_published_cb acks. */
static void jr_send(struct jr_task *t)
{
	const struct ac_transport_ops *tr = AC_TRANSPORT(t->jr->core);
	int r = tr->publish_result(t->jr->core->transport->state, t->body,
	                           strlen(t->body), jr_published_cb, t);

	if (r < 0)
		jr_published_cb(t, r);
}

/* Loop thread: publish the document of a run (msg.run). */
static void jr_publish_run(struct jr_task *t)
{
	jr_off_worker(t);
	ac_metrics_add("runs_total", NULL, 1);
	if (t->run_doc)
		t->body = ac_run_result_msg_encode(t->msg.submission_id,
		                                   t->msg.user_id, t->run_doc);
	if (!jr_encoded(t, "cannot encode the run document"))
		return;
	log_info("run %s: %s, %zu input(s), judged in %.1f ms",
	         t->msg.submission_id, t->msg.lang, t->msg.ninputs,
	         t->judge_s * 1000);
	jr_send(t);
}

/* Loop thread: publish the result of a task. */
static void jr_publish(struct jr_task *t)
{
	char *doc;
	char labels[160];

	if (t->msg.run) {
		jr_publish_run(t);
		return;
	}
	doc = ac_result_to_json(&t->result);
	jr_off_worker(t);
	snprintf(labels, sizeof(labels), "lang=\"%.40s\",verdict=\"%s\"",
	         t->lang ? t->lang->name : "unknown",
	         ac_verdict_code(t->result.verdict));
	ac_metrics_add("verdicts_total", labels, 1);
	if (t->result.verdict == AC_V_IE) {
		const char *msg, *cause = jr_ie_cause(&t->result, &msg);

		if (t->ie_cause)
			cause = t->ie_cause;
		jr_count_ie("internal_errors_total", cause);
		log_error("submission %s: Internal Error (cause %s, after %u "
		          "retr%s): %s",
		          t->msg.submission_id, cause, t->retries,
		          t->retries == 1 ? "y" : "ies", msg);
	}
	if (t->lang) {
		snprintf(labels, sizeof(labels), "lang=\"%.40s\"",
		         t->lang->name);
		if (t->judge_s > 0)
			ac_metrics_observe("judging_seconds", labels,
			                   t->judge_s);
		if (t->msg.submitted_at > 0 &&
		    t->result.finished_at >= t->msg.submitted_at)
			ac_metrics_observe("end_to_end_seconds", labels,
			                   (double)(t->result.finished_at -
			                            t->msg.submitted_at) /
			                           1000.0);
	}
	if (doc)
		t->body = ac_result_msg_encode(t->msg.submission_id,
		                               t->msg.user_id, doc);
	free(doc);
	if (!jr_encoded(t, "cannot encode the result"))
		return;
	log_info("submission %s: %s (%s, %zu tests, %llu ms, %llu KiB; "
	         "judged in %.1f ms)",
	         t->msg.submission_id, ac_verdict_code(t->result.verdict),
	         t->msg.problem_id, t->result.ntests,
	         (unsigned long long)t->result.time_ms,
	         (unsigned long long)t->result.memory_kb, t->judge_s * 1000);
	jr_send(t);
}

/* A progress message on its way to the transport (best-effort: a failed
 * publish is dropped, the final result carries everything). */
struct jr_progress {
	struct ac_judge_role *jr;
	char *body;
};

static void jr_progress_sent(void *arg, int status)
{
	struct jr_progress *p = arg;

	if (status < 0)
		ac_metrics_add("progress_dropped_total", NULL, 1);
	free(p->body);
	free(p);
}

/* Loop thread (queued by the worker before its judgement's completion, so
 * a submission's progress is published before its result). */
static void jr_progress_publish(void *arg)
{
	struct jr_progress *p = arg;
	struct ac_core *core = p->jr->core;
	int r;

	if (p->jr->stopping) {
		jr_progress_sent(p, -ESHUTDOWN);
		return;
	}
	r = AC_TRANSPORT(core)->publish_result(core->transport->state, p->body,
	                                       strlen(p->body),
	                                       jr_progress_sent, p);
	if (r < 0)
		jr_progress_sent(p, r);
}

/* Worker thread: queue one progress message for the loop. */
static void jr_progress_queue(struct jr_task *t, const char *event,
                              json_t *data)
{
	char *dj = json_dumps(data, JSON_COMPACT | JSON_PRESERVE_ORDER);
	struct jr_progress *p = calloc(1, sizeof(*p));

	json_decref(data);
	if (p)
		p->jr = t->jr;
	if (p && dj)
		p->body = ac_progress_msg_encode(t->msg.submission_id,
		                                 t->msg.user_id, event, dj);
	free(dj);
	if (!p || !p->body ||
	    ac_pool_run_on_loop(t->jr->workers, jr_progress_publish, p) < 0) {
		if (p)
			free(p->body);
		free(p);
	}
}

/* Worker thread, called by ac_judge after each test: the compile step
 * (before the first test: it succeeded) and the test. */
static void jr_progress_cb(void *arg, const struct ac_test_result *tr,
                           size_t index, size_t total)
{
	struct jr_task *t = arg;

	if (t->result.ntests == 1)
		jr_progress_queue(
		        t, "compile",
		        json_pack("{s:b,s:I}", "ok", t->result.compile_ok,
		                  "time_ms",
		                  (json_int_t)t->result.compile_time_ms));
	jr_progress_queue(
	        t, "test",
	        json_pack("{s:I,s:I,s:s,s:s,s:s,s:I,s:I,s:I}", "index",
	                  (json_int_t)index, "total", (json_int_t)total, "name",
	                  tr->name ? tr->name : "", "verdict",
	                  ac_verdict_name(tr->verdict), "verdict_code",
	                  ac_verdict_code(tr->verdict), "time_ms",
	                  (json_int_t)tr->time_ms, "wall_ms",
	                  (json_int_t)tr->wall_ms, "memory_kb",
	                  (json_int_t)tr->memory_kb));
}

static void jr_done(void *arg);

/* The task's program and sender, as its message gives them. */
static void jr_source(const struct jr_task *t, struct ac_job_source *src)
{
	ac_core_job_lang(t->jr->core, t->lang, src);
	src->code = t->msg.code;
	src->code_len = t->msg.code_len;
	src->id = t->msg.submission_id;
	src->user_id = t->msg.user_id;
	src->submitted_at = t->msg.submitted_at;
}

/* Worker thread: a run with custom input. */
static void jr_work_run(struct jr_task *t)
{
	struct ac_run_job rj;
	double t0 = jr_mono_s();

	memset(&rj, 0, sizeof(rj));
	ac_run_limits(t->jr->core->cfg, &rj);
	jr_source(t, &rj.src);
	rj.inputs = (const char *const *)t->msg.inputs;
	rj.input_lens = t->msg.input_lens;
	rj.ninputs = t->msg.ninputs;
	ac_judge_run(&t->jr->jctx, &rj, &t->run_doc);
	t->judge_s = jr_mono_s() - t0;
}

static void jr_work(void *arg)
{
	struct jr_task *t = arg;
	struct ac_judge_job job;
	double t0 = jr_mono_s();

	if (t->msg.run) {
		jr_work_run(t);
		return;
	}

	memset(&job, 0, sizeof(job));
	job.problem = t->problem;
	jr_source(t, &job.src);
	job.all_tests = t->msg.all_tests || t->jr->all_tests;
	if (t->jr->progress) {
		job.progress = jr_progress_cb;
		job.progress_arg = t;
	}
	ac_judge(&t->jr->jctx, &job, &t->result);
	t->judge_s = jr_mono_s() - t0;
}

static void jr_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct jr_task *t = arg;
	struct ac_judge_role *jr = t->jr;

	(void)fd;
	(void)what;
	if (!jr->stopping && jr->workers &&
	    ac_pool_submit(jr->workers, jr_work, jr_done, t) == 0) {
		t->on_worker = true;
		jr->busy++;
		jr_workers_gauge(jr);
		return;
	}
	/* Stopping: the job goes back to the queue unjudged. */
	AC_TRANSPORT(jr->core)->nack(jr->core->transport->state, t->d, true,
	                             "judge stopping");
	jr_task_free(t);
}

/* Loop thread: a judgement finished.  An Internal Error is judged again
 * (judge.ie_retries times) before it is published. */
static void jr_done(void *arg)
{
	struct jr_task *t = arg;
	struct ac_judge_role *jr = t->jr;
	struct timeval tv = {(time_t)t->retries + 1, 0};
	const char *msg, *cause;

	if (t->msg.run || t->result.verdict != AC_V_IE ||
	    t->retries >= jr->ie_retries || jr->stopping) {
		jr_publish(t);
		return;
	}
	cause = jr_ie_cause(&t->result, &msg);
	if (!t->retry)
		t->retry = evtimer_new(jr->core->base, jr_retry_cb, t);
	if (!t->retry || evtimer_add(t->retry, &tv) < 0) {
		jr_publish(t);
		return;
	}
	t->retries++;
	jr_count_ie("judge_retries_total", cause);
	log_warn("submission %s: Internal Error (cause %s: %s); judged again "
	         "in %ld s (retry %u of %u)",
	         t->msg.submission_id, cause, msg, (long)tv.tv_sec, t->retries,
	         jr->ie_retries);
	jr_off_worker(t);
	ac_result_clear(&t->result);
	memset(&t->result, 0, sizeof(t->result));
}

/* An Internal Error result for a job that cannot be judged here. */
static void jr_early_result(struct jr_task *t, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static void jr_early_result(struct jr_task *t, const char *fmt, ...)
{
	struct ac_judge_role *jr = t->jr;
	struct ac_test_result tr;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error("submission %s: %s", t->msg.submission_id, msg);
	if (t->msg.run) {
		json_t *doc =
		        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:n,s:[]}",
		                  "run_id", t->msg.submission_id, "user_id",
		                  t->msg.user_id, "lang", t->msg.lang,
		                  "verdict", "Internal Error", "verdict_code",
		                  "IE", "message", msg, "compile", "runs");

		t->run_doc = doc ? json_dumps(doc, JSON_COMPACT |
		                                           JSON_PRESERVE_ORDER)
		                 : NULL;
		json_decref(doc);
		jr_publish_run(t);
		return;
	}
	t->result.submission_id = strdup(t->msg.submission_id);
	t->result.problem_id = strdup(t->msg.problem_id);
	t->result.lang = strdup(t->msg.lang);
	t->result.user_id = strdup(t->msg.user_id);
	t->result.host = strdup(jr->core->hostname);
	t->result.sandbox = strdup(jr->jctx.sandbox_name);
	t->result.verdict = AC_V_IE;
	t->result.submitted_at = t->msg.submitted_at;
	t->result.finished_at = ac_now_ms();
	memset(&tr, 0, sizeof(tr));
	tr.name = "(judge)";
	tr.verdict = AC_V_IE;
	tr.message = msg;
	ac_result_add_test(&t->result, &tr);
	jr_publish(t);
}

static void jr_job_cb(void *arg, const char *body, size_t len,
                      struct ac_delivery *d)
{
	struct ac_judge_role *jr = arg;
	const struct ac_transport_ops *tr = AC_TRANSPORT(jr->core);
	struct jr_task *t;
	char err[256];
	int r;

	if (jr->stopping) {
		/* Left unsettled: the broker gives it to another judge when
		 * this connection closes (a nack would count as a failure). */
		log_debug("judge stopping: a job is left to the queue");
		return;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		tr->nack(jr->core->transport->state, d, true, "out of memory");
		return;
	}
	t->jr = jr;
	jr->inflight++;
	t->d = d;
	r = ac_job_msg_decode(body, len, &t->msg, err, sizeof(err));
	if (r < 0) {
		log_error("malformed job dead-lettered: %s", err);
		tr->nack(jr->core->transport->state, d, false, err);
		jr_task_free(t);
		return;
	}
	t->lang = ac_core_lang(jr->core, t->msg.lang);
	if (!t->lang) {
		t->ie_cause = "language";
		jr_early_result(t, "this judge does not serve language \"%s\"",
		                t->msg.lang);
		return;
	}
	if (t->msg.run)
		goto submit;
	t->problem = ac_problem_find(jr->core->problems, t->msg.problem_id);
	if (!t->problem) {
		t->ie_cause = "problem";
		jr_early_result(t,
		                "problem \"%s\" is not installed on judge %s",
		                t->msg.problem_id, jr->core->hostname);
		return;
	}
	if (strcmp(t->problem->hash, t->msg.problem_hash) != 0) {
		t->ie_cause = "problem";
		jr_early_result(
		        t,
		        "problem \"%s\" on judge %s differs from the one "
		        "submitted to (content hash %.12s, job has %.12s)",
		        t->msg.problem_id, jr->core->hostname, t->problem->hash,
		        t->msg.problem_hash);
		return;
	}
	{
		char labels[96];
		snprintf(labels, sizeof(labels), "lang=\"%.40s\"",
		         t->lang->name);
		ac_metrics_add("jobs_consumed_total", labels, 1);
	}
submit:
	r = ac_pool_submit(jr->workers, jr_work, jr_done, t);
	if (r == 0) {
		t->on_worker = true;
		jr->busy++;
		jr_workers_gauge(jr);
	}
	if (r < 0) {
		tr->nack(jr->core->transport->state, d, true, "shutting down");
		jr_task_free(t);
	}
}

int ac_judge_role_start(struct ac_core *core, char *err, size_t errlen)
{
	struct ac_judge_role *jr;
	const char *work;
	long long workers;
	int r;

	jr = calloc(1, sizeof(*jr));
	if (!jr)
		return -ENOMEM;
	jr->core = core;
	core->judge = jr;
	if (AC_SANDBOX(core)->enforcing(core->sandbox->state) < 0 &&
	    !ac_config_bool(core->cfg, "sandbox.allow_degraded", false)) {
		snprintf(err, errlen,
		         "the %s sandbox cannot enforce memory or process "
		         "limits "
		         "here (see `algocode check-env`); set "
		         "sandbox.allow_degraded = true to judge anyway",
		         core->sandbox->desc->name);
		return -ENOTSUP;
	}
	work = ac_config_string(core->cfg, "judge.work_dir",
	                        AC_DEFAULT_WORK_DIR);
	r = ac_judge_ctx_init(&jr->jctx, AC_SANDBOX(core), core->sandbox->state,
	                      core->sandbox->desc->name, work, core->hostname);
	if (r < 0)
		return r;
	{
		long long mb;

		if ((r = ac_settings_int(core->cfg, "judge.compile_cache_mb",
		                         &mb, err, errlen)) < 0)
			return r;
		jr->jctx.compile_cache_kb = ac_judge_cache_kb(mb);
	}
	jr->jctx.langs = core->langs;
	jr->jctx.nlangs = core->nlangs;
	if ((r = ac_settings_int(core->cfg, "judge.workers", &workers, err,
	                         errlen)) < 0)
		return r;
	jr->nworkers = (unsigned)workers;
	jr->all_tests = ac_config_bool(core->cfg, "judge.all_tests", false);
	jr->progress = ac_config_bool(core->cfg, "judge.progress", true);
	{
		long long v;

		if ((r = ac_settings_int(core->cfg, "judge.ie_retries", &v, err,
		                         errlen)) < 0)
			return r;
		jr->ie_retries = (unsigned)v;
		if ((r = ac_settings_int(core->cfg, "judge.shutdown_grace_s",
		                         &v, err, errlen)) < 0)
			return r;
		jr->grace_s = (int)v;
	}
	jr->workers = ac_pool_new(core->base, jr->nworkers);
	jr->langs = calloc(core->nlangs + 1, sizeof(*jr->langs));
	if (!jr->workers || !jr->langs)
		return -ENOMEM;
	for (size_t i = 0; i < core->nlangs; i++) {
		const struct ac_lang_ops *ops = core->langs[i]->ops;
		jr->langs[i] = ops->info(core->langs[i]->state)->name;
	}
	r = AC_TRANSPORT(core)->consume_jobs(core->transport->state, jr->langs,
	                                     jr->nworkers, jr_job_cb, jr);
	if (r < 0) {
		snprintf(err, errlen, "cannot consume jobs: %s", strerror(-r));
		return r;
	}
	ac_metrics_declare("jobs_consumed_total", AC_METRIC_COUNTER,
	                   "Jobs taken from the queue, by language.");
	ac_metrics_declare("verdicts_total", AC_METRIC_COUNTER,
	                   "Results published, by language and verdict.");
	ac_metrics_declare("judging_seconds", AC_METRIC_HISTOGRAM,
	                   "Time to judge a submission (compile and tests).");
	ac_metrics_declare("end_to_end_seconds", AC_METRIC_HISTOGRAM,
	                   "From submission accepted to result published.");
	ac_metrics_declare("internal_errors_total", AC_METRIC_COUNTER,
	                   "Internal Error results, by cause.");
	ac_metrics_declare("judge_retries_total", AC_METRIC_COUNTER,
	                   "Jobs judged again after an Internal Error, or "
	                   "requeued after an unconfirmed result, by cause.");
	ac_metrics_declare("runs_total", AC_METRIC_COUNTER,
	                   "Runs with custom input done (documents "
	                   "published).");
	ac_metrics_declare("progress_dropped_total", AC_METRIC_COUNTER,
	                   "Progress messages the transport refused "
	                   "(best-effort: dropped).");
	ac_metrics_declare("judge_workers_busy", AC_METRIC_GAUGE,
	                   "Judge workers judging now.");
	ac_metrics_declare("judge_workers_idle", AC_METRIC_GAUGE,
	                   "Judge workers waiting for a job.");
	ac_metrics_declare_transport();
	jr_workers_gauge(jr);
	{
		const char *ml = ac_config_string(core->cfg,
		                                  "judge.metrics_listen", NULL);
		if (ml && ml[0]) {
			r = ac_metrics_http_start(core, ml, err, errlen);
			if (r < 0)
				return r;
		}
	}
	log_info("judge: %u workers, sandbox %s, work dir %s", jr->nworkers,
	         core->sandbox->desc->name, work);
	return 0;
}

static void jr_drain_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	*(bool *)arg = true;
}

void ac_judge_role_quiesce(struct ac_core *core)
{
	struct ac_judge_role *jr = core->judge;

	if (!jr || jr->stopping)
		return;
	/* No new jobs (they stay in the queue, or pending in the store);
	 * running judgements finish and their completions publish results;
	 * the loop runs (at most judge.shutdown_grace_s) until the transport
	 * has confirmed every result and the jobs are acknowledged.  Must
	 * not be called from inside the loop. */
	jr->stopping = true;
	if (jr->inflight) {
		struct timeval tv = {jr->grace_s, 0};
		bool expired = false;
		struct event *deadline =
		        evtimer_new(core->base, jr_drain_timeout_cb, &expired);

		log_info("judge: stopping; %u job(s) running, up to %d s to "
		         "finish",
		         jr->inflight, jr->grace_s);
		if (deadline && evtimer_add(deadline, &tv) == 0)
			while (jr->inflight && !expired)
				if (event_base_loop(core->base, EVLOOP_ONCE) <
				    0)
					break;
		if (deadline)
			event_free(deadline);
	}
	if (jr->busy) {
		/* Judgements still running cannot be interrupted from here
		 * and the pool would wait for them: leave now.  Their
		 * submissions are pending in the store and enqueued again
		 * (docs/architecture.md, "Durability"). */
		log_warn("judge: %u judgement(s) still running after the %d s "
		         "grace period: abandoned, their submissions stay "
		         "pending; exiting now",
		         jr->busy, jr->grace_s);
		fflush(NULL);
		_exit(0);
	}
	ac_pool_free(jr->workers);
	jr->workers = NULL;
	if (jr->inflight)
		log_warn("judge: stopping with %u results unconfirmed "
		         "(their jobs go back to the queue)",
		         jr->inflight);
}

void ac_judge_role_stop(struct ac_core *core)
{
	struct ac_judge_role *jr = core->judge;

	if (!jr)
		return;
	ac_judge_role_quiesce(core);
	if (jr->inflight) {
		/* A transport may still complete these publishes later: leak
		 * the role rather than let it call into freed memory. */
		core->judge = NULL;
		return;
	}
	ac_metrics_http_stop(core);
	if (jr->jctx.work_dir)
		ac_judge_ctx_fini(&jr->jctx);
	free(jr->langs);
	free(jr);
	core->judge = NULL;
}
