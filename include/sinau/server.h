/* server.h — `sinau serve`, the composition root: the listening socket,
 * the loop threads (each with its own event_base, HTTP server and db_pool),
 * and the graceful stop. The http layer gets what it needs through its own
 * interface (http_server.h) and never includes this header.
 *
 * Handlers never see it: they get their loop's api_services (api/services.h)
 * and the guard its auth_guard. The server and its loops are created in
 * server_run and live until it returns. */
#ifndef SINAU_SERVER_H
#define SINAU_SERVER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "sinau/api/services.h"
#include "sinau/auth/guard.h"
#include "sinau/core/config.h"
#include "sinau/core/log.h"
#include "sinau/core/worker.h"
#include "sinau/db/listen.h"
#include "sinau/db/pool.h"
#include "sinau/http/loop.h"
#include "sinau/http/metrics.h"
#include "sinau/http/router.h"
#include "sinau/http/static_files.h"

struct event_base;
struct event;
typedef struct sinau_server sinau_server;

typedef struct sinau_loop {
    sinau_server *server;
    int index;
    struct event_base *base;
    http_loop *http; /* this loop's HTTP server */
    bool accepting;  /* http is taking connections (until the stop) */
    db_pool *db;
    db_pool *db_read;      /* standbys for stale-tolerant reads, or NULL (http_db_read) */
    db_pool *outbox_db;    /* loop 0: the delivery worker's own connection */
    db_listen *listen;     /* loop 0: LISTEN on the primary (api_listen_channels), or NULL */
    struct event *stop_ev; /* activated by the main thread at SIGTERM */
    struct event *tick;    /* publishes gauges, watches the drain */
    metrics_block *metrics;
    api_services api; /* what this loop's handlers and API timers are given */
    auth_guard guard; /* this loop's route guard */
    unsigned ticks;   /* tick count, for slower timers */
    bool draining;
    int64_t drain_deadline_ns;
} sinau_loop;

/* Certificate lookups that miss: cfg->verify_misses_per_minute per client
 * and window, then 429. */
#define VERIFY_MISS_WINDOW_S 60

struct sinau_server {
    const sinau_config *cfg;
    router *router;
    static_store *web;
    worker_pool *workers;
    struct sesscache *sessions;        /* checked sessions (sesscache.h), or NULL when off */
    struct pii_keyring *keys;          /* master key: personal data, signing seeds */
    struct ratelimit *verify_misses;   /* certificate lookups that found nothing, per client */
    struct pdfsign_signer *pdf_signer; /* signs certificate PDFs; NULL when not configured */
    struct verdict_cache *verdicts;    /* signature verdicts of stored credentials */
    struct outbox *outbox;             /* the delivery worker, on loop 0 (outbox.h) */
    http_shared *http;                 /* limits and connection caps of every loop's HTTP server */
    sinau_loop *loops;
    int nloops;
    int listen_fd;
    int port;                  /* the port actually bound */
    char instance[12];         /* random hex prefix of request ids */
    char *openapi;             /* the OpenAPI document, built once */
    struct api_bodies *bodies; /* request body schemas (api/schemas.h), built once */
    size_t openapi_len;
    atomic_bool stopping;
    atomic_int accepting; /* loops still accepting; the last to stop closes listen_fd */
};

/* Runs the server until SIGTERM or SIGINT, then drains (bounded by
 * cfg->shutdown_grace_s) and returns 0; returns -1 (logged) when it cannot
 * start. Call from the main thread, after the configuration is valid. */
SINAU_MUST_CHECK int server_run(const sinau_config *cfg);

#endif /* SINAU_SERVER_H */
