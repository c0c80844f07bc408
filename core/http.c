/* HTTP servers shared by the roles of one process (see http.h).
 *
 * Slow clients: evhttp's timeout is an inactivity timeout, reset by every
 * byte, so a client trickling a header byte every few seconds would hold a
 * connection forever.  Each connection therefore gets a guard: the
 * connection's bufferevent is created here (evhttp_set_bevcb) with an extra
 * reference, and a timer closes the connection when a request has not
 * arrived whole within request_timeout_s of the connection opening or of
 * the previous response (which also bounds idle keep-alive).  While one of
 * our handlers holds a request the guard does not fire.  The extra
 * reference keeps the bufferevent (not the connection) alive until the
 * guard's timer notices the connection is gone (evhttp clears the
 * bufferevent's callbacks when it frees it). */
#include "http.h"

#include "core.h"
#include "log.h"
#include "metrics.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define HTTP_MAX_ROUTES 8
#define HTTP_NBUCKETS   256

struct http_route {
	char *prefix;
	size_t len;
	ac_http_handler cb;
	void *arg;
};

struct http_guard {
	struct ac_http *h;
	struct bufferevent *bev; /* one reference is ours */
	struct event *timer;
	struct http_guard *next, **pprev;
	bool in_handler;
	int64_t deadline_ms;
};

struct ac_http {
	struct ac_core *core; /* NULL for ac_http_new servers */
	struct event_base *base;
	struct evhttp *http;
	struct evhttp_bound_socket *sock;
	struct ac_http *next; /* core's list */
	char host[256];
	unsigned short port;
	char address[300];
	struct ac_http_limits lim;
	struct http_route routes[HTTP_MAX_ROUTES];
	size_t nroutes;
	unsigned refs;
	bool stopping;
	struct http_guard *guards[HTTP_NBUCKETS];
};

static int64_t http_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ac_http_limits_default(struct ac_http_limits *lim)
{
	lim->body_max = 64 * 1024;
	lim->headers_max = 16 * 1024;
	lim->url_max = 4096;
	lim->timeout_s = 30;
	lim->request_timeout_s = 10;
}

const char *ac_http_reason(int code)
{
	switch (code) {
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 202:
		return "Accepted";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 413:
		return "Payload Too Large";
	case 414:
		return "URI Too Long";
	case 429:
		return "Too Many Requests";
	case 500:
		return "Internal Server Error";
	case 503:
		return "Service Unavailable";
	default:
		return NULL;
	}
}

void ac_http_reply_json(struct evhttp_request *req, int code, json_t *body)
{
	static const char oom[] = "{\"detail\":\"Out of memory.\"}";
	char *text = body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER)
	                  : NULL;
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *buf = evbuffer_new();
	const char *t = text ? text : oom;
	size_t len = strlen(t);

	if (!text)
		code = 500;
	evhttp_add_header(h, "Content-Type", "application/json");
	evhttp_add_header(h, "Cache-Control", "no-store");
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		char n[32];

		snprintf(n, sizeof(n), "%zu", len);
		evhttp_add_header(h, "Content-Length", n);
	} else if (buf) {
		evbuffer_add(buf, t, len);
	}
	evhttp_send_reply(req, code, ac_http_reason(code), buf);
	if (buf)
		evbuffer_free(buf);
	free(text);
	json_decref(body);
}

void ac_http_error(struct evhttp_request *req, int code, const char *msg)
{
	ac_http_reply_json(req, code, json_pack("{s:s}", "detail", msg));
}

/* ------------------------------------------------------------------ */
/* Request helpers                                                      */

bool ac_http_json_too_deep(const char *buf, size_t len, int max)
{
	int depth = 0;
	bool in_str = false;

	for (size_t i = 0; i < len; i++) {
		char c = buf[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			if (++depth > max)
				return true;
		} else if ((c == '}' || c == ']') && depth > 0) {
			depth--;
		}
	}
	return false;
}

