// Accounts (issue 3; API.md "Accounts"; SECURITY.md cases 8 and 11): signing
// up, in and out, /me, the password policy, e-mails case-insensitive, mass
// assignment refused, argon2id hashes at rest, a new token at each login.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/harness.mjs';
import {
  PASSWORD, uniqueEmail, call, show, signup, login, me, putProfile, newParticipant, signedIn, sessionCookie, sql, lit,
} from './lib/accounts.mjs';

let server;
let base;

before(async () => {
  server = await startServer();
  base = server.url;
});

async function usersWithEmail(email) {
  return Number(await sql(server, `select count(*) from users where email = ${lit(email)}`));
}

test('signup creates a participant; login returns token, csrf_token, user and the cookie; /me shows the user; logout ends it', async () => {
  const email = uniqueEmail('happy');
  const s = await signup(base, { email, full_name: 'Dewi Lestari' });
  assert.equal(s.status, 201, show(s));
  const u = s.json.user;
  assert.equal(typeof u.id, 'string');
  assert.ok(u.id.length > 0);
  assert.deepEqual({ email: u.email, full_name: u.full_name, role: u.role }, { email, full_name: 'Dewi Lestari', role: 'participant' });
  assert.ok(!('password' in u) && !('password_hash' in u), 'no password in the answer');
  assert.ok(!s.text.includes(PASSWORD), 'the password is not echoed');

  const l = await login(base, email);
  assert.equal(l.status, 200, show(l));
  assert.match(l.json.token, /^[A-Za-z0-9_-]{40,}$/);
  assert.match(l.json.csrf_token, /^[A-Za-z0-9_-]{20,}$/);
  assert.notEqual(l.json.token, l.json.csrf_token);
  assert.deepEqual(l.json.user, u);
  assert.equal(sessionCookie(l.setCookies), l.json.token, `Set-Cookie: ${l.setCookies}`);

  const m = await me(base, l.json.token);
  assert.equal(m.status, 200, show(m));
  assert.deepEqual(m.json.user, u);
  assert.deepEqual(Object.keys(m.json.profile).sort(), ['agency', 'business_name', 'business_sector', 'district', 'nib', 'nik', 'nip', 'phone']);
  for (const v of Object.values(m.json.profile)) assert.equal(v, null, 'an empty profile at first');
  assert.equal(m.json.csrf_token, null, 'no CSRF token for a bearer caller');

  const out = await call(base, 'POST', '/api/v1/auth/logout', { token: l.json.token });
  assert.equal(out.status, 204, show(out));
  assert.equal(out.text, '');
  const after = await me(base, l.json.token);
  assert.equal(after.status, 401, show(after));
  assert.equal(after.json.error.code, 'unauthenticated');
});

test('signed-in routes answer 401 unauthenticated without a token or with a wrong one', async () => {
  for (const [method, p] of [['GET', '/api/v1/me'], ['PUT', '/api/v1/me/profile'], ['POST', '/api/v1/auth/logout']]) {
    const json = method === 'GET' ? undefined : {};
    const none = await call(base, method, p, { json });
    assert.equal(none.status, 401, `${method} ${p} without a token: ${show(none)}`);
    assert.equal(none.json.error.code, 'unauthenticated');
    for (const token of ['A'.repeat(43), 'not a token', '']) {
      const bad = await call(base, method, p, { json, token });
      assert.equal(bad.status, 401, `${method} ${p} with token ${JSON.stringify(token)}: ${show(bad)}`);
      assert.equal(bad.json.error.code, 'unauthenticated');
    }
  }
});

