-- reg_register: every outcome (confirmed, waitlisted with its position,
-- segment_full, registration_closed, not_eligible with what is missing,
-- already_registered, invalid_segment, 404) and the allocation log that
-- records each attempt with its arrival sequence number.
begin;
\ir lib/fixtures.psql
select plan(59);

\o /dev/null
select fx.cohort('c1');
select fx.segment('c1', 'public', 2);
select fx.segment('c1', 'umkm', 1, false);
select fx.segment('c1', 'asn', 5);
select fx.participant('u' || i) from generate_series(1, 6) i;
\o

-- seats while they last, then the waitlist in arrival order
select fx.reg('c1', 'u1', 'public') as r1 \gset
select is((:'r1'::json)->>'status', '201', 'u1: 201');
select is((:'r1'::json)->'body'->>'status', 'confirmed', 'u1 is confirmed');
select is((:'r1'::json)->'body'->>'waitlist_position', null, 'a confirmed registration has no position');
select is((:'r1'::json)->'body'->>'id', fx.reg_id('c1', 'u1'), 'the body carries the registration id');
select is((:'r1'::json)->'body'->>'segment', 'public', 'and the segment');
select fx.reg('c1', 'u2', 'public') as r2 \gset
select is((:'r2'::json)->'body'->>'status', 'confirmed', 'u2 takes the last seat');
select fx.reg('c1', 'u3', 'public') as r3 \gset
select is((:'r3'::json)->>'status', '201', 'u3: 201 (a waitlist place is a registration)');
select is((:'r3'::json)->'body'->>'status', 'waitlisted', 'u3 is waitlisted');
select is((:'r3'::json)->'body'->>'waitlist_position', '1', 'u3 is first on the waitlist');
select fx.reg('c1', 'u4', 'public') as r4 \gset
select is((:'r4'::json)->'body'->>'waitlist_position', '2', 'u4 is second on the waitlist');
select is(fx.queue('c1', 'public'), 'u1:confirmed u2:confirmed u3:waitlisted u4:waitlisted',
          'the segment in arrival order');
select is(fx.held('c1', 'public'), 2, 'the counter says two seats are held');
select is(fx.held_rows('c1', 'public'), 2, 'and two registrations hold one');
select ok((select r3.seq < r4.seq from registrations r3, registrations r4
            where r3.id = fx.reg_id('c1', 'u3') and r4.id = fx.reg_id('c1', 'u4')),
          'waitlist positions follow seq');

-- a segment without a waitlist
select fx.reg('c1', 'u5', 'umkm') as r5 \gset
select is((:'r5'::json)->'body'->>'status', 'confirmed', 'u5 takes the only umkm seat');
select fx.reg('c1', 'u6', 'umkm') as r6 \gset
select is((:'r6'::json)->>'status', '409', 'u6: 409 when the segment has no waitlist');
select is((:'r6'::json)->'body'->'error'->>'code', 'segment_full', 'u6: segment_full');
select is(fx.reg_id('c1', 'u6'), null, 'no registration row is left for u6');
select is(fx.held('c1', 'umkm'), 1, 'the umkm counter stays at its quota');

-- one registration per participant per cohort
select fx.reg('c1', 'u1', 'public') as a1 \gset
select is((:'a1'::json)->>'status', '409', 'u1 again: 409');
select is((:'a1'::json)->'body'->'error'->>'code', 'already_registered', 'u1 again: already_registered');
select is((:'a1'::json)->'body'->'error'->'details'->'registration'->>'id', fx.reg_id('c1', 'u1'),
          'the answer shows the existing registration');
select is((:'a1'::json)->'body'->'error'->'details'->'registration'->>'status', 'confirmed',
          'with its status');
select fx.reg('c1', 'u3', 'public') as a3 \gset
select is((:'a3'::json)->'body'->'error'->'details'->'registration'->>'waitlist_position', '1',
          'a waitlisted participant asking again sees their position');
select fx.reg('c1', 'u1', 'asn') as a1b \gset
select is((:'a1b'::json)->'body'->'error'->>'code', 'already_registered',
          'another segment of the same cohort: already_registered');
select is((select count(*)::integer from registrations where user_id = 'u1'), 1,
          'u1 still has one registration');

-- no such segment, no such cohort
select fx.reg('c1', 'u6', 'vip') as iv \gset
select is((:'iv'::json)->>'status', '422', 'unknown segment: 422');
select is((:'iv'::json)->'body'->'error'->>'code', 'invalid_segment', 'unknown segment: invalid_segment');
select fx.reg('nope', 'u6', 'public') as nf \gset
select is((:'nf'::json)->>'status', '404', 'unknown cohort: 404');
select is((:'nf'::json)->'body'->'error'->>'code', 'not_found', 'unknown cohort: not_found');

-- the allocation log: every attempt, in arrival order, with its outcome;
-- a refusal once per participant and outcome (issue 14: u1's second
-- already_registered, in another segment, adds nothing)
select is((select string_agg(outcome || ':' || user_id || ':' || segment, ' ' order by seq)
             from allocation_log where cohort_id = 'c1' and outcome <> 'invalid_segment'),
          'confirmed:u1:public confirmed:u2:public waitlisted:u3:public waitlisted:u4:public '
          'confirmed:u5:umkm segment_full:u6:umkm already_registered:u1:public '
          'already_registered:u3:public',
          'every attempt is logged with its outcome, in arrival order, a refusal once');
