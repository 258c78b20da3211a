/* ical.c — iCalendar feeds (ical.h). Every content line goes through
 * put_line(), which escapes TEXT values and folds at 75 octets between whole
 * UTF-8 characters, so no caller can produce an unescaped line break or an
 * over-long line. Invalid UTF-8 and control characters never reach the
 * output: the former become U+FFFD, the latter are dropped. */
#include "sinau/core/ical.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sinau/core/utf8.h"

#define LINE_MAX_OCTETS 75
#define PRODID          "-//Sinau//Sinau//ID"
#define REPLACEMENT     "\xEF\xBF\xBD" /* U+FFFD */

enum value_kind { VALUE_TEXT, VALUE_RAW };

/* A content line being written: octets on the current physical line. */
typedef struct line {
    ical_buf *b;
    size_t col;
} line;

static void put(ical_buf *b, const char *s, size_t n)
{
    dynbuf_add(b, s, n); /* a failure is the buffer's, sticky: the caller looks once */
}

/* Appends s[0..n), one indivisible piece (a character or an escape), first
 * folding (CRLF + space) when it would not fit on the physical line. */
static void put_piece(line *l, const char *s, size_t n)
{
    if (l->col + n > LINE_MAX_OCTETS) {
        put(l->b, "\r\n ", 3);
        l->col = 1;
    }
    put(l->b, s, n);
    l->col += n;
}

/* The RFC 5545 TEXT escape for c, or NULL when c stands for itself. A
 * lone CR is a newline too (put_value() skips the CR of a CR LF). */
static const char *text_escape(char c)
{
    switch (c) {
    case '\\':
        return "\\\\";
    case ';':
        return "\\;";
    case ',':
        return "\\,";
    case '\n':
    case '\r':
        return "\\n";
    default:
        return NULL;
    }
}

/* Printable, or a tab (TEXT allows WSP)? Other controls are dropped. */
static bool printable(unsigned char c)
{
    return (c >= 0x20 && c != 0x7F) || c == '\t';
}

/* Writes v as the value of a content line, escaped when it is TEXT. */
static void put_value(line *l, const char *v, enum value_kind kind)
{
    const unsigned char *p = (const unsigned char *)v;

    while (*p != '\0') {
        const char *esc = kind == VALUE_TEXT ? text_escape((char)*p) : NULL;
        size_t n = utf8_seq_len(p);

        if (kind == VALUE_TEXT && p[0] == '\r' && p[1] == '\n') {
            p++; /* CR LF is one newline: the LF writes it */
            continue;
        }
        if (esc != NULL)
            put_piece(l, esc, strlen(esc));
        else if (n == 0)
            put_piece(l, REPLACEMENT, 3);
        else if (n > 1 || printable(*p))
            put_piece(l, (const char *)p, n);
        p += n > 0 ? n : 1;
    }
}

/* One content line "NAME:value" CRLF, folded. */
static void put_line(ical_buf *b, const char *name, const char *value, enum value_kind kind)
{
    line l = {b, 0};

    put_value(&l, name, VALUE_RAW);
    put_piece(&l, ":", 1);
    put_value(&l, value, kind);
    put(b, "\r\n", 2);
}

/* "YYYYMMDDTHHMMSSZ" for t; the epoch if gmtime_r cannot represent it. */
static void put_time(ical_buf *b, const char *name, time_t t)
{
    char s[32];
    struct tm tm;
    time_t zero = 0;

    if (gmtime_r(&t, &tm) == NULL)
        gmtime_r(&zero, &tm);
    if (strftime(s, sizeof s, "%Y%m%dT%H%M%SZ", &tm) == 0)
        s[0] = '\0';
    put_line(b, name, s, VALUE_RAW);
}

/* An http(s) URL without spaces or control characters? Anything else is
 * left out of the feed rather than escaped: URL values are not TEXT. */
static bool url_ok(const char *url)
{
    if (strncasecmp(url, "https://", 8) != 0 && strncasecmp(url, "http://", 7) != 0)
        return false;
    for (const unsigned char *p = (const unsigned char *)url; *p != '\0'; p++) {
        if (*p <= 0x20 || *p == 0x7F)
            return false;
    }
    return true;
}

void ical_begin(ical_buf *b, const char *name)
{
    dynbuf_init(b, ICAL_MAX);
    put_line(b, "BEGIN", "VCALENDAR", VALUE_RAW);
    put_line(b, "VERSION", "2.0", VALUE_RAW);
    put_line(b, "PRODID", PRODID, VALUE_RAW);
    put_line(b, "CALSCALE", "GREGORIAN", VALUE_RAW);
    put_line(b, "METHOD", "PUBLISH", VALUE_RAW);
    put_line(b, "X-WR-CALNAME", name != NULL ? name : "", VALUE_TEXT);
}

void ical_event_add(ical_buf *b, const ical_event *e)
{
    put_line(b, "BEGIN", "VEVENT", VALUE_RAW);
    put_line(b, "UID", e->uid != NULL ? e->uid : "", VALUE_TEXT);
    put_time(b, "DTSTAMP", e->stamp);
    put_time(b, "DTSTART", e->starts);
    put_time(b, "DTEND", e->ends);
    put_line(b, "SUMMARY", e->summary != NULL ? e->summary : "", VALUE_TEXT);
    if (e->location != NULL)
        put_line(b, "LOCATION", e->location, VALUE_TEXT);
    if (e->url != NULL && url_ok(e->url))
        put_line(b, "URL", e->url, VALUE_RAW);
    if (e->description != NULL)
        put_line(b, "DESCRIPTION", e->description, VALUE_TEXT);
    put_line(b, "END", "VEVENT", VALUE_RAW);
}

void ical_end(ical_buf *b)
{
    put_line(b, "END", "VCALENDAR", VALUE_RAW);
}

void ical_free(ical_buf *b)
{
    dynbuf_free(b);
}
