/* transport/nats: streams and consumers (created or updated idempotently,
 * blocking, on the management connection) and the queue-depth metrics.  See
 * nats.c. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include <event2/event.h>
#include <jansson.h>
#include <nats/nats.h>
/* Defines non-static functions: included from this file only. */

#include <algocode/plugin.h>

#include "../../common/plugin_util.h"
#include "../tr_common.h"
#include "nt.h"

/* ------------------------------------------------------------------ */
/* Streams and consumers (blocking: management connection)            */

static int nt_ensure_stream(struct nt_state *st, const char *name,
                            const char *subject, jsRetentionPolicy retention,
                            bool dead)
{
	jsStreamConfig sc;
	jsStreamInfo *si = NULL;
	jsErrCode jerr = 0;
	const char *subjects[] = {subject};
	natsStatus s;

	jsStreamConfig_Init(&sc);
	sc.Name = name;
	sc.Subjects = subjects;
	sc.SubjectsLen = 1;
	sc.Retention = retention;
	sc.Storage = js_FileStorage;
	sc.Replicas = st->replicas;
	/* Jobs and results are published with Nats-Msg-Id = submission id:
	 * the server drops a republished one within this window. */
	if (!dead)
		sc.Duplicates = st->dup_window_s * 1000000000LL;
	if (dead) {
		sc.MaxAge = NT_DEAD_MAX_AGE_S * 1000000000LL;
		sc.MaxMsgs = NT_DEAD_MAX_MSGS;
		sc.Discard = js_DiscardOld;
	}
	s = js_AddStream(&si, st->mjs, &sc, NULL, &jerr);
	if (s != NATS_OK) {
		/* Exists (maybe created concurrently): bring it up to date. */
		jerr = 0;
		s = js_UpdateStream(&si, st->mjs, &sc, NULL, &jerr);
	}
	if (s != NATS_OK) {
		pu_log(st, AC_LOG_ERROR,
		       "cannot create or update stream %s: %s (JetStream "
		       "error %d)",
		       name, nt_last_error(s), (int)jerr);
		return nt_errno(s) ? nt_errno(s) : -EIO;
	}
	jsStreamInfo_Destroy(si);
	return 0;
}

int nt_ensure_streams(struct nt_state *st)
{
	int r;

	r = nt_ensure_stream(st, NT_JOBS_STREAM, NT_JOBS_PREFIX ">",
	                     js_WorkQueuePolicy, false);
	if (r == 0)
		r = nt_ensure_stream(st, NT_RESULTS_STREAM, NT_RESULTS_SUBJECT,
		                     js_WorkQueuePolicy, false);
	if (r == 0)
		r = nt_ensure_stream(st, NT_DEAD_STREAM, NT_DEAD_PREFIX ">",
		                     js_LimitsPolicy, true);
	return r;
}

int nt_ensure_consumer(struct nt_state *st, const struct nt_sub *sub)
{
	jsConsumerConfig cc;
	jsConsumerInfo *ci = NULL;
	jsErrCode jerr = 0;
	natsStatus s;

	jsConsumerConfig_Init(&cc);
	cc.Durable = sub->consumer;
	cc.AckPolicy = js_AckExplicit;
	cc.AckWait = st->ack_wait_ms * 1000000LL;
	/* One more than ours: the extra delivery is dead-lettered by the
	 * consumer that sees it, without being processed. */
	cc.MaxDeliver = (int64_t)st->max_deliveries + 1;
	cc.FilterSubject = sub->filter;
	cc.MaxAckPending = st->max_ack_pending;
	cc.DeliverPolicy = js_DeliverAll;
	s = js_AddConsumer(&ci, st->mjs, sub->stream, &cc, NULL, &jerr);
	if (s != NATS_OK) {
		jerr = 0;
		s = js_UpdateConsumer(&ci, st->mjs, sub->stream, &cc, NULL,
		                      &jerr);
	}
	if (s != NATS_OK) {
		pu_log(st, AC_LOG_ERROR,
		       "cannot create or update consumer %s of %s: %s "
		       "(JetStream error %d)",
		       sub->consumer, sub->stream, nt_last_error(s), (int)jerr);
		return nt_errno(s) ? nt_errno(s) : -EIO;
	}
	jsConsumerInfo_Destroy(ci);
	return 0;
}

/* Re-creating what a restarted (or replaced) server may have lost. */
struct nt_ensure_task {
	struct nt_state *st;
	struct nt_sub **subs;
	size_t nsubs;
	size_t ndone; /* consumers created or updated */
	bool streams_ok;
	int rc;
};

static void nt_ensure_work(void *arg)
{
	struct nt_ensure_task *t = arg;

	t->rc = nt_ensure_streams(t->st);
	t->streams_ok = t->rc == 0;
	for (size_t i = 0; t->rc == 0 && i < t->nsubs; i++) {
		t->rc = nt_ensure_consumer(t->st, t->subs[i]);
		if (t->rc == 0)
			t->ndone++;
	}
}

