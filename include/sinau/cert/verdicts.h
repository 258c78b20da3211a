/* cert/verdicts.h — a per-process cache of signature verdicts on stored
 * credentials (PERFORMANCE.md P6: "cache what is immutable"). A verdict is
 * keyed by a BLAKE2b-256 digest of everything it was computed from (the
 * stored VC-JWT, the stored Data Integrity credential, the public key and
 * the origin), so a changed input is simply another key: nothing to
 * invalidate, and a stale verdict cannot be served. What is cached are the
 * checks before the status: the revocation bit is read from the database on
 * every request.
 *
 * Direct-mapped, fixed size (bounded memory; a colliding entry replaces the
 * older), one mutex. Any thread. */
#ifndef SINAU_CERT_VERDICTS_H
#define SINAU_CERT_VERDICTS_H

#include <stdbool.h>
#include <stddef.h>

#include "sinau/cert/vccheck.h"

#define VERDICTS_KEY 32

typedef struct verdict_cache verdict_cache;

/* A cache of `slots` entries (owned: verdict_cache_free). */
verdict_cache *verdict_cache_new(size_t slots);
void verdict_cache_free(verdict_cache *c);

/* The key of a verdict: BLAKE2b-256 of the parts (each NUL-terminated, NULL
 * as empty), length-prefixed so that parts cannot run into each other. */
void verdict_key(unsigned char key[VERDICTS_KEY], const char *const *parts, size_t nparts);

/* A new result (owned: vccheck_result_free; its payload NULL) copied from
 * the cached verdict of key, or NULL on a miss. */
vccheck_result *verdict_cache_get(verdict_cache *c, const unsigned char key[VERDICTS_KEY]);

/* Caches r's checks, validity and status under key. */
void verdict_cache_put(verdict_cache *c, const unsigned char key[VERDICTS_KEY],
                       const vccheck_result *r);

#endif /* SINAU_CERT_VERDICTS_H */
