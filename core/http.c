/* HTTP servers shared by the roles of one process (see http.h): the
 * connections, listeners and limits.  Replies and the request helpers
 * that need no server are http_msg.c.
 *
 * Connections.  Each connection's bufferevent is created here
 * (evhttp_set_bevcb) WITHOUT BEV_OPT_CLOSE_ON_FREE: libevent 2.1.12's
 * evhttp_connection_free then disables the bufferevent and closes the
 * socket itself, at once, whoever still holds a reference to the
 * bufferevent.  The bevcb cannot see the socket (evhttp sets it after the
 * callback), so it takes a reference and activates an admission event that
 * runs in the same pass of the loop, before anything is read: admission
 * reads the socket and the evhttp connection (the bufferevent's callback
 * argument), drops the reference, applies the connection limits and
 * installs our close callback, which is how we learn, synchronously, that
 * evhttp freed the connection.  Nothing here keeps a connection's memory
 * or descriptor alive after evhttp frees it.
 *
 * The close callback is ours for the whole life of the connection: the
 * roles hang their own on it with ac_http_set_closecb.
 *
 * Slow clients: evhttp's timeout is an inactivity timeout, reset by every
 * byte, so a client trickling a header byte every few seconds would hold a
 * connection forever.  Each connection therefore has a deadline: a request
 * must arrive whole within request_timeout_s of the connection opening or
 * of the previous response (which also bounds idle keep-alive).  While one
 * of our handlers holds a request the deadline does not apply.
 *
 * Limits (process-wide, as descriptors are): at most max_connections open
 * connections (503 and close beyond) and max_connections_per_ip from one
 * client address (an IPv6 client: its /64; closed at once beyond); accept()
 * failing for lack of descriptors or memory disables the listener for a
 * growing delay (10 ms doubling to 1 s) instead of spinning on it. */
#include "http.h"

#include "core.h"
#include "log.h"
#include "metrics.h"
#include "settings.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

#define HTTP_BACKLOG        4096 /* listen(); the kernel caps it at somaxconn */
#define HTTP_MAX_ROUTES     8
#define HTTP_PEER_BUCKETS   1024
#define HTTP_BACKOFF_MIN_MS 10
#define HTTP_BACKOFF_MAX_MS 1000
/* The soft RLIMIT_NOFILE is raised to the hard one, up to this. */
#define HTTP_NOFILE_CEILING (1 << 20)

struct http_route {
	char *prefix;
	size_t len;
	ac_http_handler cb;
	void *arg;
};

/* Connections from one client address (IPv4, or an IPv6 /64). */
struct http_peer {
	unsigned char key[9]; /* family byte + 4 or 8 address bytes */
	unsigned n;
	struct http_peer *next;
};

struct http_conn {
	struct ac_http *h;
	struct evhttp_connection *evcon; /* once admitted */
	struct bufferevent *bev;         /* until admitted, with a reference */
	struct event *timer; /* admission, then the request deadline */
	struct http_conn *next, **pprev; /* h->conns */
	struct http_peer *peer;          /* counted against, once admitted */
	int fd;                          /* once admitted */
	bool admitted, in_handler;
	int64_t deadline_ms;
	/* A role's close callback (ac_http_set_closecb). */
	void (*role_cb)(struct evhttp_connection *, void *);
	void *role_arg;
};

struct ac_http {
	struct ac_core *core; /* NULL for ac_http_new servers */
	struct event_base *base;
	struct evhttp *http;
	struct evhttp_bound_socket *sock;
	struct evconnlistener *lev; /* of sock */
	struct event *backoff;      /* re-enables lev */
	struct event *tick;         /* every second: log summaries due */
	int backoff_ms;
	struct ac_http *next;     /* core's list */
	struct ac_http *all_next; /* every server of the process */
	char host[256];
	unsigned short port;
	char address[300];
	struct ac_http_limits lim;
	struct http_route routes[HTTP_MAX_ROUTES];
	size_t nroutes;
	unsigned refs;
	unsigned metrics; /* references that serve /metrics here */
	bool stopping;
	struct http_conn *conns;
};

