/* certificates.c — certificates as the API manages them (API.md
 * "Certificates"): a cohort's rules and eligibility report, issuing to every
 * eligible participant at once, the lists, and revocation. The credential
 * itself (CERTIFICATES.md) is built by the SQL (cert_payload), completed
 * with its random id and signed here, and stored verbatim.
 *
 * Issuing is a chain: prepare (SQL: the signing key and an unsigned
 * credential per eligible participant without one) → sign (worker pool) →
 * store (SQL: each participant once; a race loses quietly and the next run
 * issues what is left). Revoking sets the bit in SQL, then re-signs the
 * status list (certificates_status_resign), which /status/1 also does when
 * it finds the list newer than its token. */
#include "sinau/api.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/certkeys.h"
#include "sinau/http.h"
#include "sinau/log.h"
#include "sinau/pdfsign.h"
#include "sinau/pii.h"
#include "sinau/worker.h"
#include "sinau/server.h"

static const sinau_config *cfg_of(http_ctx *ctx)
{
    return ctx->loop->server->cfg;
}

/* ---- rules and eligibility ---- */

static const db_stmt rules_stmt =
    API_STATUS_STMT("cert_rules_put", "cert_rules_put($1, $2::jsonb, $3)", 3);

/* PUT /api/v1/cohorts/{id}/certificate-rules {min_lesson_percent?,
 * require_assignments_passed?, min_attendance_percent?, auto_issue?} */
static void rules_put(http_ctx *ctx)
{
    json_t *body;
    const char **p = http_ctx_alloc(ctx, 3 * sizeof *p);

    if (http_read_json(ctx, true, &body) != 0)
        return;
    p[0] = http_param(ctx, "id");
    p[1] = api_json_text(ctx, body);
    p[2] = ctx->user.id;
    if (api_missing(ctx, p[0], "cohort"))
        return;
    http_db_query(ctx, &rules_stmt, p, api_reply_status_body);
}

/* GET /api/v1/cohorts/{id}/eligibility: staff see everyone, a participant
 * their own row; each says what is missing. */
static const api_call eligibility_call = {
    .stmt = {"cert_eligibility_for", "select cert_eligibility_for($1, $2, $3)", 3},
    .args = {API_ARG_PATH("id"), API_ARG_CALLER, API_ARG_ROLE},
    .reply = API_REPLY_JSON,
    .what = "cohort",
};

/* ---- issuing ---- */

typedef struct issue_job {
    json_t *prepared; /* the prepare step's body; owned by the request */
    char *items;      /* signed items, JSON text; malloc'd by the worker, owned by the request */
    int failed;       /* the key did not open, or signing failed */
    const pii_keyring *keys; /* copied inputs of the worker: the process's keyring */
    const char *public_url;
    const char *store[7]; /* parameters of the store step */
} issue_job;

/* Completes one unsigned credential with its id and signs it; appends
 * {id, user_id, holder_name, status_index, token} to out. */
static int sign_one(const certkey *k, const char *public_url, json_t *item, json_t *out)
{
    json_t *payload = json_object_get(item, "payload");
    char cid[CERT_ID_CHARS + 1], url[600], *text, *token, *di;

    certkey_new_cid(cid);
    snprintf(url, sizeof url, "%s/credentials/%s", public_url, cid);
    json_object_set_new(payload, "id", json_string(url));
    json_object_set_new(payload, "jti", json_string(url));
    text = json_dumps(payload, JSON_COMPACT | JSON_PRESERVE_ORDER);
    token = text != NULL ? certkey_sign(k, public_url, text) : NULL;
    di = text != NULL ? certkey_sign_di(k, public_url, text,
                                        (time_t)json_integer_value(json_object_get(payload, "nbf")))
                      : NULL;
    free(text);
    if (token == NULL || di == NULL) {
        free(token);
        free(di);
        return -1;
    }
    json_array_append_new(out, json_pack("{s:s, s:O, s:O, s:O, s:s, s:s}", "id", cid, "user_id",
                                         json_object_get(item, "user_id"), "holder_name",
                                         json_object_get(item, "holder_name"), "status_index",
                                         json_object_get(item, "status_index"), "token", token,
                                         "credential_di", di));
    free(token);
    free(di);
    return 0;
}

