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

#define MSG_BUNDLE_MAGIC     "\0algocode-files\n"
#define MSG_BUNDLE_MAGIC_LEN (sizeof(MSG_BUNDLE_MAGIC) - 1)

bool ac_file_name_ok(const char *name, size_t len)
{
	if (len == 0 || len > AC_FILE_NAME_MAX || name[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9') || name[i] == '.' ||
		      name[i] == '_' || name[i] == '-'))
			return false;
	return true;
}

bool ac_files_is_bundle(const char *code, size_t len)
{
	return code && len >= MSG_BUNDLE_MAGIC_LEN &&
	       memcmp(code, MSG_BUNDLE_MAGIC, MSG_BUNDLE_MAGIC_LEN) == 0;
}

int ac_files_bundle(const struct ac_src_file *f, size_t n, char **out,
                    size_t *len)
{
	size_t total = MSG_BUNDLE_MAGIC_LEN, off;
	char *b;

	*out = NULL;
	for (size_t i = 0; i < n; i++)
		total += strlen(f[i].name) + 24 + f[i].len;
	b = malloc(total + 1);
	if (!b)
		return -ENOMEM;
	memcpy(b, MSG_BUNDLE_MAGIC, MSG_BUNDLE_MAGIC_LEN);
	off = MSG_BUNDLE_MAGIC_LEN;
	for (size_t i = 0; i < n; i++) {
		off += (size_t)snprintf(b + off, total + 1 - off, "%s\n%zu\n",
		                        f[i].name, f[i].len);
		memcpy(b + off, f[i].data, f[i].len);
		off += f[i].len;
	}
	b[off] = '\0';
	*out = b;
	*len = off;
	return 0;
}

int ac_files_unbundle(const char *code, size_t len, struct ac_src_file **f,
                      size_t *n, char *err, size_t errlen)
{
	size_t off = MSG_BUNDLE_MAGIC_LEN;
	struct ac_src_file *v;

	*f = NULL;
	*n = 0;
	if (!ac_files_is_bundle(code, len)) {
		snprintf(err, errlen, "not a bundle of files");
		return -EINVAL;
	}
	v = calloc(AC_FILES_MAX, sizeof(*v));
	if (!v)
		return -ENOMEM;
	while (off < len) {
		const char *nl = memchr(code + off, '\n', len - off);
		size_t nlen = nl ? (size_t)(nl - code - off) : 0, flen = 0;
		char *end;

		if (*n == AC_FILES_MAX) {
			snprintf(err, errlen, "more than %d files",
			         AC_FILES_MAX);
			goto bad;
		}
		if (!nl || !ac_file_name_ok(code + off, nlen)) {
			snprintf(err, errlen,
			         "file %zu: a name of 1 to %d letters, digits, "
			         "'.', '_' or '-', not starting with '.'",
			         *n + 1, AC_FILE_NAME_MAX);
			goto bad;
		}
		memcpy(v[*n].name, code + off, nlen);
		v[*n].name[nlen] = '\0';
		for (size_t i = 0; i < *n; i++)
			if (strcmp(v[i].name, v[*n].name) == 0) {
				snprintf(err, errlen, "file %s given twice",
				         v[i].name);
				goto bad;
			}
		off += nlen + 1;
		nl = memchr(code + off, '\n', len - off);
		if (nl && nl > code + off && nl - code - off < 12) {
			errno = 0;
			flen = strtoul(code + off, &end, 10);
			if (errno || end != nl)
				nl = NULL;
		}
		if (!nl || flen > len - (size_t)(nl + 1 - code)) {
			snprintf(err, errlen, "file %s: bad length",
			         v[*n].name);
			goto bad;
		}
		off = (size_t)(nl + 1 - code);
		v[*n].data = code + off;
		v[*n].len = flen;
		off += flen;
		(*n)++;
	}
	if (*n == 0) {
		snprintf(err, errlen, "no file");
		goto bad;
	}
	*f = v;
	return 0;
bad:
	free(v);
	*n = 0;
	return -EINVAL;
}

