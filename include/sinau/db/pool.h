/* db/pool.h — asynchronous PostgreSQL for one event loop.
 *
 * Each loop thread owns one db_pool: a fixed number of non-blocking libpq
 * connections driven by events on PQsocket(), and a bounded FIFO of queries
 * waiting for a connection. Nothing here ever blocks the loop: connecting
 * uses PQconnectStartParams/PQconnectPoll, queries PQsendPrepare /
 * PQsendQueryPrepared + PQflush + PQconsumeInput/PQisBusy/PQgetResult.
 *
 * Statements are static `db_stmt` rows prepared lazily once per connection
 * (by name) and always run with text parameters. Connections that drop are
 * re-opened with exponential backoff; a connection left inside a
 * transaction is rolled back before reuse; `statement_timeout` is set on
 * every connection. A janitor timer expires queries that waited too long,
 * and drops a connection whose statement got no answer well past the
 * statement timeout (a server that vanished without closing the socket).
 *
 * Failover (PostgreSQL's own, e.g. pg_auto_failover): the conninfo may name
 * several hosts. The write pool asks libpq for target_session_attrs=
 * read-write unless the conninfo says otherwise, starts each connection
 * attempt at the host that last worked, moves on to the next host when an
 * attempt times out, drops a connection that finds its server read-only
 * (SQLSTATE 25006), recycles the idle connections to a server that went
 * silent, and when one connection gets through after an outage wakes the
 * others at once instead of letting them sit out their backoff. Prepared
 * statements are per connection, so a new primary gets them re-prepared.
 *
 * A read pool (opts.read_only, target_session_attrs=prefer-standby) runs
 * every session read-only and, with opts.max_staleness_ms, measures before
 * use how far its server is behind (opts.staleness_stmt) so that no query
 * runs on a connection that cannot show it is within the bound.
 *
 * Thread: every function must be called on the loop thread that owns the
 * pool (the one whose event_base was passed to db_pool_new). */
#ifndef SINAU_DB_POOL_H
#define SINAU_DB_POOL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "sinau/core/common.h"

struct event_base;
typedef struct db_pool db_pool;

/* A statement, defined once as a static const row by the module that uses
 * it. `name` must be unique in the program (it names the prepared
 * statement); parameters are $1..$nparams; no SQL is ever built from input. */
typedef struct db_stmt {
    const char *name;
    const char *sql;
    int nparams;
} db_stmt;

enum db_status {
    DB_OK = 0,          /* res: PGRES_TUPLES_OK or PGRES_COMMAND_OK */
    DB_ERR_SQL,         /* the statement failed; sqlstate and res say why */
    DB_ERR_TIMEOUT,     /* statement_timeout cancelled it (57014) */
    DB_ERR_UNAVAILABLE, /* the connection was lost, or no connection could be made */
    DB_ERR_BUSY,        /* waited longer than the queue timeout for a connection */
};

/* Hooks of a pool (all optional; called on the pool's loop thread). */
typedef struct db_pool_hooks {
    /* a connection came up (up = true; it may already take queries, e.g.
     * LISTEN) or went down (up = false) */
    void (*on_conn)(void *arg, db_pool *pool, bool up);
    /* a NOTIFY arrived on one of the pool's connections (strings borrowed) */
    void (*on_notify)(void *arg, const char *channel, const char *payload);
    void *arg;
} db_pool_hooks;

typedef struct db_result {
    enum db_status status;
    PGresult *res;        /* borrowed during the callback; set whenever the server
                             answered (OK, SQL, TIMEOUT), NULL for UNAVAILABLE/BUSY */
    const char *sqlstate; /* five characters, or "" */
} db_result;

/* Called exactly once per accepted query, on the loop thread, never from
 * inside db_query itself. The result is freed after the callback returns
 * unless the callback took it with db_result_take. */
typedef void (*db_done_fn)(void *arg, db_result *r);

typedef struct db_pool_opts {
    const char *conninfo;     /* libpq conninfo or URI (borrowed, copied) */
    int size;                 /* connections, >= 1 */
    int queue_max;            /* queries that may wait for a connection */
    int queue_timeout_ms;     /* longest wait for a connection */
    int statement_timeout_ms; /* set on each connection */
    int connect_timeout_ms;   /* one connection attempt; then the next host is tried first */
    const char *application_name;
    bool read_only;       /* read pool: read-only sessions, prefer-standby by default */
    int max_staleness_ms; /* > 0: run queries only where staleness_stmt shows at most this */
    const db_stmt *staleness_stmt; /* one row, one integer: ms behind the primary (0 on it) */
    db_pool_hooks hooks;
} db_pool_opts;