/* Process-wide accounting: descriptors are a process's resource. */
static struct {
	bool configured;
	unsigned max_total, max_per_ip, reserve;
	unsigned long long nofile;
	unsigned total;
	struct http_conn **byfd; /* admitted connections by descriptor */
	size_t nbyfd;
	struct http_peer *peers[HTTP_PEER_BUCKETS];
	struct ac_http *servers;
} http_tab;

void ac_http_limits_default(struct ac_http_limits *lim)
{
	lim->body_max = 64 * 1024;
	lim->headers_max = 16 * 1024;
	lim->url_max = 4096;
	lim->timeout_s = 30;
	lim->request_timeout_s = 10;
}

/* ------------------------------------------------------------------ */
/* Streaming responses                                                  */

static struct http_conn *http_conn_of(struct evhttp_connection *evcon);

int ac_http_stream_start(struct evhttp_request *req, const char *ctype)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct timeval wtv = {30, 0};
	struct http_conn *c;

	if (!evcon)
		return -ENOTCONN;
	if (evhttp_add_header(h, "Content-Type", ctype) < 0 ||
	    evhttp_add_header(h, "Cache-Control", "no-store") < 0 ||
	    evhttp_add_header(h, "X-Accel-Buffering", "no") < 0)
		return -ENOMEM;
	evhttp_send_reply_start(req, 200, "OK");
	/* A stream is quiet between events: no read timeout (the client
	 * sends nothing); the write timeout stays, so a client that stops
	 * reading still loses its connection.  The next request of a
	 * keep-alive connection is bounded by the request deadline. */
	if ((c = http_conn_of(evcon)) && c->h->lim.timeout_s > 0)
		wtv.tv_sec = c->h->lim.timeout_s;
	bufferevent_set_timeouts(evhttp_connection_get_bufferevent(evcon), NULL,
	                         &wtv);
	return 0;
}

int ac_http_stream_send(struct evhttp_request *req, const char *data,
                        size_t len, size_t max_pending)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent *bev =
	        evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
	struct evbuffer *buf;
	int rc = 0;

	if (!bev)
		return -ENOTCONN;
	if (evbuffer_get_length(bufferevent_get_output(bev)) > max_pending)
		return -ENOBUFS;
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD)
		return 0;
	buf = evbuffer_new();
	if (!buf || evbuffer_add(buf, data, len) < 0)
		rc = -ENOMEM;
	else
		evhttp_send_reply_chunk(req, buf);
	if (buf)
		evbuffer_free(buf);
	return rc;
}

void ac_http_stream_end(struct evhttp_request *req)
{
	evhttp_send_reply_end(req);
}

void ac_http_release_orphan(struct evhttp_request *req)
{
	if (req && !evhttp_request_get_connection(req))
		evhttp_request_free(req);
}

void ac_http_stream_abort(struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);

	if (evcon)
		evhttp_connection_free(evcon);
}

/* ------------------------------------------------------------------ */
/* Connection accounting                                                */

static void http_metric_conns(void)
{
	ac_metrics_set("http_connections", NULL, http_tab.total);
}

/* The key of a peer address: family byte and 4 (IPv4, IPv4-mapped IPv6)
 * or 8 (the /64 of IPv6) bytes.  0, or -EINVAL for other families. */
static int http_peer_key(const struct sockaddr_storage *ss,
                         unsigned char key[9])
{
	memset(key, 0, 9);
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)ss;

		key[0] = 4;
		memcpy(key + 1, &in->sin_addr, 4);
		return 0;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)ss;

		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			key[0] = 4;
			memcpy(key + 1, in6->sin6_addr.s6_addr + 12, 4);
		} else {
			key[0] = 6;
			memcpy(key + 1, in6->sin6_addr.s6_addr, 8);
		}
		return 0;
	}
	return -EINVAL;
}

static unsigned http_peer_bucket(const unsigned char key[9])
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < 9; i++)
		h = (h ^ key[i]) * 16777619u;
	return h % HTTP_PEER_BUCKETS;
}

/* The peer of key, created with n = 0 when missing (NULL: out of
 * memory). */
