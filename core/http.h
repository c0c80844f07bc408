/* The HTTP servers of the roles: one libevent evhttp per listen address,
 * shared by the roles of this process that listen there (the single node
 * serves auth and api on one port), with the hardening every role gets:
 * body, header and URL size limits, a read/write timeout, a deadline for
 * each request to arrive whole (against slow clients), and JSON bodies
 * parsed with a nesting limit; connection limits (total and per client
 * address, derived from the open files limit) with an accept() back-off;
 * requests whose framing a proxy could read differently refused (400 and
 * close); /metrics only where metrics.listen says.  See http.c. */
#ifndef AC_HTTP_H
#define AC_HTTP_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct ac_core;
struct event_base;
struct evhttp;
struct evhttp_request;
struct evhttp_connection;
struct evkeyvalq;
enum evhttp_cmd_type;

struct ac_http;

struct ac_http_limits {
	size_t body_max;       /* bytes of a request body (larger: 413) */
	size_t headers_max;    /* bytes of the request line plus headers */
	size_t url_max;        /* bytes of the request target (larger: 414) */
	int timeout_s;         /* read/write inactivity timeout */
	int request_timeout_s; /* a request must arrive whole within this,
	                          and an idle keep-alive connection closes */
};

/* Defaults: body 64 KiB, headers 16 KiB, URL 4 KiB, 30 s, 10 s. */
void ac_http_limits_default(struct ac_http_limits *lim);

/* Connection limits, process-wide (settings http.max_connections,
 * http.max_connections_per_ip, http.fd_reserve; docs/configuration.md). */
#define AC_HTTP_DEFAULT_MAX_CONNECTIONS 10000
#define AC_HTTP_DEFAULT_MAX_PER_IP      512
#define AC_HTTP_DEFAULT_FD_RESERVE      256
#define AC_HTTP_MIN_CONNECTIONS         16
/* The connection cap for an open files limit of nofile: nofile - reserve,
 * at most max_connections; -ENOSPC when that leaves fewer than
 * AC_HTTP_MIN_CONNECTIONS.  Pure. */
int ac_http_conn_limit(unsigned long long nofile, unsigned reserve,
                       unsigned max_connections);
/* The caps in force and the connections open now. */
void ac_http_get_limits(unsigned *max_total, unsigned *max_per_ip,
                        unsigned *open);

/* Handles a request whose path starts with the route's prefix; answers it
 * now or later. */
typedef void (*ac_http_handler)(struct evhttp_request *req, const char *path,
                                void *arg);

/* The server of core listening on `listen` ("host:port", "[v6]:port",
 * ":port"): created and bound on first use, else shared (its limits become
 * the larger of both; lim NULL: the server's own, or the defaults).
 * `setting` names the setting in messages.  Release with ac_http_close. */
int ac_http_open(struct ac_core *core, const char *setting, const char *listen,
                 const struct ac_http_limits *lim, struct ac_http **out,
                 char *err, size_t errlen);
/* A server that is not bound (tests, fuzzing): feed it with
 * ac_http_accept_fd.  Release with ac_http_close(h, NULL).  NULL (logged)
 * on failure. */
struct ac_http *ac_http_new(struct event_base *base,
                            const struct ac_http_limits *lim);
/* Accept connections on a listening socket (taken over). */
int ac_http_accept_fd(struct ac_http *h, int fd);
/* Route paths starting with prefix (the longest prefix wins) to cb. */
int ac_http_route(struct ac_http *h, const char *prefix, ac_http_handler cb,
                  void *arg);
/* Serve GET /metrics on listen (a listener of its own, or the role
 * listener at that address, which then serves /metrics too); `setting`
 * names it in messages.  Role listeners answer /metrics 404 otherwise.
 * Release with ac_http_close_metrics. */
int ac_http_open_metrics(struct ac_core *core, const char *setting,
                         const char *listen, struct ac_http **out, char *err,
                         size_t errlen);
void ac_http_close_metrics(struct ac_http *h);
/* The close callback of a connection of ours: roles must use this, never
 * evhttp_connection_set_closecb, which would take the connection's
 * bookkeeping away (the server owns evhttp's close callback and calls cb
 * from it, before forgetting the connection).  cb NULL: none. */
void ac_http_set_closecb(struct evhttp_connection *evcon,
                         void (*cb)(struct evhttp_connection *, void *),
                         void *arg);
/* For a close callback (ac_http_set_closecb) of a connection that holds
 * req, not yet answered or streaming: when the client went away (EOF, a
 * network error), libevent has detached req from the connection and left
 * it to us (libevent 2.1's evhttp_connection_incoming_fail): this frees
 * it.  When the server itself frees the connection, req is still attached
 * and libevent frees it: nothing is done. */
void ac_http_release_orphan(struct evhttp_request *req);
/* A request a handler holds while its work runs off the loop, in *slot (a
 * field of the handler's state, which outlives the hold): ac_http_hold
 * sets *slot and the connection's close callback, which releases the
 * request if the client went away (ac_http_release_orphan) and clears
 * *slot; ac_http_unhold removes that callback and returns the request to
 * answer, NULL when the client is gone.  ac_http_forget is what the
 * callback does, for a handler that has a close callback of its own. */
