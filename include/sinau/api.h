/* api.h — the route tables of every resource module in server/api/.
 *
 * Each module exposes one `<module>_routes(size_t *n)` returning its static
 * table; api_register_all adds them all to the router. */
#ifndef SINAU_API_H
#define SINAU_API_H

#include <stdbool.h>
#include <stddef.h>

#include "sinau/common.h"
#include "sinau/router.h"

struct sinau_server;

/* health, readiness, metrics, OpenAPI (server/api/system.c) */
const http_route *system_routes(size_t *n);

/* /debug/... routes for the tests (server/api/debug.c); only when enabled */
const http_route *debug_routes(size_t *n);

/* Adds every table to r (debug routes only when debug is true). */
SINAU_MUST_CHECK int api_register_all(router *r, bool debug);

/* Builds the OpenAPI 3.1 document from the router's routes into a new
 * malloc'd string (*len set); caller frees. */
char *api_openapi_build(const router *r, const char *public_url, size_t *len);

#endif /* SINAU_API_H */