/* Opens the prepared key and signs every prepared credential; *items gets
 * the signed items as JSON text (malloc'd). Returns 0 or -1. Any thread. */
static int sign_all(const pii_keyring *kr, const char *public_url, json_t *prepared, char **items)
{
    json_t *key = json_object_get(prepared, "key"), *todo, *out;
    certkey k;
    size_t i;
    int rc = 0;

    *items = NULL;
    if (certkey_open(kr, json_string_value(json_object_get(key, "thumbprint")),
                     json_string_value(json_object_get(key, "seed_enc")), &k) != 0)
        return -1;
    out = json_array();
    todo = json_object_get(prepared, "items");
    for (i = 0; i < json_array_size(todo) && rc == 0; i++)
        rc = sign_one(&k, public_url, json_array_get(todo, i), out);
    certkey_wipe(&k);
    if (rc == 0)
        *items = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    return rc == 0 && *items != NULL ? 0 : -1;
}

/* Worker: signs every credential of the request. */
static void issue_sign(void *arg)
{
    issue_job *job = arg;

    job->failed = sign_all(job->keys, job->public_url, job->prepared, &job->items) != 0;
}

static void issue_stored(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    issue_job *job = ctx->state;
    json_t *body;

    if (r->status != DB_OK || PQntuples(r->res) != 1) {
        http_reply_db_error(ctx, r);
        return;
    }
    body = json_loads(PQgetvalue(r->res, 0, 0), 0, NULL);
    if (body == NULL) {
        http_reply_error(ctx, 500, "internal_error", "issuing failed");
        return;
    }
    json_object_set(body, "not_eligible", json_object_get(job->prepared, "not_eligible"));
    http_reply_json(ctx, 200, body);
}

static const db_stmt store_stmt = {
    "cert_issue_store",
    "select r->'body' from cert_issue_store($1, $2, $3::timestamptz, $4::jsonb, $5) r", 5};

static void issue_signed(http_ctx *ctx, void *arg)
{
    issue_job *job = arg;
    json_t *key = json_object_get(job->prepared, "key");

    if (http_own_buf(ctx, job->items) == NULL || job->failed) {
        http_reply_error(ctx, 500, "signing_failed", "the signing key could not be used");
        return;
    }
    job->store[0] = http_param(ctx, "id");
    job->store[1] = http_ctx_strndup(ctx, json_string_value(json_object_get(key, "thumbprint")),
                                     json_string_length(json_object_get(key, "thumbprint")));
    job->store[2] =
        http_ctx_strndup(ctx, json_string_value(json_object_get(job->prepared, "issued_at")),
                         json_string_length(json_object_get(job->prepared, "issued_at")));
    job->store[3] = job->items;
    job->store[4] = ctx->user.id;
    http_db_query(ctx, &store_stmt, job->store, issue_stored);
}

static void issue_prepared(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    issue_job *job = ctx->state;

    if (r->status != DB_OK || PQntuples(r->res) != 1) {
        http_reply_db_error(ctx, r);
        return;
    }
    if (strcmp(PQgetvalue(r->res, 0, 0), "200") != 0) {
        api_reply_status_body(ctx, r);
        return;
    }
    job->prepared = http_own_json(ctx, json_loads(PQgetvalue(r->res, 0, 1), 0, NULL));
    if (job->prepared == NULL) {
        http_reply_error(ctx, 500, "internal_error", "issuing failed");
        return;
    }
    job->keys = ctx->loop->server->keys;
    job->public_url = cfg_of(ctx)->public_url;
    http_work(ctx, job, issue_sign, issue_signed);
}

static const db_stmt prepare_stmt =
    API_STATUS_STMT("cert_issue_prepare", "cert_issue_prepare($1, $2, $3, null)", 3);

/* POST /api/v1/cohorts/{id}/certificates: issues to every eligible
 * participant not yet holding one. */
