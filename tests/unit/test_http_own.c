/* test_http_own.c — the request's destructor list (http.h: http_own and its
 * typed helpers) through a real loop's HTTP server on a loopback socket:
 * what a handler attaches is freed newest first, exactly once, after the
 * answer is written, on every way a request ends — a reply, an error
 * reply, the refusal of an "…OrReply" call (http_unpack, http_work on a
 * full pool), a client that went away before the reply, and a request
 * still unanswered when the server is freed. And http_work's run sees only
 * its job, done gets the request back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sinau/core/alloc.h"
#include "sinau/http/ctx.h"
#include "sinau/http/loop.h"
#include "sinau/http/reply.h"

/* ---- what the destructors record ---- */

static int order[32]; /* tags in the order their destructors ran */
static int nrun;
static int runs[8]; /* how often each tag's destructor ran */

static void record(void *p)
{
    int tag = *(int *)p;

    order[nrun++] = tag;
    runs[tag]++;
    free(p);
}

/* Attaches a destructor for tag (1..7) to ctx. */
static void own_tag(http_ctx *ctx, int tag)
{
    int *p = xmalloc(sizeof *p);

    *p = tag;
    assert_ptr_equal(http_own(ctx, p, record), p);
}

static void reset_record(void)
{
    nrun = 0;
    memset(runs, 0, sizeof runs);
    memset(order, 0, sizeof order);
}

/* ---- the handlers ---- */

static http_ctx *held; /* a request /hold kept without replying */

/* GET /ok: three tags, a buffer the reply's body is read from, an owned
 * json_t and a NULL (attaches nothing), then 200. */
static void h_ok(http_ctx *ctx)
{
    char *body = http_own_buf(ctx, xstrdup("owned body"));

    own_tag(ctx, 1);
    own_tag(ctx, 2);
    assert_null(http_own(ctx, NULL, record));
    assert_non_null(http_own_json(ctx, json_pack("{s:i}", "n", 1)));
    own_tag(ctx, 3);
    http_reply_bytes(ctx, 200, "text/plain", body, strlen(body));
}

/* GET /error: owns, then an error reply. */
static void h_error(http_ctx *ctx)
{
    own_tag(ctx, 1);
    own_tag(ctx, 2);
    http_reply_error(ctx, 409, "conflict", "test conflict");
}

/* POST /unpack: owns, then http_unpack refuses an unknown member (422). */
static void h_unpack(http_ctx *ctx)
{
    json_t *body;

    own_tag(ctx, 1);
    if (http_read_json(ctx, false, &body) != 0)
        return;
    own_tag(ctx, 2);
    if (http_unpack(ctx, body, "{}") != 0)
        return;
    http_reply_empty(ctx, 204);
}

/* GET /hold: owns and keeps the request without replying. */
static void h_hold(http_ctx *ctx)
{
    own_tag(ctx, 1);
    own_tag(ctx, 2);
    held = ctx;
}

typedef struct work_job {
    int input;
    int output;
} work_job;

static void work_run(void *arg)
{
    work_job *job = arg;

    job->output = job->input * 2;
}

static void work_done(http_ctx *ctx, void *arg)
{
    work_job *job = arg;

    own_tag(ctx, 2);
    http_reply_json(ctx, 200, json_pack("{s:i}", "output", job->output));
}

/* GET /work: owns, then a job on the pool (which may refuse: 503). */
static void h_work(http_ctx *ctx)
{
    work_job *job = http_ctx_alloc(ctx, sizeof *job);

    own_tag(ctx, 1);
    job->input = 21;
    http_work(ctx, job, work_run, work_done);
}

static const http_route routes[] = {
    {ROUTER_GET, "/ok", h_ok, 0, NULL, NULL, 0, NULL},
    {ROUTER_GET, "/error", h_error, 0, NULL, NULL, 0, NULL},
    {ROUTER_POST, "/unpack", h_unpack, 0, NULL, NULL, 0, NULL},
    {ROUTER_GET, "/hold", h_hold, 0, NULL, NULL, 0, NULL},
    {ROUTER_GET, "/work", h_work, 0, NULL, NULL, 0, NULL},
};

