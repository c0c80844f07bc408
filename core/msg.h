/* Queue messages (JSON, versioned).
 *
 * job:    {"version":1,"submission_id","problem_id","problem_hash","lang",
 *          "user_id","code","submitted_at":ms,"all_tests":bool}
 * result: {"version":1,"submission_id","user_id","result":RESULT}
 *         (a "type":"result" member may be present)
 * progress: {"version":1,"type":"progress","submission_id","user_id",
 *          "event":"compile"|"test","data":{...}} on the results queue,
 *          best-effort (docs/architecture.md, "Progress messages")
 *
 * Additive fields (version stays 1, old messages decode as before):
 *   job    "kind":"run" (absent: "judge"), a run with custom input:
 *          "submission_id" is the run id ("run-<uuid>"), "inputs":
 *          [strings], no "problem_id" nor "problem_hash";
 *   job    "files":[{"name","content"}] in place of "code": a submission
 *          of several files (names: ac_file_name_ok).  Inside the core
 *          such a submission travels as ONE `code` string, the bundle
 *          below, so that the store, the outbox and the sweep keep it
 *          as they keep any source; the job message carries the files.
 *   result "kind":"run": "result" is a run document (docs/api.md); its
 *          "submission_id" is the run id, which starts with "run-" (no
 *          submission id does: they are UUIDs).
 */
#ifndef AC_MSG_H
#define AC_MSG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AC_MSG_VERSION 1

struct ac_job_msg {
	char *submission_id, *problem_id, *problem_hash, *lang, *user_id;
	char *code;
	size_t code_len;
	int64_t submitted_at;
	bool all_tests;
	/* kind "run": the inputs (may hold NUL bytes), no problem. */
	bool run;
	char **inputs;
	size_t *input_lens;
	size_t ninputs;
};

/* A multi-file submission: at most AC_FILES_MAX files, names of at most
 * AC_FILE_NAME_MAX bytes. */
#define AC_FILES_MAX     32
#define AC_FILE_NAME_MAX 64
struct ac_src_file {
	char name[AC_FILE_NAME_MAX + 1];
	const char *data; /* borrowed */
	size_t len;
};
/* A file name a submission may use: 1..AC_FILE_NAME_MAX bytes of
 * [A-Za-z0-9._-], not starting with '.' (no path, no dot-file). */
bool ac_file_name_ok(const char *name, size_t len);
/* The bundle: "\0algocode-files\n", then per file its name, "\n", its
 * length in decimal, "\n" and its bytes.  *out malloc'ed. */
int ac_files_bundle(const struct ac_src_file *f, size_t n, char **out,
                    size_t *len);
bool ac_files_is_bundle(const char *code, size_t len);
/* The files of a bundle (data points into code); *f malloc'ed.  -EINVAL
 * with err for a malformed bundle, a bad or repeated name, too many
 * files. */
int ac_files_unbundle(const char *code, size_t len, struct ac_src_file **f,
                      size_t *n, char *err, size_t errlen);

/* Bounds on a run job's inputs (untrusted input). */
#define AC_MSG_MAX_INPUTS 64

char *ac_job_msg_encode(const struct ac_job_msg *m);
/* -EINVAL with a message for anything malformed. */
int ac_job_msg_decode(const char *body, size_t len, struct ac_job_msg *out,
                      char *err, size_t errlen);
void ac_job_msg_clear(struct ac_job_msg *m);

/* result_json is a result document; the message wraps it. */
char *ac_result_msg_encode(const char *submission_id, const char *user_id,
                           const char *result_json);
/* The same with "kind":"run" (a run document). */
char *ac_run_result_msg_encode(const char *run_id, const char *user_id,
                               const char *doc_json);

/* Out strings are malloc'ed; *result_json is the embedded document. */
int ac_result_msg_decode(const char *body, size_t len, char **submission_id,
                         char **user_id, char **result_json, char *err,
                         size_t errlen);

/* A progress message (judge -> api, best-effort). */
struct ac_progress_msg {
	char *submission_id, *user_id, *event;
	char *data_json; /* the "data" object */
};

/* data_json must be a JSON object.  NULL on failure. */
char *ac_progress_msg_encode(const char *submission_id, const char *user_id,
                             const char *event, const char *data_json);
/* 0: a progress message (*out filled; ac_progress_msg_clear it);
 * -ENOMSG: not one (no "type", or "type":"result": a result message);
 * -EINVAL with a message: malformed, or of a type not known. */
int ac_progress_msg_decode(const char *body, size_t len,
                           struct ac_progress_msg *out, char *err,
                           size_t errlen);
void ac_progress_msg_clear(struct ac_progress_msg *m);
#endif
