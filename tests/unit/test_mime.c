/* test_mime.c — an e-mail as RFC 5322 / MIME text (mime.h) and the pure
 * parts of the mailer (mailer.h): the webhook's signature and the loopback
 * rule that lets smtp:// go without STARTTLS. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sinau/core/mailer.h"
#include "sinau/core/mime.h"

static const mime_mail base = {
    .from_name = "Sinau",
    .from = "noreply@sinau.example",
    .to = "siti@example.test",
    .subject = "Kursi Anda terkonfirmasi",
    .text = "Halo Siti,\n\nbaris dua\n",
    .html = "<p>Halo Siti</p>",
    .message_id = "sinau.42@sinau.example",
    .language = "id",
    .unsubscribe = "https://sinau.example/api/v1/unsubscribe?u=abc&t=0123",
    .kind = "registration_confirmed",
    .date = 1796515200, /* 2026-12-06 00:00:00 UTC */
};

/* The decoded bytes of the base64 lines that follow the first blank line
 * after `marker` (a part's Content-Type line). Caller frees. */
static char *part_body(const char *msg, const char *marker)
{
    const char *p = strstr(msg, marker), *start, *end;
    char *b64, *out;
    size_t n = 0, outlen;

    assert_non_null(p);
    start = strstr(p, "\r\n\r\n") + 4;
    end = strstr(start, "\r\n--");
    if (end == NULL)
        end = start + strlen(start);
    b64 = calloc(1, (size_t)(end - start) + 1);
    for (const char *c = start; c < end; c++)
        if (*c != '\r' && *c != '\n')
            b64[n++] = *c;
    out = calloc(1, n + 1);
    assert_int_equal(sodium_base642bin((unsigned char *)out, n, b64, n, NULL, &outlen, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    out[outlen] = '\0';
    free(b64);
    return out;
}

static void mime_has_the_headers_a_receiver_needs(void **state)
{
    size_t len;
    char *m = mime_build(&base, &len);

    assert_int_equal(strlen(m), len);
    assert_non_null(strstr(m, "Date: Sun, 06 Dec 2026 00:00:00 +0000\r\n"));
    assert_non_null(strstr(m, "From: Sinau <noreply@sinau.example>\r\n"));
    assert_non_null(strstr(m, "To: <siti@example.test>\r\n"));
    assert_non_null(strstr(m, "Subject: Kursi Anda terkonfirmasi\r\n"));
    assert_non_null(strstr(m, "Message-ID: <sinau.42@sinau.example>\r\n"));
    assert_non_null(strstr(m, "Content-Language: id\r\n"));
    assert_non_null(strstr(m, "X-Sinau-Kind: registration_confirmed\r\n"));
    assert_non_null(strstr(m, "List-Unsubscribe: <https://sinau.example/api/v1/unsubscribe?u=abc"
                              "&t=0123>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
    assert_non_null(strstr(m, "Content-Type: multipart/alternative; boundary=\"=_sinau_"));
    free(m);
}

static void mime_security_mail_has_no_unsubscribe(void **state)
{
    mime_mail x = base;
    size_t len;
    char *m;

    x.unsubscribe = NULL;
    m = mime_build(&x, &len);
    assert_null(strstr(m, "List-Unsubscribe"));
    free(m);
}

static void mime_parts_carry_the_text_in_crlf_lines(void **state)
{
    size_t len;
    char *m = mime_build(&base, &len);
    char *text = part_body(m, "Content-Type: text/plain"), *html = part_body(m, "text/html");

    assert_string_equal(text, "Halo Siti,\r\n\r\nbaris dua\r\n");
    assert_string_equal(html, "<p>Halo Siti</p>");
    for (const char *p = m; *p != '\0'; p++) {
        if (*p == '\n')
            assert_true(p > m && p[-1] == '\r'); /* no bare LF anywhere */
        if (*p == '\r')
            assert_true(p[1] == '\n');
    }
    free(text);
    free(html);
    free(m);
}

static void mime_encodes_a_subject_with_newlines_and_utf8(void **state)
{
    mime_mail x = base;
    size_t len;
    char *m;

    x.subject = "Bawa laptop\r\nBcc: victim@example.test — é";
    m = mime_build(&x, &len);
    assert_null(strstr(m, "\r\nBcc:"));
    assert_non_null(strstr(m, "Subject: =?UTF-8?B?"));
    free(m);
}

static void mime_long_utf8_subjects_split_between_characters(void **state)
{
    char subject[400] = "";
    mime_mail x = base;
    size_t len;
    char *m, *line;

    for (int i = 0; i < 60; i++)
        strcat(subject, "é"); /* two bytes each: a word boundary falls mid-character if naive */
    x.subject = subject;
    m = mime_build(&x, &len);
    line = strstr(m, "Subject: ");
    /* every encoded word decodes to whole characters */
    for (char *w = strstr(line, "=?UTF-8?B?"); w != NULL && w < strstr(line, "\r\nMessage-ID");
         w = strstr(w + 1, "=?UTF-8?B?")) {
        char *end = strstr(w + 10, "?=");
        unsigned char bin[64];
        size_t n;
        assert_int_equal(sodium_base642bin(bin, sizeof bin, w + 10, (size_t)(end - w - 10), NULL,
                                           &n, NULL, sodium_base64_VARIANT_ORIGINAL),
                         0);
        assert_int_equal(n % 2, 0);
        assert_true(n <= 45);
    }
    free(m);
}

static void mime_text_only_without_html(void **state)
{
    mime_mail x = base;
    size_t len;
    char *m;

    x.html = NULL;
    m = mime_build(&x, &len);
    assert_null(strstr(m, "multipart"));
    assert_non_null(strstr(m, "Content-Type: text/plain; charset=UTF-8\r\n"));
    free(m);
}

static void mailer_signature_is_hmac_sha256_hex(void **state)
{
    char sig[72];

    /* RFC 4231 test case 2 */
    mailer_signature("Jefe", "what do ya want for nothing?", 28, sig);
    assert_string_equal(sig,
                        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void mailer_knows_loopback_hosts(void **state)
{
    assert_true(mailer_url_is_loopback("smtp://127.0.0.1:2525"));
    assert_true(mailer_url_is_loopback("smtp://user:pw@127.8.9.1"));
    assert_true(mailer_url_is_loopback("smtp://[::1]:25"));
    assert_true(mailer_url_is_loopback("smtp://localhost"));
    assert_false(mailer_url_is_loopback("smtp://mail.example:587"));
    assert_false(mailer_url_is_loopback("smtp://127.0.0.1.example.com"));
    assert_false(mailer_url_is_loopback("smtp://10.0.0.1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mime_has_the_headers_a_receiver_needs),
        cmocka_unit_test(mime_security_mail_has_no_unsubscribe),
        cmocka_unit_test(mime_parts_carry_the_text_in_crlf_lines),
        cmocka_unit_test(mime_encodes_a_subject_with_newlines_and_utf8),
        cmocka_unit_test(mime_long_utf8_subjects_split_between_characters),
        cmocka_unit_test(mime_text_only_without_html),
        cmocka_unit_test(mailer_signature_is_hmac_sha256_hex),
        cmocka_unit_test(mailer_knows_loopback_hosts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
