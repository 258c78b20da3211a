/* http/ctx.h — the request context and its inputs (server/http/ctx.c), as
 * handlers see them; the reply (http/reply.h) ends it.
 *
 * Every request gets one http_ctx, created by the http layer when its head
 * has arrived and freed by the reply: every http_reply_* function sends the
 * response, writes the access-log line, counts metrics and frees the ctx, so
 * after calling one the handler must not touch ctx again. Each request gets
 * exactly one reply (a second one is a bug caught by an assert that stays on
 * in every build); a request whose client went away is still replied to
 * (nothing is sent then; the reply just frees it).
 *
 * Before a route's handler runs, the guard has run on the request head and
 * the body has been read (within the route's limit): a route with check_head
 * (router.h) gets to refuse from the head first, before any body byte is
 * read.
 *
 * The ctx owns request memory: http_ctx_alloc/http_ctx_strdup, the head's
 * headers and the parsed body live until the reply. Thread: the owning loop
 * thread only. */
#ifndef SINAU_HTTP_CTX_H
#define SINAU_HTTP_CTX_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sinau/core/common.h"
#include "sinau/db/pool.h"
#include "sinau/http/router.h"
#include "sinau/http/user.h"

struct http_guard;

typedef struct http_ctx {
    /* What the composition root hands this loop's handlers
     * (http_loop_opts.services; the api layer's api_services). Never read
     * by the http layer. */
    void *services;
    const struct http_guard *guard; /* the loop's route guard, for its continuations */
    const http_route *route;        /* NULL for static files and misses */
    router_match match;             /* path parameters (raw) */
    const char *path;               /* request path without query (owned by ctx) */
    unsigned method;                /* one ROUTER_* bit */
    char request_id[48];
    int64_t started_ns; /* monotonic, when the head was complete */
    bool replied;
    auth_user user;                     /* the caller, once the guard has run */
    void (*next)(struct http_ctx *ctx); /* the guard's continuation */
    void *state; /* the handler's own typed struct (ctx memory), or NULL; never a flag */
} http_ctx;

/* ---- request memory and inputs ---- */

/* Zeroed memory owned by ctx (never NULL; freed with the ctx). */
void *http_ctx_alloc(http_ctx *ctx, size_t n);

/* Copy of s[0..n) NUL-terminated, owned by ctx. */
char *http_ctx_strndup(http_ctx *ctx, const char *s, size_t n);

/* Path parameter `name`, percent-decoded, owned by ctx. NULL when absent or
 * when it decodes to something with a NUL or a '/' (treat as not found). */
const char *http_param(http_ctx *ctx, const char *name);

/* Query-string argument `name` (decoded, owned by ctx) or NULL. */
const char *http_query(http_ctx *ctx, const char *name);

/* Field `name` (case-insensitive) of an application/x-www-form-urlencoded
 * text form[0..n), such as a request body: the first one's value, decoded
 * ('+' a space, %XX a byte) into ctx memory. NULL when there is none or
 * when the text is not a form (a part without '=' or with an empty key). */
const char *http_form_value(http_ctx *ctx, const char *form, size_t n, const char *name);

/* The first request header called name (case-insensitive), its value
 * trimmed of blanks (borrowed, valid until the reply), or NULL. */
const char *http_header(http_ctx *ctx, const char *name);

/* The client's address as text, owned by ctx: the connection's peer (an
 * IPv4-mapped IPv6 address written as IPv4), or with SINAU_TRUST_PROXY the
 * last X-Forwarded-For entry (the one our proxy appended). "" when unknown. */
const char *http_peer(http_ctx *ctx);

/* Whom the client counts as for per-client budgets (http_clients.h): its
 * IPv4 address, or its IPv6 /64 ("2001:db8:1:2::/64"); owned by ctx. */
const char *http_peer_key(http_ctx *ctx);

/* True when the connection itself comes from a loopback address (the
 * socket's peer, never X-Forwarded-For). */
