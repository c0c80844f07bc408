/* HS256 JSON web tokens and the secret file. */
#include "jwt.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check_run.h"

/* The tests' shorthands over one key (kid "0"), on the core's
 * ac_jwt_mint_token and ac_jwt_check. */
static void jwt_one_key(struct ac_jwt_keys *keys, const unsigned char *secret,
                        size_t len)
{
	memset(keys, 0, sizeof(*keys));
	if (!secret || !len || len > AC_JWT_KEY_MAX)
		return;
	strcpy(keys->keys[0].kid, "0");
	memcpy(keys->keys[0].key, secret, len);
	keys->keys[0].len = len;
	keys->n = 1;
}

static char *ac_jwt_mint(const unsigned char *secret, size_t secret_len,
                         const char *user_id, int64_t now_s, int64_t ttl_s)
{
	struct ac_jwt_keys *keys = malloc(sizeof(*keys));
	char *tok;

	if (!keys)
		return NULL;
	jwt_one_key(keys, secret, secret_len);
	tok = ac_jwt_mint_token(keys, "access", user_id, NULL, NULL, now_s,
	                        ttl_s, NULL);
	ac_jwt_keys_wipe(keys);
	free(keys);
	return tok;
}

static int ac_jwt_verify(const unsigned char *secret, size_t secret_len,
                         const char *token, int64_t now_s, char **user_id,
                         char *err, size_t errlen)
{
	struct ac_jwt_keys *keys = malloc(sizeof(*keys));
	struct ac_jwt_claims c;
	int rc;

	*user_id = NULL;
	if (!keys)
		return -ENOMEM;
	jwt_one_key(keys, secret, secret_len);
	rc = ac_jwt_check(keys, token, now_s, "access", 1, &c, err, errlen);
	ac_jwt_keys_wipe(keys);
	free(keys);
	if (rc < 0)
		return rc;
	*user_id = strdup(c.user_id);
	return *user_id ? 0 : -ENOMEM;
}

static const unsigned char key[] = "0123456789abcdef0123456789abcdef";
#define KEYLEN (sizeof(key) - 1)
#define NOW    1700000000LL

