#!/bin/sh
# How exactly the sandbox enforces and measures CPU time, for sandbox/ns and
# (when a private dockerd can run here) sandbox/docker:
#
#  (a) TLE kill latency: how far past its limit a run is killed.  A busy
#      loop under a CPU limit (1 thread, then 4 threads, which accrue CPU
#      faster than wall time on a machine with several cores): the report's
#      cpu_us minus the limit, with the report's wall_us and the whole
#      run() call beside it.  A program that sleeps under a wall limit: the
#      report's wall_us minus the limit.  Target: within 10 ms.
#  (b) CPU time accuracy: a program burns a given amount of CPU, then
#      prints its own getrusage (RUSAGE_SELF + RUSAGE_CHILDREN, utime +
#      stime) just before it exits; the report's cpu_us (the cgroup's) is
#      compared with it.  Target: within 1 %.
#
# Run from the build directory (make bench) or with top_builddir and
# top_srcdir set.  Needs root.  DOCKER=0 skips sandbox/docker, which is
# also skipped when its private dockerd (tests/e2e/svc_docker.sh) cannot
# start, or when another test holds its image cache for more than
# DOCKER_WAIT seconds.
#
#   N=30 CPU_MS=300 WALL_MS=200 DOCKER_WAIT=120 sh bench/sandbox_limits.sh
set -e
. "$(dirname "$0")/lib.sh"
N=${N:-30}
CPU_MS=${CPU_MS:-300}
WALL_MS=${WALL_MS:-200}
THREADS=${THREADS:-4}
BURN_MS=${BURN_MS:-200 1000}
DOCKER=${DOCKER:-1}
DOCKER_WAIT=${DOCKER_WAIT:-120}
bench_build bench/cpuhog tests/sbxrun
bench_ns
if [ "$(id -u)" != 0 ]; then
	echo "sandbox_limits: skipped (needs root)"
	exit 0
fi

TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/algocode-limits.XXXXXX")
chmod 755 "$TEST_TMP"
BG_PIDS=""
DOCKERD_PID=""
cleanup() {
	[ -z "$DOCKERD_PID" ] || docker_stop
	rm -rf "$TEST_TMP"
}
trap cleanup EXIT
box="$TEST_TMP/box"
mkdir -p "$box"
chmod 755 "$box"
cp bench/cpuhog "$box/cpuhog"
ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)

# field KEY: the values of KEY= in the --each lines on stdin, one a line.
field() {
	awk -v k="$1" '{ for (i = 1; i <= NF; i++)
		if (index($i, k "=") == 1) print substr($i, length(k) + 2) }'
}
# stats: "median p99 max" of the numbers on stdin (p99 as sbxrun's).
stats() {
	sort -n | awk '{ v[NR] = $1 } END {
		if (!NR) { print "- - -"; exit }
		print v[int((NR - 1) / 2) + 1], v[int((NR - 1) * 99 / 100) + 1], v[NR] }'
}
# row LABEL UNIT-DIVISOR TARGET: a table row from the numbers on stdin
# (divided by UNIT-DIVISOR), "over" when the max exceeds TARGET (if any).
row() {
	set -- "$1" "$2" "$3" $(stats)
	awk -v l="$1" -v d="$2" -v t="$3" -v m="$4" -v p="$5" -v x="$6" 'BEGIN {
		if (m == "-") { printf "%-44s %9s %9s %9s\n", l, "-", "-", "-"; exit }
		printf "%-44s %9.2f %9.2f %9.2f%s\n", l, m / d, p / d, x / d,
			(t != "" && x / d > t) ? "  over " t : "" }'
}
count() { # count KEY VALUE FILE: runs whose KEY is VALUE
	field "$1" <"$3" | grep -c "^$2\$" || true
}

# sbx PLUGIN [sbxrun options] -- ARGV: N runs, one --each line per run.
sbx() {
	_p=$1
	shift
	# shellcheck disable=SC2086
	tests/sbxrun --plugin "plugins-build/sandbox/$_p.so" $SETS --box "$box" \
		--mem 65536 --procs 16 --repeat "$N" --each "$@"
}

