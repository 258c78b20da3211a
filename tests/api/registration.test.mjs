// Registration (issue 4; API.md "Programmes, cohorts, registration" and
// Conventions; SECURITY.md cases 12-14): a flash crowd on 5 seats, one
// participant's duplicates, cancellation and the waitlist moving up, the
// Idempotency-Key, eligibility per segment and residency, the registration
// window, a segment without waitlist, and offers that expire by the server's
// timer.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/harness.mjs';
import { call, show, sql, lit, newAdmin, newParticipant, putProfile } from './lib/accounts.mjs';
import {
  nik, nip, instantIn, participant, participants, cohort, getCohort, seats, register, cancel, accept,
  myRegistration, allRegistrations, allocationLog, logHead, newInstructor, tally,
} from './lib/cohorts.mjs';

let server;
let base;
let admin;

before(async () => {
  server = await startServer();
  base = server.url;
  admin = await newAdmin(server);
});

const REG_KEYS = ['cohort_id', 'created_at', 'id', 'offer_expires_at', 'segment', 'status', 'waitlist_position'];

// The server's warn and error lines from log line `since` on (for assertion
// messages).
function serverErrors(since = 0) {
  return server.logs().slice(since).filter((l) => / (warn|error) /.test(l) && !/SINAU_PWHASH=fast|master key/.test(l));
}

async function rowCount(where) {
  return Number(await sql(server, `select count(*) from registrations where ${where}`));
}

test('flash crowd: 50 participants race for 5 seats → exactly 5 confirmed, 45 waitlisted at positions 1..45 in the server\'s arrival order', async () => {
  const c = await cohort(base, admin, { segments: [{ segment: 'public', quota: 5, waitlist: true }] });
  const crowd = await participants(base, 50, { segment: 'public' });

  const mark = server.logs().length;
  const answers = await Promise.all(crowd.map((p) => register(base, p.token, c.id, 'public')));
  const outcome = tally(answers.map((r) => `${r.status} ${r.json?.status ?? r.json?.error?.code ?? r.error}`));
  assert.ok(answers.every((r) => r.status === 201),
    `every participant gets 201 (a seat or a place in the queue); got ${JSON.stringify(outcome)}; server errors:\n${serverErrors(mark).slice(0, 10).join('\n')}`);
  for (const [i, r] of answers.entries()) {
    assert.equal(r.status, 201, `participant ${i + 1}: ${show(r)}`);
    assert.deepEqual(Object.keys(r.json).sort(), REG_KEYS, show(r));
    assert.equal(r.json.cohort_id, c.id);
    assert.equal(r.json.segment, 'public');
  }
  const statuses = tally(answers.map((r) => r.json.status));
  assert.deepEqual(statuses, { confirmed: 5, waitlisted: 45 }, 'exactly 5 seats given');
  for (const r of answers) {
    if (r.json.status === 'confirmed') assert.equal(r.json.waitlist_position, null, show(r));
  }
  // each waitlisted participant was told a distinct place in the queue
  const told = answers.filter((r) => r.json.status === 'waitlisted').map((r) => r.json.waitlist_position).sort((a, b) => a - b);
  assert.deepEqual(told, Array.from({ length: 45 }, (_, i) => i + 1), 'positions told to the waitlisted are 1..45, each once');

  // the database agrees: 50 rows, 5 seats held, never more than the quota
  assert.equal(await rowCount(`cohort_id = ${lit(c.id)}`), 50);
  assert.equal(await rowCount(`cohort_id = ${lit(c.id)} and status = 'confirmed'`), 5);
  assert.equal(await sql(server, `select confirmed || '/' || quota from cohort_segments where cohort_id = ${lit(c.id)}`), '5/5');

  // the server's arrival order (registration seq): the first 5 arrivals hold
  // the seats, the rest wait in that order
  const list = await allRegistrations(base, admin.token, c.id);
  assert.equal(list.length, 50);
  const bySeq = [...list].sort((a, b) => a.seq - b.seq);
  assert.deepEqual(list.map((x) => x.id), bySeq.map((x) => x.id), 'the list comes in seq order');
  assert.equal(new Set(list.map((x) => x.seq)).size, 50, 'distinct arrival numbers');
  assert.deepEqual(bySeq.slice(0, 5).map((x) => x.status), Array(5).fill('confirmed'),
    `the 5 earliest arrivals hold the seats; statuses by seq: ${bySeq.map((x) => `${x.seq}:${x.status[0]}`).join(' ')}`);
  const waiting = bySeq.slice(5);
  assert.deepEqual(waiting.map((x) => x.status), Array(45).fill('waitlisted'));
  assert.deepEqual(waiting.map((x) => x.waitlist_position), Array.from({ length: 45 }, (_, i) => i + 1),
    'waitlist positions follow arrival order');
  // what each participant was told agrees with the list
  const byId = new Map(list.map((x) => [x.id, x]));
  for (const r of answers) {
    const x = byId.get(r.json.id);
    assert.ok(x, `registration ${r.json.id} is in the list`);
    assert.equal(r.json.status, x.status);
    assert.equal(r.json.waitlist_position, x.waitlist_position, `registration seq ${x.seq}: told ${r.json.waitlist_position}, list says ${x.waitlist_position}`);
  }
  // and each participant sees their own
  for (const [i, p] of crowd.entries()) {
    const mine = await myRegistration(base, p.token, c.id);
    assert.equal(mine.id, answers[i].json.id);
    assert.equal(mine.waitlist_position, byId.get(mine.id).waitlist_position);
    assert.equal(mine.cohort.id, c.id);
  }

  // the fairness log records the 50 outcomes in the same order
  const log = await allocationLog(base, admin.token, c.id);
  assert.equal(log.status, 200, show(log.res));
  const seqs = log.entries.map((e) => e.seq);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'log in seq order');
  const outcomes = log.entries.filter((e) => e.outcome === 'confirmed' || e.outcome === 'waitlisted');
  assert.equal(outcomes.length, 50);
  assert.deepEqual(outcomes.map((e) => e.registration), bySeq.map((x) => x.id), 'log order = registration seq order');
  assert.deepEqual(outcomes.map((e) => e.seq), bySeq.map((x) => x.seq), 'the log carries the registrations\' arrival numbers');
  assert.deepEqual(outcomes.filter((e) => e.outcome === 'waitlisted').map((e) => e.registration), waiting.map((x) => x.id),
    'waitlist order = arrival order in the log');

  // the public view
  const s = await seats(base, c.id);
  assert.deepEqual(s.public, { segment: 'public', quota: 5, waitlist: true, confirmed: 5, waitlisted: 45, seats_left: 0 });
});

