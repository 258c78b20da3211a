/* api.h — the route tables of every resource module in server/api/.
 *
 * Each module exposes one `<module>_routes(size_t *n)` returning its static
 * table; api_register_all adds them all to the router. */
#ifndef SINAU_API_H
#define SINAU_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "sinau/auth.h"
#include "sinau/common.h"
#include "sinau/db.h"
#include "sinau/router.h"

struct sinau_server;
struct sinau_loop;
struct http_ctx;

/* health, readiness, metrics, OpenAPI (server/api/system.c) */
const http_route *system_routes(size_t *n);

/* signup, login, logout (server/api/auth.c) */
const http_route *auth_routes(size_t *n);

/* The body limit of the account routes that anyone may call (signup,
 * login): their JSON is a few short strings, and it is parsed on the loop
 * thread, so nothing near SINAU_MAX_BODY is read (413 from the head). */
#define API_AUTH_BODY_MAX (4u * 1024u)

/* the caller's account and profile (server/api/me.c) */
const http_route *me_routes(size_t *n);

/* accounts administration (server/api/users.c) */
const http_route *users_routes(size_t *n);

/* Checks the fields every new account needs (e-mail, password policy,
 * name). Returns 0, or replies 422 and returns -1. */
SINAU_MUST_CHECK int api_account_fields_check(struct http_ctx *ctx, const char *email,
                                              const char *password, const char *full_name);

/* A person's full name: 1..200 bytes of valid UTF-8 without control
 * characters (server/api/auth.c). */
bool api_name_ok(const char *s);

/* Creates an account with checked fields: the password is hashed on the
 * worker pool, the row inserted and 201 {user} (or 409 email_taken) sent.
 * The strings must live in ctx memory or the ctx's parsed body.
 * actor_id (may be NULL) is the admin creating it. */
void api_account_create(struct http_ctx *ctx, const char *email, const char *password,
                        const char *full_name, const char *role, const char *actor_id);

/* The password policy (auth_password_check): 0, or replies 422
 * weak_password with its reason and returns -1. */
SINAU_MUST_CHECK int api_password_policy(struct http_ctx *ctx, const char *password);

/* messages: the delivery log, channel choices, unsubscribe, announcements
 * (server/api/messages.c); account recovery: password reset and change,
 * e-mail verification (server/api/recovery.c) */
const http_route *messages_routes(size_t *n);
const http_route *recovery_routes(size_t *n);

/* A one-time link's secret: a fresh token, its hash (what the database
 * keeps) and the token encrypted for its message row (outbox.secret_enc,
 * bound to the hash; in ctx memory). */
typedef struct api_secret {
    char token[AUTH_TOKEN_CHARS + 1];
    char hash[AUTH_HASH_HEX];
    const char *enc;
} api_secret;

/* Fills *s. Returns 0, or -1 when encryption failed (nothing replied). */
SINAU_MUST_CHECK int api_secret_new(struct http_ctx *ctx, api_secret *s);

/* How long an e-mail verification link lives, in seconds. */
int api_verify_ttl_s(void);

/* programmes and cohorts (server/api/programmes.c, server/api/cohorts.c) */
const http_route *programmes_routes(size_t *n);
const http_route *cohorts_routes(size_t *n);

/* registrations, waitlists, the fairness log (server/api/registrations.c) */
const http_route *registrations_routes(size_t *n);

/* The offer timer: expired offers pass their seat on. Called by every
 * loop's tick (SKIP LOCKED keeps instances and loops out of each other's
 * way); fire and forget. */
void registrations_tick(db_pool *db);

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

/* The quiz timer: attempts past their deadline are closed and graded.
 * Called by every instance's tick (SKIP LOCKED keeps them out of each
 * other's way); fire and forget. */
void attempts_tick(db_pool *db);

/* Certificates: certificates.c (rules, eligibility, issuing, lists,
 * revoking) and credentials.c (what anyone may read to check one). */
const http_route *certificates_routes(size_t *n);
const http_route *credentials_routes(size_t *n);

/* Achievement pages, JP by year, the BKN export (server/api/records.c). */
const http_route *records_routes(size_t *n);
/* who signs certificates: settings and their images (server/api/signatories.c) */
const http_route *signatories_routes(size_t *n);

/* Re-signs the status list from its current bits with the current key,
 * then calls then(ctx) — also when signing could not be done (the next read
 * of /status/1 tries again). ctx->state is left as it is. */
void certificates_status_resign(struct http_ctx *ctx, void (*then)(struct http_ctx *ctx));

/* ---- thin routes as data (server/api/call.c) ---- */

/* The statement (named name) of a call of a function that answers the SQL
 * convention's {status, body} (sql/functions/core.sql), call being
 * "fn($1, $2::jsonb)": the two parts come back as two columns, which
 * api_reply_sql decodes. A db_stmt initialiser. */
// clang-format off
#define API_STATUS_STMT(name, call, n) \
    {name, "select (r->>'status')::int, r->'body' from " call " r", n}
// clang-format on

