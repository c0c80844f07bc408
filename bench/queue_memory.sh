#!/bin/sh
# Server memory per queued job, and the in-memory queue's byte budget.
# A single node without the judge role (jobs stay queued) receives N
# submissions of the largest source (api.max_source_kb, 64 KiB of control
# characters: the worst JSON escaping, 6 bytes each); the RSS of the
# process that holds the queue is read before and after, once with the
# budget out of the way (1 TiB: as the old message-count-only limit)
# and once with transport.max_queued_mb=BUDGET (64 here).
# Prints KiB per queued job and the ratio of the two RSS growths.
# Usage (build directory, as root): top_builddir=. top_srcdir=SRC sh bench/queue_memory.sh
set -eu
: "${top_builddir:=$(pwd)}"
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
N=${N:-400}
BUDGET=${BUDGET:-64}
U=${AC_TEST_USER:-algocode}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/algocode-bench-qm.XXXXXX")
chmod 755 "$tmp"
cp -rL "$top_builddir/plugins-build" "$tmp/plugins"
cp -r "$top_srcdir/problems" "$tmp/problems"
chmod -R go+rX "$tmp"
trap 'kill $PID 2>/dev/null || true; sleep 1; rm -rf "$tmp"' EXIT
PID=
run() { # run BUDGET: prints "rss_before_kib rss_after_kib accepted refused"
	st="$tmp/state-$1"
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	"$top_builddir/algocode" serve -c "$top_builddir/conf.d/single-node.conf" \
		-o user="$U" -o 'roles=["api"]' -o "state_dirs=[\"$st\"]" \
		-o plugins.dir="$tmp/plugins" -o judge.problems_dir="$tmp/problems" \
		-o store.path="$st/db" -o judge.work_dir="$st/work" \
		-o api.jwt_secret_file="$st/jwt" -o api.listen=127.0.0.1:$port \
		-o api.rate_burst=1000000 -o api.rate_per_s=1000 \
		-o transport.max_queued_mb="$1" -o log.level=warn 2>"$tmp/err-$1" &
	PID=$!
	i=0
	until curl -sf "http://127.0.0.1:$port/api/v1/common/healthcheck/" >/dev/null; do
		sleep 0.2; i=$((i + 1)); [ $i -lt 150 ] || { cat "$tmp/err-$1" >&2; exit 1; }
	done
	tok=$("$top_builddir/algocode" token -c "$top_builddir/conf.d/single-node.conf" \
		-o api.jwt_secret_file="$st/jwt" --user bench)
	# The process holding the queue (it drops its privileges itself).
	qpid=$PID
	python3 - "$port" "$tok" "$N" "$qpid" <<'PY'
import json, sys, urllib.request, urllib.error
port, tok, n, pid = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def rss():
    for l in open(f'/proc/{pid}/status'):
        if l.startswith('VmRSS:'):
            return int(l.split()[1])
body = json.dumps({'problem_id': 'hello-judge', 'lang': 'cpp',
                   'code': '\x01' * 65536}).encode()
before = rss()
acc = ref = 0
for _ in range(n):
    req = urllib.request.Request(f'http://127.0.0.1:{port}/api/v1/code/submit/',
                                 data=body, method='POST')
    req.add_header('Authorization', 'Bearer ' + tok)
    req.add_header('Content-Type', 'application/json')
    try:
        urllib.request.urlopen(req).read()
        acc += 1
    except urllib.error.HTTPError as e:
        ref += 1
print(before, rss(), acc, ref)
PY
	kill "$PID"; wait "$PID" || true; PID=
}
set -- $(run 1048576)
b0=$1 a0=$2 acc0=$3
set -- $(run "$BUDGET")
b1=$1 a1=$2 acc1=$3 ref1=$4
echo "no byte budget:    RSS $b0 -> $a0 KiB with $acc0 jobs queued: $(( (a0 - b0) / N )) KiB per job"
echo "budget $BUDGET MiB: RSS $b1 -> $a1 KiB ($acc1 accepted, $ref1 answered 503)"
python3 -c "print('RSS growth, budget / no budget: %.2f' % (($a1 - $b1) / max(1, $a0 - $b0)))"
