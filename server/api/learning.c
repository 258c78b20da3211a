/* learning.c — following a cohort's lessons (API.md "Learning"): the module
 * tree with the caller's progress, a lesson, marking it complete, and the
 * progress summary. Only the cohort's confirmed participants, its
 * instructors and admins see anything; everyone else gets 404, signed in or
 * not, decided in the SQL (learn_can_access). A lesson read is one prepared
 * statement whose result is the response body. */
#include "sinau/api/common.h"
#include "sinau/api/routes.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/api/access.h"
#include "sinau/api/call.h"
#include "sinau/core/log.h"
#include "sinau/http/ctx.h"
#include "sinau/http/dbroute.h"
#include "sinau/http/reply.h"

/* The learning routes answer (status, body): 422 no_published_version while
 * the cohort follows no published version yet, else 200 with the read.
 * Nobody without access gets a row (404). */
#define UNPUBLISHED_OR(read)                                                                       \
    "select case when c.content_version is null then 422 else 200 end,"                            \
    " case when c.content_version is null then learn_unpublished() -> 'body' else " read " end"    \
    " from cohorts c where c.id = $1 and learn_can_access(c.id, $2, $3)"

/* (status, body): the lesson with the handouts its version lists, or 422
 * while the cohort has no published version. */
static const db_stmt lesson_stmt = {
    "learn_lesson",
    "select 200, json_build_object("
    " 'id', l.lesson_id, 'module_id', l.module_id, 'title', l.title,"
    " 'body_html', l.body_html,"
    " 'video', case when l.video_provider is null then null else"
    "   json_build_object('provider', l.video_provider, 'embed_url', l.video_embed_url) end,"
    " 'duration_minutes', l.duration_minutes, 'content_version', l.version,"
    " 'completed', exists (select 1 from lesson_progress lp where lp.cohort_id = c.id"
    "   and lp.user_id = $3 and lp.lesson_id = l.lesson_id),"
    " 'previous_id', (select p.lesson_id from version_lessons p where p.programme_id ="
    "   l.programme_id and p.version = l.version and p.ordinal = l.ordinal - 1),"
    " 'next_id', (select n.lesson_id from version_lessons n where n.programme_id ="
    "   l.programme_id and n.version = l.version and n.ordinal = l.ordinal + 1),"
    " 'attachments', (select coalesce(json_agg(content_attachment_json(a) order by va.position),"
    "   '[]') from version_lesson_attachments va join lesson_attachments a"
    "   on a.id = va.attachment_id where va.programme_id = l.programme_id"
    "   and va.version = l.version and va.lesson_id = l.lesson_id))"
    " from cohorts c join version_lessons l on l.programme_id = c.programme_id"
    " and l.version = c.content_version and l.lesson_id = $2"
    " where c.id = $1 and learn_can_access(c.id, $3, $4)"
    " union all select 422, learn_unpublished() -> 'body' from cohorts c"
    " where c.id = $1 and c.content_version is null and learn_can_access(c.id, $3, $4)",
    4};

/* ---- the lesson read pipelined with the session check (issue 17) ----
 *
 * On a session-cache miss the guard sends the session check and this
 * statement in one round trip (http_prefetch): lesson_stmt with the user
 * and role read from the session's token hash instead of given, and the
 * user it read as a third column. Its text is made once from lesson_stmt's
 * (so the two cannot drift), replacing $3 and $4. The handler uses what it
 * returned only when that user is the one the session check let in. */
#define WHO_CTE                                                                                    \
    "with who as (select s.user_id as uid, u.role as role from sessions s"                         \
    " join users u on u.id = s.user_id where s.token_hash = $3) "

static char lesson_pre_sql[4096];
static db_stmt lesson_pre_stmt = {"learn_lesson_pre", lesson_pre_sql, 3};
static pthread_once_t lesson_pre_once = PTHREAD_ONCE_INIT;

/* Makes lesson_pre_sql: lesson_stmt's text inside WHO_CTE, with $3 / $4
 * replaced by who's columns. Once (pthread_once), on the first loop that
 * needs it. */
static void lesson_pre_build(void)
{
    size_t n = 0, cap = sizeof lesson_pre_sql - 1;
    const char *head = WHO_CTE "select l.*, (select uid from who) from (";

    n = (size_t)snprintf(lesson_pre_sql, cap, "%s", head);
    for (const char *p = lesson_stmt.sql; *p != '\0' && n < cap; p++) {
        const char *put = NULL;

        if (p[0] == '$' && p[1] == '3')
            put = "(select uid from who)";
        else if (p[0] == '$' && p[1] == '4')
            put = "(select role from who)";
        if (put == NULL) {
            lesson_pre_sql[n++] = *p;
            continue;
        }
        n += (size_t)snprintf(lesson_pre_sql + n, cap - n, "%s", put);
        p++;
    }
    if (n < cap)
        snprintf(lesson_pre_sql + n, cap - n, ") l");
}

typedef struct lesson_pre {
    bool ok;
    int status;
    const char *body, *uid;
    size_t body_len;
} lesson_pre;

static bool lesson_pre_params(http_ctx *ctx, const char *token_hash, const char **values)
{
    values[0] = http_param(ctx, "id");
    values[1] = http_param(ctx, "lesson_id");
    values[2] = token_hash;
    if (values[0] == NULL || values[1] == NULL)
        return false;
    pthread_once(&lesson_pre_once, lesson_pre_build);
    return true;
}

/* Keeps the prefetched lesson in ctx memory for lesson_get. */
static void lesson_pre_done(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    lesson_pre *pre = http_ctx_alloc(ctx, sizeof *pre);
    PGresult *res = r->res;

    ctx->state = pre;
    if (r->status != DB_OK || PQntuples(res) != 1 || PQgetisnull(res, 0, 2))
        return; /* no row (404 to find out), an error: lesson_get asks alone */
    pre->ok = true;
    pre->status = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
    pre->body_len = (size_t)PQgetlength(res, 0, 1);
    pre->body = http_ctx_strndup(ctx, PQgetvalue(res, 0, 1), pre->body_len);
    pre->uid = http_ctx_strndup(ctx, PQgetvalue(res, 0, 2), (size_t)PQgetlength(res, 0, 2));
}

static const http_prefetch lesson_prefetch = {&lesson_pre_stmt, lesson_pre_params, lesson_pre_done};

/* GET /api/v1/cohorts/{id}/lessons/{lesson_id} */
static void lesson_get(http_ctx *ctx)
{
    const char **p = api_caller_params(ctx, 4);
    const lesson_pre *pre = ctx->state;

    p[0] = http_param(ctx, "id");
    p[1] = http_param(ctx, "lesson_id");
    if (api_missing(ctx, p[0], "lesson") || api_missing(ctx, p[1], "lesson"))
        return;
    if (pre != NULL && pre->ok && ctx->user.signed_in && strcmp(pre->uid, ctx->user.id) == 0 &&
        pre->status >= 200 && pre->status <= 599) {
        log_write(LOG_DEBUG, ctx->request_id,
                  "lesson read with the session check in one round trip");
        http_reply_json_text(ctx, pre->status, pre->body, pre->body_len);
        return;
    }
    http_db_query(ctx, &lesson_stmt, p, api_reply_status_body);
}

/* The route table (server/api/routes/learning.json, generated at build time). */
#include "routes/learning.inc"
