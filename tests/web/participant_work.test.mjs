// A participant's work in the browser (360x800): an assignment with its
// instructions, handing in a text, a link and a file with the upload's
// progress bar; a file over the limit refused with a clear message (by the
// page before uploading, and by the server with 413 when the page is
// bypassed); the grade hidden until released, then score and feedback; and
// the certificate: open its PDF and verify page, copy its link, share it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser, closeBrowser, withPage, pageReady, axeCheck, screenshot, assertNoProblems, assertCleanText } from './lib/browser.mjs';
import { signInContext } from './lib/seed.mjs';
import { newAdmin } from '../api/lib/accounts.mjs';
import { startCertServer, certClass, completeLessons, issued } from '../api/lib/certificates.mjs';
import { grade, release, pngFile } from '../api/lib/assignments.mjs';
import { expectStatus } from '../api/lib/content.mjs';

let server;
let browser;
let admin;
let cr;
let learner;
let dir;

before(async () => {
  server = await startCertServer();
  admin = await newAdmin(server);
  cr = await certClass(server, admin, {
    lessons: 1,
    assignments: [
      { required: true, title: 'Video promosi 30 detik', instructions_md: 'Buat video **30 detik** tentang produkmu, lalu kirim tautannya.' },
      { required: false, title: 'Foto produk', instructions_md: 'Unggah satu foto produk.', submission_types: ['file'] },
    ],
    participants: 1,
    names: ['Rina Kusuma'],
    rules: { min_lesson_percent: 100, require_assignments_passed: true },
  });
  learner = cr.people[0];
  browser = await launchBrowser();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sinau-web-files-'));
});

