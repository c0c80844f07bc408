#!/bin/sh
# The Debian packages (debian/, issue 19), end to end on this machine:
#
# 1. copy the source tree (its git files, or the tree without build
#    directories) to a temporary directory and build the binary packages
#    there with `dpkg-buildpackage -us -uc -b` (never in the source tree);
# 2. lintian: no error;
# 3. `apt-get install ./*.deb`: the account and state directories exist;
# 4. run the installed unit algocode@single-node.service the way systemd
#    would where systemd is not PID 1 (docs/deployment.md, "Running the
#    unit without systemd"): this script is the supervisor.  It reads the
#    ExecStart line from the installed unit, expands %i, runs it as root
#    with a clean environment and NOTIFY_SOCKET naming a datagram socket it
#    reads; READY=1 there means started.  One submission is judged
#    through the HTTP API (site settings in a conf.d fragment, as an
#    operator would: a free port); SIGTERM stops it (STOPPING=1, exit 0);
# 5. `apt-get purge`: the packages, their files, the state directories and
#    the account (when the package made it) are gone.
#
# It never touches the build tree the other tests use: the installed
# /usr/bin/algocode is not on their path (they run $top_builddir/algocode
# with the build tree's plugins and configuration), its configuration is
# /etc/algocode (theirs is the build tree's), its state /var/lib/algocode
# and /var/cache/algocode.  It refuses to run (SKIPPED) where Algocode is
# already installed from a package or has state in those directories, so
# it never removes anyone's data.  Takes 80 s at a load average of 10 on
# two cores (the package build is 57 s of it); 11 minutes at a load of 20
# with a sanitizer build beside it.  It is skipped in the sanitizer build
# tree (the packages do not depend on the build tree).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root (apt-get install, the account, the sandbox)"
# The packages are built from the sources, not from this build tree: the
# sanitizer build of CI would only repeat the same test.
plain_build_only "the packages are built from the sources; the plain build runs this test"
for t in dpkg-buildpackage dh lintian apt-get dpkg-checkbuilddeps fakeroot curl python3; do
	command -v "$t" >/dev/null 2>&1 ||
		skip "$t is not installed (apt-get install dpkg-dev debhelper lintian fakeroot curl python3)"
done
[ -f "$top_srcdir/debian/control" ] || skip "no debian/ in $top_srcdir"
UNMET=$(cd "$top_srcdir" && dpkg-checkbuilddeps 2>&1) ||
	skip "build dependencies missing: $UNMET"
for p in $(sed -n 's/^Package: //p' "$top_srcdir/debian/control"); do
	if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		skip "package $p is installed here: this test installs and purges its own"
	fi
done
for d in /var/lib/algocode /var/cache/algocode /etc/algocode; do
	[ -e "$d" ] && skip "$d exists (an installed Algocode's state or configuration: purge would remove it)"
done
ENV_OUT=$(ac check-env 2>&1) || skip "algocode check-env failed: $ENV_OUT"
case $ENV_OUT in
*"judging is refused"*) skip "the sandbox cannot enforce its limits here (check-env)" ;;
esac

# One run at a time on a machine (the packages are machine-wide).
exec 9>/tmp/algocode-debian-package.lock
flock -w 600 9 || fail "another run holds /tmp/algocode-debian-package.lock"

PKGS=$(sed -n 's/^Package: //p' "$top_srcdir/debian/control" | tr '\n' ' ')
USER_BEFORE=no
id algocode >/dev/null 2>&1 && USER_BEFORE=yes
INSTALLED=""
SUPERVISED=""
deb_cleanup() {
	if [ -n "$SUPERVISED" ] && kill -0 "$SUPERVISED" 2>/dev/null; then
		kill -TERM "$SUPERVISED" 2>/dev/null
		sleep 2
		kill -KILL "$SUPERVISED" 2>/dev/null
	fi
	if [ -n "$INSTALLED" ]; then
		rm -f /etc/algocode/single-node.conf.d/99-test.conf
		rmdir /etc/algocode/single-node.conf.d 2>/dev/null
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq $PKGS >/dev/null 2>&1
	fi
	cleanup
}
trap deb_cleanup EXIT
T0=$(date +%s)
elapsed() { echo "$(($(date +%s) - T0)) s"; }

