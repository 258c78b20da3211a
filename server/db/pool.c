/* pool.c — the per-loop asynchronous PostgreSQL pool (db.h).
 *
 * Each connection is a small state machine (db_state.h) moved only by
 * change_state(). While up, a connection keeps one persistent read event on
 * its socket, so a server that goes away is noticed even when idle; a
 * one-shot write event is armed only while libpq has unsent bytes. Queries
 * wait in one FIFO per pool; the janitor expires those that waited too long. */
#include "sinau/db.h"

#include <assert.h>
#include <event2/event.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "sinau/alloc.h"
#include "sinau/db_state.h"
#include "sinau/log.h"

#define JANITOR_INTERVAL_MS 200
#define MAX_PARAMS          64

typedef struct db_job {
    const db_stmt *stmt;
    const char *const *values; /* borrowed from the caller until cb */
    const int *lengths;
    const int *formats;
    db_done_fn cb;
    void *arg;
    int64_t deadline_ms; /* queue wait limit (monotonic) */
    struct db_job *next;
} db_job;

typedef struct db_conn {
    db_pool *pool;
    int index;
    enum db_conn_state state;
    PGconn *pg;
    struct event *io;    /* persistent EV_READ while up; connect polls while connecting */
    struct event *wr;    /* one-shot EV_WRITE while libpq has unsent data */
    struct event *timer; /* reconnect backoff, connect timeout */
    int attempt;         /* consecutive failed connects */
    bool ever_connected;
    db_job *current;          /* query being prepared/run, or NULL */
    PGresult *result;         /* first result of the running command */
    const db_stmt **prepared; /* statements prepared on this connection */
    size_t nprepared, capprepared;
} db_conn;

struct db_pool {
    struct event_base *base;
    char *conninfo;
    char *app_name;
    char timeout_opt[64]; /* "-c statement_timeout=5000" */
    int queue_max, queue_timeout_ms, connect_timeout_ms;
    db_conn *conns;
    int size;
    db_job *qhead, *qtail;
    int queued;
    struct event *janitor;
    struct event *kick; /* activated to start queued queries on the next turn */
    db_pool_stats stats;
};

static void conn_connect_start(db_conn *c);
static void conn_dispatch_next(db_conn *c);
static void conn_lost(db_conn *c, const char *why);

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct timeval tv_ms(int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

    return tv;
}

/* The only place a connection changes state (STYLE.md rule 11). */
static void change_state(db_conn *c, enum db_conn_state to)
{
    assert(db_conn_transition_ok(c->state, to));
    c->state = to;
}

/* ---- the wait queue ---- */

static void queue_push(db_pool *p, db_job *q)
{
    q->next = NULL;
    if (p->qtail != NULL)
        p->qtail->next = q;
    else
        p->qhead = q;
    p->qtail = q;
    p->queued++;
}

static db_job *queue_pop(db_pool *p)
{
    db_job *q = p->qhead;

    if (q != NULL) {
        p->qhead = q->next;
        if (p->qhead == NULL)
            p->qtail = NULL;
        p->queued--;
    }
    return q;
}

/* Completes q with a status and no result. Frees q. */
static void query_fail(db_pool *p, db_job *q, enum db_status st)
{
    db_result r = {st, NULL, ""};

    p->stats.queries++;
    p->stats.errors++;
    q->cb(q->arg, &r);
    free(q);
}

static bool pool_any_up_or_coming(const db_pool *p)
{
    for (int i = 0; i < p->size; i++) {
        enum db_conn_state s = p->conns[i].state;
        if (db_conn_state_is_up(s) || s == DB_CONN_CONNECTING)
            return true;
    }
    return false;
}

/* Nothing can serve the queue any time soon: fail every waiting query. */
static void queue_fail_all(db_pool *p, enum db_status st)
{
    db_job *q;

    while ((q = queue_pop(p)) != NULL)
        query_fail(p, q, st);
}

/* ---- prepared statement bookkeeping ---- */

static bool conn_has_prepared(const db_conn *c, const db_stmt *s)
{
    /* linear scan of pointers: a few dozen statements, cheaper than hashing */
    for (size_t i = 0; i < c->nprepared; i++)
        if (c->prepared[i] == s)
            return true;
    return false;
}

