/* registrations.c — taking a seat, the waitlist, cancellation and offers,
 * the registration list (JSON and CSV), and the fairness log with its hash
 * chain. Every decision about seats is one PL/pgSQL function call
 * (sql/migrations/0003_registration.sql) under the segment's row lock. */
#include "sinau/api/registrations.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sinau/api/call.h"
#include "sinau/api/common.h"
#include "sinau/api/routes.h"
#include "sinau/api/services.h"
#include "sinau/auth/session.h"
#include "sinau/core/alloc.h"
#include "sinau/core/csv.h"
#include "sinau/core/hashchain.h"
#include "sinau/core/log.h"
#include "sinau/crypto/pii.h"
#include "sinau/http/ctx.h"
#include "sinau/http/dbroute.h"
#include "sinau/http/reply.h"

#include <sodium.h>

/* ---- register ---- */

static const db_stmt register_stmt =
    API_STATUS_STMT("reg_register", "reg_register_idem($1, $2, $3, $4, $5)", 5);

/* ---- grouping: several registrations of a segment in one transaction ----
 *
 * Issue 17 (P3): a seat holds its segment's row lock until the commit is
 * flushed, so registrations of one segment that each ran alone would
 * progress one commit at a time. Instead each loop keeps, per cohort and
 * segment, a queue of the requests waiting for it: while one batch of that
 * segment is in the database the next requests wait here, in arrival order,
 * and when it comes back the next REG_BATCH_MAX go together as one call of
 * reg_register_batch (sql/functions/registration.sql), which takes them in
 * that order in one transaction — one lock wait and one WAL flush for the
 * group — as a handful of set statements when the group is plain
 * (reg_register_set), else one by one, and when one raises each inside its
 * own exception block, so one that fails fails alone. A request alone goes
 * at once (a batch of one). Each loop thread has
 * its own queues (thread-local: no locking); a queue is freed when it is
 * empty and nothing of it is in the database. */

/* Registrations per transaction. A plain group goes through
 * reg_register_set in a handful of statements (one subtransaction for the
 * group), where 32 measured better than 16 and no worse than 64 (P3,
 * tests/bench/RESULTS.md). Only a group with an item that raises is taken
 * item by item in two subtransactions each, which at 32 reaches the 64 a
 * PostgreSQL backend caches: one more would overflow the cache and slow
 * other sessions' snapshot checks while that transaction runs. Rare (an
 * item raising, not a duplicate or a refusal). */
#define REG_BATCH_MAX 32
/* Requests that may wait for one segment on one loop; more are refused with
 * 503 db_busy (Retry-After), as the pool's full queue would refuse them. */
#define REG_WAIT_MAX 4096

static const db_stmt batch_stmt = {
    "reg_register_batch",
    "select status, body, err from reg_register_batch($1, $2, $3::json) order by n"
    " -- reg_register_idem for each, in order",
    3};

typedef struct reg_item {
    struct reg_item *next;
    http_ctx *ctx;
    const char **params; /* cohort, user, segment, key, request (ctx memory) */
} reg_item;

typedef struct reg_group {
    struct reg_group *next;
    db_pool *db;
    char *cohort, *segment; /* owned */
    reg_item *head, *tail;  /* waiting, in arrival order (ctx memory) */
    int waiting;
    reg_item *batch; /* in the database now, or NULL */
    char *items;     /* the batch's JSON parameter (owned) */
    const char *values[3];
} reg_group;

/* This loop thread's queues. */
static _Thread_local reg_group *reg_groups;

static reg_group *group_find(db_pool *db, const char *cohort, const char *segment)
{
    reg_group *g;

    for (g = reg_groups; g != NULL; g = g->next)
        if (strcmp(g->cohort, cohort) == 0 && strcmp(g->segment, segment) == 0)
            return g;
    g = xcalloc(1, sizeof *g);
    g->db = db;
    g->cohort = xstrdup(cohort);
    g->segment = xstrdup(segment);
    g->next = reg_groups;
    reg_groups = g;
    return g;
}

static void group_free(reg_group *g)
{
    reg_group **p;

    for (p = &reg_groups; *p != g; p = &(*p)->next)
        ;
    *p = g->next;
    free(g->cohort);
    free(g->segment);
    free(g);
}

/* Takes up to REG_BATCH_MAX waiting requests off g's queue into g->batch
 * and builds their JSON parameter; false when nothing waits. */
