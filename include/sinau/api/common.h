/* api/common.h — what every resource module of server/api/ shares
 * (server/api/common.c): the usual completions, small input checks and
 * conversions, and uploaded files. Loop thread unless said otherwise. */
#ifndef SINAU_API_COMMON_H
#define SINAU_API_COMMON_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "sinau/core/common.h"
#include "sinau/core/csv.h"
#include "sinau/db/pool.h"

struct http_ctx;

/* A result of one JSON column: 200 with it as the body; 404 when there is
 * no row or the value is null. */
void api_reply_json_or_404(void *arg, db_result *r);

/* api_reply_json_or_404 for a statement that creates: 201 with the body. */
void api_reply_created_or_404(void *arg, db_result *r);

/* A result of two columns (status integer, body json), as the PL/pgSQL
 * functions that decide the status return: answers with them as they are. */
void api_reply_status_body(void *arg, db_result *r);

/* The generic handler of a thin route (api/call.h; ctx->route->data is its
 * api_call) whose request takes no members: the body is empty or {} (a
 * member: 422 unknown_field, as http_unpack answers; not JSON: as
 * http_read_json answers), then api_call_route. Loop thread. */
void api_call_route_empty(struct http_ctx *ctx);

/* The body of a route that takes no members: empty or {}. Returns 0, or
 * replies (422 unknown_field for a member, as http_unpack; not JSON: as
 * http_read_json) and returns -1. Loop thread. */
SINAU_MUST_CHECK int api_body_none(struct http_ctx *ctx);

/* A call's check (api_call.check) for a function that refuses the body's
 * members itself, with codes of its own that the declared schema's 422
 * invalid_field would pre-empt: any JSON object passes. Returns 0. */
int api_check_in_sql(struct http_ctx *ctx, json_t *body);

/* When value (a path parameter) is NULL, replies 404 "no such <what>" and
 * returns true: the handler just returns. */
bool api_missing(struct http_ctx *ctx, const char *value, const char *what);

/* ?limit= in 1..200 (fallback when absent), or replies 422 and returns -1. */
int api_limit(struct http_ctx *ctx, int fallback);

/* v as text in ctx memory (a statement parameter). */
char *api_itoa(struct http_ctx *ctx, long long v);

/* Statement parameters (ctx memory) of a function taking (…, user id, role
 * name) last: n slots, the last two filled with the caller's. */
const char **api_caller_params(struct http_ctx *ctx, int n);

/* v as compact JSON text in ctx memory, for a statement parameter; reals
 * with 15 significant digits, so 2.2 reaches SQL as 2.2 (not
 * 2.2000000000000002). NULL only when out of memory. */
const char *api_json_text(struct http_ctx *ctx, const json_t *v);

/* Times and dates as JSON writes them: api_iso_time takes ISO 8601 with a
 * zone (YYYY-MM-DDTHH:MM[:SS[.f…]] then Z or ±HH:MM), api_iso_date exactly
 * YYYY-MM-DD — never the words PostgreSQL would also read ("tomorrow",
 * "infinity") nor a time without a zone. */
bool api_iso_time(const char *s);
bool api_iso_date(const char *s);

/* The check (api_call.check) of a body with instants: every member the
 * route's request schema declares "format": "date-time" is absent, null or
 * a string api_iso_time takes (else 422 invalid_time, details.field the
 * member), then the schema decides the rest (http_check_body). Returns 0,
 * or -1 after replying. */
int api_times_check(struct http_ctx *ctx, json_t *body);

/* A read whose one JSON column answers as JSON or, with ?format=csv, as a
 * CSV attachment written from the same document. Static, any loop thread. */
typedef struct api_csv {
    void (*write)(csv_buf *b, json_t *doc); /* the rows, from the document */
    const char *filename;                   /* of the attachment */
    const char *missing;                    /* no row or null: 404 with this message */
} api_csv;

/* Runs stmt with values (ctx memory) and answers: ?format= absent or json,
 * as api_reply_json_or_404; csv, the CSV csv writes; else 422
 * invalid_format. Sets ctx->state. Loop thread. */
void api_query_json_or_csv(struct http_ctx *ctx, const db_stmt *stmt, const char *const *values,
                           const api_csv *csv);

/* ---- uploaded files (server/api/common.c) ---- */

/* The X-Filename header, percent-decoded into ctx memory: a plain name
 * (no path, no control characters, not hidden), 1..200 bytes of UTF-8.
 * Returns NULL when refused. */
const char *api_filename_decode(struct http_ctx *ctx, const char *raw);

/* The name a file is stored and downloaded under, from the uploader's
 * name: control, bidirectional-override and path characters removed, no
 * leading dots or blanks, and the extension that of the sniffed type `ext`
 * ("png", "jpg", "pdf", "mp4"; aliases such as .jpeg kept): a foreign
 * extension is replaced ("Tugas.pdf.bat" → "Tugas.pdf"), a missing one
 * added; at most 200 bytes. Returns ctx memory, or NULL when nothing is left. */
const char *api_file_display_name(struct http_ctx *ctx, const char *name, const char *ext);

/* The SHA-256 of data[0..len) as 64 lower-case hex characters and a NUL.
 * Any thread. */
void api_sha256_hex(const unsigned char *data, size_t len, char out[65]);

/* A raw upload stored by one statement whose last two parameters are the
 * body's SHA-256 (hex) and the body itself (bytea, binary): the caller
 * fills params[0 .. nparams-3] (ctx memory or static). */
