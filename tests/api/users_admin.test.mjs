// Accounts administration (issue 3): admins create, list (cursor pages,
// newest first), change role and status; everyone else gets 403; unknown
// ids 404; and `sinau user create` with its exit codes.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/harness.mjs';
import {
  call, show, me, login, newParticipant, newAdmin, signedIn, uniqueEmail, cliUserCreate, runSinauInput, dbUrlOf, sql, lit, PASSWORD,
} from './lib/accounts.mjs';

let server;
let base;
let admin;

before(async () => {
  server = await startServer();
  base = server.url;
  admin = await newAdmin(server);
});

function createUser(token, json) {
  return call(base, 'POST', '/api/v1/users', { token, json });
}

async function listAll(token, query = '') {
  const pages = [];
  let cursor = null;
  for (let i = 0; i < 100; i++) {
    const q = new URLSearchParams(query);
    q.set('limit', '2');
    if (cursor) q.set('cursor', cursor);
    const r = await call(base, 'GET', `/api/v1/users?${q}`, { token });
    assert.equal(r.status, 200, show(r));
    pages.push(r.json);
    cursor = r.json.next_cursor;
    if (cursor === null) return pages;
    assert.equal(typeof cursor, 'string');
  }
  throw new Error('more than 100 pages: the cursor does not advance');
}

test('an admin creates accounts of each role; they can log in; the creation is audited', async () => {
  for (const role of ['participant', 'instructor', 'admin']) {
    const email = uniqueEmail(role);
    const r = await createUser(admin.token, { email, password: PASSWORD, full_name: `Made ${role}`, role });
    assert.equal(r.status, 201, show(r));
    assert.deepEqual(Object.keys(r.json.user).sort(), ['email', 'full_name', 'id', 'role']);
    assert.equal(r.json.user.role, role);
    assert.equal(r.json.user.email, email);
    const u = await signedIn(base, email);
    assert.equal((await me(base, u.token)).json.user.role, role);
    const audit = await sql(server, `select actor_id || '|' || (details->>'role') from audit_log where action = 'user.created' and subject_id = ${lit(r.json.user.id)}`);
    assert.equal(audit, `${admin.id}|${role}`);
  }
});

test('admin-created accounts follow the same rules: 409 email_taken, 422 invalid_role / weak_password / invalid_email / unknown_field', async () => {
  const email = uniqueEmail('dup');
  assert.equal((await createUser(admin.token, { email, password: PASSWORD, full_name: 'A', role: 'participant' })).status, 201);
  const dup = await createUser(admin.token, { email: email.toUpperCase(), password: PASSWORD, full_name: 'B', role: 'admin' });
  assert.equal(dup.status, 409, show(dup));
  assert.equal(dup.json.error.code, 'email_taken');
  const cases = [
    [{ email: uniqueEmail(), password: PASSWORD, full_name: 'X', role: 'superuser' }, 'invalid_role'],
    [{ email: uniqueEmail(), password: PASSWORD, full_name: 'X', role: 'Admin' }, 'invalid_role'],
    [{ email: uniqueEmail(), password: PASSWORD, full_name: 'X', role: '' }, 'invalid_role'],
    [{ email: uniqueEmail(), password: 'password123', full_name: 'X', role: 'instructor' }, 'weak_password'],
    [{ email: uniqueEmail(), password: 'short', full_name: 'X', role: 'instructor' }, 'weak_password'],
    [{ email: 'not-an-email', password: PASSWORD, full_name: 'X', role: 'instructor' }, 'invalid_email'],
    [{ email: uniqueEmail(), password: PASSWORD, full_name: 'X', role: 'instructor', status: 'active' }, 'unknown_field'],
    [{ email: uniqueEmail(), password: PASSWORD, full_name: 'X' }, 'invalid_field'],
  ];
  for (const [json, code] of cases) {
    const r = await createUser(admin.token, json);
    assert.equal(r.status, 422, `${JSON.stringify(json)}: ${show(r)}`);
    assert.equal(r.json.error.code, code, JSON.stringify(json));
    if (json.email) assert.equal(await sql(server, `select count(*) from users where email = ${lit(json.email)}`), '0');
  }
});

