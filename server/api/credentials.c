/* credentials.c — what anyone may read to check a certificate
 * (CERTIFICATES.md, API.md "Certificates"): the verify page at
 * /credentials/{id} (HTML in Indonesian or English, JSON, the JWT itself,
 * or the Data Integrity credential), the PDF (with the signatory the
 * certificate was issued with; signed once with the office's certificate
 * and stored, when one is configured), the yearly transcript's PDF,
 * /verify (the box that finds a certificate by the ID printed on it, and the
 * paste box) and POST /api/v1/verify, the
 * keys (/.well-known/jwks.json, /keys/{thumbprint}), the issuer profile and
 * the status list (/status/1).
 *
 * "Valid" is never taken from the database alone: every answer verifies the
 * stored token's signature against its published key (vccheck), and the
 * stored Data Integrity proof with the same key, and reads
 * the certificate's bit in the status list. Lookups that find nothing are
 * counted per client and refused with 429 past a budget, so ids cannot be
 * enumerated. Nothing here ever shows an e-mail, NIK or NIP. */
#include "sinau/api/certificates.h"
#include "sinau/api/common.h"
#include "sinau/api/routes.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sinau/api/services.h"
#include "sinau/cert/credpage.h"
#include "sinau/cert/diproof.h"
#include "sinau/cert/jws.h"
#include "sinau/cert/keys.h"
#include "sinau/cert/pdf.h"
#include "sinau/cert/pdfsign.h"
#include "sinau/cert/transcriptpdf.h"
#include "sinau/cert/vccheck.h"
#include "sinau/cert/verdicts.h"
#include "sinau/core/alloc.h"
#include "sinau/core/log.h"
#include "sinau/core/ratelimit.h"
#include "sinau/crypto/pii.h"
#include "sinau/http/ctx.h"
#include "sinau/http/dbroute.h"
#include "sinau/http/reply.h"

static const sinau_config *cfg_of(http_ctx *ctx)
{
    return api_svc(ctx)->cfg;
}

/* ---- the miss budget ---- */

/* A miss counts against the client (http_peer_key: an IPv4 address, an
 * IPv6 /64, which a subscriber usually holds whole). Every lookup counts as
 * a miss before it looks, and is forgiven (miss_forgiven()) when it finds the
 * certificate: lookups sent at once cannot all pass a check made before any
 * of them is counted (issue 14). False, having replied 429, past the
 * budget; else *ticket is what miss_forgiven() gives back. */
static bool miss_reserved(http_ctx *ctx, time_t *ticket)
{
    int wait = ratelimit_take(api_svc(ctx)->verify_misses, http_peer_key(ctx), time(NULL), ticket);

    if (wait > 0) {
        http_add_header(ctx, "Retry-After", api_itoa(ctx, wait));
        http_reply_error(ctx, 429, "too_many_misses", "too many unknown certificates; wait");
        return false;
    }
    return true;
}

/* The lookup reserved under ticket found its certificate: not a miss. */
static void miss_forgiven(http_ctx *ctx, time_t ticket)
{
    ratelimit_forgive(api_svc(ctx)->verify_misses, http_peer_key(ctx), ticket);
}

/* ctx->state of a /credentials/{id} lookup (not the PDF): the statement's
 * parameter and the reserved miss. */
typedef struct lookup {
    const char *params[1];
    time_t ticket;
} lookup;

/* ---- what the client wants ---- */

enum want { WANT_HTML, WANT_JSON, WANT_JWT, WANT_VC };

/* True when the Accept header lists the media type (parameters ignored). */
static bool accepts(const char *accept, const char *type)
{
    size_t n = strlen(type);

    for (const char *p = accept; p != NULL && *p != '\0'; p = strchr(p, ',')) {
        while (*p == ',' || *p == ' ')
            p++;
        if (strncasecmp(p, type, n) == 0 && strchr(",; ", p[n]) != NULL)
            return true;
    }
    return false;
}

static enum want wanted(http_ctx *ctx)
{
    const char *format = http_query(ctx, "format"), *accept = http_header(ctx, "Accept");

    if (format != NULL && strcmp(format, "jwt") == 0)
        return WANT_JWT;
    if (format != NULL && strcmp(format, "json") == 0)
        return WANT_JSON;
    if (format != NULL && strcmp(format, "vc") == 0)
        return WANT_VC;
    if (accept != NULL && strstr(accept, "application/vc+jwt") != NULL)
        return WANT_JWT;
    if (accept != NULL &&
        (accepts(accept, "application/vc+ld+json") || accepts(accept, "application/vc") ||
         accepts(accept, "application/ld+json")))
        return WANT_VC;
    if (accept != NULL && strstr(accept, "application/json") != NULL &&
        strstr(accept, "text/html") == NULL)
        return WANT_JSON;
    return WANT_HTML;
}

/* "en" when asked by ?lang=en or the web app's lang cookie, else "id". */
static const char *page_lang(http_ctx *ctx)
{
    const char *q = http_query(ctx, "lang"), *cookie = http_header(ctx, "Cookie");

    if (q != NULL)
        return strcmp(q, "en") == 0 ? "en" : "id";
    if (cookie != NULL &&
        (strncmp(cookie, "lang=en", 7) == 0 || strstr(cookie, " lang=en") != NULL))
        return "en";
    return "id";
}

static void reply_page(http_ctx *ctx, int status, char *html)
{
    http_add_header(ctx, "X-Robots-Tag", "noindex");
    if (html == NULL) {
        http_reply_error(ctx, 500, "internal_error", "the page could not be made");
        return;
    }
    http_reply_bytes(ctx, status, "text/html; charset=utf-8", html, strlen(html));
    free(html);
}

/* ---- /credentials/{id} ---- */

/* Columns of verify_row_stmt: cert_verify_row's, the Data Integrity form
 * among them. */