static void issue(http_ctx *ctx)
{
    issue_job *job = http_ctx_alloc(ctx, sizeof *job);
    const char **p = http_ctx_alloc(ctx, 3 * sizeof *p);
    json_t *body;

    if (http_read_json(ctx, true, &body) != 0)
        return;
    if (http_unpack(ctx, body, "{}") != 0)
        return;
    ctx->state = job;
    p[0] = http_param(ctx, "id");
    p[1] = cfg_of(ctx)->public_url;
    p[2] = cfg_of(ctx)->issuer_name;
    if (api_missing(ctx, p[0], "cohort"))
        return;
    http_db_query(ctx, &prepare_stmt, p, issue_prepared);
}

/* ---- yearly JP transcripts (the participant's own) ---- */

/* ctx memory copy of a JSON string member of o. */
static const char *member(http_ctx *ctx, const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);

    return http_ctx_strndup(ctx, json_string_value(v) != NULL ? json_string_value(v) : "",
                            json_string_length(v));
}

static const db_stmt transcript_store_stmt = API_STATUS_STMT(
    "cert_transcript_store",
    "cert_transcript_store($1, $2::int, $3, $4::timestamptz, $5::jsonb, $6::jsonb, $7)", 7);

static void transcript_signed(http_ctx *ctx, void *arg)
{
    issue_job *job = arg;
    json_t *prepared = job->prepared;
    char *items;

    if (http_own_buf(ctx, job->items) == NULL || job->failed) {
        http_reply_error(ctx, 500, "signing_failed", "the signing key could not be used");
        return;
    }
    items =
        http_own_buf(ctx, json_dumps(json_object_get(prepared, "transcript_items"), JSON_COMPACT));
    job->store[0] = ctx->user.id;
    job->store[1] = http_param(ctx, "year");
    job->store[2] = member(ctx, json_object_get(prepared, "key"), "thumbprint");
    job->store[3] = member(ctx, prepared, "issued_at");
    job->store[4] = job->items;
    job->store[5] = items != NULL ? items : "[]";
    job->store[6] = cfg_of(ctx)->public_url;
    http_db_query(ctx, &transcript_store_stmt, job->store, api_reply_status_body);
}

static void transcript_prepared(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    issue_job *job = ctx->state;
    json_t *prepared, *existing;

    if (r->status != DB_OK || PQntuples(r->res) != 1 ||
        strcmp(PQgetvalue(r->res, 0, 0), "200") != 0) {
        api_reply_status_body(ctx, r);
        return;
    }
    prepared = http_own_json(ctx, json_loads(PQgetvalue(r->res, 0, 1), 0, NULL));
    existing = json_object_get(prepared, "existing");
    if (prepared == NULL || existing != NULL) {
        if (existing != NULL)
            http_reply_json(ctx, 200, json_incref(existing));
        else
            http_reply_error(ctx, 500, "internal_error", "the transcript could not be made");
        return;
    }
    job->prepared = prepared;
    job->keys = ctx->loop->server->keys;
    job->public_url = cfg_of(ctx)->public_url;
    http_work(ctx, job, issue_sign, transcript_signed);
}

static const db_stmt transcript_prepare_stmt =
    API_STATUS_STMT("cert_transcript_prepare", "cert_transcript_prepare($1, $2::int, $3, $4)", 4);

/* POST /api/v1/me/jp/{year}/transcript: the caller's signed JP record of
 * a year (200 with the current one when it still lists exactly the year's
 * certificates, else 201 with a new one). */
static void transcript(http_ctx *ctx)
{
    issue_job *job = http_ctx_alloc(ctx, sizeof *job);
    const char **p = http_ctx_alloc(ctx, 4 * sizeof *p);
    const char *year = http_param(ctx, "year");
    json_t *body;

    if (http_read_json(ctx, true, &body) != 0)
        return;
    if (http_unpack(ctx, body, "{}") != 0)
        return;
    if (year == NULL || strlen(year) != 4 || strspn(year, "0123456789") != 4 || year[0] != '2') {
        http_reply_error(ctx, 422, "invalid_year", "a year is four digits, 2000 to 2999");
        return;
    }
    ctx->state = job;
    p[0] = ctx->user.id;
    p[1] = year;
    p[2] = cfg_of(ctx)->public_url;
    p[3] = cfg_of(ctx)->issuer_name;
    http_db_query(ctx, &transcript_prepare_stmt, p, transcript_prepared);
}

