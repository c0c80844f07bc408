/* The auth role (docs/auth.md).
 *
 * Everything runs on the loop thread except store calls and password
 * hashing, which run on the worker pool.  Argon2id costs ~64 MiB and tens
 * of milliseconds per hash, so at most auth.hash_concurrency hashes run at
 * once; further logins and registrations wait in a bounded FIFO (beyond
 * it: 503).  The per-IP rate limit is taken before a request may queue for
 * a hash, so a flood is refused cheaply.
 *
 * An operation (struct auth_op) holds its request until it answers; the
 * connection's close callback clears op->req, so a completion never
 * answers a request evhttp has freed (the api's pattern). */
#include "auth.h"

#include "config.h"
#include "core.h"
#include "http.h"
#include "jwt.h"
#include "log.h"
#include "metrics.h"
#include "pool.h"
#include "result.h"
#include "settings.h"
#include "util.h"

#include "auth_int.h"
#include <arpa/inet.h>
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

static void auth_unref(struct auth *a);

/* ------------------------------------------------------------------ */
/* Replies                                                              */

static void auth_count(enum auth_kind kind, int code)
{
	char labels[96];

	snprintf(labels, sizeof(labels), "endpoint=\"%s\",code=\"%d\"",
	         auth_kind_names[kind], code);
	ac_metrics_add("auth_requests_total", labels, 1);
}

void auth_reply(struct evhttp_request *req, enum auth_kind kind, int code,
                json_t *body)
{
	auth_count(kind, code);
	ac_http_reply_json(req, code, body);
}

void auth_error(struct evhttp_request *req, enum auth_kind kind, int code,
                const char *msg)
{
	auth_reply(req, kind, code, json_pack("{s:s}", "detail", msg));
}

/* 400 with the field errors (stolen) and a "detail" naming the first. */
void auth_fields(struct evhttp_request *req, enum auth_kind kind,
                 json_t *errors)
{
	const char *field = NULL;
	json_t *list;
	char detail[300];
	void *it = json_object_iter(errors);

	if (it) {
		field = json_object_iter_key(it);
		list = json_object_iter_value(it);
		snprintf(detail, sizeof(detail), "%s%s%s",
		         strcmp(field, "non_field_errors") ? field : "",
		         strcmp(field, "non_field_errors") ? ": " : "",
		         json_string_value(json_array_get(list, 0))
		                 ? json_string_value(json_array_get(list, 0))
		                 : "invalid");
		json_object_set_new(errors, "detail", json_string(detail));
	}
	auth_reply(req, kind, 400, errors);
}

void auth_token_invalid(struct evhttp_request *req, enum auth_kind kind)
{
	evhttp_add_header(evhttp_request_get_output_headers(req),
	                  "WWW-Authenticate", "Bearer realm=\"api\"");
	auth_reply(req, kind, 401,
	           json_pack("{s:s,s:s}", "detail",
	                     "Token is invalid or expired", "code",
	                     "token_not_valid"));
}

static void auth_throttled(struct evhttp_request *req, enum auth_kind kind,
                           int64_t retry_ms)
{
	auth_reply(req, kind, 429, ac_http_throttled(req, retry_ms, true));
}

/* ------------------------------------------------------------------ */
/* Operations                                                           */

static void auth_user_clear(struct ac_user *u)
{
	free(u->id);
	free(u->username);
	free(u->email);
	if (u->password_hash)
		sodium_memzero(u->password_hash, strlen(u->password_hash));
	free(u->password_hash);
	free(u->first_name);
	free(u->last_name);
	memset(u, 0, sizeof(*u));
}

void auth_op_free(struct auth_op *op)
{
	if (op->password) {
		sodium_memzero(op->password, strlen(op->password));
		free(op->password);
	}
	free(op->username);
	free(op->email);
	free(op->first);
	free(op->last);
	json_decref(op->errors);
	auth_user_clear(&op->user);
	free(op->access);
	free(op->refresh);
	free(op);
}

