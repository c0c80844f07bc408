/* The api role: HTTP endpoints of design.md on api.listen, submission
 * publishing, result consumption and the parked result waits. */
#ifndef AC_API_H
#define AC_API_H
#include <stddef.h>
struct ac_core;
int ac_api_start(struct ac_core *core, char *err, size_t errlen);
void ac_api_stop(struct ac_core *core);
#endif
