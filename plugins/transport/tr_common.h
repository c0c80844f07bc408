/* Helpers shared by the broker transports (rabbitmq, nats), header-only so
 * that each plugin stays one self-contained .so and the unit tests can call
 * them directly (tests/unit/check_tr_common.c).  Prefix: trc_.
 *
 *  - trc_backoff_ms(): the reconnect back-off, a pure function;
 *  - trc_jitter(): a cheap jitter source for it;
 *  - trc_msg_id(): the submission id of a job or result body, used as the
 *    broker's message id (JetStream de-duplication, AMQP message_id);
 *  - trc_lang_ok(), trc_lang_queue(), trc_lang_queues(): language names,
 *    which become queue names and subject tokens (inproc uses these too);
 *  - the settings both brokers declare (TRC_MAX_DELIVERIES_SETTING,
 *    TRC_RECONNECT_SETTINGS) and trc_conf_reconnect(), which reads the
 *    reconnect pair.
 */
#ifndef ALGOCODE_TR_COMMON_H
#define ALGOCODE_TR_COMMON_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include <algocode/plugin.h>

#include "../common/plugin_util.h"

/* Bounds of transport.reconnect_min_ms / reconnect_max_ms (and their
 * defaults): a broker that is down costs one refused TCP connection per
 * attempt, so the cap is small by default; it is also the longest the
 * transport can take to notice that the broker answers again. */
#define TRC_RECONNECT_MIN_DEFAULT 100
#define TRC_RECONNECT_MAX_DEFAULT 500
#define TRC_RECONNECT_LO          10
#define TRC_RECONNECT_HI          60000

/* Entries of the brokers' settings tables (the defaults are the
 * TRC_RECONNECT_*_DEFAULT above, written as the configuration would). */
#define TRC_MAX_DELIVERIES_SETTING                                             \
	AC_SET_INT("max_deliveries", "5", 1, 1000,                             \
	           "deliveries of one job before it is dead-lettered")
#define TRC_RECONNECT_SETTINGS                                                 \
	AC_SET_INT("reconnect_min_ms", "100", TRC_RECONNECT_LO,                \
	           TRC_RECONNECT_HI,                                           \
	           "wait before the first reconnect attempt, doubled after "   \
	           "each failed one"),                                         \
	        AC_SET_INT("reconnect_max_ms", "500", TRC_RECONNECT_LO,        \
	                   TRC_RECONNECT_HI,                                   \
	                   "the longest wait between two attempts (at least "  \
	                   "reconnect_min_ms)")

/* transport.reconnect_min_ms and reconnect_max_ms (TRC_RECONNECT_SETTINGS)
 * into *min_ms and *max_ms: 0, or a negative errno (logged; -EINVAL when
 * max is less than min). */
static inline int trc_conf_reconnect(const struct ac_host *host,
                                     struct ac_plugin_ctx *ctx, int64_t *min_ms,
                                     int64_t *max_ms)
{
	long long lo = TRC_RECONNECT_MIN_DEFAULT,
	          hi = TRC_RECONNECT_MAX_DEFAULT;
	int r = pu_conf_int(host, ctx, "reconnect_min_ms", &lo);

	if (r == 0)
		r = pu_conf_int(host, ctx, "reconnect_max_ms", &hi);
	if (r < 0)
		return r;
	if (hi < lo) {
		host->log(ctx, AC_LOG_ERROR,
		          "transport.reconnect_max_ms (%lld) is less than "
		          "transport.reconnect_min_ms (%lld)",
		          hi, lo);
		return -EINVAL;
	}
	*min_ms = lo;
	*max_ms = hi;
	return 0;
}

/* The longest language name (a queue name or subject token part). */
#define TRC_MAX_LANG 64

/* The most languages one consume_jobs takes. */
#define TRC_MAX_LANGS 1024

/* The longest submission id used as a message id (core/msg.c: 128). */
#define TRC_MSG_ID_MAX 128

/* The wait before reconnect attempt `attempt` (1: the first after the
 * connection was lost or could not be made): min_ms doubled for every
 * further attempt, capped at max_ms, then reduced by up to a quarter by
 * `jitter` (0..999; 0: no reduction) so that many clients do not retry in
 * step.  Never below 1 ms, never above max_ms.  Callers reset `attempt`
 * once connected. */
static inline int64_t trc_backoff_ms(int64_t min_ms, int64_t max_ms,
                                     unsigned attempt, unsigned jitter)
{
	int64_t d;

	if (min_ms < 1)
		min_ms = 1;
	if (max_ms < min_ms)
		max_ms = min_ms;
	if (attempt < 1)
		attempt = 1;
	if (jitter > 999)
		jitter = 999;
	d = min_ms;
	for (unsigned i = 1; i < attempt && d < max_ms; i++)
		d *= 2;
	if (d > max_ms)
		d = max_ms;
	d -= d * (int64_t)jitter / 4000;
	return d < 1 ? 1 : d;
}

/* 0..999 from the clock's nanoseconds: enough to spread clients apart. */
static inline unsigned trc_jitter(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned)((ts.tv_nsec / 1000) % 1000);
}

