/* assignments.c — assignments (API.md "Content" and "Assignments and
 * grading"): authoring them in a programme's draft, their schedule per
 * cohort (due date, optional late cut-off), and reading a cohort's
 * published assignments. The SQL decides who may do what (404 otherwise):
 * authors are admins and instructors of the programme's cohorts; a cohort's
 * schedule belongs to its instructors and admins; readers are its confirmed
 * participants and its staff.
 *
 * Instructions are Markdown, rendered to safe HTML when the draft is
 * published (content.c), like lessons. */
#include "sinau/api/common.h"
#include "sinau/api/routes.h"

#include <stdlib.h>
#include <string.h>

#include "sinau/api/access.h"
#include "sinau/api/call.h"
#include "sinau/http/ctx.h"
#include "sinau/http/dbroute.h"
#include "sinau/http/reply.h"

/* ---- authoring ---- */

/* submission_types: a non-empty array of "text", "url", "file". */
static bool types_ok(json_t *types)
{
    size_t i;
    json_t *v;

    if (!json_is_array(types) || json_array_size(types) == 0 || json_array_size(types) > 3)
        return false;
    json_array_foreach (types, i, v) {
        const char *s = json_string_value(v);
        if (s == NULL ||
            (strcmp(s, "text") != 0 && strcmp(s, "url") != 0 && strcmp(s, "file") != 0))
            return false;
    }
    return true;
}

static bool number_ok(json_t *v)
{
    return v == NULL || json_is_number(v);
}

/* Checks the members' JSON types (the SQL checks ranges and the rubric and
 * answers with precise codes). Returns 0, or replies 422 and returns -1. */
static int assignment_fields(http_ctx *ctx, json_t *body, bool create)
{
    const char *title = NULL, *md = NULL;
    json_t *types = NULL, *max = NULL, *pass = NULL, *rubric = NULL, *pos = NULL;
    json_t *attempts = NULL;
    int required = 1;

    if (http_unpack(ctx, body,
                    create ? "{s:s, s?s, s:o, s:o, s:o, s?b, s?o, s?o, s?o}"
                           : "{s?s, s?s, s?o, s?o, s?o, s?b, s?o, s?o, s?o}",
                    "title", &title, "instructions_md", &md, "submission_types", &types,
                    "max_score", &max, "pass_score", &pass, "required", &required, "rubric",
                    &rubric, "position", &pos, "max_attempts", &attempts) != 0)
        return -1;
    if ((!json_is_null(attempts) &&
         !api_range_ok(ctx, attempts, 1, 100, "invalid_max_attempts", "max_attempts")) ||
        !api_title_ok(ctx, title) || !api_markdown_ok(ctx, md, "instructions_md"))
        return -1;
    if (types != NULL && !types_ok(types)) {
        http_reply_error(ctx, 422, "invalid_submission_types",
                         "submission_types is a non-empty subset of text, url, file");
        return -1;
    }
    if (!number_ok(max) || !number_ok(pass)) {
        http_reply_error(ctx, 422, "invalid_score", "max_score and pass_score are numbers");
        return -1;
    }
    if (rubric != NULL && !json_is_null(rubric) && !json_is_array(rubric)) {
        http_reply_error(ctx, 422, "invalid_rubric", "a rubric is an array of criteria or null");
        return -1;
    }
    return api_position_ok(ctx, pos) ? 0 : -1;
}

/* The checks of the declared calls (routes/assignments.json): a new
 * assignment names title, submission types and scores; an edit any member. */
static int assignment_create_body(http_ctx *ctx, json_t *body)
{
    return assignment_fields(ctx, body, true);
}

static int assignment_update_body(http_ctx *ctx, json_t *body)
{
    return assignment_fields(ctx, body, false);
}

/* The route table (server/api/routes/assignments.json, generated at build time). */
#include "routes/assignments.inc"
