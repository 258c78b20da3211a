/* keys.c — signing keys and what they sign; see certkeys.h. */
#include "sinau/cert/keys.h"

#include <ctype.h>
#include <strings.h>

#include <jansson.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/cert/diproof.h"
#include "sinau/cert/statuslist.h"
#include "sinau/core/alloc.h"
#include "sinau/core/config.h"
#include "sinau/core/log.h"
#include "sinau/crypto/pii.h"
#include "sinau/db/ha.h"

#define SEED_BYTES crypto_sign_SEEDBYTES

int certkey_generate(const pii_keyring *kr, certkey *out, char **seed_enc)
{
    unsigned char seed[SEED_BYTES];
    int rc;

    randombytes_buf(seed, sizeof seed);
    crypto_sign_seed_keypair(out->pk, out->sk, seed);
    jws_thumbprint(out->pk, out->thumbprint);
    rc = pii_encrypt(kr, "signing_keys", "seed", out->thumbprint, (const char *)seed, sizeof seed,
                     seed_enc);
    sodium_memzero(seed, sizeof seed);
    return rc;
}

int certkey_open(const pii_keyring *kr, const char *thumbprint, const char *seed_enc, certkey *out)
{
    char *seed = NULL;
    size_t len = 0;

    if (pii_decrypt(kr, "signing_keys", "seed", thumbprint, seed_enc, &seed, &len) != 0)
        return -1;
    if (len != SEED_BYTES) {
        sodium_memzero(seed, len);
        free(seed);
        return -1;
    }
    crypto_sign_seed_keypair(out->pk, out->sk, (const unsigned char *)seed);
    sodium_memzero(seed, len);
    free(seed);
    jws_thumbprint(out->pk, out->thumbprint);
    if (strcmp(out->thumbprint, thumbprint) != 0) {
        certkey_wipe(out);
        return -1;
    }
    return 0;
}

void certkey_wipe(certkey *k)
{
    sodium_memzero(k, sizeof *k);
}

void certkey_new_cid(char out[CERT_ID_CHARS + 1])
{
    static const char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
    unsigned char r[16];
    int bit = -2; /* 130 bits of output for 128 of input: two leading zero bits */

    randombytes_buf(r, sizeof r);
    for (int i = 0; i < CERT_ID_CHARS; i++, bit += 5) {
        unsigned v = 0;
        for (int b = bit; b < bit + 5; b++)
            v = (v << 1) | (b < 0 ? 0u : (unsigned)(r[b / 8] >> (7 - b % 8)) & 1u);
        out[i] = alphabet[v];
    }
    out[CERT_ID_CHARS] = '\0';
    sodium_memzero(r, sizeof r);
}

bool certkey_cid_parse(const char *typed, char out[CERT_ID_CHARS + 1])
{
    static const char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
    const char *at = strstr(typed, "/credentials/");
    size_t n = 0;

    if (at != NULL)
        typed = at + strlen("/credentials/");
    else if (strncasecmp(typed, "ID:", 3) == 0 || strncasecmp(typed, "ID ", 3) == 0)
        typed += 3;
    for (; *typed != '\0'; typed++) {
        char c = (char)tolower((unsigned char)*typed);
        if (c == ' ' || c == '-' || c == '.' || c == '\t' || c == '\n' || c == '\r')
            continue;
        if (at != NULL && (c == '?' || c == '#' || c == '/'))
            break; /* the rest of a link */
        c = c == 'o' ? '0' : c == 'i' || c == 'l' ? '1' : c;
        if (strchr(alphabet, c) == NULL || n == CERT_ID_CHARS)
            return false;
        out[n++] = c;
    }
    out[n] = '\0';
    /* 128 bits in 26 characters: the first holds the top three bits */
    return n == CERT_ID_CHARS && out[0] <= '7';
}

void certkey_cid_printed(const char *cid, char out[CERT_ID_PRINTED])
{
    size_t o = 0;

    for (size_t i = 0; cid[i] != '\0' && i < CERT_ID_CHARS; i++) {
        if (i > 0 && i % 5 == 0)
            out[o++] = '-';
        out[o++] = cid[i];
    }
    out[o] = '\0';
}

char *certkey_kid(const char *public_url, const char *thumbprint)
{
    size_t n = strlen(public_url) + strlen(thumbprint) + 8;
    char *kid = xmalloc(n);

    snprintf(kid, n, "%s/keys/%s", public_url, thumbprint);
    return kid;
}

char *certkey_sign(const certkey *k, const char *public_url, const char *payload_json)
{
    char *kid = certkey_kid(public_url, k->thumbprint);
    char *header = kid != NULL ? jws_header_json(kid) : NULL;
    char *token = header != NULL ? jws_sign(header, payload_json, k->sk) : NULL;

    free(header);
    free(kid);
    return token;
}

