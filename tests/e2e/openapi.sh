#!/bin/sh
# docs/openapi.json against a real server, and `algocode submit` against
# the same server.  `algocode serve` runs as root with -o user=algocode
# (privilege separation as in production).
#
# 1. tests/e2e/openapi_check.py: registration, login, tokens, problems,
#    languages, health, ready, version, submit, result check and stream,
#    run, submissions list and errors (400, 401, 404, 405, 413, 429): every
#    status must be documented for its route, every JSON body must match
#    the documented schema, every documented route must be exercised; the
#    document served at /api/v1/openapi.json is the installed file.
# 2. algocode submit: Accepted (exit 0, problem from the file name, one
#    line per test), two files, Wrong Answer and Compilation Error (exit 1),
#    --json, polling when the stream is refused, a path prefix,
#    login by e-mail and password, an unknown extension, a bad token, a
#    server that is not there, throttling (exit 2).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

need_separation
need_python
need_judging

# The committed document is what scripts/openapi.py writes.
"$PY" "$top_srcdir/scripts/openapi.py" | cmp -s - "$top_srcdir/docs/openapi.json" ||
	fail "docs/openapi.json differs from what scripts/openapi.py writes: run it"
ok "docs/openapi.json is scripts/openapi.py's output"

mkdir -p "$TEST_TMP/problems" "$TEST_TMP/src"
cp -rL "$top_builddir/plugins-build" "$TEST_TMP/plugins"
cp -r "$top_srcdir/problems/hello-judge" "$TEST_TMP/problems/"
cp "$top_srcdir/docs/openapi.json" "$TEST_TMP/openapi.json"
chmod -R go+rX "$TEST_TMP/plugins" "$TEST_TMP/problems" "$TEST_TMP/openapi.json"
HJ="$top_srcdir/problems/hello-judge/submissions"

serve_places
# A bucket of 4 submissions per user and almost no refill: the check
# script's fifth submission is answered 429.
serve_separated -o api.openapi_file="$TEST_TMP/openapi.json" \
	-o api.rate_burst=4 -o api.rate_per_s=0.001
tok() { ac token -o api.jwt_secret_file="$STATE/jwt.secret" --user "$1"; }
T1=$(tok oa-checker) && ALICE=$(tok alice) && BOB=$(tok bob) ||
	fail "algocode token failed"

# ------------------------------------------------------------ 1. OpenAPI
"$PY" "$top_srcdir/tests/e2e/openapi_check.py" "$top_srcdir/docs/openapi.json" \
	"$BASE" "$T1" hello-judge "$HJ/accepted/input_line.py" ||
	fail "the server's answers do not match docs/openapi.json"
ok "every answer matches docs/openapi.json"

# ---------------------------------------------------- 2. algocode submit
OUT="$TEST_TMP/out"
ERR="$TEST_TMP/err"
# sub TOKEN ARGS...: run algocode submit, RC its exit status.
sub() {
	_t=$1
	shift
	ALGOCODE_TOKEN=$_t "$ALGOCODE_BIN" submit --server "$BASE" "$@" >"$OUT" 2>"$ERR"
	RC=$?
}
cp "$HJ/accepted/input_line.py" "$TEST_TMP/src/hello-judge.py"
sub "$ALICE" "$TEST_TMP/src/hello-judge.py"
[ $RC = 0 ] || fail "submit AC: exit $RC: $(cat "$OUT" "$ERR")"
N=$(sed -n 's|^test 1/\([0-9]*\) sample/01: AC.*|\1|p' "$OUT")
[ -n "$N" ] && [ "$(grep -c '^test [0-9]*/[0-9]* .*: AC' "$OUT")" = "$N" ] ||
	fail "submit AC: not one line per test: $(cat "$OUT")"
grep -q '^verdict: Accepted (AC)' "$OUT" || fail "submit AC: no verdict line: $(cat "$OUT")"
ok "submit: Accepted exits 0, the problem taken from the file name, one line per test"

printf 'print("Hello, Judge")\n' >"$TEST_TMP/src/wa.py"
sub "$ALICE" --problem hello-judge --json "$TEST_TMP/src/wa.py"
[ $RC = 1 ] || fail "submit WA: exit $RC: $(cat "$OUT" "$ERR")"
"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["verdict_code"]=="WA", d' "$OUT" ||
	fail "submit --json: not the WA result document: $(cat "$OUT")"
grep -q '^verdict: Wrong Answer (WA)' "$ERR" || fail "submit --json: no verdict on stderr: $(cat "$ERR")"
ok "submit: Wrong Answer exits 1, --json prints the result document"

# Login by e-mail and password (the account openapi_check.py registered).
ALGOCODE_EMAIL=oa@example.com ALGOCODE_PASSWORD=violet-harbor-93 \
	"$ALGOCODE_BIN" submit --server "$BASE" --problem hello-judge \
	"$HJ/compile_error/unclosed_paren.py" >"$OUT" 2>"$ERR"
