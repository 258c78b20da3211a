/* records.c — what issue 18 publishes beyond the credentials themselves:
 * the achievement page at every achievement.id a credential names
 * (GET /achievements/{id}: HTML, or JSON-LD for machines), a participant's
 * JP by year (GET /api/v1/me/jp), and the admins' export of JP per
 * participant per year by agency for the BKN report
 * (GET /api/v1/reports/jp?year=Y[&format=csv]). The yearly transcript
 * credential is issued in certificates.c (it signs like a certificate). */
#include "sinau/api/common.h"
#include "sinau/api/routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/api/call.h"
#include "sinau/api/services.h"
#include "sinau/cert/achpage.h"
#include "sinau/core/csv.h"
#include "sinau/http/ctx.h"
#include "sinau/http/dbroute.h"
#include "sinau/http/reply.h"

static const sinau_config *cfg_of(http_ctx *ctx)
{
    return api_svc(ctx)->cfg;
}

/* ---- /achievements/{id} ---- */

static bool wants_jsonld(http_ctx *ctx)
{
    const char *format = http_query(ctx, "format"), *accept = http_header(ctx, "Accept");

    if (format != NULL)
        return strcmp(format, "json") == 0 || strcmp(format, "jsonld") == 0;
    return accept != NULL && strstr(accept, "text/html") == NULL &&
           (strstr(accept, "application/ld+json") != NULL ||
            strstr(accept, "application/json") != NULL);
}

/* Replies with the page or the JSON-LD of facts (taken). */
static void achievement_answer(http_ctx *ctx, json_t *facts)
{
    const sinau_config *cfg = cfg_of(ctx);
    const char *q = http_query(ctx, "lang");
    char url[700], *body;

    http_own_json(ctx, facts);

    snprintf(url, sizeof url, "%s/achievements/%s", cfg->public_url, http_param(ctx, "id"));
    http_add_header(ctx, "Cache-Control", "public, max-age=300");
    http_add_header(ctx, "Access-Control-Allow-Origin", "*");
    http_add_header(ctx, "Vary", "Accept");
    if (wants_jsonld(ctx)) {
        json_t *a =
            http_own_json(ctx, achpage_jsonld(facts, url, cfg->public_url, cfg->issuer_name));
        body = a != NULL ? http_own_buf(ctx, json_dumps(a, JSON_INDENT(2) | JSON_PRESERVE_ORDER))
                         : NULL;
        if (body == NULL) {
            http_reply_error(ctx, 500, "internal_error", "the achievement could not be made");
            return;
        }
        http_reply_bytes(ctx, 200, "application/ld+json", body, strlen(body));
        return;
    }
    body = http_own_buf(ctx, achpage_html(facts, url, cfg->issuer_name,
                                          q != NULL && strcmp(q, "en") == 0 ? "en" : "id"));
    if (body == NULL) {
        http_reply_error(ctx, 500, "internal_error", "the page could not be made");
        return;
    }
    http_reply_bytes(ctx, 200, "text/html; charset=utf-8", body, strlen(body));
}

static void achievement_read(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    json_t *facts;

    if (r->status != DB_OK || PQntuples(r->res) != 1) {
        http_reply_db_error(ctx, r);
        return;
    }
    if (PQgetisnull(r->res, 0, 0) ||
        (facts = json_loads(PQgetvalue(r->res, 0, 0), 0, NULL)) == NULL) {
        http_reply_error(ctx, 404, "not_found", "no such achievement");
        return;
    }
    achievement_answer(ctx, facts);
}

static const db_stmt achievement_stmt = {"cert_achievement", "select cert_achievement($1, $2::int)",
                                         2};

/* "<slug>-v<version>" into slug (ctx memory) and version; false when id
 * has not that shape. */
