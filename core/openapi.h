/* The OpenAPI 3.1 document of the HTTP API (docs/openapi.json), served by
 * the api role at GET /api/v1/openapi.json: read into memory at start-up
 * from api.openapi_file, as the web console's files are (console.c). */
#ifndef AC_OPENAPI_H
#define AC_OPENAPI_H
#include <stdbool.h>
#include <stddef.h>

struct ac_openapi;
struct evhttp_request;

/* Where the package installs the document when api.openapi_file is unset. */
#ifndef AC_OPENAPI_FILE
#define AC_OPENAPI_FILE "/usr/share/doc/algocode/openapi.json"
#endif

/* Read path (a regular file of at most 4 MiB holding a JSON object) into
 * *out, which the caller frees with ac_openapi_free.  -ENOENT when path does
 * not exist; every error with a message in err. */
int ac_openapi_load(const char *path, struct ac_openapi **out, char *err,
                    size_t errlen);
void ac_openapi_free(struct ac_openapi *o);
/* Answer a GET or HEAD with the document (200, application/json), true;
 * false when o is NULL (nothing loaded; req untouched). */
bool ac_openapi_serve(const struct ac_openapi *o, struct evhttp_request *req);
#endif
