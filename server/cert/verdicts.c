/* verdicts.c — the verdict cache (see verdicts.h). */
#include "sinau/cert/verdicts.h"

#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/core/alloc.h"
#include "sinau/core/locktab.h"

typedef struct entry {
    bool used;
    unsigned char key[VERDICTS_KEY];
    bool valid;
    enum vccheck_status status;
    size_t nchecks;
    vccheck_item checks[VCCHECK_MAX_CHECKS];
} entry;

struct verdict_cache {
    pthread_mutex_t lock; /* first: a locktab (locktab.h) */
    size_t slots;
    entry e[];
};

verdict_cache *verdict_cache_new(size_t slots)
{
    size_t n = slots > 0 ? slots : 1;
    verdict_cache *c = locktab_new(sizeof *c, n, sizeof c->e[0]);

    c->slots = n;
    return c;
}

void verdict_cache_free(verdict_cache *c)
{
    locktab_free(c);
}

void verdict_key(unsigned char key[VERDICTS_KEY], const char *const *parts, size_t nparts)
{
    crypto_generichash_state st;

    crypto_generichash_init(&st, NULL, 0, VERDICTS_KEY);
    for (size_t i = 0; i < nparts; i++) {
        const char *p = parts[i] != NULL ? parts[i] : "";
        uint64_t n = strlen(p);
        crypto_generichash_update(&st, (const unsigned char *)&n, sizeof n);
        crypto_generichash_update(&st, (const unsigned char *)p, n);
    }
    crypto_generichash_final(&st, key, VERDICTS_KEY);
}

static entry *slot_of(verdict_cache *c, const unsigned char key[VERDICTS_KEY])
{
    uint64_t h;

    memcpy(&h, key, sizeof h);
    return &c->e[h % c->slots];
}

vccheck_result *verdict_cache_get(verdict_cache *c, const unsigned char key[VERDICTS_KEY])
{
    vccheck_result *r = NULL;
    entry *e;

    pthread_mutex_lock(&c->lock);
    e = slot_of(c, key);
    if (e->used && memcmp(e->key, key, VERDICTS_KEY) == 0) {
        r = xcalloc(1, sizeof *r);
        r->valid = e->valid;
        r->status = e->status;
        r->nchecks = e->nchecks;
        memcpy(r->checks, e->checks, sizeof r->checks);
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

void verdict_cache_put(verdict_cache *c, const unsigned char key[VERDICTS_KEY],
                       const vccheck_result *r)
{
    entry *e;

    pthread_mutex_lock(&c->lock);
    e = slot_of(c, key);
    e->used = true;
    memcpy(e->key, key, VERDICTS_KEY);
    e->valid = r->valid;
    e->status = r->status;
    e->nchecks = r->nchecks;
    memcpy(e->checks, r->checks, sizeof e->checks);
    pthread_mutex_unlock(&c->lock);
}
