/* db/migrate.h — the schema, compiled into the binary: forward-only
 * migrations, then the function files.
 *
 * sql/migrations/NNNN_name.sql files (tables, constraints, indexes, and the
 * few functions the schema itself calls: defaults and triggers) are
 * embedded at build time, sorted by number. Each is applied in its own
 * transaction and recorded in schema_migrations; applying twice is a no-op;
 * a database that records a version newer than the binary's newest is
 * refused.
 *
 * sql/functions/<module>.sql files hold every other function, each defined
 * in exactly one of them with `create or replace`. After the migrations,
 * every file whose SHA-256 differs from the one recorded in
 * schema_functions is applied in its own transaction (bodies checked when
 * called, not when created, so the files' order does not matter) and its
 * checksum recorded: a changed file is applied, an unchanged one never.
 * A signature change or a removed function needs a numbered migration that
 * drops the old one (migrations run first).
 *
 * Concurrent migrators serialise on an advisory lock. These functions use blocking libpq and run
 * only from the command line or before the loops start — never on a loop
 * thread. */
#ifndef SINAU_DB_MIGRATE_H
#define SINAU_DB_MIGRATE_H

#include <stddef.h>

#include "sinau/core/common.h"

typedef struct migration_def {
    int version;      /* NNNN */
    const char *name; /* "0001_foundation" */
    const char *sql;  /* the file's text */
} migration_def;

extern const migration_def migration_defs[]; /* sorted, from the build */
extern const int migration_count;

typedef struct function_file_def {
    const char *name;   /* "registration.sql" */
    const char *sha256; /* hex of the file's bytes */
    const char *sql;    /* the file's text */
} function_file_def;

extern const function_file_def function_file_defs[]; /* sorted by name */
extern const int function_file_count;

/* Newest version this binary knows (0 when it carries none). */
int migrate_latest_version(void);

/* Connects to conninfo, applies every pending migration, then every changed
 * function file. Writes a one-line reason into err on failure. *applied and
 * *functions_applied (each may be NULL) receive how many migrations and
 * function files were applied. Returns 0 or -1. Blocking: never on a loop
 * thread. */
SINAU_MUST_CHECK int migrate_run(const char *conninfo, int *applied, int *functions_applied,
                                 char *err, size_t errlen);

/* Reads the database's newest applied version into *version (0 when none).
 * Blocking. Returns 0 or -1 with err. */
SINAU_MUST_CHECK int migrate_current_version(const char *conninfo, int *version, char *err,
                                             size_t errlen);

#endif /* SINAU_DB_MIGRATE_H */
