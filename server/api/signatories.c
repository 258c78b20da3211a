/* signatories.c — who signs the certificates (admins): the site default
 * and each programme's own choice of issuing organisation, signatory name,
 * title and NIP, with an optional signature image and logo (PNG), printed
 * on the PDF and shown on the verify page. A change adds a new signatory
 * row (certificates keep the one they were issued with); the NIP is
 * encrypted like every NIP (AAD signatories, nip, row id) and comes back
 * masked. Images are uploaded first (POST /api/v1/certificate-images,
 * decoded on the worker pool to be sure they draw) and then named by their
 * SHA-256; anyone may fetch them (they are printed on public certificates),
 * cached for a year. */
#include "sinau/api/auth.h"
#include "sinau/api/common.h"
#include "sinau/api/routes.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sinau/api/call.h"
#include "sinau/api/services.h"
#include "sinau/cert/pdf.h"
#include "sinau/core/idnum.h"
#include "sinau/crypto/pii.h"
#include "sinau/http/ctx.h"
#include "sinau/http/dbroute.h"
#include "sinau/http/reply.h"

/* ---- reading the settings ---- */

static const db_stmt get_stmt = {
    "cert_signatory_get",
    "select cert_signatory_get($1)::jsonb || jsonb_build_object('configured',"
    " jsonb_build_object('organisation', $2::text, 'name', $3::text, 'title', $4::text))",
    4};

/* Whose settings a route is about: the site's (no {slug}: *slug NULL) or
 * the programme {slug}'s. Returns false after replying 404 when {slug} does
 * not decode. */
static bool scope_of(http_ctx *ctx, const char **slug)
{
    *slug = http_param(ctx, "slug");
    return ctx->match.nparams == 0 || !api_missing(ctx, *slug, "programme");
}

/* GET /api/v1/signatory: the site default ({site, configured});
 * GET /api/v1/programmes/{slug}/signatory: {own, site, effective,
 * configured}. With the configured organisation, name and title. */
static void settings_get(http_ctx *ctx)
{
    const sinau_config *cfg = api_svc(ctx)->cfg;
    const char **p = http_ctx_alloc(ctx, 4 * sizeof *p);

    if (!scope_of(ctx, &p[0]))
        return;
    p[1] = cfg->issuer_name;
    p[2] = cfg->signatory_name;
    p[3] = cfg->signatory_title;
    http_db_query(ctx, &get_stmt, p, api_reply_json_or_404);
}

/* ---- setting them ---- */

static const db_stmt put_stmt =
    API_STATUS_STMT("cert_signatory_put", "cert_signatory_put($1, $2, $3::jsonb, $4, $5, $6)", 6);

