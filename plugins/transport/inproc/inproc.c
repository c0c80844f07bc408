/* transport/inproc: in-memory queues for a single-process deployment.
 *
 * Queues are named like the brokers' ones (`algocode.jobs.<lang>`,
 * `algocode.results`) and behave like them as far as the core can tell:
 * messages published before anybody consumes wait in their queue, consumers
 * get at most `prefetch` unacknowledged deliveries, nack(requeue) redelivers
 * from the head of the queue, nack(!requeue) dead-letters.
 *
 * THIS TRANSPORT IS IN MEMORY ONLY.  A crash or a restart loses every queued
 * and unacknowledged message.  Nothing is lost for good: the store keeps each
 * submission pending until its result is stored, and the api role, told by
 * volatile_queues() that the queues did not survive, enqueues every pending
 * submission again at start-up (docs/architecture.md, "Durability").
 *
 * Fairness: a job queue is a ring of per-user lanes (the "user_id" of the
 * job message).  Each delivery takes the head job of the first lane and
 * moves that lane to the end of the ring, so that users take turns: one
 * user's thousand queued jobs delay another user's job by at most one job
 * per user ahead of it in the ring, not by a thousand.  Inside a lane jobs
 * keep their order.
 *
 * Memory: the job queues hold at most `max_queued_mb` MiB of messages
 * (queued or delivered and not yet acknowledged).  Over it publish_job
 * fails with -ENOBUFS, except for a user with no job waiting, whose job is
 * taken up to twice the budget: one user filling the budget does not lock
 * out the others.  The api keeps a refused job pending and offers it again
 * (docs/architecture.md, "Queueing and fairness").
 *
 * Threading: every op runs on the loop thread.  Nothing is ever delivered,
 * and no done callback is ever called, from inside an op: one libevent event
 * ("pump") is made active whenever there is work, and its callback confirms
 * publishes and hands out deliveries.  Consumer callbacks may call any op
 * (ack, nack, publish) re-entrantly.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/event.h>

#include <algocode/plugin.h>

#include "../../common/plugin_util.h"
#include "../tr_common.h"

#define IP_QUEUE_PREFIX       "algocode.jobs."
#define IP_RESULTS_QUEUE      "algocode.results"
#define IP_MAX_LANG           TRC_MAX_LANG
#define IP_MAX_BODY           (64u << 20) /* a message larger than this is refused */
#define IP_MAX_DELIVERIES     5    /* the 5th nack(requeue) dead-letters */
#define IP_DEAD_LETTER_MAX    1000 /* oldest dead letters are dropped beyond */
#define IP_BATCH              64   /* deliveries per pump run, then yield */
#define IP_DEFAULT_MAX_QUEUED 100000
#define IP_DEFAULT_MAX_MB     256
#define IP_MAX_USER           256 /* longer user ids share one lane */
#define IP_LANE_BUCKETS       1024
/* What a message costs besides its body: the struct, the user id, and
 * the allocator's headers (measured: docs/architecture.md). */
#define IP_MSG_OVERHEAD (sizeof(struct ac_delivery) + 64)

struct ip_queue;
struct ip_consumer;
struct ip_lane;

/* A message.  While delivered it is the consumer's `struct ac_delivery`. */
struct ac_delivery {
	TAILQ_ENTRY(ac_delivery) link;
	struct ip_queue *queue;
	struct ip_consumer *consumer; /* non-NULL while delivered */
	char *body;                   /* NUL-terminated copy */
	size_t len;
	unsigned deliveries;
	char *reason; /* dead letters: why */
	char *user;   /* lane key: the raw "user_id" ("" for results) */
	size_t cost;  /* bytes counted in st->job_bytes (job queues), or 0 */
};
TAILQ_HEAD(ip_msgs, ac_delivery);

/* The waiting messages of one user in one queue; exists while non-empty. */
struct ip_lane {
	TAILQ_ENTRY(ip_lane) link; /* in the queue's ring */
	struct ip_lane *hnext;     /* hash chain */
	struct ip_queue *queue;
	char *user;
	struct ip_msgs msgs; /* waiting, head first */
	size_t depth;
};
TAILQ_HEAD(ip_lanes, ip_lane);

