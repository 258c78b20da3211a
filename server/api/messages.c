/* messages.c — what people see of the outbox (issue 13): the admins'
 * delivery log with filters and resending, each participant's channel
 * choices, the one-click unsubscribe link of every non-security e-mail, and
 * announcements by a cohort's staff (to all its confirmed participants or
 * one segment, shown on the cohort page as well). Sending itself is
 * outbox.c's. */
#include "sinau/api/common.h"
#include "sinau/api/routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sinau/api/access.h"
#include "sinau/api/call.h"
#include "sinau/api/outbox.h"
#include "sinau/api/services.h"
#include "sinau/auth/session.h"
#include "sinau/core/markdown.h"
#include "sinau/http/ctx.h"
#include "sinau/http/dbroute.h"
#include "sinau/http/reply.h"

#define SUBJECT_MAX 200
#define BODY_MAX    20000

/* ---- the delivery log (admins) ---- */

static const db_stmt log_stmt = {"msg_log",
                                 "select msg_log($1, $2, $3, $4, $5, $6::bigint, $7::int)", 7};

static bool one_of(const char *s, const char *const *ok, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, ok[i]) == 0)
            return true;
    return false;
}

/* s is 1..max bytes, each one of allowed. */
static bool token_chars(const char *s, const char *allowed, size_t max)
{
    return s != NULL && s[0] != '\0' && strlen(s) <= max && strspn(s, allowed) == strlen(s);
}

/* GET /api/v1/messages?state=&channel=&kind=&cohort_id=&user_id=&cursor=&limit= */
static void messages_log(http_ctx *ctx)
{
    static const char *const states[] = {"queued", "sending", "sent", "failed", "undeliverable"};
    static const char *const channels[] = {"email", "whatsapp"};
    const char **p = http_ctx_alloc(ctx, 7 * sizeof *p);
    const char *kind = http_query(ctx, "kind");
    int limit = api_limit(ctx, 50);

    if (limit < 0)
        return;
    p[0] = http_query(ctx, "state");
    p[1] = http_query(ctx, "channel");
    p[2] = kind;
    p[3] = http_query(ctx, "cohort_id");
    p[4] = http_query(ctx, "user_id");
    p[5] = http_query(ctx, "cursor");
    p[6] = api_itoa(ctx, limit);
    if ((p[0] != NULL && !one_of(p[0], states, SINAU_ARRAY_LEN(states))) ||
        (p[1] != NULL && !one_of(p[1], channels, SINAU_ARRAY_LEN(channels))) ||
        (kind != NULL && strspn(kind, "abcdefghijklmnopqrstuvwxyz_") != strlen(kind)) ||
        (p[5] != NULL && !token_chars(p[5], "0123456789", 18))) {
        http_reply_error(ctx, 422, "invalid_filter", "unknown state, channel, kind or cursor");
        return;
    }
    http_db_query(ctx, &log_stmt, p, api_reply_json_or_404);
}

/* ---- the participant's choices ---- */

/* The check of PUT /api/v1/me/notifications {language?, email?, whatsapp?,
 * reminders?} (a call of msg_prefs_put): 422 invalid_language, or
 * invalid_field for a member that is not a boolean. */
static int prefs_check(http_ctx *ctx, json_t *body)
{
    json_t *lang = NULL, *email = NULL, *wa = NULL, *rem = NULL;

    if (http_unpack(ctx, body, "{s?o, s?o, s?o, s?o}", "language", &lang, "email", &email,
                    "whatsapp", &wa, "reminders", &rem) != 0)
        return -1;
    if (lang != NULL && (!json_is_string(lang) || (strcmp(json_string_value(lang), "id") != 0 &&
                                                   strcmp(json_string_value(lang), "en") != 0))) {
        http_reply_error(ctx, 422, "invalid_language", "language is id or en");
        return -1;
    }
    if ((email != NULL && !json_is_boolean(email)) || (wa != NULL && !json_is_boolean(wa)) ||
        (rem != NULL && !json_is_boolean(rem))) {
        http_reply_error(ctx, 422, "invalid_field", "email, whatsapp and reminders are booleans");
        return -1;
    }
    return 0;
}

/* ---- one-click unsubscribe (RFC 8058) ---- */

static const db_stmt unsubscribe_stmt = {"msg_unsubscribe", "select msg_unsubscribe($1)", 1};