bool http_peer_loopback(http_ctx *ctx);

/* The token of an `Authorization: Bearer <token>` header (the scheme in any
 * case, RFC 9110 11.1), borrowed like http_header; NULL when there is none
 * or it is empty. The one place bearer credentials are read. */
const char *http_bearer(http_ctx *ctx);

/* True for POST, PUT, DELETE and PATCH (the methods CSRF rules cover). */
bool http_method_unsafe(const http_ctx *ctx);

/* The raw request body, contiguous (valid until the request ends), and
 * its length in *len; the route's body limit has already been applied. */
const unsigned char *http_body(http_ctx *ctx, size_t *len);

/* Reads the body as a strict JSON object (jsonin.h rules; an empty body is an
 * empty object when allow_empty). On success *out is owned by ctx (on its
 * destructor list: do not decref) and 0 is returned. On failure the error reply has already been
 * sent (ctx is gone) and -1 is returned: the handler just returns. */
SINAU_MUST_CHECK int http_read_json(http_ctx *ctx, bool allow_empty, json_t **out);

/* Unpacks a JSON object with json_unpack_ex(JSON_STRICT) (unknown members
 * refused). Returns 0, or replies 422 (`unknown_field` or `invalid_field`,
 * the message naming the member, never its value, and details.field the
 * member when known: a missing or unknown one, or any of a flat object
 * format) and returns -1. */
SINAU_MUST_CHECK int http_unpack(http_ctx *ctx, json_t *obj, const char *fmt, ...);

/* Checks a JSON body against the schema that declares it (http/jschema.h;
 * both borrowed). Returns 0, or replies 422 as http_unpack does
 * (`unknown_field` for an undeclared member, `invalid_field` otherwise,
 * details.field the member) and returns -1. */
SINAU_MUST_CHECK int http_check_body(http_ctx *ctx, const json_t *schema, const json_t *body);

/* ---- what a handler holds: the destructor list ----
 *
 * Whatever a handler holds beyond ctx memory (a PGresult it took, a json_t,
 * a malloc'd PDF) it attaches to the request, and the request's end frees
 * it: fn(p) runs exactly once, newest first, after the reply is written
 * (so an owned buffer may be a reply's body) — on every reply, the error
 * replies of the "...OrReply" functions included, for a request whose
 * client went away, and for one still unanswered at exit. After attaching,
 * the handler never frees p itself, and never reads it after its reply.
 * Each returns p (NULL is accepted and attaches nothing). */
void *http_own(http_ctx *ctx, void *p, void (*fn)(void *p));

/* PQclear when the request ends. */
PGresult *http_own_pgresult(http_ctx *ctx, PGresult *res);

/* json_decref when the request ends (takes the reference). */
json_t *http_own_json(http_ctx *ctx, json_t *json);

/* free() when the request ends: xmalloc'd buffers. */
void *http_own_buf(http_ctx *ctx, void *buf);

/* PQfreemem when the request ends (PQunescapeBytea's, PQescape*'s). */
void *http_own_pqmem(http_ctx *ctx, void *mem);

/* A new empty evbuffer, freed when the request ends (out of memory aborts,
 * alloc.h). */
struct evbuffer;
struct evbuffer *http_own_evbuffer(http_ctx *ctx);

/* Runs run(job) on a worker thread, then done(ctx, job) back on this loop.
 * job is the handler's (usually ctx memory, or owned through http_own) and
 * holds copies of every input run needs: run never sees the request, and
 * must not reply, query, log the request or touch the loop. Nothing
 * happens to the request meanwhile. On a full pool replies 503 `busy`
 * with Retry-After instead (what the job owned through http_own is freed
 * by that reply): either way the caller just returns. */
void http_work(http_ctx *ctx, void *job, void (*run)(void *job),
               void (*done)(http_ctx *ctx, void *job));

#endif /* SINAU_HTTP_CTX_H */
