/* transport/nats: NATS JetStream through nats.c and its libevent adapter.
 *
 * Streams (created or updated at init, idempotently):
 *   ALGOCODE_JOBS     algocode.jobs.>   work queue, file storage
 *   ALGOCODE_RESULTS  algocode.results  work queue, file storage
 *   ALGOCODE_DEAD     algocode.dead.>   limits (dead letters, kept 30 days)
 * Consumers are durable pull consumers with explicit acks, shared by every
 * process that consumes the same queue (competing consumers):
 * "judges-<lang>" (filter algocode.jobs.<lang>) and "api-results".
 *
 * Two connections:
 *  - the main one is attached to the core's event base with nats.c's
 *    libevent adapter: publishes, pull requests and acks are buffered by
 *    nats.c and written by the loop, and the socket is read by the loop.
 *    Everything the server sends back to us (publish acknowledgements,
 *    pulled messages, pull status messages) arrives on ONE wildcard inbox
 *    subscription, `<inbox>.p.<id>` for a publish and `<inbox>.f.<sub>.<id>`
 *    for a pull request.  nats.c calls the inbox handler on its own
 *    delivery thread; the handler only queues the message and activates a
 *    libevent event, so every callback the core sees runs on the loop
 *    thread, and never from inside an op.  (We hop with our own event rather
 *    than host->run_on_loop so that nothing reaches the core once its loop
 *    has stopped: the core frees its roles before it unloads plugins.)
 *  - a management connection with nats.c's own I/O threads, used only for
 *    the blocking JetStream API requests (stream and consumer creation):
 *    at init, at consume_*() (both at start-up, before the loop runs) and
 *    after a reconnection, on the worker pool.
 *
 * Pulls: a consumer group (one consume_*() call) never has more than
 * `prefetch` messages delivered-and-unsettled plus requested: a pull request
 * asks for at most the free slots and expires after NT_PULL_EXPIRES_MS.
 *
 * Redelivery: an unsettled message is redelivered by the server after the
 * consumer's AckWait (transport.ack_wait_s).  While the core holds a
 * delivery the plugin sends "in progress" acks every ack_wait/3, so a slow
 * judgement is never redelivered while its judge is alive, and a dead
 * judge's job comes back after at most ack_wait.
 *
 * Dead letters: nack(requeue=false), the max_deliveries-th nack(requeue)
 * and a delivery whose count exceeds max_deliveries (its consumers kept
 * dying) are published to algocode.dead.<queue> with the headers
 * Algocode-Reason, Algocode-Deliveries and Algocode-Subject; the original
 * is acknowledged only once the dead letter is stored (else it is nak'ed).
 *
 * Metrics (host->metric): broker_reconnects_total{transport="nats"} counts
 * the main connection's reconnections; every NT_DEPTH_MS a worker
 * pool job asks the management connection for the info of each consumer
 * this process pulls from and reports its num_pending (messages not yet
 * delivered) as the gauge queue_depth{queue="<filter subject>"}, e.g.
 * queue="algocode.jobs.cpp" in a judge, queue="algocode.results" in the
 * api.
 */
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
#include <nats/adapters/libevent.h>

#include <algocode/plugin.h>

#include "../../common/plugin_util.h"
#include "../tr_common.h"

#define NT_JOBS_STREAM      "ALGOCODE_JOBS"
#define NT_JOBS_PREFIX      "algocode.jobs."
#define NT_RESULTS_STREAM   "ALGOCODE_RESULTS"
#define NT_RESULTS_SUBJECT  "algocode.results"
#define NT_RESULTS_CONSUMER "api-results"
#define NT_DEAD_STREAM      "ALGOCODE_DEAD"
#define NT_DEAD_PREFIX      "algocode.dead."
#define NT_JOBS_CONSUMER    "judges-"
#define NT_DEFAULT_URL      "nats://127.0.0.1:4222"
#define NT_MAX_LANG         64
#define NT_MAX_SUBS         1024
#define NT_PULL_EXPIRES_MS  5000
#define NT_TICK_MS          250
#define NT_RETRY_MS         1000
#define NT_DEAD_MAX_AGE_S   (30LL * 24 * 3600)
#define NT_DEAD_MAX_MSGS    100000
#define NT_REASON_MAX       512
#define NT_CLOSE_WAIT_S     5
#define NT_DEPTH_MS         5000
#define NT_METRIC_LABELS    "transport=\"nats\""
#define NT_MSG_ID_HEADER    "Nats-Msg-Id"
#define NT_DOWN_LOG_FIRST   5000
#define NT_DOWN_LOG_MAX     600000

struct nt_state;
struct nt_group;

/* One durable consumer we pull from. */
struct nt_sub {
	struct nt_group *g;
	size_t index; /* in st->subs: part of pull reply subjects */
	char *stream;
	char *consumer;
	char *filter;
	char *dead_subject;
	char *next_subject; /* $JS.API.CONSUMER.MSG.NEXT.<stream>.<name> */
	int64_t retry_at;   /* no pull before (ms, monotonic) */
	bool ready;         /* the durable consumer was created: pull */
};

/* One consume_*() call: the subs share the prefetch budget. */
struct nt_group {
	TAILQ_ENTRY(nt_group) link;
	struct nt_sub **subs;
	size_t nsubs;
	size_t rr;
	unsigned prefetch;
	unsigned held;      /* delivered to the core, not settled */
	unsigned requested; /* asked for by pull requests still open */
	ac_msg_cb cb;
	void *arg;
};

/* An open pull request. */
struct nt_pull {
	TAILQ_ENTRY(nt_pull) link;
	uint64_t id;
	struct nt_sub *sub;
	unsigned remaining;
	int64_t deadline;
};

/* A message delivered to the core (or being dead-lettered). */
struct ac_delivery {
	TAILQ_ENTRY(ac_delivery) link;
	struct nt_sub *sub;
	natsMsg *msg; /* for its subject and ack reply subject */
	char *body;   /* NUL-terminated copy */
	size_t len;
	uint64_t ndelivered;
	int64_t touched; /* last (in progress) ack, ms */
	bool dying;      /* settled by the core; dead letter in flight */
};

/* A publish waiting for its JetStream acknowledgement. */
struct nt_pub {
	TAILQ_ENTRY(nt_pub) link;
	uint64_t id;
	int64_t deadline;
	ac_done_cb done;
	void *arg;
	struct ac_delivery *dead;        /* a dead letter of this delivery */
	char msg_id[TRC_MSG_ID_MAX + 1]; /* Nats-Msg-Id, "" if none */
};

enum nt_item_kind {
	NT_ITEM_MSG,
	NT_ITEM_DISCONNECTED,
	NT_ITEM_RECONNECTED,
	NT_ITEM_CONNECTED, /* the first connection, made in the background */
};

struct nt_item {
	STAILQ_ENTRY(nt_item) link;
	enum nt_item_kind kind;
	natsMsg *msg;
	int64_t at; /* when nats.c called us (ms, monotonic) */
};
STAILQ_HEAD(nt_items, nt_item);

struct nt_state {
	const struct ac_host *host;
	struct ac_plugin_ctx *ctx;
	struct event_base *base;

	/* settings */
	char *url;
	int64_t ack_wait_ms;
	unsigned max_deliveries;
	int64_t replicas;
	int64_t publish_timeout_ms;
	unsigned results_prefetch;
	int64_t max_ack_pending;
	int64_t reconnect_min_ms;
	int64_t reconnect_max_ms;
	int64_t dup_window_s;

	natsOptions *opts;
	natsConnection *nc; /* on the loop */
	natsOptions *mopts;
	natsConnection *mc; /* management, own threads */
	jsCtx *mjs;
	natsSubscription *inbox_sub;
	char inbox[128];

