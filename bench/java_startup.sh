#!/bin/sh
# Per-test cost of a Java program: the judge's sandboxed run (wall_ms of
# each test of `algocode judge`, problems/hello-judge, median over the
# tests of R judgings), with and without the class-data-sharing archive
# (lang.java.cds), next to a bare `java -cp DIR Main` (JDK defaults, no
# sandbox) fed the same inputs, in the same script.  Goal (issue 21): the
# judge at or below the bare JVM.  Needs root and a JDK.
#   R=3 N=20 top_builddir=. top_srcdir=SRC sh bench/java_startup.sh
# December 2026, 2 CPUs shared with other builds (median ms, vs bare):
#   plain, load average ~24: bare 1218, judge no archive 1156 (0.95),
#     judge with archive 816 (0.67);
#   under `chrt -f 10` (every process of the script alike, so that the
#     others' load does not decide): bare 169, no archive 158 (0.93),
#     archive 140 (0.83).
# The run's flags and why: docs/plugins.md, lang/java.
set -eu
. "$(dirname "$0")/lib.sh"
R=${R:-3}
N=${N:-20}
command -v javac >/dev/null || { echo "SKIPPED: no JDK"; exit 0; }
[ "$(id -u)" = 0 ] || { echo "SKIPPED: the sandbox needs root"; exit 0; }
[ -x "$top_builddir/bench/forkexec" ] || make -C "$top_builddir" bench/forkexec >/dev/null
tmp=$(mktemp -d "${TMPDIR:-/tmp}/algocode-bench-java.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
cat >"$tmp/Main.java" <<'JAVA'
import java.util.*;
public class Main {
	public static void main(String[] a) {
		Scanner s = new Scanner(System.in);
		System.out.println("Hello, " + s.nextLine() + "!");
	}
}
JAVA
mkdir "$tmp/bare" "$tmp/in"
javac -d "$tmp/bare" "$tmp/Main.java"
for f in "$top_srcdir"/problems/hello-judge/data/*/*.in; do
	cp "$f" "$tmp/in/$(basename "$(dirname "$f")")-$(basename "$f")"
done
cds_dir="$tmp/cds"
judge() { # median wall_ms of the tests of R judgings
	name=$1; shift
	bench_judge "$name" "$R" java "$tmp/Main.java" '[t["wall_ms"] for t in d["tests"]]' \
		-o judge.compile_cache_mb=0 -o lang.java.cds_dir="$cds_dir" "$@"
}
# The first judging starts the archive's build (in the background).
judge warm >/dev/null
i=0
until [ -e "$cds_dir"/*.jsa ] && ! [ -e "$cds_dir/.lock" ]; do
	i=$((i + 1))
	[ $i -lt 600 ] || { echo "archive not built in 300 s" >&2; exit 1; }
	sleep 0.5
done
get() { sed -n "s/^$1=//p"; }
bare=$("$top_builddir/bench/forkexec" -n "$N" -i "$tmp/in" "$(command -v java)" \
	-cp "$tmp/bare" Main | get median_ms)
nocds=$(judge nocds -o lang.java.cds=false)
cds=$(judge cds)
bare2=$("$top_builddir/bench/forkexec" -n "$N" -i "$tmp/in" "$(command -v java)" \
	-cp "$tmp/bare" Main | get median_ms)
bare=$(awk -v a="$bare" -v b="$bare2" 'BEGIN{printf "%.0f", (a + b) / 2}')
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a / b}'; }
printf '%-44s %8s %8s\n' "per Java test (hello-judge)" "median" "vs bare"
printf '%-44s %5s ms %8s\n' "bare java -cp DIR Main (no sandbox)" "$bare" "1.00"
printf '%-44s %5s ms %8s\n' "judge, sandboxed, no CDS archive" "$nocds" "$(ratio "$nocds" "$bare")"
printf '%-44s %5s ms %8s\n' "judge, sandboxed, CDS archive (goal <= 1)" "$cds" "$(ratio "$cds" "$bare")"
