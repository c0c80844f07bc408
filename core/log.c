/* Logging: one line per message on stderr, with time and level. */
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static enum ac_log_level log_level = AC_LOG_INFO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const log_names[] = {"error", "warn", "info", "debug"};

void ac_log_set_level(enum ac_log_level level)
{
	log_level = level;
}

enum ac_log_level ac_log_get_level(void)
{
	return log_level;
}

int ac_log_level_parse(const char *s, enum ac_log_level *out)
{
	for (size_t i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++) {
		if (strcasecmp(s, log_names[i]) == 0) {
			*out = (enum ac_log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

void ac_logv(enum ac_log_level level, const char *prefix, const char *fmt,
             va_list ap)
{
	struct timespec ts;
	struct tm tm;
	char when[32];

	if (level > log_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	pthread_mutex_lock(&log_lock);
	fprintf(stderr, "%s.%03ldZ %-5s ", when, ts.tv_nsec / 1000000,
	        log_names[level]);
	if (prefix)
		fprintf(stderr, "%s: ", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	pthread_mutex_unlock(&log_lock);
}

void ac_log(enum ac_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ac_logv(level, NULL, fmt, ap);
	va_end(ap);
}
