/* auth/guard.h — who is asking and what they may do: the route guard
 * (server/auth/guard.c).
 *
 * The guard is the one authorization mechanism every handler goes through:
 * a route declares its access level in its table row (http_route.access);
 * before the handler runs, the guard resolves the caller from the bearer
 * token or the session cookie (one database round trip, so any instance
 * can check any session), fills ctx->user, enforces the level (401/403),
 * and for cookie-authenticated unsafe requests requires the CSRF token and a
 * same-origin Origin. Object-level rules (a cohort's instructor, the owner of
 * a submission) are then scoped in each handler's SQL by ctx->user.id. */
#ifndef SINAU_AUTH_GUARD_H
#define SINAU_AUTH_GUARD_H

#include "sinau/core/config.h"
#include "sinau/db/pool.h"
#include "sinau/http/loop.h"

struct sesscache;

/* One loop's guard: the http layer's http_guard (first, so the http layer
 * holds it as one) and what the guard needs from the composition root.
 * Everything borrowed, alive as long as the loop's HTTP server. */
typedef struct auth_guard {
    http_guard base;            /* check: the route's access policy, then next(ctx) */
    const sinau_config *cfg;    /* the public URL (same-origin), session lifetimes */
    struct sesscache *sessions; /* checked sessions (sesscache.h), or NULL when off */
    db_pool *db;                /* the loop's pool, for touches that outlive the request */
} auth_guard;

/* Fills *g for one loop. base.check runs ctx->route's access policy, then
 * next(ctx) — or replies 401/403/503 itself; with AUTH_NONE it calls next
 * at once. Main thread, before the loop runs. */
void auth_guard_init(auth_guard *g, const sinau_config *cfg, struct sesscache *sessions,
                     db_pool *db);

/* Session idle and absolute lifetimes in seconds, from the configuration. */
int auth_idle_s(const sinau_config *cfg);
int auth_absolute_s(const sinau_config *cfg);

#endif /* SINAU_AUTH_GUARD_H */
