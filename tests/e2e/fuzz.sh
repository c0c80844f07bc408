#!/bin/sh
# libFuzzer targets (tests/fuzz/): HTTP request parsing through our server
# and JSON bodies, tokens and key files.  Built with clang
# -fsanitize=fuzzer,address,undefined against the core sources (not through
# libtool) and run FUZZ_SECONDS (default 60) each from the seed corpus.
# Prints each target's executions and time, and fails on any crash, leak,
# sanitizer report or timeout.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

# The fuzzers are built from the sources with their own sanitizers, the
# same in either tree.
plain_build_only "the fuzzers do not depend on the build tree; the plain build runs them"
CLANG=${CLANG:-clang}
command -v "$CLANG" >/dev/null 2>&1 || skip "clang is not installed (apt-get install clang)"
command -v pkg-config >/dev/null 2>&1 || skip "pkg-config is not installed"
SECONDS_EACH=${FUZZ_SECONDS:-60}
OUT="$top_builddir/tests/fuzz-build"
mkdir -p "$OUT"
# libFuzzer and the sanitizer runtimes are a separate package on Debian 12.
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' >"$OUT/probe.c"
if ! "$CLANG" -fsanitize=fuzzer,address -o "$OUT/probe" "$OUT/probe.c" >"$OUT/probe.log" 2>&1; then
	grep -q 'libclang_rt' "$OUT/probe.log" &&
		skip "clang's libFuzzer runtime is missing (apt-get install libclang-rt-$("$CLANG" -dumpversion | cut -d. -f1)-dev): $(grep -m1 libclang_rt "$OUT/probe.log")"
	fail "clang cannot build a libFuzzer target: $(tail -n 5 "$OUT/probe.log")"
fi

PKGS="libevent libevent_pthreads libconfig jansson libsodium yaml-0.1"
CFLAGS_PKG=$(pkg-config --cflags $PKGS) || skip "pkg-config: $PKGS missing"
LIBS_PKG=$(pkg-config --libs $PKGS)
SRCS=""
for f in "$top_srcdir"/core/*.c; do
	[ "$(basename "$f")" = main.c ] || SRCS="$SRCS $f"
done
FLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
 -fno-sanitize-recover=undefined -std=gnu11 -pthread -D_GNU_SOURCE \
 -DPACKAGE_VERSION=\"fuzz\" -DPACKAGE_NAME=\"algocode\" -DAC_PLUGIN_DIR=\"/nonexistent\" \
 -DAC_DEFAULT_CONFIG=\"/nonexistent.conf\" -DAC_CONSOLE_DIR=\"/nonexistent\" \
 -DAC_OPENAPI_FILE=\"/nonexistent.json\" -DAC_CACHE_DIR=\"/nonexistent\" \
 -I$top_srcdir/core/include -I$top_srcdir/core"

TOTAL=0
for t in fuzz_http fuzz_json; do
	echo "building $t with $($CLANG --version | head -n 1)"
	# shellcheck disable=SC2086
	$CLANG $FLAGS $CFLAGS_PKG -o "$OUT/$t" "$top_srcdir/tests/fuzz/$t.c" \
		$SRCS $LIBS_PKG -ldl -lm >"$OUT/$t.build.log" 2>&1 ||
		fail "building $t: $(tail -n 20 "$OUT/$t.build.log")"
	corpus_name=${t#fuzz_}
	CORPUS="$TEST_TMP/corpus-$corpus_name"
	mkdir -p "$CORPUS" "$TEST_TMP/artifacts-$t"
	cp "$top_srcdir/tests/fuzz/corpus/$corpus_name/"* "$CORPUS/"
	LOG="$TEST_TMP/$t.log"
	START=$(date +%s)
	# fuzz_http frees a connection after its input returns, so libFuzzer's
	# per-input leak check would stop the world after every input (~40
	# inputs/s): it is off there; LeakSanitizer still checks the whole run
	# at exit, and -rss_limit_mb catches growth.
	EXTRA=""
	[ "$t" = fuzz_http ] && EXTRA="-detect_leaks=0"
	# shellcheck disable=SC2086
	"$OUT/$t" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 $EXTRA \
		-max_len=8192 -print_final_stats=1 \
		-artifact_prefix="$TEST_TMP/artifacts-$t/" "$CORPUS" >"$LOG" 2>&1
	RC=$?
	END=$(date +%s)
	RUNS=$(sed -n 's/^stat::number_of_executed_units: *//p' "$LOG" | tail -n 1)
	[ -n "$RUNS" ] || RUNS=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$LOG" | tail -n 1)
	if [ "$RC" != 0 ] || grep -q "ERROR: \(AddressSanitizer\|LeakSanitizer\|libFuzzer\)\|runtime error:" "$LOG" ||
		[ -n "$(ls "$TEST_TMP/artifacts-$t")" ]; then
		grep -A 30 "ERROR\|runtime error" "$LOG" | head -n 60
		ls -l "$TEST_TMP/artifacts-$t"
		KEEP_TMP=1
		fail "$t crashed (exit $RC) after $RUNS executions; input kept in $TEST_TMP/artifacts-$t"
	fi
	[ "${RUNS:-0}" -gt 0 ] || fail "$t ran no input: $(tail -n 5 "$LOG")"
	ok "$t: $RUNS executions in $((END - START)) s, corpus $(ls "$CORPUS" | wc -l) inputs, no crash"
	TOTAL=$((TOTAL + RUNS))
done
ok "fuzzing done: $TOTAL executions, no crash"
exit 0
