/* Privilege separation, the root side: the helper that keeps root and
 * the real sandbox plugin, and serves the proxy's requests (OpenSSH's
 * monitor.c).  Every path it is sent is opened beneath judge.work_dir
 * without following links.  See privsep.h and docs/architecture.md. */
#define _GNU_SOURCE 1
#include "privsep.h"
#include "privsep_wire.h"

#include "config.h"
#include "core.h"
#include "loader.h"
#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/magic.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

/* Give the box tree back to the judge's user after a run.  Descriptor
 * based: every entry is opened beneath its directory with openat2, never
 * through a link and never onto another mount (a box holding a mount
 * point must not lead root elsewhere); symlinks, devices and
 * multiply-linked files are left alone; set-id bits never survive. */
static void ps_chown_tree(int dfd, uid_t uid, gid_t gid, int depth,
                          long *budget)
{
	DIR *d;
	struct dirent *e;

	if (fchown(dfd, uid, gid) < 0) {
		close(dfd);
		return;
	}
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	while ((e = readdir(d)) && --*budget > 0) {
		struct stat sb;
		int fd;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		fd = ps_openat2(dirfd(d), e->d_name, O_PATH | O_NOFOLLOW,
		                PS_STRICT);
		if (fd < 0)
			continue;
		if (fstat(fd, &sb) < 0) {
			close(fd);
			continue;
		}
		if (S_ISDIR(sb.st_mode) && depth < PS_CHOWN_MAX_DEPTH) {
			int sub = ps_openat2(fd, ".", O_RDONLY | O_DIRECTORY,
			                     PS_STRICT);

			if (sub >= 0)
				ps_chown_tree(sub, uid, gid, depth + 1, budget);
		} else if (S_ISREG(sb.st_mode) && sb.st_nlink == 1 &&
		           (sb.st_uid != uid || sb.st_gid != gid)) {
			/* chown clears set-user-id and set-group-id. */
			fchownat(fd, "", uid, gid, AT_EMPTY_PATH);
		}
		close(fd);
	}
	closedir(d);
}

/* ------------------------------------------------------------ the helper */

struct ps_helper {
	const struct ac_sandbox_ops *ops;
	void *state;
	const char *work; /* judge.work_dir: every box lies beneath it */
	uid_t uid;
	gid_t gid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int inflight;
};

struct ps_req {
	struct ps_helper *h;
	char *buf;
	size_t len;
	int fds[PS_MAX_FDS];
	int nfds;
};

/* Take the next NUL-terminated string from [*p, end). */
static const char *ps_str(const char **p, const char *end)
{
	const char *s = *p;
	const char *nul = memchr(s, '\0', (size_t)(end - s));

	if (!nul)
		return NULL;
	*p = nul + 1;
	return s;
}

