# Shared pieces of the benchmarks (POSIX sh), sourced first by each:
#   . "$(dirname "$0")/lib.sh"
# It sets top_builddir (default: the current directory) and top_srcdir
# (default: the tree this file is in) and goes to the build tree.
: "${top_builddir:=$(pwd)}"
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
cd "$top_builddir"

# bench_build PROGRAM...: make the programs of the build tree a benchmark
# runs, those not built yet.
bench_build() {
	for t in "$@"; do
		[ -x "$t" ] || make "$t" >/dev/null
	done
}

# bench_ns: the ns sandbox plugin, built if it is not (plugins-build/).
bench_ns() {
	[ -e plugins-build/sandbox/ns.so ] || make all-local >/dev/null
}

# bench_tmp: tmp, a temporary directory the sandbox can read, removed on exit.
bench_tmp() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/algocode-bench.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	chmod 755 "$tmp"
}

# bwrap_spin BWRAP BOX: the command line (its words, which hold no
# spaces) that runs BOX/spin as /box/spin under bubblewrap in new
# namespaces: /usr read-only, the / symlinks into it, /dev, /proc and a
# /tmp, no capabilities.
bwrap_spin() {
	_bw="$1 --unshare-all --die-with-parent --new-session --cap-drop ALL --ro-bind /usr /usr"
	for _l in bin sbin lib lib32 lib64 libx32; do
		[ -L "/$_l" ] && _bw="$_bw --symlink $(readlink "/$_l") /$_l"
	done
	echo "$_bw --dev /dev --proc /proc --tmpfs /tmp --bind $2 /box --chdir /box /box/spin"
}

# bench_judge NAME COUNT LANG SOURCE PICK OPTION...: judge SOURCE (in
# LANG) on problems/hello-judge COUNT times, the work directory
# $tmp/work-NAME, the OPTIONs after the defaults; every judging must be
# AC.  PICK, a Python expression of the result document d, is the list of
# its numbers to keep (in $tmp/NAME.ms); prints the median of them all.
bench_judge() {
	_bj_name=$1 _bj_count=$2 _bj_lang=$3 _bj_src=$4 _bj_pick=$5
	shift 5
	: >"$tmp/$_bj_name.ms"
	_bj_i=0
	while [ $_bj_i -lt "$_bj_count" ]; do
		"$top_builddir/algocode" judge -c "$top_builddir/conf.d/single-node.conf" \
			-o plugins.dir="$top_builddir/plugins-build" -o log.level=error \
			-o judge.work_dir="$tmp/work-$_bj_name" "$@" \
			--problem "$top_srcdir/problems/hello-judge" --lang "$_bj_lang" \
			--json "$_bj_src" |
			python3 -c 'import json,sys
d=json.load(sys.stdin); assert d["verdict_code"]=="AC", d
for v in eval(sys.argv[1]): print(v)' "$_bj_pick" >>"$tmp/$_bj_name.ms"
		_bj_i=$((_bj_i + 1))
	done
	sort -n "$tmp/$_bj_name.ms" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# make_problem DIR NTESTS [interactive]: a problem of NTESTS secret tests
# "i 7i" whose answer is their sum; with "interactive", a validator hands
# the test to the submission and reads its answer back.
make_problem() {
	mkdir -p "$1/data/secret"
	printf 'name: Echo sum\nlimits:\n  time_limit: 1\n  memory: 256\n' >"$1/problem.yaml"
	if [ "${3:-}" = interactive ]; then
		echo 'validation: custom interactive' >>"$1/problem.yaml"
		mkdir -p "$1/output_validators/v"
		cat >"$1/output_validators/v/validator.cpp" <<'CPP'
#include <cstdio>
int main(int argc, char **argv)
{
	long a, b, want, got;
	FILE *in = std::fopen(argv[1], "r"), *ans = std::fopen(argv[2], "r");
	if (argc < 4 || !in || !ans || std::fscanf(in, "%ld %ld", &a, &b) != 2 ||
	    std::fscanf(ans, "%ld", &want) != 1)
		return 1;
	std::printf("%ld %ld\n", a, b);
	std::fflush(stdout);
	return std::scanf("%ld", &got) == 1 && got == want ? 42 : 43;
}
CPP
	fi
	i=1
	while [ "$i" -le "$2" ]; do
		f=$(printf '%s/data/secret/%02d' "$1" "$i")
		echo "$i $((i * 7))" >"$f.in"
		echo "$((i + i * 7))" >"$f.ans"
		i=$((i + 1))
	done
}

# The solution judged ($tmp/sol.cpp: A+B) and the options of every judge.
bench_solution() {
	cat >"$tmp/sol.cpp" <<'CPP'
#include <cstdio>
int main() { long a, b; if (std::scanf("%ld %ld", &a, &b) != 2) return 1; std::printf("%ld\n", a + b); }
CPP
	opts="-c conf.d/single-node.conf -o plugins.dir=$top_builddir/plugins-build \
 -o judge.work_dir=$tmp/work -o store.path=$tmp/db -o log.level=error"
}

now_ms() { date +%s%3N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# judge_ms PROBLEM: the elapsed time of judging $tmp/sol.cpp on PROBLEM
# (it must be AC) minus its compile time, in ms.
judge_ms() {
	t0=$(now_ms)
	# shellcheck disable=SC2086
	./algocode judge --problem "$1" --lang cpp --json "$tmp/sol.cpp" $opts >"$tmp/res.json"
	t1=$(now_ms)
	python3 - "$tmp/res.json" "$((t1 - t0))" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["verdict_code"] == "AC", d
print(int(sys.argv[2]) - d["compile"]["time_ms"])
PY
}
