/* certificates.c — certificates as the API manages them (API.md
 * "Certificates"): a cohort's rules and eligibility report, issuing to every
 * eligible participant at once, the lists, and revocation. The credential
 * itself (CERTIFICATES.md) is built by the SQL (cert_payload), completed
 * with its random id and signed here, and stored verbatim.
 *
 * Issuing is one chain (issue_run) that a request and the automatic timer
 * both run: prepare (SQL: the signing key and an unsigned credential per
 * eligible participant without one) → sign (worker pool) → store (SQL: each
 * participant once; a race loses quietly and the next run issues what is
 * left). Key rotation and the status list's re-signing run the statements
 * and code of cert/keys.c, as `sinau keys rotate` and start-up do.
 * A cohort's rules are a thin route (cert_rules_put decides every member).
 * Revoking sets the bit in SQL, then re-signs the status list
 * (certificates_status_resign), which /status/1 also does when it finds
 * the list newer than its token. */
#include "sinau/api/certificates.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/api/call.h"
#include "sinau/api/common.h"
#include "sinau/api/routes.h"
#include "sinau/api/services.h"
#include "sinau/cert/keys.h"
#include "sinau/cert/pdfsign.h"
#include "sinau/core/alloc.h"
#include "sinau/core/log.h"
#include "sinau/core/worker.h"
#include "sinau/crypto/pii.h"
#include "sinau/http/ctx.h"
#include "sinau/http/dbroute.h"
#include "sinau/http/reply.h"

static const sinau_config *cfg_of(http_ctx *ctx)
{
    return api_svc(ctx)->cfg;
}

/* ---- issuing: one pipeline for the request and the timer ---- */

/* How a run ended. */
enum issue_end {
    ISSUE_STORED,      /* body: the store step's body */
    ISSUE_REFUSED,     /* refusal: prepare's (status, body), e.g. 404, 409 */
    ISSUE_DB_ERROR,    /* db_status, sqlstate */
    ISSUE_SIGN_FAILED, /* the key did not open, or signing failed */
    ISSUE_BUSY,        /* the worker queue was full */
};

typedef struct issue_run issue_run;

/* One issuing of a cohort: prepare (SQL: the signing key and an unsigned
 * credential per eligible participant without one) -> sign (worker pool) ->
 * store (SQL: each participant once; a race loses quietly and the next run
 * issues what is left) -> done. Heap memory holding copies of everything
 * it needs, so the request path and the timer run the same code; freed by
 * issue_finish after done returns. Loop thread but for issue_sign. */
struct issue_run {
    db_pool *db;
    worker_pool *workers;
    struct event_base *base; /* the loop that submits and completes */
    const pii_keyring *keys;
    char *public_url, *issuer_name, *cohort, *actor; /* owned; actor NULL: the server */
    json_t *prepared;                                /* the prepare step's body; owned */
    char *items;                                     /* signed items, JSON text; owned */
    const char *params[5];
    enum issue_end end;
    PGresult *refusal; /* ISSUE_REFUSED: owned */
    json_t *body;      /* ISSUE_STORED: owned (done may take it, setting NULL) */
    enum db_status db_status;
    char sqlstate[6];
    void (*done)(issue_run *run);
    void *arg;
};

static const db_stmt prepare_stmt =
    API_STATUS_STMT("cert_issue_prepare", "cert_issue_prepare($1, $2, $3, null)", 3);
static const db_stmt store_stmt = {
    "cert_issue_store",
    "select r->'body' from cert_issue_store($1, $2, $3::timestamptz, $4::jsonb, $5) r", 5};

/* Calls done with the outcome, then frees the run. */
static void issue_finish(issue_run *run, enum issue_end end)
{
    run->end = end;
    run->done(run);
    json_decref(run->prepared);
    json_decref(run->body);
    PQclear(run->refusal);
    free(run->items);
    free(run->public_url);
    free(run->issuer_name);
    free(run->cohort);
    free(run->actor);
    free(run);
}

