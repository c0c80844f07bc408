#!/bin/sh
# Compile time of a <bits/stdc++.h> submission, side by side in one run:
# without the precompiled header, with it, and a compile-cache hit.
# Prints the median compile.time_ms of N runs each (as the judge reports
# it: the sandboxed compile, or the copy out of the cache).
# Usage (build directory): top_builddir=. top_srcdir=SRC sh bench/compile_cache.sh
set -eu
: "${top_builddir:=$(pwd)}"
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
N=${N:-5}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/algocode-bench-cc.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
cat >"$tmp/main.cpp" <<'CPP'
#include <bits/stdc++.h>
using namespace std;
int main() { string s; getline(cin, s); cout << "Hello, " << s << "!\n"; }
CPP
run() { # run NAME OPTIONS...: median compile time of N judgings
	name=$1; shift
	: >"$tmp/$name.ms"
	i=0
	while [ $i -lt "$N" ]; do
		"$top_builddir/algocode" judge -c "$top_builddir/conf.d/single-node.conf" \
			-o plugins.dir="$top_builddir/plugins-build" -o log.level=error \
			-o judge.work_dir="$tmp/work-$name" "$@" \
			--problem "$top_srcdir/problems/hello-judge" --lang cpp --json "$tmp/main.cpp" |
			python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["verdict_code"]=="AC", d; print(d["compile"]["time_ms"])' >>"$tmp/$name.ms"
		i=$((i + 1))
	done
	sort -n "$tmp/$name.ms" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
# The first judging with the PCH builds it if needed: warm it up.
run warm -o judge.compile_cache_mb=0 >/dev/null
nopch=$(run nopch -o lang.cpp.pch=false -o judge.compile_cache_mb=0)
pch=$(run pch -o judge.compile_cache_mb=0)
# One judging fills the cache, the N measured ones hit it.
run fill -o judge.compile_cache_mb=64 >/dev/null
N=$N hit=$(run fill -o judge.compile_cache_mb=64)
printf '%-34s %8s %8s\n' "compile of <bits/stdc++.h> (N=$N)" "median" "ratio"
printf '%-34s %6s ms %8s\n' "no precompiled header" "$nopch" "1.00"
printf '%-34s %6s ms %8s\n' "precompiled header" "$pch" \
	"$(awk -v a="$nopch" -v b="$pch" 'BEGIN{printf "%.2f", b/a}')"
printf '%-34s %6s ms %8s\n' "compile-cache hit" "$hit" \
	"$(awk -v a="$nopch" -v b="$hit" 'BEGIN{printf "%.3f", b/a}')"
