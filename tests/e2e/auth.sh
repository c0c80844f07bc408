#!/bin/sh
# The auth role over HTTP, and every refusal of the security issue:
# registration and its validation (400s, the password policy, duplicates,
# one user of concurrent registrations of one e-mail), login, access token claims,
# refresh rotation and reuse, verify, logout (one token, all tokens), the
# caller, per-IP rate limits (429 + Retry-After + wait_time), the api
# role's token checks (alg none, other algorithms, expired, refresh tokens,
# unknown key ids, key rotation), result ownership (404, also while
# pending), HTTP limits (body, headers, URL, JSON nesting, slow clients),
# auth and api on one port (single node) and apart (two processes).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

command -v curl >/dev/null 2>&1 || skip "curl is not installed"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
[ -f "$top_builddir/plugins-build/store/sqlite.so" ] || skip "the sqlite store is not built"
[ -f "$top_builddir/plugins-build/transport/inproc.so" ] || skip "the inproc transport is not built"
[ -f "$top_builddir/plugins-build/lang/cpp.so" ] || skip "the cpp language plugin is not built"
CLIENTS="$top_srcdir/tests/e2e/api_clients.py"

PROB=""
for d in "$top_srcdir"/problems/*/; do
	d=${d%/}
	if ls "$d"/submissions/accepted/*.cpp >/dev/null 2>&1; then
		PROB=$(basename "$d") SRC=$(ls "$d"/submissions/accepted/*.cpp | head -n 1)
		break
	fi
done
[ -n "$PROB" ] || skip "no problem with an accepted C++ submission"

# auth + api in one process, no judge (submissions stay pending: that is
# what the ownership checks need), state in TEST_TMP.
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
A="$BASE/api/v1/auth"
SECRET="$TEST_TMP/jwt.secret"
CONF="$TEST_TMP/authapi.conf"
cat >"$CONF" <<EOF
roles = [ "auth", "api" ];
log = { level = "warn"; };
plugins = { dir = "$top_builddir/plugins-build"; };
transport = { plugin = "inproc"; };
store = { plugin = "sqlite"; path = "$TEST_TMP/auth.db"; };
lang = { plugins = [ "cpp" ]; };
api = { listen = "127.0.0.1:$PORT"; jwt_secret_file = "$SECRET";
        result_wait_s = 5; rate_burst = 3; rate_per_s = 0.05;
        request_timeout_s = 2; max_header_kb = 8; max_url_bytes = 2048; };
auth = { access_ttl_s = 900; login_burst = 40; login_per_s = 0.001;
         register_burst = 25; register_per_s = 0.001;
         request_timeout_s = 2; hash_memlimit_kb = 16384; };
judge = { problems_dir = "$top_srcdir/problems"; };
metrics = { listen = "127.0.0.1:$PORT"; };
EOF

B="$TEST_TMP/body"
H="$TEST_TMP/headers"
# post PATH JSON [TOKEN]; get PATH [TOKEN]: STATUS, body in $B.
post() {
	STATUS=$(curl -s -o "$B" -D "$H" -w '%{http_code}' -X POST \
		${3:+-H "Authorization: Bearer $3"} -H 'Content-Type: application/json' \
		--data-binary "$2" "$BASE$1")
}
get() {
	STATUS=$(curl -s -o "$B" -D "$H" -w '%{http_code}' \
		${2:+-H "Authorization: Bearer $2"} "$BASE$1")
}
jq_py() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[2])); r=eval(sys.argv[1]); print(r)' "$1" "${2:-$B}"
}
expect() {
	[ "$STATUS" = "$1" ] || fail "$2: HTTP $STATUS, expected $1: $(head -c 400 "$B")"
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$B" 2>/dev/null ||
		fail "$2: body is not JSON: $(head -c 200 "$B")"
	ok "$2 ($STATUS)"
}
# field_error FIELD TEXT: the 400 names FIELD with TEXT, and a detail.
field_error() {
	[ "$(jq_py "any('$2' in m for m in d.get('$1', [])) and isinstance(d.get('detail'), str)")" = True ] ||
		fail "expected a \"$1\" error with \"$2\": $(cat "$B")"
}
register() { # USER EMAIL PASSWORD
	post /api/v1/auth/registration/ "{\"username\":\"$1\",\"email\":\"$2\",\"password1\":\"$3\",\"password2\":\"$3\",\"first_name\":\"F\",\"last_name\":\"L\"}"
}
login() { # EMAIL PASSWORD
	post /api/v1/auth/login/ "{\"email\":\"$1\",\"password\":\"$2\"}"
}
start_server() {
	start_bg "$ALGOCODE_BIN" serve -c "$CONF" "$@"
	SERVER=$BG_PID
	wait_http "$BASE/api/v1/common/healthcheck/" 20 || fail "the server did not start"
}
stop_server() {
	kill -TERM "$SERVER"
	wait "$SERVER"
	RC=$?
	[ "$RC" = 0 ] || fail "the server exited with status $RC"
}

start_server
[ "$(stat -c %a "$SECRET")" = 600 ] || fail "the key file is not 0600"
ok "auth and api share port $PORT"

# ------------------------------------------------------- registration
PW="correct horse battery"
register alice Alice@Example.COM "$PW"
expect 201 "registration"
[ "$(jq_py "set(d) == {'access_token', 'refresh_token', 'user'} and set(d['user']) == {'pk', 'email', 'first_name', 'last_name'} and d['user']['email'] == 'alice@example.com' and d['user']['first_name'] == 'F'")" = True ] ||
	fail "registration body: $(cat "$B")"
ALICE_ID=$(jq_py 'd["user"]["pk"]')
register bob bob@example.com "another good password"
expect 201 "second registration"
BOB_ID=$(jq_py 'd["user"]["pk"]')
[ "$ALICE_ID" != "$BOB_ID" ] || fail "two users, one id"

# Refused registrations: user|e-mail|password|what|field|the field's error
# (no field: only the 400).
while IFS='|' read -r R_USER R_EMAIL R_PW R_WHAT R_FIELD R_TEXT <&3; do
	register "$R_USER" "$R_EMAIL" "$R_PW"
	expect 400 "$R_WHAT"
	[ -z "$R_FIELD" ] || field_error "$R_FIELD" "$R_TEXT"
done 3<<EOF
alice2|alice@example.com|$PW|duplicate e-mail (case-insensitive)|email|already registered
alice|alice3@example.com|$PW|duplicate username|username|already exists
carol|not-an-email|$PW|invalid e-mail|email|valid email
carol|carol@nodot|$PW|e-mail without a domain dot||
bad name|carol@example.com|$PW|invalid username|username|valid username
carol|carol@example.com|short|password under 10 characters|password1|too short
carolcarol1|carol@example.com|CAROLCAROL1|password equal to the username|password1|similar to the username
carol|carol@example.com|carol@example.com|password equal to the e-mail|password1|similar to the email
EOF
# The password policy (Django's validators, issue 15.8): every rule broken
# is listed under password1.
register dave dave@example.com "1234567890"
expect 400 "password 1234567890"
[ "$(jq_py "d['password1'] == ['This password is too common.', 'This password is entirely numeric.']")" = True ] ||
	fail "1234567890: $(cat "$B")"
register dave dave@example.com "8302749165"
expect 400 "an entirely numeric password"
field_error password1 "entirely numeric"
register dave dave@example.com "  QwertyUIOP "
expect 400 "a common password (case and spaces ignored)"
field_error password1 "too common"
post /api/v1/auth/registration/ '{"username":"dave","email":"dave@example.com","first_name":"Bartholomew","password1":"bartholomew7","password2":"bartholomew7"}'
expect 400 "a password like the first name"
field_error password1 "similar to the first name"
register dave dave.smithson@example.com "Smithson2024"
expect 400 "a password like a part of the e-mail"
field_error password1 "similar to the email address"
post /api/v1/auth/registration/ '{"username":"carol","email":"carol@example.com","password1":"a long pass phrase","password2":"another pass phrase"}'
expect 400 "password1 != password2"
field_error non_field_errors "fields didn"
post /api/v1/auth/registration/ '{"username":"carol","password1":"a long pass phrase","password2":"a long pass phrase"}'
expect 400 "missing e-mail"
field_error email "required"
post /api/v1/auth/registration/ '{"username":7,"email":"carol@example.com","password1":"a long pass phrase","password2":"a long pass phrase"}'
expect 400 "username not a string"
post /api/v1/auth/registration/ '["not", "an", "object"]'
expect 400 "body not an object"
post /api/v1/auth/registration/ '{"username":'
expect 400 "malformed JSON"
DEEP=$(python3 -c 'print("{\"a\":" * 40 + "1" + "}" * 40)')
post /api/v1/auth/registration/ "$DEEP"
expect 400 "JSON nested 40 deep"
[ "$(jq_py "'nesting' in d['detail']")" = True ] || fail "nesting detail: $(cat "$B")"
python3 -c 'print("{\"username\":\"" + "x" * 40000 + "\"}")' >"$TEST_TMP/big.json"
STATUS=$(curl -s -o "$B" -w '%{http_code}' -X POST --data-binary "@$TEST_TMP/big.json" "$A/registration/")
[ "$STATUS" = 413 ] || fail "registration body over auth.max_body_kb: HTTP $STATUS"
ok "registration body over the limit (413)"

# Concurrent registrations of one e-mail: exactly one user.
python3 "$CLIENTS" register_race "$BASE" race@example.com 8 >"$TEST_TMP/race" ||
	fail "registration race"
[ "$(grep -c '^201$' "$TEST_TMP/race")" = 1 ] && [ "$(grep -c '^400$' "$TEST_TMP/race")" = 7 ] ||
	fail "8 concurrent registrations of one e-mail: $(tr '\n' ' ' <"$TEST_TMP/race")"
ok "8 concurrent registrations of one e-mail: one 201, seven 400"

# ------------------------------------------------------------- login
login alice@example.com "wrong password!"
expect 400 "login with a wrong password"
field_error non_field_errors "Unable to log in"
WRONG=$(cat "$B")
login nobody@example.com "whatever password"
expect 400 "login of an unknown e-mail"
[ "$(cat "$B")" = "$WRONG" ] || fail "unknown e-mail and wrong password answer differently"
post /api/v1/auth/login/ '{"email":"alice@example.com"}'
expect 400 "login without a password"
login ALICE@example.com "$PW"
expect 200 "login"
[ "$(jq_py "set(d) == {'access_token', 'refresh_token', 'user'} and d['user'] == {'pk': '$ALICE_ID', 'email': 'alice@example.com', 'first_name': 'F', 'last_name': 'L'}")" = True ] ||
	fail "login body: $(cat "$B")"
AT=$(jq_py 'd["access_token"]')
RT=$(jq_py 'd["refresh_token"]')
python3 "$CLIENTS" jwt "$AT" header >"$TEST_TMP/h.json"
python3 "$CLIENTS" jwt "$AT" payload >"$TEST_TMP/p.json"
[ "$(jq_py "d['alg'] == 'HS256' and d['kid'] == '0'" "$TEST_TMP/h.json")" = True ] ||
	fail "access token header: $(cat "$TEST_TMP/h.json")"
[ "$(jq_py "d['token_type'] == 'access' and d['exp'] - d['iat'] == 900 and len(d['jti']) >= 16 and d['user_id'] == '$ALICE_ID' and d['username'] == 'alice' and d['email'] == 'alice@example.com'" "$TEST_TMP/p.json")" = True ] ||
	fail "access token claims: $(cat "$TEST_TMP/p.json")"
ok "access token: HS256, 15 minutes, claims token_type exp iat jti user_id username email"
post /api/v1/auth/login/ "{\"username\":\"bob\",\"password\":\"another good password\"}"
expect 200 "login by username"
BOB_AT=$(jq_py 'd["access_token"]')

# ------------------------------------------------------- the caller
get /api/v1/auth/user/ "$AT"
expect 200 "current user"
[ "$(jq_py "d == {'pk': '$ALICE_ID', 'username': 'alice', 'email': 'alice@example.com', 'first_name': 'F', 'last_name': 'L'}")" = True ] ||
	fail "user body: $(cat "$B")"
get /api/v1/auth/user/
expect 401 "current user without a token"
get /api/v1/auth/user/ "$RT"
expect 401 "current user with a refresh token"
STATUS=$(curl -s -o "$B" -w '%{http_code}' -X PUT -H "Authorization: Bearer $AT" \
	--data-binary "{\"username\":\"mallory\"}" "$A/user/")
expect 405 "editing a user is not offered"

# ------------------------------------------------------------ verify
post /api/v1/auth/token/verify/ "{\"token\":\"$AT\"}"
expect 200 "verify an access token"
[ "$(cat "$B")" = "{}" ] || fail "verify body: $(cat "$B")"
post /api/v1/auth/token/verify/ '{"token":"garbage"}'
expect 401 "verify garbage"
[ "$(jq_py "d == {'detail': 'Token is invalid or expired', 'code': 'token_not_valid'}")" = True ] ||
	fail "verify 401 body: $(cat "$B")"
post /api/v1/auth/token/verify/ "{\"token\":\"$(python3 "$CLIENTS" forge none "$ALICE_ID" access)\"}"
expect 401 "verify alg none"

# ----------------------------------------------------------- refresh
post /api/v1/auth/token/refresh/ "{\"refresh\":\"$RT\"}"
expect 200 "refresh"
[ "$(jq_py "set(d) == {'access', 'refresh', 'access_token_expiration'} and d['access_token_expiration'].endswith('Z')")" = True ] ||
	fail "refresh body: $(cat "$B")"
RT2=$(jq_py 'd["refresh"]')
AT2=$(jq_py 'd["access"]')
[ "$RT2" != "$RT" ] || fail "the refresh token was not rotated"
get /api/v1/auth/user/ "$AT2"
expect 200 "the refreshed access token works"
post /api/v1/auth/token/refresh/ "{\"refresh\":\"$AT2\"}"
expect 401 "refresh with an access token"
post /api/v1/auth/token/refresh/ "{\"refresh\":\"$RT\"}"
expect 401 "a rotated refresh token is refused"
[ "$(jq_py 'd["code"]')" = token_not_valid ] || fail "reuse body $(cat "$B")"
# Reuse of a rotated token ends every session of the user.
post /api/v1/auth/token/refresh/ "{\"refresh\":\"$RT2\"}"
expect 401 "after reuse, the newest refresh token is revoked too"
post /api/v1/auth/token/refresh/ '{}'
expect 400 "refresh without a token"

# ------------------------------------------------------------ logout
login alice@example.com "$PW"
RT3=$(jq_py 'd["refresh_token"]')
AT3=$(jq_py 'd["access_token"]')
post /api/v1/auth/logout/ "{\"refresh\":\"$RT3\"}"
expect 200 "logout"
[ "$(jq_py 'd["detail"]')" = "Successfully logged out." ] || fail "logout body $(cat "$B")"
post /api/v1/auth/token/refresh/ "{\"refresh\":\"$RT3\"}"
expect 401 "a logged-out refresh token is refused"
post /api/v1/auth/logout/ '{}'
expect 401 "logout without a refresh token"
login alice@example.com "$PW"
RT4=$(jq_py 'd["refresh_token"]')
login alice@example.com "$PW"
RT5=$(jq_py 'd["refresh_token"]')
AT5=$(jq_py 'd["access_token"]')
post /api/v1/auth/logout/ '{"all":true}'
expect 401 "logout everywhere without an access token"
post /api/v1/auth/logout/ '{"all":true}' "$AT5"
expect 200 "logout everywhere"
for r in "$RT4" "$RT5"; do
	post /api/v1/auth/token/refresh/ "{\"refresh\":\"$r\"}"
	expect 401 "refresh after logout everywhere"
done

# ---------------------------------------- the api role checks tokens
python3 -c 'import json,sys; print(json.dumps({"problem_id": sys.argv[1], "lang": "cpp", "code": open(sys.argv[2]).read()}))' \
	"$PROB" "$SRC" >"$TEST_TMP/sub.json"
SUB=$(cat "$TEST_TMP/sub.json")
post /api/v1/code/submit/ "$SUB" "$AT5"
expect 201 "submit with a registered user's access token"
SID=$(jq_py 'd["result"]["submission_id"]')
post /api/v1/code/submit/ "$SUB" "$RT5"
expect 401 "submit with a refresh token"
post /api/v1/code/submit/ "$SUB" "$(python3 "$CLIENTS" forge none "$ALICE_ID" access)"
expect 401 "submit with alg none"
post /api/v1/code/submit/ "$SUB" "$(python3 "$CLIENTS" forge HS512 "$ALICE_ID" access 0)"
expect 401 "submit with HS512"
post /api/v1/code/submit/ "$SUB" "$(python3 "$CLIENTS" forge HS512 "$ALICE_ID" access nokid)"
expect 401 "submit with an unknown key id"
EXPIRED=$("$ALGOCODE_BIN" token -c "$CONF" --user "$ALICE_ID" --ttl 1)
sleep 2
post /api/v1/code/submit/ "$SUB" "$EXPIRED"
expect 401 "submit with an expired token"
post /api/v1/code/submit/ "$SUB"
expect 401 "submit without a token"

# Ownership: the owner waits (pending: no judge here), anyone else gets
# 404 at once, not after the 5 s wait.
get "/api/v1/result/check/$SID/" "$AT5"
expect 202 "the owner's poll of a pending submission"
T0=$(date +%s)
get "/api/v1/result/check/$SID/" "$BOB_AT"
T1=$(date +%s)
expect 404 "another user's pending submission"
[ $((T1 - T0)) -le 2 ] || fail "the non-owner's poll waited $((T1 - T0)) s"
ok "the non-owner got 404 without waiting"
get "/api/v1/result/check/$SID/" "$(ac token --user "$BOB_ID")"
expect 404 "another user's submission with an operator-minted token"

# ------------------------------------------------------ HTTP limits
LONG=$(python3 -c 'print("a" * 3000)')
get "/api/v1/problem/$LONG/"
expect 414 "URL over api.max_url_bytes"
HUGE=$(python3 -c 'print("h" * 12000)')
STATUS=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $HUGE" "$BASE/api/v1/common/healthcheck/")
case $STATUS in 4*|000) ok "headers over api.max_header_kb refused ($STATUS)" ;;
*) fail "headers over the limit: HTTP $STATUS" ;; esac
CLOSED=$(python3 "$CLIENTS" slow "$BASE" 8)
[ "$CLOSED" != open ] || fail "a slow client kept its connection 8 s (request_timeout_s = 2)"
python3 -c "import sys; sys.exit(0 if float('$CLOSED') <= 5 else 1)" ||
	fail "a slow client was closed only after $CLOSED s"
ok "a client trickling its headers is closed after $CLOSED s"
get /api/v1/common/healthcheck/
expect 200 "healthcheck after the slow client"

# -------------------------------------------------------- rate limits
# Registration: burst 25 a client IP (the race and the tests above used
# most of it); then 429 with Retry-After and wait_time.
N=0
while [ $N -lt 30 ]; do
	register "rl$N" "rl$N@example.com" "$PW"
	[ "$STATUS" = 429 ] && break
	N=$((N + 1))
done
expect 429 "registration rate limit per IP"
RA=$(sed -n 's/^retry-after: *//Ip' "$H" | tr -d '\r')
[ "$(jq_py "d['wait_time'] == int('$RA') and d['wait_time'] >= 1 and 'throttled' in d['detail']")" = True ] ||
	fail "429 body $(cat "$B") Retry-After $RA"
