// Taking a quiz (issue 15; SECURITY.md case 30): no answer key, score or
// explanation in any response body a participant receives before their
// attempt is closed (nor, when the quiz's review says after_close, before
// the quiz closes for the cohort); the attempt limit holds when 10 starts
// arrive at once; a save after the deadline is refused and the server's
// timer closes and grades a forgotten attempt; a retried save is harmless
// and a late retry never overwrites a newer answer; the shuffled order of
// questions and options is the same on resume and on another device;
// grading at close; the window (not yet open, closed, closed at the first
// lesson); who may do what.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sleep } from './lib/harness.mjs';
import { call, show, sql, lit, newAdmin, signedIn } from './lib/accounts.mjs';
import { instantIn } from './lib/cohorts.mjs';
import { expectStatus, expectError, complete } from './lib/content.mjs';
import {
  quizClass, single, startAttempt, started, saveAnswer, saved, closeAttempt, closed, getAttempt, cohortQuiz, answerFor,
  answerAll, putWindow, ageAttempt, recorder, jsonKeys,
} from './lib/quizzes.mjs';

let server;
let base;
let admin;

before(async () => {
  server = await startServer();
  base = server.url;
  admin = await newAdmin(server);
});

after(() => server?.stop());

// Markers that may only ever reach a participant with a review.
const SECRET_TEXT = 'kuncirahasia';
const SECRET_NUMBER = 48213.5;
const explanation = (n) => `PENJELASAN-RAHASIA-${n}`;

// One question of every graded type, each with an explanation marker.
function gradedQuestions() {
  return [
    single('Ibu kota Jawa Timur?', ['Malang', 'Surabaya', 'Kediri', 'Blitar'], 'Surabaya', { explanation_md: explanation(1) }),
    { type: 'multiple', stem_md: 'Platform video pendek?', options: [{ text_md: 'TikTok', correct: true }, { text_md: 'Excel' }, { text_md: 'YouTube Shorts', correct: true }, { text_md: 'Word' }], scoring: 'partial', points: 2, explanation_md: explanation(2) },
    { type: 'true_false', stem_md: 'Video vertikal cocok untuk ponsel.', answer: { value: true }, explanation_md: explanation(3) },
    { type: 'short_text', stem_md: 'Kata kunci rahasia?', answer: { text: SECRET_TEXT }, explanation_md: explanation(4) },
    { type: 'numeric', stem_md: 'Angka rahasia?', answer: { value: SECRET_NUMBER, tolerance: 0.5 }, points: 3, explanation_md: explanation(5) },
  ];
}

// Members that carry a key, a score or an explanation.
const FORBIDDEN_KEYS = ['correct', 'review', 'key', 'answer', 'explanation_html', 'explanation_md', 'score', 'max_score', 'percent', 'passed', 'points_awarded'];

function assertNothingRevealed(bodies, what) {
  assert.ok(bodies.length > 5, `${what}: bodies were recorded`);
  for (const b of bodies) {
    const where = `${what}: ${b.method} ${b.path} (${b.status})`;
    assert.ok(!b.text.toLowerCase().includes(SECRET_TEXT), `${where} holds the short answer's key: ${b.text.slice(0, 300)}`);
    assert.ok(!b.text.includes(String(SECRET_NUMBER)), `${where} holds the numeric key`);
    assert.ok(!/PENJELASAN-RAHASIA/.test(b.text), `${where} holds an explanation`);
    let parsed;
    try {
      parsed = JSON.parse(b.text);
    } catch {
      continue;
    }
    const keys = jsonKeys(parsed);
    // the progress summary's percent is the lessons done, not a score
    if (b.path.endsWith('/progress')) keys.delete('percent');
    for (const k of FORBIDDEN_KEYS) assert.ok(!keys.has(k), `${where} has a member "${k}": ${b.text.slice(0, 400)}`);
  }
}

