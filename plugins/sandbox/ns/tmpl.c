/* sandbox/ns: the read-only root: its plan (plan_build), and template mount
 * namespaces, prepared roots that a run copies (unshare) instead of
 * building its own.
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

#include "../../common/plugin_util.h"
#include "plan.h"
#include "ropath.h"
#include "state.h"
#include "tmpl.h"
#include "util.h"

static const char ns_passwd[] =
        "root:x:0:0:root:/root:/usr/sbin/nologin\n"
        "sandbox:x:1000:1000:sandbox:/box:/bin/sh\n"
        "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
static const char ns_group[] = "root:x:0:\nsandbox:x:1000:\nnogroup:x:65534:\n";

int plan_build(struct ns_state *st, const char *extra)
{
	static const char *const sys[] = {"/usr",   "/bin",   "/sbin",  "/lib",
	                                  "/lib32", "/lib64", "/libx32"};
	static const char *const etc[] = {
	        "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d",
	        "/etc/localtime",   "/etc/timezone",   "/etc/alternatives"};
	static const char *const devs[] = {"null", "zero", "full", "random",
	                                   "urandom"};
	struct nsx_plan *p = &st->plan;
	char real[PATH_MAX];
	const char *why;
	char src[64], dst[64];
	int rc = 0;
	size_t i;

	for (i = 0; i < sizeof(sys) / sizeof(sys[0]) && rc == 0; i++)
		rc = plan_mirror(p, sys[i]);
	if (rc == 0)
		rc = plan_add(p, NSX_MKDIR, true, NULL, "etc");
	for (i = 0; i < sizeof(etc) / sizeof(etc[0]) && rc == 0; i++)
		rc = plan_mirror(p, etc[i]);
	if (rc == 0)
		rc = plan_add(p, NSX_FILE, false, ns_passwd, "etc/passwd");
	if (rc == 0)
		rc = plan_add(p, NSX_FILE, false, ns_group, "etc/group");
	if (rc == 0)
		rc = plan_add(p, NSX_FILE, false,
		              "127.0.0.1 localhost\n::1 localhost\n",
		              "etc/hosts");
	if (rc == 0)
		rc = plan_add(p, NSX_FILE, false, "sandbox\n", "etc/hostname");
	if (rc == 0)
		rc = plan_add(p, NSX_FILE, false,
		              "passwd: files\ngroup: files\nhosts: files\n",
		              "etc/nsswitch.conf");
	if (rc == 0)
		rc = plan_add(p, NSX_MKDIR, true, NULL, "dev");
	for (i = 0; i < sizeof(devs) / sizeof(devs[0]) && rc == 0; i++) {
		struct stat sb;

		snprintf(src, sizeof(src), "/dev/%s", devs[i]);
		snprintf(dst, sizeof(dst), "dev/%s", devs[i]);
		/* The same device numbers, as nodes on the root tmpfs (a
		 * mknod costs far less than a bind and its remount). */
		if (stat(src, &sb) == 0 && S_ISCHR(sb.st_mode) &&
		    (rc = plan_add(p, NSX_MKNOD, false, NULL, dst)) == 0)
			p->v[p->n - 1].rdev = sb.st_rdev;
	}
	if (rc == 0)
		rc = plan_add(p, NSX_SYMLINK, false, "/proc/self/fd", "dev/fd");
	for (i = 0; i < 3 && rc == 0; i++) {
		static const char *const names[] = {"stdin", "stdout",
		                                    "stderr"};

		snprintf(src, sizeof(src), "/proc/self/fd/%zu", i);
		snprintf(dst, sizeof(dst), "dev/%s", names[i]);
		rc = plan_add(p, NSX_SYMLINK, false, src, dst);
	}
	/* sandbox.extra_ro: comma-separated host paths bound read-only. */
	while (rc == 0 && extra && *extra) {
		char path[1024];
		const char *e = strchr(extra, ',');
		size_t l = e ? (size_t)(e - extra) : strlen(extra);

		while (l && *extra == ' ')
			extra++, l--;
		while (l && extra[l - 1] == ' ')
			l--;
		if (l >= sizeof(path))
			return -ENAMETOOLONG;
		memcpy(path, extra, l);
		path[l] = '\0';
		extra = e ? e + 1 : NULL;
		if (!l)
			continue;
		rc = ns_ro_path_check(st, path, real, &why);
		if (rc < 0) {
			NS_LOG(st, AC_LOG_ERROR,
			       "sandbox.extra_ro: refusing \"%s\": %s", path,
			       why);
			return -EINVAL;
		}
		if (rc == 0)
			rc = plan_mirror_at(p, real, path);
	}
	return rc;
}

/* The judge's private directories (host->private_path: its problem
 * packages and work directory), each hidden under an empty read-only
 * tmpfs after every bind of the root (plan, a profile's ro_paths): where
 * one lies below a path the root shows (the problems of `make install`
 * in /usr/local/share, of the Debian package in /usr/share), a program
 * would otherwise read every hidden test and answer.  A path the root
 * does not show is skipped when the plan runs (ENOENT). */
