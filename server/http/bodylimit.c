/* bodylimit.c — per-route body limits enforced before the body is read
 * (bodylimit.h): the request-head parser, the per-connection stream that
 * frames requests and enforces the limits, its hook under evhttp's
 * connections, and the answers to the refusals it makes. */
#include "sinau/bodylimit.h"

#include <ctype.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "sinau/alloc.h"
#include "sinau/http.h"
#include "sinau/log.h"

#define INTERNAL_PREFIX   "/__sinau/"
#define TOKEN_HEADER      "X-Sinau-Refusal"
#define TOKEN_BYTES       16
#define CHUNK_LINE_MAX    1024 /* a chunk-size line, extensions included */
#define LENGTH_DIGITS_MAX 18   /* a Content-Length below 10^18 (< 2^63) */
#define CHUNK_DIGITS_MAX  15   /* a chunk size below 16^15 (2^60) */
#define LOOKUP_PATH_MAX   2048 /* the router matches no longer path */
#define REQUEST_ID_MAX    40   /* as server.c accepts them */

/* ---- the internal token ---- */

static pthread_once_t token_once = PTHREAD_ONCE_INIT;
static char token_hex[2 * TOKEN_BYTES + 1];

static void token_make(void)
{
    unsigned char raw[TOKEN_BYTES];

    if (sodium_init() < 0) {
        log_error("libsodium cannot start: no token for refused requests");
        abort();
    }
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(token_hex, sizeof token_hex, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
}

/* This process's token, made on first use (thread-safe). */
static const char *token(void)
{
    pthread_once(&token_once, token_make);
    return token_hex;
}

static bool token_matches(const char *given)
{
    return strlen(given) == 2 * TOKEN_BYTES && sodium_memcmp(given, token(), 2 * TOKEN_BYTES) == 0;
}

/* ---- the request head (pure) ---- */

typedef struct span {
    const char *p;
    size_t n;
} span;

/* RFC 9110 tchar: the characters of methods and header names. */
static bool is_tchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return true;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool all_tchar(span s)
{
    for (size_t i = 0; i < s.n; i++)
        if (!is_tchar((unsigned char)s.p[i]))
            return false;
    return s.n > 0;
}

/* Case-insensitive equality with a lower-case literal. */
static bool span_is(span s, const char *lit)
{
    return s.n == strlen(lit) && strncasecmp(s.p, lit, s.n) == 0;
}

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

/* The methods evhttp 2.1.12 knows, by their exact (case-sensitive) names. */
static unsigned method_bit(span m)
{
    static const struct {
        const char *name;
        unsigned bit;
    } known[] = {
        {"GET", ROUTER_GET},     {"POST", ROUTER_POST},       {"HEAD", ROUTER_HEAD},
        {"PUT", ROUTER_PUT},     {"DELETE", ROUTER_DELETE},   {"OPTIONS", ROUTER_OPTIONS},
        {"TRACE", ROUTER_TRACE}, {"CONNECT", ROUTER_CONNECT}, {"PATCH", ROUTER_PATCH},
    };

    for (size_t i = 0; i < SINAU_ARRAY_LEN(known); i++)
        if (m.n == strlen(known[i].name) && memcmp(m.p, known[i].name, m.n) == 0)
            return known[i].bit;
    return 0;
}

/* The next line of p[*at..len) as evhttp reads it (EVBUFFER_EOL_CRLF: up to
 * a LF, less one CR before it). Sets *line and *start (its offset) and moves
 * *at past the LF. Returns 1, 0 when no LF is left, -1 for a CR elsewhere in
 * the line (a bare CR: some parsers end lines there, evhttp does not). */
static int next_line(const char *p, size_t len, size_t *at, span *line, size_t *start)
{
    const char *lf = memchr(p + *at, '\n', len - *at);

    if (lf == NULL)
        return 0;
    *start = *at;
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

/* The path of a request target as evhttp_uri_parse finds it: after an
 * optional scheme and `//authority`, up to `?` or `#`; "/" when empty (as
 * server.c substitutes). Not starting with '/' for `*` and authority-form
 * targets, which no route matches. */
static void target_path(span t, bodylimit_head *h)
{
    size_t i = 0, end;

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
    h->path = end > i ? t.p + i : "/";
    h->path_len = end > i ? end - i : 1;
}

/* "HTTP/1." and 1..3 digits (evhttp takes any minor). */
static bool parse_version(span v)
{
    if (v.n < 8 || v.n > 10 || memcmp(v.p, "HTTP/1.", 7) != 0)
        return false;
    for (size_t i = 7; i < v.n; i++)
        if (v.p[i] < '0' || v.p[i] > '9')
            return false;
    return true;
}

/* METHOD SP target SP version, each part non-empty, split as evhttp does. */
static enum bodylimit_refusal parse_request_line(span line, bodylimit_head *h)
{
    const char *sp1 = memchr(line.p, ' ', line.n);
    const char *sp2 =
        sp1 != NULL ? memchr(sp1 + 1, ' ', line.n - (size_t)(sp1 + 1 - line.p)) : NULL;
    span method, target, version;

    if (sp2 == NULL)
        return BODYLIMIT_BAD_REQUEST;
    method = (span){line.p, (size_t)(sp1 - line.p)};
    target = (span){sp1 + 1, (size_t)(sp2 - sp1 - 1)};
    version = (span){sp2 + 1, line.n - (size_t)(sp2 + 1 - line.p)};
    if (!all_tchar(method) || target.n == 0 || !parse_version(version))
        return BODYLIMIT_BAD_REQUEST;
    for (size_t i = 0; i < target.n; i++)
        if ((unsigned char)target.p[i] <= ' ' || target.p[i] == 0x7f)
            return BODYLIMIT_BAD_REQUEST;
    h->method = method_bit(method);
    target_path(target, h);
    return BODYLIMIT_PASS;
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

/* The framing headers seen so far. */
typedef struct framing_seen {
    bool length, chunked;
} framing_seen;

/* One header line (start: its offset in the head, end: just past its LF). */
static enum bodylimit_refusal parse_header(span line, size_t start, size_t end, bodylimit_head *h,
                                           framing_seen *seen)
{
    const char *colon = memchr(line.p, ':', line.n);
    span name, value;
    uint64_t n;

    if (colon == NULL)
        return BODYLIMIT_BAD_REQUEST;
    name = (span){line.p, (size_t)(colon - line.p)};
    value = trim((span){colon + 1, line.n - name.n - 1});
    /* a name with blanks: "Content-Length : 5", which evhttp would not
     * take for the length, and obs-fold (a line starting with a blank),
     * which continues the previous value in evhttp; refused, not guessed */
    if (!all_tchar(name))
        return BODYLIMIT_BAD_REQUEST;
    if (span_is(name, "content-length")) {
        if (!parse_length(value, &n) || (seen->length && n != h->length))
            return BODYLIMIT_BAD_REQUEST;
        seen->length = true;
        h->length = n;
    } else if (span_is(name, "transfer-encoding")) {
        if (seen->chunked || !span_is(value, "chunked"))
            return BODYLIMIT_BAD_REQUEST;
        seen->chunked = true;
        h->te_start = start;
        h->te_len = end - start;
    } else if (span_is(name, "x-request-id")) {
        h->request_id = value.p;
        h->request_id_len = value.n;
    }
    return BODYLIMIT_PASS;
}

/* The framing, once every header line is read. */
static enum bodylimit_refusal finish_head(bodylimit_head *h, const framing_seen *seen)
{
    h->evhttp_body = h->method != 0 && h->method != ROUTER_HEAD && h->method != ROUTER_TRACE;
    if (seen->length && seen->chunked)
        return BODYLIMIT_BAD_REQUEST;
    /* a chunked body evhttp would not read is not decoded either */
    if (seen->chunked && !h->evhttp_body)
        return BODYLIMIT_BAD_REQUEST;
    h->framing = seen->chunked  ? BODYLIMIT_CHUNKED
                 : seen->length ? BODYLIMIT_LENGTH
                                : BODYLIMIT_NO_BODY;
    return h->method == 0 ? BODYLIMIT_NOT_IMPLEMENTED : BODYLIMIT_PASS;
}

enum bodylimit_refusal bodylimit_parse_head(const char *p, size_t len, bodylimit_head *h)
{
    enum bodylimit_refusal why;
    framing_seen seen = {false, false};
    size_t at = 0, start = 0;
    span line;
    int got;

    memset(h, 0, sizeof *h);
    if (memchr(p, '\0', len) != NULL || next_line(p, len, &at, &line, &start) != 1)
        return BODYLIMIT_BAD_REQUEST;
    why = parse_request_line(line, h);
    while (why == BODYLIMIT_PASS) {
        got = next_line(p, len, &at, &line, &start);
        if (got != 1)
            return BODYLIMIT_BAD_REQUEST;
        if (line.n == 0)
            break;
        why = parse_header(line, start, at, h, &seen);
    }
    if (why != BODYLIMIT_PASS)
        return why;
    if (at != len) /* the caller gives exactly one head */
        return BODYLIMIT_BAD_REQUEST;
    return finish_head(h, &seen);
}

/* ---- rules ---- */

void bodylimit_rules_init(bodylimit_rules *rules, const router *r, size_t default_limit,
                          size_t max_head)
{
    size_t n = 0;
    const http_route *const *all = r != NULL ? router_routes(r, &n) : NULL;

    rules->router = r;
    rules->default_limit = default_limit;
    rules->max_head = max_head;
    rules->min_limit = default_limit;
    for (size_t i = 0; i < n; i++)
        if (all[i]->max_body > 0 && all[i]->max_body < rules->min_limit)
            rules->min_limit = all[i]->max_body;
}

size_t bodylimit_route_limit(const bodylimit_rules *rules, unsigned method, const char *path,
                             size_t path_len)
{
    char buf[LOOKUP_PATH_MAX + 1];
    router_match m;

    if (rules->router == NULL || path == NULL || path_len > LOOKUP_PATH_MAX)
        return rules->default_limit;
    memcpy(buf, path, path_len);
    buf[path_len] = '\0';
    if (router_match_path(rules->router, method, buf, &m) != ROUTER_FOUND || m.route->max_body == 0)
        return rules->default_limit;
    return m.route->max_body;
}

/* ---- the stream ---- */

enum stream_state {
    ST_HEAD,       /* reading a request head */
    ST_BODY,       /* passing `left` body bytes to evhttp */
    ST_SKIP,       /* dropping `left` body bytes: refused, or unread by evhttp (HEAD, TRACE) */
    ST_CHUNK_SIZE, /* chunked: reading a chunk-size line */
    ST_CHUNK_DATA, /* chunked: `left` bytes of chunk data into `body` (or dropped) */
    ST_CHUNK_END,  /* chunked: the line end after a chunk's data */
    ST_TRAILER,    /* chunked: trailer lines up to the empty one */
    ST_DISCARD,    /* refused: everything from here on is dropped */
};

/* Where a line scan stands, in bytes from the start of the input. */
typedef struct scan {
    size_t pos;        /* bytes scanned */
    size_t line_start; /* where the current line starts */
    int first;         /* its first byte, once scanned */
} scan;

enum scan_mode { SCAN_LINE, SCAN_HEAD };

struct bodylimit_stream {
    const bodylimit_rules *rules;
    enum stream_state state;
    enum bodylimit_refusal refusal;
    uint64_t left;         /* ST_BODY, ST_SKIP, ST_CHUNK_DATA */
    uint64_t limit, total; /* chunked: the route's limit, data bytes so far */
    bool dropping;         /* chunked: refused, the rest of the body is dropped */
    scan scan;             /* ST_HEAD, ST_CHUNK_SIZE, ST_TRAILER */
    struct evbuffer *held; /* input not consumed yet (a partial line); lazily made */
    struct evbuffer *head; /* chunked: the head without Transfer-Encoding */
    struct evbuffer *body; /* chunked: the decoded data */
};

static struct evbuffer *buffer_new(void)
{
    struct evbuffer *b = evbuffer_new();

    if (b == NULL) {
        fprintf(stderr, "fatal: out of memory allocating an evbuffer\n");
        abort();
    }
    return b;
}

bodylimit_stream *bodylimit_stream_new(const bodylimit_rules *rules)
{
    bodylimit_stream *s = xcalloc(1, sizeof *s);

    s->rules = rules;
    s->state = ST_HEAD;
    return s;
}

void bodylimit_stream_free(bodylimit_stream *s)
{
    if (s == NULL)
        return;
    if (s->held != NULL)
        evbuffer_free(s->held);
    if (s->head != NULL)
        evbuffer_free(s->head);
    if (s->body != NULL)
        evbuffer_free(s->body);
    free(s);
}

enum bodylimit_refusal bodylimit_stream_refusal(const bodylimit_stream *s)
{
    return s->refusal;
}

/* Scans p[0..n), the bytes sc->pos.. of the input, for the end of the
 * current line (SCAN_LINE) or of the first empty line (SCAN_HEAD). Returns
 * the offset just past its LF, or 0 with sc moved past the extent. */
static size_t scan_extent(scan *sc, enum scan_mode mode, const unsigned char *p, size_t n)
{
    size_t k = 0;

    while (k < n) {
        const unsigned char *lf;
        size_t at;

        if (sc->line_start == sc->pos + k)
            sc->first = p[k];
        lf = memchr(p + k, '\n', n - k);
        if (lf == NULL)
            break;
        at = sc->pos + (size_t)(lf - p);
        if (mode == SCAN_LINE || at == sc->line_start ||
            (at == sc->line_start + 1 && sc->first == '\r'))
            return at + 1;
        sc->line_start = at + 1;
        k = (size_t)(lf - p) + 1;
    }
    sc->pos += n;
    return 0;
}

/* scan_extent over the input's chains from sc->pos on, without copying. */
static size_t scan_input(struct evbuffer *in, scan *sc, enum scan_mode mode)
{
    size_t len = evbuffer_get_length(in);

    while (sc->pos < len) {
        struct evbuffer_iovec v[4];
        struct evbuffer_ptr ptr;
        size_t was = sc->pos;
        int n;

        if (evbuffer_ptr_set(in, &ptr, sc->pos, EVBUFFER_PTR_SET) != 0)
            break;
        n = evbuffer_peek(in, -1, &ptr, v, 4);
        for (int i = 0; i < n && i < 4; i++) {
            size_t end = scan_extent(sc, mode, v[i].iov_base, v[i].iov_len);
            if (end != 0)
                return end;
        }
        if (sc->pos == was)
            break;
    }
    return 0;
}

static void scan_reset(scan *sc)
{
    memset(sc, 0, sizeof *sc);
}

static bool request_id_ok(span id)
{
    if (id.n == 0 || id.n > REQUEST_ID_MAX)
        return false;
    for (size_t i = 0; i < id.n; i++) {
        char c = id.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

/* The internal paths, by refusal. */
static const struct answer {
    const char *path;
    int status;
    const char *code;
    const char *message;
} answers[] = {
    [BODYLIMIT_PASS] = {NULL, 0, NULL, NULL},
    [BODYLIMIT_TOO_LARGE] = {INTERNAL_PREFIX "too-large", 413, "body_too_large",
                             "the request body is too large"},
    [BODYLIMIT_BAD_REQUEST] = {INTERNAL_PREFIX "bad-request", 400, "bad_request",
                               "the request is malformed"},
    [BODYLIMIT_HEAD_TOO_LARGE] = {INTERNAL_PREFIX "headers-too-large", 431, "headers_too_large",
                                  "the request headers are too large"},
    [BODYLIMIT_NOT_IMPLEMENTED] = {INTERNAL_PREFIX "not-implemented", 501, "not_implemented",
                                   "this method is not implemented"},
};

/* Writes the head of an internal request for `why` to out. h (may be
 * NULL) gives the request id, its text still readable, and the method: a
 * HEAD stays HEAD, so that its answer has no body, as the client expects;
 * anything else becomes POST. */
static void write_refusal(struct evbuffer *out, enum bodylimit_refusal why, const bodylimit_head *h,
                          bool close)
{
    span id = {h != NULL ? h->request_id : NULL, h != NULL ? h->request_id_len : 0};
    bool head = h != NULL && h->method == ROUTER_HEAD;

    evbuffer_add_printf(out, "%s %s HTTP/1.1\r\nHost: sinau\r\n" TOKEN_HEADER ": %s\r\n",
                        head ? "HEAD" : "POST", answers[why].path, token());
    if (request_id_ok(id))
        evbuffer_add_printf(out, "X-Request-Id: %.*s\r\n", (int)id.n, id.p);
    evbuffer_add_printf(out, "Content-Length: 0\r\n%s\r\n", close ? "Connection: close\r\n" : "");
}

/* Replaces the rest of the connection by one refusal (Connection: close):
 * drops what is held, all of in, and everything after. */
static bool refuse(bodylimit_stream *s, struct evbuffer *in, struct evbuffer *out,
                   enum bodylimit_refusal why, const bodylimit_head *h)
{
    write_refusal(out, why, h, true);
    evbuffer_drain(in, evbuffer_get_length(in));
    if (s->head != NULL)
        evbuffer_drain(s->head, evbuffer_get_length(s->head));
    if (s->body != NULL)
        evbuffer_drain(s->body, evbuffer_get_length(s->body));
    s->refusal = why;
    s->state = ST_DISCARD;
    return true;
}

/* A body over its limit whose end is known (a Content-Length, or chunks
 * that keep their framing): the 413 goes out now and keeps the connection;
 * the body is then read and dropped. Closing instead would reset the
 * connection while the client still sends, and clients that are still
 * writing (fetch, browsers) then report the reset, not the 413. */
static void refuse_and_skip(bodylimit_stream *s, struct evbuffer *out, const bodylimit_head *h)
{
    write_refusal(out, BODYLIMIT_TOO_LARGE, h, false);
    s->refusal = BODYLIMIT_TOO_LARGE;
}

/* Drops CRLF or LF before a request line (RFC 9112 2.2; evhttp refuses
 * them). Returns false while a lone CR leaves it open. */
static bool skip_blank_lines(struct evbuffer *in)
{
    unsigned char b[2];

    for (;;) {
        ev_ssize_t n = evbuffer_copyout(in, b, 2);

        if (n >= 1 && b[0] == '\n')
            evbuffer_drain(in, 1);
        else if (n == 2 && b[0] == '\r' && b[1] == '\n')
            evbuffer_drain(in, 2);
        else
            return !(n == 1 && b[0] == '\r');
    }
}

/* Chunked: keeps the head (less its Transfer-Encoding line and the empty
 * line) for later, and decodes the body. */
static bool start_chunked(bodylimit_stream *s, struct evbuffer *in, const bodylimit_head *h,
                          const char *p, size_t end)
{
    size_t blank = p[end - 2] == '\r' ? 2 : 1;
    size_t after_te = h->te_start + h->te_len;

    if (s->head == NULL)
        s->head = buffer_new();
    if (s->body == NULL)
        s->body = buffer_new();
    evbuffer_add(s->head, p, h->te_start);
    evbuffer_add(s->head, p + after_te, end - blank - after_te);
    s->limit = bodylimit_route_limit(s->rules, h->method, h->path, h->path_len);
    s->total = 0;
    s->dropping = false;
    s->state = ST_CHUNK_SIZE;
    evbuffer_drain(in, end);
    return true;
}

/* A complete head of `end` bytes at the start of in: pass, refuse, or start
 * decoding a chunked body. */
static bool route_head(bodylimit_stream *s, struct evbuffer *in, struct evbuffer *out, size_t end)
{
    const char *p = (const char *)evbuffer_pullup(in, (ev_ssize_t)end);
    bodylimit_head h;
    enum bodylimit_refusal why = bodylimit_parse_head(p, end, &h);

    if (why != BODYLIMIT_PASS)
        return refuse(s, in, out, why, &h);
    if (h.framing == BODYLIMIT_CHUNKED)
        return start_chunked(s, in, &h, p, end);
    if (h.framing == BODYLIMIT_LENGTH && h.length > 0) {
        /* at or below every route's limit there is nothing to look up */
        bool over = h.length > s->rules->min_limit &&
                    h.length > bodylimit_route_limit(s->rules, h.method, h.path, h.path_len);
        s->left = h.length;
        s->state = h.evhttp_body && !over ? ST_BODY : ST_SKIP;
        if (over) {
            refuse_and_skip(s, out, &h);
            evbuffer_drain(in, end);
            return true;
        }
    }
    evbuffer_remove_buffer(in, out, end);
    return true;
}

static bool step_head(bodylimit_stream *s, struct evbuffer *in, struct evbuffer *out)
{
    size_t end;

    if (s->scan.pos == 0 && (!skip_blank_lines(in) || evbuffer_get_length(in) == 0))
        return false;
    end = scan_input(in, &s->scan, SCAN_HEAD);
    if (end == 0 && evbuffer_get_length(in) <= s->rules->max_head)
        return false;
    scan_reset(&s->scan);
    if (end == 0 || end > s->rules->max_head)
        return refuse(s, in, out, BODYLIMIT_HEAD_TOO_LARGE, NULL);
    return route_head(s, in, out, end);
}

/* Moves (or drops, when to is NULL) up to s->left bytes; then `next`. */
static bool step_count(bodylimit_stream *s, struct evbuffer *in, struct evbuffer *to,
                       enum stream_state next)
{
    size_t avail = evbuffer_get_length(in);
    size_t n = s->left < avail ? (size_t)s->left : avail;

    if (to != NULL)
        evbuffer_remove_buffer(in, to, n);
    else
        evbuffer_drain(in, n);
    s->left -= n;
    if (s->left == 0)
        s->state = next;
    return true;
}

/* A chunk-size line p[0..n) with its LF: hex digits, then blanks and an
 * ignored extension (`;…`) or nothing. */
static enum bodylimit_refusal parse_chunk_size(const char *p, size_t n, uint64_t *size)
{
    size_t i = 0, digits = 0;
    uint64_t v = 0;

    n--; /* the LF */
    if (n > 0 && p[n - 1] == '\r')
        n--;
    if (memchr(p, '\r', n) != NULL || memchr(p, '\0', n) != NULL)
        return BODYLIMIT_BAD_REQUEST;
    for (; i < n && isxdigit((unsigned char)p[i]); i++) {
        unsigned d = (unsigned)(p[i] <= '9' ? p[i] - '0' : (p[i] | 0x20) - 'a' + 10);
        if (v == 0 && d == 0)
            continue;
        if (++digits > CHUNK_DIGITS_MAX)
            return BODYLIMIT_TOO_LARGE;
        v = v * 16 + d;
    }
    if (i == 0)
        return BODYLIMIT_BAD_REQUEST;
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
        i++;
    if (i < n && p[i] != ';')
        return BODYLIMIT_BAD_REQUEST;
    *size = v;
    return BODYLIMIT_PASS;
}

static bool step_chunk_size(bodylimit_stream *s, struct evbuffer *in, struct evbuffer *out)
{
    enum bodylimit_refusal why;
    uint64_t size = 0;
    size_t end = scan_input(in, &s->scan, SCAN_LINE);

    if (end == 0 && evbuffer_get_length(in) <= CHUNK_LINE_MAX)
        return false;
    scan_reset(&s->scan);
    if (end == 0 || end > CHUNK_LINE_MAX)
        return refuse(s, in, out, BODYLIMIT_BAD_REQUEST, NULL);
    why = parse_chunk_size((const char *)evbuffer_pullup(in, (ev_ssize_t)end), end, &size);
    if (why != BODYLIMIT_PASS) /* malformed, or a size beyond any limit: not skipped */
        return refuse(s, in, out, why, NULL);
    evbuffer_drain(in, end);
    if (!s->dropping && size > s->limit - s->total) {
        refuse_and_skip(s, out, NULL);
        s->dropping = true;
        evbuffer_drain(s->head, evbuffer_get_length(s->head));
        evbuffer_drain(s->body, evbuffer_get_length(s->body));
    }
    if (!s->dropping)
        s->total += size;
    s->left = size;
    s->state = size == 0 ? ST_TRAILER : ST_CHUNK_DATA;
    return true;
}

static bool step_chunk_end(bodylimit_stream *s, struct evbuffer *in, struct evbuffer *out)
{
    unsigned char b[2];
    ev_ssize_t n = evbuffer_copyout(in, b, 2);

    if (n >= 1 && b[0] == '\n') {
        evbuffer_drain(in, 1);
    } else if (n == 2 && b[0] == '\r' && b[1] == '\n') {
        evbuffer_drain(in, 2);
    } else if (n == 1 && b[0] == '\r') {
        return false;
    } else {
        return refuse(s, in, out, BODYLIMIT_BAD_REQUEST, NULL);
    }
    s->state = ST_CHUNK_SIZE;
    return true;
}

/* Trailer fields are read and dropped; then evhttp gets the head with the
 * decoded length, and the data. */
static bool step_trailer(bodylimit_stream *s, struct evbuffer *in, struct evbuffer *out)
{
    size_t end = scan_input(in, &s->scan, SCAN_HEAD);

    if (end == 0 && evbuffer_get_length(in) <= s->rules->max_head)
        return false;
    scan_reset(&s->scan);
    if (end == 0 || end > s->rules->max_head)
        return refuse(s, in, out, BODYLIMIT_HEAD_TOO_LARGE, NULL);
    evbuffer_drain(in, end);
    s->state = ST_HEAD;
    if (s->dropping) /* refused already */
        return true;
    evbuffer_add_printf(s->head, "Content-Length: %" PRIu64 "\r\n\r\n", s->total);
    evbuffer_add_buffer(out, s->head);
    evbuffer_add_buffer(out, s->body);
    return true;
}

/* One step on in; false when it needs more bytes than in has. */
static bool step(bodylimit_stream *s, struct evbuffer *in, struct evbuffer *out)
{
    switch (s->state) {
    case ST_HEAD:
        return step_head(s, in, out);
    case ST_BODY:
        return step_count(s, in, out, ST_HEAD);
    case ST_SKIP:
        return step_count(s, in, NULL, ST_HEAD);
    case ST_CHUNK_SIZE:
        return step_chunk_size(s, in, out);
    case ST_CHUNK_DATA:
        return step_count(s, in, s->dropping ? NULL : s->body, ST_CHUNK_END);
    case ST_CHUNK_END:
        return step_chunk_end(s, in, out);
    case ST_TRAILER:
        return step_trailer(s, in, out);
    case ST_DISCARD:
        evbuffer_drain(in, evbuffer_get_length(in));
        return true;
    }
    return false;
}

size_t bodylimit_stream_feed(bodylimit_stream *s, struct evbuffer *src, struct evbuffer *out)
{
    size_t n = evbuffer_get_length(src);
    struct evbuffer *in = src;

    if (s->held != NULL && evbuffer_get_length(s->held) > 0) {
        evbuffer_add_buffer(s->held, src);
        in = s->held;
    }
    while (evbuffer_get_length(in) > 0 && step(s, in, out))
        ;
    if (evbuffer_get_length(src) > 0) { /* in is src: part of a line, kept for later */
        if (s->held == NULL)
            s->held = buffer_new();
        evbuffer_add_buffer(s->held, src);
    }
    return n;
}

/* ---- under evhttp's connections ---- */

/* One connection's hook: its stream, and the scratch buffer that holds what
 * evhttp has not read yet while new bytes go through the stream. */
typedef struct hook {
    bodylimit_stream *stream;
    struct evbuffer *input; /* evhttp's input buffer (borrowed) */
    struct evbuffer *front;
    bool busy; /* our own changes to input call us back */
} hook;

static bodylimit_rules installed;

/* Runs after every change to evhttp's input buffer; the bytes a read just
 * added are its last n_added: they go through the stream, and what it lets
 * through takes their place. */
static void hook_input(struct evbuffer *input, const struct evbuffer_cb_info *info, void *arg)
{
    hook *k = arg;
    size_t len = evbuffer_get_length(input);
    bodylimit_stream *s = k->stream;

    if (info->n_added == 0 || k->busy || info->n_added > len)
        return;
    if (s->state == ST_BODY && s->left >= info->n_added) {
        s->left -= info->n_added; /* body bytes within the limit: as they are */
        if (s->left == 0)
            s->state = ST_HEAD;
        return;
    }
    k->busy = true;
    evbuffer_remove_buffer(input, k->front, len - info->n_added);
    bodylimit_stream_feed(s, input, k->front);
    /* only a read adds to input, and bufferevent_readcb unfreezes its end
     * around evbuffer_read, which calls us: this cannot fail */
    if (evbuffer_add_buffer(input, k->front) != 0)
        log_error("bodylimit: cannot put a connection's input back; it is lost");
    k->busy = false;
}

static void hook_free(struct evhttp_connection *evcon, void *arg)
{
    hook *k = arg;

    evbuffer_remove_cb(k->input, hook_input, k);
    bodylimit_stream_free(k->stream);
    evbuffer_free(k->front);
    free(k);
}

/* The first bytes on a connection: makes its hook, freed by evhttp's close
 * callback (set only now: the connection object exists once evhttp has set
 * the bufferevent's callbacks, and a connection that never sends anything
 * costs nothing). */
static void first_input(struct evbuffer *input, const struct evbuffer_cb_info *info, void *arg)
{
    struct bufferevent *bev = arg;
    void *evcon = NULL;
    hook *k;

    if (info->n_added == 0)
        return;
    bufferevent_getcb(bev, NULL, NULL, NULL, &evcon);
    if (evcon == NULL) { /* not evhttp's: let nothing through */
        log_error("bodylimit: a connection without evhttp; its input is dropped");
        evbuffer_drain(input, evbuffer_get_length(input));
        return;
    }
    k = xcalloc(1, sizeof *k);
    k->stream = bodylimit_stream_new(&installed);
    k->input = input;
    k->front = buffer_new();
    evhttp_connection_set_closecb(evcon, hook_free, k);
    evbuffer_remove_cb(input, first_input, bev);
    if (evbuffer_add_cb(input, hook_input, k) == NULL) {
        fprintf(stderr, "fatal: out of memory adding an evbuffer callback\n");
        abort();
    }
    hook_input(input, info, k);
}

/* evhttp's bufferevent for each new connection: a plain socket one (as
 * evhttp would make), with first_input on its input. */
static struct bufferevent *new_bufferevent(struct event_base *base, void *arg)
{
    struct bufferevent *bev = bufferevent_socket_new(base, -1, 0);

    /* NULL would make evhttp use a bufferevent of its own, without limits */
    if (bev == NULL || evbuffer_add_cb(bufferevent_get_input(bev), first_input, bev) == NULL) {
        fprintf(stderr, "fatal: out of memory making a connection's bufferevent\n");
        abort();
    }
    return bev;
}

void bodylimit_install(struct evhttp *h, const router *r, size_t default_limit, size_t max_head)
{
    (void)token(); /* made now, on the main thread */
    bodylimit_rules_init(&installed, r, default_limit, max_head);
    evhttp_set_bevcb(h, new_bufferevent, NULL);
}

/* ---- the answers ---- */

bool bodylimit_answer(http_ctx *ctx)
{
    const char *given;

    if (strncmp(ctx->path, INTERNAL_PREFIX, sizeof INTERNAL_PREFIX - 1) != 0)
        return false;
    given = http_header(ctx, TOKEN_HEADER);
    if (given == NULL || !token_matches(given))
        return false;
    for (size_t i = BODYLIMIT_PASS + 1; i < SINAU_ARRAY_LEN(answers); i++) {
        if (strcmp(ctx->path, answers[i].path) == 0) {
            http_reply_error(ctx, answers[i].status, answers[i].code, answers[i].message);
            return true;
        }
    }
    return false;
}