/* Where one statement parameter of a thin route comes from. */
enum api_src {
    API_SRC_PATH = 1,   /* the path parameter `name`; undecodable: 404 "no such <what>" */
    API_SRC_BODY,       /* the JSON object body as text (api_call.check may refuse members) */
    API_SRC_MEMBER,     /* the body's string member `name` (NULL when absent or null) */
    API_SRC_CALLER,     /* the caller's user id */
    API_SRC_ROLE,       /* the caller's role name */
    API_SRC_PUBLIC_URL, /* the configured public URL (links in credentials) */
};

typedef struct api_arg {
    enum api_src src;
    const char *name; /* API_SRC_PATH, API_SRC_MEMBER */
} api_arg;

// clang-format off
#define API_ARG_PATH(n)    {API_SRC_PATH, n}
#define API_ARG_MEMBER(n)  {API_SRC_MEMBER, n}
#define API_ARG_BODY       {API_SRC_BODY, NULL}
#define API_ARG_CALLER     {API_SRC_CALLER, NULL}
#define API_ARG_ROLE       {API_SRC_ROLE, NULL}
#define API_ARG_PUBLIC_URL {API_SRC_PUBLIC_URL, NULL}
// clang-format on

#define API_CALL_MAX_ARGS 8

/* How a thin route's result answers (api_reply_sql). */
enum api_reply_kind {
    API_REPLY_STATUS = 0, /* the function decides: {status, body} (API_STATUS_STMT) */
    API_REPLY_JSON,       /* one JSON column: 200 with it; no row or null: 404 */
    API_REPLY_CREATED,    /* the same, 201 */
};

/* A thin route: one SQL function whose parameters come from the request
 * and whose result is the reply. Declared in a route row's .data with
 * .handler = api_call_route; static, read by any loop thread. */
typedef struct api_call {
    db_stmt stmt; /* stmt.nparams parameters, from args in order */
    api_arg args[API_CALL_MAX_ARGS];
    enum api_reply_kind reply;
    bool read;        /* a standby may answer (http_db_read) */
    const char *what; /* names what a missing path parameter is: "no such <what>" */
    /* for API_SRC_BODY and API_SRC_MEMBER: refuses members (replies,
     * returns nonzero); NULL: any object */
    int (*check)(struct http_ctx *ctx, json_t *body);
} api_call;

/* The generic handler of thin routes: gathers ctx->route's api_call
 * parameters, runs its statement and answers with api_reply_sql. Loop thread. */
void api_call_route(struct http_ctx *ctx);

/* The one decoder of SQL answers (sql/functions/core.sql's convention):
 * a refused statement answers as its error says (a raised sinau_raise
 * carries the {status, body} in its DETAIL; other failures as
 * http_reply_db_error); a result answers as kind says. Loop thread. */
void api_reply_sql(struct http_ctx *ctx, db_result *r, enum api_reply_kind kind);

/* ---- shared completions (server/api/common.c) ---- */

/* A result of one JSON column: 200 with it as the body; 404 when there is
 * no row or the value is null. */
void api_reply_json_or_404(void *arg, db_result *r);

/* api_reply_json_or_404 for a statement that creates: 201 with the body. */
void api_reply_created_or_404(void *arg, db_result *r);

/* A result of two columns (status integer, body json), as the PL/pgSQL
 * functions that decide the status return: answers with them as they are. */
void api_reply_status_body(void *arg, db_result *r);

/* When value (a path parameter) is NULL, replies 404 "no such <what>" and
 * returns true: the handler just returns. */
bool api_missing(struct http_ctx *ctx, const char *value, const char *what);

/* ?limit= in 1..200 (fallback when absent), or replies 422 and returns -1. */
int api_limit(struct http_ctx *ctx, int fallback);

/* v as text in ctx memory (a statement parameter). */
char *api_itoa(struct http_ctx *ctx, long long v);

/* Statement parameters (ctx memory) of a function taking (…, user id, role
 * name) last: n slots, the last two filled with the caller's. */
const char **api_caller_params(struct http_ctx *ctx, int n);

/* v as compact JSON text in ctx memory, for a statement parameter; reals
 * with 15 significant digits, so 2.2 reaches SQL as 2.2 (not
 * 2.2000000000000002). NULL only when out of memory. */
const char *api_json_text(struct http_ctx *ctx, const json_t *v);

/* Times and dates as JSON writes them: api_iso_time takes ISO 8601 with a
 * zone (YYYY-MM-DDTHH:MM[:SS[.f…]] then Z or ±HH:MM), api_iso_date exactly
 * YYYY-MM-DD — never the words PostgreSQL would also read ("tomorrow",
 * "infinity") nor a time without a zone. */
bool api_iso_time(const char *s);
bool api_iso_date(const char *s);

/* An optional instant member of a body: absent or null gives *out NULL;
 * else it must be a string api_iso_time takes (*out borrows it). Returns
 * true, or replies 422 invalid_time with message and returns false. */
bool api_instant_member(struct http_ctx *ctx, json_t *v, const char **out, const char *message);

/* api_reply_status_body for statements that take instants: a value
 * PostgreSQL cannot read as one (a 30th of February; SQLSTATE class 22)
 * answers 422 invalid_time. */