static bool group_take(reg_group *g)
{
    json_t *arr = json_array();
    reg_item **tail = &g->batch;

    for (int n = 0; n < REG_BATCH_MAX && g->head != NULL; n++) {
        reg_item *it = g->head;
        const char **p = it->params;

        g->head = it->next;
        g->waiting--;
        it->next = NULL;
        *tail = it;
        tail = &it->next;
        json_array_append_new(
            arr, json_pack("{s:s, s:s?, s:s?}", "user", p[1], "key", p[3], "request", p[4]));
    }
    if (g->head == NULL)
        g->tail = NULL;
    g->items = g->batch != NULL ? json_dumps(arr, JSON_COMPACT) : NULL;
    json_decref(arr);
    return g->batch != NULL;
}

/* Answers every request of g's batch with r's error, then clears the batch
 * (kept set meanwhile: a request that arrives while these are answered
 * waits in the queue). After a lost connection a request with an
 * Idempotency-Key runs again alone, through the path that retries it
 * (dbroute.c). */
static void batch_fail(reg_group *g, const db_result *r)
{
    reg_item *it = g->batch;

    while (it != NULL) {
        reg_item *next = it->next; /* it lives in ctx memory, gone once answered */

        if (r->status == DB_ERR_UNAVAILABLE && it->params[3] != NULL) {
            http_db_rerun_keyed(it->ctx, &register_stmt, it->params, api_reply_status_body);
        } else {
            http_reply_db_error(it->ctx, r);
        }
        it = next;
    }
    g->batch = NULL;
}

static void batch_done(void *arg, db_result *r);

/* Sends g's next batch, or frees g when nothing waits. */
static void group_run(reg_group *g)
{
    while (group_take(g)) {
        int rc;

        g->values[0] = g->cohort;
        g->values[1] = g->segment;
        g->values[2] = g->items;
        rc = db_query(g->db, &batch_stmt, g->values, batch_done, g);
        if (rc == 0)
            return;
        free(g->items);
        g->items = NULL;
        batch_fail(
            g, &(db_result){rc == DB_REFUSED_FULL ? DB_ERR_BUSY : DB_ERR_UNAVAILABLE, NULL, ""});
    }
    group_free(g);
}

/* Answers one request of a batch from row `row` of res. */
static void batch_reply(http_ctx *ctx, PGresult *res, int row)
{
    long status;

    if (row >= PQntuples(res)) {
        http_reply_db_error(ctx, &(db_result){DB_ERR_SQL, NULL, "XX000"});
        return;
    }
    if (!PQgetisnull(res, row, 2)) {
        http_reply_db_error(ctx, &(db_result){DB_ERR_SQL, NULL, PQgetvalue(res, row, 2)});
        return;
    }
    status = strtol(PQgetvalue(res, row, 0), NULL, 10);
    if (status < 200 || status > 599)
        status = 500;
    http_reply_json_text(ctx, (int)status, PQgetvalue(res, row, 1),
                         (size_t)PQgetlength(res, row, 1));
}

static void batch_done(void *arg, db_result *r)
{
    reg_group *g = arg;
    int row = 0;

    free(g->items);
    g->items = NULL;
    if (r->status != DB_OK) {
        batch_fail(g, r);
    } else {
        for (reg_item *it = g->batch, *next; it != NULL; it = next) {
            next = it->next; /* it lives in ctx memory, gone once answered */
            batch_reply(it->ctx, r->res, row++);
        }
        g->batch = NULL;
    }
    group_run(g);
}

/* Queues a registration (params: cohort, user, segment, key, request, all
 * in ctx memory) behind its segment's batch on this loop, or sends it at
 * once when none is in the database. The answer comes from batch_done. */
static void reg_batch_add(http_ctx *ctx, const char **params)
{
    reg_group *g = group_find(api_svc(ctx)->db, params[0], params[2]);
    reg_item *it;

    if (g->waiting >= REG_WAIT_MAX) {
        http_reply_db_error(ctx, &(db_result){DB_ERR_BUSY, NULL, ""});
        return;
    }
    it = http_ctx_alloc(ctx, sizeof *it);
    it->ctx = ctx;
    it->params = params;
    if (g->tail != NULL)
        g->tail->next = it;
    else
        g->head = it;
    g->tail = it;
    g->waiting++;
    if (g->batch == NULL)
        group_run(g);
}

