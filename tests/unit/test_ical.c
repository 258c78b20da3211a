/* test_ical.c — iCalendar feeds (ical.h): structure, UTC times, TEXT
 * escaping, and folding at 75 octets without splitting UTF-8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/core/ical.h"

/* 2025-03-17 01:30:00 UTC, and two hours later. */
#define T_START 1742175000
#define T_END   (T_START + 2 * 3600)
#define T_STAMP 1741000000 /* 2025-03-03 11:06:40 UTC */

static ical_event event(const char *summary)
{
    ical_event e = {
        .uid = "42@sinau.example",
        .starts = T_START,
        .ends = T_END,
        .stamp = T_STAMP,
        .summary = summary,
    };
    return e;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;

    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* The text with every fold (CRLF + space) taken out: the logical lines.
 * The caller frees. */
static char *unfold(const char *s)
{
    char *out = malloc(strlen(s) + 1);
    size_t n = 0;

    assert_non_null(out);
    for (const char *p = s; *p != '\0'; p++) {
        if (p[0] == '\r' && p[1] == '\n' && p[2] == ' ')
            p += 2;
        else
            out[n++] = *p;
    }
    out[n] = '\0';
    return out;
}

/* Every line ends in CRLF, is at most 75 octets, and no fold splits a
 * UTF-8 sequence (no physical line starts with a continuation byte after
 * its leading space, and none ends in a lead byte). */
static void assert_well_folded(const char *s)
{
    const char *line = s;

    while (*line != '\0') {
        const char *crlf = strstr(line, "\r\n");
        size_t len;

        assert_non_null(crlf);
        len = (size_t)(crlf - line);
        if (len > 75)
            fail_msg("line of %zu octets: %.*s", len, (int)len, line);
        assert_null(memchr(line, '\n', len));
        assert_null(memchr(line, '\r', len));
        if (line[0] == ' ')
            assert_false(((unsigned char)line[1] & 0xC0) == 0x80);
        if (len > 0)
            assert_false((unsigned char)crlf[-1] >= 0xC0);
        line = crlf + 2;
    }
}

static void ical_builds_a_calendar_with_one_vevent_per_event(void **state)
{
    const char *head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Sinau//Sinau//ID\r\n"
                       "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n"
                       "X-WR-CALNAME:Sinau — Jadwal\r\n";
    ical_buf b;
    ical_event e = event("Kelas 1");

    ical_begin(&b, "Sinau — Jadwal");
    ical_event_add(&b, &e);
    e.uid = "43@sinau.example";
    ical_event_add(&b, &e);
    ical_end(&b);
    assert_memory_equal(b.data, head, strlen(head));
    assert_int_equal(count(b.data, "BEGIN:VCALENDAR\r\n"), 1);
    assert_int_equal(count(b.data, "END:VCALENDAR\r\n"), 1);
    assert_int_equal(count(b.data, "BEGIN:VEVENT\r\n"), 2);
    assert_int_equal(count(b.data, "END:VEVENT\r\n"), 2);
    assert_int_equal(count(b.data, "\r\nUID:42@sinau.example\r\n"), 1);
    assert_int_equal(count(b.data, "\r\nUID:43@sinau.example\r\n"), 1);
    assert_int_equal(count(b.data, "\n"), count(b.data, "\r\n"));
    assert_true(b.len >= 15 && strcmp(b.data + b.len - 15, "END:VCALENDAR\r\n") == 0);
    assert_int_equal(strlen(b.data), b.len);
    assert_well_folded(b.data);
    ical_free(&b);
    assert_null(b.data);
}

static void ical_event_has_its_properties_in_order(void **state)
{
    ical_buf b;
    ical_event e = event("Kelas 1");

    e.location = "Aula Balai Kota";
    e.url = "https://sinau.example/cohorts/3";
    e.description = "Bawa laptop";
    ical_begin(&b, "x");
    ical_event_add(&b, &e);
    ical_end(&b);
    assert_non_null(strstr(b.data, "BEGIN:VEVENT\r\n"
                                   "UID:42@sinau.example\r\n"
                                   "DTSTAMP:20250303T110640Z\r\n"
                                   "DTSTART:20250317T013000Z\r\n"
                                   "DTEND:20250317T033000Z\r\n"
                                   "SUMMARY:Kelas 1\r\n"
                                   "LOCATION:Aula Balai Kota\r\n"
                                   "URL:https://sinau.example/cohorts/3\r\n"
                                   "DESCRIPTION:Bawa laptop\r\n"
                                   "END:VEVENT\r\n"
                                   "END:VCALENDAR\r\n"));
    ical_free(&b);
}

static void ical_leaves_out_absent_optional_properties(void **state)
{
    ical_buf b;
    ical_event e = event("Kelas 1");

    ical_begin(&b, "x");
    ical_event_add(&b, &e);
    ical_end(&b);
    assert_null(strstr(b.data, "LOCATION"));
    assert_null(strstr(b.data, "URL"));
    assert_null(strstr(b.data, "DESCRIPTION"));
    ical_free(&b);
}

static void ical_formats_times_in_utc(void **state)
{
    ical_buf b;
    ical_event e = event("x");

    e.starts = 0;
    e.ends = 951782400;   /* 2000-02-29 00:00:00 UTC */
    e.stamp = 4102444799; /* 2099-12-31 23:59:59 UTC */
    ical_begin(&b, "x");
    ical_event_add(&b, &e);
    assert_non_null(strstr(b.data, "\r\nDTSTART:19700101T000000Z\r\n"));
    assert_non_null(strstr(b.data, "\r\nDTEND:20000229T000000Z\r\n"));
    assert_non_null(strstr(b.data, "\r\nDTSTAMP:20991231T235959Z\r\n"));
    ical_free(&b);
}

static void ical_escapes_text_values(void **state)
{
    ical_buf b;
    ical_event e = event("a\\b;c,d\ne\r\nf\rg");

    e.location = "Ruang 1, Lantai 2; Gedung \"A\"";
    e.description = "baris 1\nbaris 2";
    e.uid = "1;2,3@x";
    ical_begin(&b, "Nama; lain, juga\\");
    ical_event_add(&b, &e);
    ical_end(&b);
    assert_non_null(strstr(b.data, "\r\nSUMMARY:a\\\\b\\;c\\,d\\ne\\nf\\ng\r\n"));
    assert_non_null(strstr(b.data, "\r\nLOCATION:Ruang 1\\, Lantai 2\\; Gedung \"A\"\r\n"));
    assert_non_null(strstr(b.data, "\r\nDESCRIPTION:baris 1\\nbaris 2\r\n"));
    assert_non_null(strstr(b.data, "\r\nUID:1\\;2\\,3@x\r\n"));
    assert_non_null(strstr(b.data, "\r\nX-WR-CALNAME:Nama\\; lain\\, juga\\\\\r\n"));
    assert_well_folded(b.data);
    ical_free(&b);
}

static void ical_cannot_be_injected_with_line_breaks_or_controls(void **state)
{
    ical_buf b;
    ical_event e = event("x\r\nEND:VEVENT\r\nBEGIN:VEVENT\x01\x1b\x7f");

    e.url = "https://x.example/\r\nATTACH:evil";
    ical_begin(&b, "x");
    ical_event_add(&b, &e);
    ical_end(&b);
    assert_int_equal(count(b.data, "BEGIN:VEVENT"), 2); /* one real, one inside SUMMARY */
    assert_int_equal(count(b.data, "\r\nBEGIN:VEVENT\r\n"), 1);
    assert_non_null(strstr(b.data, "\r\nSUMMARY:x\\nEND:VEVENT\\nBEGIN:VEVENT\r\n"));
    assert_null(strstr(b.data, "URL:"));
    assert_null(strstr(b.data, "ATTACH"));
    assert_null(memchr(b.data, 0x01, b.len));
    assert_null(memchr(b.data, 0x7f, b.len));
    ical_free(&b);
}

static void ical_leaves_out_urls_that_are_not_http(void **state)
{
    const char *bad[] = {"javascript:alert(1)", "file:///etc/passwd", "https://a b", "ftp://x"};

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ical_buf b;
        ical_event e = event("x");

        e.url = bad[i];
        ical_begin(&b, "x");
        ical_event_add(&b, &e);
        assert_null(strstr(b.data, "URL:"));
        ical_free(&b);
    }
}

