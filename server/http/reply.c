/* reply.c — the single reply path (STYLE.md rule 4): every response leaves
 * through reply_send, which adds the common headers, sends, writes the
 * access-log line, counts metrics and frees the request context. Nothing
 * else in the program calls evhttp_send_*. */
#include "sinau/http.h"

#include <assert.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/log.h"
#include "sinau/server.h"

void http_ctx_release_memory(http_ctx *ctx);
int server_route_index(const sinau_server *srv, const http_route *route);

/* Content-Security-Policy of every response (SECURITY.md "Headers"); the
 * frame-src list is the video embed origins the lesson reader uses. */
static const char csp[] = "default-src 'self'; object-src 'none'; base-uri 'none'; "
                          "frame-ancestors 'none'; form-action 'self'; img-src 'self' data:; "
                          "frame-src https://www.youtube-nocookie.com https://www.tiktok.com";

static const char *method_name(unsigned m)
{
    switch (m) {
    case ROUTER_GET:
        return "GET";
    case ROUTER_POST:
        return "POST";
    case ROUTER_HEAD:
        return "HEAD";
    case ROUTER_PUT:
        return "PUT";
    case ROUTER_DELETE:
        return "DELETE";
    case ROUTER_OPTIONS:
        return "OPTIONS";
    case ROUTER_TRACE:
        return "TRACE";
    case ROUTER_CONNECT:
        return "CONNECT";
    case ROUTER_PATCH:
        return "PATCH";
    }
    return "OTHER";
}

static const char *reason_phrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 303:
        return "See Other";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 411:
        return "Length Required";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    }
    return "Status";
}

/* Browser-facing headers go on documents (HTML, SVG, anything not plain
 * data); JSON, plain text, CSS and JavaScript cannot be rendered as a page
 * under nosniff, and each extra header costs evhttp a measurable share of a cheap
 * request (tests/bench/RESULTS.md), so they carry only the essentials. */
static bool is_plain_data(struct evkeyvalq *h)
{
    const char *type = evhttp_find_header(h, "Content-Type");

    return type == NULL || strncmp(type, "application/json", 16) == 0 ||
           strncmp(type, "text/plain", 10) == 0 || strncmp(type, "text/css", 8) == 0 ||
           strncmp(type, "text/javascript", 15) == 0 ||
           strncmp(type, "application/javascript", 22) == 0;
}

static void add_common_headers(http_ctx *ctx, struct evkeyvalq *h)
{
    const sinau_config *cfg = ctx->loop->server->cfg;

    evhttp_add_header(h, "Date", ctx->loop->date);
    evhttp_add_header(h, "X-Request-Id", ctx->request_id);
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    if (!is_plain_data(h)) {
        evhttp_add_header(h, "Content-Security-Policy", csp);
        evhttp_add_header(h, "X-Frame-Options", "DENY");
        evhttp_add_header(h, "Referrer-Policy", "strict-origin-when-cross-origin");
        evhttp_add_header(h, "Cross-Origin-Opener-Policy", "same-origin");
    }
    if (strncmp(cfg->public_url, "https://", 8) == 0)
        evhttp_add_header(h, "Strict-Transport-Security", "max-age=31536000");
    if (evhttp_find_header(h, "Cache-Control") == NULL)
        evhttp_add_header(h, "Cache-Control", "no-store");
}

static void access_log(http_ctx *ctx, int status, int64_t dur_ns)
{
    const char *route =
        ctx->route != NULL ? (ctx->route->name ? ctx->route->name : ctx->route->pattern) : "-";

    log_buffered(&ctx->loop->access_log, LOG_INFO, ctx->request_id,
                 "access method=%s route=%s status=%d dur_ms=%.3f", method_name(ctx->method), route,
                 status, (double)dur_ns / 1e6);
}

