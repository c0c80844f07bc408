#!/bin/sh
# The HTTP API of `algocode serve` (single node): submissions judged end to
# end, result polls parked on the event loop (100 concurrent clients),
# input validation, authentication, ownership, rate limiting, problems,
# languages, health and metrics.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

command -v curl >/dev/null 2>&1 || skip "curl is not installed"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
# Submissions are judged for real: the sandbox must be able to run here.
ENV_OUT=$(ac check-env 2>&1) || skip "algocode check-env failed: $ENV_OUT"
case $ENV_OUT in
*"judging is refused"*) skip "the sandbox cannot enforce its limits here (check-env)" ;;
esac
CLIENTS="$top_srcdir/tests/e2e/api_clients.py"

# ------------------------------------------------------------ problems
# A problem with an accepted and a wrong_answer C++ solution, and a slow
# (time_limit_exceeded) solution of any problem, found at run time.
PROB="" AC_SRC="" WA_SRC="" TLE_PROB="" TLE_SRC=""
for d in "$top_srcdir"/problems/*/; do
	d=${d%/}
	a=$(ls "$d"/submissions/accepted/*.cpp 2>/dev/null | head -n 1)
	w=$(ls "$d"/submissions/wrong_answer/*.cpp 2>/dev/null | head -n 1)
	t=$(ls "$d"/submissions/time_limit_exceeded/*.cpp 2>/dev/null | head -n 1)
	if [ -z "$PROB" ] && [ -n "$a" ] && [ -n "$w" ]; then
		PROB=$(basename "$d") AC_SRC=$a WA_SRC=$w
	fi
	if [ -z "$TLE_PROB" ] && [ -n "$t" ]; then
		TLE_PROB=$(basename "$d") TLE_SRC=$t
	fi
done
[ -n "$PROB" ] || skip "no problem under problems/ has accepted and wrong_answer C++ submissions"
if [ -z "$TLE_PROB" ]; then
	TLE_PROB=$PROB TLE_SRC=$AC_SRC
fi
echo "problem $PROB ($(basename "$AC_SRC"), $(basename "$WA_SRC")); slow: $TLE_PROB/$(basename "$TLE_SRC")"

# ------------------------------------------------------------- helpers
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
B="$TEST_TMP/body"
H="$TEST_TMP/headers"

# http METHOD PATH TOKEN [BODYFILE]: sets STATUS, body in $B, headers in $H.
# TOKEN "-" sends no Authorization header.
http() {
	_auth=""
	[ "$3" = "-" ] || _auth="Authorization: Bearer $3"
	if [ -n "$4" ]; then
		STATUS=$(curl -s -o "$B" -D "$H" -w '%{http_code}' -X "$1" \
			${_auth:+-H "$_auth"} -H 'Content-Type: application/json' \
			--data-binary "@$4" "$BASE$2")
	else
		STATUS=$(curl -s -o "$B" -D "$H" -w '%{http_code}' -X "$1" \
			${_auth:+-H "$_auth"} "$BASE$2")
	fi
}

# expect STATUS WHAT: the last response had that status and a JSON body.
expect() {
	[ "$STATUS" = "$1" ] || fail "$2: HTTP $STATUS, expected $1: $(head -c 400 "$B")"
	if [ "$(sed -n 's/^content-type: *//Ip' "$H" | tr -d '\r')" != "application/json" ] && [ "$1" != 413 ]; then
		fail "$2: Content-Type is not application/json"
	fi
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$B" 2>/dev/null ||
		fail "$2: body is not JSON: $(head -c 200 "$B")"
	ok "$2 ($STATUS)"
}

# jq_py EXPR [FILE]: evaluate a Python expression on the JSON body `d`.
jq_py() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "${2:-$B}" "$1"
}

# detail_has TEXT: the error detail contains TEXT.
detail_has() {
	jq_py 'd["detail"]' | grep -F -q -- "$1" ||
		fail "detail \"$(jq_py 'd["detail"]')\" lacks \"$1\""
}

# submission FILE PROBLEM SOURCE [LANG]: a submission body.
submission() {
	python3 -c 'import json,sys; print(json.dumps({"problem_id": sys.argv[2], "lang": sys.argv[4], "code": open(sys.argv[3]).read()}))' \
		"$1" "$2" "$3" "${4:-cpp}" >"$1.tmp" && mv "$1.tmp" "$1"
}

