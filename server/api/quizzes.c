/* quizzes.c — quizzes as content and per cohort (issue 15): authors add a
 * quiz to a module of the draft, edit and remove it, read it with its
 * questions and preview it as a participant will see it (the Markdown
 * rendered as publishing renders it, on the worker pool); a cohort's
 * participants read a quiz with their attempts, its staff set the opening
 * window and list the cohort's quizzes. Questions are in questions.c,
 * attempts in attempts.c, reports in quiz_reports.c.
 *
 * The SQL decides who may do what and checks every member's type and
 * range (functions/quizzes.sql, 404 to anyone without access). */
#include "sinau/api/common.h"
#include "sinau/api/routes.h"

#include <stdlib.h>
#include <string.h>

#include "sinau/api/access.h"
#include "sinau/api/call.h"
#include "sinau/auth/session.h"
#include "sinau/http/ctx.h"
#include "sinau/http/dbroute.h"
#include "sinau/http/reply.h"

/* The members a quiz body may hold (types and ranges are the SQL's). */
static int quiz_body(http_ctx *ctx, json_t *body)
{
    json_t *v[13];

    return http_unpack(
        ctx, body, "{s?o, s?o, s?o, s?o, s?o, s?o, s?o, s?o, s?o, s?o, s?o, s?o, s?o}", "title",
        &v[0], "kind", &v[1], "time_limit_s", &v[2], "max_attempts", &v[3], "pass_score", &v[4],
        "shuffle", &v[5], "layout", &v[6], "review", &v[7], "anonymous", &v[8], "grading", &v[9],
        "pick", &v[10], "description_md", &v[11], "position", &v[12]);
}

/* ---- preview as a participant ---- */

typedef struct preview_job {
    PGresult *pieces;      /* (key, Markdown) rows; owned */
    char *html_json;       /* {key: html}, malloc'd by the worker */
    const char *params[4]; /* of quiz_preview_json: id, HTML, user, role */
} preview_job;

static const db_stmt preview_stmt = {"quiz_preview",
                                     "select quiz_preview_json($1, $2::jsonb, $3, $4)", 4};

/* Worker thread: every piece of the quiz's Markdown to safe HTML. */
static void preview_render(void *arg)
{
    preview_job *job = arg;

    job->html_json = api_markdown_json(job->pieces, 0, 1);
}

static void preview_rendered(http_ctx *ctx, void *arg)
{
    preview_job *job = arg;

    job->params[1] = http_own_buf(ctx, job->html_json);
    if (job->params[1] == NULL) {
        http_reply_error(ctx, 500, "internal_error", "could not render the quiz");
        return;
    }
    http_db_query(ctx, &preview_stmt, job->params, api_reply_json_or_404);
}

/* The completion of the declared call GET /api/v1/quizzes/{id}/preview
 * (routes/quizzes.json: the quiz's Markdown pieces, for its authors): the
 * draft quiz as a participant will see it, with the key and explanations,
 * to check them. */
static void preview_read(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    preview_job *job;

    if (http_db_failed(ctx, r))
        return;
    job = http_ctx_alloc(ctx, sizeof *job);
    job->pieces = http_own_pgresult(ctx, db_result_take(r));
    job->params[0] = http_param(ctx, "id");
    job->params[2] = ctx->user.id;
    job->params[3] = auth_role_name(ctx->user.role);
    http_work(ctx, job, preview_render, preview_rendered);
}

/* The route table (server/api/routes/quizzes.json, generated at build time). */
#include "routes/quizzes.inc"