describe('nothing is revealed before the attempt closes', () => {
  let cls;
  let now;
  let later;

  before(async () => {
    cls = await quizClass(server, admin, {
      participants: 1,
      quizzes: [
        { quiz: { title: 'Kuis cek', kind: 'check', review: 'after_attempt', shuffle: true, max_attempts: 2 }, questions: gradedQuestions() },
        { quiz: { title: 'Post-test', kind: 'posttest', review: 'after_close', time_limit_s: 3600, pass_score: 70 }, questions: gradedQuestions() },
      ],
    });
    [now, later] = cls.quizzes;
  });

  test('every response of a whole attempt, from the module tree to the last save', async () => {
    const p = cls.people[0];
    const rec = recorder(base, p);
    const cid = cls.cohort.id;
    expectStatus(await rec.call('GET', `/api/v1/cohorts/${cid}/modules`), 200, 'module tree');
    expectStatus(await rec.call('GET', `/api/v1/cohorts/${cid}/quizzes/${now.id}`), 200, 'quiz page');
    const start = await rec.call('POST', `/api/v1/cohorts/${cid}/quizzes/${now.id}/attempts`);
    const attempt = expectStatus(start, 201, 'start').attempt;
    assert.deepEqual(Object.keys(attempt.questions[0]).sort().filter((k) => !['points', 'response', 'scale'].includes(k)), ['id', 'options', 'stem_html', 'type']);
    for (const [i, aq] of attempt.questions.entries()) {
      const d = now.questions.find((q) => q.id === aq.id);
      // a right short or numeric answer would be the participant's own words
      // matching the key: give those wrong here
      const body = answerFor(d, !['short_text', 'numeric'].includes(d.type) && i % 2 === 0);
      expectStatus(await rec.call('PUT', `/api/v1/attempts/${attempt.id}/answers/${aq.id}`, { json: body }), 200, 'save');
      expectStatus(await rec.call('PUT', `/api/v1/attempts/${attempt.id}/answers/${aq.id}`, { json: body }), 200, 'the same save again');
    }
    // refused saves answer too, and must not give anything away either
    const choice = attempt.questions.find((q) => q.type === 'single');
    expectError(await rec.call('PUT', `/api/v1/attempts/${attempt.id}/answers/${choice.id}`, { json: { option_ids: ['nope'] } }), 422, 'unknown_option', 'a foreign option');
    expectError(await rec.call('PUT', `/api/v1/attempts/${attempt.id}/answers/${choice.id}`, { json: { text: 'x' } }), 422, 'invalid_answer', 'text for a choice');
    expectError(await rec.call('PUT', `/api/v1/attempts/${attempt.id}/answers/${choice.id}`, { json: { text: 'x', value: 1 } }), 422, 'invalid_answer', 'two kinds of answer');
    expectStatus(await rec.call('GET', `/api/v1/attempts/${attempt.id}`), 200, 'read the attempt');
    expectStatus(await rec.call('POST', `/api/v1/cohorts/${cid}/quizzes/${now.id}/attempts`), 200, 'resume');
    expectStatus(await rec.call('GET', `/api/v1/cohorts/${cid}/quizzes/${now.id}`), 200, 'quiz page during');
    expectStatus(await rec.call('GET', `/api/v1/cohorts/${cid}/modules`), 200, 'module tree during');
    expectStatus(await rec.call('GET', `/api/v1/cohorts/${cid}/progress`), 200, 'progress');
    expectStatus(await rec.call('GET', `/api/v1/cohorts/${cid}/eligibility`), 200, 'own eligibility');
    expectStatus(await rec.call('GET', '/api/v1/me'), 200, 'me');
    // the post-test, started and answered, stays closed to review after its close too
    const post = expectStatus(await rec.call('POST', `/api/v1/cohorts/${cid}/quizzes/${later.id}/attempts`), 201, 'start the post-test').attempt;
    for (const aq of post.questions) {
      const d = later.questions.find((q) => q.id === aq.id);
      // right, but never in the key's own words: the short answer wrong, the number within the tolerance
      const body = d.type === 'numeric' ? { value: SECRET_NUMBER + 0.25 } : answerFor(d, d.type !== 'short_text');
      expectStatus(await rec.call('PUT', `/api/v1/attempts/${post.id}/answers/${aq.id}`, { json: body }), 200, 'save');
    }
    assertNothingRevealed(rec.bodies, 'before the close');

    // the check closes: its review is after_attempt, so now it shows
    const done = expectStatus(await rec.call('POST', `/api/v1/attempts/${attempt.id}/close`), 200, 'close').attempt;
    assert.equal(done.status, 'closed');
    assert.equal(typeof done.score, 'number');
    assert.ok(done.questions.every((q) => q.review && 'explanation_html' in q.review), 'the review is there once closed');
    assert.match(JSON.stringify(done), /PENJELASAN-RAHASIA-1/);

    // the post-test closes: after_close, so nothing until the quiz closes for the cohort
    const rec2 = recorder(base, p);
    const shut = expectStatus(await rec2.call('POST', `/api/v1/attempts/${post.id}/close`), 200, 'close the post-test').attempt;
    assert.equal(shut.status, 'closed');
    expectStatus(await rec2.call('GET', `/api/v1/attempts/${post.id}`), 200, 'read it');
    expectStatus(await rec2.call('GET', `/api/v1/cohorts/${cid}/quizzes/${later.id}`), 200, 'quiz page after');
    // (the module tree now rightly shows the check's result; the post-test's item shows none)
    const tree = expectStatus(await call(base, 'GET', `/api/v1/cohorts/${cid}/modules`, { token: p.token }), 200, 'module tree after');
    const items = Object.fromEntries(tree.modules[0].quizzes.map((x) => [x.id, x]));
    assert.equal(items[now.id].percent, done.percent, 'the check, reviewed after the attempt, shows its result');
    assert.deepEqual(Object.keys(items[later.id]).filter((k) => FORBIDDEN_KEYS.includes(k)), [], 'the post-test none');
    expectStatus(await rec2.call('GET', `/api/v1/cohorts/${cid}/eligibility`), 200, 'own eligibility after');
    expectStatus(await rec2.call('GET', `/api/v1/cohorts/${cid}/progress`), 200, 'progress after');
    expectStatus(await rec2.call('GET', `/api/v1/me/registrations`), 200, 'registrations');
    assertNothingRevealed(rec2.bodies, 'after the close, before the quiz closes for the cohort');

    // the quiz closes for the cohort: now the score, key and explanations show
    expectStatus(await putWindow(base, cls.instructor.token, cid, later.id, { closes_at: instantIn(-1) }), 200, 'close the window');
    const review = expectStatus(await getAttempt(base, p.token, post.id), 200, 'review');
    assert.equal(review.percent, 87.5, '7 of 8 points: all but the short answer');
    assert.equal(review.passed, true);
    assert.deepEqual(review.questions.filter((q) => !q.review.correct).map((q) => q.type), ['short_text']);
    assert.ok(review.questions.every((q) => /PENJELASAN-RAHASIA-\d/.test(q.review.explanation_html)));
    assert.deepEqual(review.questions.find((q) => q.type === 'numeric').review.key, { value: SECRET_NUMBER, tolerance: 0.5 });
  });

  test('score_only shows the score and never the key', async () => {
    const c = await quizClass(server, admin, {
      participants: 1,
      quizzes: [{ quiz: { title: 'Pre-test', kind: 'pretest' }, questions: gradedQuestions() }],
    });
    const [quiz] = c.quizzes;
    assert.equal(quiz.review, 'score_only', 'a pre-test shows only the score by default');
    const p = c.people[0];
    const a = await started(base, p.token, c.cohort.id, quiz.id);
    await answerAll(base, p.token, a, quiz.questions, [0, 2]);
    const rec = recorder(base, p);
    const done = expectStatus(await rec.call('POST', `/api/v1/attempts/${a.id}/close`), 200, 'close').attempt;
    // single (1) and true/false (1) right of 1 + 2 + 1 + 1 + 3 points
    assert.equal(done.score, 2);
    assert.equal(done.max_score, 8);
    assert.equal(done.percent, 25);
    expectStatus(await rec.call('GET', `/api/v1/attempts/${a.id}`), 200, 'read');
    for (const b of rec.bodies) {
      const m = /PENJELASAN-RAHASIA|kuncirahasia|"review"|"correct"/i.exec(b.text);
      assert.equal(m, null, `no key: ${m?.[0]} in ${b.text.slice(0, 300)}`);
    }
  });
});