bench_plugin() {
	_p=$1
	_o="$TEST_TMP/$_p"
	mkdir -p "$_o"
	# (a) TLE kill latency.
	_w=$((CPU_MS * 4 + 2000))
	sbx "$_p" --cpu "$CPU_MS" --wall "$_w" -- /box/cpuhog spin >"$_o/cpu1"
	sbx "$_p" --cpu "$CPU_MS" --wall "$_w" -- /box/cpuhog spin "$THREADS" \
		>"$_o/cpuT"
	sbx "$_p" --cpu $((WALL_MS * 4 + 2000)) --wall "$WALL_MS" -- \
		/box/cpuhog pause >"$_o/wall"
	echo
	printf '%-44s %9s %9s %9s\n' \
		"sandbox/$_p: TLE kill ($N runs, ms)" median p99 max
	for c in cpu1 cpuT; do
		if [ $c = cpu1 ]; then
			printf 'cpu limit %s ms, busy loop, 1 thread (TLE %s/%s)\n' \
				"$CPU_MS" "$(count cpu_exceeded 1 "$_o/$c")" "$N"
		else
			printf 'cpu limit %s ms, busy loop, %s threads on %s cpus (TLE %s/%s)\n' \
				"$CPU_MS" "$THREADS" "$ncpu" \
				"$(count cpu_exceeded 1 "$_o/$c")" "$N"
		fi
		field cpu_us <"$_o/$c" | awk -v l="$CPU_MS" '{ print $1 - l * 1000 }' |
			row "  cpu_us - limit" 1000 10
		field wall_us <"$_o/$c" | row "  wall_us (report)" 1000
		field run_us <"$_o/$c" | row "  run() call" 1000
	done
	printf 'wall limit %s ms, pause() (TLE %s/%s)\n' "$WALL_MS" \
		"$(count wall_exceeded 1 "$_o/wall")" "$N"
	field wall_us <"$_o/wall" | awk -v l="$WALL_MS" '{ print $1 - l * 1000 }' |
		row "  wall_us - limit" 1000 10
	field cpu_us <"$_o/wall" | row "  cpu_us (report)" 1000
	field run_us <"$_o/wall" | row "  run() call" 1000

	# (b) CPU time accuracy against the program's own getrusage.
	echo
	printf '%-44s %9s %9s %9s\n' \
		"sandbox/$_p: cpu_us vs rusage ($N runs)" median p99 max
	for ms in $BURN_MS; do
		for np in 1 2; do
			f="$_o/burn$ms.$np"
			sbx "$_p" --cpu $((ms * 2 + 1000)) --wall $((ms * 4 + 5000)) \
				--stdout "$f.out" -- /box/cpuhog burn "$ms" "$np" >"$f"
			ok=$(awk '/ exited=1 exit_code=0 .*cpu_exceeded=0 .* out=rusage_us=/' \
				"$f" | wc -l)
			if [ "$np" = 1 ]; then
				printf 'burn %s ms, 1 process (clean %s/%s)\n' "$ms" "$ok" "$N"
			else
				printf 'burn %s ms, %s processes (clean %s/%s)\n' "$ms" \
					"$np" "$ok" "$N"
			fi
			# "cpu_us rusage_us main_us" a run.
			awk '{ c = r = m = ""
				for (i = 1; i <= NF; i++) {
					if (index($i, "cpu_us=") == 1) c = substr($i, 8)
					if (index($i, "out=rusage_us=") == 1) r = substr($i, 15)
					if (index($i, "main_us=") == 1) m = substr($i, 9)
				}
				if (c != "" && r > 0 && m > 0) print c, r, m }' "$f" >"$f.t"
			awk '{ d = $1 - $2; print d < 0 ? -d : d }' "$f.t" |
				row "  |cpu_us - rusage| (ms)" 1000
			awk '{ d = ($1 - $2) / $2 * 100; if (d < 0) d = -d
				printf "%.0f\n", d * 1000 }' "$f.t" |
				row "  |cpu_us - rusage| / rusage (%)" 1000 1
			awk '{ d = ($1 - $3) / $3 * 100; if (d < 0) d = -d
				printf "%.0f\n", d * 1000 }' "$f.t" |
				row "  |cpu_us - since main()| / it (%)" 1000 1
			awk '{ n++; if ($1 < $2) lo++; if ($1 > $3) hi++ } END {
				printf "  report below rusage in %d/%d runs, above the CPU since main() in %d/%d\n",
					lo, n, hi, n }' "$f.t"
		done
	done
}

SETS=""
bench_plugin ns

if [ "$DOCKER" = 0 ]; then
	echo
	echo "sandbox/docker: skipped (DOCKER=0)"
elif [ ! -e plugins-build/sandbox/docker.so ]; then
	echo
	echo "sandbox/docker: skipped (not built)"
else
	skip() { echo "sandbox/docker: skipped: $*"; }
	fail() { echo "sandbox/docker: $*" >&2; exit 1; }
	. "$top_srcdir/tests/e2e/svc_docker.sh"
	# svc_docker.sh waits up to 30 minutes for the cache: look first.
	if mkdir -p "$ALGOCODE_DOCKER_CACHE" &&
		! (flock -w "$DOCKER_WAIT" 9) 9>"$ALGOCODE_DOCKER_CACHE.lock"; then
		echo
		echo "sandbox/docker: skipped: $ALGOCODE_DOCKER_CACHE is in use by another test for more than $DOCKER_WAIT s"
	elif docker_try_start; then
		SETS="--set socket=$DOCKER_SOCK --set state_dir=$TEST_TMP/state"
		bench_plugin docker
	else
		echo
		echo "sandbox/docker: skipped: $DOCKER_WHY"
	fi
fi
