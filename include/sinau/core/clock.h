/* core/clock.h — the monotonic clock every layer measures durations and
 * deadlines with (CLOCK_MONOTONIC: never jumps with the wall clock). Any
 * thread. */
#ifndef SINAU_CORE_CLOCK_H
#define SINAU_CORE_CLOCK_H

#include <stdint.h>

/* Nanoseconds since an arbitrary fixed point. */
int64_t clock_now_ns(void);

#endif /* SINAU_CORE_CLOCK_H */
