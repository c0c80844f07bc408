# Helpers of the tests that drive a sandbox plugin through tests/sbxrun
# (tests/e2e/sandbox.sh, tests/e2e/docker_sandbox.sh); sourced after
# lib.sh.  The test sets SBX (the sbxrun binary), PLUGIN (the plugin's
# .so), MARK (a word in every argv of its runs) and, optionally, SET
# (--set options of the plugin); programs are in $TEST_TMP/bin.

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
