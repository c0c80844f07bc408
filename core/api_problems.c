/* GET /api/v1/problem/all/, /problem/ID/ and /languages/: the problems
 * the core loaded and the languages of this process. */
#include "api_int.h"

#include <sys/queue.h> /* before libevent's TAILQ fallbacks */

#include <ctype.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Problems per page, as the original. */
#define API_PAGE_SIZE 10
/* Bytes of one sample file, and of all of them, in problem detail. */
#define API_SAMPLE_MAX  65536
#define API_SAMPLES_MAX 262144

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

json_t *api_nullable(const char *s)
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

void api_problem_list(struct api *api, struct evhttp_request *req)
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

void api_problem_detail(struct api *api, struct evhttp_request *req,
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
	if (api_offload(&ap->p, api, req, R_PROBLEM, api_problem_work,
	                api_problem_done, ap) < 0)
		free(ap);
}

/* ------------------------------------------------------------------ */
/* Languages, health, metrics                                           */

void api_languages(struct api *api, struct evhttp_request *req)
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
