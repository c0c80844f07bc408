/* Small shared helpers of the core; see util.h. */
#define _GNU_SOURCE 1
#include "util.h"

#include "privsep.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int64_t ac_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t ac_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

void ac_uuid4(char out[AC_UUID_LEN])
{
	unsigned char b[16];
	char hex[33];

	randombytes_buf(b, sizeof(b));
	b[6] = (b[6] & 0x0f) | 0x40; /* version 4 */
	b[8] = (b[8] & 0x3f) | 0x80; /* variant 10 */
	sodium_bin2hex(hex, sizeof(hex), b, sizeof(b));
	snprintf(out, AC_UUID_LEN, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8,
	         hex + 12, hex + 16, hex + 20);
}

int ac_mkdir_p(const char *path, mode_t mode)
{
	char buf[4096];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1;; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		if (c == '\0')
			return 0;
		*p = c;
	}
}

int ac_mkdir_parents(const char *path, mode_t mode)
{
	char buf[4096];
	const char *slash = strrchr(path, '/');
	size_t n;

	if (!slash || slash == path)
		return 0;
	n = (size_t)(slash - path);
	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n);
	buf[n] = '\0';
	return ac_mkdir_p(buf, mode);
}

int ac_rmtree(const char *path)
{
	char parent[4096];
	const char *base = strrchr(path, '/');
	int dfd, r;

	if (!base || !base[1] || (size_t)(base - path) >= sizeof(parent))
		return -EINVAL;
	memcpy(parent, path, (size_t)(base - path));
	parent[base - path] = '\0';
	dfd = open(parent[0] ? parent : "/",
	           O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? 0 : -errno;
	r = ac_rmtree_at(dfd, base + 1);
	close(dfd);
	return r;
}

static int util_name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int ac_list_dir(const char *dir, bool (*keep)(const char *name), char ***names,
                size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL;
	size_t k = 0, cap = 0;
	int r = 0;

	*names = NULL;
	if (!d)
		return -errno;
	while ((errno = 0, de = readdir(d))) {
		const char *nm = de->d_name;

		if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0 ||
		    (keep && !keep(nm)))
			continue;
		if (k + 2 > cap) {
			char **nv =
			        realloc(v, (cap = cap * 2 + 8) * sizeof(*v));

			if (!nv) {
				r = -ENOMEM;
				goto out;
			}
			v = nv;
		}
		if (!(v[k] = strdup(nm))) {
			r = -ENOMEM;
			goto out;
		}
		v[++k] = NULL;
	}
	if (errno)
		r = -errno;
	else if (!v && !(v = calloc(1, sizeof(*v))))
		r = -ENOMEM;
out:
	closedir(d);
	if (r < 0) {
		ac_names_free(v);
		return r;
	}
	qsort(v, k, sizeof(*v), util_name_cmp);
	*names = v;
	if (n)
		*n = k;
	return 0;
}

void ac_names_free(char **names)
{
	for (size_t i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}

ssize_t ac_read_bounded(int fd, void *buf, size_t max)
{
	size_t len = 0;

	while (len < max) {
		ssize_t r = read(fd, (char *)buf + len, max - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		len += (size_t)r;
	}
	return (ssize_t)len;
}

static int util_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int util_create(const char *path, mode_t mode)
{
	int fd =
	        open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	             mode);

	return fd < 0 ? -errno : fd;
}

int ac_write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = util_create(path, mode);
	int r;

	if (fd < 0)
		return fd;
	r = util_write_all(fd, data, len);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

int ac_copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int out = -1, r = 0;
	ssize_t n = 0;

	if (in < 0)
		return -errno;
	if ((out = util_create(to, mode)) < 0) {
		r = out;
		goto out;
	}
	while (r == 0 && (n = ac_read_bounded(in, buf, sizeof(buf))) > 0)
		r = util_write_all(out, buf, (size_t)n);
	if (r == 0 && n < 0)
		r = (int)n;
	if (close(out) < 0 && r == 0)
		r = -errno;
out:
	close(in);
	return r;
}

void ac_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

bool ac_id_chars_ok(const char *s, size_t len, size_t max)
{
	if (len == 0 || len > max)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '_' && s[i] != '.')
			return false;
	return true;
}
