/* db/listen.h — LISTEN that survives failover (server/db/listen.c).
 *
 * One connection of its own (a pool of one, with opts' conninfo and
 * target_session_attrs=read-write, since NOTIFY reaches only the primary's
 * listeners) that LISTENs on every channel each time it connects, the
 * first time and again after the primary changed. Notifications sent while
 * it was down are lost, so on_subscribed runs after each subscription: the
 * consumer resynchronises there (re-reads timers, flushes caches). */
#ifndef SINAU_DB_LISTEN_H
#define SINAU_DB_LISTEN_H

#include <stdbool.h>

#include "sinau/db/pool.h"

struct event_base;

typedef struct db_listen db_listen;

typedef void (*db_notify_fn)(void *arg, const char *channel, const char *payload);

typedef struct db_listen_stats {
    bool subscribed;                  /* every LISTEN is in force now */
    unsigned long long subscriptions; /* times it (re)subscribed */
    unsigned long long notifications; /* notifications received */
} db_listen_stats;

/* Starts listening on channels (NULL-terminated; plain lower-case SQL
 * identifiers, copied) with opts (size and queue are the listener's own).
 * Returns an owned listener (db_listen_free), or NULL when a channel name is
 * not a plain identifier. Thread: base's loop, like a pool. */
db_listen *db_listen_new(struct event_base *base, const db_pool_opts *opts,
                         const char *const *channels, db_notify_fn on_notify,
                         void (*on_subscribed)(void *arg), void *arg);

/* Closes the connection and frees l. NULL-safe. */
void db_listen_free(db_listen *l);

/* Fills *st with a snapshot of l's figures. */
void db_listen_get_stats(const db_listen *l, db_listen_stats *st);

/* Calls on_lost(arg given to db_listen_new) on the loop thread each time the
 * listening connection goes (LISTENs no longer in force), before it is made
 * again: the consumer stops trusting what notifications kept fresh. */
void db_listen_set_on_lost(db_listen *l, void (*on_lost)(void *arg));

/* The socket of the listening connection while it is up, else -1 (for a
 * poll() from another thread: bytes waiting there may be notifications). */
int db_listen_socket(const db_listen *l);

#endif /* SINAU_DB_LISTEN_H */
