/* api/services.h — what the API's handlers and timers are given: the
 * services the composition root (server.c) hands each loop, reached from a
 * request with api_svc(ctx). Handlers see these and the request, never the
 * thread layout (which loop, how many, what the others hold).
 *
 * One per loop thread, filled by the root before the loop runs; the
 * process-wide members are shared (each says how it is safe across
 * threads: see docs/internals/THREADS.md), the loop's own are touched only
 * on that loop. Everything is borrowed and outlives the loop. */
#ifndef SINAU_API_SERVICES_H
#define SINAU_API_SERVICES_H

#include <stddef.h>
#include <stdint.h>

#include "sinau/core/config.h"
#include "sinau/core/dynbuf.h"
#include "sinau/core/worker.h"
#include "sinau/db/pool.h"
#include "sinau/http/ctx.h"

struct event;
struct event_base;
struct outbox;
struct pdfsign_signer;
struct pii_keyring;
struct ratelimit;
struct sesscache;
struct verdict_cache;

typedef struct api_services {
    /* the process's, shared by every loop */
    const sinau_config *cfg;
    struct pii_keyring *keys;          /* master key: personal data, signing seeds (read-only) */
    struct sesscache *sessions;        /* checked sessions (locked inside), or NULL when off */
    struct ratelimit *verify_misses;   /* certificate lookups that found nothing (locked inside) */
    struct pdfsign_signer *pdf_signer; /* signs certificate PDFs; NULL when not configured */
    struct verdict_cache *verdicts;    /* signature verdicts of stored credentials (locked) */
    worker_pool *workers;              /* CPU-heavy jobs (worker.h) */
    const struct api_bodies *bodies;   /* request body schemas (api/schemas.h, read-only) */
    const char *openapi;               /* the OpenAPI document, built once */
    size_t openapi_len;
    /* Appends the Prometheus text of /metrics to t: every loop's figures,
     * the worker pool's and the delivery worker's (a failure is t's,
     * sticky: core/dynbuf.h), from any loop. */
    void (*metrics_text)(void *arg, dynbuf *t);
    void *metrics_arg;
    /* this loop's own */
    struct event_base *base; /* its event loop: timers, worker results */
    db_pool *db; /* its pool on the primary, for work that is no request's (timers, re-signing) */
    /* the offer timer's state (registrations.c), on the loop that LISTENs */
    struct event *offer_timer;
    int64_t offer_due_ms; /* its wall-clock due time, 0 when not armed */
} api_services;

/* The services of ctx's loop. */
static inline api_services *api_svc(const http_ctx *ctx)
{
    return ctx->services;
}

#endif /* SINAU_API_SERVICES_H */
