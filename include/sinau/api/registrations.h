/* api/registrations.h — the offer timer of server/api/registrations.c:
 * expired offers pass their seat on, by the tick and by notification. */
#ifndef SINAU_API_REGISTRATIONS_H
#define SINAU_API_REGISTRATIONS_H

#include "sinau/api/services.h"
#include "sinau/db/pool.h"

/* The offer timer: expired offers pass their seat on. Called by every
 * loop's tick (SKIP LOCKED keeps instances and loops out of each other's
 * way); fire and forget. */
void registrations_tick(db_pool *db);

/* The offer timer by notification: an offer made with its deadline as
 * payload (epoch seconds) arms a timer for the earliest one; on_listening
 * runs the expiry at once. The timer is svc's (offer_timer); loop 0's
 * thread. */
void registrations_on_offer(api_services *svc, const char *payload);
void registrations_on_listening(api_services *svc);

#endif /* SINAU_API_REGISTRATIONS_H */