static void issue_db_failed(issue_run *run, const db_result *r)
{
    run->db_status = r->status == DB_OK ? DB_ERR_SQL : r->status;
    snprintf(run->sqlstate, sizeof run->sqlstate, "%s", r->sqlstate != NULL ? r->sqlstate : "");
    issue_finish(run, ISSUE_DB_ERROR);
}

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

/* Opens the key a prepare step chose and signs every credential it
 * prepared: the signed items as JSON text (owned), or NULL. Any thread
 * (the worker of an issuing run or of a transcript). */
static char *sign_prepared(const pii_keyring *keys, const char *public_url, json_t *prepared)
{
    json_t *key = json_object_get(prepared, "key"), *todo, *out;
    char *items = NULL;
    certkey k;
    int rc = 0;

    if (certkey_open(keys, json_string_value(json_object_get(key, "thumbprint")),
                     json_string_value(json_object_get(key, "seed_enc")), &k) != 0)
        return NULL;
    out = json_array();
    todo = json_object_get(prepared, "items");
    for (size_t i = 0; i < json_array_size(todo) && rc == 0; i++)
        rc = sign_one(&k, public_url, json_array_get(todo, i), out);
    certkey_wipe(&k);
    if (rc == 0)
        items = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    return items;
}

/* Worker: signs the run's prepared credentials (copies only, no request). */
static void issue_sign(void *arg)
{
    issue_run *run = arg;

    run->items = sign_prepared(run->keys, run->public_url, run->prepared);
}

static void issue_stored(void *arg, db_result *r)
{
    issue_run *run = arg;

    if (r->status != DB_OK || PQntuples(r->res) != 1) {
        issue_db_failed(run, r);
        return;
    }
    run->body = json_loads(PQgetvalue(r->res, 0, 0), 0, NULL);
    if (run->body == NULL) {
        issue_finish(run, ISSUE_SIGN_FAILED);
        return;
    }
    json_object_set(run->body, "not_eligible", json_object_get(run->prepared, "not_eligible"));
    issue_finish(run, ISSUE_STORED);
}

static void issue_signed(void *arg)
{
    issue_run *run = arg;
    json_t *key = json_object_get(run->prepared, "key");

    if (run->items == NULL) {
        issue_finish(run, ISSUE_SIGN_FAILED);
        return;
    }
    run->params[0] = run->cohort;
    run->params[1] = json_string_value(json_object_get(key, "thumbprint"));
    run->params[2] = json_string_value(json_object_get(run->prepared, "issued_at"));
    run->params[3] = run->items;
    run->params[4] = run->actor;
    if (db_query(run->db, &store_stmt, run->params, issue_stored, run) != 0)
        issue_db_failed(run, &(db_result){DB_ERR_BUSY, NULL, ""});
}

static void issue_prepared(void *arg, db_result *r)
{
    issue_run *run = arg;

    if (r->status != DB_OK || PQntuples(r->res) != 1) {
        issue_db_failed(run, r);
        return;
    }
    if (strcmp(PQgetvalue(r->res, 0, 0), "200") != 0) {
        run->refusal = db_result_take(r);
        issue_finish(run, ISSUE_REFUSED);
        return;
    }
    run->prepared = json_loads(PQgetvalue(r->res, 0, 1), 0, NULL);
    if (run->prepared == NULL) {
        issue_db_failed(run, &(db_result){DB_ERR_SQL, NULL, ""});
        return;
    }
    if (worker_submit(run->workers, run->base, issue_sign, issue_signed, run) != 0)
        issue_finish(run, ISSUE_BUSY);
}

/* Starts issuing to every eligible participant of cohort not yet holding a
 * certificate; done(run) runs once on this loop, whatever happens (also
 * from inside this call when the pool refuses). actor NULL: the server. */
