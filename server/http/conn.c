/* conn.c — one client connection (internal.h), from accept to close, on
 * its loop thread only.
 *
 * A connection is one allocation: this struct and its libevent event, which
 * watches the socket and carries the one timer. While idle it holds
 * nothing else. When bytes arrive it takes a buffer block (rbuf) from the
 * loop's pool, reads the request head into it, and gives the head to
 * request.c, which makes the request (a second block: the ctx and an arena)
 * and dispatches it. Header values and small bodies stay in rbuf (the head
 * is pinned there until the request ends); a body that did not arrive with
 * its head is read straight into a buffer of its own (a dynbuf, capped at
 * its Content-Length or at the route's body limit). Answers go out with
 * one writev of the head and the body (referenced, not copied); only what
 * the socket does not take is kept. When the answer is done the connection
 * goes on with the next request (pipelined bytes are already in rbuf),
 * skips the body of a request that was refused before it was read, or
 * closes: our side is shut and input is dropped until the client closes or
 * LINGER_S pass, so that the answer is not lost to a reset.
 *
 * States (the `state` field; conn_watch maps each to what the event waits
 * for and its timeout):
 *   CS_HEAD    waiting for a request head: idle (the idle timeout, for a new
 *              connection too) until its first byte, then within the head
 *              deadline
 *   CS_BODY    reading a request's body (the minimum rate applies)
 *   CS_BUSY    the request is with the guard or its handler; pipelined
 *              bytes are read while rbuf has room
 *   CS_SKIP    dropping the body of a request answered before it was read
 *   CS_LINGER  the last answer is out (or going): dropping input, then close */
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "internal.h"
#include "sinau/core/alloc.h"
#include "sinau/core/clock.h"
#include "sinau/http/reply.h"

#define PIN_SLACK   2048  /* rbuf room kept after a pinned head (a chunk-size line, a trailer) */
#define TRAILER_MAX 1024  /* a chunked body's trailer section */
#define SKIP_READ   65536 /* bytes read at once when dropping a body */
#define LINGER_S    2     /* the longest wait for the client to close after our last answer */

enum conn_state { CS_HEAD = 0, CS_BODY, CS_BUSY, CS_SKIP, CS_LINGER };
enum conn_timer { T_NONE = 0, T_IDLE, T_CUSTOM };
enum step { STEP_WAIT = 0, STEP_AGAIN, STEP_DEAD };

struct http_conn {
    http_loop *loop;
    http_conn *prev, *next; /* the loop's connections */
    http_req *req;          /* the request being read or handled */
    char *rbuf;             /* input: [pinned, rstart) consumed, [rstart, rend) not yet */
    uint32_t rcap, rstart, rend, pinned;
    http_scan scan;   /* CS_HEAD */
    int64_t since_ns; /* CS_HEAD: the head's first byte (0: idle); CS_BODY, CS_SKIP: the body's
                         start; CS_LINGER: when it began */
    uint64_t got;     /* CS_BODY, CS_SKIP: bytes received, for the rate */
    /* the answer not yet written: copied bytes, then a referenced body */
    char *out_copy;
    size_t out_copy_len, out_copy_off;
    const char *out_ref;
    size_t out_ref_len;
    void (*out_free)(void *owner);
    void *out_owner;
    /* CS_SKIP */
    uint64_t skip_left;
    http_chunked *skip_chunked; /* malloc'd; NULL for a Content-Length body */
    http_addr addr;
    int fd;
    uint8_t state, next_state, timer;
    short events;     /* what ev waits for (0: not added) */
    bool rbuf_pooled; /* rbuf is a pool block (else malloc'd, larger) */
    bool peer_eof;    /* the client closed its side */
    bool broken;      /* a write failed: close at the next chance */
    bool processing;  /* inside conn_process */
    struct event *ev; /* in the same allocation, after this struct */
};

static void on_event(evutil_socket_t fd, short what, void *arg);
static bool conn_process(http_conn *c);

/* ---- buffers ---- */

