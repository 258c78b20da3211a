/* password.c — password policy and argon2id hashing (auth/password.h). Hashing and
 * verifying are CPU-heavy and blocking: they run on worker threads (and in
 * the CLI), never on a loop thread. */
#include "sinau/auth/password.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sinau/auth/common_passwords.h"
#include "sinau/auth/session.h"
#include "sinau/core/alloc.h"

#define PW_MIN 10
#define PW_MAX 256

/* Local additions to the international list: common Indonesian choices
 * that are long enough to pass the length rule. */
static const char *const local_common[] = {
    "indonesia123", "indonesia1945", "merdeka1945",   "bismillah123", "bismillah1",
    "sayangkamu",   "sayangku123",   "katasandi123",  "rahasia123",   "password123",
    "qwertyuiop",   "1234567890",    "0123456789",    "malangkota",   "aremania123",
    "jakarta123",   "surabaya123",   "alhamdulillah", "pancasila45",  "garuda1945",
};

static char *str_lower(const char *s)
{
    size_t n = strlen(s);
    char *out = xmalloc(n + 1);

    for (size_t i = 0; i <= n; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    return out;
}

static bool in_list(const char *const *list, size_t n, const char *lower)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], lower) == 0)
            return true;
    return false;
}

enum auth_pw_verdict auth_password_check(const char *pw)
{
    size_t n = strlen(pw);
    char *lower;
    bool common;

    if (n < PW_MIN)
        return AUTH_PW_TOO_SHORT;
    if (n > PW_MAX)
        return AUTH_PW_TOO_LONG;
    lower = str_lower(pw);
    if (lower == NULL)
        return AUTH_PW_COMMON; /* fail closed */
    common = in_list(auth_common_passwords, auth_common_password_count, lower) ||
             in_list(local_common, SINAU_ARRAY_LEN(local_common), lower);
    sodium_memzero(lower, n);
    free(lower);
    return common ? AUTH_PW_COMMON : AUTH_PW_OK;
}

static void cost_params(enum pwhash_cost cost, unsigned long long *ops, size_t *mem)
{
    switch (cost) {
    case PWHASH_MODERATE:
        *ops = crypto_pwhash_OPSLIMIT_MODERATE;
        *mem = crypto_pwhash_MEMLIMIT_MODERATE;
        return;
    case PWHASH_FAST:
        *ops = crypto_pwhash_OPSLIMIT_MIN;
        *mem = crypto_pwhash_MEMLIMIT_MIN;
        return;
    case PWHASH_INTERACTIVE:
        break;
    }
    *ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    *mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
}

int auth_password_hash(enum pwhash_cost cost, const char *pw, char out[128])
{
    unsigned long long ops;
    size_t mem;

    cost_params(cost, &ops, &mem);
    return crypto_pwhash_str(out, pw, strlen(pw), ops, mem) == 0 ? 0 : -1;
}

/* Reads m= (KiB) and t= from "$argon2id$v=19$m=65536,t=2,p=1$…". */
static bool stored_cost(const char *hash, unsigned long long *ops, size_t *mem)
{
    const char *m = strstr(hash, "$m="), *t = strstr(hash, ",t=");
    char *end = NULL;
    unsigned long long kib, tt;

    if (m == NULL || t == NULL)
        return false;
    kib = strtoull(m + 3, &end, 10);
    if (end == NULL || *end != ',')
        return false;
    tt = strtoull(t + 3, &end, 10);
    if (end == NULL || *end != ',')
        return false;
    *mem = (size_t)kib * 1024u;
    *ops = tt;
    return true;
}

bool auth_password_verify(enum pwhash_cost cost, const char *hash, const char *pw, bool *rehash)
{
    unsigned long long ops, have_ops;
    size_t mem, have_mem;
    bool ok = crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;

    *rehash = false;
    cost_params(cost, &ops, &mem);
    /* upgrade only when the configured cost rose above the stored one */
    if (stored_cost(hash, &have_ops, &have_mem))
        *rehash = have_ops < ops || have_mem < mem;
    return ok;
}

static char dummy_hash[128];

int auth_dummy_hash_init(enum pwhash_cost cost)
{
    char pw[AUTH_TOKEN_CHARS + 1];
    int rc;

    auth_token_new(pw);
    rc = auth_password_hash(cost, pw, dummy_hash);
    sodium_memzero(pw, sizeof pw);
    return rc;
}

const char *auth_dummy_hash(void)
{
    return dummy_hash;
}