void api_reply_status_body_times(void *arg, db_result *r);

/* The completion for ?format=: json_done when absent or json, csv_done for
 * csv; NULL after replying 422 invalid_format (the handler returns). */
db_done_fn api_format(struct http_ctx *ctx, db_done_fn json_done, db_done_fn csv_done);

/* ---- access from the head (server/api/access.c) ---- */

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

/* ---- uploaded files (server/api/common.c) ---- */

/* The X-Filename header, percent-decoded into ctx memory: a plain name
 * (no path, no control characters, not hidden), 1..200 bytes of UTF-8.
 * Returns NULL when refused. */
const char *api_filename_decode(struct http_ctx *ctx, const char *raw);

/* The name a file is stored and downloaded under, from the uploader's
 * name: control, bidirectional-override and path characters removed, no
 * leading dots or blanks, and the extension that of the sniffed type `ext`
 * ("png", "jpg", "pdf", "mp4"; aliases such as .jpeg kept): a foreign
 * extension is replaced ("Tugas.pdf.bat" → "Tugas.pdf"), a missing one
 * added; at most 200 bytes. Returns ctx memory, or NULL when nothing is left. */
const char *api_file_display_name(struct http_ctx *ctx, const char *name, const char *ext);

/* The SHA-256 of data[0..len) as 64 lower-case hex characters and a NUL.
 * Any thread. */
void api_sha256_hex(const unsigned char *data, size_t len, char out[65]);

/* A raw upload stored by one statement whose last two parameters are the
 * body's SHA-256 (hex) and the body itself (bytea, binary): the caller
 * fills params[0 .. nparams-3] (ctx memory or static). */
#define API_UPLOAD_PARAMS 8
struct filetype;
typedef struct api_upload {
    const db_stmt *stmt;
    const unsigned char *data; /* the request body (borrowed from the request) */
    size_t len;
    char sha256[65];
    const char *params[API_UPLOAD_PARAMS];
    int lengths[API_UPLOAD_PARAMS];
    int formats[API_UPLOAD_PARAMS];
} api_upload;

/* Starts an upload of the request body for stmt: refuses an empty body
 * (422 empty_file) and a type that its magic bytes do not show, that the
 * declared Content-Type contradicts or that allowed (may be NULL: any
 * filetype.h knows) refuses (415 unsupported_file_type with `refusal` as
 * the message). Returns the upload (ctx memory) and its type in *type, or
 * NULL after replying. */
api_upload *api_upload_begin(struct http_ctx *ctx, const db_stmt *stmt,
                             bool (*allowed)(const struct filetype *), const char *refusal,
                             const struct filetype **type);

/* Hashes the body on the worker pool (up is the job), then runs the
 * statement and replies with its (status, body). */
void api_upload_store(struct http_ctx *ctx, api_upload *up);

/* How api_file_get serves a file. */
typedef struct api_file_opts {
    bool images_inline;        /* images "inline" (shown), everything else "attachment" */
    const char *cache_control; /* NULL: "private, no-store" */
} api_file_opts;

/* Runs stmt (values borrowed until its result), whose one row (stored
 * name, original name or NULL, content type, sha256, data as bytea) is sent
 * as the file with Content-Disposition (RFC 8187 name), ETag and
 * Cache-Control; no row: 404. opts is copied (NULL: attachments, never
 * cached); large files are decoded on the worker pool. Sets ctx->state. */
void api_file_get(struct http_ctx *ctx, const db_stmt *stmt, const char *const *values,
                  const api_file_opts *opts);

/* /debug/... routes for the tests (server/api/debug.c); only when enabled */
const http_route *debug_routes(size_t *n);

/* Adds every table to r (debug routes only when debug is true). */
SINAU_MUST_CHECK int api_register_all(router *r, bool debug);

/* Runs the API's periodic jobs (the offer timer, the quiz timer, automatic
 * certificate issuance); every few seconds from loop 0 of each instance. */
void api_tick(db_pool *db, const struct sinau_server *srv);

/* The channels loop 0 of each instance LISTENs on (NULL-terminated), what
 * a notification on one of them does, and what to do each time the
 * subscription is (again) in force: notifications sent meanwhile are lost,
 * so this catches up. Loop 0's thread. */
extern const char *const api_listen_channels[];
void api_on_notify(struct sinau_loop *loop, const char *channel, const char *payload);
void api_on_listening(struct sinau_loop *loop);

/* The offer timer by notification (registrations.c): an offer made with
 * its deadline as payload (epoch seconds) arms a timer for the earliest
 * one; on_listening runs the expiry at once. */
void registrations_on_offer(struct sinau_loop *loop, const char *payload);
void registrations_on_listening(struct sinau_loop *loop);

/* Issues certificates in one cohort whose rules say auto_issue, when
 * someone there became eligible; at most one run at a time (loop 0). */
void certificates_tick(db_pool *db, const struct sinau_server *srv);

/* Builds the OpenAPI 3.1 document from the router's routes into a new
 * malloc'd string (*len set); caller frees. */
char *api_openapi_build(const router *r, const char *public_url, size_t *len);

#endif /* SINAU_API_H */