	struct event *hop;
	struct event *tick;

	/* shared with nats.c threads */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct nt_items items;
	bool closing;
	bool nc_closed;
	bool sub_done;

	/* loop thread only */
	uint64_t next_id;
	bool connected;
	int64_t down_since;  /* ms: when the connection went (or was) down */
	int64_t down_log_at; /* next "still down" line (ms) */
	int64_t down_log_step;
	bool need_ensure;
	bool ensuring;
	bool streams_ok; /* the streams were created once */
	int64_t ensure_at;
	bool depth_busy;  /* a queue depth job is on the pool */
	int64_t depth_at; /* next queue depth refresh (ms) */
	struct nt_sub **subs;
	size_t nsubs;
	TAILQ_HEAD(, nt_group) groups;
	TAILQ_HEAD(, nt_pull) pulls;
	TAILQ_HEAD(, nt_pub) pubs;
	TAILQ_HEAD(, ac_delivery) held;
};

#define nt_log(st, lvl, ...) (st)->host->log((st)->ctx, (lvl), __VA_ARGS__)

static void nt_refill(struct nt_state *st);

static int nt_errno(natsStatus s)
{
	switch (s) {
	case NATS_OK:
		return 0;
	case NATS_NO_MEMORY:
		return -ENOMEM;
	case NATS_TIMEOUT:
		return -ETIMEDOUT;
	case NATS_CONNECTION_CLOSED:
	case NATS_CONNECTION_DISCONNECTED:
	case NATS_NO_SERVER:
		return -ENOTCONN;
	case NATS_INSUFFICIENT_BUFFER:
		return -ENOBUFS;
	case NATS_MAX_PAYLOAD:
		return -EMSGSIZE;
	case NATS_INVALID_ARG:
		return -EINVAL;
	default:
		return -EIO;
	}
}

/* The last nats.c error, for messages. */
static const char *nt_last_error(natsStatus s)
{
	const char *e = nats_GetLastError(NULL);

	return e && *e ? e : natsStatus_GetText(s);
}

/* Languages become subject tokens and consumer names. */
static int nt_check_lang(const char *lang)
{
	size_t n;

	if (!lang)
		return -EINVAL;
	n = strlen(lang);
	if (n == 0 || n > NT_MAX_LANG)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char c = lang[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return -EINVAL;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Hopping from nats.c threads to the loop                             */

static void nt_post(struct nt_state *st, enum nt_item_kind kind, natsMsg *msg)
{
	struct nt_item *it = calloc(1, sizeof(*it));

	pthread_mutex_lock(&st->lock);
	if (!it || st->closing) {
		pthread_mutex_unlock(&st->lock);
		free(it);
		if (msg)
			natsMsg_Destroy(msg);
		return;
	}
	it->kind = kind;
	it->msg = msg;
	it->at = pu_mono_ms();
	STAILQ_INSERT_TAIL(&st->items, it, link);
	event_active(st->hop, EV_TIMEOUT, 0);
	pthread_mutex_unlock(&st->lock);
}

static void nt_inbox_cb(natsConnection *nc, natsSubscription *sub, natsMsg *msg,
                        void *closure)
{
	(void)nc;
	(void)sub;
	nt_post(closure, NT_ITEM_MSG, msg);
}

static void nt_sub_done_cb(void *closure)
{
	struct nt_state *st = closure;

	pthread_mutex_lock(&st->lock);
	st->sub_done = true;
	pthread_cond_broadcast(&st->cond);
	pthread_mutex_unlock(&st->lock);
}

static void nt_disconnected_cb(natsConnection *nc, void *closure)
{
	(void)nc;
	nt_post(closure, NT_ITEM_DISCONNECTED, NULL);
}

static void nt_reconnected_cb(natsConnection *nc, void *closure)
{
	(void)nc;
	nt_post(closure, NT_ITEM_RECONNECTED, NULL);
}

/* The first connection of the main connection, when the server was not
 * up at init (natsOptions_SetRetryOnFailedConnect). */
static void nt_connected_cb(natsConnection *nc, void *closure)
{
	(void)nc;
	nt_post(closure, NT_ITEM_CONNECTED, NULL);
}

/* The management connection's: nothing to do (the loop's tick sees its
 * status), but nats.c needs one to connect in the background rather than
 * block.  No closure: it may run after fini. */
static void nt_admin_connected_cb(natsConnection *nc, void *closure)
{
	(void)nc;
	(void)closure;
}

/* The reconnect back-off: min and max (ms, < 2^16 each: TRC_RECONNECT_HI)
 * are packed into the closure itself, because nats.c may call this from
 * its reconnect thread while the connection is being closed, after which
 * the plugin state is gone. */
static uintptr_t nt_pack_backoff(int64_t min_ms, int64_t max_ms)
{
	return (uintptr_t)min_ms | ((uintptr_t)max_ms << 16);
}

static int64_t nt_reconnect_delay_cb(natsConnection *nc, int attempts,
                                     void *closure)
{
	uintptr_t v = (uintptr_t)closure;

	(void)nc;
	return trc_backoff_ms(
	        (int64_t)(v & 0xffff), (int64_t)((v >> 16) & 0xffff),
	        attempts > 0 ? (unsigned)attempts : 1, trc_jitter());
}

/* The last callback nats.c makes for the main connection. */
static void nt_closed_cb(natsConnection *nc, void *closure)
{
	struct nt_state *st = closure;

	(void)nc;
	pthread_mutex_lock(&st->lock);
	st->nc_closed = true;
	pthread_cond_broadcast(&st->cond);
	pthread_mutex_unlock(&st->lock);
}

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
		nt_log(st, AC_LOG_ERROR,
		       "cannot create or update stream %s: %s (JetStream "
		       "error %d)",
		       name, nt_last_error(s), (int)jerr);
		return nt_errno(s) ? nt_errno(s) : -EIO;
	}
	jsStreamInfo_Destroy(si);
	return 0;
}

static int nt_ensure_streams(struct nt_state *st)
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

static int nt_ensure_consumer(struct nt_state *st, const struct nt_sub *sub)
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
		nt_log(st, AC_LOG_ERROR,
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
			nt_log(st, AC_LOG_INFO, "consuming %s (consumer %s)",
			       t->subs[i]->filter, t->subs[i]->consumer);
		t->subs[i]->ready = true;
	}
	if (t->rc < 0) {
		st->need_ensure = true;
		st->ensure_at = pu_mono_ms() + 2 * NT_RETRY_MS;
	} else {
		nt_log(st, AC_LOG_DEBUG, "streams and consumers are in place");
	}
	free(t->subs);
	free(t);
	nt_refill(st);
}

/* The management connection is up (it reconnects on its own). */
static bool nt_admin_up(struct nt_state *st)
{
	return st->mc &&
	       natsConnection_Status(st->mc) == NATS_CONN_STATUS_CONNECTED;
}

static void nt_start_ensure(struct nt_state *st);

