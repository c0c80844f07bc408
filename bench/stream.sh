#!/bin/sh
# Live results against the result poll, in one run on one server: for each
# submission a stream (GET /api/v1/result/stream/ID/) and a poll client
# (GET /api/v1/result/check/ID/ again after each 202, the original client)
# watch it at once.  Printed: the time from the last test finishing (the
# result's finished_at) to the final event at the client and to the poll's
# answer, and from submit to the first per-test row the client can show
# (the poll shows none before the whole result); medians and ratios.
#
#   top_builddir=BUILD top_srcdir=SRC bench/stream.sh
# Environment: ROUNDS (10), PROBLEM (hello-judge), SOURCE (its accepted
# Python solution), LANG_NAME (python3).
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/e2e/lib.sh"

ROUNDS=${ROUNDS:-10}
PROBLEM=${PROBLEM:-hello-judge}
SOURCE=${SOURCE:-$top_srcdir/problems/hello-judge/submissions/accepted/input_line.py}
LANG_NAME=${LANG_NAME:-python3}
command -v curl >/dev/null 2>&1 || skip "curl is not installed"
PY=$(command -v python3) || skip "python3 is not installed"

PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
# shellcheck disable=SC2086
start_bg "$ALGOCODE_BIN" serve $AC_OPTS -o api.listen=127.0.0.1:$PORT \
	-o api.rate_burst=100000 -o api.rate_per_s=1000 \
	-o "lang.plugins=[\"$LANG_NAME\"]" 2>"$TEST_TMP/serve.log"
SERVER=$BG_PID
wait_http "$BASE/api/v1/common/healthcheck/" 60 ||
	fail "serve did not start: $(tail -3 "$TEST_TMP/serve.log")"
TOKEN=$(ac token --user bench) || fail "algocode token failed"

OUT=$("$PY" "$top_srcdir/tests/e2e/stream_clients.py" bench "$BASE" "$TOKEN" \
	"$PROBLEM" "$SOURCE" "$LANG_NAME" "$ROUNDS") || fail "bench client failed"
echo "$OUT" | sed '$d'
echo "$OUT" | tail -1 | "$PY" -c '
import json, sys
m = json.load(sys.stdin)
print("median over %s rounds (%d tests each):" % (sys.argv[1], m["tests"]))
print("  last test -> final event at the client: stream %.1f ms, poll %.1f ms;"
      " ratio poll/stream %.2f" % (m["stream_ms"], m["poll_ms"],
                                   m["poll_ms"] / max(m["stream_ms"], 0.1)))
print("  submit -> first per-test row shown: stream %.1f ms, poll %.1f ms;"
      " ratio poll/stream %.2f" % (m["first_row_stream_ms"], m["first_row_poll_ms"],
                                   m["first_row_poll_ms"] / max(m["first_row_stream_ms"], 0.1)))
' "$ROUNDS"