enum {
    V_TOKEN,
    V_PK,
    V_REVOKED_AT,
    V_HOLDER,
    V_PROGRAMME,
    V_COHORT,
    V_JP,
    V_STARTS,
    V_ENDS,
    V_ISSUED,
    V_BIT,
    V_DI,        /* the Data Integrity credential or null */
    V_SIGNATORY, /* the signatory row's id; null: the configured one */
    V_ORG,
    V_SIGNER,
    V_SIGNER_TITLE,
    V_SIGNER_NIP, /* encrypted */
    V_SIGNATURE,  /* sha256 of the image or null */
    V_LOGO,
};

static const db_stmt verify_row_stmt = {
    "cert_verify_row",
    "select v.token, v.public_key, v.revoked_at, v.holder_name, v.programme, v.cohort, v.jp,"
    " v.starts_on, v.ends_on, v.issued_at, v.status_bit, ce.credential_di, v.signatory_id,"
    " v.organisation, v.signatory_name, v.signatory_title, v.signatory_nip_enc, v.signature_sha,"
    " v.logo_sha from cert_verify_row($1) v join certificates ce on ce.id = $1",
    1};

/* The decrypted NIP of a signatory row (AAD signatories, nip, id) into
 * out[19]; "" when there is none or it does not decrypt. */
static void signatory_nip(const pii_keyring *keys, const char *id, const char *enc, char out[19])
{
    char *plain = NULL;
    size_t len = 0;

    out[0] = '\0';
    if (enc == NULL || pii_decrypt(keys, "signatories", "nip", id, enc, &plain, &len) != 0)
        return;
    if (len < 19) {
        memcpy(out, plain, len);
        out[len] = '\0';
    }
    sodium_memzero(plain, len);
    free(plain);
}

/* A certificate image's path on this origin, in ctx memory; NULL for none. */
static const char *image_path(http_ctx *ctx, PGresult *res, int col)
{
    char *path;

    if (PQgetisnull(res, 0, col))
        return NULL;
    path = http_ctx_alloc(ctx, 96);
    snprintf(path, 96, "/certificate-images/%s.png", PQgetvalue(res, 0, col));
    return path;
}

/* The verdict cache's key of a cert_verify_row row: the stored bytes the
 * verdict depends on. */
static void row_verdict_key(PGresult *res, const char *public_url, unsigned char key[VERDICTS_KEY])
{
    const char *parts[4] = {PQgetvalue(res, 0, V_TOKEN),
                            PQgetisnull(res, 0, V_DI) ? NULL : PQgetvalue(res, 0, V_DI),
                            PQgetvalue(res, 0, V_PK), public_url};

    verdict_key(key, parts, SINAU_ARRAY_LEN(parts));
}

/* Verifies the stored token against the key it names, and the stored Data
 * Integrity form with it; the verdict then takes the status bit from the
 * database's list. Owned result, or NULL. Any thread: the worker's. */
static vccheck_result *check_row(PGresult *res, const char *public_url)
{
    unsigned char pk[JWS_PK_BYTES];
    char thumb[JWS_THUMBPRINT], *kid;
    json_t *jwks;
    vccheck_result *v;

    if (sodium_hex2bin(pk, sizeof pk, PQgetvalue(res, 0, V_PK), (size_t)PQgetlength(res, 0, V_PK),
                       NULL, NULL, NULL) != 0)
        memset(pk, 0, sizeof pk);
    jws_thumbprint(pk, thumb);
    kid = certkey_kid(public_url, thumb);
    jwks = json_pack("{s:[o]}", "keys", jws_jwk(pk, kid));
    v = vccheck_run(PQgetvalue(res, 0, V_TOKEN), jwks, public_url, NULL);
    if (v != NULL)
        vccheck_add_data_integrity(v, PQgetisnull(res, 0, V_DI) ? NULL : PQgetvalue(res, 0, V_DI),
                                   pk, public_url);
    json_decref(jwks);
    free(kid);
    return v;
}

/* The status check, from the certificate's bit in the database's list (the
 * list /status/1 serves signed): reported in the place vccheck keeps for
 * it, instead of "not checked offline". */
static void status_from_db(vccheck_result *v, bool revoked)
{
    for (size_t i = 0; i < v->nchecks; i++) {
        if (strcmp(v->checks[i].name, "status") != 0)
            continue;
        v->checks[i].ok = !revoked;
        snprintf(v->checks[i].detail, sizeof v->checks[i].detail, "%s",
                 revoked ? "the bit in the revocation list is 1: revoked"
                         : "the bit in the revocation list is 0");
    }
    v->status = revoked ? VCCHECK_STATUS_REVOKED : VCCHECK_STATUS_VALID;
}

/* The page's facts from a cert_verify_row row: the verdict, what the
 * certificate says, and its signatory (the configured one for certificates
 * issued before signatories were kept). */
