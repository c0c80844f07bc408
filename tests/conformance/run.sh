#!/bin/sh
# The sandbox conformance suite: judge every program of tests/conformance/
# with the real `algocode judge` and compare its verdict with the program's
# `// expect:` line, once per sandbox plugin that is built.
#
#   run.sh [-s] [-j JOBS] [-p PLUGIN]... [-k] [-l BUSY] [PROGRAM...]
#
# -l BUSY: busy processes loading the host while the suite runs (default
# 2, 0: none): the verdicts must hold on a loaded machine.
# -s: server mode: through `algocode serve` started as root with privilege
# separation (user AC_SERVE_USER, default algocode), over HTTP, with a host
# check after every batch of JOBS submissions (README.md, "Server mode").
#
# Environment: top_srcdir and top_builddir (default: this tree and the
# current directory), AC_OPTS (the options every algocode call gets; default:
# the build tree's single-node configuration with state in a temporary
# directory).  PROGRAM paths are relative to tests/conformance/ (c/x.cpp) or
# absolute.  Exit 0 when every program passed (XFAIL counts as passed),
# 1 on any FAIL, XPASS or failed host check, 77 when nothing can run.
# The logic is in run.py next to this file (python3).

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/../.." && pwd)}"
: "${top_builddir:=$(pwd)}"
export top_srcdir top_builddir

if ! command -v python3 >/dev/null 2>&1; then
	echo "SKIPPED: python3 is needed by the conformance runner"
	exit 77
fi
exec python3 "$here/run.py" "$@"
