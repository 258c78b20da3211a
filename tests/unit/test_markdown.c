/* test_markdown.c — Markdown rendering (markdown.h): raw HTML and script
 * URLs come out inert (SECURITY.md case 18), ordinary Markdown and
 * Indonesian text render as expected, and bad bytes or big inputs do no
 * harm. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/core/markdown.h"

/* Renders a NUL-terminated string; the caller frees. */
static char *render(const char *md)
{
    char *html = markdown_render(md, strlen(md));

    assert_non_null(html);
    return html;
}

static void expect_html(const char *md, const char *want)
{
    char *html = render(md);

    if (strcmp(html, want) != 0)
        fail_msg("%s\n  gave %s\n  want %s", md, html, want);
    free(html);
}

static void expect_absent(const char *md, const char *const *bad, size_t nbad)
{
    char *html = render(md);

    for (size_t i = 0; i < nbad; i++) {
        if (strstr(html, bad[i]) != NULL)
            fail_msg("%s\n  gave %s\n  containing %s", md, html, bad[i]);
    }
    free(html);
}

/* Well-formed UTF-8 throughout, no NUL before len? */
static bool valid_utf8(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < len) {
        size_t n = p[i] < 0x80 ? 1 : p[i] >= 0xF0 ? 4 : p[i] >= 0xE0 ? 3 : p[i] >= 0xC2 ? 2 : 0;
        if (n == 0 || p[i] == 0 || i + n > len)
            return false;
        for (size_t k = 1; k < n; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
        }
        i += n;
    }
    return true;
}

static void markdown_omits_script_tags_inline_and_as_blocks(void **state)
{
    const char *bad[] = {"<script", "<SCRIPT", "</script"};

    expect_absent("<script>alert(1)</script>", bad, 3);
    expect_absent("Halo <script>alert(1)</script> semua", bad, 3);
    expect_absent("<SCRIPT SRC=//evil.example/x.js></SCRIPT>", bad, 3);
    expect_absent("* item <script>alert(1)</script>\n", bad, 3);
    expect_absent("> <script>\n> alert(1)\n> </script>\n", bad, 3);
    expect_html("<script>alert(1)</script>\n", "<!-- raw HTML omitted -->\n");
}

static void markdown_omits_event_handler_html_inline_and_as_blocks(void **state)
{
    const char *bad[] = {"<img", "onerror=", "<svg", "onload=", "<iframe", "<a href"};

    expect_absent("<img src=x onerror=alert(1)>", bad, 6);
    expect_absent("Foto: <img src=x onerror=alert(1)> ini", bad, 6);
    expect_absent("<div>\n<img src=x onerror=alert(1)>\n</div>\n", bad, 6);
    expect_absent("<svg onload=alert(1)>", bad, 6);
    expect_absent("<iframe src=\"javascript:alert(1)\"></iframe>", bad, 6);
    expect_absent("<a href=\"javascript:alert(1)\">klik</a>", bad, 6);
    expect_html("a <img src=x onerror=alert(1)> b", "<p>a <!-- raw HTML omitted --> b</p>\n");
}

static void markdown_empties_script_link_destinations(void **state)
{
    expect_html("[x](javascript:alert(1))", "<p><a href=\"\">x</a></p>\n");
    expect_html("[x](JaVaScRiPt:alert(1))", "<p><a href=\"\">x</a></p>\n");
    expect_html("[x](  javascript:alert(1))", "<p><a href=\"\">x</a></p>\n");
    expect_html("[x](<  javascript:alert(1)>)", "<p><a href=\"\">x</a></p>\n");
    expect_html("[x](<\tjavascript:alert(1)>)", "<p><a href=\"\">x</a></p>\n");
    expect_html("[x](java&#9;script:alert(1))", "<p><a href=\"\">x</a></p>\n");
    expect_html("[x](&#106;avascript:alert(1))", "<p><a href=\"\">x</a></p>\n");
    expect_html("[x](&#x6A;avascript&colon;alert(1))", "<p><a href=\"\">x</a></p>\n");
    expect_html("[x](%6Aavascript:alert(1))", "<p><a href=\"\">x</a></p>\n");
    expect_html("[x](vbscript:msgbox(1))", "<p><a href=\"\">x</a></p>\n");
    expect_html("[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
                "<p><a href=\"\">x</a></p>\n");
    expect_html("[x](file:///etc/passwd)", "<p><a href=\"\">x</a></p>\n");
    expect_html("[x](intent://scan/#Intent;end)", "<p><a href=\"\">x</a></p>\n");
    expect_html("<javascript:alert(1)>", "<p><a href=\"\">javascript:alert(1)</a></p>\n");
    expect_html("[x][r]\n\n[r]: javascript:alert(1)\n", "<p><a href=\"\">x</a></p>\n");
}

