#!/bin/sh
# Per-run cost of the ns sandbox cold (each run after PAUSE ms of idleness,
# default 300: the first test of a submission arriving after a gap) and
# warm (back to back), next to a bare fork+exec+wait of the same static
# binary and to bubblewrap, cold and warm.  Prints the medians, p99s and
# the ratios asked by issue 21: cold/warm of the sandbox (goal <= 1.5)
# and sandbox cold / bwrap cold (goal < 1).  Needs root.
#
#   N=60 PAUSE=300 sh bench/sandbox_cold.sh
#
# Loaded: the same beside two busy loops (`sh -c 'while :; do :; done' &`
# twice).  Figures: docs/sandbox.md, "Cold runs: no cgroup work beside a
# run" (quiet machine: cold/warm 0.96-1.04, cold/bwrap cold 0.41-0.48)
# and "Cold runs on a loaded machine" (cold/warm 0.92, cold/bwrap cold
# 0.22).
set -e
. "$(dirname "$0")/lib.sh"
N=${N:-60}
NW=${NW:-200}
PAUSE=${PAUSE:-300}
bench_build bench/forkexec bench/spin tests/sbxrun
bench_ns
plugin=plugins-build/sandbox/ns.so
if [ "$(id -u)" != 0 ]; then
	echo "SKIPPED: the sandbox needs root"
	exit 0
fi

box=$(mktemp -d "${TMPDIR:-/tmp}/algocode-bench.XXXXXX")
bwbox=$(mktemp -d "${TMPDIR:-/tmp}/algocode-bench.XXXXXX")
in=$(mktemp "${TMPDIR:-/tmp}/algocode-bench-in.XXXXXX")
trap 'rm -rf "$box" "$bwbox" "$in"' EXIT
chmod 755 "$box" "$bwbox"
cp bench/spin "$box/spin"
cp bench/spin "$bwbox/spin"
echo "1 2" >"$in"

get() { sed -n "s/^$1=//p"; }
row() { # label, output of forkexec/sbxrun
	printf '%-28s %10s %10s\n' "$1" "$(echo "$2" | get median_ms)" \
		"$(echo "$2" | get p99_ms)"
}
sbx() {
	tests/sbxrun --plugin "$plugin" --box "$box" --cpu 1000 --wall 5000 \
		--mem 65536 --procs 4 --stdin "$in" "$@" -- /box/spin
}

fe_w=$(bench/forkexec -n "$NW" "$box/spin" <"$in")
fe_c=$(bench/forkexec -n "$N" -p "$PAUSE" "$box/spin" <"$in")
sb_w=$(sbx --repeat "$NW")
sb_c=$(sbx --repeat "$N" --pause "$PAUSE")

bw_w= bw_c=
if bwrap=$(command -v bwrap); then
	# shellcheck disable=SC2046
	set -- $(bwrap_spin "$bwrap" "$bwbox")
	if "$@" 2>/dev/null <"$in"; then
		bw_w=$(bench/forkexec -n "$NW" "$@" <"$in")
		bw_c=$(bench/forkexec -n "$N" -p "$PAUSE" "$@" <"$in")
	fi
fi

printf '%-28s %10s %10s\n' "per run (cold: ${PAUSE} ms idle)" \
	"median ms" "p99 ms"
row "fork+exec warm" "$fe_w"
row "fork+exec cold" "$fe_c"
row "sandbox/ns warm" "$sb_w"
row "sandbox/ns cold" "$sb_c"
if [ -n "$bw_w" ]; then
	row "bwrap warm" "$bw_w"
	row "bwrap cold" "$bw_c"
fi
ratio() { # label, a, b (outputs): median and p99 ratios a/b
	awk -v l="$1" -v a="$(echo "$2" | get median_ms)" \
		-v b="$(echo "$3" | get median_ms)" \
		-v c="$(echo "$2" | get p99_ms)" -v d="$(echo "$3" | get p99_ms)" \
		'BEGIN { printf "%-28s %10.2f %10.2f\n", l, a / b, c / d }'
}
ratio "sandbox cold/warm (<=1.5)" "$sb_c" "$sb_w"
ratio "sandbox cold/fork+exec cold" "$sb_c" "$fe_c"
ratio "sandbox warm/fork+exec warm" "$sb_w" "$fe_w"
if [ -n "$bw_w" ]; then
	ratio "sandbox cold/bwrap cold (<1)" "$sb_c" "$bw_c"
	ratio "sandbox warm/bwrap warm" "$sb_w" "$bw_w"
else
	echo "bwrap: not installed or not usable here, no comparison"
fi
