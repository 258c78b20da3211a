/* core/ratelimit.h — counting misses per client address, server-wide, in memory
 * (certificate lookups that found nothing: SECURITY.md case 19).
 *
 * A fixed table of slots indexed by a keyed hash of the address, each a
 * fixed window: once a client has `limit` misses within `window_s`
 * seconds, it is refused until the window ends. A lookup reserves its miss
 * before it looks (ratelimit_take) and gives it back when it found
 * something (ratelimit_forgive), so lookups sent at once cannot all pass a
 * check made before any of them is counted (issue 14). Collisions only ever make
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

/* Reserves one miss for key, counted at once: 0 when reserved (*ticket then
 * names the window it was counted in, for ratelimit_forgive), else the
 * seconds until key may go on (for Retry-After; nothing counted). */
int ratelimit_take(ratelimit *rl, const char *key, time_t now, time_t *ticket);

/* Gives back a miss reserved by ratelimit_take (the lookup found what it
 * looked for). Nothing when that window has ended since: a new window
 * starts from nothing anyway. */
void ratelimit_forgive(ratelimit *rl, const char *key, time_t ticket);

#endif /* SINAU_CORE_RATELIMIT_H */
