/* test_certpdf.c — the certificate PDF (certpdf.h): a PDF comes out, the
 * same fields give the same bytes (also across threads), bad fields are
 * refused, dates print in Indonesian and English, long names shrink inside
 * the frame without overlapping anything, and the QR code, rendered by
 * poppler and read by zbar, holds exactly the URL. Needs pdftoppm and
 * pdftotext (poppler-utils) and zbarimg (zbar-tools). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sinau/cert/pdf.h"

#define PAGE_W  841.89
#define PAGE_H  595.28
#define FRAME   30.0 /* the inner border, from each edge */
#define URL     "https://sinau.malangkota.go.id/credentials/7kq3m9xa4v2b8n6c1d5e0f3g7h"
#define THREADS 4

static certpdf_fields fields(void)
{
    certpdf_fields f = {
        .lang = "id",
        .holder_name = "Siti Nurhaliza Rahmawati",
        .programme = "Sinau TikTok & YouTube",
        .cohort = "Angkatan 1",
        .starts_on = "2026-03-01",
        .ends_on = "2026-04-22",
        .jp = 32,
        .issued_at = "2026-11-29T10:00:00Z",
        .issuer_name = "Pemerintah Kota Malang \xE2\x80\x94 Diskominfo",
        .signatory_name = "Dr. Ir. Bambang Santoso, M.Si.",
        .signatory_title = "Kepala Dinas Komunikasi dan Informatika Kota Malang",
        .short_id = "7kq3m9xa",
        .url = URL,
    };
    return f;
}

/* Renders f, which must succeed. The caller frees. */
static unsigned char *render(const certpdf_fields *f, size_t *len)
{
    unsigned char *pdf = NULL;

    assert_int_equal(certpdf_render(f, &pdf, len), 0);
    assert_non_null(pdf);
    assert_true(*len > 1000);
    return pdf;
}

/* Renders f, which must be refused. */
static void refused(const certpdf_fields *f)
{
    unsigned char *pdf = (unsigned char *)"untouched";
    size_t len = 1;

    assert_int_equal(certpdf_render(f, &pdf, &len), -1);
    assert_null(pdf);
    assert_int_equal(len, 0);
}

/* ---- running poppler and zbar ---- */

static void need_tools(void)
{
    if (system("command -v pdftoppm pdftotext zbarimg >/dev/null") != 0)
        fail_msg("pdftoppm, pdftotext (poppler-utils) or zbarimg (zbar-tools) missing: install "
                 "them (scripts/dev.sh lists them in its packages)");
}

/* Runs cmd through the shell; returns its standard output (the caller
 * frees) and its exit status in *status. */
static char *run(const char *cmd, int *status)
{
    FILE *p = popen(cmd, "r");
    char *out = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[4096];
    int rc;

    assert_non_null(p);
    while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            out = realloc(out, cap);
            assert_non_null(out);
        }
        memcpy(out + len, chunk, n);
        len += n;
    }
    if (out == NULL)
        out = calloc(1, 1);
    assert_non_null(out);
    out[len] = '\0';
    rc = pclose(p);
    *status = rc != -1 && WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    return out;
}

/* A scratch directory holding the PDF as doc.pdf. */
typedef struct scratch {
    char dir[64];
    char pdf[96];
} scratch;

