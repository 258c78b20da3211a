/* cohorts.c — cohorts of a programme: creation with per-segment quotas,
 * the public view with live seat counts, instructors, quota changes. */
#include "sinau/api/common.h"
#include "sinau/api/routes.h"

#include <stdlib.h>
#include <string.h>

#include "sinau/api/call.h"
#include "sinau/http/ctx.h"
#include "sinau/http/dbroute.h"
#include "sinau/http/reply.h"

/* Checks the shape of the segments array; replies 422 and returns -1. */
static int segments_check(http_ctx *ctx, json_t *segments)
{
    size_t i, j;
    json_t *seg;

    if (!json_is_array(segments) || json_array_size(segments) == 0 ||
        json_array_size(segments) > 16) {
        http_reply_error(ctx, 422, "invalid_segments", "give 1 to 16 segments");
        return -1;
    }
    json_array_foreach (segments, i, seg) {
        const char *name;
        json_int_t quota;
        int waitlist = 1;
        if (http_unpack(ctx, seg, "{s:s, s:I, s?b}", "segment", &name, "quota", &quota, "waitlist",
                        &waitlist) != 0)
            return -1;
        if (quota < 0 || quota > 100000) {
            http_reply_error(ctx, 422, "invalid_quota", "a quota is a number of seats, 0..100000");
            return -1;
        }
        for (j = 0; j < i; j++) {
            if (strcmp(json_string_value(json_object_get(json_array_get(segments, j), "segment")),
                       name) == 0) {
                http_reply_error(ctx, 422, "invalid_segments", "each segment once");
                return -1;
            }
        }
    }
    return 0;
}

static const db_stmt create_stmt = {"cohorts_create", "select reg_cohort_create($1, $2::jsonb, $3)",
                                    3};

/* POST /api/v1/programmes/{slug}/cohorts */
static void cohorts_create(http_ctx *ctx)
{
    json_t *body, *segments, *rules = NULL;
    const char *name, *opens, *closes, *starts, *ends, *residency = NULL, *spill = NULL;
    json_int_t jp, ttl = 0, version = 0;
    const char **params;

    if (http_read_json(ctx, false, &body) != 0)
        return;
    if (http_unpack(ctx, body, "{s:s, s?I, s:s, s:s, s:s, s:s, s:I, s?s, s?s, s?I, s:o, s?o}",
                    "name", &name, "content_version", &version, "registration_opens_at", &opens,
                    "registration_closes_at", &closes, "starts_on", &starts, "ends_on", &ends, "jp",
                    &jp, "residency_prefix", &residency, "spillover_at", &spill, "offer_ttl_s",
                    &ttl, "segments", &segments, "certificate_rules", &rules) != 0)
        return;
    if (segments_check(ctx, segments) != 0)
        return;
    if (rules != NULL && !json_is_object(rules)) {
        http_reply_error(ctx, 422, "invalid_certificate_rules", "expected an object");
        return;
    }
    params = http_ctx_alloc(ctx, 3 * sizeof *params);
    params[0] = http_param(ctx, "slug");
    params[1] = api_json_text(ctx, body);
    params[2] = ctx->user.id;
    if (api_missing(ctx, params[0], "programme"))
        return;
    http_db_query(ctx, &create_stmt, params, api_reply_created_or_404);
}

static const db_stmt quota_stmt =
    API_STATUS_STMT("cohorts_set_quota", "reg_set_quota($1, $2, $3::int, $4::boolean, $5)", 5);

/* PUT /api/v1/cohorts/{id}/segments/{segment} {quota, waitlist?} */
static void cohorts_set_quota(http_ctx *ctx)
{
    json_t *body;
    json_int_t quota;
    int waitlist = -1;
    const char **params;

    if (http_read_json(ctx, false, &body) != 0)
        return;
    if (http_unpack(ctx, body, "{s:I, s?b}", "quota", &quota, "waitlist", &waitlist) != 0)
        return;
    if (quota < 0 || quota > 100000) {
        http_reply_error(ctx, 422, "invalid_quota", "a quota is a number of seats, 0..100000");
        return;
    }
    params = http_ctx_alloc(ctx, 5 * sizeof *params);
    params[0] = http_param(ctx, "id");
    params[1] = http_param(ctx, "segment");
    params[2] = api_itoa(ctx, quota);
    params[3] = waitlist < 0 ? NULL : (waitlist ? "true" : "false");
    params[4] = ctx->user.id;
    if (api_missing(ctx, params[0], "segment") || api_missing(ctx, params[1], "segment"))
        return;
    http_db_query(ctx, &quota_stmt, params, api_reply_status_body);
}

