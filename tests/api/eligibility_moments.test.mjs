// Eligibility at every moment a seat changes hands (issue 14, problem 13):
// a waitlisted participant who no longer qualifies is passed over at
// promotion and at an offer (kept in line, so fixing the profile brings
// them back), an offer is not accepted without it, and a profile change
// that would break a live registration (confirmed, offered or waitlisted
// in a cohort not yet over) is refused with 409 profile_in_use — cancel
// the registration first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/harness.mjs';
import { newAdmin, putProfile, show, sql, lit, call } from './lib/accounts.mjs';
import { cohort, register, participant, cancel, accept, myRegistration } from './lib/cohorts.mjs';

let server;
let base;
let admin;

before(async () => {
  server = await startServer();
  base = server.url;
  admin = await newAdmin(server);
});
after(() => server.stop());

// what an admin's NIK resolution or a data correction can do behind the
// participant's back: the profile loses what the segment needs
const strip = (id) => sql(server, `update profiles set business_name = null where user_id = ${lit(id)}`);

test('promotion_skips_a_waitlisted_participant_no_longer_eligible', async () => {
  const c = await cohort(base, admin, { segments: [{ segment: 'umkm', quota: 1, waitlist: true }] });
  const [a, b, d] = [await participant(base, { segment: 'umkm' }), await participant(base, { segment: 'umkm' }), await participant(base, { segment: 'umkm' })];
  const ra = await register(base, a.token, c.id, 'umkm');
  assert.equal(ra.json.status, 'confirmed');
  assert.equal((await register(base, b.token, c.id, 'umkm')).json.status, 'waitlisted');
  assert.equal((await register(base, d.token, c.id, 'umkm')).json.status, 'waitlisted');
  await strip(b.id);
  assert.ok((await cancel(base, a.token, ra.json.id)).status < 300);
  assert.equal((await myRegistration(base, b.token, c.id)).status, 'waitlisted', 'b is passed over, kept in line');
  assert.equal((await myRegistration(base, d.token, c.id)).status, 'confirmed', 'd, next eligible, gets the seat');
});

test('offer_skips_and_accept_refuses_a_participant_no_longer_eligible', async () => {
  const c = await cohort(base, admin, { offer_ttl_s: 3600, segments: [{ segment: 'umkm', quota: 1, waitlist: true }] });
  const [a, b, d] = [await participant(base, { segment: 'umkm' }), await participant(base, { segment: 'umkm' }), await participant(base, { segment: 'umkm' })];
  const ra = await register(base, a.token, c.id, 'umkm');
  const rb = await register(base, b.token, c.id, 'umkm');
  await register(base, d.token, c.id, 'umkm');
  assert.ok((await cancel(base, a.token, ra.json.id)).status < 300);
  assert.equal((await myRegistration(base, b.token, c.id)).status, 'offered');
  await strip(b.id);
  const acc = await accept(base, b.token, rb.json.id);
  assert.equal(acc.status, 422, show(acc));
  assert.equal(acc.json.error.code, 'not_eligible');
  assert.equal((await myRegistration(base, b.token, c.id)).status, 'offered', 'the offer stands until it expires');
});

test('profile_change_that_breaks_a_live_registration_is_refused', async () => {
  const c = await cohort(base, admin, { segments: [{ segment: 'umkm', quota: 2, waitlist: true }] });
  const p = await participant(base, { segment: 'umkm' });
  assert.equal((await register(base, p.token, c.id, 'umkm')).status, 201);
  const r = await putProfile(base, p.token, { business_name: null });
  assert.equal(r.status, 409, show(r));
  assert.equal(r.json.error.code, 'profile_in_use');
  assert.equal(await sql(server, `select business_name is not null from profiles where user_id = ${lit(p.id)}`), 't', 'nothing changed');
  // other fields still change
  assert.equal((await putProfile(base, p.token, { business_sector: 'kuliner' })).status, 200);
  // after cancelling, the profile is free again
  const mine = await myRegistration(base, p.token, c.id);
  assert.ok((await cancel(base, p.token, mine.id)).status < 300);
  assert.equal((await putProfile(base, p.token, { business_name: null })).status, 200);
});

// GET /me carries the same rule's answer for each segment (issue 16: the
// web shows it and no longer writes the rule again): what the profile
// lacks, [] when eligible, a segment only a cohort has included; staff
// have none. It follows the profile, and registering agrees with it.
test('me_says_what_the_profile_lacks_for_each_segment', async () => {
  const c = await cohort(base, admin, { segments: [{ segment: 'umkm', quota: 5, waitlist: false }, { segment: 'veteran', quota: 5, waitlist: false }] });
  const p = await participant(base, { segment: 'umkm' });
  let m = await call(base, 'GET', '/api/v1/me', { token: p.token });
  assert.equal(m.status, 200, show(m));
  const { asn, umkm, public: pub, veteran } = m.json.eligibility;
  assert.deepEqual({ asn, umkm, public: pub, veteran }, { asn: ['nip'], umkm: [], public: ['nik'], veteran: [] }, JSON.stringify(m.json.eligibility));
  assert.equal((await register(base, p.token, c.id, 'umkm')).status, 201, 'eligible as GET /me says');
  await strip(p.id);
  m = await call(base, 'GET', '/api/v1/me', { token: p.token });
  assert.deepEqual(m.json.eligibility.umkm, ['business_name'], 'it follows the profile');
  const staff = await call(base, 'GET', '/api/v1/me', { token: admin.token });
  assert.equal(staff.status, 200, show(staff));
  assert.equal(staff.json.eligibility, null, 'staff register nowhere');
});