describe('grading at close', () => {
  test('every type: partial credit, tolerance, normalised text, and what the staff see', async () => {
    const c = await quizClass(server, admin, {
      participants: 1,
      quizzes: [{ quiz: { title: 'Kuis nilai', kind: 'check' }, questions: gradedQuestions() }],
    });
    const [quiz] = c.quizzes;
    const q = Object.fromEntries(quiz.questions.map((x) => [x.type, x]));
    const p = c.people[0];
    const a = await started(base, p.token, c.cohort.id, quiz.id);
    const opt = (text) => q.multiple.options.find((o) => o.text_md === text).id;
    await saved(base, p.token, a.id, q.single.id, answerFor(q.single, true));
    await saved(base, p.token, a.id, q.multiple.id, { option_ids: [opt('TikTok'), opt('Excel')] }); // 1/2 - 1/2 = 0
    await saved(base, p.token, a.id, q.multiple.id, { option_ids: [opt('TikTok')] }); // replaces: 1/2 → 1 point of 2
    await saved(base, p.token, a.id, q.true_false.id, { option_ids: ['false'] });
    await saved(base, p.token, a.id, q.short_text.id, { text: `  ${SECRET_TEXT.toUpperCase()}\u00a0 ` });
    await saved(base, p.token, a.id, q.numeric.id, { value: SECRET_NUMBER + 0.4 });
    const done = await closed(base, p.token, a.id);
    const by = Object.fromEntries(done.questions.map((x) => [x.type, x.review]));
    assert.equal(by.single.points_awarded, 1);
    assert.equal(by.multiple.points_awarded, 1, 'partial credit: one of two right options, no wrong one');
    assert.equal(by.multiple.correct, false);
    assert.equal(by.true_false.points_awarded, 0);
    assert.equal(by.short_text.points_awarded, 1, 'case and blanks do not count');
    assert.equal(by.numeric.points_awarded, 3, 'within the tolerance');
    assert.equal(done.score, 6);
    assert.equal(done.max_score, 8);
    assert.equal(done.percent, 75);
    // closing again changes nothing
    const again = await closed(base, p.token, a.id);
    assert.equal(again.closed_at, done.closed_at);
    assert.equal(again.score, 6);
    assert.equal(Number(await sql(server, `select count(*) from quiz_answers where attempt_id = ${lit(a.id)}`)), 5);
    // staff see it all
    const staff = expectStatus(await getAttempt(base, c.instructor.token, a.id), 200, 'staff read');
    assert.equal(staff.score, 6);
    assert.ok(staff.questions.every((x) => x.response && x.review));
    // the item analysis lists short and numeric answers as given (normalised text)
    const report = expectStatus(await call(base, 'GET', `/api/v1/cohorts/${c.cohort.id}/quiz-report`, { token: c.instructor.token }), 200, 'report');
    const item = (type) => report.items.find((it) => it.question_id === q[type].id);
    assert.deepEqual(item('short_text').answers, [{ text: SECRET_TEXT, count: 1, correct: true }]);
    assert.deepEqual(item('numeric').answers, [{ text: String(SECRET_NUMBER + 0.4), count: 1, correct: true }]);
    assert.deepEqual(item('true_false').options.map((o) => [o.id, o.chosen, o.correct]), [['true', 0, true], ['false', 1, false]]);
  });
});