json_t *ac_http_parse_object(const char *buf, size_t len, char *err,
                             size_t errlen)
{
	json_error_t jerr;
	json_t *v;

	if (!buf || len == 0) {
		snprintf(err, errlen,
		         "JSON parse error - the request has no body.");
		return NULL;
	}
	if (ac_http_json_too_deep(buf, len, AC_HTTP_JSON_DEPTH)) {
		snprintf(err, errlen,
		         "JSON parse error - nesting deeper than %d levels.",
		         AC_HTTP_JSON_DEPTH);
		return NULL;
	}
	v = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!v) {
		snprintf(err, errlen,
		         "JSON parse error - %s (line %d, column %d)",
		         jerr.text, jerr.line, jerr.column);
		return NULL;
	}
	if (!json_is_object(v)) {
		json_decref(v);
		snprintf(err, errlen, "Invalid data. Expected a JSON object.");
		return NULL;
	}
	return v;
}

int ac_http_bearer(const char *h, const char **tok, size_t *toklen)
{
	const char *t, *end;

	*tok = NULL;
	*toklen = 0;
	while (h && (*h == ' ' || *h == '\t'))
		h++;
	if (!h || strncmp(h, "Bearer", 6) != 0 || (h[6] != ' ' && h[6] != '\0'))
		return -ENOENT;
	t = h + 6;
	while (*t == ' ')
		t++;
	end = t + strlen(t);
	while (end > t && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (t == end || memchr(t, ' ', end - t) || memchr(t, '\t', end - t))
		return -EINVAL;
	*tok = t;
	*toklen = (size_t)(end - t);
	return 0;
}

int ac_http_parse_listen(const char *s, char *host, size_t hostlen,
                         unsigned short *port)
{
	const char *colon, *h = s;
	size_t hl;
	char *end;
	long p;

	if (!s)
		return -EINVAL;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return -EINVAL;
		h = s + 1;
		hl = close - h;
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || memchr(s, ':', colon - s))
			return -EINVAL;
		hl = colon - s;
	}
	if (hl == 0 || (hl == 1 && h[0] == '*')) {
		h = "0.0.0.0";
		hl = 7;
	}
	if (hl >= hostlen)
		return -EINVAL;
	memcpy(host, h, hl);
	host[hl] = '\0';
	errno = 0;
	p = strtol(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || p < 1 || p > 65535)
		return -EINVAL;
	*port = (unsigned short)p;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Connection guards                                                    */

static unsigned http_bucket(const void *bev)
{
	uintptr_t v = (uintptr_t)bev;

	return (unsigned)((v >> 4) ^ (v >> 12)) % HTTP_NBUCKETS;
}

static struct http_guard *http_guard_find(struct ac_http *h,
                                          struct bufferevent *bev)
{
	struct http_guard *g = h->guards[http_bucket(bev)];

	while (g && g->bev != bev)
		g = g->next;
	return g;
}

static void http_guard_free(struct http_guard *g)
{
	*g->pprev = g->next;
	if (g->next)
		g->next->pprev = g->pprev;
	if (g->timer)
		event_free(g->timer);
	bufferevent_decref(g->bev);
	free(g);
}

static void http_guard_arm(struct http_guard *g, int64_t ms)
{
	struct timeval tv;

	if (ms < 1)
		ms = 1;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(g->timer, &tv);
}

static void http_guard_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_guard *g = arg;
	bufferevent_data_cb rcb, wcb;
	bufferevent_event_cb ecb;
	void *cbarg = NULL;
	int64_t now = http_now_ms();

	bufferevent_getcb(g->bev, &rcb, &wcb, &ecb, &cbarg);
	if (!ecb && !cbarg) {
		/* evhttp freed the connection. */
		http_guard_free(g);
		return;
	}
	if (g->in_handler) {
		http_guard_arm(g, (int64_t)g->h->lim.request_timeout_s * 1000);
		return;
	}
	if (now < g->deadline_ms) {
		http_guard_arm(g, g->deadline_ms - now);
		return;
	}
	/* Too slow: evhttp's own timeouts free connections the same way. */
	log_debug("%s: closing a connection: no whole request within %d s",
	          __func__, g->h->lim.request_timeout_s);
	evhttp_connection_free(cbarg);
	http_guard_free(g);
}

static struct bufferevent *http_bev_cb(struct event_base *base, void *arg)
{
	struct ac_http *h = arg;
	struct bufferevent *bev =
	        bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	struct http_guard *g;
	unsigned b;

