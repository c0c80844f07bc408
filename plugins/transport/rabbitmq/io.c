/* transport/rabbitmq: the I/O thread, the only one that touches the AMQP
 * connection: connect and declare, run the commands the loop queues, publish
 * with confirms, receive deliveries, report queue depths, back off and
 * reconnect.  See rabbitmq.c. */
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
	pu_log(st, AC_LOG_WARN, "%s: %s", what,
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
	pu_log(st, AC_LOG_DEBUG, "channel %u: consuming %zu queue(s) from %s",
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
		pu_log(st, AC_LOG_WARN,
		       "%s %s:%d vhost %s: %s; retrying in the background "
		       "(every %" PRId64 "..%" PRId64
		       " ms); publishes fail until connected",
		       what, st->url.host, st->url.port, st->url.vhost, why,
		       st->reconnect_min_ms, st->reconnect_max_ms);
	} else if ((n & (n - 1)) == 0 && n >= 8) {
		pu_log(st, AC_LOG_WARN,
		       "still no connection to %s:%d after %lu attempts "
		       "(%" PRId64 " s): %s",
		       st->url.host, st->url.port, n,
		       (now - st->down_since) / 1000, why);
	} else {
		pu_log(st, AC_LOG_DEBUG, "%s %s:%d: %s", what, st->url.host,
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
		pu_log(st, AC_LOG_WARN, "publishing to %s: %s", queue,
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
			pu_log(st, AC_LOG_WARN, "basic.%s: %s",
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
			pu_log(st, AC_LOG_WARN,
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
		pu_log(st, AC_LOG_WARN, "reading a delivery: %s",
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
		pu_log(st, AC_LOG_ERROR,
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
		pu_log(st, AC_LOG_INFO,
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
		pu_log(st, AC_LOG_WARN,
		       "the broker cancelled a consumer on channel %u (queue "
		       "deleted?); reconnecting to subscribe again",
		       f->channel);
		return -EIO;
	case AMQP_CHANNEL_CLOSE_METHOD: {
		const amqp_channel_close_t *c = m->decoded;
		snprintf(buf, sizeof(buf), "%.*s", (int)c->reply_text.len,
		         (char *)c->reply_text.bytes);
		pu_log(st, AC_LOG_WARN,
		       "channel %u closed by the broker: %u %s", f->channel,
		       c->reply_code, buf);
		return -EIO;
	}
	case AMQP_CONNECTION_CLOSE_METHOD: {
		const amqp_connection_close_t *c = m->decoded;
		amqp_connection_close_ok_t ok;
		snprintf(buf, sizeof(buf), "%.*s", (int)c->reply_text.len,
		         (char *)c->reply_text.bytes);
		pu_log(st, AC_LOG_WARN,
		       "connection closed by the broker: %u %s", c->reply_code,
		       buf);
		memset(&ok, 0, sizeof(ok));
		amqp_send_method(st->conn, 0, AMQP_CONNECTION_CLOSE_OK_METHOD,
		                 &ok);
		return -EIO;
	}
	case AMQP_CONNECTION_BLOCKED_METHOD:
		pu_log(st, AC_LOG_WARN,
		       "the broker blocked publishing (resource alarm)");
		return 0;
	case AMQP_CONNECTION_UNBLOCKED_METHOD:
		pu_log(st, AC_LOG_INFO, "the broker unblocked publishing");
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
					pu_log(st, AC_LOG_ERROR, "poll: %s",
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
			pu_log(st, AC_LOG_WARN, "connection lost: %s",
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

void *rq_thread(void *arg)
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
				pu_log(st, AC_LOG_WARN,
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
				pu_log(st, AC_LOG_INFO,
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
			pu_log(st, AC_LOG_WARN,
			       "lost the connection to %s:%d; reconnecting "
			       "(publishes fail until then)",
			       st->url.host, st->url.port);
		}
		backoff = trc_backoff_ms(st->reconnect_min_ms,
		                         st->reconnect_max_ms, ++attempt,
		                         trc_jitter());
		pu_log(st, AC_LOG_DEBUG,
		       "next connection attempt in %" PRId64 " ms", backoff);
		rq_backoff(st, (unsigned)backoff);
	}
	rq_disconnect(st, true);
	rq_drop_cmds(st, -ESHUTDOWN);
	return NULL;
}
