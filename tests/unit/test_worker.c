/* test_worker.c — the CPU worker pool (worker.h): jobs run off the loop
 * thread, completions come back on the submitting loop's thread, the queue
 * is bounded, and stopping the pool drops what never ran. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "sinau/core/worker.h"

typedef struct job {
    pthread_t ran_on;
    pthread_t done_on;
    int done;
    struct event_base *base;
    int *remaining;
    atomic_int *gate; /* when set, run waits until it turns 0 */
} job;

static void job_run(void *arg)
{
    job *j = arg;

    j->ran_on = pthread_self();
    while (j->gate != NULL && atomic_load(j->gate) != 0)
        usleep(1000);
}

static void job_done(void *arg)
{
    job *j = arg;

    j->done_on = pthread_self();
    j->done++;
    if (--*j->remaining == 0)
        event_base_loopbreak(j->base);
}

static void keepalive_cb(evutil_socket_t fd, short what, void *arg)
{
}

/* A base with a persistent timer, so dispatch waits for completions
 * (libevent returns at once from a base with no pending events). */
static struct event *keepalive;

static struct event_base *base_new(void)
{
    struct event_base *base = event_base_new();
    struct timeval tv = {1, 0};

    keepalive = event_new(base, -1, EV_PERSIST, keepalive_cb, NULL);
    event_add(keepalive, &tv);
    return base;
}

static void base_free(struct event_base *base)
{
    event_free(keepalive);
    event_base_free(base);
}

static int setup(void **state)
{
    evthread_use_pthreads();
    return 0;
}

static void worker_runs_jobs_off_the_loop_and_completes_on_it(void **state)
{
    struct event_base *base = base_new();
    worker_pool *pool = worker_pool_new(2, 16);
    job jobs[8] = {0};
    int remaining = 8;

    for (int i = 0; i < 8; i++) {
        jobs[i].base = base;
        jobs[i].remaining = &remaining;
        assert_int_equal(worker_submit(pool, base, job_run, job_done, &jobs[i]), 0);
    }
    event_base_dispatch(base);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(jobs[i].done, 1);
        assert_false(pthread_equal(jobs[i].ran_on, pthread_self()));
        assert_true(pthread_equal(jobs[i].done_on, pthread_self()));
    }
    assert_int_equal(worker_queue_depth(pool), 0);
    worker_pool_free(pool);
    base_free(base);
}

static void worker_refuses_when_the_queue_is_full(void **state)
{
    struct event_base *base = base_new();
    worker_pool *pool = worker_pool_new(1, 2);
    atomic_int gate = 1;
    job jobs[4] = {0};
    int remaining = 3;

    for (int i = 0; i < 4; i++) {
        jobs[i].base = base;
        jobs[i].remaining = &remaining;
        jobs[i].gate = &gate;
    }
    /* the first job occupies the only thread (wait until it is taken) */
    assert_int_equal(worker_submit(pool, base, job_run, job_done, &jobs[0]), 0);
    while (worker_busy(pool) == 0)
        usleep(1000);
    assert_int_equal(worker_submit(pool, base, job_run, job_done, &jobs[1]), 0);
    assert_int_equal(worker_submit(pool, base, job_run, job_done, &jobs[2]), 0);
    assert_int_equal(worker_queue_depth(pool), 2);
    assert_int_equal(worker_submit(pool, base, job_run, job_done, &jobs[3]), -1);
    atomic_store(&gate, 0);
    event_base_dispatch(base);
    assert_int_equal(jobs[0].done + jobs[1].done + jobs[2].done, 3);
    assert_int_equal(jobs[3].done, 0);
    worker_pool_free(pool);
    base_free(base);
}

static void worker_stop_drops_queued_jobs_without_completing_them(void **state)
{
    struct event_base *base = base_new();
    worker_pool *pool = worker_pool_new(1, 8);
    atomic_int gate = 1;
    job jobs[3] = {0};
    int remaining = 3;

    for (int i = 0; i < 3; i++) {
        jobs[i].base = base;
        jobs[i].remaining = &remaining;
        jobs[i].gate = &gate;
        assert_int_equal(worker_submit(pool, base, job_run, job_done, &jobs[i]), 0);
    }
    while (worker_busy(pool) == 0)
        usleep(1000);
    atomic_store(&gate, 0);
    worker_pool_free(pool); /* the running job finishes; the queued two are dropped */
    event_base_loop(base, EVLOOP_NONBLOCK);
    assert_int_equal(jobs[1].done + jobs[2].done, 0);
    base_free(base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(worker_runs_jobs_off_the_loop_and_completes_on_it),
        cmocka_unit_test(worker_refuses_when_the_queue_is_full),
        cmocka_unit_test(worker_stop_drops_queued_jobs_without_completing_them),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
