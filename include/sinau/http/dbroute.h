/* http/dbroute.h — where a request's statements run (server/http/dbroute.c):
 * the loop's pool, or its read pool, and the only retries (POOL.md). Each
 * replies 503 itself when refused. Loop thread. */
#ifndef SINAU_HTTP_DBROUTE_H
#define SINAU_HTTP_DBROUTE_H

#include "sinau/core/common.h"
#include "sinau/db/pool.h"
#include "sinau/http/ctx.h"

/* Runs a statement on this loop's pool, which follows the primary: cb runs
 * later, or on refusal 503 (db_busy or db_unavailable, Retry-After) has
 * been replied instead. Either way the handler just returns. values are
 * borrowed until cb (keep them in ctx memory). For a read request (GET,
 * HEAD) a statement whose connection was lost runs again with backoff
 * until the queue timeout (then cb sees DB_ERR_UNAVAILABLE); nothing else
 * is ever run twice. */
void http_db_query(http_ctx *ctx, const db_stmt *stmt, const char *const *values, db_done_fn cb);

/* http_db_query for a read that a standby may answer: on the read pool
 * (SINAU_DATABASE_READ_URL) when there is one, within its staleness bound
 * (SINAU_READ_MAX_LAG_MS), else — and whenever the standby cannot answer in
 * time — on the primary. Only for statements that neither write nor decide
 * (the read pool's sessions are read-only: a write fails there). */
void http_db_read(http_ctx *ctx, const db_stmt *stmt, const char *const *values, db_done_fn cb);

/* http_db_query for a statement that honours the request's Idempotency-Key
 * (run again with the same key, it answers what the first run answered):
 * when the request carries a key, a lost connection runs it again too. */
void http_db_query_keyed(http_ctx *ctx, const db_stmt *stmt, const char *const *values,
                         db_done_fn cb);

/* For a keyed statement that ran elsewhere (a batch) and lost its
 * connection: runs it again as http_db_query_keyed would after a lost
 * connection (with backoff, counted as a retry, within the queue timeout)
 * when the request carries an Idempotency-Key; else, or when there is no
 * time left, cb sees DB_ERR_UNAVAILABLE. */
void http_db_rerun_keyed(http_ctx *ctx, const db_stmt *stmt, const char *const *values,
                         db_done_fn cb);

/* http_db_query with per-parameter lengths and formats (1 = binary), for
 * uploads; all borrowed until cb. */
void http_db_query_params(http_ctx *ctx, const db_stmt *stmt, const char *const *values,
                          const int *lengths, const int *formats, db_done_fn cb);

#endif /* SINAU_HTTP_DBROUTE_H */
