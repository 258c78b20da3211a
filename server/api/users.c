/* users.c — accounts administration (admins only): create, list, change
 * role/status/name, and read a person's unmasked personal data for a stated
 * reason (audited). */
#include "sinau/api/auth.h"
#include "sinau/api/common.h"
#include "sinau/api/routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sinau/api/services.h"
#include "sinau/auth/session.h"
#include "sinau/crypto/pii.h"
#include "sinau/http/ctx.h"
#include "sinau/http/dbroute.h"
#include "sinau/http/reply.h"

/* POST /api/v1/users {email,password,full_name,role} */
static void users_create(http_ctx *ctx)
{
    json_t *body;
    const char *email, *password, *full_name, *role;

    if (http_read_json(ctx, false, &body) != 0)
        return;
    if (http_unpack(ctx, body, "{s:s, s:s, s:s, s:s}", "email", &email, "password", &password,
                    "full_name", &full_name, "role", &role) != 0)
        return;
    if (auth_role_parse(role) == AUTH_ROLE_NONE) {
        http_reply_error(ctx, 422, "invalid_role", "role must be participant, instructor or admin");
        return;
    }
    if (api_account_fields_check(ctx, email, password, full_name) != 0)
        return;
    api_account_create(ctx, email, password, full_name, role, ctx->user.id);
}

/* ---- list ---- */

/* A cursor whose instant does not parse: SQL refuses it (422 invalid_cursor). */
static const db_stmt page_stmt = {
    "auth_users_page",
    "select auth_users_page($1, $2::int, sinau_instant($3, 'cursor', 'invalid_cursor',"
    " 'use next_cursor from the previous page'), $4)",
    4};

/* Parses ?limit= (1..200, default 50); -1 when malformed. */
static int page_limit(http_ctx *ctx)
{
    const char *s = http_query(ctx, "limit");
    char *end = NULL;
    long v;

    if (s == NULL)
        return 50;
    v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 1 || v > 200)
        return -1;
    return (int)v;
}

/* GET /api/v1/users?role=&limit=&cursor= */
static void users_list(http_ctx *ctx)
{
    const char **params = http_ctx_alloc(ctx, 4 * sizeof *params);
    const char *role = http_query(ctx, "role");
    const char *cursor = http_query(ctx, "cursor");
    const char *tilde = cursor != NULL ? strchr(cursor, '~') : NULL;
    int limit = page_limit(ctx);

    if (limit < 0) {
        http_reply_error(ctx, 422, "invalid_limit", "limit must be an integer in 1..200");
        return;
    }
    if (role != NULL && auth_role_parse(role) == AUTH_ROLE_NONE) {
        http_reply_error(ctx, 422, "invalid_role", "role must be participant, instructor or admin");
        return;
    }
    if (cursor != NULL && (tilde == NULL || tilde == cursor || tilde - cursor > 40 ||
                           strlen(tilde + 1) == 0 || strlen(tilde + 1) > 40)) {
        http_reply_error(ctx, 422, "invalid_cursor", "use next_cursor from the previous page");
        return;
    }
    params[0] = role;
    params[1] = api_itoa(ctx, limit);
    params[2] = cursor != NULL ? http_ctx_strndup(ctx, cursor, (size_t)(tilde - cursor)) : NULL;
    params[3] = cursor != NULL ? tilde + 1 : NULL;
    http_db_query(ctx, &page_stmt, params, api_reply_json_or_404);
}

/* ---- update ---- */

static const db_stmt update_stmt = {"auth_user_update",
                                    "select auth_user_update($1, $2, $3, $4, $5, $6)", 6};

