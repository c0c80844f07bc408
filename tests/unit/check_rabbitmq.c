/* Unit tests of transport/rabbitmq against the real broker.
 *
 * The plugin is dlopen()ed from $top_builddir/plugins-build/transport/ and
 * driven through a small host table with a real libevent base (with
 * pthreads locking, as the core sets it up).  The broker is RabbitMQ on
 * 127.0.0.1:5672 (guest/guest); without one the program prints SKIPPED and
 * exits 77.  When rabbitmqctl can reach the node, every test runs in a
 * private vhost (algotest-unit-<pid>, deleted at the end) and the reconnect
 * test closes this vhost's connections from the broker side; otherwise the
 * tests use "/" with per-test queue names and the reconnect test is
 * skipped (it says so).  A raw rabbitmq-c connection inspects the queues.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>

#include <algocode/plugin.h>

#include "../host_stub.h"

#include "../check_run.h"

#define BROKER_PORT 5672

static char g_vhost[64] = "/";
static bool g_private_vhost;
static char g_url[256];
static const char *g_ctl = "rabbitmqctl -n rabbit@localhost";

/* ------------------------------------------------------------ test host */

/* th_host and struct ac_plugin_ctx: host_stub.h. */

/* ------------------------------------------------------------- fixture */

struct rx {
	char *bodies[512];
	struct ac_delivery *ds[512];
	unsigned n;
	bool auto_ack;
	int nack_mode; /* 0: none, 1: nack requeue, 2: nack dead */
	const struct ac_transport_ops *ops;
	void *state;
};

struct tp {
	void *dl;
	const struct ac_plugin *desc;
	const struct ac_transport_ops *ops;
	struct ac_plugin_ctx ctx;
	void *state;
	char *conf_strs[8];
	const char *conf[8];
};

static void tp_open(struct tp *p, struct event_base *base, const char *url,
                    const char *extra)
{
	int n = 0;

	memset(p, 0, sizeof(*p));
	p->desc = th_plugin_open(AC_KIND_TRANSPORT, "rabbitmq", &p->dl);
	p->ops = p->desc->ops;
	ck_assert_int_gt(asprintf(&p->conf_strs[n], "amqp_url=%s", url), 0);
	p->conf[n] = p->conf_strs[n];
	n++;
	if (extra) {
		p->conf_strs[n] = strdup(extra);
		p->conf[n] = p->conf_strs[n];
		n++;
	}
	p->conf[n] = NULL;
	p->ctx.conf = p->conf;
	p->ctx.base = base;
	th_ctx_init(&p->ctx, "rabbitmq");
	p->ctx.settings = p->desc->settings;
}

static int tp_init(struct tp *p)
{
	return th_plugin_init(p->desc, &p->ctx, &p->state);
}

static void tp_close(struct tp *p)
{
	if (p->state)
		p->ops->fini(p->state);
	p->state = NULL;
	for (int i = 0; i < 8; i++)
		free(p->conf_strs[i]);
	th_ctx_fini(&p->ctx);
	dlclose(p->dl);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Run the loop until *flag >= want or the time is up. */
static void pump_until(struct event_base *base, const unsigned *flag,
                       unsigned want, int ms)
{
	long long end = now_ms() + ms;

	while ((!flag || *flag < want) && now_ms() < end) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		usleep(1000);
	}
}

/* Run the loop until *count reaches N (at most MS): it must be N then. */
static void pump_count(struct event_base *base, const unsigned *count,
                       unsigned n, int ms)
{
	pump_until(base, count, n, ms);
	ck_assert_uint_eq(*count, n);
}

/* Run the loop for MS: *count must not grow meanwhile. */
static void pump_quiet(struct event_base *base, const unsigned *count, int ms)
{
	unsigned n = *count;

	pump_until(base, count, n + 1, ms);
	ck_assert_uint_eq(*count, n);
}

struct dones {
	unsigned n;
	unsigned ok;
	int last;
};

static void done_cb(void *arg, int status)
{
	struct dones *d = arg;

	d->n++;
	if (status == 0)
		d->ok++;
	d->last = status;
}

static void rx_cb(void *arg, const char *body, size_t len,
                  struct ac_delivery *d)
{
	struct rx *rx = arg;

