/* access.c — access decided from a request's head (a route's check_head,
 * router.h), before a byte of its body is read or validated: a caller who
 * may not act on the object the path names gets the 404 the route's SQL
 * would give, whatever the body holds, so no body check tells an outsider
 * anything and no upload is held for them (issue 14). The SQL still checks
 * again when the body is written: this is the early answer, not the only
 * one. */
#include "sinau/api.h"

#include "sinau/http.h"

typedef struct head_check {
    const char *params[3]; /* the path parameter, the caller's id, role name */
    const char *not_found; /* the 404's message */
} head_check;

static void head_checked(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    head_check *c = ctx->state;

    if (r->status != DB_OK) {
        http_reply_db_error(ctx, r);
        return;
    }
    if (PQntuples(r->res) != 1) {
        http_reply_error(ctx, 404, "not_found", c->not_found);
        return;
    }
    ctx->state = NULL; /* the handler's own from here */
    http_proceed(ctx);
}

void api_head_check(http_ctx *ctx, const db_stmt *stmt, const char *param, const char *not_found)
{
    head_check *c = http_ctx_alloc(ctx, sizeof *c);
    const char **caller = api_caller_params(ctx, 2);

    c->params[0] = http_param(ctx, param);
    c->params[1] = caller[0];
    c->params[2] = caller[1];
    c->not_found = not_found;
    if (c->params[0] == NULL) {
        http_reply_error(ctx, 404, "not_found", not_found);
        return;
    }
    ctx->state = c;
    if (http_db_query(ctx, stmt, c->params, head_checked) != 0)
        return;
}

static const db_stmt cohort_staff_stmt = {
    "access_cohort_staff", "select 1 from cohorts where id = $1 and asg_is_staff($1, $2, $3)", 3};

void api_head_cohort_staff(http_ctx *ctx)
{
    api_head_check(ctx, &cohort_staff_stmt, "id", "no such cohort");
}

static const db_stmt module_author_stmt = {
    "access_module_author",
    "select 1 from modules where id = $1 and content_can_author(programme_id, $2, $3)", 3};

void api_head_module_author(http_ctx *ctx)
{
    api_head_check(ctx, &module_author_stmt, "id", "no such module");
}

static const db_stmt programme_author_stmt = {
    "access_programme_author",
    "select 1 from programmes where slug = $1 and content_can_author(id, $2, $3)", 3};

void api_head_programme_author(http_ctx *ctx)
{
    api_head_check(ctx, &programme_author_stmt, "slug", "no such programme");
}
