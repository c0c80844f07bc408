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

need_separation
need_cmd python3
ls "$top_builddir"/plugins-build/sandbox/*.so >/dev/null 2>&1 ||
	skip "no sandbox plugin built in $top_builddir/plugins-build/sandbox"
need_judging

# sandbox/docker needs a daemon: a private one (tests/e2e/svc_docker.sh).
# Its own mounts (container layers under the data and exec roots) come and
# go with the warm pool: not counted as the judge's.
sandbox_plugins
if [ -n "$DOCKER_UP" ]; then
	AC_MOUNT_IGNORE="$ALGOCODE_DOCKER_CACHE/root:$TEST_TMP/dexec:/run/docker"
	export AC_MOUNT_IGNORE
fi
AC_SERVE_USER=$USER_NAME
export AC_SERVE_USER
# shellcheck disable=SC2086
sh "$top_srcdir/tests/conformance/run.sh" -s -j 2 $PLUGS || fail "conformance suite (server mode) failed"
ok "conformance suite through the privilege-separated server"
