/* Helpers shared by the sandbox plugins (header-only: each plugin is its
 * own shared object).  The program's stdin without the judge's path to it.
 *
 * A descriptor shows its path in /proc/PID/fd: for a file outside the
 * program's root that is the host path (the problem directory, the test's
 * name).  A detached clone of a mount rooted at the file itself
 * (open_tree(OPEN_TREE_CLONE) of the file) makes that path "/", and a
 * descriptor reopened through it reads the same inode.  The clone is made
 * read-only (and nosuid, nodev, noexec): a reopen of /proc/self/fd/0 for
 * writing fails with EROFS whatever the file's mode.  The clone is kept
 * per file (device and inode; it pins the inode, so the pair cannot be
 * reused while cached): removing a detached mount waits for an RCU grace
 * period (about 60 us here), a reopen does not.
 */
#ifndef AC_SBX_STDIN_H
#define AC_SBX_STDIN_H

#include <algocode/plugin.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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
		int tree; /* -1: free */
		uint64_t used;
	} e[SBX_STDIN_CACHE];
	uint64_t tick;
	int err; /* open_tree's errno once it failed: paths stay visible */
};

static inline void sbx_stdin_init(struct sbx_stdin_cache *c)
{
	pthread_mutex_init(&c->mu, NULL);
	for (int i = 0; i < SBX_STDIN_CACHE; i++)
		c->e[i].tree = -1;
	c->tick = 0;
	c->err = 0;
}

static inline void sbx_stdin_fini(struct sbx_stdin_cache *c)
{
	for (int i = 0; i < SBX_STDIN_CACHE; i++)
		if (c->e[i].tree >= 0)
			close(c->e[i].tree);
	pthread_mutex_destroy(&c->mu);
}

/* A new O_RDONLY | O_CLOEXEC descriptor of fd's file, at offset 0, whose
 * path seen from the program is "/".  Not a regular file (a pipe,
 * /dev/null): a duplicate.  No clone possible (no CAP_SYS_ADMIN over our
 * mount namespace, a kernel before 5.12, a file on an unbindable mount) or
 * no /proc to reopen it through: a duplicate too, from then on for every
 * file, and *failed set to the errno the first time only, for the caller
 * to say so once.  -1 with errno on failure (EBADF: fd is not open for
 * reading). */
static inline int sbx_stdin_reopen(struct sbx_stdin_cache *c, int fd,
                                   int *failed)
{
	struct stat sb;
	char path[32];
	int slot = -1, victim = 0, tree, rfd, fl;

	*failed = 0;
	/* Only what the caller could read: a descriptor opened O_PATH (or
	 * write-only) proves no read permission, and a reopen here may have
	 * more of it than the caller (the privsep helper is root). */
	fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return -1;
	if ((fl & O_PATH) || (fl & O_ACCMODE) == O_WRONLY) {
		errno = EBADF;
		return -1;
	}
	if (fstat(fd, &sb) < 0)
		return -1;
	if (!S_ISREG(sb.st_mode))
		return fcntl(fd, F_DUPFD_CLOEXEC, 3);
	pthread_mutex_lock(&c->mu);
	if (c->err)
		goto dup;
	for (int i = 0; i < SBX_STDIN_CACHE && slot < 0; i++) {
		if (c->e[i].tree >= 0 && c->e[i].dev == sb.st_dev &&
		    c->e[i].ino == sb.st_ino)
			slot = i;
		else if (c->e[victim].tree >= 0 &&
		         (c->e[i].tree < 0 || c->e[i].used < c->e[victim].used))
			victim = i;
	}
	if (slot < 0) {
		struct sbx_mount_attr ma = {
		        .attr_set = SBX_ATTR_RO_NOSUID_NODEV_NOEXEC};

		tree = (int)syscall(SYS_open_tree, fd, "",
		                    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
		                            AT_EMPTY_PATH);
		if (tree < 0 || syscall(SYS_mount_setattr, tree, "",
		                        AT_EMPTY_PATH, &ma, sizeof(ma)) < 0) {
			c->err = *failed = errno;
			if (tree >= 0)
				close(tree);
			goto dup;
		}
		slot = victim;
		if (c->e[slot].tree >= 0)
			close(c->e[slot].tree); /* the least recently used */
		c->e[slot].dev = sb.st_dev;
		c->e[slot].ino = sb.st_ino;
		c->e[slot].tree = tree;
	}
	c->e[slot].used = ++c->tick;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", c->e[slot].tree);
	rfd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (rfd < 0) { /* no /proc here */
		c->err = *failed = errno;
		goto dup;
	}
	pthread_mutex_unlock(&c->mu);
	return rfd;
dup:
	pthread_mutex_unlock(&c->mu);
	return fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

/* The program's stdin, a new descriptor: the caller's `fd` (>= 0) or the
 * file at `path` (not followed if a link) reopened as above, or /dev/null
 * when there is neither.  A reopen that cannot hide the path is logged
 * once (as `who`) at warning level.  -1 with errno on failure. */
static inline int sbx_stdin_open(struct sbx_stdin_cache *c,
                                 const struct ac_host *host,
                                 struct ac_plugin_ctx *ctx, const char *who,
                                 int fd, const char *path)
{
	int own = -1, rfd, failed = 0, e;

	if (fd < 0) {
		/* /dev/null when there is no input; never a link */
		own = open(path ? path : "/dev/null",
		           O_RDONLY | O_CLOEXEC | (path ? O_NOFOLLOW : 0));
		if (own < 0 || !path)
			return own;
		fd = own;
	}
	rfd = sbx_stdin_reopen(c, fd, &failed);
	e = errno;
	if (own >= 0)
		close(own);
	if (failed)
		host->log(
		        ctx, AC_LOG_WARN,
		        "%s: stdin shows its host path in /proc/self/fd/0 "
		        "from now on (no reopen through a detached mount: %s)",
		        who, strerror(failed));
	errno = e;
	return rfd;
}

#endif
