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

/* The read path: plain SQL (cheaper than a PL/pgSQL call), one row when the
 * session is live. `stale` says last_seen_at is due a touch, which is then
 * sent on its own without waiting (rare: once a minute per session);
 * `left_s` is the time to the absolute expiry, which bounds how long the
 * session cache may keep the answer. */
static const db_stmt session_stmt = {
    "auth_session_check",
    "select s.user_id, u.role, s.csrf_token,"
    " s.last_seen_at < now() - least(interval '60 seconds', make_interval(secs => $2::int / 4.0)) "
    "as stale, floor(extract(epoch from s.expires_at - now()))::int as left_s"
    " from sessions s join users u on u.id = s.user_id"
    " where s.token_hash = $1 and s.revoked_at is null and s.expires_at > now()"
    " and s.last_seen_at > now() - make_interval(secs => $2::int) and u.status = 'active'",
    2};

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

static void session_done(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    const auth_guard *g = guard_of(ctx);
    PGresult *res = r->res;

    if (http_db_failed(ctx, r))
        return;
    if (PQntuples(res) != 1) {
        if (ctx->route->access == AUTH_OPTIONAL) {
            memset(&ctx->user, 0, sizeof ctx->user);
            ctx->next(ctx);
        } else {
            reply_unauthenticated(ctx);
        }
        return;
    }
    ctx->user.signed_in = true;
    snprintf(ctx->user.id, sizeof ctx->user.id, "%s", PQgetvalue(res, 0, 0));
    ctx->user.role = auth_role_parse(PQgetvalue(res, 0, 1));
    snprintf(ctx->user.csrf, sizeof ctx->user.csrf, "%s", PQgetvalue(res, 0, 2));
    if (PQgetvalue(res, 0, 3)[0] == 't')
        session_touch(g, ctx);
    sesscache_put(g->sessions, ctx->user.cache_epoch, &ctx->user,
                  cache_ttl_s(g->cfg, PQgetvalue(res, 0, 4)));
    guard_decide(ctx);
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
    http_db_query(ctx, &session_stmt, params, session_done);
}

void auth_guard_init(auth_guard *g, const sinau_config *cfg, struct sesscache *sessions,
                     db_pool *db)
{
    *g = (auth_guard){.base = {.check = guard_check}, .cfg = cfg, .sessions = sessions, .db = db};
}
