/* auth.c — signing up, in and out (API.md "Accounts").
 *
 * Login is a short explicit chain, one function per step:
 *   login           validate → reserve the attempt against the throttle (counted
 *                   as a failure before any hashing, forgiven by a success)
 *                   and read the stored hash
 *   login_checked   → verify the password on the worker pool (argon2id)
 *   login_verified  → record the failure (401) or create the session
 *   login_done      → reply with the token, CSRF token and cookie
 * An unknown e-mail is verified against a dummy hash of the same cost, so
 * both answers take the same time. Signup reserves its place in a
 * per-address throttle before hashing; both flows hash within their own
 * bounded share of the worker pool. */
#include "sinau/api/auth.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sinau/api/common.h"
#include "sinau/api/recovery.h"
#include "sinau/api/routes.h"
#include "sinau/api/services.h"
#include "sinau/auth/guard.h"
#include "sinau/auth/password.h"
#include "sinau/auth/sesscache.h"
#include "sinau/auth/session.h"
#include "sinau/http/ctx.h"
#include "sinau/http/dbroute.h"
#include "sinau/http/reply.h"

/* ---- shared validation ---- */

/* A plausible address: 3..254 bytes, one '@' with text on both sides, a dot
 * in the domain, no spaces or control characters. Delivery proves the rest. */
static bool email_ok(const char *e)
{
    size_t n = strlen(e);
    const char *at = strchr(e, '@');

    if (n < 3 || n > 254 || at == NULL || at == e || strchr(at + 1, '@') != NULL)
        return false;
    if (strchr(at + 1, '.') == NULL || at[1] == '.' || e[n - 1] == '.')
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)e[i] <= ' ' || e[i] == 0x7f)
            return false;
    return true;
}

bool api_name_ok(const char *s)
{
    size_t n = strlen(s);
    json_t *probe;

    if (n == 0 || n > 200)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < ' ' || s[i] == 0x7f)
            return false;
    probe = json_stringn(s, n); /* NULL for invalid UTF-8 */
    json_decref(probe);
    return probe != NULL;
}

static int reply_weak_password(http_ctx *ctx, enum auth_pw_verdict v)
{
    static const char *const reasons[] = {"", "too_short", "too_long", "common"};
    static const char *const messages[] = {
        "", "the password needs at least 10 characters",
        "the password may have at most 256 characters",
        "this password is among the most common ones; choose another"};

    http_reply_error_details(ctx, 422, "weak_password", messages[v],
                             json_pack("{s:s}", "reason", reasons[v]));
    return -1;
}

int api_account_fields_check(http_ctx *ctx, const char *email, const char *password,
                             const char *full_name)
{
    enum auth_pw_verdict v;

    if (!email_ok(email)) {
        http_reply_error(ctx, 422, "invalid_email", "this is not a valid e-mail address");
        return -1;
    }
    if (!api_name_ok(full_name)) {
        http_reply_error(ctx, 422, "invalid_full_name", "the name needs 1 to 200 characters");
        return -1;
    }
    v = auth_password_check(password);
    if (v != AUTH_PW_OK)
        return reply_weak_password(ctx, v);
    return 0;
}

int api_password_policy(http_ctx *ctx, const char *password)
{
    enum auth_pw_verdict v = auth_password_check(password);

    return v != AUTH_PW_OK ? reply_weak_password(ctx, v) : 0;
}

/* ---- a new password's hash ---- */

void api_pwhash_take(http_ctx *ctx, api_pwhash *h, const char *password)
{
    h->password = http_ctx_strndup(ctx, password, strlen(password));
    h->cost = api_svc(ctx)->cfg->pwhash;
}

void api_pwhash_run(void *job)
{
    api_pwhash *h = job;

    h->rc = auth_password_hash(h->cost, h->password, h->hash);
    sodium_memzero(h->password, strlen(h->password));
}

bool api_pwhash_made(http_ctx *ctx, const api_pwhash *h)
{
    if (h->rc == 0)
        return true;
    http_reply_error(ctx, 500, "internal_error", "could not hash the password");
    return false;
}

/* ---- the worker pool's shares for password hashing ---- */

/* Account creation and login each take at most a bounded share of the
 * worker pool (queue and threads together): a quarter for creating
 * accounts, half for logins, so a flood of either cannot starve the other
 * nor PDFs and uploads. Counted per process, on every loop thread. */
enum share { SHARE_CREATE, SHARE_LOGIN };

static atomic_int share_used[2];