/* The top-level "submission_id" of a job or result body (JSON, core/msg.c)
 * into out (size > TRC_MSG_ID_MAX): 0; -ENOENT when the body has none (or
 * is not JSON), and for a progress message ("type":"progress": several
 * per submission, best-effort, never de-duplicated: with the submission id
 * as its message id, JetStream would drop the result that follows it);
 * -EINVAL when it is not a usable id (empty, too long, or a
 * character outside [A-Za-z0-9._:-]: it goes into a NATS header and an AMQP
 * short string). */
static inline int trc_msg_id(const char *body, size_t len, char *out,
                             size_t size)
{
	json_t *root;
	const char *id;
	size_t n;
	int rc = 0;

	if (size == 0)
		return -EINVAL;
	out[0] = '\0';
	if (!body)
		return -ENOENT;
	root = json_loadb(body, len, 0, NULL);
	if (!root)
		return -ENOENT;
	id = json_string_value(json_object_get(root, "submission_id"));
	if (!id || (json_is_string(json_object_get(root, "type")) &&
	            strcmp(json_string_value(json_object_get(root, "type")),
	                   "progress") == 0)) {
		rc = -ENOENT;
		goto out;
	}
	n = strlen(id);
	if (n == 0 || n > TRC_MSG_ID_MAX || n >= size) {
		rc = -EINVAL;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == ':' || c == '-')) {
			rc = -EINVAL;
			goto out;
		}
	}
	memcpy(out, id, n + 1);
out:
	json_decref(root);
	return rc;
}

/* Languages become queue names and subject tokens: keep them short and
 * boring.  0 when lang is 1..TRC_MAX_LANG bytes of [A-Za-z0-9_-], and also
 * '+' and '.' when plus_dot (not in a NATS subject token); else -EINVAL. */
static inline int trc_lang_ok(const char *lang, bool plus_dot)
{
	size_t n;

	if (!lang)
		return -EINVAL;
	n = strlen(lang);
	if (n == 0 || n > TRC_MAX_LANG)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char c = lang[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      (plus_dot && (c == '+' || c == '.'))))
			return -EINVAL;
	}
	return 0;
}

/* The queue of lang's jobs, "<prefix><lang>", into buf: 0, or -EINVAL when
 * lang is not a language name (trc_lang_ok, '+' and '.' allowed) or buf is
 * too small. */
static inline int trc_lang_queue(const char *prefix, const char *lang,
                                 char *buf, size_t size)
{
	if (trc_lang_ok(lang, true) < 0)
		return -EINVAL;
	if ((size_t)snprintf(buf, size, "%s%s", prefix, lang) >= size)
		return -EINVAL;
	return 0;
}

/* Free what trc_lang_queues made. */
static inline void trc_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The job queues of the NULL-terminated langs (trc_lang_queue each) into
 * *names (n of them, the caller frees with trc_names_free).  -EINVAL when
 * langs is empty or has more than TRC_MAX_LANGS names, or (with *bad_name
 * set, for the caller's log) when one is not a language name; -ENOMEM. */
static inline int trc_lang_queues(const char *prefix, const char *const *langs,
                                  char ***names, size_t *n, bool *bad_name)
{
	size_t size = strlen(prefix) + TRC_MAX_LANG + 1;
	char **v;
	int ret = 0;

	*names = NULL;
	*n = 0;
	*bad_name = false;
	if (!langs || !langs[0])
		return -EINVAL;
	while (langs[*n])
		(*n)++;
	if (*n > TRC_MAX_LANGS) {
		*n = 0;
		return -EINVAL;
	}
	v = calloc(*n, sizeof(*v));
	if (!v) {
		*n = 0;
		return -ENOMEM;
	}
	for (size_t i = 0; i < *n && ret == 0; i++) {
		v[i] = malloc(size);
		if (!v[i])
			ret = -ENOMEM;
		else if ((ret = trc_lang_queue(prefix, langs[i], v[i], size)) <
		         0)
			*bad_name = true;
	}
	if (ret < 0) {
		trc_names_free(v, *n);
		*n = 0;
		return ret;
	}
	*names = v;
	return 0;
}

/* publish_job's queue, trc_lang_queue with the refusal logged. */
static inline int trc_job_queue(const struct ac_host *host,
                                struct ac_plugin_ctx *ctx, const char *prefix,
                                const char *lang, char *buf, size_t size)
{
	int r = trc_lang_queue(prefix, lang, buf, size);

	if (r < 0)
		host->log(ctx, AC_LOG_ERROR,
		          "publish_job: invalid language name");
	return r;
}

/* consume_jobs' queues, trc_lang_queues with a bad name logged. */
static inline int trc_job_queues(const struct ac_host *host,
                                 struct ac_plugin_ctx *ctx, const char *prefix,
                                 const char *const *langs, char ***names,
                                 size_t *n)
{
	bool bad;
	int r = trc_lang_queues(prefix, langs, names, n, &bad);

	if (r < 0 && bad)
		host->log(ctx, AC_LOG_ERROR,
		          "consume_jobs: invalid language name");
	return r;
}

#endif /* ALGOCODE_TR_COMMON_H */