static void conn_mark_prepared(db_conn *c, const db_stmt *s)
{
    if (c->nprepared == c->capprepared) {
        c->capprepared = c->capprepared ? c->capprepared * 2 : 16;
        c->prepared = xrealloc(c->prepared, c->capprepared * sizeof *c->prepared);
    }
    c->prepared[c->nprepared++] = s;
}

/* ---- socket events ---- */

static void conn_arm_write(db_conn *c)
{
    int rc = PQflush(c->pg);

    if (rc < 0) {
        conn_lost(c, "flush failed");
        return;
    }
    if (rc == 1)
        event_add(c->wr, NULL);
}

static void on_writable(evutil_socket_t fd, short what, void *arg)
{
    db_conn *c = arg;

    if (c->pg != NULL && db_conn_state_is_up(c->state))
        conn_arm_write(c);
}

static void conn_close_socket(db_conn *c)
{
    if (c->io != NULL) {
        event_free(c->io);
        c->io = NULL;
    }
    if (c->wr != NULL) {
        event_free(c->wr);
        c->wr = NULL;
    }
    if (c->result != NULL) {
        PQclear(c->result);
        c->result = NULL;
    }
    if (c->pg != NULL) {
        PQfinish(c->pg);
        c->pg = NULL;
    }
    c->nprepared = 0;
}

/* Sends the current query's statement (it is prepared on this connection). */
static void conn_send_query(db_conn *c)
{
    db_job *q = c->current;
    int ok;

    change_state(c, DB_CONN_BUSY);
    ok = PQsendQueryPrepared(c->pg, q->stmt->name, q->stmt->nparams, q->values, q->lengths,
                             q->formats, 0);
    if (!ok) {
        conn_lost(c, "send failed");
        return;
    }
    conn_arm_write(c);
}

static void conn_send_prepare(db_conn *c)
{
    const db_stmt *s = c->current->stmt;

    change_state(c, DB_CONN_PREPARING);
    if (!PQsendPrepare(c->pg, s->name, s->sql, s->nparams, NULL)) {
        conn_lost(c, "prepare send failed");
        return;
    }
    conn_arm_write(c);
}

/* Starts q on the idle connection c. */
static void conn_start(db_conn *c, db_job *q)
{
    assert(c->state == DB_CONN_IDLE && c->current == NULL);
    c->current = q;
    if (conn_has_prepared(c, q->stmt))
        conn_send_query(c);
    else
        conn_send_prepare(c);
}

static enum db_status classify(const PGresult *res, const char **sqlstate)
{
    ExecStatusType st = PQresultStatus(res);
    const char *code = PQresultErrorField(res, PG_DIAG_SQLSTATE);

    *sqlstate = code != NULL ? code : "";
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
        return DB_OK;
    if (code == NULL)
        return DB_ERR_UNAVAILABLE;
    if (strcmp(code, "57014") == 0)
        return DB_ERR_TIMEOUT;
    /* connection exceptions and operator intervention (shutdown, terminate) */
    if (strncmp(code, "08", 2) == 0 || strncmp(code, "57P", 3) == 0)
        return DB_ERR_UNAVAILABLE;
    return DB_ERR_SQL;
}

/* Hands the finished query's result to its callback; c is already idle or
 * resetting so that the callback may start another query. */
static void conn_deliver(db_conn *c, PGresult *res)
{
    db_job *q = c->current;
    db_result r = {DB_ERR_UNAVAILABLE, res, ""};

    c->current = NULL;
    if (res != NULL)
        r.status = classify(res, &r.sqlstate);
    c->pool->stats.queries++;
    if (r.status != DB_OK)
        c->pool->stats.errors++;
    q->cb(q->arg, &r);
    if (r.res != NULL)
        PQclear(r.res);
    free(q);
}

