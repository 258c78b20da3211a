/* core/mime.h — one e-mail as RFC 5322 text: headers (UTF-8 subject and name as
 * RFC 2047 encoded words), a multipart/alternative body with a plain-text
 * and an HTML part, each UTF-8 in base64, CRLF line ends. Pure; any
 * thread. Values are taken as they are: callers pass addresses and URLs
 * already checked (no CR or LF can reach a header: the only free text, the
 * subject and the sender's name, is encoded). */
#ifndef SINAU_CORE_MIME_H
#define SINAU_CORE_MIME_H

#include <stddef.h>
#include <time.h>

typedef struct mime_mail {
    const char *from_name;   /* display name of the sender (UTF-8), or NULL */
    const char *from;        /* addr-spec */
    const char *to;          /* addr-spec */
    const char *subject;     /* UTF-8 */
    const char *text;        /* UTF-8 plain text (LF or CRLF lines) */
    const char *html;        /* UTF-8 HTML, or NULL for text only */
    const char *message_id;  /* id-left@id-right, without the angle brackets */
    const char *language;    /* Content-Language, e.g. "id" */
    const char *unsubscribe; /* List-Unsubscribe URL (one-click), or NULL */
    const char *kind;        /* X-Sinau-Kind (registration_confirmed, …), or NULL */
    time_t date;
} mime_mail;

/* The whole message in a new NUL-terminated string (caller frees), its
 * length in *len; NULL when it would be over 32 MiB or memory ran out. */
char *mime_build(const mime_mail *m, size_t *len);

#endif /* SINAU_CORE_MIME_H */
