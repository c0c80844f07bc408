/* The auth role: user accounts (Argon2id password hashes in the store),
 * JWT access tokens and rotated, revocable refresh tokens, on the
 * endpoints of design.md under /api/v1/auth/ (docs/auth.md). */
#ifndef AC_AUTH_H
#define AC_AUTH_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct ac_core;

/* Listen on auth.listen, or share api.listen when the api role runs here
 * and auth.listen is unset.  Refuses to start when the store has no
 * accounts (put_user... NULL). */
int ac_auth_start(struct ac_core *core, char *err, size_t errlen);
void ac_auth_stop(struct ac_core *core);

/* Input rules (pure; unit-tested and fuzzed).  Each returns 0, or -EINVAL
 * with the message for the client in msg. */
#define AC_AUTH_USERNAME_MAX    150
#define AC_AUTH_EMAIL_MAX       254
#define AC_AUTH_NAME_MAX        150
#define AC_AUTH_PASSWORD_MIN    10   /* characters: auth.password_min_length */
#define AC_AUTH_PASSWORD_MIN_LO 8    /* the setting's range (Django's default */
#define AC_AUTH_PASSWORD_MIN_HI 256  /* is 8) */
#define AC_AUTH_PASSWORD_MAX    1024 /* bytes */
int ac_auth_check_username(const char *s, char *msg, size_t msglen);
int ac_auth_check_email(const char *s, char *msg, size_t msglen);

/* The password policy (docs/auth.md, "Password policy"): Django's default
 * validators.  The user's attributes are compared with the password; any
 * may be NULL or "" (not compared). */
struct ac_auth_pwuser {
	const char *username, *email, *first_name, *last_name;
};
/* Appends to list (a JSON array, borrowed) one message per rule pw breaks,
 * in Django's order and words: too similar to an attribute, shorter than
 * min_len characters, too common, entirely numeric (blank and over
 * AC_AUTH_PASSWORD_MAX bytes: that message alone).  0 when none, -EINVAL
 * when some, -ENOMEM. */
int ac_auth_password_errors(const char *pw, const struct ac_auth_pwuser *user,
                            unsigned min_len, json_t *list);
/* The first of those messages, with min_len AC_AUTH_PASSWORD_MIN;
 * username and email may be NULL (not compared). */
int ac_auth_check_password(const char *pw, const char *username,
                           const char *email, char *msg, size_t msglen);
/* Whether s (lower-cased, surrounding white space stripped) is in the
 * bundled list of common passwords (data/common-passwords.txt). */
bool ac_auth_password_common(const char *s);
/* The bundled list, generated at build time: passwords sorted by byte
 * value, each followed by '\n' (core/common_passwords.awk). */
extern const char ac_auth_common_passwords[];
extern const size_t ac_auth_common_passwords_len;

/* A registration body {username,email,password1,password2,first_name,
 * last_name}: 0, or -EINVAL and *errors (new reference) the fields' errors
 * as Django REST framework words them: {"field": ["message", ...]}, with
 * "non_field_errors" for the password mismatch.  The password is checked
 * against the policy with password_min (AC_AUTH_PASSWORD_MIN by the
 * first form). */
int ac_auth_validate_registration(json_t *body, json_t **errors);
int ac_auth_validate_registration_min(json_t *body, unsigned password_min,
                                      json_t **errors);
#endif
