/* api/attempts.h — the quiz timer of server/api/attempts.c. */
#ifndef SINAU_API_ATTEMPTS_H
#define SINAU_API_ATTEMPTS_H

#include "sinau/db/pool.h"

/* The quiz timer: attempts past their deadline are closed and graded.
 * Called by every instance's tick (SKIP LOCKED keeps them out of each
 * other's way); fire and forget. */
void attempts_tick(db_pool *db);

#endif /* SINAU_API_ATTEMPTS_H */
