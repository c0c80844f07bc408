/* Unit tests of the pure parts of the HTTP hardening: the log rate limiter
 * (core/log.c), the connection cap arithmetic and the framing checks
 * (core/http_msg.c). */
#include "http.h"
#include "log.h"

#include "../check_run.h"
#include <check.h>
#include <errno.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------- log */

START_TEST(test_rl_key_folds_digits)
{
	ck_assert_uint_eq(ac_log_rl_key("accept on fd 7: Too many open files"),
	                  ac_log_rl_key("accept on fd 12345: Too many open "
	                                "files"));
	ck_assert_uint_eq(ac_log_rl_key("from 127.0.0.2"),
	                  ac_log_rl_key("from 10.11.12.13"));
	ck_assert_uint_ne(ac_log_rl_key("refused a connection"),
	                  ac_log_rl_key("refused a request"));
	ck_assert_uint_ne(ac_log_rl_key(""), 0);
}
END_TEST

START_TEST(test_rl_burst_then_summary)
{
	struct ac_log_rl rl;
	unsigned long n = 0;
	int level = -1;
	char buf[AC_LOG_RL_SAMPLE];
	unsigned written = 0;

	ac_log_rl_init(&rl, 5, 100, 1000);
	for (int i = 0; i < 1000; i++) {
		char line[64];

		snprintf(line, sizeof(line), "refused fd %d", i);
		written += ac_log_rl_allow_level(&rl, line, AC_LOG_WARN,
		                                 10000 + i / 10);
	}
	ck_assert_uint_eq(written, 5);
	/* Nothing due while the window runs. */
	ck_assert(!ac_log_rl_due(&rl, 10500, false, &n, &level, buf,
	                         sizeof(buf)));
	ck_assert(
	        ac_log_rl_due(&rl, 11000, false, &n, &level, buf, sizeof(buf)));
	ck_assert_uint_eq(n, 995);
	ck_assert_int_eq(level, AC_LOG_WARN);
	ck_assert_str_eq(buf, "refused fd 0");
	ck_assert(!ac_log_rl_due(&rl, 11000, false, &n, &level, buf,
	                         sizeof(buf)));
	/* The next window writes again. */
	ck_assert(ac_log_rl_allow(&rl, "refused fd 1", 11001));
}
END_TEST

START_TEST(test_rl_kinds_apart)
{
	struct ac_log_rl rl;

	ac_log_rl_init(&rl, 2, 100, 1000);
	ck_assert(ac_log_rl_allow(&rl, "a 1", 0));
	ck_assert(ac_log_rl_allow(&rl, "a 2", 1));
	ck_assert(!ac_log_rl_allow(&rl, "a 3", 2));
	/* Another kind has its own budget. */
	ck_assert(ac_log_rl_allow(&rl, "b 1", 3));
	ck_assert(ac_log_rl_allow(&rl, "b 2", 4));
	ck_assert(!ac_log_rl_allow(&rl, "b 3", 5));
}
END_TEST

START_TEST(test_rl_global_cap)
{
	struct ac_log_rl rl;
	unsigned long n, total = 0;
	int level;
	char buf[AC_LOG_RL_SAMPLE];
	unsigned written = 0, summaries = 0;

	/* 200 kinds of line (more than the table holds), 3 of each. */
	ac_log_rl_init(&rl, 5, 50, 1000);
	for (int k = 0; k < 200; k++)
		for (int i = 0; i < 3; i++) {
			char line[64];

			snprintf(line, sizeof(line), "kind %c%c line",
			         'a' + k % 26, 'a' + k / 26);
			written += ac_log_rl_allow(&rl, line, 100);
		}
	ck_assert_uint_eq(written, 50);
	while (ac_log_rl_due(&rl, 2000, false, &n, &level, buf, sizeof(buf))) {
		summaries++;
		total += n;
	}
	/* Every line is written or summarised, never lost. */
	ck_assert_uint_eq(written + total, 600);
	ck_assert_uint_le(summaries, AC_LOG_RL_SLOTS + 1);
}
END_TEST

START_TEST(test_rl_flush_all)
{
	struct ac_log_rl rl;
	unsigned long n;
	int level;
	char buf[AC_LOG_RL_SAMPLE];

	ac_log_rl_init(&rl, 1, 100, 1000);
	ck_assert(ac_log_rl_allow(&rl, "x", 0));
	ck_assert(!ac_log_rl_allow(&rl, "x", 1));
	ck_assert(!ac_log_rl_due(&rl, 2, false, &n, &level, buf, sizeof(buf)));
	ck_assert(ac_log_rl_due(&rl, 2, true, &n, &level, buf, sizeof(buf)));
	ck_assert_uint_eq(n, 1);
}
END_TEST

