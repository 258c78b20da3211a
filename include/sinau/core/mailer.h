/* core/mailer.h — sending messages out of the process without blocking a loop:
 * e-mail over SMTP and a signed HTTPS webhook for WhatsApp/SMS gateways,
 * both through libcurl's multi interface driven by one libevent loop.
 *
 * Every transfer has a connection timeout and a total timeout. SMTP: an
 * smtps:// URL is TLS from the start; smtp:// requires STARTTLS unless the
 * host is a loopback address (a local relay may take plain text). The
 * webhook must be https:// except to loopback; its body is signed with
 * HMAC-SHA256 in `X-Sinau-Signature: sha256=<hex>`. Errors handed back never
 * hold a recipient or a body (curl's code and the server's status only).
 *
 * Thread: a mailer belongs to the loop whose event_base made it; every
 * function must be called there. curl_global_init must have run before. */
#ifndef SINAU_CORE_MAILER_H
#define SINAU_CORE_MAILER_H

#include <stdbool.h>
#include <stddef.h>

#include "sinau/core/common.h"

struct event_base;
typedef struct mailer mailer;

typedef struct mailer_opts {
    const char *smtp_url;       /* smtp:// or smtps://, or NULL: no e-mail */
    const char *smtp_password;  /* overrides the URL's password, or NULL */
    const char *mail_from;      /* envelope sender (an addr-spec) */
    const char *webhook_url;    /* http(s)://, or NULL: no webhook */
    const char *webhook_secret; /* HMAC key of the webhook */
    long connect_timeout_ms;
    long timeout_ms;
} mailer_opts;

/* Called once per accepted transfer, on the loop thread, never from inside
 * the call that started it. ok: delivered (SMTP accepted it, the webhook
 * answered 2xx); error: a short reason otherwise (borrowed for the call). */
typedef void (*mailer_done_fn)(void *arg, bool ok, const char *error);

/* A mailer on base. Returns an owned mailer, or NULL with a one-line
 * message in err (a URL curl cannot parse, plain http to a remote host). */
mailer *mailer_new(struct event_base *base, const mailer_opts *opts, char *err, size_t errlen);

/* Aborts transfers in flight (their callbacks are not called) and frees.
 * NULL-safe. */
void mailer_free(mailer *m);

bool mailer_has_mail(const mailer *m);
bool mailer_has_webhook(const mailer *m);

/* Transfers in flight. */
int mailer_inflight(const mailer *m);

/* Sends message[0..len) (a whole RFC 5322 message, CRLF lines) to rcpt.
 * Takes message (freed when the transfer ends). Returns 0, or -1 (no SMTP
 * configured, or curl refused; message freed, cb not called). */
SINAU_MUST_CHECK int mailer_send_mail(mailer *m, const char *rcpt, char *message, size_t len,
                                      mailer_done_fn cb, void *arg);

/* POSTs body[0..len) (JSON) to the webhook, signed. Takes body. Returns 0
 * or -1 like mailer_send_mail. */
SINAU_MUST_CHECK int mailer_post_webhook(mailer *m, char *body, size_t len, mailer_done_fn cb,
                                         void *arg);

/* "sha256=<hex>" of HMAC-SHA256(key, body) into out (72 bytes). Pure. */
void mailer_signature(const char *key, const char *body, size_t len, char out[72]);

/* True when the URL's host is a loopback address (127.0.0.0/8, ::1,
 * localhost). Pure. */
bool mailer_url_is_loopback(const char *url);

#endif /* SINAU_CORE_MAILER_H */
