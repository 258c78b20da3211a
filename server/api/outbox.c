/* outbox.c — the delivery worker of the transactional outbox (outbox.h).
 *
 * A turn is a short chain, one function per step:
 *   outbox_tick   → claim (msg_claim, SKIP LOCKED, a lease)
 *   claimed       → per row: render, then mailer_send_mail / _post_webhook,
 *                   or mark it undeliverable at once (no channel, no phone)
 *   send_done     → mark (msg_sent, msg_retry, msg_undeliverable)
 *   marked        → the job ends; a full claim claims again at once
 * A mark the pool refuses or that fails is kept and tried again next tick,
 * so a row is never left claimed longer than it must be. */
#include "sinau/api/outbox.h"

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "sinau/core/alloc.h"
#include "sinau/core/clock.h"
#include "sinau/core/dynbuf.h"
#include "sinau/core/log.h"
#include "sinau/core/mailer.h"
#include "sinau/core/mime.h"
#include "sinau/core/yield.h"
#include "sinau/crypto/pii.h"

#define SLOW_EVERY      20 /* ticks between reminders and figures (5 s) */
#define IDLE_EVERY      4  /* ticks between claims while nothing is due (1 s) */
#define NCHANNELS       2
#define NSTATES         5
#define OUTBOX_TEXT_MAX ((size_t)1 << 20) /* a filled-in subject, text or HTML */
#define NBUCKETS        12
#define MAX_PASSWORD    1024

static const char *const channel_names[NCHANNELS] = {"email", "whatsapp"};
static const char *const state_names[NSTATES] = {"queued", "sending", "sent", "failed",
                                                 "undeliverable"};
