/* mailer.c — SMTP and the signed webhook through libcurl's multi interface
 * on a libevent loop (mailer.h). curl tells us which sockets to watch
 * (CURLMOPT_SOCKETFUNCTION) and when to wake it (CURLMOPT_TIMERFUNCTION);
 * libevent calls back into curl_multi_socket_action, and finished
 * transfers are read from curl_multi_info_read. Nothing here blocks: name
 * resolution is curl's threaded resolver. */
#include "sinau/core/mailer.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sinau/core/alloc.h"
#include "sinau/core/log.h"

struct mailer {
    struct event_base *base;
    CURLM *multi;
    struct event *timer;
    char *smtp_url, *smtp_password, *mail_from;
    char *webhook_url, *webhook_secret;
    bool smtp_plain_ok; /* smtp:// to loopback: STARTTLS only when offered */
    long connect_timeout_ms, timeout_ms;
    int inflight;
    struct transfer *live; /* transfers in flight, to abort at free */
};

typedef struct transfer {
    struct transfer *prev, *next;
    mailer *m;
    CURL *easy;
    char *data; /* the message or the webhook's body; owned */
    size_t len, pos;
    struct curl_slist *rcpt, *headers;
    mailer_done_fn cb;
    void *arg;
    bool webhook;
} transfer;

/* Per socket curl watches: its event. */
typedef struct watch {
    struct event *ev;
    mailer *m;
} watch;

bool mailer_url_is_loopback(const char *url)
{
    CURLU *u = curl_url();
    char *host = NULL;
    bool yes = false;

    if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        struct in_addr a4;
        /* an IPv4 literal in 127.0.0.0/8, not a name that starts with "127." */
        yes = (inet_pton(AF_INET, host, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127) ||
              strcmp(host, "[::1]") == 0 || strcmp(host, "localhost") == 0;
    }
    curl_free(host);
    curl_url_cleanup(u);
    return yes;
}

void mailer_signature(const char *key, const char *body, size_t len, char out[72])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;

    crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, strlen(key));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, "sha256=", 7);
    sodium_bin2hex(out + 7, 65, mac, sizeof mac);
}

/* ---- finished transfers ---- */

static void transfer_free(transfer *t)
{
    mailer *m = t->m;

    SINAU_DLIST_UNLINK(m->live, t, prev, next);
    curl_multi_remove_handle(m->multi, t->easy);
    curl_easy_cleanup(t->easy);
    curl_slist_free_all(t->rcpt);
    curl_slist_free_all(t->headers);
    if (t->data != NULL)
        sodium_memzero(t->data, t->len); /* it may hold a reset link */
    free(t->data);
    free(t);
    m->inflight--;
}

static void transfer_finished(transfer *t, CURLcode code)
{
    long status = 0;
    char why[160];
    bool ok = false;

    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    if (code != CURLE_OK)
        snprintf(why, sizeof why, "%s: %s (%ld)", t->webhook ? "webhook" : "smtp",
                 curl_easy_strerror(code), status);
    else if (t->webhook && (status < 200 || status > 299))
        snprintf(why, sizeof why, "webhook: HTTP %ld", status);
    else
        ok = true;
    t->cb(t->arg, ok, ok ? NULL : why);
}

static void check_done(mailer *m)
{
    CURLMsg *msg;
    int left;

    while ((msg = curl_multi_info_read(m->multi, &left)) != NULL) {
        transfer *t = NULL;
        if (msg->msg != CURLMSG_DONE)
            continue;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
        transfer_finished(t, msg->data.result);
        transfer_free(t);
    }
}

/* ---- curl on libevent ---- */