typedef struct db_pool_stats {
    int size;                      /* configured connections */
    int connected;                 /* connections up (idle or working) */
    int in_use;                    /* connections running a statement */
    int waiting;                   /* queries queued for a connection */
    unsigned long long queries;    /* queries completed */
    unsigned long long errors;     /* completed with status != DB_OK */
    unsigned long long refused;    /* refused by db_query (queue full / down) */
    unsigned long long reconnects; /* successful connects after the first */
    unsigned long long stale;      /* queries refused: the server was past the staleness bound */
    int lag_ms;                    /* the last staleness measured (-1: none yet) */
} db_pool_stats;

/* Refusals returned by db_query (no callback follows). */
#define DB_REFUSED_FULL (-1) /* the wait queue is full: answer 503 db_busy */
#define DB_REFUSED_DOWN (-2) /* no connection is up or coming up: 503 db_unavailable */

/* Creates a pool on base and starts connecting every connection. Returns an
 * owned pool (db_pool_free) — never NULL; connections that cannot be made are
 * retried with backoff. */
db_pool *db_pool_new(struct event_base *base, const db_pool_opts *opts);

/* Closes every connection and frees the pool. Queued and running queries are
 * dropped WITHOUT their callbacks: call only once no request is in flight
 * (after the drain at shutdown). NULL-safe. */
void db_pool_free(db_pool *pool);

/* Runs stmt with text parameters values[0..stmt->nparams) (NULL entries are
 * SQL NULL). The values are borrowed and must stay valid until the callback
 * has run. Returns 0 when accepted (cb runs exactly once later), or
 * DB_REFUSED_FULL / DB_REFUSED_DOWN (cb never runs). */
SINAU_MUST_CHECK int db_query(db_pool *pool, const db_stmt *stmt, const char *const *values,
                              db_done_fn cb, void *arg);

/* Like db_query with lengths and formats per parameter (binary uploads):
 * lengths/formats follow PQsendQueryPrepared's meaning and are borrowed too. */
SINAU_MUST_CHECK int db_query_params(db_pool *pool, const db_stmt *stmt, const char *const *values,
                                     const int *lengths, const int *formats, db_done_fn cb,
                                     void *arg);

/* A statement and its parameters, as db_query_params takes them: what a
 * caller keeps to run it again (the pointers are borrowed as there). */
typedef struct db_call {
    const db_stmt *stmt;
    const char *const *values;
    const int *lengths; /* NULL: text parameters */
    const int *formats; /* NULL: text parameters */
} db_call;

/* db_query_params of *call (copied; what it points to is borrowed until cb
 * has run). Same returns. */
SINAU_MUST_CHECK int db_query_call(db_pool *pool, const db_call *call, db_done_fn cb, void *arg);

/* ---- pipeline mode (several statements, one round trip) ---- */

/* Most statements one db_query_pipeline call may carry. */
#define DB_PIPE_MAX 4

/* One statement of a pipeline: as db_query's arguments (values borrowed
 * until its cb has run). */
typedef struct db_pipe_item {
    const db_stmt *stmt;
    const char *const *values;
    db_done_fn cb;
    void *arg;
} db_pipe_item;

/* Runs items[0..n) (1 <= n <= DB_PIPE_MAX) on one connection with libpq's
 * pipeline mode: every statement (and its prepare, the first time on that
 * connection) is sent at once, so the whole costs one round trip instead of
 * n. Each statement is followed by a sync, so each is its own implicit
 * transaction, as if run alone: one that fails does not affect the others,
 * and the statements must not depend on each other's results (later ones
 * cannot see what an earlier one returns, only what it committed). Each cb
 * is called exactly once, in the order of items, after all n results have
 * arrived (or each with the same error when the connection is lost or the
 * job waited too long). The items array is copied. Returns 0 when accepted,
 * or DB_REFUSED_FULL / DB_REFUSED_DOWN (no cb runs). */
SINAU_MUST_CHECK int db_query_pipeline(db_pool *pool, const db_pipe_item *items, int n);

/* Takes ownership of the result inside a callback (caller PQclear()s it). */
PGresult *db_result_take(db_result *r);

/* True when at least one connection is up. */
bool db_pool_ready(const db_pool *pool);

/* Fills *st with a snapshot of the pool's figures. */
void db_pool_get_stats(const db_pool *pool, db_pool_stats *st);

/* The socket of the pool's first connection that is up, or -1. Thread: any
 * (a snapshot; the number may be stale by the time it is used). */
int db_pool_socket(const db_pool *pool);

/* Name of a status for logs ("ok", "sql_error", ...). */
const char *db_status_name(enum db_status s);

#endif /* SINAU_DB_POOL_H */