static const db_stmt update_stmt = {"cohorts_update", "select reg_cohort_update($1, $2::jsonb, $3)",
                                    3};

/* An optional member that is a string or null. */
static bool string_or_null(json_t *v)
{
    return v == NULL || json_is_null(v) || json_is_string(v);
}

/* The first of the optional settings members that is not acceptable
 * (residency_prefix and spillover_at: a string or null; offer_ttl_s:
 * 60..1209600 or null), or NULL. */
static const char *settings_wrong(json_t *residency, json_t *spill, json_t *ttl)
{
    if (!string_or_null(residency))
        return "residency_prefix";
    if (!string_or_null(spill))
        return "spillover_at";
    if (ttl != NULL && !json_is_null(ttl) &&
        (!json_is_integer(ttl) || json_integer_value(ttl) < 60 ||
         json_integer_value(ttl) > 1209600))
        return "offer_ttl_s";
    return NULL;
}

/* PUT /api/v1/cohorts/{id} {name?, registration_opens_at?,
 * registration_closes_at?, starts_on?, ends_on?, jp?, residency_prefix?,
 * spillover_at?, offer_ttl_s?} (admins; quotas, version and certificate
 * rules have their own calls) */
static void cohorts_update(http_ctx *ctx)
{
    json_t *body, *residency = NULL, *spill = NULL, *ttl = NULL;
    const char *name = NULL, *opens = NULL, *closes = NULL, *starts = NULL, *ends = NULL;
    json_int_t jp = 0;
    const char **params;

    if (http_read_json(ctx, false, &body) != 0)
        return;
    if (http_unpack(ctx, body, "{s?s, s?s, s?s, s?s, s?s, s?I, s?o, s?o, s?o}", "name", &name,
                    "registration_opens_at", &opens, "registration_closes_at", &closes, "starts_on",
                    &starts, "ends_on", &ends, "jp", &jp, "residency_prefix", &residency,
                    "spillover_at", &spill, "offer_ttl_s", &ttl) != 0)
        return;
    const char *wrong = settings_wrong(residency, spill, ttl);
    if (wrong != NULL) {
        http_reply_error_details(ctx, 422, "invalid_field",
                                 "residency_prefix and spillover_at are strings or null; "
                                 "offer_ttl_s 60..1209600 or null",
                                 json_pack("{s:s}", "field", wrong));
        return;
    }
    const char *bad = opens != NULL && !api_iso_time(opens)     ? "registration_opens_at"
                      : closes != NULL && !api_iso_time(closes) ? "registration_closes_at"
                      : json_is_string(spill) && !api_iso_time(json_string_value(spill))
                          ? "spillover_at"
                      : starts != NULL && !api_iso_date(starts) ? "starts_on"
                      : ends != NULL && !api_iso_date(ends)     ? "ends_on"
                                                                : NULL;
    if (bad != NULL) {
        http_reply_error_details(ctx, 422, "invalid_date",
                                 "times are ISO 8601 with a zone; dates are YYYY-MM-DD",
                                 json_pack("{s:s}", "field", bad));
        return;
    }
    params = http_ctx_alloc(ctx, 3 * sizeof *params);
    params[0] = http_param(ctx, "id");
    params[1] = api_json_text(ctx, body);
    params[2] = ctx->user.id;
    if (api_missing(ctx, params[0], "cohort"))
        return;
    http_db_query(ctx, &update_stmt, params, api_reply_json_or_404);
}

/* The route table (server/api/routes/cohorts.json, generated at build time). */
#include "routes/cohorts.inc"
