/* http/router.h — maps (method, path) to a route from static tables.
 *
 * Patterns are absolute paths of literal segments and `{name}` parameter
 * segments: "/api/v1/cohorts/{id}/lessons/{lesson_id}". Matching is exact
 * (no trailing-slash folding, no prefix matches); a literal segment wins over
 * a parameter at the same depth. A GET route also answers HEAD. Pure code:
 * no libevent, no I/O, so it is unit-tested and fuzzed on its own. A router
 * is built once at start-up and then only read, so any thread may match. */
#ifndef SINAU_HTTP_ROUTER_H
#define SINAU_HTTP_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "sinau/core/common.h"

#define ROUTER_MAX_PARAMS   4
#define ROUTER_MAX_SEGMENTS 16

/* Method bits, one per method the server knows (router_method_parse). */
enum router_method {
    ROUTER_GET = 1 << 0,
    ROUTER_POST = 1 << 1,
    ROUTER_HEAD = 1 << 2,
    ROUTER_PUT = 1 << 3,
    ROUTER_DELETE = 1 << 4,
    ROUTER_OPTIONS = 1 << 5,
    ROUTER_TRACE = 1 << 6,
    ROUTER_CONNECT = 1 << 7,
    ROUTER_PATCH = 1 << 8,
};

struct http_ctx;
typedef void (*http_handler_fn)(struct http_ctx *ctx);

struct db_stmt;
struct db_result;

/* A route's statement that the guard may send in the same round trip as the
 * session check when the session cache misses (db pipeline mode, issue 17),
 * for a handler whose statement needs only the request and the session's
 * token hash: `params` fills values[0..stmt->nparams) in ctx memory (the
 * hash is given; false: not this time), `done` gets the result (arg: the
 * ctx) before the guard decides; the handler then finds what done kept. */
typedef struct http_prefetch {
    const struct db_stmt *stmt;
    bool (*params)(struct http_ctx *ctx, const char *token_hash, const char **values);
    void (*done)(void *ctx, struct db_result *r);
} http_prefetch;

/* One row of a module's route table. Tables are static const arrays; the
 * router borrows the rows, which must outlive it. */
typedef struct http_route {
    unsigned methods;        /* ROUTER_* bits this row serves */
    const char *pattern;     /* see above */
    http_handler_fn handler; /* called on the loop thread */
    size_t max_body;         /* body limit for this route; 0: the configured default */
    const char *name;        /* metrics/log label; NULL: the pattern */
    const char *summary;     /* one line for the OpenAPI document; NULL: none */
    unsigned access;         /* who may call: an enum auth_access level (http_user.h);
                                0 (AUTH_NONE) = anyone, no session lookup */
    /* Optional (NULL: none): runs after the guard, on the head alone, before
     * any body byte is read (an upload refused 404 without taking its
     * bytes); it replies to refuse, or calls http_proceed(ctx) to read the
     * body and run the handler. */
    http_handler_fn check_head;
    /* The handler's own data, read through ctx->route (NULL: none): the
     * api_call of a thin route served by api_call_route (api.h). */
    const void *data;
    /* Optional (NULL: none): see http_prefetch. */
    const http_prefetch *prefetch;
} http_route;

typedef struct router router;

typedef struct router_param {
    const char *name; /* borrowed from the pattern, not NUL-terminated at name_len */
    size_t name_len;
    const char *value; /* borrowed from the matched path, still percent-encoded */
    size_t value_len;
} router_param;

typedef struct router_match {
    const http_route *route; /* set when ROUTER_FOUND */
    unsigned index;          /* its 1-based position in router_routes (0: none) */
    unsigned allowed;        /* methods of every route on this path (for Allow) */
    int nparams;
    router_param params[ROUTER_MAX_PARAMS];
} router_match;

enum router_result { ROUTER_FOUND = 0, ROUTER_NOT_FOUND, ROUTER_METHOD_NOT_ALLOWED };

/* Returns an owned, empty router (free with router_free). */
router *router_new(void);

/* Frees the router (not the borrowed rows). NULL-safe. */
void router_free(router *r);

/* Adds a borrowed row. Returns 0, or -1 when the pattern is malformed (not
 * starting with '/', empty or unterminated `{}`, more than ROUTER_MAX_PARAMS
 * parameters or ROUTER_MAX_SEGMENTS segments) or when the same pattern shape
 * already serves one of the row's methods. */
SINAU_MUST_CHECK int router_add(router *r, const http_route *route);

/* Adds every row of a table; returns 0 or -1 at the first failing row. */
SINAU_MUST_CHECK int router_add_table(router *r, const http_route *rows, size_t n);

/* Matches path (the request path without query string, NUL-terminated) for
 * method (one ROUTER_* bit). Fills *m (params point into path). Paths longer
 * than 2048 bytes, or with more segments than any route, do not match. */
enum router_result router_match_path(const router *r, unsigned method, const char *path,
                                     router_match *m);

/* The method whose name is s[0..n) (case-sensitive, as RFC 9110 has it):
 * one ROUTER_* bit, or 0 for a method we do not know. */
unsigned router_method_parse(const char *s, size_t n);

/* The name of one ROUTER_* bit ("GET"), or NULL for anything else. */
const char *router_method_name(unsigned bit);

/* Writes the Allow header value for a method set ("GET, HEAD, POST") into
 * buf (always NUL-terminated). Returns buf. */
char *router_allow_header(unsigned methods, char *buf, size_t buflen);

/* Every route added so far, in insertion order (for the OpenAPI document and
 * metrics labels). *n receives the count; the array is borrowed. */
const http_route *const *router_routes(const router *r, size_t *n);

#endif /* SINAU_HTTP_ROUTER_H */
