// Programmes, cohorts and their administration (issue 4; API.md "Programmes,
// cohorts, registration" and Conventions; SECURITY.md cases 12-14):
// validation of programmes and cohorts, instructors, quota changes, spill-
// over, the registration list for admins and the cohort's own instructors,
// the CSV export (BOM, ';', CRLF, quoting, formula injection), and the
// fairness log with its hash chain (keyed identities, the published head,
// `sinau audit verify` on an intact and a tampered export).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/harness.mjs';
import { call, show, sql, lit, newAdmin, newParticipant, putProfile } from './lib/accounts.mjs';
import {
  instantIn, dateIn, participant, participants, programme, uniqueSlug, createProgramme, cohortBody, createCohort, cohort,
  getCohort, seats, setQuota, addInstructor, register, cancel, myRegistration, listRegistrations, allRegistrations,
  parseCsv, allocationLog, logHead, recomputeChain, auditVerify, newInstructor, tally, GENESIS, nik,
} from './lib/cohorts.mjs';

let server;
let base;
let admin;

before(async () => {
  server = await startServer();
  base = server.url;
  admin = await newAdmin(server);
});

async function count(table, where) {
  return Number(await sql(server, `select count(*) from ${table} where ${where}`));
}

// ------------------------------------------------------------ programmes ----

test('programmes: admin creates (201); duplicate slug 409 slug_taken; bad values and unknown members 422; others 403/401', async () => {
  const slug = uniqueSlug('literasi');
  const r = await createProgramme(base, admin.token, { slug, title: 'Literasi Digital', description: 'Untuk ASN dan UMKM' });
  assert.equal(r.status, 201, show(r));
  assert.equal(r.json.slug, slug);
  assert.equal(r.json.title, 'Literasi Digital');
  assert.equal(r.json.description, 'Untuk ASN dan UMKM');
  assert.equal(typeof r.json.id, 'string');
  assert.deepEqual(r.json.cohorts, []);

  const dup = await createProgramme(base, admin.token, { slug, title: 'Lagi' });
  assert.equal(dup.status, 409, show(dup));
  assert.equal(dup.json.error.code, 'slug_taken');

  for (const [json, code] of [
    [{ slug: 'Huruf Besar', title: 'x' }, 'invalid_field'],
    [{ slug: 'a', title: 'x' }, 'invalid_field'],
    [{ slug: uniqueSlug(), title: '' }, 'invalid_field'],
    [{ slug: uniqueSlug(), title: 'x'.repeat(201) }, 'invalid_field'],
    [{ slug: uniqueSlug() }, 'invalid_field'],
    [{ slug: uniqueSlug(), title: 7 }, 'invalid_field'],
    [{ slug: uniqueSlug(), title: 'x', owner: 'me' }, 'unknown_field'],
  ]) {
    const bad = await createProgramme(base, admin.token, json);
    assert.equal(bad.status, 422, `${JSON.stringify(json).slice(0, 80)}: ${show(bad)}`);
    assert.equal(bad.json.error.code, code, JSON.stringify(json).slice(0, 80));
  }

  const p = await newParticipant(base);
  const instr = await newInstructor(server);
  for (const who of [p, instr]) {
    const f = await createProgramme(base, who.token, { slug: uniqueSlug(), title: 'Tidak boleh' });
    assert.equal(f.status, 403, show(f));
  }
  const anon = await createProgramme(base, undefined, { slug: uniqueSlug(), title: 'Tidak boleh' });
  assert.equal(anon.status, 401, show(anon));
  assert.equal(anon.json.error.code, 'unauthenticated');
  assert.equal(await count('programmes', `title = 'Tidak boleh'`), 0);

  const one = await call(base, 'GET', `/api/v1/programmes/${slug}`);
  assert.equal(one.status, 200, show(one));
  assert.equal(one.json.id, r.json.id);
  assert.equal((await call(base, 'GET', '/api/v1/programmes/no-such-programme')).status, 404);
});

test('GET /programmes lists programmes with current and upcoming cohorts (ended ones left out) and their seats', async () => {
  const p = await programme(base, admin, { title: 'Katalog Publik' });
  const now = await createCohort(base, admin.token, p.slug, cohortBody({ name: 'Sekarang' }));
  assert.equal(now.status, 201, show(now));
  const past = await createCohort(base, admin.token, p.slug, cohortBody({
    name: 'Dulu', registration_opens_at: instantIn(-90 * 86400), registration_closes_at: instantIn(-80 * 86400),
    starts_on: dateIn(-70), ends_on: dateIn(-40),
  }));
  assert.equal(past.status, 201, show(past));
  const list = await call(base, 'GET', '/api/v1/programmes');
  assert.equal(list.status, 200, show(list));
  assert.ok(Array.isArray(list.json.items));
  const mine = list.json.items.find((x) => x.slug === p.slug);
  assert.ok(mine, 'the programme is listed');
  assert.deepEqual(mine.cohorts.map((x) => x.name), ['Sekarang']);
  assert.deepEqual(mine.cohorts[0].segments.map((s) => [s.segment, s.quota, s.seats_left]), [['asn', 5, 5], ['public', 5, 5], ['umkm', 5, 5]]);
  // the programme page shows every cohort
  const page = await call(base, 'GET', `/api/v1/programmes/${p.slug}`);
  assert.deepEqual(page.json.cohorts.map((x) => x.name).sort(), ['Dulu', 'Sekarang']);
});

