/* The OpenAPI document served at GET /api/v1/openapi.json (openapi.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>

#include "http.h"
#include "openapi.h"
#include "util.h"

#define OPENAPI_MAX_BYTES (4u << 20)

struct ac_openapi {
	char *data;
	size_t len;
};

void ac_openapi_free(struct ac_openapi *o)
{
	if (!o)
		return;
	free(o->data);
	free(o);
}

static int openapi_read(int fd, const char *path, struct ac_openapi *o,
                        char *err, size_t errlen)
{
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		return -EINVAL;
	}
	if ((size_t)st.st_size > OPENAPI_MAX_BYTES) {
		snprintf(err, errlen, "%s: larger than 4 MiB", path);
		return -EFBIG;
	}
	o->data = malloc((size_t)st.st_size + 1);
	if (!o->data) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	n = ac_read_bounded(fd, o->data, (size_t)st.st_size);
	if (n < (ssize_t)st.st_size) {
		snprintf(err, errlen, "%s: %s", path,
		         n < 0 ? strerror((int)-n) : "shorter than stat");
		return n < 0 ? (int)n : -EIO;
	}
	o->len = (size_t)n;
	return 0;
}

int ac_openapi_load(const char *path, struct ac_openapi **out, char *err,
                    size_t errlen)
{
	struct ac_openapi *o;
	json_error_t jerr;
	json_t *doc = NULL;
	int fd, rc;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	o = calloc(1, sizeof(*o));
	if (!o) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	rc = openapi_read(fd, path, o, err, errlen);
	if (rc < 0)
		goto out;
	doc = json_loadb(o->data, o->len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(doc)) {
		if (doc)
			snprintf(err, errlen, "%s: not a JSON object", path);
		else
			snprintf(err, errlen, "%s:%d: %s", path, jerr.line,
			         jerr.text);
		rc = -EINVAL;
		goto out;
	}
	*out = o;
	o = NULL;
out:
	json_decref(doc);
	ac_openapi_free(o);
	close(fd);
	return rc;
}

bool ac_openapi_serve(const struct ac_openapi *o, struct evhttp_request *req)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *buf;

	if (!o)
		return false;
	buf = evbuffer_new();
	if (!buf ||
	    (evhttp_request_get_command(req) != EVHTTP_REQ_HEAD &&
	     evbuffer_add_reference(buf, o->data, o->len, NULL, NULL) < 0)) {
		if (buf)
			evbuffer_free(buf);
		ac_http_error(req, 503, "Out of memory.");
		return true;
	}
	evhttp_add_header(h, "Content-Type", "application/json");
	evhttp_add_header(h, "Cache-Control", "public, max-age=3600");
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		char n[32];

		snprintf(n, sizeof(n), "%zu", o->len);
		evhttp_add_header(h, "Content-Length", n);
	}
	evhttp_send_reply(req, 200, ac_http_reason(200), buf);
	evbuffer_free(buf);
	return true;
}
