#!/bin/sh
# Compile time of a <bits/stdc++.h> submission, side by side in one run:
# without the precompiled header, with it, and a compile-cache hit; and
# of an <iostream> one without and with its precompiled header.
# Prints the median compile.time_ms of N runs each (as the judge reports
# it: the sandboxed compile, or the copy out of the cache).  First, the
# wall time of a whole `algocode judge` in a fresh pch_dir (the headers
# are then built in the background, never waited for) next to one with
# pch=false: the first command must not pay the header build.
# Usage (build directory): top_builddir=. top_srcdir=SRC sh bench/compile_cache.sh
set -eu
. "$(dirname "$0")/lib.sh"
N=${N:-5}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/algocode-bench-cc.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
cat >"$tmp/main.cpp" <<'CPP'
#include <bits/stdc++.h>
using namespace std;
int main() { string s; getline(cin, s); cout << "Hello, " << s << "!\n"; }
CPP
cat >"$tmp/io.cpp" <<'CPP'
#include <iostream>
#include <string>
int main() { std::string s; std::getline(std::cin, s); std::cout << "Hello, " << s << "!\n"; }
CPP
pchdir="$tmp/pch"
src=main.cpp
run() { # run NAME OPTIONS...: median compile time of N judgings
	name=$1; shift
	bench_judge "$name" "$N" cpp "$tmp/$src" '[d["compile"]["time_ms"]]' \
		-o lang.cpp.pch_dir="$pchdir" "$@"
}
now_ms() { python3 -c 'import time; print(int(time.monotonic() * 1000))'; }
wall() { # wall ms of one whole judging (N=1)
	_t0=$(now_ms)
	N=1 run "$@" >/dev/null
	echo $(($(now_ms) - _t0))
}
# The first command in a fresh pch_dir starts the header build in the
# background and compiles without it meanwhile.
first=$(wall first -o judge.compile_cache_mb=0)
nopch_wall=$(wall nopchw -o lang.cpp.pch=false -o judge.compile_cache_mb=0)
i=0
until [ -e "$pchdir"/*/bits/stdc++.h.gch ] && [ -e "$pchdir"/*/iostream.gch ] &&
	! [ -e "$pchdir"/*/.build/lock ]; do
	i=$((i + 1))
	[ $i -lt 600 ] || { echo "precompiled headers not built in 300 s" >&2; exit 1; }
	sleep 0.5
done
built=$((i / 2))
nopch=$(run nopch -o lang.cpp.pch=false -o judge.compile_cache_mb=0)
pch=$(run pch -o judge.compile_cache_mb=0)
# One judging fills the cache, the N measured ones hit it.
run fill -o judge.compile_cache_mb=64 >/dev/null
N=$N hit=$(run fill -o judge.compile_cache_mb=64)
src=io.cpp
io_nopch=$(run ionopch -o lang.cpp.pch=false -o judge.compile_cache_mb=0)
io_pch=$(run iopch -o judge.compile_cache_mb=0)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
printf '%-40s %8s %8s\n' "first judging, fresh pch_dir (wall)" "$first ms" \
	"$(ratio "$first" "$nopch_wall")"
printf '%-40s %8s %8s\n' "judging with pch=false (wall)" "$nopch_wall ms" "1.00"
echo "(the headers were ready about $built s later, in the background)"
printf '%-40s %8s %8s\n' "compile of <bits/stdc++.h> (N=$N)" "median" "speed-up"
printf '%-40s %6s ms %8s\n' "no precompiled header" "$nopch" "1.00"
printf '%-40s %6s ms %8s\n' "precompiled header (goal >= 4)" "$pch" "$(ratio "$nopch" "$pch")"
printf '%-40s %6s ms %8s\n' "compile-cache hit" "$hit" "$(ratio "$nopch" "$hit")"
printf '%-40s %8s %8s\n' "compile of <iostream> (N=$N)" "median" "speed-up"
printf '%-40s %6s ms %8s\n' "no precompiled header" "$io_nopch" "1.00"
printf '%-40s %6s ms %8s\n' "precompiled <iostream>" "$io_pch" "$(ratio "$io_nopch" "$io_pch")"
