# RabbitMQ for the end-to-end tests (sourced after lib.sh).
#
#   rmq_ensure_main      the broker on 127.0.0.1:5672: reuse it when it
#                        answers; else install rabbitmq-server (apt) if
#                        missing and start it as docs/../services.md shows.
#                        Sets RMQ_MAIN_NODE.  Returns 1 (with RMQ_WHY) when
#                        no broker can be had.
#   rmq_ctl NODE ARGS... rabbitmqctl against NODE (quiet)
#   rmq_vhost_add NAME / rmq_vhost_del NAME
#                        a private vhost on the main broker for guest
#   rmq_private_start    a PRIVATE second node (algotest-$$@localhost) on a
#                        free port, state under $TEST_TMP; sets RMQ_PORT,
#                        RMQ_NODE.  7-11 s.  Returns 1 with RMQ_WHY.
#   rmq_private_prepare  only choose RMQ_PORT (and write the node's config)
#   rmq_private_stop     stop it (rmq_private_start starts it again: same
#                        port, same state)
#
# Only 127.0.0.1 is ever used.  A node this file started is stopped at exit
# (rmq_cleanup is chained into lib.sh's cleanup); a broker that was already
# running is left alone.

RMQ_MAIN_NODE=""
RMQ_NODE=""
RMQ_PORT=""
RMQ_WHY=""
RMQ_STARTED_MAIN=""
RMQ_VHOSTS=""

rmq_ctl() {
	_node=$1
	shift
	timeout 60 rabbitmqctl -q -n "$_node" "$@"
}

