// Quizzes in the browser (issue 15), at 360x800 with one Chromium: a
// participant takes the pre-test one question a screen, loses the
// connection half-way (Playwright offline: the answer given meanwhile is
// kept on the phone, says so, and is not on the server), comes back (it is
// sent by itself), reloads (the attempt resumes with its answers) and
// finishes; takes the post-test (all on one page) and sees the review;
// the certificate waits for the evaluation survey (the admin's page says
// so), which the participant then answers; the certificate is issued; the
// instructor's report shows the gain and Hake's ⟨g⟩. Then an author adds a
// quiz from the content editor, writes a question, imports a CSV bank and
// previews it as a participant. axe and screenshots on every screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser, closeBrowser, pageReady, axeCheck, screenshot, assertNoProblems, assertCleanText } from './lib/browser.mjs';
import { signedInPage, open, checkPage, waitText, onFailureShot } from './staff_helpers.mjs';
import { newAdmin, sql, lit } from '../api/lib/accounts.mjs';
import { startCertServer, putRules, eligibility, itemOf, issued } from '../api/lib/certificates.mjs';
import { expectStatus } from '../api/lib/content.mjs';
import { quizClass, single, LAST_DAY } from '../api/lib/quizzes.mjs';

let server;
let browser;
let admin;
let c;
let dir;

const PRE = [
  single('Berapa detik durasi ideal video TikTok promosi?', ['15–30 detik', '10 menit', '1 jam'], '15–30 detik', { explanation_md: 'Video pendek lebih banyak ditonton sampai habis.' }),
  { type: 'true_false', stem_md: 'Tagar (hashtag) membantu video ditemukan.', answer: { value: true }, explanation_md: 'Tagar dipakai untuk pencarian.' },
  { type: 'numeric', stem_md: 'Rasio layar video vertikal 9:16 — berapa hasil 16 ÷ 4,57? (satu desimal)', answer: { value: 3.5, tolerance: 0.05 }, explanation_md: '16 ÷ 4,57 ≈ 3,5.' },
];

before(async () => {
  server = await startCertServer();
  admin = await newAdmin(server);
  c = await quizClass(server, admin, {
    lessons: 1,
    participants: 1,
    names: ['Wulan Sari'],
    cohort: LAST_DAY, // certificates are issued from the last day on (issue 12)
    quizzes: [
      { quiz: { title: 'Pre-test TikTok', kind: 'pretest', time_limit_s: 900, layout: 'one' }, questions: PRE },
      { quiz: { title: 'Post-test TikTok', kind: 'posttest', pass_score: 60, review: 'after_attempt', layout: 'all' }, questions: PRE },
      { quiz: { title: 'Survei evaluasi', kind: 'survey', anonymous: true, layout: 'all' }, questions: [{ type: 'likert', stem_md: 'Materi mudah dipahami' }, { type: 'text', stem_md: 'Saran untuk pelatihan berikutnya' }] },
    ],
  });
  expectStatus(await putRules(server.url, admin.token, c.cohort.id, { min_lesson_percent: 0, require_assignments_passed: false, min_posttest_percent: 60, require_survey: true }), 200, 'rules');
  browser = await launchBrowser();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sinau-quiz-web-'));
});

