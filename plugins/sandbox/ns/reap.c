/* sandbox/ns: the reaper: a thread that drops finished runs' mount namespaces
 * off the run's critical path.
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

#include "reap.h"
#include "state.h"

/* A run's mount namespace dies with its init, and the kernel then
 * unmounts its tree (the box, /tmp, /dev/shm, /proc and its masks) and
 * waits for an RCU grace period before init is reported dead: ~0.2 ms of
 * every run here.  So the judge holds the namespace (an fd opened while
 * the program runs) and gives it to this thread, which closes it: the
 * teardown happens after the run has been reported.  At most
 * NS_REAP_MAX wait; beyond that, runs close their own. */
#define NS_REAP_MAX 16

static void *ns_reaper_thread(void *arg)
{
	struct ns_state *st = arg;
	int fd;

	while (read(st->reap[0], &fd, sizeof(fd)) == (ssize_t)sizeof(fd)) {
		close(fd);
		atomic_fetch_sub(&st->reap_pending, 1);
	}
	return NULL;
}

void ns_reaper_start(struct ns_state *st)
{
	sigset_t all, old;
	int rc;

	st->reap[0] = st->reap[1] = -1;
	if (pipe2(st->reap, O_CLOEXEC) < 0) {
		st->reap[0] = st->reap[1] = -1;
		return;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&st->reaper, NULL, ns_reaper_thread, st);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		close(st->reap[0]);
		close(st->reap[1]);
		st->reap[0] = st->reap[1] = -1;
	}
}

void ns_reap(struct ns_state *st, int fd)
{
	if (fd < 0)
		return;
	if (st->reap[1] >= 0 &&
	    atomic_fetch_add(&st->reap_pending, 1) < NS_REAP_MAX &&
	    write(st->reap[1], &fd, sizeof(fd)) == (ssize_t)sizeof(fd))
		return;
	if (st->reap[1] >= 0)
		atomic_fetch_sub(&st->reap_pending, 1);
	close(fd);
}
