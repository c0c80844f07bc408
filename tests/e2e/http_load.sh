#!/bin/sh
# The HTTP server of `algocode serve` under plain load and against hostile
# anonymous clients, started as root with privilege separation:
#  - /metrics only on metrics.listen (404 on the api and auth listeners);
#  - requests whose framing a proxy could read differently (two
#    Content-Length, `Transfer-Encoding :`, Transfer-Encoding with
#    Content-Length, ...) answer 400 and close;
#  - a client trickling a request is closed by the request deadline;
#  - 50 clients with `Connection: close`, then 50 keep-alive clients, on an
#    api route and on the auth listener at once (HTTP_LOAD_S seconds each,
#    20 by default): nothing refused or timed out, the server's descriptors
#    back to their baseline within 1 s of the load stopping, the log
#    bounded;
#  - 2000 idle connections from one address (127.0.0.2) while 10 clients
#    from another keep getting answers within a second; the per-address
#    cap holds, the log stays bounded;
#  - accept() failing for lack of descriptors (the server's limit lowered
#    with prlimit): the listener backs off instead of spinning, and accepts
#    again once descriptors are free.
# Prints requests/s, p99 latency and peak descriptors.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

USER_NAME=${AC_TEST_USER:-algocode}
LOAD_S=${HTTP_LOAD_S:-20}
# Bytes the log may grow by in one phase: a few lines a second at most.
LOG_MAX=${HTTP_LOAD_LOG_MAX:-65536}
CLIENT="$top_srcdir/tests/e2e/http_load.py"

[ "$(id -u)" = 0 ] || skip "needs root (serve separates privileges only when started as root)"
id "$USER_NAME" >/dev/null 2>&1 || skip "no user $USER_NAME"
for c in curl wrk python3 prlimit; do
	command -v $c >/dev/null 2>&1 || skip "$c is not installed"
done
ENV_OUT=$(ac check-env 2>&1) || skip "algocode check-env failed: $ENV_OUT"
case $ENV_OUT in
*"judging is refused"*) skip "the sandbox cannot enforce its limits here (check-env)" ;;
esac
[ "$(ulimit -n)" -ge 2200 ] || ulimit -n 4096 2>/dev/null ||
	skip "cannot open 2200 descriptors here (ulimit -n $(ulimit -n))"

cp -rL "$top_builddir/plugins-build" "$TEST_TMP/plugins"
cp -r "$top_srcdir/problems" "$TEST_TMP/problems"
chmod -R go+rX "$TEST_TMP/plugins" "$TEST_TMP/problems"
STATE="$TEST_TMP/state"
PORT=$(free_port)
APORT=$(free_port)
MPORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
ABASE="http://127.0.0.1:$APORT"
MURL="http://127.0.0.1:$MPORT/metrics"
ERRF="$TEST_TMP/serve.err"

serve_user -o lang.cpp.pch=false \
	-o api.listen=127.0.0.1:$PORT -o auth.listen=127.0.0.1:$APORT \
	-o metrics.listen=127.0.0.1:$MPORT \
	-o api.request_timeout_s=4 -o auth.request_timeout_s=4 \
	-o log.level=info 2>"$ERRF"
wait_http "$BASE/api/v1/common/healthcheck/" 60 || fail "the server did not start: $(cat "$ERRF")"
wait_http "$ABASE/api/v1/auth/user/" 10 || fail "the auth listener did not start: $(cat "$ERRF")"
[ "$(ps -o uid= -p "$SERVER" | tr -d ' ')" = "$(id -u "$USER_NAME")" ] ||
	fail "serve does not run as $USER_NAME"
grep "http: up to" "$ERRF" | sed 's/^[^ ]* [^ ]* *//'

fds() { ls "/proc/$SERVER/fd" 2>/dev/null | wc -l; }
logsize() { stat -c %s "$ERRF"; }
metric() { curl -s -m 5 "$MURL" | awk -v m="$1" '$1 == m { print $2 }'; }
# settle N: until the descriptors are at most N (1 s), else fail.
settle() {
	_i=0
	while [ "$(fds)" -gt "$1" ] && [ $_i -lt 10 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ "$(fds)" -le "$1" ] || fail "$2: $(fds) descriptors 1 s after the load, baseline $1"
}