// --------------------------------------------------------------- cohorts ----

test('cohorts: creation answers 201 with segments and counts; GET is public', async () => {
  const p = await programme(base, admin);
  const body = cohortBody({
    name: 'Angkatan Malang', jp: 40, residency_prefix: '3573', spillover_at: instantIn(3 * 86400), offer_ttl_s: 86400,
    certificate_rules: { min_lesson_percent: 80, require_assignments_passed: true },
    segments: [{ segment: 'asn', quota: 10, waitlist: false }, { segment: 'umkm', quota: 20 }],
  });
  const r = await createCohort(base, admin.token, p.slug, body);
  assert.equal(r.status, 201, show(r));
  const c = r.json;
  for (const k of ['name', 'jp', 'residency_prefix', 'offer_ttl_s', 'starts_on', 'ends_on']) assert.equal(c[k], body[k], k);
  assert.equal(Date.parse(c.registration_opens_at), Date.parse(body.registration_opens_at));
  assert.equal(Date.parse(c.registration_closes_at), Date.parse(body.registration_closes_at));
  assert.equal(Date.parse(c.spillover_at), Date.parse(body.spillover_at));
  assert.deepEqual(c.certificate_rules, body.certificate_rules);
  assert.deepEqual(c.segments, [
    { segment: 'asn', quota: 10, waitlist: false, confirmed: 0, waitlisted: 0, seats_left: 10 },
    { segment: 'umkm', quota: 20, waitlist: true, confirmed: 0, waitlisted: 0, seats_left: 20 },
  ]);
  assert.deepEqual(c.instructors, []);
  const got = await getCohort(base, c.id);
  assert.equal(got.status, 200, show(got));
  assert.deepEqual(got.json.segments, c.segments);
  assert.equal((await getCohort(base, 'no-such-cohort')).status, 404);
});

test('cohorts: bad dates, a window that closes before it opens, bad values, duplicate segments, unknown members → 422, nothing created', async () => {
  const p = await programme(base, admin);
  const cases = [
    ['opens_at not a date', { registration_opens_at: 'besok pagi' }],
    ['starts_on 30 February', { starts_on: '2031-02-30' }],
    ['ends_on month 13', { ends_on: '2031-13-01' }],
    ['window closes before it opens', { registration_opens_at: instantIn(7200), registration_closes_at: instantIn(3600) }],
    ['window of zero length', { registration_opens_at: '2031-01-01T00:00:00Z', registration_closes_at: '2031-01-01T00:00:00Z' }],
    ['ends before it starts', { starts_on: dateIn(30), ends_on: dateIn(20) }],
    ['negative jp', { jp: -1 }],
    ['jp not an integer', { jp: '32' }],
    ['empty name', { name: '' }],
    ['residency prefix not digits', { residency_prefix: '35AB' }],
    ['offer_ttl_s below 60', { offer_ttl_s: 59 }],
    ['offer_ttl_s above 14 days', { offer_ttl_s: 1209601 }],
    ['spillover_at not a date', { spillover_at: 'nanti' }],
    ['no segments', { segments: [] }],
    ['segments not an array', { segments: { segment: 'asn', quota: 1 } }],
    ['duplicate segment', { segments: [{ segment: 'asn', quota: 1 }, { segment: 'umkm', quota: 1 }, { segment: 'asn', quota: 2 }] }],
    ['negative quota', { segments: [{ segment: 'asn', quota: -1 }] }],
    ['quota above 100000', { segments: [{ segment: 'asn', quota: 100001 }] }],
    ['bad segment name', { segments: [{ segment: 'ASN Pusat', quota: 1 }] }],
    ['segment without quota', { segments: [{ segment: 'asn' }] }],
    ['unknown member in a segment', { segments: [{ segment: 'asn', quota: 1, confirmed: 1 }] }],
    ['certificate_rules not an object', { certificate_rules: [80] }],
    ['missing starts_on', { starts_on: undefined }],
  ];
  for (const [what, over] of cases) {
    const r = await createCohort(base, admin.token, p.slug, cohortBody({ name: `bad: ${what}`.slice(0, 200), ...over }));
    assert.equal(r.status, 422, `${what}: ${show(r)}`);
    assert.equal(typeof r.json?.error?.code, 'string', what);
  }
  const unknown = await createCohort(base, admin.token, p.slug, { ...cohortBody(), capacity: 100 });
  assert.equal(unknown.status, 422, show(unknown));
  assert.equal(unknown.json.error.code, 'unknown_field');
  const segUnknown = await createCohort(base, admin.token, p.slug, cohortBody({ segments: [{ segment: 'asn', quota: 1, confirmed: 1 }] }));
  assert.equal(segUnknown.json.error.code, 'unknown_field');
  const dup = await createCohort(base, admin.token, p.slug, cohortBody({ segments: [{ segment: 'asn', quota: 1 }, { segment: 'asn', quota: 2 }] }));
  assert.equal(dup.json.error.code, 'invalid_segments');
  assert.equal(await count('cohorts', `programme_id = ${lit(p.id)}`), 0, 'no cohort was created by a refused request');
  assert.equal(await count('cohort_segments s join cohorts c on c.id = s.cohort_id', `c.programme_id = ${lit(p.id)}`), 0);

  // a quota of 0 and the limits of offer_ttl_s are fine
  for (const over of [{ offer_ttl_s: 60 }, { offer_ttl_s: 1209600 }, { segments: [{ segment: 'asn', quota: 0 }] }]) {
    const ok = await createCohort(base, admin.token, p.slug, cohortBody(over));
    assert.equal(ok.status, 201, `${JSON.stringify(over)}: ${show(ok)}`);
  }
});

