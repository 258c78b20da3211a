/* test_http_parse.c — unit tests for parse.c: the request-head scan and
 * parser, request ids, and the chunked body decoder. Every decoder case is
 * fed whole, split in two at every byte, and one byte at a time, the way a
 * connection's reads may cut it, and must decode the same each way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sinau/http/parse.h"
#include "sinau/http/router.h"

#define MAX_FIELDS 32

static http_field fields[MAX_FIELDS];

/* ---- the head parser ---- */

static enum http_refusal parse(const char *head, http_head *h)
{
    return http_parse_head(head, strlen(head), h, fields, MAX_FIELDS);
}

static void head_without_body(void **state)
{
    http_head h;

    (void)state;
    assert_int_equal(parse("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", &h), HTTP_PASS);
    assert_int_equal(h.method, ROUTER_GET);
    assert_true(h.reads_body);
    assert_true(h.keep_alive);
    assert_false(h.http10);
    assert_int_equal(h.framing, HTTP_NO_BODY);
    assert_int_equal(h.path_len, strlen("/healthz"));
    assert_memory_equal(h.path, "/healthz", h.path_len);
    assert_null(h.query);
    assert_int_equal(h.nfields, 1);
    assert_int_equal(h.fields[0].name_len, 4);
    assert_memory_equal(h.fields[0].value, "x", 1);
}

static void head_lines_may_end_in_lf_alone(void **state)
{
    http_head h;

    (void)state;
    assert_int_equal(parse("POST /json HTTP/1.0\nContent-Length: 7\n\n", &h), HTTP_PASS);
    assert_int_equal(h.framing, HTTP_LENGTH);
    assert_int_equal(h.length, 7);
    assert_true(h.http10);
    assert_false(h.keep_alive);
    assert_int_equal(parse("POST /json HTTP/1.1\r\nContent-Length: 7\n\r\n", &h), HTTP_PASS);
}

static void head_path_and_query_of_each_target_form(void **state)
{
    static const struct {
        const char *target, *path, *query;
    } cases[] = {
        {"/a/b?x=1#f", "/a/b", "x=1"},          {"/a#f?x", "/a", NULL},
        {"http://h:1/a/b?q", "/a/b", "q"},      {"HTTP://h", "/", NULL},
        {"//authority/p", "/p", NULL},          {"*", "*", NULL},
        {"127.0.0.1:22", "127.0.0.1:22", NULL}, {"/?only=query", "/", "only=query"},
        {"/%7Ename/x", "/%7Ename/x", NULL},     {"/a?", "/a", ""},
    };
    char head[128];
    http_head h;

    (void)state;
    for (size_t i = 0; i < SINAU_ARRAY_LEN(cases); i++) {
        snprintf(head, sizeof head, "OPTIONS %s HTTP/1.1\r\n\r\n", cases[i].target);
        assert_int_equal(parse(head, &h), HTTP_PASS);
        assert_int_equal(h.path_len, strlen(cases[i].path));
        assert_memory_equal(h.path, cases[i].path, h.path_len);
        if (cases[i].query == NULL) {
            assert_null(h.query);
        } else {
            assert_int_equal(h.query_len, strlen(cases[i].query));
            assert_memory_equal(h.query, cases[i].query, h.query_len);
        }
    }
}