# metric NAME: its value on /metrics.
metric() {
	curl -s -f -m 10 -o "$TEST_TMP/metrics" "$BASE/metrics" || {
		kill -0 "$SERVER" 2>/dev/null || fail "the server died"
		fail "GET /metrics failed"
	}
	awk -v m="$1" '$1 == m { print $2 }' "$TEST_TMP/metrics"
}

# --------------------------------------------------------------- start
start_bg "$ALGOCODE_BIN" serve $AC_OPTS -o api.listen=127.0.0.1:$PORT \
	-o metrics.listen=127.0.0.1:$PORT \
	-o api.rate_burst=3 -o api.rate_per_s=0.05 -o api.result_wait_s=5
SERVER=$BG_PID
wait_http "$BASE/api/v1/common/healthcheck/" 20 || fail "the server did not start"
[ -f "$TEST_TMP/jwt.secret" ] || fail "the JWT secret file was not created"
[ "$(stat -c %a "$TEST_TMP/jwt.secret")" = 600 ] || fail "the JWT secret file is not 0600"

ALICE=$(ac token --user alice) || fail "algocode token failed"
BOB=$(ac token --user bob)
CAROL=$(ac token --user carol)
DAVE=$(ac token --user dave)
[ -n "$ALICE" ] && [ "$ALICE" != "$BOB" ] || fail "algocode token printed no token"

http GET /api/v1/common/healthcheck/ -
expect 200 "healthcheck"
[ "$(jq_py 'd == {"status": "OK"}')" = True ] || fail "healthcheck body $(cat "$B")"

# ------------------------------------------------- problems, languages
http GET /api/v1/languages/ -
expect 200 "languages"
[ "$(jq_py '"cpp" in [l["name"] for l in d] and all(l.get("name") and l.get("display") and "version" in l for l in d)')" = True ] ||
	fail "languages: $(cat "$B")"

http GET /api/v1/problem/all/ -
expect 200 "problem list"
[ "$(jq_py 'd["status_code"] == 200 and d["questions"]["count"] >= 1 and d["questions"]["previous"] is None')" = True ] ||
	fail "problem list: $(head -c 400 "$B")"
[ "$(jq_py "any(q['id'] == '$PROB' and 'title' in q and 'difficulty' in q and isinstance(q['tags'], list) for q in d['questions']['results'])")" = True ] ||
	fail "problem list lacks $PROB: $(head -c 400 "$B")"
NPROB=$(jq_py 'd["questions"]["count"]')
TITLE=$(jq_py "[q['title'] for q in d['questions']['results'] if q['id'] == '$PROB'][0]")
# Title filter: case-insensitive substring.
QT=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1].upper()))' "$TITLE")
http GET "/api/v1/problem/all/?title=$QT" -
expect 200 "problem list filtered by title"
[ "$(jq_py "d['questions']['count'] >= 1 and all('$TITLE'.lower() in q['title'].lower() for q in d['questions']['results'])")" = True ] ||
	fail "title filter: $(head -c 400 "$B")"
http GET "/api/v1/problem/all/?title=no-such-title-zzz" -
expect 200 "problem list, no match"
[ "$(jq_py 'd["questions"]["count"]')" = 0 ] || fail "title filter matched nonsense"
http GET "/api/v1/problem/all/?tags=no-such-tag-zzz" -
[ "$(jq_py 'd["questions"]["count"]')" = 0 ] || fail "tags filter matched nonsense"
http GET "/api/v1/problem/all/?page=999" -
expect 404 "problem list, page out of range"
[ "$(jq_py 'd')" = "{'detail': 'Invalid page.'}" ] || fail "bad page body $(cat "$B")"
http GET "/api/v1/problem/all/?page=abc" -
expect 404 "problem list, page not a number"
if [ "$NPROB" -gt 10 ]; then
	http GET "/api/v1/problem/all/?page=2" -
	expect 200 "problem list page 2"
	[ "$(jq_py 'd["questions"]["previous"] is not None')" = True ] || fail "no previous link"
fi

