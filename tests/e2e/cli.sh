#!/bin/sh
# The command line: help, version, judge (terminal and --json), check-env,
# token, and clear errors for bad usage.
. "$(dirname "$0")/lib.sh"

"$ALGOCODE_BIN" --help | grep -q "problem verify" || fail "--help lists no commands"
"$ALGOCODE_BIN" --version | grep -q "^algocode [0-9]" || fail "--version"
ok "help and version"

"$ALGOCODE_BIN" frobnicate >/dev/null 2>&1
[ $? -eq 2 ] || fail "an unknown command must exit 2"
"$ALGOCODE_BIN" judge $AC_OPTS >/dev/null 2>&1
[ $? -eq 2 ] || fail "judge without arguments must exit 2"
ok "usage errors exit 2"

# A bad configuration stops with the file and line.
printf 'roles = [ "api" ;\n' > "$TEST_TMP/bad.conf"
"$ALGOCODE_BIN" check-env -c "$TEST_TMP/bad.conf" 2>"$TEST_TMP/err" && fail "bad config accepted"
grep -q "bad.conf:1" "$TEST_TMP/err" || fail "config error names no file:line: $(cat "$TEST_TMP/err")"
ok "config errors name file and line"

out=$(ac check-env) || fail "check-env failed"
echo "$out"
echo "$out" | grep -q "cpp" || fail "check-env lists no language"
# Every plugin says its own version (the build's, for the bundled ones).
version=$("$ALGOCODE_BIN" --version | sed -n '1s/^algocode \([^ ]*\).*/\1/p')
echo "$out" | grep -q "^sandbox ns $version (" || fail "check-env: no sandbox plugin version $version: $out"
echo "$out" | grep -q "(plugin cpp $version)" || fail "check-env: no cpp plugin version: $out"
ok "check-env"

problem="$top_srcdir/problems/hello-judge"
[ -d "$problem" ] || problem=$(ls -d "$top_srcdir"/problems/*/ | head -1)
acc=$(ls "$problem"/submissions/accepted/*.cpp | head -1)
[ -f "$acc" ] || fail "no accepted submission in $problem"

# --json prints exactly one document on stdout.
ac judge --problem "$problem" --lang cpp --json "$acc" >"$TEST_TMP/res.json" 2>"$TEST_TMP/judge.err" \
	|| fail "judge --json exited $?: $(cat "$TEST_TMP/judge.err")"
python3 - "$TEST_TMP/res.json" <<'PY' || fail "bad result document: $(cat "$TEST_TMP/res.json")"
import json, sys
text = open(sys.argv[1]).read()
doc = json.loads(text)            # exactly one document: loads() refuses trailing data
assert doc["verdict_code"] == "AC", doc
assert doc["verdict"] == "Accepted"
for k in ("submission_id", "problem_id", "lang", "user_id", "time_ms", "memory_kb",
          "compile", "tests", "judge", "submitted_at", "finished_at"):
    assert k in doc, k
assert doc["compile"]["ok"] is True
assert len(doc["tests"]) >= 1
for t in doc["tests"]:
    for k in ("name", "verdict_code", "time_ms", "wall_ms", "memory_kb", "exit_code", "signal", "message"):
        assert k in t, k
    assert t["verdict_code"] == "AC"
assert doc["tests"][0]["name"].startswith("sample/"), doc["tests"][0]["name"]
assert doc["judge"]["sandbox"] == "ns"
PY
ok "judge --json"

# Without --json: a line per test, then the verdict; a CE exits 0 too.
ac judge --problem "$problem" --lang cpp "$acc" >"$TEST_TMP/out.txt" || fail "judge exited $?"
grep -q "\[1/" "$TEST_TMP/out.txt" || fail "no per-test progress: $(cat "$TEST_TMP/out.txt")"
tail -1 "$TEST_TMP/out.txt" | grep -q "^AC Accepted" || fail "no verdict line: $(cat "$TEST_TMP/out.txt")"
printf 'int main( {\n' > "$TEST_TMP/ce.cpp"
ac judge --problem "$problem" --lang cpp --json "$TEST_TMP/ce.cpp" >"$TEST_TMP/ce.json" \
	|| fail "judge of a CE exited $?"
grep -q '"verdict_code":"CE"' "$TEST_TMP/ce.json" || fail "CE expected: $(cat "$TEST_TMP/ce.json")"
grep -q 'error' "$TEST_TMP/ce.json" || fail "the compile log is missing"
ok "judge progress and CE"

ac judge --problem "$problem" --lang cobol "$acc" >/dev/null 2>"$TEST_TMP/err" && fail "unknown language accepted"
grep -q 'supported: cpp' "$TEST_TMP/err" || fail "unknown language error: $(cat "$TEST_TMP/err")"
ac judge --problem "$TEST_TMP/nope" --lang cpp "$acc" >/dev/null 2>"$TEST_TMP/err" && fail "unknown problem accepted"
grep -q 'nope' "$TEST_TMP/err" || fail "unknown problem error: $(cat "$TEST_TMP/err")"
ok "judge errors"

# token: creates the secret (0600) and prints a JWT.
tok=$(ac token --user alice --ttl 60) || fail "token failed"
echo "$tok" | grep -Eq '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' || fail "not a JWT: $tok"
[ "$(stat -c %a "$TEST_TMP/jwt.secret")" = 600 ] || fail "secret file mode is not 0600"
ac token >/dev/null 2>&1
[ $? -eq 2 ] || fail "token without --user must exit 2"
ok "token"

# Nothing of the runs is left in the work directory.
[ -z "$(ls "$TEST_TMP/work" 2>/dev/null | grep '^run-')" ] || fail "run directories left in $TEST_TMP/work"
ok "work directory clean"
