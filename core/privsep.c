/* Privilege separation, the shared part: the descriptor-passing wire
 * primitives, the checks a path passes before root opens it for the
 * judge's user, and the descriptor-based tree removal.  The root side is
 * privsep_helper.c, the unprivileged side and the set-up privsep_proxy.c;
 * the wire format privsep_wire.h.  See privsep.h and
 * docs/architecture.md. */
#define _GNU_SOURCE 1
#include "privsep.h"
#include "privsep_wire.h"

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

/* ------------------------------------------------------------ helpers */

void ps_close_fds(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

int ps_sendmsg(int sock, const void *buf, size_t len, const int *fds, int nfds)
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
int ps_recv_exact(int sock, void *buf, size_t len)
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
/* openat2(2) (Linux 5.6), spelled out: glibc 2.36 has no wrapper. */
struct ps_open_how {
	uint64_t flags, mode, resolve;
};

int ps_openat2(int dfd, const char *path, int flags, uint64_t resolve)
{
	struct ps_open_how how = {(uint64_t)(flags | O_CLOEXEC), 0, resolve};

	return (int)syscall(SYS_openat2, dfd, path, &how, sizeof(how));
}

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