static int share_cap(const http_ctx *ctx, enum share s)
{
    const sinau_config *cfg = api_svc(ctx)->cfg;
    int room = cfg->worker_queue_max + cfg->worker_threads;
    int cap = s == SHARE_CREATE ? room / 4 : room / 2;

    return cap < 1 ? 1 : cap;
}

/* A share of the pool taken by one request: given back by the done step
 * (share_release), or by the request's end when the pool refused the job
 * or the request ended before done (a destructor: exactly once). */
typedef struct share_hold {
    enum share s;
    bool held;
} share_hold;

static void share_release(share_hold *h)
{
    if (h->held) {
        h->held = false;
        atomic_fetch_sub(&share_used[h->s], 1);
    }
}

static void share_drop(void *p)
{
    share_release(p);
}

/* http_work within share s: replies 503 `busy` when the share is used up
 * or the pool is full. *hold (the job's) is set; the done step calls
 * share_release on it. */
static void share_work(http_ctx *ctx, enum share s, share_hold **hold, void *job,
                       void (*run)(void *job), void (*done)(http_ctx *ctx, void *job))
{
    if (atomic_fetch_add(&share_used[s], 1) >= share_cap(ctx, s)) {
        atomic_fetch_sub(&share_used[s], 1);
        http_add_header(ctx, "Retry-After", "1");
        http_reply_error(ctx, 503, "busy", "the server is busy; try again shortly");
        return;
    }
    *hold = http_ctx_alloc(ctx, sizeof **hold);
    **hold = (share_hold){s, true};
    http_own(ctx, *hold, share_drop);
    http_work(ctx, job, run, done);
}

/* ---- creating accounts: hash on the pool, then insert ---- */

typedef struct create_job {
    /* email, full_name, hash, role, actor, ip, language, and for an
     * account that confirms its e-mail: token hash, encrypted token, ttl */
    const char *params[10];
    const char *email, *full_name; /* signup: kept across the throttle */
    const char *reserve_params[3];
    char *password; /* signup: kept across the throttle */
    api_pwhash pw;
    share_hold *hold;
} create_job;

static const db_stmt create_stmt = {
    "msg_account_create", "select msg_account_create($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::int)",
    10};

/* After the hash (arg: the job's api_pwhash): the insert. */
static void create_hashed(http_ctx *ctx, void *arg)
{
    const api_pwhash *pw = arg;
    create_job *job = ctx->state;

    share_release(job->hold);
    if (!api_pwhash_made(ctx, pw))
        return;
    job->params[2] = pw->hash;
    http_db_query(ctx, &create_stmt, job->params, api_reply_created_or_404);
}

void api_account_create(http_ctx *ctx, const char *email, const char *password,
                        const char *full_name, const char *role, const char *actor_id)
{
    create_job *job = ctx->state != NULL ? ctx->state : http_ctx_alloc(ctx, sizeof *job);

    ctx->state = job;
    api_pwhash_take(ctx, &job->pw, password);
    job->params[0] = email;
    job->params[1] = full_name;
    job->params[3] = role;
    job->params[4] = actor_id;
    job->params[5] = http_peer(ctx);
    share_work(ctx, SHARE_CREATE, &job->hold, &job->pw, api_pwhash_run, create_hashed);
}

static const db_stmt signup_reserve_stmt = {"auth_signup_reserve",
                                            "select auth_signup_reserve($1, $2::int, $3::int)", 3};

void api_reply_throttled(http_ctx *ctx, long long wait_s, const char *message)
{
    http_add_header(ctx, "Retry-After", api_itoa(ctx, wait_s));
    http_reply_error(ctx, 429, "too_many_attempts", message);
}

static void signup_reserved(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    create_job *job = ctx->state;
    long long wait_s;

    if (http_db_failed(ctx, r))
        return;
    wait_s = strtoll(PQgetvalue(r->res, 0, 0), NULL, 10);
    if (wait_s > 0) {
        api_reply_throttled(ctx, wait_s, "too many accounts from this address; wait and retry");
        return;
    }
    api_account_create(ctx, job->email, job->password, job->full_name, "participant", NULL);
}

/* POST /api/v1/auth/signup {email,password,full_name,language?}: with
 * SINAU_VERIFY_EMAIL=1 the account must follow a link before registering. */
