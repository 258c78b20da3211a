/* api/recovery.h — one-time links (server/api/recovery.c): the secret a
 * password-reset or e-mail-verification message carries, for the routes
 * that send one (recovery.c, auth.c at signup). Loop thread. */
#ifndef SINAU_API_RECOVERY_H
#define SINAU_API_RECOVERY_H

#include "sinau/core/common.h"

struct http_ctx;

/* A new one-time link for a message row: a fresh token, of which out[0]
 * gets the hash (what the database keeps), out[1] the token encrypted for
 * the row (outbox.secret_enc, bound to the hash) and out[2] ttl_s as text
 * — statement parameters in ctx memory; the token itself is wiped. Returns
 * 0, or replies 500 internal_error and returns -1. Loop thread. */
SINAU_MUST_CHECK int api_link_params(struct http_ctx *ctx, int ttl_s, const char **out);

/* How long an e-mail verification link lives, in seconds. */
int api_verify_ttl_s(void);

#endif /* SINAU_API_RECOVERY_H */
