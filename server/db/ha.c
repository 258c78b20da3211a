/* ha.c — what high availability needs from the database layer besides the
 * pool (db.h): the replication heartbeat and staleness statements, and a
 * blocking connect that insists on a read-write server. */
#include "sinau/db/ha.h"
#include "sinau/db/pool.h"

const db_stmt db_ha_heartbeat_stmt = {"ha_heartbeat", "select ha_heartbeat()", 0};

const db_stmt db_ha_staleness_stmt = {"ha_staleness", "select ha_staleness_ms()", 0};

PGconn *db_connect_blocking(const char *conninfo)
{
    /* entries before the expanded conninfo are defaults it may override */
    const char *keys[] = {"target_session_attrs", "dbname", NULL};
    const char *vals[] = {"read-write", conninfo != NULL ? conninfo : "", NULL};

    return PQconnectdbParams(keys, vals, 1);
}
