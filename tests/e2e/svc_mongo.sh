# A MongoDB-compatible server for tests (sourced after lib.sh).
#
#   svc_mongo [private]   sets MONGO_PORT and MONGO_URL (a database of its
#                         own, so runs never share data) and MONGO_KIND.
#                         Without `private`, a server answering on
#                         127.0.0.1:27017 is reused.  Otherwise it starts, on
#                         a free port under $TEST_TMP: a real `mongod` when one
#                         is on PATH, else FerretDB with its SQLite handler.
#   svc_mongo_stop [SIG]  stop the server this test started (SIGTERM, or
#                         SIG, e.g. KILL for a crash: FerretDB's graceful
#                         stop serves open connections for a while)
#   svc_mongo_start_again start it again, same port and data
#
# FerretDB v1.24.2 is built once from the Go module proxy into
# $ALGOCODE_TEST_CACHE/bin (default /var/cache/algocode-test/bin, outside
# the source tree) and reused.  It needs Go >= 1.24: /usr/local/go/bin/go or
# a `go` on PATH (Debian 12's golang-go is 1.19: too old).  When no server
# can be had the test says SKIPPED with the reason.

FERRETDB_VERSION=v1.24.2
: "${ALGOCODE_TEST_CACHE:=/var/cache/algocode-test}"
MONGO_PID=""
MONGO_OWNED=""
MONGO_KIND=""

# port_open PORT: something accepts connections on 127.0.0.1:PORT.
port_open() {
	python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$1" 2>/dev/null
}

# The Go toolchain able to build FerretDB, or nothing.
find_go() {
	for _g in "${GO:-}" /usr/local/go/bin/go "$(command -v go 2>/dev/null)"; do
		[ -n "$_g" ] && [ -x "$_g" ] || continue
		_v=$("$_g" env GOVERSION 2>/dev/null | sed 's/^go//')
		_maj=${_v%%.*}
		_min=${_v#*.}
		_min=${_min%%.*}
		if [ "${_maj:-0}" -gt 1 ] 2>/dev/null ||
			{ [ "${_maj:-0}" -eq 1 ] && [ "${_min:-0}" -ge 24 ]; } 2>/dev/null; then
			echo "$_g"
			return 0
		fi
	done
	return 1
}

# Build FerretDB into the cache (once; concurrent tests wait on a lock).
# `go install ...@version` would build it too, but without the generated
# build/version/version.txt the binary panics at start, so the module
# source is copied and the file written.
ferretdb_bin() {
	_bin="$ALGOCODE_TEST_CACHE/bin/ferretdb"
	if [ -x "$_bin" ] && [ "$(cat "$_bin.version" 2>/dev/null)" = "$FERRETDB_VERSION" ]; then
		echo "$_bin"
		return 0
	fi
	_go=$(find_go) || return 1
	mkdir -p "$ALGOCODE_TEST_CACHE/bin" || return 1
	(
		flock 9
		if [ -x "$_bin" ] && [ "$(cat "$_bin.version" 2>/dev/null)" = "$FERRETDB_VERSION" ]; then
			exit 0
		fi
		echo "building FerretDB $FERRETDB_VERSION with $_go (once; a few minutes)" >&2
		_src=$(mktemp -d "${TMPDIR:-/tmp}/ferretdb-src.XXXXXX")
		_mod=$("$_go" env GOMODCACHE)
		(cd "$_src" && "$_go" mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" >/dev/null) &&
			cp -r "$_mod/github.com/!ferret!d!b/!ferret!d!b@$FERRETDB_VERSION/." "$_src/fdb" &&
			chmod -R u+w "$_src/fdb" &&
			echo "$FERRETDB_VERSION" >"$_src/fdb/build/version/version.txt" &&
			(cd "$_src/fdb" && "$_go" build -trimpath -o "$_bin.tmp" ./cmd/ferretdb) &&
			mv "$_bin.tmp" "$_bin" && echo "$FERRETDB_VERSION" >"$_bin.version"
		_rc=$?
		rm -rf "$_src"
		exit $_rc
	) 9>"$ALGOCODE_TEST_CACHE/ferretdb.lock" >&2 || return 1
	echo "$_bin"
}

svc_mongo_start_again() {
	[ -n "$MONGO_OWNED" ] || fail "svc_mongo_start_again: not our server"
	mkdir -p "$TEST_TMP/mongo/data" "$TEST_TMP/mongo/state"
	if [ "$MONGO_KIND" = mongod ]; then
		start_bg mongod --bind_ip 127.0.0.1 --port "$MONGO_PORT" \
			--dbpath "$TEST_TMP/mongo/data" --quiet \
			--logpath "$TEST_TMP/mongo/server.log" --logappend
	else
		start_bg "$FERRETDB_BIN" --handler=sqlite \
			--sqlite-url="file:$TEST_TMP/mongo/data/" \
			--listen-addr="127.0.0.1:$MONGO_PORT" --telemetry=disable \
			--debug-addr=- \
			--state-dir="$TEST_TMP/mongo/state" --log-level=error \
			>>"$TEST_TMP/mongo/server.log" 2>&1
	fi
	MONGO_PID=$BG_PID
	wait_started "$MONGO_KIND" "$MONGO_PID" "$TEST_TMP/mongo/server.log" 15 \
		port_open "$MONGO_PORT"
}

svc_mongo_stop() {
	[ -n "$MONGO_OWNED" ] || fail "svc_mongo_stop: refusing to stop a server this test did not start"
	stop_bg "$MONGO_PID" "${1:-TERM}"
	MONGO_PID=""
}

svc_mongo() {
	_db="algocode_test_$$_$(date +%s)"
	if [ "${1:-}" != private ] && port_open 27017; then
		MONGO_PORT=27017
		MONGO_KIND=reused
	else
		if command -v mongod >/dev/null 2>&1; then
			MONGO_KIND=mongod
		else
			FERRETDB_BIN=$(ferretdb_bin) ||
				skip "no MongoDB-compatible server: no mongod on PATH, no FerretDB in $ALGOCODE_TEST_CACHE/bin, and no Go >= 1.24 to build it (Debian's golang-go 1.19 is too old; install Go at /usr/local/go)"
			MONGO_KIND=ferretdb
		fi
		MONGO_PORT=$(free_port)
		MONGO_OWNED=1
		svc_mongo_start_again
	fi
	MONGO_URL="mongodb://127.0.0.1:$MONGO_PORT/$_db"
}
