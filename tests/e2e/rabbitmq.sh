#!/bin/sh
# The three-service layout over RabbitMQ, every role its own process:
#
#  A. one api and two judges on the broker at 127.0.0.1:5672 (in a private
#     vhost): many submissions judged, every verdict right, both judges
#     took a share;
#  B. a judge killed with SIGKILL in the middle of a slow submission: its
#     job is redelivered to another judge and the result appears once;
#  C. on a private broker node (its own port and state): the broker
#     restarted mid-stream; every submission the api accepted gets its
#     result (the api may answer 503 while the broker is down).
#
# Without any usable broker the test is SKIPPED; when only the private node
# cannot be started, part C says SKIPPED with the reason and A and B still
# run.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/svc_rabbitmq.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
command -v curl >/dev/null 2>&1 || skip "curl is not installed"
[ -f "$top_builddir/plugins-build/transport/rabbitmq.so" ] ||
	skip "the rabbitmq transport plugin was not built"
[ -f "$top_builddir/conf.d/api.conf" ] && [ -f "$top_builddir/conf.d/judge.conf" ] ||
	fail "conf.d/api.conf or judge.conf was not generated"
# The judges need an enforcing sandbox, like every judging test here.
ac check-env >/dev/null 2>&1 || true

rmq_ensure_main || skip "no RabbitMQ: $RMQ_WHY"
[ -n "$RMQ_MAIN_NODE" ] ||
	skip "rabbitmqctl cannot reach the broker on 127.0.0.1:5672 (a private vhost is needed to isolate the test)"
VHOST="algotest-e2e-$$"
rmq_vhost_add "$VHOST" || skip "cannot create the vhost $VHOST on $RMQ_MAIN_NODE"
MAIN_URL="amqp://guest:guest@127.0.0.1:5672/$VHOST"

SUBS="$top_srcdir/problems/sqrt-x/submissions"
AC_SRC="$SUBS/accepted/sqrt_adjust.cpp"
AC2_SRC="$SUBS/accepted/binary_search.cpp"
WA_SRC="$SUBS/wrong_answer/off_by_one.cpp"
TLE_SRC="$SUBS/time_limit_exceeded/count_down_from_x.cpp"
for f in "$AC_SRC" "$AC2_SRC" "$WA_SRC" "$TLE_SRC"; do
	[ -f "$f" ] || fail "missing example submission $f"
done

COMMON="$SEP_OPTS -o plugins.dir=$top_builddir/plugins-build \
 -o judge.problems_dir=$top_srcdir/problems -o log.level=info"

# HTTP client: submit and poll (python3 standard library only).
cat >"$TEST_TMP/client.py" <<'EOF'
import json, os, sys, time
sys.path.insert(0, os.environ["top_srcdir"] + "/tests/e2e")
from http_client import request

def req(port, method, path, token, body=None):
    st, _, out = request(int(port), method, path, token, body)
    return st, out
cmd, port, token = sys.argv[1:4]
if cmd == "submit":
    # submit PORT TOKEN PROBLEM FILE -> "STATUS ID" ("STATUS -" if refused)
    problem, path = sys.argv[4:6]
    code = open(path).read()
    body = json.dumps({"problem_id": problem, "lang": "cpp", "code": code})
    try:
        st, out = req(port, "POST", "/api/v1/code/submit/", token, body)
    except OSError as e:
        print("000 -"); sys.exit(0)
    sid = "-"
    if st == 201:
        sid = json.loads(out)["result"]["submission_id"]
    print(st, sid)
elif cmd == "poll":
    # poll PORT TOKEN TIMEOUT ID... -> "ID VERDICT_CODE" per id
    timeout = float(sys.argv[4])
    ids = sys.argv[5:]
    deadline = time.time() + timeout
    left = list(ids)
    while left and time.time() < deadline:
        for sid in list(left):
            st, out = req(port, "GET", "/api/v1/result/check/%s/" % sid, token)
            if st == 200:
                doc = json.loads(out)
                print(sid, doc["data"]["verdict_code"], flush=True)
                left.remove(sid)
            elif st != 202:
                print(sid, "HTTP%d" % st, flush=True)
                left.remove(sid)
            if time.time() >= deadline:
                break
    for sid in left:
        print(sid, "NONE", flush=True)
EOF

# start_api NAME URL: an api process; sets API_PID and API_PORT.
start_api() {
	API_PORT=$(free_port)
	start_bg "$ALGOCODE_BIN" serve -c "$top_builddir/conf.d/api.conf" $COMMON \
		-o store.path="$TEST_TMP/$1.db" \
		-o api.jwt_secret_file="$TEST_TMP/jwt.secret" \
		-o api.listen="127.0.0.1:$API_PORT" \
		-o api.rate_burst=1000 -o api.rate_per_s=100 \
		-o transport.amqp_url="$2" 2>"$TEST_TMP/$1.log"
	API_PID=$BG_PID
	wait_http "http://127.0.0.1:$API_PORT/api/v1/common/healthcheck/" 20 ||
		fail "the api ($1) did not start: $(tail -5 "$TEST_TMP/$1.log")"
}