test('one participant sending 10 registrations at once gets one row; the other 9 get 409 already_registered with it', async () => {
  const c = await cohort(base, admin);
  const p = await participant(base, { segment: 'umkm' });
  const answers = await Promise.all(Array.from({ length: 10 }, () => register(base, p.token, c.id, 'umkm')));
  const created = answers.filter((r) => r.status === 201);
  assert.equal(created.length, 1, answers.map(show).join('\n'));
  assert.equal(created[0].json.status, 'confirmed');
  const refused = answers.filter((r) => r.status !== 201);
  assert.equal(refused.length, 9);
  for (const r of refused) {
    assert.equal(r.status, 409, show(r));
    assert.equal(r.json.error.code, 'already_registered', show(r));
    assert.equal(r.json.error.details.registration.id, created[0].json.id, 'the existing registration comes with the refusal');
    assert.equal(r.json.error.details.registration.status, 'confirmed');
  }
  assert.equal(await rowCount(`cohort_id = ${lit(c.id)} and user_id = ${lit(p.id)}`), 1);
  const s = await seats(base, c.id);
  assert.equal(s.umkm.confirmed, 1);
  assert.equal(s.umkm.seats_left, 4);
  // the fairness log records each outcome once per participant (issue 14:
  // repeats are answered as the first was, not logged again), under one
  // hashed identity
  const log = await allocationLog(base, admin.token, c.id);
  const mine = log.entries.filter((e) => e.registration === created[0].json.id);
  assert.deepEqual(tally(mine.map((e) => e.outcome)), { confirmed: 1, already_registered: 1 });
  assert.equal(new Set(mine.map((e) => e.user)).size, 1);
  // and later, sequentially, still 409 with the existing one
  const again = await register(base, p.token, c.id, 'umkm');
  assert.equal(again.status, 409, show(again));
  assert.equal(again.json.error.code, 'already_registered');
  assert.equal(again.json.error.details.registration.id, created[0].json.id);
});

