/* debug.c — routes for the test suite only, mounted when SINAU_DEBUG_ROUTES
 * is on (never in production): a slow query, to prove the loop never waits
 * on the database, and a strict JSON echo, to exercise body reading before
 * any real resource takes JSON. */
#include "sinau/api/routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/http/ctx.h"
#include "sinau/http/dbroute.h"
#include "sinau/http/reply.h"

static const db_stmt sleep_stmt = {
    "debug_sleep", "select json_build_object('slept_ms', $1::int) from pg_sleep($1::int / 1000.0)",
    1};

static void sleep_done(void *arg, db_result *r)
{
    http_ctx *ctx = arg;

    if (r->status != DB_OK) {
        http_reply_db_error(ctx, r);
        return;
    }
    http_reply_pg_json(ctx, 200, db_result_take(r), 0, 0);
}

/* GET /debug/sleep?ms=N: the database sleeps N ms (0..60000). */
static void debug_sleep(http_ctx *ctx)
{
    const char *ms = http_query(ctx, "ms");
    const char **values;
    char *end = NULL;
    long v = ms != NULL ? strtol(ms, &end, 10) : -1;

    if (ms == NULL || *ms == '\0' || *end != '\0' || v < 0 || v > 60000) {
        http_reply_error(ctx, 422, "invalid_ms", "ms must be an integer in 0..60000");
        return;
    }
    values = http_ctx_alloc(ctx, sizeof *values);
    values[0] = http_ctx_strndup(ctx, ms, strlen(ms));
    http_db_query(ctx, &sleep_stmt, values, sleep_done);
}

/* POST /debug/echo: the strict JSON reader's verdict, or the object back. */
static void debug_echo(http_ctx *ctx)
{
    json_t *body;

    if (http_read_json(ctx, true, &body) != 0)
        return;
    http_reply_json(ctx, 200, json_incref(body));
}

static const http_route routes[] = {
    {.methods = ROUTER_GET,
     .pattern = "/debug/sleep",
     .handler = debug_sleep,
     .summary = "Tests only: the database sleeps ms",
     .access = AUTH_NONE},
    {.methods = ROUTER_POST,
     .pattern = "/debug/echo",
     .handler = debug_echo,
     .summary = "Tests only: echoes a strict JSON body",
     .access = AUTH_NONE},
};

const http_route *debug_routes(size_t *n)
{
    *n = SINAU_ARRAY_LEN(routes);
    return routes;
}
