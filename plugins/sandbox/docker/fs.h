/* sandbox/docker: box transfer helpers (fs.c). */
#ifndef ALGOCODE_SANDBOX_DOCKER_FS_H
#define ALGOCODE_SANDBOX_DOCKER_FS_H

#include <stdbool.h>
#include <sys/types.h>

struct dk_fs_owner {
	uid_t uid;
	gid_t gid;
};

/* Make the directory dfd hold what sfd holds: regular files (content,
 * mode & 0777, times), directories and symlinks (as links, never
 * followed); devices, fifos and sockets are not carried.  Files equal in
 * size, mtime and mode are skipped.  owner: chown what is written (NULL:
 * leave root's).  Bounded: what lies deeper than 32 levels or beyond
 * 100000 entries is not carried. */
int dk_fs_mirror(int sfd, int dfd, const struct dk_fs_owner *owner);

/* Remove everything below dirfd (not dirfd itself); -ELOOP deeper than
 * 256 levels, -E2BIG beyond 400000 entries. */
int dk_fs_wipe(int dirfd);

#endif