/* The route guard (http/loop.h's http_guard): lets every request through. */
static void guard_pass(const http_guard *self, http_ctx *ctx, void (*next)(http_ctx *ctx))
{
    (void)self;
    next(ctx);
}

static const http_guard guard = {.check = guard_pass};

/* ---- one server ---- */

typedef struct server {
    struct event_base *base;
    router *router;
    http_shared *sh;
    http_loop *loop;
    worker_pool *workers;
    metrics_block *metrics;
    int listen_fd;
    int port;
} server;

static void server_start(server *s, int worker_queue)
{
    http_settings set = {.max_head = 8192,
                         .max_body = 65536,
                         .idle_timeout_s = 30,
                         .head_timeout_s = 30,
                         .min_body_rate = 1,
                         .max_connections = 64,
                         .loops = 1,
                         .db_wait_ms = 1000};
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    http_loop_opts o;

    memset(s, 0, sizeof *s);
    s->base = event_base_new();
    s->router = router_new();
    assert_int_equal(router_add_table(s->router, routes, SINAU_ARRAY_LEN(routes)), 0);
    s->sh = http_shared_new(&set, s->router);
    s->workers = worker_pool_new(1, worker_queue);
    assert_non_null(s->workers);
    s->metrics = xcalloc(1, sizeof *s->metrics);
    memset(&o, 0, sizeof o);
    o.base = s->base;
    o.instance = "test";
    o.workers = s->workers;
    o.metrics = s->metrics;
    o.guard = &guard;
    s->loop = http_loop_new(s->sh, &o);
    s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_int_equal(bind(s->listen_fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(s->listen_fd, 16), 0);
    assert_int_equal(getsockname(s->listen_fd, (struct sockaddr *)&a, &alen), 0);
    s->port = ntohs(a.sin_port);
    fcntl(s->listen_fd, F_SETFL, fcntl(s->listen_fd, F_GETFL) | O_NONBLOCK);
    assert_int_equal(http_loop_listen(s->loop, s->listen_fd), 0);
}

static void server_stop(server *s)
{
    worker_pool_free(s->workers);
    http_loop_free(s->loop);
    close(s->listen_fd);
    http_shared_free(s->sh);
    router_free(s->router);
    event_base_free(s->base);
    free(s->metrics);
}

/* Runs the loop until done() (each turn lasts at most 20 ms). */
static void run_until(server *s, bool (*done)(const server *s))
{
    for (int i = 0; i < 500 && !done(s); i++) {
        struct timeval tv = {0, 20000};
        event_base_loopexit(s->base, &tv);
        event_base_dispatch(s->base);
    }
    assert_true(done(s));
}

/* A blocking client connection that has sent request. */
static int client_send(const server *s, const char *request)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)s->port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(write(fd, request, strlen(request)), (ssize_t)strlen(request));
    return fd;
}

/* Reads one answer from fd into buf: the head, then Content-Length bytes
 * (the server wrote it before the request ended). */
static void client_read(int fd, char *buf, size_t cap)
{
    struct timeval tv = {5, 0};
    size_t n = 0;
    ssize_t k;
    const char *end, *cl;

    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    buf[0] = '\0';
    while (n + 1 < cap && (k = read(fd, buf + n, cap - 1 - n)) > 0) {
        n += (size_t)k;
        buf[n] = '\0';
        end = strstr(buf, "\r\n\r\n");
        cl = strstr(buf, "Content-Length: ");
        if (end != NULL && cl != NULL && (size_t)(end + 4 - buf) + strtoul(cl + 16, NULL, 10) <= n)
            break;
    }
}

/* The request ended: tag 1 (always attached first) ran. */
static bool ended(const server *s)
{
    (void)s;
    return runs[1] > 0;
}

static bool holding(const server *s)
{
    (void)s;
    return held != NULL;
}

static bool no_connections(const server *s)
{
    return http_loop_connections(s->loop) == 0;
}

/* ---- the cases ---- */

