/* sandbox/docker: a small HTTP/1.1 client for the Engine API over its
 * unix socket: one request per connection (Connection: close), status and
 * headers parsed, Content-Length, chunked and read-until-close bodies;
 * chunked uploads. */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../../common/plugin_util.h"
#include "dk.h"

void dk_resp_free(struct dk_resp *r)
{
	free(r->body);
	r->body = NULL;
	r->len = 0;
}

static int http_connect(const char *sock)
{
	struct sockaddr_un sa;
	int fd;

	if (strlen(sock) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

/* Wait until fd is ready for `ev` or the deadline passes. */
static int http_wait(int fd, short ev, int64_t deadline)
{
	struct pollfd p = {fd, ev, 0};

	for (;;) {
		int64_t left = deadline - pu_mono_ms();
		int r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)(left > 60000 ? 60000 : left));
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

static int http_send_all(int fd, const char *buf, size_t len, int64_t deadline)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				int r = http_wait(fd, POLLOUT, deadline);

				if (r < 0)
					return r;
				continue;
			}
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int http_send_head(int fd, const char *method, const char *path,
                          const char *ctype, long long clen, int64_t deadline)
{
	char head[2048];
	int n;

	n = snprintf(head, sizeof(head),
	             "%s %s HTTP/1.1\r\nHost: docker\r\n"
	             "User-Agent: algocode-sandbox-docker\r\n"
	             "Connection: close\r\n",
	             method, path);
	if (n < 0 || (size_t)n >= sizeof(head))
		return -ENAMETOOLONG;
	if (clen >= 0)
		n += snprintf(head + n, sizeof(head) - (size_t)n,
		              "Content-Type: %s\r\nContent-Length: %lld\r\n",
		              ctype, clen);
	else if (clen == -2)
		n += snprintf(head + n, sizeof(head) - (size_t)n,
		              "Content-Type: %s\r\n"
		              "Transfer-Encoding: chunked\r\n",
		              ctype);
	if ((size_t)n + 3 > sizeof(head))
		return -ENAMETOOLONG;
	memcpy(head + n, "\r\n", 3);
	return http_send_all(fd, head, (size_t)n + 2, deadline);
}

/* Find the end of the header block in buf[0..len). */
static char *http_head_end(char *buf, size_t len)
{
	return memmem(buf, len, "\r\n\r\n", 4);
}

/* Decode a chunked body in place; returns its length or -EPROTO. */
static long http_dechunk(char *b, size_t len)
{
	size_t in = 0, out = 0;

	for (;;) {
		char *end;
		unsigned long sz;
		char *nl = memmem(b + in, len - in, "\r\n", 2);

		if (!nl)
			return -EPROTO;
		errno = 0;
		sz = strtoul(b + in, &end, 16);
		if (errno || end == b + in)
			return -EPROTO;
		in = (size_t)(nl - b) + 2;
		if (sz == 0)
			return (long)out;
		if (sz > len - in)
			return -EPROTO;
		memmove(b + out, b + in, sz);
		out += sz;
		in += sz;
		if (len - in < 2)
			return -EPROTO;
		in += 2;
	}
}

/* Read the whole response (the server closes after it) and parse it. */
static int http_read_resp(int fd, struct dk_resp *out, int64_t deadline)
{
	size_t cap = 8192, len = 0;
	char *buf = malloc(cap + 1), *he, *p;
	long long clen = -1;
	bool chunked = false;
	int r;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb;

			if (cap >= DK_HTTP_MAX) {
				r = -EFBIG;
				goto fail;
			}
			cap *= 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				r = -ENOMEM;
				goto fail;
			}
			buf = nb;
		}
		n = recv(fd, buf + len, cap - len, MSG_DONTWAIT);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				r = http_wait(fd, POLLIN, deadline);
				if (r < 0)
					goto fail;
				continue;
			}
			r = -errno;
			goto fail;
		}
		len += (size_t)n;
		/* Stop at Content-Length when the server keeps the line. */
		he = http_head_end(buf, len);
		if (he && clen < 0 && !chunked) {
			buf[len] = '\0';
			p = strcasestr(buf, "\r\ncontent-length:");
			if (p && p < he)
				clen = strtoll(p + 17, NULL, 10);
			p = strcasestr(buf, "\r\ntransfer-encoding: chunked");
			chunked = p && p < he;
		}
		if (he && clen >= 0 && len >= (size_t)(he + 4 - buf) + clen)
			break;
		if (he && chunked && len >= 5 &&
		    memcmp(buf + len - 5, "0\r\n\r\n", 5) == 0)
			break;
	}
	buf[len] = '\0';
	he = http_head_end(buf, len);
	if (len < 12 || strncmp(buf, "HTTP/1.", 7) != 0 || !he) {
		r = -EPROTO;
		goto fail;
	}
	out->status = atoi(buf + 9);
	p = he + 4;
	len -= (size_t)(p - buf);
	memmove(buf, p, len);
	buf[len] = '\0';
	if (chunked) {
		long l = http_dechunk(buf, len);

		if (l < 0) {
			r = (int)l;
			goto fail;
		}
		len = (size_t)l;
	} else if (clen >= 0 && (size_t)clen < len) {
		len = (size_t)clen;
	}
	buf[len] = '\0';
	out->body = buf;
	out->len = len;
	return 0;
fail:
	free(buf);
	return r;
}

int dk_http(const char *sock, const char *method, const char *path,
            const char *body, size_t blen, struct dk_resp *out, int timeout_ms)
{
	int64_t deadline = pu_mono_ms() + timeout_ms;
	int fd, r;

	memset(out, 0, sizeof(*out));
	fd = http_connect(sock);
	if (fd < 0)
		return fd;
	r = http_send_head(fd, method, path, "application/json",
	                   body ? (long long)blen : 0, deadline);
	if (r == 0 && body && blen)
		r = http_send_all(fd, body, blen, deadline);
	if (r == 0)
		r = http_read_resp(fd, out, deadline);
	close(fd);
	return r;
}

int dk_http_upload(const char *sock, const char *path, const char *ctype,
                   int in, struct dk_resp *out)
{
	/* An image import may take minutes. */
	int64_t deadline = pu_mono_ms() + 30 * 60 * 1000;
	char *buf = malloc(65536 + 32);
	int fd, r;

	memset(out, 0, sizeof(*out));
	if (!buf)
		return -ENOMEM;
	fd = http_connect(sock);
	if (fd < 0) {
		free(buf);
		return fd;
	}
	r = http_send_head(fd, "POST", path, ctype, -2, deadline);
	while (r == 0) {
		ssize_t n = read(in, buf + 16, 65536);
		int h;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		if (n == 0) {
			r = http_send_all(fd, "0\r\n\r\n", 5, deadline);
			break;
		}
		/* The chunk header goes right before the data. */
		h = snprintf(buf, 16, "%zx\r\n", (size_t)n);
		memmove(buf + h, buf + 16, (size_t)n);
		memcpy(buf + h + n, "\r\n", 2);
		r = http_send_all(fd, buf, (size_t)h + (size_t)n + 2, deadline);
	}
	if (r == 0)
		r = http_read_resp(fd, out, deadline);
	close(fd);
	free(buf);
	return r;
}
