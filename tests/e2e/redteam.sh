#!/bin/sh
# Red-team submissions (tests/redteam/, issue 15) against `algocode serve`
# started as root with privilege separation, over HTTP: each must get its
# expected verdict, the served result must hide what it must hide, and
# afterwards the host must be as before: nothing left in judge.work_dir
# (the compile cache aside), no process under the sandbox helper, no run
# cgroup.  Then a stale run directory (a judge that died) full of closed
# directories is swept when the server starts again.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

need_serve
need_cmd g++
[ -e "$top_builddir/plugins-build/lang/cpp.so" ] || skip "no lang/cpp plugin"

RT="$top_srcdir/tests/redteam"
stage_serve all
# hello-paths: a copy of hello-judge whose secret input is made unreadable
# once the server has loaded it (an Internal Error that names a file).
cp -r "$TEST_TMP/problems/hello-judge" "$TEST_TMP/problems/hello-paths"
sed -i '/^uuid:/d' "$TEST_TMP/problems/hello-paths/problem.yaml"
rm -rf "$TEST_TMP/problems/hello-paths/submissions"
chmod -R go+rX "$TEST_TMP/problems"
serve_places
WORK="$STATE/work"
CG="algocode-redteam-$$"

start_serve() { # [-o path=value]...
	serve_user -o lang.cpp.pch=false \
		-o sandbox.cgroup_root="/$CG" \
		-o api.rate_burst=100 -o api.rate_per_s=10 \
		-o api.listen=127.0.0.1:$PORT -o log.level=info "$@" 2>>"$ERRF"
	serve_wait
	sbx_helper
}
cg_cleanup() {
	for d in /sys/fs/cgroup/*/"$CG" /sys/fs/cgroup/"$CG"; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
	return 0
}
# SHOWN: problems below a path every run sees (see the end).
SHOWN=/var/tmp/algocode-redteam-$$
trap 'cleanup; cg_cleanup; rm -rf "$SHOWN"' EXIT
start_serve

submit() { submit_file "$(token "$1")" "$2" "$3" "$4"; } # USER PROBLEM LANG SOURCE -> id
result() { result_doc "$(token "$1")" "$2" "$3" 240; }  # USER ID FILE: the served result
field() { doc_field "$@"; }                               # FILE PYTHON-EXPRESSION-ON-d
# What a run may leave: the compile cache.  Everything else is listed.
work_list() { [ -d "$WORK" ] && find "$WORK" -mindepth 1 ! -path "$WORK/cache" ! -path "$WORK/cache/*" | sort; }
# KiB held by what is not a directory (a directory keeps its own size on
# some file systems after its entries are gone), the cache aside.
work_kb() {
	[ -d "$WORK" ] || { echo 0; return; }
	find "$WORK" -mindepth 1 \( -path "$WORK/cache" -prune \) -o ! -type d -printf '%b\n' |
		awk '{ s += $1 } END { print int(s / 2) }'
}
cache_entries() { [ -d "$WORK/cache" ] && find "$WORK/cache" -mindepth 1 -maxdepth 1 ! -name 'tmp-*' | wc -l || echo 0; }
host_check() { # NAME BEFORE-LIST BEFORE-KB
	_left=$(work_list | comm -13 "$2" -)
	[ -z "$_left" ] || fail "$1: left in judge.work_dir: $(echo "$_left" | head -n 5) ($(echo "$_left" | wc -l) entries)"
	_kb=$(work_kb)
	[ "$_kb" -le "$3" ] || fail "$1: judge.work_dir grew from $3 KiB to $_kb KiB"
	# No mount in judge.work_dir, no child of the helper (2 s to reap
	# them), no process in a run cgroup.
	host_clean "$1" "$HELPER" --mounts "$WORK" --cgroup-root "$CG" --settle 2
}

# ------------------------------------------------ OOM (oom_*.cpp)
# A run's memory cgroup at its limit must cost the program, never the
# sandbox helper (its oom_score_adj is -1000, the program's 1000; on
# cgroup v1 a thread of the helper waits in the run's cgroups: see
# docs/security.md, "Memory") nor the server: the same pids after each
# oom_*.cpp, the helper still protected, no OOM kill of an algocode
# process in the kernel log (when it is readable), and a normal
# submission judged Accepted.
OOM_ADJ0=$(cat /proc/self/oom_score_adj)
# Lowering it takes CAP_SYS_RESOURCE, which a container's root may lack:
# then the helper keeps its value and says so (the programs' 1000 still
# makes them the OOM killer's choice).
if sh -c 'echo -1 >/proc/self/oom_score_adj' 2>/dev/null; then
	HELPER_ADJ=-1000
else
	HELPER_ADJ=$OOM_ADJ0
	grep -q "sandbox helper: cannot set its oom_score_adj to -1000" "$ERRF" ||
		fail "without CAP_SYS_RESOURCE the helper does not say that it stays unprotected: $(cat "$ERRF")"
	echo "# no CAP_SYS_RESOURCE here: the sandbox helper keeps oom_score_adj $OOM_ADJ0 (and says so)"
fi
oom_kills() { dmesg 2>/dev/null | grep -c 'Killed process [0-9]* (algocode' || true; }
OOM_K0=$(oom_kills)
oom_check() { # NAME
	for _p in "$SERVER" "$HELPER"; do
		kill -0 "$_p" 2>/dev/null || fail "$1: process $_p (the server or its sandbox helper) is gone: $(tail -n 5 "$ERRF")"
	done
	_h=$(ps -o pid=,comm= --ppid "$SERVER" | awk '$2 == "algocode-sbx" { print $1 }')
	[ "$_h" = "$HELPER" ] || fail "$1: the sandbox helper is now '$_h', it was $HELPER"
	_a=$(cat "/proc/$HELPER/oom_score_adj")
	[ "$_a" = "$HELPER_ADJ" ] || fail "$1: the sandbox helper's oom_score_adj is $_a, not $HELPER_ADJ"
	_a=$(cat "/proc/$SERVER/oom_score_adj")
	[ "$_a" = "$OOM_ADJ0" ] || fail "$1: the server's oom_score_adj is $_a, it was started with $OOM_ADJ0"
	[ "$(oom_kills)" = "$OOM_K0" ] || fail "$1: the kernel killed an algocode process: $(dmesg | grep 'Killed process [0-9]* (algocode' | tail -n 2)"
	! grep -q "sandbox helper is gone" "$ERRF" || fail "$1: the server lost its sandbox helper"
	_id=$(submit eve hello-judge cpp "$top_srcdir/problems/hello-judge/submissions/accepted/getline.cpp")
	result eve "$_id" "$TEST_TMP/res_oom.json"
	_v=$(field "$TEST_TMP/res_oom.json" 'd["verdict_code"]')
	[ "$_v" = AC ] || fail "$1: the next submission got $_v: $(head -c 800 "$TEST_TMP/res_oom.json")"
	ok "$1: server $SERVER and sandbox helper $HELPER (oom_score_adj $HELPER_ADJ) alive, the next submission Accepted"
}

n=0
CACHE0=
# REDTEAM_ONLY=NAME.cpp: that submission alone; REDTEAM_ONLY=sweep: the
# start-up sweep alone.
for src in "$RT"/*.cpp; do
	name=$(basename "$src")
	if [ -n "${REDTEAM_ONLY:-}" ] && [ "$name" != "$REDTEAM_ONLY" ]; then
		continue
	fi
	hdr=$(sed -n 's#^// redteam: ##p' "$src" | head -n 1)
	[ -n "$hdr" ] || fail "$name: no redteam: header"
	problem= lang= expect= user=eve within=240
	for kv in $hdr; do
		case $kv in
		problem=*) problem=${kv#problem=} ;;
		lang=*) lang=${kv#lang=} ;;
		expect=*) expect=${kv#expect=} ;;
		user=*) user=${kv#user=} ;;
		within=*) within=${kv#within=} ;;
		esac
	done
	case $name in
	unreadable_input.cpp) chmod 000 "$TEST_TMP/problems/hello-paths/data/secret/01.in" ;;
	same_source.cpp) CACHE0=$(cache_entries) ;;
	esac
	work_list >"$TEST_TMP/before.list"
	kb0=$(work_kb)
	t0=$(date +%s)
	id=$(submit "$user" "$problem" "$lang" "$src")
	result "$user" "$id" "$TEST_TMP/res.json"
	took=$(($(date +%s) - t0))
	got=$(field "$TEST_TMP/res.json" 'd["verdict_code"]')
	case "|$expect|" in
	*"|$got|"*) ;;
	*) fail "$name: $got, expected $expect: $(head -c 1500 "$TEST_TMP/res.json")" ;;
	esac
	[ "$took" -le "$within" ] || fail "$name: $expect after $took s (at most $within s)"
	sed -n 's#^// redteam-forbid: ##p' "$src" | sed "s#@TEST_TMP@#$TEST_TMP#" | while IFS= read -r text; do
		if grep -qiF -- "$text" "$TEST_TMP/res.json"; then
			echo "FAIL: $name: the served result shows \"$text\": $(head -c 1500 "$TEST_TMP/res.json")" >&2
			exit 1
		fi
	done || exit 1
	sed -n 's#^// redteam-require: ##p' "$src" | while IFS= read -r text; do
		grep -qF -- "$text" "$TEST_TMP/res.json" || {
			echo "FAIL: $name: the served result lacks \"$text\": $(head -c 1500 "$TEST_TMP/res.json")" >&2
			exit 1
		}
	done || exit 1
	host_check "$name" "$TEST_TMP/before.list" "$kb0"
	msg=$(field "$TEST_TMP/res.json" '[t["message"] for t in d["tests"] if t["verdict_code"] != "AC"][:1] or d["compile"]["log"][:120]')
	ok "$name: $got in $took s ($msg); nothing left on the host (work dir $(work_kb) KiB without the cache)"
	case $name in
	same_source.cpp)
		# The same bytes from another user: compiled for him, not a
		# hit of carol's build (one more cache entry each).
		c1=$(cache_entries)
		[ "$c1" -eq $((CACHE0 + 1)) ] || fail "same source: $c1 compile cache entries after carol, expected $((CACHE0 + 1))"
		id=$(submit dave hello-judge cpp "$src")
		result dave "$id" "$TEST_TMP/res_dave.json"
		[ "$(field "$TEST_TMP/res_dave.json" 'd["verdict_code"]')" = AC ] || fail "same source as dave: $(head -c 800 "$TEST_TMP/res_dave.json")"
		c2=$(cache_entries)
		[ "$c2" -eq $((c1 + 1)) ] ||
			fail "the same source from another user was a compile cache hit ($c2 entries, expected $((c1 + 1)): one per user)"
		# carol again: a hit that reports her compile's time, not the
		# time of the copy.
		id=$(submit carol hello-judge cpp "$src")
		result carol "$id" "$TEST_TMP/res2.json"
		t1=$(field "$TEST_TMP/res.json" 'd["compile"]["time_ms"]')
		t2=$(field "$TEST_TMP/res2.json" 'd["compile"]["time_ms"]')
		[ "$(cache_entries)" -eq "$c2" ] || fail "carol's resubmission was not a compile cache hit"
		[ "$t1" = "$t2" ] || fail "a compile cache hit reports $t2 ms, the compile took $t1 ms"
		ok "same source from two users: one compile each; a hit reports the original compile time ($t1 ms)"
		;;
	esac
	case $name in
	oom_*.cpp) oom_check "$name" ;;
	esac
	n=$((n + 1))
done
if [ -n "${REDTEAM_ONLY:-}" ] && [ "$REDTEAM_ONLY" != sweep ]; then
	ok "$REDTEAM_ONLY alone (REDTEAM_ONLY)"
	exit 0
fi
if [ -z "${REDTEAM_ONLY:-}" ]; then
	[ "$n" -ge 6 ] || fail "only $n red-team submissions found in $RT"
	grep -q "secret/01: WA: .*expected" "$ERRF" || fail "the judge's log lacks the hidden test's details: $(grep secret/01 "$ERRF" | head -n 3)"
	ok "the hidden test's details are in the judge's log (for the operator)"
fi

# ------------------------------------------------ stale run directories
kill -TERM "$SERVER"
wait "$SERVER" || fail "serve exited $? on SIGTERM"
host_clean "after the server stopped" "$HELPER" --cgroup-root "$CG" --gone
ok "no run cgroup and no sandbox helper is left once the server has stopped"
if [ ! -d "$WORK" ]; then # nothing judged yet (REDTEAM_ONLY=sweep)
	mkdir "$WORK" && chown "$USER_NAME" "$WORK"
fi
stale="$WORK/run-stale01"
d="$stale/box"
mkdir -p "$d"
i=0
while [ $i -lt 30 ]; do d="$d/d"; i=$((i + 1)); done
mkdir -p "$d"
echo secret >"$d/input"
chown -R 65534:65534 "$stale/box"
chown "$USER_NAME" "$stale"
find "$stale/box" -depth -type d -exec chmod 000 {} +
# A judge killed during a test leaves its box tmpfs mounted.
stale2="$WORK/run-stale02"
mkdir -p "$stale2/box"
chown -R "$USER_NAME" "$stale2"
mount -t tmpfs -o size=1m,mode=0755 tmpfs "$stale2/box" || fail "cannot mount a tmpfs for the stale box"
mkdir "$stale2/box/closed" && echo secret >"$stale2/box/closed/input" && chmod 000 "$stale2/box/closed"
# This time for practice: hidden tests' details shown.
start_serve -o judge.reveal_secret_details=true
if grep -q " $stale2/box " /proc/self/mountinfo; then
	umount "$stale2/box"
	fail "a stale box tmpfs is still mounted after the start-up"
fi
[ ! -e "$stale" ] || fail "a stale run directory with closed directories survived the start-up: $(ls -la "$stale")"
[ ! -e "$stale2" ] || fail "a stale run directory with a mounted box survived the start-up"
grep -q "removed 2 run directories" "$ERRF" || fail "no start-up sweep message: $(tail -n 5 "$ERRF")"
ok "stale run directories (30 closed levels owned by the sandbox's user; a box tmpfs left mounted) are removed at start-up"

# ------------------------------------------------ practice deployments
# judge.reveal_secret_details = true opens hidden tests' details.
id=$(submit eve hello-judge cpp "$RT/secret_echo.cpp")
result eve "$id" "$TEST_TMP/res.json"
[ "$(field "$TEST_TMP/res.json" 'd["verdict_code"]')" = WA ] || fail "secret_echo with details open: $(head -c 800 "$TEST_TMP/res.json")"
grep -q 'secret/01.*expected' "$TEST_TMP/res.json" ||
	fail "judge.reveal_secret_details = true: the hidden test's message is still closed: $(head -c 1200 "$TEST_TMP/res.json")"
ok "judge.reveal_secret_details = true shows a hidden test's validator message"

# ------------------------------------- problems below a path runs see
# `make install` keeps the problems in /usr/local/share/algocode/problems
# and the Debian package in /usr/share/algocode/problems: below /usr,
# which every run and compile sees.  Here they lie in SHOWN (not below
# /tmp), which sandbox.extra_ro shows: a program looking there for the
# hidden answers finds SHOWN but not what the problems directory holds
# (an empty, closed directory), and gets WA.
kill -TERM "$SERVER"
wait "$SERVER" || fail "serve exited $? on SIGTERM"
mkdir -p "$SHOWN"
cp -r "$TEST_TMP/problems" "$SHOWN/problems"
chmod -R go+rX "$SHOWN"
sed "s#@SHOWN@#$SHOWN#" >"$TEST_TMP/answers.cpp" <<'CPP'
// Prints the answer of the test whose input it is given, read from the
// problem packages, if it can: else whether it saw their directory.
#include <dirent.h>
#include <sys/stat.h>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
static std::string in;
static std::string slurp(const std::string &p)
{
	std::ifstream f(p, std::ios::binary);
	std::ostringstream s;
	s << f.rdbuf();
	return s.str();
}
static int entries = 0;
static bool walk(const std::string &d, int depth)
{
	DIR *dir = opendir(d.c_str());
	bool done = false;
	if (!dir)
		return false;
	while (struct dirent *e = !done ? readdir(dir) : nullptr) {
		std::string n = e->d_name, p = d + "/" + n;
		if (n == "." || n == "..")
			continue;
		entries++;
		if (e->d_type == DT_DIR && depth < 8)
			done = walk(p, depth + 1);
		else if (n.size() > 3 && n.compare(n.size() - 3, 3, ".in") == 0 &&
		         slurp(p) == in) {
			std::cout << slurp(p.substr(0, p.size() - 3) + ".ans");
			done = true;
		}
	}
	closedir(dir);
	return done;
}
int main()
{
	struct stat sb;
	in.assign(std::istreambuf_iterator<char>(std::cin), {});
	if (walk("@SHOWN@/problems", 0))
		return 0;
	std::cout << (stat("@SHOWN@", &sb) == 0 ? "SHOWN-BUT-HIDDEN" : "NOT-SHOWN")
	          << "-" << entries << "\n";
}
CPP
start_serve -o sandbox.extra_ro="$SHOWN" -o judge.problems_dir="$SHOWN/problems"
id=$(submit eve hello-judge cpp "$TEST_TMP/answers.cpp")
result eve "$id" "$TEST_TMP/res.json"
[ "$(field "$TEST_TMP/res.json" 'd["verdict_code"]')" = WA ] ||
	fail "a program read the hidden answers of problems below a shown path: $(head -c 1500 "$TEST_TMP/res.json")"
grep -q 'SHOWN-BUT-HIDDEN-0' "$TEST_TMP/res.json" ||
	fail "the problems' parent is not shown, or their directory is not empty: $(head -c 1500 "$TEST_TMP/res.json")"
ok "problems below a path the runs see (sandbox.extra_ro, as /usr after make install): hidden, the answer-reading program gets WA"
