/* core/worker.h — a small pool of threads for CPU-heavy jobs (argon2id, PDF,
 * bulk signing), so loop threads never block on them.
 *
 * A job runs `run(arg)` on a worker thread, then `done(arg)` on the event
 * loop thread that submitted it (delivered through event_active on that
 * loop's event_base, so libevent must be set up with evthread_use_pthreads).
 * The queue is bounded: a full queue refuses at once (the caller answers 503
 * with Retry-After). `arg` stays owned by the caller throughout. */
#ifndef SINAU_CORE_WORKER_H
#define SINAU_CORE_WORKER_H

#include <stddef.h>

#include "sinau/core/common.h"

struct event_base;
typedef struct worker_pool worker_pool;

typedef void (*worker_run_fn)(void *arg);  /* on a worker thread */
typedef void (*worker_done_fn)(void *arg); /* on the submitting loop thread */

/* Starts nthreads threads with a queue of at most queue_max waiting jobs.
 * Returns an owned pool (free with worker_pool_free) or NULL on failure. */
worker_pool *worker_pool_new(int nthreads, int queue_max);

/* Finishes running jobs, drops queued ones (their done is not called), joins
 * the threads and frees the pool. Call after the loops have stopped. NULL-safe. */
void worker_pool_free(worker_pool *pool);

/* Queues a job. Returns 0, or -1 when the queue is full or the pool stops
 * (then neither run nor done is called). Thread: the loop owning `owner`. */
SINAU_MUST_CHECK int worker_submit(worker_pool *pool, struct event_base *owner, worker_run_fn run,
                                   worker_done_fn done, void *arg);

/* Jobs waiting (not yet running); for metrics. Any thread. */
size_t worker_queue_depth(worker_pool *pool);

/* Jobs running now; for metrics. Any thread. */
size_t worker_busy(worker_pool *pool);

#endif /* SINAU_CORE_WORKER_H */
