#!/bin/sh
# Live results (GET /api/v1/result/stream/ID/, Server-Sent Events) through
# `algocode serve` started as root with privilege separation: the order of
# events (compile, every test in order, the result), a stream opened after
# the result (everything at once), a Compilation Error, ownership (another
# user's stream is 404, no token 401), a client that disconnects midway
# (the stream is gone at once; the server goes on), the 5-second poll
# unchanged, and 1000 concurrent streams on one api process (RSS printed)
# that all receive the final event.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

NSTREAMS=${STREAM_N:-1000}
need_serve
CLIENT="$top_srcdir/tests/e2e/stream_clients.py"

# What the unprivileged server reads: plugins, hello-judge, and a problem
# whose solution sleeps (a submission that stays pending for a while).
mkdir -p "$TEST_TMP/src"
P="$TEST_TMP/problems/sleepy"
mkdir -p "$P/data/sample"
printf 'name: Sleepy\nlimits:\n  time_limit: 20\n  memory: 256\nvalidation: default\n' >"$P/problem.yaml"
echo 1 >"$P/data/sample/01.in"
echo 1 >"$P/data/sample/01.ans"
stage_serve hello-judge
HJ="$top_srcdir/problems/hello-judge/submissions"

serve_places
serve_user -o "lang.plugins=[\"python3\"]" \
	-o api.rate_burst=100000 -o api.rate_per_s=1000 \
	-o http.max_connections_per_ip=$((NSTREAMS + 100)) \
	-o judge.workers=2 \
	-o api.listen=127.0.0.1:$PORT -o metrics.listen=127.0.0.1:$PORT \
	-o log.level=info 2>>"$ERRF"
serve_wait
ALICE=$(token alice) && BOB=$(token bob) || fail "algocode token failed"

# submit TOKEN PROBLEM FILE: prints the submission id.
submit() {
	"$PY" -c 'import json,sys; print(json.dumps({"problem_id": sys.argv[1], "lang": "python3", "code": open(sys.argv[2]).read()}))' \
		"$2" "$3" >"$TEST_TMP/sub.json"
	curl -s -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
		--data-binary "@$TEST_TMP/sub.json" "$BASE/api/v1/code/submit/" |
		sed -n 's/.*"submission_id":"\([^"]*\)".*/\1/p'
}
metric() {
	curl -s -f -m 10 "$BASE/metrics" | awk -v m="algocode_$1" '$1 == m { print $2 }'
}
# check_order FILE VERDICT: the events of FILE are compile, tests 0..n-1
# in order, then the result, whose verdict and tests they match.
check_order() {
	"$PY" - "$1" "$2" <<'PYEOF' || fail "events of $1: $(cut -c1-300 "$1")"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
names = [e["event"] for e in ev]
assert names[0] == "compile" and names[-1] == "result", names
assert all(n == "test" for n in names[1:-1]), names
doc = ev[-1]["data"]
tests = [e["data"] for e in ev[1:-1]]
assert doc["verdict_code"] == sys.argv[2], doc["verdict_code"]
assert [t["index"] for t in tests] == list(range(len(doc["tests"]))), tests
assert [t["name"] for t in tests] == [t["name"] for t in doc["tests"]]
assert [t["verdict_code"] for t in tests] == [t["verdict_code"] for t in doc["tests"]]
assert ev[0]["data"]["ok"] is doc["compile"]["ok"]
print(len(tests), "tests")
PYEOF
}

# ------------------------------------------------ order of the events
ID=$(submit "$ALICE" hello-judge "$HJ/accepted/input_line.py")
[ -n "$ID" ] || fail "submission refused"
"$PY" "$CLIENT" events "$BASE" "$ALICE" "$ID" 120 >"$TEST_TMP/ac.ev" ||
	fail "stream: $(cat "$TEST_TMP/ac.ev")"
N=$(check_order "$TEST_TMP/ac.ev" AC) || exit 1
ok "live stream: compile, $N in order, result (Accepted)"
"$PY" "$CLIENT" events "$BASE" "$ALICE" "$ID" 20 >"$TEST_TMP/ac2.ev" ||
	fail "stream after the result: $(cat "$TEST_TMP/ac2.ev")"
