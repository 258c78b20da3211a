/* api/recovery.h — one-time links (server/api/recovery.c): the secret a
 * password-reset or e-mail-verification message carries, for the routes
 * that send one (recovery.c, auth.c at signup). Loop thread. */
#ifndef SINAU_API_RECOVERY_H
#define SINAU_API_RECOVERY_H

#include "sinau/auth/session.h"
#include "sinau/core/common.h"

struct http_ctx;

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

#endif /* SINAU_API_RECOVERY_H */
