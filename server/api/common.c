/* common.c — database completions shared by the resource modules: most
 * handlers end with one statement whose result is the response itself. */
#include "sinau/api/common.h"

#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "sinau/api/call.h"
#include "sinau/api/schemas.h"
#include "sinau/core/csv.h"
#include "sinau/auth/session.h"
#include "sinau/core/filetype.h"
#include "sinau/core/markdown.h"
#include "sinau/core/utf8.h"
#include "sinau/http/ctx.h"
#include "sinau/http/dbroute.h"
#include "sinau/http/reply.h"

/* Files smaller than this are decoded on the loop; larger ones on a worker. */
#define INLINE_DECODE_MAX  (64u * 1024u)
#define FILENAME_MAX_BYTES 200

void api_reply_json_or_404(void *arg, db_result *r)
{
    api_reply_sql(arg, r, API_REPLY_JSON);
}

void api_reply_created_or_404(void *arg, db_result *r)
{
    api_reply_sql(arg, r, API_REPLY_CREATED);
}

void api_reply_status_body(void *arg, db_result *r)
{
    api_reply_sql(arg, r, API_REPLY_STATUS);
}

int api_body_none(http_ctx *ctx)
{
    json_t *body;

    if (http_read_json(ctx, true, &body) != 0)
        return -1;
    return http_unpack(ctx, body, "{}");
}

void api_call_route_empty(http_ctx *ctx)
{
    if (api_body_none(ctx) == 0)
        api_call_route(ctx);
}

int api_check_in_sql(http_ctx *ctx, json_t *body)
{
    (void)ctx;
    (void)body;
    return 0;
}

bool api_missing(http_ctx *ctx, const char *value, const char *what)
{
    char msg[64];

    if (value != NULL)
        return false;
    snprintf(msg, sizeof msg, "no such %s", what);
    http_reply_error(ctx, 404, "not_found", msg);
    return true;
}

int api_limit(http_ctx *ctx, int fallback)
{
    const char *s = http_query(ctx, "limit");
    char *end = NULL;
    long v;

    if (s == NULL)
        return fallback;
    v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 1 || v > 200) {
        http_reply_error(ctx, 422, "invalid_limit", "limit must be an integer in 1..200");
        return -1;
    }
    return (int)v;
}

char *api_itoa(http_ctx *ctx, long long v)
{
    char *s = http_ctx_alloc(ctx, 24);

    snprintf(s, 24, "%lld", v);
    return s;
}

const char **api_caller_params(http_ctx *ctx, int n)
{
    const char **p = http_ctx_alloc(ctx, (size_t)n * sizeof *p);

    p[n - 2] = ctx->user.id;
    p[n - 1] = auth_role_name(ctx->user.role);
    return p;
}

/* ISO 8601 with a zone, as JSON writes times: YYYY-MM-DDTHH:MM[:SS[.f…]]
 * then Z or ±HH:MM. Words PostgreSQL would also take ("tomorrow",
 * "infinity") and times without a zone are refused. */
bool api_iso_time(const char *s)
{
    static const char shape[] = "dddd-dd-ddTdd:dd";
    size_t i;

    for (i = 0; shape[i] != '\0'; i++)
        if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])
            return false;
    if (s[i] == ':' && isdigit((unsigned char)s[i + 1]) && isdigit((unsigned char)s[i + 2]))
        i += 3;
    if (s[i] == '.' && isdigit((unsigned char)s[i + 1]))
        for (i++; isdigit((unsigned char)s[i]); i++)
            ;
    if (s[i] == 'Z')
        return s[i + 1] == '\0';
    return (s[i] == '+' || s[i] == '-') && isdigit((unsigned char)s[i + 1]) &&
           isdigit((unsigned char)s[i + 2]) && s[i + 3] == ':' &&
           isdigit((unsigned char)s[i + 4]) && isdigit((unsigned char)s[i + 5]) && s[i + 6] == '\0';
}

/* YYYY-MM-DD and nothing else. */
bool api_iso_date(const char *s)
{
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? s[i] != '-' : !isdigit((unsigned char)s[i]))
            return false;
    return s[10] == '\0';
}

const char *api_json_text(http_ctx *ctx, const json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    char *out = text != NULL ? http_ctx_strndup(ctx, text, strlen(text)) : NULL;

    free(text);
    return out;
}

