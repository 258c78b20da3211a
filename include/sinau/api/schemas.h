/* api/schemas.h — the route declarations, one JSON file per resource in
 * server/api/routes/ (docs/internals/ROUTES.md), compiled into the binary
 * by server/api/routes/embed.cmake; the build makes the route tables from
 * the same files (routes.cmake). registry.c joins the tables with the
 * entries (by method and pattern) into the OpenAPI document.
 *
 * A file is {"components": {Name: schema…}, "routes": [{"method": "GET",
 * "pattern": "/api/v1/x", …, "query": {name: {"schema": …}}, "request":
 * spec, "request_optional": bool, "responses": {"200": spec}}…]}. A spec is
 * a JSON Schema of an application/json body, null for no body, or
 * {"content": {media type: {…}}} (an OpenAPI content map) for other media. */
#ifndef SINAU_API_SCHEMAS_H
#define SINAU_API_SCHEMAS_H

#include <jansson.h>
#include <stddef.h>

#include "sinau/http/router.h"

typedef struct api_schema_file {
    const char *name; /* "cohorts.json" */
    const char *text; /* its bytes, NUL-terminated */
} api_schema_file;

/* The embedded files (generated; static data, any thread). */
extern const api_schema_file api_schema_files[];
extern const int api_schema_file_count;

/* Checks that every route of r has its entry, complete (a "responses" entry
 * with a 2xx status, and a "request" for POST, PUT and PATCH; routes.cmake
 * refuses less at build time), that every entry names a route of r and that
 * none is declared twice. Returns the number of problems and writes the first
 * few, one a line, into msg (always NUL-terminated). Start-up or tests. */
int api_schemas_check(const router *r, char *msg, size_t msg_len);

/* The declared request body schema of every route method, looked up by
 * the router's route index (router_match.index) and method: what
 * api_call_route (and http_check_body) enforces. */
typedef struct api_bodies api_bodies;

/* Builds the table of r's routes (schemas with their $ref resolved) into a
 * new value (free with api_bodies_free); NULL when the embedded files are
 * not valid (logged). Start-up, before any loop runs; read-only after,
 * so any loop thread may look up. */
api_bodies *api_bodies_build(const router *r);

/* Frees b. NULL-safe. */
void api_bodies_free(api_bodies *b);

struct http_ctx;

/* The JSON Schema of the body of ctx's route and method (borrowed from the
 * services' table, api/services.h), or NULL when none is declared (no
 * body, another medium than JSON, or no table). Loop thread. */
const json_t *api_request_schema(const struct http_ctx *ctx);

#endif /* SINAU_API_SCHEMAS_H */
