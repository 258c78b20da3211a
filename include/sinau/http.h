/* http.h — the request context and the single reply path, as handlers see
 * them.
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
#ifndef SINAU_HTTP_H
#define SINAU_HTTP_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sinau/common.h"
#include "sinau/db.h"
#include "sinau/http_user.h"
#include "sinau/router.h"

struct sinau_loop;

typedef struct http_ctx {
    struct http_ctx *live_prev, *live_next; /* the loop's requests in flight */
    struct sinau_loop *loop; /* owning loop: db pool, config, workers (opaque to http) */
    const http_route *route; /* NULL for static files and misses */
    router_match match;      /* path parameters (raw) */
    const char *path;        /* request path without query (owned by ctx) */
    unsigned method;         /* one ROUTER_* bit */
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

/* For a route's check_head (router.h): the head is accepted, so read the
 * body (sending 100 Continue when the client waits for it), then run the
 * route's handler. */
void http_proceed(http_ctx *ctx);

/* Runs run(job) on a worker thread, then done(ctx, job) back on this loop.
 * job is the handler's (usually ctx memory, or owned through http_own) and
 * holds copies of every input run needs: run never sees the request, and
 * must not reply, query, log the request or touch the loop. Nothing
 * happens to the request meanwhile. On a full pool replies 503 `busy`
 * with Retry-After instead (what the job owned through http_own is freed
 * by that reply): either way the caller just returns. */
void http_work(http_ctx *ctx, void *job, void (*run)(void *job),
               void (*done)(http_ctx *ctx, void *job));

/* ---- replies: each one sends, logs, counts and frees ctx ---- */

/* Adds a response header (copied) before the reply. Content-Type replaces
 * the reply's type; `Connection: close` closes the connection after it;
 * Content-Length is the server's own (ignored). */
void http_add_header(http_ctx *ctx, const char *name, const char *value);

/* Sends a JSON value (takes the reference). */
void http_reply_json(http_ctx *ctx, int status, json_t *body);

/* Sends JSON text built elsewhere (copied). */
void http_reply_json_text(http_ctx *ctx, int status, const char *json, size_t len);

/* Sends the text of a result's field (row, col) as the JSON body without
 * copying or re-parsing it; takes the result (freed once sent). A NULL
 * field is sent as `null`. */
void http_reply_pg_json(http_ctx *ctx, int status, PGresult *res, int row, int col);

/* Sends bytes with a content type (copied). */
void http_reply_bytes(http_ctx *ctx, int status, const char *content_type, const void *data,
                      size_t len);

/* Sends borrowed bytes that outlive the request (static data); no copy. */
void http_reply_static(http_ctx *ctx, int status, const char *content_type, const void *data,
                       size_t len);

/* Sends a status with no body (204, 304, 405 …). */
void http_reply_empty(http_ctx *ctx, int status);

/* Sends the API error format {"error":{"code","message"[,"details"]}};
 * details may be NULL (taken otherwise). message must not echo personal data. */
void http_reply_error(http_ctx *ctx, int status, const char *code, const char *message);
void http_reply_error_details(http_ctx *ctx, int status, const char *code, const char *message,
                              json_t *details);

/* Maps a failed database result to 503 db_busy / db_unavailable / db_timeout
 * (with Retry-After) or 500 internal_error (logged with the SQLSTATE). */
void http_reply_db_error(http_ctx *ctx, const db_result *r);

/* Runs a statement on this loop's pool, which follows the primary: cb runs
 * later, or on refusal 503 (db_busy or db_unavailable, Retry-After) has
 * been replied instead. Either way the handler just returns. values are
 * borrowed until cb (keep them in ctx memory). For a read request (GET,
 * HEAD) a statement whose connection was lost runs again with backoff
 * until the queue timeout (then cb sees DB_ERR_UNAVAILABLE); nothing else
 * is ever run twice. */
void http_db_query(http_ctx *ctx, const db_stmt *stmt, const char *const *values, db_done_fn cb);

/* http_db_query for a read that a standby may answer: on the read pool
 * (SINAU_DATABASE_READ_URL) when there is one, within its staleness bound
 * (SINAU_READ_MAX_LAG_MS), else — and whenever the standby cannot answer in
 * time — on the primary. Only for statements that neither write nor decide
 * (the read pool's sessions are read-only: a write fails there). */
void http_db_read(http_ctx *ctx, const db_stmt *stmt, const char *const *values, db_done_fn cb);

/* http_db_query for a statement that honours the request's Idempotency-Key
 * (run again with the same key, it answers what the first run answered):
 * when the request carries a key, a lost connection runs it again too. */
void http_db_query_keyed(http_ctx *ctx, const db_stmt *stmt, const char *const *values,
                         db_done_fn cb);

/* For a keyed statement that ran elsewhere (a batch) and lost its
 * connection: runs it again as http_db_query_keyed would after a lost
 * connection (with backoff, counted as a retry, within the queue timeout)
 * when the request carries an Idempotency-Key; else, or when there is no
 * time left, cb sees DB_ERR_UNAVAILABLE. */
void http_db_rerun_keyed(http_ctx *ctx, const db_stmt *stmt, const char *const *values,
                         db_done_fn cb);

/* http_db_query with per-parameter lengths and formats (1 = binary), for
 * uploads; all borrowed until cb. */
void http_db_query_params(http_ctx *ctx, const db_stmt *stmt, const char *const *values,
                          const int *lengths, const int *formats, db_done_fn cb);

#endif /* SINAU_HTTP_H */
