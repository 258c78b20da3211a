/* db/state.h — the connection state machine of the database pool, and the
 * host-list arithmetic of its failover, kept apart so that their rules can
 * be unit-tested without a database.
 *
 * Every connection is in exactly one state; db/pool.c moves it only through
 * one function that asserts db_conn_transition_ok. Pure code. */
#ifndef SINAU_DB_STATE_H
#define SINAU_DB_STATE_H

#include <stdbool.h>
#include <stddef.h>

enum db_conn_state {
    DB_CONN_DOWN = 0,   /* no socket; a reconnect timer is pending */
    DB_CONN_CONNECTING, /* PQconnectPoll in progress */
    DB_CONN_IDLE,       /* up, no statement; counted as free */
    DB_CONN_PREPARING,  /* PQsendPrepare in flight for the current query */
    DB_CONN_BUSY,       /* the current query's statement in flight */
    DB_CONN_RESETTING,  /* ROLLBACK in flight: left inside a transaction */
    DB_CONN_CLOSED,     /* pool shutting down; terminal */
    DB_CONN_NSTATES
};

/* True when a connection may move from `from` to `to`. */
bool db_conn_transition_ok(enum db_conn_state from, enum db_conn_state to);

/* True for states in which the connection holds a working socket. */
bool db_conn_state_is_up(enum db_conn_state s);

/* True for states in which the connection runs a statement. */
bool db_conn_state_is_working(enum db_conn_state s);

/* Name for logs ("idle", "busy", ...). */
const char *db_conn_state_name(enum db_conn_state s);

/* Reconnect delay after `attempt` consecutive failures (0-based):
 * 100 ms doubling up to 5 s, scaled by jitter in [0.8, 1.2] (pass a uniform
 * random value u in [0,1)). */
int db_backoff_ms(int attempt, double u);

/* Entries in a libpq host, hostaddr or port list ("a,b,c" → 3; "" → 1:
 * an empty list still names one, the default). NULL → 0. */
int db_list_count(const char *list);

/* Writes list rotated left by k entries into out ("a,b,c", 1 → "b,c,a");
 * a list of one entry is copied as is. Returns 0, or -1 when out (outlen
 * bytes) is too small. */
int db_list_rotate(const char *list, int k, char *out, size_t outlen);

/* The entry i of a list, copied into out (NUL-terminated). A list of one
 * entry gives that entry for every i (libpq's rule for a single port).
 * Returns 0, or -1 when i is out of range or out too small. */
int db_list_entry(const char *list, int i, char *out, size_t outlen);

#endif /* SINAU_DB_STATE_H */
