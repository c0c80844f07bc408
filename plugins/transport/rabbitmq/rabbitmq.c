/* transport/rabbitmq: RabbitMQ (AMQP 0-9-1) through rabbitmq-c.
 *
 * Design: one dedicated I/O thread per instance owns the AMQP connection.
 * rabbitmq-c 0.11 is a blocking library: connect, login and every RPC
 * (queue.declare, basic.qos, basic.consume) wait for the broker, and
 * basic.publish blocks in send() when the broker applies TCP back-pressure
 * (a memory or disk alarm stops it reading).  Driving the socket from the
 * event loop would freeze the loop in all of those cases, so the loop never
 * touches the connection:
 *
 *   loop thread --(inbox: commands, eventfd wake-up)--> I/O thread
 *   loop thread <--(outbox: completions, deliveries, event_active)-- I/O
 *
 * The I/O thread poll()s the AMQP socket and the eventfd together; before
 * polling it checks amqp_frames_enqueued()/amqp_data_in_buffer(), because
 * rabbitmq-c may already hold complete frames that poll() cannot see.  It
 * reads frames with amqp_simple_wait_frame_noblock() (which also sends and
 * checks heartbeats) and the content of a delivery with amqp_read_message().
 * Every op of the ABI runs on the loop thread and only queues a command;
 * every callback (publish completion, delivery) runs on the loop thread from
 * the outbox event, never from inside an op.  The outbox event is made
 * active from the I/O thread, which needs libevent's pthreads locking (the
 * core calls evthread_use_pthreads() before it creates its event base).
 *
 * AMQP layout (one connection): channel 1 publishes in confirm mode and
 * declares queues; each consume_* call gets its own channel (2, 3, ...)
 * with basic.qos(prefetch, global) so that the limit is shared by all the
 * queues of that consumer.  Queues are durable classic queues without
 * arguments (algocode.jobs.<lang>, algocode.results, algocode.dead);
 * messages are persistent (delivery_mode 2) and published on the default
 * exchange, and a queue is declared before the first publish to it on each
 * connection, so a message never goes to a queue that does not exist.
 *
 * Publisher confirms: a publish's done callback gets 0 only on the broker's
 * basic.ack for it; -EIO on basic.nack; -ENOTCONN if the connection is lost
 * before the confirm, or if no connection is up when the command is
 * processed.  While no connection is up (before the first one, during a
 * connection attempt, while waiting to retry) publish_job/publish_result
 * return -ENOTCONN at once, without queueing anything: the api answers at
 * once, the judge requeues the job.  Nothing is buffered across an outage.
 *
 * Message id: a job or result is published with the AMQP message_id
 * property set to its "submission_id" (read from the JSON body), so that a
 * consumer or an operator can recognise a republished submission; RabbitMQ
 * itself does not de-duplicate.
 *
 * Acknowledgement: deliveries are acknowledged only by ack() (manual ack,
 * never auto-ack).  A delivery belongs to one connection ("generation");
 * after a reconnect an ack or nack of an older delivery is dropped, because
 * the broker has already put that message back in its queue.
 *
 * Attempts and dead letters: nack(requeue=true) republishes a copy of the
 * message to the tail of its queue with the header x-algocode-attempts
 * incremented, and acks the original once the copy is confirmed.  When the
 * count reaches transport.max_deliveries (default 5), or on
 * nack(requeue=false), the copy goes to the durable queue algocode.dead
 * instead, with headers x-algocode-reason, x-algocode-queue (the original
 * queue) and x-algocode-attempts.  Only explicit nacks are counted: a
 * message the broker redelivers because its consumer died (SIGKILL, lost
 * connection) keeps its count; the redelivered flag alone does not say that
 * the message is at fault, and a judge killed by an operator must not
 * poison a job.
 *
 * Reconnect: on any connection or channel error the connection is dropped,
 * pending confirms fail with -ENOTCONN, and the thread reconnects with
 * exponential backoff (trc_backoff_ms: transport.reconnect_min_ms, default
 * 100, doubling up to transport.reconnect_max_ms, default 500, minus up to
 * a quarter of jitter; reset once connected), then declares the queues
 * again and re-subscribes every consumer.  The same loop makes the first
 * connection: a broker that is not up when the process starts is waited
 * for, never fatal.  Each reconnect is logged with a running count and
 * counted in the metric broker_reconnects_total{transport="rabbitmq"}; an
 * outage is logged when it starts and then after 2^k failed attempts.
 *
 * Queue depth: every RQ_DEPTH_INTERVAL_MS the I/O thread sends a passive
 * queue.declare for each queue declared on the current connection and
 * reports the reply's message_count (messages ready, not counting those
 * delivered and unacknowledged) as the gauge queue_depth{queue="..."}.
 *
 * Settings (group "transport"): amqp_url (default
 * amqp://guest:guest@127.0.0.1:5672/%2f), max_deliveries (1..1000, default
 * 5), heartbeat_s (0..3600, default 30; 0 disables heartbeats),
 * connect_timeout_ms (100..60000, default 5000), reconnect_min_ms and
 * reconnect_max_ms (10..60000, defaults 100 and 500, max >= min).
 *
 * Shutdown: fini() stops the thread, which closes the connection cleanly
 * (unacknowledged deliveries return to their queues).  Completions still
 * pending at fini() are dropped without calling them, like the inproc
 * transport: the roles that issued them are gone by then.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
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

#include "../../common/plugin_util.h"
#include "../tr_common.h"

#define RQ_JOBS_PREFIX       "algocode.jobs."
#define RQ_RESULTS_QUEUE     "algocode.results"
#define RQ_DEAD_QUEUE        "algocode.dead"
#define RQ_DEFAULT_URL       "amqp://guest:guest@127.0.0.1:5672/%2f"
#define RQ_MAX_LANG          64
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

#define rq_log(st, lvl, ...) (st)->host->log((st)->ctx, (lvl), __VA_ARGS__)

/* ------------------------------------------------------------ helpers */

static void rq_cmd_free(struct rq_cmd *c)
{
	if (!c)
		return;
	free(c->queue);
	free(c->body);
	free(c->reason);
	free(c->orig_queue);
	free(c->msg_id);
	free(c);
}

static void rq_delivery_free(struct ac_delivery *d)
{
	if (!d)
		return;
	free(d->body);
	free(d);
}

static void rq_consumer_free(struct rq_consumer *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nqueues; i++)
		free(c->queues[i]);
	free(c->queues);
	free(c);
}

