/* Helpers shared by the sandbox plugins (header-only: each plugin is its
 * own shared object).  The program's stdin without the judge's path to it.
 *
 * A descriptor shows its path in /proc/PID/fd: for a file outside the
 * program's root that is the host path (the problem directory, the test's
 * name).  A detached clone of a mount rooted at the file itself
 * (open_tree(OPEN_TREE_CLONE) of the file) makes that path "/", and a
 * descriptor reopened through it reads the same inode.  The clone is made
 * read-only (and nosuid, nodev, noexec): a reopen of /proc/self/fd/0 for
 * writing fails with EROFS whatever the file's mode.
 *
 * The reopen is done with our credentials, which in the privilege
 * separation helper are root's, for a descriptor the unprivileged judge
 * sent.  Some files show more to root than to their opener (/proc/kallsyms
 * addresses, /proc/PID/pagemap frame numbers): only files of the file
 * systems listed in sbx_stdin_fs_ok, which read the same for every opener,
 * are reopened; anything else is passed as it is, its path visible.
 *
 * The clone is kept per file (device, inode, ctime, size; it pins the
 * inode): removing a detached mount waits for an RCU grace period (about
 * 60 us here), a reopen does not.  Entries of files that were deleted (a
 * contestant's output read by a validator) are dropped at the next miss,
 * so that they do not keep disk space.
 */
#ifndef AC_SBX_STDIN_H
#define AC_SBX_STDIN_H

#include <algocode/plugin.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif

/* struct mount_attr and its flags, without <linux/mount.h> (which
 * conflicts with glibc's <sys/mount.h>). */
struct sbx_mount_attr {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};
#define SBX_ATTR_RO_NOSUID_NODEV_NOEXEC 0xfULL

#define SBX_STDIN_CACHE 64

struct sbx_stdin_cache {
	pthread_mutex_t mu;
	struct {
		dev_t dev;
		ino_t ino;
		struct timespec ctim;
		off_t size;
		int tree; /* -1: free */
		uint64_t used;
	} e[SBX_STDIN_CACHE];
	uint64_t tick;
	/* The errno that turned hiding off for good (it can never work
	 * here: ENOSYS, EPERM, no /proc); 0 while it works. */
	int off;
	/* Said once each: errnos below 64 (bit n), an unlisted file
	 * system (bit 0). */
	uint64_t said;
};

static inline void sbx_stdin_init(struct sbx_stdin_cache *c)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->mu, NULL);
	for (int i = 0; i < SBX_STDIN_CACHE; i++)
		c->e[i].tree = -1;
}

static inline void sbx_stdin_fini(struct sbx_stdin_cache *c)
{
	for (int i = 0; i < SBX_STDIN_CACHE; i++)
		if (c->e[i].tree >= 0)
			close(c->e[i].tree);
	pthread_mutex_destroy(&c->mu);
}

/* File systems whose files read the same whoever opens them (disk file
 * systems, tmpfs, overlay, NFS, 9p), so that a reopen as root shows
 * nothing its opener could not read.  Not proc, sysfs, debugfs, FUSE... */
static inline bool sbx_stdin_fs_ok(int fd, unsigned long *type)
{
	static const unsigned long ok[] = {
	        EXT4_SUPER_MAGIC, XFS_SUPER_MAGIC,       BTRFS_SUPER_MAGIC,
	        TMPFS_MAGIC,      OVERLAYFS_SUPER_MAGIC, NFS_SUPER_MAGIC,
	        F2FS_SUPER_MAGIC, SQUASHFS_MAGIC,        V9FS_MAGIC,
	        0x2fc12fc1 /* zfs */};
	struct statfs fs;

	*type = 0;
	if (fstatfs(fd, &fs) < 0)
		return false;
	*type = (unsigned long)fs.f_type;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (*type == ok[i])
			return true;
	return false;
}

/* Record that `bit` was said; true the first time. */
static inline bool sbx_stdin_first(struct sbx_stdin_cache *c, int bit)
{
	uint64_t m = 1ULL << (bit > 0 && bit < 64 ? bit : 0);
	bool first = !(c->said & m);

	c->said |= m;
	return first;
}

/* A new O_RDONLY | O_CLOEXEC descriptor of fd's file, at offset 0, whose
 * path seen from the program is "/".  Otherwise a duplicate of fd, and
 * msg (when not empty) says why, once per reason:
 *   - not a regular file (a pipe, /dev/null): silently;
 *   - a file system not in sbx_stdin_fs_ok;
 *   - no clone possible at all (no CAP_SYS_ADMIN over our mount
 *     namespace, a kernel before 5.12, no /proc): from then on for every
 *     file;
 *   - this file cannot be cloned (an unbindable or foreign mount, out of
 *     descriptors...): this file only.
 * -1 with errno on failure (EBADF: fd is not open for reading). */