# ------------------------------------------------------------- /metrics
code() { curl -s -o /dev/null -w '%{http_code}' -m 5 "$1"; }
[ "$(code "$BASE/metrics")" = 404 ] || fail "/metrics answered on the api listener"
[ "$(code "$ABASE/metrics")" = 404 ] || fail "/metrics answered on the auth listener"
curl -s -f -m 5 "$MURL" | grep -q '^algocode_http_requests_total{route="healthcheck"' ||
	fail "metrics.listen lacks the api's counters: $(curl -s -m 5 "$MURL" | head -5)"
ok "/metrics: 404 on the api and auth listeners, served on metrics.listen"

# ------------------------------------------------------------- framing
python3 "$CLIENT" framing "$PORT" || fail "framing (api listener)"
python3 "$CLIENT" framing "$APORT" >/dev/null || fail "framing (auth listener)"
n=$(metric algocode_http_bad_framing_total)
[ "${n:-0}" -ge 8 ] || fail "framing refusals not counted: ${n:-none}"
ok "ambiguous framing: 400 and the connection closed"

# ------------------------------------------------------------- slow client
took=$(python3 "$CLIENT" slow "$PORT" 1 8) ||
	fail "a client trickling one byte a second held its connection ${took} s (request_timeout_s 4)"
ok "a trickled request is cut off after $took s (request_timeout_s 4)"

# ------------------------------------------------------------- load
TOKEN=$(ac token -o api.jwt_secret_file="$STATE/jwt.secret" --user load) ||
	fail "algocode token failed"
cat >"$TEST_TMP/verify.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"token":"$TOKEN"}'
wrk.headers["Content-Type"] = "application/json"
LUA
curl -s -f -m 5 -H 'Content-Type: application/json' -d "{\"token\":\"$TOKEN\"}" \
	"$ABASE/api/v1/auth/token/verify/" >/dev/null || fail "token/verify does not answer 200"

# wrk_check FILE NAME: no error, no non-2xx; prints "N req/s, p99 X".
wrk_check() {
	grep -q 'Non-2xx' "$1" && fail "$2: $(grep 'Non-2xx' "$1")"
	grep -q 'Socket errors' "$1" && fail "$2: $(grep 'Socket errors' "$1")"
	_rps=$(awk '/^Requests\/sec:/ { print $2 }' "$1")
	_p99=$(awk '$1 == "99%" { print $2 }' "$1")
	_n=$(awk '/requests in/ { print $1 }' "$1")
	[ -n "$_rps" ] && [ "${_n:-0}" -gt 0 ] || fail "$2: wrk printed no figures: $(cat "$1")"
	echo "$2: $_n requests, $_rps req/s, p99 $_p99"
}

# load MODE: the api and the auth listener at once, 50 clients each.
load() {
	mode=$1
	hdr=""
	[ "$mode" = close ] && hdr="Connection: close"
	base_fds=$(fds)
	log0=$(logsize)
	echo "$base_fds" >"$TEST_TMP/peak"
	(
		while kill -0 "$SERVER" 2>/dev/null; do
			n=$(fds)
			[ "$n" -gt "$(cat "$TEST_TMP/peak")" ] && echo "$n" >"$TEST_TMP/peak"
			sleep 0.05
		done
	) &
	sampler=$!
	wrk -t1 -c50 -d"${LOAD_S}s" --timeout 2s --latency ${hdr:+-H "$hdr"} \
		"$BASE/api/v1/common/healthcheck/" >"$TEST_TMP/wrk-api-$mode" 2>&1 &
	w1=$!
	wrk -t1 -c50 -d"${LOAD_S}s" --timeout 2s --latency ${hdr:+-H "$hdr"} \
		-s "$TEST_TMP/verify.lua" \
		"$ABASE/api/v1/auth/token/verify/" >"$TEST_TMP/wrk-auth-$mode" 2>&1 &
	w2=$!
	wait "$w1" || fail "wrk ($mode, api) failed: $(cat "$TEST_TMP/wrk-api-$mode")"
	wait "$w2" || fail "wrk ($mode, auth) failed: $(cat "$TEST_TMP/wrk-auth-$mode")"
	settle "$base_fds" "$mode"
	kill "$sampler" 2>/dev/null
	wait "$sampler" 2>/dev/null
	wrk_check "$TEST_TMP/wrk-api-$mode" "$mode, api healthcheck"
	wrk_check "$TEST_TMP/wrk-auth-$mode" "$mode, auth token/verify"
	grown=$(($(logsize) - log0))
	[ "$grown" -le "$LOG_MAX" ] || fail "$mode: the log grew by $grown bytes: $(tail -5 "$ERRF")"
	echo "$mode: peak $(cat "$TEST_TMP/peak") descriptors (baseline $base_fds), back to baseline within 1 s; log +$grown bytes"
	ok "50+50 clients ($mode) for $LOAD_S s: nothing refused or timed out"
}
load close
load keepalive

