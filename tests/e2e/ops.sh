#!/bin/sh
# Operating `algocode serve` (issue 19), as production runs it: started as
# root with -o user=algocode, through HTTP.
#
# 1. systemd's readiness protocol without systemd: NOTIFY_SOCKET names a
#    datagram socket this test reads: READY=1 once the listeners are up,
#    RELOADING=1 and READY=1 around a SIGHUP, STOPPING=1 on SIGTERM.
# 2. Journald priorities: with JOURNAL_STREAM naming stderr, lines start
#    with "<N>"; without it, with the time.
# 3. Health: the healthcheck answers as the original; the readiness
#    endpoint names store, transport and sandbox; /version; /metrics has
#    process_* and build_info.
# 4. SIGHUP: a problem directory added is listed and judged; a broken new
#    package is refused with its error logged; a package broken in place
#    keeps its previous version, still judged; log.file is reopened.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

need_serve
[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed (the judged language here)"

# -------------------------------------------------- journald priorities
# stderr is a file here: JOURNAL_STREAM names it by device:inode, as
# systemd names the journal's stream socket.
J="$TEST_TMP/journal.err"
: >"$J"
JS="$(stat -c %d "$J"):$(stat -c %i "$J")"
# shellcheck disable=SC2086
env JOURNAL_STREAM="$JS" "$ALGOCODE_BIN" judge $AC_OPTS -o log.level=info \
	-o 'lang.plugins=["nosuch","python3"]' --problem "$top_srcdir/problems/hello-judge" \
	--lang python3 "$top_srcdir/problems/hello-judge/submissions/accepted/input_line.py" \
	>/dev/null 2>>"$J" || fail "judge with JOURNAL_STREAM: $(cat "$J")"
grep -q '^<4>.*language skipped (plugin not installed)' "$J" ||
	fail "no <4> (warning) line with JOURNAL_STREAM set: $(cat "$J")"
grep -q '^[0-9]\{4\}-' "$J" && fail "a line with the time although the journal keeps it: $(cat "$J")"
# shellcheck disable=SC2086
env JOURNAL_STREAM=1:1 "$ALGOCODE_BIN" judge $AC_OPTS -o log.level=info \
	-o 'lang.plugins=["nosuch","python3"]' --problem "$top_srcdir/problems/hello-judge" \
	--lang python3 "$top_srcdir/problems/hello-judge/submissions/accepted/input_line.py" \
	>/dev/null 2>"$TEST_TMP/plain.err" || fail "judge: $(cat "$TEST_TMP/plain.err")"
grep -q '^<[0-9]>' "$TEST_TMP/plain.err" && fail "priority prefixes on a stderr that is not the journal's"
grep -q '^[0-9]\{4\}-.*Z warn .*language skipped' "$TEST_TMP/plain.err" || fail "no timed line: $(cat "$TEST_TMP/plain.err")"
ok "journald priorities (<4> for a warning) only when JOURNAL_STREAM is stderr"

# -------------------------------------------------- the server
stage_serve hello-judge
serve_places
LOGS="$TEST_TMP/logs"
mkdir "$LOGS"
chown "$USER_NAME" "$LOGS"

notify_listen

export NOTIFY_SOCKET="$NSOCK"
serve_user -o lang.cpp.pch=false \
	-o log.file="$LOGS/algocode.log" \
	-o api.listen=127.0.0.1:$PORT -o metrics.listen=127.0.0.1:$PORT \
	-o log.level=info 2>"$ERRF"
unset NOTIFY_SOCKET
# READY=1 comes once every listener is up: no polling of the port.
wait_started serve "$SERVER" "$LOGS/algocode.log" 60 notified READY=1
curl -s -f -o /dev/null "$BASE/api/v1/common/healthcheck/" || fail "READY=1 sent before the API answers"
ok "READY=1 on NOTIFY_SOCKET once the API answers"
grep -q 'serving (roles: auth api judge)' "$LOGS/algocode.log" ||
	fail "log.file holds no start-up line: $(cat "$LOGS/algocode.log")"

# -------------------------------------------------- health
[ "$(curl -s "$BASE/api/v1/common/healthcheck/")" = '{"status": "OK"}' ] ||
	[ "$(curl -s "$BASE/api/v1/common/healthcheck/")" = '{"status":"OK"}' ] ||
	fail "healthcheck changed: $(curl -s "$BASE/api/v1/common/healthcheck/")"
code=$(curl -s -o "$TEST_TMP/ready.json" -w '%{http_code}' "$BASE/api/v1/common/ready/")
[ "$code" = 200 ] || fail "ready: HTTP $code: $(cat "$TEST_TMP/ready.json")"
python3 - "$TEST_TMP/ready.json" <<'EOF' || fail "ready: $(cat "$TEST_TMP/ready.json")"
import json, sys
d = json.load(open(sys.argv[1]))
c = d["checks"]
assert d["status"] == "ready", d
assert c["store"] == "up" and c["transport"] == "up" and c["sandbox"] == "up", c
assert c["problems"] == 1, c
EOF
ok "ready: store, transport and sandbox helper up"
curl -s -f "$BASE/version" >"$TEST_TMP/version.json" || fail "GET /version"
python3 - "$TEST_TMP/version.json" "$("$ALGOCODE_BIN" --version)" <<'EOF' || fail "version: $(cat "$TEST_TMP/version.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["name"] == "algocode" and d["version"] in sys.argv[2], d
p = d["plugins"]
assert p["transport"] == "inproc" and p["store"] == "sqlite" and p["sandbox"] == "ns", p
assert "python3" in p["lang"], p
EOF
ok "/version: $(cat "$TEST_TMP/version.json")"
curl -s -f "$BASE/metrics" >"$TEST_TMP/metrics" || fail "GET /metrics"
for m in process_cpu_seconds_total process_resident_memory_bytes process_open_fds process_start_time_seconds; do
	grep -q "^$m [0-9]" "$TEST_TMP/metrics" || fail "/metrics has no $m"
done
grep -q '^algocode_build_info{version="[^"]*",abi="[0-9.]*"} 1$' "$TEST_TMP/metrics" || fail "/metrics has no build_info"
python3 - "$TEST_TMP/metrics" <<'EOF' || fail "process_* values are off"
import sys, time
m = dict(l.split(" ", 1) for l in open(sys.argv[1]) if l[0] != "#" and "{" not in l)
assert 0 < float(m["process_resident_memory_bytes"]) < 4 << 30
assert 3 <= float(m["process_open_fds"]) < 100000
assert abs(float(m["process_start_time_seconds"]) - time.time()) < 3600
EOF
ok "/metrics: process_* and build_info"

# -------------------------------------------------- judging helpers
TOKEN=$(token ops) || fail "token"
submit() { # PROBLEM SOURCE LANG -> submission id
	submit_file "$TOKEN" "$1" "$3" "$2"
}
verdict() { # ID -> verdict code, waiting for the result
	result_doc "$TOKEN" "$1" "$TEST_TMP/res.json" 120
	doc_field "$TEST_TMP/res.json" 'd["verdict_code"]'
}
listed() { # -> the problem ids of the first page
	curl -s -f "$BASE/api/v1/problem/all/" |
		python3 -c 'import json,sys; print(" ".join(sorted(q["id"] for q in json.load(sys.stdin)["questions"]["results"])))'
}
reload() { # SIGHUP, then wait for the READY=1 that ends it
	before=$(grep -cx 'READY=1' "$NOTES")
	kill -HUP "$SERVER"
	n=0
	while [ "$(grep -cx 'READY=1' "$NOTES")" -le "$before" ] && [ $n -lt 600 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	[ "$(grep -cx 'READY=1' "$NOTES")" -gt "$before" ] || fail "no READY=1 after SIGHUP: $(cat "$NOTES")"
	grep -qx 'RELOADING=1' "$NOTES" || fail "no RELOADING=1 before it"
}
[ "$(listed)" = "hello-judge" ] || fail "listed before the reload: $(listed)"

# -------------------------------------------------- reload: added, broken
cp -r "$top_srcdir/problems/countdown" "$TEST_TMP/problems/"
mkdir -p "$TEST_TMP/problems/broken-new/data/secret"
printf 'name: Broken\nlimits:\n  time_limit: -3\n' >"$TEST_TMP/problems/broken-new/problem.yaml"
chmod -R go+rX "$TEST_TMP/problems"
# While a submission is being judged: the reload must not disturb it.
id0=$(submit hello-judge "$top_srcdir/problems/hello-judge/submissions/accepted/input_line.py" python3)
mv "$LOGS/algocode.log" "$LOGS/algocode.log.1"
reload
[ "$(verdict "$id0")" = AC ] || fail "the submission judged across the reload: $(cat "$TEST_TMP/res.json")"
[ "$(listed)" = "countdown hello-judge" ] || fail "listed after the reload: $(listed)"
id=$(submit countdown "$top_srcdir/problems/countdown/submissions/accepted/join.py" python3)
[ "$(verdict "$id")" = AC ] || fail "the added problem was not judged AC: $(cat "$TEST_TMP/res.json")"
ok "SIGHUP: an added problem is listed and judged AC; a running judgement went on"
[ -s "$LOGS/algocode.log" ] || fail "log.file was not reopened after SIGHUP"
grep -q 'problem broken-new skipped: .*problem.yaml' "$LOGS/algocode.log" ||
	fail "the broken package's error is not logged: $(cat "$LOGS/algocode.log")"
grep -q 'reload: 2 problems (1 added, 0 changed, 0 removed' "$LOGS/algocode.log" ||
	fail "no reload summary: $(cat "$LOGS/algocode.log")"
ok "SIGHUP: the broken package is refused with its error logged; log.file reopened"

# -------------------------------------------------- reload: broken in place
cp "$TEST_TMP/problems/hello-judge/problem.yaml" "$TEST_TMP/hello.yaml"
printf 'name: Hello\nlimits:\n  memory: lots\n' >"$TEST_TMP/problems/hello-judge/problem.yaml"
reload
grep -q 'problem hello-judge: the package no longer loads (see above); its previous version stays' "$LOGS/algocode.log" ||
	fail "no line for the package broken in place: $(cat "$LOGS/algocode.log")"
[ "$(listed)" = "countdown hello-judge" ] || fail "listed after the broken reload: $(listed)"
id=$(submit hello-judge "$top_srcdir/problems/hello-judge/submissions/accepted/input_line.py" python3)
[ "$(verdict "$id")" = AC ] || fail "the kept problem was not judged: $(cat "$TEST_TMP/res.json")"
ok "SIGHUP: a package broken in place is refused, its previous version kept and judged"
# A SIGHUP sent to every process (pkill -HUP algocode) leaves the root
# sandbox helper alone: the reload is serve's.
HELPER=$(ps -o pid=,comm= --ppid "$SERVER" | awk '$2 == "algocode-sbx" { print $1 }')
[ -n "$HELPER" ] || fail "no sandbox helper under serve"
kill -HUP "$HELPER"
sleep 0.5
kill -0 "$HELPER" 2>/dev/null || fail "SIGHUP killed the sandbox helper"
kill -0 "$SERVER" || fail "serve died"

# -------------------------------------------------- stop
kill -TERM "$SERVER"
wait_gone "$SERVER" 60 || fail "serve did not stop on SIGTERM"
[ "$GONE_RC" = 0 ] || fail "serve exited $GONE_RC: $(tail -5 "$LOGS/algocode.log")"
grep -qx 'STOPPING=1' "$NOTES" || fail "no STOPPING=1: $(cat "$NOTES")"
ok "STOPPING=1 on SIGTERM, exit 0"
