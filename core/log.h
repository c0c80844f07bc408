/* Logging for the core: one line per call on stderr, with time and level.
 * Lines that may repeat without bound (libevent's own messages, refused
 * connections) go through ac_log_limited, which rate-limits them. */
#ifndef AC_LOG_H
#define AC_LOG_H
#include <algocode/plugin.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void ac_log_set_level(enum ac_log_level level);
/* Parse "error"/"warn"/"info"/"debug"; -EINVAL otherwise. */
int ac_log_level_parse(const char *s, enum ac_log_level *out);
/* When stderr is the journal's stream (JOURNAL_STREAM names it: started
 * by systemd), lines carry sd-daemon priority prefixes ("<3>" error, "<4>"
 * warn, "<6>" info, "<7>" debug) instead of the time and level.  Decided
 * at the first line; call again after stderr changed. */
void ac_log_detect_journal(void);
/* log.file: lines go to `path` (opened for appending onto stderr, so
 * children inherit it) instead of the inherited stderr; NULL keeps
 * stderr.  ac_log_reopen opens it again (SIGHUP, after logrotate moved
 * it); 0 when no file is set.  Both return 0 or -errno. */
int ac_log_set_file(const char *path);
int ac_log_reopen(void);
void ac_log(enum ac_log_level level, const char *fmt, ...) AC_PRINTF(2, 3);
void ac_logv(enum ac_log_level level, const char *prefix, const char *fmt,
             va_list ap);
/* Like ac_log, rate-limited (below): for lines an outside party can make
 * repeat (a flood of connections, libevent's warnings). */
void ac_log_limited(enum ac_log_level level, const char *prefix,
                    const char *fmt, ...) AC_PRINTF(3, 4);
/* Route libevent's messages (event_set_log_callback) through
 * ac_log_limited with the prefix "libevent": debug, info ("msg"), warn and
 * error map to our levels.  Idempotent; call before creating the event
 * base. */
void ac_log_route_libevent(void);
/* Print the summaries of windows that have ended (a timer calls this every
 * second, so a flood's summary does not wait for its next line). */
void ac_log_flush_due(void);
/* Print the summaries of lines still suppressed (at exit). */
void ac_log_flush_suppressed(void);

/* ---- The rate limiter (pure; unit-tested in tests/unit/check_log) ----
 *
 * Lines are "similar" when they are equal once every run of digits is
 * replaced by one '#' (descriptor numbers, ports and addresses differ,
 * the message does not).  Each kind of line may be written `burst` times
 * per window of `window_ms`; the rest of the window is counted, and once
 * the window has ended one summary line "suppressed N similar lines"
 * stands for them.  On top, at most `global_max` lines (summaries
 * excluded) are written per window whatever their kind: beyond, lines are
 * only counted, and summarised the same way.  So a flood writes at most
 * global_max lines and AC_LOG_RL_SLOTS + 1 summaries per window. */
#define AC_LOG_RL_SLOTS  32
#define AC_LOG_RL_SAMPLE 120

struct ac_log_rl_slot {
	uint64_t key;     /* 0: free */
	int64_t start_ms; /* the window of this kind of line */
	unsigned count;   /* lines written in the window */
	unsigned long suppressed;
	int level;                     /* of the first line */
	char sample[AC_LOG_RL_SAMPLE]; /* the first line, for the summary */
};

struct ac_log_rl {
	unsigned burst;
	unsigned global_max;
	int64_t window_ms;
	int64_t global_start_ms;
	unsigned global_count;
	unsigned long global_suppressed;
	struct ac_log_rl_slot slot[AC_LOG_RL_SLOTS];
};

void ac_log_rl_init(struct ac_log_rl *rl, unsigned burst, unsigned global_max,
                    int64_t window_ms);
/* The kind of a line: a hash of it with digit runs folded; never 0. */
uint64_t ac_log_rl_key(const char *line);
/* May `line` be written at now_ms?  Counts it either way. */
bool ac_log_rl_allow(struct ac_log_rl *rl, const char *line, int64_t now_ms);
/* A summary due at now_ms (a window that ended with lines suppressed, or
 * every pending one when `all`): true with *n, the level and the sample
 * line copied to buf (for the global counter: "lines over the log rate
 * limit"); call until false.  Summaries are not counted against
 * global_max.  A line's kind evicted from a full table hands its count to
 * the global counter, so nothing suppressed goes unreported. */
bool ac_log_rl_due(struct ac_log_rl *rl, int64_t now_ms, bool all,
                   unsigned long *n, int *level, char *buf, size_t len);
/* ac_log_rl_allow with the line's level kept for its summary. */
bool ac_log_rl_allow_level(struct ac_log_rl *rl, const char *line, int level,
                           int64_t now_ms);

#define log_error(...) ac_log(AC_LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  ac_log(AC_LOG_WARN, __VA_ARGS__)
#define log_info(...)  ac_log(AC_LOG_INFO, __VA_ARGS__)
#define log_debug(...) ac_log(AC_LOG_DEBUG, __VA_ARGS__)
#endif