/* Idempotency keys: printable ASCII, 1..200 bytes. */
static bool idem_key_ok(const char *k)
{
    size_t n = strlen(k);

    if (n == 0 || n > 200)
        return false;
    for (size_t i = 0; i < n; i++)
        if (k[i] < '!' || k[i] > '~')
            return false;
    return true;
}

/* POST /api/v1/cohorts/{id}/registrations {segment} (+ Idempotency-Key) */
static void registrations_create(http_ctx *ctx)
{
    json_t *body;
    const char *segment, *key = http_header(ctx, "Idempotency-Key");
    const char **params;
    char *request;

    if (ctx->user.role != AUTH_ROLE_PARTICIPANT) {
        http_reply_error(ctx, 403, "forbidden", "only participants register");
        return;
    }
    if (key != NULL && !idem_key_ok(key)) {
        http_reply_error(ctx, 422, "invalid_idempotency_key",
                         "an Idempotency-Key is 1 to 200 printable characters");
        return;
    }
    if (http_read_json(ctx, false, &body) != 0)
        return;
    if (http_unpack(ctx, body, "{s:s}", "segment", &segment) != 0)
        return;
    params = http_ctx_alloc(ctx, 5 * sizeof *params);
    params[0] = http_param(ctx, "id");
    params[1] = ctx->user.id;
    params[2] = segment;
    params[3] = key;
    /* what the key commits to: the cohort and the canonical body */
    request = http_own_buf(ctx, json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS));
    params[4] = http_ctx_alloc(ctx, strlen(request) + strlen(ctx->path) + 2);
    snprintf((char *)params[4], strlen(request) + strlen(ctx->path) + 2, "%s\n%s", ctx->path,
             request);
    if (api_missing(ctx, params[0], "cohort"))
        return;
    reg_batch_add(ctx, params);
}

/* ---- the list, for admins and the cohort's instructors ---- */

static const db_stmt list_stmt = {"reg_list",
                                  "select reg_list($1, $2, $3, $4, $5, $6::bigint, $7::int)", 7};

/* The CSV export (a city office's report): one row per registration in
 * arrival order, numbered from 1 within the cohort, with the phone, agency
 * (OPD) and district; segment and status as words of the chosen language
 * (?lang=id, the default, or en). Identity numbers and the phone are masked
 * — unless an admin asks for them unmasked with a stated reason (POST
 * …/registrations/export), which is audited and decrypted on the worker
 * pool. The first column is never null when the caller may see the cohort:
 * no row at all means 404. */
#define CSV_SELECT(phone, nik, nip)                                                                \
    " select ok.allowed, n.no, r.segment, r.status, u.full_name, u.email, " phone ","              \
    " to_char(r.created_at at time zone 'Asia/Jakarta', 'YYYY-MM-DD HH24:MI:SS'),"                 \
    " (reg_json(r) ->> 'waitlist_position'), p.agency, p.business_name, p.district, " nik ", " nip \
    ", r.user_id"                                                                                  \
    " from (select true as allowed from cohorts c"                                                 \
    "        where c.id = $1 and reg_can_manage($1, $2, $3)) ok"                                   \
    " left join registrations r on r.cohort_id = $1"                                               \
    "  and ($4::text is null or r.status = $4) and ($5::text is null or r.segment = $5)"           \
    " left join (select id, row_number() over (order by seq) as no from registrations"             \
    "             where cohort_id = $1) n on n.id = r.id"                                          \
    " left join users u on u.id = r.user_id"                                                       \
    " left join profiles p on p.user_id = r.user_id"

#define CSV_COLUMNS_MASKED CSV_SELECT("p.phone_mask", "p.nik_mask", "p.nip_mask")
#define CSV_COLUMNS_CLEAR  CSV_SELECT("p.phone_enc", "p.nik_enc", "p.nip_enc")

static const db_stmt csv_stmt = {"reg_list_csv", CSV_COLUMNS_MASKED " order by r.seq limit 100000",
                                 5};

/* The same rows with the ciphertexts, after an audit entry naming the
 * reason ($6) and the address ($7); the caller is an admin (the route). */
static const db_stmt csv_unmasked_stmt = {
    "reg_list_csv_unmasked",
    "with audit as (insert into audit_log (actor_id, action, ip, details)"
    " select $2, 'pii.export', $7::text, jsonb_build_object('cohort_id', $1::text, 'reason', "
    "$6::text,"
    "  'what', 'registrations') from cohorts where id = $1)" CSV_COLUMNS_CLEAR
    " order by r.seq limit 100000",
    7};

