#!/bin/sh
# Per-run cost of the ns sandbox against a bare fork+exec+wait of the same
# static binary (bench/spin).  Run from the build directory (make bench)
# or with top_builddir set.  Needs root for the sandbox half.
#
#   N=200 sh bench/sandbox_overhead.sh
set -e
: "${top_builddir:=$(pwd)}"
N=${N:-200}
cd "$top_builddir"
for t in bench/forkexec bench/spin tests/sbxrun; do
	[ -x "$t" ] || make "$t" >/dev/null
done
plugin=plugins-build/sandbox/ns.so
[ -e "$plugin" ] || make all-local >/dev/null

box=$(mktemp -d "${TMPDIR:-/tmp}/algocode-bench.XXXXXX")
trap 'rm -rf "$box"' EXIT
chmod 755 "$box"
cp bench/spin "$box/spin"

get() { sed -n "s/^$1=//p"; }
fe=$(bench/forkexec -n "$N" "$box/spin")
fe_med=$(echo "$fe" | get median_ms)
fe_p99=$(echo "$fe" | get p99_ms)

if [ "$(id -u)" != 0 ]; then
	echo "fork+exec: median $fe_med ms, p99 $fe_p99 ms ($N runs)"
	echo "sandbox: skipped (needs root)"
	exit 0
fi
sb=$(tests/sbxrun --plugin "$plugin" --box "$box" --cpu 1000 --wall 5000 \
	--mem 65536 --procs 4 --repeat "$N" -- /box/spin)
sb_med=$(echo "$sb" | get median_ms)
sb_p99=$(echo "$sb" | get p99_ms)

printf '%-22s %10s %10s\n' "per run ($N runs)" "median ms" "p99 ms"
printf '%-22s %10s %10s\n' "fork+exec+wait" "$fe_med" "$fe_p99"
printf '%-22s %10s %10s\n' "sandbox/ns run()" "$sb_med" "$sb_p99"
awk -v a="$sb_med" -v b="$fe_med" -v c="$sb_p99" -v d="$fe_p99" 'BEGIN {
	printf "%-22s %10.1f %10.1f\n", "ratio sandbox/bare", a / b, c / d }'
