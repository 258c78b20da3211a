/* programmes.c — the catalogue: programmes with their cohorts (API.md
 * "Programmes, cohorts, registration"). Reads are public; writes admin. */
#include "sinau/api.h"

#include <stdlib.h>
#include <string.h>

#include "sinau/http.h"

static const db_stmt list_stmt = {
    "programmes_list",
    "select json_build_object('items', coalesce(json_agg(reg_programme_json(p, false)"
    " order by p.title, p.id), '[]'::json), 'next_cursor', null) from programmes p",
    0};

/* GET /api/v1/programmes: each with its current and upcoming cohorts and
 * their live seat counts (a standby may answer, within the read bound). */
static void programmes_list(http_ctx *ctx)
{
    http_db_read(ctx, &list_stmt, NULL, api_reply_json_or_404);
}

static const db_stmt get_stmt = {
    "programmes_get", "select reg_programme_json(p, true) from programmes p where slug = $1", 1};

/* GET /api/v1/programmes/{slug} (a standby may answer) */
static void programmes_get(http_ctx *ctx)
{
    const char **params = http_ctx_alloc(ctx, sizeof *params);

    params[0] = http_param(ctx, "slug");
    if (api_missing(ctx, params[0], "programme"))
        return;
    http_db_read(ctx, &get_stmt, params, api_reply_json_or_404);
}

static const db_stmt create_stmt = {"programmes_create",
                                    "select reg_programme_create($1, $2, $3, $4)", 4};

static void create_done(void *arg, db_result *r)
{
    http_ctx *ctx = arg;

    if (r->status == DB_ERR_SQL && strcmp(r->sqlstate, "23505") == 0) {
        http_reply_error(ctx, 409, "slug_taken", "a programme with this slug exists");
        return;
    }
    if (r->status == DB_ERR_SQL && strcmp(r->sqlstate, "23514") == 0) {
        http_reply_error(ctx, 422, "invalid_field",
                         "slug: 2-63 of a-z, 0-9 and '-'; title: 1-200 characters");
        return;
    }
    api_reply_created_or_404(arg, r);
}

/* POST /api/v1/programmes {slug,title,description?} */
static void programmes_create(http_ctx *ctx)
{
    json_t *body;
    const char *slug, *title, *description = NULL;
    const char **params;

    if (http_read_json(ctx, false, &body) != 0)
        return;
    if (http_unpack(ctx, body, "{s:s, s:s, s?s}", "slug", &slug, "title", &title, "description",
                    &description) != 0)
        return;
    params = http_ctx_alloc(ctx, 4 * sizeof *params);
    params[0] = slug;
    params[1] = title;
    params[2] = description;
    params[3] = ctx->user.id;
    http_db_query(ctx, &create_stmt, params, create_done);
}

static const db_stmt update_stmt = {"programmes_update",
                                    "select reg_programme_update($1, $2::jsonb, $3)", 3};

static void update_done(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    const char *constraint;

    if (r->status == DB_ERR_SQL && strcmp(r->sqlstate, "23514") == 0) {
        constraint = PQresultErrorField(r->res, PG_DIAG_CONSTRAINT_NAME);
        http_reply_error_details(
            ctx, 422, "invalid_field", "title: 1-200 characters; description: at most 10,000",
            constraint != NULL ? json_pack("{s:s}", "constraint", constraint) : NULL);
        return;
    }
    api_reply_json_or_404(arg, r);
}

/* PUT /api/v1/programmes/{slug} {title?, description?} (admins; the slug
 * stays: it is in every link and credential) */
static void programmes_update(http_ctx *ctx)
{
    json_t *body;
    const char *title = NULL, *description = NULL;
    const char **params;

    if (http_read_json(ctx, false, &body) != 0)
        return;
    if (http_unpack(ctx, body, "{s?s, s?s}", "title", &title, "description", &description) != 0)
        return;
    params = http_ctx_alloc(ctx, 3 * sizeof *params);
    params[0] = http_param(ctx, "slug");
    params[1] = api_json_text(ctx, body);
    params[2] = ctx->user.id;
    if (api_missing(ctx, params[0], "programme"))
        return;
    http_db_query(ctx, &update_stmt, params, update_done);
}

static const http_route routes[] = {
    {ROUTER_GET, "/api/v1/programmes", programmes_list, 0, NULL,
     "The catalogue: programmes with open and upcoming cohorts and seats left", AUTH_NONE},
    {ROUTER_POST, "/api/v1/programmes", programmes_create, 0, NULL, "Admin: create a programme",
     AUTH_ADMIN},
    {ROUTER_PUT, "/api/v1/programmes/{slug}", programmes_update, 0, NULL,
     "Admin: edit a programme's title and description", AUTH_ADMIN},
    {ROUTER_GET, "/api/v1/programmes/{slug}", programmes_get, 0, NULL,
     "A programme with all its cohorts", AUTH_NONE},
};

const http_route *programmes_routes(size_t *n)
{
    *n = SINAU_ARRAY_LEN(routes);
    return routes;
}
