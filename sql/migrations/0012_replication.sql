-- 0012_replication: the heartbeat that read pools measure a standby's
-- staleness by (issue 19). The primary's instances write the time into the
-- one row several times a second; a standby that has replayed that row
-- shows every commit made before it, so clock_timestamp() minus the
-- replayed time bounds how far behind the standby is (plus the clock skew
-- between the machines). Written only while a read pool is configured.
--
-- The functions of this migration live in sql/functions/ha.sql.

create table ha_heartbeat (
    id integer not null,
    at timestamptz not null,
    constraint ha_heartbeat_pkey primary key (id),
    constraint ha_heartbeat_one_row check (id = 1)
);

insert into ha_heartbeat (id, at) values (1, now());