static int rq_lang_queue(const char *lang, char *buf, size_t size)
{
	size_t n;

	if (!lang)
		return -EINVAL;
	n = strlen(lang);
	if (n == 0 || n > RQ_MAX_LANG)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char c = lang[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      c == '+' || c == '.'))
			return -EINVAL;
	}
	if ((size_t)snprintf(buf, size, "%s%s", RQ_JOBS_PREFIX, lang) >= size)
		return -EINVAL;
	return 0;
}

static void rq_wake_thread(struct rq_state *st)
{
	uint64_t one = 1;

	/* EAGAIN: the counter is already non-zero, the thread will wake. */
	if (write(st->wake_fd, &one, sizeof(one)) < 0) {
	}
}

/* Loop thread: hand a command to the I/O thread (takes ownership). */
static int rq_send(struct rq_state *st, struct rq_cmd *c)
{
	int ret = 0;

	pthread_mutex_lock(&st->lock);
	if (st->stopping)
		ret = -ESHUTDOWN;
	else if (c->kind == RQ_CMD_PUBLISH && !st->up)
		ret = -ENOTCONN; /* fail fast: nothing waits for a broker */
	else if (st->ninbox >= RQ_MAX_INBOX && (c->kind == RQ_CMD_PUBLISH))
		ret = -ENOBUFS;
	if (ret == 0) {
		STAILQ_INSERT_TAIL(&st->inbox, c, link);
		st->ninbox++;
	}
	pthread_mutex_unlock(&st->lock);
	if (ret < 0) {
		rq_cmd_free(c);
		return ret;
	}
	rq_wake_thread(st);
	return 0;
}

/* I/O thread: post a completion or a delivery to the loop. */
static void rq_post(struct rq_state *st, ac_done_cb done, void *arg, int status,
                    struct ac_delivery *d)
{
	struct rq_out *o = calloc(1, sizeof(*o));

	if (!o) {
		/* Nothing sane to do: the caller never hears back. */
		rq_log(st, AC_LOG_ERROR, "out of memory: a completion is lost");
		rq_delivery_free(d);
		return;
	}
	o->done = done;
	o->arg = arg;
	o->status = status;
	o->d = d;
	pthread_mutex_lock(&st->lock);
	STAILQ_INSERT_TAIL(&st->outbox, o, link);
	pthread_mutex_unlock(&st->lock);
	event_active(st->out_ev, EV_READ, 0);
}

static struct rq_cmd *rq_pop_cmd(struct rq_state *st)
{
	struct rq_cmd *c;

	pthread_mutex_lock(&st->lock);
	c = STAILQ_FIRST(&st->inbox);
	if (c) {
		STAILQ_REMOVE_HEAD(&st->inbox, link);
		st->ninbox--;
	}
	pthread_mutex_unlock(&st->lock);
	return c;
}

static bool rq_is_stopping(struct rq_state *st)
{
	bool s;

	pthread_mutex_lock(&st->lock);
	s = st->stopping;
	pthread_mutex_unlock(&st->lock);
	return s;
}

static void rq_drain_wake(struct rq_state *st)
{
	uint64_t v;

	if (read(st->wake_fd, &v, sizeof(v)) < 0) {
	}
}

/* ------------------------------------------------------- I/O thread */

static const char *rq_reply_str(amqp_rpc_reply_t r, char *buf, size_t size)
{
	switch (r.reply_type) {
	case AMQP_RESPONSE_NORMAL:
		return "ok";
	case AMQP_RESPONSE_NONE:
		return "no reply";
	case AMQP_RESPONSE_LIBRARY_EXCEPTION:
		return amqp_error_string2(r.library_error);
	case AMQP_RESPONSE_SERVER_EXCEPTION:
		if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
			amqp_connection_close_t *m = r.reply.decoded;
			snprintf(buf, size,
			         "connection closed by the broker: "
			         "%u %.*s",
			         m->reply_code, (int)m->reply_text.len,
			         (char *)m->reply_text.bytes);
		} else if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
			amqp_channel_close_t *m = r.reply.decoded;
			snprintf(buf, size,
			         "channel closed by the broker: %u %.*s",
			         m->reply_code, (int)m->reply_text.len,
			         (char *)m->reply_text.bytes);
		} else {
			snprintf(buf, size, "broker error (method 0x%08x)",
			         (unsigned)r.reply.id);
		}
		return buf;
	}
	return "unknown reply";
}

static int rq_check_rpc(struct rq_state *st, const char *what)
{
	amqp_rpc_reply_t r = amqp_get_rpc_reply(st->conn);
	char buf[512];

	if (r.reply_type == AMQP_RESPONSE_NORMAL)
		return 0;
	rq_log(st, AC_LOG_WARN, "%s: %s", what,
	       rq_reply_str(r, buf, sizeof(buf)));
	return -EIO;
}

static int rq_declare(struct rq_state *st, const char *queue)
{
	char **n;
	char what[256];

	for (size_t i = 0; i < st->ndeclared; i++)
		if (strcmp(st->declared[i], queue) == 0)
			return 0;
	amqp_queue_declare(st->conn, RQ_PUBLISH_CHANNEL,
	                   amqp_cstring_bytes(queue), 0, 1, 0, 0,
	                   amqp_empty_table);
	snprintf(what, sizeof(what), "declaring queue %s", queue);
	if (rq_check_rpc(st, what) < 0)
		return -EIO;
	n = realloc(st->declared, (st->ndeclared + 1) * sizeof(*n));
	if (!n)
		return 0; /* declared; only the cache failed */
	st->declared = n;
	st->declared[st->ndeclared] = strdup(queue);
	if (st->declared[st->ndeclared])
		st->ndeclared++;
	return 0;
}

/* host->metric, if the host has one (test hosts may not). */
static void rq_metric(struct rq_state *st, const char *name, const char *labels,
                      char kind, double value)
{
	if (st->host->metric)
		st->host->metric(st->ctx, name, labels, kind, value);
}

/* Report the depth of every queue declared on this connection (passive
 * declares: a queue deleted behind our back closes the channel, and the
 * connection is re-established, declaring it again).  <0: drop the
 * connection. */
static int rq_report_depths(struct rq_state *st)
{
	char labels[64 + sizeof(RQ_JOBS_PREFIX) + RQ_MAX_LANG];

	st->depth_at = pu_mono_ms() + RQ_DEPTH_INTERVAL_MS;
	for (size_t i = 0; i < st->ndeclared; i++) {
		amqp_queue_declare_ok_t *ok;

		ok = amqp_queue_declare(st->conn, RQ_PUBLISH_CHANNEL,
		                        amqp_cstring_bytes(st->declared[i]), 1,
		                        0, 0, 0, amqp_empty_table);
		if (!ok ||
		    rq_check_rpc(st, "queue depth (passive declare)") < 0)
			return -EIO;
		snprintf(labels, sizeof(labels), "queue=\"%s\"",
		         st->declared[i]);
		rq_metric(st, "queue_depth", labels, 'g',
		          (double)ok->message_count);
	}
	return 0;
}