/* Create what is missing now if it is due and both connections are up. */
static void nt_maybe_ensure(struct nt_state *st)
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
static void nt_metric(struct nt_state *st, const char *name, const char *labels,
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
			nt_log(t->st, AC_LOG_DEBUG,
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

static void nt_start_depth(struct nt_state *st)
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

/* ------------------------------------------------------------------ */
/* Publishing                                                          */

/* Header values: printable, one line, bounded. */
static void nt_header_value(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (; in && *in && n + 1 < size; in++)
		out[n++] = (*in >= 0x20 && *in != 0x7f) ? *in : ' ';
	out[n] = '\0';
}

static int nt_publish(struct nt_state *st, const char *subject,
                      const char *body, size_t len, ac_done_cb done, void *arg,
                      struct ac_delivery *dead, const char *reason)
{
	char reply[sizeof(st->inbox) + 32];
	struct nt_pub *pub;
	natsMsg *m = NULL;
	natsStatus s;
	int64_t max_payload;

	if (!body && len > 0)
		return -EINVAL;
	/* Fail fast while there is no connection: nats.c would buffer the
	 * message and the caller would wait publish_timeout_s for nothing. */
	if (natsConnection_Status(st->nc) != NATS_CONN_STATUS_CONNECTED) {
		nt_log(st, AC_LOG_DEBUG,
		       "publish on %s refused: not connected to the NATS "
		       "server",
		       subject);
		return -ENOTCONN;
	}
	max_payload = natsConnection_GetMaxPayload(st->nc);
	if (max_payload > 0 && (int64_t)len > max_payload) {
		nt_log(st, AC_LOG_ERROR,
		       "%s: a message of %zu bytes is larger than the "
		       "server's max_payload (%" PRId64 ")",
		       subject, len, max_payload);
		return -EMSGSIZE;
	}
	pub = calloc(1, sizeof(*pub));
	if (!pub)
		return -ENOMEM;
	pub->id = ++st->next_id;
	snprintf(reply, sizeof(reply), "%s.p.%" PRIu64, st->inbox, pub->id);
	s = natsMsg_Create(&m, subject, reply, body, (int)len);
	/* A job or result carries its submission id: JetStream drops a
	 * second copy within the stream's duplicate window. */
	if (s == NATS_OK && !dead &&
	    trc_msg_id(body, len, pub->msg_id, sizeof(pub->msg_id)) == 0)
		s = natsMsgHeader_Set(m, NT_MSG_ID_HEADER, pub->msg_id);
	if (s == NATS_OK && dead) {
		char val[NT_REASON_MAX], num[32];

		nt_header_value(reason ? reason : "(no reason)", val,
		                sizeof(val));
		snprintf(num, sizeof(num), "%" PRIu64, dead->ndelivered);
		s = natsMsgHeader_Set(m, "Algocode-Reason", val);
		if (s == NATS_OK)
			s = natsMsgHeader_Set(m, "Algocode-Deliveries", num);
		if (s == NATS_OK)
			s = natsMsgHeader_Set(m, "Algocode-Subject",
			                      natsMsg_GetSubject(dead->msg));
	}
	if (s == NATS_OK)
		s = natsConnection_PublishMsg(st->nc, m);
	natsMsg_Destroy(m);
	if (s != NATS_OK) {
		nt_log(st, AC_LOG_WARN, "cannot publish on %s: %s", subject,
		       nt_last_error(s));
		free(pub);
		return nt_errno(s) ? nt_errno(s) : -EIO;
	}
	pub->done = done;
	pub->arg = arg;
	pub->dead = dead;
	pub->deadline = pu_mono_ms() + st->publish_timeout_ms;
	TAILQ_INSERT_TAIL(&st->pubs, pub, link);
	return 0;
}

/* 0 when the JetStream acknowledgement says "stored" (or "a duplicate of
 * a message already stored"). */
static int nt_puback_status(struct nt_state *st, struct nt_pub *pub,
                            natsMsg *msg)
{
	const char *data = natsMsg_GetData(msg);
	int len = natsMsg_GetDataLength(msg);
	const char *status = NULL;
	json_t *root, *err, *seq;
	int rc = -EIO;

	if (len <= 0) {
		if (natsMsgHeader_Get(msg, "Status", &status) == NATS_OK &&
		    strcmp(status, "503") == 0) {
			nt_log(st, AC_LOG_WARN,
			       "publish: no stream accepts the subject %s",
			       st->streams_ok ? "(is JetStream enabled?)"
			                      : "yet (the streams are being "
			                        "created)");
			return -EHOSTUNREACH;
		}
		nt_log(st, AC_LOG_WARN, "publish: empty acknowledgement%s%s",
		       status ? ", status " : "", status ? status : "");
		return -EIO;
	}
	root = json_loadb(data, (size_t)len, 0, NULL);
	if (!root) {
		nt_log(st, AC_LOG_WARN, "publish: unreadable acknowledgement");
		return -EIO;
	}
	err = json_object_get(root, "error");
	seq = json_object_get(root, "seq");
	if (err) {
		const char *desc =
		        json_string_value(json_object_get(err, "description"));

		nt_log(st, AC_LOG_WARN, "publish refused by JetStream: %s",
		       desc ? desc : "(no description)");
	} else if (json_is_integer(seq)) {
		rc = 0;
		if (json_is_true(json_object_get(root, "duplicate")))
			nt_log(st, AC_LOG_INFO,
			       "publish of %s: the stream already holds it "
			       "(duplicate, not stored twice)",
			       pub->msg_id[0] ? pub->msg_id : "a message");
	}
	json_decref(root);
	return rc;
}

/* Send an ack-protocol word ("+ACK", "-NAK", "+WPI") for a delivery. */
static void nt_reply(struct nt_state *st, struct ac_delivery *d,
                     const char *word)
{
	const char *reply = natsMsg_GetReply(d->msg);
	natsStatus s;

	if (!reply || !*reply)
		return;
	s = natsConnection_PublishString(st->nc, reply, word);
	if (s != NATS_OK)
		nt_log(st, AC_LOG_WARN, "cannot send %s: %s", word,
		       nt_last_error(s));
}

static void nt_delivery_free(struct nt_state *st, struct ac_delivery *d)
{
	TAILQ_REMOVE(&st->held, d, link);
	natsMsg_Destroy(d->msg);
	free(d->body);
	free(d);
}

static void nt_pub_complete(struct nt_state *st, struct nt_pub *pub, int rc)
{
	struct ac_delivery *d = pub->dead;

	TAILQ_REMOVE(&st->pubs, pub, link);
	if (d) {
		/* Stored as a dead letter: the original can go. */
		nt_reply(st, d, rc == 0 ? "+ACK" : "-NAK");
		if (rc < 0)
			nt_log(st, AC_LOG_WARN,
			       "dead letter not stored (%s); the message goes "
			       "back to its queue",
			       strerror(-rc));
		nt_delivery_free(st, d);
	} else if (pub->done) {
		pub->done(pub->arg, rc);
	}
	free(pub);
}

static void nt_dead_letter(struct nt_state *st, struct ac_delivery *d,
                           const char *reason)
{
	int r;

	nt_log(st, AC_LOG_WARN,
	       "dead-lettering a message of %s after %" PRIu64
	       " deliveries: %s",
	       natsMsg_GetSubject(d->msg), d->ndelivered,
	       reason ? reason : "(no reason)");
	d->dying = true;
	d->sub->g->held--;
	r = nt_publish(st, d->sub->dead_subject, d->body, d->len, NULL, NULL, d,
	               reason);
	if (r < 0) {
		nt_reply(st, d, "-NAK");
		nt_delivery_free(st, d);
	}
	nt_refill(st);
}

/* ------------------------------------------------------------------ */
/* Pulling and delivering                                              */

static void nt_pull_free(struct nt_state *st, struct nt_pull *p)
{
	TAILQ_REMOVE(&st->pulls, p, link);
	p->sub->g->requested -= p->remaining;
	free(p);
}

static int nt_pull(struct nt_state *st, struct nt_sub *sub, unsigned batch)
{
	char reply[sizeof(st->inbox) + 64], body[128];
	struct nt_pull *p;
	natsStatus s;
	int n;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->id = ++st->next_id;
	snprintf(reply, sizeof(reply), "%s.f.%zu.%" PRIu64, st->inbox,
	         sub->index, p->id);
	n = snprintf(body, sizeof(body), "{\"batch\":%u,\"expires\":%lld}",
	             batch, (long long)NT_PULL_EXPIRES_MS * 1000000LL);
	s = natsConnection_PublishRequest(st->nc, sub->next_subject, reply,
	                                  body, n);
	if (s != NATS_OK) {
		free(p);
		return nt_errno(s) ? nt_errno(s) : -EIO;
	}
	p->sub = sub;
	p->remaining = batch;
	/* The server expires it itself; the margin covers a lost status. */
	p->deadline = pu_mono_ms() + NT_PULL_EXPIRES_MS + NT_RETRY_MS;
	sub->g->requested += batch;
	TAILQ_INSERT_TAIL(&st->pulls, p, link);
	return 0;
}

static void nt_refill_group(struct nt_state *st, struct nt_group *g,
                            int64_t now)
{
	size_t ready = 0;

	for (size_t i = 0; i < g->nsubs; i++)
		if (g->subs[i]->ready && g->subs[i]->retry_at <= now)
			ready++;
	for (size_t i = 0; i < g->nsubs && ready > 0; i++) {
		struct nt_sub *sub = g->subs[(g->rr + i) % g->nsubs];
		unsigned used = g->held + g->requested, free_slots, batch;

		if (used >= g->prefetch)
			break;
		if (!sub->ready || sub->retry_at > now)
			continue;
		free_slots = g->prefetch - used;
		batch = free_slots / (unsigned)ready;
		if (batch == 0)
			batch = 1;
		ready--;
		if (nt_pull(st, sub, batch) < 0)
			sub->retry_at = now + NT_RETRY_MS;
	}
	g->rr = (g->rr + 1) % (g->nsubs ? g->nsubs : 1);
}

static void nt_refill(struct nt_state *st)
{
	struct nt_group *g;
	int64_t now;

	if (!st->connected)
		return;
	now = pu_mono_ms();
	TAILQ_FOREACH(g, &st->groups, link)
	nt_refill_group(st, g, now);
}

/* Delivery count from the ack reply subject:
 * $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>
 * or, with a domain, $JS.ACK.<domain>.<hash>.<stream>.<consumer>.<delivered>...
 */
static int nt_parse_delivered(const char *reply, uint64_t *out)
{
	const char *tok[16];
	size_t n = 0;
	const char *p = reply;
	char *end;
	unsigned long long v;
	size_t at;

	if (!reply || strncmp(reply, "$JS.ACK.", 8) != 0)
		return -EINVAL;
	tok[n++] = p;
	while ((p = strchr(p, '.')) && n < 16)
		tok[n++] = ++p;
	if (n == 9)
		at = 4;
	else if (n >= 11)
		at = 6;
	else
		return -EINVAL;
	v = strtoull(tok[at], &end, 10);
	if (end == tok[at] || *end != '.')
		return -EINVAL;
	*out = v;
	return 0;
}

static void nt_deliver(struct nt_state *st, struct nt_sub *sub, natsMsg *msg)
{
	struct nt_group *g = sub->g;
	struct ac_delivery *d;
	int len = natsMsg_GetDataLength(msg);

	d = calloc(1, sizeof(*d));
	if (d)
		d->body = malloc((size_t)(len > 0 ? len : 0) + 1);
	if (!d || !d->body) {
		free(d);
		/* Comes back after ack_wait. */
		natsMsg_Destroy(msg);
		return;
	}
	if (len > 0)
		memcpy(d->body, natsMsg_GetData(msg), (size_t)len);
	d->body[len > 0 ? len : 0] = '\0';
	d->len = (size_t)(len > 0 ? len : 0);
	d->msg = msg;
	d->sub = sub;
	d->touched = pu_mono_ms();
	TAILQ_INSERT_TAIL(&st->held, d, link);
	g->held++;
	if (nt_parse_delivered(natsMsg_GetReply(msg), &d->ndelivered) < 0) {
		nt_log(st, AC_LOG_ERROR,
		       "a message of %s has no JetStream ack subject; dropped",
		       natsMsg_GetSubject(msg));
		g->held--;
		nt_delivery_free(st, d);
		return;
	}
	if (d->ndelivered > st->max_deliveries) {
		char why[128];

		snprintf(why, sizeof(why),
		         "delivered %" PRIu64 " times without being settled "
		         "(its consumers died?)",
		         d->ndelivered);
		nt_dead_letter(st, d, why);
		return;
	}
	/* d may be settled (and freed) inside the callback. */
	g->cb(g->arg, d->body, d->len, d);
}

static struct nt_pull *nt_pull_find(struct nt_state *st, uint64_t id)
{
	struct nt_pull *p;

	TAILQ_FOREACH(p, &st->pulls, link)
	{
		if (p->id == id)
			return p;
	}
	return NULL;
}

/* A pull request's status message (on <inbox>.f.<sub>.<id>, no data). */
static void nt_on_pull_status(struct nt_state *st, const char *rest,
                              natsMsg *msg)
{
	char *end;
	unsigned long long idx, id;
	struct nt_sub *sub;
	struct nt_pull *p;
	const char *status = NULL, *desc = NULL;

	idx = strtoull(rest, &end, 10);
	if (end == rest || *end != '.' || idx >= st->nsubs)
		goto out;
	rest = end + 1;
	id = strtoull(rest, &end, 10);
	if (end == rest || *end)
		goto out;
	if (natsMsgHeader_Get(msg, "Status", &status) != NATS_OK ||
	    strcmp(status, "100") == 0)
		goto out;
	sub = st->subs[idx];
	p = nt_pull_find(st, id);
	if (p)
		nt_pull_free(st, p);
	/* 408: the request expired; 404: nothing (no_wait); 409: the
	 * consumer went away or is over a limit; 503: nobody answers (the
	 * server is still recovering JetStream). */
	if (strcmp(status, "408") != 0 && strcmp(status, "404") != 0) {
		natsMsgHeader_Get(msg, "Description", &desc);
		nt_log(st, AC_LOG_WARN, "pull from %s: status %s %s",
		       sub->consumer, status, desc ? desc : "");
		sub->retry_at = pu_mono_ms() + NT_RETRY_MS;
		/* A server going down says so: nothing to re-create there
		 * (the reconnection re-creates what is missing). */
		if (!st->ensuring && !(desc && strstr(desc, "Shutdown")))
			st->need_ensure = true;
	}
	natsMsg_Destroy(msg);
	nt_refill(st);
	return;
out:
	natsMsg_Destroy(msg);
}

/* A pulled message keeps its own subject; its ack subject names the
 * stream and the consumer:  $JS.ACK.<stream>.<consumer>.<n>.... */
static struct nt_sub *nt_sub_of(struct nt_state *st, const char *reply)
{
	const char *stream, *consumer, *end;

	if (!reply || strncmp(reply, "$JS.ACK.", 8) != 0)
		return NULL;
	stream = reply + 8;
	for (size_t i = 0; i < st->nsubs; i++) {
		struct nt_sub *sub = st->subs[i];
		size_t ls = strlen(sub->stream), lc = strlen(sub->consumer);

		/* With a domain there are two more tokens before them. */
		for (const char *p = stream; p; p = strchr(p, '.')) {
			if (*p == '.')
				p++;
			if (strncmp(p, sub->stream, ls) == 0 && p[ls] == '.') {
				consumer = p + ls + 1;
				end = consumer + lc;
				if (strncmp(consumer, sub->consumer, lc) == 0 &&
				    *end == '.')
					return sub;
				break;
			}
		}
	}
	return NULL;
}

static void nt_on_pulled(struct nt_state *st, natsMsg *msg)
{
	struct nt_sub *sub = nt_sub_of(st, natsMsg_GetReply(msg));
	struct nt_pull *p;

	if (!sub) {
		nt_log(st, AC_LOG_WARN,
		       "a message of %s that no consumer of ours asked for; "
		       "dropped",
		       natsMsg_GetSubject(msg));
		natsMsg_Destroy(msg);
		return;
	}
	/* The server serves a consumer's waiting requests in order. */
	TAILQ_FOREACH(p, &st->pulls, link)
	{
		if (p->sub == sub)
			break;
	}
	if (p) {
		p->remaining--;
		sub->g->requested--;
		if (p->remaining == 0) {
			TAILQ_REMOVE(&st->pulls, p, link);
			free(p);
		}
	}
	/* A message of a request we gave up on is delivered all the same. */
	nt_deliver(st, sub, msg);
}

static void nt_on_puback(struct nt_state *st, const char *rest, natsMsg *msg)
{
	char *end;
	unsigned long long id = strtoull(rest, &end, 10);
	struct nt_pub *pub;

	if (end != rest && *end == '\0') {
		TAILQ_FOREACH(pub, &st->pubs, link)
		{
			if (pub->id == id) {
				int rc = nt_puback_status(st, pub, msg);

				natsMsg_Destroy(msg);
				nt_pub_complete(st, pub, rc);
				return;
			}
		}
	}
	/* Late (timed out) or unknown: nothing waits for it. */
	natsMsg_Destroy(msg);
}

static void nt_on_msg(struct nt_state *st, natsMsg *msg)
{
	const char *subj = natsMsg_GetSubject(msg);
	size_t n = strlen(st->inbox);

	if (!subj) {
		natsMsg_Destroy(msg);
		return;
	}
	if (strncmp(subj, st->inbox, n) != 0 || subj[n] != '.') {
		nt_on_pulled(st, msg);
		return;
	}
	subj += n + 1;
	if (strncmp(subj, "p.", 2) == 0)
		nt_on_puback(st, subj + 2, msg);
	else if (strncmp(subj, "f.", 2) == 0)
		nt_on_pull_status(st, subj + 2, msg);
	else
		natsMsg_Destroy(msg);
}

/* Connected (first = the first connection, made in the background). */
static void nt_on_reconnected(struct nt_state *st, bool first)
{
	struct nt_pull *p;

	if (first) {
		nt_log(st, AC_LOG_INFO,
		       "connected to %s (the server is up now, after %" PRId64
		       " ms)",
		       st->url, pu_mono_ms() - st->down_since);
	} else {
		nt_log(st, AC_LOG_INFO,
		       "reconnected to the NATS server (after %" PRId64 " ms)",
		       pu_mono_ms() - st->down_since);
		nt_metric(st, "broker_reconnects_total", NT_METRIC_LABELS, 'c',
		          1);
	}
	st->connected = true;
	/* The new server knows none of our open pull requests. */
	while ((p = TAILQ_FIRST(&st->pulls)))
		nt_pull_free(st, p);
	for (size_t i = 0; i < st->nsubs; i++)
		st->subs[i]->retry_at = 0;
	if (!st->ensuring) {
		st->need_ensure = true;
		st->ensure_at = 0;
	}
	nt_maybe_ensure(st);
	nt_refill(st);
}

/* Lost the connection: what waits for an answer from the server fails at
 * once (the answer went to the old connection, if anywhere), and every
 * publish fails until nats.c reconnects. */
static void nt_on_disconnected(struct nt_state *st, int64_t at)
{
	struct nt_pub *pub;
	size_t failed = 0;

	if (st->connected) {
		st->down_since = pu_mono_ms();
		st->down_log_step = NT_DOWN_LOG_FIRST;
		st->down_log_at = st->down_since + st->down_log_step;
		nt_log(st, AC_LOG_WARN,
		       "disconnected from the NATS server; reconnecting "
		       "(every %" PRId64 "..%" PRId64
		       " ms); publishes fail until then",
		       st->reconnect_min_ms, st->reconnect_max_ms);
	}
	st->connected = false;
	/* Those sent before the disconnection (not those nats.c may have
	 * sent since, if it reconnected already); one at a time: a done
	 * callback may publish again. */
	while ((pub = TAILQ_FIRST(&st->pubs)) &&
	       pub->deadline - st->publish_timeout_ms <= at) {
		nt_pub_complete(st, pub, -ENOTCONN);
		failed++;
	}
	if (failed)
		nt_log(st, AC_LOG_WARN,
		       "%zu publish(es) not acknowledged before the "
		       "disconnection: failed",
		       failed);
}

/* Loop tick while disconnected: a line now and then, not per attempt. */
static void nt_log_down(struct nt_state *st, int64_t now)
{
	if (st->connected || now < st->down_log_at)
		return;
	nt_log(st, AC_LOG_WARN,
	       "still no connection to the NATS server at %s after %" PRId64
	       " s; retrying",
	       st->url, (now - st->down_since) / 1000);
	st->down_log_step *= 2;
	if (st->down_log_step > NT_DOWN_LOG_MAX)
		st->down_log_step = NT_DOWN_LOG_MAX;
	st->down_log_at = now + st->down_log_step;
}

static void nt_hop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct nt_state *st = arg;
	struct nt_items items = STAILQ_HEAD_INITIALIZER(items);
	struct nt_item *it;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&st->lock);
	STAILQ_CONCAT(&items, &st->items);
	pthread_mutex_unlock(&st->lock);
	while ((it = STAILQ_FIRST(&items))) {
		STAILQ_REMOVE_HEAD(&items, link);
		switch (it->kind) {
		case NT_ITEM_MSG:
			nt_on_msg(st, it->msg);
			break;
		case NT_ITEM_DISCONNECTED:
			nt_on_disconnected(st, it->at);
			break;
		case NT_ITEM_RECONNECTED:
			nt_on_reconnected(st, false);
			break;
		case NT_ITEM_CONNECTED:
			nt_on_reconnected(st, true);
			break;
		}
		free(it);
	}
}

