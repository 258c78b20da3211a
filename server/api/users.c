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

/* A role named in a body or the query: absent (NULL) or one of the three.
 * True, or replies 422 invalid_role and is false. */
static bool role_ok(http_ctx *ctx, const char *role)
{
    if (role == NULL || auth_role_parse(role) != AUTH_ROLE_NONE)
        return true;
    http_reply_error(ctx, 422, "invalid_role", "role must be participant, instructor or admin");
    return false;
}

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
    if (!role_ok(ctx, role) || api_account_fields_check(ctx, email, password, full_name) != 0)
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
    if (!role_ok(ctx, role))
        return;
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

/* The check of the update call (routes/users.json: auth_user_update):
 * {role?, status?, full_name?}, each a value the account may take. */
static int users_update_body(http_ctx *ctx, json_t *body)
{
    const char *role = NULL, *status = NULL, *full_name = NULL;

    if (http_unpack(ctx, body, "{s?s, s?s, s?s}", "role", &role, "status", &status, "full_name",
                    &full_name) != 0 ||
        !role_ok(ctx, role))
        return -1;
    if (status != NULL && strcmp(status, "active") != 0 && strcmp(status, "disabled") != 0) {
        http_reply_error(ctx, 422, "invalid_status", "status must be active or disabled");
        return -1;
    }
    if (full_name != NULL && !api_name_ok(full_name)) {
        http_reply_error(ctx, 422, "invalid_full_name", "the name needs 1 to 200 characters");
        return -1;
    }
    return 0;
}

/* ---- personal data, unmasked, audited ---- */

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

/* The completion of the declared call POST /api/v1/users/{id}/personal-data
 * {reason} (routes/users.json: auth_personal_data_read, which audits the
 * read): the unmasked NIK, NIP and phone, for an admin who states why. */
static void pii_read_done(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    const char *id = http_param(ctx, "id");
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

/* The check of that call: a reason (api_reason_ok). */
static int reason_body(http_ctx *ctx, json_t *body)
{
    const char *reason;

    return http_unpack(ctx, body, "{s:s}", "reason", &reason) == 0 && api_reason_ok(ctx, reason)
               ? 0
               : -1;
}

/* The route table (server/api/routes/users.json, generated at build time). */
#include "routes/users.inc"
