#!/bin/sh
# `algocode check-config`: every setting checked against the declared
# tables (the core's and the plugins'), each error with its file:line or
# its -o; the ready configurations pass; serve refuses to start on the
# same errors, with the same message.
. "$(dirname "$0")/lib.sh"

P="-o plugins.dir=$top_builddir/plugins-build"
[ -f "$top_builddir/plugins-build/lang/cpp.so" ] || skip "the cpp plugin is not built"

# check-config ARGS...: its stderr in $TEST_TMP/err, its status in $rc.
check() {
	# shellcheck disable=SC2086
	"$ALGOCODE_BIN" check-config "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
	rc=$?
}
# has LINE: stderr holds exactly this line.
has() {
	grep -qxF -- "$1" "$TEST_TMP/err" || fail "missing line \"$1\" in: $(cat "$TEST_TMP/err")"
}

# ---------------------------------------------- the ready configurations
for c in single-node api judge auth; do
	check -c "$top_builddir/conf.d/$c.conf" $P
	[ $rc -eq 0 ] || fail "conf.d/$c.conf: $(cat "$TEST_TMP/err")"
	[ "$(cat "$TEST_TMP/out")" = ok ] || fail "conf.d/$c.conf: no ok: $(cat "$TEST_TMP/out")"
done
ok "the ready configurations pass"

# Nothing is started: a transport whose broker is not there is not waited
# for (rabbitmq would log that it retries).
port=$(free_port)
check -c "$top_builddir/conf.d/api.conf" $P -o transport.amqp_url="amqp://127.0.0.1:$port/"
[ $rc -eq 0 ] || fail "api.conf with no broker: $(cat "$TEST_TMP/err")"
if grep -qi 'connect' "$TEST_TMP/err"; then
	fail "check-config talked to the broker: $(cat "$TEST_TMP/err")"
fi
ok "check-config starts nothing (no broker needed)"

# ------------------------------------------------------ errors from -o
check -c "$top_builddir/conf.d/single-node.conf" $P -o lang.cpp.flgs=-O3
[ $rc -eq 1 ] || fail "a typo in a plugin setting: status $rc"
has "-o lang.cpp.flgs=-O3: lang.cpp.flgs: unknown setting of lang/cpp (did you mean lang.cpp.flags?)"
ok "-o lang.cpp.flgs=-O3 is an error naming the override"

check -c "$top_builddir/conf.d/single-node.conf" $P -o judge.workers=two \
	-o transport.max_queued_mb=0 -o api.lisen=127.0.0.1:1 \
	-o http.fd_reserve=3000000000
[ $rc -eq 1 ] || fail "errors from -o: status $rc"
has "-o judge.workers=two: judge.workers: must be an integer, not a string"
has "-o transport.max_queued_mb=0: transport.max_queued_mb: 0 is out of range (1 to 1048576)"
has "-o api.lisen=127.0.0.1:1: api.lisen: unknown setting (did you mean api.listen?)"
has "-o http.fd_reserve=3000000000: http.fd_reserve: 3000000000 is out of range (16 to 1048576)"
grep -q ": 4 errors$" "$TEST_TMP/err" || fail "no count of 4 errors: $(cat "$TEST_TMP/err")"
ok "a wrong type, out-of-range values (one beyond 32 bits) and an unknown core key, each named"

# --------------------------------------------- errors from files: file:line
mkdir -p "$TEST_TMP/t.d"
cat >"$TEST_TMP/t.conf" <<EOF
roles = [ "api", "judge" ];
include_dir = "t.d";
transport = { plugin = "inproc"; };
store = { plugin = "sqlite"; path = "$TEST_TMP/x.db"; };
lang = {
  plugins = [ "cpp" ];
  cpp = {
    flgs = "-O3";
    time_multiplier = "fast";
  };
};
judge = { workers = 300; };
api = { max_source_kb = "64"; };
EOF
cat >"$TEST_TMP/t.d/50-site.conf" <<EOF
# a site fragment
sandbox = { plugin = "ns"; uid = 0; };
EOF
check -c "$TEST_TMP/t.conf" $P
[ $rc -eq 1 ] || fail "errors in files: status $rc"
has "$TEST_TMP/t.conf:8: lang.cpp.flgs: unknown setting of lang/cpp (did you mean lang.cpp.flags?)"
has "$TEST_TMP/t.conf:9: lang.cpp.time_multiplier: must be a number, not a string"
has "$TEST_TMP/t.conf:12: judge.workers: 300 is out of range (1 to 256)"
has "$TEST_TMP/t.conf:13: api.max_source_kb: must be an integer, not a string"
has "$TEST_TMP/t.d/50-site.conf:2: sandbox.uid: 0 is out of range (1 to 2147483646)"
ok "a typo, wrong types and out-of-range values in a file and a fragment, with file:line"

