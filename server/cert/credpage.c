/* credpage.c — see credpage.h. Pages are written into a memory stream;
 * every value passes through put_text (HTML escaping). */
#include "sinau/cert/credpage.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/cert/i18n_words.h" /* generated from web/i18n/<lang>/certificate.json */

#define JWKS_PATH "/.well-known/jwks.json"

typedef struct words {
    const char *lang, *title, *valid, *revoked, *invalid, *not_found, *not_found_text, *holder,
        *programme, *cohort, *dates, *jp, *issuer, *issued, *revoked_on, *checked, *checked_fail,
        *checks, *pdf, *jwt, *json, *paste_title, *paste_label, *paste_button, *paste_hint,
        *paste_intro, *switch_lang, *note_valid, *note_invalid, *note_revoked, *note_revoked_on,
        *note_revoked_end, *passed, *failed, *open_page, *signed_by, *signature_alt, *logo_alt,
        *lookup_title, *lookup_label, *lookup_hint, *lookup_button, *lookup_bad, *months[12];
} words;

/* The words of one language (ID or EN), from the dictionaries. */
#define PAGE_WORDS(L, lang_code)                                                                   \
    {                                                                                              \
        .lang = lang_code, .title = I18N_##L##_CERT_PAGE_TITLE,                                    \
        .valid = I18N_##L##_CERT_PAGE_VALID, .revoked = I18N_##L##_CERT_PAGE_REVOKED,              \
        .invalid = I18N_##L##_CERT_PAGE_INVALID, .not_found = I18N_##L##_CERT_PAGE_NOT_FOUND,      \
        .not_found_text = I18N_##L##_CERT_PAGE_NOT_FOUND_TEXT,                                     \
        .holder = I18N_##L##_CERT_PAGE_HOLDER, .programme = I18N_##L##_CERT_PAGE_PROGRAMME,        \
        .cohort = I18N_##L##_CERT_PAGE_COHORT, .dates = I18N_##L##_CERT_PAGE_DATES,                \
        .jp = I18N_##L##_CERT_PAGE_JP, .issuer = I18N_##L##_CERT_PAGE_ISSUER,                      \
        .issued = I18N_##L##_CERT_PAGE_ISSUED, .revoked_on = I18N_##L##_CERT_PAGE_REVOKED_ON,      \
        .checked = I18N_##L##_CERT_PAGE_CHECKED,                                                   \
        .checked_fail = I18N_##L##_CERT_PAGE_CHECKED_FAIL, .checks = I18N_##L##_CERT_PAGE_CHECKS,  \
        .pdf = I18N_##L##_CERT_PAGE_PDF, .jwt = I18N_##L##_CERT_PAGE_JWT,                          \
        .json = I18N_##L##_CERT_PAGE_JSON, .paste_title = I18N_##L##_CERT_PAGE_PASTE_TITLE,        \
        .paste_label = I18N_##L##_CERT_PAGE_PASTE_LABEL,                                           \
        .paste_button = I18N_##L##_CERT_PAGE_PASTE_BUTTON,                                         \
        .paste_hint = I18N_##L##_CERT_PAGE_PASTE_HINT,                                             \
        .paste_intro = I18N_##L##_CERT_PAGE_PASTE_INTRO,                                           \
        .switch_lang = I18N_##L##_CERT_PAGE_SWITCH_LANG,                                           \
        .note_valid = I18N_##L##_CERT_PAGE_NOTE_VALID,                                             \
        .note_invalid = I18N_##L##_CERT_PAGE_NOTE_INVALID,                                         \
        .note_revoked = I18N_##L##_CERT_PAGE_NOTE_REVOKED,                                         \
        .note_revoked_on = I18N_##L##_CERT_PAGE_NOTE_REVOKED_ON,                                   \
        .note_revoked_end = I18N_##L##_CERT_PAGE_NOTE_REVOKED_END,                                 \
        .passed = I18N_##L##_CERT_PAGE_PASSED, .failed = I18N_##L##_CERT_PAGE_FAILED,              \
        .open_page = I18N_##L##_CERT_PAGE_OPEN_PAGE, .signed_by = I18N_##L##_CERT_PAGE_SIGNED_BY,  \
        .signature_alt = I18N_##L##_CERT_PAGE_SIGNATURE_ALT,                                       \
        .logo_alt = I18N_##L##_CERT_PAGE_LOGO_ALT,                                                 \
        .lookup_title = I18N_##L##_CERT_PAGE_LOOKUP_TITLE,                                         \
        .lookup_label = I18N_##L##_CERT_PAGE_LOOKUP_LABEL,                                         \
        .lookup_hint = I18N_##L##_CERT_PAGE_LOOKUP_HINT,                                           \
        .lookup_button = I18N_##L##_CERT_PAGE_LOOKUP_BUTTON,                                       \
        .lookup_bad = I18N_##L##_CERT_PAGE_LOOKUP_BAD,                                             \
        .months = {I18N_##L##_CERT_MONTH_1,  I18N_##L##_CERT_MONTH_2,  I18N_##L##_CERT_MONTH_3,    \
                   I18N_##L##_CERT_MONTH_4,  I18N_##L##_CERT_MONTH_5,  I18N_##L##_CERT_MONTH_6,    \
                   I18N_##L##_CERT_MONTH_7,  I18N_##L##_CERT_MONTH_8,  I18N_##L##_CERT_MONTH_9,    \
                   I18N_##L##_CERT_MONTH_10, I18N_##L##_CERT_MONTH_11, I18N_##L##_CERT_MONTH_12},  \
    }

static const words ID = PAGE_WORDS(ID, "id");
static const words EN = PAGE_WORDS(EN, "en");

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

/* The document up to and with the <h1>: <title> "[verdict — ]title — Sinau",
 * the stylesheet, a header with the brand and, when switch_href is not
 * NULL, the link to the same page in the other language (switch_href ""
 * makes it "?lang=…", the visitor's own address). */
static void head(FILE *f, const words *w, const char *title, const char *verdict_text,
                 const char *switch_href)
{
    const char *other = w == &ID ? "en" : "id";

    fprintf(f,
            "<!doctype html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<meta name=\"robots\" content=\"noindex\">\n<title>",
            w->lang);
    if (verdict_text != NULL) {
        put_text(f, verdict_text);
        fputs(" — ", f);
    }
    put_text(f, title);
    fputs(" — Sinau</title>\n<link rel=\"stylesheet\" href=\"/css/site.css\">\n</head>\n"
          "<body class=\"credential\">\n<header class=\"site-header\">\n"
          "<div class=\"bar\"><a class=\"brand\" href=\"/\">Sinau</a>",
          f);
    if (switch_href != NULL) {
        fputs("<a class=\"lang-switch\" href=\"", f);
        put_text(f, switch_href);
        fprintf(f, "?lang=%s\" lang=\"%s\" hreflang=\"%s\">%s</a>", other, other, other,
                w->switch_lang);
    }
    fprintf(f, "</div>\n</header>\n<main id=\"main\">\n<h1>%s</h1>\n", w->title);
}

static void paste_form(FILE *f, const words *w)
{
    fprintf(f,
            "<section class=\"paste\" aria-labelledby=\"paste-title\">\n"
            "<h2 id=\"paste-title\">%s</h2>\n"
            "<form method=\"post\" action=\"/verify?lang=%s\">\n"
            "<label for=\"token\">%s</label>\n"
            "<textarea id=\"token\" name=\"token\" rows=\"4\" required spellcheck=\"false\" "
            "autocomplete=\"off\" autocapitalize=\"off\" aria-describedby=\"token-hint\">"
            "</textarea>\n<button type=\"submit\">%s</button>\n</form>\n"
            "<p class=\"hint\" id=\"token-hint\">%s <a href=\"" JWKS_PATH "\"><code>" JWKS_PATH
            "</code></a>.</p>\n</section>\n",
            w->paste_title, w->lang, w->paste_label, w->paste_button, w->paste_hint);
}

/* The box that finds a certificate by the ID printed on it (GET /verify?id=),
 * with a message when the last one typed was malformed. */
static void lookup_form(FILE *f, const words *w, bool bad)
{
    fprintf(f,
            "<section class=\"lookup\" aria-labelledby=\"lookup-title\">\n"
            "<h2 id=\"lookup-title\">%s</h2>\n"
            "<form method=\"get\" action=\"/verify\">\n"
            "<input type=\"hidden\" name=\"lang\" value=\"%s\">\n"
            "<label for=\"cert-id\">%s</label>\n"
            "<input id=\"cert-id\" name=\"id\" type=\"text\" required autocomplete=\"off\" "
            "autocapitalize=\"off\" spellcheck=\"false\" aria-describedby=\"cert-id-hint%s\">\n"
            "<p class=\"hint\" id=\"cert-id-hint\">%s</p>\n",
            w->lookup_title, w->lang, w->lookup_label, bad ? " cert-id-error" : "", w->lookup_hint);
    if (bad)
        fprintf(f, "<p class=\"field-error\" id=\"cert-id-error\" role=\"alert\">%s</p>\n",
                w->lookup_bad);
    fprintf(f, "<button type=\"submit\">%s</button>\n</form>\n</section>\n", w->lookup_button);
}

/* Who signed: the logo, the signature, the name, title and NIP. */
static void signatory_block(FILE *f, const words *w, const credpage_facts *c)
{
    if (c->signatory_name == NULL)
        return;
    fprintf(f,
            "<section class=\"signatory\" aria-labelledby=\"signatory-h\">\n"
            "<h2 id=\"signatory-h\">%s</h2>\n",
            w->signed_by);
    if (c->logo_url != NULL) {
        fputs("<img class=\"signatory-logo\" src=\"", f);
        put_text(f, c->logo_url);
        fprintf(f, "\" alt=\"%s\" loading=\"lazy\">\n", w->logo_alt);
    }
    if (c->signature_url != NULL) {
        fputs("<img class=\"signatory-signature\" src=\"", f);
        put_text(f, c->signature_url);
        fprintf(f, "\" alt=\"%s\" loading=\"lazy\">\n", w->signature_alt);
    }
    fputs("<p class=\"signatory-name\">", f);
    put_text(f, c->signatory_name);
    fputs("</p>\n<p class=\"signatory-title\">", f);
    put_text(f, c->signatory_title);
    fputs("</p>\n", f);
    if (c->signatory_nip != NULL && strlen(c->signatory_nip) == 18)
        fprintf(f, "<p class=\"signatory-nip\">NIP. %.8s %.6s %.1s %.3s</p>\n", c->signatory_nip,
                c->signatory_nip + 8, c->signatory_nip + 14, c->signatory_nip + 15);
    fputs("</section>\n", f);
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

/* Each check with a mark (hidden from screen readers, which hear "passed" or
 * "failed" instead), its name and its detail. The details are English
 * texts of vccheck: marked lang="en" on Indonesian pages. */
static void checks_list(FILE *f, const words *w, const vccheck_result *v)
{
    fprintf(f, "<details class=\"checks\"><summary>%s</summary>\n<ul>\n", w->checks);
    for (size_t i = 0; v != NULL && i < v->nchecks; i++) {
        bool ok = v->checks[i].ok;

        fprintf(f,
                "<li class=\"%s\"><span class=\"mark\" aria-hidden=\"true\">%s</span>"
                "<span class=\"visually-hidden\">%s: </span><code>",
                ok ? "ok" : "fail", ok ? "&#10003;" : "&#10007;", ok ? w->passed : w->failed);
        put_text(f, v->checks[i].name);
        fprintf(f, "</code> <span class=\"detail\"%s>", w == &ID ? " lang=\"en\"" : "");
        put_text(f, v->checks[i].detail);
        fputs("</span></li>\n", f);
    }
    fputs("</ul>\n</details>\n", f);
}

static const char *verdict_word(const words *w, const char *status)
{
    if (strcmp(status, "valid") == 0)
        return w->valid;
    return strcmp(status, "revoked") == 0 ? w->revoked : w->invalid;
}

/* The verdict badge ("valid", "revoked" or "invalid") and the sentence that
 * says what it means; a revocation with its date when known. */
static void verdict(FILE *f, const words *w, const char *status, const char *revoked_at)
{
    fprintf(f,
            "<p class=\"verdict verdict-%s\" data-status=\"%s\" role=\"status\">%s</p>\n"
            "<p class=\"verdict-note\">",
            status, status, verdict_word(w, status));
    if (strcmp(status, "valid") == 0) {
        fputs(w->note_valid, f);
    } else if (strcmp(status, "revoked") == 0) {
        fputs(w->note_revoked, f);
        if (revoked_at != NULL) {
            fputs(w->note_revoked_on, f);
            put_date(f, w, revoked_at);
        }
        fputs(w->note_revoked_end, f);
    } else {
        fputs(w->note_invalid, f);
    }
    fputs("</p>\n", f);
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

/* One item of the links list: <a href="path suffix">text</a>. */
static void link_item(FILE *f, const char *path, const char *suffix, const char *text)
{
    fputs("<li><a href=\"", f);
    put_text(f, path);
    fprintf(f, "%s\">%s</a></li>\n", suffix, text);
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
    head(f, w, w->title, verdict_word(w, c->status), path);
    verdict(f, w, c->status, c->revoked_at);
    facts_list(f, w, c);
    signatory_block(f, w, c);
    fprintf(f, "<p class=\"signature\">%s</p>\n",
            strcmp(c->status, "invalid") == 0 ? w->checked_fail : w->checked);
    checks_list(f, w, c->checks);
    fputs("<ul class=\"links\">\n", f);
    link_item(f, path, ".pdf", w->pdf);
    link_item(f, path, "?format=jwt", w->jwt);
    link_item(f, path, "?format=json", w->json);
    fputs("</ul>\n", f);
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
    head(f, w, w->title, w->not_found, "");
    fprintf(f,
            "<p class=\"verdict verdict-not-found\" data-status=\"not_found\" "
            "role=\"status\">%s</p>\n<p class=\"verdict-note\">%s</p>\n",
            w->not_found, w->not_found_text);
    lookup_form(f, w, false);
    paste_form(f, w);
    return finish(f, &buf);
}

char *credpage_paste_html(const char *lang, bool bad_id)
{
    const words *w = words_for(lang);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (f == NULL)
        return NULL;
    head(f, w, w->paste_title, NULL, "/verify");
    fprintf(f, "<p class=\"lead\">%s</p>\n", w->paste_intro);
    lookup_form(f, w, bad_id);
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

/* The programme: the achievement's name (the credential's own name, which
 * also names the cohort, when there is none). */
static const char *programme_of(const json_t *payload)
{
    json_t *a = json_object_get(json_object_get(payload, "credentialSubject"), "achievement");
    const char *name = json_string_value(json_object_get(a, "name"));

    return name != NULL ? name : json_string_value(json_object_get(payload, "name"));
}

/* A link to the credential's own page when its id is a /credentials/ URL
 * on public_url (the page there has the dates, JP and the live status). */
static void own_page_link(FILE *f, const words *w, const json_t *payload, const char *public_url)
{
    static const char prefix[] = "/credentials/";
    const char *id = json_string_value(json_object_get(payload, "id"));
    size_t n = public_url != NULL ? strlen(public_url) : 0;

    if (id == NULL || n == 0 || strncmp(id, public_url, n) != 0 ||
        strncmp(id + n, prefix, sizeof prefix - 1) != 0)
        return;
    fputs("<p class=\"own-page\"><a href=\"", f);
    put_text(f, id + n);
    fprintf(f, "?lang=%s\">%s</a></p>\n", w->lang, w->open_page);
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
    head(f, w, w->paste_title, verdict_word(w, status), NULL);
    verdict(f, w, status, NULL);
    if (v->payload != NULL) {
        fputs("<dl class=\"facts\">\n", f);
        row(f, w->holder, holder_of(v->payload));
        row(f, w->programme, programme_of(v->payload));
        row(f, w->issuer,
            json_string_value(json_object_get(json_object_get(v->payload, "issuer"), "name")));
        fprintf(f, "<dt>%s</dt><dd>", w->issued);
        put_date(f, w, json_string_value(json_object_get(v->payload, "validFrom")));
        fputs("</dd>\n</dl>\n", f);
        own_page_link(f, w, v->payload, public_url);
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
    json_object_set_new(out, "signatory",
                        c->signatory_name == NULL
                            ? json_null()
                            : json_pack("{s:s, s:s, s:s?, s:s?, s:s?}", "name", c->signatory_name,
                                        "title", c->signatory_title, "nip", c->signatory_nip,
                                        "signature_image", c->signature_url, "logo", c->logo_url));
    return out;
}

void credpage_escape(FILE *f, const char *s)
{
    put_text(f, s);
}
