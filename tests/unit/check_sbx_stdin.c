/* Unit tests of the sandbox plugins' stdin reopen
 * (plugins/sandbox/common/sbx_stdin.h): the program's stdin is the test's
 * input reopened through a detached mount rooted at the file, so its path
 * in /proc/PID/fd is "/" and not the judge's; only a descriptor open for
 * reading is reopened; a clone is kept per file, least recently used out;
 * without the privilege to clone, the caller's descriptor is duplicated
 * and the failure reported once.  The clone needs CAP_SYS_ADMIN: as
 * another user the tests that need it say SKIPPED. */
#define _GNU_SOURCE 1
#include "sbx_stdin.h"

#include "../check_run.h"
#include <check.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static char tmpdir[64];

/* The host's log, for sbx_stdin_open: lines are counted and the last
 * one kept. */
static int logged;
static char last_log[512];

static void test_log(struct ac_plugin_ctx *ctx, enum ac_log_level level,
                     const char *fmt, ...)
{
	va_list ap;

	(void)ctx;
	(void)level;
	va_start(ap, fmt);
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
	logged++;
}

static const struct ac_host test_host = {.abi = AC_ABI_VERSION,
                                         .log = test_log};

static void setup(void)
{
	ac_check_mkdtemp(tmpdir, sizeof(tmpdir), "/tmp",
	                 "check_sbx_stdin.XXXXXX");
}

static void teardown(void)
{
	ac_check_rmtree(tmpdir);
}

/* A file of the temporary directory with `text`, opened for reading. */
static int mkinput(const char *name, const char *text)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	return fd;
}

