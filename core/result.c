/* The result document and its JSON form (design.md, "Result document"). */
#include "result.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t ac_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ac_format_time(int64_t unix_ms, char *buf, size_t len)
{
	time_t s = (time_t)(unix_ms / 1000);
	struct tm tm;
	char base[32];

	gmtime_r(&s, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03dZ", base, (int)(unix_ms % 1000));
}

static char *res_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

int ac_result_add_test(struct ac_result *r, const struct ac_test_result *t)
{
	struct ac_test_result *n;
	struct ac_test_result *d;

	n = realloc(r->tests, (r->ntests + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	r->tests = n;
	d = &n[r->ntests];
	*d = *t;
	d->name = res_strdup(t->name);
	d->message = res_strdup(t->message);
	r->ntests++;
	if (t->time_ms > r->time_ms)
		r->time_ms = t->time_ms;
	if (t->memory_kb > r->memory_kb)
		r->memory_kb = t->memory_kb;
	return 0;
}

int ac_result_add_group(struct ac_result *r, const char *name,
                        enum ac_verdict v, double score)
{
	struct ac_group_result *n;

	n = realloc(r->groups, (r->ngroups + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	r->groups = n;
	n[r->ngroups].name = res_strdup(name);
	if (!n[r->ngroups].name)
		return -ENOMEM;
	n[r->ngroups].verdict = v;
	n[r->ngroups].score = score;
	r->ngroups++;
	return 0;
}

/* jansson refuses invalid UTF-8; compiler logs and messages may hold any
 * bytes, so replace what is not valid UTF-8 with '?'. */
static json_t *res_string(const char *s)
{
	json_t *j;
	char *copy;
	size_t n;

	if (!s)
		return json_null();
	j = json_string(s);
	if (j)
		return j;
	n = strlen(s);
	copy = malloc(n + 1);
	if (!copy)
		return json_null();
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t len = c < 0x80         ? 1
		             : (c >> 5) == 6  ? 2
		             : (c >> 4) == 14 ? 3
		             : (c >> 3) == 30 ? 4
		                              : 0;
		int ok = len > 0 && i + len <= n;
		for (size_t k = 1; ok && k < len; k++)
			ok = ((unsigned char)s[i + k] >> 6) == 2;
		if (ok && len > 1) {
			json_t *probe = json_stringn(s + i, len);
			ok = probe != NULL;
			json_decref(probe);
		}
		if (!ok) {
			copy[i] = '?';
			i++;
			continue;
		}
		memcpy(copy + i, s + i, len);
		i += len;
	}
	copy[n] = '\0';
	j = json_string(copy);
	free(copy);
	return j ? j : json_null();
}

/* The scoring fields: "score", "score_verdict_code", "groups", and each
 * test's "score" when its validator gave one. */
static void res_scores(const struct ac_result *r, json_t *doc, json_t *tests)
{
	json_t *groups = json_array();

	for (size_t i = 0; i < r->ntests; i++)
		if (r->tests[i].has_score)
			json_object_set_new(json_array_get(tests, i), "score",
			                    json_real(r->tests[i].score));
	for (size_t i = 0; groups && i < r->ngroups; i++)
		json_array_append_new(
		        groups,
		        json_pack("{s:o,s:s,s:f}", "name",
		                  res_string(r->groups[i].name), "verdict_code",
		                  ac_verdict_code(r->groups[i].verdict),
		                  "score", r->groups[i].score));
	json_object_set_new(doc, "score", json_real(r->score));
	json_object_set_new(doc, "score_verdict_code",
	                    json_string(ac_verdict_code(r->score_verdict)));
	json_object_set_new(doc, "groups", groups ? groups : json_array());
}

json_t *ac_json_text(const char *s)
{
	return res_string(s);
}

char *ac_result_to_json(const struct ac_result *r)
{
	json_t *doc, *tests, *compile, *judge;
	char when[64];
	char *out;

	tests = json_array();
	for (size_t i = 0; i < r->ntests; i++) {
		const struct ac_test_result *t = &r->tests[i];
		json_array_append_new(
		        tests,
		        json_pack("{s:o,s:s,s:I,s:I,s:I,s:i,s:i,s:o}", "name",
		                  res_string(t->name), "verdict_code",
		                  ac_verdict_code(t->verdict), "time_ms",
		                  (json_int_t)t->time_ms, "wall_ms",
		                  (json_int_t)t->wall_ms, "memory_kb",
		                  (json_int_t)t->memory_kb, "exit_code",
		                  t->exit_code, "signal", t->signal, "message",
		                  res_string(t->message ? t->message : "")));
	}
	compile = json_pack("{s:b,s:o,s:I}", "ok", r->compile_ok, "log",
	                    res_string(r->compile_log ? r->compile_log : ""),
	                    "time_ms", (json_int_t)r->compile_time_ms);
	judge = json_pack("{s:o,s:o,s:o}", "host", res_string(r->host),
	                  "sandbox", res_string(r->sandbox), "lang_version",
	                  res_string(r->lang_version));
	if (judge && r->load.known) {
		const struct ac_judge_load *l = &r->load;

		json_object_set_new(
		        judge, "load",
		        json_pack("{s:i,s:f,s:i,s:o,s:f,s:b,s:i}", "cpus",
		                  (int)l->cpus, "loadavg", l->loadavg,
		                  "runnable", (int)l->runnable, "cpu_pressure",
		                  l->cpu_pressure < 0
		                          ? json_null()
		                          : json_real(l->cpu_pressure),
		                  "wall_factor", l->wall_factor, "overloaded",
		                  l->overloaded, "tle_reruns",
		                  (int)l->tle_reruns));
	}
	doc = json_pack("{s:o,s:o,s:o,s:o,s:s,s:s,s:I,s:I,s:o,s:o,s:o}",
	                "submission_id", res_string(r->submission_id),
	                "problem_id", res_string(r->problem_id), "lang",
	                res_string(r->lang), "user_id", res_string(r->user_id),
	                "verdict", ac_verdict_name(r->verdict), "verdict_code",
	                ac_verdict_code(r->verdict), "time_ms",
	                (json_int_t)r->time_ms, "memory_kb",
	                (json_int_t)r->memory_kb, "compile", compile, "tests",
	                tests, "judge", judge);
	if (!doc)
		return NULL;
	if (r->scored)
		res_scores(r, doc, tests);
	if (r->submitted_at) {
		ac_format_time(r->submitted_at, when, sizeof(when));
		json_object_set_new(doc, "submitted_at", json_string(when));
	} else {
		json_object_set_new(doc, "submitted_at", json_null());
	}
	ac_format_time(r->finished_at ? r->finished_at : ac_now_ms(), when,
	               sizeof(when));
	json_object_set_new(doc, "finished_at", json_string(when));
	out = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(doc);
	return out;
}

void ac_result_clear(struct ac_result *r)
{
	for (size_t i = 0; i < r->ntests; i++) {
		free(r->tests[i].name);
		free(r->tests[i].message);
	}
	free(r->tests);
	free(r->submission_id);
	free(r->problem_id);
	free(r->lang);
	free(r->user_id);
	free(r->compile_log);
	free(r->host);
	free(r->sandbox);
	free(r->lang_version);
	for (size_t i = 0; i < r->ngroups; i++)
		free(r->groups[i].name);
	free(r->groups);
	memset(r, 0, sizeof(*r));
}
