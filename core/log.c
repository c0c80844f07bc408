/* Logging: one line per message on stderr, with time and level; a rate
 * limiter for lines that may repeat without bound (see log.h). */
#include "log.h"
#include "util.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Per kind of line: 5 a second; all kinds together: 50 a second. */
#define LOG_RL_BURST     5
#define LOG_RL_GLOBAL    50
#define LOG_RL_WINDOW_MS 1000

static enum ac_log_level log_level = AC_LOG_INFO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ac_log_rl log_rl = {
        .burst = LOG_RL_BURST,
        .global_max = LOG_RL_GLOBAL,
        .window_ms = LOG_RL_WINDOW_MS,
};

static const char *const log_names[] = {"error", "warn", "info", "debug"};
/* sd-daemon(3) priorities of the levels: err, warning, info, debug. */
static const char log_prio[] = {'3', '4', '6', '7'};
/* -1: not decided yet; 1: stderr is the journal's stream. */
static int log_journal = -1;
static char *log_file; /* log.file, for ac_log_reopen */

/* Is stderr the stream systemd connected to the journal?  JOURNAL_STREAM
 * holds "device:inode" of it (systemd.exec(5)); a child that inherited
 * the variable but not the descriptor must not add prefixes. */
static bool log_stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

void ac_log_detect_journal(void)
{
	pthread_mutex_lock(&log_lock);
	log_journal = log_stderr_is_journal();
	pthread_mutex_unlock(&log_lock);
}

/* Open log.file onto stderr; log_lock held. */
static int log_open_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	int r = 0;

	if (fd < 0)
		return -errno;
	fflush(stderr);
	if (dup2(fd, STDERR_FILENO) < 0)
		r = -errno;
	close(fd);
	log_journal = 0;
	return r;
}

int ac_log_set_file(const char *path)
{
	char *copy = path ? strdup(path) : NULL;
	int r = 0;

	if (path && !copy)
		return -ENOMEM;
	pthread_mutex_lock(&log_lock);
	free(log_file);
	log_file = copy;
	if (log_file)
		r = log_open_file(log_file);
	pthread_mutex_unlock(&log_lock);
	return r;
}

int ac_log_reopen(void)
{
	int r = 0;

	pthread_mutex_lock(&log_lock);
	if (log_file)
		r = log_open_file(log_file);
	pthread_mutex_unlock(&log_lock);
	return r;
}