describe('the attempt limit', () => {
  test('10 starts at once: one attempt; again after a close: one more; then all refused', async () => {
    const c = await quizClass(server, admin, {
      participants: 1,
      quizzes: [{ quiz: { title: 'Dua kali', kind: 'check', max_attempts: 2 }, questions: [single('1+1?', ['1', '2'], '2')] }],
    });
    const [quiz] = c.quizzes;
    const p = c.people[0];
    const burst = () => Promise.all(Array.from({ length: 10 }, () => startAttempt(base, p.token, c.cohort.id, quiz.id)));
    const rows = () => sql(server, `select count(*) from quiz_attempts where quiz_id = ${lit(quiz.id)} and user_id = ${lit(p.id)}`).then(Number);

    const first = await burst();
    assert.ok(first.every((r) => r.status === 201 || r.status === 200), first.map(show).join('\n'));
    assert.equal(first.filter((r) => r.status === 201).length, 1, 'one created, nine resumed it');
    assert.equal(new Set(first.map((r) => r.json.attempt.id)).size, 1, 'all the same attempt');
    assert.equal(await rows(), 1);
    await closed(base, p.token, first[0].json.attempt.id);

    const second = await burst();
    assert.equal(second.filter((r) => r.status === 201).length, 1, second.map(show).join('\n'));
    assert.equal(new Set(second.map((r) => r.json.attempt.id)).size, 1);
    assert.equal(second[0].json.attempt.number, 2);
    assert.equal(await rows(), 2);
    await closed(base, p.token, second[0].json.attempt.id);

    const third = await burst();
    for (const r of third) expectError(r, 409, 'attempts_exhausted', 'past max_attempts');
    assert.equal(await rows(), 2, 'never more rows than max_attempts');
    const page = expectStatus(await cohortQuiz(base, p.token, c.cohort.id, quiz.id), 200, 'quiz page');
    assert.equal(page.attempts_left, 0);
    assert.equal(page.attempts.length, 2);
  });
});

