/* transport/nats: the plugin's state and what its files share: nats.c (the hop
 * to the loop, the operations, the life cycle), jetstream.c (streams, consumers
 * and the queue-depth metrics, over the management connection), flow.c
 * (publishing, pulling and delivering).  See nats.c for the design. */
#ifndef ALGOCODE_TRANSPORT_NATS_NT_H
#define ALGOCODE_TRANSPORT_NATS_NT_H

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
#define NT_MAX_LANG         TRC_MAX_LANG
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

/* Shared between the files of this module. */
int nt_errno(natsStatus s);
const char *nt_last_error(natsStatus s);
int nt_ensure_streams(struct nt_state *st);
int nt_ensure_consumer(struct nt_state *st, const struct nt_sub *sub);
bool nt_admin_up(struct nt_state *st);
void nt_maybe_ensure(struct nt_state *st);
void nt_metric(struct nt_state *st, const char *name, const char *labels,
               char kind, double value);
void nt_start_depth(struct nt_state *st);
int nt_publish(struct nt_state *st, const char *subject, const char *body,
               size_t len, ac_done_cb done, void *arg, struct ac_delivery *dead,
               const char *reason);
void nt_reply(struct nt_state *st, struct ac_delivery *d, const char *word);
void nt_delivery_free(struct nt_state *st, struct ac_delivery *d);
void nt_dead_letter(struct nt_state *st, struct ac_delivery *d,
                    const char *reason);
int nt_pull(struct nt_state *st, struct nt_sub *sub, unsigned batch);
void nt_refill(struct nt_state *st);
void nt_mark_down(struct nt_state *st);
void nt_hop_cb(evutil_socket_t fd, short what, void *arg);
void nt_tick_cb(evutil_socket_t fd, short what, void *arg);

#endif
