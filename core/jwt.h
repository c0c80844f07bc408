/* HS256 JSON Web Tokens and the secret file. */
#ifndef AC_JWT_H
#define AC_JWT_H
#include <stddef.h>
#include <stdint.h>

#define AC_JWT_SECRET_LEN 32

/* Read the secret from path; when absent and create != 0, create it with
 * AC_JWT_SECRET_LEN random bytes (hex encoded), mode 0600.  Refuses a file
 * readable by group or others.  Returns the secret length or -errno.
 * Whitespace around the content is ignored; hex text is decoded, any other
 * text (e.g. the Django SECRET_KEY of the original auth service) is the key
 * itself, so give a buffer of AC_JWT_KEY_MAX bytes. */
#define AC_JWT_KEY_MAX 512
int ac_jwt_secret_load(const char *path, int create, unsigned char *buf,
                       size_t buflen, char *err, size_t errlen);
/* A signed access token for user_id, valid ttl_s seconds from now_s.
 * malloc'ed. */
char *ac_jwt_mint(const unsigned char *secret, size_t secret_len,
                  const char *user_id, int64_t now_s, int64_t ttl_s);
/* 0 and *user_id (malloc'ed) when the token is a valid HS256 access token
 * at now_s; -EINVAL/-EKEYEXPIRED/-EKEYREJECTED with a message otherwise. */
int ac_jwt_verify(const unsigned char *secret, size_t secret_len,
                  const char *token, int64_t now_s, char **user_id, char *err,
                  size_t errlen);
#endif
