/* test_credpage.c — the verification pages (credpage.h): the verdict badge
 * with its data-status and the sentence that explains it (a revocation with
 * its date), dates as "22 Maret 2021" / "22 March 2021", every value
 * HTML-escaped, no inline script or style anywhere (the CSP forbids them),
 * the not-found page never echoing the id, the language switch, the paste
 * box, and the pasted token's answer with its link to the certificate's
 * own page only when the id is on our origin. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/cert/credpage.h"

#define ORIGIN "https://sinau.example"
#define CID    "0123456789abcdefghjkmnpqrs"

static vccheck_result checks_ok(void)
{
    vccheck_result v = {.valid = true, .status = VCCHECK_STATUS_VALID, .nchecks = 2};

    v.checks[0].name = "signature";
    v.checks[0].ok = true;
    snprintf(v.checks[0].detail, sizeof v.checks[0].detail, "%s", "Ed25519 signature verifies");
    v.checks[1].name = "status";
    v.checks[1].ok = true;
    snprintf(v.checks[1].detail, sizeof v.checks[1].detail, "%s",
             "the bit in the revocation list is 0");
    return v;
}

static credpage_facts facts(const vccheck_result *v)
{
    credpage_facts f = {
        .id = CID,
        .public_url = ORIGIN,
        .status = "valid",
        .holder_name = "Ani Lestari",
        .programme = "Pelatihan Digital UMKM",
        .cohort = "Angkatan 1",
        .issuer = "Pemerintah Kota Malang",
        .starts_on = "2021-03-22",
        .ends_on = "2021-04-30",
        .issued_at = "2021-05-01 09:00:00+07",
        .revoked_at = NULL,
        .jp = 40,
        .checks = v,
    };
    return f;
}

static void has(const char *page, const char *needle)
{
    if (strstr(page, needle) == NULL)
        fail_msg("missing \"%s\" in:\n%s", needle, page);
}

static void lacks(const char *page, const char *needle)
{
    if (strstr(page, needle) != NULL)
        fail_msg("unexpected \"%s\" in:\n%s", needle, page);
}

/* What every page must never hold: scripts, inline styles, handlers. */
static void csp_clean(const char *page)
{
    lacks(page, "<script");
    lacks(page, "<style");
    lacks(page, "style=");
    lacks(page, " onload=");
    lacks(page, " onclick=");
    has(page, "<link rel=\"stylesheet\" href=\"/css/site.css\">");
    has(page, "<body class=\"credential\">");
    has(page, "<meta name=\"robots\" content=\"noindex\">");
}

static void valid_page_in_indonesian(void **state)
{
    vccheck_result v = checks_ok();
    credpage_facts f = facts(&v);
    char *page = credpage_html(&f, NULL);

    (void)state;
    assert_non_null(page);
    csp_clean(page);
    has(page, "<html lang=\"id\">");
    has(page, "<title>VALID — Verifikasi Sertifikat — Sinau</title>");
    has(page, "<p class=\"verdict verdict-valid\" data-status=\"valid\" role=\"status\">VALID</p>");
    has(page, "<p class=\"verdict-note\">Sertifikat ini asli dan masih berlaku.</p>");
    has(page, "<dt>Nama pemegang</dt><dd>Ani Lestari</dd>");
    has(page, "<dd>22 Maret 2021 – 30 April 2021</dd>");
    has(page, "<dd>40 JP</dd>");
    has(page, "<dt>Diterbitkan</dt><dd>1 Mei 2021</dd>");
    lacks(page, "Dicabut");
    has(page, "href=\"/credentials/" CID "?lang=en\" lang=\"en\" hreflang=\"en\">English</a>");
    has(page, "<a href=\"/credentials/" CID ".pdf\">Unduh PDF</a>");
    has(page, "<a href=\"/credentials/" CID "?format=jwt\">");
    /* checks: a mark hidden from screen readers, a word read instead, and
     * the English detail marked as English */
    has(page, "<span class=\"mark\" aria-hidden=\"true\">&#10003;</span>"
              "<span class=\"visually-hidden\">lolos: </span><code>signature</code> "
              "<span class=\"detail\" lang=\"en\">Ed25519 signature verifies</span>");
    has(page, "<form method=\"post\" action=\"/verify?lang=id\">");
    has(page, "aria-describedby=\"token-hint\"");
    free(page);
}

