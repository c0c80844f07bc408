/* The submissions list (see submissions.h): query parsed on the loop, the
 * store's list_submissions on a worker, the page built from the rows (the
 * verdict, time and memory come from each result document). */
#include "submissions.h"

#include "core.h"
#include "http.h"
#include "log.h"
#include "pool.h"
#include "result.h"
#include "util.h"

#include <sys/queue.h> /* before libevent's TAILQ fallbacks */

#include <errno.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUB_MAX_ID   128
#define SUB_MAX_PAGE 100000

struct sub_list {
	struct ac_core *core;
	struct evhttp_request *req; /* NULL once the client is gone */
	char *user;
	char problem[SUB_MAX_ID + 1]; /* "" for every problem */
	long page;
	int rc;
	struct ac_submission_row *rows;
	size_t n, total;
};

static void sub_free(struct sub_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->rows[i].id);
		free(l->rows[i].problem_id);
		free(l->rows[i].lang);
		free(l->rows[i].result_json);
	}
	free(l->rows);
	free(l->user);
	free(l);
}

static void sub_close_cb(struct evhttp_connection *evcon, void *arg)
{
	struct sub_list *l = arg;

	(void)evcon;
	ac_http_forget(&l->req);
}

static void sub_work(void *arg)
{
	struct sub_list *l = arg;
	const struct ac_store_ops *ops = AC_STORE(l->core);

	l->rc = ops->list_submissions(
	        l->core->store->state, l->user,
	        l->problem[0] ? l->problem : NULL,
	        (size_t)(l->page - 1) * AC_SUBMISSIONS_PAGE,
	        AC_SUBMISSIONS_PAGE, &l->rows, &l->n, &l->total);
}

/* One row of the page. */
static json_t *sub_item(const struct ac_submission_row *r)
{
	json_t *doc =
	        r->result_json ? json_loads(r->result_json, 0, NULL) : NULL;
	json_t *v = json_object_get(doc, "verdict");
	json_t *code = json_object_get(doc, "verdict_code");
	char when[40];
	json_t *item;

	ac_format_time(r->submitted_at, when, sizeof(when));
	item = json_pack("{s:s,s:s,s:s,s:s,s:O,s:O,s:O,s:O,s:s,s:O}",
	                 "submission_id", r->id, "problem_id", r->problem_id,
	                 "lang", r->lang, "status",
	                 r->result_json ? "done" : "pending", "verdict",
	                 json_is_string(v) ? v : json_null(), "verdict_code",
	                 json_is_string(code) ? code : json_null(), "time_ms",
	                 json_is_integer(json_object_get(doc, "time_ms"))
	                         ? json_object_get(doc, "time_ms")
	                         : json_null(),
	                 "memory_kb",
	                 json_is_integer(json_object_get(doc, "memory_kb"))
	                         ? json_object_get(doc, "memory_kb")
	                         : json_null(),
	                 "submitted_at", when, "finished_at",
	                 json_is_string(json_object_get(doc, "finished_at"))
	                         ? json_object_get(doc, "finished_at")
	                         : json_null());
	json_decref(doc);
	return item;
}

/* "/api/v1/submissions/?problem=ID&page=N" */
static json_t *sub_url(const struct sub_list *l, long page)
{
	char buf[SUB_MAX_ID + 80];

	if (page < 1)
		return json_null();
	if (l->problem[0])
		snprintf(buf, sizeof(buf),
		         "/api/v1/submissions/?problem=%s&page=%ld", l->problem,
		         page);
	else
		snprintf(buf, sizeof(buf), "/api/v1/submissions/?page=%ld",
		         page);
	return json_string(buf);
}

static void sub_done(void *arg)
{
	struct sub_list *l = arg;
	struct evhttp_request *req = l->req;
	json_t *results, *body;
	long pages;

	if (!req)
		goto out;
	ac_http_set_closecb(evhttp_request_get_connection(req), NULL, NULL);
	if (l->rc < 0) {
		log_error("result store: list_submissions: %s",
		          strerror(-l->rc));
		ac_http_error(req, 503, "The result store is unavailable.");
		goto out;
	}
	pages = (long)((l->total + AC_SUBMISSIONS_PAGE - 1) /
	               AC_SUBMISSIONS_PAGE);
	if (l->page > 1 && l->page > pages) {
		ac_http_error(req, 404, "Invalid page.");
		goto out;
	}
	results = json_array();
	for (size_t i = 0; results && i < l->n; i++)
		if (json_array_append_new(results, sub_item(&l->rows[i])) < 0) {
			json_decref(results);
			results = NULL;
		}
	body = results ? json_pack(
	                         "{s:I,s:i,s:i,s:o,s:o,s:o}", "count",
	                         (json_int_t)l->total, "page", (int)l->page,
	                         "pages", (int)(pages ? pages : 1), "next",
	                         sub_url(l, l->page < pages ? l->page + 1 : 0),
	                         "previous", sub_url(l, l->page - 1), "results",
	                         results)
	               : NULL;
	ac_http_reply_json(req, body ? 200 : 503, body);
out:
	sub_free(l);
}

/* Query: problem (optional), page (1 when absent).  0, or -EINVAL with
 * req answered. */
static int sub_query(struct sub_list *l, struct evhttp_request *req)
{
	const char *query =
	        evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	const char *problem, *page;
	struct evkeyvalq q;
	int rc = -EINVAL;

	TAILQ_INIT(&q);
	l->page = 1;
	if (query && evhttp_parse_query_str(query, &q) < 0) {
		ac_http_error(req, 400, "Malformed query string.");
		goto out;
	}
	problem = evhttp_find_header(&q, "problem");
	page = evhttp_find_header(&q, "page");
	if (problem && *problem) {
		if (!ac_id_chars_ok(problem, strlen(problem), SUB_MAX_ID)) {
			ac_http_error(req, 400, "Invalid problem id.");
			goto out;
		}
		snprintf(l->problem, sizeof(l->problem), "%s", problem);
	}
	if (page) {
		char *end;

		errno = 0;
		l->page = strtol(page, &end, 10);
		if (errno || end == page || *end || l->page < 1 ||
		    l->page > SUB_MAX_PAGE) {
			ac_http_error(req, 404, "Invalid page.");
			goto out;
		}
	}
	rc = 0;
out:
	evhttp_clear_headers(&q);
	return rc;
}

void ac_submissions_list(struct ac_core *core, struct evhttp_request *req,
                         char *user)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct sub_list *l;

	if (!AC_STORE(core)->list_submissions) {
		free(user);
		ac_http_error(req, 501, "The store does not list submissions.");
		return;
	}
	if (!(l = calloc(1, sizeof(*l)))) {
		free(user);
		ac_http_error(req, 503, "Out of memory.");
		return;
	}
	l->core = core;
	l->req = req;
	l->user = user;
	if (sub_query(l, req) < 0) {
		sub_free(l);
		return;
	}
	if (ac_pool_submit(core->pool, sub_work, sub_done, l) < 0) {
		sub_free(l);
		ac_http_error(req, 503, "Server is shutting down.");
		return;
	}
	if (evcon)
		ac_http_set_closecb(evcon, sub_close_cb, l);
}
