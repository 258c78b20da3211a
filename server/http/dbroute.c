/* dbroute.c — where a request's statements run (http.h): every statement
 * on the loop's pool, which follows the primary; reads that may be a little
 * stale (http_db_read) on the read pool when one is configured, falling
 * back to the primary whenever the standby cannot answer within the
 * staleness bound; and the only retries the server makes: a statement of an
 * idempotent request (a read, or one carrying an Idempotency-Key to a
 * statement that honours it) whose connection was lost runs again, with
 * backoff, until the queue timeout — never past it, and nothing else is
 * ever run twice (a lost commit may have happened). */
#include "sinau/http/dbroute.h"
#include "sinau/core/clock.h"
#include "sinau/http/ctx.h"
#include "sinau/http/reply.h"

#include <event2/event.h>
#include <stdatomic.h>
#include <stdint.h>

#include "internal.h"

#define RETRY_FIRST_MS 50
#define RETRY_MAX_MS   800

typedef struct dbq {
    http_ctx *ctx;
    db_call call; /* the request's, borrowed */
    db_done_fn cb;
    bool read_ok; /* a standby may answer it */
    bool keyed;   /* the statement honours the request's Idempotency-Key */
    bool on_read; /* running on the read pool now */
    int tries;
    struct event *timer;
} dbq;

/* The monotonic clock in ms (the clock of ctx->started_ns). */
static int64_t mono_ms(void)
{
    return clock_now_ns() / 1000000;
}

/* Replies 503 for a refusal by db_query / db_query_params; returns rc. */
static int db_refused(http_ctx *ctx, int rc)
{
    db_result r = {DB_ERR_BUSY, NULL, ""};

    if (rc == 0)
        return 0;
    if (rc == DB_REFUSED_DOWN)
        r.status = DB_ERR_UNAVAILABLE;
    http_reply_db_error(ctx, &r);
    return -1;
}

static void dbq_done(void *arg, db_result *r);

static int dbq_submit(dbq *d)
{
    const http_loop *l = request_loop(d->ctx);
    db_pool *pool = d->on_read ? l->o.db_read : l->o.db;

    return db_query_call(pool, &d->call, dbq_done, d);
}

/* Safe to run again after a lost connection: a read request, or a keyed
 * statement of a request that has a key. */
static bool dbq_retryable(const dbq *d)
{
    return d->ctx->method == ROUTER_GET || d->ctx->method == ROUTER_HEAD ||
           (d->keyed && http_header(d->ctx, "Idempotency-Key") != NULL);
}

/* Submits d again from a callback; a refusal is d's answer (the pool
 * accepted the first submission, so cb owes exactly one call). */
static void dbq_resubmit(dbq *d)
{
    int rc = dbq_submit(d);
    db_result r = {rc == DB_REFUSED_FULL ? DB_ERR_BUSY : DB_ERR_UNAVAILABLE, NULL, ""};

    if (rc != 0)
        d->cb(d->ctx, &r);
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
    dbq *d = arg;

    event_free(d->timer);
    d->timer = NULL;
    dbq_resubmit(d);
}

/* The request's queue timeout, as a monotonic instant in ms: a fallback or
 * a retry never takes it past that. */
static int64_t dbq_deadline(const dbq *d)
{
    const http_ctx *ctx = d->ctx;

    return ctx->started_ns / 1000000 + request_loop(ctx)->sh->set.db_wait_ms;
}

/* Schedules the statement again when there is time before the request's
 * queue timeout; false when there is not (the caller answers). */
static bool dbq_retry(dbq *d)
{
    http_ctx *ctx = d->ctx;
    const http_loop *l = request_loop(ctx);
    int delay = RETRY_FIRST_MS << (d->tries < 5 ? d->tries : 5);
    struct timeval tv;

    if (delay > RETRY_MAX_MS)
        delay = RETRY_MAX_MS;
    if (mono_ms() + delay >= dbq_deadline(d))
        return false;
    d->tries++;
    d->timer = evtimer_new(l->o.base, on_retry, d);
    tv.tv_sec = delay / 1000;
    tv.tv_usec = (delay % 1000) * 1000;
    evtimer_add(d->timer, &tv);
    atomic_fetch_add_explicit(&l->o.metrics->db_retries, 1, memory_order_relaxed);
    return true;
}

static void count_fallback(http_ctx *ctx)
{
    atomic_fetch_add_explicit(&request_loop(ctx)->o.metrics->db_read_fallbacks, 1,
                              memory_order_relaxed);
}

static void dbq_done(void *arg, db_result *r)
{
    dbq *d = arg;

    if (r->status != DB_OK && d->on_read && mono_ms() < dbq_deadline(d)) {
        /* past the staleness bound, gone, busy or in conflict with
         * recovery: a read, so the primary may answer it instead */
        d->on_read = false;
        count_fallback(d->ctx);
        dbq_resubmit(d);
        return;
    }
    if (r->status == DB_ERR_UNAVAILABLE && dbq_retryable(d) && dbq_retry(d))
        return;
    d->cb(d->ctx, r);
}

static int dbq_start(http_ctx *ctx, const db_call *call, db_done_fn cb, bool read_ok, bool keyed)
{
    const http_loop *l = request_loop(ctx);
    dbq probe = {.ctx = ctx, .keyed = keyed}, *d;

    /* the common case of an unsafe request goes straight to the pool */
    if (!(read_ok && l->o.db_read != NULL) && !dbq_retryable(&probe))
        return db_refused(ctx, db_query_call(l->o.db, call, cb, ctx));
    d = http_ctx_alloc(ctx, sizeof *d);
    d->ctx = ctx;
    d->call = *call;
    d->cb = cb;
    d->read_ok = read_ok;
    d->keyed = keyed;
    if (read_ok && l->o.db_read != NULL) {
        d->on_read = true;
        if (dbq_submit(d) == 0)
            return 0;
        d->on_read = false;
        count_fallback(ctx);
    }
    return db_refused(ctx, dbq_submit(d));
}

void http_db_query(http_ctx *ctx, const db_stmt *stmt, const char *const *values, db_done_fn cb)
{
    /* a refusal has replied */
    (void)dbq_start(ctx, &(db_call){stmt, values, NULL, NULL}, cb, false, false);
}

void http_db_query_params(http_ctx *ctx, const db_stmt *stmt, const char *const *values,
                          const int *lengths, const int *formats, db_done_fn cb)
{
    /* a refusal has replied */
    (void)dbq_start(ctx, &(db_call){stmt, values, lengths, formats}, cb, false, false);
}

void http_db_read(http_ctx *ctx, const db_stmt *stmt, const char *const *values, db_done_fn cb)
{
    /* a refusal has replied */
    (void)dbq_start(ctx, &(db_call){stmt, values, NULL, NULL}, cb, true, false);
}

void http_db_query_keyed(http_ctx *ctx, const db_stmt *stmt, const char *const *values,
                         db_done_fn cb)
{
    /* a refusal has replied */
    (void)dbq_start(ctx, &(db_call){stmt, values, NULL, NULL}, cb, false, true);
}

void http_db_rerun_keyed(http_ctx *ctx, const db_stmt *stmt, const char *const *values,
                         db_done_fn cb)
{
    dbq *d = http_ctx_alloc(ctx, sizeof *d);
    db_result r = {DB_ERR_UNAVAILABLE, NULL, ""};

    d->ctx = ctx;
    d->call = (db_call){stmt, values, NULL, NULL};
    d->cb = cb;
    d->keyed = true;
    if (!dbq_retryable(d) || !dbq_retry(d))
        cb(ctx, &r);
}
