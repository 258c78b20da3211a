/* test_bodylimit.c — unit tests for bodylimit.c: the request-head parser
 * and the stream that frames requests and enforces per-route body limits.
 * Every stream case is fed whole, split in two at every byte, and one byte
 * at a time, and must give the same bytes to evhttp each way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sinau/bodylimit.h"

static void h_none(struct http_ctx *ctx)
{
    (void)ctx;
}

/* Limits: /small 10, /big 1000 (PUT), anything else the default, 100. */
static const http_route table[] = {
    {.methods = ROUTER_POST, .pattern = "/small", .handler = h_none, .max_body = 10},
    {.methods = ROUTER_PUT, .pattern = "/big/{id}/file", .handler = h_none, .max_body = 1000},
    {.methods = ROUTER_POST | ROUTER_GET, .pattern = "/json", .handler = h_none},
};

#define DEFAULT_LIMIT 100
#define MAX_HEAD      256

/* The refusal heads, as the stream writes them; {T} is the token. */
#define TOO_LARGE                                                                                  \
    "POST /__sinau/too-large HTTP/1.1\r\nHost: sinau\r\nX-Sinau-Refusal: {T}\r\n"                  \
    "Content-Length: 0\r\n\r\n"
#define CLOSING(kind)                                                                              \
    "POST /__sinau/" kind " HTTP/1.1\r\nHost: sinau\r\nX-Sinau-Refusal: {T}\r\n"                   \
    "Content-Length: 0\r\nConnection: close\r\n\r\n"
#define BAD          CLOSING("bad-request")
#define HEAD_TOO_BIG CLOSING("headers-too-large")
#define NOT_IMPL     CLOSING("not-implemented")

typedef struct fixture {
    router *router;
    bodylimit_rules rules;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);

    f->router = router_new();
    if (router_add_table(f->router, table, SINAU_ARRAY_LEN(table)) != 0)
        return -1;
    bodylimit_rules_init(&f->rules, f->router, DEFAULT_LIMIT, MAX_HEAD);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    router_free(f->router);
    free(f);
    return 0;
}

/* ---- the head parser ---- */

static enum bodylimit_refusal parse(const char *head, bodylimit_head *h)
{
    return bodylimit_parse_head(head, strlen(head), h);
}

static void head_without_body(void **state)
{
    bodylimit_head h;

    (void)state;
    assert_int_equal(parse("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", &h), BODYLIMIT_PASS);
    assert_int_equal(h.method, ROUTER_GET);
    assert_true(h.evhttp_body);
    assert_int_equal(h.framing, BODYLIMIT_NO_BODY);
    assert_int_equal(h.path_len, strlen("/healthz"));
    assert_memory_equal(h.path, "/healthz", h.path_len);
}

static void head_lines_may_end_in_lf_alone(void **state)
{
    bodylimit_head h;

    (void)state;
    assert_int_equal(parse("POST /json HTTP/1.0\nContent-Length: 7\n\n", &h), BODYLIMIT_PASS);
    assert_int_equal(h.framing, BODYLIMIT_LENGTH);
    assert_int_equal(h.length, 7);
    assert_int_equal(parse("POST /json HTTP/1.1\r\nContent-Length: 7\n\r\n", &h), BODYLIMIT_PASS);
}

static void head_path_of_each_target_form(void **state)
{
    static const struct {
        const char *target, *path;
    } cases[] = {
        {"/a/b?x=1#f", "/a/b"},           {"/a#f?x", "/a"},
        {"http://h:1/a/b?q", "/a/b"},     {"HTTP://h", "/"},
        {"//authority/p", "/p"},          {"*", "*"},
        {"127.0.0.1:22", "127.0.0.1:22"}, {"/?only=query", "/"},
        {"/%7Ename/x", "/%7Ename/x"},
    };
    char head[128];
    bodylimit_head h;

    (void)state;
    for (size_t i = 0; i < SINAU_ARRAY_LEN(cases); i++) {
        snprintf(head, sizeof head, "OPTIONS %s HTTP/1.1\r\n\r\n", cases[i].target);
        assert_int_equal(parse(head, &h), BODYLIMIT_PASS);
        assert_int_equal(h.path_len, strlen(cases[i].path));
        assert_memory_equal(h.path, cases[i].path, h.path_len);
    }
}