struct ip_queue {
	TAILQ_ENTRY(ip_queue) link;
	char *name;
	struct ip_lanes lanes; /* non-empty lanes; the head is served next */
	size_t depth;
	bool jobs; /* a job queue: lanes by user, counted in job_bytes */
};

struct ip_consumer {
	TAILQ_ENTRY(ip_consumer) link;
	struct ip_queue **queues; /* subscribed queues */
	size_t nqueues;
	size_t next;       /* round-robin start among queues */
	unsigned prefetch; /* 0: unlimited */
	unsigned in_flight;
	ac_msg_cb cb;
	void *arg;
};

struct ip_confirm {
	TAILQ_ENTRY(ip_confirm) link;
	ac_done_cb done;
	void *arg;
};

struct ip_state {
	const struct ac_host *host;
	struct ac_plugin_ctx *ctx;
	struct event *pump;
	TAILQ_HEAD(, ip_queue) queues;
	TAILQ_HEAD(, ip_consumer) consumers;
	TAILQ_HEAD(, ip_confirm) confirms;
	struct ip_msgs in_flight; /* delivered, not settled */
	struct ip_msgs dead;
	size_t ndead;
	size_t queued; /* messages in all queues */
	size_t max_queued;
	size_t job_bytes; /* job messages held: queued or unacknowledged */
	size_t max_job_bytes;
	struct ip_lane *lane_hash[IP_LANE_BUCKETS];
};

static void ip_msg_free(struct ac_delivery *m)
{
	if (!m)
		return;
	free(m->body);
	free(m->reason);
	free(m->user);
	free(m);
}

/* A message leaves the transport's memory for good (ack, dead letter). */
static void ip_uncount(struct ip_state *st, struct ac_delivery *m)
{
	st->job_bytes -= m->cost;
	m->cost = 0;
}

static unsigned ip_lane_hash(const struct ip_queue *q, const char *user)
{
	unsigned h = 2166136261u ^ (unsigned)(uintptr_t)q;

	for (; *user; user++)
		h = (h ^ (unsigned char)*user) * 16777619u;
	return h % IP_LANE_BUCKETS;
}

static struct ip_lane *ip_lane_find(struct ip_state *st, struct ip_queue *q,
                                    const char *user)
{
	struct ip_lane *l = st->lane_hash[ip_lane_hash(q, user)];

	while (l && (l->queue != q || strcmp(l->user, user) != 0))
		l = l->hnext;
	return l;
}

/* The lane of `user` in q, created (at the head of the ring if `first`,
 * else at its end) if there is none. */
static struct ip_lane *ip_lane_get(struct ip_state *st, struct ip_queue *q,
                                   const char *user, bool first)
{
	struct ip_lane *l = ip_lane_find(st, q, user);
	unsigned h;

	if (l)
		return l;
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->user = strdup(user);
	if (!l->user) {
		free(l);
		return NULL;
	}
	l->queue = q;
	TAILQ_INIT(&l->msgs);
	h = ip_lane_hash(q, user);
	l->hnext = st->lane_hash[h];
	st->lane_hash[h] = l;
	if (first)
		TAILQ_INSERT_HEAD(&q->lanes, l, link);
	else
		TAILQ_INSERT_TAIL(&q->lanes, l, link);
	return l;
}

/* Unlink an empty lane from its queue and the hash, and free it. */
static void ip_lane_free(struct ip_state *st, struct ip_lane *l)
{
	struct ip_lane **pp = &st->lane_hash[ip_lane_hash(l->queue, l->user)];

	while (*pp && *pp != l)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = l->hnext;
	TAILQ_REMOVE(&l->queue->lanes, l, link);
	free(l->user);
	free(l);
}

/* The raw (still JSON-escaped) string value of the top-level "user_id" of
 * a flat JSON object, malloc'ed; "" when there is none or the message is
 * not such an object (the judge dead-letters those anyway). */
