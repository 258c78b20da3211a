/* state.c — legality of database connection state changes, and the
 * host lists of failover (db_state.h). */
#include "sinau/db/state.h"

#include <stddef.h>
#include <string.h>

#define BIT(s) (1u << (s))

/* allowed[from] = set of states reachable in one step */
static const unsigned allowed[DB_CONN_NSTATES] = {
    [DB_CONN_DOWN] = BIT(DB_CONN_CONNECTING) | BIT(DB_CONN_CLOSED),
    [DB_CONN_CONNECTING] = BIT(DB_CONN_IDLE) | BIT(DB_CONN_DOWN) | BIT(DB_CONN_CLOSED),
    [DB_CONN_IDLE] =
        BIT(DB_CONN_PREPARING) | BIT(DB_CONN_BUSY) | BIT(DB_CONN_DOWN) | BIT(DB_CONN_CLOSED),
    [DB_CONN_PREPARING] =
        BIT(DB_CONN_BUSY) | BIT(DB_CONN_IDLE) | BIT(DB_CONN_DOWN) | BIT(DB_CONN_CLOSED),
    [DB_CONN_BUSY] =
        BIT(DB_CONN_IDLE) | BIT(DB_CONN_RESETTING) | BIT(DB_CONN_DOWN) | BIT(DB_CONN_CLOSED),
    [DB_CONN_RESETTING] = BIT(DB_CONN_IDLE) | BIT(DB_CONN_DOWN) | BIT(DB_CONN_CLOSED),
    [DB_CONN_CLOSED] = 0,
};

static const char *const names[DB_CONN_NSTATES] = {
    "down", "connecting", "idle", "preparing", "busy", "resetting", "closed",
};

bool db_conn_transition_ok(enum db_conn_state from, enum db_conn_state to)
{
    if ((unsigned)from >= DB_CONN_NSTATES || (unsigned)to >= DB_CONN_NSTATES)
        return false;
    return (allowed[from] & BIT(to)) != 0;
}

bool db_conn_state_is_up(enum db_conn_state s)
{
    return s == DB_CONN_IDLE || db_conn_state_is_working(s);
}

bool db_conn_state_is_working(enum db_conn_state s)
{
    return s == DB_CONN_PREPARING || s == DB_CONN_BUSY || s == DB_CONN_RESETTING;
}

const char *db_conn_state_name(enum db_conn_state s)
{
    if ((unsigned)s >= DB_CONN_NSTATES)
        return "invalid";
    return names[s];
}

int db_backoff_ms(int attempt, double u)
{
    double ms = 100.0;

    for (int i = 0; i < attempt && ms < 5000.0; i++)
        ms *= 2.0;
    if (ms > 5000.0)
        ms = 5000.0;
    if (u < 0.0)
        u = 0.0;
    if (u >= 1.0)
        u = 0.999999;
    return (int)(ms * (0.8 + 0.4 * u));
}

int db_list_count(const char *list)
{
    int n = 1;

    if (list == NULL)
        return 0;
    for (const char *p = list; *p != '\0'; p++)
        n += *p == ',';
    return n;
}

/* Start and length of entry i (0-based) of list; false when out of range. */
static bool list_span(const char *list, int i, const char **start, size_t *len)
{
    const char *p = list;

    for (int k = 0; k < i; k++) {
        p = strchr(p, ',');
        if (p == NULL)
            return false;
        p++;
    }
    *start = p;
    *len = strcspn(p, ",");
    return true;
}

int db_list_entry(const char *list, int i, char *out, size_t outlen)
{
    const char *start;
    size_t len;

    if (list == NULL || i < 0)
        return -1;
    if (db_list_count(list) == 1)
        i = 0;
    if (!list_span(list, i, &start, &len) || len >= outlen)
        return -1;
    memcpy(out, start, len);
    out[len] = '\0';
    return 0;
}

int db_list_rotate(const char *list, int k, char *out, size_t outlen)
{
    int n = db_list_count(list);
    size_t used = 0;

    if (n == 0 || outlen == 0)
        return -1;
    k = ((k % n) + n) % n;
    for (int j = 0; j < n; j++) {
        const char *start;
        size_t len;
        if (!list_span(list, (k + j) % n, &start, &len) || used + len + (j > 0) >= outlen)
            return -1;
        if (j > 0)
            out[used++] = ',';
        memcpy(out + used, start, len);
        used += len;
    }
    out[used] = '\0';
    return 0;
}