static void on_socket_event(evutil_socket_t fd, short what, void *arg)
{
    mailer *m = arg;
    int running = 0, flags = 0;

    if (what & EV_READ)
        flags |= CURL_CSELECT_IN;
    if (what & EV_WRITE)
        flags |= CURL_CSELECT_OUT;
    curl_multi_socket_action(m->multi, fd, flags, &running);
    check_done(m);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    mailer *m = arg;
    int running = 0;

    curl_multi_socket_action(m->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_done(m);
}

static int socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    mailer *m = userp;
    watch *w = socketp;
    short kind = EV_PERSIST;

    if (what == CURL_POLL_REMOVE) {
        if (w != NULL) {
            event_free(w->ev);
            free(w);
            curl_multi_assign(m->multi, s, NULL);
        }
        return 0;
    }
    if (what & CURL_POLL_IN)
        kind |= EV_READ;
    if (what & CURL_POLL_OUT)
        kind |= EV_WRITE;
    if (w == NULL) {
        w = xcalloc(1, sizeof *w);
        w->m = m;
        w->ev = event_new(m->base, s, kind, on_socket_event, m);
        curl_multi_assign(m->multi, s, w);
    } else {
        /* the same event, re-armed: it may be the one running right now */
        event_del(w->ev);
        event_assign(w->ev, m->base, s, kind, on_socket_event, m);
    }
    event_add(w->ev, NULL);
    return 0;
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    mailer *m = userp;
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};

    if (timeout_ms < 0)
        evtimer_del(m->timer);
    else
        evtimer_add(m->timer, &tv); /* 0: as soon as the loop turns, never inside curl */
    return 0;
}

/* ---- starting transfers ---- */

static size_t read_cb(char *buf, size_t size, size_t nitems, void *arg)
{
    transfer *t = arg;
    size_t n = size * nitems, left = t->len - t->pos;

    if (n > left)
        n = left;
    memcpy(buf, t->data + t->pos, n);
    t->pos += n;
    return n;
}

static size_t discard_cb(char *buf, size_t size, size_t nitems, void *arg)
{
    return size * nitems;
}

static transfer *transfer_new(mailer *m, char *data, size_t len, mailer_done_fn cb, void *arg)
{
    transfer *t = xcalloc(1, sizeof *t);

    t->m = m;
    t->data = data;
    t->len = len;
    t->cb = cb;
    t->arg = arg;
    t->easy = curl_easy_init();
    if (t->easy == NULL)
        abort(); /* out of memory: the one policy (alloc.h) */
    curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t);
    curl_easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(t->easy, CURLOPT_CONNECTTIMEOUT_MS, m->connect_timeout_ms);
    curl_easy_setopt(t->easy, CURLOPT_TIMEOUT_MS, m->timeout_ms);
    curl_easy_setopt(t->easy, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(t->easy, CURLOPT_READDATA, t);
    curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, discard_cb);
    return t;
}

static int transfer_start(transfer *t)
{
    mailer *m = t->m;

    if (curl_multi_add_handle(m->multi, t->easy) != CURLM_OK) {
        curl_easy_cleanup(t->easy);
        curl_slist_free_all(t->rcpt);
        curl_slist_free_all(t->headers);
        free(t->data);
        free(t);
        return -1;
    }
    SINAU_DLIST_PUSH(m->live, t, prev, next);
    m->inflight++;
    return 0;
}

