/* Small helpers the core repeated in many files: the monotonic clock,
 * random UUIDs, mkdir -p, rm -rf, a sorted directory listing, a bounded
 * read, whole-file write and copy, an error message into a caller's
 * buffer, the check of an id.  Core only: plugins cannot link these
 * (design.md); their counterpart is plugins/common/plugin_util.h
 * (header-only).  Functions return 0 or -errno unless said otherwise. */
#ifndef AC_UTIL_H
#define AC_UTIL_H

#include <algocode/plugin.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* CLOCK_MONOTONIC in milliseconds / microseconds (for intervals; the wall
 * clock for documents is ac_now_ms in result.h). */
int64_t ac_mono_ms(void);
uint64_t ac_mono_us(void);

/* A random UUID, version 4, lower-case, NUL-terminated. */
#define AC_UUID_LEN 37
void ac_uuid4(char out[AC_UUID_LEN]);

/* mkdir -p path with mode for every directory it creates. */
int ac_mkdir_p(const char *path, mode_t mode);
/* mkdir -p of path's parent directories. */
int ac_mkdir_parents(const char *path, mode_t mode);

/* rm -rf path as this process, never through a symlink nor onto another
 * mount (ac_rmtree_at, privsep.h); a missing path is 0. */
int ac_rmtree(const char *path);

/* The names in dir (no "." nor ".."; only those keep() accepts when keep
 * is not NULL), sorted by strcmp, NULL-terminated, in *names (free with
 * ac_names_free); *n their number when n is not NULL. */
int ac_list_dir(const char *dir, bool (*keep)(const char *name), char ***names,
                size_t *n);
void ac_names_free(char **names);

/* Read from fd until EOF or max bytes, retrying EINTR: the number of bytes
 * read, or -errno. */
ssize_t ac_read_bounded(int fd, void *buf, size_t max);

/* Write len bytes to a new file (O_EXCL, no symlink) of that mode. */
int ac_write_file(const char *path, const void *data, size_t len, mode_t mode);
/* Copy the regular file from (no symlink) to a new file to of that mode. */
int ac_copy_file(const char *from, const char *to, mode_t mode);

/* Format an error message into err (errlen bytes); nothing when err is NULL
 * or errlen 0. */
void ac_seterr(char *err, size_t errlen, const char *fmt, ...) AC_PRINTF(3, 4);

/* Is s (len bytes) an id: 1 to max bytes of [A-Za-z0-9._-]? */
bool ac_id_chars_ok(const char *s, size_t len, size_t max);

#endif
