/* Worker pool: blocking work runs on threads, completions run on the loop. */
#ifndef AC_POOL_H
#define AC_POOL_H
struct event_base;
struct ac_pool;

struct ac_pool *ac_pool_new(struct event_base *base, unsigned nthreads);
/* work(arg) on a worker, then done(arg) on the loop thread (done may be
 * NULL).  Thread-safe.  -ESHUTDOWN after ac_pool_free started. */
int ac_pool_submit(struct ac_pool *pool, void (*work)(void *),
                   void (*done)(void *), void *arg);
/* fn(arg) on the loop thread soon.  Thread-safe. */
int ac_pool_run_on_loop(struct ac_pool *pool, void (*fn)(void *), void *arg);
/* Number of jobs queued or running. */
unsigned ac_pool_busy(struct ac_pool *pool);
/* Finish queued work, join the threads, run no more completions. */
void ac_pool_free(struct ac_pool *pool);
#endif
