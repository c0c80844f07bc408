#!/bin/sh
# The committed console bundle (console/dist) is the build of its source
# (console/src with the packages pinned by package-lock.json): rebuilt in a
# temporary directory and compared byte for byte (docs/console.md).  Needs
# node and npm (the registry, unless console/node_modules is installed
# already); skipped without them: packagers without npm install dist/ as
# committed.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/e2e/lib.sh"

C="$top_srcdir/console"
command -v node >/dev/null 2>&1 || skip "node is not installed (apt-get install nodejs npm)"
NM="$C/node_modules"
if [ ! -x "$NM/.bin/esbuild" ]; then
	command -v npm >/dev/null 2>&1 || skip "npm is not installed (apt-get install npm)"
	cp "$C/package.json" "$C/package-lock.json" "$TEST_TMP/"
	(cd "$TEST_TMP" && npm ci --no-audit --no-fund --loglevel=error) >"$TEST_TMP/npm.log" 2>&1 ||
		skip "npm ci failed (no registry?): $(tail -3 "$TEST_TMP/npm.log")"
	NM="$TEST_TMP/node_modules"
fi
# build.mjs imports esbuild: resolve it from NM.
cp "$C/build.mjs" "$TEST_TMP/build.mjs"
mkdir -p "$TEST_TMP/src" "$TEST_TMP/dist"
cp "$C"/src/* "$TEST_TMP/src/"
cp "$C"/dist/* "$TEST_TMP/dist/"
[ -e "$TEST_TMP/node_modules" ] || ln -s "$NM" "$TEST_TMP/node_modules"
(cd "$TEST_TMP" && node build.mjs --check) || fail "console/dist does not match console/src: run 'npm ci && npm run build' in console/ and commit dist/"
ok "console/dist is the build of console/src"