describe('deadlines and the timer', () => {
  let c;
  let quiz;

  before(async () => {
    c = await quizClass(server, admin, {
      participants: 3,
      quizzes: [{ quiz: { title: 'Berwaktu', kind: 'posttest', time_limit_s: 60, review: 'after_attempt' }, questions: [single('1+1?', ['1', '2'], '2'), single('2+2?', ['4', '5'], '4')] }],
    });
    [quiz] = c.quizzes;
  });

  test('the deadline is fixed at the start and the remaining time comes from the server', async () => {
    const p = c.people[0];
    const a = await started(base, p.token, c.cohort.id, quiz.id);
    assert.equal(Date.parse(a.deadline_at) - Date.parse(a.started_at), 60000);
    assert.ok(a.remaining_s > 50 && a.remaining_s <= 60, `remaining ${a.remaining_s}`);
    const saveAnswerBody = await saved(base, p.token, a.id, a.questions[0].id, { option_ids: [] });
    assert.ok(saveAnswerBody.remaining_s <= 60, 'a save tells the time left');
    await ageAttempt(server, a.id, 30);
    const read = expectStatus(await getAttempt(base, p.token, a.id), 200, 'read');
    assert.ok(read.remaining_s > 20 && read.remaining_s <= 30, `by the server's clock: ${read.remaining_s}`);
  });

  test('a save after the deadline is refused; closing then grades what was saved in time', async () => {
    const p = c.people[1];
    const a = await started(base, p.token, c.cohort.id, quiz.id);
    const right = quiz.questions.find((q) => q.id === a.questions[0].id);
    await saved(base, p.token, a.id, right.id, answerFor(right, true));
    await ageAttempt(server, a.id, 61);
    const late = await saveAnswer(base, p.token, a.id, a.questions[1].id, answerFor(quiz.questions.find((q) => q.id === a.questions[1].id), true));
    expectError(late, 409, 'attempt_closed', 'after the deadline');
    assert.equal(Number(await sql(server, `select count(*) from quiz_answers where attempt_id = ${lit(a.id)}`)), 1, 'nothing stored');
    const done = await closed(base, p.token, a.id);
    // Past its deadline the attempt is the server timer's to close too (the
    // next test): whichever of the two gets there first closes it, and either
    // way only what was saved in time is graded.
    assert.ok(['deadline', 'timer'].includes(done.closed_by), `closed_by ${done.closed_by}`);
    assert.equal(done.score, 1);
  });

  test('the timer closes and grades a forgotten attempt', async () => {
    const p = c.people[2];
    const a = await started(base, p.token, c.cohort.id, quiz.id);
    const q0 = quiz.questions.find((q) => q.id === a.questions[0].id);
    await saved(base, p.token, a.id, q0.id, answerFor(q0, true));
    await ageAttempt(server, a.id, 61);
    // nobody calls close: the server's tick (every 5 s) must
    let read;
    for (let i = 0; i < 40; i++) {
      read = expectStatus(await getAttempt(base, p.token, a.id), 200, 'read');
      if (read.status === 'closed') break;
      await sleep(500);
    }
    assert.equal(read.status, 'closed', 'closed by the timer within 20 s');
    assert.equal(read.closed_by, 'timer');
    assert.equal(read.score, 1);
    await server.waitForLog(/attempts past their deadline closed/);
  });
});

