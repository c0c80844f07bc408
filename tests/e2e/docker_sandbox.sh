#!/bin/sh
# sandbox/docker end to end, against a private dockerd (svc_docker.sh):
# hostile programs through tests/sbxrun (limits, isolation, no leftovers,
# warm-pool reuse, two runs in parallel), then `algocode judge` with
# sandbox.plugin=docker on the example problems.
. "$top_srcdir/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/sbx_lib.sh"

sbx_need docker dkmark "the docker sandbox needs root (run cgroups)"
. "$top_srcdir/tests/e2e/svc_docker.sh"
docker_start
trap 'docker_stop; cleanup' EXIT
ok "private dockerd $(dapi /version | python3 -c 'import json,sys; print(json.load(sys.stdin)["Version"])') on $DOCKER_SOCK, image $DOCKER_IMAGE"

SET="--set socket=$DOCKER_SOCK --set state_dir=$TEST_TMP/state"
"$SBX" --plugin "$PLUGIN" $SET --check-env > "$TEST_TMP/env" 2>&1 ||
	fail "check-env: $(cat "$TEST_TMP/env")"
for what in "seccomp" "no_new_privs" "capabilities dropped" "non-root user" \
	"no network" "cgroup memory (v1)" "cgroup pids" "swap off"; do
	grep -q "^$what *yes" "$TEST_TMP/env" ||
		fail "check-env: $what: $(grep "^$what" "$TEST_TMP/env")"
done
grep -q '^enforcing=1' "$TEST_TMP/env" || fail "not enforcing: $(cat "$TEST_TMP/env")"
grep -q '^user namespace *no' "$TEST_TMP/env" ||
	fail "check-env must say docker has no user namespace"
ok "check-env: seccomp, no_new_privs, no capabilities, non-root, no network, cgroups; says what it cannot do"

# An unreachable socket: init fails with a clear message.
"$SBX" --plugin "$PLUGIN" --set socket=/nonexistent/docker.sock --check-env \
	> "$TEST_TMP/noenv" 2>&1 && fail "init succeeded without a daemon"
grep -q 'cannot reach dockerd at /nonexistent/docker.sock' "$TEST_TMP/noenv" ||
	fail "no clear message: $(cat "$TEST_TMP/noenv")"
ok "unreachable socket: init fails naming it"

# ------------------------------------------------------------ programs
sbx_programs
w mem <<'X'
#include <stdlib.h>
#include <string.h>
int main(void) { size_t n = 512u << 20; volatile char *p = malloc(n);
	if (!p) return 2; memset((char *)p, 1, n);
	return p[n - 1] == 1 ? 0 : 3; }
X
w inet <<'X'
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
int main(void) { int a = socket(AF_INET, SOCK_STREAM, 0); int ea = errno;
	int u = socket(AF_UNIX, SOCK_STREAM, 0);
	printf("%d %d %d\n", a, ea, u >= 0); return 0; }
X
w fs <<'X'
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
static int bad;
static void wr(const char *p, int want) {
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if ((fd >= 0) != want) { printf("%s: open %s\n", p, fd >= 0 ? "succeeded" : "failed"); bad = 1; }
	if (fd >= 0) { if (write(fd, "x\n", 2) != 2) bad = 1; close(fd); } }
int main(void) {
	wr("/etc/x", 0); wr("/usr/x", 0); wr("/x", 0); wr("/box/x", 1);
	wr("/tmp/x", 1); wr("/.algocode/run/x", 0); wr("/.algocode/x", 0);
	if (open("/etc/shadow", O_RDONLY) >= 0) { printf("read /etc/shadow\n"); bad = 1; }
	if (access("/sys/fs/cgroup", F_OK) == 0) { printf("cgroupfs visible\n"); bad = 1; }
	return bad; }
X
# The submission against the container's agent (pid 1, root, the judge's
# control connection): every attempt must fail.  Prints "clean" or the
# first attempt that succeeded.
w agent <<'X'
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
static int bad;
static void leak(const char *what) { if (!bad) printf("LEAK %s\n", what); bad = 1; }
static void no_open(const char *p, int flags) {
	int fd = open(p, flags);
	if (fd >= 0) { leak(p); close(fd); } }
