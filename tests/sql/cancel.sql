-- reg_cancel: frees the seat and promotes the first waitlisted in the same
-- call; idempotent on a cancelled registration; 404 for someone else's;
-- an admin may cancel any.
begin;
\ir lib/fixtures.psql
select plan(36);

\o /dev/null
select fx.usr('adm', 'admin');
select fx.cohort('c1');
select fx.segment('c1', 'public', 1);
select fx.participant('u' || i) from generate_series(1, 5) i;
select fx.reg('c1', 'u' || i, 'public') from generate_series(1, 4) i;
\o
select is(fx.queue('c1', 'public'), 'u1:confirmed u2:waitlisted u3:waitlisted u4:waitlisted',
          'one seat, three waiting');
select fx.reg_id('c1', 'u1') as id1, fx.reg_id('c1', 'u2') as id2, fx.reg_id('c1', 'u3') as id3,
       fx.reg_id('c1', 'u4') as id4 \gset
select max(seq) as seq0 from allocation_log \gset

-- the participant cancels: the first waitlisted gets the seat
select fx.call(format('select reg_cancel(%L, %L, false)', :'id1', 'u1')) as x1 \gset
select is((:'x1'::json)->>'status', '200', 'cancel: 200');
select is((:'x1'::json)->'body'->>'status', 'cancelled', 'the answer shows the cancelled registration');
select is((:'x1'::json)->'body'->>'id', :'id1', 'the same registration');
select is(fx.queue('c1', 'public'), 'u1:cancelled u2:confirmed u3:waitlisted u4:waitlisted',
          'u2, first on the waitlist, is confirmed');
select is(fx.held('c1', 'public'), 1, 'the seat counter is back to one');
select is(fx.held_rows('c1', 'public'), 1, 'one registration holds the seat');
select is((select cancelled_by from registrations where id = :'id1'), 'u1', 'cancelled_by is the participant');
select ok((select cancelled_at is not null from registrations where id = :'id1'), 'cancelled_at is set');
select is((reg_json(r))->>'waitlist_position', '1', 'u3 moves up to position 1')
  from registrations r where id = :'id3';
select is((select string_agg(outcome || ':' || user_id, ' ' order by seq) from allocation_log
            where seq > :seq0), 'cancelled:u1 promoted:u2',
          'the log: the cancellation, then the promotion');
select is((select registration_id from allocation_log where outcome = 'promoted'), :'id2',
          'the promotion is logged with the promoted registration');

-- cancelling again changes nothing
select max(seq) as seq1 from allocation_log \gset
select fx.call(format('select reg_cancel(%L, %L, false)', :'id1', 'u1')) as x2 \gset
select is((:'x2'::json)->>'status', '200', 'cancelling a cancelled registration: 200');
select is((:'x2'::json)->'body'->>'status', 'cancelled', 'still cancelled');
select is(fx.queue('c1', 'public'), 'u1:cancelled u2:confirmed u3:waitlisted u4:waitlisted',
          'nobody else moved');
select is(fx.held('c1', 'public'), 1, 'the counter did not move');
select is((select count(*)::integer from allocation_log where seq > :seq1), 0, 'nothing new in the log');

-- someone else's registration
select fx.call(format('select reg_cancel(%L, %L, false)', :'id2', 'u3')) as x3 \gset
select is((:'x3'::json)->>'status', '404', 'cancelling someone else''s registration: 404');
select is((:'x3'::json)->'body'->'error'->>'code', 'not_found', 'not_found, as if it did not exist');
select is(fx.status('c1', 'u2'), 'confirmed', 'u2 keeps the seat');
select is((fx.call($$select reg_cancel('no-such-id', 'u1', false)$$))->>'status', '404',
          'an unknown registration: 404');
select is((fx.call(format('select reg_cancel(%L, %L, false)', :'id2', 'adm')))->>'status', '404',
          'an admin''s id without p_is_admin is no key');

-- an admin cancels anyone's
select fx.call(format('select reg_cancel(%L, %L, true)', :'id2', 'adm')) as x4 \gset
select is((:'x4'::json)->>'status', '200', 'an admin cancels u2''s registration: 200');
select is((select cancelled_by from registrations where id = :'id2'), 'adm', 'cancelled_by is the admin');
select is(fx.queue('c1', 'public'), 'u1:cancelled u2:cancelled u3:confirmed u4:waitlisted',
          'u3 is promoted');
select is(fx.held('c1', 'public'), fx.held_rows('c1', 'public'), 'counter and rows agree');

-- cancelling a waitlist place frees no seat
select max(seq) as seq2 from allocation_log \gset
select is((fx.call(format('select reg_cancel(%L, %L, false)', :'id4', 'u4')))->'body'->>'status',
          'cancelled', 'u4 leaves the waitlist');
select is(fx.queue('c1', 'public'), 'u1:cancelled u2:cancelled u3:confirmed u4:cancelled',
          'the seat holder is untouched');
select is(fx.held('c1', 'public'), 1, 'the counter is unchanged');
select is((select string_agg(outcome || ':' || user_id, ' ' order by seq) from allocation_log
            where seq > :seq2), 'cancelled:u4', 'only the cancellation is logged');

-- nobody waiting: the seat is free for the next one
select is((fx.call(format('select reg_cancel(%L, %L, false)', :'id3', 'u3')))->>'status', '200',
          'u3 cancels with nobody waiting');
select is(fx.held('c1', 'public'), 0, 'the seat is free');
select is((fx.reg('c1', 'u5', 'public'))->'body'->>'status', 'confirmed', 'a newcomer takes it');
select is((fx.reg('c1', 'u1', 'public'))->'body'->>'status', 'waitlisted',
          'u1 may register again after cancelling, at the end of the queue');
select is((select count(*)::integer from registrations where user_id = 'u1'), 2,
          'u1 now has the cancelled row and a new one');
select is(fx.held('c1', 'public'), fx.held_rows('c1', 'public'), 'counter and rows still agree');

select * from finish();
rollback;
