// Grading in the browser: an instructor works through the queue with the
// keyboard (j/n next, k/p previous; ignored while typing), what was typed
// for a submission is kept while moving around, a failed save (a score
// over the maximum: 422) shows the error next to the score and keeps the
// text, a rubric's levels add up to the score, grades are released, and the
// gradebook shows them with its CSV. Desktop for the journey; the pages are
// also checked (axe, screenshot) at 360×800.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, closeBrowser } from './lib/browser.mjs';
import { newAdmin } from '../api/lib/accounts.mjs';
import { classroom, submit, rubricOf, getSubmission } from '../api/lib/assignments.mjs';
import { parseCsv } from '../api/lib/cohorts.mjs';
import { signedInPage, open, checkPage, waitText, confirm, onFailureShot } from './staff_helpers.mjs';

let server;
let browser;
let room;
const sub = {};

before(async () => {
  server = await startServer();
  const admin = await newAdmin(server);
  room = await classroom(server, admin, {
    assignments: [
      { title: 'Tulis naskah video', submission_types: ['text'], max_score: 100, pass_score: 70 },
      { title: 'Unggah tautan video', submission_types: ['url'], max_score: 10, pass_score: 6, rubric: rubricOf([[0, 2, 4], [0, 3, 6]]) },
    ],
    participants: 2,
    names: ['Ani Lestari', 'Bayu Pratama'],
  });
  const [ani, bayu] = room.people;
  const [a1, a2] = room.assignments;
  const made = async (who, a, json) => {
    const r = await submit(server.url, who.token, room.cohort.id, a.id, json);
    assert.equal(r.status, 201, r.text);
    return r.json;
  };
  // arrival order = queue order
  sub.aniText = await made(ani, a1, { text: 'Adegan 1: buka dengan pertanyaan.\nAdegan 2: tunjukkan produk.' });
  sub.bayuText = await made(bayu, a1, { text: 'Naskah: perkenalan warung, menu andalan, ajakan mampir.' });
  sub.aniUrl = await made(ani, a2, { url: 'https://www.tiktok.com/@warungani/video/7301234567890123456' });
  browser = await launchBrowser();
});

after(async () => {
  await closeBrowser(browser);
  await server?.stop();
});

const position = (page) => page.getByTestId('queue-position').textContent();
const workName = (page) => page.getByTestId('work').locator('h2').textContent();

