#!/bin/sh
# `algocode problem verify` on every example problem: each labelled
# submission must get exactly the verdict of its submissions/<kind>/.
. "$(dirname "$0")/lib.sh"

n=0
for dir in "$top_srcdir"/problems/*/; do
	[ -f "$dir/problem.yaml" ] || continue
	n=$((n + 1))
done
[ "$n" -ge 10 ] || fail "expected at least 10 example problems, found $n"

ac problem verify "$top_srcdir"/problems/*/ >"$TEST_TMP/verify.txt" 2>&1
status=$?
cat "$TEST_TMP/verify.txt"
[ $status -eq 0 ] || fail "problem verify reported mismatches (exit $status)"
grep -q "^OK" "$TEST_TMP/verify.txt" || fail "nothing was verified"
# Every verdict kind is covered by the examples.
for code in AC WA TLE MLE OLE RE CE; do
	grep -q "^OK .*: $code " "$TEST_TMP/verify.txt" || fail "no example submission gets $code"
done
# The interactive (Kattis and testlib), multi-pass and Python-validated
# examples (issue 17) are among them, each with AC, WA, TLE and RE.
for p in guess guess-testlib square-root-back any-divisor; do
	for code in AC WA TLE RE; do
		grep -q "^OK *$p/.*: $code " "$TEST_TMP/verify.txt" || fail "$p: no submission gets $code"
	done
done
grep -q "^OK *guess: input validator range: 9 of 9 inputs valid" "$TEST_TMP/verify.txt" ||
	fail "the input validator of guess did not run"
# Scoring: the partial-score submissions got their expected scores.
grep -q "^OK .*gauss-sum/wrong_answer/int32.cpp: WA .*score 40)" "$TEST_TMP/verify.txt" ||
	fail "gauss-sum's partial submission did not score 40"
# 2023-07: the validator in output_validator/ accepted a pair the answer
# file does not hold (the default validator would say WA).
grep -q "^OK .*split-sum/accepted/halves.cpp: AC" "$TEST_TMP/verify.txt" ||
	fail "split-sum's output_validator/ was not used"

# A scoring validator's score.txt: split-sum as type: scoring; the
# balanced split scores 2 on each of its 5 tests.
cp -R "$top_srcdir/problems/split-sum" "$TEST_TMP/scored"
chmod -R u+w "$TEST_TMP/scored"
sed -i 's/^type: pass-fail$/type: scoring/' "$TEST_TMP/scored/problem.yaml"
ac judge --problem "$TEST_TMP/scored" --lang cpp --json \
	"$TEST_TMP/scored/submissions/accepted/halves.cpp" >"$TEST_TMP/scored.json" 2>&1 ||
	fail "judge scored: $(cat "$TEST_TMP/scored.json")"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["verdict_code"] == "AC" and d["score"] == 10, d
assert [t["score"] for t in d["tests"]] == [2, 2, 2, 2, 2], d["tests"]
assert d["groups"][0] == {"name": "", "verdict_code": "AC", "score": 10}, d["groups"]
' "$TEST_TMP/scored.json" || fail "score.txt not used: $(cat "$TEST_TMP/scored.json")"
# ... and submissions.yaml (2023-07) states the expected scores.
cat >>"$TEST_TMP/scored/submissions/submissions.yaml" <<'YAML'
accepted/halves.cpp:
  score: 10
accepted/one_and_rest.cpp:
  score: [6, 8]
wrong_answer:
  score: 0
YAML
ac problem verify "$TEST_TMP/scored" >"$TEST_TMP/scored.txt" 2>&1 ||
	fail "verify scored: $(cat "$TEST_TMP/scored.txt")"
grep -q "^OK .*halves.cpp: AC .*score 10)" "$TEST_TMP/scored.txt" || fail "halves: $(cat "$TEST_TMP/scored.txt")"
grep -q "^OK .*one_and_rest.cpp: AC .*score 7)" "$TEST_TMP/scored.txt" || fail "one_and_rest: $(cat "$TEST_TMP/scored.txt")"
sed -i 's/score: 10$/score: 9/' "$TEST_TMP/scored/submissions/submissions.yaml"
ac problem verify "$TEST_TMP/scored" >"$TEST_TMP/scored.txt" 2>&1 && fail "a wrong expected score passed"
grep -q "^MISMATCH .*halves.cpp: score 10, expected 9" "$TEST_TMP/scored.txt" || fail "no score mismatch: $(cat "$TEST_TMP/scored.txt")"

