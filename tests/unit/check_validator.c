/* Unit tests of the default output validator (core/validator.c). */
#include "validator.h"

#include "../check_run.h"
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char msg[512];

static int run(const char *ans, const char *out, const char *flags)
{
	struct ac_validator_flags f;
	char err[256];

	ck_assert_int_eq(ac_validator_flags_parse(flags, &f, err, sizeof(err)),
	                 0);
	return ac_validate_buf(ans, strlen(ans), out, strlen(out), &f, msg,
	                       sizeof(msg));
}

/* One comparison: the answer, the team output and the validator flags,
 * the verdict run() must give (1 accepted, 0 wrong), then the message it
 * must leave: exactly `msg`, or one holding `part` (NULL: not checked). */
struct vcase {
	const char *ans, *out, *flags;
	int verdict;
	const char *msg, *part;
};

static void check_cases(const struct vcase *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int v = run(c[i].ans, c[i].out, c[i].flags);

		ck_assert_msg(
		        v == c[i].verdict,
		        "case %zu (flags \"%s\"): verdict %d, want %d (%s)", i,
		        c[i].flags, v, c[i].verdict, msg);
		if (c[i].msg)
			ck_assert_msg(strcmp(msg, c[i].msg) == 0,
			              "case %zu: message \"%s\", want \"%s\"",
			              i, msg, c[i].msg);
		if (c[i].part)
			ck_assert_msg(strstr(msg, c[i].part) != NULL,
			              "case %zu: message \"%s\" lacks \"%s\"",
			              i, msg, c[i].part);
	}
}

#define CHECK_CASES(c) check_cases((c), sizeof(c) / sizeof((c)[0]))

/* ------------------------------------------------------------ tokens */

START_TEST(test_tokens_exact)
{
	ck_assert_int_eq(run("1 2 3\n", "1 2 3\n", NULL), 1);
	ck_assert_str_eq(msg, "");
}
END_TEST

START_TEST(test_tokens_whitespace_lenient)
{
	static const struct vcase c[] = {
	        {"A B", " A  B \t\n", "", 1, NULL, NULL},
	        {"A B\n", "A\nB", "", 1, NULL, NULL},
	        {"A B\n", "\r\n\v\fA\r\nB\r\n", "", 1, NULL, NULL},
	        {"1\n2\n", "1 2", "", 1, NULL, NULL},
	};

	CHECK_CASES(c);
}
END_TEST

START_TEST(test_tokens_wrong_message)
{
	ck_assert_int_eq(run("1\n2\n3 5\n", "1\n2\n3 6\n", ""), 0);
	ck_assert_str_eq(msg, "line 3, token 2: expected \"5\", got \"6\"");
}
END_TEST

START_TEST(test_tokens_no_prefix_match)
{
	static const struct vcase c[] = {
	        /* "12" is not "1" followed by "2" */
	        {"1 2", "12", "", 0,
	         "line 1, token 1: expected \"1\", got \"12\"", NULL},
	        {"12", "1 2", "", 0, NULL, NULL},
	};

	CHECK_CASES(c);
}
END_TEST

START_TEST(test_extra_tokens)
{
	static const struct vcase c[] = {
	        {"1\n2\n", "1\n2\n3\n", "", 0,
	         "team output has extra tokens after line 2: \"3\"", NULL},
	        {"A B", "A B X", "", 0, NULL, NULL},
	        {"A B", "X A B", "", 0, NULL, NULL},
	        {"A B", "A B\n\n\n\n \n\n X", "", 0, NULL,
	         "extra tokens after line 1"},
	};

	CHECK_CASES(c);
}
END_TEST

START_TEST(test_missing_tokens)
{
	ck_assert_int_eq(run("1 2\nx\n", "1 2\n", ""), 0);
	ck_assert_str_eq(msg, "team output ended early: expected \"x\" "
	                      "(answer line 2)");
}
END_TEST

START_TEST(test_empty)
{
	static const struct vcase c[] = {
	        {"", "", "", 1, NULL, NULL},
	        {"", " \n\t", "", 1, NULL, NULL},
	        {"\n", "", "", 1, NULL, NULL},
	        {"", "0", "", 0,
	         "team output has extra tokens: \"0\" (the answer is empty)",
	         NULL},
	        {"", ".", "", 0, NULL, NULL},
	        {"x", "", "", 0, NULL, "ended early"},
	};

	CHECK_CASES(c);
	/* NULL pointers with zero lengths are empty texts */
	ck_assert_int_eq(
	        ac_validate_buf(NULL, 0, NULL, 0, NULL, msg, sizeof(msg)), 1);
	ck_assert_int_eq(
	        ac_validate_buf(NULL, 3, "", 0, NULL, msg, sizeof(msg)),
	        -EINVAL);
}
END_TEST