test('cancellation frees the seat: the first waitlisted is confirmed in the same step and the rest move up', async () => {
  const c = await cohort(base, admin, { segments: [{ segment: 'umkm', quota: 2, waitlist: true }] });
  const ps = await participants(base, 5, { segment: 'umkm' });
  const regs = [];
  for (const p of ps) {
    const r = await register(base, p.token, c.id, 'umkm');
    assert.equal(r.status, 201, show(r));
    regs.push(r.json);
  }
  const [a, b, cc, d, e] = regs;
  assert.deepEqual(regs.map((r) => [r.status, r.waitlist_position]),
    [['confirmed', null], ['confirmed', null], ['waitlisted', 1], ['waitlisted', 2], ['waitlisted', 3]]);
  assert.deepEqual(await seats(base, c.id), { umkm: { segment: 'umkm', quota: 2, waitlist: true, confirmed: 2, waitlisted: 3, seats_left: 0 } });

  // nobody else can cancel (404, as for an unknown id): another participant, an instructor
  const other = await newParticipant(base);
  const instr = await newInstructor(server);
  for (const who of [other, instr]) {
    const r = await cancel(base, who.token, a.id);
    assert.equal(r.status, 404, show(r));
    assert.equal(r.json.error.code, 'not_found');
  }
  assert.equal((await cancel(base, undefined, a.id)).status, 401);
  assert.equal((await cancel(base, ps[0].token, 'no-such-registration')).status, 404);

  const gone = await cancel(base, ps[0].token, a.id);
  assert.equal(gone.status, 200, show(gone));
  assert.equal(gone.json.id, a.id);
  assert.equal(gone.json.status, 'cancelled');
  assert.equal(gone.json.waitlist_position, null);
  // the promotion happened with the cancellation: visible at once
  const cNow = await myRegistration(base, ps[2].token, c.id);
  assert.equal(cNow.id, cc.id);
  assert.equal(cNow.status, 'confirmed');
  assert.equal(cNow.waitlist_position, null);
  assert.equal((await myRegistration(base, ps[3].token, c.id)).waitlist_position, 1);
  assert.equal((await myRegistration(base, ps[4].token, c.id)).waitlist_position, 2);
  assert.equal((await myRegistration(base, ps[1].token, c.id)).status, 'confirmed', 'B keeps the seat');
  assert.deepEqual(await seats(base, c.id), { umkm: { segment: 'umkm', quota: 2, waitlist: true, confirmed: 2, waitlisted: 2, seats_left: 0 } });

  // the log: the cancellation, then the promotion of C
  const log = await allocationLog(base, admin.token, c.id);
  const iCancel = log.entries.findIndex((x) => x.outcome === 'cancelled' && x.registration === a.id);
  const iPromote = log.entries.findIndex((x) => x.outcome === 'promoted' && x.registration === cc.id);
  assert.ok(iCancel >= 0 && iPromote > iCancel, `cancelled then promoted: ${log.text}`);

  // an admin cancels a waitlisted one: no seat moves, E moves up
  const dGone = await cancel(base, admin.token, d.id);
  assert.equal(dGone.status, 200, show(dGone));
  assert.equal(dGone.json.status, 'cancelled');
  assert.equal((await myRegistration(base, ps[4].token, c.id)).waitlist_position, 1);
  assert.deepEqual(await seats(base, c.id), { umkm: { segment: 'umkm', quota: 2, waitlist: true, confirmed: 2, waitlisted: 1, seats_left: 0 } });
  assert.equal(await sql(server, `select cancelled_by from registrations where id = ${lit(d.id)}`), admin.id);

  // cancelling twice changes nothing
  const twice = await cancel(base, ps[0].token, a.id);
  assert.equal(twice.status, 200, show(twice));
  assert.equal(twice.json.status, 'cancelled');
  assert.deepEqual((await seats(base, c.id)).umkm.confirmed, 2);

  // A may register again: a new row, at the end of the queue
  const back = await register(base, ps[0].token, c.id, 'umkm');
  assert.equal(back.status, 201, show(back));
  assert.notEqual(back.json.id, a.id);
  assert.equal(back.json.status, 'waitlisted');
  assert.equal(back.json.waitlist_position, 2);
  assert.equal(await rowCount(`cohort_id = ${lit(c.id)} and user_id = ${lit(ps[0].id)}`), 2);
  assert.equal((await myRegistration(base, ps[1].token, c.id)).id, b.id);
  assert.equal((await myRegistration(base, ps[4].token, c.id)).id, e.id);
});