void ac_http_hold(struct evhttp_request **slot, struct evhttp_request *req);
struct evhttp_request *ac_http_unhold(struct evhttp_request **slot);
void ac_http_forget(struct evhttp_request **slot);
/* A client over its rate that may come back in retry_ms: sets Retry-After
 * on req (whole seconds, at least 1) and returns the 429's body,
 * {"detail": "Request was throttled...", "wait_time": seconds} (with_wait
 * false: detail only), NULL when out of memory. */
json_t *ac_http_throttled(struct evhttp_request *req, int64_t retry_ms,
                          bool with_wait);
/* path equals want, with or without want's final slash. */
bool ac_http_path_is(const char *path, const char *want);
/* Stop accepting connections; requests on open connections answer 503. */
void ac_http_stop_accepting(struct ac_http *h);
/* At a role's stop (never from inside the loop): run base until *inflight
 * is 0 or drain_s seconds passed, then flush_us microseconds more for the
 * answers to be written (0: none). */
struct event_base;
void ac_http_drain(struct event_base *base, const unsigned *inflight,
                   int drain_s, long flush_us);
/* Drop the routes of arg and one reference; the last frees the server and
 * every connection (pending requests get their close callbacks). */
void ac_http_close(struct ac_http *h, void *arg);
/* The bound address as "host:port" (static storage of h). */
const char *ac_http_address(const struct ac_http *h);

/* "host:port" parsing shared by the roles: host (all interfaces for "" or
 * "*") and port.  0 or -EINVAL. */
int ac_http_parse_listen(const char *s, char *host, size_t hostlen,
                         unsigned short *port);

/* ---- Request helpers (pure: no I/O; fuzzed by the tests/fuzz targets) ---- */

/* Deepest JSON nesting accepted in request bodies. */
#define AC_HTTP_JSON_DEPTH 32

/* Does buf[0..len) nest arrays/objects deeper than max?  Strings are
 * skipped (escapes included). */
bool ac_http_json_too_deep(const char *buf, size_t len, int max);
/* A request body that must be a JSON object: the object (new reference),
 * or NULL with a message for a 400 in err.  Duplicate keys, nesting deeper
 * than AC_HTTP_JSON_DEPTH and non-objects are refused. */
json_t *ac_http_parse_object(const char *buf, size_t len, char *err,
                             size_t errlen);
/* The token of an "Authorization: Bearer TOKEN" value: 0 and *tok, *toklen
 * pointing into h; -ENOENT when h is NULL or not Bearer; -EINVAL when
 * malformed (empty, more than two values). */
int ac_http_bearer(const char *h, const char **tok, size_t *toklen);

/* Why a request must be refused for its framing, or NULL: a header name
 * that is not a token (`Transfer-Encoding : chunked`), more than one
 * Content-Length or Transfer-Encoding, both together, a Transfer-Encoding
 * other than chunked, a Content-Length not all digits, a body on a method
 * evhttp reads none for (GET, HEAD, DELETE, OPTIONS, TRACE, CONNECT).
 * Pure. */
const char *ac_http_framing_error(const struct evkeyvalq *headers,
                                  enum evhttp_cmd_type method);

/* ---- Replies ---- */

/* Send a JSON body (reference stolen; NULL: 500) with Cache-Control:
 * no-store.  HEAD gets the headers only. */
void ac_http_reply_json(struct evhttp_request *req, int code, json_t *body);
/* ---- Streaming responses (Server-Sent Events and the like) ----
 *
 * A streamed response holds its connection for as long as it lasts, on the
 * loop, without a thread: the request deadline does not apply (the
 * request is in a handler), nor does the inactivity timeout (a stream
 * writes a keep-alive now and then).  The connection's close callback
 * (ac_http_set_closecb) tells a client that went away; after
 * ac_http_stream_end the request belongs to evhttp again. */

/* Send the status line and headers (200, Content-Type ctype, Cache-Control
 * no-store, no buffering by proxies) and begin a chunked body.  HEAD: the
 * headers only (then call ac_http_stream_end).  0 or -errno. */
int ac_http_stream_start(struct evhttp_request *req, const char *ctype);
/* Queue len bytes.  -ENOBUFS when more than max_pending bytes already wait
 * to be written to a client not reading (the caller ends the stream or
 * drops the connection); -ENOMEM. */
int ac_http_stream_send(struct evhttp_request *req, const char *data,
                        size_t len, size_t max_pending);
/* End the body (the connection may carry another request). */
void ac_http_stream_end(struct evhttp_request *req);
/* Close the connection of a stream at once (a client that stopped reading);
 * its close callback runs. */
void ac_http_stream_abort(struct evhttp_request *req);

/* {"detail": msg} with the status. */
void ac_http_error(struct evhttp_request *req, int code, const char *msg);
const char *ac_http_reason(int code);
#endif
