/* pool.c — the per-loop asynchronous PostgreSQL pool (db.h).
 *
 * Each connection is a small state machine (db_state.h) moved only by
 * change_state(). While up, a connection keeps one persistent read event on
 * its socket, so a server that goes away is noticed even when idle; a
 * one-shot write event is armed only while libpq has unsent bytes. Queries
 * wait in one FIFO per pool; the janitor expires those that waited too long
 * and drops connections whose statement got no answer long past the
 * statement timeout. Failover: the connection parameters are parsed once,
 * and each attempt rotates the host lists so that it starts at the host
 * that last worked (or the next one after a timeout); see db.h. */
#include "sinau/db/pool.h"

#include <assert.h>
#include <event2/event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "sinau/core/alloc.h"
#include "sinau/core/log.h"
#include "sinau/core/names.h"
#include "sinau/core/vec.h"
#include "sinau/db/state.h"

#define JANITOR_INTERVAL_MS 200
#define MAX_PARAMS          64
#define OVERDUE_GRACE_MS    2000 /* past statement_timeout, a silent server is gone */
#define STALE_HOLD_MS       100  /* a connection found too stale is re-measured no sooner */
#define MAX_KV              48   /* libpq connection keywords we may pass */
#define LIST_MAX            1024 /* longest host/hostaddr/port list */

/* One statement of a pipelined job (db_query_pipeline). */
typedef struct db_pipe_step {
    const db_stmt *stmt;
    const char *const *values;
    db_done_fn cb;
    void *arg;
    PGresult *res; /* its first result (or the error that ended it) */
    bool prepare;  /* its statement is being prepared in the same pipeline */
} db_pipe_step;

typedef struct db_job {
    db_call call; /* its pointers borrowed from the caller until cb */
    db_done_fn cb;
    void *arg;
    int64_t deadline_ms; /* queue wait limit (monotonic) */
    struct db_job *next;
    /* pipelined (npipe > 0): the statements sent in one round trip, each
     * followed by a sync (its own implicit transaction); call.stmt = the
     * first */
    int npipe;
    int pipe_at;    /* the step whose results are arriving */
    int pipe_phase; /* of that step: 0 its prepare, 1 its query, 2 its sync */
    db_pipe_step pipe[DB_PIPE_MAX];
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
    int host_start;      /* host index the current connect attempt started at */
    bool ever_connected;
    db_job *current;          /* query being prepared/run, or NULL */
    PGresult *result;         /* first result of the running command */
    const db_stmt **prepared; /* statements prepared on this connection */
    size_t nprepared, capprepared;
    int64_t sent_ms; /* when the running command was sent (the overdue guard) */
    /* staleness (pools with max_staleness_ms) */
    db_job *pending;     /* the query waiting for this connection's measure */
    int64_t lag_at_ms;   /* when the last measure was sent (0: none) */
    int64_t stale_at_ms; /* when a measure last found it past the bound (0: fresh) */
    int lag_ms;          /* what the last measure said */
} db_conn;

/* libpq keywords and values, built once from the conninfo (all owned). */
typedef struct conn_params {
    char *keys[MAX_KV + 1];
    char *vals[MAX_KV + 1];
    int n;
    int host_i, hostaddr_i, port_i; /* positions of the lists that rotate, or -1 */
    int nhosts;
} conn_params;

struct db_pool {
    struct event_base *base;
    conn_params params;
    int queue_max, queue_timeout_ms, connect_timeout_ms, overdue_ms;
    bool read_only;
    int max_staleness_ms;
    const db_stmt *staleness_stmt;
    db_pool_hooks hooks;
    int preferred; /* host index the next connect attempt starts at */
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
static void conn_lost(db_conn *c, const char *why, bool silent);
static void conn_start(db_conn *c, db_job *q);

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

/* ---- connection parameters ---- */

/* Sets key to val, replacing an earlier value (later sources win). */
static void params_set(conn_params *cp, const char *key, const char *val)
{
    for (int i = 0; i < cp->n; i++) {
        if (strcmp(cp->keys[i], key) == 0) {
            free(cp->vals[i]);
            cp->vals[i] = xstrdup(val);
            return;
        }
    }
    if (cp->n == MAX_KV) {
        log_error("db: too many connection parameters; %s ignored", key);
        return;
    }
    cp->keys[cp->n] = xstrdup(key);
    cp->vals[cp->n] = xstrdup(val);
    cp->n++;
}

static const char *params_get(const conn_params *cp, const char *key)
{
    for (int i = 0; i < cp->n; i++)
        if (strcmp(cp->keys[i], key) == 0)
            return cp->vals[i];
    return NULL;
}

static int params_find(const conn_params *cp, const char *key)
{
    for (int i = 0; i < cp->n; i++)
        if (strcmp(cp->keys[i], key) == 0)
            return i;
    return -1;
}

/* What the conninfo says, over our defaults. False when it does not parse
 * (logged; the connection attempts then fail with libpq's own message). */
static bool params_from_conninfo(conn_params *cp, const char *conninfo)
{
    char *errmsg = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &errmsg);