static void head_content_length_variants(void **state)
{
    static const struct {
        const char *headers;
        enum bodylimit_refusal why;
        uint64_t length;
    } cases[] = {
        {"Content-Length: 0\r\n", BODYLIMIT_PASS, 0},
        {"content-length:5\r\n", BODYLIMIT_PASS, 5},
        {"Content-Length: \t 000012 \t\r\n", BODYLIMIT_PASS, 12},
        {"Content-Length: 3\r\nCONTENT-LENGTH: 3\r\n", BODYLIMIT_PASS, 3},
        {"Content-Length: 999999999999999999\r\n", BODYLIMIT_PASS, 999999999999999999u},
        {"Content-Length: 3\r\nContent-Length: 4\r\n", BODYLIMIT_BAD_REQUEST, 0},
        {"Content-Length: 3\r\nContent-Length: 03\r\n", BODYLIMIT_PASS, 3},
        {"Content-Length: -1\r\n", BODYLIMIT_BAD_REQUEST, 0},
        {"Content-Length: +5\r\n", BODYLIMIT_BAD_REQUEST, 0},
        {"Content-Length: 5, 5\r\n", BODYLIMIT_BAD_REQUEST, 0},
        {"Content-Length: 5 5\r\n", BODYLIMIT_BAD_REQUEST, 0},
        {"Content-Length: 0x10\r\n", BODYLIMIT_BAD_REQUEST, 0},
        {"Content-Length: 1e3\r\n", BODYLIMIT_BAD_REQUEST, 0},
        {"Content-Length:\r\n", BODYLIMIT_BAD_REQUEST, 0},
        {"Content-Length: 1000000000000000000\r\n", BODYLIMIT_BAD_REQUEST, 0},
        {"Content-Length: 18446744073709551617\r\n", BODYLIMIT_BAD_REQUEST, 0},
        {"Content-Length : 5\r\n", BODYLIMIT_BAD_REQUEST, 0},
    };
    char head[256];
    bodylimit_head h;

    (void)state;
    for (size_t i = 0; i < SINAU_ARRAY_LEN(cases); i++) {
        snprintf(head, sizeof head, "POST /json HTTP/1.1\r\nHost: x\r\n%s\r\n", cases[i].headers);
        assert_int_equal(parse(head, &h), cases[i].why);
        if (cases[i].why == BODYLIMIT_PASS) {
            assert_int_equal(h.framing, BODYLIMIT_LENGTH);
            assert_true(h.length == cases[i].length);
        }
    }
}

static void head_transfer_encoding_variants(void **state)
{
    static const struct {
        const char *start, *headers;
        enum bodylimit_refusal why;
    } cases[] = {
        {"POST /json", "Transfer-Encoding: chunked\r\n", BODYLIMIT_PASS},
        {"POST /json", "transfer-encoding:  CHUNKED \r\n", BODYLIMIT_PASS},
        {"POST /json", "Transfer-Encoding: gzip, chunked\r\n", BODYLIMIT_BAD_REQUEST},
        {"POST /json", "Transfer-Encoding: chunked, identity\r\n", BODYLIMIT_BAD_REQUEST},
        {"POST /json", "Transfer-Encoding: identity\r\n", BODYLIMIT_BAD_REQUEST},
        {"POST /json", "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
         BODYLIMIT_BAD_REQUEST},
        {"POST /json", "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
         BODYLIMIT_BAD_REQUEST},
        {"HEAD /json", "Transfer-Encoding: chunked\r\n", BODYLIMIT_BAD_REQUEST},
        {"TRACE /json", "Transfer-Encoding: chunked\r\n", BODYLIMIT_BAD_REQUEST},
        {"GET /json", "Transfer-Encoding: chunked\r\n", BODYLIMIT_PASS},
    };
    char head[256];
    bodylimit_head h;

    (void)state;
    for (size_t i = 0; i < SINAU_ARRAY_LEN(cases); i++) {
        snprintf(head, sizeof head, "%s HTTP/1.1\r\nHost: x\r\n%s\r\n", cases[i].start,
                 cases[i].headers);
        assert_int_equal(parse(head, &h), cases[i].why);
        if (cases[i].why == BODYLIMIT_PASS) {
            assert_int_equal(h.framing, BODYLIMIT_CHUNKED);
            assert_true(strncasecmp(head + h.te_start, "transfer-encoding:", 18) == 0);
            assert_int_equal(head[h.te_start + h.te_len - 1], '\n');
        }
    }
}

