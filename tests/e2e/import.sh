#!/bin/sh
# `algocode problem import`: a Polygon package (problem.xml) and a Kattis
# zip become packages Algocode loads, and what could not be carried over
# is reported by name.
. "$(dirname "$0")/lib.sh"

[ -x /usr/bin/unzip ] || skip "/usr/bin/unzip is not installed"
POLY="$top_srcdir/tests/e2e/data/polygon-aplusb"

# Polygon: names, limits, samples, groups with points, the checker, the
# statement, the solutions; a generated test and a group dependency are
# reported.
ac problem import "$POLY" "$TEST_TMP/apb" >"$TEST_TMP/poly.txt" 2>&1 ||
	fail "polygon import: $(cat "$TEST_TMP/poly.txt")"
cat "$TEST_TMP/poly.txt"
grep -q "^FORMAT: Polygon" "$TEST_TMP/poly.txt" || fail "not seen as Polygon"
grep -q "^NOT CARRIED OVER: test 5: .*generated" "$TEST_TMP/poly.txt" || fail "the generated test is not reported"
grep -q "^NOT CARRIED OVER: group 2: dependencies" "$TEST_TMP/poly.txt" || fail "the group dependency is not reported"
grep -q '^NOT CARRIED OVER: solution .*rejected' "$TEST_TMP/poly.txt" || fail "the unmapped solution is not reported"
grep -q "^LOADED: apb, 4 tests (1 samples)" "$TEST_TMP/poly.txt" || fail "the result does not load"
grep -q '^  en: "A + B & friends"' "$TEST_TMP/apb/problem.yaml" || fail "name: $(cat "$TEST_TMP/apb/problem.yaml")"
grep -q '^  time_limit: 2$' "$TEST_TMP/apb/problem.yaml" || fail "time limit"
grep -q '^validator_flags: case_sensitive$' "$TEST_TMP/apb/problem.yaml" || fail "std::wcmp not mapped"
grep -q '^accept_score: 80$' "$TEST_TMP/apb/data/secret/group-2/testdata.yaml" || fail "group points"
ok "polygon package imported"

# The imported package judges its own solutions, with the group scores.
ac problem verify "$TEST_TMP/apb" >"$TEST_TMP/v.txt" 2>&1 || fail "verify: $(cat "$TEST_TMP/v.txt")"
grep -q "^OK .*apb/accepted/main.cpp: AC .*score 100)" "$TEST_TMP/v.txt" || fail "main.cpp: $(cat "$TEST_TMP/v.txt")"
ok "imported polygon package verified"

# A Kattis zip (the package one directory down, as zips usually are).
(cd "$top_srcdir/problems" && python3 -c '
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for root, dirs, files in os.walk("split-sum"):
        for f in files:
            z.write(os.path.join(root, f))
' "$TEST_TMP/split.zip") || fail "cannot make the zip"
ac problem import "$TEST_TMP/split.zip" "$TEST_TMP/split" >"$TEST_TMP/k.txt" 2>&1 ||
	fail "kattis import: $(cat "$TEST_TMP/k.txt")"
grep -q "^FORMAT: Kattis" "$TEST_TMP/k.txt" || fail "not seen as Kattis: $(cat "$TEST_TMP/k.txt")"
grep -q "^LOADED: split, 5 tests" "$TEST_TMP/k.txt" || fail "kattis: $(cat "$TEST_TMP/k.txt")"
[ -f "$TEST_TMP/split/output_validator/validator.cpp" ] || fail "the validator was not copied"
ok "kattis zip imported"

# A symlink that leads out of the package is not followed.
cp -R "$POLY" "$TEST_TMP/evil"
chmod -R u+w "$TEST_TMP/evil"
rm "$TEST_TMP/evil/tests/02"
ln -s /etc/passwd "$TEST_TMP/evil/tests/02"
ac problem import "$TEST_TMP/evil" "$TEST_TMP/evil-out" >"$TEST_TMP/evil.txt" 2>&1 ||
	fail "evil import: $(cat "$TEST_TMP/evil.txt")"
grep -q "^NOT CARRIED OVER: test 2: .*leads out of the package" "$TEST_TMP/evil.txt" ||
	fail "symlink followed: $(cat "$TEST_TMP/evil.txt")"
ok "symlinks out of the package are refused"

# Clear errors: not a package, an existing destination.
echo "not a zip" >"$TEST_TMP/junk.zip"
ac problem import "$TEST_TMP/junk.zip" "$TEST_TMP/junk" >/dev/null 2>"$TEST_TMP/e.txt" && fail "junk imported"
grep -q "unzip failed" "$TEST_TMP/e.txt" || fail "junk: $(cat "$TEST_TMP/e.txt")"
ac problem import "$POLY" "$TEST_TMP/apb" >/dev/null 2>"$TEST_TMP/e.txt" && fail "imported over a directory"
grep -q "already exists" "$TEST_TMP/e.txt" || fail "existing: $(cat "$TEST_TMP/e.txt")"
ok "import errors"
