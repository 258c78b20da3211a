-- What the constraints refuse even when the code is wrong: overbooking above
-- all, then the registration states, one live registration per participant,
-- cohort settings, and what deleting does.
begin;
\ir lib/fixtures.psql
select plan(27);

\o /dev/null
select fx.cohort('c1');
select fx.segment('c1', 'public', 2);
select fx.participant(u) from unnest(array['u1', 'u2', 'u3', 'u4']) u;
select fx.reg('c1', 'u1', 'public');
select fx.reg('c1', 'u2', 'public');
select fx.reg('c1', 'u3', 'public');
\o

-- overbooking
select is(fx.held('c1', 'public'), 2, 'two seats held out of two');
select throws_ok(
    $$update cohort_segments set confirmed = confirmed + 1 where cohort_id = 'c1'$$,
    '23514',
    'new row for relation "cohort_segments" violates check constraint "cohort_segments_not_overbooked"',
    'a direct UPDATE making confirmed > quota is refused (check_violation)');
select throws_ok(
    $$update cohort_segments set quota = 1 where cohort_id = 'c1'$$,
    '23514',
    'new row for relation "cohort_segments" violates check constraint "cohort_segments_not_overbooked"',
    'a direct UPDATE lowering quota below confirmed is refused');
select throws_ok(
    $$insert into cohort_segments (cohort_id, segment, quota, confirmed) values ('c1', 'asn', 1, 2)$$,
    '23514',
    'new row for relation "cohort_segments" violates check constraint "cohort_segments_not_overbooked"',
    'a segment cannot be created overbooked');
select throws_ok(
    $$update cohort_segments set confirmed = -1 where cohort_id = 'c1'$$,
    '23514',
    'new row for relation "cohort_segments" violates check constraint "cohort_segments_confirmed_check"',
    'the counter cannot go below zero');
select is(fx.held('c1', 'public'), 2, 'the counter is unchanged after the refused updates');
select lives_ok($$update cohort_segments set quota = 2, confirmed = 2 where cohort_id = 'c1'$$,
                'confirmed = quota is allowed');
select throws_ok($$update cohort_segments set quota = 100001 where cohort_id = 'c1'$$, '23514',
                 NULL, 'quota above 100000 is refused');
select throws_ok($$select fx.segment('c1', 'Bad-Name', 1)$$, '23514', NULL,
                 'a segment name must be lower-case letters, digits and _');

-- registrations
select throws_ok(
    $$insert into registrations (cohort_id, user_id, segment, status, seq)
      values ('c1', 'u3', 'public', 'confirmed', nextval('registration_arrival_seq'))$$,
    '23505', NULL, 'a second live registration of a participant in a cohort is refused');
select throws_ok(
    $$update registrations set status = 'offered' where user_id = 'u3'$$, '23514',
    'new row for relation "registrations" violates check constraint "registrations_offer_check"',
    'an offer needs a deadline');
select throws_ok(
    $$update registrations set offer_expires_at = now() where user_id = 'u1'$$, '23514',
    'new row for relation "registrations" violates check constraint "registrations_offer_check"',
    'only an offer has a deadline');
select throws_ok($$update registrations set status = 'pending' where user_id = 'u3'$$, '23514',
                 'new row for relation "registrations" violates check constraint "registrations_status_check"',
                 'unknown statuses are refused');
select throws_ok(
    $$insert into registrations (cohort_id, user_id, segment, status, seq)
      values ('c1', 'u4', 'umkm', 'waitlisted', nextval('registration_arrival_seq'))$$,
    '23503', NULL, 'a registration needs a segment of its cohort');
select lives_ok(
    $$update registrations set status = 'cancelled' where user_id = 'u3';
      insert into registrations (cohort_id, user_id, segment, status, seq)
      values ('c1', 'u3', 'public', 'waitlisted', nextval('registration_arrival_seq'))$$,
    'after a cancellation, the participant may hold a new live registration');
select is((select count(*)::integer from registrations where user_id = 'u3'), 2,
          'the cancelled row stays beside the new one');

-- cohorts
select throws_ok(
    $$select fx.cohort('c2', p_opens => now(), p_closes => now())$$, '23514',
    'new row for relation "cohorts" violates check constraint "cohorts_window_check"',
    'the window must close after it opens');
select throws_ok($$select fx.cohort('c3', p_residency => '35A')$$, '23514',
                 'new row for relation "cohorts" violates check constraint "cohorts_residency_check"',
                 'a residency prefix is 2 to 6 digits');
select throws_ok($$select fx.cohort('c4', p_offer_ttl_s => 59)$$, '23514',
                 'new row for relation "cohorts" violates check constraint "cohorts_offer_ttl_check"',
                 'an offer lasts at least a minute');
select lives_ok($$select fx.cohort('c5', p_offer_ttl_s => 60, p_residency => '3573')$$,
                'a minute-long offer and a 4-digit prefix are fine');
select throws_ok($$insert into programmes (slug, title) values ('Bad Slug', 'x')$$, '23514',
                 'new row for relation "programmes" violates check constraint "programmes_slug_check"',
                 'programme slugs are lower-case');

-- the log and the idempotency keys
select throws_ok($$insert into allocation_log (seq, cohort_id, outcome) values (-1, 'c1', 'Bad Outcome')$$,
                 '23514', NULL, 'log outcomes are lower-case words');
select throws_ok($$insert into idempotency_keys (user_id, key, request_hash, status, response)
                   values ('u1', '', 'h', 0, 'null')$$,
                 '23514', NULL, 'an Idempotency-Key is not empty');

-- deleting
select throws_ok($$delete from programmes where id = 'p-c1'$$, '23503', NULL,
                 'a programme with cohorts cannot be deleted');
select lives_ok($$delete from cohorts where id = 'c1'$$, 'a cohort can be deleted');
select is((select count(*)::integer from registrations where cohort_id = 'c1'), 0,
          'its registrations went with it');
select is((select count(*)::integer from allocation_log where cohort_id = 'c1'), 0,
          'and its allocation log');

select * from finish();
rollback;