	ck_assert_uint_eq(strlen(body), len);
	if (rx->n < 512) {
		rx->bodies[rx->n] = strdup(body);
		rx->ds[rx->n] = d;
	}
	rx->n++;
	if (rx->auto_ack)
		rx->ops->ack(rx->state, d);
	else if (rx->nack_mode == 1)
		rx->ops->nack(rx->state, d, true, "test says try again");
	else if (rx->nack_mode == 2)
		rx->ops->nack(rx->state, d, false, "unparseable: test poison");
}

static void rx_free(struct rx *rx)
{
	for (unsigned i = 0; i < rx->n && i < 512; i++)
		free(rx->bodies[i]);
}

/* ------------------------------------------------- broker-side checks */

static amqp_connection_state_t adm_open(void)
{
	amqp_connection_state_t c = amqp_new_connection();
	amqp_socket_t *s = amqp_tcp_socket_new(c);
	amqp_rpc_reply_t r;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(amqp_socket_open(s, "127.0.0.1", BROKER_PORT), 0);
	r = amqp_login(c, g_vhost, 0, 131072, 0, AMQP_SASL_METHOD_PLAIN,
	               "guest", "guest");
	ck_assert_int_eq(r.reply_type, AMQP_RESPONSE_NORMAL);
	amqp_channel_open(c, 1);
	ck_assert_int_eq(amqp_get_rpc_reply(c).reply_type,
	                 AMQP_RESPONSE_NORMAL);
	return c;
}

static void adm_close(amqp_connection_state_t c)
{
	amqp_channel_close(c, 1, AMQP_REPLY_SUCCESS);
	amqp_connection_close(c, AMQP_REPLY_SUCCESS);
	amqp_destroy_connection(c);
}

/* Messages ready in a queue (declared durable like the plugin does). */
static unsigned adm_count(const char *q)
{
	amqp_connection_state_t c = adm_open();
	amqp_queue_declare_ok_t *ok;
	unsigned n;

	ok = amqp_queue_declare(c, 1, amqp_cstring_bytes(q), 0, 1, 0, 0,
	                        amqp_empty_table);
	ck_assert_ptr_nonnull(ok);
	n = ok->message_count;
	adm_close(c);
	return n;
}

static void adm_delete(const char *q)
{
	amqp_connection_state_t c = adm_open();

	amqp_queue_delete(c, 1, amqp_cstring_bytes(q), 0, 0);
	adm_close(c);
}

static bool hdr_str(const amqp_basic_properties_t *p, const char *key,
                    char *out, size_t size)
{
	if (!(p->_flags & AMQP_BASIC_HEADERS_FLAG))
		return false;
	for (int i = 0; i < p->headers.num_entries; i++) {
		const amqp_table_entry_t *e = &p->headers.entries[i];

		if (e->key.len != strlen(key) ||
		    memcmp(e->key.bytes, key, e->key.len) != 0)
			continue;
		if (e->value.kind == AMQP_FIELD_KIND_UTF8 ||
		    e->value.kind == AMQP_FIELD_KIND_BYTES)
			snprintf(out, size, "%.*s",
			         (int)e->value.value.bytes.len,
			         (char *)e->value.value.bytes.bytes);
		else if (e->value.kind == AMQP_FIELD_KIND_I32)
			snprintf(out, size, "%d", e->value.value.i32);
		else
			snprintf(out, size, "?");
		return true;
	}
	return false;
}

/* Take the dead letter whose body is `body` out of algocode.dead and
 * return its reason, queue and attempts headers. */
