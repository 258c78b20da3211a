/* worker.c — bounded pool of CPU worker threads; results go back to the
 * submitting loop through event_active (thread-safe with evthread_pthreads). */
#include "sinau/core/worker.h"

#include <event2/event.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sinau/core/alloc.h"
#include "sinau/core/log.h"

#define WORKER_NICE 19

typedef struct worker_job {
    worker_run_fn run;
    worker_done_fn done;
    void *arg;
    struct event *ev; /* on the owner's base; fired when run has returned */
    struct worker_job *next;
} worker_job;

struct worker_pool {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    worker_job *head, *tail; /* FIFO of waiting jobs, guarded by lock */
    size_t queued;           /* guarded by lock */
    size_t queue_max;
    atomic_size_t busy;
    bool stopping; /* guarded by lock */
    int nthreads;
    pthread_t *threads;
};

static void job_done_cb(evutil_socket_t fd, short what, void *arg)
{
    worker_job *job = arg;

    job->done(job->arg);
    event_free(job->ev);
    free(job);
}

static worker_job *take_job(worker_pool *pool)
{
    worker_job *job = NULL;

    pthread_mutex_lock(&pool->lock);
    while (pool->head == NULL && !pool->stopping)
        pthread_cond_wait(&pool->wake, &pool->lock);
    if (!pool->stopping) {
        job = pool->head;
        pool->head = job->next;
        if (pool->head == NULL)
            pool->tail = NULL;
        pool->queued--;
        atomic_fetch_add(&pool->busy, 1);
    }
    pthread_mutex_unlock(&pool->lock);
    return job;
}

static void *worker_main(void *arg)
{
    worker_pool *pool = arg;
    worker_job *job;

    /* CPU jobs yield to the loop threads: on a busy machine a login storm
     * must not slow down every other request (PERFORMANCE.md P5). Raising
     * one's own nice value needs no privilege; failure changes nothing.
     * Nice 19 (CFS weight 15 against a loop's 1024) rather than SCHED_IDLE
     * (weight 3): on a machine saturated by other work SCHED_IDLE would
     * starve logins and PDFs almost completely. */
    (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), WORKER_NICE);

    while ((job = take_job(pool)) != NULL) {
        job->run(job->arg);
        atomic_fetch_sub(&pool->busy, 1);
        event_active(job->ev, EV_READ, 0);
    }
    return NULL;
}

worker_pool *worker_pool_new(int nthreads, int queue_max)
{
    worker_pool *pool = xcalloc(1, sizeof *pool);

    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->wake, NULL);
    pool->queue_max = (size_t)queue_max;
    pool->threads = xcalloc((size_t)nthreads, sizeof *pool->threads);
    for (int i = 0; i < nthreads; i++) {
        if (pthread_create(&pool->threads[i], NULL, worker_main, pool) != 0) {
            log_error("worker pool: cannot start thread %d", i);
            worker_pool_free(pool);
            return NULL;
        }
        pool->nthreads++;
    }
    return pool;
}

void worker_pool_free(worker_pool *pool)
{
    worker_job *job;

    if (pool == NULL)
        return;
    pthread_mutex_lock(&pool->lock);
    pool->stopping = true;
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->lock);
    for (int i = 0; i < pool->nthreads; i++)
        pthread_join(pool->threads[i], NULL);
    while ((job = pool->head) != NULL) {
        pool->head = job->next;
        event_free(job->ev);
        free(job);
    }
    pthread_cond_destroy(&pool->wake);
    pthread_mutex_destroy(&pool->lock);
    free(pool->threads);
    free(pool);
}

int worker_submit(worker_pool *pool, struct event_base *owner, worker_run_fn run,
                  worker_done_fn done, void *arg)
{
    worker_job *job;
    int rc = -1;

    pthread_mutex_lock(&pool->lock);
    if (pool->stopping || pool->queued >= pool->queue_max)
        goto out;
    job = xcalloc(1, sizeof *job);
    job->run = run;
    job->done = done;
    job->arg = arg;
    job->ev = event_new(owner, -1, 0, job_done_cb, job);
    if (job->ev == NULL) {
        free(job);
        goto out;
    }
    SINAU_FIFO_PUSH(pool->head, pool->tail, job, next);
    pool->queued++;
    pthread_cond_signal(&pool->wake);
    rc = 0;
out:
    pthread_mutex_unlock(&pool->lock);
    return rc;
}

size_t worker_queue_depth(worker_pool *pool)
{
    size_t n;

    pthread_mutex_lock(&pool->lock);
    n = pool->queued;
    pthread_mutex_unlock(&pool->lock);
    return n;
}

size_t worker_busy(worker_pool *pool)
{
    return atomic_load(&pool->busy);
}