static void unsubscribed(void *arg, db_result *r)
{
    http_ctx *ctx = arg;

    if (http_db_failed(ctx, r))
        return;
    if (PQgetvalue(r->res, 0, 0)[0] != 't') {
        http_reply_error(ctx, 404, "not_found", "no such link");
        return;
    }
    http_reply_json(ctx, 200, json_pack("{s:b}", "unsubscribed", 1));
}

/* POST /api/v1/unsubscribe?u=<user id>&t=<token>: no more e-mail but
 * security messages. The token is a keyed hash of the user id. */
static void unsubscribe(http_ctx *ctx)
{
    const char *u = http_query(ctx, "u"), *t = http_query(ctx, "t");
    const char **p;
    char want[65];

    if (u == NULL || t == NULL || strlen(u) > 64 ||
        outbox_unsubscribe_token(api_svc(ctx)->keys, u, want) != 0 || !auth_secret_equal(want, t)) {
        http_reply_error(ctx, 404, "not_found", "no such link");
        return;
    }
    p = http_ctx_alloc(ctx, sizeof *p);
    p[0] = u;
    http_db_query(ctx, &unsubscribe_stmt, p, unsubscribed);
}

/* GET /api/v1/unsubscribe?u=&t=: a person followed the link rather than
 * their mail program posting it. No change on GET: 303 to the page that
 * asks them to confirm. */
static void unsubscribe_page(http_ctx *ctx)
{
    static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const char *u = http_query(ctx, "u"), *t = http_query(ctx, "t");
    size_t n;
    char *where;

    if (!token_chars(u, b64url, 64) || !token_chars(t, "0123456789abcdef", 64)) {
        http_reply_error(ctx, 404, "not_found", "no such link");
        return;
    }
    n = strlen(u) + strlen(t) + 32;
    where = http_ctx_alloc(ctx, n);
    snprintf(where, n, "/unsubscribe?u=%s&t=%s", u, t);
    http_add_header(ctx, "Location", where);
    http_reply_empty(ctx, 303);
}

/* ---- announcements ---- */

typedef struct announce_job {
    const char *subject, *md, *segment;
    char *html; /* rendered on the worker pool; owned by the request */
    const char *params[7];
} announce_job;

static const db_stmt announce_stmt =
    API_STATUS_STMT("msg_announce", "msg_announce($1, $2, $3, $4, $5, $6, $7)", 7);

/* Worker thread: the Markdown to safe HTML. */
static void announce_render(void *arg)
{
    announce_job *job = arg;

    job->html = markdown_render(job->md, strlen(job->md));
}

static void announce_rendered(http_ctx *ctx, void *arg)
{
    announce_job *job = arg;
    const char **p = job->params;

    if (http_own_buf(ctx, job->html) == NULL) {
        http_reply_error(ctx, 500, "internal_error", "could not render the announcement");
        return;
    }
    p[0] = http_param(ctx, "id");
    p[1] = job->subject;
    p[2] = job->md;
    p[3] = job->html;
    p[4] = job->segment;
    memcpy(&p[5], api_caller_params(ctx, 2), 2 * sizeof *p);
    http_db_query(ctx, &announce_stmt, p, api_reply_status_body);
}

/* 1..max bytes of valid UTF-8 (jansson checked it) without control
 * characters other than line ends and tabs in a body. */
static bool text_ok(const char *s, size_t max, bool multiline)
{
    size_t n = strlen(s);

    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && !(multiline && (c == '\n' || c == '\r' || c == '\t'))) || c == 0x7f)
            return false;
    }
    return true;
}

/* POST /api/v1/cohorts/{id}/announcements {subject, body_markdown, segment?} */
static void announce(http_ctx *ctx)
{
    json_t *body;
    announce_job *job = http_ctx_alloc(ctx, sizeof *job);

    if (api_missing(ctx, http_param(ctx, "id"), "cohort"))
        return;
    if (http_read_json(ctx, false, &body) != 0)
        return;
    if (http_unpack(ctx, body, "{s:s, s:s, s?s}", "subject", &job->subject, "body_markdown",
                    &job->md, "segment", &job->segment) != 0)
        return;
    if (!text_ok(job->subject, SUBJECT_MAX, false)) {
        http_reply_error(ctx, 422, "invalid_subject", "the subject needs 1 to 200 characters");
        return;
    }
    if (!text_ok(job->md, BODY_MAX, true)) {
        http_reply_error(ctx, 422, "invalid_body", "the text needs 1 to 20000 characters");
        return;
    }
    http_work(ctx, job, announce_render, announce_rendered);
}

/* The route table (server/api/routes/messages.json, generated at build time). */
#include "routes/messages.inc"
