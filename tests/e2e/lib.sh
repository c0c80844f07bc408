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

# start_bg CMD...: start in the background, remember the pid in $BG_PID.
start_bg() {
	"$@" &
	BG_PID=$!
	BG_PIDS="$BG_PIDS $BG_PID"
}

[ -x "$ALGOCODE_BIN" ] || { echo "no $ALGOCODE_BIN: build first" >&2; exit 99; }