int api_times_check(http_ctx *ctx, json_t *body)
{
    const json_t *schema = api_request_schema(ctx);
    json_t *props = json_object_get(schema, "properties"), *decl, *v;
    const char *name;
    char msg[96];

    json_object_foreach (props, name, decl) {
        v = json_object_get(body, name);
        if (!json_is_string(json_object_get(decl, "format")) ||
            strcmp(json_string_value(json_object_get(decl, "format")), "date-time") != 0 ||
            v == NULL || json_is_null(v))
            continue;
        if (!json_is_string(v) || json_string_length(v) > 64 ||
            !api_iso_time(json_string_value(v))) {
            snprintf(msg, sizeof msg, "%s is an ISO 8601 time with a zone, or null", name);
            http_reply_error_details(ctx, 422, "invalid_time", msg,
                                     json_pack("{s:s}", "field", name));
            return -1;
        }
    }
    return http_check_body(ctx, schema, body);
}

/* The CSV answer of api_query_json_or_csv (ctx->state: its api_csv). */
static void csv_done(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    const api_csv *const *csv = ctx->state;
    char disposition[96];
    json_t *doc;
    csv_buf b;

    if (http_db_failed(ctx, r))
        return;
    if (PQntuples(r->res) != 1 || PQgetisnull(r->res, 0, 0) ||
        (doc = http_own_json(ctx, json_loads(PQgetvalue(r->res, 0, 0), 0, NULL))) == NULL) {
        http_reply_error(ctx, 404, "not_found", (*csv)->missing);
        return;
    }
    csv_begin(&b);
    (*csv)->write(&b, doc);
    snprintf(disposition, sizeof disposition, "attachment; filename=\"%s\"", (*csv)->filename);
    api_reply_csv(ctx, &b, disposition);
}

void api_query_json_or_csv(http_ctx *ctx, const db_stmt *stmt, const char *const *values,
                           const api_csv *csv)
{
    const char *format = http_query(ctx, "format");
    const api_csv **state;

    if (format == NULL || strcmp(format, "json") == 0) {
        http_db_query(ctx, stmt, values, api_reply_json_or_404);
        return;
    }
    if (strcmp(format, "csv") != 0) {
        http_reply_error(ctx, 422, "invalid_format", "format is json or csv");
        return;
    }
    state = http_ctx_alloc(ctx, sizeof *state);
    *state = csv;
    ctx->state = state;
    http_db_query(ctx, stmt, values, csv_done);
}

/* ---- uploaded files ---- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

const char *api_filename_decode(http_ctx *ctx, const char *raw)
{
    size_t n = strlen(raw), o = 0;
    char *out;

    if (n == 0 || n > 3 * FILENAME_MAX_BYTES)
        return NULL;
    out = http_ctx_alloc(ctx, n + 1);
    for (size_t i = 0; i < n; i++) {
        if (raw[i] == '%' && i + 2 < n && hexval(raw[i + 1]) >= 0 && hexval(raw[i + 2]) >= 0) {
            out[o++] = (char)(hexval(raw[i + 1]) * 16 + hexval(raw[i + 2]));
            i += 2;
        } else if (raw[i] == '%') {
            return NULL;
        } else {
            out[o++] = raw[i];
        }
    }
    out[o] = '\0';
    if (o == 0 || o > FILENAME_MAX_BYTES || out[0] == '.' || strlen(out) != o ||
        strpbrk(out, "/\\:") != NULL || !utf8_printable(out))
        return NULL;
    return out;
}

/* Bytes of a character a file name never keeps at s (0 when kept): C0 and
 * C1 controls, DEL, path separators and drive colons, and the Unicode
 * bidirectional controls (U+061C, U+200E-F, U+202A-E, U+2066-9) that make
 * "x<RLO>fdp.exe" read as "xexe.pdf". */
static size_t dropped_at(const unsigned char *s)
{
    if (s[0] < 0x20 || s[0] == 0x7f || s[0] == '/' || s[0] == '\\' || s[0] == ':')
        return 1;
    if (s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f)
        return 2;
    if (s[0] == 0xd8 && s[1] == 0x9c)
        return 2;
    if (s[0] == 0xe2 && s[1] == 0x80 &&
        (s[2] == 0x8e || s[2] == 0x8f || (s[2] >= 0xaa && s[2] <= 0xae)))
        return 3;
    if (s[0] == 0xe2 && s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9)
        return 3;
    return 0;
}