static void ical_folds_a_long_indonesian_summary_between_characters(void **state)
{
    /* 2- and 3-byte characters at every offset the fold could land on */
    const char *summary = "Pelatihan Aparatur Sipil Negara — “Pelayanan Publik Digital” "
                          "di Balai Kota Malang, séance café naïve ☕☕☕ — modul kedua: "
                          "é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫ selesai";
    const char *want_prefix = "\r\nSUMMARY:Pelatihan Aparatur Sipil Negara — "
                              "“Pelayanan Publik Digital” di Balai Kota Malang\\, séance café";
    ical_buf b;
    ical_event e = event(summary);
    char *flat;

    ical_begin(&b, "x");
    ical_event_add(&b, &e);
    ical_end(&b);
    assert_well_folded(b.data);
    assert_true(count(b.data, "\r\n ") >= 3);
    flat = unfold(b.data);
    assert_non_null(strstr(flat, want_prefix));
    assert_non_null(strstr(flat, " selesai\r\n"));
    assert_non_null(strstr(flat, "é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫é₫"));
    free(flat);
    ical_free(&b);
}

/* Appends s to dst[0..cap), which holds *len octets, always terminated. */
static void append(char *dst, size_t cap, size_t *len, const char *s, size_t n)
{
    assert_true(*len + n < cap);
    memcpy(dst + *len, s, n);
    *len += n;
    dst[*len] = '\0';
}