static credpage_facts facts_of(http_ctx *ctx, PGresult *res, vccheck_result *v, char nip[19])
{
    const sinau_config *cfg = cfg_of(ctx);
    bool own = !PQgetisnull(res, 0, V_SIGNATORY);
    credpage_facts f = {0};
    bool revoked =
        strcmp(PQgetvalue(res, 0, V_BIT), "1") == 0 || !PQgetisnull(res, 0, V_REVOKED_AT);

    status_from_db(v, revoked);

    f.status = !v->valid ? "invalid" : revoked ? "revoked" : "valid";
    f.holder_name = PQgetvalue(res, 0, V_HOLDER);
    f.programme = PQgetvalue(res, 0, V_PROGRAMME);
    f.cohort = PQgetvalue(res, 0, V_COHORT);
    f.jp = (int)strtol(PQgetvalue(res, 0, V_JP), NULL, 10);
    f.starts_on = PQgetvalue(res, 0, V_STARTS);
    f.ends_on = PQgetvalue(res, 0, V_ENDS);
    f.issued_at = PQgetvalue(res, 0, V_ISSUED);
    f.revoked_at = PQgetisnull(res, 0, V_REVOKED_AT) ? NULL : PQgetvalue(res, 0, V_REVOKED_AT);
    f.issuer = own ? PQgetvalue(res, 0, V_ORG) : cfg->issuer_name;
    f.checks = v;
    f.signatory_name = own ? PQgetvalue(res, 0, V_SIGNER) : cfg->signatory_name;
    f.signatory_title = own ? PQgetvalue(res, 0, V_SIGNER_TITLE) : cfg->signatory_title;
    if (own)
        signatory_nip(api_svc(ctx)->keys, PQgetvalue(res, 0, V_SIGNATORY),
                      PQgetisnull(res, 0, V_SIGNER_NIP) ? NULL : PQgetvalue(res, 0, V_SIGNER_NIP),
                      nip);
    f.signatory_nip = own && nip[0] != '\0' ? nip : NULL;
    f.signature_url = own ? image_path(ctx, res, V_SIGNATURE) : NULL;
    f.logo_url = own ? image_path(ctx, res, V_LOGO) : NULL;
    return f;
}

/* The page or JSON of a checked stored credential. Takes v. */
static void credential_checked_reply(http_ctx *ctx, PGresult *res, enum want want, const char *id,
                                     vccheck_result *v)
{
    credpage_facts f;
    char nip[19];

    if (v == NULL) {
        http_reply_error(ctx, 500, "internal_error", "the credential could not be checked");
        return;
    }
    f = facts_of(ctx, res, v, nip);
    f.id = id;
    f.public_url = cfg_of(ctx)->public_url;
    if (want == WANT_JSON)
        http_reply_json(ctx, 200, credpage_json(&f));
    else
        reply_page(ctx, 200, credpage_html(&f, page_lang(ctx)));
    vccheck_result_free(v);
}

/* A stored credential's check on the worker pool (a verdict-cache miss):
 * the row and what the check reads, never the request. */
typedef struct row_job {
    PGresult *row; /* cert_verify_row; owned */
    unsigned char key[VERDICTS_KEY];
    const char *public_url; /* the configuration's */
    verdict_cache *verdicts;
    vccheck_result *v; /* the worker's verdict; owned */
    enum want want;
    const char *id; /* ctx memory */
} row_job;

/* Worker: reads only the job. */
static void row_check(void *arg)
{
    row_job *job = arg;

    job->v = check_row(job->row, job->public_url);
    if (job->v != NULL)
        verdict_cache_put(job->verdicts, job->key, job->v);
}

static void row_checked(http_ctx *ctx, void *arg)
{
    row_job *job = arg;

    credential_checked_reply(ctx, job->row, job->want, job->id, job->v);
}

static void credential_found(http_ctx *ctx, db_result *r, enum want want, const char *id)
{
    row_job *job;
    vccheck_result *v;

    if (want == WANT_JWT) {
        http_reply_bytes(ctx, 200, "application/vc+jwt", PQgetvalue(r->res, 0, V_TOKEN),
                         (size_t)PQgetlength(r->res, 0, V_TOKEN));
        return;
    }
    job = http_ctx_alloc(ctx, sizeof *job);
    job->public_url = cfg_of(ctx)->public_url;
    job->verdicts = api_svc(ctx)->verdicts;
    job->want = want;
    job->id = id;
    row_verdict_key(r->res, job->public_url, job->key);
    v = verdict_cache_get(job->verdicts, job->key);
    if (v != NULL) { /* the same stored bytes were checked before */
        credential_checked_reply(ctx, r->res, want, id, v);
        return;
    }
    job->row = http_own_pgresult(ctx, db_result_take(r));
    http_work(ctx, job, row_check, row_checked);
}

static void credential_read(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    const char *id = http_param(ctx, "id");

    if (http_db_failed(ctx, r))
        return;
    if (PQntuples(r->res) == 1) {
        miss_forgiven(ctx, ((lookup *)ctx->state)->ticket);
        credential_found(ctx, r, wanted(ctx), id);
        return;
    }
    if (wanted(ctx) == WANT_HTML)
        reply_page(ctx, 404, credpage_not_found_html(id, page_lang(ctx)));
    else
        http_reply_error(ctx, 404, "not_found", "no such certificate");
}

/* ---- /credentials/{id} as a Data Integrity credential ---- */

static void vc_read(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    const char *id = http_param(ctx, "id");
    char disp[96];

    if (!http_db_found(ctx, r, "no such certificate"))
        return;
    miss_forgiven(ctx, ((lookup *)ctx->state)->ticket);
    if (PQgetisnull(r->res, 0, 0)) {
        http_add_header(ctx, "Retry-After", "5");
        http_reply_error(ctx, 503, "not_signed_yet", "the credential is being signed");
        return;
    }
    if (http_query(ctx, "download") != NULL) {
        snprintf(disp, sizeof disp, "attachment; filename=\"sertifikat-%.8s.json\"", id);
        http_add_header(ctx, "Content-Disposition", disp);
    }
    http_add_header(ctx, "X-Robots-Tag", "noindex");
    http_add_header(ctx, "Access-Control-Allow-Origin", "*");
    http_reply_bytes(ctx, 200, "application/vc+ld+json", PQgetvalue(r->res, 0, 0),
                     (size_t)PQgetlength(r->res, 0, 0));
}

static const db_stmt vc_stmt = {"cert_vc_row",
                                "select credential_di from certificates where id = $1", 1};

/* ---- /credentials/{id}.pdf ---- */

