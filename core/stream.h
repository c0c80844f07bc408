/* Live results: GET /api/v1/result/stream/ID/ as Server-Sent Events
 * (docs/api.md).  One event per finished test, a compile event, and a final
 * event carrying the result document; fed by the judge's progress messages
 * and by the results the api role stores.  Each open stream is a small
 * struct on the loop (no thread); see stream.c. */
#ifndef AC_STREAM_H
#define AC_STREAM_H
#include <stddef.h>

struct ac_core;
struct ac_streams;
struct ac_progress_msg;
struct evhttp_request;

/* recheck_s: how often an open stream looks the result up in the store (a
 * result another api process consumed) and writes a keep-alive; max_s:
 * the longest a stream stays open (then a "timeout" event ends it). */
struct ac_streams *ac_streams_new(struct ac_core *core, int recheck_s,
                                  int max_s);
/* Every stream ends (the clients fall back to polling or reconnect); the
 * registry goes when the last store lookup in flight completes. */
void ac_streams_free(struct ac_streams *ss);
/* Serve a stream of submission id to user (authenticated, owned by the
 * call: freed by it); answers 404 when the submission is unknown or
 * another user's, as the result endpoint does. */
void ac_streams_open(struct ac_streams *ss, struct evhttp_request *req,
                     const char *id, char *user);
/* A progress message from a judge. */
void ac_streams_progress(struct ac_streams *ss,
                         const struct ac_progress_msg *m);
/* A result was stored (owner: the submitter named in its message). */
void ac_streams_result(struct ac_streams *ss, const char *id, const char *owner,
                       const char *result_json);
/* Streams open now. */
size_t ac_streams_count(const struct ac_streams *ss);
#endif