test('cancellations racing registrations: no seat lost or doubled; freed seats go to the earliest waitlisted, newcomers queue behind', async () => {
  const c = await cohort(base, admin, { segments: [{ segment: 'public', quota: 3 }] });
  const early = await participants(base, 8, { segment: 'public' });
  const regs = [];
  for (const p of early) {
    const r = await register(base, p.token, c.id, 'public');
    assert.equal(r.status, 201, show(r));
    regs.push(r.json);
  }
  const newcomers = await participants(base, 6, { segment: 'public' });
  // the 3 seat holders cancel while 6 newcomers register, all at once
  const mark = server.logs().length;
  const answers = await Promise.all([
    ...early.slice(0, 3).map((p, i) => cancel(base, p.token, regs[i].id)),
    ...newcomers.map((p) => register(base, p.token, c.id, 'public')),
  ]);
  const outcome = tally(answers.map((r) => `${r.status} ${r.json?.status ?? r.json?.error?.code ?? r.error}`));
  assert.deepEqual(outcome, { '200 cancelled': 3, '201 waitlisted': 6 },
    `server errors:\n${serverErrors(mark).slice(0, 10).join('\n')}`);
  // the three earliest waitlisted (by arrival) got the seats
  const list = await allRegistrations(base, admin.token, c.id);
  const live = list.filter((x) => x.status !== 'cancelled');
  assert.deepEqual(live.filter((x) => x.status === 'confirmed').map((x) => x.id), regs.slice(3, 6).map((x) => x.id));
  const queue = live.filter((x) => x.status === 'waitlisted');
  assert.deepEqual(queue.map((x) => x.id).slice(0, 2), regs.slice(6).map((x) => x.id), 'the earlier waitlisted stay ahead of the newcomers');
  assert.deepEqual(queue.map((x) => x.waitlist_position), Array.from({ length: 8 }, (_, i) => i + 1));
  assert.equal(await sql(server, `select confirmed || '/' || quota from cohort_segments where cohort_id = ${lit(c.id)}`), '3/3');
  assert.equal(await rowCount(`cohort_id = ${lit(c.id)} and status = 'confirmed'`), 3);
});

test('two instances on one database: one Idempotency-Key sent to both at once → one row and one answer; both serve the same chain head', async () => {
  const second = await startServer({ database: server.database, dataDir: server.dataDir });
  try {
    const c = await cohort(base, admin);
    const p = await participant(base, { segment: 'umkm' });
    const key = `two-instances-${Date.now()}`;
    const answers = await Promise.all([base, second.url, base, second.url].map((u) => register(u, p.token, c.id, 'umkm', { key })));
    for (const r of answers) {
      assert.equal(r.status, 201, show(r));
      assert.deepEqual(r.json, answers[0].json);
    }
    assert.equal(await rowCount(`cohort_id = ${lit(c.id)} and user_id = ${lit(p.id)}`), 1);
    // a duplicate without a key, through the other instance
    const dup = await register(second.url, p.token, c.id, 'umkm');
    assert.equal(dup.status, 409, show(dup));
    assert.equal(dup.json.error.details.registration.id, answers[0].json.id);
    const h1 = await logHead(base, c.id);
    const h2 = await logHead(second.url, c.id);
    assert.equal(h1.status, 200, show(h1));
    assert.deepEqual(h2.json, h1.json, 'identities are keyed with the shared key: the same chain everywhere');
  } finally {
    await second.stop();
  }
});