/* Columns of the CSV statements, after the first (allowed). */
enum {
    CSV_NO = 1,
    CSV_SEGMENT,
    CSV_STATUS,
    CSV_NAME,
    CSV_EMAIL,
    CSV_PHONE,
    CSV_AT,
    CSV_WAIT,
    CSV_AGENCY,
    CSV_BUSINESS,
    CSV_DISTRICT,
    CSV_NIK,
    CSV_NIP,
    CSV_USER,
};

typedef struct csv_words {
    const char *header[CSV_NIP];
    const char *segments[3][2]; /* code, word */
    const char *statuses[5][2];
    const char *filename;
} csv_words;

static const csv_words CSV_ID = {
    {"no", "segmen", "status", "nama", "email", "telepon", "terdaftar (WIB)", "posisi tunggu",
     "instansi (OPD)", "nama usaha", "kecamatan", "NIK", "NIP"},
    {{"asn", "ASN"}, {"umkm", "UMKM"}, {"public", "Umum"}},
    {{"confirmed", "Terkonfirmasi"},
     {"waitlisted", "Daftar tunggu"},
     {"offered", "Ditawari kursi"},
     {"cancelled", "Dibatalkan"},
     {"expired", "Kedaluwarsa"}},
    "attachment; filename=\"pendaftar.csv\"",
};

static const csv_words CSV_EN = {
    {"no", "segment", "status", "name", "email", "phone", "registered (WIB)", "waitlist position",
     "agency (OPD)", "business name", "district", "NIK", "NIP"},
    {{"asn", "Civil servants (ASN)"},
     {"umkm", "Small businesses (UMKM)"},
     {"public", "General public"}},
    {{"confirmed", "Confirmed"},
     {"waitlisted", "Waitlisted"},
     {"offered", "Offered a seat"},
     {"cancelled", "Cancelled"},
     {"expired", "Expired"}},
    "attachment; filename=\"registrations.csv\"",
};

/* The word for a code from a table of n (code, word) pairs; the code itself
 * when the table has none (a segment of the cohort's own). */
static const char *csv_word(const char *const (*table)[2], size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(table[i][0], code) == 0)
            return table[i][1];
    return code;
}

typedef struct csv_job {
    PGresult *rows;          /* owned by the request */
    const pii_keyring *keys; /* for unmasked cells: the process's, read-only */
    const csv_words *w;
    bool unmasked;
    bool failed;
    csv_buf out;
} csv_job;

/* One protected cell, decrypted into the CSV (unmasked exports). */
static int csv_clear(csv_job *job, const pii_keyring *keys, int row, int col, const char *column)
{
    char *plain = NULL;
    size_t len = 0;

    if (PQgetisnull(job->rows, row, col)) {
        csv_field(&job->out, NULL);
        return 0;
    }
    if (pii_decrypt(keys, "profiles", column, PQgetvalue(job->rows, row, CSV_USER),
                    PQgetvalue(job->rows, row, col), &plain, &len) != 0)
        return -1;
    /* a phone as people write it here (0812…): "+62…" would be a formula
     * starter, defused with a quote by the CSV writer */
    if (strcmp(column, "phone") == 0 && strncmp(plain, "+62", 3) == 0) {
        plain[2] = '0';
        csv_field(&job->out, plain + 2);
    } else {
        csv_field(&job->out, plain);
    }
    sodium_memzero(plain, len);
    free(plain);
    return 0;
}

