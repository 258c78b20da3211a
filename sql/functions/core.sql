-- functions/core.sql — core: the one convention every PL/pgSQL function that
-- decides an HTTP answer follows (schema: migrations/0001), and the throttle
-- lock.
--
-- The answer is {status, body}; a refusal's body is {"error": {code,
-- message[, details]}}, and a refusal about one member of the request names
-- it in details.field (what the web shows the message next to). A function
-- returns its answer (sinau_ok, sinau_error, sinau_field_error), or — when
-- what it wrote so far must be undone — raises it (sinau_raise: SQLSTATE
-- SN<status>, the answer as DETAIL). server/api/call.c's api_reply_sql is
-- the only C that reads either; no C decodes a constraint name.
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

-- A refusal with details (an object: what the client may act on).
create or replace function sinau_error_details(p_status integer, p_code text, p_message text,
                                               p_details json) returns json
language sql immutable as $$
    select json_build_object('status', p_status, 'body', json_build_object('error',
        json_build_object('code', p_code, 'message', p_message, 'details', p_details)))
$$;

-- A refusal about the request member p_field: details.field names it.
create or replace function sinau_field_error(p_status integer, p_code text, p_message text,
                                             p_field text) returns json
language sql immutable as $$
    select sinau_error_details(p_status, p_code, p_message, json_build_object('field', p_field))
$$;

create or replace function sinau_ok(p_status integer, p_body json) returns json
language sql immutable as $$
    select json_build_object('status', p_status, 'body', p_body)
$$;

