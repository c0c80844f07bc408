#!/bin/sh
# Interactive problems through the server (issue 17): `algocode serve`
# started as root with privilege separation judges interactive submissions
# over HTTP (two sandbox runs per test through the root helper, relayed by
# the judge), with the verdicts of problems/guess and guess-testlib, a
# transcript on the sample, and nothing left behind on the host: no
# process, no file or mount in the judge's state directory, no cgroup.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

need_serve
need_cmd g++

stage_serve guess guess-testlib
serve_places
# Sandbox ids of this test only: what runs under them afterwards is ours.
UID0=$((62000 + $$ % 1000 * 16))
serve_user -o lang.cpp.pch=false -o sandbox.uid=$UID0 -o sandbox.uid_count=16 \
	-o api.listen=127.0.0.1:$PORT -o log.level=info 2>"$ERRF"
serve_wait
sbx_helper

n=0
check() { # PROBLEM KIND FILE VERDICT (a user of its own: rate limits)
	n=$((n + 1))
	TOKEN=$(token "player$n") || fail "token"
	id=$(submit_file "$TOKEN" "$1" cpp "$TEST_TMP/problems/$1/submissions/$2/$3")
	result_doc "$TOKEN" "$id" "$TEST_TMP/res-$id.json"
	got=$(doc_field "$TEST_TMP/res-$id.json" 'd["verdict_code"]')
	[ "$got" = "$4" ] || fail "$1/$2/$3: $got, expected $4: $(head -c 1500 "$TEST_TMP/res-$id.json")"
	LAST=$TEST_TMP/res-$id.json
}
check guess accepted binary_search.cpp AC
check guess wrong_answer flood.cpp WA
check guess wrong_answer close_stdin_early.cpp WA
check guess time_limit_exceeded never_reads.cpp TLE
check guess run_time_error crash_after_guess.cpp RE
# The sample's message keeps the exchange.
python3 - "$LAST" <<'PY' || fail "no transcript on the sample: $(head -c 1500 "$LAST")"
import json, sys
t = json.load(open(sys.argv[1]))["data"]["tests"][0]
assert t["name"] == "sample/1", t
assert "transcript:\n< 500\n> lower" in t["message"], t["message"]
PY
check guess-testlib accepted bisect.cpp AC
check guess-testlib wrong_answer flood.cpp WA
ok "$n interactive submissions judged through the server and the root helper with their verdicts; the sample shows its transcript"

# ------------------------------------------------ nothing left behind
# Results are stored when the judgement is over (its run directory
# removed): give the helper a moment to close what it holds.
sleep 1
host_clean "after the last result" "$HELPER" --uids $UID0 16 \
	--work "$STATE/work" --keep cache --keep validators --mounts "$STATE"
others=$(find "$STATE/work" ! -user "$USER_NAME" -print | head -n 5)
[ -z "$others" ] || fail "files in the work directory not owned by $USER_NAME: $others"
ok "no process, run directory or mount left, no process in a cgroup; the work directory stays $USER_NAME's"

kill -TERM "$SERVER"
wait "$SERVER" || fail "serve exited $? on SIGTERM"
host_clean "after the server stopped" "$HELPER" --gone
ok "no cgroup of the server's sandbox and no sandbox helper left after it stopped"
