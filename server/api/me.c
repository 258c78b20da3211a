/* me.c — the caller's own account and profile (API.md "Accounts").
 *
 * Identity numbers are checked, encrypted (AAD: profiles, column, user id,
 * key version), blind-indexed and masked here in C; the database only ever
 * sees ciphertext, index and mask. Responses show masks only. */
#include "sinau/api/auth.h"
#include "sinau/api/common.h"
#include "sinau/api/routes.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sinau/api/call.h"
#include "sinau/api/services.h"
#include "sinau/core/idnum.h"
#include "sinau/crypto/pii.h"
#include "sinau/http/ctx.h"
#include "sinau/http/dbroute.h"
#include "sinau/http/reply.h"

static const db_stmt me_stmt = {"auth_me", "select auth_me($1, $2)", 2};

static void me_done(void *arg, db_result *r)
{
    http_ctx *ctx = arg;

    if (!http_db_found(ctx, r, "no such account"))
        return;
    http_reply_pg_json(ctx, 200, db_result_take(r), 0, 0);
}

/* GET /api/v1/me */
static void me_get(http_ctx *ctx)
{
    const char **params = http_ctx_alloc(ctx, 2 * sizeof *params);

    params[0] = ctx->user.id;
    params[1] = ctx->user.via_cookie ? ctx->user.csrf : NULL;
    http_db_query(ctx, &me_stmt, params, me_done);
}

/* ---- PUT /api/v1/me/profile ---- */

typedef struct text_field {
    const char *name;
    size_t max;
} text_field;

static const text_field text_fields[] = {
    {"agency", 200},
    {"business_name", 200},
    {"business_sector", 100},
    {"district", 100},
};

/* Room for a number as typed, separators included: longer is refused. */
#define IDNUM_TYPED_MAX 64

static int current_year(void)
{
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    return tm.tm_year + 1900;
}

static int reply_invalid(http_ctx *ctx, const char *code, enum idnum_error e)
{
    http_reply_error_details(ctx, 422, code, idnum_error_message(e),
                             json_pack("{s:s}", "reason", idnum_error_name(e)));
    return -1;
}

/* Encrypts value for profiles.<column> of user row_id into {enc[,bidx],mask}. */
static json_t *protect(http_ctx *ctx, const char *row_id, const char *column, const char *value,
                       bool index, const char *mask)
{
    const pii_keyring *keys = api_svc(ctx)->keys;
    char *token = NULL;
    char bidx[PII_INDEX_HEX];
    json_t *out = NULL;

    if (pii_encrypt(keys, "profiles", column, row_id, value, strlen(value), &token) != 0)
        goto out;
    if (index && pii_blind_index(keys, column, value, bidx) != 0)
        goto out;
    out = json_pack("{s:s, s:s}", "enc", token, "mask", mask);
    if (index)
        json_object_set_new(out, "bidx", json_string(bidx));
out:
    free(token);
    return out;
}

/* Adds the protected form of a NIK, NIP or phone to changes, from the
 * digits typed (spaces, dots and dashes dropped: idnum_strip_separators).
 * Returns 0 or replies 422 and returns -1. */