int plan_masks(struct ns_state *st)
{
	char path[PATH_MAX];
	int rc = 0;

	if (!st->host->private_path)
		return 0;
	for (size_t i = 0; rc == 0; i++) {
		rc = st->host->private_path(st->ctx, i, path, sizeof(path));
		if (rc == -ENOENT)
			return 0;
		if (rc < 0 || path[0] != '/')
			return rc < 0 ? rc : -EINVAL;
		if (!path[1])
			continue; /* "/": not a directory of the judge's own */
		rc = plan_add(&st->masks, NSX_MASK, true, NULL, path + 1);
		if (rc == 0)
			NS_LOG(st, AC_LOG_DEBUG, "hiding %s from every run",
			       path);
	}
	return rc;
}

/* ------------------------------------------------------------ templates */

/* Prepared roots.  Building the root costs ~60 system calls (about 10
 * mounts and their read-only remounts, mkdir, mknod, symlink, the
 * generated /etc files, pivot_root): a run used to do all of them.  Now a
 * short-lived thread builds it once in a mount namespace of its own (a
 * copy of the judge's, made private, so nothing reaches the host's), on a
 * tmpfs on root_dir, pivots into it, detaches the host's mounts and
 * remounts "/" read-only: that namespace holds exactly the read-only root
 * with empty mount points for /box, /tmp, /dev/shm and /proc, and stays
 * alive through an fd.  A run's init enters it with setns(), takes its own
 * private copy with unshare(CLONE_NEWNS) (a handful of mounts to copy)
 * and adds the run's box, /tmp, /dev/shm and /proc (see c_enter_root).
 * One template per set of profile ro_paths (up to NS_TMPL_MAX; further
 * sets build their root per run), rebuilt after a minute so that files
 * replaced on the host (ld.so.cache after ldconfig) show up. */
struct ns_tmpl_job {
	struct ns_state *st;
	const struct nsx_plan *run_plan;
	int fd;
	dev_t dev;
	int err;
	const char *what, *path;
};

static void *ns_tmpl_thread(void *arg)
{
	struct ns_tmpl_job *j = arg;
	const char *what = "unshare", *path = NULL;
	struct stat sb;
	int fd = -1;

	if (unshare(CLONE_NEWNS | CLONE_FS) < 0)
		goto fail;
	what = "make / private";
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		goto fail;
	what = "mount tmpfs";
	path = j->st->root_dir;
	if (mount("tmpfs", path, "tmpfs", MS_NOSUID, NS_ROOT_OPTS) < 0)
		goto fail;
	what = "chdir";
	if (chdir(path) < 0)
		goto fail;
	{
		long rc = nsx_run_plan(&j->st->plan, &what, &path);

		if (rc == 0 && j->run_plan)
			rc = nsx_run_plan(j->run_plan, &what, &path);
		if (rc == 0 && j->st->masks.n)
			rc = nsx_run_plan(&j->st->masks, &what, &path);
		if (rc < 0) {
			errno = (int)-rc;
			goto fail;
		}
	}
	what = "mkdir";
	path = "/box /tmp /dev/shm /proc";
	/* "tmp" exists already when a read-only path lies below it. */
	if (mkdir("box", 0755) < 0 ||
	    (mkdir("tmp", 01777) < 0 && errno != EEXIST) ||
	    mkdir("dev/shm", 01777) < 0 || mkdir("proc", 0555) < 0)
		goto fail;
	what = "open";
	path = "/proc/thread-self/ns/mnt";
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		goto fail;
	what = "pivot_root";
	path = NULL;
	if (syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		goto fail;
	what = "remount / read-only";
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID,
	          NULL) < 0 ||
	    stat("/", &sb) < 0)
		goto fail;
	j->fd = fd;
	j->dev = sb.st_dev;
	return NULL;
fail:
	j->err = errno;
	j->what = what;
	j->path = path;
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* Build a template (fd of its mount namespace), or -errno (logged). */
int ns_tmpl_build(struct ns_state *st, const struct nsx_plan *run_plan,
                  dev_t *dev)
{
	struct ns_tmpl_job j = {st, run_plan, -1, 0, 0, NULL, NULL};
	pthread_t t;
	int rc = pthread_create(&t, NULL, ns_tmpl_thread, &j);

	if (rc != 0)
		return -rc;
	pthread_join(t, NULL);
	if (j.fd < 0) {
		NS_LOG(st, AC_LOG_WARN,
		       "cannot prepare the sandbox root (%s%s%s: %s); runs "
		       "build it themselves",
		       j.what, j.path ? " " : "", j.path ? j.path : "",
		       strerror(j.err));
		return -(j.err ? j.err : EIO);
	}
	*dev = j.dev;
	return j.fd;
}

