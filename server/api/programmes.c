/* programmes.c — the catalogue: programmes with their cohorts (API.md
 * "Programmes, cohorts, registration"). Reads are public; writes admin. */
#include "sinau/api/routes.h"

#include <stdlib.h>
#include <string.h>

#include "sinau/api/call.h"
#include "sinau/http/ctx.h"

/* The route table (server/api/routes/programmes.json, generated at build time). */
#include "routes/programmes.inc"