test('the list pages with limit=2 and next_cursor cover every user exactly once, newest first', async () => {
  // Three accounts with the very same created_at (one statement): the
  // cursor must still neither skip nor repeat them.
  await sql(
    server,
    `insert into users (email, full_name, password_hash)
     select 'tie' || g || '.' || ${lit(String(process.pid))} || '@example.test', 'Tie ' || g, '$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA'
       from generate_series(1, 3) g`,
  );
  for (let i = 0; i < 5; i++) {
    const r = await createUser(admin.token, { email: uniqueEmail('list'), password: PASSWORD, full_name: `List ${i}`, role: i % 2 ? 'instructor' : 'participant' });
    assert.equal(r.status, 201, show(r));
  }
  const pages = await listAll(admin.token);
  const items = pages.flatMap((p) => p.items);
  for (const p of pages.slice(0, -1)) assert.equal(p.items.length, 2, 'full pages before the last');
  assert.ok(pages.at(-1).items.length >= 1 && pages.at(-1).items.length <= 2);
  const want = (await sql(server, 'select id from users order by created_at desc, id desc')).split('\n');
  assert.ok(want.length >= 11, `${want.length} users`);
  assert.deepEqual(items.map((u) => u.id), want, 'every user once, newest first');
  assert.equal(new Set(items.map((u) => u.id)).size, items.length, 'no duplicates');
  for (let i = 1; i < items.length; i++) {
    assert.ok(Date.parse(items[i - 1].created_at) >= Date.parse(items[i].created_at), `order at ${i}`);
  }
  for (const u of items) {
    assert.deepEqual(Object.keys(u).sort(), ['created_at', 'email', 'full_name', 'id', 'role', 'status']);
    assert.ok(['participant', 'instructor', 'admin'].includes(u.role));
    assert.ok(['active', 'disabled'].includes(u.status));
    assert.ok(!Number.isNaN(Date.parse(u.created_at)), u.created_at);
  }
  // One page of everything agrees.
  const all = await call(base, 'GET', '/api/v1/users?limit=200', { token: admin.token });
  assert.equal(all.status, 200, show(all));
  assert.deepEqual(all.json.items.map((u) => u.id), want);
  assert.equal(all.json.next_cursor, null);
  // Without a limit: the default page, still newest first.
  const dflt = await call(base, 'GET', '/api/v1/users', { token: admin.token });
  assert.deepEqual(dflt.json.items.map((u) => u.id), want.slice(0, dflt.json.items.length));
});

test('the list filters by role, and refuses a bad limit, role or cursor with 422', async () => {
  const pages = await listAll(admin.token, 'role=instructor');
  const items = pages.flatMap((p) => p.items);
  const want = (await sql(server, "select id from users where role = 'instructor' order by created_at desc, id desc")).split('\n');
  assert.ok(want.length >= 2);
  assert.deepEqual(items.map((u) => u.id), want);
  assert.ok(items.every((u) => u.role === 'instructor'));
  const wrong = [];
  for (const [q, code] of [
    ['limit=0', 'invalid_limit'],
    ['limit=201', 'invalid_limit'],
    ['limit=abc', 'invalid_limit'],
    ['limit=', 'invalid_limit'],
    ['role=root', 'invalid_role'],
    ['cursor=nonsense', 'invalid_cursor'],
    ['cursor=~', 'invalid_cursor'],
    // Cursors that look like one (a '~' between two parts) but whose first
    // part is no timestamp: a client's mistake, not the server's.
    ['cursor=garbage~zzz', 'invalid_cursor'],
    [`cursor=${encodeURIComponent('2026-13-45T99:00:00Z~abc')}`, 'invalid_cursor'],
  ]) {
    const r = await call(base, 'GET', `/api/v1/users?${q}`, { token: admin.token });
    if (r.status !== 422 || r.json?.error?.code !== code) wrong.push(`GET /api/v1/users?${q} → ${r.status} ${r.text} (want 422 ${code})`);
  }
  assert.deepEqual(wrong, []);
});

