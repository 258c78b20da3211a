/* server.c — `sinau serve` (server.h), the composition root beside main.c:
 * it wires http/, db/, auth/, api/ and core/ together. One listening socket
 * shared by N loop threads, each with its own event_base, HTTP server
 * (http_server.h: the http layer gets the router, the guard, the pool and
 * the static files from here) and db_pool; and the graceful stop at
 * SIGTERM/SIGINT (stop accepting, drain, exit 0). */
#include "sinau/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "sinau/api/outbox.h"
#include "sinau/api/registry.h"
#include "sinau/api/routes.h"
#include "sinau/api/schemas.h"
#include "sinau/auth/guard.h"
#include "sinau/auth/password.h"
#include "sinau/auth/sesscache.h"
#include "sinau/cert/keys.h"
#include "sinau/cert/pdfsign.h"
#include "sinau/cert/verdicts.h"
#include "sinau/core/alloc.h"
#include "sinau/core/clock.h"
#include "sinau/core/log.h"
#include "sinau/core/ratelimit.h"
#include "sinau/crypto/pii.h"
#include "sinau/db/ha.h"
#include "sinau/db/listen.h"
#include "sinau/db/pool.h"
#include "sinau/http/web.h"

#define TICK_MS        250
#define VERDICT_SLOTS  4096 /* cached verdicts (~1.2 KiB each) */
#define API_TICK_EVERY 20   /* ticks between the API timers (5 s) */
#define LISTEN_BACKLOG 4096

/* ---- loops ---- */

/* The read pool's and the listener's figures (failover, issue 19). */
static void publish_ha_gauges(sinau_loop *loop)
{
    db_pool_stats st;
    db_listen_stats ls;
    metrics_block *m = loop->metrics;

    if (loop->db_read != NULL) {
        db_pool_get_stats(loop->db_read, &st);
        metrics_publish_pool(&m->db_read, &st);
    }
    if (loop->listen != NULL) {
        db_listen_get_stats(loop->listen, &ls);
        atomic_store(&m->db_listening, ls.subscribed ? 1 : 0);
        atomic_store(&m->db_listen_subscriptions, ls.subscriptions);
        atomic_store(&m->db_notifications, ls.notifications);
    }
}

static void publish_session_cache(sinau_loop *loop)
{
    sesscache_stats st;
    metrics_block *m = loop->metrics;

    if (loop->index != 0)
        return;
    sesscache_get_stats(loop->server->sessions, &st);
    atomic_store(&m->sess_enabled, st.enabled ? 1 : 0);
    atomic_store(&m->sess_hits, st.hits);
    atomic_store(&m->sess_misses, st.misses);
    atomic_store(&m->sess_stored, st.stored);
    atomic_store(&m->sess_invalidations, st.invalidations);
    atomic_store(&m->sess_flushes, st.flushes);
}

static void publish_gauges(sinau_loop *loop)
{
    db_pool_stats st;
    metrics_block *m = loop->metrics;

    db_pool_get_stats(loop->db, &st);
    metrics_publish_pool(&m->db, &st);
    atomic_store(&m->inflight, http_loop_inflight(loop->http));
    publish_ha_gauges(loop);
    publish_session_cache(loop);
}

/* The instance's requests without a reply yet, as each loop last published
 * them (publish_gauges). Any loop thread. */
static int server_inflight(const sinau_server *srv)
{
    int n = 0;

    for (int i = 0; i < srv->nloops; i++)
        n += atomic_load_explicit(&srv->loops[i].metrics->inflight, memory_order_relaxed);
    return n;
}

static void heartbeat_done(void *arg, db_result *r)
{
}

/* The heartbeat read pools measure standbys by (only needed with one);
 * written by loop 0 at each tick. A refusal waits for the next tick. */
static void heartbeat(sinau_loop *loop)
{
    if (loop->index != 0 || loop->db_read == NULL || loop->draining || !db_pool_ready(loop->db))
        return;
    if (db_query(loop->db, &db_ha_heartbeat_stmt, NULL, heartbeat_done, NULL) != 0)
        return;
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    sinau_loop *loop = arg;

    http_loop_tick(loop->http);
    publish_gauges(loop);
    heartbeat(loop);
    /* the API's timers run on the first loop of each instance; they are
     * written to be safe with several instances (SKIP LOCKED) */
    if (loop->index == 0 && !loop->draining && ++loop->ticks % API_TICK_EVERY == 0)
        api_tick(&loop->api);
    if (loop->index == 0) /* the delivery worker, every tick */
        outbox_tick(loop->server->outbox, loop->draining, server_inflight(loop->server));
    if (!loop->draining)
        return;
    if (http_loop_inflight(loop->http) == 0 &&
        !(loop->index == 0 && outbox_busy(loop->server->outbox))) {
        event_base_loopexit(loop->base, NULL);
    } else if (clock_now_ns() >= loop->drain_deadline_ns) {
        log_warn("loop %d: %d requests still running at the end of the grace period", loop->index,
                 http_loop_inflight(loop->http));
        event_base_loopexit(loop->base, NULL);
    }
}

