# Helpers of the tests that drive a sandbox plugin through tests/sbxrun
# (tests/e2e/sandbox.sh, tests/e2e/docker_sandbox.sh); sourced after
# lib.sh.  sbx_need sets SBX, PLUGIN and MARK; the test may set SET (--set
# options of the plugin) and puts its programs in $TEST_TMP/bin.

# sbx_need NAME WORD ROOT-WHY: SBX (tests/sbxrun), PLUGIN (sandbox/NAME)
# and MARK (WORD and the test's pid: a word in every argv of its runs);
# skips unless the plugin is built, we are root (ROOT-WHY says why it
# matters) and gcc builds the test programs.
sbx_need() {
	SBX="$top_builddir/tests/sbxrun"
	PLUGIN="$top_builddir/plugins-build/sandbox/$1.so"
	MARK="$2$$x"
	[ -x "$SBX" ] || fail "no $SBX: build it (make tests/sbxrun)"
	[ -e "$PLUGIN" ] || skip "sandbox/$1 plugin not built"
	[ "$(id -u)" = 0 ] || skip "$3"
	command -v gcc >/dev/null || skip "gcc is needed to build the test programs"
}

# sbx NAME [sbxrun options] -- ARGV: run in a fresh box holding bin/NAME
# as /box/prog; the report lands in NAME.rep.
sbx() {
	_n=$1
	shift
	_box="$TEST_TMP/box-$_n"
	rm -rf "$_box"
	mkdir -p "$_box"
	[ -f "$TEST_TMP/bin/$_n" ] && cp "$TEST_TMP/bin/$_n" "$_box/prog"
	# shellcheck disable=SC2086
	"$SBX" --plugin "$PLUGIN" ${SET:-} --box "$_box" \
		--stdout "$TEST_TMP/$_n.out" --stderr "$TEST_TMP/$_n.err" \
		"$@" > "$TEST_TMP/$_n.rep" 2> "$TEST_TMP/$_n.log"
	_rc=$?
	[ $_rc = 0 ] || fail "$_n: sbxrun exit $_rc: $(cat "$TEST_TMP/$_n.rep" "$TEST_TMP/$_n.log")"
}
# val NAME KEY: KEY of the report of run NAME.
val() { sed -n "s/^$2=//p" "$TEST_TMP/$1.rep"; }
# expect NAME KEY VALUE: fail unless the report of run NAME says so.
expect() {
	_got=$(val "$1" "$2")
	[ "$_got" = "$3" ] ||
		fail "$1: $2=$_got, expected $3; report: $(tr '\n' ' ' < "$TEST_TMP/$1.rep") out: $(head -c 300 "$TEST_TMP/$1.out")"
}
# expect_between NAME KEY LOW HIGH: fail unless KEY of the report of run
# NAME is from LOW to HIGH; got is the value.
expect_between() {
	got=$(val "$1" "$2")
	[ "$got" -ge "$3" ] && [ "$got" -le "$4" ] ||
		fail "$1: $2=$got, expected $3..$4"
}
# expect_out NAME TEXT: fail unless run NAME printed TEXT (all its stdout).
expect_out() {
	_got=$(cat "$TEST_TMP/$1.out")
	[ "$_got" = "$2" ] ||
		fail "$1: stdout '$_got', expected '$2'; stderr: $(head -c 300 "$TEST_TMP/$1.err"); report: $(tr '\n' ' ' < "$TEST_TMP/$1.rep")"
}
# no_leftovers WHAT: no process of the runs ($MARK) may survive them.
no_leftovers() {
	if pgrep -f "$MARK" > "$TEST_TMP/pg"; then
		ps -o pid,ppid,user,args -p "$(tr '\n' ',' < "$TEST_TMP/pg" | sed 's/,$//')" >&2
		pkill -KILL -f "$MARK"
		fail "$1: processes of the run survived it"
	fi
}

# w NAME <<'EOF' ... EOF: the C program NAME, built by sbx_build.
w() { cat > "$TEST_TMP/src/$1.c"; }

