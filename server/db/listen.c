/* listen.c — LISTEN on the primary, subscribed again after every reconnect
 * (db.h): a pool of one connection whose connect hook queues the LISTENs. */
#include "sinau/db/listen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/core/alloc.h"
#include "sinau/core/log.h"
#include "sinau/db/pool.h"

#define CHANNEL_MAX 63 /* PostgreSQL identifiers */

struct db_listen {
    db_pool *pool;
    db_stmt *stmts; /* "LISTEN <channel>", one per channel */
    size_t n;
    db_notify_fn on_notify;
    void (*on_subscribed)(void *arg);
    void (*on_lost)(void *arg);
    void *arg;
    size_t acked; /* LISTENs confirmed on the current connection */
    db_listen_stats stats;
};

/* Plain lower-case identifiers only: the names go into SQL text. */
static bool channel_ok(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > CHANNEL_MAX || !(s[0] == '_' || (s[0] >= 'a' && s[0] <= 'z')))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
            return false;
    return true;
}

static void on_listened(void *arg, db_result *r)
{
    db_listen *l = arg;

    if (r->status != DB_OK) {
        /* the connection went (it is made again and LISTENs anew) */
        log_debug("db: LISTEN not in force (%s)", db_status_name(r->status));
        return;
    }
    if (++l->acked < l->n)
        return;
    l->stats.subscribed = true;
    l->stats.subscriptions++;
    if (l->stats.subscriptions > 1)
        log_info("db: listening again on %zu channel(s)", l->n);
    if (l->on_subscribed != NULL)
        l->on_subscribed(l->arg);
}

static void on_conn(void *arg, db_pool *pool, bool up)
{
    db_listen *l = arg;

    l->stats.subscribed = false;
    l->acked = 0;
    if (!up) {
        if (l->on_lost != NULL)
            l->on_lost(l->arg);
        return;
    }
    for (size_t i = 0; i < l->n; i++)
        if (db_query(pool, &l->stmts[i], NULL, on_listened, l) != 0)
            log_warn("db: cannot queue %s", l->stmts[i].sql);
}

static void on_notify(void *arg, const char *channel, const char *payload)
{
    db_listen *l = arg;

    l->stats.notifications++;
    if (l->on_notify != NULL)
        l->on_notify(l->arg, channel, payload);
}

db_listen *db_listen_new(struct event_base *base, const db_pool_opts *opts,
                         const char *const *channels, db_notify_fn notify,
                         void (*on_subscribed)(void *arg), void *arg)
{
    db_listen *l;
    db_pool_opts o = *opts;
    size_t n = 0;

    while (channels[n] != NULL)
        if (!channel_ok(channels[n++]))
            return NULL;
    l = xcalloc(1, sizeof *l);
    l->n = n;
    l->stmts = xcalloc(n, sizeof *l->stmts);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(channels[i]) + 8;
        char *name = xmalloc(len), *sql = xmalloc(len);
        snprintf(name, len, "listen_%s", channels[i]);
        snprintf(sql, len, "LISTEN %s", channels[i]);
        l->stmts[i] = (db_stmt){name, sql, 0};
    }
    l->on_notify = notify;
    l->on_subscribed = on_subscribed;
    l->arg = arg;
    o.size = 1;
    o.queue_max = (int)n + 4;
    o.read_only = false;
    o.max_staleness_ms = 0;
    o.hooks = (db_pool_hooks){on_conn, on_notify, l};
    l->pool = db_pool_new(base, &o);
    return l;
}

void db_listen_free(db_listen *l)
{
    if (l == NULL)
        return;
    db_pool_free(l->pool);
    for (size_t i = 0; i < l->n; i++) {
        free((char *)l->stmts[i].name);
        free((char *)l->stmts[i].sql);
    }
    free(l->stmts);
    free(l);
}

void db_listen_get_stats(const db_listen *l, db_listen_stats *st)
{
    *st = l->stats;
}

void db_listen_set_on_lost(db_listen *l, void (*on_lost)(void *arg))
{
    l->on_lost = on_lost;
}

int db_listen_socket(const db_listen *l)
{
    return db_pool_socket(l->pool);
}
