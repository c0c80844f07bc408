#!/bin/sh
# Transport overhead and throughput of trivial submissions: inproc (single
# node), RabbitMQ and NATS JetStream (one api and one judge process each),
# printed side by side in one table.
#
# What is measured.  Every submission is the SAME accepted C++ program for
# hello-judge, so after one warm-up submission (not counted) every job is a
# compile cache hit and judging is a few sandboxed runs.  For each
# submission the client (bench/transport_client.py) takes
#   t_send  just before POST /api/v1/code/submit/,
#   t_vis   when a parked GET /api/v1/result/check/ID/ returns the result
#           (the api answers a parked poll as soon as the result is stored),
# and the judge logs J, the time its worker spent judging that submission
# ("judged in X ms", measured around ac_judge on the worker thread).
#   overhead = (t_vis - t_send) - J
# is everything that is not judging: the HTTP submit (store insert, job
# publish and, with a broker, its confirm: the 201 comes after it), the job
# delivery, the result publish and delivery, the result store and the
# wake-up of the parked poll.  The latency phase submits N_LAT submissions
# one at a time (no queueing), and reports the median, p99 and mean
# overhead.  The throughput phase then submits N_THR submissions from CONC
# concurrent clients (each submits, waits for its result, submits again);
# throughput = N_THR / (last result seen - first submission sent).  All
# configurations use the same judge (judge.workers=2, sandbox ns, sqlite
# store), so the differences between the rows are the transports'.
#
# RabbitMQ: the broker on 127.0.0.1:5672 with a private vhost (created and
# deleted here; started when none runs, see tests/e2e/svc_rabbitmq.sh);
# NATS: a private nats-server with JetStream on a free port, its store in
# the temporary directory.  A transport that cannot be had is shown as
# unavailable, with the reason.  Loopback only; every process started here
# is stopped by pid at exit; each client run is bounded (timeout).
#
#   make bench-transport   or   top_builddir=BUILD top_srcdir=SRC bench/transport_latency.sh
# Environment: N_LAT (100), N_THR (200), CONC (8), TRANSPORTS
# ("inproc rabbitmq nats").
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/svc_rabbitmq.sh"
. "$top_srcdir/tests/e2e/svc_nats.sh"

N_LAT=${N_LAT:-100}
N_THR=${N_THR:-200}
CONC=${CONC:-8}
TRANSPORTS=${TRANSPORTS:-inproc rabbitmq nats}
PY=python3
CLIENT="$top_srcdir/bench/transport_client.py"
SRC="$top_srcdir/problems/hello-judge/submissions/accepted/getline.cpp"
ROWS="$TEST_TMP/rows"
: >"$ROWS"

command -v curl >/dev/null 2>&1 || skip "curl is not installed"
command -v $PY >/dev/null 2>&1 || skip "python3 is not installed"
[ -f "$SRC" ] || fail "missing $SRC"
ENV_OUT=$(ac check-env 2>&1) || skip "algocode check-env failed: $ENV_OUT"
case $ENV_OUT in
*"judging is refused"*) skip "the sandbox cannot enforce its limits here (check-env)" ;;
esac

TOKEN=$(ac token --user bench-transport) || fail "cannot mint a token"
COMMON="$SEP_OPTS -o plugins.dir=$top_builddir/plugins-build \
 -o judge.problems_dir=$top_srcdir/problems \
 -o api.jwt_secret_file=$TEST_TMP/jwt.secret \
 -o api.rate_burst=1000000 -o api.rate_per_s=1000000 -o log.level=info"

unavailable() {
	printf '{"name": "%s", "why": "unavailable: %s"}\n' "$1" "$2" >>"$ROWS"
	echo "$1: unavailable: $2" >&2
}

# stop PID...: TERM and wait (processes this script started).
stop() {
	for p in "$@"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "$@"; do
		wait "$p" 2>/dev/null
	done
}

# measure NAME PORT METRICS_URL LOG...: run the client, append the row.
measure() {
	name=$1 port=$2 murl=$3
	shift 3
	echo "$name: $N_LAT one at a time, then $N_THR from $CONC clients" >&2
	timeout 900 $PY "$CLIENT" run "$port" "$TOKEN" hello-judge cpp "$SRC" \
		"$N_LAT" "$N_THR" "$CONC" "$TEST_TMP/$name.jsonl" ||
		fail "$name: the client failed (logs: $*)"
	sleep 0.5 # the judge's log line of the last result
	$PY "$CLIENT" row "$name" "$TEST_TMP/$name.jsonl" "$@" >>"$ROWS" ||
		fail "$name: cannot compute the figures"
	curl -s "$murl" >"$TEST_TMP/$name.metrics"
	curl -s "http://127.0.0.1:$port/metrics" >"$TEST_TMP/$name.api.metrics"
	grep -hE '^algocode_(jobs_published_total|jobs_consumed_total|queue_depth|broker_reconnects_total)' \
		"$TEST_TMP/$name.api.metrics" "$TEST_TMP/$name.metrics" | sort -u | sed "s/^/  $name: /" >&2
}

