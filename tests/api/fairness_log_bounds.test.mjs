// The fairness log cannot be flooded (issue 14, problem 7): one entry per
// participant, cohort and refusal outcome — repeats get the same answer as
// the first but add nothing — while seats taken, waitlisted, cancelled and
// promoted are each recorded as they happen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/harness.mjs';
import { newAdmin, newParticipant, show, sql, lit } from './lib/accounts.mjs';
import { cohort, register, allocationLog, logHead, participant, cancel } from './lib/cohorts.mjs';

let server;
let base;
let admin;

before(async () => {
  server = await startServer();
  base = server.url;
  admin = await newAdmin(server);
});
after(() => server.stop());

test('fairness_log_one_entry_per_participant_and_refusal', async () => {
  const c = await cohort(base, admin, { segments: [{ segment: 'umkm', quota: 1, waitlist: false }] });
  const ok = await participant(base, { segment: 'umkm' });
  const noProfile = await newParticipant(base);
  const late = await participant(base, { segment: 'umkm' });
  assert.equal((await register(base, ok.token, c.id, 'umkm')).status, 201);
  const answers = [];
  for (let i = 0; i < 20; i++) {
    answers.push(await register(base, ok.token, c.id, 'umkm'));
    answers.push(await register(base, noProfile.token, c.id, 'umkm'));
    answers.push(await register(base, late.token, c.id, 'umkm'));
  }
  assert.deepEqual([...new Set(answers.map((r) => `${r.status} ${r.json.error.code}`))].sort(),
    ['409 already_registered', '409 segment_full', '422 not_eligible']);
  const log = await allocationLog(base, admin.token, c.id);
  const outcomes = log.entries.map((e) => e.outcome).sort();
  assert.deepEqual(outcomes, ['already_registered', 'confirmed', 'not_eligible', 'segment_full'], log.text);
  const head = await logHead(base, c.id);
  assert.equal(head.status, 200, show(head));
  assert.equal(head.json.entries, 4);
  assert.equal(head.json.head, log.head);
});

test('fairness_head_is_kept_incrementally: settled entries are not re-read', async () => {
  const c = await cohort(base, admin, { segments: [{ segment: 'umkm', quota: 5, waitlist: true }] });
  for (let i = 0; i < 3; i++) {
    const p = await participant(base, { segment: 'umkm' });
    assert.equal((await register(base, p.token, c.id, 'umkm')).status, 201);
  }
  const full = await allocationLog(base, admin.token, c.id);
  const h0 = await logHead(base, c.id);
  assert.equal(h0.json.head, full.head, 'the head is the export\'s');
  assert.equal(h0.json.entries, 3);
  // the entries settle (older than a minute): the next head keeps a checkpoint
  await sql(server, `update allocation_log set at = at - interval '5 minutes' where cohort_id = ${lit(c.id)}`);
  const settled = await allocationLog(base, admin.token, c.id);
  const h1 = await logHead(base, c.id);
  assert.equal(h1.json.head, settled.head);
  // a new entry extends the chain from the checkpoint
  const p = await participant(base, { segment: 'umkm' });
  assert.equal((await register(base, p.token, c.id, 'umkm')).status, 201);
  const h2 = await logHead(base, c.id);
  const full2 = await allocationLog(base, admin.token, c.id);
  assert.equal(h2.json.entries, 4);
  assert.equal(h2.json.head, full2.head);
  // proof that settled rows are not read again: a settled row changed behind
  // the server's back changes the export's head, not the published one
  await sql(server, `update allocation_log set outcome = 'waitlisted' where seq = (select min(seq) from allocation_log where cohort_id = ${lit(c.id)})`);
  const tampered = await allocationLog(base, admin.token, c.id);
  assert.notEqual(tampered.head, full2.head);
  const h3 = await logHead(base, c.id);
  assert.equal(h3.json.head, full2.head, 'the published head was kept, not recomputed');
});