static int rq_subscribe(struct rq_state *st, struct rq_consumer *c)
{
	char what[256];

	amqp_channel_open(st->conn, c->channel);
	if (rq_check_rpc(st, "opening a consumer channel") < 0)
		return -EIO;
	if (c->prefetch) {
		amqp_basic_qos(
		        st->conn, c->channel, 0,
		        (uint16_t)(c->prefetch > 65535 ? 65535 : c->prefetch),
		        1);
		if (rq_check_rpc(st, "basic.qos") < 0)
			return -EIO;
	}
	for (size_t i = 0; i < c->nqueues; i++) {
		if (rq_declare(st, c->queues[i]) < 0)
			return -EIO;
		amqp_basic_consume(st->conn, c->channel,
		                   amqp_cstring_bytes(c->queues[i]),
		                   amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
		snprintf(what, sizeof(what), "consuming %s", c->queues[i]);
		if (rq_check_rpc(st, what) < 0)
			return -EIO;
	}
	rq_log(st, AC_LOG_DEBUG, "channel %u: consuming %zu queue(s) from %s",
	       c->channel, c->nqueues, c->queues[0]);
	return 0;
}

static void rq_disconnect(struct rq_state *st, bool graceful)
{
	struct rq_pending *p;

	if (!st->conn)
		return;
	if (graceful) {
		amqp_connection_close(st->conn, AMQP_REPLY_SUCCESS);
	}
	amqp_destroy_connection(st->conn);
	st->conn = NULL;
	while ((p = TAILQ_FIRST(&st->pending))) {
		TAILQ_REMOVE(&st->pending, p, link);
		if (p->done)
			rq_post(st, p->done, p->arg, -ENOTCONN, NULL);
		free(p);
	}
	for (size_t i = 0; i < st->ndeclared; i++)
		free(st->declared[i]);
	free(st->declared);
	st->declared = NULL;
	st->ndeclared = 0;
	st->seq = 0;
}

/* A failed connection attempt: logged when an outage starts (a warning
 * that says what happens meanwhile), then after 2^k failed attempts, so
 * that a long outage leaves a few lines, not one per attempt. */
static void rq_connect_failed(struct rq_state *st, const char *what,
                              const char *why)
{
	unsigned long n = ++st->failures;
	int64_t now = pu_mono_ms();

	if (n == 1) {
		st->down_since = now;
		rq_log(st, AC_LOG_WARN,
		       "%s %s:%d vhost %s: %s; retrying in the background "
		       "(every %" PRId64 "..%" PRId64
		       " ms); publishes fail until connected",
		       what, st->url.host, st->url.port, st->url.vhost, why,
		       st->reconnect_min_ms, st->reconnect_max_ms);
	} else if ((n & (n - 1)) == 0 && n >= 8) {
		rq_log(st, AC_LOG_WARN,
		       "still no connection to %s:%d after %lu attempts "
		       "(%" PRId64 " s): %s",
		       st->url.host, st->url.port, n,
		       (now - st->down_since) / 1000, why);
	} else {
		rq_log(st, AC_LOG_DEBUG, "%s %s:%d: %s", what, st->url.host,
		       st->url.port, why);
	}
}

static int rq_connect(struct rq_state *st)
{
	struct timeval tv = {st->connect_timeout_ms / 1000,
	                     (st->connect_timeout_ms % 1000) * 1000};
	amqp_socket_t *sock;
	amqp_rpc_reply_t r;
	char buf[512];
	int rc;

	st->conn = amqp_new_connection();
	if (!st->conn)
		return -ENOMEM;
	sock = amqp_tcp_socket_new(st->conn);
	if (!sock)
		goto fail;
	amqp_set_handshake_timeout(st->conn, &tv);
	amqp_set_rpc_timeout(st->conn, &tv);
	rc = amqp_socket_open_noblock(sock, st->url.host, st->url.port, &tv);
	if (rc != AMQP_STATUS_OK) {
		rq_connect_failed(st, "cannot connect to",
		                  amqp_error_string2(rc));
		goto fail;
	}
	r = amqp_login(st->conn, st->url.vhost, 0, RQ_FRAME_MAX,
	               st->heartbeat_s, AMQP_SASL_METHOD_PLAIN, st->url.user,
	               st->url.password);
	if (r.reply_type != AMQP_RESPONSE_NORMAL) {
		rq_connect_failed(st, "cannot log in to",
		                  rq_reply_str(r, buf, sizeof(buf)));
		goto fail;
	}
	st->gen++;
	st->seq = 0;
	amqp_channel_open(st->conn, RQ_PUBLISH_CHANNEL);
	if (rq_check_rpc(st, "opening the publish channel") < 0)
		goto fail;
	amqp_confirm_select(st->conn, RQ_PUBLISH_CHANNEL);
	if (rq_check_rpc(st, "confirm.select") < 0)
		goto fail;
	if (rq_declare(st, RQ_DEAD_QUEUE) < 0)
		goto fail;
	for (size_t i = 0; i < st->nsubscribed; i++)
		if (rq_subscribe(st, st->subscribed[i]) < 0)
			goto fail;
	return 0;
fail:
	rq_disconnect(st, false);
	return -ECONNREFUSED;
}

/* Properties of a persistent JSON message, with our headers if any. */
static int rq_publish_raw(struct rq_state *st, const char *queue,
                          const char *body, size_t len, const struct rq_cmd *c)
{
	amqp_basic_properties_t props;
	amqp_table_entry_t hdr[3];
	int n = 0;
	int rc;

	if (rq_declare(st, queue) < 0)
		return -EIO;
	memset(&props, 0, sizeof(props));
	props._flags =
	        AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG;
	props.content_type = amqp_cstring_bytes("application/json");
	props.delivery_mode = 2; /* persistent */
	if (c && c->msg_id) {
		props._flags |= AMQP_BASIC_MESSAGE_ID_FLAG;
		props.message_id = amqp_cstring_bytes(c->msg_id);
	}
	if (c && c->kind == RQ_CMD_REPUBLISH) {
		hdr[n].key = amqp_cstring_bytes(RQ_HDR_ATTEMPTS);
		hdr[n].value.kind = AMQP_FIELD_KIND_I32;
		hdr[n].value.value.i32 = (int32_t)c->attempts;
		n++;
		if (c->reason) {
			hdr[n].key = amqp_cstring_bytes(RQ_HDR_REASON);
			hdr[n].value.kind = AMQP_FIELD_KIND_UTF8;
			hdr[n].value.value.bytes =
			        amqp_cstring_bytes(c->reason);
			n++;
		}
		if (c->orig_queue) {
			hdr[n].key = amqp_cstring_bytes(RQ_HDR_QUEUE);
			hdr[n].value.kind = AMQP_FIELD_KIND_UTF8;
			hdr[n].value.value.bytes =
			        amqp_cstring_bytes(c->orig_queue);
			n++;
		}
		props._flags |= AMQP_BASIC_HEADERS_FLAG;
		props.headers.num_entries = n;
		props.headers.entries = hdr;
	}
	rc = amqp_basic_publish(st->conn, RQ_PUBLISH_CHANNEL, amqp_empty_bytes,
	                        amqp_cstring_bytes(queue), 0, 0, &props,
	                        (amqp_bytes_t){len, (void *)body});
	if (rc != AMQP_STATUS_OK) {
		rq_log(st, AC_LOG_WARN, "publishing to %s: %s", queue,
		       amqp_error_string2(rc));
		return -EIO;
	}
	st->seq++;
	return 0;
}

/* Connected: carry out one command.  <0: the connection is broken. */
static int rq_do_cmd(struct rq_state *st, struct rq_cmd *c)
{
	struct rq_pending *p;
	int rc = 0;

	switch (c->kind) {
	case RQ_CMD_CONSUME:
		if (st->nsubscribed < RQ_MAX_CONSUMERS)
			st->subscribed[st->nsubscribed++] = c->consumer;
		rc = rq_subscribe(st, c->consumer);
		break;
	case RQ_CMD_PUBLISH:
	case RQ_CMD_REPUBLISH:
		if (c->kind == RQ_CMD_REPUBLISH && c->gen != st->gen)
			break; /* the broker requeued the original */
		p = calloc(1, sizeof(*p));
		if (!p) {
			if (c->done)
				rq_post(st, c->done, c->arg, -ENOMEM, NULL);
			break;
		}
		rc = rq_publish_raw(st, c->queue, c->body, c->len, c);
		if (rc < 0) {
			/* Fail it with the connection (rq_disconnect). */
			p->seq = UINT64_MAX;
		} else {
			p->seq = st->seq;
		}
		p->done = c->done;
		p->arg = c->arg;
		p->settle = c->kind == RQ_CMD_REPUBLISH;
		p->channel = c->channel;
		p->tag = c->tag;
		TAILQ_INSERT_TAIL(&st->pending, p, link);
		break;
	case RQ_CMD_ACK:
	case RQ_CMD_NACK:
		if (c->gen != st->gen)
			break;
		if (c->kind == RQ_CMD_ACK)
			rc = amqp_basic_ack(st->conn, c->channel, c->tag, 0);
		else
			rc = amqp_basic_nack(st->conn, c->channel, c->tag, 0,
			                     1);
		if (rc != AMQP_STATUS_OK) {
			rq_log(st, AC_LOG_WARN, "basic.%s: %s",
			       c->kind == RQ_CMD_ACK ? "ack" : "nack",
			       amqp_error_string2(rc));
			rc = -EIO;
		}
		break;
	}
	rq_cmd_free(c);
	return rc < 0 ? -EIO : 0;
}

/* Not connected: fail publishes, drop settlements, remember consumers. */
static void rq_drop_cmds(struct rq_state *st, int status)
{
	struct rq_cmd *c;

	while ((c = rq_pop_cmd(st))) {
		if (c->kind == RQ_CMD_PUBLISH && c->done)
			rq_post(st, c->done, c->arg, status, NULL);
		else if (c->kind == RQ_CMD_CONSUME &&
		         st->nsubscribed < RQ_MAX_CONSUMERS)
			st->subscribed[st->nsubscribed++] = c->consumer;
		rq_cmd_free(c);
	}
}

/* A confirm (ack or nack) from the broker: publish `tag`, or with
 * `multiple` every publish up to `tag`.  Confirms may come out of order. */
static int rq_confirm(struct rq_state *st, uint64_t tag, bool multiple, bool ok)
{
	struct rq_pending *p, *next;
	int rc = 0;

	for (p = TAILQ_FIRST(&st->pending); p; p = next) {
		next = TAILQ_NEXT(p, link);
		if (multiple ? p->seq > tag : p->seq != tag)
			continue;
		TAILQ_REMOVE(&st->pending, p, link);
		if (p->settle) {
			int r;

			if (ok)
				r = amqp_basic_ack(st->conn, p->channel, p->tag,
				                   0);
			else
				r = amqp_basic_nack(st->conn, p->channel,
				                    p->tag, 0, 1);
			if (r != AMQP_STATUS_OK)
				rc = -EIO;
		} else if (p->done) {
			rq_post(st, p->done, p->arg, ok ? 0 : -EIO, NULL);
		}
		if (!ok)
			rq_log(st, AC_LOG_WARN,
			       "the broker refused publish #%llu",
			       (unsigned long long)p->seq);
		free(p);
	}
	return rc;
}

static unsigned rq_header_attempts(const amqp_basic_properties_t *props)
{
	if (!(props->_flags & AMQP_BASIC_HEADERS_FLAG))
		return 0;
	for (int i = 0; i < props->headers.num_entries; i++) {
		const amqp_table_entry_t *e = &props->headers.entries[i];
		int64_t v;

		if (e->key.len != strlen(RQ_HDR_ATTEMPTS) ||
		    memcmp(e->key.bytes, RQ_HDR_ATTEMPTS, e->key.len) != 0)
			continue;
		switch (e->value.kind) {
		case AMQP_FIELD_KIND_I8:
			v = e->value.value.i8;
			break;
		case AMQP_FIELD_KIND_U8:
			v = e->value.value.u8;
			break;
		case AMQP_FIELD_KIND_I16:
			v = e->value.value.i16;
			break;
		case AMQP_FIELD_KIND_U16:
			v = e->value.value.u16;
			break;
		case AMQP_FIELD_KIND_I32:
			v = e->value.value.i32;
			break;
		case AMQP_FIELD_KIND_U32:
			v = e->value.value.u32;
			break;
		case AMQP_FIELD_KIND_I64:
			v = e->value.value.i64;
			break;
		default:
			v = 0;
		}
		if (v < 0)
			v = 0;
		if (v > 1000000)
			v = 1000000;
		return (unsigned)v;
	}
	return 0;
}

static int rq_on_deliver(struct rq_state *st, amqp_channel_t ch,
                         const amqp_basic_deliver_t *m)
{
	struct rq_consumer *c = NULL;
	struct ac_delivery *d;
	amqp_message_t msg;
	amqp_rpc_reply_t r;
	uint64_t tag = m->delivery_tag;
	bool redelivered = m->redelivered;
	char rkey[256];
	char buf[512];

	snprintf(rkey, sizeof(rkey), "%.*s", (int)m->routing_key.len,
	         (char *)m->routing_key.bytes);
	/* m lives in the frame pool, which reading the content may reuse. */
	r = amqp_read_message(st->conn, ch, &msg, 0);
	if (r.reply_type != AMQP_RESPONSE_NORMAL) {
		rq_log(st, AC_LOG_WARN, "reading a delivery: %s",
		       rq_reply_str(r, buf, sizeof(buf)));
		return -EIO;
	}
	for (size_t i = 0; i < st->nsubscribed; i++)
		if (st->subscribed[i]->channel == ch)
			c = st->subscribed[i];
	d = c ? calloc(1, sizeof(*d)) : NULL;
	if (d)
		d->body = malloc(msg.body.len + 1);
	if (!d || !d->body || msg.body.len > RQ_MAX_BODY) {
		rq_log(st, AC_LOG_ERROR,
		       "cannot take a delivery on channel %u (%s); requeued",
		       ch,
		       !c ? "no consumer"
		          : (msg.body.len > RQ_MAX_BODY ? "too large"
		                                        : "out of memory"));
		rq_delivery_free(d);
		amqp_destroy_message(&msg);
		return amqp_basic_nack(st->conn, ch, tag, 0, 1) ==
		                       AMQP_STATUS_OK
		               ? 0
		               : -EIO;
	}
	if (msg.body.len)
		memcpy(d->body, msg.body.bytes, msg.body.len);
	d->body[msg.body.len] = '\0';
	d->len = msg.body.len;
	d->consumer = c;
	d->queue = c->queues[0];
	for (size_t i = 0; i < c->nqueues; i++)
		if (strcmp(c->queues[i], rkey) == 0)
			d->queue = c->queues[i];
	d->channel = ch;
	d->tag = tag;
	d->gen = st->gen;
	d->redelivered = redelivered;
	d->attempts = rq_header_attempts(&msg.properties);
	amqp_destroy_message(&msg);
	if (redelivered)
		rq_log(st, AC_LOG_INFO,
		       "redelivered message from %s (%u failed attempt(s) "
		       "counted)",
		       d->queue, d->attempts);
	rq_post(st, NULL, NULL, 0, d);
	return 0;
}

/* Handle one frame.  <0: the connection must be dropped. */
static int rq_on_frame(struct rq_state *st, const amqp_frame_t *f)
{
	const amqp_method_t *m;
	char buf[512];

	if (f->frame_type != AMQP_FRAME_METHOD)
		return 0; /* heartbeats; stray content frames */
	m = &f->payload.method;
	switch (m->id) {
	case AMQP_BASIC_DELIVER_METHOD:
		return rq_on_deliver(st, f->channel, m->decoded);
	case AMQP_BASIC_ACK_METHOD: {
		const amqp_basic_ack_t *a = m->decoded;
		return rq_confirm(st, a->delivery_tag, a->multiple, true);
	}
	case AMQP_BASIC_NACK_METHOD: {
		const amqp_basic_nack_t *a = m->decoded;
		return rq_confirm(st, a->delivery_tag, a->multiple, false);
	}
	case AMQP_BASIC_RETURN_METHOD: {
		amqp_message_t msg;
		amqp_rpc_reply_t r =
		        amqp_read_message(st->conn, f->channel, &msg, 0);
		if (r.reply_type != AMQP_RESPONSE_NORMAL)
			return -EIO;
		amqp_destroy_message(&msg);
		return 0;
	}
	case AMQP_BASIC_CANCEL_METHOD:
		rq_log(st, AC_LOG_WARN,
		       "the broker cancelled a consumer on channel %u (queue "
		       "deleted?); reconnecting to subscribe again",
		       f->channel);
		return -EIO;
	case AMQP_CHANNEL_CLOSE_METHOD: {
		const amqp_channel_close_t *c = m->decoded;
		snprintf(buf, sizeof(buf), "%.*s", (int)c->reply_text.len,
		         (char *)c->reply_text.bytes);
		rq_log(st, AC_LOG_WARN,
		       "channel %u closed by the broker: %u %s", f->channel,
		       c->reply_code, buf);
		return -EIO;
	}
	case AMQP_CONNECTION_CLOSE_METHOD: {
		const amqp_connection_close_t *c = m->decoded;
		amqp_connection_close_ok_t ok;
		snprintf(buf, sizeof(buf), "%.*s", (int)c->reply_text.len,
		         (char *)c->reply_text.bytes);
		rq_log(st, AC_LOG_WARN,
		       "connection closed by the broker: %u %s", c->reply_code,
		       buf);
		memset(&ok, 0, sizeof(ok));
		amqp_send_method(st->conn, 0, AMQP_CONNECTION_CLOSE_OK_METHOD,
		                 &ok);
		return -EIO;
	}
	case AMQP_CONNECTION_BLOCKED_METHOD:
		rq_log(st, AC_LOG_WARN,
		       "the broker blocked publishing (resource alarm)");
		return 0;
	case AMQP_CONNECTION_UNBLOCKED_METHOD:
		rq_log(st, AC_LOG_INFO, "the broker unblocked publishing");
		return 0;
	default:
		return 0;
	}
}

static int rq_poll_ms(const struct rq_state *st)
{
	int64_t depth = st->depth_at - pu_mono_ms();
	int ms = 1000;

	/* Wake up often enough to send heartbeats on an idle connection,
	 * and for the next queue depth refresh. */
	if (st->heartbeat_s > 0)
		ms = st->heartbeat_s * 1000 / 4 + 1;
	if (depth < 0)
		depth = 0;
	return depth < ms ? (int)depth : ms;
}

/* Connected: serve until the connection breaks or we stop. */
static void rq_serve(struct rq_state *st)
{
	struct timeval zero = {0, 0};
	struct timeval partial = {0, 50000};
	amqp_frame_t frame;
	struct rq_cmd *c;
	int rc;

	for (;;) {
		struct timeval *tv = &zero;

		if (rq_is_stopping(st))
			return;
		while ((c = rq_pop_cmd(st)))
			if (rq_do_cmd(st, c) < 0)
				return;
		if (pu_mono_ms() >= st->depth_at && rq_report_depths(st) < 0)
			return;
		if (!amqp_frames_enqueued(st->conn)) {
			if (amqp_data_in_buffer(st->conn)) {
				/* A partial frame: wait a little for the
				 * rest rather than spin. */
				tv = &partial;
			} else {
				struct pollfd pfd[2] = {
				        {amqp_get_sockfd(st->conn), POLLIN, 0},
				        {st->wake_fd, POLLIN, 0},
				};

				rc = poll(pfd, 2, rq_poll_ms(st));
				if (rc < 0 && errno != EINTR) {
					rq_log(st, AC_LOG_ERROR, "poll: %s",
					       strerror(errno));
					return;
				}
				if (rc > 0 && (pfd[1].revents & POLLIN))
					rq_drain_wake(st);
			}
		}
		/* Also sends a due heartbeat and detects a missed one. */
		rc = amqp_simple_wait_frame_noblock(st->conn, &frame, tv);
		if (rc == AMQP_STATUS_TIMEOUT)
			continue;
		if (rc != AMQP_STATUS_OK) {
			rq_log(st, AC_LOG_WARN, "connection lost: %s",
			       amqp_error_string2(rc));
			return;
		}
		if (rq_on_frame(st, &frame) < 0)
			return;
		amqp_maybe_release_buffers(st->conn);
	}
}

/* Disconnected: wait `ms` for the next attempt, failing publishes. */
static void rq_backoff(struct rq_state *st, unsigned ms)
{
	struct timespec now, end;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ms / 1000;
	end.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	for (;;) {
		struct pollfd pfd = {st->wake_fd, POLLIN, 0};
		long left;

		rq_drop_cmds(st, -ENOTCONN);
		if (rq_is_stopping(st))
			return;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (end.tv_sec - now.tv_sec) * 1000L +
		       (end.tv_nsec - now.tv_nsec) / 1000000L;
		if (left <= 0)
			return;
		if (poll(&pfd, 1, (int)left) > 0)
			rq_drain_wake(st);
	}
}

static void rq_set_up(struct rq_state *st, bool up)
{
	pthread_mutex_lock(&st->lock);
	st->up = up;
	pthread_mutex_unlock(&st->lock);
}

static void *rq_thread(void *arg)
{
	struct rq_state *st = arg;
	unsigned attempt = 0;
	int64_t backoff;

	while (!rq_is_stopping(st)) {
		if (rq_connect(st) == 0) {
			if (st->ever_connected) {
				st->reconnects++;
				rq_metric(st, "broker_reconnects_total",
				          RQ_METRIC_LABELS, 'c', 1);
				rq_log(st, AC_LOG_WARN,
				       "reconnected to %s:%d (reconnect #%lu, "
				       "after %lu failed attempt(s)); "
				       "queues declared, %zu consumer(s) "
				       "subscribed again",
				       st->url.host, st->url.port,
				       st->reconnects, st->failures,
				       st->nsubscribed);
			} else {
				/* The series exists from the start. */
				rq_metric(st, "broker_reconnects_total",
				          RQ_METRIC_LABELS, 'c', 0);
				rq_log(st, AC_LOG_INFO,
				       "connected to %s:%d vhost %s%s",
				       st->url.host, st->url.port,
				       st->url.vhost,
				       st->failures ? " (the broker is up now)"
				                    : "");
			}
			st->ever_connected = true;
			st->failures = 0;
			attempt = 0;
			rq_set_up(st, true);
			rq_serve(st);
			rq_set_up(st, false);
			rq_disconnect(st, rq_is_stopping(st));
			if (rq_is_stopping(st))
				break;
			rq_log(st, AC_LOG_WARN,
			       "lost the connection to %s:%d; reconnecting "
			       "(publishes fail until then)",
			       st->url.host, st->url.port);
		}
		backoff = trc_backoff_ms(st->reconnect_min_ms,
		                         st->reconnect_max_ms, ++attempt,
		                         trc_jitter());
		rq_log(st, AC_LOG_DEBUG,
		       "next connection attempt in %" PRId64 " ms", backoff);
		rq_backoff(st, (unsigned)backoff);
	}
	rq_disconnect(st, true);
	rq_drop_cmds(st, -ESHUTDOWN);
	return NULL;
}

/* ------------------------------------------------------- loop thread */

static void rq_out_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rq_state *st = arg;
	struct rq_outs outs = STAILQ_HEAD_INITIALIZER(outs);
	struct rq_out *o;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&st->lock);
	STAILQ_CONCAT(&outs, &st->outbox);
	pthread_mutex_unlock(&st->lock);
	while ((o = STAILQ_FIRST(&outs))) {
		STAILQ_REMOVE_HEAD(&outs, link);
		if (o->done) {
			o->done(o->arg, o->status);
		} else if (o->d) {
			struct ac_delivery *d = o->d;

			d->live = true;
			TAILQ_INSERT_TAIL(&st->live, d, link);
			/* d may be settled (and freed) in the callback. */
			d->consumer->cb(d->consumer->arg, d->body, d->len, d);
		}
		free(o);
	}
}

