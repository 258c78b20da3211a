// Throttles that hold under concurrency (issue 14, problems 1 and 4;
// SECURITY.md case 26): each attempt is counted before the password is
// checked (and forgiven on success), so a burst sent at once cannot check
// more passwords than the limit; the same for password resets, password
// changes and signups (per address).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/harness.mjs';
import { show, login, call, signup, newParticipant, putProfile, uniqueEmail, sql, lit, PASSWORD } from './lib/accounts.mjs';
import { nik } from './lib/cohorts.mjs';

let server;
let base;
// argon2id at the production cost: the window between the throttle's
// verdict and the check is what a burst used to slip through
let slow;

before(async () => {
  server = await startServer({ env: { SINAU_SIGNUP_PER_HOUR: 20 } });
  base = server.url;
  slow = await startServer({ env: { SINAU_PWHASH: 'interactive', SINAU_SIGNUP_PER_HOUR: 0 } });
});
after(async () => {
  await server.stop();
  await slow.stop();
});

const WRONG = 'Definitely-Wrong-99';

test('login_burst_checks_at_most_the_limit: 100 wrong passwords at once for one account', async () => {
  const p = await newParticipant(slow.url);
  const rs = await Promise.all(Array.from({ length: 100 }, (_, i) =>
    login(slow.url, p.email, `${WRONG}-${i}`, { localAddress: `127.0.1.${1 + (i % 50)}`, timeoutMs: 60000 })));
  const counts = {};
  for (const r of rs) counts[r.status] = (counts[r.status] || 0) + 1;
  assert.ok(counts[429] >= 95, `at least 95 of 100 are 429: ${JSON.stringify(counts)}`);
  assert.ok((counts[401] || 0) <= 5, `at most 5 passwords checked: ${JSON.stringify(counts)}`);
  const failures = await sql(slow, `select count(*) from login_failures where email = ${lit(p.email)}`);
  assert.ok(Number(failures) <= 5, `${failures} failures recorded`);
  const audited = await sql(slow, `select count(*) from audit_log where action = 'login.failed' and subject_id = ${lit(p.id)}`);
  assert.equal(audited, String(counts[401] || 0), 'one audit entry per checked password');
});

test('login_burst_per_address: 100 logins at once for 100 accounts from one address', async () => {
  const from = { localAddress: '127.0.2.1', timeoutMs: 60000 };
  const rs = await Promise.all(Array.from({ length: 100 }, () => login(slow.url, uniqueEmail('burst'), WRONG, from)));
  const n401 = rs.filter((r) => r.status === 401).length;
  const n429 = rs.filter((r) => r.status === 429).length;
  assert.ok(n401 <= 30, `at most the per-address limit (30) checked: ${n401}`);
  assert.equal(n401 + n429, 100, rs.filter((r) => r.status !== 401 && r.status !== 429).map(show).join('; '));
});

test('login_success_forgives_its_reservation: a right password after 4 wrong ones still signs in', async () => {
  const from = { localAddress: '127.0.2.2' };
  const p = await newParticipant(base);
  for (let i = 0; i < 4; i++) assert.equal((await login(base, p.email, WRONG, from)).status, 401);
  const ok = await login(base, p.email, PASSWORD, from);
  assert.equal(ok.status, 200, show(ok));
  const failures = await sql(server, `select count(*) from login_failures where email = ${lit(p.email)}`);
  assert.equal(failures, '0', 'success clears the reservation and the failures');
});

test('password_change_burst_checks_at_most_the_limit: 30 wrong current passwords at once', async () => {
  const p = await newParticipant(slow.url);
  const rs = await Promise.all(Array.from({ length: 30 }, (_, i) =>
    call(slow.url, 'PUT', '/api/v1/me/password', { token: p.token, json: { current_password: `${WRONG}-${i}`, new_password: 'Another-Good-Pass-1' }, localAddress: '127.0.2.3', timeoutMs: 60000 })));
  const n403 = rs.filter((r) => r.status === 403).length;
  const n429 = rs.filter((r) => r.status === 429).length;
  assert.ok(n403 <= 5, `at most 5 current passwords checked: ${n403} (${rs.map((r) => r.status)})`);
  assert.equal(n403 + n429, 30);
});

test('password_reset_burst_holds_per_address: 60 requests at once from one address', async () => {
  const from = { localAddress: '127.0.2.4', timeoutMs: 60000 };
  const rs = await Promise.all(Array.from({ length: 60 }, () =>
    call(base, 'POST', '/api/v1/auth/password-reset', { json: { email: uniqueEmail('nobody') }, ...from })));
  const n202 = rs.filter((r) => r.status === 202).length;
  assert.ok(n202 <= 20, `at most 20 accepted from one address: ${n202}`);
  const rows = await sql(server, `select count(*) from password_reset_requests where ip = '127.0.2.4'`);
  assert.ok(Number(rows) <= 20, `${rows} requests recorded`);
});

test('password_reset_burst_holds_per_account: 20 requests at once for one account send at most 3 links', async () => {
  const p = await newParticipant(base);
  await Promise.all(Array.from({ length: 20 }, (_, i) =>
    call(base, 'POST', '/api/v1/auth/password-reset', { json: { email: p.email }, localAddress: `127.0.3.${i + 1}`, timeoutMs: 60000 })));
  const links = await sql(server, `select count(*) from password_resets where user_id = ${lit(p.id)}`);
  assert.ok(Number(links) <= 3, `${links} links made`);
});