static void nt_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct nt_state *st = arg;
	int64_t now = pu_mono_ms();
	struct nt_pull *p, *pn;
	struct nt_pub *pub;
	struct ac_delivery *d;
	int64_t touch = st->ack_wait_ms / 3;

	(void)fd;
	(void)what;
	for (p = TAILQ_FIRST(&st->pulls); p; p = pn) {
		pn = TAILQ_NEXT(p, link);
		if (p->deadline <= now)
			nt_pull_free(st, p);
	}
	/* Keep the server from redelivering what is being worked on. */
	TAILQ_FOREACH(d, &st->held, link)
	{
		if (now - d->touched >= touch) {
			nt_reply(st, d, "+WPI");
			d->touched = now;
		}
	}
	/* Publishes never acknowledged: one at a time, a done callback may
	 * publish again. */
	while ((pub = TAILQ_FIRST(&st->pubs)) && pub->deadline <= now) {
		nt_log(st, AC_LOG_WARN,
		       "publish not acknowledged within %" PRId64 " ms",
		       st->publish_timeout_ms);
		nt_pub_complete(st, pub, -ETIMEDOUT);
	}
	nt_log_down(st, now);
	nt_maybe_ensure(st);
	if (st->connected && !st->depth_busy && now >= st->depth_at)
		nt_start_depth(st);
	nt_refill(st);
}

