/* sandbox/docker: moving a box between the host and a container without
 * ever following a link a submission planted.  Both sides are directory
 * descriptors (the host's box_dir, and the container's /box reached as
 * /proc/<init pid>/root/box); every entry is opened beneath its parent
 * with O_NOFOLLOW and checked with fstat. */
#define _GNU_SOURCE 1
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs.h"

#define FS_MAX_DEPTH   32  /* carried between host and container */
#define FS_RM_DEPTH    256 /* removed (deeper: the container is retired) */
#define FS_MAX_ENTRIES 100000

/* openat beneath dirfd that follows no link and never enters another
 * mount (openat2 RESOLVE_NO_XDEV: a mount point in the box must not lead
 * root elsewhere); plain openat with O_NOFOLLOW where openat2 is missing.
 * Names never contain '/'. */
static int fs_openat(int dirfd, const char *name, int flags, mode_t mode)
{
	struct {
		uint64_t flags, mode, resolve;
	} how = {(uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC), (uint64_t)mode,
	         0x01 | 0x02 | 0x04 | 0x08}; /* NO_XDEV, NO_MAGICLINKS,
	                                       NO_SYMLINKS, BENEATH */
	int fd = (int)syscall(SYS_openat2, dirfd, name, &how, sizeof(how));

	if (fd < 0 && errno == ENOSYS)
		fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
	return fd;
}

/* Names of the entries of dirfd (malloc'ed vector, NULL-terminated). */
static int fs_list(int dirfd, char ***out)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	size_t n = 0, cap = 16;
	char **v = NULL;
	DIR *d;
	struct dirent *e;
	int r = -ENOMEM;

	*out = NULL;
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	v = malloc(cap * sizeof(*v));
	if (!v)
		goto nomem;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n + 1 >= cap) {
			char **nv;

			/* Never a short list: a wipe that removed only part of
			 * a directory would pass for complete. */
			if (cap >= FS_MAX_ENTRIES) {
				r = -E2BIG;
				goto nomem;
			}
			cap *= 2;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				goto nomem;
			v = nv;
		}
		v[n] = strdup(e->d_name);
		if (!v[n])
			goto nomem;
		n++;
	}
	v[n] = NULL;
	closedir(d);
	*out = v;
	return 0;
nomem:
	if (v) {
		for (size_t i = 0; i < n; i++)
			free(v[i]);
		free(v);
	}
	closedir(d);
	return r;
}

static void fs_free_list(char **v)
{
	if (!v)
		return;
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

static int fs_rm_contents(int dirfd, int depth, size_t *budget, bool mounts);

/* Remove dirfd/name whatever it is.  With `mounts` (the wipe of /tmp), a
 * mount point is left, with the directories holding it, and 1 returned:
 * a profile's read-only bind below /tmp, put there by the container's
 * configuration (no run can mount); else it is an error. */
static int fs_rm_any(int dirfd, const char *name, int depth, size_t *budget,
                     bool mounts)
{
	struct stat st;
	int fd, r;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dirfd, name, 0) < 0 && errno != ENOENT ? -errno
		                                                       : 0;
	if (depth >= FS_RM_DEPTH)
		return -ELOOP;
	fd = fs_openat(dirfd, name, O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return errno == EXDEV && mounts ? 1 : -errno;
	r = fs_rm_contents(fd, depth + 1, budget, mounts);
	close(fd);
	if (r != 0)
		return r;
	return unlinkat(dirfd, name, AT_REMOVEDIR) < 0 ? -errno : 0;
}

static int fs_rm(int dirfd, const char *name, int depth, size_t *budget)
{
	return fs_rm_any(dirfd, name, depth, budget, false);
}

static int fs_rm_contents(int dirfd, int depth, size_t *budget, bool mounts)
{
	char **names;
	int r = fs_list(dirfd, &names), kept = 0;

	if (r < 0)
		return r;
	for (size_t i = 0; names[i] && r == 0; i++) {
		if ((*budget)-- == 0) {
			r = -E2BIG;
		} else if ((r = fs_rm_any(dirfd, names[i], depth, budget,
		                          mounts)) == 1) {
			kept = 1;
			r = 0;
		}
	}
	fs_free_list(names);
	return r < 0 ? r : kept;
}

int dk_fs_wipe(int dirfd)
{
	size_t budget = FS_MAX_ENTRIES * 4;
	int r = fs_rm_contents(dirfd, 0, &budget, true);

	return r < 0 ? r : 0;
}

static int fs_copy_file(int sfd, int dfd, const char *name,
                        const struct stat *st, const struct dk_fs_owner *o)
{
	int in, out, r = 0;
	char buf[65536];
	struct timespec ts[2];

	in = fs_openat(sfd, name, O_RDONLY | O_NOCTTY | O_NONBLOCK, 0);
	if (in < 0)
		return -errno;
	out = fs_openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (out < 0) {
		r = -errno;
		close(in);
		return r;
	}
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf)), w = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		while (w < n) {
			ssize_t k = write(out, buf + w, (size_t)(n - w));

			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				r = -errno;
				break;
			}
			w += k;
		}
		if (r < 0)
			break;
	}
	if (r == 0 && o && fchown(out, o->uid, o->gid) < 0)
		r = -errno;
	if (r == 0 && fchmod(out, st->st_mode & 0777) < 0)
		r = -errno;
	ts[0] = st->st_atim;
	ts[1] = st->st_mtim;
	if (r == 0 && futimens(out, ts) < 0)
		r = -errno;
	close(in);
	close(out);
	return r;
}

