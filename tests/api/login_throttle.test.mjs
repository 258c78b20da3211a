// Login throttling and timing (issue 3; SECURITY.md case 11): after 5
// failures for an account in the window, 429 too_many_attempts with
// Retry-After, even for the right password and from any address; 30 failures
// from one address throttle every login from it; an unknown e-mail costs
// as long as a wrong password (argon2id against a dummy hash).
//
// Each part uses its own loopback source address (127.0.0.x) so that the
// per-address limit of one part does not leak into another.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/harness.mjs';
import { show, login, me, signup, newParticipant, uniqueEmail, median, sql, lit, PASSWORD } from './lib/accounts.mjs';

let server;
let base;

before(async () => {
  server = await startServer();
  base = server.url;
});

const WRONG = 'Definitely-Wrong-99';

function assertThrottled(r, what) {
  assert.equal(r.status, 429, `${what}: ${show(r)}`);
  assert.equal(r.json.error.code, 'too_many_attempts', what);
  const ra = r.headers['retry-after'];
  assert.match(String(ra), /^[1-9][0-9]*$/, `${what}: Retry-After ${ra} is a positive integer of seconds`);
  assert.ok(Number(ra) <= 15 * 60, `${what}: Retry-After ${ra} is within the 15-minute window`);
  assert.equal(r.setCookies.length, 0, `${what}: no cookie`);
  assert.ok(!('token' in r.json), `${what}: no token`);
}

test('case 11: 10 wrong passwords: the first 5 are 401, the 6th onwards 429 with Retry-After', async () => {
  const from = { localAddress: '127.0.0.2' };
  const p = await newParticipant(base);
  const seen = [];
  for (let i = 1; i <= 10; i++) {
    const r = await login(base, p.email, `${WRONG}-${i}`, from);
    seen.push(r.status);
    if (i <= 5) {
      assert.equal(r.status, 401, `attempt ${i}: ${show(r)}`);
      assert.equal(r.json.error.code, 'invalid_credentials');
    } else {
      assertThrottled(r, `attempt ${i}`);
    }
  }
  assert.deepEqual(seen, [401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);

  // Even the right password is refused while throttled, from this address and any other.
  assertThrottled(await login(base, p.email, PASSWORD, from), 'the right password');
  assertThrottled(await login(base, p.email, PASSWORD, { localAddress: '127.0.0.9' }), 'the right password from another address');
  // In any letter case of the e-mail.
  assertThrottled(await login(base, p.email.toUpperCase(), PASSWORD, from), 'the e-mail in capitals');
  // The existing session (from newParticipant) is not affected.
  assert.equal((await me(base, p.token)).status, 200);

  // Throttled attempts are not recorded as failures (no growth during the wait).
  const failures = await sql(server, `select count(*) from login_failures where email = ${lit(p.email)}`);
  assert.equal(failures, '5');
  const audited = await sql(server, `select count(*) from audit_log where action = 'login.failed' and subject_id = ${lit(p.id)}`);
  assert.equal(audited, '5', 'each failure is in the audit log');

  // Another account from the same address still works.
  const q = await newParticipant(base);
  const ok = await login(base, q.email, PASSWORD, from);
  assert.equal(ok.status, 200, `another account from the same address: ${show(ok)}`);
});

test('an unknown e-mail is throttled the same way (no hint that the account does not exist)', async () => {
  const from = { localAddress: '127.0.0.3' };
  const ghost = uniqueEmail('ghost');
  const statuses = [];
  for (let i = 0; i < 7; i++) statuses.push((await login(base, ghost, WRONG, from)).status);
  assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429]);
});

test('a successful login clears the account\'s failures', async () => {
  const from = { localAddress: '127.0.0.4' };
  const p = await newParticipant(base);
  for (let i = 0; i < 4; i++) assert.equal((await login(base, p.email, WRONG, from)).status, 401);
  assert.equal((await login(base, p.email, PASSWORD, from)).status, 200);
  for (let i = 0; i < 4; i++) {
    const r = await login(base, p.email, WRONG, from);
    assert.equal(r.status, 401, `failure ${i + 1} after the success: ${show(r)}`);
  }
  assert.equal((await login(base, p.email, PASSWORD, from)).status, 200);
});

test('30 failures from one address throttle every login from it, not from other addresses', async () => {
  const from = { localAddress: '127.0.0.5' };
  const victim = await newParticipant(base);
  // 6 accounts × 5 failures: no account reaches its own limit's 6th attempt.
  const statuses = [];
  for (let a = 0; a < 6; a++) {
    const email = uniqueEmail('spray');
    for (let i = 0; i < 5; i++) statuses.push((await login(base, email, WRONG, from)).status);
  }
  assert.ok(statuses.every((s) => s === 401), `the 30 failures are 401s: ${statuses}`);
  const blocked = await login(base, victim.email, PASSWORD, from);
  assertThrottled(blocked, 'a right password from an address with 30 failures');
  const elsewhere = await login(base, victim.email, PASSWORD, { localAddress: '127.0.0.6' });
  assert.equal(elsewhere.status, 200, `the same account from another address: ${show(elsewhere)}`);
});