static struct http_peer *http_peer_get(const unsigned char key[9])
{
	unsigned b = http_peer_bucket(key);
	struct http_peer *p;

	for (p = http_tab.peers[b]; p; p = p->next)
		if (memcmp(p->key, key, 9) == 0)
			return p;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	memcpy(p->key, key, 9);
	p->next = http_tab.peers[b];
	http_tab.peers[b] = p;
	return p;
}

/* Free peer when nothing counts against it. */
static void http_peer_release(struct http_peer *peer)
{
	struct http_peer **pp;

	if (peer->n)
		return;
	pp = &http_tab.peers[http_peer_bucket(peer->key)];
	while (*pp != peer)
		pp = &(*pp)->next;
	*pp = peer->next;
	free(peer);
}

static int http_byfd_grow(int fd)
{
	size_t n = http_tab.nbyfd ? http_tab.nbyfd : 1024;
	struct http_conn **t;

	while (n <= (size_t)fd)
		n *= 2;
	t = realloc(http_tab.byfd, n * sizeof(*t));
	if (!t)
		return -ENOMEM;
	memset(t + http_tab.nbyfd, 0, (n - http_tab.nbyfd) * sizeof(*t));
	http_tab.byfd = t;
	http_tab.nbyfd = n;
	return 0;
}

/* The admitted connection of evcon, or NULL. */
static struct http_conn *http_conn_of(struct evhttp_connection *evcon)
{
	struct bufferevent *bev =
	        evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
	int fd = bev ? bufferevent_getfd(bev) : -1;
	struct http_conn *c;

	if (fd < 0 || (size_t)fd >= http_tab.nbyfd)
		return NULL;
	c = http_tab.byfd[fd];
	return c && c->evcon == evcon ? c : NULL;
}

/* Forget c (never touches its evhttp connection). */
static void http_conn_free(struct http_conn *c)
{
	*c->pprev = c->next;
	if (c->next)
		c->next->pprev = c->pprev;
	if (c->admitted) {
		if ((size_t)c->fd < http_tab.nbyfd && http_tab.byfd[c->fd] == c)
			http_tab.byfd[c->fd] = NULL;
		http_tab.total--;
		if (c->peer) {
			c->peer->n--;
			http_peer_release(c->peer);
		}
		http_metric_conns();
	}
	if (c->bev)
		bufferevent_decref(c->bev);
	if (c->timer)
		event_free(c->timer);
	free(c);
}

static void http_conn_arm(struct http_conn *c, int64_t ms)
{
	struct timeval tv;

	if (ms < 1)
		ms = 1;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(c->timer, &tv);
}

/* evhttp frees the connection: ours goes, the role hears of it first. */
static void http_conn_close_cb(struct evhttp_connection *evcon, void *arg)
{
	struct http_conn *c = arg;
	void (*cb)(struct evhttp_connection *, void *) = c->role_cb;
	void *cbarg = c->role_arg;

	if (cb)
		cb(evcon, cbarg);
	http_conn_free(c);
}

void ac_http_set_closecb(struct evhttp_connection *evcon,
                         void (*cb)(struct evhttp_connection *, void *),
                         void *arg)
{
	struct http_conn *c = http_conn_of(evcon);

	if (!c) {
		/* Not ours (a server without accounting): evhttp's own. */
		evhttp_connection_set_closecb(evcon, cb, arg);
		return;
	}
	c->role_cb = cb;
	c->role_arg = arg;
}

/* Over max_connections: a best-effort 503 written straight to the fresh
 * socket (its send buffer is empty: it fits), then what the client sent
 * so far is read away so that the close is a FIN, not a reset. */