/* ---- lists ---- */

/* GET /api/v1/cohorts/{id}/certificates (staff) */
static const api_call cohort_list_call = {
    .stmt = {"cert_cohort_list", "select cert_cohort_list($1, $2, $3, $4)", 4},
    .args = {API_ARG_PATH("id"), API_ARG_CALLER, API_ARG_ROLE, API_ARG_PUBLIC_URL},
    .reply = API_REPLY_JSON,
    .what = "cohort",
};

/* GET /api/v1/me/certificates */
static const api_call mine_call = {
    .stmt = {"cert_mine", "select cert_mine($1, $2)", 2},
    .args = {API_ARG_CALLER, API_ARG_PUBLIC_URL},
    .reply = API_REPLY_JSON,
};

/* ---- revocation and the status list ---- */

typedef struct revoke_job {
    PGresult *answer; /* the revocation's (status, body); owned */
} revoke_job;

/* One re-signing of the status list for a request (ctx memory). The
 * database calls go to the pool directly with this as their argument, so a
 * refusal never replies: then(ctx) always runs, and answers. */
typedef struct resign_job {
    http_ctx *ctx;
    void (*then)(http_ctx *ctx);
    const char *params[3];
} resign_job;

static const db_stmt status_read_stmt = {
    "cert_status_read",
    "select s.bits, s.version, k.thumbprint, k.seed_enc from status_lists s,"
    " cert_current_key() k where s.id = 1 and k.thumbprint is not null",
    0};
static const db_stmt status_store_stmt = {"cert_status_store",
                                          "select cert_status_store($1::bigint, $2, $3)", 3};

static void resign_stored(void *arg, db_result *r)
{
    resign_job *job = arg;

    (void)r; /* a newer token already stored is as good as ours; a failure
              * leaves the list stale, and /status/1 re-signs on its next read */
    job->then(job->ctx);
}

/* Signs the list read by resign_read with the current key: the VC-JWT
 * (returned) and the Data Integrity credential (*di); both owned, or NULL. */
static char *status_token(http_ctx *ctx, PGresult *res, char **di)
{
    const sinau_config *cfg = cfg_of(ctx);
    size_t nbytes = 0;
    unsigned char *bits = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, 0), &nbytes);
    char *payload = NULL, *token = NULL;
    time_t now = time(NULL);
    certkey k;

    *di = NULL;
    if (bits == NULL)
        return NULL;
    if (certkey_open(ctx->loop->server->keys, PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3), &k) ==
        0) {
        payload = certkeys_status_payload(cfg->public_url, cfg->issuer_name, bits, nbytes, now);
        token = payload != NULL ? certkey_sign(&k, cfg->public_url, payload) : NULL;
        *di = certkeys_status_di(&k, cfg->public_url, bits, nbytes, now);
        certkey_wipe(&k);
    }
    PQfreemem(bits);
    free(payload);
    if (*di == NULL) {
        free(token);
        token = NULL;
    }
    return token;
}

static void resign_read(void *arg, db_result *r)
{
    resign_job *job = arg;
    http_ctx *ctx = job->ctx;
    char *token, *di = NULL;

    if (r->status != DB_OK || PQntuples(r->res) != 1 ||
        (token = status_token(ctx, r->res, &di)) == NULL) {
        job->then(ctx);
        return;
    }
    job->params[0] =
        http_ctx_strndup(ctx, PQgetvalue(r->res, 0, 1), strlen(PQgetvalue(r->res, 0, 1)));
    job->params[1] = http_ctx_strndup(ctx, token, strlen(token));
    job->params[2] = http_ctx_strndup(ctx, di, strlen(di));
    free(token);
    free(di);
    if (db_query(ctx->loop->db, &status_store_stmt, job->params, resign_stored, job) != 0)
        job->then(ctx);
}

