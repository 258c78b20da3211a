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

struct http_ctx;

/* Runs ctx->route's access policy, then next(ctx) — or replies 401/403/503
 * itself. With AUTH_NONE it calls next at once. */
void auth_guard(struct http_ctx *ctx, void (*next)(struct http_ctx *ctx));

/* Session idle and absolute lifetimes in seconds, from the configuration. */
int auth_idle_s(const sinau_config *cfg);
int auth_absolute_s(const sinau_config *cfg);

#endif /* SINAU_AUTH_GUARD_H */