/* The submission id of a body, malloc'ed, or NULL (logged at debug). */
static char *rq_msg_id(struct rq_state *st, const char *body, size_t len)
{
	char id[TRC_MSG_ID_MAX + 1];
	int r = trc_msg_id(body, len, id, sizeof(id));

	if (r < 0) {
		rq_log(st, AC_LOG_DEBUG,
		       "a message without a usable "
		       "submission_id (%s): no message_id",
		       strerror(-r));
		return NULL;
	}
	return strdup(id);
}

static int rq_publish(struct rq_state *st, const char *queue, const char *body,
                      size_t len, ac_done_cb done, void *arg)
{
	struct rq_cmd *c;

	if (!body && len > 0)
		return -EINVAL;
	if (len > RQ_MAX_BODY)
		return -EMSGSIZE;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->kind = RQ_CMD_PUBLISH;
	c->queue = strdup(queue);
	c->body = malloc(len + 1);
	if (!c->queue || !c->body) {
		rq_cmd_free(c);
		return -ENOMEM;
	}
	if (len)
		memcpy(c->body, body, len);
	c->body[len] = '\0';
	c->len = len;
	c->done = done;
	c->arg = arg;
	c->msg_id = rq_msg_id(st, c->body, len);
	return rq_send(st, c);
}

