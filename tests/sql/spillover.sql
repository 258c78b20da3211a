-- Spill-over: after spillover_at, a full segment takes a free seat of
-- another segment (the one with most seats left, then by name). One seat
-- of quota moves, so no segment is overbooked and the cohort's total quota
-- never changes.
begin;
\ir lib/fixtures.psql
select plan(32);

\o /dev/null
select fx.participant('u' || i) from generate_series(1, 8) i;
select fx.cohort('cs', p_spillover_at => now() - interval '1 hour');
select fx.segment('cs', 'asn', 1);
select fx.segment('cs', 'public', 3);
select fx.segment('cs', 'umkm', 2, false);
\o
select is((select sum(quota)::integer from cohort_segments where cohort_id = 'cs'), 6, 'six seats in all');
select is((fx.reg('cs', 'u1', 'asn'))->'body'->>'status', 'confirmed', 'u1 takes the asn seat');

select max(seq) as s0 from allocation_log \gset
select fx.reg('cs', 'u2', 'asn') as r2 \gset
select is((:'r2'::json)->'body'->>'status', 'confirmed', 'u2: asn is full, a seat spills over');
select is(fx.quota('cs', 'asn'), 2, 'asn has quota 2');
select is(fx.quota('cs', 'public'), 2, 'taken from public, which had the most seats left');
select is((select sum(quota)::integer from cohort_segments where cohort_id = 'cs'), 6,
          'the total is unchanged');
select is((select string_agg(outcome || ':' || segment, ' ' order by seq) from allocation_log
            where seq > :s0 and user_id is null), 'seat_spilled_to_asn:public',
          'the move is logged under the donor segment');
select is((fx.reg('cs', 'u3', 'asn'))->'body'->>'status', 'confirmed', 'u3: another seat spills over');
select is(fx.quota('cs', 'public'), 1, 'public and umkm had two left each: public, by name');
select is((fx.reg('cs', 'u4', 'asn'))->'body'->>'status', 'confirmed', 'u4: another');
select is(fx.quota('cs', 'umkm'), 1, 'now from umkm, which has the most left');
select is((fx.reg('cs', 'u5', 'public'))->'body'->>'status', 'confirmed', 'u5 takes public''s last seat');
select is((fx.reg('cs', 'u6', 'umkm'))->'body'->>'status', 'confirmed', 'u6 takes umkm''s last seat');
select is((fx.reg('cs', 'u7', 'asn'))->'body'->>'status', 'waitlisted', 'u7: nothing left to spill, waitlisted');
select is((fx.reg('cs', 'u8', 'umkm'))->'body'->'error'->>'code', 'segment_full',
          'u8: nothing left, no waitlist: segment_full');
select results_eq(
    $$select segment, quota, confirmed from cohort_segments where cohort_id = 'cs' order by segment$$,
    $$values ('asn', 4, 4), ('public', 1, 1), ('umkm', 1, 1)$$,
    'quotas and seats after the spill-overs');
select is((select sum(quota)::integer from cohort_segments where cohort_id = 'cs'), 6,
          'still six seats in all');
select is_empty($$select segment from cohort_segments s where cohort_id = 'cs'
                   and confirmed <> (select count(*) from registrations r
                                      where r.cohort_id = s.cohort_id and r.segment = s.segment
                                        and r.status in ('confirmed', 'offered'))$$,
                'every counter matches its rows');
select is(reg_spill_seat('cs', 'asn', 0), false, 'reg_spill_seat: no donor, no move');

-- before the spill-over instant, or without one, segments keep their seats
\o /dev/null
select fx.cohort('cb', p_spillover_at => now() + interval '1 day');
select fx.cohort('cn');
select fx.segment(c, s, q) from (values ('cb', 'asn', 1), ('cb', 'public', 5),
                                        ('cn', 'asn', 1), ('cn', 'public', 5)) v(c, s, q);
select fx.reg(c, 'u1', 'asn') from unnest(array['cb', 'cn']) c;
\o
select is((fx.reg('cb', 'u2', 'asn'))->'body'->>'status', 'waitlisted', 'before spillover_at: waitlisted');
select is(fx.quota('cb', 'asn'), 1, 'no seat moved');
select is((fx.reg('cn', 'u2', 'asn'))->'body'->>'status', 'waitlisted', 'without spillover_at: waitlisted');
select is(fx.quota('cn', 'public'), 5, 'no seat moved');

-- a segment without a waitlist also takes a spilled seat
\o /dev/null
select fx.cohort('cw', p_spillover_at => now() - interval '1 minute');
select fx.segment('cw', 'umkm', 1, false);
select fx.segment('cw', 'public', 2);
select fx.reg('cw', 'u1', 'umkm');
\o
select is((fx.reg('cw', 'u2', 'umkm'))->'body'->>'status', 'confirmed',
          'a full segment without a waitlist takes a spilled seat');
select results_eq($$select segment, quota, confirmed from cohort_segments where cohort_id = 'cw' order by segment$$,
                  $$values ('public', 1, 0), ('umkm', 2, 2)$$, 'one seat moved from public');

-- Fairness: the seat that spills into a segment goes to whoever waited there
-- first, not to the newcomer whose registration made it move.
\o /dev/null
select fx.cohort('cf', p_spillover_at => now() + interval '1 hour');
select fx.segment('cf', 'asn', 1);
select fx.segment('cf', 'public', 3);
select fx.reg('cf', 'u1', 'asn');
select fx.reg('cf', 'u2', 'asn');
update cohorts set spillover_at = now() - interval '1 second' where id = 'cf';
select fx.reg('cf', 'u3', 'asn');
\o
select is(fx.status('cf', 'u2'), 'confirmed',
          'u2, waitlisted before the spill-over, gets a spilled seat');
select is_empty($$select w.user_id || ' waits though ' || c.user_id || ' came later and has a seat'
                    from registrations w join registrations c
                      on c.cohort_id = w.cohort_id and c.segment = w.segment
                   where w.cohort_id = 'cf' and w.status = 'waitlisted'
                     and c.status in ('confirmed', 'offered') and c.seq > w.seq$$,
                'nobody waits behind a later arrival who holds a seat');
select is((select sum(quota)::integer from cohort_segments where cohort_id = 'cf'), 4,
          'the total is unchanged');
select is_empty($$select segment from cohort_segments s where cohort_id = 'cf'
                   and confirmed <> (select count(*) from registrations r
                                      where r.cohort_id = s.cohort_id and r.segment = s.segment
                                        and r.status in ('confirmed', 'offered'))$$,
                'every counter matches its rows');

-- any valid segment name can receive a seat (names may have digits)
\o /dev/null
select fx.cohort('cd', p_spillover_at => now() - interval '1 minute');
select fx.segment('cd', 'batch2', 1);
select fx.segment('cd', 'public', 2);
select fx.reg('cd', 'u1', 'batch2');
\o
select fx.reg('cd', 'u2', 'batch2') as d2 \gset
select is((:'d2'::json)->>'message', null, 'spilling into segment batch2 raises no exception');
select is((:'d2'::json)->'body'->>'status', 'confirmed', 'u2 gets the spilled seat in batch2');
select results_eq($$select segment, quota, confirmed from cohort_segments where cohort_id = 'cd' order by segment$$,
                  $$values ('batch2', 2, 2), ('public', 1, 0)$$, 'one seat moved from public to batch2');

select * from finish();
rollback;