test('an admin changes a role (audited; effective at once) and disables and re-enables an account', async () => {
  const p = await newParticipant(base);
  const r = await call(base, 'PUT', `/api/v1/users/${p.id}`, { token: admin.token, json: { role: 'instructor' } });
  assert.equal(r.status, 200, show(r));
  assert.equal(r.json.user.role, 'instructor');
  assert.equal(r.json.status, 'active');
  assert.equal((await me(base, p.token)).json.user.role, 'instructor', 'the running session sees the new role');
  assert.equal(
    await sql(server, `select actor_id || '|' || (details->>'from') || '|' || (details->>'to') from audit_log where action = 'user.role_changed' and subject_id = ${lit(p.id)}`),
    `${admin.id}|participant|instructor`,
  );
  // The same role again is no change: not audited twice.
  assert.equal((await call(base, 'PUT', `/api/v1/users/${p.id}`, { token: admin.token, json: { role: 'instructor' } })).status, 200);
  assert.equal(await sql(server, `select count(*) from audit_log where action = 'user.role_changed' and subject_id = ${lit(p.id)}`), '1');

  const name = await call(base, 'PUT', `/api/v1/users/${p.id}`, { token: admin.token, json: { full_name: 'Renamed Person' } });
  assert.equal(name.status, 200, show(name));
  assert.equal(name.json.user.full_name, 'Renamed Person');

  const dis = await call(base, 'PUT', `/api/v1/users/${p.id}`, { token: admin.token, json: { status: 'disabled' } });
  assert.equal(dis.status, 200, show(dis));
  assert.equal(dis.json.status, 'disabled');
  const listed = (await call(base, 'GET', '/api/v1/users?limit=200', { token: admin.token })).json.items.find((u) => u.id === p.id);
  assert.equal(listed.status, 'disabled');
  assert.equal(await sql(server, `select details->>'to' from audit_log where action = 'user.status_changed' and subject_id = ${lit(p.id)}`), 'disabled');
  assert.equal((await login(base, p.email)).status, 401);
  const en = await call(base, 'PUT', `/api/v1/users/${p.id}`, { token: admin.token, json: { status: 'active' } });
  assert.equal(en.status, 200, show(en));
  assert.equal((await login(base, p.email)).status, 200);

  for (const [json, code] of [[{ role: 'root' }, 'invalid_role'], [{ status: 'banned' }, 'invalid_status'], [{ full_name: '' }, 'invalid_full_name'], [{ email: 'x@example.test' }, 'unknown_field'], [{ password_hash: '$argon2id$x' }, 'unknown_field'], [{ role: 1 }, 'invalid_field']]) {
    const bad = await call(base, 'PUT', `/api/v1/users/${p.id}`, { token: admin.token, json });
    assert.equal(bad.status, 422, `${JSON.stringify(json)}: ${show(bad)}`);
    assert.equal(bad.json.error.code, code, JSON.stringify(json));
  }
  assert.equal(await sql(server, `select role || ' ' || status || ' ' || full_name from users where id = ${lit(p.id)}`), 'instructor active Renamed Person');
});

test('participants and instructors get 403 forbidden on every /api/v1/users route; no token 401', async () => {
  const p = await newParticipant(base);
  const i = await newParticipant(base);
  assert.equal((await call(base, 'PUT', `/api/v1/users/${i.id}`, { token: admin.token, json: { role: 'instructor' } })).status, 200);
  const target = await newParticipant(base);
  const routes = [
    ['GET', '/api/v1/users', undefined],
    ['GET', '/api/v1/users?role=admin', undefined],
    ['POST', '/api/v1/users', { email: uniqueEmail('esc'), password: PASSWORD, full_name: 'Escalated', role: 'admin' }],
    ['PUT', `/api/v1/users/${target.id}`, { role: 'admin' }],
    ['PUT', `/api/v1/users/${target.id}`, { status: 'disabled' }],
    ['POST', `/api/v1/users/${target.id}/personal-data`, { reason: 'just curious' }],
  ];
  for (const [who, u] of [['participant', p], ['instructor', i]]) {
    // Their own id too: nobody promotes themselves.
    for (const [method, route, json] of [...routes, ['PUT', `/api/v1/users/${u.id}`, { role: 'admin' }]]) {
      const r = await call(base, method, route, { token: u.token, json });
      assert.equal(r.status, 403, `${who} ${method} ${route}: ${show(r)}`);
      assert.equal(r.json.error.code, 'forbidden');
    }
  }
  for (const [method, route, json] of routes) {
    const r = await call(base, method, route, { json });
    assert.equal(r.status, 401, `no token ${method} ${route}: ${show(r)}`);
  }
  assert.equal(await sql(server, `select role || ' ' || status from users where id = ${lit(target.id)}`), 'participant active');
  assert.equal(await sql(server, `select role from users where id = ${lit(p.id)}`), 'participant');
  assert.equal(await sql(server, `select role from users where id = ${lit(i.id)}`), 'instructor');
  assert.equal(await sql(server, `select count(*) from users where full_name = 'Escalated'`), '0');
});

