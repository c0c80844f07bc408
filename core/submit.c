/* `algocode submit` (submit.h): an HTTP client on libevent's evhttp.
 * Each request runs the loop until its answer (or failure) arrived: the
 * client does one thing at a time, the loop only drives the sockets. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>
#include <jansson.h>
#include <sodium.h>

#include "submit.h"

#define SUB_MAX_FILE     (16u << 20)
#define SUB_IO_TIMEOUT_S 60

const char ac_submit_usage[] =
        "Usage: algocode submit --server URL [--problem ID] [--lang LANG]\n"
        "                       [--all-tests] [--json] [--timeout S] "
        "FILE...\n"
        "\n"
        "Submit FILE... to the server at URL (http://HOST[:PORT][/PREFIX]) "
        "and\n"
        "print one line per test as it is judged, then the verdict.\n"
        "\n"
        "  --problem ID   the problem (default: the first file's name "
        "without\n"
        "                 its extension, as DOMjudge's submit)\n"
        "  --lang LANG    the language (default: from the extension: .c c,\n"
        "                 .cpp .cc .cxx cpp, .py python3, .java java)\n"
        "  --all-tests    run every test, not only up to the first failure\n"
        "  --json         print the result document (progress goes to "
        "stderr)\n"
        "  --timeout S    give up waiting for the result after S seconds "
        "(900)\n"
        "\n"
        "Login: ALGOCODE_TOKEN (an access token), else ALGOCODE_EMAIL and\n"
        "ALGOCODE_PASSWORD (POST /api/v1/auth/login/).\n"
        "Exit status: 0 Accepted, 1 any other verdict, 2 usage, file, "
        "login,\n"
        "network or server errors (and no result within --timeout).\n";

struct sub {
	/* options */
	const char *server, *problem, *lang;
	bool json, all_tests;
	long timeout_s;
	char **files;
	int nfiles;
	char *token; /* owned */
	FILE *out;   /* progress lines: stdout, stderr with --json */
	/* connection */
	struct event_base *base;
	struct evdns_base *dns;
	struct evhttp_connection *conn;
	struct event *deadline_ev; /* --timeout while the stream is open */
	struct evhttp_request *inflight;
	char host[256], hostport[300], prefix[512];
	int port;
	/* the request in flight */
	bool done, streaming;
	int status;       /* 0: no answer */
	int fail;         /* enum evhttp_request_error + 1, 0: none */
	int sock_err;     /* errno of a failed connection */
	long retry_after; /* Retry-After of the answer, -1 none */
	struct evbuffer *body;
	/* the result stream */
	int shown; /* tests printed */
	json_t *result;
	bool stream_over;
};

static void sub_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sub_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("algocode submit: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ------------------------------------------------------------------ */
/* Files, language, problem                                             */

static const char *sub_ext(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash + 1 : path, '.');

	return dot && dot != (slash ? slash + 1 : path) ? dot + 1 : NULL;
}

static const char *sub_lang_of(const char *path)
{
	static const struct {
		const char *ext, *lang;
	} map[] = {{"c", "c"},     {"cpp", "cpp"},    {"cc", "cpp"},
	           {"cxx", "cpp"}, {"py", "python3"}, {"java", "java"}};
	const char *ext = sub_ext(path);

	for (size_t i = 0; ext && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(ext, map[i].ext) == 0)
			return map[i].lang;
	return NULL;
}

static const char *sub_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static char *sub_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f) {
		sub_msg("%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) < 0) {
		sub_msg("%s: not a regular file", path);
		goto out;
	}
	if ((unsigned long)n > SUB_MAX_FILE) {
		sub_msg("%s: larger than 16 MiB", path);
		goto out;
	}
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		sub_msg("%s: read error", path);
		free(buf);
		buf = NULL;
	}
	if (buf) {
		buf[n] = '\0';
		*len = (size_t)n;
	}
out:
	fclose(f);
	return buf;
}

