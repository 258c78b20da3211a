// Learning (issue 5; API.md "Learning"): the module tree with the caller's
// progress, a lesson (HTML, video, previous/next), marking it complete
// (idempotent, even when raced), the progress summary, who may see any of it
// (the cohort's confirmed participants, its instructors, admins; 404 for
// everyone else, signed in or not), and progress percentages computed
// against the cohort's version when the content changes in a new one.
import { test, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/harness.mjs';
import { show, sql, lit, newAdmin, newParticipant } from './lib/accounts.mjs';
import { addInstructor, newInstructor, cancel } from './lib/cohorts.mjs';
import {
  expectStatus, expectError, putLesson, delLesson, newLesson, published, contentProgramme, outlineOf, cohortOf,
  publicSeats, learner, learnModules, learnLesson, complete, progress, moveCohort, treeLessonIds, listSessions,
} from './lib/content.mjs';

let server;
let base;
let admin;

before(async () => {
  server = await startServer();
  base = server.url;
  admin = await newAdmin(server);
});

const TREE_LESSON_KEYS = ['completed', 'duration_minutes', 'has_video', 'id', 'title'];
// issue 12 added the version's attachments (handouts, images)
const LESSON_KEYS = ['attachments', 'body_html', 'completed', 'content_version', 'duration_minutes', 'id', 'module_id', 'next_id', 'previous_id', 'title', 'video'];

async function progressRows(cohortId, userId) {
  return Number(await sql(server, `select count(*) from lesson_progress where cohort_id = ${lit(cohortId)} and user_id = ${lit(userId)}`));
}

// ------------------------------------------------ one cohort, many people ----

describe('a cohort and who may learn in it', () => {
  let cp; // M1 [L1 (video, 10 min), L2], M2 [L3, L4]
  let A; // cohort A: 2 public seats
  let B; // cohort B of the same programme
  let pa1; // confirmed in A
  let pa2; // confirmed in A
  let pw; // waitlisted in A
  let px; // cancelled in A
  let pb; // confirmed in B
  let stranger; // signed-in participant with no registration
  let ia; // instructor of A
  let ib; // instructor of B (same programme)
  let iq; // instructor of a cohort of another programme
  let otherLesson; // a lesson of another programme
  let draftOnly; // a lesson added to the draft after publishing

  before(async () => {
    cp = await contentProgramme(base, admin, [
      { title: 'Mengenal pasar', lessons: [
        { title: 'Siapa pembeli kita', body_md: '## Pembeli\n\nKenali *pembeli*.', video_url: 'https://youtu.be/dQw4w9WgXcQ', duration_minutes: 10 },
        { title: 'Harga', body_md: 'Hitung **harga** pokok.' },
      ] },
      { title: 'Berjualan daring', lessons: [
        { title: 'Marketplace', body_md: 'Daftar di marketplace.', duration_minutes: 15 },
        { title: 'Media sosial', body_md: 'Unggah rutin.' },
      ] },
    ]);
    A = await cohortOf(base, admin, cp.slug, publicSeats(2, { name: 'Angkatan A' }));
    B = await cohortOf(base, admin, cp.slug, publicSeats(5, { name: 'Angkatan B' }));
    pa1 = await learner(base, A.id, { full_name: 'Ani' });
    px = await learner(base, A.id, { full_name: 'Xena' });
    expectStatus(await cancel(base, px.token, px.registration.id), 200, 'cancel');
    pa2 = await learner(base, A.id, { full_name: 'Agus' });
    pw = await learner(base, A.id, { status: 'waitlisted', full_name: 'Wati' });
    pb = await learner(base, B.id, { full_name: 'Bayu' });
    stranger = await newParticipant(base);
    ia = await newInstructor(server);
    ib = await newInstructor(server);
    iq = await newInstructor(server);
    expectStatus(await addInstructor(base, admin.token, A.id, ia.id), 201, 'instructor A');
    expectStatus(await addInstructor(base, admin.token, B.id, ib.id), 201, 'instructor B');
    const other = await contentProgramme(base, admin, outlineOf(1, 1));
    const Q = await cohortOf(base, admin, other.slug);
    expectStatus(await addInstructor(base, admin.token, Q.id, iq.id), 201, 'instructor Q');
    otherLesson = other.lessons[0];
    draftOnly = await newLesson(base, admin.token, cp.modules[1].id, { title: 'Belum terbit' });
  });

  test('the module tree: modules and lessons in order, with duration, has_video and the caller\'s completion', async () => {
    const tree = expectStatus(await learnModules(base, pa1.token, A.id), 200, 'tree');
    assert.deepEqual(Object.keys(tree).sort(), ['cohort_id', 'content_version', 'modules']);
    assert.equal(tree.cohort_id, A.id);
    assert.equal(tree.content_version, 1);
    assert.deepEqual(tree.modules.map((m) => [m.id, m.title]), cp.modules.map((m) => [m.id, m.title]));
    for (const m of tree.modules) assert.deepEqual(Object.keys(m).sort(), ['assignments', 'id', 'lessons', 'position', 'title']);
    for (const l of tree.modules.flatMap((m) => m.lessons)) assert.deepEqual(Object.keys(l).sort(), TREE_LESSON_KEYS);
    assert.deepEqual(treeLessonIds(tree), cp.lessons.map((l) => l.id));
    assert.deepEqual(tree.modules[0].lessons[0], { id: cp.lessons[0].id, title: 'Siapa pembeli kita', duration_minutes: 10, has_video: true, completed: false });
    assert.deepEqual(tree.modules[0].lessons[1], { id: cp.lessons[1].id, title: 'Harga', duration_minutes: null, has_video: false, completed: false });
    assert.ok(!treeLessonIds(tree).includes(draftOnly.id), 'a draft lesson is not in the published tree');
  });

  test('a lesson: rendered HTML, the embed, content_version, completed, previous and next across modules', async () => {
    const ids = cp.lessons.map((l) => l.id);
    for (let i = 0; i < ids.length; i++) {
      const r = expectStatus(await learnLesson(base, pa1.token, A.id, ids[i]), 200, `lesson ${i + 1}`);
      assert.deepEqual(Object.keys(r).sort(), LESSON_KEYS);
      assert.equal(r.id, ids[i]);
      assert.equal(r.module_id, cp.lessons[i].module_id);
      assert.equal(r.title, cp.lessons[i].title);
      assert.equal(r.content_version, 1);
      assert.equal(r.completed, false);
      assert.equal(r.previous_id, i === 0 ? null : ids[i - 1], `previous of lesson ${i + 1}`);
      assert.equal(r.next_id, i === ids.length - 1 ? null : ids[i + 1], `next of lesson ${i + 1}`);
    }
    const first = expectStatus(await learnLesson(base, pa1.token, A.id, ids[0]), 200, 'first');
    assert.equal(first.body_html, '<h2>Pembeli</h2>\n<p>Kenali <em>pembeli</em>.</p>\n');
    assert.deepEqual(first.video, { provider: 'youtube', embed_url: 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ' });
    assert.equal(first.duration_minutes, 10);
    const second = expectStatus(await learnLesson(base, pa1.token, A.id, ids[1]), 200, 'second');
    assert.equal(second.video, null);
    assert.equal(second.body_html, '<p>Hitung <strong>harga</strong> pokok.</p>\n');
  });

  test('insiders see the lessons: confirmed participants, the cohort\'s instructor, an admin', async () => {
    for (const [who, u] of [['confirmed participant', pa2], ['instructor of the cohort', ia], ['admin', admin]]) {
      expectStatus(await learnModules(base, u.token, A.id), 200, `${who}: modules`);
      expectStatus(await learnLesson(base, u.token, A.id, cp.lessons[2].id), 200, `${who}: lesson`);
      expectStatus(await progress(base, u.token, A.id), 200, `${who}: progress`);
      expectStatus(await listSessions(base, u.token, A.id), 200, `${who}: sessions`);
    }
  });

  test('everyone else gets 404 on modules, lessons, completion and progress — the same 404 as an unknown cohort — and nothing is recorded', async () => {
    const unknown = await learnModules(base, pa1.token, 'nosuchcohort');
    expectError(unknown, 404, 'not_found', 'unknown cohort');
    const outsiders = [
      ['a participant of another cohort of the programme', pb],
      ['a waitlisted participant', pw],
      ['a participant who cancelled', px],
      ['a participant with no registration', stranger],
      ['an anonymous caller', { token: undefined, id: null }],
      ['the instructor of another cohort of the same programme', ib],
      ['an instructor of another programme', iq],
    ];
    const lessonId = cp.lessons[0].id;
    for (const [who, u] of outsiders) {
      const calls = [
        ['GET modules', await learnModules(base, u.token, A.id)],
        ['GET lesson', await learnLesson(base, u.token, A.id, lessonId)],
        ['POST complete', await complete(base, u.token, A.id, lessonId)],
        ['GET progress', await progress(base, u.token, A.id)],
        ['GET sessions', await listSessions(base, u.token, A.id)],
      ];
      for (const [what, r] of calls) {
        assert.equal(r.status, 404, `${who}: ${what}: expected 404, got ${show(r)}`);
        assert.equal(r.json?.error?.code, 'not_found', `${who}: ${what}: ${show(r)}`);
        assert.ok(!/Siapa pembeli|Pembeli|percent/.test(r.text), `${who}: ${what}: nothing of the cohort leaks: ${r.text}`);
      }
      if (u.id) assert.equal(await progressRows(A.id, u.id), 0, `${who}: no progress recorded`);
    }
    assert.equal(Number(await sql(server, `select count(*) from lesson_progress where cohort_id = ${lit(A.id)} and user_id is null`)), 0);
  });

  test('lessons outside the cohort\'s version are 404 even for insiders: another programme\'s, a draft-only one, an unknown id', async () => {
    for (const [what, id] of [['another programme\'s lesson', otherLesson.id], ['a lesson only in the draft', draftOnly.id], ['an unknown id', 'nosuchlesson']]) {
      expectError(await learnLesson(base, pa1.token, A.id, id), 404, 'not_found', `GET ${what}`);
      expectError(await complete(base, pa1.token, A.id, id), 404, 'not_found', `complete ${what}`);
      expectError(await learnLesson(base, admin.token, A.id, id), 404, 'not_found', `admin GET ${what}`);
    }
    assert.equal(await progressRows(A.id, pa1.id), 0, 'nothing recorded');
  });

  test('completing a lesson twice (and eight times at once) counts once; the tree and the lesson say completed; progress is per person', async () => {
    const [l1, l2] = cp.lessons;
    const r1 = expectStatus(await complete(base, pa2.token, A.id, l1.id), 200, 'complete');
    assert.deepEqual(r1, { percent: 25, lessons_completed: 1, lessons_total: 4, assignments: [] });
    const r2 = expectStatus(await complete(base, pa2.token, A.id, l1.id, { json: {} }), 200, 'complete again with {}');
    assert.deepEqual(r2, r1, 'the second completion changes nothing');
    const raced = await Promise.all(Array.from({ length: 8 }, () => complete(base, pa2.token, A.id, l2.id)));
    for (const r of raced) expectStatus(r, 200, 'raced complete');
    assert.equal(await progressRows(A.id, pa2.id), 2, 'one row per lesson');
    const pr = expectStatus(await progress(base, pa2.token, A.id), 200, 'progress');
    assert.deepEqual(pr, { percent: 50, lessons_completed: 2, lessons_total: 4, assignments: [] });
    const tree = expectStatus(await learnModules(base, pa2.token, A.id), 200, 'tree');
    assert.deepEqual(tree.modules.flatMap((m) => m.lessons.map((l) => l.completed)), [true, true, false, false]);
    assert.equal(expectStatus(await learnLesson(base, pa2.token, A.id, l1.id), 200, 'lesson').completed, true);
    expectError(await complete(base, pa2.token, A.id, l1.id, { json: { completed: false } }), 422, 'unknown_field', 'a body with members');
    // another participant of the same cohort is not affected
    assert.deepEqual(expectStatus(await progress(base, pa1.token, A.id), 200, 'pa1').lessons_completed, 0);
    const t1 = expectStatus(await learnModules(base, pa1.token, A.id), 200, 'pa1 tree');
    assert.ok(t1.modules.flatMap((m) => m.lessons).every((l) => l.completed === false), 'pa1 sees nothing completed');
    assert.equal(expectStatus(await learnLesson(base, pa1.token, A.id, l1.id), 200, 'pa1 lesson').completed, false);
  });
});

// ------------------------------------------------ content changes ----

describe('progress when the content changes in a new version', () => {
  test('v1 has 4 lessons, 2 done → 50 %; v2 adds 2 and deletes a done one → the cohort stays at 50 % on v1 and shows 1/5 = 20 % once moved to v2', async () => {
    const cp = await contentProgramme(base, admin, [{ title: 'M', lessons: [{ title: 'L1' }, { title: 'L2' }, { title: 'L3' }, { title: 'L4' }] }]);
    const [L1, L2, L3, L4] = cp.lessons;
    const C = await cohortOf(base, admin, cp.slug);
    const p = await learner(base, C.id);
    expectStatus(await complete(base, p.token, C.id, L1.id), 200, 'L1');
    const half = expectStatus(await complete(base, p.token, C.id, L2.id), 200, 'L2');
    assert.deepEqual(half, { percent: 50, lessons_completed: 2, lessons_total: 4, assignments: [] });

    expectStatus(await delLesson(base, admin.token, L1.id), 204, 'delete L1');
    const L5 = await newLesson(base, admin.token, cp.modules[0].id, { title: 'L5' });
    const L6 = await newLesson(base, admin.token, cp.modules[0].id, { title: 'L6' });
    const v2 = await published(base, admin.token, cp.slug);
    assert.equal(v2.version, 2);
    assert.equal(v2.lessons_total, 5);

    // still on v1: nothing moves
    assert.deepEqual(expectStatus(await progress(base, p.token, C.id), 200, 'on v1'), half);
    // a new cohort on v2 starts from zero, with 5 lessons
    const D = await cohortOf(base, admin, cp.slug, { name: 'Angkatan 2' });
    assert.equal(D.content_version, 2);
    assert.deepEqual(expectStatus(await progress(base, admin.token, D.id), 200, 'D'), { percent: 0, lessons_completed: 0, lessons_total: 5, assignments: [] });

    const moved = expectStatus(await moveCohort(base, admin.token, C.id, 2), 200, 'move to v2');
    assert.equal(moved.content_version, 2);
    const now = expectStatus(await progress(base, p.token, C.id), 200, 'on v2');
    assert.deepEqual(now, { percent: 20, lessons_completed: 1, lessons_total: 5, assignments: [] }, 'L2 still counts; L1 is not in v2');
    const tree = expectStatus(await learnModules(base, p.token, C.id), 200, 'tree on v2');
    assert.equal(tree.content_version, 2);
    assert.deepEqual(tree.modules[0].lessons.map((l) => [l.id, l.completed]),
      [[L2.id, true], [L3.id, false], [L4.id, false], [L5.id, false], [L6.id, false]]);
    expectError(await learnLesson(base, p.token, C.id, L1.id), 404, 'not_found', 'L1 is gone from v2');
    expectError(await complete(base, p.token, C.id, L1.id), 404, 'not_found', 'L1 cannot be completed on v2');
    const l2 = expectStatus(await learnLesson(base, p.token, C.id, L2.id), 200, 'L2 on v2');
    assert.equal(l2.completed, true, 'progress keyed by lesson id survives the move');
    assert.equal(l2.content_version, 2);
    assert.equal(l2.previous_id, null, 'L2 is now first');
    const after5 = expectStatus(await complete(base, p.token, C.id, L5.id), 200, 'L5');
    assert.deepEqual(after5, { percent: 40, lessons_completed: 2, lessons_total: 5, assignments: [] });
  });

  test('percentages that do not divide evenly: 1 of 3 and 2 of 3', async () => {
    const cp = await contentProgramme(base, admin, outlineOf(1, 3));
    const C = await cohortOf(base, admin, cp.slug);
    const p = await learner(base, C.id);
    const one = expectStatus(await complete(base, p.token, C.id, cp.lessons[0].id), 200, 'one');
    assert.equal(one.lessons_completed, 1);
    assert.equal(one.lessons_total, 3);
    assert.ok(Math.abs(one.percent - 100 / 3) <= 0.05, `1/3 → ${one.percent}`);
    const two = expectStatus(await complete(base, p.token, C.id, cp.lessons[2].id), 200, 'two');
    assert.ok(Math.abs(two.percent - 200 / 3) <= 0.05, `2/3 → ${two.percent}`);
    const all = expectStatus(await complete(base, p.token, C.id, cp.lessons[1].id), 200, 'all');
    assert.equal(all.percent, 100);
  });

  test('an edited lesson keeps its id and its completion in the next version; the text follows the version', async () => {
    const cp = await contentProgramme(base, admin, outlineOf(1, 2));
    const C = await cohortOf(base, admin, cp.slug);
    const p = await learner(base, C.id);
    const [L1] = cp.lessons;
    expectStatus(await complete(base, p.token, C.id, L1.id), 200, 'complete');
    expectStatus(await putLesson(base, admin.token, L1.id, { title: 'L1 direvisi', body_md: 'Versi **baru**.' }), 200, 'edit');
    await published(base, admin.token, cp.slug);
    const v1 = expectStatus(await learnLesson(base, p.token, C.id, L1.id), 200, 'v1 read');
    assert.equal(v1.title, 'M1.L1');
    expectStatus(await moveCohort(base, admin.token, C.id, 2), 200, 'move');
    const v2 = expectStatus(await learnLesson(base, p.token, C.id, L1.id), 200, 'v2 read');
    assert.equal(v2.title, 'L1 direvisi');
    assert.equal(v2.body_html, '<p>Versi <strong>baru</strong>.</p>\n');
    assert.equal(v2.completed, true);
    assert.deepEqual(expectStatus(await progress(base, p.token, C.id), 200, 'progress'), { percent: 50, lessons_completed: 1, lessons_total: 2, assignments: [] });
  });
});
