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
#include "rq.h"

/* ------------------------------------------------------------ helpers */

void rq_cmd_free(struct rq_cmd *c)
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

void rq_delivery_free(struct ac_delivery *d)
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
void rq_post(struct rq_state *st, ac_done_cb done, void *arg, int status,
             struct ac_delivery *d)
{
	struct rq_out *o = calloc(1, sizeof(*o));

	if (!o) {
		/* Nothing sane to do: the caller never hears back. */
		pu_log(st, AC_LOG_ERROR, "out of memory: a completion is lost");
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

struct rq_cmd *rq_pop_cmd(struct rq_state *st)
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

bool rq_is_stopping(struct rq_state *st)
{
	bool s;

	pthread_mutex_lock(&st->lock);
	s = st->stopping;
	pthread_mutex_unlock(&st->lock);
	return s;
}

void rq_drain_wake(struct rq_state *st)
{
	uint64_t v;

	if (read(st->wake_fd, &v, sizeof(v)) < 0) {
	}
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
		pu_log(st, AC_LOG_DEBUG,
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

	if (trc_job_queue(st->host, st->ctx, RQ_JOBS_PREFIX, lang, name,
	                  sizeof(name)) < 0)
		return -EINVAL;
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
	size_t n;
	char **names;
	int ret;

	if (!cb)
		return -EINVAL;
	ret = trc_job_queues(st->host, st->ctx, RQ_JOBS_PREFIX, langs, &names,
	                     &n);
	if (ret < 0)
		return ret;
	pu_log(st, AC_LOG_DEBUG, "consuming %zu job queue(s), prefetch %u", n,
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

/* A command about delivery d (an ack, a nack, a republish); NULL when out
 * of memory. */
static struct rq_cmd *rq_cmd_for(enum rq_cmd_kind kind,
                                 const struct ac_delivery *d)
{
	struct rq_cmd *c = calloc(1, sizeof(*c));

	if (c) {
		c->kind = kind;
		c->channel = d->channel;
		c->tag = d->tag;
		c->gen = d->gen;
	}
	return c;
}

static bool rq_settle(struct rq_state *st, struct ac_delivery *d)
{
	if (!d || !d->live) {
		pu_log(st, AC_LOG_ERROR, "ack/nack of an unknown delivery");
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
	c = rq_cmd_for(RQ_CMD_ACK, d);
	if (c) {
		if (rq_send(st, c) < 0)
			pu_log(st, AC_LOG_WARN,
			       "cannot acknowledge a delivery "
			       "(stopping); it will be redelivered");
	} else {
		pu_log(st, AC_LOG_ERROR,
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
	c = rq_cmd_for(RQ_CMD_REPUBLISH, d);
	if (!c)
		goto fallback;
	c->attempts = failed;
	c->orig_queue = strdup(d->queue);
	if (!requeue || failed >= st->max_deliveries) {
		if (requeue)
			snprintf(why, sizeof(why), "failed %u times, last: %s",
			         failed, reason);
		else
			snprintf(why, sizeof(why), "%s", reason);
		c->queue = strdup(RQ_DEAD_QUEUE);
		pu_log(st, AC_LOG_WARN, "dead-lettering a message of %s: %s",
		       d->queue, why);
	} else {
		snprintf(why, sizeof(why), "%s", reason);
		c->queue = strdup(d->queue);
		pu_log(st, AC_LOG_DEBUG,
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
		pu_log(st, AC_LOG_WARN,
		       "cannot settle a delivery (stopping); "
		       "it will be redelivered");
	rq_delivery_free(d);
	return;
fallback:
	/* Out of memory: plain basic.nack(requeue), not counted. */
	c = rq_cmd_for(RQ_CMD_NACK, d);
	if (c)
		rq_send(st, c);
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
		pu_log(st, AC_LOG_DEBUG, "%zu completion(s) dropped at stop",
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

/* The settings (rq_settings: the core checked their range). */
static int rq_settings_read(struct rq_state *st)
{
	const struct ac_host *host = st->host;
	long long maxd = 5, hb = 30, cto = 5000;
	int ret;

	if ((ret = pu_conf_str(host, st->ctx, "amqp_url", RQ_DEFAULT_URL,
	                       &st->url_buf)) < 0 ||
	    (ret = pu_conf_int(host, st->ctx, "max_deliveries", &maxd)) < 0 ||
	    (ret = pu_conf_int(host, st->ctx, "heartbeat_s", &hb)) < 0 ||
	    (ret = pu_conf_int(host, st->ctx, "connect_timeout_ms", &cto)) <
	            0 ||
	    (ret = trc_conf_reconnect(host, st->ctx, &st->reconnect_min_ms,
	                              &st->reconnect_max_ms)) < 0)
		return ret;
	st->max_deliveries = (unsigned)maxd;
	st->heartbeat_s = (int)hb;
	st->connect_timeout_ms = (int)cto;
	amqp_default_connection_info(&st->url);
	if (amqp_parse_url(st->url_buf, &st->url) != AMQP_STATUS_OK) {
		pu_log(st, AC_LOG_ERROR,
		       "transport.amqp_url is not a valid amqp:// URL");
		return -EINVAL;
	}
	if (st->url.ssl) {
		pu_log(st, AC_LOG_ERROR,
		       "transport.amqp_url: amqps:// is not supported");
		return -EINVAL;
	}
	return 0;
}

static int rq_setup(struct rq_state *st)
{
	struct event_base *base;
	int ret;

	st->wake_fd = -1;
	pthread_mutex_init(&st->lock, NULL);
	TAILQ_INIT(&st->live);
	STAILQ_INIT(&st->inbox);
	STAILQ_INIT(&st->outbox);
	TAILQ_INIT(&st->pending);
	ret = rq_settings_read(st);
	if (ret < 0)
		return ret;
	base = st->host->event_base(st->ctx);
	if (!base) {
		pu_log(st, AC_LOG_ERROR, "no event base");
		return -EINVAL;
	}
	st->out_ev = event_new(base, -1, 0, rq_out_cb, st);
	st->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!st->out_ev || st->wake_fd < 0)
		return st->out_ev ? -errno : -ENOMEM;
	ret = -pthread_create(&st->thread, NULL, rq_thread, st);
	if (ret < 0) {
		pu_log(st, AC_LOG_ERROR, "cannot start the I/O thread: %s",
		       strerror(-ret));
		return ret;
	}
	st->thread_started = true;
	pu_log(st, AC_LOG_DEBUG,
	       "broker %s:%d vhost %s, heartbeat %d s, max_deliveries %u",
	       st->url.host, st->url.port, st->url.vhost, st->heartbeat_s,
	       st->max_deliveries);
	return 0;
}

PU_DEFINE_INIT(rq_init, struct rq_state, rq_setup, rq_fini)

/* st->up, set by the I/O thread under the lock. */
static int rq_connected(void *state)
{
	struct rq_state *st = state;
	bool up;

	pthread_mutex_lock(&st->lock);
	up = st->up;
	pthread_mutex_unlock(&st->lock);
	return up ? 0 : -ENOTCONN;
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
        .connected = rq_connected,
};

static const struct ac_setting rq_settings[] = {
        AC_SET_STRING("amqp_url", RQ_DEFAULT_URL,
                      "the broker (amqp://user:password@host:port/vhost; no "
                      "amqps)"),
        TRC_MAX_DELIVERIES_SETTING,
        AC_SET_INT("heartbeat_s", "30", 0, 3600,
                   "AMQP heartbeat interval; 0: none"),
        AC_SET_INT("connect_timeout_ms", "5000", 100, 60000,
                   "the longest a connection attempt takes"),
        TRC_RECONNECT_SETTINGS,
        AC_SETTINGS_END,
};

AC_PLUGIN_DEFINE_SETTINGS(AC_KIND_TRANSPORT, "rabbitmq",
                          "RabbitMQ (AMQP 0-9-1, rabbitmq-c): durable "
                          "queues, publisher confirms, dead letters, "
                          "reconnect",
                          PACKAGE_VERSION, rq_ops, rq_settings);