/* libevent's own warnings reach our log, with time and level, limited. */
START_TEST(test_libevent_routed)
{
	char path[] = "/tmp/check_http.XXXXXX";
	int fd = mkstemp(path), saved;
	char buf[65536];
	ssize_t n;
	unsigned lines = 0;
	char *p;

	ck_assert_int_ge(fd, 0);
	unlink(path);
	ac_log_set_level(AC_LOG_INFO);
	ac_log_route_libevent();
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(dup2(fd, STDERR_FILENO), 0);
	/* Each call makes libevent warn "fcntl(-1, F_GETFL)". */
	for (int i = 0; i < 100; i++)
		ck_assert_int_lt(evutil_make_socket_nonblocking(-1), 0);
	ac_log_flush_suppressed();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	for (p = buf; (p = strstr(p, " warn  libevent: fcntl(")); p++)
		lines++;
	ck_assert_msg(lines >= 1 && lines <= 5, "%u lines: %s", lines, buf);
	ck_assert_msg(strstr(buf, "suppressed 95 similar lines: libevent: "
	                          "fcntl("),
	              "no summary: %s", buf);
	/* "2026-12-07T01:02:03.456Z warn  libevent: ..." */
	ck_assert_msg(buf[4] == '-' && buf[10] == 'T' && buf[23] == 'Z', "%s",
	              buf);
}
END_TEST

/* --------------------------------------------------------------- http */

START_TEST(test_conn_limit)
{
	/* nofile minus the reserve, at most max_connections. */
	ck_assert_int_eq(ac_http_conn_limit(20000, 256, 10000), 10000);
	ck_assert_int_eq(ac_http_conn_limit(1024, 256, 10000), 768);
	ck_assert_int_eq(ac_http_conn_limit(256, 16, 10000), 240);
	ck_assert_int_eq(ac_http_conn_limit(1ULL << 20, 256, 500), 500);
	/* No room: refused, not a silent tiny cap. */
	ck_assert_int_eq(ac_http_conn_limit(256, 256, 10000), -ENOSPC);
	ck_assert_int_eq(
	        ac_http_conn_limit(256 + AC_HTTP_MIN_CONNECTIONS, 256, 10000),
	        -ENOSPC);
	ck_assert_int_eq(ac_http_conn_limit(256 + AC_HTTP_MIN_CONNECTIONS + 1,
	                                    256, 10000),
	                 AC_HTTP_MIN_CONNECTIONS + 1);
}
END_TEST

struct fcase {
	enum evhttp_cmd_type m;
	const char *headers[4][2];
	bool refused;
};

static const struct fcase fcases[] = {
        {EVHTTP_REQ_POST, {{"Content-Length", "2"}}, false},
        {EVHTTP_REQ_POST, {{"Transfer-Encoding", "chunked"}}, false},
        {EVHTTP_REQ_POST, {{"transfer-encoding", "Chunked"}}, false},
        {EVHTTP_REQ_GET, {{"Content-Length", "0"}}, false},
        {EVHTTP_REQ_GET, {{"Host", "x"}, {"X-A_b.c~", "y"}}, false},
        {EVHTTP_REQ_POST,
         {{"Content-Length", "2"}, {"Content-Length", "40"}},
         true},
        {EVHTTP_REQ_POST,
         {{"Content-Length", "2"}, {"content-length", "2"}},
         true},
        {EVHTTP_REQ_POST, {{"Transfer-Encoding ", "chunked"}}, true},
        {EVHTTP_REQ_POST, {{"Transfer-Encoding\t", "chunked"}}, true},
        {EVHTTP_REQ_POST, {{"Content Length", "2"}}, true},
        {EVHTTP_REQ_POST, {{"", "2"}}, true},
        {EVHTTP_REQ_POST,
         {{"Transfer-Encoding", "chunked"}, {"Content-Length", "5"}},
         true},
        {EVHTTP_REQ_POST,
         {{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}},
         true},
        {EVHTTP_REQ_POST, {{"Transfer-Encoding", "gzip, chunked"}}, true},
        {EVHTTP_REQ_POST, {{"Content-Length", "+5"}}, true},
        {EVHTTP_REQ_POST, {{"Content-Length", "5 "}}, true},
        {EVHTTP_REQ_POST, {{"Content-Length", ""}}, true},
        {EVHTTP_REQ_GET, {{"Content-Length", "5"}}, true},
        {EVHTTP_REQ_HEAD, {{"Transfer-Encoding", "chunked"}}, true},
        {EVHTTP_REQ_DELETE, {{"Content-Length", "1"}}, true},
};

START_TEST(test_framing)
{
	const struct fcase *c = &fcases[_i];
	struct evkeyvalq h;
	const char *why;

	h.tqh_first = NULL;
	h.tqh_last = &h.tqh_first;
	for (int i = 0; i < 4 && c->headers[i][0]; i++) {
		/* evhttp_add_header refuses CR/LF only, as its parser. */
		ck_assert_int_eq(evhttp_add_header(&h, c->headers[i][0],
		                                   c->headers[i][1]),
		                 0);
	}
	why = ac_http_framing_error(&h, c->m);
	if (c->refused)
		ck_assert_msg(why != NULL, "case %d accepted", _i);
	else
		ck_assert_msg(why == NULL, "case %d refused: %s", _i, why);
	evhttp_clear_headers(&h);
}
END_TEST

static Suite *http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tl = tcase_create("log_rate_limit");
	TCase *th = tcase_create("http");

	AC_ADD_TESTS(tl, test_rl_key_folds_digits, test_rl_burst_then_summary,
	             test_rl_kinds_apart, test_rl_global_cap, test_rl_flush_all,
	             test_libevent_routed);
	suite_add_tcase(s, tl);
	tcase_add_test(th, test_conn_limit);
	tcase_add_loop_test(th, test_framing, 0,
	                    (int)(sizeof(fcases) / sizeof(fcases[0])));
	suite_add_tcase(s, th);
	return s;
}

int main(void)
{
	return ac_check_run(http_suite());
}
