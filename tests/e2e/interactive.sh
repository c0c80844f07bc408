#!/bin/sh
# Interactive problems through the server (issue 17): `algocode serve`
# started as root with privilege separation judges interactive submissions
# over HTTP (two sandbox runs per test through the root helper, relayed by
# the judge), with the verdicts of problems/guess and guess-testlib, a
# transcript on the sample, and nothing left behind on the host: no
# process, no file or mount in the judge's state directory, no cgroup.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

USER_NAME=${AC_TEST_USER:-algocode}
[ "$(id -u)" = 0 ] || skip "needs root (serve separates privileges only when started as root)"
id "$USER_NAME" >/dev/null 2>&1 || skip "no user $USER_NAME"
command -v curl >/dev/null 2>&1 || skip "curl is not installed"
command -v g++ >/dev/null 2>&1 || skip "no g++"
ENV_OUT=$(ac check-env 2>&1) || skip "algocode check-env failed: $ENV_OUT"
case $ENV_OUT in
*"judging is refused"*) skip "the sandbox cannot enforce its limits here (check-env)" ;;
esac

cp -rL "$top_builddir/plugins-build" "$TEST_TMP/plugins"
mkdir "$TEST_TMP/problems"
cp -r "$top_srcdir/problems/guess" "$top_srcdir/problems/guess-testlib" "$TEST_TMP/problems/"
chmod -R go+rX "$TEST_TMP/plugins" "$TEST_TMP/problems"
STATE="$TEST_TMP/state"
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
# Sandbox ids of this test only: what runs under them afterwards is ours.
UID0=$((62000 + $$ % 1000 * 16))
ERRF="$TEST_TMP/serve.err"
start_bg "$ALGOCODE_BIN" serve $AC_OPTS -o user="$USER_NAME" \
	-o "state_dirs=[\"$STATE\"]" \
	-o plugins.dir="$TEST_TMP/plugins" \
	-o judge.problems_dir="$TEST_TMP/problems" \
	-o store.path="$STATE/algocode.db" \
	-o judge.work_dir="$STATE/work" \
	-o api.jwt_secret_file="$STATE/jwt.secret" \
	-o lang.cpp.pch=false -o sandbox.uid=$UID0 -o sandbox.uid_count=16 \
	-o api.listen=127.0.0.1:$PORT -o log.level=info 2>"$ERRF"
SERVER=$BG_PID
wait_http "$BASE/api/v1/common/healthcheck/" 60 || fail "the server did not start: $(cat "$ERRF")"
HELPER=$(ps -o pid=,comm= --ppid "$SERVER" | awk '$2 == "algocode-sbx" { print $1 }')
[ -n "$HELPER" ] || fail "no sandbox helper (algocode-sbx) under the server"

n=0
submit() { # PROBLEM SOURCE -> submission id (as $TOKEN)
	python3 -c 'import json,sys; print(json.dumps({"problem_id": sys.argv[1], "lang": "cpp", "code": open(sys.argv[2]).read()}))' \
		"$1" "$2" >"$TEST_TMP/sub.json"
	curl -s -f -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
		--data-binary "@$TEST_TMP/sub.json" "$BASE/api/v1/code/submit/" >"$TEST_TMP/sub.out" ||
		fail "submit $2 failed: $(cat "$TEST_TMP/sub.out")"
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["result"]["submission_id"])' "$TEST_TMP/sub.out"
}
result() { # ID -> the result document in $TEST_TMP/res-ID.json
	python3 "$top_srcdir/tests/e2e/api_clients.py" poll "$BASE" "$TOKEN" "$1" 180 >"$TEST_TMP/res-$1.json" ||
		fail "no result for $1"
}
check() { # PROBLEM KIND FILE VERDICT (a user of its own: rate limits)
	n=$((n + 1))
	TOKEN=$(ac token --user "player$n" -o api.jwt_secret_file="$STATE/jwt.secret") || fail "token"
	id=$(submit "$1" "$TEST_TMP/problems/$1/submissions/$2/$3")
	result "$id"
	got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["data"]["verdict_code"])' "$TEST_TMP/res-$id.json")
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
left=$(ps -eo uid=,pid=,args= | awk -v a=$UID0 -v b=$((UID0 + 16)) '$1 >= a && $1 < b')
[ -z "$left" ] || fail "processes of the sandbox ids are left: $left"
kids=$(ps -o pid=,args= --ppid "$HELPER")
[ -z "$kids" ] || fail "the sandbox helper still has children: $kids"
runs=$(ls "$STATE/work" | grep -v -e '^cache$' -e '^validators$' || true)
[ -z "$runs" ] || fail "left in the work directory: $runs"
mounts=$(grep -F "$STATE" "/proc/$HELPER/mountinfo" /proc/self/mountinfo || true)
[ -z "$mounts" ] || fail "mounts left under the state directory: $mounts"
# The sandbox keeps a few empty cgroups (spares for the next runs, finished
# ones removed later): none may hold a process now, none may outlive the
# server.
for cg in $(find /sys/fs/cgroup -maxdepth 5 -type d -name "run-$HELPER-*" 2>/dev/null); do
	# ... but for the helper's own spare spawner (a thread of the helper
	# waiting in the next run's cgroups: docs/sandbox.md, "Cold runs").
	other=$(while read -r p; do
		[ "$p" = "$HELPER" ] || [ -e "/proc/$HELPER/task/$p" ] || echo "$p"
	done <"$cg/cgroup.procs" 2>/dev/null)
	[ -z "$other" ] || fail "processes left in $cg: $other"
done
others=$(find "$STATE/work" ! -user "$USER_NAME" -print | head -n 5)
[ -z "$others" ] || fail "files in the work directory not owned by $USER_NAME: $others"
ok "no process, run directory or mount left, no process in a cgroup; the work directory stays $USER_NAME's"

kill -TERM "$SERVER"
wait "$SERVER" || fail "serve exited $? on SIGTERM"
cgs=$(find /sys/fs/cgroup -maxdepth 5 -type d -name "run-$HELPER-*" 2>/dev/null | head -n 5)
[ -z "$cgs" ] || fail "cgroups left after the server stopped: $cgs"
ok "no cgroup of the server's sandbox left after it stopped"