static void scratch_write(scratch *s, const unsigned char *pdf, size_t len)
{
    FILE *fp;

    snprintf(s->dir, sizeof(s->dir), "/tmp/test_certpdf.XXXXXX");
    assert_non_null(mkdtemp(s->dir));
    snprintf(s->pdf, sizeof(s->pdf), "%s/doc.pdf", s->dir);
    fp = fopen(s->pdf, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(pdf, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

static void scratch_remove(scratch *s)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
    assert_int_equal(system(cmd), 0);
}

/* Runs cmd and returns its output; fails unless it exits 0. */
static char *run_ok(const char *cmd)
{
    char *out;
    int status;

    out = run(cmd, &status);
    if (status != 0)
        fail_msg("`%s` exited with %d", cmd, status);
    return out;
}

/* The page's text as pdftotext extracts it, every run of white space one
 * space. The caller frees. */
static char *page_text(const unsigned char *pdf, size_t len)
{
    scratch s;
    char cmd[256], *out, *w;
    bool space = false;

    need_tools();
    scratch_write(&s, pdf, len);
    snprintf(cmd, sizeof(cmd), "pdftotext -enc UTF-8 '%s' - 2>&1", s.pdf);
    out = run_ok(cmd);
    scratch_remove(&s);
    w = out;
    for (const char *r = out; *r != '\0'; r++) {
        if (*r == ' ' || *r == '\n' || *r == '\t' || *r == '\f' || *r == '\r') {
            space = true;
            continue;
        }
        if (space && w != out)
            *w++ = ' ';
        space = false;
        *w++ = *r;
    }
    *w = '\0';
    return out;
}

static void assert_contains(const char *hay, const char *needle)
{
    if (strstr(hay, needle) == NULL)
        fail_msg("\"%s\" not found in the page text: %s", needle, hay);
}

/* ---- tests ---- */

static void renders_a_pdf(void **state)
{
    certpdf_fields f = fields();
    size_t len;
    unsigned char *pdf = render(&f, &len);
    size_t end = len;

    assert_memory_equal(pdf, "%PDF-", 5);
    while (end > 0 && (pdf[end - 1] == '\n' || pdf[end - 1] == '\r'))
        end--;
    assert_true(end >= 5);
    assert_memory_equal(pdf + end - 5, "%%EOF", 5);
    free(pdf);
}

static void same_fields_give_identical_bytes(void **state)
{
    certpdf_fields f = fields();
    size_t a_len, b_len;
    unsigned char *a = render(&f, &a_len);
    unsigned char *b;

    sleep(1); /* a clock anywhere in the output would show */
    b = render(&f, &b_len);
    assert_int_equal(a_len, b_len);
    assert_memory_equal(a, b, a_len);
    free(a);
    free(b);
}

typedef struct race {
    const unsigned char *want;
    size_t want_len;
    int same; /* renders equal to want */
} race;

static void *race_run(void *arg)
{
    race *r = arg;
    certpdf_fields f = fields();

    for (int i = 0; i < 3; i++) {
        unsigned char *pdf = NULL;
        size_t len = 0;

        if (certpdf_render(&f, &pdf, &len) == 0 && len == r->want_len &&
            memcmp(pdf, r->want, len) == 0)
            r->same++;
        free(pdf);
    }
    return NULL;
}

static void concurrent_renders_give_identical_bytes(void **state)
{
    certpdf_fields f = fields();
    size_t len;
    unsigned char *want = render(&f, &len);
    pthread_t th[THREADS];
    race r[THREADS];

    for (int i = 0; i < THREADS; i++) {
        r[i] = (race){want, len, 0};
        assert_int_equal(pthread_create(&th[i], NULL, race_run, &r[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(r[i].same, 3);
    }
    free(want);
}

static void different_names_give_different_bytes(void **state)
{
    certpdf_fields f = fields();
    size_t a_len, b_len;
    unsigned char *a = render(&f, &a_len);
    unsigned char *b;

    f.holder_name = "Siti Nurhaliza Rahmawata";
    b = render(&f, &b_len);
    assert_true(a_len != b_len || memcmp(a, b, a_len) != 0);
    free(a);
    free(b);
}

/* Each string field in turn: NULL, then one byte over the limit, are
 * refused; exactly at the limit is accepted. */
static void refuses_missing_and_oversize_fields(void **state)
{
    static const size_t offsets[] = {
        offsetof(certpdf_fields, holder_name),
        offsetof(certpdf_fields, programme),
        offsetof(certpdf_fields, cohort),
        offsetof(certpdf_fields, starts_on),
        offsetof(certpdf_fields, ends_on),
        offsetof(certpdf_fields, issued_at),
        offsetof(certpdf_fields, issuer_name),
        offsetof(certpdf_fields, signatory_name),
        offsetof(certpdf_fields, signatory_title),
        offsetof(certpdf_fields, short_id),
        offsetof(certpdf_fields, url),
    };
    char *big = malloc(CERTPDF_FIELD_MAX + 2);
    certpdf_fields f;
    size_t len;

    assert_non_null(big);
    memset(big, 'a', CERTPDF_FIELD_MAX + 1);
    big[CERTPDF_FIELD_MAX + 1] = '\0';
    for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
        f = fields();
        *(const char **)((char *)&f + offsets[i]) = NULL;
        refused(&f);
        *(const char **)((char *)&f + offsets[i]) = big;
        refused(&f);
    }
    f = fields();
    f.holder_name = big + 1; /* exactly CERTPDF_FIELD_MAX bytes */
    free(render(&f, &len));
    free(big);
}

static void refuses_malformed_fields(void **state)
{
    const struct {
        size_t at;
        const char *value;
    } bad[] = {
        {offsetof(certpdf_fields, holder_name), ""},
        {offsetof(certpdf_fields, holder_name), "Siti\xC3"},      /* truncated UTF-8 */
        {offsetof(certpdf_fields, holder_name), "Siti\xC0\xAF"},  /* overlong */
        {offsetof(certpdf_fields, holder_name), "Siti\nRahma"},   /* control character */
        {offsetof(certpdf_fields, programme), "\xED\xA0\x80"},    /* surrogate */
        {offsetof(certpdf_fields, starts_on), "2026-02-29"},      /* not a leap year */
        {offsetof(certpdf_fields, starts_on), "2026-3-01"},       /* not ISO */
        {offsetof(certpdf_fields, ends_on), "2026-04-31"},        /* April has 30 days */
        {offsetof(certpdf_fields, ends_on), "2026-04-22T00:00Z"}, /* not a date */
        {offsetof(certpdf_fields, ends_on), "2026-02-28"},        /* before starts_on */
        {offsetof(certpdf_fields, issued_at), "2026-11-29"},
        {offsetof(certpdf_fields, issued_at), "2026-11-29T24:00:00Z"},
        {offsetof(certpdf_fields, issued_at), "2026-11-29T10:00:00+07:00"},
        {offsetof(certpdf_fields, url), ""},
        {offsetof(certpdf_fields, url), "https://sinau.example/credentials/a b"},
        {offsetof(certpdf_fields, url), "https://sinau.example/\xC3\xA9"},
    };
    certpdf_fields f;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        f = fields();
        *(const char **)((char *)&f + bad[i].at) = bad[i].value;
        refused(&f);
    }
    f = fields();
    f.jp = -1;
    refused(&f);
    f.jp = 10000;
    refused(&f);
}

/* Dates print with the language's month names; the issue date is Malang's
 * (UTC+7), so 18:00 UTC on 31 December is already 1 January there. */
static void dates_print_in_the_language(void **state)
{
    certpdf_fields f = fields();
    size_t len;
    unsigned char *pdf;
    char *text;

    f.starts_on = "2021-03-22";
    f.ends_on = "2021-08-17";
    f.issued_at = "2021-12-31T18:00:00Z";
    f.jp = 20;
    f.lang = NULL; /* Indonesian, the default */
    pdf = render(&f, &len);
    text = page_text(pdf, len);
    assert_contains(text, "SERTIFIKAT");
    assert_contains(text, "diberikan kepada");
    assert_contains(text, "22 Maret 2021 \xE2\x80\x93 17 Agustus 2021");
    assert_contains(text, "20 JP (jam pelajaran)");
    assert_contains(text, "Diterbitkan 1 Januari 2022");
    assert_contains(text, "ID: 7kq3-m9xa");
    assert_contains(text, "Pindai untuk memverifikasi");
    free(text);
    free(pdf);

    f.lang = "en";
    f.issued_at = "2021-12-31T16:59:59Z";
    pdf = render(&f, &len);
    text = page_text(pdf, len);
    assert_contains(text, "CERTIFICATE");
    assert_contains(text, "awarded to");
    assert_contains(text, "22 March 2021 \xE2\x80\x93 17 August 2021");
    assert_contains(text, "Issued 31 December 2021");
    assert_contains(text, "Scan to verify");
    assert_null(strstr(text, "Maret"));
    free(text);
    free(pdf);
}

/* ---- layout: every word inside the frame, no two words overlapping ---- */

typedef struct word {
    double x0, y0, x1, y1;
    char text[64]; /* for messages; XML-escaped, maybe cut */
} word;

/* The word boxes of pdftotext -bbox output; returns how many (at most max). */
static size_t parse_words(const char *html, word *w, size_t max)
{
    size_t n = 0;

    for (const char *p = strstr(html, "<word "); p != NULL && n < max;
         p = strstr(p + 1, "<word ")) {
        if (sscanf(p, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\">%63[^<]", &w[n].x0,
                   &w[n].y0, &w[n].x1, &w[n].y1, w[n].text) == 5)
            n++;
    }
    return n;
}

static bool overlap(const word *a, const word *b)
{
    const double e = 0.5; /* boxes touching at their edges are fine */

    return a->x0 < b->x1 - e && b->x0 < a->x1 - e && a->y0 < b->y1 - e && b->y0 < a->y1 - e;
}

static void assert_layout_clean(const unsigned char *pdf, size_t len)
{
    scratch s;
    char cmd[256], *html;
    word *w = calloc(4096, sizeof(*w));
    size_t n;

    assert_non_null(w);
    need_tools();
    scratch_write(&s, pdf, len);
    snprintf(cmd, sizeof(cmd), "pdftotext -bbox '%s' - 2>&1", s.pdf);
    html = run_ok(cmd);
    scratch_remove(&s);
    n = parse_words(html, w, 4096);
    assert_true(n > 20);
    for (size_t i = 0; i < n; i++) {
        if (w[i].x0 < FRAME || w[i].y0 < FRAME || w[i].x1 > PAGE_W - FRAME ||
            w[i].y1 > PAGE_H - FRAME)
            fail_msg("\"%s\" outside the frame: %.1f %.1f %.1f %.1f", w[i].text, w[i].x0, w[i].y0,
                     w[i].x1, w[i].y1);
        for (size_t j = i + 1; j < n; j++) {
            if (overlap(&w[i], &w[j]))
                fail_msg("\"%s\" and \"%s\" overlap", w[i].text, w[j].text);
        }
    }
    free(html);
    free(w);
}

static void usual_layout_stays_in_the_frame(void **state)
{
    certpdf_fields f = fields();
    size_t len;
    unsigned char *pdf = render(&f, &len);

    assert_layout_clean(pdf, len);
    free(pdf);
    f.lang = "en";
    pdf = render(&f, &len);
    assert_layout_clean(pdf, len);
    free(pdf);
}

/* A long name and programme shrink (to two lines); they still print whole,
 * inside the frame, over nothing else. */
static void very_long_name_shrinks_to_fit(void **state)
{
    certpdf_fields f = fields();
    const char *name = "Raden Ajeng Siti Nurhaliza Kusumawardhani Putri Maharani Setyaningsih "
                       "Wijayakusuma Hadiningrat Soerjosoemarno";
    size_t len;
    unsigned char *pdf;
    char *text;

    f.holder_name = name;
    f.programme = "Pelatihan Pembuatan Konten Kreatif TikTok dan YouTube untuk Pelaku UMKM dan "
                  "Aparatur Sipil Negara Kota Malang Tahun Anggaran 2026";
    f.signatory_title = "Kepala Dinas Komunikasi dan Informatika Kota Malang selaku Penanggung "
                        "Jawab Program Pelatihan Digital";
    pdf = render(&f, &len);
    text = page_text(pdf, len);
    assert_contains(text, name);
    assert_contains(text, "Tahun Anggaran 2026");
    assert_layout_clean(pdf, len);
    free(text);
    free(pdf);
}

/* A name without spaces cannot wrap: it shrinks on one line. */
static void very_long_unbroken_name_shrinks_to_fit(void **state)
{
    certpdf_fields f = fields();
    char name[201];
    size_t len;
    unsigned char *pdf;

    memset(name, 'W', 200);
    name[200] = '\0';
    f.holder_name = name;
    pdf = render(&f, &len);
    assert_layout_clean(pdf, len);
    free(pdf);
}

/* ---- the QR code ---- */

static void assert_qr_reads(const certpdf_fields *f)
{
    scratch s;
    size_t len;
    unsigned char *pdf = render(f, &len);
    char cmd[256], *out;

    need_tools();
    scratch_write(&s, pdf, len);
    snprintf(cmd, sizeof(cmd), "pdftoppm -r 150 -png -singlefile '%s' '%s/page' 2>&1", s.pdf,
             s.dir);
    free(run_ok(cmd));
    /* zbarimg's stderr may carry D-Bus noise; the decoded text is on stdout */
    snprintf(cmd, sizeof(cmd), "zbarimg --quiet --raw '%s/page.png' 2>/dev/null", s.dir);
    out = run_ok(cmd);
    scratch_remove(&s);
    /* --raw ends each symbol with a newline */
    assert_true(strlen(out) > 0 && out[strlen(out) - 1] == '\n');
    out[strlen(out) - 1] = '\0';
    assert_string_equal(out, f->url);
    free(out);
    free(pdf);
}

static void qr_code_holds_exactly_the_url(void **state)
{
    certpdf_fields f = fields();

    assert_qr_reads(&f);
    f.lang = "en";
    f.url = "https://sinau.example/credentials/0123456789abcdefghjkmnpqrs?x='q'&y=%20";
    assert_qr_reads(&f);
    f.url = "https://s.id/x"; /* version 1: the fewest, largest modules */
    assert_qr_reads(&f);
    f.url = "https://sinau.malangkota.go.id/credentials/7kq3m9xa4v2b8n6c1d5e0f3g7h"
            "?utm_source=printed-certificate&utm_medium=qr&utm_campaign=sinau-tiktok-youtube"
            "-angkatan-1&ref=0123456789abcdefghijklmnopqrstuvwxyz";
    assert_qr_reads(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(renders_a_pdf),
        cmocka_unit_test(same_fields_give_identical_bytes),
        cmocka_unit_test(concurrent_renders_give_identical_bytes),
        cmocka_unit_test(different_names_give_different_bytes),
        cmocka_unit_test(refuses_missing_and_oversize_fields),
        cmocka_unit_test(refuses_malformed_fields),
        cmocka_unit_test(dates_print_in_the_language),
        cmocka_unit_test(usual_layout_stays_in_the_frame),
        cmocka_unit_test(very_long_name_shrinks_to_fit),
        cmocka_unit_test(very_long_unbroken_name_shrinks_to_fit),
        cmocka_unit_test(qr_code_holds_exactly_the_url),
    };

    int failed = cmocka_run_group_tests(tests, NULL, NULL);

    certpdf_cleanup(); /* a clean exit under LeakSanitizer (SINAU_SANITIZE) */
    return failed;
}
