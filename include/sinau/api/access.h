/* api/access.h — access decided from the request head (server/api/access.c),
 * for routes' check_head: the rules, each the predicate of the SQL function
 * its routes end in. Loop thread. */
#ifndef SINAU_API_ACCESS_H
#define SINAU_API_ACCESS_H

#include "sinau/db/pool.h"

struct http_ctx;

/* For a route's check_head: runs stmt ($1 the path parameter `param`, $2 the
 * caller's id, $3 their role name; a statement may use the first two only)
 * and reads the body and runs the handler when it returns a row; else (or
 * without the parameter) 404 not_found with the message not_found, before
 * the body is read. Uses ctx->state until the handler runs (NULL then). */
void api_head_check(struct http_ctx *ctx, const db_stmt *stmt, const char *param,
                    const char *not_found);

/* check_head rules (server/api/access.c), each the predicate of the SQL
 * function its routes end in; else 404 "no such <object>":
 *   cohort_staff        cohort {id}: its instructors, admins (asg_is_staff)
 *   cohort_learner      cohort {id}: whoever may read it (learn_can_access:
 *                       confirmed participants, instructors, admins)
 *   programme_author    programme {slug}, module / lesson / assignment / quiz
 *   …_author            {id}: the programme's authors (content_can_author)
 *   question_author     question {id}: its quiz's programme's authors
 *   session_staff       live session {id}: its cohort's staff
 *   session_learner     live session {id}: whoever may read its cohort
 *   submission_staff    submission {id}: its cohort's staff
 *   submission_owner    submission {id}: the participant who made it */
void api_head_cohort_staff(struct http_ctx *ctx);
void api_head_cohort_learner(struct http_ctx *ctx);
void api_head_programme_author(struct http_ctx *ctx);
void api_head_module_author(struct http_ctx *ctx);
void api_head_lesson_author(struct http_ctx *ctx);
void api_head_assignment_author(struct http_ctx *ctx);
void api_head_quiz_author(struct http_ctx *ctx);
void api_head_question_author(struct http_ctx *ctx);
void api_head_session_staff(struct http_ctx *ctx);
void api_head_session_learner(struct http_ctx *ctx);
void api_head_submission_staff(struct http_ctx *ctx);
void api_head_submission_owner(struct http_ctx *ctx);

#endif /* SINAU_API_ACCESS_H */
