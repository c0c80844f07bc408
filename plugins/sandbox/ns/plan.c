/* sandbox/ns: building mount plans (struct nsx_plan, run by child.c or the
 * template builder).
 */
#define _GNU_SOURCE 1
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "plan.h"
#include "state.h"

/* ------------------------------------------------------------ plan */

int plan_add(struct nsx_plan *p, enum nsx_step_kind kind, bool is_dir,
             const char *src, const char *dst)
{
	struct nsx_step *s;

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 32;
		struct nsx_step *v = realloc(p->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		p->v = v;
		p->cap = cap;
	}
	s = &p->v[p->n];
	s->kind = kind;
	s->is_dir = is_dir;
	s->fd = -1;
	s->src = src ? strdup(src) : NULL;
	s->dst = strdup(dst);
	if ((src && !s->src) || !s->dst) {
		free(s->src);
		free(s->dst);
		return -ENOMEM;
	}
	p->n++;
	return 0;
}

void plan_free(struct nsx_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].src);
		free(p->v[i].dst);
		if (p->v[i].fd >= 0)
			close(p->v[i].fd);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

/* mkdir steps for the parent directories of `rel` (relative to the new
 * root). */
int plan_parents(struct nsx_plan *p, const char *rel)
{
	char dir[4096];
	int rc;

	for (const char *q = strchr(rel, '/'); q; q = strchr(q + 1, '/')) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(q - rel), rel);
		if ((rc = plan_add(p, NSX_MKDIR, true, NULL, dir)) < 0)
			return rc;
	}
	return 0;
}

/* Mirror host path `abs` (absolute) at the same place in the new root:
 * a symlink is recreated, a directory or regular file is bound read-only,
 * anything missing is skipped.  Parent directories are created first. */
int plan_mirror_at(struct nsx_plan *p, const char *abs, const char *at);

int plan_mirror(struct nsx_plan *p, const char *abs)
{
	return plan_mirror_at(p, abs, abs);
}

/* Like plan_mirror, but host path `abs` appears at `at` (absolute). */
int plan_mirror_at(struct nsx_plan *p, const char *abs, const char *at)
{
	struct stat sb;
	const char *rel = at + 1;
	char target[4096];
	ssize_t n;
	int rc;

	if (lstat(abs, &sb) < 0)
		return 0;
	if ((rc = plan_parents(p, rel)) < 0)
		return rc;
	if (S_ISLNK(sb.st_mode)) {
		n = readlink(abs, target, sizeof(target) - 1);
		if (n < 0)
			return 0;
		target[n] = '\0';
		return plan_add(p, NSX_SYMLINK, false, target, rel);
	}
	if (S_ISDIR(sb.st_mode) || S_ISREG(sb.st_mode))
		return plan_add(p, NSX_BIND_RO, S_ISDIR(sb.st_mode), abs, rel);
	return 0;
}