static void signup(http_ctx *ctx)
{
    json_t *body;
    const char *email, *password, *full_name, *language = NULL;
    create_job *job;

    if (http_read_json(ctx, false, &body) != 0)
        return;
    if (http_unpack(ctx, body, "{s:s, s:s, s:s, s?s}", "email", &email, "password", &password,
                    "full_name", &full_name, "language", &language) != 0)
        return;
    if (language != NULL && strcmp(language, "id") != 0 && strcmp(language, "en") != 0) {
        http_reply_error(ctx, 422, "invalid_language", "language is id or en");
        return;
    }
    if (api_account_fields_check(ctx, email, password, full_name) != 0)
        return;
    job = http_ctx_alloc(ctx, sizeof *job);
    ctx->state = job;
    job->params[6] = language;
    if (api_svc(ctx)->cfg->verify_email &&
        api_link_params(ctx, api_verify_ttl_s(), &job->params[7]) != 0)
        return;
    /* counted per address before any hashing (taken e-mails included) */
    job->email = email;
    job->full_name = full_name;
    job->password = http_ctx_strndup(ctx, password, strlen(password));
    job->reserve_params[0] = http_peer(ctx);
    job->reserve_params[1] = api_itoa(ctx, 3600);
    job->reserve_params[2] = api_itoa(ctx, api_svc(ctx)->cfg->signup_per_hour);
    http_db_query(ctx, &signup_reserve_stmt, job->reserve_params, signup_reserved);
}

/* ---- login ---- */

typedef struct login_job {
    const char *email;
    char *password; /* wiped after verifying */
    enum pwhash_cost cost;
    share_hold *hold;
    char window[12], per_account[12], per_ip[12];
    const char *begin_params[5];
    char *stored_hash; /* NULL: unknown e-mail, verify the dummy */
    char *user_id;
    bool ok, rehash;
    char new_hash[128];
    char token[AUTH_TOKEN_CHARS + 1];
    char token_hash[AUTH_HASH_HEX];
    char csrf[AUTH_TOKEN_CHARS + 1];
    char absolute[12];
    const char *done_params[6];
} login_job;

static const db_stmt login_begin_stmt = {"auth_login_begin",
                                         "select auth_login_begin($1, $2, $3, $4, $5)", 5};
static const db_stmt login_failed_stmt = {"auth_login_failed",
                                          "select auth_login_failed($1, $2, $3)", 3};
static const db_stmt login_succeeded_stmt = {
    "auth_login_succeeded", "select auth_login_succeeded($1, $2, $3, $4, $5, $6)", 6};

static void set_session_cookie(http_ctx *ctx, const char *token, int max_age)
{
    const sinau_config *cfg = api_svc(ctx)->cfg;
    char cookie[160];

    snprintf(cookie, sizeof cookie, "%s=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Lax%s",
             AUTH_COOKIE, token, max_age,
             strncmp(cfg->public_url, "https://", 8) == 0 ? "; Secure" : "");
    http_add_header(ctx, "Set-Cookie", cookie);
}

static void reply_invalid_credentials(http_ctx *ctx)
{
    http_reply_error(ctx, 401, "invalid_credentials", "wrong e-mail or password");
}

static void login_done(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    login_job *job = ctx->state;
    json_t *out, *user;
    json_error_t err;

    if (http_db_failed(ctx, r))
        return;
    if (PQgetisnull(r->res, 0, 0)) { /* disabled or deleted meanwhile */
        reply_invalid_credentials(ctx);
        return;
    }
    out = http_own_json(ctx, json_loads(PQgetvalue(r->res, 0, 0), 0, &err));
    user = json_object_get(out, "user");
    set_session_cookie(ctx, job->token, auth_absolute_s(api_svc(ctx)->cfg));
    http_reply_json(
        ctx, 200,
        json_pack("{s:s, s:s, s:O}", "token", job->token, "csrf_token", job->csrf, "user", user));
}

static void login_failed_recorded(void *arg, db_result *r)
{
    http_ctx *ctx = arg;

    if (http_db_failed(ctx, r))
        return;
    reply_invalid_credentials(ctx);
}

static void login_verified(http_ctx *ctx, void *arg)
{
    login_job *job = arg;

    share_release(job->hold);
    if (!job->ok) {
        const char *p[3] = {job->email, http_peer(ctx), job->window};
        memcpy(job->begin_params, p, sizeof p);
        http_db_query(ctx, &login_failed_stmt, job->begin_params, login_failed_recorded);
        return;
    }
    auth_token_new(job->token);
    auth_token_hash(job->token, job->token_hash);
    auth_token_new(job->csrf);
    snprintf(job->absolute, sizeof job->absolute, "%d", auth_absolute_s(api_svc(ctx)->cfg));
    job->done_params[0] = job->user_id;
    job->done_params[1] = job->token_hash;
    job->done_params[2] = job->csrf;
    job->done_params[3] = job->absolute;
    job->done_params[4] = job->rehash && job->new_hash[0] != '\0' ? job->new_hash : NULL;
    job->done_params[5] = http_peer(ctx);
    http_db_query(ctx, &login_succeeded_stmt, job->done_params, login_done);
}

