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

void dk_resp_free(struct dk_resp *r);

/* ------------------------------------------------- the judge and the agent
 *
 * The container's init (runner.c, "runner init") is an agent the judge
 * drives over a unix socket; docs/sandbox-docker.md describes the protocol.
 *
 * Control connection: the agent listens on DK_CTL_PATH (a root-only
 * tmpfs), accepts one connection from outside its pid namespace (the
 * judge), removes the listener and sends DK_CTL_HELLO.  Each run is then
 * one struct dk_run_msg carrying DK_RUN_NFDS descriptors (SCM_RIGHTS:
 * stdin, stdout, stderr, the run socket), followed on the stream by `len`
 * bytes: argc then envc NUL-terminated strings.  When the connection
 * closes the agent exits, and the container with it.
 *
 * Run socket (SOCK_SEQPACKET, one per run, SO_PASSCRED on the judge's
 * end): the forked child sends DK_MSG_READY (the kernel adds its pid as the
 * judge sees it), the judge moves that pid into the run's cgroups and
 * answers DK_MSG_GO; the child sends "noexec ERRNO" when it cannot exec;
 * the agent sends "exit N", "signal N" or "nofork ERRNO" and closes it. */
#define DK_CTL_DIR         "/.algocode/run"
#define DK_CTL_PATH        DK_CTL_DIR "/ctl"
#define DK_CTL_HELLO       'A'
#define DK_RUN_MAGIC       0x616c6731u /* "alg1" */
#define DK_RUN_NFDS        4
#define DK_RUN_STRINGS_MAX (4u << 20) /* argv and environment, bytes */
#define DK_MSG_READY       "ready"
#define DK_MSG_GO          'G'
#define DK_MSG_MAX         64 /* longest run socket message */

struct dk_run_msg {
	uint32_t magic;
	uint32_t uid, gid; /* never 0 */
	uint32_t argc;     /* >= 1 */
	uint32_t envc;
	uint32_t len; /* bytes of strings that follow, <= DK_RUN_STRINGS_MAX */
	uint64_t cpu_s, fsize_kb, stack_kb,
	        nofile; /* rlimits (0 stack: none) */
};

/* The static runner/init shipped inside the plugin (runner_blob.h). */
extern const unsigned char dk_runner_blob[];
extern const size_t dk_runner_blob_len;

#endif