static void revoked_page_in_english_says_when(void **state)
{
    vccheck_result v = checks_ok();
    credpage_facts f = facts(&v);
    char *page;

    (void)state;
    v.checks[1].ok = false;
    f.status = "revoked";
    f.revoked_at = "2021-06-05 10:11:12.5+00";
    page = credpage_html(&f, "en");
    assert_non_null(page);
    csp_clean(page);
    has(page, "<html lang=\"en\">");
    has(page, "data-status=\"revoked\" role=\"status\">REVOKED</p>");
    has(page, "The issuer revoked this certificate on 5 June 2021; it is no longer in force.");
    has(page, "<dt>Revoked on</dt><dd>5 June 2021</dd>");
    has(page, "<dd>22 March 2021 – 30 April 2021</dd>");
    has(page, "<li class=\"fail\"><span class=\"mark\" aria-hidden=\"true\">&#10007;</span>"
              "<span class=\"visually-hidden\">failed: </span><code>status</code> "
              "<span class=\"detail\">");
    has(page, "?lang=id\" lang=\"id\" hreflang=\"id\">Bahasa Indonesia</a>");
    free(page);

    f.revoked_at = NULL; /* the bit set, the date unknown: no date invented */
    page = credpage_html(&f, "id");
    assert_non_null(page);
    has(page, ">DICABUT</p>");
    has(page, "Sertifikat ini dicabut oleh penerbit dan tidak berlaku lagi.");
    free(page);
}

static void invalid_page_says_do_not_rely(void **state)
{
    vccheck_result v = checks_ok();
    credpage_facts f = facts(&v);
    char *page;

    (void)state;
    v.valid = false;
    v.checks[0].ok = false;
    f.status = "invalid";
    page = credpage_html(&f, "id");
    assert_non_null(page);
    has(page, "<p class=\"verdict verdict-invalid\" data-status=\"invalid\" role=\"status\">TIDAK "
              "SAH</p>");
    has(page, "Jangan mempercayai isinya");
    has(page, "TIDAK cocok dengan kunci publik");
    free(page);
}

static void every_value_is_escaped(void **state)
{
    vccheck_result v = checks_ok();
    credpage_facts f = facts(&v);
    char *page;

    (void)state;
    f.holder_name = "<script>alert(\"x\")</script> & 'y'";
    f.programme = "<img src=x onerror=alert(1)>";
    f.cohort = "\"><b>";
    f.issuer = "A & B";
    f.starts_on = "<i>not a date</i>";
    snprintf(v.checks[0].detail, sizeof v.checks[0].detail, "%s", "<b>detail</b>");
    page = credpage_html(&f, "id");
    assert_non_null(page);
    csp_clean(page);
    has(page, "<dd>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;</dd>");
    has(page, "<dd>&lt;img src=x onerror=alert(1)&gt;</dd>");
    has(page, "<dd>&quot;&gt;&lt;b&gt;</dd>");
    has(page, "<dd>A &amp; B</dd>");
    has(page, "<dd>&lt;i&gt;not a date&lt;/i&gt; – 30 April 2021</dd>");
    has(page, "&lt;b&gt;detail&lt;/b&gt;");
    lacks(page, "<img");
    lacks(page, "<b>");
    free(page);
}

static void not_found_never_echoes_the_id(void **state)
{
    const char *hostile = "\"><script>alert(1)</script>";
    char *page = credpage_not_found_html(hostile, "id");

    (void)state;
    assert_non_null(page);
    csp_clean(page);
    lacks(page, "alert(1)");
    has(page, "data-status=\"not_found\" role=\"status\">TIDAK DITEMUKAN</p>");
    has(page, "<p class=\"verdict-note\">Tidak ada sertifikat dengan kode ini.");
    /* the switch goes to the visitor's own address, not a copy of it */
    has(page, "<a class=\"lang-switch\" href=\"?lang=en\"");
    has(page, "<textarea id=\"token\" name=\"token\"");
    free(page);
    page = credpage_not_found_html(NULL, "en");
    assert_non_null(page);
    has(page, ">NOT FOUND</p>");
    free(page);
}

static void paste_box_alone(void **state)
{
    char *page = credpage_paste_html("en", false);

    (void)state;
    assert_non_null(page);
    csp_clean(page);
    lacks(page, "class=\"verdict");
    has(page, "<title>Check a certificate token — Sinau</title>");
    /* issue 12: the intro names the printed ID, and a box looks it up */
    has(page,
        "<p class=\"lead\">To check a certificate, open its link, scan its QR code or type the ID");
    has(page, "<form method=\"get\" action=\"/verify\">");
    has(page, "<input id=\"cert-id\" name=\"id\"");
    lacks(page, "class=\"field-error\"");
    has(page, "href=\"/verify?lang=id\"");
    has(page, "<form method=\"post\" action=\"/verify?lang=en\">");
    has(page, "<a href=\"/.well-known/jwks.json\"><code>/.well-known/jwks.json</code></a>");
    free(page);
    page = credpage_paste_html("id", true);
    has(page, "<p class=\"field-error\" id=\"cert-id-error\" role=\"alert\">");
    has(page, "aria-describedby=\"cert-id-hint cert-id-error\"");
    free(page);
}