N=0
while [ $N -lt 50 ]; do
	login bob@example.com "bad password $N"
	[ "$STATUS" = 429 ] && break
	N=$((N + 1))
done
expect 429 "login rate limit per IP"
[ -n "$(sed -n 's/^retry-after: *//Ip' "$H")" ] || fail "no Retry-After on the login 429"

curl -s "$BASE/metrics" >"$TEST_TMP/metrics"
grep -q '^algocode_auth_requests_total{endpoint="login",code="429"} ' "$TEST_TMP/metrics" ||
	fail "metrics lack auth_requests_total"
ok "auth metrics"
stop_server
ok "clean shutdown"

# --------------------------------------------------- key rotation
# "KID KEY" lines, the first signs: old tokens (kid 0) still pass.
OLDKEY=$(cat "$SECRET")
NEWKEY=$(python3 -c 'import os; print(os.urandom(32).hex())')
printf 'k2 %s\n0 %s\n' "$NEWKEY" "$OLDKEY" >"$SECRET"
# (login refills at once from here: the limit was tested above)
start_server -o auth.login_per_s=1000 -o auth.password_min_length=24
# (checked before the rate limit, which the registrations above used up)
register eve eve@example.com "$PW"
expect 400 "a password under auth.password_min_length = 24"
field_error password1 "at least 24 characters"
get /api/v1/auth/user/ "$AT5"
expect 200 "an old token after the rotation"
login bob@example.com "another good password"
expect 200 "login after the rotation"
NEW_AT=$(jq_py 'd["access_token"]')
[ "$(python3 "$CLIENTS" jwt "$NEW_AT" header | python3 -c 'import json,sys; print(json.load(sys.stdin)["kid"])')" = k2 ] ||
	fail "new tokens are not signed with the new key"
