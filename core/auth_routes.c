/* The auth role's HTTP handlers (docs/auth.md): each parses and checks its
 * request, then starts an operation (auth.c) or answers at once. */
#include "auth.h"

#include "config.h"
#include "core.h"
#include "http.h"
#include "jwt.h"
#include "log.h"
#include "metrics.h"
#include "pool.h"
#include "result.h"
#include "util.h"

#include "auth_int.h"
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

/* ------------------------------------------------------------------ */
/* Handlers                                                             */

/* Start op on the pool; on failure answer 503 and free it. */
static void auth_submit(struct auth_op *op, struct evhttp_request *req,
                        void (*work)(void *), void (*done)(void *))
{
	ac_http_hold(&op->req, req);
	if (auth_pool(op, work, done) < 0) {
		ac_http_unhold(&op->req);
		auth_error(req, op->kind, 503, "Server is shutting down.");
		auth_op_free(op);
	}
}

/* The request's JSON object body, or NULL after answering 400/413. */
static json_t *auth_body(struct auth *a, struct evhttp_request *req,
                         enum auth_kind kind)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	char msg[300];
	json_t *body;

	if (len > a->body_max) {
		auth_error(req, kind, 413, "Request body too large.");
		return NULL;
	}
	body = ac_http_parse_object(len ? (const char *)evbuffer_pullup(in, -1)
	                                : NULL,
	                            len, msg, sizeof(msg));
	if (!body)
		auth_error(req, kind, 400, msg);
	return body;
}

/* The access token of the Authorization header: 0 with claims; -ENOENT
 * no header; -EINVAL invalid. */
static int auth_bearer(struct auth *a, struct evhttp_request *req,
                       struct ac_jwt_claims *claims)
{
	const char *h = evhttp_find_header(
	        evhttp_request_get_input_headers(req), "Authorization");
	const char *tok;
	size_t len;
	char err[256], *copy;
	int rc = ac_http_bearer(h, &tok, &len);

	if (rc < 0)
		return rc;
	copy = strndup(tok, len);
	if (!copy)
		return -ENOMEM;
	rc = ac_jwt_check(&a->keys, copy, (int64_t)time(NULL), "access", 1,
	                  claims, err, sizeof(err));
	free(copy);
	if (rc < 0)
		log_debug("%s: token refused: %s", __func__, err);
	return rc < 0 ? -EINVAL : 0;
}

static char *auth_strdup_field(json_t *body, const char *name)
{
	const char *s = json_string_value(json_object_get(body, name));

	return strdup(s ? s : "");
}

/* Registration and login: op, its strings copied (ok false: a copy
 * failed), goes to the rate limit and the account lookup; else it is freed
 * and req answered 503. */
static void auth_pre_start(struct evhttp_request *req, struct auth_op *op,
                           bool ok)
{
	if (ok) {
		auth_submit(op, req, auth_pre_work, auth_pre_done);
		return;
	}
	auth_error(req, op->kind, 503, "Out of memory.");
	auth_op_free(op);
}

static void auth_registration(struct auth *a, struct evhttp_request *req)
{
	json_t *body = auth_body(a, req, K_REGISTER), *errors = NULL;
	struct auth_op *op;

	if (!body)
		return;
	if (ac_auth_validate_registration_min(body, a->password_min, &errors) <
	    0) {
		if (errors)
			auth_fields(req, K_REGISTER, errors);
		else
			auth_error(req, K_REGISTER, 503, "Out of memory.");
		goto out;
	}
	op = auth_op_new(a, req, K_REGISTER);
	if (!op)
		goto out;
	op->username = auth_strdup_field(body, "username");
	op->email = auth_strdup_field(body, "email");
	op->password = auth_strdup_field(body, "password1");
	op->first = auth_strdup_field(body, "first_name");
	op->last = auth_strdup_field(body, "last_name");
	auth_pre_start(req, op,
	               op->username && op->email && op->password && op->first &&
	                       op->last);
out:
	json_decref(body);
}

