/* auth.h — who is asking and what they may do: sessions, the route guard,
 * cookies and CSRF, and password policy and hashing.
 *
 * The guard is the one authorization mechanism every handler goes through:
 * a route declares its access level in its table row (http_route.access);
 * before the handler runs, the guard resolves the caller from the bearer
 * token or the session cookie (one database round trip, so any instance
 * can check any session), fills ctx->user, enforces the level (401/403),
 * and for cookie-authenticated unsafe requests requires the CSRF token and a
 * same-origin Origin. Object-level rules (a cohort's instructor, the owner of
 * a submission) are then scoped in each handler's SQL by ctx->user.id. */
#ifndef SINAU_AUTH_H
#define SINAU_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sinau/common.h"
#include "sinau/config.h"
#include "sinau/http_user.h"

struct http_ctx;

/* Session lifetimes and login throttling (seconds / counts). */
#define AUTH_THROTTLE_WINDOW_S    900
#define AUTH_THROTTLE_PER_ACCOUNT 5
/* per client address: SINAU_LOGIN_PER_ADDRESS (cfg->login_per_address) */
#define AUTH_COOKIE "sinau_session"

/* ---- tokens and cookies (pure; any thread) ---- */

/* Fills out with 32 random bytes as unpadded base64url (AUTH_TOKEN_CHARS + NUL). */
void auth_token_new(char out[AUTH_TOKEN_CHARS + 1]);

/* BLAKE2b-256 of a token, as 64 lowercase hex chars + NUL. */
void auth_token_hash(const char *token, char out[AUTH_HASH_HEX]);

/* Finds cookie `name` in a Cookie header value; copies its value into out.
 * Returns 0, or -1 when absent, empty or longer than outlen - 1. */
SINAU_MUST_CHECK int auth_cookie_get(const char *header, const char *name, char *out,
                                     size_t outlen);

/* True when a and b are equal, in time independent of where they differ. */
bool auth_secret_equal(const char *a, const char *b);

/* Parses a role name; AUTH_ROLE_NONE when unknown. */
enum auth_role auth_role_parse(const char *s);
const char *auth_role_name(enum auth_role r);

/* ---- the guard (loop thread) ---- */

/* Runs ctx->route's access policy, then next(ctx) — or replies 401/403/503
 * itself. With AUTH_NONE it calls next at once. */
void auth_guard(struct http_ctx *ctx, void (*next)(struct http_ctx *ctx));

/* Session idle and absolute lifetimes in seconds, from the configuration. */
int auth_idle_s(const sinau_config *cfg);
int auth_absolute_s(const sinau_config *cfg);

/* ---- passwords ---- */

enum auth_pw_verdict { AUTH_PW_OK = 0, AUTH_PW_TOO_SHORT, AUTH_PW_TOO_LONG, AUTH_PW_COMMON };

/* Policy: 10..256 bytes, not among the most common passwords. */
enum auth_pw_verdict auth_password_check(const char *pw);

/* Hashes with crypto_pwhash_str at the configured cost. Blocking and CPU
 * heavy (~0.1 s at `interactive`): worker threads and the CLI only.
 * Returns 0 or -1 (out of memory). */
SINAU_MUST_CHECK int auth_password_hash(enum pwhash_cost cost, const char *pw, char out[128]);

/* Verifies pw against a stored hash; *rehash set when the hash's cost is
 * below the configured one. Blocking (worker threads and the CLI only). */
bool auth_password_verify(enum pwhash_cost cost, const char *hash, const char *pw, bool *rehash);

/* A hash of a random password at the configured cost, made once at start:
 * logins for unknown e-mails verify against it, so they take as long as
 * real ones. Not thread-safe to call concurrently with itself; call before
 * the loops start. */
SINAU_MUST_CHECK int auth_dummy_hash_init(enum pwhash_cost cost);
const char *auth_dummy_hash(void);

#endif /* SINAU_AUTH_H */
