/* ratelimit.c — see ratelimit.h. */
#include "sinau/core/ratelimit.h"

#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/core/alloc.h"

#define SLOTS 4096

typedef struct slot {
    time_t window_start;
    int count;
} slot;

struct ratelimit {
    pthread_mutex_t lock;
    int limit, window_s;
    unsigned char hash_key[crypto_shorthash_KEYBYTES];
    slot slots[SLOTS];
};

ratelimit *ratelimit_new(int limit, int window_s)
{
    ratelimit *rl = xcalloc(1, sizeof *rl);

    pthread_mutex_init(&rl->lock, NULL);
    rl->limit = limit;
    rl->window_s = window_s;
    crypto_shorthash_keygen(rl->hash_key);
    return rl;
}

void ratelimit_free(ratelimit *rl)
{
    if (rl == NULL)
        return;
    pthread_mutex_destroy(&rl->lock);
    free(rl);
}

/* The slot of key (no window rolled). Under rl->lock. */
static slot *slot_of(ratelimit *rl, const char *key)
{
    unsigned char h[crypto_shorthash_BYTES];
    uint64_t v;

    crypto_shorthash(h, (const unsigned char *)key, strlen(key), rl->hash_key);
    memcpy(&v, h, sizeof v);
    return &rl->slots[v % SLOTS];
}

int ratelimit_take(ratelimit *rl, const char *key, time_t now, time_t *ticket)
{
    int wait = 0;
    slot *s;

    pthread_mutex_lock(&rl->lock);
    s = slot_of(rl, key);
    if (now - s->window_start >= rl->window_s) {
        s->window_start = now;
        s->count = 0;
    }
    if (s->count >= rl->limit) {
        wait = (int)(s->window_start + rl->window_s - now);
        if (wait < 1)
            wait = 1;
    } else {
        s->count++;
        *ticket = s->window_start;
    }
    pthread_mutex_unlock(&rl->lock);
    return wait;
}

void ratelimit_forgive(ratelimit *rl, const char *key, time_t ticket)
{
    slot *s;

    pthread_mutex_lock(&rl->lock);
    s = slot_of(rl, key);
    if (s->window_start == ticket && s->count > 0)
        s->count--;
    pthread_mutex_unlock(&rl->lock);
}