test('cohorts: only admins create (403 participant and instructor, 401 anonymous); an unknown programme → 404', async () => {
  const p = await programme(base, admin);
  const part = await newParticipant(base);
  const instr = await newInstructor(server);
  for (const who of [part, instr]) {
    const r = await createCohort(base, who.token, p.slug, cohortBody());
    assert.equal(r.status, 403, show(r));
  }
  const anon = await createCohort(base, undefined, p.slug, cohortBody());
  assert.equal(anon.status, 401, show(anon));
  const none = await createCohort(base, admin.token, 'no-such-programme', cohortBody());
  assert.equal(none.status, 404, show(none));
  assert.equal(await count('cohorts', `programme_id = ${lit(p.id)}`), 0);
});

test('instructors: admin adds an instructor (201, shown on the cohort); a participant → 422 not_instructor; others 403', async () => {
  const c = await cohort(base, admin);
  const instr = await newInstructor(server, { name: 'Ibu Guru Ratna' });
  const p = await newParticipant(base);
  const r = await addInstructor(base, admin.token, c.id, instr.id);
  assert.equal(r.status, 201, show(r));
  const again = await addInstructor(base, admin.token, c.id, instr.id);
  assert.equal(again.status, 201, show(again));
  const got = await getCohort(base, c.id);
  assert.deepEqual(got.json.instructors, [{ id: instr.id, full_name: 'Ibu Guru Ratna' }]);
  const notInstr = await addInstructor(base, admin.token, c.id, p.id);
  assert.equal(notInstr.status, 422, show(notInstr));
  assert.equal(notInstr.json.error.code, 'not_instructor');
  const nobody = await addInstructor(base, admin.token, c.id, 'no-such-user');
  assert.equal(nobody.status, 422, show(nobody));
  assert.equal((await addInstructor(base, admin.token, 'no-such-cohort', instr.id)).status, 404);
  for (const who of [p, instr]) assert.equal((await addInstructor(base, who.token, c.id, instr.id)).status, 403);
  assert.equal(await count('cohort_instructors', `cohort_id = ${lit(c.id)}`), 1);
});

// ----------------------------------------------------------------- quota ----

test('quota: lowering below the seats taken → 409 quota_below_confirmed; raising promotes the waitlist in arrival order', async () => {
  const c = await cohort(base, admin, { segments: [{ segment: 'public', quota: 3 }, { segment: 'umkm', quota: 1 }] });
  const ps = await participants(base, 7, { segment: 'public' });
  const regs = [];
  for (const p of ps) {
    const r = await register(base, p.token, c.id, 'public');
    assert.equal(r.status, 201, show(r));
    regs.push(r.json);
  }
  assert.deepEqual(tally(regs.map((r) => r.status)), { confirmed: 3, waitlisted: 4 });

  const low = await setQuota(base, admin.token, c.id, 'public', { quota: 2 });
  assert.equal(low.status, 409, show(low));
  assert.equal(low.json.error.code, 'quota_below_confirmed');
  assert.equal(low.json.error.details.confirmed, 3);
  assert.equal((await seats(base, c.id)).public.quota, 3, 'unchanged');
  // and the database itself refuses an overbooked segment, whatever the code does
  await assert.rejects(sql(server, `update cohort_segments set confirmed = quota + 1 where cohort_id = ${lit(c.id)} and segment = 'public'`),
    /cohort_segments_not_overbooked/);

  const same = await setQuota(base, admin.token, c.id, 'public', { quota: 3 });
  assert.equal(same.status, 200, show(same));

  const up = await setQuota(base, admin.token, c.id, 'public', { quota: 5 });
  assert.equal(up.status, 200, show(up));
  const pub = up.json.segments.find((s) => s.segment === 'public');
  assert.deepEqual(pub, { segment: 'public', quota: 5, waitlist: true, confirmed: 5, waitlisted: 2, seats_left: 0 });
  // the first two waitlisted (by arrival) are the ones confirmed
  const st = [];
  for (const p of ps) st.push(await myRegistration(base, p.token, c.id));
  assert.deepEqual(st.map((x) => [x.status, x.waitlist_position]),
    [['confirmed', null], ['confirmed', null], ['confirmed', null], ['confirmed', null], ['confirmed', null], ['waitlisted', 1], ['waitlisted', 2]]);
  assert.deepEqual(await seats(base, c.id), Object.fromEntries(up.json.segments.map((s) => [s.segment, s])));

  // waitlist can be switched off; the segment then refuses when full
  const off = await setQuota(base, admin.token, c.id, 'umkm', { quota: 1, waitlist: false });
  assert.equal(off.status, 200, show(off));
  assert.equal(off.json.segments.find((s) => s.segment === 'umkm').waitlist, false);

  for (const [json, code] of [[{ quota: -1 }, 'invalid_quota'], [{ quota: 'lima' }, 'invalid_field'], [{ quota: 5, confirmed: 0 }, 'unknown_field'], [{}, 'invalid_field']]) {
    const r = await setQuota(base, admin.token, c.id, 'public', json);
    assert.equal(r.status, 422, `${JSON.stringify(json)}: ${show(r)}`);
    assert.equal(r.json.error.code, code);
  }
  assert.equal((await setQuota(base, admin.token, c.id, 'pensiunan', { quota: 1 })).status, 404);
  assert.equal((await setQuota(base, admin.token, 'no-such-cohort', 'public', { quota: 1 })).status, 404);
  const instr = await newInstructor(server);
  assert.equal((await addInstructor(base, admin.token, c.id, instr.id)).status, 201);
  for (const who of [ps[0], instr]) {
    const r = await setQuota(base, who.token, c.id, 'public', { quota: 100 });
    assert.equal(r.status, 403, show(r));
  }
  assert.equal((await setQuota(base, undefined, c.id, 'public', { quota: 100 })).status, 401);
  assert.equal((await seats(base, c.id)).public.quota, 5);
  assert.equal(await count('audit_log', `action = 'cohort.quota_changed' and details->>'cohort_id' = ${lit(c.id)}`), 3);
  // the fairness log shows the quota changes and the promotions they caused
  const log = await allocationLog(base, admin.token, c.id);
  assert.equal(log.status, 200, show(log.res));
  assert.equal(log.entries.filter((e) => /^quota/.test(e.outcome)).length, 3, log.text);
  assert.deepEqual(log.entries.filter((e) => e.outcome === 'promoted').map((e) => e.registration), [regs[3].id, regs[4].id]);
  assert.ok(recomputeChain(log.entries).ok);
});

