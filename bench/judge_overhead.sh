#!/bin/sh
# Judge a 50-test problem and print the per-test cost of the judging
# pipeline (sandbox run + validation + box reset) next to a bare fork+exec
# of the same binary on the same inputs, measured in the same run.
#
# Method: a 50-test and a 1-test copy of one generated problem are judged
# alternately R times with `algocode judge --json`; compile time (reported
# in the result) is subtracted from each elapsed time, and
#     per-test cost = (median(T50) - median(T1)) / 49
# so process start-up, plugin loading and compilation cancel out.  The
# baseline runs the same program, compiled the same way on the host, with
# the same inputs on stdin (bench/forkexec -i).
#
#   R=5 sh bench/judge_overhead.sh        (from the build directory; root)
set -e
. "$(dirname "$0")/lib.sh"
R=${R:-5}
bench_build bench/forkexec algocode
bench_ns

bench_tmp
make_problem "$tmp/p50" 50
make_problem "$tmp/p1" 1
bench_solution
g++ -O2 -std=gnu++17 -o "$tmp/sol" "$tmp/sol.cpp"


: >"$tmp/t50"
: >"$tmp/t1"
r=0
while [ "$r" -lt "$R" ]; do
	judge_ms "$tmp/p50" >>"$tmp/t50"
	judge_ms "$tmp/p1" >>"$tmp/t1"
	r=$((r + 1))
done
m50=$(median <"$tmp/t50")
m1=$(median <"$tmp/t1")
fe=$(bench/forkexec -n 500 -i "$tmp/p50/data/secret" "$tmp/sol")
fe_med=$(echo "$fe" | sed -n 's/^median_ms=//p')

echo "judging a 50-test problem ($R rounds, medians)"
printf '  %-44s %8s ms\n' "50 tests, minus compile" "$m50"
printf '  %-44s %8s ms\n' "1 test, minus compile" "$m1"
awk -v a="$m50" -v b="$m1" -v f="$fe_med" 'BEGIN {
	per = (a - b) / 49
	printf "  %-44s %8.2f ms\n", "judge per test (sandbox + validate + reset)", per
	printf "  %-44s %8.2f ms\n", "bare fork+exec+wait per test, same inputs", f
	printf "  %-44s %8.2f ms\n", "overhead per test", per - f
	printf "  %-44s %8.1fx\n", "ratio judge/bare", per / f
}'