/* Builds the CSV (on the worker pool for unmasked exports). */
static void csv_build(void *arg)
{
    csv_job *job = arg;
    const pii_keyring *keys = job->keys;
    PGresult *res = job->rows;

    csv_begin(&job->out);
    for (size_t i = 0; i < SINAU_ARRAY_LEN(job->w->header); i++)
        csv_field(&job->out, job->w->header[i]);
    csv_end_row(&job->out);
    for (int i = 0; i < PQntuples(res) && !job->failed; i++) {
        if (PQgetisnull(res, i, CSV_NO))
            continue; /* the cohort has no registrations (yet) */
        for (int j = CSV_NO; j <= CSV_NIP; j++) {
            const char *v = PQgetisnull(res, i, j) ? NULL : PQgetvalue(res, i, j);
            if (j == CSV_SEGMENT)
                v = csv_word(job->w->segments, SINAU_ARRAY_LEN(job->w->segments), v);
            else if (j == CSV_STATUS)
                v = csv_word(job->w->statuses, SINAU_ARRAY_LEN(job->w->statuses), v);
            if (job->unmasked && (j == CSV_PHONE || j == CSV_NIK || j == CSV_NIP)) {
                job->failed = csv_clear(job, keys, i, j,
                                        j == CSV_PHONE ? "phone"
                                        : j == CSV_NIK ? "nik"
                                                       : "nip") != 0;
                continue;
            }
            csv_field(&job->out, v);
        }
        csv_end_row(&job->out);
    }
}

static void csv_send(http_ctx *ctx, void *arg)
{
    csv_job *job = arg;

    if (job->failed) {
        csv_free(&job->out);
        http_reply_error(ctx, 500, "undecryptable", "stored personal data failed its check");
        return;
    }
    if (job->unmasked)
        http_add_header(ctx, "Cache-Control", "private, no-store");
    api_reply_csv(ctx, &job->out, job->w->filename);
}

/* The masked CSV is small work, built on the loop; decrypting is the
 * worker pool's. */
static bool csv_masked(const void *arg)
{
    const csv_job *job = arg;

    return !job->unmasked;
}

static const api_rows_step csv_step = {"no such cohort", csv_build, csv_send, csv_masked};

/* The words of ?lang= (id when absent); NULL after replying 422. */
static const csv_words *csv_lang(http_ctx *ctx, const char *lang)
{
    if (lang == NULL || strcmp(lang, "id") == 0)
        return &CSV_ID;
    if (strcmp(lang, "en") == 0)
        return &CSV_EN;
    http_reply_error(ctx, 422, "invalid_lang", "lang is id or en");
    return NULL;
}

/* Runs the CSV statement (masked, or unmasked and audited) with params and
 * answers with the CSV in the words w. */
static void csv_query(http_ctx *ctx, const csv_words *w, const char *const *params, bool unmasked)
{
    csv_job *job = http_ctx_alloc(ctx, sizeof *job);

    job->w = w;
    job->unmasked = unmasked;
    job->keys = api_svc(ctx)->keys;
    api_rows_then(ctx, unmasked ? &csv_unmasked_stmt : &csv_stmt, params, &csv_step, job,
                  &job->rows);
}

/* A status filter: absent, or a registration status; else replies 422
 * invalid_status and returns false. */
static bool status_known(http_ctx *ctx, const char *s)
{
    static const char *const ok[] = {"confirmed", "waitlisted", "offered", "cancelled", "expired"};

    if (s == NULL)
        return true;
    for (size_t i = 0; i < SINAU_ARRAY_LEN(ok); i++)
        if (strcmp(s, ok[i]) == 0)
            return true;
    http_reply_error(ctx, 422, "invalid_status", "unknown registration status");
    return false;
}

/* The parameters of the list and its CSVs (7 slots, ctx memory): the
 * cohort {id}, the caller and their role, the filters status and segment.
 * NULL after replying 404 when {id} does not decode. The cohort list is
 * hidden (404) from everyone but its managers by the SQL itself
 * (reg_can_manage), so ids leak nothing. */
static const char **list_params(http_ctx *ctx, const char *status, const char *segment)
{
    const char **p = http_ctx_alloc(ctx, 7 * sizeof *p);

    p[0] = http_param(ctx, "id");
    p[1] = ctx->user.id;
    p[2] = auth_role_name(ctx->user.role);
    p[3] = status;
    p[4] = segment;
    return api_missing(ctx, p[0], "cohort") ? NULL : p;
}

