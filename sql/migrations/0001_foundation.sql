-- 0001_foundation: conventions every later migration relies on.
-- schema_migrations itself is created by the migrator (server/db/migrate.c).

-- Keeps updated_at honest on tables that have one:
--   create trigger <table>_touch before update on <table>
--   for each row execute function sinau_touch_updated_at();
create or replace function sinau_touch_updated_at() returns trigger
language plpgsql as $$
begin
    new.updated_at := now();
    return new;
end;
$$;

-- Opaque ids for API objects: a random UUID's 16 bytes (122 random bits) in
-- base64url without padding (22 characters). Ids reveal neither order nor
-- count (SECURITY.md).
create or replace function sinau_new_id() returns text
language sql volatile as $$
    select translate(rtrim(encode(uuid_send(gen_random_uuid()), 'base64'), '='), '+/', '-_')
$$;
