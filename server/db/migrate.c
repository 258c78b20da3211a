/* migrate.c — applies the embedded migrations, then the changed function
 * files (migrate.h). Blocking libpq on purpose: this runs from the command
 * line or before any loop starts. */
#include "sinau/db/migrate.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinau/core/log.h"
#include "sinau/db/ha.h"

/* arbitrary constant naming our advisory lock: "sinau" in ASCII */
#define MIGRATE_LOCK_KEY "495705547125"

static const char create_table_sql[] = "create table if not exists schema_migrations ("
                                       " version integer primary key,"
                                       " name text not null,"
                                       " applied_at timestamptz not null default now())";

int migrate_latest_version(void)
{
    return migration_count > 0 ? migration_defs[migration_count - 1].version : 0;
}

static void set_err(char *err, size_t errlen, const char *what, PGconn *pg)
{
    const char *msg = pg != NULL ? PQerrorMessage(pg) : "";

    snprintf(err, errlen, "%s: %.*s", what, (int)strcspn(msg, "\n"), msg);
}

static const char create_functions_sql[] = "create table if not exists schema_functions ("
                                           " name text primary key,"
                                           " sha256 text not null,"
                                           " applied_at timestamptz not null default now())";

/* Runs sql; a text of comments only (a migration whose functions moved to
 * sql/functions) is an empty query, which is fine. */
static int exec_ok(PGconn *pg, const char *sql, char *err, size_t errlen, const char *what)
{
    PGresult *res = PQexec(pg, sql);
    ExecStatusType st = PQresultStatus(res);
    int rc = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) ? 0 : -1;

    if (rc != 0)
        set_err(err, errlen, what, pg);
    PQclear(res);
    return rc;
}

static PGconn *connect_quiet(const char *conninfo, char *err, size_t errlen)
{
    PGconn *pg = db_connect_blocking(conninfo);

    if (PQstatus(pg) != CONNECTION_OK) {
        set_err(err, errlen, "cannot connect to the database", pg);
        PQfinish(pg);
        return NULL;
    }
    /* keep "relation already exists, skipping" notices out of the output */
    PQclear(PQexec(pg, "set client_min_messages = warning"));
    return pg;
}

/* Runs sql with its n params; returns the result when its status is want,
 * else NULL with err set (what starts the message). The caller PQclears. */
static PGresult *exec_want(PGconn *pg, const char *sql, int n, const char *const *params,
                           ExecStatusType want, const char *what, char *err, size_t errlen)
{
    PGresult *res = PQexecParams(pg, sql, n, NULL, params, NULL, NULL, 0);

    if (PQresultStatus(res) == want)
        return res;
    set_err(err, errlen, what, pg);
    PQclear(res);
    return NULL;
}

static int read_version(PGconn *pg, int *version, char *err, size_t errlen)
{
    PGresult *res = exec_want(pg, "select coalesce(max(version), 0) from schema_migrations", 0,
                              NULL, PGRES_TUPLES_OK, "cannot read schema_migrations", err, errlen);

    if (res == NULL)
        return -1;
    *version = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return 0;
}

/* One step of the schema, applied and recorded in one transaction: the
 * setting to make first (or NULL), the text, and the row that records it
 * (a statement with two parameters). */
typedef struct applied_step {
    const char *setting;
    const char *sql;
    const char *record;
    const char *params[2];
} applied_step;

static int apply_recorded(PGconn *pg, const applied_step *st, const char *what, char *err,
                          size_t errlen)
{
    PGresult *res;

    if (exec_ok(pg, "begin", err, errlen, what) != 0)
        return -1;
    if ((st->setting != NULL && exec_ok(pg, st->setting, err, errlen, what) != 0) ||
        exec_ok(pg, st->sql, err, errlen, what) != 0)
        goto fail;
    res = exec_want(pg, st->record, 2, st->params, PGRES_COMMAND_OK, what, err, errlen);
    if (res == NULL)
        goto fail;
    PQclear(res);
    return exec_ok(pg, "commit", err, errlen, what);
fail:
    PQclear(PQexec(pg, "rollback"));
    return -1;
}

static int apply_one(PGconn *pg, const migration_def *m, char *err, size_t errlen)
{
    char version[16];
    char what[160];
    applied_step st = {
        .sql = m->sql,
        .record = "insert into schema_migrations (version, name) values ($1, $2)",
        .params = {version, m->name},
    };

    snprintf(what, sizeof what, "migration %s failed", m->name);
    snprintf(version, sizeof version, "%d", m->version);
    if (apply_recorded(pg, &st, what, err, errlen) != 0)
        return -1;
    log_info("migrate: applied %s", m->name);
    return 0;
}

