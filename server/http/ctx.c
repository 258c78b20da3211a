/* ctx.c — request memory and request inputs (http.h): parameters, query
 * string, headers and the strict JSON body. */
#include "sinau/http.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/queue.h>
#include <string.h>

#include "sinau/alloc.h"
#include "sinau/jsonin.h"
#include "sinau/server.h"
#include "sinau/worker.h"

/* One allocation owned by a ctx; dtor (may be NULL) runs before free. */
struct http_mem {
    struct http_mem *next;
    void (*dtor)(void *p);
    _Alignas(max_align_t) unsigned char data[];
};

static void *ctx_alloc_dtor(http_ctx *ctx, size_t n, void (*dtor)(void *))
{
    http_mem *m = xcalloc(1, sizeof *m + n);

    m->dtor = dtor;
    m->next = ctx->mem;
    ctx->mem = m;
    return m->data;
}

void *http_ctx_alloc(http_ctx *ctx, size_t n)
{
    return ctx_alloc_dtor(ctx, n, NULL);
}

char *http_ctx_strndup(http_ctx *ctx, const char *s, size_t n)
{
    char *p = http_ctx_alloc(ctx, n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* Frees every allocation of ctx, newest first. Used by the reply path. */
void http_ctx_release_memory(http_ctx *ctx);
void http_ctx_release_memory(http_ctx *ctx)
{
    http_mem *m = ctx->mem;

    while (m != NULL) {
        http_mem *next = m->next;
        if (m->dtor != NULL)
            m->dtor(m->data);
        free(m);
        m = next;
    }
    ctx->mem = NULL;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes s[0..n) into ctx memory; NULL on bad escapes, NUL or '/'. */
static char *decode_segment(http_ctx *ctx, const char *s, size_t n)
{
    char *out = http_ctx_alloc(ctx, n + 1);
    size_t j = 0;

    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            int hi, lo;
            if (i + 2 >= n)
                return NULL;
            hi = hexval(s[i + 1]);
            lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0)
                return NULL;
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if (c == '\0' || c == '/')
            return NULL;
        out[j++] = c;
    }
    out[j] = '\0';
    return out;
}

const char *http_param(http_ctx *ctx, const char *name)
{
    size_t len = strlen(name);

    for (int i = 0; i < ctx->match.nparams; i++) {
        const router_param *p = &ctx->match.params[i];
        if (p->name_len == len && memcmp(p->name, name, len) == 0)
            return decode_segment(ctx, p->value, p->value_len);
    }
    return NULL;
}

static void clear_query(void *p)
{
    evhttp_clear_headers(p);
}

const char *http_query(http_ctx *ctx, const char *name)
{
    struct evkeyvalq *q = NULL;
    const char *raw = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(ctx->req));

    if (raw == NULL)
        return NULL;
    /* parsed once, kept in ctx memory (found again by its destructor) */
    for (http_mem *m = ctx->mem; m != NULL; m = m->next)
        if (m->dtor == clear_query)
            q = (struct evkeyvalq *)m->data;
    if (q == NULL) {
        q = ctx_alloc_dtor(ctx, sizeof *q, clear_query);
        TAILQ_INIT(q);
        if (evhttp_parse_query_str(raw, q) != 0)
            return NULL;
    }
    return evhttp_find_header(q, name);
}

const char *http_header(http_ctx *ctx, const char *name)
{
    return evhttp_find_header(evhttp_request_get_input_headers(ctx->req), name);
}

/* Behind our own proxy: the last X-Forwarded-For entry, the one that proxy
 * appended (earlier ones come from the client and prove nothing). */
static const char *forwarded_for(http_ctx *ctx)
{
    const char *xff = http_header(ctx, "X-Forwarded-For");
    const char *last;
    size_t n;

    if (xff == NULL)
        return NULL;
    last = strrchr(xff, ',');
    last = last != NULL ? last + 1 : xff;
    while (*last == ' ')
        last++;
    n = strcspn(last, " ");
    if (n == 0 || n > 45)
        return NULL;
    return http_ctx_strndup(ctx, last, n);
}

const char *http_peer(http_ctx *ctx)
{
    struct evhttp_connection *evcon = evhttp_request_get_connection(ctx->req);
    char *addr = NULL;
    ev_uint16_t port = 0;
    const char *fwd;

    if (ctx->loop->server->cfg->trust_proxy && (fwd = forwarded_for(ctx)) != NULL)
        return fwd;
    if (evcon == NULL)
        return "";
    evhttp_connection_get_peer(evcon, &addr, &port);
    return addr != NULL ? addr : "";
}

bool http_method_unsafe(const http_ctx *ctx)
{
    return (ctx->method & (ROUTER_POST | ROUTER_PUT | ROUTER_DELETE | ROUTER_PATCH)) != 0;
}

static void decref_json(void *p)
{
    json_decref(*(json_t **)p);
}

static bool content_type_is_json(const char *ct)
{
    size_t n = strlen("application/json");

    if (ct == NULL)
        return true; /* curl -d without a type; still parsed strictly */
    if (strncasecmp(ct, "application/json", n) != 0)
        return false;
    return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

size_t http_route_body_limit(const http_ctx *ctx);

const unsigned char *http_body(http_ctx *ctx, size_t *len)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(ctx->req);

    *len = evbuffer_get_length(in);
    return *len > 0 ? evbuffer_pullup(in, -1) : (const unsigned char *)"";
}

int http_read_json(http_ctx *ctx, bool allow_empty, json_t **out)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(ctx->req);
    size_t len = evbuffer_get_length(in);
    size_t limit = http_route_body_limit(ctx);
    char detail[128];
    json_t **slot;
    enum jsonin_error e;
    const char *buf;

    *out = NULL;
    if (len > 0 && !content_type_is_json(http_header(ctx, "Content-Type"))) {
        http_reply_error(ctx, 415, "unsupported_media_type", "send the body as application/json");
        return -1;
    }
    buf = len > 0 ? (const char *)evbuffer_pullup(in, -1) : "";
    slot = ctx_alloc_dtor(ctx, sizeof *slot, decref_json);
    e = jsonin_parse(buf, len, limit, JSONIN_DEFAULT_DEPTH, allow_empty, slot, detail,
                     sizeof detail);
    if (e != JSONIN_OK) {
        http_reply_error(ctx, jsonin_error_status(e), jsonin_error_code(e), detail);
        return -1;
    }
    *out = *slot;
    return 0;
}

int http_unpack(http_ctx *ctx, json_t *obj, const char *fmt, ...)
{
    json_error_t err;
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = json_vunpack_ex(obj, &err, JSON_STRICT, fmt, ap);
    va_end(ap);
    if (rc == 0)
        return 0;
    /* jansson's messages name members and types, never values */
    if (json_error_code(&err) == json_error_end_of_input_expected)
        http_reply_error(ctx, 422, "unknown_field", err.text);
    else
        http_reply_error(ctx, 422, "invalid_field", err.text);
    return -1;
}

int http_work(http_ctx *ctx, void (*run)(void *ctx), void (*done)(void *ctx))
{
    if (worker_submit(ctx->loop->server->workers, ctx->loop->base, run, done, ctx) == 0)
        return 0;
    http_add_header(ctx, "Retry-After", "1");
    http_reply_error(ctx, 503, "busy", "the server is busy; try again shortly");
    return -1;
}