/* A new signatory row id: 16 random bytes in base64url (as sinau_new_id). */
static char *new_id(http_ctx *ctx)
{
    unsigned char raw[16];
    char *id = http_ctx_alloc(ctx, 25);

    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(id, 25, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return id;
}

/* A 1..200 character text member; replies 422 naming it otherwise. */
static bool text_ok(http_ctx *ctx, const char *member, const char *v)
{
    char code[48];

    if (api_name_ok(v))
        return true;
    snprintf(code, sizeof code, "invalid_%s", member);
    http_reply_error_details(ctx, 422, code, "1 to 200 characters of plain text",
                             json_pack("{s:s}", "field", member));
    return false;
}

/* An optional image member: absent, or the 64-hex SHA-256 of an upload. */
static bool image_ok(http_ctx *ctx, const char *member, const char *sha)
{
    if (sha == NULL || (strlen(sha) == 64 && strspn(sha, "0123456789abcdef") == 64))
        return true;
    http_reply_error_details(ctx, 422, "invalid_image", "name an uploaded image by its sha256",
                             json_pack("{s:s}", "field", member));
    return false;
}

/* Checks, encrypts and masks the NIP into p[3] (token) and p[4] (mask), for
 * row id p[1]. Returns 0, or replies and returns -1. */
static int protect_nip(http_ctx *ctx, const char *typed, const char **p)
{
    char nip[64], mask[32], *token = NULL;
    enum idnum_error e = IDNUM_ERR_LENGTH;
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    if (idnum_strip_separators(typed, nip, sizeof nip) == 0)
        e = idnum_nip_check(nip, tm.tm_year + 1900);
    if (e != IDNUM_OK) {
        http_reply_error_details(
            ctx, 422, "invalid_nip", idnum_error_message(e),
            json_pack("{s:s, s:s}", "reason", idnum_error_name(e), "field", "nip"));
        return -1;
    }
    if (idnum_mask_nip(nip, mask, sizeof mask) != 0 ||
        pii_encrypt(api_svc(ctx)->keys, "signatories", "nip", p[1], nip, strlen(nip), &token) !=
            0) {
        http_reply_error(ctx, 500, "internal_error", "could not protect the value");
        return -1;
    }
    p[3] = http_ctx_strndup(ctx, token, strlen(token));
    p[4] = http_ctx_strndup(ctx, mask, strlen(mask));
    sodium_memzero(nip, sizeof nip);
    free(token);
    return 0;
}

/* PUT /api/v1/signatory (the site default) and
 * /api/v1/programmes/{slug}/signatory (the programme's own) {organisation,
 * name, title, nip?, signature_image?, logo?}; audited. */
static void settings_put(http_ctx *ctx)
{
    json_t *body;
    const char *slug, *org, *name, *title, *nip = NULL, *signature = NULL, *logo = NULL;
    const char **p;

    if (!scope_of(ctx, &slug) || http_read_json(ctx, false, &body) != 0)
        return;
    if (http_unpack(ctx, body, "{s:s, s:s, s:s, s?s, s?s, s?s}", "organisation", &org, "name",
                    &name, "title", &title, "nip", &nip, "signature_image", &signature, "logo",
                    &logo) != 0)
        return;
    if (!text_ok(ctx, "organisation", org) || !text_ok(ctx, "name", name) ||
        !text_ok(ctx, "title", title) || !image_ok(ctx, "signature_image", signature) ||
        !image_ok(ctx, "logo", logo))
        return;
    p = http_ctx_alloc(ctx, 6 * sizeof *p);
    p[0] = slug;
    p[1] = new_id(ctx);
    p[5] = ctx->user.id;
    if (nip != NULL && nip[0] != '\0' && protect_nip(ctx, nip, p) != 0)
        return;
    json_object_del(body, "nip"); /* never stored in clear (frees nip: used above) */
    p[2] = api_json_text(ctx, body);
    http_db_query(ctx, &put_stmt, p, api_reply_status_body);
}

/* ---- images ---- */

typedef struct image_job {
    const unsigned char *data; /* the request body (borrowed) */
    size_t len;
    int width, height, bad;
    char sha256[65];
    const char *params[5];
    int lengths[5];
    int formats[5];
} image_job;

static const db_stmt image_add_stmt = {
    "cert_image_add", "select cert_image_add($1, $2::bytea, $3::int, $4::int, $5)", 5};

/* Worker: decode it (so it will draw) and hash it. */
static void image_check(void *arg)
{
    image_job *job = arg;

    job->bad = certpdf_png_check(job->data, job->len, &job->width, &job->height) != 0;
    if (!job->bad)
        api_sha256_hex(job->data, job->len, job->sha256);
}

static void image_store(http_ctx *ctx, void *arg)
{
    image_job *job = arg;

    if (job->bad) {
        http_reply_error(ctx, 415, "unsupported_file_type",
                         "a PNG of at most 512 KB and 4000 pixels a side");
        return;
    }
    job->params[0] = job->sha256;
    job->params[1] = (const char *)job->data;
    job->lengths[1] = (int)job->len;
    job->formats[1] = 1;
    job->params[2] = api_itoa(ctx, job->width);
    job->params[3] = api_itoa(ctx, job->height);
    job->params[4] = ctx->user.id;
    http_db_query_params(ctx, &image_add_stmt, job->params, job->lengths, job->formats,
                         api_reply_created_or_404);
}

/* POST /api/v1/certificate-images: a PNG (signature or logo) as the raw
 * body; 201 {sha256, width, height, url}. */
static void image_add(http_ctx *ctx)
{
    image_job *job = http_ctx_alloc(ctx, sizeof *job);

    job->data = http_body(ctx, &job->len);
    if (job->len == 0) {
        http_reply_error(ctx, 422, "empty_file", "the file is empty");
        return;
    }
    ctx->state = job;
    http_work(ctx, job, image_check, image_store);
}

static const db_stmt image_get_stmt = {
    "cert_image_get",
    "select sha256 || '.png', null, 'image/png', sha256, data from cert_images where sha256 = $1",
    1};

/* Printed on public certificates and never changed: anyone, for a year. */
static const api_file_opts image_serving = {true, "public, max-age=31536000, immutable"};

/* GET /certificate-images/{name}: name is <sha256>.png. */
static void image_get(http_ctx *ctx)
{
    const char *name = http_param(ctx, "name");
    const char **p = http_ctx_alloc(ctx, sizeof *p);
    size_t n = name != NULL ? strlen(name) : 0;

    if (n != 68 || strcmp(name + 64, ".png") != 0) {
        http_reply_error(ctx, 404, "not_found", "no such image");
        return;
    }
    p[0] = http_ctx_strndup(ctx, name, 64);
    api_file_get(ctx, &image_get_stmt, p, &image_serving);
}

/* The route table (server/api/routes/signatories.json, generated at build time). */
#include "routes/signatories.inc"