/* Runs on the loop thread when the main thread asks it to stop. */
static void on_stop(evutil_socket_t fd, short what, void *arg)
{
    sinau_loop *loop = arg;

    http_loop_drain(loop->http); /* stops accepting; new requests get 503 */
    if (loop->accepting) {
        loop->accepting = false;
        /* the last loop to let go closes the socket, so that new clients are
         * refused at once instead of queueing in the backlog until exit */
        if (atomic_fetch_sub(&loop->server->accepting, 1) == 1) {
            close(loop->server->listen_fd);
            loop->server->listen_fd = -1;
        }
    }
    loop->draining = true;
    loop->drain_deadline_ns =
        clock_now_ns() + (int64_t)loop->server->cfg->shutdown_grace_s * 1000000000;
    on_tick(-1, 0, loop);
}

/* The http layer's limits and policy, from the configuration. */
static http_settings http_settings_of(const sinau_config *cfg)
{
    return (http_settings){
        .max_head = cfg->max_header_bytes,
        .max_body = cfg->max_body_bytes,
        .idle_timeout_s = cfg->idle_timeout_s,
        .head_timeout_s = cfg->head_timeout_s,
        .min_body_rate = cfg->min_body_rate,
        .max_connections = cfg->max_connections,
        .max_per_address = cfg->max_connections_per_address,
        .loops = cfg->threads,
        .db_wait_ms = cfg->db_queue_timeout_ms,
        .trust_proxy = cfg->trust_proxy,
        .https = strncmp(cfg->public_url, "https://", 8) == 0,
    };
}

static void on_listen_notify(void *arg, const char *channel, const char *payload)
{
    sinau_loop *loop = arg;

    api_on_notify(&loop->api, channel, payload);
}

/* Every LISTEN is in force again: the session cache starts afresh and may
 * answer; the API resynchronises what it keeps. */
static void on_listening(void *arg)
{
    sinau_loop *loop = arg;

    sesscache_reset(loop->server->sessions, true, db_listen_socket(loop->listen));
    api_on_listening(&loop->api);
}

/* The listening connection went: notifications may be missed from now on,
 * so the session cache is emptied and says nothing until on_listening. */
static void on_listen_lost(void *arg)
{
    sinau_loop *loop = arg;

    sesscache_reset(loop->server->sessions, false, -1);
}

/* The read pool (SINAU_DATABASE_READ_URL) and, on loop 0, the listener:
 * the same settings as the loop's pool otherwise. */
static void loop_init_ha(sinau_loop *loop, const db_pool_opts *dbo)
{
    const sinau_config *cfg = loop->server->cfg;
    db_pool_opts ro = *dbo;

    if (cfg->database_read_url != NULL) {
        ro.conninfo = cfg->database_read_url;
        ro.application_name = "sinau-read";
        ro.read_only = true;
        ro.max_staleness_ms = cfg->read_max_lag_ms;
        ro.staleness_stmt = &db_ha_staleness_stmt;
        loop->db_read = db_pool_new(loop->base, &ro);
    }
    if (loop->index == 0) {
        db_pool_opts lo = *dbo;
        lo.application_name = "sinau-listen";
        loop->listen = db_listen_new(loop->base, &lo, api_listen_channels, on_listen_notify,
                                     on_listening, loop);
        if (loop->listen != NULL)
            db_listen_set_on_lost(loop->listen, on_listen_lost);
    }
}

/* /metrics: every loop's figures, the worker pool's and the delivery
 * worker's, appended to t (api_services.metrics_text; any loop, reading
 * atomics). */
