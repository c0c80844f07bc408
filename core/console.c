/* Static files of the web console (see console.h).  They are read once,
 * at start-up: a request never touches the file system, so no path of a
 * request is ever resolved (the names served are those found in the
 * directory, flat, of a restricted alphabet). */
#include "console.h"

#include "http.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONSOLE_MAX_FILES 64
#define CONSOLE_MAX_BYTES (16u << 20)
#define CONSOLE_MAX_NAME  64

struct console_file {
	char name[CONSOLE_MAX_NAME + 1];
	const char *ctype;
	char etag[24];
	char *data;
	size_t len;
};

struct ac_console {
	struct console_file files[CONSOLE_MAX_FILES];
	size_t n;
};

static const struct {
	const char *ext, *ctype;
} console_types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".json", "application/json"},
        {".webmanifest", "application/manifest+json"},
        {".txt", "text/plain; charset=utf-8"},
};

static const char *console_ctype(const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(console_types) / sizeof(*console_types);
	     i++) {
		size_t e = strlen(console_types[i].ext);

		if (n > e && strcmp(name + n - e, console_types[i].ext) == 0)
			return console_types[i].ctype;
	}
	return NULL;
}

static bool console_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CONSOLE_MAX_NAME || s[0] == '.')
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                 "0123456789._-") == n;
}

/* Read one file (dirfd-relative) into f.  -errno. */
static int console_read(int dirfd, const char *name, struct console_file *f,
                        size_t budget)
{
	struct stat sb;
	uint64_t h = 14695981039346656037ull;
	size_t got;
	ssize_t r;
	/* O_NONBLOCK: a FIFO of that name must not block start-up. */
	int fd = openat(dirfd, name,
	                O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		rc = -EINVAL;
		goto out;
	}
	if ((size_t)sb.st_size > budget) {
		rc = -EFBIG;
		goto out;
	}
	f->data = malloc((size_t)sb.st_size + 1);
	if (!f->data) {
		rc = -ENOMEM;
		goto out;
	}
	r = ac_read_bounded(fd, f->data, (size_t)sb.st_size);
	if (r < (ssize_t)sb.st_size) {
		rc = r < 0 ? (int)r : -EIO; /* an error, or shorter than stat */
		goto out;
	}
	got = (size_t)r;
	f->len = got;
	for (size_t i = 0; i < got; i++)
		h = (h ^ (unsigned char)f->data[i]) * 1099511628211ull;
	snprintf(f->etag, sizeof(f->etag), "\"%016llx\"",
	         (unsigned long long)h);
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->ctype = console_ctype(name);
out:
	if (rc < 0) {
		free(f->data);
		f->data = NULL;
	}
	close(fd);
	return rc;
}

int ac_console_load(const char *dir, struct ac_console **out, char *err,
                    size_t errlen)
{
	struct ac_console *c = NULL;
	size_t total = 0;
	struct dirent *de;
	DIR *d = opendir(dir);
	int rc = 0;

	*out = NULL;
	if (!d) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(-rc));
		return rc;
	}
	if (!(c = calloc(1, sizeof(*c)))) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	while ((de = readdir(d))) {
		struct console_file *f;

		if (!console_name_ok(de->d_name) || !console_ctype(de->d_name))
			continue;
		if (c->n == CONSOLE_MAX_FILES) {
			rc = -E2BIG;
			snprintf(err, errlen, "%s: more than %d files", dir,
			         CONSOLE_MAX_FILES);
			goto out;
		}
		f = &c->files[c->n];
		rc = console_read(dirfd(d), de->d_name, f,
		                  CONSOLE_MAX_BYTES - total);
		if (rc == -EINVAL) { /* not a regular file: not served */
			rc = 0;
			continue;
		}
		if (rc < 0) {
			snprintf(err, errlen, "%s/%s: %s", dir, de->d_name,
			         strerror(-rc));
			goto out;
		}
		total += f->len;
		c->n++;
	}