describe('saves on a flaky connection', () => {
  test('a retried save is harmless, a late retry never overwrites a newer answer', async () => {
    const c = await quizClass(server, admin, {
      participants: 1,
      quizzes: [{ quiz: { title: 'Ulang', kind: 'check' }, questions: [single('1+1?', ['1', '2', '3'], '2')] }],
    });
    const [quiz] = c.quizzes;
    const [q] = quiz.questions;
    const p = c.people[0];
    const a = await started(base, p.token, c.cohort.id, quiz.id);
    const right = q.options.find((o) => o.correct).id;
    const wrong = q.options.find((o) => !o.correct).id;
    const stored = () => sql(server, `select response::text || ' ' || coalesce(seq::text, '-') from quiz_answers where attempt_id = ${lit(a.id)}`);
    const retries = await Promise.all(Array.from({ length: 5 }, () => saveAnswer(base, p.token, a.id, q.id, { option_ids: [wrong], seq: 1 })));
    for (const r of retries) expectStatus(r, 200, 'retry');
    assert.equal(await stored(), `{"option_ids": ["${wrong}"]} 1`);
    await saved(base, p.token, a.id, q.id, { option_ids: [right], seq: 2 });
    const stale = await saved(base, p.token, a.id, q.id, { option_ids: [wrong], seq: 1 });
    assert.equal(stale.saved, false, 'the late retry of seq 1 is ignored');
    assert.equal(await stored(), `{"option_ids": ["${right}"]} 2`);
    const done = await closed(base, p.token, a.id);
    assert.equal(done.score, 1);
  });
});