static void metrics_text(void *arg, dynbuf *t)
{
    const sinau_server *srv = arg;
    metrics_block **blocks = xcalloc((size_t)srv->nloops, sizeof *blocks);
    const http_route *const *routes;
    size_t nroutes;

    for (int i = 0; i < srv->nloops; i++)
        blocks[i] = srv->loops[i].metrics;
    routes = router_routes(srv->router, &nroutes);
    metrics_render(t, blocks, srv->nloops, routes, nroutes, worker_queue_depth(srv->workers),
                   worker_busy(srv->workers));
    free(blocks);
    outbox_metrics(srv->outbox, t);
}

/* What the loop's handlers and API timers are given (api/services.h). */
static void loop_init_services(sinau_server *srv, sinau_loop *loop)
{
    loop->api = (api_services){
        .cfg = srv->cfg,
        .keys = srv->keys,
        .sessions = srv->sessions,
        .verify_misses = srv->verify_misses,
        .pdf_signer = srv->pdf_signer,
        .verdicts = srv->verdicts,
        .workers = srv->workers,
        .bodies = srv->bodies,
        .openapi = srv->openapi,
        .openapi_len = srv->openapi_len,
        .metrics_text = metrics_text,
        .metrics_arg = srv,
        .base = loop->base,
        .db = loop->db,
    };
}

static int loop_init(sinau_server *srv, sinau_loop *loop, int index)
{
    const sinau_config *cfg = srv->cfg;
    struct timeval tick = {0, TICK_MS * 1000};
    db_pool_opts dbo = {
        .conninfo = cfg->database_url,
        .size = cfg->db_pool_size,
        .queue_max = cfg->db_queue_max,
        .queue_timeout_ms = cfg->db_queue_timeout_ms,
        .statement_timeout_ms = cfg->statement_timeout_ms,
        .connect_timeout_ms = 5000,
        .application_name = "sinau",
    };

    http_loop_opts ho;

    loop->server = srv;
    loop->index = index;
    loop->base = event_base_new();
    if (loop->base == NULL)
        return -1;
    loop->metrics = xcalloc(1, sizeof *loop->metrics);
    loop->db = db_pool_new(loop->base, &dbo);
    loop_init_ha(loop, &dbo);
    loop_init_services(srv, loop);
    auth_guard_init(&loop->guard, cfg, srv->sessions, loop->db);
    ho = (http_loop_opts){
        .base = loop->base,
        .services = &loop->api,
        .index = index,
        .instance = srv->instance,
        .db = loop->db,
        .db_read = loop->db_read,
        .workers = srv->workers,
        .web = srv->web,
        .metrics = loop->metrics,
        .guard = &loop->guard.base,
    };
    loop->http = http_loop_new(srv->http, &ho);
    /* every loop accepts from the same socket; none of them closes it */
    if (http_loop_listen(loop->http, srv->listen_fd) != 0)
        return -1;
    loop->accepting = true;
    atomic_fetch_add(&srv->accepting, 1);
    if (index == 0) {
        /* the delivery worker's own connection: its claims and marks never
         * take a request's place in the pool or its queue */
        char err[200];
        db_pool_opts obo = dbo;
        obo.size = 1;
        obo.queue_max = 64;
        obo.application_name = "sinau-outbox";
        loop->outbox_db = db_pool_new(loop->base, &obo);
        srv->outbox =
            outbox_new(loop->base, loop->outbox_db, cfg, srv->keys, srv->instance, err, sizeof err);
        if (srv->outbox == NULL) {
            log_error("messages: %s", err);
            return -1;
        }
    }
    loop->stop_ev = event_new(loop->base, -1, 0, on_stop, loop);
    loop->tick = event_new(loop->base, -1, EV_PERSIST, on_tick, loop);
    event_add(loop->tick, &tick);
    return 0;
}

static void loop_free(sinau_loop *loop)
{
    if (loop->base == NULL)
        return;
    /* the pool first: requests the grace left running lose their queries
     * (no callback), then the HTTP server frees them and its connections */
    if (loop->index == 0) {
        outbox_free(loop->server->outbox);
        loop->server->outbox = NULL;
        db_pool_free(loop->outbox_db);
    }
    db_pool_free(loop->db);
    db_pool_free(loop->db_read);
    db_listen_free(loop->listen);
    if (loop->api.offer_timer != NULL)
        event_free(loop->api.offer_timer);
    http_loop_free(loop->http);
    if (loop->stop_ev != NULL)
        event_free(loop->stop_ev);
    if (loop->tick != NULL)
        event_free(loop->tick);
    free(loop->metrics);
    event_base_free(loop->base);
}