-- Raises an answer of the convention (a refusal): the statement fails, so
-- the transaction's writes are undone, and api_reply_sql answers with it.
create or replace function sinau_raise(p_answer json) returns void
language plpgsql immutable as $$
begin
    raise exception using errcode = 'SN' || (p_answer ->> 'status'),
        message = coalesce(p_answer #>> '{body,error,code}', 'refused'),
        detail = p_answer::text;
end;
$$;

-- The column a rule (constraint) of a table is about: of a rule over
-- several columns the last one (the end of a window, the later date).
create or replace function sinau_rule_field(p_table text, p_constraint text) returns text
language sql stable as $$
    select a.attname::text
      from pg_constraint k
      join pg_attribute a on a.attrelid = k.conrelid and a.attnum = any (k.conkey)
     where k.conname = p_constraint and k.conrelid = to_regclass(p_table)
     order by a.attnum desc limit 1
$$;

-- The refusal of a statement that broke a rule of a table (check_violation:
-- 422 invalid_field) or gave a value of the wrong kind (data_exception,
-- SQLSTATE class 22: 422 invalid_date), for functions' exception handlers
-- (get stacked diagnostics … table_name, constraint_name): details.field is
-- the rule's column (sinau_rule_field), as the request member of the same
-- name, and details.constraint the rule.
create or replace function sinau_rule_error(p_sqlstate text, p_table text, p_constraint text)
returns json
language sql stable as $$
    select case when nullif(p_constraint, '') is null then sinau_error(422, r.code, r.message)
                else sinau_error_details(422, r.code, r.message, json_strip_nulls(json_build_object(
                         'field', sinau_rule_field(p_table, p_constraint),
                         'constraint', p_constraint))) end
      from (select case when p_sqlstate like '22%' then 'invalid_date' else 'invalid_field' end,
                   'a date, time or value is not acceptable') as r (code, message)
$$;

-- The row a function is about, or the convention's 404 "no such p_what"
-- raised when there is none: the one "load the row or not_found" prologue.
-- A raised answer and a returned one differ in their bytes (call.c sends
-- the first through jansson), so a function that also returns a 404 of its
-- own keeps to returning: two refusals that must look alike come one way.
--   ce := sinau_found((select c from certificates c where c.id = p_id for update),
--                     'certificate');
create or replace function sinau_found(p_row anyelement, p_what text) returns anyelement
language plpgsql immutable as $$
begin
    if p_row is null then
        perform sinau_raise(sinau_error(404, 'not_found', 'no such ' || p_what));
    end if;
    return p_row;
end;
$$;

-- p_value read as an instant (null stays null), or the convention's refusal
-- raised: 422 p_code about the request member p_field (details.field), for
-- statements and functions that take times as text.
create or replace function sinau_instant(p_value text, p_field text,
                                         p_code text default 'invalid_time',
                                         p_message text default 'a time is not a valid date and hour')
returns timestamptz
language plpgsql stable as $$
begin
    return p_value::timestamptz;
exception when data_exception then
    perform sinau_raise(sinau_field_error(422, p_code, p_message, p_field));
    return null;
end;
$$;

-- Serialises the check-and-count of one throttle key (kind, key) until the
-- end of the calling transaction, so that a burst of requests sent at once
-- is counted one after the other (a transaction-scoped advisory lock; every
-- instance shares it through the database).
create or replace function sinau_throttle_lock(p_kind text, p_key text) returns void
language sql volatile as $$
    select pg_advisory_xact_lock(hashtextextended(p_kind || ':' || coalesce(p_key, ''), 0))
$$;

-- The one audit entry of a change: who (p_actor_id, null for the system),
-- what (p_action, `noun.verb`), about whom (p_subject_id), from where
-- (p_ip) and the change's particulars (p_details), in the caller's
-- transaction.
create or replace function sinau_audit(p_actor_id text, p_action text, p_details jsonb default '{}',
                                       p_subject_id text default null, p_ip text default null)
returns void
language sql volatile as $$
    insert into audit_log (actor_id, action, subject_id, ip, details)
    values (p_actor_id, p_action, p_subject_id, p_ip, p_details)
$$;

-- The one write against a table's rules: p_sql, a statement that returns
-- the row it wrote, run with $1 p_row, $2 p_values and $3 p_id; the row
-- (null: none), or — when a value breaks a rule of the table or is of the
-- wrong kind — sinau_rule_error's 422 about the rule's column raised.
create or replace function sinau_write(p_sql text, p_row anyelement, p_values jsonb, p_id text)
returns anyelement
language plpgsql as $$
declare
    r alias for $0; -- of the actual row type (the return value)
    t text;
    k text;
begin
    execute p_sql into r using p_row, p_values, p_id;
    return r;
exception when check_violation or data_exception then
    get stacked diagnostics t = table_name, k = constraint_name;
    perform sinau_raise(sinau_rule_error(sqlstate, t, k));
    return null;
end;
$$;

-- The one "apply a change set" step of an edit: the row of p_row's table
-- (p_row only names it: null::cohorts) whose column p_key is p_id, with
-- each member of p_changes that is one of the columns p_columns (null: that
-- names a column) set to its value (a present null clears the column, an
-- absent member keeps it; any other member is not looked at), returned;
-- null when there is no such row. Refused as sinau_write.
create or replace function sinau_update(p_row anyelement, p_key text, p_id text, p_changes jsonb,
                                        p_columns text[] default null)
returns anyelement
language plpgsql as $$
declare
    cols text[];
begin
    select array_agg(quote_ident(a.attname) order by a.attnum) into cols
      from pg_attribute a
     where a.attrelid = pg_typeof(p_row)::text::regclass and a.attnum > 0 and not a.attisdropped
       and (p_changes ? a.attname and (p_columns is null or a.attname = any (p_columns))
            or a.attname = p_key);
    return sinau_write(format('update %s t set (%s) = (select c.%s'
                              ' from jsonb_populate_record(t, $2) c) where t.%I = $3 returning t.*',
                              pg_typeof(p_row), array_to_string(cols, ', '),
                              array_to_string(cols, ', c.'), p_key),
                       p_row, p_changes, p_id);
end;
$$;

-- A new row of p_row's table: p_row (composed by the caller, or null::T)
-- with the members of p_values applied, written in the columns p_columns
-- (null: every column but those the table makes itself, id, created_at and
-- updated_at), the others taking their defaults. The stored row; refused
-- as sinau_write.
create or replace function sinau_insert(p_row anyelement, p_columns text[] default null,
                                        p_values jsonb default '{}')
returns anyelement
language plpgsql as $$
declare
    cols text;
begin
    select string_agg(quote_ident(a.attname), ', ' order by a.attnum) into cols
      from pg_attribute a
     where a.attrelid = pg_typeof(p_row)::text::regclass and a.attnum > 0 and not a.attisdropped
       and case when p_columns is null then a.attname not in ('id', 'created_at', 'updated_at')
                else a.attname = any (p_columns) end;
    return sinau_write(format('insert into %s (%s) select %2$s'
                              ' from jsonb_populate_record($1, $2) c returning *',
                              pg_typeof(p_row), cols),
                       p_row, p_values, null);
end;
$$;

-- Is p a JSON object whose members are all among p_members (any of them
-- may be absent)? False for null and for any other JSON type: the one
-- "no member it does not take" rule of the JSON a function validates.
create or replace function sinau_object_of(p jsonb, variadic p_members text[]) returns boolean
language sql immutable as $$
    select coalesce(jsonb_typeof(p) = 'object'
                    and not exists (select 1 from jsonb_object_keys(p) k
                                     where k <> all (p_members)), false)
$$;