# A language no plugin is there for (a typo); one installed but not in
# lang.plugins is checked against its plugin's table.
check -c "$top_builddir/conf.d/single-node.conf" $P -o lang.cp.flags=-O3
[ $rc -eq 1 ] || fail "lang.cp: status $rc"
has "-o lang.cp.flags=-O3: lang.cp: no language cp (not in lang.plugins, and no plugin $top_builddir/plugins-build/lang/cp.so)"
ok "the group of a language no plugin is installed for is an error"
check -c "$top_builddir/conf.d/single-node.conf" $P -o 'lang.plugins=["c"]' \
	-o lang.cpp.flags=-O3
[ $rc -eq 0 ] || fail "lang.cpp configured, not loaded: $(cat "$TEST_TMP/err")"
check -c "$top_builddir/conf.d/single-node.conf" $P -o 'lang.plugins=["c"]' \
	-o lang.cpp.flgs=-O3
[ $rc -eq 1 ] || fail "lang.cpp.flgs, cpp not loaded: status $rc"
has "-o lang.cpp.flgs=-O3: lang.cpp.flgs: unknown setting of lang/cpp (did you mean lang.cpp.flags?)"
ok "the group of an installed language not in lang.plugins is checked"
"$ALGOCODE_BIN" serve $AC_OPTS -o lang.cp.flags=-O3 >"$TEST_TMP/serve0.log" 2>&1 &&
	fail "serve exited 0 with lang.cp"
grep -qF -- "-o lang.cp.flags=-O3: lang.cp: no language cp" "$TEST_TMP/serve0.log" ||
	fail "serve: no clear message: $(cat "$TEST_TMP/serve0.log")"
ok "serve refuses the group of a language that is not installed"

# ------------------------------- a plugin of ABI 3.1: its group is not checked
oldops="$top_builddir/tests/plugins/.libs/oldops.so"
if [ -f "$oldops" ]; then
	mkdir -p "$TEST_TMP/plugins/lang"
	for k in "$top_builddir"/plugins-build/*/; do
		[ "$(basename "$k")" = lang ] || ln -s "$k" "$TEST_TMP/plugins/$(basename "$k")"
	done
	ln -s "$(readlink -f "$top_builddir/plugins-build/lang/cpp.so")" "$TEST_TMP/plugins/lang/cpp.so"
	cp "$oldops" "$TEST_TMP/plugins/lang/oldops.so"
	check -c "$top_builddir/conf.d/single-node.conf" -o plugins.dir="$TEST_TMP/plugins" \
		-o 'lang.plugins=["cpp","oldops"]' -o lang.oldops.anything=1
	[ $rc -eq 0 ] || fail "an ABI 3.1 plugin: $(cat "$TEST_TMP/err")"
	grep -q "lang/oldops (ABI 3.1) declares no settings: lang.oldops is not checked" "$TEST_TMP/err" ||
		fail "no warning naming the old plugin: $(cat "$TEST_TMP/err")"
	[ "$(grep -c 'lang/oldops' "$TEST_TMP/err")" -eq 1 ] || fail "warned more than once: $(cat "$TEST_TMP/err")"
	ok "an ABI 3.1 plugin loads; its group is not checked, said once"
fi

# ------------------------------------ serve refuses, with the same message
"$ALGOCODE_BIN" serve $AC_OPTS -o api.listen="127.0.0.1:$(free_port)" \
	-o lang.cpp.flgs=-O3 >"$TEST_TMP/serve.log" 2>&1 &
pid=$!
n=0
while kill -0 $pid 2>/dev/null; do
	n=$((n + 1))
	[ $n -lt 300 ] || { kill $pid; fail "serve started with lang.cpp.flgs"; }
	sleep 0.1
done
wait $pid && fail "serve exited 0 with lang.cpp.flgs"
grep -qF -- "-o lang.cpp.flgs=-O3: lang.cpp.flgs: unknown setting of lang/cpp (did you mean lang.cpp.flags?)" \
	"$TEST_TMP/serve.log" || fail "serve: no clear message: $(cat "$TEST_TMP/serve.log")"
ok "serve refuses a typo in a plugin setting with the same message"

"$ALGOCODE_BIN" serve $AC_OPTS -o api.lisen=127.0.0.1:1 >"$TEST_TMP/serve2.log" 2>&1 &&
	fail "serve exited 0 with api.lisen"
grep -qF -- "-o api.lisen=127.0.0.1:1: api.lisen: unknown setting (did you mean api.listen?)" \
	"$TEST_TMP/serve2.log" || fail "serve: no clear message: $(cat "$TEST_TMP/serve2.log")"
ok "serve refuses an unknown core setting with the same message"

# Usage errors.
"$ALGOCODE_BIN" check-config extra >/dev/null 2>&1
[ $? -eq 2 ] || fail "check-config with an argument: not a usage error"
"$ALGOCODE_BIN" check-config --help | grep -q "check-config" || fail "no --help"
ok "usage"