void certificates_status_resign(http_ctx *ctx, void (*then)(http_ctx *ctx))
{
    resign_job *job = http_ctx_alloc(ctx, sizeof *job);

    job->ctx = ctx;
    job->then = then;
    if (db_query(ctx->loop->db, &status_read_stmt, NULL, resign_read, job) != 0)
        then(ctx);
}

static void revoke_reply(http_ctx *ctx)
{
    revoke_job *job = ctx->state;
    db_result r = {DB_OK, job->answer, ""};

    api_reply_status_body(ctx, &r); /* takes the result */
}

static void revoked(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    revoke_job *job = ctx->state;

    if (r->status != DB_OK || PQntuples(r->res) != 1 ||
        strcmp(PQgetvalue(r->res, 0, 0), "200") != 0) {
        api_reply_status_body(ctx, r);
        return;
    }
    job->answer = db_result_take(r);
    certificates_status_resign(ctx, revoke_reply);
}

static const db_stmt revoke_stmt = API_STATUS_STMT("cert_revoke", "cert_revoke($1, $2, $3)", 3);

/* POST /api/v1/certificates/{id}/revoke {reason} (admins; audited) */
static void revoke(http_ctx *ctx)
{
    revoke_job *job = http_ctx_alloc(ctx, sizeof *job);
    const char **p = http_ctx_alloc(ctx, 3 * sizeof *p);
    const char *reason;
    json_t *body;

    if (http_read_json(ctx, false, &body) != 0)
        return;
    if (http_unpack(ctx, body, "{s:s}", "reason", &reason) != 0)
        return;
    if (reason[strspn(reason, " \t\r\n")] == '\0' || strlen(reason) > 500) {
        http_reply_error(ctx, 422, "invalid_reason", "a reason has 1 to 500 characters");
        return;
    }
    ctx->state = job;
    p[0] = http_param(ctx, "id");
    p[1] = reason;
    p[2] = ctx->user.id;
    if (api_missing(ctx, p[0], "certificate"))
        return;
    http_db_query(ctx, &revoke_stmt, p, revoked);
}

/* ---- automatic issuance (cohorts whose rules say auto_issue) ---- */

/* One run at a time, on the loop that ticks; the state outlives requests. */
static struct auto_run {
    bool busy;
    db_pool *db;
    const sinau_server *srv;
    char cohort[64], thumbprint[JWS_THUMBPRINT], issued_at[64];
    json_t *prepared; /* owned while a run signs */
    char *items;      /* signed items; owned */
    const char *params[5];
} auto_run;

static void auto_end(void)
{
    json_decref(auto_run.prepared);
    auto_run.prepared = NULL;
    free(auto_run.items);
    auto_run.items = NULL;
    auto_run.busy = false;
}

static void auto_stored(void *arg, db_result *r)
{
    (void)arg;
    if (r->status == DB_OK && PQntuples(r->res) == 1)
        log_info("certificates issued automatically in cohort %s: %s", auto_run.cohort,
                 PQgetvalue(r->res, 0, 0));
    auto_end();
}

static const db_stmt auto_store_stmt = {
    "cert_auto_store",
    "select (r->'body'->>'issued') from cert_issue_store($1, $2, $3::timestamptz, $4::jsonb,"
    " $5) r",
    5};

static void auto_sign(void *arg)
{
    (void)arg;
    if (sign_all(auto_run.srv->keys, auto_run.srv->cfg->public_url, auto_run.prepared,
                 &auto_run.items) != 0) {
        free(auto_run.items);
        auto_run.items = NULL;
    }
}

static void auto_signed(void *arg)
{
    json_t *key = json_object_get(auto_run.prepared, "key");

    (void)arg;
    if (auto_run.items == NULL) {
        log_error("automatic issuance: the signing key could not be used");
        auto_end();
        return;
    }
    snprintf(auto_run.thumbprint, sizeof auto_run.thumbprint, "%s",
             json_string_value(json_object_get(key, "thumbprint")));
    snprintf(auto_run.issued_at, sizeof auto_run.issued_at, "%s",
             json_string_value(json_object_get(auto_run.prepared, "issued_at")));
    auto_run.params[0] = auto_run.cohort;
    auto_run.params[1] = auto_run.thumbprint;
    auto_run.params[2] = auto_run.issued_at;
    auto_run.params[3] = auto_run.items;
    auto_run.params[4] = NULL; /* issued by the server itself */
    if (db_query(auto_run.db, &auto_store_stmt, auto_run.params, auto_stored, NULL) != 0)
        auto_end();
}

