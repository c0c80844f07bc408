/* What HTTP needs without a server: status reasons, JSON replies and
 * errors, the request helpers (JSON bodies, bearer tokens, paths, listen
 * addresses, a request held while work runs off the loop) and the framing
 * rules a request must meet (see http.h).  Connections, listeners and
 * limits are http.c. */
#include "http.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------ */
/* Replies                                                              */

const char *ac_http_reason(int code)
{
	switch (code) {
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 202:
		return "Accepted";
	case 304:
		return "Not Modified";
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
	case 501:
		return "Not Implemented";
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

static bool http_is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool http_method_has_body(enum evhttp_cmd_type m)
{
	/* The methods whose body evhttp 2.1 reads (any other request's
	 * body would be parsed as the next request). */
	return m == EVHTTP_REQ_POST || m == EVHTTP_REQ_PUT ||
	       m == EVHTTP_REQ_PATCH;
}

const char *ac_http_framing_error(const struct evkeyvalq *headers,
                                  enum evhttp_cmd_type method)
{
	const struct evkeyval *kv;
	const char *cl = NULL, *te = NULL;
	unsigned ncl = 0, nte = 0;

	for (kv = headers->tqh_first; kv; kv = kv->next.tqe_next) {
		const unsigned char *k = (const unsigned char *)kv->key;

		if (!*k)
			return "Invalid header: empty name.";
		for (; *k; k++)
			if (!http_is_tchar(*k))
				return "Invalid header name (whitespace or a "
				       "separator before the colon).";
		if (strcasecmp(kv->key, "Content-Length") == 0) {
			ncl++;
			cl = kv->value;
		} else if (strcasecmp(kv->key, "Transfer-Encoding") == 0) {
			nte++;
			te = kv->value;
		}
	}
	if (ncl > 1)
		return "More than one Content-Length header.";
	if (nte > 1)
		return "More than one Transfer-Encoding header.";
	if (ncl && nte)
		return "Both Transfer-Encoding and Content-Length.";
	if (te && strcasecmp(te, "chunked") != 0)
		return "Unsupported Transfer-Encoding (only chunked).";
	if (cl) {
		if (!*cl || strspn(cl, "0123456789") != strlen(cl))
			return "Invalid Content-Length.";
		if (!http_method_has_body(method) &&
		    strspn(cl, "0") != strlen(cl))
			return "This method takes no request body.";
	}
	if (te && !http_method_has_body(method))
		return "This method takes no request body.";
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Held requests                                                        */

void ac_http_forget(struct evhttp_request **slot)
{
	ac_http_release_orphan(*slot);
	*slot = NULL;
}

static void http_held_close_cb(struct evhttp_connection *evcon, void *arg)
{
	ac_http_forget(arg);
}

void ac_http_hold(struct evhttp_request **slot, struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);

	*slot = req;
	if (evcon)
		ac_http_set_closecb(evcon, http_held_close_cb, slot);
}

struct evhttp_request *ac_http_unhold(struct evhttp_request **slot)
{
	struct evhttp_request *req = *slot;

	if (req) {
		struct evhttp_connection *evcon =
		        evhttp_request_get_connection(req);
		if (evcon)
			ac_http_set_closecb(evcon, NULL, NULL);
	}
	*slot = NULL;
	return req;
}

json_t *ac_http_throttled(struct evhttp_request *req, int64_t retry_ms,
                          bool with_wait)
{
	long long wait = (retry_ms + 999) / 1000;
	char num[32], msg[128];

	if (wait < 1)
		wait = 1;
	snprintf(num, sizeof(num), "%lld", wait);
	snprintf(msg, sizeof(msg),
	         "Request was throttled. Expected available in %lld seconds.",
	         wait);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After",
	                  num);
	return with_wait ? json_pack("{s:s,s:I}", "detail", msg, "wait_time",
	                             (json_int_t)wait)
	                 : json_pack("{s:s}", "detail", msg);
}

bool ac_http_path_is(const char *path, const char *want)
{
	size_t n = strlen(want);

	if (strcmp(path, want) == 0)
		return true;
	return want[n - 1] == '/' && strlen(path) == n - 1 &&
	       strncmp(path, want, n - 1) == 0;
}
