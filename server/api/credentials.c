/* credentials.c — what anyone may read to check a certificate
 * (CERTIFICATES.md, API.md "Certificates"): the verify page at
 * /credentials/{id} (HTML in Indonesian or English, JSON, or the JWT
 * itself), the PDF, the paste box (/verify) and POST /api/v1/verify, the
 * keys (/.well-known/jwks.json, /keys/{thumbprint}), the issuer profile and
 * the status list (/status/1).
 *
 * "Valid" is never taken from the database alone: every answer verifies the
 * stored token's signature against its published key (vccheck) and reads
 * the certificate's bit in the status list. Lookups that find nothing are
 * counted per client and refused with 429 past a budget, so ids cannot be
 * enumerated. Nothing here ever shows an e-mail, NIK or NIP. */
#include "sinau/api.h"

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include "sinau/certkeys.h"
#include "sinau/certpdf.h"
#include "sinau/credpage.h"
#include "sinau/http.h"
#include "sinau/jws.h"
#include "sinau/ratelimit.h"
#include "sinau/server.h"
#include "sinau/vccheck.h"

static const sinau_config *cfg_of(http_ctx *ctx)
{
    return ctx->loop->server->cfg;
}

/* ---- the miss budget ---- */

/* A miss counts against the client (http_peer_key: an IPv4 address, an
 * IPv6 /64, which a subscriber usually holds whole). */
static bool over_budget(http_ctx *ctx)
{
    int wait = ratelimit_check(ctx->loop->server->verify_misses, http_peer_key(ctx), time(NULL));

    if (wait > 0) {
        http_add_header(ctx, "Retry-After", api_itoa(ctx, wait));
        http_reply_error(ctx, 429, "too_many_misses", "too many unknown certificates; wait");
        return true;
    }
    return false;
}

static void count_miss(http_ctx *ctx)
{
    ratelimit_miss(ctx->loop->server->verify_misses, http_peer_key(ctx), time(NULL));
}

/* ---- what the client wants ---- */

enum want { WANT_HTML, WANT_JSON, WANT_JWT };

static enum want wanted(http_ctx *ctx)
{
    const char *format = http_query(ctx, "format"), *accept = http_header(ctx, "Accept");

    if (format != NULL && strcmp(format, "jwt") == 0)
        return WANT_JWT;
    if (format != NULL && strcmp(format, "json") == 0)
        return WANT_JSON;
    if (accept != NULL && strstr(accept, "application/vc+jwt") != NULL)
        return WANT_JWT;
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

/* Columns of cert_verify_row. */
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
    V_BIT
};

static const db_stmt verify_row_stmt = {
    "cert_verify_row",
    "select token, public_key, revoked_at, holder_name, programme, cohort, jp, starts_on,"
    " ends_on, issued_at, status_bit from cert_verify_row($1)",
    1};

/* Verifies the stored token against the key it names; the verdict then
 * takes the status bit from the database's list. Owned result. */