static int put_identity(http_ctx *ctx, const char *row_id, json_t *changes, const char *field,
                        const char *typed)
{
    char mask[64], phone[IDNUM_PHONE_SIZE], v[IDNUM_TYPED_MAX];
    enum idnum_error e;
    json_t *prot = NULL;

    if (idnum_strip_separators(typed, v, sizeof v) != 0)
        return reply_invalid(ctx,
                             strcmp(field, "nik") == 0   ? "invalid_nik"
                             : strcmp(field, "nip") == 0 ? "invalid_nip"
                                                         : "invalid_phone",
                             IDNUM_ERR_LENGTH);
    if (strcmp(field, "nik") == 0) {
        e = idnum_nik_check(v);
        if (e != IDNUM_OK)
            return reply_invalid(ctx, "invalid_nik", e);
        if (idnum_mask_nik(v, mask, sizeof mask) == 0 &&
            (prot = protect(ctx, row_id, "nik", v, true, mask)) != NULL)
            json_object_set_new(prot, "region", json_stringn(v, 6));
    } else if (strcmp(field, "nip") == 0) {
        e = idnum_nip_check(v, current_year());
        if (e != IDNUM_OK)
            return reply_invalid(ctx, "invalid_nip", e);
        if (idnum_mask_nip(v, mask, sizeof mask) == 0)
            prot = protect(ctx, row_id, "nip", v, true, mask);
    } else {
        if (idnum_phone_normalize(v, phone, sizeof phone) != 0) {
            http_reply_error(ctx, 422, "invalid_phone",
                             "use an Indonesian mobile number (08…, +628…)");
            return -1;
        }
        if (idnum_mask_phone(phone, mask, sizeof mask) == 0)
            prot = protect(ctx, row_id, "phone", phone, false, mask);
    }
    if (prot == NULL) {
        http_reply_error(ctx, 500, "internal_error", "could not protect the value");
        return -1;
    }
    json_object_set_new(changes, field, prot);
    return 0;
}

static bool plain_text_ok(const char *s, size_t max)
{
    size_t n = strlen(s);

    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < ' ' || s[i] == 0x7f)
            return false;
    return true;
}

/* Validates one member of the body into changes; replies 422 on failure. */
static bool known_member(const char *key)
{
    static const char *const identity[] = {"nik", "nip", "phone", "nib"};

    for (size_t i = 0; i < SINAU_ARRAY_LEN(identity); i++)
        if (strcmp(key, identity[i]) == 0)
            return true;
    for (size_t i = 0; i < SINAU_ARRAY_LEN(text_fields); i++)
        if (strcmp(key, text_fields[i].name) == 0)
            return true;
    return false;
}

static int put_member(http_ctx *ctx, json_t *changes, const char *key, json_t *value)
{
    char code[48];

    if (!known_member(key)) {
        http_reply_error(ctx, 422, "unknown_field", "this profile has no such field");
        return -1;
    }
    if (json_is_null(value)) {
        json_object_set_new(changes, key, json_null());
        return 0;
    }
    if (!json_is_string(value)) {
        snprintf(code, sizeof code, "invalid_%s", key);
        http_reply_error(ctx, 422, code, "expected a string or null");
        return -1;
    }
    if (strcmp(key, "nik") == 0 || strcmp(key, "nip") == 0 || strcmp(key, "phone") == 0)
        return put_identity(ctx, ctx->user.id, changes, key, json_string_value(value));
    if (strcmp(key, "nib") == 0) {
        char nib[IDNUM_TYPED_MAX];
        enum idnum_error e = idnum_strip_separators(json_string_value(value), nib, sizeof nib) != 0
                                 ? IDNUM_ERR_LENGTH
                                 : idnum_nib_check(nib);
        if (e != IDNUM_OK)
            return reply_invalid(ctx, "invalid_nib", e);
        json_object_set_new(changes, key, json_string(nib));
        return 0;
    }
    for (size_t i = 0; i < SINAU_ARRAY_LEN(text_fields); i++) {
        if (strcmp(key, text_fields[i].name) != 0)
            continue;
        if (!plain_text_ok(json_string_value(value), text_fields[i].max)) {
            snprintf(code, sizeof code, "invalid_%s", key);
            http_reply_error(ctx, 422, code, "expected 1 to 200 characters of plain text");
            return -1;
        }
        json_object_set(changes, key, value);
        return 0;
    }
    http_reply_error(ctx, 422, "unknown_field", "this profile has no such field");
    return -1;
}

static const db_stmt profile_stmt =
    API_STATUS_STMT("auth_profile_put", "auth_profile_put($1, $2::jsonb, $3, $4)", 4);