http GET "/api/v1/problem/$PROB/" -
expect 200 "problem detail"
[ "$(jq_py "d['status_code'] == 200 and d['question']['id'] == '$PROB' and isinstance(d['question']['description'], str) and d['question']['constraints']['time_limit_ms'] > 0 and d['question']['constraints']['memory_mb'] > 0 and isinstance(d['question']['testcases_example'], list) and isinstance(d['question']['tags'], list)")" = True ] ||
	fail "problem detail: $(head -c 600 "$B")"
# problem.yaml beyond the limits, added (issue 18): type, names.
[ "$(jq_py "isinstance(d['question']['type'], list) and d['question']['type'][0] in ('pass-fail', 'scoring') and isinstance(d['question']['names'], dict) and d['question']['title'] in d['question']['names'].values()")" = True ] ||
	fail "problem detail lacks type/names: $(head -c 600 "$B")"
if ls "$top_srcdir/problems/$PROB/data/sample/"*.in >/dev/null 2>&1; then
	[ "$(jq_py 'len(d["question"]["testcases_example"]) >= 1 and all("input" in t and "output" in t for t in d["question"]["testcases_example"])')" = True ] ||
		fail "problem detail has no sample tests"
fi
http GET /api/v1/problem/no-such-problem/ -
expect 404 "unknown problem detail"

# ------------------------------------------------ judged end to end
submission "$TEST_TMP/ac.json" "$PROB" "$AC_SRC"
submission "$TEST_TMP/wa.json" "$PROB" "$WA_SRC"
http POST /api/v1/code/submit/ "$ALICE" "$TEST_TMP/ac.json"
expect 201 "submit accepted solution"
[ "$(jq_py 'd["result"]["detail"]')" = "Your response has been submitted." ] || fail "submit body $(cat "$B")"
AC_ID=$(jq_py 'd["result"]["submission_id"]')
http POST /api/v1/code/submit/ "$BOB" "$TEST_TMP/wa.json"
expect 201 "submit wrong solution"
WA_ID=$(jq_py 'd["result"]["submission_id"]')
[ "$AC_ID" != "$WA_ID" ] || fail "two submissions got one id"

python3 "$CLIENTS" poll "$BASE" "$ALICE" "$AC_ID" 180 >"$TEST_TMP/ac.result" ||
	fail "no result for the accepted solution"
python3 "$CLIENTS" poll "$BASE" "$BOB" "$WA_ID" 180 >"$TEST_TMP/wa.result" ||
	fail "no result for the wrong solution"
R="$TEST_TMP/ac.result"
[ "$(jq_py 'd["status"]' "$R")" = success ] || fail "result status: $(cat "$R")"
[ "$(jq_py 'd["data"]["verdict_code"]' "$R")" = AC ] ||
	fail "accepted solution judged $(jq_py 'd["data"]["verdict_code"]' "$R"): $(head -c 1500 "$R")"
[ "$(jq_py "d['data']['verdict'] == 'Accepted' and d['data']['submission_id'] == '$AC_ID' and d['data']['problem_id'] == '$PROB' and d['data']['lang'] == 'cpp' and d['data']['user_id'] == 'alice' and d['data']['compile']['ok'] is True and len(d['data']['tests']) >= 1 and all(t['verdict_code'] == 'AC' for t in d['data']['tests']) and all(k in d['data'] for k in ('time_ms', 'memory_kb', 'judge', 'submitted_at', 'finished_at'))" "$R")" = True ] ||
	fail "accepted result document: $(head -c 1500 "$R")"
ok "accepted solution judged AC with a complete result document"
R="$TEST_TMP/wa.result"
[ "$(jq_py 'd["data"]["verdict_code"]' "$R")" = WA ] ||
	fail "wrong solution judged $(jq_py 'd["data"]["verdict_code"]' "$R"): $(head -c 1500 "$R")"
[ "$(jq_py "d['data']['verdict'] == 'Wrong Answer' and d['data']['user_id'] == 'bob' and d['data']['tests'][-1]['verdict_code'] == 'WA'" "$R")" = True ] ||
	fail "wrong answer result document: $(head -c 1500 "$R")"
ok "wrong solution judged WA"

