/* The auth role's input rules and the HTTP request helpers. */
#include "auth.h"
#include "http.h"

#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../check_run.h"

static int email(const char *s)
{
	char msg[200];

	return ac_auth_check_email(s, msg, sizeof(msg));
}

START_TEST(emails)
{
	ck_assert_int_eq(email("alice@example.com"), 0);
	ck_assert_int_eq(email("a.b+tag@sub.example.co"), 0);
	ck_assert_int_eq(email("x@localhost"), 0);
	ck_assert_int_eq(email("o'brien@example.ie"), 0);
	ck_assert_int_eq(email(""), -EINVAL);
	ck_assert_int_eq(email("plain"), -EINVAL);
	ck_assert_int_eq(email("@example.com"), -EINVAL);
	ck_assert_int_eq(email("a@"), -EINVAL);
	ck_assert_int_eq(email("a@@example.com"), -EINVAL);
	ck_assert_int_eq(email("a@b@example.com"), -EINVAL);
	ck_assert_int_eq(email(".a@example.com"), -EINVAL);
	ck_assert_int_eq(email("a.@example.com"), -EINVAL);
	ck_assert_int_eq(email("a..b@example.com"), -EINVAL);
	ck_assert_int_eq(email("a b@example.com"), -EINVAL);
	ck_assert_int_eq(email("a@nodot"), -EINVAL);
	ck_assert_int_eq(email("a@-x.com"), -EINVAL);
	ck_assert_int_eq(email("a@x-.com"), -EINVAL);
	ck_assert_int_eq(email("a@x..com"), -EINVAL);
	ck_assert_int_eq(email("a@example.123"), -EINVAL);
	ck_assert_int_eq(email("a@exa_mple.com"), -EINVAL);
	ck_assert_int_eq(email("a\n@example.com"), -EINVAL);
	{
		char big[300];

		memset(big, 'a', sizeof(big));
		memcpy(big + sizeof(big) - 13, "@example.com", 13);
		ck_assert_int_eq(email(big), -EINVAL); /* local part > 64 */
	}
}
END_TEST

START_TEST(usernames)
{
	char msg[200], big[200];

	ck_assert_int_eq(ac_auth_check_username("alice", msg, sizeof(msg)), 0);
	ck_assert_int_eq(
	        ac_auth_check_username("a.b+c-d_e@f", msg, sizeof(msg)), 0);
	ck_assert_int_eq(ac_auth_check_username("", msg, sizeof(msg)), -EINVAL);
	ck_assert_int_eq(ac_auth_check_username("a b", msg, sizeof(msg)),
	                 -EINVAL);
	ck_assert_msg(strstr(msg, "valid username") != NULL, "%s", msg);
	ck_assert_int_eq(ac_auth_check_username("a/b", msg, sizeof(msg)),
	                 -EINVAL);
	ck_assert_int_eq(ac_auth_check_username("\xc3\xa9", msg, sizeof(msg)),
	                 -EINVAL);
	memset(big, 'a', 151);
	big[151] = '\0';
	ck_assert_int_eq(ac_auth_check_username(big, msg, sizeof(msg)),
	                 -EINVAL);
	big[150] = '\0';
	ck_assert_int_eq(ac_auth_check_username(big, msg, sizeof(msg)), 0);
}
END_TEST

/* The messages ac_auth_password_errors() gives pw, joined by "|". */
static void pw_errors(const char *pw, const struct ac_auth_pwuser *user,
                      unsigned min, char *out, size_t outlen)
{
	json_t *list = json_array();
	size_t i;
	json_t *v;
	int rc;

	ck_assert_ptr_nonnull(list);
	rc = ac_auth_password_errors(pw, user, min, list);
	ck_assert_int_eq(rc, json_array_size(list) ? -EINVAL : 0);
	out[0] = '\0';
	json_array_foreach(list, i, v)
	{
		if (i)
			strncat(out, "|", outlen - strlen(out) - 1);
		strncat(out, json_string_value(v), outlen - strlen(out) - 1);
	}
	json_decref(list);
}

