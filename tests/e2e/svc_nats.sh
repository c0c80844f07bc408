# Sourced by the NATS tests (after lib.sh): a PRIVATE nats-server with
# JetStream on a free port of 127.0.0.1, its store under $TEST_TMP, started
# and stopped by pid (never a server somebody else runs).  On a machine
# without nats-server, Debian's package is installed when we are root and
# apt-get works; otherwise the test is skipped with the reason.
#
#   nats_start          start (or restart: same port, same store) the server;
#                       sets NATS_PORT, NATS_URL, NATS_PID, NATS_SD
#   nats_stop [SIGNAL]  stop it (default TERM) and wait for it

NATS_SERVER=""
NATS_PORT=""
NATS_URL=""
NATS_PID=""
NATS_SD="$TEST_TMP/nats-js"
NATS_LOG="$TEST_TMP/nats-server.log"

nats_find() {
	NATS_SERVER=$(command -v nats-server 2>/dev/null)
	[ -n "$NATS_SERVER" ] || [ ! -x /usr/sbin/nats-server ] || NATS_SERVER=/usr/sbin/nats-server
	if [ -z "$NATS_SERVER" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "installing nats-server with apt-get" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y nats-server >"$TEST_TMP/apt.log" 2>&1 ||
			skip "nats-server is not installed and apt-get could not install it (see $TEST_TMP/apt.log)"
		NATS_SERVER=$(command -v nats-server 2>/dev/null || echo /usr/sbin/nats-server)
	fi
	[ -x "$NATS_SERVER" ] || skip "nats-server is not installed (apt-get install nats-server)"
}

# nats_port_open PORT: something accepts connections on 127.0.0.1:PORT.
nats_port_open() {
	python3 -c 'import socket,sys; s=socket.socket(); s.settimeout(0.5); sys.exit(s.connect_ex(("127.0.0.1", int(sys.argv[1]))))' "$1"
}

nats_start() {
	[ -n "$NATS_SERVER" ] || nats_find
	[ -n "$NATS_PORT" ] || NATS_PORT=$(free_port)
	NATS_URL="nats://127.0.0.1:$NATS_PORT"
	start_bg "$NATS_SERVER" -a 127.0.0.1 -p "$NATS_PORT" -js -sd "$NATS_SD" >>"$NATS_LOG" 2>&1
	NATS_PID=$BG_PID
	wait_started nats-server "$NATS_PID" "$NATS_LOG" 10 \
		nats_port_open "$NATS_PORT"
}

nats_stop() {
	[ -n "$NATS_PID" ] || return 0
	stop_bg "$NATS_PID" "${1:-TERM}"
	NATS_PID=""
}
