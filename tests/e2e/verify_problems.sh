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
ok "$n problems verified"
