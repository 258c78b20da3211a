-- functions/ha.sql — high availability: the replication heartbeat written
-- on the primary and the staleness a read pool measures on a standby
-- (schema: migrations/0012; server/db/ha.c calls both).
--
-- Every function here is defined in this file only, with `create or
-- replace`; `sinau migrate` re-applies the file whenever its text changes
-- (server/db/migrate.c). A changed signature or a removed function also
-- needs a numbered migration that drops the old one.

-- The heartbeat: the primary's time, at most every 100 ms whoever of the
-- instances calls (each instance's first loop calls it four times a second).
create or replace function ha_heartbeat() returns void
language sql as $$
    update ha_heartbeat set at = clock_timestamp()
     where id = 1 and at < clock_timestamp() - interval '100 milliseconds'
$$;

-- How far this server is behind the primary, in ms: 0 on the primary
-- itself; on a standby, the age of the heartbeat it has replayed (every
-- commit older than that heartbeat is visible here).
create or replace function ha_staleness_ms() returns bigint
language sql volatile as $$
    select case when not pg_is_in_recovery() then 0::bigint
                else coalesce((select greatest(0, (extract(epoch from clock_timestamp() - at)
                                                   * 1000)::bigint)
                                 from ha_heartbeat where id = 1), 2147483647)
           end
$$;
