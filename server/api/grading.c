/* grading.c — grading a cohort's work (API.md "Assignments and grading"):
 * the queue of the latest ungraded versions, a grade (score checked against
 * the range, or computed from rubric choices; Markdown feedback rendered on
 * the worker pool), the grade history, releasing grades to participants,
 * and the gradebook as JSON or CSV. Only the cohort's instructors and
 * admins get anything (404 otherwise, decided in the SQL).
 *
 * A grade names the version it was given for: when the participant has
 * meanwhile submitted a newer version the grade is refused (409
 * submission_changed), never applied to work the grader did not see. */
#include "sinau/api/common.h"
#include "sinau/api/routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/api/access.h"
#include "sinau/api/call.h"
#include "sinau/auth/session.h"
#include "sinau/core/csv.h"
#include "sinau/core/markdown.h"
#include "sinau/http/ctx.h"
#include "sinau/http/dbroute.h"
#include "sinau/http/reply.h"

/* ---- the queue ---- */

static const db_stmt queue_stmt = {"asg_queue", "select asg_queue($1, $2, $3, $4, $5, $6::int)", 6};

/* GET /api/v1/cohorts/{id}/grading-queue?assignment_id=&state=&limit=:
 * state "ungraded" (the default: the queue), "graded" (to grade again,
 * each with its current grade) or "all". */
static void queue(http_ctx *ctx)
{
    const char **p = http_ctx_alloc(ctx, 6 * sizeof *p);
    const char *state = http_query(ctx, "state");
    int limit = api_limit(ctx, 50);

    if (limit < 0)
        return;
    if (state == NULL)
        state = "ungraded";
    if (strcmp(state, "ungraded") != 0 && strcmp(state, "graded") != 0 &&
        strcmp(state, "all") != 0) {
        http_reply_error(ctx, 422, "invalid_state", "state is ungraded, graded or all");
        return;
    }
    p[0] = http_param(ctx, "id");
    p[1] = http_query(ctx, "assignment_id");
    p[2] = state;
    p[3] = ctx->user.id;
    p[4] = auth_role_name(ctx->user.role);
    p[5] = api_itoa(ctx, limit);
    if (api_missing(ctx, p[0], "cohort"))
        return;
    http_db_query(ctx, &queue_stmt, p, api_reply_json_or_404);
}

/* ---- a grade ---- */

typedef struct grade_job {
    const char *md; /* feedback Markdown (ctx memory) */
    char *html;     /* rendered on the worker; owned by the request once done */
    const char *params[7];
} grade_job;

static void grade_render(void *arg)
{
    grade_job *job = arg;

    job->html = markdown_render(job->md, strlen(job->md));
}

static const db_stmt grade_stmt =
    API_STATUS_STMT("asg_grade", "asg_grade($1, $2::numeric, $3::jsonb, $4, $5, $6, $7)", 7);

static void grade_store(http_ctx *ctx, void *arg)
{
    grade_job *job = arg;

    job->params[4] = http_own_buf(ctx, job->html) != NULL ? job->html : "";
    http_db_query(ctx, &grade_stmt, job->params, api_reply_status_body);
}

/* A score as SQL numeric text; NULL when absent or null. */
static const char *score_text(http_ctx *ctx, json_t *v)
{
    char *s;

    if (v == NULL || json_is_null(v))
        return NULL;
    if (json_is_integer(v))
        return api_itoa(ctx, json_integer_value(v));
    /* 15 significant digits: what a person typed (9.1, 72.35) comes back
     * exactly, not as the nearest double's 17-digit spelling */
    s = http_ctx_alloc(ctx, 32);
    snprintf(s, 32, "%.15g", json_real_value(v));
    return s;
}

/* The rubric choices: an array of level indexes, one per criterion. */
static bool choices_ok(json_t *v)
{
    size_t i;
    json_t *c;

    if (v == NULL || json_is_null(v))
        return true;
    if (!json_is_array(v) || json_array_size(v) > 20)
        return false;
    json_array_foreach (v, i, c)
        if (!json_is_integer(c) || json_integer_value(c) < 0 || json_integer_value(c) > 9)
            return false;
    return true;
}

