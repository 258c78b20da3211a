/* reply.c — the single reply path (STYLE.md rule 4): every response leaves
 * through reply_send, which writes the head (status line, the loop's
 * preformatted Date, the common headers as static blocks, the handler's
 * own), hands head and body to the connection in one write, and ends the
 * request (access log, metrics, memory). Bodies are referenced, not copied:
 * static bytes and database results stay where they are until written. */
#include "sinau/http/reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "sinau/core/log.h"
#include "sinau/http/ctx.h"

/* Content-Security-Policy of every document (SECURITY.md "Headers"); the
 * frame-src list is the video embed origins the lesson reader uses. */
#define CSP                                                                                        \
    "default-src 'self'; object-src 'none'; base-uri 'none'; "                                     \
    "frame-ancestors 'none'; form-action 'self'; img-src 'self' data:; "                           \
    "frame-src https://www.youtube-nocookie.com https://www.tiktok.com"

/* Browser-facing headers go on documents (HTML, SVG, anything not plain
 * data); JSON, plain text, CSS and JavaScript cannot be rendered as a page
 * under nosniff, so they carry only the essentials. */
static const char document_headers[] = "Content-Security-Policy: " CSP "\r\n"
                                       "X-Frame-Options: DENY\r\n"
                                       "Referrer-Policy: strict-origin-when-cross-origin\r\n"
                                       "Cross-Origin-Opener-Policy: same-origin\r\n";
static const char nosniff[] = "X-Content-Type-Options: nosniff\r\n";
static const char no_store[] = "Cache-Control: no-store\r\n";
static const char hsts[] = "Strict-Transport-Security: max-age=31536000\r\n";
static const char json_ctype[] = "application/json";

#define LIT(s) s, sizeof s - 1

static const struct status_line {
    int status;
    const char *line;
    size_t len;
} status_lines[] = {
    {100, LIT("HTTP/1.1 100 Continue\r\n")},
    {200, LIT("HTTP/1.1 200 OK\r\n")},
    {201, LIT("HTTP/1.1 201 Created\r\n")},
    {202, LIT("HTTP/1.1 202 Accepted\r\n")},
    {204, LIT("HTTP/1.1 204 No Content\r\n")},
    {206, LIT("HTTP/1.1 206 Partial Content\r\n")},
    {301, LIT("HTTP/1.1 301 Moved Permanently\r\n")},
    {302, LIT("HTTP/1.1 302 Found\r\n")},
    {303, LIT("HTTP/1.1 303 See Other\r\n")},
    {304, LIT("HTTP/1.1 304 Not Modified\r\n")},
    {400, LIT("HTTP/1.1 400 Bad Request\r\n")},
    {401, LIT("HTTP/1.1 401 Unauthorized\r\n")},
    {403, LIT("HTTP/1.1 403 Forbidden\r\n")},
    {404, LIT("HTTP/1.1 404 Not Found\r\n")},
    {405, LIT("HTTP/1.1 405 Method Not Allowed\r\n")},
    {406, LIT("HTTP/1.1 406 Not Acceptable\r\n")},
    {408, LIT("HTTP/1.1 408 Request Timeout\r\n")},
    {409, LIT("HTTP/1.1 409 Conflict\r\n")},
    {410, LIT("HTTP/1.1 410 Gone\r\n")},
    {411, LIT("HTTP/1.1 411 Length Required\r\n")},
    {412, LIT("HTTP/1.1 412 Precondition Failed\r\n")},
    {413, LIT("HTTP/1.1 413 Payload Too Large\r\n")},
    {415, LIT("HTTP/1.1 415 Unsupported Media Type\r\n")},
    {417, LIT("HTTP/1.1 417 Expectation Failed\r\n")},
    {422, LIT("HTTP/1.1 422 Unprocessable Content\r\n")},
    {429, LIT("HTTP/1.1 429 Too Many Requests\r\n")},
    {431, LIT("HTTP/1.1 431 Request Header Fields Too Large\r\n")},
    {500, LIT("HTTP/1.1 500 Internal Server Error\r\n")},
    {501, LIT("HTTP/1.1 501 Not Implemented\r\n")},
    {503, LIT("HTTP/1.1 503 Service Unavailable\r\n")},
    {504, LIT("HTTP/1.1 504 Gateway Timeout\r\n")},
};

static http_req *req_of(http_ctx *ctx)
{
    return (http_req *)ctx;
}

/* ---- building the head ---- */

typedef struct head_buf {
    char *p;
    size_t len;
} head_buf;

static void put(head_buf *b, const char *s, size_t n)
{
    if (n == 0) /* s may be NULL then (an empty value) */
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void put_uint(head_buf *b, uint64_t v)
{
    char tmp[20];
    size_t n = 0;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0)
        b->p[b->len++] = tmp[--n];
}

