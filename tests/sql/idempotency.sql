-- reg_register_idem: the first answer to an Idempotency-Key is kept and
-- replayed for the same request; another request under the key is refused.
begin;
\ir lib/fixtures.psql
select plan(26);

\o /dev/null
select fx.cohort('ci');
select fx.segment('ci', 'public', 1);
select fx.segment('ci', 'umkm', 1, false);
select fx.participant('u' || i) from generate_series(1, 4) i;
\o

select fx.call($$select reg_register_idem('ci', 'u1', 'public', 'k1', '{"segment":"public"}')$$) as f1 \gset
select is((:'f1'::json)->>'status', '201', 'first request: 201');
select is((:'f1'::json)->'body'->>'status', 'confirmed', 'first request: confirmed');
select is((:'f1'::json)->>'replayed', null, 'the first answer is not a replay');
select results_eq($$select status, response::jsonb from idempotency_keys where user_id = 'u1' and key = 'k1'$$,
                  format('values (201, %L::jsonb)', (:'f1'::json)->'body'),
                  'the answer is stored under the key');

select fx.call($$select reg_register_idem('ci', 'u1', 'public', 'k1', '{"segment":"public"}')$$) as f2 \gset
select is((:'f2'::json)->>'status', '201', 'same key, same request: the same status');
select is(((:'f2'::json)->'body')::jsonb, ((:'f1'::json)->'body')::jsonb, 'and the same body');
select is((:'f2'::json)->>'replayed', 'true', 'marked as replayed');
select is((select count(*)::integer from registrations where user_id = 'u1'), 1, 'one registration row');
select is(fx.log('ci'), 'confirmed:u1', 'one attempt in the allocation log');

select fx.call($$select reg_register_idem('ci', 'u1', 'umkm', 'k1', '{"segment":"umkm"}')$$) as f3 \gset
select is((:'f3'::json)->>'status', '422', 'same key, another request: 422');
select is((:'f3'::json)->'body'->'error'->>'code', 'idempotency_key_reused', 'idempotency_key_reused');
select is((select count(*)::integer from registrations where user_id = 'u1'), 1, 'still one registration row');
select is(fx.log('ci'), 'confirmed:u1', 'and nothing more in the log');
select is((select status from idempotency_keys where user_id = 'u1' and key = 'k1'), 201,
          'the stored answer is kept');

-- keys belong to a user
select fx.call($$select reg_register_idem('ci', 'u2', 'public', 'k1', '{"segment":"public"}')$$) as g1 \gset
select is((:'g1'::json)->'body'->>'status', 'waitlisted', 'another user''s k1 is another key: u2 is waitlisted');
select is((:'g1'::json)->>'replayed', null, 'not a replay');

-- a new key is a new attempt
select is((fx.call($$select reg_register_idem('ci', 'u1', 'public', 'k2', '{"segment":"public"}')$$))->'body'->'error'->>'code',
          'already_registered', 'u1 with a new key: already_registered');
select is((fx.call($$select reg_register_idem('ci', 'u1', 'public', 'k2', '{"segment":"public"}')$$))->>'status',
          '409', 'which is replayed as such');

-- a refusal is an answer too, replayed even when the seat frees later
\o /dev/null
select fx.reg('ci', 'u3', 'umkm');
\o
select is((fx.call($$select reg_register_idem('ci', 'u4', 'umkm', 'k3', '{"segment":"umkm"}')$$))->'body'->'error'->>'code',
          'segment_full', 'u4: segment_full');
select is((fx.call(format('select reg_cancel(%L, %L, false)', fx.reg_id('ci', 'u3'), 'u3')))->>'status',
          '200', 'u3 frees the umkm seat');
select fx.call($$select reg_register_idem('ci', 'u4', 'umkm', 'k3', '{"segment":"umkm"}')$$) as h2 \gset
select is((:'h2'::json)->>'status', '409', 'u4 repeating k3: the stored 409');
select is((:'h2'::json)->'body'->'error'->>'code', 'segment_full', 'segment_full, replayed');
select is((fx.call($$select reg_register_idem('ci', 'u4', 'umkm', 'k4', '{"segment":"umkm"}')$$))->'body'->>'status',
          'confirmed', 'u4 with a new key gets the free seat');

-- without a key: a plain registration, nothing stored
select is((select count(*)::integer from idempotency_keys), 5, 'five keys stored');
select is((fx.call($$select reg_register_idem('ci', 'u2', 'public', null, '{"segment":"public"}')$$))->'body'->'error'->>'code',
          'already_registered', 'no key: reg_register answers');
select is((select count(*)::integer from idempotency_keys), 5, 'and no key is stored');

select * from finish();
rollback;
