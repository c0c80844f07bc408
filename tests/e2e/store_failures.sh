#!/bin/bash
# store/redis_mongo under failures, end to end: `algocode serve` (single
# node) on a private Redis and a private MongoDB-compatible server, both
# started (and stopped) by this test.
#
# 1. Redis stops while submissions flow: submissions are still accepted,
#    every result is still served (from MongoDB); when Redis is back the
#    cache fills again by itself.
# 2. MongoDB stops while a submission is being judged: new submissions
#    answer 503 (never accepted and then lost); the result that arrives is
#    held and retried, and is served once MongoDB is back.  Nothing stored
#    before either outage is lost.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/svc_redis.sh"
. "$top_srcdir/tests/e2e/svc_mongo.sh"

command -v curl >/dev/null 2>&1 || skip "curl is not installed"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
[ -e "$top_builddir/plugins-build/store/redis_mongo.so" ] ||
	skip "store/redis_mongo is not built (configure: libhiredis-dev and libmongoc-dev missing)"
ENV_OUT=$(ac check-env 2>&1) || skip "algocode check-env failed: $ENV_OUT"
case $ENV_OUT in
*"judging is refused"*) skip "the sandbox cannot enforce its limits here (check-env)" ;;
esac
PROB=hello-judge
SRC="$top_srcdir/problems/$PROB/submissions/accepted/getline.cpp"
[ -f "$SRC" ] || skip "$SRC is missing"

svc_redis private
svc_mongo private
echo "Redis on port $REDIS_PORT; MongoDB: $MONGO_KIND on port $MONGO_PORT"

PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
B="$TEST_TMP/body"
python3 -c 'import json,sys; print(json.dumps({"problem_id": sys.argv[1], "lang": "cpp", "code": open(sys.argv[2]).read()}))' \
	"$PROB" "$SRC" >"$TEST_TMP/submit.json"

# store/redis_mongo has no store.path.
no_store_path
# shellcheck disable=SC2086
start_bg "$ALGOCODE_BIN" serve $NOPATH_OPTS -o api.listen=127.0.0.1:$PORT \
	-o metrics.listen=127.0.0.1:$PORT \
	-o store.plugin=redis_mongo -o "store.redis=$REDIS_URL" \
	-o "store.mongo=$MONGO_URL" -o store.mongo_timeout_ms=1000 \
	-o store.redis_timeout_ms=300 -o store.cache_ttl_s=600 \
	-o api.rate_burst=100 -o api.rate_per_s=10 -o api.result_wait_s=1 ${STORE_TEST_OPTS:-} \
	2>"$TEST_TMP/serve.log"
SERVER=$BG_PID
wait_http "$BASE/api/v1/common/healthcheck/" 20 ||
	fail "the server did not start: $(tail -5 "$TEST_TMP/serve.log")"
TOKEN=$(ac token --user alice) || fail "algocode token failed"

# A correct solution that takes 0.2 s (wall) a test: its result arrives
# seconds after it is accepted, when MongoDB is surely down.
cat >"$TEST_TMP/slow.cpp" <<EOS
// slow $$ $(date +%s%N)
#include <chrono>
#include <iostream>
#include <string>
#include <thread>
int main()
{
	std::string name;
	std::getline(std::cin, name);
	std::this_thread::sleep_for(std::chrono::milliseconds(200));
	std::cout << "Hello, " << name << "!\\n";
}
EOS
python3 -c 'import json,sys; print(json.dumps({"problem_id": sys.argv[1], "lang": "cpp", "code": open(sys.argv[2]).read()}))' \
	"$PROB" "$TEST_TMP/slow.cpp" >"$TEST_TMP/slow.json"

# submit [JSON]: sets STATUS, and SID on 201.
submit() {
	STATUS=$(curl -s -o "$B" -w '%{http_code}' -X POST \
		-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
		--data-binary "@${1:-$TEST_TMP/submit.json}" "$BASE/api/v1/code/submit/")
	SID=""
	if [ "$STATUS" = 201 ]; then
		SID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["result"]["submission_id"])' "$B")
	fi
}

# poll ID: one result poll; sets STATUS (and the body in $B).
poll() {
	STATUS=$(curl -s -o "$B" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
		"$BASE/api/v1/result/check/$1/")
}

# wait_result ID SECONDS: until the poll answers 200 with an Accepted result.
wait_result() {
	_end=$(($(date +%s) + $2))
	while [ "$(date +%s)" -lt "$_end" ]; do
		kill -0 "$SERVER" 2>/dev/null || fail "the server died: $(tail -5 "$TEST_TMP/serve.log")"
		poll "$1"
		if [ "$STATUS" = 200 ]; then
			v=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["status"], d["data"]["verdict_code"], d["data"]["submission_id"])' "$B")
			[ "$v" = "success AC $1" ] || fail "result of $1: $v"
			return 0
		fi
		sleep 0.3
	done
	fail "no result for $1 after $2 s (last HTTP $STATUS: $(head -c 200 "$B"))"
}

cached() {
	[ -n "$(redis_cmd get "algocode:result:$1" 2>/dev/null)" ]
}

# ------------------------------------------------------ 0. all is well
submit
[ "$STATUS" = 201 ] || fail "first submission: HTTP $STATUS $(cat "$B")"
FIRST=$SID
wait_result "$FIRST" 60
ok "submission $FIRST judged and served"
for _ in $(seq 20); do cached "$FIRST" && break; sleep 0.1; done
cached "$FIRST" || fail "the result of $FIRST was not cached in Redis"
ok "result cached in Redis when it arrived"

