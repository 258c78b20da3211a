/* loop.c — the HTTP server of one loop thread (http_server.h): the shared
 * part (limits, the connection caps, the open-file limit), accepting from
 * the listening socket with the caps applied, the pool of buffer blocks,
 * the preformatted Date header, draining and freeing. */
#define _GNU_SOURCE /* accept4: the socket non-blocking and close-on-exec in one call */
#include "sinau/http/loop.h"

#include <errno.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "sinau/core/alloc.h"
#include "sinau/core/log.h"

#define ACCEPT_BATCH      64  /* connections taken per wake-up */
#define KEEP_FREE_BLOCKS  64  /* idle blocks a loop keeps for reuse */
#define FD_RESERVE        256 /* descriptors kept for the database, files and logs */
#define ACCEPT_PAUSE_MS   100 /* out of descriptors: accepting waits this long */
#define ACCEPT_SLACK      32  /* connections a loop may hold beyond its even part */
#define ACCEPT_YIELD_MS   5   /* how long a loop over its part leaves accepting to others */
#define ACCEPT_YIELDS_MAX 3   /* then it accepts anyway */

/* ---- the shared part ---- */

/* Raises the open-file limit as far as allowed; returns what it is. */
static long raise_nofile(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return -1;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            getrlimit(RLIMIT_NOFILE, &rl);
    }
    return rl.rlim_cur == RLIM_INFINITY ? -1 : (long)rl.rlim_cur;
}

http_shared *http_shared_new(const http_settings *s, const router *r)
{
    http_shared *sh = xcalloc(1, sizeof *sh);
    long nofile = raise_nofile();
    int per_client = s->trust_proxy ? 0 : s->max_per_address;

    sh->set = *s;
    sh->router = r;
    sh->max_connections = s->max_connections;
    if (nofile > 0 && nofile - FD_RESERVE < sh->max_connections) {
        sh->max_connections =
            nofile > 2 * FD_RESERVE ? (int)(nofile - FD_RESERVE) : (int)nofile / 2;
        log_warn("SINAU_MAX_CONNECTIONS %d is more than the open-file limit (%ld) allows: %d",
                 s->max_connections, nofile, sh->max_connections);
    }
    /* behind our own proxy every connection comes from it: no share */
    sh->clients = http_clients_new(sh->max_connections, per_client);
    return sh;
}

void http_shared_free(http_shared *sh)
{
    if (sh == NULL)
        return;
    http_clients_free(sh->clients);
    free(sh);
}

int http_shared_max_connections(const http_shared *sh)
{
    return sh->max_connections;
}

/* ---- blocks ---- */

void *http_block_take(http_loop *l)
{
    void *b = l->free_blocks;

    if (b == NULL)
        return xmalloc(HTTP_BLOCK_SIZE);
    memcpy(&l->free_blocks, b, sizeof l->free_blocks);
    l->nfree--;
    return b;
}

void http_block_give(http_loop *l, void *b)
{
    if (l->nfree >= KEEP_FREE_BLOCKS) {
        free(b);
        return;
    }
    memcpy(b, &l->free_blocks, sizeof l->free_blocks);
    l->free_blocks = b;
    l->nfree++;
}

/* ---- the loop's server ---- */

/* The Date header (RFC 9110 IMF-fixdate) with its line end, made once per
 * tick instead of for every answer: a second's resolution is what it
 * carries. */
