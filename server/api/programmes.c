/* programmes.c — the catalogue: programmes with their cohorts (API.md
 * "Programmes, cohorts, registration"). Reads are public; writes admin. */
#include "sinau/api/routes.h"

#include <stdlib.h>
#include <string.h>

#include "sinau/api/call.h"
#include "sinau/http/ctx.h"

/* The members a new programme may hold (the table's rules check the rest). */
static int create_members(http_ctx *ctx, json_t *body)
{
    const char *slug, *title, *description = NULL;

    return http_unpack(ctx, body, "{s:s, s:s, s?s}", "slug", &slug, "title", &title, "description",
                       &description);
}

/* The members a programme edit may hold (the table's rules check the rest:
 * 422 invalid_field naming the member). */
static int update_members(http_ctx *ctx, json_t *body)
{
    const char *title = NULL, *description = NULL;

    return http_unpack(ctx, body, "{s?s, s?s}", "title", &title, "description", &description);
}

/* The route table (server/api/routes/programmes.json, generated at build time). */
#include "routes/programmes.inc"
