#!/bin/sh
# The web console in headless Chromium against `algocode serve` started as
# root with privilege separation: static files (caching headers, CSP,
# ETag), then sign up, log in, a problem, submissions judged live (AC, WA,
# CE), runs with custom input (output, CE, 429, no runs offered), my
# submissions (tests/e2e/console_browser.py).  Screenshots are
# kept in the build directory: tests/e2e/console-artefacts/.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"

[ -x /usr/bin/chromium ] || skip "chromium is not installed (apt-get install chromium chromium-driver python3-selenium)"
[ -x /usr/bin/chromedriver ] || fail "chromium is installed but not chromium-driver (apt-get install chromium-driver)"
PY=/usr/bin/python3
"$PY" -c 'import selenium' 2>/dev/null || fail "python3-selenium is missing (chromium is installed: apt-get install python3-selenium)"
need_serve

ART="$top_builddir/tests/e2e/console-artefacts"
rm -rf "$ART"
mkdir -p "$ART"
stage_serve hello-judge
# What make install puts in the console directory: the bundle and the
# page and icon from src/.
cp -r "$top_srcdir/console/dist" "$TEST_TMP/console"
cp "$top_srcdir/console/src/index.html" "$top_srcdir/console/src/favicon.svg" "$TEST_TMP/console/"
chmod -R go+rX "$TEST_TMP/console"

serve_places
serve_user -o api.console_dir="$TEST_TMP/console" \
	-o "lang.plugins=[\"python3\"]" \
	-o api.rate_burst=100 -o api.rate_per_s=10 \
	-o api.listen=127.0.0.1:$PORT \
	-o log.level=info 2>>"$ERRF"
serve_wait

# ------------------------------------------------------ static files
H="$TEST_TMP/h"
S=$(curl -s -o "$TEST_TMP/index.html" -D "$H" -w '%{http_code}' "$BASE/")
[ "$S" = 200 ] || fail "GET /: HTTP $S"
hdr() { sed -n "s/^$1: *//Ip" "$H" | tr -d '\r'; }
case $(hdr content-type) in text/html*) ;; *) fail "GET /: Content-Type $(hdr content-type)" ;; esac
case $(hdr content-security-policy) in *"default-src 'none'"*"script-src 'self'"*) ;;
*) fail "GET /: Content-Security-Policy: $(hdr content-security-policy)" ;; esac
case $(hdr cache-control) in no-cache*) ;; *) fail "GET /: Cache-Control $(hdr cache-control)" ;; esac
N=$(hdr content-security-policy | sed -n "s/.*'nonce-\([^']*\)'.*/\1/p")
[ -n "$N" ] && grep -q "content=\"$N\"" "$TEST_TMP/index.html" || fail "GET /: the page does not carry its CSP nonce"
curl -s -D "$TEST_TMP/h2" -o /dev/null "$BASE/"
grep -qi "nonce-$N" "$TEST_TMP/h2" && fail "two pages got the same nonce"
[ "$(hdr x-content-type-options)" = nosniff ] || fail "GET /: no nosniff"
grep -q 'src="app.js"' "$TEST_TMP/index.html" || fail "index.html does not load app.js"
if grep -Eq '(src|href)="(https?:)?//' "$TEST_TMP/index.html" "$TEST_TMP/console/app.css"; then
	fail "the console loads something from another origin"
fi
S=$(curl -s -o /dev/null -D "$H" -w '%{http_code}' "$BASE/app.js")
[ "$S" = 200 ] || fail "GET /app.js: HTTP $S"
case $(hdr content-type) in text/javascript*) ;; *) fail "app.js Content-Type $(hdr content-type)" ;; esac
case $(hdr cache-control) in *max-age=*) ;; *) fail "app.js Cache-Control $(hdr cache-control)" ;; esac
ETAG=$(hdr etag)
[ -n "$ETAG" ] || fail "app.js has no ETag"
S=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $ETAG" "$BASE/app.js")
[ "$S" = 304 ] || fail "app.js with its ETag: HTTP $S, expected 304"
for p in /../etc/passwd /nope.js /%2e%2e/jwt.secret /api/v1/nope; do
	S=$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "$BASE$p")
	[ "$S" = 404 ] || fail "GET $p: HTTP $S, expected 404"
done
S=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$BASE/")
[ "$S" = 404 ] || [ "$S" = 405 ] || fail "POST /: HTTP $S"
ok "static files: CSP, caching headers, ETag 304, nothing else served"
# The console offers Run where OPTIONS on the run route answers 200
# (docs/console.md); a route the server lacks answers 404.
S=$(curl -s -o /dev/null -w '%{http_code}' -X OPTIONS "$BASE/api/v1/code/run/")
[ "$S" = 200 ] || fail "OPTIONS /api/v1/code/run/: HTTP $S, expected 200 (the console's probe)"
S=$(curl -s -o /dev/null -w '%{http_code}' -X OPTIONS "$BASE/api/v1/code/nope/")
[ "$S" = 404 ] || fail "OPTIONS on an unknown route: HTTP $S, expected 404"
ok "the console's probe: OPTIONS on the run route 200, on an unknown route 404"

# ------------------------------------------------------------ browser
"$PY" "$top_srcdir/tests/e2e/console_browser.py" "$BASE" hello-judge "$ART" "$TEST_TMP" ||
	fail "browser test failed (screenshots in $ART; server log: $(tail -5 "$ERRF"))"
ls "$ART"/*.png >/dev/null 2>&1 || fail "no screenshots saved"
ok "screenshots in $ART: $(ls "$ART" | tr '\n' ' ')"
kill -0 "$SERVER" 2>/dev/null || fail "the server died"
