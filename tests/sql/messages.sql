-- Messages (issue 13): what msg_enqueue writes for a participant's choices,
-- security messages always by e-mail, reminders off, a disabled account;
-- rendering in id and en with escaping; claiming with a lease; retries with
-- exponential backoff and jitter, failed after the configured tries;
-- resending; the scheduled reminders, each once; account recovery rules.
begin;
\ir lib/fixtures.psql
select plan(36);

\o /dev/null
select fx.participant('ana');
select fx.participant('ben');
select fx.participant('cai');
\o
update users set full_name = 'Ana <b>&</b>' where id = 'ana';
update users set language = 'en' where id = 'ben';
insert into profiles (user_id, phone_enc, phone_mask) values ('cai', 'v1.x', '0812****7890')
on conflict (user_id) do update set phone_enc = 'v1.x', phone_mask = '0812****7890';

-- ---- what is written
select is(msg_enqueue('ana', 'registration_confirmed', '{}'), 1, 'by e-mail by default');
insert into message_prefs (user_id, email, whatsapp) values ('cai', true, true);
select is(msg_enqueue('cai', 'registration_confirmed', '{}'), 2, 'e-mail and WhatsApp when chosen with a phone');
insert into message_prefs (user_id, email, whatsapp) values ('ben', false, true);
select is(msg_enqueue('ben', 'registration_confirmed', '{}'), 0, 'WhatsApp without a phone, e-mail off: nothing');
select is(msg_enqueue('ben', 'password_reset', '{}', null, null, 'h', 'enc'), 1, 'a security message goes by e-mail anyway');
select is((select channel from outbox where user_id = 'ben'), 'email', 'by e-mail');
update message_prefs set reminders = false where user_id = 'cai';
select is(msg_enqueue('cai', 'cohort_tomorrow', '{}'), 0, 'reminders off: none');
select is(msg_enqueue('ana', 'offer_reminder', '{}', null, 'k1'), 1, 'a reminder with a dedup key');
select is(msg_enqueue('ana', 'offer_reminder', '{}', null, 'k1'), 0, 'the same key: nothing more');
update users set status = 'disabled' where id = 'ana';
select is(msg_enqueue('ana', 'registration_confirmed', '{}'), 0, 'nothing for a disabled account');
update users set status = 'active' where id = 'ana';

-- ---- rendering
select o.id as ana_id from outbox o where user_id = 'ana' and kind = 'registration_confirmed' \gset
select (msg_render(o, u)).* from outbox o join users u on u.id = o.user_id where o.id = :ana_id \gset r_
select is(:'r_subject'::text, 'Kursi Anda di {cohort} terkonfirmasi', 'Indonesian subject (no cohort: left as written)');
select ok(:'r_body_text' like 'Halo Ana <b>&</b>,%', 'the text keeps the name as it is');
select ok(:'r_body_html' like '%Halo Ana &lt;b&gt;&amp;&lt;/b&gt;,%', 'the HTML escapes it');
select ok(:'r_body_text' like '%{base}/me/notifications', 'ordinary mail ends with where to choose');
select ok(:'r_body_html' not like '%<img%', 'no image in the HTML');
select (msg_render(o, u)).* from outbox o join users u on u.id = o.user_id
 where o.user_id = 'ben' and o.kind = 'password_reset' \gset s_
select is(:'s_subject'::text, 'Reset your Sinau password', 'English for an English reader');
select ok(:'s_body_text' like '%{base}/reset?token={secret}%', 'the link with the secret''s placeholder');
select ok(:'s_body_text' not like '%/me/notifications%', 'no choices footer on security mail');
select ok(:'s_body_html' like '%<a href="{base}/reset?token={secret}">%', 'the link clickable');

-- ---- claiming, retries, failing
select is((select count(*) from msg_claim('i1', 100, 60))::int, 5, 'every due row claimed');
select is((select count(*) from msg_claim('i2', 100, 60))::int, 0, 'a claimed row is not claimed again while leased');
select is((select min(attempts) from outbox), 1, 'one try counted');
select msg_retry(:ana_id, 'smtp: refused', 3, 1000, 60000);
select is((select state from outbox where id = :ana_id), 'queued', 'a failed try: queued again');
select ok((select next_attempt_at between now() + interval '0.5 s' and now() + interval '1.5 s'
             from outbox where id = :ana_id), 'after the base delay, jittered ±50 %');
update outbox set next_attempt_at = now() where id = :ana_id;
select is((select count(*) from msg_claim('i1', 1, 60))::int, 1, 'due again');
select msg_retry(:ana_id, 'smtp: refused', 3, 1000, 60000);
select ok((select next_attempt_at between now() + interval '1 s' and now() + interval '3 s'
             from outbox where id = :ana_id), 'the second wait doubles');
update outbox set next_attempt_at = now() where id = :ana_id;
select is((select count(*) from msg_claim('i1', 1, 60))::int, 1, 'third try');
select msg_retry(:ana_id, 'smtp: refused', 3, 1000, 60000);
select is((select state || ' ' || last_error from outbox where id = :ana_id), 'failed smtp: refused',
          'failed after three tries, with its error');
select is((msg_resend(:ana_id, null, null))->'body'->>'state', 'queued', 'an admin resends it');
select is((select attempts from outbox where id = :ana_id), 0, 'its tries start again');
select is((msg_resend(:ana_id, null, null))->>'status', '409', 'a queued one cannot be resent');
select o.id as ben_id from outbox o where user_id = 'ben' \gset
select msg_sent(:ben_id);
select is((select state from outbox where id = :ben_id), 'sent', 'sent');
select is((select secret_enc from outbox where id = :ben_id), null, 'the secret forgotten once sent');

-- ---- the scheduled reminders, each once
\o /dev/null
select fx.cohort('co');
select fx.segment('co', 'public', 5);
select fx.reg('co', 'ana', 'public');
\o
update cohorts set starts_on = (now() at time zone 'Asia/Jakarta')::date + 1 where id = 'co';
select is(msg_tick(), 1, 'a cohort starting tomorrow: one notice');
select is(msg_tick(), 0, 'and only one');

-- ---- recovery
select is((msg_reset_confirm(repeat('0', 64), 'x', null))->>'status', '400', 'an unknown token');
select is((msg_verify_email(repeat('0', 64)))->'body'->'error'->>'code', 'invalid_token', 'an unknown verification');

select * from finish();
rollback;