/* GET /api/v1/cohorts/{id}/registrations?status=&segment=&limit=&cursor=&format=csv */
static void registrations_list(http_ctx *ctx)
{
    const char *status = http_query(ctx, "status"), *format = http_query(ctx, "format");
    const char *cursor = http_query(ctx, "cursor");
    const char **params;
    char *end = NULL;
    int limit;

    if (!status_known(ctx, status))
        return;
    if (cursor != NULL && (strtoll(cursor, &end, 10) < 0 || *cursor == '\0' || *end != '\0')) {
        http_reply_error(ctx, 422, "invalid_cursor", "use next_cursor from the previous page");
        return;
    }
    params = list_params(ctx, status, http_query(ctx, "segment"));
    if (params == NULL)
        return;
    if (format != NULL && strcmp(format, "csv") == 0) {
        const csv_words *w = csv_lang(ctx, http_query(ctx, "lang"));

        if (w != NULL) /* else replied: ctx is gone */
            csv_query(ctx, w, params, false);
        return;
    }
    limit = api_limit(ctx, 100);
    if (limit < 0)
        return;
    params[5] = cursor;
    params[6] = api_itoa(ctx, limit);
    http_db_query(ctx, &list_stmt, params, api_reply_json_or_404);
}

/* POST /api/v1/cohorts/{id}/registrations/export {reason, lang?, status?,
 * segment?} (admins): the CSV with NIK, NIP and phone unmasked, for a
 * stated reason (5..500 characters), audited as pii.export. */
static void registrations_export(http_ctx *ctx)
{
    const char *reason, *lang = NULL, *status = NULL, *segment = NULL;
    const char **params;
    const csv_words *w;
    json_t *body;

    if (http_read_json(ctx, false, &body) != 0)
        return;
    if (http_unpack(ctx, body, "{s:s, s?s, s?s, s?s}", "reason", &reason, "lang", &lang, "status",
                    &status, "segment", &segment) != 0)
        return;
    if (strlen(reason) < 5 || strlen(reason) > 500) {
        http_reply_error(ctx, 422, "invalid_reason", "state the reason in 5 to 500 characters");
        return;
    }
    if (!status_known(ctx, status))
        return;
    w = csv_lang(ctx, lang);
    if (w == NULL) /* replied: ctx is gone */
        return;
    params = list_params(ctx, status, segment);
    if (params == NULL)
        return;
    params[5] = reason;
    params[6] = http_peer(ctx);
    csv_query(ctx, w, params, true);
}

/* ---- the fairness log ---- */

static const db_stmt log_stmt = {
    "reg_allocation_log",
    "select a.seq, to_char(a.at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
    " a.segment, a.outcome, a.user_id, a.registration_id"
    " from cohorts c left join allocation_log a on a.cohort_id = c.id"
    " where c.id = $1 order by a.seq",
    1};

/* Where the head route stops: the last entry settled (older than a minute,
 * so no transaction can still commit an earlier seq) as a checkpoint. */
typedef struct chain_mark {
    const char *seq; /* NULL: nothing settled in the rows hashed */
    int entries;
    char head[HASHCHAIN_HEX];
} chain_mark;

/* Renders the chain as NDJSON into out (when not NULL); the head in head,
 * which holds the head to continue from on entry (genesis for the whole
 * log). Rows have 6 columns, or 7 with a "settled" flag (t/f) that moves
 * *mark (when not NULL) to each settled entry. */
static int render_chain(http_ctx *ctx, PGresult *res, struct evbuffer *out,
                        char head[HASHCHAIN_HEX], int *entries, chain_mark *mark)
{
    const pii_keyring *keys = api_svc(ctx)->keys;
    char line[1024], next[HASHCHAIN_HEX], ref[PII_INDEX_HEX];

    for (int i = 0; i < PQntuples(res); i++) {
        const char *v[6];
        size_t n;
        if (PQgetisnull(res, i, 0))
            continue; /* the cohort's log is empty */
        for (int j = 0; j < 6; j++)
            v[j] = PQgetisnull(res, i, j) ? NULL : PQgetvalue(res, i, j);
        /* identities as keyed hashes: checkable, not reversible */
        if (v[4] != NULL && pii_blind_index(keys, "fairness", v[4], ref) != 0)
            return -1;
        n = hashchain_line(line, sizeof line, v[0], v[1], v[2], v[3], v[4] ? ref : NULL, v[5]);
        if (hashchain_next(head, line, n, next) != 0)
            return -1;
        if (out != NULL) {
            json_t *e = json_pack("{s:I, s:s, s:s?, s:s, s:s?, s:s?, s:s, s:s}", "seq",
                                  (json_int_t)strtoll(v[0], NULL, 10), "at", v[1], "segment", v[2],
                                  "outcome", v[3], "user", v[4] ? ref : NULL, "registration", v[5],
                                  "prev", head, "hash", next);
            char *text = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
            evbuffer_add_printf(out, "%s\n", text);
            free(text);
            json_decref(e);
        }
        memcpy(head, next, HASHCHAIN_HEX);
        (*entries)++;
        if (mark != NULL && PQnfields(res) > 6 && PQgetvalue(res, i, 6)[0] == 't') {
            mark->seq = v[0];
            mark->entries = *entries;
            memcpy(mark->head, head, HASHCHAIN_HEX);
        }
    }
    return 0;
}

