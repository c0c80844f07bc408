/* Unit tests of the privilege-separation helper (core/privsep.c): its
 * request loop runs in a forked child with a recording sandbox in place
 * of a plugin (the code under test is the helper, not a sandbox), and the
 * proxy or raw messages talk to it: a good run gets the descriptors, not
 * paths; a box of another owner, a read-only path closed to other users,
 * malformed and unknown requests are refused, and the helper goes on. */
#define _GNU_SOURCE 1
#include "privsep.h"

#include <algocode/plugin.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../check_run.h"

static char tmp[64];
static int ctl = -1;
static pid_t helper = -1;

/* The recording sandbox: writes what it was given to the stdout
 * descriptor and plants a file in the box (as the helper's uid). */
static int rec_run(void *state, const struct ac_run_spec *spec,
                   struct ac_run_report *rep)
{
	char line[512];
	int n, fd;

	(void)state;
	memset(rep, 0, sizeof(*rep));
	/* A read-only path named ".../swapme" is swapped for another file
	 * before the sandbox looks at its descriptor: it must still name the
	 * file the helper checked. */
	unsigned long long ro_ino = 0;

	if (spec->fds && spec->fds->ro && spec->profile &&
	    spec->profile->ro_paths && spec->profile->ro_paths[0]) {
		const char *path = spec->profile->ro_paths[0];
		struct stat sb;

		if (strstr(path, "/swapme")) {
			char old[512];

			snprintf(old, sizeof(old), "%s.old", path);
			if (rename(path, old) < 0)
				return -errno;
			fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
			if (fd >= 0)
				close(fd);
		}
		if (fstat(spec->fds->ro[0], &sb) == 0)
			ro_ino = (unsigned long long)sb.st_ino;
	}
	n = snprintf(line, sizeof(line),
	             "argv0=%s fds=%d box=%s in=%d ro_ino=%llu\n",
	             spec->argv[0], spec->fds != NULL, spec->box_dir,
	             spec->fds ? spec->fds->in >= 0 : -1, ro_ino);
	if (spec->fds && spec->fds->out >= 0 &&
	    write(spec->fds->out, line, (size_t)n) != n)
		return -EIO;
	if (spec->fds) {
		fd = openat(spec->fds->box, "planted",
		            O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd >= 0)
			close(fd);
	}
	rep->exited = true;
	rep->exit_code = 7;
	rep->cpu_us = 1234;
	return 0;
}

static int rec_enforcing(void *state)
{
	(void)state;
	return 0;
}

static const struct ac_sandbox_ops rec_ops = {
        .run = rec_run,
        .enforcing = rec_enforcing,
};

static void setup(void)
{
	int sp[2];

	snprintf(tmp, sizeof(tmp), "/tmp/check_privsep.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	ck_assert_int_eq(chmod(tmp, 0755), 0);
	ck_assert_int_eq(
	        socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp), 0);
	helper = fork();
	ck_assert_int_ge(helper, 0);
	if (helper == 0) {
		close(sp[0]);
		/* Boxes must belong to this process's own user. */
		_exit(ps_helper_loop(sp[1], &rec_ops, NULL, tmp, getuid(),
		                     getgid()) == 0
		              ? 0
		              : 1);
	}
	close(sp[1]);
	ctl = sp[0];
}

static void teardown(void)
{
	int st = 0;
	char cmd[128];

	close(ctl);
	/* End of file: the helper finishes and exits 0. */
	ck_assert_int_eq(waitpid(helper, &st, 0), helper);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	ck_assert_int_eq(system(cmd), 0);
}

static void mkbox(const char *name, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", tmp, name);
	ck_assert_int_eq(mkdir(path, 0755), 0);
}

