/* http/metrics.h — request counters and latency histogram, one block per loop
 * thread (single writer: its loop; readers: the /metrics handler on any
 * loop, through relaxed atomics), rendered in Prometheus text format. */
#ifndef SINAU_HTTP_METRICS_H
#define SINAU_HTTP_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "sinau/core/dynbuf.h"
#include "sinau/db/pool.h"
#include "sinau/http/router.h"

#define METRICS_MAX_ROUTES 256 /* index 0: static files and misses */
#define METRICS_NSTATUS    28
#define METRICS_NBUCKETS   13

/* A pool's figures as its loop last published them (db_pool_stats). */
typedef struct metrics_pool {
    atomic_int size, connected, in_use, waiting, lag_ms;
    atomic_ullong queries, errors, refused, reconnects, stale;
} metrics_pool;

typedef struct metrics_block {
    atomic_ullong requests[METRICS_MAX_ROUTES][METRICS_NSTATUS];
    atomic_ullong buckets[METRICS_NBUCKETS]; /* cumulative counts per le */
    atomic_ullong duration_us_sum;
    atomic_ullong count;
    /* published by the loop (its pools belong to it): the primary pool and,
     * for failover, the read pool (standbys) */
    metrics_pool db, db_read;
    atomic_int inflight;
    atomic_int connections;            /* open on this loop */
    atomic_ullong connections_refused; /* refused at accept by the caps */
    /* failover: the listener (loop 0), the requests' own retries and
     * fallbacks (http_db_query, http_db_read) */
    atomic_int db_listening;
    atomic_ullong db_read_fallbacks, db_retries;
    atomic_ullong db_listen_subscriptions, db_notifications;
    /* the session cache (sesscache.h), published by loop 0 */
    atomic_int sess_enabled;
    atomic_ullong sess_hits, sess_misses, sess_stored, sess_invalidations, sess_flushes;
} metrics_block;

/* Index of a status code in requests[][] (the last index is "other"). */
int metrics_status_index(int status);

/* Counts one finished request on the calling loop's block. route_index is
 * the route's position in the router (1-based), 0 for none. */
void metrics_count(metrics_block *m, int route_index, int status, int64_t duration_ns);

/* Stores st (db_pool_get_stats) as the pool's figures p (&block->db or
 * &block->db_read). The block's loop thread. */
void metrics_publish_pool(metrics_pool *p, const db_pool_stats *st);

/* Appends every block (nblocks of them) as Prometheus text to o (a
 * failure is o's, sticky: see dynbuf.h). routes/nroutes label the
 * counters; worker gauges are passed in. */
void metrics_render(dynbuf *o, metrics_block *const *blocks, int nblocks,
                    const http_route *const *routes, size_t nroutes, size_t worker_queue,
                    size_t worker_busy);

#endif /* SINAU_HTTP_METRICS_H */