static void markdown_empties_data_images_that_cmark_would_keep(void **state)
{
    /* cmark's safe mode lets data:image/png, gif, jpeg and webp through */
    expect_html("![x](data:image/png;base64,AAA)",
                "<p><img loading=\"lazy\" src=\"\" alt=\"x\" /></p>\n");
    expect_html("![x](DATA:image/gif;base64,AAA)",
                "<p><img loading=\"lazy\" src=\"\" alt=\"x\" /></p>\n");
    expect_html("![x](javascript:alert(1))",
                "<p><img loading=\"lazy\" src=\"\" alt=\"x\" /></p>\n");
    expect_html("![x](file:///etc/passwd)", "<p><img loading=\"lazy\" src=\"\" alt=\"x\" /></p>\n");
}

static void markdown_keeps_http_https_mailto_and_relative_links(void **state)
{
    expect_html("[a](https://sinau.example/kelas?id=1#materi)",
                "<p><a href=\"https://sinau.example/kelas?id=1#materi\">a</a></p>\n");
    expect_html("[a](HTTP://example.com)", "<p><a href=\"HTTP://example.com\">a</a></p>\n");
    expect_html("[a](mailto:admin@malangkota.go.id)",
                "<p><a href=\"mailto:admin@malangkota.go.id\">a</a></p>\n");
    expect_html("[a](/cohorts/3)", "<p><a href=\"/cohorts/3\">a</a></p>\n");
    expect_html("[a](../modul/2)", "<p><a href=\"../modul/2\">a</a></p>\n");
    expect_html("[a](#bagian-2)", "<p><a href=\"#bagian-2\">a</a></p>\n");
    expect_html("[a](materi.pdf)", "<p><a href=\"materi.pdf\">a</a></p>\n");
    expect_html("[a](?tab=nilai)", "<p><a href=\"?tab=nilai\">a</a></p>\n");
    expect_html("[a](/x?next=javascript:alert(1))",
                "<p><a href=\"/x?next=javascript:alert(1)\">a</a></p>\n");
    expect_html("<https://example.com>",
                "<p><a href=\"https://example.com\">https://example.com</a></p>\n");
    expect_html("![peta](https://example.com/peta.png \"Peta\")",
                "<p><img loading=\"lazy\" src=\"https://example.com/peta.png\" alt=\"peta\" "
                "title=\"Peta\" /></p>\n");
}

static void markdown_renders_ordinary_markdown(void **state)
{
    expect_html("# Modul 1\n\n## Tujuan", "<h1>Modul 1</h1>\n<h2>Tujuan</h2>\n");
    expect_html("- satu\n- dua\n", "<ul>\n<li>satu</li>\n<li>dua</li>\n</ul>\n");
    expect_html("1. satu\n2. dua\n", "<ol>\n<li>satu</li>\n<li>dua</li>\n</ol>\n");
    expect_html("*miring* dan **tebal**", "<p><em>miring</em> dan <strong>tebal</strong></p>\n");
    expect_html("pakai `printf()`", "<p>pakai <code>printf()</code></p>\n");
    expect_html("```c\nint x = 1 < 2;\n```\n",
                "<pre><code class=\"language-c\">int x = 1 &lt; 2;\n</code></pre>\n");
    expect_html("\"kutip\" -- 'tunggal'", "<p>&quot;kutip&quot; -- 'tunggal'</p>\n");
    expect_html("a & b < c", "<p>a &amp; b &lt; c</p>\n");
}