static size_t rbuf_max(const http_conn *c)
{
    return c->loop->sh->set.max_head + PIN_SLACK;
}

static void rbuf_take(http_conn *c)
{
    c->rbuf = http_block_take(c->loop);
    c->rcap = HTTP_BLOCK_SIZE;
    c->rbuf_pooled = true;
    c->rstart = c->rend = c->pinned = 0;
}

static void rbuf_drop(http_conn *c)
{
    if (c->rbuf == NULL)
        return;
    if (c->rbuf_pooled)
        http_block_give(c->loop, c->rbuf);
    else
        free(c->rbuf);
    c->rbuf = NULL;
    c->rcap = c->rstart = c->rend = c->pinned = 0;
}

/* Moves the unread bytes down to the pinned part's end. */
static void rbuf_compact(http_conn *c)
{
    if (c->rstart == c->pinned)
        return;
    memmove(c->rbuf + c->pinned, c->rbuf + c->rstart, c->rend - c->rstart);
    c->rend -= c->rstart - c->pinned;
    c->rstart = c->pinned;
}

/* A larger rbuf (at least need bytes, at most rbuf_max), only while
 * nothing is pinned in it (pinned text is pointed at). Returns false when
 * it cannot grow. */
static bool rbuf_grow(http_conn *c, size_t need)
{
    size_t cap = 2 * (size_t)c->rcap, max = rbuf_max(c);
    char *grown;

    if (c->pinned > 0 || c->rcap >= max)
        return false;
    if (cap < need)
        cap = need;
    if (cap > max)
        cap = max;
    grown = xmalloc(cap);
    memcpy(grown, c->rbuf + c->rstart, c->rend - c->rstart);
    c->rend -= c->rstart;
    c->rstart = 0;
    if (c->rbuf_pooled)
        http_block_give(c->loop, c->rbuf);
    else
        free(c->rbuf);
    c->rbuf = grown;
    c->rcap = (uint32_t)cap;
    c->rbuf_pooled = false;
    return true;
}

/* ---- output ---- */

static bool out_pending(const http_conn *c)
{
    return c->out_copy_len > c->out_copy_off || c->out_ref_len > 0;
}

static void out_copy_append(http_conn *c, const char *p, size_t n)
{
    size_t left = c->out_copy_len - c->out_copy_off;
    char *grown = xmalloc(left + n);

    if (left > 0)
        memcpy(grown, c->out_copy + c->out_copy_off, left);
    memcpy(grown + left, p, n);
    free(c->out_copy);
    c->out_copy = grown;
    c->out_copy_len = left + n;
    c->out_copy_off = 0;
}

static void out_free_owner(http_conn *c)
{
    if (c->out_free != NULL)
        c->out_free(c->out_owner);
    c->out_free = NULL;
    c->out_owner = NULL;
    c->out_ref = NULL;
    c->out_ref_len = 0;
}

/* Writes head then body after whatever is pending, keeping what the socket
 * does not take: a stable body by reference (owner freed once written),
 * everything else copied. */
static void out_write(http_conn *c, const char *head, size_t hlen, const char *body, size_t blen,
                      bool stable, void (*owner_free)(void *), void *owner)
{
    size_t done = 0, boff;

    if (out_pending(c) && c->out_ref_len > 0) { /* keep the order: the referenced body first */
        out_copy_append(c, c->out_ref, c->out_ref_len);
        out_free_owner(c);
    }
    if (!out_pending(c) && !c->broken) {
        struct iovec iov[2] = {{(void *)(uintptr_t)head, hlen}, {(void *)(uintptr_t)body, blen}};
        ssize_t n = writev(c->fd, iov, blen > 0 ? 2 : 1);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            c->broken = true;
        done = n > 0 ? (size_t)n : 0;
    }
    if (!c->broken && done < hlen) {
        out_copy_append(c, head + done, hlen - done);
        done = hlen;
    }
    boff = done - hlen;
    if (!c->broken && boff < blen) {
        if (stable) {
            c->out_ref = body + boff;
            c->out_ref_len = blen - boff;
            c->out_free = owner_free;
            c->out_owner = owner;
            return;
        }
        out_copy_append(c, body + boff, blen - boff);
    }
    if (owner_free != NULL)
        owner_free(owner);
}