/* True when schema_functions records f with f's checksum (nothing to do). */
static int function_file_current(PGconn *pg, const function_file_def *f, bool *current, char *err,
                                 size_t errlen)
{
    const char *params[1] = {f->name};
    PGresult *res = exec_want(pg, "select sha256 from schema_functions where name = $1", 1, params,
                              PGRES_TUPLES_OK, "cannot read schema_functions", err, errlen);

    if (res == NULL)
        return -1;
    *current = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), f->sha256) == 0;
    PQclear(res);
    return 0;
}

/* Applies one function file and records its checksum, in one transaction.
 * Bodies are checked when called (check_function_bodies off), so a file may
 * name functions of a file applied after it. */
static int apply_function_file(PGconn *pg, const function_file_def *f, char *err, size_t errlen)
{
    char what[160];
    applied_step st = {
        .setting = "set local check_function_bodies = off",
        .sql = f->sql,
        .record = "insert into schema_functions (name, sha256) values ($1, $2)"
                  " on conflict (name) do update set sha256 = excluded.sha256,"
                  " applied_at = now()",
        .params = {f->name, f->sha256},
    };

    snprintf(what, sizeof what, "function file %s failed", f->name);
    if (apply_recorded(pg, &st, what, err, errlen) != 0)
        return -1;
    log_info("migrate: applied functions/%s", f->name);
    return 0;
}

/* The repeatable step: every function file whose text changed. */
static int apply_function_files(PGconn *pg, int *n, char *err, size_t errlen)
{
    bool current = false;

    if (exec_ok(pg, create_functions_sql, err, errlen, "cannot create schema_functions") != 0)
        return -1;
    for (int i = 0; i < function_file_count; i++) {
        if (function_file_current(pg, &function_file_defs[i], &current, err, errlen) != 0)
            return -1;
        if (current)
            continue;
        if (apply_function_file(pg, &function_file_defs[i], err, errlen) != 0)
            return -1;
        (*n)++;
    }
    return 0;
}

int migrate_run(const char *conninfo, int *applied, int *functions_applied, char *err,
                size_t errlen)
{
    PGconn *pg = NULL;
    int current = 0, n = 0, nf = 0, rc = -1;

    pg = connect_quiet(conninfo, err, errlen);
    if (pg == NULL)
        goto out;
    /* one migrator at a time, even with several instances starting at once */
    if (exec_ok(pg, "select pg_advisory_lock(" MIGRATE_LOCK_KEY ")", err, errlen,
                "cannot take the migration lock") != 0)
        goto out;
    if (exec_ok(pg, create_table_sql, err, errlen, "cannot create schema_migrations") != 0)
        goto out;
    if (read_version(pg, &current, err, errlen) != 0)
        goto out;
    if (current > migrate_latest_version()) {
        snprintf(err, errlen,
                 "the database is at schema version %d but this binary knows only up to %d: "
                 "run a newer sinau",
                 current, migrate_latest_version());
        goto out;
    }
    for (int i = 0; i < migration_count; i++) {
        if (migration_defs[i].version <= current)
            continue;
        if (apply_one(pg, &migration_defs[i], err, errlen) != 0)
            goto out;
        n++;
    }
    if (apply_function_files(pg, &nf, err, errlen) != 0)
        goto out;
    rc = 0;
out:
    if (applied != NULL)
        *applied = n;
    if (functions_applied != NULL)
        *functions_applied = nf;
    PQfinish(pg); /* also releases the advisory lock */
    return rc;
}

int migrate_current_version(const char *conninfo, int *version, char *err, size_t errlen)
{
    PGconn *pg = connect_quiet(conninfo, err, errlen);
    PGresult *res = NULL;
    int rc = -1;

    if (pg == NULL)
        return -1;
    res = exec_want(pg, "select to_regclass('schema_migrations') is not null", 0, NULL,
                    PGRES_TUPLES_OK, "cannot query the database", err, errlen);
    if (res == NULL)
        goto out;
    *version = 0;
    if (PQgetvalue(res, 0, 0)[0] == 't' && read_version(pg, version, err, errlen) != 0)
        goto out;
    rc = 0;
out:
    PQclear(res);
    PQfinish(pg);
    return rc;
}
