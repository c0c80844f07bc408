/* Privilege separation, the unprivileged side: the proxy that stands in
 * for the sandbox plugin and forwards each call to the root helper
 * (OpenSSH's monitor_wrap.c), and the set-up that forks the helper and
 * installs the proxy.  See privsep.h and docs/architecture.md. */
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

/* The proxy: what the unprivileged process holds in place of the plugin. */
struct ps_proxy {
	int ctl;
	pid_t pid;
	struct event *watch;
};

/* ------------------------------------------------------------ the proxy */

static void ps_report_error(struct ac_run_report *r, const char *what,
                            const char *path, int e)
{
	snprintf(r->internal_error, sizeof(r->internal_error), "%s %.150s: %s",
	         what, path ? path : "", strerror(e));
}

/* Append a string (NULL as "") to the request. */
static int ps_put(char *buf, size_t *off, const char *s)
{
	size_t n = strlen(s ? s : "") + 1;

	if (*off + n > PS_MAX_MSG)
		return -EMSGSIZE;
	memcpy(buf + *off, s ? s : "", n);
	*off += n;
	return 0;
}

static int ps_put_v(char *buf, size_t *off, const char *const *v,
                    uint32_t *count)
{
	int rc;

	*count = 0;
	for (size_t i = 0; v && v[i]; i++) {
		if (*count >= PS_MAX_STRS)
			return -E2BIG;
		if ((rc = ps_put(buf, off, v[i])) < 0)
			return rc;
		(*count)++;
	}
	return 0;
}

/* The header of a request for operation op, its other fields zero. */
static void ps_hdr_init(struct ps_hdr *hd, uint32_t op)
{
	memset(hd, 0, sizeof(*hd));
	hd->magic = PS_MAGIC;
	hd->op = op;
}

/* Send one request and return the socket its answers come on. */
static int ps_request(int ctl, const void *buf, size_t len, const int *extra,
                      int nextra)
{
	int sp[2], fds[PS_MAX_FDS], rc;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return -errno;
	fds[0] = sp[1];
	for (int i = 0; i < nextra; i++)
		fds[1 + i] = extra[i];
	rc = ps_sendmsg(ctl, buf, len, fds, 1 + nextra);
	close(sp[1]);
	if (rc < 0) {
		close(sp[0]);
		return rc;
	}
	return sp[0];
}

int ps_proxy_run(int ctl, const struct ac_run_spec *spec,
                 struct ac_run_report *rep)
{
	struct ps_hdr hd;
	struct ps_reply r;
	char *buf;
	size_t off = sizeof(hd);
	int fds[3] = {-1, -1, -1}, nfds = 0, own[3] = {-1, -1, -1};
	int sock = -1, rc = 0;

