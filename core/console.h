/* The web console's static files (docs/console.md), served by the api role
 * under / from api.console_dir: loaded into memory at start-up, answered
 * with an ETag, caching headers and a strict Content-Security-Policy. */
#ifndef AC_CONSOLE_H
#define AC_CONSOLE_H
#include <stdbool.h>
#include <stddef.h>

struct ac_console;
struct evhttp_request;

/* Where the package installs the console when api.console_dir is unset. */
#ifndef AC_CONSOLE_DIR
#define AC_CONSOLE_DIR "/usr/share/algocode/console"
#endif

/* The Content-Security-Policy of every console file: only this origin,
 * no inline script, no eval, no framing; style elements only with the
 * page's nonce (the editor's generated styles), style attributes allowed
 * (they run nothing).  %s: the nonce of this response. */
#define AC_CONSOLE_CSP_FMT                                                     \
	"default-src 'none'; script-src 'self'; style-src 'self' "             \
	"'nonce-%s'; style-src-attr 'unsafe-inline'; img-src 'self' data:; "   \
	"font-src 'self'; connect-src 'self'; manifest-src 'self'; "           \
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
/* The placeholder of a page replaced by the nonce of each response. */
#define AC_CONSOLE_NONCE_MARK "{{CSP_NONCE}}"

/* Load the files of dir (regular files with a known type, at most 64 and
 * 16 MiB in all).  -ENOENT when dir does not exist; other errors with a
 * message. */
int ac_console_load(const char *dir, struct ac_console **out, char *err,
                    size_t errlen);
void ac_console_free(struct ac_console *c);
/* Number of files loaded. */
size_t ac_console_count(const struct ac_console *c);
/* A GET or HEAD of "/" (index.html) or "/NAME" of a loaded file: answered
 * (200, or 304 for a matching If-None-Match), true.  false otherwise
 * (req untouched). */
bool ac_console_serve(const struct ac_console *c, struct evhttp_request *req,
                      const char *path);
#endif