START_TEST(test_msg_optional)
{
	struct ac_validator_flags f = {0};

	ck_assert_int_eq(ac_validate_buf("a", 1, "b", 1, &f, NULL, 0), 0);
	ck_assert_int_eq(ac_validate_buf("a", 1, "a", 1, NULL, NULL, 0), 1);
}
END_TEST

START_TEST(test_long_token_quoted)
{
	char big[300];

	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(run("a", big, ""), 0);
	ck_assert_ptr_nonnull(strstr(msg, "...\""));
	ck_assert_uint_lt(strlen(msg), 200);
}
END_TEST

/* -------------------------------------------------------------- case */

START_TEST(test_case_insensitive_default)
{
	static const struct vcase c[] = {
	        {"Yes\nPOSSIBLE", "yes\npossible", "", 1, NULL, NULL},
	        {"Yes", "No", "", 0, NULL, NULL},
	};

	CHECK_CASES(c);
}
END_TEST

START_TEST(test_case_sensitive)
{
	static const struct vcase c[] = {
	        {"Yes", "Yes", "case_sensitive", 1, NULL, NULL},
	        {"Yes", "yes", "case_sensitive", 0,
	         "line 1, token 1: expected \"Yes\", got \"yes\"", NULL},
	};

	CHECK_CASES(c);
}
END_TEST

START_TEST(test_case_non_ascii)
{
	static const struct vcase c[] = {
	        /* only ASCII letters fold; other bytes compare exactly */
	        {"\xc3\x89t\xc3\xa9", "\xc3\x89T\xc3\xa9", "", 1, NULL, NULL},
	        {"\xc3\x89", "\xc3\xa9", "", 0, NULL, "\\xc3\\x89"},
	};

	CHECK_CASES(c);
}
END_TEST

/* ----------------------------------------------- space_change_sensitive */

START_TEST(test_space_exact)
{
	const char *f = "space_change_sensitive";
	const struct vcase c[] = {
	        {"1 2\n3\n", "1 2\n3\n", f, 1, NULL, NULL},
	        {"", "", f, 1, NULL, NULL},
	        {"1 2\n3\n", "1  2\n3\n", f, 0,
	         "line 1, after token 1: whitespace differs: expected none, "
	         "got \" \"",
	         NULL},
	        {"1 2\n", "1\n2\n", f, 0,
	         "line 1, after token 1: whitespace differs: expected \" \", "
	         "got \"\\n\"",
	         NULL},
	        /* tokens still compare case-insensitively */
	        {"a B\n", "A b\n", f, 1, NULL, NULL},
	};

	CHECK_CASES(c);
}
END_TEST

START_TEST(test_space_trailing_newline)
{
	const char *f = "space_change_sensitive";
	const struct vcase c[] = {
	        {"1\n", "1", f, 0,
	         "team output ended early: expected whitespace \"\\n\" at "
	         "line 1",
	         NULL},
	        {"1", "1\n", f, 0,
	         "team output has extra whitespace \"\\n\" after line 1", NULL},
	        {"1\n", "1\n\n", f, 0, NULL, NULL},
	        {"1\n", "1\r\n", f, 0, NULL, NULL},
	        {"", " ", f, 0, NULL, NULL},
	        {"", "\n", f, 0, NULL, NULL},
	        {" 1", "1", f, 0, NULL, NULL},
	        {"1", " 1", f, 0, NULL, NULL},
	        /* the same outputs pass without the flag */
	        {"1\n", "1", "", 1, NULL, NULL},
	        {"1", "1\r\n", "", 1, NULL, NULL},
	};

	CHECK_CASES(c);
}
END_TEST

START_TEST(test_space_tokens_and_extra)
{
	const char *f = "space_change_sensitive";
	const struct vcase c[] = {
	        {"1 2\n", "1 3\n", f, 0,
	         "line 1, token 2: expected \"2\", got \"3\"", NULL},
	        {"1\n", "1\n2", f, 0, NULL, "extra tokens"},
	        {"1\n2", "1\n", f, 0, NULL, "ended early"},
	};

	CHECK_CASES(c);
}
END_TEST

/* ------------------------------------------------------------ floats */

