/* HS256 JSON Web Tokens (RFC 7519), compatible with Django REST framework
 * simplejwt access tokens, and the secret file they are signed with. */
#include "jwt.h"
#include "util.h"

#include <algocode/plugin.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Longer tokens are refused before any decoding. */
#define JWT_MAX_TOKEN 8192
/* Secret files are small; a larger one is not a secret file. */
#define JWT_MAX_FILE 4096
/* Shortest key accepted, in bytes. */
#define JWT_MIN_KEY 16

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

/* Printable: no control characters. */
static bool jwt_claim_ok(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/* A string claim into out (bounded, printable); absent: "". */
static int jwt_str_claim(json_t *claims, const char *name, char *out,
                         size_t outlen)
{
	json_t *v = json_object_get(claims, name);
	const char *s;

	out[0] = '\0';
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -EINVAL;
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v) || strlen(s) >= outlen ||
	    !jwt_claim_ok(s))
		return -EINVAL;
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

char *ac_jwt_mint_token(const struct ac_jwt_keys *keys, const char *type,
                        const char *user_id, const char *username,
                        const char *email, int64_t now_s, int64_t ttl_s,
                        struct ac_jwt_claims *out)
{
	unsigned char jti_bin[16], mac[crypto_auth_hmacsha256_BYTES];
	char jti[sizeof(jti_bin) * 2 + 1];
	char *hdr = NULL, *pl = NULL, *sig = NULL, *payload = NULL;
	char *signing = NULL, *token = NULL, *hjson = NULL;
	json_t *claims = NULL, *header = NULL;
	const struct ac_jwt_key *k;
	size_t n;

	if (!keys || !keys->n || !type || !user_id || !*user_id || ttl_s <= 0 ||
	    jwt_sodium_init() < 0)
		return NULL;
	if (!username)
		username = user_id;
	if (!email)
		email = "";
	if (strlen(user_id) > AC_JWT_MAX_CLAIM ||
	    strlen(username) > AC_JWT_MAX_CLAIM ||
	    strlen(email) > AC_JWT_MAX_CLAIM)
		return NULL;
	k = &keys->keys[0];
	randombytes_buf(jti_bin, sizeof(jti_bin));
	sodium_bin2hex(jti, sizeof(jti), jti_bin, sizeof(jti_bin));
	header = json_pack("{s:s, s:s, s:s}", "alg", "HS256", "typ", "JWT",
	                   "kid", k->kid);
	claims = json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:s}", "token_type",
	                   type, "exp", (json_int_t)(now_s + ttl_s), "iat",
	                   (json_int_t)now_s, "jti", jti, "user_id", user_id,
	                   "username", username, "email", email);
	if (!claims || !header)
		goto out;
	payload = json_dumps(claims, JSON_COMPACT | JSON_PRESERVE_ORDER);
	hjson = json_dumps(header, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!payload || !hjson)
		goto out;
	hdr = jwt_b64_encode((const unsigned char *)hjson, strlen(hjson));
	pl = jwt_b64_encode((const unsigned char *)payload, strlen(payload));
	if (!hdr || !pl)
		goto out;
	n = strlen(hdr) + 1 + strlen(pl);
	signing = malloc(n + 1);
	if (!signing)
		goto out;
	snprintf(signing, n + 1, "%s.%s", hdr, pl);
	jwt_hmac(k->key, k->len, signing, n, mac);
	sig = jwt_b64_encode(mac, sizeof(mac));
	if (!sig)
		goto out;
	token = malloc(n + 1 + strlen(sig) + 1);
	if (token)
		sprintf(token, "%s.%s", signing, sig);
	if (token && out) {
		memset(out, 0, sizeof(*out));
		snprintf(out->type, sizeof(out->type), "%s", type);
		snprintf(out->user_id, sizeof(out->user_id), "%s", user_id);
		snprintf(out->username, sizeof(out->username), "%s", username);
		snprintf(out->email, sizeof(out->email), "%s", email);
		snprintf(out->jti, sizeof(out->jti), "%s", jti);
		out->iat = now_s;
		out->exp = now_s + ttl_s;
	}
