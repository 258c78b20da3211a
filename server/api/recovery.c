/* recovery.c — nobody locked out for good (issue 13): a password reset by
 * e-mail link (no enumeration: the same 202 whatever the address; throttled
 * per client address and per account; a single-use token valid 30 minutes,
 * only its hash stored and the token itself only encrypted in its message
 * row), changing one's password, an admin sending a reset link (audited),
 * and e-mail verification at signup (SINAU_VERIFY_EMAIL=1).
 *
 * The flows that hash a password are short chains like login's:
 *   reset_confirm  → token live? (no hashing for dead tokens)
 *                  → hash on the worker pool → store, sessions ended
 *   password_put   → stored hash and throttle → verify and hash on the pool
 *                  → store, other sessions ended (or the failure recorded) */
#include "sinau/api/recovery.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sinau/api/auth.h"
#include "sinau/api/call.h"
#include "sinau/api/common.h"
#include "sinau/api/routes.h"
#include "sinau/api/services.h"
#include "sinau/auth/password.h"
#include "sinau/auth/session.h"
#include "sinau/crypto/pii.h"
#include "sinau/http/ctx.h"
#include "sinau/http/dbroute.h"
#include "sinau/http/reply.h"

#define RESET_TTL_S       1800  /* a link the participant asked for: 30 minutes */
#define ADMIN_RESET_TTL_S 86400 /* a link an admin sent: a day (read later) */
#define RESET_WINDOW_S    900
#define RESET_MAX_PER_IP  20
#define RESET_MAX_ACCOUNT 3
#define VERIFY_TTL_S      (7 * 86400)

static const char accepted[] = "{\"accepted\":true}";

int api_link_params(http_ctx *ctx, int ttl_s, const char **out)
{
    char token[AUTH_TOKEN_CHARS + 1], *hash = http_ctx_alloc(ctx, AUTH_HASH_HEX), *enc = NULL;
    int rc;

    auth_token_new(token);
    auth_token_hash(token, hash);
    rc = pii_encrypt(api_svc(ctx)->keys, "outbox", "secret", hash, token, strlen(token), &enc);
    sodium_memzero(token, sizeof token);
    if (rc != 0) {
        free(enc);
        http_reply_error(ctx, 500, "internal_error", "could not make a link");
        return -1;
    }
    out[0] = hash;
    out[1] = http_ctx_strndup(ctx, enc, strlen(enc));
    out[2] = api_itoa(ctx, ttl_s);
    free(enc);
    return 0;
}

/* ---- asking for a link ---- */

static const db_stmt reset_request_stmt = {
    "msg_reset_request",
    "select msg_reset_request($1, $2, $3, $4, $5::int, $6::int, $7::int, $8::int)", 8};

static void reset_requested(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    json_t *v;
    json_int_t wait_s = 0;

    if (http_db_failed(ctx, r))
        return;
    v = json_loads(PQgetvalue(r->res, 0, 0), 0, NULL);
    if (json_unpack(v, "{s:I}", "retry_after", &wait_s) != 0)
        wait_s = 0;
    json_decref(v);
    if (wait_s > 0) {
        api_reply_throttled(ctx, wait_s, "too many requests; wait and retry");
        return;
    }
    http_reply_static(ctx, 202, "application/json", accepted, sizeof accepted - 1);
}

/* POST /api/v1/auth/password-reset {email}: always the same 202. */
static void reset_request(http_ctx *ctx)
{
    json_t *body;
    const char *email;
    const char **p = http_ctx_alloc(ctx, 8 * sizeof *p);

    if (http_read_json(ctx, false, &body) != 0)
        return;
    if (http_unpack(ctx, body, "{s:s}", "email", &email) != 0)
        return;
    if (strlen(email) > 254) {
        http_reply_static(ctx, 202, "application/json", accepted, sizeof accepted - 1);
        return;
    }
    /* the same work whether or not the address has an account */
    if (api_link_params(ctx, RESET_TTL_S, &p[2]) != 0)
        return;
    p[0] = email;
    p[1] = http_peer(ctx);
    p[5] = api_itoa(ctx, RESET_WINDOW_S);
    p[6] = api_itoa(ctx, RESET_MAX_PER_IP);
    p[7] = api_itoa(ctx, RESET_MAX_ACCOUNT);
    http_db_query(ctx, &reset_request_stmt, p, reset_requested);
}

/* ---- setting the new password with a link ---- */

typedef struct confirm_job {
    char hash[AUTH_HASH_HEX];
    api_pwhash pw;
    const char *params[3];
} confirm_job;

