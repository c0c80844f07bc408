/* HS256 JSON Web Tokens and the key file they are signed with. */
#ifndef AC_JWT_H
#define AC_JWT_H
#include <stddef.h>
#include <stdint.h>

/* Bytes of a key the core creates. */
#define AC_JWT_SECRET_LEN 32
/* Longest key accepted (a Django SECRET_KEY used as is fits). */
#define AC_JWT_KEY_MAX 512
/* Longest key id, and keys in one file. */
#define AC_JWT_KID_MAX  32
#define AC_JWT_MAX_KEYS 8
/* Longest user id, username or e-mail carried in a token. */
#define AC_JWT_MAX_CLAIM 256

struct ac_jwt_key {
	char kid[AC_JWT_KID_MAX + 1];
	unsigned char key[AC_JWT_KEY_MAX];
	size_t len;
};

/* The keys of a key file: keys[0] is the current one (signs), every one
 * verifies the tokens naming its kid. */
struct ac_jwt_keys {
	struct ac_jwt_key keys[AC_JWT_MAX_KEYS];
	size_t n;
};

/* Load the key file at path; when absent and create != 0, create it with
 * one random key of AC_JWT_SECRET_LEN bytes (kid "0", hex, mode 0600).
 * Refuses a symbolic link, a file that is not regular, and a file
 * accessible by group or others.  Formats:
 *   - one line, one word: the key alone, kid "0" (hex text is decoded, any
 *     other text is the key itself: a Django SECRET_KEY);
 *   - lines "KID KEY" (same rule for KEY), the first is current; blank
 *     lines and lines starting with '#' are ignored.
 * Returns 0 or -errno with a message in err.  Wipe with ac_jwt_keys_wipe. */
int ac_jwt_keys_load(const char *path, int create, struct ac_jwt_keys *keys,
                     char *err, size_t errlen);
/* Parse key file text (the rules above).  0 or -EINVAL with err. */
int ac_jwt_keys_parse(const char *text, size_t len, struct ac_jwt_keys *keys,
                      char *err, size_t errlen);
void ac_jwt_keys_wipe(struct ac_jwt_keys *keys);

/* What a token says (strings NUL-terminated, possibly empty). */
struct ac_jwt_claims {
	char type[16]; /* "access" or "refresh" */
	char user_id[AC_JWT_MAX_CLAIM + 1];
	char username[AC_JWT_MAX_CLAIM + 1];
	char email[AC_JWT_MAX_CLAIM + 1];
	char jti[64];
	int64_t iat, exp;
};

/* A token of type "access" or "refresh" for user_id (username and email
 * may be NULL: username = user_id, email ""), valid ttl_s seconds from
 * now_s, signed with the current key (its kid in the header).  The new
 * token's claims go to *claims when not NULL.  malloc'ed; NULL on failure. */
char *ac_jwt_mint_token(const struct ac_jwt_keys *keys, const char *type,
                        const char *user_id, const char *username,
                        const char *email, int64_t now_s, int64_t ttl_s,
                        struct ac_jwt_claims *claims);

/* Verify token at now_s: HS256 only (never "none" nor any other alg), a
 * known kid (no kid: kid "0" if present, else the current key), signature,
 * exp (required, in the future), nbf, the token type (want_type; NULL
 * accepts both) and a usable user id.  check_exp 0 skips the expiry (for
 * revoking an old refresh token).  0 and *claims filled, or
 * -EINVAL (malformed) / -EKEYEXPIRED / -EKEYREJECTED with a message. */
int ac_jwt_check(const struct ac_jwt_keys *keys, const char *token,
                 int64_t now_s, const char *want_type, int check_exp,
                 struct ac_jwt_claims *claims, char *err, size_t errlen);

#endif