typedef struct pdf_job {
    PGresult *row;      /* the certificate's facts; owned by the request */
    unsigned char *pdf; /* malloc'd by the worker; owned by the request once done */
    size_t len;
    char url[600], short_id[16], printed_id[CERT_ID_PRINTED], nip[19];
    bool signed_pdf;  /* pdf carries the office's signature: store it */
    bool sign_failed; /* the signer (or its timestamp authority) failed */
    const char *lang; /* "id" or "en", chosen on the loop from the request */
    const char *id;   /* the certificate id (ctx memory) */
    const char *store[4];
    time_t ticket; /* the miss reserved for the lookup (miss_reserved) */
    /* what the worker reads besides the row: the server's, never the request's */
    const pii_keyring *keys;
    pdfsign_signer *signer;                                     /* NULL: PDFs unsigned */
    const char *issuer_name, *signatory_name, *signatory_title; /* the configured ones */
} pdf_job;

/* ---- the office's signature on the PDF (pdfsign.h): signed once on
 * the worker pool, stored, and every later fetch served from the store,
 * so that it is the same bytes every time ---- */

/* Worker: signs job->pdf in place when the office configured a signer. A
 * signer that fails leaves no PDF (an unsigned one must not pass for the
 * signed document). */
static void pdf_sign(pdf_job *job)
{
    pdfsign_signer *signer = job->signer;
    unsigned char *signed_pdf = NULL;
    size_t n = 0;
    char err[160];

    if (signer == NULL)
        return;
    if (pdfsign_sign(signer, job->pdf, job->len, time(NULL), job->lang, &signed_pdf, &n, err,
                     sizeof err) != 0) {
        log_warn("certificate PDF not signed: %s", err);
        n = 0;
    }
    free(job->pdf);
    job->pdf = signed_pdf;
    job->len = n;
    job->signed_pdf = signed_pdf != NULL;
    job->sign_failed = signed_pdf == NULL;
}

/* Replies with a PDF's bytes and the certificate PDF's headers. */
static void pdf_reply(http_ctx *ctx, const char *short_id, const unsigned char *pdf, size_t len)
{
    char disp[96];

    snprintf(disp, sizeof disp, "inline; filename=\"sertifikat-%s.pdf\"", short_id);
    http_add_header(ctx, "Content-Disposition", disp);
    http_add_header(ctx, "Cache-Control", "public, max-age=3600");
    http_add_header(ctx, "X-Robots-Tag", "noindex");
    http_reply_bytes(ctx, 200, "application/pdf", pdf, len);
}

/* A stored PDF's bytea (hex text) in column col: replies with it.
 * Returns false when there is none. */
static bool pdf_reply_stored(http_ctx *ctx, const char *short_id, db_result *r, int col)
{
    unsigned char *pdf;
    size_t len = 0;

    if (r->status != DB_OK || PQntuples(r->res) != 1 || PQgetisnull(r->res, 0, col))
        return false;
    pdf = PQunescapeBytea((const unsigned char *)PQgetvalue(r->res, 0, col), &len);
    if (pdf == NULL)
        return false;
    http_own_pqmem(ctx, pdf);
    pdf_reply(ctx, short_id, pdf, len);
    return true;
}

static const db_stmt pdf_stored_stmt = {
    "cert_pdf_stored", "select pdf from certificate_pdfs where certificate_id = $1 and lang = $2",
    2};

/* After storing: the stored PDF (ours, or one stored first by a racing
 * request) is the answer. */
static void pdf_after_store(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    pdf_job *job = ctx->state;

    if (!pdf_reply_stored(ctx, job->short_id, r, 0))
        http_reply_error(ctx, 500, "internal_error", "the signed certificate was not stored");
}

static void pdf_stored_race(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    pdf_job *job = ctx->state;

    if (r->status == DB_OK && PQntuples(r->res) == 1 && !PQgetisnull(r->res, 0, 0)) {
        pdf_after_store(arg, r);
        return;
    }
    http_db_query(ctx, &pdf_stored_stmt, job->store, pdf_after_store);
}

static const db_stmt pdf_store_stmt = {
    "cert_pdf_store",
    "insert into certificate_pdfs (certificate_id, lang, pdf, signer)"
    " values ($1, $2, decode($3, 'hex'), $4) on conflict do nothing returning pdf",
    4};

/* Stores the freshly signed PDF. */
static void pdf_store(http_ctx *ctx, pdf_job *job)
{
    char *hex = http_own_buf(ctx, xmalloc(2 * job->len + 1));

    sodium_bin2hex(hex, 2 * job->len + 1, job->pdf, job->len);
    job->store[0] = job->id;
    job->store[1] = job->lang;
    job->store[2] = hex;
    job->store[3] = pdfsign_signer_name(job->signer);
    http_db_query(ctx, &pdf_store_stmt, job->store, pdf_stored_race);
}

/* Columns of pdf_stmt after the certificate's own seven. */
enum { P_SIGNATORY = 7, P_ORG, P_SIGNER, P_SIGNER_TITLE, P_SIGNER_NIP, P_SIGNATURE, P_LOGO };

/* A bytea column's bytes (PQfreemem) or NULL with *len 0. */
static unsigned char *bytea_of(PGresult *row, int col, size_t *len)
{
    *len = 0;
    return PQgetisnull(row, 0, col)
               ? NULL
               : PQunescapeBytea((const unsigned char *)PQgetvalue(row, 0, col), len);
}