// ------------------------------------------------------------ spill-over ----

test('spill-over: after spillover_at a full segment takes a free seat of another; before it, the waitlist', async () => {
  const segs = [{ segment: 'asn', quota: 1 }, { segment: 'umkm', quota: 2 }];
  const spill = await cohort(base, admin, { spillover_at: instantIn(-60), segments: segs });
  const noSpill = await cohort(base, admin, { spillover_at: instantIn(86400), segments: segs });
  const asn = await participants(base, 3, { segment: 'asn' });
  const umkm = await participants(base, 2, { segment: 'umkm' });

  // before the spill-over instant: asn full → waitlisted, umkm keeps its seats
  assert.equal((await register(base, asn[0].token, noSpill.id, 'asn')).json.status, 'confirmed');
  const w = await register(base, asn[1].token, noSpill.id, 'asn');
  assert.equal(w.status, 201, show(w));
  assert.equal(w.json.status, 'waitlisted');
  assert.deepEqual((await seats(base, noSpill.id)).umkm.quota, 2);

  // after it: the second ASN takes one of umkm's free seats
  assert.equal((await register(base, asn[0].token, spill.id, 'asn')).json.status, 'confirmed');
  const s2 = await register(base, asn[1].token, spill.id, 'asn');
  assert.equal(s2.status, 201, show(s2));
  assert.equal(s2.json.status, 'confirmed', 'a seat spilled over from umkm');
  let s = await seats(base, spill.id);
  assert.deepEqual([s.asn.quota, s.asn.confirmed, s.umkm.quota, s.umkm.confirmed], [2, 2, 1, 0]);
  assert.equal(s.asn.quota + s.umkm.quota, 3, 'the cohort never grows');
  // umkm still has its last seat
  assert.equal((await register(base, umkm[0].token, spill.id, 'umkm')).json.status, 'confirmed');
  // now every seat is taken: the next ones wait
  const s3 = await register(base, asn[2].token, spill.id, 'asn');
  assert.equal(s3.json.status, 'waitlisted', show(s3));
  const s4 = await register(base, umkm[1].token, spill.id, 'umkm');
  assert.equal(s4.json.status, 'waitlisted', show(s4));
  s = await seats(base, spill.id);
  assert.deepEqual([s.asn.quota, s.asn.confirmed, s.umkm.quota, s.umkm.confirmed], [2, 2, 1, 1]);
  assert.equal(await sql(server, `select sum(confirmed) || '/' || sum(quota) from cohort_segments where cohort_id = ${lit(spill.id)}`), '3/3');
  const log = await allocationLog(base, admin.token, spill.id);
  assert.equal(log.entries.filter((e) => e.outcome === 'seat_spilled_to_asn').length, 1, log.text);
});

test('spill-over instant: those already waiting get the free seats of other segments first, in arrival order, before a newcomer', async () => {
  const c = await cohort(base, admin, { spillover_at: instantIn(86400), segments: [{ segment: 'asn', quota: 1 }, { segment: 'umkm', quota: 3 }] });
  const asn = await participants(base, 4, { segment: 'asn' });
  const [d] = await participants(base, 1, { segment: 'umkm' });
  const regs = [];
  for (const p of asn.slice(0, 3)) regs.push((await register(base, p.token, c.id, 'asn')).json);
  assert.deepEqual(regs.map((r) => [r.status, r.waitlist_position]), [['confirmed', null], ['waitlisted', 1], ['waitlisted', 2]]);
  assert.equal((await register(base, d.token, c.id, 'umkm')).json.status, 'confirmed');
  // the spill-over instant passes (moved into the past directly: the API has no cohort update)
  await sql(server, `update cohorts set spillover_at = now() - interval '1 second' where id = ${lit(c.id)}`);
  const e = await register(base, asn[3].token, c.id, 'asn');
  assert.equal(e.status, 201, show(e));
  assert.deepEqual([e.json.status, e.json.waitlist_position], ['waitlisted', 1], 'the newcomer queues: the free seats went to those waiting');
  for (const [i, p] of asn.slice(1, 3).entries()) {
    const mine = await myRegistration(base, p.token, c.id);
    assert.equal(mine.status, 'confirmed', `waiting participant ${i + 1}: ${JSON.stringify(mine)}`);
  }
  const s = await seats(base, c.id);
  assert.deepEqual([s.asn.quota, s.asn.confirmed, s.asn.waitlisted, s.umkm.quota, s.umkm.confirmed], [3, 3, 1, 1, 1]);
  const log = await allocationLog(base, admin.token, c.id);
  assert.equal(log.entries.filter((x) => x.outcome === 'seat_spilled_to_asn').length, 2, log.text);
  assert.deepEqual(log.entries.filter((x) => x.outcome === 'promoted').map((x) => x.registration), [regs[1].id, regs[2].id]);
});

