// Authoring quizzes (issue 15): a quiz in a draft module (members,
// defaults by kind, every refusal with its code and nothing stored), its
// questions of every type, who may author (admins and the programme's
// cohort instructors; 404 for others, 403 for participants), the preview
// as a participant sees it (Markdown rendered with the lessons' safety),
// publishing with the programme's next version (later draft edits never
// reach it; a cohort's attempts keep what they drew), and the question bank
// as CSV: an Indonesian spreadsheet's file (BOM, ';', decimal comma,
// Windows-1252 from Excel) imported all or nothing, exported, and imported
// again into another programme's quiz unchanged.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/harness.mjs';
import { call, show, sql, lit, newAdmin, newParticipant } from './lib/accounts.mjs';
import { programme, addInstructor, newInstructor, parseCsv } from './lib/cohorts.mjs';
import { expectStatus, expectError, getDraft, newModule, published, cohortOf, publicSeats, htmlProblems } from './lib/content.mjs';
import {
  addQuiz, getQuiz, putQuiz, delQuiz, previewQuiz, addQuestion, putQuestion, delQuestion, listQuestions, importCsv, newQuiz,
  newQuestion, single, started, getAttempt, quizClass,
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

const quizRows = (moduleId) => sql(server, `select count(*) from quizzes where module_id = ${lit(moduleId)}`).then(Number);
const questionRows = (quizId) => sql(server, `select count(*) from quiz_questions where quiz_id = ${lit(quizId)}`).then(Number);

describe('quizzes in the draft', () => {
  let prog;
  let mod;

  before(async () => {
    prog = await programme(base, admin, { publish: false });
    mod = await newModule(base, admin.token, prog.slug, 'Evaluasi');
  });

  test('created with the members given and defaults by kind', async () => {
    const r = await addQuiz(base, admin.token, mod.id, { title: 'Pre-test', kind: 'pretest', time_limit_s: 900, max_attempts: 1, pass_score: 60, shuffle: true });
    const { quiz } = expectStatus(r, 201, 'create');
    assert.deepEqual(
      { title: quiz.title, kind: quiz.kind, time_limit_s: quiz.time_limit_s, max_attempts: quiz.max_attempts, pass_score: quiz.pass_score, shuffle: quiz.shuffle, review: quiz.review, grading: quiz.grading, layout: quiz.layout, questions: quiz.questions },
      { title: 'Pre-test', kind: 'pretest', time_limit_s: 900, max_attempts: 1, pass_score: 60, shuffle: true, review: 'score_only', grading: 'first', layout: 'one', questions: [] },
    );
    const post = (await newQuiz(base, admin.token, mod.id, { title: 'Post-test', kind: 'posttest' }));
    assert.equal(post.review, 'after_close', 'a post-test shows its key once it closes for the cohort');
    assert.equal(post.grading, 'best');
    assert.equal(post.time_limit_s, null);
    const survey = await newQuiz(base, admin.token, mod.id, { title: 'Survei', kind: 'survey', anonymous: true, layout: 'all' });
    assert.equal(survey.anonymous, true);
    const draft = expectStatus(await getDraft(base, admin.token, prog.slug), 200, 'draft');
    assert.deepEqual(draft.modules[0].quizzes.map((q) => q.title), ['Pre-test', 'Post-test', 'Survei'], 'the draft lists them in order');
  });

  test('every refusal has its code and stores nothing', async () => {
    const before = await quizRows(mod.id);
    const bad = [
      [{ kind: 'check' }, 'invalid_title'],
      [{ title: 'x', kind: 'exam' }, 'invalid_kind'],
      [{ title: 'x', kind: 'check', time_limit_s: 10 }, 'invalid_time_limit'],
      [{ title: 'x', kind: 'check', time_limit_s: 1e12 }, 'invalid_time_limit'],
      [{ title: 'x', kind: 'check', time_limit_s: 60.5 }, 'invalid_time_limit'],
      [{ title: 'x', kind: 'check', max_attempts: 0 }, 'invalid_max_attempts'],
      [{ title: 'x', kind: 'check', pass_score: 101 }, 'invalid_pass_score'],
      [{ title: 'x', kind: 'survey', pass_score: 50 }, 'invalid_pass_score'],
      [{ title: 'x', kind: 'check', anonymous: true }, 'invalid_anonymous'],
      [{ title: 'x', kind: 'check', review: 'sometimes' }, 'invalid_review'],
      [{ title: 'x', kind: 'check', layout: 'grid' }, 'invalid_layout'],
      [{ title: 'x', kind: 'check', pick: [{ tag: 'a', count: 0 }] }, 'invalid_pick'],
      [{ title: 'x', kind: 'check', pick: [{ tags: 'a', count: 1 }] }, 'invalid_pick'],
      [{ title: 'x', kind: 'check', shuffle: 'yes' }, 'invalid_field'],
      [{ title: 'x', kind: 'check', score: 100 }, 'unknown_field'],
    ];
    for (const [body, code] of bad) expectError(await addQuiz(base, admin.token, mod.id, body), 422, code, JSON.stringify(body));
    assert.equal(await quizRows(mod.id), before);
  });

  test('questions of every type; refusals by kind', async () => {
    const quiz = await newQuiz(base, admin.token, mod.id, { title: 'Semua tipe', kind: 'check' });
    const made = [
      await newQuestion(base, admin.token, quiz.id, single('Pilih satu', ['a', 'b'], 'b', { explanation_md: 'Karena *b*.' })),
      await newQuestion(base, admin.token, quiz.id, { type: 'multiple', stem_md: 'Pilih dua', options: [{ text_md: 'a', correct: true }, { text_md: 'b', correct: true }, { text_md: 'c' }], scoring: 'partial', points: 2 }),
      await newQuestion(base, admin.token, quiz.id, { type: 'true_false', stem_md: 'Benar?', answer: { value: false } }),
      await newQuestion(base, admin.token, quiz.id, { type: 'short_text', stem_md: 'Kota?', answer: { text: 'Malang' } }),
      await newQuestion(base, admin.token, quiz.id, { type: 'numeric', stem_md: 'Pi?', answer: { value: 3.14, tolerance: 0.01 } }),
    ];
    assert.deepEqual(made.map((q) => q.type), ['single', 'multiple', 'true_false', 'short_text', 'numeric']);
    assert.equal(made[1].scoring, 'partial');
    assert.deepEqual(made[4].answer, { value: 3.14, tolerance: 0.01 });
    assert.ok(made[0].options.every((o) => /^[A-Za-z0-9_-]{22}$/.test(o.id)), 'random option ids');
    expectError(await addQuestion(base, admin.token, quiz.id, { type: 'likert', stem_md: 'Puas?' }), 422, 'question_type_not_allowed', 'likert in a graded quiz');
    expectError(await addQuestion(base, admin.token, quiz.id, { type: 'essay', stem_md: 'x' }), 422, 'invalid_type', 'an unknown type');
    expectError(await addQuestion(base, admin.token, quiz.id, single('x', ['a', 'b'], 'c')), 422, 'invalid_key', 'no right option');
    expectError(await addQuestion(base, admin.token, quiz.id, { type: 'numeric', stem_md: 'x' }), 422, 'invalid_key', 'a number without its key');
    expectError(await addQuestion(base, admin.token, quiz.id, { type: 'single', stem_md: 'x', options: [{ text_md: 'a', correct: true, weight: 2 }, { text_md: 'b' }] }), 422, 'invalid_options', 'unknown option member');
    expectError(await addQuestion(base, admin.token, quiz.id, { type: 'single', stem_md: 'x', options: 'a,b' }), 422, 'invalid_options', 'options not an array');
    expectError(await addQuestion(base, admin.token, quiz.id, { ...single('x', ['a', 'b'], 'a'), points: 0 }), 422, 'invalid_points', 'no points');
    expectError(await addQuestion(base, admin.token, quiz.id, { ...single('x', ['a', 'b'], 'a'), tags: ['x'.repeat(51)] }), 422, 'invalid_tags', 'a long tag');
    expectError(await addQuestion(base, admin.token, quiz.id, { ...single('x', ['a', 'b'], 'a'), correct: 'a' }), 422, 'unknown_field', 'an unknown member');
    assert.equal(await questionRows(quiz.id), 5);
    const survey = await newQuiz(base, admin.token, mod.id, { title: 'Survei 2', kind: 'survey' });
    await newQuestion(base, admin.token, survey.id, { type: 'likert', stem_md: 'Materi mudah dipahami' });
    await newQuestion(base, admin.token, survey.id, { type: 'text', stem_md: 'Saran' });
    await newQuestion(base, admin.token, survey.id, { type: 'single', stem_md: 'Sumber info', options: [{ text_md: 'Instagram' }, { text_md: 'Teman' }] });
    expectError(await addQuestion(base, admin.token, survey.id, single('x', ['a', 'b'], 'a')), 422, 'invalid_options', 'a survey item with a right option');
    expectError(await addQuestion(base, admin.token, survey.id, { type: 'short_text', stem_md: 'x', answer: { text: 'y' } }), 422, 'question_type_not_allowed', 'a graded type in a survey');
  });

  test('editing and removing; the kind stays once questions exist', async () => {
    const quiz = await newQuiz(base, admin.token, mod.id, { title: 'Edit', kind: 'check' });
    const q = await newQuestion(base, admin.token, quiz.id, single('Lama?', ['a', 'b'], 'a'));
    const edited = expectStatus(await putQuestion(base, admin.token, q.id, { stem_md: 'Baru?', options: [{ id: q.options[0].id, text_md: 'a' }, { id: q.options[1].id, text_md: 'b', correct: true }] }), 200, 'edit').question;
    assert.equal(edited.stem_md, 'Baru?');
    assert.deepEqual(edited.options.map((o) => [o.id, o.correct]), [[q.options[0].id, false], [q.options[1].id, true]], 'option ids kept when sent');
    const retyped = expectStatus(await putQuestion(base, admin.token, q.id, { type: 'short_text', answer: { text: 'b' } }), 200, 'new type').question;
    assert.deepEqual([retyped.type, retyped.options, retyped.answer], ['short_text', [], { text: 'b' }], 'a new type starts without the old options');
    expectError(await putQuiz(base, admin.token, quiz.id, { kind: 'survey' }), 409, 'kind_fixed', 'kind with questions');
    expectStatus(await putQuiz(base, admin.token, quiz.id, { title: 'Diubah', time_limit_s: null, max_attempts: null }), 200, 'edit quiz');
    const got = expectStatus(await getQuiz(base, admin.token, quiz.id), 200, 'read').quiz;
    assert.deepEqual([got.title, got.time_limit_s, got.max_attempts, got.questions.length], ['Diubah', null, null, 1]);
    expectStatus(await delQuestion(base, admin.token, q.id), 204, 'remove question');
    expectStatus(await delQuiz(base, admin.token, quiz.id), 204, 'remove quiz');
    expectError(await getQuiz(base, admin.token, quiz.id), 404, 'not_found', 'gone');
  });

  test('who may author', async () => {
    const quiz = await newQuiz(base, admin.token, mod.id, { title: 'Siapa', kind: 'check' });
    const stranger = await newInstructor(server);
    expectError(await addQuiz(base, stranger.token, mod.id, { title: 'x', kind: 'check' }), 404, 'not_found', 'an instructor of no cohort of it');
    expectError(await getQuiz(base, stranger.token, quiz.id), 404, 'not_found', 'reads nothing');
    expectError(await addQuestion(base, stranger.token, quiz.id, single('x', ['a', 'b'], 'a')), 404, 'not_found', 'adds nothing');
    expectError(await previewQuiz(base, stranger.token, quiz.id), 404, 'not_found', 'previews nothing');
    const p = await newParticipant(base);
    expectError(await getQuiz(base, p.token, quiz.id), 403, 'forbidden', 'participants are not authors');
    // an instructor of one of the programme's cohorts may
    await published(base, admin.token, prog.slug);
    const cohort = await cohortOf(base, admin, prog.slug, publicSeats(5));
    const teacher = await newInstructor(server);
    expectStatus(await addInstructor(base, admin.token, cohort.id, teacher.id), 201, 'instructor');
    expectStatus(await addQuestion(base, teacher.token, quiz.id, single('Boleh?', ['ya', 'tidak'], 'ya')), 201, 'the cohort\'s instructor');
  });
});

describe('preview and publishing', () => {
  test('the preview renders Markdown as publishing will, inert', async () => {
    const prog = await programme(base, admin, { publish: false });
    const mod = await newModule(base, admin.token, prog.slug, 'Modul');
    const quiz = await newQuiz(base, admin.token, mod.id, { title: 'Aman', kind: 'check', description_md: 'Kerjakan **sendiri**.' });
    await newQuestion(base, admin.token, quiz.id, {
      type: 'single', stem_md: 'Mana yang **tebal**? <script>alert(1)</script> [x](javascript:alert(1))',
      options: [{ text_md: '<img src=x onerror=alert(1)>', correct: true }, { text_md: '`kode`' }], explanation_md: 'Lihat [materi](https://example.org).',
    });
    const pv = expectStatus(await previewQuiz(base, admin.token, quiz.id), 200, 'preview');
    assert.match(pv.quiz.description_html, /<strong>sendiri<\/strong>/);
    const [q] = pv.questions;
    assert.match(q.stem_html, /<strong>tebal<\/strong>/);
    for (const html of [q.stem_html, ...q.options.map((o) => o.text_html), q.review.explanation_html]) {
      assert.deepEqual(htmlProblems(html), [], `inert: ${html}`);
    }
    assert.equal(q.options[1].text_html, '<p><code>kode</code></p>\n');
    assert.deepEqual(q.review.key.option_ids, [q.options[0].id], 'authors see the key in the preview');
  });

  test('published with the version; later draft edits never reach it; attempts keep what they drew', async () => {
    const c = await quizClass(server, admin, {
      participants: 1,
      quizzes: [{ quiz: { title: 'Versi', kind: 'check', description_md: 'Versi *satu*' }, questions: [single('Versi satu?', ['a', 'b'], 'a', { explanation_md: 'Satu.' })] }],
    });
    const [quiz] = c.quizzes;
    const [q] = quiz.questions;
    const html = await sql(server, `select stem_html from version_questions where question_id = ${lit(q.id)} and version = 1`);
    assert.equal(html, '<p>Versi satu?</p>\n', 'rendered once, at publish time');
    const a = await started(base, c.people[0].token, c.cohort.id, quiz.id);
    expectStatus(await putQuestion(base, admin.token, q.id, { stem_md: 'Versi dua?' }), 200, 'edit the draft');
    await newQuestion(base, admin.token, quiz.id, single('Soal baru?', ['a', 'b'], 'b'));
    const again = expectStatus(await getAttempt(base, c.people[0].token, a.id), 200, 'read');
    assert.equal(again.questions.length, 1);
    assert.equal(again.questions[0].stem_html, '<p>Versi satu?</p>\n', 'the cohort still reads version 1');
    const v2 = expectStatus(await call(base, 'POST', `/api/v1/programmes/${c.slug}/versions`, { token: admin.token }), 201, 'publish v2');
    assert.equal(v2.version, 2);
    assert.equal(await sql(server, `select count(*) from version_questions where quiz_id = ${lit(quiz.id)} and version = 2`), '2');
    const hashes = (await sql(server, `select content_hash from content_versions where programme_id = ${lit(c.programme.id)} order by version`)).split('\n');
    assert.notEqual(hashes[0], hashes[1], 'the content hash covers the questions');
    expectStatus(await call(base, 'PUT', `/api/v1/cohorts/${c.cohort.id}/content-version`, { token: admin.token, json: { version: 2 } }), 200, 'move the cohort');
    const kept = expectStatus(await getAttempt(base, c.people[0].token, a.id), 200, 'read after the move');
    assert.equal(kept.questions[0].stem_html, '<p>Versi satu?</p>\n', 'the attempt keeps the version it started on');
    const err = await sql(server, `update version_questions set stem_md = 'diubah' where question_id = ${lit(q.id)}`).catch((e) => e);
    assert.match(String(err.message), /published content is immutable/, 'the database refuses');
  });

  // issue 12's "what moving a cohort changes" covers quizzes too
  test('moving a cohort lists the quizzes a newer version adds, removes and changes', async () => {
    const c = await quizClass(server, admin, {
      participants: 0,
      quizzes: ['Tetap', 'Soal diubah', 'Kunci diubah', 'Dihapus'].map((title) => ({ quiz: { title, kind: 'check' }, questions: [single(`${title}?`, ['a', 'b'], 'a')] })),
    });
    const [keep, stem, key, gone] = c.quizzes;
    expectStatus(await putQuestion(base, admin.token, stem.questions[0].id, { stem_md: 'Soal baru?' }), 200, 'a stem');
    const [o1, o2] = key.questions[0].options;
    expectStatus(await putQuestion(base, admin.token, key.questions[0].id, { options: [{ id: o1.id, text_md: 'a' }, { id: o2.id, text_md: 'b', correct: true }] }), 200, 'only the key');
    expectStatus(await delQuiz(base, admin.token, gone.id), 204, 'remove');
    const added = await newQuiz(base, admin.token, c.module.id, { title: 'Survei baru', kind: 'survey' });
    await published(base, admin.token, c.slug);
    const ch = expectStatus(await call(base, 'GET', `/api/v1/cohorts/${c.cohort.id}/content-version/changes?to=2`, { token: c.instructor.token }), 200, 'changes');
    assert.deepEqual(ch.quizzes.added, [{ id: added.id, title: 'Survei baru' }]);
    assert.deepEqual(ch.quizzes.removed, [{ id: gone.id, title: 'Dihapus' }]);
    assert.deepEqual(ch.quizzes.edited.map((x) => x.id).sort(), [stem.id, key.id].sort(), 'a stem or a key changed');
    assert.ok(!JSON.stringify(ch.quizzes).includes(keep.id), 'an unchanged quiz is not listed (its HTML rendered again)');
    assert.deepEqual(ch.lessons, { added: [], removed: [], edited: [] });
  });
});

describe('the question bank as CSV', () => {
  let mod;
  let quiz;

  before(async () => {
    const prog = await programme(base, admin, { publish: false });
    mod = await newModule(base, admin.token, prog.slug, 'Bank');
    quiz = await newQuiz(base, admin.token, mod.id, { title: 'Dari spreadsheet', kind: 'posttest' });
  });

  // As Excel in the Indonesian locale saves "CSV UTF-8": BOM, ';', CRLF,
  // decimal comma, a cell with a line break and a ';' inside quotes.
  const SHEET = '\ufeff' + [
    'Tipe;Soal;Opsi A;Opsi B;Opsi C;Opsi D;Kunci;Toleransi;Poin;Penilaian;Penjelasan;Tag',
    'pg;Ibu kota Jawa Timur?;Malang;Surabaya;Kediri;;B;;1;;Surabaya ibu kotanya.;geografi, mudah',
    'pg_kompleks;"Pilih platform video; dua jawaban";TikTok;Excel;YouTube;;A, C;;2;sebagian;;media',
    'benar_salah;Video vertikal cocok untuk ponsel.;;;;;benar;;1;;;',
    'isian;Singkatan Usaha Mikro Kecil Menengah?;;;;;UMKM;;1;;;',
    'angka;"Berapa persen\ndiskon 1/4?";;;;;25;0,5;1,5;;;',
    ';;;;;;;;;;;',
  ].join('\r\n') + '\r\n';

  test('an Indonesian sheet imports, every type, all at once', async () => {
    const r = await importCsv(base, admin.token, quiz.id, SHEET);
    const { imported, questions } = expectStatus(r, 201, 'import');
    assert.equal(imported, 5);
    const [pg, multi, tf, isian, angka] = questions;
    assert.deepEqual(pg.options.map((o) => [o.text_md, o.correct]), [['Malang', false], ['Surabaya', true], ['Kediri', false]]);
    assert.deepEqual(pg.tags, ['geografi', 'mudah']);
    assert.equal(pg.explanation_md, 'Surabaya ibu kotanya.');
    assert.equal(multi.stem_md, 'Pilih platform video; dua jawaban');
    assert.deepEqual(multi.options.filter((o) => o.correct).map((o) => o.text_md), ['TikTok', 'YouTube']);
    assert.equal(multi.scoring, 'partial');
    assert.equal(multi.points, 2);
    assert.deepEqual(tf.answer, { value: true });
    assert.deepEqual(isian.answer, { text: 'UMKM' });
    assert.equal(angka.stem_md, 'Berapa persen\ndiskon 1/4?');
    assert.deepEqual(angka.answer, { value: 25, tolerance: 0.5 });
    assert.equal(angka.points, 1.5);
  });

  test('Excel\'s Windows-1252 "CSV" and commas as separators are read too', async () => {
    const q2 = await newQuiz(base, admin.token, mod.id, { title: 'Latin-1', kind: 'check' });
    const text = 'tipe,soal,kunci\r\nisian,Kota di Jawa Timur dengan "é"?,Café\r\n';
    const bytes = Buffer.from(text, 'latin1');
    const r = await importCsv(base, admin.token, q2.id, bytes);
    const { questions } = expectStatus(r, 201, 'import');
    assert.equal(questions[0].answer.text, 'Café');
    assert.equal(questions[0].stem_md, 'Kota di Jawa Timur dengan "é"?');
  });

  test('a bad row refuses the whole file and names its row', async () => {
    const q3 = await newQuiz(base, admin.token, mod.id, { title: 'Salah', kind: 'check' });
    const cases = [
      ['tipe;soal;kunci\npg;Tanpa opsi;A\n', 'invalid_key', 2],
      ['tipe;soal;opsi_a;opsi_b;kunci\npg;Baik;a;b;A\npg;Buruk;a;b;C\n', 'invalid_key', 3],
      ['tipe;soal;opsi_a;opsi_b;kunci\npg;Baik;a;b;A\n\npg;Dua benar;a;b;A,B\n', 'invalid_key', 4],
      ['tipe;soal;kunci\nangka;Berapa?;dua\n', 'invalid_key', 2],
      ['tipe;soal;kunci\nujian;Apa?;x\n', 'invalid_type', 2],
      ['tipe;soal;kunci;nilai_tambah\nisian;Apa?;x;1\n', 'unknown_column', 1],
      ['soal;kunci\nApa?;x\n', 'missing_column', 1],
      ['tipe;soal;kunci\nisian;"tidak ditutup;x\n', 'invalid_csv', 2],
      ['tipe;soal;kunci\nlikert;Puas?;\n', 'question_type_not_allowed', 2],
      ['\n\n', 'invalid_csv', 1],
    ];
    for (const [csv, code, row] of cases) {
      const r = await importCsv(base, admin.token, q3.id, csv);
      expectError(r, 422, code, JSON.stringify(csv));
      assert.equal(r.json.error.details?.row, row, `row of ${JSON.stringify(csv)}: ${show(r)}`);
    }
    assert.equal(await questionRows(q3.id), 0, 'nothing stored');
    const big = 'tipe;soal;kunci\n' + 'isian;x;y\n'.repeat(110000);
    const r = await importCsv(base, admin.token, q3.id, big);
    assert.equal(r.status, 413, `over the limit: ${show(r)}`);
  });

  test('exported and imported into another programme unchanged', async () => {
    const out = await listQuestions(base, admin.token, quiz.id, '?format=csv');
    assert.equal(out.status, 200, show(out));
    assert.match(out.headers['content-type'], /^text\/csv/);
    assert.match(out.headers['content-disposition'], /attachment/);
    assert.ok(out.text.startsWith('\ufeff'), 'a BOM for the spreadsheet');
    const rows = parseCsv(out.text.replace(/^\ufeff/, ''));
    assert.deepEqual(rows[0].slice(0, 6), ['tipe', 'soal', 'opsi_a', 'opsi_b', 'opsi_c', 'opsi_d']);
    assert.equal(rows[1][rows[0].indexOf('kunci')], 'B');
    assert.equal(rows[2][rows[0].indexOf('kunci')], 'A, C');
    assert.equal(rows[5][rows[0].indexOf('toleransi')], '0,5');
    const other = await programme(base, admin, { publish: false });
    const otherMod = await newModule(base, admin.token, other.slug, 'Salinan');
    const copy = await newQuiz(base, admin.token, otherMod.id, { title: 'Salinan', kind: 'posttest' });
    expectStatus(await importCsv(base, admin.token, copy.id, out.text), 201, 're-import');
    const strip = (qs) => qs.map(({ type, stem_md, answer, points, scoring, explanation_md, tags, options }) => ({
      type, stem_md, answer, points, scoring, explanation_md, tags, options: options.map((o) => [o.text_md, o.correct]),
    }));
    const a = expectStatus(await listQuestions(base, admin.token, quiz.id), 200, 'list').items;
    const b = expectStatus(await listQuestions(base, admin.token, copy.id), 200, 'list copy').items;
    assert.deepEqual(strip(b), strip(a), 'the same bank');
    expectError(await listQuestions(base, admin.token, quiz.id, '?format=xls'), 422, 'invalid_format', 'csv or json');
  });
});

describe('a participant\'s view of a published quiz', () => {
  test('the module tree lists quizzes with the caller\'s standing', async () => {
    const c = await quizClass(server, admin, {
      participants: 1,
      quizzes: [{ quiz: { title: 'Kuis pohon', kind: 'check', time_limit_s: 600, max_attempts: 3 }, questions: [single('1?', ['1', '2'], '1')] }],
    });
    const tree = expectStatus(await call(base, 'GET', `/api/v1/cohorts/${c.cohort.id}/modules`, { token: c.people[0].token }), 200, 'tree');
    const [item] = tree.modules[0].quizzes;
    assert.deepEqual(item, { id: c.quizzes[0].id, title: 'Kuis pohon', kind: 'check', time_limit_s: 600, max_attempts: 3, open: true, attempts_used: 0, status: 'not_started' });
  });
});
