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
#include "nt.h"

int nt_errno(natsStatus s)
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
const char *nt_last_error(natsStatus s)
{
	const char *e = nats_GetLastError(NULL);

	return e && *e ? e : natsStatus_GetText(s);
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
/* Operations                                                          */

static int nt_publish_job(void *state, const char *lang, const char *body,
                          size_t len, ac_done_cb done, void *arg)
{
	struct nt_state *st = state;
	char subject[sizeof(NT_JOBS_PREFIX) + NT_MAX_LANG];

	if (trc_lang_ok(lang, false) < 0) {
		pu_log(st, AC_LOG_ERROR, "publish_job: invalid language name");
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
		pu_log(st, AC_LOG_WARN,
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

		if (trc_lang_ok(langs[i], false) < 0) {
			pu_log(st, AC_LOG_ERROR,
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
	pu_log(st, AC_LOG_INFO,
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
	pu_log(st, AC_LOG_ERROR, "ack/nack of an unknown delivery");
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
	pu_log(st, AC_LOG_DEBUG,
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
		pu_log(st, AC_LOG_INFO,
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
		pu_log(st, AC_LOG_ERROR,
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

/* The settings (nt_settings_table: the core checked their range). */
static int nt_settings(struct nt_state *st)
{
	const struct ac_host *host = st->host;
	long long ack_wait_s = 60, maxd = 5, replicas = 1, pub_s = 10;
	long long prefetch = 64, max_pending = 1000, dup_s = 600;
	int r;

	if ((r = pu_conf_str(host, st->ctx, "nats_url", NT_DEFAULT_URL,
	                     &st->url)) < 0 ||
	    (r = pu_conf_int(host, st->ctx, "ack_wait_s", &ack_wait_s)) < 0 ||
	    (r = pu_conf_int(host, st->ctx, "max_deliveries", &maxd)) < 0 ||
	    (r = pu_conf_int(host, st->ctx, "replicas", &replicas)) < 0 ||
	    (r = pu_conf_int(host, st->ctx, "publish_timeout_s", &pub_s)) < 0 ||
	    (r = pu_conf_int(host, st->ctx, "results_prefetch", &prefetch)) <
	            0 ||
	    (r = pu_conf_int(host, st->ctx, "max_ack_pending", &max_pending)) <
	            0 ||
	    (r = trc_conf_reconnect(host, st->ctx, &st->reconnect_min_ms,
	                            &st->reconnect_max_ms)) < 0 ||
	    (r = pu_conf_int(host, st->ctx, "duplicate_window_s", &dup_s)) < 0)
		return r;
	st->ack_wait_ms = ack_wait_s * 1000;
	st->max_deliveries = (unsigned)maxd;
	st->replicas = replicas;
	st->publish_timeout_ms = pub_s * 1000;
	st->results_prefetch = (unsigned)prefetch;
	st->max_ack_pending = max_pending;
	st->dup_window_s = dup_s;
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
		pu_log(st, AC_LOG_ERROR, "NATS options: %s", nt_last_error(s));
		return nt_errno(s) ? nt_errno(s) : -EIO;
	}
	s = natsConnection_Connect(&st->nc, st->opts);
	if (s == NATS_NOT_YET_CONNECTED) {
		nt_mark_down(st);
		pu_log(st, AC_LOG_WARN,
		       "cannot connect to %s yet (no server answers); "
		       "retrying in the background (every %" PRId64 "..%" PRId64
		       " ms): publishes fail and consumers wait until it "
		       "is up",
		       st->url, st->reconnect_min_ms, st->reconnect_max_ms);
	} else if (s != NATS_OK) {
		pu_log(st, AC_LOG_ERROR, "cannot connect to %s: %s", st->url,
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
		pu_log(st, AC_LOG_ERROR, "cannot connect to %s: %s", st->url,
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
		pu_log(st, AC_LOG_ERROR, "cannot subscribe to the inbox: %s",
		       nt_last_error(s));
		return nt_errno(s) ? nt_errno(s) : -EIO;
	}
	return 0;
}

static int nt_setup(struct nt_state *st)
{
	struct timeval tv = {0, NT_TICK_MS * 1000};
	int r;

	pthread_mutex_init(&st->lock, NULL);
	pthread_cond_init(&st->cond, NULL);
	STAILQ_INIT(&st->items);
	TAILQ_INIT(&st->groups);
	TAILQ_INIT(&st->pulls);
	TAILQ_INIT(&st->pubs);
	TAILQ_INIT(&st->held);
	r = nt_settings(st);
	if (r < 0)
		return r;
	st->base = st->host->event_base(st->ctx);
	if (!st->base) {
		pu_log(st, AC_LOG_ERROR, "no event base");
		return -EINVAL;
	}
	st->hop = event_new(st->base, -1, 0, nt_hop_cb, st);
	st->tick = event_new(st->base, -1, EV_PERSIST, nt_tick_cb, st);
	if (!st->hop || !st->tick || event_add(st->tick, &tv) < 0)
		return -ENOMEM;
	r = nt_connect(st);
	if (r < 0)
		return r;
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
		pu_log(st, AC_LOG_INFO,
		       "connected to %s (ack wait %" PRId64
		       " s, %u deliveries at most)",
		       st->url, st->ack_wait_ms / 1000, st->max_deliveries);
	return 0;
}

PU_DEFINE_INIT(nt_init, struct nt_state, nt_setup, nt_fini)

/* Loop thread, as st->connected. */
static int nt_connected(void *state)
{
	struct nt_state *st = state;

	return st->connected ? 0 : -ENOTCONN;
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
        .connected = nt_connected,
};

static const struct ac_setting nt_settings_table[] = {
        AC_SET_STRING("nats_url", NT_DEFAULT_URL,
                      "the NATS server (nats://[user:password@]host:port)"),
        AC_SET_INT("ack_wait_s", "60", 1, 86400,
                   "a job not acknowledged this long after its delivery is "
                   "delivered again"),
        TRC_MAX_DELIVERIES_SETTING,
        AC_SET_INT("replicas", "1", 1, 5,
                   "replicas of the streams (a JetStream cluster)"),
        AC_SET_INT("publish_timeout_s", "10", 1, 3600,
                   "the longest a publish waits for its acknowledgement"),
        AC_SET_INT("results_prefetch", "64", 1, 10000,
                   "result messages delivered to the api at once"),
        AC_SET_INT("max_ack_pending", "1000", 1, 1000000,
                   "unacknowledged messages of one consumer at most"),
        TRC_RECONNECT_SETTINGS,
        AC_SET_INT("duplicate_window_s", "600", 1, 86400,
                   "a message published twice within this window is kept "
                   "once"),
        AC_SETTINGS_END,
};

AC_PLUGIN_DEFINE_SETTINGS(AC_KIND_TRANSPORT, "nats",
                          "NATS JetStream (durable work-queue streams, "
                          "explicit acks, redelivery, dead letters)",
                          PACKAGE_VERSION, nt_ops, nt_settings_table);
