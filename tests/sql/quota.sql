-- reg_set_quota: refused below the seats held (409 quota_below_confirmed);
-- a raise promotes waitlisted participants into the new seats (or offers
-- them, in a cohort with offers); every change is logged and audited.
begin;
\ir lib/fixtures.psql
select plan(33);

\o /dev/null
select fx.usr('adm', 'admin');
select fx.cohort('cq');
select fx.segment('cq', 'public', 2);
select fx.participant('u' || i) from generate_series(1, 6) i;
select fx.reg('cq', 'u' || i, 'public') from generate_series(1, 5) i;
\o
select is(fx.queue('cq', 'public'),
          'u1:confirmed u2:confirmed u3:waitlisted u4:waitlisted u5:waitlisted', 'two seats, three waiting');

-- lowering below the seats held
select fx.call($$select reg_set_quota('cq', 'public', 1, null, 'adm')$$) as q1 \gset
select is((:'q1'::json)->>'status', '409', 'lowering below the seats held: 409');
select is((:'q1'::json)->'body'->'error'->>'code', 'quota_below_confirmed', 'quota_below_confirmed');
select is((:'q1'::json)->'body'->'error'->'details'->>'confirmed', '2', 'the answer says how many are held');
select is(fx.quota('cq', 'public'), 2, 'the quota is unchanged');
select is((select count(*)::integer from audit_log where action = 'cohort.quota_changed'), 0,
          'a refused change is not audited');

-- the same quota again: allowed (confirmed = quota)
select fx.call($$select reg_set_quota('cq', 'public', 2, null, 'adm')$$) as q2 \gset
select is((:'q2'::json)->>'message', null, 'reg_set_quota raises no exception');
select is((:'q2'::json)->>'status', '200', 'setting the quota to the seats held: 200');
select is(fx.quota('cq', 'public'), 2, 'quota 2');

-- raising promotes in arrival order
select max(seq) as s0 from allocation_log \gset
select fx.call($$select reg_set_quota('cq', 'public', 4, null, 'adm')$$) as q3 \gset
select is((:'q3'::json)->>'status', '200', 'raising to 4: 200');
select is(((:'q3'::json)->'body'->'segments'->0->>'quota'), '4', 'the answer shows quota 4');
select is(((:'q3'::json)->'body'->'segments'->0->>'confirmed'), '4', 'and 4 seats held');
select is(((:'q3'::json)->'body'->'segments'->0->>'waitlisted'), '1', 'and 1 waiting');
select is(fx.queue('cq', 'public'),
          'u1:confirmed u2:confirmed u3:confirmed u4:confirmed u5:waitlisted',
          'the first two waitlisted, u3 and u4, are confirmed');
select is(fx.held('cq', 'public'), 4, 'the counter is 4');
select is(fx.held_rows('cq', 'public'), 4, 'counter and rows agree');
select is((select string_agg(outcome || ':' || coalesce(user_id, '-'), ' ' order by seq)
             from allocation_log where seq > :s0 and outcome not like 'quota%'),
          'promoted:u3 promoted:u4', 'the promotions are logged in order');
select is((select count(*)::integer from allocation_log
            where seq > :s0 and outcome like 'quota%' and user_id = 'adm' and segment = 'public'),
          1, 'the quota change itself is in the allocation log, with the admin');
select is((select details::text from audit_log where action = 'cohort.quota_changed'
            order by id desc limit 1),
          '{"to": 4, "from": 2, "segment": "public", "cohort_id": "cq"}', 'and in the audit log');

-- a raise beyond the queue leaves free seats; lowering to what is held is fine
select is((fx.call($$select reg_set_quota('cq', 'public', 10, null, 'adm')$$))->'body'->'segments'->0->>'seats_left',
          '5', 'raising to 10 confirms u5 and leaves 5 seats');
select is(fx.status('cq', 'u5'), 'confirmed', 'u5 is confirmed');
select is((fx.call($$select reg_set_quota('cq', 'public', 5, null, 'adm')$$))->>'status', '200',
          'lowering to exactly the seats held: 200');
select is((fx.reg('cq', 'u6', 'public'))->'body'->>'status', 'waitlisted', 'the next one waits');
select is((fx.call($$select reg_set_quota('cq', 'public', 4, null, 'adm')$$))->>'status', '409',
          'one below: 409');

-- the waitlist flag
select is((fx.call($$select reg_set_quota('cq', 'public', 5, false, 'adm')$$))->>'status', '200',
          'switching the waitlist off');
select is((select waitlist from cohort_segments where cohort_id = 'cq'), false, 'waitlist is off');
select is((fx.call($$select reg_set_quota('cq', 'public', 5, null, 'adm')$$))->>'status', '200',
          'a change without a waitlist flag');
select is((select waitlist from cohort_segments where cohort_id = 'cq'), false, 'keeps the flag');

-- unknown segment, absurd quota
select is((fx.call($$select reg_set_quota('cq', 'vip', 5, null, 'adm')$$))->>'status', '404',
          'an unknown segment: 404');
select is((fx.call($$select reg_set_quota('cq', 'public', 100001, null, 'adm')$$))->>'exception',
          '23514', 'a quota above the limit is refused by the constraint');

-- in a cohort with offers, new seats are offered
\o /dev/null
select fx.cohort('cqo', p_offer_ttl_s => 600);
select fx.segment('cqo', 'public', 1);
select fx.reg('cqo', 'u' || i, 'public') from generate_series(1, 3) i;
\o
select is((fx.call($$select reg_set_quota('cqo', 'public', 2, null, 'adm')$$))->>'status', '200',
          'raising a cohort with offers');
select is(fx.queue('cqo', 'public'), 'u1:confirmed u2:offered u3:waitlisted', 'the new seat is offered to u2');
select is(fx.held('cqo', 'public'), fx.held_rows('cqo', 'public'), 'counter and rows agree');

select * from finish();
rollback;