static void utc_text(time_t t, char out[21])
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The URLs and the time a status list credential names. */
typedef struct status_ids {
    char url[512], list_id[520], issuer[520], at[21];
} status_ids;

static void status_ids_of(const char *public_url, time_t now, status_ids *ids)
{
    snprintf(ids->url, sizeof ids->url, "%s/status/1", public_url);
    snprintf(ids->list_id, sizeof ids->list_id, "%s#list", ids->url);
    snprintf(ids->issuer, sizeof ids->issuer, "%s/issuer", public_url);
    utc_text(now, ids->at);
}

char *certkeys_status_payload(const char *public_url, const char *issuer_name,
                              const unsigned char *bits, size_t nbytes, time_t now)
{
    char *encoded = statuslist_encode(bits, nbytes), *out = NULL;
    status_ids ids;
    json_t *doc;

    if (encoded == NULL)
        return NULL;
    status_ids_of(public_url, now, &ids);
    doc = json_pack("{s:[s], s:s, s:[s,s], s:{s:s, s:[s], s:s, s:s}, s:s,"
                    " s:{s:s, s:s, s:s, s:s}, s:s, s:s, s:I, s:I}",
                    "@context", "https://www.w3.org/ns/credentials/v2", "id", ids.url, "type",
                    "VerifiableCredential", "BitstringStatusListCredential", "issuer", "id",
                    ids.issuer, "type", "Profile", "name", issuer_name, "url", public_url,
                    "validFrom", ids.at, "credentialSubject", "id", ids.list_id, "type",
                    "BitstringStatusList", "statusPurpose", "revocation", "encodedList", encoded,
                    "iss", ids.issuer, "jti", ids.url, "nbf", (json_int_t)now, "iat",
                    (json_int_t)now);
    free(encoded);
    if (doc != NULL)
        out = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(doc);
    return out;
}

char *certkey_sign_di(const certkey *k, const char *public_url, const char *payload_json,
                      time_t created)
{
    static const char *const jwt_claims[] = {"iss", "jti", "sub", "nbf", "iat", "exp"};
    json_t *doc = json_loads(payload_json, JSON_REJECT_DUPLICATES, NULL);
    char *vm = diproof_vm_url(public_url, k->thumbprint), *out = NULL, err[160];

    if (doc != NULL) {
        for (size_t i = 0; i < SINAU_ARRAY_LEN(jwt_claims); i++)
            json_object_del(doc, jwt_claims[i]);
        out = diproof_sign(doc, k->sk, vm, created, err, sizeof err);
    }
    json_decref(doc);
    free(vm);
    return out;
}

char *certkeys_status_di(const certkey *k, const char *public_url, const unsigned char *bits,
                         size_t nbytes, time_t now)
{
    char *encoded = statuslist_encode(bits, nbytes), *vm, *out = NULL, err[160];
    status_ids ids;
    json_t *doc;

    if (encoded == NULL)
        return NULL;
    status_ids_of(public_url, now, &ids);
    doc = json_pack("{s:[s], s:s, s:[s,s], s:s, s:s, s:{s:s, s:s, s:s, s:s}}", "@context",
                    "https://www.w3.org/ns/credentials/v2", "id", ids.url, "type",
                    "VerifiableCredential", "BitstringStatusListCredential", "issuer", ids.issuer,
                    "validFrom", ids.at, "credentialSubject", "id", ids.list_id, "type",
                    "BitstringStatusList", "statusPurpose", "revocation", "encodedList", encoded);
    free(encoded);
    vm = diproof_vm_url(public_url, k->thumbprint);
    if (doc != NULL)
        out = diproof_sign(doc, k->sk, vm, now, err, sizeof err);
    json_decref(doc);
    free(vm);
    return out;
}

/* ---- blocking: start-up and the command line ---- */

/* what, with the connection's error when pg is given. Returns -1. */
static int fail(char *err, size_t errlen, const char *what, PGconn *pg)
{
    if (pg != NULL)
        snprintf(err, errlen, "%s: %s", what, PQerrorMessage(pg));
    else
        snprintf(err, errlen, "%s", what);
    for (char *p = err; *p != '\0'; p++)
        if (*p == '\n')
            *p = ' ';
    return -1;
}

static bool exec_ok(PGconn *pg, const char *sql)
{
    PGresult *r = PQexec(pg, sql);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;

    PQclear(r);
    return ok;
}

