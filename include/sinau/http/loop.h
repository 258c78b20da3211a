/* http/loop.h — the HTTP/1.1 server as the composition root (server.c)
 * sees it: the narrow interface through which it hands the http layer what
 * it needs, owned by the http layer so that http never includes server.h.
 *
 * One http_shared per process (limits, policy, the connection caps shared
 * by every loop) and one http_loop per loop thread: it accepts from the
 * listening socket the root opened, reads requests on its own connections
 * (nothing of a connection ever crosses threads), dispatches them through
 * the router to the guard and the handlers, and answers. See
 * server/http/conn.c for the connection's life and request.c for a
 * request's. */
#ifndef SINAU_HTTP_LOOP_H
#define SINAU_HTTP_LOOP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "sinau/core/common.h"
#include "sinau/core/worker.h"
#include "sinau/db/pool.h"
#include "sinau/http/metrics.h"
#include "sinau/http/router.h"
#include "sinau/http/static_files.h"

struct event_base;
struct http_ctx;

/* The route guard, as the http layer calls it: check resolves the caller,
 * enforces the route's access level, then calls next(ctx) — or replies
 * itself. Implemented by a layer above (auth/guard.h embeds this struct
 * first and finds its own fields from self, the h2o handler way); the
 * request keeps it in ctx->guard for the guard's own continuations. */
typedef struct http_guard http_guard;
struct http_guard {
    void (*check)(const http_guard *self, struct http_ctx *ctx, void (*next)(struct http_ctx *ctx));
};

/* Limits and policy, from the configuration. */
typedef struct http_settings {
    size_t max_head;      /* SINAU_MAX_HEADERS: request line and headers (431 beyond) */
    size_t max_body;      /* SINAU_MAX_BODY: routes without their own limit, and misses */
    int idle_timeout_s;   /* SINAU_IDLE_TIMEOUT_S: a keep-alive connection's wait */
    int head_timeout_s;   /* SINAU_HEAD_TIMEOUT_S: a whole request head (408 beyond) */
    size_t min_body_rate; /* SINAU_MIN_BODY_RATE: bytes/s a body averages after the
                             head timeout's grace (408 below) */
    int max_connections;  /* SINAU_MAX_CONNECTIONS: open at once, every loop together */
    int max_per_address;  /* SINAU_MAX_CONNECTIONS_PER_ADDRESS: of those, from one
                             client (IPv4 /32, IPv6 /64); 0: no share */
    int loops;            /* loop threads sharing the listening socket */
    int db_wait_ms;       /* SINAU_DB_QUEUE_TIMEOUT_MS: no statement retry or
                             fallback takes a request past it (dbroute.c) */
    bool trust_proxy;     /* SINAU_TRUST_PROXY: client address from X-Forwarded-For */
    bool https;           /* the public URL is https: Strict-Transport-Security */
} http_settings;

/* The process-wide part, shared read-only by every loop (its connection
 * counts are locked inside). */
typedef struct http_shared http_shared;

/* What one loop's server is handed by the composition root. Everything is
 * borrowed and must outlive the loop's server. */
typedef struct http_loop_opts {
    struct event_base *base; /* the loop thread's */
    void *services;          /* handed to handlers as ctx->services; never read here */
    int index;               /* the loop's number (request ids) */
    const char *instance;    /* this process's request-id prefix (hex) */
    db_pool *db;             /* the loop's pool, on the primary (http_db_query) */
    db_pool *db_read;        /* the loop's read pool on standbys, or NULL (http_db_read) */
    worker_pool *workers;    /* the process's pool (http_work) */
    const static_store *web; /* web/ for the router's misses */
    metrics_block *metrics;  /* the loop's block: every request is counted there */
    const http_guard *guard; /* runs before every route's handler */
} http_loop_opts;

typedef struct http_loop http_loop;

/* Makes the shared part: settings are copied; r (borrowed, the full
 * router, alive until after every loop is freed) gives the routes' body
 * limits. Main thread, before the loops start. Never NULL. */
http_shared *http_shared_new(const http_settings *s, const router *r);

/* Frees it, after every loop's server is freed. NULL-safe. */
void http_shared_free(http_shared *sh);

/* The effective connection cap (SINAU_MAX_CONNECTIONS, lowered to what the
 * process's open-file limit allows, which http_shared_new raises as far as
 * it may). */
int http_shared_max_connections(const http_shared *sh);

/* Makes one loop's server, not yet accepting. Call on the main thread
 * before the loop runs; afterwards everything happens on the loop thread.
 * Never NULL. */
http_loop *http_loop_new(const http_shared *sh, const http_loop_opts *o);

/* Starts accepting connections from listen_fd (a non-blocking listening
 * socket shared by every loop, not closed here). Returns 0 or -1. */
SINAU_MUST_CHECK int http_loop_listen(http_loop *l, int listen_fd);

/* Stops accepting and starts draining: requests that arrive from now on
 * are answered 503 `shutting_down` with Connection: close; requests in
 * flight finish. Loop thread. */
void http_loop_drain(http_loop *l);

/* Requests without a reply yet (the drain waits for 0). Loop thread. */
int http_loop_inflight(const http_loop *l);

/* Open connections of this loop. Loop thread. */
int http_loop_connections(const http_loop *l);

/* Housekeeping for the loop's tick (every 250 ms): the preformatted Date
 * header, and the access log written out. Loop thread. */
void http_loop_tick(http_loop *l);

/* Closes every connection and frees the server, including requests still
 * without a reply when the drain's grace ran out (call after the db pool is
 * freed: their queries are gone). After the loop has stopped. NULL-safe. */
void http_loop_free(http_loop *l);

#endif /* SINAU_HTTP_LOOP_H */
