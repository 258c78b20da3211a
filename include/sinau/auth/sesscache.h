/* auth/sesscache.h — the per-process session cache (issue 17): the sessions the
 * route guard checked, kept for a bounded time and dropped when PostgreSQL
 * says so on channel sinau_sessions (LISTEN/NOTIFY, sql/functions/
 * accounts.sql), so most requests skip the session statement.
 *
 * Safe by construction rather than by timing:
 * - it answers only while the listener is subscribed: the whole cache is
 *   flushed and switched off when the listening connection goes, and on
 *   again (empty) once every LISTEN is back in force;
 * - an entry lives at most `lifetime_s` (SINAU_SESSION_CACHE_S) and never
 *   past the session's own expiry;
 * - an answer the database gave before an invalidation arrived is not
 *   stored after it (an epoch taken before the query, compared at insert);
 * - while notifications are waiting unread on the listening socket, the
 *   cache answers nothing (one poll() per hit).
 * All functions are thread-safe (one mutex); the cache is shared by every
 * loop thread of the process. */
#ifndef SINAU_AUTH_SESSCACHE_H
#define SINAU_AUTH_SESSCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sinau/auth/session.h"

typedef struct sesscache sesscache;

typedef struct sesscache_stats {
    unsigned long long hits, misses, stored, invalidations, flushes;
    bool enabled; /* the listener is subscribed: the cache may answer */
} sesscache_stats;

/* A cache of at most `entries` sessions (rounded up to a multiple of 4),
 * each kept at most lifetime_s seconds. Returns an owned cache
 * (sesscache_free), or NULL when entries or lifetime_s is 0 (no cache: every
 * function below accepts NULL and does nothing). Starts switched off. */
sesscache *sesscache_new(size_t entries, int lifetime_s);

/* Frees c. NULL-safe. */
void sesscache_free(sesscache *c);

/* The invalidation epoch: read it before sending the session query and hand
 * it to sesscache_put with the answer. */
uint64_t sesscache_epoch(sesscache *c);

/* Fills u (signed_in, id, role, csrf; token_hash is the caller's) from the
 * entry of token_hash. Returns true on a hit, false on a miss, when the
 * cache is off, or when notifications wait unread. */
bool sesscache_get(sesscache *c, const char *token_hash, auth_user *u);

/* Keeps u's session (u->token_hash) for min(lifetime, ttl_s) seconds, unless
 * the epoch moved since `epoch` was read or the cache is off. The first put
 * of a session only records it; from the second (within its lifetime) on,
 * sesscache_get answers for it. */
void sesscache_put(sesscache *c, uint64_t epoch, const auth_user *u, int ttl_s);

/* Drops one session / every session of a user (moves the epoch). */
void sesscache_forget_token(sesscache *c, const char *token_hash);
void sesscache_forget_user(sesscache *c, const char *user_id);

/* A notification of channel sinau_sessions: "s:<token_hash>" or
 * "u:<user_id>"; anything else flushes everything. */
void sesscache_notify(sesscache *c, const char *payload);

/* Empties the cache and switches it on (the listener is subscribed again,
 * listen_fd its socket) or off (listen_fd -1: the connection went). */
void sesscache_reset(sesscache *c, bool enabled, int listen_fd);

/* Fills *st with a snapshot (zeros for NULL). */
void sesscache_get_stats(sesscache *c, sesscache_stats *st);

#endif /* SINAU_AUTH_SESSCACHE_H */
