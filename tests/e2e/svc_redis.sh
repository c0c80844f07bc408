# Redis for tests (sourced after lib.sh).
#
#   svc_redis [private]   sets REDIS_PORT and REDIS_URL: reuses a Redis that
#                         answers on 127.0.0.1:6379, or (always with
#                         `private`) starts redis-server on a free port under
#                         $TEST_TMP, which lib.sh's cleanup stops (by pid).
#   svc_redis_stop        stop the Redis this test started (SIGTERM, wait)
#   svc_redis_start_again start it again on the same port
#   redis_cmd ARGS...     redis-cli against it
#
# Skips (exit 77 with the reason) when a private Redis is needed and
# redis-server is not installed (Debian: apt-get install redis-server).

REDIS_PID=""
REDIS_OWNED=""

redis_cmd() {
	redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"
}

redis_answers() {
	[ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]
}

svc_redis_start_again() {
	[ -n "$REDIS_OWNED" ] || fail "svc_redis_start_again: not our Redis"
	mkdir -p "$TEST_TMP/redis"
	start_bg redis-server --bind 127.0.0.1 --port "$REDIS_PORT" \
		--save '' --appendonly no --dir "$TEST_TMP/redis" \
		--logfile "$TEST_TMP/redis/redis.log"
	REDIS_PID=$BG_PID
	wait_started redis-server "$REDIS_PID" "$TEST_TMP/redis/redis.log" 5 \
		redis_answers "$REDIS_PORT"
}

svc_redis_stop() {
	[ -n "$REDIS_OWNED" ] || fail "svc_redis_stop: refusing to stop a Redis this test did not start"
	stop_bg "$REDIS_PID"
	REDIS_PID=""
}

svc_redis() {
	command -v redis-cli >/dev/null 2>&1 ||
		skip "redis-cli is not installed (apt-get install redis-server)"
	if [ "${1:-}" != private ] && redis_answers 6379; then
		REDIS_PORT=6379
	else
		command -v redis-server >/dev/null 2>&1 ||
			skip "redis-server is not installed (apt-get install redis-server)"
		REDIS_PORT=$(free_port)
		REDIS_OWNED=1
		svc_redis_start_again
	fi
	REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
}
