/* programmes.c — the catalogue: programmes with their cohorts (API.md
 * "Programmes, cohorts, registration"). Reads are public; writes admin. */
#include "sinau/api/routes.h"

#include <stdlib.h>
#include <string.h>

#include "sinau/api/call.h"
#include "sinau/http/ctx.h"

/* GET /api/v1/programmes: each with its current and upcoming cohorts and
 * their live seat counts (a standby may answer, within the read bound). */
static const api_call programmes_list_call = {
    .stmt = {"programmes_list",
             "select json_build_object('items', coalesce(json_agg(reg_programme_json(p, false) "
             "order by p.title, p.id), '[]'::json), 'next_cursor', null) from programmes p",
             0},
    .args = {},
    .reply = API_REPLY_JSON,
    .read = true,
};

/* GET /api/v1/programmes/{slug} (a standby may answer) */
static const api_call programmes_get_call = {
    .stmt = {"programmes_get",
             "select reg_programme_json(p, true) from programmes p where slug = $1", 1},
    .args = {API_ARG_PATH("slug")},
    .reply = API_REPLY_JSON,
    .read = true,
    .what = "programme",
};

/* POST /api/v1/programmes {slug, title, description?} → 201 (409 slug_taken) */
static const api_call create_call = {
    .stmt = {"programmes_create", "select reg_programme_create($1, $2, $3, $4)", 4},
    .args = {API_ARG_MEMBER("slug"), API_ARG_MEMBER("title"), API_ARG_MEMBER("description"),
             API_ARG_CALLER},
    .reply = API_REPLY_CREATED,
};

/* PUT /api/v1/programmes/{slug} {title?, description?} (admins; the slug
 * stays: it is in every link and credential) */
static const api_call update_call = {
    .stmt = {"programmes_update", "select reg_programme_update($1, $2::jsonb, $3)", 3},
    .args = {API_ARG_PATH("slug"), API_ARG_BODY, API_ARG_CALLER},
    .reply = API_REPLY_JSON,
    .what = "programme",
};

static const http_route routes[] = {
    {.methods = ROUTER_GET,
     .pattern = "/api/v1/programmes",
     .handler = api_call_route,
     .summary = "The catalogue: programmes with open and upcoming cohorts and seats left",
     .access = AUTH_NONE,
     .data = &programmes_list_call},
    {.methods = ROUTER_POST,
     .pattern = "/api/v1/programmes",
     .handler = api_call_route,
     .summary = "Admin: create a programme",
     .access = AUTH_ADMIN,
     .data = &create_call},
    {.methods = ROUTER_PUT,
     .pattern = "/api/v1/programmes/{slug}",
     .handler = api_call_route,
     .summary = "Admin: edit a programme's title and description",
     .access = AUTH_ADMIN,
     .data = &update_call},
    {.methods = ROUTER_GET,
     .pattern = "/api/v1/programmes/{slug}",
     .handler = api_call_route,
     .summary = "A programme with all its cohorts",
     .access = AUTH_NONE,
     .data = &programmes_get_call},
};

const http_route *programmes_routes(size_t *n)
{
    *n = SINAU_ARRAY_LEN(routes);
    return routes;
}