select is_empty($$select 1 from allocation_log l
                   where l.cohort_id = 'c1' and l.outcome in ('confirmed', 'waitlisted')
                     and not exists (select 1 from registrations r
                                      where r.id = l.registration_id and r.seq = l.seq)$$,
                'a seat or waitlist entry is logged under the registration''s own seq');
select is_empty($$select 1 from allocation_log l
                   where l.cohort_id = 'c1' and l.outcome = 'already_registered'
                     and l.registration_id is distinct from fx.reg_id('c1', l.user_id)$$,
                'a duplicate attempt is logged with the existing registration');
select is((select registration_id from allocation_log where outcome = 'segment_full'), null,
          'a refused attempt has no registration');
select ok((select bool_and(at is not null) from allocation_log), 'every entry has a time');

-- the registration window: [opens, closes)
\o /dev/null
select fx.cohort('future', p_opens => now() + interval '1 hour');
select fx.cohort('past', p_opens => now() - interval '2 days', p_closes => now() - interval '1 hour');
select fx.cohort('closing', p_opens => now() - interval '1 day', p_closes => now());
select fx.cohort('opening', p_opens => now());
select fx.segment(c, 'public', 10) from unnest(array['future', 'past', 'closing', 'opening']) c;
\o
select fx.reg('future', 'u1', 'public') as w1 \gset
select is((:'w1'::json)->>'status', '409', 'before the window: 409');
select is((:'w1'::json)->'body'->'error'->>'code', 'registration_closed', 'before the window: registration_closed');
select is((fx.reg('past', 'u1', 'public'))->'body'->'error'->>'code', 'registration_closed',
          'after the window: registration_closed');
select is((fx.reg('closing', 'u1', 'public'))->'body'->'error'->>'code', 'registration_closed',
          'at the closing instant: registration_closed');
select is((fx.reg('opening', 'u1', 'public'))->'body'->>'status', 'confirmed',
          'at the opening instant: open');
select is((select count(*)::integer from registrations where cohort_id in ('future', 'past', 'closing')),
          0, 'no registration outside the window');
select is(fx.log('past'), 'registration_closed:u1', 'a closed attempt is logged');

-- eligibility from the profile
\o /dev/null
select fx.cohort('ce');
select fx.segment('ce', s, 10) from unnest(array['asn', 'umkm', 'public', 'lansia']) s;
select fx.profile(fx.usr('nikonly'), '357301', false, null);
select fx.profile(fx.usr('nonik'), null, true, 'Toko');
select fx.usr('noprofile');
select fx.cohort('cr', p_residency => '3573');
select fx.segment('cr', s, 10) from unnest(array['asn', 'public']) s;
select fx.profile(fx.usr('local'), '357301', true, null);
select fx.profile(fx.usr('outsider'), '317101', true, null);
\o
select fx.reg('ce', 'nikonly', 'asn') as e1 \gset
select is((:'e1'::json)->>'status', '422', 'asn without a NIP: 422');
select is((:'e1'::json)->'body'->'error'->>'code', 'not_eligible', 'asn without a NIP: not_eligible');
select is(((:'e1'::json)->'body'->'error'->'details'->'missing')::jsonb, '["nip"]'::jsonb,
          'asn without a NIP: missing ["nip"]');
select is(((fx.reg('ce', 'nikonly', 'umkm'))->'body'->'error'->'details'->'missing')::jsonb,
          '["business_name"]'::jsonb, 'umkm without a business name: missing ["business_name"]');
select is(((fx.reg('ce', 'nonik', 'public'))->'body'->'error'->'details'->'missing')::jsonb,
          '["nik"]'::jsonb, 'public without a NIK: missing ["nik"]');
select is(((fx.reg('ce', 'noprofile', 'public'))->'body'->'error'->'details'->'missing')::jsonb,
          '["nik"]'::jsonb, 'no profile at all, public: missing ["nik"]');
select is((fx.reg('ce', 'noprofile', 'lansia'))->'body'->>'status', 'confirmed',
          'a segment without requirements takes anyone');
select is((fx.reg('ce', 'nikonly', 'public'))->'body'->>'status', 'confirmed',
          'public with a NIK: confirmed');
select is(((fx.reg('cr', 'outsider', 'public'))->'body'->'error'->'details'->'missing')::jsonb,
          '["residency"]'::jsonb, 'a NIK from elsewhere: missing ["residency"]');
select is(((fx.reg('cr', 'nonik', 'asn'))->'body'->'error'->'details'->'missing')::jsonb,
          '["nik"]'::jsonb, 'a residency rule without a NIK: missing ["nik"]');
select is(((fx.reg('cr', 'noprofile', 'public'))->'body'->'error'->'details'->'missing')::jsonb,
          '["nik"]'::jsonb, 'public with a residency rule and no NIK: nik is missing once');
select is((fx.reg('cr', 'local', 'public'))->'body'->>'status', 'confirmed',
          'a NIK with the prefix: confirmed');
select is(reg_missing('noprofile', 'asn', '3573'), array['nip', 'nik'],
          'reg_missing lists everything missing');
select is(reg_missing('outsider', 'asn', '31'), '{}'::text[], 'reg_missing: a shorter prefix matches');
select is(reg_missing('local', 'umkm', null), array['business_name'], 'reg_missing: umkm');
select is((select string_agg(coalesce(r.user_id, '-'), ' ' order by r.seq) from registrations r
            where r.cohort_id in ('ce', 'cr')),
          'noprofile nikonly local', 'refused participants leave no registration');
select is(fx.log('cr'), 'not_eligible:outsider not_eligible:nonik not_eligible:noprofile confirmed:local',
          'refusals for eligibility are logged');
select * from finish();
rollback;
