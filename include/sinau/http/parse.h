/* http/parse.h — reading HTTP/1.1 requests: where a head ends, what it says,
 * and the chunked body decoder. The server's only request parser (the
 * connection code in http/conn.c feeds it the bytes it reads); pure code on
 * byte arrays, no libevent and no I/O, so it is unit-tested and fuzzed on its
 * own (tests/unit/test_http_parse.c, tests/fuzz/fuzz_http_parse.c).
 *
 * The parser is strict where a proxy in front and this server could read a
 * request two ways (RFC 9112 section 11.2, request smuggling): NUL or a bare
 * CR anywhere, obs-fold, blanks in header names, a Content-Length that is
 * not 1*DIGIT (or overflows, or repeats with another value), a
 * Transfer-Encoding other than exactly one `chunked`, or both framing
 * headers, are refused. Lines end in CRLF or in LF alone. Thread: any. */
#ifndef SINAU_HTTP_PARSE_H
#define SINAU_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sinau/core/common.h"

/* Why a request is refused while it is read (0: it is not). */
enum http_refusal {
    HTTP_PASS = 0,
    HTTP_TOO_LARGE,          /* 413 body_too_large */
    HTTP_BAD_REQUEST,        /* 400 bad_request: head or chunk framing malformed */
    HTTP_HEAD_TOO_LARGE,     /* 431 headers_too_large: head, or a chunked trailer, too long */
    HTTP_NOT_IMPLEMENTED,    /* 501 not_implemented: a method we do not know */
    HTTP_EXPECTATION_FAILED, /* 417 expectation_failed: Expect other than 100-continue */
    HTTP_REQUEST_TIMEOUT,    /* 408 request_timeout: head deadline, or a body too slow */
    HTTP_REFUSAL_COUNT,
};

/* How a request's body is delimited. */
enum http_framing {
    HTTP_NO_BODY = 0, /* no Content-Length or Transfer-Encoding */
    HTTP_LENGTH,      /* Content-Length (possibly 0) */
    HTTP_CHUNKED,     /* Transfer-Encoding: chunked */
};

#define HTTP_REQUEST_ID_MAX 40 /* longest X-Request-Id taken from a client */

/* One header line of a head: name and value (trimmed of blanks) point into
 * the head text and are not NUL-terminated (http_head_terminate does that
 * for the values). */
typedef struct http_field {
    const char *name;
    const char *value;
    uint32_t name_len;
    uint32_t value_len;
} http_field;

/* What a request head says, from http_parse_head. Pointers borrow from the
 * head text (or are static, for the path "/"). */
typedef struct http_head {
    unsigned method;      /* one ROUTER_* bit (router.h); 0 for a method we do not know */
    bool reads_body;      /* a body is read for this method (not HEAD, TRACE: their
                             declared bodies are skipped, never taken as a request) */
    bool keep_alive;      /* HTTP/1.1 without Connection: close, or 1.0 with keep-alive */
    bool http10;          /* HTTP/1.0 */
    bool expect_continue; /* Expect: 100-continue, HTTP/1.1 */
    const char *path;     /* the target's path: after an optional scheme and //authority, */
    size_t path_len;      /* up to '?' or '#'; "/" when empty; `*` and authority-form
                             targets do not start with '/' */
    const char *query;    /* after '?' up to '#', or NULL when there is no '?' */
    size_t query_len;
    enum http_framing framing;
    uint64_t length; /* with HTTP_LENGTH */
    int request_id;  /* index in fields of X-Request-Id, or -1 */
    http_field *fields;
    size_t nfields;
} http_head;

/* Where a head scan stands, across reads (start zeroed). */
typedef struct http_scan {
    size_t pos;        /* bytes scanned */
    size_t line_start; /* where the current line starts */
    size_t lines;      /* lines ended so far */
    int first;         /* the current line's first byte, once scanned */
} http_scan;

/* The number of bytes of blank lines (CRLF or LF) at the start of p[0..len)
 * that come before a request line and are ignored (RFC 9112 2.2). A lone CR
 * at the very end is not counted (more bytes decide). */
size_t http_skip_blank_lines(const char *p, size_t len);

/* Continues a scan of p[0..len) (the same bytes as before, maybe more) for
 * the empty line that ends a head. Returns the head's length (just past
 * that line's LF) or 0 while it has not ended; sc->lines then counts the
 * lines so far (an upper bound of the header fields). */
size_t http_scan_head(http_scan *sc, const char *p, size_t len);

/* Parses a complete head p[0..len) (request line, header lines, the empty
 * line; nothing after). fields has room for max_fields (a head scan's
 * `lines` is enough); more header lines than that is HTTP_HEAD_TOO_LARGE.
 * Returns HTTP_PASS with *h filled, or the refusal (HTTP_BAD_REQUEST,
 * HTTP_NOT_IMPLEMENTED, HTTP_EXPECTATION_FAILED, HTTP_HEAD_TOO_LARGE); on a
 * refusal *h holds what was read before it (the method, the request id).
 * Pure. */