static void put_status(head_buf *b, int status)
{
    for (size_t i = 0; i < SINAU_ARRAY_LEN(status_lines); i++) {
        if (status_lines[i].status == status) {
            put(b, status_lines[i].line, status_lines[i].len);
            return;
        }
    }
    put(b, LIT("HTTP/1.1 "));
    put_uint(b, (uint64_t)(status > 0 && status < 1000 ? status : 500));
    put(b, LIT(" Status\r\n"));
}

/* JSON, plain text, CSS and JavaScript (see document_headers). */
static bool is_plain_data(const char *type)
{
    return strncmp(type, "application/json", 16) == 0 || strncmp(type, "text/plain", 10) == 0 ||
           strncmp(type, "text/css", 8) == 0 || strncmp(type, "text/javascript", 15) == 0 ||
           strncmp(type, "application/javascript", 22) == 0;
}

/* Statuses whose answers have no body and no length. */
static bool bodiless(int status)
{
    return status == 204 || status == 304 || status < 200;
}

/* The whole head of req's answer, in its arena. */
static head_buf build_head(http_req *req, int status, size_t body_len, bool keep)
{
    const http_loop *l = req->loop;
    const char *type = req->out_type != NULL ? req->out_type : json_ctype;
    bool no_body = bodiless(status);
    size_t type_len = strlen(type);
    head_buf b = {NULL, 0};

    b.p = http_ctx_alloc(&req->ctx, 256 + l->date_len + type_len + sizeof document_headers +
                                        req->out_len + sizeof req->ctx.request_id);
    put_status(&b, status);
    put(&b, l->date, l->date_len);
    if (!no_body || req->out_type != NULL) {
        put(&b, LIT("Content-Type: "));
        put(&b, type, type_len);
        put(&b, LIT("\r\n"));
    }
    if (!no_body) {
        put(&b, LIT("Content-Length: "));
        put_uint(&b, body_len);
        put(&b, LIT("\r\n"));
    }
    put(&b, LIT("X-Request-Id: "));
    put(&b, req->ctx.request_id, strlen(req->ctx.request_id));
    put(&b, LIT("\r\n"));
    put(&b, nosniff, sizeof nosniff - 1);
    if (!is_plain_data(type))
        put(&b, document_headers, sizeof document_headers - 1);
    if (l->sh->set.https)
        put(&b, hsts, sizeof hsts - 1);
    put(&b, req->out_hdrs, req->out_len);
    if (!req->out_cache_control)
        put(&b, no_store, sizeof no_store - 1);
    if (!keep)
        put(&b, LIT("Connection: close\r\n"));
    else if (req->head.http10)
        put(&b, LIT("Connection: keep-alive\r\n"));
    put(&b, LIT("\r\n"));
    return b;
}

/* ---- sending ---- */

/* Sends status with body[0..len) (body_stable: it outlives the request;
 * owner, when set, is freed by owner_free once the body is written) and
 * ends the request. */
static void reply_send(http_ctx *ctx, int status, const void *body, size_t len, bool body_stable,
                       void (*owner_free)(void *), void *owner)
{
    http_req *req = req_of(ctx);
    http_conn *c = req->conn;

    if (ctx->replied) { /* an invariant of ours, checked in every build */
        log_write(LOG_ERROR, ctx->request_id, "a request got a second reply");
        abort();
    }
    ctx->replied = true;
    if (c != NULL) {
        bool keep = conn_keep_alive(c, req);
        head_buf h = build_head(req, status, len, keep);
        /* a HEAD answer carries the length GET would have, and no bytes */
        size_t send_len = ctx->method == ROUTER_HEAD || bodiless(status) ? 0 : len;

        conn_respond(c, req, h.p, h.len, body, send_len, body_stable, owner_free, owner);
    } else if (owner_free != NULL) {
        owner_free(owner);
    }
    request_end(req, status);
    if (c != NULL)
        conn_resume(c);
}

