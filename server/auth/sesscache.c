/* sesscache.c — the per-process session cache (sesscache.h): a 4-way
 * set-associative table of live sessions under one mutex, emptied and
 * switched off while the listener is down. A session answers from the
 * cache only after its second database check within the lifetime (a
 * doorkeeper): sessions used once take no answering place, and a session
 * must be in steady use before a notification's few milliseconds of travel
 * matter to it. */
#include "sinau/auth/sesscache.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sinau/core/locktab.h"

#define WAYS 4

typedef struct entry {
    int64_t until_ns; /* 0: empty */
    bool usable;      /* checked twice: a first check only earns a place */
    enum auth_role role;
    char hash[AUTH_HASH_HEX];
    char id[AUTH_ID_MAX];
    char csrf[AUTH_TOKEN_CHARS + 1];
} entry;

struct sesscache {
    pthread_mutex_t mu; /* first: a locktab (locktab.h) */
    size_t nsets;
    int64_t lifetime_ns;
    uint64_t epoch; /* under mu */
    bool enabled;   /* under mu */
    atomic_int listen_fd;
    sesscache_stats st; /* counters under mu */
    entry slots[];      /* nsets * WAYS */
};

static int64_t mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The token hash is BLAKE2b in hex: its first 15 digits are already uniform. */
static entry *set_of(sesscache *c, const char *hash)
{
    unsigned long long h = 0;

    for (int i = 0; i < 15 && hash[i] != '\0'; i++) {
        char ch = hash[i];
        h = h * 16 + (unsigned)(ch >= 'a' ? ch - 'a' + 10 : ch - '0');
    }
    return &c->slots[(h % c->nsets) * WAYS];
}

sesscache *sesscache_new(size_t entries, int lifetime_s)
{
    size_t nsets = (entries + WAYS - 1) / WAYS;
    sesscache *c;

    if (entries == 0 || lifetime_s <= 0)
        return NULL;
    c = locktab_new(sizeof *c, nsets * WAYS, sizeof c->slots[0]);
    c->nsets = nsets;
    c->lifetime_ns = (int64_t)lifetime_s * 1000000000;
    atomic_init(&c->listen_fd, -1);
    return c;
}

void sesscache_free(sesscache *c)
{
    locktab_free(c);
}

uint64_t sesscache_epoch(sesscache *c)
{
    uint64_t e;

    if (c == NULL)
        return 0;
    pthread_mutex_lock(&c->mu);
    e = c->epoch;
    pthread_mutex_unlock(&c->mu);
    return e;
}

/* True when the listening socket holds bytes nobody read yet: possibly an
 * invalidation on its way, so the database decides this one. */
static bool notifications_waiting(sesscache *c)
{
    struct pollfd p = {.fd = atomic_load(&c->listen_fd), .events = POLLIN};

    if (p.fd < 0)
        return true;
    return poll(&p, 1, 0) != 0;
}

bool sesscache_get(sesscache *c, const char *token_hash, auth_user *u)
{
    bool hit = false;
    entry *set;
    int64_t now;

    if (c == NULL)
        return false;
    if (notifications_waiting(c)) {
        pthread_mutex_lock(&c->mu);
        c->st.misses++;
        pthread_mutex_unlock(&c->mu);
        return false;
    }
    now = mono_ns();
    set = set_of(c, token_hash);
    pthread_mutex_lock(&c->mu);
    for (int i = 0; c->enabled && i < WAYS; i++) {
        entry *e = &set[i];
        if (e->usable && e->until_ns > now && strcmp(e->hash, token_hash) == 0) {
            u->signed_in = true;
            u->role = e->role;
            memcpy(u->id, e->id, sizeof u->id);
            memcpy(u->csrf, e->csrf, sizeof u->csrf);
            hit = true;
            break;
        }
    }
    if (hit)
        c->st.hits++;
    else
        c->st.misses++;
    pthread_mutex_unlock(&c->mu);
    return hit;
}

/* The way to fill: the same session, else an empty or expired way, else the
 * one that expires first. */