static void head_content_length_variants(void **state)
{
    static const struct {
        const char *headers;
        enum http_refusal why;
        uint64_t length;
    } cases[] = {
        {"Content-Length: 0\r\n", HTTP_PASS, 0},
        {"content-length:5\r\n", HTTP_PASS, 5},
        {"Content-Length: \t 000012 \t\r\n", HTTP_PASS, 12},
        {"Content-Length: 3\r\nCONTENT-LENGTH: 3\r\n", HTTP_PASS, 3},
        {"Content-Length: 999999999999999999\r\n", HTTP_PASS, 999999999999999999u},
        {"Content-Length: 3\r\nContent-Length: 4\r\n", HTTP_BAD_REQUEST, 0},
        {"Content-Length: 3\r\nContent-Length: 03\r\n", HTTP_PASS, 3},
        {"Content-Length: -1\r\n", HTTP_BAD_REQUEST, 0},
        {"Content-Length: +5\r\n", HTTP_BAD_REQUEST, 0},
        {"Content-Length: 5, 5\r\n", HTTP_BAD_REQUEST, 0},
        {"Content-Length: 5 5\r\n", HTTP_BAD_REQUEST, 0},
        {"Content-Length: 0x10\r\n", HTTP_BAD_REQUEST, 0},
        {"Content-Length: 1e3\r\n", HTTP_BAD_REQUEST, 0},
        {"Content-Length:\r\n", HTTP_BAD_REQUEST, 0},
        {"Content-Length: 1000000000000000000\r\n", HTTP_BAD_REQUEST, 0},
        {"Content-Length: 18446744073709551617\r\n", HTTP_BAD_REQUEST, 0},
        {"Content-Length : 5\r\n", HTTP_BAD_REQUEST, 0},
    };
    char head[256];
    http_head h;

    (void)state;
    for (size_t i = 0; i < SINAU_ARRAY_LEN(cases); i++) {
        snprintf(head, sizeof head, "POST /json HTTP/1.1\r\nHost: x\r\n%s\r\n", cases[i].headers);
        assert_int_equal(parse(head, &h), cases[i].why);
        if (cases[i].why == HTTP_PASS) {
            assert_int_equal(h.framing, HTTP_LENGTH);
            assert_true(h.length == cases[i].length);
        }
    }
}