test('an unknown user id is 404 not_found', async () => {
  for (const id of ['does-not-exist', 'AAAAAAAAAAAAAAAAAAAAAA', '%27%20or%201%3D1--']) {
    const put = await call(base, 'PUT', `/api/v1/users/${id}`, { token: admin.token, json: { role: 'admin' } });
    assert.equal(put.status, 404, `PUT ${id}: ${show(put)}`);
    assert.equal(put.json.error.code, 'not_found');
    const pii = await call(base, 'POST', `/api/v1/users/${id}/personal-data`, { token: admin.token, json: { reason: 'looking for nobody' } });
    assert.equal(pii.status, 404, `personal-data ${id}: ${show(pii)}`);
  }
});

test('sinau user create: created → 0, exists → 1, exists with --if-missing → 0, weak password → 1, bad role or usage → 2', async () => {
  const db = dbUrlOf(server);
  const email = uniqueEmail('cli');
  const made = await cliUserCreate(db, { email, name: 'Cli Instructor', role: 'instructor' });
  assert.equal(made.code, 0, made.stderr);
  const m = /^created (\{.*\})\n$/.exec(made.stdout);
  assert.ok(m, `stdout: ${made.stdout}`);
  const user = JSON.parse(m[1]);
  assert.equal(user.email, email);
  assert.equal(user.role, 'instructor');
  assert.equal(user.full_name, 'Cli Instructor');
  assert.ok(!made.stdout.includes(PASSWORD) && !made.stderr.includes(PASSWORD), 'the password is not printed');
  const l = await signedIn(base, email);
  assert.equal(l.user.role, 'instructor');
  assert.match(await sql(server, `select password_hash from users where email = ${lit(email)}`), /^\$argon2id\$/);

  const exists = await cliUserCreate(db, { email: email.toUpperCase(), name: 'Other', role: 'admin' });
  assert.equal(exists.code, 1, `exists: ${exists.stderr}`);
  assert.equal(exists.stderr.split('\n').filter(Boolean).length, 1, `one line: ${exists.stderr}`);
  const kept = await cliUserCreate(db, { email, name: 'Other', role: 'admin', ifMissing: true });
  assert.equal(kept.code, 0, `--if-missing: ${kept.stderr}`);
  assert.equal(await sql(server, `select role || '|' || full_name from users where email = ${lit(email)}`), 'instructor|Cli Instructor', 'the existing account is left as it was');

  for (const password of ['short', 'password123', '1234567890', 'z'.repeat(257)]) {
    const e2 = uniqueEmail('cliweak');
    const weak = await cliUserCreate(db, { email: e2, password });
    assert.equal(weak.code, 1, `weak ${password.slice(0, 12)}: ${weak.stderr}`);
    assert.match(weak.stderr, /weak password/);
    assert.equal(await sql(server, `select count(*) from users where email = ${lit(e2)}`), '0');
  }
  const e3 = uniqueEmail('clirole');
  const badRole = await cliUserCreate(db, { email: e3, role: 'root' });
  assert.equal(badRole.code, 2, `bad role: ${badRole.stderr}`);
  assert.equal(await sql(server, `select count(*) from users where email = ${lit(e3)}`), '0');
  for (const args of [['user', 'create', '--name', 'N', '--role', 'admin'], ['user', 'create', '--email', e3, '--role', 'admin'], ['user', 'create', '--email', e3, '--name', 'N'], ['user', 'create', '--email']]) {
    const r = await runSinauInput(args, `${PASSWORD}\n`, { env: { DATABASE_URL: db, SINAU_PWHASH: 'fast' } });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
  }
  const noInput = await runSinauInput(['user', 'create', '--email', e3, '--name', 'N', '--role', 'admin'], '', { env: { DATABASE_URL: db, SINAU_PWHASH: 'fast' } });
  assert.notEqual(noInput.code, 0, 'no password on stdin');
  assert.equal(await sql(server, `select count(*) from users where email = ${lit(e3)}`), '0');
});