static void conn_finish_prepare(db_conn *c, PGresult *res)
{
    if (PQresultStatus(res) == PGRES_COMMAND_OK) {
        PQclear(res);
        conn_mark_prepared(c, c->current->stmt);
        conn_send_query(c);
        return;
    }
    /* a statement that does not prepare is a bug in our SQL or a schema
     * mismatch: report it to the query, keep the connection */
    log_error("db: cannot prepare %s: %s", c->current->stmt->name,
              PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
    change_state(c, DB_CONN_IDLE);
    conn_deliver(c, res);
    conn_dispatch_next(c);
}

static void conn_finish_query(db_conn *c, PGresult *res)
{
    if (PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
        /* left inside a transaction: roll back before anyone reuses it */
        change_state(c, DB_CONN_RESETTING);
        if (!PQsendQuery(c->pg, "ROLLBACK")) {
            /* c->current is still set: conn_lost fails the query */
            PQclear(res);
            conn_lost(c, "rollback send failed");
            return;
        }
        conn_arm_write(c);
        conn_deliver(c, res);
        return;
    }
    change_state(c, DB_CONN_IDLE);
    conn_deliver(c, res);
    conn_dispatch_next(c);
}

/* Every result of the running command has arrived. */
static void conn_command_done(db_conn *c)
{
    PGresult *res = c->result;

    c->result = NULL;
    if (res == NULL && c->state != DB_CONN_RESETTING) {
        conn_lost(c, "no result");
        return;
    }
    switch (c->state) {
    case DB_CONN_PREPARING:
        conn_finish_prepare(c, res);
        break;
    case DB_CONN_BUSY:
        conn_finish_query(c, res);
        break;
    case DB_CONN_RESETTING:
        PQclear(res);
        change_state(c, DB_CONN_IDLE);
        conn_dispatch_next(c);
        break;
    default:
        assert(!"command done in a state without a command");
    }
}

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
    db_conn *c = arg;
    PGresult *r;

    if (!PQconsumeInput(c->pg)) {
        conn_lost(c, PQerrorMessage(c->pg));
        return;
    }
    if (PQstatus(c->pg) == CONNECTION_BAD) {
        conn_lost(c, "connection bad");
        return;
    }
    if (!db_conn_state_is_working(c->state)) {
        PGnotify *n;
        while ((n = PQnotifies(c->pg)) != NULL)
            PQfreemem(n);
        return;
    }
    while (!PQisBusy(c->pg)) {
        r = PQgetResult(c->pg);
        if (r == NULL) {
            conn_command_done(c);
            return;
        }
        if (c->result == NULL) {
            c->result = r;
        } else if (PQresultStatus(r) == PGRES_FATAL_ERROR) {
            /* an error after the rows: the implicit commit failed (a
             * deferred constraint, say), so the command did not happen */
            PQclear(c->result);
            c->result = r;
        } else {
            PQclear(r);
        }
        if (PQstatus(c->pg) == CONNECTION_BAD) {
            conn_lost(c, "connection bad");
            return;
        }
    }
}

/* ---- connecting ---- */

static void conn_schedule_reconnect(db_conn *c)
{
    int ms = db_backoff_ms(c->attempt, randombytes_uniform(1000000) / 1000000.0);
    struct timeval tv = tv_ms(ms);

    c->attempt++;
    evtimer_del(c->timer);
    evtimer_add(c->timer, &tv);
}

static void conn_lost(db_conn *c, const char *why)
{
    db_job *q = c->current;
    db_pool *p = c->pool;
    bool was_up = db_conn_state_is_up(c->state);

    /* one warning per outage, not one per retry; libpq messages end in \n */
    if (was_up || c->attempt == 0)
        log_warn("db: connection %d %s (%.*s)", c->index, was_up ? "lost" : "failed",
                 why != NULL ? (int)strcspn(why, "\n") : 1, why != NULL ? why : "?");
    c->current = NULL;
    conn_close_socket(c);
    evtimer_del(c->timer);
    change_state(c, DB_CONN_DOWN);
    conn_schedule_reconnect(c);
    if (q != NULL) {
        db_result r = {DB_ERR_UNAVAILABLE, NULL, ""};
        p->stats.queries++;
        p->stats.errors++;
        q->cb(q->arg, &r);
        free(q);
    }
    if (!pool_any_up_or_coming(p))
        queue_fail_all(p, DB_ERR_UNAVAILABLE);
}

/* Server notices (NOTICE, WARNING) go to the debug log, never to stderr
 * as libpq's default would: they may quote statements. */
static void on_notice(void *arg, const char *message)
{
    log_debug("db: notice: %.*s", (int)strcspn(message, "\n"), message);
}

