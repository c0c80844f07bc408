#!/bin/sh
# Store conformance suite (tests/store/check_store.c) against store/sqlite.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

[ -x "$top_builddir/tests/store/check_store" ] ||
	skip "tests/store/check_store was not built (Check is not installed)"
[ -e "$top_builddir/plugins-build/store/sqlite.so" ] ||
	skip "store/sqlite is not built (configure: libsqlite3-dev missing)"
AC_STORE_CONF="path=$TEST_TMP/store.db" \
	"$top_builddir/tests/store/check_store" sqlite || fail "conformance suite failed against sqlite"
ok "store conformance: sqlite"
