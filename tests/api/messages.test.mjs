// Messages (issue 13) against real peers on loopback: an SMTP server
// (aiosmtpd) and an HTTP sink for the WhatsApp/SMS webhook. Every kind of
// message arrives with the right recipient, language, links and headers;
// the webhook's HMAC verifies; announcements reach only their segment;
// without a channel nothing is dropped; failed messages are shown and sent
// again; the logs never hold a body, an address or a link's token.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/harness.mjs';
import { call, show, newAdmin, putProfile, sql, lit } from './lib/accounts.mjs';
import { cohort, participant, register, cancel, newInstructor, addInstructor } from './lib/cohorts.mjs';
import { certClass, graduate, issue } from './lib/certificates.mjs';
import { createSession } from './lib/content.mjs';
import { smtpSink, webhookSink, mailEnv, signatureOk, until, to } from './lib/mail.mjs';

const PUBLIC = 'https://sinau.example.test';
const SECRET = 'webhook-secret-for-tests';
let smtp, hook, server, admin, base;

before(async () => {
  smtp = await smtpSink();
  hook = await webhookSink();
  server = await startServer({ env: mailEnv(smtp, { webhook: hook, secret: SECRET }) });
  base = server.url;
  admin = await newAdmin(server);
});
after(async () => {
  await server?.stop();
  await smtp?.stop();
  await hook?.close();
});

const kindOf = (m) => m.headers['X-Sinau-Kind'];
// Waits for the message of `kind` to `email`; resolves to it.
async function mailOf(email, kind, ms = 20000) {
  let found;
  await until(() => (found = to(smtp, email).find((m) => kindOf(m) === kind)), ms, () => `${kind} to ${email}; have ${to(smtp, email).map(kindOf)}`);
  return found;
}

