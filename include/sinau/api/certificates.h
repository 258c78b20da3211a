/* api/certificates.h — what server/api/certificates.c offers the rest of
 * the API: the status list's re-signing and automatic issuing. */
#ifndef SINAU_API_CERTIFICATES_H
#define SINAU_API_CERTIFICATES_H

#include "sinau/api/services.h"

struct http_ctx;

/* Re-signs the status list from its current bits with the current key,
 * then calls then(ctx) — also when signing could not be done (the next read
 * of /status/1 tries again). ctx->state is left as it is. */
void certificates_status_resign(struct http_ctx *ctx, void (*then)(struct http_ctx *ctx));

/* Issues certificates in one cohort whose rules say auto_issue, when
 * someone there became eligible; at most one run at a time, on the loop
 * whose services svc are (loop 0). */
void certificates_tick(const api_services *svc);

#endif /* SINAU_API_CERTIFICATES_H */
