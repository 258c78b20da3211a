/* fuzz_http_parse.c — libFuzzer driver for parse.c, the server's only
 * request parser: the head scan and head parser, the chunked decoder, and
 * the readers of header values and the query string.
 *
 * The first byte picks what is fuzzed (its value mod 3) and how the input
 * is cut into reads (the rest: a piece size, 0 for whole). A head must be
 * found at the same end however it arrives, parse without reading past it,
 * and after http_head_terminate every value and the path must be C strings
 * inside the head. A chunked body must decode to the same status, the same
 * data and the same consumed bytes whole and in pieces, and never give the
 * sink more than its limit. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "sinau/http/parse.h"

#define MAX_TRAILER 256

static size_t scan(const char *p, size_t len, size_t step, size_t *lines)
{
    http_scan sc = {0, 0, 0, 0};
    size_t have = step == 0 ? len : 0, end = 0;

    do {
        if (step != 0)
            have = have + step < len ? have + step : len;
        end = http_scan_head(&sc, p, have);
    } while (end == 0 && have < len);
    *lines = sc.lines;
    return end;
}

static void fuzz_head(const char *in, size_t len, size_t step)
{
    size_t skip = http_skip_blank_lines(in, len), lines = 0, lines_whole = 0, end;
    char *p;
    http_field *fields;
    http_head h;

    in += skip;
    len -= skip;
    end = scan(in, len, step, &lines);
    CHECK(end == scan(in, len, 0, &lines_whole));
    if (end == 0)
        return;
    CHECK(end <= len && lines == lines_whole && lines >= 1);
    p = malloc(end); /* exactly the head: ASan sees any read beyond it */
    fields = malloc(lines * sizeof *fields);
    memcpy(p, in, end);
    if (http_parse_head(p, end, &h, fields, lines) == HTTP_PASS) {
        CHECK(h.method != 0 && h.nfields < lines);
        CHECK(h.framing != HTTP_CHUNKED || h.reads_body);
        http_head_terminate(p, &h);
        CHECK(strlen(h.path) == h.path_len);
        for (size_t i = 0; i < h.nfields; i++) {
            CHECK(h.fields[i].value >= p && h.fields[i].value < p + end);
            CHECK(strlen(h.fields[i].value) == h.fields[i].value_len);
            CHECK(http_head_field(&h, h.fields[i].name, h.fields[i].name_len) != NULL);
        }
        if (h.query != NULL)
            CHECK(strlen(h.query) == h.query_len);
        if (h.request_id >= 0)
            (void)http_request_id_ok(h.fields[h.request_id].value,
                                     h.fields[h.request_id].value_len);
    }
    free(fields);
    free(p);
}

typedef struct out {
    char *buf;
    size_t len, limit;
} out;

static void sink(void *arg, const char *p, size_t n)
{
    out *o = arg;

    CHECK(o->len + n <= o->limit);
    memcpy(o->buf + o->len, p, n);
    o->len += n;
}

/* Decodes in arriving in pieces of step (0: whole); OVER goes on dropping. */
static enum http_chunked_status decode(const char *in, size_t len, size_t step, uint64_t limit,
                                       out *o, size_t *used)
{
    http_chunked d;
    size_t at = 0, have = step == 0 ? len : 0;
    enum http_chunked_status st;

    http_chunked_init(&d, limit, MAX_TRAILER);
    for (;;) {
        size_t n = 0;
        if (step != 0)
            have = have + step < len ? have + step : len;
        st = http_chunked_decode(&d, in + at, have - at, &n, sink, o);
        CHECK(n <= have - at);
        at += n;
        if (st == HTTP_CHUNKED_OVER)
            continue;
        if (st != HTTP_CHUNKED_MORE || have == len)
            break;
    }
    *used = at;
    return st;
}

static void fuzz_chunked(const char *in, size_t len, size_t step)
{
    uint64_t limit = len > 0 ? (uint64_t)(unsigned char)in[0] * 16 : 0;
    out whole = {malloc(limit + 1), 0, limit}, cut = {malloc(limit + 1), 0, limit};
    size_t used_whole = 0, used_cut = 0;
    enum http_chunked_status a, b;

    if (len > 0) {
        in++;
        len--;
    }
    a = decode(in, len, 0, limit, &whole, &used_whole);
    b = decode(in, len, step, limit, &cut, &used_cut);
    CHECK(a == b);
    if (a == HTTP_CHUNKED_DONE) {
        CHECK(used_whole == used_cut);
        CHECK(whole.len == cut.len && memcmp(whole.buf, cut.buf, whole.len) == 0);
    }
    free(whole.buf);
    free(cut.buf);
}

typedef struct pairs {
    const char *in;
    size_t len;
    int n;
} pairs;

static void pair_sink(void *arg, const char *key, size_t key_len, const char *value,
                      size_t value_len)
{
    pairs *p = arg;
    char *k = malloc(key_len + 1), *v = malloc(value_len + 1);

    CHECK(key_len > 0 && key >= p->in && key + key_len <= p->in + p->len);
    CHECK(value >= p->in && value + value_len <= p->in + p->len);
    CHECK(http_form_decode(key, key_len, k) <= key_len);
    CHECK(http_form_decode(value, value_len, v) <= value_len);
    p->n++;
    free(k);
    free(v);
}

static void fuzz_values(const char *in, size_t len)
{
    pairs p = {in, len, 0};
    char *text = malloc(len + 1), *seg = malloc(len + 1);
    const char *entry, *token;
    size_t n;
    int got = http_query_split(in, len, pair_sink, &p);

    CHECK(got == -1 || got == p.n);
    if (http_segment_decode(in, len, seg))
        CHECK(strlen(seg) <= len && strchr(seg, '/') == NULL);
    if (http_forwarded_last(in, len, &entry, &n))
        CHECK(n > 0 && entry >= in && entry + n <= in + len && memchr(entry, ',', n) == NULL);
    memcpy(text, in, len);
    text[len] = '\0';
    token = http_bearer_token(text);
    if (token != NULL)
        CHECK(token > text && *token != '\0' && *token != ' ');
    free(seg);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data + 1;
    size_t len = size > 0 ? size - 1 : 0, step;

    if (size == 0)
        return 0;
    step = data[0] / 3;
    if (data[0] % 3 == 1)
        fuzz_chunked(in, len, step);
    else if (data[0] % 3 == 2)
        fuzz_values(in, len);
    else
        fuzz_head(in, len, step);
    return 0;
}
