/* core/yield.h — when background work gives way to a busy instance (the
 * rule behind SINAU_OUTBOX_YIELD, api/outbox.h). A busy period starts when
 * the load (requests in flight) reaches the threshold, and ends only after
 * max_ns in a row below it, so that dips inside one crowd do not start the
 * wait again. Inside a busy period the work gives way while the load is at
 * the threshold, for at most max_ns from the period's start; after that,
 * and whenever the load is below, it goes. A state belongs to one caller
 * (no locking). */
#ifndef SINAU_CORE_YIELD_H
#define SINAU_CORE_YIELD_H

#include <stdbool.h>
#include <stdint.h>

typedef struct yield_state {
    int64_t busy_since_ns;  /* start of the busy period (0: none) */
    int64_t quiet_since_ns; /* since when the load is below (0: it is not) */
} yield_state;

/* One decision at now_ns (clock.h): true when this turn gives way.
 * threshold 0: never. A zeroed state is the start. */
bool yield_now(yield_state *st, int load, int threshold, int64_t max_ns, int64_t now_ns);

#endif /* SINAU_CORE_YIELD_H */