describe('the same order on resume', () => {
  test('questions and options as drawn by the seed, on reload and on another device', async () => {
    const many = Array.from({ length: 8 }, (_, i) => single(`Soal ${i + 1}?`, ['A', 'B', 'C', 'D', 'E'].map((x) => `${x}${i}`), `C${i}`));
    const c = await quizClass(server, admin, {
      participants: 2,
      quizzes: [{ quiz: { title: 'Acak', kind: 'check', shuffle: true }, questions: many }],
    });
    const [quiz] = c.quizzes;
    const [p, other] = c.people;
    const order = (att) => att.questions.map((q) => `${q.id}:${q.options.map((o) => o.id).join(',')}`);
    const a = await started(base, p.token, c.cohort.id, quiz.id);
    const authored = quiz.questions.map((q) => `${q.id}:${q.options.map((o) => o.id).join(',')}`);
    assert.notDeepEqual(order(a), authored, 'shuffled (8 questions of 5 options each in authored order: 1 in 10^20)');
    const reread = expectStatus(await getAttempt(base, p.token, a.id), 200, 'reload');
    assert.deepEqual(order(reread), order(a), 'the same on reload');
    const device = await signedIn(base, p.email);
    const resumed = await started(base, device.token, c.cohort.id, quiz.id);
    assert.equal(resumed.id, a.id, 'another device resumes the same attempt');
    assert.deepEqual(order(resumed), order(a), 'in the same order');
    const b = await started(base, other.token, c.cohort.id, quiz.id);
    assert.notDeepEqual(order(b), order(a), 'another participant draws another order');
    const seed = await sql(server, `select seed from quiz_attempts where id = ${lit(a.id)}`);
    assert.match(seed, /^[0-9a-f]{32}$/, 'the seed is stored with the attempt');
    await closed(base, p.token, a.id);
    const review = expectStatus(await getAttempt(base, p.token, a.id), 200, 'review');
    assert.deepEqual(order(review), order(a), 'the review shows what the participant saw');
  });

  test('random picks from tagged pools', async () => {
    const tagged = [
      ...Array.from({ length: 4 }, (_, i) => single(`Mudah ${i}?`, ['x', 'y'], 'x', { tags: ['Mudah'] })),
      ...Array.from({ length: 4 }, (_, i) => single(`Sulit ${i}?`, ['x', 'y'], 'y', { tags: ['sulit'] })),
    ];
    const c = await quizClass(server, admin, {
      participants: 1,
      quizzes: [{ quiz: { title: 'Bank', kind: 'check', pick: [{ tag: 'mudah', count: 2 }, { tag: 'SULIT', count: 1 }] }, questions: tagged }],
    });
    const [quiz] = c.quizzes;
    const a = await started(base, c.people[0].token, c.cohort.id, quiz.id);
    const stems = a.questions.map((q) => q.stem_html);
    assert.equal(stems.length, 3);
    assert.equal(stems.filter((s) => s.includes('Mudah')).length, 2);
    assert.equal(stems.filter((s) => s.includes('Sulit')).length, 1);
    const page = expectStatus(await cohortQuiz(base, c.people[0].token, c.cohort.id, quiz.id), 200, 'page');
    assert.equal(page.question_count, 3);
  });
});

