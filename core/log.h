/* Logging for the core: one line per call on stderr, with a level prefix. */
#ifndef AC_LOG_H
#define AC_LOG_H
#include <algocode/plugin.h>
#include <stdarg.h>

void ac_log_set_level(enum ac_log_level level);
enum ac_log_level ac_log_get_level(void);
/* Parse "error"/"warn"/"info"/"debug"; -EINVAL otherwise. */
int ac_log_level_parse(const char *s, enum ac_log_level *out);
void ac_log(enum ac_log_level level, const char *fmt, ...) AC_PRINTF(2, 3);
void ac_logv(enum ac_log_level level, const char *prefix, const char *fmt,
             va_list ap);

#define log_error(...) ac_log(AC_LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  ac_log(AC_LOG_WARN, __VA_ARGS__)
#define log_info(...)  ac_log(AC_LOG_INFO, __VA_ARGS__)
#define log_debug(...) ac_log(AC_LOG_DEBUG, __VA_ARGS__)
#endif
