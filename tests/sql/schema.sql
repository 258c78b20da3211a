-- The registration schema of 0003_registration: tables, keys, named
-- constraints, foreign keys (each one backed by an index), functions.
begin;
select plan(48);

-- tables and keys
select has_table('programmes');
select has_table('cohorts');
select has_table('cohort_segments');
select has_table('cohort_instructors');
select has_table('registrations');
select has_table('allocation_log');
select has_table('idempotency_keys');
select has_sequence('registration_arrival_seq');
select col_is_pk('programmes', 'id');
select col_is_pk('cohorts', 'id');
select col_is_pk('cohort_segments', array['cohort_id', 'segment']);
select col_is_pk('cohort_instructors', array['cohort_id', 'user_id']);
select col_is_pk('registrations', 'id');
select col_is_pk('allocation_log', 'seq');
select col_is_pk('idempotency_keys', array['user_id', 'key']);
select col_not_null('cohort_segments', 'confirmed');
select col_default_is('cohort_segments', 'confirmed', '0');
select col_default_is('cohort_segments', 'waitlist', 'true');

-- every constraint the functions and the server rely on, by name
select bag_has(
    $$select conrelid::regclass::text, conname::text, contype::text
        from pg_constraint where connamespace = 'public'::regnamespace$$,
    $$values ('programmes', 'programmes_slug_key', 'u'),
             ('programmes', 'programmes_slug_check', 'c'),
             ('programmes', 'programmes_title_check', 'c'),
             ('programmes', 'programmes_description_check', 'c'),
             ('cohorts', 'cohorts_name_check', 'c'),
             ('cohorts', 'cohorts_window_check', 'c'),
             ('cohorts', 'cohorts_dates_check', 'c'),
             ('cohorts', 'cohorts_jp_check', 'c'),
             ('cohorts', 'cohorts_residency_check', 'c'),
             ('cohorts', 'cohorts_offer_ttl_check', 'c'),
             ('cohort_segments', 'cohort_segments_segment_check', 'c'),
             ('cohort_segments', 'cohort_segments_quota_check', 'c'),
             ('cohort_segments', 'cohort_segments_confirmed_check', 'c'),
             ('cohort_segments', 'cohort_segments_not_overbooked', 'c'),
             ('registrations', 'registrations_segment_fkey', 'f'),
             ('registrations', 'registrations_status_check', 'c'),
             ('registrations', 'registrations_offer_check', 'c'),
             ('allocation_log', 'allocation_log_outcome_check', 'c'),
             ('idempotency_keys', 'idempotency_keys_key_check', 'c')$$,
    'the named constraints exist on their tables');
select is(pg_get_constraintdef(oid), 'CHECK ((confirmed <= quota))',
          'cohort_segments_not_overbooked is confirmed <= quota')
  from pg_constraint where conname = 'cohort_segments_not_overbooked';
select is(pg_get_constraintdef(oid), 'CHECK ((confirmed >= 0))',
          'cohort_segments_confirmed_check is confirmed >= 0')
  from pg_constraint where conname = 'cohort_segments_confirmed_check';
select has_index('registrations', 'registrations_one_live_idx', array['cohort_id', 'user_id']);
select index_is_unique('registrations', 'registrations_one_live_idx');
select is((select pg_get_expr(indpred, indrelid) from pg_index
            where indexrelid = 'registrations_one_live_idx'::regclass),
          $$(status = ANY (ARRAY['confirmed'::text, 'waitlisted'::text, 'offered'::text]))$$,
          'one live registration: the unique index covers confirmed, waitlisted and offered');
select has_index('registrations', 'registrations_queue_idx',
                 array['cohort_id', 'segment', 'status', 'seq']);

-- foreign keys
select fk_ok('cohorts', 'programme_id', 'programmes', 'id');
select fk_ok('cohort_segments', 'cohort_id', 'cohorts', 'id');
select fk_ok('cohort_instructors', 'cohort_id', 'cohorts', 'id');
select fk_ok('cohort_instructors', 'user_id', 'users', 'id');
select fk_ok('registrations', array['cohort_id', 'segment'],
             'cohort_segments', array['cohort_id', 'segment']);
select fk_ok('registrations', 'user_id', 'users', 'id');
select fk_ok('registrations', 'cancelled_by', 'users', 'id');
select fk_ok('allocation_log', 'cohort_id', 'cohorts', 'id');
select fk_ok('idempotency_keys', 'user_id', 'users', 'id');

-- Every foreign key's columns lead a (non-partial) index, so that deleting
-- or updating the referenced row never scans the referencing table.
select is_empty(
    $$select c.conrelid::regclass::text || '(' ||
             (select string_agg(a.attname, ', ' order by k.ord)
                from unnest(c.conkey) with ordinality k(attnum, ord)
                join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum)
             || ') -> ' || c.confrelid::regclass::text
        from pg_constraint c
       where c.contype = 'f' and c.connamespace = 'public'::regnamespace
         and not exists (
             select 1 from pg_index i
              where i.indrelid = c.conrelid and i.indpred is null
                and i.indnkeyatts >= cardinality(c.conkey)
                and (select array_agg(x order by x)
                       from unnest((string_to_array(i.indkey::text, ' ')::int2[])
                                   [1:cardinality(c.conkey)]) x)
                    = (select array_agg(x order by x) from unnest(c.conkey) x))$$,
    'every foreign key leads an index (listed: those that do not)');

-- the functions behind the API
select has_function('reg_register', array['text', 'text', 'text']);
select has_function('reg_register_idem', array['text', 'text', 'text', 'text', 'text']);
select has_function('reg_cancel', array['text', 'text', 'boolean']);
select has_function('reg_promote', array['text', 'text']);
select has_function('reg_accept', array['text', 'text']);
select has_function('reg_expire_offers', array['integer']);
select has_function('reg_set_quota', array['text', 'text', 'integer', 'boolean', 'text']);
select has_function('reg_spill_seat', array['text', 'text', 'bigint']);
select has_function('reg_missing', array['text', 'text', 'text']);
select has_function('reg_list', array['text', 'text', 'text', 'text', 'text', 'bigint', 'integer']);
select has_function('reg_can_manage', array['text', 'text', 'text']);
select function_returns('reg_register', array['text', 'text', 'text'], 'json');
select function_returns('reg_can_manage', array['text', 'text', 'text'], 'boolean');

select * from finish();
rollback;
