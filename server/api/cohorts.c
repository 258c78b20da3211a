/* cohorts.c — cohorts of a programme: creation with per-segment quotas,
 * the public view with live seat counts, instructors, quota changes. Every
 * route is a thin one (routes/cohorts.json); what is here are the checks of
 * the bodies whose refusals have codes of their own. */
#include "sinau/api/common.h"
#include "sinau/api/routes.h"

#include <string.h>

#include "sinau/api/call.h"
#include "sinau/http/ctx.h"
#include "sinau/http/reply.h"

/* A segment's quota: 0..100000 seats; else replies 422 invalid_quota and
 * returns -1. */
static int quota_check_value(http_ctx *ctx, json_int_t quota)
{
    if (quota >= 0 && quota <= 100000)
        return 0;
    http_reply_error(ctx, 422, "invalid_quota", "a quota is a number of seats, 0..100000");
    return -1;
}

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
                        &waitlist) != 0 ||
            quota_check_value(ctx, quota) != 0)
            return -1;
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

/* The check of POST /api/v1/programmes/{slug}/cohorts (a thin route:
 * reg_cohort_create), whose refusals of the segments and rules have codes
 * of their own. Returns 0, or replies 422 and returns -1. */
static int cohort_new_check(http_ctx *ctx, json_t *body)
{
    json_t *segments, *rules = NULL;
    const char *name, *opens, *closes, *starts, *ends, *residency = NULL, *spill = NULL;
    json_int_t jp, ttl = 0, version = 0;

    if (http_unpack(ctx, body, "{s:s, s?I, s:s, s:s, s:s, s:s, s:I, s?s, s?s, s?I, s:o, s?o}",
                    "name", &name, "content_version", &version, "registration_opens_at", &opens,
                    "registration_closes_at", &closes, "starts_on", &starts, "ends_on", &ends, "jp",
                    &jp, "residency_prefix", &residency, "spillover_at", &spill, "offer_ttl_s",
                    &ttl, "segments", &segments, "certificate_rules", &rules) != 0 ||
        segments_check(ctx, segments) != 0)
        return -1;
    if (rules != NULL && !json_is_object(rules)) {
        http_reply_error(ctx, 422, "invalid_certificate_rules", "expected an object");
        return -1;
    }
    return 0;
}

/* The check of PUT /api/v1/cohorts/{id}/segments/{segment} {quota,
 * waitlist?} (a thin route: reg_set_quota). */
static int quota_check(http_ctx *ctx, json_t *body)
{
    json_int_t quota;
    int waitlist = -1;

    if (http_unpack(ctx, body, "{s:I, s?b}", "quota", &quota, "waitlist", &waitlist) != 0)
        return -1;
    return quota_check_value(ctx, quota);
}

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

/* The check of PUT /api/v1/cohorts/{id} {name?, registration_opens_at?,
 * registration_closes_at?, starts_on?, ends_on?, jp?, residency_prefix?,
 * spillover_at?, offer_ttl_s?} (a thin route: reg_cohort_update; quotas,
 * version and certificate rules have their own calls): 422 invalid_field
 * or invalid_date with details.field. */
static int cohort_edit_check(http_ctx *ctx, json_t *body)
{
    json_t *residency = NULL, *spill = NULL, *ttl = NULL;
    const char *name = NULL, *opens = NULL, *closes = NULL, *starts = NULL, *ends = NULL;
    json_int_t jp = 0;

    if (http_unpack(ctx, body, "{s?s, s?s, s?s, s?s, s?s, s?I, s?o, s?o, s?o}", "name", &name,
                    "registration_opens_at", &opens, "registration_closes_at", &closes, "starts_on",
                    &starts, "ends_on", &ends, "jp", &jp, "residency_prefix", &residency,
                    "spillover_at", &spill, "offer_ttl_s", &ttl) != 0)
        return -1;
    const char *wrong = settings_wrong(residency, spill, ttl);
    if (wrong != NULL) {
        http_reply_error_details(ctx, 422, "invalid_field",
                                 "residency_prefix and spillover_at are strings or null; "
                                 "offer_ttl_s 60..1209600 or null",
                                 json_pack("{s:s}", "field", wrong));
        return -1;
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
        return -1;
    }
    return 0;
}

/* The route table (server/api/routes/cohorts.json, generated at build time). */
#include "routes/cohorts.inc"
