/* api/auth.h — accounts as server/api/auth.c makes them, for the other
 * account routes (users.c, me.c, recovery.c): the fields every account
 * needs, the password policy, and creating one. Loop thread. */
#ifndef SINAU_API_AUTH_H
#define SINAU_API_AUTH_H

#include <stdbool.h>

#include "sinau/core/common.h"
#include "sinau/core/config.h"

struct http_ctx;

/* The body limit of the account routes that anyone may call (signup,
 * login): their JSON is a few short strings, and it is parsed on the loop
 * thread, so nothing near SINAU_MAX_BODY is read (413 from the head). */
#define API_AUTH_BODY_MAX (4u * 1024u)

/* Checks the fields every new account needs (e-mail, password policy,
 * name). Returns 0, or replies 422 and returns -1. */
SINAU_MUST_CHECK int api_account_fields_check(struct http_ctx *ctx, const char *email,
                                              const char *password, const char *full_name);

/* A person's full name: 1..200 bytes of valid UTF-8 without control
 * characters (server/api/auth.c). */
bool api_name_ok(const char *s);

/* Creates an account with checked fields: the password is hashed on the
 * worker pool, the row inserted and 201 {user} (or 409 email_taken) sent.
 * The strings must live in ctx memory or the ctx's parsed body.
 * actor_id (may be NULL) is the admin creating it. */
void api_account_create(struct http_ctx *ctx, const char *email, const char *password,
                        const char *full_name, const char *role, const char *actor_id);

/* The password policy (auth_password_check): 0, or replies 422
 * weak_password with its reason and returns -1. */
SINAU_MUST_CHECK int api_password_policy(struct http_ctx *ctx, const char *password);

/* Replies 429 too_many_attempts with Retry-After: wait_s seconds (a
 * throttle of logins, signups, resets or password changes). */
void api_reply_throttled(struct http_ctx *ctx, long long wait_s, const char *message);

/* A new password on its way to the database (an account, a reset, a
 * change): taken on the loop (api_pwhash_take), hashed on the worker pool
 * (api_pwhash_run, the http_work job being this struct, a member of the
 * handler's job), read back on the loop (api_pwhash_made). */
typedef struct api_pwhash {
    char *password; /* ctx memory; wiped once hashed */
    enum pwhash_cost cost;
    int rc;
    char hash[128];
} api_pwhash;

/* Copies password (checked by the policy already) into h, in ctx memory,
 * with the configured cost. Loop thread. */
void api_pwhash_take(struct http_ctx *ctx, api_pwhash *h, const char *password);

/* Worker thread, as http_work's run (job: an api_pwhash): the argon2id
 * hash of h->password into h->hash (h->rc 0 when made); the password is
 * wiped either way. */
void api_pwhash_run(void *job);

/* True when h's hash was made; else replies 500 internal_error and returns
 * false. Loop thread. */
bool api_pwhash_made(struct http_ctx *ctx, const api_pwhash *h);

#endif /* SINAU_API_AUTH_H */