    if (opts == NULL) {
        log_error("db: the connection string does not parse: %.*s",
                  errmsg != NULL ? (int)strcspn(errmsg, "\n") : 1, errmsg != NULL ? errmsg : "?");
        PQfreemem(errmsg);
        return false;
    }
    for (PQconninfoOption *o = opts; o->keyword != NULL; o++)
        if (o->val != NULL && o->val[0] != '\0')
            params_set(cp, o->keyword, o->val);
    PQconninfoFree(opts);
    return true;
}

/* Defaults first (the conninfo overrides them), then what the pool insists
 * on: its application name and the session settings added to `options`. */
static void params_build(conn_params *cp, const db_pool_opts *o)
{
    char opt[512];
    const char *given;

    /* a dead peer behind a silent network is noticed in ~20 s even when idle */
    params_set(cp, "keepalives", "1");
    params_set(cp, "keepalives_idle", "10");
    params_set(cp, "keepalives_interval", "3");
    params_set(cp, "keepalives_count", "3");
    params_set(cp, "tcp_user_timeout", "10000");
    params_set(cp, "target_session_attrs", o->read_only ? "prefer-standby" : "read-write");
    if (!params_from_conninfo(cp, o->conninfo != NULL ? o->conninfo : ""))
        params_set(cp, "dbname", o->conninfo);
    params_set(cp, "application_name", o->application_name != NULL ? o->application_name : "sinau");
    given = params_get(cp, "options");
    snprintf(opt, sizeof opt, "%s%s-c statement_timeout=%d%s", given != NULL ? given : "",
             given != NULL ? " " : "", o->statement_timeout_ms,
             o->read_only ? " -c default_transaction_read_only=on" : "");
    params_set(cp, "options", opt);
    cp->host_i = params_find(cp, "host");
    cp->hostaddr_i = params_find(cp, "hostaddr");
    cp->port_i = params_find(cp, "port");
    cp->nhosts = 1;
    if (cp->host_i >= 0 && db_list_count(cp->vals[cp->host_i]) > cp->nhosts)
        cp->nhosts = db_list_count(cp->vals[cp->host_i]);
    if (cp->hostaddr_i >= 0 && db_list_count(cp->vals[cp->hostaddr_i]) > cp->nhosts)
        cp->nhosts = db_list_count(cp->vals[cp->hostaddr_i]);
    cp->keys[cp->n] = NULL;
    cp->vals[cp->n] = NULL;
}

static void params_free(conn_params *cp)
{
    for (int i = 0; i < cp->n; i++) {
        free(cp->keys[i]);
        free(cp->vals[i]);
    }
    cp->n = 0;
}

/* vals[i] rotated by k into buf when it is a list of several entries. */
static const char *rotated(const conn_params *cp, int i, int k, char *buf)
{
    if (i < 0 || db_list_count(cp->vals[i]) < 2 || db_list_rotate(cp->vals[i], k, buf, LIST_MAX))
        return i >= 0 ? cp->vals[i] : NULL;
    return buf;
}

/* Index (in the conninfo's order) of the host c got through to, or -1. */
static int conn_host_index(const db_conn *c)
{
    const conn_params *cp = &c->pool->params;
    int list = cp->host_i >= 0 ? cp->host_i : cp->hostaddr_i;
    const char *host = PQhost(c->pg), *port = PQport(c->pg);
    char h[256], pt[32];

    if (list < 0 || host == NULL)
        return -1;
    for (int i = 0; i < cp->nhosts; i++) {
        if (db_list_entry(cp->vals[list], i, h, sizeof h) != 0 || strcmp(h, host) != 0)
            continue;
        if (cp->port_i < 0 || port == NULL ||
            (db_list_entry(cp->vals[cp->port_i], i, pt, sizeof pt) == 0 && strcmp(pt, port) == 0))
            return i;
    }
    return -1;
}

/* ---- the wait queue ---- */