int main(void) {
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char *socks[] = {"/.algocode/run/ctl", "/proc/1/root/.algocode/run/ctl", NULL};
	char p[64];
	int pids[] = {1, (int)getppid()};
	for (int i = 0; socks[i]; i++) {
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		strcpy(sa.sun_path, socks[i]);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) leak(socks[i]);
		if (fd >= 0) close(fd);
	}
	if (opendir("/.algocode/run")) leak("opendir /.algocode/run");
	for (int i = 0; i < 2; i++) {
		const char *f[] = {"environ", "mem", "maps", "fd/0", "fd/3", "root/box", NULL};
		for (int k = 0; f[k]; k++) {
			snprintf(p, sizeof(p), "/proc/%d/%s", pids[i], f[k]);
			no_open(p, O_RDONLY);
		}
		snprintf(p, sizeof(p), "/proc/%d/fd", pids[i]);
		if (opendir(p)) leak(p);
		snprintf(p, sizeof(p), "/proc/%d/mem", pids[i]);
		no_open(p, O_RDWR);
		snprintf(p, sizeof(p), "kill %d", pids[i]);
		if (kill(pids[i], SIGSTOP) == 0 || kill(pids[i], SIGTERM) == 0 ||
		    kill(pids[i], SIGKILL) == 0 || errno != EPERM) leak(p);
	}
	kill(-1, SIGKILL); /* every process it may signal: none but its own */
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (atoi(e->d_name) > 2 && atoi(e->d_name) != dirfd(d)) leak("an inherited descriptor");
	if (!bad) printf("clean ppid=%d\n", (int)getppid());
	return 0; }
X
# System V and POSIX IPC objects live in the container's IPC namespace,
# shared by every run of a warm container: a run must find none of an
# earlier run's.  Prints what it finds ("none"), then leaves some.
w ipc <<'X'
#define _GNU_SOURCE
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
int main(void) {
	struct shm_info si; struct msginfo mi; struct seminfo se;
	int left = 0;
	if (shmctl(0, SHM_INFO, (struct shmid_ds *)&si) >= 0 && si.used_ids) { printf("LEFT %d shm ", si.used_ids); left = 1; }
	if (msgctl(0, MSG_INFO, (struct msqid_ds *)&mi) >= 0 && mi.msgpool) { printf("LEFT %d msg ", mi.msgpool); left = 1; }
	if (semctl(0, 0, SEM_INFO, &se) >= 0 && se.semusz) { printf("LEFT %d sem ", se.semusz); left = 1; }
	if (mq_open("/acq", O_RDONLY) != (mqd_t)-1) { printf("LEFT mq "); left = 1; }
	printf(left ? "\n" : "none\n");
	int s = shmget(0x4143, 1 << 20, IPC_CREAT | 0600);
	char *p = s >= 0 ? shmat(s, NULL, 0) : NULL;
	if (p && p != (void *)-1) strcpy(p, "secret");
	shmget(IPC_PRIVATE, 1 << 20, IPC_CREAT | 0);
	int q = msgget(0x4143, IPC_CREAT | 0600);
	int m = semget(0x4143, 1, IPC_CREAT | 0600);
	mqd_t mq = mq_open("/acq", O_CREAT | O_RDWR, 0600, NULL);
	printf("made %d %d %d %d\n", s, q, m, (int)mq);
	return 0; }
X
# More names in /tmp than one listing of the wipe takes (100000): the wipe
# must fail and retire the container rather than leave the rest behind.
w many <<'X'
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
int main(void) { DIR *d = opendir("/tmp"); struct dirent *e; int n = 0;
	while (d && (e = readdir(d))) if (e->d_name[0] != '.') n++;
	if (n) { printf("left %d\n", n); return 0; }
	for (int i = 0; i < 140000; i++) { char p[32];
		snprintf(p, sizeof(p), "/tmp/f%06d", i);
		int f = open(p, O_CREAT | O_WRONLY | O_EXCL, 0644);
		if (f < 0) break;
		close(f); n++; }
	printf("made %d\n", n);
	return 0; }
X
sbx_build