out:
	json_decref(claims);
	json_decref(header);
	free(payload);
	free(hjson);
	free(hdr);
	free(pl);
	free(sig);
	free(signing);
	return token;
}

/* Decode a base64url part holding a JSON object (no deeper than 4). */
static int jwt_part_json(const char *s, size_t len, json_t **out)
{
	unsigned char *bin = NULL;
	size_t n = 0;
	int rc, depth = 0;
	bool in_str = false;

	*out = NULL;
	rc = jwt_b64_decode(s, len, &bin, &n);
	if (rc < 0)
		return rc;
	/* jansson has no depth limit: refuse deep nesting first. */
	for (size_t i = 0; i < n; i++) {
		if (in_str) {
			if (bin[i] == '\\')
				i++;
			else if (bin[i] == '"')
				in_str = false;
		} else if (bin[i] == '"') {
			in_str = true;
		} else if (bin[i] == '{' || bin[i] == '[') {
			if (++depth > 4) {
				free(bin);
				return -EINVAL;
			}
		} else if (bin[i] == '}' || bin[i] == ']') {
			depth--;
		}
	}
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
static int jwt_user_id(json_t *v, char *out, size_t outlen)
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
	if (!*s || strlen(s) >= outlen || !jwt_claim_ok(s))
		return -EINVAL;
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

static const struct ac_jwt_key *jwt_find_key(const struct ac_jwt_keys *keys,
                                             const char *kid)
{
	for (size_t i = 0; i < keys->n; i++)
		if (strcmp(keys->keys[i].kid, kid ? kid : "0") == 0)
			return &keys->keys[i];
	return kid ? NULL : &keys->keys[0];
}

int ac_jwt_check(const struct ac_jwt_keys *keys, const char *token,
                 int64_t now_s, const char *want_type, int check_exp,
                 struct ac_jwt_claims *c, char *err, size_t errlen)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	unsigned char *sig = NULL;
	const char *dot1, *dot2, *alg;
	const struct ac_jwt_key *k;
	json_t *hdr = NULL, *claims = NULL, *v, *kid;
	size_t len, siglen = 0;
	int rc;

	memset(c, 0, sizeof(*c));
	if (jwt_sodium_init() < 0) {
		ac_seterr(err, errlen, "libsodium failed to initialise");
		return -EIO;
	}
	if (!keys || !keys->n) {
		ac_seterr(err, errlen, "no signing key");
		return -EINVAL;
	}
	if (!token || !*token) {
		ac_seterr(err, errlen, "empty token");
		return -EINVAL;
	}
	len = strnlen(token, JWT_MAX_TOKEN + 1);
	if (len > JWT_MAX_TOKEN) {
		ac_seterr(err, errlen, "token too long");
		return -EINVAL;
	}
	dot1 = memchr(token, '.', len);
	dot2 = dot1 ? memchr(dot1 + 1, '.', len - (dot1 + 1 - token)) : NULL;
	if (!dot1 || !dot2 || memchr(dot2 + 1, '.', len - (dot2 + 1 - token)) ||
	    dot1 == token || dot2 == dot1 + 1 || dot2 + 1 == token + len) {
		ac_seterr(err, errlen, "not a JSON web token");
		return -EINVAL;
	}

	rc = jwt_part_json(token, dot1 - token, &hdr);
	if (rc < 0) {
		ac_seterr(err, errlen, "malformed token header");
		goto out;
	}
	/* Only HS256: never "none", never another algorithm whatever the
	 * header says (algorithm confusion). */
	alg = json_string_value(json_object_get(hdr, "alg"));
	if (!alg || strcmp(alg, "HS256") != 0) {
		ac_seterr(err, errlen, "unsupported algorithm \"%.16s\"",
		          alg ? alg : "");
		rc = -EKEYREJECTED;
		goto out;
	}
	if (json_object_get(hdr, "crit")) {
		ac_seterr(err, errlen, "critical header extensions refused");
		rc = -EKEYREJECTED;
		goto out;
	}
	kid = json_object_get(hdr, "kid");
	if (kid && !json_is_string(kid)) {
		ac_seterr(err, errlen, "malformed key id");
		rc = -EINVAL;
		goto out;
	}
	k = jwt_find_key(keys, kid ? json_string_value(kid) : NULL);
	if (!k) {
		ac_seterr(err, errlen, "unknown key id");
		rc = -EKEYREJECTED;
		goto out;
	}

	rc = jwt_b64_decode(dot2 + 1, len - (dot2 + 1 - token), &sig, &siglen);
	if (rc < 0 || siglen != sizeof(mac)) {
		ac_seterr(err, errlen, "malformed signature");
		rc = -EINVAL;
		goto out;
	}
	jwt_hmac(k->key, k->len, token, dot2 - token, mac);
	if (sodium_memcmp(mac, sig, sizeof(mac)) != 0) {
		ac_seterr(err, errlen, "signature mismatch");
		rc = -EKEYREJECTED;
		goto out;
	}

	rc = jwt_part_json(dot1 + 1, dot2 - (dot1 + 1), &claims);
	if (rc < 0) {
		ac_seterr(err, errlen, "malformed token payload");
		goto out;
	}
	v = json_object_get(claims, "exp");
	if (!json_is_number(v)) {
		ac_seterr(err, errlen, "token has no expiry");
		rc = -EINVAL;
		goto out;
	}
	if (check_exp && json_number_value(v) <= (double)now_s) {
		ac_seterr(err, errlen, "token is expired");
		rc = -EKEYEXPIRED;
		goto out;
	}
	c->exp = (int64_t)json_number_value(v);
	v = json_object_get(claims, "iat");
	c->iat = json_is_number(v) ? (int64_t)json_number_value(v) : 0;
	v = json_object_get(claims, "nbf");
	if (v && (!json_is_number(v) || json_number_value(v) > (double)now_s)) {
		ac_seterr(err, errlen, "token is not yet valid");
		rc = -EKEYREJECTED;
		goto out;
	}
	if (jwt_str_claim(claims, "token_type", c->type, sizeof(c->type)) < 0 ||
	    (strcmp(c->type, "access") != 0 &&
	     strcmp(c->type, "refresh") != 0) ||
	    (want_type && strcmp(c->type, want_type) != 0)) {
		ac_seterr(err, errlen, "token has wrong type");
		rc = -EKEYREJECTED;
		goto out;
	}
	if (jwt_user_id(json_object_get(claims, "user_id"), c->user_id,
	                sizeof(c->user_id)) < 0) {
		ac_seterr(err, errlen,
		          "token contained no recognizable user "
		          "identification");
		rc = -EINVAL;
		goto out;
	}
	if (jwt_str_claim(claims, "jti", c->jti, sizeof(c->jti)) < 0 ||
	    jwt_str_claim(claims, "username", c->username,
	                  sizeof(c->username)) < 0 ||
	    jwt_str_claim(claims, "email", c->email, sizeof(c->email)) < 0) {
		ac_seterr(err, errlen, "malformed claims");
		rc = -EINVAL;
		goto out;
	}
	if (!strcmp(c->type, "refresh") && !c->jti[0]) {
		ac_seterr(err, errlen, "refresh token without jti");
		rc = -EINVAL;
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		memset(c, 0, sizeof(*c));
	json_decref(hdr);
	json_decref(claims);
	free(sig);
	return rc;
}

void ac_jwt_keys_wipe(struct ac_jwt_keys *keys)
{
	if (keys)
		sodium_memzero(keys, sizeof(*keys));
}

/* ------------------------------------------------------------------ */
/* Secret file                                                           */

/* mkdir -p of path's parent directories, mode 0700. */
static int jwt_mkparents(const char *path, char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	int rc = ac_mkdir_parents(path, 0700);

	if (rc < 0 && slash)
		ac_seterr(err, errlen, "%.*s: cannot create directory: %s",
		          (int)(slash - path), path, strerror(-rc));
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
		ac_seterr(err, errlen, "%s: cannot create: %s", tmp,
		          strerror(errno));
		goto out;
	}
	if (fchmod(fd, 0600) < 0 ||
	    write(fd, hex, strlen(hex)) != (ssize_t)strlen(hex) ||
	    fsync(fd) < 0) {
		rc = errno ? -errno : -EIO;
		ac_seterr(err, errlen, "%s: cannot write: %s", tmp,
		          strerror(-rc));
		goto out;
	}
	if (link(tmp, path) < 0) {
		rc = -errno;
		if (rc != -EEXIST)
			ac_seterr(err, errlen, "%s: cannot create: %s", path,
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

static bool jwt_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* key text s[0..n): hex decoded, or the bytes themselves. */
static int jwt_key_set(struct ac_jwt_key *k, const char *s, size_t n,
                       unsigned lineno, char *err, size_t errlen)
{
	size_t keylen = 0;

	if (jwt_is_hex(s, n)) {
		if (n / 2 > sizeof(k->key) ||
		    sodium_hex2bin(k->key, sizeof(k->key), s, n, NULL, &keylen,
		                   NULL) < 0) {
			ac_seterr(err, errlen, "line %u: key too long", lineno);
			return -EINVAL;
		}
	} else {
		if (n > sizeof(k->key)) {
			ac_seterr(err, errlen, "line %u: key too long", lineno);
			return -EINVAL;
		}
		memcpy(k->key, s, n);
		keylen = n;
	}
	if (keylen < JWT_MIN_KEY) {
		ac_seterr(err, errlen,
		          "line %u: key too short (%zu bytes, at least %d)",
		          lineno, keylen, JWT_MIN_KEY);
		return -EINVAL;
	}
	k->len = keylen;
	return 0;
}

int ac_jwt_keys_parse(const char *text, size_t len, struct ac_jwt_keys *keys,
                      char *err, size_t errlen)
{
	const char *p = text, *end = text + len;
	unsigned lineno = 0, nlines = 0;
	bool legacy = false;
	int rc = 0;

	memset(keys, 0, sizeof(*keys));
	if (memchr(text, '\0', len)) {
		ac_seterr(err, errlen, "contains a NUL byte");
		return -EINVAL;
	}
	/* Count the meaningful lines first: one line of one word is the
	 * legacy format. */
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		const char *le = nl ? nl : end, *a = p, *b = le, *sp;

		lineno++;
		p = nl ? nl + 1 : end;
		while (a < b && jwt_space(*a))
			a++;
		while (b > a && jwt_space(b[-1]))
			b--;
		if (a == b || *a == '#')
			continue;
		nlines++;
		sp = a;
		while (sp < b && !jwt_space(*sp))
			sp++;
		if (sp == b) {
			/* One word: only valid as the whole file. */
			if (keys->n) {
				ac_seterr(err, errlen,
				          "line %u: expected \"KID KEY\"",
				          lineno);
				rc = -EINVAL;
				goto out;
			}
			strcpy(keys->keys[0].kid, "0");
			rc = jwt_key_set(&keys->keys[0], a, b - a, lineno, err,
			                 errlen);
			if (rc < 0)
				goto out;
			keys->n = 1;
			legacy = true;
			continue;
		}
		if (legacy) {
			ac_seterr(err, errlen,
			          "line %u: mixes \"KEY\" and \"KID KEY\" "
			          "lines",
			          lineno);
			rc = -EINVAL;
			goto out;
		}
		if (keys->n == AC_JWT_MAX_KEYS) {
			ac_seterr(err, errlen, "more than %d keys",
			          AC_JWT_MAX_KEYS);
			rc = -EINVAL;
			goto out;
		}
		if (!ac_id_chars_ok(a, (size_t)(sp - a), AC_JWT_KID_MAX)) {
			ac_seterr(err, errlen,
			          "line %u: bad key id (1 to %d of "
			          "A-Z a-z 0-9 . _ -)",
			          lineno, AC_JWT_KID_MAX);
			rc = -EINVAL;
			goto out;
		}
		memcpy(keys->keys[keys->n].kid, a, sp - a);
		keys->keys[keys->n].kid[sp - a] = '\0';
		while (sp < b && jwt_space(*sp))
			sp++;
		for (const char *q = sp; q < b; q++)
			if (jwt_space(*q)) {
				ac_seterr(err, errlen,
				          "line %u: expected \"KID KEY\"",
				          lineno);
				rc = -EINVAL;
				goto out;
			}
		for (size_t i = 0; i < keys->n; i++)
			if (!strcmp(keys->keys[i].kid,
			            keys->keys[keys->n].kid)) {
				ac_seterr(err, errlen,
				          "line %u: key id \"%s\" repeated",
				          lineno, keys->keys[i].kid);
				rc = -EINVAL;
				goto out;
			}
		rc = jwt_key_set(&keys->keys[keys->n], sp, b - sp, lineno, err,
		                 errlen);
		if (rc < 0)
			goto out;
		keys->n++;
	}
	if (!keys->n) {
		ac_seterr(err, errlen, "no key");
		rc = -EINVAL;
	}
out:
	if (rc < 0)
		ac_jwt_keys_wipe(keys);
	return rc;
}

/* Read and check an existing key file.  -ENOENT when absent. */
static int jwt_keys_read(const char *path, struct ac_jwt_keys *keys, char *err,
                         size_t errlen)
{
	char text[JWT_MAX_FILE + 1], e[256];
	struct stat st;
	ssize_t got;
	size_t n = 0;
	int fd, rc;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		rc = -errno;
		if (rc != -ENOENT)
			ac_seterr(err, errlen, "%s: %s", path,
			          errno == ELOOP ? "is a symbolic link, refused"
			                         : strerror(errno));
		else
			ac_seterr(err, errlen, "%s: no such file", path);
		return rc;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		ac_seterr(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		ac_seterr(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		rc = -EPERM;
		ac_seterr(err, errlen,
		          "%s: the JWT secret is accessible by group or others "
		          "(mode %04o); refusing it (chmod 600 %s)",
		          path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	got = ac_read_bounded(fd, text, sizeof(text) - 1);
	if (got < 0) {
		rc = (int)got;
		ac_seterr(err, errlen, "%s: %s", path, strerror(-rc));
		goto out;
	}
	n = (size_t)got;
	if (n >= JWT_MAX_FILE) {
		rc = -EFBIG;
		ac_seterr(err, errlen, "%s: too large for a secret file", path);
		goto out;
	}
	text[n] = '\0';
	rc = ac_jwt_keys_parse(text, n, keys, e, sizeof(e));
	if (rc < 0)
		ac_seterr(err, errlen, "%s: %s", path, e);
out:
	sodium_memzero(text, sizeof(text));
	close(fd);
	return rc;
}

int ac_jwt_keys_load(const char *path, int create, struct ac_jwt_keys *keys,
                     char *err, size_t errlen)
{
	int rc;

	if (!path || !*path || !keys) {
		ac_seterr(err, errlen, "no JWT secret file configured");
		return -EINVAL;
	}
	memset(keys, 0, sizeof(*keys));
	if (jwt_sodium_init() < 0) {
		ac_seterr(err, errlen, "libsodium failed to initialise");
		return -EIO;
	}
	rc = jwt_keys_read(path, keys, err, errlen);
	if (rc != -ENOENT || !create)
		return rc;
	rc = jwt_secret_create(path, err, errlen);
	if (rc < 0 && rc != -EEXIST) /* EEXIST: somebody else created it */
		return rc;
	return jwt_keys_read(path, keys, err, errlen);
}