static inline int sbx_stdin_reopen(struct sbx_stdin_cache *c, int fd, char *msg,
                                   size_t msglen)
{
	struct sbx_mount_attr ma = {.attr_set =
	                                    SBX_ATTR_RO_NOSUID_NODEV_NOEXEC};
	int drop[SBX_STDIN_CACHE], ndrop = 0, slot = -1, victim = 0;
	int tree = -1, t, rfd, fl, acc, e = 0;
	unsigned long type;
	struct stat sb;
	char path[32];

	msg[0] = '\0';
	/* Only what the caller could read: a descriptor opened O_PATH or
	 * write-only proves no read permission. */
	fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return -1;
	acc = fl & O_ACCMODE;
	if ((fl & O_PATH) || (acc != O_RDONLY && acc != O_RDWR)) {
		errno = EBADF;
		return -1;
	}
	if (fstat(fd, &sb) < 0)
		return -1;
	if (!S_ISREG(sb.st_mode))
		return fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (!sbx_stdin_fs_ok(fd, &type)) {
		pthread_mutex_lock(&c->mu);
		if (sbx_stdin_first(c, 0))
			snprintf(msg, msglen,
			         "stdin from a file system of type %#lx is "
			         "passed as it is: its host path shows in "
			         "/proc/self/fd/0 (reopened only from disk "
			         "file systems, tmpfs, overlay, NFS and 9p)",
			         type);
		pthread_mutex_unlock(&c->mu);
		return fcntl(fd, F_DUPFD_CLOEXEC, 3);
	}

	pthread_mutex_lock(&c->mu);
	if (c->off)
		goto dup;
	for (int i = 0; i < SBX_STDIN_CACHE && slot < 0; i++) {
		if (c->e[i].tree >= 0 && c->e[i].dev == sb.st_dev &&
		    c->e[i].ino == sb.st_ino && c->e[i].size == sb.st_size &&
		    c->e[i].ctim.tv_sec == sb.st_ctim.tv_sec &&
		    c->e[i].ctim.tv_nsec == sb.st_ctim.tv_nsec)
			slot = i;
		else if (c->e[victim].tree >= 0 &&
		         (c->e[i].tree < 0 || c->e[i].used < c->e[victim].used))
			victim = i;
	}
	if (slot < 0) {
		/* A miss: first drop the clones of deleted files. */
		for (int i = 0; i < SBX_STDIN_CACHE; i++) {
			struct stat ts;

			if (c->e[i].tree >= 0 &&
			    (fstat(c->e[i].tree, &ts) < 0 ||
			     ts.st_nlink == 0)) {
				drop[ndrop++] = c->e[i].tree;
				c->e[i].tree = -1;
				victim = i;
			}
		}
		tree = (int)syscall(SYS_open_tree, fd, "",
		                    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
		                            AT_EMPTY_PATH);
		if (tree < 0 || syscall(SYS_mount_setattr, tree, "",
		                        AT_EMPTY_PATH, &ma, sizeof(ma)) < 0) {
			e = errno;
			if (tree >= 0)
				drop[ndrop++] = tree;
			if (e == ENOSYS || e == EPERM)
				c->off = e;
			goto dup;
		}
		slot = victim;
		if (c->e[slot].tree >= 0)
			drop[ndrop++] =
			        c->e[slot].tree; /* least recently used */
		c->e[slot].dev = sb.st_dev;
		c->e[slot].ino = sb.st_ino;
		c->e[slot].ctim = sb.st_ctim;
		c->e[slot].size = sb.st_size;
		c->e[slot].tree = tree;
	}
	c->e[slot].used = ++c->tick;
	/* The reopen (an open of the file itself: slow on a network file
	 * system) without the lock, through a duplicate that keeps the
	 * clone alive if it is dropped meanwhile. */
	t = fcntl(c->e[slot].tree, F_DUPFD_CLOEXEC, 3);
	if (t < 0) {
		e = errno;
		goto dup;
	}
	pthread_mutex_unlock(&c->mu);
	for (int i = 0; i < ndrop; i++)
		close(drop[i]);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", t);
	rfd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	e = errno;
	close(t);
	if (rfd >= 0)
		return rfd;
	pthread_mutex_lock(&c->mu);
	if (e == ENOENT) /* no /proc */
		c->off = e;
	ndrop = 0;
dup:
	if (e && sbx_stdin_first(c, e))
		snprintf(msg, msglen,
		         "stdin shows its host path in /proc/self/fd/0 %s (no "
		         "reopen through a detached mount: %s)",
		         c->off ? "from now on" : "for some files",
		         strerror(e));
	pthread_mutex_unlock(&c->mu);
	for (int i = 0; i < ndrop; i++)
		close(drop[i]);
	return fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

/* The program's stdin, a new descriptor: the caller's `fd` (>= 0) or the
 * file at `path` (not followed if a link) reopened as above, or /dev/null
 * when there is neither.  What could not be hidden is logged (as `who`)
 * at warning level, once per reason.  -1 with errno on failure. */
static inline int sbx_stdin_open(struct sbx_stdin_cache *c,
                                 const struct ac_host *host,
                                 struct ac_plugin_ctx *ctx, const char *who,
                                 int fd, const char *path)
{
	int own = -1, rfd, e;
	char msg[320];

	if (fd < 0) {
		/* /dev/null when there is no input; never a link */
		own = open(path ? path : "/dev/null",
		           O_RDONLY | O_CLOEXEC | (path ? O_NOFOLLOW : 0));
		if (own < 0 || !path)
			return own;
		fd = own;
	}
	rfd = sbx_stdin_reopen(c, fd, msg, sizeof(msg));
	e = errno;
	if (own >= 0)
		close(own);
	if (msg[0])
		host->log(ctx, AC_LOG_WARN, "%s: %s", who, msg);
	errno = e;
	return rfd;
}

#endif