static void head_transfer_encoding_variants(void **state)
{
    static const struct {
        const char *start, *headers;
        enum http_refusal why;
    } cases[] = {
        {"POST /json", "Transfer-Encoding: chunked\r\n", HTTP_PASS},
        {"POST /json", "transfer-encoding:  CHUNKED \r\n", HTTP_PASS},
        {"POST /json", "Transfer-Encoding: gzip, chunked\r\n", HTTP_BAD_REQUEST},
        {"POST /json", "Transfer-Encoding: chunked, identity\r\n", HTTP_BAD_REQUEST},
        {"POST /json", "Transfer-Encoding: identity\r\n", HTTP_BAD_REQUEST},
        {"POST /json", "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
         HTTP_BAD_REQUEST},
        {"POST /json", "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", HTTP_BAD_REQUEST},
        {"HEAD /json", "Transfer-Encoding: chunked\r\n", HTTP_BAD_REQUEST},
        {"TRACE /json", "Transfer-Encoding: chunked\r\n", HTTP_BAD_REQUEST},
        {"GET /json", "Transfer-Encoding: chunked\r\n", HTTP_PASS},
    };
    char head[256];
    http_head h;

    (void)state;
    for (size_t i = 0; i < SINAU_ARRAY_LEN(cases); i++) {
        snprintf(head, sizeof head, "%s HTTP/1.1\r\nHost: x\r\n%s\r\n", cases[i].start,
                 cases[i].headers);
        assert_int_equal(parse(head, &h), cases[i].why);
        if (cases[i].why == HTTP_PASS)
            assert_int_equal(h.framing, HTTP_CHUNKED);
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
    http_head h;

    (void)state;
    for (size_t i = 0; i < SINAU_ARRAY_LEN(bad); i++)
        assert_int_equal(parse(bad[i], &h), HTTP_BAD_REQUEST);
    assert_int_equal(http_parse_head(nul, sizeof nul - 1, &h, fields, MAX_FIELDS),
                     HTTP_BAD_REQUEST);
}

static void head_methods(void **state)
{
    http_head h;

    (void)state;
    assert_int_equal(parse("BREW /pot HTTP/1.1\r\n\r\n", &h), HTTP_NOT_IMPLEMENTED);
    assert_int_equal(parse("get /a HTTP/1.1\r\n\r\n", &h), HTTP_NOT_IMPLEMENTED);
    assert_int_equal(parse("HEAD /a HTTP/1.1\r\nContent-Length: 3\r\n\r\n", &h), HTTP_PASS);
    assert_false(h.reads_body);
    assert_int_equal(parse("TRACE /a HTTP/1.1\r\n\r\n", &h), HTTP_PASS);
    assert_false(h.reads_body);
    assert_int_equal(parse("DELETE /a HTTP/1.1\r\n\r\n", &h), HTTP_PASS);
    assert_int_equal(h.method, ROUTER_DELETE);
    assert_true(h.reads_body);
    assert_int_equal(parse("PATCH /a HTTP/1.1\r\nX-Request-Id: r-1\r\n\r\n", &h), HTTP_PASS);
    assert_int_equal(h.method, ROUTER_PATCH);
    assert_int_equal(h.request_id, 0);
    assert_int_equal(h.fields[0].value_len, 3);
    assert_memory_equal(h.fields[0].value, "r-1", 3);
    for (unsigned bit = 1; bit <= ROUTER_PATCH; bit <<= 1)
        assert_int_equal(
            router_method_parse(router_method_name(bit), strlen(router_method_name(bit))), bit);
    assert_null(router_method_name(0));
}

static void head_connection_and_expect(void **state)
{
    static const struct {
        const char *version, *headers;
        enum http_refusal why;
        bool keep_alive, expect_continue;
    } cases[] = {
        {"HTTP/1.1", "", HTTP_PASS, true, false},
        {"HTTP/1.1", "Connection: close\r\n", HTTP_PASS, false, false},
        {"HTTP/1.1", "Connection: Upgrade, CLOSE\r\n", HTTP_PASS, false, false},
        {"HTTP/1.0", "", HTTP_PASS, false, false},
        {"HTTP/1.0", "Connection: keep-alive\r\n", HTTP_PASS, true, false},
        {"HTTP/1.0", "Connection: keep-alive\r\nConnection: close\r\n", HTTP_PASS, false, false},
        {"HTTP/1.1", "Expect: 100-continue\r\n", HTTP_PASS, true, true},
        {"HTTP/1.1", "Expect: 100-Continue\r\n", HTTP_PASS, true, true},
        {"HTTP/1.0", "Expect: 100-continue\r\n", HTTP_PASS, false, false},
        {"HTTP/1.1", "Expect: something-else\r\n", HTTP_EXPECTATION_FAILED, true, false},
        {"HTTP/1.1", "Expect: 100-continue\r\nExpect: x\r\n", HTTP_EXPECTATION_FAILED, true, true},
    };
    char head[256];
    http_head h;

    (void)state;
    for (size_t i = 0; i < SINAU_ARRAY_LEN(cases); i++) {
        snprintf(head, sizeof head, "POST /a %s\r\n%s\r\n", cases[i].version, cases[i].headers);
        assert_int_equal(parse(head, &h), cases[i].why);
        assert_int_equal(h.keep_alive, cases[i].keep_alive);
        assert_int_equal(h.expect_continue, cases[i].expect_continue);
    }
}

static void head_too_many_fields(void **state)
{
    char head[512];
    size_t n = (size_t)snprintf(head, sizeof head, "GET /a HTTP/1.1\r\n");
    http_head h;

    (void)state;
    for (int i = 0; i < 5; i++)
        n += (size_t)snprintf(head + n, sizeof head - n, "X-%d: v\r\n", i);
    n += (size_t)snprintf(head + n, sizeof head - n, "\r\n");
    assert_int_equal(http_parse_head(head, n, &h, fields, 5), HTTP_PASS);
    assert_int_equal(http_parse_head(head, n, &h, fields, 4), HTTP_HEAD_TOO_LARGE);
}

static void head_terminate_writes_nuls_in_place(void **state)
{
    char head[] = "GET /a/b?x=1&y=2 HTTP/1.1\r\nHost:  h \r\nX-Empty:\r\n\r\n";
    http_head h;

    (void)state;
    assert_int_equal(http_parse_head(head, strlen(head), &h, fields, MAX_FIELDS), HTTP_PASS);
    http_head_terminate(head, &h);
    assert_string_equal(h.path, "/a/b");
    assert_string_equal(h.query, "x=1&y=2");
    assert_string_equal(h.fields[0].value, "h");
    assert_string_equal(h.fields[1].value, "");
    assert_non_null(http_head_field(&h, "HOST", 4));
    assert_null(http_head_field(&h, "Hos", 3));
}

static void request_ids(void **state)
{
    (void)state;
    assert_true(http_request_id_ok("abc", 3));
    assert_true(http_request_id_ok("Req.123_x-Y", 11));
    assert_true(http_request_id_ok("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 40));
    assert_false(http_request_id_ok("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 41));
    assert_false(http_request_id_ok("", 0));
    assert_false(http_request_id_ok("has space", 9));
    assert_false(http_request_id_ok("a/b", 3));
    assert_false(http_request_id_ok("<script>", 8));
}

/* ---- header values and the query string ---- */

static void bearer_tokens(void **state)
{
    (void)state;
    assert_string_equal(http_bearer_token("Bearer abc"), "abc");
    assert_string_equal(http_bearer_token("bearer  \tabc"), "abc");
    assert_string_equal(http_bearer_token("BEARER x.y"), "x.y");
    assert_null(http_bearer_token("Bearer"));
    assert_null(http_bearer_token("Bearer   "));
    assert_null(http_bearer_token("Bearerabc"));
    assert_null(http_bearer_token("Basic YWJj"));
}

static void forwarded_last_entry(void **state)
{
    static const struct {
        const char *value, *last;
    } cases[] = {
        {"203.0.113.7", "203.0.113.7"},
        {"10.0.0.1, 203.0.113.7", "203.0.113.7"},
        {"10.0.0.1,203.0.113.7 ", "203.0.113.7"},
        {"a, b ,\t2001:db8::1\t", "2001:db8::1"},
        {"10.0.0.1,", NULL},
        {"", NULL},
    };
    const char *e;
    size_t n;

    (void)state;
    for (size_t i = 0; i < SINAU_ARRAY_LEN(cases); i++) {
        bool got = http_forwarded_last(cases[i].value, strlen(cases[i].value), &e, &n);
        assert_int_equal(got, cases[i].last != NULL);
        if (got) {
            assert_int_equal(n, strlen(cases[i].last));
            assert_memory_equal(e, cases[i].last, n);
        }
    }
}

typedef struct qcollect {
    char text[256];
    size_t len;
} qcollect;

static void qsink(void *arg, const char *k, size_t kn, const char *v, size_t vn)
{
    qcollect *q = arg;
    char dk[64], dv[64];

    http_form_decode(k, kn, dk);
    http_form_decode(v, vn, dv);
    q->len += (size_t)snprintf(q->text + q->len, sizeof q->text - q->len, "[%s=%s]", dk, dv);
}

static void query_strings(void **state)
{
    static const struct {
        const char *query, *pairs;
        int n;
    } cases[] = {
        {"ms=0", "[ms=0]", 1},
        {"a=1&b=&c=x%20y+z", "[a=1][b=][c=x y z]", 3},
        {"q=%zz%4", "[q=%zz%4]", 1},
        {"a=1&b", "[a=1]", -1},
        {"a=1&&b=2", "[a=1]", -1},
        {"=1", "", -1},
        {"", "", 0},
    };
    char seg[32];

    (void)state;
    for (size_t i = 0; i < SINAU_ARRAY_LEN(cases); i++) {
        qcollect q = {"", 0};
        assert_int_equal(http_query_split(cases[i].query, strlen(cases[i].query), qsink, &q),
                         cases[i].n);
        assert_string_equal(q.text, cases[i].pairs);
    }
    assert_true(http_segment_decode("a%20b", 5, seg));
    assert_string_equal(seg, "a b");
    assert_false(http_segment_decode("a%2Fb", 5, seg)); /* an encoded '/' */
    assert_false(http_segment_decode("a%00", 4, seg));
    assert_false(http_segment_decode("a%2", 3, seg));
    assert_false(http_segment_decode("%zz", 3, seg));
}

/* ---- where a head ends ---- */

/* The head end of in, scanned as it arrives in pieces of `step` bytes. */
static size_t scan_in_pieces(const char *in, size_t len, size_t step)
{
    http_scan sc = {0, 0, 0, 0};

    for (size_t have = step; have < len + step; have += step) {
        size_t end = http_scan_head(&sc, in, have < len ? have : len);
        if (end != 0)
            return end;
    }
    return 0;
}

static void scan_finds_the_end_however_cut(void **state)
{
    static const char *heads[] = {
        "GET / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\n\n",
        "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET / HTTP/1.1\nHost: x\n\r\n",
    };
    char in[128];

    (void)state;
    for (size_t i = 0; i < SINAU_ARRAY_LEN(heads); i++) {
        size_t n = strlen(heads[i]);
        snprintf(in, sizeof in, "%sGET /next HTTP/1.1\r\n", heads[i]);
        for (size_t step = 1; step <= strlen(in); step++)
            assert_int_equal(scan_in_pieces(in, strlen(in), step), n);
    }
    assert_int_equal(scan_in_pieces("GET / HTTP/1.1\r\nHost: x\r\n", 24, 1), 0);
}

static void blank_lines_before_a_request_are_skipped(void **state)
{
    (void)state;
    assert_int_equal(http_skip_blank_lines("\r\n\n\r\nGET", 8), 5);
    assert_int_equal(http_skip_blank_lines("GET", 3), 0);
    assert_int_equal(http_skip_blank_lines("\r", 1), 0);
    assert_int_equal(http_skip_blank_lines("\r\n\r", 3), 2);
}

/* ---- the chunked decoder ---- */

typedef struct decoded {
    char data[8192];
    size_t len;
} decoded;

static void sink(void *arg, const char *p, size_t n)
{
    decoded *d = arg;

    assert_true(d->len + n <= sizeof d->data);
    memcpy(d->data + d->len, p, n);
    d->len += n;
}

/* Decodes in, arriving in pieces of `step` bytes (0: whole), the way a
 * connection does: what is not consumed is given again with what follows.
 * Returns the final status (or HTTP_CHUNKED_MORE), the data in *out, the
 * bytes consumed in *used; OVER goes on with the data dropped. */
static enum http_chunked_status decode(const char *in, size_t len, size_t step, uint64_t limit,
                                       decoded *out, size_t *used, bool *over)
{
    http_chunked d;
    size_t at = 0, have = step == 0 ? len : 0;
    enum http_chunked_status st = HTTP_CHUNKED_MORE;

    http_chunked_init(&d, limit, 64);
    out->len = 0;
    *over = false;
    for (;;) {
        size_t n = 0;
        if (step != 0)
            have = have + step < len ? have + step : len;
        st = http_chunked_decode(&d, in + at, have - at, &n, sink, out);
        at += n;
        if (st == HTTP_CHUNKED_OVER) {
            *over = true;
            continue;
        }
        if (st != HTTP_CHUNKED_MORE || have == len)
            break;
    }
    *used = at;
    return st;
}

/* in decodes to want (and status st, leaving `rest` unconsumed) however it
 * is cut. */
static void expect_chunked(const char *in, uint64_t limit, enum http_chunked_status st,
                           const char *want, bool over, size_t rest)
{
    size_t len = strlen(in);
    decoded out;

    for (size_t step = 0; step <= len; step++) {
        size_t used = 0;
        bool got_over = false;
        enum http_chunked_status got = decode(in, len, step, limit, &out, &used, &got_over);
        if (got != st || got_over != over)
            fail_msg("step %zu: status %d over %d, want %d %d", step, got, got_over, st, over);
        if (st == HTTP_CHUNKED_DONE && !over &&
            (out.len != strlen(want) || memcmp(out.data, want, out.len) != 0))
            fail_msg("step %zu: data %.*s, want %s", step, (int)out.len, out.data, want);
        if (st == HTTP_CHUNKED_DONE)
            assert_int_equal(len - used, rest);
    }
}

static void chunked_decodes_within_the_limit(void **state)
{
    (void)state;
    expect_chunked("3\r\nabc\r\n004;name=value\r\ndefg\r\nA \r\n0123456789\r\n"
                   "0\r\nTrailer: dropped\r\n\r\nGET /next",
                   100, HTTP_CHUNKED_DONE, "abcdefg0123456789", false, 9);
    expect_chunked("5\nhello\n0\n\n", 10, HTTP_CHUNKED_DONE, "hello", false, 0);
    expect_chunked("0\r\n\r\n", 10, HTTP_CHUNKED_DONE, "", false, 0);
    /* exactly the limit, in two chunks; one byte more is over */
    expect_chunked("4\r\nabcd\r\n6\r\nefghij\r\n0\r\n\r\n", 10, HTTP_CHUNKED_DONE, "abcdefghij",
                   false, 0);
    expect_chunked("4\r\nabcd\r\n7\r\nefghijk\r\n0\r\n\r\n", 10, HTTP_CHUNKED_DONE, "", true, 0);
}

static void chunked_refuses_malformed_framing(void **state)
{
    static const char *bodies[] = {
        "zz\r\n",        /* not hex */
        "\r\n",          /* no size */
        "3\r\nabcX\r\n", /* no line end after the data */
        "3x\r\nabc\r\n", /* junk after the size */
    };
    size_t used;
    bool over;
    decoded out;

    (void)state;
    for (size_t i = 0; i < SINAU_ARRAY_LEN(bodies); i++)
        expect_chunked(bodies[i], 100, HTTP_CHUNKED_BAD, "", false, 0);
    assert_int_equal(decode("1000000000000000\r\n", 18, 0, 100, &out, &used, &over),
                     HTTP_CHUNKED_HUGE);
    assert_int_equal(decode("2;a\rb\r\nab\r\n", 11, 0, 100, &out, &used, &over), HTTP_CHUNKED_BAD);
}

static void chunked_bounds_lines_and_trailers(void **state)
{
    char in[2048];
    size_t used;
    bool over;
    decoded out;

    (void)state;
    /* a size line that never ends */
    memset(in, '1', sizeof in);
    assert_int_equal(decode(in, sizeof in, 0, 100, &out, &used, &over), HTTP_CHUNKED_BAD);
    /* a trailer section over its bound (64 here) */
    snprintf(in, sizeof in, "0\r\nX: %0100d\r\n\r\n", 0);
    assert_int_equal(decode(in, strlen(in), 0, 100, &out, &used, &over),
                     HTTP_CHUNKED_TRAILER_TOO_LARGE);
    snprintf(in, sizeof in, "0\r\nX: %090d", 0);
    assert_int_equal(decode(in, strlen(in), 0, 100, &out, &used, &over),
                     HTTP_CHUNKED_TRAILER_TOO_LARGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(head_without_body),
        cmocka_unit_test(head_lines_may_end_in_lf_alone),
        cmocka_unit_test(head_path_and_query_of_each_target_form),
        cmocka_unit_test(head_content_length_variants),
        cmocka_unit_test(head_transfer_encoding_variants),
        cmocka_unit_test(head_malformed_is_refused),
        cmocka_unit_test(head_methods),
        cmocka_unit_test(head_connection_and_expect),
        cmocka_unit_test(head_too_many_fields),
        cmocka_unit_test(head_terminate_writes_nuls_in_place),
        cmocka_unit_test(request_ids),
        cmocka_unit_test(bearer_tokens),
        cmocka_unit_test(forwarded_last_entry),
        cmocka_unit_test(query_strings),
        cmocka_unit_test(scan_finds_the_end_however_cut),
        cmocka_unit_test(blank_lines_before_a_request_are_skipped),
        cmocka_unit_test(chunked_decodes_within_the_limit),
        cmocka_unit_test(chunked_refuses_malformed_framing),
        cmocka_unit_test(chunked_bounds_lines_and_trailers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
