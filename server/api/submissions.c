/* submissions.c — handing in work (API.md "Assignments and grading"): a
 * new version with text and/or a link, its file as a raw upload, and
 * reading submissions and files back. Who may see what is decided in the
 * SQL (asg_* functions): the owner, the cohort's instructors, admins;
 * everyone else gets 404. The deadline rule (409 deadline_passed after the
 * cut-off), the grading rule (409 already_graded) and what a text and a link
 * may be (422 invalid_text, invalid_url) are there too, so they hold on
 * every path: handing in is a declared call (routes/submissions.json).
 *
 * A link is stored, never fetched. A file's type comes from its magic
 * bytes (filetype.h), it is stored in PostgreSQL under a generated name
 * with its SHA-256 (hashed on the worker pool), and served back only as an
 * attachment with nosniff. */
#include "sinau/api/common.h"
#include "sinau/api/routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/api/access.h"
#include "sinau/api/call.h"
#include "sinau/core/filetype.h"
#include "sinau/http/ctx.h"
#include "sinau/http/dbroute.h"
#include "sinau/http/reply.h"

/* The largest file a participant may hand in (a short phone video). */
#define FILE_MAX (10u * 1024u * 1024u)

/* ---- the file ---- */

static const db_stmt attach_stmt =
    API_STATUS_STMT("asg_attach_file", "asg_attach_file($1, $2, $3, $4, $5, $6, $7::bytea)", 7);

/* PUT /api/v1/submissions/{id}/file — the raw file as the body, with
 * Content-Type and X-Filename (percent-encoded UTF-8) headers. */
static void upload(http_ctx *ctx)
{
    const filetype *type;
    api_upload *up = api_upload_begin(ctx, &attach_stmt, NULL,
                                      "allowed files are PNG, JPEG, PDF and MP4", &type);

    if (up == NULL)
        return;
    if (!api_upload_name(ctx, type, false, &up->params[4]))
        return;
    up->params[0] = http_param(ctx, "id");
    up->params[1] = ctx->user.id;
    up->params[2] = type->mime;
    up->params[3] = type->ext;
    if (api_missing(ctx, up->params[0], "submission"))
        return;
    api_upload_store(ctx, up);
}

/* ---- reading back ---- */

/* A file handed in is served as an attachment, never cached. */
static const api_file_opts file_serving = {false, NULL};

/* The route table (server/api/routes/submissions.json, generated at build time). */
#include "routes/submissions.inc"
