-- reg_register_set (issue 17, P3): reg_register_batch's set path. A plain
-- group (cohort open and not spilling, every participant different,
-- verified, eligible, not yet registered, no key of theirs seen before) is
-- written in a handful of statements for the whole group. Every answer and
-- every row it leaves must be what the same requests leave when taken one
-- by one through reg_register_idem: cohort 'a' takes groups, its twin 'b'
-- the same requests alone. A group that is not plain is declined with
-- nothing written (not even an arrival number drawn), and
-- reg_register_batch then takes it item by item.
begin;
\ir lib/fixtures.psql
select plan(46);

\o /dev/null
select fx.cohort(c, p_residency => '3573') from unnest(array['a', 'b']) c;
select fx.segment(c, 'public', 2) from unnest(array['a', 'b']) c;
select fx.segment(c, 'umkm', 1, false) from unnest(array['a', 'b']) c;
select fx.participant('u' || i) from generate_series(1, 8) i;
-- channels: u2 also by WhatsApp (a phone is on the profile), u3 turned
-- e-mail off
update profiles set phone_enc = 'phone-enc-u2', phone_mask = '0812****21' where user_id = 'u2';
insert into message_prefs (user_id, email, whatsapp) values ('u2', true, true), ('u3', false, false);
\o

-- calls of a function in this transaction (pg_stat_xact_user_functions)
set local track_functions = 'all';
create function pg_temp.calls(p_name text) returns bigint
language sql as $f$
    select coalesce(sum(calls), 0)::bigint from pg_stat_xact_user_functions where funcname = p_name
$f$;
-- an answer without what differs between the twins (ids, cohort, time)
create function pg_temp.norm(p_answer json) returns jsonb
language sql as $f$
    select p_answer::jsonb #- '{body,id}' #- '{body,cohort_id}' #- '{body,created_at}'
$f$;
-- a cohort's messages: kind:user:channel:position, in the order written
create function pg_temp.outbox(p_cohort text) returns text
language sql as $f$
    select string_agg(kind || ':' || user_id || ':' || channel || ':'
                      || coalesce(params ->> 'position', '-'), ' ' order by id)
      from outbox where cohort_id = p_cohort
$f$;
-- what a group may have written anywhere
create function pg_temp.written() returns text
language sql as $f$
    select format('%s/%s/%s/%s/%s/%s', (select count(*) from registrations),
                  (select count(*) from allocation_log), (select count(*) from outbox),
                  (select count(*) from idempotency_keys),
                  (select sum(confirmed + waitlisted) from cohort_segments),
                  (select last_value from registration_arrival_seq))
$f$;

-- ---- a group with seats and a waitlist ----
create temp table core0 as select pg_temp.calls('reg_register_core') as n;
create temp table ga as
select n, json_build_object('status', status, 'body', body) as answer, err
  from reg_register_batch('a', 'public', json_build_array(
      json_build_object('user', 'u1', 'key', 'k-a1', 'request', '{"segment":"public"}'),
      json_build_object('user', 'u2'), json_build_object('user', 'u3'),
      json_build_object('user', 'u4', 'key', 'k-a4', 'request', '{"segment":"public"}'),
      json_build_object('user', 'u5')));
select is(pg_temp.calls('reg_register_set'), 1::bigint, 'the group went to the set path once');
select is(pg_temp.calls('reg_register_core') - (select n from core0), 0::bigint,
          'and took no item alone');
create temp table gb as
select i as n, reg_register_idem('b', 'u' || i, 'public', case when i in (1, 4) then 'k-b' || i end,
                                 case when i in (1, 4) then '{"segment":"public"}' end) as answer
  from generate_series(1, 5) i;

select is((select string_agg((answer ->> 'status'), ',' order by n) from ga), '201,201,201,201,201',
          'every item answered 201');
select ok((select bool_and(err is null) from ga), 'no item failed');
select is((select jsonb_agg(pg_temp.norm(answer) order by n) from ga),
          (select jsonb_agg(pg_temp.norm(answer) order by n) from gb),
          'each answer is the one the request gets alone');
select is((select string_agg(coalesce(answer -> 'body' ->> 'waitlist_position', '-'), ','
                             order by n) from ga), '-,-,1,2,3',
          'waitlist positions 1, 2, 3 after the two seats');
select ok((select bool_and((answer -> 'body' ->> 'id') = fx.reg_id('a', 'u' || n)) from ga),
          'each answer shows its own registration');