RC=$?
[ $RC = 1 ] || fail "submit CE: exit $RC: $(cat "$OUT" "$ERR")"
grep -q '^verdict: Compilation Error (CE)' "$OUT" || fail "submit CE: $(cat "$OUT")"
ok "submit: Compilation Error exits 1 (logged in by e-mail and password)"

cp "$HJ/accepted/input_line.py" "$TEST_TMP/src/hello-judge.rb"
sub "$BOB" "$TEST_TMP/src/hello-judge.rb"
[ $RC = 2 ] && grep -q 'unknown extension .rb' "$ERR" ||
	fail "submit .rb: exit $RC: $(cat "$ERR")"
ok "submit: an unknown extension without --lang exits 2: $(cat "$ERR")"

sub "not-a-token" "$TEST_TMP/src/hello-judge.py"
[ $RC = 2 ] && grep -q 'HTTP 401' "$ERR" && [ "$(wc -l <"$ERR")" = 1 ] ||
	fail "submit with a bad token: exit $RC: $(cat "$ERR")"
ok "submit: a bad token exits 2 with one line: $(cat "$ERR")"

sub "$BOB" --problem no-such-problem "$TEST_TMP/src/hello-judge.py"
[ $RC = 2 ] && grep -q 'HTTP 400.*not valid' "$ERR" ||
	fail "submit unknown problem: exit $RC: $(cat "$ERR")"
ok "submit: an unknown problem exits 2: $(cat "$ERR")"

# Behind a proxy under a path prefix that refuses the stream (503): the
# client polls result/check instead.
cat >"$TEST_TMP/proxy.py" <<'PYEOF'
import http.client, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
UP = int(sys.argv[2])
class H(BaseHTTPRequestHandler):
    def any(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = self.path[len("/judge"):] if self.path.startswith("/judge/") else None
        if path is None or "/result/stream/" in path:
            st, hdrs, out = (404 if path is None else 503), [], b'{"detail":"no"}'
        else:
            c = http.client.HTTPConnection("127.0.0.1", UP, timeout=60)
            c.request(self.command, path, body or None,
                      {k: v for k, v in self.headers.items() if k.lower() != "host"})
            r = c.getresponse()
            st, out = r.status, r.read()
            hdrs = [(k, v) for k, v in r.getheaders() if k.lower() in ("retry-after",)]
        self.send_response(st)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        for k, v in hdrs:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(out)
    do_GET = do_POST = any
    def log_message(self, *a):
        pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PYEOF
PPORT=$(free_port)
start_bg "$PY" "$TEST_TMP/proxy.py" "$PPORT" "$PORT"
wait_http "http://127.0.0.1:$PPORT/judge/api/v1/common/healthcheck/" 20 ||
	fail "the test proxy did not start"
ALGOCODE_TOKEN=$BOB "$ALGOCODE_BIN" submit --server "http://127.0.0.1:$PPORT/judge/" \
	--lang python3 --problem hello-judge "$TEST_TMP/src/hello-judge.rb" >"$OUT" 2>"$ERR"
RC=$?
[ $RC = 0 ] && [ "$(grep -c '^test [0-9]*/[0-9]* .*: AC' "$OUT")" = "$N" ] &&
	! grep -q '^compile:' "$OUT" ||
	fail "submit through a proxy without the stream: exit $RC: $(cat "$OUT" "$ERR")"
ok "submit: a path prefix, --lang, and polling when the stream is refused"

# Several files: sent as "files", compiled together (main.py imports
# helper.py).
mkdir -p "$TEST_TMP/multi"
printf 'def greet(name):\n    return f"Hello, {name}!"\n' >"$TEST_TMP/multi/helper.py"
printf 'from helper import greet\nprint(greet(input()))\n' >"$TEST_TMP/multi/main.py"
sub "$BOB" --problem hello-judge "$TEST_TMP/multi/main.py" "$TEST_TMP/multi/helper.py"
[ $RC = 0 ] || fail "submit of two files: exit $RC: $(cat "$OUT" "$ERR")"
ok "submit: two files are one submission (Accepted)"

DEAD=$(free_port)
ALGOCODE_TOKEN=$BOB "$ALGOCODE_BIN" submit --server "http://127.0.0.1:$DEAD" \
	"$TEST_TMP/src/hello-judge.py" >"$OUT" 2>"$ERR"
RC=$?
[ $RC = 2 ] && grep -q 'cannot connect' "$ERR" ||
	fail "submit to no server: exit $RC: $(cat "$ERR")"
ok "submit: no server exits 2: $(cat "$ERR")"

# alice's bucket (4) held two submissions: two more pass, then 429.
sub "$ALICE" "$TEST_TMP/src/hello-judge.py"
sub "$ALICE" "$TEST_TMP/src/hello-judge.py"
sub "$ALICE" "$TEST_TMP/src/hello-judge.py"
[ $RC = 2 ] && grep -q 'HTTP 429.*Retry after [0-9]* s' "$ERR" ||
	fail "submit throttled: exit $RC: $(cat "$ERR")"
ok "submit: throttled exits 2: $(cat "$ERR")"
