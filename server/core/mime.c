/* mime.c — an e-mail as RFC 5322 / MIME text (mime.h): encoded words for
 * the subject and the sender's name, multipart/alternative with base64
 * parts, CRLF everywhere. */
#include "sinau/core/mime.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sinau/core/alloc.h"
#include "sinau/core/common.h"

#define WORD_BYTES 45 /* raw bytes per encoded word: 60 base64 chars + 12 = 72 */
#define LINE_CHARS 76 /* base64 body line length */

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void puts_(buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static SINAU_PRINTF(2, 3) void putf(buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static bool plain_ascii(const char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return false;
    return true;
}

static void put_base64(buf *b, const unsigned char *bin, size_t n)
{
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *out = xmalloc(cap);

    sodium_bin2base64(out, cap, bin, n, sodium_base64_VARIANT_ORIGINAL);
    puts_(b, out);
    free(out);
}

/* Start of the UTF-8 character at or before s[i] (never splits one). */
static size_t char_start(const char *s, size_t i)
{
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
        i--;
    return i;
}

/* A header value: as it is when plain ASCII, else RFC 2047 encoded words
 * of whole characters, folded one per line. */
static void put_header_text(buf *b, const char *s)
{
    size_t n = strlen(s), i = 0;

    if (plain_ascii(s) && n <= 900) {
        puts_(b, s);
        return;
    }
    while (i < n) {
        size_t end = i + WORD_BYTES < n ? char_start(s, i + WORD_BYTES) : n;
        if (end <= i)
            end = i + WORD_BYTES < n ? i + WORD_BYTES : n;
        if (i > 0)
            puts_(b, "\r\n ");
        puts_(b, "=?UTF-8?B?");
        put_base64(b, (const unsigned char *)s + i, end - i);
        puts_(b, "?=");
        i = end;
    }
}

/* A body in base64 lines of LINE_CHARS, with LF turned into CRLF first. */
static void put_body(buf *b, const char *text)
{
    buf crlf = {0};
    char *enc;
    size_t cap, elen;

    for (const char *p = text; *p != '\0'; p++) {
        if (*p == '\n' && (p == text || p[-1] != '\r'))
            put(&crlf, "\r", 1);
        put(&crlf, p, 1);
    }
    cap = sodium_base64_ENCODED_LEN(crlf.len, sodium_base64_VARIANT_ORIGINAL);
    enc = xmalloc(cap);
    sodium_bin2base64(enc, cap, (const unsigned char *)(crlf.p != NULL ? crlf.p : ""), crlf.len,
                      sodium_base64_VARIANT_ORIGINAL);
    elen = strlen(enc);
    for (size_t i = 0; i < elen; i += LINE_CHARS) {
        put(b, enc + i, elen - i < LINE_CHARS ? elen - i : LINE_CHARS);
        puts_(b, "\r\n");
    }
    free(enc);
    free(crlf.p);
}

static void put_part(buf *b, const char *boundary, const char *type, const char *body)
{
    putf(b, "--%s\r\n", boundary);
    putf(b, "Content-Type: %s; charset=UTF-8\r\n", type);
    puts_(b, "Content-Transfer-Encoding: base64\r\n\r\n");
    put_body(b, body);
}

static void put_headers(buf *b, const mime_mail *m)
{
    char date[64];
    struct tm tm;

    gmtime_r(&m->date, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    putf(b, "Date: %s\r\n", date);
    puts_(b, "From: ");
    if (m->from_name != NULL) {
        put_header_text(b, m->from_name);
        puts_(b, " ");
    }
    putf(b, "<%s>\r\n", m->from);
    putf(b, "To: <%s>\r\n", m->to);
    puts_(b, "Subject: ");
    put_header_text(b, m->subject);
    puts_(b, "\r\n");
    putf(b, "Message-ID: <%s>\r\n", m->message_id);
    putf(b, "Content-Language: %s\r\n", m->language);
    puts_(b, "Auto-Submitted: auto-generated\r\n");
    if (m->kind != NULL)
        putf(b, "X-Sinau-Kind: %s\r\n", m->kind);
    if (m->unsubscribe != NULL) {
        puts_(b, "List-Unsubscribe: <");
        puts_(b, m->unsubscribe);
        puts_(b, ">\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
    }
    puts_(b, "MIME-Version: 1.0\r\n");
}

char *mime_build(const mime_mail *m, size_t *len)
{
    buf b = {0};
    char boundary[80];

    put_headers(&b, m);
    if (m->html == NULL) {
        puts_(&b, "Content-Type: text/plain; charset=UTF-8\r\n");
        puts_(&b, "Content-Transfer-Encoding: base64\r\n\r\n");
        put_body(&b, m->text);
    } else {
        /* "=_" never occurs in base64, so the boundary cannot be in a part */
        snprintf(boundary, sizeof boundary, "=_sinau_%.40s", m->message_id);
        for (char *p = boundary; *p != '\0'; p++)
            if (*p == '@' || *p == '<' || *p == '>')
                *p = '.';
        putf(&b, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", boundary);
        put_part(&b, boundary, "text/plain", m->text);
        put_part(&b, boundary, "text/html", m->html);
        putf(&b, "--%s--\r\n", boundary);
    }
    *len = b.len;
    return b.p;
}
