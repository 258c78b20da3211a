/* credpage.c — see credpage.h. Pages are written into a memory stream;
 * every value passes through put_text (HTML escaping). */
#include "sinau/credpage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct words {
    const char *lang, *title, *valid, *revoked, *invalid, *not_found, *not_found_text, *holder,
        *programme, *cohort, *dates, *jp, *issuer, *issued, *revoked_on, *checked, *checked_fail,
        *checks, *pdf, *jwt, *json, *paste_title, *paste_label, *paste_button, *paste_hint,
        *switch_label, *switch_lang, *months[12];
} words;

static const words ID = {
    "id",
    "Verifikasi Sertifikat",
    "VALID",
    "DICABUT",
    "TIDAK SAH",
    "TIDAK DITEMUKAN",
    "Tidak ada sertifikat dengan kode ini. Periksa kembali tautan atau kode QR.",
    "Nama pemegang",
    "Program",
    "Angkatan",
    "Tanggal pelaksanaan",
    "Jam pelajaran",
    "Penerbit",
    "Diterbitkan",
    "Dicabut pada",
    "Tanda tangan digital sertifikat ini telah diperiksa terhadap kunci publik penerbit yang "
    "dipublikasikan, dan statusnya dibaca dari daftar pencabutan.",
    "Tanda tangan digital sertifikat ini TIDAK cocok dengan kunci publik penerbit.",
    "Pemeriksaan",
    "Unduh PDF",
    "Token (VC-JWT)",
    "JSON",
    "Periksa token sertifikat",
    "Tempel token sertifikat (VC-JWT)",
    "Periksa",
    "Token dapat diperiksa juga tanpa server kami "
    "dengan kunci publik di /.well-known/jwks.json.",
    "Bahasa",
    "English",
    {"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
     "Oktober", "November", "Desember"}};

static const words EN = {
    "en",
    "Certificate verification",
    "VALID",
    "REVOKED",
    "INVALID",
    "NOT FOUND",
    "There is no certificate with this code. Check the link or the QR code again.",
    "Holder",
    "Programme",
    "Cohort",
    "Dates",
    "Lesson hours (JP)",
    "Issuer",
    "Issued",
    "Revoked on",
    "This certificate's digital signature was checked against the issuer's published public "
    "key, and its status was read from the revocation list.",
    "This certificate's digital signature does NOT match the issuer's public key.",
    "Checks",
    "Download PDF",
    "Token (VC-JWT)",
    "JSON",
    "Check a certificate token",
    "Paste the certificate's token (VC-JWT)",
    "Check",
    "Tokens can also be checked without our "
    "server, with the public keys at /.well-known/jwks.json.",
    "Language",
    "Bahasa Indonesia",
    {"January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"}};

static const words *words_for(const char *lang)
{
    return lang != NULL && strcmp(lang, "en") == 0 ? &EN : &ID;
}

