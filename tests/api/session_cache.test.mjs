// The per-process session cache (issue 17) across two `sinau serve` on one
// database: a session answered from one instance's cache is refused there
// once another instance disables the user, logs the session out or changes
// the role, because the change's NOTIFY (sql/functions/accounts.sql) drops
// it; and losing the listening connection empties the cache. The cache
// lifetime is set to its maximum (60 s), so without the invalidation every
// refusal below would be a 200 for a minute. Nothing here asserts a
// duration: each check waits for the event (a hit, an invalidation, a
// resubscription) to show in /metrics, then looks at the answer.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, freshDatabase, sleep } from './lib/harness.mjs';
import { call, show, me, newParticipant, newAdmin, signedIn, sql, lit } from './lib/accounts.mjs';

let A;
let B;

before(async () => {
  const db = await freshDatabase();
  const env = { SINAU_SESSION_CACHE_S: '60' };
  [A, B] = await Promise.all([startServer({ database: db, env }), startServer({ database: db, env })]);
});

async function metric(s, name) {
  const r = await call(s.url, 'GET', '/metrics');
  assert.equal(r.status, 200, show(r));
  const m = r.text.match(new RegExp(`^${name} (\\d+)`, 'm'));
  assert.ok(m, `${name} in /metrics`);
  return Number(m[1]);
}

// Waits (polling /metrics, published every tick) until cond holds.
async function until(what, cond) {
  for (let i = 0; i < 400; i++) {
    if (await cond()) return;
    await sleep(50);
  }
  assert.fail(`never happened: ${what}`);
}

// Makes `s` answer `path` for `token` from its cache: the first check only
// earns a place, the second stores it, the third is a hit.
async function cachedOn(s, token, path = '/api/v1/me') {
  await until(`${s.url} cache on`, async () => (await metric(s, 'sinau_session_cache_enabled')) === 1);
  const hits = await metric(s, 'sinau_session_cache_hits_total');
  for (let i = 0; i < 3; i++) {
    const r = await call(s.url, 'GET', path, { token });
    assert.equal(r.status, 200, show(r));
  }
  await until(`a cache hit on ${s.url}`, async () => (await metric(s, 'sinau_session_cache_hits_total')) > hits);
}

async function afterInvalidation(s, action) {
  const before = await metric(s, 'sinau_session_cache_invalidations_total');
  await action();
  await until(`an invalidation on ${s.url}`, async () => (await metric(s, 'sinau_session_cache_invalidations_total')) > before);
}

test('a disabled user\'s session cached on B is refused on B once A disables the account', async () => {
  const admin = await newAdmin(A);
  const p = await newParticipant(A.url);
  await cachedOn(B, p.token);
  await afterInvalidation(B, async () => {
    const d = await call(A.url, 'PUT', `/api/v1/users/${p.id}`, { token: admin.token, json: { status: 'disabled' } });
    assert.equal(d.status, 200, show(d));
  });
  assert.equal((await me(B.url, p.token)).status, 401);
  assert.equal((await me(A.url, p.token)).status, 401);
});

test('a logout on A ends the session cached on B; the user\'s other session stays cached', async () => {
  const p = await newParticipant(A.url);
  const other = (await signedIn(A.url, p.email)).token;
  await cachedOn(B, p.token);
  await cachedOn(B, other);
  await afterInvalidation(B, async () => {
    const out = await call(A.url, 'POST', '/api/v1/auth/logout', { token: p.token });
    assert.equal(out.status, 204, show(out));
  });
  assert.equal((await me(B.url, p.token)).status, 401);
  assert.equal((await me(B.url, other)).status, 200);
});

test('a role change on A takes effect on B: an admin demoted to participant is refused admin routes', async () => {
  const boss = await newAdmin(A);
  const demoted = await newAdmin(A);
  await cachedOn(B, demoted.token, '/api/v1/users');
  await afterInvalidation(B, async () => {
    const r = await call(A.url, 'PUT', `/api/v1/users/${demoted.user.id}`, { token: boss.token, json: { role: 'participant' } });
    assert.equal(r.status, 200, show(r));
  });
  const refused = await call(B.url, 'GET', '/api/v1/users', { token: demoted.token });
  assert.equal(refused.status, 403, show(refused));
  assert.equal((await me(B.url, demoted.token)).status, 200, 'still signed in, as a participant');
});

test('losing the listening connection empties the cache: a revocation nobody was told of is seen', async () => {
  const p = await newParticipant(A.url);
  await cachedOn(B, p.token);
  const flushes = await metric(B, 'sinau_session_cache_flushes_total');
  await sql(B, "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'sinau-listen' and datname = current_database()");
  // the loss empties it (and the resubscription empties it again)
  await until('the cache flushed on B', async () => (await metric(B, 'sinau_session_cache_flushes_total')) >= flushes + 2);
  // a revocation with the triggers off: no notification at all
  await sql(B, ['set session_replication_role = replica', `update sessions set revoked_at = now() where user_id = ${lit(p.id)}`]);
  assert.equal((await me(B.url, p.token)).status, 401);
});

// Issue 17 (P3): the cache misses that reach one loop while a session check
// is in the database go together in one statement (server/auth/guard.c,
// session_batch_stmt). A burst of cold sessions of every kind, each sent
// several times at once, must each get the answer of its own session: the
// live ones their user and role (200 on /me; 403 or 200 on an admin route),
// the logged-out, disabled, expired, idle and unknown ones 401.
test('a burst of cold session checks in one statement: each answered by its own session', async () => {
  const C = A;
  const admin = await newAdmin(C);
  const live = await Promise.all([1, 2, 3, 4, 5].map(() => newParticipant(C.url)));
  const [out, disabled, expired, idle] = await Promise.all([1, 2, 3, 4].map(() => newParticipant(C.url)));
  const o = await call(C.url, 'POST', '/api/v1/auth/logout', { token: out.token });
  assert.equal(o.status, 204, show(o));
  const d = await call(C.url, 'PUT', `/api/v1/users/${disabled.id}`, { token: admin.token, json: { status: 'disabled' } });
  assert.equal(d.status, 200, show(d));
  await sql(C, [
    `update sessions set expires_at = now() - interval '1 second' where user_id = ${lit(expired.id)}`,
    `update sessions set last_seen_at = now() - interval '400 days' where user_id = ${lit(idle.id)}`,
  ]);
  const flip = (t) => t.slice(0, -1) + (t.endsWith('A') ? 'B' : 'A');
  const cases = [
    ...live.map((p) => ({ token: p.token, me: 200, admin: 403, id: p.id })),
    { token: admin.token, me: 200, admin: 200, id: admin.user.id },
    ...[out, disabled, expired, idle].map((p) => ({ token: p.token, me: 401, admin: 401 })),
    { token: flip(live[0].token), me: 401, admin: 401 },
  ];
  const burst = [];
  for (let round = 0; round < 4; round++) {
    for (const c of cases) {
      burst.push(call(C.url, 'GET', '/api/v1/me', { token: c.token }).then((r) => ({ c, r, path: 'me' })));
      burst.push(call(C.url, 'GET', '/api/v1/users', { token: c.token }).then((r) => ({ c, r, path: 'admin' })));
    }
  }
  for (const { c, r, path } of await Promise.all(burst)) {
    assert.equal(r.status, c[path], `${path} with ${c.token.slice(0, 6)}…: ${show(r)}`);
    if (path === 'me' && r.status === 200) assert.equal(r.json.user?.id ?? r.json.id, c.id, show(r));
  }
});