test('spill-over instant with nobody registering: the server\'s timer moves free seats to those waiting (within ~10 s)', async () => {
  const c = await cohort(base, admin, { spillover_at: instantIn(86400), segments: [{ segment: 'asn', quota: 1 }, { segment: 'public', quota: 2 }] });
  const asn = await participants(base, 3, { segment: 'asn' });
  const regs = [];
  for (const p of asn) regs.push((await register(base, p.token, c.id, 'asn')).json);
  assert.deepEqual(regs.map((r) => r.status), ['confirmed', 'waitlisted', 'waitlisted']);
  await sql(server, `update cohorts set spillover_at = now() - interval '1 second' where id = ${lit(c.id)}`);
  const until = Date.now() + 12000;
  let s;
  for (;;) {
    s = await seats(base, c.id);
    if (s.asn.waitlisted === 0 || Date.now() > until) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.deepEqual([s.asn.quota, s.asn.confirmed, s.asn.waitlisted, s.public.quota, s.public.confirmed], [3, 3, 0, 0, 0], JSON.stringify(s));
  for (const p of asn) assert.equal((await myRegistration(base, p.token, c.id)).status, 'confirmed');
});

// ------------------------------------------------ the registration list ----

test('the registration list: admin and the cohort\'s instructor see it (filters, pages); another instructor 404; participants 403', async () => {
  const c = await cohort(base, admin, { segments: [{ segment: 'umkm', quota: 2 }, { segment: 'public', quota: 5 }] });
  const mine = await newInstructor(server);
  const other = await newInstructor(server);
  assert.equal((await addInstructor(base, admin.token, c.id, mine.id)).status, 201);
  // "another instructor" instructs another cohort (issue 14: an instructor
  // of no cohort would not catch a check admitting any cohort's instructor)
  const elsewhere = await cohort(base, admin);
  assert.equal((await addInstructor(base, admin.token, elsewhere.id, other.id)).status, 201);
  assert.equal((await listRegistrations(base, other.token, elsewhere.id)).status, 200, 'other sees their own cohort');
  const ps = await participants(base, 4, { profile: { business_name: 'Batik Tulis' }, full_name: 'Pendaftar' });
  for (const p of ps) assert.equal((await register(base, p.token, c.id, 'umkm')).status, 201);

  for (const who of [admin, mine]) {
    const r = await listRegistrations(base, who.token, c.id);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.json.items.length, 4);
    assert.equal(r.json.next_cursor, null);
    const seqs = r.json.items.map((x) => x.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    assert.deepEqual(r.json.items.map((x) => x.user.id), ps.map((p) => p.id));
    assert.deepEqual(r.json.items.map((x) => x.user.email), ps.map((p) => p.email));
    assert.deepEqual(r.json.items.map((x) => x.user.full_name), ['Pendaftar 1', 'Pendaftar 2', 'Pendaftar 3', 'Pendaftar 4']);
    assert.deepEqual(r.json.items.map((x) => [x.status, x.waitlist_position]), [['confirmed', null], ['confirmed', null], ['waitlisted', 1], ['waitlisted', 2]]);
    for (const x of r.json.items) assert.equal(x.cohort_id, c.id);
  }
  const waiting = await listRegistrations(base, mine.token, c.id, { status: 'waitlisted' });
  assert.deepEqual(waiting.json.items.map((x) => x.user.id), [ps[2].id, ps[3].id]);
  const pub = await listRegistrations(base, admin.token, c.id, { segment: 'public' });
  assert.deepEqual(pub.json.items, []);
  // pages of 3 then 1, by cursor
  const p1 = await listRegistrations(base, admin.token, c.id, { limit: 3 });
  assert.equal(p1.json.items.length, 3);
  assert.equal(typeof p1.json.next_cursor, 'string');
  const p2 = await listRegistrations(base, admin.token, c.id, { limit: 3, cursor: p1.json.next_cursor });
  assert.equal(p2.status, 200, show(p2));
  assert.deepEqual(p2.json.items.map((x) => x.user.id), [ps[3].id]);
  assert.equal(p2.json.next_cursor, null);
  assert.equal((await allRegistrations(base, admin.token, c.id)).length, 4);

  const bad = await listRegistrations(base, admin.token, c.id, { status: 'lunas' });
  assert.equal(bad.status, 422, show(bad));
  assert.equal((await listRegistrations(base, admin.token, c.id, { cursor: 'abc' })).status, 422);

  // another instructor: as if the cohort did not exist
  const hidden = await listRegistrations(base, other.token, c.id);
  assert.equal(hidden.status, 404, show(hidden));
  assert.ok(!hidden.text.includes(ps[0].email));
  assert.equal((await listRegistrations(base, admin.token, 'no-such-cohort')).status, 404);
  const part = await listRegistrations(base, ps[0].token, c.id);
  assert.equal(part.status, 403, show(part));
  assert.equal((await listRegistrations(base, undefined, c.id)).status, 401);
});

test('the CSV export: BOM, text/csv UTF-8, \';\' separators, CRLF rows, Indonesian headers, quoting and defused formulas', async () => {
  const c = await cohort(base, admin, { segments: [{ segment: 'umkm', quota: 10 }] });
  const names = [
    'Sari, "Ani" Wulandari', // a comma and quotes
    'Tono; Budi', // the separator
    '=HYPERLINK("http://evil.example","klik")', // a formula with quotes
    '=1+2', // a bare formula
    '+62 812', // other formula starters
    '@SUM(A1)',
    'Ni Luh Putu Ayu',
  ];
  const ps = await participants(base, names.length, { profile: { business_name: 'Kopi "Lereng"; Arjuno' } });
  // every participant has a NIK, so that the mask check below has rows to
  // check (issue 14: the loop used to run over an empty column)
  const niks = new Map();
  for (const [i, p] of ps.entries()) {
    await sql(server, `update users set full_name = ${lit(names[i])} where id = ${lit(p.id)}`);
    const n = nik();
    niks.set(p.email, n);
    assert.equal((await putProfile(base, p.token, { nik: n })).status, 200);
    assert.equal((await register(base, p.token, c.id, 'umkm')).status, 201);
  }
  // a name with a line break (set directly: the API refuses control characters)
  const nl = await participant(base, { segment: 'umkm' });
  await sql(server, `update users set full_name = E'Baris satu\\nBaris dua' where id = ${lit(nl.id)}`);
  assert.equal((await register(base, nl.token, c.id, 'umkm')).status, 201);

  const instr = await newInstructor(server);
  assert.equal((await addInstructor(base, admin.token, c.id, instr.id)).status, 201);
  for (const who of [admin, instr]) {
    const r = await listRegistrations(base, who.token, c.id, { format: 'csv' });
    assert.equal(r.status, 200, show(r));
    assert.match(r.headers['content-type'], /^text\/csv;\s*charset=utf-8$/i);
    const raw = Buffer.from(r.text, 'utf8');
    assert.deepEqual([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
    const body = r.text.replace(/^\uFEFF/, '');
    assert.ok(body.endsWith('\r\n'), 'rows end with CRLF');
    // every line break outside quotes is CRLF: strip quoted fields, then no bare LF
    const unquoted = body.replace(/"(?:[^"]|"")*"/g, '');
    assert.ok(!/[^\r]\n/.test(unquoted), 'no bare LF between rows');
    const rows = parseCsv(body);
    // issue 12: a phone column, and segment and status in Indonesian words
    // (the default ?lang=id; the columns and labels: programme_cycle.test.mjs)
    assert.deepEqual(rows[0], ['no', 'segmen', 'status', 'nama', 'email', 'telepon', 'terdaftar (WIB)', 'posisi tunggu', 'instansi (OPD)', 'nama usaha', 'kecamatan', 'NIK', 'NIP']);
    assert.equal(rows.length, 1 + names.length + 1);
    for (const row of rows) assert.equal(row.length, 13, JSON.stringify(row));
    const byEmail = new Map(rows.slice(1).map((row) => [row[4], row]));
    const expectName = (n) => (/^[=+\-@]/.test(n) ? `'${n}` : n);
    for (const [i, p] of ps.entries()) {
      const row = byEmail.get(p.email);
      assert.ok(row, `a row for ${p.email}`);
      assert.equal(row[3], expectName(names[i]), `name ${JSON.stringify(names[i])}`);
      assert.equal(row[1], 'UMKM');
      assert.equal(row[2], 'Terkonfirmasi');
      assert.equal(row[9], 'Kopi "Lereng"; Arjuno');
      assert.match(row[6], /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    }
    assert.equal(byEmail.get(nl.email)[3], 'Baris satu\nBaris dua');
    // in the raw text, no field begins with '=' (a spreadsheet would evaluate it)
    assert.ok(!/(^|;|\r\n)"?=/.test(body), 'no cell starts with =');
    assert.ok(body.includes(`"'=HYPERLINK(""http://evil.example"",""klik"")"`), 'quotes doubled inside a quoted, defused field');
    // the NIK column holds masks only: one per participant with a NIK,
    // each the mask of that participant's number, never the number
    const nikCol = rows.slice(1).map((row) => row[11]).filter(Boolean);
    assert.equal(nikCol.length, ps.length, 'a NIK cell for every participant who has one');
    for (const v of nikCol) assert.match(v, /^\d{4}\*+\d{4}$/);
    for (const [email, n] of niks) {
      assert.ok(!body.includes(n), `no clear NIK in the CSV (${email})`);
      const cell = byEmail.get(email)[11];
      assert.equal(cell.slice(0, 4), n.slice(0, 4), `the mask of ${email}'s NIK`);
      assert.equal(cell.slice(-4), n.slice(-4));
    }
    // and the staff list shows no NIK at all
    const list = await listRegistrations(base, who.token, c.id);
    assert.equal(list.status, 200);
    for (const n of niks.values()) {
      assert.ok(!list.text.includes(n), 'no clear NIK in the staff list');
      assert.ok(!list.text.includes(n.slice(-6)), 'no NIK digits in the staff list');
    }
  }
  const filtered = await listRegistrations(base, admin.token, c.id, { format: 'csv', status: 'waitlisted' });
  assert.equal(parseCsv(filtered.text.replace(/^\uFEFF/, '')).length, 1, 'only the header when nothing matches');
});

test('the CSV export is as private as the list: participants 403, another instructor and an unknown cohort 404', async () => {
  const c = await cohort(base, admin);
  const p = await participant(base, { segment: 'umkm', full_name: 'Rahasia Pendaftar' });
  assert.equal((await register(base, p.token, c.id, 'umkm')).status, 201);
  assert.equal((await listRegistrations(base, p.token, c.id, { format: 'csv' })).status, 403);
  assert.equal((await listRegistrations(base, undefined, c.id, { format: 'csv' })).status, 401);
  const other = await newInstructor(server);
  // an instructor of another cohort, not of none (issue 14)
  const elsewhere = await cohort(base, admin);
  assert.equal((await addInstructor(base, admin.token, elsewhere.id, other.id)).status, 201);
  assert.equal((await listRegistrations(base, other.token, elsewhere.id, { format: 'csv' })).status, 200, 'other exports their own cohort');
  const hidden = await listRegistrations(base, other.token, c.id, { format: 'csv' });
  assert.ok(!hidden.text.includes('Rahasia Pendaftar'), 'no data for another instructor');
  assert.equal(hidden.status, 404, `another instructor's CSV: ${hidden.status} ${JSON.stringify(hidden.text.slice(0, 200))}`);
  const unknown = await listRegistrations(base, admin.token, 'no-such-cohort', { format: 'csv' });
  assert.equal(unknown.status, 404, `unknown cohort's CSV: ${unknown.status} ${JSON.stringify(unknown.text.slice(0, 200))}`);
});

// -------------------------------------------------------- fairness log ----

test('the fairness log: every attempt (refusals too) in seq order, identities as keyed hashes, a chain the head and audit verify confirm', async () => {
  const c = await cohort(base, admin, { segments: [{ segment: 'umkm', quota: 1, waitlist: false }, { segment: 'public', quota: 1 }] });
  const [a, b] = await participants(base, 2, { profile: { business_name: 'Tenun Ikat' } });
  const r1 = await register(base, a.token, c.id, 'umkm');
  assert.equal(r1.json.status, 'confirmed');
  const dupe = await register(base, a.token, c.id, 'umkm');
  assert.equal(dupe.json.error.code, 'already_registered');
  const full = await register(base, b.token, c.id, 'umkm');
  assert.equal(full.json.error.code, 'segment_full');
  const ne = await register(base, b.token, c.id, 'public');
  assert.equal(ne.json.error.code, 'not_eligible');
  const pub = await participants(base, 2, { segment: 'public' });
  const r2 = await register(base, pub[0].token, c.id, 'public');
  const r3 = await register(base, pub[1].token, c.id, 'public');
  assert.deepEqual([r2.json.status, r3.json.status], ['confirmed', 'waitlisted']);
  assert.equal((await cancel(base, pub[0].token, r2.json.id)).status, 200);

  const log = await allocationLog(base, admin.token, c.id);
  assert.equal(log.status, 200, show(log.res));
  assert.match(log.res.headers['content-type'], /^application\/x-ndjson/);
  assert.ok(log.text.endsWith('\n'));
  const outcomes = log.entries.map((e) => e.outcome);
  assert.deepEqual(outcomes, ['confirmed', 'already_registered', 'segment_full', 'not_eligible', 'confirmed', 'waitlisted', 'cancelled', 'promoted'], log.text);
  const seqs = log.entries.map((e) => e.seq);
  assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y));
  assert.equal(new Set(seqs).size, seqs.length);
  for (const e of log.entries) {
    assert.deepEqual(Object.keys(e).sort(), ['at', 'hash', 'outcome', 'prev', 'registration', 'segment', 'seq', 'user'], JSON.stringify(e));
    assert.match(e.user, /^[0-9a-f]{64}$/, 'a keyed hash');
    assert.match(e.at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    assert.match(e.hash, /^[0-9a-f]{64}$/);
  }
  // the same person has the same reference; different people different ones
  const [eA1, eA2, eB1, eB2] = log.entries;
  assert.equal(eA1.user, eA2.user);
  assert.equal(eB1.user, eB2.user);
  assert.notEqual(eA1.user, eB1.user);
  assert.equal(log.entries[5].user, log.entries[7].user, 'the waitlisted one is the one promoted');
  assert.equal(eA2.registration, r1.json.id);
  assert.equal(eB1.registration, null);
  // no identity in clear: user ids, e-mails, names
  for (const who of [a, b, ...pub, admin]) {
    assert.ok(!log.text.includes(who.id), `user id ${who.id} does not appear`);
    assert.ok(!log.text.includes(who.email), 'no e-mail');
  }
  assert.ok(!/Peserta|Tenun/.test(log.text), 'no names or profile data');

  // the chain: recomputed here, equal to the header and the public head
  assert.equal(log.entries[0].prev, GENESIS);
  for (let i = 1; i < log.entries.length; i++) assert.equal(log.entries[i].prev, log.entries[i - 1].hash);
  const mine = recomputeChain(log.entries);
  assert.ok(mine.ok, JSON.stringify(mine));
  assert.equal(log.head, mine.head, 'X-Chain-Head is the last hash');
  const head = await logHead(base, c.id);
  assert.equal(head.status, 200, show(head));
  assert.deepEqual(head.json, { cohort_id: c.id, entries: log.entries.length, head: log.head });

  const ok = await auditVerify(log.text);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.equal(ok.stdout.trim(), `ok: ${log.entries.length} entries, chain head ${log.head}`);

  // tampering: one outcome changed
  const lines = log.text.split('\n');
  const tampered = [...lines];
  tampered[2] = tampered[2].replace('"outcome":"segment_full"', '"outcome":"confirmed"');
  assert.notEqual(tampered[2], lines[2]);
  const bad = await auditVerify(tampered.join('\n'));
  assert.equal(bad.code, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, /^FAILED: line 3: /);
  assert.ok(!recomputeChain(tampered.filter(Boolean).map((l) => JSON.parse(l))).ok);
  // tampering: an entry removed from the middle
  const removed = lines.filter((_, i) => i !== 4).join('\n');
  const bad2 = await auditVerify(removed);
  assert.equal(bad2.code, 1, bad2.stdout);
  assert.match(bad2.stdout, /^FAILED: line 5: /);
  // tampering: the changed line given a matching hash breaks the next link
  const e3 = JSON.parse(lines[2]);
  e3.outcome = 'confirmed';
  const crypto = await import('node:crypto');
  const lineText = [e3.seq, e3.at, e3.segment, e3.outcome, e3.user, e3.registration].map((v) => (v == null ? '' : String(v))).join('|');
  e3.hash = crypto.createHash('sha256').update(Buffer.from(e3.prev, 'hex')).update(lineText).digest('hex');
  const relinked = [...lines];
  relinked[2] = JSON.stringify(e3);
  const bad3 = await auditVerify(relinked.join('\n'));
  assert.equal(bad3.code, 1, bad3.stdout);
  assert.match(bad3.stdout, /^FAILED: line 4: /);

  // a new attempt moves the public head on
  const late = await participant(base, { segment: 'public' });
  await register(base, late.token, c.id, 'public');
  const head2 = await logHead(base, c.id);
  assert.equal(head2.json.entries, log.entries.length + 1);
  assert.notEqual(head2.json.head, log.head);
  const log2 = await allocationLog(base, admin.token, c.id);
  assert.equal(log2.head, head2.json.head);
  assert.ok(log2.text.startsWith(log.text), 'the earlier export is a prefix of the later one');
});

test('the fairness log: export for admins only (403 instructor and participant, 401 anonymous); the head is public', async () => {
  const c = await cohort(base, admin);
  const instr = await newInstructor(server);
  assert.equal((await addInstructor(base, admin.token, c.id, instr.id)).status, 201);
  const p = await newParticipant(base);
  for (const who of [instr, p]) assert.equal((await allocationLog(base, who.token, c.id)).status, 403);
  assert.equal((await allocationLog(base, undefined, c.id)).status, 401);
  const empty = await logHead(base, c.id);
  assert.equal(empty.status, 200, show(empty));
  assert.deepEqual(empty.json, { cohort_id: c.id, entries: 0, head: GENESIS });
});

test('the fairness log of an unknown cohort is 404 (API.md Conventions), not an empty chain', async () => {
  const unknownLog = await allocationLog(base, admin.token, 'no-such-cohort');
  const unknownHead = await logHead(base, 'no-such-cohort');
  assert.equal(unknownLog.status, 404, `log of an unknown cohort: ${show(unknownLog.res)}`);
  assert.equal(unknownHead.status, 404, `head of an unknown cohort: ${show(unknownHead)}`);
});

test('public cohort view: seats_left follows registrations and cancellations live', async () => {
  const c = await cohort(base, admin, { segments: [{ segment: 'public', quota: 3 }] });
  const ps = await participants(base, 4, { segment: 'public' });
  const seen = [(await seats(base, c.id)).public.seats_left];
  const regs = [];
  for (const p of ps) {
    regs.push((await register(base, p.token, c.id, 'public')).json);
    const s = (await seats(base, c.id)).public;
    seen.push(`${s.seats_left}/${s.waitlisted}`);
  }
  assert.deepEqual(seen, [3, '2/0', '1/0', '0/0', '0/1']);
  assert.equal((await cancel(base, ps[3].token, regs[3].id)).status, 200);
  assert.deepEqual((await seats(base, c.id)).public, { segment: 'public', quota: 3, waitlist: true, confirmed: 3, waitlisted: 0, seats_left: 0 });
  assert.equal((await cancel(base, ps[0].token, regs[0].id)).status, 200);
  assert.deepEqual((await seats(base, c.id)).public, { segment: 'public', quota: 3, waitlist: true, confirmed: 2, waitlisted: 0, seats_left: 1 });
  const viaList = (await call(base, 'GET', '/api/v1/programmes')).json.items.find((x) => x.slug === c.slug);
  assert.equal(viaList.cohorts[0].segments[0].seats_left, 1);
});