test('Idempotency-Key: the same key and body give the same answer and one row; another body or cohort with the key → 422', async () => {
  const c = await cohort(base, admin);
  const c2 = await cohort(base, admin);
  const p = await participant(base, { profile: { business_name: 'Toko Makmur', nip: nip() } });
  const key = `reg-${Date.now()}-a`;

  const first = await register(base, p.token, c.id, 'umkm', { key });
  assert.equal(first.status, 201, show(first));
  const second = await register(base, p.token, c.id, 'umkm', { key });
  assert.equal(second.status, 201, show(second));
  assert.deepEqual(second.json, first.json, 'the first answer, replayed');
  assert.equal(await rowCount(`cohort_id = ${lit(c.id)} and user_id = ${lit(p.id)}`), 1);

  // key order and spacing in the body do not make it another request
  const spaced = await call(base, 'POST', `/api/v1/cohorts/${c.id}/registrations`, {
    token: p.token, body: '{ "segment" : "umkm" }', headers: { 'idempotency-key': key, 'content-type': 'application/json' },
  });
  assert.equal(spaced.status, 201, show(spaced));
  assert.equal(spaced.json.id, first.json.id);

  const otherBody = await register(base, p.token, c.id, 'asn', { key });
  assert.equal(otherBody.status, 422, show(otherBody));
  assert.equal(otherBody.json.error.code, 'idempotency_key_reused');
  const otherCohort = await register(base, p.token, c2.id, 'umkm', { key });
  assert.equal(otherCohort.status, 422, show(otherCohort));
  assert.equal(otherCohort.json.error.code, 'idempotency_key_reused');
  assert.equal(await rowCount(`user_id = ${lit(p.id)}`), 1, 'nothing else was created');

  // the replay is the first answer even after the registration changed
  assert.equal((await cancel(base, p.token, first.json.id)).status, 200);
  const late = await register(base, p.token, c.id, 'umkm', { key });
  assert.equal(late.status, 201, show(late));
  assert.deepEqual(late.json, first.json);
  assert.equal(await rowCount(`cohort_id = ${lit(c.id)} and user_id = ${lit(p.id)}`), 1);

  // keys belong to their participant: another one's same key is their own request
  const q = await participant(base, { segment: 'umkm' });
  const theirs = await register(base, q.token, c.id, 'umkm', { key });
  assert.equal(theirs.status, 201, show(theirs));
  assert.notEqual(theirs.json.id, first.json.id);

  // the first answer is kept whatever it was (here a refusal)
  const k2 = `reg-${Date.now()}-b`;
  const refused = await register(base, q.token, c.id, 'umkm', { key: k2 });
  assert.equal(refused.status, 409, show(refused));
  assert.equal(refused.json.error.code, 'already_registered');
  const refusedAgain = await register(base, q.token, c.id, 'umkm', { key: k2 });
  assert.equal(refusedAgain.status, 409);
  assert.deepEqual(refusedAgain.json, refused.json);

  // malformed keys
  for (const bad of ['has space', 'x'.repeat(201)]) {
    const r = await register(base, q.token, c2.id, 'umkm', { key: bad });
    assert.equal(r.status, 422, `key ${JSON.stringify(bad.slice(0, 20))}: ${show(r)}`);
    assert.equal(r.json.error.code, 'invalid_idempotency_key');
  }
  assert.equal(await rowCount(`cohort_id = ${lit(c2.id)}`), 0);
});

test('Idempotency-Key: 8 concurrent requests with one key → one row, every answer the same', async () => {
  const c = await cohort(base, admin);
  const p = await participant(base, { segment: 'public' });
  const key = `burst-${Date.now()}`;
  const answers = await Promise.all(Array.from({ length: 8 }, () => register(base, p.token, c.id, 'public', { key })));
  for (const r of answers) {
    assert.equal(r.status, 201, show(r));
    assert.deepEqual(r.json, answers[0].json);
  }
  assert.equal(await rowCount(`cohort_id = ${lit(c.id)} and user_id = ${lit(p.id)}`), 1);
  assert.equal(Number(await sql(server, `select count(*) from idempotency_keys where user_id = ${lit(p.id)}`)), 1);
});