static void head_malformed_is_refused(void **state)
{
    static const char *bad[] = {
        "GET /a HTTP/1.1\r\nX: 1\r\n folded\r\n\r\n",     /* obs-fold */
        "GET /a HTTP/1.1\r\nNo colon here\r\n\r\n",       /* no colon */
        "GET /a HTTP/1.1\r\nBad Name: 1\r\n\r\n",         /* blank in a name */
        "GET /a HTTP/1.1\r\n: empty name\r\n\r\n",        /* empty name */
        "GET /a HTTP/1.1\r\nX: a\rb\r\n\r\n",             /* bare CR */
        "GET /a HTTP/1.1\rHost: x\r\n\r\n",               /* bare CR */
        "GET /a HTTP/2.0\r\n\r\n",                        /* version */
        "GET /a HTTP/1.\r\n\r\n",                         /* version */
        "GET /a\r\n\r\n",                                 /* no version */
        "GET  /a HTTP/1.1\r\n\r\n",                       /* empty target */
        "GET /a HTTP/1.1 x\r\n\r\n",                      /* four parts */
        "G(T /a HTTP/1.1\r\n\r\n",                        /* method not a token */
        "GET /a\tb HTTP/1.1\r\n\r\n",                     /* CTL in target */
        "\r\nGET /a HTTP/1.1\r\n\r\n",                    /* empty request line */
        "GET /a HTTP/1.1\r\nHost: x\r\n",                 /* no empty line */
        "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n", /* more than one head */
    };
    static const char nul[] = "GET /a\0 HTTP/1.1\r\n\r\n";
    bodylimit_head h;

    (void)state;
    for (size_t i = 0; i < SINAU_ARRAY_LEN(bad); i++)
        assert_int_equal(parse(bad[i], &h), BODYLIMIT_BAD_REQUEST);
    assert_int_equal(bodylimit_parse_head(nul, sizeof nul - 1, &h), BODYLIMIT_BAD_REQUEST);
}

static void head_methods(void **state)
{
    bodylimit_head h;

    (void)state;
    assert_int_equal(parse("BREW /pot HTTP/1.1\r\n\r\n", &h), BODYLIMIT_NOT_IMPLEMENTED);
    assert_int_equal(parse("get /a HTTP/1.1\r\n\r\n", &h), BODYLIMIT_NOT_IMPLEMENTED);
    assert_int_equal(parse("HEAD /a HTTP/1.1\r\nContent-Length: 3\r\n\r\n", &h), BODYLIMIT_PASS);
    assert_false(h.evhttp_body);
    assert_int_equal(parse("TRACE /a HTTP/1.1\r\n\r\n", &h), BODYLIMIT_PASS);
    assert_false(h.evhttp_body);
    assert_int_equal(parse("DELETE /a HTTP/1.1\r\n\r\n", &h), BODYLIMIT_PASS);
    assert_int_equal(h.method, ROUTER_DELETE);
    assert_true(h.evhttp_body);
    assert_int_equal(parse("PATCH /a HTTP/1.1\r\nX-Request-Id: r-1\r\n\r\n", &h), BODYLIMIT_PASS);
    assert_int_equal(h.method, ROUTER_PATCH);
    assert_int_equal(h.request_id_len, 3);
    assert_memory_equal(h.request_id, "r-1", 3);
}

