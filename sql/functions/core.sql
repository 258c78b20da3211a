-- functions/core.sql — core: the convention every PL/pgSQL function that
-- decides an HTTP status answers with, {status, body} (schema:
-- migrations/0001).
--
-- Every function here is defined in this file only, with `create or
-- replace`; `sinau migrate` re-applies the file whenever its text changes
-- (server/db/migrate.c). A changed signature or a removed function also
-- needs a numbered migration that drops the old one.

create or replace function sinau_error(p_status integer, p_code text, p_message text) returns json
language sql immutable as $$
    select json_build_object('status', p_status, 'body', json_build_object('error',
        json_build_object('code', p_code, 'message', p_message)))
$$;

create or replace function sinau_ok(p_status integer, p_body json) returns json
language sql immutable as $$
    select json_build_object('status', p_status, 'body', p_body)
$$;

-- Serialises the check-and-count of one throttle key (kind, key) until the
-- end of the calling transaction, so that a burst of requests sent at once
-- is counted one after the other (a transaction-scoped advisory lock; every
-- instance shares it through the database).
create or replace function sinau_throttle_lock(p_kind text, p_key text) returns void
language sql volatile as $$
    select pg_advisory_xact_lock(hashtextextended(p_kind || ':' || coalesce(p_key, ''), 0))
$$;
