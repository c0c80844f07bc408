/* Queue messages: versioned JSON jobs and results (see msg.h). */
#include "msg.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Limits on what a message may carry (untrusted input). */
#define MSG_MAX_LEN (16u << 20)
#define MSG_MAX_ID  128

char *ac_job_msg_encode(const struct ac_job_msg *m)
{
	json_t *j = json_pack(
	        "{s:i,s:s,s:s,s:s,s:s,s:s,s:s%,s:I,s:b}", "version",
	        AC_MSG_VERSION, "submission_id", m->submission_id, "problem_id",
	        m->problem_id, "problem_hash", m->problem_hash, "lang", m->lang,
	        "user_id", m->user_id, "code", m->code, m->code_len,
	        "submitted_at", (json_int_t)m->submitted_at, "all_tests",
	        m->all_tests);
	char *s;

	if (!j)
		return NULL;
	s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	return s;
}

/* A string field; only the code (lenp != NULL) may hold NUL bytes. */
static int msg_str(json_t *root, const char *key, size_t max, char **out,
                   size_t *lenp, char *err, size_t errlen)
{
	json_t *v = json_object_get(root, key);
	size_t n;

	if (!json_is_string(v)) {
		snprintf(err, errlen, "field \"%s\" is missing or not a string",
		         key);
		return -EINVAL;
	}
	n = json_string_length(v);
	if (n == 0 || n > max) {
		snprintf(err, errlen, "field \"%s\" is empty or too long", key);
		return -EINVAL;
	}
	if (!lenp && strlen(json_string_value(v)) != n) {
		snprintf(err, errlen, "field \"%s\" holds a NUL byte", key);
		return -EINVAL;
	}
	*out = malloc(n + 1);
	if (!*out)
		return -ENOMEM;
	memcpy(*out, json_string_value(v), n);
	(*out)[n] = '\0';
	if (lenp)
		*lenp = n;
	return 0;
}

static json_t *msg_parse(const char *body, size_t len, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root, *ver;

	if (len > MSG_MAX_LEN) {
		snprintf(err, errlen, "message of %zu bytes is too large", len);
		return NULL;
	}
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
	                  &je);
	if (!root) {
		snprintf(err, errlen, "not JSON: %s (line %d)", je.text,
		         je.line);
		return NULL;
	}
	if (!json_is_object(root)) {
		snprintf(err, errlen, "message is not a JSON object");
		json_decref(root);
		return NULL;
	}
	ver = json_object_get(root, "version");
	if (!json_is_integer(ver) ||
	    json_integer_value(ver) != AC_MSG_VERSION) {
		snprintf(err, errlen, "unsupported message version (want %d)",
		         AC_MSG_VERSION);
		json_decref(root);
		return NULL;
	}
	return root;
}

int ac_job_msg_decode(const char *body, size_t len, struct ac_job_msg *m,
                      char *err, size_t errlen)
{
	json_t *root, *v;
	int r;

	memset(m, 0, sizeof(*m));
	root = msg_parse(body, len, err, errlen);
	if (!root)
		return -EINVAL;
	if ((r = msg_str(root, "submission_id", MSG_MAX_ID, &m->submission_id,
	                 NULL, err, errlen)) < 0 ||
	    (r = msg_str(root, "problem_id", 256, &m->problem_id, NULL, err,
	                 errlen)) < 0 ||
	    (r = msg_str(root, "problem_hash", 128, &m->problem_hash, NULL, err,
	                 errlen)) < 0 ||
	    (r = msg_str(root, "lang", 64, &m->lang, NULL, err, errlen)) < 0 ||
	    (r = msg_str(root, "user_id", MSG_MAX_ID, &m->user_id, NULL, err,
	                 errlen)) < 0 ||
	    (r = msg_str(root, "code", MSG_MAX_LEN, &m->code, &m->code_len, err,
	                 errlen)) < 0)
		goto fail;
	v = json_object_get(root, "submitted_at");
	m->submitted_at = json_is_integer(v) ? json_integer_value(v) : 0;
	v = json_object_get(root, "all_tests");
	m->all_tests = json_is_true(v);
	json_decref(root);
	return 0;
fail:
	json_decref(root);
	ac_job_msg_clear(m);
	return r;
}

void ac_job_msg_clear(struct ac_job_msg *m)
{
	free(m->submission_id);
	free(m->problem_id);
	free(m->problem_hash);
	free(m->lang);
	free(m->user_id);
	free(m->code);
	memset(m, 0, sizeof(*m));
}

