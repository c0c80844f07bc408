/* Queue messages and the result document. */
#include "msg.h"
#include "result.h"

#include "../check_run.h"
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

START_TEST(test_job_round_trip)
{
	struct ac_job_msg m = {
	        .submission_id = "s1",
	        .problem_id = "sqrt-x",
	        .problem_hash = "abc",
	        .lang = "cpp",
	        .user_id = "u1",
	        .code = "int main(){}\n\0tail",
	        .code_len = 18,
	        .submitted_at = 1234,
	        .all_tests = true,
	};
	struct ac_job_msg d;
	char err[256];
	char *s = ac_job_msg_encode(&m);

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(ac_job_msg_decode(s, strlen(s), &d, err, sizeof(err)),
	                 0);
	ck_assert_str_eq(d.submission_id, "s1");
	ck_assert_str_eq(d.problem_hash, "abc");
	ck_assert_uint_eq(d.code_len, 18);
	ck_assert_mem_eq(d.code, m.code, 18);
	ck_assert_int_eq(d.submitted_at, 1234);
	ck_assert(d.all_tests);
	ac_job_msg_clear(&d);
	free(s);
}
END_TEST

START_TEST(test_job_bad_messages)
{
	static const char *const bad[] = {
	        "",
	        "not json",
	        "[]",
	        "{}",
	        "{\"version\":2,\"submission_id\":\"a\"}",
	        "{\"version\":1,\"submission_id\":5,\"problem_id\":\"p\","
	        "\"problem_hash\":\"h\",\"lang\":\"cpp\",\"user_id\":\"u\","
	        "\"code\":\"c\"}",
	        "{\"version\":1,\"submission_id\":\"s\",\"problem_id\":\"p\","
	        "\"problem_hash\":\"h\",\"lang\":\"cpp\",\"user_id\":\"u\"}",
	        "{\"version\":1,\"submission_id\":\"\",\"problem_id\":\"p\","
	        "\"problem_hash\":\"h\",\"lang\":\"cpp\",\"user_id\":\"u\","
	        "\"code\":\"c\"}",
	        "{\"version\":1,\"version\":1}",
	};
	struct ac_job_msg d;
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ck_assert_int_eq(ac_job_msg_decode(bad[i], strlen(bad[i]), &d,
		                                   err, sizeof(err)),
		                 -EINVAL);
		ck_assert_msg(err[0], "no message for case %zu", i);
		ck_assert_ptr_null(d.code);
	}
}
END_TEST