check_order "$TEST_TMP/ac2.ev" AC >/dev/null || exit 1
T=$("$PY" -c 'import json,sys; print(json.loads(open(sys.argv[1]).readlines()[-1])["t"] < 2)' "$TEST_TMP/ac2.ev")
[ "$T" = True ] || fail "the final event of a finished submission was not sent at once"
ok "a stream opened after the result gets every event at once"

printf 'print("Hello, " + input())\n' >"$TEST_TMP/src/wa.py"
ID=$(submit "$ALICE" hello-judge "$TEST_TMP/src/wa.py")
"$PY" "$CLIENT" events "$BASE" "$ALICE" "$ID" 120 >"$TEST_TMP/wa.ev" || fail "stream (WA)"
check_order "$TEST_TMP/wa.ev" WA >/dev/null || exit 1
ok "wrong answer: the failing test then the result"

ID=$(submit "$ALICE" hello-judge "$HJ/compile_error/unclosed_paren.py")
"$PY" "$CLIENT" events "$BASE" "$ALICE" "$ID" 120 >"$TEST_TMP/ce.ev" || fail "stream (CE)"
"$PY" - "$TEST_TMP/ce.ev" <<'PYEOF' || fail "CE events: $(cut -c1-300 "$TEST_TMP/ce.ev")"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert [e["event"] for e in ev] == ["compile", "result"], ev
assert ev[0]["data"]["ok"] is False and ev[0]["data"]["log"]
assert ev[1]["data"]["verdict_code"] == "CE"
PYEOF
ok "compilation error: compile (not ok, with its log) then the result"

# ------------------------------------------------------- ownership
printf 'import time\ntime.sleep(6)\nprint(input())\n' >"$TEST_TMP/src/sleep.py"
SLOW=$(submit "$ALICE" sleepy "$TEST_TMP/src/sleep.py")
[ -n "$SLOW" ] || fail "submission to sleepy refused"
S=$("$PY" "$CLIENT" status "$BASE" "$BOB" "$SLOW")
case $S in "404 application/json"*'"Not found."'*) ;; *) fail "another user's stream: $S" ;; esac
S=$("$PY" "$CLIENT" status "$BASE" "$BOB" "$ID")
case $S in "404 application/json"*) ;; *) fail "another user's finished stream: $S" ;; esac
S=$("$PY" "$CLIENT" status "$BASE" - "$SLOW")
case $S in "401 "*) ;; *) fail "stream without a token: $S" ;; esac
S=$("$PY" "$CLIENT" status "$BASE" "$ALICE" 00000000-0000-4000-8000-000000000000)
case $S in "404 "*) ;; *) fail "unknown stream: $S" ;; esac
S=$("$PY" "$CLIENT" status "$BASE" "$ALICE" "$SLOW")
case $S in "200 text/event-stream"*) ;; *) fail "own pending stream: $S" ;; esac
ok "another user's stream 404, no token 401, unknown 404, own 200 text/event-stream"

# --------------------------------------------------------- disconnect
for i in 1 2 3 4 5; do
	"$PY" "$CLIENT" disconnect "$BASE" "$ALICE" "$SLOW" >/dev/null || fail "disconnect client"
done
n=0
while [ "$(metric result_streams)" != 0 ] && [ $n -lt 50 ]; do
	sleep 0.1
	n=$((n + 1))
done
[ "$(metric result_streams)" = 0 ] ||
	fail "streams of clients gone are still open: $(metric result_streams)"
ok "clients that disconnected midway: no stream left open"
# The poll keeps working as before (parked up to 5 s, then the result).
R=$(curl -s -m 30 -H "Authorization: Bearer $ALICE" "$BASE/api/v1/result/check/$SLOW/")
case $R in *'"status":"pending"'* | *'"status":"success"'*) ;; *) fail "poll: $R" ;; esac
ok "the result poll still answers"

