/* system.c — operational endpoints: health, readiness, metrics, and the
 * OpenAPI description (API.md "Operations"). */
#include "sinau/api/routes.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sinau/api/services.h"
#include "sinau/core/alloc.h"
#include "sinau/core/dynbuf.h"
#include "sinau/http/ctx.h"
#include "sinau/http/dbroute.h"
#include "sinau/http/reply.h"

static const char healthy[] = "{\"status\":\"ok\"}";

static void healthz(http_ctx *ctx)
{
    http_reply_static(ctx, 200, "application/json", healthy, sizeof healthy - 1);
}

/* Ready means a primary answers: a server that takes writes (during a
 * failover the promoted standby is read-only for a moment). */
static const db_stmt ready_stmt = {
    "system_ready",
    "select not pg_is_in_recovery() and current_setting('transaction_read_only') = 'off'", 0};

static void readyz_done(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    static const char ready[] = "{\"status\":\"ready\"}";
    db_result down = {DB_ERR_UNAVAILABLE, NULL, ""};

    if (http_db_failed(ctx, r))
        return;
    if (PQntuples(r->res) != 1 || strcmp(PQgetvalue(r->res, 0, 0), "t") != 0) {
        http_reply_db_error(ctx, &down);
        return;
    }
    http_reply_static(ctx, 200, "application/json", ready, sizeof ready - 1);
}

static void readyz(http_ctx *ctx)
{
    if (!db_pool_ready(api_svc(ctx)->db)) {
        db_result down = {DB_ERR_UNAVAILABLE, NULL, ""};
        http_reply_db_error(ctx, &down);
        return;
    }
    http_db_query(ctx, &ready_stmt, NULL, readyz_done);
}

/* /metrics: with a token configured, only with it; without one, only to
 * loopback connections, and never when a proxy is trusted (every request
 * then arrives from the proxy, loopback or not). */
static bool metrics_allowed(http_ctx *ctx, const sinau_config *cfg)
{
    const char *given = http_bearer(ctx);
    size_t n;

    if (cfg->metrics_token == NULL)
        return !cfg->trust_proxy && http_peer_loopback(ctx);
    n = strlen(cfg->metrics_token);
    return given != NULL && strlen(given) == n && sodium_memcmp(given, cfg->metrics_token, n) == 0;
}

/* The Prometheus text of every loop, the routes and the outbox together. */
#define METRICS_MAX ((size_t)16 << 20)

static void metrics(http_ctx *ctx)
{
    const api_services *svc = api_svc(ctx);
    dynbuf text;

    if (!metrics_allowed(ctx, svc->cfg)) {
        http_reply_error(ctx, 403, "forbidden",
                         "metrics are served with the token (or to loopback without a proxy)");
        return;
    }
    dynbuf_init(&text, METRICS_MAX);
    svc->metrics_text(svc->metrics_arg, &text);
    if (dynbuf_failed(&text))
        http_reply_error(ctx, 500, "internal_error", "the metrics did not fit");
    else
        http_reply_bytes(ctx, 200, "text/plain; version=0.0.4; charset=utf-8", text.data, text.len);
    dynbuf_free(&text);
}

static void openapi(http_ctx *ctx)
{
    const api_services *svc = api_svc(ctx);

    http_reply_static(ctx, 200, "application/json", svc->openapi, svc->openapi_len);
}

/* The route table (server/api/routes/system.json, generated at build time). */
#include "routes/system.inc"