function checkHeaders(m, { lang, security = false }) {
  assert.equal(m.headers['Content-Language'], lang);
  assert.match(m.headers['Message-ID'], /^<sinau\.\d+@sinau\.example\.test>$/);
  assert.match(m.headers.From, /sinau@example\.test/);
  assert.equal(m.mail_from, 'sinau@example.test');
  if (security) assert.equal(m.headers['List-Unsubscribe'], undefined, 'no List-Unsubscribe on security mail');
  else {
    assert.match(m.headers['List-Unsubscribe'], /^<https:\/\/sinau\.example\.test\/api\/v1\/unsubscribe\?u=[\w-]+&t=[0-9a-f]{64}>$/);
    assert.equal(m.headers['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
  }
  assert.ok(m.text && m.html, 'plain text and HTML');
  assert.doesNotMatch(m.html, /<img|<script|src=/i, 'no images or scripts in the HTML');
}

async function setLanguage(p, language) {
  const r = await call(base, 'PUT', '/api/v1/me/notifications', { token: p.token, json: { language } });
  assert.equal(r.status, 200, show(r));
  assert.equal(r.json.language, language);
}

test('registration, waiting list, cancellation, an offer and its reminder, promotion: each in the recipient\'s language', async () => {
  const c = await cohort(base, admin, {
    name: 'Angkatan <Satu> & "Malang"',
    offer_ttl_s: 3600,
    segments: [{ segment: 'umkm', quota: 1, waitlist: true }],
  });
  const first = await participant(base, { segment: 'umkm', full_name: 'Sri <Wahyuni>' });
  const second = await participant(base, { segment: 'umkm', full_name: 'John Smith' });
  await setLanguage(second, 'en');

  const r1 = await register(base, first.token, c.id, 'umkm');
  assert.equal(r1.status, 201, show(r1));
  const confirmed = await mailOf(first.email, 'registration_confirmed');
  checkHeaders(confirmed, { lang: 'id' });
  assert.deepEqual(confirmed.rcpt_tos, [first.email]);
  assert.match(confirmed.headers.Subject, /terkonfirmasi/);
  assert.ok(confirmed.text.includes('Halo Sri <Wahyuni>'), confirmed.text);
  assert.ok(confirmed.text.includes(`${PUBLIC}/cohorts/${c.id}`), 'the cohort link');
  assert.ok(confirmed.html.includes('Angkatan &lt;Satu&gt; &amp; &quot;Malang&quot;'), 'names escaped in HTML');
  assert.ok(confirmed.html.includes(`<a href="${PUBLIC}/cohorts/${c.id}">`), 'the link clickable');

  const r2 = await register(base, second.token, c.id, 'umkm');
  assert.equal(r2.json.status, 'waitlisted', show(r2));
  const waiting = await mailOf(second.email, 'registration_waitlisted');
  checkHeaders(waiting, { lang: 'en' });
  assert.match(waiting.headers.Subject, /waiting list/);
  assert.match(waiting.text, /number 1 on the waiting list/);

  assert.equal((await cancel(base, first.token, r1.json.id)).status, 200);
  const cancelled = await mailOf(first.email, 'registration_cancelled');
  assert.match(cancelled.headers.Subject, /dibatalkan/);
  const offered = await mailOf(second.email, 'seat_offered');
  checkHeaders(offered, { lang: 'en' });
  assert.match(offered.text, /offered to you until \d{2}-\d{2}-\d{4} \d{2}:\d{2} WIB/);
  assert.ok(offered.text.includes(`${PUBLIC}/me/cohorts`), 'the accept link (where the accept button is)');

  // two thirds of the offer's time gone: the reminder, once
  const [reg] = (await sql(server, `select id from registrations where cohort_id = ${lit(c.id)} and status = 'offered'`)).split('\n');
  await sql(server, `update registrations set offer_expires_at = now() + interval '15 minutes' where id = ${lit(reg)}`);
  const reminder = await mailOf(second.email, 'offer_reminder');
  assert.match(reminder.headers.Subject, /^Reminder: your seat in .* is held until .* WIB$/);
  await until(async () => Number(await sql(server, "select count(*) from outbox where kind = 'offer_reminder' and state = 'sent'")) === 1, 10000);
  assert.equal(Number(await sql(server, `select count(*) from outbox where kind = 'offer_reminder' and params->>'registration_id' = ${lit(reg)}`)), 1, 'one reminder per offer');

  // promotion when the cohort gives seats at once (no offer time)
  const d = await cohort(base, admin, { segments: [{ segment: 'public', quota: 1, waitlist: true }] });
  const a = await participant(base, { segment: 'public' });
  const b = await participant(base, { segment: 'public' });
  const ra = await register(base, a.token, d.id, 'public');
  await register(base, b.token, d.id, 'public');
  await cancel(base, a.token, ra.json.id);
  const promoted = await mailOf(b.email, 'promoted');
  assert.match(promoted.headers.Subject, /kini milik Anda/);
});

test('a cohort starting tomorrow, a live session within the hour, grades released, a certificate issued', async () => {
  const cr = await certClass(server, admin, { lessons: 1, participants: 1, rules: { min_lesson_percent: 100, require_assignments_passed: true } });
  const p = cr.people[0];
  // certClass's cohort has ended (issue 12: certificates only then); it starts tomorrow for the notice
  const today = "(now() at time zone 'Asia/Jakarta')::date";
  await sql(server, `update cohorts set starts_on = ${today} + 1, ends_on = ${today} + 7 where id = ${lit(cr.cohort.id)}`);
  const tomorrow = await mailOf(p.email, 'cohort_tomorrow');
  assert.match(tomorrow.headers.Subject, /dimulai besok/);
  assert.ok(tomorrow.text.includes(`${PUBLIC}/api/v1/cohorts/${cr.cohort.id}/calendar.ics`), 'the calendar link');

  const start = Date.now() + 30 * 60000;
  const s = await createSession(base, cr.instructor.token, cr.cohort.id, { title: 'Praktik Live', starts_at: new Date(start).toISOString(), ends_at: new Date(start + 3600000).toISOString(), online_url: 'https://meet.example.test/abc' });
  assert.equal(s.status, 201, show(s));
  const soon = await mailOf(p.email, 'session_soon');
  assert.match(soon.headers.Subject, /^Satu jam lagi: Praktik Live$/);
  assert.ok(soon.text.includes('https://meet.example.test/abc'));

  await graduate(base, cr, p);
  const grades = await mailOf(p.email, 'grades_released');
  assert.match(grades.headers.Subject, /Nilai Anda/);
  await sql(server, `update cohorts set starts_on = ${today} - 7, ends_on = ${today} - 1 where id = ${lit(cr.cohort.id)}`);
  const issued = await issue(base, admin.token, cr.cohort.id);
  assert.equal(issued.status, 200, show(issued));
  const [certId] = (await sql(server, `select id from certificates where cohort_id = ${lit(cr.cohort.id)}`)).split('\n');
  const cert = await mailOf(p.email, 'certificate_issued');
  assert.ok(cert.text.includes(`${PUBLIC}/credentials/${certId}`), 'the verify URL');
  assert.equal(Number(await sql(server, `select count(*) from outbox where user_id = ${lit(p.id)} and kind = 'cohort_tomorrow'`)), 1, 'one notice per cohort');
});

test('an announcement to one segment reaches only that segment; the cohort page shows it to whom it was for', async () => {
  const c = await cohort(base, admin, {});
  const instructor = await newInstructor(server);
  assert.equal((await addInstructor(base, admin.token, c.id, instructor.id)).status, 201);
  const asn = [await participant(base, { segment: 'asn' }), await participant(base, { segment: 'asn' })];
  const pub = await participant(base, { segment: 'public' });
  for (const p of asn) assert.equal((await register(base, p.token, c.id, 'asn')).status, 201);
  assert.equal((await register(base, pub.token, c.id, 'public')).status, 201);

  const post = (who, json) => call(base, 'POST', `/api/v1/cohorts/${c.id}/announcements`, { token: who.token, json });
  assert.equal((await post(pub, { subject: 'x', body_markdown: 'y' })).status, 403, 'participants cannot announce');
  assert.equal((await post(instructor, { subject: 'x', body_markdown: 'y', segment: 'nope' })).json.error.code, 'invalid_segment');
  assert.equal((await post(instructor, { subject: '', body_markdown: 'y' })).json.error.code, 'invalid_subject');
  const a = await post(instructor, { subject: 'Bawa laptop', body_markdown: 'Sesi **ASN** besok di <b>Balai Kota</b>.', segment: 'asn' });
  assert.equal(a.status, 201, show(a));
  assert.equal(a.json.recipients, 2);
  assert.ok(a.json.body_html.includes('<strong>ASN</strong>') && !a.json.body_html.includes('<b>'), 'Markdown rendered, HTML inert');

  for (const p of asn) {
    const m = await mailOf(p.email, 'announcement');
    assert.equal(m.headers.Subject, 'Bawa laptop');
    assert.ok(m.text.includes('Sesi **ASN** besok'));
    assert.ok(m.html.includes('&lt;b&gt;Balai Kota&lt;/b&gt;'), 'the body escaped in the mail');
  }
  await smtp.waitFor(smtp.messages.length); // nothing more pending for pub:
  await until(async () => Number(await sql(server, `select count(*) from outbox where kind = 'announcement' and cohort_id = ${lit(c.id)} and state <> 'sent'`)) === 0, 10000);
  assert.equal(to(smtp, pub.email).filter((m) => kindOf(m) === 'announcement').length, 0, 'the other segment got nothing');

  const seen = async (who) => (await call(base, 'GET', `/api/v1/cohorts/${c.id}/announcements`, { token: who.token }));
  assert.equal((await seen(asn[0])).json.items.length, 1);
  assert.equal((await seen(pub)).json.items.length, 0);
  assert.equal((await seen(instructor)).json.items.length, 1);
  const outsider = await participant(base, { segment: 'public' });
  assert.equal((await seen(outsider)).status, 404);
});

test('WhatsApp through the signed webhook when chosen and a phone is on the profile', async () => {
  const c = await cohort(base, admin, {});
  const p = await participant(base, { segment: 'umkm' });
  const noPhone = await call(base, 'PUT', '/api/v1/me/notifications', { token: p.token, json: { whatsapp: true } });
  assert.equal(noPhone.status, 422);
  assert.equal(noPhone.json.error.code, 'phone_required');
  assert.equal((await putProfile(base, p.token, { phone: '0812-3456-7890' })).status, 200);
  const prefs = await call(base, 'PUT', '/api/v1/me/notifications', { token: p.token, json: { whatsapp: true } });
  assert.equal(prefs.status, 200, show(prefs));
  assert.deepEqual({ email: prefs.json.email, whatsapp: prefs.json.whatsapp, reminders: prefs.json.reminders }, { email: true, whatsapp: true, reminders: true });
  assert.equal((await register(base, p.token, c.id, 'umkm')).status, 201);

  await until(() => hook.calls.some((x) => x.json?.to === '+6281234567890'), 20000, () => 'the webhook call');
  const callMade = hook.calls.find((x) => x.json?.to === '+6281234567890');
  assert.equal(callMade.method, 'POST');
  assert.equal(callMade.headers['content-type'], 'application/json');
  assert.ok(signatureOk(callMade, SECRET), 'X-Sinau-Signature verifies');
  assert.ok(!signatureOk(callMade, 'another-secret'));
  assert.equal(callMade.json.kind, 'registration_confirmed');
  assert.match(callMade.json.message_id, /^sinau\.\d+@sinau\.example\.test$/);
  assert.ok(callMade.json.text.includes(`${PUBLIC}/cohorts/${c.id}`));
  assert.deepEqual(Object.keys(callMade.json).sort(), ['kind', 'message_id', 'text', 'to']);
  await mailOf(p.email, 'registration_confirmed'); // and by e-mail too
});

test('choices: e-mail off stops ordinary mail, never security mail; reminders off; one-click unsubscribe', async () => {
  const c = await cohort(base, admin, {});
  const p = await participant(base, { segment: 'umkm' });
  const r = await register(base, p.token, c.id, 'umkm');
  const m = await mailOf(p.email, 'registration_confirmed');
  const link = /^<(.*)>$/.exec(m.headers['List-Unsubscribe'])[1].replace(PUBLIC, base);
  const followed = await call(base, 'GET', link);
  assert.equal(followed.status, 303, 'a GET changes nothing, it leads to the page');
  assert.equal(followed.headers.location, link.slice(base.length).replace('/api/v1/unsubscribe', '/unsubscribe'));
  assert.equal((await call(base, 'GET', '/api/v1/me/notifications', { token: p.token })).json.email, true);
  const forged = await call(base, 'POST', link.replace(/t=[0-9a-f]{4}/, 't=0000'), { body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(forged.status, 404);
  const u = await call(base, 'POST', link, { body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(u.status, 200, show(u));
  const prefs = await call(base, 'GET', '/api/v1/me/notifications', { token: p.token });
  assert.equal(prefs.json.email, false);

  await cancel(base, p.token, r.json.id);
  assert.equal(Number(await sql(server, `select count(*) from outbox where user_id = ${lit(p.id)} and kind = 'registration_cancelled'`)), 0, 'no ordinary mail once unsubscribed');
  assert.equal((await call(base, 'POST', '/api/v1/auth/password-reset', { json: { email: p.email } })).status, 202);
  const reset = await mailOf(p.email, 'password_reset');
  checkHeaders(reset, { lang: 'id', security: true });

  const q = await participant(base, { segment: 'umkm' });
  assert.equal((await call(base, 'PUT', '/api/v1/me/notifications', { token: q.token, json: { reminders: false } })).status, 200);
  await register(base, q.token, c.id, 'umkm');
  await sql(server, `update cohorts set starts_on = (now() at time zone 'Asia/Jakarta')::date + 1 where id = ${lit(c.id)}`);
  await mailOf(q.email, 'registration_confirmed');
  await sql(server, 'select msg_tick()');
  assert.equal(Number(await sql(server, `select count(*) from outbox where user_id = ${lit(q.id)} and kind = 'cohort_tomorrow'`)), 0, 'no reminder when turned off');
  const bad = await call(base, 'PUT', '/api/v1/me/notifications', { token: q.token, json: { language: 'fr' } });
  assert.equal(bad.json.error.code, 'invalid_language');
});

test('the delivery log: filters, masked recipients, admins only; metrics', async () => {
  const log = await call(base, 'GET', '/api/v1/messages?state=sent&channel=email&limit=5', { token: admin.token });
  assert.equal(log.status, 200, show(log));
  assert.ok(log.json.items.length > 0 && log.json.items.length <= 5);
  for (const it of log.json.items) {
    assert.equal(it.state, 'sent');
    assert.equal(it.channel, 'email');
    assert.match(it.recipient, /^.\*\*\*@example\.test$/, 'the address masked');
  }
  const next = await call(base, 'GET', `/api/v1/messages?state=sent&limit=5&cursor=${log.json.next_cursor}`, { token: admin.token });
  assert.ok(next.json.items.every((x) => x.id < log.json.items.at(-1).id), 'the next page is older');
  assert.equal((await call(base, 'GET', '/api/v1/messages?state=lost', { token: admin.token })).status, 422);
  const p = await participant(base, {});
  assert.equal((await call(base, 'GET', '/api/v1/messages', { token: p.token })).status, 403);

  let text = '';
  await until(async () => {
    text = (await call(base, 'GET', '/metrics')).text;
    return /sinau_messages\{state="sent",channel="email"\} [1-9]/.test(text);
  }, 15000, () => 'sent messages in the metrics');
  assert.match(text, /sinau_messages_oldest_due_seconds \d/);
  assert.match(text, /sinau_message_send_seconds_count\{channel="email"\} [1-9]/);
  assert.match(text, /sinau_message_sends_total\{channel="whatsapp",result="sent"\} [1-9]/);

  // what the server logged: never a body, a full address or a link's token
  const logs = server.logs().join('\n');
  for (const m of smtp.messages) {
    for (const r of m.rcpt_tos) assert.ok(!logs.includes(r), `an address in the logs: ${r}`);
    const token = /token=([\w-]{43})/.exec(m.text ?? '');
    if (token) assert.ok(!logs.includes(token[1]), 'a token in the logs');
  }
});

test('without a channel messages are kept as undeliverable, shown to admins and sent again on request', async () => {
  const bare = await startServer({ env: { SINAU_PUBLIC_URL: PUBLIC } });
  const boss = await newAdmin(bare);
  const c = await cohort(bare.url, boss, {});
  const p = await participant(bare.url, { segment: 'umkm' });
  assert.equal((await register(bare.url, p.token, c.id, 'umkm')).status, 201);
  let item;
  await until(async () => {
    const r = await call(bare.url, 'GET', `/api/v1/messages?user_id=${p.id}`, { token: boss.token });
    item = r.json.items[0];
    return item?.state === 'undeliverable';
  }, 15000, () => `undeliverable (have ${JSON.stringify(item)})`);
  assert.equal(item.error, 'no channel');
  assert.equal(item.kind, 'registration_confirmed');
  const again = await call(bare.url, 'POST', `/api/v1/messages/${item.id}/resend`, { token: boss.token });
  assert.equal(again.status, 200, show(again));
  assert.equal(again.json.state, 'queued');
  await until(async () => (await call(bare.url, 'GET', `/api/v1/messages?user_id=${p.id}`, { token: boss.token })).json.items[0].state === 'undeliverable', 15000);
  assert.equal(Number(await sql(bare, `select resent from outbox where id = ${item.id}`)), 1);
  assert.equal(await sql(bare, `select action from audit_log where action = 'message.resent'`), 'message.resent');
  assert.equal((await call(bare.url, 'POST', '/api/v1/messages/999999/resend', { token: boss.token })).status, 404);
  await bare.stop();
});

test('after the configured tries a message is failed with its error; resent once SMTP is back, with the same Message-ID', async () => {
  const down = await smtpSink();
  await down.stop();
  const s = await startServer({ env: mailEnv(down, { extra: { SINAU_OUTBOX_MAX_ATTEMPTS: 2, SINAU_OUTBOX_BACKOFF_MS: 100, SINAU_OUTBOX_BACKOFF_MAX_MS: 200 } }) });
  const boss = await newAdmin(s);
  const c = await cohort(s.url, boss, {});
  const p = await participant(s.url, { segment: 'umkm' });
  await register(s.url, p.token, c.id, 'umkm');
  let item;
  await until(async () => {
    item = (await call(s.url, 'GET', '/api/v1/messages?state=failed', { token: boss.token })).json.items[0];
    return item !== undefined;
  }, 20000, () => 'a failed message');
  assert.equal(item.attempts, 2);
  assert.match(item.error, /^smtp: /);
  assert.ok(!item.error.includes(p.email), 'the error holds no address');
  await down.start();
  const sent = await call(s.url, 'POST', `/api/v1/messages/${item.id}/resend`, { token: boss.token });
  assert.equal(sent.status, 200);
  assert.equal((await call(s.url, 'POST', `/api/v1/messages/${item.id}/resend`, { token: boss.token })).json.error.code, 'not_resendable');
  await down.waitFor(1);
  assert.equal(down.messages[0].headers['Message-ID'], `<sinau.${item.id}@sinau.example.test>`);
  await s.stop();
  await down.stop();
});