# A package that says what Algocode does not read is refused by name.
bad() { # name, problem.yaml, what the error must say
	mkdir -p "$TEST_TMP/bad/$1/data/secret"
	echo 1 >"$TEST_TMP/bad/$1/data/secret/1.in"
	echo 1 >"$TEST_TMP/bad/$1/data/secret/1.ans"
	printf '%b' "$2" >"$TEST_TMP/bad/$1/problem.yaml"
	ac problem verify "$TEST_TMP/bad/$1" >"$TEST_TMP/bad/$1.txt" 2>&1 &&
		fail "$1: verify succeeded"
	grep -q "^BROKEN .*$1/problem.yaml: .*$3" "$TEST_TMP/bad/$1.txt" ||
		fail "$1: no clear error: $(cat "$TEST_TMP/bad/$1.txt")"
}
bad unknown-key 'name: x\nmemory_limit: 64\n' 'memory_limit: unknown key'
bad unknown-type 'problem_format_version: 2023-07\ntype: quiz\n' 'type: "quiz"'
bad unknown-version 'problem_format_version: 2031-01\n' 'problem_format_version: "2031-01"'
bad submit-answer 'problem_format_version: 2023-07\ntype: submit-answer\n' 'submit-answer is not supported'

# --fix-time-limit writes the limit computed from the accepted runs.
cp -R "$top_srcdir/problems/split-sum" "$TEST_TMP/fix"
chmod -R u+w "$TEST_TMP/fix"
sed -i 's/  time_limit: 1$/  time_limit: 7.5/' "$TEST_TMP/fix/problem.yaml"
ac problem verify --fix-time-limit "$TEST_TMP/fix" >"$TEST_TMP/fix.txt" 2>&1 ||
	fail "verify --fix-time-limit: $(cat "$TEST_TMP/fix.txt")"
grep -q "^TIME .*-> time limit 1 s (was 7.5 s" "$TEST_TMP/fix.txt" ||
	fail "no time limit computed: $(cat "$TEST_TMP/fix.txt")"
grep -q "^  time_limit: 1$" "$TEST_TMP/fix/problem.yaml" ||
	fail "time limit not written: $(cat "$TEST_TMP/fix/problem.yaml")"
# A testlib checker's points (exit 7, "points N" on its stderr) are the
# test's score in a scoring problem.
P="$TEST_TMP/points"
mkdir -p "$P/data/secret" "$P/output_validator"
printf 'problem_format_version: 2023-07\nname: Points\ntype: scoring\nvalidator_protocol: testlib\n' >"$P/problem.yaml"
echo 6 >"$P/data/secret/1.in"
echo 42 >"$P/data/secret/1.ans"
cat >"$P/output_validator/checker.c" <<'C'
#include <stdio.h>
int main(int argc, char **argv)
{
	long v = 0;
	FILE *f = argc > 2 ? fopen(argv[2], "r") : NULL;
	if (!f || fscanf(f, "%ld", &v) != 1)
		return 1;
	if (v == 42)
		return 0;
	if (v == 21) {
		fprintf(stderr, "points 0.5 half of it\n");
		return 7;
	}
	return 1;
}
C
for v in 42 21 7; do
	printf '#include <cstdio>\nint main(){puts("%s");}\n' "$v" >"$TEST_TMP/p$v.cpp"
	ac judge --problem "$P" --lang cpp --json "$TEST_TMP/p$v.cpp" >"$TEST_TMP/p$v.json" 2>&1 ||
		fail "judge points $v: $(cat "$TEST_TMP/p$v.json")"
done
python3 - "$TEST_TMP" <<'PY' || fail "testlib points: $(cat "$TEST_TMP"/p*.json)"
import json, sys
d = {v: json.load(open(f"{sys.argv[1]}/p{v}.json")) for v in (42, 21, 7)}
assert d[42]["verdict_code"] == "AC" and d[42]["score"] == 1, d[42]
assert d[21]["verdict_code"] == "AC" and d[21]["score"] == 0.5, d[21]
assert d[21]["tests"][0]["score"] == 0.5, d[21]["tests"]
assert d[7]["verdict_code"] == "WA" and d[7]["score"] == 0, d[7]
PY
ok "a testlib checker's points score a test (1, 0.5, 0)"

ok "$n problems verified"
