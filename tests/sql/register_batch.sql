-- reg_register_batch (issue 17, P3): several registrations of one segment in
-- one transaction. A batch keeps the order it was given in (seats, waitlist
-- positions, arrival numbers and the fairness log all follow it), answers
-- each item as reg_register_idem would alone, and a registration that fails
-- inside a batch is rolled back alone: the others before and after it stand,
-- also when the failing one is the first (the one that took the lock).
begin;
\ir lib/fixtures.psql
select plan(27);

\o /dev/null
select fx.cohort('c1');
select fx.segment('c1', 'public', 2);
select fx.participant('u' || i) from generate_series(1, 9) i;
\o

create temp table b1 as
select * from reg_register_batch('c1', 'public',
    '[{"user":"u1"},{"user":"u2"},{"user":"u3"},{"user":"u4"},{"user":"u1"}]');

-- ---- order ----
select is((select string_agg(n::text, ',' order by n) from b1), '1,2,3,4,5',
          'one row per item, numbered in the order given');
select is((select string_agg(status::text, ',' order by n) from b1), '201,201,201,201,409',
          'statuses in order: two seats, two waitlist places, a duplicate');
select is(fx.queue('c1', 'public'), 'u1:confirmed u2:confirmed u3:waitlisted u4:waitlisted',
          'the first two in the batch take the seats, the next two wait, in batch order');
select is((select body ->> 'waitlist_position' from b1 where n = 3), '1',
          'u3 is first on the waitlist');
select is((select body ->> 'waitlist_position' from b1 where n = 4), '2',
          'u4 is second');
select is((select body -> 'error' ->> 'code' from b1 where n = 5), 'already_registered',
          'u1 twice in one batch: the second is already_registered');
select is((select body -> 'error' -> 'details' -> 'registration' ->> 'id' from b1 where n = 5),
          fx.reg_id('c1', 'u1'), 'and shows the first one');
select ok((select bool_and(err is null) from b1), 'no item failed');
select ok((select array_agg(seq order by seq) = array_agg(seq order by
                  array_position(array['u1', 'u2', 'u3', 'u4'], user_id))
             from registrations where cohort_id = 'c1'),
          'arrival numbers follow the batch order');
select is(fx.log('c1'),
          'confirmed:u1 confirmed:u2 waitlisted:u3 waitlisted:u4 already_registered:u1',
          'the fairness log records the batch in its order');
select is(fx.held('c1', 'public'), 2, 'the counter says two seats are held');
select is(fx.held_rows('c1', 'public'), 2, 'and two rows hold one');

-- ---- a bad one in a batch does not harm the rest ----
\o /dev/null
select fx.cohort('c2');
select fx.segment('c2', 'public', 2);
\o
-- item 1 fails (an Idempotency-Key longer than the table allows: a check
-- violation, after it has taken the segment's lock); item 3 fails the same
-- way between two good ones
create temp table b2 as
select * from reg_register_batch('c2', 'public', json_build_array(
    json_build_object('user', 'u5', 'key', repeat('k', 201), 'request', 'r'),
    json_build_object('user', 'u6'),
    json_build_object('user', 'u7', 'key', repeat('k', 201), 'request', 'r'),
    json_build_object('user', 'u8', 'key', 'good-key', 'request', 'r'),
    json_build_object('user', 'u9')));

select is((select string_agg(status::text, ',' order by n) from b2), '500,201,500,201,201',
          'the failing items answer 500, the others as alone');
select is((select string_agg(coalesce(err, '-'), ',' order by n) from b2), '23514,-,23514,-,-',
          'with the SQLSTATE of what failed');
select is((select body from b2 where n = 1)::text, null, 'a failed item has no body');
select is(fx.queue('c2', 'public'), 'u6:confirmed u8:confirmed u9:waitlisted',
          'the good ones take the seats in order, as if the bad ones were not there');
select is(fx.log('c2'), 'confirmed:u6 confirmed:u8 waitlisted:u9',
          'the fairness log has no entry of the failed ones');
select is((select count(*)::integer from registrations
            where cohort_id = 'c2' and user_id in ('u5', 'u7')), 0,
          'nothing of a failed registration is left');
select is((select count(*)::integer from idempotency_keys where user_id in ('u5', 'u7')), 0,
          'nor its key');
select is((select count(*)::integer from idempotency_keys where user_id = 'u8'), 1,
          'a good item''s key is kept');
select is(fx.held('c2', 'public'), 2, 'the counter is right after the failures');
select is((select body ->> 'waitlist_position' from b2 where n = 5), '1',
          'u9 is first on the waitlist');

-- a replay in the same batch: the same key and request answer the same
create temp table b3 as
select * from reg_register_batch('c2', 'public', json_build_array(
    json_build_object('user', 'u5', 'key', 'again', 'request', 'r'),
    json_build_object('user', 'u5', 'key', 'again', 'request', 'r'),
    json_build_object('user', 'u5', 'key', 'again', 'request', 'other')));
select is((select string_agg(status::text, ',' order by n) from b3), '201,201,422',
          'a replayed key answers as the first, another body under it is refused');
select is((select (body ->> 'id') from b3 where n = 2), (select (body ->> 'id') from b3 where n = 1),
          'the replay shows the same registration');
select is((select body -> 'error' ->> 'code' from b3 where n = 3), 'idempotency_key_reused',
          'idempotency_key_reused');

-- an unknown segment or cohort is answered per item, as alone
select is((select string_agg(status::text, ',' order by n)
             from reg_register_batch('c2', 'nope', '[{"user":"u1"},{"user":"u2"}]')), '422,422',
          'invalid_segment for each');
select is((select string_agg(status::text, ',' order by n)
             from reg_register_batch('zz', 'public', '[{"user":"u1"}]')), '404',
          'no such cohort');

select * from finish();
rollback;
