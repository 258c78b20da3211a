/* core/ratelimit.h — counting misses per client address, server-wide, in memory
 * (certificate lookups that found nothing: SECURITY.md case 19).
 *
 * A fixed table of slots indexed by a keyed hash of the address, each a
 * fixed window: once a client has `limit` misses within `window_s`
 * seconds, it is refused until the window ends. Collisions only ever make
 * two clients share a budget. One mutex guards the table: any thread. Not
 * shared between processes (behind a load balancer each instance counts
 * its own; the budget per client is then at most limit × instances). */
#ifndef SINAU_CORE_RATELIMIT_H
#define SINAU_CORE_RATELIMIT_H

#include <time.h>

typedef struct ratelimit ratelimit;

/* A table allowing `limit` misses per `window_s`. NULL when out of memory. */
ratelimit *ratelimit_new(int limit, int window_s);
void ratelimit_free(ratelimit *rl);

/* 0 when key may go on, else the seconds until it may (for Retry-After). */
int ratelimit_check(ratelimit *rl, const char *key, time_t now);

/* Counts one miss for key. */
void ratelimit_miss(ratelimit *rl, const char *key, time_t now);

#endif /* SINAU_CORE_RATELIMIT_H */