out:
	closedir(d);
	if (rc < 0) {
		ac_console_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void ac_console_free(struct ac_console *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->files[i].data);
	free(c);
}

size_t ac_console_count(const struct ac_console *c)
{
	return c ? c->n : 0;
}

static bool console_etag_match(const char *inm, const char *etag)
{
	return inm && (strcmp(inm, "*") == 0 || strstr(inm, etag));
}

/* A page with its nonce: every AC_CONSOLE_NONCE_MARK of f replaced. */
static struct evbuffer *console_page(const struct console_file *f,
                                     const char *nonce)
{
	struct evbuffer *b = evbuffer_new();
	size_t ml = strlen(AC_CONSOLE_NONCE_MARK);
	const char *p = f->data, *end = f->data + f->len, *m;

	if (!b)
		return NULL;
	while ((m = memmem(p, (size_t)(end - p), AC_CONSOLE_NONCE_MARK, ml))) {
		evbuffer_add(b, p, (size_t)(m - p));
		evbuffer_add(b, nonce, strlen(nonce));
		p = m + ml;
	}
	if (evbuffer_add(b, p, (size_t)(end - p)) < 0) {
		evbuffer_free(b);
		return NULL;
	}
	return b;
}

bool ac_console_serve(const struct ac_console *c, struct evhttp_request *req,
                      const char *path)
{
	enum evhttp_cmd_type m = evhttp_request_get_command(req);
	const struct console_file *f = NULL;
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	unsigned char raw[18];
	char nonce[32], csp[sizeof(AC_CONSOLE_CSP_FMT) + 32];
	const char *name;
	struct evbuffer *buf;
	bool html;

	if (!c || (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) ||
	    path[0] != '/')
		return false;
	name = path[1] ? path + 1 : "index.html";
	for (size_t i = 0; i < c->n && !f; i++)
		if (strcmp(c->files[i].name, name) == 0)
			f = &c->files[i];
	if (!f)
		return false;
	html = strncmp(f->ctype, "text/html", 9) == 0;
	/* A fresh nonce for every response (a page is never cached). */
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(nonce, sizeof(nonce), raw, sizeof(raw),
	                  sodium_base64_VARIANT_ORIGINAL);
	snprintf(csp, sizeof(csp), AC_CONSOLE_CSP_FMT, nonce);
	evhttp_add_header(h, "Content-Security-Policy", csp);
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	evhttp_add_header(h, "X-Frame-Options", "DENY");
	evhttp_add_header(h, "Cross-Origin-Opener-Policy", "same-origin");
	evhttp_add_header(h, "Content-Type", f->ctype);
	if (html) {
		/* Revalidated at every load: it carries the nonce and names
		 * the assets. */
		evhttp_add_header(h, "Cache-Control", "no-cache, no-store");
		buf = console_page(f, nonce);
	} else {
		/* Reused for an hour, then revalidated by ETag. */
		evhttp_add_header(h, "Cache-Control", "public, max-age=3600");
		evhttp_add_header(h, "ETag", f->etag);
		if (console_etag_match(
		            evhttp_find_header(
		                    evhttp_request_get_input_headers(req),
		                    "If-None-Match"),
		            f->etag)) {
			evhttp_send_reply(req, 304, ac_http_reason(304), NULL);
			return true;
		}
		buf = evbuffer_new();
		if (buf && evbuffer_add_reference(buf, f->data, f->len, NULL,
		                                  NULL) < 0) {
			evbuffer_free(buf);
			buf = NULL;
		}
	}
	if (!buf) {
		ac_http_error(req, 503, "Out of memory.");
		return true;
	}
	if (m == EVHTTP_REQ_HEAD) {
		char n[32];

		snprintf(n, sizeof(n), "%zu", evbuffer_get_length(buf));
		evhttp_add_header(h, "Content-Length", n);
		evbuffer_drain(buf, evbuffer_get_length(buf));
	}
	evhttp_send_reply(req, 200, ac_http_reason(200), buf);
	evbuffer_free(buf);
	return true;
}
