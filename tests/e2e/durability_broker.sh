#!/bin/sh
# A 201 is a promise, over a broker: the three-service layout (one api, one
# judge, separate processes) on a PRIVATE broker (NATS JetStream, then
# RabbitMQ when one can be started), ten clients sending 200 submissions,
# the broker stopped for 20 s a third of the way through and started again
# (same port, same state).  Submit answers 201 once the submission is
# stored, so clients are never told 503 for what is judged later; every
# submission answered 201 gets exactly one result with the right verdict.
#
# DURABILITY_BROKERS="nats rabbitmq" chooses the brokers (default: both,
# each skipped with the reason when it cannot run here).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/svc_nats.sh"
. "$top_srcdir/tests/e2e/svc_rabbitmq.sh"

N=${DURABILITY_N:-200}
DOWN_S=${DURABILITY_DOWN_S:-20}
command -v curl >/dev/null 2>&1 || skip "curl is not installed"
need_python
need_judging

P="$TEST_TMP/problems/durable-echo"
mkdir -p "$TEST_TMP/src"
echo_problem "$P" "Durable echo" 0.5 durable
printf 'print(input())\n' >"$TEST_TMP/src/ac.py"
printf 'print("not " + input())\n' >"$TEST_TMP/src/wa.py"
printf 'while True:\n    pass\n' >"$TEST_TMP/src/tle.py"

show_logs() {
	for l in api-nats judge-nats api-rabbitmq judge-rabbitmq nats-server; do
		echo "---- $l.log (tail)" >&2
		tail -n 25 "$TEST_TMP/$l.log" >&2 2>/dev/null
	done
}
trap 'rc=$?; [ $rc = 0 ] || [ $rc = 77 ] || show_logs; cleanup' EXIT

# run NAME OPTS...: api and judge on the broker OPTS name; broker_stop and
# broker_start stop and start it.
run() {
	name=$1
	shift
	COMMON="$SEP_OPTS -o plugins.dir=$top_builddir/plugins-build \
 -o judge.problems_dir=$TEST_TMP/problems -o log.level=info \
 -o lang.plugins=[\"python3\"] $*"
	API_PORT=$(free_port)
	BASE="http://127.0.0.1:$API_PORT"
	DB="$TEST_TMP/$name.db"
	# shellcheck disable=SC2086
	start_bg "$ALGOCODE_BIN" serve -c "$top_builddir/conf.d/api.conf" $COMMON \
		-o store.path="$DB" -o api.jwt_secret_file="$TEST_TMP/jwt.secret" \
		-o api.listen="127.0.0.1:$API_PORT" \
		-o api.rate_burst=100000 -o api.rate_per_s=1000 \
		>>"$TEST_TMP/api-$name.log" 2>&1
	API_PID=$BG_PID
	wait_http "$BASE/api/v1/common/healthcheck/" 30 || fail "the api did not answer"
	mkdir -p "$TEST_TMP/work-$name"
	# shellcheck disable=SC2086
	start_bg "$ALGOCODE_BIN" serve -c "$top_builddir/conf.d/judge.conf" $COMMON \
		-o judge.work_dir="$TEST_TMP/work-$name" -o judge.workers=2 \
		-o judge.metrics_listen="127.0.0.1:$(free_port)" \
		>>"$TEST_TMP/judge-$name.log" 2>&1
	JUDGE_PID=$BG_PID
	: >"$TEST_TMP/tokens"
	for u in 0 1 2 3 4 5 6 7 8 9; do
		ac token -o api.jwt_secret_file="$TEST_TMP/jwt.secret" \
			--user "durable$u" >>"$TEST_TMP/tokens" || fail "algocode token failed"
	done
	out="$TEST_TMP/$name.jsonl"
	prog="$TEST_TMP/$name.progress"
	: >"$out"
	echo 0 >"$prog"
	t0=$(date +%s)
	# Paced (about 10 submissions a second in all) so that the outage
	# falls in the middle of the stream.
	DURABILITY_PACE_S=${DURABILITY_PACE_S:-1} \
		"$PY" "$top_srcdir/tests/e2e/durability_clients.py" submit "$BASE" \
		"$TEST_TMP/tokens" "$TEST_TMP/src" "$N" "$out" "$prog" &
	CLIENTS=$!
	wait_count "$prog" $((N / 3))
	echo "$name: broker stopping after $(cat "$prog") of $N submissions were answered"
	broker_stop
	echo "$name: broker stopped after $(cat "$prog") of $N submissions were answered"
	sleep "$DOWN_S"
	broker_start
	echo "$name: broker back after $DOWN_S s"
	wait "$CLIENTS" || fail "the submitting clients failed"
	"$PY" "$top_srcdir/tests/e2e/durability_clients.py" verify "$BASE" \
		"$TEST_TMP/tokens" "$out" "$DB" 180 >"$TEST_TMP/$name.verify"
	VRC=$?
	echo "--- $name: broker stopped for $DOWN_S s mid-stream ($(($(date +%s) - t0)) s):"
	sed 's/^/    /' "$TEST_TMP/$name.verify"
	echo "    api: $(grep -c 'publishing the job failed' "$TEST_TMP/api-$name.log") transport outage(s) logged; $(grep -h 'the transport is back' "$TEST_TMP/api-$name.log" | tail -1 | sed 's/.*api: //')"
	[ $VRC = 0 ] || fail "$name: a 201 without exactly one right result"
	grep -q '"503"\|^503' "$out" && fail "$name: a client was told 503 while the store was up"
	ok "$name: broker stopped $DOWN_S s mid-stream: every submission answered 201 got exactly one result with the right verdict"
	kill -TERM "$API_PID" "$JUDGE_PID"
	wait_gone "$API_PID" 30
	wait_gone "$JUDGE_PID" 60
	grep -q "Sanitizer" "$TEST_TMP/api-$name.log" "$TEST_TMP/judge-$name.log" &&
		fail "$name: a sanitizer report in the logs"
}

BROKERS=${DURABILITY_BROKERS:-nats rabbitmq}
ran=0
for b in $BROKERS; do
	case $b in
	nats)
		[ -e "$top_builddir/plugins-build/transport/nats.so" ] || {
			echo "SKIPPED: nats: transport/nats is not built"
			continue
		}
		( nats_find ) || { echo "SKIPPED: nats: no nats-server"; continue; }
		nats_start
		broker_stop() { nats_stop KILL; }
		broker_start() { nats_start; }
		run nats -o transport.plugin=nats -o transport.nats_url="$NATS_URL" \
			-o transport.ack_wait_s=10
		nats_stop
		ran=$((ran + 1))
		;;
	rabbitmq)
		[ -e "$top_builddir/plugins-build/transport/rabbitmq.so" ] || {
			echo "SKIPPED: rabbitmq: transport/rabbitmq is not built"
			continue
		}
		if ! rmq_private_start; then
			echo "SKIPPED: rabbitmq: $RMQ_WHY"
			continue
		fi
		broker_stop() { rmq_private_stop; }
		broker_start() { rmq_private_start || fail "the private RabbitMQ node did not start again: $RMQ_WHY"; }
		run rabbitmq -o transport.plugin=rabbitmq \
			-o transport.amqp_url="amqp://guest:guest@127.0.0.1:$RMQ_PORT/%2f"
		rmq_private_stop
		ran=$((ran + 1))
		;;
	esac
done
[ $ran -gt 0 ] || skip "no broker could be started here"
