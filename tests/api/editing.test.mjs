// Editing what admins created (migration 0007): a programme's title and
// description (the slug stays), a cohort's name, dates, window and settings,
// and taking an instructor off a cohort — admins only, audited, bad values
// refused with 422 and nothing changed.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/harness.mjs';
import { call, show, sql, lit, newAdmin, newParticipant } from './lib/accounts.mjs';
import { programme, cohort, newInstructor, addInstructor, dateIn, instantIn } from './lib/cohorts.mjs';

let server;
let base;
let admin;

before(async () => {
  server = await startServer();
  base = server.url;
  admin = await newAdmin(server);
});

const putProgramme = (token, slug, json) => call(base, 'PUT', `/api/v1/programmes/${slug}`, { token, json });
const putCohort = (token, id, json) => call(base, 'PUT', `/api/v1/cohorts/${id}`, { token, json });

test('a programme: title and description change, the slug stays; bad values 422; others 403; unknown 404; audited', async () => {
  const p = await programme(base, admin, { title: 'Judul lama' });
  const r = await putProgramme(admin.token, p.slug, { title: 'Sinau TikTok & YouTube', description: 'Untuk UMKM dan ASN.' });
  assert.equal(r.status, 200, show(r));
  assert.equal(r.json.title, 'Sinau TikTok & YouTube');
  assert.equal(r.json.description, 'Untuk UMKM dan ASN.');
  assert.equal(r.json.slug, p.slug);
  const before = await sql(server, `select title from programmes where slug = ${lit(p.slug)}`);
  for (const [what, json, code] of [
    ['an empty title', { title: '' }, 'invalid_field'],
    ['a slug', { slug: 'lain' }, 'unknown_field'],
    ['a number', { title: 5 }, 'invalid_field'],
  ]) {
    const bad = await putProgramme(admin.token, p.slug, json);
    assert.equal(bad.status, 422, `${what}: ${show(bad)}`);
    assert.equal(bad.json.error.code, code, what);
  }
  assert.equal(await sql(server, `select title from programmes where slug = ${lit(p.slug)}`), before, 'nothing changed');
  const someone = await newParticipant(base);
  assert.equal((await putProgramme(someone.token, p.slug, { title: 'x' })).status, 403);
  assert.equal((await putProgramme(admin.token, 'tidak-ada', { title: 'x' })).status, 404);
  assert.equal(await sql(server, `select count(*) from audit_log where action = 'programme.updated' and details->>'id' = ${lit(p.id)}`), '1');
});

test('a cohort: name, dates and window change; a window that closes before it opens or dates backwards 422 with nothing changed; others 403; unknown 404', async () => {
  const c = await cohort(base, admin);
  const r = await putCohort(admin.token, c.id, {
    name: 'Angkatan 2', starts_on: dateIn(20), ends_on: dateIn(40), jp: 24,
    registration_opens_at: instantIn(-3600), registration_closes_at: instantIn(86400), offer_ttl_s: null,
  });
  assert.equal(r.status, 200, show(r));
  assert.equal(r.json.name, 'Angkatan 2');
  assert.equal(r.json.jp, 24);
  assert.equal(r.json.starts_on, dateIn(20));
  assert.equal(r.json.registration_open, true);
  const row = () => sql(server, `select name || '|' || starts_on || '|' || ends_on || '|' || jp from cohorts where id = ${lit(c.id)}`);
  const kept = await row();
  for (const [what, json, code] of [
    ['a window closing before it opens', { registration_closes_at: instantIn(-7200) }, 'invalid_field'],
    ['dates backwards', { ends_on: dateIn(1), starts_on: dateIn(30) }, 'invalid_field'],
    ['a date that is none', { starts_on: '2026-02-31' }, 'invalid_date'],
    ['jp out of range', { jp: 5000 }, 'invalid_field'],
    ['an unknown member', { quota: 5 }, 'unknown_field'],
    ['offer_ttl_s as text', { offer_ttl_s: 'lama' }, 'invalid_field'],
    ['offer_ttl_s too short', { offer_ttl_s: 5 }, 'invalid_field'],
    ['a word PostgreSQL would read as a date', { ends_on: 'infinity' }, 'invalid_date'],
    ['a time without a zone', { registration_closes_at: '2027-01-01T10:00:00' }, 'invalid_date'],
  ]) {
    const bad = await putCohort(admin.token, c.id, json);
    assert.equal(bad.status, 422, `${what}: ${show(bad)}`);
    assert.equal(bad.json.error.code, code, `${what}: ${show(bad)}`);
  }
  assert.equal(await row(), kept, 'nothing changed');
  const someone = await newParticipant(base);
  assert.equal((await putCohort(someone.token, c.id, { name: 'x' })).status, 403);
  assert.equal((await putCohort(admin.token, 'tidak-ada', { name: 'x' })).status, 404);
  assert.equal(await sql(server, `select count(*) from audit_log where action = 'cohort.updated' and details->>'id' = ${lit(c.id)}`), '1');
});

test('an instructor taken off a cohort no longer sees its grading queue; a second removal is 404; only admins may', async () => {
  const c = await cohort(base, admin);
  const instr = await newInstructor(server);
  assert.equal((await addInstructor(base, admin.token, c.id, instr.user.id)).status, 201);
  const queue = () => call(base, 'GET', `/api/v1/cohorts/${c.id}/grading-queue`, { token: instr.token });
  assert.equal((await queue()).status, 200, 'the cohort instructor sees the queue');
  assert.equal((await call(base, 'DELETE', `/api/v1/cohorts/${c.id}/instructors/${instr.user.id}`, { token: instr.token })).status, 403);
  const r = await call(base, 'DELETE', `/api/v1/cohorts/${c.id}/instructors/${instr.user.id}`, { token: admin.token });
  assert.equal(r.status, 204, show(r));
  assert.equal((await queue()).status, 404, 'no longer');
  assert.equal((await call(base, 'DELETE', `/api/v1/cohorts/${c.id}/instructors/${instr.user.id}`, { token: admin.token })).status, 404);
  assert.equal(await sql(server, `select count(*) from audit_log where action = 'cohort.instructor_removed' and subject_id = ${lit(instr.user.id)}`), '1');
});
