/* access.c — access decided from a request's head (a route's check_head,
 * router.h), before a byte of its body is read or validated: a caller who
 * may not act on the object the path names gets the 404 the route's SQL
 * would give, whatever the body holds, so no body check tells an outsider
 * anything and no upload is held for them (issue 14). The SQL still checks
 * again when the body is written: this is the early answer, not the only
 * one. Every rule is a row of `rules` below. */
#include "sinau/api/access.h"

#include "sinau/api/common.h"
#include "sinau/http/ctx.h"
#include "sinau/http/dbroute.h"
#include "sinau/http/reply.h"
#include "sinau/http/request.h"

typedef struct head_check {
    const char *params[3]; /* the path parameter, the caller's id, role name */
    const char *not_found; /* the 404's message */
} head_check;

static void head_checked(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    head_check *c = ctx->state;

    if (!http_db_found(ctx, r, c->not_found))
        return;
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
    http_db_query(ctx, stmt, c->params, head_checked);
}

/* ---- the rules: each the predicate of the SQL function the route ends in ---- */

enum head_rule {
    COHORT_STAFF,
    COHORT_LEARNER,
    PROGRAMME_AUTHOR,
    MODULE_AUTHOR,
    LESSON_AUTHOR,
    ASSIGNMENT_AUTHOR,
    QUIZ_AUTHOR,
    QUESTION_AUTHOR,
    SESSION_STAFF,
    SESSION_LEARNER,
    SUBMISSION_STAFF,
    SUBMISSION_OWNER,
};

static const struct {
    db_stmt stmt;
    const char *param, *not_found;
} rules[] = {
    [COHORT_STAFF] = {{"access_cohort_staff",
                       "select 1 from cohorts where id = $1 and asg_is_staff($1, $2, $3)", 3},
                      "id",
                      "no such cohort"},
    [COHORT_LEARNER] = {{"access_cohort_learner",
                         "select 1 from cohorts where id = $1 and learn_can_access($1, $2, $3)", 3},
                        "id",
                        "no such cohort"},
    [PROGRAMME_AUTHOR] = {{"access_programme_author",
                           "select 1 from programmes where slug = $1"
                           " and content_can_author(id, $2, $3)",
                           3},
                          "slug",
                          "no such programme"},
    [MODULE_AUTHOR] = {{"access_module_author",
                        "select 1 from modules where id = $1"
                        " and content_can_author(programme_id, $2, $3)",
                        3},
                       "id",
                       "no such module"},
    [LESSON_AUTHOR] = {{"access_lesson_author",
                        "select 1 from lessons l join modules m on m.id = l.module_id"
                        " where l.id = $1 and content_can_author(m.programme_id, $2, $3)",
                        3},
                       "id",
                       "no such lesson"},
    [ASSIGNMENT_AUTHOR] = {{"access_assignment_author",
                            "select 1 from assignments a join modules m on m.id = a.module_id"
                            " where a.id = $1 and content_can_author(m.programme_id, $2, $3)",
                            3},
                           "id",
                           "no such assignment"},
    [QUIZ_AUTHOR] = {{"access_quiz_author",
                      "select 1 from quizzes q join modules m on m.id = q.module_id"
                      " where q.id = $1 and content_can_author(m.programme_id, $2, $3)",
                      3},
                     "id",
                     "no such quiz"},
    [QUESTION_AUTHOR] = {{"access_question_author",
                          "select 1 from quiz_questions qq join quizzes q on q.id = qq.quiz_id"
                          " join modules m on m.id = q.module_id"
                          " where qq.id = $1 and content_can_author(m.programme_id, $2, $3)",
                          3},
                         "id",
                         "no such question"},
    [SESSION_STAFF] = {{"access_session_staff",
                        "select 1 from cohort_sessions where id = $1"
                        " and asg_is_staff(cohort_id, $2, $3)",
                        3},
                       "id",
                       "no such session"},
    [SESSION_LEARNER] = {{"access_session_learner",
                          "select 1 from cohort_sessions where id = $1"
                          " and learn_can_access(cohort_id, $2, $3)",
                          3},
                         "id",
                         "no such session"},
    [SUBMISSION_STAFF] = {{"access_submission_staff",
                           "select 1 from submissions where id = $1"
                           " and asg_is_staff(cohort_id, $2, $3)",
                           3},
                          "id",
                          "no such submission"},
    [SUBMISSION_OWNER] = {{"access_submission_owner",
                           "select 1 from submissions where id = $1 and user_id = $2", 2},
                          "id",
                          "no such submission"},
};

static void check(http_ctx *ctx, enum head_rule r)
{
    api_head_check(ctx, &rules[r].stmt, rules[r].param, rules[r].not_found);
}

void api_head_cohort_staff(http_ctx *ctx)
{
    check(ctx, COHORT_STAFF);
}

void api_head_cohort_learner(http_ctx *ctx)
{
    check(ctx, COHORT_LEARNER);
}

void api_head_programme_author(http_ctx *ctx)
{
    check(ctx, PROGRAMME_AUTHOR);
}

void api_head_module_author(http_ctx *ctx)
{
    check(ctx, MODULE_AUTHOR);
}

void api_head_lesson_author(http_ctx *ctx)
{
    check(ctx, LESSON_AUTHOR);
}

void api_head_assignment_author(http_ctx *ctx)
{
    check(ctx, ASSIGNMENT_AUTHOR);
}

void api_head_quiz_author(http_ctx *ctx)
{
    check(ctx, QUIZ_AUTHOR);
}

void api_head_question_author(http_ctx *ctx)
{
    check(ctx, QUESTION_AUTHOR);
}

void api_head_session_staff(http_ctx *ctx)
{
    check(ctx, SESSION_STAFF);
}

void api_head_session_learner(http_ctx *ctx)
{
    check(ctx, SESSION_LEARNER);
}

void api_head_submission_staff(http_ctx *ctx)
{
    check(ctx, SUBMISSION_STAFF);
}

void api_head_submission_owner(http_ctx *ctx)
{
    check(ctx, SUBMISSION_OWNER);
}