static vccheck_result *check_row(http_ctx *ctx, PGresult *res)
{
    unsigned char pk[JWS_PK_BYTES];
    char thumb[JWS_THUMBPRINT], *kid;
    json_t *jwks;
    vccheck_result *v;

    if (sodium_hex2bin(pk, sizeof pk, PQgetvalue(res, 0, V_PK), (size_t)PQgetlength(res, 0, V_PK),
                       NULL, NULL, NULL) != 0)
        memset(pk, 0, sizeof pk);
    jws_thumbprint(pk, thumb);
    kid = certkey_kid(cfg_of(ctx)->public_url, thumb);
    jwks = json_pack("{s:[o]}", "keys", jws_jwk(pk, kid));
    v = vccheck_run(PQgetvalue(res, 0, V_TOKEN), jwks, cfg_of(ctx)->public_url, NULL);
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

static credpage_facts facts_of(PGresult *res, vccheck_result *v, const sinau_config *cfg)
{
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
    f.issuer = cfg->issuer_name;
    f.checks = v;
    return f;
}

static void credential_found(http_ctx *ctx, PGresult *res, enum want want, const char *id)
{
    vccheck_result *v;
    credpage_facts f;

    if (want == WANT_JWT) {
        http_reply_bytes(ctx, 200, "application/vc+jwt", PQgetvalue(res, 0, V_TOKEN),
                         (size_t)PQgetlength(res, 0, V_TOKEN));
        return;
    }
    v = check_row(ctx, res);
    if (v == NULL) {
        http_reply_error(ctx, 500, "internal_error", "the credential could not be checked");
        return;
    }
    f = facts_of(res, v, cfg_of(ctx));
    f.id = id;
    f.public_url = cfg_of(ctx)->public_url;
    if (want == WANT_JSON)
        http_reply_json(ctx, 200, credpage_json(&f));
    else
        reply_page(ctx, 200, credpage_html(&f, page_lang(ctx)));
    vccheck_result_free(v);
}

static void credential_read(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    const char *id = http_param(ctx, "id");

    if (r->status != DB_OK) {
        http_reply_db_error(ctx, r);
        return;
    }
    if (PQntuples(r->res) == 1) {
        credential_found(ctx, r->res, wanted(ctx), id);
        return;
    }
    count_miss(ctx);
    if (wanted(ctx) == WANT_HTML)
        reply_page(ctx, 404, credpage_not_found_html(id, page_lang(ctx)));
    else
        http_reply_error(ctx, 404, "not_found", "no such certificate");
}

/* ---- /credentials/{id}.pdf ---- */

typedef struct pdf_job {
    PGresult *row; /* the certificate's facts; owned */
    unsigned char *pdf;
    size_t len;
    char url[600], short_id[16];
} pdf_job;

static void pdf_render(void *arg)
{
    http_ctx *ctx = arg;
    pdf_job *job = ctx->state;
    const sinau_config *cfg = cfg_of(ctx);
    certpdf_fields f = {
        .lang = page_lang(ctx),
        .holder_name = PQgetvalue(job->row, 0, 0),
        .programme = PQgetvalue(job->row, 0, 1),
        .cohort = PQgetvalue(job->row, 0, 2),
        .starts_on = PQgetvalue(job->row, 0, 3),
        .ends_on = PQgetvalue(job->row, 0, 4),
        .jp = (int)strtol(PQgetvalue(job->row, 0, 5), NULL, 10),
        .issued_at = PQgetvalue(job->row, 0, 6),
        .issuer_name = cfg->issuer_name,
        .signatory_name = cfg->signatory_name,
        .signatory_title = cfg->signatory_title,
        .short_id = job->short_id,
        .url = job->url,
    };

    if (certpdf_render(&f, &job->pdf, &job->len) != 0)
        job->pdf = NULL;
}

static void pdf_send(void *arg)
{
    http_ctx *ctx = arg;
    pdf_job *job = ctx->state;
    unsigned char *pdf;
    char disp[96];

    PQclear(job->row);
    if (job->pdf == NULL) {
        http_reply_error(ctx, 500, "internal_error", "the certificate could not be drawn");
        return;
    }
    snprintf(disp, sizeof disp, "inline; filename=\"sertifikat-%s.pdf\"", job->short_id);
    http_add_header(ctx, "Content-Disposition", disp);
    http_add_header(ctx, "Cache-Control", "public, max-age=3600");
    http_add_header(ctx, "X-Robots-Tag", "noindex");
    pdf = job->pdf; /* the reply frees job (ctx memory) */
    http_reply_bytes(ctx, 200, "application/pdf", pdf, job->len);
    free(pdf);
}

static void pdf_read(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    pdf_job *job = ctx->state;
    PGresult *row;

    if (r->status != DB_OK) {
        http_reply_db_error(ctx, r);
        return;
    }
    if (PQntuples(r->res) != 1) {
        count_miss(ctx);
        http_reply_error(ctx, 404, "not_found", "no such certificate");
        return;
    }
    row = db_result_take(r);
    job->row = row;
    if (http_work(ctx, pdf_render, pdf_send) != 0) {
        PQclear(row); /* the refusal replied, which freed job */
        return;
    }
}

static const db_stmt pdf_stmt = {
    "cert_pdf_row",
    "select ce.holder_name, ce.programme_title, ce.cohort_name, ce.starts_on, ce.ends_on, ce.jp,"
    " to_char(ce.issued_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    " from certificates ce where ce.id = $1",
    1};

static void pdf_get(http_ctx *ctx, const char *id)
{
    pdf_job *job = http_ctx_alloc(ctx, sizeof *job);
    const char **p = http_ctx_alloc(ctx, sizeof *p);

    snprintf(job->url, sizeof job->url, "%s/credentials/%s", cfg_of(ctx)->public_url, id);
    snprintf(job->short_id, sizeof job->short_id, "%.4s-%.4s", id, id + 4);
    ctx->state = job;
    p[0] = id;
    if (http_db_query(ctx, &pdf_stmt, p, pdf_read) != 0)
        return;
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
    const char **p;

    if (over_budget(ctx))
        return;
    if (!cid_ok(id, pdf ? n - 4 : n)) {
        count_miss(ctx);
        if (wanted(ctx) == WANT_HTML && !pdf)
            reply_page(ctx, 404, credpage_not_found_html(NULL, page_lang(ctx)));
        else
            http_reply_error(ctx, 404, "not_found", "no such certificate");
        return;
    }
    if (pdf) {
        pdf_get(ctx, http_ctx_strndup(ctx, id, n - 4));
        return;
    }
    p = http_ctx_alloc(ctx, sizeof *p);
    p[0] = id;
    if (http_db_query(ctx, &verify_row_stmt, p, credential_read) != 0)
        return;
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

typedef struct paste_job {
    const char *token;
    bool html;
} paste_job;

static void pasted_checked(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    paste_job *job = ctx->state;
    vccheck_result *v;
    json_t *jwks;

    if (r->status != DB_OK || PQntuples(r->res) != 1) {
        http_reply_db_error(ctx, r);
        return;
    }
    jwks = jwks_of(cfg_of(ctx), r->res);
    v = vccheck_run(job->token, jwks, cfg_of(ctx)->public_url,
                    PQgetisnull(r->res, 0, 1) ? NULL : PQgetvalue(r->res, 0, 1));
    json_decref(jwks);
    if (v == NULL) {
        http_reply_error(ctx, 500, "internal_error", "the token could not be checked");
        return;
    }
    if (job->html)
        reply_page(ctx, 200, credpage_pasted_html(v, page_lang(ctx), cfg_of(ctx)->public_url));
    else
        http_reply_json(ctx, 200, vccheck_result_json(v));
    vccheck_result_free(v);
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
    ctx->state = job;
    if (http_db_query(ctx, &keys_stmt, NULL, pasted_checked) != 0)
        return;
}

/* POST /api/v1/verify (body: a credential JWT as text) */
static void verify_api(http_ctx *ctx)
{
    check_pasted(ctx, trimmed_body(ctx), false);
}

/* GET /verify: the paste box. */
static void verify_page(http_ctx *ctx)
{
    reply_page(ctx, 200, credpage_paste_html(page_lang(ctx)));
}

/* POST /verify (form: token=…): the paste box's answer, as a page. */
static void verify_form(http_ctx *ctx)
{
    struct evkeyvalq fields = {0};
    const char *token;

    TAILQ_INIT(&fields);
    if (evhttp_parse_query_str(trimmed_body(ctx), &fields) != 0 ||
        (token = evhttp_find_header(&fields, "token")) == NULL) {
        evhttp_clear_headers(&fields);
        http_reply_error(ctx, 422, "invalid_form", "paste the certificate's token");
        return;
    }
    token = http_ctx_strndup(ctx, token, strlen(token));
    evhttp_clear_headers(&fields);
    while (*token == ' ' || *token == '\n' || *token == '\r')
        token++;
    check_pasted(ctx, token, true);
}

/* ---- keys, issuer, status list ---- */

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
    http_add_header(ctx, "Cache-Control", "public, max-age=300");
    http_add_header(ctx, "Access-Control-Allow-Origin", "*");
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
    if (http_db_query(ctx, &keys_stmt, NULL, jwks_read) != 0)
        return;
}

/* GET /issuer: the issuer's Open Badges profile. */
static void issuer(http_ctx *ctx)
{
    const sinau_config *cfg = cfg_of(ctx);
    char id[600];

    snprintf(id, sizeof id, "%s/issuer", cfg->public_url);
    http_add_header(ctx, "Cache-Control", "public, max-age=300");
    http_reply_json(ctx, 200,
                    json_pack("{s:[s,s], s:s, s:[s], s:s, s:s}", "@context",
                              "https://www.w3.org/ns/credentials/v2",
                              "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json", "id",
                              id, "type", "Profile", "name", cfg->issuer_name, "url",
                              cfg->public_url));
}

static const db_stmt status_stmt = {
    "cert_status_get",
    "select token, token is null or token_version < version from status_lists where id = 1", 0};

static void status_serve(http_ctx *ctx);

/* ctx->state of a /status/1 request that already re-signed the list. */
static char tried_resign;

static void status_read(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    bool stale;

    if (r->status != DB_OK || PQntuples(r->res) != 1) {
        http_reply_db_error(ctx, r);
        return;
    }
    stale = strcmp(PQgetvalue(r->res, 0, 1), "t") == 0;
    if (stale && ctx->state != &tried_resign) {
        ctx->state = &tried_resign; /* once per request */
        certificates_status_resign(ctx, status_serve);
        return;
    }
    if (PQgetisnull(r->res, 0, 0)) {
        http_add_header(ctx, "Retry-After", "5");
        http_reply_error(ctx, 503, "status_list_unsigned", "the status list is being signed");
        return;
    }
    http_add_header(ctx, "Cache-Control", "public, max-age=300");
    http_add_header(ctx, "Access-Control-Allow-Origin", "*");
    http_reply_bytes(ctx, 200, "application/vc+jwt", PQgetvalue(r->res, 0, 0),
                     (size_t)PQgetlength(r->res, 0, 0));
}

static void status_serve(http_ctx *ctx)
{
    if (http_db_query(ctx, &status_stmt, NULL, status_read) != 0)
        return;
}

/* GET /status/{n}: the signed revocation list (only list 1 exists). */
static void status_list(http_ctx *ctx)
{
    const char *n = http_param(ctx, "n");

    if (n == NULL || strcmp(n, "1") != 0) {
        http_reply_error(ctx, 404, "not_found", "no such status list");
        return;
    }
    status_serve(ctx);
}

static const http_route routes[] = {
    {ROUTER_GET, "/credentials/{id}", credential, 0, NULL,
     "Anyone: verify a certificate (HTML, JSON, or ?format=jwt); {id}.pdf for the PDF", AUTH_NONE},
    {ROUTER_GET, "/verify", verify_page, 0, NULL, "Anyone: paste a certificate's token to check it",
     AUTH_NONE},
    {ROUTER_POST, "/verify", verify_form, 128 * 1024, NULL,
     "Anyone: the paste box's answer, as a page", AUTH_NONE},
    {ROUTER_POST, "/api/v1/verify", verify_api, 128 * 1024, NULL,
     "Anyone: check a credential JWT (body: the token as text)", AUTH_NONE},
    {ROUTER_GET, "/.well-known/jwks.json", jwks, 0, NULL, "Every signing key ever used (JWKS)",
     AUTH_NONE},
    {ROUTER_GET, "/keys/{kid}", jwks, 0, NULL, "One signing key (JWK) by thumbprint", AUTH_NONE},
    {ROUTER_GET, "/issuer", issuer, 0, NULL, "The issuer's profile (Open Badges 3.0)", AUTH_NONE},
    {ROUTER_GET, "/status/{n}", status_list, 0, NULL,
     "The revocation status list (Bitstring Status List, VC-JWT)", AUTH_NONE},
};

const http_route *credentials_routes(size_t *n)
{
    *n = SINAU_ARRAY_LEN(routes);
    return routes;
}
