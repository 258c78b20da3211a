// Assignments (issue 6; API.md "Assignments and grading", "Content"):
// authoring them in a programme's draft (members, defaults, every 422 with
// its code and nothing stored, rubrics whose best levels must add up to
// max_score), who may author (admins, instructors of the programme's
// cohorts; 404 for other instructors, 403 for participants), publishing
// (copied into the version with the instructions rendered inert; later
// draft edits never reach a published version, which the database keeps
// immutable), the per-cohort schedule (due date, late cut-off, null clears,
// 422 invalid_cutoff / invalid_time, cohort staff only), and reading a
// cohort's assignments (confirmed participants and staff; 404 for everyone
// else), in the module tree and the progress summary too.
import { test, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/harness.mjs';
import { call, show, sql, lit, newAdmin, newParticipant } from './lib/accounts.mjs';
import { programme, addInstructor, newInstructor, instantIn } from './lib/cohorts.mjs';
import {
  expectStatus, expectError, getDraft, newModule, published, cohortOf, publicSeats, learner, learnModules, progress, htmlProblems,
} from './lib/content.mjs';
import {
  addAssignment, putAssignment, delAssignment, assignmentBody, newAssignment, rubricOf, classroom, schedule, scheduleIn,
  listAssignments, getAssignment, submitted,
} from './lib/assignments.mjs';

let server;
let base;
let admin;

before(async () => {
  server = await startServer();
  base = server.url;
  admin = await newAdmin(server);
});

// issue 12 added max_attempts, and for participants attempts_used and
// submit_refusal (null for staff)
const DRAFT_KEYS = ['id', 'instructions_md', 'max_attempts', 'max_score', 'module_id', 'pass_score', 'position', 'required', 'rubric', 'submission_types', 'title'];
const COHORT_KEYS = ['attempts_used', 'cutoff_at', 'due_at', 'grades_released', 'id', 'instructions_html', 'max_attempts', 'max_score', 'module_id',
  'my_submission', 'pass_score', 'required', 'rubric', 'submission_types', 'submit_refusal', 'title'];

async function assignmentRows(moduleId) {
  return Number(await sql(server, `select count(*) from assignments where module_id = ${lit(moduleId)}`));
}

async function assignmentRow(id) {
  return sql(server, `select row_to_json(a)::text from (select title, instructions_md, submission_types, max_score, pass_score, required, rubric, position from assignments where id = ${lit(id)}) a`);
}

// The same instant, whatever the textual form.
function sameInstant(actual, expected, what) {
  assert.equal(Date.parse(actual), Date.parse(expected), `${what}: ${actual} vs ${expected}`);
}

// ------------------------------------------------------------ authoring ----

describe('authoring assignments in the draft', () => {
  let prog;
  let mod;

  before(async () => {
    prog = await programme(base, admin, { publish: false });
    mod = await newModule(base, admin.token, prog.slug, 'Konten media sosial');
  });

  test('created with the documented members and defaults; types deduplicated; positions in order; listed in the draft', async () => {
    const rev0 = expectStatus(await getDraft(base, admin.token, prog.slug), 200, 'draft').draft_rev;
    const a = expectStatus(await addAssignment(base, admin.token, mod.id, {
      title: 'Caption produk', submission_types: ['text', 'text', 'url'], max_score: 50, pass_score: 30,
    }), 201, 'minimal');
    assert.deepEqual(Object.keys(a).sort(), DRAFT_KEYS);
    assert.equal(typeof a.id, 'string');
    assert.equal(a.module_id, mod.id);
    assert.equal(a.title, 'Caption produk');
    assert.equal(a.instructions_md, '', 'instructions default to empty');
    assert.deepEqual([...a.submission_types].sort(), ['text', 'url'], 'a repeated type is kept once');
    assert.equal(Number(a.max_score), 50);
    assert.equal(Number(a.pass_score), 30);
    assert.equal(a.required, true, 'required by default');
    assert.equal(a.rubric, null);
    const rubric = rubricOf([[0, 5, 10], [0, 10, 20]]);
    const b = expectStatus(await addAssignment(base, admin.token, mod.id, assignmentBody({
      title: 'Video TikTok', required: false, rubric, max_score: 30, pass_score: 15,
    })), 201, 'with a rubric');
    assert.deepEqual(b.rubric, rubric, 'the rubric comes back as sent');
    assert.equal(b.required, false);
    assert.ok(b.position > a.position, `appended after the first: ${a.position}, ${b.position}`);
    const c = await newAssignment(base, admin.token, mod.id, { title: 'Pembuka', position: 0 });
    assert.equal(c.position, 0);

    const draft = expectStatus(await getDraft(base, admin.token, prog.slug), 200, 'draft');
    assert.ok(draft.draft_rev > rev0, 'adding assignments moves the draft revision');
    const m = draft.modules.find((x) => x.id === mod.id);
    // by position, then creation: a (0), c (0, made later), b (1)
    assert.deepEqual(m.assignments.map((x) => x.id), [a.id, c.id, b.id], 'the draft lists the module\'s assignments by position');
    const listed = m.assignments.find((x) => x.id === b.id);
    assert.deepEqual(listed, b, 'the draft shows the same JSON as the create answer');
  });

  test('every refusal is a 422 with its code, and nothing is stored', async () => {
    const before0 = await assignmentRows(mod.id);
    const bad = [
      ['no title', assignmentBody({ title: undefined }), 'invalid_field'],
      ['an empty title', assignmentBody({ title: '' }), 'invalid_title'],
      ['a title of 201 characters', assignmentBody({ title: 'x'.repeat(201) }), 'invalid_title'],
      ['no submission types', assignmentBody({ submission_types: [] }), 'invalid_submission_types'],
      ['an unknown submission type', assignmentBody({ submission_types: ['text', 'video'] }), 'invalid_submission_types'],
      ['submission types as a string', assignmentBody({ submission_types: 'text' }), 'invalid_submission_types'],
      ['max_score 0', assignmentBody({ max_score: 0, pass_score: 0 }), 'invalid_max_score'],
      ['max_score over 10000', assignmentBody({ max_score: 10001 }), 'invalid_max_score'],
      ['max_score as text', assignmentBody({ max_score: '100' }), 'invalid_score'],
      ['pass_score above max_score', assignmentBody({ pass_score: 101 }), 'invalid_pass_score'],
      ['a negative pass_score', assignmentBody({ pass_score: -1 }), 'invalid_pass_score'],
      ['a rubric that is an object', assignmentBody({ rubric: { title: 'x' } }), 'invalid_rubric'],
      ['a rubric whose best levels add up to less than max_score', assignmentBody({ rubric: rubricOf([[0, 40], [0, 50]]) }), 'invalid_rubric'],
      ['a rubric whose best levels add up to more than max_score', assignmentBody({ rubric: rubricOf([[0, 60], [0, 50]]) }), 'invalid_rubric'],
      ['an empty rubric', assignmentBody({ rubric: [] }), 'invalid_rubric'],
      ['a criterion without levels', assignmentBody({ rubric: [{ title: 'K1', levels: [] }] }), 'invalid_rubric'],
      ['a criterion without a title', assignmentBody({ rubric: [{ levels: [{ title: 'L', points: 100 }] }] }), 'invalid_rubric'],
      ['a criterion with an extra member', assignmentBody({ rubric: [{ title: 'K', levels: [{ title: 'L', points: 100 }], weight: 2 }] }), 'invalid_rubric'],
      ['negative points', assignmentBody({ rubric: [{ title: 'K', levels: [{ title: 'L', points: -5 }, { title: 'M', points: 100 }] }] }), 'invalid_rubric'],
      ['points as text', assignmentBody({ rubric: [{ title: 'K', levels: [{ title: 'L', points: '100' }] }] }), 'invalid_rubric'],
      ['21 criteria', assignmentBody({ max_score: 21, pass_score: 10, rubric: rubricOf(Array.from({ length: 21 }, () => [0, 1])) }), 'invalid_rubric'],
      ['11 levels', assignmentBody({ max_score: 10, pass_score: 5, rubric: rubricOf([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]) }), 'invalid_rubric'],
      ['a negative position', assignmentBody({ position: -1 }), 'invalid_position'],
      ['instructions over 64 KiB', assignmentBody({ instructions_md: 'a'.repeat(65537) }), 'invalid_instructions_md'],
      ['an unknown member', assignmentBody({ due_at: instantIn(3600) }), 'unknown_field'],
    ];
    for (const [what, json, code] of bad) expectError(await addAssignment(base, admin.token, mod.id, json), 422, code, what);
    assert.equal(await assignmentRows(mod.id), before0, 'no refused assignment was stored');
    // the edges that are allowed
    const edge = await newAssignment(base, admin.token, mod.id, {
      title: 'y'.repeat(200), max_score: 10000, pass_score: 10000, submission_types: ['file'],
      rubric: rubricOf(Array.from({ length: 20 }, () => [0, 500])),
    });
    assert.equal(edge.rubric.length, 20);
    const ten = await newAssignment(base, admin.token, mod.id, { max_score: 9, pass_score: 0, rubric: rubricOf([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]) });
    assert.equal(ten.rubric[0].levels.length, 10);
    assert.equal(await assignmentRows(mod.id), before0 + 2);
  });

  test('scores with decimals: max_score and pass_score keep two places; a rubric of decimal points adds up to a decimal max_score', async () => {
    const a = await newAssignment(base, admin.token, mod.id, { title: 'Desimal', max_score: 9.1, pass_score: 6.55 });
    assert.equal(Number(a.max_score), 9.1);
    assert.equal(Number(a.pass_score), 6.55);
    const r = await addAssignment(base, admin.token, mod.id, assignmentBody({ title: 'Rubrik desimal', max_score: 3.7, pass_score: 2, rubric: rubricOf([[0, 0.5, 1.5], [0, 1.1, 2.2]]) }));
    const b = expectStatus(r, 201, 'rubric 1.5 + 2.2 = 3.7');
    assert.equal(Number(b.max_score), 3.7);
    assert.deepEqual(b.rubric[1].levels.map((l) => l.points), [0, 1.1, 2.2], 'points come back as sent');
  });

  test('edited member by member (a rubric can be set and cleared), checked like a new one, and deleted', async () => {
    const a = await newAssignment(base, admin.token, mod.id, { title: 'Foto etalase', max_score: 20, pass_score: 10 });
    const t = expectStatus(await putAssignment(base, admin.token, a.id, { title: 'Foto etalase toko' }), 200, 'title');
    assert.deepEqual({ ...t, title: a.title }, a, 'only the title changed');
    const withRubric = expectStatus(await putAssignment(base, admin.token, a.id, { rubric: rubricOf([[0, 10], [0, 5, 10]]) }), 200, 'rubric');
    assert.equal(withRubric.rubric.length, 2);
    const rowBefore = await assignmentRow(a.id);
    const bad = [
      ['a rubric that no longer adds up', { max_score: 25 }, 'invalid_rubric'],
      ['pass_score above max_score', { pass_score: 21 }, 'invalid_pass_score'],
      ['an empty title', { title: '' }, 'invalid_title'],
      ['a bad type', { submission_types: ['pdf'] }, 'invalid_submission_types'],
      ['an unknown member', { module_id: 'elsewhere' }, 'unknown_field'],
    ];
    for (const [what, json, code] of bad) expectError(await putAssignment(base, admin.token, a.id, json), 422, code, what);
    assert.equal(await assignmentRow(a.id), rowBefore, 'refused edits changed nothing');
    const both = expectStatus(await putAssignment(base, admin.token, a.id, { max_score: 30, rubric: rubricOf([[0, 15], [0, 15]]) }), 200, 'max and rubric together');
    assert.equal(Number(both.max_score), 30);
    const cleared = expectStatus(await putAssignment(base, admin.token, a.id, { rubric: null }), 200, 'clear the rubric');
    assert.equal(cleared.rubric, null);
    assert.equal(await sql(server, `select rubric is null from assignments where id = ${lit(a.id)}`), 't');

    const d = await call(base, 'DELETE', `/api/v1/assignments/${a.id}`, { token: admin.token });
    assert.equal(d.status, 204, show(d));
    assert.equal(await sql(server, `select count(*) from assignments where id = ${lit(a.id)}`), '0');
    expectError(await delAssignment(base, admin.token, a.id), 404, 'not_found', 'deleted twice');
    expectError(await putAssignment(base, admin.token, a.id, { title: 'x' }), 404, 'not_found', 'edit a deleted one');
    const draft = expectStatus(await getDraft(base, admin.token, prog.slug), 200, 'draft');
    assert.ok(!draft.modules.flatMap((m) => m.assignments).some((x) => x.id === a.id), 'gone from the draft');
  });

  test('who may author: admins and instructors of the programme\'s cohorts; other instructors 404, participants 403, anonymous 401 — and nothing changes', async () => {
    const p = await programme(base, admin);
    const m = await newModule(base, admin.token, p.slug, 'Modul');
    const c = await cohortOf(base, admin, p.slug);
    const mine = await newInstructor(server);
    const other = await newInstructor(server);
    expectStatus(await addInstructor(base, admin.token, c.id, mine.id), 201, 'instructor');
    // "another instructor" instructs a cohort of another programme (issue 14:
    // an instructor of no cohort would not catch a check admitting any
    // cohort's instructor)
    const p2 = await programme(base, admin);
    const c2 = await cohortOf(base, admin, p2.slug);
    expectStatus(await addInstructor(base, admin.token, c2.id, other.id), 201, 'instructor of another cohort');
    const part = await newParticipant(base);

    const byInstructor = expectStatus(await addAssignment(base, mine.token, m.id, assignmentBody({ title: 'Oleh pengajar' })), 201, 'the cohort\'s instructor creates');
    expectStatus(await putAssignment(base, mine.token, byInstructor.id, { title: 'Diubah pengajar' }), 200, 'and edits');
    const n0 = await assignmentRows(m.id);
    const row0 = await assignmentRow(byInstructor.id);
    expectError(await addAssignment(base, other.token, m.id, assignmentBody()), 404, 'not_found', 'another instructor creates');
    expectError(await putAssignment(base, other.token, byInstructor.id, { title: 'Dibajak' }), 404, 'not_found', 'another instructor edits');
    expectError(await delAssignment(base, other.token, byInstructor.id), 404, 'not_found', 'another instructor deletes');
    expectError(await addAssignment(base, part.token, m.id, assignmentBody()), 403, 'forbidden', 'a participant creates');
    expectError(await putAssignment(base, part.token, byInstructor.id, { title: 'x' }), 403, 'forbidden', 'a participant edits');
    expectError(await delAssignment(base, part.token, byInstructor.id), 403, 'forbidden', 'a participant deletes');
    expectStatus(await addAssignment(base, undefined, m.id, assignmentBody()), 401, 'anonymous');
    expectError(await addAssignment(base, admin.token, 'nosuchmodule', assignmentBody()), 404, 'not_found', 'an unknown module');
    expectError(await putAssignment(base, admin.token, 'nosuchassignment', { title: 'x' }), 404, 'not_found', 'an unknown assignment');
    assert.equal(await assignmentRows(m.id), n0, 'nothing added');
    assert.equal(await assignmentRow(byInstructor.id), row0, 'nothing edited');
    assert.equal(JSON.parse(row0).title, 'Diubah pengajar');
    expectStatus(await delAssignment(base, mine.token, byInstructor.id), 204, 'the cohort\'s instructor deletes');
  });
});

// ----------------------------------------------------------- publishing ----

describe('publishing', () => {
  test('a version copies the assignments with their instructions rendered inert; later draft edits reach only the next version; the copy is immutable', async () => {
    const p = await programme(base, admin, { publish: false });
    const m = await newModule(base, admin.token, p.slug, 'Modul 1');
    const md = '## Tugas\n\nUnggah **video**. <script>alert(1)</script> <img src=x onerror=alert(2)> [klik](javascript:alert(3))';
    const a1 = await newAssignment(base, admin.token, m.id, { title: 'Tugas 1', instructions_md: md, rubric: rubricOf([[0, 60], [0, 40]]) });
    const a2 = await newAssignment(base, admin.token, m.id, { title: 'Tugas 2', required: false, submission_types: ['url'] });
    const v1 = await published(base, admin.token, p.slug);
    assert.equal(v1.version, 1);
    assert.equal(v1.assignments_total, 2, `the publish answer counts the assignments: ${JSON.stringify(v1)}`);
    const rows = await sql(server, `select assignment_id || '|' || title || '|' || ordinal from version_assignments where programme_id = ${lit(p.id)} and version = 1 order by ordinal`);
    assert.equal(rows, `${a1.id}|Tugas 1|1\n${a2.id}|Tugas 2|2`);

    const c1 = await cohortOf(base, admin, p.slug);
    const l = await learner(base, c1.id);
    const list = expectStatus(await listAssignments(base, l.token, c1.id), 200, 'list');
    assert.deepEqual(list.items.map((x) => x.id), [a1.id, a2.id]);
    const one = list.items[0];
    assert.deepEqual(Object.keys(one).sort(), COHORT_KEYS);
    assert.equal(one.title, 'Tugas 1');
    assert.deepEqual(one.rubric, a1.rubric);
    assert.match(one.instructions_html, /<h2>Tugas<\/h2>/);
    assert.match(one.instructions_html, /<strong>video<\/strong>/);
    assert.deepEqual(htmlProblems(one.instructions_html), [], `rendered inert: ${one.instructions_html}`);
    assert.ok(!('instructions_md' in one), 'participants get the HTML, not the Markdown');
    assert.equal(list.items[1].required, false);
    assert.deepEqual(list.items[1].submission_types, ['url']);

    // the draft moves on; the published version does not
    expectStatus(await putAssignment(base, admin.token, a1.id, { title: 'Tugas 1 (revisi)', instructions_md: 'Baru.' }), 200, 'edit');
    expectStatus(await delAssignment(base, admin.token, a2.id), 204, 'delete');
    const a3 = await newAssignment(base, admin.token, m.id, { title: 'Tugas 3' });
    const still = expectStatus(await listAssignments(base, l.token, c1.id), 200, 'list after draft edits');
    assert.deepEqual(still.items.map((x) => [x.id, x.title]), [[a1.id, 'Tugas 1'], [a2.id, 'Tugas 2']], 'the cohort keeps version 1 as published');
    const v2 = await published(base, admin.token, p.slug);
    assert.equal(v2.version, 2);
    assert.notEqual(v2.content_hash, v1.content_hash, 'the content hash covers assignments');
    const c2 = await cohortOf(base, admin, p.slug);
    const l2 = await learner(base, c2.id);
    const list2 = expectStatus(await listAssignments(base, l2.token, c2.id), 200, 'list v2');
    assert.deepEqual(list2.items.map((x) => [x.id, x.title]), [[a1.id, 'Tugas 1 (revisi)'], [a3.id, 'Tugas 3']]);
    assert.equal(list2.items[0].instructions_html, '<p>Baru.</p>\n');
    expectError(await getAssignment(base, l2.token, c2.id, a2.id), 404, 'not_found', 'an assignment not in the cohort\'s version');
    expectError(await getAssignment(base, l.token, c1.id, a3.id), 404, 'not_found', 'an assignment added after the cohort\'s version');

    // the database refuses to change a published copy
    const pid = lit(p.id);
    const snapshot = `select count(*) || ':' || md5(string_agg(version || assignment_id || title || instructions_html || max_score, ',' order by version, assignment_id)) from version_assignments where programme_id = ${pid}`;
    const before0 = await sql(server, snapshot);
    for (const stmt of [
      `update version_assignments set title = 'x' where programme_id = ${pid}`,
      `update version_assignments set instructions_html = '<script>alert(1)</script>' where programme_id = ${pid} and version = 1`,
      `update version_assignments set max_score = 1, pass_score = 0 where programme_id = ${pid}`,
      `delete from version_assignments where programme_id = ${pid} and version = 1`,
    ]) {
      await assert.rejects(sql(server, stmt), /immutable/i, `refused: ${stmt}`);
    }
    assert.equal(await sql(server, snapshot), before0, 'the published copies are unchanged');
  });
});

// ------------------------------------------------------------- schedule ----

describe('the schedule of a cohort', () => {
  let cr;
  let other; // instructor of another cohort of the same programme
  let a;

  before(async () => {
    cr = await classroom(server, admin, { assignments: [{ title: 'Tugas jadwal' }, { title: 'Tugas kedua' }], participants: 1 });
    a = cr.assignments[0];
    const c2 = await cohortOf(base, admin, cr.slug, { name: 'Angkatan lain' });
    other = await newInstructor(server);
    expectStatus(await addInstructor(base, admin.token, c2.id, other.id), 201, 'other instructor');
  });

  async function scheduleRow(aid) {
    return sql(server, `select coalesce(due_at::text, '-') || '|' || coalesce(cutoff_at::text, '-') from cohort_assignments where cohort_id = ${lit(cr.cohort.id)} and assignment_id = ${lit(aid)}`);
  }

  test('the cohort\'s instructor sets a due date and a cut-off (shown to participants), moves them, and clears them with null', async () => {
    const due = instantIn(7 * 86400);
    const cutoff = instantIn(9 * 86400);
    const r = expectStatus(await schedule(base, cr.instructor.token, cr.cohort.id, a.id, { due_at: due, cutoff_at: cutoff }), 200, 'set');
    assert.deepEqual(Object.keys(r).sort(), COHORT_KEYS);
    sameInstant(r.due_at, due, 'due_at');
    sameInstant(r.cutoff_at, cutoff, 'cutoff_at');
    const seen = expectStatus(await getAssignment(base, cr.people[0].token, cr.cohort.id, a.id), 200, 'participant reads');
    sameInstant(seen.due_at, due, 'participant sees due_at');
    sameInstant(seen.cutoff_at, cutoff, 'participant sees cutoff_at');
    const other2 = expectStatus(await getAssignment(base, cr.people[0].token, cr.cohort.id, cr.assignments[1].id), 200, 'the other assignment');
    assert.equal(other2.due_at, null, 'a schedule belongs to one assignment');

    const onlyDue = expectStatus(await schedule(base, admin.token, cr.cohort.id, a.id, { due_at: instantIn(3 * 86400) }), 200, 'an admin moves it, no cut-off');
    assert.equal(onlyDue.cutoff_at, null, 'no cutoff_at member: no cut-off');
    const equal = instantIn(5 * 86400);
    const same = expectStatus(await schedule(base, cr.instructor.token, cr.cohort.id, a.id, { due_at: equal, cutoff_at: equal }), 200, 'cut-off equal to the due date');
    sameInstant(same.cutoff_at, equal, 'equal cut-off');
    const cleared = expectStatus(await schedule(base, cr.instructor.token, cr.cohort.id, a.id, { due_at: null, cutoff_at: null }), 200, 'clear');
    assert.equal(cleared.due_at, null);
    assert.equal(cleared.cutoff_at, null);
    assert.equal(await scheduleRow(a.id), '-|-');
    const tree = expectStatus(await learnModules(base, cr.people[0].token, cr.cohort.id), 200, 'tree');
    assert.equal(tree.modules[0].assignments.find((x) => x.id === a.id).due_at, null);
  });

  test('refusals: a cut-off before the due date or without one (422 invalid_cutoff), bad times (422 invalid_time), bad bodies — nothing changes', async () => {
    const due = instantIn(4 * 86400);
    await scheduleIn(base, cr.instructor.token, cr.cohort.id, a.id, 4 * 86400, 6 * 86400);
    const before0 = await scheduleRow(a.id);
    const bad = [
      ['a cut-off before the due date', { due_at: due, cutoff_at: instantIn(86400) }, 'invalid_cutoff'],
      ['a cut-off without a due date', { due_at: null, cutoff_at: instantIn(86400) }, 'invalid_cutoff'],
      ['a date that is not one', { due_at: '2026-13-45T99:00:00Z' }, 'invalid_time'],
      ['words', { due_at: 'next friday' }, 'invalid_time'],
      ['a word PostgreSQL would take', { due_at: 'tomorrow' }, 'invalid_time'],
      ['infinity', { due_at: 'infinity' }, 'invalid_time'],
      ['a time without a zone', { due_at: '2026-12-01T10:00:00' }, 'invalid_time'],
      ['a number', { due_at: 1767225600 }, 'invalid_time'],
      ['a cut-off that is not a time', { due_at: due, cutoff_at: 'soon' }, 'invalid_time'],
      ['no due_at member', { cutoff_at: instantIn(86400) }, 'invalid_field'],
      ['an unknown member', { due_at: due, released: true }, 'unknown_field'],
    ];
    for (const [what, json, code] of bad) expectError(await schedule(base, cr.instructor.token, cr.cohort.id, a.id, json), 422, code, what);
    assert.equal(await scheduleRow(a.id), before0, 'the schedule is unchanged');
  });

  test('who may schedule: the cohort\'s instructor and admins; another cohort\'s instructor 404, participants 403, anonymous 401; unknown ids 404', async () => {
    const before0 = await scheduleRow(a.id);
    const json = { due_at: instantIn(86400) };
    expectError(await schedule(base, other.token, cr.cohort.id, a.id, json), 404, 'not_found', 'instructor of another cohort');
    expectError(await schedule(base, cr.people[0].token, cr.cohort.id, a.id, json), 403, 'forbidden', 'participant');
    expectStatus(await schedule(base, undefined, cr.cohort.id, a.id, json), 401, 'anonymous');
    expectError(await schedule(base, admin.token, cr.cohort.id, 'nosuchassignment', json), 404, 'not_found', 'unknown assignment');
    expectError(await schedule(base, admin.token, 'nosuchcohort', a.id, json), 404, 'not_found', 'unknown cohort');
    assert.equal(await scheduleRow(a.id), before0, 'nothing changed');
    assert.equal(await sql(server, `select count(*) from cohort_assignments where cohort_id = 'nosuchcohort'`), '0');
  });
});

// -------------------------------------------------------------- reading ----

describe('reading a cohort\'s assignments', () => {
  let cr;
  let B; // another cohort of the same programme
  let pb;
  let pw; // waitlisted in the classroom's cohort
  let ib;
  let stranger;

  before(async () => {
    cr = await classroom(server, admin, { assignments: [{ title: 'Baca 1' }, { title: 'Baca 2', submission_types: ['url'] }], participants: 2, seats: 2 });
    pw = await learner(base, cr.cohort.id, { status: 'waitlisted' });
    B = await cohortOf(base, admin, cr.slug, { name: 'Angkatan B' });
    pb = await learner(base, B.id);
    ib = await newInstructor(server);
    expectStatus(await addInstructor(base, admin.token, B.id, ib.id), 201, 'instructor of B');
    stranger = await newParticipant(base);
  });

  test('confirmed participants see the list and each assignment with their own latest submission; staff see it with my_submission null', async () => {
    const [p1, p2] = cr.people;
    const [a1, a2] = cr.assignments;
    const empty = expectStatus(await getAssignment(base, p1.token, cr.cohort.id, a1.id), 200, 'before submitting');
    assert.equal(empty.my_submission, null);
    assert.equal(empty.grades_released, false);
    await submitted(base, p1.token, cr.cohort.id, a1.id, { text: 'versi 1' });
    const v2 = await submitted(base, p1.token, cr.cohort.id, a1.id, { text: 'versi 2' });
    await submitted(base, p2.token, cr.cohort.id, a1.id, { text: 'milik p2' });
    const mine = expectStatus(await getAssignment(base, p1.token, cr.cohort.id, a1.id), 200, 'p1');
    assert.equal(mine.my_submission.id, v2.id, 'the latest version');
    assert.equal(mine.my_submission.version, 2);
    assert.equal(mine.my_submission.text, 'versi 2');
    assert.equal(mine.my_submission.user.id, p1.id, 'only the caller\'s own');
    const list = expectStatus(await listAssignments(base, p1.token, cr.cohort.id), 200, 'p1 list');
    assert.deepEqual(list.items.map((x) => x.id), [a1.id, a2.id]);
    assert.equal(list.items[0].my_submission.id, v2.id);
    assert.equal(list.items[1].my_submission, null);
    for (const [who, u] of [['instructor', cr.instructor], ['admin', admin]]) {
      const s = expectStatus(await getAssignment(base, u.token, cr.cohort.id, a1.id), 200, who);
      assert.equal(s.my_submission, null, `${who}: no my_submission`);
      assert.equal(expectStatus(await listAssignments(base, u.token, cr.cohort.id), 200, `${who} list`).items.length, 2);
    }
  });

  test('the module tree and the progress summary list the assignments with the caller\'s status', async () => {
    const [p1] = cr.people;
    const tree = expectStatus(await learnModules(base, p1.token, cr.cohort.id), 200, 'tree');
    const items = tree.modules.flatMap((m) => m.assignments);
    assert.deepEqual(items.map((x) => x.id), cr.assignments.map((x) => x.id));
    assert.equal(items[0].status, 'submitted');
    assert.ok(items[1].status === null || items[1].status === 'missing', `nothing handed in: ${items[1].status}`);
    assert.equal(items[0].title, 'Baca 1');
    const prog = expectStatus(await progress(base, p1.token, cr.cohort.id), 200, 'progress');
    assert.deepEqual(prog.assignments.map((x) => [x.id, x.status]), [[cr.assignments[0].id, 'submitted'], [cr.assignments[1].id, 'missing']]);
    for (const s of prog.assignments) {
      assert.equal(s.score, null, 'no score before a release');
      assert.equal(s.passed, null);
      assert.equal(s.released, false);
      assert.equal(s.late === true, false);
    }
    assert.equal(prog.assignments[0].version, 2, 'the latest version counts');
  });

  test('everyone else gets 404 — waitlisted, another cohort\'s participant or instructor, a stranger — the same as an unknown id; anonymous 401', async () => {
    const a1 = cr.assignments[0];
    const unknown = await getAssignment(base, cr.people[0].token, cr.cohort.id, 'nosuchassignment');
    expectError(unknown, 404, 'not_found', 'unknown assignment');
    expectError(await listAssignments(base, cr.people[0].token, 'nosuchcohort'), 404, 'not_found', 'unknown cohort');
    for (const [who, u] of [['waitlisted', pw], ['participant of B', pb], ['instructor of B', ib], ['stranger', stranger]]) {
      const one = await getAssignment(base, u.token, cr.cohort.id, a1.id);
      expectError(one, 404, 'not_found', `${who}: one`);
      assert.equal(one.text, unknown.text, `${who}: the same answer as an unknown id`);
      expectError(await listAssignments(base, u.token, cr.cohort.id), 404, 'not_found', `${who}: list`);
    }
    expectStatus(await getAssignment(base, undefined, cr.cohort.id, a1.id), 401, 'anonymous one');
    expectStatus(await listAssignments(base, undefined, cr.cohort.id), 401, 'anonymous list');
    // B's own people read B
    expectStatus(await listAssignments(base, pb.token, B.id), 200, 'participant of B reads B');
    expectStatus(await getAssignment(base, ib.token, B.id, a1.id), 200, 'instructor of B reads B');
  });
});
