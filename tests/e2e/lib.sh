# Shared helpers for the end-to-end tests (sourced, POSIX sh + bash).
#
# Every test runs the real `algocode` binary of the build tree against the
# real plugins (plugins-build/<kind>/<name>.so) and the example problems.
# Exit codes follow automake: 0 pass, 1 fail, 77 skip (always with
# "SKIPPED: reason" on stdout and stderr), 99 hard error.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$(pwd)}"
export top_srcdir top_builddir

ALGOCODE_BIN="$top_builddir/algocode"
TEST_NAME=$(basename "$0" .sh)
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/algocode-$TEST_NAME.XXXXXX")
chmod 755 "$TEST_TMP"

# Processes started with start_bg are killed on exit.
BG_PIDS=""
cleanup() {
	for p in $BG_PIDS; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $BG_PIDS; do
		wait "$p" 2>/dev/null
	done
	if [ -z "$KEEP_TMP" ]; then
		rm -rf "$TEST_TMP"
	else
		echo "kept $TEST_TMP"
	fi
}
trap cleanup EXIT

# Options every algocode invocation of a test gets: the build-tree plugins,
# the example problems and state under this test's temporary directory.
AC_OPTS="-c $top_builddir/conf.d/single-node.conf \
 -o plugins.dir=$top_builddir/plugins-build \
 -o judge.problems_dir=$top_srcdir/problems \
 -o store.path=$TEST_TMP/algocode.db \
 -o judge.work_dir=$TEST_TMP/work \
 -o api.jwt_secret_file=$TEST_TMP/jwt.secret \
 -o lang.cpp.pch_dir=$top_builddir/tests/pch \
 -o log.level=warn"
# SEP_OPTS: user=root, the tests run serve without privilege separation, as
# the build and source trees may lie where another user cannot read;
# tests/e2e/privsep.sh runs it separated, and AC_TEST_USER=algocode runs
# every test that way (the trees must then be readable by that user).
SEP_OPTS="-o user=root"
if [ -n "${AC_TEST_USER:-}" ]; then
	SEP_OPTS="-o user=$AC_TEST_USER -o state_dirs=[\"$TEST_TMP\"]"
fi
AC_OPTS="$AC_OPTS $SEP_OPTS"

# no_store_path: NOPATH_OPTS, AC_OPTS for a store that has no store.path
# (store/redis_mongo: an unknown setting refuses the start): the ready
# configuration with its store group's SQLite file left out, and no
# -o store.path.
no_store_path() {
	sed '/^store = {/,/^};/{/^ *path = /d}' "$top_builddir/conf.d/single-node.conf" \
		>"$TEST_TMP/single-node.conf"
	NOPATH_OPTS=$(printf '%s\n' "$AC_OPTS" | sed -e "s|^-c [^ ]*|-c $TEST_TMP/single-node.conf|" \
		-e 's| -o store.path=[^ ]*||')
}

# ac SUBCOMMAND ARGS...: run algocode with the test options; options in
# ARGS come after them and so override them.
ac() {
	_sub=$1
	shift
	# shellcheck disable=SC2086
	"$ALGOCODE_BIN" "$_sub" $AC_OPTS "$@"
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIPPED: $*"
	echo "SKIPPED: $*" >&2
	exit 77
}

# In the tree built with --enable-sanitizers (scripts/quickstart runs the
# suite in a plain tree and then in that one), a test whose run would not
# change with the build (it builds what it checks from the sources) or that
# another test repeats there says so and is skipped: REASON says which.
plain_build_only() {
	grep -q -- '--enable-sanitizers' "$top_builddir/config.status" 2>/dev/null &&
		skip "the sanitizer build tree: $*"
	return 0
}

ok() {
	echo "ok - $*"
}

# A free TCP port on 127.0.0.1.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_http URL [SECONDS]: until the URL answers (any status).
wait_http() {
	_n=0
	while [ "$_n" -lt $((${2:-10} * 10)) ]; do
		if curl -s -o /dev/null "$1"; then
			return 0
		fi
		sleep 0.1
		_n=$((_n + 1))
	done
	return 1
}

