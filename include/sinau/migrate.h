/* migrate.h — forward-only schema migrations, compiled into the binary.
 *
 * sql/migrations/NNNN_name.sql files are embedded at build time (sorted by
 * number). Each is applied in its own transaction and recorded in
 * schema_migrations; applying twice is a no-op; a database that records a
 * version newer than the binary's newest is refused. Concurrent migrators
 * serialise on an advisory lock. These functions use blocking libpq and run
 * only from the command line or before the loops start — never on a loop
 * thread. */
#ifndef SINAU_MIGRATE_H
#define SINAU_MIGRATE_H

#include <stddef.h>

#include "sinau/common.h"

typedef struct migration_def {
    int version;      /* NNNN */
    const char *name; /* "0001_foundation" */
    const char *sql;  /* the file's text */
} migration_def;

extern const migration_def migration_defs[]; /* sorted, from the build */
extern const int migration_count;

/* Newest version this binary knows (0 when it carries none). */
int migrate_latest_version(void);

/* Connects to conninfo and applies every pending migration. Writes a one-line
 * reason into err on failure. *applied (may be NULL) receives how many were
 * applied. Returns 0 or -1. Blocking: never on a loop thread. */
SINAU_MUST_CHECK int migrate_run(const char *conninfo, int *applied, char *err, size_t errlen);

/* Reads the database's newest applied version into *version (0 when none).
 * Blocking. Returns 0 or -1 with err. */
SINAU_MUST_CHECK int migrate_current_version(const char *conninfo, int *version, char *err,
                                             size_t errlen);

#endif /* SINAU_MIGRATE_H */
