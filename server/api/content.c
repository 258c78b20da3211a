/* content.c — authoring a programme's content (API.md "Content"): the draft's
 * modules and lessons and the pictures and PDF handouts attached to them,
 * publishing the draft as the next immutable version, what moving a cohort
 * to a newer version changes and the move itself, and the authors an admin
 * names. Authors are admins, those named authors and the instructors of the
 * programme's cohorts; the SQL decides (404 otherwise).
 *
 * Publishing is a short chain: read the draft's Markdown → render every
 * lesson to safe HTML on the worker pool (once, at publish time) → one
 * transaction that copies the draft into the version, refused if the draft
 * changed meanwhile. */
#include "sinau/api/common.h"
#include "sinau/api/routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/api/access.h"
#include "sinau/api/call.h"
#include "sinau/auth/session.h"
#include "sinau/core/filetype.h"
#include "sinau/core/markdown.h"
#include "sinau/core/video.h"
#include "sinau/http/ctx.h"
#include "sinau/http/dbroute.h"
#include "sinau/http/reply.h"

/* ---- modules ---- */

/* The check of the module calls (routes/content.json): {title, position?}
 * for a new module, either member for an edit. */
static int module_fields(http_ctx *ctx, json_t *body, bool create)
{
    const char *title = NULL;
    json_t *pos = NULL;

    if (http_unpack(ctx, body, create ? "{s:s, s?o}" : "{s?s, s?o}", "title", &title, "position",
                    &pos) != 0)
        return -1;
    return api_title_ok(ctx, title) && api_position_ok(ctx, pos) ? 0 : -1;
}

static int module_create_body(http_ctx *ctx, json_t *body)
{
    return module_fields(ctx, body, true);
}

static int module_update_body(http_ctx *ctx, json_t *body)
{
    return module_fields(ctx, body, false);
}

/* ---- lessons ---- */

/* video_parse on url without surrounding blanks (pasted links often carry them). */
static enum video_provider video_parse_trimmed(http_ctx *ctx, const char *url,
                                               char embed[VIDEO_EMBED_MAX])
{
    size_t n;

    while (*url == ' ' || *url == '\t' || *url == '\n' || *url == '\r')
        url++;
    n = strlen(url);
    while (n > 0 &&
           (url[n - 1] == ' ' || url[n - 1] == '\t' || url[n - 1] == '\n' || url[n - 1] == '\r'))
        n--;
    return video_parse(http_ctx_strndup(ctx, url, n), embed);
}

/* The check of the lesson calls (routes/content.json): checks the members
 * present in body and adds the video link's provider and embed URL, which
 * only C parses (core/video.h), as the SQL takes them. Returns 0, or
 * replies 422 and returns -1. */
static int lesson_fields(http_ctx *ctx, json_t *body, bool create)
{
    const char *title = NULL, *md = NULL;
    json_t *video = NULL, *duration = NULL, *pos = NULL;
    char embed[VIDEO_EMBED_MAX];
    enum video_provider prov;

    if (http_unpack(ctx, body, create ? "{s:s, s:s, s?o, s?o, s?o}" : "{s?s, s?s, s?o, s?o, s?o}",
                    "title", &title, "body_md", &md, "video_url", &video, "duration_minutes",
                    &duration, "position", &pos) != 0)
        return -1;
    if (!api_title_ok(ctx, title) || !api_markdown_ok(ctx, md, "body_md") ||
        !api_position_ok(ctx, pos))
        return -1;
    if (!json_is_null(duration) &&
        !api_range_ok(ctx, duration, 0, 1440, "invalid_duration", "duration_minutes"))
        return -1;
    if (video == NULL || json_is_null(video))
        return 0;
    prov = json_is_string(video) ? video_parse_trimmed(ctx, json_string_value(video), embed)
                                 : VIDEO_NONE;
    if (prov == VIDEO_NONE) {
        http_reply_error(ctx, 422, "unsupported_video", "use a YouTube or TikTok video link");
        return -1;
    }
    json_object_set_new(body, "video_provider", json_string(video_provider_name(prov)));
    json_object_set_new(body, "video_embed_url", json_string(embed));
    return 0;
}

/* POST /api/v1/modules/{id}/lessons {title, body_md, video_url?, duration_minutes?, position?} */
static int lesson_create_body(http_ctx *ctx, json_t *body)
{
    return lesson_fields(ctx, body, true);
}

/* PUT /api/v1/lessons/{id} {title?, body_md?, video_url? (null clears), …} */
static int lesson_update_body(http_ctx *ctx, json_t *body)
{
    return lesson_fields(ctx, body, false);
}

/* ---- the draft and publishing ---- */

typedef struct publish_job {
    PGresult *draft; /* (programme id, draft_rev, lesson, assignment or quiz piece id, Markdown)
                        rows; owned by the request */
    char *html_json; /* {lesson id: html}, malloc'd by the worker; owned by the request */
    const char *params[4];
} publish_job;

