#!/bin/sh
# Per-run cost of sandbox/docker's warm pool, of a fresh container per run
# (sandbox.pool = false: create, start, connect to its agent, run, remove —
# what a cold `docker run` per test costs), and of sandbox/ns, side by side,
# for the same static binary (bench/spin exits at once).  Starts a private
# dockerd like tests/e2e/svc_docker.sh (image cached in
# $ALGOCODE_DOCKER_CACHE).
# Run from the build directory (make bench-docker) or with top_builddir
# and top_srcdir set.  Needs root.
#
#   N=100 NF=20 sh bench/docker_overhead.sh
set -e
. "$(dirname "$0")/lib.sh"
N=${N:-100}
NF=${NF:-20}
bench_build bench/spin tests/sbxrun
[ "$(id -u)" = 0 ] || { echo "docker_overhead: needs root"; exit 77; }
[ -e plugins-build/sandbox/docker.so ] || { echo "docker_overhead: sandbox/docker not built"; exit 77; }

TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/algocode-dkbench.XXXXXX")
chmod 755 "$TEST_TMP"
BG_PIDS=""
skip() { echo "docker_overhead: skipped: $*"; rm -rf "$TEST_TMP"; exit 77; }
fail() { echo "docker_overhead: $*" >&2; exit 1; }
. "$top_srcdir/tests/e2e/svc_docker.sh"
docker_start
trap 'docker_stop; rm -rf "$TEST_TMP"' EXIT

box="$TEST_TMP/box"
mkdir -p "$box"
cp bench/spin "$box/spin"
get() { sed -n "s/^$1=//p"; }
run() {
	# run PLUGIN N [--set k=v]...
	_p=$1
	_n=$2
	shift 2
	tests/sbxrun --plugin "plugins-build/sandbox/$_p.so" "$@" --box "$box" \
		--cpu 1000 --wall 5000 --mem 65536 --procs 4 --repeat "$_n" -- /box/spin
}
S="--set socket=$DOCKER_SOCK --set state_dir=$TEST_TMP/state"
# shellcheck disable=SC2086
pool=$(run docker "$N" $S)
# shellcheck disable=SC2086
fresh=$(run docker "$NF" $S --set pool=false)
ns_med=- ns_p99=-
if [ -e plugins-build/sandbox/ns.so ] && ns=$(run ns "$N" 2>/dev/null); then
	ns_med=$(echo "$ns" | get median_ms)
	ns_p99=$(echo "$ns" | get p99_ms)
fi
# shellcheck disable=SC2086
pool2=$(run docker "$N" $S --threads 2)

p_med=$(echo "$pool" | get median_ms)
f_med=$(echo "$fresh" | get median_ms)
printf '%-36s %10s %10s\n' "per run" "median ms" "p99 ms"
printf '%-36s %10s %10s\n' "sandbox/ns ($N runs)" "$ns_med" "$ns_p99"
printf '%-36s %10s %10s\n' "docker warm pool ($N runs)" "$p_med" "$(echo "$pool" | get p99_ms)"
printf '%-36s %10s %10s\n' "docker warm pool, 2 threads" "$(echo "$pool2" | get median_ms)" "$(echo "$pool2" | get p99_ms)"
printf '%-36s %10s %10s\n' "docker fresh container ($NF runs)" "$f_med" "$(echo "$fresh" | get p99_ms)"
ratio=$(awk -v f="$f_med" -v p="$p_med" 'BEGIN { printf "%.1f", f / p }')
echo "fresh container / warm pool: ${ratio}x (target: at least 5x)"
awk -v r="$ratio" 'BEGIN { exit !(r >= 5) }' || echo "WARNING: the warm pool is less than 5x faster"
