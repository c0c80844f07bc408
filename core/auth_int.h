/* The auth role's state and what its files share: auth.c (replies, operations
 * on the worker pool, start and stop), auth_routes.c (the HTTP handlers).  The
 * input rules are auth_rules.c (public in auth.h).  Internal to the core. */
#ifndef AC_AUTH_INT_H
#define AC_AUTH_INT_H

#include "auth.h"
#include "core.h"
#include "http.h"
#include "jwt.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define AUTH_PREFIX "/api/v1/auth/"
/* Waiting for a hash slot, at most. */
#define AUTH_QUEUE_MAX 256
#define AUTH_DRAIN_S   5

enum auth_kind {
	K_REGISTER,
	K_LOGIN,
	K_REFRESH,
	K_LOGOUT,
	K_USER,
};

__attribute__((unused)) static const char *const auth_kind_names[] = {
        "registration", "login", "refresh", "logout", "user",
};

struct auth {
	struct ac_core *core;
	struct ac_http *http;
	unsigned refs;
	unsigned inflight;
	bool stopped;

	struct ac_jwt_keys keys;
	int64_t access_ttl, refresh_ttl;
	double login_burst, login_rate, reg_burst, reg_rate;
	unsigned password_min;
	size_t body_max;
	unsigned long long opslimit;
	size_t memlimit;
	unsigned hash_max, hash_running;
	struct auth_op *qhead, **qtail;
	size_t queued;
	/* Verified against when the e-mail is unknown, so that a login
	 * takes as long for an unknown account as for a known one. */
	char dummy_hash[crypto_pwhash_STRBYTES];
};

struct auth_op {
	struct auth *a;
	struct evhttp_request *req; /* NULL once the client is gone */
	enum auth_kind kind;
	struct auth_op *qnext;
	char ip[INET6_ADDRSTRLEN + 1];
	int64_t now_s;

	/* inputs */
	char *username, *email, *password, *first, *last;
	struct ac_jwt_claims claims; /* refresh, logout: the refresh token */
	char user_id[AC_JWT_MAX_CLAIM + 1]; /* user: caller; logout all */
	bool logout_all;

	/* results */
	int rc_rate;
	int64_t retry_ms;
	int rc;
	json_t *errors; /* field errors: 400 */
	struct ac_user user;
	char *access, *refresh;
	int64_t access_exp;
};

/* Shared between the files of this module. */
void auth_reply(struct evhttp_request *req, enum auth_kind kind, int code,
                json_t *body);
void auth_error(struct evhttp_request *req, enum auth_kind kind, int code,
                const char *msg);
void auth_fields(struct evhttp_request *req, enum auth_kind kind,
                 json_t *errors);
void auth_token_invalid(struct evhttp_request *req, enum auth_kind kind);
void auth_op_free(struct auth_op *op);
/* A new operation for req; NULL (req answered 503) when out of memory. */
struct auth_op *auth_op_new(struct auth *a, struct evhttp_request *req,
                            enum auth_kind kind);
int auth_pool(struct auth_op *op, void (*work)(void *), void (*done)(void *));
void auth_pre_work(void *arg);
void auth_pre_done(void *arg);
void auth_store_work(void *arg);
void auth_store_done(void *arg);
void auth_field_error(json_t *errors, const char *field, const char *msg);
const char *auth_string_field(json_t *body, json_t *errors, const char *field,
                              bool required);
void auth_request_cb(struct evhttp_request *req, const char *path, void *arg);

#endif
