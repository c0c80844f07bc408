#!/bin/sh
# One user's submissions cannot starve another's, and the in-memory job
# queue holds at most its byte budget without losing anything.
#
# A single node (in-process transport, SQLite store, two judge workers)
# served as root with privilege separation, with the smallest byte budget
# (transport.max_queued_mb = 1).  User A floods slow submissions
# (each sleeps about 1.5 s, with a 60 KiB comment that JSON-escapes to
# 120 KiB: a handful fill the budget), then user B submits one trivial
# Accepted.  B's result must arrive within 2 x B's judging time + one of
# A's runs (both measured alone on an idle server first), where a FIFO
# queue would make B wait for every A job ahead.  Every submission
# answered 201 must get its result, and the transport must have refused
# jobs for want of room (jobs_deferred_total > 0); the server is killed
# (-9) while A's jobs wait and started again, and still every A job gets
# its result.  The figures are printed.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

NA=${FAIRNESS_N:-24}
need_separation
need_python
need_judging

cp -rL "$top_builddir/plugins-build" "$TEST_TMP/plugins"
P="$TEST_TMP/problems/fair-echo"
mkdir -p "$TEST_TMP/src"
echo_problem "$P" "Fair echo" 4 fair
chmod -R go+rX "$TEST_TMP/plugins" "$TEST_TMP/problems"
# A: slow (a 1.5 s sleep: no CPU, so the run time holds on a loaded
# machine) and large once JSON-escaped ('"' and '\' escape to 2 bytes).
"$PY" - "$TEST_TMP/src" <<'PYEOF'
import sys
d = sys.argv[1]
pad = '# ' + '"\\' * 30000 + '\n'
open(d + '/slow.py', 'w').write(
    'import time\n' + pad + 'time.sleep(1.5)\nprint(input())\n')
open(d + '/quick.py', 'w').write('print(input())\n')
PYEOF

serve_places
start_serve() {
	serve_separated -o transport.max_queued_mb=1
}
start_serve
for u in A B; do
	ac token -o api.jwt_secret_file="$STATE/jwt.secret" --user "fair$u" \
		>"$TEST_TMP/token.$u" || fail "algocode token failed"
done

"$PY" - "$BASE" "$TEST_TMP" "$NA" "$ERRF" >"$TEST_TMP/py.out" 2>&1 <<'PYEOF' &
import json, os, re, sys, time, urllib.request, urllib.error
from concurrent.futures import ThreadPoolExecutor

base, tmp, na, errf = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
tok = {u: open(f'{tmp}/token.{u}').read().strip() for u in 'AB'}
src = {k: open(f'{tmp}/src/{k}.py').read() for k in ('slow', 'quick')}

def call(method, path, user, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header('Authorization', 'Bearer ' + tok[user])
    if data:
        req.add_header('Content-Type', 'application/json')
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read() or b'{}')
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b'{}')

def submit(user, kind):
    while True:
        code, doc = call('POST', '/api/v1/code/submit/', user,
                         {'problem_id': 'fair-echo', 'lang': 'python3',
                          'code': src[kind]})
        if code == 201:
            return doc['result']['submission_id'], time.monotonic()
        if code not in (429, 503):
            sys.exit(f'FAIL: submit answered {code}: {doc}')
        time.sleep(1)

def result(user, sid, deadline):
    while time.monotonic() < deadline:
        code, doc = call('GET', f'/api/v1/result/check/{sid}/', user)
        if code == 200 and (doc.get('data') or {}).get('verdict_code'):
            return doc['data']['verdict_code'], time.monotonic()
        if code != 202:
            sys.exit(f'FAIL: result/check answered {code}: {doc}')
    sys.exit(f'FAIL: no result for {sid} within the deadline')

def alone(user, kind):
    sid, t0 = submit(user, kind)
    v, t1 = result(user, sid, time.monotonic() + 120)
    if v != 'AC':
        sys.exit(f'FAIL: {kind} alone: {v}, not AC')
    return t1 - t0

# Alone, on an idle server: B's judging time and one of A's runs.
jb = max(alone('B', 'quick'), alone('B', 'quick'))
ra = alone('A', 'slow')
print(f'alone: B (trivial) {jb:.2f} s, A (slow) {ra:.2f} s')