static char *ip_user_of(const char *b, size_t len)
{
	size_t i = 0, ks, ke, vs, ve;

#define IP_WS()                                                                \
	while (i < len &&                                                      \
	       (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r'))  \
	i++
#define IP_STR(start, end)                                                     \
	do {                                                                   \
		if (i >= len || b[i] != '"')                                   \
			goto none;                                             \
		(start) = ++i;                                                 \
		while (i < len && b[i] != '"')                                 \
			i += b[i] == '\\' ? 2 : 1;                             \
		if (i >= len)                                                  \
			goto none;                                             \
		(end) = i++;                                                   \
	} while (0)

	IP_WS();
	if (i >= len || b[i++] != '{')
		goto none;
	for (;;) {
		IP_WS();
		IP_STR(ks, ke);
		IP_WS();
		if (i >= len || b[i++] != ':')
			goto none;
		IP_WS();
		if (i < len && b[i] == '"') {
			IP_STR(vs, ve);
			if (ke - ks == 7 && memcmp(b + ks, "user_id", 7) == 0) {
				if (ve - vs > IP_MAX_USER)
					goto none;
				return strndup(b + vs, ve - vs);
			}
		} else {
			while (i < len && b[i] != ',' && b[i] != '}') {
				if (b[i] == '{' || b[i] == '[' || b[i] == '"')
					goto none;
				i++;
			}
		}
		IP_WS();
		if (i < len && b[i] == ',') {
			i++;
			continue;
		}
		break;
	}
none:
	return strdup("");
#undef IP_WS
#undef IP_STR
}

static void ip_kick(struct ip_state *st)
{
	event_active(st->pump, EV_TIMEOUT, 0);
}

static struct ip_queue *ip_queue_get(struct ip_state *st, const char *name)
{
	struct ip_queue *q;

	TAILQ_FOREACH(q, &st->queues, link)
	{
		if (strcmp(q->name, name) == 0)
			return q;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->name = strdup(name);
	if (!q->name) {
		free(q);
		return NULL;
	}
	TAILQ_INIT(&q->lanes);
	q->jobs = strncmp(name, IP_QUEUE_PREFIX, strlen(IP_QUEUE_PREFIX)) == 0;
	TAILQ_INSERT_TAIL(&st->queues, q, link);
	return q;
}

static void ip_dead_letter(struct ip_state *st, struct ac_delivery *m,
                           const char *reason)
{
	pu_log(st, AC_LOG_WARN,
	       "dead-lettered a message of %s after %u deliveries: %s",
	       m->queue->name, m->deliveries, reason ? reason : "(no reason)");
	free(m->reason);
	m->reason = reason ? strdup(reason) : NULL;
	m->consumer = NULL;
	/* A dead letter is kept (bounded), not counted in the budget. */
	ip_uncount(st, m);
	TAILQ_INSERT_TAIL(&st->dead, m, link);
	st->ndead++;
	while (st->ndead > IP_DEAD_LETTER_MAX) {
		struct ac_delivery *old = TAILQ_FIRST(&st->dead);

		TAILQ_REMOVE(&st->dead, old, link);
		st->ndead--;
		ip_msg_free(old);
	}
}

static bool ip_consumer_has_room(const struct ip_consumer *c)
{
	return c->prefetch == 0 || c->in_flight < c->prefetch;
}

/* One delivery if any consumer can take one: true when delivered. */
static bool ip_deliver_one(struct ip_state *st)
{
	struct ip_consumer *c;

	TAILQ_FOREACH(c, &st->consumers, link)
	{
		if (!ip_consumer_has_room(c))
			continue;
		for (size_t i = 0; i < c->nqueues; i++) {
			size_t k = (c->next + i) % c->nqueues;
			struct ip_queue *q = c->queues[k];
			struct ip_lane *l = TAILQ_FIRST(&q->lanes);
			struct ac_delivery *m =
			        l ? TAILQ_FIRST(&l->msgs) : NULL;

			if (!m)
				continue;
			TAILQ_REMOVE(&l->msgs, m, link);
			/* This user's turn is over: to the end of the ring. */
			if (--l->depth == 0) {
				ip_lane_free(st, l);
			} else {
				TAILQ_REMOVE(&q->lanes, l, link);
				TAILQ_INSERT_TAIL(&q->lanes, l, link);
			}
			q->depth--;
			st->queued--;
			m->consumer = c;
			m->deliveries++;
			c->in_flight++;
			c->next = (k + 1) % c->nqueues;
			TAILQ_INSERT_TAIL(&st->in_flight, m, link);
			/* Competing consumers of one queue take turns. */
			TAILQ_REMOVE(&st->consumers, c, link);
			TAILQ_INSERT_TAIL(&st->consumers, c, link);
			/* m may be settled (and freed) inside the callback. */
			c->cb(c->arg, m->body, m->len, m);
			return true;
		}
	}
	return false;
}

static void ip_pump_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ip_state *st = arg;
	TAILQ_HEAD(, ip_confirm) confirms = TAILQ_HEAD_INITIALIZER(confirms);
	struct ip_confirm *cf;
	unsigned n = 0;

	(void)fd;
	(void)what;
	/* Confirm publishes first, as a broker would before delivering.  Only
	 * those queued so far: a done callback may publish again. */
	TAILQ_CONCAT(&confirms, &st->confirms, link);
	while ((cf = TAILQ_FIRST(&confirms))) {
		TAILQ_REMOVE(&confirms, cf, link);
		cf->done(cf->arg, 0);
		free(cf);
	}
	while (n < IP_BATCH && ip_deliver_one(st))
		n++;
	/* Yield to the rest of the loop and come back for the remainder. */
	if (n == IP_BATCH || !TAILQ_EMPTY(&st->confirms))
		ip_kick(st);
}

static int ip_publish(struct ip_state *st, const char *queue, const char *body,
                      size_t len, ac_done_cb done, void *arg)
{
	struct ip_queue *q;
	struct ip_lane *l;
	struct ac_delivery *m = NULL;
	struct ip_confirm *cf = NULL;
	int ret = -ENOMEM;

	if (!body && len > 0)
		return -EINVAL;
	if (len > IP_MAX_BODY)
		return -EMSGSIZE;
	if (st->queued >= st->max_queued) {
		pu_log(st, AC_LOG_WARN,
		       "%s: %zu messages queued, refusing more", queue,
		       st->queued);
		return -ENOBUFS;
	}
	q = ip_queue_get(st, queue);
	if (!q)
		goto out;
	m = calloc(1, sizeof(*m));
	if (!m)
		goto out;
	m->user = q->jobs ? ip_user_of(body, len) : strdup("");
	if (!m->user)
		goto out;
	if (q->jobs) {
		struct ip_lane *own = ip_lane_find(st, q, m->user);
		size_t total;

		m->cost = len + strlen(m->user) + IP_MSG_OVERHEAD;
		total = st->job_bytes + m->cost;
		/* Over the budget only a user with nothing waiting gets in,
		 * and never beyond twice the budget. */
		if (total > st->max_job_bytes &&
		    (own || total > 2 * st->max_job_bytes)) {
			pu_log(st, AC_LOG_DEBUG,
			       "%s: %zu bytes of jobs held (budget %zu), "
			       "refusing a job of %zu bytes",
			       queue, st->job_bytes, st->max_job_bytes, len);
			ret = -ENOBUFS;
			m->cost = 0;
			goto out;
		}
	}
	m->body = malloc(len + 1);
	if (!m->body)
		goto out;
	if (len)
		memcpy(m->body, body, len);
	m->body[len] = '\0';
	m->len = len;
	m->queue = q;
	if (done) {
		cf = calloc(1, sizeof(*cf));
		if (!cf)
			goto out;
		cf->done = done;
		cf->arg = arg;
	}
	l = ip_lane_get(st, q, m->user, false);
	if (!l) {
		free(cf);
		goto out;
	}
	if (cf)
		TAILQ_INSERT_TAIL(&st->confirms, cf, link);
	TAILQ_INSERT_TAIL(&l->msgs, m, link);
	l->depth++;
	q->depth++;
	st->queued++;
	st->job_bytes += m->cost;
	ip_kick(st);
	return 0;
out:
	ip_msg_free(m);
	return ret;
}

static int ip_publish_job(void *state, const char *lang, const char *body,
                          size_t len, ac_done_cb done, void *arg)
{
	struct ip_state *st = state;
	char name[sizeof(IP_QUEUE_PREFIX) + IP_MAX_LANG];

	if (trc_job_queue(st->host, st->ctx, IP_QUEUE_PREFIX, lang, name,
	                  sizeof(name)) < 0)
		return -EINVAL;
	return ip_publish(st, name, body, len, done, arg);
}

static int ip_publish_result(void *state, const char *body, size_t len,
                             ac_done_cb done, void *arg)
{
	return ip_publish(state, IP_RESULTS_QUEUE, body, len, done, arg);
}

static int ip_consume(struct ip_state *st, const char *const *names, size_t n,
                      unsigned prefetch, ac_msg_cb cb, void *arg)
{
	struct ip_consumer *c;

	if (!cb || n == 0)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->queues = calloc(n, sizeof(*c->queues));
	if (!c->queues) {
		free(c);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		c->queues[i] = ip_queue_get(st, names[i]);
		if (!c->queues[i]) {
			free(c->queues);
			free(c);
			return -ENOMEM;
		}
	}
	c->nqueues = n;
	c->prefetch = prefetch;
	c->cb = cb;
	c->arg = arg;
	TAILQ_INSERT_TAIL(&st->consumers, c, link);
	ip_kick(st); /* messages may be waiting */
	return 0;
}

static int ip_consume_jobs(void *state, const char *const *langs,
                           unsigned prefetch, ac_msg_cb cb, void *arg)
{
	struct ip_state *st = state;
	size_t n;
	char **names;
	int ret;

	ret = trc_job_queues(st->host, st->ctx, IP_QUEUE_PREFIX, langs, &names,
	                     &n);
	if (ret < 0)
		return ret;
	ret = ip_consume(st, (const char *const *)names, n, prefetch, cb, arg);
	if (ret == 0)
		pu_log(st, AC_LOG_DEBUG,
		       "consuming %zu job queue(s), prefetch %u", n, prefetch);
	trc_names_free(names, n);
	return ret;
}

static int ip_consume_results(void *state, ac_msg_cb cb, void *arg)
{
	const char *names[] = {IP_RESULTS_QUEUE};

	return ip_consume(state, names, 1, 0, cb, arg);
}

/* Take a delivery out of the in-flight list; false if it is not one. */
static bool ip_settle(struct ip_state *st, struct ac_delivery *d)
{
	if (!d || !d->consumer) {
		pu_log(st, AC_LOG_ERROR, "ack/nack of an unknown delivery");
		return false;
	}
	TAILQ_REMOVE(&st->in_flight, d, link);
	d->consumer->in_flight--;
	d->consumer = NULL;
	ip_kick(st); /* room for the next delivery */
	return true;
}

static void ip_ack(void *state, struct ac_delivery *d)
{
	struct ip_state *st = state;

	if (!ip_settle(st, d))
		return;
	ip_uncount(st, d);
	ip_msg_free(d);
}

static void ip_nack(void *state, struct ac_delivery *d, bool requeue,
                    const char *reason)
{
	struct ip_state *st = state;
	struct ip_queue *q;
	struct ip_lane *l;

	if (!ip_settle(st, d))
		return;
	if (!requeue) {
		ip_dead_letter(st, d, reason);
		return;
	}
	if (d->deliveries >= IP_MAX_DELIVERIES) {
		char why[512];

		snprintf(why, sizeof(why), "delivered %u times, last: %s",
		         d->deliveries, reason ? reason : "(no reason)");
		ip_dead_letter(st, d, why);
		return;
	}
	q = d->queue;
	/* Back at the head of its lane, and the lane at the head of the
	 * ring when it has to be made again (its bytes are still counted). */
	l = ip_lane_get(st, q, d->user, true);
	if (!l) {
		ip_dead_letter(st, d, "out of memory requeueing the message");
		return;
	}
	pu_log(st, AC_LOG_DEBUG, "requeued a message of %s (delivery %u): %s",
	       q->name, d->deliveries, reason ? reason : "(no reason)");
	TAILQ_INSERT_HEAD(&l->msgs, d, link);
	l->depth++;
	q->depth++;
	st->queued++;
}

static bool ip_volatile_queues(void *state)
{
	(void)state;
	return true;
}

static void ip_fini(void *state)
{
	struct ip_state *st = state;
	struct ip_queue *q;
	struct ip_consumer *c;
	struct ip_confirm *cf;
	struct ac_delivery *m;
	size_t dropped = 0;

	if (!st)
		return;
	if (st->pump)
		event_free(st->pump);
	while ((q = TAILQ_FIRST(&st->queues))) {
		struct ip_lane *l;

		TAILQ_REMOVE(&st->queues, q, link);
		while ((l = TAILQ_FIRST(&q->lanes))) {
			while ((m = TAILQ_FIRST(&l->msgs))) {
				TAILQ_REMOVE(&l->msgs, m, link);
				ip_msg_free(m);
				dropped++;
			}
			ip_lane_free(st, l);
		}
		free(q->name);
		free(q);
	}
	while ((m = TAILQ_FIRST(&st->in_flight))) {
		TAILQ_REMOVE(&st->in_flight, m, link);
		ip_msg_free(m);
		dropped++;
	}
	while ((m = TAILQ_FIRST(&st->dead))) {
		TAILQ_REMOVE(&st->dead, m, link);
		ip_msg_free(m);
	}
	while ((c = TAILQ_FIRST(&st->consumers))) {
		TAILQ_REMOVE(&st->consumers, c, link);
		free(c->queues);
		free(c);
	}
	while ((cf = TAILQ_FIRST(&st->confirms))) {
		TAILQ_REMOVE(&st->confirms, cf, link);
		free(cf);
	}
	if (dropped)
		pu_log(st, AC_LOG_WARN,
		       "dropped %zu undelivered or unacknowledged message(s) "
		       "(in-memory transport; pending submissions are "
		       "enqueued again at the next start)",
		       dropped);
	if (st->ndead)
		pu_log(st, AC_LOG_INFO, "discarded %zu dead letter(s)",
		       st->ndead);
	free(st);
}

static int ip_setup(struct ip_state *st)
{
	struct event_base *base;
	long long max_queued = IP_DEFAULT_MAX_QUEUED;
	long long max_mb = IP_DEFAULT_MAX_MB;
	int ret;

	TAILQ_INIT(&st->queues);
	TAILQ_INIT(&st->consumers);
	TAILQ_INIT(&st->confirms);
	TAILQ_INIT(&st->in_flight);
	TAILQ_INIT(&st->dead);
	/* The core checked the ranges (ip_settings). */
	if ((ret = pu_conf_int(st->host, st->ctx, "max_queued", &max_queued)) <
	            0 ||
	    (ret = pu_conf_int(st->host, st->ctx, "max_queued_mb", &max_mb)) <
	            0)
		return ret;
	st->max_queued = (size_t)max_queued;
	st->max_job_bytes = (size_t)max_mb << 20;
	base = st->host->event_base(st->ctx);
	if (!base) {
		pu_log(st, AC_LOG_ERROR, "no event base");
		return -EINVAL;
	}
	st->pump = event_new(base, -1, 0, ip_pump_cb, st);
	if (!st->pump)
		return -ENOMEM;
	pu_log(st, AC_LOG_DEBUG,
	       "in-memory queues (messages are lost on a crash), fair by "
	       "user, %zu bytes of jobs at most",
	       st->max_job_bytes);
	return 0;
}

PU_DEFINE_INIT(ip_init, struct ip_state, ip_setup, ip_fini)

static const struct ac_transport_ops ip_ops = {
        .init = ip_init,
        .fini = ip_fini,
        .publish_job = ip_publish_job,
        .publish_result = ip_publish_result,
        .consume_jobs = ip_consume_jobs,
        .consume_results = ip_consume_results,
        .ack = ip_ack,
        .nack = ip_nack,
        .volatile_queues = ip_volatile_queues,
};

static const struct ac_setting ip_settings[] = {
        AC_SET_INT("max_queued", "100000", 1, 100000000,
                   "job messages held in memory at most; beyond, publishes "
                   "wait"),
        /* In MiB: libconfig reads integers past 2^31 only with an L. */
        AC_SET_INT("max_queued_mb", "256", 1, 1 << 20,
                   "MiB of job messages held in memory at most; beyond, "
                   "publishes wait"),
        AC_SETTINGS_END,
};

AC_PLUGIN_DEFINE_SETTINGS(AC_KIND_TRANSPORT, "inproc",
                          "in-process, in-memory queues (single node; a "
                          "crash loses queued messages)",
                          PACKAGE_VERSION, ip_ops, ip_settings);