/* The destructors ran exactly in the order given (tags), once each. */
static void assert_ran(int n, const int *tags)
{
    assert_int_equal(nrun, n);
    for (int i = 0; i < n; i++) {
        assert_int_equal(order[i], tags[i]);
        assert_int_equal(runs[tags[i]], 1);
    }
}

/* One request on a fresh server whose pool queues worker_queue jobs: the
 * answer must hold status and body; then the destructors must have run as
 * tags says, and nothing more when the server is freed. */
static void exchange(int worker_queue, const char *request, const char *status, const char *body,
                     int n, const int *tags)
{
    server s;
    char buf[2048];
    int fd;

    reset_record();
    server_start(&s, worker_queue);
    fd = client_send(&s, request);
    run_until(&s, ended);
    client_read(fd, buf, sizeof buf);
    assert_non_null(strstr(buf, status));
    assert_non_null(strstr(buf, body));
    assert_ran(n, tags);
    close(fd);
    server_stop(&s);
    assert_ran(n, tags);
}

static void test_reply_runs_newest_first_once(void **state)
{
    (void)state;
    /* the body was read from an owned buffer: written before it was freed */
    exchange(4, "GET /ok HTTP/1.1\r\nHost: t\r\n\r\n", "HTTP/1.1 200", "\r\n\r\nowned body", 3,
             (const int[]){3, 2, 1});
}

static void test_error_reply(void **state)
{
    (void)state;
    exchange(4, "GET /error HTTP/1.1\r\nHost: t\r\n\r\n", "HTTP/1.1 409", "conflict", 2,
             (const int[]){2, 1});
}

static void test_or_reply_refusal(void **state)
{
    (void)state;
    exchange(4,
             "POST /unpack HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
             "Content-Length: 7\r\n\r\n{\"x\":1}",
             "HTTP/1.1 422", "unknown_field", 2, (const int[]){2, 1});
}

static void test_work_done(void **state)
{
    (void)state;
    /* tag 2 is attached by done, after the job ran on the worker */
    exchange(4, "GET /work HTTP/1.1\r\nHost: t\r\n\r\n", "HTTP/1.1 200", "\"output\":42", 2,
             (const int[]){2, 1});
}

static void test_work_refused(void **state)
{
    (void)state;
    /* a pool that queues nothing refuses every job: done never runs */
    exchange(0, "GET /work HTTP/1.1\r\nHost: t\r\n\r\n", "HTTP/1.1 503", "busy", 1,
             (const int[]){1});
}

/* A fresh server holding a /hold request that has not been answered;
 * returns the client's socket. */
static int start_holding(server *s)
{
    int fd;

    reset_record();
    held = NULL;
    server_start(s, 4);
    fd = client_send(s, "GET /hold HTTP/1.1\r\nHost: t\r\n\r\n");
    run_until(s, holding);
    assert_int_equal(http_loop_inflight(s->loop), 1);
    return fd;
}

static void test_client_gone(void **state)
{
    server s;
    int fd = start_holding(&s);

    (void)state;
    /* a reset, not a half-close (after which the answer would still go out) */
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &(struct linger){1, 0}, sizeof(struct linger));
    close(fd);
    run_until(&s, no_connections);
    assert_int_equal(nrun, 0); /* the request outlives its connection */
    http_reply_empty(held, 204);
    assert_ran(2, (const int[]){2, 1});
    assert_int_equal(http_loop_inflight(s.loop), 0);
    server_stop(&s);
    assert_ran(2, (const int[]){2, 1});
}

static void test_unanswered_at_exit(void **state)
{
    server s;
    int fd = start_holding(&s);

    (void)state;
    server_stop(&s); /* never answered: freed with the server */
    assert_ran(2, (const int[]){2, 1});
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reply_runs_newest_first_once),
        cmocka_unit_test(test_error_reply),
        cmocka_unit_test(test_or_reply_refusal),
        cmocka_unit_test(test_work_done),
        cmocka_unit_test(test_work_refused),
        cmocka_unit_test(test_client_gone),
        cmocka_unit_test(test_unanswered_at_exit),
    };

    xalloc_libraries_init();
    evthread_use_pthreads();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