/* The name's extension (after the last dot: 1..8 letters or digits), or NULL. */
static const char *name_ext(const char *name)
{
    const char *dot = strrchr(name, '.');
    size_t n;

    if (dot == NULL || dot == name)
        return NULL;
    n = strlen(dot + 1);
    if (n == 0 || n > 8)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)dot[1 + i]))
            return NULL;
    return dot + 1;
}

/* True when extension e (any case) names type extension ext: the same, or
 * a usual alias (jpeg and jpe for jpg, m4v for mp4). */
static bool ext_is(const char *e, const char *ext)
{
    static const char *const aliases[][2] = {{"jpg", "jpeg"}, {"jpg", "jpe"}, {"mp4", "m4v"}};

    if (strcasecmp(e, ext) == 0)
        return true;
    for (size_t i = 0; i < SINAU_ARRAY_LEN(aliases); i++)
        if (strcmp(aliases[i][0], ext) == 0 && strcasecmp(aliases[i][1], e) == 0)
            return true;
    return false;
}

const char *api_file_display_name(http_ctx *ctx, const char *name, const char *ext)
{
    size_t n = strlen(name), o = 0, keep;
    char *out = http_ctx_alloc(ctx, n + strlen(ext) + 2);
    const char *e;

    for (size_t i = 0; i < n;) {
        size_t drop = dropped_at((const unsigned char *)name + i);
        if (drop > 0) {
            i += drop;
            continue;
        }
        if (o == 0 && (name[i] == '.' || name[i] == ' ')) { /* not hidden, no blank start */
            i++;
            continue;
        }
        out[o++] = name[i++];
    }
    out[o] = '\0';
    e = name_ext(out);
    if (e != NULL && ext_is(e, ext))
        return o > 0 ? out : NULL;
    if (e != NULL) /* a foreign extension goes: "Tugas.pdf.bat" is "Tugas.pdf" */
        out[e - 1 - out] = '\0';
    e = name_ext(out);
    if (e != NULL && ext_is(e, ext))
        return out;
    /* room for ".ext" within FILENAME_MAX_BYTES, cut on a character boundary */
    keep = strlen(out);
    while (keep > 0 && keep + 1 + strlen(ext) > FILENAME_MAX_BYTES)
        keep--;
    while (keep > 0 && ((unsigned char)out[keep] & 0xc0) == 0x80)
        keep--;
    if (keep == 0)
        return NULL;
    snprintf(out + keep, n + strlen(ext) + 2 - keep, ".%s", ext);
    return out;
}

void api_sha256_hex(const unsigned char *data, size_t len, char out[65])
{
    unsigned char digest[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(digest, data, len);
    sodium_bin2hex(out, 65, digest, sizeof digest);
}

api_upload *api_upload_begin(http_ctx *ctx, const db_stmt *stmt, bool (*allowed)(const filetype *),
                             const char *refusal, const filetype **type)
{
    api_upload *up = http_ctx_alloc(ctx, sizeof *up);

    assert(stmt->nparams >= 2 && stmt->nparams <= API_UPLOAD_PARAMS);
    up->stmt = stmt;
    up->data = http_body(ctx, &up->len);
    if (up->len == 0) {
        http_reply_error(ctx, 422, "empty_file", "the file is empty");
        return NULL;
    }
    *type = filetype_sniff(up->data, up->len);
    if (*type == NULL || (allowed != NULL && !allowed(*type)) ||
        !filetype_declared_ok(*type, http_header(ctx, "Content-Type"))) {
        http_reply_error(ctx, 415, "unsupported_file_type", refusal);
        return NULL;
    }
    return up;
}

/* Worker: the body's SHA-256. */
static void upload_hash(void *arg)
{
    api_upload *up = arg;

    api_sha256_hex(up->data, up->len, up->sha256);
}

/* Loop: the statement with the hash and the bytes as its last two. */
static void upload_store(http_ctx *ctx, void *arg)
{
    api_upload *up = arg;
    int n = up->stmt->nparams;

    up->params[n - 2] = up->sha256;
    up->params[n - 1] = (const char *)up->data;
    up->lengths[n - 1] = (int)up->len;
    up->formats[n - 1] = 1;
    http_db_query_params(ctx, up->stmt, up->params, up->lengths, up->formats,
                         api_reply_status_body);
}

void api_upload_store(http_ctx *ctx, api_upload *up)
{
    http_work(ctx, up, upload_hash, upload_store);
}

/* A file being served: the handler's state from the query to the reply. */
typedef struct download_job {
    PGresult *row; /* (stored name, original name, type, sha256, data as bytea text); owned by
                      the request */
    unsigned char *bytes; /* PQunescapeBytea'd; owned by the request */
    size_t len;
    api_file_opts opts;
} download_job;

/* RFC 8187 value of filename*: UTF-8 with everything but unreserved
 * characters percent-encoded, after the disposition type. */
static const char *disposition(http_ctx *ctx, const char *type, const char *stored,
                               const char *original)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(original), o = 0, cap = 64 + strlen(stored) + 3 * n;
    char *out = http_ctx_alloc(ctx, cap);

    o = (size_t)snprintf(out, cap, "%s; filename=\"%s\"; filename*=UTF-8''", type, stored);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)original[i];
        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
    return out;
}