/* PUT /api/v1/me/profile {nik?,nip?,agency?,business_name?,business_sector?,nib?,phone?,district?}
 */
static void profile_put(http_ctx *ctx)
{
    json_t *body, *value, *changes;
    const char *key;
    const char **params;
    char *text;

    if (http_read_json(ctx, false, &body) != 0)
        return;
    changes = http_own_json(ctx, json_object());
    json_object_foreach (body, key, value)
        if (put_member(ctx, changes, key, value) != 0)
            return;
    params = http_ctx_alloc(ctx, 4 * sizeof *params);
    text = http_own_buf(ctx, json_dumps(changes, JSON_COMPACT));
    params[0] = ctx->user.id;
    params[1] = text;
    params[2] = http_ctx_alloc(ctx, 12);
    snprintf((char *)params[2], 12, "%d", pii_keyring_version(api_svc(ctx)->keys));
    params[3] = http_peer(ctx);
    http_db_query(ctx, &profile_stmt, params, api_reply_status_body);
}

/* ---- POST /api/v1/users/{id}/nik: an admin resolves a disputed NIK ---- */

static const db_stmt nik_resolve_stmt =
    API_STATUS_STMT("auth_nik_resolve", "auth_nik_resolve($1, $2::jsonb, $3, $4::int, $5, $6)", 6);

/* {nik, reason}: the user {id} has shown the admin their KTP; the account
 * holding that NIK loses it, both steps audited. 200 {user_id, profile,
 * cleared_from}. */
static void nik_resolve(http_ctx *ctx)
{
    json_t *body, *changes;
    const char *nik, *reason, **p;
    char *text;

    if (http_read_json(ctx, false, &body) != 0)
        return;
    if (http_unpack(ctx, body, "{s:s, s:s}", "nik", &nik, "reason", &reason) != 0)
        return;
    if (!plain_text_ok(reason, 500)) {
        http_reply_error(ctx, 422, "invalid_reason",
                         "say in 1 to 500 characters how it was proven");
        return;
    }
    p = http_ctx_alloc(ctx, 6 * sizeof *p);
    p[0] = http_param(ctx, "id");
    if (api_missing(ctx, p[0], "user"))
        return;
    changes = http_own_json(ctx, json_object());
    if (put_identity(ctx, p[0], changes, "nik", nik) != 0)
        return;
    text = http_own_buf(ctx, json_dumps(json_object_get(changes, "nik"), JSON_COMPACT));
    p[1] = text;
    p[2] = reason;
    p[3] = api_itoa(ctx, pii_keyring_version(api_svc(ctx)->keys));
    p[4] = ctx->user.id;
    p[5] = http_peer(ctx);
    http_db_query(ctx, &nik_resolve_stmt, p, api_reply_status_body);
}

/* ---- PUT /api/v1/me {full_name} ---- */

static const db_stmt name_stmt =
    API_STATUS_STMT("auth_name_put", "auth_name_put($1, $2, $3, $4)", 4);

/* PUT /api/v1/me {full_name}: the holder corrects their name (it goes onto
 * certificates), until a certificate carries it (409 name_locked). */
static void me_put(http_ctx *ctx)
{
    json_t *body;
    const char *name;
    const char **params;

    if (http_read_json(ctx, false, &body) != 0)
        return;
    if (http_unpack(ctx, body, "{s:s}", "full_name", &name) != 0)
        return;
    if (!api_name_ok(name)) {
        http_reply_error(ctx, 422, "invalid_full_name", "the name needs 1 to 200 characters");
        return;
    }
    params = http_ctx_alloc(ctx, 4 * sizeof *params);
    params[0] = ctx->user.id;
    params[1] = name;
    params[2] = ctx->user.via_cookie ? ctx->user.csrf : NULL;
    params[3] = http_peer(ctx);
    http_db_query(ctx, &name_stmt, params, api_reply_status_body);
}

/* The route table (server/api/routes/me.json, generated at build time). */
#include "routes/me.inc"
