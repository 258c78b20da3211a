/* ratelimit.c — see ratelimit.h. */
#include "sinau/ratelimit.h"

#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/alloc.h"

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

static slot *slot_of(ratelimit *rl, const char *key, time_t now)
{
    unsigned char h[crypto_shorthash_BYTES];
    uint64_t v;
    slot *s;

    crypto_shorthash(h, (const unsigned char *)key, strlen(key), rl->hash_key);
    memcpy(&v, h, sizeof v);
    s = &rl->slots[v % SLOTS];
    if (now - s->window_start >= rl->window_s) {
        s->window_start = now;
        s->count = 0;
    }
    return s;
}

int ratelimit_check(ratelimit *rl, const char *key, time_t now)
{
    int wait = 0;
    slot *s;

    pthread_mutex_lock(&rl->lock);
    s = slot_of(rl, key, now);
    if (s->count >= rl->limit) {
        wait = (int)(s->window_start + rl->window_s - now);
        if (wait < 1)
            wait = 1;
    }
    pthread_mutex_unlock(&rl->lock);
    return wait;
}

void ratelimit_miss(ratelimit *rl, const char *key, time_t now)
{
    pthread_mutex_lock(&rl->lock);
    slot_of(rl, key, now)->count++;
    pthread_mutex_unlock(&rl->lock);
}