static void put_text(FILE *f, const char *s)
{
    for (; s != NULL && *s != '\0'; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

/* "2021-03-22…" as "22 Maret 2021"; the text itself when it is no date. */
static void put_date(FILE *f, const words *w, const char *iso)
{
    int y, m, d;

    if (iso != NULL && sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) == 3 && m >= 1 && m <= 12)
        fprintf(f, "%d %s %d", d, w->months[m - 1], y);
    else
        put_text(f, iso);
}

static void head(FILE *f, const words *w, const char *title)
{
    fprintf(f,
            "<!doctype html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<meta name=\"robots\" content=\"noindex\">\n<title>",
            w->lang);
    put_text(f, title);
    fputs(" — Sinau</title>\n<link rel=\"stylesheet\" href=\"/css/site.css\">\n</head>\n"
          "<body class=\"credential\">\n<main id=\"main\">\n",
          f);
}

static void lang_switch(FILE *f, const words *w, const char *path)
{
    fprintf(f, "<p class=\"lang-switch\">%s: <a href=\"", w->switch_label);
    put_text(f, path);
    fprintf(f, "?lang=%s\" lang=\"%s\">%s</a></p>\n", w == &ID ? "en" : "id",
            w == &ID ? "en" : "id", w->switch_lang);
}

static void paste_form(FILE *f, const words *w)
{
    fprintf(f,
            "<section class=\"paste\">\n<h2>%s</h2>\n<form method=\"post\" "
            "action=\"/verify?lang=%s\">\n"
            "<label for=\"token\">%s</label>\n"
            "<textarea id=\"token\" name=\"token\" rows=\"4\" required spellcheck=\"false\" "
            "autocomplete=\"off\"></textarea>\n<button type=\"submit\">%s</button>\n</form>\n"
            "<p class=\"hint\">%s</p>\n</section>\n",
            w->paste_title, w->lang, w->paste_label, w->paste_button, w->paste_hint);
}

static char *finish(FILE *f, char **buf)
{
    fputs("</main>\n</body>\n</html>\n", f);
    if (fclose(f) != 0) {
        free(*buf);
        return NULL;
    }
    return *buf;
}

static void row(FILE *f, const char *label, const char *value)
{
    fputs("<dt>", f);
    put_text(f, label);
    fputs("</dt><dd>", f);
    put_text(f, value);
    fputs("</dd>\n", f);
}

static void checks_list(FILE *f, const words *w, const vccheck_result *v)
{
    fprintf(f, "<details class=\"checks\"><summary>%s</summary>\n<ul>\n", w->checks);
    for (size_t i = 0; v != NULL && i < v->nchecks; i++) {
        fprintf(f, "<li class=\"%s\"><span>%s</span> <code>", v->checks[i].ok ? "ok" : "fail",
                v->checks[i].ok ? "&#10003;" : "&#10007;");
        put_text(f, v->checks[i].name);
        fputs("</code> ", f);
        put_text(f, v->checks[i].detail);
        fputs("</li>\n", f);
    }
    fputs("</ul>\n</details>\n", f);
}

static const char *verdict_word(const words *w, const char *status)
{
    if (strcmp(status, "valid") == 0)
        return w->valid;
    return strcmp(status, "revoked") == 0 ? w->revoked : w->invalid;
}

static void facts_list(FILE *f, const words *w, const credpage_facts *c)
{
    char jp[16];

    fputs("<dl class=\"facts\">\n", f);
    row(f, w->holder, c->holder_name);
    row(f, w->programme, c->programme);
    row(f, w->cohort, c->cohort);
    fprintf(f, "<dt>%s</dt><dd>", w->dates);
    put_date(f, w, c->starts_on);
    fputs(" – ", f);
    put_date(f, w, c->ends_on);
    fputs("</dd>\n", f);
    snprintf(jp, sizeof jp, "%d JP", c->jp);
    row(f, w->jp, jp);
    row(f, w->issuer, c->issuer);
    fprintf(f, "<dt>%s</dt><dd>", w->issued);
    put_date(f, w, c->issued_at);
    fputs("</dd>\n", f);
    if (c->revoked_at != NULL) {
        fprintf(f, "<dt>%s</dt><dd>", w->revoked_on);
        put_date(f, w, c->revoked_at);
        fputs("</dd>\n", f);
    }
    fputs("</dl>\n", f);
}

char *credpage_html(const credpage_facts *c, const char *lang)
{
    const words *w = words_for(lang);
    char *buf = NULL, path[64];
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (f == NULL)
        return NULL;
    snprintf(path, sizeof path, "/credentials/%s", c->id);
    head(f, w, w->title);
    fprintf(f, "<h1>%s</h1>\n", w->title);
    lang_switch(f, w, path);
    fprintf(f, "<p class=\"verdict verdict-%s\" data-status=\"%s\" role=\"status\">%s</p>\n",
            c->status, c->status, verdict_word(w, c->status));
    facts_list(f, w, c);
    fprintf(f, "<p class=\"signature\">%s</p>\n",
            strcmp(c->status, "invalid") == 0 ? w->checked_fail : w->checked);
    checks_list(f, w, c->checks);
    fprintf(f,
            "<p class=\"links\"><a href=\"%s.pdf\">%s</a> · <a href=\"%s?format=jwt\">%s</a>"
            " · <a href=\"%s?format=json\">%s</a></p>\n",
            path, w->pdf, path, w->jwt, path, w->json);
    paste_form(f, w);
    return finish(f, &buf);
}

char *credpage_not_found_html(const char *id, const char *lang)
{
    const words *w = words_for(lang);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (f == NULL)
        return NULL;
    (void)id; /* never echoed: a page must not reflect what a visitor typed */
    head(f, w, w->title);
    fprintf(f, "<h1>%s</h1>\n", w->title);
    fprintf(f,
            "<p class=\"verdict verdict-not-found\" data-status=\"not_found\" "
            "role=\"status\">%s</p>\n<p>%s</p>\n",
            w->not_found, w->not_found_text);
    paste_form(f, w);
    return finish(f, &buf);
}

char *credpage_paste_html(const char *lang)
{
    const words *w = words_for(lang);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (f == NULL)
        return NULL;
    head(f, w, w->paste_title);
    fprintf(f, "<h1>%s</h1>\n", w->title);
    lang_switch(f, w, "/verify");
    paste_form(f, w);
    return finish(f, &buf);
}

/* The holder's name from a verified payload (the un-hashed identifier). */
static const char *holder_of(const json_t *payload)
{
    json_t *ids = json_object_get(json_object_get(payload, "credentialSubject"), "identifier");
    size_t i;
    json_t *id;

    json_array_foreach (ids, i, id) {
        if (json_is_false(json_object_get(id, "hashed")))
            return json_string_value(json_object_get(id, "identityHash"));
    }
    return NULL;
}

char *credpage_pasted_html(const vccheck_result *v, const char *lang, const char *public_url)
{
    const words *w = words_for(lang);
    const char *status = !v->valid && v->status == VCCHECK_STATUS_REVOKED ? "revoked"
                         : v->valid                                       ? "valid"
                                                                          : "invalid";
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (f == NULL)
        return NULL;
    (void)public_url;
    head(f, w, w->paste_title);
    fprintf(f, "<h1>%s</h1>\n", w->title);
    fprintf(f, "<p class=\"verdict verdict-%s\" data-status=\"%s\" role=\"status\">%s</p>\n",
            status, status, verdict_word(w, status));
    if (v->payload != NULL) {
        fputs("<dl class=\"facts\">\n", f);
        row(f, w->holder, holder_of(v->payload));
        row(f, w->programme, json_string_value(json_object_get(v->payload, "name")));
        fputs("</dl>\n", f);
    }
    checks_list(f, w, v);
    paste_form(f, w);
    return finish(f, &buf);
}

json_t *credpage_json(const credpage_facts *c)
{
    json_t *out, *checks = json_array();
    char url[600], pdf[610];

    for (size_t i = 0; c->checks != NULL && i < c->checks->nchecks; i++)
        json_array_append_new(
            checks, json_pack("{s:s, s:b, s:s}", "name", c->checks->checks[i].name, "ok",
                              c->checks->checks[i].ok, "detail", c->checks->checks[i].detail));
    snprintf(url, sizeof url, "%s/credentials/%s", c->public_url, c->id);
    snprintf(pdf, sizeof pdf, "%s.pdf", url);
    out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "id",
                    c->id, "status", c->status, "holder_name", c->holder_name, "programme",
                    c->programme, "cohort", c->cohort, "jp", c->jp, "starts_on", c->starts_on,
                    "ends_on", c->ends_on, "issued_at", c->issued_at, "issuer", c->issuer, "url",
                    url, "pdf_url", pdf, "checks", checks);
    json_object_set_new(out, "revoked_at",
                        c->revoked_at != NULL ? json_string(c->revoked_at) : json_null());
    return out;
}