select is(fx.queue('a', 'public'),
          'u1:confirmed u2:confirmed u3:waitlisted u4:waitlisted u5:waitlisted',
          'seats, then the waitlist, in the order given');
select is(fx.queue('a', 'public'), fx.queue('b', 'public'), 'the same queue as one by one');
select ok((select array_agg(user_id order by seq) = array['u1', 'u2', 'u3', 'u4', 'u5']
             from registrations where cohort_id = 'a'),
          'arrival numbers follow the order given');
select is((select format('%s/%s', confirmed, waitlisted) from cohort_segments
            where cohort_id = 'a' and segment = 'public'), '2/3', 'the counters: 2 held, 3 waiting');
select is(fx.held('a', 'public'), fx.held_rows('a', 'public'), 'the seat counter = the rows');
select is(fx.log('a'), 'confirmed:u1 confirmed:u2 waitlisted:u3 waitlisted:u4 waitlisted:u5',
          'the fairness log, in order');
select ok((select bool_and(l.seq = r.seq and l.registration_id = r.id and l.segment = 'public')
             from allocation_log l join registrations r on r.cohort_id = l.cohort_id
                                                     and r.user_id = l.user_id
            where l.cohort_id = 'a'),
          'each entry carries its registration and arrival number');
select is(pg_temp.outbox('a'),
          'registration_confirmed:u1:email:- registration_confirmed:u2:email:- '
          'registration_confirmed:u2:whatsapp:- registration_waitlisted:u4:email:2 '
          'registration_waitlisted:u5:email:3',
          'one message per channel each chose (u3 turned e-mail off), in order, with positions');
select is(pg_temp.outbox('a'), pg_temp.outbox('b'), 'the same messages as one by one');
select ok((select bool_and(o.params ->> 'registration_id' = fx.reg_id('a', o.user_id)
                           and o.params ? 'offer_expires_at')
             from outbox o where o.cohort_id = 'a'),
          'each message names its registration');
select is((select string_agg(format('%s:%s:%s', user_id, key, status), ' ' order by user_id)
             from idempotency_keys where key like 'k-a%'), 'u1:k-a1:201 u4:k-a4:201',
          'the keys are stored with their answers');
select ok((select bool_and(k.response::jsonb = (g.answer -> 'body')::jsonb
                           and k.request_hash = reg_request_hash('{"segment":"public"}'))
             from idempotency_keys k join ga g on 'u' || g.n = k.user_id
            where k.key like 'k-a%'),
          'each key replays its answer, and knows its request');

-- a key seen before: the group is declined and taken item by item (replay)
create temp table ga2 as
select * from reg_register_batch('a', 'public', json_build_array(
    json_build_object('user', 'u1', 'key', 'k-a1', 'request', '{"segment":"public"}')));
select is((select body ->> 'id' from ga2), fx.reg_id('a', 'u1'), 'a replayed key answers the same');

-- ---- a group past the seats of a segment without waitlist ----
create temp table gu as
select n, json_build_object('status', status, 'body', body) as answer
  from reg_register_batch('a', 'umkm', '[{"user":"u6"},{"user":"u7"},{"user":"u8"}]');
create temp table gub as
select i as n, reg_register_idem('b', 'u' || i, 'umkm', null, null) as answer
  from generate_series(6, 8) i;
select is(pg_temp.calls('reg_register_set'), 3::bigint,
          'it went to the set path too (the replay was declined there)');
select is((select string_agg(answer ->> 'status', ',' order by n) from gu), '201,409,409',
          'one seat, then refusals');
select is((select jsonb_agg(pg_temp.norm(answer) order by n) from gu),
          (select jsonb_agg(pg_temp.norm(answer) order by n) from gub),
          'the same answers as one by one (segment_full)');
select is(fx.queue('a', 'umkm'), 'u6:confirmed', 'only the seat is a registration');
select is(fx.log('a'), fx.log('b'), 'the same fairness log as one by one, refusals included');
select is((select format('%s/%s', confirmed, waitlisted) from cohort_segments
            where cohort_id = 'a' and segment = 'umkm'), '1/0', 'the counters: 1 held, none waiting');

-- ---- no seat left, a waitlist already there, a refusal repeated ----
-- u7 and u8 were refused in umkm, so they are not registered in the cohort
create temp table gr as
select n, json_build_object('status', status, 'body', body) as answer
  from reg_register_batch('a', 'umkm', '[{"user":"u7"}]');
