/* test_filetype.c — an upload's type from its magic bytes (filetype.h):
 * each allowed signature, signatures cut short or off by one byte, look-alikes
 * that must be refused (HTML, ZIP, EXE, GIF, QuickTime), and the rule for the
 * Content-Type a client declares. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "sinau/core/filetype.h"

#define U(s) ((const unsigned char *)(s))

/* A PNG, JPEG, PDF and MP4 head as files start, with some body after. */
static const unsigned char PNG_HEAD[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
                                         0,    0,   0,   13,  'I',  'H',  'D',  'R'};
static const unsigned char JPEG_HEAD[] = {0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0};
static const unsigned char PDF_HEAD[] = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";

/* An ISO base media file: a 24-byte ftyp box with `brand` as major brand. */
static void ftyp(unsigned char out[24], const char brand[4])
{
    static const unsigned char size[4] = {0, 0, 0, 24};

    memcpy(out, size, 4);
    memcpy(out + 4, "ftyp", 4);
    memcpy(out + 8, brand, 4);
    memcpy(out + 12, "\0\0\2\0isommp41", 12);
}

static void assert_type(const filetype *t, const char *mime, const char *ext)
{
    assert_non_null(t);
    assert_string_equal(t->mime, mime);
    assert_string_equal(t->ext, ext);
}

static void filetype_sniffs_png(void **state)
{
    (void)state;
    assert_type(filetype_sniff(PNG_HEAD, sizeof PNG_HEAD), "image/png", "png");
    assert_type(filetype_sniff(PNG_HEAD, 8), "image/png", "png");
}

static void filetype_sniffs_jpeg_with_any_marker(void **state)
{
    static const unsigned char exif[] = {0xff, 0xd8, 0xff, 0xe1, 0, 8, 'E', 'x', 'i', 'f'};
    static const unsigned char bare[] = {0xff, 0xd8, 0xff};

    (void)state;
    assert_type(filetype_sniff(JPEG_HEAD, sizeof JPEG_HEAD), "image/jpeg", "jpg");
    assert_type(filetype_sniff(exif, sizeof exif), "image/jpeg", "jpg");
    assert_type(filetype_sniff(bare, sizeof bare), "image/jpeg", "jpg");
}

static void filetype_sniffs_pdf(void **state)
{
    (void)state;
    assert_type(filetype_sniff(PDF_HEAD, sizeof PDF_HEAD - 1), "application/pdf", "pdf");
    assert_type(filetype_sniff(U("%PDF-"), 5), "application/pdf", "pdf");
}

static void filetype_sniffs_mp4_by_its_brands(void **state)
{
    static const char *const brands[] = {"isom", "iso2", "mp41", "mp42", "avc1", "M4V ", "dash"};
    unsigned char box[24];

    (void)state;
    for (size_t i = 0; i < sizeof brands / sizeof brands[0]; i++) {
        ftyp(box, brands[i]);
        assert_type(filetype_sniff(box, sizeof box), "video/mp4", "mp4");
        assert_type(filetype_sniff(box, 12), "video/mp4", "mp4");
    }
}

static void filetype_refuses_truncated_signatures(void **state)
{
    unsigned char box[24];

    (void)state;
    assert_null(filetype_sniff(PNG_HEAD, 0));
    for (size_t n = 1; n < 8; n++)
        assert_null(filetype_sniff(PNG_HEAD, n));
    assert_null(filetype_sniff(JPEG_HEAD, 1));
    assert_null(filetype_sniff(JPEG_HEAD, 2));
    for (size_t n = 1; n < 5; n++)
        assert_null(filetype_sniff(PDF_HEAD, n));
    ftyp(box, "isom");
    for (size_t n = 1; n < 12; n++)
        assert_null(filetype_sniff(box, n));
}

static void filetype_refuses_a_signature_off_by_one_byte(void **state)
{
    unsigned char png[sizeof PNG_HEAD], jpeg[sizeof JPEG_HEAD], box[24];

    (void)state;
    for (size_t i = 0; i < 8; i++) {
        memcpy(png, PNG_HEAD, sizeof png);
        png[i] ^= 0x01;
        assert_null(filetype_sniff(png, sizeof png));
    }
    for (size_t i = 0; i < 3; i++) {
        memcpy(jpeg, JPEG_HEAD, sizeof jpeg);
        jpeg[i] ^= 0x01;
        assert_null(filetype_sniff(jpeg, sizeof jpeg));
    }
    assert_null(filetype_sniff(U("%PDF1.4"), 7));
    assert_null(filetype_sniff(U("%pdf-1.4"), 8));
    assert_null(filetype_sniff(U(" %PDF-1.4"), 9));
    ftyp(box, "isom");
    box[4] = 'F';
    assert_null(filetype_sniff(box, sizeof box));
}