/* Issue 12: lessons need GitHub's tables and strikethrough, still safe. */
static void markdown_renders_gfm_tables(void **state)
{
    char *html = markdown_render("| Platform | Durasi |\n|:--|--:|\n| TikTok | 60 detik |\n"
                                 "| <script>x</script> | [a](javascript:alert(1)) |\n",
                                 strlen("| Platform | Durasi |\n|:--|--:|\n| TikTok | 60 detik |\n"
                                        "| <script>x</script> | [a](javascript:alert(1)) |\n"));

    assert_non_null(html);
    assert_non_null(strstr(html, "<table>"));
    assert_non_null(strstr(html, "<th align=\"left\">Platform</th>"));
    assert_non_null(strstr(html, "<td align=\"right\">60 detik</td>"));
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "javascript:"));
    assert_null(strstr(html, "|"));
    free(html);
}

static void markdown_renders_strikethrough_with_two_tildes_only(void **state)
{
    expect_html("~~harga lama~~ harga baru", "<p><del>harga lama</del> harga baru</p>\n");
    expect_html("durasi ~10 menit~ saja", "<p>durasi ~10 menit~ saja</p>\n");
}

static void markdown_images_load_lazily(void **state)
{
    expect_html("![a](/api/v1/attachments/x) ![b](/api/v1/attachments/y)",
                "<p><img loading=\"lazy\" src=\"/api/v1/attachments/x\" alt=\"a\" /> "
                "<img loading=\"lazy\" src=\"/api/v1/attachments/y\" alt=\"b\" /></p>\n");
    /* "<img " written by authors stays text */
    expect_html("`<img src=x>` dan <img src=x>",
                "<p><code>&lt;img src=x&gt;</code> dan <!-- raw HTML omitted --></p>\n");
}

static void markdown_keeps_indonesian_utf8_text(void **state)
{
    expect_html("Pelayanan publik — *Kota Malang* ☕ “Ngalam” café",
                "<p>Pelayanan publik — <em>Kota Malang</em> ☕ “Ngalam” café</p>\n");
}

static void markdown_replaces_invalid_utf8_and_nul(void **state)
{
    const char md[] = "a\xC3\x28 b\xFF c\xE2\x82 d\0e \xED\xA0\x80 f\xF0\x9F";
    char *html = markdown_render(md, sizeof md - 1);

    assert_non_null(html);
    assert_true(valid_utf8(html, strlen(html)));
    assert_non_null(strstr(html, "\xEF\xBF\xBD")); /* U+FFFD */
    assert_non_null(strstr(html, " f"));           /* rendering went on past the NUL */
    free(html);
}

static void markdown_renders_empty_and_null_input(void **state)
{
    char *html = markdown_render("", 0);

    assert_string_equal(html, "");
    free(html);
    html = markdown_render(NULL, 0);
    assert_string_equal(html, "");
    free(html);
}

static void markdown_renders_a_200_kb_lesson(void **state)
{
    const char *para = "## Bagian\n\nIni *paragraf* tentang [layanan](https://example.com) "
                       "<b>publik</b> dan [x](javascript:alert(1)).\n\n";
    size_t n = strlen(para), count = 200 * 1024 / n + 1;
    char *md = malloc(n * count + 1);
    char *html;

    assert_non_null(md);
    for (size_t i = 0; i < count; i++)
        memcpy(md + i * n, para, n);
    md[n * count] = '\0';
    html = markdown_render(md, n * count);
    assert_non_null(html);
    assert_true(strlen(html) > n * count);
    assert_null(strstr(html, "javascript:"));
    assert_null(strstr(html, "<b>"));
    assert_true(valid_utf8(html, strlen(html)));
    free(html);
    free(md);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(markdown_omits_script_tags_inline_and_as_blocks),
        cmocka_unit_test(markdown_omits_event_handler_html_inline_and_as_blocks),
        cmocka_unit_test(markdown_empties_script_link_destinations),
        cmocka_unit_test(markdown_empties_data_images_that_cmark_would_keep),
        cmocka_unit_test(markdown_renders_gfm_tables),
        cmocka_unit_test(markdown_renders_strikethrough_with_two_tildes_only),
        cmocka_unit_test(markdown_images_load_lazily),
        cmocka_unit_test(markdown_keeps_http_https_mailto_and_relative_links),
        cmocka_unit_test(markdown_renders_ordinary_markdown),
        cmocka_unit_test(markdown_keeps_indonesian_utf8_text),
        cmocka_unit_test(markdown_replaces_invalid_utf8_and_nul),
        cmocka_unit_test(markdown_renders_empty_and_null_input),
        cmocka_unit_test(markdown_renders_a_200_kb_lesson),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