char *ac_result_msg_encode(const char *submission_id, const char *user_id,
                           const char *result_json)
{
	json_error_t je;
	json_t *doc = json_loads(result_json, 0, &je), *j;
	char *s;

	if (!doc)
		return NULL;
	j = json_pack("{s:i,s:s,s:s,s:o}", "version", AC_MSG_VERSION,
	              "submission_id", submission_id, "user_id",
	              user_id ? user_id : "", "result", doc);
	if (!j)
		return NULL;
	s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	return s;
}

int ac_result_msg_decode(const char *body, size_t len, char **submission_id,
                         char **user_id, char **result_json, char *err,
                         size_t errlen)
{
	json_t *root, *doc, *uid;
	int r;

	*submission_id = *user_id = *result_json = NULL;
	root = msg_parse(body, len, err, errlen);
	if (!root)
		return -EINVAL;
	r = msg_str(root, "submission_id", MSG_MAX_ID, submission_id, NULL, err,
	            errlen);
	if (r < 0)
		goto fail;
	uid = json_object_get(root, "user_id");
	*user_id = strdup(json_is_string(uid) ? json_string_value(uid) : "");
	doc = json_object_get(root, "result");
	if (!json_is_object(doc)) {
		snprintf(err, errlen,
		         "field \"result\" is missing or not an object");
		r = -EINVAL;
		goto fail;
	}
	*result_json = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!*user_id || !*result_json) {
		r = -ENOMEM;
		goto fail;
	}
	json_decref(root);
	return 0;
fail:
	json_decref(root);
	free(*submission_id);
	free(*user_id);
	free(*result_json);
	*submission_id = *user_id = *result_json = NULL;
	return r;
}

char *ac_progress_msg_encode(const char *submission_id, const char *user_id,
                             const char *event, const char *data_json)
{
	json_t *data = json_loads(data_json, 0, NULL), *j;
	char *s;

	if (!json_is_object(data)) {
		json_decref(data);
		return NULL;
	}
	j = json_pack("{s:i,s:s,s:s,s:s,s:s,s:o}", "version", AC_MSG_VERSION,
	              "type", "progress", "submission_id", submission_id,
	              "user_id", user_id ? user_id : "", "event", event, "data",
	              data);
	if (!j)
		return NULL;
	s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	return s;
}

int ac_progress_msg_decode(const char *body, size_t len,
                           struct ac_progress_msg *out, char *err,
                           size_t errlen)
{
	json_t *root, *type, *data;
	int r = -EINVAL;

	memset(out, 0, sizeof(*out));
	root = msg_parse(body, len, err, errlen);
	if (!root)
		return -EINVAL;
	type = json_object_get(root, "type");
	if (!type || (json_is_string(type) &&
	              strcmp(json_string_value(type), "result") == 0)) {
		json_decref(root);
		return -ENOMSG;
	}
	if (!json_is_string(type) ||
	    strcmp(json_string_value(type), "progress") != 0) {
		snprintf(err, errlen, "unknown message type");
		goto fail;
	}
	if ((r = msg_str(root, "submission_id", MSG_MAX_ID, &out->submission_id,
	                 NULL, err, errlen)) < 0 ||
	    (r = msg_str(root, "user_id", MSG_MAX_ID, &out->user_id, NULL, err,
	                 errlen)) < 0 ||
	    (r = msg_str(root, "event", 32, &out->event, NULL, err, errlen)) <
	            0)
		goto fail;
	r = -EINVAL;
	if (strcmp(out->event, "test") != 0 &&
	    strcmp(out->event, "compile") != 0) {
		snprintf(err, errlen, "unknown progress event");
		goto fail;
	}
	data = json_object_get(root, "data");
	if (!json_is_object(data)) {
		snprintf(err, errlen,
		         "field \"data\" is missing or not an object");
		goto fail;
	}
	out->data_json = json_dumps(data, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!out->data_json) {
		r = -ENOMEM;
		goto fail;
	}
	json_decref(root);
	return 0;
fail:
	json_decref(root);
	ac_progress_msg_clear(out);
	return r;
}

void ac_progress_msg_clear(struct ac_progress_msg *m)
{
	free(m->submission_id);
	free(m->user_id);
	free(m->event);
	free(m->data_json);
	memset(m, 0, sizeof(*m));
}