/* ------------------------------------------------------------------ */
/* Operations                                                          */

static int nt_publish_job(void *state, const char *lang, const char *body,
                          size_t len, ac_done_cb done, void *arg)
{
	struct nt_state *st = state;
	char subject[sizeof(NT_JOBS_PREFIX) + NT_MAX_LANG];

	if (nt_check_lang(lang) < 0) {
		nt_log(st, AC_LOG_ERROR, "publish_job: invalid language name");
		return -EINVAL;
	}
	snprintf(subject, sizeof(subject), "%s%s", NT_JOBS_PREFIX, lang);
	return nt_publish(st, subject, body, len, done, arg, NULL, NULL);
}

static int nt_publish_result(void *state, const char *body, size_t len,
                             ac_done_cb done, void *arg)
{
	return nt_publish(state, NT_RESULTS_SUBJECT, body, len, done, arg, NULL,
	                  NULL);
}

static void nt_sub_free(struct nt_sub *sub)
{
	if (!sub)
		return;
	free(sub->stream);
	free(sub->consumer);
	free(sub->filter);
	free(sub->dead_subject);
	free(sub->next_subject);
	free(sub);
}

static struct nt_sub *nt_sub_new(const char *stream, const char *consumer,
                                 const char *filter, const char *dead)
{
	struct nt_sub *sub = calloc(1, sizeof(*sub));

	if (!sub)
		return NULL;
	sub->stream = strdup(stream);
	sub->consumer = strdup(consumer);
	sub->filter = strdup(filter);
	sub->dead_subject = strdup(dead);
	if (asprintf(&sub->next_subject, "$JS.API.CONSUMER.MSG.NEXT.%s.%s",
	             stream, consumer) < 0)
		sub->next_subject = NULL;
	if (!sub->stream || !sub->consumer || !sub->filter ||
	    !sub->dead_subject || !sub->next_subject) {
		nt_sub_free(sub);
		return NULL;
	}
	return sub;
}