test('eligibility: asn needs a NIP, umkm a business name, public a NIK → 422 not_eligible with what is missing; no row', async () => {
  const c = await cohort(base, admin);
  const p = await participant(base);
  for (const [segment, missing] of [['asn', ['nip']], ['umkm', ['business_name']], ['public', ['nik']]]) {
    const r = await register(base, p.token, c.id, segment);
    assert.equal(r.status, 422, `${segment}: ${show(r)}`);
    assert.equal(r.json.error.code, 'not_eligible');
    assert.deepEqual(r.json.error.details.missing, missing, segment);
    assert.ok(!r.text.includes(p.email), 'no personal data in the refusal');
  }
  assert.equal(await rowCount(`user_id = ${lit(p.id)}`), 0);
  // a NIK and a business name do not make someone ASN
  assert.equal((await putProfile(base, p.token, { nik: nik(), business_name: 'CV Maju' })).status, 200);
  const stillNot = await register(base, p.token, c.id, 'asn');
  assert.equal(stillNot.status, 422, show(stillNot));
  assert.deepEqual(stillNot.json.error.details.missing, ['nip']);
  // with a NIP the same participant gets the seat
  assert.equal((await putProfile(base, p.token, { nip: nip() })).status, 200);
  const ok = await register(base, p.token, c.id, 'asn');
  assert.equal(ok.status, 201, show(ok));
  assert.equal(ok.json.status, 'confirmed');
  // unknown segment
  const q = await participant(base, { segment: 'public' });
  const bad = await register(base, q.token, c.id, 'pensiunan');
  assert.equal(bad.status, 422, show(bad));
  assert.equal(bad.json.error.code, 'invalid_segment');
});

test('residency prefix: a NIK from elsewhere → not_eligible ["residency"]; no NIK → ["nik"]; a local NIK → 201', async () => {
  const c = await cohort(base, admin, { residency_prefix: '3573' });
  assert.equal(c.residency_prefix, '3573');
  const away = await participant(base, { profile: { nik: nik('357801') } }); // Kota Surabaya
  const r1 = await register(base, away.token, c.id, 'public');
  assert.equal(r1.status, 422, show(r1));
  assert.equal(r1.json.error.code, 'not_eligible');
  assert.deepEqual(r1.json.error.details.missing, ['residency']);

  const noNik = await participant(base, { profile: { business_name: 'Keripik Tempe' } });
  const r2 = await register(base, noNik.token, c.id, 'umkm');
  assert.equal(r2.status, 422, show(r2));
  assert.deepEqual(r2.json.error.details.missing, ['nik']);

  const asnAway = await participant(base, { profile: { nip: nip(), nik: nik('357801') } });
  const r3 = await register(base, asnAway.token, c.id, 'asn');
  assert.equal(r3.status, 422, show(r3));
  assert.deepEqual(r3.json.error.details.missing, ['residency']);

  const local = await participant(base, { profile: { business_name: 'Keripik Tempe', nik: nik('357301') } });
  const r4 = await register(base, local.token, c.id, 'umkm');
  assert.equal(r4.status, 201, show(r4));
  const localPublic = await participant(base, { segment: 'public', region: '357305' });
  const r5 = await register(base, localPublic.token, c.id, 'public');
  assert.equal(r5.status, 201, show(r5));
  assert.equal(await rowCount(`cohort_id = ${lit(c.id)}`), 2);
});

test('outside the registration window → 409 registration_closed (before it opens and after it closes)', async () => {
  const early = await cohort(base, admin, { registration_opens_at: instantIn(3600), registration_closes_at: instantIn(7200) });
  const late = await cohort(base, admin, { registration_opens_at: instantIn(-7200), registration_closes_at: instantIn(-3600) });
  assert.equal(early.registration_open, false);
  assert.equal(late.registration_open, false);
  const p = await participant(base, { segment: 'umkm' });
  for (const c of [early, late]) {
    const r = await register(base, p.token, c.id, 'umkm');
    assert.equal(r.status, 409, show(r));
    assert.equal(r.json.error.code, 'registration_closed');
    assert.equal(await rowCount(`cohort_id = ${lit(c.id)}`), 0);
    assert.equal((await seats(base, c.id)).umkm.confirmed, 0);
  }
  const log = await allocationLog(base, admin.token, early.id);
  assert.deepEqual(log.entries.map((e) => e.outcome), ['registration_closed'], 'the refused attempt is in the fairness log');
  const open = await cohort(base, admin);
  assert.equal(open.registration_open, true);
  assert.equal((await register(base, p.token, open.id, 'umkm')).status, 201);
});