test('without SINAU_TRUST_PROXY a client cannot escape the per-address limit with X-Forwarded-For', async () => {
  const from = '127.0.0.8';
  const victim = await newParticipant(base);
  for (let a = 0; a < 6; a++) {
    const email = uniqueEmail('xff');
    for (let i = 0; i < 5; i++) {
      const r = await login(base, email, WRONG, { localAddress: from, headers: { 'x-forwarded-for': `203.0.113.${a * 5 + i + 1}` } });
      assert.equal(r.status, 401, show(r));
    }
  }
  const blocked = await login(base, victim.email, PASSWORD, { localAddress: from, headers: { 'x-forwarded-for': '198.51.100.77' } });
  assertThrottled(blocked, 'a fresh X-Forwarded-For from an address with 30 failures');
  const ips = await sql(server, `select distinct ip from login_failures where email like 'xff.%'`);
  assert.equal(ips, from, 'failures are recorded under the socket address');
});

test('throttled and refused logins write nothing of the password to the log', async () => {
  const logs = server.logs().join('\n');
  assert.ok(!logs.includes(WRONG), 'no wrong password in the log');
  assert.ok(!logs.includes(PASSWORD), 'no password in the log');
});

test('timing: an unknown e-mail takes as long as a wrong password at the interactive cost (medians within 25%)', async (t) => {
  const s = await startServer({ env: { SINAU_PWHASH: 'interactive' } });
  // One measurement: 5 logins for unknown e-mails and 5 wrong passwords for
  // known ones, interleaved, from a fresh source address and on three fresh
  // accounts (so neither limit is reached).
  async function measure(localAddress) {
    const from = { localAddress };
    const known = [];
    for (let i = 0; i < 3; i++) {
      const email = uniqueEmail('timing');
      const r = await signup(s.url, { email });
      assert.equal(r.status, 201, show(r));
      known.push(email);
    }
    // Warm-up (page faults of the first 64 MiB hash, prepared statements).
    await login(s.url, uniqueEmail('warm'), WRONG, from);
    await login(s.url, known[0], WRONG, from);
    const unknownMs = [];
    const knownMs = [];
    for (let i = 0; i < 5; i++) {
      const u = await login(s.url, uniqueEmail('nobody'), WRONG, from);
      assert.equal(u.status, 401, show(u));
      unknownMs.push(u.ms);
      const k = await login(s.url, known[1 + (i % 2)], WRONG, from);
      assert.equal(k.status, 401, show(k));
      knownMs.push(k.ms);
    }
    const mu = median(unknownMs);
    const mk = median(knownMs);
    const diff = Math.abs(mu - mk) / mk;
    t.diagnostic(`from ${localAddress}: unknown e-mail median ${mu.toFixed(1)} ms [${unknownMs.map((x) => x.toFixed(0)).join(', ')}]`);
    t.diagnostic(`from ${localAddress}: wrong password median ${mk.toFixed(1)} ms [${knownMs.map((x) => x.toFixed(0)).join(', ')}]; difference ${(diff * 100).toFixed(1)}%`);
    return { mu, mk, diff, known };
  }

  const first = await measure('127.0.0.7');
  const hash = await sql(s, `select password_hash from users where email = ${lit(first.known[0])}`);
  assert.match(hash, /^\$argon2id\$v=19\$m=65536,t=2,p=1\$/, 'the accounts were hashed at the interactive cost');
  assert.ok(first.mk >= 20, `a wrong password at the interactive cost took only ${first.mk.toFixed(1)} ms: is argon2id really run?`);
  // A leak (no hash for unknown e-mails) is ~95% apart every time; a shared
  // 2-core machine can make one set of 5 noisy, so up to two more sets are
  // measured before failing.
  let m = first;
  for (const addr of ['127.0.0.10', '127.0.0.11']) {
    if (m.diff < 0.25) break;
    m = await measure(addr);
  }
  assert.ok(m.diff < 0.25, `unknown e-mail ${m.mu.toFixed(1)} ms vs wrong password ${m.mk.toFixed(1)} ms: ${(m.diff * 100).toFixed(1)}% apart`);

  // The right password still works at this cost.
  const ok = await login(s.url, first.known[0], PASSWORD, { localAddress: '127.0.0.7' });
  assert.equal(ok.status, 200, show(ok));
  await s.stop();
});