/* A verified payload as vccheck hands it out (only the members read). */
static json_t *payload(const char *id, const char *holder)
{
    return json_pack("{s:s, s:s, s:{s:s}, s:s, s:{s:[{s:s, s:b}, {s:s, s:b}], s:{s:s}}}", "id", id,
                     "name", "Sertifikat: X — Angkatan 1", "issuer", "name", "Kota & Co",
                     "validFrom", "2021-03-22T01:02:03Z", "credentialSubject", "identifier",
                     "identityHash", "sha256$abc", "hashed", 1, "identityHash", holder, "hashed", 0,
                     "achievement", "name", "Pelatihan <Digital>");
}

static void pasted_valid_token_links_its_page(void **state)
{
    vccheck_result v = checks_ok();
    char *page;

    (void)state;
    v.payload = payload(ORIGIN "/credentials/" CID, "Ani <Lestari>");
    page = credpage_pasted_html(&v, "id", ORIGIN);
    assert_non_null(page);
    csp_clean(page);
    has(page, "<title>VALID — Periksa token sertifikat — Sinau</title>");
    has(page, "data-status=\"valid\" role=\"status\">VALID</p>");
    has(page, "<dt>Nama pemegang</dt><dd>Ani &lt;Lestari&gt;</dd>");
    has(page, "<dt>Program</dt><dd>Pelatihan &lt;Digital&gt;</dd>");
    has(page, "<dt>Penerbit</dt><dd>Kota &amp; Co</dd>");
    has(page, "<dt>Diterbitkan</dt><dd>22 Maret 2021</dd>");
    lacks(page, "sha256$abc");
    has(page, "<p class=\"own-page\"><a href=\"/credentials/" CID "?lang=id\">");
    free(page);
    json_decref(v.payload);

    /* an id elsewhere gets no link */
    v.payload = payload("https://elsewhere.example/credentials/" CID, "Ani");
    page = credpage_pasted_html(&v, "id", ORIGIN);
    assert_non_null(page);
    lacks(page, "own-page");
    free(page);
    json_decref(v.payload);

    /* one on our origin but hostile is escaped */
    v.payload = payload(ORIGIN "/credentials/\"><script>", "Ani");
    page = credpage_pasted_html(&v, "id", ORIGIN);
    assert_non_null(page);
    csp_clean(page);
    has(page, "<a href=\"/credentials/&quot;&gt;&lt;script&gt;?lang=id\">");
    free(page);
    json_decref(v.payload);
}

static void pasted_tampered_token_shows_no_facts(void **state)
{
    vccheck_result v = checks_ok();
    char *page;

    (void)state;
    v.valid = false;
    v.status = VCCHECK_STATUS_UNKNOWN;
    v.checks[0].ok = false;
    page = credpage_pasted_html(&v, "en", ORIGIN);
    assert_non_null(page);
    has(page, "<title>INVALID — Check a certificate token — Sinau</title>");
    has(page, "data-status=\"invalid\" role=\"status\">INVALID</p>");
    has(page, "Do not rely on what it says");
    lacks(page, "<dl class=\"facts\">");
    lacks(page, "own-page");
    free(page);

    v.checks[0].ok = true; /* signature fine, the status bit set */
    v.status = VCCHECK_STATUS_REVOKED;
    v.checks[1].ok = false;
    page = credpage_pasted_html(&v, "id", ORIGIN);
    assert_non_null(page);
    has(page, "data-status=\"revoked\" role=\"status\">DICABUT</p>");
    has(page, "Sertifikat ini dicabut oleh penerbit dan tidak berlaku lagi.");
    free(page);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_page_in_indonesian),
        cmocka_unit_test(revoked_page_in_english_says_when),
        cmocka_unit_test(invalid_page_says_do_not_rely),
        cmocka_unit_test(every_value_is_escaped),
        cmocka_unit_test(not_found_never_echoes_the_id),
        cmocka_unit_test(paste_box_alone),
        cmocka_unit_test(pasted_valid_token_links_its_page),
        cmocka_unit_test(pasted_tampered_token_shows_no_facts),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
