/* parse.c — HTTP/1.1 request parsing (http_parse.h): the end of a head, the
 * head itself, client request ids, and the chunked body decoder. Pure code
 * on byte arrays; the connection code (conn.c) owns the buffers. */
#include "sinau/http/parse.h"

#include <string.h>
#include <strings.h>

#include "sinau/core/ascii.h"
#include "sinau/http/router.h"

#define CHUNK_LINE_MAX    1024 /* a chunk-size line, extensions included */
#define LENGTH_DIGITS_MAX 18   /* a Content-Length below 10^18 (< 2^63) */
#define CHUNK_DIGITS_MAX  15   /* a chunk size below 16^15 (2^60) */

/* The path of a target that has none (a static string, not in the head). */
static const char root_path[] = "/";

typedef struct span {
    const char *p;
    size_t n;
} span;

/* RFC 9110 tchar (methods, header names) as a bitmap over the byte values. */
static const uint32_t tchar_bits[8] = {0x00000000, 0x03ff6cfa, 0xc7fffffe, 0x57ffffff, 0, 0, 0, 0};

static bool is_tchar(unsigned char c)
{
    return (tchar_bits[c >> 5] >> (c & 31)) & 1u;
}

static bool all_tchar(span s)
{
    for (size_t i = 0; i < s.n; i++)
        if (!is_tchar((unsigned char)s.p[i]))
            return false;
    return s.n > 0;
}

/* Case-insensitive equality with a literal of n bytes. */
static bool span_is(span s, const char *lit, size_t n)
{
    return s.n == n && strncasecmp(s.p, lit, n) == 0;
}

#define SPAN_IS(s, lit) span_is(s, lit, sizeof lit - 1)