static void refresh_date(http_loop *l)
{
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    l->date_len = strftime(l->date, sizeof l->date, "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
}

http_loop *http_loop_new(const http_shared *sh, const http_loop_opts *o)
{
    http_loop *l = xcalloc(1, sizeof *l);
    struct timeval idle = {sh->set.idle_timeout_s, 0};

    l->sh = sh;
    l->o = *o;
    l->listen_fd = -1;
    l->idle_plain = idle;
    l->idle_tv = event_base_init_common_timeout(o->base, &idle);
    if (l->idle_tv == NULL)
        l->idle_tv = &l->idle_plain;
    l->id_prefix_len =
        (size_t)snprintf(l->id_prefix, sizeof l->id_prefix, "%.8s-%d-", o->instance, o->index);
    refresh_date(l);
    return l;
}

/* A connection over the caps: a short 503 in the API's error format and the
 * socket closed, the request (if it came already) read first so that the
 * close is no reset. No request exists yet, so this one answer does not go
 * through the reply path. */
static void refuse_connection(int fd)
{
#define FULL_BODY                                                                                  \
    "{\"error\":{\"code\":\"too_many_connections\",\"message\":\"the server has too many "         \
    "connections; try again shortly\"}}"
    static const char head[] =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
        "X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nRetry-After: 1\r\n"
        "Connection: close\r\nContent-Length: ";
    char scratch[4096], length[32];
    int n = snprintf(length, sizeof length, "%zu\r\n\r\n", sizeof FULL_BODY - 1);
    struct iovec iov[3] = {{(void *)(uintptr_t)head, sizeof head - 1},
                           {length, (size_t)n},
                           {(void *)(uintptr_t)FULL_BODY, sizeof FULL_BODY - 1}};
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 3};

    while (recv(fd, scratch, sizeof scratch, MSG_DONTWAIT) > 0)
        ;
    if (sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
        log_debug("refused connection: %s", strerror(errno));
    shutdown(fd, SHUT_WR);
    close(fd);
#undef FULL_BODY
}

static void accept_resume(evutil_socket_t fd, short what, void *arg)
{
    http_loop *l = arg;

    (void)fd;
    (void)what;
    if (!l->draining && l->accept_ev != NULL)
        event_add(l->accept_ev, NULL);
}

/* Stops accepting for ms: out of descriptors, or holding more than this
 * loop's part (the listening socket stays readable for every loop until
 * one accepts: a loop that only declined would spin). */
static void accept_pause(http_loop *l, int ms)
{
    struct timeval pause = {ms / 1000, (ms % 1000) * 1000};

    event_del(l->accept_ev);
    if (l->accept_wait == NULL)
        l->accept_wait = evtimer_new(l->o.base, accept_resume, l);
    evtimer_add(l->accept_wait, &pause);
}

/* One accepted socket: counted and served, or refused. */
static void admit(http_loop *l, int fd, const struct sockaddr *sa)
{
    http_addr a;
    enum http_admit verdict;

    if (http_addr_from_sockaddr(sa, &a) != 0) {
        close(fd);
        return;
    }
    verdict = http_clients_admit(l->sh->clients, &a);
    if (verdict != HTTP_ADMIT_OK) {
        atomic_fetch_add_explicit(&l->o.metrics->connections_refused, 1, memory_order_relaxed);
        refuse_connection(fd);
        return;
    }
    conn_new(l, fd, &a);
}

void conn_accept(evutil_socket_t listen_fd, short what, void *arg)
{
    http_loop *l = arg;

    (void)what;
    /* every loop wakes for a new connection on the shared socket: one that
     * holds more than its part leaves it to the others for a moment (but
     * not for long, should they be slow to come) */
    if (l->nconns > http_clients_open(l->sh->clients) / l->sh->set.loops + ACCEPT_SLACK &&
        l->yields < ACCEPT_YIELDS_MAX) {
        l->yields++;
        accept_pause(l, ACCEPT_YIELD_MS);
        return;
    }
    l->yields = 0;
    for (int i = 0; i < ACCEPT_BATCH; i++) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        int fd = accept4(listen_fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (fd >= 0) {
            admit(l, fd, (struct sockaddr *)&ss);
            continue;
        }
        if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
            continue;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
            log_warn("out of file descriptors (%s): not accepting for %d ms", strerror(errno),
                     ACCEPT_PAUSE_MS);
            accept_pause(l, ACCEPT_PAUSE_MS);
        } else if (errno != EAGAIN && errno != EWOULDBLOCK)
            log_warn("accept: %s", strerror(errno));
        return;
    }
}

int http_loop_listen(http_loop *l, int listen_fd)
{
    l->listen_fd = listen_fd;
    l->accept_ev = event_new(l->o.base, listen_fd, EV_READ | EV_PERSIST, conn_accept, l);
    if (l->accept_ev == NULL || event_add(l->accept_ev, NULL) != 0)
        return -1;
    return 0;
}

void http_loop_drain(http_loop *l)
{
    l->draining = true;
    if (l->accept_ev != NULL)
        event_del(l->accept_ev);
    if (l->accept_wait != NULL)
        event_del(l->accept_wait);
}

int http_loop_connections(const http_loop *l)
{
    return l->nconns;
}

void http_loop_tick(http_loop *l)
{
    refresh_date(l);
    log_flush(&l->access_log);
    atomic_store_explicit(&l->o.metrics->connections, l->nconns, memory_order_relaxed);
}

void http_loop_free(http_loop *l)
{
    if (l == NULL)
        return;
    conn_close_all(l);
    request_free_abandoned(l);
    log_flush(&l->access_log);
    while (l->free_blocks != NULL)
        free(http_block_take(l));
    if (l->accept_ev != NULL)
        event_free(l->accept_ev);
    if (l->accept_wait != NULL)
        event_free(l->accept_wait);
    free(l);
}
