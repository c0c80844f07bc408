#!/bin/sh
# The three-service layout over NATS JetStream, the roles as separate
# processes against a private nats-server: one api (a second one for
# runs), two judges.
#  1. many submissions judged, both judges sharing the load; a result
#     stream fed by the judges' progress messages over the broker; runs
#     with custom input across two api processes sharing the result queue;
#  2. a judge killed with SIGKILL in the middle of a run: its job is
#     redelivered (after transport.ack_wait_s) to another judge and its
#     result is stored exactly once;
#  3. the server killed and restarted mid-stream (same store): nothing lost.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/svc_nats.sh"

command -v curl >/dev/null 2>&1 || skip "curl is not installed"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
[ -e "$top_builddir/plugins-build/transport/nats.so" ] || skip "transport/nats is not built (libnats-dev)"
ENV_OUT=$(ac check-env 2>&1) || skip "algocode check-env failed: $ENV_OUT"
case $ENV_OUT in
*"judging is refused"*) skip "the sandbox cannot enforce its limits here (check-env)" ;;
esac

P=$top_srcdir/problems/sqrt-x/submissions
AC1=$P/accepted/binary_search.cpp
AC2=$P/accepted/sqrt_adjust.cpp
WA1=$P/wrong_answer/off_by_one.cpp
SLOW=$P/time_limit_exceeded/count_down_from_x.cpp
for f in "$AC1" "$AC2" "$WA1" "$SLOW"; do
	[ -f "$f" ] || skip "missing $f"
done

nats_start
echo "private nats-server pid $NATS_PID on $NATS_URL"

API_PORT=$(free_port)
BASE="http://127.0.0.1:$API_PORT"
ACK_WAIT=5
COMMON="$SEP_OPTS -o transport.plugin=nats -o transport.nats_url=$NATS_URL \
 -o transport.ack_wait_s=$ACK_WAIT -o plugins.dir=$top_builddir/plugins-build \
 -o judge.problems_dir=$top_srcdir/problems -o log.level=info"

# start_api_on PORT LOG: an api process on PORT logging to $TEST_TMP/LOG
# (all of them share the store file and the secret); its pid in BG_PID.
start_api_on() {
	# shellcheck disable=SC2086
	start_bg "$ALGOCODE_BIN" serve -c "$top_builddir/conf.d/api.conf" $COMMON \
		-o store.path="$TEST_TMP/api.db" \
		-o api.jwt_secret_file="$TEST_TMP/jwt.secret" \
		-o api.listen="127.0.0.1:$1" -o api.rate_burst=100000 \
		>>"$TEST_TMP/$2" 2>&1
}
start_api() {
	start_api_on "$API_PORT" api.log
	API_PID=$BG_PID
}

# start_judge N: judge number N (log judgeN.log, work dir workN).
start_judge() {
	mkdir -p "$TEST_TMP/work$1"
	eval "[ -n \"\$METRICS$1\" ] || METRICS$1=\$(free_port)"
	# shellcheck disable=SC2086
	start_bg "$ALGOCODE_BIN" serve -c "$top_builddir/conf.d/judge.conf" $COMMON \
		-o judge.work_dir="$TEST_TMP/work$1" -o judge.workers=2 \
		-o judge.metrics_listen="127.0.0.1:$(eval echo \$METRICS$1)" \
		>>"$TEST_TMP/judge$1.log" 2>&1
	eval "JUDGE$1_PID=\$BG_PID"
}

show_logs() {
	for l in api api2 judge1 judge2 nats-server; do
		echo "---- $l.log (tail)" >&2
		tail -n 25 "$TEST_TMP/$l.log" >&2 2>/dev/null
	done
}
trap 'rc=$?; [ $rc = 0 ] || [ $rc = 77 ] || show_logs; cleanup' EXIT

start_api
wait_http "$BASE/api/v1/common/healthcheck/" 20 || fail "the api did not answer"
start_judge 1
start_judge 2
TOKEN=$(ac token --user nats-e2e) || fail "cannot mint a token"

cat >"$TEST_TMP/client.py" <<'PY'
import json, sys, time, urllib.request, urllib.error

base, token = sys.argv[1], sys.argv[2]

