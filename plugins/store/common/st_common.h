/* What the stores share whatever holds their data: the checks of what the
 * core hands them, the bucket arithmetic of rate_take, and freeing what
 * they hand back.  Compiled into each store plugin (st_common.c), so every
 * store stays one self-contained .so.  Prefix: st_.
 *
 * Ownership: the *_clear and st_rows_free functions free strings the store
 * allocated for the core's structures; st_pending_finish frees or hands
 * over the array st_pending_alloc made.
 */
#ifndef ALGOCODE_ST_COMMON_H
#define ALGOCODE_ST_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <algocode/plugin.h>

/* Submission ids, user ids, user names, e-mail addresses, jtis, bucket
 * keys: non-empty, at most this many bytes. */
#define ST_MAX_ID 256

/* The most pending submissions one claim_pending returns. */
#define ST_MAX_CLAIM 100000

/* CLOCK_REALTIME in milliseconds (created_at, result stamps). */
int64_t st_now_ms(void);

/* s is an id: not NULL, not empty, at most ST_MAX_ID bytes. */
bool st_id_ok(const char *s);

/* s is not NULL and at most max bytes. */
bool st_text_ok(const char *s, size_t max);

/* A copy of s in ASCII lower case (e-mail addresses compare
 * case-insensitively); NULL when out of memory. */
char *st_lower(const char *s);

/* put_submission's argument check: ids well-formed, code at most max_code
 * bytes. */
bool st_submission_ok(const struct ac_submission *sub, size_t max_code);

/* put_user's argument check. */
bool st_user_ok(const struct ac_user *u);

/* rate_take's argument check: key an id, burst and per_sec in range. */
bool st_rate_ok(const char *key, double burst, double per_sec);

/* One take from a token bucket (burst tokens at most, per_sec tokens
 * refilled per second) holding *tokens at *updated: refills up to now_ms,
 * takes a token and returns 0, or returns -EAGAIN with the wait for the next
 * token in *retry (ms, at least 1).  A clock that went backwards adds
 * nothing and moves nothing back; a damaged count reads as empty. */
int st_bucket_step(double *tokens, int64_t *updated, double burst,
                   double per_sec, int64_t now_ms, int64_t *retry);

/* A pending submission's code, copied NUL-terminated into p->code (len
 * bytes, code may be NULL when len is 0): 0 or -ENOMEM. */
int st_pending_code(struct ac_pending *p, const void *code, size_t len);

/* The end of reading a pending submission into *p: ret, or -EIO when ret
 * is 0 but it lacks its id, problem or language; *p is cleared on
 * failure. */
int st_pending_done(struct ac_pending *p, int ret);

/* get_result's start: *result_json and *owner (when owner) cleared; 0, or
 * -ENOENT for an id that cannot be one. */
int st_result_begin(const char *id, char **result_json, char **owner);

/* get_result's success: json into *result_json, user into *owner, or freed
 * when the caller did not ask for the owner.  Returns 0.  Also a pending
 * submission's (json NULL: only its owner). */
int st_result_give(char *json, char *user, char **result_json, char **owner);

/* The string members of *u in the order id, username, email,
 * password_hash, first_name, last_name (a store's columns or keys of a
 * user in that order read into them in one loop), and of *p in the order
 * id, problem_id, problem_hash, lang, user_id (its code apart). */
#define ST_USER_STRINGS    6
#define ST_PENDING_STRINGS 5
void st_user_strings(struct ac_user *u, char **v[ST_USER_STRINGS]);
void st_pending_strings(struct ac_pending *p, char **v[ST_PENDING_STRINGS]);

/* put_user's start: -EINVAL when *u is not a user (st_user_ok), else 0
 * with *email its e-mail address in lower case (malloc'ed), or -ENOMEM. */
int st_user_email(const struct ac_user *u, char **email);

/* get_user's key as stored (an e-mail address in lower case), malloc'ed;
 * NULL when out of memory. */
char *st_user_key(enum ac_user_key by, const char *key);

/* Free the strings of *p / *u and zero it. */
void st_pending_clear(struct ac_pending *p);
void st_user_clear(struct ac_user *u);

/* Free n rows and the array. */
void st_rows_free(struct ac_submission_row *rows, size_t n);

/* claim_pending's start: *out and *n zeroed, *max capped at ST_MAX_CLAIM,
 * *v a zeroed array of *max entries.  Returns 0 (with *v NULL when *max is
 * 0: nothing to claim) or -ENOMEM. */
int st_pending_alloc(size_t *max, struct ac_pending **v,
                     struct ac_pending **out, size_t *n);

/* claim_pending's end: on success with count > 0 hands v over (*out, *n),
 * else frees the count entries and v.  Returns ret. */
int st_pending_finish(int ret, struct ac_pending *v, size_t count,
                      struct ac_pending **out, size_t *n);

#endif
