// Access follows the current role and status on every request (issue 14,
// problem 2; SECURITY.md case 27): an instructor demoted to participant, or
// whose account is disabled, loses every cohort route at once with the
// token they hold — submissions, files, grades, eligibility, check-in
// codes, registrations — though the cohort still lists them; restored to
// instructor, they get it back. Two instances share nothing but the
// database, so the second one refuses too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, freshDatabase } from './lib/harness.mjs';
import { call, show, newAdmin } from './lib/accounts.mjs';
import { classroom, submitted, upload, pdfFile } from './lib/assignments.mjs';
import { createSession } from './lib/content.mjs';
import { instantIn } from './lib/cohorts.mjs';

let server;
let base;
let other;
let admin;
let room;
let submission;
let sessionId;

before(async () => {
  const db = await freshDatabase();
  const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sinau-role-key-'));
  process.on('exit', () => fs.rmSync(keyDir, { recursive: true, force: true }));
  const env = { SINAU_KEY_FILE: path.join(keyDir, 'master.key') };
  server = await startServer({ database: db, env });
  base = server.url;
  other = await startServer({ database: db, env });
  admin = await newAdmin(server);
  room = await classroom(server, admin, { participants: 1 });
  const p = room.people[0];
  submission = await submitted(base, p.token, room.cohort.id, room.assignments[0].id);
  const up = await upload(base, p.token, submission.id, pdfFile(), { type: 'application/pdf', filename: 'tugas.pdf' });
  assert.ok([200, 201].includes(up.status), show(up));
  const s = await createSession(base, admin.token, room.cohort.id, {
    title: 'Pertemuan 1', starts_at: instantIn(-600), ends_at: instantIn(3000), place: 'Balai Kota', online_url: 'https://meet.example.test/rahasia',
  });
  assert.equal(s.status, 201, show(s));
  sessionId = s.json.id;
});
after(async () => {
  await other.stop();
  await server.stop();
});

// every route an instructor of this cohort may use, each with the statuses
// that mean "refused"
function routes() {
  const c = room.cohort.id;
  const a = room.assignments[0].id;
  return [
    ['GET', `/api/v1/cohorts/${c}/assignments/${a}/submissions`],
    ['GET', `/api/v1/submissions/${submission.id}`],
    ['GET', `/api/v1/submissions/${submission.id}/file`],
    ['GET', `/api/v1/submissions/${submission.id}/grades`],
    ['PUT', `/api/v1/submissions/${submission.id}/grade`, { score: 90, feedback_md: 'Bagus' }],
    ['GET', `/api/v1/cohorts/${c}/grading-queue`],
    ['GET', `/api/v1/cohorts/${c}/gradebook`],
    ['GET', `/api/v1/cohorts/${c}/eligibility`],
    ['GET', `/api/v1/cohorts/${c}/registrations`],
    ['GET', `/api/v1/cohorts/${c}/attendance`],
    ['POST', `/api/v1/sessions/${sessionId}/checkin`, {}],
    ['GET', `/api/v1/cohorts/${c}/modules`],
  ];
}

async function statuses(url, token) {
  const out = [];
  for (const [method, path, json] of routes()) {
    const r = await call(url, method, path, { token, json });
    out.push([`${method} ${path}`, r.status, r]);
  }
  return out;
}

async function setUser(json) {
  const r = await call(base, 'PUT', `/api/v1/users/${room.instructor.id}`, { token: admin.token, json });
  assert.equal(r.status, 200, show(r));
}

test('demoted_instructor_loses_cohort_access_at_once: the token they hold opens nothing of the cohort', async () => {
  const t = room.instructor.token;
  for (const [what, status, r] of await statuses(base, t)) assert.ok(status < 400, `${what} as the instructor: ${show(r)}`);

  await setUser({ role: 'participant' });
  for (const url of [base, other.url]) {
    for (const [what, status, r] of await statuses(url, t)) {
      assert.ok([401, 403, 404].includes(status), `${what} after the demotion: ${show(r)}`);
      assert.ok(!r.text.includes('checkin_code') || status >= 400, `${what}: no check-in code`);
    }
  }

  await setUser({ role: 'instructor' });
  for (const [what, status, r] of await statuses(base, t)) assert.ok(status < 400, `${what} restored: ${show(r)}`);
});

test('disabled_instructor_loses_cohort_access_at_once', async () => {
  const t = room.instructor.token;
  await setUser({ status: 'disabled' });
  for (const url of [base, other.url]) {
    for (const [what, status, r] of await statuses(url, t)) assert.ok([401, 403, 404].includes(status), `${what} while disabled: ${show(r)}`);
  }
  await setUser({ status: 'active' });
});