create temp table grb as select 1 as n, reg_register_idem('b', 'u7', 'umkm', null, null) as answer;
select is((select jsonb_agg(pg_temp.norm(answer) order by n) from gr),
          (select jsonb_agg(pg_temp.norm(answer) order by n) from grb),
          'a refusal repeated answers as alone');
select is(fx.log('a'), fx.log('b'), 'and is logged once per participant, as alone');
create temp table gw as
select n, json_build_object('status', status, 'body', body) as answer
  from reg_register_batch('a', 'public', '[{"user":"u7"},{"user":"u8"}]');
create temp table gwb as
select i - 6 as n, reg_register_idem('b', 'u' || i, 'public', null, null) as answer
  from generate_series(7, 8) i;
select is(pg_temp.calls('reg_register_set'), 5::bigint, 'both groups went to the set path');
select is((select string_agg(answer -> 'body' ->> 'waitlist_position', ',' order by n) from gw),
          '4,5', 'no seat left: waitlist places 4 and 5, after the three waiting');
select is((select jsonb_agg(pg_temp.norm(answer) order by n) from gw),
          (select jsonb_agg(pg_temp.norm(answer) order by n) from gwb),
          'the same answers as one by one');
select is((select format('%s/%s', confirmed, waitlisted) from cohort_segments
            where cohort_id = 'a' and segment = 'public'), '2/5', 'the counters: 2 held, 5 waiting');
select is(pg_temp.outbox('a'), pg_temp.outbox('b'), 'the same messages as one by one, positions included');

-- ---- groups that are not plain: declined, nothing written ----
\o /dev/null
select fx.cohort('c');
select fx.segment('c', 'public', 5);
select fx.segment('c', 'umkm', 5);
select fx.cohort('closed', p_opens => now() + interval '1 hour');
select fx.segment('closed', 'public', 5);
select fx.cohort('spill', p_spillover_at => now() - interval '1 minute');
select fx.segment('spill', 'public', 5);
select fx.cohort('far', p_residency => '3171');
select fx.segment('far', 'public', 5);
select fx.participant('u9');
update users set email_verified_at = null where id = 'u9';
select fx.profile(fx.usr('u10'), '357301', false, null); -- no NIP, no business
select reg_register('c', 'u8', 'umkm');
insert into idempotency_keys (user_id, key, request_hash, status, response)
values ('u7', 'k-old', reg_request_hash('x'), 201, '{}');
\o
create temp table before as select pg_temp.written() as w;

select is(reg_register_set('c', 'public', '[{"user":"u1"},{"user":"u2"},{"user":"u1"}]'), null,
          'declined: a participant twice');
select is(reg_register_set('c', 'public', '[{"user":"u1"},{"user":"u9"}]'), null,
          'declined: an unverified e-mail');
select is(reg_register_set('c', 'umkm', '[{"user":"u1"},{"user":"u10"}]'), null,
          'declined: a participant not eligible for the segment');
select is(reg_register_set('far', 'public', '[{"user":"u1"}]'), null,
          'declined: outside the residency');
select is(reg_register_set('c', 'public', '[{"user":"u1"},{"user":"u8"}]'), null,
          'declined: registered in another segment already');
select is(reg_register_set('c', 'public',
                           '[{"user":"u1"},{"user":"u7","key":"k-old","request":"x"}]'), null,
          'declined: a key seen before');
select is(reg_register_set('c', 'nope', '[{"user":"u1"}]'), null, 'declined: no such segment');
select is(reg_register_set('zz', 'public', '[{"user":"u1"}]'), null, 'declined: no such cohort');
select is(reg_register_set('closed', 'public', '[{"user":"u1"}]'), null,
          'declined: registration not open');
select is(reg_register_set('spill', 'public', '[{"user":"u1"}]'), null,
          'declined: past the spill-over instant');
select is(reg_register_set('c', 'public', '[{"user":"u1"},{"user":"nobody"}]'), null,
          'declined: an unknown participant');
select is(pg_temp.written(), (select w from before),
          'a declined group wrote nothing and drew no arrival number');

-- taken item by item instead, each answered as alone
select is((select string_agg(status::text, ',' order by n)
             from reg_register_batch('c', 'public', '[{"user":"u1"},{"user":"u9"},{"user":"u2"}]')),
          '201,403,201', 'a batch the set path declines is answered item by item');

select * from finish();
rollback;