void http_add_header(http_ctx *ctx, const char *name, const char *value)
{
    http_req *req = req_of(ctx);
    size_t nlen = strlen(name), vlen = strlen(value), need = nlen + vlen + 4;

    if (strcasecmp(name, "Content-Type") == 0) {
        req->out_type = http_ctx_strndup(ctx, value, vlen);
        return;
    }
    if (strcasecmp(name, "Content-Length") == 0)
        return;
    if (strcasecmp(name, "Connection") == 0) {
        req->close = req->close || strcasecmp(value, "close") == 0;
        return;
    }
    if (strcasecmp(name, "Cache-Control") == 0)
        req->out_cache_control = true;
    if (req->out_len + need > req->out_cap) {
        size_t cap = 2 * (req->out_len + need) > 256 ? 2 * (req->out_len + need) : 256;
        char *grown = http_ctx_alloc(ctx, cap);
        if (req->out_len > 0)
            memcpy(grown, req->out_hdrs, req->out_len);
        req->out_hdrs = grown;
        req->out_cap = cap;
    }
    memcpy(req->out_hdrs + req->out_len, name, nlen);
    memcpy(req->out_hdrs + req->out_len + nlen, ": ", 2);
    memcpy(req->out_hdrs + req->out_len + nlen + 2, value, vlen);
    memcpy(req->out_hdrs + req->out_len + nlen + 2 + vlen, "\r\n", 2);
    req->out_len += need;
}

static void set_type(http_ctx *ctx, const char *content_type)
{
    req_of(ctx)->out_type = content_type;
}

void http_reply_bytes(http_ctx *ctx, int status, const char *content_type, const void *data,
                      size_t len)
{
    set_type(ctx, content_type); /* read before reply_send returns */
    reply_send(ctx, status, data, len, false, NULL, NULL);
}

void http_reply_static(http_ctx *ctx, int status, const char *content_type, const void *data,
                       size_t len)
{
    set_type(ctx, content_type);
    reply_send(ctx, status, data, len, true, NULL, NULL);
}

void http_reply_json_text(http_ctx *ctx, int status, const char *json, size_t len)
{
    set_type(ctx, json_ctype);
    reply_send(ctx, status, json, len, false, NULL, NULL);
}

void http_reply_json(http_ctx *ctx, int status, json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT);

    json_decref(body);
    if (text == NULL) {
        http_reply_error(ctx, 500, "internal_error", "could not encode the response");
        return;
    }
    set_type(ctx, json_ctype);
    /* the text goes with the connection until written, then free()d */
    reply_send(ctx, status, text, strlen(text), true, free, text);
}

static void clear_pgresult(void *res)
{
    PQclear(res);
}

void http_reply_pg_json(http_ctx *ctx, int status, PGresult *res, int row, int col)
{
    set_type(ctx, json_ctype);
    if (PQgetisnull(res, row, col)) {
        PQclear(res);
        reply_send(ctx, status, "null", 4, true, NULL, NULL);
        return;
    }
    /* the text stays in the PGresult until it is written */
    reply_send(ctx, status, PQgetvalue(res, row, col), (size_t)PQgetlength(res, row, col), true,
               clear_pgresult, res);
}

void http_reply_empty(http_ctx *ctx, int status)
{
    reply_send(ctx, status, NULL, 0, true, NULL, NULL);
}

void http_reply_error_details(http_ctx *ctx, int status, const char *code, const char *message,
                              json_t *details)
{
    json_t *err = json_pack("{s:s, s:s}", "code", code, "message", message);

    if (details != NULL)
        json_object_set_new(err, "details", details);
    http_reply_json(ctx, status, json_pack("{s:o}", "error", err));
}

void http_reply_error(http_ctx *ctx, int status, const char *code, const char *message)
{
    http_reply_error_details(ctx, status, code, message, NULL);
}

void http_reply_db_error(http_ctx *ctx, const db_result *r)
{
    switch (r->status) {
    case DB_ERR_BUSY:
        http_add_header(ctx, "Retry-After", "1");
        http_reply_error(ctx, 503, "db_busy", "the database is busy; try again shortly");
        return;
    case DB_ERR_UNAVAILABLE:
        http_add_header(ctx, "Retry-After", "1");
        http_reply_error(ctx, 503, "db_unavailable",
                         "the database is unavailable; try again shortly");
        return;
    case DB_ERR_TIMEOUT:
        http_add_header(ctx, "Retry-After", "1");
        http_reply_error(ctx, 503, "db_timeout", "the database took too long; try again");
        return;
    case DB_ERR_SQL:
    case DB_OK:
        break;
    }
    /* the SQLSTATE is safe to log; the message may quote parameters */
    log_write(LOG_ERROR, ctx->request_id, "db error sqlstate=%s", r->sqlstate);
    http_reply_error(ctx, 500, "internal_error", "internal error");
}

bool http_db_failed(http_ctx *ctx, const db_result *r)
{
    if (r->status == DB_OK)
        return false;
    http_reply_db_error(ctx, r);
    return true;
}

bool http_db_found(http_ctx *ctx, const db_result *r, const char *missing)
{
    if (http_db_failed(ctx, r))
        return false;
    if (PQntuples(r->res) > 0)
        return true;
    http_reply_error(ctx, 404, "not_found", missing);
    return false;
}
