/* api/auth.h — accounts as server/api/auth.c makes them, for the other
 * account routes (users.c, me.c, recovery.c): the fields every account
 * needs, the password policy, and creating one. Loop thread. */
#ifndef SINAU_API_AUTH_H
#define SINAU_API_AUTH_H

#include <stdbool.h>

#include "sinau/core/common.h"

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

#endif /* SINAU_API_AUTH_H */