/* An empty file dir/name (path in out) with mode. */
static void mkfile(const char *dir, const char *name, mode_t mode, char *out,
                   size_t len)
{
	int fd;

	snprintf(out, len, "%s/%s", dir, name);
	fd = open(out, O_WRONLY | O_CREAT | O_CLOEXEC, mode);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

static void run_in(const char *box, const char *const *ro,
                   struct ac_run_report *rep, int *rc, char *out, size_t len)
{
	static const char *const argv[] = {"/box/prog", "x", NULL};
	struct ac_run_profile prof = {NULL, ro};
	struct ac_run_spec spec;
	char outp[128];
	ssize_t n;
	int fd;

	memset(&spec, 0, sizeof(spec));
	snprintf(outp, sizeof(outp), "%s/out", tmp);
	spec.argv = argv;
	spec.box_dir = box;
	spec.stdout_path = outp;
	spec.limits.cpu_ms = 1000;
	spec.limits.wall_ms = 2000;
	spec.profile = ro ? &prof : NULL;
	*rc = ps_proxy_run(ctl, &spec, rep);
	out[0] = '\0';
	fd = open(outp, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, out, len - 1);
		out[n > 0 ? n : 0] = '\0';
		close(fd);
	}
}

/* The helper serves: a run in a new box `name` exits 7. */
static void assert_serves(const char *name)
{
	struct ac_run_report rep;
	char box[128], out[512];
	int rc;

	mkbox(name, box, sizeof(box));
	run_in(box, NULL, &rep, &rc, out, sizeof(out));
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(rep.exit_code, 7);
}

START_TEST(test_good_run)
{
	struct ac_run_report rep;
	char box[128], out[512], planted[160];
	struct stat sb;
	int rc;

	mkbox("box", box, sizeof(box));
	run_in(box, NULL, &rep, &rc, out, sizeof(out));
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(rep.internal_error, "");
	ck_assert(rep.exited);
	ck_assert_int_eq(rep.exit_code, 7);
	ck_assert_uint_eq(rep.cpu_us, 1234);
	/* The sandbox got descriptors; the path came along for messages. */
	ck_assert_ptr_nonnull(strstr(out, "argv0=/box/prog fds=1"));
	ck_assert_ptr_nonnull(strstr(out, box));
	ck_assert_ptr_nonnull(strstr(out, "in=0"));
	/* What the run left in the box is the user's. */
	snprintf(planted, sizeof(planted), "%s/planted", box);
	ck_assert_int_eq(stat(planted, &sb), 0);
	ck_assert_uint_eq(sb.st_uid, getuid());
}
END_TEST

START_TEST(test_box_refused)
{
	struct ac_run_report rep;
	char box[128], out[512], link[160];
	int rc;

	/* Outside judge.work_dir (here: tmp). */
	run_in("/etc", NULL, &rep, &rc, out, sizeof(out));
	ck_assert_int_eq(rc, -EPERM);
	ck_assert_ptr_nonnull(strstr(rep.internal_error, "not beneath"));
	ck_assert_str_eq(out, ""); /* the sandbox never ran */
	/* Beneath it by name, elsewhere through a link. */
	snprintf(link, sizeof(link), "%s/link", tmp);
	ck_assert_int_eq(symlink("/etc", link), 0);
	run_in(link, NULL, &rep, &rc, out, sizeof(out));
	ck_assert_int_eq(rc, -EPERM);
	ck_assert_ptr_nonnull(strstr(rep.internal_error, "no link or mount"));
	snprintf(link, sizeof(link), "%s/../../etc", tmp);
	run_in(link, NULL, &rep, &rc, out, sizeof(out));
	ck_assert_int_eq(rc, -EPERM);
	if (getuid() == 0) {
		/* A directory of another owner. */
		mkbox("other", box, sizeof(box));
		ck_assert_int_eq(chown(box, 12345, 12345), 0);
		run_in(box, NULL, &rep, &rc, out, sizeof(out));
		ck_assert_int_eq(rc, -EPERM);
		ck_assert_ptr_nonnull(
		        strstr(rep.internal_error, "directory of the judge"));
		ck_assert_str_eq(out, "");
	}
	/* The helper goes on. */
	assert_serves("box2");
}
END_TEST