int certkeys_new_make(const pii_keyring *kr, certkeys_new *out)
{
    certkey k;
    int rc;

    memset(out, 0, sizeof *out);
    rc = certkey_generate(kr, &k, &out->seed_enc);
    if (rc == 0) {
        memcpy(out->thumbprint, k.thumbprint, sizeof out->thumbprint);
        sodium_bin2hex(out->pkhex, sizeof out->pkhex, k.pk, sizeof k.pk);
    }
    certkey_wipe(&k);
    if (rc != 0)
        certkeys_new_clear(out);
    return rc;
}

void certkeys_new_clear(certkeys_new *n)
{
    free(n->seed_enc);
    memset(n, 0, sizeof *n);
}

/* Adds a new key through cert_key_add (the request path's statement); it
 * becomes the signer. k gets its thumbprint (for the kid printed). */
static int add_key(PGconn *pg, const pii_keyring *kr, certkey *k, char *err, size_t errlen)
{
    certkeys_new n;
    PGresult *r;
    int rc;

    if (certkeys_new_make(kr, &n) != 0)
        return fail(err, errlen, "cannot make a signing key", NULL);
    r = PQexecParams(pg, CERTKEYS_ADD_SQL, 4, NULL,
                     (const char *[]){n.thumbprint, n.pkhex, n.seed_enc, NULL}, NULL, NULL, 0);
    rc = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
                 strcmp(PQgetvalue(r, 0, 0), "201") == 0
             ? 0
             : fail(err, errlen, "storing the key", pg);
    PQclear(r);
    certkey_wipe(k);
    memcpy(k->thumbprint, n.thumbprint, sizeof k->thumbprint);
    certkeys_new_clear(&n);
    return rc;
}

/* The newest key, opened. Returns 1 when there is none, 0, or -1. */
static int current_key(PGconn *pg, const pii_keyring *kr, certkey *k, char *err, size_t errlen)
{
    PGresult *r = PQexec(pg, "select thumbprint, seed_enc from cert_current_key()"
                             " where thumbprint is not null");
    int rc;

    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        rc = fail(err, errlen, "reading the signing key", pg);
    else if (PQntuples(r) == 0)
        rc = 1;
    else if (certkey_open(kr, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), k) != 0)
        rc = fail(err, errlen, "the signing key does not open with this master key", NULL);
    else
        rc = 0;
    PQclear(r);
    return rc;
}

int certkeys_status_sign(const pii_keyring *kr, const char *public_url, const char *issuer_name,
                         const PGresult *row, char **token, char **di)
{
    size_t nbytes = 0;
    unsigned char *bits = PQunescapeBytea((const unsigned char *)PQgetvalue(row, 0, 0), &nbytes);
    char *payload = NULL;
    time_t now = time(NULL);
    certkey k;

    *token = *di = NULL;
    if (bits == NULL)
        return -1;
    if (certkey_open(kr, PQgetvalue(row, 0, 2), PQgetvalue(row, 0, 3), &k) == 0) {
        payload = certkeys_status_payload(public_url, issuer_name, bits, nbytes, now);
        *token = payload != NULL ? certkey_sign(&k, public_url, payload) : NULL;
        *di = certkeys_status_di(&k, public_url, bits, nbytes, now);
        certkey_wipe(&k);
    }
    PQfreemem(bits);
    free(payload);
    if (*token == NULL || *di == NULL) {
        free(*token);
        free(*di);
        *token = *di = NULL;
        return -1;
    }
    return 0;
}

/* Re-signs the status list with the current key when its token is older
 * than its bits (always when force), through the request path's
 * statements. */
static int sign_status(PGconn *pg, const sinau_config *cfg, const pii_keyring *kr, bool force,
                       char *err, size_t errlen)
{
    PGresult *r = PQexec(pg, CERTKEYS_STATUS_READ_SQL);
    char *token = NULL, *di = NULL;
    int rc = 0;

    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        rc = fail(err, errlen, "reading the status list", pg);
    } else if (PQntuples(r) == 1 && (force || strcmp(PQgetvalue(r, 0, 4), "t") == 0)) {
        if (certkeys_status_sign(kr, cfg->public_url, cfg->issuer_name, r, &token, &di) != 0) {
            rc = fail(err, errlen, "signing the status list", NULL);
        } else {
            PGresult *w =
                PQexecParams(pg, CERTKEYS_STATUS_STORE_SQL, 3, NULL,
                             (const char *[]){PQgetvalue(r, 0, 1), token, di}, NULL, NULL, 0);
            if (PQresultStatus(w) != PGRES_TUPLES_OK)
                rc = fail(err, errlen, "storing the status list", pg);
            PQclear(w);
        }
    }
    PQclear(r);
    free(token);
    free(di);
    return rc;
}

