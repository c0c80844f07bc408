/* sandbox/ns: small helpers shared by the judge-side modules: clone, error
 * reports, descriptor passing, settings.
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

#include "state.h"
#include "util.h"

/* clone3(), or clone(2) where clone3 is missing (old kernels, valgrind).
 * Both are fork-like here: no new stack, the child continues on a copy.
 * CLONE_CLEAR_SIGHAND (5.5) is dropped where unknown: the child resets
 * what is left itself. */
pid_t ns_clone(struct nsx_clone_args *ca)
{
	pid_t pid = (pid_t)syscall(SYS_clone3, ca, sizeof(*ca));

	if (pid < 0 && errno == EINVAL &&
	    (ca->flags & NS_CLONE_CLEAR_SIGHAND)) {
		ca->flags &= ~NS_CLONE_CLEAR_SIGHAND;
		pid = (pid_t)syscall(SYS_clone3, ca, sizeof(*ca));
	}
	if (pid >= 0 || errno != ENOSYS || (ca->flags & NS_CLONE_INTO_CGROUP))
		return pid;
	/* x86_64 and arm64 agree on (flags, stack, parent_tid, ...). */
	return (pid_t)syscall(SYS_clone, (unsigned long)(ca->flags | SIGCHLD),
	                      0UL, (void *)(uintptr_t)ca->pidfd, 0UL, 0UL);
}

void ns_error(struct ac_run_report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->internal_error[0])
		return; /* keep the first cause */
	va_start(ap, fmt);
	vsnprintf(r->internal_error, sizeof(r->internal_error), fmt, ap);
	va_end(ap);
}

/* One message of at most len bytes, with the descriptor it may carry
 * (SCM_RIGHTS) in *fd (else -1).  Returns recvmsg's value. */
ssize_t ns_recvfd(int sock, void *buf, size_t len, int flags, int *fd)
{
	union nsx_fdbuf cb;
	struct iovec iov = {buf, len};
	struct msghdr mh;
	struct cmsghdr *cm;
	ssize_t n;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cb.buf;
	mh.msg_controllen = sizeof(cb.buf);
	*fd = -1;
	n = recvmsg(sock, &mh, flags | MSG_CMSG_CLOEXEC);
	for (cm = n >= 0 ? CMSG_FIRSTHDR(&mh) : NULL; cm;
	     cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS ||
		    cm->cmsg_len != CMSG_LEN(sizeof(int)))
			continue;
		if (*fd >= 0)
			close(*fd);
		memcpy(fd, CMSG_DATA(cm), sizeof(int));
	}
	return n;
}

int ns_conf_int(struct ns_state *st, const char *key, long long def,
                long long *out)
{
	int rc = st->host->conf_int(st->ctx, key, out);

	if (rc == -ENOENT) {
		*out = def;
		return 0;
	}
	if (rc < 0)
		NS_LOG(st, AC_LOG_ERROR, "sandbox.%s: expected an integer",
		       key);
	return rc;
}
