/* request.c — one request's life in the http layer (internal.h): made when
 * its head is complete (its block, its id, counted in flight on the loop's
 * live list), dispatched (a refusal, the router, the guard, check_head, the
 * body, the handler) and ended after its reply (the access log, metrics,
 * the bookkeeping and its memory). This is the one file that keeps the
 * live list and the in-flight count. */
#include "sinau/http/request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "sinau/core/clock.h"
#include "sinau/http/reply.h"
#include "sinau/http/web.h"

http_loop *request_loop(const http_ctx *ctx)
{
    return ((const http_req *)ctx)->loop;
}

http_req *request_new(http_loop *l, http_conn *c, const http_addr *addr)
{
    http_req *req = http_block_take(l);
    http_ctx *ctx = &req->ctx;

    memset(req, 0, sizeof *req);
    http_mem_init(req, HTTP_BLOCK_SIZE);
    req->loop = l;
    req->conn = c;
    req->addr = *addr;
    req->nquery = -1;
    req->head.request_id = -1;
    ctx->services = l->o.services;
    ctx->guard = l->o.guard;
    ctx->started_ns = clock_now_ns();
    l->inflight++;
    SINAU_DLIST_PUSH(l->live, req, live_prev, live_next);
    return req;
}

/* Takes req off the live list. */
static void unlink_live(http_req *req)
{
    http_loop *l = req->loop;

    l->inflight--;
    SINAU_DLIST_UNLINK(l->live, req, live_prev, live_next);
}

/* What a request holds beyond its arena, and then its block. */
static void release(http_req *req)
{
    http_loop *l = req->loop;

    http_mem_release(req);
    dynbuf_free(&req->body_buf);
    if (req->orphan_rbuf != NULL) {
        if (req->orphan_pooled)
            http_block_give(l, req->orphan_rbuf);
        else
            free(req->orphan_rbuf);
    }
    http_block_give(l, req);
}

/* Writes v in hex at p; returns the digits written. */
static size_t put_hex(char *p, uint64_t v)
{
    static const char digits[] = "0123456789abcdef";
    char tmp[16];
    size_t n = 0;

    do {
        tmp[n++] = digits[v & 15];
        v >>= 4;
    } while (v != 0);
    for (size_t i = 0; i < n; i++)
        p[i] = tmp[n - 1 - i];
    return n;
}

/* The client's X-Request-Id when it is a good one, else
 * <instance>-<loop>-<counter in hex>. */
static void set_request_id(http_req *req)
{
    http_loop *l = req->loop;
    char *id = req->ctx.request_id;
    const http_head *h = &req->head;
    size_t n;

    if (h->request_id >= 0 &&
        http_request_id_ok(h->fields[h->request_id].value, h->fields[h->request_id].value_len)) {
        memcpy(id, h->fields[h->request_id].value, h->fields[h->request_id].value_len);
        id[h->fields[h->request_id].value_len] = '\0';
        return;
    }
    n = l->id_prefix_len; /* "<instance>-<loop>-" */
    memcpy(id, l->id_prefix, n);
    n += put_hex(id + n, ++l->next_request);
    id[n] = '\0';
}

/* ---- refusals ---- */

static const struct refusal {
    int status;
    const char *code, *message;
    bool close;
} refusals[HTTP_REFUSAL_COUNT] = {
    [HTTP_PASS] = {500, "internal_error", "internal error", true},
    [HTTP_TOO_LARGE] = {413, "body_too_large", "the request body is too large", false},
    [HTTP_BAD_REQUEST] = {400, "bad_request", "the request is malformed", true},
    [HTTP_HEAD_TOO_LARGE] = {431, "headers_too_large", "the request headers are too large", true},
    [HTTP_NOT_IMPLEMENTED] = {501, "not_implemented", "this method is not implemented", true},
    [HTTP_EXPECTATION_FAILED] = {417, "expectation_failed",
                                 "only the expectation 100-continue is understood", true},
    [HTTP_REQUEST_TIMEOUT] = {408, "request_timeout", "the request took too long to arrive", true},
};