	if (!spec || !rep || !spec->argv || !spec->argv[0] || !spec->box_dir)
		return -EINVAL;
	memset(rep, 0, sizeof(*rep));
	buf = malloc(PS_MAX_MSG);
	if (!buf)
		return -ENOMEM;
	ps_hdr_init(&hd, PS_RUN);
	hd.limits = spec->limits;
	if (spec->envp)
		hd.flags |= PS_F_ENV;
	/* The judge's own descriptors: opened here, as the judge's user. */
	if (spec->fds) {
		if (spec->fds->in >= 0)
			hd.flags |= PS_F_IN, fds[nfds++] = spec->fds->in;
		if (spec->fds->out >= 0)
			hd.flags |= PS_F_OUT, fds[nfds++] = spec->fds->out;
		if (spec->fds->err >= 0)
			hd.flags |= PS_F_ERR, fds[nfds++] = spec->fds->err;
	} else {
		/* stdin, stdout, stderr in flag order; outputs are created
		 * 0600 and truncated, nothing is followed. */
		const char *path[3] = {spec->stdin_path, spec->stdout_path,
		                       spec->stderr_path};
		static const char *const name[3] = {"stdin", "stdout",
		                                    "stderr"};
		static const uint32_t flag[3] = {PS_F_IN, PS_F_OUT, PS_F_ERR};

		for (int i = 0; i < 3; i++) {
			if (!path[i])
				continue;
			own[i] = i == 0 ? open(path[i], O_RDONLY | O_NOFOLLOW |
			                                        O_CLOEXEC)
			                : open(path[i],
			                       O_WRONLY | O_CREAT | O_TRUNC |
			                               O_NOFOLLOW | O_CLOEXEC,
			                       0600);
			if (own[i] < 0) {
				ps_report_error(rep, name[i], path[i], errno);
				goto out;
			}
			hd.flags |= flag[i];
			fds[nfds++] = own[i];
		}
	}
	if ((rc = ps_put(buf, &off, spec->box_dir)) < 0 ||
	    (rc = ps_put(buf, &off, spec->stdin_path)) < 0 ||
	    (rc = ps_put(buf, &off, spec->stdout_path)) < 0 ||
	    (rc = ps_put(buf, &off, spec->stderr_path)) < 0 ||
	    (rc = ps_put_v(buf, &off, spec->argv, &hd.nargv)) < 0 ||
	    (rc = ps_put_v(buf, &off, spec->envp, &hd.nenv)) < 0 ||
	    (rc = ps_put_v(buf, &off,
	                   spec->profile ? spec->profile->syscalls : NULL,
	                   &hd.nsys)) < 0 ||
	    (rc = ps_put_v(buf, &off,
	                   spec->profile ? spec->profile->ro_paths : NULL,
	                   &hd.nro)) < 0)
		goto out; /* too large: the caller's error */
	memcpy(buf, &hd, sizeof(hd));
	sock = ps_request(ctl, buf, off, fds, nfds);
	if (sock < 0) {
		ps_report_error(rep, "sandbox helper", "(request)", -sock);
		goto out;
	}
	memset(&r, 0, sizeof(r));
	if ((rc = ps_recv_exact(sock, &r, sizeof(r))) < 0) {
		snprintf(rep->internal_error, sizeof(rep->internal_error),
		         "sandbox helper: no answer (%s)",
		         rc == -EPIPE ? "it refused the request or is gone"
		                      : strerror(-rc));
		rc = 0;
		goto out;
	}
	*rep = r.rep;
	rep->internal_error[sizeof(rep->internal_error) - 1] = '\0';
	rc = r.rc;
out:
	if (sock >= 0)
		close(sock);
	ps_close_fds(own, 3);
	free(buf);
	return rc;
}

static int px_run(void *state, const struct ac_run_spec *spec,
                  struct ac_run_report *rep)
{
	return ps_proxy_run(((struct ps_proxy *)state)->ctl, spec, rep);
}

static int px_simple(struct ps_proxy *px, uint32_t op, int *sock)
{
	struct ps_hdr hd;

	ps_hdr_init(&hd, op);
	*sock = ps_request(px->ctl, &hd, sizeof(hd), NULL, 0);
	return *sock < 0 ? *sock : 0;
}

static int px_enforcing(void *state)
{
	struct ps_reply r;
	int sock, rc;

	if ((rc = px_simple(state, PS_ENFORCING, &sock)) < 0)
		return rc;
	rc = ps_recv_exact(sock, &r, sizeof(r));
	close(sock);
	return rc < 0 ? rc : r.rc;
}

static int px_check_env(void *state, ac_line_cb cb, void *arg)
{
	struct ps_line l;
	int sock, rc;

	if ((rc = px_simple(state, PS_CHECK_ENV, &sock)) < 0)
		return rc;
	for (;;) {
		if ((rc = ps_recv_exact(sock, &l, sizeof(l))) < 0)
			break;
		if (l.done) {
			rc = l.rc;
			break;
		}
		l.what[sizeof(l.what) - 1] = '\0';
		l.detail[sizeof(l.detail) - 1] = '\0';
		cb(arg, l.what, l.enforced != 0, l.detail);
	}
	close(sock);
	return rc;
}

static int px_init(const struct ac_host *host, struct ac_plugin_ctx *ctx,
                   void **state)
{
	(void)host;
	(void)ctx;
	(void)state;
	return -ENOTSUP; /* made by ac_privsep_setup, never loaded */
}

static void px_fini(void *state)
{
	struct ps_proxy *px = state;
	int st;

	if (!px)
		return;
	if (px->watch)
		event_free(px->watch);
	close(px->ctl);
	/* The helper finishes its runs on end of file and exits. */
	while (waitpid(px->pid, &st, 0) < 0 && errno == EINTR)
		;
	free(px);
}

static const struct ac_sandbox_ops px_ops = {
        .init = px_init,
        .fini = px_fini,
        .run = px_run,
        .check_env = px_check_env,
        .enforcing = px_enforcing,
};

/* What the judge's core sees as its sandbox plugin under privilege
 * separation: the proxy to the helper. */