static int rq_publish_job(void *state, const char *lang, const char *body,
                          size_t len, ac_done_cb done, void *arg)
{
	struct rq_state *st = state;
	char name[sizeof(RQ_JOBS_PREFIX) + RQ_MAX_LANG];

	if (rq_lang_queue(lang, name, sizeof(name)) < 0) {
		rq_log(st, AC_LOG_ERROR, "publish_job: invalid language name");
		return -EINVAL;
	}
	return rq_publish(st, name, body, len, done, arg);
}

static int rq_publish_result(void *state, const char *body, size_t len,
                             ac_done_cb done, void *arg)
{
	return rq_publish(state, RQ_RESULTS_QUEUE, body, len, done, arg);
}

/* Takes ownership of names[0..n). */
static int rq_consume(struct rq_state *st, char **names, size_t n,
                      unsigned prefetch, ac_msg_cb cb, void *arg)
{
	struct rq_consumer *c;
	struct rq_cmd *cmd;

	c = calloc(1, sizeof(*c));
	cmd = calloc(1, sizeof(*cmd));
	if (!c || !cmd || st->nconsumers >= RQ_MAX_CONSUMERS) {
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		free(c);
		free(cmd);
		return c && cmd ? -EMFILE : -ENOMEM;
	}
	c->st = st;
	c->queues = names;
	c->nqueues = n;
	c->prefetch = prefetch;
	c->channel = (uint16_t)(RQ_FIRST_CONSUMER_CH + st->nconsumers);
	c->cb = cb;
	c->arg = arg;
	st->consumers[st->nconsumers++] = c;
	cmd->kind = RQ_CMD_CONSUME;
	cmd->consumer = c;
	return rq_send(st, cmd);
}