static void on_connected(db_conn *c)
{
    evtimer_del(c->timer);
    event_free(c->io);
    c->io = NULL;
    PQsetNoticeProcessor(c->pg, on_notice, NULL);
    if (PQsetnonblocking(c->pg, 1) != 0) {
        conn_lost(c, "cannot set non-blocking");
        return;
    }
    c->io = event_new(c->pool->base, PQsocket(c->pg), EV_READ | EV_PERSIST, on_readable, c);
    c->wr = event_new(c->pool->base, PQsocket(c->pg), EV_WRITE, on_writable, c);
    event_add(c->io, NULL);
    if (c->ever_connected)
        c->pool->stats.reconnects++;
    if (c->attempt > 0 || c->ever_connected)
        log_info("db: connection %d up", c->index);
    c->ever_connected = true;
    c->attempt = 0;
    change_state(c, DB_CONN_IDLE);
    conn_dispatch_next(c);
}

static void on_connect_poll(evutil_socket_t fd, short what, void *arg);

static void conn_poll_wait(db_conn *c, short ev)
{
    if (c->io != NULL)
        event_free(c->io);
    c->io = event_new(c->pool->base, PQsocket(c->pg), ev, on_connect_poll, c);
    event_add(c->io, NULL);
}

static void conn_connect_step(db_conn *c)
{
    switch (PQconnectPoll(c->pg)) {
    case PGRES_POLLING_READING:
        conn_poll_wait(c, EV_READ);
        break;
    case PGRES_POLLING_WRITING:
        conn_poll_wait(c, EV_WRITE);
        break;
    case PGRES_POLLING_OK:
        on_connected(c);
        break;
    default:
        conn_lost(c, PQerrorMessage(c->pg));
        break;
    }
}

static void on_connect_poll(evutil_socket_t fd, short what, void *arg)
{
    conn_connect_step(arg);
}

static void conn_connect_start(db_conn *c)
{
    db_pool *p = c->pool;
    const char *keys[] = {"dbname", "application_name", "options", NULL};
    const char *vals[] = {p->conninfo, p->app_name, p->timeout_opt, NULL};
    struct timeval connect_tv = tv_ms(p->connect_timeout_ms);

    change_state(c, DB_CONN_CONNECTING);
    c->pg = PQconnectStartParams(keys, vals, 1);
    if (c->pg == NULL || PQstatus(c->pg) == CONNECTION_BAD) {
        conn_lost(c, c->pg ? PQerrorMessage(c->pg) : "out of memory");
        return;
    }
    evtimer_add(c->timer, &connect_tv);
    conn_poll_wait(c, EV_WRITE);
}

/* The connection timer: a backoff ended (reconnect) or a connect attempt
 * took too long (give it up). */
static void on_conn_timer(evutil_socket_t fd, short what, void *arg)
{
    db_conn *c = arg;

    if (c->state == DB_CONN_DOWN)
        conn_connect_start(c);
    else if (c->state == DB_CONN_CONNECTING)
        conn_lost(c, "connect timeout");
}

/* ---- dispatch ---- */

static void conn_dispatch_next(db_conn *c)
{
    db_job *q;

    if (c->state != DB_CONN_IDLE)
        return;
    q = queue_pop(c->pool);
    if (q != NULL)
        conn_start(c, q);
}

static db_conn *pool_idle_conn(db_pool *p)
{
    for (int i = 0; i < p->size; i++)
        if (p->conns[i].state == DB_CONN_IDLE)
            return &p->conns[i];
    return NULL;
}

static int pool_idle_count(const db_pool *p)
{
    int n = 0;

    for (int i = 0; i < p->size; i++)
        n += p->conns[i].state == DB_CONN_IDLE;
    return n;
}

/* Defers starting a query to the next loop turn so that callbacks never run
 * inside db_query (the caller may not be ready for them yet). */
static void on_kick(evutil_socket_t fd, short what, void *arg)
{
    db_pool *p = arg;
    db_conn *c;

    while (p->qhead != NULL && (c = pool_idle_conn(p)) != NULL)
        conn_start(c, queue_pop(p));
}

static void on_janitor(evutil_socket_t fd, short what, void *arg)
{
    db_pool *p = arg;
    int64_t now = now_ms();
    db_job *q;

    /* the queue is FIFO with equal timeouts, so expired ones are at the head */
    while (p->qhead != NULL && p->qhead->deadline_ms <= now) {
        q = queue_pop(p);
        query_fail(p, q, DB_ERR_BUSY);
    }
}