static const db_stmt reset_live_stmt = {"msg_reset_live", "select msg_reset_live($1)", 1};
static const db_stmt reset_confirm_stmt =
    API_STATUS_STMT("msg_reset_confirm", "msg_reset_confirm($1, $2, $3)", 3);

static void reply_invalid_token(http_ctx *ctx)
{
    http_reply_error(ctx, 400, "invalid_token",
                     "this link is not valid (used, expired or unknown)");
}

/* After the hash (arg: the job's api_pwhash): the store, sessions ended. */
static void confirm_hashed(http_ctx *ctx, void *arg)
{
    const api_pwhash *pw = arg;
    confirm_job *job = ctx->state;

    if (!api_pwhash_made(ctx, pw))
        return;
    job->params[0] = job->hash;
    job->params[1] = pw->hash;
    job->params[2] = http_peer(ctx);
    http_db_query(ctx, &reset_confirm_stmt, job->params, api_reply_status_body);
}

static void confirm_checked(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    confirm_job *job = ctx->state;

    if (http_db_failed(ctx, r))
        return;
    if (PQgetvalue(r->res, 0, 0)[0] != 't') {
        reply_invalid_token(ctx);
        return;
    }
    http_work(ctx, &job->pw, api_pwhash_run, confirm_hashed);
}

/* The body of both routes that set a new password, {<proof>, <fresh>},
 * two strings: what gives the right (a reset link's token, the current
 * password) and the new password. Returns 0 with both (the body's), or -1
 * after replying (http_read_json, http_unpack). */
static int new_password_body(http_ctx *ctx, const char *proof_name, const char **proof,
                             const char *fresh_name, const char **fresh)
{
    json_t *body;

    if (http_read_json(ctx, false, &body) != 0)
        return -1;
    return http_unpack(ctx, body, "{s:s, s:s}", proof_name, proof, fresh_name, fresh);
}

/* POST /api/v1/auth/password-reset/confirm {token, password} → 204 */
static void reset_confirm(http_ctx *ctx)
{
    const char *token, *password;
    confirm_job *job = http_ctx_alloc(ctx, sizeof *job);

    ctx->state = job;
    if (new_password_body(ctx, "token", &token, "password", &password) != 0)
        return;
    if (strlen(token) != AUTH_TOKEN_CHARS) {
        reply_invalid_token(ctx);
        return;
    }
    if (api_password_policy(ctx, password) != 0)
        return;
    auth_token_hash(token, job->hash);
    api_pwhash_take(ctx, &job->pw, password);
    job->params[0] = job->hash;
    http_db_query(ctx, &reset_live_stmt, job->params, confirm_checked);
}

/* ---- changing one's password ---- */

typedef struct change_job {
    char *current; /* wiped after use */
    api_pwhash next;
    char *stored_hash, *email;
    bool ok;
    const char *params[5];
} change_job;

static const db_stmt change_begin_stmt = {
    "msg_password_begin", "select msg_password_begin($1, $2, $3::int, $4::int, $5::int)", 5};
static const db_stmt change_stmt = {"msg_password_change",
                                    "select msg_password_change($1, $2, $3, $4)", 4};
static const db_stmt change_failed_stmt = {"auth_login_failed_pw",
                                           "select auth_login_failed($1, $2, $3)", 3};

static void change_stored(void *arg, db_result *r)
{
    http_ctx *ctx = arg;

    if (http_db_failed(ctx, r))
        return;
    http_reply_empty(ctx, 204);
}

static void change_failed_recorded(void *arg, db_result *r)
{
    http_ctx *ctx = arg;

    if (http_db_failed(ctx, r))
        return;
    http_reply_error(ctx, 403, "wrong_password", "the current password is wrong");
}

/* Worker thread: verify the current password, hash the new one. */
static void change_run(void *arg)
{
    change_job *job = arg;

    job->ok = auth_password_verify(job->next.cost, job->stored_hash, job->current, &(bool){false});
    sodium_memzero(job->current, strlen(job->current));
    if (job->ok)
        api_pwhash_run(&job->next);
    else
        sodium_memzero(job->next.password, strlen(job->next.password));
}

static void change_verified(http_ctx *ctx, void *arg)
{
    change_job *job = arg;

    if (!job->ok) {
        job->params[0] = job->email;
        job->params[1] = http_peer(ctx);
        job->params[2] = api_itoa(ctx, AUTH_THROTTLE_WINDOW_S);
        http_db_query(ctx, &change_failed_stmt, job->params, change_failed_recorded);
        return;
    }
    if (!api_pwhash_made(ctx, &job->next))
        return;
    job->params[0] = ctx->user.id;
    job->params[1] = job->next.hash;
    job->params[2] = ctx->user.token_hash;
    job->params[3] = http_peer(ctx);
    http_db_query(ctx, &change_stmt, job->params, change_stored);
}