/* The bytea text to bytes: on a worker for large files (run sees only the
 * job), else on the loop. */
static void download_decode(void *arg)
{
    download_job *job = arg;

    job->bytes = PQunescapeBytea((const unsigned char *)PQgetvalue(job->row, 0, 4), &job->len);
}

static void download_send(http_ctx *ctx, void *arg)
{
    download_job *job = arg;
    const char *stored = PQgetvalue(job->row, 0, 0);
    const char *dot = strrchr(stored, '.');
    const char *original = PQgetisnull(job->row, 0, 1) ? NULL : PQgetvalue(job->row, 0, 1);
    const char *type = PQgetvalue(job->row, 0, 2);
    bool show = job->opts.images_inline && strncmp(type, "image/", 6) == 0;
    char etag[72];

    if (http_own_pqmem(ctx, job->bytes) == NULL) {
        http_reply_error(ctx, 500, "internal_error", "the file could not be read");
        return;
    }
    /* the generated name carries the sniffed type's extension */
    if (original != NULL && dot != NULL)
        original = api_file_display_name(ctx, original, dot + 1);
    if (original == NULL)
        original = stored;
    snprintf(etag, sizeof etag, "\"%s\"", PQgetvalue(job->row, 0, 3));
    http_add_header(ctx, "Content-Disposition",
                    disposition(ctx, show ? "inline" : "attachment", stored, original));
    http_add_header(ctx, "ETag", etag);
    http_add_header(ctx, "Cache-Control",
                    job->opts.cache_control != NULL ? job->opts.cache_control
                                                    : "private, no-store");
    http_reply_bytes(ctx, 200, type, job->bytes, job->len);
}

/* The work is small enough for the loop. */
static bool file_small(const void *arg)
{
    const download_job *job = arg;

    return (size_t)PQgetlength(job->row, 0, 4) <= 2 * INLINE_DECODE_MAX;
}

static const api_rows_step file_step = {"no such file", download_decode, download_send, file_small};

void api_file_get(http_ctx *ctx, const db_stmt *stmt, const char *const *values,
                  const api_file_opts *opts)
{
    download_job *job = http_ctx_alloc(ctx, sizeof *job);

    if (opts != NULL)
        job->opts = *opts;
    api_rows_then(ctx, stmt, values, &file_step, job, &job->row);
}

/* ctx->state of api_rows_then, from the query to its rows. */
typedef struct rows_then {
    const api_rows_step *step;
    void *job;
    PGresult **rows;
} rows_then;

static void rows_found(void *arg, db_result *r)
{
    http_ctx *ctx = arg;
    const rows_then *t = ctx->state;
    const api_rows_step *step = t->step;

    if (!http_db_found(ctx, r, step->missing))
        return;
    *t->rows = http_own_pgresult(ctx, db_result_take(r));
    if (step->on_loop == NULL || !step->on_loop(t->job)) {
        http_work(ctx, t->job, step->run, step->done);
        return;
    }
    step->run(t->job);
    step->done(ctx, t->job);
}