// Issue 14 problem 1, "the same for every throttle": the verification-link
// resend (5 an hour) and the NIK conflict throttle (5 an hour per account)
// took no lock before, so a burst read the count before any of its
// attempts was written.
test('verification_link_burst_holds_per_account: 20 resends at once make at most 5 links', async () => {
  const p = await newParticipant(base);
  await sql(server, `update users set email_verified_at = null where id = ${lit(p.id)}`); // the helper's are verified
  const before = Number(await sql(server, `select count(*) from email_verifications where user_id = ${lit(p.id)}`));
  const rs = await Promise.all(Array.from({ length: 20 }, () =>
    call(base, 'POST', '/api/v1/me/email-verification', { token: p.token, timeoutMs: 60000 })));
  const ok = rs.filter((r) => r.status === 202).length;
  const n429 = rs.filter((r) => r.status === 429).length;
  assert.equal(ok + n429, 20, rs.filter((r) => r.status !== 202 && r.status !== 429).map(show).join('; '));
  const links = Number(await sql(server, `select count(*) from email_verifications where user_id = ${lit(p.id)}`));
  assert.ok(links <= 5, `at most 5 links an hour: ${before} at signup, ${links} after the burst (${ok} accepted)`);
});

test('nik_conflict_burst_holds_per_account: 20 attempts at once to take a registered NIK, at most 5 answered nik_taken', async () => {
  const holder = await newParticipant(base);
  const N = nik();
  assert.equal((await putProfile(base, holder.token, { nik: N })).status, 200);
  const prober = await newParticipant(base);
  const rs = await Promise.all(Array.from({ length: 20 }, () =>
    putProfile(base, prober.token, { nik: N }, { localAddress: '127.0.2.9', timeoutMs: 60000 })));
  const n409 = rs.filter((r) => r.status === 409).length;
  const n429 = rs.filter((r) => r.status === 429).length;
  assert.equal(n409 + n429, 20, rs.filter((r) => r.status !== 409 && r.status !== 429).map(show).join('; '));
  assert.ok(n409 <= 5, `at most 5 nik_taken answers: ${n409}`);
});

test('signup_throttled_per_address: a burst of signups from one address meets 429', async () => {
  const from = { localAddress: '127.0.2.5', timeoutMs: 60000 };
  const rs = await Promise.all(Array.from({ length: 40 }, () => signup(base, { email: uniqueEmail('flood') }, from)));
  const n201 = rs.filter((r) => r.status === 201).length;
  const n429 = rs.filter((r) => r.status === 429).length;
  assert.ok(n201 <= 20, `at most 20 accounts an hour from one address: ${n201}`);
  assert.equal(n201 + n429, 40, rs.filter((r) => r.status !== 201 && r.status !== 429).map(show).join('; '));
  const r = rs.find((x) => x.status === 429);
  assert.equal(r.json.error.code, 'too_many_attempts');
  assert.match(String(r.headers['retry-after']), /^[1-9][0-9]*$/);
  // an e-mail already taken is throttled the same way
  const taken = await signup(base, { email: (await newParticipant(base)).email }, from);
  assert.equal(taken.status, 429, show(taken));
  // another address is not affected
  const other = await signup(base, { email: uniqueEmail('ok') }, { localAddress: '127.0.2.6' });
  assert.equal(other.status, 201, show(other));
});

test('signup_flood_cannot_starve_logins: account creation hashes within its own share of the worker pool', async () => {
  // one worker, a queue of 8: a quarter (2) for account creation, half (4)
  // for logins; argon2id at the production cost keeps the queue busy
  const s = await startServer({ env: { SINAU_PWHASH: 'interactive', SINAU_WORKERS: 1, SINAU_WORKER_QUEUE: 8, SINAU_SIGNUP_PER_HOUR: 0 } });
  try {
    const p = await newParticipant(s.url);
    // a sustained flood: 20 signups in flight at every moment
    let stop = false;
    const made = [];
    let n = 0;
    const lane = async () => {
      while (!stop) {
        n += 1;
        made.push(await signup(s.url, { email: uniqueEmail('flood') }, { localAddress: `127.0.7.${1 + (n % 200)}`, timeoutMs: 60000 }));
      }
    };
    const lanes = Array.from({ length: 20 }, lane);
    await new Promise((r) => setTimeout(r, 300));
    const logins = [];
    for (let i = 0; i < 5; i++) logins.push(await login(s.url, p.email, PASSWORD, { localAddress: '127.0.8.1', timeoutMs: 60000 }));
    stop = true;
    await Promise.all(lanes);
    for (const r of logins) assert.equal(r.status, 200, `a login during the signup flood: ${show(r)}`);
    const statuses = made.map((r) => r.status);
    assert.ok(statuses.includes(201), 'some signups went through');
    assert.ok(statuses.includes(503), 'the rest were refused as busy');
    for (const r of made.filter((x) => x.status === 503)) assert.equal(r.headers['retry-after'], '1');
  } finally {
    await s.stop();
  }
});
