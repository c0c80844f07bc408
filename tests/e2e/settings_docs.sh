#!/bin/sh
# The generated settings tables (docs/configuration.md, algocode.conf(5),
# conf.d/examples/) match what the binary prints from the declared tables,
# as console/check.sh does for the console bundle; each sample fragment is
# a configuration check-config accepts.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || skip "python3 is not installed"
python3 "$top_srcdir/scripts/settings_docs.py" "$ALGOCODE_BIN" \
	"$top_builddir/plugins-build" "$top_srcdir" >"$TEST_TMP/out" 2>&1 ||
	{ cat "$TEST_TMP/out"; fail "the generated settings documentation is out of date (make update-settings-docs)"; }
cat "$TEST_TMP/out"
ok "docs/configuration.md, docs/algocode.conf.5.in and conf.d/examples/ match algocode settings"

# Each fragment, dropped into the include_dir of a configuration of its
# kind, is accepted (only its plugin line is active).
for so in "$top_builddir"/plugins-build/*/*.so; do
	kind=$(basename "$(dirname "$so")")
	name=$(basename "$so" .so)
	frag="$top_srcdir/conf.d/examples/$kind-$name.conf"
	[ -f "$frag" ] || fail "no sample fragment $frag"
	d="$TEST_TMP/$kind-$name.d"
	mkdir -p "$d"
	cp "$frag" "$d/50-example.conf"
	{
		echo "include_dir = \"$d\";"
		echo 'roles = [ "judge" ];'
		if [ "$kind" = lang ]; then echo "lang = { plugins = [ \"$name\" ]; };"; fi
	} >"$TEST_TMP/$kind-$name.conf"
	"$ALGOCODE_BIN" check-config -c "$TEST_TMP/$kind-$name.conf" \
		-o plugins.dir="$top_builddir/plugins-build" >"$TEST_TMP/cc.out" 2>&1 ||
		fail "$frag is not accepted: $(cat "$TEST_TMP/cc.out")"
done
ok "every sample fragment passes check-config"