static void auth_login(struct auth *a, struct evhttp_request *req)
{
	json_t *body = auth_body(a, req, K_LOGIN), *errors;
	const char *email = NULL, *username = NULL, *password;
	struct auth_op *op;

	if (!body)
		return;
	errors = json_object();
	if (!errors) {
		auth_error(req, K_LOGIN, 503, "Out of memory.");
		goto out;
	}
	/* {email,password}; {username,password} is accepted too. */
	if (json_object_get(body, "email") ||
	    !json_object_get(body, "username"))
		email = auth_string_field(body, errors, "email", true);
	else
		username = auth_string_field(body, errors, "username", true);
	password = auth_string_field(body, errors, "password", true);
	if (password && strlen(password) > AC_AUTH_PASSWORD_MAX)
		auth_field_error(errors, "password",
		                 "Ensure this field has no more than 1024 "
		                 "characters.");
	if (json_object_size(errors)) {
		auth_fields(req, K_LOGIN, errors);
		goto out;
	}
	json_decref(errors);
	op = auth_op_new(a, req, K_LOGIN);
	if (!op)
		goto out;
	op->email = email ? strdup(email) : NULL;
	op->username = username ? strdup(username) : NULL;
	op->password = strdup(password);
	auth_pre_start(req, op, (op->email || op->username) && op->password);
out:
	json_decref(body);
}

/* A refresh token from the body's "refresh": 0 with claims; -ENOENT when
 * absent; -EINVAL when invalid (already answered 401 for the latter). */
static int auth_refresh_field(struct auth *a, struct evhttp_request *req,
                              enum auth_kind kind, json_t *body, bool check_exp,
                              struct ac_jwt_claims *claims)
{
	json_t *v = json_object_get(body, "refresh");
	char err[256];

	if (!v || json_is_null(v))
		return -ENOENT;
	if (!json_is_string(v) ||
	    strlen(json_string_value(v)) != json_string_length(v) ||
	    ac_jwt_check(&a->keys, json_string_value(v), (int64_t)time(NULL),
	                 "refresh", check_exp, claims, err, sizeof(err)) < 0) {
		auth_token_invalid(req, kind);
		return -EINVAL;
	}
	return 0;
}

static void auth_refresh(struct auth *a, struct evhttp_request *req)
{
	json_t *body = auth_body(a, req, K_REFRESH);
	struct ac_jwt_claims claims;
	struct auth_op *op;
	int rc;

	if (!body)
		return;
	rc = auth_refresh_field(a, req, K_REFRESH, body, true, &claims);
	if (rc == -ENOENT) {
		json_t *e = json_object();

		auth_field_error(e, "refresh", "This field is required.");
		auth_fields(req, K_REFRESH, e);
	}
	if (rc < 0)
		goto out;
	op = auth_op_new(a, req, K_REFRESH);
	if (!op)
		goto out;
	op->claims = claims;
	auth_submit(op, req, auth_store_work, auth_store_done);
out:
	json_decref(body);
}

static void auth_verify(struct auth *a, struct evhttp_request *req)
{
	json_t *body = auth_body(a, req, K_REFRESH), *v;
	struct ac_jwt_claims claims;
	char err[256];

	if (!body)
		return;
	v = json_object_get(body, "token");
	if (!v || json_is_null(v)) {
		json_t *e = json_object();

		auth_field_error(e, "token", "This field is required.");
		auth_fields(req, K_REFRESH, e);
	} else if (!json_is_string(v) ||
	           strlen(json_string_value(v)) != json_string_length(v) ||
	           ac_jwt_check(&a->keys, json_string_value(v),
	                        (int64_t)time(NULL), "access", 1, &claims, err,
	                        sizeof(err)) < 0) {
		auth_token_invalid(req, K_REFRESH);
	} else {
		auth_reply(req, K_REFRESH, 200, json_object());
	}
	json_decref(body);
}