static const db_stmt publish_stmt =
    API_STATUS_STMT("content_publish", "content_publish($1, $2::bigint, $3::jsonb, $4)", 4);

/* Worker thread: every lesson's, assignment's and quiz's Markdown to safe
 * HTML (rows of a module without lessons have no key). */
static void publish_render(void *arg)
{
    publish_job *job = arg;

    job->html_json = api_markdown_json(job->draft, 2, 3);
}

static void publish_rendered(http_ctx *ctx, void *arg)
{
    publish_job *job = arg;

    if (http_own_buf(ctx, job->html_json) == NULL) {
        http_reply_error(ctx, 500, "internal_error", "could not render the content");
        return;
    }
    job->params[0] =
        http_ctx_strndup(ctx, PQgetvalue(job->draft, 0, 0), (size_t)PQgetlength(job->draft, 0, 0));
    job->params[1] =
        http_ctx_strndup(ctx, PQgetvalue(job->draft, 0, 1), (size_t)PQgetlength(job->draft, 0, 1));
    job->params[2] = job->html_json;
    job->params[3] = ctx->user.id;
    http_db_query(ctx, &publish_stmt, job->params, api_reply_status_body);
}

/* The completion of the declared call POST /api/v1/programmes/{slug}/versions
 * (an empty body; routes/content.json reads the draft's rows). */
static void publish_read(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    publish_job *job;

    if (!http_db_found(ctx, r, "no such programme"))
        return;
    job = http_ctx_alloc(ctx, sizeof *job);
    job->draft = http_own_pgresult(ctx, db_result_take(r));
    http_work(ctx, job, publish_render, publish_rendered);
}

/* ---- lesson attachments ---- */

/* The largest image or PDF handout a lesson may carry. */
#define ATTACHMENT_MAX (10u * 1024u * 1024u)

static const db_stmt attach_stmt = API_STATUS_STMT(
    "content_attachment_add", "content_attachment_add($1, $2, $3, $4, $5, $6, $7::bytea)", 7);

/* Pictures and handouts: every type filetype.h knows but video. */
static bool attachment_type_ok(const filetype *t)
{
    return strcmp(t->mime, "video/mp4") != 0;
}

/* POST /api/v1/lessons/{id}/attachments — an image (PNG, JPEG) or a PDF
 * handout as the raw body, with Content-Type and X-Filename
 * (percent-encoded UTF-8); the type is read from the magic bytes. */
static void attachment_add(http_ctx *ctx)
{
    const filetype *type;
    api_upload *up = api_upload_begin(ctx, &attach_stmt, attachment_type_ok,
                                      "a lesson takes PNG or JPEG images and PDF handouts", &type);

    if (up == NULL)
        return;
    if (!api_upload_name(ctx, type, true, &up->params[3]))
        return;
    up->params[0] = http_param(ctx, "id");
    up->params[1] = ctx->user.id;
    up->params[2] = auth_role_name(ctx->user.role);
    up->params[4] = type->mime;
    if (api_missing(ctx, up->params[0], "lesson"))
        return;
    api_upload_store(ctx, up);
}

/* An attachment never changes (a new file is a new id): cached for a year,
 * privately, as only the programme's readers may fetch it. Images are shown
 * inline, PDFs are downloads. */
static const api_file_opts attachment_serving = {true, "private, max-age=31536000, immutable"};

/* ---- preview ---- */

typedef struct preview_job {
    const char *md;
    size_t len;
    char *html;
} preview_job;

/* Worker thread: the Markdown to safe HTML. */
static void preview_render(void *arg)
{
    preview_job *job = arg;

    job->html = markdown_render(job->md, job->len);
}

static void preview_done(http_ctx *ctx, void *arg)
{
    preview_job *job = arg;
    const char *html = http_own_buf(ctx, job->html);

    http_reply_json(ctx, 200, json_pack("{s:s}", "body_html", html != NULL ? html : ""));
}

/* POST /api/v1/markdown/preview {body_md}: what a lesson or feedback will
 * look like, rendered exactly as publishing renders it. */
static void preview(http_ctx *ctx)
{
    json_t *body;
    const char *md;
    preview_job *job;

    if (http_read_json(ctx, false, &body) != 0)
        return;
    if (http_unpack(ctx, body, "{s:s}", "body_md", &md) != 0)
        return;
    if (!api_markdown_ok(ctx, md, "body_md"))
        return;
    job = http_ctx_alloc(ctx, sizeof *job);
    job->md = md;
    job->len = strlen(md);
    http_work(ctx, job, preview_render, preview_done);
}

/* The route table (server/api/routes/content.json, generated at build time). */
#include "routes/content.inc"
