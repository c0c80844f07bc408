#!/bin/sh
# The project builds, tests and judges C++ from any clone folder: the
# repository is cloned under /tmp (where the sandbox mounts its own /tmp)
# and under /root (a home tree the sandbox keeps hidden), built there
# (configure + make -j2) and the parts of the suite that judge C++ with the
# build tree's precompiled header (lang.cpp.pch_dir = _build/tests/pch)
# run there: tests/e2e/cli.sh and tests/e2e/verify_problems.sh.
#
# What is cloned is this checkout's HEAD with the changes of its tracked
# files applied (untracked files are not carried over).  The clones are
# removed at the end.  Takes a few minutes (two builds).
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip "the namespace sandbox needs root"
command -v git >/dev/null 2>&1 || skip "git is not installed"
# The source tree itself must be the checkout's top (under distcheck it is
# an unpacked tarball, possibly inside another checkout's build tree).
_top=$(git -C "$top_srcdir" rev-parse --show-toplevel 2>/dev/null)
[ -n "$_top" ] && [ "$(realpath "$_top")" = "$(realpath "$top_srcdir")" ] ||
	skip "$top_srcdir is not a git checkout (e.g. a distribution tarball under distcheck): nothing to clone"
[ -d /root ] && [ -w /root ] || skip "/root is missing or not writable"
# The clones are plain builds of their own, whatever this tree is: in the
# sanitizer build's run of the suite they would repeat the plain run's
# check exactly (scripts/quickstart runs both).
plain_build_only "the clones are plain builds, checked in the plain build's run"

CLONES=""
trap 'for d in $CLONES; do rm -rf "$d"; done; cleanup' EXIT
git -C "$top_srcdir" diff --binary HEAD >"$TEST_TMP/wt.patch" ||
	fail "git diff in $top_srcdir failed"

# Optional parts that judging C++ does not need stay out (build time).
CONF_OPTS="--disable-rabbitmq --disable-nats --disable-redis_mongo --disable-docker"

# clone_build BASE: clone under BASE, build, run the C++ tests there.
clone_build() {
	_base=$(mktemp -d "$1/algocode-clone.XXXXXX") || fail "mktemp under $1"
	CLONES="$CLONES $_base"
	_src="$_base/src"
	git clone -q "$top_srcdir" "$_src" >"$TEST_TMP/clone.log" 2>&1 ||
		fail "git clone into $_src: $(cat "$TEST_TMP/clone.log")"
	if [ -s "$TEST_TMP/wt.patch" ]; then
		git -C "$_src" apply "$TEST_TMP/wt.patch" ||
			fail "cannot apply the working tree's changes in $_src"
	fi
	_log="$TEST_TMP/build-$(basename "$1").log"
	# shellcheck disable=SC2086
	(cd "$_src" && ./autogen.sh && mkdir _build && cd _build &&
		../configure $CONF_OPTS && make -j2) >"$_log" 2>&1 ||
		fail "build in $_src failed: $(tail -20 "$_log")"
	for t in cli verify_problems; do
		(cd "$_src/_build" && top_srcdir="$_src" top_builddir="$_src/_build" \
			sh "$_src/tests/e2e/$t.sh") >"$TEST_TMP/$t.log" 2>&1
		_rc=$?
		[ $_rc = 0 ] || fail "tests/e2e/$t.sh in $_src: exit $_rc: $(tail -15 "$TEST_TMP/$t.log")"
		ok "$1: tests/e2e/$t.sh passed in $_src/_build"
	done
	# The C++ runs used the precompiled header of that build tree (the
	# sandbox bound it read-only at its place).
	# (It is built in the background: wait for it.)
	_n=0
	until ls "$_src"/_build/tests/pch/*/bits/stdc++.h.gch >/dev/null 2>&1 || [ $_n -ge 300 ]; do
		sleep 1
		_n=$((_n + 1))
	done
	ls "$_src"/_build/tests/pch/*/bits/stdc++.h.gch >/dev/null 2>&1 ||
		fail "no precompiled header was built in $_src/_build/tests/pch"
	grep -q "no precompiled header" "$TEST_TMP/cli.log" &&
		fail "$_src: compiles went without the precompiled header: $(grep 'no precompiled header' "$TEST_TMP/cli.log" | head -3)"
	rm -rf "$_base"
	ok "a clone under $1 builds and judges C++ with its precompiled header"
}

clone_build /tmp
clone_build /root
