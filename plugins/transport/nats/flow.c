/* transport/nats: publishing (with JetStream acknowledgements and dead
 * letters), pulling within the prefetch window and delivering to the core.  See
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
/* Publishing                                                          */

/* Header values: printable, one line, bounded. */
static void nt_header_value(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (; in && *in && n + 1 < size; in++)
		out[n++] = (*in >= 0x20 && *in != 0x7f) ? *in : ' ';
	out[n] = '\0';
}

int nt_publish(struct nt_state *st, const char *subject, const char *body,
               size_t len, ac_done_cb done, void *arg, struct ac_delivery *dead,
               const char *reason)
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
		pu_log(st, AC_LOG_DEBUG,
		       "publish on %s refused: not connected to the NATS "
		       "server",
		       subject);
		return -ENOTCONN;
	}
	max_payload = natsConnection_GetMaxPayload(st->nc);
	if (max_payload > 0 && (int64_t)len > max_payload) {
		pu_log(st, AC_LOG_ERROR,
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
		pu_log(st, AC_LOG_WARN, "cannot publish on %s: %s", subject,
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
			pu_log(st, AC_LOG_WARN,
			       "publish: no stream accepts the subject %s",
			       st->streams_ok ? "(is JetStream enabled?)"
			                      : "yet (the streams are being "
			                        "created)");
			return -EHOSTUNREACH;
		}
		pu_log(st, AC_LOG_WARN, "publish: empty acknowledgement%s%s",
		       status ? ", status " : "", status ? status : "");
		return -EIO;
	}
	root = json_loadb(data, (size_t)len, 0, NULL);
	if (!root) {
		pu_log(st, AC_LOG_WARN, "publish: unreadable acknowledgement");
		return -EIO;
	}
	err = json_object_get(root, "error");
	seq = json_object_get(root, "seq");
	if (err) {
		const char *desc =
		        json_string_value(json_object_get(err, "description"));

		pu_log(st, AC_LOG_WARN, "publish refused by JetStream: %s",
		       desc ? desc : "(no description)");
	} else if (json_is_integer(seq)) {
		rc = 0;
		if (json_is_true(json_object_get(root, "duplicate")))
			pu_log(st, AC_LOG_INFO,
			       "publish of %s: the stream already holds it "
			       "(duplicate, not stored twice)",
			       pub->msg_id[0] ? pub->msg_id : "a message");
	}
	json_decref(root);
	return rc;
}

/* Send an ack-protocol word ("+ACK", "-NAK", "+WPI") for a delivery. */
void nt_reply(struct nt_state *st, struct ac_delivery *d, const char *word)
{
	const char *reply = natsMsg_GetReply(d->msg);
	natsStatus s;

	if (!reply || !*reply)
		return;
	s = natsConnection_PublishString(st->nc, reply, word);
	if (s != NATS_OK)
		pu_log(st, AC_LOG_WARN, "cannot send %s: %s", word,
		       nt_last_error(s));
}

void nt_delivery_free(struct nt_state *st, struct ac_delivery *d)
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
			pu_log(st, AC_LOG_WARN,
			       "dead letter not stored (%s); the message goes "
			       "back to its queue",
			       strerror(-rc));
		nt_delivery_free(st, d);
	} else if (pub->done) {
		pub->done(pub->arg, rc);
	}
	free(pub);
}

void nt_dead_letter(struct nt_state *st, struct ac_delivery *d,
                    const char *reason)
{
	int r;

	pu_log(st, AC_LOG_WARN,
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

int nt_pull(struct nt_state *st, struct nt_sub *sub, unsigned batch)
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

void nt_refill(struct nt_state *st)
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
		pu_log(st, AC_LOG_ERROR,
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
		pu_log(st, AC_LOG_WARN, "pull from %s: status %s %s",
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
		pu_log(st, AC_LOG_WARN,
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
		pu_log(st, AC_LOG_INFO,
		       "connected to %s (the server is up now, after %" PRId64
		       " ms)",
		       st->url, pu_mono_ms() - st->down_since);
	} else {
		pu_log(st, AC_LOG_INFO,
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
		nt_mark_down(st);
		pu_log(st, AC_LOG_WARN,
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
		pu_log(st, AC_LOG_WARN,
		       "%zu publish(es) not acknowledged before the "
		       "disconnection: failed",
		       failed);
}

/* The connection is down from now on: nt_log_down says so now and
 * then. */
void nt_mark_down(struct nt_state *st)
{
	st->down_since = pu_mono_ms();
	st->down_log_step = NT_DOWN_LOG_FIRST;
	st->down_log_at = st->down_since + st->down_log_step;
}

/* Loop tick while disconnected: a line now and then, not per attempt. */
static void nt_log_down(struct nt_state *st, int64_t now)
{
	if (st->connected || now < st->down_log_at)
		return;
	pu_log(st, AC_LOG_WARN,
	       "still no connection to the NATS server at %s after %" PRId64
	       " s; retrying",
	       st->url, (now - st->down_since) / 1000);
	st->down_log_step *= 2;
	if (st->down_log_step > NT_DOWN_LOG_MAX)
		st->down_log_step = NT_DOWN_LOG_MAX;
	st->down_log_at = now + st->down_log_step;
}

void nt_hop_cb(evutil_socket_t fd, short what, void *arg)
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

void nt_tick_cb(evutil_socket_t fd, short what, void *arg)
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
		pu_log(st, AC_LOG_WARN,
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
