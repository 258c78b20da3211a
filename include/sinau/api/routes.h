/* api/routes.h — the route tables of every resource module in server/api/.
 *
 * Each module exposes one `<module>_routes(size_t *n)` returning its static
 * table (n set to its length); api_register_all (api/registry.h) adds them
 * all to the router. The tables live for the whole process. */
#ifndef SINAU_API_ROUTES_H
#define SINAU_API_ROUTES_H

#include <stddef.h>

#include "sinau/http/router.h"

/* health, readiness, metrics, OpenAPI (server/api/system.c) */
const http_route *system_routes(size_t *n);

/* signup, login, logout (server/api/auth.c) */
const http_route *auth_routes(size_t *n);

/* the caller's account and profile (server/api/me.c) */
const http_route *me_routes(size_t *n);

/* accounts administration (server/api/users.c) */
const http_route *users_routes(size_t *n);

/* messages: the delivery log, channel choices, unsubscribe, announcements
 * (server/api/messages.c); account recovery: password reset and change,
 * e-mail verification (server/api/recovery.c) */
const http_route *messages_routes(size_t *n);
const http_route *recovery_routes(size_t *n);

/* programmes and cohorts (server/api/programmes.c, server/api/cohorts.c) */
const http_route *programmes_routes(size_t *n);
const http_route *cohorts_routes(size_t *n);

/* registrations, waitlists, the fairness log (server/api/registrations.c) */
const http_route *registrations_routes(size_t *n);

/* content authoring and publishing (server/api/content.c) */
const http_route *content_routes(size_t *n);

/* lessons, progress (server/api/learning.c) */
const http_route *learning_routes(size_t *n);

/* live sessions, attendance, the calendar feed (server/api/sessions.c) */
const http_route *sessions_routes(size_t *n);

/* Assignments and grading: assignments.c (authoring in the draft, a
 * cohort's schedule and reading), submissions.c (handing in text, links
 * and files), grading.c (queue, grades, release, gradebook). */
const http_route *assignments_routes(size_t *n);
const http_route *submissions_routes(size_t *n);
const http_route *grading_routes(size_t *n);

/* Quizzes: quizzes.c (authoring, preview, a cohort's quizzes and their
 * windows), questions.c (questions, the CSV question bank), attempts.c
 * (taking a quiz), quiz_reports.c (the pre/post report, survey results). */
const http_route *quizzes_routes(size_t *n);
const http_route *questions_routes(size_t *n);
const http_route *attempts_routes(size_t *n);
const http_route *quiz_reports_routes(size_t *n);

/* Certificates: certificates.c (rules, eligibility, issuing, lists,
 * revoking) and credentials.c (what anyone may read to check one). */
const http_route *certificates_routes(size_t *n);
const http_route *credentials_routes(size_t *n);

/* Achievement pages, JP by year, the BKN export (server/api/records.c). */
const http_route *records_routes(size_t *n);

/* who signs certificates: settings and their images (server/api/signatories.c) */
const http_route *signatories_routes(size_t *n);

/* /debug/... routes for the tests (server/api/debug.c); only when enabled */
const http_route *debug_routes(size_t *n);

#endif /* SINAU_API_ROUTES_H */