/* Worker: the signatory's images and NIP, then the PDF. */
static void pdf_render(void *arg)
{
    pdf_job *job = arg; /* the job only: nothing of the request */
    bool own = !PQgetisnull(job->row, 0, P_SIGNATORY);
    size_t sig_len, logo_len;
    unsigned char *sig = bytea_of(job->row, P_SIGNATURE, &sig_len);
    unsigned char *logo = bytea_of(job->row, P_LOGO, &logo_len);

    if (own)
        signatory_nip(
            job->keys, PQgetvalue(job->row, 0, P_SIGNATORY),
            PQgetisnull(job->row, 0, P_SIGNER_NIP) ? NULL : PQgetvalue(job->row, 0, P_SIGNER_NIP),
            job->nip);
    certpdf_fields f = {
        .lang = job->lang,
        .holder_name = PQgetvalue(job->row, 0, 0),
        .programme = PQgetvalue(job->row, 0, 1),
        .cohort = PQgetvalue(job->row, 0, 2),
        .starts_on = PQgetvalue(job->row, 0, 3),
        .ends_on = PQgetvalue(job->row, 0, 4),
        .jp = (int)strtol(PQgetvalue(job->row, 0, 5), NULL, 10),
        .issued_at = PQgetvalue(job->row, 0, 6),
        .issuer_name = own ? PQgetvalue(job->row, 0, P_ORG) : job->issuer_name,
        .signatory_name = own ? PQgetvalue(job->row, 0, P_SIGNER) : job->signatory_name,
        .signatory_title = own ? PQgetvalue(job->row, 0, P_SIGNER_TITLE) : job->signatory_title,
        .signatory_nip = own ? job->nip : NULL,
        .signature_png = sig,
        .signature_png_len = sig_len,
        .logo_png = logo,
        .logo_png_len = logo_len,
        .short_id = job->printed_id,
        .url = job->url,
    };

    if (certpdf_render(&f, &job->pdf, &job->len) != 0)
        job->pdf = NULL;
    else
        pdf_sign(job);
    PQfreemem(sig);
    PQfreemem(logo);
    sodium_memzero(job->nip, sizeof job->nip);
}
static void pdf_send(http_ctx *ctx, void *arg)
{
    pdf_job *job = arg;

    http_own_buf(ctx, job->pdf);
    if (job->sign_failed) {
        http_add_header(ctx, "Retry-After", "30");
        http_reply_error(ctx, 503, "pdf_signing_failed",
                         "the certificate could not be signed now; try again shortly");
        return;
    }
    if (job->pdf == NULL) {
        http_reply_error(ctx, 500, "internal_error", "the certificate could not be drawn");
        return;
    }
    if (job->signed_pdf) {
        pdf_store(ctx, job);
        return;
    }
    pdf_reply(ctx, job->short_id, job->pdf, job->len);
}

/* False (having replied) on a database error or when no certificate came
 * back (a miss: reserved before the lookup, it stays counted). */
static bool pdf_row_found(http_ctx *ctx, db_result *r)
{
    if (r->status != DB_OK) {
        http_reply_db_error(ctx, r);
        return false;
    }
    if (PQntuples(r->res) != 1) {
        http_reply_error(ctx, 404, "not_found", "no such certificate");
        return false;
    }
    return true;
}

static void pdf_read(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    pdf_job *job = ctx->state;

    if (!pdf_row_found(ctx, r))
        return;
    job->row = http_own_pgresult(ctx, db_result_take(r));
    http_work(ctx, job, pdf_render, pdf_send);
}

static const db_stmt pdf_stmt = {
    "cert_pdf_row",
    "select ce.holder_name, ce.programme_title, ce.cohort_name, ce.starts_on, ce.ends_on, ce.jp,"
    " to_char(ce.issued_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    " sg.id, sg.organisation, sg.name, sg.title, sg.nip_enc, si.data, lo.data"
    " from certificates ce left join signatories sg on sg.id = ce.signatory_id"
    " left join cert_images si on si.sha256 = sg.signature_sha"
    " left join cert_images lo on lo.sha256 = sg.logo_sha"
    " where ce.id = $1",
    1};

/* ---- the yearly transcript's PDF (transcriptpdf.h) ---- */

/* Columns of pdf_head_stmt. */
enum { H_KIND, H_PDF, H_YEAR, H_ITEMS, H_HOLDER, H_JP, H_ISSUED };

static const db_stmt pdf_head_stmt = {
    "cert_pdf_head",
    "select ce.kind, sp.pdf, ce.year, ce.transcript_items, ce.holder_name, ce.jp,"
    " to_char(ce.issued_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    " from certificates ce left join certificate_pdfs sp"
    " on sp.certificate_id = ce.id and sp.lang = $2 where ce.id = $1",
    2};

/* Worker: draws the transcript of job->row (a pdf_head_stmt row), then
 * signs it like a certificate. */
static void transcript_render(void *arg)
{
    pdf_job *job = arg; /* the job only: nothing of the request */
    json_t *items = json_loads(PQgetvalue(job->row, 0, H_ITEMS), 0, NULL), *it;
    size_t n = json_array_size(items), i;
    transcriptpdf_item *rows = xcalloc(n + 1, sizeof *rows);
    char(*ids)[CERT_ID_PRINTED] = xcalloc(n + 1, sizeof *ids);
    transcriptpdf_fields f = {
        .lang = job->lang,
        .issuer_name = job->issuer_name,
        .holder_name = PQgetvalue(job->row, 0, H_HOLDER),
        .year = (int)strtol(PQgetvalue(job->row, 0, H_YEAR), NULL, 10),
        .total_jp = (int)strtol(PQgetvalue(job->row, 0, H_JP), NULL, 10),
        .issued_at = PQgetvalue(job->row, 0, H_ISSUED),
        .short_id = job->printed_id,
        .url = job->url,
        .items = rows,
        .nitems = n,
    };

    json_array_foreach (items, i, it) {
        const char *cid = json_string_value(json_object_get(it, "id"));
        certkey_cid_printed(cid != NULL ? cid : "", ids[i]); /* as /verify finds it */
        rows[i] = (transcriptpdf_item){json_string_value(json_object_get(it, "programme")),
                                       json_string_value(json_object_get(it, "cohort")),
                                       json_string_value(json_object_get(it, "starts_on")),
                                       json_string_value(json_object_get(it, "ends_on")),
                                       ids[i],
                                       (int)json_integer_value(json_object_get(it, "jp"))};
    }
    if (items == NULL || transcriptpdf_render(&f, &job->pdf, &job->len) != 0)
        job->pdf = NULL;
    else
        pdf_sign(job);
    json_decref(items);
    free(rows);
    free(ids);
}