test('a wrong password and an unknown e-mail both give 401 invalid_credentials', async () => {
  const p = await newParticipant(base);
  const wrong = await login(base, p.email, 'Not-The-Password-9');
  assert.equal(wrong.status, 401, show(wrong));
  assert.equal(wrong.json.error.code, 'invalid_credentials');
  assert.equal(wrong.setCookies.length, 0, 'no cookie on a failed login');
  assert.ok(!('token' in wrong.json));
  const unknown = await login(base, uniqueEmail('nobody'), PASSWORD);
  assert.equal(unknown.status, 401, show(unknown));
  assert.equal(unknown.json.error.code, 'invalid_credentials');
  assert.equal(unknown.json.error.message, wrong.json.error.message, 'the answers do not tell which part was wrong');
});

test('e-mails are case-insensitive: 409 email_taken for another case, and login works in any case', async () => {
  const local = `Case.${Date.now()}`;
  const s = await signup(base, { email: `${local}@Example.TEST` });
  assert.equal(s.status, 201, show(s));
  for (const variant of [`${local.toLowerCase()}@example.test`, `${local.toUpperCase()}@EXAMPLE.TEST`, `${local}@Example.TEST`]) {
    const again = await signup(base, { email: variant });
    assert.equal(again.status, 409, `${variant}: ${show(again)}`);
    assert.equal(again.json.error.code, 'email_taken');
  }
  assert.equal(Number(await sql(server, `select count(*) from users where email = ${lit(`${local}@example.test`)}`)), 1);
  const l = await login(base, `${local.toLowerCase()}@EXAMPLE.test`);
  assert.equal(l.status, 200, show(l));
  assert.equal(l.json.user.id, s.json.user.id);
});

test('weak passwords are refused with 422 weak_password and a reason; nothing is created', async () => {
  const cases = [
    ['abcdefgh9', 'too_short'],
    ['', 'too_short'],
    ['1234567890', 'common'],
    ['password123', 'common'],
    ['qwertyuiop', 'common'],
    ['PASSWORD123', 'common'],
    ['x'.repeat(257), 'too_long'],
  ];
  for (const [password, reason] of cases) {
    const email = uniqueEmail('weak');
    const r = await signup(base, { email, password });
    assert.equal(r.status, 422, `${JSON.stringify(password.slice(0, 20))}: ${show(r)}`);
    assert.equal(r.json.error.code, 'weak_password');
    assert.equal(r.json.error.details?.reason, reason, `${JSON.stringify(password.slice(0, 20))}: ${show(r)}`);
    if (password.length >= 10 && password.length <= 256) assert.ok(!r.text.includes(password), 'the password is not echoed');
    assert.equal(await usersWithEmail(email), 0, 'no account made');
  }
  // The limits themselves are allowed.
  for (const password of ['Ab3$efgh9z', 'y'.repeat(255) + 'Z']) {
    const r = await signup(base, { password });
    assert.equal(r.status, 201, `a password of ${password.length} characters: ${show(r)}`);
  }
});

test('invalid e-mails and names are refused with 422', async () => {
  for (const email of ['no-at-sign', 'a@b', '@example.test', 'user@', 'two@@example.test', 'sp ace@example.test', 'a@example.test.', 'x'.repeat(250) + '@ex.test']) {
    const r = await signup(base, { email });
    assert.equal(r.status, 422, `${email}: ${show(r)}`);
    assert.equal(r.json.error.code, 'invalid_email', email);
    assert.equal(await usersWithEmail(email), 0);
  }
  for (const full_name of ['', 'n'.repeat(201), 'tab\there']) {
    const r = await signup(base, { full_name });
    assert.equal(r.status, 422, `${JSON.stringify(full_name.slice(0, 10))}: ${show(r)}`);
    assert.equal(r.json.error.code, 'invalid_full_name');
  }
});

