/* http/reply.h — the single reply path (server/http/reply.c): every
 * http_reply_* function sends the response, writes the access-log line,
 * counts metrics and frees the ctx, so after calling one the handler must
 * not touch ctx again. Loop thread. */
#ifndef SINAU_HTTP_REPLY_H
#define SINAU_HTTP_REPLY_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "sinau/db/pool.h"
#include "sinau/http/ctx.h"

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

/* For a database completion: false when r succeeded; otherwise answers as
 * http_reply_db_error and returns true (the completion just returns). */
SINAU_MUST_CHECK bool http_db_failed(http_ctx *ctx, const db_result *r);

/* For a completion that looks one thing up: true when r succeeded with a
 * row; otherwise answers (http_reply_db_error, or 404 not_found with
 * missing, e.g. "no such file") and returns false. */
SINAU_MUST_CHECK bool http_db_found(http_ctx *ctx, const db_result *r, const char *missing);

#endif /* SINAU_HTTP_REPLY_H */