/* "files" of a job from a bundle, or NULL (not a bundle). */
static json_t *msg_files_json(const char *code, size_t len)
{
	struct ac_src_file *f;
	char err[128];
	size_t n;
	json_t *a;

	if (ac_files_unbundle(code, len, &f, &n, err, sizeof(err)) < 0)
		return NULL;
	a = json_array();
	for (size_t i = 0; a && i < n; i++)
		if (json_array_append_new(
		            a, json_pack("{s:s,s:s%}", "name", f[i].name,
		                         "content", f[i].data, f[i].len)) < 0) {
			json_decref(a);
			a = NULL;
		}
	free(f);
	return a;
}

/* "files" of a job into a bundle in m->code. */
static int msg_files(json_t *files, struct ac_job_msg *m, char *err,
                     size_t errlen)
{
	struct ac_src_file *f;
	json_t *v;
	size_t i, total = 0;
	int r;

	if (!json_is_array(files) || json_array_size(files) == 0 ||
	    json_array_size(files) > AC_FILES_MAX) {
		snprintf(err, errlen,
		         "field \"files\" is not an array of 1 to %d files",
		         AC_FILES_MAX);
		return -EINVAL;
	}
	f = calloc(json_array_size(files), sizeof(*f));
	if (!f)
		return -ENOMEM;
	json_array_foreach(files, i, v)
	{
		json_t *nm = json_object_get(v, "name");
		json_t *c = json_object_get(v, "content");

		if (!json_is_string(nm) || !json_is_string(c) ||
		    !ac_file_name_ok(json_string_value(nm),
		                     json_string_length(nm))) {
			snprintf(
			        err, errlen,
			        "file %zu: want {\"name\", \"content\"} with a "
			        "valid name",
			        i + 1);
			free(f);
			return -EINVAL;
		}
		snprintf(f[i].name, sizeof(f[i].name), "%s",
		         json_string_value(nm));
		f[i].data = json_string_value(c);
		f[i].len = json_string_length(c);
		total += f[i].len;
	}
	r = total > MSG_MAX_LEN ? -EINVAL
	                        : ac_files_bundle(f, json_array_size(files),
	                                          &m->code, &m->code_len);
	free(f);
	if (r == 0 &&
	    ac_files_unbundle(m->code, m->code_len, &f, &i, err, errlen) == 0) {
		free(f); /* the names are valid and distinct */
		return 0;
	}
	if (r == 0)
		r = -EINVAL;
	else
		snprintf(err, errlen, "cannot bundle the files");
	return r;
}

static json_t *msg_run_inputs(const struct ac_job_msg *m)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < m->ninputs; i++)
		if (json_array_append_new(
		            a, json_stringn(m->inputs[i], m->input_lens[i])) <
		    0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

char *ac_job_msg_encode(const struct ac_job_msg *m)
{
	json_t *j, *files;
	char *s;

	if (m->run)
		j = json_pack("{s:i,s:s,s:s,s:s,s:s,s:s%,s:I,s:o*}", "version",
		              AC_MSG_VERSION, "kind", "run", "submission_id",
		              m->submission_id, "lang", m->lang, "user_id",
		              m->user_id, "code", m->code, m->code_len,
		              "submitted_at", (json_int_t)m->submitted_at,
		              "inputs", msg_run_inputs(m));
	else
		j = json_pack(
		        "{s:i,s:s,s:s,s:s,s:s,s:s,s:s%,s:I,s:b}", "version",
		        AC_MSG_VERSION, "submission_id", m->submission_id,
		        "problem_id", m->problem_id, "problem_hash",
		        m->problem_hash, "lang", m->lang, "user_id", m->user_id,
		        "code", m->code, m->code_len, "submitted_at",
		        (json_int_t)m->submitted_at, "all_tests", m->all_tests);
	if (j && !m->run && ac_files_is_bundle(m->code, m->code_len)) {
		/* The files in place of the bundle (msg.h); a bundle that
		 * does not decode makes no message. */
		json_object_del(j, "code");
		files = msg_files_json(m->code, m->code_len);
		if (files)
			json_object_set_new(j, "files", files);
	}
	if (!j || (m->run && !json_object_get(j, "inputs")) ||
	    (!json_object_get(j, "code") && !json_object_get(j, "files"))) {
		json_decref(j);
		return NULL;
	}
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

/* "inputs" of a run job: strings (NUL bytes allowed), at most
 * AC_MSG_MAX_INPUTS. */
static int msg_inputs(json_t *root, struct ac_job_msg *m, char *err,
                      size_t errlen)
{
	json_t *a = json_object_get(root, "inputs"), *v;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) == 0 ||
	    json_array_size(a) > AC_MSG_MAX_INPUTS) {
		snprintf(err, errlen,
		         "field \"inputs\" is missing, empty, not an array or "
		         "longer than %d",
		         AC_MSG_MAX_INPUTS);
		return -EINVAL;
	}
	m->inputs = calloc(json_array_size(a), sizeof(*m->inputs));
	m->input_lens = calloc(json_array_size(a), sizeof(*m->input_lens));
	if (!m->inputs || !m->input_lens)
		return -ENOMEM;
	json_array_foreach(a, i, v)
	{
		size_t n = json_string_length(v);

		if (!json_is_string(v)) {
			snprintf(err, errlen, "input %zu is not a string", i);
			return -EINVAL;
		}
		if (!(m->inputs[i] = malloc(n + 1)))
			return -ENOMEM;
		memcpy(m->inputs[i], json_string_value(v), n);
		m->inputs[i][n] = '\0';
		m->input_lens[i] = n;
		m->ninputs = i + 1;
	}
	return 0;
}