static bool adm_take_dead(const char *body, char *reason, char *queue,
                          char *attempts)
{
	amqp_connection_state_t c = adm_open();
	bool found = false;

	for (int i = 0; i < 10000 && !found; i++) {
		amqp_rpc_reply_t r = amqp_basic_get(
		        c, 1, amqp_cstring_bytes("algocode.dead"), 0);
		amqp_basic_get_ok_t *ok;
		amqp_message_t msg;

		ck_assert_int_eq(r.reply_type, AMQP_RESPONSE_NORMAL);
		if (r.reply.id != AMQP_BASIC_GET_OK_METHOD)
			break; /* empty */
		ok = r.reply.decoded;
		{
			uint64_t tag = ok->delivery_tag;

			r = amqp_read_message(c, 1, &msg, 0);
			ck_assert_int_eq(r.reply_type, AMQP_RESPONSE_NORMAL);
			if (msg.body.len == strlen(body) &&
			    memcmp(msg.body.bytes, body, msg.body.len) == 0) {
				found = true;
				ck_assert(hdr_str(&msg.properties,
				                  "x-algocode-reason", reason,
				                  256));
				ck_assert(hdr_str(&msg.properties,
				                  "x-algocode-queue", queue,
				                  256));
				ck_assert(hdr_str(&msg.properties,
				                  "x-algocode-attempts",
				                  attempts, 32));
				ck_assert_uint_eq(msg.properties.delivery_mode,
				                  2);
				amqp_basic_ack(c, 1, tag, 0);
			}
			amqp_destroy_message(&msg);
		}
	}
	/* Others' dead letters (shared vhost) go back when we close. */
	adm_close(c);
	return found;
}

/* A per-test language, so that tests never share a job queue. */
static void lang_for(char *buf, size_t size, const char *test)
{
	snprintf(buf, size, "t%d%s", (int)getpid(), test);
}

struct fx {
	struct event_base *base;
	struct tp p;
	char lang[64];
	char queue[128];
	struct dones dn; /* of the test's publishes */
	struct rx rx;    /* the test's consumer */
};

static unsigned tp_connections(struct tp *p)
{
	unsigned n;

	pthread_mutex_lock(&p->ctx.lock);
	n = p->ctx.connections;
	pthread_mutex_unlock(&p->ctx.lock);
	return n;
}

/* Run the loop until the transport has logged its n-th connection. */
static void tp_wait_connected(struct tp *p, struct event_base *base, unsigned n)
{
	long long end = now_ms() + 15000;

	while (tp_connections(p) < n && now_ms() < end)
		pump_until(base, NULL, 0, 20);
	ck_assert_uint_ge(tp_connections(p), n);
}

static void fx_setup(struct fx *f, const char *test, const char *extra)
{
	memset(f, 0, sizeof(*f));
	f->base = event_base_new();
	ck_assert_ptr_nonnull(f->base);
	lang_for(f->lang, sizeof(f->lang), test);
	snprintf(f->queue, sizeof(f->queue), "algocode.jobs.%s", f->lang);
	tp_open(&f->p, f->base, g_url, extra);
	ck_assert_int_eq(tp_init(&f->p), 0);
	ck_assert_ptr_nonnull(f->p.state);
	/* Publishes fail at once until the first connection is up. */
	tp_wait_connected(&f->p, f->base, 1);
}

static void fx_teardown(struct fx *f)
{
	rx_free(&f->rx);
	tp_close(&f->p);
	event_base_free(f->base);
	adm_delete(f->queue);
}

static void fx_publish(struct fx *f, const char *body, struct dones *dn)
{
	ck_assert_int_eq(f->p.ops->publish_job(f->p.state, f->lang, body,
	                                       strlen(body), done_cb, dn),
	                 0);
}

static void fx_consume(struct fx *f, struct rx *rx, unsigned prefetch)
{
	const char *langs[] = {f->lang, NULL};

	rx->ops = f->p.ops;
	rx->state = f->p.state;
	ck_assert_int_eq(
	        f->p.ops->consume_jobs(f->p.state, langs, prefetch, rx_cb, rx),
	        0);
}

/* ------------------------------------------------------------- tests */

START_TEST(publish_confirm_consume)
{
	struct fx f;
	const char *body = "{\"v\":1,\"hello\":\"world\"}";

	fx_setup(&f, "pcc", NULL);
	fx_publish(&f, body, &f.dn);
	ck_assert_uint_eq(f.dn.n, 0); /* never from inside the op */
	pump_count(f.base, &f.dn.n, 1, 10000);
	ck_assert_int_eq(f.dn.last, 0);
	/* Confirmed means stored: the message is in the durable queue. */
	ck_assert_uint_eq(adm_count(f.queue), 1);
	f.rx.auto_ack = true;
	fx_consume(&f, &f.rx, 4);
	pump_count(f.base, &f.rx.n, 1, 10000);
	ck_assert_str_eq(f.rx.bodies[0], body);
	pump_until(f.base, NULL, 0, 300); /* let the ack go out */
	ck_assert_uint_eq(adm_count(f.queue), 0);
	fx_teardown(&f);
}
END_TEST

