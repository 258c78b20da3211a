/* credpage.c — see credpage.h. Pages are written into a memory stream;
 * every value passes through put_text (HTML escaping). */
#include "sinau/cert/credpage.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/cert/certwords.h"
#include "sinau/cert/i18n_words.h" /* generated from web/i18n/<lang>/certificate.json */

#define JWKS_PATH "/.well-known/jwks.json"

/* Writes s with the five characters HTML gives a meaning escaped. */
static void put_text(FILE *f, const char *s)
{
    static const char special[] = "<>&\"'";
    static const char *const entity[] = {"&lt;", "&gt;", "&amp;", "&quot;", "&#39;"};

    for (; s != NULL && *s != '\0'; s++) {
        const char *hit = strchr(special, *s);

        if (hit != NULL)
            fputs(entity[hit - special], f);
        else
            fputc(*s, f);
    }
}

/* "2021-03-22…" as "22 Maret 2021"; the text itself when it is no date. */
static void put_date(FILE *f, const certwords *w, const char *iso)
{
    char text[64];
    int y, m, d;

    if (iso != NULL && sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) == 3 &&
        certwords_date(text, sizeof text, w, y, m, d) == 0)
        fputs(text, f);
    else
        put_text(f, iso);
}

/* The document up to and with the <h1>: <title> "[verdict — ]title — Sinau",
 * the stylesheet, a header with the brand and, when switch_href is not
 * NULL, the link to the same page in the other language (switch_href ""
 * makes it "?lang=…", the visitor's own address). */
static void head(FILE *f, const certwords *w, const char *title, const char *verdict_text,
                 const char *switch_href)
{
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
        fprintf(f, "?lang=%s\" lang=\"%s\" hreflang=\"%s\">%s</a>", w->other, w->other, w->other,
                w->text[I18N_CERT_PAGE_SWITCH_LANG]);
    }
    fprintf(f, "</div>\n</header>\n<main id=\"main\">\n<h1>%s</h1>\n",
            w->text[I18N_CERT_PAGE_TITLE]);
}

static void paste_form(FILE *f, const certwords *w)
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
            w->text[I18N_CERT_PAGE_PASTE_TITLE], w->lang, w->text[I18N_CERT_PAGE_PASTE_LABEL],
            w->text[I18N_CERT_PAGE_PASTE_BUTTON], w->text[I18N_CERT_PAGE_PASTE_HINT]);
}

/* The box that finds a certificate by the ID printed on it (GET /verify?id=),
 * with a message when the last one typed was malformed. */
static void lookup_form(FILE *f, const certwords *w, bool bad)
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
            w->text[I18N_CERT_PAGE_LOOKUP_TITLE], w->lang, w->text[I18N_CERT_PAGE_LOOKUP_LABEL],
            bad ? " cert-id-error" : "", w->text[I18N_CERT_PAGE_LOOKUP_HINT]);
    if (bad)
        fprintf(f, "<p class=\"field-error\" id=\"cert-id-error\" role=\"alert\">%s</p>\n",
                w->text[I18N_CERT_PAGE_LOOKUP_BAD]);
    fprintf(f, "<button type=\"submit\">%s</button>\n</form>\n</section>\n",
            w->text[I18N_CERT_PAGE_LOOKUP_BUTTON]);
}

/* Who signed: the logo, the signature, the name, title and NIP. */
static void signatory_block(FILE *f, const certwords *w, const credpage_facts *c)
{
    if (c->signatory_name == NULL)
        return;
    fprintf(f,
            "<section class=\"signatory\" aria-labelledby=\"signatory-h\">\n"
            "<h2 id=\"signatory-h\">%s</h2>\n",
            w->text[I18N_CERT_PAGE_SIGNED_BY]);
    if (c->logo_url != NULL) {
        fputs("<img class=\"signatory-logo\" src=\"", f);
        put_text(f, c->logo_url);
        fprintf(f, "\" alt=\"%s\" loading=\"lazy\">\n", w->text[I18N_CERT_PAGE_LOGO_ALT]);
    }
    if (c->signature_url != NULL) {
        fputs("<img class=\"signatory-signature\" src=\"", f);
        put_text(f, c->signature_url);
        fprintf(f, "\" alt=\"%s\" loading=\"lazy\">\n", w->text[I18N_CERT_PAGE_SIGNATURE_ALT]);
    }
    fputs("<p class=\"signatory-name\">", f);
    put_text(f, c->signatory_name);
    fputs("</p>\n<p class=\"signatory-title\">", f);
    put_text(f, c->signatory_title);
    fputs("</p>\n", f);
    if (c->signatory_nip != NULL && strlen(c->signatory_nip) == 18) {
        char nip[64];

        certwords_nip(nip, sizeof nip, w, c->signatory_nip);
        fprintf(f, "<p class=\"signatory-nip\">%s</p>\n", nip);
    }
    fputs("</section>\n", f);
}