static int ps_strv(const char **p, const char *end, uint32_t n,
                   const char ***out)
{
	const char **v = calloc((size_t)n + 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		if (!(v[i] = ps_str(p, end))) {
			free(v);
			return -EBADMSG;
		}
	*out = v;
	return 0;
}

struct ps_line_ctx {
	int sock;
};

static void ps_line_cb(void *arg, const char *what, bool enforced,
                       const char *detail)
{
	struct ps_line_ctx *lc = arg;
	struct ps_line l;

	memset(&l, 0, sizeof(l));
	l.enforced = enforced;
	snprintf(l.what, sizeof(l.what), "%s", what ? what : "");
	snprintf(l.detail, sizeof(l.detail), "%s", detail ? detail : "");
	ps_sendmsg(lc->sock, &l, sizeof(l), NULL, 0);
}

static void ps_fail(struct ps_reply *r, int rc, const char *what,
                    const char *detail)
{
	r->rc = rc;
	snprintf(r->rep.internal_error, sizeof(r->rep.internal_error),
	         "sandbox helper: %s%.200s", what, detail ? detail : "");
}

/* The parent of `path`, which must lie beneath judge.work_dir (not be
 * it), opened through no link and onto no other mount; *base is the last
 * component.  A descriptor (O_PATH), or -1 with the reason in r. */
static int ps_parent(struct ps_helper *h, const char *path, const char **base,
                     struct ps_reply *r)
{
	size_t wl = strlen(h->work);
	char rel[PATH_MAX], *slash;
	int wfd, pfd;

	while (wl > 1 && h->work[wl - 1] == '/')
		wl--;
	if (!path || strncmp(path, h->work, wl) != 0 || path[wl] != '/' ||
	    !path[wl + 1] || strlen(path + wl + 1) >= sizeof(rel)) {
		ps_fail(r, -EPERM,
		        "not beneath judge.work_dir: ", path ? path : "");
		return -1;
	}
	snprintf(rel, sizeof(rel), "%s", path + wl + 1);
	slash = strrchr(rel, '/');
	*base = path + wl + 1 + (slash ? slash - rel + 1 : 0);
	if (slash)
		*slash = '\0';
	else
		rel[0] = '\0';
	wfd = ps_openat2(AT_FDCWD, h->work, O_PATH | O_DIRECTORY,
	                 PS_RESOLVE_NO_SYMLINKS | PS_RESOLVE_NO_MAGICLINKS);
	if (wfd < 0) {
		char msg[300];

		snprintf(msg, sizeof(msg),
		         "%.200s: %s (no symbolic link may lie on its path)",
		         h->work, strerror(errno));
		ps_fail(r, -EPERM, "judge.work_dir ", msg);
		return -1;
	}
	if (!rel[0])
		return wfd;
	pfd = ps_openat2(wfd, rel, O_PATH | O_DIRECTORY, PS_STRICT);
	if (pfd < 0)
		ps_fail(r, errno == ENOENT ? -ENOENT : -EPERM,
		        "cannot reach (through no link or mount) ", path);
	close(wfd);
	return pfd;
}

/* fd is the root of a tmpfs mounted on a box by the helper
 * (PS_BOX_MOUNT): on another device than its parent pfd, a tmpfs. */
static bool ps_is_box_mount(int pfd, int fd)
{
	struct stat ps, bs;
	struct statfs fs;

	return fstat(pfd, &ps) == 0 && fstat(fd, &bs) == 0 &&
	       ps.st_dev != bs.st_dev && fstatfs(fd, &fs) == 0 &&
	       fs.f_type == TMPFS_MAGIC;
}

/* The directory `name` beneath pfd, through no link; it may be the root
 * of a box tmpfs (nothing else mounted). */
static int ps_open_dir_or_box(int pfd, const char *name)
{
	int fd = ps_openat2(pfd, name, O_PATH | O_DIRECTORY,
	                    PS_RESOLVE_BENEATH | PS_RESOLVE_NO_SYMLINKS |
	                            PS_RESOLVE_NO_MAGICLINKS);
	struct stat ps, bs;

	if (fd < 0)
		return -1;
	if (fstat(pfd, &ps) < 0 || fstat(fd, &bs) < 0 ||
	    (ps.st_dev != bs.st_dev && !ps_is_box_mount(pfd, fd))) {
		close(fd);
		errno = EXDEV;
		return -1;
	}
	return fd;
}

/* Unmount the box tmpfs at `name` beneath pfd, if it is one. */
static void ps_unmount_box(int pfd, const char *name)
{
	int fd = ps_openat2(pfd, name, O_PATH | O_DIRECTORY,
	                    PS_RESOLVE_BENEATH | PS_RESOLVE_NO_SYMLINKS |
	                            PS_RESOLVE_NO_MAGICLINKS);
	char self[64];

	if (fd < 0)
		return;
	if (ps_is_box_mount(pfd, fd)) {
		snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
		if (umount2(self, MNT_DETACH) < 0)
			log_warn("sandbox helper: cannot unmount a box: %s",
			         strerror(errno));
	}
	close(fd);
}

/* The box named by the judge, opened by the helper (see ps_do_run). */
static int ps_open_box(struct ps_helper *h, const char *box, struct ps_reply *r)
{
	const char *base;
	struct stat sb;
	int pfd, fd;

	if ((pfd = ps_parent(h, box, &base, r)) < 0)
		return -1;
	fd = ps_open_dir_or_box(pfd, base);
	close(pfd);
	if (fd < 0 || fstat(fd, &sb) < 0 || !S_ISDIR(sb.st_mode) ||
	    sb.st_uid != h->uid) {
		if (fd >= 0)
			close(fd);
		ps_fail(r, -EPERM,
		        "the box must be a directory of the judge's user "
		        "beneath judge.work_dir, reached through no link or "
		        "mount: ",
		        box);
		return -1;
	}
	return fd;
}

/* The reply socket must be what the proxy makes: an unnamed AF_UNIX
 * SOCK_SEQPACKET socket whose peer is the judge (root must not write to
 * a socket connected to some daemon). */
static bool ps_reply_ok(const struct ps_helper *h, int sock)
{
	struct sockaddr_storage sa;
	struct ucred cr;
	socklen_t l;
	int v;

	l = sizeof(v);
	if (getsockopt(sock, SOL_SOCKET, SO_TYPE, &v, &l) < 0 ||
	    v != SOCK_SEQPACKET)
		return false;
	l = sizeof(v);
	if (getsockopt(sock, SOL_SOCKET, SO_DOMAIN, &v, &l) < 0 || v != AF_UNIX)
		return false;
	l = sizeof(sa);
	if (getsockname(sock, (struct sockaddr *)&sa, &l) < 0 ||
	    l != sizeof(sa_family_t))
		return false;
	l = sizeof(cr);
	if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cr, &l) < 0 ||
	    cr.uid != h->uid)
		return false;
	return true;
}

