// A training office's whole cycle, as the API must allow it (issue 12):
// cohorts made before the content is published, authors named by an admin,
// moving a cohort to a newer version with what changes shown first, lesson
// attachments, resubmission after a failing grade (up to max_attempts) and
// re-grading, names corrected (and locked once on a certificate), identity
// numbers typed with spaces, arrival numbers from 1, the registrations CSV
// for a city office, no certificate before the cohort's last day, the
// printed certificate ID found from /verify, and the signatory printed on
// certificates.
import { test, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { call, show, sql, lit, newAdmin, newParticipant, me, putProfile } from './lib/accounts.mjs';
import { programme, cohortBody, createCohort, register, participant, newInstructor, dateIn, addInstructor } from './lib/cohorts.mjs';
import { expectStatus, expectError, getDraft, addModule, newModule, newLesson, published, learnModules, learnLesson, complete, progress, cohortOf, publicSeats, learner, moveCohort } from './lib/content.mjs';
import { newAssignment, submit, submitted, grade, release, gradeHistory, gradingQueue, scheduleIn, getAssignment, getBytes, pngFile, pdfFile, htmlFile, rubricOf, realPng as png } from './lib/assignments.mjs';
import { startCertServer, certClass, completeLessons, issued, issue, pdfOf, credentialJson, tempDir } from './lib/certificates.mjs';

const execFileP = promisify(execFile);
const enc = encodeURIComponent;

let server;
let base;
let admin;

before(async () => {
  server = await startCertServer();
  base = server.url;
  admin = await newAdmin(server);
});

const audits = (action, where = 'true') => sql(server, `select count(*) from audit_log where action = ${lit(action)} and ${where}`).then(Number);

const raw = (method, urlPath, token, bytes, headers = {}) => call(base, method, urlPath, { token, body: bytes, headers: { 'content-type': 'application/octet-stream', ...headers }, timeoutMs: 60000 });

async function pdfText(id) {
  const r = await pdfOf(base, id);
  assert.equal(r.status, 200, `PDF ${id}: ${r.status}`);
  const dir = tempDir('cycle');
  const file = path.join(dir, `${id}.pdf`);
  fs.writeFileSync(file, r.body);
  const { stdout } = await execFileP('pdftotext', ['-layout', file, '-']);
  return stdout;
}

// ------------------------------------------------------------ set-up ----

describe('setting up: cohorts before the content, authors', () => {
  test('a cohort made before anything is published: learning routes answer 422 no_published_version, then follow the first version', async () => {
    const p = await programme(base, admin, { publish: false });
    const c = expectStatus(await createCohort(base, admin.token, p.slug, cohortBody({ segments: [{ segment: 'public', quota: 5 }] })), 201, 'cohort first');
    assert.equal(c.content_version, null);
    assert.equal(c.latest_version, null);
    const l = await learner(base, c.id, { full_name: 'Peserta Awal' });
    expectError(await learnModules(base, l.token, c.id), 422, 'no_published_version', 'modules');
    expectError(await progress(base, l.token, c.id), 422, 'no_published_version', 'progress');
    expectError(await learnLesson(base, l.token, c.id, 'anything'), 422, 'no_published_version', 'a lesson');
    expectError(await complete(base, l.token, c.id, 'anything'), 422, 'no_published_version', 'complete');
    const stranger = await newParticipant(base);
    expectError(await learnModules(base, stranger.token, c.id), 404, 'not_found', 'someone without access still sees nothing');
    // the content is written afterwards and published: the cohort follows v1
    const m = await newModule(base, admin.token, p.slug, 'Modul pertama');
    const lesson = await newLesson(base, admin.token, m.id, { title: 'Materi pertama' });
    await published(base, admin.token, p.slug);
    const tree = expectStatus(await learnModules(base, l.token, c.id), 200, 'modules after publishing');
    assert.equal(tree.content_version, 1);
    assert.deepEqual(tree.modules[0].lessons.map((x) => x.id), [lesson.id]);
    assert.equal((await sql(server, `select details->>'cohorts_pinned' from audit_log where action = 'content.published' and details->>'programme_id' = ${lit(p.id)}`)), '1');
  });

  test('admins name a programme\'s authors: an instructor on no cohort edits its content, and no longer once taken off', async () => {
    const p = await programme(base, admin, { publish: false });
    const instr = await newInstructor(server);
    expectError(await getDraft(base, instr.token, p.slug), 404, 'not_found', 'before being named');
    const part = await newParticipant(base);
    expectError(await call(base, 'POST', `/api/v1/programmes/${p.slug}/authors`, { token: admin.token, json: { user_id: part.id } }), 422, 'not_instructor', 'a participant');
    expectStatus(await call(base, 'POST', `/api/v1/programmes/${p.slug}/authors`, { token: instr.token, json: { user_id: instr.id } }), 403, 'an instructor names themself');
    const added = expectStatus(await call(base, 'POST', `/api/v1/programmes/${p.slug}/authors`, { token: admin.token, json: { user_id: instr.id } }), 201, 'name an author');
    assert.deepEqual(added.items.map((u) => u.id), [instr.id]);
    expectStatus(await call(base, 'POST', `/api/v1/programmes/${p.slug}/authors`, { token: admin.token, json: { user_id: instr.id } }), 201, 'again: nothing new');
    assert.equal(await audits('programme.author_added', `subject_id = ${lit(instr.id)}`), 1, 'audited once');
    const list = expectStatus(await call(base, 'GET', `/api/v1/programmes/${p.slug}/authors`, { token: admin.token }), 200, 'authors');
    assert.equal(list.items[0].full_name, 'Guru Pengajar');
    // the author writes and publishes; a cohort made first follows it
    const c = expectStatus(await createCohort(base, admin.token, p.slug, cohortBody()), 201, 'cohort');
    const m = expectStatus(await addModule(base, instr.token, p.slug, { title: 'Ditulis narasumber' }), 201, 'author adds a module');
    await newLesson(base, instr.token, m.id, { title: 'Materi narasumber' });
    await published(base, instr.token, p.slug);
    assert.equal(expectStatus(await call(base, 'GET', `/api/v1/cohorts/${c.id}`), 200, 'cohort').content_version, 1);
    assert.ok((await me(base, instr.token)).json.authoring.includes(p.slug), 'GET /me lists what an instructor authors');
    expectStatus(await call(base, 'DELETE', `/api/v1/programmes/${p.slug}/authors/${instr.id}`, { token: admin.token }), 204, 'taken off');
    expectError(await getDraft(base, instr.token, p.slug), 404, 'not_found', 'after being taken off');
    expectError(await call(base, 'DELETE', `/api/v1/programmes/${p.slug}/authors/${instr.id}`, { token: admin.token }), 404, 'not_found', 'twice');
    assert.equal(await audits('programme.author_removed', `subject_id = ${lit(instr.id)}`), 1);
  });
});

// ----------------------------------------------------------- versions ----

describe('moving a cohort to a newer version', () => {
  test('staff see what changes (lessons added, removed, edited) before moving; instructors move a cohort that has not started, admins any', async () => {
    const p = await programme(base, admin, { publish: false });
    const m = await newModule(base, admin.token, p.slug, 'Modul A');
    const keep = await newLesson(base, admin.token, m.id, { title: 'Tetap', body_md: 'sama' });
    const edit = await newLesson(base, admin.token, m.id, { title: 'Diubah', body_md: 'lama' });
    const gone = await newLesson(base, admin.token, m.id, { title: 'Dihapus' });
    await published(base, admin.token, p.slug);
    const c = await cohortOf(base, admin, p.slug, { starts_on: dateIn(7), ends_on: dateIn(30) });
    const instr = await newInstructor(server);
    expectStatus(await addInstructor(base, admin.token, c.id, instr.id), 201, 'instructor');
    // version 2: one lesson edited, one removed, one added, an assignment added
    expectStatus(await call(base, 'PUT', `/api/v1/lessons/${edit.id}`, { token: admin.token, json: { body_md: 'baru' } }), 200, 'edit');
    expectStatus(await call(base, 'DELETE', `/api/v1/lessons/${gone.id}`, { token: admin.token }), 204, 'remove');
    const added = await newLesson(base, admin.token, m.id, { title: 'Baru' });
    const asg = await newAssignment(base, admin.token, m.id, { title: 'Tugas baru' });
    await published(base, admin.token, p.slug);
    assert.equal(expectStatus(await call(base, 'GET', `/api/v1/cohorts/${c.id}`), 200, 'cohort').latest_version, 2, 'the cohort says a newer version exists');

    const ch = expectStatus(await call(base, 'GET', `/api/v1/cohorts/${c.id}/content-version/changes?to=2`, { token: instr.token }), 200, 'changes');
    assert.equal(ch.from, 1);
    assert.equal(ch.to, 2);
    assert.deepEqual(ch.lessons.added.map((x) => x.id), [added.id]);
    assert.deepEqual(ch.lessons.removed.map((x) => x.id), [gone.id]);
    assert.deepEqual(ch.lessons.edited.map((x) => x.id), [edit.id]);
    assert.ok(!JSON.stringify(ch.lessons).includes(keep.id), 'an unchanged lesson is not listed');
    assert.deepEqual(ch.assignments.added.map((x) => x.id), [asg.id]);
    assert.deepEqual(ch.modules, { added: [], removed: [], edited: [] });
    expectError(await call(base, 'GET', `/api/v1/cohorts/${c.id}/content-version/changes?to=9`, { token: instr.token }), 422, 'invalid_version', 'no such version');
    const other = await newInstructor(server);
    expectError(await call(base, 'GET', `/api/v1/cohorts/${c.id}/content-version/changes?to=2`, { token: other.token }), 404, 'not_found', 'another cohort\'s instructor');

    const moved = expectStatus(await moveCohort(base, instr.token, c.id, 2), 200, 'the cohort\'s instructor moves it before it starts');
    assert.equal(moved.content_version, 2);
    assert.equal(await audits('cohort.content_moved', `actor_id = ${lit(instr.id)}`), 1, 'audited');
    await published(base, admin.token, p.slug); // v3
    await sql(server, `update cohorts set starts_on = current_date - 1 where id = ${lit(c.id)}`);
    expectError(await moveCohort(base, instr.token, c.id, 3), 409, 'cohort_started', 'after it started');
    expectStatus(await moveCohort(base, admin.token, c.id, 3), 200, 'an admin moves it still');
  });
});

// -------------------------------------------------------- attachments ----

describe('lesson attachments', () => {
  test('images and PDF handouts: sniffed and limited, served to the programme\'s readers with long cache headers, kept by published versions', async () => {
    const p = await programme(base, admin, { publish: false });
    const m = await newModule(base, admin.token, p.slug, 'Modul');
    const lesson = await newLesson(base, admin.token, m.id, { title: 'Bergambar' });
    const up = (bytes, type, name, token = admin.token) => raw('POST', `/api/v1/lessons/${lesson.id}/attachments`, token, bytes, { 'content-type': type, 'x-filename': enc(name) });
    const img = expectStatus(await up(pngFile(3000, 7), 'image/png', 'peta kota.png'), 201, 'a picture');
    assert.equal(img.content_type, 'image/png');
    assert.equal(img.url, `/api/v1/attachments/${img.id}`);
    const pdf = expectStatus(await up(pdfFile(5000, 8), 'application/pdf', 'panduan.pdf'), 201, 'a handout');
    expectError(await up(htmlFile(), 'application/pdf', 'jahat.pdf'), 415, 'unsupported_file_type', 'HTML named .pdf');
    expectError(await up(Buffer.alloc(0), 'image/png', 'kosong.png'), 422, 'empty_file', 'empty');
    const big = await up(Buffer.concat([pngFile(64), Buffer.alloc(10 * 1024 * 1024)]), 'image/png', 'besar.png');
    assert.equal(big.status, 413, show(big));
    expectError(await up(pngFile(), 'image/png', '../../x.png'), 422, 'invalid_filename', 'a path as its name');
    const part = await newParticipant(base);
    expectStatus(await up(pngFile(), 'image/png', 'a.png', part.token), 403, 'a participant');
    const other = await newInstructor(server);
    expectError(await up(pngFile(), 'image/png', 'a.png', other.token), 404, 'not_found', 'an instructor who is no author');
    assert.deepEqual((await getDraft(base, admin.token, p.slug)).json.modules[0].lessons[0].attachments.map((a) => a.id), [img.id, pdf.id]);

    await published(base, admin.token, p.slug);
    const c = await cohortOf(base, admin, p.slug, publicSeats(5));
    const l = await learner(base, c.id);
    const read = expectStatus(await learnLesson(base, l.token, c.id, lesson.id), 200, 'the lesson');
    assert.deepEqual(read.attachments.map((a) => [a.name, a.content_type]), [['peta kota.png', 'image/png'], ['panduan.pdf', 'application/pdf']]);
    const got = await getBytes(base, l.token, img.url);
    assert.equal(got.status, 200);
    assert.ok(got.body.equals(pngFile(3000, 7)), 'the same bytes');
    assert.match(got.headers['cache-control'], /max-age=31536000/);
    assert.match(got.headers['cache-control'], /immutable/);
    assert.match(got.headers['content-disposition'], /^inline;/);
    const handout = await getBytes(base, l.token, pdf.url);
    assert.match(handout.headers['content-disposition'], /^attachment;.*panduan\.pdf/);
    assert.equal(handout.headers['content-type'], 'application/pdf');
    assert.equal((await getBytes(base, part.token, img.url)).status, 404, 'not for someone outside the programme');
    assert.equal((await getBytes(base, undefined, img.url)).status, 404, 'not anonymously');

    // taken off the draft: the published version keeps showing it
    expectStatus(await call(base, 'DELETE', `/api/v1/attachments/${img.id}`, { token: admin.token }), 204, 'off the draft');
    assert.deepEqual((await getDraft(base, admin.token, p.slug)).json.modules[0].lessons[0].attachments.map((a) => a.id), [pdf.id]);
    assert.equal((await getBytes(base, l.token, img.url)).status, 200, 'version 1 still shows it');
    assert.equal(expectStatus(await learnLesson(base, l.token, c.id, lesson.id), 200, 'lesson').attachments.length, 2);
    // one never published goes for good
    const temp = expectStatus(await up(pngFile(100, 9), 'image/png', 'sementara.png'), 201, 'another');
    expectStatus(await call(base, 'DELETE', `/api/v1/attachments/${temp.id}`, { token: admin.token }), 204, 'removed');
    assert.equal(await sql(server, `select count(*) from lesson_attachments where id = ${lit(temp.id)}`), '0');
  });
});

// -------------------------------------------------------- resubmission ----

describe('resubmission and re-grading', () => {
  test('a released failing grade opens a new attempt until the cut-off, up to max_attempts; a pass or an unreleased grade does not; staff re-grade from the graded queue', async () => {
    const cr = await certClass(server, admin, { lessons: 0, assignments: [{ title: 'Video profil', max_attempts: 2 }], participants: 2, cohort: {} });
    const [p, q] = cr.people;
    const a = cr.assignments[0];
    assert.equal(a.max_attempts, 2);
    const v1 = await submitted(base, p.token, cr.cohort.id, a.id, { text: 'percobaan pertama' });
    expectStatus(await grade(base, cr.instructor.token, v1.id, { score: 40 }), 200, 'failing grade');
    expectError(await submit(base, p.token, cr.cohort.id, a.id, { text: 'lagi' }), 409, 'already_graded', 'not yet released: the grade is not known');
    assert.equal(expectStatus(await getAssignment(base, p.token, cr.cohort.id, a.id), 200, 'assignment').submit_refusal, 'already_graded');
    expectStatus(await release(base, cr.instructor.token, cr.cohort.id, { assignment_id: a.id }), 200, 'release');
    const seen = expectStatus(await getAssignment(base, p.token, cr.cohort.id, a.id), 200, 'assignment');
    assert.equal(seen.submit_refusal, null, 'may hand in again');
    assert.equal(seen.attempts_used, 1);
    const v2 = await submitted(base, p.token, cr.cohort.id, a.id, { text: 'percobaan kedua' });
    assert.equal(v2.version, 2);
    const queue = expectStatus(await gradingQueue(base, cr.instructor.token, cr.cohort.id), 200, 'queue');
    assert.deepEqual(queue.items.map((s) => s.id), [v2.id], 'the new attempt waits in the queue');
    expectStatus(await grade(base, cr.instructor.token, v2.id, { score: 50 }), 200, 'failing again');
    expectError(await submit(base, p.token, cr.cohort.id, a.id, { text: 'ketiga' }), 409, 'attempts_exhausted', 'two attempts used');
    // re-grading: the graded queue lists the latest graded work with its grade
    const graded = expectStatus(await gradingQueue(base, cr.instructor.token, cr.cohort.id, { state: 'graded' }), 200, 'graded queue');
    const item = graded.items.find((s) => s.id === v2.id);
    assert.equal(item.grade.score, 50);
    expectStatus(await grade(base, cr.instructor.token, v2.id, { score: 85, feedback_md: 'Setelah ditinjau ulang: lulus.' }), 200, 're-grade');
    const hist = expectStatus(await gradeHistory(base, cr.instructor.token, v2.id), 200, 'history');
    assert.deepEqual(hist.items.map((g) => g.score), [85, 50], 'both grades kept, newest first');
    expectError(await gradingQueue(base, cr.instructor.token, cr.cohort.id, { state: 'maybe' }), 422, 'invalid_state', 'a state that does not exist');
    // a pass closes the assignment; the cut-off closes it for everyone
    const w1 = await submitted(base, q.token, cr.cohort.id, a.id, { text: 'langsung bagus' });
    expectStatus(await grade(base, cr.instructor.token, w1.id, { score: 90 }), 200, 'pass');
    expectError(await submit(base, q.token, cr.cohort.id, a.id, { text: 'lagi' }), 409, 'already_graded', 'after a pass');
    await scheduleIn(base, cr.instructor.token, cr.cohort.id, a.id, -7200, -3600);
    expectError(await submit(base, q.token, cr.cohort.id, a.id, { text: 'telat' }), 409, 'deadline_passed', 'after the cut-off');
  });

  test('max_attempts is 1..100 or null', async () => {
    const p = await programme(base, admin, { publish: false });
    const m = await newModule(base, admin.token, p.slug, 'M');
    for (const bad of [0, 101, 1.5, 'dua']) {
      expectError(await call(base, 'POST', `/api/v1/modules/${m.id}/assignments`, { token: admin.token, json: { title: 'T', submission_types: ['text'], max_score: 10, pass_score: 5, max_attempts: bad } }), 422, 'invalid_max_attempts', `max_attempts ${bad}`);
    }
    const a = await newAssignment(base, admin.token, m.id, { max_attempts: 3, rubric: rubricOf([[0, 5], [0, 5]]), max_score: 10, pass_score: 5 });
    assert.equal(a.max_attempts, 3);
    const cleared = expectStatus(await call(base, 'PUT', `/api/v1/assignments/${a.id}`, { token: admin.token, json: { max_attempts: null } }), 200, 'clear');
    assert.equal(cleared.max_attempts, null);
  });
});

// ----------------------------------------------------------- accounts ----

describe('names and identity numbers', () => {
  test('a participant corrects their name until a certificate carries it (audited); then only an admin, audited', async () => {
    const cr = await certClass(server, admin, { lessons: 1, assignments: [], participants: 1, names: ['Budi Santosa'], rules: {} });
    const [p] = cr.people;
    const r = expectStatus(await call(base, 'PUT', '/api/v1/me', { token: p.token, json: { full_name: 'Budi Santoso' } }), 200, 'correct the name');
    assert.equal(r.user.full_name, 'Budi Santoso');
    assert.equal(r.name_locked, false);
    assert.equal(await audits('user.name_changed', `subject_id = ${lit(p.id)} and actor_id = ${lit(p.id)} and details->>'from' = 'Budi Santosa'`), 1);
    expectError(await call(base, 'PUT', '/api/v1/me', { token: p.token, json: { full_name: '' } }), 422, 'invalid_full_name', 'empty');
    expectError(await call(base, 'PUT', '/api/v1/me', { token: p.token, json: { full_name: 'Budi', role: 'admin' } }), 422, 'unknown_field', 'mass assignment');
    await completeLessons(base, cr, p);
    const got = await issued(base, admin, cr.cohort.id);
    assert.equal(got.issued, 1);
    assert.equal((await me(base, p.token)).json.name_locked, true);
    expectError(await call(base, 'PUT', '/api/v1/me', { token: p.token, json: { full_name: 'Budiman' } }), 409, 'name_locked', 'after the certificate');
    assert.equal((await me(base, p.token)).json.user.full_name, 'Budi Santoso', 'unchanged');
    expectStatus(await call(base, 'PUT', '/api/v1/me', { token: p.token, json: { full_name: 'Budi Santoso' } }), 200, 'the same name is no change');
    const byAdmin = expectStatus(await call(base, 'PUT', `/api/v1/users/${p.id}`, { token: admin.token, json: { full_name: 'Budi Santoso, S.Kom.' } }), 200, 'an admin corrects it');
    assert.equal(byAdmin.user.full_name, 'Budi Santoso, S.Kom.');
    assert.equal(await audits('user.name_changed', `subject_id = ${lit(p.id)} and actor_id = ${lit(admin.id)} and (details->>'certificates')::boolean`), 1, 'audited, noting a certificate carries the name');
  });

  test('NIK, NIP, NIB and phone typed with spaces, dots and dashes are stored as their digits', async () => {
    const p = await newParticipant(base);
    const r = expectStatus(await putProfile(base, p.token, { nip: '19900101 201503 2 001', nik: '3573.0101.0185.0907', nib: '9120-0012-3456-7', phone: '+62 812.3456.7890' }), 200, 'typed as printed');
    assert.equal(r.nip, '1990**********2001');
    assert.equal(r.nik, '3573********0907');
    assert.equal(r.nib, '9120001234567');
    assert.equal(r.phone, '***********890');
    const clear = expectStatus(await call(base, 'POST', `/api/v1/users/${p.id}/personal-data`, { token: admin.token, json: { reason: 'Pemeriksaan data uji' } }), 200, 'unmasked');
    assert.deepEqual(clear, { nik: '3573010101850907', nip: '199001012015032001', phone: '+6281234567890' });
    const again = await newParticipant(base);
    expectError(await putProfile(base, again.token, { nip: '199001012015032001' }), 409, 'nip_taken', 'the same number without spaces is the same number');
    expectError(await putProfile(base, again.token, { nip: '19900101 201503 2 00' }), 422, 'invalid_nip', 'a digit short');
  });
});

// ------------------------------------------------------ registrations ----

describe('registrations for a city office', () => {
  test('arrival numbers start at 1 per cohort with no gaps, whatever the refused attempts in between', async () => {
    const p = await programme(base, admin);
    const c1 = expectStatus(await createCohort(base, admin.token, p.slug, cohortBody({ segments: [{ segment: 'public', quota: 2, waitlist: false }, { segment: 'asn', quota: 5 }] })), 201, 'c1');
    const c2 = expectStatus(await createCohort(base, admin.token, p.slug, cohortBody({ name: 'Angkatan 2', segments: [{ segment: 'public', quota: 5 }] })), 201, 'c2');
    const people = [];
    for (let i = 0; i < 4; i++) people.push(await participant(base, { segment: 'public', full_name: `Warga ${i + 1}` }));
    for (const q of people) {
      await register(base, q.token, c2.id, 'public'); // other cohorts draw from the same sequence
      await register(base, q.token, c1.id, 'asn'); // refused: not eligible (no NIP)
      await register(base, q.token, c1.id, 'public'); // two confirmed, then segment_full
    }
    const list = expectStatus(await call(base, 'GET', `/api/v1/cohorts/${c1.id}/registrations`, { token: admin.token }), 200, 'list');
    assert.deepEqual(list.items.map((r) => r.no), [1, 2], 'c1 holds two registrations, numbered 1 and 2');
    assert.ok(list.items[0].seq > 2, 'while the arrival sequence is shared and has gaps');
    const l2 = expectStatus(await call(base, 'GET', `/api/v1/cohorts/${c2.id}/registrations`, { token: admin.token }), 200, 'list 2');
    assert.deepEqual(l2.items.map((r) => r.no), [1, 2, 3, 4]);
    const cancelled = expectStatus(await call(base, 'DELETE', `/api/v1/registrations/${l2.items[1].id}`, { token: admin.token }), 200, 'cancel');
    assert.equal(cancelled.status, 'cancelled');
    const after = expectStatus(await call(base, 'GET', `/api/v1/cohorts/${c2.id}/registrations?status=confirmed`, { token: admin.token }), 200, 'filtered');
    assert.deepEqual(after.items.map((r) => r.no), [1, 3, 4], 'a registration keeps its number under a filter');
  });

  test('the CSV: phone, OPD and district, Indonesian or English labels; unmasked only for an admin with a stated reason, audited', async () => {
    const p = await programme(base, admin);
    const c = expectStatus(await createCohort(base, admin.token, p.slug, cohortBody({ segments: [{ segment: 'asn', quota: 5 }, { segment: 'public', quota: 5 }] })), 201, 'cohort');
    const asn = await participant(base, { profile: { nip: '19910202 201503 1 002', agency: 'Dinas Kominfo', phone: '0812 3456 7890', district: 'Klojen' }, full_name: 'Ayu ASN' });
    const pub = await participant(base, { segment: 'public', full_name: 'Bima Umum' });
    expectStatus(await register(base, asn.token, c.id, 'asn'), 201, 'asn');
    expectStatus(await register(base, pub.token, c.id, 'public'), 201, 'public');
    const rows = async (r) => {
      assert.equal(r.status, 200, show(r));
      return r.text.replace(/^\uFEFF/, '').trim().split('\r\n').map((line) => line.split(';'));
    };
    const id = await rows(await call(base, 'GET', `/api/v1/cohorts/${c.id}/registrations?format=csv`, { token: admin.token }));
    assert.deepEqual(id[0], ['no', 'segmen', 'status', 'nama', 'email', 'telepon', 'terdaftar (WIB)', 'posisi tunggu', 'instansi (OPD)', 'nama usaha', 'kecamatan', 'NIK', 'NIP']);
    assert.deepEqual(id[1].slice(0, 4), ['1', 'ASN', 'Terkonfirmasi', 'Ayu ASN']);
    assert.equal(id[1][5], '***********890', 'the phone masked');
    assert.deepEqual([id[1][8], id[1][10], id[1][12]], ['Dinas Kominfo', 'Klojen', '1991**********1002']);
    assert.deepEqual(id[2].slice(0, 3), ['2', 'Umum', 'Terkonfirmasi']);
    const en = await rows(await call(base, 'GET', `/api/v1/cohorts/${c.id}/registrations?format=csv&lang=en`, { token: admin.token }));
    assert.deepEqual(en[0].slice(0, 6), ['no', 'segment', 'status', 'name', 'email', 'phone']);
    assert.deepEqual(en[1].slice(1, 3), ['Civil servants (ASN)', 'Confirmed']);
    expectError(await call(base, 'GET', `/api/v1/cohorts/${c.id}/registrations?format=csv&lang=jv`, { token: admin.token }), 422, 'invalid_lang', 'an unknown language');
    // unmasked: an admin, a reason, an audit entry
    const instr = await newInstructor(server);
    expectStatus(await addInstructor(base, admin.token, c.id, instr.id), 201, 'instructor');
    expectStatus(await call(base, 'POST', `/api/v1/cohorts/${c.id}/registrations/export`, { token: instr.token, json: { reason: 'Laporan dinas' } }), 403, 'an instructor');
    expectError(await call(base, 'POST', `/api/v1/cohorts/${c.id}/registrations/export`, { token: admin.token, json: { reason: 'ok' } }), 422, 'invalid_reason', 'no real reason');
    const before = await audits('pii.export');
    const clear = await rows(await call(base, 'POST', `/api/v1/cohorts/${c.id}/registrations/export`, { token: admin.token, json: { reason: 'Laporan peserta ke BKPSDM', lang: 'id' } }));
    assert.equal(clear[1][5], '081234567890', 'as people write it here');
    assert.equal(clear[1][12], '199102022015031002');
    assert.equal(clear[2][11], pub.profile.nik);
    assert.equal(await audits('pii.export'), before + 1);
    assert.equal(await sql(server, `select details->>'reason' from audit_log where action = 'pii.export' order by id desc limit 1`), 'Laporan peserta ke BKPSDM');
  });
});

// ------------------------------------------------------- certificates ----

describe('certificates from the cohort\'s last day, found by their printed ID, signed by a person', () => {
  test('409 cohort_not_finished before the cohort\'s last day; nothing issued', async () => {
    const cr = await certClass(server, admin, { lessons: 1, assignments: [], participants: 1, rules: {}, cohort: { starts_on: dateIn(-3), ends_on: dateIn(10) } });
    await completeLessons(base, cr, cr.people[0]);
    const r = await issue(base, admin.token, cr.cohort.id);
    expectError(r, 409, 'cohort_not_finished', 'before the end');
    assert.equal(r.json.error.details.ends_on, dateIn(10));
    assert.equal(await sql(server, `select count(*) from certificates where cohort_id = ${lit(cr.cohort.id)}`), '0');
    await sql(server, `update cohorts set ends_on = (now() at time zone 'Asia/Jakarta')::date where id = ${lit(cr.cohort.id)}`);
    assert.equal((await issued(base, admin, cr.cohort.id)).issued, 1, 'on the last day');
  });

  test('the signatory: a site default and a programme\'s own (organisation, name, title, spaced NIP, signature and logo PNG) on the PDF and the verify page; certificates keep theirs', async () => {
    const logo = expectStatus(await raw('POST', '/api/v1/certificate-images', admin.token, png(60, 60, 1), { 'content-type': 'image/png' }), 201, 'logo');
    const sig = expectStatus(await raw('POST', '/api/v1/certificate-images', admin.token, png(120, 40, 2), { 'content-type': 'image/png' }), 201, 'signature');
    assert.match(sig.sha256, /^[0-9a-f]{64}$/);
    expectError(await raw('POST', '/api/v1/certificate-images', admin.token, pngFile(2000), { 'content-type': 'image/png' }), 415, 'unsupported_file_type', 'a PNG signature with noise after it does not decode');
    expectError(await raw('POST', '/api/v1/certificate-images', admin.token, htmlFile()), 415, 'unsupported_file_type', 'not a PNG');
    const big = await raw('POST', '/api/v1/certificate-images', admin.token, Buffer.concat([png(), Buffer.alloc(600 * 1024)]));
    assert.equal(big.status, 413, 'over 512 KB');
    const part = await newParticipant(base);
    expectStatus(await raw('POST', '/api/v1/certificate-images', part.token, png()), 403, 'a participant');
    const img = await getBytes(base, undefined, sig.url);
    assert.equal(img.status, 200);
    assert.equal(img.headers['content-type'], 'image/png');
    assert.match(img.headers['cache-control'], /public, max-age=31536000, immutable/);

    const site = expectStatus(await call(base, 'PUT', '/api/v1/signatory', { token: admin.token, json: { organisation: 'Pemerintah Kota Malang', name: 'Kepala Dinas', title: 'Diskominfo' } }), 200, 'site default');
    assert.equal(site.site.name, 'Kepala Dinas');
    const cr = await certClass(server, admin, { lessons: 1, assignments: [], participants: 1, names: ['Sekar Ayu'], rules: {} });
    const body = { organisation: 'Dinas Komunikasi dan Informatika Kota Malang', name: 'Dr. Ir. Suwarjana, S.T., M.T.', title: 'Kepala Dinas', nip: '19700312 199803 1 005', signature_image: sig.sha256, logo: logo.sha256 };
    expectError(await call(base, 'PUT', `/api/v1/programmes/${cr.slug}/signatory`, { token: admin.token, json: { ...body, nip: '1970 0312' } }), 422, 'invalid_nip', 'a short NIP');
    expectError(await call(base, 'PUT', `/api/v1/programmes/${cr.slug}/signatory`, { token: admin.token, json: { ...body, logo: 'ab'.repeat(32) } }), 422, 'unknown_image', 'an image never uploaded');
    expectStatus(await call(base, 'PUT', `/api/v1/programmes/${cr.slug}/signatory`, { token: part.token, json: body }), 403, 'a participant');
    const own = expectStatus(await call(base, 'PUT', `/api/v1/programmes/${cr.slug}/signatory`, { token: admin.token, json: body }), 200, 'the programme\'s own');
    assert.equal(own.effective.name, body.name);
    assert.equal(own.own.nip, '1970**********1005', 'the NIP comes back masked');
    assert.equal(own.site.name, 'Kepala Dinas');
    assert.ok(!JSON.stringify(own).includes('197003121998031005'));
    assert.equal(await sql(server, `select count(*) from signatories where nip_enc like '%197003121998031005%'`), '0', 'not stored in clear');
    assert.equal(await audits('signatory.set'), 2);

    await completeLessons(base, cr, cr.people[0]);
    const cid = (await issued(base, admin, cr.cohort.id)).certificates[0].id;
    const text = await pdfText(cid);
    for (const want of ['Dinas Komunikasi dan Informatika Kota Malang', 'Dr. Ir. Suwarjana, S.T., M.T.', 'NIP. 19700312 199803 1 005']) assert.ok(text.includes(want), `the PDF prints ${want}:\n${text}`);
    const printed = /ID: ([0-9a-z-]+)/.exec(text)[1];
    assert.equal(printed.replace(/-/g, ''), cid, 'the whole ID is printed');
    const json = expectStatus(await credentialJson(base, cid), 200, 'verify JSON');
    assert.equal(json.issuer, body.organisation);
    assert.deepEqual(json.signatory, { name: body.name, title: 'Kepala Dinas', nip: '197003121998031005', signature_image: sig.url, logo: logo.url });
    const page = await call(base, 'GET', `/credentials/${cid}`);
    for (const want of [body.name, 'NIP. 19700312 199803 1 005', `src="${sig.url}"`, `src="${logo.url}"`]) assert.ok(page.text.includes(want), `the verify page shows ${want}`);

    // another signatory later: this certificate keeps the one it was issued with
    expectStatus(await call(base, 'PUT', `/api/v1/programmes/${cr.slug}/signatory`, { token: admin.token, json: { organisation: 'Lain', name: 'Pejabat Baru', title: 'Plt. Kepala' } }), 200, 'a new signatory');
    assert.ok((await pdfText(cid)).includes('Dr. Ir. Suwarjana'), 'the certificate keeps its signatory');
    const cleared = expectStatus(await call(base, 'DELETE', `/api/v1/programmes/${cr.slug}/signatory`, { token: admin.token }), 200, 'back to the site default');
    assert.equal(cleared.own, null);
    assert.equal(cleared.effective.name, 'Kepala Dinas');
  });

  test('the ID the PDF prints finds the certificate at /verify, typed by hand or pasted', async () => {
    const cr = await certClass(server, admin, { lessons: 1, assignments: [], participants: 1, names: ['Tegar Wicaksono'], rules: {} });
    await completeLessons(base, cr, cr.people[0]);
    const cid = (await issued(base, admin, cr.cohort.id)).certificates[0].id;
    const printed = /ID: ([0-9a-z-]+)/.exec(await pdfText(cid))[1];
    for (const typed of [printed, `ID: ${printed.toUpperCase()}`, printed.replace(/-/g, ' '), printed.replace(/0/g, 'O').replace(/1/g, 'l')]) {
      const r = await call(base, 'GET', `/verify?id=${enc(typed)}&lang=en`);
      assert.equal(r.status, 303, `${typed}: ${show(r)}`);
      assert.equal(r.headers.location, `/credentials/${cid}?lang=en`);
    }
    const form = await call(base, 'POST', '/verify', { body: `token=${enc(`${server.publicUrl}/credentials/${cid}`)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(form.status, 303, 'a pasted link');
    assert.equal(form.headers.location, `/credentials/${cid}?lang=id`);
    const bad = await call(base, 'GET', '/verify?id=abc-123');
    assert.equal(bad.status, 422);
    assert.match(bad.text, /tidak berbentuk ID sertifikat/);
    assert.ok(!bad.text.includes('abc-123'), 'what was typed is not echoed');
    const page = await call(base, 'GET', '/verify');
    assert.match(page.text, /name="id"/, 'the page has the ID box');
  });
});