static void fd_link(int fd, char *buf, size_t len)
{
	char p[64];
	ssize_t n;

	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	n = readlink(p, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
}

static int cached(const struct sbx_stdin_cache *c)
{
	int n = 0;

	for (int i = 0; i < SBX_STDIN_CACHE; i++)
		n += c->e[i].tree >= 0;
	return n;
}

START_TEST(test_hides_path)
{
	struct sbx_stdin_cache c;
	struct stat a, b;
	char link[512], buf[16] = "";
	int fd, rfd, rfd2;
	char msg[320];

	sbx_stdin_init(&c);
	fd = mkinput("01.in", "12 30\n");
	ck_assert_int_eq(read(fd, buf, 3), 3); /* the caller's offset */
	rfd = sbx_stdin_reopen(&c, fd, msg, sizeof(msg));
	ck_assert_int_ge(rfd, 0);
	ck_assert_str_eq(msg, "");
	fd_link(rfd, link, sizeof(link));
	ck_assert_str_eq(link, "/");
	fd_link(fd, link, sizeof(link));
	ck_assert_ptr_nonnull(strstr(link, "01.in"));
	ck_assert_int_eq(fstat(fd, &a), 0);
	ck_assert_int_eq(fstat(rfd, &b), 0);
	ck_assert(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	ck_assert(S_ISREG(b.st_mode));
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(read(rfd, buf, sizeof(buf) - 1), 6);
	ck_assert_str_eq(buf, "12 30\n");
	ck_assert_int_eq(fcntl(rfd, F_GETFL) & O_ACCMODE, O_RDONLY);
	ck_assert(fcntl(rfd, F_GETFD) & FD_CLOEXEC);
	/* The same file again: the clone is reused, the offset is new. */
	rfd2 = sbx_stdin_reopen(&c, fd, msg, sizeof(msg));
	ck_assert_int_ge(rfd2, 0);
	ck_assert_int_eq(cached(&c), 1);
	ck_assert_int_eq(lseek(rfd2, 0, SEEK_CUR), 0);
	/* Read-only, and no reopen for writing through it, though the file
	 * is writable (0666) and we are root. */
	ck_assert_int_eq(pwrite(rfd2, "x", 1, 0), -1);
	ck_assert_int_eq(fchmod(fd, 0666), 0);
	{
		char p[64];
		int w;

		snprintf(p, sizeof(p), "/proc/self/fd/%d", rfd2);
		errno = 0;
		w = open(p, O_WRONLY | O_CLOEXEC);
		ck_assert_int_eq(w, -1);
		ck_assert_int_eq(errno, EROFS);
		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		w = open(p, O_WRONLY | O_CLOEXEC); /* the caller's: writable */
		ck_assert_int_ge(w, 0);
		close(w);
	}
	close(rfd);
	close(rfd2);
	close(fd);
	sbx_stdin_fini(&c);
}
END_TEST

START_TEST(test_refuses_unreadable)
{
	static const int modes[] = {O_PATH, O_WRONLY, 3};
	struct sbx_stdin_cache c;
	char path[256];
	char msg[320];
	int fd;

	sbx_stdin_init(&c);
	close(mkinput("02.in", "1 2\n"));
	snprintf(path, sizeof(path), "%s/02.in", tmpdir);
	/* O_PATH, write-only, and access mode 3 ("no access", ioctl
	 * only): none is a read. */
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		fd = open(path, modes[i] | O_CLOEXEC);
		ck_assert_int_ge(fd, 0);
		errno = 0;
		ck_assert_int_eq(sbx_stdin_reopen(&c, fd, msg, sizeof(msg)),
		                 -1);
		ck_assert_int_eq(errno, EBADF);
		close(fd);
	}
	ck_assert_int_eq(sbx_stdin_reopen(&c, 1000, msg, sizeof(msg)), -1);
	ck_assert_int_eq(cached(&c), 0);
	sbx_stdin_fini(&c);
}
END_TEST

START_TEST(test_pipe_is_duplicated)
{
	struct sbx_stdin_cache c;
	struct stat a, b;
	char msg[320];
	int p[2], rfd;

	sbx_stdin_init(&c);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	rfd = sbx_stdin_reopen(&c, p[0], msg, sizeof(msg));
	ck_assert_int_gt(rfd, 2);
	ck_assert_str_eq(msg, "");
	ck_assert_int_eq(fstat(p[0], &a), 0);
	ck_assert_int_eq(fstat(rfd, &b), 0);
	ck_assert(a.st_ino == b.st_ino);
	ck_assert_int_eq(write(p[1], "7", 1), 1);
	char ch = 0;
	ck_assert_int_eq(read(rfd, &ch, 1), 1);
	ck_assert_int_eq(ch, '7');
	ck_assert_int_eq(cached(&c), 0);
	close(rfd);
	close(p[0]);
	close(p[1]);
	sbx_stdin_fini(&c);
}
END_TEST

START_TEST(test_least_recently_used_out)
{
	enum { N = SBX_STDIN_CACHE + 6 };
	struct sbx_stdin_cache c;
	struct stat sb[N];
	int fd[N];
	char msg[320];
	char name[32];

	sbx_stdin_init(&c);
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "%d.in", i);
		fd[i] = mkinput(name, name);
		ck_assert_int_eq(fstat(fd[i], &sb[i]), 0);
	}
	for (int i = 0; i < N; i++) {
		int r = sbx_stdin_reopen(&c, fd[i], msg, sizeof(msg));

		ck_assert_int_ge(r, 0);
		close(r);
		if (i == 40) { /* file 0 used again: 1 is the oldest now */
			r = sbx_stdin_reopen(&c, fd[0], msg, sizeof(msg));
			ck_assert_int_ge(r, 0);
			close(r);
		}
	}
	ck_assert_int_eq(cached(&c), SBX_STDIN_CACHE);
	/* Out: 1..6 (the six oldest but 0); in: 0 and 7..N-1. */
	for (int i = 0; i < N; i++) {
		bool in = false;

		for (int k = 0; k < SBX_STDIN_CACHE; k++)
			in |= c.e[k].tree >= 0 && c.e[k].ino == sb[i].st_ino &&
			      c.e[k].dev == sb[i].st_dev;
		ck_assert_msg(in == (i == 0 || i > 6), "file %d cached: %d", i,
		              in);
		close(fd[i]);
	}
	sbx_stdin_fini(&c);
}
END_TEST