/* PUT /api/v1/submissions/{id}/grade {score?, rubric?, feedback_md?} */
static void grade(http_ctx *ctx)
{
    grade_job *job = http_ctx_alloc(ctx, sizeof *job);
    json_t *body, *score = NULL, *rubric = NULL;
    const char *md = "";

    if (http_read_json(ctx, false, &body) != 0)
        return;
    if (http_unpack(ctx, body, "{s?o, s?o, s?s}", "score", &score, "rubric", &rubric, "feedback_md",
                    &md) != 0)
        return;
    if ((score != NULL && !json_is_null(score) && !json_is_number(score)) || !choices_ok(rubric)) {
        http_reply_error(ctx, 422, "invalid_grade",
                         "score is a number; rubric is one level index per criterion");
        return;
    }
    if (!api_markdown_ok(ctx, md, "feedback_md"))
        return;
    job->md = md;
    job->params[0] = http_param(ctx, "id");
    job->params[1] = score_text(ctx, score);
    if (rubric != NULL && !json_is_null(rubric))
        job->params[2] = api_json_text(ctx, rubric);
    job->params[3] = md;
    job->params[5] = ctx->user.id;
    job->params[6] = auth_role_name(ctx->user.role);
    ctx->state = job;
    if (api_missing(ctx, job->params[0], "submission"))
        return;
    http_work(ctx, job, grade_render, grade_store);
}

/* ---- the gradebook ---- */

static const char *standing_word(json_t *cell)
{
    const char *status = json_string_value(json_object_get(cell, "status"));

    if (status == NULL || strcmp(status, "missing") == 0)
        return "belum mengumpulkan";
    if (strcmp(status, "submitted") == 0)
        return json_is_true(json_object_get(cell, "late")) ? "terlambat, belum dinilai"
                                                           : "belum dinilai";
    if (json_is_true(json_object_get(cell, "passed")))
        return "lulus";
    return "belum lulus";
}

static void csv_header(csv_buf *b, json_t *assignments, json_t *quizzes)
{
    size_t i;
    json_t *a;
    char col[256];

    csv_field(b, "nama");
    csv_field(b, "segmen");
    csv_field(b, "progres materi (%)");
    csv_field(b, "kehadiran");
    json_array_foreach (assignments, i, a) {
        const char *title = json_string_value(json_object_get(a, "title"));
        snprintf(col, sizeof col, "%s — nilai", title ? title : "");
        csv_field(b, col);
        snprintf(col, sizeof col, "%s — status", title ? title : "");
        csv_field(b, col);
    }
    json_array_foreach (quizzes, i, a) {
        const char *title = json_string_value(json_object_get(a, "title"));
        bool survey = !strcmp(json_string_value(json_object_get(a, "kind")), "survey");
        snprintf(col, sizeof col, "%s — %s", title ? title : "", survey ? "survei" : "nilai (%)");
        csv_field(b, col);
    }
    csv_end_row(b);
}

/* A quiz cell: the percent that counts, or for a survey whether answered. */
static const char *quiz_cell(char *buf, size_t n, json_t *cell)
{
    const char *status = json_string_value(json_object_get(cell, "status"));

    if (status != NULL && !strcmp(status, "answered"))
        return "sudah mengisi";
    if (json_is_number(json_object_get(cell, "percent")))
        return api_decimal_comma(buf, n, json_object_get(cell, "percent"), 2);
    return status != NULL && !strcmp(status, "in_progress") ? "sedang mengerjakan" : "belum";
}

static void csv_row(csv_buf *b, json_t *row)
{
    char num[64];
    size_t i;
    json_t *cell;

    csv_field(b, json_string_value(json_object_get(json_object_get(row, "user"), "full_name")));
    csv_field(b, json_string_value(json_object_get(row, "segment")));
    csv_field(b, api_decimal_comma(num, sizeof num, json_object_get(row, "progress_percent"), 2));
    csv_field(b, api_decimal_comma(num, sizeof num, json_object_get(row, "attended"), 2));
    json_array_foreach (json_object_get(row, "assignments"), i, cell) {
        csv_field(b, api_decimal_comma(num, sizeof num, json_object_get(cell, "score"), 2));
        csv_field(b, standing_word(cell));
    }
    json_array_foreach (json_object_get(row, "quizzes"), i, cell)
        csv_field(b, quiz_cell(num, sizeof num, cell));
    csv_end_row(b);
}

/* The gradebook as a spreadsheet: a header, then a row per participant. */
static void gradebook_write(csv_buf *b, json_t *book)
{
    size_t i;
    json_t *row;

    csv_header(b, json_object_get(book, "assignments"), json_object_get(book, "quizzes"));
    json_array_foreach (json_object_get(book, "rows"), i, row)
        csv_row(b, row);
}

static const api_csv gradebook_csv = {gradebook_write, "nilai.csv", "no such cohort"};

/* The route table (server/api/routes/grading.json, generated at build time). */
#include "routes/grading.inc"
