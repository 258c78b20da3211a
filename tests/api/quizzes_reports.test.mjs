// What staff read of a cohort's quizzes (issue 15), and the certificate
// rules the quizzes feed: the pre/post report (each participant's scores,
// means and medians, the mean gain, Hake's ⟨g⟩ and individual g, the share
// who passed) against figures computed here from the answers given; item
// analysis (difficulty, discrimination by the upper and lower 27 %, how
// often each option was chosen); both as CSV; the gradebook's quiz columns;
// a survey's results; anonymous survey answers that no staff route or
// export joins to a user (and a named survey, where they are, to prove the
// check can see a join); certificate rules "post-test at least X" and
// "survey answered", in eligibility, issuing and the credential's words.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/harness.mjs';
import { call, show, newAdmin } from './lib/accounts.mjs';
import { parseCsv } from './lib/cohorts.mjs';
import { expectStatus, expectError } from './lib/content.mjs';
import { gradebook } from './lib/assignments.mjs';
import { putRules, eligibility, issue, tokenOf, decodeJws, itemOf, codes } from './lib/certificates.mjs';
import {
  quizClass, single, started, saved, closed, answerAll, quizReport, surveyResults, quizAttempts, cohortQuizzes, getAttempt,
  LAST_DAY,
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

const four = (tag) => Array.from({ length: 4 }, (_, i) => single(`${tag} soal ${i + 1}?`, ['benar', 'salah satu', 'salah dua'], 'benar'));
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
const near = (actual, expected, what, eps = 0.0015) => assert.ok(Math.abs(actual - expected) <= eps, `${what}: ${actual} vs ${expected}`);

// Right answers by question index (of 4) for each participant; null: not taken.
const PRE = [[0], [0, 1], [], [0, 1, 2, 3], null];
const POST = [[0, 1, 2, 3], [0, 1, 2], [0, 1], [0, 1, 2, 3], [0]];

describe('the pre/post report', () => {
  let c;
  let pre;
  let post;
  let report;

  before(async () => {
    c = await quizClass(server, admin, {
      participants: 5,
      names: ['Ani', 'Budi', 'Citra', 'Dedi', 'Eka'],
      quizzes: [
        { quiz: { title: 'Pre-test', kind: 'pretest' }, questions: four('Pre') },
        { quiz: { title: 'Post-test', kind: 'posttest', pass_score: 60 }, questions: four('Post') },
      ],
    });
    [pre, post] = c.quizzes;
    for (const [i, p] of c.people.entries()) {
      for (const [quiz, plan] of [[pre, PRE[i]], [post, POST[i]]]) {
        if (plan === null) continue;
        const a = await started(base, p.token, c.cohort.id, quiz.id);
        await answerAll(base, p.token, a, quiz.questions, plan);
        await closed(base, p.token, a.id);
      }
    }
    report = expectStatus(await quizReport(base, c.instructor.token, c.cohort.id), 200, 'report');
  });

  test('each participant, the means, medians, gain and Hake\'s g, as computed from the answers', () => {
    const pct = (plan) => (plan === null ? null : (100 * plan.length) / 4);
    const rows = c.people.map((p, i) => ({ name: p.user.full_name, pre: pct(PRE[i]), post: pct(POST[i]) }));
    assert.equal(report.pretest.id, pre.id);
    assert.equal(report.posttest.id, post.id);
    for (const r of rows) {
      const got = report.participants.find((x) => x.user.full_name === r.name);
      assert.equal(got.pre, r.pre, `${r.name} pre`);
      assert.equal(got.post, r.post, `${r.name} post`);
      if (r.pre !== null) assert.equal(got.gain, r.post - r.pre, `${r.name} gain`);
      if (r.pre !== null && r.pre < 100) near(got.g, (r.post - r.pre) / (100 - r.pre), `${r.name} g`);
      else assert.equal(got.g, null, `${r.name}: g is undefined without room to gain`);
      assert.equal(got.passed, r.post >= 60, `${r.name} passed`);
    }
    const both = rows.filter((r) => r.pre !== null && r.post !== null);
    const s = report.summary;
    assert.equal(s.participants, 5);
    assert.equal(s.n_pre, 4);
    assert.equal(s.n_post, 5);
    assert.equal(s.n_both, 4);
    near(s.pre_mean, mean(rows.filter((r) => r.pre !== null).map((r) => r.pre)), 'pre mean', 0.006);
    near(s.pre_median, median(rows.filter((r) => r.pre !== null).map((r) => r.pre)), 'pre median', 0.006);
    near(s.post_mean, mean(rows.map((r) => r.post)), 'post mean', 0.006);
    near(s.post_median, median(rows.map((r) => r.post)), 'post median', 0.006);
    near(s.mean_gain, mean(both.map((r) => r.post - r.pre)), 'mean gain', 0.006);
    const mPre = mean(both.map((r) => r.pre));
    const mPost = mean(both.map((r) => r.post));
    near(s.hake_g, (mPost - mPre) / (100 - mPre), 'Hake ⟨g⟩ of the class averages');
    near(s.mean_g, mean(both.filter((r) => r.pre < 100).map((r) => (r.post - r.pre) / (100 - r.pre))), 'mean individual g');
    assert.equal(s.passed, 3);
    near(s.passed_share, 0.6, 'share passed');
  });

  test('item analysis: difficulty, discrimination by the upper and lower 27 %, options chosen', () => {
    const items = report.items.filter((it) => it.quiz_id === post.id);
    assert.equal(items.length, 4);
    const n = 5;
    const k = Math.max(1, Math.min(Math.floor(n / 2), Math.round(0.27 * n)));
    const ranked = POST.map((plan, i) => ({ i, score: plan.length })).sort((a, b) => b.score - a.score);
    const upper = ranked.slice(0, k);
    const lower = ranked.slice(-k);
    for (const [qi, it] of items.entries()) {
      const right = (who) => POST[who.i].includes(qi);
      assert.equal(it.n, n);
      near(it.difficulty, POST.filter((plan) => plan.includes(qi)).length / n, `difficulty of ${qi + 1}`);
      near(it.discrimination, upper.filter(right).length / k - lower.filter(right).length / k, `discrimination of ${qi + 1}`);
      assert.equal(it.upper_n, k);
      assert.equal(it.lower_n, k);
      const chosen = Object.fromEntries(it.options.map((o) => [o.text, o.chosen]));
      const wrongFirst = POST.filter((plan) => !plan.includes(qi)).length; // answerFor picks the first wrong option
      assert.deepEqual(chosen, { benar: n - wrongFirst, 'salah satu': wrongFirst, 'salah dua': 0 }, `options of ${qi + 1}`);
      assert.deepEqual(it.options.map((o) => o.correct), [true, false, false]);
    }
    assert.ok(report.items.some((it) => it.quiz_id === pre.id), 'the pre-test is analysed too');
  });

  test('the CSV holds all of it, in the Indonesian locale', async () => {
    const r = await quizReport(base, c.instructor.token, c.cohort.id, '?format=csv');
    assert.equal(r.status, 200, show(r));
    assert.match(r.headers['content-type'], /^text\/csv/);
    const rows = parseCsv(r.text.replace(/^\ufeff/, ''));
    assert.deepEqual(rows[0], ['nama', 'segmen', 'pre-test (%)', 'post-test (%)', 'gain (poin %)', 'g', 'lulus post-test']);
    const citra = rows.find((x) => x[0] === 'Citra');
    assert.deepEqual(citra.slice(2), ['0', '50', '50', '0,5', 'tidak']);
    const eka = rows.find((x) => x[0] === 'Eka');
    assert.deepEqual(eka.slice(2, 5), ['', '25', '']);
    const hake = rows.find((x) => x[0] === 'gain ternormalisasi <g> (Hake)');
    near(Number(hake[1].replace(',', '.')), report.summary.hake_g, 'Hake in the CSV');
    const head = rows.findIndex((x) => x[0] === 'kuis');
    assert.ok(head > 0, 'the item analysis section');
    const items = rows.slice(head + 1).filter((x) => x[0] === 'Post-test');
    assert.equal(items.length, 4);
    assert.equal(items[3][5], '0,4', 'difficulty with a decimal comma');
    assert.match(items[1][7], /^A ✓ 4 \| B 1 \| C 0$/);
    expectError(await quizReport(base, c.instructor.token, c.cohort.id, '?format=pdf'), 422, 'invalid_format', 'json or csv');
    const gain = await quizReport(base, c.instructor.token, c.cohort.id, `?pre=${pre.id}&post=${post.id}`);
    assert.equal(gain.json.summary.hake_g, report.summary.hake_g, 'named quizzes');
  });

  test('only the cohort\'s staff read it; the gradebook gains quiz columns', async () => {
    expectError(await quizReport(base, c.people[0].token, c.cohort.id), 403, 'forbidden', 'participant');
    const other = await quizClass(server, admin, { participants: 0, quizzes: [] });
    expectError(await quizReport(base, other.instructor.token, c.cohort.id), 404, 'not_found', 'another cohort\'s instructor');
    const book = expectStatus(await gradebook(base, c.instructor.token, c.cohort.id), 200, 'gradebook');
    assert.deepEqual(book.quizzes.map((q) => q.title), ['Pre-test', 'Post-test']);
    const budi = book.rows.find((r) => r.user.full_name === 'Budi');
    assert.deepEqual(budi.quizzes.map((q) => [q.status, q.percent, q.passed]), [['done', 50, null], ['done', 75, true]]);
    const csv = await gradebook(base, c.instructor.token, c.cohort.id, 'csv');
    const rows = parseCsv(csv.text.replace(/^\ufeff/, ''));
    assert.ok(rows[0].includes('Post-test — nilai (%)'), rows[0].join('|'));
    assert.equal(rows.find((x) => x[0] === 'Budi')[rows[0].indexOf('Post-test — nilai (%)')], '75,00');
    const list = expectStatus(await cohortQuizzes(base, c.instructor.token, c.cohort.id), 200, 'staff list');
    assert.deepEqual(list.items.map((q) => [q.title, q.participants_done]), [['Pre-test', 4], ['Post-test', 5]]);
  });
});

// Everything a cohort's staff can read of it, as [what, response].
async function staffReads(cls, staff, survey) {
  const cid = cls.cohort.id;
  const get = (path) => call(base, 'GET', path, { token: staff.token });
  const out = [
    ['results', await surveyResults(base, staff.token, cid, survey.id)],
    ['results csv', await surveyResults(base, staff.token, cid, survey.id, '?format=csv')],
    ['attempts', await quizAttempts(base, staff.token, cid, survey.id)],
    ['quiz report', await quizReport(base, staff.token, cid)],
    ['quiz report csv', await quizReport(base, staff.token, cid, '?format=csv')],
    ['gradebook', await gradebook(base, staff.token, cid)],
    ['gradebook csv', await gradebook(base, staff.token, cid, 'csv')],
    ['eligibility', await eligibility(base, staff.token, cid)],
    ['registrations', await get(`/api/v1/cohorts/${cid}/registrations`)],
    ['registrations csv', await get(`/api/v1/cohorts/${cid}/registrations?format=csv`)],
    ['quizzes', await cohortQuizzes(base, staff.token, cid)],
    ['survey page', await get(`/api/v1/cohorts/${cid}/quizzes/${survey.id}`)],
    ['attendance', await get(`/api/v1/cohorts/${cid}/attendance`)],
    ['modules', await get(`/api/v1/cohorts/${cid}/modules`)],
  ];
  const attempts = out[2][1].json?.items ?? [];
  for (const a of attempts) out.push([`attempt ${a.user.full_name}`, await getAttempt(base, staff.token, a.id)]);
  return out;
}

describe('surveys', () => {
  let c;
  let anon;
  let named;
  const said = (p) => `SARAN-${p.user.full_name.replace(/\s+/g, '-').toUpperCase()}-${p.id.slice(0, 6)}`;

  before(async () => {
    const items = [
      { type: 'likert', stem_md: 'Materi mudah dipahami' },
      { type: 'single', stem_md: 'Dari mana tahu pelatihan ini?', options: [{ text_md: 'Instagram' }, { text_md: 'Teman' }, { text_md: 'Dinas' }] },
      { type: 'text', stem_md: 'Saran untuk kami' },
    ];
    c = await quizClass(server, admin, {
      participants: 3,
      names: ['Sri Wahyuni', 'Agus Salim', 'Rina Marlina'],
      quizzes: [
        { quiz: { title: 'Survei anonim', kind: 'survey', anonymous: true, layout: 'all' }, questions: items },
        { quiz: { title: 'Survei bernama', kind: 'survey' }, questions: items },
      ],
    });
    [anon, named] = c.quizzes;
    const likert = [5, 4, 5];
    for (const [i, p] of c.people.entries()) {
      for (const quiz of [anon, named]) {
        const a = await started(base, p.token, c.cohort.id, quiz.id);
        const [lk, src, txt] = quiz.questions;
        await saved(base, p.token, a.id, lk.id, { value: likert[i] });
        await saved(base, p.token, a.id, src.id, { option_ids: [src.options[i % 2].id] });
        await saved(base, p.token, a.id, txt.id, { text: said(p) });
        const done = await closed(base, p.token, a.id);
        assert.equal(done.status, 'closed');
        assert.ok(!('score' in done), 'a survey has no score');
      }
    }
  });

  test('results: distributions, the mean, free texts sorted by their words; CSV', async () => {
    const r = expectStatus(await surveyResults(base, c.instructor.token, c.cohort.id, anon.id), 200, 'results');
    assert.equal(r.respondents, 3);
    const [lk, src, txt] = r.questions;
    assert.deepEqual(lk.distribution.map((d) => d.count), [0, 0, 0, 1, 2]);
    near(lk.mean, 14 / 3, 'Likert mean', 0.006);
    assert.deepEqual(src.options.map((o) => [o.text, o.count]), [['Instagram', 2], ['Teman', 1], ['Dinas', 0]]);
    assert.deepEqual(txt.texts.map((t) => t.text), c.people.map(said).sort(), 'texts in the order of their words');
    assert.ok(txt.texts.every((t) => Object.keys(t).join() === 'text'), 'and nothing else');
    const csv = await surveyResults(base, c.instructor.token, c.cohort.id, anon.id, '?format=csv');
    const rows = parseCsv(csv.text.replace(/^\ufeff/, ''));
    assert.deepEqual(rows[1].slice(0, 6), ['1', 'Materi mudah dipahami', 'likert', '3', '1: 0 | 2: 0 | 3: 0 | 4: 1 | 5: 2', '4,67']);
    expectError(await surveyResults(base, c.people[0].token, c.cohort.id, anon.id), 403, 'forbidden', 'participants');
  });

  test('anonymous answers cannot be joined to a user by any staff route or export', async () => {
    const texts = c.people.map(said);
    const idents = c.people.flatMap((p) => [p.id, p.user.full_name, p.email]);
    for (const staff of [c.instructor, admin]) {
      for (const [what, r] of await staffReads(c, staff, anon)) {
        assert.ok(r.status < 300, `${what}: ${show(r)}`);
        if (!texts.some((t) => r.text.includes(t))) continue;
        for (const id of idents) assert.ok(!r.text.includes(id), `${what} holds an answer and ${id}`);
      }
    }
    // the participants themselves cannot read their anonymous answers back either
    const a = expectStatus(await quizAttempts(base, c.instructor.token, c.cohort.id, anon.id), 200, 'attempts').items[0];
    assert.equal(a.score, null);
    for (const p of c.people) {
      const mine = expectStatus(await call(base, 'GET', `/api/v1/cohorts/${c.cohort.id}/quizzes/${anon.id}`, { token: p.token }), 200, 'page');
      assert.equal(mine.answered, true, 'the separate record says they answered');
      const back = expectStatus(await getAttempt(base, p.token, mine.attempts[0].id), 200, 'own attempt');
      assert.ok(!texts.some((t) => JSON.stringify(back).includes(t)), 'no answers kept with the attempt');
    }
  });

  test('a named survey does join them: the check above can see a join', async () => {
    const r = await surveyResults(base, c.instructor.token, c.cohort.id, named.id);
    const p = c.people[1];
    const t = r.json.questions[2].texts.find((x) => x.text === said(p));
    assert.equal(t.user.full_name, p.user.full_name);
    assert.ok(r.text.includes(said(p)) && r.text.includes(p.id), 'text and user in one body');
  });
});

describe('certificate rules: post-test at least X, survey answered', () => {
  test('eligibility names what is missing; issuing follows; the credential says so', async () => {
    const c = await quizClass(server, admin, {
      participants: 4,
      names: ['Lulus Lengkap', 'Nilai Kurang', 'Tanpa Survei', 'Belum Apa-apa'],
      cohort: LAST_DAY, // certificates are issued from the last day on (issue 12)
      quizzes: [
        { quiz: { title: 'Post-test', kind: 'posttest' }, questions: four('Akhir') },
        { quiz: { title: 'Survei evaluasi', kind: 'survey' }, questions: [{ type: 'likert', stem_md: 'Puas?' }] },
      ],
    });
    const [post, survey] = c.quizzes;
    expectError(await putRules(base, admin.token, c.cohort.id, { min_posttest_percent: 120 }), 422, 'invalid_certificate_rules', 'over 100');
    expectError(await putRules(base, admin.token, c.cohort.id, { require_survey: 'yes' }), 422, 'invalid_certificate_rules', 'not a boolean');
    const rules = expectStatus(await putRules(base, admin.token, c.cohort.id, { min_lesson_percent: 0, require_assignments_passed: false, min_posttest_percent: 70, require_survey: true }), 200, 'rules');
    assert.equal(rules.min_posttest_percent, 70);
    const plans = [[0, 1, 2], [0, 1], [0, 1, 2, 3], null];
    for (const [i, p] of c.people.entries()) {
      if (plans[i] !== null) {
        const a = await started(base, p.token, c.cohort.id, post.id);
        await answerAll(base, p.token, a, post.questions, plans[i]);
        await closed(base, p.token, a.id);
      }
      if (i < 2) {
        const s = await started(base, p.token, c.cohort.id, survey.id);
        await saved(base, p.token, s.id, survey.questions[0].id, { value: 4 });
        await closed(base, p.token, s.id);
      }
    }
    const e = expectStatus(await eligibility(base, admin.token, c.cohort.id), 200, 'eligibility');
    const [full, low, nosurvey, none] = c.people;
    assert.deepEqual(itemOf(e, full.id).missing, []);
    assert.deepEqual(itemOf(e, low.id).missing, [{ code: 'posttest_score', quiz_id: post.id, title: 'Post-test', have: 50, need: 70 }]);
    assert.deepEqual(codes(itemOf(e, nosurvey.id).missing), ['survey']);
    assert.deepEqual(codes(itemOf(e, none.id).missing), ['posttest_missing', 'survey']);
    const own = expectStatus(await eligibility(base, low.token, c.cohort.id), 200, 'own row');
    assert.equal(own.items[0].missing[0].have, 50, 'a participant sees their own post-test shortfall');
    const out = expectStatus(await issue(base, admin.token, c.cohort.id), 200, 'issue');
    assert.equal(out.issued, 1);
    assert.deepEqual(out.not_eligible.map((x) => x.user.id).sort(), [low.id, nosurvey.id, none.id].sort());
    const certs = expectStatus(await call(base, 'GET', '/api/v1/me/certificates', { token: full.token }), 200, 'mine');
    const token = await tokenOf(base, certs.items[0].id);
    const narrative = decodeJws(token).payload.credentialSubject.achievement.criteria.narrative;
    assert.match(narrative, /nilai post-test minimal 70/);
    assert.match(narrative, /mengisi survei evaluasi/);
  });
});