/* ---- rules ---- */

static void rules_limit_per_route(void **state)
{
    fixture *f = *state;
    const bodylimit_rules *r = &f->rules;

    assert_int_equal(r->min_limit, 10);
    assert_int_equal(bodylimit_route_limit(r, ROUTER_POST, "/small", 6), 10);
    assert_int_equal(bodylimit_route_limit(r, ROUTER_PUT, "/big/7/file", 11), 1000);
    assert_int_equal(bodylimit_route_limit(r, ROUTER_POST, "/big/7/file", 11), DEFAULT_LIMIT);
    assert_int_equal(bodylimit_route_limit(r, ROUTER_POST, "/json", 5), DEFAULT_LIMIT);
    assert_int_equal(bodylimit_route_limit(r, ROUTER_POST, "/nowhere", 8), DEFAULT_LIMIT);
    assert_int_equal(bodylimit_route_limit(r, ROUTER_PUT, "*", 1), DEFAULT_LIMIT);
    assert_int_equal(bodylimit_route_limit(r, ROUTER_PUT, NULL, 0), DEFAULT_LIMIT);
    /* the path is the bytes given, not up to a NUL */
    assert_int_equal(bodylimit_route_limit(r, ROUTER_POST, "/smallest", 6), 10);
}

/* ---- the stream ---- */

/* Feeds in[0..len) to a new stream in pieces (cut: split there; 0: whole;
 * SIZE_MAX: one byte at a time) and returns what evhttp would read
 * (NUL-terminated, owned) with its length in *outlen. */
static char *run(const bodylimit_rules *rules, const char *in, size_t len, size_t cut,
                 size_t *outlen, enum bodylimit_refusal *why)
{
    bodylimit_stream *s = bodylimit_stream_new(rules);
    struct evbuffer *src = evbuffer_new(), *out = evbuffer_new();
    size_t at = 0;
    char *text;

    while (at < len) {
        size_t n = cut == SIZE_MAX ? 1 : at < cut ? cut - at : len - at;
        evbuffer_add(src, in + at, n);
        assert_int_equal(bodylimit_stream_feed(s, src, out), n);
        assert_int_equal(evbuffer_get_length(src), 0);
        at += n;
    }
    *outlen = evbuffer_get_length(out);
    text = malloc(*outlen + 1);
    evbuffer_remove(out, text, *outlen);
    text[*outlen] = '\0';
    *why = bodylimit_stream_refusal(s);
    bodylimit_stream_free(s);
    evbuffer_free(src);
    evbuffer_free(out);
    return text;
}

/* expected with each {T} replaced by token (owned). */
static char *with_token(const char *expected, const char *token)
{
    size_t cap = strlen(expected) + 8 * strlen(token) + 1, o = 0;
    char *s = malloc(cap);

    for (const char *p = expected; *p != '\0';) {
        if (strncmp(p, "{T}", 3) == 0) {
            o += (size_t)snprintf(s + o, cap - o, "%s", token);
            p += 3;
        } else {
            s[o++] = *p++;
        }
    }
    s[o] = '\0';
    return s;
}

/* The token, read from a refusal head in out ("" when there is none). */
static void token_of(const char *out, char *token, size_t size)
{
    const char *t = strstr(out, "X-Sinau-Refusal: ");
    size_t n = 0;

    token[0] = '\0';
    if (t == NULL)
        return;
    t += strlen("X-Sinau-Refusal: ");
    while (t[n] != '\r' && t[n] != '\0' && n + 1 < size)
        n++;
    memcpy(token, t, n);
    token[n] = '\0';
}

/* in gives evhttp exactly `expected` (and refusal `why`) however it is
 * split into reads. */
