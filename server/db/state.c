/* state.c — legality of database connection state changes (db_state.h). */
#include "sinau/db_state.h"

#include <stddef.h>

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
