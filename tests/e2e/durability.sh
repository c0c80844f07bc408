#!/bin/sh
# A 201 from submit is a promise: that submission gets exactly one result.
#
# A single node (in-process transport, SQLite store) served as root with
# privilege separation.  Ten clients send 200 submissions (a mix of
# Accepted, Wrong Answer and Time Limit Exceeded sources); the server is
# killed mid-stream and started again on the same store, once with SIGKILL
# and once with SIGTERM.  Every submission answered 201 must get exactly
# one result, with the right verdict; the counts are printed.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

N=${DURABILITY_N:-200}
need_separation
command -v curl >/dev/null 2>&1 || skip "curl is not installed"
need_python
need_judging

# What the unprivileged server reads: plugins and one quick problem (one
# test, 0.5 s: a Time Limit Exceeded costs little), and a broken one.
cp -rL "$top_builddir/plugins-build" "$TEST_TMP/plugins"
P="$TEST_TMP/problems/durable-echo"
mkdir -p "$TEST_TMP/src"
echo_problem "$P" "Durable echo" 0.5 durable
# A problem whose output validator always fails: an Internal Error, which
# the judge judges again (judge.ie_retries) before it publishes it.
B="$TEST_TMP/problems/durable-broken"
mkdir -p "$B/data/sample" "$B/output_validators/bad"
printf 'name: Broken validator\nlimits:\n  time_limit: 1\nvalidation: custom\n' >"$B/problem.yaml"
cp "$P/data/sample/01.in" "$P/data/sample/01.ans" "$B/data/sample/" 2>/dev/null ||
	{ echo "durable" >"$B/data/sample/01.in"; echo "durable" >"$B/data/sample/01.ans"; }
printf 'int main() { return 1; }\n' >"$B/output_validators/bad/validator.cpp"
printf 'print(input())\n' >"$TEST_TMP/src/ac.py"
printf 'print("not " + input())\n' >"$TEST_TMP/src/wa.py"
printf 'while True:\n    pass\n' >"$TEST_TMP/src/tle.py"
chmod -R go+rX "$TEST_TMP/plugins" "$TEST_TMP/problems"

serve_places

start_serve() {
	serve_separated -o judge.shutdown_grace_s=20
}

# Tokens for ten users, signed with the server's key (created at the first
# start).
start_serve
: >"$TEST_TMP/tokens"
for u in 0 1 2 3 4 5 6 7 8 9; do
	ac token -o api.jwt_secret_file="$STATE/jwt.secret" --user "durable$u" \
		>>"$TEST_TMP/tokens" || fail "algocode token failed"
done

# An Internal Error is retried, logged with the submission id and counted
# by cause before it is published.
TOK=$(head -1 "$TEST_TMP/tokens")
ID=$(curl -s -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' \
	--data-binary '{"problem_id":"durable-broken","lang":"python3","code":"print(input())"}' \
	"$BASE/api/v1/code/submit/" | sed -n 's/.*"submission_id":"\([^"]*\)".*/\1/p')
[ -n "$ID" ] || fail "submission to durable-broken refused"
V=""
n=0
while [ -z "$V" ] && [ $n -lt 60 ]; do
	V=$(curl -s -H "Authorization: Bearer $TOK" "$BASE/api/v1/result/check/$ID/" |
		sed -n 's/.*"verdict_code":"\([A-Z]*\)".*/\1/p')
	n=$((n + 1))
done
[ "$V" = IE ] || fail "a broken validator gave $V, not IE"
grep -q "submission $ID: Internal Error (cause validator.*retry 2 of 2" "$ERRF" ||
	fail "no retries logged for $ID: $(grep "$ID" "$ERRF")"
M=$(curl -s "$BASE/metrics")
echo "$M" | grep -q '^algocode_judge_retries_total{cause="validator"} 2' ||
	fail "judge_retries_total: $(echo "$M" | grep retries)"
echo "$M" | grep -q '^algocode_internal_errors_total{cause="validator"} 1' ||
	fail "internal_errors_total: $(echo "$M" | grep internal_errors)"
ok "an Internal Error is judged again twice, then published once, counted by cause"

# run SIGNAL: 200 submissions, SIGNAL to the server once a third of them
# were answered, a restart 0.15 s after it is gone, then the check.
run() {
	sig=$1
	out="$TEST_TMP/$sig.jsonl"
	prog="$TEST_TMP/$sig.progress"
	: >"$out"
	echo 0 >"$prog"
	LOG0=$(($(wc -l <"$ERRF") + 1))
	t0=$(date +%s)
	"$PY" "$top_srcdir/tests/e2e/durability_clients.py" submit "$BASE" \
		"$TEST_TMP/tokens" "$TEST_TMP/src" "$N" "$out" "$prog" &
	CLIENTS=$!
	wait_count "$prog" $((N / 3))
	[ "$(cat "$prog")" -lt "$N" ] ||
		echo "note: every submission was answered before the $sig"
	kill -"$sig" "$SERVER"
	wait_gone "$SERVER" 60 || fail "the server did not stop on $sig"
	grep -q "still running after the" "$ERRF" &&
		echo "note: some judgements outlived the grace period"
	sleep 0.15
	start_serve
	wait "$CLIENTS" || fail "the submitting clients failed"
	# Every accepted submission has its result: poll them, then stop the
	# server (SIGTERM) and read the store.
	"$PY" "$top_srcdir/tests/e2e/durability_clients.py" verify "$BASE" \
		"$TEST_TMP/tokens" "$out" "$STATE/algocode.db" 150 \
		>"$TEST_TMP/$sig.verify"
	VRC=$?
	echo "--- $sig mid-stream ($(($(date +%s) - t0)) s):"
	sed 's/^/    /' "$TEST_TMP/$sig.verify"
	grep -h "enqueued again (start-up" "$ERRF" | tail -1 | sed 's/^/    log: /'
	# At least once: a judgement cut by the signal is done again (the
	# store keeps the first result).
	again=$(sed -n "$LOG0,\$p" "$ERRF" |
		sed -n 's/.*submission \([0-9a-f-]*\): [A-Z]* (.*tests.*/\1/p' |
		sort | uniq -d | wc -l)
	echo "    judged more than once (one result kept): $again"
	[ $VRC = 0 ] || fail "$sig: a 201 without exactly one right result (log: $ERRF)"
	ok "$sig mid-stream: every submission answered 201 got exactly one result with the right verdict"
}

run KILL
run TERM

kill -TERM "$SERVER"
wait_gone "$SERVER" 60 || fail "the server did not stop"
grep -q "Sanitizer" "$ERRF" && fail "a sanitizer report in the server's log: $(grep -A5 Sanitizer "$ERRF" | head -20)"
ok "the server stopped cleanly"