# A finished result answers at once; another user's is not found.
http GET "/api/v1/result/check/$AC_ID/" "$ALICE"
expect 200 "result of a finished submission"
http GET "/api/v1/result/check/$AC_ID/" "$BOB"
expect 404 "another user's result"
[ "$(jq_py 'd')" = "{'detail': 'Not found.'}" ] || fail "404 body $(cat "$B")"
http GET "/api/v1/result/check/00000000-0000-4000-8000-000000000000/" "$ALICE"
expect 404 "unknown result id"

# ------------------------------------ 100 clients parked on one result
# Slow submissions (three users, within their rate limit) keep the judge
# busy, so the last one stays pending while the clients wait on it.
submission "$TEST_TMP/slow.json" "$TLE_PROB" "$TLE_SRC"
SLOW_ID=""
for u in slow1 slow2 slow3; do
	T=$(ac token --user "$u")
	for i in 1 2; do
		http POST /api/v1/code/submit/ "$T" "$TEST_TMP/slow.json"
		[ "$STATUS" = 201 ] || fail "slow submission: HTTP $STATUS $(cat "$B")"
		SLOW_ID=$(jq_py 'd["result"]["submission_id"]')
	done
done
PARKED0=$(metric algocode_result_polls_parked_total)
python3 "$CLIENTS" hangups "$BASE" "$T" "$SLOW_ID" 20 ||
	fail "clients that hang up"
python3 "$CLIENTS" waiters "$BASE" "$T" "$SLOW_ID" 100 5 >"$TEST_TMP/waiters" ||
	fail "100 concurrent result polls: $(cat "$TEST_TMP/waiters")"
ok "100 concurrent result polls all answered: $(cat "$TEST_TMP/waiters")"
PARKED1=$(metric algocode_result_polls_parked_total)
[ "$((PARKED1 - PARKED0))" -ge 1 ] || echo "note: the slow submission finished before the clients parked"
http GET /api/v1/common/healthcheck/ -
expect 200 "healthcheck after the parked polls"
# Every waiter is gone once its timer fired (hung-up clients included).
sleep 6
[ "$(metric algocode_result_waiters)" = 0 ] ||
	fail "parked waiters left: $(metric algocode_result_waiters)"
ok "no waiter left behind"

# ------------------------------------------------------ bad requests
printf '{"problem_id": "%s", "lang": "cpp", "code": ' "$PROB" >"$TEST_TMP/bad.json"
http POST /api/v1/code/submit/ "$CAROL" "$TEST_TMP/bad.json"
expect 400 "malformed JSON"
printf '[1, 2]' >"$TEST_TMP/bad.json"
http POST /api/v1/code/submit/ "$CAROL" "$TEST_TMP/bad.json"
expect 400 "JSON that is not an object"
printf '{"problem_id": "%s", "lang": "cpp"}' "$PROB" >"$TEST_TMP/bad.json"
http POST /api/v1/code/submit/ "$CAROL" "$TEST_TMP/bad.json"
expect 400 "missing code"
detail_has '"code"'
printf '{"lang": "cpp", "code": "int main(){}"}' >"$TEST_TMP/bad.json"
http POST /api/v1/code/submit/ "$CAROL" "$TEST_TMP/bad.json"
expect 400 "missing problem_id"
detail_has problem_id
printf '{"problem_id": "%s", "lang": 7, "code": "int main(){}"}' "$PROB" >"$TEST_TMP/bad.json"
http POST /api/v1/code/submit/ "$CAROL" "$TEST_TMP/bad.json"
expect 400 "lang not a string"
detail_has lang
submission "$TEST_TMP/bad.json" "$PROB" "$AC_SRC" cobol
http POST /api/v1/code/submit/ "$CAROL" "$TEST_TMP/bad.json"
expect 400 "unknown language"
detail_has 'Unsupported language "cobol"'
detail_has cpp
submission "$TEST_TMP/bad.json" no-such-problem "$AC_SRC"
http POST /api/v1/code/submit/ "$CAROL" "$TEST_TMP/bad.json"
expect 400 "unknown problem"
detail_has "is not valid"
python3 -c 'import json,sys; print(json.dumps({"problem_id": sys.argv[1], "lang": "cpp", "code": "//" + "x" * (65 * 1024)}))' "$PROB" >"$TEST_TMP/big.json"
http POST /api/v1/code/submit/ "$CAROL" "$TEST_TMP/big.json"
expect 413 "source over api.max_source_kb"
python3 -c 'import sys; sys.stdout.write("{\"code\": \"" + "x" * (2 * 1024 * 1024) + "\"}")' >"$TEST_TMP/huge.json"
http POST /api/v1/code/submit/ "$CAROL" "$TEST_TMP/huge.json"
[ "$STATUS" = 413 ] || fail "body over the HTTP limit: HTTP $STATUS"
ok "body over the HTTP limit (413)"

