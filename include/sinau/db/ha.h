/* db/ha.h — high availability helpers (server/db/ha.c): the replication
 * heartbeat, a read pool's staleness, and the blocking connect of the
 * command line. */
#ifndef SINAU_DB_HA_H
#define SINAU_DB_HA_H

#include <libpq-fe.h>

#include "sinau/db/pool.h"

/* Writes the replication heartbeat on the primary (sql/functions/ha.sql),
 * which read pools measure their staleness by. No result. */
extern const db_stmt db_ha_heartbeat_stmt;

/* A read pool's staleness_stmt: how many ms the server is behind the
 * primary's heartbeat (0 on a primary). */
extern const db_stmt db_ha_staleness_stmt;

/* Blocking connect for the command line and start-up (never on a loop
 * thread): like PQconnectdb(conninfo), but to a read-write server unless
 * conninfo names target_session_attrs itself. Owned; check PQstatus. */
PGconn *db_connect_blocking(const char *conninfo);

#endif /* SINAU_DB_HA_H */
