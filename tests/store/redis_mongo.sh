#!/bin/bash
# Store conformance suite (tests/store/check_store.c) against
# store/redis_mongo, twice: with Redis (the cache and the Lua rate buckets)
# and with Redis unreachable (MongoDB alone, rate buckets in MongoDB).
# Real servers: see tests/e2e/svc_redis.sh and svc_mongo.sh.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/svc_redis.sh"
. "$top_srcdir/tests/e2e/svc_mongo.sh"

[ -x "$top_builddir/tests/store/check_store" ] ||
	skip "tests/store/check_store was not built (Check is not installed)"
[ -e "$top_builddir/plugins-build/store/redis_mongo.so" ] ||
	skip "store/redis_mongo is not built (configure: libhiredis-dev and libmongoc-dev missing)"
svc_redis
svc_mongo
echo "MongoDB: $MONGO_KIND on port $MONGO_PORT; Redis on port $REDIS_PORT"
prefix="algocode-test-$$:"

AC_STORE_CONF="mongo=$MONGO_URL;redis=$REDIS_URL;prefix=$prefix" \
	"$top_builddir/tests/store/check_store" redis_mongo ||
	fail "conformance suite failed against redis_mongo (with Redis)"
ok "store conformance: redis_mongo with Redis"

# The cache really is Redis: results were written there (with a TTL).
n=$(redis_cmd --scan --pattern "${prefix}result:*" | wc -l)
[ "$n" -gt 0 ] || fail "no cached result in Redis under ${prefix}result:*"
k=$(redis_cmd --scan --pattern "${prefix}result:*" | head -1)
ttl=$(redis_cmd ttl "$k")
[ "$ttl" -gt 0 ] && [ "$ttl" -le 3600 ] || fail "cached result $k has TTL $ttl"
ok "$n results cached in Redis, TTL $ttl s"
redis_cmd --scan --pattern "${prefix}*" | xargs -r -n 100 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" del >/dev/null

dead=$(free_port)
AC_STORE_CONF="mongo=${MONGO_URL}_noredis;redis=redis://127.0.0.1:$dead;prefix=$prefix" \
	"$top_builddir/tests/store/check_store" redis_mongo ||
	fail "conformance suite failed against redis_mongo (Redis unreachable)"
ok "store conformance: redis_mongo with Redis down (MongoDB alone)"