static void filetype_refuses_html_named_anything(void **state)
{
    static const char *const html[] = {
        "<!doctype html><html><script>alert(1)</script>",
        "<html><body>%PDF-1.4</body></html>",
        "\xef\xbb\xbf<html>",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
        "<?xml version=\"1.0\"?><x/>",
    };

    (void)state;
    for (size_t i = 0; i < sizeof html / sizeof html[0]; i++)
        assert_null(filetype_sniff(U(html[i]), strlen(html[i])));
}

static void filetype_refuses_zip_exe_gif_and_others(void **state)
{
    static const unsigned char zip[] = {'P', 'K', 3, 4, 20, 0, 6, 0, 8, 0, 0, 0};
    static const unsigned char exe[] = {'M', 'Z', 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0};
    static const unsigned char elf[] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0};
    static const unsigned char gif[] = {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0x80, 0};
    static const unsigned char webp[] = {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P'};
    static const unsigned char bmp[] = {'B', 'M', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

    (void)state;
    assert_null(filetype_sniff(zip, sizeof zip));
    assert_null(filetype_sniff(exe, sizeof exe));
    assert_null(filetype_sniff(elf, sizeof elf));
    assert_null(filetype_sniff(gif, sizeof gif));
    assert_null(filetype_sniff(webp, sizeof webp));
    assert_null(filetype_sniff(bmp, sizeof bmp));
}

static void filetype_refuses_quicktime_and_other_iso_brands(void **state)
{
    static const char *const brands[] = {"qt  ", "3gp4", "heic", "mif1", "crx ", "f4v ", "ISOM"};
    unsigned char box[24];

    (void)state;
    for (size_t i = 0; i < sizeof brands / sizeof brands[0]; i++) {
        ftyp(box, brands[i]);
        assert_null(filetype_sniff(box, sizeof box));
    }
}

static void filetype_accepts_the_same_type_declared(void **state)
{
    const filetype *png = filetype_sniff(PNG_HEAD, sizeof PNG_HEAD);
    const filetype *jpeg = filetype_sniff(JPEG_HEAD, sizeof JPEG_HEAD);
    const filetype *pdf = filetype_sniff(PDF_HEAD, sizeof PDF_HEAD - 1);

    (void)state;
    assert_true(filetype_declared_ok(png, "image/png"));
    assert_true(filetype_declared_ok(png, "IMAGE/PNG"));
    assert_true(filetype_declared_ok(png, "image/png; charset=binary"));
    assert_true(filetype_declared_ok(png, "image/png;name=x.png"));
    assert_true(filetype_declared_ok(jpeg, "image/jpeg"));
    assert_true(filetype_declared_ok(jpeg, "image/jpg"));
    assert_true(filetype_declared_ok(pdf, "application/pdf"));
}

static void filetype_accepts_a_generic_or_absent_declaration(void **state)
{
    unsigned char box[24];
    const filetype *mp4;

    (void)state;
    ftyp(box, "mp42");
    mp4 = filetype_sniff(box, sizeof box);
    assert_true(filetype_declared_ok(mp4, NULL));
    assert_true(filetype_declared_ok(mp4, "application/octet-stream"));
    assert_true(filetype_declared_ok(mp4, "Application/Octet-Stream; x=y"));
    assert_true(filetype_declared_ok(mp4, "video/mp4"));
}

static void filetype_refuses_a_declaration_that_contradicts_the_bytes(void **state)
{
    const filetype *png = filetype_sniff(PNG_HEAD, sizeof PNG_HEAD);
    const filetype *pdf = filetype_sniff(PDF_HEAD, sizeof PDF_HEAD - 1);

    (void)state;
    assert_false(filetype_declared_ok(png, "application/pdf"));
    assert_false(filetype_declared_ok(png, "text/html"));
    assert_false(filetype_declared_ok(png, "image/jpg"));
    assert_false(filetype_declared_ok(png, "image/pngx"));
    assert_false(filetype_declared_ok(png, "image/pn"));
    assert_false(filetype_declared_ok(png, ""));
    assert_false(filetype_declared_ok(pdf, "text/html; charset=utf-8"));
    assert_false(filetype_declared_ok(pdf, "image/svg+xml"));
    assert_false(filetype_declared_ok(pdf, "application/octet-streamx"));
    assert_false(filetype_declared_ok(pdf, "application/pdfx"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(filetype_sniffs_png),
        cmocka_unit_test(filetype_sniffs_jpeg_with_any_marker),
        cmocka_unit_test(filetype_sniffs_pdf),
        cmocka_unit_test(filetype_sniffs_mp4_by_its_brands),
        cmocka_unit_test(filetype_refuses_truncated_signatures),
        cmocka_unit_test(filetype_refuses_a_signature_off_by_one_byte),
        cmocka_unit_test(filetype_refuses_html_named_anything),
        cmocka_unit_test(filetype_refuses_zip_exe_gif_and_others),
        cmocka_unit_test(filetype_refuses_quicktime_and_other_iso_brands),
        cmocka_unit_test(filetype_accepts_the_same_type_declared),
        cmocka_unit_test(filetype_accepts_a_generic_or_absent_declaration),
        cmocka_unit_test(filetype_refuses_a_declaration_that_contradicts_the_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