static void log_done(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    char head[HASHCHAIN_HEX];
    struct evbuffer *out;
    int entries = 0;

    if (!http_db_found(ctx, r, "no such cohort"))
        return;
    out = http_own_evbuffer(ctx);
    hashchain_genesis(head);
    if (render_chain(ctx, r->res, out, head, &entries, NULL) != 0) {
        http_reply_error(ctx, 500, "internal_error", "could not hash the log");
        return;
    }
    http_add_header(ctx, "Content-Disposition", "attachment; filename=\"allocation-log.ndjson\"");
    http_add_header(ctx, "X-Chain-Head", head);
    http_reply_bytes(ctx, 200, "application/x-ndjson", evbuffer_pullup(out, -1),
                     evbuffer_get_length(out));
}

/* ---- the public head, kept incrementally ---- */

/* The checkpoint (columns 7..9 of every row: last seq, entries, head; null
 * when none) and the entries after it, each flagged settled or not. */
static const db_stmt head_stmt = {
    "reg_allocation_head",
    "select a.seq, to_char(a.at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
    " a.segment, a.outcome, a.user_id, a.registration_id,"
    " a.at < now() - interval '1 minute', h.last_seq, h.entries, h.head"
    " from cohorts c left join allocation_log_heads h on h.cohort_id = c.id"
    " left join allocation_log a on a.cohort_id = c.id and a.seq > coalesce(h.last_seq, -1)"
    " where c.id = $1 order by a.seq",
    1};
static const db_stmt head_keep_stmt = {
    "reg_allocation_head_keep",
    "insert into allocation_log_heads (cohort_id, last_seq, entries, head)"
    " values ($1, $2::bigint, $3::int, $4) on conflict (cohort_id) do update"
    " set last_seq = excluded.last_seq, entries = excluded.entries, head = excluded.head"
    " where allocation_log_heads.last_seq < excluded.last_seq",
    4};

typedef struct head_job {
    char head[HASHCHAIN_HEX];
    int entries;
    chain_mark mark;
    const char *params[4];
} head_job;

static void reply_head(http_ctx *ctx, const head_job *job)
{
    http_reply_json(ctx, 200,
                    json_pack("{s:s, s:i, s:s}", "cohort_id", http_param(ctx, "id"), "entries",
                              job->entries, "head", job->head));
}

static void head_kept(void *arg, db_result *r)
{
    http_ctx *ctx = arg;

    if (http_db_failed(ctx, r))
        return;
    reply_head(ctx, ctx->state);
}

static void head_done(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    head_job *job = ctx->state;
    PGresult *res = r->res;

    if (http_db_failed(ctx, r))
        return;
    if (PQntuples(res) == 0) {
        http_reply_error(ctx, 404, "not_found", "no such cohort");
        return;
    }
    hashchain_genesis(job->head);
    if (!PQgetisnull(res, 0, 7)) { /* continue from the checkpoint */
        job->entries = (int)strtol(PQgetvalue(res, 0, 8), NULL, 10);
        snprintf(job->head, sizeof job->head, "%s", PQgetvalue(res, 0, 9));
    }
    if (render_chain(ctx, res, NULL, job->head, &job->entries, &job->mark) != 0) {
        http_reply_error(ctx, 500, "internal_error", "could not hash the log");
        return;
    }
    if (job->mark.seq == NULL) {
        reply_head(ctx, job);
        return;
    }
    job->params[0] = http_param(ctx, "id");
    job->params[1] = http_ctx_strndup(ctx, job->mark.seq, strlen(job->mark.seq));
    job->params[2] = api_itoa(ctx, job->mark.entries);
    job->params[3] = job->mark.head;
    http_db_query(ctx, &head_keep_stmt, job->params, head_kept);
}