static void http_refuse_503(int fd)
{
	static const char resp[] =
	        "HTTP/1.1 503 Service Unavailable\r\n"
	        "Content-Type: application/json\r\n"
	        "Cache-Control: no-store\r\n"
	        "Retry-After: 1\r\n"
	        "Connection: close\r\n"
	        "Content-Length: 51\r\n\r\n"
	        "{\"detail\":\"Too many connections, try again later.\"}";
	char sink[4096];

	(void)!send(fd, resp, sizeof(resp) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
	for (int i = 0; i < 16; i++)
		if (recv(fd, sink, sizeof(sink), MSG_DONTWAIT) <= 0)
			break;
}

static void http_refused(const char *reason, const char *addr)
{
	char labels[64];

	snprintf(labels, sizeof(labels), "reason=\"%s\"", reason);
	ac_metrics_add("http_connections_refused_total", labels, 1);
	ac_log_limited(AC_LOG_WARN, "http",
	               "refused a connection from %s (%s reached)", addr,
	               reason);
}

/* The first pass of the loop after accept(): see the file comment. */
static void http_admit(struct http_conn *c)
{
	struct bufferevent *bev = c->bev;
	bufferevent_data_cb rcb, wcb;
	bufferevent_event_cb ecb;
	void *cbarg = NULL;
	struct evhttp_connection *evcon;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	unsigned char key[9];
	char addr[INET6_ADDRSTRLEN] = "?";
	struct http_peer *peer = NULL;
	int fd;

	bufferevent_getcb(bev, &rcb, &wcb, &ecb, &cbarg);
	fd = bufferevent_getfd(bev);
	c->bev = NULL;
	bufferevent_decref(bev);
	if (!ecb || !cbarg || fd < 0) {
		/* evhttp gave the connection up already (out of memory). */
		http_conn_free(c);
		return;
	}
	evcon = cbarg;
	if (getpeername(fd, (struct sockaddr *)&ss, &sslen) == 0 &&
	    http_peer_key(&ss, key) == 0) {
		if (key[0] == 4)
			inet_ntop(AF_INET, key + 1, addr, sizeof(addr));
		else
			inet_ntop(AF_INET6,
			          &((struct sockaddr_in6 *)&ss)->sin6_addr,
			          addr, sizeof(addr));
		peer = http_peer_get(key);
	}
	if (peer && http_tab.max_per_ip && peer->n >= http_tab.max_per_ip) {
		/* Closed at once: a client this far over is a bug or an
		 * attack, and gets nothing for its connection. */
		http_refused("max_connections_per_ip", addr);
		evhttp_connection_free(evcon);
		http_conn_free(c);
		return;
	}
	if (http_tab.total >= http_tab.max_total ||
	    ((size_t)fd >= http_tab.nbyfd && http_byfd_grow(fd) < 0)) {
		http_refused("max_connections", addr);
		if (peer)
			http_peer_release(peer);
		http_refuse_503(fd);
		evhttp_connection_free(evcon);
		http_conn_free(c);
		return;
	}
	if (http_tab.byfd[fd]) {
		/* Cannot happen while every close goes through our close
		 * callback: forget the stale entry, loudly. */
		log_error("http: descriptor %d still registered to a closed "
		          "connection (a close callback was replaced?)",
		          fd);
		http_conn_free(http_tab.byfd[fd]);
	}
	c->admitted = true;
	c->evcon = evcon;
	c->fd = fd;
	c->peer = peer;
	if (peer)
		peer->n++;
	http_tab.byfd[fd] = c;
	http_tab.total++;
	http_metric_conns();
	evhttp_connection_set_closecb(evcon, http_conn_close_cb, c);
	c->deadline_ms =
	        ac_mono_ms() + (int64_t)c->h->lim.request_timeout_s * 1000;
	http_conn_arm(c, (int64_t)c->h->lim.request_timeout_s * 1000);
}

static void http_conn_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn *c = arg;
	int64_t now = ac_mono_ms();

	(void)fd;
	(void)what;
	if (!c->admitted) {
		http_admit(c);
		return;
	}
	if (c->in_handler) {
		http_conn_arm(c, (int64_t)c->h->lim.request_timeout_s * 1000);
		return;
	}
	if (now < c->deadline_ms) {
		http_conn_arm(c, c->deadline_ms - now);
		return;
	}
	/* Too slow: evhttp's own timeouts free connections the same way;
	 * our close callback frees c. */
	log_debug("%s: closing a connection: no whole request within %d s",
	          __func__, c->h->lim.request_timeout_s);
	ac_metrics_add("http_slow_clients_total", NULL, 1);
	evhttp_connection_free(c->evcon);
}