/* The submission's JSON body, NULL after a message. */
static char *sub_body(const struct sub *s)
{
	json_t *doc, *files = NULL;
	char *text = NULL;

	doc = json_pack("{s:s,s:s}", "problem_id", s->problem, "lang", s->lang);
	if (doc && s->all_tests)
		json_object_set_new(doc, "all_tests", json_true());
	if (doc && s->nfiles > 1)
		files = json_array();
	for (int i = 0; doc && i < s->nfiles; i++) {
		size_t len;
		char *src = sub_read(s->files[i], &len);
		json_t *str = src ? json_stringn(src, len) : NULL;

		free(src);
		if (src && !str)
			sub_msg("%s: not UTF-8 text", s->files[i]);
		if (!str)
			goto out;
		if (files)
			json_array_append_new(files,
			                      json_pack("{s:s,s:o}", "name",
			                                sub_base(s->files[i]),
			                                "content", str));
		else
			json_object_set_new(doc, "code", str);
	}
	if (files)
		json_object_set_new(doc, "files", files);
	text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	if (!text)
		sub_msg("out of memory");
out:
	json_decref(doc);
	return text;
}

/* ------------------------------------------------------------------ */
/* HTTP                                                                 */

/* --timeout passed while the stream was open: end the request (its
 * callbacks will not run). */
static void sub_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sub *s = arg;

	(void)fd;
	(void)what;
	if (s->inflight && !s->done) {
		evhttp_cancel_request(s->inflight);
		s->inflight = NULL;
		s->done = true;
	}
}

static int sub_connect(struct sub *s)
{
	struct evhttp_uri *uri = evhttp_uri_parse(s->server);
	const char *scheme, *host, *path;
	int rc = -EINVAL;

	if (!uri || !(host = evhttp_uri_get_host(uri)) || !*host) {
		sub_msg("--server %s: not a URL (http://HOST[:PORT])",
		        s->server);
		goto out;
	}
	scheme = evhttp_uri_get_scheme(uri);
	if (!scheme || strcasecmp(scheme, "http") != 0) {
		sub_msg("--server %s: only http:// is supported (put a TLS "
		        "proxy's plain address, or the server's own)",
		        s->server);
		goto out;
	}
	s->port = evhttp_uri_get_port(uri) > 0 ? evhttp_uri_get_port(uri) : 80;
	path = evhttp_uri_get_path(uri);
	snprintf(s->host, sizeof(s->host), "%s", host);
	snprintf(s->hostport, sizeof(s->hostport),
	         strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, s->port);
	snprintf(s->prefix, sizeof(s->prefix), "%s", path ? path : "");
	while (*s->prefix && s->prefix[strlen(s->prefix) - 1] == '/')
		s->prefix[strlen(s->prefix) - 1] = '\0';
	s->base = event_base_new();
	s->dns = s->base ? evdns_base_new(s->base,
	                                  EVDNS_BASE_INITIALIZE_NAMESERVERS)
	                 : NULL;
	s->conn = s->dns ? evhttp_connection_base_new(s->base, s->dns, s->host,
	                                              (unsigned short)s->port)
	                 : NULL;
	s->body = evbuffer_new();
	s->deadline_ev =
	        s->base ? evtimer_new(s->base, sub_deadline_cb, s) : NULL;
	if (!s->conn || !s->body || !s->deadline_ev) {
		sub_msg("cannot set up the connection to %s", s->hostport);
		rc = -ENOMEM;
		goto out;
	}
	evhttp_connection_set_timeout(s->conn, SUB_IO_TIMEOUT_S);
	rc = 0;
out:
	if (uri)
		evhttp_uri_free(uri);
	return rc;
}

static void sub_disconnect(struct sub *s)
{
	if (s->deadline_ev)
		event_free(s->deadline_ev);
	if (s->conn)
		evhttp_connection_free(s->conn);
	if (s->dns)
		evdns_base_free(s->dns, 0);
	if (s->base)
		event_base_free(s->base);
	if (s->body)
		evbuffer_free(s->body);
}

static void sub_sse(struct sub *s);

static void sub_error_cb(enum evhttp_request_error e, void *arg)
{
	struct sub *s = arg;

	s->fail = (int)e + 1;
	s->sock_err = EVUTIL_SOCKET_ERROR();
}

