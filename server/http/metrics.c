/* metrics.c — per-loop request counters and latency histogram (metrics.h),
 * rendered in the Prometheus text exposition format. */
#include "sinau/http/metrics.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/core/alloc.h"

static const int status_codes[METRICS_NSTATUS - 1] = {
    200, 201, 204, 206, 301, 302, 304, 400, 401, 403, 404, 405, 406, 408,
    409, 410, 411, 413, 415, 417, 422, 429, 431, 500, 501, 503, 504,
};

/* upper bounds in microseconds, matching the `le` labels below */
static const unsigned long long bucket_us[METRICS_NBUCKETS - 1] = {
    500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000,
};
static const char *const bucket_le[METRICS_NBUCKETS] = {
    "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
    "0.1",    "0.25",  "0.5",    "1",     "2.5",  "+Inf",
};

int metrics_status_index(int status)
{
    for (int i = 0; i < METRICS_NSTATUS - 1; i++)
        if (status_codes[i] == status)
            return i;
    return METRICS_NSTATUS - 1;
}

/* single writer: a relaxed load and store, no locked instruction */
static void bump(atomic_ullong *c, unsigned long long by)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + by,
                          memory_order_relaxed);
}

void metrics_count(metrics_block *m, int route_index, int status, int64_t duration_ns)
{
    unsigned long long us = duration_ns > 0 ? (unsigned long long)duration_ns / 1000 : 0;
    int b = 0;

    if (route_index < 0 || route_index >= METRICS_MAX_ROUTES)
        route_index = 0;
    bump(&m->requests[route_index][metrics_status_index(status)], 1);
    while (b < METRICS_NBUCKETS - 1 && us > bucket_us[b])
        b++;
    bump(&m->buckets[b], 1);
    bump(&m->duration_us_sum, us);
    bump(&m->count, 1);
}

static unsigned long long sum_req(metrics_block *const *b, int n, int r, int s)
{
    unsigned long long t = 0;

    for (int i = 0; i < n; i++)
        t += atomic_load_explicit(&b[i]->requests[r][s], memory_order_relaxed);
    return t;
}