# wait_gone PID SECONDS: wait until the background process PID ends; 1 if
# it is still alive then, else 0 with its exit status in GONE_RC.
wait_gone() {
	_n=0
	while kill -0 "$1" 2>/dev/null && [ "$_n" -lt $(($2 * 10)) ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
	kill -0 "$1" 2>/dev/null && return 1
	wait "$1"
	GONE_RC=$?
	return 0
}

# wait_until SECONDS CMD...: run CMD every 0.1 s until it succeeds: 0, or
# 1 when it still fails after SECONDS.  wait_while: until CMD fails.
wait_until() {
	_wu_s=$1
	shift
	_wu_n=0
	until "$@"; do
		_wu_n=$((_wu_n + 1))
		[ "$_wu_n" -lt $((_wu_s * 10)) ] || return 1
		sleep 0.1
	done
}
wait_while() {
	_ww_s=$1
	shift
	wait_until "$_ww_s" not "$@"
}
# not CMD...: CMD's status negated.
not() {
	! "$@"
}

# wait_started NAME PID LOG SECONDS CMD...: run CMD every 0.05 s until it
# succeeds (the service NAME, started in the background as PID, answers);
# fail if PID exits (with the end of LOG) or after SECONDS.
wait_started() {
	_ws_name=$1 _ws_pid=$2 _ws_log=$3 _ws_s=$4
	shift 4
	_ws_n=0
	until "$@"; do
		_ws_n=$((_ws_n + 1))
		[ "$_ws_n" -gt $((_ws_s * 20)) ] && fail "$_ws_name did not start ($*)"
		kill -0 "$_ws_pid" 2>/dev/null || fail "$_ws_name exited: $(tail -5 "$_ws_log")"
		sleep 0.05
	done
}

# stop_bg PID [SIGNAL]: signal (TERM) the background process PID and reap it.
stop_bg() {
	kill -"${2:-TERM}" "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# cycle N WORD...: N words, the WORDs in turn (a mix of submissions).
cycle() {
	_cy_n=$1
	shift
	_cy_i=0
	_cy_out=""
	while [ "$_cy_i" -lt "$_cy_n" ]; do
		_cy_k=$((_cy_i % $# + 1))
		eval "_cy_out=\"\$_cy_out \${$_cy_k}\""
		_cy_i=$((_cy_i + 1))
	done
	echo "$_cy_out"
}

# notify_listen: a NOTIFY_SOCKET (sd_notify) listener on NSOCK writing
# every datagram on its own line in NOTES; notified WORD: NOTES has the
# line WORD (READY=1, RELOADING=1...).
notify_listen() {
	NSOCK="$TEST_TMP/notify.sock"
	NOTES="$TEST_TMP/notify.txt"
	start_bg python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)   # the main process runs as another user
open(sys.argv[2] + ".up", "w").close()
while True:
    d = s.recv(4096)
    with open(sys.argv[2], "a") as f:
        f.write(d.decode() + "\n")
' "$NSOCK" "$NOTES"
	wait_until 10 test -e "$NOTES.up" || fail "the notify socket listener did not start"
}
notified() {
	grep -qx "$1" "$NOTES" 2>/dev/null
}

# start_bg CMD...: start in the background, remember the pid in $BG_PID.
start_bg() {
	"$@" &
	BG_PID=$!
	BG_PIDS="$BG_PIDS $BG_PID"
}

# need_python: PY, the python3 a test drives its clients with, or skip.
need_python() {
	PY=/usr/bin/python3
	[ -x "$PY" ] || PY=$(command -v python3) || skip "python3 is not installed"
}

# need_cmd CMD...: skip unless every CMD is installed.
need_cmd() {
	for _c in "$@"; do
		command -v "$_c" >/dev/null 2>&1 || skip "$_c is not installed"
	done
}

# need_judging: skip unless check-env says the sandbox enforces its limits.
need_judging() {
	ENV_OUT=$(ac check-env 2>&1) || skip "algocode check-env failed: $ENV_OUT"
	case $ENV_OUT in
	*"judging is refused"*) skip "the sandbox cannot enforce its limits here (check-env)" ;;
	esac
}

# need_separation: root and USER_NAME ($AC_TEST_USER, else algocode), for
# a test that starts serve separated as production does (serve_separated).
need_separation() {
	USER_NAME=${AC_TEST_USER:-algocode}
	[ "$(id -u)" = 0 ] || skip "needs root (serve separates privileges only when started as root)"
	id "$USER_NAME" >/dev/null 2>&1 ||
		skip "no user $USER_NAME (scripts/quickstart creates it: useradd --system --no-create-home --shell /usr/sbin/nologin $USER_NAME)"
}

# echo_problem DIR NAME TIME_LIMIT WORD: a one-test package (default
# validation, 256 MiB, 1 MiB of output) whose answer is its input, WORD.
echo_problem() {
	mkdir -p "$1/data/sample"
	printf 'name: %s\nlimits:\n  time_limit: %s\n  memory: 256\n  output: 1\nvalidation: default\n' \
		"$2" "$3" >"$1/problem.yaml"
	echo "$4" >"$1/data/sample/01.in"
	echo "$4" >"$1/data/sample/01.ans"
}

# need_serve: what a test that judges through `algocode serve` started
# as root with privilege separation needs (need_separation, curl,
# need_python, need_judging); skips otherwise.
need_serve() {
	need_separation
	need_cmd curl
	need_python
	need_judging
}

# stage_serve [PROBLEM...]: what the unprivileged server reads, made
# readable by it: the build's plugins in $TEST_TMP/plugins, the example
# problems named (all of them: "all") in $TEST_TMP/problems, beside those
# the test put there itself.
stage_serve() {
	cp -rL "$top_builddir/plugins-build" "$TEST_TMP/plugins"
	mkdir -p "$TEST_TMP/problems"
	if [ "$*" = all ]; then
		cp -r "$top_srcdir/problems/." "$TEST_TMP/problems/"
	else
		for _p in "$@"; do
			cp -r "$top_srcdir/problems/$_p" "$TEST_TMP/problems/"
		done
	fi
	chmod -R go+rX "$TEST_TMP/plugins" "$TEST_TMP/problems"
}

# sandbox_plugins: the sandbox plugins a suite runs, for tests/conformance/
# run.sh: when sandbox/docker is built, a private dockerd is started
# (tests/e2e/svc_docker.sh, stopped on exit) and DOCKER_UP=1; if it cannot
# start, that part says SKIPPED (the summary of scripts/quickstart lists
# every SKIPPED line) and PLUGS names the others (-p NAME...).  PLUGS is
# empty when all of them run.
sandbox_plugins() {
	PLUGS=""
	DOCKER_UP=""
	[ -e "$top_builddir/plugins-build/sandbox/docker.so" ] || return 0
	. "$top_srcdir/tests/e2e/svc_docker.sh"
	if docker_try_start; then
		trap 'docker_stop; cleanup' EXIT
		DOCKER_UP=1
		return 0
	fi
	echo "SKIPPED: sandbox/docker part: $DOCKER_WHY"
	echo "SKIPPED: sandbox/docker part: $DOCKER_WHY" >&2
	for _p in "$top_builddir"/plugins-build/sandbox/*.so; do
		[ "$(basename "$_p" .so)" = docker ] || PLUGS="$PLUGS -p $(basename "$_p" .so)"
	done
}

# serve_places: STATE, PORT, BASE and ERRF for serve_separated.
serve_places() {
	STATE="$TEST_TMP/state"
	PORT=$(free_port)
	BASE="http://127.0.0.1:$PORT"
	ERRF="$TEST_TMP/serve.err"
}

# wait_count FILE N: until the number FILE holds reaches N, at most 60 s
# (a client writes its progress there).
wait_count() {
	_n=0
	while [ "$(cat "$1")" -lt "$2" ] && [ $_n -lt 600 ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
}

# serve_user OPTS...: start serve in the background as root with
# -o user=$USER_NAME (need_separation), as production runs it: its state
# under $STATE, the plugins and problems the test put in $TEST_TMP/plugins
# and $TEST_TMP/problems; OPTS come last.  $SERVE_WRAP, when set, is the
# command serve runs under (prlimit ...).  Sets SERVER.
serve_user() {
	# shellcheck disable=SC2086
	start_bg $SERVE_WRAP "$ALGOCODE_BIN" serve $AC_OPTS -o user="$USER_NAME" \
		-o "state_dirs=[\"$STATE\"]" \
		-o plugins.dir="$TEST_TMP/plugins" \
		-o judge.problems_dir="$TEST_TMP/problems" \
		-o store.path="$STATE/algocode.db" \
		-o judge.work_dir="$STATE/work" \
		-o api.jwt_secret_file="$STATE/jwt.secret" \
		"$@"
	SERVER=$BG_PID
}

# serve_wait: until serve answers on $PORT (60 s), else fail with the end
# of its log ($ERRF).
serve_wait() {
	wait_http "http://127.0.0.1:$PORT/api/v1/common/healthcheck/" 60 ||
		fail "the server did not start: $(tail -20 "$ERRF")"
}

# token USER: a token for USER signed with the server's secret ($STATE).
token() {
	ac token -o api.jwt_secret_file="$STATE/jwt.secret" --user "$1"
}

# submit_file TOKEN PROBLEM LANG FILE: FILE submitted in LANG to PROBLEM
# on $BASE; prints the submission id, else fails.
submit_file() {
	python3 -c 'import json,sys; print(json.dumps({"problem_id": sys.argv[1], "lang": sys.argv[2], "code": open(sys.argv[3]).read()}))' \
		"$2" "$3" "$4" >"$TEST_TMP/sub.json"
	curl -s -f -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
		--data-binary "@$TEST_TMP/sub.json" "$BASE/api/v1/code/submit/" >"$TEST_TMP/sub.out" ||
		fail "submit $4 failed: $(cat "$TEST_TMP/sub.out")"
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["result"]["submission_id"])' "$TEST_TMP/sub.out"
}

# result_doc TOKEN ID FILE [SECONDS]: the result document of submission
# ID on $BASE in FILE, polled for at most SECONDS (180), else fail.
result_doc() {
	python3 "$top_srcdir/tests/e2e/api_clients.py" poll "$BASE" "$1" "$2" "${4:-180}" >"$3" ||
		fail "no result for $2"
}

# doc_field FILE EXPR: the python EXPR over d, the "data" of the result
# document FILE (doc_field F 'd["verdict_code"]').
doc_field() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["data"]; print(eval(sys.argv[2]))' "$1" "$2"
}

# sbx_helper: HELPER, the pid of the root sandbox helper (algocode-sbx)
# under $SERVER, else fail.
sbx_helper() {
	HELPER=$(ps -o pid=,comm= --ppid "$SERVER" | awk '$2 == "algocode-sbx" { print $1 }')
	[ -n "$HELPER" ] || fail "no sandbox helper (algocode-sbx) under the server"
}

# host_clean WHAT HELPER [OPTIONS]: fail unless the host is clean of what
# the runs of the sandbox helper HELPER may leave (tests/e2e/host_clean.py
# says what and takes the OPTIONS); WHAT names the moment in the message.
host_clean() {
	_what=$1
	shift
	_left=$(python3 "$top_srcdir/tests/e2e/host_clean.py" "$@") ||
		fail "$_what: left on the host: $_left"
}

# serve_separated OPTS...: serve_user with python3 only, no rate limit to
# speak of, two judge workers, api and metrics on $PORT, log level info,
# stderr appended to $ERRF; waits until the health check answers.
serve_separated() {
	serve_user -o "lang.plugins=[\"python3\"]" \
		-o api.rate_burst=100000 -o api.rate_per_s=1000 \
		-o judge.workers=2 -o api.listen=127.0.0.1:$PORT \
		-o metrics.listen=127.0.0.1:$PORT \
		-o log.level=info "$@" 2>>"$ERRF"
	serve_wait
}

[ -x "$ALGOCODE_BIN" ] || { echo "no $ALGOCODE_BIN: build first" >&2; exit 99; }
