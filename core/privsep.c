/* Privilege separation: the root sandbox helper and its proxy.  See
 * privsep.h and docs/architecture.md. */
#define _GNU_SOURCE 1
#include "privsep.h"

#include "config.h"
#include "core.h"
#include "loader.h"
#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/magic.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define PS_MAGIC             0x41437073u /* "ACps" */
#define PS_MAX_MSG           (64 * 1024)
#define PS_MAX_STRS          1024
#define PS_MAX_FDS           5
#define PS_MAX_INFLIGHT      256
#define PS_CHOWN_MAX_DEPTH   128 /* deeper than a build may be (judge.c) */
#define PS_CHOWN_MAX_ENTRIES 100000L

enum {
	PS_RUN = 1,
	PS_CHECK_ENV = 2,
	PS_ENFORCING = 3,
	PS_REMOVE = 4,
	PS_BOX_MOUNT = 5,
};
enum { PS_F_IN = 1, PS_F_OUT = 2, PS_F_ERR = 4, PS_F_ENV = 8 };

/* PS_REMOVE: header, then one string, the path of the tree to remove
 * (beneath judge.work_dir); the answer is a struct ps_reply (rc).
 * PS_BOX_MOUNT: the same, the path of an empty box to mount a tmpfs of
 * limits.fsize_kb KiB on.
 * PS_RUN: header, then NUL-terminated strings: box_dir, stdin_path,
 * stdout_path, stderr_path, argv[nargv], envp[nenv], syscalls[nsys],
 * ro_paths[nro].  Descriptors (SCM_RIGHTS): the reply socket, then for
 * PS_RUN the files named by flags, in that order.  The box travels as a
 * path: the helper opens it beneath judge.work_dir itself. */
struct ps_hdr {
	uint32_t magic, op, flags;
	uint32_t nargv, nenv, nsys, nro;
	struct ac_limits limits;
};

struct ps_reply {
	int32_t rc;
	struct ac_run_report rep;
};

struct ps_line {
	int32_t done; /* 1: last message, rc valid */
	int32_t rc;
	int32_t enforced;
	char what[96];
	char detail[512];
};

/* The proxy: what the unprivileged process holds in place of the plugin. */
struct ps_proxy {
	int ctl;
	pid_t pid;
	struct event *watch;
};

/* ------------------------------------------------------------ helpers */

static void ps_close_fds(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static int ps_sendmsg(int sock, const void *buf, size_t len, const int *fds,
                      int nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * PS_MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct iovec iov = {(void *)buf, len};
	struct msghdr mh;
	ssize_t n;

	memset(&mh, 0, sizeof(mh));
	memset(&u, 0, sizeof(u));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (nfds > 0) {
		struct cmsghdr *cm;

		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)nfds);
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == (ssize_t)len ? 0 : -EMSGSIZE;
}