static void nt_group_free(struct nt_group *g)
{
	if (!g)
		return;
	free(g->subs);
	free(g);
}

/* Registers the consumers and pulls from each once it exists.  With the
 * server up they are created here (blocking: consume_*() runs at start-up,
 * before the loop); else, or if that fails, from the loop's tick on the
 * worker pool once both connections are up. */
static int nt_consume(struct nt_state *st, struct nt_group *g)
{
	struct nt_sub **subs;
	bool now = st->connected && !st->ensuring && nt_admin_up(st);

	if (st->nsubs + g->nsubs > NT_MAX_SUBS)
		return -E2BIG;
	for (size_t i = 0; i < g->nsubs; i++) {
		if (now && nt_ensure_consumer(st, g->subs[i]) == 0) {
			g->subs[i]->ready = true;
		} else {
			now = false;
			st->need_ensure = true;
			st->ensure_at = 0;
		}
	}
	subs = realloc(st->subs, (st->nsubs + g->nsubs) * sizeof(*subs));
	if (!subs)
		return -ENOMEM;
	st->subs = subs;
	for (size_t i = 0; i < g->nsubs; i++) {
		g->subs[i]->index = st->nsubs;
		st->subs[st->nsubs++] = g->subs[i];
	}
	TAILQ_INSERT_TAIL(&st->groups, g, link);
	if (g->prefetch > st->max_ack_pending)
		nt_log(st, AC_LOG_WARN,
		       "prefetch %u is more than transport.max_ack_pending "
		       "(%" PRId64 ") allows for all consumers together",
		       g->prefetch, st->max_ack_pending);
	nt_maybe_ensure(st);
	nt_refill(st);
	return 0;
}

static int nt_consume_jobs(void *state, const char *const *langs,
                           unsigned prefetch, ac_msg_cb cb, void *arg)
{
	struct nt_state *st = state;
	struct nt_group *g;
	size_t n = 0;
	int r = -ENOMEM;

	if (!langs || !langs[0] || !cb)
		return -EINVAL;
	while (langs[n])
		n++;
	if (n > NT_MAX_SUBS)
		return -EINVAL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->subs = calloc(n, sizeof(*g->subs));
	if (!g->subs)
		goto fail;
	g->prefetch = prefetch ? prefetch : st->results_prefetch;
	g->cb = cb;
	g->arg = arg;
	for (size_t i = 0; i < n; i++) {
		char consumer[sizeof(NT_JOBS_CONSUMER) + NT_MAX_LANG];
		char filter[sizeof(NT_JOBS_PREFIX) + NT_MAX_LANG];
		char dead[sizeof(NT_DEAD_PREFIX) + NT_MAX_LANG];

		if (nt_check_lang(langs[i]) < 0) {
			nt_log(st, AC_LOG_ERROR,
			       "consume_jobs: invalid language name");
			r = -EINVAL;
			goto fail;
		}
		snprintf(consumer, sizeof(consumer), "%s%s", NT_JOBS_CONSUMER,
		         langs[i]);
		snprintf(filter, sizeof(filter), "%s%s", NT_JOBS_PREFIX,
		         langs[i]);
		snprintf(dead, sizeof(dead), "%s%s", NT_DEAD_PREFIX, langs[i]);
		g->subs[i] = nt_sub_new(NT_JOBS_STREAM, consumer, filter, dead);
		if (!g->subs[i]) {
			r = -ENOMEM;
			goto fail;
		}
		g->subs[i]->g = g;
		g->nsubs++;
	}
	r = nt_consume(st, g);
	if (r < 0)
		goto fail;
	nt_log(st, AC_LOG_INFO,
	       "consuming jobs of %zu language(s), prefetch %u%s", n,
	       g->prefetch,
	       st->connected ? "" : " (once the NATS server is up)");
	return 0;
fail:
	for (size_t i = 0; i < g->nsubs; i++)
		nt_sub_free(g->subs[i]);
	nt_group_free(g);
	return r;
}

static int nt_consume_results(void *state, ac_msg_cb cb, void *arg)
{
	struct nt_state *st = state;
	struct nt_group *g;
	int r;

	if (!cb)
		return -EINVAL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->subs = calloc(1, sizeof(*g->subs));
	if (g->subs)
		g->subs[0] = nt_sub_new(NT_RESULTS_STREAM, NT_RESULTS_CONSUMER,
		                        NT_RESULTS_SUBJECT,
		                        NT_DEAD_PREFIX "results");
	if (!g->subs || !g->subs[0]) {
		nt_group_free(g);
		return -ENOMEM;
	}
	g->subs[0]->g = g;
	g->nsubs = 1;
	g->prefetch = st->results_prefetch;
	g->cb = cb;
	g->arg = arg;
	r = nt_consume(st, g);
	if (r < 0) {
		nt_sub_free(g->subs[0]);
		nt_group_free(g);
	}
	return r;
}

/* A delivery the core holds; NULL (and an error logged) otherwise. */
static bool nt_held(struct nt_state *st, struct ac_delivery *d)
{
	struct ac_delivery *x;

	TAILQ_FOREACH(x, &st->held, link)
	{
		if (x == d && !x->dying)
			return true;
	}
	nt_log(st, AC_LOG_ERROR, "ack/nack of an unknown delivery");
	return false;
}

static void nt_ack(void *state, struct ac_delivery *d)
{
	struct nt_state *st = state;

	if (!nt_held(st, d))
		return;
	nt_reply(st, d, "+ACK");
	d->sub->g->held--;
	nt_delivery_free(st, d);
	nt_refill(st);
}