static int rq_consume_jobs(void *state, const char *const *langs,
                           unsigned prefetch, ac_msg_cb cb, void *arg)
{
	struct rq_state *st = state;
	size_t n = 0;
	char **names;

	if (!cb || !langs || !langs[0])
		return -EINVAL;
	while (langs[n])
		n++;
	if (n > 1024)
		return -EINVAL;
	names = calloc(n, sizeof(*names));
	if (!names)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		size_t size = sizeof(RQ_JOBS_PREFIX) + RQ_MAX_LANG;
		int ret = -ENOMEM;

		names[i] = malloc(size);
		if (!names[i] ||
		    (ret = rq_lang_queue(langs[i], names[i], size)) < 0) {
			if (ret == -EINVAL)
				rq_log(st, AC_LOG_ERROR,
				       "consume_jobs: invalid language name");
			for (size_t j = 0; j <= i; j++)
				free(names[j]);
			free(names);
			return ret;
		}
	}
	rq_log(st, AC_LOG_DEBUG, "consuming %zu job queue(s), prefetch %u", n,
	       prefetch);
	return rq_consume(st, names, n, prefetch, cb, arg);
}

static int rq_consume_results(void *state, ac_msg_cb cb, void *arg)
{
	char **names;

	if (!cb)
		return -EINVAL;
	names = calloc(1, sizeof(*names));
	if (!names)
		return -ENOMEM;
	names[0] = strdup(RQ_RESULTS_QUEUE);
	if (!names[0]) {
		free(names);
		return -ENOMEM;
	}
	return rq_consume(state, names, 1, RQ_RESULTS_PREFETCH, cb, arg);
}