static void issue_start(const api_services *svc, const char *cohort, const char *actor,
                        void (*done)(issue_run *run), void *arg)
{
    issue_run *run = xcalloc(1, sizeof *run);

    run->db = svc->db;
    run->workers = svc->workers;
    run->base = svc->base;
    run->keys = svc->keys;
    run->public_url = xstrdup(svc->cfg->public_url);
    run->issuer_name = xstrdup(svc->cfg->issuer_name);
    run->cohort = xstrdup(cohort);
    run->actor = actor != NULL ? xstrdup(actor) : NULL;
    run->done = done;
    run->arg = arg;
    run->params[0] = run->cohort;
    run->params[1] = run->public_url;
    run->params[2] = run->issuer_name;
    if (db_query(run->db, &prepare_stmt, run->params, issue_prepared, run) != 0)
        issue_db_failed(run, &(db_result){DB_ERR_BUSY, NULL, ""});
}

/* The request's end of a run: the reply. */
static void issue_replied(issue_run *run)
{
    http_ctx *ctx = run->arg;
    db_result r = {run->db_status, NULL, run->sqlstate};

    switch (run->end) {
    case ISSUE_STORED:
        http_reply_json(ctx, 200, run->body); /* takes it */
        run->body = NULL;
        return;
    case ISSUE_REFUSED:
        r = (db_result){DB_OK, run->refusal, ""};
        run->refusal = NULL;
        api_reply_status_body(ctx, &r); /* takes the result */
        return;
    case ISSUE_DB_ERROR:
        http_reply_db_error(ctx, &r);
        return;
    case ISSUE_SIGN_FAILED:
        http_reply_error(ctx, 500, "signing_failed", "the signing key could not be used");
        return;
    case ISSUE_BUSY:
        http_add_header(ctx, "Retry-After", "1");
        http_reply_error(ctx, 503, "busy", "the server is busy; try again shortly");
        return;
    }
}

/* POST /api/v1/cohorts/{id}/certificates: issues to every eligible
 * participant not yet holding one. */