# ------------------------------------------------ submissions list
# alice: three of hello-judge (AC, WA, CE) and one of sleepy, newest first.
curl -s -H "Authorization: Bearer $ALICE" "$BASE/api/v1/submissions/" >"$TEST_TMP/list.json"
curl -s -H "Authorization: Bearer $ALICE" "$BASE/api/v1/submissions/?problem=hello-judge" >"$TEST_TMP/list_hj.json"
curl -s -H "Authorization: Bearer $BOB" "$BASE/api/v1/submissions/" >"$TEST_TMP/list_bob.json"
"$PY" - "$TEST_TMP/list.json" "$TEST_TMP/list_hj.json" "$TEST_TMP/list_bob.json" "$SLOW" <<'PYEOF' ||
import json, sys
a, hj, bob = (json.load(open(f)) for f in sys.argv[1:4])
assert a["count"] == 4 and a["page"] == 1 and a["next"] is None and a["previous"] is None, a
r = a["results"]
assert r[0]["submission_id"] == sys.argv[4] and r[0]["problem_id"] == "sleepy", r[0]
assert [x["verdict_code"] for x in r[1:]] == ["CE", "WA", "AC"], r
assert all(x["lang"] == "python3" and x["submitted_at"].endswith("Z") for x in r), r
assert r[0]["status"] in ("pending", "done")
assert r[3]["verdict"] == "Accepted" and r[3]["time_ms"] >= 0 and r[3]["memory_kb"] > 0 and r[3]["finished_at"]
assert [x["submitted_at"] for x in r] == sorted((x["submitted_at"] for x in r), reverse=True)
assert hj["count"] == 3 and all(x["problem_id"] == "hello-judge" for x in hj["results"]), hj
assert bob["count"] == 0 and bob["results"] == [], bob
PYEOF
	fail "submissions list: $(head -c 600 "$TEST_TMP/list.json")"
S=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/v1/submissions/")
[ "$S" = 401 ] || fail "submissions list without a token: HTTP $S"
S=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $ALICE" "$BASE/api/v1/submissions/?page=2")
[ "$S" = 404 ] || fail "submissions list page 2 of 1: HTTP $S"
S=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $ALICE" "$BASE/api/v1/submissions/?problem=../x")
[ "$S" = 400 ] || fail "submissions list, bad problem id: HTTP $S"
ok "submissions list: newest first, verdicts, filter by problem, own only, 401/404/400"

# ------------------------------------------- 1000 concurrent streams
RSS0=$(awk '/VmRSS/ { print $2 }' "/proc/$SERVER/status")
SLOW=$(submit "$ALICE" sleepy "$TEST_TMP/src/sleep.py")
OUT=$("$PY" "$CLIENT" many "$BASE" "$ALICE" "$SLOW" "$NSTREAMS" 120 \
	"awk '/VmRSS/ { print \$2 }' /proc/$SERVER/status") || fail "many streams client"
echo "$OUT"
"$PY" - "$OUT" "$NSTREAMS" "$RSS0" <<'PYEOF' || fail "concurrent streams: $OUT"
import json, sys
s = json.loads(sys.argv[1]); n = int(sys.argv[2]); rss0 = int(sys.argv[3])
assert s["status_200"] == n and s["results"] == n, s
rss = int(s["rss"]) if s["rss"] else None
if rss is not None:
    print("api RSS: %d KiB before, %d KiB with %d streams open (%.1f KiB a stream)"
          % (rss0, rss, n, (rss - rss0) / n))
    # Bounded: far below a thread's stack per stream (8 MiB).
    assert rss - rss0 < n * 64, "%d KiB for %d streams" % (rss - rss0, n)
PYEOF
ok "$NSTREAMS concurrent streams on one api process, every one got the result"
[ "$(metric result_streams)" = 0 ] || fail "streams left open: $(metric result_streams)"
kill -0 "$SERVER" 2>/dev/null || fail "the server died"
# A clean stop; under ASan, no leak and no undefined behaviour reported.
kill -TERM "$SERVER"
wait_gone "$SERVER" 60 || fail "the server did not stop on SIGTERM"
! grep -E "ERROR: (LeakSanitizer|AddressSanitizer)|runtime error:" "$ERRF" ||
	fail "the sanitizers reported errors (above)"
ok "the server stopped cleanly"
