-- Cohorts with offers (offer_ttl_s): a freed seat is offered to the first
-- waitlisted, who holds it until reg_accept or the deadline; the timer
-- (reg_expire_offers) expires late offers and offers the seat to the next.
begin;
\ir lib/fixtures.psql
select plan(44);

\o /dev/null
select fx.cohort('co', p_offer_ttl_s => 3600);
select fx.segment('co', 'public', 1);
select fx.participant('u' || i) from generate_series(1, 6) i;
select fx.reg('co', 'u' || i, 'public') from generate_series(1, 4) i;
\o
select fx.reg_id('co', 'u1') as id1, fx.reg_id('co', 'u2') as id2, fx.reg_id('co', 'u3') as id3,
       fx.reg_id('co', 'u4') as id4 \gset

-- a cancellation makes an offer
select max(seq) as s0 from allocation_log \gset
select is((fx.call(format('select reg_cancel(%L, %L, false)', :'id1', 'u1')))->>'status', '200',
          'u1 cancels');
select is(fx.queue('co', 'public'), 'u1:cancelled u2:offered u3:waitlisted u4:waitlisted',
          'the first waitlisted, u2, gets an offer');
select is((select offer_expires_at from registrations where id = :'id2'),
          now() + interval '3600 seconds', 'the offer lasts offer_ttl_s');
select is(fx.held('co', 'public'), 1, 'the offer holds the seat');
select is(fx.held_rows('co', 'public'), 1, 'counter and rows agree');
select is((select string_agg(outcome || ':' || user_id, ' ' order by seq) from allocation_log
            where seq > :s0), 'cancelled:u1 offered:u2', 'the log: cancelled, then offered');
select is((reg_json(r))->>'status', 'offered', 'reg_json shows the offer') from registrations r where id = :'id2';
select isnt((reg_json(r))->>'offer_expires_at', null, 'and its deadline') from registrations r where id = :'id2';
select is((fx.reg('co', 'u5', 'public'))->'body'->>'waitlist_position', '3',
          'a newcomer waits behind u3 and u4: the offered seat is not free');

-- who may accept what
select is((fx.call(format('select reg_accept(%L, %L)', :'id2', 'u3')))->>'status', '404',
          'accepting someone else''s offer: 404');
select fx.call(format('select reg_accept(%L, %L)', :'id3', 'u3')) as a3 \gset
select is((:'a3'::json)->>'status', '409', 'accepting without an offer: 409');
select is((:'a3'::json)->'body'->'error'->>'code', 'no_offer', 'no_offer');
select is(reg_expire_offers(100), 0, 'the timer leaves an offer before its deadline alone');
select is(fx.status('co', 'u2'), 'offered', 'u2 still has the offer');

-- accepting
select max(seq) as s1 from allocation_log \gset
select fx.call(format('select reg_accept(%L, %L)', :'id2', 'u2')) as a2 \gset
select is((:'a2'::json)->>'status', '200', 'u2 accepts: 200');
select is((:'a2'::json)->'body'->>'status', 'confirmed', 'u2 is confirmed');
select is((select offer_expires_at from registrations where id = :'id2'), null, 'the deadline is gone');
select is(fx.held('co', 'public'), 1, 'accepting takes no second seat');
select is((select string_agg(outcome || ':' || user_id, ' ' order by seq) from allocation_log
            where seq > :s1), 'offer_accepted:u2', 'the acceptance is logged');
select is((fx.call(format('select reg_accept(%L, %L)', :'id2', 'u2')))->'body'->'error'->>'code',
          'no_offer', 'accepting twice: no_offer');

-- a late offer: refused to its holder, expired by the timer, passed on
select is((fx.call(format('select reg_cancel(%L, %L, false)', :'id2', 'u2')))->>'status', '200',
          'u2 cancels');
select is(fx.status('co', 'u3'), 'offered', 'u3 gets the offer');
update registrations set offer_expires_at = now() - interval '1 second' where id = :'id3';
select is((fx.call(format('select reg_accept(%L, %L)', :'id3', 'u3')))->'body'->'error'->>'code',
          'no_offer', 'after its deadline an offer cannot be accepted');
select is(fx.status('co', 'u3'), 'offered', 'refusing the late acceptance changes nothing');
select max(seq) as s2 from allocation_log \gset
select is(reg_expire_offers(100), 1, 'the timer expires one offer');
select is(fx.queue('co', 'public'),
          'u1:cancelled u2:cancelled u3:expired u4:offered u5:waitlisted',
          'u3 expired, u4 gets the offer');
select is((select offer_expires_at from registrations where id = :'id3'), null,
          'an expired registration has no deadline');
select is((select offer_expires_at from registrations where id = :'id4'),
          now() + interval '3600 seconds', 'u4''s offer has a fresh deadline');
select is(fx.held('co', 'public'), 1, 'the seat stays held, by the new offer');
select is(fx.held_rows('co', 'public'), 1, 'counter and rows agree');
select is((select string_agg(outcome || ':' || user_id, ' ' order by seq) from allocation_log
            where seq > :s2), 'offer_expired:u3 offered:u4', 'the log: expired, then offered');
select is(reg_expire_offers(100), 0, 'the timer finds nothing more');
select is((fx.call(format('select reg_cancel(%L, %L, false)', :'id3', 'u3')))->'body'->>'status',
          'expired', 'cancelling an expired registration: 200, it stays expired');
select is(fx.held('co', 'public'), 1, 'and frees nothing');

-- declining an offer passes it on; an expired offer with nobody waiting frees the seat
select is((fx.call(format('select reg_cancel(%L, %L, false)', :'id4', 'u4')))->>'status', '200',
          'u4 declines the offer');
select is(fx.status('co', 'u5'), 'offered', 'u5 gets it');
update registrations set offer_expires_at = now() - interval '1 second' where user_id = 'u5';
select is(reg_expire_offers(100), 1, 'u5 lets it expire');
select is(fx.held('co', 'public'), 0, 'with nobody waiting the seat is free');
select is((fx.reg('co', 'u6', 'public'))->'body'->>'status', 'confirmed', 'the next newcomer is confirmed');
select is((fx.reg('co', 'u3', 'public'))->'body'->>'status', 'waitlisted',
          'a participant whose offer expired may register again');

-- the timer's batch size
\o /dev/null
select fx.cohort('co2', p_offer_ttl_s => 600);
select fx.segment('co2', s, 1) from unnest(array['aa', 'bb']) s;
select fx.reg('co2', 'u1', 'aa'), fx.reg('co2', 'u3', 'bb');
select fx.reg('co2', 'u2', 'aa'), fx.reg('co2', 'u4', 'bb');
select reg_cancel(fx.reg_id('co2', u), u, false) from unnest(array['u1', 'u3']) u;
update registrations set offer_expires_at = now() - interval '1 minute'
 where cohort_id = 'co2' and status = 'offered';
\o
select is(reg_expire_offers(1), 1, 'reg_expire_offers(1) expires one offer');
select is(reg_expire_offers(1), 1, 'the next call the other');
select is(reg_expire_offers(1), 0, 'then none');
select is((select sum(confirmed)::integer from cohort_segments where cohort_id = 'co2'), 0,
          'both seats are free again');

select * from finish();
rollback;