/* The stored signed PDF if there is one, else what draws it: the
 * transcript here, a certificate by pdf_stmt. */
static void pdf_lookup(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    pdf_job *job = ctx->state;

    if (!pdf_row_found(ctx, r))
        return;
    miss_forgiven(ctx, job->ticket);
    if (pdf_reply_stored(ctx, job->short_id, r, H_PDF))
        return;
    if (strcmp(PQgetvalue(r->res, 0, H_KIND), "transcript") != 0) {
        http_db_read(ctx, &pdf_stmt, job->store, pdf_read);
        return;
    }
    job->row = http_own_pgresult(ctx, db_result_take(r));
    http_work(ctx, job, transcript_render, pdf_send);
}

static void pdf_get(http_ctx *ctx, const char *id, time_t ticket)
{
    pdf_job *job = http_ctx_alloc(ctx, sizeof *job);

    job->ticket = ticket;
    snprintf(job->url, sizeof job->url, "%s/credentials/%s", cfg_of(ctx)->public_url, id);
    snprintf(job->short_id, sizeof job->short_id, "%.4s-%.4s", id, id + 4);
    job->id = id;
    job->lang = page_lang(ctx);
    job->keys = api_svc(ctx)->keys;
    job->signer = api_svc(ctx)->pdf_signer;
    job->issuer_name = cfg_of(ctx)->issuer_name;
    job->signatory_name = cfg_of(ctx)->signatory_name;
    job->signatory_title = cfg_of(ctx)->signatory_title;
    job->store[0] = id;
    job->store[1] = job->lang;
    certkey_cid_printed(id, job->printed_id);
    ctx->state = job;
    http_db_read(ctx, &pdf_head_stmt, job->store, pdf_lookup);
}

/* A certificate id: 26 lower-case Crockford base32 characters. */
static bool cid_ok(const char *s, size_t n)
{
    if (n != CERT_ID_CHARS)
        return false;
    for (size_t i = 0; i < n; i++)
        if (strchr("0123456789abcdefghjkmnpqrstvwxyz", s[i]) == NULL || s[i] == '\0')
            return false;
    return true;
}

/* GET /credentials/{id} and /credentials/{id}.pdf */
static void credential(http_ctx *ctx)
{
    const char *id = http_param(ctx, "id");
    size_t n = id != NULL ? strlen(id) : 0;
    bool pdf = n > 4 && strcmp(id + n - 4, ".pdf") == 0;
    lookup *l;
    time_t ticket;

    if (!miss_reserved(ctx, &ticket))
        return;
    if (!cid_ok(id, pdf ? n - 4 : n)) {
        if (wanted(ctx) == WANT_HTML && !pdf)
            reply_page(ctx, 404, credpage_not_found_html(NULL, page_lang(ctx)));
        else
            http_reply_error(ctx, 404, "not_found", "no such certificate");
        return;
    }
    if (pdf) {
        pdf_get(ctx, http_ctx_strndup(ctx, id, n - 4), ticket);
        return;
    }
    l = http_ctx_alloc(ctx, sizeof *l);
    l->params[0] = id;
    l->ticket = ticket;
    ctx->state = l;
    if (wanted(ctx) == WANT_VC) {
        http_db_read(ctx, &vc_stmt, l->params, vc_read);
        return;
    }
    http_db_read(ctx, &verify_row_stmt, l->params, credential_read);
}

/* ---- checking a pasted token: POST /api/v1/verify and the /verify page ---- */

static const db_stmt keys_stmt = {
    "cert_keys",
    "select coalesce((select json_agg(json_build_array(thumbprint, encode(public_key, 'hex'))"
    " order by created_at) from signing_keys), '[]'),"
    " (select token from status_lists where id = 1)",
    0};

/* {"keys": [every JWK]} from the first column of keys_stmt. Owned. */
static json_t *jwks_of(const sinau_config *cfg, PGresult *res)
{
    json_t *rows = json_loads(PQgetvalue(res, 0, 0), 0, NULL), *keys = json_array(), *row;
    size_t i;

    json_array_foreach (rows, i, row) {
        unsigned char pk[JWS_PK_BYTES];
        const char *hex = json_string_value(json_array_get(row, 1));
        char *kid = certkey_kid(cfg->public_url, json_string_value(json_array_get(row, 0)));
        if (hex != NULL && kid != NULL &&
            sodium_hex2bin(pk, sizeof pk, hex, strlen(hex), NULL, NULL, NULL) == 0)
            json_array_append_new(keys, jws_jwk(pk, kid));
        free(kid);
    }
    json_decref(rows);
    return json_pack("{s:o}", "keys", keys);
}

/* A pasted token's check: everything the worker reads, copied out of the
 * request and the key read (vccheck_run takes up to JWS_MAX_TOKEN bytes of
 * attacker-supplied text and a status list up to STATUSLIST_MAX_BYTES:
 * never on the loop, vccheck.h). */
typedef struct paste_job {
    const char *token;      /* the body, trimmed (ctx memory) */
    bool html;              /* the /verify page: answer with the page */
    json_t *jwks;           /* every key; owned until the worker is done */
    const char *status;     /* the status list's token (ctx memory) or NULL */
    const char *public_url; /* the configuration's (lives as long as the server) */
    vccheck_result *v;      /* the worker's verdict; owned */
} paste_job;