START_TEST(test_run_job_round_trip)
{
	char in0[] = "1 2\n", in1[] = "a\0b";
	char *inputs[] = {in0, in1};
	size_t lens[] = {4, 3};
	struct ac_job_msg m = {
	        .submission_id = "run-1",
	        .lang = "python3",
	        .user_id = "u1",
	        .code = "print(1)",
	        .code_len = 8,
	        .run = true,
	        .inputs = inputs,
	        .input_lens = lens,
	        .ninputs = 2,
	};
	struct ac_job_msg d;
	char err[256];
	char *s = ac_job_msg_encode(&m);

	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(strstr(s, "\"kind\":\"run\""));
	ck_assert_ptr_null(strstr(s, "problem_id"));
	ck_assert_int_eq(ac_job_msg_decode(s, strlen(s), &d, err, sizeof(err)),
	                 0);
	ck_assert(d.run);
	ck_assert_ptr_null(d.problem_id);
	ck_assert_uint_eq(d.ninputs, 2);
	ck_assert_uint_eq(d.input_lens[1], 3);
	ck_assert_mem_eq(d.inputs[1], "a\0b", 3);
	ck_assert_str_eq(d.inputs[0], "1 2\n");
	ac_job_msg_clear(&d);
	free(s);
	/* A run job without inputs, an unknown kind: refused. */
	{
		static const char *const bad[] = {
		        "{\"version\":1,\"kind\":\"run\",\"submission_id\":"
		        "\"r\",\"lang\":\"c\",\"user_id\":\"u\",\"code\":"
		        "\"c\"}",
		        "{\"version\":1,\"kind\":\"run\",\"submission_id\":"
		        "\"r\",\"lang\":\"c\",\"user_id\":\"u\",\"code\":"
		        "\"c\",\"inputs\":[1]}",
		        "{\"version\":1,\"kind\":\"x\",\"submission_id\":"
		        "\"r\",\"lang\":\"c\",\"user_id\":\"u\",\"code\":"
		        "\"c\",\"inputs\":[\"\"]}",
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			ck_assert_int_eq(ac_job_msg_decode(bad[i],
			                                   strlen(bad[i]), &d,
			                                   err, sizeof(err)),
			                 -EINVAL);
	}
}
END_TEST

START_TEST(test_files_bundle)
{
	struct ac_src_file f[3] = {
	        {.name = "a.cpp", .data = "int main(){}\n", .len = 13},
	        {.name = "util.h", .data = "\n\0x", .len = 3},
	        {.name = "empty.cpp", .data = "", .len = 0},
	};
	struct ac_job_msg m =
	                          {
	                                  .submission_id = "s1",
	                                  .problem_id = "p",
	                                  .problem_hash = "h",
	                                  .lang = "cpp",
	                                  .user_id = "u1",
	                          },
	                  d;
	struct ac_src_file *g;
	size_t n, len;
	char *b, *s, err[256];

	ck_assert_int_eq(ac_files_bundle(f, 3, &b, &len), 0);
	ck_assert(ac_files_is_bundle(b, len));
	ck_assert(!ac_files_is_bundle("int main", 8));
	/* Through a job message: "files" in place of "code". */
	m.code = b;
	m.code_len = len;
	s = ac_job_msg_encode(&m);
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(strstr(s, "\"files\":[{\"name\":\"a.cpp\""));
	ck_assert_ptr_null(strstr(s, "\"code\""));
	ck_assert_int_eq(ac_job_msg_decode(s, strlen(s), &d, err, sizeof(err)),
	                 0);
	ck_assert_uint_eq(d.code_len, len);
	ck_assert_mem_eq(d.code, b, len);
	ck_assert_int_eq(
	        ac_files_unbundle(d.code, d.code_len, &g, &n, err, sizeof(err)),
	        0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(g[1].name, "util.h");
	ck_assert_uint_eq(g[1].len, 3);
	ck_assert_mem_eq(g[1].data, "\n\0x", 3);
	ck_assert_uint_eq(g[2].len, 0);
	free(g);
	ac_job_msg_clear(&d);
	free(s);
	/* A truncated bundle, a bad length: refused. */
	ck_assert_int_eq(
	        ac_files_unbundle(b, len - 1, &g, &n, err, sizeof(err)),
	        -EINVAL);
	free(b);
	/* Names: no path, no dot-file, bounded. */
	ck_assert(ac_file_name_ok("Main.java", 9));
	ck_assert(ac_file_name_ok("a-b_c.1.py", 10));
	ck_assert(!ac_file_name_ok("../x", 4));
	ck_assert(!ac_file_name_ok("a/b", 3));
	ck_assert(!ac_file_name_ok(".hidden", 7));
	ck_assert(!ac_file_name_ok("", 0));
	ck_assert(!ac_file_name_ok("a b", 3));
	ck_assert(!ac_file_name_ok("\xd0\xa0.java", 7));
	/* Job messages with bad files: refused with a message. */
	{
		static const char *const bad[] = {
		        "{\"version\":1,\"submission_id\":\"s\",\"problem_id\":"
		        "\"p\",\"problem_hash\":\"h\",\"lang\":\"c\","
		        "\"user_id\":\"u\",\"files\":[{\"name\":\"../a.c\","
		        "\"content\":\"x\"}]}",
		        "{\"version\":1,\"submission_id\":\"s\",\"problem_id\":"
		        "\"p\",\"problem_hash\":\"h\",\"lang\":\"c\","
		        "\"user_id\":\"u\",\"files\":[{\"name\":\"a.c\","
		        "\"content\":\"x\"},{\"name\":\"a.c\",\"content\":"
		        "\"y\"}]}",
		        "{\"version\":1,\"submission_id\":\"s\",\"problem_id\":"
		        "\"p\",\"problem_hash\":\"h\",\"lang\":\"c\","
		        "\"user_id\":\"u\",\"files\":[]}",
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			err[0] = '\0';
			ck_assert_int_eq(ac_job_msg_decode(bad[i],
			                                   strlen(bad[i]), &d,
			                                   err, sizeof(err)),
			                 -EINVAL);
			ck_assert_msg(err[0], "no message for case %zu", i);
		}
	}
}
END_TEST

START_TEST(test_result_document)
{
	struct ac_result r;
	struct ac_test_result t = {0};
	json_t *doc, *tests;
	json_error_t je;
	char *s, *sid, *uid, *inner, err[256], *wrapped;

	memset(&r, 0, sizeof(r));
	r.submission_id = strdup("s1");
	r.problem_id = strdup("p");
	r.lang = strdup("cpp");
	r.user_id = strdup("u");
	r.verdict = AC_V_WA;
	r.compile_ok = true;
	r.compile_log = strdup("warning: \xff\xfe bad utf8");
	r.host = strdup("h");
	r.sandbox = strdup("ns");
	r.lang_version = strdup("g++ 12");
	r.submitted_at = 1000;
	r.finished_at = 2000;
	t.name = "sample/1";
	t.verdict = AC_V_AC;
	t.time_ms = 12;
	t.memory_kb = 900;
	ck_assert_int_eq(ac_result_add_test(&r, &t), 0);
	t.name = "secret/1";
	t.verdict = AC_V_WA;
	t.time_ms = 30;
	t.memory_kb = 100;
	t.message = "line 1: expected 2, got 3";
	ck_assert_int_eq(ac_result_add_test(&r, &t), 0);
	s = ac_result_to_json(&r);
	ck_assert_ptr_nonnull(s);
	doc = json_loads(s, 0, &je);
	ck_assert_ptr_nonnull(doc);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "verdict")),
	                 "Wrong Answer");
	ck_assert_str_eq(
	        json_string_value(json_object_get(doc, "verdict_code")), "WA");
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "time_ms")),
	                 30);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "memory_kb")),
	                 900);
	tests = json_object_get(doc, "tests");
	ck_assert_int_eq(json_array_size(tests), 2);
	ck_assert_str_eq(json_string_value(json_object_get(
	                         json_array_get(tests, 1), "message")),
	                 "line 1: expected 2, got 3");
	ck_assert_str_eq(
	        json_string_value(json_object_get(doc, "submitted_at")),
	        "1970-01-01T00:00:01.000Z");
	ck_assert_ptr_nonnull(
	        strstr(json_string_value(json_object_get(
	                       json_object_get(doc, "compile"), "log")),
	               "bad utf8"));
	ck_assert_ptr_nonnull(json_object_get(doc, "judge"));
	/* judge.load only when the load was sampled (a test was run). */
	ck_assert_ptr_null(
	        json_object_get(json_object_get(doc, "judge"), "load"));
	{
		json_t *d2, *load;
		char *s2;

		r.load = (struct ac_judge_load){true, 2,   3.5,  4,
		                                -1,   7.0, true, 1};
		s2 = ac_result_to_json(&r);
		ck_assert_ptr_nonnull(s2);
		d2 = json_loads(s2, 0, &je);
		ck_assert_ptr_nonnull(d2);
		load = json_object_get(json_object_get(d2, "judge"), "load");
		ck_assert_int_eq(
		        json_integer_value(json_object_get(load, "cpus")), 2);
		ck_assert(json_real_value(json_object_get(load, "loadavg")) ==
		          3.5);
		ck_assert_int_eq(
		        json_integer_value(json_object_get(load, "runnable")),
		        4);
		ck_assert(json_is_null(json_object_get(load, "cpu_pressure")));
		ck_assert(json_real_value(
		                  json_object_get(load, "wall_factor")) == 7.0);
		ck_assert(json_is_true(json_object_get(load, "overloaded")));
		ck_assert_int_eq(
		        json_integer_value(json_object_get(load, "tle_reruns")),
		        1);
		/* The existing fields are unchanged. */
		ck_assert_ptr_nonnull(
		        json_object_get(json_object_get(d2, "judge"), "host"));
		json_decref(d2);
		free(s2);
		memset(&r.load, 0, sizeof(r.load));
	}

	wrapped = ac_result_msg_encode("s1", "u", s);
	ck_assert_ptr_nonnull(wrapped);
	ck_assert_int_eq(ac_result_msg_decode(wrapped, strlen(wrapped), &sid,
	                                      &uid, &inner, err, sizeof(err)),
	                 0);
	ck_assert_str_eq(sid, "s1");
	ck_assert_str_eq(uid, "u");
	ck_assert_ptr_nonnull(strstr(inner, "\"verdict_code\":\"WA\""));
	free(sid);
	free(uid);
	free(inner);
	ck_assert_int_eq(
	        ac_result_msg_decode("{\"version\":1,\"submission_id\":\"x\"}",
	                             34, &sid, &uid, &inner, err, sizeof(err)),
	        -EINVAL);
	free(wrapped);
	json_decref(doc);
	free(s);
	ac_result_clear(&r);
}
END_TEST