static bool rq_settle(struct rq_state *st, struct ac_delivery *d)
{
	if (!d || !d->live) {
		rq_log(st, AC_LOG_ERROR, "ack/nack of an unknown delivery");
		return false;
	}
	TAILQ_REMOVE(&st->live, d, link);
	d->live = false;
	return true;
}

static void rq_ack(void *state, struct ac_delivery *d)
{
	struct rq_state *st = state;
	struct rq_cmd *c;

	if (!rq_settle(st, d))
		return;
	c = calloc(1, sizeof(*c));
	if (c) {
		c->kind = RQ_CMD_ACK;
		c->channel = d->channel;
		c->tag = d->tag;
		c->gen = d->gen;
		if (rq_send(st, c) < 0)
			rq_log(st, AC_LOG_WARN,
			       "cannot acknowledge a delivery "
			       "(stopping); it will be redelivered");
	} else {
		rq_log(st, AC_LOG_ERROR,
		       "out of memory: a delivery stays "
		       "unacknowledged until reconnect");
	}
	rq_delivery_free(d);
}

static void rq_nack(void *state, struct ac_delivery *d, bool requeue,
                    const char *reason)
{
	struct rq_state *st = state;
	struct rq_cmd *c;
	unsigned failed;
	char why[RQ_MAX_REASON];

	if (!rq_settle(st, d))
		return;
	failed = d->attempts + 1;
	if (!reason)
		reason = "(no reason)";
	c = calloc(1, sizeof(*c));
	if (!c)
		goto fallback;
	c->kind = RQ_CMD_REPUBLISH;
	c->channel = d->channel;
	c->tag = d->tag;
	c->gen = d->gen;
	c->attempts = failed;
	c->orig_queue = strdup(d->queue);
	if (!requeue || failed >= st->max_deliveries) {
		if (requeue)
			snprintf(why, sizeof(why), "failed %u times, last: %s",
			         failed, reason);
		else
			snprintf(why, sizeof(why), "%s", reason);
		c->queue = strdup(RQ_DEAD_QUEUE);
		rq_log(st, AC_LOG_WARN, "dead-lettering a message of %s: %s",
		       d->queue, why);
	} else {
		snprintf(why, sizeof(why), "%s", reason);
		c->queue = strdup(d->queue);
		rq_log(st, AC_LOG_DEBUG,
		       "requeued a message of %s (failed attempt %u): %s",
		       d->queue, failed, why);
	}
	c->reason = strdup(why);
	c->msg_id = rq_msg_id(st, d->body, d->len);
	/* The body moves to the command. */
	c->body = d->body;
	c->len = d->len;
	d->body = NULL;
	if (!c->queue || !c->reason || !c->orig_queue) {
		d->body = c->body;
		c->body = NULL;
		rq_cmd_free(c);
		goto fallback;
	}
	if (rq_send(st, c) < 0)
		rq_log(st, AC_LOG_WARN,
		       "cannot settle a delivery (stopping); "
		       "it will be redelivered");
	rq_delivery_free(d);
	return;
fallback:
	/* Out of memory: plain basic.nack(requeue), not counted. */
	c = calloc(1, sizeof(*c));
	if (c) {
		c->kind = RQ_CMD_NACK;
		c->channel = d->channel;
		c->tag = d->tag;
		c->gen = d->gen;
		rq_send(st, c);
	}
	rq_delivery_free(d);
}

