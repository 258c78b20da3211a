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
#include "sinau/core/dynbuf.h"

#define WORD_BYTES 45 /* raw bytes per encoded word: 60 base64 chars + 12 = 72 */
#define LINE_CHARS 76 /* base64 body line length */

/* A message is at most MIME_MAX bytes (mime.h). */
#define MIME_MAX ((size_t)32 << 20)

static bool plain_ascii(const char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return false;
    return true;
}

static void put_base64(dynbuf *b, const unsigned char *bin, size_t n)
{
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *out = xmalloc(cap);

    sodium_bin2base64(out, cap, bin, n, sodium_base64_VARIANT_ORIGINAL);
    dynbuf_addstr(b, out);
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
static void put_header_text(dynbuf *b, const char *s)
{
    size_t n = strlen(s), i = 0;

    if (plain_ascii(s) && n <= 900) {
        dynbuf_addstr(b, s);
        return;
    }
    while (i < n) {
        size_t end = i + WORD_BYTES < n ? char_start(s, i + WORD_BYTES) : n;
        if (end <= i)
            end = i + WORD_BYTES < n ? i + WORD_BYTES : n;
        if (i > 0)
            dynbuf_addstr(b, "\r\n ");
        dynbuf_addstr(b, "=?UTF-8?B?");
        put_base64(b, (const unsigned char *)s + i, end - i);
        dynbuf_addstr(b, "?=");
        i = end;
    }
}

/* A body in base64 lines of LINE_CHARS, with LF turned into CRLF first. */
static void put_body(dynbuf *b, const char *text)
{
    dynbuf crlf;
    char *enc;
    size_t cap, elen;

    dynbuf_init(&crlf, MIME_MAX);

    for (const char *p = text; *p != '\0'; p++) {
        if (*p == '\n' && (p == text || p[-1] != '\r'))
            dynbuf_add(&crlf, "\r", 1);
        dynbuf_add(&crlf, p, 1);
    }
    if (dynbuf_failed(&crlf)) {
        dynbuf_fail(b);
        return;
    }
    cap = sodium_base64_ENCODED_LEN(crlf.len, sodium_base64_VARIANT_ORIGINAL);
    enc = xmalloc(cap);
    sodium_bin2base64(enc, cap, (const unsigned char *)(crlf.data != NULL ? crlf.data : ""),
                      crlf.len, sodium_base64_VARIANT_ORIGINAL);
    elen = strlen(enc);
    for (size_t i = 0; i < elen; i += LINE_CHARS) {
        dynbuf_add(b, enc + i, elen - i < LINE_CHARS ? elen - i : LINE_CHARS);
        dynbuf_addstr(b, "\r\n");
    }
    free(enc);
    dynbuf_free(&crlf);
}

static void put_part(dynbuf *b, const char *boundary, const char *type, const char *body)
{
    dynbuf_printf(b, "--%s\r\n", boundary);
    dynbuf_printf(b, "Content-Type: %s; charset=UTF-8\r\n", type);
    dynbuf_addstr(b, "Content-Transfer-Encoding: base64\r\n\r\n");
    put_body(b, body);
}

static void put_headers(dynbuf *b, const mime_mail *m)
{
    char date[64];
    struct tm tm;

    gmtime_r(&m->date, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    dynbuf_printf(b, "Date: %s\r\n", date);
    dynbuf_addstr(b, "From: ");
    if (m->from_name != NULL) {
        put_header_text(b, m->from_name);
        dynbuf_addstr(b, " ");
    }
    dynbuf_printf(b, "<%s>\r\n", m->from);
    dynbuf_printf(b, "To: <%s>\r\n", m->to);
    dynbuf_addstr(b, "Subject: ");
    put_header_text(b, m->subject);
    dynbuf_addstr(b, "\r\n");
    dynbuf_printf(b, "Message-ID: <%s>\r\n", m->message_id);
    dynbuf_printf(b, "Content-Language: %s\r\n", m->language);
    dynbuf_addstr(b, "Auto-Submitted: auto-generated\r\n");
    if (m->kind != NULL)
        dynbuf_printf(b, "X-Sinau-Kind: %s\r\n", m->kind);
    if (m->unsubscribe != NULL) {
        dynbuf_addstr(b, "List-Unsubscribe: <");
        dynbuf_addstr(b, m->unsubscribe);
        dynbuf_addstr(b, ">\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
    }
    dynbuf_addstr(b, "MIME-Version: 1.0\r\n");
}

char *mime_build(const mime_mail *m, size_t *len)
{
    dynbuf b;
    char boundary[80];

    dynbuf_init(&b, MIME_MAX);

    put_headers(&b, m);
    if (m->html == NULL) {
        dynbuf_addstr(&b, "Content-Type: text/plain; charset=UTF-8\r\n");
        dynbuf_addstr(&b, "Content-Transfer-Encoding: base64\r\n\r\n");
        put_body(&b, m->text);
    } else {
        /* "=_" never occurs in base64, so the boundary cannot be in a part */
        snprintf(boundary, sizeof boundary, "=_sinau_%.40s", m->message_id);
        for (char *p = boundary; *p != '\0'; p++)
            if (*p == '@' || *p == '<' || *p == '>')
                *p = '.';
        dynbuf_printf(&b, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", boundary);
        put_part(&b, boundary, "text/plain", m->text);
        put_part(&b, boundary, "text/html", m->html);
        dynbuf_printf(&b, "--%s--\r\n", boundary);
    }
    return dynbuf_take(&b, len);
}
