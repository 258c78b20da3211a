/* sessions.c — a cohort's live sessions (date, time, place or online link),
 * check-in codes shown by the instructor, attendance, and the iCalendar
 * feed that phone calendars subscribe to. Managers are admins and the
 * cohort's instructors (reg_can_manage); learners as in learning.c. */
#include "sinau/api/common.h"
#include "sinau/api/routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sinau/api/access.h"
#include "sinau/api/call.h"
#include "sinau/api/schemas.h"
#include "sinau/api/services.h"
#include "sinau/auth/session.h"
#include "sinau/core/ical.h"
#include "sinau/http/ctx.h"
#include "sinau/http/dbroute.h"
#include "sinau/http/reply.h"

static const db_stmt code_stmt = {
    "sessions_open_checkin",
    "update cohort_sessions s set checkin_code = $2,"
    " checkin_expires_at = now() + make_interval(mins => $3::int)"
    " where s.id = $1 and reg_can_manage(s.cohort_id, $4, $5)"
    " returning json_build_object('session_id', s.id, 'code', s.checkin_code,"
    " 'expires_at', s.checkin_expires_at)",
    5};

/* POST /api/v1/sessions/{id}/checkin {valid_minutes?}: a fresh six-digit
 * code, valid for 1..180 minutes (default 15), to show on the projector. */
static void sessions_open_checkin(http_ctx *ctx)
{
    json_t *body;
    json_int_t minutes = 15;
    const char **p;
    char *code;

    if (http_read_json(ctx, true, &body) != 0)
        return;
    if (http_unpack(ctx, body, "{s?I}", "valid_minutes", &minutes) != 0)
        return;
    if (minutes < 1 || minutes > 180) {
        http_reply_error(ctx, 422, "invalid_minutes", "valid_minutes is 1..180");
        return;
    }
    code = http_ctx_alloc(ctx, 8);
    snprintf(code, 8, "%06u", (unsigned)randombytes_uniform(1000000));
    p = http_ctx_alloc(ctx, 5 * sizeof *p);
    p[0] = http_param(ctx, "id");
    p[1] = code;
    p[2] = api_itoa(ctx, minutes);
    p[3] = ctx->user.id;
    p[4] = auth_role_name(ctx->user.role);
    if (api_missing(ctx, p[0], "session"))
        return;
    http_db_query(ctx, &code_stmt, p, api_reply_json_or_404);
}

/* The declared body, whose code has six digits (422 invalid_code). */
static int checkin_code_check(http_ctx *ctx, json_t *body)
{
    const char *code = json_string_value(json_object_get(body, "code"));

    if (http_check_body(ctx, api_request_schema(ctx), body) != 0)
        return -1;
    if (code == NULL || strlen(code) != 6 || strspn(code, "0123456789") != 6) {
        http_reply_error(ctx, 422, "invalid_code", "the code has six digits");
        return -1;
    }
    return 0;
}