static entry *victim(entry *set, const char *hash, int64_t now)
{
    entry *best = &set[0];

    for (int i = 0; i < WAYS; i++)
        if (set[i].until_ns != 0 && strcmp(set[i].hash, hash) == 0)
            return &set[i];
    for (int i = 0; i < WAYS; i++) {
        if (set[i].until_ns <= now)
            return &set[i];
        if (set[i].until_ns < best->until_ns)
            best = &set[i];
    }
    return best;
}

void sesscache_put(sesscache *c, uint64_t epoch, const auth_user *u, int ttl_s)
{
    int64_t now, life;
    entry *e;

    if (c == NULL || ttl_s <= 0)
        return;
    now = mono_ns();
    life = (int64_t)ttl_s * 1000000000;
    if (life > c->lifetime_ns)
        life = c->lifetime_ns;
    pthread_mutex_lock(&c->mu);
    if (c->enabled && c->epoch == epoch) {
        e = victim(set_of(c, u->token_hash), u->token_hash, now);
        e->usable = e->until_ns > now && strcmp(e->hash, u->token_hash) == 0;
        e->until_ns = now + life;
        e->role = u->role;
        memcpy(e->hash, u->token_hash, sizeof e->hash);
        memcpy(e->id, u->id, sizeof e->id);
        memcpy(e->csrf, u->csrf, sizeof e->csrf);
        c->st.stored++;
    }
    pthread_mutex_unlock(&c->mu);
}

/* Drops the entries matching (hash or user id); caller holds mu. */
static void drop_locked(sesscache *c, const char *hash, const char *user_id)
{
    size_t n = c->nsets * WAYS;
    entry *e;

    c->epoch++;
    c->st.invalidations++;
    if (hash != NULL) {
        e = set_of(c, hash);
        for (int i = 0; i < WAYS; i++)
            if (e[i].until_ns != 0 && strcmp(e[i].hash, hash) == 0)
                e[i].until_ns = 0;
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (c->slots[i].until_ns != 0 && strcmp(c->slots[i].id, user_id) == 0)
            c->slots[i].until_ns = 0;
}

/* drop_locked under the mutex; NULL-safe. */
static void drop(sesscache *c, const char *hash, const char *user_id)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&c->mu);
    drop_locked(c, hash, user_id);
    pthread_mutex_unlock(&c->mu);
}

void sesscache_forget_token(sesscache *c, const char *token_hash)
{
    drop(c, token_hash, NULL);
}

void sesscache_forget_user(sesscache *c, const char *user_id)
{
    drop(c, NULL, user_id);
}

/* Empties every way and moves the epoch; caller holds mu. */
static void flush_locked(sesscache *c)
{
    memset(c->slots, 0, c->nsets * WAYS * sizeof *c->slots);
    c->epoch++;
    c->st.flushes++;
}

void sesscache_notify(sesscache *c, const char *payload)
{
    if (c == NULL)
        return;
    if (strncmp(payload, "s:", 2) == 0 && strlen(payload + 2) == AUTH_HASH_HEX - 1) {
        sesscache_forget_token(c, payload + 2);
    } else if (strncmp(payload, "u:", 2) == 0 && strlen(payload + 2) < AUTH_ID_MAX) {
        sesscache_forget_user(c, payload + 2);
    } else {
        pthread_mutex_lock(&c->mu);
        flush_locked(c);
        pthread_mutex_unlock(&c->mu);
    }
}

void sesscache_reset(sesscache *c, bool enabled, int listen_fd)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&c->mu);
    atomic_store(&c->listen_fd, enabled ? listen_fd : -1);
    c->enabled = enabled && listen_fd >= 0;
    flush_locked(c);
    pthread_mutex_unlock(&c->mu);
}

void sesscache_get_stats(sesscache *c, sesscache_stats *st)
{
    memset(st, 0, sizeof *st);
    if (c == NULL)
        return;
    pthread_mutex_lock(&c->mu);
    *st = c->st;
    st->enabled = c->enabled;
    pthread_mutex_unlock(&c->mu);
}