# rmq_port_open PORT: something accepts TCP connections there.
rmq_port_open() {
	python3 - "$1" <<'EOF'
import socket, sys
s = socket.socket()
s.settimeout(1)
try:
    s.connect(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
EOF
}

rmq_ensure_main() {
	if rmq_port_open 5672; then
		for n in rabbit@localhost "rabbit@$(hostname -s)"; do
			if rmq_ctl "$n" status >/dev/null 2>&1; then
				RMQ_MAIN_NODE=$n
				return 0
			fi
		done
		# Answers, but rabbitmqctl cannot reach it: still usable
		# for traffic; private vhosts are not available.
		RMQ_MAIN_NODE=""
		return 0
	fi
	if ! command -v rabbitmq-server >/dev/null 2>&1; then
		if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
			echo "installing rabbitmq-server (apt)" >&2
			DEBIAN_FRONTEND=noninteractive apt-get install -y \
				rabbitmq-server >"$TEST_TMP/apt.log" 2>&1 || {
				RMQ_WHY="apt-get install rabbitmq-server failed (see $TEST_TMP/apt.log)"
				return 1
			}
		else
			RMQ_WHY="rabbitmq-server is not installed and cannot be installed here (not root or no apt)"
			return 1
		fi
	fi
	echo "starting RabbitMQ on 127.0.0.1:5672" >&2
	RABBITMQ_NODENAME=rabbit@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
		ERL_EPMD_ADDRESS=127.0.0.1 rabbitmq-server -detached \
		>"$TEST_TMP/rmq-main.log" 2>&1
	if ! rmq_await rabbit@localhost "$TEST_TMP/rmq-main.log"; then
		RMQ_WHY="rabbitmq-server did not start (see $TEST_TMP/rmq-main.log)"
		return 1
	fi
	RMQ_MAIN_NODE=rabbit@localhost
	RMQ_STARTED_MAIN=1
	return 0
}

# rmq_await NODE LOG: until NODE has started (await_startup, its output
# added to LOG), tried 30 times half a second apart; 1 if it never did.
rmq_await() {
	_t=0
	until rmq_ctl "$1" await_startup --timeout 60 >>"$2" 2>&1; do
		_t=$((_t + 1))
		[ "$_t" -lt 30 ] || return 1
		sleep 0.5
	done
}

rmq_vhost_add() {
	[ -n "$RMQ_MAIN_NODE" ] || return 1
	rmq_ctl "$RMQ_MAIN_NODE" add_vhost "$1" >/dev/null 2>&1 || return 1
	RMQ_VHOSTS="$RMQ_VHOSTS $1"
	rmq_ctl "$RMQ_MAIN_NODE" set_permissions -p "$1" guest '.*' '.*' '.*' \
		>/dev/null 2>&1
}

rmq_vhost_del() {
	rmq_ctl "$RMQ_MAIN_NODE" delete_vhost "$1" >/dev/null 2>&1
}

# rmq_private_prepare: choose the private node's ports and write its
# configuration (once; rmq_private_start does it if needed), so that a test
# can point processes at RMQ_PORT before the node runs.
rmq_private_prepare() {
	RMQ_DIR="$TEST_TMP/rmq-private"
	RMQ_NODE="algotest-$$@localhost"
	if [ -z "$RMQ_PORT" ]; then
		RMQ_PORT=$(free_port)
		RMQ_DIST_PORT=$(free_port)
		mkdir -p "$RMQ_DIR/mnesia" "$RMQ_DIR/log"
		# Our own config: the system one may pin the listener to 5672.
		printf 'listeners.tcp.local = 127.0.0.1:%s\nloopback_users = none\n' \
			"$RMQ_PORT" >"$RMQ_DIR/rabbitmq.conf"
		: >"$RMQ_DIR/enabled_plugins.erl"
		printf '[].\n' >"$RMQ_DIR/enabled_plugins.erl"
		: >"$RMQ_DIR/env.conf"
		if id rabbitmq >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
			chown -R rabbitmq: "$RMQ_DIR"
		fi
	fi
}

rmq_private_start() {
	rmq_private_prepare
	if ! command -v rabbitmq-server >/dev/null 2>&1; then
		RMQ_WHY="rabbitmq-server is not installed"
		return 1
	fi
	env RABBITMQ_NODENAME="$RMQ_NODE" \
		RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
		RABBITMQ_NODE_PORT="$RMQ_PORT" \
		RABBITMQ_DIST_PORT="$RMQ_DIST_PORT" \
		RABBITMQ_CONFIG_FILE="$RMQ_DIR/rabbitmq.conf" \
		RABBITMQ_CONF_ENV_FILE="$RMQ_DIR/env.conf" \
		RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ_DIR/enabled_plugins.erl" \
		RABBITMQ_MNESIA_BASE="$RMQ_DIR/mnesia" \
		RABBITMQ_LOG_BASE="$RMQ_DIR/log" \
		RABBITMQ_PID_FILE="$RMQ_DIR/pid" \
		ERL_EPMD_ADDRESS=127.0.0.1 \
		rabbitmq-server -detached >>"$RMQ_DIR/start.log" 2>&1
	# -detached returns before the node registers with epmd, and
	# await_startup gives up on a node it cannot see yet.
	if ! rmq_await "$RMQ_NODE" "$RMQ_DIR/start.log"; then
		RMQ_WHY="the private node $RMQ_NODE did not start (see $RMQ_DIR/start.log and $RMQ_DIR/log)"
		RMQ_NODE_STARTED=1 # it may be half up: try to stop it
		return 1
	fi
	RMQ_NODE_STARTED=1
	rmq_port_open "$RMQ_PORT" || {
		RMQ_WHY="the private node does not listen on 127.0.0.1:$RMQ_PORT"
		return 1
	}
	return 0
}

rmq_private_stop() {
	[ -n "$RMQ_NODE_STARTED" ] || return 0
	rmq_ctl "$RMQ_NODE" stop >/dev/null 2>&1
	RMQ_NODE_STARTED=""
}

rmq_cleanup() {
	rmq_private_stop
	for v in $RMQ_VHOSTS; do
		rmq_vhost_del "$v"
	done
	if [ -n "$RMQ_STARTED_MAIN" ]; then
		rmq_ctl rabbit@localhost stop >/dev/null 2>&1
	fi
}

# Chain into lib.sh's EXIT trap.
rmq_exit() {
	rmq_cleanup
	cleanup
}
trap rmq_exit EXIT
