/* The auth role's input rules (docs/auth.md): username, e-mail and password
 * checks, as Django's validators apply them, and the registration body.  Pure
 * functions, no state. */
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
/* Input rules                                                          */

int ac_auth_check_username(const char *s, char *msg, size_t msglen)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0) {
		ac_seterr(msg, msglen, "This field may not be blank.");
		return -EINVAL;
	}
	if (n > AC_AUTH_USERNAME_MAX) {
		ac_seterr(msg, msglen,
		          "Ensure this field has no more than %d characters.",
		          AC_AUTH_USERNAME_MAX);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr("@.+-_", c))) {
			ac_seterr(msg, msglen,
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
		ac_seterr(msg, msglen, "This field may not be blank.");
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
	ac_seterr(msg, msglen, "Enter a valid email address.");
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
		ac_seterr(msg, msglen, "%s",
		          json_string_value(json_array_get(list, 0)));
	json_decref(list);
	return rc;
}

/* Append msg to errors[field]. */
void auth_field_error(json_t *errors, const char *field, const char *msg)
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
const char *auth_string_field(json_t *body, json_t *errors, const char *field,
                              bool required)
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