ok "new tokens carry kid k2"
[ "$(python3 "$CLIENTS" jwt "$(ac token --user x)" header | python3 -c 'import json,sys; print(json.load(sys.stdin)["kid"])')" = k2 ] ||
	fail "algocode token does not sign with the current key"
stop_server
printf 'k2 %s\n' "$NEWKEY" >"$SECRET"
start_server
get /api/v1/auth/user/ "$AT5"
expect 401 "a token of a retired key"
get /api/v1/auth/user/ "$NEW_AT"
expect 200 "a token of the current key"
stop_server
chmod 640 "$SECRET"
"$ALGOCODE_BIN" serve -c "$CONF" >"$TEST_TMP/perm.log" 2>&1 &&
	fail "the server started with a group-readable key file"
grep -q "group or others" "$TEST_TMP/perm.log" || fail "no clear message: $(cat "$TEST_TMP/perm.log")"
ok "a group-readable key file is refused"
chmod 600 "$SECRET"
"$ALGOCODE_BIN" serve -c "$CONF" -o auth.password_min_length=6 >"$TEST_TMP/pwmin.log" 2>&1 &&
	fail "the server started with auth.password_min_length = 6"
grep -q "auth.password_min_length: 6 is out of range (8 to 256)" "$TEST_TMP/pwmin.log" ||
	fail "no clear message: $(cat "$TEST_TMP/pwmin.log")"