static char *b64(const char *s)
{
	size_t cap = sodium_base64_ENCODED_LEN(
	        strlen(s), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = malloc(cap);

	ck_assert_ptr_nonnull(out);
	sodium_bin2base64(out, cap, (const unsigned char *)s, strlen(s),
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

/* A token with the given header and payload JSON, signed with key. */
static char *forge(const char *header, const char *payload)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	char *h = b64(header), *p = b64(payload), *sig, *tok;
	size_t n = strlen(h) + strlen(p) + 2;
	char *signing = malloc(n);

	ck_assert_ptr_nonnull(signing);
	snprintf(signing, n, "%s.%s", h, p);
	crypto_auth_hmacsha256_init(&st, key, KEYLEN);
	crypto_auth_hmacsha256_update(&st, (unsigned char *)signing,
	                              strlen(signing));
	crypto_auth_hmacsha256_final(&st, mac);
	sig = malloc(64);
	ck_assert_ptr_nonnull(sig);
	sodium_bin2base64(sig, 64, mac, sizeof(mac),
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	tok = malloc(strlen(signing) + strlen(sig) + 2);
	ck_assert_ptr_nonnull(tok);
	sprintf(tok, "%s.%s", signing, sig);
	free(h);
	free(p);
	free(sig);
	free(signing);
	return tok;
}

static int verify(const char *tok, char **user)
{
	char err[256];

	*user = NULL;
	return ac_jwt_verify(key, KEYLEN, tok, NOW, user, err, sizeof(err));
}

/* verify() of a token forged from HEADER and PAYLOAD. */
static int verify_forged(const char *header, const char *payload, char **user)
{
	char *tok = forge(header, payload);
	int ret = verify(tok, user);

	free(tok);
	return ret;
}

START_TEST(round_trip)
{
	char *tok = ac_jwt_mint(key, KEYLEN, "alice", NOW, 300);
	char *user = NULL, err[256] = "";
	char *tok2;

	ck_assert_ptr_nonnull(tok);
	ck_assert_int_eq(ac_jwt_verify(key, KEYLEN, tok, NOW + 299, &user, err,
	                               sizeof(err)),
	                 0);
	ck_assert_str_eq(user, "alice");
	free(user);
	/* Two tokens differ (jti). */
	tok2 = ac_jwt_mint(key, KEYLEN, "alice", NOW, 300);
	ck_assert_str_ne(tok, tok2);
	/* Another key refuses it. */
	ck_assert_int_eq(ac_jwt_verify((const unsigned char *)"another key of "
	                                                      "some length",
	                               26, tok, NOW, &user, err, sizeof(err)),
	                 -EKEYREJECTED);
	ck_assert_ptr_null(user);
	free(tok);
	free(tok2);
}
END_TEST

START_TEST(integer_user_id)
{
	char *tok = forge("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
	                  "{\"token_type\":\"access\",\"exp\":1800000000,"
	                  "\"iat\":1700000000,\"jti\":\"ab\",\"user_id\":42}");
	char *user;

	ck_assert_int_eq(verify(tok, &user), 0);
	ck_assert_str_eq(user, "42");
	free(user);
	free(tok);
}
END_TEST

START_TEST(tampered)
{
	char *tok = ac_jwt_mint(key, KEYLEN, "alice", NOW, 300);
	char *dot1 = strchr(tok, '.'), *dot2 = strrchr(tok, '.');
	char *user, *forged, *evil, *mixed;
	size_t n;

	/* A payload naming another user, with the original signature. */
	evil = b64("{\"token_type\":\"access\",\"exp\":1800000000,"
	           "\"iat\":1700000000,\"jti\":\"ab\",\"user_id\":\"root\"}");
	n = strlen(tok) + strlen(evil) + 4;
	mixed = malloc(n);
	ck_assert_ptr_nonnull(mixed);
	snprintf(mixed, n, "%.*s.%s%s", (int)(dot1 - tok), tok, evil, dot2);
	ck_assert_int_eq(verify(mixed, &user), -EKEYREJECTED);
	ck_assert_ptr_null(user);

	/* One character of the signature changed. */
	forged = strdup(tok);
	n = strlen(forged);
	forged[n - 2] = forged[n - 2] == 'A' ? 'B' : 'A';
	ck_assert_int_lt(verify(forged, &user), 0);
	ck_assert_ptr_null(user);
	/* One character of the payload changed. */
	strcpy(forged, tok);
	forged[dot1 - tok + 3] ^= 1;
	ck_assert_int_lt(verify(forged, &user), 0);
	/* Signature removed. */
	strcpy(forged, tok);
	forged[dot2 - tok + 1] = '\0';
	ck_assert_int_lt(verify(forged, &user), 0);
	free(forged);
	free(mixed);
	free(evil);
	free(tok);
}
END_TEST

START_TEST(alg_none)
{
	static const char *const payload =
	        "{\"token_type\":\"access\",\"exp\":1800000000,\"iat\":"
	        "1700000000,"
	        "\"jti\":\"ab\",\"user_id\":\"alice\"}";
	char *h = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
	char *p = b64(payload), *tok, *user;

	tok = malloc(strlen(h) + strlen(p) + 3);
	ck_assert_ptr_nonnull(tok);
	/* Unsigned, as alg none asks. */
	sprintf(tok, "%s.%s.", h, p);
	ck_assert_int_lt(verify(tok, &user), 0);
	ck_assert_ptr_null(user);
	free(tok);
	/* Even correctly HMAC-signed, "none" is refused. */
	ck_assert_int_eq(verify_forged("{\"alg\":\"none\",\"typ\":\"JWT\"}",
	                               payload, &user),
	                 -EKEYREJECTED);
	ck_assert_int_eq(verify_forged("{\"alg\":\"HS512\",\"typ\":\"JWT\"}",
	                               payload, &user),
	                 -EKEYREJECTED);
	ck_assert_int_eq(verify_forged("{\"alg\":\"hs256\"}", payload, &user),
	                 -EKEYREJECTED);
	ck_assert_int_eq(verify_forged("{\"typ\":\"JWT\"}", payload, &user),
	                 -EKEYREJECTED);
	/* The same payload with the right algorithm passes. */
	tok = forge("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload);
	ck_assert_int_eq(verify(tok, &user), 0);
	free(user);
	free(tok);
	free(h);
	free(p);
}
END_TEST

START_TEST(expired)
{
	char *tok = ac_jwt_mint(key, KEYLEN, "alice", NOW - 600, 300);
	char *user, err[256] = "";

	ck_assert_int_eq(
	        ac_jwt_verify(key, KEYLEN, tok, NOW, &user, err, sizeof(err)),
	        -EKEYEXPIRED);
	ck_assert_ptr_null(user);
	ck_assert_ptr_nonnull(strstr(err, "expired"));
	free(tok);
	/* Exactly at exp is expired. */
	tok = ac_jwt_mint(key, KEYLEN, "alice", NOW - 300, 300);
	ck_assert_int_eq(verify(tok, &user), -EKEYEXPIRED);
	free(tok);
	/* No exp at all. */
	ck_assert_int_lt(verify_forged("{\"alg\":\"HS256\"}",
	                               "{\"token_type\":\"access\","
	                               "\"user_id\":\"alice\"}",
	                               &user),
	                 0);
	ck_assert_int_lt(verify_forged("{\"alg\":\"HS256\"}",
	                               "{\"token_type\":\"access\","
	                               "\"exp\":\"never\","
	                               "\"user_id\":\"alice\"}",
	                               &user),
	                 0);
}
END_TEST

START_TEST(refresh_refused)
{
	char *user;
	char *tok = forge("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
	                  "{\"token_type\":\"refresh\",\"exp\":1800000000,"
	                  "\"iat\":1700000000,\"jti\":\"ab\","
	                  "\"user_id\":\"alice\"}");

	ck_assert_int_eq(verify(tok, &user), -EKEYREJECTED);
	ck_assert_ptr_null(user);
	free(tok);
	ck_assert_int_eq(verify_forged("{\"alg\":\"HS256\"}",
	                               "{\"exp\":1800000000,"
	                               "\"user_id\":\"alice\"}",
	                               &user),
	                 -EKEYREJECTED);
	/* No user. */
	ck_assert_int_lt(verify_forged("{\"alg\":\"HS256\"}",
	                               "{\"token_type\":\"access\","
	                               "\"exp\":1800000000}",
	                               &user),
	                 0);
	ck_assert_int_lt(verify_forged("{\"alg\":\"HS256\"}",
	                               "{\"token_type\":\"access\","
	                               "\"exp\":1800000000,"
	                               "\"user_id\":\"a\\nb\"}",
	                               &user),
	                 0);
}
END_TEST

START_TEST(garbage)
{
	static const char *const bad[] = {
	        "",
	        ".",
	        "..",
	        "a.b",
	        "a.b.c.d",
	        "abc",
	        "eyJhbGciOiJIUzI1NiJ9..",
	        "!!!.???.***",
	        "eyJhbGciOiJIUzI1NiJ9.e30.=",
	        "eyJhbGciOiJIUzI1NiJ9 .e30.AAAA",
	        "e30.e30.AAAA",                  /* {} header */
	        "bnVsbA.e30.AAAA",               /* null header */
	        "W10.e30.AAAA",                  /* [] header */
	        "eyJhbGciOiJIUzI1NiJ9.e30.AAAA", /* short signature */
	};
	char *user, *big, *tok, *padded;
	size_t n;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(verify(bad[i], &user) < 0, "accepted \"%s\"",
		              bad[i]);
		ck_assert_ptr_null(user);
	}
	ck_assert_int_eq(ac_jwt_verify(key, KEYLEN, NULL, NOW, &user, NULL, 0),
	                 -EINVAL);
	/* Oversized. */
	big = malloc(100001);
	ck_assert_ptr_nonnull(big);
	memset(big, 'A', 100000);
	big[100000] = '\0';
	big[30] = '.';
	big[60] = '.';
	ck_assert_int_eq(verify(big, &user), -EINVAL);
	free(big);
	/* Padding or whitespace in a valid token is refused. */
	tok = ac_jwt_mint(key, KEYLEN, "alice", NOW, 300);
	n = strlen(tok);
	padded = malloc(n + 3);
	ck_assert_ptr_nonnull(padded);
	sprintf(padded, "%s==", tok);
	ck_assert_int_lt(verify(padded, &user), 0);
	sprintf(padded, "%s\n", tok);
	ck_assert_int_lt(verify(padded, &user), 0);
	sprintf(padded, " %s", tok);
	ck_assert_int_lt(verify(padded, &user), 0);
	free(padded);
	free(tok);
	/* Minting refuses nonsense. */
	ck_assert_ptr_null(ac_jwt_mint(key, KEYLEN, "", NOW, 300));
	ck_assert_ptr_null(ac_jwt_mint(key, KEYLEN, "alice", NOW, 0));
	ck_assert_ptr_null(ac_jwt_mint(key, 0, "alice", NOW, 300));
}
END_TEST

static char tmpdir[64];

static void mk_tmp(void)
{
	ac_check_mkdtemp(tmpdir, sizeof(tmpdir), "/tmp", "check_jwt.XXXXXX");
}

static void rm_tmp(void)
{
	ac_check_rmtree(tmpdir);
}

/* Load path into keys; returns the rc. */
static int load(const char *path, int create, struct ac_jwt_keys *keys,
                char *err, size_t errlen)
{
	return ac_jwt_keys_load(path, create, keys, err, errlen);
}

START_TEST(secret_file)
{
	struct ac_jwt_keys a, b;
	char path[256], dir[160], err[256] = "";
	struct ac_jwt_claims c;
	struct stat st;
	int n;
	char *tok;

	mk_tmp();
	snprintf(dir, sizeof(dir), "%s/state/sub", tmpdir);
	snprintf(path, sizeof(path), "%s/jwt.secret", dir);
	/* Absent, not created. */
	ck_assert_int_eq(load(path, 0, &a, err, sizeof(err)), -ENOENT);
	n = load(path, 1, &a, err, sizeof(err));
	ck_assert_msg(n == 0, "%d: %s", n, err);
	ck_assert_uint_eq(a.n, 1);
	ck_assert_str_eq(a.keys[0].kid, "0");
	ck_assert_uint_eq(a.keys[0].len, AC_JWT_SECRET_LEN);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(st.st_size, AC_JWT_SECRET_LEN * 2 + 1);
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0700);
	/* Reused, not regenerated. */
	ck_assert_int_eq(load(path, 1, &b, err, sizeof(err)), 0);
	ck_assert_int_eq(memcmp(a.keys[0].key, b.keys[0].key, a.keys[0].len),
	                 0);
	/* A token minted with one load verifies with the other. */
	tok = ac_jwt_mint_token(&a, "access", "bob", NULL, NULL, NOW, 60, NULL);
	ck_assert_int_eq(
	        ac_jwt_check(&b, tok, NOW, "access", 1, &c, err, sizeof(err)),
	        0);
	ck_assert_str_eq(c.user_id, "bob");
	ck_assert_str_eq(c.username, "bob");
	ck_assert_str_eq(c.email, "");
	free(tok);
	ac_jwt_keys_wipe(&a);
	ck_assert_uint_eq(a.n, 0);
	rm_tmp();
}
END_TEST

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

START_TEST(secret_file_checks)
{
	struct ac_jwt_keys k;
	char path[160], link_path[160], err[256] = "";
	int n;

	mk_tmp();
	snprintf(path, sizeof(path), "%s/secret", tmpdir);
	/* Group readable: refused with a clear message, not rewritten. */
	write_file(path, "00112233445566778899aabbccddeeff\n", 0640);
	n = load(path, 1, &k, err, sizeof(err));
	ck_assert_int_eq(n, -EPERM);
	ck_assert_msg(strstr(err, "group or others") != NULL, "%s", err);
	/* Other readable too. */
	write_file(path, "00112233445566778899aabbccddeeff\n", 0604);
	ck_assert_int_eq(load(path, 1, &k, err, sizeof(err)), -EPERM);
	/* 0600: hex is decoded, whitespace trimmed. */
	write_file(path, "  00112233445566778899aabbccddeeff \n\n", 0600);
	n = load(path, 1, &k, err, sizeof(err));
	ck_assert_msg(n == 0, "%d %s", n, err);
	ck_assert_uint_eq(k.keys[0].len, 16);
	ck_assert_int_eq(k.keys[0].key[0], 0x00);
	ck_assert_int_eq(k.keys[0].key[15], 0xff);
	/* Not hex: the text itself is the key (a Django SECRET_KEY). */
	write_file(path, "django-insecure-k#3!x_secret-key\n", 0600);
	ck_assert_int_eq(load(path, 1, &k, err, sizeof(err)), 0);
	ck_assert_uint_eq(k.keys[0].len, 32);
	ck_assert_int_eq(
	        memcmp(k.keys[0].key, "django-insecure-k#3!x_secret-key", 32),
	        0);
	/* Too short, empty. */
	write_file(path, "abcd\n", 0600);
	ck_assert_int_lt(load(path, 1, &k, err, sizeof(err)), 0);
	write_file(path, "\n", 0600);
	ck_assert_int_lt(load(path, 1, &k, err, sizeof(err)), 0);
	/* A symbolic link is refused. */
	write_file(path, "00112233445566778899aabbccddeeff\n", 0600);
	snprintf(link_path, sizeof(link_path), "%s/link", tmpdir);
	ck_assert_int_eq(symlink(path, link_path), 0);
	ck_assert_int_lt(load(link_path, 1, &k, err, sizeof(err)), 0);
	/* A directory is refused. */
	ck_assert_int_lt(load(tmpdir, 1, &k, err, sizeof(err)), 0);
	rm_tmp();
}
END_TEST

static int parse(const char *text, struct ac_jwt_keys *k)
{
	char err[256];

	return ac_jwt_keys_parse(text, strlen(text), k, err, sizeof(err));
}

/* Several keys: the first signs, every one verifies its kid. */
START_TEST(key_rotation)
{
	struct ac_jwt_keys old, both, newonly, k;
	struct ac_jwt_claims c;
	char err[256], *t_old, *t_new, *t_legacy;

	ck_assert_int_eq(parse("00112233445566778899aabbccddeeff\n", &old), 0);
	ck_assert_int_eq(parse("# rotated 2026-01-01\n"
	                       "k2 ffeeddccbbaa99887766554433221100\n"
	                       "\n"
	                       "0 00112233445566778899aabbccddeeff\n",
	                       &both),
	                 0);
	ck_assert_uint_eq(both.n, 2);
	ck_assert_str_eq(both.keys[0].kid, "k2");
	ck_assert_int_eq(
	        parse("k2 ffeeddccbbaa99887766554433221100\n", &newonly), 0);
	t_old = ac_jwt_mint_token(&old, "access", "u1", NULL, NULL, NOW, 60,
	                          NULL);
	t_new = ac_jwt_mint_token(&both, "access", "u1", "alice", "a@b.c", NOW,
	                          60, NULL);
	/* Old tokens (kid "0") still verify after the rotation ... */
	ck_assert_int_eq(ac_jwt_check(&both, t_old, NOW, "access", 1, &c, err,
	                              sizeof(err)),
	                 0);
	/* ... new ones are signed with k2 and carry its kid. */
	ck_assert_int_eq(ac_jwt_check(&newonly, t_new, NOW, "access", 1, &c,
	                              err, sizeof(err)),
	                 0);
	ck_assert_str_eq(c.username, "alice");
	ck_assert_str_eq(c.email, "a@b.c");
	ck_assert_int_eq(c.exp, NOW + 60);
	ck_assert_int_eq(c.iat, NOW);
	ck_assert_uint_eq(strlen(c.jti), 32);
	/* Once the old key is dropped, its tokens are refused. */
	ck_assert_int_eq(ac_jwt_check(&newonly, t_old, NOW, "access", 1, &c,
	                              err, sizeof(err)),
	                 -EKEYREJECTED);
	ck_assert_msg(strstr(err, "key id") != NULL, "%s", err);
	/* The old key alone does not verify the new token. */
	ck_assert_int_lt(ac_jwt_check(&old, t_new, NOW, "access", 1, &c, err,
	                              sizeof(err)),
	                 0);
	/* A token without kid (minted before key ids) maps to kid "0". */
	t_legacy = forge("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
	                 "{\"token_type\":\"access\",\"exp\":1700000100,"
	                 "\"jti\":\"x\",\"user_id\":\"u\"}");
	ck_assert_int_eq(parse("k2 ffeeddccbbaa99887766554433221100\n"
	                       "0 30313233343536373839616263646566"
	                       "30313233343536373839616263646566\n",
	                       &k),
	                 0);
	ck_assert_int_eq(ac_jwt_check(&k, t_legacy, NOW, "access", 1, &c, err,
	                              sizeof(err)),
	                 0);
	free(t_old);
	free(t_new);
	free(t_legacy);
	/* Malformed files. */
	ck_assert_int_lt(parse("a 00112233445566778899aabbccddeeff\n"
	                       "a 00112233445566778899aabbccddeeff\n",
	                       &k),
	                 0); /* repeated kid */
	ck_assert_int_lt(parse("00112233445566778899aabbccddeeff\n"
	                       "a 00112233445566778899aabbccddeeff\n",
	                       &k),
	                 0); /* mixed formats */
	ck_assert_int_lt(parse("a/b 00112233445566778899aabbccddeeff\n", &k),
	                 0); /* bad kid */
	ck_assert_int_lt(parse("a 0011 2233\n", &k), 0);
	ck_assert_int_lt(parse("# only a comment\n", &k), 0);
	ck_assert_int_lt(parse("a 0011\n", &k), 0); /* short key */
}
END_TEST

/* Token types: refresh tokens are not access tokens and vice versa. */
START_TEST(token_types)
{
	struct ac_jwt_keys k;
	struct ac_jwt_claims c;
	char err[256], *r;

	ck_assert_int_eq(parse("00112233445566778899aabbccddeeff\n", &k), 0);
	r = ac_jwt_mint_token(&k, "refresh", "u1", "alice", "", NOW, 60, &c);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(c.type, "refresh");
	ck_assert_int_eq(
	        ac_jwt_check(&k, r, NOW, "access", 1, &c, err, sizeof(err)),
	        -EKEYREJECTED);
	ck_assert_int_eq(
	        ac_jwt_check(&k, r, NOW, "refresh", 1, &c, err, sizeof(err)),
	        0);
	ck_assert_int_eq(
	        ac_jwt_check(&k, r, NOW, NULL, 1, &c, err, sizeof(err)), 0);
	/* Expired, but check_exp 0 (revocation) still reads it. */
	ck_assert_int_eq(ac_jwt_check(&k, r, NOW + 61, "refresh", 1, &c, err,
	                              sizeof(err)),
	                 -EKEYEXPIRED);
	ck_assert_int_eq(ac_jwt_check(&k, r, NOW + 61, "refresh", 0, &c, err,
	                              sizeof(err)),
	                 0);
	free(r);
	/* Deep nesting in a part is refused before parsing. */
	r = forge("{\"alg\":\"HS256\",\"x\":[[[[[[[[1]]]]]]]]}",
	          "{\"token_type\":\"access\",\"exp\":1700000100,"
	          "\"user_id\":\"u\"}");
	ck_assert_int_lt(verify(r, &(char *){NULL}), 0);
	free(r);
}
END_TEST

static Suite *jwt_suite(void)
{
	return AC_SUITE("jwt", "core", 0, round_trip, integer_user_id, tampered,
	                alg_none, expired, refresh_refused, garbage,
	                secret_file, secret_file_checks, key_rotation,
	                token_types);
}

int main(void)
{
	if (sodium_init() < 0)
		return 99;
	return ac_check_run(jwt_suite());
}