START_TEST(many_in_order)
{
	struct fx f;
	enum { N = 300 };
	char body[64];

	fx_setup(&f, "order", NULL);
	for (int i = 0; i < N; i++) {
		snprintf(body, sizeof(body), "{\"seq\":%d}", i);
		fx_publish(&f, body, &f.dn);
	}
	pump_count(f.base, &f.dn.n, N, 20000);
	ck_assert_uint_eq(f.dn.ok, N);
	f.rx.auto_ack = true;
	fx_consume(&f, &f.rx, 16);
	pump_count(f.base, &f.rx.n, N, 20000);
	for (int i = 0; i < N; i++) {
		snprintf(body, sizeof(body), "{\"seq\":%d}", i);
		ck_assert_str_eq(f.rx.bodies[i], body);
	}
	fx_teardown(&f);
}
END_TEST

START_TEST(prefetch_limits_unacked)
{
	struct fx f;

	fx_setup(&f, "prefetch", NULL);
	fx_publish(&f, "{\"n\":1}", &f.dn);
	fx_publish(&f, "{\"n\":2}", &f.dn);
	fx_publish(&f, "{\"n\":3}", &f.dn);
	pump_until(f.base, &f.dn.n, 3, 10000);
	ck_assert_uint_eq(f.dn.ok, 3);
	fx_consume(&f, &f.rx, 1);
	pump_count(f.base, &f.rx.n, 1, 10000);
	/* With prefetch 1 the second job waits for the ack. */
	pump_quiet(f.base, &f.rx.n, 700);
	f.p.ops->ack(f.p.state, f.rx.ds[0]);
	pump_count(f.base, &f.rx.n, 2, 10000);
	ck_assert_str_eq(f.rx.bodies[1], "{\"n\":2}");
	pump_quiet(f.base, &f.rx.n, 500);
	f.p.ops->ack(f.p.state, f.rx.ds[1]);
	pump_count(f.base, &f.rx.n, 3, 10000);
	f.p.ops->ack(f.p.state, f.rx.ds[2]);
	pump_until(f.base, NULL, 0, 300);
	ck_assert_uint_eq(adm_count(f.queue), 0);
	fx_teardown(&f);
}
END_TEST

START_TEST(nack_requeue_then_dead_after_max)
{
	struct fx f;
	char body[128], reason[256], queue[256], attempts[32];

	snprintf(body, sizeof(body), "{\"poison\":\"requeue-%d\"}",
	         (int)getpid());
	fx_setup(&f, "nackrq", "max_deliveries=3");
	fx_publish(&f, body, &f.dn);
	pump_until(f.base, &f.dn.n, 1, 10000);
	ck_assert_int_eq(f.dn.last, 0);
	f.rx.nack_mode = 1;
	fx_consume(&f, &f.rx, 2);
	/* Delivered, nacked and redelivered: three attempts, then dead. */
	pump_count(f.base, &f.rx.n, 3, 10000);
	for (unsigned i = 0; i < 3; i++)
		ck_assert_str_eq(f.rx.bodies[i], body);
	pump_quiet(f.base, &f.rx.n, 1000);
	ck_assert_uint_eq(adm_count(f.queue), 0);
	ck_assert(adm_take_dead(body, reason, queue, attempts));
	ck_assert_msg(strstr(reason, "failed 3 times") &&
	                      strstr(reason, "test says try again"),
	              "reason: %s", reason);
	ck_assert_str_eq(queue, f.queue);
	ck_assert_str_eq(attempts, "3");
	fx_teardown(&f);
}
END_TEST

