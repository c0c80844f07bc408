/* Helpers shared by the sandbox plugins (header-only: each plugin is its
 * own shared object).  Small files of the kernel's (cgroup controls,
 * /proc): one read of the whole file, one write of the whole value, and
 * the word lists they hold.
 */
#ifndef AC_SBX_FILE_H
#define AC_SBX_FILE_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Longest dir/file path the *_at helpers build. */
#define SBX_FILE_PATH (PATH_MAX + 64)

/* Write the string s to path in one write.  Returns 0 or -errno (-EIO
 * when the kernel took only part of it). */
static inline int sbx_write_file(const char *path, const char *s)
{
	size_t len = strlen(s);
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	if (n < 0)
		rc = -errno;
	else if ((size_t)n != len)
		rc = -EIO;
	close(fd);
	return rc;
}

/* Read up to len-1 bytes of path into buf (NUL-terminated) in one read.
 * Returns 0 or -errno. */
static inline int sbx_read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* sbx_write_file and sbx_read_file on dir/file (-ENAMETOOLONG when the
 * path does not fit in SBX_FILE_PATH). */
static inline int sbx_write_at(const char *dir, const char *file, const char *s)
{
	char path[SBX_FILE_PATH];

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	return sbx_write_file(path, s);
}

static inline int sbx_read_at(const char *dir, const char *file, char *buf,
                              size_t len)
{
	char path[SBX_FILE_PATH];

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	return sbx_read_file(path, buf, len);
}

/* Does the list `list`, words separated by `sep` and ending at a NUL or a
 * newline, hold `word` (mount options, the controllers of a hierarchy)? */
static inline bool sbx_has_word(const char *list, const char *word, char sep)
{
	size_t wl = strlen(word);
	const char *p = list;

	while (p && *p) {
		const char *e = strchr(p, sep);
		size_t l = e ? (size_t)(e - p) : strcspn(p, "\n");

		if (l == wl && strncmp(p, word, wl) == 0)
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

#endif