# distributed NAME TRANSPORT_OPTS...: one api and one judge process.
distributed() {
	name=$1
	shift
	port=$(free_port)
	mport=$(free_port)
	mkdir -p "$TEST_TMP/$name-work"
	# shellcheck disable=SC2086
	"$ALGOCODE_BIN" serve -c "$top_builddir/conf.d/api.conf" $COMMON "$@" \
		-o store.path="$TEST_TMP/$name.db" -o api.listen="127.0.0.1:$port" \
		-o metrics.listen="127.0.0.1:$port" \
		>"$TEST_TMP/$name-api.log" 2>&1 &
	api_pid=$!
	BG_PIDS="$BG_PIDS $api_pid"
	# shellcheck disable=SC2086
	"$ALGOCODE_BIN" serve -c "$top_builddir/conf.d/judge.conf" $COMMON "$@" \
		-o judge.work_dir="$TEST_TMP/$name-work" -o judge.workers=2 \
		-o judge.metrics_listen="127.0.0.1:$mport" \
		>"$TEST_TMP/$name-judge.log" 2>&1 &
	judge_pid=$!
	BG_PIDS="$BG_PIDS $judge_pid"
	wait_http "http://127.0.0.1:$port/api/v1/common/healthcheck/" 30 ||
		fail "$name: the api did not start: $(tail -5 "$TEST_TMP/$name-api.log")"
	wait_http "http://127.0.0.1:$mport/metrics" 30 ||
		fail "$name: the judge did not start: $(tail -5 "$TEST_TMP/$name-judge.log")"
	measure "$name" "$port" "http://127.0.0.1:$mport/metrics" \
		"$TEST_TMP/$name-judge.log"
	stop "$api_pid" "$judge_pid"
}

for t in $TRANSPORTS; do
	case $t in
	inproc)
		port=$(free_port)
		# shellcheck disable=SC2086
		"$ALGOCODE_BIN" serve $AC_OPTS $COMMON -o transport.plugin=inproc \
			-o api.listen="127.0.0.1:$port" -o judge.workers=2 \
			-o metrics.listen="127.0.0.1:$port" \
			-o log.level=info >"$TEST_TMP/inproc.log" 2>&1 &
		pid=$!
		BG_PIDS="$BG_PIDS $pid"
		wait_http "http://127.0.0.1:$port/api/v1/common/healthcheck/" 30 ||
			fail "inproc: serve did not start: $(tail -5 "$TEST_TMP/inproc.log")"
		measure inproc "$port" "http://127.0.0.1:$port/metrics" "$TEST_TMP/inproc.log"
		stop "$pid"
		;;
	rabbitmq)
		if [ ! -e "$top_builddir/plugins-build/transport/rabbitmq.so" ]; then
			unavailable rabbitmq "transport/rabbitmq is not built"
		elif ! rmq_ensure_main; then
			unavailable rabbitmq "$RMQ_WHY"
		elif [ -z "$RMQ_MAIN_NODE" ]; then
			unavailable rabbitmq "rabbitmqctl cannot reach the broker (no private vhost)"
		elif ! rmq_vhost_add "algobench-$$"; then
			unavailable rabbitmq "cannot create the vhost algobench-$$"
		else
			distributed rabbitmq -o transport.plugin=rabbitmq \
				-o transport.amqp_url="amqp://guest:guest@127.0.0.1:5672/algobench-$$"
		fi
		;;
	nats)
		if [ ! -e "$top_builddir/plugins-build/transport/nats.so" ]; then
			unavailable nats "transport/nats is not built"
		elif ! command -v nats-server >/dev/null 2>&1 && [ ! -x /usr/sbin/nats-server ]; then
			unavailable nats "nats-server is not installed"
		else
			nats_start
			distributed nats -o transport.plugin=nats \
				-o transport.nats_url="$NATS_URL"
			nats_stop
		fi
		;;
	*)
		fail "unknown transport $t (TRANSPORTS: inproc rabbitmq nats)"
		;;
	esac
done

echo
echo "Transport overhead = (result visible to a parked poll - POST sent) - judging time"
echo "hello-judge, same C++ source (compile cache hits), judge.workers=2; throughput: $CONC clients"
$PY "$CLIENT" table "$ROWS"
