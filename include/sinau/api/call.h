/* api/call.h — thin routes as data (server/api/call.c): a route whose whole
 * work is one SQL function is an api_call in its row, served by
 * api_call_route; api_reply_sql is the one decoder of the SQL convention's
 * answers (sql/functions/core.sql). Loop thread unless said otherwise. */
#ifndef SINAU_API_CALL_H
#define SINAU_API_CALL_H

#include <jansson.h>
#include <stdbool.h>

#include "sinau/db/pool.h"

struct http_ctx;

/* The statement (named name) of a call of a function that answers the SQL
 * convention's {status, body} (sql/functions/core.sql), call being
 * "fn($1, $2::jsonb)": the two parts come back as two columns, which
 * api_reply_sql decodes. A db_stmt initialiser. */
// clang-format off
#define API_STATUS_STMT(name, call, n) \
    {name, "select (r->>'status')::int, r->'body' from " call " r", n}
// clang-format on

/* Where one statement parameter of a thin route comes from. */
enum api_src {
    API_SRC_PATH = 1,   /* the path parameter `name`; undecodable: 404 "no such <what>" */
    API_SRC_BODY,       /* the JSON object body as text (api_call.check may refuse members) */
    API_SRC_MEMBER,     /* the body's member `name`: a string as it is, a number or a boolean
                           as its JSON text (the SQL casts); NULL when absent or null */
    API_SRC_CALLER,     /* the caller's user id (NULL when not signed in) */
    API_SRC_ROLE,       /* the caller's role name (NULL when not signed in) */
    API_SRC_PUBLIC_URL, /* the configured public URL (links in credentials) */
    API_SRC_PEER,       /* the client's address (audit entries) */
};

typedef struct api_arg {
    enum api_src src;
    const char *name; /* API_SRC_PATH, API_SRC_MEMBER */
} api_arg;

// clang-format off
#define API_ARG_PATH(n)    {API_SRC_PATH, n}
#define API_ARG_MEMBER(n)  {API_SRC_MEMBER, n}
#define API_ARG_BODY       {API_SRC_BODY, NULL}
#define API_ARG_CALLER     {API_SRC_CALLER, NULL}
#define API_ARG_ROLE       {API_SRC_ROLE, NULL}
#define API_ARG_PUBLIC_URL {API_SRC_PUBLIC_URL, NULL}
#define API_ARG_PEER       {API_SRC_PEER, NULL}
// clang-format on

#define API_CALL_MAX_ARGS 8

/* How a thin route's result answers (api_reply_sql). */
enum api_reply_kind {
    API_REPLY_STATUS = 0, /* the function decides: {status, body} (API_STATUS_STMT) */
    API_REPLY_JSON,       /* one JSON column: 200 with it; no row or null: 404 */
    API_REPLY_CREATED,    /* the same, 201 */
};

/* A thin route: one SQL function whose parameters come from the request
 * and whose result is the reply. Declared in a route row's .data with
 * .handler = api_call_route; static, read by any loop thread. */
typedef struct api_call {
    db_stmt stmt; /* stmt.nparams parameters, from args in order */
    api_arg args[API_CALL_MAX_ARGS];
    enum api_reply_kind reply;
    bool read;        /* a standby may answer (http_db_read) */
    const char *what; /* names what a missing path parameter is: "no such <what>" */
    /* for API_SRC_BODY and API_SRC_MEMBER: refuses members (replies,
     * returns nonzero) in place of the declared schema, for a function
     * whose refusals of members have codes of their own; NULL: the
     * route's declared request schema decides (api_request_schema) */
    int (*check)(struct http_ctx *ctx, json_t *body);
    bool body_optional; /* an empty body is {}: the route's request_optional */
    /* the statement's completion when the answer waits for one more step
     * (a revocation re-signs the status list first); NULL: api_reply_sql
     * answers as reply says */
    db_done_fn done;
} api_call;

/* The generic handler of thin routes: checks a body against the route's
 * declared schema (api_request_schema: 422 unknown_field/invalid_field
 * with details.field, as http_unpack) or its check, gathers ctx->route's api_call
 * parameters, runs its statement and answers with api_reply_sql. Loop thread. */
void api_call_route(struct http_ctx *ctx);

/* The one decoder of SQL answers (sql/functions/core.sql's convention):
 * a refused statement answers as its error says (a raised sinau_raise
 * carries the {status, body} in its DETAIL; other failures as
 * http_reply_db_error); a result answers as kind says. Loop thread. */
void api_reply_sql(struct http_ctx *ctx, db_result *r, enum api_reply_kind kind);

#endif /* SINAU_API_CALL_H */