# ------------------------------------------------------------ 1. build
SRC="$TEST_TMP/src/algocode-0.1.0"
mkdir -p "$SRC"
if git -C "$top_srcdir" rev-parse --git-dir >/dev/null 2>&1; then
	# Tracked files and new ones not ignored: what a commit would hold.
	(cd "$top_srcdir" && git ls-files -z -c -o --exclude-standard) |
		(cd "$top_srcdir" && xargs -0 tar cf - --no-recursion) |
		tar xf - -C "$SRC" || fail "copying the git files"
else
	(cd "$top_srcdir" && tar cf - --exclude='./_build*' --exclude=./autom4te.cache \
		--exclude=./.git .) | tar xf - -C "$SRC" || fail "copying the tree"
fi
# noopt: -O0 builds faster; the same files, unoptimized.
(cd "$SRC" && DEB_BUILD_OPTIONS="nocheck noddebs noopt parallel=2" \
	dpkg-buildpackage -us -uc -b >"$TEST_TMP/build.log" 2>&1) ||
	fail "dpkg-buildpackage failed: $(tail -40 "$TEST_TMP/build.log")"
DEBS=$(ls "$TEST_TMP"/src/*.deb)
for p in $PKGS; do
	ls "$TEST_TMP/src/${p}_"*.deb >/dev/null 2>&1 || fail "no package $p built: $DEBS"
done
dpkg-deb -c "$TEST_TMP"/src/algocode-plugin-java_*.deb 2>/dev/null | grep -q '/algocode/lang/java.so$' ||
	fail "algocode-plugin-java has no lang/java.so"
dpkg-deb -c "$TEST_TMP"/src/algocode_*.deb 2>/dev/null | grep -q '/algocode/lang/java.so$' &&
	fail "the core package holds lang/java.so"
dpkg-deb -c "$TEST_TMP"/src/algocode-plugin-dev_*.deb 2>/dev/null | grep -q 'pkgconfig/algocode-plugin.pc$' ||
	fail "algocode-plugin-dev has no algocode-plugin.pc"
ok "built $(echo "$DEBS" | wc -l) packages in $(elapsed): $PKGS"

# ------------------------------------------------------------ 2. lintian
lintian "$TEST_TMP"/src/*.changes >"$TEST_TMP/lintian.out" 2>&1
grep '^E:' "$TEST_TMP/lintian.out" && fail "lintian reports errors (above)"
ok "lintian: no error ($(grep -c '^W:' "$TEST_TMP/lintian.out") warnings) at $(elapsed)"

# ------------------------------------------------------------ 3. install
INSTALLED=yes
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $DEBS \
	>"$TEST_TMP/install.log" 2>&1 || fail "apt-get install: $(tail -20 "$TEST_TMP/install.log")"
id algocode >/dev/null 2>&1 || fail "no account algocode after install"
for d in /var/lib/algocode /var/cache/algocode; do
	[ "$(stat -c %U "$d")" = algocode ] || fail "$d is not the account's"
done
UNIT=/lib/systemd/system/algocode@.service
[ -f "$UNIT" ] || fail "no $UNIT"
ok "installed at $(elapsed): the account, the state directories, $UNIT"
if command -v systemd-analyze >/dev/null 2>&1; then
	# The unit as systemd reads it (no systemd running is needed).
	cp "$UNIT" "$TEST_TMP/algocode@single-node.service"
	systemd-analyze verify "$TEST_TMP/algocode@single-node.service" >"$TEST_TMP/verify.out" 2>&1
	grep -v "Command 'man " "$TEST_TMP/verify.out" | grep . &&
		fail "systemd-analyze verify: (above)"
	ok "systemd-analyze verify: the unit is clean"
fi

# ------------------------------------------------------------ 4. run
EXEC=$(sed -n 's/^ExecStart=//p' "$UNIT" | sed 's/%i/single-node/g')
case $EXEC in
/usr/bin/algocode\ serve\ -c\ /etc/algocode/single-node.conf) ;;
*) fail "unexpected ExecStart: $EXEC" ;;
esac
grep -qx 'Type=notify' "$UNIT" || fail "the unit is not Type=notify"
PORT=$(free_port)
mkdir -p /etc/algocode/single-node.conf.d
# No precompiled C++ header: building it first is most of a start-up on
# a loaded machine, and this test judges Python.
printf 'api = { listen = "127.0.0.1:%s"; };\nlang = { cpp = { pch = false; }; };\n' "$PORT" \
	>/etc/algocode/single-node.conf.d/99-test.conf
notify_listen
# systemd runs ExecStart with a clean environment, from /, stdin on
# /dev/null; the words are split as systemd splits them (no quotes here).
# shellcheck disable=SC2086
(cd / && exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	LANG=C.UTF-8 NOTIFY_SOCKET="$NSOCK" $EXEC </dev/null >"$TEST_TMP/unit.out" 2>&1) &
SUPERVISED=$!
wait_started "the unit's ExecStart" "$SUPERVISED" "$TEST_TMP/unit.out" 90 notified READY=1
BASE="http://127.0.0.1:$PORT"
curl -s -f "$BASE/api/v1/common/ready/" >"$TEST_TMP/ready.json" ||
	fail "not ready: $(cat "$TEST_TMP/ready.json")"
ok "the unit's ExecStart ($EXEC) is READY=1 at $(elapsed): $(cat "$TEST_TMP/ready.json")"

TOKEN=$(/usr/bin/algocode token --user deb-test) || fail "algocode token (installed)"
SRCF=/usr/share/algocode/problems/hello-judge/submissions/accepted/input_line.py
[ -f "$SRCF" ] || fail "the example problems are not installed ($SRCF)"
python3 -c 'import json,sys; print(json.dumps({"problem_id": "hello-judge", "lang": "python3", "code": open(sys.argv[1]).read()}))' \
	"$SRCF" >"$TEST_TMP/sub.json"
curl -s -f -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
	--data-binary "@$TEST_TMP/sub.json" "$BASE/api/v1/code/submit/" >"$TEST_TMP/sub.out" ||
	fail "submit: $(cat "$TEST_TMP/sub.out")"
ID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["result"]["submission_id"])' "$TEST_TMP/sub.out")
python3 "$top_srcdir/tests/e2e/api_clients.py" poll "$BASE" "$TOKEN" "$ID" 120 >"$TEST_TMP/res.json" ||
	fail "no result for $ID: $(cat "$TEST_TMP/unit.out")"
V=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["data"]["verdict_code"])' "$TEST_TMP/res.json")
[ "$V" = AC ] || fail "verdict $V: $(head -c 1500 "$TEST_TMP/res.json")"
ok "a submission judged through the installed service's API: $V"

kill -TERM "$SUPERVISED"
wait_gone "$SUPERVISED" 60 || fail "the service did not stop on SIGTERM"
SUPERVISED=""
[ "$GONE_RC" = 0 ] || fail "the service exited $GONE_RC: $(tail -5 "$TEST_TMP/unit.out")"
grep -qx 'STOPPING=1' "$NOTES" || fail "no STOPPING=1"
ok "SIGTERM: STOPPING=1, exit 0"

# ------------------------------------------------------------ 5. purge
rm -f /etc/algocode/single-node.conf.d/99-test.conf
rmdir /etc/algocode/single-node.conf.d
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq $PKGS >"$TEST_TMP/purge.log" 2>&1 ||
	fail "apt-get purge: $(tail -20 "$TEST_TMP/purge.log")"
INSTALLED=""
for d in /var/lib/algocode /var/cache/algocode /etc/algocode /usr/share/algocode \
	/usr/bin/algocode "$UNIT"; do
	[ -e "$d" ] && fail "$d is still there after purge"
done
if [ "$USER_BEFORE" = yes ]; then
	id algocode >/dev/null 2>&1 || fail "purge removed an account the package did not make"
	ok "purged at $(elapsed): files and state gone; the account algocode, there before, stays"
else
	id algocode >/dev/null 2>&1 && fail "the account algocode is still there after purge"
	ok "purged at $(elapsed): files, state and the account are gone"
fi