# ------------------------------------------------------------- hostile
base_fds=$(fds)
log0=$(logsize)
refused0=$(metric 'algocode_http_connections_refused_total{reason="max_connections_per_ip"}')
python3 "$CLIENT" hostile "$PORT" 127.0.0.2 2000 10 8 >"$TEST_TMP/hostile" &
hpid=$!
sleep 3
open_now=$(metric algocode_http_connections)
wait "$hpid" || fail "active clients among 2000 idle connections: $(cat "$TEST_TMP/hostile")"
echo "hostile: $(cat "$TEST_TMP/hostile"); $open_now connections open 3 s in"
# The cap of 512 from one address, the 10 active clients, this scrape.
[ "${open_now:-0}" -le 530 ] || fail "the server held $open_now connections with 512 per address"
refused=$(metric 'algocode_http_connections_refused_total{reason="max_connections_per_ip"}')
[ "${refused:-0}" -gt "${refused0:-0}" ] || fail "no connection refused by the per-address cap"
grown=$(($(logsize) - log0))
[ "$grown" -le "$LOG_MAX" ] || fail "hostile: the log grew by $grown bytes: $(tail -5 "$ERRF")"
grep -q 'suppressed [0-9]* similar lines' "$ERRF" || fail "no summary of the suppressed refusals in the log"
settle "$base_fds" "hostile"
ok "2000 idle connections from one address: $open_now open at most, $((refused - ${refused0:-0})) refused, active clients answered within 1 s, log +$grown bytes"

kill -TERM "$SERVER"
wait "$SERVER" || fail "serve exited $? on SIGTERM"
BG_PIDS=""
ok "serve stopped cleanly"

# ------------------------------------------------------------- accept back-off
# A server whose descriptors run out before its connection cap (256 open
# files, a reserve of 16 for a process that needs more): accept() fails
# with EMFILE.
ERRF="$TEST_TMP/serve2.err"
SERVE_WRAP="prlimit --nofile=256:256"
serve_user -o lang.cpp.pch=false \
	-o api.listen=127.0.0.1:$PORT -o metrics.listen=127.0.0.1:$MPORT \
	-o http.fd_reserve=16 -o log.level=info 2>"$ERRF"
SERVE_WRAP=
wait_http "$BASE/api/v1/common/healthcheck/" 60 || fail "the server did not start: $(cat "$ERRF")"
log0=$(logsize)
cpu0=$(awk '{ print $14 + $15 }' "/proc/$SERVER/stat")
python3 "$CLIENT" idle "$PORT" 127.0.0.3 400 3 || fail "idle clients failed"
cpu1=$(awk '{ print $14 + $15 }' "/proc/$SERVER/stat")
wait_http "$BASE/api/v1/common/healthcheck/" 5 || fail "the server does not accept again after the descriptor shortage"
errors=$(metric algocode_http_accept_errors_total)
grep -q 'not accepting for' "$ERRF" || fail "no back-off in the log: $(tail -5 "$ERRF")"
[ "${errors:-0}" -gt 0 ] || fail "accept errors not counted"
grown=$(($(logsize) - log0))
[ "$grown" -le "$LOG_MAX" ] || fail "back-off: the log grew by $grown bytes: $(tail -5 "$ERRF")"
ticks=$((cpu1 - cpu0))
hz=$(getconf CLK_TCK)
# Spinning on accept() would burn the whole 3 s (3 * hz ticks).
[ "$ticks" -lt "$hz" ] || fail "the server used $ticks ticks of CPU in 3 s of descriptor shortage (spinning?)"
ok "accept() out of descriptors: $errors failures, the listener backed off ($ticks of $((3 * hz)) CPU ticks in 3 s, log +$grown bytes), accepts again after"

kill -TERM "$SERVER"
wait "$SERVER" || fail "serve exited $? on SIGTERM"
BG_PIDS=""
ok "serve stopped cleanly"
