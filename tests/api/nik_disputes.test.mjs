// NIK oracle and squatting (issue 14, problem 5): 409 nik_taken is
// throttled (5 an hour per account, 20 per address; then 429 for every
// identity-number change, taken or not, so the throttle itself tells
// nothing) and audited with the holder, for admins; an admin who has seen
// the rightful owner's KTP gives them the NIK: the other account's NIK is
// cleared, both steps audited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/harness.mjs';
import { call, show, newAdmin, newParticipant, putProfile, me, sql, lit } from './lib/accounts.mjs';
import { nik } from './lib/cohorts.mjs';

let server;
let base;
let admin;

before(async () => {
  server = await startServer();
  base = server.url;
  admin = await newAdmin(server);
});
after(() => server.stop());

test('nik_taken_is_throttled_and_audited', async () => {
  const holder = await newParticipant(base);
  const N = nik();
  assert.equal((await putProfile(base, holder.token, { nik: N })).status, 200);
  const prober = await newParticipant(base);
  const from = { localAddress: '127.0.6.1' };
  for (let i = 0; i < 5; i++) {
    const r = await putProfile(base, prober.token, { nik: N }, from);
    assert.equal(r.status, 409, `attempt ${i + 1}: ${show(r)}`);
    assert.equal(r.json.error.code, 'nik_taken');
  }
  const sixth = await putProfile(base, prober.token, { nik: N }, from);
  assert.equal(sixth.status, 429, show(sixth));
  assert.equal(sixth.json.error.code, 'too_many_attempts');
  assert.match(String(sixth.headers['retry-after']), /^[1-9][0-9]*$/);
  // a free NIK is refused the same way while throttled: nothing to learn
  const free = await putProfile(base, prober.token, { nik: nik() }, from);
  assert.equal(free.status, 429, show(free));
  // other profile fields still change
  assert.equal((await putProfile(base, prober.token, { agency: 'Diskominfo' }, from)).status, 200);
  const audited = await sql(server, `select count(*) || '|' || count(*) filter (where details->>'holder_id' = ${lit(holder.id)}) from audit_log where action = 'profile.nik_taken' and subject_id = ${lit(prober.id)}`);
  assert.equal(audited, '5|5', 'each refusal audited with the holder');
  assert.ok(!server.logs().join('\n').includes(N), 'the NIK is never logged');
});

test('nik_taken_is_throttled_per_address', async () => {
  const holder = await newParticipant(base);
  const N = nik();
  assert.equal((await putProfile(base, holder.token, { nik: N })).status, 200);
  const from = { localAddress: '127.0.6.2' };
  const statuses = [];
  for (let a = 0; a < 5; a++) {
    const p = await newParticipant(base);
    for (let i = 0; i < 5; i++) statuses.push((await putProfile(base, p.token, { nik: N }, from)).status);
  }
  assert.deepEqual(statuses.slice(0, 20), Array(20).fill(409));
  assert.deepEqual(statuses.slice(20), Array(5).fill(429));
});

test('admin_resolves_a_disputed_nik', async () => {
  const squatter = await newParticipant(base);
  const owner = await newParticipant(base);
  const N = nik();
  assert.equal((await putProfile(base, squatter.token, { nik: N })).status, 200);
  assert.equal((await putProfile(base, owner.token, { nik: N })).status, 409);

  const notAdmin = await call(base, 'POST', `/api/v1/users/${owner.id}/nik`, { token: owner.token, json: { nik: N, reason: 'KTP' } });
  assert.equal(notAdmin.status, 403, show(notAdmin));
  const bad = await call(base, 'POST', `/api/v1/users/${owner.id}/nik`, { token: admin.token, json: { nik: '123', reason: 'KTP' } });
  assert.equal(bad.status, 422, show(bad));
  const r = await call(base, 'POST', `/api/v1/users/${owner.id}/nik`, { token: admin.token, json: { nik: N, reason: 'KTP asli diperiksa di loket' } });
  assert.equal(r.status, 200, show(r));
  assert.equal(r.json.cleared_from, squatter.id);
  assert.ok(!r.text.includes(N), 'the NIK is not echoed');
  assert.match(r.json.profile.nik, /\*/, 'masked');

  assert.equal((await me(base, squatter.token)).json.profile.nik, null, "the squatter's NIK is cleared");
  assert.match((await me(base, owner.token)).json.profile.nik, /\*/);
  const audit = await sql(server, `select string_agg(action || ':' || subject_id, ',' order by id) from audit_log where action in ('profile.nik_cleared', 'profile.nik_assigned') and actor_id = ${lit(admin.id)}`);
  assert.equal(audit, `profile.nik_cleared:${squatter.id},profile.nik_assigned:${owner.id}`);
  const unknown = await call(base, 'POST', '/api/v1/users/nosuchuser/nik', { token: admin.token, json: { nik: nik(), reason: 'x' } });
  assert.equal(unknown.status, 404, show(unknown));
});