/* The Data Integrity form of one stored certificate, from its VC-JWT's
 * payload, signed by the key that signed the token. */
static char *di_of_token(const pii_keyring *kr, const sinau_config *cfg, PGresult *r, int row)
{
    jws_parsed p;
    certkey k;
    char err[160], *payload, *di = NULL;
    json_int_t nbf;

    if (jws_parse(PQgetvalue(r, row, 1), JWS_MAX_TOKEN, &p, err, sizeof err) != 0)
        return NULL;
    nbf = json_integer_value(json_object_get(p.payload, "nbf"));
    payload = json_dumps(p.payload, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (payload != NULL &&
        certkey_open(kr, PQgetvalue(r, row, 2), PQgetvalue(r, row, 3), &k) == 0) {
        di = certkey_sign_di(&k, cfg->public_url, payload, (time_t)nbf);
        certkey_wipe(&k);
    }
    free(payload);
    jws_parsed_clear(&p);
    return di;
}

/* Certificates issued before Data Integrity proofs get theirs (once: the
 * column never changes after). A certificate that cannot be signed is
 * logged and left for the next start. */
static int backfill_di(PGconn *pg, const sinau_config *cfg, const pii_keyring *kr, char *err,
                       size_t errlen)
{
    PGresult *r = PQexec(pg, "select ce.id, ce.token, k.thumbprint, k.seed_enc from certificates ce"
                             " join signing_keys k on k.thumbprint = ce.kid_thumbprint"
                             " where ce.credential_di is null order by ce.issued_at");
    int rc = 0, done = 0;

    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        return fail(err, errlen, "reading certificates without a Data Integrity proof", pg);
    }
    for (int i = 0; i < PQntuples(r) && rc == 0; i++) {
        char *di = di_of_token(kr, cfg, r, i);
        PGresult *w;
        if (di == NULL) {
            log_warn("certificate %s: no Data Integrity form could be signed", PQgetvalue(r, i, 0));
            continue;
        }
        w = PQexecParams(pg,
                         "update certificates set credential_di = $2 where id = $1"
                         " and credential_di is null",
                         2, NULL, (const char *[]){PQgetvalue(r, i, 0), di}, NULL, NULL, 0);
        if (PQresultStatus(w) != PGRES_COMMAND_OK)
            rc = fail(err, errlen, "storing a Data Integrity credential", pg);
        else
            done++;
        PQclear(w);
        free(di);
    }
    if (done > 0)
        log_info("%d certificates got their Data Integrity form", done);
    PQclear(r);
    return rc;
}

/* Runs the start-up or rotation steps inside one transaction that holds an
 * advisory lock, so that instances starting together make one first key. */
static int with_keys(const sinau_config *cfg, const pii_keyring *kr, bool rotate, char *kid_out,
                     size_t kid_len, char *err, size_t errlen)
{
    PGconn *pg = db_connect_blocking(cfg->database_url);
    certkey k;
    int rc = -1, have;

    memset(&k, 0, sizeof k);
    if (PQstatus(pg) != CONNECTION_OK) {
        fail(err, errlen, "cannot connect", pg);
        goto done;
    }
    if (!exec_ok(pg, "begin") ||
        !exec_ok(pg, "select pg_advisory_xact_lock(hashtext('sinau:keys'))")) {
        fail(err, errlen, "locking the keys", pg);
        goto done;
    }
    have = current_key(pg, kr, &k, err, errlen);
    if (have < 0)
        goto done;
    if ((have == 1 || rotate) && add_key(pg, kr, &k, err, errlen) != 0)
        goto done;
    if (sign_status(pg, cfg, kr, have == 1 || rotate, err, errlen) != 0)
        goto done;
    if (!rotate && backfill_di(pg, cfg, kr, err, errlen) != 0)
        goto done;
    if (!exec_ok(pg, "commit")) {
        fail(err, errlen, "committing", pg);
        goto done;
    }
    if (kid_out != NULL) {
        char *kid = certkey_kid(cfg->public_url, k.thumbprint);
        snprintf(kid_out, kid_len, "%s", kid != NULL ? kid : "");
        free(kid);
    }
    rc = 0;
done:
    certkey_wipe(&k);
    PQfinish(pg);
    return rc;
}

int certkeys_bootstrap(const sinau_config *cfg, const pii_keyring *kr, char *err, size_t errlen)
{
    return with_keys(cfg, kr, false, NULL, 0, err, errlen);
}

int certkeys_rotate(const sinau_config *cfg, const pii_keyring *kr, char *kid_out, size_t kid_len,
                    char *err, size_t errlen)
{
    return with_keys(cfg, kr, true, kid_out, kid_len, err, errlen);
}
