/* ctx.c — request memory and request inputs (http.h): the arena in the
 * request's block, path parameters, the query string, headers, the client's
 * address, bearer credentials, and the strict JSON body. */
#include "sinau/http/ctx.h"

#include <assert.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>

#include "internal.h"
#include "sinau/core/alloc.h"
#include "sinau/core/worker.h"
#include "sinau/http/jschema.h"
#include "sinau/http/jsonin.h"
#include "sinau/http/reply.h"

#define ARENA_ALIGN 16
#define CHUNK_BYTES 4096 /* arena space taken when the block's is used up */
#define BIG_BYTES   1024 /* larger allocations get a chunk of their own */

struct http_chunk {
    http_chunk *next;
    _Alignas(max_align_t) unsigned char data[];
};

struct http_dtor {
    http_dtor *next;
    void (*fn)(void *p);
    void *p;
};

struct http_qpair {
    const char *key, *value;
};

static http_req *req_of(http_ctx *ctx)
{
    return (http_req *)ctx;
}

/* ---- the arena ---- */

static size_t round_up(size_t n)
{
    return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

void http_mem_init(http_req *req, size_t block_size)
{
    req->arena = (char *)req + round_up(sizeof *req);
    req->arena_end = (char *)req + block_size;
}

static void *chunk_new(http_req *req, size_t n)
{
    http_chunk *c = xmalloc(sizeof *c + n);

    c->next = req->chunks;
    req->chunks = c;
    return c->data;
}

/* n bytes of arena (not zeroed), aligned for any type. */
static void *arena_take(http_req *req, size_t n)
{
    char *p;

    n = round_up(n == 0 ? 1 : n);
    if (n <= (size_t)(req->arena_end - req->arena)) {
        p = req->arena;
        req->arena += n;
        return p;
    }
    if (n > BIG_BYTES)
        return chunk_new(req, n);
    p = chunk_new(req, CHUNK_BYTES);
    req->arena = p + n;
    req->arena_end = p + CHUNK_BYTES;
    return p;
}

void http_mem_release(http_req *req)
{
    /* each entry is unlinked before it runs: a destructor that ends up here
     * again (it cannot reply, but may own more) never runs one twice */
    while (req->dtors != NULL) {
        http_dtor *d = req->dtors;
        req->dtors = d->next;
        d->fn(d->p);
    }
    while (req->chunks != NULL) {
        http_chunk *next = req->chunks->next;
        free(req->chunks);
        req->chunks = next;
    }
}

void *http_ctx_alloc(http_ctx *ctx, size_t n)
{
    void *p = arena_take(req_of(ctx), n);

    memset(p, 0, n);
    return p;
}

/* ---- the destructor list ---- */

void *http_own(http_ctx *ctx, void *p, void (*fn)(void *p))
{
    http_req *req = req_of(ctx);
    http_dtor *d;

    assert(fn != NULL);
    if (p == NULL)
        return NULL;
    d = arena_take(req, sizeof *d);
    d->p = p;
    d->fn = fn;
    d->next = req->dtors;
    req->dtors = d;
    return p;
}

static void clear_pgresult(void *p)
{
    PQclear(p);
}

static void decref_json(void *p)
{
    json_decref(p);
}

PGresult *http_own_pgresult(http_ctx *ctx, PGresult *res)
{
    return http_own(ctx, res, clear_pgresult);
}

json_t *http_own_json(http_ctx *ctx, json_t *json)
{
    return http_own(ctx, json, decref_json);
}

void *http_own_buf(http_ctx *ctx, void *buf)
{
    return http_own(ctx, buf, free);
}

static void free_pq(void *p)
{
    PQfreemem(p);
}

void *http_own_pqmem(http_ctx *ctx, void *mem)
{
    return http_own(ctx, mem, free_pq);
}

static void free_evbuffer(void *p)
{
    evbuffer_free(p);
}

struct evbuffer *http_own_evbuffer(http_ctx *ctx)
{
    struct evbuffer *b = evbuffer_new();

    if (b == NULL)
        xalloc_failed("evbuffer_new");
    return http_own(ctx, b, free_evbuffer);
}

char *http_ctx_strndup(http_ctx *ctx, const char *s, size_t n)
{
    char *p = arena_take(req_of(ctx), n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* ---- path parameters and the query ---- */

/* Percent-decodes a path segment into ctx memory; NULL on bad escapes,
 * NUL or '/'. */
static char *decode_segment(http_ctx *ctx, const char *s, size_t n)
{
    char *out = arena_take(req_of(ctx), n + 1);

    return http_segment_decode(s, n, out) ? out : NULL;
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

/* One pair of the query, decoded into ctx memory (http_query_split's sink). */
static void keep_pair(void *arg, const char *key, size_t key_len, const char *value,
                      size_t value_len)
{
    http_ctx *ctx = arg;
    http_req *req = req_of(ctx);
    http_qpair *q = &req->query[req->nquery++];
    char *k = arena_take(req, key_len + 1), *v = arena_take(req, value_len + 1);

    http_form_decode(key, key_len, k);
    http_form_decode(value, value_len, v);
    q->key = k;
    q->value = v;
}

/* Splits the query into decoded pairs, once (a malformed query has none). */
static void parse_query(http_ctx *ctx)
{
    http_req *req = req_of(ctx);
    const char *q = req->head.query;
    size_t n = req->head.query_len, count = 1;

    req->nquery = 0;
    if (q == NULL || n == 0)
        return;
    for (size_t i = 0; i < n; i++)
        count += q[i] == '&';
    req->query = arena_take(req, count * sizeof *req->query);
    if (http_query_split(q, n, keep_pair, ctx) < 0)
        req->nquery = -2;
}

const char *http_query(http_ctx *ctx, const char *name)
{
    http_req *req = req_of(ctx);

    if (req->nquery == -1)
        parse_query(ctx);
    for (int i = 0; i < req->nquery; i++)
        if (strcasecmp(req->query[i].key, name) == 0)
            return req->query[i].value;
    return NULL;
}

/* What form_find looks for, and the first value found. */
typedef struct form_lookup {
    http_req *req;
    const char *name;
    const char *value;
} form_lookup;

/* http_query_split's sink for http_form_value: decodes the first pair
 * whose decoded key is the name (case-insensitive, as http_query). */
static void form_find(void *arg, const char *key, size_t key_len, const char *value,
                      size_t value_len)
{
    form_lookup *f = arg;
    char *k;

    if (f->value != NULL)
        return;
    k = arena_take(f->req, key_len + 1);
    http_form_decode(key, key_len, k);
    if (strcasecmp(k, f->name) != 0)
        return;
    k = arena_take(f->req, value_len + 1);
    http_form_decode(value, value_len, k);
    f->value = k;
}

const char *http_form_value(http_ctx *ctx, const char *form, size_t n, const char *name)
{
    form_lookup f = {req_of(ctx), name, NULL};

    if (http_query_split(form, n, form_find, &f) < 0)
        return NULL;
    return f.value;
}

/* ---- headers and the client ---- */

const char *http_header(http_ctx *ctx, const char *name)
{
    const http_field *f = http_head_field(&req_of(ctx)->head, name, strlen(name));

    return f != NULL ? f->value : NULL;
}

const char *http_bearer(http_ctx *ctx)
{
    const char *auth = http_header(ctx, "Authorization");

    return auth != NULL ? http_bearer_token(auth) : NULL;
}

/* Behind our own proxy: the last entry of the last X-Forwarded-For line,
 * the one that proxy appended (everything before it came from the client
 * and proves nothing). Only an address is taken. */
static bool forwarded_for(http_ctx *ctx, http_addr *out)
{
    const http_head *h = &req_of(ctx)->head;
    const http_field *last = NULL;
    const char *entry;
    char text[HTTP_ADDR_TEXT];
    size_t n;

    for (size_t i = 0; i < h->nfields; i++)
        if (h->fields[i].name_len == 15 &&
            strncasecmp(h->fields[i].name, "X-Forwarded-For", 15) == 0)
            last = &h->fields[i];
    if (last == NULL || !http_forwarded_last(last->value, last->value_len, &entry, &n) ||
        n >= sizeof text)
        return false;
    memcpy(text, entry, n);
    text[n] = '\0';
    return http_addr_parse(text, out) == 0;
}

/* The client's address: the proxy's word for it when trusted, else the
 * connection's peer. */
static const http_addr *client_addr(http_ctx *ctx, http_addr *buf)
{
    http_req *req = req_of(ctx);

    if (request_loop(ctx)->sh->set.trust_proxy && forwarded_for(ctx, buf))
        return buf;
    return &req->addr;
}

const char *http_peer(http_ctx *ctx)
{
    http_addr buf;
    char *out = arena_take(req_of(ctx), HTTP_ADDR_TEXT);

    http_addr_text(client_addr(ctx, &buf), out);
    return out;
}

const char *http_peer_key(http_ctx *ctx)
{
    http_addr buf;
    char *out = arena_take(req_of(ctx), HTTP_ADDR_TEXT);

    http_addr_key_text(client_addr(ctx, &buf), out);
    return out;
}

bool http_peer_loopback(http_ctx *ctx)
{
    return http_addr_loopback(&req_of(ctx)->addr);
}

bool http_method_unsafe(const http_ctx *ctx)
{
    return (ctx->method & (ROUTER_POST | ROUTER_PUT | ROUTER_DELETE | ROUTER_PATCH)) != 0;
}

/* ---- the body ---- */

static bool content_type_is_json(const char *ct)
{
    size_t n = strlen("application/json");

    if (ct == NULL)
        return true; /* curl -d without a type; still parsed strictly */
    if (strncasecmp(ct, "application/json", n) != 0)
        return false;
    return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

const unsigned char *http_body(http_ctx *ctx, size_t *len)
{
    http_req *req = req_of(ctx);

    *len = req->body_len;
    return req->body_len > 0 ? (const unsigned char *)req->body : (const unsigned char *)"";
}

int http_read_json(http_ctx *ctx, bool allow_empty, json_t **out)
{
    http_req *req = req_of(ctx);
    size_t len;
    const char *buf = (const char *)http_body(ctx, &len);
    char detail[128];
    json_t *doc = NULL;
    enum jsonin_error e;

    *out = NULL;
    if (len > 0 && !content_type_is_json(http_header(ctx, "Content-Type"))) {
        http_reply_error(ctx, 415, "unsupported_media_type", "send the body as application/json");
        return -1;
    }
    e = jsonin_parse(buf, len, req->limit, JSONIN_DEFAULT_DEPTH, allow_empty, &doc, detail,
                     sizeof detail);
    http_own_json(ctx, doc); /* also a partial document a refusal leaves */
    if (e != JSONIN_OK) {
        http_reply_error(ctx, jsonin_error_status(e), jsonin_error_code(e), detail);
        return -1;
    }
    *out = doc;
    return 0;
}

/* The key of the member at 1-based position pos of a flat object format
 * ("{s:s, s?I, s:o}"; the keys are ap's arguments after each `s` key, each
 * value takes one pointer, `s%` two, `n` none). NULL for a nested format. */
static const char *format_key(const char *fmt, int pos, va_list ap)
{
    const char *key = NULL;
    bool want_key = true;

    for (int i = 0; fmt[i] != '\0' && i < pos; i++) {
        char c = fmt[i];
        if (c == '{' && i == 0)
            continue;
        if (c == '{' || c == '[')
            return NULL;
        if (strchr(" \t\n,:?!*}%", c) != NULL)
            continue;
        if (want_key)
            key = va_arg(ap, const char *);
        else if (c != 'n')
            (void)va_arg(ap, void *);
        if (!want_key && c == 's' && fmt[i + 1] == '%')
            (void)va_arg(ap, void *);
        want_key = !want_key;
    }
    return key;
}

/* The member a failed unpack is about, in ctx memory: the first name
 * jansson lists for a missing or unknown member, else the member at the
 * error's place in the format. NULL when unknown. */
static const char *unpack_field(http_ctx *ctx, const json_error_t *err, const char *fmt, va_list ap)
{
    enum json_error_code code = json_error_code(err);
    const char *names = strstr(err->text, ": ");

    if (code == json_error_item_not_found || code == json_error_end_of_input_expected)
        return names != NULL ? http_ctx_strndup(ctx, names + 2, strcspn(names + 2, ", ")) : NULL;
    return format_key(fmt, err->position, ap);
}

/* Refuses a body for one member (field, NULL when unknown): 422
 * unknown_field or invalid_field with text (which names members and
 * types, never values) and the member in details.field, where clients
 * look for it. Returns -1. */
static int refuse_member(http_ctx *ctx, bool unknown, const char *text, const char *field)
{
    http_reply_error_details(ctx, 422, unknown ? "unknown_field" : "invalid_field", text,
                             field != NULL ? json_pack("{s:s}", "field", field) : NULL);
    return -1;
}

int http_unpack(http_ctx *ctx, json_t *obj, const char *fmt, ...)
{
    json_error_t err;
    va_list ap, again;
    const char *field;
    int rc;

    va_start(ap, fmt);
    va_copy(again, ap);
    rc = json_vunpack_ex(obj, &err, JSON_STRICT, fmt, ap);
    va_end(ap);
    field = rc == 0 ? NULL : unpack_field(ctx, &err, fmt, again);
    va_end(again);
    if (rc == 0)
        return 0;
    /* jansson's messages name members and types, never values */
    return refuse_member(ctx, json_error_code(&err) == json_error_end_of_input_expected, err.text,
                         field);
}

int http_check_body(http_ctx *ctx, const json_t *schema, const json_t *body)
{
    jschema_error err;

    if (jschema_check(schema, body, &err) == 0)
        return 0;
    return refuse_member(ctx, err.unknown, err.text, err.field[0] != '\0' ? err.field : NULL);
}

/* A job in flight: what the worker runs, and whom the loop tells. Only the
 * trampolines read it; run sees the job alone. */
typedef struct work_call {
    http_ctx *ctx;
    void *job;
    void (*run)(void *job);
    void (*done)(http_ctx *ctx, void *job);
} work_call;

static void work_run(void *arg)
{
    work_call *w = arg;

    w->run(w->job);
}

static void work_done(void *arg)
{
    work_call *w = arg;

    w->done(w->ctx, w->job);
}

void http_work(http_ctx *ctx, void *job, void (*run)(void *job),
               void (*done)(http_ctx *ctx, void *job))
{
    const http_loop *l = request_loop(ctx);
    work_call *w = arena_take(req_of(ctx), sizeof *w);

    *w = (work_call){ctx, job, run, done};
    if (worker_submit(l->o.workers, l->o.base, work_run, work_done, w) == 0)
        return;
    http_add_header(ctx, "Retry-After", "1");
    http_reply_error(ctx, 503, "busy", "the server is busy; try again shortly");
}
