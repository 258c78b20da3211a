/* bodylimit.h — per-route request body limits, enforced before the body is
 * read.
 *
 * libevent 2.1 reads a whole request (up to evhttp's one transport cap)
 * before any callback of ours runs, and has no server-side header callback.
 * So every connection's input goes through a stream (bodylimit_install)
 * that reads each request head as its bytes arrive, looks up the route's
 * limit with the server's router, and decides before evhttp sees a byte of
 * the body:
 *
 *   - a Content-Length within the limit: the head and exactly that many
 *     body bytes go through, then the next head is read (keep-alive and
 *     pipelining work as before);
 *   - chunked within the limit: the chunks are decoded here and evhttp gets
 *     the same head with Content-Length instead of Transfer-Encoding (so no
 *     more than the limit is ever held, and evhttp parses no chunk framing);
 *   - over the limit: the head is replaced by one for an internal path
 *     (/__sinau/too-large, Content-Length: 0) whose answer is our JSON 413,
 *     sent at once; the body is then read as it arrives and dropped, never
 *     held (so the client, still sending, gets the 413 and not a reset),
 *     and the connection goes on with the next request;
 *   - a malformed head or chunk framing, a head over the bound, a method
 *     evhttp does not know: the same with our 400, 431 or 501 and
 *     Connection: close, and everything else the client sends on that
 *     connection is dropped as it arrives.
 *
 * The internal requests carry a per-process random token in a header, so a
 * client asking for /__sinau/… itself is routed like any other path (404).
 *
 * How it hooks in (libevent 2.1.12): evhttp_set_bevcb gives evhttp a plain
 * socket bufferevent with an evbuffer callback on its input buffer; the
 * callback runs right after each read, before evhttp's read callback, and
 * swaps the bytes just read for what the stream lets through. A filter
 * bufferevent is not used: in 2.1.12 its output is not flushed when evhttp
 * enables writing (replies stall) and it reports a reply written while the
 * bytes still sit in the socket bufferevent (replies cut short at close). */
#ifndef SINAU_BODYLIMIT_H
#define SINAU_BODYLIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sinau/common.h"
#include "sinau/router.h"

struct evbuffer;
struct evhttp;
struct http_ctx;

/* Why a request is refused before evhttp sees it (0: it is not). */
enum bodylimit_refusal {
    BODYLIMIT_PASS = 0,
    BODYLIMIT_TOO_LARGE,       /* 413 body_too_large */
    BODYLIMIT_BAD_REQUEST,     /* 400 bad_request: head or chunk framing malformed */
    BODYLIMIT_HEAD_TOO_LARGE,  /* 431 headers_too_large: no end of head within the bound */
    BODYLIMIT_NOT_IMPLEMENTED, /* 501 not_implemented: a method evhttp does not know */
};

/* How a request's body is delimited. */
enum bodylimit_framing {
    BODYLIMIT_NO_BODY = 0, /* no Content-Length or Transfer-Encoding */
    BODYLIMIT_LENGTH,      /* Content-Length (possibly 0) */
    BODYLIMIT_CHUNKED,     /* Transfer-Encoding: chunked */
};

/* What a request head says, from bodylimit_parse_head. Pointers borrow from
 * the head text and are not NUL-terminated. */
typedef struct bodylimit_head {
    unsigned method;  /* one ROUTER_* bit; 0 for a method evhttp does not know */
    bool evhttp_body; /* libevent 2.1.12 reads a body for this method (not HEAD, TRACE) */
    const char *path; /* the target's path as evhttp_uri_get_path finds it ("/" when */
    size_t path_len;  /* empty); `*` and authority-form targets do not start with '/' */
    enum bodylimit_framing framing;
    uint64_t length;         /* with BODYLIMIT_LENGTH */
    const char *request_id;  /* X-Request-Id as sent, or NULL */
    size_t request_id_len;   /* its length */
    size_t te_start, te_len; /* with BODYLIMIT_CHUNKED: the Transfer-Encoding line */
} bodylimit_head;

/* Parses a complete request head: p[0..len) is the request line and the
 * header lines, ending with the empty line (lines end in LF or CRLF, as
 * evhttp reads them). Stricter than evhttp where evhttp and a proxy in front
 * could disagree on the framing: NUL or a bare CR anywhere, obs-fold, header
 * names with blanks, Content-Length that is not 1*DIGIT (or overflows, or
 * repeats with another value), Transfer-Encoding other than exactly one
 * `chunked`, or both headers, are BODYLIMIT_BAD_REQUEST. Returns
 * BODYLIMIT_PASS and fills *h, or the refusal. Pure; any thread. */
enum bodylimit_refusal bodylimit_parse_head(const char *p, size_t len, bodylimit_head *h);

/* What the filter enforces. Fill with bodylimit_rules_init. */
typedef struct bodylimit_rules {
    const router *router; /* borrowed; only read (router.h: any thread may match) */
    size_t default_limit; /* routes with max_body 0, and paths no route serves */
    size_t max_head;      /* a head (or a chunked trailer) longer than this: 431 */
    size_t min_limit;     /* the smallest limit of any route: no lookup at or below it */
} bodylimit_rules;

/* Fills *rules; r (borrowed) must outlive every stream made from them. */
void bodylimit_rules_init(bodylimit_rules *rules, const router *r, size_t default_limit,
                          size_t max_head);

/* The limit for a request to path (NUL-free, path_len bytes; NULL: none)
 * with method (a ROUTER_* bit): the route's max_body, or default_limit for
 * routes without one and for paths no route serves. */
size_t bodylimit_route_limit(const bodylimit_rules *rules, unsigned method, const char *path,
                             size_t path_len);

/* One connection's view of its incoming bytes. */
typedef struct bodylimit_stream bodylimit_stream;

/* Returns an owned stream (free with bodylimit_stream_free); rules are
 * borrowed and must outlive it. */
bodylimit_stream *bodylimit_stream_new(const bodylimit_rules *rules);

/* Frees s and what it holds. NULL-safe. */
void bodylimit_stream_free(bodylimit_stream *s);

/* Consumes all of in (the bytes the client sent, in order, in any pieces)
 * and appends to out what evhttp may read: heads and bodies within the
 * limits, rewritten chunked requests, refusal heads. Partial heads and
 * chunked bodies are held inside s until complete. Returns the number of
 * bytes consumed from in. Thread: the connection's loop. */
size_t bodylimit_stream_feed(bodylimit_stream *s, struct evbuffer *in, struct evbuffer *out);

/* The refusal s has made on its connection (BODYLIMIT_PASS while none). */
enum bodylimit_refusal bodylimit_stream_refusal(const bodylimit_stream *s);

/* Makes every connection h accepts from now on go through a stream with
 * these rules: r is borrowed (the server's router, alive until after h is
 * freed), default_limit is SINAU_MAX_BODY and max_head evhttp's header cap.
 * The stream of a connection is freed by its close callback, so nothing
 * else may set one (evhttp_connection_set_closecb) on h's connections.
 * Call on the main thread before the loops run; every call must pass the
 * same values (one server per process). */
void bodylimit_install(struct evhttp *h, const router *r, size_t default_limit, size_t max_head);

/* Answers a refusal head made by a stream: when ctx is a request for an
 * internal path carrying this process's token, replies with the JSON error
 * (ctx is then gone) and returns true; otherwise returns false and ctx is
 * untouched (a client's own /__sinau/… request is routed like any other).
 * Thread: ctx's loop. */
bool bodylimit_answer(struct http_ctx *ctx);

#endif /* SINAU_BODYLIMIT_H */