/* Read the fields of a message's root object into out: 0 or -errno
 * (message in err); what it filled, clear releases. */
typedef int (*msg_fields_fn)(json_t *root, void *out, char *err, size_t errlen);

/* Decode body into out (size bytes, zeroed first): parse, read the fields,
 * and on failure clear what they filled. */
static int msg_decode(const char *body, size_t len, msg_fields_fn fields,
                      void (*clear)(void *out), void *out, size_t size,
                      char *err, size_t errlen)
{
	json_t *root;
	int r;

	memset(out, 0, size);
	root = msg_parse(body, len, err, errlen);
	if (!root)
		return -EINVAL;
	r = fields(root, out, err, errlen);
	json_decref(root);
	if (r < 0)
		clear(out);
	return r;
}

static void msg_job_clear(void *m)
{
	ac_job_msg_clear(m);
}

static void msg_progress_clear(void *m)
{
	ac_progress_msg_clear(m);
}

static int msg_job_fields(json_t *root, void *out, char *err, size_t errlen)
{
	struct ac_job_msg *m = out;
	json_t *v;
	int r;

	v = json_object_get(root, "kind");
	if (v && !(json_is_string(v) &&
	           (strcmp(json_string_value(v), "run") == 0 ||
	            strcmp(json_string_value(v), "judge") == 0))) {
		snprintf(err, errlen, "unknown job kind (want judge or run)");
		return -EINVAL;
	}
	m->run = v && strcmp(json_string_value(v), "run") == 0;
	if ((r = msg_str(root, "submission_id", MSG_MAX_ID, &m->submission_id,
	                 NULL, err, errlen)) < 0 ||
	    (!m->run && (r = msg_str(root, "problem_id", 256, &m->problem_id,
	                             NULL, err, errlen)) < 0) ||
	    (!m->run &&
	     (r = msg_str(root, "problem_hash", 128, &m->problem_hash, NULL,
	                  err, errlen)) < 0) ||
	    (r = msg_str(root, "lang", 64, &m->lang, NULL, err, errlen)) < 0 ||
	    (r = msg_str(root, "user_id", MSG_MAX_ID, &m->user_id, NULL, err,
	                 errlen)) < 0 ||
	    (!m->run && json_object_get(root, "files")
	             ? (r = msg_files(json_object_get(root, "files"), m, err,
	                              errlen))
	             : (r = msg_str(root, "code", MSG_MAX_LEN, &m->code,
	                            &m->code_len, err, errlen))) < 0 ||
	    (m->run && (r = msg_inputs(root, m, err, errlen)) < 0))
		return r;
	v = json_object_get(root, "submitted_at");
	m->submitted_at = json_is_integer(v) ? json_integer_value(v) : 0;
	v = json_object_get(root, "all_tests");
	m->all_tests = json_is_true(v);
	return 0;
}

int ac_job_msg_decode(const char *body, size_t len, struct ac_job_msg *m,
                      char *err, size_t errlen)
{
	return msg_decode(body, len, msg_job_fields, msg_job_clear, m,
	                  sizeof(*m), err, errlen);
}

