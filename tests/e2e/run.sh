#!/bin/sh
# Run with custom input (issue 18), and submissions of several files
# (issue 17): POST /api/v1/code/run/ and
# GET /api/v1/code/run/ID/ through `algocode serve` started as root with
# privilege separation (-o user=algocode), over HTTP: a program that
# answers (OK, one document per input), TLE, RE (exit code, stderr head),
# CE (compile log), a bounded stdout, inputs too big or too many (413),
# no token (401), another user's run (404); then `algocode run` on the
# command line (output on stdout, verdict on stderr, --json).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

need_serve
CLIENTS="$top_srcdir/tests/e2e/api_clients.py"

# A+B, for submissions of several files.
P="$TEST_TMP/problems/aplusb"
mkdir -p "$P/data/sample" "$TEST_TMP/src"
printf 'name: A plus B\nlimits:\n  time_limit: 1\n  memory: 256\nvalidation: default\n' >"$P/problem.yaml"
printf '2 40\n' >"$P/data/sample/1.in"
printf '42\n' >"$P/data/sample/1.ans"
stage_serve
serve_places
serve_user -o "lang.plugins=[\"python3\",\"c\"]" \
	-o api.rate_burst=1000 -o api.rate_per_s=100 \
	-o api.run_max_input_kb=4 -o api.run_max_inputs=3 \
	-o run.time_limit_ms=500 -o run.stdout_kb=1 \
	-o api.listen=127.0.0.1:$PORT -o log.level=info 2>>"$ERRF"
serve_wait
ALICE=$(token alice) || fail "algocode token failed"
BOB=$(token bob)

# body FILE LANG SOURCE INPUT...: a run request with these inputs.
body() {
	_f=$1
	shift
	"$PY" -c 'import json,sys; print(json.dumps({"lang": sys.argv[1], "code": open(sys.argv[2]).read(), "inputs": sys.argv[3:]}))' "$@" >"$_f"
}
# run NAME LANG SOURCE INPUT...: the document of the run in $TEST_TMP/NAME.doc
run() {
	_n=$1
	shift
	body "$TEST_TMP/$_n.json" "$@"
	"$PY" "$CLIENTS" run "$BASE" "$ALICE" "$TEST_TMP/$_n.json" 120 \
		>"$TEST_TMP/$_n.doc" || fail "$_n: no run document: $(tail -5 "$ERRF")"
}
# check NAME EXPR: the Python expression on the document d is True.
check() {
	[ "$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1]))["data"]; print(eval(sys.argv[2]))' "$TEST_TMP/$1.doc" "$2")" = True ] ||
		fail "$1: not ($2): $(head -c 1500 "$TEST_TMP/$1.doc")"
}

printf 'import sys\nfor line in sys.stdin:\n    print(sum(map(int, line.split())))\n' >"$TEST_TMP/src/sum.py"
run ok python3 "$TEST_TMP/src/sum.py" "1 2
" "40 2
3 4
"
check ok "d['verdict_code'] == 'OK' and d['user_id'] == 'alice' and d['lang'] == 'python3' and d['run_id'].startswith('run-') and d['compile']['ok'] is True and len(d['runs']) == 2"
check ok "d['runs'][0]['stdout'] == '3\\n' and d['runs'][1]['stdout'] == '42\\n7\\n' and all(r['verdict_code'] == 'OK' and r['exit_code'] == 0 and r['signal'] == 0 and r['stdout_truncated'] is False and r['memory_kb'] > 0 and 'time_ms' in r and 'wall_ms' in r for r in d['runs'])"
ok "a program run on two inputs: OK, its output for each"

printf 'while True:\n    pass\n' >"$TEST_TMP/src/spin.py"
run tle python3 "$TEST_TMP/src/spin.py" ""
check tle "d['verdict_code'] == 'TLE' and d['runs'][0]['verdict_code'] == 'TLE' and d['runs'][0]['time_ms'] >= 400"
ok "a busy loop: TLE"

printf 'import sys\nsys.stdout.write("partial\\n")\nsys.stderr.write("boom\\n")\nsys.exit(3)\n' >"$TEST_TMP/src/re.py"
run re python3 "$TEST_TMP/src/re.py" "x"
check re "d['verdict_code'] == 'RE' and d['runs'][0]['exit_code'] == 3 and d['runs'][0]['stdout'] == 'partial\\n' and 'boom' in d['runs'][0]['stderr']"
ok "exit code 3: RE with its stdout, exit code and stderr head"

printf 'int main( {\n' >"$TEST_TMP/src/ce.c"
run ce c "$TEST_TMP/src/ce.c" "x"
check ce "d['verdict_code'] == 'CE' and d['compile']['ok'] is False and 'error' in d['compile']['log'] and d['runs'] == []"
ok "a syntax error: CE with the compile log"