enum http_refusal http_parse_head(const char *p, size_t len, http_head *h, http_field *fields,
                                  size_t max_fields);

/* Writes a NUL after every field value, the path and the query of a head
 * that http_parse_head read (p is its text, now writable): each is followed
 * by a blank, CR, LF, '?' or '#' that nothing needs any more. */
void http_head_terminate(char *p, const http_head *h);

/* The first field called name (case-insensitive) of h, or NULL. */
const http_field *http_head_field(const http_head *h, const char *name, size_t name_len);

/* True for 1..HTTP_REQUEST_ID_MAX characters of [A-Za-z0-9._-]: a request
 * id a client may choose (it goes into logs and a response header). */
bool http_request_id_ok(const char *s, size_t n);

/* ---- header values and the query string ---- */

/* The token of an Authorization value `Bearer <token>` (the scheme in any
 * case, then blanks): a pointer into value, or NULL when it is another
 * scheme or the token is empty. value is NUL-terminated. */
const char *http_bearer_token(const char *value);

/* The last entry of an X-Forwarded-For value p[0..n) (after its last comma,
 * blanks trimmed): *entry and *entry_len, or false when it is empty. */
bool http_forwarded_last(const char *p, size_t n, const char **entry, size_t *entry_len);

/* Receives one key=value pair of a query string (both still encoded). */
typedef void (*http_query_sink)(void *arg, const char *key, size_t key_len, const char *value,
                                size_t value_len);

/* Splits a query string q[0..n) at '&' into key=value pairs, each given to
 * sink in order. Returns the number of pairs, or -1 (and no more calls)
 * at the first part without '=' or with an empty key: such a query is
 * malformed as a whole, as the form parser before this one had it. */
int http_query_split(const char *q, size_t n, http_query_sink sink, void *arg);

/* Percent-decodes one path segment s[0..n) into out (room for n + 1,
 * NUL-terminated). False for a bad escape, or a NUL or '/' in the result
 * (a path parameter never holds either). */
bool http_segment_decode(const char *s, size_t n, char *out);

/* Decodes a query-string part s[0..n) as forms are ('+' is a space, %XX a
 * byte; a '%' not followed by two hex digits stays as it is) into out,
 * which has room for n + 1 bytes; NUL-terminates it and returns its length
 * (a decoded NUL ends the string early for C readers). */
size_t http_form_decode(const char *s, size_t n, char *out);

/* ---- the chunked body ---- */

enum http_chunked_status {
    HTTP_CHUNKED_MORE = 0, /* every complete part consumed: more bytes needed */
    HTTP_CHUNKED_DONE,     /* the last chunk and the trailer section consumed */
    HTTP_CHUNKED_OVER,     /* a chunk-size line takes the body over the limit: consumed up to
                              it; the caller refuses (413) and decodes on with drop set */
    HTTP_CHUNKED_BAD,      /* malformed framing: 400, the connection closes */
    HTTP_CHUNKED_HUGE,     /* a chunk size beyond any limit (> 15 hex digits): 413, close */
    HTTP_CHUNKED_TRAILER_TOO_LARGE, /* no end of the trailer section within max_trailer: 431 */
};

/* A chunked body's decoder state (http_chunked_init). */
typedef struct http_chunked {
    int state;
    uint64_t left;  /* data bytes of the current chunk still to come */
    uint64_t total; /* data bytes so far */
    uint64_t limit;
    size_t max_trailer;
    bool drop; /* data is dropped (refused) instead of given to the sink */
    http_scan trailer;
} http_chunked;

/* Receives decoded data bytes p[0..n) (borrowed for the call). */
typedef void (*http_chunked_sink)(void *arg, const char *p, size_t n);

/* Starts a body of at most limit data bytes, with trailer lines of at most
 * max_trailer bytes in all. */
void http_chunked_init(http_chunked *d, uint64_t limit, size_t max_trailer);

/* Decodes in[0..len) (the bytes after those consumed before): consumes
 * complete size lines, data (as much as there is), line ends and the
 * trailer section; data goes to sink(arg, …) unless d->drop. *consumed
 * receives the bytes consumed; what is left is an incomplete line and must
 * be given again with the bytes that follow. A size line longer than 1024
 * bytes is HTTP_CHUNKED_BAD. Pure. */
enum http_chunked_status http_chunked_decode(http_chunked *d, const char *in, size_t len,
                                             size_t *consumed, http_chunked_sink sink, void *arg);

#endif /* SINAU_HTTP_PARSE_H */