/* Without CAP_SYS_ADMIN over our mount namespace (a new user namespace
 * has none over the host's): the caller's file, its path visible, and
 * the failure said once. */
START_TEST(test_no_privilege_duplicates)
{
	int fd = mkinput("03.in", "5 6\n"), st;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct sbx_stdin_cache c;
		char link[512];
		char m1[320], m2[320];
		int r1, r2;

		/* As another user open_tree is refused anyway. */
		if (unshare(CLONE_NEWUSER) < 0 && getuid() == 0)
			_exit(10);
		sbx_stdin_init(&c);
		r1 = sbx_stdin_reopen(&c, fd, m1, sizeof(m1));
		r2 = sbx_stdin_reopen(&c, fd, m2, sizeof(m2));
		if (r1 < 0 || r2 < 0)
			_exit(11);
		/* Said once, and off for good (EPERM, or ENOSYS under valgrind:
		 * it can never work). */
		if (!strstr(m1, "from now on") || m2[0] || !c.off)
			_exit(12);
		/* Said once, by sbx_stdin_open, for a cache that had not
		 * failed yet. */
		sbx_stdin_fini(&c);
		sbx_stdin_init(&c);
		logged = 0;
		close(sbx_stdin_open(&c, &test_host, NULL, "sandbox/x", fd,
		                     NULL));
		close(sbx_stdin_open(&c, &test_host, NULL, "sandbox/x", fd,
		                     NULL));
		if (logged != 1 ||
		    !strstr(last_log, "sandbox/x: stdin shows its host path"))
			_exit(15);
		fd_link(r2, link, sizeof(link));
		if (!strstr(link, "03.in"))
			_exit(13);
		if (cached(&c) != 0)
			_exit(14);
		sbx_stdin_fini(&c);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	              "child status %d (10: no user namespace)", st);
	close(fd);
}
END_TEST

/* A file whose content depends on who opens it (procfs): never reopened
 * (the privsep helper is root), passed as it is and said once. */
START_TEST(test_proc_file_not_reopened)
{
	struct sbx_stdin_cache c;
	char msg[320], link[512];
	int fd, r;

	sbx_stdin_init(&c);
	fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	r = sbx_stdin_reopen(&c, fd, msg, sizeof(msg));
	ck_assert_int_ge(r, 0);
	ck_assert_msg(strstr(msg, "file system of type 0x9fa0"), "%s", msg);
	fd_link(r, link, sizeof(link));
	ck_assert_msg(strstr(link, "/status"), "%s", link); /* a duplicate */
	close(r);
	r = sbx_stdin_reopen(&c, fd, msg, sizeof(msg));
	ck_assert_int_ge(r, 0);
	ck_assert_str_eq(msg, "");
	ck_assert_int_eq(cached(&c), 0);
	close(r);
	close(fd);
	sbx_stdin_fini(&c);
}
END_TEST

/* The clone of a deleted file (a contestant's output, read by a
 * validator) is dropped at the next miss: it would keep the disk space. */
START_TEST(test_deleted_file_dropped)
{
	struct sbx_stdin_cache c;
	char msg[320], path[256];
	struct stat sb;
	int a, b, r;

	sbx_stdin_init(&c);
	a = mkinput("out", "a lot of output\n");
	b = mkinput("05.in", "1 1\n");
	r = sbx_stdin_reopen(&c, a, msg, sizeof(msg));
	ck_assert_int_ge(r, 0);
	close(r);
	close(a);
	snprintf(path, sizeof(path), "%s/out", tmpdir);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(cached(&c), 1);
	r = sbx_stdin_reopen(&c, b, msg, sizeof(msg));
	ck_assert_int_ge(r, 0);
	close(r);
	ck_assert_int_eq(cached(&c), 1);
	ck_assert_int_eq(fstat(b, &sb), 0);
	for (int i = 0; i < SBX_STDIN_CACHE; i++)
		if (c.e[i].tree >= 0)
			ck_assert(c.e[i].ino == sb.st_ino);
	close(b);
	sbx_stdin_fini(&c);
}
END_TEST