static const struct ac_plugin px_desc =
        AC_PLUGIN_DESCRIPTOR(AC_KIND_SANDBOX, "helper",
                             "the sandbox plugin in the root helper process",
                             PACKAGE_VERSION, px_ops, NULL);

static int ps_proxy_path(int ctl, uint32_t op, const char *path,
                         uint64_t size_kb);

int ac_privsep_remove(const struct ac_sandbox_ops *sb, void *state,
                      const char *path)
{
	if (sb != &px_ops || !state)
		return -ENOTSUP;
	return ps_proxy_remove(((struct ps_proxy *)state)->ctl, path);
}

int ac_privsep_box_mount(const struct ac_sandbox_ops *sb, void *state,
                         const char *path, uint64_t size_kb)
{
	if (sb != &px_ops || !state)
		return -ENOTSUP;
	return ps_proxy_box_mount(((struct ps_proxy *)state)->ctl, path,
	                          size_kb);
}

int ps_proxy_remove(int ctl, const char *path)
{
	return ps_proxy_path(ctl, PS_REMOVE, path, 0);
}

int ps_proxy_box_mount(int ctl, const char *path, uint64_t size_kb)
{
	return ps_proxy_path(ctl, PS_BOX_MOUNT, path, size_kb);
}

static int ps_proxy_path(int ctl, uint32_t op, const char *path,
                         uint64_t size_kb)
{
	struct ps_reply r;
	struct ps_hdr hd;
	char *buf;
	size_t off = sizeof(hd);
	int sock, rc;

	if (!path || path[0] != '/')
		return -EINVAL;
	buf = malloc(PS_MAX_MSG);
	if (!buf)
		return -ENOMEM;
	ps_hdr_init(&hd, op);
	hd.limits.fsize_kb = size_kb;
	memcpy(buf, &hd, sizeof(hd));
	if ((rc = ps_put(buf, &off, path)) < 0) {
		free(buf);
		return rc;
	}
	sock = ps_request(ctl, buf, off, NULL, 0);
	free(buf);
	if (sock < 0)
		return sock;
	memset(&r, 0, sizeof(r));
	rc = ps_recv_exact(sock, &r, sizeof(r));
	close(sock);
	if (rc < 0)
		return rc;
	if (r.rc < 0) {
		r.rep.internal_error[sizeof(r.rep.internal_error) - 1] = '\0';
		log_warn("%s", r.rep.internal_error);
	}
	return r.rc;
}

/* ------------------------------------------------------------ setup */

static bool ps_user_setting(const struct ac_config *cfg, const char **user)
{
	*user = ac_config_string(cfg, "user", NULL);
	return *user && (*user)[0] && strcmp(*user, "root") != 0;
}

bool ac_privsep_describe(const struct ac_config *cfg, char *buf, size_t len)
{
	const char *user;
	struct passwd *pw;

	if (!ps_user_setting(cfg, &user)) {
		snprintf(buf, len,
		         "`user` is %s: serve keeps root in the process that "
		         "speaks HTTP and reads the queue",
		         user && user[0] ? "root" : "not set");
		return false;
	}
	pw = getpwnam(user);
	if (!pw) {
		snprintf(buf, len,
		         "`user` is \"%s\", which does not exist here: serve "
		         "refuses to start",
		         user);
		return false;
	}
	snprintf(buf, len,
	         "serve runs as %s (uid %u); the sandbox in a root helper",
	         user, (unsigned)pw->pw_uid);
	return true;
}

/* Create `dir` if missing and give it to uid:gid; when root owned it,
 * what root left directly in it goes to the user too (an installation
 * first run as root). */
