/* guard.c — the route guard (auth/guard.h): resolves the caller from the bearer
 * token or the session cookie with one query, then enforces the route's
 * access level, CSRF for cookie sessions and same-origin for unsafe
 * requests, before the handler runs. */
#include "sinau/auth/guard.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sinau/auth/sesscache.h"
#include "sinau/auth/session.h"
#include "sinau/core/alloc.h"
#include "sinau/http/ctx.h"
#include "sinau/http/dbroute.h"
#include "sinau/http/reply.h"

/* The live-session rule, written once for the single check and the
 * batch: the columns, then the condition on the token hash `hash` ($2 is
 * the idle window in seconds in both statements). */
#define SESSION_LIVE_COLUMNS                                                                       \
    "s.user_id, u.role, s.csrf_token,"                                                             \
    " s.last_seen_at < now() - least(interval '60 seconds', make_interval(secs => $2::int / 4.0))" \
    " as stale, floor(extract(epoch from s.expires_at - now()))::int as left_s"                    \
    " from sessions s join users u on u.id = s.user_id"
#define SESSION_LIVE_WHERE(hash)                                                                   \
    " where s.token_hash = " hash " and s.revoked_at is null and s.expires_at > now()"             \
    " and s.last_seen_at > now() - make_interval(secs => $2::int) and u.status = 'active'"

/* The read path: plain SQL (cheaper than a PL/pgSQL call), one row when the
 * session is live. `stale` says last_seen_at is due a touch, which is then
 * sent on its own without waiting (rare: once a minute per session);
 * `left_s` is the time to the absolute expiry, which bounds how long the
 * session cache may keep the answer. */
static const db_stmt session_stmt = {"auth_session_check",
                                     "select " SESSION_LIVE_COLUMNS SESSION_LIVE_WHERE("$1"), 2};

static const db_stmt touch_stmt = {
    "auth_session_touch", "update sessions set last_seen_at = now() where token_hash = $1", 1};

typedef struct touch_job {
    char hash[AUTH_HASH_HEX];
    const char *params[1];
} touch_job;

static void touch_done(void *arg, db_result *r)
{
    free(arg); /* best effort: a failed touch only shortens the idle window */
}

/* Fire and forget: the request does not wait for it, and the job owns its
 * parameter because the request may be gone when the pool runs it. */
static void session_touch(const auth_guard *g, http_ctx *ctx)
{
    touch_job *job = xmalloc(sizeof *job);

    memcpy(job->hash, ctx->user.token_hash, sizeof job->hash);
    job->params[0] = job->hash;
    if (db_query(g->db, &touch_stmt, job->params, touch_done, job) != 0)
        free(job);
}

int auth_idle_s(const sinau_config *cfg)
{
    return cfg->session_idle_s;
}

int auth_absolute_s(const sinau_config *cfg)
{
    return cfg->session_absolute_s;
}

/* Origin of the public URL: scheme://host[:port], no path. */
static size_t origin_len(const char *url)
{
    const char *p = strstr(url, "://");
    const char *slash = p != NULL ? strchr(p + 3, '/') : NULL;

    return slash != NULL ? (size_t)(slash - url) : strlen(url);
}

/* An unsafe request with an Origin must come from our own origin: the
 * public URL's, or the Host it was sent to (direct or local access). */
static bool origin_ok(const auth_guard *g, http_ctx *ctx)
{
    const char *origin = http_header(ctx, "Origin");
    const char *host = http_header(ctx, "Host");
    const char *pub = g->cfg->public_url;
    const char *rest;

    if (origin == NULL)
        return true; /* not a browser, or a same-origin GET-style navigation */
    if (strlen(origin) == origin_len(pub) && strncasecmp(origin, pub, origin_len(pub)) == 0)
        return true;
    rest = strstr(origin, "://");
    return host != NULL && rest != NULL && strcasecmp(rest + 3, host) == 0;
}