START_TEST(passwords)
{
	char msg[200];

	ck_assert_int_eq(ac_auth_check_password("correct horse battery",
	                                        "alice", "alice@example.com",
	                                        msg, sizeof(msg)),
	                 0);
	/* Issue 15.8: entirely numeric, and common. */
	ck_assert_int_eq(ac_auth_check_password("1234567890", NULL, NULL, msg,
	                                        sizeof(msg)),
	                 -EINVAL);
	ck_assert_str_eq(msg, "This password is too common.");
	ck_assert_int_eq(ac_auth_check_password("8302749165", NULL, NULL, msg,
	                                        sizeof(msg)),
	                 -EINVAL);
	ck_assert_str_eq(msg, "This password is entirely numeric.");
	ck_assert_int_eq(ac_auth_check_password("x1.9q-z3+w", NULL, NULL, msg,
	                                        sizeof(msg)),
	                 0);
	ck_assert_int_eq(ac_auth_check_password("x1.9q-z3+", NULL, NULL, msg,
	                                        sizeof(msg)),
	                 -EINVAL);
	ck_assert_msg(strstr(msg, "at least 10") != NULL, "%s", msg);
	/* Ten characters, not ten bytes: 9 two-byte characters refused. */
	ck_assert_int_eq(ac_auth_check_password("\xc3\xa9\xc3\xa9\xc3\xa9"
	                                        "\xc3\xa9\xc3\xa9\xc3\xa9"
	                                        "\xc3\xa9\xc3\xa9\xc3\xa9",
	                                        NULL, NULL, msg, sizeof(msg)),
	                 -EINVAL);
	ck_assert_int_eq(ac_auth_check_password("LongUserName", "longusername",
	                                        "x@example.com", msg,
	                                        sizeof(msg)),
	                 -EINVAL);
	ck_assert_str_eq(msg, "The password is too similar to the username.");
	ck_assert_int_eq(ac_auth_check_password("X@Example.com", "someone",
	                                        "x@example.com", msg,
	                                        sizeof(msg)),
	                 -EINVAL);
	ck_assert_str_eq(msg,
	                 "The password is too similar to the email address.");
	ck_assert_int_eq(
	        ac_auth_check_password("", NULL, NULL, msg, sizeof(msg)),
	        -EINVAL);
	ck_assert_str_eq(msg, "This field may not be blank.");
	{
		char *big = malloc(AC_AUTH_PASSWORD_MAX + 2);

		memset(big, 'p', AC_AUTH_PASSWORD_MAX + 1);
		big[AC_AUTH_PASSWORD_MAX + 1] = '\0';
		ck_assert_int_eq(ac_auth_check_password(big, NULL, NULL, msg,
		                                        sizeof(msg)),
		                 -EINVAL);
		ck_assert_msg(strstr(msg, "no more than 1024") != NULL, "%s",
		              msg);
		big[AC_AUTH_PASSWORD_MAX] = '\0';
		ck_assert_int_eq(ac_auth_check_password(big, NULL, NULL, msg,
		                                        sizeof(msg)),
		                 0);
		free(big);
	}
}
END_TEST

/* Every rule that fails is reported, in Django's order. */
START_TEST(password_policy)
{
	struct ac_auth_pwuser u = {"jsmith", "john.smithson@corp.example",
	                           "Maximilian", "Doe"};
	char out[600];

	pw_errors("1234567890", NULL, 10, out, sizeof(out));
	ck_assert_str_eq(out, "This password is too common.|"
	                      "This password is entirely numeric.");
	pw_errors("123456", &u, 10, out, sizeof(out));
	ck_assert_str_eq(out, "This password is too short. It must contain "
	                      "at least 10 characters.|"
	                      "This password is too common.|"
	                      "This password is entirely numeric.");
	/* The minimum is a parameter (auth.password_min_length). */
	pw_errors("x1.9q-z3+w", NULL, 12, out, sizeof(out));
	ck_assert_str_eq(out, "This password is too short. It must contain "
	                      "at least 12 characters.");
	pw_errors("x1.9q-z3+w.k", NULL, 12, out, sizeof(out));
	ck_assert_str_eq(out, "");
	/* Similar to a part of the e-mail (split at non-word characters),
	 * to the first name, the username: one similarity message, the
	 * first attribute in Django's order (username, first name, last
	 * name, e-mail). */
	pw_errors("smithson1234", &u, 10, out, sizeof(out));
	ck_assert_str_eq(out,
	                 "The password is too similar to the email address.");
	pw_errors("maximilian!!", &u, 10, out, sizeof(out));
	ck_assert_str_eq(out, "The password is too similar to the first name.");
	pw_errors("JSmith2024!", &u, 10, out, sizeof(out));
	ck_assert_str_eq(out, "The password is too similar to the username.");
	/* quick_ratio compares the characters, not their order. */
	pw_errors("htimsj-doe", &u, 10, out, sizeof(out));
	ck_assert_str_eq(out, "The password is too similar to the username.");
	/* A part ten times shorter than the password is not compared
	 * ("Doe" inside a long pass phrase). */
	pw_errors("a doe in the deep dark woods", &u, 10, out, sizeof(out));
	ck_assert_str_eq(out, "");
	/* Common: case and surrounding white space do not matter. */
	pw_errors("  PassWord123 ", NULL, 8, out, sizeof(out));
	ck_assert_str_eq(out, "This password is too common.");
	ck_assert(ac_auth_password_common("Qwertyuiop"));
	ck_assert(!ac_auth_password_common("correct horse battery"));
	ck_assert(!ac_auth_password_common(""));
	ck_assert(!ac_auth_password_common("   "));
}
END_TEST

