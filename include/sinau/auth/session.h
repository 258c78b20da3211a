/* auth/session.h — session tokens, cookies and roles (server/auth/session.c):
 * pure functions, any thread. */
#ifndef SINAU_AUTH_SESSION_H
#define SINAU_AUTH_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "sinau/core/common.h"
#include "sinau/http/user.h"

/* Session lifetimes and login throttling (seconds / counts). */
#define AUTH_THROTTLE_WINDOW_S    900
#define AUTH_THROTTLE_PER_ACCOUNT 5
/* per client address: SINAU_LOGIN_PER_ADDRESS (cfg->login_per_address) */
#define AUTH_COOKIE "sinau_session"

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

#endif /* SINAU_AUTH_SESSION_H */
