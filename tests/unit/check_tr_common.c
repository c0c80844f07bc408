/* Unit tests of the helpers the broker transports share
 * (plugins/transport/tr_common.h): the reconnect back-off, a pure
 * function, and the message id taken from a job or result body. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../plugins/transport/tr_common.h"

#include "../check_run.h"

/* Without jitter: min, doubling, capped at max. */
START_TEST(test_backoff_doubles_to_cap)
{
	int64_t prev = 0;

	ck_assert_int_eq(trc_backoff_ms(100, 500, 1, 0), 100);
	ck_assert_int_eq(trc_backoff_ms(100, 500, 2, 0), 200);
	ck_assert_int_eq(trc_backoff_ms(100, 500, 3, 0), 400);
	ck_assert_int_eq(trc_backoff_ms(100, 500, 4, 0), 500);
	ck_assert_int_eq(trc_backoff_ms(100, 10000, 8, 0), 10000);
	/* Never decreasing, never above the cap, for any attempt. */
	for (unsigned a = 1; a < 200; a++) {
		int64_t d = trc_backoff_ms(100, 60000, a, 0);

		ck_assert_int_ge(d, prev);
		ck_assert_int_le(d, 60000);
		prev = d;
	}
	ck_assert_int_eq(prev, 60000);
	/* Huge attempt counts do not overflow. */
	ck_assert_int_eq(trc_backoff_ms(10, 60000, 4000000000u, 0), 60000);
	ck_assert_int_eq(trc_backoff_ms(60000, 60000, 1000, 0), 60000);
}
END_TEST

/* Jitter takes off at most a quarter, and only that. */
START_TEST(test_backoff_jitter)
{
	for (unsigned a = 1; a < 12; a++) {
		int64_t full = trc_backoff_ms(100, 500, a, 0);

		for (unsigned j = 0; j < 1000; j += 37) {
			int64_t d = trc_backoff_ms(100, 500, a, j);

			ck_assert_int_le(d, full);
			ck_assert_int_ge(d, full - full / 4);
		}
		/* Out-of-range jitter is clamped. */
		ck_assert_int_eq(trc_backoff_ms(100, 500, a, 5000),
		                 trc_backoff_ms(100, 500, a, 999));
	}
	for (int i = 0; i < 100; i++)
		ck_assert_uint_lt(trc_jitter(), 1000);
}
END_TEST

/* The first attempt waits min: "reset once connected" means attempt 1. */
START_TEST(test_backoff_edges)
{
	ck_assert_int_eq(trc_backoff_ms(100, 500, 0, 0), 100);
	ck_assert_int_eq(trc_backoff_ms(0, 0, 1, 0), 1);
	ck_assert_int_eq(trc_backoff_ms(-5, 10, 1, 999), 1);
	/* max below min: min wins. */
	ck_assert_int_eq(trc_backoff_ms(300, 100, 5, 0), 300);
}
END_TEST

START_TEST(test_msg_id)
{
	char id[TRC_MSG_ID_MAX + 1];
	char big[400];
	const char *job = "{\"version\":1,\"submission_id\":\"6f1c2a9e-0b7d-4"
	                  "e4e-9a51-3d2f0c8b7a61\",\"code\":\"int main(){}\"}";
	const char *result = "{\"version\":1,\"submission_id\":\"s:1.a_b\","
	                     "\"user_id\":\"u\",\"result\":{\"submission_id\":"
	                     "\"inner\"}}";

	ck_assert_int_eq(trc_msg_id(job, strlen(job), id, sizeof(id)), 0);
	ck_assert_str_eq(id, "6f1c2a9e-0b7d-4e4e-9a51-3d2f0c8b7a61");
	/* The top-level one, not a nested one. */
	ck_assert_int_eq(trc_msg_id(result, strlen(result), id, sizeof(id)), 0);
	ck_assert_str_eq(id, "s:1.a_b");
	/* Only the first len bytes are read. */
	ck_assert_int_eq(trc_msg_id(job, 10, id, sizeof(id)), -ENOENT);
	ck_assert_str_eq(id, "");
	ck_assert_int_eq(trc_msg_id("not json", 8, id, sizeof(id)), -ENOENT);
	ck_assert_int_eq(trc_msg_id(NULL, 0, id, sizeof(id)), -ENOENT);
	ck_assert_int_eq(trc_msg_id("{}", 2, id, sizeof(id)), -ENOENT);
	/* A progress message has no message id (never de-duplicated: it
	 * would take the result's); "type":"result" keeps it. */
	ck_assert_int_eq(
	        trc_msg_id("{\"type\":\"progress\",\"submission_id\":\"a\"}",
	                   39, id, sizeof(id)),
	        -ENOENT);
	ck_assert_int_eq(
	        trc_msg_id("{\"type\":\"result\",\"submission_id\":\"a\"}", 37,
	                   id, sizeof(id)),
	        0);
	ck_assert_str_eq(id, "a");
	ck_assert_int_eq(trc_msg_id("[1]", 3, id, sizeof(id)), -ENOENT);
	ck_assert_int_eq(
	        trc_msg_id("{\"submission_id\":5}", 19, id, sizeof(id)),
	        -ENOENT);
	/* Unusable ids: empty, a header-breaking character, too long. */
	ck_assert_int_eq(
	        trc_msg_id("{\"submission_id\":\"\"}", 20, id, sizeof(id)),
	        -EINVAL);
	ck_assert_int_eq(trc_msg_id("{\"submission_id\":\"a\\r\\nb: c\"}", 29,
	                            id, sizeof(id)),
	                 -EINVAL);
	ck_assert_int_eq(
	        trc_msg_id("{\"submission_id\":\"a b\"}", 23, id, sizeof(id)),
	        -EINVAL);
	snprintf(big, sizeof(big), "{\"submission_id\":\"%0*d\"}",
	         TRC_MSG_ID_MAX + 1, 7);
	ck_assert_int_eq(trc_msg_id(big, strlen(big), id, sizeof(id)), -EINVAL);
	snprintf(big, sizeof(big), "{\"submission_id\":\"%0*d\"}",
	         TRC_MSG_ID_MAX, 7);
	ck_assert_int_eq(trc_msg_id(big, strlen(big), id, sizeof(id)), 0);
	ck_assert_uint_eq(strlen(id), TRC_MSG_ID_MAX);
	/* Too small an output. */
	ck_assert_int_eq(trc_msg_id(job, strlen(job), id, 8), -EINVAL);
	ck_assert_int_eq(trc_msg_id(job, strlen(job), id, 0), -EINVAL);
}
END_TEST

static Suite *trc_suite(void)
{
	return AC_SUITE("transport common", "core", 0,
	                test_backoff_doubles_to_cap, test_backoff_jitter,
	                test_backoff_edges, test_msg_id);
}

int main(void)
{
	return ac_check_run(trc_suite());
}