int mailer_send_mail(mailer *m, const char *rcpt, char *message, size_t len, mailer_done_fn cb,
                     void *arg)
{
    transfer *t;
    char addr[320];

    if (m->smtp_url == NULL || strlen(rcpt) > 254) {
        free(message);
        return -1;
    }
    t = transfer_new(m, message, len, cb, arg);
    snprintf(addr, sizeof addr, "<%s>", rcpt);
    t->rcpt = curl_slist_append(NULL, addr);
    snprintf(addr, sizeof addr, "<%s>", m->mail_from);
    curl_easy_setopt(t->easy, CURLOPT_URL, m->smtp_url);
    curl_easy_setopt(t->easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(t->easy, CURLOPT_USE_SSL,
                     m->smtp_plain_ok ? (long)CURLUSESSL_TRY : (long)CURLUSESSL_ALL);
    if (m->smtp_password != NULL)
        curl_easy_setopt(t->easy, CURLOPT_PASSWORD, m->smtp_password);
    curl_easy_setopt(t->easy, CURLOPT_MAIL_FROM, addr);
    curl_easy_setopt(t->easy, CURLOPT_MAIL_RCPT, t->rcpt);
    curl_easy_setopt(t->easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(t->easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    return transfer_start(t);
}

int mailer_post_webhook(mailer *m, char *body, size_t len, mailer_done_fn cb, void *arg)
{
    transfer *t;
    char sig[72], header[96];

    if (m->webhook_url == NULL) {
        free(body);
        return -1;
    }
    t = transfer_new(m, body, len, cb, arg);
    t->webhook = true;
    mailer_signature(m->webhook_secret, body, len, sig);
    snprintf(header, sizeof header, "X-Sinau-Signature: %s", sig);
    t->headers = curl_slist_append(NULL, "Content-Type: application/json");
    t->headers = curl_slist_append(t->headers, header);
    t->headers = curl_slist_append(t->headers, "Expect:");
    curl_easy_setopt(t->easy, CURLOPT_URL, m->webhook_url);
    curl_easy_setopt(t->easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(t->easy, CURLOPT_POST, 1L);
    curl_easy_setopt(t->easy, CURLOPT_POSTFIELDS, t->data);
    curl_easy_setopt(t->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(t->easy, CURLOPT_USERAGENT, "sinau");
    return transfer_start(t);
}

/* ---- life cycle ---- */

static char *dup_or_null(const char *s)
{
    return s != NULL ? xstrdup(s) : NULL;
}

mailer *mailer_new(struct event_base *base, const mailer_opts *o, char *err, size_t errlen)
{
    mailer *m;

    if (o->webhook_url != NULL && strncmp(o->webhook_url, "https://", 8) != 0 &&
        !mailer_url_is_loopback(o->webhook_url)) {
        snprintf(err, errlen, "the webhook must be https:// (plain http only to loopback)");
        return NULL;
    }
    m = xcalloc(1, sizeof *m);
    m->base = base;
    m->multi = curl_multi_init();
    m->timer = evtimer_new(base, on_timer, m);
    if (m->multi == NULL || m->timer == NULL)
        abort();
    curl_multi_setopt(m->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
    curl_multi_setopt(m->multi, CURLMOPT_SOCKETDATA, m);
    curl_multi_setopt(m->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    curl_multi_setopt(m->multi, CURLMOPT_TIMERDATA, m);
    m->smtp_url = dup_or_null(o->smtp_url);
    m->smtp_password = dup_or_null(o->smtp_password);
    m->mail_from = dup_or_null(o->mail_from);
    m->webhook_url = dup_or_null(o->webhook_url);
    m->webhook_secret = dup_or_null(o->webhook_secret);
    m->smtp_plain_ok = o->smtp_url != NULL && strncmp(o->smtp_url, "smtp://", 7) == 0 &&
                       mailer_url_is_loopback(o->smtp_url);
    m->connect_timeout_ms = o->connect_timeout_ms;
    m->timeout_ms = o->timeout_ms;
    return m;
}

void mailer_free(mailer *m)
{
    if (m == NULL)
        return;
    while (m->live != NULL)
        transfer_free(m->live);
    curl_multi_cleanup(m->multi); /* closes its sockets through socket_cb */
    event_free(m->timer);
    xfree_secret(m->smtp_url);
    xfree_secret(m->smtp_password);
    free(m->mail_from);
    xfree_secret(m->webhook_url);
    xfree_secret(m->webhook_secret);
    free(m);
}

bool mailer_has_mail(const mailer *m)
{
    return m != NULL && m->smtp_url != NULL;
}

bool mailer_has_webhook(const mailer *m)
{
    return m != NULL && m->webhook_url != NULL;
}

int mailer_inflight(const mailer *m)
{
    return m != NULL ? m->inflight : 0;
}