static void *loop_main(void *arg)
{
    sinau_loop *loop = arg;

    event_base_dispatch(loop->base); /* the access log is written out by http_loop_free */
    return NULL;
}

/* ---- listening socket ---- */

static int open_listener(sinau_server *srv, char *err, size_t errlen)
{
    const sinau_config *cfg = srv->cfg;
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    struct sockaddr_storage ss;
    socklen_t sslen = sizeof ss;
    char port[8];
    int fd = -1, one = 1, rc;

    snprintf(port, sizeof port, "%d", cfg->listen_port);
    rc = getaddrinfo(cfg->listen_host, port, &hints, &ai);
    if (rc != 0) {
        snprintf(err, errlen, "cannot resolve %s: %s", cfg->listen_host, gai_strerror(rc));
        return -1;
    }
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, LISTEN_BACKLOG) != 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &sslen) != 0) {
        snprintf(err, errlen, "cannot listen on %s:%d: %s", cfg->listen_host, cfg->listen_port,
                 strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(ai);
        return -1;
    }
    freeaddrinfo(ai);
    srv->listen_fd = fd;
    srv->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                               : ((struct sockaddr_in *)&ss)->sin_port);
    return 0;
}

/* ---- start and stop ---- */

/* The office's PDF signing certificate, when configured: a PKCS#12 that
 * does not open stops the start (a misconfigured signature must not pass
 * silently as unsigned PDFs). */
static int load_pdf_signer(sinau_server *srv)
{
    const sinau_config *cfg = srv->cfg;
    char err[256];

    if (cfg->pdf_p12 == NULL) {
        log_info("certificate PDFs are not signed (SINAU_PDF_SIGN_P12 not set)");
        return 0;
    }
    if (pdfsign_load(cfg->pdf_p12, cfg->pdf_pass_file, cfg->tsa_url, &srv->pdf_signer, err,
                     sizeof err) != 0) {
        log_error("PDF signing: %s", err);
        return -1;
    }
    log_info("certificate PDFs are signed by %s (until %s)%s", pdfsign_signer_name(srv->pdf_signer),
             pdfsign_not_after(srv->pdf_signer), cfg->tsa_url != NULL ? ", with timestamps" : "");
    return 0;
}

/* The data folder (mode 0700 when we make it) and the master key in it. */
static int load_keys(sinau_server *srv)
{
    const sinau_config *cfg = srv->cfg;
    bool created = false;
    char err[256];

    if (mkdir(cfg->data_dir, 0700) != 0 && errno != EEXIST) {
        log_error("cannot create the data folder %s: %s", cfg->data_dir, strerror(errno));
        return -1;
    }
    if (pii_keyring_load(cfg->key_file, true, &srv->keys, &created, err, sizeof err) != 0) {
        log_error("%s", err);
        return -1;
    }
    if (created)
        log_warn("created the master key %s (mode 0600): back it up; without it personal "
                 "data cannot be read",
                 cfg->key_file);
    return 0;
}

static int loops_init(sinau_server *srv)
{
    srv->nloops = srv->cfg->threads;
    srv->loops = xcalloc((size_t)srv->nloops, sizeof *srv->loops);
    for (int i = 0; i < srv->nloops; i++) {
        if (loop_init(srv, &srv->loops[i], i) != 0) {
            log_error("cannot start loop %d", i);
            return -1;
        }
    }
    return 0;
}

static int server_init(sinau_server *srv, const sinau_config *cfg)
{
    http_settings hs = http_settings_of(cfg);
    char err[256];
    unsigned char r[4];

    srv->cfg = cfg;
    srv->listen_fd = -1;
    randombytes_buf(r, sizeof r);
    snprintf(srv->instance, sizeof srv->instance, "%02x%02x%02x%02x", r[0], r[1], r[2], r[3]);
    srv->router = router_new();
    if (api_register_all(srv->router, cfg->debug_routes) != 0) {
        log_error("cannot build the route table");
        return -1;
    }
    srv->web = static_store_load(cfg->web_dir, err, sizeof err);
    if (srv->web == NULL) {
        log_error("cannot load %s: %s", cfg->web_dir, err);
        return -1;
    }
    srv->openapi = api_openapi_build(srv->router, cfg->public_url, &srv->openapi_len);
    srv->bodies = api_bodies_build(srv->router);
    if (srv->bodies == NULL)
        return -1;
    if (load_keys(srv) != 0)
        return -1;
    if (certkeys_bootstrap(cfg, srv->keys, err, sizeof err) != 0)
        log_warn("certificate keys: %s (issuing waits for the database)", err);
    if (load_pdf_signer(srv) != 0)
        return -1;
    srv->verdicts = verdict_cache_new(VERDICT_SLOTS);
    srv->verify_misses = ratelimit_new(cfg->verify_misses_per_minute, VERIFY_MISS_WINDOW_S);
    if (auth_dummy_hash_init(cfg->pwhash) != 0) {
        log_error("cannot compute the login timing hash");
        return -1;
    }
    srv->workers = worker_pool_new(cfg->worker_threads, cfg->worker_queue_max);
    if (srv->workers == NULL)
        return -1;
    srv->sessions = sesscache_new((size_t)cfg->session_cache_size, cfg->session_cache_s);
    if (open_listener(srv, err, sizeof err) != 0) {
        log_error("%s", err);
        return -1;
    }
    srv->http = http_shared_new(&hs, srv->router);
    return loops_init(srv);
}

