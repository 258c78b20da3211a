/* common.c — database completions shared by the resource modules: most
 * handlers end with one statement whose result is the response itself. */
#include "sinau/api.h"

#include <ctype.h>
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

const char **api_caller_params(http_ctx *ctx, int n)
{
    const char **p = http_ctx_alloc(ctx, (size_t)n * sizeof *p);

    p[n - 2] = ctx->user.id;
    p[n - 1] = auth_role_name(ctx->user.role);
    return p;
}

/* ISO 8601 with a zone, as JSON writes times: YYYY-MM-DDTHH:MM[:SS[.f…]]
 * then Z or ±HH:MM. Words PostgreSQL would also take ("tomorrow",
 * "infinity") and times without a zone are refused. */
bool api_iso_time(const char *s)
{
    static const char shape[] = "dddd-dd-ddTdd:dd";
    size_t i;

    for (i = 0; shape[i] != '\0'; i++)
        if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])
            return false;
    if (s[i] == ':' && isdigit((unsigned char)s[i + 1]) && isdigit((unsigned char)s[i + 2]))
        i += 3;
    if (s[i] == '.' && isdigit((unsigned char)s[i + 1]))
        for (i++; isdigit((unsigned char)s[i]); i++)
            ;
    if (s[i] == 'Z')
        return s[i + 1] == '\0';
    return (s[i] == '+' || s[i] == '-') && isdigit((unsigned char)s[i + 1]) &&
           isdigit((unsigned char)s[i + 2]) && s[i + 3] == ':' &&
           isdigit((unsigned char)s[i + 4]) && isdigit((unsigned char)s[i + 5]) && s[i + 6] == '\0';
}

/* YYYY-MM-DD and nothing else. */
bool api_iso_date(const char *s)
{
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? s[i] != '-' : !isdigit((unsigned char)s[i]))
            return false;
    return s[10] == '\0';
}

const char *api_json_text(http_ctx *ctx, const json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    char *out = text != NULL ? http_ctx_strndup(ctx, text, strlen(text)) : NULL;

    free(text);
    return out;
}

bool api_instant_member(http_ctx *ctx, json_t *v, const char **out, const char *message)
{
    *out = NULL;
    if (v == NULL || json_is_null(v))
        return true;
    if (!json_is_string(v) || json_string_length(v) > 64 || !api_iso_time(json_string_value(v))) {
        http_reply_error(ctx, 422, "invalid_time", message);
        return false;
    }
    *out = json_string_value(v);
    return true;
}

void api_reply_status_body_times(void *arg, db_result *r)
{
    http_ctx *ctx = arg;

    if (r->status == DB_ERR_SQL && strncmp(r->sqlstate, "22", 2) == 0) {
        http_reply_error(ctx, 422, "invalid_time", "a time is not a valid date and hour");
        return;
    }
    api_reply_status_body(arg, r);
}

db_done_fn api_format(http_ctx *ctx, db_done_fn json_done, db_done_fn csv_done)
{
    const char *format = http_query(ctx, "format");

    if (format == NULL || strcmp(format, "json") == 0)
        return json_done;
    if (strcmp(format, "csv") == 0)
        return csv_done;
    http_reply_error(ctx, 422, "invalid_format", "format is json or csv");
    return NULL;
}

void api_write_body(http_ctx *ctx, const db_stmt *stmt, const char *what,
                    int (*check)(http_ctx *ctx, json_t *body))
{
    json_t *body;
    const char **p = api_caller_params(ctx, 4);

    if (http_read_json(ctx, false, &body) != 0)
        return;
    if (check(ctx, body) != 0)
        return;
    p[0] = http_param(ctx, "id");
    p[1] = api_json_text(ctx, body);
    if (api_missing(ctx, p[0], what))
        return;
    if (http_db_query(ctx, stmt, p, api_reply_status_body) != 0)
        return;
}