static void rq_fini(void *state)
{
	struct rq_state *st = state;
	struct ac_delivery *d;
	struct rq_out *o;
	struct rq_cmd *c;
	size_t dropped = 0;

	if (!st)
		return;
	if (st->thread_started) {
		pthread_mutex_lock(&st->lock);
		st->stopping = true;
		pthread_mutex_unlock(&st->lock);
		rq_wake_thread(st);
		pthread_join(st->thread, NULL);
	}
	while ((c = STAILQ_FIRST(&st->inbox))) {
		STAILQ_REMOVE_HEAD(&st->inbox, link);
		rq_cmd_free(c);
	}
	while ((o = STAILQ_FIRST(&st->outbox))) {
		STAILQ_REMOVE_HEAD(&st->outbox, link);
		if (o->d)
			rq_delivery_free(o->d);
		else
			dropped++;
		free(o);
	}
	while ((d = TAILQ_FIRST(&st->live))) {
		TAILQ_REMOVE(&st->live, d, link);
		rq_delivery_free(d);
	}
	if (dropped)
		rq_log(st, AC_LOG_DEBUG, "%zu completion(s) dropped at stop",
		       dropped);
	for (size_t i = 0; i < st->nconsumers; i++)
		rq_consumer_free(st->consumers[i]);
	if (st->out_ev)
		event_free(st->out_ev);
	if (st->wake_fd >= 0)
		close(st->wake_fd);
	pthread_mutex_destroy(&st->lock);
	free(st->url_buf);
	free(st);
}

static int rq_conf_int(struct rq_state *st, const char *key, long long lo,
                       long long hi, long long *val)
{
	int ret = st->host->conf_int(st->ctx, key, val);

	if (ret == -ENOENT)
		return 0;
	if (ret < 0) {
		rq_log(st, AC_LOG_ERROR, "transport.%s must be an integer",
		       key);
		return -EINVAL;
	}
	if (*val < lo || *val > hi) {
		rq_log(st, AC_LOG_ERROR,
		       "transport.%s must be between %lld and %lld (got %lld)",
		       key, lo, hi, *val);
		return -EINVAL;
	}
	return 0;
}

static int rq_init(const struct ac_host *host, struct ac_plugin_ctx *ctx,
                   void **state)
{
	struct rq_state *st;
	struct event_base *base;
	long long maxd = 5, hb = 30, cto = 5000;
	long long rmin = TRC_RECONNECT_MIN_DEFAULT,
	          rmax = TRC_RECONNECT_MAX_DEFAULT;
	int ret;

	*state = NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->host = host;
	st->ctx = ctx;
	st->wake_fd = -1;
	pthread_mutex_init(&st->lock, NULL);
	TAILQ_INIT(&st->live);
	STAILQ_INIT(&st->inbox);
	STAILQ_INIT(&st->outbox);
	TAILQ_INIT(&st->pending);
	ret = host->conf_string(ctx, "amqp_url", &st->url_buf);
	if (ret == -ENOENT) {
		st->url_buf = strdup(RQ_DEFAULT_URL);
		ret = st->url_buf ? 0 : -ENOMEM;
	}
	if (ret < 0) {
		rq_log(st, AC_LOG_ERROR, "transport.amqp_url must be a string");
		goto fail;
	}
	amqp_default_connection_info(&st->url);
	if (amqp_parse_url(st->url_buf, &st->url) != AMQP_STATUS_OK) {
		rq_log(st, AC_LOG_ERROR,
		       "transport.amqp_url is not a valid amqp:// URL");
		ret = -EINVAL;
		goto fail;
	}
	if (st->url.ssl) {
		rq_log(st, AC_LOG_ERROR,
		       "transport.amqp_url: amqps:// is not supported");
		ret = -EINVAL;
		goto fail;
	}
	if ((ret = rq_conf_int(st, "max_deliveries", 1, 1000, &maxd)) < 0 ||
	    (ret = rq_conf_int(st, "heartbeat_s", 0, 3600, &hb)) < 0 ||
	    (ret = rq_conf_int(st, "connect_timeout_ms", 100, 60000, &cto)) <
	            0 ||
	    (ret = rq_conf_int(st, "reconnect_min_ms", TRC_RECONNECT_LO,
	                       TRC_RECONNECT_HI, &rmin)) < 0 ||
	    (ret = rq_conf_int(st, "reconnect_max_ms", TRC_RECONNECT_LO,
	                       TRC_RECONNECT_HI, &rmax)) < 0)
		goto fail;
	if (rmax < rmin) {
		rq_log(st, AC_LOG_ERROR,
		       "transport.reconnect_max_ms (%lld) is less than "
		       "transport.reconnect_min_ms (%lld)",
		       rmax, rmin);
		ret = -EINVAL;
		goto fail;
	}
	st->reconnect_min_ms = rmin;
	st->reconnect_max_ms = rmax;
	st->max_deliveries = (unsigned)maxd;
	st->heartbeat_s = (int)hb;
	st->connect_timeout_ms = (int)cto;
	base = host->event_base(ctx);
	if (!base) {
		rq_log(st, AC_LOG_ERROR, "no event base");
		ret = -EINVAL;
		goto fail;
	}
	st->out_ev = event_new(base, -1, 0, rq_out_cb, st);
	st->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!st->out_ev || st->wake_fd < 0) {
		ret = st->out_ev ? -errno : -ENOMEM;
		goto fail;
	}
	ret = -pthread_create(&st->thread, NULL, rq_thread, st);
	if (ret < 0) {
		rq_log(st, AC_LOG_ERROR, "cannot start the I/O thread: %s",
		       strerror(-ret));
		goto fail;
	}
	st->thread_started = true;
	rq_log(st, AC_LOG_DEBUG,
	       "broker %s:%d vhost %s, heartbeat %d s, max_deliveries %u",
	       st->url.host, st->url.port, st->url.vhost, st->heartbeat_s,
	       st->max_deliveries);
	*state = st;
	return 0;
fail:
	rq_fini(st);
	return ret;
}

static const struct ac_transport_ops rq_ops = {
        .init = rq_init,
        .fini = rq_fini,
        .publish_job = rq_publish_job,
        .publish_result = rq_publish_result,
        .consume_jobs = rq_consume_jobs,
        .consume_results = rq_consume_results,
        .ack = rq_ack,
        .nack = rq_nack,
};

AC_PLUGIN_DEFINE(AC_KIND_TRANSPORT, "rabbitmq",
                 "RabbitMQ (AMQP 0-9-1, rabbitmq-c): durable queues, "
                 "publisher confirms, dead letters, reconnect",
                 PACKAGE_VERSION, rq_ops);