static void expect_stream(const bodylimit_rules *rules, const char *in, size_t len,
                          const char *expected, enum bodylimit_refusal why)
{
    char token[64], *want;
    size_t outlen;
    enum bodylimit_refusal got;
    char *out = run(rules, in, len, 0, &outlen, &got);

    token_of(out, token, sizeof token);
    if (strstr(expected, "{T}") != NULL)
        assert_int_equal(strlen(token), 32);
    want = with_token(expected, token);
    assert_string_equal(out, want);
    assert_int_equal(outlen, strlen(want));
    assert_int_equal(got, why);
    free(out);
    for (size_t cut = 1; cut <= len; cut++) {
        out = run(rules, in, len, cut == len ? SIZE_MAX : cut, &outlen, &got);
        if (outlen != strlen(want) || memcmp(out, want, outlen) != 0)
            fail_msg("split at %zu of %zu: got\n%s\nwant\n%s", cut, len, out, want);
        assert_int_equal(got, why);
        free(out);
    }
    free(want);
}

#define EXPECT(f, in, out, why) expect_stream(&(f)->rules, in, sizeof(in) - 1, out, why)

static void stream_passes_pipelined_requests(void **state)
{
    fixture *f = *state;
    static const char in[] = "POST /small HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789"
                             "GET /json HTTP/1.1\r\nHost: x\r\n\r\n"
                             "PUT /big/1/file HTTP/1.1\r\nContent-Length: 1\r\n\r\nZ"
                             "POST /json HTTP/1.1\nContent-Length: 3\n\nabc";

    EXPECT(f, in, in, BODYLIMIT_PASS);
}

static void stream_refuses_one_byte_over_and_skips_the_body(void **state)
{
    fixture *f = *state;
    static const char in[] = "POST /small HTTP/1.1\r\nContent-Length: 11\r\n\r\n0123456789X"
                             "GET /json HTTP/1.1\r\n\r\n";

    EXPECT(f, in, TOO_LARGE "GET /json HTTP/1.1\r\n\r\n", BODYLIMIT_TOO_LARGE);
}

static void stream_refuses_before_any_body_byte(void **state)
{
    fixture *f = *state;
    static const char in[] = "POST /json HTTP/1.1\r\nX-Request-Id: abc.1\r\n"
                             "Content-Length: 999999999\r\n\r\n";

    EXPECT(f, in,
           "POST /__sinau/too-large HTTP/1.1\r\nHost: sinau\r\nX-Sinau-Refusal: {T}\r\n"
           "X-Request-Id: abc.1\r\nContent-Length: 0\r\n\r\n",
           BODYLIMIT_TOO_LARGE);
}

static void stream_limit_is_the_routes(void **state)
{
    fixture *f = *state;
    char in[2048];
    int n;

    /* 500 bytes: over the default, within the upload route's 1000 */
    n = snprintf(in, sizeof in, "PUT /big/9/file HTTP/1.1\r\nContent-Length: 500\r\n\r\n%500s", "");
    expect_stream(&f->rules, in, (size_t)n, in, BODYLIMIT_PASS);
    n = snprintf(in, sizeof in, "PUT /big/9/file HTTP/1.1\r\nContent-Length: 1001\r\n\r\n%1001s",
                 "");
    expect_stream(&f->rules, in, (size_t)n, TOO_LARGE, BODYLIMIT_TOO_LARGE);
    /* the same size elsewhere: the default limit */
    n = snprintf(in, sizeof in, "POST /nowhere HTTP/1.1\r\nContent-Length: 101\r\n\r\n%101s", "");
    expect_stream(&f->rules, in, (size_t)n, TOO_LARGE, BODYLIMIT_TOO_LARGE);
    n = snprintf(in, sizeof in, "POST /nowhere HTTP/1.1\r\nContent-Length: 100\r\n\r\n%100s", "");
    expect_stream(&f->rules, in, (size_t)n, in, BODYLIMIT_PASS);
}