def call(method, path, body=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=json.dumps(body).encode() if body else None,
                                 headers={"Authorization": "Bearer " + token,
                                          "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)

def submit(src):
    code = open(src).read()
    st, d = call("POST", "/api/v1/code/submit/",
                 {"problem_id": "sqrt-x", "lang": "cpp", "code": code})
    if st != 201:
        sys.exit("submit %s: HTTP %d %s" % (src, st, d))
    return d["result"]["submission_id"]

def wait(pairs, timeout):
    want = dict(p.split("=") for p in pairs)
    end = time.time() + timeout
    got = {}
    while want.keys() - got.keys() and time.time() < end:
        for sid in sorted(want.keys() - got.keys()):
            st, d = call("GET", "/api/v1/result/check/%s/" % sid)
            if st == 200:
                got[sid] = d["data"]["verdict_code"]
            elif st != 202:
                sys.exit("result %s: HTTP %d %s" % (sid, st, d))
    missing = want.keys() - got.keys()
    if missing:
        sys.exit("no result after %d s for %d of %d: %s" %
                 (timeout, len(missing), len(want), " ".join(sorted(missing))))
    bad = ["%s: %s, expected %s" % (s, got[s], want[s]) for s in want if got[s] != want[s]]
    if bad:
        sys.exit("wrong verdicts: " + "; ".join(bad))

if sys.argv[3] == "submit":
    # submit SRC=EXPECTED...: prints SID=EXPECTED lines
    for a in sys.argv[4:]:
        src, exp = a.split("=")
        print("%s=%s" % (submit(src), exp))
elif sys.argv[3] == "wait":
    wait(sys.argv[5:], float(sys.argv[4]))
PY
client() { python3 "$TEST_TMP/client.py" "$BASE" "$TOKEN" "$@"; }

# count_results SID: rows of the api's store for that submission.
count_results() {
	python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute("SELECT count(*) FROM results WHERE submission_id=?", (sys.argv[2],)).fetchone()[0])' "$TEST_TMP/api.db" "$1"
}

# ------------------------------------------- 1. many submissions, two judges
N=20
ARGS=$(cycle "$N" "$AC1=AC" "$WA1=WA" "$AC2=AC" "$AC1=AC")
T0=$(date +%s)
# shellcheck disable=SC2086
SIDS=$(client submit $ARGS) || fail "submissions refused"
# shellcheck disable=SC2086
client wait 180 $SIDS || fail "phase 1"
ok "$N submissions judged over NATS with the right verdicts in $(($(date +%s) - T0)) s"
n1=$(grep -c 'submission .*: \(AC\|WA\) ' "$TEST_TMP/judge1.log")
n2=$(grep -c 'submission .*: \(AC\|WA\) ' "$TEST_TMP/judge2.log")
[ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] || fail "one judge did all the work (judge1 $n1, judge2 $n2)"
[ $((n1 + n2)) -ge $N ] || fail "only $((n1 + n2)) judgements logged for $N submissions"
ok "both judges shared the load (judge1 $n1, judge2 $n2)"

# A run with custom input through the three-service layout (issue 18):
# api -> job queue -> judge -> result queue -> the api's memory.
printf '#include <cstdio>\nint main(){long a,b;if(scanf("%%ld %%ld",&a,&b)!=2)return 3;printf("%%ld\\n",a+b);}\n' >"$TEST_TMP/run.cpp"
python3 -c 'import json,sys; print(json.dumps({"lang": "cpp", "code": open(sys.argv[1]).read(), "inputs": ["20 22\n", "x"]}))' \
	"$TEST_TMP/run.cpp" >"$TEST_TMP/run.json"
python3 "$top_srcdir/tests/e2e/api_clients.py" run "$BASE" "$TOKEN" "$TEST_TMP/run.json" 120 \
	>"$TEST_TMP/run.doc" || fail "no run document over NATS"
[ "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["data"]; print(d["runs"][0]["stdout"] == "42\n" and d["runs"][0]["verdict_code"] == "OK" and d["runs"][1]["verdict_code"] == "RE" and d["runs"][1]["exit_code"] == 3 and d["verdict_code"] == "RE")' "$TEST_TMP/run.doc")" = True ] ||
	fail "run over NATS: $(head -c 1500 "$TEST_TMP/run.doc")"
ok "a run with custom input over NATS: OK then RE, outputs back through the result queue"

# ------- 1a. runs across two api processes competing for the result queue
# A second api process (same store file, same secret): a run's document
# reaches either api.  Whichever stores it; each api answers the poll,
# from memory or from the store.  Runs accepted by api A are polled on
# api B until 200, then on A; another user's poll is 404 on both; the
# runs are not the user's submissions.
API2_PORT=$(free_port)
BASE2="http://127.0.0.1:$API2_PORT"
start_api_on "$API2_PORT" api2.log
API2_PID=$BG_PID
wait_http "$BASE2/api/v1/common/healthcheck/" 20 || fail "the second api did not answer"
RUNNER=$(ac token --user nats-runner) || fail "cannot mint a token"
python3 - "$BASE" "$BASE2" "$RUNNER" "$TOKEN" "$TEST_TMP/run.json" 4 >"$TEST_TMP/runs2.out" <<'PY' || fail "runs across two apis: $(cat "$TEST_TMP/runs2.out")"
import json, sys, time, urllib.request, urllib.error
a, b, tok, other, bodyfile, n = sys.argv[1:7]

def call(base, method, path, token, body=None):
    req = urllib.request.Request(base + path, data=body, method=method,
                                 headers={"Authorization": "Bearer " + token,
                                          "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")

def poll(base, rid, deadline):
    while time.time() < deadline:
        st, d = call(base, "GET", "/api/v1/code/run/%s/" % rid, tok)
        if st == 200:
            return d["data"]
        assert st == 202 and d == {"status": "pending", "data": None}, (base, rid, st, d)
    raise SystemExit("run %s: no document on %s" % (rid, base))

body = open(bodyfile, "rb").read()
rids = []
for _ in range(int(n)):
    st, d = call(a, "POST", "/api/v1/code/run/", tok, body)
    assert st == 201, (st, d)
    rids.append(d["result"]["run_id"])
deadline = time.time() + 180
for rid in rids:
    docs = [poll(b, rid, deadline), poll(a, rid, deadline)]
    for doc in docs:
        assert doc["run_id"] == rid and doc["user_id"] == "nats-runner", doc
        assert doc["runs"][0]["stdout"] == "42\n" and doc["runs"][0]["verdict_code"] == "OK", doc
        assert doc["runs"][1]["verdict_code"] == "RE" and doc["runs"][1]["exit_code"] == 3, doc
    assert docs[0] == docs[1], docs
    for base in (a, b):
        st, d = call(base, "GET", "/api/v1/code/run/%s/" % rid, other)
        assert st == 404, ("another user's run", base, st, d)
# An unknown run (well-formed, just now): pending at most, never another's.
st, d = call(b, "GET", "/api/v1/code/run/run-00000000-0000-7000-8000-000000000000/", tok)
assert st == 404, ("an id of 1970", st, d)
st, d = call(a, "GET", "/api/v1/submissions/", tok)
assert st == 200 and d["count"] == 0 and d["results"] == [], ("runs listed as submissions", d)
print(" ".join(rids))
PY
for rid in $(cat "$TEST_TMP/runs2.out"); do
	[ "$(count_results "$rid")" = 1 ] || fail "run $rid: not exactly one stored document"
done
ok "runs accepted by api A answered on api B and on A (stored once each), another user's 404, not listed as submissions"
kill -TERM "$API2_PID"; wait "$API2_PID" 2>/dev/null

# ------------------- 1b. live results: progress messages over the broker
# The judges step aside, so that the stream is open before judging starts.
kill -TERM "$JUDGE1_PID" "$JUDGE2_PID"
wait "$JUDGE1_PID" "$JUDGE2_PID" 2>/dev/null
SID=$(client submit "$AC1=AC") || fail "submission refused"
STREAM_READY="$TEST_TMP/stream.open" python3 "$top_srcdir/tests/e2e/stream_clients.py" \
	events "$BASE" "$TOKEN" "${SID%=*}" 120 >"$TEST_TMP/stream.ev" &
STREAM_PID=$!
# The judges start once the stream is open (its response head arrived),
# however slow the machine.
_n=0
until [ -e "$TEST_TMP/stream.open" ]; do
	_n=$((_n + 1))
	[ $_n -lt 600 ] || fail "the result stream did not open in 60 s"
	kill -0 "$STREAM_PID" 2>/dev/null || break
	sleep 0.1
done
start_judge 1
start_judge 2
wait "$STREAM_PID" || fail "result stream: $(cat "$TEST_TMP/stream.ev")"
python3 - "$TEST_TMP/stream.ev" <<'PY' || fail "result stream events: $(cut -c1-200 "$TEST_TMP/stream.ev")"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
names = [e["event"] for e in ev]
assert names[0] == "compile" and names[-1] == "result", names
tests = [e["data"] for e in ev if e["event"] == "test"]
doc = ev[-1]["data"]
assert doc["verdict_code"] == "AC" and [t["index"] for t in tests] == list(range(len(doc["tests"]))), names
# "verdict" (the name) is only in the judges' progress messages, not in
# the result document's tests: these came over NATS, live.
assert any("verdict" in t for t in tests), tests
PY
ok "result stream across the services: compile, tests (progress over NATS), result"

# ------------------------------- 2. a judge killed with SIGKILL mid-run
# Judge 2 steps aside so that judge 1 takes the slow jobs.
kill -TERM "$JUDGE2_PID"; wait "$JUDGE2_PID" 2>/dev/null
rm -rf "$TEST_TMP/work1"/run-*
SLOW_SIDS=$(client submit "$SLOW=TLE" "$SLOW=TLE") || fail "slow submissions refused"
_n=0
until ls -d "$TEST_TMP/work1"/run-* >/dev/null 2>&1; do
	_n=$((_n + 1))
	[ $_n -lt 300 ] || fail "judge 1 never started the slow jobs"
	sleep 0.1
done
sleep 0.5
kill -KILL "$JUDGE1_PID"; wait "$JUDGE1_PID" 2>/dev/null
T0=$(date +%s)
for s in $SLOW_SIDS; do
	! grep -q "submission ${s%=*}: " "$TEST_TMP/judge1.log" ||
		fail "judge 1 finished ${s%=*} before it was killed: the test proves nothing"
done
ok "judge 1 killed with SIGKILL while judging $(echo $SLOW_SIDS | wc -w) slow submissions"
start_judge 2
# shellcheck disable=SC2086
client wait 120 $SLOW_SIDS || fail "phase 2: the killed judge's jobs"
for s in $SLOW_SIDS; do
	grep -q "submission ${s%=*}: TLE" "$TEST_TMP/judge2.log" || fail "judge 2 did not judge ${s%=*}"
	[ "$(count_results "${s%=*}")" = 1 ] || fail "${s%=*}: not exactly one stored result"
done
ok "redelivered to judge 2 and judged (TLE) in $(($(date +%s) - T0)) s (ack wait $ACK_WAIT s); one result each"
start_judge 1

# ------------------------------ 3. the server restarted mid-stream
ARGS=$(cycle 12 "$AC1=AC" "$WA1=WA" "$AC2=AC")
# shellcheck disable=SC2086
SIDS3=$(client submit $ARGS) || fail "submissions refused"
sleep 0.2
nats_stop KILL
done3=0
for s in $SIDS3; do
	! cat "$TEST_TMP/judge1.log" "$TEST_TMP/judge2.log" | grep -q "submission ${s%=*}: " || done3=$((done3 + 1))
done
ok "nats-server killed with SIGKILL when $done3 of 12 submissions were judged"
sleep 1
nats_start
echo "nats-server restarted (pid $NATS_PID), same port and store"
# shellcheck disable=SC2086
client wait 180 $SIDS3 || fail "phase 3: after the server restart"
for s in $SIDS3; do
	[ "$(count_results "${s%=*}")" = 1 ] || fail "${s%=*}: not exactly one stored result"
done
ok "all 12 submissions of the restart judged, nothing lost"
grep -q "reconnected to the NATS server" "$TEST_TMP/api.log" || fail "the api did not log its reconnection"
# New work flows after the restart.
SIDS4=$(client submit "$AC1=AC" "$WA1=WA") || fail "submissions after the restart refused"
# shellcheck disable=SC2086
client wait 60 $SIDS4 || fail "after the restart"
ok "new submissions judged after the restart"