START_TEST(nack_no_requeue_dead_letters_with_reason)
{
	struct fx f;
	char body[128], reason[256], queue[256], attempts[32];

	snprintf(body, sizeof(body), "not json %d", (int)getpid());
	fx_setup(&f, "nackdl", NULL);
	fx_publish(&f, body, &f.dn);
	pump_until(f.base, &f.dn.n, 1, 10000);
	f.rx.nack_mode = 2;
	fx_consume(&f, &f.rx, 2);
	pump_count(f.base, &f.rx.n, 1, 10000);
	pump_quiet(f.base, &f.rx.n, 800); /* not redelivered */
	ck_assert_uint_eq(adm_count(f.queue), 0);
	ck_assert(adm_take_dead(body, reason, queue, attempts));
	ck_assert_str_eq(reason, "unparseable: test poison");
	ck_assert_str_eq(queue, f.queue);
	fx_teardown(&f);
}
END_TEST

START_TEST(unacked_redelivered_to_next_consumer)
{
	struct fx f;
	struct rx rx2 = {0};
	const char *body = "{\"job\":\"survives a dead consumer\"}";

	fx_setup(&f, "redeliver", NULL);
	fx_publish(&f, body, &f.dn);
	pump_until(f.base, &f.dn.n, 1, 10000);
	fx_consume(&f, &f.rx, 1);
	pump_count(f.base, &f.rx.n, 1, 10000);
	/* The consumer goes away without acknowledging. */
	tp_close(&f.p);
	tp_open(&f.p, f.base, g_url, NULL);
	ck_assert_int_eq(tp_init(&f.p), 0);
	rx2.auto_ack = true;
	fx_consume(&f, &rx2, 1);
	pump_count(f.base, &rx2.n, 1, 10000);
	ck_assert_str_eq(rx2.bodies[0], body);
	pump_quiet(f.base, &rx2.n, 500);
	rx_free(&rx2);
	fx_teardown(&f);
}
END_TEST

/* A job is published with message_id = its submission id. */
START_TEST(message_id_is_submission_id)
{
	struct fx f;
	const char *body = "{\"version\":1,\"submission_id\":\"sid-42\","
	                   "\"code\":\"x\"}";
	amqp_connection_state_t c;
	amqp_rpc_reply_t r;
	amqp_message_t msg;
	bool found = false;

	fx_setup(&f, "msgid", NULL);
	fx_publish(&f, body, &f.dn);
	fx_publish(&f, "{\"no\":\"id\"}", &f.dn);
	pump_until(f.base, &f.dn.n, 2, 10000);
	ck_assert_uint_eq(f.dn.ok, 2);
	c = adm_open();
	for (int i = 0; i < 2; i++) {
		r = amqp_basic_get(c, 1, amqp_cstring_bytes(f.queue), 1);
		ck_assert_int_eq(r.reply_type, AMQP_RESPONSE_NORMAL);
		ck_assert_uint_eq(r.reply.id, AMQP_BASIC_GET_OK_METHOD);
		r = amqp_read_message(c, 1, &msg, 0);
		ck_assert_int_eq(r.reply_type, AMQP_RESPONSE_NORMAL);
		if (msg.body.len == strlen(body)) {
			ck_assert(msg.properties._flags &
			          AMQP_BASIC_MESSAGE_ID_FLAG);
			ck_assert_int_eq(msg.properties.message_id.len, 6);
			ck_assert(memcmp(msg.properties.message_id.bytes,
			                 "sid-42", 6) == 0);
			found = true;
		} else {
			/* No submission id: no message_id. */
			ck_assert(!(msg.properties._flags &
			            AMQP_BASIC_MESSAGE_ID_FLAG));
		}
		amqp_destroy_message(&msg);
	}
	adm_close(c);
	ck_assert(found);
	fx_teardown(&f);
}
END_TEST

START_TEST(results_queue)
{
	struct fx f;
	char body[128];

	if (!g_private_vhost) {
		fprintf(stderr,
		        "SKIPPED results_queue: no private vhost "
		        "(rabbitmqctl unavailable); algocode.results of "
		        "\"/\" may have other consumers\n");
		return;
	}
	snprintf(body, sizeof(body), "{\"result\":%d}", (int)getpid());
	fx_setup(&f, "results", NULL);
	ck_assert_int_eq(f.p.ops->publish_result(f.p.state, body, strlen(body),
	                                         done_cb, &f.dn),
	                 0);
	pump_until(f.base, &f.dn.n, 1, 10000);
	ck_assert_int_eq(f.dn.last, 0);
	f.rx.auto_ack = true;
	f.rx.ops = f.p.ops;
	f.rx.state = f.p.state;
	ck_assert_int_eq(f.p.ops->consume_results(f.p.state, rx_cb, &f.rx), 0);
	pump_count(f.base, &f.rx.n, 1, 10000);
	ck_assert_str_eq(f.rx.bodies[0], body);
	fx_teardown(&f);
}
END_TEST

