/* common.c — database completions shared by the resource modules: most
 * handlers end with one statement whose result is the response itself. */
#include "sinau/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/http.h"

void api_reply_json_or_404(void *arg, db_result *r)
{
    http_ctx *ctx = arg;

    if (r->status != DB_OK) {
        http_reply_db_error(ctx, r);
        return;
    }
    if (PQntuples(r->res) != 1 || PQgetisnull(r->res, 0, 0)) {
        http_reply_error(ctx, 404, "not_found", "no such resource");
        return;
    }
    http_reply_pg_json(ctx, ctx->state == API_CREATED ? 201 : 200, db_result_take(r), 0, 0);
}

void api_reply_status_body(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    long status;

    if (r->status != DB_OK) {
        http_reply_db_error(ctx, r);
        return;
    }
    if (PQntuples(r->res) != 1 || PQgetisnull(r->res, 0, 0)) {
        http_reply_error(ctx, 404, "not_found", "no such resource");
        return;
    }
    status = strtol(PQgetvalue(r->res, 0, 0), NULL, 10);
    if (status < 200 || status > 599)
        status = 500;
    if (status == 204) {
        http_reply_empty(ctx, 204);
        return;
    }
    http_reply_pg_json(ctx, (int)status, db_result_take(r), 0, 1);
}

bool api_missing(http_ctx *ctx, const char *value, const char *what)
{
    char msg[64];

    if (value != NULL)
        return false;
    snprintf(msg, sizeof msg, "no such %s", what);
    http_reply_error(ctx, 404, "not_found", msg);
    return true;
}

int api_limit(http_ctx *ctx, int fallback)
{
    const char *s = http_query(ctx, "limit");
    char *end = NULL;
    long v;

    if (s == NULL)
        return fallback;
    v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 1 || v > 200) {
        http_reply_error(ctx, 422, "invalid_limit", "limit must be an integer in 1..200");
        return -1;
    }
    return (int)v;
}

char *api_itoa(http_ctx *ctx, long long v)
{
    char *s = http_ctx_alloc(ctx, 24);

    snprintf(s, 24, "%lld", v);
    return s;
}
