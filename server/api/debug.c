/* debug.c — routes for the test suite only, mounted when SINAU_DEBUG_ROUTES
 * is on (never in production): a slow query, to prove the loop never waits
 * on the database, and a strict JSON echo, to exercise body reading before
 * any real resource takes JSON. */
#include "sinau/api/routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/api/services.h"
#include "sinau/http/ctx.h"
#include "sinau/http/dbroute.h"
#include "sinau/http/reply.h"

static const db_stmt sleep_stmt = {
    "debug_sleep", "select json_build_object('slept_ms', $1::int) from pg_sleep($1::int / 1000.0)",
    1};

static void sleep_done(void *arg, db_result *r)
{
    http_ctx *ctx = arg;

    if (http_db_failed(ctx, r))
        return;
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

/* ---- /debug/pipeline: the pool's pipeline mode (db_query_pipeline) ---- */

static const db_stmt pipe_who_stmt = {
    "debug_pipe_who",
    "select json_build_object('pid', pg_backend_pid(), 'xid', txid_current()::text)", 0};
static const db_stmt pipe_fail_stmt = {"debug_pipe_fail", "select 1 / $1::int", 1};

#define PIPE_STEPS 4

typedef struct pipe_job {
    http_ctx *ctx;
    json_t *steps;
    const char *zero[1];
} pipe_job;

/* One step's result, in order; the last one answers. */
static void pipe_step_done(void *arg, db_result *r)
{
    pipe_job *job = arg;
    json_t *step = json_pack("{s:s}", "status", db_status_name(r->status));

    if (r->status == DB_OK)
        json_object_set_new(step, "value", json_string(PQgetvalue(r->res, 0, 0)));
    else if (r->sqlstate[0] != '\0')
        json_object_set_new(step, "sqlstate", json_string(r->sqlstate));
    json_array_append_new(job->steps, step);
    if (json_array_size(job->steps) == PIPE_STEPS)
        http_reply_json(job->ctx, 200, json_pack("{s:o}", "steps", job->steps));
}

/* GET /debug/pipeline: four statements in one round trip (who am I, a
 * division by zero, who am I twice), each result reported in order. */
static void debug_pipeline(http_ctx *ctx)
{
    pipe_job *job = http_ctx_alloc(ctx, sizeof *job);
    db_pipe_item items[PIPE_STEPS] = {
        {&pipe_who_stmt, NULL, pipe_step_done, job},
        {&pipe_fail_stmt, job->zero, pipe_step_done, job},
        {&pipe_who_stmt, NULL, pipe_step_done, job},
        {&pipe_who_stmt, NULL, pipe_step_done, job},
    };
    int rc;

    job->ctx = ctx;
    job->steps = json_array();
    job->zero[0] = "0";
    rc = db_query_pipeline(api_svc(ctx)->db, items, PIPE_STEPS);
    if (rc != 0) {
        json_decref(job->steps);
        http_reply_db_error(
            ctx, &(db_result){rc == DB_REFUSED_FULL ? DB_ERR_BUSY : DB_ERR_UNAVAILABLE, NULL, ""});
    }
}

/* The route table (server/api/routes/debug.json, generated at build time). */
#include "routes/debug.inc"