/* Worker: reads only the job. */
static void paste_check(void *arg)
{
    paste_job *job = arg;

    job->v = vccheck_run(job->token, job->jwks, job->public_url, job->status);
}

static void paste_checked(http_ctx *ctx, void *arg)
{
    paste_job *job = arg;
    vccheck_result *v = job->v;

    if (v == NULL) {
        http_reply_error(ctx, 500, "internal_error", "the token could not be checked");
        return;
    }
    if (job->html)
        reply_page(ctx, 200, credpage_pasted_html(v, page_lang(ctx), job->public_url));
    else
        http_reply_json(ctx, 200, vccheck_result_json(v));
    vccheck_result_free(v);
}

static void pasted_keys(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    paste_job *job = ctx->state;
    const char *status;

    if (r->status != DB_OK || PQntuples(r->res) != 1) {
        http_reply_db_error(ctx, r);
        return;
    }
    job->jwks = http_own_json(ctx, jwks_of(cfg_of(ctx), r->res));
    status = PQgetisnull(r->res, 0, 1) ? NULL : PQgetvalue(r->res, 0, 1);
    job->status = status != NULL ? http_ctx_strndup(ctx, status, strlen(status)) : NULL;
    http_work(ctx, job, paste_check, paste_checked);
}

/* The body's text without surrounding blanks, in ctx memory. */
static const char *trimmed_body(http_ctx *ctx)
{
    size_t n;
    const char *b = (const char *)http_body(ctx, &n);

    while (n > 0 && (*b == ' ' || *b == '\n' || *b == '\r' || *b == '\t')) {
        b++;
        n--;
    }
    while (n > 0 && (b[n - 1] == ' ' || b[n - 1] == '\n' || b[n - 1] == '\r' || b[n - 1] == '\t'))
        n--;
    return http_ctx_strndup(ctx, b, n);
}

static void check_pasted(http_ctx *ctx, const char *token, bool html)
{
    paste_job *job = http_ctx_alloc(ctx, sizeof *job);

    job->token = token;
    job->html = html;
    job->public_url = cfg_of(ctx)->public_url;
    ctx->state = job;
    http_db_read(ctx, &keys_stmt, NULL, pasted_keys);
}

/* POST /api/v1/verify (body: a credential JWT as text) */
static void verify_api(http_ctx *ctx)
{
    check_pasted(ctx, trimmed_body(ctx), false);
}

/* Sends the visitor to the page of certificate cid (303). */
static void redirect_to(http_ctx *ctx, const char *cid)
{
    char *where = http_ctx_alloc(ctx, 64);

    snprintf(where, 64, "/credentials/%s?lang=%s", cid, page_lang(ctx));
    http_add_header(ctx, "Location", where);
    http_reply_empty(ctx, 303);
}

/* GET /verify: the box that finds a certificate by the ID printed on it
 * (?id=, typed by hand: sent on to /credentials/<id>, which says whether it
 * exists) and the paste box. A malformed ID counts as a miss. */
static void verify_page(http_ctx *ctx)
{
    const char *typed = http_query(ctx, "id");
    char cid[CERT_ID_CHARS + 1];
    time_t ticket;

    if (typed == NULL || typed[strspn(typed, " ")] == '\0') {
        reply_page(ctx, 200, credpage_paste_html(page_lang(ctx), false));
        return;
    }
    if (!miss_reserved(ctx, &ticket))
        return;
    if (certkey_cid_parse(typed, cid)) {
        miss_forgiven(ctx, ticket); /* well formed: /credentials/{id} counts the lookup */
        redirect_to(ctx, cid);
        return;
    }
    reply_page(ctx, 422, credpage_paste_html(page_lang(ctx), true));
}

/* POST /verify (form: token=…): the paste box's answer, as a page. */
static void verify_form(http_ctx *ctx)
{
    const char *form = trimmed_body(ctx);
    const char *token = http_form_value(ctx, form, strlen(form), "token");
    char cid[CERT_ID_CHARS + 1];

    if (token == NULL) {
        http_reply_error(ctx, 422, "invalid_form", "paste the certificate's token");
        return;
    }
    while (*token == ' ' || *token == '\n' || *token == '\r')
        token++;
    if (certkey_cid_parse(token, cid)) {
        redirect_to(ctx, cid); /* an ID or a link pasted where a token goes: its page */
        return;
    }
    check_pasted(ctx, token, true);
}

/* ---- keys, issuer, status list ---- */

/* The issuer's public documents (its keys, its profile, the status list):
 * anyone may read them, from any origin, and cache them for five minutes. */
static void public_document(http_ctx *ctx)
{
    http_add_header(ctx, "Cache-Control", "public, max-age=300");
    http_add_header(ctx, "Access-Control-Allow-Origin", "*");
}

