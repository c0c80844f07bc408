#!/bin/sh
# The plugin-author kit: `make install DESTDIR=...`, then build the example
# language plugin of tests/plugin-kit/ out of tree with nothing but the
# installed headers and algocode-plugin.pc, load it and judge with it.
. "$(dirname "$0")/lib.sh"

command -v pkg-config >/dev/null || skip "pkg-config is not installed"
command -v cc >/dev/null || skip "no C compiler (cc)"
inst="$TEST_TMP/inst"
${MAKE:-make} -C "$top_builddir" install DESTDIR="$inst" >"$TEST_TMP/install.log" 2>&1 ||
	{ tail -20 "$TEST_TMP/install.log"; fail "make install DESTDIR=$inst failed"; }
pc=$(find "$inst" -name algocode-plugin.pc | head -n 1)
[ -n "$pc" ] || fail "algocode-plugin.pc was not installed"
hdr=$(find "$inst" -path '*/include/algocode/plugin.h' | head -n 1)
[ -n "$hdr" ] || fail "algocode/plugin.h was not installed"

# Build in a copy: nothing from the source or build tree is visible.
cp -R "$top_srcdir/tests/plugin-kit" "$TEST_TMP/kit"
PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR="$inst" \
	${MAKE:-make} -C "$TEST_TMP/kit" >"$TEST_TMP/kit.log" 2>&1 ||
	{ cat "$TEST_TMP/kit.log"; fail "the example plugin does not build out of tree"; }
grep -q -- "-I$inst" "$TEST_TMP/kit.log" || { cat "$TEST_TMP/kit.log"; fail "the build did not use the installed headers"; }
ok "example plugin built against $hdr"

# A plugins directory: the build tree's plugins plus the example.
pdir="$TEST_TMP/plugins"
mkdir -p "$pdir"
for k in "$top_builddir"/plugins-build/*/; do
	ln -s "$k" "$pdir/$(basename "$k")"
done
rm "$pdir/lang"
mkdir "$pdir/lang"
for so in "$top_builddir"/plugins-build/lang/*.so; do
	ln -s "$(readlink -f "$so")" "$pdir/lang/"
done
cp "$TEST_TMP/kit/sh.so" "$pdir/lang/sh.so"

ac judge -o plugins.dir="$pdir" -o 'lang.plugins=["cpp","sh"]' \
	--problem "$top_srcdir/problems/hello-judge" --lang sh --json \
	"$top_srcdir/tests/plugin-kit/hello.sh" >"$TEST_TMP/res.json" ||
	fail "judge with the example plugin failed"
python3 - "$TEST_TMP/res.json" <<'PY' || fail "unexpected result: $(cat "$TEST_TMP/res.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["lang"] == "sh", d["lang"]
assert d["verdict_code"] == "AC", d["verdict_code"]
assert d["judge"]["lang_version"] == "sh (example plugin)"
assert len(d["tests"]) >= 2
PY
ok "the out-of-tree plugin judged hello-judge: Accepted"

# Its declared settings are checked like the built-in plugins' ones.
"$ALGOCODE_BIN" check-config $AC_OPTS -o plugins.dir="$pdir" \
	-o 'lang.plugins=["cpp","sh"]' -o lang.sh.time_multiplier=500 \
	-o lang.sh.tme_multiplier=2 >/dev/null 2>"$TEST_TMP/cc.err" &&
	fail "check-config accepted lang.sh.time_multiplier = 500"
grep -qF -- "-o lang.sh.time_multiplier=500: lang.sh.time_multiplier: 500 is out of range (0.01 to 100)" "$TEST_TMP/cc.err" ||
	fail "no range error: $(cat "$TEST_TMP/cc.err")"
grep -qF -- "lang.sh.tme_multiplier: unknown setting of lang/sh (did you mean lang.sh.time_multiplier?)" "$TEST_TMP/cc.err" ||
	fail "no typo error: $(cat "$TEST_TMP/cc.err")"
ok "the out-of-tree plugin's settings table is checked"
