/* HS256 JSON Web Tokens (RFC 7519), compatible with Django REST framework
 * simplejwt access tokens, and the secret file they are signed with. */
#include "jwt.h"

#include <algocode/plugin.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Longer tokens are refused before any decoding. */
#define JWT_MAX_TOKEN 8192
/* Longest user id accepted in a token. */
#define JWT_MAX_USER 256
/* Secret files are small; a larger one is not a secret file. */
#define JWT_MAX_FILE 4096
/* Shortest key accepted, in bytes. */
#define JWT_MIN_KEY 16

static const char jwt_header_json[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

static void jwt_seterr(char *err, size_t errlen, const char *fmt, ...)
        AC_PRINTF(3, 4);

static void jwt_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int jwt_sodium_init(void)
{
	/* 0 on first success, 1 when already initialised. */
	return sodium_init() < 0 ? -EIO : 0;
}

/* base64url without padding; malloc'ed, NUL-terminated. */
static char *jwt_b64_encode(const unsigned char *bin, size_t len)
{
	size_t cap = sodium_base64_ENCODED_LEN(
	        len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = malloc(cap);

	if (!out)
		return NULL;
	sodium_bin2base64(out, cap, bin, len,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

/* Strict base64url decode of s[0..len): only the url-safe alphabet, no
 * padding, no whitespace, zero trailing bits.  malloc'ed (NUL-terminated
 * for convenience), length in *outlen. */
static int jwt_b64_decode(const char *s, size_t len, unsigned char **out,
                          size_t *outlen)
{
	unsigned char *bin;
	size_t cap = len / 4 * 3 + 3, n = 0;

	*out = NULL;
	if (len % 4 == 1)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return -EINVAL;
	}
	bin = malloc(cap + 1);
	if (!bin)
		return -ENOMEM;
	if (len &&
	    sodium_base642bin(bin, cap, s, len, NULL, &n, NULL,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING)) {
		free(bin);
		return -EINVAL;
	}
	bin[n] = '\0';
	*out = bin;
	*outlen = n;
	return 0;
}

static void jwt_hmac(const unsigned char *key, size_t keylen, const char *data,
                     size_t len,
                     unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)data, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
}

char *ac_jwt_mint(const unsigned char *secret, size_t secret_len,
                  const char *user_id, int64_t now_s, int64_t ttl_s)
{
	unsigned char jti_bin[16], mac[crypto_auth_hmacsha256_BYTES];
	char jti[sizeof(jti_bin) * 2 + 1];
	char *hdr = NULL, *pl = NULL, *sig = NULL, *payload = NULL;
	char *signing = NULL, *token = NULL;
	json_t *claims = NULL;
	size_t n;

	if (!secret || !secret_len || !user_id || !*user_id || ttl_s <= 0 ||
	    jwt_sodium_init() < 0)
		return NULL;
	randombytes_buf(jti_bin, sizeof(jti_bin));
	sodium_bin2hex(jti, sizeof(jti), jti_bin, sizeof(jti_bin));
	claims = json_pack("{s:s, s:I, s:I, s:s, s:s}", "token_type", "access",
	                   "exp", (json_int_t)(now_s + ttl_s), "iat",
	                   (json_int_t)now_s, "jti", jti, "user_id", user_id);
	if (!claims)
		goto out;
	payload = json_dumps(claims, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!payload)
		goto out;
	hdr = jwt_b64_encode((const unsigned char *)jwt_header_json,
	                     strlen(jwt_header_json));
	pl = jwt_b64_encode((const unsigned char *)payload, strlen(payload));
	if (!hdr || !pl)
		goto out;
	n = strlen(hdr) + 1 + strlen(pl);
	signing = malloc(n + 1);
	if (!signing)
		goto out;
	snprintf(signing, n + 1, "%s.%s", hdr, pl);
	jwt_hmac(secret, secret_len, signing, n, mac);
	sig = jwt_b64_encode(mac, sizeof(mac));
	if (!sig)
		goto out;
	token = malloc(n + 1 + strlen(sig) + 1);
	if (token)
		sprintf(token, "%s.%s", signing, sig);
out:
	json_decref(claims);
	free(payload);
	free(hdr);
	free(pl);
	free(sig);
	free(signing);
	return token;
}

/* Decode a base64url part holding a JSON object. */
static int jwt_part_json(const char *s, size_t len, json_t **out)
{
	unsigned char *bin = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	rc = jwt_b64_decode(s, len, &bin, &n);
	if (rc < 0)
		return rc;
	*out = json_loadb((const char *)bin, n, JSON_REJECT_DUPLICATES, NULL);
	free(bin);
	if (!*out || !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return -EINVAL;
	}
	return 0;
}

/* The user id claim: a string, or an integer (Django's default primary
 * key).  Printable, bounded. */
static int jwt_user_id(json_t *v, char **out)
{
	char buf[32];
	const char *s;

	if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
		         json_integer_value(v));
		s = buf;
	} else if (json_is_string(v)) {
		s = json_string_value(v);
		if (strlen(s) != json_string_length(v))
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	if (!*s || strlen(s) > JWT_MAX_USER)
		return -EINVAL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return -EINVAL;
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

int ac_jwt_verify(const unsigned char *secret, size_t secret_len,
                  const char *token, int64_t now_s, char **user_id, char *err,
                  size_t errlen)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	unsigned char *sig = NULL;
	const char *dot1, *dot2, *alg, *type;
	json_t *hdr = NULL, *claims = NULL, *v;
	size_t len, siglen = 0;
	int rc;

	*user_id = NULL;
	if (jwt_sodium_init() < 0) {
		jwt_seterr(err, errlen, "libsodium failed to initialise");
		return -EIO;
	}
	if (!secret || !secret_len) {
		jwt_seterr(err, errlen, "no signing key");
		return -EINVAL;
	}
	if (!token || !*token) {
		jwt_seterr(err, errlen, "empty token");
		return -EINVAL;
	}
	len = strnlen(token, JWT_MAX_TOKEN + 1);
	if (len > JWT_MAX_TOKEN) {
		jwt_seterr(err, errlen, "token too long");
		return -EINVAL;
	}
	dot1 = memchr(token, '.', len);
	dot2 = dot1 ? memchr(dot1 + 1, '.', len - (dot1 + 1 - token)) : NULL;
	if (!dot1 || !dot2 || memchr(dot2 + 1, '.', len - (dot2 + 1 - token)) ||
	    dot1 == token || dot2 == dot1 + 1 || dot2 + 1 == token + len) {
		jwt_seterr(err, errlen, "not a JSON web token");
		return -EINVAL;
	}

	rc = jwt_part_json(token, dot1 - token, &hdr);
	if (rc < 0) {
		jwt_seterr(err, errlen, "malformed token header");
		goto out;
	}
	/* Only HS256: never "none", never another algorithm whatever the
	 * header says (algorithm confusion). */
	alg = json_string_value(json_object_get(hdr, "alg"));
	if (!alg || strcmp(alg, "HS256") != 0) {
		jwt_seterr(err, errlen, "unsupported algorithm \"%.16s\"",
		           alg ? alg : "");
		rc = -EKEYREJECTED;
		goto out;
	}
	if (json_object_get(hdr, "crit")) {
		jwt_seterr(err, errlen, "critical header extensions refused");
		rc = -EKEYREJECTED;
		goto out;
	}

	rc = jwt_b64_decode(dot2 + 1, len - (dot2 + 1 - token), &sig, &siglen);
	if (rc < 0 || siglen != sizeof(mac)) {
		jwt_seterr(err, errlen, "malformed signature");
		rc = -EINVAL;
		goto out;
	}
	jwt_hmac(secret, secret_len, token, dot2 - token, mac);
	if (sodium_memcmp(mac, sig, sizeof(mac)) != 0) {
		jwt_seterr(err, errlen, "signature mismatch");
		rc = -EKEYREJECTED;
		goto out;
	}

	rc = jwt_part_json(dot1 + 1, dot2 - (dot1 + 1), &claims);
	if (rc < 0) {
		jwt_seterr(err, errlen, "malformed token payload");
		goto out;
	}
	v = json_object_get(claims, "exp");
	if (!json_is_number(v)) {
		jwt_seterr(err, errlen, "token has no expiry");
		rc = -EINVAL;
		goto out;
	}
	if (json_number_value(v) <= (double)now_s) {
		jwt_seterr(err, errlen, "token is expired");
		rc = -EKEYEXPIRED;
		goto out;
	}
	v = json_object_get(claims, "nbf");
	if (v && (!json_is_number(v) || json_number_value(v) > (double)now_s)) {
		jwt_seterr(err, errlen, "token is not yet valid");
		rc = -EKEYREJECTED;
		goto out;
	}
	type = json_string_value(json_object_get(claims, "token_type"));
	if (!type || strcmp(type, "access") != 0) {
		jwt_seterr(err, errlen, "token has wrong type");
		rc = -EKEYREJECTED;
		goto out;
	}
	rc = jwt_user_id(json_object_get(claims, "user_id"), user_id);
	if (rc < 0) {
		jwt_seterr(err, errlen,
		           "token contained no recognizable user "
		           "identification");
		rc = rc == -ENOMEM ? rc : -EINVAL;
		goto out;
	}
	rc = 0;
out:
	json_decref(hdr);
	json_decref(claims);
	free(sig);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Secret file                                                           */

/* mkdir -p of path's parent directories, mode 0700. */
static int jwt_mkparents(const char *path, char *err, size_t errlen)
{
	char *dir = strdup(path);
	char *slash;
	int rc = 0;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		goto out;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			rc = -errno;
			goto fail;
		}
		*p = '/';
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		rc = -errno;
fail:
	if (rc < 0)
		jwt_seterr(err, errlen, "%s: cannot create directory: %s", dir,
		           strerror(-rc));
out:
	free(dir);
	return rc;
}

/* Create path with fresh random content, atomically: the file is written
 * under a temporary name (O_CREAT|O_EXCL|O_NOFOLLOW, 0600) then linked into
 * place, so a concurrent reader never sees it half written and a concurrent
 * creator loses cleanly (-EEXIST). */
static int jwt_secret_create(const char *path, char *err, size_t errlen)
{
	unsigned char key[AC_JWT_SECRET_LEN];
	char hex[AC_JWT_SECRET_LEN * 2 + 2];
	char *tmp = NULL;
	size_t n;
	int fd = -1, rc;

	rc = jwt_mkparents(path, err, errlen);
	if (rc < 0)
		return rc;
	n = strlen(path) + 32;
	tmp = malloc(n);
	if (!tmp)
		return -ENOMEM;
	randombytes_buf(key, sizeof(key));
	snprintf(tmp, n, "%s.tmp.%ld.%08" PRIx32, path, (long)getpid(),
	         randombytes_random());
	sodium_bin2hex(hex, sizeof(hex), key, sizeof(key));
	sodium_memzero(key, sizeof(key));
	strcat(hex, "\n");
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	          0600);
	if (fd < 0) {
		rc = -errno;
		jwt_seterr(err, errlen, "%s: cannot create: %s", tmp,
		           strerror(errno));
		goto out;
	}
	if (fchmod(fd, 0600) < 0 ||
	    write(fd, hex, strlen(hex)) != (ssize_t)strlen(hex) ||
	    fsync(fd) < 0) {
		rc = errno ? -errno : -EIO;
		jwt_seterr(err, errlen, "%s: cannot write: %s", tmp,
		           strerror(-rc));
		goto out;
	}
	if (link(tmp, path) < 0) {
		rc = -errno;
		if (rc != -EEXIST)
			jwt_seterr(err, errlen, "%s: cannot create: %s", path,
			           strerror(errno));
		goto out;
	}
	rc = 0;
out:
	sodium_memzero(hex, sizeof(hex));
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

static bool jwt_is_hex(const char *s, size_t n)
{
	if (!n || n % 2)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return true;
}

/* Read and check an existing secret file.  -ENOENT when absent. */
static int jwt_secret_read(const char *path, unsigned char *buf, size_t buflen,
                           char *err, size_t errlen)
{
	char text[JWT_MAX_FILE + 1];
	struct stat st;
	size_t n = 0, keylen = 0;
	char *s, *e;
	int fd, rc;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		rc = -errno;
		if (rc != -ENOENT)
			jwt_seterr(err, errlen, "%s: %s", path,
			           errno == ELOOP
			                   ? "is a symbolic link, refused"
			                   : strerror(errno));
		else
			jwt_seterr(err, errlen, "%s: no such file", path);
		return rc;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		jwt_seterr(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		jwt_seterr(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		rc = -EPERM;
		jwt_seterr(
		        err, errlen,
		        "%s: the JWT secret is accessible by group or others "
		        "(mode %04o); refusing it (chmod 600 %s)",
		        path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	while (n < sizeof(text) - 1) {
		ssize_t r = read(fd, text + n, sizeof(text) - 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			jwt_seterr(err, errlen, "%s: %s", path,
			           strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += r;
	}
	if (n >= JWT_MAX_FILE) {
		rc = -EFBIG;
		jwt_seterr(err, errlen, "%s: too large for a secret file",
		           path);
		goto out;
	}
	text[n] = '\0';
	if (strlen(text) != n) {
		rc = -EINVAL;
		jwt_seterr(err, errlen, "%s: contains a NUL byte", path);
		goto out;
	}
	s = text;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	                 e[-1] == '\r'))
		e--;
	/* Hex text (what we create) is the hex of the key; anything else,
	 * e.g. a Django SECRET_KEY, is the key itself. */
	if (jwt_is_hex(s, e - s)) {
		keylen = (e - s) / 2;
		if (keylen > buflen ||
		    sodium_hex2bin(buf, buflen, s, e - s, NULL, &keylen, NULL) <
		            0) {
			rc = -ENOSPC;
			jwt_seterr(err, errlen, "%s: key too long", path);
			goto out;
		}
	} else {
		keylen = e - s;
		if (keylen > buflen) {
			rc = -ENOSPC;
			jwt_seterr(err, errlen, "%s: key too long", path);
			goto out;
		}
		memcpy(buf, s, keylen);
	}
	if (keylen < JWT_MIN_KEY) {
		rc = -EINVAL;
		jwt_seterr(err, errlen,
		           "%s: key too short (%zu bytes, at least %d)", path,
		           keylen, JWT_MIN_KEY);
		goto out;
	}
	rc = (int)keylen;
out:
	sodium_memzero(text, sizeof(text));
	close(fd);
	return rc;
}

int ac_jwt_secret_load(const char *path, int create, unsigned char *buf,
                       size_t buflen, char *err, size_t errlen)
{
	int rc;

	if (!path || !*path || !buf || !buflen) {
		jwt_seterr(err, errlen, "no JWT secret file configured");
		return -EINVAL;
	}
	if (jwt_sodium_init() < 0) {
		jwt_seterr(err, errlen, "libsodium failed to initialise");
		return -EIO;
	}
	rc = jwt_secret_read(path, buf, buflen, err, errlen);
	if (rc != -ENOENT || !create)
		return rc;
	rc = jwt_secret_create(path, err, errlen);
	if (rc < 0 && rc != -EEXIST) /* EEXIST: somebody else created it */
		return rc;
	return jwt_secret_read(path, buf, buflen, err, errlen);
}