static void stream_decodes_chunked_within_the_limit(void **state)
{
    fixture *f = *state;
    static const char in[] = "POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                             "X-After: 1\r\n\r\n"
                             "3\r\nabc\r\n004;name=value\r\ndefg\r\nA \r\n0123456789\r\n"
                             "0\r\nTrailer: dropped\r\n\r\n"
                             "GET /json HTTP/1.1\r\n\r\n";
    static const char in_small[] = "POST /small HTTP/1.1\nTransfer-Encoding: chunked\n\n"
                                   "5\nhello\n0\n\n";

    /* 17 bytes on /small (10) is too large; on /json (100) it is not */
    EXPECT(f, in, TOO_LARGE "GET /json HTTP/1.1\r\n\r\n", BODYLIMIT_TOO_LARGE);
    EXPECT(f,
           "POST /json HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nX-After: 1\r\n\r\n"
           "3\r\nabc\r\n004;name=value\r\ndefg\r\nA \r\n0123456789\r\n"
           "0\r\nTrailer: dropped\r\n\r\nGET /json HTTP/1.1\r\n\r\n",
           "POST /json HTTP/1.1\r\nHost: x\r\nX-After: 1\r\nContent-Length: 17\r\n\r\n"
           "abcdefg0123456789GET /json HTTP/1.1\r\n\r\n",
           BODYLIMIT_PASS);
    EXPECT(f, in_small, "POST /small HTTP/1.1\nContent-Length: 5\r\n\r\nhello", BODYLIMIT_PASS);
    /* exactly the limit of /small, in two chunks; one byte more is refused */
    EXPECT(f,
           "POST /small HTTP/1.1\r\nTransfer-Encoding: "
           "chunked\r\n\r\n4\r\nabcd\r\n6\r\nefghij\r\n0\r\n\r\n",
           "POST /small HTTP/1.1\r\nContent-Length: 10\r\n\r\nabcdefghij", BODYLIMIT_PASS);
    EXPECT(f,
           "POST /small HTTP/1.1\r\nTransfer-Encoding: "
           "chunked\r\n\r\n4\r\nabcd\r\n7\r\nefghijk\r\n0\r\n\r\n",
           TOO_LARGE, BODYLIMIT_TOO_LARGE);
    EXPECT(f, "POST /json HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
           "POST /json HTTP/1.1\r\nContent-Length: 0\r\n\r\n", BODYLIMIT_PASS);
}

static void stream_refuses_malformed_chunks_and_drops_the_rest(void **state)
{
    fixture *f = *state;
    static const char *bodies[] = {
        "zz\r\n",               /* not hex */
        "\r\n",                 /* no size */
        "3\r\nabcX\r\n",        /* no line end after the data */
        "3x\r\nabc\r\n",        /* junk after the size */
        "1000000000000000\r\n", /* 16 hex digits */
    };
    char in[256];

    for (size_t i = 0; i < SINAU_ARRAY_LEN(bodies); i++) {
        int n = snprintf(in, sizeof in,
                         "POST /json HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n%s"
                         "0\r\n\r\nGET /json HTTP/1.1\r\n\r\n",
                         bodies[i]);
        expect_stream(&f->rules, in, (size_t)n, i == 4 ? CLOSING("too-large") : BAD,
                      i == 4 ? BODYLIMIT_TOO_LARGE : BODYLIMIT_BAD_REQUEST);
    }
}

static void stream_refuses_a_bad_head_and_drops_the_rest(void **state)
{
    fixture *f = *state;

    EXPECT(f,
           "GET /json HTTP/1.1\r\n\r\n"
           "POST /json HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"
           "GET /json HTTP/1.1\r\n\r\n",
           "GET /json HTTP/1.1\r\n\r\n" BAD, BODYLIMIT_BAD_REQUEST);
    EXPECT(f, "POST /json HTTP/1.1\r\nContent-Length: -1\r\n\r\n", BAD, BODYLIMIT_BAD_REQUEST);
    EXPECT(f, "BREW /pot HTTP/1.1\r\n\r\nGET /json HTTP/1.1\r\n\r\n", NOT_IMPL,
           BODYLIMIT_NOT_IMPLEMENTED);
}