static bool split_id(http_ctx *ctx, const char *id, const char **slug, const char **version)
{
    const char *v = strrchr(id, '-');
    size_t n = v != NULL ? (size_t)(v - id) : 0;

    if (v == NULL || v[1] != 'v' || v[2] == '\0' || strlen(v + 2) > 6 ||
        strspn(v + 2, "0123456789") != strlen(v + 2) || n < 2 || n > 63 ||
        strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-") < n)
        return false;
    *slug = http_ctx_strndup(ctx, id, n);
    *version = v + 2;
    return true;
}

/* GET /achievements/{id} */
static void achievement(http_ctx *ctx)
{
    const char *id = http_param(ctx, "id");
    const char **p = http_ctx_alloc(ctx, 2 * sizeof *p);
    int year = 0;
    char tail;

    if (id != NULL && sscanf(id, "jp-record-%4d%c", &year, &tail) == 1 && year >= 2000 &&
        year <= 2999 && strlen(id) == 14) {
        achievement_answer(ctx, achpage_transcript_facts(year));
        return;
    }
    if (id == NULL || !split_id(ctx, id, &p[0], &p[1])) {
        http_reply_error(ctx, 404, "not_found", "no such achievement");
        return;
    }
    http_db_query(ctx, &achievement_stmt, p, achievement_read);
}

/* ---- JP by year ---- */

/* ---- the BKN export ---- */

static const char *num_text(char *buf, size_t n, const json_t *v)
{
    snprintf(buf, n, "%lld", (long long)json_integer_value(v));
    return buf;
}

static void report_csv(http_ctx *ctx, json_t *report)
{
    const json_t *row;
    char num[24], disp[96];
    csv_buf b;
    size_t i;

    csv_begin(&b);
    for (const char *const *h = (const char *const[]){"tahun", "instansi (OPD)", "nama", "NIP",
                                                      "jumlah sertifikat", "JP", "pelatihan", NULL};
         *h != NULL; h++)
        csv_field(&b, *h);
    csv_end_row(&b);
    json_array_foreach (json_object_get(report, "items"), i, row) {
        csv_field(&b, num_text(num, sizeof num, json_object_get(report, "year")));
        csv_field(&b, json_string_value(json_object_get(row, "agency")));
        csv_field(&b, json_string_value(json_object_get(row, "full_name")));
        csv_field(&b, json_string_value(json_object_get(row, "nip")));
        csv_field(&b, num_text(num, sizeof num, json_object_get(row, "certificates")));
        csv_field(&b, num_text(num, sizeof num, json_object_get(row, "jp")));
        csv_field(&b, json_string_value(json_object_get(row, "programmes")));
        csv_end_row(&b);
    }
    snprintf(disp, sizeof disp, "attachment; filename=\"jp-%lld.csv\"",
             (long long)json_integer_value(json_object_get(report, "year")));
    api_reply_csv(ctx, &b, disp);
}

static void report_read(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    const char *format = http_query(ctx, "format");
    json_t *report;

    if (r->status != DB_OK || PQntuples(r->res) != 1) {
        http_reply_db_error(ctx, r);
        return;
    }
    if (format == NULL || strcmp(format, "csv") != 0) {
        api_reply_json_or_404(ctx, r);
        return;
    }
    report = http_own_json(ctx, json_loads(PQgetvalue(r->res, 0, 0), 0, NULL));
    if (report == NULL) {
        http_reply_error(ctx, 500, "internal_error", "the report could not be made");
        return;
    }
    report_csv(ctx, report);
}

static const db_stmt report_stmt = {"cert_jp_report", "select cert_jp_report($1::int)", 1};

/* GET /api/v1/reports/jp?year=Y[&format=csv] (admins) */
static void jp_report(http_ctx *ctx)
{
    const char **p = http_ctx_alloc(ctx, sizeof *p);
    const char *year = http_query(ctx, "year");

    if (year == NULL || strlen(year) != 4 || strspn(year, "0123456789") != 4 || year[0] != '2') {
        http_reply_error(ctx, 422, "invalid_year", "?year= is four digits, 2000 to 2999");
        return;
    }
    p[0] = year;
    http_db_query(ctx, &report_stmt, p, report_read);
}

/* The route table (server/api/routes/records.json, generated at build time). */
#include "routes/records.inc"