void ac_job_msg_clear(struct ac_job_msg *m)
{
	free(m->submission_id);
	free(m->problem_id);
	free(m->problem_hash);
	free(m->lang);
	free(m->user_id);
	free(m->code);
	for (size_t i = 0; i < m->ninputs; i++)
		free(m->inputs[i]);
	free(m->inputs);
	free(m->input_lens);
	memset(m, 0, sizeof(*m));
}

static char *msg_result_encode(const char *submission_id, const char *user_id,
                               const char *result_json, bool run)
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
	if (run)
		json_object_set_new(j, "kind", json_string("run"));
	s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	return s;
}

char *ac_result_msg_encode(const char *submission_id, const char *user_id,
                           const char *result_json)
{
	return msg_result_encode(submission_id, user_id, result_json, false);
}

char *ac_run_result_msg_encode(const char *run_id, const char *user_id,
                               const char *doc_json)
{
	return msg_result_encode(run_id, user_id, doc_json, true);
}

/* The object member `name` of root, serialised into *out: 0, -EINVAL
 * (message in err) or -ENOMEM. */
static int msg_object(json_t *root, const char *name, char **out, char *err,
                      size_t errlen)
{
	json_t *v = json_object_get(root, name);

	if (!json_is_object(v)) {
		snprintf(err, errlen,
		         "field \"%s\" is missing or not an object", name);
		return -EINVAL;
	}
	*out = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
	return *out ? 0 : -ENOMEM;
}

struct msg_result {
	char *submission_id, *user_id, *result_json;
};

static int msg_result_fields(json_t *root, void *out, char *err, size_t errlen)
{
	struct msg_result *m = out;
	json_t *uid;
	int r = msg_str(root, "submission_id", MSG_MAX_ID, &m->submission_id,
	                NULL, err, errlen);

	if (r < 0)
		return r;
	uid = json_object_get(root, "user_id");
	m->user_id = strdup(json_is_string(uid) ? json_string_value(uid) : "");
	r = msg_object(root, "result", &m->result_json, err, errlen);
	return r == 0 && !m->user_id ? -ENOMEM : r;
}

static void msg_result_clear(void *out)
{
	struct msg_result *m = out;

	free(m->submission_id);
	free(m->user_id);
	free(m->result_json);
	memset(m, 0, sizeof(*m));
}

int ac_result_msg_decode(const char *body, size_t len, char **submission_id,
                         char **user_id, char **result_json, char *err,
                         size_t errlen)
{
	struct msg_result m;
	int r = msg_decode(body, len, msg_result_fields, msg_result_clear, &m,
	                   sizeof(m), err, errlen);

	*submission_id = m.submission_id;
	*user_id = m.user_id;
	*result_json = m.result_json;
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

static int msg_progress_fields(json_t *root, void *arg, char *err,
                               size_t errlen)
{
	struct ac_progress_msg *out = arg;
	json_t *type = json_object_get(root, "type");
	int r;

	if (!type || (json_is_string(type) &&
	              strcmp(json_string_value(type), "result") == 0))
		return -ENOMSG;
	if (!json_is_string(type) ||
	    strcmp(json_string_value(type), "progress") != 0) {
		snprintf(err, errlen, "unknown message type");
		return -EINVAL;
	}
	if ((r = msg_str(root, "submission_id", MSG_MAX_ID, &out->submission_id,
	                 NULL, err, errlen)) < 0 ||
	    (r = msg_str(root, "user_id", MSG_MAX_ID, &out->user_id, NULL, err,
	                 errlen)) < 0 ||
	    (r = msg_str(root, "event", 32, &out->event, NULL, err, errlen)) <
	            0)
		return r;
	if (strcmp(out->event, "test") != 0 &&
	    strcmp(out->event, "compile") != 0) {
		snprintf(err, errlen, "unknown progress event");
		return -EINVAL;
	}
	return msg_object(root, "data", &out->data_json, err, errlen);
}

int ac_progress_msg_decode(const char *body, size_t len,
                           struct ac_progress_msg *out, char *err,
                           size_t errlen)
{
	return msg_decode(body, len, msg_progress_fields, msg_progress_clear,
	                  out, sizeof(*out), err, errlen);
}

void ac_progress_msg_clear(struct ac_progress_msg *m)
{
	free(m->submission_id);
	free(m->user_id);
	free(m->event);
	free(m->data_json);
	memset(m, 0, sizeof(*m));
}