/* Blocking receive of one message of exactly len bytes. */
static int ps_recv_exact(int sock, void *buf, size_t len)
{
	ssize_t n;

	do
		n = recv(sock, buf, len, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == (ssize_t)len ? 0 : -EPIPE;
}

/* openat2(2) (Linux 5.6), spelled out: glibc 2.36 has no wrapper. */
struct ps_open_how {
	uint64_t flags, mode, resolve;
};
#define PS_RESOLVE_NO_XDEV       0x01
#define PS_RESOLVE_NO_MAGICLINKS 0x02
#define PS_RESOLVE_NO_SYMLINKS   0x04
#define PS_RESOLVE_BENEATH       0x08

static int ps_openat2(int dfd, const char *path, int flags, uint64_t resolve)
{
	struct ps_open_how how = {(uint64_t)(flags | O_CLOEXEC), 0, resolve};

	return (int)syscall(SYS_openat2, dfd, path, &how, sizeof(how));
}

/* Beneath dfd, no link of any kind, never onto another mount. */
#define PS_STRICT                                                              \
	(PS_RESOLVE_BENEATH | PS_RESOLVE_NO_SYMLINKS |                         \
	 PS_RESOLVE_NO_MAGICLINKS | PS_RESOLVE_NO_XDEV)

/* ------------------------------------------------------------ checks */

/* The permission bits that apply to uid:gid (a user without supplementary
 * groups, as the server is after the switch). */
static mode_t ps_bits_for(const struct stat *sb, uid_t uid, gid_t gid)
{
	if (sb->st_uid == uid)
		return (sb->st_mode >> 6) & 7;
	if (sb->st_gid == gid)
		return (sb->st_mode >> 3) & 7;
	return sb->st_mode & 7;
}

int ps_readable_by(const char *path, uid_t uid, gid_t gid, const char **why)
{
	char real[PATH_MAX], *p;
	struct stat sb;

	*why = "";
	if (!path || path[0] != '/') {
		*why = "is not an absolute path";
		return -EINVAL;
	}
	if (!realpath(path, real)) {
		*why = "does not exist";
		return -errno;
	}
	/* Every directory on the way must let the user through. */
	for (p = real + 1;; p++) {
		char save = *p;

		if (save != '/' && save != '\0')
			continue;
		*p = '\0';
		if (stat(real[0] ? real : "/", &sb) < 0) {
			*why = "cannot be examined";
			return -errno;
		}
		*p = save;
		if (save == '\0')
			break;
		if (!(ps_bits_for(&sb, uid, gid) & 1)) {
			*why = "lies in a directory closed to the judge's user";
			return -EACCES;
		}
	}
	if (!(ps_bits_for(&sb, uid, gid) & 4) ||
	    (S_ISDIR(sb.st_mode) && !(ps_bits_for(&sb, uid, gid) & 1))) {
		*why = "is not readable by the judge's user";
		return -EACCES;
	}
	return 0;
}

/* Pin a read-only path for the sandbox: open it (O_PATH) the way the
 * judge's user would, so that what the sandbox binds is what the user can
 * read, whatever happens to the path afterwards (ps_readable_by checks a
 * path, which a compromised judge could swap for a link to a file only
 * root reaches before the sandbox resolves it again).  The calling
 * thread takes the user's file system identity for the lookup: the raw
 * setfsuid, setfsgid and setgroups system calls change this thread only
 * (each request has its own).  Only a directory or a regular file. */
int ps_pin_ro(const char *path, uid_t uid, gid_t gid, const char **why)
{
	gid_t groups[256];
	int ng = getgroups(256, groups), fd = -1, rfd, rc = 0;
	char self[64];
	struct stat sb;

	*why = "cannot be opened as the judge's user";
	if (ng < 0)
		return -errno;
	if (geteuid() != 0) {
		/* Not root (a test): the lookup is the user's already. */
		ng = -1;
	} else if (syscall(SYS_setgroups, 0, NULL) < 0) {
		return -errno;
	}
	if (ng >= 0) {
		syscall(SYS_setfsgid, gid);
		syscall(SYS_setfsuid, uid);
		if ((uid_t)syscall(SYS_setfsuid, -1) != uid ||
		    (gid_t)syscall(SYS_setfsgid, -1) != gid) {
			rc = -EPERM;
			goto restore;
		}
	}
	/* Links are followed, /proc's magic links are not (they would lead
	 * past closed directories to what root processes hold open). */
	if ((fd = ps_openat2(AT_FDCWD, path, O_PATH,
	                     PS_RESOLVE_NO_MAGICLINKS)) < 0) {
		rc = -errno;
		if (errno == ENOENT)
			*why = "does not exist";
		goto restore;
	}
	if (fstat(fd, &sb) < 0 ||
	    !(S_ISDIR(sb.st_mode) || S_ISREG(sb.st_mode))) {
		rc = -EINVAL;
		*why = "is not a directory or a regular file";
		goto restore;
	}
	/* Readable: the kernel checks it (ACLs included) on the reopen. */
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	rfd = open(self, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC |
	                         (S_ISDIR(sb.st_mode) ? O_DIRECTORY : 0));
	if (rfd < 0) {
		rc = -errno;
		*why = "is not readable by the judge's user";
		goto restore;
	}
	close(rfd);
restore:
	if (ng >= 0) {
		syscall(SYS_setfsuid, 0);
		syscall(SYS_setfsgid, 0);
	}
	if (ng >= 0 && (syscall(SYS_setgroups, ng, groups) < 0 ||
	                syscall(SYS_setfsuid, -1) != 0)) {
		/* This thread cannot act as root again: end it. */
		log_error("sandbox helper: cannot restore its identity after "
		          "checking %s",
		          path);
		_exit(1);
	}
	if (rc < 0 && fd >= 0)
		close(fd);
	return rc < 0 ? rc : fd;
}

/* Give the box tree back to the judge's user after a run.  Descriptor
 * based: every entry is opened beneath its directory with openat2, never
 * through a link and never onto another mount (a box holding a mount
 * point must not lead root elsewhere); symlinks, devices and
 * multiply-linked files are left alone; set-id bits never survive. */
static void ps_chown_tree(int dfd, uid_t uid, gid_t gid, int depth,
                          long *budget)
{
	DIR *d;
	struct dirent *e;

	if (fchown(dfd, uid, gid) < 0) {
		close(dfd);
		return;
	}
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	while ((e = readdir(d)) && --*budget > 0) {
		struct stat sb;
		int fd;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		fd = ps_openat2(dirfd(d), e->d_name, O_PATH | O_NOFOLLOW,
		                PS_STRICT);
		if (fd < 0)
			continue;
		if (fstat(fd, &sb) < 0) {
			close(fd);
			continue;
		}
		if (S_ISDIR(sb.st_mode) && depth < PS_CHOWN_MAX_DEPTH) {
			int sub = ps_openat2(fd, ".", O_RDONLY | O_DIRECTORY,
			                     PS_STRICT);

			if (sub >= 0)
				ps_chown_tree(sub, uid, gid, depth + 1, budget);
		} else if (S_ISREG(sb.st_mode) && sb.st_nlink == 1 &&
		           (sb.st_uid != uid || sb.st_gid != gid)) {
			/* chown clears set-user-id and set-group-id. */
			fchownat(fd, "", uid, gid, AT_EMPTY_PATH);
		}
		close(fd);
	}
	closedir(d);
}

/* ------------------------------------------------------------ removal */

struct ps_rm_level {
	dev_t dev;
	ino_t ino;
};

/* Open the directory `name` beneath dfd for reading, never through a
 * link; a directory of ours closed to us (not root) is opened up first. */
static int ps_rm_open(int dfd, const char *name, bool root)
{
	int fd = openat(dfd, name,
	                O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat sb;

	if (fd < 0 && errno == EACCES && !root &&
	    fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISDIR(sb.st_mode) && sb.st_uid == geteuid() &&
	    fchmodat(dfd, name, 0700, 0) == 0)
		fd = openat(dfd, name,
		            O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Remember the directory fd (the path back up) and make it ours to
 * empty when we are its owner but not root. */
static int ps_rm_enter(int fd, bool root, dev_t dev, struct ps_rm_level **lv,
                       size_t *depth, size_t *cap)
{
	struct stat sb;

	if (fstat(fd, &sb) < 0)
		return -errno;
	if (sb.st_dev != dev)
		return -EXDEV; /* a mount point: never walk onto it */
	if (!root && sb.st_uid == geteuid() && (sb.st_mode & 0700) != 0700 &&
	    fchmod(fd, 0700) < 0)
		return -errno;
	if (*depth == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct ps_rm_level *n = realloc(*lv, nc * sizeof(*n));

		if (!n)
			return -ENOMEM;
		*lv = n;
		*cap = nc;
	}
	(*lv)[*depth].dev = sb.st_dev;
	(*lv)[*depth].ino = sb.st_ino;
	(*depth)++;
	return 0;
}

/* One entry of a directory being emptied: removed (0), or a non-empty
 * directory to descend into (its descriptor, > 0), or -errno. */
static int ps_rm_entry(int cur, const char *name, bool root)
{
	if (unlinkat(cur, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -errno;
	if (unlinkat(cur, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
		return 0;
	if (errno != ENOTEMPTY && errno != EEXIST)
		return -errno;
	return ps_rm_open(cur, name, root);
}

int ac_rmtree_at(int top, const char *name)
{
	bool root = geteuid() == 0;
	struct ps_rm_level *lv = NULL;
	size_t depth = 0, cap = 0;
	struct stat tsb;
	int cur = -1, rc = 0;

	if (!name || !name[0] || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return -EINVAL;
	if (fstat(top, &tsb) < 0)
		return -errno;
	rc = ps_rm_entry(top, name, root);
	if (rc <= 0)
		return rc;
	cur = rc;
	rc = ps_rm_enter(cur, root, tsb.st_dev, &lv, &depth, &cap);
	while (rc == 0) {
		struct dirent *e;
		DIR *d;
		int sub = 0, fd;
		size_t seen = 0;

		/* A fresh open description: reading starts at the top. */
		fd = openat(cur, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 || !(d = fdopendir(fd))) {
			rc = -errno;
			if (fd >= 0)
				close(fd);
			break;
		}
		while (sub == 0 && (e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			seen++;
			sub = ps_rm_entry(cur, e->d_name, root);
		}
		closedir(d);
		if (sub < 0) {
			rc = sub;
			break;
		}
		if (sub > 0) {
			close(cur);
			cur = sub;
			rc = ps_rm_enter(cur, root, tsb.st_dev, &lv, &depth,
			                 &cap);
			continue;
		}
		if (seen > 0)
			continue; /* read again until a pass finds nothing */
		/* cur is empty: back to its parent, which removes it next. */
		if (depth == 1)
			break;
		{
			int up = openat(cur, "..",
			                O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			struct stat sb;

			if (up < 0) {
				rc = -errno;
				break;
			}
			if (fstat(up, &sb) < 0 ||
			    sb.st_dev != lv[depth - 2].dev ||
			    sb.st_ino != lv[depth - 2].ino) {
				close(up); /* moved meanwhile: stop there */
				rc = -ESTALE;
				break;
			}
			close(cur);
			cur = up;
			depth--;
		}
	}
	if (cur >= 0)
		close(cur);
	free(lv);
	if (rc == 0 && unlinkat(top, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		rc = -errno;
	return rc;
}

/* ------------------------------------------------------------ the helper */

struct ps_helper {
	const struct ac_sandbox_ops *ops;
	void *state;
	const char *work; /* judge.work_dir: every box lies beneath it */
	uid_t uid;
	gid_t gid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int inflight;
};

struct ps_req {
	struct ps_helper *h;
	char *buf;
	size_t len;
	int fds[PS_MAX_FDS];
	int nfds;
};

/* Take the next NUL-terminated string from [*p, end). */
static const char *ps_str(const char **p, const char *end)
{
	const char *s = *p;
	const char *nul = memchr(s, '\0', (size_t)(end - s));

	if (!nul)
		return NULL;
	*p = nul + 1;
	return s;
}

static int ps_strv(const char **p, const char *end, uint32_t n,
                   const char ***out)
{
	const char **v = calloc((size_t)n + 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		if (!(v[i] = ps_str(p, end))) {
			free(v);
			return -EBADMSG;
		}
	*out = v;
	return 0;
}

struct ps_line_ctx {
	int sock;
};

static void ps_line_cb(void *arg, const char *what, bool enforced,
                       const char *detail)
{
	struct ps_line_ctx *lc = arg;
	struct ps_line l;

	memset(&l, 0, sizeof(l));
	l.enforced = enforced;
	snprintf(l.what, sizeof(l.what), "%s", what ? what : "");
	snprintf(l.detail, sizeof(l.detail), "%s", detail ? detail : "");
	ps_sendmsg(lc->sock, &l, sizeof(l), NULL, 0);
}

static void ps_fail(struct ps_reply *r, int rc, const char *what,
                    const char *detail)
{
	r->rc = rc;
	snprintf(r->rep.internal_error, sizeof(r->rep.internal_error),
	         "sandbox helper: %s%.200s", what, detail ? detail : "");
}

/* The parent of `path`, which must lie beneath judge.work_dir (not be
 * it), opened through no link and onto no other mount; *base is the last
 * component.  A descriptor (O_PATH), or -1 with the reason in r. */
static int ps_parent(struct ps_helper *h, const char *path, const char **base,
                     struct ps_reply *r)
{
	size_t wl = strlen(h->work);
	char rel[PATH_MAX], *slash;
	int wfd, pfd;

	while (wl > 1 && h->work[wl - 1] == '/')
		wl--;
	if (!path || strncmp(path, h->work, wl) != 0 || path[wl] != '/' ||
	    !path[wl + 1] || strlen(path + wl + 1) >= sizeof(rel)) {
		ps_fail(r, -EPERM,
		        "not beneath judge.work_dir: ", path ? path : "");
		return -1;
	}
	snprintf(rel, sizeof(rel), "%s", path + wl + 1);
	slash = strrchr(rel, '/');
	*base = path + wl + 1 + (slash ? slash - rel + 1 : 0);
	if (slash)
		*slash = '\0';
	else
		rel[0] = '\0';
	wfd = ps_openat2(AT_FDCWD, h->work, O_PATH | O_DIRECTORY,
	                 PS_RESOLVE_NO_SYMLINKS | PS_RESOLVE_NO_MAGICLINKS);
	if (wfd < 0) {
		char msg[300];

		snprintf(msg, sizeof(msg),
		         "%.200s: %s (no symbolic link may lie on its path)",
		         h->work, strerror(errno));
		ps_fail(r, -EPERM, "judge.work_dir ", msg);
		return -1;
	}
	if (!rel[0])
		return wfd;
	pfd = ps_openat2(wfd, rel, O_PATH | O_DIRECTORY, PS_STRICT);
	if (pfd < 0)
		ps_fail(r, errno == ENOENT ? -ENOENT : -EPERM,
		        "cannot reach (through no link or mount) ", path);
	close(wfd);
	return pfd;
}

/* fd is the root of a tmpfs mounted on a box by the helper
 * (PS_BOX_MOUNT): on another device than its parent pfd, a tmpfs. */
static bool ps_is_box_mount(int pfd, int fd)
{
	struct stat ps, bs;
	struct statfs fs;

	return fstat(pfd, &ps) == 0 && fstat(fd, &bs) == 0 &&
	       ps.st_dev != bs.st_dev && fstatfs(fd, &fs) == 0 &&
	       fs.f_type == TMPFS_MAGIC;
}

/* The directory `name` beneath pfd, through no link; it may be the root
 * of a box tmpfs (nothing else mounted). */
static int ps_open_dir_or_box(int pfd, const char *name)
{
	int fd = ps_openat2(pfd, name, O_PATH | O_DIRECTORY,
	                    PS_RESOLVE_BENEATH | PS_RESOLVE_NO_SYMLINKS |
	                            PS_RESOLVE_NO_MAGICLINKS);
	struct stat ps, bs;

	if (fd < 0)
		return -1;
	if (fstat(pfd, &ps) < 0 || fstat(fd, &bs) < 0 ||
	    (ps.st_dev != bs.st_dev && !ps_is_box_mount(pfd, fd))) {
		close(fd);
		errno = EXDEV;
		return -1;
	}
	return fd;
}

/* Unmount the box tmpfs at `name` beneath pfd, if it is one. */
static void ps_unmount_box(int pfd, const char *name)
{
	int fd = ps_openat2(pfd, name, O_PATH | O_DIRECTORY,
	                    PS_RESOLVE_BENEATH | PS_RESOLVE_NO_SYMLINKS |
	                            PS_RESOLVE_NO_MAGICLINKS);
	char self[64];

	if (fd < 0)
		return;
	if (ps_is_box_mount(pfd, fd)) {
		snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
		if (umount2(self, MNT_DETACH) < 0)
			log_warn("sandbox helper: cannot unmount a box: %s",
			         strerror(errno));
	}
	close(fd);
}

/* The box named by the judge, opened by the helper (see ps_do_run). */
static int ps_open_box(struct ps_helper *h, const char *box, struct ps_reply *r)
{
	const char *base;
	struct stat sb;
	int pfd, fd;

	if ((pfd = ps_parent(h, box, &base, r)) < 0)
		return -1;
	fd = ps_open_dir_or_box(pfd, base);
	close(pfd);
	if (fd < 0 || fstat(fd, &sb) < 0 || !S_ISDIR(sb.st_mode) ||
	    sb.st_uid != h->uid) {
		if (fd >= 0)
			close(fd);
		ps_fail(r, -EPERM,
		        "the box must be a directory of the judge's user "
		        "beneath judge.work_dir, reached through no link or "
		        "mount: ",
		        box);
		return -1;
	}
	return fd;
}

/* The reply socket must be what the proxy makes: an unnamed AF_UNIX
 * SOCK_SEQPACKET socket whose peer is the judge (root must not write to
 * a socket connected to some daemon). */
static bool ps_reply_ok(const struct ps_helper *h, int sock)
{
	struct sockaddr_storage sa;
	struct ucred cr;
	socklen_t l;
	int v;

	l = sizeof(v);
	if (getsockopt(sock, SOL_SOCKET, SO_TYPE, &v, &l) < 0 ||
	    v != SOCK_SEQPACKET)
		return false;
	l = sizeof(v);
	if (getsockopt(sock, SOL_SOCKET, SO_DOMAIN, &v, &l) < 0 || v != AF_UNIX)
		return false;
	l = sizeof(sa);
	if (getsockname(sock, (struct sockaddr *)&sa, &l) < 0 ||
	    l != sizeof(sa_family_t))
		return false;
	l = sizeof(cr);
	if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cr, &l) < 0 ||
	    cr.uid != h->uid)
		return false;
	return true;
}

/* One PS_RUN request: check what the helper must not take on trust, run,
 * give the box back. */
static void ps_do_run(struct ps_helper *h, const struct ps_hdr *hd,
                      const char *p, const char *end, int *fds, int nfds,
                      struct ps_reply *r)
{
	const char *box, *in, *out, *err;
	const char **argv = NULL, **envp = NULL, **sys = NULL, **ro = NULL;
	struct ac_run_profile prof = {NULL, NULL};
	struct ac_run_spec spec;
	struct ac_run_fds rf = {-1, -1, -1, -1, NULL};
	int want = 1, k = 1, dfd, *ro_fds = NULL;
	long budget = PS_CHOWN_MAX_ENTRIES;

	want += !!(hd->flags & PS_F_IN) + !!(hd->flags & PS_F_OUT) +
	        !!(hd->flags & PS_F_ERR);
	if (nfds != want || hd->nargv == 0 || hd->nargv > PS_MAX_STRS ||
	    hd->nenv > PS_MAX_STRS || hd->nsys > PS_MAX_STRS ||
	    hd->nro > PS_MAX_STRS) {
		ps_fail(r, -EBADMSG, "malformed request", NULL);
		return;
	}
	if (!(box = ps_str(&p, end)) || !(in = ps_str(&p, end)) ||
	    !(out = ps_str(&p, end)) || !(err = ps_str(&p, end)) ||
	    ps_strv(&p, end, hd->nargv, &argv) < 0 ||
	    ps_strv(&p, end, hd->nenv, &envp) < 0 ||
	    ps_strv(&p, end, hd->nsys, &sys) < 0 ||
	    ps_strv(&p, end, hd->nro, &ro) < 0) {
		ps_fail(r, -EBADMSG, "malformed request", NULL);
		goto out;
	}
	/* The helper opens the box itself, in its own mount namespace:
	 * beneath judge.work_dir, through no link and onto no other mount,
	 * and it must be a directory of the judge's user.  (A descriptor
	 * from the judge could name a directory in a mount namespace of the
	 * judge's making, or /proc/self/net, which root would then chown.) */
	if ((rf.box = ps_open_box(h, box, r)) < 0)
		goto out;
	if (hd->flags & PS_F_IN)
		rf.in = fds[k++];
	if (hd->flags & PS_F_OUT)
		rf.out = fds[k++];
	if (hd->flags & PS_F_ERR)
		rf.err = fds[k++];
	/* Read-only paths are bound into the sandbox by root: only what
	 * the judge's user could read itself (a compromised judge must not
	 * get /etc/shadow this way), pinned as descriptors (ps_pin_ro). */
	if (hd->nro && !(ro_fds = malloc(hd->nro * sizeof(*ro_fds)))) {
		ps_fail(r, -ENOMEM, "out of memory", NULL);
		goto out;
	}
	for (uint32_t i = 0; i < hd->nro; i++)
		ro_fds[i] = -1;
	for (uint32_t i = 0; i < hd->nro; i++) {
		const char *why;

		if (ps_readable_by(ro[i], h->uid, h->gid, &why) < 0 ||
		    (ro_fds[i] = ps_pin_ro(ro[i], h->uid, h->gid, &why)) < 0) {
			char msg[300];

			snprintf(msg, sizeof(msg), "%.200s %s", ro[i], why);
			ps_fail(r, -EPERM, "profile ro_path ", msg);
			goto out;
		}
	}
	rf.ro = ro_fds;
	memset(&spec, 0, sizeof(spec));
	spec.argv = argv;
	spec.envp = (hd->flags & PS_F_ENV) ? envp : NULL;
	spec.box_dir = box;
	spec.stdin_path = in[0] ? in : NULL;
	spec.stdout_path = out[0] ? out : NULL;
	spec.stderr_path = err[0] ? err : NULL;
	spec.limits = hd->limits;
	if (hd->nsys || hd->nro) {
		prof.syscalls = hd->nsys ? sys : NULL;
		prof.ro_paths = hd->nro ? ro : NULL;
		spec.profile = &prof;
	}
	spec.fds = &rf;
	r->rc = h->ops->run(h->state, &spec, &r->rep);
	/* Whatever the run left in the box belongs to the judge again. */
	dfd = ps_openat2(rf.box, ".", O_RDONLY | O_DIRECTORY, PS_STRICT);
	if (dfd >= 0)
		ps_chown_tree(dfd, h->uid, h->gid, 0, &budget);
out:
	if (rf.box >= 0)
		close(rf.box);
	for (uint32_t i = 0; ro_fds && i < hd->nro; i++)
		if (ro_fds[i] >= 0)
			close(ro_fds[i]);
	free(ro_fds);
	free(argv);
	free(envp);
	free(sys);
	free(ro);
}

/* One PS_REMOVE request: the tree at a path beneath judge.work_dir (not
 * the work dir itself), reached through no link and onto no other mount,
 * removed as root whatever its modes and depth; a box tmpfs at the path
 * or at <path>/box (a run directory) is unmounted first. */
static void ps_do_remove(struct ps_helper *h, const char *p, const char *end,
                         struct ps_reply *r)
{
	const char *path = ps_str(&p, end), *base;
	int pfd, dfd;

	if ((pfd = ps_parent(h, path, &base, r)) < 0) {
		if (r->rc == -ENOENT) {
			r->rc = 0; /* gone already */
			r->rep.internal_error[0] = '\0';
		}
		return;
	}
	ps_unmount_box(pfd, base);
	dfd = ps_openat2(pfd, base, O_PATH | O_DIRECTORY, PS_STRICT);
	if (dfd >= 0) {
		ps_unmount_box(dfd, "box");
		close(dfd);
	}
	r->rc = ac_rmtree_at(pfd, base);
	if (r->rc < 0)
		ps_fail(r, r->rc, "cannot remove ", path);
	close(pfd);
}

/* One PS_BOX_MOUNT request: a tmpfs of size_kb on the empty box at path
 * (a directory of the judge's user beneath judge.work_dir, on the work
 * dir's own file system), owned by the judge's user.  What a test writes
 * in its box is then bounded, and the sandbox shows no host path for it
 * in /proc/self/mountinfo. */
static void ps_do_box_mount(struct ps_helper *h, const struct ps_hdr *hd,
                            const char *p, const char *end, struct ps_reply *r)
{
	const char *path = ps_str(&p, end), *base;
	char self[64], opts[160];
	struct stat sb;
	int pfd, fd;

	if ((pfd = ps_parent(h, path, &base, r)) < 0)
		return;
	fd = ps_openat2(pfd, base, O_PATH | O_DIRECTORY, PS_STRICT);
	close(pfd);
	if (fd < 0 || fstat(fd, &sb) < 0 || sb.st_uid != h->uid ||
	    hd->limits.fsize_kb == 0) {
		if (fd >= 0)
			close(fd);
		ps_fail(r, -EPERM,
		        "a box to mount must be a directory of the judge's "
		        "user beneath judge.work_dir: ",
		        path);
		return;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	snprintf(opts, sizeof(opts), "size=%lluk,mode=0755,uid=%u,gid=%u",
	         (unsigned long long)hd->limits.fsize_kb, (unsigned)h->uid,
	         (unsigned)h->gid);
	if (mount("tmpfs", self, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0) {
		r->rc = -errno;
		ps_fail(r, r->rc,
		        "cannot mount a tmpfs on the box: ", strerror(errno));
	} else {
		r->rc = 0;
	}
	close(fd);
}

static void *ps_req_thread(void *arg)
{
	struct ps_req *q = arg;
	struct ps_helper *h = q->h;
	const struct ps_hdr *hd = (const struct ps_hdr *)q->buf;
	const char *p = q->buf + sizeof(*hd), *end = q->buf + q->len;
	int sock = q->fds[0];

	if (!ps_reply_ok(h, sock)) {
		log_warn("sandbox helper: refused a request whose reply "
		         "socket is not the judge's own socket pair");
	} else if (hd->op == PS_RUN) {
		struct ps_reply r;

		memset(&r, 0, sizeof(r));
		ps_do_run(h, hd, p, end, q->fds, q->nfds, &r);
		ps_sendmsg(sock, &r, sizeof(r), NULL, 0);
	} else if ((hd->op == PS_REMOVE || hd->op == PS_BOX_MOUNT) &&
	           q->nfds == 1) {
		struct ps_reply r;

		memset(&r, 0, sizeof(r));
		if (hd->op == PS_REMOVE)
			ps_do_remove(h, p, end, &r);
		else
			ps_do_box_mount(h, hd, p, end, &r);
		ps_sendmsg(sock, &r, sizeof(r), NULL, 0);
	} else if (hd->op == PS_ENFORCING && q->nfds == 1) {
		struct ps_reply r;

		memset(&r, 0, sizeof(r));
		r.rc = h->ops->enforcing(h->state);
		ps_sendmsg(sock, &r, sizeof(r), NULL, 0);
	} else if (hd->op == PS_CHECK_ENV && q->nfds == 1) {
		struct ps_line_ctx lc = {sock};
		struct ps_line l;

		memset(&l, 0, sizeof(l));
		l.rc = h->ops->check_env(h->state, ps_line_cb, &lc);
		l.done = 1;
		ps_sendmsg(sock, &l, sizeof(l), NULL, 0);
	} else {
		/* Not one of the operations: no answer, the socket closes. */
		log_warn("sandbox helper: refused a request (operation %u)",
		         (unsigned)hd->op);
	}
	ps_close_fds(q->fds, q->nfds);
	free(q->buf);
	free(q);
	pthread_mutex_lock(&h->mu);
	h->inflight--;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

/* Receive one request; 1 on a request handed to a thread, 0 on end of
 * file (the judge is gone), -1 on a bad message (dropped). */
static int ps_helper_one(struct ps_helper *h, int ctl, char *buf)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * PS_MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct iovec iov = {buf, PS_MAX_MSG};
	struct msghdr mh;
	struct cmsghdr *cm;
	struct ps_req *q;
	pthread_attr_t at;
	pthread_t t;
	int fds[PS_MAX_FDS], nfds = 0;
	ssize_t n;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	do
		n = recvmsg(ctl, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return 0;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		for (size_t i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
			       sizeof(int));
			if (nfds < PS_MAX_FDS)
				fds[nfds++] = fd;
			else
				close(fd);
		}
	}
	if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
	    (size_t)n < sizeof(struct ps_hdr) || nfds < 1 ||
	    ((const struct ps_hdr *)buf)->magic != PS_MAGIC) {
		log_warn("sandbox helper: dropped a malformed request");
		ps_close_fds(fds, nfds);
		return -1;
	}
	q = calloc(1, sizeof(*q));
	if (!q || !(q->buf = malloc((size_t)n))) {
		free(q);
		ps_close_fds(fds, nfds);
		return -1;
	}
	memcpy(q->buf, buf, (size_t)n);
	q->len = (size_t)n;
	q->h = h;
	memcpy(q->fds, fds, sizeof(int) * (size_t)nfds);
	q->nfds = nfds;
	pthread_mutex_lock(&h->mu);
	while (h->inflight >= PS_MAX_INFLIGHT)
		pthread_cond_wait(&h->cv, &h->mu);
	h->inflight++;
	pthread_mutex_unlock(&h->mu);
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &at, ps_req_thread, q) != 0) {
		pthread_mutex_lock(&h->mu);
		h->inflight--;
		pthread_mutex_unlock(&h->mu);
		ps_close_fds(q->fds, q->nfds);
		free(q->buf);
		free(q);
	}
	pthread_attr_destroy(&at);
	return 1;
}

int ps_helper_loop(int ctl, const struct ac_sandbox_ops *ops, void *state,
                   const char *work_dir, uid_t uid, gid_t gid)
{
	struct ps_helper h;
	char *buf = malloc(PS_MAX_MSG);

	if (!buf)
		return -ENOMEM;
	memset(&h, 0, sizeof(h));
	h.ops = ops;
	h.state = state;
	h.work = work_dir;
	h.uid = uid;
	h.gid = gid;
	pthread_mutex_init(&h.mu, NULL);
	pthread_cond_init(&h.cv, NULL);
	while (ps_helper_one(&h, ctl, buf) != 0)
		;
	/* The judge closed its end: finish what runs, then go. */
	pthread_mutex_lock(&h.mu);
	while (h.inflight > 0)
		pthread_cond_wait(&h.cv, &h.mu);
	pthread_mutex_unlock(&h.mu);
	pthread_cond_destroy(&h.cv);
	pthread_mutex_destroy(&h.mu);
	free(buf);
	return 0;
}

/* ------------------------------------------------------------ the proxy */

static void ps_report_error(struct ac_run_report *r, const char *what,
                            const char *path, int e)
{
	snprintf(r->internal_error, sizeof(r->internal_error), "%s %.150s: %s",
	         what, path ? path : "", strerror(e));
}

/* Append a string (NULL as "") to the request. */
static int ps_put(char *buf, size_t *off, const char *s)
{
	size_t n = strlen(s ? s : "") + 1;

	if (*off + n > PS_MAX_MSG)
		return -EMSGSIZE;
	memcpy(buf + *off, s ? s : "", n);
	*off += n;
	return 0;
}

static int ps_put_v(char *buf, size_t *off, const char *const *v,
                    uint32_t *count)
{
	int rc;

	*count = 0;
	for (size_t i = 0; v && v[i]; i++) {
		if (*count >= PS_MAX_STRS)
			return -E2BIG;
		if ((rc = ps_put(buf, off, v[i])) < 0)
			return rc;
		(*count)++;
	}
	return 0;
}

/* Send one request and return the socket its answers come on. */
static int ps_request(int ctl, const void *buf, size_t len, const int *extra,
                      int nextra)
{
	int sp[2], fds[PS_MAX_FDS], rc;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return -errno;
	fds[0] = sp[1];
	for (int i = 0; i < nextra; i++)
		fds[1 + i] = extra[i];
	rc = ps_sendmsg(ctl, buf, len, fds, 1 + nextra);
	close(sp[1]);
	if (rc < 0) {
		close(sp[0]);
		return rc;
	}
	return sp[0];
}

int ps_proxy_run(int ctl, const struct ac_run_spec *spec,
                 struct ac_run_report *rep)
{
	struct ps_hdr hd;
	struct ps_reply r;
	char *buf;
	size_t off = sizeof(hd);
	int fds[3] = {-1, -1, -1}, nfds = 0, own[3] = {-1, -1, -1};
	int sock = -1, rc = 0;

	if (!spec || !rep || !spec->argv || !spec->argv[0] || !spec->box_dir)
		return -EINVAL;
	memset(rep, 0, sizeof(*rep));
	buf = malloc(PS_MAX_MSG);
	if (!buf)
		return -ENOMEM;
	memset(&hd, 0, sizeof(hd));
	hd.magic = PS_MAGIC;
	hd.op = PS_RUN;
	hd.limits = spec->limits;
	if (spec->envp)
		hd.flags |= PS_F_ENV;
	/* The judge's own descriptors: opened here, as the judge's user. */
	if (spec->fds) {
		if (spec->fds->in >= 0)
			hd.flags |= PS_F_IN, fds[nfds++] = spec->fds->in;
		if (spec->fds->out >= 0)
			hd.flags |= PS_F_OUT, fds[nfds++] = spec->fds->out;
		if (spec->fds->err >= 0)
			hd.flags |= PS_F_ERR, fds[nfds++] = spec->fds->err;
	} else {
		/* stdin, stdout, stderr in flag order; outputs are created
		 * 0600 and truncated, nothing is followed. */
		const char *path[3] = {spec->stdin_path, spec->stdout_path,
		                       spec->stderr_path};
		static const char *const name[3] = {"stdin", "stdout",
		                                    "stderr"};
		static const uint32_t flag[3] = {PS_F_IN, PS_F_OUT, PS_F_ERR};

		for (int i = 0; i < 3; i++) {
			if (!path[i])
				continue;
			own[i] = i == 0 ? open(path[i], O_RDONLY | O_NOFOLLOW |
			                                        O_CLOEXEC)
			                : open(path[i],
			                       O_WRONLY | O_CREAT | O_TRUNC |
			                               O_NOFOLLOW | O_CLOEXEC,
			                       0600);
			if (own[i] < 0) {
				ps_report_error(rep, name[i], path[i], errno);
				goto out;
			}
			hd.flags |= flag[i];
			fds[nfds++] = own[i];
		}
	}
	if ((rc = ps_put(buf, &off, spec->box_dir)) < 0 ||
	    (rc = ps_put(buf, &off, spec->stdin_path)) < 0 ||
	    (rc = ps_put(buf, &off, spec->stdout_path)) < 0 ||
	    (rc = ps_put(buf, &off, spec->stderr_path)) < 0 ||
	    (rc = ps_put_v(buf, &off, spec->argv, &hd.nargv)) < 0 ||
	    (rc = ps_put_v(buf, &off, spec->envp, &hd.nenv)) < 0 ||
	    (rc = ps_put_v(buf, &off,
	                   spec->profile ? spec->profile->syscalls : NULL,
	                   &hd.nsys)) < 0 ||
	    (rc = ps_put_v(buf, &off,
	                   spec->profile ? spec->profile->ro_paths : NULL,
	                   &hd.nro)) < 0)
		goto out; /* too large: the caller's error */
	memcpy(buf, &hd, sizeof(hd));
	sock = ps_request(ctl, buf, off, fds, nfds);
	if (sock < 0) {
		ps_report_error(rep, "sandbox helper", "(request)", -sock);
		goto out;
	}
	memset(&r, 0, sizeof(r));
	if ((rc = ps_recv_exact(sock, &r, sizeof(r))) < 0) {
		snprintf(rep->internal_error, sizeof(rep->internal_error),
		         "sandbox helper: no answer (%s)",
		         rc == -EPIPE ? "it refused the request or is gone"
		                      : strerror(-rc));
		rc = 0;
		goto out;
	}
	*rep = r.rep;
	rep->internal_error[sizeof(rep->internal_error) - 1] = '\0';
	rc = r.rc;
out:
	if (sock >= 0)
		close(sock);
	ps_close_fds(own, 3);
	free(buf);
	return rc;
}

static int px_run(void *state, const struct ac_run_spec *spec,
                  struct ac_run_report *rep)
{
	return ps_proxy_run(((struct ps_proxy *)state)->ctl, spec, rep);
}

static int px_simple(struct ps_proxy *px, uint32_t op, int *sock)
{
	struct ps_hdr hd;

	memset(&hd, 0, sizeof(hd));
	hd.magic = PS_MAGIC;
	hd.op = op;
	*sock = ps_request(px->ctl, &hd, sizeof(hd), NULL, 0);
	return *sock < 0 ? *sock : 0;
}

static int px_enforcing(void *state)
{
	struct ps_reply r;
	int sock, rc;

	if ((rc = px_simple(state, PS_ENFORCING, &sock)) < 0)
		return rc;
	rc = ps_recv_exact(sock, &r, sizeof(r));
	close(sock);
	return rc < 0 ? rc : r.rc;
}

static int px_check_env(void *state, ac_line_cb cb, void *arg)
{
	struct ps_line l;
	int sock, rc;

	if ((rc = px_simple(state, PS_CHECK_ENV, &sock)) < 0)
		return rc;
	for (;;) {
		if ((rc = ps_recv_exact(sock, &l, sizeof(l))) < 0)
			break;
		if (l.done) {
			rc = l.rc;
			break;
		}
		l.what[sizeof(l.what) - 1] = '\0';
		l.detail[sizeof(l.detail) - 1] = '\0';
		cb(arg, l.what, l.enforced != 0, l.detail);
	}
	close(sock);
	return rc;
}

static int px_init(const struct ac_host *host, struct ac_plugin_ctx *ctx,
                   void **state)
{
	(void)host;
	(void)ctx;
	(void)state;
	return -ENOTSUP; /* made by ac_privsep_setup, never loaded */
}

static void px_fini(void *state)
{
	struct ps_proxy *px = state;
	int st;

	if (!px)
		return;
	if (px->watch)
		event_free(px->watch);
	close(px->ctl);
	/* The helper finishes its runs on end of file and exits. */
	while (waitpid(px->pid, &st, 0) < 0 && errno == EINTR)
		;
	free(px);
}

static const struct ac_sandbox_ops px_ops = {
        .init = px_init,
        .fini = px_fini,
        .run = px_run,
        .check_env = px_check_env,
        .enforcing = px_enforcing,
};

/* What the judge's core sees as its sandbox plugin under privilege
 * separation: the proxy to the helper. */
static const struct ac_plugin px_desc = {
        .abi = AC_ABI_VERSION,
        .kind = AC_KIND_SANDBOX,
        .name = "helper",
        .description = "the sandbox plugin in the root helper process",
        .ops = &px_ops,
        .abi_minor = AC_ABI_MINOR,
        .ops_size = sizeof(px_ops),
        .version = PACKAGE_VERSION,
};

static int ps_proxy_path(int ctl, uint32_t op, const char *path,
                         uint64_t size_kb);

int ac_privsep_remove(const struct ac_sandbox_ops *sb, void *state,
                      const char *path)
{
	if (sb != &px_ops || !state)
		return -ENOTSUP;
	return ps_proxy_remove(((struct ps_proxy *)state)->ctl, path);
}

int ac_privsep_box_mount(const struct ac_sandbox_ops *sb, void *state,
                         const char *path, uint64_t size_kb)
{
	if (sb != &px_ops || !state)
		return -ENOTSUP;
	return ps_proxy_box_mount(((struct ps_proxy *)state)->ctl, path,
	                          size_kb);
}

int ps_proxy_remove(int ctl, const char *path)
{
	return ps_proxy_path(ctl, PS_REMOVE, path, 0);
}

int ps_proxy_box_mount(int ctl, const char *path, uint64_t size_kb)
{
	return ps_proxy_path(ctl, PS_BOX_MOUNT, path, size_kb);
}

static int ps_proxy_path(int ctl, uint32_t op, const char *path,
                         uint64_t size_kb)
{
	struct ps_reply r;
	struct ps_hdr hd;
	char *buf;
	size_t off = sizeof(hd);
	int sock, rc;

	if (!path || path[0] != '/')
		return -EINVAL;
	buf = malloc(PS_MAX_MSG);
	if (!buf)
		return -ENOMEM;
	memset(&hd, 0, sizeof(hd));
	hd.magic = PS_MAGIC;
	hd.op = op;
	hd.limits.fsize_kb = size_kb;
	memcpy(buf, &hd, sizeof(hd));
	if ((rc = ps_put(buf, &off, path)) < 0) {
		free(buf);
		return rc;
	}
	sock = ps_request(ctl, buf, off, NULL, 0);
	free(buf);
	if (sock < 0)
		return sock;
	memset(&r, 0, sizeof(r));
	rc = ps_recv_exact(sock, &r, sizeof(r));
	close(sock);
	if (rc < 0)
		return rc;
	if (r.rc < 0) {
		r.rep.internal_error[sizeof(r.rep.internal_error) - 1] = '\0';
		log_warn("%s", r.rep.internal_error);
	}
	return r.rc;
}

/* ------------------------------------------------------------ setup */

static bool ps_user_setting(const struct ac_config *cfg, const char **user)
{
	*user = ac_config_string(cfg, "user", NULL);
	return *user && (*user)[0] && strcmp(*user, "root") != 0;
}

bool ac_privsep_describe(const struct ac_config *cfg, char *buf, size_t len)
{
	const char *user;
	struct passwd *pw;

	if (!ps_user_setting(cfg, &user)) {
		snprintf(buf, len,
		         "`user` is %s: serve keeps root in the process that "
		         "speaks HTTP and reads the queue",
		         user && user[0] ? "root" : "not set");
		return false;
	}
	pw = getpwnam(user);
	if (!pw) {
		snprintf(buf, len,
		         "`user` is \"%s\", which does not exist here: serve "
		         "refuses to start",
		         user);
		return false;
	}
	snprintf(buf, len,
	         "serve runs as %s (uid %u); the sandbox in a root helper",
	         user, (unsigned)pw->pw_uid);
	return true;
}

/* Create `dir` if missing and give it to uid:gid; when root owned it,
 * what root left directly in it goes to the user too (an installation
 * first run as root). */
static int ps_state_dir(const char *dir, uid_t uid, gid_t gid, char *err,
                        size_t errlen)
{
	struct stat sb;
	bool was_root;
	int dfd;

	if (!dir || dir[0] != '/') {
		snprintf(err, errlen, "state_dirs: \"%s\" is not absolute",
		         dir ? dir : "");
		return -EINVAL;
	}
	/* Component by component from "/", never through a link: a
	 * directory the user owns (a parent of a nested state dir) must not
	 * lead root elsewhere.  Missing parents are made 0755, the state
	 * directory itself 0750. */
	{
		char path[PATH_MAX], *comp, *save = NULL, *next;

		snprintf(path, sizeof(path), "%s", dir);
		dfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		for (comp = strtok_r(path, "/", &save); comp && dfd >= 0;
		     comp = next) {
			int nfd;

			next = strtok_r(NULL, "/", &save);
			if (mkdirat(dfd, comp, next ? 0755 : 0750) < 0 &&
			    errno != EEXIST) {
				snprintf(err, errlen,
				         "state_dirs: mkdir %s (at %s): %s",
				         dir, comp, strerror(errno));
				close(dfd);
				return -EPERM;
			}
			nfd = openat(dfd, comp,
			             (next ? O_PATH : O_RDONLY) | O_DIRECTORY |
			                     O_NOFOLLOW | O_CLOEXEC);
			close(dfd);
			dfd = nfd;
		}
		if (dfd < 0 || fstat(dfd, &sb) < 0) {
			snprintf(err, errlen, "state_dirs: %s: %s", dir,
			         errno == ELOOP || errno == ENOTDIR
			                 ? "a symbolic link or not a directory "
			                   "on the path"
			                 : strerror(errno));
			if (dfd >= 0)
				close(dfd);
			return -EINVAL;
		}
	}
	if (sb.st_uid != 0 && sb.st_uid != uid) {
		snprintf(err, errlen,
		         "state_dirs: %s belongs to uid %u, neither root nor "
		         "the user (uid %u)",
		         dir, (unsigned)sb.st_uid, (unsigned)uid);
		close(dfd);
		return -EPERM;
	}
	was_root = sb.st_uid == 0;
	if (fchown(dfd, uid, gid) < 0) {
		snprintf(err, errlen, "state_dirs: chown %s: %s", dir,
		         strerror(errno));
		close(dfd);
		return -EPERM;
	}
	if (was_root) {
		DIR *d = fdopendir(dfd);
		struct dirent *e;

		if (!d) {
			close(dfd);
			return 0;
		}
		while ((e = readdir(d))) {
			struct stat es;

			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			if (fstatat(dirfd(d), e->d_name, &es,
			            AT_SYMLINK_NOFOLLOW) == 0 &&
			    es.st_uid == 0 &&
			    (S_ISDIR(es.st_mode) ||
			     (S_ISREG(es.st_mode) && es.st_nlink == 1)))
				fchownat(dirfd(d), e->d_name, uid, gid,
				         AT_SYMLINK_NOFOLLOW);
		}
		closedir(d);
		return 0;
	}
	close(dfd);
	return 0;
}

static void ps_watch_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ac_core *core = arg;

	(void)fd;
	(void)what;
	log_error("the sandbox helper is gone: stopping (nothing more can "
	          "be judged)");
	core->exit_status = 1;
	event_base_loopexit(core->base, NULL);
}

int ac_privsep_watch(struct ac_core *core)
{
	struct ps_proxy *px;

	if (!core->sandbox || core->sandbox->ops != &px_ops)
		return 0;
	px = core->sandbox->state;
	/* The helper never writes on the control socket: readable means
	 * end of file. */
	px->watch = event_new(core->base, px->ctl, EV_READ, ps_watch_cb, core);
	if (!px->watch || event_add(px->watch, NULL) < 0)
		return -ENOMEM;
	return 0;
}

int ac_privsep_setup(struct ac_core *core, unsigned need,
                     const char *plugin_dir, char *err, size_t errlen)
{
	const char *user, *name = NULL, **dirs;
	struct passwd *pw;
	struct ps_proxy *px;
	struct ac_loaded *lp;
	uid_t uid;
	gid_t gid;
	int ctl[2] = {-1, -1}, rc;
	pid_t pid = -1;

	if (geteuid() != 0)
		return 0;
	if (!ps_user_setting(core->cfg, &user)) {
		if (!user || !user[0])
			log_warn("running as root without privilege "
			         "separation: set `user` (docs/deployment.md)");
		return 0;
	}
	errno = 0;
	pw = getpwnam(user);
	if (!pw) {
		snprintf(err, errlen,
		         "user \"%s\" does not exist: create it (useradd "
		         "--system --no-create-home --shell /usr/sbin/nologin "
		         "%s) or set `user` to another account",
		         user, user);
		return -ENOENT;
	}
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (uid == 0) {
		snprintf(err, errlen, "user \"%s\" has uid 0: that is root",
		         user);
		return -EINVAL;
	}
	dirs = ac_config_string_list(core->cfg, "state_dirs");
	for (size_t i = 0; dirs && dirs[i]; i++) {
		if ((rc = ps_state_dir(dirs[i], uid, gid, err, errlen)) < 0) {
			free(dirs);
			return rc;
		}
	}
	free(dirs);

	if (need & AC_NEED_SANDBOX) {
		if (ac_config_get_string(core->cfg, "sandbox.plugin", &name,
		                         err, errlen) < 0) {
			snprintf(err, errlen,
			         "no sandbox plugin configured (setting "
			         "sandbox.plugin)");
			return -EINVAL;
		}
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) <
		    0) {
			snprintf(err, errlen, "socketpair: %s",
			         strerror(errno));
			return -errno;
		}
		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			snprintf(err, errlen, "fork: %s", strerror(errno));
			close(ctl[0]);
			close(ctl[1]);
			return -EAGAIN;
		}
		if (pid == 0) {
			struct ac_loaded *sbx = NULL;
			char e2[1024];

			close(ctl[0]);
			prctl(PR_SET_NAME, "algocode-sbx", 0, 0, 0);
			prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
			signal(SIGINT, SIG_IGN);
			signal(SIGTERM, SIG_IGN);
			signal(SIGHUP, SIG_IGN); /* the reload is serve's */
			signal(SIGPIPE, SIG_IGN);
			if (ac_plugin_load(core, plugin_dir, AC_KIND_SANDBOX,
			                   name, "sandbox", &sbx, e2,
			                   sizeof(e2)) < 0) {
				log_error("sandbox helper: %s", e2);
				_exit(1);
			}
			ps_helper_loop(ctl[1], sbx->ops, sbx->state,
			               ac_config_string(core->cfg,
			                                "judge.work_dir",
			                                AC_DEFAULT_WORK_DIR),
			               uid, gid);
			ac_plugin_unload(sbx);
			_exit(0);
		}
		close(ctl[1]);
		/* The helper's answer to "enforcing" doubles as the check
		 * that it started: a load failure closes the socket. */
	}

	if (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0) {
		snprintf(err, errlen, "cannot switch to user %s: %s", user,
		         strerror(errno));
		return -EPERM;
	}
	if (setuid(0) == 0 || seteuid(0) == 0) {
		snprintf(err, errlen,
		         "switched to %s but could become root "
		         "again",
		         user);
		return -EPERM;
	}
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	if (!(need & AC_NEED_SANDBOX)) {
		log_info("privilege separation: running as %s (uid %u)", user,
		         (unsigned)uid);
		return 0;
	}

	px = calloc(1, sizeof(*px));
	lp = calloc(1, sizeof(*lp));
	if (!px || !lp) {
		free(px);
		free(lp);
		close(ctl[0]);
		return -ENOMEM;
	}
	px->ctl = ctl[0];
	px->pid = pid;
	lp->desc = &px_desc;
	lp->ops = &px_ops; /* not the loader's copy: owns_ops false */
	lp->state = px;
	lp->ctx.core = core;
	lp->ctx.kind = AC_KIND_SANDBOX;
	lp->ctx.name = strdup(name);
	lp->ctx.conf_group = strdup("sandbox");
	lp->ctx.log_prefix = strdup("sandbox/helper");
	core->sandbox = lp;
	rc = px_enforcing(px);
	if (rc == -EPIPE || rc == -ECONNRESET) {
		snprintf(err, errlen,
		         "the sandbox helper did not start (see the error "
		         "above)");
		return -ECHILD;
	}
	log_info("privilege separation: running as %s (uid %u); sandbox "
	         "plugin %s in a root helper (pid %d)",
	         user, (unsigned)uid, name, (int)pid);
	return 0;
}