/* Shuts our side once the last answer is out (CS_LINGER). */
static void linger_start(http_conn *c)
{
    if (c->state == CS_LINGER && !out_pending(c)) {
        shutdown(c->fd, SHUT_WR);
        c->since_ns = clock_now_ns();
    }
}

/* Writes what is pending. Returns false when the connection is gone. */
static bool conn_flush(http_conn *c)
{
    struct iovec iov[2];
    int n = 0;
    ssize_t w;

    if (c->out_copy_len > c->out_copy_off)
        iov[n++] = (struct iovec){c->out_copy + c->out_copy_off, c->out_copy_len - c->out_copy_off};
    if (c->out_ref_len > 0)
        iov[n++] = (struct iovec){(void *)(uintptr_t)c->out_ref, c->out_ref_len};
    if (n == 0)
        return true;
    w = writev(c->fd, iov, n);
    if (w < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    if ((size_t)w >= c->out_copy_len - c->out_copy_off) {
        w -= (ssize_t)(c->out_copy_len - c->out_copy_off);
        free(c->out_copy);
        c->out_copy = NULL;
        c->out_copy_len = c->out_copy_off = 0;
        if (w > 0) { /* out_ref is NULL when there is no referenced body */
            c->out_ref += w;
            c->out_ref_len -= (size_t)w;
        }
        if (c->out_ref_len == 0)
            out_free_owner(c);
    } else {
        c->out_copy_off += (size_t)w;
    }
    if (out_pending(c))
        return true;
    linger_start(c);
    return true;
}

/* ---- the event and its timer ---- */

/* now + the time until deadline_ns, at most the idle timeout (and 0 when it
 * has passed). */
static struct timeval until(const http_conn *c, int64_t deadline_ns, int64_t now)
{
    int64_t left = deadline_ns - now, idle = (int64_t)c->loop->sh->set.idle_timeout_s * 1000000000;

    if (left > idle)
        left = idle;
    if (left < 0)
        left = 0;
    return (struct timeval){(time_t)(left / 1000000000), (suseconds_t)(left % 1000000000 / 1000)};
}

/* When a body (or a skipped one) is too slow: the head timeout's grace,
 * then SINAU_MIN_BODY_RATE bytes a second on average. */
static int64_t rate_deadline(const http_conn *c)
{
    const http_settings *s = &c->loop->sh->set;
    int64_t d = c->since_ns + (int64_t)s->head_timeout_s * 1000000000;

    if (s->min_body_rate == 0)
        return INT64_MAX;
    return d + (int64_t)(c->got * 1000000000 / s->min_body_rate);
}

/* What the event should wait for now, and until when. */
static short wanted(const http_conn *c, enum conn_timer *t, int64_t *deadline)
{
    bool pending = out_pending(c);
    short want = pending ? EV_WRITE : 0;

    *t = T_CUSTOM;
    switch ((enum conn_state)c->state) {
    case CS_HEAD:
        *t = c->since_ns == 0 || pending ? T_IDLE : T_CUSTOM;
        *deadline = c->since_ns + (int64_t)c->loop->sh->set.head_timeout_s * 1000000000;
        return want | (pending ? 0 : EV_READ);
    case CS_BODY:
    case CS_SKIP:
        *deadline = rate_deadline(c);
        return want | EV_READ;
    case CS_BUSY: /* pipelined bytes are read while they fit */
        *t = T_IDLE;
        if (c->peer_eof || c->rbuf == NULL || (c->rend == c->rcap && c->rstart == c->pinned))
            return want;
        return want | EV_READ;
    case CS_LINGER:
        *deadline = c->since_ns + (int64_t)LINGER_S * 1000000000;
        if (pending)
            *t = T_IDLE;
        return want | (pending ? 0 : EV_READ);
    }
    return want;
}

/* Points the event at what the state needs (conn_watch's callers make
 * sure c is alive). Cheap when nothing changed: a keep-alive connection
 * going back to idle re-adds nothing. */
static void conn_watch(http_conn *c)
{
    enum conn_timer t;
    int64_t deadline = 0;
    short want = wanted(c, &t, &deadline);
    struct timeval tv;

    if (want == 0) {
        if (c->events != 0)
            event_del(c->ev);
        c->events = 0;
        c->timer = T_NONE;
        return;
    }
    if (want != c->events) {
        if (c->events != 0)
            event_del(c->ev);
        event_assign(c->ev, c->loop->o.base, c->fd, (short)(want | EV_PERSIST), on_event, c);
        c->events = want;
        c->timer = T_NONE;
    }
    if (t == T_IDLE) {
        if (c->timer != T_IDLE)
            event_add(c->ev, c->loop->idle_tv);
        c->timer = T_IDLE;
        return;
    }
    tv = until(c, deadline, clock_now_ns());
    event_add(c->ev, &tv);
    c->timer = T_CUSTOM;
}

/* ---- making and closing ---- */

void conn_new(http_loop *l, int fd, const http_addr *a)
{
    http_conn *c = xcalloc(1, sizeof *c + event_get_struct_event_size());
    int one = 1;

    c->ev = (struct event *)(void *)(c + 1);
    c->loop = l;
    c->fd = fd;
    c->addr = *a;
    c->state = CS_HEAD;
    /* until its first byte a new connection waits like an idle keep-alive
     * one (browsers keep unused connections open ~10 s); the head's
     * deadline runs from that byte */
    c->since_ns = 0;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    SINAU_DLIST_PUSH(l->conns, c, prev, next);
    l->nconns++;
    conn_watch(c);
}

/* Closes the socket and frees c. A request with the guard or its handler
 * keeps going without it (its answer is then just dropped); one whose body
 * was still arriving is ended here, unless the loop is going away. */
static void conn_close(http_conn *c, bool exiting)
{
    http_loop *l = c->loop;
    http_req *req = c->req;

    if (c->events != 0)
        event_del(c->ev);
    close(c->fd);
    http_clients_release(l->sh->clients, &c->addr);
    if (req != NULL) {
        c->req = NULL;
        req->conn = NULL;
        req->orphan_rbuf = c->rbuf; /* the head lives there */
        req->orphan_pooled = c->rbuf_pooled;
        c->rbuf = NULL;
        if (c->state == CS_BODY && !exiting)
            http_reply_error(&req->ctx, 400, "incomplete_request",
                             "the client closed the connection during the body");
    }
    free(c->out_copy);
    out_free_owner(c);
    free(c->skip_chunked);
    rbuf_drop(c);
    SINAU_DLIST_UNLINK(l->conns, c, prev, next);
    l->nconns--;
    free(c);
}

void conn_close_all(http_loop *l)
{
    while (l->conns != NULL)
        conn_close(l->conns, true);
}

/* ---- the head ---- */

/* A head that never ended within the bound, or no head at all before its
 * deadline: a request made only to carry the refusal. */
static enum step refuse_without_head(http_conn *c, enum http_refusal why)
{
    http_req *req = request_new(c->loop, c, &c->addr);

    c->state = CS_BUSY;
    c->req = req;
    request_refuse(req, why);
    return STEP_AGAIN;
}

/* A complete head of `end` bytes at rstart: pinned at the start of rbuf,
 * with PIN_SLACK after it, and handed to a new request. */
static enum step head_complete(http_conn *c, size_t end)
{
    size_t lines = c->scan.lines;
    http_req *req;

    if (c->rstart > 0) {
        memmove(c->rbuf, c->rbuf + c->rstart, c->rend - c->rstart);
        c->rend -= c->rstart;
        c->rstart = 0;
    }
    if (c->rcap < end + PIN_SLACK)
        rbuf_grow(c, end + PIN_SLACK);
    memset(&c->scan, 0, sizeof c->scan);
    c->since_ns = 0;
    c->pinned = c->rstart = (uint32_t)end;
    c->state = CS_BUSY;
    req = request_new(c->loop, c, &c->addr);
    c->req = req;
    request_head(req, c->rbuf, end, lines);
    return STEP_AGAIN;
}

static enum step step_head(http_conn *c)
{
    size_t avail, end, max_head = c->loop->sh->set.max_head;

    if (c->rbuf != NULL && c->scan.pos == 0)
        c->rstart += (uint32_t)http_skip_blank_lines(c->rbuf + c->rstart, c->rend - c->rstart);
    avail = c->rbuf != NULL ? c->rend - c->rstart : 0;
    if (avail == 0) {
        if (c->peer_eof) {
            conn_close(c, false);
            return STEP_DEAD;
        }
        if (c->rbuf != NULL && c->scan.pos == 0)
            rbuf_drop(c); /* idle: the buffer goes back to the pool */
        return STEP_WAIT;
    }
    if (c->since_ns == 0)
        c->since_ns = clock_now_ns(); /* a head's first byte: its deadline starts */
    end = http_scan_head(&c->scan, c->rbuf + c->rstart, avail);
    if (end == 0 || end > max_head) {
        if (end > max_head || avail > max_head)
            return refuse_without_head(c, HTTP_HEAD_TOO_LARGE);
        if (c->peer_eof) {
            conn_close(c, false);
            return STEP_DEAD;
        }
        return STEP_WAIT;
    }
    return head_complete(c, end);
}

/* ---- the body ---- */

/* A body the buffer could not hold (the C library refused the memory:
 * the decoder and Content-Length keep it under its cap): 413, and the
 * connection closes, as for a body that can never fit. */
static enum step body_unheld(http_req *req)
{
    req->close = true;
    request_refuse(req, HTTP_TOO_LARGE);
    return STEP_AGAIN;
}

static void chunk_sink(void *arg, const char *p, size_t n)
{
    http_req *req = arg;

    (void)dynbuf_add(&req->body_buf, p, n); /* body_chunked looks once decoded */
}

/* The body is complete: the handler runs, on the bytes in the buffer
 * unless they stayed in rbuf. */
static enum step body_done(http_conn *c, http_req *req)
{
    if (req->body == NULL) {
        req->body = dynbuf_ptr(&req->body_buf);
        req->body_len = req->body_buf.len;
    }
    req->body_done = true;
    c->state = CS_BUSY;
    req->run(&req->ctx);
    return STEP_AGAIN;
}

static enum step body_length(http_conn *c, http_req *req)
{
    dynbuf *b = &req->body_buf;
    size_t avail = c->rend - c->rstart, need = (size_t)req->head.length - b->len;

    if (b->len == 0 && avail >= need) { /* all here: it stays in rbuf */
        req->body = c->rbuf + c->rstart;
        req->body_len = need;
        c->rstart += (uint32_t)need;
        c->pinned = c->rstart;
        return body_done(c, req);
    }
    if (avail > need)
        avail = need;
    if (dynbuf_add(b, c->rbuf + c->rstart, avail) != 0)
        return body_unheld(req);
    c->rstart += (uint32_t)avail;
    c->got += avail;
    if (b->len == req->head.length)
        return body_done(c, req);
    return STEP_WAIT;
}

static enum step body_chunked(http_conn *c, http_req *req)
{
    size_t used = 0;
    enum http_chunked_status st = http_chunked_decode(req->chunked, c->rbuf + c->rstart,
                                                      c->rend - c->rstart, &used, chunk_sink, req);

    c->rstart += (uint32_t)used;
    c->got += used;
    if (dynbuf_failed(&req->body_buf))
        return body_unheld(req);
    switch (st) {
    case HTTP_CHUNKED_MORE:
        rbuf_compact(c);
        return STEP_WAIT;
    case HTTP_CHUNKED_DONE:
        return body_done(c, req);
    case HTTP_CHUNKED_OVER: /* answered now; the rest is dropped, then the next request */
        request_refuse(req, HTTP_TOO_LARGE);
        return STEP_AGAIN;
    case HTTP_CHUNKED_HUGE:
        req->close = true;
        request_refuse(req, HTTP_TOO_LARGE);
        return STEP_AGAIN;
    case HTTP_CHUNKED_TRAILER_TOO_LARGE:
        request_refuse(req, HTTP_HEAD_TOO_LARGE);
        return STEP_AGAIN;
    case HTTP_CHUNKED_BAD:
        break;
    }
    request_refuse(req, HTTP_BAD_REQUEST);
    return STEP_AGAIN;
}

static enum step step_body(http_conn *c)
{
    http_req *req = c->req;
    enum step s = req->head.framing == HTTP_CHUNKED ? body_chunked(c, req) : body_length(c, req);

    if (s == STEP_WAIT && c->peer_eof) { /* the body can never be complete */
        conn_close(c, false);
        return STEP_DEAD;
    }
    return s;
}

void conn_read_body(http_conn *c, http_req *req)
{
    const http_head *h = &req->head;

    if (!h->reads_body || h->framing == HTTP_NO_BODY ||
        (h->framing == HTTP_LENGTH && h->length == 0)) {
        req->body_done = true;
        req->run(&req->ctx);
        return;
    }
    /* a body that does not come whole with its head: capped at its length,
     * or at the route's limit (which the chunked decoder holds it to) */
    dynbuf_init(&req->body_buf, h->framing == HTTP_CHUNKED ? req->limit : (size_t)h->length);
    if (h->framing == HTTP_CHUNKED) {
        req->chunked = http_ctx_alloc(&req->ctx, sizeof *req->chunked);
        http_chunked_init(req->chunked, req->limit, TRAILER_MAX);
    }
    if (h->expect_continue && c->rstart == c->rend) {
        static const char go_on[] = "HTTP/1.1 100 Continue\r\n\r\n";
        out_write(c, go_on, sizeof go_on - 1, NULL, 0, true, NULL, NULL);
        req->continue_sent = true;
    }
    c->state = CS_BODY;
    c->since_ns = clock_now_ns();
    c->got = 0;
    if (!c->processing && conn_process(c))
        conn_watch(c);
}

/* ---- skipping a refused body ---- */

/* Waits for more of a skipped body, unless the client has closed. */
static enum step skip_wait(http_conn *c)
{
    if (!c->peer_eof)
        return STEP_WAIT;
    conn_close(c, false);
    return STEP_DEAD;
}

static enum step step_skip(http_conn *c)
{
    size_t avail = c->rend - c->rstart, used = avail;

    if (c->skip_chunked != NULL) {
        enum http_chunked_status st =
            http_chunked_decode(c->skip_chunked, c->rbuf + c->rstart, avail, &used, NULL, NULL);
        c->rstart += (uint32_t)used;
        c->got += used;
        if (st == HTTP_CHUNKED_MORE) {
            rbuf_compact(c);
            return skip_wait(c);
        }
        free(c->skip_chunked);
        c->skip_chunked = NULL;
        if (st != HTTP_CHUNKED_DONE) { /* unreadable framing after our answer */
            conn_close(c, false);
            return STEP_DEAD;
        }
        c->state = CS_HEAD;
        return STEP_AGAIN;
    }
    if (used > c->skip_left)
        used = (size_t)c->skip_left;
    c->rstart += (uint32_t)used;
    c->skip_left -= used;
    c->got += used;
    if (c->skip_left == 0) {
        c->state = CS_HEAD;
        return STEP_AGAIN;
    }
    return skip_wait(c);
}

/* ---- processing ---- */

/* Works through what rbuf holds, request after request, until it needs
 * more bytes or a handler's answer. Returns false when c is gone. */
static bool conn_process(http_conn *c)
{
    enum step s = STEP_AGAIN;

    c->processing = true;
    while (s == STEP_AGAIN) {
        if (c->broken) {
            conn_close(c, false);
            return false;
        }
        switch ((enum conn_state)c->state) {
        case CS_HEAD: /* answers go out in order: none while one is still being written */
            s = out_pending(c) ? STEP_WAIT : step_head(c);
            break;
        case CS_BODY:
            s = step_body(c);
            break;
        case CS_SKIP:
            s = step_skip(c);
            break;
        case CS_BUSY:
        case CS_LINGER:
            s = STEP_WAIT;
            break;
        }
    }
    if (s == STEP_DEAD)
        return false;
    c->processing = false;
    return true;
}

/* ---- answers ---- */

/* Whether req's body has been taken off the connection (read, or none). */
static bool body_consumed(const http_req *req)
{
    const http_head *h = &req->head;

    return req->body_done || h->framing == HTTP_NO_BODY ||
           (h->framing == HTTP_LENGTH && h->length == 0);
}

bool conn_keep_alive(const http_conn *c, const http_req *req)
{
    if (c->peer_eof || c->broken || req->close || !req->head.keep_alive || c->loop->draining)
        return false;
    if (req->ctx.method == ROUTER_CONNECT || req->ctx.method == 0)
        return false;
    /* answered before its body was asked for: the client may never send it */
    if (!body_consumed(req) && req->head.expect_continue && !req->continue_sent)
        return false;
    return true;
}

/* After req's answer: the next request, skipping req's body, or closing. */
static void plan_next(http_conn *c, http_req *req, bool keep)
{
    c->next_state = keep ? CS_HEAD : CS_LINGER;
    if (!keep || body_consumed(req))
        return;
    c->next_state = CS_SKIP;
    c->got = 0;
    if (req->head.framing == HTTP_LENGTH) {
        c->skip_left = req->head.length - req->body_len;
        return;
    }
    c->skip_chunked = xmalloc(sizeof *c->skip_chunked);
    if (req->chunked != NULL)
        *c->skip_chunked = *req->chunked;
    else
        http_chunked_init(c->skip_chunked, req->limit, TRAILER_MAX);
    c->skip_chunked->drop = true;
}

void conn_respond(http_conn *c, http_req *req, const char *head, size_t head_len, const char *body,
                  size_t body_len, bool body_stable, void (*owner_free)(void *), void *owner)
{
    plan_next(c, req, conn_keep_alive(c, req));
    c->req = NULL;
    req->conn = NULL;
    out_write(c, head, head_len, body, body_len, body_stable, owner_free, owner);
}

/* After an answer: closes a broken connection, or goes on with what it
 * has buffered and watches it again. */
static void conn_go_on(http_conn *c)
{
    if (c->broken) {
        conn_close(c, false);
        return;
    }
    if (conn_process(c))
        conn_watch(c);
}

void conn_resume(http_conn *c)
{
    c->pinned = 0; /* the request is gone: nothing points into rbuf any more */
    if (c->rbuf != NULL)
        rbuf_compact(c);
    c->state = c->next_state;
    c->since_ns = c->state == CS_HEAD ? 0 : clock_now_ns();
    linger_start(c);
    if (c->processing)
        return; /* answered from inside conn_process, which goes on */
    conn_go_on(c);
}

/* ---- events ---- */

/* Drops what arrives after our last answer; closes at the client's EOF. */
static bool linger_read(http_conn *c)
{
    char scratch[4096];
    ssize_t n = read(c->fd, scratch, sizeof scratch);

    if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)))
        return true;
    conn_close(c, false);
    return false;
}