static const double bucket_s[NBUCKETS - 1] = {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

enum mark_kind { MARK_SENT, MARK_RETRY, MARK_UNDELIVERABLE };

typedef struct send_job {
    struct send_job *next;                  /* on the list of marks to try again */
    struct send_job *live_prev, *live_next; /* every job not ended (freed at exit) */
    struct outbox *o;
    int channel;
    int64_t started_ns;
    enum mark_kind mark;
    char id[24];
    char error[160];
    const char *params[5];
} send_job;

typedef struct figures {
    long long counts[NSTATES][NCHANNELS];
    double oldest_due_s;
    bool known;
} figures;

struct outbox {
    struct event_base *base;
    db_pool *db;
    const sinau_config *cfg;
    const pii_keyring *keys;
    mailer *mailer;
    char instance[16];
    char host[128]; /* right side of Message-IDs */
    char *from;     /* envelope and header sender */
    char lease[12], limit[12], max_attempts[12], backoff[12], backoff_max[12];
    const char *claim_params[3];
    int batch; /* rows asked for by the claim in flight */
    bool idle; /* the last claim found nothing: claim once a second only */
    bool claiming, again, slow_busy;
    unsigned ticks;
    yield_state yield; /* giving way to a crowd (yielding()) */
    int jobs;          /* sends and marks not finished */
    send_job *live;    /* those jobs */
    send_job *unmarked;
    pthread_mutex_t mu; /* guards fig */
    figures fig;
    atomic_ullong results[NCHANNELS][3]; /* ok, error, undeliverable */
    atomic_ullong buckets[NCHANNELS][NBUCKETS];
    atomic_ullong sum_us[NCHANNELS];
    atomic_ullong yields; /* turns skipped for the requests (outbox_tick) */
};

static const db_stmt claim_stmt = {"msg_claim", "select * from msg_claim($1, $2::int, $3::int)", 3};
static const db_stmt sent_stmt = {"msg_sent", "select msg_sent($1::bigint)", 1};
static const db_stmt retry_stmt = {
    "msg_retry", "select msg_retry($1::bigint, $2, $3::int, $4::int, $5::int)", 5};
static const db_stmt undeliverable_stmt = {"msg_undeliverable",
                                           "select msg_undeliverable($1::bigint, $2)", 2};
static const db_stmt park_stmt = {"msg_park_due", "select msg_park_due($1::int)", 1};
static const db_stmt reminders_stmt = {"msg_tick", "select msg_tick()", 0};
static const db_stmt stats_stmt = {"msg_stats", "select msg_stats()", 0};

static void claim(outbox *o);

int outbox_unsubscribe_token(const pii_keyring *keys, const char *user_id, char out[65])
{
    return pii_blind_index(keys, "unsubscribe", user_id, out);
}

/* ---- marking ---- */

static void job_end(send_job *job)
{
    outbox *o = job->o;

    if (job->live_prev != NULL)
        job->live_prev->live_next = job->live_next;
    else
        o->live = job->live_next;
    if (job->live_next != NULL)
        job->live_next->live_prev = job->live_prev;
    free(job);
    o->jobs--;
    /* more are due: claim again once half the slots are free (in batches,
     * not one claim per finished send) */
    if (o->again && !o->claiming &&
        o->cfg->outbox_concurrency - o->jobs >= (o->cfg->outbox_concurrency + 1) / 2) {
        o->again = false;
        claim(o);
    }
}

static void mark(send_job *job);

static void marked(void *arg, db_result *r)
{
    send_job *job = arg;

    if (r->status != DB_OK) { /* kept: tried again at the next tick */
        job->next = job->o->unmarked;
        job->o->unmarked = job;
        return;
    }
    job_end(job);
}

static void mark(send_job *job)
{
    outbox *o = job->o;
    const db_stmt *stmt = &sent_stmt;

    job->params[0] = job->id;
    if (job->mark == MARK_RETRY) {
        stmt = &retry_stmt;
        job->params[1] = job->error;
        job->params[2] = o->max_attempts;
        job->params[3] = o->backoff;
        job->params[4] = o->backoff_max;
    } else if (job->mark == MARK_UNDELIVERABLE) {
        stmt = &undeliverable_stmt;
        job->params[1] = job->error;
    }
    if (db_query(o->db, stmt, job->params, marked, job) != 0) {
        job->next = o->unmarked;
        o->unmarked = job;
    }
}

static void remark_all(outbox *o)
{
    send_job *list = o->unmarked;

    o->unmarked = NULL;
    while (list != NULL) {
        send_job *next = list->next;
        mark(list);
        list = next;
    }
}

static void count_result(outbox *o, send_job *job, int result)
{
    atomic_fetch_add_explicit(&o->results[job->channel][result], 1, memory_order_relaxed);
}

static void send_done(void *arg, bool ok, const char *error)
{
    send_job *job = arg;
    outbox *o = job->o;
    int64_t us = (clock_now_ns() - job->started_ns) / 1000;
    int b = 0;

    while (b < NBUCKETS - 1 && (double)us / 1e6 > bucket_s[b])
        b++;
    atomic_fetch_add_explicit(&o->buckets[job->channel][b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&o->sum_us[job->channel], (unsigned long long)us,
                              memory_order_relaxed);
    count_result(o, job, ok ? 0 : 1);
    if (!ok) {
        job->mark = MARK_RETRY;
        snprintf(job->error, sizeof job->error, "%s", error);
        log_warn("outbox: message %s (%s) not sent: %s", job->id, channel_names[job->channel],
                 job->error);
    }
    mark(job);
}

/* ---- rendering one row ---- */

typedef struct row {
    const char *id, *kind, *channel, *user_id, *email, *phone_enc, *language, *subject, *text,
        *html, *secret_id, *secret_enc;
    bool security;
} row;

static const char *field(PGresult *res, int i, int col)
{
    return PQgetisnull(res, i, col) ? NULL : PQgetvalue(res, i, col);
}

static void row_read(PGresult *res, int i, row *r)
{
    r->id = field(res, i, 0);
    r->kind = field(res, i, 1);
    r->channel = field(res, i, 2);
    r->user_id = field(res, i, 3);
    r->email = field(res, i, 4);
    r->phone_enc = field(res, i, 5);
    r->language = field(res, i, 6);
    r->security = PQgetvalue(res, i, 7)[0] == 't';
    r->subject = field(res, i, 8);
    r->text = field(res, i, 9);
    r->html = field(res, i, 10);
    r->secret_id = field(res, i, 11);
    r->secret_enc = field(res, i, 12);
}

/* Appends s[0..n) to out, HTML-escaped when html. */
static void append(dynbuf *out, const char *s, size_t n, bool html)
{
    for (size_t k = 0; k < n; k++) {
        if (html && (s[k] == '&' || s[k] == '<' || s[k] == '>'))
            dynbuf_addstr(out, s[k] == '&' ? "&amp;" : s[k] == '<' ? "&lt;" : "&gt;");
        else
            dynbuf_add(out, s + k, 1);
    }
}

/* t with {base} and {secret} filled in (secret may be NULL: left as it is);
 * in HTML what is filled in is escaped. New string; caller frees. NULL when
 * the result would pass OUTBOX_TEXT_MAX (the row cannot be sent). */
static char *fill(const char *t, const char *base, const char *secret, bool html)
{
    size_t n = strlen(t);
    dynbuf out;

    dynbuf_init(&out, OUTBOX_TEXT_MAX);
    for (size_t i = 0; i < n;) {
        if (strncmp(t + i, "{base}", 6) == 0) {
            append(&out, base, strlen(base), html);
            i += 6;
        } else if (secret != NULL && strncmp(t + i, "{secret}", 8) == 0) {
            append(&out, secret, strlen(secret), html);
            i += 8;
        } else {
            append(&out, t + i, 1, false);
            i++;
        }
    }
    return dynbuf_take(&out, NULL);
}

/* The row's secret in clear (owned, wipe and free), or NULL when it has
 * none or it does not decrypt. */
static char *secret_of(outbox *o, const row *r)
{
    char *plain = NULL;
    size_t n = 0;

    if (r->secret_enc == NULL || r->secret_id == NULL)
        return NULL;
    if (pii_decrypt(o->keys, "outbox", "secret", r->secret_id, r->secret_enc, &plain, &n) != 0)
        return NULL;
    return plain;
}

static void wipe_free(char *s)
{
    xfree_secret(s);
}

static char *build_mail(outbox *o, const row *r, const char *secret, size_t *len)
{
    const char *base = o->cfg->public_url;
    char mid[160], unsub[512], token[65];
    char *subject = fill(r->subject, base, NULL, false);
    char *text = fill(r->text, base, secret, false);
    char *html = r->html != NULL ? fill(r->html, base, secret, true) : NULL;
    mime_mail m = {.from_name = "Sinau",
                   .from = o->from,
                   .to = r->email,
                   .subject = subject,
                   .text = text,
                   .html = html,
                   .message_id = mid,
                   .kind = r->kind,
                   .language = r->language != NULL ? r->language : "id",
                   .date = time(NULL)};
    char *out;

    snprintf(mid, sizeof mid, "sinau.%s@%s", r->id, o->host);
    if (subject == NULL || text == NULL || (r->html != NULL && html == NULL)) {
        out = NULL;
        goto done;
    }
    if (!r->security && outbox_unsubscribe_token(o->keys, r->user_id, token) == 0) {
        snprintf(unsub, sizeof unsub, "%s/api/v1/unsubscribe?u=%s&t=%s", base, r->user_id, token);
        m.unsubscribe = unsub;
    }
    out = mime_build(&m, len);
done:
    free(subject);
    wipe_free(text);
    wipe_free(html);
    return out;
}

static char *build_webhook(outbox *o, const row *r, const char *phone, const char *secret,
                           size_t *len)
{
    const char *base = o->cfg->public_url;
    char mid[160];
    char *subject = fill(r->subject, base, NULL, false);
    char *text = fill(r->text, base, secret, false);
    char *both = NULL;
    json_t *doc = NULL;
    char *out = NULL;
    size_t n;

    *len = 0;
    if (subject == NULL || text == NULL)
        goto done;
    n = strlen(subject) + strlen(text) + 3;
    both = xmalloc(n);
    snprintf(mid, sizeof mid, "sinau.%s@%s", r->id, o->host);
    snprintf(both, n, "%s\n\n%s", subject, text);
    doc = json_pack("{s:s, s:s, s:s, s:s}", "to", phone, "text", both, "message_id", mid, "kind",
                    r->kind);
    out = doc != NULL ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    *len = out != NULL ? strlen(out) : 0;
done:
    free(subject);
    wipe_free(text);
    wipe_free(both);
    return out;
}

/* Starts one row's send, or sets job->mark/error when it cannot go. */
static void send_row(outbox *o, send_job *job, const row *r)
{
    char *secret = secret_of(o, r), *phone = NULL, *body;
    size_t len = 0, plen = 0;
    int rc = -1;

    if (job->channel == 0 && mailer_has_mail(o->mailer) && r->email != NULL) {
        body = build_mail(o, r, secret, &len);
        rc = body != NULL ? mailer_send_mail(o->mailer, r->email, body, len, send_done, job) : -1;
    } else if (job->channel == 1 && mailer_has_webhook(o->mailer) && r->phone_enc != NULL &&
               pii_decrypt(o->keys, "profiles", "phone", r->user_id, r->phone_enc, &phone, &plen) ==
                   0) {
        body = build_webhook(o, r, phone, secret, &len);
        rc = body != NULL ? mailer_post_webhook(o->mailer, body, len, send_done, job) : -1;
    }
    if (rc != 0) {
        bool configured =
            job->channel == 0 ? mailer_has_mail(o->mailer) : mailer_has_webhook(o->mailer);
        job->mark = MARK_UNDELIVERABLE;
        snprintf(job->error, sizeof job->error, "%s",
                 !configured         ? "no channel"
                 : job->channel == 1 ? "no phone"
                                     : "cannot send");
        count_result(o, job, 2);
        mark(job);
    }
    if (phone != NULL)
        sodium_memzero(phone, plen);
    free(phone);
    wipe_free(secret);
}

/* ---- claiming ---- */

static void claimed(void *arg, db_result *r)
{
    outbox *o = arg;
    int n;

    o->claiming = false;
    if (r->status != DB_OK) {
        log_warn("outbox: claim failed (%s %s)", db_status_name(r->status), r->sqlstate);
        return;
    }
    n = PQntuples(r->res);
    o->idle = n == 0;
    for (int i = 0; i < n; i++) {
        send_job *job = xcalloc(1, sizeof *job);
        row rw;
        row_read(r->res, i, &rw);
        job->o = o;
        job->channel = strcmp(rw.channel, "whatsapp") == 0 ? 1 : 0;
        job->started_ns = clock_now_ns();
        job->mark = MARK_SENT;
        snprintf(job->id, sizeof job->id, "%s", rw.id);
        job->live_next = o->live;
        if (o->live != NULL)
            o->live->live_prev = job;
        o->live = job;
        o->jobs++;
        send_row(o, job, &rw);
    }
    /* a full batch: more are probably due, claim again as capacity frees */
    o->again = n > 0 && n >= o->batch;
}

/* No channel at all: what is due was kept as undeliverable in bulk; a
 * full batch means more may be due, so the next tick goes on. */
static void parked(void *arg, db_result *r)
{
    outbox *o = arg;

    o->claiming = false;
    if (r->status != DB_OK) {
        log_warn("outbox: parking failed (%s %s)", db_status_name(r->status), r->sqlstate);
        return;
    }
    o->idle = strcmp(PQgetvalue(r->res, 0, 0), "0") == 0;
}

static void claim(outbox *o)
{
    int room = o->cfg->outbox_concurrency - o->jobs;
    static const char *const park_params[1] = {"1000"};

    if (o->claiming || room <= 0)
        return;
    if (!mailer_has_mail(o->mailer) && !mailer_has_webhook(o->mailer)) {
        if (db_query(o->db, &park_stmt, park_params, parked, o) == 0)
            o->claiming = true;
        return;
    }
    o->batch = room;
    snprintf(o->limit, sizeof o->limit, "%d", room);
    if (db_query(o->db, &claim_stmt, o->claim_params, claimed, o) == 0)
        o->claiming = true;
}

/* ---- reminders and figures ---- */

static void reminders_done(void *arg, db_result *r)
{
    outbox *o = arg;

    o->slow_busy = false;
    if (r->status != DB_OK)
        log_warn("outbox: reminders failed (%s %s)", db_status_name(r->status), r->sqlstate);
}

static int index_of(const char *const *names, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (s != NULL && strcmp(names[i], s) == 0)
            return i;
    return -1;
}

static void stats_done(void *arg, db_result *r)
{
    outbox *o = arg;
    figures f = {.known = true};
    json_t *doc, *item;
    size_t i;

    if (r->status != DB_OK)
        return;
    doc = json_loads(PQgetvalue(r->res, 0, 0), 0, NULL);
    json_array_foreach (json_object_get(doc, "counts"), i, item) {
        int s = index_of(state_names, NSTATES, json_string_value(json_object_get(item, "state")));
        int c =
            index_of(channel_names, NCHANNELS, json_string_value(json_object_get(item, "channel")));
        if (s >= 0 && c >= 0)
            f.counts[s][c] = (long long)json_integer_value(json_object_get(item, "n"));
    }
    f.oldest_due_s = json_number_value(json_object_get(doc, "oldest_due_s"));
    json_decref(doc);
    pthread_mutex_lock(&o->mu);
    o->fig = f;
    pthread_mutex_unlock(&o->mu);
}

static void slow_turn(outbox *o)
{
    if (!o->slow_busy && db_query(o->db, &reminders_stmt, NULL, reminders_done, o) == 0)
        o->slow_busy = true;
    if (db_query(o->db, &stats_stmt, NULL, stats_done, o) != 0)
        return; /* refused: the next slow turn asks again */
}

/* True while this turn gives way to the instance's requests (yield.h:
 * SINAU_OUTBOX_YIELD of them in flight, for at most SINAU_OUTBOX_YIELD_MAX_MS
 * in one busy period). */
static bool yielding(outbox *o, int inflight)
{
    if (!yield_now(&o->yield, inflight, o->cfg->outbox_yield,
                   (int64_t)o->cfg->outbox_yield_max_ms * 1000000, clock_now_ns()))
        return false;
    atomic_fetch_add_explicit(&o->yields, 1, memory_order_relaxed);
    return true;
}

void outbox_tick(outbox *o, bool stopping, int inflight)
{
    if (o == NULL)
        return;
    remark_all(o);
    if (stopping || yielding(o, inflight))
        return;
    if (o->ticks % SLOW_EVERY == 0)
        slow_turn(o);
    if (!o->idle || o->ticks % IDLE_EVERY == 0)
        claim(o);
    o->ticks++;
}

bool outbox_busy(const outbox *o)
{
    return o != NULL && (o->jobs > 0 || o->claiming);
}

/* ---- life cycle ---- */

/* The SMTP password from its file: the first line. Returns an owned string
 * or NULL with err set. */
static char *read_password(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    char *pw = xcalloc(1, MAX_PASSWORD + 1);
    size_t n;

    if (f == NULL) {
        snprintf(err, errlen, "cannot read SINAU_SMTP_PASSWORD_FILE");
        free(pw);
        return NULL;
    }
    n = fread(pw, 1, MAX_PASSWORD, f);
    fclose(f);
    while (n > 0 && (pw[n - 1] == '\n' || pw[n - 1] == '\r'))
        pw[--n] = '\0';
    if (n == 0 || strchr(pw, '\n') != NULL) {
        snprintf(err, errlen, "SINAU_SMTP_PASSWORD_FILE must hold one line, the password");
        xfree_secret(pw);
        return NULL;
    }
    return pw;
}

/* The public URL's host, for Message-IDs and the default sender. */
static void public_host(const char *url, char *out, size_t outlen)
{
    const char *h = strstr(url, "://");
    size_t n;

    h = h != NULL ? h + 3 : url;
    n = strcspn(h, ":/");
    snprintf(out, outlen, "%.*s", (int)n, h);
}

outbox *outbox_new(struct event_base *base, db_pool *db, const sinau_config *cfg,
                   const pii_keyring *keys, const char *instance, char *err, size_t errlen)
{
    outbox *o = xcalloc(1, sizeof *o);
    char *password = NULL, from[200];
    mailer_opts mo = {.smtp_url = cfg->smtp_url,
                      .webhook_url = cfg->webhook_url,
                      .webhook_secret = cfg->webhook_secret,
                      .connect_timeout_ms = cfg->mail_connect_timeout_ms,
                      .timeout_ms = cfg->mail_timeout_ms};

    o->base = base;
    o->db = db;
    o->cfg = cfg;
    o->keys = keys;
    pthread_mutex_init(&o->mu, NULL);
    snprintf(o->instance, sizeof o->instance, "%s", instance);
    public_host(cfg->public_url, o->host, sizeof o->host);
    snprintf(from, sizeof from, "noreply@%s", o->host);
    o->from = xstrdup(cfg->mail_from != NULL ? cfg->mail_from : from);
    if (cfg->smtp_password_file != NULL &&
        (password = read_password(cfg->smtp_password_file, err, errlen)) == NULL)
        goto fail;
    mo.smtp_password = password;
    mo.mail_from = o->from;
    o->mailer = mailer_new(base, &mo, err, errlen);
    xfree_secret(password);
    if (o->mailer == NULL)
        goto fail;
    /* the lease outlives the longest send, so a live sender keeps its rows */
    snprintf(o->lease, sizeof o->lease, "%d", 2 * cfg->mail_timeout_ms / 1000 + 10);
    snprintf(o->max_attempts, sizeof o->max_attempts, "%d", cfg->outbox_max_attempts);
    snprintf(o->backoff, sizeof o->backoff, "%d", cfg->outbox_backoff_ms);
    snprintf(o->backoff_max, sizeof o->backoff_max, "%d", cfg->outbox_backoff_max_ms);
    o->claim_params[0] = o->instance;
    o->claim_params[1] = o->limit;
    o->claim_params[2] = o->lease;
    return o;
fail:
    outbox_free(o);
    return NULL;
}

void outbox_free(outbox *o)
{
    if (o == NULL)
        return;
    /* sends in flight are aborted without their callbacks, and marks in
     * flight are dropped with the pool: their rows are sent again after
     * their lease */
    mailer_free(o->mailer);
    while (o->live != NULL) {
        send_job *next = o->live->live_next;
        free(o->live);
        o->live = next;
    }
    pthread_mutex_destroy(&o->mu);
    free(o->from);
    free(o);
}

/* ---- figures ---- */

static void emit_latency(dynbuf *t, outbox *o, int c)
{
    unsigned long long cum = 0;

    for (int b = 0; b < NBUCKETS; b++) {
        cum += atomic_load_explicit(&o->buckets[c][b], memory_order_relaxed);
        if (b < NBUCKETS - 1)
            dynbuf_printf(t, "sinau_message_send_seconds_bucket{channel=\"%s\",le=\"%g\"} %llu\n",
                          channel_names[c], bucket_s[b], cum);
        else
            dynbuf_printf(t, "sinau_message_send_seconds_bucket{channel=\"%s\",le=\"+Inf\"} %llu\n",
                          channel_names[c], cum);
    }
    dynbuf_printf(t, "sinau_message_send_seconds_sum{channel=\"%s\"} %.6f\n", channel_names[c],
                  (double)atomic_load_explicit(&o->sum_us[c], memory_order_relaxed) / 1e6);
    dynbuf_printf(t, "sinau_message_send_seconds_count{channel=\"%s\"} %llu\n", channel_names[c],
                  cum);
}

void outbox_metrics(outbox *o, dynbuf *t)
{
    static const char *const results[3] = {"sent", "error", "undeliverable"};
    figures f;

    if (o == NULL)
        return;
    pthread_mutex_lock(&o->mu);
    f = o->fig;
    pthread_mutex_unlock(&o->mu);
    dynbuf_printf(t, "# HELP sinau_messages Messages in the outbox by state and channel.\n"
                     "# TYPE sinau_messages gauge\n");
    for (int s = 0; s < NSTATES; s++)
        for (int c = 0; c < NCHANNELS; c++)
            dynbuf_printf(t, "sinau_messages{state=\"%s\",channel=\"%s\"} %lld\n", state_names[s],
                          channel_names[c], f.counts[s][c]);
    dynbuf_printf(t,
                  "# HELP sinau_messages_oldest_due_seconds Age of the oldest message due.\n"
                  "# TYPE sinau_messages_oldest_due_seconds gauge\n"
                  "sinau_messages_oldest_due_seconds %.3f\n",
                  f.oldest_due_s);
    dynbuf_printf(t, "# HELP sinau_message_sends_total Send attempts of this instance by result.\n"
                     "# TYPE sinau_message_sends_total counter\n");
    for (int c = 0; c < NCHANNELS; c++)
        for (int r = 0; r < 3; r++)
            dynbuf_printf(t, "sinau_message_sends_total{channel=\"%s\",result=\"%s\"} %llu\n",
                          channel_names[c], results[r],
                          atomic_load_explicit(&o->results[c][r], memory_order_relaxed));
    dynbuf_printf(t, "# HELP sinau_message_send_seconds Time from claim to the peer's answer.\n"
                     "# TYPE sinau_message_send_seconds histogram\n");
    for (int c = 0; c < NCHANNELS; c++)
        emit_latency(t, o, c);
    dynbuf_printf(t,
                  "# HELP sinau_message_yields_total Delivery turns skipped while the instance's "
                  "requests in flight reached SINAU_OUTBOX_YIELD.\n"
                  "# TYPE sinau_message_yields_total counter\n"
                  "sinau_message_yields_total %llu\n",
                  (unsigned long long)atomic_load_explicit(&o->yields, memory_order_relaxed));
}
