# Sourced by the docker sandbox tests (after lib.sh): a PRIVATE dockerd
# started as docs/sandbox-docker.md and /work/shared/services.md show, by
# pid, stopped at the end.  Its data root (images) is cached outside the
# source tree, in $ALGOCODE_DOCKER_CACHE (default
# /var/cache/algocode-test/docker), so the judge image is built once; a
# lock on the cache serialises the tests that use it (one daemon per data
# root).  Where dockerd is missing, Debian's docker.io is installed when we
# are root and apt-get works; otherwise the test is skipped with the reason.
#
#   docker_start   start the daemon (sets DOCKER_SOCK, DOCKER_HOST,
#                  DOCKERD_PID) and build the judge image if absent;
#                  skips the test when that is impossible
#   docker_try_start  the same, returning 1 with DOCKER_WHY instead
#   docker_stop    stop it (all containers of the test go with it)
#   dapi PATH [curl options]: call the Engine API (curl over the socket)

: "${ALGOCODE_DOCKER_CACHE:=/var/cache/algocode-test/docker}"
DOCKER_SOCK="$TEST_TMP/docker.sock"
DOCKERD_PID=""
DOCKERD_LOG="$TEST_TMP/dockerd.log"
DOCKER_IMAGE=${DOCKER_IMAGE:-algocode-judge:latest}

# docker_try_start: 0 when the daemon runs (and the image exists), else 1
# with the reason in DOCKER_WHY (for callers that carry on without it).
docker_try_start() {
	DOCKER_WHY=""
	[ "$(id -u)" = 0 ] || { DOCKER_WHY="a private dockerd needs root"; return 1; }
	command -v curl >/dev/null 2>&1 || { DOCKER_WHY="curl is needed to talk to dockerd in the tests"; return 1; }
	DOCKERD=$(command -v dockerd 2>/dev/null)
	[ -n "$DOCKERD" ] || [ ! -x /usr/sbin/dockerd ] || DOCKERD=/usr/sbin/dockerd
	if [ -z "$DOCKERD" ] && command -v apt-get >/dev/null 2>&1; then
		echo "installing docker.io with apt-get" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
			docker.io >"$TEST_TMP/apt.log" 2>&1 ||
			{ DOCKER_WHY="dockerd is missing and apt-get could not install docker.io (see $TEST_TMP/apt.log)"; return 1; }
		DOCKERD=$(command -v dockerd 2>/dev/null || echo /usr/sbin/dockerd)
	fi
	[ -x "$DOCKERD" ] || { DOCKER_WHY="dockerd is not installed (apt-get install docker.io)"; return 1; }
	mkdir -p "$ALGOCODE_DOCKER_CACHE" || { DOCKER_WHY="cannot create $ALGOCODE_DOCKER_CACHE"; return 1; }
	# One daemon per data root: wait for other tests using the cache.
	exec 9>"$ALGOCODE_DOCKER_CACHE.lock"
	flock -w 1800 9 || { DOCKER_WHY="the docker cache stayed locked for 30 minutes"; return 1; }
	"$DOCKERD" --bridge=none --iptables=false --ip6tables=false \
		--ip-forward=false --data-root "$ALGOCODE_DOCKER_CACHE/root" \
		--exec-root "$TEST_TMP/dexec" -H "unix://$DOCKER_SOCK" \
		-p "$TEST_TMP/dockerd.pid" >"$DOCKERD_LOG" 2>&1 9>&- &
	DOCKERD_PID=$!
	BG_PIDS="$BG_PIDS $DOCKERD_PID"
	_n=0
	until dapi /_ping -f >/dev/null 2>&1; do
		if ! kill -0 "$DOCKERD_PID" 2>/dev/null; then
			DOCKER_WHY="dockerd cannot run here: $(tail -n 5 "$DOCKERD_LOG" | tr '\n' ' ')"
			DOCKERD_PID=""
			exec 9>&-
			return 1
		fi
		_n=$((_n + 1))
		if [ "$_n" -ge 300 ]; then
			DOCKER_WHY="dockerd did not answer within 30 s: $(tail -n 5 "$DOCKERD_LOG" | tr '\n' ' ')"
			docker_stop
			return 1
		fi
		sleep 0.1
	done
	DOCKER_HOST="unix://$DOCKER_SOCK"
	export DOCKER_HOST DOCKER_SOCK
	# Containers left by an interrupted earlier run of the cache.
	for c in $(dapi '/containers/json?all=1&filters=%7B%22label%22%3A%5B%22org.algocode.sandbox%22%5D%7D' |
		python3 -c 'import json,sys; [print(c["Id"]) for c in json.load(sys.stdin)]'); do
		dapi "/containers/$c?force=1" -X DELETE >/dev/null
	done
	if ! dapi "/images/$DOCKER_IMAGE/json" -f >/dev/null 2>&1; then
		echo "building the judge image $DOCKER_IMAGE (once per cache)" >&2
		if ! sh "$top_srcdir/scripts/algocode-docker-image" --socket "$DOCKER_SOCK" \
			--tag "$DOCKER_IMAGE" >&2; then
			DOCKER_WHY="algocode-docker-image failed"
			docker_stop
			return 1
		fi
	fi
	return 0
}

# docker_start: the same, skipping the test when the daemon cannot run.
docker_start() {
	docker_try_start || skip "$DOCKER_WHY"
}

dapi() {
	_p=$1
	shift
	curl -sS --unix-socket "$DOCKER_SOCK" "$@" "http://docker$_p"
}

docker_stop() {
	[ -n "$DOCKERD_PID" ] || return 0
	kill -TERM "$DOCKERD_PID" 2>/dev/null
	_n=0
	while kill -0 "$DOCKERD_PID" 2>/dev/null && [ "$_n" -lt 150 ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
	kill -KILL "$DOCKERD_PID" 2>/dev/null
	wait "$DOCKERD_PID" 2>/dev/null
	DOCKERD_PID=""
	exec 9>&-
}
