/* Problem packages: files and directories, read the careful way (every
 * path resolved inside the package, regular files only, sizes bounded,
 * directories in strcmp order). */
#include "problem_int.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* "<root>/<rel>: <message>" into b->err. */
void pb_err(struct pb *b, const char *rel, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!b->err || b->errlen == 0)
		return;
	if (rel && *rel)
		n = snprintf(b->err, b->errlen, "%s/%s: ", b->root, rel);
	else
		n = snprintf(b->err, b->errlen, "%s: ", b->root);
	if (n < 0 || (size_t)n >= b->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(b->err + n, b->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

char *pb_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 2);

	if (!s)
		return NULL;
	memcpy(s, a, la);
	s[la] = '/';
	memcpy(s + la + 1, b, lb + 1);
	return s;
}

/* Resolve rel (relative to the package) to an absolute path inside the
 * package.  Returns 0 with *abs (malloc'ed) and *st, -ENOENT when the path
 * does not exist (no message), or another negative errno with a message:
 * a symlink that leaves the package, a resolution failure. */
int pb_resolve(struct pb *b, const char *rel, char **abs, struct stat *st)
{
	char *path = pb_join(b->root, rel), *real = NULL;
	struct stat lst;
	int ret = 0;

	*abs = NULL;
	if (!path)
		return -ENOMEM;
	if (lstat(path, &lst) < 0) {
		ret = -errno;
		if (ret != -ENOENT)
			pb_err(b, rel, "%s", strerror(errno));
		goto out;
	}
	real = realpath(path, NULL);
	if (!real) {
		ret = -errno;
		pb_err(b, rel, "cannot resolve: %s", strerror(errno));
		goto out;
	}
	if (strncmp(real, b->root, b->rootlen) != 0 ||
	    (real[b->rootlen] != '/' && real[b->rootlen] != '\0')) {
		ret = -EPERM;
		pb_err(b, rel, "symlink points outside the package (to %s)",
		       real);
		goto out;
	}
	if (stat(real, st) < 0) {
		ret = -errno;
		pb_err(b, rel, "%s", strerror(errno));
		goto out;
	}
	*abs = real;
	real = NULL;
out:
	free(real);
	free(path);
	return ret;
}

/* Like pb_resolve, and the result must be a regular file. */
int pb_file(struct pb *b, const char *rel, char **abs, struct stat *st)
{
	int ret = pb_resolve(b, rel, abs, st);

	if (ret < 0)
		return ret;
	if (!S_ISREG(st->st_mode)) {
		pb_err(b, rel, "not a regular file");
		free(*abs);
		*abs = NULL;
		return -EINVAL;
	}
	return 0;
}

/* Read a whole regular file of at most max bytes; NUL-terminated. */
int pb_read(struct pb *b, const char *rel, size_t max, char **data, size_t *len)
{
	struct stat st;
	char *abs = NULL, *buf = NULL;
	size_t n;
	ssize_t r;
	int fd = -1, ret;

	*data = NULL;
	ret = pb_file(b, rel, &abs, &st);
	if (ret < 0)
		return ret;
	if ((uint64_t)st.st_size > max) {
		pb_err(b, rel, "too large (%lld bytes, at most %zu)",
		       (long long)st.st_size, max);
		ret = -EFBIG;
		goto out;
	}
	fd = open(abs, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		ret = -errno;
		pb_err(b, rel, "%s", strerror(errno));
		goto out;
	}
	buf = malloc(max + 1);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	r = ac_read_bounded(fd, buf, max + 1);
	if (r < 0) {
		ret = (int)r;
		pb_err(b, rel, "%s", strerror(-ret));
		goto out;
	}
	n = (size_t)r;
	if (n > max) {
		pb_err(b, rel, "too large (more than %zu bytes)", max);
		ret = -EFBIG;
		goto out;
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	buf = NULL;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	free(abs);
	return ret;
}

void pb_names_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static bool pb_not_dot(const char *name)
{
	return name[0] != '.';
}

/* The entries of a directory (absolute path), without "." names, in
 * strcmp order. */
int pb_list(struct pb *b, const char *abs, const char *rel, char ***out,
            size_t *nout)
{
	char **names;
	size_t n;
	int ret = ac_list_dir(abs, pb_not_dot, &names, &n);

	*out = NULL;
	*nout = 0;
	if (ret < 0) {
		if (b)
			pb_err(b, rel, "%s", strerror(-ret));
		return ret;
	}
	if (n > PB_DIR_MAX) {
		if (b)
			pb_err(b, rel, "more than %d entries", PB_DIR_MAX);
		ac_names_free(names);
		return -E2BIG;
	}
	*out = names;
	*nout = n;
	return 0;
}