static void auth_logout(struct auth *a, struct evhttp_request *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	json_t *body = NULL, *all;
	struct ac_jwt_claims rclaims, aclaims;
	struct auth_op *op;
	bool have_refresh;
	int rc;

	/* An empty body is {} (the header-only "log out everywhere" is
	 * still explicit: it needs "all": true). */
	if (evbuffer_get_length(in) == 0)
		body = json_object();
	else
		body = auth_body(a, req, K_LOGOUT);
	if (!body)
		return;
	rc = auth_refresh_field(a, req, K_LOGOUT, body, false, &rclaims);
	if (rc == -EINVAL)
		goto out;
	have_refresh = rc == 0;
	all = json_object_get(body, "all");
	if (all && !json_is_boolean(all)) {
		json_t *e = json_object();

		auth_field_error(e, "all", "Must be a valid boolean.");
		auth_fields(req, K_LOGOUT, e);
		goto out;
	}
	if (all && json_is_true(all)) {
		rc = auth_bearer(a, req, &aclaims);
		if (rc < 0) {
			evhttp_add_header(
			        evhttp_request_get_output_headers(req),
			        "WWW-Authenticate", "Bearer realm=\"api\"");
			auth_reply(
			        req, K_LOGOUT, 401,
			        json_pack("{s:s}", "detail",
			                  "\"all\" needs a valid access token "
			                  "in the Authorization header."));
			goto out;
		}
	} else if (!have_refresh) {
		auth_reply(req, K_LOGOUT, 401,
		           json_pack("{s:s}", "detail",
		                     "Refresh token was not included in "
		                     "request data."));
		goto out;
	}
	op = auth_op_new(a, req, K_LOGOUT);
	if (!op)
		goto out;
	if (have_refresh)
		op->claims = rclaims;
	if (all && json_is_true(all)) {
		op->logout_all = true;
		snprintf(op->user_id, sizeof(op->user_id), "%s",
		         aclaims.user_id);
	}
	auth_submit(op, req, auth_store_work, auth_store_done);
out:
	json_decref(body);
}

static void auth_me(struct auth *a, struct evhttp_request *req)
{
	struct ac_jwt_claims claims;
	struct auth_op *op;
	int rc = auth_bearer(a, req, &claims);

	if (rc < 0) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		                  "WWW-Authenticate", "Bearer realm=\"api\"");
		if (rc == -ENOENT)
			auth_reply(req, K_USER, 401,
			           json_pack("{s:s}", "detail",
			                     "Authentication credentials were "
			                     "not provided."));
		else
			auth_reply(req, K_USER, 401,
			           json_pack("{s:s,s:s}", "detail",
			                     "Given token not valid for any "
			                     "token type",
			                     "code", "token_not_valid"));
		return;
	}
	op = auth_op_new(a, req, K_USER);
	if (!op)
		return;
	snprintf(op->user_id, sizeof(op->user_id), "%s", claims.user_id);
	auth_submit(op, req, auth_store_work, auth_store_done);
}

static bool auth_method(struct evhttp_request *req, enum auth_kind kind,
                        bool post)
{
	enum evhttp_cmd_type m = evhttp_request_get_command(req);

	if (post ? m == EVHTTP_REQ_POST
	         : (m == EVHTTP_REQ_GET || m == EVHTTP_REQ_HEAD))
		return true;
	evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
	                  post ? "POST, OPTIONS" : "GET, HEAD, OPTIONS");
	if (m == EVHTTP_REQ_OPTIONS)
		auth_reply(req, kind, 200, json_object());
	else
		auth_error(req, kind, 405, "Method not allowed.");
	return false;
}

/* The routes: path, kind (metrics, rate limits), POST or GET/HEAD. */
static const struct auth_route {
	const char *path;
	enum auth_kind kind;
	bool post;
	void (*handle)(struct auth *a, struct evhttp_request *req);
} auth_routes[] = {
        {AUTH_PREFIX "registration/", K_REGISTER, true, auth_registration},
        {AUTH_PREFIX "login/", K_LOGIN, true, auth_login},
        {AUTH_PREFIX "token/refresh/", K_REFRESH, true, auth_refresh},
        {AUTH_PREFIX "token/verify/", K_REFRESH, true, auth_verify},
        {AUTH_PREFIX "logout/", K_LOGOUT, true, auth_logout},
        {AUTH_PREFIX "user/", K_USER, false, auth_me},
};

void auth_request_cb(struct evhttp_request *req, const char *path, void *arg)
{
	struct auth *a = arg;

	if (a->stopped) {
		ac_http_error(req, 503, "Server is shutting down.");
		return;
	}
	for (size_t i = 0; i < sizeof(auth_routes) / sizeof(auth_routes[0]);
	     i++) {
		const struct auth_route *r = &auth_routes[i];

		if (ac_http_path_is(path, r->path)) {
			if (auth_method(req, r->kind, r->post))
				r->handle(a, req);
			return;
		}
	}
	ac_http_error(req, 404, "Not found.");
}