# start_judge NAME URL [OPTS...]: a judge process; sets JUDGE_PID.
start_judge() {
	_n=$1 _u=$2
	shift 2
	mkdir -p "$TEST_TMP/work-$_n"
	start_bg "$ALGOCODE_BIN" serve -c "$top_builddir/conf.d/judge.conf" $COMMON \
		-o judge.work_dir="$TEST_TMP/work-$_n" -o judge.workers=2 \
		-o judge.metrics_listen="127.0.0.1:$(free_port)" \
		-o transport.amqp_url="$_u" "$@" 2>"$TEST_TMP/$_n.log"
	JUDGE_PID=$BG_PID
	# Up when it has subscribed (the plugin logs its connection).
	_t=0
	while ! grep -q "connected to 127.0.0.1" "$TEST_TMP/$_n.log"; do
		kill -0 "$JUDGE_PID" 2>/dev/null ||
			fail "judge $_n died: $(tail -5 "$TEST_TMP/$_n.log")"
		_t=$((_t + 1))
		[ "$_t" -lt 200 ] || fail "judge $_n did not connect"
		sleep 0.1
	done
}

# submit FILE EXPECTED: appends "ID EXPECTED" to $TEST_TMP/$EXPECT on 201;
# sets st (the HTTP status) and LAST_ID.
submit() {
	_r=$("$PY" "$TEST_TMP/client.py" submit "$API_PORT" "$TOKEN" sqrt-x "$1")
	_st=${_r%% *}
	_id=${_r#* }
	if [ "$_st" = 201 ]; then
		echo "$_id $2" >>"$TEST_TMP/$EXPECT"
		LAST_ID=$_id
	fi
	st=$_st
}

# check_all TIMEOUT: every accepted submission of $EXPECT has its verdict.
check_all() {
	# shellcheck disable=SC2046
	"$PY" "$TEST_TMP/client.py" poll "$API_PORT" "$TOKEN" "$1" \
		$(cut -d' ' -f1 "$TEST_TMP/$EXPECT") >"$TEST_TMP/$EXPECT.got"
	sort "$TEST_TMP/$EXPECT" >"$TEST_TMP/$EXPECT.want.s"
	sort "$TEST_TMP/$EXPECT.got" >"$TEST_TMP/$EXPECT.got.s"
	if ! cmp -s "$TEST_TMP/$EXPECT.want.s" "$TEST_TMP/$EXPECT.got.s"; then
		diff "$TEST_TMP/$EXPECT.want.s" "$TEST_TMP/$EXPECT.got.s" >&2
		fail "$EXPECT: wrong or missing results (expected < > got)"
	fi
}

# queue_depths NODE VHOST: "name messages" of every queue.
queue_depths() {
	rmq_ctl "$1" list_queues -p "$2" name messages 2>/dev/null |
		grep '^algocode\.' | sort
}

# judged_count LOG ID: result lines of ID in LOG ("submission ID: AC (...").
judged_count() {
	grep -c "submission $2: [A-Z][A-Z]* (" "$1"
}

T0=$(date +%s)

# ------------------------------------------------------------------ A
start_api api "$MAIN_URL"
TOKEN=$(ac token --user rabbit) || fail "algocode token failed"
[ -n "$TOKEN" ] || fail "no token"
# Judge 1 judges every test (so a slow submission runs long, for B).
start_judge j1 "$MAIN_URL" -o judge.all_tests=true
J1=$JUDGE_PID
start_judge j2 "$MAIN_URL"
J2=$JUDGE_PID

EXPECT=a.expect
: >"$TEST_TMP/$EXPECT"
N=20
i=0
while [ "$i" -lt "$N" ]; do
	case $((i % 3)) in
	0) submit "$AC_SRC" AC ;;
	1) submit "$WA_SRC" WA ;;
	2) submit "$AC2_SRC" AC ;;
	esac
	[ "$st" = 201 ] || fail "submission $i answered HTTP $st"
	i=$((i + 1))
done
check_all 180
n1=$(grep -c "submission [^ ]*: [A-Z][A-Z]* (" "$TEST_TMP/j1.log")
n2=$(grep -c "submission [^ ]*: [A-Z][A-Z]* (" "$TEST_TMP/j2.log")
[ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] ||
	fail "the judges did not share the load (judge 1: $n1, judge 2: $n2)"
[ $((n1 + n2)) -eq "$N" ] ||
	fail "$((n1 + n2)) judgements for $N submissions (judge 1: $n1, judge 2: $n2)"
ok "A: $N submissions judged over RabbitMQ by two judges ($n1 + $n2), every verdict right ($(($(date +%s) - T0)) s)"