/* Dropping a Content-Length body with nothing buffered: big reads, not
 * through rbuf. Returns 1 when it read, 0 when it did nothing, -1 when c is
 * gone. */
static int skip_read(http_conn *c)
{
    char scratch[SKIP_READ];
    size_t want = c->skip_left < sizeof scratch ? (size_t)c->skip_left : sizeof scratch;
    ssize_t n;

    if (c->state != CS_SKIP || c->skip_chunked != NULL || c->rstart != c->rend)
        return 0;
    n = read(c->fd, scratch, want);
    if (n > 0) {
        c->skip_left -= (uint64_t)n;
        c->got += (uint64_t)n;
        if (c->skip_left == 0)
            c->state = CS_HEAD;
        return 1;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return 1;
    conn_close(c, false);
    return -1;
}

/* Reading a Content-Length body that has its own buffer, straight into it.
 * Same returns as skip_read. */
static int body_read(http_conn *c)
{
    http_req *req = c->req;
    dynbuf *b;
    size_t room;
    char *p;
    ssize_t n;

    if (c->state != CS_BODY || req->head.framing != HTTP_LENGTH || req->body_buf.len == 0 ||
        c->rstart != c->rend)
        return 0;
    b = &req->body_buf;
    p = dynbuf_reserve(b, (size_t)req->head.length - b->len, &room);
    n = p != NULL ? read(c->fd, p, room) : -1; /* NULL: the memory was refused */
    if (n > 0) {
        dynbuf_commit(b, (size_t)n);
        c->got += (uint64_t)n;
        return 1; /* conn_process sees the body complete */
    }
    if (p != NULL && n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return 1;
    conn_close(c, false); /* EOF, an error or no memory in the middle of a body */
    return -1;
}

/* Reads into rbuf and works through it. Returns false when c is gone. */
static bool conn_read(http_conn *c)
{
    ssize_t n;
    int direct;

    if (c->state == CS_LINGER)
        return linger_read(c);
    direct = c->state == CS_SKIP ? skip_read(c) : body_read(c);
    if (direct < 0)
        return false;
    if (direct == 0) {
        if (c->rbuf == NULL)
            rbuf_take(c);
        if (c->rend == c->rcap)
            rbuf_compact(c);
        if (c->rend == c->rcap && !rbuf_grow(c, c->rcap + 1u))
            return c->state == CS_BUSY || conn_process(c);
        n = read(c->fd, c->rbuf + c->rend, c->rcap - c->rend);
        if (n > 0) {
            c->rend += (uint32_t)n;
        } else if (n == 0) {
            c->peer_eof = true;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            return true;
        } else {
            conn_close(c, false);
            return false;
        }
    }
    if (c->state == CS_BUSY) /* the handler answers first; pipelined bytes wait */
        return true;
    return conn_process(c);
}

/* 408 for a head (req NULL) or a body that did not arrive in time; the
 * answer moves c to CS_LINGER. */
static void answer_timeout(http_conn *c, http_req *req)
{
    c->processing = true; /* the answer must not go on to other work */
    if (req != NULL)
        request_refuse(req, HTTP_REQUEST_TIMEOUT);
    else
        refuse_without_head(c, HTTP_REQUEST_TIMEOUT);
    c->processing = false;
    conn_go_on(c);
}

/* The timer: a head or body too slow (408), or idle long enough (close). */
static void conn_timeout(http_conn *c)
{
    switch ((enum conn_state)c->state) {
    case CS_HEAD:
        if (c->since_ns != 0 && c->rbuf != NULL && c->rend > c->rstart && !out_pending(c)) {
            answer_timeout(c, NULL);
            return;
        }
        break;
    case CS_BODY:
        answer_timeout(c, c->req);
        return;
    case CS_BUSY:
        if (!out_pending(c))
            return; /* the handler's answer comes; the timer goes on */
        break;
    case CS_SKIP:
    case CS_LINGER:
        break;
    }
    conn_close(c, false);
}

static void on_event(evutil_socket_t fd, short what, void *arg)
{
    http_conn *c = arg;

    (void)fd;
    if (what & EV_TIMEOUT) {
        conn_timeout(c);
        return;
    }
    if ((what & EV_WRITE) && !conn_flush(c)) {
        conn_close(c, false);
        return;
    }
    if ((what & EV_WRITE) && !out_pending(c) && c->state == CS_HEAD && !conn_process(c))
        return;
    if ((what & EV_READ) && !conn_read(c))
        return;
    conn_watch(c);
}
