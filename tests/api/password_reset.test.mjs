// Account recovery (issue 13) end to end through a real SMTP server: the
// reset link comes by mail and works once, expires, ends every session and
// sends a notice; unknown addresses get the same answer and no mail; asking
// is throttled per client address (429) and per account (silently); a
// signed-in user changes the password (other sessions end); an admin sends
// a link (audited); with SINAU_VERIFY_EMAIL=1 an account registers only
// after following its e-mail link.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/harness.mjs';
import { call, show, newAdmin, newParticipant, login, me, sql, lit, uniqueEmail, PASSWORD, signup } from './lib/accounts.mjs';
import { cohort, participant, register } from './lib/cohorts.mjs';
import { smtpSink, mailEnv, until, to } from './lib/mail.mjs';

const PUBLIC = 'https://sinau.example.test';
const NEW_PASSWORD = 'Rawon-Setan-2025!';
let smtp, server, base;

before(async () => {
  smtp = await smtpSink();
  server = await startServer({ env: mailEnv(smtp) });
  base = server.url;
});
after(async () => {
  await server?.stop();
  await smtp?.stop();
});

const kindOf = (m) => m.headers['X-Sinau-Kind'];
const mails = (email, kind) => to(smtp, email).filter((m) => kindOf(m) === kind);
async function nthMail(email, kind, n = 1) {
  await until(() => mails(email, kind).length >= n, 20000, () => `${n} ${kind} to ${email}`);
  return mails(email, kind)[n - 1];
}
const tokenIn = (m) => {
  const found = new RegExp(`${PUBLIC.replace(/\./g, '\\.')}/reset\\?token=([\\w-]{43})`).exec(m.text);
  assert.ok(found, `a reset link in: ${m.text}`);
  return found[1];
};
// Each test asks from its own loopback address (the per-address throttle).
let nextAddr = 10;
const addr = () => `127.0.0.${nextAddr++}`;
const ask = (email, localAddress) => call(base, 'POST', '/api/v1/auth/password-reset', { json: { email }, localAddress });
const confirm = (token, password = NEW_PASSWORD) => call(base, 'POST', '/api/v1/auth/password-reset/confirm', { json: { token, password } });

test('the reset link by mail: single use, sessions ended, a notice; the same answer for unknown addresses', async () => {
  const from = addr();
  const p = await newParticipant(base);
  const other = await login(base, p.email); // a second session
  const known = await ask(p.email, from);
  const unknown = await ask(uniqueEmail('nobody'), from);
  assert.equal(known.status, 202);
  assert.equal(unknown.status, 202);
  assert.equal(known.text, unknown.text, 'the same body');
  assert.deepEqual(Object.keys(known.headers).filter((h) => !['date', 'x-request-id', 'content-length'].includes(h)).sort(),
    Object.keys(unknown.headers).filter((h) => !['date', 'x-request-id', 'content-length'].includes(h)).sort(), 'the same headers');

  const m = await nthMail(p.email, 'password_reset');
  assert.equal(m.headers['List-Unsubscribe'], undefined);
  assert.match(m.headers.Subject, /Atur ulang kata sandi/);
  assert.match(m.text, /dalam 30 menit/);
  const token = tokenIn(m);
  assert.ok(m.html.includes(`href="${PUBLIC}/reset?token=${token}"`));
  assert.equal(await sql(server, `select count(*) from password_resets where token_hash like '%${token}%'`), '0');
  assert.equal(await sql(server, `select count(*) from outbox where secret_enc like '%${token}%' or params::text like '%${token}%'`), '0', 'the token is stored only encrypted');

  const weak = await confirm(token, 'short');
  assert.equal(weak.status, 422);
  assert.equal(weak.json.error.code, 'weak_password');
  const ok = await confirm(token);
  assert.equal(ok.status, 204, show(ok));
  const reused = await confirm(token, 'Another-Good-Pass-9');
  assert.equal(reused.status, 400);
  assert.equal(reused.json.error.code, 'invalid_token');
  assert.equal((await confirm('x'.repeat(43))).json.error.code, 'invalid_token');

  assert.equal((await me(base, p.token)).status, 401, 'the first session ended');
  assert.equal((await me(base, other.json.token)).status, 401, 'the second session ended');
  assert.equal((await login(base, p.email)).status, 401, 'the old password is gone');
  assert.equal((await login(base, p.email, NEW_PASSWORD)).status, 200);
  const notice = await nthMail(p.email, 'password_changed');
  assert.match(notice.headers.Subject, /telah diubah/);
  assert.ok(!notice.text.includes(NEW_PASSWORD) && !m.text.includes(PASSWORD), 'no password in a message');
  assert.equal(await sql(server, `select count(*) from audit_log where action = 'password.reset' and subject_id = ${lit(p.id)}`), '1');

  await until(async () => Number(await sql(server, "select count(*) from outbox where state <> 'sent'")) === 0, 10000);
  assert.equal(to(smtp, 'nobody').length, 0);
  assert.ok(!smtp.messages.some((x) => x.rcpt_tos.some((r) => r.startsWith('nobody.'))), 'no mail to an unknown address');
});