after(async () => {
  await closeBrowser(browser);
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function signedInPage(page) {
  await signInContext(page.context(), server.url, learner);
}

test('an assignment: hand in text, link and file; the grade once released', () =>
  withPage(browser, server.url, 'mobile', 'work-assignment', async (page) => {
    await signedInPage(page);
    const a = cr.assignments[0];
    await page.goto(`/cohorts/${cr.cohort.id}`);
    await pageReady(page, /Pelatihan/);
    const item = page.locator('.assignments li', { hasText: a.title });
    await item.getByText('Belum dikirim').waitFor();
    await item.getByRole('link', { name: a.title }).click();

    await pageReady(page, a.title);
    assert.equal(await page.locator('.instructions strong').textContent(), '30 detik');
    await page.getByText('Anda belum mengumpulkan tugas ini.').waitFor();
    await axeCheck(page, 'assignment');
    await assertCleanText(page, 'work-01-assignment');
    await screenshot(page, 'work-01-assignment');

    // a file over 10 MB: refused before a byte is sent
    const big = path.join(dir, 'video-besar.mp4');
    fs.writeFileSync(big, Buffer.alloc(10 * 1024 * 1024 + 1, 1));
    await page.getByLabel('Jawaban').fill('Video saya tentang keripik tempe Malang.');
    await page.getByLabel('Tautan video atau karya').fill('https://www.tiktok.com/@keripik.malang/video/7350000000000000000');
    await page.getByLabel('Berkas', { exact: true }).setInputFiles(big);
    await page.getByRole('button', { name: 'Kirim' }).click();
    await page.getByText('Berkas terlalu besar. Ukuran paling besar 10 MB.').waitFor();
    assert.equal(await page.getByLabel('Berkas', { exact: true }).getAttribute('aria-invalid'), 'true');
    await axeCheck(page, 'assignment with a refused file');
    await assertCleanText(page, 'work-02-too-big');
    await screenshot(page, 'work-02-too-big');

    // a right file: progress bar, then the submission as the server keeps it
    const png = path.join(dir, 'poster produk.png');
    fs.writeFileSync(png, pngFile(300 * 1024));
    await page.getByLabel('Berkas', { exact: true }).setInputFiles(png);
    await page.getByRole('button', { name: 'Kirim' }).click();
    await page.getByText('Tugas terkirim.').waitFor();
    const work = page.locator('.submission');
    await work.getByText('Video saya tentang keripik tempe Malang.').waitFor();
    await work.getByRole('link', { name: 'https://www.tiktok.com/@keripik.malang/video/7350000000000000000' }).waitFor();
    await work.getByRole('link', { name: 'poster produk.png' }).waitFor();
    await work.getByText('Terkirim').waitFor();
    await page.getByRole('heading', { name: 'Kirim versi baru' }).waitFor();
    await axeCheck(page, 'assignment handed in');
    await assertCleanText(page, 'work-03-handed-in');
    await screenshot(page, 'work-03-handed-in');
    // the upload's bar reached 100 % before the form was redrawn
    assertNoProblems(page);

    // graded but not released: no score shown
    const sid = (await page.evaluate(async (u) => (await (await fetch(u)).json()).my_submission.id, `/api/v1/cohorts/${cr.cohort.id}/assignments/${a.id}`));
    expectStatus(await grade(server.url, cr.instructor.token, sid, { score: 88, feedback_md: 'Bagus **sekali**, suaranya jelas.' }), 200, 'grade');
    await page.reload();
    await pageReady(page, a.title);
    await page.getByText('Tugas Anda sudah dinilai; nilai akan diumumkan oleh narasumber.').waitFor();
    assert.equal(await page.getByText(/Nilai 88/).count(), 0, 'no score before release');

    // released: score, passed, feedback rendered
    expectStatus(await release(server.url, cr.instructor.token, cr.cohort.id, { assignment_id: a.id }), 200, 'release');
    await page.reload();
    await pageReady(page, a.title);
    await page.getByText('Nilai 88 dari 100 · lulus').waitFor();
    assert.equal(await page.locator('.feedback strong').textContent(), 'sekali');
    await page.getByText('Tugas yang sudah dinilai tidak dapat dikirim ulang.').waitFor();
    await axeCheck(page, 'assignment graded');
    await assertCleanText(page, 'work-04-graded');
    await screenshot(page, 'work-04-graded');
    assertNoProblems(page);
  }));

test('the server refuses a file over its limit with 413, which the browser sees', () =>
  withPage(browser, server.url, 'mobile', 'work-413', async (page) => {
    await signedInPage(page);
    await page.goto('/me/cohorts');
    await pageReady(page, 'Angkatan saya');
    // a file-only assignment: an empty submission, then 11 MB through apiUpload
    const res = await page.evaluate(async ({ cohort, aid }) => {
      const base = document.querySelector('script[type=module]').src;
      const api = await import(new URL('api.js', base).href);
      const session = await import(new URL('session.js', base).href);
      await session.loadMe();
      let sub;
      try {
        sub = await api.api('POST', `/cohorts/${cohort}/assignments/${aid}/submissions`, {});
      } catch (e) {
        return { step: 'submit', status: e.status, code: e.code };
      }
      const file = new File([new Uint8Array(11 * 1024 * 1024)], 'besar.png', { type: 'image/png' });
      try {
        await api.apiUpload(`/submissions/${sub.id}/file`, file, () => {});
        return { step: 'upload', status: 200 };
      } catch (e) {
        return { step: 'upload', status: e.status, code: e.code };
      }
    }, { cohort: cr.cohort.id, aid: cr.assignments[1].id });
    assert.deepEqual(res, { step: 'upload', status: 413, code: 'body_too_large' });
    assertNoProblems(page, [/^http 413 PUT \/api\/v1\/submissions\/[^/]+\/file$/]);
  }));

test('my certificate: PDF, verify page, copy the link, share it', () =>
  withPage(browser, server.url, 'mobile', 'work-certificate', async (page) => {
    await completeLessons(server.url, cr, learner);
    const report = await issued(server.url, admin, cr.cohort.id);
    assert.ok(report.issued >= 1, JSON.stringify(report));
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    // the Web Share API exists on phones, not in desktop Chromium on Linux:
    // a stand-in records what the page asks to share
    await page.addInitScript(() => {
      navigator.share = async (data) => {
        window.__shared = data;
      };
    });
    await signedInPage(page);
    await page.goto('/');
    await page.getByRole('link', { name: 'Sertifikat' }).click();
    await pageReady(page, 'Sertifikat saya');
    const card = page.locator('.certificate').first();
    await card.getByText('Sah').waitFor();
    const url = `${server.url}/credentials/`;
    const pdfHref = await card.getByRole('link', { name: 'Buka PDF' }).getAttribute('href');
    const verifyHref = await card.getByRole('link', { name: 'Halaman verifikasi' }).getAttribute('href');
    assert.ok(verifyHref.startsWith(url), verifyHref);
    assert.equal(pdfHref, `${verifyHref}.pdf`);
    const pdf = await page.request.get(pdfHref);
    assert.equal(pdf.status(), 200);
    assert.match(pdf.headers()['content-type'], /^application\/pdf/);
    assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
    const verify = await page.request.get(verifyHref, { headers: { accept: 'application/json' } });
    assert.equal((await verify.json()).status, 'valid');

    await card.getByRole('button', { name: 'Salin tautan' }).click();
    await page.getByText('Tautan disalin.').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), verifyHref);
    await card.getByRole('button', { name: 'Bagikan' }).click();
    const shared = await page.waitForFunction(() => window.__shared).then((h) => h.jsonValue());
    assert.equal(shared.url, verifyHref);
    assert.match(shared.text, /Rina Kusuma/);
    await axeCheck(page, 'certificates');
    await assertCleanText(page, 'work-05-certificates');
    await screenshot(page, 'work-05-certificates');
    assertNoProblems(page);
  }));