static int ps_state_dir(const char *dir, uid_t uid, gid_t gid, char *err,
                        size_t errlen)
{
	struct stat sb;
	bool was_root;
	int dfd;

	if (!dir || dir[0] != '/') {
		snprintf(err, errlen, "state_dirs: \"%s\" is not absolute",
		         dir ? dir : "");
		return -EINVAL;
	}
	/* Component by component from "/", never through a link: a
	 * directory the user owns (a parent of a nested state dir) must not
	 * lead root elsewhere.  Missing parents are made 0755, the state
	 * directory itself 0750. */
	{
		char path[PATH_MAX], *comp, *save = NULL, *next;

		snprintf(path, sizeof(path), "%s", dir);
		dfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		for (comp = strtok_r(path, "/", &save); comp && dfd >= 0;
		     comp = next) {
			int nfd;

			next = strtok_r(NULL, "/", &save);
			if (mkdirat(dfd, comp, next ? 0755 : 0750) < 0 &&
			    errno != EEXIST) {
				snprintf(err, errlen,
				         "state_dirs: mkdir %s (at %s): %s",
				         dir, comp, strerror(errno));
				close(dfd);
				return -EPERM;
			}
			nfd = openat(dfd, comp,
			             (next ? O_PATH : O_RDONLY) | O_DIRECTORY |
			                     O_NOFOLLOW | O_CLOEXEC);
			close(dfd);
			dfd = nfd;
		}
		if (dfd < 0 || fstat(dfd, &sb) < 0) {
			snprintf(err, errlen, "state_dirs: %s: %s", dir,
			         errno == ELOOP || errno == ENOTDIR
			                 ? "a symbolic link or not a directory "
			                   "on the path"
			                 : strerror(errno));
			if (dfd >= 0)
				close(dfd);
			return -EINVAL;
		}
	}
	if (sb.st_uid != 0 && sb.st_uid != uid) {
		snprintf(err, errlen,
		         "state_dirs: %s belongs to uid %u, neither root nor "
		         "the user (uid %u)",
		         dir, (unsigned)sb.st_uid, (unsigned)uid);
		close(dfd);
		return -EPERM;
	}
	was_root = sb.st_uid == 0;
	if (fchown(dfd, uid, gid) < 0) {
		snprintf(err, errlen, "state_dirs: chown %s: %s", dir,
		         strerror(errno));
		close(dfd);
		return -EPERM;
	}
	if (was_root) {
		DIR *d = fdopendir(dfd);
		struct dirent *e;

		if (!d) {
			close(dfd);
			return 0;
		}
		while ((e = readdir(d))) {
			struct stat es;

			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			if (fstatat(dirfd(d), e->d_name, &es,
			            AT_SYMLINK_NOFOLLOW) == 0 &&
			    es.st_uid == 0 &&
			    (S_ISDIR(es.st_mode) ||
			     (S_ISREG(es.st_mode) && es.st_nlink == 1)))
				fchownat(dirfd(d), e->d_name, uid, gid,
				         AT_SYMLINK_NOFOLLOW);
		}
		closedir(d);
		return 0;
	}
	close(dfd);
	return 0;
}

static void ps_watch_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ac_core *core = arg;

	(void)fd;
	(void)what;
	log_error("the sandbox helper is gone: stopping (nothing more can "
	          "be judged)");
	core->exit_status = 1;
	event_base_loopexit(core->base, NULL);
}

int ac_privsep_watch(struct ac_core *core)
{
	struct ps_proxy *px;

	if (!core->sandbox || core->sandbox->ops != &px_ops)
		return 0;
	px = core->sandbox->state;
	/* The helper never writes on the control socket: readable means
	 * end of file. */
	px->watch = event_new(core->base, px->ctl, EV_READ, ps_watch_cb, core);
	if (!px->watch || event_add(px->watch, NULL) < 0)
		return -ENOMEM;
	return 0;
}

/* The helper runs every judgement of this server: the OOM killer must
 * never choose it (docs/security.md, "Memory").  On cgroup v1 a thread of
 * it waits in each run's memory cgroup (the spare spawner,
 * plugins/sandbox/ns/spare.h): kernels before 5.3 scanned every thread of
 * a memory cgroup for a victim and killed the victim's whole process.
 * Its memory is small and bounded; the programs raise theirs to 1000.
 * Lowering it takes CAP_SYS_RESOURCE, which a container's root may lack:
 * then it says so and goes on. */
static void ps_oom_protect(void)
{
	static const char v[] = "-1000";
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, v, sizeof(v) - 1) != (ssize_t)sizeof(v) - 1)
		log_warn("sandbox helper: cannot set its oom_score_adj to "
		         "%s: %s (the OOM killer may choose it)",
		         v, strerror(errno));
	if (fd >= 0)
		close(fd);
}