static bool token_syntax_ok(const char *t)
{
    size_t n = strlen(t);

    if (n != AUTH_TOKEN_CHARS)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

/* Finds the credentials: a bearer token first, else the session cookie. */
static bool find_token(http_ctx *ctx, char token[AUTH_TOKEN_CHARS + 2])
{
    const char *bearer = http_bearer(ctx);
    const char *cookie = http_header(ctx, "Cookie");

    if (bearer != NULL) {
        snprintf(token, AUTH_TOKEN_CHARS + 2, "%s", bearer);
        ctx->user.via_cookie = false;
        return token_syntax_ok(token);
    }
    if (cookie != NULL && auth_cookie_get(cookie, AUTH_COOKIE, token, AUTH_TOKEN_CHARS + 2) == 0) {
        ctx->user.via_cookie = true;
        return token_syntax_ok(token);
    }
    return false;
}

static void reply_unauthenticated(http_ctx *ctx)
{
    http_add_header(ctx, "WWW-Authenticate", "Bearer");
    http_reply_error(ctx, 401, "unauthenticated", "sign in first");
}

static bool role_allows(enum auth_access access, enum auth_role role)
{
    switch (access) {
    case AUTH_STAFF:
        return role == AUTH_ROLE_INSTRUCTOR || role == AUTH_ROLE_ADMIN;
    case AUTH_ADMIN:
        return role == AUTH_ROLE_ADMIN;
    default:
        return role != AUTH_ROLE_NONE;
    }
}

/* The caller is known: enforce the level and CSRF, then go on. */
static void guard_decide(http_ctx *ctx)
{
    const char *csrf;

    if (!role_allows((enum auth_access)ctx->route->access, ctx->user.role)) {
        http_reply_error(ctx, 403, "forbidden", "your role may not do this");
        return;
    }
    if (ctx->user.via_cookie && http_method_unsafe(ctx)) {
        csrf = http_header(ctx, "X-CSRF-Token");
        if (csrf == NULL || !auth_secret_equal(csrf, ctx->user.csrf)) {
            http_reply_error(ctx, 403, "csrf_failed", "send the X-CSRF-Token the login returned");
            return;
        }
    }
    ctx->next(ctx);
}

/* How long a checked session may be trusted without asking again: at most
 * the touch interval (min(60 s, idle / 4)), so that a session in use from
 * the cache is still touched in time to stay within its idle window, and
 * never past its absolute expiry (left, in seconds). The cache's own bound
 * (SINAU_SESSION_CACHE_S) applies on top. */
static int cache_ttl_s(const sinau_config *cfg, const char *left)
{
    int ttl = auth_idle_s(cfg) / 4;
    long l = strtol(left, NULL, 10);

    if (ttl > 60)
        ttl = 60;
    return l < ttl ? (int)l : ttl;
}

/* The guard that admitted ctx: the loop's, as auth_guard_init made it
 * (its http_guard is its first member, so the pointers are the same). */
_Static_assert(offsetof(auth_guard, base) == 0, "auth_guard starts with its http_guard");

static const auth_guard *guard_of(const http_ctx *ctx)
{
    return (const auth_guard *)ctx->guard;
}

/* The session was not found live: anonymous on an AUTH_OPTIONAL route,
 * else 401. */
static void session_missing(http_ctx *ctx)
{
    if (ctx->route->access == AUTH_OPTIONAL) {
        memset(&ctx->user, 0, sizeof ctx->user);
        ctx->next(ctx);
    } else {
        reply_unauthenticated(ctx);
    }
}

/* The session is live: row `row` of res, its columns user_id, role,
 * csrf_token, stale, left_s from column `col` on. Fills ctx->user, touches
 * the session when due, offers it to the cache, and goes on. */
static void session_found(http_ctx *ctx, PGresult *res, int row, int col)
{
    const auth_guard *g = guard_of(ctx);

    ctx->user.signed_in = true;
    snprintf(ctx->user.id, sizeof ctx->user.id, "%s", PQgetvalue(res, row, col));
    ctx->user.role = auth_role_parse(PQgetvalue(res, row, col + 1));
    snprintf(ctx->user.csrf, sizeof ctx->user.csrf, "%s", PQgetvalue(res, row, col + 2));
    if (PQgetvalue(res, row, col + 3)[0] == 't')
        session_touch(g, ctx);
    sesscache_put(g->sessions, ctx->user.cache_epoch, &ctx->user,
                  cache_ttl_s(g->cfg, PQgetvalue(res, row, col + 4)));
    guard_decide(ctx);
}

static void session_done(void *arg, db_result *r)
{
    http_ctx *ctx = arg;

    if (http_db_failed(ctx, r))
        return;
    if (PQntuples(r->res) != 1)
        session_missing(ctx);
    else
        session_found(ctx, r->res, 0, 0);
}

/* ---- concurrent session checks of one loop in one statement ----
 *
 * Issue 17 (P3): a flash crowd brings hundreds of sessions at once that no
 * cache has seen (each participant sends one request). Checked one by one
 * they are hundreds of statements queued in the pool ahead of the
 * registrations they admit. Instead, while one check of this loop is in
 * the database, the cache misses that arrive wait here in arrival order,
 * and when it comes back they all go together as one statement: the same
 * conditions as session_stmt for each hash, one index probe each. A miss
 * that finds nothing in flight goes at once (a batch of one). Routes with a
 * prefetch keep their own pipeline (guard_pipeline). Thread-local: each
 * loop has its own queue. */

/* Hashes per statement; more wait for the next. */
#define CHECK_BATCH_MAX 512

static const db_stmt session_batch_stmt = {
    "auth_session_check_batch",
    "select h.n, c.* from unnest($1::text[]) with ordinality h (hash, n)"
    " cross join lateral (select " SESSION_LIVE_COLUMNS SESSION_LIVE_WHERE(
        "h.hash") ") c order by h.n",
    2};

typedef struct check_item {
    struct check_item *next;
    http_ctx *ctx;
    const char **params; /* session_stmt's (ctx memory) */
} check_item;

typedef struct check_batch {
    check_item *items; /* in arrival order (ctx memory) */
    char *hashes;      /* $1: "{h1,h2,...}" (owned) */
    const char *values[2];
} check_batch;

typedef struct check_queue {
    check_item *head, *tail; /* waiting, in arrival order */
    bool in_flight;          /* a batch is in the database */
} check_queue;

static _Thread_local check_queue checks;

static void check_batch_done(void *arg, db_result *r);

/* Takes up to CHECK_BATCH_MAX waiting checks into a new batch. */
static check_batch *check_take(void)
{
    check_batch *b = xcalloc(1, sizeof *b);
    check_item **tail = &b->items;
    size_t len = 3;
    int n = 0;
    char *p;

    for (check_item *it = checks.head; it != NULL && n < CHECK_BATCH_MAX; it = it->next, n++)
        len += AUTH_HASH_HEX;
    b->hashes = xmalloc(len);
    p = b->hashes;
    *p++ = '{';
    for (int i = 0; i < n; i++) {
        check_item *it = checks.head;

        checks.head = it->next;
        it->next = NULL;
        *tail = it;
        tail = &it->next;
        if (i > 0)
            *p++ = ',';
        memcpy(p, it->ctx->user.token_hash, AUTH_HASH_HEX - 1);
        p += AUTH_HASH_HEX - 1;
    }
    *p++ = '}';
    *p = '\0';
    if (checks.head == NULL)
        checks.tail = NULL;
    b->values[0] = b->hashes;
    b->values[1] = b->items->params[1];
    return b;
}

static void check_batch_free(check_batch *b)
{
    free(b->hashes);
    free(b);
}

/* Sends the next batch when none is in the database and checks wait. A
 * refused one answers its checks 503 and the next is tried. */
static void check_run(void)
{
    while (!checks.in_flight && checks.head != NULL) {
        check_batch *b = check_take();
        int rc = db_query(guard_of(b->items->ctx)->db, &session_batch_stmt, b->values,
                          check_batch_done, b);

        if (rc == 0) {
            checks.in_flight = true;
            return;
        }
        for (check_item *it = b->items, *next; it != NULL; it = next) {
            next = it->next; /* it lives in ctx memory, gone once answered */
            http_reply_db_error(
                it->ctx,
                &(db_result){rc == DB_REFUSED_FULL ? DB_ERR_BUSY : DB_ERR_UNAVAILABLE, NULL, ""});
        }
        check_batch_free(b);
    }
}

/* A batch's answer: each check goes on with its row (by n), or as not
 * found. A lost connection sends each check again alone, through the path
 * that retries reads (http_db_query); any other failure answers them all. */
static void check_batch_done(void *arg, db_result *r)
{
    check_batch *b = arg;
    int row = 0, rows = r->status == DB_OK ? PQntuples(r->res) : 0, n = 1;

    checks.in_flight = false;
    for (check_item *it = b->items, *next; it != NULL; it = next, n++) {
        next = it->next; /* it lives in ctx memory, gone once answered */
        if (r->status == DB_ERR_UNAVAILABLE) {
            http_db_query(it->ctx, &session_stmt, it->params, session_done);
        } else if (http_db_failed(it->ctx, r)) {
            continue;
        } else if (row < rows && strtol(PQgetvalue(r->res, row, 0), NULL, 10) == n) {
            session_found(it->ctx, r->res, row++, 1);
        } else {
            session_missing(it->ctx);
        }
    }
    check_batch_free(b);
    check_run();
}

/* Queues ctx's session check (params: session_stmt's) behind this loop's
 * batch in the database, or sends it at once when none is. */
static void check_add(http_ctx *ctx, const char **params)
{
    check_item *it = http_ctx_alloc(ctx, sizeof *it);

    it->ctx = ctx;
    it->params = params;
    if (checks.tail != NULL)
        checks.tail->next = it;
    else
        checks.head = it;
    checks.tail = it;
    check_run();
}

/* ---- the session check pipelined with the route's prefetch ---- */

typedef struct guard_pipe {
    http_ctx *ctx;
    const char **params;   /* the session check's */
    enum db_status status; /* the session check's outcome, kept until the prefetch's */
    PGresult *res;         /* owned until handed to session_done */
    char sqlstate[6];
} guard_pipe;

/* The session check's result: kept until the prefetch's has arrived. */
static void pipe_session_done(void *arg, db_result *r)
{
    guard_pipe *g = arg;

    g->status = r->status;
    g->res = db_result_take(r);
    snprintf(g->sqlstate, sizeof g->sqlstate, "%s", r->sqlstate);
}

/* The prefetch's result (always after the session check's): handed to the
 * route, then the guard goes on with the session check's as usual. A lost
 * connection sends the session check again on its own, through the path
 * that retries reads (http_db_query). */
static void pipe_prefetch_done(void *arg, db_result *r)
{
    guard_pipe *g = arg;
    http_ctx *ctx = g->ctx;
    db_result s = {g->status, g->res, g->sqlstate};

    ctx->route->prefetch->done(ctx, r);
    if (s.status == DB_ERR_UNAVAILABLE) {
        if (s.res != NULL)
            PQclear(s.res);
        http_db_query(ctx, &session_stmt, g->params, session_done); /* a refusal sends 503 */
        return;
    }
    session_done(ctx, &s);
    if (s.res != NULL)
        PQclear(s.res);
}

/* Sends the session check and the route's prefetch in one round trip;
 * false when the route has none (or declines): then the caller sends the
 * session check alone. */
static bool guard_pipeline(http_ctx *ctx, const char **params)
{
    const http_prefetch *pf = ctx->route->prefetch;
    guard_pipe *g;
    const char **values;
    int rc;

    if (pf == NULL)
        return false;
    values = http_ctx_alloc(ctx, (size_t)pf->stmt->nparams * sizeof *values);
    if (!pf->params(ctx, ctx->user.token_hash, values))
        return false;
    g = http_ctx_alloc(ctx, sizeof *g);
    g->ctx = ctx;
    g->params = params;
    rc = db_query_pipeline(guard_of(ctx)->db,
                           (db_pipe_item[]){{&session_stmt, params, pipe_session_done, g},
                                            {pf->stmt, values, pipe_prefetch_done, g}},
                           2);
    if (rc != 0)
        http_reply_db_error(
            ctx, &(db_result){rc == DB_REFUSED_FULL ? DB_ERR_BUSY : DB_ERR_UNAVAILABLE, NULL, ""});
    return true;
}

static void guard_check(const http_guard *self, http_ctx *ctx, void (*next)(http_ctx *ctx))
{
    const auth_guard *g = (const auth_guard *)self;
    enum auth_access access = (enum auth_access)ctx->route->access;
    char token[AUTH_TOKEN_CHARS + 2];
    const char **params;

    ctx->next = next;
    if (http_method_unsafe(ctx) && !origin_ok(g, ctx)) {
        http_reply_error(ctx, 403, "bad_origin", "cross-site requests are refused");
        return;
    }
    if (access == AUTH_NONE) {
        next(ctx);
        return;
    }
    if (!find_token(ctx, token)) {
        if (access == AUTH_OPTIONAL) {
            ctx->user.via_cookie = false;
            next(ctx);
        } else {
            reply_unauthenticated(ctx);
        }
        return;
    }
    auth_token_hash(token, ctx->user.token_hash);
    if (sesscache_get(g->sessions, ctx->user.token_hash, &ctx->user)) {
        guard_decide(ctx);
        return;
    }
    ctx->user.cache_epoch = sesscache_epoch(g->sessions);
    params = http_ctx_alloc(ctx, 2 * sizeof *params);
    params[0] = ctx->user.token_hash;
    params[1] = http_ctx_alloc(ctx, 16);
    snprintf((char *)params[1], 16, "%d", auth_idle_s(g->cfg));
    if (guard_pipeline(ctx, params))
        return;
    check_add(ctx, params);
}

void auth_guard_init(auth_guard *g, const sinau_config *cfg, struct sesscache *sessions,
                     db_pool *db)
{
    *g = (auth_guard){.base = {.check = guard_check}, .cfg = cfg, .sessions = sessions, .db = db};
}