# No container of ours may be left once sbxrun has exited.
no_containers() {
	_left=$(dapi '/containers/json?all=1&filters=%7B%22label%22%3A%5B%22org.algocode.sandbox%22%5D%7D' |
		python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
	[ "$_left" = 0 ] || fail "$1: $_left containers left behind"
}

sbx_expect_hello "stdin in, stdout and stderr out through the agent's pipes"

sbx exit3 -- /box/prog
expect exit3 exit_code 3
sbx segv -- /box/prog
expect segv exited 0
expect segv signal 11
ok "exit code 3 and SIGSEGV reported"

sbx_expect_spin 20000 " from the run's cgroup"

sbx sleeper --cpu 1000 --wall 1000 -- /box/prog
expect sleeper wall_exceeded 1
expect sleeper signal 9
ok "sleep: wall_exceeded at $(val sleeper wall_us) us"

sbx mem --mem 65536 -- /box/prog
expect mem oom_killed 1
expect mem signal 9
m=$(val mem memory_kb)
[ "$m" -le 65536 ] && [ "$m" -ge 60000 ] || fail "mem: peak $m kB"
ok "512 MB under 64 MB: oom_killed, peak $m kB (swap off)"

sbx deep --mem 524288 -- /box/prog
expect deep exit_code 0
expect_out deep 200000
ok "200 MB of stack with stack = memory limit"

sbx_expect_forks

sbx_expect_daemon

sbx flood --out-kb 64 -- /box/prog
expect flood stdout_exceeded 1
[ "$(wc -c < "$TEST_TMP/flood.out")" = 65536 ] || fail "flood: kept $(wc -c < "$TEST_TMP/flood.out")"
ok "stdout flood: stdout_exceeded, 64 KiB kept"

sbx fs -- /box/prog
expect fs exit_code 0
[ -s "$TEST_TMP/fs.out" ] && fail "fs: $(cat "$TEST_TMP/fs.out")"
[ "$(cat "$TEST_TMP/box-fs/x")" = x ] || fail "fs: /box/x did not come back to the host box"
ok "read-only root, writable /box and /tmp, no /etc/shadow, no cgroupfs; the box comes back"

sbx ptrace -- /box/prog
expect ptrace signal 31
sbx inet -- /box/prog
expect_out inet "-1 97 1"
ok "seccomp: ptrace killed (SIGSYS), AF_INET EAFNOSUPPORT, AF_UNIX allowed"

sbx shell -- /bin/sh -c 'id -u; ls /proc | grep -c "^[0-9]"; cat /tmp/mark 2>/dev/null; echo m > /tmp/mark'
[ "$(sed -n 1p "$TEST_TMP/shell.out")" = 65534 ] || fail "shell: uid $(cat "$TEST_TMP/shell.out")"
ok "program runs as uid 65534"

# one_container NAME N [sbxrun options]: N runs of bin/NAME, one line each,
# all in one container (pool_max=1); NAME.rep, NAME.log.
one_container() {
	_n=$1
	_r=$2
	shift 2
	mkdir -p "$TEST_TMP/box-$_n"
	cp "$TEST_TMP/bin/$_n" "$TEST_TMP/box-$_n/prog"
	"$SBX" --plugin "$PLUGIN" $SET --set pool_size=1 --set pool_max=1 \
		--box "$TEST_TMP/box-$_n" --stdout "$TEST_TMP/$_n.out" --repeat "$_r" --each \
		"$@" -- /box/prog > "$TEST_TMP/$_n.rep" 2> "$TEST_TMP/$_n.log" ||
		fail "$_n: $(cat "$TEST_TMP/$_n.rep" "$TEST_TMP/$_n.log")"
}

# The agent: one container serves every run, so a run that hurt its agent
# would show in the next one (or in a "retired" log line).
one_container agent 5
[ "$(grep -c ' exit_code=0 .* out=clean ppid=1$' "$TEST_TMP/agent.rep")" = 5 ] ||
	fail "agent: $(cat "$TEST_TMP/agent.rep")"
grep -q retired "$TEST_TMP/agent.log" && fail "agent: a container was retired: $(cat "$TEST_TMP/agent.log")"
ok "the program cannot reach the agent's socket, /proc/1 fds, environ or memory, nor signal it; 5 runs in one container"

one_container ipc 3
[ "$(grep -c ' exit_code=0 .* out=none$' "$TEST_TMP/ipc.rep")" = 3 ] ||
	fail "ipc: a run saw an earlier run's IPC objects: $(cat "$TEST_TMP/ipc.rep")"
grep -q retired "$TEST_TMP/ipc.log" && fail "ipc: a container was retired: $(cat "$TEST_TMP/ipc.log")"
ok "shared memory, message queues, semaphores and POSIX queues of a run are gone for the next run in the container"

one_container many 2 --mem 1048576 --cpu 30000 --wall 60000
grep -q '^run=0 .* out=made 140000$' "$TEST_TMP/many.rep" &&
	grep -q '^run=1 .* out=made 140000$' "$TEST_TMP/many.rep" ||
	fail "many: the second run found files of the first: $(cat "$TEST_TMP/many.rep")"
grep -q retired "$TEST_TMP/many.log" || fail "many: the container was not retired: $(cat "$TEST_TMP/many.log")"
ok "140000 files in /tmp: the wipe cannot list them all, the container is retired, the next run starts clean"

# Arguments and environment go to the agent in one bounded request: 1 MiB
# of arguments passes, more than 4 MiB is an internal error naming it.
args=$(yes "$(head -c 50 /dev/zero | tr '\0' a)" | head -n 20000 | tr '\n' ' ')
# shellcheck disable=SC2086
sbx args -- /bin/sh -c 'echo $#' x $args
expect_out args 20000
args=$(yes "$(head -c 120000 /dev/zero | tr '\0' b)" | head -n 40 | tr '\n' ' ')
mkdir -p "$TEST_TMP/box-bigargs"
# shellcheck disable=SC2086
(ulimit -s unlimited && exec "$SBX" --plugin "$PLUGIN" $SET --box "$TEST_TMP/box-bigargs" \
	-- /bin/true $args) > "$TEST_TMP/bigargs.rep" 2>&1 && fail "4.8 MB of arguments: $(cat "$TEST_TMP/bigargs.rep")"
grep -q '^internal_error=sandbox: the run.s arguments and environment are too large' "$TEST_TMP/bigargs.rep" ||
	fail "4.8 MB of arguments: $(cat "$TEST_TMP/bigargs.rep")"
ok "1 MiB of arguments reaches the program, 4.8 MB is refused by the judge"

# Warm pool: many runs in one process reuse the containers (no new ones),
# /tmp is wiped between runs, two threads run in parallel.
# (an empty box: the two threads share it, and a box_dir belongs to one
# run at a time)
mkdir -p "$TEST_TMP/box-pool"
"$SBX" --plugin "$PLUGIN" $SET --box "$TEST_TMP/box-pool" --repeat 20 --threads 2 \
	-- /bin/sh -c 'test ! -e /tmp/mark && test ! -e /dev/shm/mark && echo m > /tmp/mark && echo m > /dev/shm/mark' \
	> "$TEST_TMP/pool.rep" 2>&1 || fail "pool: $(cat "$TEST_TMP/pool.rep")"
ok "20 runs on 2 threads: /tmp and /dev/shm wiped between runs, median $(sed -n 's/^median_ms=//p' "$TEST_TMP/pool.rep") ms a run"
no_containers "after sbxrun"
ok "every container removed when the plugin is unloaded"

# The judge dies in the middle of a run: its connection to the agent
# closes, the agent exits and the kernel kills the container's processes.
mkdir -p "$TEST_TMP/box-orphan"
cp "$TEST_TMP/bin/sleeper" "$TEST_TMP/box-orphan/prog"
start_bg "$SBX" --plugin "$PLUGIN" $SET --box "$TEST_TMP/box-orphan" --wall 60000 \
	-- /box/prog "$MARK"
wait_until 30 pgrep -f "$MARK" > /dev/null || fail "orphan: the program did not start"
kill -KILL "$BG_PID"
wait "$BG_PID" 2>/dev/null
wait_while 5 pgrep -f "$MARK" > /dev/null ||
	fail "orphan: the program survived its judge by 5 s"
ok "judge killed mid-run: the agent exits and the program dies with it"
"$SBX" --plugin "$PLUGIN" $SET --set pool_size=0 --check-env > /dev/null 2>&1 ||
	fail "check-env after the killed judge"
no_containers "after a killed judge"
ok "the next judge removes the dead judge's container"

# The judge's use: compile, then run the result (files go back and forth).
if command -v g++ >/dev/null; then
	box="$TEST_TMP/box-cpp"
	mkdir -p "$box"
	printf '#include <iostream>\nint main() { std::cout << "hello " << 6 << std::endl; }\n' > "$box/main.cpp"
	"$SBX" --plugin "$PLUGIN" $SET --box "$box" --cpu 10000 --wall 20000 \
		--mem 1048576 --procs 64 --fsize 262144 --stderr "$TEST_TMP/cc.err" \
		-- /usr/bin/g++ -O2 -o main main.cpp > "$TEST_TMP/cc.rep" ||
		fail "g++: $(cat "$TEST_TMP/cc.rep")"
	grep -q '^exit_code=0$' "$TEST_TMP/cc.rep" || fail "g++ failed: $(cat "$TEST_TMP/cc.rep" "$TEST_TMP/cc.err")"
	[ -x "$box/main" ] || fail "the compiled binary did not come back to the box"
	"$SBX" --plugin "$PLUGIN" $SET --box "$box" --stdout "$TEST_TMP/cpp.out" \
		-- /box/main > "$TEST_TMP/cpp.rep" || fail "main: $(cat "$TEST_TMP/cpp.rep")"
	expect_out cpp "hello 6"
	ok "g++ -O2 in a container, the binary comes back to box_dir and runs"
fi

# ------------------------------------------------------------ the judge
JOPTS="-o sandbox.plugin=docker -o sandbox.socket=$DOCKER_SOCK -o sandbox.state_dir=$TEST_TMP/state"
n=0
for sol in "$top_srcdir"/problems/*/submissions/accepted/*.cpp \
	"$top_srcdir"/problems/*/submissions/wrong_answer/*.cpp \
	"$top_srcdir"/problems/*/submissions/time_limit_exceeded/*.cpp; do
	[ -f "$sol" ] || continue
	kind=$(basename "$(dirname "$sol")")
	prob=$(basename "$(dirname "$(dirname "$(dirname "$sol")")")")
	case $kind in
	accepted) want=AC ;;
	wrong_answer) want=WA ;;
	time_limit_exceeded) want=TLE ;;
	esac
	# shellcheck disable=SC2086
	ac judge --problem "$top_srcdir/problems/$prob" --lang cpp --json $JOPTS "$sol" \
		> "$TEST_TMP/j.json" 2> "$TEST_TMP/j.err" || fail "judge $sol: $(cat "$TEST_TMP/j.err")"
	got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["verdict_code"], d["judge"]["sandbox"])' "$TEST_TMP/j.json")
	[ "$got" = "$want docker" ] || fail "$prob/$kind/$(basename "$sol"): got $got, expected $want docker: $(head -c 600 "$TEST_TMP/j.json")"
	n=$((n + 1))
	[ $n -ge 6 ] && break
done
[ $n -gt 0 ] || fail "no example C++ submissions found under problems/"
ok "algocode judge -o sandbox.plugin=docker: $n example submissions get their verdicts"
no_containers "after algocode judge"

# Interactive (Kattis and testlib), multi-pass and Python-validated example
# problems (issue 17): every labelled submission, two runs side by side per
# interactive test, validators built through the language plugins.
IPROBS=""
for p in guess guess-testlib square-root-back any-divisor; do
	IPROBS="$IPROBS $top_srcdir/problems/$p"
done
# shellcheck disable=SC2086
ac problem verify $JOPTS $IPROBS > "$TEST_TMP/iverify.txt" 2>&1 ||
	fail "problem verify with docker: $(grep -v '^OK' "$TEST_TMP/iverify.txt" | head -c 1500)"
ok "problem verify -o sandbox.plugin=docker: $(grep -c '^OK' "$TEST_TMP/iverify.txt") interactive, multi-pass and Python-validated submissions"
no_containers "after the interactive problems"

# The conformance suite runs against this plugin from tests/e2e/conformance.sh
# (every plugin in plugins-build/sandbox/, with a private dockerd).
exit 0
