/* clients.c — client addresses and their connection counts
 * (http_clients.h). The counts live in an open-addressing table keyed by
 * the client key (an IPv4 address, or an IPv6 /64) with linear probing and
 * backward-shift deletion, sized at twice the cap so it never fills. */
#include "sinau/http/clients.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sinau/core/locktab.h"

static const uint8_t mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* ---- addresses ---- */

int http_addr_from_sockaddr(const struct sockaddr *sa, http_addr *out)
{
    memset(out, 0, sizeof *out);
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        memcpy(out->b, mapped_prefix, sizeof mapped_prefix);
        memcpy(out->b + 12, &in->sin_addr, 4);
        out->v4 = true;
        return 0;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        memcpy(out->b, &in6->sin6_addr, 16);
        out->v4 = memcmp(out->b, mapped_prefix, sizeof mapped_prefix) == 0;
        return 0;
    }
    return -1;
}

int http_addr_parse(const char *text, http_addr *out)
{
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, text, out->b + 12) == 1) {
        memcpy(out->b, mapped_prefix, sizeof mapped_prefix);
        out->v4 = true;
        return 0;
    }
    if (inet_pton(AF_INET6, text, out->b) == 1) {
        out->v4 = memcmp(out->b, mapped_prefix, sizeof mapped_prefix) == 0;
        return 0;
    }
    return -1;
}

void http_addr_text(const http_addr *a, char out[HTTP_ADDR_TEXT])
{
    if (inet_ntop(a->v4 ? AF_INET : AF_INET6, a->v4 ? a->b + 12 : a->b, out, HTTP_ADDR_TEXT) ==
        NULL)
        out[0] = '\0';
}

/* The key's 16 bytes: the mapped IPv4 address whole, an IPv6 one's /64. */
static void addr_key(const http_addr *a, uint8_t key[16])
{
    memcpy(key, a->b, 16);
    if (!a->v4)
        memset(key + 8, 0, 8);
}

void http_addr_key_text(const http_addr *a, char out[HTTP_ADDR_TEXT])
{
    http_addr net = *a;
    size_t n;

    if (a->v4) {
        http_addr_text(a, out);
        return;
    }
    addr_key(a, net.b);
    http_addr_text(&net, out);
    n = strlen(out);
    if (n + 4 < HTTP_ADDR_TEXT)
        memcpy(out + n, "/64", 4);
}

bool http_addr_loopback(const http_addr *a)
{
    static const uint8_t v6_loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    return a->v4 ? a->b[12] == 127 : memcmp(a->b, v6_loopback, 16) == 0;
}

/* ---- connection counts ---- */

typedef struct slot {
    uint8_t key[16];
    int count; /* 0: empty */
} slot;

struct http_clients {
    pthread_mutex_t lock; /* first: a locktab (locktab.h) */
    int max_total, max_per_client;
    atomic_int open; /* changed under lock; read without it by http_clients_open */
    size_t mask;     /* capacity - 1 (a power of two) */
    slot slots[];
};

http_clients *http_clients_new(int max_total, int max_per_client)
{
    http_clients *t;
    size_t cap = 16;

    while (cap < 2 * (size_t)max_total)
        cap *= 2;
    t = locktab_new(sizeof *t, cap, sizeof t->slots[0]);
    t->max_total = max_total;
    t->max_per_client = max_per_client;
    t->mask = cap - 1;
    return t;
}

void http_clients_free(http_clients *t)
{
    locktab_free(t);
}

/* FNV-1a over the key. */
static size_t key_hash(const uint8_t key[16])
{
    uint64_t h = 1469598103934665603ull;

    for (int i = 0; i < 16; i++)
        h = (h ^ key[i]) * 1099511628211ull;
    return (size_t)(h ^ (h >> 29));
}

/* The slot holding key, or the empty slot where it would go. */
static slot *find(http_clients *t, const uint8_t key[16])
{
    size_t i = key_hash(key) & t->mask;

    while (t->slots[i].count != 0 && memcmp(t->slots[i].key, key, 16) != 0)
        i = (i + 1) & t->mask;
    return &t->slots[i];
}

/* Empties s, moving later entries of its probe run back into the gap. */
static void remove_slot(http_clients *t, slot *s)
{
    size_t gap = (size_t)(s - t->slots), i = gap;

    for (;;) {
        size_t home;

        i = (i + 1) & t->mask;
        if (t->slots[i].count == 0)
            break;
        home = key_hash(t->slots[i].key) & t->mask;
        /* the entry may move into the gap when its home is not in (gap, i] */
        if ((i > gap && (home <= gap || home > i)) || (i < gap && home <= gap && home > i)) {
            t->slots[gap] = t->slots[i];
            gap = i;
        }
    }
    t->slots[gap].count = 0;
}

enum http_admit http_clients_admit(http_clients *t, const http_addr *a)
{
    enum http_admit verdict = HTTP_ADMIT_OK;
    uint8_t key[16];
    slot *s;

    addr_key(a, key);
    pthread_mutex_lock(&t->lock);
    s = find(t, key);
    if (t->open >= t->max_total) {
        verdict = HTTP_ADMIT_FULL;
    } else if (t->max_per_client > 0 && s->count >= t->max_per_client) {
        verdict = HTTP_ADMIT_SHARE;
    } else {
        if (s->count == 0)
            memcpy(s->key, key, 16);
        s->count++;
        t->open++;
    }
    pthread_mutex_unlock(&t->lock);
    return verdict;
}

void http_clients_release(http_clients *t, const http_addr *a)
{
    uint8_t key[16];
    slot *s;

    addr_key(a, key);
    pthread_mutex_lock(&t->lock);
    s = find(t, key);
    if (s->count > 0) {
        t->open--;
        if (--s->count == 0)
            remove_slot(t, s);
    }
    pthread_mutex_unlock(&t->lock);
}

int http_clients_open(http_clients *t)
{
    return atomic_load_explicit(&t->open, memory_order_relaxed);
}