after(async () => {
  await closeBrowser(browser);
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const [pre, post, survey] = [0, 1, 2];
const stored = (quiz) => sql(server, `select count(*) from quiz_answers an join quiz_attempts a on a.id = an.attempt_id where a.quiz_id = ${lit(c.quizzes[quiz].id)}`).then(Number);

// Clean text, a screenshot and no problems; axe too unless `axe` is false
// (screens whose parts another check already ran axe on: it is the slow
// part of this test).
async function check(page, name, { axe = true } = {}) {
  await assertCleanText(page, name);
  if (axe) await axeCheck(page, name);
  await screenshot(page, name);
  assertNoProblems(page);
}

test('a participant: pre-test with the connection lost half-way, post-test, survey; certificate and report', async () => {
  const p = c.people[0];
  const page = await signedInPage(browser, server.url, p, 'mobile');
  await onFailureShot(page, 'quiz-journey', async () => {
    // The cohort's module tree lists the quizzes.
    await open(page, `/cohorts/${c.cohort.id}`);
    await page.locator('.quizzes li', { hasText: 'Pre-test TikTok' }).getByRole('link').click();
    await pageReady(page, 'Pre-test TikTok');
    await check(page, 'quiz-intro', { axe: false });
    await page.getByRole('button', { name: 'Mulai mengerjakan' }).click();
    await page.waitForURL(/\/attempts\//); // the quiz page has the same heading
    await pageReady(page, 'Pre-test TikTok');
    await page.getByTestId('quiz-timer').waitFor();
    assert.match(await page.getByTestId('quiz-timer').textContent(), /Sisa waktu 1[45]:\d\d/, 'the remaining time from the server');
    await check(page, 'quiz-take-first');

    // Question 1, online: saved.
    const q = (n) => page.locator('fieldset.quiz-question').nth(n);
    await q(0).getByLabel('15–30 detik').check();
    await waitText(page, '[data-testid="quiz-save-status"]', /^Semua jawaban tersimpan\.$/);
    assert.equal(await stored(pre), 1);

    // Offline: question 2 is answered and kept on the phone.
    await page.context().setOffline(true);
    await page.getByRole('button', { name: 'Berikutnya' }).click();
    assert.ok(await q(1).isVisible());
    await q(1).getByLabel('Salah').check();
    await waitText(page, '[data-testid="quiz-save-status"]', /Tidak tersambung\. 1 jawaban disimpan di perangkat ini/);
    await waitText(page, 'fieldset.quiz-question:nth-of-type(2) .quiz-save-note', /Belum terkirim/);
    assert.equal(await stored(pre), 1, 'nothing reached the server');
    const kept = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('sinau.quiz.')).length);
    assert.equal(kept, 1, 'kept in localStorage');
    await screenshot(page, 'quiz-take-offline');

    // Back online: it goes by itself.
    await page.context().setOffline(false);
    await waitText(page, '[data-testid="quiz-save-status"]', /^Semua jawaban tersimpan\.$/, 30000);
    assert.equal(await stored(pre), 2);
    assertNoProblems(page, [/request failed: PUT .*\/answers\/.* net::ERR_INTERNET_DISCONNECTED/]);

    // A reload resumes the attempt with its answers.
    await page.reload();
    await pageReady(page, 'Pre-test TikTok');
    assert.equal(await q(0).getByLabel('15–30 detik').isChecked(), true);
    await page.getByRole('button', { name: 'Soal 2, sudah dijawab' }).waitFor();
    await page.getByRole('button', { name: 'Soal 3' }).click();
    await q(2).getByLabel(/Jawaban Anda/).fill('3,5');
    await q(2).getByLabel(/Jawaban Anda/).blur();
    await waitText(page, '[data-testid="quiz-save-status"]', /^Semua jawaban tersimpan\.$/);
    assert.equal(await stored(pre), 3);
    await page.getByRole('button', { name: 'Selesai dan kirim' }).click();
    await page.getByRole('button', { name: 'Ya, kirim' }).click();
    await waitText(page, '[data-testid="quiz-result"]', /Nilai 66,67/);
    assert.equal(await page.locator('.quiz-review').count(), 0, 'a pre-test shows the score only');
    await check(page, 'quiz-pre-result', { axe: false });

    // The post-test, all on one page: every answer right; the review shows.
    await open(page, `/cohorts/${c.cohort.id}/quizzes/${c.quizzes[post].id}`, 'Post-test TikTok');
    await page.getByRole('button', { name: 'Mulai mengerjakan' }).click();
    await page.waitForURL(/\/attempts\//); // the quiz page has the same heading
    await pageReady(page, 'Post-test TikTok');
    assert.equal(await page.locator('fieldset.quiz-question:visible').count(), 3, 'all on one page');
    await q(0).getByLabel('15–30 detik').check();
    await q(1).getByLabel('Benar').check();
    await q(2).getByLabel(/Jawaban Anda/).fill('3,52');
    await q(2).getByLabel(/Jawaban Anda/).blur();
    await waitText(page, '[data-testid="quiz-save-status"]', /^Semua jawaban tersimpan\.$/);
    await check(page, 'quiz-post-take', { axe: false });
    await page.getByRole('button', { name: 'Selesai dan kirim' }).click();
    await page.getByRole('button', { name: 'Ya, kirim' }).click();
    await waitText(page, '[data-testid="quiz-result"]', /Nilai 100/);
    await page.getByText('Lulus', { exact: true }).waitFor();
    assert.equal(await page.locator('.quiz-review').count(), 3);
    assert.match(await page.locator('.quiz-review').nth(2).textContent(), /16 ÷ 4,57 ≈ 3,5/);
    await check(page, 'quiz-post-review');

    // The certificate waits for the survey: the admin's page says so.
    const e = expectStatus(await eligibility(server.url, admin.token, c.cohort.id), 200, 'eligibility');
    assert.deepEqual(itemOf(e, p.id).missing.map((m) => m.code), ['survey']);
    const adminPage = await signedInPage(browser, server.url, admin, 'mobile');
    await onFailureShot(adminPage, 'quiz-admin-certs', async () => {
      await open(adminPage, `/admin/cohorts/${c.cohort.id}/certificates`, 'Sertifikat');
      await adminPage.getByText('Belum mengisi Survei evaluasi').waitFor();
      assert.equal(await adminPage.getByLabel('Nilai post-test minimal (%)').inputValue(), '60');
      assert.equal(await adminPage.getByLabel('Wajib mengisi survei evaluasi').isChecked(), true);
      await check(adminPage, 'quiz-admin-certificates', { axe: false }); // axe: admin_certificates.test.mjs
    });
    await adminPage.context().close();

    // The survey.
    await open(page, `/cohorts/${c.cohort.id}/quizzes/${c.quizzes[survey].id}`, 'Survei evaluasi');
    await page.getByText('Survei ini anonim').waitFor();
    await page.getByRole('button', { name: 'Isi survei' }).click();
    await pageReady(page, 'Survei evaluasi');
    await q(0).getByLabel(/Setuju$/).first().check();
    await q(1).getByLabel('Jawaban Anda').fill('Tambah sesi praktik langsung.');
    await q(1).getByLabel('Jawaban Anda').blur();
    await waitText(page, '[data-testid="quiz-save-status"]', /^Semua jawaban tersimpan\.$/);
    await check(page, 'quiz-survey');
    await page.getByRole('button', { name: 'Kirim survei' }).click();
    await page.getByRole('button', { name: 'Ya, kirim' }).click();
    await waitText(page, '[data-testid="quiz-result"]', /Terima kasih/);

    // Now the certificate.
    const out = await issued(server.url, admin, c.cohort.id);
    assert.equal(out.issued, 1);
    await open(page, '/me/certificates');
    await page.getByText('Sah').first().waitFor();
    assertNoProblems(page);
  });
  await page.context().close();

  // The instructor's report: the gain.
  const staff = await signedInPage(browser, server.url, c.instructor, 'mobile');
  await onFailureShot(staff, 'quiz-report', async () => {
    await open(staff, `/staff/cohorts/${c.cohort.id}/quiz-report`, 'Laporan pre-test dan post-test');
    const summary = staff.getByTestId('report-summary');
    assert.match(await summary.locator('[data-key="pre_mean"]').textContent(), /66,67%/);
    assert.match(await summary.locator('[data-key="post_mean"]').textContent(), /100%/);
    assert.match(await summary.locator('[data-key="mean_gain"]').textContent(), /33,33/);
    assert.match(await summary.locator('[data-key="hake_g"]').textContent(), /^Gain ternormalisasi ⟨g⟩ \(Hake\)1$/);
    assert.match(await staff.getByTestId('report-band').textContent(), /tinggi/);
    assert.match(await staff.getByTestId('report-participants').textContent(), /Wulan Sari/);
    assert.equal(await staff.getByTestId('report-items').locator('tbody tr').count(), 6);
    await checkPage(staff, 'quiz-report');
    await open(staff, `/staff/cohorts/${c.cohort.id}/quizzes/${c.quizzes[survey].id}/results`, /Hasil: Survei evaluasi/);
    await staff.getByText('Tambah sesi praktik langsung.').waitFor();
    assert.doesNotMatch(await staff.locator('main').textContent(), /Wulan/, 'an anonymous survey names nobody');
    await checkPage(staff, 'quiz-survey-results');
  });
  await staff.context().close();
});

test('an author adds a quiz, writes a question, imports a bank and previews it', async () => {
  const page = await signedInPage(browser, server.url, admin, 'mobile');
  await onFailureShot(page, 'quiz-authoring', async () => {
    await open(page, `/staff/programmes/${c.slug}/content`);
    const form = page.locator('form.quiz-add').first();
    await form.getByLabel('Judul kuis').fill('Kuis latihan editing');
    await form.getByLabel('Jenis').selectOption('check');
    await form.getByRole('button', { name: 'Tambah kuis' }).click();
    await pageReady(page, 'Kuis: Kuis latihan editing');
    await check(page, 'quiz-editor-empty', { axe: false });

    const add = page.locator('form.quiz-question-form').last();
    await add.getByLabel('Tipe soal').selectOption('single');
    await add.getByLabel('Pertanyaan').fill('Aplikasi untuk menyunting video di ponsel?');
    await add.getByLabel('Pilihan 1').fill('CapCut');
    await add.getByLabel('Pilihan 2').fill('Kalkulator');
    await add.getByRole('radio', { name: 'Jawaban benar' }).first().check();
    await add.getByLabel('Penjelasan (tampil saat pembahasan)').fill('CapCut adalah penyunting video.');
    await add.getByRole('button', { name: 'Tambah soal' }).click();
    await waitText(page, '[data-testid="question-count"]', /^1 soal$/);

    const csv = path.join(dir, 'bank.csv');
    fs.writeFileSync(csv, '\ufefftipe;soal;opsi_a;opsi_b;kunci;poin\r\npg;Ukuran video vertikal?;9:16;16:9;A;1\r\nisian;Singkatan UMKM?;;;UMKM;2\r\n');
    await page.getByLabel('Berkas CSV dari spreadsheet').setInputFiles(csv);
    await page.getByRole('button', { name: 'Impor soal' }).click();
    await waitText(page, '[data-testid="import-result"]', /^2 soal diimpor\.$/);
    await waitText(page, '[data-testid="question-count"]', /^3 soal$/);

    await page.getByRole('button', { name: 'Pratinjau sebagai peserta' }).click();
    const pv = page.locator('.quiz-preview');
    await pv.getByRole('heading', { name: 'Pratinjau' }).waitFor();
    assert.equal(await pv.locator('fieldset.quiz-question').count(), 3);
    await pv.getByLabel('Tampilkan kunci dan penjelasan').check();
    await pv.getByText('CapCut adalah penyunting video.').waitFor();
    await pv.getByText('Jawaban yang benar: UMKM').waitFor();
    await checkPage(page, 'quiz-editor-preview');
  });
  await page.context().close();
});