static void issue(http_ctx *ctx)
{
    const char *cohort = http_param(ctx, "id");

    if (api_body_none(ctx) != 0 || api_missing(ctx, cohort, "cohort"))
        return;
    issue_start(api_svc(ctx), cohort, ctx->user.id, issue_replied, ctx);
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

/* A transcript's signing: its inputs copied out of the request. */
typedef struct transcript_job {
    const pii_keyring *keys;
    const char *public_url; /* the configuration's; lives as long as the server */
    json_t *prepared;       /* owned by the request (http_own_json) */
    char *items;            /* signed items; the worker's, then the request's */
    const char *store[7];
} transcript_job;

/* Worker: reads only the job. */
static void transcript_sign(void *arg)
{
    transcript_job *job = arg;

    job->items = sign_prepared(job->keys, job->public_url, job->prepared);
}

static void transcript_signed(http_ctx *ctx, void *arg)
{
    transcript_job *job = arg;
    json_t *prepared = job->prepared;
    char *items;

    if (http_own_buf(ctx, job->items) == NULL) {
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
    transcript_job *job = ctx->state;
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
    job->prepared = prepared; /* owned by the request */
    http_work(ctx, job, transcript_sign, transcript_signed);
}

static const db_stmt transcript_prepare_stmt =
    API_STATUS_STMT("cert_transcript_prepare", "cert_transcript_prepare($1, $2::int, $3, $4)", 4);

/* POST /api/v1/me/jp/{year}/transcript: the caller's signed JP record of
 * a year (200 with the current one when it still lists exactly the year's
 * certificates, else 201 with a new one). */
static void transcript(http_ctx *ctx)
{
    transcript_job *job = http_ctx_alloc(ctx, sizeof *job);
    const char **p = http_ctx_alloc(ctx, 4 * sizeof *p);
    const char *year = http_param(ctx, "year");

    if (api_body_none(ctx) != 0)
        return;
    if (year == NULL || strlen(year) != 4 || strspn(year, "0123456789") != 4 || year[0] != '2') {
        http_reply_error(ctx, 422, "invalid_year", "a year is four digits, 2000 to 2999");
        return;
    }
    job->keys = api_svc(ctx)->keys;
    job->public_url = cfg_of(ctx)->public_url;
    ctx->state = job;
    p[0] = ctx->user.id;
    p[1] = year;
    p[2] = cfg_of(ctx)->public_url;
    p[3] = cfg_of(ctx)->issuer_name;
    http_db_query(ctx, &transcript_prepare_stmt, p, transcript_prepared);
}

/* ---- lists ---- */

/* ---- revocation and the status list ---- */

/* One re-signing of the status list for a request (ctx memory). The
 * database calls go to the pool directly with this as their argument, so a
 * refusal never replies: then(ctx) always runs, and answers. */
typedef struct resign_job {
    http_ctx *ctx;
    void (*then)(http_ctx *ctx);
    const char *params[3];
} resign_job;

static const db_stmt status_read_stmt = {"cert_status_read", CERTKEYS_STATUS_READ_SQL, 0};
static const db_stmt status_store_stmt = {"cert_status_store", CERTKEYS_STATUS_STORE_SQL, 3};

static void resign_stored(void *arg, db_result *r)
{
    resign_job *job = arg;

    (void)r; /* a newer token already stored is as good as ours; a failure
              * leaves the list stale, and /status/1 re-signs on its next read */
    job->then(job->ctx);
}

static void resign_read(void *arg, db_result *r)
{
    resign_job *job = arg;
    http_ctx *ctx = job->ctx;
    const sinau_config *cfg = cfg_of(ctx);
    char *token = NULL, *di = NULL;

    if (r->status != DB_OK || PQntuples(r->res) != 1 ||
        certkeys_status_sign(api_svc(ctx)->keys, cfg->public_url, cfg->issuer_name, r->res, &token,
                             &di) != 0) {
        job->then(ctx);
        return;
    }
    job->params[0] =
        http_ctx_strndup(ctx, PQgetvalue(r->res, 0, 1), strlen(PQgetvalue(r->res, 0, 1)));
    job->params[1] = http_ctx_strndup(ctx, token, strlen(token));
    job->params[2] = http_ctx_strndup(ctx, di, strlen(di));
    free(token);
    free(di);
    if (db_query(api_svc(ctx)->db, &status_store_stmt, job->params, resign_stored, job) != 0)
        job->then(ctx);
}

void certificates_status_resign(http_ctx *ctx, void (*then)(http_ctx *ctx))
{
    resign_job *job = http_ctx_alloc(ctx, sizeof *job);

    job->ctx = ctx;
    job->then = then;
    if (db_query(api_svc(ctx)->db, &status_read_stmt, NULL, resign_read, job) != 0)
        then(ctx);
}

/* A write's answer kept while the status list is re-signed (ctx memory). */
typedef struct resign_answer {
    PGresult *answer; /* (status, body); owned until sent */
} resign_answer;

/* The kept answer, once the status list is re-signed. */
static void resigned_reply(http_ctx *ctx)
{
    const resign_answer *a = ctx->state;
    db_result r = {DB_OK, a->answer, ""};

    api_reply_status_body(ctx, &r); /* takes the result */
}

/* A write that changed what the status list says (a revocation, a new
 * key): its (status, body) answer r is kept (ctx->state) and sent once
 * the list is re-signed. */
static void reply_after_resign(http_ctx *ctx, db_result *r)
{
    resign_answer *a = http_ctx_alloc(ctx, sizeof *a);

    a->answer = db_result_take(r);
    ctx->state = a;
    certificates_status_resign(ctx, resigned_reply);
}

/* A revocation's answer, sent once the status list is re-signed. */
static void revoked(void *arg, db_result *r)
{
    http_ctx *ctx = arg;

    if (r->status != DB_OK || PQntuples(r->res) != 1 ||
        strcmp(PQgetvalue(r->res, 0, 0), "200") != 0) {
        api_reply_status_body(ctx, r);
        return;
    }
    reply_after_resign(ctx, r);
}

/* The check of POST /api/v1/certificates/{id}/revoke {reason} (admins;
 * audited), a call of cert_revoke whose completion is revoked: a reason
 * has 1 to 500 characters, not all blank (422 invalid_reason). */
static int revoke_check(http_ctx *ctx, json_t *body)
{
    const char *reason;

    if (http_unpack(ctx, body, "{s:s}", "reason", &reason) != 0)
        return -1;
    if (reason[strspn(reason, " \t\r\n")] == '\0' || strlen(reason) > 500) {
        http_reply_error(ctx, 422, "invalid_reason", "a reason has 1 to 500 characters");
        return -1;
    }
    return 0;
}

/* ---- automatic issuance (cohorts whose rules say auto_issue) ---- */

/* One automatic run at a time (the ticking loop's timer only): the run
 * itself is an issue_run like a request's, on that loop's services. */
static bool auto_running;
static const api_services *auto_svc;

static void auto_done(issue_run *run)
{
    if (run->end == ISSUE_STORED)
        log_info("certificates issued automatically in cohort %s: %lld", run->cohort,
                 (long long)json_integer_value(json_object_get(run->body, "issued")));
    else if (run->end == ISSUE_SIGN_FAILED)
        log_error("automatic issuance: the signing key could not be used");
    auto_running = false;
}

static void auto_due(void *arg, db_result *r)
{
    (void)arg;
    if (r->status != DB_OK || PQntuples(r->res) != 1)
        auto_running = false;
    else
        issue_start(auto_svc, PQgetvalue(r->res, 0, 0), NULL, auto_done, NULL);
}

static const db_stmt auto_due_stmt = {"cert_auto_due", "select cert_auto_due(1)", 0};

void certificates_tick(const api_services *svc)
{
    if (auto_running)
        return;
    auto_running = true;
    auto_svc = svc;
    if (db_query(svc->db, &auto_due_stmt, NULL, auto_due, NULL) != 0)
        auto_running = false;
}

/* ---- keys ---- */

typedef struct rotate_job {
    certkeys_new key;
    const char *params[4];
} rotate_job;

static void rotated(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    rotate_job *job = ctx->state;

    certkeys_new_clear(&job->key);
    if (r->status != DB_OK || PQntuples(r->res) != 1) {
        http_reply_db_error(ctx, r);
        return;
    }
    reply_after_resign(ctx, r);
}

static const db_stmt key_add_stmt = {"cert_key_add", CERTKEYS_ADD_SQL, 4};

/* POST /api/v1/keys/rotate (admins): a new signing key signs from now on;
 * older keys stay published; the status list is re-signed with the new
 * one. `sinau keys rotate` runs the same statements (cert/keys.c). */
static void keys_rotate(http_ctx *ctx)
{
    rotate_job *job = http_ctx_alloc(ctx, sizeof *job);

    if (api_body_none(ctx) != 0)
        return;
    if (certkeys_new_make(api_svc(ctx)->keys, &job->key) != 0) {
        http_reply_error(ctx, 500, "internal_error", "a key could not be made");
        return;
    }
    job->params[0] = job->key.thumbprint;
    job->params[1] = job->key.pkhex;
    job->params[2] = http_ctx_strndup(ctx, job->key.seed_enc, strlen(job->key.seed_enc));
    job->params[3] = ctx->user.id;
    free(job->key.seed_enc); /* the copy above is the parameter */
    job->key.seed_enc = NULL;
    ctx->state = job;
    http_db_query(ctx, &key_add_stmt, job->params, rotated);
}

/* GET /api/v1/certificates/pdf-signing (admins): whether certificate PDFs
 * carry the office's electronic signature, and whose. */
static void pdf_signing(http_ctx *ctx)
{
    const pdfsign_signer *s = api_svc(ctx)->pdf_signer;

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

/* The route table (server/api/routes/certificates.json, generated at build time). */
#include "routes/certificates.inc"
