/* sandbox/docker: shared declarations (see docker.c, docs/sandbox-docker.md).
 */
#ifndef ALGOCODE_SANDBOX_DOCKER_H
#define ALGOCODE_SANDBOX_DOCKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest response body read from the Engine API. */
#define DK_HTTP_MAX (16u << 20)

/* One answer of the Engine API.  body is malloc'ed and NUL-terminated (the
 * caller frees it); status is the HTTP status. */
struct dk_resp {
	int status;
	char *body;
	size_t len;
};

/* One request over the unix socket `sock` (Connection: close).  body may
 * be NULL (no body); ctype defaults to application/json.  Returns 0 with
 * *out filled (any status), or a negative errno when the daemon could not
 * be reached or answered garbage. */
int dk_http(const char *sock, const char *method, const char *path,
            const char *body, size_t blen, struct dk_resp *out, int timeout_ms);

/* Like dk_http, but the request body is read from fd `in` until EOF and
 * sent with chunked transfer encoding (image import). */
int dk_http_upload(const char *sock, const char *path, const char *ctype,
                   int in, struct dk_resp *out);

/* POST `path` with a JSON body and hijack the connection (Upgrade: tcp),
 * as /exec/{id}/start does.  Returns the connected socket (the caller
 * closes it) and copies what followed the response headers into
 * extra[*nextra] (at most extra_cap bytes), or a negative errno. */
int dk_http_hijack(const char *sock, const char *path, const char *body,
                   char *extra, size_t extra_cap, size_t *nextra,
                   int timeout_ms);

void dk_resp_free(struct dk_resp *r);

/* The static runner/init shipped inside the plugin (runner_blob.h). */
extern const unsigned char dk_runner_blob[];
extern const size_t dk_runner_blob_len;

#endif