struct auth_op *auth_op_new(struct auth *a, struct evhttp_request *req,
                            enum auth_kind kind)
{
	struct auth_op *op = calloc(1, sizeof(*op));
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	char *addr = NULL;
	ev_uint16_t port = 0;

	if (!op) {
		auth_error(req, kind, 503, "Out of memory.");
		return NULL;
	}
	op->a = a;
	op->kind = kind;
	op->now_s = (int64_t)time(NULL);
	if (evcon)
		evhttp_connection_get_peer(evcon, &addr, &port);
	snprintf(op->ip, sizeof(op->ip), "%s", addr ? addr : "unknown");
	return op;
}

int auth_pool(struct auth_op *op, void (*work)(void *), void (*done)(void *))
{
	int rc = ac_pool_submit(op->a->core->pool, work, done, op);

	if (rc == 0) {
		op->a->refs++;
		op->a->inflight++;
	}
	return rc;
}

/* Mint an access and a refresh token for op->user, remembering the
 * refresh token's jti (worker thread). */
static int auth_mint_pair(struct auth_op *op)
{
	struct auth *a = op->a;
	const struct ac_store_ops *store = AC_STORE(a->core);
	struct ac_jwt_claims ac, rc;
	int r;

	op->access = ac_jwt_mint_token(&a->keys, "access", op->user.id,
	                               op->user.username, op->user.email,
	                               op->now_s, a->access_ttl, &ac);
	op->refresh = ac_jwt_mint_token(&a->keys, "refresh", op->user.id,
	                                op->user.username, op->user.email,
	                                op->now_s, a->refresh_ttl, &rc);
	if (!op->access || !op->refresh)
		return -ENOMEM;
	op->access_exp = ac.exp;
	r = store->put_refresh(a->core->store->state, rc.jti, op->user.id,
	                       rc.exp);
	return r;
}

static json_t *auth_user_json(const struct ac_user *u, bool with_username)
{
	json_t *j = json_pack("{s:s}", "pk", u->id);

	if (!j)
		return NULL;
	if (with_username)
		json_object_set_new(j, "username", json_string(u->username));
	json_object_set_new(j, "email", json_string(u->email));
	json_object_set_new(j, "first_name",
	                    json_string(u->first_name ? u->first_name : ""));
	json_object_set_new(j, "last_name",
	                    json_string(u->last_name ? u->last_name : ""));
	return j;
}

/* The worker's store failure, as the client sees it. */
static void auth_unavailable(struct evhttp_request *req, struct auth_op *op)
{
	log_error("auth: %s: store: %s", auth_kind_names[op->kind],
	          strerror(-op->rc));
	auth_error(req, op->kind, 503, "The user store is unavailable.");
}

/* ---- the hash slots ---- */

static void auth_hash_work(void *arg);
static void auth_hash_done(void *arg);

static void auth_hash_start(struct auth_op *op)
{
	struct auth *a = op->a;

	a->hash_running++;
	if (auth_pool(op, auth_hash_work, auth_hash_done) < 0) {
		struct evhttp_request *req = ac_http_unhold(&op->req);

		a->hash_running--;
		if (req)
			auth_error(req, op->kind, 503,
			           "Server is shutting down.");
		auth_op_free(op);
	}
}

/* Run op's hash now or when a slot frees; on refusal op is answered and
 * freed. */
static void auth_hash_acquire(struct auth_op *op)
{
	struct auth *a = op->a;

	if (a->hash_running < a->hash_max) {
		auth_hash_start(op);
		return;
	}
	if (a->queued >= AUTH_QUEUE_MAX) {
		struct evhttp_request *req = ac_http_unhold(&op->req);

		if (req) {
			evhttp_add_header(
			        evhttp_request_get_output_headers(req),
			        "Retry-After", "1");
			auth_error(req, op->kind, 503,
			           "Too many logins at once; try again.");
		}
		auth_op_free(op);
		return;
	}
	op->qnext = NULL;
	*a->qtail = op;
	a->qtail = &op->qnext;
	a->queued++;
}