/* One PS_RUN request: check what the helper must not take on trust, run,
 * give the box back. */
static void ps_do_run(struct ps_helper *h, const struct ps_hdr *hd,
                      const char *p, const char *end, int *fds, int nfds,
                      struct ps_reply *r)
{
	const char *box, *in, *out, *err;
	const char **argv = NULL, **envp = NULL, **sys = NULL, **ro = NULL;
	struct ac_run_profile prof = {NULL, NULL};
	struct ac_run_spec spec;
	struct ac_run_fds rf = {-1, -1, -1, -1, NULL};
	int want = 1, k = 1, dfd, *ro_fds = NULL;
	long budget = PS_CHOWN_MAX_ENTRIES;

	want += !!(hd->flags & PS_F_IN) + !!(hd->flags & PS_F_OUT) +
	        !!(hd->flags & PS_F_ERR);
	if (nfds != want || hd->nargv == 0 || hd->nargv > PS_MAX_STRS ||
	    hd->nenv > PS_MAX_STRS || hd->nsys > PS_MAX_STRS ||
	    hd->nro > PS_MAX_STRS) {
		ps_fail(r, -EBADMSG, "malformed request", NULL);
		return;
	}
	if (!(box = ps_str(&p, end)) || !(in = ps_str(&p, end)) ||
	    !(out = ps_str(&p, end)) || !(err = ps_str(&p, end)) ||
	    ps_strv(&p, end, hd->nargv, &argv) < 0 ||
	    ps_strv(&p, end, hd->nenv, &envp) < 0 ||
	    ps_strv(&p, end, hd->nsys, &sys) < 0 ||
	    ps_strv(&p, end, hd->nro, &ro) < 0) {
		ps_fail(r, -EBADMSG, "malformed request", NULL);
		goto out;
	}
	/* The helper opens the box itself, in its own mount namespace:
	 * beneath judge.work_dir, through no link and onto no other mount,
	 * and it must be a directory of the judge's user.  (A descriptor
	 * from the judge could name a directory in a mount namespace of the
	 * judge's making, or /proc/self/net, which root would then chown.) */
	if ((rf.box = ps_open_box(h, box, r)) < 0)
		goto out;
	if (hd->flags & PS_F_IN)
		rf.in = fds[k++];
	if (hd->flags & PS_F_OUT)
		rf.out = fds[k++];
	if (hd->flags & PS_F_ERR)
		rf.err = fds[k++];
	/* Read-only paths are bound into the sandbox by root: only what
	 * the judge's user could read itself (a compromised judge must not
	 * get /etc/shadow this way), pinned as descriptors (ps_pin_ro). */
	if (hd->nro && !(ro_fds = malloc(hd->nro * sizeof(*ro_fds)))) {
		ps_fail(r, -ENOMEM, "out of memory", NULL);
		goto out;
	}
	for (uint32_t i = 0; i < hd->nro; i++)
		ro_fds[i] = -1;
	for (uint32_t i = 0; i < hd->nro; i++) {
		const char *why;

		if (ps_readable_by(ro[i], h->uid, h->gid, &why) < 0 ||
		    (ro_fds[i] = ps_pin_ro(ro[i], h->uid, h->gid, &why)) < 0) {
			char msg[300];

			snprintf(msg, sizeof(msg), "%.200s %s", ro[i], why);
			ps_fail(r, -EPERM, "profile ro_path ", msg);
			goto out;
		}
	}
	rf.ro = ro_fds;
	memset(&spec, 0, sizeof(spec));
	spec.argv = argv;
	spec.envp = (hd->flags & PS_F_ENV) ? envp : NULL;
	spec.box_dir = box;
	spec.stdin_path = in[0] ? in : NULL;
	spec.stdout_path = out[0] ? out : NULL;
	spec.stderr_path = err[0] ? err : NULL;
	spec.limits = hd->limits;
	if (hd->nsys || hd->nro) {
		prof.syscalls = hd->nsys ? sys : NULL;
		prof.ro_paths = hd->nro ? ro : NULL;
		spec.profile = &prof;
	}
	spec.fds = &rf;
	r->rc = h->ops->run(h->state, &spec, &r->rep);
	/* Whatever the run left in the box belongs to the judge again. */
	dfd = ps_openat2(rf.box, ".", O_RDONLY | O_DIRECTORY, PS_STRICT);
	if (dfd >= 0)
		ps_chown_tree(dfd, h->uid, h->gid, 0, &budget);
out:
	if (rf.box >= 0)
		close(rf.box);
	for (uint32_t i = 0; ro_fds && i < hd->nro; i++)
		if (ro_fds[i] >= 0)
			close(ro_fds[i]);
	free(ro_fds);
	free(argv);
	free(envp);
	free(sys);
	free(ro);
}