/* Worker thread: the argon2id verification (and the upgrade, if due). */
static void login_verify_run(void *arg)
{
    login_job *job = arg;
    enum pwhash_cost cost = job->cost;
    const char *hash = job->stored_hash != NULL ? job->stored_hash : auth_dummy_hash();

    job->ok = auth_password_verify(cost, hash, job->password, &job->rehash);
    if (job->stored_hash == NULL)
        job->ok = false;
    else if (!job->ok && job->rehash)
        /* a hash older than the configured cost verifies faster than the
         * dummy: pad with the dummy so misses still all take as long */
        (void)auth_password_verify(cost, auth_dummy_hash(), job->password, &(bool){false});
    if (job->ok && job->rehash && auth_password_hash(cost, job->password, job->new_hash) != 0)
        job->new_hash[0] = '\0';
    sodium_memzero(job->password, strlen(job->password));
}

static void login_checked(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    login_job *job = ctx->state;
    json_t *verdict;
    json_error_t err;
    json_int_t wait_s;
    const char *id = NULL, *hash = NULL;

    if (http_db_failed(ctx, r))
        return;
    verdict = http_own_json(ctx, json_loads(PQgetvalue(r->res, 0, 0), 0, &err));
    if (json_unpack(verdict, "{s:I, s?:s, s?:s}", "retry_after", &wait_s, "user_id", &id, "hash",
                    &hash) != 0)
        wait_s = 0;
    if (wait_s > 0) {
        api_reply_throttled(ctx, wait_s, "too many failed logins; wait and retry");
        return;
    }
    job->user_id = id != NULL ? http_ctx_strndup(ctx, id, strlen(id)) : NULL;
    job->stored_hash = hash != NULL ? http_ctx_strndup(ctx, hash, strlen(hash)) : NULL;
    job->cost = api_svc(ctx)->cfg->pwhash;
    share_work(ctx, SHARE_LOGIN, &job->hold, job, login_verify_run, login_verified);
}

/* POST /api/v1/auth/login {email,password} */
static void login(http_ctx *ctx)
{
    json_t *body;
    const char *email, *password;
    login_job *job;

    if (http_read_json(ctx, false, &body) != 0)
        return;
    if (http_unpack(ctx, body, "{s:s, s:s}", "email", &email, "password", &password) != 0)
        return;
    if (strlen(email) > 254 || strlen(password) > 256) {
        reply_invalid_credentials(ctx);
        return;
    }
    job = http_ctx_alloc(ctx, sizeof *job);
    ctx->state = job;
    job->email = email;
    job->password = http_ctx_strndup(ctx, password, strlen(password));
    snprintf(job->window, sizeof job->window, "%d", AUTH_THROTTLE_WINDOW_S);
    snprintf(job->per_account, sizeof job->per_account, "%d", AUTH_THROTTLE_PER_ACCOUNT);
    snprintf(job->per_ip, sizeof job->per_ip, "%d", api_svc(ctx)->cfg->login_per_address);
    job->begin_params[0] = email;
    job->begin_params[1] = http_peer(ctx);
    job->begin_params[2] = job->window;
    job->begin_params[3] = job->per_account;
    job->begin_params[4] = job->per_ip;
    http_db_query(ctx, &login_begin_stmt, job->begin_params, login_checked);
}

/* ---- logout ---- */

static const db_stmt logout_stmt = {
    "auth_logout", "update sessions set revoked_at = now() where token_hash = $1", 1};

static void logout_done(void *arg, db_result *r)
{
    http_ctx *ctx = arg;

    if (http_db_failed(ctx, r))
        return;
    /* this instance at once; the others on the trigger's notification */
    sesscache_forget_token(api_svc(ctx)->sessions, ctx->user.token_hash);
    set_session_cookie(ctx, "", 0);
    http_reply_empty(ctx, 204);
}

/* POST /api/v1/auth/logout: the session ends for every instance at once. */
static void logout(http_ctx *ctx)
{
    const char **params = http_ctx_alloc(ctx, sizeof *params);

    params[0] = ctx->user.token_hash;
    http_db_query(ctx, &logout_stmt, params, logout_done);
}

/* The route table (server/api/routes/auth.json, generated at build time). */
#include "routes/auth.inc"
