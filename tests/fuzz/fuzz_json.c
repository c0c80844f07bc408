/* libFuzzer target: JSON request bodies and the strings inside them.
 * Feeds the input to the body parser (nesting pre-scan, jansson), the
 * registration rules, the input checks, the Authorization header parser,
 * the token verifier, the key file parser and the progress message
 * decoder (a queue message: untrusted too). */
#include "auth.h"
#include "http.h"
#include "jwt.h"
#include "msg.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ac_jwt_keys keys;
	static int init;
	struct ac_jwt_claims c;
	char err[256], msg[256], *s;
	const char *tok;
	size_t toklen;
	json_t *body, *errors = NULL;

	if (!init) {
		static const char k[] = "0 00112233445566778899aabbccddeeff\n"
		                        "k2 ffeeddccbbaa99887766554433221100\n";

		if (ac_jwt_keys_parse(k, sizeof(k) - 1, &keys, err,
		                      sizeof(err)) < 0)
			abort();
		init = 1;
	}
	{
		struct ac_progress_msg pm;

		if (ac_progress_msg_decode((const char *)data, size, &pm, err,
		                           sizeof(err)) == 0) {
			if (!pm.submission_id || !pm.user_id || !pm.event ||
			    !pm.data_json)
				abort();
			ac_progress_msg_clear(&pm);
		}
	}
	body = ac_http_parse_object((const char *)data, size, err, sizeof(err));
	if (body) {
		if (ac_auth_validate_registration(body, &errors) == 0 && errors)
			abort(); /* errors only on failure */
		json_decref(errors);
		json_decref(body);
	}
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	ac_auth_check_email(s, msg, sizeof(msg));
	ac_auth_check_username(s, msg, sizeof(msg));
	ac_auth_check_password(s, "alice", "alice@example.com", msg,
	                       sizeof(msg));
	if (ac_http_bearer(s, &tok, &toklen) == 0 &&
	    (toklen == 0 || tok < s || tok + toklen > s + size))
		abort();
	ac_jwt_check(&keys, s, 1700000000, NULL, 1, &c, err, sizeof(err));
	{
		struct ac_jwt_keys k2;

		if (ac_jwt_keys_parse((const char *)data, size, &k2, err,
		                      sizeof(err)) == 0 &&
		    (k2.n == 0 || k2.n > AC_JWT_MAX_KEYS))
			abort();
		ac_jwt_keys_wipe(&k2);
	}
	free(s);
	return 0;
}