/* A page being written: the stream and the buffer it fills. */
typedef struct page {
    FILE *f;
    char *buf;
    size_t len;
} page;

/* Opens a page and writes its head (see head()). Returns the stream, or
 * NULL when out of memory. */
static FILE *page_begin(page *p, const certwords *w, const char *title, const char *verdict_text,
                        const char *switch_href)
{
    p->buf = NULL;
    p->len = 0;
    p->f = open_memstream(&p->buf, &p->len);
    if (p->f != NULL)
        head(p->f, w, title, verdict_text, switch_href);
    return p->f;
}

/* Ends a page with the paste box that every page has. Returns the HTML
 * (owned), or NULL. */
static char *page_end(page *p, const certwords *w)
{
    paste_form(p->f, w);
    fputs("</main>\n</body>\n</html>\n", p->f);
    if (fclose(p->f) != 0) {
        free(p->buf);
        return NULL;
    }
    return p->buf;
}

void credpage_row(FILE *f, const char *label, const char *value)
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
static void checks_list(FILE *f, const certwords *w, const vccheck_result *v)
{
    fprintf(f, "<details class=\"checks\"><summary>%s</summary>\n<ul>\n",
            w->text[I18N_CERT_PAGE_CHECKS]);
    for (size_t i = 0; v != NULL && i < v->nchecks; i++) {
        bool ok = v->checks[i].ok;

        fprintf(f,
                "<li class=\"%s\"><span class=\"mark\" aria-hidden=\"true\">%s</span>"
                "<span class=\"visually-hidden\">%s: </span><code>",
                ok ? "ok" : "fail", ok ? "&#10003;" : "&#10007;",
                ok ? w->text[I18N_CERT_PAGE_PASSED] : w->text[I18N_CERT_PAGE_FAILED]);
        put_text(f, v->checks[i].name);
        fprintf(f, "</code> <span class=\"detail\"%s>",
                strcmp(w->lang, "en") != 0 ? " lang=\"en\"" : "");
        put_text(f, v->checks[i].detail);
        fputs("</span></li>\n", f);
    }
    fputs("</ul>\n</details>\n", f);
}

static const char *verdict_word(const certwords *w, const char *status)
{
    if (strcmp(status, "valid") == 0)
        return w->text[I18N_CERT_PAGE_VALID];
    return strcmp(status, "revoked") == 0 ? w->text[I18N_CERT_PAGE_REVOKED]
                                          : w->text[I18N_CERT_PAGE_INVALID];
}

/* The verdict badge ("valid", "revoked" or "invalid") and the sentence that
 * says what it means; a revocation with its date when known. */
static void verdict(FILE *f, const certwords *w, const char *status, const char *revoked_at)
{
    fprintf(f,
            "<p class=\"verdict verdict-%s\" data-status=\"%s\" role=\"status\">%s</p>\n"
            "<p class=\"verdict-note\">",
            status, status, verdict_word(w, status));
    if (strcmp(status, "valid") == 0) {
        fputs(w->text[I18N_CERT_PAGE_NOTE_VALID], f);
    } else if (strcmp(status, "revoked") == 0) {
        fputs(w->text[I18N_CERT_PAGE_NOTE_REVOKED], f);
        if (revoked_at != NULL) {
            fputs(w->text[I18N_CERT_PAGE_NOTE_REVOKED_ON], f);
            put_date(f, w, revoked_at);
        }
        fputs(w->text[I18N_CERT_PAGE_NOTE_REVOKED_END], f);
    } else {
        fputs(w->text[I18N_CERT_PAGE_NOTE_INVALID], f);
    }
    fputs("</p>\n", f);
}

/* A <dt>label</dt> with the date (or the span from – to when to is not
 * NULL) as its <dd>. */
static void date_row(FILE *f, const certwords *w, enum i18n_word label, const char *from,
                     const char *to)
{
    fprintf(f, "<dt>%s</dt><dd>", w->text[label]);
    put_date(f, w, from);
    if (to != NULL) {
        fputs(" – ", f);
        put_date(f, w, to);
    }
    fputs("</dd>\n", f);
}

