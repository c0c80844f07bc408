/* GET /api/v1/submissions/?problem=ID&page=N: the signed-in user's
 * submissions, newest first (docs/api.md).  See submissions.c. */
#ifndef AC_SUBMISSIONS_H
#define AC_SUBMISSIONS_H
struct ac_core;
struct evhttp_request;

/* Submissions a page. */
#define AC_SUBMISSIONS_PAGE 20

/* Answer req for user (authenticated; owned by the call).  The store
 * lookup runs on the worker pool; a client gone meanwhile is noticed. */
void ac_submissions_list(struct ac_core *core, struct evhttp_request *req,
                         char *user);
#endif
