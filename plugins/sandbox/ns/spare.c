/* sandbox/ns: spare spawners (see spare.h). */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "spare.h"

enum { SP_PLACING, SP_READY, SP_FAILED };

struct ns_sparer {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int state, err;
	bool quit, given;
	void *(*fn)(void *);
	void *arg;
	clockid_t clk;   /* the thread's CPU clock */
	uint64_t cpu_in; /* its CPU time once in the cgroups */
	char *tasks[3];  /* memory, pids, cpuacct (last) tasks files */
};

static uint64_t sp_clock_ns(clockid_t clk)
{
	struct timespec ts;

	if (clock_gettime(clk, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Write our thread id to a tasks file: only this thread moves. */
static int sp_enter(const char *tasks)
{
	char buf[32];
	int fd, n, rc = 0;

	if ((fd = open(tasks, O_WRONLY | O_CLOEXEC)) < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%d", (int)gettid());
	if (write(fd, buf, (size_t)n) != n)
		rc = -errno;
	close(fd);
	return rc;
}

static void *sp_main(void *arg)
{
	struct ns_sparer *sp = arg;
	void *(*fn)(void *) = NULL;
	void *fn_arg = NULL;
	int rc = 0;

	for (int i = 0; i < 3 && rc == 0; i++)
		if (sp->tasks[i])
			rc = sp_enter(sp->tasks[i]);
	pthread_mutex_lock(&sp->mu);
	if (rc == 0 && pthread_getcpuclockid(pthread_self(), &sp->clk) != 0)
		rc = -EINVAL;
	if (rc == 0)
		sp->cpu_in = sp_clock_ns(sp->clk);
	sp->err = rc;
	sp->state = rc == 0 ? SP_READY : SP_FAILED;
	pthread_cond_broadcast(&sp->cv);
	while (rc == 0 && !sp->quit && !sp->fn)
		pthread_cond_wait(&sp->cv, &sp->mu);
	if (!sp->quit) {
		fn = sp->fn;
		fn_arg = sp->arg;
	}
	pthread_mutex_unlock(&sp->mu);
	/* Failed or not needed: ending takes us out of the cgroups. */
	return fn ? fn(fn_arg) : NULL;
}

static void sp_free_mem(struct ns_sparer *sp)
{
	for (int i = 0; i < 3; i++)
		free(sp->tasks[i]);
	pthread_cond_destroy(&sp->cv);
	pthread_mutex_destroy(&sp->mu);
	free(sp);
}

struct ns_sparer *ns_sparer_new(const struct cg_run *cg)
{
	const char *dirs[3] = {cg->mem, cg->pids, cg->cpu};
	struct ns_sparer *sp = calloc(1, sizeof(*sp));
	sigset_t all, old;
	int rc;

	if (!sp)
		return NULL;
	pthread_mutex_init(&sp->mu, NULL);
	pthread_cond_init(&sp->cv, NULL);
	for (int i = 0, k = 0; i < 3; i++) {
		if (!dirs[i])
			continue;
		if (asprintf(&sp->tasks[k], "%s/tasks", dirs[i]) < 0) {
			sp->tasks[k] = NULL;
			sp_free_mem(sp);
			return NULL;
		}
		k++;
	}
	/* No signal handler may run in init before it resets them: the
	 * spawner's mask is inherited. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&sp->th, NULL, sp_main, sp);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		sp_free_mem(sp);
		return NULL;
	}
	return sp;
}

int ns_sparer_ready(struct ns_sparer *sp)
{
	int rc;

	pthread_mutex_lock(&sp->mu);
	while (sp->state == SP_PLACING)
		pthread_cond_wait(&sp->cv, &sp->mu);
	rc = sp->err;
	pthread_mutex_unlock(&sp->mu);
	return rc;
}

void ns_sparer_go(struct ns_sparer *sp, void *(*fn)(void *), void *arg,
                  pthread_t *th)
{
	pthread_mutex_lock(&sp->mu);
	sp->fn = fn;
	sp->arg = arg;
	sp->given = true;
	pthread_cond_broadcast(&sp->cv);
	pthread_mutex_unlock(&sp->mu);
	*th = sp->th;
}

uint64_t ns_sparer_cpu_ns(struct ns_sparer *sp)
{
	uint64_t now = sp_clock_ns(sp->clk);

	return now > sp->cpu_in ? now - sp->cpu_in : 0;
}

void ns_sparer_free(struct ns_sparer *sp)
{
	if (!sp)
		return;
	if (!sp->given) {
		pthread_mutex_lock(&sp->mu);
		sp->quit = true;
		pthread_cond_broadcast(&sp->cv);
		pthread_mutex_unlock(&sp->mu);
		pthread_join(sp->th, NULL);
	}
	sp_free_mem(sp);
}