static void auth_hash_release(struct auth *a)
{
	a->hash_running--;
	while (a->qhead && a->hash_running < a->hash_max) {
		struct auth_op *op = a->qhead;

		a->qhead = op->qnext;
		if (!a->qhead)
			a->qtail = &a->qhead;
		a->queued--;
		if (!op->req) { /* the client left while queued */
			auth_op_free(op);
			continue;
		}
		auth_hash_start(op);
	}
}

/* Which of username/email is taken (worker thread). */
static void auth_dup_errors(struct auth_op *op)
{
	const struct ac_store_ops *store = AC_STORE(op->a->core);
	void *st = op->a->core->store->state;
	struct ac_user u;

	if (!op->errors)
		op->errors = json_object();
	if (!op->errors)
		return;
	memset(&u, 0, sizeof(u));
	if (store->get_user(st, AC_USER_BY_USERNAME, op->username, &u) == 0)
		auth_field_error(op->errors, "username",
		                 "A user with that username already exists.");
	auth_user_clear(&u);
	if (store->get_user(st, AC_USER_BY_EMAIL, op->email, &u) == 0)
		auth_field_error(op->errors, "email",
		                 "A user is already registered with this "
		                 "e-mail address.");
	auth_user_clear(&u);
	if (json_object_size(op->errors) == 0)
		auth_field_error(op->errors, "username",
		                 "A user with that username already exists.");
}