# ------------------------------------------------------------------ B
T1=$(date +%s)
# Only judge 1 consumes while the slow job is taken.
kill -TERM "$J2"
wait "$J2" 2>/dev/null
EXPECT=b.expect
: >"$TEST_TMP/$EXPECT"
submit "$TLE_SRC" TLE
[ "$st" = 201 ] || fail "the slow submission answered HTTP $st"
SLOW=$LAST_ID
# Judge 1 compiles it and runs 8 tests, 5 of them 1 s over the limit.
sleep 3
[ "$(judged_count "$TEST_TMP/j1.log" "$SLOW")" = 0 ] ||
	fail "judge 1 finished the slow submission before it could be killed"
kill -KILL "$J1"
wait "$J1" 2>/dev/null
start_judge j3 "$MAIN_URL"
check_all 120
[ "$(judged_count "$TEST_TMP/j1.log" "$SLOW")" = 0 ] ||
	fail "the killed judge published a result"
c3=$(judged_count "$TEST_TMP/j3.log" "$SLOW")
[ "$c3" = 1 ] || fail "the redelivered job was judged $c3 times by judge 3"
grep -q "redelivered message from algocode.jobs.cpp" "$TEST_TMP/j3.log" ||
	fail "judge 3 does not report a redelivery"
# Exactly once: the result was consumed and stored once, nothing is left
# in any queue, nothing was dead-lettered.
sleep 1
depths=$(queue_depths "$RMQ_MAIN_NODE" "$VHOST")
echo "$depths" | awk '$2 != 0 {bad = 1} END {exit bad}' ||
	fail "messages left in queues: $depths"
r=$("$PY" "$TEST_TMP/client.py" poll "$API_PORT" "$TOKEN" 10 "$SLOW")
[ "$r" = "$SLOW TLE" ] || fail "result/check of the slow submission: $r"
ok "B: judge killed with SIGKILL mid-run; the job was redelivered, judged once, one result ($(($(date +%s) - T1)) s)"

kill -TERM "$API_PID" "$JUDGE_PID"
wait "$API_PID" "$JUDGE_PID" 2>/dev/null
grep -q "AddressSanitizer" "$TEST_TMP/api.log" "$TEST_TMP/j3.log" &&
	fail "a sanitizer report in the logs"

# ------------------------------------------------------------------ C
T2=$(date +%s)
if ! rmq_private_start; then
	echo "SKIPPED: C (broker restart): $RMQ_WHY"
	echo "SKIPPED: C (broker restart): $RMQ_WHY" >&2
	exit 0
fi
PRIV_URL="amqp://guest:guest@127.0.0.1:$RMQ_PORT/%2f"
start_api api-c "$PRIV_URL"
start_judge j4 "$PRIV_URL"
J4=$JUDGE_PID
EXPECT=c.expect
: >"$TEST_TMP/$EXPECT"
# A first batch, then the broker goes down with jobs queued or running
# (two slow ones keep both workers of the judge busy).
for k in 1 2 3 4 5 6 7 8 9 10; do
	case $k in
	1 | 2) submit "$TLE_SRC" TLE ;;
	*[02468]) submit "$WA_SRC" WA ;;
	*) submit "$AC_SRC" AC ;;
	esac
	[ "$st" = 201 ] || fail "before the restart: HTTP $st"
done
# Counted as the stop begins (a broker's orderly stop takes seconds, long
# enough for a fast judge to finish what it holds).
before=$(grep -c "submission [^ ]*: [A-Z][A-Z]* (" "$TEST_TMP/j4.log")
rmq_private_stop
[ "$before" -lt 10 ] ||
	fail "the judge finished the whole batch before the restart (not mid-stream)"
refused=0
accepted=0
for k in 1 2 3; do
	submit "$AC_SRC" AC
	case $st in
	201) accepted=$((accepted + 1)) ;;
	503) refused=$((refused + 1)) ;;
	*) fail "while the broker is down: HTTP $st (expected 201 or 503)" ;;
	esac
done
rmq_private_start || fail "the private node did not start again: $RMQ_WHY"
for k in 1 2 3 4 5 6; do
	_t=0
	while :; do
		if [ $((k % 2)) = 0 ]; then
			submit "$WA_SRC" WA
		else
			submit "$AC2_SRC" AC
		fi
		[ "$st" = 201 ] && break
		[ "$st" = 503 ] || fail "after the restart: HTTP $st"
		# The api has not reconnected yet (backoff).
		_t=$((_t + 1))
		[ "$_t" -lt 150 ] || fail "the api did not reconnect after the restart"
		sleep 0.2
	done
done
check_all 180
grep -q "reconnected to 127.0.0.1:$RMQ_PORT" "$TEST_TMP/api-c.log" ||
	fail "the api did not log its reconnect"
grep -q "reconnected to 127.0.0.1:$RMQ_PORT" "$TEST_TMP/j4.log" ||
	fail "the judge did not log its reconnect"
total=$(wc -l <"$TEST_TMP/$EXPECT")
kill -TERM "$API_PID" "$J4"
wait "$API_PID" "$J4" 2>/dev/null
ok "C: broker restarted mid-stream ($before of 10 judged when it stopped): all $total accepted submissions judged ($refused answered 503 while it was down, $accepted accepted) ($(($(date +%s) - T2)) s)"
exit 0