test('an expired link is refused; a used-up account gets no more links than the limit, silently', async () => {
  const from = addr();
  const p = await newParticipant(base);
  await ask(p.email, from);
  const token = tokenIn(await nthMail(p.email, 'password_reset'));
  await sql(server, `update password_resets set expires_at = now() - interval '1 second' where user_id = ${lit(p.id)}`);
  const late = await confirm(token);
  assert.equal(late.status, 400);
  assert.equal(late.json.error.code, 'invalid_token');

  const q = await newParticipant(base);
  const answers = [];
  for (let i = 0; i < 6; i++) answers.push((await ask(q.email, addr())).status);
  assert.deepEqual(answers, [202, 202, 202, 202, 202, 202], 'always the same answer');
  await until(async () => Number(await sql(server, `select count(*) from outbox where user_id = ${lit(q.id)} and state = 'sent'`)) === 3, 10000);
  assert.equal(Number(await sql(server, `select count(*) from password_resets where user_id = ${lit(q.id)}`)), 3, 'three links per account and window');
});

test('one client address asking too often gets 429 with Retry-After, known address or not', async () => {
  const from = addr();
  const seen = [];
  for (let i = 0; i < 22; i++) seen.push(await ask(uniqueEmail('flood'), from));
  assert.deepEqual(seen.slice(0, 20).map((r) => r.status), Array(20).fill(202));
  assert.equal(seen[20].status, 429);
  assert.equal(seen[20].json.error.code, 'too_many_attempts');
  assert.ok(Number(seen[20].headers['retry-after']) > 0);
  assert.equal((await ask(uniqueEmail('other'), addr())).status, 202, 'another address is not held back');
});

test('changing the password ends the other sessions and sends a notice; a wrong current password is refused', async () => {
  const p = await newParticipant(base);
  const second = await login(base, p.email);
  const put = (token, json) => call(base, 'PUT', '/api/v1/me/password', { token, json });
  const wrong = await put(p.token, { current_password: 'Not-The-Password-1', new_password: NEW_PASSWORD });
  assert.equal(wrong.status, 403);
  assert.equal(wrong.json.error.code, 'wrong_password');
  assert.equal((await put(p.token, { current_password: PASSWORD, new_password: '1234567890' })).json.error.code, 'weak_password');
  const ok = await put(p.token, { current_password: PASSWORD, new_password: NEW_PASSWORD });
  assert.equal(ok.status, 204, show(ok));
  assert.equal((await me(base, p.token)).status, 200, 'this session stays');
  assert.equal((await me(base, second.json.token)).status, 401, 'the other session ended');
  assert.equal((await login(base, p.email, NEW_PASSWORD)).status, 200);
  await nthMail(p.email, 'password_changed');
  assert.equal((await call(base, 'PUT', '/api/v1/me/password', { json: { current_password: 'a', new_password: 'b' } })).status, 401);
});

test('an admin sends a reset link from the users page (audited); participants may not', async () => {
  const admin = await newAdmin(server);
  const p = await newParticipant(base);
  const r = await call(base, 'POST', `/api/v1/users/${p.id}/password-reset`, { token: admin.token });
  assert.equal(r.status, 202, show(r));
  assert.equal(r.json.sent, true);
  const m = await nthMail(p.email, 'password_reset');
  assert.match(m.text, /dalam 24 jam/);
  assert.equal((await confirm(tokenIn(m))).status, 204);
  assert.equal(await sql(server, `select count(*) from audit_log where action = 'user.password_reset_sent' and actor_id = ${lit(admin.id)} and subject_id = ${lit(p.id)}`), '1');
  const q = await newParticipant(base); // p's sessions ended with the reset
  assert.equal((await call(base, 'POST', `/api/v1/users/${admin.id}/password-reset`, { token: q.token })).status, 403);
  assert.equal((await call(base, 'POST', '/api/v1/users/nobody/password-reset', { token: admin.token })).status, 404);
});

test('with SINAU_VERIFY_EMAIL=1 a new account signs in but registers only after following its link', async () => {
  const strict = await startServer({ env: mailEnv(smtp, { extra: { SINAU_VERIFY_EMAIL: 1 } }) });
  const admin = await newAdmin(strict);
  const c = await cohort(strict.url, admin, {});
  const email = uniqueEmail('verify');
  const s = await signup(strict.url, { email, language: 'en' });
  assert.equal(s.status, 201, show(s));
  const l = await login(strict.url, email);
  assert.equal(l.status, 200, 'signing in works before the link');
  await call(strict.url, 'PUT', '/api/v1/me/profile', { token: l.json.token, json: { business_name: 'Toko Verifikasi' } });
  const refused = await register(strict.url, l.json.token, c.id, 'umkm');
  assert.equal(refused.status, 403, show(refused));
  assert.equal(refused.json.error.code, 'email_not_verified');

  const m = await nthMail(email, 'email_verify');
  assert.equal(m.headers['Content-Language'], 'en', 'the language chosen at signup');
  const token = /\/verify-email\?token=([\w-]{43})/.exec(m.text)[1];
  const prefs = await call(strict.url, 'GET', '/api/v1/me/notifications', { token: l.json.token });
  assert.equal(prefs.json.email_verified, false);
  assert.equal((await call(strict.url, 'POST', '/api/v1/auth/verify-email', { json: { token } })).status, 204);
  assert.equal((await call(strict.url, 'POST', '/api/v1/auth/verify-email', { json: { token } })).json.error.code, 'invalid_token');
  assert.equal((await register(strict.url, l.json.token, c.id, 'umkm')).status, 201);
  assert.equal((await call(strict.url, 'POST', '/api/v1/me/email-verification', { token: l.json.token })).json.error.code, 'already_verified');
  await strict.stop();
});