ok "auth.password_min_length under 8 is refused"

# ------------------------------------- auth and api as two processes
APORT=$(free_port)
sed -e "s/roles = .*/roles = [ \"auth\" ];/" -e '/^lang/d' -e '/^judge/d' \
	-e "s/^auth = { /auth = { listen = \"127.0.0.1:$APORT\"; jwt_secret_file = \"$(echo "$SECRET" | sed 's/[\/&]/\\&/g')\"; /" \
	-e '/^api = {/,/};/d' -e '/^metrics/d' -e "s|auth.db|auth2.db|" "$CONF" >"$TEST_TMP/authonly.conf"
sed -e 's/roles = .*/roles = [ "api" ];/' "$CONF" >"$TEST_TMP/apionly.conf"
start_bg "$ALGOCODE_BIN" serve -c "$TEST_TMP/authonly.conf"
AUTHSRV=$BG_PID
start_bg "$ALGOCODE_BIN" serve -c "$TEST_TMP/apionly.conf"
SERVER=$BG_PID
wait_http "http://127.0.0.1:$APORT/api/v1/auth/user/" 20 || fail "the auth process did not start: $(cat "$TEST_TMP/authonly.conf")"
wait_http "$BASE/api/v1/common/healthcheck/" 20 || fail "the api process did not start"
STATUS=$(curl -s -o "$B" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
	--data-binary "{\"username\":\"dave\",\"email\":\"dave@example.com\",\"password1\":\"$PW\",\"password2\":\"$PW\"}" \
	"http://127.0.0.1:$APORT/api/v1/auth/registration/")
expect 201 "registration on the auth process (its own port)"
SPLIT_AT=$(jq_py 'd["access_token"]')
post /api/v1/auth/login/ '{"email":"bob@example.com","password":"x"}'
expect 404 "the api process serves no auth routes"
post /api/v1/code/submit/ "$SUB" "$SPLIT_AT"
expect 201 "the api process accepts the auth process's token"
stop_server
kill -TERM "$AUTHSRV"
wait "$AUTHSRV" || fail "the auth process exited with status $?"
ok "auth and api apart"
exit 0