static void sub_chunk_cb(struct evhttp_request *req, void *arg)
{
	struct sub *s = arg;

	evbuffer_add_buffer(s->body, evhttp_request_get_input_buffer(req));
	if (s->streaming && evhttp_request_get_response_code(req) == 200)
		sub_sse(s);
}

static void sub_done_cb(struct evhttp_request *req, void *arg)
{
	struct sub *s = arg;
	const char *ra;

	s->done = true;
	if (!req || evhttp_request_get_response_code(req) == 0)
		return;
	s->status = evhttp_request_get_response_code(req);
	evbuffer_add_buffer(s->body, evhttp_request_get_input_buffer(req));
	if (s->streaming && s->status == 200)
		sub_sse(s);
	ra = evhttp_find_header(evhttp_request_get_input_headers(req),
	                        "Retry-After");
	s->retry_after = ra ? strtol(ra, NULL, 10) : -1;
}

/* One request: 0 with s->status and s->body set, or -EIO after a message
 * (no answer: refused, closed, timed out). */
static int sub_http(struct sub *s, enum evhttp_cmd_type m, const char *path,
                    const char *body, bool stream)
{
	struct evhttp_request *req;
	struct evkeyvalq *h;
	char target[1024], auth[9000];

	s->done = false;
	s->status = s->fail = s->sock_err = 0;
	s->retry_after = -1;
	s->streaming = stream;
	evbuffer_drain(s->body, evbuffer_get_length(s->body));
	req = evhttp_request_new(sub_done_cb, s);
	if (!req) {
		sub_msg("out of memory");
		return -ENOMEM;
	}
	evhttp_request_set_error_cb(req, sub_error_cb);
	evhttp_request_set_chunked_cb(req, sub_chunk_cb);
	h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Host", s->hostport);
	evhttp_add_header(h, "User-Agent", "algocode-submit/" PACKAGE_VERSION);
	evhttp_add_header(h, "Accept",
	                  stream ? "text/event-stream" : "application/json");
	if (s->token) {
		snprintf(auth, sizeof(auth), "Bearer %s", s->token);
		evhttp_add_header(h, "Authorization", auth);
	}
	if (body) {
		evhttp_add_header(h, "Content-Type", "application/json");
		evbuffer_add(evhttp_request_get_output_buffer(req), body,
		             strlen(body));
	}
	snprintf(target, sizeof(target), "%s%s", s->prefix, path);
	if (evhttp_make_request(s->conn, req, m, target) < 0) {
		sub_msg("cannot send a request to %s", s->hostport);
		return -EIO;
	}
	s->inflight = req;
	while (!s->done)
		if (event_base_loop(s->base, EVLOOP_ONCE) < 0)
			break;
	s->inflight = NULL;
	if (s->status)
		return 0;
	if (stream) /* the caller falls back to polling */
		return -EIO;
	if (s->fail == EVREQ_HTTP_TIMEOUT + 1)
		sub_msg("%s: no answer within %d s", s->hostport,
		        SUB_IO_TIMEOUT_S);
	else if (s->sock_err && s->sock_err != EAGAIN)
		sub_msg("cannot connect to %s: %s", s->hostport,
		        strerror(s->sock_err));
	else
		sub_msg("cannot connect to %s: connection refused or closed",
		        s->hostport);
	return -EIO;
}

/* The answer's body as JSON, or NULL. */
static json_t *sub_json(const struct sub *s)
{
	size_t n = evbuffer_get_length(s->body);
	const char *p = (const char *)evbuffer_pullup(s->body, -1);

	return p ? json_loadb(p, n, 0, NULL) : NULL;
}

/* One line for an error answer: its detail, or the start of its body. */
static void sub_refused(const struct sub *s, const char *what)
{
	json_t *doc = sub_json(s);
	const char *detail = json_string_value(json_object_get(doc, "detail"));
	char text[241];
	size_t n = 0;

	if (detail) {
		snprintf(text, sizeof(text), "%s", detail);
	} else {
		ev_ssize_t got =
		        evbuffer_copyout(s->body, text, sizeof(text) - 1);

		text[got > 0 ? (size_t)got : 0] = '\0';
	}
	for (char *c = text; *c; c++, n++)
		if ((unsigned char)*c < 32)
			*c = ' '; /* one line, whatever the server sent */
	detail = n ? text : "(no detail)";
	if (s->status == 401)
		sub_msg("%s: not authenticated (HTTP 401): %s%s", what, detail,
		        getenv("ALGOCODE_TOKEN") ? " (check ALGOCODE_TOKEN)"
		                                 : "");
	else if (s->status == 429 && s->retry_after >= 0)
		sub_msg("%s: throttled (HTTP 429): %s Retry after %ld s.", what,
		        detail, s->retry_after);
	else
		sub_msg("%s: HTTP %d: %s", what, s->status, detail);
	json_decref(doc);
}

