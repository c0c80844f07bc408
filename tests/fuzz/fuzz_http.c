/* libFuzzer target: whole HTTP requests through libevent's parser and our
 * server (core/http.c: guards, limits, dispatch) to a handler doing what
 * the roles do with a request: the Authorization header, the token, the
 * query string and the JSON body.  Each input is written on a fresh
 * connection to a UNIX socket the server accepts on. */
#include "http.h"
#include "jwt.h"

#include <sys/queue.h> /* before libevent's TAILQ fallbacks */

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct event_base *base;
static struct ac_http *server;
static struct sockaddr_un addr;
static struct ac_jwt_keys keys;
static unsigned long handled; /* requests that reached the handler */

static void fuzz_report(void)
{
	if (getenv("FUZZ_DEBUG"))
		fprintf(stderr, "fuzz_http: %lu requests handled\n", handled);
}

static void fuzz_handler(struct evhttp_request *req, const char *path,
                         void *arg)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *q = uri ? evhttp_uri_get_query(uri) : NULL;
	const char *h = evhttp_find_header(
	        evhttp_request_get_input_headers(req), "Authorization");
	size_t len = evbuffer_get_length(in), toklen;
	struct ac_jwt_claims c;
	struct evkeyvalq kv;
	const char *tok;
	char err[256];
	json_t *body;

	handled++;
	if (ac_http_bearer(h, &tok, &toklen) == 0) {
		char *copy = strndup(tok, toklen);

		if (copy)
			ac_jwt_check(&keys, copy, 1700000000, "access", 1, &c,
			             err, sizeof(err));
		free(copy);
	}
	TAILQ_INIT(&kv);
	if (q)
		evhttp_parse_query_str(q, &kv);
	evhttp_clear_headers(&kv);
	body = ac_http_parse_object(len ? (const char *)evbuffer_pullup(in, -1)
	                                : NULL,
	                            len, err, sizeof(err));
	if (body)
		ac_http_reply_json(req, 200, body);
	else
		ac_http_error(req, 400, err);
}

static void fuzz_init(void)
{
	static const char k[] = "00112233445566778899aabbccddeeff\n";
	struct ac_http_limits lim;
	char err[256];
	int lfd;

	atexit(fuzz_report);
	base = event_base_new();
	ac_http_limits_default(&lim);
	lim.request_timeout_s = 1;
	lim.timeout_s = 1;
	server = ac_http_new(base, &lim);
	if (!base || !server ||
	    ac_jwt_keys_parse(k, sizeof(k) - 1, &keys, err, sizeof(err)) < 0)
		abort();
	ac_http_route(server, "/", fuzz_handler, NULL);
	addr.sun_family = AF_UNIX;
	/* Abstract namespace: nothing to clean up. */
	snprintf(addr.sun_path + 1, sizeof(addr.sun_path) - 1,
	         "algocode-fuzz-%ld", (long)getpid());
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(lfd, 64) < 0 || ac_http_accept_fd(server, lfd) < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[65536];
	size_t off = 0;
	int fd, spins = 0;
	bool eof = false;

	if (!base)
		fuzz_init();
	if (size > 60000)
		return 0;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		abort();
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 &&
	    errno != EINPROGRESS && errno != EAGAIN)
		abort();
	/* Write the request, letting the server read as we go; then EOF. */
	while (!eof && spins < 20) {
		struct pollfd pfd = {fd, POLLIN, 0};
		ssize_t r;

		if (off < size) {
			ssize_t w =
			        send(fd, data + off, size - off, MSG_NOSIGNAL);

			if (w > 0)
				off += (size_t)w;
			else if (w < 0 && errno != EAGAIN)
				off = size; /* closed by the server */
			if (off == size)
				shutdown(fd, SHUT_WR);
		} else if (size == 0 && spins == 0) {
			shutdown(fd, SHUT_WR);
		}
		event_base_loop(base, EVLOOP_NONBLOCK);
		if (poll(&pfd, 1, 0) > 0) {
			r = recv(fd, buf, sizeof(buf), 0);
			if (r == 0 || (r < 0 && errno != EAGAIN))
				eof = true;
		}
		spins++;
	}
	close(fd);
	event_base_loop(base, EVLOOP_NONBLOCK);
	return 0;
}
