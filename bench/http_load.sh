#!/bin/sh
# HTTP throughput and latency of `algocode serve`: clients that close their
# connection after each request (`Connection: close`) against keep-alive
# clients, the baseline, measured in the same run on the same server.
# The descriptors of the server are counted after each run (issue 22.1: a
# closed connection used to keep its descriptor until the request
# deadline).
#
#   top_builddir=BUILD top_srcdir=SRC bench/http_load.sh
# Environment: DURATION (10), CONNECTIONS (50), THREADS (1),
#              URL_PATH (/api/v1/common/healthcheck/).
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/e2e/lib.sh"

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-1}
URL_PATH=${URL_PATH:-/api/v1/common/healthcheck/}
command -v wrk >/dev/null 2>&1 || skip "wrk is not installed (apt-get install wrk)"
command -v curl >/dev/null 2>&1 || skip "curl is not installed"

PORT=$(free_port)
# shellcheck disable=SC2086
start_bg "$ALGOCODE_BIN" serve $AC_OPTS -o api.listen=127.0.0.1:$PORT \
	2>"$TEST_TMP/serve.log"
SERVER=$BG_PID
URL="http://127.0.0.1:$PORT$URL_PATH"
wait_http "$URL" 30 || fail "serve did not start: $(tail -3 "$TEST_TMP/serve.log")"
fds() { ls "/proc/$SERVER/fd" | wc -l; }
BASE_FDS=$(fds)

# run NAME [HEADER]: wrk, then "NAME req/s p50 p99 errors fds-after".
run() {
	name=$1
	shift
	wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" "$URL" \
		>"$TEST_TMP/$name.wrk" 2>&1 || fail "$name: wrk failed: $(cat "$TEST_TMP/$name.wrk")"
	sleep 1
	awk -v name="$name" -v fds="$(fds)" '
		/^Requests\/sec:/ { rps = $2 }
		$1 == "50%" { p50 = $2 }
		$1 == "99%" { p99 = $2 }
		/Socket errors/ { err = $0; sub(/.*errors: /, "", err) }
		/Non-2xx/ { non2xx = $NF }
		END { printf "%-10s %10s %10s %10s %8s %s\n", name, rps, p50, p99,
		      fds, (err ? err : "none") (non2xx ? ", non-2xx " non2xx : "") }' \
		"$TEST_TMP/$name.wrk" >>"$TEST_TMP/rows"
}
run keepalive
run close -H "Connection: close"

echo "http_load: $CONNECTIONS connections, $DURATION s each, $URL_PATH (descriptors at rest: $BASE_FDS)"
printf "%-10s %10s %10s %10s %8s %s\n" run req/s p50 p99 fds-after errors
cat "$TEST_TMP/rows"
awk '{ rps[$1] = $2 } END {
	if (rps["keepalive"] > 0)
		printf "close / keep-alive throughput ratio: %.3f\n", rps["close"] / rps["keepalive"] }' \
	"$TEST_TMP/rows"