static void auto_prepared(void *arg, db_result *r)
{
    (void)arg;
    if (r->status != DB_OK || PQntuples(r->res) != 1 ||
        strcmp(PQgetvalue(r->res, 0, 0), "200") != 0 ||
        (auto_run.prepared = json_loads(PQgetvalue(r->res, 0, 1), 0, NULL)) == NULL ||
        json_array_size(json_object_get(auto_run.prepared, "items")) == 0) {
        auto_end();
        return;
    }
    if (worker_submit(auto_run.srv->workers, auto_run.srv->loops[0].base, auto_sign, auto_signed,
                      NULL) != 0)
        auto_end();
}

static void auto_due(void *arg, db_result *r)
{
    (void)arg;
    if (r->status != DB_OK || PQntuples(r->res) != 1) {
        auto_end();
        return;
    }
    snprintf(auto_run.cohort, sizeof auto_run.cohort, "%s", PQgetvalue(r->res, 0, 0));
    auto_run.params[0] = auto_run.cohort;
    auto_run.params[1] = auto_run.srv->cfg->public_url;
    auto_run.params[2] = auto_run.srv->cfg->issuer_name;
    if (db_query(auto_run.db, &prepare_stmt, auto_run.params, auto_prepared, NULL) != 0)
        auto_end();
}

static const db_stmt auto_due_stmt = {"cert_auto_due", "select cert_auto_due(1)", 0};

void certificates_tick(db_pool *db, const sinau_server *srv)
{
    if (auto_run.busy)
        return;
    auto_run.busy = true;
    auto_run.db = db;
    auto_run.srv = srv;
    if (db_query(db, &auto_due_stmt, NULL, auto_due, NULL) != 0)
        auto_end();
}

/* ---- keys ---- */

typedef struct rotate_job {
    PGresult *answer; /* the key's (status, body); owned */
    char pkhex[2 * JWS_PK_BYTES + 1];
    const char *params[4];
} rotate_job;

static void rotate_reply(http_ctx *ctx)
{
    rotate_job *job = ctx->state;
    db_result r = {DB_OK, job->answer, ""};

    api_reply_status_body(ctx, &r); /* takes the result */
}

static void rotated(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    rotate_job *job = ctx->state;

    if (r->status != DB_OK || PQntuples(r->res) != 1) {
        http_reply_db_error(ctx, r);
        return;
    }
    job->answer = db_result_take(r);
    certificates_status_resign(ctx, rotate_reply);
}

static const db_stmt key_add_stmt =
    API_STATUS_STMT("cert_key_add", "cert_key_add($1, $2, $3, $4)", 4);

/* POST /api/v1/keys/rotate (admins): a new signing key signs from now on;
 * older keys stay published; the status list is re-signed with the new
 * one. */
static void keys_rotate(http_ctx *ctx)
{
    rotate_job *job = http_ctx_alloc(ctx, sizeof *job);
    char *seed_enc = NULL;
    certkey k;
    json_t *body;

    if (http_read_json(ctx, true, &body) != 0)
        return;
    if (http_unpack(ctx, body, "{}") != 0)
        return;
    if (certkey_generate(ctx->loop->server->keys, &k, &seed_enc) != 0) {
        certkey_wipe(&k);
        http_reply_error(ctx, 500, "internal_error", "a key could not be made");
        return;
    }
    sodium_bin2hex(job->pkhex, sizeof job->pkhex, k.pk, sizeof k.pk);
    job->params[0] = http_ctx_strndup(ctx, k.thumbprint, strlen(k.thumbprint));
    job->params[1] = job->pkhex;
    job->params[2] = http_ctx_strndup(ctx, seed_enc, strlen(seed_enc));
    job->params[3] = ctx->user.id;
    certkey_wipe(&k);
    free(seed_enc);
    ctx->state = job;
    http_db_query(ctx, &key_add_stmt, job->params, rotated);
}

