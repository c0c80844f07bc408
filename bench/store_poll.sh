#!/bin/bash
# Result-poll latency and throughput of the two stores, side by side.
#
# `algocode serve` (single node) runs three times on loopback: with
# store/sqlite, with store/redis_mongo and its Redis cache, and with
# store/redis_mongo without the cache (cache_ttl_s = 0: every poll reads
# MongoDB).  One submission is judged, then wrk polls its finished result
# (GET /api/v1/result/check/ID/) for DURATION seconds with CONNECTIONS
# connections.  The first poll of a result fills the cache, so the wrk run
# of the cached configuration measures cache hits only.
#
#   make bench-store     or     top_builddir=BUILD top_srcdir=SRC bench/store_poll.sh
# Environment: DURATION (5), CONNECTIONS (32), THREADS (1).
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/svc_redis.sh"
. "$top_srcdir/tests/e2e/svc_mongo.sh"

DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
command -v wrk >/dev/null 2>&1 || skip "wrk is not installed (apt-get install wrk)"
command -v curl >/dev/null 2>&1 || skip "curl is not installed"
[ -e "$top_builddir/plugins-build/store/redis_mongo.so" ] || skip "store/redis_mongo is not built"
[ -e "$top_builddir/plugins-build/store/sqlite.so" ] || skip "store/sqlite is not built"
SRC="$top_srcdir/problems/hello-judge/submissions/accepted/getline.cpp"
python3 -c 'import json,sys; print(json.dumps({"problem_id": "hello-judge", "lang": "cpp", "code": open(sys.argv[1]).read()}))' \
	"$SRC" >"$TEST_TMP/submit.json"

svc_redis private
svc_mongo private
TOKEN=$(ac token --user bench) || fail "algocode token failed"

# store/redis_mongo has no store.path: the sqlite run names its file.
no_store_path
# run NAME OPTS...: serve with OPTS, judge one submission, wrk its result.
# Appends "NAME req/s p50 p99 errors" to $TEST_TMP/rows.
run() {
	name=$1
	shift
	port=$(free_port)
	# shellcheck disable=SC2086
	start_bg "$ALGOCODE_BIN" serve $NOPATH_OPTS -o api.listen=127.0.0.1:$port \
		"$@" 2>"$TEST_TMP/$name.log"
	pid=$BG_PID
	wait_http "http://127.0.0.1:$port/api/v1/common/healthcheck/" 20 ||
		fail "$name: serve did not start: $(tail -3 "$TEST_TMP/$name.log")"
	id=$(curl -s -X POST -H "Authorization: Bearer $TOKEN" \
		-H 'Content-Type: application/json' --data-binary "@$TEST_TMP/submit.json" \
		"http://127.0.0.1:$port/api/v1/code/submit/" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["submission_id"])') ||
		fail "$name: submission refused"
	url="http://127.0.0.1:$port/api/v1/result/check/$id/"
	for _ in $(seq 120); do
		[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$url")" = 200 ] && break
		sleep 0.5
	done
	[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$url")" = 200 ] ||
		fail "$name: no result for $id"
	sleep 0.5 # the cache write of the first poll
	wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency \
		-H "Authorization: Bearer $TOKEN" "$url" >"$TEST_TMP/$name.wrk" 2>&1 ||
		fail "$name: wrk failed: $(cat "$TEST_TMP/$name.wrk")"
	rps=$(awk '/^Requests\/sec:/ {print $2}' "$TEST_TMP/$name.wrk")
	p50=$(awk '$1 == "50%" {print $2}' "$TEST_TMP/$name.wrk")
	p99=$(awk '$1 == "99%" {print $2}' "$TEST_TMP/$name.wrk")
	errs=$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {n += 1} END {print n + 0}' "$TEST_TMP/$name.wrk")
	echo "$name $rps $p50 $p99 $errs" >>"$TEST_TMP/rows"
	kill -TERM "$pid"
	wait "$pid"
}

RM="-o store.plugin=redis_mongo -o store.redis=$REDIS_URL -o store.mongo=$MONGO_URL"
run sqlite -o store.plugin=sqlite -o "store.path=$TEST_TMP/sqlite.db"
# shellcheck disable=SC2086
run redis_mongo-cached $RM -o store.cache_ttl_s=600
# shellcheck disable=SC2086
run redis_mongo-uncached $RM -o store.cache_ttl_s=0

echo
echo "Result poll (GET /api/v1/result/check/ID/, finished result), wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s on loopback"
echo "MongoDB: $MONGO_KIND; Redis $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/'); $(nproc) CPUs"
printf '%-22s %12s %10s %10s %8s %10s\n' store req/s p50 p99 errors "vs sqlite"
base=$(awk 'NR == 1 {print $2}' "$TEST_TMP/rows")
while read -r name rps p50 p99 errs; do
	ratio=$(awk -v a="$rps" -v b="$base" 'BEGIN {printf "%.2fx", a / b}')
	printf '%-22s %12s %10s %10s %8s %10s\n' "$name" "$rps" "$p50" "$p99" "$errs" "$ratio"
done <"$TEST_TMP/rows"
awk '$5 != 0 {bad = 1} END {exit bad}' "$TEST_TMP/rows" ||
	fail "some polls did not answer 200 (see the errors column)"
