/* The auth role: user accounts (Argon2id password hashes in the store),
 * JWT access tokens and rotated, revocable refresh tokens, on the
 * endpoints of design.md under /api/v1/auth/ (docs/auth.md). */
#ifndef AC_AUTH_H
#define AC_AUTH_H
#include <jansson.h>
#include <stddef.h>

struct ac_core;

/* Listen on auth.listen, or share api.listen when the api role runs here
 * and auth.listen is unset.  Refuses to start when the store has no
 * accounts (put_user... NULL). */
int ac_auth_start(struct ac_core *core, char *err, size_t errlen);
void ac_auth_stop(struct ac_core *core);

/* Input rules (pure; unit-tested and fuzzed).  Each returns 0, or -EINVAL
 * with the message for the client in msg. */
#define AC_AUTH_USERNAME_MAX 150
#define AC_AUTH_EMAIL_MAX    254
#define AC_AUTH_NAME_MAX     150
#define AC_AUTH_PASSWORD_MIN 10   /* characters */
#define AC_AUTH_PASSWORD_MAX 1024 /* bytes */
int ac_auth_check_username(const char *s, char *msg, size_t msglen);
int ac_auth_check_email(const char *s, char *msg, size_t msglen);
/* username and email may be NULL (not compared). */
int ac_auth_check_password(const char *pw, const char *username,
                           const char *email, char *msg, size_t msglen);
/* A registration body {username,email,password1,password2,first_name,
 * last_name}: 0, or -EINVAL and *errors (new reference) the fields' errors
 * as Django REST framework words them: {"field": ["message", ...]}, with
 * "non_field_errors" for the password mismatch. */
int ac_auth_validate_registration(json_t *body, json_t **errors);
#endif