printf 'print("x" * 5000)\n' >"$TEST_TMP/src/big.py"
run big python3 "$TEST_TMP/src/big.py" ""
check big "d['verdict_code'] == 'OK' and d['runs'][0]['stdout_truncated'] is True and d['runs'][0]['stdout'] == 'x' * 1024"
ok "stdout over run.stdout_kb: cut, with the truncated flag"

# Control characters are written \u0001 in the document (6 bytes each):
# run.stdout_kb bounds the written text, not the bytes (1 KiB: 170 of
# them), so that a run cannot make a document six times its limit.
printf 'import sys\nsys.stdout.write("\\x01" * 900 + "end")\n' >"$TEST_TMP/src/ctl.py"
run ctl python3 "$TEST_TMP/src/ctl.py" ""
check ctl "d['verdict_code'] == 'OK' and d['runs'][0]['stdout_truncated'] is True and d['runs'][0]['stdout'] == chr(1) * 170"
ok "an output of control characters: cut where its JSON text reaches run.stdout_kb"

# Bounds, authentication, ownership.
"$PY" -c 'print("1 " * 3000)' >"$TEST_TMP/big.in"
body "$TEST_TMP/toobig.json" python3 "$TEST_TMP/src/sum.py" "$(cat "$TEST_TMP/big.in")"
S=$(curl -s -o "$TEST_TMP/r" -w '%{http_code}' -H "Authorization: Bearer $ALICE" \
	-H 'Content-Type: application/json' --data-binary "@$TEST_TMP/toobig.json" "$BASE/api/v1/code/run/")
[ "$S" = 413 ] && grep -q 'limit is 4 KiB' "$TEST_TMP/r" || fail "an input over 4 KiB: HTTP $S $(cat "$TEST_TMP/r")"
body "$TEST_TMP/many.json" python3 "$TEST_TMP/src/sum.py" 1 2 3 4
S=$(curl -s -o "$TEST_TMP/r" -w '%{http_code}' -H "Authorization: Bearer $ALICE" \
	-H 'Content-Type: application/json' --data-binary "@$TEST_TMP/many.json" "$BASE/api/v1/code/run/")
[ "$S" = 413 ] || fail "four inputs (limit 3): HTTP $S $(cat "$TEST_TMP/r")"
ok "an input too big, too many inputs: 413"
S=$(curl -s -o "$TEST_TMP/r" -w '%{http_code}' -H 'Content-Type: application/json' \
	--data-binary "@$TEST_TMP/ok.json" "$BASE/api/v1/code/run/")
[ "$S" = 401 ] || fail "no token: HTTP $S"
printf '{"lang":"python3","code":"print(1)"}' >"$TEST_TMP/noinput.json"
S=$(curl -s -o "$TEST_TMP/r" -w '%{http_code}' -H "Authorization: Bearer $ALICE" \
	-H 'Content-Type: application/json' --data-binary "@$TEST_TMP/noinput.json" "$BASE/api/v1/code/run/")
[ "$S" = 400 ] || fail "no input: HTTP $S"
RID=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["data"]["run_id"])' "$TEST_TMP/ok.doc")
S=$(curl -s -o "$TEST_TMP/r" -w '%{http_code}' -H "Authorization: Bearer $BOB" "$BASE/api/v1/code/run/$RID/")
[ "$S" = 404 ] || fail "another user's run: HTTP $S"
S=$(curl -s -o "$TEST_TMP/r" -w '%{http_code}' -H "Authorization: Bearer $ALICE" "$BASE/api/v1/code/run/$RID/")
[ "$S" = 200 ] || fail "a finished run, asked again: HTTP $S"
S=$(curl -s -o "$TEST_TMP/r" -w '%{http_code}' -H "Authorization: Bearer $ALICE" "$BASE/api/v1/code/run/run-00000000/")
[ "$S" = 404 ] || fail "an unknown run: HTTP $S"
ok "no token 401, no input 400, another user's run 404, own run again 200"
kill -0 "$SERVER" || fail "the server died"