# sbx_programs: the programs both sandboxes are tested with (each test adds
# its own with w): a hello that echoes its stdin, CPU spinners, a sleeper,
# deep recursion, forks, a daemon, an output flood, a crash, an exit code
# and ptrace.
sbx_programs() {
	mkdir -p "$TEST_TMP/src" "$TEST_TMP/bin"
w hello <<'EOF'
#include <stdio.h>
int main(void) { char b[256]; int c; size_t n = 0;
	while ((c = getchar()) != EOF && n < 255) b[n++] = (char)c; b[n] = 0;
	printf("hello %s", b); fprintf(stderr, "to stderr\n"); return 0; }
EOF
w spin <<'EOF'
int main(void) { volatile unsigned long x = 0; for (;;) x++; }
EOF
w sleeper <<'EOF'
#include <unistd.h>
int main(void) { sleep(1000); return 0; }
EOF
w deep <<'EOF'
#include <stdio.h>
static int rec(int n) { volatile char pad[1000]; pad[0] = 1;
	return n ? rec(n - 1) + pad[0] : 0; }
int main(void) { printf("%d\n", rec(200000)); return 0; }
EOF
w forks <<'EOF'
#include <stdio.h>
#include <unistd.h>
int main(void) { int ok = 0;
	for (int i = 0; i < 100; i++) { pid_t p = fork();
		if (p == 0) { for (;;) pause(); } if (p > 0) ok++; }
	printf("%d\n", ok); return 0; }
EOF
w daemon <<'EOF'
#include <unistd.h>
int main(int argc, char **argv) {
	if (fork() == 0) { setsid(); if (fork() == 0) {
		for (;;) sleep(1000); } _exit(0); }
	sleep(1); return 0; }
EOF
w flood <<'EOF'
#include <string.h>
#include <unistd.h>
int main(void) { char b[4096]; memset(b, 'a', sizeof b);
	for (;;) if (write(1, b, sizeof b) < 0) return 1; }
EOF
w segv <<'EOF'
int main(void) { volatile int *p = 0; return *p; }
EOF
w exit3 <<'EOF'
int main(void) { return 3; }
EOF
w ptrace <<'EOF'
#include <stdio.h>
#include <sys/ptrace.h>
int main(void) { long r = ptrace(PTRACE_TRACEME, 0, 0, 0);
	printf("ptrace returned %ld\n", r); return 0; }
EOF
}

# sbx_build [GCC-OPTIONS]: compile every program into $TEST_TMP/bin.
sbx_build() {
	for _f in "$TEST_TMP"/src/*.c; do
		_p=$(basename "$_f" .c)
		gcc -O1 "$@" -o "$TEST_TMP/bin/$_p" "$_f" 2> "$TEST_TMP/gcc.log" ||
			fail "gcc $_p: $(cat "$TEST_TMP/gcc.log")"
	done
}

# sbx_expect_forks: 100 forks under processes=10 make 1 to 9 children, and
# none survives the run.
sbx_expect_forks() {
	sbx forks --procs 10 --wall 5000 -- /box/prog "$MARK"
	expect forks exit_code 0
	n=$(cat "$TEST_TMP/forks.out")
	[ "$n" -ge 1 ] && [ "$n" -le 9 ] || fail "forks: $n children with processes=10"
	no_leftovers forks
	ok "pids limit: $n children of 100 with processes=10, none left after"
}

# sbx_expect_daemon: a double fork + setsid daemon does not outlive its run.
sbx_expect_daemon() {
	sbx daemon --wall 5000 -- /box/prog "$MARK"
	expect daemon exit_code 0
	no_leftovers daemon
	ok "double fork + setsid daemon killed with the run"
}

# sbx_expect_hello WHAT: hello reads "world" on stdin, writes "hello world"
# (12 bytes) to stdout and a line to stderr, and exits 0; WHAT is said.
sbx_expect_hello() {
	echo "world" > "$TEST_TMP/hello.in"
	sbx hello --stdin "$TEST_TMP/hello.in" -- /box/prog
	expect hello exited 1
	expect hello exit_code 0
	expect hello internal_error ""
	expect_out hello "hello world"
	[ "$(cat "$TEST_TMP/hello.err")" = "to stderr" ] ||
		fail "hello: stderr '$(cat "$TEST_TMP/hello.err")'"
	expect hello stdout_bytes 12
	ok "$1"
}

# sbx_expect_spin WALL-MS WHERE: a busy loop under a 1 s CPU limit (and a
# wall limit of WALL-MS) stops at 1 to 1.3 s of CPU; WHERE is said after
# the figure.
sbx_expect_spin() {
	sbx spin --cpu 1000 --wall "$1" -- /box/prog
	expect spin cpu_exceeded 1
	expect spin wall_exceeded 0
	expect_between spin cpu_us 1000000 1300000
	ok "busy loop: cpu_exceeded at $got us$2 (limit 1 s)"
}
