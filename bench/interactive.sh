#!/bin/sh
# Per-test cost of an interactive run (the submission and the validator in
# two sandbox runs side by side, relayed by the judge) next to a batch run
# of the same program on the same tests, measured in the same script.
#
# Method (as bench/judge_overhead.sh): a 50-test and a 1-test copy of each
# problem are judged alternately R times with `algocode judge --json`
# after one warm-up round (the validator build and the compile cache);
# compile time is subtracted, and
#     per-test cost = (median(T50) - median(T1)) / 49
# so start-up, plugin loading and compiling cancel out.  The batch problem
# uses the default validator; the interactive one a C++ Kattis validator
# that writes the test's input to the program and checks what it answers.
#
#   R=5 sh bench/interactive.sh        (from the build directory; root)
set -e
. "$(dirname "$0")/lib.sh"
R=${R:-5}
bench_build algocode
bench_ns

bench_tmp
for kind in batch interactive; do
	make_problem "$tmp/$kind-50" 50 $kind
	make_problem "$tmp/$kind-1" 1 $kind
done
bench_solution


for p in batch-50 batch-1 interactive-50 interactive-1; do
	judge_ms "$tmp/$p" >/dev/null # warm-up: builds, compile cache
	: >"$tmp/t-$p"
done
r=0
while [ "$r" -lt "$R" ]; do
	for p in batch-50 batch-1 interactive-50 interactive-1; do
		judge_ms "$tmp/$p" >>"$tmp/t-$p"
	done
	r=$((r + 1))
done
b50=$(median <"$tmp/t-batch-50")
b1=$(median <"$tmp/t-batch-1")
i50=$(median <"$tmp/t-interactive-50")
i1=$(median <"$tmp/t-interactive-1")

echo "the same program on 50 tests, batch and interactive ($R rounds, medians)"
printf '  %-46s %8s ms\n' "batch, 50 tests, minus compile" "$b50"
printf '  %-46s %8s ms\n' "batch, 1 test" "$b1"
printf '  %-46s %8s ms\n' "interactive, 50 tests, minus compile" "$i50"
printf '  %-46s %8s ms\n' "interactive, 1 test" "$i1"
awk -v b50="$b50" -v b1="$b1" -v i50="$i50" -v i1="$i1" 'BEGIN {
	b = (b50 - b1) / 49
	i = (i50 - i1) / 49
	printf "  %-46s %8.2f ms\n", "batch per test (run + default validator)", b
	printf "  %-46s %8.2f ms\n", "interactive per test (two runs + relay)", i
	printf "  %-46s %8.2f ms\n", "interactive overhead per test", i - b
	printf "  %-46s %8.2fx\n", "ratio interactive/batch", i / b
}'