START_TEST(test_ro_path_closed)
{
	struct ac_run_report rep;
	char box[128], out[512], closed[128], file[160];
	const char *ro[2] = {file, NULL};
	const char *why;
	uid_t u = getuid();
	gid_t g = getgid();
	int rc, fd;

	snprintf(closed, sizeof(closed), "%s/closed", tmp);
	ck_assert_int_eq(mkdir(closed, 0755), 0);
	mkfile(closed, "secret", 0644, file, sizeof(file));
	ck_assert_int_eq(ps_readable_by(file, u, g, &why), 0);
	/* Closed even to its owner (the helper's user here). */
	ck_assert_int_eq(chmod(closed, 0), 0);
	ck_assert_int_lt(ps_readable_by(file, u, g, &why), 0);
	ck_assert_str_eq(why, "lies in a directory closed to the judge's user");
	mkbox("box", box, sizeof(box));
	run_in(box, ro, &rep, &rc, out, sizeof(out));
	ck_assert_int_eq(rc, -EPERM);
	ck_assert_ptr_nonnull(strstr(rep.internal_error, "profile ro_path"));
	ck_assert_str_eq(out, "");
	/* Another user sees the other bits: 0750 keeps it out, not the
	 * owner; the group bits apply to the group. */
	ck_assert_int_eq(chmod(closed, 0750), 0);
	ck_assert_int_eq(ps_readable_by(file, u, g, &why), 0);
	ck_assert_int_lt(ps_readable_by(file, 12345, 12345, &why), 0);
	ck_assert_int_eq(ps_readable_by(file, 12345, g, &why), 0);
	ck_assert_int_eq(chmod(file, 0600), 0);
	ck_assert_int_lt(ps_readable_by(file, 12345, g, &why), 0);
	ck_assert_str_eq(why, "is not readable by the judge's user");
	ck_assert_int_lt(ps_readable_by("relative/path", u, g, &why), 0);
	ck_assert_int_lt(ps_readable_by("/no/such/file/here", u, g, &why), 0);
	ck_assert_int_eq(ps_readable_by("/usr/lib", 12345, 12345, &why), 0);
	ck_assert_int_lt(ps_readable_by("/etc/shadow", 12345, 12345, &why), 0);
	/* Pinned: links are followed, /proc's magic links are not. */
	fd = ps_pin_ro("/proc/self/root/etc/passwd", u, g, &why);
	ck_assert_int_lt(fd, 0);
	fd = ps_pin_ro("/etc/passwd", u, g, &why);
	ck_assert_int_ge(fd, 0);
	close(fd);
}
END_TEST

/* The helper pins a profile's read-only path as a descriptor: a path
 * swapped after the check still gives the sandbox the checked file. */
START_TEST(test_ro_path_pinned)
{
	struct ac_run_report rep;
	char box[128], out[512], file[160], want[64];
	const char *ro[2] = {file, NULL};
	struct stat sb;
	int rc;

	mkfile(tmp, "swapme", 0644, file, sizeof(file));
	ck_assert_int_eq(stat(file, &sb), 0);
	mkbox("box", box, sizeof(box));
	run_in(box, ro, &rep, &rc, out, sizeof(out));
	ck_assert_int_eq(rc, 0);
	snprintf(want, sizeof(want), "ro_ino=%llu\n",
	         (unsigned long long)sb.st_ino);
	ck_assert_ptr_nonnull(strstr(out, want));
	/* It was swapped: the path names another file now. */
	ck_assert_int_eq(stat(file, &sb), 0);
	snprintf(want, sizeof(want), "ro_ino=%llu\n",
	         (unsigned long long)sb.st_ino);
	ck_assert_ptr_null(strstr(out, want));
	/* Only directories and regular files. */
	ro[0] = "/dev/null";
	run_in(box, ro, &rep, &rc, out, sizeof(out));
	ck_assert_int_eq(rc, -EPERM);
	ck_assert_ptr_nonnull(strstr(rep.internal_error,
	                             "not a directory or a regular file"));
}
END_TEST