START_TEST(test_float_absolute)
{
	const char *f = "float_absolute_tolerance 1e-6";
	const struct vcase c[] = {
	        {"1.0", "1.0000009", f, 1, NULL, NULL},
	        {"1.0", "0.9999991", f, 1, NULL, NULL},
	        {"1.0", "1.0000011", f, 0, NULL,
	         "line 1, token 1: expected \"1.0\", got \"1.0000011\""},
	        /* absolute only: big numbers need to be close in absolute
	         * terms */
	        {"1000000", "1000000.1", f, 0, NULL, NULL},
	        /* integers in the answer are numbers too */
	        {"3", "3.0000000001", f, 1, NULL, NULL},
	        {"3", "3e0", f, 1, NULL, NULL},
	        {"16", "0x1p4", f, 1, NULL, NULL},
	        {"0x1p4", "16.0000001", f, 1, NULL, NULL},
	        /* exactly at the tolerance */
	        {"0", "0.5", "float_absolute_tolerance 0.5", 1, NULL, NULL},
	};

	CHECK_CASES(c);
}
END_TEST

START_TEST(test_float_relative)
{
	const char *f = "float_relative_tolerance 1e-6";
	const struct vcase c[] = {
	        {"1000000", "1000000.9", f, 1, NULL, NULL},
	        {"1000000", "1000001.1", f, 0, NULL, NULL},
	        {"-2e9", "-2000000100", f, 1, NULL, NULL},
	        /* relative to the judge value: 0 accepts only 0 */
	        {"0", "0.0", f, 1, NULL, NULL},
	        {"0", "1e-300", f, 0, NULL, NULL},
	};

	CHECK_CASES(c);
}
END_TEST

START_TEST(test_float_both)
{
	const char *f = "float_tolerance 1e-4";
	const struct vcase c[] = {
	        /* within either tolerance is enough */
	        {"0", "0.00009", f, 1, NULL, NULL},     /* absolute */
	        {"100000", "100009", f, 1, NULL, NULL}, /* relative */
	        {"100000", "100011", f, 0, NULL, NULL}, /* neither */
	        {"0.5", "0.50011", f, 0, NULL, NULL},   /* neither */
	        {"0", "0.00009",
	         "float_absolute_tolerance 1e-4 float_relative_tolerance 0", 1,
	         NULL, NULL},
	        {"100000", "100009",
	         "float_absolute_tolerance 0 float_relative_tolerance 1e-4", 1,
	         NULL, NULL},
	};

	CHECK_CASES(c);
}
END_TEST

START_TEST(test_float_non_numbers)
{
	const char *f = "float_tolerance 1e-6";
	const struct vcase c[] = {
	        /* a judge token that is not a number compares as a string */
	        {"x 1.5 Yes", "X 1.5000001 yes", f, 1, NULL, NULL},
	        {"x", "y", f, 0, NULL, NULL},
	        /* a number in the answer needs a number in the output */
	        {"1.5", "abc", f, 0,
	         "line 1, token 1: expected a number close to \"1.5\", got "
	         "\"abc\"",
	         NULL},
	        {"1.5", "1.5x", f, 0, NULL, NULL},
	        {"1.5", "", f, 0, NULL, NULL},
	        /* nan and inf are never numbers: no tolerance can accept
	         * them */
	        {"1.5", "nan", f, 0, NULL, NULL},
	        {"1.5", "inf", f, 0, NULL, NULL},
	        {"1e308", "1e309", "float_relative_tolerance 1", 0, NULL, NULL},
	        /* in the answer they are plain strings */
	        {"nan", "NaN", f, 1, NULL, NULL},
	        {"inf", "1e999", f, 0, NULL, NULL},
	        {"infinity", "Infinity", f, 1, NULL, NULL},
	        /* without a tolerance numbers are strings */
	        {"1.0", "1.00", "", 0, NULL, NULL},
	        {"1.0", "1.0", "", 1, NULL, NULL},
	};

	CHECK_CASES(c);
}
END_TEST

/* -------------------------------------------------------------- NULs */