describe('the window and who may take a quiz', () => {
  let c;
  let pre;

  before(async () => {
    c = await quizClass(server, admin, {
      participants: 3,
      lessons: 2,
      quizzes: [
        { quiz: { title: 'Pre-test', kind: 'pretest' }, questions: [single('1+1?', ['1', '2'], '2')] },
        { quiz: { title: 'Cek', kind: 'check' }, questions: [single('2+2?', ['4', '5'], '4')] },
      ],
    });
    [pre] = c.quizzes;
  });

  test('not yet open, then closed, by the cohort window', async () => {
    const [, check] = c.quizzes;
    const p = c.people[0];
    expectStatus(await putWindow(base, c.instructor.token, c.cohort.id, check.id, { opens_at: instantIn(3600), closes_at: instantIn(7200) }), 200, 'window');
    const early = await startAttempt(base, p.token, c.cohort.id, check.id);
    expectError(early, 409, 'quiz_closed', 'before it opens');
    assert.equal(early.json.error.details.reason, 'not_yet_open');
    expectStatus(await putWindow(base, c.instructor.token, c.cohort.id, check.id, { opens_at: instantIn(-7200), closes_at: instantIn(300) }), 200, 'open now');
    const a = await started(base, p.token, c.cohort.id, check.id);
    assert.ok(Date.parse(a.deadline_at) <= Date.now() + 300000 + 2000, 'the deadline is the window close at the latest');
    expectStatus(await putWindow(base, c.instructor.token, c.cohort.id, check.id, { opens_at: instantIn(-7200), closes_at: instantIn(-60) }), 200, 'closed');
    expectError(await startAttempt(base, c.people[1].token, c.cohort.id, check.id), 409, 'quiz_closed', 'after it closed');
    expectError(await putWindow(base, c.instructor.token, c.cohort.id, check.id, { opens_at: instantIn(60), closes_at: instantIn(-60) }), 422, 'invalid_window', 'backwards');
    expectError(await putWindow(base, c.instructor.token, c.cohort.id, check.id, { close_at_first_lesson: true }), 422, 'invalid_window', 'only pre-tests');
    expectError(await putWindow(base, c.people[0].token, c.cohort.id, check.id, {}), 403, 'forbidden', 'participants do not set windows');
  });

  test('a pre-test that closes at the first lesson', async () => {
    const [p, q] = c.people;
    expectStatus(await putWindow(base, c.instructor.token, c.cohort.id, pre.id, { close_at_first_lesson: true }), 200, 'window');
    const a = await started(base, p.token, c.cohort.id, pre.id);
    await saved(base, p.token, a.id, a.questions[0].id, answerFor(pre.questions[0], true));
    expectStatus(await complete(base, p.token, c.cohort.id, c.lessons[0].id), 200, 'first lesson done');
    const read = expectStatus(await getAttempt(base, p.token, a.id), 200, 'read');
    assert.equal(read.status, 'closed');
    assert.equal(read.closed_by, 'lessons');
    assert.equal(read.score, 1, 'graded with what was saved');
    expectError(await saveAnswer(base, p.token, a.id, a.questions[0].id, { option_ids: [] }), 409, 'attempt_closed', 'no more saves');
    expectStatus(await complete(base, q.token, c.cohort.id, c.lessons[1].id), 200, 'another starts learning first');
    const late = await startAttempt(base, q.token, c.cohort.id, pre.id);
    expectError(late, 409, 'quiz_closed', 'a pre-test after the lessons');
    assert.equal(late.json.error.details.reason, 'lessons_started');
  });

  test('participants only; another cohort sees nothing; nobody writes into another\'s attempt', async () => {
    const [, check] = c.quizzes;
    expectStatus(await putWindow(base, c.instructor.token, c.cohort.id, check.id, { opens_at: null, closes_at: null }), 200, 'reopen');
    const other = await quizClass(server, admin, { participants: 1, quizzes: [] });
    const stranger = other.people[0];
    expectError(await startAttempt(base, stranger.token, c.cohort.id, check.id), 404, 'not_found', 'a participant of another cohort');
    expectError(await cohortQuiz(base, stranger.token, c.cohort.id, check.id), 404, 'not_found', 'nor its page');
    expectError(await startAttempt(base, c.instructor.token, c.cohort.id, check.id), 403, 'participants_only', 'staff do not take quizzes');
    expectError(await startAttempt(base, undefined, c.cohort.id, check.id), 401, 'unauthenticated', 'signed out');
    const mine = await started(base, c.people[2].token, c.cohort.id, check.id);
    expectError(await saveAnswer(base, c.people[1].token, mine.id, mine.questions[0].id, { option_ids: [] }), 404, 'not_found', 'another participant');
    expectError(await getAttempt(base, c.people[1].token, mine.id), 404, 'not_found', 'nor read it');
    expectError(await closeAttempt(base, c.people[1].token, mine.id), 404, 'not_found', 'nor close it');
    expectError(await getAttempt(base, other.instructor.token, mine.id), 404, 'not_found', 'another cohort\'s instructor');
    expectError(await saveAnswer(base, c.people[2].token, mine.id, 'not-a-question', { option_ids: [] }), 404, 'not_found', 'a question it did not draw');
    expectError(await saveAnswer(base, c.people[2].token, mine.id, mine.questions[0].id, { option_ids: [], score: 100 }), 422, 'unknown_field', 'no score from a participant');
  });
});
