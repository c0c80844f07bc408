/* Queue messages (JSON, versioned).
 *
 * job:    {"version":1,"submission_id","problem_id","problem_hash","lang",
 *          "user_id","code","submitted_at":ms,"all_tests":bool}
 * result: {"version":1,"submission_id","user_id","result":RESULT}
 *         (a "type":"result" member may be present)
 * progress: {"version":1,"type":"progress","submission_id","user_id",
 *          "event":"compile"|"test","data":{...}} on the results queue,
 *          best-effort (docs/architecture.md, "Progress messages")
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
};

char *ac_job_msg_encode(const struct ac_job_msg *m);
/* -EINVAL with a message for anything malformed. */
int ac_job_msg_decode(const char *body, size_t len, struct ac_job_msg *out,
                      char *err, size_t errlen);
void ac_job_msg_clear(struct ac_job_msg *m);

/* result_json is a result document; the message wraps it. */
char *ac_result_msg_encode(const char *submission_id, const char *user_id,
                           const char *result_json);
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