# ------------------------------------------------------ 1. Redis stops
IDS=""
submit "$TEST_TMP/slow.json"
[ "$STATUS" = 201 ] || fail "submission before the Redis stop: HTTP $STATUS"
IDS="$IDS $SID"
t0=$(date +%s%N)
svc_redis_stop
redis_answers "$REDIS_PORT" && fail "Redis still answers after the stop"
ok "Redis stopped while $SID is being judged"
for _ in 1 2 3; do
	submit
	[ "$STATUS" = 201 ] || fail "submission with Redis down: HTTP $STATUS $(cat "$B")"
	IDS="$IDS $SID"
done
ok "3 submissions accepted with Redis down"
for id in $FIRST $IDS; do
	wait_result "$id" 90
done
ok "all $(echo $FIRST $IDS | wc -w) results served from MongoDB with Redis down ($((($(date +%s%N) - t0) / 1000000)) ms)"

svc_redis_start_again
ok "Redis restarted (empty)"
cached "$FIRST" && fail "a fresh Redis has $FIRST already"
# The cache comes back by itself: polls refill it, new results are
# written through the reconnected async context.
_end=$(($(date +%s) + 15))
until cached "$FIRST"; do
	[ "$(date +%s)" -lt "$_end" ] || fail "the cache did not come back for $FIRST"
	wait_result "$FIRST" 5
	sleep 0.3
done
ok "a poll put $FIRST back into the cache"
sleep 1.5 # the async context reconnects within a second
submit
[ "$STATUS" = 201 ] || fail "submission after the Redis restart: HTTP $STATUS"
AFTER=$SID
wait_result "$AFTER" 60
for _ in $(seq 30); do cached "$AFTER" && break; sleep 0.1; done
cached "$AFTER" || fail "a result arriving after the Redis restart was not cached"
ok "results arriving after the restart are cached again"

# ------------------------------------------------------ 2. MongoDB stops
submit "$TEST_TMP/slow.json"
[ "$STATUS" = 201 ] || fail "submission before the MongoDB stop: HTTP $STATUS"
HELD=$SID
svc_mongo_stop KILL
port_open "$MONGO_PORT" && fail "MongoDB still answers after the stop"
ok "MongoDB killed while $HELD is being judged"
t0=$(date +%s%N)
submit
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$STATUS" = 503 ] || fail "a submission with MongoDB down answered $STATUS (expected 503): $(cat "$B")"
grep -q '"detail"' "$B" || fail "the 503 has no detail: $(cat "$B")"
ok "a new submission with MongoDB down answers 503 in $ms ms"
submit
[ "$STATUS" = 503 ] || fail "second submission with MongoDB down: HTTP $STATUS"
# Readiness names the store; liveness (the original's healthcheck) stays.
code=$(curl -s -m 30 -o "$TEST_TMP/ready.json" -w '%{http_code}' "$BASE/api/v1/common/ready/")
[ "$code" = 503 ] || fail "ready with MongoDB down: HTTP $code: $(cat "$TEST_TMP/ready.json")"
grep -q '"detail": *"Not ready: store (' "$TEST_TMP/ready.json" ||
	fail "the 503 of ready does not name the store: $(cat "$TEST_TMP/ready.json")"
[ "$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$BASE/api/v1/common/healthcheck/")" = 200 ] ||
	fail "the healthcheck is not 200 with MongoDB down"
ok "ready answers 503 naming the store: $(cat "$TEST_TMP/ready.json")"
# The judge finishes meanwhile: its result cannot be stored yet.
_end=$(($(date +%s) + 60))
until grep -q "result of $HELD: the store refused it" "$TEST_TMP/serve.log"; do
	[ "$(date +%s)" -lt "$_end" ] || fail "the result of $HELD never reached the store: $(tail -5 "$TEST_TMP/serve.log")"
	sleep 0.2
done
ok "the result of $HELD arrived while MongoDB is down: held"
poll "$HELD"
case $STATUS in
503 | 202) ok "polling $HELD with MongoDB down answers $STATUS" ;;
*) fail "polling $HELD with MongoDB down answered $STATUS: $(cat "$B")" ;;
esac
sleep 6 # longer than the inproc transport's five redeliveries at 1 s
svc_mongo_start_again
ok "MongoDB restarted"
t0=$(date +%s%N)
wait_result "$HELD" 30
ok "the held result of $HELD was stored and served $((($(date +%s%N) - t0) / 1000000)) ms after the restart"
curl -s "$BASE/metrics" | grep -q '^algocode_results_store_failures_total [1-9]' ||
	fail "metrics do not count the failed store attempts"
code=$(curl -s -m 30 -o "$TEST_TMP/ready.json" -w '%{http_code}' "$BASE/api/v1/common/ready/")
[ "$code" = 200 ] || fail "ready after the MongoDB restart: HTTP $code: $(cat "$TEST_TMP/ready.json")"
ok "ready again once MongoDB is back"

# Nothing stored before the outages was lost.
redis_cmd flushall >/dev/null
for id in $FIRST $IDS $AFTER; do
	wait_result "$id" 10
done
ok "every earlier result is still in MongoDB"
submit
[ "$STATUS" = 201 ] || fail "submission after the MongoDB restart: HTTP $STATUS"
wait_result "$SID" 60
ok "submissions work again"
kill -TERM "$SERVER"
wait "$SERVER"
rc=$?
[ "$rc" = 0 ] || fail "serve exited with $rc: $(tail -5 "$TEST_TMP/serve.log")"
ok "serve stopped cleanly"
