-- Who may manage a cohort (reg_can_manage) and its registration list
-- (reg_list): admins and the cohort's instructors see it, filtered and
-- paged by arrival; anyone else gets null.
begin;
\ir lib/fixtures.psql
select plan(31);

\o /dev/null
select fx.usr('adm', 'admin');
select fx.usr('ins1', 'instructor');
select fx.usr('ins2', 'instructor');
select fx.cohort('cl');
select fx.cohort('cl2');
insert into cohort_instructors (cohort_id, user_id) values ('cl', 'ins1'), ('cl2', 'ins2');
select fx.segment('cl', 'public', 2);
select fx.segment('cl', 'asn', 5);
select fx.participant('u' || i) from generate_series(1, 5) i;
select fx.reg('cl', 'u1', 'public');
select fx.reg('cl', 'u2', 'public');
select fx.reg('cl', 'u3', 'public');
select fx.reg('cl', 'u4', 'asn');
select fx.reg('cl', 'u5', 'public');
select reg_cancel(fx.reg_id('cl', 'u5'), 'u5', false);
\o

-- the users of a list, in its order
create function pg_temp.who(p json) returns text language sql as $f$
    select string_agg(i->'user'->>'id', ' ' order by n)
      from json_array_elements(p->'items') with ordinality as t(i, n)
$f$;

select is(reg_can_manage('cl', 'adm', 'admin'), true, 'an admin manages any cohort');
select is(reg_can_manage('cl', 'ins1', 'instructor'), true, 'the cohort''s instructor manages it');
select is(reg_can_manage('cl', 'ins2', 'instructor'), false, 'another cohort''s instructor does not');
select is(reg_can_manage('cl2', 'ins2', 'instructor'), true, 'but manages their own');
select is(reg_can_manage('cl', 'u1', 'participant'), false, 'a participant does not');

select reg_list('cl', 'adm', 'admin', null, null, null, 10) as l1 \gset
select is(pg_temp.who(:'l1'), 'u1 u2 u3 u4 u5', 'the admin sees every registration in arrival order');
select is((:'l1'::json)->>'next_cursor', null, 'one page: no cursor');
select is((:'l1'::json)->'items'->0->'user'->>'email', 'u1@sinau.test', 'items carry the user''s e-mail');
select is((:'l1'::json)->'items'->0->'user'->>'full_name', 'User u1', 'and name');
select is((:'l1'::json)->'items'->0->>'id', fx.reg_id('cl', 'u1'), 'and the registration id');
select is(((:'l1'::json)->'items'->0->>'seq')::bigint,
          (select seq from registrations where id = fx.reg_id('cl', 'u1')), 'and its seq');
select is((:'l1'::json)->'items'->2->>'status', 'waitlisted', 'u3 is waitlisted');
select is((:'l1'::json)->'items'->2->>'waitlist_position', '1', 'in position 1');
select is((:'l1'::json)->'items'->4->>'status', 'cancelled', 'cancelled registrations are listed');

select is(pg_temp.who(reg_list('cl', 'ins1', 'instructor', null, null, null, 10)), 'u1 u2 u3 u4 u5',
          'the cohort''s instructor sees the same list');
select is(reg_list('cl', 'ins2', 'instructor', null, null, null, 10)::text, null,
          'another instructor gets null');
select is(reg_list('cl', 'u1', 'participant', null, null, null, 10)::text, null, 'a participant gets null');
select is(reg_list('nope', 'adm', 'admin', null, null, null, 10)::text, null, 'an unknown cohort: null');

-- filters
select is(pg_temp.who(reg_list('cl', 'adm', 'admin', 'confirmed', null, null, 10)), 'u1 u2 u4',
          'status filter');
select is(pg_temp.who(reg_list('cl', 'adm', 'admin', null, 'public', null, 10)), 'u1 u2 u3 u5',
          'segment filter');
select is(pg_temp.who(reg_list('cl', 'adm', 'admin', 'confirmed', 'public', null, 10)), 'u1 u2',
          'both');
select is((reg_list('cl', 'adm', 'admin', 'offered', null, null, 10))::text,
          '{"items" : [], "next_cursor" : null}', 'nothing matches: an empty page');

-- pages
select reg_list('cl', 'adm', 'admin', null, null, null, 2) as p1 \gset
select is(pg_temp.who(:'p1'), 'u1 u2', 'page 1');
select is((:'p1'::json)->>'next_cursor', (select seq::text from registrations where id = fx.reg_id('cl', 'u2')),
          'its cursor is the last item''s seq');
select reg_list('cl', 'adm', 'admin', null, null, ((:'p1'::json)->>'next_cursor')::bigint, 2) as p2 \gset
select is(pg_temp.who(:'p2'), 'u3 u4', 'page 2');
select reg_list('cl', 'adm', 'admin', null, null, ((:'p2'::json)->>'next_cursor')::bigint, 2) as p3 \gset
select is(pg_temp.who(:'p3'), 'u5', 'page 3');
select is((:'p3'::json)->>'next_cursor', null, 'the last page has no cursor');

-- live counts per segment
select is(reg_segments_json('cl')::jsonb,
          '[{"segment": "asn", "quota": 5, "waitlist": true, "confirmed": 1, "waitlisted": 0, "seats_left": 4},
            {"segment": "public", "quota": 2, "waitlist": true, "confirmed": 2, "waitlisted": 1, "seats_left": 0}]'::jsonb,
          'seat counts per segment');
select is((reg_cohort_json(c))->'instructors'->0->>'id', 'ins1', 'the cohort shows its instructor')
  from cohorts c where id = 'cl';
select is((reg_cohort_json(c))->>'registration_open', 'true', 'and that registration is open')
  from cohorts c where id = 'cl';
select is(json_array_length((reg_cohort_json(c))->'segments'), 2, 'and its segments')
  from cohorts c where id = 'cl';

select * from finish();
rollback;