static struct bufferevent *http_bev_cb(struct event_base *base, void *arg)
{
	struct ac_http *h = arg;
	struct bufferevent *bev = bufferevent_socket_new(base, -1, 0);
	struct http_conn *c;

	if (!bev)
		return NULL;
	h->backoff_ms = 0; /* accept() works again */
	c = calloc(1, sizeof(*c));
	if (c)
		c->timer = evtimer_new(base, http_conn_timer_cb, c);
	if (!c || !c->timer) {
		/* Unaccounted and unguarded, still served: evhttp's read
		 * timeout bounds it. */
		free(c);
		log_warn("http: out of memory for a connection's guard");
		return bev;
	}
	c->h = h;
	c->fd = -1;
	c->bev = bev;
	bufferevent_incref(bev);
	c->next = h->conns;
	if (c->next)
		c->next->pprev = &c->next;
	h->conns = c;
	c->pprev = &h->conns;
	event_active(c->timer, EV_TIMEOUT, 1);
	return bev;
}

/* The response went out: the next request has its own deadline. */
static void http_complete_cb(struct evhttp_request *req, void *arg)
{
	struct http_conn *c = arg;

	(void)req;
	c->in_handler = false;
	c->deadline_ms =
	        ac_mono_ms() + (int64_t)c->h->lim.request_timeout_s * 1000;
}

/* ------------------------------------------------------------------ */
/* Accept back-off                                                      */

static void http_backoff_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ac_http *h = arg;

	(void)fd;
	(void)what;
	if (h->lev && !h->stopping)
		evconnlistener_enable(h->lev);
}

static void http_accept_error_cb(struct evconnlistener *lev, void *arg)
{
	int err = EVUTIL_SOCKET_ERROR();
	struct ac_http *h;
	struct timeval tv;

	(void)arg; /* evhttp's own: find ours */
	for (h = http_tab.servers; h && h->lev != lev; h = h->all_next)
		;
	ac_metrics_add("http_accept_errors_total", NULL, 1);
	if (!h || !h->backoff) {
		ac_log_limited(AC_LOG_WARN, "http", "accept: %s",
		               strerror(err));
		return;
	}
	h->backoff_ms = h->backoff_ms ? h->backoff_ms * 2 : HTTP_BACKOFF_MIN_MS;
	if (h->backoff_ms > HTTP_BACKOFF_MAX_MS)
		h->backoff_ms = HTTP_BACKOFF_MAX_MS;
	evconnlistener_disable(lev);
	tv.tv_sec = h->backoff_ms / 1000;
	tv.tv_usec = (h->backoff_ms % 1000) * 1000;
	evtimer_add(h->backoff, &tv);
	ac_log_limited(AC_LOG_WARN, "http",
	               "accept on %s: %s; not accepting for %d ms", h->address,
	               strerror(err), h->backoff_ms);
}

