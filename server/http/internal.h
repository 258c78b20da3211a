/* internal.h — what the files of the http layer share among themselves and
 * show no one else: the loop's server, a connection, a request and the
 * functions between them. conn.c owns connections (sockets, buffers,
 * framing, output), request.c a request's life (bookkeeping, routing,
 * ending), ctx.c request memory and inputs, reply.c the responses.
 *
 * Thread: everything here runs on the loop thread that owns it. */
#ifndef SINAU_HTTP_INTERNAL_H
#define SINAU_HTTP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>
#include <sys/uio.h>

#include "sinau/core/dynbuf.h"
#include "sinau/core/log.h"
#include "sinau/http/clients.h"
#include "sinau/http/ctx.h"
#include "sinau/http/loop.h"
#include "sinau/http/parse.h"

/* Connection buffers and request blocks come in blocks of this size from a
 * per-loop free list. */
#define HTTP_BLOCK_SIZE 4096

struct event;

struct http_shared {
    http_settings set;
    const router *router;
    size_t min_limit; /* the smallest body limit of any route: no lookup at or below it */
    http_clients *clients;
    int max_connections; /* set.max_connections within the open-file limit */
};

typedef struct http_conn http_conn;
typedef struct http_req http_req;
typedef struct http_chunk http_chunk;
typedef struct http_dtor http_dtor;
typedef struct http_qpair http_qpair;

struct http_loop {
    const http_shared *sh;
    http_loop_opts o;
    struct event *accept_ev;   /* the listening socket readable */
    struct event *accept_wait; /* re-enables accept_ev after EMFILE */
    int listen_fd;
    int yields;                    /* accept wake-ups left to the other loops in a row */
    const struct timeval *idle_tv; /* the idle timeout as a common timeout */
    struct timeval idle_plain;     /* the same, should a common timeout not be had */
    bool draining;
    /* requests (request.c): those without a reply yet, and ids */
    http_req *live;
    int inflight;
    uint64_t next_request;
    char id_prefix[24]; /* "<instance>-<loop index>-" of generated request ids */
    size_t id_prefix_len;
    /* connections (conn.c) */
    http_conn *conns;
    int nconns;
    void *free_blocks; /* HTTP_BLOCK_SIZE blocks, linked through their first word */
    int nfree;
    char date[48]; /* "Date: …\r\n", refreshed by the tick */
    size_t date_len;
    log_buffer access_log;
};

/* One request: the handlers' ctx first, then what only the http layer sees.
 * It lives in one block (the ctx, this, then the arena's first bytes),
 * taken when its head is complete and given back by request_end. */
struct http_req {
    http_ctx ctx;
    http_req *live_prev, *live_next; /* the loop's requests without a reply (request.c) */
    http_loop *loop;
    http_conn *conn; /* NULL once the connection is gone */
    http_addr addr;  /* the connection's peer */
    http_head head;
    enum http_refusal refusal; /* why it was refused while being read */
    /* the body */
    size_t limit;       /* the route's body limit */
    bool body_done;     /* read completely (or there is none) */
    bool continue_sent; /* 100 Continue went out */
    const char *body;   /* once read: into the connection's buffer, or body_buf's bytes */
    size_t body_len;
    dynbuf body_buf;       /* a body that did not arrive whole with its head (capped) */
    http_chunked *chunked; /* arena, while a chunked body is decoded */
    int64_t body_start_ns;
    http_handler_fn run; /* runs once the body is read */
    char *orphan_rbuf;   /* the connection's buffer, when it closed first (the head lives there) */
    bool orphan_pooled;
    /* the reply */
    const char *out_type;
    char *out_hdrs; /* extra header lines ("Name: value\r\n"…), arena */
    size_t out_len, out_cap;
    bool out_cache_control; /* a handler set Cache-Control */
    bool close;             /* close the connection after the answer */
    /* memory */
    char *arena, *arena_end;
    http_chunk *chunks;
    http_dtor *dtors;
    http_qpair *query;
    int nquery; /* -1: not parsed yet; -2: malformed */
};

/* ---- blocks (conn.c) ---- */

/* A HTTP_BLOCK_SIZE block (reused, not zeroed). */
void *http_block_take(http_loop *l);

/* Gives a block back (kept for reuse, or freed when enough are kept). */
void http_block_give(http_loop *l, void *b);

/* ---- connections (conn.c) ---- */

/* Accepts from the loop's listening socket (its event callback; loop.c). */
void conn_accept(int fd, short what, void *arg);

/* Serves an accepted socket fd from a, already counted in the caps. */
void conn_new(http_loop *l, int fd, const http_addr *a);

/* Whether the connection stays open after req's answer. */
bool conn_keep_alive(const http_conn *c, const http_req *req);

/* Writes req's answer: head[0..head_len) then the body (body_stable: it
 * outlives the request, so it need not be copied when the socket is full;
 * owner/owner_free, when set, are freed once it is written). Detaches req
 * from the connection; the caller then ends req and calls conn_resume. */
void conn_respond(http_conn *c, http_req *req, const char *head, size_t head_len, const char *body,
                  size_t body_len, bool body_stable, void (*owner_free)(void *), void *owner);

/* After an answer and its request's end: the next request, a body to
 * skip, or the close. */
void conn_resume(http_conn *c);

/* Reads req's body (100 Continue first when the client waits for it), then
 * runs req->run. Called by http_proceed. */
void conn_read_body(http_conn *c, http_req *req);

/* Closes every connection of l (at exit). */
void conn_close_all(http_loop *l);

/* ---- requests (request.c) ---- */

/* A new request on connection c (from addr) of loop l: its block, zeroed
 * and counted in flight. */
http_req *request_new(http_loop *l, http_conn *c, const http_addr *addr);

/* Parses the head in p[0..len) (c's buffer; fields for at most lines) and
 * dispatches the request: a refusal, the router, the guard, the body, the
 * handler. */
void request_head(http_req *req, char *p, size_t len, size_t lines);

/* Answers req with the refusal why (JSON error; Connection: close except
 * for 413). */
void request_refuse(http_req *req, enum http_refusal why);

/* Ends a request answered with status: the access log, metrics, the
 * bookkeeping, and its memory. */
void request_end(http_req *req, int status);

/* Frees what is left of requests never answered (at exit). */
void request_free_abandoned(http_loop *l);

/* The loop a request belongs to. */
http_loop *request_loop(const http_ctx *ctx);

/* ---- request memory (ctx.c) ---- */

/* Sets up req's arena in the rest of its block. */
void http_mem_init(http_req *req, size_t block_size);

/* Runs the destructors and frees everything the arena took beyond its block. */
void http_mem_release(http_req *req);

#endif /* SINAU_HTTP_INTERNAL_H */