static int ctl(const char *fmt, ...) AC_PRINTF(1, 2);
static int ctl(const char *fmt, ...)
{
	char args[512], cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s -q %s >/dev/null 2>&1", g_ctl, args);
	return system(cmd);
}

START_TEST(reconnect_after_broker_closes_connection)
{
	struct fx f;
	struct dones dn2 = {0};
	char cmd[1024];
	long long end;

	if (!g_private_vhost) {
		fprintf(stderr, "SKIPPED reconnect: no private vhost "
		                "(rabbitmqctl unavailable)\n");
		return;
	}
	fx_setup(&f, "reconnect", NULL);
	f.rx.auto_ack = true;
	fx_consume(&f, &f.rx, 2);
	fx_publish(&f, "{\"before\":1}", &f.dn);
	pump_count(f.base, &f.rx.n, 1, 10000);
	/* Close every connection of our vhost from the broker side. */
	snprintf(cmd, sizeof(cmd),
	         "%s -q list_connections pid vhost | awk -v v=%s '$2 == v "
	         "{print $1}' | while read p; do %s -q close_connection "
	         "\"$p\" 'test: forced close' >/dev/null; done",
	         g_ctl, g_vhost, g_ctl);
	ck_assert_int_eq(system(cmd), 0);
	/* Publishes fail while the transport is down, then succeed again
	 * once it has reconnected and subscribed again. */
	end = now_ms() + 20000;
	while (now_ms() < end) {
		unsigned want = dn2.n + 1;
		int r = f.p.ops->publish_job(f.p.state, f.lang, "{\"after\":1}",
		                             11, done_cb, &dn2);

		if (r == 0) {
			pump_until(f.base, &dn2.n, want, 5000);
			if (dn2.last == 0)
				break;
		} else {
			dn2.last = r; /* refused at once, no callback */
		}
		ck_assert_int_eq(dn2.last, -ENOTCONN);
		pump_until(f.base, NULL, 0, 20);
	}
	ck_assert_int_eq(dn2.last, 0);
	pump_count(f.base, &f.rx.n, 2, 10000);
	ck_assert_str_eq(f.rx.bodies[1], "{\"after\":1}");
	ck_assert_msg(strstr(f.p.ctx.last_problem, "reconnect"),
	              "last warning: %s", f.p.ctx.last_problem);
	fx_teardown(&f);
}
END_TEST

START_TEST(no_broker_publish_fails)
{
	struct event_base *base = event_base_new();
	struct tp p;
	struct dones dn = {0};
	char url[128];
	int port;

	/* A port nobody listens on (bound, then closed). */
	{
		struct sockaddr_in sa = {.sin_family = AF_INET};
		socklen_t sl = sizeof(sa);
		int s = socket(AF_INET, SOCK_STREAM, 0);

		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		ck_assert_int_eq(bind(s, (struct sockaddr *)&sa, sizeof(sa)),
		                 0);
		getsockname(s, (struct sockaddr *)&sa, &sl);
		port = ntohs(sa.sin_port);
		close(s);
	}
	snprintf(url, sizeof(url), "amqp://guest:guest@127.0.0.1:%d/", port);
	tp_open(&p, base, url, NULL);
	ck_assert_int_eq(tp_init(&p), 0);
	pump_until(base, NULL, 0, 300);
	/* Refused at once (no callback), never queued for a broker. */
	{
		long long t0 = now_ms();

		ck_assert_int_eq(p.ops->publish_job(p.state, "cpp", "{}", 2,
		                                    done_cb, &dn),
		                 -ENOTCONN);
		ck_assert_int_lt(now_ms() - t0, 100);
	}
	pump_until(base, NULL, 0, 300);
	ck_assert_uint_eq(dn.n, 0);
	ck_assert_msg(strstr(p.ctx.last_problem, "retrying in the background"),
	              "last warning: %s", p.ctx.last_problem);
	/* Stopping while reconnecting is prompt. */
	{
		long long t0 = now_ms();

		tp_close(&p);
		ck_assert_int_lt(now_ms() - t0, 2000);
	}
	event_base_free(base);
}
END_TEST