static void jwks_read(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    const char *thumb = http_param(ctx, "kid");
    json_t *jwks, *key = NULL, *k;
    size_t i;

    if (r->status != DB_OK || PQntuples(r->res) != 1) {
        http_reply_db_error(ctx, r);
        return;
    }
    jwks = jwks_of(cfg_of(ctx), r->res);
    public_document(ctx);
    if (thumb == NULL) {
        http_reply_json(ctx, 200, jwks);
        return;
    }
    json_array_foreach (json_object_get(jwks, "keys"), i, k) {
        const char *kid = json_string_value(json_object_get(k, "kid"));
        const char *slash = kid != NULL ? strrchr(kid, '/') : NULL;
        if (slash != NULL && strcmp(slash + 1, thumb) == 0)
            key = json_incref(k);
    }
    json_decref(jwks);
    if (key == NULL) {
        http_reply_error(ctx, 404, "not_found", "no such key");
        return;
    }
    char *text = json_dumps(key, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(key);
    http_reply_bytes(ctx, 200, "application/jwk+json", text, strlen(text));
    free(text);
}

/* GET /.well-known/jwks.json and GET /keys/{kid} */
static void jwks(http_ctx *ctx)
{
    http_db_read(ctx, &keys_stmt, NULL, jwks_read);
}

/* The public key of a keys_stmt row. */
static int row_key(json_t *row, unsigned char pk[JWS_PK_BYTES])
{
    const char *hex = json_string_value(json_array_get(row, 1));

    return hex != NULL && sodium_hex2bin(pk, JWS_PK_BYTES, hex, strlen(hex), NULL, NULL, NULL) == 0
               ? 0
               : -1;
}

/* The issuer's Open Badges profile, also the controller document of its
 * keys: assertionMethod lists the Multikey verification method of every
 * key ever used (defined by an inline context term: neither bundled
 * context has it). */
static void issuer_read(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    const sinau_config *cfg = cfg_of(ctx);
    json_t *rows, *row, *methods = json_array();
    char id[600];
    size_t i;

    if (r->status != DB_OK || PQntuples(r->res) != 1) {
        json_decref(methods);
        http_reply_db_error(ctx, r);
        return;
    }
    rows = json_loads(PQgetvalue(r->res, 0, 0), 0, NULL);
    json_array_foreach (rows, i, row) {
        char *vm = diproof_vm_url(cfg->public_url, json_string_value(json_array_get(row, 0)));
        json_array_append_new(methods, json_string(vm));
        free(vm);
    }
    json_decref(rows);
    snprintf(id, sizeof id, "%s/issuer", cfg->public_url);
    public_document(ctx);
    http_reply_json(ctx, 200,
                    json_pack("{s:[s,s,{s:{s:s, s:s, s:s}}], s:s, s:[s], s:s, s:s, s:o}",
                              "@context", "https://www.w3.org/ns/credentials/v2",
                              "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                              "assertionMethod", "@id", "https://w3id.org/security#assertionMethod",
                              "@type", "@id", "@container", "@set", "id", id, "type", "Profile",
                              "name", cfg->issuer_name, "url", cfg->public_url, "assertionMethod",
                              methods));
}

/* GET /issuer */
static void issuer(http_ctx *ctx)
{
    http_db_read(ctx, &keys_stmt, NULL, issuer_read);
}

static void multikey_read(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    const char *thumb = http_param(ctx, "kid");
    json_t *rows, *row, *doc = NULL;
    unsigned char pk[JWS_PK_BYTES];
    size_t i;
    char *text;

    if (r->status != DB_OK || PQntuples(r->res) != 1) {
        http_reply_db_error(ctx, r);
        return;
    }
    rows = json_loads(PQgetvalue(r->res, 0, 0), 0, NULL);
    json_array_foreach (rows, i, row) {
        if (doc == NULL && thumb != NULL &&
            strcmp(json_string_value(json_array_get(row, 0)), thumb) == 0 && row_key(row, pk) == 0)
            doc = diproof_vm_doc(cfg_of(ctx)->public_url, pk);
    }
    json_decref(rows);
    if (doc == NULL) {
        http_reply_error(ctx, 404, "not_found", "no such key");
        return;
    }
    text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(doc);
    public_document(ctx);
    http_reply_bytes(ctx, 200, "application/ld+json", text, strlen(text));
    free(text);
}

/* GET /keys/{kid}/multikey: the key as a Multikey verification method. */
static void multikey(http_ctx *ctx)
{
    http_db_read(ctx, &keys_stmt, NULL, multikey_read);
}

static const db_stmt status_stmt = {
    "cert_status_get",
    "select token, token is null or credential_di is null or token_version < version,"
    " credential_di from status_lists where id = 1",
    0};

static void status_serve(http_ctx *ctx);

/* ctx->state of a /status/1 request. */
typedef struct status_state {
    bool resigned; /* this request re-signed the list already (once per request) */
} status_state;

static void status_read(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    status_state *st = ctx->state;
    bool stale;
    int col;

    if (r->status != DB_OK || PQntuples(r->res) != 1) {
        http_reply_db_error(ctx, r);
        return;
    }
    stale = strcmp(PQgetvalue(r->res, 0, 1), "t") == 0;
    if (stale && !st->resigned) {
        st->resigned = true;
        certificates_status_resign(ctx, status_serve);
        return;
    }
    col = wanted(ctx) == WANT_VC ? 2 : 0;
    if (PQgetisnull(r->res, 0, col)) {
        http_add_header(ctx, "Retry-After", "5");
        http_reply_error(ctx, 503, "status_list_unsigned", "the status list is being signed");
        return;
    }
    public_document(ctx);
    http_reply_bytes(ctx, 200, col == 2 ? "application/vc+ld+json" : "application/vc+jwt",
                     PQgetvalue(r->res, 0, col), (size_t)PQgetlength(r->res, 0, col));
}

/* A standby may serve the list (revocations reach it within the read
 * pool's staleness bound); right after this request re-signed it, the
 * primary does, so that the new token is what comes back. */
static void status_serve(http_ctx *ctx)
{
    const status_state *st = ctx->state;

    if (st->resigned)
        http_db_query(ctx, &status_stmt, NULL, status_read);
    else
        http_db_read(ctx, &status_stmt, NULL, status_read);
}

/* GET /status/{n}: the signed revocation list (only list 1 exists). */
static void status_list(http_ctx *ctx)
{
    const char *n = http_param(ctx, "n");

    if (n == NULL || strcmp(n, "1") != 0) {
        http_reply_error(ctx, 404, "not_found", "no such status list");
        return;
    }
    ctx->state = http_ctx_alloc(ctx, sizeof(status_state));
    status_serve(ctx);
}

/* The route table (server/api/routes/credentials.json, generated at build time). */
#include "routes/credentials.inc"