/* One PS_REMOVE request: the tree at a path beneath judge.work_dir (not
 * the work dir itself), reached through no link and onto no other mount,
 * removed as root whatever its modes and depth; a box tmpfs at the path
 * or at <path>/box (a run directory) is unmounted first. */
static void ps_do_remove(struct ps_helper *h, const char *p, const char *end,
                         struct ps_reply *r)
{
	const char *path = ps_str(&p, end), *base;
	int pfd, dfd;

	if ((pfd = ps_parent(h, path, &base, r)) < 0) {
		if (r->rc == -ENOENT) {
			r->rc = 0; /* gone already */
			r->rep.internal_error[0] = '\0';
		}
		return;
	}
	ps_unmount_box(pfd, base);
	dfd = ps_openat2(pfd, base, O_PATH | O_DIRECTORY, PS_STRICT);
	if (dfd >= 0) {
		ps_unmount_box(dfd, "box");
		close(dfd);
	}
	r->rc = ac_rmtree_at(pfd, base);
	if (r->rc < 0)
		ps_fail(r, r->rc, "cannot remove ", path);
	close(pfd);
}

/* One PS_BOX_MOUNT request: a tmpfs of size_kb on the empty box at path
 * (a directory of the judge's user beneath judge.work_dir, on the work
 * dir's own file system), owned by the judge's user.  What a test writes
 * in its box is then bounded, and the sandbox shows no host path for it
 * in /proc/self/mountinfo. */