START_TEST(bad_settings_refused)
{
	static const char *const bad[][2] = {
	        {"http://127.0.0.1/", NULL},
	        {"amqps://guest:guest@127.0.0.1:5671/", NULL},
	        {"amqp://127.0.0.1:5672/", "max_deliveries=0"},
	        {"amqp://127.0.0.1:5672/", "heartbeat_s=-1"},
	        {"amqp://127.0.0.1:5672/", "max_deliveries=x"},
	        {"amqp://127.0.0.1:5672/", "reconnect_min_ms=5"},
	        {"amqp://127.0.0.1:5672/", "reconnect_max_ms=600000"},
	        /* below the default reconnect_min_ms (100) */
	        {"amqp://127.0.0.1:5672/", "reconnect_max_ms=50"},
	};
	struct event_base *base = event_base_new();

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tp p;

		tp_open(&p, base, bad[i][0], bad[i][1]);
		ck_assert_int_eq(tp_init(&p), -EINVAL);
		ck_assert_ptr_null(p.state);
		tp_close(&p);
	}
	{
		struct tp p;
		struct dones dn = {0};

		tp_open(&p, base, "amqp://127.0.0.1:1/", NULL);
		ck_assert_int_eq(tp_init(&p), 0);
		ck_assert_int_eq(p.ops->publish_job(p.state, "c/../x", "{}", 2,
		                                    done_cb, &dn),
		                 -EINVAL);
		ck_assert_int_eq(
		        p.ops->publish_job(p.state, "", "{}", 2, done_cb, &dn),
		        -EINVAL);
		tp_close(&p);
	}
	event_base_free(base);
}
END_TEST

static Suite *rabbitmq_suite(void)
{
	return AC_SUITE(
	        "transport/rabbitmq", "broker", 60, bad_settings_refused,
	        no_broker_publish_fails, publish_confirm_consume, many_in_order,
	        prefetch_limits_unacked, nack_requeue_then_dead_after_max,
	        nack_no_requeue_dead_letters_with_reason,
	        unacked_redelivered_to_next_consumer, results_queue,
	        message_id_is_submission_id,
	        reconnect_after_broker_closes_connection);
}

static bool broker_answers(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
	                         .sin_port = htons(BROKER_PORT)};
	int s = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(s);
	return ok;
}

int main(void)
{
	int failed;

	if (!broker_answers()) {
		printf("SKIPPED: no RabbitMQ broker answers on 127.0.0.1:%d\n",
		       BROKER_PORT);
		fprintf(stderr,
		        "SKIPPED: no RabbitMQ broker answers on "
		        "127.0.0.1:%d\n",
		        BROKER_PORT);
		return 77;
	}
	evthread_use_pthreads();
	if (getenv("RABBITMQ_CTL"))
		g_ctl = getenv("RABBITMQ_CTL");
	snprintf(g_vhost, sizeof(g_vhost), "algotest-unit-%d", (int)getpid());
	if (ctl("add_vhost %s", g_vhost) == 0 &&
	    ctl("set_permissions -p %s guest '.*' '.*' '.*'", g_vhost) == 0) {
		g_private_vhost = true;
	} else {
		fprintf(stderr,
		        "rabbitmqctl cannot reach the node; using vhost "
		        "\"/\" (reconnect test skipped)\n");
		snprintf(g_vhost, sizeof(g_vhost), "/");
	}
	snprintf(g_url, sizeof(g_url), "amqp://guest:guest@127.0.0.1:%d/%s",
	         BROKER_PORT, g_private_vhost ? g_vhost : "%2f");
	failed = ac_check_run(rabbitmq_suite());
	if (g_private_vhost)
		ctl("delete_vhost %s", g_vhost);
	return failed;
}