static int sub_login(struct sub *s)
{
	const char *tok = getenv("ALGOCODE_TOKEN");
	const char *email = getenv("ALGOCODE_EMAIL");
	const char *pass = getenv("ALGOCODE_PASSWORD");
	json_t *req, *doc;
	char *body;
	int rc;

	if (tok && *tok) {
		s->token = strdup(tok);
		return s->token ? 0 : -ENOMEM;
	}
	if (!email || !*email || !pass) {
		sub_msg("no login: set ALGOCODE_TOKEN, or ALGOCODE_EMAIL and "
		        "ALGOCODE_PASSWORD");
		return -EINVAL;
	}
	req = json_pack("{s:s,s:s}", "email", email, "password", pass);
	body = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	if (!body)
		return -ENOMEM;
	rc = sub_http(s, EVHTTP_REQ_POST, "/api/v1/auth/login/", body, false);
	free(body);
	if (rc < 0)
		return rc;
	if (s->status != 200) {
		sub_refused(s, "logging in");
		return -EACCES;
	}
	doc = sub_json(s);
	tok = json_string_value(json_object_get(doc, "access_token"));
	s->token = tok ? strdup(tok) : NULL;
	json_decref(doc);
	if (!s->token) {
		sub_msg("logging in: the answer has no access_token");
		return -EPROTO;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Progress and result                                                  */

static void sub_test_line(struct sub *s, json_t *t, long index, long total)
{
	const char *name = json_string_value(json_object_get(t, "name"));
	const char *code =
	        json_string_value(json_object_get(t, "verdict_code"));

	fprintf(s->out, "test %ld/%ld %s: %s, %lld ms, %lld KiB\n", index + 1,
	        total, name ? name : "?", code ? code : "?",
	        json_integer_value(json_object_get(t, "time_ms")),
	        json_integer_value(json_object_get(t, "memory_kb")));
	fflush(s->out);
}

/* One event of the stream: compile, test, result or timeout. */
static void sub_event(struct sub *s, const char *event, const char *data)
{
	json_t *d = json_loads(data, 0, NULL);

	if (strcmp(event, "compile") == 0 && d) {
		fprintf(s->out, "compile: %s, %lld ms\n",
		        json_is_true(json_object_get(d, "ok")) ? "ok"
		                                               : "failed",
		        json_integer_value(json_object_get(d, "time_ms")));
		fflush(s->out);
	} else if (strcmp(event, "test") == 0 && d) {
		long index =
		        (long)json_integer_value(json_object_get(d, "index"));

		if (index >= s->shown) {
			sub_test_line(s, d, index,
			              (long)json_integer_value(
			                      json_object_get(d, "total")));
			s->shown = (int)index + 1;
		}
	} else if (strcmp(event, "result") == 0 && json_is_object(d)) {
		json_decref(s->result);
		s->result = json_incref(d);
		s->stream_over = true;
	} else if (strcmp(event, "timeout") == 0) {
		s->stream_over = true;
	}
	json_decref(d);
}

/* Parse the complete events in s->body ("event: X\ndata: Y\n\n"). */
static void sub_sse(struct sub *s)
{
	struct evbuffer_ptr end;

	while ((end = evbuffer_search(s->body, "\n\n", 2, NULL)).pos >= 0) {
		size_t n = (size_t)end.pos + 2;
		char *block = malloc(n + 1), *line, *save = NULL;
		char event[32] = "message", *data = NULL;

		if (!block)
			return;
		evbuffer_remove(s->body, block, n);
		block[n] = '\0';
		for (line = strtok_r(block, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			line[strcspn(line, "\r")] = '\0';
			if (strncmp(line, "event:", 6) == 0)
				snprintf(event, sizeof(event), "%s",
				         line + 6 + (line[6] == ' '));
			else if (strncmp(line, "data:", 5) == 0)
				data = line + 5 + (line[5] == ' ');
		}
		if (data)
			sub_event(s, event, data);
		free(block);
	}
}

/* Follow the stream; false when it is unavailable or ended without a
 * result (the caller polls then).  -EIO: fatal (message given). */
static int sub_stream(struct sub *s, const char *id, time_t deadline)
{
	struct timeval tv = {.tv_sec = deadline - time(NULL)};
	char path[512];
	int rc;

	snprintf(path, sizeof(path), "/api/v1/result/stream/%s/", id);
	evtimer_add(s->deadline_ev, &tv);
	rc = sub_http(s, EVHTTP_REQ_GET, path, NULL, true);
	evtimer_del(s->deadline_ev);
	if (rc < 0)
		return 0; /* poll (which sees a passed deadline) */
	if (s->status == 401 || s->status == 404) {
		sub_refused(s, "fetching the result");
		return -EIO;
	}
	return s->result ? 1 : 0;
}

static int sub_poll(struct sub *s, const char *id, time_t deadline)
{
	char path[512];
	json_t *doc;

	snprintf(path, sizeof(path), "/api/v1/result/check/%s/", id);
	while (time(NULL) < deadline) {
		time_t t0 = time(NULL);

		if (sub_http(s, EVHTTP_REQ_GET, path, NULL, false) < 0)
			return -EIO;
		if (s->status == 202) {
			/* The server waited api.result_wait_s; with 0 it did
			 * not: do not hammer it. */
			if (time(NULL) - t0 < 1)
				sleep(1);
			continue;
		}
		if (s->status != 200) {
			sub_refused(s, "fetching the result");
			return -EIO;
		}
		doc = sub_json(s);
		if (json_is_object(json_object_get(doc, "data"))) {
			s->result = json_incref(json_object_get(doc, "data"));
			json_decref(doc);
			return 0;
		}
		json_decref(doc);
		sub_msg("fetching the result: the answer has no result "
		        "document");
		return -EPROTO;
	}
	sub_msg("no result within %ld s (submission %s)", s->timeout_s, id);
	return -ETIMEDOUT;
}

/* The tests the stream did not show, the verdict; the exit status. */
static int sub_report(struct sub *s)
{
	json_t *r = s->result, *tests = json_object_get(r, "tests");
	json_t *compile = json_object_get(r, "compile");
	const char *code =
	        json_string_value(json_object_get(r, "verdict_code"));
	const char *verdict = json_string_value(json_object_get(r, "verdict"));
	const char *log = json_string_value(json_object_get(compile, "log"));
	json_t *score = json_object_get(r, "score");

	for (size_t i = (size_t)s->shown; i < json_array_size(tests); i++)
		sub_test_line(s, json_array_get(tests, i), (long)i,
		              (long)json_array_size(tests));
	if (code && strcmp(code, "CE") == 0 && log && *log)
		fprintf(stderr, "%s%s", log,
		        log[strlen(log) - 1] == '\n' ? "" : "\n");
	fprintf(s->out, "verdict: %s (%s), %lld ms, %lld KiB",
	        verdict ? verdict : "?", code ? code : "?",
	        json_integer_value(json_object_get(r, "time_ms")),
	        json_integer_value(json_object_get(r, "memory_kb")));
	if (json_is_number(score))
		fprintf(s->out, ", score %g", json_number_value(score));
	fputc('\n', s->out);
	if (s->json) {
		json_dumpf(r, stdout, JSON_COMPACT);
		fputc('\n', stdout);
	}
	fflush(stdout);
	return code && strcmp(code, "AC") == 0 ? 0 : 1;
}

/* ------------------------------------------------------------------ */
/* The command                                                          */

static int sub_args(struct sub *s, int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"server", required_argument, NULL, 's'},
	        {"problem", required_argument, NULL, 'p'},
	        {"lang", required_argument, NULL, 'l'},
	        {"all-tests", no_argument, NULL, 'a'},
	        {"json", no_argument, NULL, 'j'},
	        {"timeout", required_argument, NULL, 't'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0}};
	char *end;
	int c;

	s->timeout_s = 900;
	optind = 1;
	while ((c = getopt_long(argc, argv, "s:p:l:jh", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 's':
			s->server = optarg;
			break;
		case 'p':
			s->problem = optarg;
			break;
		case 'l':
			s->lang = optarg;
			break;
		case 'a':
			s->all_tests = true;
			break;
		case 'j':
			s->json = true;
			break;
		case 't':
			s->timeout_s = strtol(optarg, &end, 10);
			if (*end || s->timeout_s <= 0) {
				sub_msg("--timeout %s: not a positive number",
				        optarg);
				return -EINVAL;
			}
			break;
		case 'h':
			fputs(ac_submit_usage, stdout);
			return 1;
		default:
			fputs(ac_submit_usage, stderr);
			return -EINVAL;
		}
	}
	s->files = argv + optind;
	s->nfiles = argc - optind;
	if (!s->server || s->nfiles < 1) {
		sub_msg("%s", !s->server ? "--server URL is required"
		                         : "no FILE to submit");
		fputs(ac_submit_usage, stderr);
		return -EINVAL;
	}
	return 0;
}

/* --lang, else the first file's extension that names a language. */
static int sub_guess(struct sub *s, char *problem, size_t len)
{
	const char *base = sub_base(s->files[0]), *dot;

	for (int i = 0; !s->lang && i < s->nfiles; i++)
		s->lang = sub_lang_of(s->files[i]);
	if (!s->lang) {
		const char *ext = sub_ext(s->files[0]);

		sub_msg("cannot tell the language of %s (%s%s): give --lang "
		        "(c, cpp, python3, java, ...)",
		        s->files[0],
		        ext ? "unknown extension ." : "no extension",
		        ext ? ext : "");
		return -EINVAL;
	}
	if (!s->problem) {
		dot = strrchr(base, '.');
		snprintf(problem, len, "%.*s",
		         (int)(dot && dot != base ? (size_t)(dot - base)
		                                  : strlen(base)),
		         base);
		s->problem = problem;
	}
	return 0;
}

/* Submit; the submission id (owned by the caller) or NULL after a
 * message. */
static char *sub_submit(struct sub *s)
{
	char *body = sub_body(s), *id = NULL;
	json_t *doc;
	const char *sid;

	if (!body)
		return NULL;
	if (sub_http(s, EVHTTP_REQ_POST, "/api/v1/code/submit/", body, false) <
	    0)
		goto out;
	if (s->status != 201) {
		sub_refused(s, "submitting");
		goto out;
	}
	doc = sub_json(s);
	sid = json_string_value(json_object_get(json_object_get(doc, "result"),
	                                        "submission_id"));
	id = sid ? strdup(sid) : NULL;
	json_decref(doc);
	if (!id)
		sub_msg("submitting: the answer has no submission_id");
out:
	free(body);
	return id;
}

int ac_submit_main(int argc, char **argv)
{
	struct sub s = {.out = stdout};
	char problem[256], *id = NULL;
	time_t deadline;
	int rc, status = 2;

	rc = sub_args(&s, argc, argv);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	if (s.json)
		s.out = stderr;
	if (sub_guess(&s, problem, sizeof(problem)) < 0 ||
	    sub_connect(&s) < 0 || sub_login(&s) < 0)
		goto out;
	id = sub_submit(&s);
	if (!id)
		goto out;
	fprintf(s.out, "submission %s (problem %s, %s)\n", id, s.problem,
	        s.lang);
	fflush(s.out);
	deadline = time(NULL) + s.timeout_s;
	rc = sub_stream(&s, id, deadline);
	if (rc == 0)
		rc = sub_poll(&s, id, deadline);
	if (rc >= 0)
		status = sub_report(&s);
out:
	free(id);
	json_decref(s.result);
	if (s.token)
		sodium_memzero(s.token, strlen(s.token));
	free(s.token);
	sub_disconnect(&s);
	return status;
}
