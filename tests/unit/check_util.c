/* core/util.c: the shared helpers (clock, UUID, mkdir -p, rm -rf, sorted
 * listing, bounded read, write and copy). */
#include "util.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check_run.h"

static char dir[4096];

static void setup(void)
{
	ac_check_mkdtemp(dir, sizeof(dir), NULL, "ac-util-XXXXXX");
}

static void teardown(void)
{
	ck_assert_int_eq(ac_rmtree(dir), 0);
	ck_assert_int_eq(access(dir, F_OK), -1);
}

static void path(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", dir, rel);
}

START_TEST(test_clock_uuid)
{
	int64_t a = ac_mono_ms();
	uint64_t u = ac_mono_us();
	char x[AC_UUID_LEN], y[AC_UUID_LEN];

	ck_assert_int_ge(a, 0);
	ck_assert_uint_ge(ac_mono_us(), u);
	ck_assert_int_ge(ac_mono_ms(), a);
	ac_uuid4(x);
	ac_uuid4(y);
	ck_assert_uint_eq(strlen(x), 36);
	ck_assert_str_ne(x, y);
	ck_assert_int_eq(x[8], '-');
	ck_assert_int_eq(x[14], '4');
	ck_assert_ptr_nonnull(strchr("89ab", x[19]));
}
END_TEST

static bool keep_txt(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && strcmp(name + n - 4, ".txt") == 0;
}

START_TEST(test_dirs)
{
	char p[8192], q[8192];
	char **names;
	size_t n;
	struct stat st;

	path(p, sizeof(p), "a/b/c");
	ck_assert_int_eq(ac_mkdir_p(p, 0750), 0);
	ck_assert_int_eq(ac_mkdir_p(p, 0750), 0); /* exists: fine */
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	path(p, sizeof(p), "x/y/file");
	ck_assert_int_eq(ac_mkdir_parents(p, 0700), 0);
	path(q, sizeof(q), "x/y");
	ck_assert_int_eq(stat(q, &st), 0);
	path(p, sizeof(p), "x/y/file");
	ck_assert_int_eq(access(p, F_OK), -1);

	path(p, sizeof(p), "a/b/z.txt");
	ck_assert_int_eq(ac_write_file(p, "zz", 2, 0600), 0);
	ck_assert_int_eq(ac_write_file(p, "zz", 2, 0600), -EEXIST);
	path(p, sizeof(p), "a/b/m.txt");
	ck_assert_int_eq(ac_write_file(p, "m", 1, 0600), 0);
	path(p, sizeof(p), "a/b");
	ck_assert_int_eq(ac_list_dir(p, NULL, &names, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(names[0], "c");
	ck_assert_str_eq(names[1], "m.txt");
	ck_assert_str_eq(names[2], "z.txt");
	ck_assert_ptr_null(names[3]);
	ac_names_free(names);
	ck_assert_int_eq(ac_list_dir(p, keep_txt, &names, NULL), 0);
	ck_assert_str_eq(names[0], "m.txt");
	ck_assert_ptr_null(names[2]);
	ac_names_free(names);
	path(p, sizeof(p), "nope");
	ck_assert_int_eq(ac_list_dir(p, NULL, &names, &n), -ENOENT);
	ck_assert_ptr_null(names);

	path(p, sizeof(p), "a");
	ck_assert_int_eq(ac_rmtree(p), 0);
	ck_assert_int_eq(access(p, F_OK), -1);
	ck_assert_int_eq(ac_rmtree(p), 0); /* gone: fine */
	ck_assert_int_eq(ac_rmtree("relative"), -EINVAL);
}
END_TEST

START_TEST(test_read_copy)
{
	char p[8192], q[8192], buf[16];
	static char big[200000];
	int fd;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	path(p, sizeof(p), "big");
	ck_assert_int_eq(ac_write_file(p, big, sizeof(big), 0640), 0);
	path(q, sizeof(q), "copy");
	ck_assert_int_eq(ac_copy_file(p, q, 0600), 0);
	ck_assert_int_eq(ac_copy_file(p, q, 0600), -EEXIST);
	fd = open(q, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ac_read_bounded(fd, buf, sizeof(buf)), sizeof(buf));
	ck_assert_int_eq(memcmp(buf, big, sizeof(buf)), 0);
	close(fd);
	fd = open(q, O_RDONLY);
	{
		static char back[sizeof(big) + 10];

		ck_assert_int_eq(ac_read_bounded(fd, back, sizeof(back)),
		                 sizeof(big));
		ck_assert_int_eq(memcmp(back, big, sizeof(big)), 0);
	}
	close(fd);
	ck_assert_int_eq(ac_read_bounded(-1, buf, sizeof(buf)), -EBADF);
	path(p, sizeof(p), "missing");
	ck_assert_int_eq(ac_copy_file(p, q, 0600), -ENOENT);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util");

	AC_TCASE(s, "util", setup, teardown, 0, test_clock_uuid, test_dirs,
	         test_read_copy);
	return ac_check_run(s);
}
