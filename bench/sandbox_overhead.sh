#!/bin/sh
# Per-run cost of the ns sandbox against a bare fork+exec+wait of the same
# static binary (bench/spin).  Run from the build directory (make bench)
# or with top_builddir set.  Needs root for the sandbox half.
#
#   N=200 sh bench/sandbox_overhead.sh
set -e
. "$(dirname "$0")/lib.sh"
N=${N:-200}
bench_build bench/forkexec bench/spin tests/sbxrun
bench_ns
plugin=plugins-build/sandbox/ns.so

box=$(mktemp -d "${TMPDIR:-/tmp}/algocode-bench.XXXXXX")
in=$(mktemp "${TMPDIR:-/tmp}/algocode-bench-in.XXXXXX")
trap 'rm -rf "$box" "$in"' EXIT
chmod 755 "$box"
cp bench/spin "$box/spin"
# Every run reads a test's input on stdin, as a judge's does (the sandbox
# reopens it so that its path is hidden: docs/sandbox.md).
echo "1 2" >"$in"

get() { sed -n "s/^$1=//p"; }
fe=$(bench/forkexec -n "$N" "$box/spin" <"$in")
fe_med=$(echo "$fe" | get median_ms)
fe_p99=$(echo "$fe" | get p99_ms)

if [ "$(id -u)" != 0 ]; then
	echo "fork+exec: median $fe_med ms, p99 $fe_p99 ms ($N runs)"
	echo "sandbox: skipped (needs root)"
	exit 0
fi
sb=$(tests/sbxrun --plugin "$plugin" --box "$box" --cpu 1000 --wall 5000 \
	--mem 65536 --procs 4 --stdin "$in" --repeat "$N" -- /box/spin)
sb_med=$(echo "$sb" | get median_ms)
sb_p99=$(echo "$sb" | get p99_ms)

# bubblewrap, the reference: the same namespaces (--unshare-all: user,
# pid, mount, network, ipc, uts, cgroup) and the closest file system to
# ours (read-only /usr with the /bin /lib* symlinks, fresh /dev /proc
# /tmp, the box read-write at /box), new session, no capabilities.  bwrap
# sets no cgroup, rlimit or seccomp filter, so it does less than run().
# Its own box: the sandbox's run left ours to the sandbox uid, mode 0700,
# which root in bwrap's user namespace cannot enter.
bw_med=
bwrap=$(command -v bwrap || true)
if [ -n "$bwrap" ]; then
	bwbox=$(mktemp -d "${TMPDIR:-/tmp}/algocode-bench.XXXXXX")
	trap 'rm -rf "$box" "$in" "$bwbox"' EXIT
	chmod 755 "$bwbox"
	cp bench/spin "$bwbox/spin"
	# shellcheck disable=SC2046
	set -- $(bwrap_spin "$bwrap" "$bwbox")
	if "$@" 2>/dev/null; then
		bw=$(bench/forkexec -n "$N" "$@" <"$in")
		bw_med=$(echo "$bw" | get median_ms)
		bw_p99=$(echo "$bw" | get p99_ms)
	fi
fi

printf '%-24s %10s %10s\n' "per run ($N runs)" "median ms" "p99 ms"
printf '%-24s %10s %10s\n' "fork+exec+wait" "$fe_med" "$fe_p99"
printf '%-24s %10s %10s\n' "sandbox/ns run()" "$sb_med" "$sb_p99"
[ -n "$bw_med" ] &&
	printf '%-24s %10s %10s\n' "bwrap --unshare-all" "$bw_med" "$bw_p99"
awk -v a="$sb_med" -v b="$fe_med" -v c="$sb_p99" -v d="$fe_p99" 'BEGIN {
	printf "%-24s %10.1f %10.1f\n", "ratio sandbox/bare", a / b, c / d }'
if [ -n "$bw_med" ]; then
	awk -v a="$bw_med" -v b="$sb_med" -v c="$bw_p99" -v d="$sb_p99" 'BEGIN {
		printf "%-24s %10.1f %10.1f\n", "speed-up vs bwrap", a / b, c / d }'
else
	echo "bwrap: not installed or not usable here, no comparison"
fi