static void server_free(sinau_server *srv)
{
    /* workers first: their completions target the loops' bases */
    worker_pool_free(srv->workers);
    for (int i = 0; i < srv->nloops; i++)
        loop_free(&srv->loops[i]);
    free(srv->loops);
    sesscache_free(srv->sessions);
    if (srv->listen_fd >= 0)
        close(srv->listen_fd);
    static_store_free(srv->web);
    pii_keyring_free(srv->keys);
    pdfsign_free(srv->pdf_signer);
    verdict_cache_free(srv->verdicts);
    ratelimit_free(srv->verify_misses);
    http_shared_free(srv->http);
    router_free(srv->router);
    free(srv->openapi);
    api_bodies_free(srv->bodies);
}

/* Blocks until SIGTERM or SIGINT; a second signal exits at once. */
static void wait_for_stop(sinau_server *srv, const sigset_t *set)
{
    int sig = 0;

    sigwait(set, &sig);
    log_info("signal %d: stopping (draining for up to %d s)", sig, srv->cfg->shutdown_grace_s);
    atomic_store(&srv->stopping, true);
    for (int i = 0; i < srv->nloops; i++)
        event_active(srv->loops[i].stop_ev, EV_TIMEOUT, 0);
}

/* After the first signal: another one at least a second later exits at
 * once. Signals within that second belong to the same request (Ctrl-C
 * reaches every process of the terminal's group, and a wrapper script may
 * forward it as SIGTERM too). */
static void *second_signal_watch(void *arg)
{
    const sigset_t *set = arg;
    int64_t first = clock_now_ns();
    int sig = 0;

    for (;;) {
        sigwait(set, &sig);
        if (clock_now_ns() - first >= 1000000000)
            break;
    }
    log_warn("second signal %d: exiting now", sig);
    _exit(1);
}

static void log_listening(const sinau_server *srv)
{
    const sinau_config *cfg = srv->cfg;
    bool v6 = strchr(cfg->listen_host, ':') != NULL;

    log_info("listening on http://%s%s%s:%d (%d loop threads, %d db connections each, %d workers)",
             v6 ? "[" : "", cfg->listen_host, v6 ? "]" : "", srv->port, srv->nloops,
             cfg->db_pool_size, cfg->worker_threads);
}

int server_run(const sinau_config *cfg)
{
    sinau_server srv = {0};
    sigset_t set;
    pthread_t *threads = NULL, watcher;
    int rc = -1, started = 0;

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    /* block before any thread exists so only sigwait sees the signals */
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    evthread_use_pthreads();
    curl_global_init(CURL_GLOBAL_DEFAULT); /* before any thread: not thread-safe */
    if (server_init(&srv, cfg) != 0)
        goto out;
    threads = xcalloc((size_t)srv.nloops, sizeof *threads);
    for (; started < srv.nloops; started++)
        if (pthread_create(&threads[started], NULL, loop_main, &srv.loops[started]) != 0)
            goto out;
    log_listening(&srv);
    wait_for_stop(&srv, &set);
    pthread_create(&watcher, NULL, second_signal_watch, &set);
    pthread_detach(watcher);
    rc = 0;
out:
    if (rc != 0) {
        atomic_store(&srv.stopping, true);
        for (int i = 0; i < started; i++)
            event_active(srv.loops[i].stop_ev, EV_TIMEOUT, 0);
    }
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    free(threads);
    server_free(&srv);
    curl_global_cleanup();
    if (rc == 0)
        log_info("stopped");
    return rc;
}