static void change_begun(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    change_job *job = ctx->state;
    json_t *v;
    json_int_t wait_s = 0;
    const char *hash = NULL, *email = NULL;

    if (http_db_failed(ctx, r))
        return;
    v = http_own_json(ctx, json_loads(PQgetvalue(r->res, 0, 0), 0, NULL));
    if (v == NULL || json_unpack(v, "{s:I, s:s, s:s}", "retry_after", &wait_s, "hash", &hash,
                                 "email", &email) != 0) {
        http_reply_error(ctx, 401, "unauthorized", "sign in first");
        return;
    }
    job->stored_hash = http_ctx_strndup(ctx, hash, strlen(hash));
    job->email = http_ctx_strndup(ctx, email, strlen(email));
    if (wait_s > 0) {
        api_reply_throttled(ctx, wait_s, "too many failed attempts; wait and retry");
        return;
    }
    http_work(ctx, job, change_run, change_verified);
}

/* PUT /api/v1/me/password {current_password, new_password} → 204; every
 * other session of the account ends. */
static void password_put(http_ctx *ctx)
{
    const char *current, *next;
    change_job *job = http_ctx_alloc(ctx, sizeof *job);

    ctx->state = job;
    if (new_password_body(ctx, "current_password", &current, "new_password", &next) != 0)
        return;
    if (api_password_policy(ctx, next) != 0)
        return;
    if (strlen(current) > 256) {
        http_reply_error(ctx, 403, "wrong_password", "the current password is wrong");
        return;
    }
    job->current = http_ctx_strndup(ctx, current, strlen(current));
    api_pwhash_take(ctx, &job->next, next);
    job->params[0] = ctx->user.id;
    job->params[1] = http_peer(ctx);
    job->params[2] = api_itoa(ctx, AUTH_THROTTLE_WINDOW_S);
    job->params[3] = api_itoa(ctx, AUTH_THROTTLE_PER_ACCOUNT);
    job->params[4] = api_itoa(ctx, api_svc(ctx)->cfg->login_per_address);
    http_db_query(ctx, &change_begin_stmt, job->params, change_begun);
}

/* ---- an admin sends a link ---- */

static const db_stmt admin_reset_stmt =
    API_STATUS_STMT("msg_reset_by_admin", "msg_reset_by_admin($1, $2, $3, $4, $5, $6::int)", 6);

/* POST /api/v1/users/{id}/password-reset → 202 {sent, expires_at} */
static void admin_reset(http_ctx *ctx)
{
    const char **p = http_ctx_alloc(ctx, 6 * sizeof *p);

    p[0] = http_param(ctx, "id");
    if (api_missing(ctx, p[0], "user") || api_link_params(ctx, ADMIN_RESET_TTL_S, &p[3]) != 0)
        return;
    p[1] = ctx->user.id;
    p[2] = http_peer(ctx);
    http_db_query(ctx, &admin_reset_stmt, p, api_reply_status_body);
}

/* ---- e-mail verification ---- */

static const db_stmt verify_stmt = API_STATUS_STMT("msg_verify_email", "msg_verify_email($1)", 1);
static const db_stmt verify_resend_stmt =
    API_STATUS_STMT("msg_verify_resend", "msg_verify_resend($1, $2, $3, $4::int)", 4);

/* POST /api/v1/auth/verify-email {token} → 204 */
static void verify_email(http_ctx *ctx)
{
    json_t *body;
    const char *token;
    char *hash = http_ctx_alloc(ctx, AUTH_HASH_HEX);
    const char **p = http_ctx_alloc(ctx, sizeof *p);

    if (http_read_json(ctx, false, &body) != 0)
        return;
    if (http_unpack(ctx, body, "{s:s}", "token", &token) != 0)
        return;
    if (strlen(token) != AUTH_TOKEN_CHARS) {
        reply_invalid_token(ctx);
        return;
    }
    auth_token_hash(token, hash);
    p[0] = hash;
    http_db_query(ctx, &verify_stmt, p, api_reply_status_body);
}

/* POST /api/v1/me/email-verification → 202: a new link. */
static void verify_resend(http_ctx *ctx)
{
    const char **p = http_ctx_alloc(ctx, 4 * sizeof *p);

    if (api_link_params(ctx, VERIFY_TTL_S, &p[1]) != 0)
        return;
    p[0] = ctx->user.id;
    http_db_query(ctx, &verify_resend_stmt, p, api_reply_status_body);
}

int api_verify_ttl_s(void)
{
    return VERIFY_TTL_S;
}

/* The route table (server/api/routes/recovery.json, generated at build time). */
#include "routes/recovery.inc"
