#!/bin/sh
# Privilege separation of `algocode serve` started as root with `user` set:
# the process that speaks HTTP runs as that user with no capability, the
# sandbox runs in a root helper, submissions are judged through it, the
# state directory is handed over, and the server stops (exit 1, a clear
# message) when the helper dies.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

need_serve
UID_WANT=$(id -u "$USER_NAME")

# The unprivileged process loads its plugins and reads the problems after
# the switch: give it copies it can read wherever the build tree lives.
stage_serve all
serve_places

# check-env reports the separation from the configuration.
ac check-env -o user="$USER_NAME" | grep -q "privilege separation *enforced *serve runs as $USER_NAME" ||
	fail "check-env does not report the separation: $(ac check-env -o user="$USER_NAME" | grep privilege)"
ac check-env -o user=root | grep -q "privilege separation *NOT enforced" ||
	fail "check-env reports a separation with user = root"
ok "check-env reports privilege separation"

# An unknown user is a clear error, not a fallback to root.
if ac serve -o user=no-such-user-here -o api.listen=127.0.0.1:$PORT \
	>"$TEST_TMP/nouser.out" 2>&1; then
	fail "serve started with an unknown user"
fi
grep -q 'user "no-such-user-here" does not exist' "$TEST_TMP/nouser.out" ||
	fail "unknown user: $(cat "$TEST_TMP/nouser.out")"
ok "an unknown user is refused with a clear message"

# No precompiled header: its directory would lie under /tmp here, which
# the sandbox replaces with its own (a profile path there is refused).
start_serve() {
	serve_user -o lang.cpp.pch=false \
		-o api.listen=127.0.0.1:$PORT -o log.level=info 2>"$ERRF"
	serve_wait
}
start_serve

# ------------------------------------------------ who runs as whom
[ "$(ps -o uid= -p "$SERVER" | tr -d ' ')" = "$UID_WANT" ] ||
	fail "serve runs as uid $(ps -o uid= -p "$SERVER"), not $UID_WANT"
grep -q '^CapEff:[[:space:]]*0000000000000000' "/proc/$SERVER/status" ||
	fail "serve kept capabilities: $(grep Cap "/proc/$SERVER/status")"
grep -q '^Groups:[[:space:]]*[0-9]*[[:space:]]*$' "/proc/$SERVER/status" ||
	fail "serve kept supplementary groups: $(grep Groups "/proc/$SERVER/status")"
HELPER=$(ps -o pid=,comm= --ppid "$SERVER" | awk '$2 == "algocode-sbx" { print $1 }')
[ -n "$HELPER" ] || fail "no sandbox helper (algocode-sbx) under the server"
[ "$(ps -o uid= -p "$HELPER" | tr -d ' ')" = 0 ] || fail "the sandbox helper is not root"
grep -q "privilege separation: running as $USER_NAME" "$TEST_TMP/serve.err" ||
	fail "no start-up line: $(cat "$TEST_TMP/serve.err")"
ok "serve runs as $USER_NAME (uid $UID_WANT, no capabilities), the sandbox helper (pid $HELPER) as root"

[ "$(stat -c %u "$STATE")" = "$UID_WANT" ] || fail "the state directory was not handed over"
for f in algocode.db jwt.secret; do
	[ "$(stat -c %u "$STATE/$f")" = "$UID_WANT" ] || fail "$f is not owned by $USER_NAME"
done
[ "$(stat -c %a "$STATE/jwt.secret")" = 600 ] || fail "jwt.secret is not 0600"
ok "the state directory and what the server made in it belong to $USER_NAME"

# ------------------------------------------------ judged through the helper
TOKEN=$(token alice) || fail "token"
submit() { # PROBLEM SOURCE [LANG] -> submission id
	submit_file "$TOKEN" "$1" "${3:-cpp}" "$2"
}
verdict() { # ID -> verdict code, waiting for the result
	result_doc "$TOKEN" "$1" "$TEST_TMP/res.json"
	doc_field "$TEST_TMP/res.json" 'd["verdict_code"]'
}
n=0
for kind in accepted wrong_answer time_limit_exceeded; do
	code=$(case $kind in accepted) echo AC ;; wrong_answer) echo WA ;; *) echo TLE ;; esac)
	src=$(ls "$TEST_TMP"/problems/*/submissions/$kind/*.cpp 2>/dev/null | head -n 1)
	[ -n "$src" ] || continue
	prob=$(basename "$(dirname "$(dirname "$(dirname "$src")")")")
	id=$(submit "$prob" "$src")
	got=$(verdict "$id")
	[ "$got" = "$code" ] || fail "$prob/$kind/$(basename "$src"): $got, expected $code: $(head -c 1200 "$TEST_TMP/res.json")"
	n=$((n + 1))
done
[ "$n" -ge 2 ] || fail "found fewer than two labelled C++ submissions to judge"
# Java's profile has a read-only path outside /usr (Debian's JDK keeps its
# configuration in /etc/java-N-openjdk): the helper checks it as the user
# and the sandbox binds it from the helper's descriptor.
if command -v javac >/dev/null 2>&1 && [ -e "$TEST_TMP/plugins/lang/java.so" ]; then
	src=$(ls "$TEST_TMP"/problems/hello-judge/submissions/accepted/*.java 2>/dev/null | head -n 1)
	if [ -n "$src" ]; then
		# Another user: alice has used her burst of submissions.
		TOKEN=$(token bob) || fail "token"
		id=$(submit hello-judge "$src" java)
		got=$(verdict "$id")
		[ "$got" = AC ] || fail "Java through the helper: $got: $(head -c 1500 "$TEST_TMP/res.json")"
		n=$((n + 1))
	fi
else
	echo "SKIPPED: privsep Java part: no javac or no lang/java plugin"
fi
# Nothing the runs left in the work directory belongs to anyone but the user.
others=$(find "$STATE/work" ! -user "$USER_NAME" -print | head -n 5)
[ -z "$others" ] || fail "files in the work directory not owned by $USER_NAME: $others"
ok "$n submissions judged through the helper with the right verdicts; the work directory stays the user's"

# ------------------------------------------------ the helper dies
kill -KILL "$HELPER"
wait_gone "$SERVER" 10 || fail "the server goes on without its sandbox helper"
[ "$GONE_RC" = 1 ] || fail "the server exited $GONE_RC after losing its helper, expected 1"
grep -q "the sandbox helper is gone" "$TEST_TMP/serve.err" || fail "no message about the helper: $(tail -5 "$TEST_TMP/serve.err")"
ok "the server stops with exit status 1 and says why when the helper dies"

# ------------------------------------------------ clean stop
ERRF="$TEST_TMP/serve2.err"
start_serve
HELPER=$(ps -o pid=,comm= --ppid "$SERVER" | awk '$2 == "algocode-sbx" { print $1 }')
kill -TERM "$SERVER"
wait "$SERVER" || fail "serve exited $? on SIGTERM"
[ -n "$HELPER" ] && kill -0 "$HELPER" 2>/dev/null && fail "the sandbox helper outlived the server"
ok "SIGTERM stops the server and its helper"
