/* Worker pool: a fixed set of threads takes blocking work from a queue;
 * completions are queued back and run on the loop thread, woken through an
 * event made active from the worker (libevent with pthreads enabled). */
#include "pool.h"

#include <errno.h>
#include <event2/event.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct pool_item {
	void (*work)(void *);
	void (*done)(void *);
	void *arg;
	struct pool_item *next;
};

struct pool_list {
	struct pool_item *head, *tail;
};

struct ac_pool {
	struct event_base *base;
	pthread_t *threads;
	unsigned nthreads;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct pool_list work; /* guarded by lock */
	struct pool_list done; /* guarded by lock */
	unsigned busy;         /* queued + running, guarded by lock */
	bool stopping;
	struct event *wake;
};

static void pool_push(struct pool_list *l, struct pool_item *it)
{
	it->next = NULL;
	if (l->tail)
		l->tail->next = it;
	else
		l->head = it;
	l->tail = it;
}

static struct pool_item *pool_pop(struct pool_list *l)
{
	struct pool_item *it = l->head;
	if (it) {
		l->head = it->next;
		if (!l->head)
			l->tail = NULL;
	}
	return it;
}

static void *pool_thread(void *p)
{
	struct ac_pool *pool = p;

	pthread_mutex_lock(&pool->lock);
	for (;;) {
		struct pool_item *it;
		while (!pool->work.head && !pool->stopping)
			pthread_cond_wait(&pool->cond, &pool->lock);
		it = pool_pop(&pool->work);
		if (!it)
			break; /* stopping and drained */
		pthread_mutex_unlock(&pool->lock);
		if (it->work)
			it->work(it->arg);
		pthread_mutex_lock(&pool->lock);
		pool_push(&pool->done, it);
		event_active(pool->wake, EV_READ, 0);
	}
	pthread_mutex_unlock(&pool->lock);
	return NULL;
}

/* Loop thread: run the completions queued so far. */
static void pool_wake_cb(evutil_socket_t fd, short what, void *p)
{
	struct ac_pool *pool = p;
	struct pool_list l;
	struct pool_item *it;

	pthread_mutex_lock(&pool->lock);
	l = pool->done;
	pool->done.head = pool->done.tail = NULL;
	pthread_mutex_unlock(&pool->lock);
	while ((it = pool_pop(&l))) {
		if (it->done)
			it->done(it->arg);
		pthread_mutex_lock(&pool->lock);
		if (it->work)
			pool->busy--;
		pthread_mutex_unlock(&pool->lock);
		free(it);
	}
}

struct ac_pool *ac_pool_new(struct event_base *base, unsigned nthreads)
{
	struct ac_pool *pool = calloc(1, sizeof(*pool));

	if (!pool)
		return NULL;
	if (nthreads == 0)
		nthreads = 1;
	pool->base = base;
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->cond, NULL);
	pool->wake = event_new(base, -1, 0, pool_wake_cb, pool);
	pool->threads = calloc(nthreads, sizeof(*pool->threads));
	if (!pool->wake || !pool->threads)
		goto fail;
	for (unsigned i = 0; i < nthreads; i++) {
		if (pthread_create(&pool->threads[i], NULL, pool_thread, pool))
			goto fail;
		pool->nthreads++;
	}
	return pool;
fail:
	ac_pool_free(pool);
	return NULL;
}

static int pool_enqueue(struct ac_pool *pool, void (*work)(void *),
                        void (*done)(void *), void *arg)
{
	struct pool_item *it = calloc(1, sizeof(*it));

	if (!it)
		return -ENOMEM;
	it->work = work;
	it->done = done;
	it->arg = arg;
	pthread_mutex_lock(&pool->lock);
	if (pool->stopping) {
		pthread_mutex_unlock(&pool->lock);
		free(it);
		return -ESHUTDOWN;
	}
	if (work) {
		pool->busy++;
		pool_push(&pool->work, it);
		pthread_cond_signal(&pool->cond);
	} else {
		pool_push(&pool->done, it);
		event_active(pool->wake, EV_READ, 0);
	}
	pthread_mutex_unlock(&pool->lock);
	return 0;
}

int ac_pool_submit(struct ac_pool *pool, void (*work)(void *),
                   void (*done)(void *), void *arg)
{
	if (!work)
		return -EINVAL;
	return pool_enqueue(pool, work, done, arg);
}

int ac_pool_run_on_loop(struct ac_pool *pool, void (*fn)(void *), void *arg)
{
	if (!fn)
		return -EINVAL;
	return pool_enqueue(pool, NULL, fn, arg);
}

unsigned ac_pool_busy(struct ac_pool *pool)
{
	unsigned n;

	pthread_mutex_lock(&pool->lock);
	n = pool->busy;
	pthread_mutex_unlock(&pool->lock);
	return n;
}

void ac_pool_free(struct ac_pool *pool)
{
	if (!pool)
		return;
	pthread_mutex_lock(&pool->lock);
	pool->stopping = true;
	pthread_cond_broadcast(&pool->cond);
	pthread_mutex_unlock(&pool->lock);
	for (unsigned i = 0; i < pool->nthreads; i++)
		pthread_join(pool->threads[i], NULL);
	/* Every queued work item has run; give completions their chance to
	 * release what they own. */
	if (pool->wake) {
		pool_wake_cb(-1, 0, pool);
		event_free(pool->wake);
	}
	free(pool->threads);
	pthread_cond_destroy(&pool->cond);
	pthread_mutex_destroy(&pool->lock);
	free(pool);
}