static void allocation_log(http_ctx *ctx, bool head_only)
{
    const char **params = http_ctx_alloc(ctx, sizeof *params);

    params[0] = http_param(ctx, "id");
    if (api_missing(ctx, params[0], "cohort"))
        return;
    if (head_only) {
        ctx->state = http_ctx_alloc(ctx, sizeof(head_job));
        http_db_query(ctx, &head_stmt, params, head_done);
        return;
    }
    http_db_query(ctx, &log_stmt, params, log_done);
}

/* GET /api/v1/cohorts/{id}/allocation-log: every attempt in arrival order,
 * NDJSON with the hash chain (admins). */
static void allocation_log_export(http_ctx *ctx)
{
    allocation_log(ctx, false);
}

/* GET /api/v1/cohorts/{id}/allocation-log/head: the chain head to publish. */
static void allocation_log_head(http_ctx *ctx)
{
    allocation_log(ctx, true);
}

/* ---- the offer timer ---- */

static const db_stmt expire_stmt = {"reg_expire_offers", "select reg_expire_offers(100)", 0};

static void expire_done(void *arg, db_result *r)
{
    if (r->status == DB_OK && PQntuples(r->res) == 1 && strcmp(PQgetvalue(r->res, 0, 0), "0") != 0)
        log_info("registrations: %s offers expired and passed on", PQgetvalue(r->res, 0, 0));
}

void registrations_tick(db_pool *db)
{
    /* refusals (pool busy or down) simply wait for the next tick */
    if (db_pool_ready(db) && db_query(db, &expire_stmt, NULL, expire_done, NULL) != 0)
        return;
}

/* ---- the offer timer by notification ----
 *
 * The tick above runs every few seconds; an offer's deadline notified on
 * sinau_offers arms a timer for that instant, so a seat passes on when its
 * offer ends rather than up to a tick later. The tick stays as the safety
 * net (notifications sent while the listening connection was down are
 * lost; registrations_on_listening catches up when it is back). */

#define OFFER_SLACK_MS 20             /* so that now() in SQL is past the deadline */
#define OFFER_MAX_MS   (86400 * 1000) /* farther deadlines wait for a later notice */

static int64_t wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const db_stmt next_offer_stmt = {
    "reg_next_offer",
    "select extract(epoch from min(offer_expires_at)) from registrations where status = 'offered'",
    0};

static void next_offer_read(void *arg, db_result *r)
{
    if (r->status == DB_OK && PQntuples(r->res) == 1 && !PQgetisnull(r->res, 0, 0))
        registrations_on_offer(arg, PQgetvalue(r->res, 0, 0));
}

/* Expired offers pass on, then the timer is armed for the next deadline
 * (one whose notice came while an earlier one was armed, or was lost). */
static void offers_expired(void *arg, db_result *r)
{
    api_services *svc = arg;

    expire_done(NULL, r);
    if (db_query(svc->db, &next_offer_stmt, NULL, next_offer_read, svc) != 0)
        return; /* the tick is the safety net */
}

static void offers_run(api_services *svc)
{
    if (db_pool_ready(svc->db) && db_query(svc->db, &expire_stmt, NULL, offers_expired, svc) != 0)
        return;
}

static void on_offer_due(evutil_socket_t fd, short what, void *arg)
{
    api_services *svc = arg;

    svc->offer_due_ms = 0;
    offers_run(svc);
}

void registrations_on_offer(api_services *svc, const char *payload)
{
    char *end = NULL;
    double at = strtod(payload != NULL ? payload : "", &end);
    int64_t due, delay;
    struct timeval tv;

    if (end == payload || at <= 0)
        return;
    due = (int64_t)(at * 1000.0) + OFFER_SLACK_MS;
    if (svc->offer_due_ms != 0 && svc->offer_due_ms <= due)
        return; /* an earlier deadline is armed; its run arms the next one */
    delay = due - wall_ms();
    if (delay < 0)
        delay = 0;
    if (delay > OFFER_MAX_MS)
        return;
    if (svc->offer_timer == NULL)
        svc->offer_timer = evtimer_new(svc->base, on_offer_due, svc);
    tv.tv_sec = (time_t)(delay / 1000);
    tv.tv_usec = (suseconds_t)(delay % 1000) * 1000;
    evtimer_del(svc->offer_timer);
    evtimer_add(svc->offer_timer, &tv);
    svc->offer_due_ms = due;
}

void registrations_on_listening(api_services *svc)
{
    offers_run(svc);
}

/* The route table (server/api/routes/registrations.json, generated at build time). */
#include "routes/registrations.inc"
