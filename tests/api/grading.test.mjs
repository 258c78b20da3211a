// Grading (issue 6; API.md "Assignments and grading"; SECURITY.md cases 7
// and 8): the queue of latest ungraded work, oldest first; a grade's range
// (422 score_out_of_range with its bounds); rubric choices that compute the
// score; regrades that keep history; a grade for a version that is no
// longer the latest (409 submission_changed) and a resubmission after
// grading (409 already_graded); grades hidden from participants on every
// read path until released by assignment or by cohort; the gradebook for
// staff only, as JSON and as CSV that a spreadsheet reads back exactly
// (commas, quotes, line breaks, formulas defused); and nobody grading or
// reading outside their cohort, with nothing changed in the database.
import { test, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/harness.mjs';
import { call, show, sql, lit, newAdmin } from './lib/accounts.mjs';
import { addInstructor, newInstructor, instantIn, parseCsv } from './lib/cohorts.mjs';
import {
  expectStatus, expectError, cohortOf, learnModules, progress, complete, createSession, openCheckin, checkin,
} from './lib/content.mjs';
import {
  classroom, rubricOf, scheduleIn, submit, submitted, getSubmission, listSubmissions, getAssignment, listAssignments, gradingQueue, grade,
  gradeHistory, release, gradebook,
} from './lib/assignments.mjs';

let server;
let base;
let admin;

before(async () => {
  server = await startServer();
  base = server.url;
  admin = await newAdmin(server);
});

const RUBRIC = rubricOf([[0, 2, 4], [0, 3, 6]]); // max 10

async function count(table, where) {
  return Number(await sql(server, `select count(*) from ${table} where ${where}`));
}
const gradesOf = (sid) => count('grades', `submission_id = ${lit(sid)}`);

// A cohort of another programme with its own instructor and one graded-able
// submission: the outsider's view of the classroom under test.
async function outsider() {
  const o = await classroom(server, admin, { assignments: [{ title: 'Kelas lain' }], participants: 1 });
  const s = await submitted(base, o.people[0].token, o.cohort.id, o.assignments[0].id, { text: 'di kelas lain' });
  return { ...o, submission: s };
}

// --------------------------------------------------------------- queue ----

describe('the grading queue', () => {
  test('the latest ungraded version of each participant\'s work, oldest first; by assignment; limited; graded work leaves it', async () => {
    const c = await classroom(server, admin, { assignments: [{ title: 'Tugas A' }, { title: 'Tugas R', max_score: 10, pass_score: 6, rubric: RUBRIC }], participants: 3 });
    const [A, R] = c.assignments;
    const [p1, p2, p3] = c.people;
    const empty = expectStatus(await gradingQueue(base, c.instructor.token, c.cohort.id), 200, 'empty queue');
    assert.deepEqual(empty.items, []);
    const s1 = await submitted(base, p1.token, c.cohort.id, A.id, { text: 'p1 v1' });
    const s2 = await submitted(base, p2.token, c.cohort.id, A.id, { text: 'p2 v1' });
    const s3 = await submitted(base, p3.token, c.cohort.id, R.id, { text: 'p3 rubrik' });
    const s1b = await submitted(base, p1.token, c.cohort.id, A.id, { text: 'p1 v2' });
    const q = expectStatus(await gradingQueue(base, c.instructor.token, c.cohort.id), 200, 'queue');
    assert.deepEqual(q.items.map((x) => x.id), [s2.id, s3.id, s1b.id], 'oldest first, only the latest version of each');
    assert.ok(!q.items.some((x) => x.id === s1.id), 'the replaced version is not in the queue');
    const first = q.items[0];
    assert.equal(first.assignment_title, 'Tugas A');
    assert.equal(Number(first.max_score), 100);
    assert.equal(first.text, 'p2 v1');
    assert.equal(first.user.id, p2.id);
    assert.deepEqual(q.items[1].rubric, RUBRIC, 'the rubric comes with the work to grade');
    const times = q.items.map((x) => Date.parse(x.submitted_at));
    assert.deepEqual([...times].sort((a, b) => a - b), times, 'submitted_at ascending');
    const onlyA = expectStatus(await gradingQueue(base, c.instructor.token, c.cohort.id, { assignment_id: A.id }), 200, 'by assignment');
    assert.deepEqual(onlyA.items.map((x) => x.id), [s2.id, s1b.id]);
    const one = expectStatus(await gradingQueue(base, admin.token, c.cohort.id, { limit: 1 }), 200, 'limit 1 (admin)');
    assert.deepEqual(one.items.map((x) => x.id), [s2.id]);
    for (const limit of ['0', '201', 'x', '-1']) expectError(await gradingQueue(base, c.instructor.token, c.cohort.id, { limit }), 422, 'invalid_limit', `limit ${limit}`);
    expectStatus(await grade(base, c.instructor.token, s2.id, { score: 75 }), 200, 'grade p2');
    const after = expectStatus(await gradingQueue(base, c.instructor.token, c.cohort.id), 200, 'after grading');
    assert.deepEqual(after.items.map((x) => x.id), [s3.id, s1b.id], 'graded work leaves the queue');
  });
});

// -------------------------------------------------------------- grades ----

describe('a grade', () => {
  let c;
  let A; // max 100, pass 70
  let R; // rubric, max 10

  before(async () => {
    c = await classroom(server, admin, { assignments: [{ title: 'Nilai A' }, { title: 'Nilai R', max_score: 10, pass_score: 6, rubric: RUBRIC }], participants: 4 });
    [A, R] = c.assignments;
  });

  test('out of range is 422 score_out_of_range with details {min, max}; bad bodies are 422; nothing is stored; 0 and max_score are allowed', async () => {
    const s = await submitted(base, c.people[0].token, c.cohort.id, A.id);
    for (const score of [-1, -0.01, 100.01, 101, 1e9]) {
      const r = await grade(base, c.instructor.token, s.id, { score });
      expectError(r, 422, 'score_out_of_range', `score ${score}`);
      assert.deepEqual({ min: Number(r.json.error.details.min), max: Number(r.json.error.details.max) }, { min: 0, max: 100 }, `details of ${score}: ${show(r)}`);
    }
    const bad = [
      ['no score', { feedback_md: 'tanpa nilai' }, 'score_required'],
      ['a null score', { score: null }, 'score_required'],
      ['a score as text', { score: '80' }, 'invalid_grade'],
      ['rubric choices without a rubric', { score: 80, rubric: [0] }, 'invalid_rubric_choice'],
      ['an unknown member', { score: 80, released: true }, 'unknown_field'],
      ['feedback over 64 KiB', { score: 80, feedback_md: 'x'.repeat(65537) }, 'invalid_feedback_md'],
    ];
    for (const [what, json, code] of bad) expectError(await grade(base, c.instructor.token, s.id, json), 422, code, what);
    assert.equal(await gradesOf(s.id), 0, 'no grade stored');
    for (const score of [0, 100, 99.5, 0.25]) {
      const g = expectStatus(await grade(base, c.instructor.token, s.id, { score }), 200, `score ${score}`);
      assert.equal(Number(g.grade.score), score);
      assert.equal(g.grade.passed, score >= 70);
    }
    assert.equal(await gradesOf(s.id), 4);
  });

  test('a score with one or two decimals inside the range is taken as given', async () => {
    const s = await submitted(base, c.people[3].token, c.cohort.id, A.id);
    for (const score of [9.1, 8.3, 72.35]) {
      const g = expectStatus(await grade(base, c.instructor.token, s.id, { score }), 200, `score ${score}`);
      assert.equal(Number(g.grade.score), score);
    }
  });

  test('with a rubric the score is computed from one level per criterion; missing, wrong or contradicting choices are refused', async () => {
    const s = await submitted(base, c.people[1].token, c.cohort.id, R.id);
    const g = expectStatus(await grade(base, c.instructor.token, s.id, { rubric: [2, 1], feedback_md: 'Rapi.' }), 200, 'choices only');
    assert.equal(Number(g.grade.score), 4 + 3, 'the best of K1 (4) and the middle of K2 (3)');
    assert.deepEqual(g.grade.rubric, [2, 1]);
    assert.equal(g.grade.passed, true, '7 >= 6');
    const agree = expectStatus(await grade(base, c.instructor.token, s.id, { score: 2, rubric: [1, 0] }), 200, 'a score that agrees');
    assert.equal(Number(agree.grade.score), 2);
    assert.equal(agree.grade.passed, false);
    const top = expectStatus(await grade(base, c.instructor.token, s.id, { rubric: [2, 2] }), 200, 'all best');
    assert.equal(Number(top.grade.score), 10);
    const n0 = await gradesOf(s.id);
    const bad = [
      ['a score without choices', { score: 7 }, 'rubric_required'],
      ['nothing', {}, 'rubric_required'],
      ['a score that contradicts the choices', { score: 8, rubric: [2, 1] }, 'score_mismatch'],
      ['a level that does not exist', { rubric: [3, 0] }, 'invalid_rubric_choice'],
      ['too few choices', { rubric: [1] }, 'invalid_rubric_choice'],
      ['too many choices', { rubric: [1, 1, 1] }, 'invalid_rubric_choice'],
      ['no choices at all', { rubric: [] }, 'invalid_rubric_choice'],
      ['a negative level', { rubric: [-1, 0] }, 'invalid_grade'],
      ['a fractional level', { rubric: [1.5, 0] }, 'invalid_grade'],
      ['a level as text', { rubric: ['1', 0] }, 'invalid_grade'],
      ['choices as an object', { rubric: { K1: 1 } }, 'invalid_grade'],
    ];
    for (const [what, json, code] of bad) expectError(await grade(base, c.instructor.token, s.id, json), 422, code, what);
    assert.equal(await gradesOf(s.id), n0, 'refused grades stored nothing');
    const latest = expectStatus(await getSubmission(base, c.instructor.token, s.id), 200, 'read back');
    assert.equal(Number(latest.grade.score), 10, 'the last accepted grade counts');
  });

  test('regrading keeps history: every grade, newest first, with its grader; the newest counts', async () => {
    const s = await submitted(base, c.people[2].token, c.cohort.id, A.id);
    expectStatus(await grade(base, c.instructor.token, s.id, { score: 60, feedback_md: 'Perlu *perbaikan*.' }), 200, 'first');
    expectStatus(await grade(base, admin.token, s.id, { score: 85, feedback_md: 'Sudah **baik**.' }), 200, 'regrade by an admin');
    const h = expectStatus(await gradeHistory(base, c.instructor.token, s.id), 200, 'history');
    assert.deepEqual(h.items.map((x) => [Number(x.score), x.feedback_md, x.grader.id]), [
      [85, 'Sudah **baik**.', admin.id],
      [60, 'Perlu *perbaikan*.', c.instructor.id],
    ]);
    assert.ok(Date.parse(h.items[0].graded_at) >= Date.parse(h.items[1].graded_at));
    const now = expectStatus(await getSubmission(base, c.instructor.token, s.id), 200, 'read');
    assert.equal(Number(now.grade.score), 85);
    assert.equal(now.grade.feedback_html, '<p>Sudah <strong>baik</strong>.</p>\n');
    assert.equal(await gradesOf(s.id), 2, 'two rows, none overwritten');
    expectStatus(await gradeHistory(base, c.people[2].token, s.id), 403, 'participants do not read the history');
    const empty = await submitted(base, c.people[3].token, c.cohort.id, R.id);
    assert.deepEqual(expectStatus(await gradeHistory(base, admin.token, empty.id), 200, 'ungraded').items, []);
  });

  test('409 submission_changed: a grade for a version the participant has replaced is refused, never moved to the new one', async () => {
    const p = c.people[3];
    const v1 = await submitted(base, p.token, c.cohort.id, R.id, { text: 'versi lama' });
    const v2 = await submitted(base, p.token, c.cohort.id, R.id, { text: 'versi baru' });
    expectError(await grade(base, c.instructor.token, v1.id, { rubric: [2, 2] }), 409, 'submission_changed', 'grade v1');
    assert.equal(await gradesOf(v1.id), 0, 'no grade on the old version');
    assert.equal(await gradesOf(v2.id), 0, 'nor on the new one');
    const g = expectStatus(await grade(base, c.instructor.token, v2.id, { rubric: [1, 1] }), 200, 'grade v2');
    assert.equal(g.id, v2.id);
    assert.equal(g.version, v1.version + 1);
  });

  test('409 already_graded: once the latest version is graded the participant cannot hand in again', async () => {
    const p = c.people[0];
    const s = await submitted(base, p.token, c.cohort.id, R.id, { text: 'final' });
    expectStatus(await grade(base, c.instructor.token, s.id, { rubric: [0, 0] }), 200, 'graded');
    const n0 = await count('submissions', `user_id = ${lit(p.id)}`);
    expectError(await submit(base, p.token, c.cohort.id, R.id, { text: 'revisi' }), 409, 'already_graded', 'resubmit');
    assert.equal(await count('submissions', `user_id = ${lit(p.id)}`), n0, 'no new version');
  });
});

// ------------------------------------------------------ hidden grades ----

describe('grades stay hidden from participants until released', () => {
  let c;
  let X;
  let Y;
  let p; // graded on X (pass) and Y (fail)
  let q; // graded on X (fail)
  let sPX;
  let sPY;
  let sQX;
  const SECRET = 'Umpan-balik-rahasia-7f3a';
  // The feedback of one submission carries a mark of its own (letters and
  // digits only, so that Markdown keeps it as it is).
  const mark = (s) => `${SECRET}${s.id.replace(/[^A-Za-z0-9]/g, '')}`;

  // Every read path a participant has, checked for the grade of `s` on `a`:
  // visible (score, passed, feedback) or hidden (null, and the feedback text
  // nowhere in the answer).
  async function seenBy(who, a, s, { visible, score, passed }) {
    const texts = [];
    const one = await getSubmission(base, who.token, s.id);
    const list = await listSubmissions(base, who.token, c.cohort.id, a.id);
    const detail = await getAssignment(base, who.token, c.cohort.id, a.id);
    const all = await listAssignments(base, who.token, c.cohort.id);
    const prog = await progress(base, who.token, c.cohort.id);
    const tree = await learnModules(base, who.token, c.cohort.id);
    for (const [what, r] of [['submission', one], ['list', list], ['assignment', detail], ['assignments', all], ['progress', prog], ['modules', tree]]) {
      expectStatus(r, 200, what);
      texts.push([what, r.text]);
    }
    const grades = [
      ['the submission', one.json.grade],
      ['the list', list.json.items.find((x) => x.id === s.id).grade],
      ['my_submission', detail.json.my_submission.grade],
      ['the assignment list', all.json.items.find((x) => x.id === a.id).my_submission.grade],
    ];
    const standing = prog.json.assignments.find((x) => x.id === a.id);
    if (!visible) {
      for (const [what, g] of grades) assert.equal(g, null, `${what}: no grade before the release`);
      assert.equal(standing.score, null, 'progress: no score');
      assert.equal(standing.passed, null, 'progress: no passed');
      assert.equal(standing.released, false);
      assert.equal(detail.json.grades_released, false);
      for (const [what, t] of texts) assert.ok(!t.includes(mark(s)), `${what}: the feedback is nowhere in the answer`);
    } else {
      for (const [what, g] of grades) {
        assert.ok(g, `${what}: the grade after the release`);
        assert.equal(Number(g.score), score, `${what}: score`);
        assert.equal(g.passed, passed, `${what}: passed`);
        assert.ok(g.feedback_html.includes(mark(s)), `${what}: feedback ${g.feedback_html}`);
      }
      assert.equal(Number(standing.score), score, 'progress: score');
      assert.equal(standing.passed, passed, 'progress: passed');
      assert.equal(standing.released, true);
      assert.equal(detail.json.grades_released, true);
    }
    assert.equal(standing.status, 'graded', 'the status says graded either way');
    const inTree = tree.json.modules.flatMap((m) => m.assignments).find((x) => x.id === a.id);
    assert.ok(!('score' in inTree) && !('grade' in inTree), 'the module tree carries no score');
  }

  before(async () => {
    c = await classroom(server, admin, { assignments: [{ title: 'Tugas X' }, { title: 'Tugas Y', max_score: 50, pass_score: 25 }], participants: 2 });
    [X, Y] = c.assignments;
    [p, q] = c.people;
    sPX = await submitted(base, p.token, c.cohort.id, X.id);
    sPY = await submitted(base, p.token, c.cohort.id, Y.id);
    sQX = await submitted(base, q.token, c.cohort.id, X.id);
    expectStatus(await grade(base, c.instructor.token, sPX.id, { score: 90, feedback_md: `Hebat. ${mark(sPX)}` }), 200, 'p X');
    expectStatus(await grade(base, c.instructor.token, sPY.id, { score: 20, feedback_md: `Kurang. ${mark(sPY)}` }), 200, 'p Y');
    expectStatus(await grade(base, c.instructor.token, sQX.id, { score: 50, feedback_md: `Cukup. ${mark(sQX)}` }), 200, 'q X');
  });

  test('before any release: no score, no passed, no feedback on any read path of the participant; staff see them', async () => {
    await seenBy(p, X, sPX, { visible: false });
    await seenBy(p, Y, sPY, { visible: false });
    await seenBy(q, X, sQX, { visible: false });
    const staff = expectStatus(await getSubmission(base, c.instructor.token, sPX.id), 200, 'staff');
    assert.equal(Number(staff.grade.score), 90, 'staff see the grade');
    const staffList = expectStatus(await listSubmissions(base, c.instructor.token, c.cohort.id, X.id), 200, 'staff list');
    assert.deepEqual(staffList.items.map((x) => Number(x.grade.score)).sort((a, b) => a - b), [50, 90]);
  });

  test('the gradebook is for staff only and shows the scores before the release; participants are refused', async () => {
    for (const [fmt, what] of [[undefined, 'JSON'], ['csv', 'CSV']]) {
      const r = await gradebook(base, p.token, c.cohort.id, fmt);
      expectError(r, 403, 'forbidden', `participant ${what}`);
      assert.ok(!r.text.includes('90'), 'no score in the refusal');
    }
    const book = expectStatus(await gradebook(base, c.instructor.token, c.cohort.id), 200, 'staff gradebook');
    const row = book.rows.find((x) => x.user.id === p.id);
    assert.deepEqual(row.assignments.map((x) => [x.id, Number(x.score), x.passed, x.released]), [[X.id, 90, true, false], [Y.id, 20, false, false]]);
  });

  test('released by assignment: {released: n}; that assignment\'s grades appear on every path, the other stays hidden; releasing again counts 0', async () => {
    const r = expectStatus(await release(base, c.instructor.token, c.cohort.id, { assignment_id: X.id }), 200, 'release X');
    assert.deepEqual(r, { released: 2 }, 'p\'s and q\'s grades on X');
    await seenBy(p, X, sPX, { visible: true, score: 90, passed: true });
    await seenBy(q, X, sQX, { visible: true, score: 50, passed: false });
    await seenBy(p, Y, sPY, { visible: false });
    assert.deepEqual(expectStatus(await release(base, c.instructor.token, c.cohort.id, { assignment_id: X.id }), 200, 'again'), { released: 0 });
    const row = await sql(server, `select released_by from cohort_assignments where cohort_id = ${lit(c.cohort.id)} and assignment_id = ${lit(X.id)} and released_at is not null`);
    assert.equal(row, c.instructor.id, 'who released is recorded');
  });

  test('released by cohort: every remaining grade appears; a later regrade of released work is visible at once', async () => {
    const r = expectStatus(await release(base, admin.token, c.cohort.id), 200, 'release all');
    assert.deepEqual(r, { released: 1 }, 'only p\'s grade on Y was still hidden');
    await seenBy(p, Y, sPY, { visible: true, score: 20, passed: false });
    expectStatus(await grade(base, c.instructor.token, sPY.id, { score: 30, feedback_md: `Direvisi. ${mark(sPY)}` }), 200, 'regrade');
    await seenBy(p, Y, sPY, { visible: true, score: 30, passed: true });
  });

  test('release refusals: another cohort\'s instructor and unknown ids 404, participants 403 — nothing released', async () => {
    const fresh = await classroom(server, admin, { assignments: [{ title: 'Belum rilis' }], participants: 1 });
    const s = await submitted(base, fresh.people[0].token, fresh.cohort.id, fresh.assignments[0].id);
    expectStatus(await grade(base, fresh.instructor.token, s.id, { score: 88, feedback_md: SECRET }), 200, 'graded');
    expectError(await release(base, c.instructor.token, fresh.cohort.id), 404, 'not_found', 'another cohort\'s instructor, whole cohort');
    expectError(await release(base, c.instructor.token, fresh.cohort.id, { assignment_id: fresh.assignments[0].id }), 404, 'not_found', 'another cohort\'s instructor, by assignment');
    expectError(await release(base, fresh.people[0].token, fresh.cohort.id), 403, 'forbidden', 'the participant');
    expectError(await release(base, admin.token, fresh.cohort.id, { assignment_id: 'nosuchassignment' }), 404, 'not_found', 'unknown assignment');
    expectError(await release(base, admin.token, fresh.cohort.id, { assignment_id: X.id }), 404, 'not_found', 'an assignment of another programme');
    expectError(await release(base, admin.token, 'nosuchcohort'), 404, 'not_found', 'unknown cohort');
    expectError(await release(base, admin.token, fresh.cohort.id, { assignment_id: fresh.assignments[0].id, score: 1 }), 422, 'unknown_field', 'an unknown member');
    assert.equal(await count('cohort_assignments', `cohort_id = ${lit(fresh.cohort.id)} and released_at is not null`), 0, 'nothing released');
    const mine = expectStatus(await getSubmission(base, fresh.people[0].token, s.id), 200, 'participant');
    assert.equal(mine.grade, null, 'still hidden');
  });
});

// -------------------------------------------------------- authorization ----

describe('nobody grades or reads outside their cohort (SECURITY 7, 8)', () => {
  test('an instructor of cohort X grading cohort Y gets 404 on every grading call, and nothing changes in the database', async () => {
    const y = await outsider();
    const x = await classroom(server, admin, { assignments: [{ title: 'Kelas X' }], participants: 0 });
    const ix = x.instructor;
    const snapshot = () => sql(server, `select (select count(*) from grades) || '|' || (select count(*) from cohort_assignments where released_at is not null) || '|' || (select count(*) from audit_log where action in ('submission.graded', 'grades.released'))`);
    const before0 = await snapshot();
    const unknown = await grade(base, ix.token, 'nosuchsubmission', { score: 1 });
    expectError(unknown, 404, 'not_found', 'unknown submission');
    const g = await grade(base, ix.token, y.submission.id, { score: 100, feedback_md: 'dibajak' });
    expectError(g, 404, 'not_found', 'grade Y\'s work');
    assert.equal(g.text, unknown.text, 'the same answer as an unknown id');
    expectError(await gradeHistory(base, ix.token, y.submission.id), 404, 'not_found', 'history');
    expectError(await gradingQueue(base, ix.token, y.cohort.id), 404, 'not_found', 'queue');
    expectError(await gradebook(base, ix.token, y.cohort.id), 404, 'not_found', 'gradebook');
    expectError(await gradebook(base, ix.token, y.cohort.id, 'csv'), 404, 'not_found', 'gradebook CSV');
    expectError(await release(base, ix.token, y.cohort.id), 404, 'not_found', 'release');
    expectError(await getSubmission(base, ix.token, y.submission.id), 404, 'not_found', 'read the submission');
    expectError(await listSubmissions(base, ix.token, y.cohort.id, y.assignments[0].id), 404, 'not_found', 'list');
    assert.equal(await snapshot(), before0, 'no grade, no release, no audit entry');
    assert.equal(await gradesOf(y.submission.id), 0);
    // Y's own instructor can
    expectStatus(await grade(base, y.instructor.token, y.submission.id, { score: 70 }), 200, 'Y\'s instructor grades');
  });

  test('a participant sending score (or grade, status, late, version) in a submission gets 422 unknown_field, and grading their own work is 403 — nothing changes', async () => {
    const c = await classroom(server, admin, { assignments: [{ title: 'Nilai sendiri' }], participants: 1 });
    const [p] = c.people;
    const s = await submitted(base, p.token, c.cohort.id, c.assignments[0].id, { text: 'jujur' });
    const snapshot = () => sql(server, `select (select count(*) from submissions where user_id = ${lit(p.id)}) || '|' || (select count(*) from grades g join submissions s on s.id = g.submission_id where s.user_id = ${lit(p.id)}) || '|' || (select string_agg(version || ':' || late || ':' || coalesce(body_text, ''), ',') from submissions where user_id = ${lit(p.id)})`);
    const before0 = await snapshot();
    for (const extra of [{ score: 100 }, { grade: { score: 100 } }, { status: 'graded' }, { late: false }, { version: 9 }, { released: true }]) {
      expectError(await submit(base, p.token, c.cohort.id, c.assignments[0].id, { text: 'nilai saya 100', ...extra }), 422, 'unknown_field', JSON.stringify(extra));
    }
    expectError(await grade(base, p.token, s.id, { score: 100 }), 403, 'forbidden', 'the participant grades their own work');
    expectError(await gradingQueue(base, p.token, c.cohort.id), 403, 'forbidden', 'the participant reads the queue');
    assert.equal(await snapshot(), before0, 'nothing changed');
    const mine = expectStatus(await getSubmission(base, p.token, s.id), 200, 'read');
    assert.equal(mine.grade, null);
    assert.equal(mine.status, 'submitted');
  });
});

// ------------------------------------------------------------ gradebook ----

describe('the gradebook', () => {
  // Awkward names and titles: a spreadsheet must read each back as one cell.
  const NAMES = ['Siti, S.Kom', 'Budi "Jago" Santoso', 'Ani\nBaris Dua', '=HYPERLINK("http://evil.example","klik")', '+62 812', '@SUM(A1)', '-Dewi'];
  const TITLES = ['Caption, dan tagar', 'Video "30 detik"', 'Rencana\nkonten', '=1+1'];
  let c;
  let book;
  let csvText;

  // What a cell holds once csv.c defuses a formula: a leading ' before = + - @.
  const defused = (s) => (/^[=+\-@]/.test(s) ? `'${s}` : s);

  before(async () => {
    c = await classroom(server, admin, {
      assignments: TITLES.map((title, i) => ({ title, max_score: 10, pass_score: 6, required: i !== 3 })),
      lessons: 2,
      participants: NAMES.length,
      names: NAMES.map((_, i) => `Sementara ${i}`),
    });
    // names a signup form might not take, set where they are stored
    for (let i = 0; i < NAMES.length; i++) await sql(server, `update users set full_name = ${lit(NAMES[i])} where id = ${lit(c.people[i].id)}`);
    const [p0, p1, p2, p3] = c.people;
    const [T0, T1, T2] = c.assignments;
    // progress: p0 completes one of two lessons, p1 both
    expectStatus(await complete(base, p0.token, c.cohort.id, c.lessons[0].id), 200, 'complete');
    for (const l of c.lessons) expectStatus(await complete(base, p1.token, c.cohort.id, l.id), 200, 'complete');
    // attendance: p0 checks in to one of two sessions
    const sess = [];
    for (let i = 0; i < 2; i++) {
      sess.push(expectStatus(await createSession(base, c.instructor.token, c.cohort.id, { title: `Sesi ${i + 1}`, starts_at: instantIn(-600), ends_at: instantIn(3600), place: 'Aula' }), 201, 'session'));
    }
    const { code } = expectStatus(await openCheckin(base, c.instructor.token, sess[0].id), 200, 'open');
    expectStatus(await checkin(base, p0.token, sess[0].id, code), 200, 'check in');
    // work: p0 passes T0 and fails T1, p1 hands in T0 late (ungraded), p2 hands in T2 (ungraded)
    const a = await submitted(base, p0.token, c.cohort.id, T0.id);
    const b = await submitted(base, p0.token, c.cohort.id, T1.id);
    expectStatus(await grade(base, c.instructor.token, a.id, { score: 8.5 }), 200, 'grade');
    expectStatus(await grade(base, c.instructor.token, b.id, { score: 3 }), 200, 'grade');
    await scheduleIn(base, c.instructor.token, c.cohort.id, T0.id, -60, 3600);
    await submitted(base, p1.token, c.cohort.id, T0.id);
    await submitted(base, p2.token, c.cohort.id, T2.id);
    assert.ok(p3);
    book = expectStatus(await gradebook(base, c.instructor.token, c.cohort.id), 200, 'gradebook');
    const r = await gradebook(base, c.instructor.token, c.cohort.id, 'csv');
    expectStatus(r, 200, 'CSV');
    assert.match(r.headers['content-type'], /^text\/csv; charset=utf-8$/i);
    assert.match(r.headers['content-disposition'], /^attachment; filename="[^"/\\]+\.csv"$/);
    csvText = r.text;
  });

  test('JSON: the assignments in order, and per confirmed participant the segment, progress, attendance and each standing with its score', async () => {
    assert.equal(book.cohort_id, c.cohort.id);
    assert.deepEqual(book.assignments.map((a) => [a.id, a.title, Number(a.max_score), Number(a.pass_score), a.required]),
      c.assignments.map((a, i) => [a.id, TITLES[i], 10, 6, i !== 3]));
    assert.equal(book.rows.length, NAMES.length, 'one row per confirmed participant');
    const byId = Object.fromEntries(book.rows.map((r) => [r.user.id, r]));
    const [p0, p1, p2, p3] = c.people.map((p) => byId[p.id]);
    assert.equal(p0.user.full_name, NAMES[0]);
    assert.equal(p0.segment, 'public');
    assert.equal(Number(p0.progress_percent), 50);
    assert.equal(Number(p1.progress_percent), 100);
    assert.equal(Number(p3.progress_percent), 0);
    assert.equal(Number(p0.attended), 1);
    assert.equal(Number(p1.attended), 0);
    const st = (row) => row.assignments.map((x) => [x.status, x.score === null ? null : Number(x.score), x.passed, x.late]);
    assert.deepEqual(st(p0), [['graded', 8.5, true, false], ['graded', 3, false, false], ['missing', null, null, null], ['missing', null, null, null]]);
    assert.deepEqual(st(p1)[0], ['submitted', null, null, true]);
    assert.deepEqual(st(p2)[2], ['submitted', null, null, false]);
  });

  test('CSV: a UTF-8 BOM, `;` and CRLF; names and titles with commas, quotes, line breaks and formulas read back cell for cell, formulas defused', async () => {
    assert.ok(csvText.startsWith('\ufeff'), 'a byte-order mark first');
    assert.ok(csvText.endsWith('\r\n'), 'rows end with CRLF');
    const rows = parseCsv(csvText.slice(1), ';');
    assert.equal(rows.length, 1 + NAMES.length, 'a header and one row per participant (line breaks inside cells did not split rows)');
    const width = 4 + 2 * TITLES.length;
    rows.forEach((r, i) => assert.equal(r.length, width, `row ${i} has ${width} cells: ${JSON.stringify(r)}`));
    const header = rows[0];
    assert.deepEqual(header.slice(4), TITLES.flatMap((t) => [`${defused(t)} — nilai`, `${defused(t)} — status`]), 'each assignment\'s title, exactly, in two column names');
    const names = rows.slice(1).map((r) => r[0]);
    assert.deepEqual([...names].sort(), NAMES.map(defused).sort(), 'every name exactly, formulas prefixed with \'');
    for (const r of rows) for (const cell of r) assert.ok(!/^[=+\-@]/.test(cell), `no cell starts a formula: ${JSON.stringify(cell)}`);
    // the cells agree with the JSON
    for (const jr of book.rows) {
      const r = rows.find((x) => x[0] === defused(jr.user.full_name));
      assert.ok(r, `a row for ${jr.user.full_name}`);
      assert.equal(r[1], jr.segment);
      assert.equal(Number(r[2].replace(',', '.')), Number(jr.progress_percent), `progress of ${jr.user.full_name}`);
      assert.equal(Number(r[3]), Number(jr.attended), `attendance of ${jr.user.full_name}`);
      jr.assignments.forEach((a, i) => {
        const cell = r[4 + 2 * i];
        if (a.score === null) assert.equal(cell, '', `no score for ${jr.user.full_name} on ${i}`);
        else assert.equal(Number(cell.replace(',', '.')), Number(a.score), `score of ${jr.user.full_name} on ${i}: ${cell}`);
        assert.notEqual(r[5 + 2 * i], '', 'a status word');
      });
    }
    const p0 = rows.find((x) => x[0] === NAMES[0]);
    const p1 = rows.find((x) => x[0] === NAMES[1]);
    assert.deepEqual([p0[5], p0[7], p0[9]], ['lulus', 'belum lulus', 'belum mengumpulkan']);
    assert.equal(p1[5], 'terlambat, belum dinilai', 'a status with a comma stays one cell');
  });
});
