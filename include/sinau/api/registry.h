/* api/registry.h — the API as the composition root sees it
 * (server/api/registry.c): every route table added to the router, the
 * periodic jobs, the LISTEN channels and the OpenAPI document. */
#ifndef SINAU_API_REGISTRY_H
#define SINAU_API_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "sinau/api/services.h"
#include "sinau/core/common.h"
#include "sinau/db/pool.h"
#include "sinau/http/router.h"

/* Adds every table to r (debug routes only when debug is true). */
SINAU_MUST_CHECK int api_register_all(router *r, bool debug);

/* Runs the API's periodic jobs (the offer timer, the quiz timer, automatic
 * certificate issuance) with the services of the loop that ticks; every
 * few seconds from loop 0 of each instance. */
void api_tick(const api_services *svc);

/* The channels loop 0 of each instance LISTENs on (NULL-terminated), what
 * a notification on one of them does, and what to do each time the
 * subscription is (again) in force: notifications sent meanwhile are lost,
 * so this catches up. Loop 0's thread. */
extern const char *const api_listen_channels[];
void api_on_notify(api_services *svc, const char *channel, const char *payload);
void api_on_listening(api_services *svc);

/* Builds the OpenAPI 3.1 document from the router's routes into a new
 * malloc'd string (*len set); caller frees. */
char *api_openapi_build(const router *r, const char *public_url, size_t *len);

#endif /* SINAU_API_REGISTRY_H */
