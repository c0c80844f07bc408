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
: "${top_builddir:=$(pwd)}"
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
R=${R:-5}
cd "$top_builddir"
for t in bench/forkexec algocode; do
	[ -x "$t" ] || make "$t" >/dev/null
done
[ -e plugins-build/sandbox/ns.so ] || make all-local >/dev/null

tmp=$(mktemp -d "${TMPDIR:-/tmp}/algocode-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"

make_problem() { # DIR NTESTS
	mkdir -p "$1/data/secret"
	printf 'name: Echo sum\nlimits:\n  time_limit: 1\n  memory: 256\n' >"$1/problem.yaml"
	i=1
	while [ "$i" -le "$2" ]; do
		f=$(printf '%s/data/secret/%02d' "$1" "$i")
		echo "$i $((i * 7))" >"$f.in"
		echo "$((i + i * 7))" >"$f.ans"
		i=$((i + 1))
	done
}
make_problem "$tmp/p50" 50
make_problem "$tmp/p1" 1
cat >"$tmp/sol.cpp" <<'CPP'
#include <cstdio>
int main() { long a, b; if (std::scanf("%ld %ld", &a, &b) != 2) return 1; std::printf("%ld\n", a + b); }
CPP
g++ -O2 -std=gnu++17 -o "$tmp/sol" "$tmp/sol.cpp"

opts="-c conf.d/single-node.conf -o plugins.dir=$top_builddir/plugins-build \
 -o judge.work_dir=$tmp/work -o store.path=$tmp/db -o log.level=error"

now_ms() { date +%s%3N; }
judge_ms() { # PROBLEM -> elapsed minus compile, in ms
	t0=$(now_ms)
	# shellcheck disable=SC2086
	./algocode judge --problem "$1" --lang cpp --json "$tmp/sol.cpp" $opts >"$tmp/res.json"
	t1=$(now_ms)
	python3 - "$tmp/res.json" "$((t1 - t0))" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["verdict_code"] == "AC", d["verdict_code"]
print(int(sys.argv[2]) - d["compile"]["time_ms"])
PY
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

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
