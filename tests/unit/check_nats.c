/* Unit tests of transport/nats against a PRIVATE nats-server.
 *
 * Every test starts its own `nats-server -js` on a free port of 127.0.0.1
 * with its store under a temporary directory (it is ready in ~0.1 s), loads
 * $top_builddir/plugins-build/transport/nats.so and drives it through a
 * small host table on a real event_base, as the core does.  A second,
 * plain nats.c connection of the test looks at the streams and consumers
 * from the outside.  Without nats-server the program exits 77 (SKIPPED).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <nats/nats.h>

#include <algocode/plugin.h>

#include "../host_stub.h"

#include "../check_run.h"

static char nats_server[4096];

/* ------------------------------------------------------------ the server */

struct srv {
	pid_t pid;
	int port;
	char dir[4096];
	char url[64];
};

static int srv_free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	ck_assert_int_ge(fd, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static bool srv_answers(int port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

/* Choose the port and directory of the private server (once). */
static void srv_prepare(struct srv *s)
{
	if (!s->dir[0]) {
		const char *tmp = getenv("TMPDIR");

		snprintf(s->dir, sizeof(s->dir), "%s/check_nats.XXXXXX",
		         tmp && *tmp ? tmp : "/tmp");
		ck_assert_ptr_nonnull(mkdtemp(s->dir));
		s->port = srv_free_port();
		snprintf(s->url, sizeof(s->url), "nats://127.0.0.1:%d",
		         s->port);
	}
}

/* Start (or restart, same port and store) the private server. */
static void srv_start(struct srv *s)
{
	char port[16], sd[4200], log[4200];

	srv_prepare(s);
	snprintf(port, sizeof(port), "%d", s->port);
	snprintf(sd, sizeof(sd), "%s/js", s->dir);
	snprintf(log, sizeof(log), "%s/server.log", s->dir);
	s->pid = fork();
	ck_assert_int_ge(s->pid, 0);
	if (s->pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		/* A failed test (its process exits) takes the server along. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		/* CHECK_NATS_DEBUG=1: protocol trace in server.log. */
		execl(nats_server, nats_server, "-a", "127.0.0.1", "-p", port,
		      "-js", "-sd", sd,
		      getenv("CHECK_NATS_DEBUG") ? "-DV" : (char *)NULL,
		      (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100; i++) {
		if (srv_answers(s->port))
			return;
		usleep(50 * 1000);
	}
	ck_abort_msg("nats-server did not start on port %d (see %s)", s->port,
	             log);
}

static void srv_kill(struct srv *s, int sig)
{
	if (s->pid > 0) {
		kill(s->pid, sig);
		waitpid(s->pid, NULL, 0);
		s->pid = 0;
	}
}

static int rm_cb(const char *path, const struct stat *sb, int flag,
                 struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void srv_stop(struct srv *s)
{
	srv_kill(s, SIGTERM);
	if (s->dir[0] && !getenv("CHECK_NATS_DEBUG"))
		nftw(s->dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* ------------------------------------------------------------ test host */

/* th_host and struct ac_plugin_ctx: host_stub.h. */

/* ------------------------------------------------------------ fixture */

#define MAX_GOT 64

struct got {
	char body[256];
	struct ac_delivery *d;
	bool settled;
};

struct fx {
	struct srv srv;
	void *dl;
	const struct ac_plugin *desc;
	const struct ac_transport_ops *ops;
	struct ac_plugin_ctx ctx;
	void *state;
	char conf_url[128];
	const char *conf[8];
	/* consumers */
	struct got jobs[MAX_GOT];
	unsigned njobs;
	struct got results[MAX_GOT];
	unsigned nresults;
	bool auto_ack;
	/* publishes */
	unsigned done_ok, done_err;
	/* the test's own look at the server */
	natsConnection *nc;
	jsCtx *js;
};

/* The plugin loaded and initialised against a private server; with
 * late_server the server is not started (the test starts it). */
/* The test's own connection to the server (once it runs). */
static void fx_look(struct fx *f)
{
	ck_assert_int_eq(natsConnection_ConnectTo(&f->nc, f->srv.url), NATS_OK);
	ck_assert_int_eq(natsConnection_JetStream(&f->js, f->nc, NULL),
	                 NATS_OK);
}

static void fx_open_ex(struct fx *f, const char *const *extra, bool late_server)
{
	size_t n = 0;

	memset(f, 0, sizeof(*f));
	if (late_server)
		srv_prepare(&f->srv);
	else
		srv_start(&f->srv);
	snprintf(f->conf_url, sizeof(f->conf_url), "nats_url=%s", f->srv.url);
	f->conf[n++] = f->conf_url;
	for (; extra && *extra && n < 7; extra++)
		f->conf[n++] = *extra;
	f->conf[n] = NULL;
	f->desc = th_plugin_open(AC_KIND_TRANSPORT, "nats", &f->dl);
	f->ops = f->desc->ops;
	ck_assert_int_eq(evthread_use_pthreads(), 0);
	th_ctx_init(&f->ctx, "transport nats");
	f->ctx.settings = f->desc->settings;
	f->ctx.done_on_loop = true; /* as the core's pool */
	f->ctx.base = event_base_new();
	f->ctx.conf = f->conf;
	ck_assert_ptr_nonnull(f->ctx.base);
	ck_assert_int_eq(f->ops->init(&th_host, &f->ctx, &f->state), 0);
	ck_assert_ptr_nonnull(f->state);
	if (!late_server)
		fx_look(f);
}

static void fx_open(struct fx *f, const char *const *extra)
{
	fx_open_ex(f, extra, false);
}

static void fx_close(struct fx *f)
{
	f->ops->fini(f->state);
	jsCtx_Destroy(f->js);
	natsConnection_Destroy(f->nc);
	event_base_free(f->ctx.base);
	th_ctx_fini(&f->ctx);
	dlclose(f->dl);
	srv_stop(&f->srv);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Run the loop until *flag reaches want or ms pass; true if reached. */
static bool fx_run_until(struct fx *f, const unsigned *count, unsigned want,
                         int ms)
{
	int64_t end = now_ms() + ms;

	while (now_ms() < end) {
		struct timeval tv = {0, 20 * 1000};

		if (count && *count >= want)
			return true;
		event_base_loopexit(f->ctx.base, &tv);
		event_base_dispatch(f->ctx.base);
	}
	return count && *count >= want;
}

static void fx_run(struct fx *f, int ms)
{
	fx_run_until(f, NULL, 0, ms);
}

static void fx_done_cb(void *arg, int status)
{
	struct fx *f = arg;

	if (status == 0)
		f->done_ok++;
	else
		f->done_err++;
}

static void fx_record(struct fx *f, struct got *list, unsigned *n,
                      const char *body, size_t len, struct ac_delivery *d)
{
	struct got *g;

	ck_assert_uint_lt(*n, MAX_GOT);
	ck_assert_uint_eq(strlen(body), len); /* NUL-terminated */
	g = &list[(*n)++];
	snprintf(g->body, sizeof(g->body), "%.*s", (int)len, body);
	g->d = d;
	if (f->auto_ack) {
		f->ops->ack(f->state, d);
		g->settled = true;
	}
}

static void fx_job_cb(void *arg, const char *body, size_t len,
                      struct ac_delivery *d)
{
	struct fx *f = arg;

	fx_record(f, f->jobs, &f->njobs, body, len, d);
}

static void fx_result_cb(void *arg, const char *body, size_t len,
                         struct ac_delivery *d)
{
	struct fx *f = arg;

	fx_record(f, f->results, &f->nresults, body, len, d);
}

static void fx_publish(struct fx *f, const char *body)
{
	ck_assert_int_eq(f->ops->publish_job(f->state, "cpp", body,
	                                     strlen(body), fx_done_cb, f),
	                 0);
}

static void fx_consume(struct fx *f, unsigned prefetch)
{
	const char *langs[] = {"cpp", NULL};

	ck_assert_int_eq(
	        f->ops->consume_jobs(f->state, langs, prefetch, fx_job_cb, f),
	        0);
}

/* Consume with PREFETCH, publish BODY: it is delivered (f->jobs[0]). */
static void fx_one_job(struct fx *f, unsigned prefetch, const char *body)
{
	fx_consume(f, prefetch);
	fx_publish(f, body);
	ck_assert(fx_run_until(f, &f->njobs, 1, 5000));
}

static uint64_t fx_stream_msgs(struct fx *f, const char *stream)
{
	jsStreamInfo *si = NULL;
	uint64_t n;

	ck_assert_int_eq(js_GetStreamInfo(&si, f->js, stream, NULL, NULL),
	                 NATS_OK);
	n = si->State.Msgs;
	jsStreamInfo_Destroy(si);
	return n;
}

/* Wait (running the loop) until the stream holds `want` messages. */
static void fx_expect_msgs(struct fx *f, const char *stream, uint64_t want)
{
	uint64_t n = 0;

	for (int i = 0; i < 100; i++) {
		n = fx_stream_msgs(f, stream);
		if (n == want)
			return;
		fx_run(f, 50);
	}
	ck_abort_msg("%s holds %llu messages, expected %llu", stream,
	             (unsigned long long)n, (unsigned long long)want);
}

static jsConsumerInfo *fx_consumer(struct fx *f)
{
	jsConsumerInfo *ci = NULL;

	ck_assert_int_eq(js_GetConsumerInfo(&ci, f->js, "ALGOCODE_JOBS",
	                                    "judges-cpp", NULL, NULL),
	                 NATS_OK);
	return ci;
}

/* The last dead letter of cpp jobs: its body and reason. */
static void fx_dead_letter(struct fx *f, char *body, size_t bsize, char *reason,
                           size_t rsize)
{
	natsMsg *m = NULL;
	const char *v = NULL;

	for (int i = 0; i < 100; i++) {
		if (js_GetLastMsg(&m, f->js, "ALGOCODE_DEAD",
		                  "algocode.dead.cpp", NULL, NULL) == NATS_OK)
			break;
		m = NULL;
		fx_run(f, 50);
	}
	ck_assert_msg(m != NULL, "no dead letter on algocode.dead.cpp");
	snprintf(body, bsize, "%.*s", natsMsg_GetDataLength(m),
	         natsMsg_GetData(m));
	ck_assert_int_eq(natsMsgHeader_Get(m, "Algocode-Reason", &v), NATS_OK);
	snprintf(reason, rsize, "%s", v);
	ck_assert_int_eq(natsMsgHeader_Get(m, "Algocode-Subject", &v), NATS_OK);
	ck_assert_str_eq(v, "algocode.jobs.cpp");
	natsMsg_Destroy(m);
}

/* ------------------------------------------------------------ tests */

START_TEST(test_publish_consume)
{
	struct fx f;

	fx_open(&f, NULL);
	fx_publish(&f, "{\"job\":1}");
	/* Completions never run inside the op. */
	ck_assert_uint_eq(f.done_ok + f.done_err, 0);
	ck_assert(fx_run_until(&f, &f.done_ok, 1, 5000));
	ck_assert_uint_eq(f.done_err, 0);
	fx_expect_msgs(&f, "ALGOCODE_JOBS", 1);
	fx_consume(&f, 4);
	ck_assert(fx_run_until(&f, &f.njobs, 1, 5000));
	ck_assert_str_eq(f.jobs[0].body, "{\"job\":1}");
	f.ops->ack(f.state, f.jobs[0].d);
	fx_expect_msgs(&f, "ALGOCODE_JOBS", 0);

	ck_assert_int_eq(
	        f.ops->publish_result(f.state, "{\"r\":1}", 7, fx_done_cb, &f),
	        0);
	ck_assert_int_eq(f.ops->consume_results(f.state, fx_result_cb, &f), 0);
	ck_assert(fx_run_until(&f, &f.nresults, 1, 5000));
	ck_assert_uint_eq(f.done_ok, 2);
	ck_assert_str_eq(f.results[0].body, "{\"r\":1}");
	f.ops->ack(f.state, f.results[0].d);
	fx_expect_msgs(&f, "ALGOCODE_RESULTS", 0);
	/* Invalid language names never become subjects. */
	ck_assert_int_eq(
	        f.ops->publish_job(f.state, "c.*", "x", 1, fx_done_cb, &f),
	        -EINVAL);
	fx_close(&f);
}
END_TEST

START_TEST(test_prefetch)
{
	struct fx f;

	fx_open(&f, NULL);
	fx_consume(&f, 1);
	fx_publish(&f, "a");
	fx_publish(&f, "b");
	ck_assert(fx_run_until(&f, &f.njobs, 1, 5000));
	fx_run(&f, 800);
	ck_assert_uint_eq(f.njobs, 1); /* the second waits */
	f.ops->ack(f.state, f.jobs[0].d);
	ck_assert(fx_run_until(&f, &f.njobs, 2, 5000));
	ck_assert_str_eq(f.jobs[0].body, "a");
	ck_assert_str_eq(f.jobs[1].body, "b");
	f.ops->ack(f.state, f.jobs[1].d);
	fx_expect_msgs(&f, "ALGOCODE_JOBS", 0);
	fx_close(&f);
}
END_TEST

START_TEST(test_nack_requeue)
{
	const char *conf[] = {"max_deliveries=3", NULL};
	jsConsumerInfo *ci;
	struct fx f;

	fx_open(&f, conf);
	fx_one_job(&f, 2, "again");
	f.ops->nack(f.state, f.jobs[0].d, true, "busy");
	ck_assert(fx_run_until(&f, &f.njobs, 2, 5000));
	ck_assert_str_eq(f.jobs[1].body, "again");
	ci = fx_consumer(&f);
	ck_assert_uint_eq(ci->Delivered.Consumer, 2); /* NumDelivered 2 */
	ck_assert_int_eq(ci->NumRedelivered, 1);
	jsConsumerInfo_Destroy(ci);
	f.ops->ack(f.state, f.jobs[1].d);
	fx_expect_msgs(&f, "ALGOCODE_JOBS", 0);
	fx_expect_msgs(&f, "ALGOCODE_DEAD", 0);
	fx_close(&f);
}
END_TEST

START_TEST(test_nack_dead_letter)
{
	char body[256], reason[512];
	struct fx f;

	fx_open(&f, NULL);
	fx_one_job(&f, 2, "not json");
	f.ops->nack(f.state, f.jobs[0].d, false, "malformed job: \r\nnot JSON");
	fx_dead_letter(&f, body, sizeof(body), reason, sizeof(reason));
	ck_assert_str_eq(body, "not json");
	ck_assert_str_eq(reason, "malformed job:   not JSON");
	fx_expect_msgs(&f, "ALGOCODE_JOBS", 0);
	fx_run(&f, 500);
	ck_assert_uint_eq(f.njobs, 1); /* never redelivered */
	fx_close(&f);
}
END_TEST

START_TEST(test_max_deliveries)
{
	const char *conf[] = {"max_deliveries=3", NULL};
	char body[256], reason[512];
	struct fx f;

	fx_open(&f, conf);
	fx_consume(&f, 1);
	fx_publish(&f, "poison");
	for (unsigned i = 1; i <= 3; i++) {
		ck_assert(fx_run_until(&f, &f.njobs, i, 5000));
		f.ops->nack(f.state, f.jobs[i - 1].d, true, "judge failed");
	}
	fx_dead_letter(&f, body, sizeof(body), reason, sizeof(reason));
	ck_assert_str_eq(body, "poison");
	ck_assert_msg(strstr(reason, "delivered 3 times") &&
	                      strstr(reason, "judge failed"),
	              "reason: %s", reason);
	fx_expect_msgs(&f, "ALGOCODE_JOBS", 0);
	fx_run(&f, 500);
	ck_assert_uint_eq(f.njobs, 3);
	fx_close(&f);
}
END_TEST

/* A consumer that dies without settling: after ack_wait the job comes back;
 * past max_deliveries it is dead-lettered without being processed.  A
 * healthy holder keeps its delivery with in-progress acks. */
START_TEST(test_ack_wait_redelivery)
{
	const char *conf[] = {"max_deliveries=1", "ack_wait_s=1", NULL};
	natsSubscription *sub = NULL;
	natsMsgList list = {0};
	char body[256], reason[512];
	jsConsumerInfo *ci = NULL;
	jsConsumerConfig cc;
	jsSubOptions so;
	struct fx f;

	fx_open(&f, conf);
	fx_publish(&f, "crashes its judge");
	ck_assert(fx_run_until(&f, &f.done_ok, 1, 5000));
	/* A judge takes it from the shared consumer and dies. */
	jsConsumerConfig_Init(&cc);
	cc.Durable = "judges-cpp";
	cc.AckPolicy = js_AckExplicit;
	cc.AckWait = 1000000000LL;
	cc.MaxDeliver = 2;
	cc.FilterSubject = "algocode.jobs.cpp";
	ck_assert_int_eq(
	        js_AddConsumer(&ci, f.js, "ALGOCODE_JOBS", &cc, NULL, NULL),
	        NATS_OK);
	jsConsumerInfo_Destroy(ci);
	jsSubOptions_Init(&so);
	so.Stream = "ALGOCODE_JOBS";
	so.Consumer = "judges-cpp";
	ck_assert_int_eq(js_PullSubscribe(&sub, f.js, "algocode.jobs.cpp",
	                                  "judges-cpp", NULL, &so, NULL),
	                 NATS_OK);
	ck_assert_int_eq(natsSubscription_Fetch(&list, sub, 1, 5000, NULL),
	                 NATS_OK);
	ck_assert_int_eq(list.Count, 1);
	natsMsgList_Destroy(&list);
	natsSubscription_Destroy(sub);
	/* Redelivered (NumDelivered 2 > 1) to the plugin: dead letter. */
	fx_consume(&f, 1);
	fx_dead_letter(&f, body, sizeof(body), reason, sizeof(reason));
	ck_assert_str_eq(body, "crashes its judge");
	ck_assert_msg(strstr(reason, "delivered 2 times"), "reason: %s",
	              reason);
	ck_assert_uint_eq(f.njobs, 0); /* the core never saw it */
	fx_expect_msgs(&f, "ALGOCODE_JOBS", 0);

	/* Held by a live consumer for 2.5 x ack_wait: not redelivered. */
	fx_publish(&f, "held");
	ck_assert(fx_run_until(&f, &f.njobs, 1, 5000));
	fx_run(&f, 2500);
	ck_assert_uint_eq(f.njobs, 1);
	ci = fx_consumer(&f);
	ck_assert_uint_eq(ci->Delivered.Consumer, 3);
	ck_assert_int_eq(ci->NumAckPending, 1);
	jsConsumerInfo_Destroy(ci);
	f.ops->ack(f.state, f.jobs[0].d);
	fx_expect_msgs(&f, "ALGOCODE_JOBS", 0);
	fx_close(&f);
}
END_TEST

START_TEST(test_server_restart)
{
	struct fx f;
	bool seen[8] = {false};
	unsigned distinct = 0;
	char name[16];

	fx_open(&f, NULL);
	fx_consume(&f, 2);
	for (int i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "job-%d", i);
		fx_publish(&f, name);
	}
	ck_assert(fx_run_until(&f, &f.done_ok, 6, 5000));
	ck_assert(fx_run_until(&f, &f.njobs, 2, 5000));
	fx_run(&f, 200);
	ck_assert_uint_eq(f.njobs, 2);

	srv_kill(&f.srv, SIGKILL);
	fx_run(&f, 300);
	/* Settled while the server is away (nats.c sends the acks once it
	 * is back); a publish fails at once. */
	f.ops->ack(f.state, f.jobs[0].d);
	f.ops->ack(f.state, f.jobs[1].d);
	ck_assert_int_eq(
	        f.ops->publish_job(f.state, "cpp", "job-6", 5, fx_done_cb, &f),
	        -ENOTCONN);
	fx_run(&f, 500);
	srv_start(&f.srv);

	f.auto_ack = true;
	for (int64_t end = now_ms() + 15000;
	     f.ops->publish_job(f.state, "cpp", "job-6", 5, fx_done_cb, &f) < 0;
	     fx_run(&f, 50))
		ck_assert_msg(now_ms() < end,
		              "publishes still fail after 15 s");
	fx_publish(&f, "job-7");
	ck_assert_msg(fx_run_until(&f, &f.done_ok, 8, 15000),
	              "%u publishes confirmed, %u failed", f.done_ok,
	              f.done_err);
	for (int64_t end = now_ms() + 20000; now_ms() < end && distinct < 8;) {
		fx_run(&f, 100);
		distinct = 0;
		memset(seen, 0, sizeof(seen));
		for (unsigned i = 0; i < f.njobs; i++) {
			int k = -1;

			sscanf(f.jobs[i].body, "job-%d", &k);
			ck_assert(k >= 0 && k < 8);
			if (!seen[k])
				distinct++;
			seen[k] = true;
		}
	}
	ck_assert_msg(distinct == 8, "%u of 8 jobs seen after the restart",
	              distinct);
	fx_expect_msgs(&f, "ALGOCODE_JOBS", 0);
	fx_close(&f);
}
END_TEST

/* Started before the server: init succeeds, consumers wait, publishes
 * fail at once; when the server comes, everything works by itself. */
START_TEST(test_server_comes_late)
{
	struct fx f;
	int64_t t;
	int r;

	fx_open_ex(&f, NULL, true);
	fx_consume(&f, 2);
	ck_assert_int_eq(f.ops->consume_results(f.state, fx_result_cb, &f), 0);
	fx_run(&f, 300);
	t = now_ms();
	r = f.ops->publish_job(f.state, "cpp", "{\"job\":1}", 9, fx_done_cb,
	                       &f);
	t = now_ms() - t;
	ck_assert_int_eq(r, -ENOTCONN);
	ck_assert_msg(t < 1000, "a refused publish took %lld ms", (long long)t);
	ck_assert_uint_eq(f.done_ok + f.done_err, 0);

	srv_start(&f.srv);
	fx_look(&f);
	/* Accepted once connected and the streams exist. */
	for (int64_t end = now_ms() + 15000;; fx_run(&f, 50)) {
		unsigned ok = f.done_ok;

		ck_assert_msg(now_ms() < end, "no publish confirmed in 15 s");
		if (f.ops->publish_job(f.state, "cpp", "{\"job\":1}", 9,
		                       fx_done_cb, &f) < 0)
			continue;
		fx_run_until(&f, &f.done_ok, ok + 1, 5000);
		if (f.done_ok > ok)
			break;
	}
	/* The consumers were created in the background and pull. */
	ck_assert(fx_run_until(&f, &f.njobs, 1, 10000));
	ck_assert_str_eq(f.jobs[0].body, "{\"job\":1}");
	f.ops->ack(f.state, f.jobs[0].d);
	ck_assert_int_eq(
	        f.ops->publish_result(f.state, "{\"r\":1}", 7, fx_done_cb, &f),
	        0);
	ck_assert(fx_run_until(&f, &f.nresults, 1, 10000));
	f.ops->ack(f.state, f.results[0].d);
	fx_close(&f);
}
END_TEST

/* Never connected: fini does not hang. */
START_TEST(test_fini_never_connected)
{
	struct fx f;
	int64_t t;

	fx_open_ex(&f, NULL, true);
	fx_consume(&f, 1);
	fx_run(&f, 300);
	t = now_ms();
	f.ops->fini(f.state);
	t = now_ms() - t;
	ck_assert_msg(t < 3000, "fini took %lld ms", (long long)t);
	event_base_free(f.ctx.base);
	th_ctx_fini(&f.ctx);
	dlclose(f.dl);
	srv_stop(&f.srv);
}
END_TEST

/* A job published twice with one submission id is stored once
 * (Nats-Msg-Id); both publishes are confirmed. */
START_TEST(test_dedup)
{
	struct fx f;
	const char *a = "{\"version\":1,\"submission_id\":\"sub-1\","
	                "\"code\":\"x\"}";
	const char *b = "{\"version\":1,\"submission_id\":\"sub-2\","
	                "\"code\":\"x\"}";
	natsMsg *m = NULL;
	const char *v = NULL;

	fx_open(&f, NULL);
	fx_publish(&f, a);
	ck_assert(fx_run_until(&f, &f.done_ok, 1, 5000));
	fx_publish(&f, a);
	ck_assert(fx_run_until(&f, &f.done_ok, 2, 5000));
	ck_assert_uint_eq(f.done_err, 0);
	fx_expect_msgs(&f, "ALGOCODE_JOBS", 1);
	ck_assert_int_eq(js_GetLastMsg(&m, f.js, "ALGOCODE_JOBS",
	                               "algocode.jobs.cpp", NULL, NULL),
	                 NATS_OK);
	ck_assert_int_eq(natsMsgHeader_Get(m, "Nats-Msg-Id", &v), NATS_OK);
	ck_assert_str_eq(v, "sub-1");
	natsMsg_Destroy(m);
	fx_publish(&f, b);
	ck_assert(fx_run_until(&f, &f.done_ok, 3, 5000));
	fx_expect_msgs(&f, "ALGOCODE_JOBS", 2);
	/* Consumed and acknowledged: a late copy is still dropped. */
	f.auto_ack = true;
	fx_consume(&f, 4);
	ck_assert(fx_run_until(&f, &f.njobs, 2, 5000));
	fx_expect_msgs(&f, "ALGOCODE_JOBS", 0);
	fx_publish(&f, a);
	ck_assert(fx_run_until(&f, &f.done_ok, 4, 5000));
	fx_run(&f, 300);
	ck_assert_uint_eq(f.njobs, 2);
	/* Results too. */
	ck_assert_int_eq(
	        f.ops->publish_result(f.state, a, strlen(a), fx_done_cb, &f),
	        0);
	ck_assert_int_eq(
	        f.ops->publish_result(f.state, a, strlen(a), fx_done_cb, &f),
	        0);
	ck_assert(fx_run_until(&f, &f.done_ok, 6, 5000));
	fx_expect_msgs(&f, "ALGOCODE_RESULTS", 1);
	fx_close(&f);
}
END_TEST

/* Bad reconnect settings stop init (no server needed). */
START_TEST(test_reconnect_settings)
{
	static const char *const cases[][3] = {
	        {"reconnect_min_ms=2000", "reconnect_max_ms=1000", NULL},
	        {"reconnect_min_ms=1", NULL, NULL},
	        {"reconnect_max_ms=600000", NULL, NULL},
	};
	const struct ac_plugin *desc;
	const struct ac_transport_ops *ops;
	void *dl;

	desc = th_plugin_open(AC_KIND_TRANSPORT, "nats", &dl);
	ops = desc->ops;
	ck_assert_int_eq(evthread_use_pthreads(), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *conf[4] = {"nats_url=nats://127.0.0.1:9", NULL};
		struct ac_plugin_ctx ctx = {.conf = conf,
		                            .base = event_base_new()};
		void *state = NULL;

		th_ctx_init(&ctx, "transport nats");
		ctx.settings = desc->settings;
		for (size_t k = 0; k < 2 && cases[i][k]; k++)
			conf[k + 1] = cases[i][k];
		ck_assert_ptr_nonnull(ctx.base);
		/* The core checks the declared ranges before init; init
		 * checks that max is not below min. */
		ck_assert(th_check_conf(&ctx) < 0 ||
		          ops->init(&th_host, &ctx, &state) == -EINVAL);
		ck_assert_ptr_null(state);
		event_base_free(ctx.base);
		th_ctx_fini(&ctx);
	}
	dlclose(dl);
}
END_TEST

static Suite *nats_suite(void)
{
	Suite *s = suite_create("transport/nats");
	TCase *tc = tcase_create("jetstream");

	tcase_set_timeout(tc, 90);
/* CHECK_NATS_ONLY=test_name runs one test. */
#define ADD(t)                                                                 \
	do {                                                                   \
		const char *only = getenv("CHECK_NATS_ONLY");                  \
		if (!only || strcmp(only, #t) == 0)                            \
			tcase_add_test(tc, t);                                 \
	} while (0)
	ADD(test_publish_consume);
	ADD(test_prefetch);
	ADD(test_nack_requeue);
	ADD(test_nack_dead_letter);
	ADD(test_max_deliveries);
	ADD(test_ack_wait_redelivery);
	ADD(test_server_restart);
	ADD(test_server_comes_late);
	ADD(test_fini_never_connected);
	ADD(test_dedup);
	ADD(test_reconnect_settings);
	suite_add_tcase(s, tc);
	return s;
}

/* nats-server on PATH (or in /usr/sbin, where Debian puts it). */
static bool find_server(void)
{
	const char *path = getenv("PATH");
	char buf[8192];

	snprintf(buf, sizeof(buf), "%s:/usr/sbin:/usr/local/sbin:/sbin",
	         path ? path : "/usr/bin:/bin");
	for (char *save = NULL, *dir = strtok_r(buf, ":", &save); dir;
	     dir = strtok_r(NULL, ":", &save)) {
		snprintf(nats_server, sizeof(nats_server), "%s/nats-server",
		         dir);
		if (access(nats_server, X_OK) == 0)
			return true;
	}
	return false;
}

int main(void)
{
	if (!find_server()) {
		printf("SKIPPED: nats-server is not installed (apt-get install "
		       "nats-server)\n");
		fprintf(stderr, "SKIPPED: nats-server is not installed\n");
		return 77;
	}
	signal(SIGPIPE, SIG_IGN);
	return ac_check_run(nats_suite());
}
