// Two `sinau serve` processes on one database and one master key (issue 3,
// "What it must show"): sessions, profiles, logout and login throttling are
// all kept in PostgreSQL, so any instance answers for any other.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, freshDatabase } from './lib/harness.mjs';
import { call, show, me, putProfile, login, newParticipant, newAdmin, signedIn, uniqueEmail, PASSWORD } from './lib/accounts.mjs';

let A;
let B;
let keyFile;

before(async () => {
  const db = await freshDatabase();
  const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sinau-shared-key-'));
  process.on('exit', () => fs.rmSync(keyDir, { recursive: true, force: true }));
  keyFile = path.join(keyDir, 'master.key');
  // Both start at once: the key file is created by exactly one of them and
  // used by both.
  [A, B] = await Promise.all([
    startServer({ database: db, env: { SINAU_KEY_FILE: keyFile } }),
    startServer({ database: db, env: { SINAU_KEY_FILE: keyFile } }),
  ]);
});

test('both instances run on one database and share one key file', () => {
  assert.notEqual(A.port, B.port);
  assert.equal(A.database, B.database);
  assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);
  const created = [A, B].filter((s) => s.logs().some((l) => /created the master key/.test(l)));
  assert.equal(created.length, 1, 'exactly one instance created the key');
});

test('a token from a login on A works on B, by bearer and by cookie', async () => {
  const email = uniqueEmail('two');
  const s = await call(A.url, 'POST', '/api/v1/auth/signup', { json: { email, password: PASSWORD, full_name: 'Rina' } });
  assert.equal(s.status, 201, show(s));
  const p = await signedIn(A.url, email);
  const onB = await me(B.url, p.token);
  assert.equal(onB.status, 200, show(onB));
  assert.equal(onB.json.user.id, p.id);
  const cookieOnB = await call(B.url, 'GET', '/api/v1/me', { cookie: p.cookie });
  assert.equal(cookieOnB.status, 200, show(cookieOnB));
  assert.equal(cookieOnB.json.csrf_token, p.csrf, 'the CSRF token of the session is known to B');
  // A cookie-authenticated change on B with the CSRF token from A's login.
  const put = await putProfile(B.url, undefined, { agency: 'Set on B' }, { cookie: p.cookie, csrf: p.csrf });
  assert.equal(put.status, 200, show(put));
  const forged = await putProfile(B.url, undefined, { agency: 'Forged on B' }, { cookie: p.cookie });
  assert.equal(forged.status, 403, show(forged));
  assert.equal((await me(A.url, p.token)).json.profile.agency, 'Set on B');
});

test('a profile written via A is read masked via B, and an admin on B reads it unmasked (same key)', async () => {
  const p = await newParticipant(A.url);
  const w = await putProfile(A.url, p.token, { nik: '3573014507900001', nip: '198501012010011001', phone: '081234567890' });
  assert.equal(w.status, 200, show(w));
  const r = await me(B.url, p.token);
  assert.equal(r.status, 200, show(r));
  assert.equal(r.json.profile.nik, '3573********0001');
  assert.equal(r.json.profile.nip, '1985**********1001');
  assert.equal(r.json.profile.phone, '***********890');
  assert.ok(!r.text.includes('3573014507900001'));

  const admin = await newAdmin(B);
  const clear = await call(B.url, 'POST', `/api/v1/users/${p.id}/personal-data`, { token: admin.token, json: { reason: 'two-instance check' } });
  assert.equal(clear.status, 200, show(clear));
  assert.deepEqual(clear.json, { nik: '3573014507900001', nip: '198501012010011001', phone: '+6281234567890' });
  // Uniqueness holds across instances: B refuses the NIK written via A.
  const q = await newParticipant(B.url);
  const dup = await putProfile(B.url, q.token, { nik: '3573014507900001' });
  assert.equal(dup.status, 409, show(dup));
  assert.equal(dup.json.error.code, 'nik_taken');
});

test('logout on B ends the session on A too', async () => {
  const p = await newParticipant(A.url);
  const other = await signedIn(B.url, p.email);
  assert.equal((await me(A.url, p.token)).status, 200);
  const out = await call(B.url, 'POST', '/api/v1/auth/logout', { token: p.token });
  assert.equal(out.status, 204, show(out));
  for (const [name, s] of [['A', A], ['B', B]]) {
    const r = await me(s.url, p.token);
    assert.equal(r.status, 401, `on ${name}: ${show(r)}`);
    const c = await call(s.url, 'GET', '/api/v1/me', { cookie: p.cookie });
    assert.equal(c.status, 401, `cookie on ${name}: ${show(c)}`);
  }
  // The account's other session lives on, on both.
  assert.equal((await me(A.url, other.token)).status, 200);
  assert.equal((await me(B.url, other.token)).status, 200);
});

test('disabling a user on A ends their session on B', async () => {
  const admin = await newAdmin(A);
  const p = await newParticipant(B.url);
  const d = await call(A.url, 'PUT', `/api/v1/users/${p.id}`, { token: admin.token, json: { status: 'disabled' } });
  assert.equal(d.status, 200, show(d));
  assert.equal((await me(B.url, p.token)).status, 401);
});

test('login throttling is shared: 5 failures on A, the 6th attempt on B is 429', async () => {
  const p = await newParticipant(A.url);
  for (let i = 0; i < 5; i++) {
    const r = await login(A.url, p.email, 'Wrong-Password-42');
    assert.equal(r.status, 401, `failure ${i + 1} on A: ${show(r)}`);
  }
  const onB = await login(B.url, p.email, PASSWORD);
  assert.equal(onB.status, 429, show(onB));
  assert.match(String(onB.headers['retry-after']), /^[1-9][0-9]*$/);
});
