/* achpage.c — achievement pages (see achpage.h). */
#include "sinau/cert/achpage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/cert/certwords.h"
#include "sinau/cert/credpage.h"
#include "sinau/cert/i18n_words.h" /* generated from web/i18n/<lang>/certificate.json */
#include "sinau/cert/jsonld.h"

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s != NULL ? s : "";
}

/* The criteria of every cohort, one line each ("Angkatan 1: …"). */
static char *criteria_text(const json_t *facts)
{
    const json_t *c, *cohorts = json_object_get(facts, "cohorts");
    char *buf = NULL;
    size_t len = 0, i;
    FILE *f = open_memstream(&buf, &len);

    if (f == NULL)
        return NULL;
    if (json_object_get(facts, "criteria") != NULL)
        fputs(str(facts, "criteria"), f);
    json_array_foreach (cohorts, i, c)
        fprintf(f, "%s%s: %s", i > 0 ? " " : "", str(c, "name"), str(c, "criteria"));
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

json_t *achpage_jsonld(const json_t *facts, const char *id_url, const char *public_url,
                       const char *issuer_name)
{
    char issuer[600], *criteria = criteria_text(facts);
    const json_t *version = json_object_get(facts, "version");
    json_t *a;

    snprintf(issuer, sizeof issuer, "%s/issuer", public_url);
    a = json_pack(
        "{s:[s,s], s:s, s:[s], s:s, s:s, s:s, s:{s:s}, s:{s:s, s:[s], s:s, s:s}}", "@context",
        JSONLD_CONTEXT_VC, JSONLD_CONTEXT_OB, "id", id_url, "type", "Achievement",
        "achievementType",
        json_object_get(facts, "transcript_year") != NULL ? "Achievement" : "Certificate", "name",
        str(facts, "title"), "description",
        str(facts, "description")[0] != '\0' ? str(facts, "description") : str(facts, "title"),
        "criteria", "narrative", criteria != NULL && criteria[0] != '\0' ? criteria : "-",
        "creator", "id", issuer, "type", "Profile", "name", issuer_name, "url", public_url);
    free(criteria);
    if (a != NULL && json_is_integer(version)) {
        char v[24], hash[80];
        snprintf(v, sizeof v, "%lld", (long long)json_integer_value(version));
        snprintf(hash, sizeof hash, "sha256:%s", str(facts, "content_hash"));
        json_object_set_new(a, "version", json_string(v));
        json_object_set_new(a, "otherIdentifier",
                            json_pack("[{s:s, s:s, s:s}]", "type", "IdentifierEntry", "identifier",
                                      hash, "identifierType", "ext:contentHash"));
    }
    return a;
}

static void head(FILE *f, const certwords *w, const json_t *facts, const char *path)
{
    fprintf(f,
            "<!doctype html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
            w->lang);
    credpage_escape(f, str(facts, "title"));
    fputs(" — Sinau</title>\n<link rel=\"stylesheet\" href=\"/css/site.css\">\n<link "
          "rel=\"alternate\" type=\"application/ld+json\" href=\"",
          f);
    credpage_escape(f, path);
    fputs("?format=json\">\n</head>\n<body class=\"credential achievement\">\n"
          "<header class=\"site-header\">\n<div class=\"bar\"><a class=\"brand\" "
          "href=\"/\">Sinau</a><a class=\"lang-switch\" href=\"",
          f);
    credpage_escape(f, path);
    fprintf(f,
            "?lang=%s\" lang=\"%s\" hreflang=\"%s\">%s</a></div>\n</header>\n<main id=\"main\">\n",
            w->other, w->other, w->other, w->text[I18N_CERT_PAGE_SWITCH_LANG]);
    fprintf(f, "<p class=\"kicker\">%s</p>\n<h1>", w->text[I18N_CERT_ACH_KIND]);
    credpage_escape(f, str(facts, "title"));
    fputs("</h1>\n<p>", f);
    credpage_escape(f, str(facts, "description"));
    fputs("</p>\n", f);
}

static void version_facts(FILE *f, const certwords *w, const json_t *facts, const char *issuer_name)
{
    const json_t *version = json_object_get(facts, "version");
    char v[24];

    fputs("<dl class=\"facts\">\n", f);
    if (json_is_integer(version)) {
        snprintf(v, sizeof v, "v%lld", (long long)json_integer_value(version));
        credpage_row(f, w->text[I18N_CERT_ACH_VERSION], v);
        fprintf(f, "<dt>%s</dt><dd><code class=\"hash\">", w->text[I18N_CERT_ACH_HASH]);
        credpage_escape(f, str(facts, "content_hash"));
        fputs("</code></dd>\n", f);
        credpage_row(f, w->text[I18N_CERT_ACH_PUBLISHED], str(facts, "published_at"));
    }
    credpage_row(f, w->text[I18N_CERT_PAGE_ISSUER], issuer_name);
    fputs("</dl>\n", f);
    if (json_is_integer(version))
        fprintf(f, "<p class=\"hint\">%s</p>\n", w->text[I18N_CERT_ACH_HASH_NOTE]);
}

static void modules_list(FILE *f, const certwords *w, const json_t *facts)
{
    const json_t *m, *l;
    size_t i, j;

    if (json_array_size(json_object_get(facts, "modules")) == 0)
        return;
    fprintf(f, "<h2>%s</h2>\n<ol class=\"modules\">\n", w->text[I18N_CERT_ACH_LESSONS]);
    json_array_foreach (json_object_get(facts, "modules"), i, m) {
        fputs("<li>", f);
        credpage_escape(f, str(m, "title"));
        fputs("<ol>", f);
        json_array_foreach (json_object_get(m, "lessons"), j, l) {
            fputs("<li>", f);
            credpage_escape(f, json_string_value(l));
            fputs("</li>", f);
        }
        fputs("</ol></li>\n", f);
    }
    fputs("</ol>\n", f);
}

static void cohorts_table(FILE *f, const certwords *w, const json_t *facts)
{
    const json_t *c, *cohorts = json_object_get(facts, "cohorts");
    size_t i;

    if (cohorts == NULL)
        return;
    fprintf(f, "<h2>%s</h2>\n", w->text[I18N_CERT_ACH_COHORTS]);
    if (json_array_size(cohorts) == 0) {
        fprintf(f, "<p>%s</p>\n", w->text[I18N_CERT_ACH_NONE]);
        return;
    }
    fprintf(f,
            "<div class=\"table-wrap\"><table>\n<thead><tr><th scope=\"col\">%s</th>"
            "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr>"
            "</thead>\n<tbody>\n",
            w->text[I18N_CERT_PAGE_COHORT], w->text[I18N_CERT_ACH_DATES], w->text[I18N_CERT_JP],
            w->text[I18N_CERT_ACH_CRITERIA]);
    json_array_foreach (cohorts, i, c) {
        fputs("<tr><th scope=\"row\">", f);
        credpage_escape(f, str(c, "name"));
        fputs("</th><td>", f);
        credpage_escape(f, str(c, "starts_on"));
        fputs(" – ", f);
        credpage_escape(f, str(c, "ends_on"));
        fprintf(f, "</td><td>%lld</td><td>",
                (long long)json_integer_value(json_object_get(c, "jp")));
        credpage_escape(f, str(c, "criteria"));
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody>\n</table></div>\n", f);
}

char *achpage_html(const json_t *facts, const char *id_url, const char *issuer_name,
                   const char *lang)
{
    const certwords *w = certwords_for(lang);
    const char *path = strstr(id_url, "/achievements/");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (f == NULL)
        return NULL;
    head(f, w, facts, path != NULL ? path : id_url);
    version_facts(f, w, facts, issuer_name);
    if (json_object_get(facts, "criteria") != NULL) {
        fprintf(f, "<h2>%s</h2>\n<p>", w->text[I18N_CERT_ACH_CRITERIA]);
        credpage_escape(f, str(facts, "criteria"));
        fputs("</p>\n", f);
    }
    modules_list(f, w, facts);
    cohorts_table(f, w, facts);
    fprintf(f, "<ul class=\"links\"><li><a href=\"");
    credpage_escape(f, path != NULL ? path : id_url);
    fprintf(f, "?format=json\">%s</a></li></ul>\n</main>\n</body>\n</html>\n",
            w->text[I18N_CERT_ACH_MACHINE]);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

json_t *achpage_transcript_facts(int year)
{
    const certwords *w = certwords_for("id"); /* the achievement's own language */
    char y[16], title[96], desc[400], crit[400];

    snprintf(y, sizeof y, "%d", year);
    certwords_fill(title, sizeof title, w->text[I18N_CERT_ACH_JP_TITLE], "year", y);
    certwords_fill(desc, sizeof desc, w->text[I18N_CERT_ACH_JP_DESCRIPTION], "year", y);
    certwords_fill(crit, sizeof crit, w->text[I18N_CERT_ACH_JP_CRITERIA], "year", y);
    return json_pack("{s:s, s:s, s:s, s:s, s:i}", "slug", "jp-record", "title", title,
                     "description", desc, "criteria", crit, "transcript_year", year);
}