http POST /api/v1/code/submit/ - "$TEST_TMP/ac.json"
expect 401 "submit without a token"
[ "$(jq_py 'd["detail"]')" = "Authentication credentials were not provided." ] || fail "401 body $(cat "$B")"
http POST /api/v1/code/submit/ "not.a.token" "$TEST_TMP/ac.json"
expect 401 "submit with a garbage token"
detail_has "Given token not valid for any token type"
# A token signed with another secret.
OTHER=$("$ALGOCODE_BIN" token --user alice $AC_OPTS -o api.jwt_secret_file="$TEST_TMP/other.secret")
[ -n "$OTHER" ] || fail "token with another secret"
http GET "/api/v1/result/check/$AC_ID/" "$OTHER"
expect 401 "token signed with another key"
# An expired token.
EXPIRED=$(ac token --user alice --ttl 1)
sleep 2
http GET "/api/v1/result/check/$AC_ID/" "$EXPIRED"
expect 401 "expired token"
http GET "/api/v1/result/check/$AC_ID/" -
expect 401 "result without a token"

http GET /api/v1/code/submit/ "$ALICE"
expect 405 "GET on submit"
http DELETE "/api/v1/problem/$PROB/" -
expect 405 "DELETE on a problem"
http GET /api/v1/no/such/route/ -
expect 404 "unknown route"
[ "$(jq_py 'd')" = "{'detail': 'Not found.'}" ] || fail "404 body $(cat "$B")"

# ------------------------------------------------------ rate limiting
python3 "$CLIENTS" burst "$BASE" "$DAVE" "$TEST_TMP/ac.json" 4 >"$TEST_TMP/burst" ||
	fail "burst of submissions"
[ "$(awk '{print $1}' "$TEST_TMP/burst" | tr '\n' ' ')" = "201 201 201 429 " ] ||
	fail "rate limit: $(cat "$TEST_TMP/burst")"
RETRY=$(awk 'NR == 4 {print $2}' "$TEST_TMP/burst")
[ "$RETRY" -ge 1 ] 2>/dev/null && [ "$RETRY" -le 20 ] || fail "Retry-After \"$RETRY\""
sed -n '4p' "$TEST_TMP/burst" | cut -d' ' -f3- >"$TEST_TMP/429.json"
[ "$(jq_py "d['wait_time'] == $RETRY and d['detail'] == 'Request was throttled. Expected available in $RETRY seconds.'" "$TEST_TMP/429.json")" = True ] ||
	fail "429 body: $(cat "$TEST_TMP/429.json")"
ok "4th rapid submission throttled (Retry-After: $RETRY)"
# Another user is not affected.
http POST /api/v1/code/submit/ "$CAROL" "$TEST_TMP/ac.json"
expect 201 "another user's submission during dave's throttling"

# ---------------------------------------------------- still healthy
http GET /api/v1/common/healthcheck/ -
expect 200 "healthcheck at the end"
curl -s "$BASE/metrics" >"$TEST_TMP/metrics"
grep -q '^algocode_http_requests_total{route="submit",code="201"} ' "$TEST_TMP/metrics" ||
	fail "metrics lack the submit counter"
[ "$(awk '$1 == "algocode_submissions_accepted_total" {print $2}' "$TEST_TMP/metrics")" -ge 10 ] ||
	fail "metrics: submissions accepted $(grep submissions_accepted "$TEST_TMP/metrics")"
[ "$(awk '$1 == "algocode_results_received_total" {print $2}' "$TEST_TMP/metrics")" -ge 2 ] ||
	fail "metrics: results received"
ok "metrics"

# A clean shutdown on SIGTERM.
kill -TERM "$SERVER"
wait_gone "$SERVER" 15 || fail "the server did not stop on SIGTERM"
[ "$GONE_RC" = 0 ] || fail "the server exited with status $GONE_RC"
ok "clean shutdown"
exit 0
