#!/bin/sh
# The sandbox conformance suite (tests/conformance/): every hostile and
# well-behaved program is judged by the real `algocode judge` with the test
# options, once per sandbox plugin built in plugins-build/sandbox/, and must
# get the verdict its first line expects; afterwards nothing of the runs may
# be left on the host.  The runner loads the host with 2 busy processes
# while it runs (killed at its end): CPU-bound programs must still be judged
# on CPU time.  See tests/conformance/README.md.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip "the namespace sandbox needs root"
# Under the sanitizers the same programs go through the same sandbox
# plugins and judge code in conformance_serve.sh (through serve, the
# deployed path); running them twice there would cost a quarter of CI.
plain_build_only "conformance_serve.sh judges the same programs under the sanitizers"
command -v python3 >/dev/null 2>&1 || skip "python3 is needed by the conformance runner"
ls "$top_builddir"/plugins-build/sandbox/*.so >/dev/null 2>&1 \
	|| skip "no sandbox plugin built in $top_builddir/plugins-build/sandbox"

# sandbox/docker needs a daemon: a private one (tests/e2e/svc_docker.sh).
sandbox_plugins
export AC_OPTS
# shellcheck disable=SC2086
sh "$top_srcdir/tests/conformance/run.sh" -j 2 $PLUGS || fail "conformance suite failed"
ok "conformance suite"