void request_refuse(http_req *req, enum http_refusal why)
{
    const struct refusal *r = &refusals[why];

    if (req->ctx.request_id[0] == '\0')
        set_request_id(req);
    req->refusal = why;
    req->close = req->close || r->close;
    http_reply_error(&req->ctx, r->status, r->code, r->message);
}

/* ---- dispatch ---- */

static void reply_method_not_allowed(http_ctx *ctx, unsigned allowed)
{
    char allow[96];

    http_add_header(ctx, "Allow", router_allow_header(allowed, allow, sizeof allow));
    http_reply_error(ctx, 405, "method_not_allowed", "this method is not allowed here");
}

/* The router's verdict, the body limit, then the guard (for routes) or the
 * web files (for misses), all on the head alone. */
static void dispatch(http_req *req)
{
    http_ctx *ctx = &req->ctx;
    const http_shared *sh = req->loop->sh;
    enum router_result found = router_match_path(sh->router, ctx->method, ctx->path, &ctx->match);

    if (found == ROUTER_METHOD_NOT_ALLOWED) {
        reply_method_not_allowed(ctx, ctx->match.allowed);
        return;
    }
    ctx->route = found == ROUTER_FOUND ? ctx->match.route : NULL;
    req->limit =
        ctx->route != NULL && ctx->route->max_body > 0 ? ctx->route->max_body : sh->set.max_body;
    if (req->head.framing == HTTP_LENGTH && req->head.length > req->limit) {
        request_refuse(req, HTTP_TOO_LARGE);
        return;
    }
    if (ctx->route == NULL) {
        web_serve(ctx); /* never reads a body: the reply skips it */
        return;
    }
    req->run = ctx->route->handler;
    ctx->guard->check(ctx->guard, ctx,
                      ctx->route->check_head != NULL ? ctx->route->check_head : http_proceed);
}

void request_head(http_req *req, char *p, size_t len, size_t lines)
{
    http_ctx *ctx = &req->ctx;
    http_field *fields = http_ctx_alloc(ctx, (lines > 0 ? lines : 1) * sizeof *fields);
    enum http_refusal why = http_parse_head(p, len, &req->head, fields, lines);

    set_request_id(req);
    ctx->method = req->head.method;
    if (why != HTTP_PASS) {
        req->head.nfields = 0; /* not terminated: no header is read from it */
        request_refuse(req, why);
        return;
    }
    http_head_terminate(p, &req->head);
    ctx->path = req->head.path;
    if (req->loop->draining) {
        req->close = true;
        http_add_header(ctx, "Retry-After", "1");
        http_reply_error(ctx, 503, "shutting_down", "the server is restarting");
        return;
    }
    dispatch(req);
}

void http_proceed(http_ctx *ctx)
{
    http_req *req = (http_req *)ctx;

    if (req->conn == NULL) { /* the client went away: nothing will be sent */
        http_reply_error(ctx, 400, "client_gone", "the client closed the connection");
        return;
    }
    conn_read_body(req->conn, req);
}

/* ---- the end ---- */

static void access_log(http_req *req, int status, int64_t dur_ns)
{
    const http_ctx *ctx = &req->ctx;
    const char *route =
        ctx->route != NULL ? (ctx->route->name ? ctx->route->name : ctx->route->pattern) : "-";
    const char *method = router_method_name(ctx->method);

    log_buffered(&req->loop->access_log, LOG_INFO, ctx->request_id,
                 "access method=%s route=%s status=%d dur_ms=%.3f", method ? method : "OTHER",
                 route, status, (double)dur_ns / 1e6);
}

void request_end(http_req *req, int status)
{
    int64_t dur = clock_now_ns() - req->ctx.started_ns;

    access_log(req, status, dur);
    metrics_count(req->loop->o.metrics, (int)req->ctx.match.index, status, dur);
    unlink_live(req);
    release(req);
}

void request_free_abandoned(http_loop *l)
{
    while (l->live != NULL) {
        http_req *req = l->live;
        unlink_live(req);
        release(req);
    }
}

int http_loop_inflight(const http_loop *l)
{
    return l->inflight;
}