/* Progress messages: round trip, results are not progress, bad ones are
 * refused with a reason. */
START_TEST(test_progress_messages)
{
	struct ac_progress_msg m;
	char err[256];
	char *body = ac_progress_msg_encode("s-1", "alice", "test",
	                                    "{\"index\":2,\"name\":\"t\"}");
	char *res =
	        ac_result_msg_encode("s-1", "alice", "{\"verdict\":\"AC\"}");
	static const char *const bad[] = {
	        "{\"version\":1,\"type\":\"gossip\",\"submission_id\":\"s\"}",
	        "{\"version\":1,\"type\":\"progress\",\"submission_id\":\"s\","
	        "\"user_id\":\"u\",\"event\":\"boom\",\"data\":{}}",
	        "{\"version\":1,\"type\":\"progress\",\"submission_id\":\"s\","
	        "\"user_id\":\"u\",\"event\":\"test\",\"data\":[1]}",
	        "{\"version\":1,\"type\":\"progress\",\"user_id\":\"u\","
	        "\"event\":\"test\",\"data\":{}}",
	        "{\"version\":1,\"type\":5}",
	        "not json",
	};

	ck_assert_ptr_nonnull(body);
	ck_assert_ptr_nonnull(res);
	ck_assert_int_eq(ac_progress_msg_decode(body, strlen(body), &m, err,
	                                        sizeof(err)),
	                 0);
	ck_assert_str_eq(m.submission_id, "s-1");
	ck_assert_str_eq(m.user_id, "alice");
	ck_assert_str_eq(m.event, "test");
	ck_assert_ptr_nonnull(strstr(m.data_json, "\"index\":2"));
	ac_progress_msg_clear(&m);
	ck_assert_int_eq(
	        ac_progress_msg_decode(res, strlen(res), &m, err, sizeof(err)),
	        -ENOMSG);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		ck_assert_int_eq(ac_progress_msg_decode(bad[i], strlen(bad[i]),
		                                        &m, err, sizeof(err)),
		                 -EINVAL);
	ck_assert_ptr_null(ac_progress_msg_encode("s", "u", "test", "[1]"));
	free(body);
	free(res);
}
END_TEST

int main(void)
{
	return ac_check_run(AC_SUITE(
	        "msg", "msg", 0, test_job_round_trip, test_job_bad_messages,
	        test_result_document, test_run_job_round_trip,
	        test_files_bundle, test_progress_messages));
}