int ac_privsep_setup(struct ac_core *core, unsigned need,
                     const char *plugin_dir, char *err, size_t errlen)
{
	const char *user, *name = NULL, **dirs;
	struct passwd *pw;
	struct ps_proxy *px;
	struct ac_loaded *lp;
	uid_t uid;
	gid_t gid;
	int ctl[2] = {-1, -1}, rc;
	pid_t pid = -1;

	if (geteuid() != 0)
		return 0;
	if (!ps_user_setting(core->cfg, &user)) {
		if (!user || !user[0])
			log_warn("running as root without privilege "
			         "separation: set `user` (docs/deployment.md)");
		return 0;
	}
	errno = 0;
	pw = getpwnam(user);
	if (!pw) {
		snprintf(err, errlen,
		         "user \"%s\" does not exist: create it (useradd "
		         "--system --no-create-home --shell /usr/sbin/nologin "
		         "%s) or set `user` to another account",
		         user, user);
		return -ENOENT;
	}
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (uid == 0) {
		snprintf(err, errlen, "user \"%s\" has uid 0: that is root",
		         user);
		return -EINVAL;
	}
	dirs = ac_config_string_list(core->cfg, "state_dirs");
	for (size_t i = 0; dirs && dirs[i]; i++) {
		if ((rc = ps_state_dir(dirs[i], uid, gid, err, errlen)) < 0) {
			free(dirs);
			return rc;
		}
	}
	free(dirs);

	if (need & AC_NEED_SANDBOX) {
		if (ac_config_get_string(core->cfg, "sandbox.plugin", &name,
		                         err, errlen) < 0) {
			snprintf(err, errlen,
			         "no sandbox plugin configured (setting "
			         "sandbox.plugin)");
			return -EINVAL;
		}
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) <
		    0) {
			snprintf(err, errlen, "socketpair: %s",
			         strerror(errno));
			return -errno;
		}
		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			snprintf(err, errlen, "fork: %s", strerror(errno));
			close(ctl[0]);
			close(ctl[1]);
			return -EAGAIN;
		}
		if (pid == 0) {
			struct ac_loaded *sbx = NULL;
			char e2[1024];

			close(ctl[0]);
			prctl(PR_SET_NAME, "algocode-sbx", 0, 0, 0);
			prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
			ps_oom_protect();
			signal(SIGINT, SIG_IGN);
			signal(SIGTERM, SIG_IGN);
			signal(SIGHUP, SIG_IGN); /* the reload is serve's */
			signal(SIGPIPE, SIG_IGN);
			if (ac_plugin_load(core, plugin_dir, AC_KIND_SANDBOX,
			                   name, "sandbox", &sbx, e2,
			                   sizeof(e2)) < 0) {
				log_error("sandbox helper: %s", e2);
				_exit(1);
			}
			ps_helper_loop(ctl[1], sbx->ops, sbx->state,
			               ac_config_string(core->cfg,
			                                "judge.work_dir",
			                                AC_DEFAULT_WORK_DIR),
			               uid, gid);
			ac_plugin_unload(sbx);
			_exit(0);
		}
		close(ctl[1]);
		/* The helper's answer to "enforcing" doubles as the check
		 * that it started: a load failure closes the socket. */
	}

	if (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0) {
		snprintf(err, errlen, "cannot switch to user %s: %s", user,
		         strerror(errno));
		return -EPERM;
	}
	if (setuid(0) == 0 || seteuid(0) == 0) {
		snprintf(err, errlen,
		         "switched to %s but could become root "
		         "again",
		         user);
		return -EPERM;
	}
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	if (!(need & AC_NEED_SANDBOX)) {
		log_info("privilege separation: running as %s (uid %u)", user,
		         (unsigned)uid);
		return 0;
	}

	px = calloc(1, sizeof(*px));
	lp = calloc(1, sizeof(*lp));
	if (!px || !lp) {
		free(px);
		free(lp);
		close(ctl[0]);
		return -ENOMEM;
	}
	px->ctl = ctl[0];
	px->pid = pid;
	lp->desc = &px_desc;
	lp->ops = &px_ops; /* not the loader's copy: owns_ops false */
	lp->state = px;
	lp->ctx.core = core;
	lp->ctx.kind = AC_KIND_SANDBOX;
	lp->ctx.name = strdup(name);
	lp->ctx.conf_group = strdup("sandbox");
	lp->ctx.log_prefix = strdup("sandbox/helper");
	core->sandbox = lp;
	rc = px_enforcing(px);
	if (rc == -EPIPE || rc == -ECONNRESET) {
		snprintf(err, errlen,
		         "the sandbox helper did not start (see the error "
		         "above)");
		return -ECHILD;
	}
	log_info("privilege separation: running as %s (uid %u); sandbox "
	         "plugin %s in a root helper (pid %d)",
	         user, (unsigned)uid, name, (int)pid);
	return 0;
}
