/* attempts.c — taking a quiz (issue 15): starting or resuming an attempt,
 * reading it, saving each answer as it is given, closing it, and the
 * server's timer that closes attempts past their deadline. Everything that
 * decides is in SQL (functions/quizzes.sql): who may take the quiz, the
 * window, the attempt limit under a lock, the deadline by the database's
 * clock, grading at close, what the participant may see. A handler checks
 * the body's shape and sends one statement.
 *
 * A save is the hot path (P9): the session check, then one statement whose
 * small answer is passed through as it is. */
#include "sinau/api/attempts.h"

#include <stdlib.h>
#include <string.h>

#include "sinau/api/access.h"
#include "sinau/api/call.h"
#include "sinau/api/common.h"
#include "sinau/api/routes.h"
#include "sinau/core/log.h"
#include "sinau/http/ctx.h"
#include "sinau/http/dbroute.h"
#include "sinau/http/reply.h"

#define TEXT_MAX    10000 /* bytes of a free-text answer */
#define OPTIONS_MAX 10

/* option_ids: up to OPTIONS_MAX short strings. */
static bool option_ids_ok(json_t *v)
{
    size_t i;
    json_t *id;

    if (!json_is_array(v) || json_array_size(v) > OPTIONS_MAX)
        return false;
    json_array_foreach (v, i, id)
        if (!json_is_string(id) || json_string_length(id) == 0 || json_string_length(id) > 40)
            return false;
    return true;
}

/* The response of a save body: exactly one of option_ids, text, value, of
 * the right JSON type. Returns a new object, or NULL after replying 422. */
static json_t *response_of(http_ctx *ctx, json_t *ids, json_t *text, json_t *value)
{
    int given = (ids != NULL) + (text != NULL) + (value != NULL);

    if (given != 1) {
        http_reply_error(ctx, 422, "invalid_answer", "send one of option_ids, text or value");
        return NULL;
    }
    if (ids != NULL && option_ids_ok(ids))
        return json_pack("{s:O}", "option_ids", ids);
    if (text != NULL && json_is_string(text) && json_string_length(text) <= TEXT_MAX)
        return json_pack("{s:O}", "text", text);
    if (value != NULL && (json_is_number(value) || json_is_null(value)))
        return json_pack("{s:O}", "value", value);
    http_reply_error(ctx, 422, "invalid_answer",
                     "option_ids is an array of ids, text a string, value a number or null");
    return NULL;
}

static const db_stmt save_stmt =
    API_STATUS_STMT("quiz_save", "quiz_save($1, $2, $3, $4::jsonb, $5::bigint)", 5);

/* PUT /api/v1/attempts/{id}/answers/{question_id} {option_ids? | text? |
 * value?, seq?}: saves the answer as given (idempotent); 409 attempt_closed
 * after the deadline or the close. */
static void answer_save(http_ctx *ctx)
{
    json_t *body, *ids = NULL, *text = NULL, *value = NULL, *seq = NULL, *resp;
    const char **p = http_ctx_alloc(ctx, 5 * sizeof *p);

    if (http_read_json(ctx, false, &body) != 0)
        return;
    if (http_unpack(ctx, body, "{s?o, s?o, s?o, s?o}", "option_ids", &ids, "text", &text, "value",
                    &value, "seq", &seq) != 0)
        return;
    if (seq != NULL && (!json_is_integer(seq) || json_integer_value(seq) < 0)) {
        http_reply_error(ctx, 422, "invalid_seq", "seq is a whole number, 0 or more");
        return;
    }
    resp = response_of(ctx, ids, text, value);
    if (resp == NULL)
        return;
    p[0] = http_param(ctx, "id");
    p[1] = http_param(ctx, "question_id");
    p[2] = ctx->user.id;
    p[3] = api_json_text(ctx, resp);
    p[4] = seq != NULL ? api_itoa(ctx, json_integer_value(seq)) : NULL;
    json_decref(resp);
    if (api_missing(ctx, p[0], "attempt") || api_missing(ctx, p[1], "question"))
        return;
    http_db_query(ctx, &save_stmt, p, api_reply_status_body);
}

/* ---- the timer ---- */

static const db_stmt due_stmt = {"quiz_close_due", "select quiz_close_due(100)", 0};

static void due_done(void *arg, db_result *r)
{
    if (r->status == DB_OK && PQntuples(r->res) == 1 && strcmp(PQgetvalue(r->res, 0, 0), "0") != 0)
        log_info("quizzes: %s attempts past their deadline closed and graded",
                 PQgetvalue(r->res, 0, 0));
}

void attempts_tick(db_pool *db)
{
    /* refusals (pool busy or down) simply wait for the next tick */
    if (db_pool_ready(db) && db_query(db, &due_stmt, NULL, due_done, NULL) != 0)
        return;
}

/* The route table (server/api/routes/attempts.json, generated at build time). */
#include "routes/attempts.inc"