START_TEST(test_nul_bytes)
{
	static const char a[] = "1 2 3";
	static const char b[] = "1 2\0003"; /* "1", "2\0003" */
	static const char c[] = "1 2 3 \0"; /* a lone NUL is a token */
	static const char d[] = "1 \0 3";
	static const char e[] = "1 \0 3";

	ck_assert_int_eq(ac_validate_buf(a, 5, b, 5, NULL, msg, sizeof(msg)),
	                 0);
	ck_assert_str_eq(msg, "line 1, token 2: expected \"2\", got \"2\\03\"");
	ck_assert_int_eq(ac_validate_buf(a, 5, c, 7, NULL, msg, sizeof(msg)),
	                 0);
	ck_assert_ptr_nonnull(strstr(msg, "extra tokens"));
	ck_assert_int_eq(ac_validate_buf(d, 5, a, 5, NULL, msg, sizeof(msg)),
	                 0);
	ck_assert_int_eq(ac_validate_buf(d, 5, e, 5, NULL, msg, sizeof(msg)),
	                 1);
	/* content after a NUL is still compared */
	ck_assert_int_eq(
	        ac_validate_buf("x\0y", 3, "x\0z", 3, NULL, msg, sizeof(msg)),
	        0);
	ck_assert_int_eq(
	        ac_validate_buf("", 0, "\0", 1, NULL, msg, sizeof(msg)), 0);
	/* a NUL-carrying token is never a number */
	ck_assert_int_eq(run("1.5", "1.5", "float_tolerance 1"), 1);
	{
		struct ac_validator_flags f = {.has_float_abs = true,
		                               .float_abs = 1};

		ck_assert_int_eq(ac_validate_buf("1.5", 3, "1.5\0", 4, &f, msg,
		                                 sizeof(msg)),
		                 0);
	}
}
END_TEST

/* ------------------------------------------------------------- files */

static char tmpdir[64];

static void tmp_setup(void)
{
	ac_check_mkdtemp(tmpdir, sizeof(tmpdir), "/tmp",
	                 "check_validator.XXXXXX");
}

static void tmp_teardown(void)
{
	ac_check_rmtree(tmpdir);
}

static char *write_tmp(const char *name, const void *data, size_t len)
{
	static char paths[4][128];
	static int next;
	char *p = paths[next++ % 4];
	FILE *f;

	snprintf(p, 128, "%s/%s", tmpdir, name);
	f = fopen(p, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	return p;
}

START_TEST(test_files_basic)
{
	const char *ans = write_tmp("ans", "1 2\n3\n", 6);
	const char *ok = write_tmp("ok", "1\n2 3", 5);
	const char *bad = write_tmp("bad", "1 2\n4\n", 6);
	const char *empty = write_tmp("empty", "", 0);

	ck_assert_int_eq(ac_validate_files(ans, ok, NULL, msg, sizeof(msg)), 1);
	ck_assert_int_eq(ac_validate_files(ans, bad, NULL, msg, sizeof(msg)),
	                 0);
	ck_assert_str_eq(msg, "line 2, token 1: expected \"3\", got \"4\"");
	ck_assert_int_eq(ac_validate_files(ans, empty, NULL, msg, sizeof(msg)),
	                 0);
	ck_assert_ptr_nonnull(strstr(msg, "ended early"));
	ck_assert_int_eq(
	        ac_validate_files(empty, empty, NULL, msg, sizeof(msg)), 1);
}
END_TEST

START_TEST(test_files_errors)
{
	char path[160], link[160];
	const char *ans = write_tmp("ans", "1", 1);

	snprintf(path, sizeof(path), "%s/missing", tmpdir);
	ck_assert_int_eq(ac_validate_files(ans, path, NULL, msg, sizeof(msg)),
	                 -ENOENT);
	ck_assert_ptr_nonnull(strstr(msg, "missing"));
	ck_assert_int_eq(ac_validate_files(path, ans, NULL, msg, sizeof(msg)),
	                 -ENOENT);
	/* a directory is not an output */
	ck_assert_int_eq(ac_validate_files(ans, tmpdir, NULL, msg, sizeof(msg)),
	                 -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "not a regular file"));
	/* the team output is never followed through a symlink */
	snprintf(link, sizeof(link), "%s/link", tmpdir);
	ck_assert_int_eq(symlink(ans, link), 0);
	ck_assert_int_eq(ac_validate_files(ans, link, NULL, msg, sizeof(msg)),
	                 -ELOOP);
	ck_assert_int_eq(ac_validate_files(NULL, ans, NULL, msg, sizeof(msg)),
	                 -EINVAL);
}
END_TEST

START_TEST(test_files_nul_and_big)
{
	/* 64 MiB of output with a difference at the very end, NULs inside */
	size_t n = 64u << 20;
	char *a = malloc(n), *b;
	const char *pa, *pb;
	size_t i;

	ck_assert_ptr_nonnull(a);
	for (i = 0; i < n; i++)
		a[i] = (i % 8 == 7) ? '\n' : (i % 8 == 3 ? '\0' : 'a');
	pa = write_tmp("big.ans", a, n);
	pb = write_tmp("big.out", a, n);
	ck_assert_int_eq(ac_validate_files(pa, pb, NULL, msg, sizeof(msg)), 1);
	b = a;
	b[n - 2] = 'b';
	pb = write_tmp("big.out", b, n);
	ck_assert_int_eq(ac_validate_files(pa, pb, NULL, msg, sizeof(msg)), 0);
	ck_assert_str_eq(msg, "line 8388608, token 1: expected "
	                      "\"aaa\\0aaa\", got \"aaa\\0aab\"");
	free(a);
}
END_TEST