static span trim(span s)
{
    while (s.n > 0 && (s.p[0] == ' ' || s.p[0] == '\t')) {
        s.p++;
        s.n--;
    }
    while (s.n > 0 && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t'))
        s.n--;
    return s;
}

/* ---- where a head ends ---- */

size_t http_skip_blank_lines(const char *p, size_t len)
{
    size_t i = 0;

    for (;;) {
        if (i < len && p[i] == '\n')
            i++;
        else if (i + 1 < len && p[i] == '\r' && p[i + 1] == '\n')
            i += 2;
        else
            return i;
    }
}

size_t http_scan_head(http_scan *sc, const char *p, size_t len)
{
    size_t k = sc->pos;

    while (k < len) {
        const char *lf;
        size_t at;

        if (sc->line_start == k)
            sc->first = (unsigned char)p[k];
        lf = memchr(p + k, '\n', len - k);
        if (lf == NULL)
            break;
        at = (size_t)(lf - p);
        sc->lines++;
        if (at == sc->line_start || (at == sc->line_start + 1 && sc->first == '\r')) {
            sc->pos = at + 1;
            return at + 1;
        }
        sc->line_start = at + 1;
        k = at + 1;
    }
    sc->pos = len;
    return 0;
}

/* ---- the head ---- */

/* The next line of p[*at..len): up to a LF, less one CR before it. Moves *at
 * past the LF. Returns 1, 0 when no LF is left, -1 for a CR elsewhere in the
 * line (a bare CR: some parsers end lines there, we do not). */
static int next_line(const char *p, size_t len, size_t *at, span *line)
{
    const char *lf = memchr(p + *at, '\n', len - *at);

    if (lf == NULL)
        return 0;
    line->p = p + *at;
    line->n = (size_t)(lf - line->p);
    if (line->n > 0 && line->p[line->n - 1] == '\r')
        line->n--;
    *at = (size_t)(lf - p) + 1;
    return memchr(line->p, '\r', line->n) == NULL ? 1 : -1;
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* RFC 3986 scheme characters after the first (a letter). */
static bool is_scheme_char(char c)
{
    return is_alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

/* The path and query of a request target: after an optional scheme and
 * `//authority`, up to `?` or `#`; "/" when empty. */
static void target_parts(span t, http_head *h)
{
    size_t i = 0, end, q;

    if (t.n > 0 && is_alpha(t.p[0])) {
        while (i < t.n && is_scheme_char(t.p[i]))
            i++;
        i = i < t.n && t.p[i] == ':' ? i + 1 : 0;
    }
    if (t.n - i >= 2 && t.p[i] == '/' && t.p[i + 1] == '/') {
        i += 2;
        while (i < t.n && t.p[i] != '/' && t.p[i] != '?' && t.p[i] != '#')
            i++;
    }
    for (end = i; end < t.n && t.p[end] != '?' && t.p[end] != '#'; end++)
        ;
    h->path = end > i ? t.p + i : root_path;
    h->path_len = end > i ? end - i : 1;
    if (end < t.n && t.p[end] == '?') {
        for (q = end + 1; q < t.n && t.p[q] != '#'; q++)
            ;
        h->query = t.p + end + 1;
        h->query_len = q - end - 1;
    }
}

/* "HTTP/1." and 1..3 digits (any minor reads as 1.1 but 0). */
static bool parse_version(span v, http_head *h)
{
    if (v.n < 8 || v.n > 10 || memcmp(v.p, "HTTP/1.", 7) != 0)
        return false;
    for (size_t i = 7; i < v.n; i++)
        if (v.p[i] < '0' || v.p[i] > '9')
            return false;
    h->http10 = v.n == 8 && v.p[7] == '0';
    return true;
}

/* METHOD SP target SP version, each part non-empty. */
static enum http_refusal parse_request_line(span line, http_head *h)
{
    const char *sp1 = memchr(line.p, ' ', line.n);
    const char *sp2 =
        sp1 != NULL ? memchr(sp1 + 1, ' ', line.n - (size_t)(sp1 + 1 - line.p)) : NULL;
    span method, target, version;

    if (sp2 == NULL)
        return HTTP_BAD_REQUEST;
    method = (span){line.p, (size_t)(sp1 - line.p)};
    target = (span){sp1 + 1, (size_t)(sp2 - sp1 - 1)};
    version = (span){sp2 + 1, line.n - (size_t)(sp2 + 1 - line.p)};
    if (!all_tchar(method) || target.n == 0 || !parse_version(version, h))
        return HTTP_BAD_REQUEST;
    for (size_t i = 0; i < target.n; i++)
        if ((unsigned char)target.p[i] <= ' ' || target.p[i] == 0x7f)
            return HTTP_BAD_REQUEST;
    h->method = router_method_parse(method.p, method.n);
    target_parts(target, h);
    return HTTP_PASS;
}

/* 1..LENGTH_DIGITS_MAX digits, nothing else (no sign, no list). */
static bool parse_length(span v, uint64_t *out)
{
    uint64_t n = 0;

    if (v.n == 0 || v.n > LENGTH_DIGITS_MAX)
        return false;
    for (size_t i = 0; i < v.n; i++) {
        if (v.p[i] < '0' || v.p[i] > '9')
            return false;
        n = n * 10 + (uint64_t)(v.p[i] - '0');
    }
    *out = n;
    return true;
}

/* What the special headers said, once every line is read. */
typedef struct seen {
    bool length, chunked, close, keep_alive, expect_other;
} seen;

/* The comma-separated tokens of a Connection value. */
static void connection_tokens(span v, seen *s)
{
    while (v.n > 0) {
        const char *comma = memchr(v.p, ',', v.n);
        size_t n = comma != NULL ? (size_t)(comma - v.p) : v.n;
        span tok = trim((span){v.p, n});

        if (SPAN_IS(tok, "close"))
            s->close = true;
        else if (SPAN_IS(tok, "keep-alive"))
            s->keep_alive = true;
        v.p += comma != NULL ? n + 1 : n;
        v.n -= comma != NULL ? n + 1 : n;
    }
}

/* The headers that decide framing and the connection's fate. */
static enum http_refusal special_header(span name, span value, http_head *h, seen *s)
{
    uint64_t n;

    if (SPAN_IS(name, "content-length")) {
        if (!parse_length(value, &n) || (s->length && n != h->length))
            return HTTP_BAD_REQUEST;
        s->length = true;
        h->length = n;
    } else if (SPAN_IS(name, "transfer-encoding")) {
        if (s->chunked || !SPAN_IS(value, "chunked"))
            return HTTP_BAD_REQUEST;
        s->chunked = true;
    } else if (SPAN_IS(name, "connection")) {
        connection_tokens(value, s);
    } else if (SPAN_IS(name, "expect")) {
        if (SPAN_IS(value, "100-continue"))
            h->expect_continue = !h->http10;
        else
            s->expect_other = true;
    } else if (SPAN_IS(name, "x-request-id") && h->request_id < 0) {
        h->request_id = (int)h->nfields;
    }
    return HTTP_PASS;
}

/* One header line: stored in fields, and looked at when it is special. */
static enum http_refusal parse_field(span line, http_head *h, size_t max_fields, seen *s)
{
    const char *colon = memchr(line.p, ':', line.n);
    span name, value;
    enum http_refusal why;

    if (colon == NULL)
        return HTTP_BAD_REQUEST;
    name = (span){line.p, (size_t)(colon - line.p)};
    value = trim((span){colon + 1, line.n - name.n - 1});
    /* a name with blanks ("Content-Length : 5") and obs-fold (a line
     * starting with a blank, which continues the previous value in some
     * parsers) are refused, not guessed */
    if (!all_tchar(name))
        return HTTP_BAD_REQUEST;
    if (h->nfields == max_fields)
        return HTTP_HEAD_TOO_LARGE;
    why = special_header(name, value, h, s);
    h->fields[h->nfields++] = (http_field){name.p, value.p, (uint32_t)name.n, (uint32_t)value.n};
    return why;
}

/* The framing and keep-alive, once every header line is read. */
static enum http_refusal finish_head(http_head *h, const seen *s)
{
    h->reads_body = h->method != ROUTER_HEAD && h->method != ROUTER_TRACE;
    h->keep_alive = h->http10 ? s->keep_alive && !s->close : !s->close;
    if (s->length && s->chunked)
        return HTTP_BAD_REQUEST;
    /* a chunked body that would be skipped is not decoded either */
    if (s->chunked && !h->reads_body)
        return HTTP_BAD_REQUEST;
    h->framing = s->chunked ? HTTP_CHUNKED : s->length ? HTTP_LENGTH : HTTP_NO_BODY;
    if (h->method == 0)
        return HTTP_NOT_IMPLEMENTED;
    return s->expect_other ? HTTP_EXPECTATION_FAILED : HTTP_PASS;
}

enum http_refusal http_parse_head(const char *p, size_t len, http_head *h, http_field *fields,
                                  size_t max_fields)
{
    enum http_refusal why;
    seen s = {false, false, false, false, false};
    size_t at = 0;
    span line;

    memset(h, 0, sizeof *h);
    h->request_id = -1;
    h->fields = fields;
    if (memchr(p, '\0', len) != NULL || next_line(p, len, &at, &line) != 1)
        return HTTP_BAD_REQUEST;
    why = parse_request_line(line, h);
    while (why == HTTP_PASS) {
        if (next_line(p, len, &at, &line) != 1)
            return HTTP_BAD_REQUEST;
        if (line.n == 0)
            break;
        why = parse_field(line, h, max_fields, &s);
    }
    if (why != HTTP_PASS)
        return why;
    if (at != len) /* the caller gives exactly one head */
        return HTTP_BAD_REQUEST;
    return finish_head(h, &s);
}

void http_head_terminate(char *p, const http_head *h)
{
    for (size_t i = 0; i < h->nfields; i++)
        p[h->fields[i].value - p + (ptrdiff_t)h->fields[i].value_len] = '\0';
    if (h->path != root_path)
        p[h->path - p + (ptrdiff_t)h->path_len] = '\0';
    if (h->query != NULL)
        p[h->query - p + (ptrdiff_t)h->query_len] = '\0';
}

const http_field *http_head_field(const http_head *h, const char *name, size_t name_len)
{
    for (size_t i = 0; i < h->nfields; i++)
        if (h->fields[i].name_len == name_len &&
            strncasecmp(h->fields[i].name, name, name_len) == 0)
            return &h->fields[i];
    return NULL;
}

bool http_request_id_ok(const char *s, size_t n)
{
    return n > 0 && n <= HTTP_REQUEST_ID_MAX && ascii_only(s, n, "-_.");
}

/* ---- header values and the query string ---- */

const char *http_bearer_token(const char *value)
{
    if (strncasecmp(value, "Bearer", 6) != 0 || (value[6] != ' ' && value[6] != '\t'))
        return NULL;
    value += 6;
    while (*value == ' ' || *value == '\t')
        value++;
    return *value != '\0' ? value : NULL;
}

bool http_forwarded_last(const char *p, size_t n, const char **entry, size_t *entry_len)
{
    span e;
    size_t start = n;

    while (start > 0 && p[start - 1] != ',')
        start--;
    e = trim((span){p + start, n - start});
    *entry = e.p;
    *entry_len = e.n;
    return e.n > 0;
}

int http_query_split(const char *q, size_t n, http_query_sink sink, void *arg)
{
    const char *end = q + n;
    int pairs = 0;

    if (n == 0)
        return 0;
    for (;;) {
        const char *amp = memchr(q, '&', (size_t)(end - q));
        const char *part_end = amp != NULL ? amp : end;
        const char *eq = memchr(q, '=', (size_t)(part_end - q));

        if (eq == NULL || eq == q)
            return -1;
        sink(arg, q, (size_t)(eq - q), eq + 1, (size_t)(part_end - eq - 1));
        pairs++;
        if (amp == NULL)
            return pairs;
        q = amp + 1;
    }
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool http_segment_decode(const char *s, size_t n, char *out)
{
    size_t j = 0;

    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= n || hex_digit(s[i + 1]) < 0 || hex_digit(s[i + 2]) < 0)
                return false;
            c = (char)(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
            i += 2;
        }
        if (c == '\0' || c == '/')
            return false;
        out[j++] = c;
    }
    out[j] = '\0';
    return true;
}

size_t http_form_decode(const char *s, size_t n, char *out)
{
    size_t j = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
            out[j++] = (char)(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
            i += 2;
        } else {
            out[j++] = s[i] == '+' ? ' ' : s[i];
        }
    }
    out[j] = '\0';
    return j;
}

/* ---- the chunked body ---- */

enum chunk_state { CH_SIZE = 0, CH_DATA, CH_DATA_END, CH_TRAILER, CH_DONE };

void http_chunked_init(http_chunked *d, uint64_t limit, size_t max_trailer)
{
    memset(d, 0, sizeof *d);
    d->state = CH_SIZE;
    d->limit = limit;
    d->max_trailer = max_trailer;
}

/* A chunk-size line p[0..n) without its LF: hex digits, then blanks and an
 * ignored extension (`;…`) or nothing. */
static enum http_chunked_status parse_chunk_size(const char *p, size_t n, uint64_t *size)
{
    size_t i = 0, digits = 0;
    uint64_t v = 0;

    if (n > 0 && p[n - 1] == '\r')
        n--;
    if (memchr(p, '\r', n) != NULL || memchr(p, '\0', n) != NULL)
        return HTTP_CHUNKED_BAD;
    for (; i < n; i++) {
        char c = p[i];
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                            : 16;
        if (d == 16)
            break;
        if (v == 0 && d == 0)
            continue;
        if (++digits > CHUNK_DIGITS_MAX)
            return HTTP_CHUNKED_HUGE;
        v = v * 16 + d;
    }
    if (i == 0)
        return HTTP_CHUNKED_BAD;
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
        i++;
    if (i < n && p[i] != ';')
        return HTTP_CHUNKED_BAD;
    *size = v;
    return HTTP_CHUNKED_MORE;
}

/* Where one decoding step reads: p[0..avail), of which it uses `used`;
 * stop: it needs more bytes than there are. */
typedef struct cursor {
    const char *p;
    size_t avail, used;
    bool stop;
} cursor;

static enum http_chunked_status chunk_size_line(http_chunked *d, cursor *c)
{
    size_t window = c->avail < CHUNK_LINE_MAX + 1 ? c->avail : CHUNK_LINE_MAX + 1;
    const char *lf = memchr(c->p, '\n', window);
    uint64_t size = 0;
    enum http_chunked_status st;

    if (lf == NULL) {
        c->stop = true;
        return c->avail > CHUNK_LINE_MAX ? HTTP_CHUNKED_BAD : HTTP_CHUNKED_MORE;
    }
    st = parse_chunk_size(c->p, (size_t)(lf - c->p), &size);
    if (st != HTTP_CHUNKED_MORE)
        return st;
    c->used = (size_t)(lf - c->p) + 1;
    d->left = size;
    d->state = size == 0 ? CH_TRAILER : CH_DATA;
    if (!d->drop && size > d->limit - d->total) {
        d->drop = true;
        return HTTP_CHUNKED_OVER;
    }
    if (!d->drop)
        d->total += size;
    return HTTP_CHUNKED_MORE;
}

static enum http_chunked_status chunk_data(http_chunked *d, cursor *c, http_chunked_sink sink,
                                           void *arg)
{
    size_t n = d->left < c->avail ? (size_t)d->left : c->avail;

    if (!d->drop && n > 0)
        sink(arg, c->p, n);
    c->used = n;
    d->left -= n;
    if (d->left == 0)
        d->state = CH_DATA_END;
    return HTTP_CHUNKED_MORE;
}

/* CRLF or LF after a chunk's data. */
static enum http_chunked_status chunk_data_end(http_chunked *d, cursor *c)
{
    if (c->avail >= 1 && c->p[0] == '\n') {
        c->used = 1;
    } else if (c->avail >= 2 && c->p[0] == '\r' && c->p[1] == '\n') {
        c->used = 2;
    } else if (c->avail == 1 && c->p[0] == '\r') {
        c->stop = true;
        return HTTP_CHUNKED_MORE;
    } else {
        return HTTP_CHUNKED_BAD;
    }
    d->state = CH_SIZE;
    return HTTP_CHUNKED_MORE;
}

/* The trailer section, read whole and dropped. */
static enum http_chunked_status chunk_trailer(http_chunked *d, cursor *c)
{
    size_t end = http_scan_head(&d->trailer, c->p, c->avail);

    if (end == 0) {
        c->stop = true;
        return c->avail > d->max_trailer ? HTTP_CHUNKED_TRAILER_TOO_LARGE : HTTP_CHUNKED_MORE;
    }
    if (end > d->max_trailer)
        return HTTP_CHUNKED_TRAILER_TOO_LARGE;
    c->used = end;
    d->state = CH_DONE;
    return HTTP_CHUNKED_DONE;
}

/* One step from c (at least one byte is there): HTTP_CHUNKED_MORE to go
 * on, or a final status. */
static enum http_chunked_status chunk_step(http_chunked *d, cursor *c, http_chunked_sink sink,
                                           void *arg)
{
    switch (d->state) {
    case CH_SIZE:
        return chunk_size_line(d, c);
    case CH_DATA:
        return chunk_data(d, c, sink, arg);
    case CH_DATA_END:
        return chunk_data_end(d, c);
    case CH_TRAILER:
        return chunk_trailer(d, c);
    default:
        return HTTP_CHUNKED_DONE;
    }
}

enum http_chunked_status http_chunked_decode(http_chunked *d, const char *in, size_t len,
                                             size_t *consumed, http_chunked_sink sink, void *arg)
{
    enum http_chunked_status st = HTTP_CHUNKED_MORE;
    cursor c = {in, len, 0, false};
    size_t at = 0;

    if (d->state == CH_DONE) {
        *consumed = 0;
        return HTTP_CHUNKED_DONE;
    }
    /* an incomplete trailer section is not consumed: it is given again from
     * its start with more bytes, and d->trailer goes on scanning it */
    while (st == HTTP_CHUNKED_MORE && !c.stop && at < len) {
        c = (cursor){in + at, len - at, 0, false};
        st = chunk_step(d, &c, sink, arg);
        at += c.used;
    }
    *consumed = at;
    return st;
}