static void stream_bounds_the_head(void **state)
{
    fixture *f = *state;
    char in[MAX_HEAD + 64];
    int n;

    /* exactly MAX_HEAD bytes of head pass; one more is 431 */
    n = snprintf(in, sizeof in, "GET /json HTTP/1.1\r\nX: %*s\r\n\r\n", MAX_HEAD - 27, "");
    assert_int_equal(n, MAX_HEAD);
    expect_stream(&f->rules, in, (size_t)n, in, BODYLIMIT_PASS);
    n = snprintf(in, sizeof in, "GET /json HTTP/1.1\r\nX: %*s\r\n\r\n", MAX_HEAD - 26, "");
    expect_stream(&f->rules, in, (size_t)n, HEAD_TOO_BIG, BODYLIMIT_HEAD_TOO_LARGE);
    /* and a head that never ends */
    memset(in, 'a', sizeof in);
    expect_stream(&f->rules, in, sizeof in, HEAD_TOO_BIG, BODYLIMIT_HEAD_TOO_LARGE);
}

static void stream_drops_blank_lines_before_a_request(void **state)
{
    fixture *f = *state;

    EXPECT(f, "\r\n\n\r\nGET /json HTTP/1.1\r\n\r\n\r\nGET /json HTTP/1.1\r\n\r\n",
           "GET /json HTTP/1.1\r\n\r\nGET /json HTTP/1.1\r\n\r\n", BODYLIMIT_PASS);
}

static void stream_skips_bodies_evhttp_would_not_read(void **state)
{
    fixture *f = *state;
    char in[256];
    int n;

    /* evhttp 2.1.12 reads no body for HEAD and TRACE: the bytes that the
     * Content-Length covers must not become the next request */
    EXPECT(f, "HEAD /json HTTP/1.1\r\nContent-Length: 26\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n",
           "HEAD /json HTTP/1.1\r\nContent-Length: 26\r\n\r\n", BODYLIMIT_PASS);
    /* over the limit, the refusal of a HEAD is a HEAD: its answer has no body */
    n = snprintf(in, sizeof in, "HEAD /json HTTP/1.1\r\nContent-Length: 101\r\n\r\n%101s%s", "",
                 "GET /json HTTP/1.1\r\n\r\n");
    expect_stream(&f->rules, in, (size_t)n,
                  "HEAD /__sinau/too-large HTTP/1.1\r\nHost: sinau\r\nX-Sinau-Refusal: {T}\r\n"
                  "Content-Length: 0\r\n\r\nGET /json HTTP/1.1\r\n\r\n",
                  BODYLIMIT_TOO_LARGE);
    /* GET carries one (evhttp reads it) */
    EXPECT(f, "GET /json HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
           "GET /json HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", BODYLIMIT_PASS);
}

static void stream_free_accepts_null(void **state)
{
    (void)state;
    bodylimit_stream_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(head_without_body),
        cmocka_unit_test(head_lines_may_end_in_lf_alone),
        cmocka_unit_test(head_path_of_each_target_form),
        cmocka_unit_test(head_content_length_variants),
        cmocka_unit_test(head_transfer_encoding_variants),
        cmocka_unit_test(head_malformed_is_refused),
        cmocka_unit_test(head_methods),
        cmocka_unit_test_setup_teardown(rules_limit_per_route, setup, teardown),
        cmocka_unit_test_setup_teardown(stream_passes_pipelined_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(stream_refuses_one_byte_over_and_skips_the_body, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(stream_refuses_before_any_body_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(stream_limit_is_the_routes, setup, teardown),
        cmocka_unit_test_setup_teardown(stream_decodes_chunked_within_the_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(stream_refuses_malformed_chunks_and_drops_the_rest, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(stream_refuses_a_bad_head_and_drops_the_rest, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(stream_bounds_the_head, setup, teardown),
        cmocka_unit_test_setup_teardown(stream_drops_blank_lines_before_a_request, setup, teardown),
        cmocka_unit_test_setup_teardown(stream_skips_bodies_evhttp_would_not_read, setup, teardown),
        cmocka_unit_test(stream_free_accepts_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