/* ps_pin_ro looks the path up as the user, then is root again. */
START_TEST(test_pin_ro_identity)
{
	char closed[128], file[160], mine[160], other[160];
	const char *why;
	gid_t g0[64], g1[64];
	int n0, n1, fd;

	snprintf(closed, sizeof(closed), "%s/closed", tmp);
	ck_assert_int_eq(mkdir(closed, 0700), 0);
	mkfile(closed, "f", 0644, file, sizeof(file));
	mkfile(tmp, "mine", 0600, mine, sizeof(mine));
	mkfile(tmp, "other", 0600, other, sizeof(other));
	ck_assert_int_eq(chown(other, 12345, 12345), 0);
	n0 = getgroups(64, g0);
	/* Root reaches it; user 12345 does not get through the 0700
	 * directory, nor read root's 0600 file. */
	fd = ps_pin_ro(file, 0, 0, &why);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_lt(ps_pin_ro(file, 12345, 12345, &why), 0);
	ck_assert_str_eq(why, "cannot be opened as the judge's user");
	ck_assert_int_lt(ps_pin_ro(mine, 12345, 12345, &why), 0);
	ck_assert_str_eq(why, "is not readable by the judge's user");
	fd = ps_pin_ro(other, 12345, 12345, &why);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_lt(ps_pin_ro(closed, 12345, 12345, &why), 0);
	/* Root again: another user's 0600 file opens (CAP_DAC_OVERRIDE),
	 * the groups are back. */
	fd = open(other, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	close(fd);
	n1 = getgroups(64, g1);
	ck_assert_int_eq(n0, n1);
	ck_assert_int_eq(memcmp(g0, g1, (size_t)n0 * sizeof(gid_t)), 0);
}
END_TEST

/* Send raw bytes with a reply socket of the given type; returns what
 * recv() on it gave. */
static ssize_t raw_t(const void *buf, size_t len, bool with_fd, int type)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {(void *)buf, len};
	struct msghdr mh;
	char ans[8192];
	int sp[2];
	ssize_t n;

	ck_assert_int_eq(socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sp), 0);
	memset(&mh, 0, sizeof(mh));
	memset(&u, 0, sizeof(u));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (with_fd) {
		struct cmsghdr *cm;

		mh.msg_control = u.b;
		mh.msg_controllen = sizeof(u.b);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &sp[1], sizeof(int));
	}
	ck_assert_int_eq(sendmsg(ctl, &mh, 0), (ssize_t)len);
	close(sp[1]);
	if (!with_fd) {
		close(sp[0]);
		return 0;
	}
	n = recv(sp[0], ans, sizeof(ans), 0);
	close(sp[0]);
	return n;
}

static ssize_t raw(const void *buf, size_t len, bool with_fd)
{
	return raw_t(buf, len, with_fd, SOCK_SEQPACKET);
}

START_TEST(test_malformed_requests)
{
	char garbage[300];
	uint32_t hdr[7 + 32];

	memset(garbage, 'A', sizeof(garbage));
	/* Wrong magic, no answer: the reply socket just closes. */
	ck_assert_int_eq(raw(garbage, sizeof(garbage), true), 0);
	/* Too short. */
	ck_assert_int_eq(raw(garbage, 3, true), 0);
	/* No descriptor at all. */
	ck_assert_int_eq(raw(garbage, sizeof(garbage), false), 0);
	/* The right magic, an operation outside the closed set. */
	memset(hdr, 0, sizeof(hdr));
	hdr[0] = 0x41437073u;
	hdr[1] = 99;
	ck_assert_int_eq(raw(hdr, sizeof(hdr), true), 0);
	/* A valid "enforcing" with a reply socket that is not the proxy's
	 * kind (a stream socket): no answer. */
	hdr[1] = 3;
	ck_assert_int_gt(raw(hdr, sizeof(hdr), true), 0);
	ck_assert_int_eq(raw_t(hdr, sizeof(hdr), true, SOCK_STREAM), 0);
	/* A run whose box (empty strings) is not beneath the work dir:
	 * answered with an error. */
	hdr[1] = 1;
	hdr[3] = 1; /* nargv */
	ck_assert_int_gt(raw(hdr, sizeof(hdr), true), 0);
	/* The helper still serves. */
	assert_serves("box");
}
END_TEST

/* A tree `levels` deep below dir/name, a file at every level, every
 * directory closed (mode 0) from the bottom up; a symbolic link at the
 * bottom to `outside`. */