static const char *field(PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

/* Replies the rows (session id, starts, ends, title, place, online_url,
 * ...) as an iCalendar feed named `name`; the online links only when
 * `links` (a personal feed), never in a public one. */
static void reply_calendar(http_ctx *ctx, PGresult *res, const char *name, bool links)
{
    const char *host = strstr(api_svc(ctx)->cfg->public_url, "://");
    char uid[256];
    ical_buf b;
    time_t now = time(NULL);

    host = host != NULL ? host + 3 : "sinau";
    ical_begin(&b, name);
    for (int i = 0; i < PQntuples(res); i++) {
        ical_event e = {0};
        if (PQgetisnull(res, i, 0))
            continue; /* a cohort without sessions */
        snprintf(uid, sizeof uid, "%s@%s", PQgetvalue(res, i, 0), host);
        e.uid = uid;
        e.starts = (time_t)strtoll(PQgetvalue(res, i, 1), NULL, 10);
        e.ends = (time_t)strtoll(PQgetvalue(res, i, 2), NULL, 10);
        e.stamp = now;
        e.summary = PQgetvalue(res, i, 3);
        e.location = field(res, i, 4);
        e.url = links ? field(res, i, 5) : NULL;
        ical_event_add(&b, &e);
    }
    ical_end(&b);
    if (dynbuf_failed(&b)) {
        http_reply_error(ctx, 500, "internal_error", "the calendar did not fit");
        ical_free(&b);
        return;
    }
    http_add_header(ctx, "Cache-Control", links ? "private, no-store" : "public, max-age=300");
    http_own_buf(ctx, b.data);
    http_reply_bytes(ctx, 200, "text/calendar; charset=utf-8", b.data, b.len);
}

/* The completion of the declared call GET /api/v1/cohorts/{id}/calendar.ics
 * (routes/sessions.json): public, like a printed schedule, so that phone
 * calendars (which cannot sign in) can subscribe: times, titles and places,
 * never the online links (see the personal feed). */
static void calendar_done(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    char name[512];

    if (!http_db_found(ctx, r, "no such cohort"))
        return;
    snprintf(name, sizeof name, "%s — %s", PQgetvalue(r->res, 0, 7), PQgetvalue(r->res, 0, 6));
    reply_calendar(ctx, r->res, name, false);
}

/* ---- the personal feed: every cohort with a confirmed seat, links included ---- */

static const db_stmt feed_set_stmt = {
    "sessions_feed_set",
    "insert into calendar_feeds (user_id, token_hash) values ($1, $2)"
    " on conflict (user_id) do update set token_hash = excluded.token_hash, created_at = now()",
    2};
/* the sessions of the cohorts where the token's owner (active) holds a
 * confirmed seat now; no row at all when the token is unknown or revoked */
static const db_stmt feed_stmt = {
    "sessions_feed",
    "select s.id, extract(epoch from s.starts_at)::bigint, extract(epoch from s.ends_at)::bigint,"
    " s.title, s.place, s.online_url"
    " from calendar_feeds f join users u on u.id = f.user_id and u.status = 'active'"
    " left join (registrations r join cohort_sessions s on s.cohort_id = r.cohort_id)"
    "   on r.user_id = f.user_id and r.status = 'confirmed'"
    " where f.token_hash = $1 order by s.starts_at",
    1};

typedef struct feed_job {
    char token[AUTH_TOKEN_CHARS + 1];
    char hash[AUTH_HASH_HEX];
    const char *params[2];
} feed_job;

static void feed_made(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    feed_job *job = ctx->state;
    char url[512];

    if (http_db_failed(ctx, r))
        return;
    snprintf(url, sizeof url, "%s/api/v1/calendar/%s", api_svc(ctx)->cfg->public_url, job->token);
    http_reply_json(ctx, 201, json_pack("{s:s, s:s}", "token", job->token, "url", url));
}

/* POST /api/v1/me/calendar-feed → 201 {token, url}: a new personal feed
 * URL; the previous one stops working. */
static void feed_create(http_ctx *ctx)
{
    feed_job *job = http_ctx_alloc(ctx, sizeof *job);

    ctx->state = job;
    auth_token_new(job->token);
    auth_token_hash(job->token, job->hash);
    job->params[0] = ctx->user.id;
    job->params[1] = job->hash;
    http_db_query(ctx, &feed_set_stmt, job->params, feed_made);
}

static void feed_done(void *arg, db_result *r)
{
    http_ctx *ctx = arg;

    if (!http_db_found(ctx, r, "no such calendar"))
        return;
    reply_calendar(ctx, r->res, "Sinau", true);
}

/* GET /api/v1/calendar/{token}: the personal feed, for calendar apps that
 * cannot sign in; the token in the URL is the credential. */
static void feed_get(http_ctx *ctx)
{
    const char *token = http_param(ctx, "token");
    char *hash = http_ctx_alloc(ctx, AUTH_HASH_HEX);
    const char **p = http_ctx_alloc(ctx, sizeof *p);

    if (token == NULL || strlen(token) != AUTH_TOKEN_CHARS) {
        http_reply_error(ctx, 404, "not_found", "no such calendar");
        return;
    }
    auth_token_hash(token, hash);
    p[0] = hash;
    http_db_query(ctx, &feed_stmt, p, feed_done);
}

/* The route table (server/api/routes/sessions.json, generated at build time). */
#include "routes/sessions.inc"