static void facts_list(FILE *f, const certwords *w, const credpage_facts *c)
{
    char jp[32];

    fputs("<dl class=\"facts\">\n", f);
    credpage_row(f, w->text[I18N_CERT_PAGE_HOLDER], c->holder_name);
    credpage_row(f, w->text[I18N_CERT_PAGE_PROGRAMME], c->programme);
    credpage_row(f, w->text[I18N_CERT_PAGE_COHORT], c->cohort);
    date_row(f, w, I18N_CERT_PAGE_DATES, c->starts_on, c->ends_on);
    snprintf(jp, sizeof jp, "%d %s", c->jp, w->text[I18N_CERT_JP]);
    credpage_row(f, w->text[I18N_CERT_PAGE_JP], jp);
    credpage_row(f, w->text[I18N_CERT_PAGE_ISSUER], c->issuer);
    date_row(f, w, I18N_CERT_PAGE_ISSUED, c->issued_at, NULL);
    if (c->revoked_at != NULL)
        date_row(f, w, I18N_CERT_PAGE_REVOKED_ON, c->revoked_at, NULL);
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
    const certwords *w = certwords_for(lang);
    char path[64];
    page p;
    FILE *f;

    snprintf(path, sizeof path, "/credentials/%s", c->id);
    f = page_begin(&p, w, w->text[I18N_CERT_PAGE_TITLE], verdict_word(w, c->status), path);
    if (f == NULL)
        return NULL;
    verdict(f, w, c->status, c->revoked_at);
    facts_list(f, w, c);
    signatory_block(f, w, c);
    fprintf(f, "<p class=\"signature\">%s</p>\n",
            strcmp(c->status, "invalid") == 0 ? w->text[I18N_CERT_PAGE_CHECKED_FAIL]
                                              : w->text[I18N_CERT_PAGE_CHECKED]);
    checks_list(f, w, c->checks);
    fputs("<ul class=\"links\">\n", f);
    link_item(f, path, ".pdf", w->text[I18N_CERT_PAGE_PDF]);
    link_item(f, path, "?format=jwt", w->text[I18N_CERT_PAGE_JWT]);
    link_item(f, path, "?format=json", w->text[I18N_CERT_PAGE_JSON]);
    fputs("</ul>\n", f);
    return page_end(&p, w);
}

char *credpage_not_found_html(const char *id, const char *lang)
{
    const certwords *w = certwords_for(lang);
    page p;
    FILE *f =
        page_begin(&p, w, w->text[I18N_CERT_PAGE_TITLE], w->text[I18N_CERT_PAGE_NOT_FOUND], "");

    (void)id; /* never echoed: a page must not reflect what a visitor typed */
    if (f == NULL)
        return NULL;
    fprintf(f,
            "<p class=\"verdict verdict-not-found\" data-status=\"not_found\" "
            "role=\"status\">%s</p>\n<p class=\"verdict-note\">%s</p>\n",
            w->text[I18N_CERT_PAGE_NOT_FOUND], w->text[I18N_CERT_PAGE_NOT_FOUND_TEXT]);
    lookup_form(f, w, false);
    return page_end(&p, w);
}

char *credpage_paste_html(const char *lang, bool bad_id)
{
    const certwords *w = certwords_for(lang);
    page p;
    FILE *f = page_begin(&p, w, w->text[I18N_CERT_PAGE_PASTE_TITLE], NULL, "/verify");

    if (f == NULL)
        return NULL;
    fprintf(f, "<p class=\"lead\">%s</p>\n", w->text[I18N_CERT_PAGE_PASTE_INTRO]);
    lookup_form(f, w, bad_id);
    return page_end(&p, w);
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
static void own_page_link(FILE *f, const certwords *w, const json_t *payload,
                          const char *public_url)
{
    static const char prefix[] = "/credentials/";
    const char *id = json_string_value(json_object_get(payload, "id"));
    size_t n = public_url != NULL ? strlen(public_url) : 0;

    if (id == NULL || n == 0 || strncmp(id, public_url, n) != 0 ||
        strncmp(id + n, prefix, sizeof prefix - 1) != 0)
        return;
    fputs("<p class=\"own-page\"><a href=\"", f);
    put_text(f, id + n);
    fprintf(f, "?lang=%s\">%s</a></p>\n", w->lang, w->text[I18N_CERT_PAGE_OPEN_PAGE]);
}

char *credpage_pasted_html(const vccheck_result *v, const char *lang, const char *public_url)
{
    const certwords *w = certwords_for(lang);
    const char *status = !v->valid && v->status == VCCHECK_STATUS_REVOKED ? "revoked"
                         : v->valid                                       ? "valid"
                                                                          : "invalid";
    page p;
    FILE *f = page_begin(&p, w, w->text[I18N_CERT_PAGE_PASTE_TITLE], verdict_word(w, status), NULL);

    if (f == NULL)
        return NULL;
    verdict(f, w, status, NULL);
    if (v->payload != NULL) {
        fputs("<dl class=\"facts\">\n", f);
        credpage_row(f, w->text[I18N_CERT_PAGE_HOLDER], holder_of(v->payload));
        credpage_row(f, w->text[I18N_CERT_PAGE_PROGRAMME], programme_of(v->payload));
        credpage_row(
            f, w->text[I18N_CERT_PAGE_ISSUER],
            json_string_value(json_object_get(json_object_get(v->payload, "issuer"), "name")));
        date_row(f, w, I18N_CERT_PAGE_ISSUED,
                 json_string_value(json_object_get(v->payload, "validFrom")), NULL);
        fputs("</dl>\n", f);
        own_page_link(f, w, v->payload, public_url);
    }
    checks_list(f, w, v);
    return page_end(&p, w);
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
