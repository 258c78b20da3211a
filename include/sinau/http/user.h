/* http/user.h — who a request comes from, and whom a route admits: the
 * caller as the route guard (auth/guard.c) fills it in on the request and
 * handlers read it (ctx->user), and the access levels route tables declare.
 * Defined here, with the request, so that the http layer needs nothing from
 * the layers above it; auth.h says how they are decided. Plain data. */
#ifndef SINAU_HTTP_USER_H
#define SINAU_HTTP_USER_H

#include <stdbool.h>
#include <stdint.h>

/* Who may call a route (http_route.access); the guard enforces it. */
enum auth_access {
    AUTH_NONE = 0,  /* anyone; no session lookup */
    AUTH_OPTIONAL,  /* anyone; the caller is resolved when credentials come */
    AUTH_SIGNED_IN, /* any active account */
    AUTH_STAFF,     /* instructors and admins */
    AUTH_ADMIN,     /* admins */
};

enum auth_role { AUTH_ROLE_NONE = 0, AUTH_ROLE_PARTICIPANT, AUTH_ROLE_INSTRUCTOR, AUTH_ROLE_ADMIN };

#define AUTH_TOKEN_CHARS 43 /* 32 random bytes in unpadded base64url */
#define AUTH_HASH_HEX    65 /* 64 hex chars + NUL */
#define AUTH_ID_MAX      40

/* The caller of a request, once the guard has run (zeroed before). */
typedef struct auth_user {
    bool signed_in;
    bool via_cookie; /* credentials came from the cookie (CSRF applies) */
    enum auth_role role;
    char id[AUTH_ID_MAX];
    char csrf[AUTH_TOKEN_CHARS + 1];
    char token_hash[AUTH_HASH_HEX];
    uint64_t cache_epoch; /* sesscache epoch when the session query was sent */
} auth_user;

#endif /* SINAU_HTTP_USER_H */