	if (!bev)
		return NULL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return bev; /* unguarded, still served */
	g->timer = evtimer_new(base, http_guard_cb, g);
	if (!g->timer) {
		free(g);
		return bev;
	}
	g->h = h;
	g->bev = bev;
	bufferevent_incref(bev);
	b = http_bucket(bev);
	g->next = h->guards[b];
	if (g->next)
		g->next->pprev = &g->next;
	h->guards[b] = g;
	g->pprev = &h->guards[b];
	g->deadline_ms =
	        http_now_ms() + (int64_t)h->lim.request_timeout_s * 1000;
	http_guard_arm(g, (int64_t)h->lim.request_timeout_s * 1000);
	return bev;
}

/* The response went out: the next request has its own deadline. */
static void http_complete_cb(struct evhttp_request *req, void *arg)
{
	struct http_guard *g = arg;

	g->in_handler = false;
	g->deadline_ms =
	        http_now_ms() + (int64_t)g->h->lim.request_timeout_s * 1000;
}

/* ------------------------------------------------------------------ */
/* Dispatch                                                             */

/* GET /metrics on a listener no role routes it on: the process-wide
 * registry. */
static void http_metrics(struct evhttp_request *req)
{
	enum evhttp_cmd_type m = evhttp_request_get_command(req);
	struct evbuffer *out;
	char *text;

	if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		                  "Allow", "GET, HEAD");
		ac_http_error(req, 405, "Method not allowed.");
		return;
	}
	out = evbuffer_new();
	text = ac_metrics_render();
	if (!out || !text) {
		free(text);
		if (out)
			evbuffer_free(out);
		ac_http_error(req, 503, "Out of memory.");
		return;
	}
	evbuffer_add(out, text, strlen(text));
	free(text);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	                  "Content-Type", "text/plain; version=0.0.4");
	evhttp_send_reply(req, 200, "OK", out);
	evbuffer_free(out);
}

static void http_request_cb(struct evhttp_request *req, void *arg)
{
	struct ac_http *h = arg;
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	const char *target = evhttp_request_get_uri(req);
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	const struct http_route *best = NULL;

	if (evcon) {
		struct bufferevent *bev =
		        evhttp_connection_get_bufferevent(evcon);
		struct http_guard *g = bev ? http_guard_find(h, bev) : NULL;

		if (g) {
			g->in_handler = true;
			evhttp_request_set_on_complete_cb(req, http_complete_cb,
			                                  g);
		}
	}
	if (h->stopping) {
		ac_http_error(req, 503, "Server is shutting down.");
		return;
	}
	if (target && strlen(target) > h->lim.url_max) {
		ac_http_error(req, 414, "Request URI too long.");
		return;
	}
	if (!path || !*path)
		path = "/";
	for (size_t i = 0; i < h->nroutes; i++) {
		const struct http_route *r = &h->routes[i];

		if (strncmp(path, r->prefix, r->len) == 0 &&
		    (!best || r->len > best->len))
			best = r;
	}
	if (!best && strcmp(path, "/metrics") == 0) {
		/* A listener without the api (auth on its own port). */
		http_metrics(req);
		return;
	}
	if (!best) {
		ac_http_error(req, 404, "Not found.");
		return;
	}
	best->cb(req, path, best->arg);
}

/* ------------------------------------------------------------------ */
/* Servers                                                              */

static void http_apply_limits(struct ac_http *h)
{
	evhttp_set_max_body_size(h->http, (ev_ssize_t)h->lim.body_max);
	evhttp_set_max_headers_size(h->http, (ev_ssize_t)h->lim.headers_max);
	evhttp_set_timeout(h->http, h->lim.timeout_s);
}

static void http_merge_limits(struct ac_http_limits *a,
                              const struct ac_http_limits *b)
{
	if (b->body_max > a->body_max)
		a->body_max = b->body_max;
	if (b->headers_max > a->headers_max)
		a->headers_max = b->headers_max;
	if (b->url_max > a->url_max)
		a->url_max = b->url_max;
	if (b->timeout_s > a->timeout_s)
		a->timeout_s = b->timeout_s;
	if (b->request_timeout_s > a->request_timeout_s)
		a->request_timeout_s = b->request_timeout_s;
}

