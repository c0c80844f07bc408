/* transport/rabbitmq: the plugin's state and what its two files share:
 * rabbitmq.c (commands, the loop thread's side, operations, life cycle) and
 * io.c (the I/O thread that owns the AMQP connection).  See rabbitmq.c for the
 * design. */
#ifndef ALGOCODE_TRANSPORT_RABBITMQ_RQ_H
#define ALGOCODE_TRANSPORT_RABBITMQ_RQ_H

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/queue.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>

#include <algocode/plugin.h>

#define RQ_JOBS_PREFIX       "algocode.jobs."
#define RQ_RESULTS_QUEUE     "algocode.results"
#define RQ_DEAD_QUEUE        "algocode.dead"
#define RQ_DEFAULT_URL       "amqp://guest:guest@127.0.0.1:5672/%2f"
#define RQ_MAX_LANG          TRC_MAX_LANG
#define RQ_MAX_BODY          (64u << 20)
#define RQ_MAX_INBOX         100000
#define RQ_RESULTS_PREFETCH  64
#define RQ_PUBLISH_CHANNEL   1
#define RQ_FIRST_CONSUMER_CH 2
#define RQ_MAX_CONSUMERS     64
#define RQ_FRAME_MAX         131072
#define RQ_HDR_ATTEMPTS      "x-algocode-attempts"
#define RQ_HDR_REASON        "x-algocode-reason"
#define RQ_HDR_QUEUE         "x-algocode-queue"
#define RQ_MAX_REASON        1024
#define RQ_DEPTH_INTERVAL_MS 5000
#define RQ_METRIC_LABELS     "transport=\"rabbitmq\""

/* ------------------------------------------------------------ state */

struct rq_state;

/* One consume_* call: immutable once created (read by both threads). */
struct rq_consumer {
	struct rq_state *st;
	char **queues;
	size_t nqueues;
	unsigned prefetch; /* 0: unlimited */
	uint16_t channel;
	ac_msg_cb cb; /* loop thread only */
	void *arg;
};

/* A delivered message (loop thread). */
struct ac_delivery {
	TAILQ_ENTRY(ac_delivery) link; /* st->live while delivered */
	struct rq_consumer *consumer;
	const char *queue; /* one of consumer->queues */
	char *body;        /* NUL-terminated */
	size_t len;
	uint16_t channel;
	uint64_t tag;
	uint64_t gen; /* connection generation */
	unsigned attempts;
	bool redelivered;
	bool live;
};
TAILQ_HEAD(rq_deliveries, ac_delivery);

enum rq_cmd_kind {
	RQ_CMD_PUBLISH,   /* publish, report to done */
	RQ_CMD_REPUBLISH, /* publish a copy, then ack the original */
	RQ_CMD_ACK,
	RQ_CMD_NACK, /* basic.nack(requeue) of the original */
	RQ_CMD_CONSUME,
};

/* Loop -> I/O thread. */
struct rq_cmd {
	STAILQ_ENTRY(rq_cmd) link;
	enum rq_cmd_kind kind;
	char *queue; /* target of a (re)publish */
	char *body;
	size_t len;
	ac_done_cb done;
	void *arg;
	/* REPUBLISH headers */
	unsigned attempts;
	char *reason;
	char *orig_queue;
	char *msg_id; /* (RE)PUBLISH: the AMQP message_id, or NULL */
	/* REPUBLISH, ACK, NACK: the original delivery */
	uint16_t channel;
	uint64_t tag;
	uint64_t gen;
	struct rq_consumer *consumer; /* CONSUME */
};
STAILQ_HEAD(rq_cmds, rq_cmd);

/* I/O thread -> loop. */
struct rq_out {
	STAILQ_ENTRY(rq_out) link;
	ac_done_cb done; /* a completion when non-NULL ... */
	void *arg;
	int status;
	struct ac_delivery *d; /* ... else a delivery */
};
STAILQ_HEAD(rq_outs, rq_out);

/* A publish awaiting its confirm (I/O thread). */
struct rq_pending {
	TAILQ_ENTRY(rq_pending) link;
	uint64_t seq;
	ac_done_cb done; /* PUBLISH */
	void *arg;
	bool settle; /* REPUBLISH: settle the original on confirm */
	uint16_t channel;
	uint64_t tag;
};
TAILQ_HEAD(rq_pendings, rq_pending);

struct rq_state {
	const struct ac_host *host;
	struct ac_plugin_ctx *ctx;
	/* settings */
	char *url_buf; /* amqp_parse_url() points into it */
	struct amqp_connection_info url;
	unsigned max_deliveries;
	int heartbeat_s;
	int connect_timeout_ms;
	int64_t reconnect_min_ms;
	int64_t reconnect_max_ms;
	/* loop side */
	struct event *out_ev;
	struct rq_deliveries live;
	struct rq_consumer *consumers[RQ_MAX_CONSUMERS];
	size_t nconsumers;
	/* shared */
	pthread_mutex_t lock;
	struct rq_cmds inbox;
	size_t ninbox;
	struct rq_outs outbox;
	bool stopping;
	bool up; /* a connection is up: publishes are taken */
	int wake_fd;
	pthread_t thread;
	bool thread_started;
	/* I/O thread only */
	amqp_connection_state_t conn;
	uint64_t gen; /* incremented on each connection */
	uint64_t seq; /* last publish sequence number on channel 1 */
	struct rq_pendings pending;
	struct rq_consumer *subscribed[RQ_MAX_CONSUMERS];
	size_t nsubscribed;
	char **declared;
	size_t ndeclared;
	unsigned long reconnects;
	unsigned long failures; /* connect attempts failed in a row */
	int64_t down_since;     /* ms, monotonic: first failure in a row */
	int64_t depth_at;       /* next queue depth refresh (ms, monotonic) */
	bool ever_connected;
};

/* Shared between the files of this module. */
void rq_cmd_free(struct rq_cmd *c);
void rq_delivery_free(struct ac_delivery *d);
void rq_post(struct rq_state *st, ac_done_cb done, void *arg, int status,
             struct ac_delivery *d);
struct rq_cmd *rq_pop_cmd(struct rq_state *st);
bool rq_is_stopping(struct rq_state *st);
void rq_drain_wake(struct rq_state *st);
void *rq_thread(void *arg);

#endif