static void nt_ensure_done(void *arg)
{
	struct nt_ensure_task *t = arg;
	struct nt_state *st = t->st;

	st->ensuring = false;
	if (t->streams_ok)
		st->streams_ok = true;
	for (size_t i = 0; i < t->ndone; i++) {
		if (!t->subs[i]->ready)
			pu_log(st, AC_LOG_INFO, "consuming %s (consumer %s)",
			       t->subs[i]->filter, t->subs[i]->consumer);
		t->subs[i]->ready = true;
	}
	if (t->rc < 0) {
		st->need_ensure = true;
		st->ensure_at = pu_mono_ms() + 2 * NT_RETRY_MS;
	} else {
		pu_log(st, AC_LOG_DEBUG, "streams and consumers are in place");
	}
	free(t->subs);
	free(t);
	nt_refill(st);
}

/* The management connection is up (it reconnects on its own). */
bool nt_admin_up(struct nt_state *st)
{
	return st->mc &&
	       natsConnection_Status(st->mc) == NATS_CONN_STATUS_CONNECTED;
}

static void nt_start_ensure(struct nt_state *st);

/* Create what is missing now if it is due and both connections are up. */
void nt_maybe_ensure(struct nt_state *st)
{
	if (st->need_ensure && !st->ensuring && st->connected &&
	    pu_mono_ms() >= st->ensure_at && nt_admin_up(st))
		nt_start_ensure(st);
}

static void nt_start_ensure(struct nt_state *st)
{
	struct nt_ensure_task *t;

	t = calloc(1, sizeof(*t));
	if (!t)
		return;
	t->st = st;
	t->nsubs = st->nsubs;
	t->subs = calloc(st->nsubs + 1, sizeof(*t->subs));
	if (!t->subs) {
		free(t);
		return;
	}
	if (st->nsubs)
		memcpy(t->subs, st->subs, st->nsubs * sizeof(*t->subs));
	st->need_ensure = false;
	st->ensuring = true;
	if (st->host->submit_work(st->ctx, nt_ensure_work, nt_ensure_done, t) <
	    0) {
		st->ensuring = false;
		st->need_ensure = true;
		st->ensure_at = pu_mono_ms() + 2 * NT_RETRY_MS;
		free(t->subs);
		free(t);
	}
}

/* ------------------------------------------------------------------ */
/* Metrics                                                             */

/* host->metric, if the host has one (test hosts may not). */
void nt_metric(struct nt_state *st, const char *name, const char *labels,
               char kind, double value)
{
	if (st->host->metric)
		st->host->metric(st->ctx, name, labels, kind, value);
}

struct nt_depth_task {
	struct nt_state *st;
	struct nt_sub **subs; /* live until fini, which follows the pool */
	size_t nsubs;
};

/* Worker pool: blocking JetStream API requests; host->metric is
 * thread-safe. */
static void nt_depth_work(void *arg)
{
	struct nt_depth_task *t = arg;
	char labels[64 + sizeof(NT_JOBS_PREFIX) + NT_MAX_LANG];

	for (size_t i = 0; i < t->nsubs; i++) {
		const struct nt_sub *sub = t->subs[i];
		jsConsumerInfo *ci = NULL;
		jsErrCode jerr = 0;
		natsStatus s;

		s = js_GetConsumerInfo(&ci, t->st->mjs, sub->stream,
		                       sub->consumer, NULL, &jerr);
		if (s != NATS_OK) {
			pu_log(t->st, AC_LOG_DEBUG,
			       "queue depth: consumer %s of %s: %s",
			       sub->consumer, sub->stream, nt_last_error(s));
			continue;
		}
		snprintf(labels, sizeof(labels), "queue=\"%s\"", sub->filter);
		nt_metric(t->st, "queue_depth", labels, 'g',
		          (double)ci->NumPending);
		jsConsumerInfo_Destroy(ci);
	}
}

static void nt_depth_done(void *arg)
{
	struct nt_depth_task *t = arg;

	t->st->depth_busy = false;
	free(t->subs);
	free(t);
}

void nt_start_depth(struct nt_state *st)
{
	struct nt_depth_task *t;

	st->depth_at = pu_mono_ms() + NT_DEPTH_MS;
	if (!st->nsubs || !st->mjs || !nt_admin_up(st))
		return;
	t = calloc(1, sizeof(*t));
	if (!t)
		return;
	t->st = st;
	t->nsubs = st->nsubs;
	t->subs = calloc(st->nsubs, sizeof(*t->subs));
	if (!t->subs) {
		free(t);
		return;
	}
	memcpy(t->subs, st->subs, st->nsubs * sizeof(*t->subs));
	st->depth_busy = true;
	if (st->host->submit_work(st->ctx, nt_depth_work, nt_depth_done, t) <
	    0) {
		st->depth_busy = false;
		free(t->subs);
		free(t);
	}
}