/* ------------------------------------------------------------- flags */

START_TEST(test_flags_parse)
{
	struct ac_validator_flags f;
	char err[256];

	ck_assert_int_eq(ac_validator_flags_parse(NULL, &f, err, sizeof(err)),
	                 0);
	ck_assert(!f.case_sensitive && !f.space_change_sensitive &&
	          !f.has_float_abs && !f.has_float_rel);
	ck_assert_int_eq(ac_validator_flags_parse("  case_sensitive\t"
	                                          "space_change_sensitive ",
	                                          &f, err, sizeof(err)),
	                 0);
	ck_assert(f.case_sensitive && f.space_change_sensitive);
	ck_assert(!f.has_float_abs && !f.has_float_rel);

	ck_assert_int_eq(ac_validator_flags_parse("float_tolerance 1e-6", &f,
	                                          err, sizeof(err)),
	                 0);
	ck_assert(f.has_float_abs && f.has_float_rel);
	ck_assert(f.float_abs == 1e-6 && f.float_rel == 1e-6);

	ck_assert_int_eq(ac_validator_flags_parse("float_absolute_tolerance "
	                                          "0.5",
	                                          &f, err, sizeof(err)),
	                 0);
	ck_assert(f.has_float_abs && !f.has_float_rel && f.float_abs == 0.5);

	ck_assert_int_eq(ac_validator_flags_parse("float_relative_tolerance 2 "
	                                          "case_sensitive",
	                                          &f, err, sizeof(err)),
	                 0);
	ck_assert(!f.has_float_abs && f.has_float_rel && f.float_rel == 2);
	ck_assert(f.case_sensitive);
}
END_TEST

START_TEST(test_flags_errors)
{
	struct ac_validator_flags f;
	char err[256];

	ck_assert_int_eq(ac_validator_flags_parse("case_sensitive bogus", &f,
	                                          err, sizeof(err)),
	                 -EINVAL);
	ck_assert_str_eq(err, "unknown validator flag \"bogus\"");
	ck_assert_int_eq(ac_validator_flags_parse("float_tolerance", &f, err,
	                                          sizeof(err)),
	                 -EINVAL);
	ck_assert_str_eq(err, "validator flag float_tolerance needs a number");
	ck_assert_int_eq(ac_validator_flags_parse("float_absolute_tolerance x",
	                                          &f, err, sizeof(err)),
	                 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "float_absolute_tolerance"));
	ck_assert_ptr_nonnull(strstr(err, "\"x\""));
	ck_assert_int_eq(ac_validator_flags_parse("float_relative_tolerance "
	                                          "-1",
	                                          &f, err, sizeof(err)),
	                 -EINVAL);
	ck_assert_int_eq(ac_validator_flags_parse("float_tolerance nan", &f,
	                                          err, sizeof(err)),
	                 -EINVAL);
	ck_assert_int_eq(ac_validator_flags_parse("float_tolerance 1e-6x", &f,
	                                          err, sizeof(err)),
	                 -EINVAL);
	ck_assert_int_eq(ac_validator_flags_parse("Case_Sensitive", &f, err,
	                                          sizeof(err)),
	                 -EINVAL);
	/* err may be absent */
	ck_assert_int_eq(ac_validator_flags_parse("bogus", &f, NULL, 0),
	                 -EINVAL);
}
END_TEST

static Suite *validator_suite(void)
{
	Suite *s = suite_create("validator");

	AC_TCASE(s, "buffers", NULL, NULL, 0, test_tokens_exact,
	         test_tokens_whitespace_lenient, test_tokens_wrong_message,
	         test_tokens_no_prefix_match, test_extra_tokens,
	         test_missing_tokens, test_empty, test_msg_optional,
	         test_long_token_quoted, test_case_insensitive_default,
	         test_case_sensitive, test_case_non_ascii, test_space_exact,
	         test_space_trailing_newline, test_space_tokens_and_extra,
	         test_float_absolute, test_float_relative, test_float_both,
	         test_float_non_numbers, test_nul_bytes, test_flags_parse,
	         test_flags_errors);
	AC_TCASE(s, "files", tmp_setup, tmp_teardown, 60, test_files_basic,
	         test_files_errors, test_files_nul_and_big);
	return s;
}

int main(void)
{
	return ac_check_run(validator_suite());
}