static void queue_push(db_pool *p, db_job *q)
{
    SINAU_FIFO_PUSH(p->qhead, p->qtail, q, next);
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

/* Frees q and the results its pipeline steps still hold. */
static void job_free(db_job *q)
{
    for (int i = 0; i < q->npipe; i++)
        if (q->pipe[i].res != NULL)
            PQclear(q->pipe[i].res);
    free(q);
}

/* Completes q (every step of a pipeline, in order) with a status and no
 * result. Frees q. */
static void query_fail(db_pool *p, db_job *q, enum db_status st)
{
    db_result r = {st, NULL, ""};

    if (q->npipe == 0) {
        p->stats.queries++;
        p->stats.errors++;
        q->cb(q->arg, &r);
    }
    for (int i = 0; i < q->npipe; i++) {
        p->stats.queries++;
        p->stats.errors++;
        r = (db_result){st, NULL, ""};
        q->pipe[i].cb(q->pipe[i].arg, &r);
    }
    job_free(q);
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
    c->prepared =
        vec_reserve(c->prepared, &c->capprepared, c->nprepared + 1, sizeof *c->prepared, 16);
    c->prepared[c->nprepared++] = s;
}

/* ---- socket events ---- */

static void conn_arm_write(db_conn *c)
{
    int rc = PQflush(c->pg);

    if (rc < 0) {
        conn_lost(c, "flush failed", false);
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

/* Frees *ev when set and forgets it. */
static void event_drop(struct event **ev)
{
    if (*ev != NULL) {
        event_free(*ev);
        *ev = NULL;
    }
}

static void conn_close_socket(db_conn *c)
{
    event_drop(&c->io);
    event_drop(&c->wr);
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
    c->sent_ms = now_ms();
    ok = PQsendQueryPrepared(c->pg, q->call.stmt->name, q->call.stmt->nparams, q->call.values,
                             q->call.lengths, q->call.formats, 0);
    if (!ok) {
        conn_lost(c, "send failed", false);
        return;
    }
    conn_arm_write(c);
}

static void conn_send_prepare(db_conn *c)
{
    const db_stmt *s = c->current->call.stmt;

    change_state(c, DB_CONN_PREPARING);
    c->sent_ms = now_ms();
    if (!PQsendPrepare(c->pg, s->name, s->sql, s->nparams, NULL)) {
        conn_lost(c, "prepare send failed", false);
        return;
    }
    conn_arm_write(c);
}

/* True when a step of q before `before` prepares s already. */
static bool pipe_prepares(const db_job *q, int before, const db_stmt *s)
{
    for (int i = 0; i < before; i++)
        if (q->pipe[i].prepare && q->pipe[i].stmt == s)
            return true;
    return false;
}

/* Sends every step of the current pipelined job in one go: for each, its
 * prepare where this connection has not seen the statement, the query, and
 * a sync, so that each step is its own implicit transaction (an error ends
 * only its own step) and all of it costs one round trip. */
static void conn_send_pipeline(db_conn *c)
{
    db_job *q = c->current;
    bool ok = PQenterPipelineMode(c->pg);

    change_state(c, DB_CONN_BUSY);
    c->sent_ms = now_ms();
    q->pipe_at = 0;
    for (int i = 0; ok && i < q->npipe; i++) {
        db_pipe_step *st = &q->pipe[i];
        const db_stmt *s = st->stmt;

        st->prepare = !conn_has_prepared(c, s) && !pipe_prepares(q, i, s);
        if (st->prepare)
            ok = PQsendPrepare(c->pg, s->name, s->sql, s->nparams, NULL);
        ok = ok && PQsendQueryPrepared(c->pg, s->name, s->nparams, st->values, NULL, NULL, 0) &&
             PQpipelineSync(c->pg);
    }
    q->pipe_phase = q->pipe[0].prepare ? 0 : 1;
    if (!ok) {
        conn_lost(c, "pipeline send failed", false);
        return;
    }
    conn_arm_write(c);
}

/* Runs q on the idle connection c (preparing its statement first if this
 * connection has not seen it yet). */
static void conn_run(db_conn *c, db_job *q)
{
    assert(c->state == DB_CONN_IDLE && c->current == NULL);
    c->current = q;
    if (q->npipe > 0)
        conn_send_pipeline(c);
    else if (conn_has_prepared(c, q->call.stmt))
        conn_send_query(c);
    else
        conn_send_prepare(c);
}

/* ---- staleness (read pools) ---- */

/* True when c's last measure shows it within the bound now: what it lagged
 * then, plus the time since, is at most max_staleness_ms. */
static bool conn_fresh(const db_conn *c, int64_t now)
{
    const db_pool *p = c->pool;

    return c->lag_at_ms > 0 && c->lag_ms >= 0 &&
           (now - c->lag_at_ms) + c->lag_ms <= p->max_staleness_ms;
}

static bool conn_needs_measure(const db_conn *c, const db_job *q)
{
    const db_pool *p = c->pool;

    return p->max_staleness_ms > 0 && p->staleness_stmt != NULL &&
           q->call.stmt != p->staleness_stmt && !conn_fresh(c, now_ms());
}

/* The measure ran (or failed): run the query that waited for it, or refuse
 * it when the server is past the bound. */
static void on_measured(void *arg, db_result *r)
{
    db_conn *c = arg;
    db_pool *p = c->pool;
    db_job *q = c->pending;
    int64_t now = now_ms();

    c->pending = NULL;
    c->lag_at_ms = 0;
    if (r->status == DB_OK && PQntuples(r->res) == 1 && !PQgetisnull(r->res, 0, 0)) {
        long long lag = strtoll(PQgetvalue(r->res, 0, 0), NULL, 10);
        c->lag_ms = lag < 0 ? 0 : lag > INT32_MAX ? INT32_MAX : (int)lag;
        c->lag_at_ms = c->sent_ms;
    }
    if (q == NULL)
        return;
    if (conn_fresh(c, now) && c->state == DB_CONN_IDLE) {
        c->stale_at_ms = 0;
        conn_run(c, q);
        return;
    }
    c->stale_at_ms = now;
    if (r->status == DB_OK) {
        p->stats.stale++;
        log_debug("db: connection %d is %d ms behind (bound %d ms): query refused", c->index,
                  c->lag_ms, p->max_staleness_ms);
    }
    query_fail(p, q,
               r->status == DB_OK || r->status == DB_ERR_SQL ? DB_ERR_UNAVAILABLE : r->status);
}

/* Measures c's staleness before running q on it. */
static void conn_measure(db_conn *c, db_job *q)
{
    db_pool *p = c->pool;
    db_job *m;

    if (c->stale_at_ms > 0 && now_ms() - c->stale_at_ms < STALE_HOLD_MS) {
        /* c stays idle: the caller's dispatch loop offers it the next one */
        p->stats.stale++;
        query_fail(p, q, DB_ERR_UNAVAILABLE);
        return;
    }
    m = xcalloc(1, sizeof *m);
    m->call.stmt = p->staleness_stmt;
    m->cb = on_measured;
    m->arg = c;
    m->deadline_ms = q->deadline_ms;
    c->pending = q;
    conn_run(c, m);
}

/* True when every connection up was found too stale a moment ago, so that
 * a read is refused at once (the caller goes to the primary). */
static bool pool_all_stale(const db_pool *p)
{
    int64_t now = now_ms();
    int up = 0;

    if (p->max_staleness_ms <= 0)
        return false;
    for (int i = 0; i < p->size; i++) {
        const db_conn *c = &p->conns[i];
        if (!db_conn_state_is_up(c->state))
            continue;
        if (c->stale_at_ms == 0 || now - c->stale_at_ms >= STALE_HOLD_MS)
            return false;
        up++;
    }
    return up > 0;
}

/* Starts q on the idle connection c, measuring it first where needed. */
static void conn_start(db_conn *c, db_job *q)
{
    if (conn_needs_measure(c, q))
        conn_measure(c, q);
    else
        conn_run(c, q);
}

/* ---- results ---- */

static enum db_status classify(const db_pool *p, const PGresult *res, const char **sqlstate)
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
    /* a write pool on a server that became read-only (a demoted primary):
     * the primary is elsewhere now. On a read pool it is our bug: a
     * statement that writes was marked for standbys, so it stays loud. */
    if (!p->read_only && strcmp(code, "25006") == 0)
        return DB_ERR_UNAVAILABLE;
    return DB_ERR_SQL;
}

/* True when res says the write pool's server is read-only. */
static bool result_read_only(const db_pool *p, const PGresult *res)
{
    const char *code = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

    return !p->read_only && code != NULL && strcmp(code, "25006") == 0;
}

/* Hands the finished query's result to its callback; c is already idle or
 * resetting so that the callback may start another query. */
static void conn_deliver(db_conn *c, PGresult *res)
{
    db_job *q = c->current;
    db_result r = {DB_ERR_UNAVAILABLE, res, ""};

    c->current = NULL;
    if (res != NULL)
        r.status = classify(c->pool, res, &r.sqlstate);
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
        conn_mark_prepared(c, c->current->call.stmt);
        conn_send_query(c);
        return;
    }
    /* a statement that does not prepare is a bug in our SQL or a schema
     * mismatch: report it to the query, keep the connection */
    log_error("db: cannot prepare %s: %s", c->current->call.stmt->name,
              PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
    change_state(c, DB_CONN_IDLE);
    conn_deliver(c, res);
    conn_dispatch_next(c);
}

static void conn_finish_query(db_conn *c, PGresult *res)
{
    bool read_only = result_read_only(c->pool, res);

    if (PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
        /* left inside a transaction: roll back before anyone reuses it */
        change_state(c, DB_CONN_RESETTING);
        c->sent_ms = now_ms();
        if (!PQsendQuery(c->pg, "ROLLBACK")) {
            /* c->current is still set: conn_lost fails the query */
            PQclear(res);
            conn_lost(c, "rollback send failed", false);
            return;
        }
        conn_arm_write(c);
        conn_deliver(c, res);
        return;
    }
    change_state(c, DB_CONN_IDLE);
    conn_deliver(c, res);
    if (read_only && c->state == DB_CONN_IDLE) {
        /* target_session_attrs checked at connect time; since then the
         * server was demoted. Connect again, to the primary. */
        conn_lost(c, "the server is read-only now", false);
        return;
    }
    conn_dispatch_next(c);
}

/* Every result of the running command has arrived. */
static void conn_command_done(db_conn *c)
{
    PGresult *res = c->result;

    c->result = NULL;
    if (res == NULL && c->state != DB_CONN_RESETTING) {
        conn_lost(c, "no result", false);
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

/* Hands every NOTIFY libpq has parsed to the pool's hook (or drops it). */
static void conn_drain_notifies(db_conn *c)
{
    const db_pool_hooks *h = &c->pool->hooks;
    PGnotify *n;

    while (c->pg != NULL && (n = PQnotifies(c->pg)) != NULL) {
        if (h->on_notify != NULL)
            h->on_notify(h->arg, n->relname, n->extra);
        PQfreemem(n);
    }
}

/* Every step of the current pipelined job has its result: leaves pipeline
 * mode and hands each result to its callback, in order. */
static void conn_pipeline_done(db_conn *c)
{
    db_job *q = c->current;
    db_pool *p = c->pool;
    bool read_only = false;

    if (!PQexitPipelineMode(c->pg)) {
        conn_lost(c, "cannot leave pipeline mode", false);
        return;
    }
    c->current = NULL;
    change_state(c, DB_CONN_IDLE);
    for (int i = 0; i < q->npipe; i++) {
        db_pipe_step *st = &q->pipe[i];
        db_result r = {DB_ERR_UNAVAILABLE, st->res, ""};

        st->res = NULL;
        if (r.res != NULL)
            r.status = classify(p, r.res, &r.sqlstate);
        read_only = read_only || result_read_only(p, r.res);
        p->stats.queries++;
        if (r.status != DB_OK)
            p->stats.errors++;
        st->cb(st->arg, &r);
        if (r.res != NULL)
            PQclear(r.res);
    }
    job_free(q);
    if (read_only && c->state == DB_CONN_IDLE) {
        conn_lost(c, "the server is read-only now", false);
        return;
    }
    conn_dispatch_next(c);
}

/* One result of the current pipelined job (NULL: the end of a command's
 * results). Returns true when the whole job is done. */
static bool conn_pipeline_result(db_conn *c, PGresult *r)
{
    db_job *q = c->current;
    db_pipe_step *st = &q->pipe[q->pipe_at];
    ExecStatusType rs = r != NULL ? PQresultStatus(r) : PGRES_EMPTY_QUERY;

    if (r == NULL) {
        if (q->pipe_phase < 2)
            q->pipe_phase++; /* the prepare's or the query's results ended */
        return false;
    }
    if (rs == PGRES_PIPELINE_SYNC) {
        PQclear(r);
        if (++q->pipe_at == q->npipe)
            return true;
        q->pipe_phase = q->pipe[q->pipe_at].prepare ? 0 : 1;
        return false;
    }
    if (q->pipe_phase == 0 && rs == PGRES_COMMAND_OK) {
        PQclear(r); /* prepared */
        conn_mark_prepared(c, st->stmt);
    } else if (st->res == NULL) {
        st->res = r; /* the first result, or the error that ended the step */
    } else if (rs == PGRES_FATAL_ERROR && PQresultStatus(st->res) != PGRES_FATAL_ERROR) {
        PQclear(st->res); /* an error after the rows: the commit failed */
        st->res = r;
    } else {
        PQclear(r); /* PGRES_PIPELINE_ABORTED after the step's error */
    }
    return false;
}

/* Reads what has arrived of the current pipelined job. */
static void conn_read_pipeline(db_conn *c)
{
    while (!PQisBusy(c->pg)) {
        PGresult *r = PQgetResult(c->pg);
        db_job *q = c->current;

        if (r == NULL && q->pipe_phase == 2)
            return; /* between a step's results and its sync: wait for more */
        if (conn_pipeline_result(c, r)) {
            conn_pipeline_done(c);
            return;
        }
        if (PQstatus(c->pg) == CONNECTION_BAD) {
            conn_lost(c, "connection bad", false);
            return;
        }
    }
}

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
    db_conn *c = arg;
    PGresult *r;

    if (!PQconsumeInput(c->pg)) {
        conn_lost(c, PQerrorMessage(c->pg), false);
        return;
    }
    if (PQstatus(c->pg) == CONNECTION_BAD) {
        conn_lost(c, "connection bad", false);
        return;
    }
    conn_drain_notifies(c);
    if (!db_conn_state_is_working(c->state))
        return;
    if (c->current != NULL && c->current->npipe > 0 && c->state == DB_CONN_BUSY) {
        conn_read_pipeline(c);
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
            conn_lost(c, "connection bad", false);
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

/* Closes c's socket, fails nothing: the caller takes c->current first. */
static void conn_go_down(db_conn *c)
{
    bool was_up = db_conn_state_is_up(c->state);
    db_pool *p = c->pool;

    conn_close_socket(c);
    evtimer_del(c->timer);
    change_state(c, DB_CONN_DOWN);
    c->sent_ms = 0;
    c->lag_at_ms = 0;
    c->stale_at_ms = 0;
    /* a failed attempt: the next one starts at the next host (it may have
     * timed out on a host that black-holes) */
    if (!was_up && p->params.nhosts > 1 && p->preferred == c->host_start)
        p->preferred = (c->host_start + 1) % p->params.nhosts;
    conn_schedule_reconnect(c);
    if (was_up && p->hooks.on_conn != NULL)
        p->hooks.on_conn(p->hooks.arg, p, false);
}

/* The server under c went silent (a statement got no answer long past the
 * statement timeout: a dead machine, a cut network, nothing that closes the
 * socket): the idle connections to the same server are as good as dead, so
 * they are made again now rather than each failing a query later. (When a
 * server closes or resets its sockets every connection notices by itself;
 * and one backend terminated is no reason to drop its healthy siblings.) */
static void recycle_idle_siblings(db_conn *c, const char *host, const char *port)
{
    db_pool *p = c->pool;

    for (int i = 0; i < p->size; i++) {
        db_conn *s = &p->conns[i];
        if (s == c || s->state != DB_CONN_IDLE || s->pg == NULL)
            continue;
        if (strcmp(PQhost(s->pg) ? PQhost(s->pg) : "", host) != 0 ||
            strcmp(PQport(s->pg) ? PQport(s->pg) : "", port) != 0)
            continue;
        log_info("db: connection %d dropped: its server went away", s->index);
        conn_go_down(s);
    }
}

static void conn_lost(db_conn *c, const char *why, bool silent)
{
    db_job *q = c->current;
    db_pool *p = c->pool;
    bool was_up = db_conn_state_is_up(c->state);
    char host[256] = "", port[32] = "";

    /* one warning per outage, not one per retry; libpq messages end in \n */
    if (was_up || c->attempt == 0)
        log_warn("db: connection %d %s (%.*s)", c->index, was_up ? "lost" : "failed",
                 why != NULL ? (int)strcspn(why, "\n") : 1, why != NULL ? why : "?");
    if (was_up && silent && c->pg != NULL) {
        snprintf(host, sizeof host, "%s", PQhost(c->pg) ? PQhost(c->pg) : "");
        snprintf(port, sizeof port, "%s", PQport(c->pg) ? PQport(c->pg) : "");
    }
    c->current = NULL;
    conn_go_down(c);
    if (was_up && silent)
        recycle_idle_siblings(c, host, port);
    /* callbacks last: they may queue queries, which then find the pool as
     * it now is */
    if (q != NULL)
        query_fail(p, q, DB_ERR_UNAVAILABLE);
    if (!pool_any_up_or_coming(p))
        queue_fail_all(p, DB_ERR_UNAVAILABLE);
}

/* Server notices (NOTICE, WARNING) go to the debug log, never to stderr
 * as libpq's default would: they may quote statements. */
static void on_notice(void *arg, const char *message)
{
    log_debug("db: notice: %.*s", (int)strcspn(message, "\n"), message);
}

/* After an outage the first connection through wakes the others, which
 * would otherwise sit out backoffs of up to 5 s against a primary that is
 * already there. */
static void wake_down_siblings(db_conn *c)
{
    db_pool *p = c->pool;
    struct timeval now = {0, 0};

    for (int i = 0; i < p->size; i++) {
        db_conn *s = &p->conns[i];
        if (s == c || s->state != DB_CONN_DOWN)
            continue;
        s->attempt = 0;
        evtimer_del(s->timer);
        evtimer_add(s->timer, &now);
    }
}

static void on_connected(db_conn *c)
{
    db_pool *p = c->pool;
    bool reconnect = c->ever_connected || c->attempt > 0;
    int host;

    evtimer_del(c->timer);
    event_free(c->io);
    c->io = NULL;
    PQsetNoticeProcessor(c->pg, on_notice, NULL);
    if (PQsetnonblocking(c->pg, 1) != 0) {
        conn_lost(c, "cannot set non-blocking", false);
        return;
    }
    c->io = event_new(p->base, PQsocket(c->pg), EV_READ | EV_PERSIST, on_readable, c);
    c->wr = event_new(p->base, PQsocket(c->pg), EV_WRITE, on_writable, c);
    event_add(c->io, NULL);
    if (c->ever_connected)
        p->stats.reconnects++;
    host = conn_host_index(c);
    if (host >= 0)
        p->preferred = host;
    if (reconnect)
        log_info("db: connection %d up (%s:%s)", c->index, PQhost(c->pg) ? PQhost(c->pg) : "",
                 PQport(c->pg) ? PQport(c->pg) : "");
    c->ever_connected = true;
    c->attempt = 0;
    change_state(c, DB_CONN_IDLE);
    if (reconnect)
        wake_down_siblings(c);
    if (p->hooks.on_conn != NULL)
        p->hooks.on_conn(p->hooks.arg, p, true);
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

/* One step of libpq's connect loop: wait for the socket the way it asks,
 * or the connection is made, or it failed. */
static void conn_connect_step(db_conn *c)
{
    PostgresPollingStatusType st = PQconnectPoll(c->pg);

    if (st == PGRES_POLLING_READING || st == PGRES_POLLING_WRITING)
        conn_poll_wait(c, st == PGRES_POLLING_READING ? EV_READ : EV_WRITE);
    else if (st == PGRES_POLLING_OK)
        on_connected(c);
    else
        conn_lost(c, PQerrorMessage(c->pg), false);
}

static void on_connect_poll(evutil_socket_t fd, short what, void *arg)
{
    conn_connect_step(arg);
}

static void conn_connect_start(db_conn *c)
{
    db_pool *p = c->pool;
    const conn_params *cp = &p->params;
    const char *vals[MAX_KV + 1];
    char hosts[LIST_MAX], addrs[LIST_MAX], ports[LIST_MAX];
    struct timeval connect_tv = tv_ms(p->connect_timeout_ms);

    c->host_start = p->preferred;
    for (int i = 0; i <= cp->n; i++)
        vals[i] = cp->vals[i];
    if (cp->nhosts > 1) {
        if (cp->host_i >= 0)
            vals[cp->host_i] = rotated(cp, cp->host_i, c->host_start, hosts);
        if (cp->hostaddr_i >= 0)
            vals[cp->hostaddr_i] = rotated(cp, cp->hostaddr_i, c->host_start, addrs);
        if (cp->port_i >= 0)
            vals[cp->port_i] = rotated(cp, cp->port_i, c->host_start, ports);
    }
    change_state(c, DB_CONN_CONNECTING);
    c->pg = PQconnectStartParams((const char *const *)cp->keys, vals, 0);
    if (c->pg == NULL || PQstatus(c->pg) == CONNECTION_BAD) {
        conn_lost(c, c->pg ? PQerrorMessage(c->pg) : "out of memory", false);
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
        conn_lost(c, "connect timeout", false);
}

/* ---- dispatch ---- */

/* Gives the idle connection c the next queued query (and the one after
 * that when a read pool refused the first without using c). */
static void conn_dispatch_next(db_conn *c)
{
    db_job *q;

    while (c->state == DB_CONN_IDLE && c->current == NULL && (q = queue_pop(c->pool)) != NULL)
        conn_start(c, q);
}

static db_conn *pool_idle_conn(db_pool *p)
{
    for (int i = 0; i < p->size; i++)
        if (p->conns[i].state == DB_CONN_IDLE && p->conns[i].current == NULL)
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

/* Statements that got no answer long past statement_timeout: the server
 * is gone without closing the socket (a dead machine), or a commit waits
 * for a synchronous standby that is gone. The connection is dropped and its
 * query fails as unavailable: never acknowledged, never cancelled (a
 * cancelled wait for a synchronous standby would report the commit as done
 * while it is on one machine only). */
static void drop_overdue(db_pool *p, int64_t now)
{
    for (int i = 0; i < p->size; i++) {
        db_conn *c = &p->conns[i];
        if (db_conn_state_is_working(c->state) && c->sent_ms > 0 &&
            now - c->sent_ms > p->overdue_ms)
            conn_lost(c, "no answer long past the statement timeout", true);
    }
}

static void on_janitor(evutil_socket_t fd, short what, void *arg)
{
    db_pool *p = arg;
    int64_t now = now_ms();
    db_job *q;

    drop_overdue(p, now);
    /* the queue is FIFO with equal timeouts, so expired ones are at the
     * head; with no connection up they could not have run anyway */
    while (p->qhead != NULL && p->qhead->deadline_ms <= now) {
        q = queue_pop(p);
        query_fail(p, q, db_pool_ready(p) ? DB_ERR_BUSY : DB_ERR_UNAVAILABLE);
    }
}

/* 0 when p may take another query, else why not (DB_REFUSED_*, counted). */
static int pool_admit(db_pool *p)
{
    if (!pool_any_up_or_coming(p) || pool_all_stale(p)) {
        p->stats.refused++;
        return DB_REFUSED_DOWN;
    }
    /* queries about to start on idle connections (on the next loop turn)
     * are not waiting: they take no place in the queue */
    if (p->queued - pool_idle_count(p) >= p->queue_max) {
        p->stats.refused++;
        return DB_REFUSED_FULL;
    }
    return 0;
}

/* Queues q with the queue timeout and starts it on the next loop turn. */
static void pool_enqueue(db_pool *p, db_job *q)
{
    q->deadline_ms = now_ms() + p->queue_timeout_ms;
    queue_push(p, q);
    event_active(p->kick, EV_TIMEOUT, 1);
}

int db_query_call(db_pool *p, const db_call *call, db_done_fn cb, void *arg)
{
    db_job *q;
    int rc = pool_admit(p);

    assert(call->stmt->nparams >= 0 && call->stmt->nparams <= MAX_PARAMS);
    if (rc != 0)
        return rc;
    q = xcalloc(1, sizeof *q);
    q->call = *call;
    q->cb = cb;
    q->arg = arg;
    pool_enqueue(p, q);
    return 0;
}

int db_query_params(db_pool *p, const db_stmt *stmt, const char *const *values, const int *lengths,
                    const int *formats, db_done_fn cb, void *arg)
{
    return db_query_call(p, &(db_call){stmt, values, lengths, formats}, cb, arg);
}

int db_query_pipeline(db_pool *p, const db_pipe_item *items, int n)
{
    db_job *q;
    int rc = pool_admit(p);

    assert(n >= 1 && n <= DB_PIPE_MAX);
    if (rc != 0)
        return rc;
    q = xcalloc(1, sizeof *q);
    q->npipe = n;
    for (int i = 0; i < n; i++) {
        assert(items[i].stmt->nparams >= 0 && items[i].stmt->nparams <= MAX_PARAMS);
        q->pipe[i].stmt = items[i].stmt;
        q->pipe[i].values = items[i].values;
        q->pipe[i].cb = items[i].cb;
        q->pipe[i].arg = items[i].arg;
    }
    q->call.stmt = items[0].stmt;
    pool_enqueue(p, q);
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
    params_build(&p->params, o);
    p->size = o->size;
    p->queue_max = o->queue_max;
    p->queue_timeout_ms = o->queue_timeout_ms;
    p->connect_timeout_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 5000;
    p->overdue_ms = o->statement_timeout_ms + OVERDUE_GRACE_MS;
    p->read_only = o->read_only;
    p->max_staleness_ms = o->max_staleness_ms;
    p->staleness_stmt = o->staleness_stmt;
    p->hooks = o->hooks;
    p->stats.size = o->size;
    p->conns = xcalloc((size_t)p->size, sizeof *p->conns);
    for (int i = 0; i < p->size; i++) {
        db_conn *c = &p->conns[i];
        c->pool = p;
        c->index = i;
        c->state = DB_CONN_DOWN;
        c->lag_ms = -1;
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
        if (c->current != NULL)
            job_free(c->current);
        if (c->pending != NULL)
            job_free(c->pending);
        c->current = NULL;
        c->pending = NULL;
        conn_close_socket(c);
        change_state(c, DB_CONN_CLOSED);
        event_free(c->timer);
        free(c->prepared);
    }
    while ((q = queue_pop(p)) != NULL)
        job_free(q);
    event_free(p->janitor);
    event_free(p->kick);
    free(p->conns);
    params_free(&p->params);
    free(p);
}

bool db_pool_ready(const db_pool *p)
{
    for (int i = 0; i < p->size; i++)
        if (db_conn_state_is_up(p->conns[i].state))
            return true;
    return false;
}

int db_pool_socket(const db_pool *p)
{
    for (int i = 0; i < p->size; i++)
        if (db_conn_state_is_up(p->conns[i].state) && p->conns[i].pg != NULL)
            return PQsocket(p->conns[i].pg);
    return -1;
}

void db_pool_get_stats(const db_pool *p, db_pool_stats *st)
{
    *st = p->stats;
    st->connected = 0;
    st->in_use = 0;
    st->lag_ms = -1;
    for (int i = 0; i < p->size; i++) {
        const db_conn *c = &p->conns[i];
        st->connected += db_conn_state_is_up(c->state);
        st->in_use += db_conn_state_is_working(c->state);
        if (db_conn_state_is_up(c->state) && c->lag_at_ms > 0 && c->lag_ms > st->lag_ms)
            st->lag_ms = c->lag_ms;
    }
    st->waiting = p->queued;
}

static const char *const STATUS_NAMES[] = {
    [DB_OK] = "ok",
    [DB_ERR_SQL] = "sql_error",
    [DB_ERR_TIMEOUT] = "timeout",
    [DB_ERR_UNAVAILABLE] = "unavailable",
    [DB_ERR_BUSY] = "busy",
};

const char *db_status_name(enum db_status s)
{
    return NAMES_LOOKUP(STATUS_NAMES, s, "unknown");
}
