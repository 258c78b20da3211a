/* yield.c — when background work gives way to a busy instance (yield.h). */
#include "sinau/core/yield.h"

bool yield_now(yield_state *st, int load, int threshold, int64_t max_ns, int64_t now_ns)
{
    if (threshold == 0)
        return false;
    if (load < threshold) {
        if (st->quiet_since_ns == 0)
            st->quiet_since_ns = now_ns;
        if (now_ns - st->quiet_since_ns >= max_ns)
            st->busy_since_ns = 0; /* the busy period is over */
        return false;
    }
    st->quiet_since_ns = 0;
    if (st->busy_since_ns == 0)
        st->busy_since_ns = now_ns;
    return now_ns - st->busy_since_ns < max_ns;
}
