/* metrics.c — per-loop request counters and latency histogram (metrics.h),
 * rendered in the Prometheus text exposition format. */
#include "sinau/http/metrics.h"

#include <stdarg.h>
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

static void render_pool(dynbuf *o, metrics_block *const *b, int n)
{
    long long size = 0, conn = 0, used = 0, wait = 0, infl = 0, clients = 0;
    unsigned long long refused = 0, errors = 0, reconn = 0, turned_away = 0;

    for (int i = 0; i < n; i++) {
        size += atomic_load(&b[i]->db_size);
        conn += atomic_load(&b[i]->db_connected);
        used += atomic_load(&b[i]->db_in_use);
        wait += atomic_load(&b[i]->db_waiting);
        infl += atomic_load(&b[i]->inflight);
        refused += atomic_load(&b[i]->db_refused);
        errors += atomic_load(&b[i]->db_errors);
        reconn += atomic_load(&b[i]->db_reconnects);
        clients += atomic_load(&b[i]->connections);
        turned_away += atomic_load(&b[i]->connections_refused);
    }
    gauge(o, "sinau_db_pool_size", "Database connections configured.", size);
    gauge(o, "sinau_db_pool_connected", "Database connections up.", conn);
    gauge(o, "sinau_db_pool_in_use", "Database connections running a statement.", used);
    gauge(o, "sinau_db_pool_waiting", "Queries waiting for a connection.", wait);
    counter(o, "sinau_db_refused_total", "Queries refused (queue full or database down).", refused);
    counter(o, "sinau_db_errors_total", "Queries that ended in an error.", errors);
    counter(o, "sinau_db_reconnects_total", "Connections re-established.", reconn);
    gauge(o, "sinau_http_inflight", "Requests without a reply yet.", infl);
    gauge(o, "sinau_http_connections", "Client connections open.", clients);
    counter(o, "sinau_http_connections_refused_total",
            "Connections refused at accept (SINAU_MAX_CONNECTIONS or its per-address share).",
            turned_away);
}

/* The read pool, the listener and the requests' retries (failover). */
static void render_ha(dynbuf *o, metrics_block *const *b, int n)
{
    long long size = 0, conn = 0, lag = -1, listening = 0;
    unsigned long long reads = 0, stale = 0, fallbacks = 0, retries = 0, subs = 0, notes = 0;

    for (int i = 0; i < n; i++) {
        size += atomic_load(&b[i]->db_read_size);
        conn += atomic_load(&b[i]->db_read_connected);
        if (atomic_load(&b[i]->db_read_size) > 0 && atomic_load(&b[i]->db_read_lag_ms) > lag)
            lag = atomic_load(&b[i]->db_read_lag_ms);
        listening += atomic_load(&b[i]->db_listening);
        reads += atomic_load(&b[i]->db_read_queries);
        stale += atomic_load(&b[i]->db_read_stale);
        fallbacks += atomic_load(&b[i]->db_read_fallbacks);
        retries += atomic_load(&b[i]->db_retries);
        subs += atomic_load(&b[i]->db_listen_subscriptions);
        notes += atomic_load(&b[i]->db_notifications);
    }
    gauge(o, "sinau_db_read_pool_size", "Read-pool (standby) connections configured.", size);
    gauge(o, "sinau_db_read_pool_connected", "Read-pool connections up.", conn);
    gauge(o, "sinau_db_read_lag_ms",
          "Largest staleness a read connection last measured (-1: none).", lag);
    counter(o, "sinau_db_read_queries_total", "Queries the read pool completed.", reads);
    counter(o, "sinau_db_read_stale_total", "Reads refused by a standby past the staleness bound.",
            stale);
    counter(o, "sinau_db_read_fallbacks_total", "Reads sent to the primary instead of a standby.",
            fallbacks);
    counter(o, "sinau_db_retries_total",
            "Statements of idempotent requests run again after a "
            "lost connection.",
            retries);
    gauge(o, "sinau_db_listening", "1 while every LISTEN is in force on the primary.", listening);
    counter(o, "sinau_db_listen_subscriptions_total", "Times the listener (re)subscribed.", subs);
    counter(o, "sinau_db_notifications_total", "Notifications received.", notes);
}

/* The session cache (one per process; loop 0 publishes it). */
static void render_sessions(dynbuf *o, metrics_block *const *b, int n)
{
    long long on = 0;
    unsigned long long hits = 0, misses = 0, stored = 0, inval = 0, flushes = 0;

    for (int i = 0; i < n; i++) {
        on += atomic_load(&b[i]->sess_enabled);
        hits += atomic_load(&b[i]->sess_hits);
        misses += atomic_load(&b[i]->sess_misses);
        stored += atomic_load(&b[i]->sess_stored);
        inval += atomic_load(&b[i]->sess_invalidations);
        flushes += atomic_load(&b[i]->sess_flushes);
    }
    gauge(o, "sinau_session_cache_enabled", "1 while the session cache may answer.", on);
    counter(o, "sinau_session_cache_hits_total", "Session checks answered from the cache.", hits);
    counter(o, "sinau_session_cache_misses_total", "Session checks sent to the database.", misses);
    counter(o, "sinau_session_cache_stored_total", "Sessions stored in the cache.", stored);
    counter(o, "sinau_session_cache_invalidations_total",
            "Sessions or users dropped on a notification or a logout.", inval);
    counter(o, "sinau_session_cache_flushes_total",
            "Times the whole cache was emptied (listener lost or back).", flushes);
}

void metrics_render(dynbuf *o, metrics_block *const *blocks, int nblocks,
                    const http_route *const *routes, size_t nroutes, size_t worker_queue,
                    size_t worker_busy)
{
    render_requests(o, blocks, nblocks, routes, nroutes);
    render_histogram(o, blocks, nblocks);
    render_pool(o, blocks, nblocks);
    render_ha(o, blocks, nblocks);
    render_sessions(o, blocks, nblocks);
    gauge(o, "sinau_worker_queue_depth", "CPU jobs waiting for a worker.", (long long)worker_queue);
    gauge(o, "sinau_worker_busy", "CPU jobs running.", (long long)worker_busy);
}