/* The bundled list: non-empty lines, lower-case, strictly sorted by byte
 * value (the binary search needs it), and every entry is found. */
START_TEST(common_list)
{
	const char *b = ac_auth_common_passwords, *prev = NULL, *p;
	size_t n = 0, prevlen = 0, bad = 0, first_bad = 0;

	/* (One assertion at the end: check's assertions each talk to the
	 * parent process, too slow for 20000 entries under ASan.) */
	ck_assert_uint_gt(ac_auth_common_passwords_len, 0);
	ck_assert_int_eq(b[ac_auth_common_passwords_len - 1], '\n');
	for (p = b; p < b + ac_auth_common_passwords_len;) {
		const char *e =
		        memchr(p, '\n',
		               ac_auth_common_passwords_len - (size_t)(p - b));
		size_t len = (size_t)(e - p);
		bool ok = len > 0 && len < 64;
		char w[64];

		for (size_t i = 0; ok && i < len; i++)
			ok = !(p[i] >= 'A' && p[i] <= 'Z') &&
			     (unsigned char)p[i] >= 0x20;
		if (ok && prev) {
			int c = memcmp(prev, p, prevlen < len ? prevlen : len);

			ok = c < 0 || (c == 0 && prevlen < len);
		}
		if (ok) {
			memcpy(w, p, len);
			w[len] = '\0';
			ok = ac_auth_password_common(w);
		}
		if (!ok && bad++ == 0)
			first_bad = n;
		prev = p;
		prevlen = len;
		p = e + 1;
		n++;
	}
	ck_assert_msg(bad == 0,
	              "%zu entries are empty, not lower-case ASCII, out of "
	              "order or not found, the first: entry %zu",
	              bad, first_bad);
	/* Django's list: 20000 passwords, 19727 once sorted and deduplicated
	 * as here. */
	ck_assert_uint_gt(n, 19000);
}
END_TEST

/* The first message of the errors E list under FIELD (NULL: none). */
static const char *first_error(json_t *e, const char *field)
{
	return json_string_value(json_array_get(json_object_get(e, field), 0));
}

static json_t *reg_errors(const char *text)
{
	json_t *body = json_loads(text, JSON_ALLOW_NUL, NULL), *errors = NULL;

	ck_assert_ptr_nonnull(body);
	if (ac_auth_validate_registration(body, &errors) == 0)
		ck_assert_ptr_null(errors);
	json_decref(body);
	return errors;
}

/* reg_errors of a registration of USER (JSON-escaped), EMAIL and the two
 * passwords. */
static json_t *reg_of(const char *user, const char *email, const char *pw1,
                      const char *pw2)
{
	char text[1024];

	snprintf(text, sizeof(text),
	         "{\"username\":\"%s\",\"email\":\"%s\",\"password1\":\"%s\","
	         "\"password2\":\"%s\"}",
	         user, email, pw1, pw2);
	return reg_errors(text);
}

START_TEST(registration)
{
	json_t *e;

	e = reg_of("alice", "a@b.co", "a long pass", "a long pass");
	ck_assert_ptr_null(e);
	e = reg_of("alice", "a@b.co", "a long pass", "another pass");
	ck_assert_ptr_nonnull(json_object_get(e, "non_field_errors"));
	ck_assert_uint_eq(json_object_size(e), 1);
	json_decref(e);
	e = reg_errors("{\"email\":7,\"password1\":\"short\","
	               "\"first_name\":null}");
	ck_assert_str_eq(first_error(e, "username"), "This field is required.");
	ck_assert_str_eq(first_error(e, "email"), "Not a valid string.");
	ck_assert_ptr_nonnull(json_object_get(e, "password1"));
	ck_assert_ptr_nonnull(json_object_get(e, "password2"));
	ck_assert_ptr_null(json_object_get(e, "first_name"));
	json_decref(e);
	/* Every password rule broken is listed under password1. */
	e = reg_of("carol", "c@b.co", "1234567890", "1234567890");
	ck_assert_uint_eq(json_object_size(e), 1);
	ck_assert_uint_eq(json_array_size(json_object_get(e, "password1")), 2);
	ck_assert_str_eq(first_error(e, "password1"),
	                 "This password is too common.");
	json_decref(e);
	/* first_name and last_name count for the similarity. */
	e = reg_errors("{\"username\":\"carol\",\"email\":\"c@b.co\","
	               "\"first_name\":\"Bartholomew\","
	               "\"password1\":\"bartholomew7\","
	               "\"password2\":\"bartholomew7\"}");
	ck_assert_str_eq(first_error(e, "password1"),
	                 "The password is too similar to the first name.");
	json_decref(e);
	/* A NUL inside a string is refused. */
	e = reg_of("al\\u0000ice", "a@b.co", "a long pass", "a long pass");
	ck_assert_ptr_nonnull(json_object_get(e, "username"));
	json_decref(e);
}
END_TEST