static void mkdeep(const char *dir, const char *name, int levels,
                   const char *outside)
{
	int fds[512], n = 0, fd;

	ck_assert_int_le(levels, 500);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(mkdirat(fd, name, 0755), 0);
	fds[n++] = fd;
	fd = openat(fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (int i = 0; i < levels; i++) {
		int f;

		ck_assert_int_ge(fd, 0);
		fds[n++] = fd;
		f = openat(fd, "file", O_WRONLY | O_CREAT | O_CLOEXEC, 0);
		ck_assert_int_ge(f, 0);
		ck_assert_int_eq(write(f, "x", 1), 1);
		close(f);
		ck_assert_int_eq(mkdirat(fd, "d", 0755), 0);
		fd = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	ck_assert_int_ge(fd, 0);
	if (outside)
		ck_assert_int_eq(symlinkat(outside, fd, "link"), 0);
	ck_assert_int_eq(fchmod(fd, 0), 0);
	close(fd);
	while (n > 1) {
		fd = fds[--n];
		ck_assert_int_eq(fchmod(fd, 0), 0);
		close(fd);
	}
	close(fds[0]);
}

START_TEST(test_rmtree_deep)
{
	char outside[160], path[160];
	struct stat sb;
	int dfd;

	mkfile(tmp, "outside", 0644, outside, sizeof(outside));
	mkdeep(tmp, "deep", 300, outside);
	dfd = open(tmp, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dfd, 0);
	ck_assert_int_eq(ac_rmtree_at(dfd, "deep"), 0);
	snprintf(path, sizeof(path), "%s/deep", tmp);
	ck_assert_int_eq(lstat(path, &sb), -1);
	/* A link is removed, never followed. */
	ck_assert_int_eq(stat(outside, &sb), 0);
	/* Nothing there: nothing to do. */
	ck_assert_int_eq(ac_rmtree_at(dfd, "deep"), 0);
	/* A link at the top: the link goes, its target stays. */
	ck_assert_int_eq(symlinkat(tmp, dfd, "top-link"), 0);
	ck_assert_int_eq(ac_rmtree_at(dfd, "top-link"), 0);
	ck_assert_int_eq(stat(tmp, &sb), 0);
	ck_assert_int_eq(ac_rmtree_at(dfd, ".."), -EINVAL);
	ck_assert_int_eq(ac_rmtree_at(dfd, "a/b"), -EINVAL);
	close(dfd);
}
END_TEST

/* Not root: the owner of closed directories opens them up to remove
 * them (a user that is not root, in a child). */
START_TEST(test_rmtree_unprivileged)
{
	char dir[128];
	pid_t pid;
	int st = 0;

	snprintf(dir, sizeof(dir), "%s/nobody", tmp);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	ck_assert_int_eq(chown(dir, 65534, 65534), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct stat sb;
		int dfd;

		if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(2);
		mkdeep(dir, "deep", 100, NULL);
		dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0 || ac_rmtree_at(dfd, "deep") != 0)
			_exit(3);
		_exit(fstatat(dfd, "deep", &sb, AT_SYMLINK_NOFOLLOW) == 0 ? 4
		                                                          : 0);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
}
END_TEST

/* The helper removes a tree beneath judge.work_dir on request, and
 * nothing else. */
START_TEST(test_remove_request)
{
	char path[200], outside[128], victim[160], via[200];
	struct stat sb;

	mkdeep(tmp, "run-1", 50, NULL);
	snprintf(path, sizeof(path), "%s/run-1", tmp);
	ck_assert_int_eq(ps_proxy_remove(ctl, path), 0);
	ck_assert_int_eq(lstat(path, &sb), -1);
	/* Gone already: fine. */
	ck_assert_int_eq(ps_proxy_remove(ctl, path), 0);
	/* Not beneath the work dir, or the work dir itself: refused. */
	ck_assert_int_eq(ps_proxy_remove(ctl, "/etc/hostname"), -EPERM);
	ck_assert_int_eq(ps_proxy_remove(ctl, tmp), -EPERM);
	/* Through a link: refused, the link's target untouched. */
	snprintf(outside, sizeof(outside), "%s.outside", tmp);
	ck_assert_int_eq(mkdir(outside, 0755), 0);
	mkfile(outside, "victim", 0644, victim, sizeof(victim));
	snprintf(path, sizeof(path), "%s/lnk", tmp);
	ck_assert_int_eq(symlink(outside, path), 0);
	snprintf(via, sizeof(via), "%s/lnk/victim", tmp);
	ck_assert_int_lt(ps_proxy_remove(ctl, via), 0);
	ck_assert_int_eq(stat(victim, &sb), 0);
	snprintf(via, sizeof(via), "%s/../%s/victim", tmp,
	         strrchr(outside, '/') + 1);
	ck_assert_int_lt(ps_proxy_remove(ctl, via), 0);
	ck_assert_int_eq(stat(victim, &sb), 0);
	ck_assert_int_eq(unlink(victim), 0);
	ck_assert_int_eq(rmdir(outside), 0);
	/* The helper still serves. */
	assert_serves("box");
}
END_TEST

/* A tmpfs on a box (root only): the box is usable for a run, removing
 * it, or the run directory holding it, unmounts it; a path through a link
 * or not the user's is refused. */
START_TEST(test_box_mount)
{
	struct ac_run_report rep;
	char run[128], box[160], out[512], path[200];
	struct statfs fs;
	struct stat sb;
	int rc;

	snprintf(run, sizeof(run), "%s/run-m", tmp);
	ck_assert_int_eq(mkdir(run, 0755), 0);
	snprintf(box, sizeof(box), "%s/box", run);
	ck_assert_int_eq(mkdir(box, 0755), 0);
	ck_assert_int_eq(ps_proxy_box_mount(ctl, box, 1024), 0);
	ck_assert_int_eq(statfs(box, &fs), 0);
	ck_assert(fs.f_type == TMPFS_MAGIC);
	ck_assert_int_eq(stat(box, &sb), 0);
	ck_assert_uint_eq(sb.st_uid, getuid());
	run_in(box, NULL, &rep, &rc, out, sizeof(out));
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(rep.exit_code, 7);
	/* The run directory goes, its box unmounted. */
	ck_assert_int_eq(ps_proxy_remove(ctl, run), 0);
	ck_assert_int_eq(lstat(run, &sb), -1);
	/* The box itself, removed directly. */
	ck_assert_int_eq(mkdir(run, 0755), 0);
	ck_assert_int_eq(mkdir(box, 0755), 0);
	ck_assert_int_eq(ps_proxy_box_mount(ctl, box, 1024), 0);
	ck_assert_int_eq(ps_proxy_remove(ctl, box), 0);
	ck_assert_int_eq(lstat(box, &sb), -1);
	/* Through a link, or another user's directory: refused. */
	snprintf(path, sizeof(path), "%s/lnk", tmp);
	ck_assert_int_eq(symlink(run, path), 0);
	snprintf(path, sizeof(path), "%s/lnk/box", tmp);
	ck_assert_int_eq(mkdir(box, 0755), 0);
	ck_assert_int_lt(ps_proxy_box_mount(ctl, path, 1024), 0);
	ck_assert_int_eq(chown(box, 65534, 65534), 0);
	ck_assert_int_lt(ps_proxy_box_mount(ctl, box, 1024), 0);
	ck_assert_int_eq(statfs(box, &fs), 0);
	ck_assert(fs.f_type != TMPFS_MAGIC);
}
END_TEST

static Suite *privsep_suite(void)
{
	Suite *s = suite_create("privsep");
	TCase *tc = tcase_create("helper");

	tcase_add_checked_fixture(tc, setup, teardown);
	AC_ADD_TESTS(tc, test_good_run, test_box_refused, test_ro_path_closed,
	             test_ro_path_pinned);
	/* Switching identity needs root: without it the test is not run,
	 * and says so. */
	if (getuid() == 0)
		tcase_add_test(tc, test_pin_ro_identity);
	else
		printf("SKIPPED: privsep test_pin_ro_identity: needs root\n");
	AC_ADD_TESTS(tc, test_malformed_requests, test_rmtree_deep,
	             test_remove_request);
	if (getuid() == 0) {
		AC_ADD_TESTS(tc, test_rmtree_unprivileged, test_box_mount);
	} else {
		printf("SKIPPED: privsep test_rmtree_unprivileged, "
		       "test_box_mount: need root\n");
	}
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ac_check_run(privsep_suite());
}