static void ical_folds_at_every_character_width_and_offset(void **state)
{
    const char *chars[] = {"a", "é", "—", "😀"};

    for (size_t c = 0; c < 4; c++) {
        for (size_t lead = 0; lead < 4; lead++) {
            char summary[512], want[600];
            size_t slen = 0, wlen = 0;
            ical_buf b;
            ical_event e = event(summary);
            char *flat;

            append(summary, sizeof summary, &slen, "xxx", lead);
            for (int i = 0; i < 60; i++)
                append(summary, sizeof summary, &slen, chars[c], strlen(chars[c]));
            append(want, sizeof want, &wlen, "\r\nSUMMARY:", 10);
            append(want, sizeof want, &wlen, summary, slen);
            append(want, sizeof want, &wlen, "\r\n", 2);
            ical_begin(&b, "x");
            ical_event_add(&b, &e);
            assert_well_folded(b.data);
            flat = unfold(b.data);
            assert_non_null(strstr(flat, want));
            free(flat);
            ical_free(&b);
        }
    }
}

static void ical_replaces_invalid_utf8(void **state)
{
    ical_buf b;
    ical_event e = event("a\xC3\x28 b\xFF c\xE2\x82 d\xED\xA0\x80 e\xF0\x9F");

    ical_begin(&b, "x");
    ical_event_add(&b, &e);
    assert_non_null(strstr(b.data, "\r\nSUMMARY:a\xEF\xBF\xBD( b\xEF\xBF\xBD c\xEF\xBF\xBD\xEF"
                                   "\xBF\xBD d\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD e\xEF\xBF"
                                   "\xBD\xEF\xBF\xBD\r\n"));
    ical_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ical_builds_a_calendar_with_one_vevent_per_event),
        cmocka_unit_test(ical_event_has_its_properties_in_order),
        cmocka_unit_test(ical_leaves_out_absent_optional_properties),
        cmocka_unit_test(ical_formats_times_in_utc),
        cmocka_unit_test(ical_escapes_text_values),
        cmocka_unit_test(ical_cannot_be_injected_with_line_breaks_or_controls),
        cmocka_unit_test(ical_leaves_out_urls_that_are_not_http),
        cmocka_unit_test(ical_folds_a_long_indonesian_summary_between_characters),
        cmocka_unit_test(ical_folds_at_every_character_width_and_offset),
        cmocka_unit_test(ical_replaces_invalid_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