static int fs_mirror_dir(int sfd, int dfd, const struct dk_fs_owner *o,
                         int depth, size_t *budget);

static int fs_mirror_entry(int sfd, int dfd, const char *name,
                           const struct dk_fs_owner *o, int depth,
                           size_t *budget)
{
	struct stat s, d;
	bool have = fstatat(dfd, name, &d, AT_SYMLINK_NOFOLLOW) == 0;
	int r = 0;

	if (fstatat(sfd, name, &s, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISREG(s.st_mode)) {
		if (have && S_ISREG(d.st_mode) && d.st_size == s.st_size &&
		    d.st_mtim.tv_sec == s.st_mtim.tv_sec &&
		    d.st_mtim.tv_nsec == s.st_mtim.tv_nsec &&
		    (d.st_mode & 0777) == (s.st_mode & 0777) &&
		    (!o || (d.st_uid == o->uid && d.st_gid == o->gid)))
			return 0;
		if (have && (r = fs_rm(dfd, name, depth, budget)) < 0)
			return r;
		return fs_copy_file(sfd, dfd, name, &s, o);
	}
	if (S_ISDIR(s.st_mode)) {
		int cs, cd;

		if (depth >= FS_MAX_DEPTH)
			return 0; /* not carried */
		if (have && !S_ISDIR(d.st_mode) &&
		    (r = fs_rm(dfd, name, depth, budget)) < 0)
			return r;
		if ((!have || !S_ISDIR(d.st_mode)) &&
		    mkdirat(dfd, name, 0700) < 0)
			return -errno;
		cs = fs_openat(sfd, name, O_RDONLY | O_DIRECTORY, 0);
		if (cs < 0)
			return -errno;
		cd = fs_openat(dfd, name, O_RDONLY | O_DIRECTORY, 0);
		if (cd < 0) {
			r = -errno;
			close(cs);
			return r;
		}
		r = fs_mirror_dir(cs, cd, o, depth + 1, budget);
		if (r == 0 && o && fchown(cd, o->uid, o->gid) < 0)
			r = -errno;
		if (r == 0 && fchmod(cd, s.st_mode & 0777) < 0)
			r = -errno;
		close(cs);
		close(cd);
		return r;
	}
	if (S_ISLNK(s.st_mode)) {
		char t[4096];
		ssize_t n = readlinkat(sfd, name, t, sizeof(t) - 1);

		if (n < 0)
			return -errno;
		t[n] = '\0';
		if (have && (r = fs_rm(dfd, name, depth, budget)) < 0)
			return r;
		if (symlinkat(t, dfd, name) < 0)
			return -errno;
		if (o && fchownat(dfd, name, o->uid, o->gid,
		                  AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
		return 0;
	}
	/* Devices, fifos, sockets: not carried. */
	if (have)
		r = fs_rm(dfd, name, depth, budget);
	return r;
}

static int fs_mirror_dir(int sfd, int dfd, const struct dk_fs_owner *o,
                         int depth, size_t *budget)
{
	char **src = NULL, **dst = NULL;
	int r = fs_list(dfd, &dst);

	if (r < 0)
		return r;
	/* What the destination has and the source lacks goes. */
	for (size_t i = 0; dst[i] && r == 0; i++) {
		struct stat s;

		if (fstatat(sfd, dst[i], &s, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT)
				r = -errno;
			else
				r = fs_rm(dfd, dst[i], depth, budget);
		}
	}
	if (r == 0)
		r = fs_list(sfd, &src);
	for (size_t i = 0; r == 0 && src[i] && *budget > 0; i++) {
		(*budget)--;
		r = fs_mirror_entry(sfd, dfd, src[i], o, depth, budget);
	}
	fs_free_list(src);
	fs_free_list(dst);
	return r;
}

int dk_fs_mirror(int sfd, int dfd, const struct dk_fs_owner *owner)
{
	size_t budget = FS_MAX_ENTRIES;

	return fs_mirror_dir(sfd, dfd, owner, 0, &budget);
}
