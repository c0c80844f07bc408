/* Helpers shared by the sandbox plugins (header-only: each plugin is its
 * own shared object).  A captured output stream: the judge reads a pipe
 * only the program writes, keeps the first `cap` bytes in `file` and
 * counts everything (stdout/stderr caps, docs/sandbox.md).
 */
#ifndef AC_SBX_STREAM_H
#define AC_SBX_STREAM_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

struct sbx_stream {
	int rfd;       /* pipe read end, -1 once at EOF */
	int file;      /* destination, -1: discard */
	uint64_t cap;  /* bytes kept */
	uint64_t seen; /* bytes read */
	bool over;     /* seen > cap */
};

/* One read (the pipe is non-blocking): keep what fits, count the rest,
 * close the pipe at end of file. */
static inline void sbx_stream_read(struct sbx_stream *s)
{
	char buf[65536];
	ssize_t n = read(s->rfd, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		close(s->rfd);
		s->rfd = -1;
		return;
	}
	if (s->seen < s->cap && s->file >= 0) {
		uint64_t keep = s->cap - s->seen;
		size_t len = (uint64_t)n < keep ? (size_t)n : (size_t)keep;
		const char *p = buf;

		while (len) {
			ssize_t w = write(s->file, p, len);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			p += w;
			len -= (size_t)w;
		}
	}
	s->seen += (uint64_t)n;
	if (s->seen > s->cap)
		s->over = true;
}

#endif