/* sbx_stdin_open: a path (never followed if a link), a descriptor, or
 * neither (/dev/null). */
START_TEST(test_open_path_fd_or_null)
{
	struct sbx_stdin_cache c;
	char path[256], lnk[256], link[512], buf[8] = "";
	struct stat sb;
	int fd, r;

	sbx_stdin_init(&c);
	logged = 0;
	close(mkinput("04.in", "9 9\n"));
	snprintf(path, sizeof(path), "%s/04.in", tmpdir);
	snprintf(lnk, sizeof(lnk), "%s/link.in", tmpdir);
	ck_assert_int_eq(symlink(path, lnk), 0);
	r = sbx_stdin_open(&c, &test_host, NULL, "sandbox/x", -1, path);
	ck_assert_int_ge(r, 0);
	ck_assert_int_eq(read(r, buf, 3), 3);
	ck_assert_str_eq(buf, "9 9");
	fd_link(r, link, sizeof(link));
	ck_assert_str_eq(link, "/");
	close(r);
	errno = 0;
	ck_assert_int_eq(
	        sbx_stdin_open(&c, &test_host, NULL, "sandbox/x", -1, lnk), -1);
	ck_assert_int_eq(errno, ELOOP);
	r = sbx_stdin_open(&c, &test_host, NULL, "sandbox/x", -1, NULL);
	ck_assert_int_ge(r, 0);
	ck_assert_int_eq(fstat(r, &sb), 0);
	ck_assert(S_ISCHR(sb.st_mode));
	fd_link(r, link, sizeof(link));
	ck_assert_str_eq(link, "/dev/null");
	close(r);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	r = sbx_stdin_open(&c, &test_host, NULL, "sandbox/x", fd, lnk);
	ck_assert_int_ge(r, 0); /* the descriptor wins over the path */
	fd_link(r, link, sizeof(link));
	ck_assert_str_eq(link, "/");
	close(r);
	close(fd);
	ck_assert_int_eq(logged, 0);
	sbx_stdin_fini(&c);
}
END_TEST

static Suite *stdin_suite(void)
{
	Suite *s = suite_create("sbx_stdin");
	TCase *tc = tcase_create("reopen");

	tcase_add_checked_fixture(tc, setup, teardown);
	AC_ADD_TESTS(tc, test_refuses_unreadable, test_pipe_is_duplicated,
	             test_no_privilege_duplicates, test_proc_file_not_reopened);
	/* The tests that clone need the privilege to: a real clone tells
	 * (root in a container may lack CAP_SYS_ADMIN; valgrind knows no
	 * open_tree). */
	{
		struct sbx_mount_attr ma = {
		        .attr_set = SBX_ATTR_RO_NOSUID_NODEV_NOEXEC};
		int t = (int)syscall(SYS_open_tree, AT_FDCWD, "/tmp",
		                     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		int e = t < 0 ? errno : 0;

		if (t >= 0 && syscall(SYS_mount_setattr, t, "", AT_EMPTY_PATH,
		                      &ma, sizeof(ma)) < 0)
			e = errno;
		if (t >= 0)
			close(t);
		if (e) {
			printf("SKIPPED: test_hides_path, "
			       "test_least_recently_used_out, "
			       "test_open_path_fd_or_null, "
			       "test_deleted_file_dropped: no detached mount "
			       "here (open_tree, mount_setattr: %s)\n",
			       strerror(e));
		} else {
			AC_ADD_TESTS(tc, test_hides_path,
			             test_least_recently_used_out,
			             test_open_path_fd_or_null,
			             test_deleted_file_dropped);
		}
	}
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ac_check_run(stdin_suite());
}