#define API_UPLOAD_PARAMS 8
struct filetype;
typedef struct api_upload {
    const db_stmt *stmt;
    const unsigned char *data; /* the request body (borrowed from the request) */
    size_t len;
    char sha256[65];
    const char *params[API_UPLOAD_PARAMS];
    int lengths[API_UPLOAD_PARAMS];
    int formats[API_UPLOAD_PARAMS];
} api_upload;

/* Starts an upload of the request body for stmt: refuses an empty body
 * (422 empty_file) and a type that its magic bytes do not show, that the
 * declared Content-Type contradicts or that allowed (may be NULL: any
 * filetype.h knows) refuses (415 unsupported_file_type with `refusal` as
 * the message). Returns the upload (ctx memory) and its type in *type, or
 * NULL after replying. */
api_upload *api_upload_begin(struct http_ctx *ctx, const db_stmt *stmt,
                             bool (*allowed)(const struct filetype *), const char *refusal,
                             const struct filetype **type);

/* Hashes the body on the worker pool (up is the job), then runs the
 * statement and replies with its (status, body). */
void api_upload_store(struct http_ctx *ctx, api_upload *up);

/* A read whose rows a later step works on (a file's bytes, a CSV): what
 * api_rows_then does with them. Static. */
typedef struct api_rows_step {
    const char *missing;    /* no row: 404 with this message */
    void (*run)(void *job); /* works on the rows: any thread, the job alone */
    void (*done)(struct http_ctx *ctx, void *job); /* answers, on the loop */
    bool (*on_loop)(const void *job); /* the work is small: the loop runs it (NULL: never) */
} api_rows_step;

/* Runs stmt (values borrowed until its result); its rows (none: 404
 * step->missing) go to *rows (in job), owned by the request; then
 * step->run(job) — on the loop when step->on_loop(job) says so, else on the
 * worker pool (http_work: 503 busy when full) — and step->done(ctx, job).
 * Sets ctx->state (its own record; done gets the job). Loop thread. */
void api_rows_then(struct http_ctx *ctx, const db_stmt *stmt, const char *const *values,
                   const api_rows_step *step, void *job, PGresult **rows);

/* How api_file_get serves a file. */
typedef struct api_file_opts {
    bool images_inline;        /* images "inline" (shown), everything else "attachment" */
    const char *cache_control; /* NULL: "private, no-store" */
} api_file_opts;

/* Runs stmt (values borrowed until its result), whose one row (stored
 * name, original name or NULL, content type, sha256, data as bytea) is sent
 * as the file with Content-Disposition (RFC 8187 name), ETag and
 * Cache-Control; no row: 404. opts is copied (NULL: attachments, never
 * cached); large files are decoded on the worker pool. Sets ctx->state. */
void api_file_get(struct http_ctx *ctx, const db_stmt *stmt, const char *const *values,
                  const api_file_opts *opts);

/* Replies 200 with the CSV document b (text/csv, UTF-8), handing its bytes
 * to the request (b->data is freed with the reply), with a
 * Content-Disposition header when disposition is not NULL; or 500
 * export_too_large when the document went over its cap. Loop thread. */
void api_reply_csv(struct http_ctx *ctx, csv_buf *b, const char *disposition);

/* Renders the Markdown of every row of res (column md_col) to safe HTML
 * (core/markdown.h), keyed by column key_col (rows whose key is null are
 * skipped): the compact JSON text {key: html}, malloc'd (the caller frees
 * it or hands it to the request), NULL when it cannot be written. Worker
 * thread (res is not touched by anything else meanwhile). */
char *api_markdown_json(const PGresult *res, int key_col, int md_col);

/* A JSON number as a spreadsheet in the Indonesian locale reads it (CSV
 * exports): an integer as it is, a real with `decimals` places, a decimal
 * comma; written into buf (n bytes), which is returned; NULL when v is not
 * a number (an empty cell). */
const char *api_decimal_comma(char *buf, size_t n, const json_t *v, int decimals);

/* The rules every authored piece of content shares (modules, lessons,
 * assignments, feedback). Each is true when its value is absent (NULL) or
 * acceptable; else it replies 422 with details.field the member and is
 * false: a title has 1 to 200 bytes (invalid_title); a position is an
 * integer 0..100000 (invalid_position); Markdown has at most
 * API_MARKDOWN_MAX bytes (invalid_<member>: cmark 0.30.2, Debian 12's, has
 * inputs that take seconds at 200 KB but under 0.1 s at 64 KB). */
#define API_MARKDOWN_MAX 65536u
bool api_title_ok(struct http_ctx *ctx, const char *title);
/* The rule under api_position_ok: v absent (NULL) or an integer lo..hi;
 * else 422 code with details.field member, and false. */
bool api_range_ok(struct http_ctx *ctx, const json_t *v, long lo, long hi, const char *code,
                  const char *member);
bool api_position_ok(struct http_ctx *ctx, const json_t *pos);
bool api_markdown_ok(struct http_ctx *ctx, const char *md, const char *member);

/* The name an upload is stored under, from its X-Filename header
 * (percent-encoded UTF-8; api_filename_decode, then api_file_display_name
 * with the sniffed type's extension) into *out (ctx memory; NULL when the
 * header is absent and not required). Returns true, or replies 422
 * invalid_filename and returns false. Loop thread. */
bool api_upload_name(struct http_ctx *ctx, const struct filetype *type, bool required,
                     const char **out);

/* The reason an admin states before reading personal data (the read is
 * audited with it): 5 to 500 bytes. True, or replies 422 invalid_reason
 * (details.field "reason") and is false. */
bool api_reason_ok(struct http_ctx *ctx, const char *reason);

#endif /* SINAU_API_COMMON_H */