/* The key of a profile's ro_paths (malloc'ed; "" when none).  A path given
 * as a descriptor is keyed with the file it names (device and inode): a
 * template serves again only for the very same files. */
static char *ns_tmpl_key(const struct ac_run_spec *spec)
{
	const char *const *v = spec->profile ? spec->profile->ro_paths : NULL;
	const int *fds = ns_ro_fds(spec);
	size_t len = 1;
	char *key, *p;

	for (size_t i = 0; v && v[i]; i++)
		len += strlen(v[i]) + 48;
	if (!(key = malloc(len)))
		return NULL;
	p = key;
	for (size_t i = 0; v && v[i]; i++) {
		struct stat sb;

		if (fds && fstat(fds[i], &sb) < 0) {
			free(key);
			return NULL;
		}
		p += fds ? sprintf(p, "%s@%llx:%llx\n", v[i],
		                   (unsigned long long)sb.st_dev,
		                   (unsigned long long)sb.st_ino)
		         : sprintf(p, "%s\n", v[i]);
	}
	*p = '\0';
	return key;
}

/* Check the profile's ro_paths and add them to run_plan.  Returns 0 or
 * -errno with rep set. */
static int ns_profile_plan(struct ns_state *st, const struct ac_run_spec *spec,
                           struct nsx_plan *run_plan, struct ac_run_report *rep)
{
	const char *const *v = spec->profile ? spec->profile->ro_paths : NULL;
	const int *fds = ns_ro_fds(spec);

	for (size_t i = 0; v && v[i]; i++) {
		char real[PATH_MAX];
		const char *why;
		int rc = fds ? ns_ro_fd_plan(st, v[i], fds[i], run_plan, &why)
		             : ns_ro_path_check(st, v[i], real, &why);

		if (rc < 0) {
			ns_error(rep, "profile ro_path \"%.100s\" %s", v[i],
			         why);
			return rc;
		}
		if (rc == 0 && !fds &&
		    (rc = plan_mirror_at(run_plan, real, v[i])) < 0) {
			ns_error(rep, "profile ro_path: %s", strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/* The root of a run: *fd a template mount namespace (this run's own fd,
 * to close after clone) with *dev its root's st_dev, or -1 when the run
 * builds its root from the plan and *run_plan (filled then).  Returns 0,
 * or -errno with rep set (a refused ro_path). */
int ns_root_for(struct ns_state *st, const struct ac_run_spec *spec,
                struct nsx_plan *run_plan, int *fd, dev_t *dev,
                struct ac_run_report *rep)
{
	uint64_t now = pu_mono_us();
	char *key = NULL;
	int i, rc, nfd;

	*fd = -1;
	if (st->tmpl_ok && (key = ns_tmpl_key(spec))) {
		pthread_mutex_lock(&st->tmpl_mu);
		for (i = 0; i < st->tmpl_n; i++)
			if (strcmp(st->tmpl[i].key, key) == 0)
				break;
		if (i < st->tmpl_n &&
		    now - st->tmpl[i].born_us < NS_TMPL_MAX_AGE_US) {
			*fd = fcntl(st->tmpl[i].fd, F_DUPFD_CLOEXEC, 3);
			*dev = st->tmpl[i].dev;
		}
		pthread_mutex_unlock(&st->tmpl_mu);
		if (*fd >= 0) {
			free(key);
			return 0;
		}
	}
	/* Not prepared (yet): check the profile's paths now. */
	if ((rc = ns_profile_plan(st, spec, run_plan, rep)) < 0) {
		free(key);
		return rc;
	}
	if (!key)
		return 0;
	nfd = ns_tmpl_build(st, run_plan, dev);
	if (nfd < 0) {
		free(key);
		return 0;
	}
	pthread_mutex_lock(&st->tmpl_mu);
	for (i = 0; i < st->tmpl_n; i++)
		if (strcmp(st->tmpl[i].key, key) == 0)
			break;
	if (i == st->tmpl_n && i < NS_TMPL_MAX) {
		st->tmpl[i].key = key;
		st->tmpl[i].fd = -1;
		st->tmpl_n++;
		key = NULL;
	}
	if (i < st->tmpl_n) {
		/* New or stale (another run may have rebuilt it already:
		 * the newest wins). */
		if (st->tmpl[i].fd >= 0)
			close(st->tmpl[i].fd);
		st->tmpl[i].fd = nfd;
		st->tmpl[i].dev = *dev;
		st->tmpl[i].born_us = now;
		nfd = fcntl(nfd, F_DUPFD_CLOEXEC, 3);
	}
	/* else: no room, the template serves this run only. */
	pthread_mutex_unlock(&st->tmpl_mu);
	free(key);
	*fd = nfd;
	/* With a template the run does not need its own plan. */
	if (nfd >= 0)
		plan_free(run_plan);
	return 0;
}