struct ac_http *ac_http_new(struct event_base *base,
                            const struct ac_http_limits *lim)
{
	struct ac_http *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->base = base;
	h->refs = 1;
	if (lim)
		h->lim = *lim;
	else
		ac_http_limits_default(&h->lim);
	h->http = evhttp_new(base);
	if (!h->http) {
		free(h);
		return NULL;
	}
	http_apply_limits(h);
	/* Every method reaches the handlers, which answer 405 in JSON. */
	evhttp_set_allowed_methods(
	        h->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
	                         EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	                         EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
	                         EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
	evhttp_set_default_content_type(h->http, "application/json");
	evhttp_set_bevcb(h->http, http_bev_cb, h);
	evhttp_set_gencb(h->http, http_request_cb, h);
	return h;
}

int ac_http_accept_fd(struct ac_http *h, int fd)
{
	return evhttp_accept_socket(h->http, fd) < 0 ? -EINVAL : 0;
}

int ac_http_open(struct ac_core *core, const char *setting, const char *listen,
                 const struct ac_http_limits *lim, struct ac_http **out,
                 char *err, size_t errlen)
{
	struct ac_http *h;
	char host[256];
	unsigned short port;
	int rc;

	*out = NULL;
	if (ac_http_parse_listen(listen, host, sizeof(host), &port) < 0) {
		snprintf(err, errlen,
		         "%s \"%s\" is not host:port ([v6addr]:port)", setting,
		         listen ? listen : "");
		return -EINVAL;
	}
	for (h = core->http; h; h = h->next) {
		if (h->port == port && strcmp(h->host, host) == 0) {
			http_merge_limits(&h->lim, lim);
			http_apply_limits(h);
			h->refs++;
			*out = h;
			return 0;
		}
	}
	h = ac_http_new(core->base, lim);
	if (!h) {
		snprintf(err, errlen,
		         "libevent: cannot create the HTTP server");
		return -ENOMEM;
	}
	h->core = core;
	snprintf(h->host, sizeof(h->host), "%s", host);
	h->port = port;
	snprintf(h->address, sizeof(h->address),
	         strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, port);
	errno = 0;
	h->sock = evhttp_bind_socket_with_handle(h->http, host, port);
	if (!h->sock) {
		rc = errno ? -errno : -EADDRNOTAVAIL;
		snprintf(err, errlen, "%s: cannot listen on %s port %u: %s",
		         setting, host, port, strerror(-rc));
		evhttp_free(h->http);
		free(h);
		return rc;
	}
	h->next = core->http;
	core->http = h;
	*out = h;
	return 0;
}

int ac_http_route(struct ac_http *h, const char *prefix, ac_http_handler cb,
                  void *arg)
{
	struct http_route *r;

	if (h->nroutes == HTTP_MAX_ROUTES)
		return -ENOSPC;
	r = &h->routes[h->nroutes];
	r->prefix = strdup(prefix);
	if (!r->prefix)
		return -ENOMEM;
	r->len = strlen(prefix);
	r->cb = cb;
	r->arg = arg;
	h->nroutes++;
	return 0;
}

void ac_http_stop_accepting(struct ac_http *h)
{
	if (!h)
		return;
	if (h->sock)
		evhttp_del_accept_socket(h->http, h->sock);
	h->sock = NULL;
	h->stopping = true;
}

const char *ac_http_address(const struct ac_http *h)
{
	return h->address;
}

void ac_http_close(struct ac_http *h, void *arg)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->nroutes;) {
		if (arg && h->routes[i].arg == arg) {
			free(h->routes[i].prefix);
			h->routes[i] = h->routes[--h->nroutes];
		} else {
			i++;
		}
	}
	if (--h->refs)
		return;
	if (h->core) {
		struct ac_http **pp = (struct ac_http **)&h->core->http;

		while (*pp && *pp != h)
			pp = &(*pp)->next;
		if (*pp)
			*pp = h->next;
	}
	/* Frees every connection: their bufferevents lose their callbacks
	 * and keep only our reference. */
	evhttp_free(h->http);
	for (size_t b = 0; b < HTTP_NBUCKETS; b++)
		while (h->guards[b])
			http_guard_free(h->guards[b]);
	for (size_t i = 0; i < h->nroutes; i++)
		free(h->routes[i].prefix);
	free(h);
}