/* Sends status + body (drained; may be NULL) and ends the request. */
static void reply_send(http_ctx *ctx, int status, struct evbuffer *body)
{
    sinau_loop *loop = ctx->loop;
    int64_t dur;

    assert(!ctx->replied && "a request got a second reply");
    ctx->replied = true;
    add_common_headers(ctx, evhttp_request_get_output_headers(ctx->req));
    if (ctx->method == ROUTER_CONNECT) {
        /* libevent sends no Content-Length after CONNECT (the connection
         * would become a tunnel): say where the answer ends and close */
        char len[24];
        snprintf(len, sizeof len, "%zu", body != NULL ? evbuffer_get_length(body) : 0);
        evhttp_add_header(evhttp_request_get_output_headers(ctx->req), "Content-Length", len);
        evhttp_add_header(evhttp_request_get_output_headers(ctx->req), "Connection", "close");
    }
    if (ctx->method == ROUTER_HEAD && body != NULL) {
        /* libevent 2.1 would send a HEAD answer's body (and no length),
         * which the client reads as the start of the next answer: send the
         * length GET would have and no bytes */
        struct evkeyvalq *h = evhttp_request_get_output_headers(ctx->req);
        char len[24];
        snprintf(len, sizeof len, "%zu", evbuffer_get_length(body));
        if (evhttp_find_header(h, "Content-Length") == NULL) /* web.c sets its own */
            evhttp_add_header(h, "Content-Length", len);
        evbuffer_drain(body, evbuffer_get_length(body));
    }
    evhttp_send_reply(ctx->req, status, reason_phrase(status), body);
    dur = server_now_ns() - ctx->started_ns;
    access_log(ctx, status, dur);
    metrics_count(loop->metrics, server_route_index(loop->server, ctx->route), status, dur);
    loop->inflight--;
    if (ctx->live_prev != NULL)
        ctx->live_prev->live_next = ctx->live_next;
    else
        loop->live = ctx->live_next;
    if (ctx->live_next != NULL)
        ctx->live_next->live_prev = ctx->live_prev;
    http_ctx_release_memory(ctx);
    free(ctx);
}

static void set_type(http_ctx *ctx, const char *content_type)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(ctx->req);

    evhttp_remove_header(h, "Content-Type");
    evhttp_add_header(h, "Content-Type", content_type);
}

void http_add_header(http_ctx *ctx, const char *name, const char *value)
{
    evhttp_add_header(evhttp_request_get_output_headers(ctx->req), name, value);
}

void http_reply_bytes(http_ctx *ctx, int status, const char *content_type, const void *data,
                      size_t len)
{
    struct evbuffer *b = evbuffer_new();

    evbuffer_add(b, data, len);
    set_type(ctx, content_type);
    reply_send(ctx, status, b);
    evbuffer_free(b);
}

void http_reply_static(http_ctx *ctx, int status, const char *content_type, const void *data,
                       size_t len)
{
    struct evbuffer *b = evbuffer_new();

    evbuffer_add_reference(b, data, len, NULL, NULL);
    set_type(ctx, content_type);
    reply_send(ctx, status, b);
    evbuffer_free(b);
}

void http_reply_json_text(http_ctx *ctx, int status, const char *json, size_t len)
{
    http_reply_bytes(ctx, status, "application/json", json, len);
}

void http_reply_json(http_ctx *ctx, int status, json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT);

    json_decref(body);
    if (text == NULL) {
        http_reply_error(ctx, 500, "internal_error", "could not encode the response");
        return;
    }
    http_reply_json_text(ctx, status, text, strlen(text));
    free(text);
}

static void clear_pgresult(const void *data, size_t len, void *res)
{
    PQclear(res);
}

void http_reply_pg_json(http_ctx *ctx, int status, PGresult *res, int row, int col)
{
    struct evbuffer *b = evbuffer_new();

    set_type(ctx, "application/json");
    if (PQgetisnull(res, row, col)) {
        evbuffer_add(b, "null", 4);
        PQclear(res);
    } else {
        /* the text stays in the PGresult until libevent has written it */
        evbuffer_add_reference(b, PQgetvalue(res, row, col), (size_t)PQgetlength(res, row, col),
                               clear_pgresult, res);
    }
    reply_send(ctx, status, b);
    evbuffer_free(b);
}

void http_reply_empty(http_ctx *ctx, int status)
{
    reply_send(ctx, status, NULL);
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