test('a segment without waitlist: the seat goes, the next one gets 409 segment_full and leaves no row', async () => {
  const c = await cohort(base, admin, { segments: [{ segment: 'umkm', quota: 1, waitlist: false }, { segment: 'public', quota: 1 }] });
  assert.deepEqual(c.segments.map((s) => [s.segment, s.waitlist]), [['public', true], ['umkm', false]]);
  const [p1, p2] = await participants(base, 2, { segment: 'umkm' });
  const r1 = await register(base, p1.token, c.id, 'umkm');
  assert.equal(r1.status, 201, show(r1));
  assert.equal(r1.json.status, 'confirmed');
  assert.equal((await seats(base, c.id)).umkm.seats_left, 0);
  const r2 = await register(base, p2.token, c.id, 'umkm');
  assert.equal(r2.status, 409, show(r2));
  assert.equal(r2.json.error.code, 'segment_full');
  assert.equal(await rowCount(`cohort_id = ${lit(c.id)} and user_id = ${lit(p2.id)}`), 0);
  assert.equal((await myRegistration(base, p2.token, c.id)), undefined);
  assert.deepEqual((await seats(base, c.id)).umkm, { segment: 'umkm', quota: 1, waitlist: false, confirmed: 1, waitlisted: 0, seats_left: 0 });
  // the seat freed by a cancellation is free for the next taker
  assert.equal((await cancel(base, p1.token, r1.json.id)).status, 200);
  assert.equal((await seats(base, c.id)).umkm.seats_left, 1);
  const r3 = await register(base, p2.token, c.id, 'umkm');
  assert.equal(r3.status, 201, show(r3));
  assert.equal(r3.json.status, 'confirmed');
});

test('only participants register: admins and instructors 403, no token 401, an unknown cohort 404', async () => {
  const c = await cohort(base, admin);
  const instr = await newInstructor(server);
  for (const who of [admin, instr]) {
    const r = await register(base, who.token, c.id, 'umkm');
    assert.equal(r.status, 403, show(r));
    assert.equal(r.json.error.code, 'forbidden');
  }
  const anon = await register(base, undefined, c.id, 'umkm');
  assert.equal(anon.status, 401, show(anon));
  const p = await participant(base, { segment: 'umkm' });
  const unknown = await register(base, p.token, 'no-such-cohort', 'umkm');
  assert.equal(unknown.status, 404, show(unknown));
  const extra = await register(base, p.token, c.id, null, { json: { segment: 'umkm', status: 'confirmed' } });
  assert.equal(extra.status, 422, show(extra));
  assert.equal(extra.json.error.code, 'unknown_field');
  assert.equal(await rowCount(`cohort_id = ${lit(c.id)}`), 0);
});