/* PUT /api/v1/users/{id} {role?, status?, full_name?} */
static void users_update(http_ctx *ctx)
{
    json_t *body;
    const char *role = NULL, *status = NULL, *full_name = NULL;
    const char **params;

    if (http_read_json(ctx, false, &body) != 0)
        return;
    if (http_unpack(ctx, body, "{s?s, s?s, s?s}", "role", &role, "status", &status, "full_name",
                    &full_name) != 0)
        return;
    if (role != NULL && auth_role_parse(role) == AUTH_ROLE_NONE) {
        http_reply_error(ctx, 422, "invalid_role", "role must be participant, instructor or admin");
        return;
    }
    if (status != NULL && strcmp(status, "active") != 0 && strcmp(status, "disabled") != 0) {
        http_reply_error(ctx, 422, "invalid_status", "status must be active or disabled");
        return;
    }
    if (full_name != NULL && !api_name_ok(full_name)) {
        http_reply_error(ctx, 422, "invalid_full_name", "the name needs 1 to 200 characters");
        return;
    }
    params = http_ctx_alloc(ctx, 6 * sizeof *params);
    params[0] = http_param(ctx, "id");
    params[1] = role;
    params[2] = status;
    params[3] = full_name;
    params[4] = ctx->user.id;
    params[5] = http_peer(ctx);
    if (api_missing(ctx, params[0], "user"))
        return;
    http_db_query(ctx, &update_stmt, params, api_reply_json_or_404);
}

/* ---- personal data, unmasked, audited ---- */

static const db_stmt pii_read_stmt = {"auth_personal_data_read",
                                      "select * from auth_personal_data_read($1, $2, $3, $4)", 4};

/* Decrypts column col of the row into obj[key] (null when absent). */
static int reveal(http_ctx *ctx, json_t *obj, PGresult *res, int col, const char *column,
                  const char *row_id)
{
    char *plain = NULL;
    size_t len = 0;

    if (PQgetisnull(res, 0, col)) {
        json_object_set_new(obj, column, json_null());
        return 0;
    }
    if (pii_decrypt(api_svc(ctx)->keys, "profiles", column, row_id, PQgetvalue(res, 0, col), &plain,
                    &len) != 0)
        return -1;
    json_object_set_new(obj, column, json_stringn(plain, len));
    sodium_memzero(plain, len);
    free(plain);
    return 0;
}

/* users_personal_data's state: whose data is read. */
typedef struct pii_read {
    const char *id;
} pii_read;

static void pii_read_done(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    const pii_read *read = ctx->state;
    const char *id = read->id;
    json_t *out;

    if (!http_db_found(ctx, r, "no such user"))
        return;
    out = http_own_json(ctx, json_object());
    if (reveal(ctx, out, r->res, 0, "nik", id) != 0 ||
        reveal(ctx, out, r->res, 1, "nip", id) != 0 ||
        reveal(ctx, out, r->res, 2, "phone", id) != 0) {
        http_reply_error(ctx, 500, "undecryptable", "stored personal data failed its check");
        return;
    }
    http_reply_json(ctx, 200, json_incref(out));
}

/* POST /api/v1/users/{id}/personal-data {reason}: the unmasked NIK, NIP and
 * phone, for an admin who states why; the read is audited. */
static void users_personal_data(http_ctx *ctx)
{
    json_t *body;
    const char *reason;
    const char **params;
    pii_read *read;

    if (http_read_json(ctx, false, &body) != 0)
        return;
    if (http_unpack(ctx, body, "{s:s}", "reason", &reason) != 0)
        return;
    if (strlen(reason) < 5 || strlen(reason) > 500) {
        http_reply_error(ctx, 422, "invalid_reason", "state the reason in 5 to 500 characters");
        return;
    }
    params = http_ctx_alloc(ctx, 4 * sizeof *params);
    params[0] = http_param(ctx, "id");
    params[1] = ctx->user.id;
    params[2] = reason;
    params[3] = http_peer(ctx);
    if (api_missing(ctx, params[0], "user"))
        return;
    read = http_ctx_alloc(ctx, sizeof *read);
    read->id = params[0];
    ctx->state = read;
    http_db_query(ctx, &pii_read_stmt, params, pii_read_done);
}

/* The route table (server/api/routes/users.json, generated at build time). */
#include "routes/users.inc"
