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
#include "util.h"

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

static const char *const auth_kind_names[] = {
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

static void auth_unref(struct auth *a);

/* ------------------------------------------------------------------ */
/* Input rules                                                          */

static void auth_msg(char *msg, size_t msglen, const char *fmt, ...)
        AC_PRINTF(3, 4);

static void auth_msg(char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;

	if (!msg || !msglen)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
}

int ac_auth_check_username(const char *s, char *msg, size_t msglen)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0) {
		auth_msg(msg, msglen, "This field may not be blank.");
		return -EINVAL;
	}
	if (n > AC_AUTH_USERNAME_MAX) {
		auth_msg(msg, msglen,
		         "Ensure this field has no more than %d characters.",
		         AC_AUTH_USERNAME_MAX);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr("@.+-_", c))) {
			auth_msg(msg, msglen,
			         "Enter a valid username. This value may "
			         "contain only letters, numbers, and "
			         "@/./+/-/_ characters.");
			return -EINVAL;
		}
	}
	return 0;
}

static bool auth_atext(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+/=?^_`{|}~-", c));
}

/* local@domain: a dot-atom local part (at most 64), a domain of dot
 * separated labels of letters, digits and inner hyphens (at most 63
 * each), with a dot unless it is "localhost" — Django's EmailValidator
 * without quoted local parts, IP literals and non-ASCII domains. */
int ac_auth_check_email(const char *s, char *msg, size_t msglen)
{
	const char *at, *d, *label;
	size_t n = s ? strlen(s) : 0;
	bool dot = false;

	if (n == 0) {
		auth_msg(msg, msglen, "This field may not be blank.");
		return -EINVAL;
	}
	if (n > AC_AUTH_EMAIL_MAX)
		goto bad;
	at = strchr(s, '@');
	if (!at || strchr(at + 1, '@') || at == s || at - s > 64)
		goto bad;
	for (const char *p = s; p < at; p++) {
		if (*p == '.') {
			if (p == s || p + 1 == at || p[1] == '.')
				goto bad;
		} else if (!auth_atext(*p)) {
			goto bad;
		}
	}
	d = at + 1;
	if (!*d)
		goto bad;
	label = d;
	for (const char *p = d;; p++) {
		if (*p == '.' || *p == '\0') {
			size_t ll = (size_t)(p - label);

			if (ll == 0 || ll > 63 || label[0] == '-' ||
			    p[-1] == '-')
				goto bad;
			if (*p == '\0')
				break;
			dot = true;
			label = p + 1;
		} else if (!((*p >= 'a' && *p <= 'z') ||
		             (*p >= 'A' && *p <= 'Z') ||
		             (*p >= '0' && *p <= '9') || *p == '-')) {
			goto bad;
		}
	}
	if (!dot && strcasecmp(d, "localhost") != 0)
		goto bad;
	/* The top-level domain is not all digits. */
	if (dot && strspn(label, "0123456789") == strlen(label))
		goto bad;
	return 0;
bad:
	auth_msg(msg, msglen, "Enter a valid email address.");
	return -EINVAL;
}

/* Characters (UTF-8 code points) of s. */
static size_t auth_utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* ASCII lower case of c. */
static uint32_t auth_lower(uint32_t c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* The code points of s, ASCII lower-cased, into a new array; *n their
 * number.  A byte that does not start a valid sequence counts as one
 * code point (its value + 0x110000: never equal to a real one). */
static int auth_codepoints(const char *s, uint32_t **out, size_t *n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), k = 0;
	uint32_t *cp = malloc((len ? len : 1) * sizeof(*cp));

	if (!cp)
		return -ENOMEM;
	for (size_t i = 0; i < len;) {
		unsigned char c = p[i];
		size_t need = c < 0x80   ? 0
		              : c < 0xc2 ? 9
		              : c < 0xe0 ? 1
		              : c < 0xf0 ? 2
		              : c < 0xf5 ? 3
		                         : 9;
		uint32_t v = need == 1   ? c & 0x1f
		             : need == 2 ? c & 0x0f
		                         : c & 7;
		size_t j;

		if (need == 0 || need == 9) {
			cp[k++] = need ? c + 0x110000u : auth_lower(c);
			i++;
			continue;
		}
		for (j = 1; j <= need && i + j < len; j++) {
			if ((p[i + j] & 0xc0) != 0x80)
				break;
			v = v << 6 | (p[i + j] & 0x3f);
		}
		if (j <= need) {
			cp[k++] = c + 0x110000u;
			i++;
			continue;
		}
		cp[k++] = v;
		i += need + 1;
	}
	*out = cp;
	*n = k;
	return 0;
}

static int auth_cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

/* Python's \w on the ASCII range; other code points count as word
 * characters (letters, mostly). */
static bool auth_word(uint32_t c)
{
	return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/* Django's UserAttributeSimilarityValidator against one part of an
 * attribute: SequenceMatcher(a=pw, b=part).quick_ratio() >= 0.7, i.e.
 * 2 * (characters in common, as multisets) / (both lengths) >= 0.7,
 * skipped (as Django does) when the password is at least ten times as
 * long as the part and the part shorter than 0.35 * the password.  pw is
 * sorted. */
static bool auth_similar_part(const uint32_t *pw, size_t npw,
                              const uint32_t *part, size_t npart)
{
	uint32_t buf[AC_AUTH_EMAIL_MAX];
	size_t i = 0, j = 0, common = 0;

	if (npart == 0 || npart > AC_AUTH_EMAIL_MAX)
		return false;
	if (npw >= 10 * npart && (double)npart < 0.35 * (double)npw)
		return false;
	memcpy(buf, part, npart * sizeof(*buf));
	qsort(buf, npart, sizeof(*buf), auth_cmp_u32);
	while (i < npw && j < npart) {
		if (pw[i] == buf[j]) {
			common++;
			i++;
			j++;
		} else if (pw[i] < buf[j]) {
			i++;
		} else {
			j++;
		}
	}
	/* 2 * common / (npw + npart) >= 0.7, in integers. */
	return 20 * common >= 7 * (npw + npart);
}

/* The value, then each part of it split at runs of non-word characters
 * (Django: re.split(r"\W+", value) + [value]). */
static int auth_similar(const uint32_t *pw, size_t npw, const char *value,
                        bool *similar)
{
	uint32_t *v;
	size_t n, start = 0;
	int rc;

	*similar = false;
	if (!value || !*value)
		return 0;
	rc = auth_codepoints(value, &v, &n);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i <= n && !*similar; i++) {
		if (i < n && auth_word(v[i]))
			continue;
		*similar = auth_similar_part(pw, npw, v + start, i - start);
		start = i + 1;
	}
	if (!*similar)
		*similar = auth_similar_part(pw, npw, v, n);
	free(v);
	return 0;
}

bool ac_auth_password_common(const char *s)
{
	const char *b = ac_auth_common_passwords;
	char key[64];
	size_t lo = 0, hi = ac_auth_common_passwords_len, klen;

	/* Python's str.strip() and lower() on the ASCII range (the list is
	 * ASCII). */
	while (*s && strchr(" \t\n\v\f\r", *s))
		s++;
	klen = strlen(s);
	while (klen && strchr(" \t\n\v\f\r", s[klen - 1]))
		klen--;
	if (klen == 0 || klen >= sizeof(key))
		return false;
	for (size_t i = 0; i < klen; i++)
		key[i] = (char)auth_lower((unsigned char)s[i]);
	/* Binary search over the entries of [lo, hi): lo is the start of an
	 * entry, hi the end of one (after its '\n'). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, st = mid, en, elen;
		int c;

		while (st > lo && b[st - 1] != '\n')
			st--;
		en = st;
		while (en < hi && b[en] != '\n')
			en++;
		elen = en - st;
		c = memcmp(key, b + st, klen < elen ? klen : elen);
		if (c == 0 && klen == elen)
			return true;
		if (c < 0 || (c == 0 && klen < elen))
			hi = st;
		else
			lo = en + 1;
	}
	return false;
}

static int auth_append(json_t *list, const char *fmt, ...) AC_PRINTF(2, 3);

static int auth_append(json_t *list, const char *fmt, ...)
{
	char buf[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return json_array_append_new(list, json_string(buf)) < 0 ? -ENOMEM : 0;
}

int ac_auth_password_errors(const char *pw, const struct ac_auth_pwuser *user,
                            unsigned min_len, json_t *list)
{
	static const struct {
		size_t off;
		const char *name;
	} attrs[] = {
	        {offsetof(struct ac_auth_pwuser, username), "username"},
	        {offsetof(struct ac_auth_pwuser, first_name), "first name"},
	        {offsetof(struct ac_auth_pwuser, last_name), "last name"},
	        {offsetof(struct ac_auth_pwuser, email), "email address"},
	};
	size_t n = pw ? strlen(pw) : 0, ncp, before = json_array_size(list);
	uint32_t *cp = NULL;
	int rc;

	if (n == 0) {
		rc = auth_append(list, "This field may not be blank.");
		return rc < 0 ? rc : -EINVAL;
	}
	if (n > AC_AUTH_PASSWORD_MAX) {
		rc = auth_append(list,
		                 "Ensure this field has no more than %d "
		                 "characters.",
		                 AC_AUTH_PASSWORD_MAX);
		return rc < 0 ? rc : -EINVAL;
	}
	rc = auth_codepoints(pw, &cp, &ncp);
	if (rc < 0)
		return rc;
	qsort(cp, ncp, sizeof(*cp), auth_cmp_u32);
	for (size_t i = 0; user && i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		const char *v = *(const char *const *)((const char *)user +
		                                       attrs[i].off);
		bool similar;

		rc = auth_similar(cp, ncp, v, &similar);
		if (rc < 0)
			goto out;
		if (similar) {
			rc = auth_append(
			        list, "The password is too similar to the %s.",
			        attrs[i].name);
			if (rc < 0)
				goto out;
			break;
		}
	}
	if (ncp < min_len &&
	    (rc = auth_append(list,
	                      "This password is too short. It must contain at "
	                      "least %u characters.",
	                      min_len)) < 0)
		goto out;
	if (ac_auth_password_common(pw) &&
	    (rc = auth_append(list, "This password is too common.")) < 0)
		goto out;
	if (strspn(pw, "0123456789") == n &&
	    (rc = auth_append(list, "This password is entirely numeric.")) < 0)
		goto out;
	rc = json_array_size(list) > before ? -EINVAL : 0;
out:
	free(cp);
	return rc;
}

int ac_auth_check_password(const char *pw, const char *username,
                           const char *email, char *msg, size_t msglen)
{
	struct ac_auth_pwuser user = {.username = username, .email = email};
	json_t *list = json_array();
	int rc;

	if (!list)
		return -ENOMEM;
	rc = ac_auth_password_errors(pw, &user, AC_AUTH_PASSWORD_MIN, list);
	if (rc == -EINVAL)
		auth_msg(msg, msglen, "%s",
		         json_string_value(json_array_get(list, 0)));
	json_decref(list);
	return rc;
}

/* Append msg to errors[field]. */
static void auth_field_error(json_t *errors, const char *field, const char *msg)
{
	json_t *list = json_object_get(errors, field);

	if (!list) {
		list = json_array();
		if (!list || json_object_set_new(errors, field, list) < 0)
			return;
	}
	json_array_append_new(list, json_string(msg));
}

/* A string field: its value, or NULL with the error recorded (required:
 * absence is an error; otherwise absent/null is ""). */
static const char *auth_string_field(json_t *body, json_t *errors,
                                     const char *field, bool required)
{
	json_t *v = json_object_get(body, field);
	const char *s;

	if (!v || json_is_null(v)) {
		if (!required)
			return "";
		auth_field_error(errors, field, "This field is required.");
		return NULL;
	}
	if (!json_is_string(v)) {
		auth_field_error(errors, field, "Not a valid string.");
		return NULL;
	}
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v)) {
		auth_field_error(errors, field,
		                 "Null characters are not allowed.");
		return NULL;
	}
	if (required && !*s) {
		auth_field_error(errors, field, "This field may not be blank.");
		return NULL;
	}
	return s;
}

int ac_auth_validate_registration(json_t *body, json_t **errors_out)
{
	return ac_auth_validate_registration_min(body, AC_AUTH_PASSWORD_MIN,
	                                         errors_out);
}

int ac_auth_validate_registration_min(json_t *body, unsigned password_min,
                                      json_t **errors_out)
{
	json_t *errors = json_object(), *list;
	const char *username, *email, *pw1, *pw2, *first, *last;
	char msg[200];
	int rc;

	*errors_out = NULL;
	if (!errors)
		return -ENOMEM;
	username = auth_string_field(body, errors, "username", true);
	email = auth_string_field(body, errors, "email", true);
	pw1 = auth_string_field(body, errors, "password1", true);
	pw2 = auth_string_field(body, errors, "password2", true);
	first = auth_string_field(body, errors, "first_name", false);
	last = auth_string_field(body, errors, "last_name", false);
	if (username && ac_auth_check_username(username, msg, sizeof(msg)) < 0)
		auth_field_error(errors, "username", msg);
	if (email && ac_auth_check_email(email, msg, sizeof(msg)) < 0)
		auth_field_error(errors, "email", msg);
	if (pw1) {
		struct ac_auth_pwuser user = {username, email, first, last};

		list = json_array();
		rc = list ? ac_auth_password_errors(pw1, &user, password_min,
		                                    list)
		          : -ENOMEM;
		if (rc == -EINVAL)
			rc = json_object_set(errors, "password1", list) < 0
			             ? -ENOMEM
			             : 0;
		json_decref(list);
		if (rc < 0) {
			json_decref(errors);
			return rc;
		}
	}
	if (first && auth_utf8_len(first) > AC_AUTH_NAME_MAX)
		auth_field_error(errors, "first_name",
		                 "Ensure this field has no more than 150 "
		                 "characters.");
	if (last && auth_utf8_len(last) > AC_AUTH_NAME_MAX)
		auth_field_error(errors, "last_name",
		                 "Ensure this field has no more than 150 "
		                 "characters.");
	if (pw1 && pw2 && strcmp(pw1, pw2) != 0)
		auth_field_error(errors, "non_field_errors",
		                 "The two password fields didn't match.");
	if (json_object_size(errors) == 0) {
		json_decref(errors);
		return 0;
	}
	*errors_out = errors;
	return -EINVAL;
}

/* ------------------------------------------------------------------ */
/* Replies                                                              */

static void auth_count(enum auth_kind kind, int code)
{
	char labels[96];

	snprintf(labels, sizeof(labels), "endpoint=\"%s\",code=\"%d\"",
	         auth_kind_names[kind], code);
	ac_metrics_add("auth_requests_total", labels, 1);
}

static void auth_reply(struct evhttp_request *req, enum auth_kind kind,
                       int code, json_t *body)
{
	auth_count(kind, code);
	ac_http_reply_json(req, code, body);
}

static void auth_error(struct evhttp_request *req, enum auth_kind kind,
                       int code, const char *msg)
{
	auth_reply(req, kind, code, json_pack("{s:s}", "detail", msg));
}

/* 400 with the field errors (stolen) and a "detail" naming the first. */
static void auth_fields(struct evhttp_request *req, enum auth_kind kind,
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

static void auth_token_invalid(struct evhttp_request *req, enum auth_kind kind)
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
	long long wait = (retry_ms + 999) / 1000;
	char num[32], msg[128];

	if (wait < 1)
		wait = 1;
	snprintf(num, sizeof(num), "%lld", wait);
	snprintf(msg, sizeof(msg),
	         "Request was throttled. Expected available in %lld seconds.",
	         wait);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After",
	                  num);
	auth_reply(req, kind, 429,
	           json_pack("{s:s,s:I}", "detail", msg, "wait_time",
	                     (json_int_t)wait));
}

/* ------------------------------------------------------------------ */
/* Operations                                                           */

static void auth_forget_req(struct auth_op *op)
{
	if (op->req && !evhttp_request_get_connection(op->req))
		evhttp_request_free(op->req);
	op->req = NULL;
}

static void auth_close_cb(struct evhttp_connection *evcon, void *arg)
{
	auth_forget_req(arg);
}

/* The request to answer, or NULL when the client is gone. */
static struct evhttp_request *auth_detach(struct auth_op *op)
{
	struct evhttp_request *req = op->req;

	if (req) {
		struct evhttp_connection *evcon =
		        evhttp_request_get_connection(req);
		if (evcon)
			ac_http_set_closecb(evcon, NULL, NULL);
	}
	op->req = NULL;
	return req;
}

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

static void auth_op_free(struct auth_op *op)
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

static struct auth_op *auth_op_new(struct auth *a, struct evhttp_request *req,
                                   enum auth_kind kind)
{
	struct auth_op *op = calloc(1, sizeof(*op));
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	char *addr = NULL;
	ev_uint16_t port = 0;

	if (!op)
		return NULL;
	op->a = a;
	op->kind = kind;
	op->now_s = (int64_t)time(NULL);
	if (evcon)
		evhttp_connection_get_peer(evcon, &addr, &port);
	snprintf(op->ip, sizeof(op->ip), "%s", addr ? addr : "unknown");
	return op;
}

static void auth_attach(struct auth_op *op, struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);

	op->req = req;
	if (evcon)
		ac_http_set_closecb(evcon, auth_close_cb, op);
}

static int auth_pool(struct auth_op *op, void (*work)(void *),
                     void (*done)(void *))
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
		struct evhttp_request *req = auth_detach(op);

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
		struct evhttp_request *req = auth_detach(op);

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
	struct evhttp_request *req = auth_detach(op);

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

/* Stage 1: the rate limit and the account lookup. */
static void auth_pre_work(void *arg)
{
	struct auth_op *op = arg;
	struct auth *a = op->a;
	const struct ac_store_ops *store = AC_STORE(a->core);
	void *st = a->core->store->state;
	char key[128];
	bool login = op->kind == K_LOGIN;

	snprintf(key, sizeof(key), "%s:ip:%s", login ? "login" : "register",
	         op->ip);
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

static void auth_pre_done(void *arg)
{
	struct auth_op *op = arg;
	struct auth *a = op->a;
	struct evhttp_request *req;

	a->inflight--;
	if (!op->req || a->stopped) {
		req = auth_detach(op);
		if (req)
			auth_error(req, op->kind, 503,
			           "Server is shutting down.");
		auth_op_free(op);
		goto out;
	}
	if (op->rc_rate == -EAGAIN || op->rc_rate < 0 || op->rc < 0 ||
	    (op->errors && json_object_size(op->errors))) {
		req = auth_detach(op);
		if (op->rc_rate == -EAGAIN) {
			log_info("auth: %s rate limit reached for %s",
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

static void auth_store_work(void *arg)
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
			log_warn("auth: refresh token of user %s reused: "
			         "every refresh token of the user revoked",
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

static void auth_store_done(void *arg)
{
	struct auth_op *op = arg;
	struct auth *a = op->a;
	struct evhttp_request *req = auth_detach(op);
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
/* Handlers                                                             */

/* Start op on the pool; on failure answer 503 and free it. */
static void auth_submit(struct auth_op *op, struct evhttp_request *req,
                        void (*work)(void *), void (*done)(void *))
{
	auth_attach(op, req);
	if (auth_pool(op, work, done) < 0) {
		auth_detach(op);
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
		goto oom;
	op->username = auth_strdup_field(body, "username");
	op->email = auth_strdup_field(body, "email");
	op->password = auth_strdup_field(body, "password1");
	op->first = auth_strdup_field(body, "first_name");
	op->last = auth_strdup_field(body, "last_name");
	if (!op->username || !op->email || !op->password || !op->first ||
	    !op->last) {
		auth_op_free(op);
		goto oom;
	}
	auth_submit(op, req, auth_pre_work, auth_pre_done);
	goto out;
oom:
	auth_error(req, K_REGISTER, 503, "Out of memory.");
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
	if (!errors)
		goto oom;
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
		goto oom;
	op->email = email ? strdup(email) : NULL;
	op->username = username ? strdup(username) : NULL;
	op->password = strdup(password);
	if ((!op->email && !op->username) || !op->password) {
		auth_op_free(op);
		goto oom;
	}
	auth_submit(op, req, auth_pre_work, auth_pre_done);
	goto out;
oom:
	auth_error(req, K_LOGIN, 503, "Out of memory.");
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
	if (!op) {
		auth_error(req, K_REFRESH, 503, "Out of memory.");
		goto out;
	}
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
	if (!op) {
		auth_error(req, K_LOGOUT, 503, "Out of memory.");
		goto out;
	}
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
	if (!op) {
		auth_error(req, K_USER, 503, "Out of memory.");
		return;
	}
	snprintf(op->user_id, sizeof(op->user_id), "%s", claims.user_id);
	auth_submit(op, req, auth_store_work, auth_store_done);
}

/* path equals want, with or without its final slash. */
static bool auth_path_is(const char *path, const char *want)
{
	size_t n = strlen(want);

	if (strcmp(path, want) == 0)
		return true;
	return want[n - 1] == '/' && strlen(path) == n - 1 &&
	       strncmp(path, want, n - 1) == 0;
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

static void auth_request_cb(struct evhttp_request *req, const char *path,
                            void *arg)
{
	struct auth *a = arg;

	if (a->stopped) {
		ac_http_error(req, 503, "Server is shutting down.");
		return;
	}
	if (auth_path_is(path, AUTH_PREFIX "registration/")) {
		if (auth_method(req, K_REGISTER, true))
			auth_registration(a, req);
	} else if (auth_path_is(path, AUTH_PREFIX "login/")) {
		if (auth_method(req, K_LOGIN, true))
			auth_login(a, req);
	} else if (auth_path_is(path, AUTH_PREFIX "token/refresh/")) {
		if (auth_method(req, K_REFRESH, true))
			auth_refresh(a, req);
	} else if (auth_path_is(path, AUTH_PREFIX "token/verify/")) {
		if (auth_method(req, K_REFRESH, true))
			auth_verify(a, req);
	} else if (auth_path_is(path, AUTH_PREFIX "logout/")) {
		if (auth_method(req, K_LOGOUT, true))
			auth_logout(a, req);
	} else if (auth_path_is(path, AUTH_PREFIX "user/")) {
		if (auth_method(req, K_USER, false))
			auth_me(a, req);
	} else {
		ac_http_error(req, 404, "Not found.");
	}
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

static int auth_int(struct ac_core *core, const char *path, long long def,
                    long long min, long long max, long long *out, char *err,
                    size_t errlen)
{
	char e[512];
	int rc = ac_config_get_int(core->cfg, path, out, e, sizeof(e));

	if (rc == -ENOENT) {
		*out = def;
		return 0;
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s", e);
		return rc;
	}
	if (*out < min || *out > max) {
		snprintf(err, errlen,
		         "%s must be between %lld and %lld (got %lld)", path,
		         min, max, *out);
		return -EINVAL;
	}
	return 0;
}

static int auth_rate(struct ac_core *core, const char *path, double def,
                     double min, double *out, char *err, size_t errlen)
{
	*out = ac_config_float(core->cfg, path, def);
	if (!(*out >= min && *out <= 1e9)) {
		snprintf(err, errlen, "%s must be at least %g", path, min);
		return -EINVAL;
	}
	return 0;
}

static int auth_settings(struct auth *a, struct ac_http_limits *lim, char *err,
                         size_t errlen)
{
	struct ac_core *core = a->core;
	long long v;
	int rc;

	ac_http_limits_default(lim);
	/* Auth requests are small; a shared server takes the larger limits
	 * of its roles. */
	lim->headers_max = 8 * 1024;
	lim->url_max = 2048;
	if ((rc = auth_int(core, "auth.access_ttl_s", 900, 10, 86400, &v, err,
	                   errlen)) < 0)
		return rc;
	a->access_ttl = v;
	if ((rc = auth_int(core, "auth.refresh_ttl_s", 7 * 86400, 60,
	                   365 * 86400, &v, err, errlen)) < 0)
		return rc;
	a->refresh_ttl = v;
	if ((rc = auth_int(core, "auth.hash_concurrency", 2, 1, 64, &v, err,
	                   errlen)) < 0)
		return rc;
	a->hash_max = (unsigned)v;
	if ((rc = auth_int(core, "auth.hash_opslimit",
	                   crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                   crypto_pwhash_OPSLIMIT_MIN, 16, &v, err, errlen)) <
	    0)
		return rc;
	a->opslimit = (unsigned long long)v;
	if ((rc = auth_int(core, "auth.hash_memlimit_kb",
	                   crypto_pwhash_MEMLIMIT_INTERACTIVE / 1024,
	                   crypto_pwhash_MEMLIMIT_MIN / 1024 + 8,
	                   4 * 1024 * 1024, &v, err, errlen)) < 0)
		return rc;
	a->memlimit = (size_t)v * 1024;
	if ((rc = auth_int(core, "auth.max_body_kb", 16, 1, 1024, &v, err,
	                   errlen)) < 0)
		return rc;
	a->body_max = (size_t)v * 1024;
	lim->body_max = a->body_max;
	if ((rc = auth_int(core, "auth.read_timeout_s", 30, 1, 3600, &v, err,
	                   errlen)) < 0)
		return rc;
	lim->timeout_s = (int)v;
	if ((rc = auth_int(core, "auth.request_timeout_s", 10, 1, 3600, &v, err,
	                   errlen)) < 0)
		return rc;
	lim->request_timeout_s = (int)v;
	if ((rc = auth_int(core, "auth.password_min_length",
	                   AC_AUTH_PASSWORD_MIN, AC_AUTH_PASSWORD_MIN_LO,
	                   AC_AUTH_PASSWORD_MIN_HI, &v, err, errlen)) < 0)
		return rc;
	a->password_min = (unsigned)v;
	if ((rc = auth_rate(core, "auth.login_burst", 10, 1, &a->login_burst,
	                    err, errlen)) < 0 ||
	    (rc = auth_rate(core, "auth.login_per_s", 0.2, 1e-6, &a->login_rate,
	                    err, errlen)) < 0 ||
	    (rc = auth_rate(core, "auth.register_burst", 5, 1, &a->reg_burst,
	                    err, errlen)) < 0 ||
	    (rc = auth_rate(core, "auth.register_per_s", 1.0 / 60, 1e-6,
	                    &a->reg_rate, err, errlen)) < 0)
		return rc;
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

static void auth_drain_cb(evutil_socket_t fd, short what, void *arg)
{
	*(bool *)arg = true;
}

void ac_auth_stop(struct ac_core *core)
{
	struct auth *a = core ? core->auth : NULL;
	struct timeval tv = {AUTH_DRAIN_S, 0};
	struct event *deadline;
	bool expired = false;

	if (!a)
		return;
	ac_http_stop_accepting(a->http);
	a->stopped = true;
	while (a->qhead) {
		struct auth_op *op = a->qhead;
		struct evhttp_request *req;

		a->qhead = op->qnext;
		req = auth_detach(op);
		if (req)
			auth_error(req, op->kind, 503,
			           "Server is shutting down.");
		auth_op_free(op);
	}
	a->qtail = &a->qhead;
	a->queued = 0;
	/* Let hashes and store calls in flight answer (must not be called
	 * from inside the loop). */
	deadline = evtimer_new(core->base, auth_drain_cb, &expired);
	if (deadline && evtimer_add(deadline, &tv) == 0)
		while (a->inflight && !expired)
			if (event_base_loop(core->base, EVLOOP_ONCE) < 0)
				break;
	if (deadline)
		event_free(deadline);
	if (a->inflight)
		log_warn("auth: stopping with %u operations in flight",
		         a->inflight);
	ac_http_close(a->http, a);
	a->http = NULL;
	core->auth = NULL;
	auth_unref(a);
}