int db_query_params(db_pool *p, const db_stmt *stmt, const char *const *values, const int *lengths,
                    const int *formats, db_done_fn cb, void *arg)
{
    db_job *q;

    assert(stmt->nparams >= 0 && stmt->nparams <= MAX_PARAMS);
    if (!pool_any_up_or_coming(p)) {
        p->stats.refused++;
        return DB_REFUSED_DOWN;
    }
    /* queries about to start on idle connections (on the next loop turn)
     * are not waiting: they take no place in the queue */
    if (p->queued - pool_idle_count(p) >= p->queue_max) {
        p->stats.refused++;
        return DB_REFUSED_FULL;
    }
    q = xcalloc(1, sizeof *q);
    q->stmt = stmt;
    q->values = values;
    q->lengths = lengths;
    q->formats = formats;
    q->cb = cb;
    q->arg = arg;
    q->deadline_ms = now_ms() + p->queue_timeout_ms;
    queue_push(p, q);
    event_active(p->kick, EV_TIMEOUT, 1);
    return 0;
}

int db_query(db_pool *p, const db_stmt *stmt, const char *const *values, db_done_fn cb, void *arg)
{
    return db_query_params(p, stmt, values, NULL, NULL, cb, arg);
}

PGresult *db_result_take(db_result *r)
{
    PGresult *res = r->res;

    r->res = NULL;
    return res;
}

/* ---- life cycle ---- */

db_pool *db_pool_new(struct event_base *base, const db_pool_opts *o)
{
    db_pool *p = xcalloc(1, sizeof *p);
    struct timeval jan = tv_ms(JANITOR_INTERVAL_MS);

    p->base = base;
    p->conninfo = xstrdup(o->conninfo != NULL ? o->conninfo : "");
    p->app_name = xstrdup(o->application_name != NULL ? o->application_name : "sinau");
    snprintf(p->timeout_opt, sizeof p->timeout_opt, "-c statement_timeout=%d",
             o->statement_timeout_ms);
    p->size = o->size;
    p->queue_max = o->queue_max;
    p->queue_timeout_ms = o->queue_timeout_ms;
    p->connect_timeout_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 5000;
    p->stats.size = o->size;
    p->conns = xcalloc((size_t)p->size, sizeof *p->conns);
    for (int i = 0; i < p->size; i++) {
        db_conn *c = &p->conns[i];
        c->pool = p;
        c->index = i;
        c->state = DB_CONN_DOWN;
        c->timer = evtimer_new(base, on_conn_timer, c);
        conn_connect_start(c);
    }
    p->janitor = event_new(base, -1, EV_PERSIST, on_janitor, p);
    event_add(p->janitor, &jan);
    p->kick = event_new(base, -1, 0, on_kick, p);
    return p;
}

void db_pool_free(db_pool *p)
{
    db_job *q;

    if (p == NULL)
        return;
    for (int i = 0; i < p->size; i++) {
        db_conn *c = &p->conns[i];
        free(c->current);
        c->current = NULL;
        conn_close_socket(c);
        change_state(c, DB_CONN_CLOSED);
        event_free(c->timer);
        free(c->prepared);
    }
    while ((q = queue_pop(p)) != NULL)
        free(q);
    event_free(p->janitor);
    event_free(p->kick);
    free(p->conns);
    free(p->conninfo);
    free(p->app_name);
    free(p);
}

bool db_pool_ready(const db_pool *p)
{
    for (int i = 0; i < p->size; i++)
        if (db_conn_state_is_up(p->conns[i].state))
            return true;
    return false;
}

void db_pool_get_stats(const db_pool *p, db_pool_stats *st)
{
    *st = p->stats;
    st->connected = 0;
    st->in_use = 0;
    for (int i = 0; i < p->size; i++) {
        enum db_conn_state s = p->conns[i].state;
        st->connected += db_conn_state_is_up(s);
        st->in_use += db_conn_state_is_working(s);
    }
    st->waiting = p->queued;
}

const char *db_status_name(enum db_status s)
{
    switch (s) {
    case DB_OK:
        return "ok";
    case DB_ERR_SQL:
        return "sql_error";
    case DB_ERR_TIMEOUT:
        return "timeout";
    case DB_ERR_UNAVAILABLE:
        return "unavailable";
    case DB_ERR_BUSY:
        return "busy";
    }
    return "unknown";
}