static void render_requests(dynbuf *o, metrics_block *const *b, int n,
                            const http_route *const *routes, size_t nroutes)
{
    dynbuf_printf(o, "# HELP sinau_http_requests_total HTTP requests by route and status.\n"
                     "# TYPE sinau_http_requests_total counter\n");
    for (size_t r = 0; r <= nroutes && r < METRICS_MAX_ROUTES; r++) {
        const char *label =
            r == 0 ? "static_or_none"
                   : (routes[r - 1]->name ? routes[r - 1]->name : routes[r - 1]->pattern);
        for (int s = 0; s < METRICS_NSTATUS; s++) {
            unsigned long long v = sum_req(b, n, (int)r, s);
            if (v == 0)
                continue;
            if (s == METRICS_NSTATUS - 1)
                dynbuf_printf(o, "sinau_http_requests_total{route=\"%s\",status=\"other\"} %llu\n",
                              label, v);
            else
                dynbuf_printf(o, "sinau_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                              label, status_codes[s], v);
        }
    }
}

static void render_histogram(dynbuf *o, metrics_block *const *b, int n)
{
    unsigned long long cum = 0, sum_us = 0, count = 0;

    dynbuf_printf(o, "# HELP sinau_http_request_duration_seconds Time from request to reply.\n"
                     "# TYPE sinau_http_request_duration_seconds histogram\n");
    for (int k = 0; k < METRICS_NBUCKETS; k++) {
        for (int i = 0; i < n; i++)
            cum += atomic_load_explicit(&b[i]->buckets[k], memory_order_relaxed);
        dynbuf_printf(o, "sinau_http_request_duration_seconds_bucket{le=\"%s\"} %llu\n",
                      bucket_le[k], cum);
    }
    for (int i = 0; i < n; i++) {
        sum_us += atomic_load_explicit(&b[i]->duration_us_sum, memory_order_relaxed);
        count += atomic_load_explicit(&b[i]->count, memory_order_relaxed);
    }
    dynbuf_printf(o, "sinau_http_request_duration_seconds_sum %.6f\n", (double)sum_us / 1e6);
    dynbuf_printf(o, "sinau_http_request_duration_seconds_count %llu\n", count);
}

static void gauge(dynbuf *o, const char *name, const char *help, long long v)
{
    dynbuf_printf(o, "# HELP %s %s\n# TYPE %s gauge\n%s %lld\n", name, help, name, name, v);
}

static void counter(dynbuf *o, const char *name, const char *help, unsigned long long v)
{
    dynbuf_printf(o, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help, name, name, v);
}

/* One figure of the loops' blocks: a gauge is an atomic_int, summed over
 * the loops (or, for the read lag, the largest of the loops with a read
 * pool, -1 for none); a counter is an atomic_ullong, summed. */
enum figure_kind { FIG_GAUGE, FIG_COUNTER, FIG_LAG };

typedef struct figure {
    enum figure_kind kind;
    size_t off; /* of the field in metrics_block */
    const char *name, *help;
} figure;

#define GAUGE(f, n, h)                                                                             \
    {                                                                                              \
        FIG_GAUGE, offsetof(metrics_block, f), n, h                                                \
    }
#define COUNTER(f, n, h)                                                                           \
    {                                                                                              \
        FIG_COUNTER, offsetof(metrics_block, f), n, h                                              \
    }

/* The pool, the connections, the read pool and listener (failover), and the
 * session cache (one per process; loop 0 publishes it), in output order. */
static const figure figures[] = {
    GAUGE(db.size, "sinau_db_pool_size", "Database connections configured."),
    GAUGE(db.connected, "sinau_db_pool_connected", "Database connections up."),
    GAUGE(db.in_use, "sinau_db_pool_in_use", "Database connections running a statement."),
    GAUGE(db.waiting, "sinau_db_pool_waiting", "Queries waiting for a connection."),
    COUNTER(db.refused, "sinau_db_refused_total", "Queries refused (queue full or database down)."),
    COUNTER(db.errors, "sinau_db_errors_total", "Queries that ended in an error."),
    COUNTER(db.reconnects, "sinau_db_reconnects_total", "Connections re-established."),
    GAUGE(inflight, "sinau_http_inflight", "Requests without a reply yet."),
    GAUGE(connections, "sinau_http_connections", "Client connections open."),
    COUNTER(connections_refused, "sinau_http_connections_refused_total",
            "Connections refused at accept (SINAU_MAX_CONNECTIONS or its per-address share)."),
    GAUGE(db_read.size, "sinau_db_read_pool_size", "Read-pool (standby) connections configured."),
    GAUGE(db_read.connected, "sinau_db_read_pool_connected", "Read-pool connections up."),
    {FIG_LAG, offsetof(metrics_block, db_read.lag_ms), "sinau_db_read_lag_ms",
     "Largest staleness a read connection last measured (-1: none)."},
    COUNTER(db_read.queries, "sinau_db_read_queries_total", "Queries the read pool completed."),
    COUNTER(db_read.stale, "sinau_db_read_stale_total",
            "Reads refused by a standby past the staleness bound."),
    COUNTER(db_read_fallbacks, "sinau_db_read_fallbacks_total",
            "Reads sent to the primary instead of a standby."),
    COUNTER(db_retries, "sinau_db_retries_total",
            "Statements of idempotent requests run again after a lost connection."),
    GAUGE(db_listening, "sinau_db_listening", "1 while every LISTEN is in force on the primary."),
    COUNTER(db_listen_subscriptions, "sinau_db_listen_subscriptions_total",
            "Times the listener (re)subscribed."),
    COUNTER(db_notifications, "sinau_db_notifications_total", "Notifications received."),
    GAUGE(sess_enabled, "sinau_session_cache_enabled", "1 while the session cache may answer."),
    COUNTER(sess_hits, "sinau_session_cache_hits_total", "Session checks answered from the cache."),
    COUNTER(sess_misses, "sinau_session_cache_misses_total",
            "Session checks sent to the database."),
    COUNTER(sess_stored, "sinau_session_cache_stored_total", "Sessions stored in the cache."),
    COUNTER(sess_invalidations, "sinau_session_cache_invalidations_total",
            "Sessions or users dropped on a notification or a logout."),
    COUNTER(sess_flushes, "sinau_session_cache_flushes_total",
            "Times the whole cache was emptied (listener lost or back)."),
};

static atomic_int *int_at(metrics_block *b, size_t off)
{
    return (atomic_int *)(void *)((char *)b + off);
}

static void render_figure(dynbuf *o, const figure *f, metrics_block *const *b, int n)
{
    unsigned long long total = 0;
    long long v = f->kind == FIG_LAG ? -1 : 0;

    for (int i = 0; i < n; i++) {
        if (f->kind == FIG_COUNTER)
            total += atomic_load((atomic_ullong *)(void *)((char *)b[i] + f->off));
        else if (f->kind == FIG_GAUGE)
            v += atomic_load(int_at(b[i], f->off));
        else if (atomic_load(&b[i]->db_read.size) > 0 && atomic_load(int_at(b[i], f->off)) > v)
            v = atomic_load(int_at(b[i], f->off));
    }
    if (f->kind == FIG_COUNTER)
        counter(o, f->name, f->help, total);
    else
        gauge(o, f->name, f->help, v);
}

void metrics_publish_pool(metrics_pool *p, const db_pool_stats *st)
{
    atomic_store(&p->size, st->size);
    atomic_store(&p->connected, st->connected);
    atomic_store(&p->in_use, st->in_use);
    atomic_store(&p->waiting, st->waiting);
    atomic_store(&p->lag_ms, st->lag_ms);
    atomic_store(&p->queries, st->queries);
    atomic_store(&p->errors, st->errors);
    atomic_store(&p->refused, st->refused);
    atomic_store(&p->reconnects, st->reconnects);
    atomic_store(&p->stale, st->stale);
}

void metrics_render(dynbuf *o, metrics_block *const *blocks, int nblocks,
                    const http_route *const *routes, size_t nroutes, size_t worker_queue,
                    size_t worker_busy)
{
    render_requests(o, blocks, nblocks, routes, nroutes);
    render_histogram(o, blocks, nblocks);
    for (size_t i = 0; i < SINAU_ARRAY_LEN(figures); i++)
        render_figure(o, &figures[i], blocks, nblocks);
    gauge(o, "sinau_worker_queue_depth", "CPU jobs waiting for a worker.", (long long)worker_queue);
    gauge(o, "sinau_worker_busy", "CPU jobs running.", (long long)worker_busy);
}