void ac_log_set_level(enum ac_log_level level)
{
	log_level = level;
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

/* One line; log_lock held. */
static void log_write(enum ac_log_level level, const char *prefix,
                      const char *fmt, va_list ap)
{
	struct timespec ts;
	struct tm tm;
	char when[32];

	if (log_journal < 0)
		log_journal = log_stderr_is_journal();
	if (log_journal) {
		/* The journal keeps the time; the prefix is the priority. */
		fprintf(stderr, "<%c>", log_prio[level]);
	} else {
		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ldZ %-5s ", when, ts.tv_nsec / 1000000,
		        log_names[level]);
	}
	if (prefix)
		fprintf(stderr, "%s: ", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void log_writef(enum ac_log_level level, const char *prefix,
                       const char *fmt, ...) AC_PRINTF(3, 4);
static void log_writef(enum ac_log_level level, const char *prefix,
                       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_write(level, prefix, fmt, ap);
	va_end(ap);
}

void ac_logv(enum ac_log_level level, const char *prefix, const char *fmt,
             va_list ap)
{
	if (level > log_level)
		return;
	pthread_mutex_lock(&log_lock);
	log_write(level, prefix, fmt, ap);
	pthread_mutex_unlock(&log_lock);
}

void ac_log(enum ac_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ac_logv(level, NULL, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------ */
/* Rate limiter                                                         */

void ac_log_rl_init(struct ac_log_rl *rl, unsigned burst, unsigned global_max,
                    int64_t window_ms)
{
	memset(rl, 0, sizeof(*rl));
	rl->burst = burst;
	rl->global_max = global_max;
	rl->window_ms = window_ms;
}

uint64_t ac_log_rl_key(const char *line)
{
	uint64_t h = 14695981039346656037ULL;
	bool digits = false;

	for (const unsigned char *p = (const unsigned char *)line; *p; p++) {
		unsigned char c = *p;

		if (c >= '0' && c <= '9') {
			if (digits)
				continue;
			digits = true;
			c = '#';
		} else {
			digits = false;
		}
		h ^= c;
		h *= 1099511628211ULL;
	}
	return h ? h : 1;
}

/* The slot of key, or a slot made free for it. */
static struct ac_log_rl_slot *log_rl_slot(struct ac_log_rl *rl, uint64_t key,
                                          int64_t now_ms)
{
	struct ac_log_rl_slot *free_slot = NULL, *idle = NULL, *oldest = NULL;

	for (size_t i = 0; i < AC_LOG_RL_SLOTS; i++) {
		struct ac_log_rl_slot *s = &rl->slot[i];

		if (s->key == key)
			return s;
		if (!s->key) {
			if (!free_slot)
				free_slot = s;
		} else if (!s->suppressed &&
		           now_ms - s->start_ms >= rl->window_ms) {
			if (!idle)
				idle = s;
		} else if (!oldest || s->start_ms < oldest->start_ms) {
			oldest = s;
		}
	}
	if (free_slot)
		return free_slot;
	if (idle)
		return idle;
	/* Every slot busy: the oldest kind's count goes to the global one. */
	rl->global_suppressed += oldest->suppressed;
	oldest->suppressed = 0;
	return oldest;
}

bool ac_log_rl_allow_level(struct ac_log_rl *rl, const char *line, int level,
                           int64_t now_ms)
{
	uint64_t key = ac_log_rl_key(line);
	struct ac_log_rl_slot *s = log_rl_slot(rl, key, now_ms);

	if (s->key != key) {
		s->key = key;
		s->start_ms = now_ms;
		s->count = 0;
		s->suppressed = 0;
		s->level = level;
		snprintf(s->sample, sizeof(s->sample), "%s", line);
	} else if (now_ms - s->start_ms >= rl->window_ms) {
		s->start_ms = now_ms;
		s->count = 0;
	}
	if (now_ms - rl->global_start_ms >= rl->window_ms) {
		rl->global_start_ms = now_ms;
		rl->global_count = 0;
	}
	if (s->count >= rl->burst) {
		s->suppressed++;
		return false;
	}
	if (rl->global_count >= rl->global_max) {
		rl->global_suppressed++;
		return false;
	}
	s->count++;
	rl->global_count++;
	return true;
}

bool ac_log_rl_allow(struct ac_log_rl *rl, const char *line, int64_t now_ms)
{
	return ac_log_rl_allow_level(rl, line, AC_LOG_WARN, now_ms);
}

bool ac_log_rl_due(struct ac_log_rl *rl, int64_t now_ms, bool all,
                   unsigned long *n, int *level, char *buf, size_t len)
{
	for (size_t i = 0; i < AC_LOG_RL_SLOTS; i++) {
		struct ac_log_rl_slot *s = &rl->slot[i];

		if (!s->key || !s->suppressed)
			continue;
		if (!all && now_ms - s->start_ms < rl->window_ms)
			continue;
		*n = s->suppressed;
		*level = s->level;
		snprintf(buf, len, "%s", s->sample);
		s->suppressed = 0;
		return true;
	}
	if (rl->global_suppressed &&
	    (all || now_ms - rl->global_start_ms >= rl->window_ms)) {
		*n = rl->global_suppressed;
		*level = AC_LOG_WARN;
		snprintf(buf, len, "lines over the log rate limit");
		rl->global_suppressed = 0;
		return true;
	}
	return false;
}

/* Summaries due; log_lock held. */
static void log_summaries(int64_t now, bool all)
{
	char sample[AC_LOG_RL_SAMPLE];
	unsigned long n;
	int level;

	while (ac_log_rl_due(&log_rl, now, all, &n, &level, sample,
	                     sizeof(sample)))
		log_writef((enum ac_log_level)level, NULL,
		           "suppressed %lu similar lines: %s", n, sample);
}

void ac_log_limited(enum ac_log_level level, const char *prefix,
                    const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int64_t now;
	size_t off = 0;

	if (level > log_level)
		return;
	if (prefix)
		off = (size_t)snprintf(line, sizeof(line), "%s: ", prefix);
	if (off >= sizeof(line))
		off = 0;
	va_start(ap, fmt);
	vsnprintf(line + off, sizeof(line) - off, fmt, ap);
	va_end(ap);
	now = ac_mono_ms();
	pthread_mutex_lock(&log_lock);
	log_summaries(now, false);
	if (ac_log_rl_allow_level(&log_rl, line, level, now))
		log_writef(level, NULL, "%s", line);
	pthread_mutex_unlock(&log_lock);
}

void ac_log_flush_due(void)
{
	pthread_mutex_lock(&log_lock);
	log_summaries(ac_mono_ms(), false);
	pthread_mutex_unlock(&log_lock);
}

void ac_log_flush_suppressed(void)
{
	pthread_mutex_lock(&log_lock);
	log_summaries(ac_mono_ms(), true);
	pthread_mutex_unlock(&log_lock);
}

static void log_libevent_cb(int severity, const char *msg)
{
	enum ac_log_level level;

	switch (severity) {
	case EVENT_LOG_DEBUG:
		level = AC_LOG_DEBUG;
		break;
	case EVENT_LOG_MSG:
		level = AC_LOG_INFO;
		break;
	case EVENT_LOG_WARN:
		level = AC_LOG_WARN;
		break;
	default:
		level = AC_LOG_ERROR;
		break;
	}
	ac_log_limited(level, "libevent", "%s", msg ? msg : "");
}

void ac_log_route_libevent(void)
{
	event_set_log_callback(log_libevent_cb);
}