test('offers: a cancellation makes an offer, accept confirms it; an expired offer passes on by the server\'s timer', async () => {
  const ttl = 3600;
  const c = await cohort(base, admin, { offer_ttl_s: ttl, segments: [{ segment: 'umkm', quota: 1, waitlist: true }] });
  assert.equal(c.offer_ttl_s, ttl);
  const ps = await participants(base, 4, { segment: 'umkm' });
  const regs = [];
  for (const p of ps) {
    const r = await register(base, p.token, c.id, 'umkm');
    assert.equal(r.status, 201, show(r));
    regs.push(r.json);
  }
  assert.deepEqual(regs.map((r) => r.status), ['confirmed', 'waitlisted', 'waitlisted', 'waitlisted']);

  // A cancels: B gets an offer that holds the seat until the deadline
  const t0 = Date.now();
  assert.equal((await cancel(base, ps[0].token, regs[0].id)).status, 200);
  const bOffer = await myRegistration(base, ps[1].token, c.id);
  assert.equal(bOffer.status, 'offered', JSON.stringify(bOffer));
  assert.equal(bOffer.waitlist_position, null);
  const deadline = Date.parse(bOffer.offer_expires_at);
  assert.ok(Math.abs(deadline - (t0 + ttl * 1000)) < 60000, `offer_expires_at ${bOffer.offer_expires_at} ≈ now + ${ttl} s`);
  assert.equal((await myRegistration(base, ps[2].token, c.id)).waitlist_position, 1);
  assert.deepEqual(await seats(base, c.id), { umkm: { segment: 'umkm', quota: 1, waitlist: true, confirmed: 1, waitlisted: 2, seats_left: 0 } });

  // only B can accept B's offer
  const notYours = await accept(base, ps[2].token, regs[1].id);
  assert.equal(notYours.status, 404, show(notYours));
  const taken = await accept(base, ps[1].token, regs[1].id);
  assert.equal(taken.status, 200, show(taken));
  assert.equal(taken.json.status, 'confirmed');
  assert.equal(taken.json.offer_expires_at, null);
  const twice = await accept(base, ps[1].token, regs[1].id);
  assert.equal(twice.status, 409, show(twice));
  assert.equal(twice.json.error.code, 'no_offer');
  const waiting = await accept(base, ps[2].token, regs[2].id);
  assert.equal(waiting.status, 409, show(waiting));

  // B cancels: C is offered; C's deadline is moved into the past; the timer
  // (every ~5 s) expires it and passes the seat to D
  assert.equal((await cancel(base, ps[1].token, regs[1].id)).status, 200);
  assert.equal((await myRegistration(base, ps[2].token, c.id)).status, 'offered');
  await sql(server, `update registrations set offer_expires_at = now() - interval '1 second' where id = ${lit(regs[2].id)}`);
  const until = Date.now() + 12000;
  let cNow;
  let dNow;
  for (;;) {
    cNow = await myRegistration(base, ps[2].token, c.id);
    dNow = await myRegistration(base, ps[3].token, c.id);
    if (cNow.status !== 'offered' || Date.now() > until) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal(cNow.status, 'expired', `C after ~12 s: ${JSON.stringify(cNow)}`);
  assert.equal(cNow.offer_expires_at, null);
  assert.equal(dNow.status, 'offered', `D: ${JSON.stringify(dNow)}`);
  assert.ok(Date.parse(dNow.offer_expires_at) > Date.now() + (ttl - 120) * 1000);
  await server.waitForLog(/offers expired and passed on/, 2000);
  const late = await accept(base, ps[2].token, regs[2].id);
  assert.equal(late.status, 409, show(late));
  assert.equal(late.json.error.code, 'no_offer');
  assert.deepEqual(await seats(base, c.id), { umkm: { segment: 'umkm', quota: 1, waitlist: true, confirmed: 1, waitlisted: 0, seats_left: 0 } });
  assert.equal(await sql(server, `select confirmed || '/' || quota from cohort_segments where cohort_id = ${lit(c.id)}`), '1/1');

  const log = await allocationLog(base, admin.token, c.id);
  const outcomes = log.entries.map((e) => e.outcome);
  for (const o of ['offered', 'offer_accepted', 'offer_expired']) assert.ok(outcomes.includes(o), `${o} in ${outcomes}`);

  // an expired participant may register again (at the end of the queue)
  const again = await register(base, ps[2].token, c.id, 'umkm');
  assert.equal(again.status, 201, show(again));
  assert.equal(again.json.status, 'waitlisted');
});

test('GET /me/registrations lists the caller\'s registrations with their cohort; nobody else\'s', async () => {
  const c = await cohort(base, admin, { name: 'Angkatan Kopi' });
  const p = await participant(base, { segment: 'public' });
  const q = await participant(base, { segment: 'public' });
  const r = await register(base, p.token, c.id, 'public');
  assert.equal(r.status, 201);
  const mine = await call(base, 'GET', '/api/v1/me/registrations', { token: p.token });
  assert.equal(mine.status, 200, show(mine));
  assert.equal(mine.json.items.length, 1);
  const item = mine.json.items[0];
  assert.equal(item.id, r.json.id);
  assert.equal(item.cohort.id, c.id);
  assert.equal(item.cohort.name, 'Angkatan Kopi');
  assert.equal(item.cohort.programme_slug, c.slug);
  const theirs = await call(base, 'GET', '/api/v1/me/registrations', { token: q.token });
  assert.deepEqual(theirs.json.items, []);
  assert.equal((await call(base, 'GET', '/api/v1/me/registrations')).status, 401);
  const pub = await getCohort(base, c.id);
  assert.ok(!pub.text.includes(p.email) && !pub.text.includes(p.id), 'the public cohort names no participant');
});
