# Helpers of the tests that drive a sandbox plugin through tests/sbxrun
# (tests/e2e/sandbox.sh, tests/e2e/docker_sandbox.sh); sourced after
# lib.sh.  sbx_need sets SBX, PLUGIN and MARK; the test may set SET (--set
# options of the plugin) and puts its programs in $TEST_TMP/bin.

# sbx_need NAME WORD ROOT-WHY: SBX (tests/sbxrun), PLUGIN (sandbox/NAME)
# and MARK (WORD and the test's pid: a word in every argv of its runs);
# skips unless the plugin is built, we are root (ROOT-WHY says why it
# matters) and gcc builds the test programs.
sbx_need() {
	SBX="$top_builddir/tests/sbxrun"
	PLUGIN="$top_builddir/plugins-build/sandbox/$1.so"
	MARK="$2$$x"
	[ -x "$SBX" ] || fail "no $SBX: build it (make tests/sbxrun)"
	[ -e "$PLUGIN" ] || skip "sandbox/$1 plugin not built"
	[ "$(id -u)" = 0 ] || skip "$3"
	command -v gcc >/dev/null || skip "gcc is needed to build the test programs"
}

# sbx NAME [sbxrun options] -- ARGV: run in a fresh box holding bin/NAME
# as /box/prog; the report lands in NAME.rep.
sbx() {
	_n=$1
	shift
	_box="$TEST_TMP/box-$_n"
	rm -rf "$_box"
	mkdir -p "$_box"
	[ -f "$TEST_TMP/bin/$_n" ] && cp "$TEST_TMP/bin/$_n" "$_box/prog"
	# shellcheck disable=SC2086
	"$SBX" --plugin "$PLUGIN" ${SET:-} --box "$_box" \
		--stdout "$TEST_TMP/$_n.out" --stderr "$TEST_TMP/$_n.err" \
		"$@" > "$TEST_TMP/$_n.rep" 2> "$TEST_TMP/$_n.log"
	_rc=$?
	[ $_rc = 0 ] || fail "$_n: sbxrun exit $_rc: $(cat "$TEST_TMP/$_n.rep" "$TEST_TMP/$_n.log")"
}
# val NAME KEY: KEY of the report of run NAME.
val() { sed -n "s/^$2=//p" "$TEST_TMP/$1.rep"; }
# expect NAME KEY VALUE: fail unless the report of run NAME says so.
expect() {
	_got=$(val "$1" "$2")
	[ "$_got" = "$3" ] ||
		fail "$1: $2=$_got, expected $3; report: $(tr '\n' ' ' < "$TEST_TMP/$1.rep") out: $(head -c 300 "$TEST_TMP/$1.out")"
}
# no_leftovers WHAT: no process of the runs ($MARK) may survive them.
no_leftovers() {
	if pgrep -f "$MARK" > "$TEST_TMP/pg"; then
		ps -o pid,ppid,user,args -p "$(tr '\n' ',' < "$TEST_TMP/pg" | sed 's/,$//')" >&2
		pkill -KILL -f "$MARK"
		fail "$1: processes of the run survived it"
	fi
}