static void nt_nack(void *state, struct ac_delivery *d, bool requeue,
                    const char *reason)
{
	struct nt_state *st = state;
	char why[NT_REASON_MAX];

	if (!nt_held(st, d))
		return;
	if (!requeue) {
		nt_dead_letter(st, d, reason ? reason : "rejected");
		return;
	}
	if (d->ndelivered >= st->max_deliveries) {
		snprintf(why, sizeof(why),
		         "delivered %" PRIu64 " times, last: %s", d->ndelivered,
		         reason ? reason : "(no reason)");
		nt_dead_letter(st, d, why);
		return;
	}
	nt_log(st, AC_LOG_DEBUG,
	       "requeued a message of %s (delivery %" PRIu64 "): %s",
	       natsMsg_GetSubject(d->msg), d->ndelivered,
	       reason ? reason : "(no reason)");
	nt_reply(st, d, "-NAK");
	d->sub->g->held--;
	nt_delivery_free(st, d);
	nt_refill(st);
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                          */

static void nt_fini(void *state)
{
	struct nt_state *st = state;
	struct nt_items items = STAILQ_HEAD_INITIALIZER(items);
	struct nt_item *it;
	struct ac_delivery *d;
	struct nt_pub *pub;
	struct nt_pull *p;
	struct nt_group *g;
	size_t dropped = 0;
	bool clean = true;

	if (!st)
		return;
	if (st->tick)
		event_free(st->tick);
	st->tick = NULL;
	pthread_mutex_lock(&st->lock);
	st->closing = true;
	STAILQ_CONCAT(&items, &st->items);
	pthread_mutex_unlock(&st->lock);
	/* Hand back what was never settled: redelivered right away. */
	while ((it = STAILQ_FIRST(&items))) {
		STAILQ_REMOVE_HEAD(&items, link);
		if (it->msg) {
			const char *subj = natsMsg_GetSubject(it->msg);
			const char *reply = natsMsg_GetReply(it->msg);

			if (st->nc && subj && strstr(subj, ".f.") && reply &&
			    strncmp(reply, "$JS.ACK.", 8) == 0)
				natsConnection_PublishString(st->nc, reply,
				                             "-NAK");
			natsMsg_Destroy(it->msg);
		}
		free(it);
	}
	while ((d = TAILQ_FIRST(&st->held))) {
		if (!d->dying) {
			nt_reply(st, d, "-NAK");
			dropped++;
		}
		nt_delivery_free(st, d);
	}
	while ((pub = TAILQ_FIRST(&st->pubs))) {
		TAILQ_REMOVE(&st->pubs, pub, link);
		free(pub);
	}
	while ((p = TAILQ_FIRST(&st->pulls))) {
		TAILQ_REMOVE(&st->pulls, p, link);
		free(p);
	}
	if (dropped)
		nt_log(st, AC_LOG_INFO,
		       "handed %zu unsettled message(s) back to the server",
		       dropped);
	if (st->nc) {
		struct timespec ts;

		/* Write what is buffered (acks, naks) before closing. */
		natsConnection_Close(st->nc);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += NT_CLOSE_WAIT_S;
		pthread_mutex_lock(&st->lock);
		while (!(st->nc_closed && (st->sub_done || !st->inbox_sub))) {
			if (pthread_cond_timedwait(&st->cond, &st->lock, &ts) !=
			    0)
				break;
		}
		clean = st->nc_closed && (st->sub_done || !st->inbox_sub);
		pthread_mutex_unlock(&st->lock);
	}
	if (!clean) {
		/* nats.c may still call us: leak rather than crash. */
		nt_log(st, AC_LOG_ERROR,
		       "the NATS connection did not close in %d s; state "
		       "leaked",
		       NT_CLOSE_WAIT_S);
		return;
	}
	if (st->inbox_sub)
		natsSubscription_Destroy(st->inbox_sub);
	if (st->nc)
		natsConnection_Destroy(st->nc);
	if (st->mjs)
		jsCtx_Destroy(st->mjs);
	if (st->mc)
		natsConnection_Destroy(st->mc);
	natsOptions_Destroy(st->opts);
	natsOptions_Destroy(st->mopts);
	/* Anything queued after `closing` was destroyed by nt_post. */
	while ((g = TAILQ_FIRST(&st->groups))) {
		TAILQ_REMOVE(&st->groups, g, link);
		nt_group_free(g);
	}
	for (size_t i = 0; i < st->nsubs; i++)
		nt_sub_free(st->subs[i]);
	free(st->subs);
	if (st->hop)
		event_free(st->hop);
	pthread_cond_destroy(&st->cond);
	pthread_mutex_destroy(&st->lock);
	free(st->url);
	free(st);
}

static int nt_conf_int(struct nt_state *st, const char *key, long long def,
                       long long min, long long max, long long *out)
{
	long long v = def;
	int r = st->host->conf_int(st->ctx, key, &v);

	if (r < 0 && r != -ENOENT) {
		nt_log(st, AC_LOG_ERROR, "transport.%s must be an integer",
		       key);
		return -EINVAL;
	}
	if (v < min || v > max) {
		nt_log(st, AC_LOG_ERROR,
		       "transport.%s must be between %lld and %lld (got %lld)",
		       key, min, max, v);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int nt_settings(struct nt_state *st)
{
	long long v;
	int r;

	r = st->host->conf_string(st->ctx, "nats_url", &st->url);
	if (r == -ENOENT) {
		st->url = strdup(NT_DEFAULT_URL);
		if (!st->url)
			return -ENOMEM;
	} else if (r < 0) {
		nt_log(st, AC_LOG_ERROR, "transport.nats_url must be a string");
		return r;
	}
	if ((r = nt_conf_int(st, "ack_wait_s", 60, 1, 86400, &v)) < 0)
		return r;
	st->ack_wait_ms = v * 1000;
	if ((r = nt_conf_int(st, "max_deliveries", 5, 1, 1000, &v)) < 0)
		return r;
	st->max_deliveries = (unsigned)v;
	if ((r = nt_conf_int(st, "replicas", 1, 1, 5, &v)) < 0)
		return r;
	st->replicas = v;
	if ((r = nt_conf_int(st, "publish_timeout_s", 10, 1, 3600, &v)) < 0)
		return r;
	st->publish_timeout_ms = v * 1000;
	if ((r = nt_conf_int(st, "results_prefetch", 64, 1, 10000, &v)) < 0)
		return r;
	st->results_prefetch = (unsigned)v;
	if ((r = nt_conf_int(st, "max_ack_pending", 1000, 1, 1000000, &v)) < 0)
		return r;
	st->max_ack_pending = v;
	if ((r = nt_conf_int(st, "reconnect_min_ms", TRC_RECONNECT_MIN_DEFAULT,
	                     TRC_RECONNECT_LO, TRC_RECONNECT_HI, &v)) < 0)
		return r;
	st->reconnect_min_ms = v;
	if ((r = nt_conf_int(st, "reconnect_max_ms", TRC_RECONNECT_MAX_DEFAULT,
	                     TRC_RECONNECT_LO, TRC_RECONNECT_HI, &v)) < 0)
		return r;
	st->reconnect_max_ms = v;
	if (st->reconnect_max_ms < st->reconnect_min_ms) {
		nt_log(st, AC_LOG_ERROR,
		       "transport.reconnect_max_ms (%" PRId64
		       ") is less than transport.reconnect_min_ms (%" PRId64
		       ")",
		       st->reconnect_max_ms, st->reconnect_min_ms);
		return -EINVAL;
	}
	if ((r = nt_conf_int(st, "duplicate_window_s", 600, 1, 86400, &v)) < 0)
		return r;
	st->dup_window_s = v;
	return 0;
}

/* Both connections: retry for ever, the first connection included (a
 * server started after us is waited for in the background; connected_cb
 * tells when it is up), with our back-off between attempts. */
static natsStatus nt_common_options(struct nt_state *st, natsOptions *o,
                                    const char *name,
                                    natsConnectionHandler connected_cb,
                                    void *closure)
{
	natsStatus s = natsOptions_SetURL(o, st->url);

	if (s == NATS_OK)
		s = natsOptions_SetName(o, name);
	if (s == NATS_OK)
		s = natsOptions_SetTimeout(o, 2000);
	if (s == NATS_OK)
		s = natsOptions_SetAllowReconnect(o, true);
	if (s == NATS_OK)
		s = natsOptions_SetMaxReconnect(o, -1);
	if (s == NATS_OK)
		s = natsOptions_SetCustomReconnectDelay(
		        o, nt_reconnect_delay_cb,
		        (void *)nt_pack_backoff(st->reconnect_min_ms,
		                                st->reconnect_max_ms));
	if (s == NATS_OK)
		s = natsOptions_SetRetryOnFailedConnect(o, true, connected_cb,
		                                        closure);
	return s;
}

static int nt_connect(struct nt_state *st)
{
	jsOptions jo;
	natsInbox *inbox = NULL;
	natsStatus s;

	s = natsOptions_Create(&st->opts);
	if (s == NATS_OK)
		s = nt_common_options(st, st->opts, "algocode", nt_connected_cb,
		                      st);
	/* The core already called evthread_use_pthreads() (what
	 * natsLibevent_Init() does) before it created its base. */
	if (s == NATS_OK)
		s = natsOptions_SetEventLoop(
		        st->opts, st->base, natsLibevent_Attach,
		        natsLibevent_Read, natsLibevent_Write,
		        natsLibevent_Detach);
	if (s == NATS_OK)
		s = natsOptions_SetDisconnectedCB(st->opts, nt_disconnected_cb,
		                                  st);
	if (s == NATS_OK)
		s = natsOptions_SetReconnectedCB(st->opts, nt_reconnected_cb,
		                                 st);
	if (s == NATS_OK)
		s = natsOptions_SetClosedCB(st->opts, nt_closed_cb, st);
	if (s != NATS_OK) {
		nt_log(st, AC_LOG_ERROR, "NATS options: %s", nt_last_error(s));
		return nt_errno(s) ? nt_errno(s) : -EIO;
	}
	s = natsConnection_Connect(&st->nc, st->opts);
	if (s == NATS_NOT_YET_CONNECTED) {
		st->down_since = pu_mono_ms();
		st->down_log_step = NT_DOWN_LOG_FIRST;
		st->down_log_at = st->down_since + st->down_log_step;
		nt_log(st, AC_LOG_WARN,
		       "cannot connect to %s yet (no server answers); "
		       "retrying in the background (every %" PRId64 "..%" PRId64
		       " ms): publishes fail and consumers wait until it "
		       "is up",
		       st->url, st->reconnect_min_ms, st->reconnect_max_ms);
	} else if (s != NATS_OK) {
		nt_log(st, AC_LOG_ERROR, "cannot connect to %s: %s", st->url,
		       nt_last_error(s));
		return -ECONNREFUSED;
	} else {
		st->connected = true;
	}

	s = natsOptions_Create(&st->mopts);
	if (s == NATS_OK)
		s = nt_common_options(st, st->mopts, "algocode-admin",
		                      nt_admin_connected_cb, NULL);
	if (s == NATS_OK) {
		s = natsConnection_Connect(&st->mc, st->mopts);
		if (s == NATS_NOT_YET_CONNECTED) {
			s = NATS_OK;
		}
	}
	if (s == NATS_OK) {
		jsOptions_Init(&jo);
		jo.Wait = 5000;
		s = natsConnection_JetStream(&st->mjs, st->mc, &jo);
	}
	if (s != NATS_OK) {
		nt_log(st, AC_LOG_ERROR, "cannot connect to %s: %s", st->url,
		       nt_last_error(s));
		return -ECONNREFUSED;
	}

	s = natsInbox_Create(&inbox);
	if (s == NATS_OK) {
		snprintf(st->inbox, sizeof(st->inbox), "%s", (char *)inbox);
		natsInbox_Destroy(inbox);
		char wild[sizeof(st->inbox) + 4];

		snprintf(wild, sizeof(wild), "%s.>", st->inbox);
		s = natsConnection_Subscribe(&st->inbox_sub, st->nc, wild,
		                             nt_inbox_cb, st);
	}
	if (s == NATS_OK)
		s = natsSubscription_SetOnCompleteCB(st->inbox_sub,
		                                     nt_sub_done_cb, st);
	if (s == NATS_OK)
		s = natsSubscription_SetPendingLimits(st->inbox_sub, -1, -1);
	if (s != NATS_OK) {
		nt_log(st, AC_LOG_ERROR, "cannot subscribe to the inbox: %s",
		       nt_last_error(s));
		return nt_errno(s) ? nt_errno(s) : -EIO;
	}
	return 0;
}

static int nt_init(const struct ac_host *host, struct ac_plugin_ctx *ctx,
                   void **state)
{
	struct nt_state *st;
	struct timeval tv = {0, NT_TICK_MS * 1000};
	int r;

	*state = NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->host = host;
	st->ctx = ctx;
	pthread_mutex_init(&st->lock, NULL);
	pthread_cond_init(&st->cond, NULL);
	STAILQ_INIT(&st->items);
	TAILQ_INIT(&st->groups);
	TAILQ_INIT(&st->pulls);
	TAILQ_INIT(&st->pubs);
	TAILQ_INIT(&st->held);
	r = nt_settings(st);
	if (r < 0)
		goto fail;
	st->base = host->event_base(ctx);
	if (!st->base) {
		nt_log(st, AC_LOG_ERROR, "no event base");
		r = -EINVAL;
		goto fail;
	}
	st->hop = event_new(st->base, -1, 0, nt_hop_cb, st);
	st->tick = event_new(st->base, -1, EV_PERSIST, nt_tick_cb, st);
	if (!st->hop || !st->tick || event_add(st->tick, &tv) < 0) {
		r = -ENOMEM;
		goto fail;
	}
	r = nt_connect(st);
	if (r < 0)
		goto fail;
	/* Streams: created now if the server is up (blocking: start-up),
	 * else (or if that fails) from the loop's tick on the worker pool
	 * once both connections are up. */
	if (st->connected && nt_admin_up(st) && nt_ensure_streams(st) == 0) {
		st->streams_ok = true;
	} else {
		st->need_ensure = true;
		st->ensure_at = 0;
	}
	/* The series exists from the start. */
	nt_metric(st, "broker_reconnects_total", NT_METRIC_LABELS, 'c', 0);
	if (st->connected)
		nt_log(st, AC_LOG_INFO,
		       "connected to %s (ack wait %" PRId64
		       " s, %u deliveries at most)",
		       st->url, st->ack_wait_ms / 1000, st->max_deliveries);
	*state = st;
	return 0;
fail:
	nt_fini(st);
	return r;
}

static const struct ac_transport_ops nt_ops = {
        .init = nt_init,
        .fini = nt_fini,
        .publish_job = nt_publish_job,
        .publish_result = nt_publish_result,
        .consume_jobs = nt_consume_jobs,
        .consume_results = nt_consume_results,
        .ack = nt_ack,
        .nack = nt_nack,
};

AC_PLUGIN_DEFINE(AC_KIND_TRANSPORT, "nats",
                 "NATS JetStream (durable work-queue streams, explicit "
                 "acks, redelivery, dead letters)",
                 PACKAGE_VERSION, nt_ops);