test('malformed signup bodies: missing members and wrong types 422 invalid_field; not JSON 415', async () => {
  const email = uniqueEmail('shape');
  for (const json of [{ email, password: PASSWORD }, { email, password: 1234567890123, full_name: 'X' }, { email: null, password: PASSWORD, full_name: 'X' }]) {
    const r = await call(base, 'POST', '/api/v1/auth/signup', { json });
    assert.equal(r.status, 422, `${JSON.stringify(json)}: ${show(r)}`);
    assert.equal(r.json.error.code, 'invalid_field');
  }
  const form = await call(base, 'POST', '/api/v1/auth/signup', {
    body: `email=${encodeURIComponent(email)}&password=${PASSWORD}&full_name=X`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(form.status, 415, show(form));
  assert.equal(await usersWithEmail(email), 0);
});

test('case 8: signup with role, status or score is refused (422 unknown_field) and creates nothing', async () => {
  const before = Number(await sql(server, "select count(*) from users where role = 'admin'"));
  for (const extra of [{ role: 'admin' }, { role: 'participant' }, { status: 'active' }, { score: 100 }, { id: 'x' }]) {
    const email = uniqueEmail('mass');
    const r = await signup(base, { email, ...extra });
    assert.equal(r.status, 422, `${JSON.stringify(extra)}: ${show(r)}`);
    assert.equal(r.json.error.code, 'unknown_field', JSON.stringify(extra));
    assert.equal(await usersWithEmail(email), 0, `no account from ${JSON.stringify(extra)}`);
  }
  assert.equal(Number(await sql(server, "select count(*) from users where role = 'admin'")), before, 'no admin created');
});

test('case 8: PUT /me/profile with role, status or score is 422 unknown_field and changes nothing', async () => {
  const p = await newParticipant(base);
  const ok = await putProfile(base, p.token, { agency: 'Dinas Koperasi' });
  assert.equal(ok.status, 200, show(ok));
  for (const body of [{ role: 'admin' }, { status: 'disabled' }, { score: '100' }, { agency: 'Changed', role: 'admin' }, { role: 'admin', agency: 'Changed' }]) {
    const r = await putProfile(base, p.token, body);
    assert.equal(r.status, 422, `${JSON.stringify(body)}: ${show(r)}`);
    assert.equal(r.json.error.code, 'unknown_field', JSON.stringify(body));
  }
  // Whatever the value's type, an unknown member changes nothing (the exact
  // answer for these is the next test's business).
  for (const body of [{ score: 100 }, { role: 3 }, { status: false }, { role: null }, { status: null }]) {
    const r = await putProfile(base, p.token, body);
    assert.ok(r.status === 422 || r.status === 200, `${JSON.stringify(body)}: ${show(r)}`);
  }
  const m = await me(base, p.token);
  assert.equal(m.json.user.role, 'participant');
  assert.equal(m.json.profile.agency, 'Dinas Koperasi', 'a refused body changes nothing, not even its valid members');
  assert.equal(await sql(server, `select role || ' ' || status from users where id = ${lit(p.id)}`), 'participant active');
  // The token still works, and the user is no admin.
  const users = await call(base, 'GET', '/api/v1/users', { token: p.token });
  assert.equal(users.status, 403, show(users));
});

test('unknown profile members are 422 unknown_field whatever the type of their value (not invalid_<name>)', async () => {
  const p = await newParticipant(base);
  const wrong = [];
  for (const body of [{ score: 100 }, { role: 3 }, { status: false }, { is_admin: true }, { role: { name: 'admin' } }, { role: null }, { user_id: null }, { agency: 'Dinas', nonsense: null }]) {
    const r = await putProfile(base, p.token, body);
    if (r.status !== 422 || r.json?.error?.code !== 'unknown_field') wrong.push(`PUT /api/v1/me/profile ${JSON.stringify(body)} → ${r.status} ${r.text}`);
  }
  assert.deepEqual(wrong, [], 'every unknown member should give 422 unknown_field');
  const m = await me(base, p.token);
  assert.equal(m.json.user.role, 'participant');
  assert.equal(m.json.profile.agency, null, 'a refused body changes nothing');
});

test('case 11: the stored password hash is argon2id, and no password is stored in clear', async () => {
  const p = await newParticipant(base, { password: 'Rendang-Padang-77' });
  const hash = await sql(server, `select password_hash from users where id = ${lit(p.id)}`);
  assert.match(hash, /^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
  const hits = await sql(server, "select count(*) from users where password_hash like '%Rendang-Padang-77%' or full_name like '%Rendang%'");
  assert.equal(hits, '0');
  // Every account's hash is argon2id (signup, CLI and admin-created alike).
  assert.equal(await sql(server, "select count(*) from users where password_hash not like '$argon2id$%'"), '0');
});

test('a login at a higher SINAU_PWHASH cost upgrades the stored hash; a lower cost never downgrades it', async () => {
  const p = await newParticipant(base, { password: 'Soto-Betawi-Enak-1' });
  const fastHash = await sql(server, `select password_hash from users where id = ${lit(p.id)}`);
  assert.match(fastHash, /^\$argon2id\$v=19\$m=8,t=1,p=1\$/, 'signed up at the fast (test) cost');
  const strong = await startServer({ database: server.database, env: { SINAU_PWHASH: 'interactive' } });
  try {
    const wrong = await login(strong.url, p.email, 'Soto-Betawi-Enak-2');
    assert.equal(wrong.status, 401, show(wrong));
    assert.equal(await sql(server, `select password_hash from users where id = ${lit(p.id)}`), fastHash, 'a failed login changes nothing');
    const l = await login(strong.url, p.email, 'Soto-Betawi-Enak-1');
    assert.equal(l.status, 200, show(l));
    const upgraded = await sql(server, `select password_hash from users where id = ${lit(p.id)}`);
    assert.match(upgraded, /^\$argon2id\$v=19\$m=65536,t=2,p=1\$/, 'rehashed at the interactive cost');
    assert.equal((await login(strong.url, p.email, 'Soto-Betawi-Enak-1')).status, 200, 'the new hash verifies');
  } finally {
    await strong.stop();
  }
  const back = await login(base, p.email, 'Soto-Betawi-Enak-1');
  assert.equal(back.status, 200, show(back));
  assert.match(await sql(server, `select password_hash from users where id = ${lit(p.id)}`), /m=65536,t=2/, 'not downgraded by the fast server');
});

test('each login makes a new token; both work until one logs out, which ends only that one', async () => {
  const p = await newParticipant(base);
  const second = await signedIn(base, p.email);
  const third = await signedIn(base, p.email);
  const tokens = new Set([p.token, second.token, third.token]);
  assert.equal(tokens.size, 3, 'three logins, three tokens');
  assert.equal(new Set([p.csrf, second.csrf, third.csrf]).size, 3, 'and three CSRF tokens');
  for (const t of tokens) assert.equal((await me(base, t)).status, 200);

  const out = await call(base, 'POST', '/api/v1/auth/logout', { token: second.token });
  assert.equal(out.status, 204, show(out));
  assert.equal((await me(base, second.token)).status, 401, 'the logged-out token is dead');
  assert.equal((await me(base, p.token)).status, 200, 'the other sessions live on');
  assert.equal((await me(base, third.token)).status, 200);
  const again = await call(base, 'POST', '/api/v1/auth/logout', { token: second.token });
  assert.equal(again.status, 401, `logging out twice: ${show(again)}`);
});

test('no password or token appears in the server log', async () => {
  const p = await newParticipant(base, { password: 'Gudeg-Jogja-Manis-5' });
  await login(base, p.email, 'Wrong-Gudeg-Jogja-6');
  await me(base, p.token);
  const logs = server.logs().join('\n');
  assert.ok(logs.length > 0);
  for (const secret of ['Gudeg-Jogja-Manis-5', 'Wrong-Gudeg-Jogja-6', p.token, p.csrf, PASSWORD]) {
    assert.ok(!logs.includes(secret), `the log contains ${secret.slice(0, 6)}…`);
  }
});