# A floods; once every A submission is accepted, B submits one.
t_flood = time.monotonic()
with ThreadPoolExecutor(8) as ex:
    a_ids = list(ex.map(lambda _: submit('A', 'slow')[0], range(na)))
print(f'A: {na} submissions accepted in {time.monotonic() - t_flood:.2f} s')
sid_b, t0 = submit('B', 'quick')
vb, t1 = result('B', sid_b, time.monotonic() + 300)
lb = t1 - t0
if vb != 'AC':
    sys.exit(f'FAIL: B got {vb}, not AC')

# kill -9 while A's jobs are queued, in the outbox (refused by the
# budget) or running; started again on the same store.
t_kill = time.monotonic()
open(f'{tmp}/phase', 'w').write('kill')
while not os.path.exists(f'{tmp}/restarted'):
    time.sleep(0.1)
print(f'killed (-9) {t_kill - t_flood:.1f} s after the flood began, started '
      f'again in {time.monotonic() - t_kill:.1f} s')

# Every 201 gets its result.
deadline = time.monotonic() + 60 + 3 * na / 2 * ra
verdicts = {}
for sid in a_ids:
    verdicts[sid] = result('A', sid, deadline)[0]
bad = {s: v for s, v in verdicts.items() if v != 'AC'}
print(f'A: {len(verdicts)} results, all flood done '
      f'{time.monotonic() - t_flood:.1f} s after its start; not AC: {bad}')
if bad:
    sys.exit('FAIL: a slow submission was not Accepted')
# The machine may be loaded: the judging times the server logged during
# the flood count too (the longer of alone and during the flood).
judged = {}
for line in open(errf, errors='replace'):
    m = re.search(r'submission ([0-9a-f-]+): [A-Z]+ \(.*judged in ([0-9.]+) ms', line)
    if m:
        judged[m.group(1)] = float(m.group(2)) / 1000
jb = max(jb, judged.get(sid_b, 0))
ra = max([ra] + [judged.get(s, 0) for s in a_ids])
bound = 2 * jb + ra
fifo = na / 2 * ra
print(f'B during the flood: {lb:.2f} s; bound 2 x B judging {jb:.2f} + '
      f'one A run {ra:.2f} = {bound:.2f} s; a FIFO queue: about {na} / 2 '
      f'workers x {ra:.2f} = {fifo:.1f} s')
if lb > bound:
    sys.exit(f'FAIL: B waited {lb:.2f} s, over the bound {bound:.2f} s')
if lb * 3 > fifo:
    sys.exit(f'FAIL: B waited {lb:.2f} s, not well below a FIFO queue '
             f'({fifo:.1f} s): is the flood too short?')
PYEOF
PYPID=$!
n=0
while [ ! -e "$TEST_TMP/phase" ] && kill -0 $PYPID 2>/dev/null && [ $n -lt 1800 ]; do
	sleep 0.1
	n=$((n + 1))
done
if [ -e "$TEST_TMP/phase" ]; then
	kill -KILL "$SERVER"
	wait_gone "$SERVER" 60 || fail "the server did not die"
	start_serve
	touch "$TEST_TMP/restarted"
fi
wait $PYPID
PYRC=$?
cat "$TEST_TMP/py.out"
[ $PYRC = 0 ] || fail "fairness (log: $ERRF)"
ok "B's one submission was not starved by A's flood; every 201 got its result, across a kill -9"

# Refusals: counted since the restart (metrics), and logged (both runs).
M=$(curl -s "$BASE/metrics")
DEFERRED=$(echo "$M" | sed -n 's/^algocode_jobs_deferred_total \([0-9]*\).*/\1/p')
FULL=$(grep -c "the job queue is full" "$ERRF")
echo "jobs deferred by the 1 MiB budget since the restart: ${DEFERRED:-none}; queue-full episodes logged: $FULL"
[ "$FULL" -gt 0 ] || fail "the byte budget never refused a job"
grep -q "dead-lettered" "$ERRF" && fail "a job was dead-lettered: $(grep dead-lettered "$ERRF")"
ok "the queue's byte budget refused jobs, and each was judged later"

kill -TERM "$SERVER"
wait_gone "$SERVER" 60 || fail "the server did not stop"
grep -q "Sanitizer" "$ERRF" && fail "a sanitizer report in the server's log: $(grep -A5 Sanitizer "$ERRF" | head -20)"
ok "the server stopped cleanly"