static void ps_do_box_mount(struct ps_helper *h, const struct ps_hdr *hd,
                            const char *p, const char *end, struct ps_reply *r)
{
	const char *path = ps_str(&p, end), *base;
	char self[64], opts[160];
	struct stat sb;
	int pfd, fd;

	if ((pfd = ps_parent(h, path, &base, r)) < 0)
		return;
	fd = ps_openat2(pfd, base, O_PATH | O_DIRECTORY, PS_STRICT);
	close(pfd);
	if (fd < 0 || fstat(fd, &sb) < 0 || sb.st_uid != h->uid ||
	    hd->limits.fsize_kb == 0) {
		if (fd >= 0)
			close(fd);
		ps_fail(r, -EPERM,
		        "a box to mount must be a directory of the judge's "
		        "user beneath judge.work_dir: ",
		        path);
		return;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	snprintf(opts, sizeof(opts), "size=%lluk,mode=0755,uid=%u,gid=%u",
	         (unsigned long long)hd->limits.fsize_kb, (unsigned)h->uid,
	         (unsigned)h->gid);
	if (mount("tmpfs", self, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0) {
		r->rc = -errno;
		ps_fail(r, r->rc,
		        "cannot mount a tmpfs on the box: ", strerror(errno));
	} else {
		r->rc = 0;
	}
	close(fd);
}

static void *ps_req_thread(void *arg)
{
	struct ps_req *q = arg;
	struct ps_helper *h = q->h;
	const struct ps_hdr *hd = (const struct ps_hdr *)q->buf;
	const char *p = q->buf + sizeof(*hd), *end = q->buf + q->len;
	int sock = q->fds[0];

	if (!ps_reply_ok(h, sock)) {
		log_warn("sandbox helper: refused a request whose reply "
		         "socket is not the judge's own socket pair");
	} else if (hd->op == PS_RUN) {
		struct ps_reply r;

		memset(&r, 0, sizeof(r));
		ps_do_run(h, hd, p, end, q->fds, q->nfds, &r);
		ps_sendmsg(sock, &r, sizeof(r), NULL, 0);
	} else if ((hd->op == PS_REMOVE || hd->op == PS_BOX_MOUNT) &&
	           q->nfds == 1) {
		struct ps_reply r;

		memset(&r, 0, sizeof(r));
		if (hd->op == PS_REMOVE)
			ps_do_remove(h, p, end, &r);
		else
			ps_do_box_mount(h, hd, p, end, &r);
		ps_sendmsg(sock, &r, sizeof(r), NULL, 0);
	} else if (hd->op == PS_ENFORCING && q->nfds == 1) {
		struct ps_reply r;

		memset(&r, 0, sizeof(r));
		r.rc = h->ops->enforcing(h->state);
		ps_sendmsg(sock, &r, sizeof(r), NULL, 0);
	} else if (hd->op == PS_CHECK_ENV && q->nfds == 1) {
		struct ps_line_ctx lc = {sock};
		struct ps_line l;

		memset(&l, 0, sizeof(l));
		l.rc = h->ops->check_env(h->state, ps_line_cb, &lc);
		l.done = 1;
		ps_sendmsg(sock, &l, sizeof(l), NULL, 0);
	} else {
		/* Not one of the operations: no answer, the socket closes. */
		log_warn("sandbox helper: refused a request (operation %u)",
		         (unsigned)hd->op);
	}
	ps_close_fds(q->fds, q->nfds);
	free(q->buf);
	free(q);
	pthread_mutex_lock(&h->mu);
	h->inflight--;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

/* Receive one request; 1 on a request handed to a thread, 0 on end of
 * file (the judge is gone), -1 on a bad message (dropped). */
static int ps_helper_one(struct ps_helper *h, int ctl, char *buf)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * PS_MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct iovec iov = {buf, PS_MAX_MSG};
	struct msghdr mh;
	struct cmsghdr *cm;
	struct ps_req *q;
	pthread_attr_t at;
	pthread_t t;
	int fds[PS_MAX_FDS], nfds = 0;
	ssize_t n;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	do
		n = recvmsg(ctl, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return 0;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		for (size_t i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
			       sizeof(int));
			if (nfds < PS_MAX_FDS)
				fds[nfds++] = fd;
			else
				close(fd);
		}
	}
	if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
	    (size_t)n < sizeof(struct ps_hdr) || nfds < 1 ||
	    ((const struct ps_hdr *)buf)->magic != PS_MAGIC) {
		log_warn("sandbox helper: dropped a malformed request");
		ps_close_fds(fds, nfds);
		return -1;
	}
	q = calloc(1, sizeof(*q));
	if (!q || !(q->buf = malloc((size_t)n))) {
		free(q);
		ps_close_fds(fds, nfds);
		return -1;
	}
	memcpy(q->buf, buf, (size_t)n);
	q->len = (size_t)n;
	q->h = h;
	memcpy(q->fds, fds, sizeof(int) * (size_t)nfds);
	q->nfds = nfds;
	pthread_mutex_lock(&h->mu);
	while (h->inflight >= PS_MAX_INFLIGHT)
		pthread_cond_wait(&h->cv, &h->mu);
	h->inflight++;
	pthread_mutex_unlock(&h->mu);
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &at, ps_req_thread, q) != 0) {
		pthread_mutex_lock(&h->mu);
		h->inflight--;
		pthread_mutex_unlock(&h->mu);
		ps_close_fds(q->fds, q->nfds);
		free(q->buf);
		free(q);
	}
	pthread_attr_destroy(&at);
	return 1;
}

int ps_helper_loop(int ctl, const struct ac_sandbox_ops *ops, void *state,
                   const char *work_dir, uid_t uid, gid_t gid)
{
	struct ps_helper h;
	char *buf = malloc(PS_MAX_MSG);

	if (!buf)
		return -ENOMEM;
	memset(&h, 0, sizeof(h));
	h.ops = ops;
	h.state = state;
	h.work = work_dir;
	h.uid = uid;
	h.gid = gid;
	pthread_mutex_init(&h.mu, NULL);
	pthread_cond_init(&h.cv, NULL);
	while (ps_helper_one(&h, ctl, buf) != 0)
		;
	/* The judge closed its end: finish what runs, then go. */
	pthread_mutex_lock(&h.mu);
	while (h.inflight > 0)
		pthread_cond_wait(&h.cv, &h.mu);
	pthread_mutex_unlock(&h.mu);
	pthread_cond_destroy(&h.cv);
	pthread_mutex_destroy(&h.mu);
	free(buf);
	return 0;
}
