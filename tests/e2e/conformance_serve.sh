#!/bin/sh
# The sandbox conformance suite through the privilege-separated server:
# `algocode serve` started as root with -o user=algocode, every program of
# tests/conformance/ submitted over HTTP (POST /api/v1/code/submit/) and
# its result polled (GET /api/v1/result/check/ID/), once per sandbox plugin
# built in plugins-build/sandbox/; the verdict must be the one the program's
# first line expects, as with the CLI (tests/e2e/conformance.sh), and after
# every batch of submissions the host must be back where it was: no file in
# judge.work_dir (its size back to the baseline), no process of the sandbox
# uid or of the server beyond the baseline, no run cgroup, no new mount.
# See tests/conformance/README.md, "Server mode".
. "$(dirname "$0")/lib.sh"

USER_NAME=${AC_TEST_USER:-algocode}
[ "$(id -u)" = 0 ] || skip "needs root (serve separates privileges only when started as root)"
id "$USER_NAME" >/dev/null 2>&1 ||
	skip "no user $USER_NAME (scripts/quickstart creates it: useradd --system --no-create-home --shell /usr/sbin/nologin $USER_NAME)"
command -v python3 >/dev/null 2>&1 || skip "python3 is needed by the conformance runner"
ls "$top_builddir"/plugins-build/sandbox/*.so >/dev/null 2>&1 ||
	skip "no sandbox plugin built in $top_builddir/plugins-build/sandbox"
ENV_OUT=$(ac check-env 2>&1) || skip "algocode check-env failed: $ENV_OUT"
case $ENV_OUT in
*"judging is refused"*) skip "the sandbox cannot enforce its limits here (check-env)" ;;
esac

# sandbox/docker needs a daemon: a private one (tests/e2e/svc_docker.sh).
# Its own mounts (container layers under the data and exec roots) come and
# go with the warm pool: not counted as the judge's.
plugs=""
if [ -e "$top_builddir/plugins-build/sandbox/docker.so" ]; then
	. "$top_srcdir/tests/e2e/svc_docker.sh"
	if docker_try_start; then
		trap 'docker_stop; cleanup' EXIT
		AC_MOUNT_IGNORE="$ALGOCODE_DOCKER_CACHE/root:$TEST_TMP/dexec:/run/docker"
		export AC_MOUNT_IGNORE
	else
		echo "SKIPPED: sandbox/docker part: $DOCKER_WHY"
		echo "SKIPPED: sandbox/docker part: $DOCKER_WHY" >&2
		for p in "$top_builddir"/plugins-build/sandbox/*.so; do
			[ "$(basename "$p" .so)" = docker ] || plugs="$plugs -p $(basename "$p" .so)"
		done
	fi
fi
AC_SERVE_USER=$USER_NAME
export AC_SERVE_USER
# shellcheck disable=SC2086
sh "$top_srcdir/tests/conformance/run.sh" -s -j 2 $plugs || fail "conformance suite (server mode) failed"
ok "conformance suite through the privilege-separated server"