/* After binding: the listener's error callback and the back-off timer. */
static int http_watch_listener(struct ac_http *h)
{
	h->lev = evhttp_bound_socket_get_listener(h->sock);
	h->backoff = evtimer_new(h->base, http_backoff_cb, h);
	if (!h->lev || !h->backoff)
		return -ENOMEM;
	evconnlistener_set_error_cb(h->lev, http_accept_error_cb);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Limits                                                               */

int ac_http_conn_limit(unsigned long long nofile, unsigned reserve,
                       unsigned max_connections)
{
	unsigned long long room;

	if (nofile <= (unsigned long long)reserve + AC_HTTP_MIN_CONNECTIONS)
		return -ENOSPC;
	room = nofile - reserve;
	return (int)(room < max_connections ? room : max_connections);
}

/* Once per process: the descriptor limit raised, the caps computed. */
static int http_configure(struct ac_core *core, char *err, size_t errlen)
{
	long long max_conn = AC_HTTP_DEFAULT_MAX_CONNECTIONS,
	          per_ip = AC_HTTP_DEFAULT_MAX_PER_IP,
	          reserve = AC_HTTP_DEFAULT_FD_RESERVE;
	struct rlimit rl;
	int rc, cap;

	if (http_tab.configured)
		return 0;
	if (core) {
		const struct ac_settings_want want[] = {
		        {"http.max_connections", &max_conn, NULL},
		        {"http.max_connections_per_ip", &per_ip, NULL},
		        {"http.fd_reserve", &reserve, NULL},
		};

		rc = ac_settings_read(core->cfg, want,
		                      sizeof(want) / sizeof(want[0]), err,
		                      errlen);
		if (rc < 0)
			return rc;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		rc = -errno;
		snprintf(err, errlen, "getrlimit(RLIMIT_NOFILE): %s",
		         strerror(errno));
		return rc;
	}
	if (rl.rlim_cur < rl.rlim_max && rl.rlim_cur < HTTP_NOFILE_CEILING) {
		struct rlimit want = rl;

		want.rlim_cur = rl.rlim_max < HTTP_NOFILE_CEILING
		                        ? rl.rlim_max
		                        : HTTP_NOFILE_CEILING;
		if (setrlimit(RLIMIT_NOFILE, &want) == 0)
			rl = want;
	}
	cap = ac_http_conn_limit((unsigned long long)rl.rlim_cur,
	                         (unsigned)reserve, (unsigned)max_conn);
	if (cap < 0) {
		snprintf(err, errlen,
		         "open files limit %llu leaves no room for connections "
		         "after http.fd_reserve = %lld (raise `ulimit -n` or "
		         "LimitNOFILE=)",
		         (unsigned long long)rl.rlim_cur, reserve);
		return -EMFILE;
	}
	http_tab.nofile = (unsigned long long)rl.rlim_cur;
	http_tab.reserve = (unsigned)reserve;
	http_tab.max_total = (unsigned)cap;
	http_tab.max_per_ip = (unsigned)per_ip;
	http_tab.configured = true;
	ac_metrics_declare("http_connections", AC_METRIC_GAUGE,
	                   "Open HTTP connections.");
	ac_metrics_declare("http_connections_refused_total", AC_METRIC_COUNTER,
	                   "Connections refused by http.max_connections or "
	                   "http.max_connections_per_ip.");
	ac_metrics_declare("http_accept_errors_total", AC_METRIC_COUNTER,
	                   "accept() failures (the listener backs off).");
	ac_metrics_declare("http_slow_clients_total", AC_METRIC_COUNTER,
	                   "Connections closed for not sending a whole "
	                   "request in time.");
	ac_metrics_declare("http_bad_framing_total", AC_METRIC_COUNTER,
	                   "Requests refused for ambiguous framing "
	                   "(Content-Length, Transfer-Encoding, header "
	                   "names).");
	http_metric_conns();
	if (core)
		log_info("http: up to %u connections (open files %llu minus "
		         "http.fd_reserve %u, at most http.max_connections "
		         "%lld), %u per client address",
		         http_tab.max_total, http_tab.nofile, http_tab.reserve,
		         max_conn, http_tab.max_per_ip);
	return 0;
}

void ac_http_get_limits(unsigned *max_total, unsigned *max_per_ip,
                        unsigned *open)
{
	*max_total = http_tab.max_total;
	*max_per_ip = http_tab.max_per_ip;
	*open = http_tab.total;
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

/* The server routing /metrics for a listener that serves it without a
 * route of its own (metrics.listen): the role that routes it (the api),
 * else the process-wide registry. */
static void http_serve_metrics(struct ac_http *h, struct evhttp_request *req,
                               const char *path)
{
	for (struct ac_http *o = h->core ? h->core->http : NULL; o;
	     o = o->next) {
		const struct http_route *best = NULL;

		for (size_t i = 0; i < o->nroutes; i++) {
			const struct http_route *r = &o->routes[i];

			if (strncmp(path, r->prefix, r->len) == 0 &&
			    (!best || r->len > best->len))
				best = r;
		}
		if (best) {
			best->cb(req, path, best->arg);
			return;
		}
	}
	http_metrics(req);
}

static void http_request_cb(struct evhttp_request *req, void *arg)
{
	struct ac_http *h = arg;
	struct http_conn *c = http_conn_of(evhttp_request_get_connection(req));
	const char *target = evhttp_request_get_uri(req);
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	const struct http_route *best = NULL;
	const char *why;

	if (c) {
		c->in_handler = true;
		evhttp_request_set_on_complete_cb(req, http_complete_cb, c);
	}
	why = ac_http_framing_error(evhttp_request_get_input_headers(req),
	                            evhttp_request_get_command(req));
	if (why) {
		/* evhttp framed the request one way, a proxy in front may
		 * have framed it another: answer, then close, so that
		 * nothing left on the connection is read as a request. */
		ac_metrics_add("http_bad_framing_total", NULL, 1);
		evhttp_add_header(evhttp_request_get_output_headers(req),
		                  "Connection", "close");
		ac_http_error(req, 400, why);
		return;
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
	if (strcmp(path, "/metrics") == 0) {
		/* Only where metrics.listen (or judge.metrics_listen) says. */
		if (!h->metrics)
			ac_http_error(req, 404, "Not found.");
		else
			http_serve_metrics(h, req, path);
		return;
	}
	for (size_t i = 0; i < h->nroutes; i++) {
		const struct http_route *r = &h->routes[i];

		if (strncmp(path, r->prefix, r->len) == 0 &&
		    (!best || r->len > best->len))
			best = r;
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

static void http_unlink_server(struct ac_http *h)
{
	struct ac_http **pp = &http_tab.servers;

	while (*pp && *pp != h)
		pp = &(*pp)->all_next;
	if (*pp)
		*pp = h->all_next;
}

static void http_free_server(struct ac_http *h)
{
	/* Frees every connection: our close callbacks free theirs. */
	if (h->http)
		evhttp_free(h->http);
	/* Those accepted in this pass of the loop and not yet admitted. */
	while (h->conns)
		http_conn_free(h->conns);
	if (h->backoff)
		event_free(h->backoff);
	if (h->tick)
		event_free(h->tick);
	http_unlink_server(h);
	ac_log_flush_suppressed();
	for (size_t i = 0; i < h->nroutes; i++)
		free(h->routes[i].prefix);
	free(h);
	if (!http_tab.servers) {
		/* The last server: the process-wide table goes too. */
		free(http_tab.byfd);
		http_tab.byfd = NULL;
		http_tab.nbyfd = 0;
		http_tab.configured = false;
	}
}

static void http_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	ac_log_flush_due();
}

static struct ac_http *http_new(struct ac_core *core, struct event_base *base,
                                const struct ac_http_limits *lim, char *err,
                                size_t errlen)
{
	const struct timeval tick = {1, 0};
	struct ac_http *h;

	if (http_configure(core, err, errlen) < 0)
		return NULL;
	h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	h->core = core;
	h->base = base;
	h->refs = 1;
	if (lim)
		h->lim = *lim;
	else
		ac_http_limits_default(&h->lim);
	h->all_next = http_tab.servers;
	http_tab.servers = h;
	h->http = evhttp_new(base);
	if (!h->http) {
		snprintf(err, errlen,
		         "libevent: cannot create the HTTP server");
		http_free_server(h);
		return NULL;
	}
	h->tick = event_new(base, -1, EV_PERSIST, http_tick_cb, NULL);
	if (!h->tick || event_add(h->tick, &tick) < 0) {
		snprintf(err, errlen, "libevent: cannot add a timer");
		http_free_server(h);
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

struct ac_http *ac_http_new(struct event_base *base,
                            const struct ac_http_limits *lim)
{
	char err[256];
	struct ac_http *h = http_new(NULL, base, lim, err, sizeof(err));

	if (!h)
		log_error("http: %s", err);
	return h;
}

int ac_http_accept_fd(struct ac_http *h, int fd)
{
	if (h->sock)
		return -EBUSY;
	h->sock = evhttp_accept_socket_with_handle(h->http, fd);
	if (!h->sock)
		return -EINVAL;
	return http_watch_listener(h);
}

/* Listen on host:port with a backlog of HTTP_BACKLOG: evhttp's own
 * binding asks for 128, and a burst of connections (many clients opening
 * at once, or a flood the caps then refuse) would overflow the accept
 * queue: the kernel then drops ordinary clients' SYNs, and they wait for
 * a retransmission (1 s) before they are even accepted.  NULL with errno
 * set on failure. */
static struct evhttp_bound_socket *
http_bind(struct ac_http *h, const char *host, unsigned short port)
{
	struct evutil_addrinfo hints, *ai = NULL;
	struct evhttp_bound_socket *bs;
	struct evconnlistener *lev;
	char ps[8];

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	hints.ai_flags = EVUTIL_AI_PASSIVE;
	snprintf(ps, sizeof(ps), "%u", port);
	if (evutil_getaddrinfo(host, ps, &hints, &ai) != 0 || !ai) {
		errno = EADDRNOTAVAIL;
		return NULL;
	}
	lev = evconnlistener_new_bind(
	        h->base, NULL, NULL,
	        LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE |
	                LEV_OPT_CLOSE_ON_EXEC,
	        HTTP_BACKLOG, ai->ai_addr, (int)ai->ai_addrlen);
	evutil_freeaddrinfo(ai);
	if (!lev)
		return NULL;
	if (!(bs = evhttp_bind_listener(h->http, lev))) {
		evconnlistener_free(lev);
		errno = ENOMEM;
	}
	return bs;
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
			if (lim) {
				http_merge_limits(&h->lim, lim);
				http_apply_limits(h);
			}
			h->refs++;
			*out = h;
			return 0;
		}
	}
	h = http_new(core, core->base, lim, err, errlen);
	if (!h)
		return -ENOMEM;
	snprintf(h->host, sizeof(h->host), "%s", host);
	h->port = port;
	snprintf(h->address, sizeof(h->address),
	         strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, port);
	errno = 0;
	h->sock = http_bind(h, host, port);
	if (!h->sock) {
		rc = errno ? -errno : -EADDRNOTAVAIL;
		snprintf(err, errlen, "%s: cannot listen on %s port %u: %s",
		         setting, host, port, strerror(-rc));
		http_free_server(h);
		return rc;
	}
	if ((rc = http_watch_listener(h)) < 0) {
		snprintf(err, errlen, "%s: out of memory", setting);
		http_free_server(h);
		return rc;
	}
	h->next = core->http;
	core->http = h;
	*out = h;
	return 0;
}

int ac_http_open_metrics(struct ac_core *core, const char *setting,
                         const char *listen, struct ac_http **out, char *err,
                         size_t errlen)
{
	/* A role's server keeps its limits; a server of its own gets the
	 * defaults. */
	int rc = ac_http_open(core, setting, listen, NULL, out, err, errlen);

	if (rc == 0)
		(*out)->metrics++;
	return rc;
}

void ac_http_close_metrics(struct ac_http *h)
{
	if (!h)
		return;
	if (h->metrics)
		h->metrics--;
	ac_http_close(h, NULL);
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

static void http_drain_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	*(bool *)arg = true;
}

void ac_http_drain(struct event_base *base, const unsigned *inflight,
                   int drain_s, long flush_us)
{
	struct timeval tv = {drain_s, 0};
	bool expired = false;
	struct event *deadline = evtimer_new(base, http_drain_cb, &expired);

	if (!deadline)
		return;
	if (evtimer_add(deadline, &tv) == 0) {
		while (*inflight && !expired)
			if (event_base_loop(base, EVLOOP_ONCE) < 0)
				break;
		tv.tv_sec = 0;
		tv.tv_usec = flush_us;
		expired = false;
		if (flush_us && evtimer_add(deadline, &tv) == 0)
			while (!expired)
				if (event_base_loop(base, EVLOOP_ONCE) < 0)
					break;
	}
	event_free(deadline);
}

void ac_http_stop_accepting(struct ac_http *h)
{
	if (!h)
		return;
	if (h->backoff)
		evtimer_del(h->backoff);
	if (h->sock)
		evhttp_del_accept_socket(h->http, h->sock);
	h->sock = NULL;
	h->lev = NULL;
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
	http_free_server(h);
}
