/* call.c — the SQL convention's one decoder and the generic handler of thin
 * routes. Every SQL function answers {status, body} (sql/functions/core.sql:
 * sinau_ok, sinau_error with code, message and details.field), returns it
 * or, when its writes must be undone, raises it (sinau_raise: SQLSTATE class
 * SN, the answer in DETAIL); api_reply_sql is the only C that reads either.
 * A route whose whole work is one such function is declared as data (an
 * api_call in its row) and served by api_call_route. A refusal carrying
 * details.retry_after_s is also sent with Retry-After. */
#include "sinau/api/call.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/api/common.h"
#include "sinau/api/schemas.h"
#include "sinau/api/services.h"
#include "sinau/auth/session.h"
#include "sinau/http/ctx.h"
#include "sinau/http/dbroute.h"
#include "sinau/http/reply.h"

/* A statement raised by sinau_raise: replies with the {status, body} of
 * its DETAIL and returns true; false for any other failure. */
static bool reply_raised(http_ctx *ctx, const db_result *r)
{
    const char *detail;
    json_t *answer, *body;
    json_int_t status;

    if (r->status != DB_ERR_SQL || strncmp(r->sqlstate, "SN", 2) != 0 || r->res == NULL)
        return false;
    detail = PQresultErrorField(r->res, PG_DIAG_MESSAGE_DETAIL);
    answer = detail != NULL ? json_loads(detail, 0, NULL) : NULL;
    status = json_integer_value(json_object_get(answer, "status"));
    body = json_object_get(answer, "body");
    if (status < 400 || status > 599 || !json_is_object(body)) {
        json_decref(answer);
        return false;
    }
    http_reply_json(ctx, (int)status, json_incref(body));
    json_decref(answer);
    return true;
}

/* A refusal that says when to try again (details.retry_after_s, seconds)
 * sends it as Retry-After too. */
static void retry_after(http_ctx *ctx, const char *body)
{
    json_t *b = json_loads(body, 0, NULL);
    json_t *d = json_object_get(json_object_get(b, "error"), "details");
    json_int_t s = json_integer_value(json_object_get(d, "retry_after_s"));
    char v[24];

    if (s > 0) {
        snprintf(v, sizeof v, "%lld", (long long)s);
        http_add_header(ctx, "Retry-After", v);
    }
    json_decref(b);
}

void api_reply_sql(http_ctx *ctx, db_result *r, enum api_reply_kind kind)
{
    long status;

    if (r->status != DB_OK) {
        if (!reply_raised(ctx, r))
            http_reply_db_error(ctx, r);
        return;
    }
    if (PQntuples(r->res) != 1 || PQgetisnull(r->res, 0, 0)) {
        http_reply_error(ctx, 404, "not_found", "no such resource");
        return;
    }
    if (kind != API_REPLY_STATUS) {
        http_reply_pg_json(ctx, kind == API_REPLY_CREATED ? 201 : 200, db_result_take(r), 0, 0);
        return;
    }
    status = strtol(PQgetvalue(r->res, 0, 0), NULL, 10);
    if (status < 200 || status > 599)
        status = 500;
    if (status == 429 || status == 503)
        retry_after(ctx, PQgetvalue(r->res, 0, 1));
    if (status == 204) {
        http_reply_empty(ctx, 204);
        return;
    }
    http_reply_pg_json(ctx, (int)status, db_result_take(r), 0, 1);
}

static void call_done(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    const api_call *c = ctx->route->data;

    api_reply_sql(ctx, r, c->reply);
}

/* The request's JSON object body, read and checked once (*body keeps it):
 * by the call's own check when it has one (its SQL answers the members'
 * refusals with codes of their own, which the schema's 422 invalid_field
 * would pre-empt), else against the route's declared schema
 * (api_request_schema). Returns 0, or -1 after replying. */
static int body_read(http_ctx *ctx, const api_call *c, json_t **body)
{
    const json_t *schema = api_request_schema(ctx);

    if (*body != NULL)
        return 0;
    if (http_read_json(ctx, c->body_optional, body) != 0)
        return -1;
    if (c->check != NULL)
        return c->check(ctx, *body);
    return schema != NULL ? http_check_body(ctx, schema, *body) : 0;
}

/* A scalar member as the statement's text: a string as it is, a number or
 * a boolean as its JSON text (the SQL casts), NULL when absent or null. */
static const char *member_text(http_ctx *ctx, json_t *body, const char *name)
{
    json_t *v = json_object_get(body, name);

    if (v == NULL || json_is_null(v))
        return NULL;
    if (json_is_string(v))
        return json_string_value(v);
    return api_json_text(ctx, v);
}

/* Fills *out with one parameter. Returns 0, or -1 after replying. */
static int call_arg(http_ctx *ctx, const api_call *c, const api_arg *a, json_t **body,
                    const char **out)
{
    switch (a->src) {
    case API_SRC_PATH:
        *out = http_param(ctx, a->name);
        return api_missing(ctx, *out, c->what) ? -1 : 0;
    case API_SRC_BODY:
        if (body_read(ctx, c, body) != 0)
            return -1;
        *out = api_json_text(ctx, *body);
        return 0;
    case API_SRC_MEMBER:
        if (body_read(ctx, c, body) != 0)
            return -1;
        *out = member_text(ctx, *body, a->name);
        return 0;
    case API_SRC_CALLER:
        *out = ctx->user.signed_in ? ctx->user.id : NULL;
        return 0;
    case API_SRC_ROLE:
        *out = ctx->user.signed_in ? auth_role_name(ctx->user.role) : NULL;
        return 0;
    case API_SRC_PUBLIC_URL:
        *out = api_svc(ctx)->cfg->public_url;
        return 0;
    case API_SRC_PEER:
        *out = http_peer(ctx);
        return 0;
    }
    return -1;
}

void api_call_route(http_ctx *ctx)
{
    const api_call *c = ctx->route->data;
    int n = c->stmt.nparams;
    const char **p = http_ctx_alloc(ctx, (size_t)(n > 0 ? n : 1) * sizeof *p);
    json_t *body = NULL;
    void (*run)(http_ctx *, const db_stmt *, const char *const *, db_done_fn) =
        c->read ? http_db_read : http_db_query;

    for (int i = 0; i < n; i++)
        if (call_arg(ctx, c, &c->args[i], &body, &p[i]) != 0)
            return;
    run(ctx, &c->stmt, p, c->done != NULL ? c->done : call_done); /* a refusal answers 503 */
}