test('instructor: grading queue with keyboard, failed save keeps the text, rubric, release, gradebook (desktop)', async () => {
  const page = await signedInPage(browser, server.url, room.instructor, 'desktop');
  await onFailureShot(page, 'staff-grading-desktop', async () => {
    await open(page, `/staff/cohorts/${room.cohort.id}/grading`, 'Antrean penilaian');
    assert.equal(await position(page), 'Kiriman 1 dari 3 yang belum dinilai');
    assert.equal(await workName(page), 'Ani Lestari');
    assert.match(await page.getByTestId('work-text').textContent(), /Adegan 1: buka dengan pertanyaan\.\nAdegan 2/);
    await checkPage(page, 'staff-grading-desktop');

    // j/n forward, k/p back (outside text fields)
    await page.locator('h1').click();
    await page.keyboard.press('j');
    await waitText(page, '[data-testid="work"] h2', /^Bayu Pratama$/);
    await page.keyboard.press('n');
    await waitText(page, '[data-testid="work"] h2', /^Ani Lestari$/);
    assert.equal(await position(page), 'Kiriman 3 dari 3 yang belum dinilai');
    assert.equal(await page.getByTestId('rubric').count(), 1);
    await page.keyboard.press('n'); // the end: stays
    assert.equal(await position(page), 'Kiriman 3 dari 3 yang belum dinilai');
    await page.keyboard.press('k');
    await waitText(page, '[data-testid="queue-position"]', /^Kiriman 2 dari 3/);
    await page.keyboard.press('p');
    await waitText(page, '[data-testid="queue-position"]', /^Kiriman 1 dari 3/);

    // typing j in the feedback types a j and does not move
    const feedback = page.getByLabel('Umpan balik (Markdown, opsional)');
    await feedback.click();
    await page.keyboard.type('jujur dan runtut');
    assert.equal(await feedback.inputValue(), 'jujur dan runtut');
    assert.equal(await position(page), 'Kiriman 1 dari 3 yang belum dinilai');

    // A score over the maximum: refused, shown at the score, text kept.
    await page.getByLabel('Nilai (0–100)').fill('150');
    const refused = page.waitForResponse((r) => r.url().endsWith(`/api/v1/submissions/${sub.aniText.id}/grade`));
    await page.getByRole('button', { name: 'Simpan nilai' }).click();
    assert.equal((await refused).status(), 422);
    await waitText(page, '.field[data-field="score"] .field-error', /Nilai harus antara 0 dan nilai maksimal tugas/);
    assert.equal(await page.getByLabel('Nilai (0–100)').inputValue(), '150');
    assert.equal(await feedback.inputValue(), 'jujur dan runtut');
    assert.equal((await getSubmission(server.url, room.instructor.token, sub.aniText.id)).json.grade, null);

    // Moving away and back keeps what was typed.
    await page.locator('h1').click();
    await page.keyboard.press('j');
    await waitText(page, '[data-testid="work"] h2', /^Bayu Pratama$/);
    await page.keyboard.press('k');
    await waitText(page, '[data-testid="work"] h2', /^Ani Lestari$/);
    assert.equal(await page.getByLabel('Nilai (0–100)').inputValue(), '150');
    assert.equal(await page.getByLabel('Umpan balik (Markdown, opsional)').inputValue(), 'jujur dan runtut');

    // Corrected, it saves and the queue moves on.
    await page.getByLabel('Nilai (0–100)').fill('85');
    await page.getByRole('button', { name: 'Simpan nilai' }).click();
    await waitText(page, '[data-testid="queue-position"]', /^Kiriman 1 dari 2/);
    assert.equal(await workName(page), 'Bayu Pratama');
    const g1 = (await getSubmission(server.url, room.instructor.token, sub.aniText.id)).json.grade;
    assert.equal(Number(g1.score), 85);
    assert.equal(g1.feedback_md, 'jujur dan runtut');

    // The rubric: one level per criterion adds up to the score.
    await page.locator('h1').click();
    await page.keyboard.press('j');
    await waitText(page, '[data-testid="work"] h2', /^Ani Lestari$/);
    const rubric = page.getByTestId('rubric');
    await rubric.locator('fieldset', { has: page.locator('legend', { hasText: 'K1' }) }).getByLabel('L3 (4 poin)').check();
    await waitText(page, '[data-testid="rubric-total"]', /^Sementara 4 dari 10/);
    await rubric.locator('fieldset', { has: page.locator('legend', { hasText: 'K2' }) }).getByLabel('L2 (3 poin)').check();
    await waitText(page, '[data-testid="rubric-total"]', /^Nilai: 7 dari 10$/);
    await page.getByRole('button', { name: 'Simpan nilai' }).click();
    await waitText(page, '[data-testid="queue-position"]', /^Kiriman 1 dari 1/);
    const g2 = (await getSubmission(server.url, room.instructor.token, sub.aniUrl.id)).json.grade;
    assert.equal(Number(g2.score), 7);
    assert.deepEqual(g2.rubric, [2, 1]);

    // Release every assignment's grades.
    await page.getByRole('button', { name: 'Rilis nilai' }).click();
    await confirm(page, 'Rilis nilai');
    await waitText(page, '[data-testid="release-result"]', /^2 nilai kini terlihat oleh peserta\.$/);
    const mine = await getSubmission(server.url, room.people[0].token, sub.aniText.id);
    assert.equal(Number(mine.json.grade.score), 85, 'the participant sees the released grade');

    // The gradebook and its CSV.
    await page.getByRole('link', { name: 'Buku nilai' }).click();
    await page.getByRole('heading', { level: 1, name: 'Buku nilai' }).waitFor();
    const ani = page.getByTestId('gradebook').locator('tr', { has: page.locator('th', { hasText: 'Ani Lestari' }) });
    assert.deepEqual(await ani.locator('td').allTextContents(), ['Umum', '0%', '0 / 0', '85 · lulus', '7 · lulus']);
    const bayu = page.getByTestId('gradebook').locator('tr', { has: page.locator('th', { hasText: 'Bayu Pratama' }) });
    assert.deepEqual((await bayu.locator('td').allTextContents()).slice(3), ['belum dinilai', 'belum mengumpulkan']);
    await checkPage(page, 'staff-gradebook-desktop', { allow: [/^http 422 PUT \/api\/v1\/submissions\/[^/]+\/grade$/] });
    const href = await page.getByTestId('gradebook-csv').getAttribute('href');
    const csv = await page.evaluate(async (u) => (await fetch(u)).text(), href);
    const rows = parseCsv(csv.replace(/^\uFEFF/, ''));
    assert.equal(rows[0][0], 'nama');
    const aniRow = rows.find((r) => r[0] === 'Ani Lestari');
    assert.ok(aniRow, 'Ani in the CSV');
    assert.deepEqual(aniRow.slice(4), ['85,00', 'lulus', '7,00', 'lulus']);
  });
  await page.context().close();
});

test('grading and gradebook pages at 360×800 (axe, screenshot)', async () => {
  const page = await signedInPage(browser, server.url, room.instructor, 'mobile');
  await onFailureShot(page, 'staff-grading-mobile', async () => {
    await open(page, `/staff/cohorts/${room.cohort.id}/grading`, 'Antrean penilaian');
    await checkPage(page, 'staff-grading-mobile');
    await open(page, `/staff/cohorts/${room.cohort.id}/gradebook`, 'Buku nilai');
    await checkPage(page, 'staff-gradebook-mobile');
  });
  await page.context().close();
});