void api_rows_then(http_ctx *ctx, const db_stmt *stmt, const char *const *values,
                   const api_rows_step *step, void *job, PGresult **rows)
{
    rows_then *t = http_ctx_alloc(ctx, sizeof *t);

    t->step = step;
    t->job = job;
    t->rows = rows;
    ctx->state = t;
    http_db_query(ctx, stmt, values, rows_found);
}

void api_reply_csv(http_ctx *ctx, csv_buf *b, const char *disposition)
{
    if (csv_failed(b)) {
        http_reply_error(ctx, 500, "export_too_large",
                         "the export is larger than the server builds");
        return;
    }
    http_own_buf(ctx, b->data);
    if (disposition != NULL)
        http_add_header(ctx, "Content-Disposition", disposition);
    http_reply_bytes(ctx, 200, "text/csv; charset=utf-8", b->data, b->len);
}

char *api_markdown_json(const PGresult *res, int key_col, int md_col)
{
    json_t *html = json_object();
    char *text;

    for (int i = 0; i < PQntuples(res); i++) {
        char *out;
        if (PQgetisnull(res, i, key_col))
            continue;
        out = markdown_render(PQgetvalue(res, i, md_col), (size_t)PQgetlength(res, i, md_col));
        json_object_set_new(html, PQgetvalue(res, i, key_col), json_string(out ? out : ""));
        free(out);
    }
    text = json_dumps(html, JSON_COMPACT);
    json_decref(html);
    return text;
}

const char *api_decimal_comma(char *buf, size_t n, const json_t *v, int decimals)
{
    char *dot;

    if (!json_is_number(v))
        return NULL;
    if (json_is_integer(v))
        snprintf(buf, n, "%lld", (long long)json_integer_value(v));
    else
        snprintf(buf, n, "%.*f", decimals, json_real_value(v));
    dot = strchr(buf, '.');
    if (dot != NULL)
        *dot = ',';
    return buf;
}

bool api_title_ok(http_ctx *ctx, const char *title)
{
    if (title == NULL || (title[0] != '\0' && strlen(title) <= 200))
        return true;
    http_reply_error_details(ctx, 422, "invalid_title", "a title has 1 to 200 characters",
                             json_pack("{s:s}", "field", "title"));
    return false;
}

bool api_range_ok(http_ctx *ctx, const json_t *v, long lo, long hi, const char *code,
                  const char *member)
{
    char msg[96];

    if (v == NULL ||
        (json_is_integer(v) && json_integer_value(v) >= lo && json_integer_value(v) <= hi))
        return true;
    snprintf(msg, sizeof msg, "%s is an integer %ld..%ld", member, lo, hi);
    http_reply_error_details(ctx, 422, code, msg, json_pack("{s:s}", "field", member));
    return false;
}

bool api_position_ok(http_ctx *ctx, const json_t *pos)
{
    return api_range_ok(ctx, pos, 0, 100000, "invalid_position", "position");
}

bool api_markdown_ok(http_ctx *ctx, const char *md, const char *member)
{
    char code[64];

    if (md == NULL || strlen(md) <= API_MARKDOWN_MAX)
        return true;
    snprintf(code, sizeof code, "invalid_%s", member);
    http_reply_error_details(ctx, 422, code, "at most 65,536 bytes of Markdown",
                             json_pack("{s:s}", "field", member));
    return false;
}

bool api_upload_name(http_ctx *ctx, const filetype *type, bool required, const char **out)
{
    const char *raw = http_header(ctx, "X-Filename");

    *out = raw != NULL ? api_filename_decode(ctx, raw) : NULL;
    if (*out != NULL)
        *out = api_file_display_name(ctx, *out, type->ext);
    if (*out != NULL || (raw == NULL && !required))
        return true;
    http_reply_error(ctx, 422, "invalid_filename",
                     "a file name is 1 to 200 characters, without folders");
    return false;
}

bool api_reason_ok(http_ctx *ctx, const char *reason)
{
    if (strlen(reason) >= 5 && strlen(reason) <= 500)
        return true;
    http_reply_error_details(ctx, 422, "invalid_reason", "state the reason in 5 to 500 characters",
                             json_pack("{s:s}", "field", "reason"));
    return false;
}