# Submissions of several files through the API (issue 17).
# submit_files NAME LANG FILE...: POST the files, poll the result.
submit_files() {
	_n=$1 _l=$2
	shift 2
	"$PY" -c 'import json,os,sys; print(json.dumps({"problem_id": "aplusb", "lang": sys.argv[1], "files": [{"name": os.path.basename(f), "content": open(f).read()} for f in sys.argv[2:]]}))' "$_l" "$@" >"$TEST_TMP/$_n.json"
	ID=$(curl -s -H "Authorization: Bearer $ALICE" -H 'Content-Type: application/json' \
		--data-binary "@$TEST_TMP/$_n.json" "$BASE/api/v1/code/submit/" |
		sed -n 's/.*"submission_id":"\([^"]*\)".*/\1/p')
	[ -n "$ID" ] || fail "$_n: submission of several files refused"
	"$PY" "$CLIENTS" poll "$BASE" "$ALICE" "$ID" 120 >"$TEST_TMP/$_n.doc" ||
		fail "$_n: no result"
}
mkdir -p "$TEST_TMP/m"
printf 'from helper import add\nif __name__ == "__main__":\n    a, b = map(int, input().split())\n    print(add(a, b))\n' >"$TEST_TMP/m/sol.py"
printf 'def add(a, b):\n    return a + b\n' >"$TEST_TMP/m/helper.py"
printf '#include <stdio.h>\n#include "add.h"\nint main(void) { long a, b; if (scanf("%%ld %%ld", &a, &b) != 2) return 1; printf("%%ld\\n", add(a, b)); return 0; }\n' >"$TEST_TMP/m/main.c"
printf 'long add(long a, long b);\n' >"$TEST_TMP/m/add.h"
printf '#include "add.h"\nlong add(long a, long b) { return a + b; }\n' >"$TEST_TMP/m/add.c"
submit_files mpy python3 "$TEST_TMP/m/sol.py" "$TEST_TMP/m/helper.py"
check mpy "d['verdict_code'] == 'AC'"
submit_files mc c "$TEST_TMP/m/main.c" "$TEST_TMP/m/add.c" "$TEST_TMP/m/add.h"
check mc "d['verdict_code'] == 'AC'"
cp "$TEST_TMP/m/helper.py" "$TEST_TMP/m/other.py"
submit_files mnomain python3 "$TEST_TMP/m/helper.py" "$TEST_TMP/m/other.py"
check mnomain "d['verdict_code'] == 'CE' and 'cannot tell the main file' in d['compile']['log']"
ok "several files: Python (main by its __main__ guard) and C (all .c compiled) AC; no main file: CE saying why"
printf '{"problem_id":"aplusb","lang":"c","files":[{"name":"../x.c","content":"int main(){}"}]}' >"$TEST_TMP/badname.json"
S=$(curl -s -o "$TEST_TMP/r" -w '%{http_code}' -H "Authorization: Bearer $ALICE" \
	-H 'Content-Type: application/json' --data-binary "@$TEST_TMP/badname.json" "$BASE/api/v1/code/submit/")
[ "$S" = 400 ] && grep -q 'is not valid' "$TEST_TMP/r" || fail "a file name with a path: HTTP $S $(cat "$TEST_TMP/r")"
printf '{"problem_id":"aplusb","lang":"c","files":[{"name":".hidden.c","content":"int main(){}"}]}' >"$TEST_TMP/badname.json"
S=$(curl -s -o "$TEST_TMP/r" -w '%{http_code}' -H "Authorization: Bearer $ALICE" \
	-H 'Content-Type: application/json' --data-binary "@$TEST_TMP/badname.json" "$BASE/api/v1/code/submit/")
[ "$S" = 400 ] || fail "a dot-file: HTTP $S $(cat "$TEST_TMP/r")"
ok "file names with a path or a leading dot: 400"

# The command line: the program's output on stdout, the verdict on stderr.
OUT=$(printf '5 6\n' | ac run -o judge.work_dir="$TEST_TMP/cliwork" \
	-o "lang.plugins=[\"python3\"]" --lang python3 "$TEST_TMP/src/sum.py" 2>"$TEST_TMP/cli.err") ||
	fail "algocode run failed: $(cat "$TEST_TMP/cli.err")"
[ "$OUT" = 11 ] || fail "algocode run printed \"$OUT\""
grep -q '^OK OK: .* ms, .* KiB, exit code 0' "$TEST_TMP/cli.err" || fail "algocode run stderr: $(cat "$TEST_TMP/cli.err")"
printf '' | ac run -o judge.work_dir="$TEST_TMP/cliwork" -o "lang.plugins=[\"python3\"]" \
	--lang python3 --json "$TEST_TMP/src/re.py" >"$TEST_TMP/cli.json" 2>"$TEST_TMP/cli.err" ||
	fail "algocode run --json failed: $(cat "$TEST_TMP/cli.err")"
[ "$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["verdict_code"] == "RE" and d["runs"][0]["exit_code"] == 3)' "$TEST_TMP/cli.json")" = True ] ||
	fail "algocode run --json: $(cat "$TEST_TMP/cli.json")"
ok "algocode run: output on stdout, verdict on stderr; --json"
OUT=$(ac judge -o judge.work_dir="$TEST_TMP/cliwork" -o "lang.plugins=[\"c\"]" \
	--problem "$P" --lang c "$TEST_TMP/m/main.c" "$TEST_TMP/m/add.c" "$TEST_TMP/m/add.h" 2>&1) ||
	fail "algocode judge of three files failed: $OUT"
echo "$OUT" | grep -q '^AC Accepted' || fail "algocode judge of three files: $OUT"
ok "algocode judge main.c add.c add.h: AC"