/* GET /api/v1/keys (admins): every signing key, the current one marked. */
static const api_call keys_list_call = {
    .stmt = {"cert_keys_list", "select cert_keys_list($1)", 1},
    .args = {API_ARG_PUBLIC_URL},
    .reply = API_REPLY_JSON,
};

/* GET /api/v1/certificates/pdf-signing (admins): whether certificate PDFs
 * carry the office's electronic signature, and whose. */
static void pdf_signing(http_ctx *ctx)
{
    const pdfsign_signer *s = ctx->loop->server->pdf_signer;

    if (s == NULL) {
        http_reply_json(ctx, 200,
                        json_pack("{s:b, s:n, s:n, s:n, s:n}", "signed", 0, "signer", "issuer",
                                  "not_after", "timestamp_authority"));
        return;
    }
    http_reply_json(ctx, 200,
                    json_pack("{s:b, s:s, s:s, s:s, s:s?}", "signed", 1, "signer",
                              pdfsign_signer_name(s), "issuer", pdfsign_issuer_name(s), "not_after",
                              pdfsign_not_after(s), "timestamp_authority", pdfsign_tsa_url(s)));
}

static const http_route routes[] = {
    {.methods = ROUTER_GET,
     .pattern = "/api/v1/certificates/pdf-signing",
     .handler = pdf_signing,
     .summary = "Admin: whether certificate PDFs are signed (PAdES) and by whom",
     .access = AUTH_ADMIN},
    {.methods = ROUTER_POST,
     .pattern = "/api/v1/keys/rotate",
     .handler = keys_rotate,
     .summary = "Admin: a new certificate signing key signs from now on (old keys keep verifying)",
     .access = AUTH_ADMIN},
    {.methods = ROUTER_GET,
     .pattern = "/api/v1/keys",
     .handler = api_call_route,
     .summary = "Admin: the signing keys, current first",
     .access = AUTH_ADMIN,
     .data = &keys_list_call},
    {.methods = ROUTER_PUT,
     .pattern = "/api/v1/cohorts/{id}/certificate-rules",
     .handler = rules_put,
     .summary = "Admin: a cohort's certificate rules",
     .access = AUTH_ADMIN},
    {.methods = ROUTER_GET,
     .pattern = "/api/v1/cohorts/{id}/eligibility",
     .handler = api_call_route,
     .summary = "Who may get a certificate and what is missing (staff: all; participant: own)",
     .access = AUTH_SIGNED_IN,
     .data = &eligibility_call},
    {.methods = ROUTER_POST,
     .pattern = "/api/v1/cohorts/{id}/certificates",
     .handler = issue,
     .summary = "Admin: issue certificates to every eligible participant not yet holding one",
     .access = AUTH_ADMIN},
    {.methods = ROUTER_GET,
     .pattern = "/api/v1/cohorts/{id}/certificates",
     .handler = api_call_route,
     .summary = "Cohort staff: the certificates issued in a cohort",
     .access = AUTH_STAFF,
     .data = &cohort_list_call},
    {.methods = ROUTER_GET,
     .pattern = "/api/v1/me/certificates",
     .handler = api_call_route,
     .summary = "The caller's certificates",
     .access = AUTH_SIGNED_IN,
     .data = &mine_call},
    {.methods = ROUTER_POST,
     .pattern = "/api/v1/me/jp/{year}/transcript",
     .handler = transcript,
     .summary =
         "The caller's signed JP transcript of a year (a credential listing its certificates)",
     .access = AUTH_SIGNED_IN},
    {.methods = ROUTER_POST,
     .pattern = "/api/v1/certificates/{id}/revoke",
     .handler = revoke,
     .summary = "Admin: revoke a certificate with a reason (audited; the status list is re-signed)",
     .access = AUTH_ADMIN},
};

const http_route *certificates_routes(size_t *n)
{
    *n = SINAU_ARRAY_LEN(routes);
    return routes;
}