START_TEST(json_bodies)
{
	char err[300], deep[200];
	json_t *v;

	v = ac_http_parse_object("{\"a\":[1,{\"b\":2}]}", 17, err, sizeof(err));
	ck_assert_ptr_nonnull(v);
	json_decref(v);
	ck_assert_ptr_null(ac_http_parse_object("[1]", 3, err, sizeof(err)));
	ck_assert_msg(strstr(err, "object") != NULL, "%s", err);
	ck_assert_ptr_null(ac_http_parse_object(NULL, 0, err, sizeof(err)));
	ck_assert_ptr_null(ac_http_parse_object("{\"a\":1,\"a\":2}", 13, err,
	                                        sizeof(err)));
	/* 33 levels refused, 32 accepted; brackets in strings do not
	 * count. */
	memset(deep, '[', 33);
	memset(deep + 33, ']', 33);
	ck_assert(ac_http_json_too_deep(deep, 66, 32));
	ck_assert(!ac_http_json_too_deep(deep + 1, 64, 32));
	ck_assert(!ac_http_json_too_deep("{\"a\":\"[[[[[[[[[[[\\\"[[[[\"}", 24,
	                                 4));
	ck_assert_ptr_null(ac_http_parse_object(deep, 66, err, sizeof(err)));
	ck_assert_msg(strstr(err, "nesting") != NULL, "%s", err);
}
END_TEST

START_TEST(bearer)
{
	const char *t;
	size_t n;

	ck_assert_int_eq(ac_http_bearer("Bearer abc.def", &t, &n), 0);
	ck_assert_uint_eq(n, 7);
	ck_assert_int_eq(strncmp(t, "abc.def", n), 0);
	ck_assert_int_eq(ac_http_bearer("  Bearer   x  ", &t, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(ac_http_bearer(NULL, &t, &n), -ENOENT);
	ck_assert_int_eq(ac_http_bearer("Basic abc", &t, &n), -ENOENT);
	ck_assert_int_eq(ac_http_bearer("Bearerabc", &t, &n), -ENOENT);
	ck_assert_int_eq(ac_http_bearer("Bearer", &t, &n), -EINVAL);
	ck_assert_int_eq(ac_http_bearer("Bearer a b", &t, &n), -EINVAL);
	ck_assert_int_eq(ac_http_bearer("Bearer a\tb", &t, &n), -EINVAL);
}
END_TEST

START_TEST(listen_addresses)
{
	char host[64];
	unsigned short port;

	ck_assert_int_eq(ac_http_parse_listen("127.0.0.1:8081", host,
	                                      sizeof(host), &port),
	                 0);
	ck_assert_str_eq(host, "127.0.0.1");
	ck_assert_uint_eq(port, 8081);
	ck_assert_int_eq(
	        ac_http_parse_listen("[::1]:80", host, sizeof(host), &port), 0);
	ck_assert_str_eq(host, "::1");
	ck_assert_int_eq(ac_http_parse_listen(":9", host, sizeof(host), &port),
	                 0);
	ck_assert_str_eq(host, "0.0.0.0");
	ck_assert_int_lt(ac_http_parse_listen("x:0", host, sizeof(host), &port),
	                 0);
	ck_assert_int_lt(ac_http_parse_listen("x", host, sizeof(host), &port),
	                 0);
	ck_assert_int_lt(
	        ac_http_parse_listen("::1:80", host, sizeof(host), &port), 0);
}
END_TEST

int main(void)
{
	return ac_check_run(AC_SUITE("auth", "rules", 0, emails, usernames,
	                             passwords, password_policy, common_list,
	                             registration, json_bodies, bearer,
	                             listen_addresses));
}