/* Stage 2 (hash slot held): registration and login. */
static void auth_hash_work(void *arg)
{
	struct auth_op *op = arg;
	struct auth *a = op->a;
	const struct ac_store_ops *store = AC_STORE(a->core);
	void *st = a->core->store->state;
	char hash[crypto_pwhash_STRBYTES], id[37];

	if (op->kind == K_LOGIN) {
		const char *h = op->user.password_hash ? op->user.password_hash
		                                       : a->dummy_hash;
		bool ok = crypto_pwhash_str_verify(h, op->password,
		                                   strlen(op->password)) == 0;

		if (!op->user.id || !ok) {
			op->rc = -EACCES;
			return;
		}
		op->rc = auth_mint_pair(op);
		return;
	}
	/* K_REGISTER */
	if (crypto_pwhash_str(hash, op->password, strlen(op->password),
	                      a->opslimit, a->memlimit) != 0) {
		op->rc = -ENOMEM;
		return;
	}
	ac_uuid4(id);
	op->user.id = strdup(id);
	op->user.username = strdup(op->username);
	op->user.email = strdup(op->email);
	op->user.password_hash = strdup(hash);
	op->user.first_name = strdup(op->first);
	op->user.last_name = strdup(op->last);
	sodium_memzero(hash, sizeof(hash));
	if (!op->user.id || !op->user.username || !op->user.email ||
	    !op->user.password_hash || !op->user.first_name ||
	    !op->user.last_name) {
		op->rc = -ENOMEM;
		return;
	}
	/* Stored lower-case: e-mail addresses compare case-insensitively. */
	for (char *p = op->user.email; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	op->user.created_at = ac_now_ms();
	op->rc = store->put_user(st, &op->user);
	if (op->rc == -EEXIST) {
		/* Lost a race with a concurrent registration. */
		auth_dup_errors(op);
		return;
	}
	if (op->rc == 0)
		op->rc = auth_mint_pair(op);
}

static void auth_login_reply(struct evhttp_request *req, struct auth_op *op,
                             int code)
{
	auth_reply(req, op->kind, code,
	           json_pack("{s:s,s:s,s:o}", "access_token", op->access,
	                     "refresh_token", op->refresh, "user",
	                     auth_user_json(&op->user, false)));
}

static void auth_hash_done(void *arg)
{
	struct auth_op *op = arg;
	struct auth *a = op->a;
	struct evhttp_request *req = ac_http_unhold(&op->req);

	a->inflight--;
	auth_hash_release(a);
	if (!req)
		goto out;
	if (op->errors && json_object_size(op->errors)) {
		auth_fields(req, op->kind, op->errors);
		op->errors = NULL;
	} else if (op->kind == K_LOGIN && op->rc == -EACCES) {
		json_t *e = json_object();

		auth_field_error(e, "non_field_errors",
		                 "Unable to log in with provided "
		                 "credentials.");
		auth_fields(req, op->kind, e);
	} else if (op->rc < 0) {
		auth_unavailable(req, op);
	} else {
		if (op->kind == K_REGISTER)
			log_info("auth: user %s registered", op->user.id);
		auth_login_reply(req, op, op->kind == K_REGISTER ? 201 : 200);
	}
out:
	auth_op_free(op);
	auth_unref(a);
}

/* The client a rate limit counts: its IPv4 address, or the /64 of its
 * IPv6 address (one host holds a whole /64: counted by address, it would
 * have 2^64 of each bucket), as the HTTP layer counts connections. */
static void auth_ip_key(const char *ip, char *out, size_t len)
{
	unsigned char a[16];

	if (strchr(ip, ':') && !strchr(ip, '.') &&
	    inet_pton(AF_INET6, ip, a) == 1) {
		char net[INET6_ADDRSTRLEN];

		memset(a + 8, 0, 8);
		if (inet_ntop(AF_INET6, a, net, sizeof(net))) {
			snprintf(out, len, "%s/64", net);
			return;
		}
	}
	snprintf(out, len, "%s", ip);
}

/* Stage 1: the rate limit and the account lookup. */
void auth_pre_work(void *arg)
{
	struct auth_op *op = arg;
	struct auth *a = op->a;
	const struct ac_store_ops *store = AC_STORE(a->core);
	void *st = a->core->store->state;
	char key[128], who[INET6_ADDRSTRLEN + 8];
	bool login = op->kind == K_LOGIN;

	auth_ip_key(op->ip, who, sizeof(who));
	snprintf(key, sizeof(key), "%s:ip:%s", login ? "login" : "register",
	         who);
	op->rc_rate =
	        store->rate_take(st, key, login ? a->login_burst : a->reg_burst,
	                         login ? a->login_rate : a->reg_rate,
	                         ac_now_ms(), &op->retry_ms);
	if (op->rc_rate < 0)
		return;
	if (login) {
		op->rc = op->email ? store->get_user(st, AC_USER_BY_EMAIL,
		                                     op->email, &op->user)
		                   : store->get_user(st, AC_USER_BY_USERNAME,
		                                     op->username, &op->user);
		if (op->rc == -ENOENT)
			op->rc = 0; /* verified against the dummy hash */
		return;
	}
	/* Registration: refuse a taken username or e-mail before hashing
	 * (put_user decides for good). */
	{
		struct ac_user u;
		int r1, r2;

		memset(&u, 0, sizeof(u));
		r1 = store->get_user(st, AC_USER_BY_USERNAME, op->username, &u);
		auth_user_clear(&u);
		r2 = store->get_user(st, AC_USER_BY_EMAIL, op->email, &u);
		auth_user_clear(&u);
		if (r1 == 0 || r2 == 0)
			auth_dup_errors(op);
		else if (r1 != -ENOENT || r2 != -ENOENT)
			op->rc = r1 != -ENOENT ? r1 : r2;
	}
}

void auth_pre_done(void *arg)
{
	struct auth_op *op = arg;
	struct auth *a = op->a;
	struct evhttp_request *req;

	a->inflight--;
	if (!op->req || a->stopped) {
		req = ac_http_unhold(&op->req);
		if (req)
			auth_error(req, op->kind, 503,
			           "Server is shutting down.");
		auth_op_free(op);
		goto out;
	}
	if (op->rc_rate == -EAGAIN || op->rc_rate < 0 || op->rc < 0 ||
	    (op->errors && json_object_size(op->errors))) {
		req = ac_http_unhold(&op->req);
		if (op->rc_rate == -EAGAIN) {
			/* A client makes this line as often as it asks. */
			ac_log_limited(AC_LOG_INFO, "auth",
			               "%s rate limit reached for %s",
			               auth_kind_names[op->kind], op->ip);
			auth_throttled(req, op->kind, op->retry_ms);
		} else if (op->rc_rate < 0) {
			op->rc = op->rc_rate;
			auth_unavailable(req, op);
		} else if (op->rc < 0) {
			auth_unavailable(req, op);
		} else {
			auth_fields(req, op->kind, op->errors);
			op->errors = NULL;
		}
		auth_op_free(op);
		goto out;
	}
	auth_hash_acquire(op);
out:
	auth_unref(a);
}

/* ---- refresh, logout, user: store only ---- */

void auth_store_work(void *arg)
{
	struct auth_op *op = arg;
	struct auth *a = op->a;
	const struct ac_store_ops *store = AC_STORE(a->core);
	void *st = a->core->store->state;
	char *owner = NULL;

	switch (op->kind) {
	case K_REFRESH:
		op->rc = store->use_refresh(st, op->claims.jti, op->now_s,
		                            &owner);
		if (op->rc == -EKEYREVOKED) {
			/* A rotated or revoked token used again: somebody
			 * holds a copy.  End every session of the user. */
			store->revoke_refresh(st, NULL, op->claims.user_id);
			ac_log_limited(AC_LOG_WARN, "auth",
			               "refresh token of user %s reused: every "
			               "refresh token of the user revoked",
			               op->claims.user_id);
		}
		if (op->rc < 0)
			break;
		if (!owner || strcmp(owner, op->claims.user_id) != 0) {
			op->rc = -EKEYREJECTED;
			break;
		}
		op->rc = store->get_user(st, AC_USER_BY_ID, owner, &op->user);
		if (op->rc == 0)
			op->rc = auth_mint_pair(op);
		break;
	case K_LOGOUT:
		op->rc = 0;
		if (op->claims.jti[0])
			op->rc =
			        store->revoke_refresh(st, op->claims.jti, NULL);
		if (op->rc == -ENOENT)
			op->rc = 0;
		if (op->rc == 0 && op->logout_all)
			op->rc = store->revoke_refresh(st, NULL, op->user_id);
		if (op->rc == -ENOENT)
			op->rc = 0;
		break;
	case K_USER:
		op->rc = store->get_user(st, AC_USER_BY_ID, op->user_id,
		                         &op->user);
		break;
	default:
		op->rc = -EINVAL;
	}
	free(owner);
}

/* ISO 8601 UTC with microseconds, as Django REST framework writes it. */
static void auth_iso8601(int64_t t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%S.000000Z", &tm);
}

void auth_store_done(void *arg)
{
	struct auth_op *op = arg;
	struct auth *a = op->a;
	struct evhttp_request *req = ac_http_unhold(&op->req);
	char when[40];

	a->inflight--;
	if (!req)
		goto out;
	switch (op->kind) {
	case K_REFRESH:
		if (op->rc == -ENOENT || op->rc == -EKEYREVOKED ||
		    op->rc == -EKEYEXPIRED || op->rc == -EKEYREJECTED) {
			auth_token_invalid(req, op->kind);
		} else if (op->rc < 0) {
			auth_unavailable(req, op);
		} else {
			auth_iso8601(op->access_exp, when, sizeof(when));
			auth_reply(req, op->kind, 200,
			           json_pack("{s:s,s:s,s:s}", "access",
			                     op->access, "refresh", op->refresh,
			                     "access_token_expiration", when));
		}
		break;
	case K_LOGOUT:
		if (op->rc < 0)
			auth_unavailable(req, op);
		else
			auth_reply(req, op->kind, 200,
			           json_pack("{s:s}", "detail",
			                     "Successfully logged out."));
		break;
	case K_USER:
		if (op->rc == -ENOENT) {
			evhttp_add_header(
			        evhttp_request_get_output_headers(req),
			        "WWW-Authenticate", "Bearer realm=\"api\"");
			auth_reply(req, op->kind, 401,
			           json_pack("{s:s,s:s}", "detail",
			                     "User not found", "code",
			                     "user_not_found"));
		} else if (op->rc < 0) {
			auth_unavailable(req, op);
		} else {
			auth_reply(req, op->kind, 200,
			           auth_user_json(&op->user, true));
		}
		break;
	default:
		auth_error(req, op->kind, 500, "Internal error.");
	}
out:
	auth_op_free(op);
	auth_unref(a);
}

/* ------------------------------------------------------------------ */
/* Start and stop                                                       */

static void auth_free(struct auth *a)
{
	ac_jwt_keys_wipe(&a->keys);
	sodium_memzero(a->dummy_hash, sizeof(a->dummy_hash));
	free(a);
}

static void auth_unref(struct auth *a)
{
	if (--a->refs == 0)
		auth_free(a);
}

static int auth_settings(struct auth *a, struct ac_http_limits *lim, char *err,
                         size_t errlen)
{
	long long access, refresh, hashes, ops, mem_kb, body_kb, idle, req, pw;
	const struct ac_settings_want want[] = {
	        {"auth.access_ttl_s", &access, NULL},
	        {"auth.refresh_ttl_s", &refresh, NULL},
	        {"auth.hash_concurrency", &hashes, NULL},
	        {"auth.hash_opslimit", &ops, NULL},
	        {"auth.hash_memlimit_kb", &mem_kb, NULL},
	        {"auth.max_body_kb", &body_kb, NULL},
	        {"auth.read_timeout_s", &idle, NULL},
	        {"auth.request_timeout_s", &req, NULL},
	        {"auth.password_min_length", &pw, NULL},
	        {"auth.login_burst", NULL, &a->login_burst},
	        {"auth.login_per_s", NULL, &a->login_rate},
	        {"auth.register_burst", NULL, &a->reg_burst},
	        {"auth.register_per_s", NULL, &a->reg_rate},
	};
	int rc;

	ac_http_limits_default(lim);
	/* Auth requests are small; a shared server takes the larger limits
	 * of its roles. */
	lim->headers_max = 8 * 1024;
	lim->url_max = 2048;
	rc = ac_settings_read(a->core->cfg, want,
	                      sizeof(want) / sizeof(want[0]), err, errlen);
	if (rc < 0)
		return rc;
	a->access_ttl = access;
	a->refresh_ttl = refresh;
	a->hash_max = (unsigned)hashes;
	a->opslimit = (unsigned long long)ops;
	a->memlimit = (size_t)mem_kb * 1024;
	a->body_max = (size_t)body_kb * 1024;
	lim->body_max = a->body_max;
	lim->timeout_s = (int)idle;
	lim->request_timeout_s = (int)req;
	a->password_min = (unsigned)pw;
	return 0;
}

int ac_auth_start(struct ac_core *core, char *err, size_t errlen)
{
	const struct ac_store_ops *store;
	const char *secret_path, *listen;
	struct ac_http_limits lim;
	struct auth *a;
	char pw[33];
	int rc;

	if (core->auth) {
		snprintf(err, errlen, "the auth role is already running");
		return -EALREADY;
	}
	if (!core->store || !core->pool || !core->base) {
		snprintf(err, errlen, "the auth role needs a store");
		return -EINVAL;
	}
	store = AC_STORE(core);
	if (!store->put_user || !store->get_user || !store->put_refresh ||
	    !store->use_refresh || !store->revoke_refresh ||
	    !store->rate_take) {
		snprintf(err, errlen,
		         "the auth role needs user accounts, which the store "
		         "plugin \"%s\" does not provide (put_user, get_user, "
		         "put_refresh, use_refresh, revoke_refresh)",
		         core->store->desc->name);
		return -ENOTSUP;
	}
	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium failed to initialise");
		return -EIO;
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	a->core = core;
	a->refs = 1;
	a->qtail = &a->qhead;
	rc = auth_settings(a, &lim, err, errlen);
	if (rc < 0)
		goto fail;
	secret_path = ac_config_string(core->cfg, "auth.jwt_secret_file", NULL);
	if (!secret_path)
		secret_path = ac_config_string(core->cfg, "api.jwt_secret_file",
		                               NULL);
	if (!secret_path) {
		snprintf(err, errlen,
		         "auth.jwt_secret_file is not set: where is the token "
		         "signing key?");
		rc = -EINVAL;
		goto fail;
	}
	rc = ac_jwt_keys_load(secret_path, 1, &a->keys, err, errlen);
	if (rc < 0)
		goto fail;
	/* A hash of a random password, never matched (start-up only). */
	randombytes_buf(pw, sizeof(pw));
	if (crypto_pwhash_str(a->dummy_hash, pw, sizeof(pw), a->opslimit,
	                      a->memlimit) != 0) {
		snprintf(err, errlen,
		         "cannot hash a password with the configured Argon2id "
		         "limits (out of memory?)");
		rc = -ENOMEM;
		goto fail;
	}
	sodium_memzero(pw, sizeof(pw));
	/* Single node: the auth routes on the api's port unless told
	 * otherwise. */
	listen = ac_config_string(core->cfg, "auth.listen", NULL);
	if (!listen)
		listen = core->api ? ac_config_string(core->cfg, "api.listen",
		                                      "127.0.0.1:8080")
		                   : "127.0.0.1:8081";
	rc = ac_http_open(core, "auth.listen", listen, &lim, &a->http, err,
	                  errlen);
	if (rc < 0)
		goto fail;
	rc = ac_http_route(a->http, AUTH_PREFIX, auth_request_cb, a);
	if (rc < 0) {
		snprintf(err, errlen, "cannot route auth: %s", strerror(-rc));
		goto fail;
	}
	ac_metrics_declare("auth_requests_total", AC_METRIC_COUNTER,
	                   "Auth responses by endpoint and status.");
	core->auth = a;
	log_info("auth: listening on %s (access tokens %lld s, refresh "
	         "tokens %lld s, %zu signing key%s)",
	         ac_http_address(a->http), (long long)a->access_ttl,
	         (long long)a->refresh_ttl, a->keys.n,
	         a->keys.n == 1 ? "" : "s");
	return 0;
fail:
	ac_http_close(a->http, a);
	auth_free(a);
	return rc;
}

void ac_auth_stop(struct ac_core *core)
{
	struct auth *a = core ? core->auth : NULL;

	if (!a)
		return;
	ac_http_stop_accepting(a->http);
	a->stopped = true;
	while (a->qhead) {
		struct auth_op *op = a->qhead;
		struct evhttp_request *req;

		a->qhead = op->qnext;
		req = ac_http_unhold(&op->req);
		if (req)
			auth_error(req, op->kind, 503,
			           "Server is shutting down.");
		auth_op_free(op);
	}
	a->qtail = &a->qhead;
	a->queued = 0;
	/* Let hashes and store calls in flight answer (must not be called
	 * from inside the loop). */
	ac_http_drain(core->base, &a->inflight, AUTH_DRAIN_S, 0);
	if (a->inflight)
		log_warn("auth: stopping with %u operations in flight",
		         a->inflight);
	ac_http_close(a->http, a);
	a->http = NULL;
	core->auth = NULL;
	auth_unref(a);
}
