// Certificates in the browser: an admin sees who is not yet eligible and
// why, relaxes the cohort's rules, issues certificates to everyone
// eligible, and revokes one with a stated reason (an empty reason is
// refused in the dialog); the public verify JSON then says revoked.
// Desktop for the journey; the page is also checked at 360×800.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, closeBrowser } from './lib/browser.mjs';
import { newAdmin } from '../api/lib/accounts.mjs';
import { classroom } from '../api/lib/assignments.mjs';
import { FINISHED, startCertServer, credentialJson, cohortCertificates } from '../api/lib/certificates.mjs';
import { signedInPage, open, checkPage, waitText, onFailureShot } from './staff_helpers.mjs';

let server;
let browser;
let admin;
let room;

before(async () => {
  server = await startCertServer();
  admin = await newAdmin(server);
  // the training ended yesterday: certificates are issued from its last day on
  room = await classroom(server, admin, { assignments: [], lessons: 1, participants: 2, names: ['Citra Dewi', 'Dimas Saputra'], cohort: FINISHED });
  browser = await launchBrowser();
});

after(async () => {
  await closeBrowser(browser);
  await server?.stop();
});

test('admin: eligibility, rules, issuing and revoking certificates (desktop)', async () => {
  const page = await signedInPage(browser, server.url, admin, 'desktop');
  await onFailureShot(page, 'admin-certificates-desktop', async () => {
    await open(page, `/admin/cohorts/${room.cohort.id}/certificates`, 'Sertifikat');
    await waitText(page, '[data-testid="eligible-count"]', /^0 dari 2 peserta layak/);
    const citra = page.getByTestId('eligibility').locator('tr', { hasText: 'Citra Dewi' });
    assert.match(await citra.textContent(), /Materi selesai 0% \(perlu 100%\)/);
    await checkPage(page, 'admin-certificates-before-desktop');

    // Rules: no lesson minimum, no assignments required.
    await page.getByLabel('Materi minimal selesai (%)').fill('0');
    await page.getByLabel('Semua tugas wajib harus lulus').uncheck();
    await page.getByRole('button', { name: 'Simpan syarat' }).click();
    await waitText(page, '[data-testid="eligible-count"]', /^2 dari 2 peserta layak/);

    // Issue.
    await page.getByRole('button', { name: 'Terbitkan sertifikat untuk yang layak' }).click();
    await waitText(page, '[data-testid="issue-result"]', /^2 sertifikat terbit; 0 peserta belum layak\.$/, 60000);
    const items = page.getByTestId('certificates').locator('[data-certificate]');
    assert.equal(await items.count(), 2);
    assert.equal(await items.filter({ hasText: 'Sah' }).count(), 2);

    // Revoke Dimas's, with a reason (an empty one is refused first).
    await page.getByRole('button', { name: 'Cabut sertifikat Dimas Saputra' }).click();
    const dialog = page.locator('dialog[open]');
    await dialog.getByRole('button', { name: 'Cabut sertifikat' }).click();
    await waitText(page, 'dialog[open] .field-error', /wajib diisi/);
    await dialog.getByLabel('Alasan pencabutan').fill('Data kehadiran keliru');
    await dialog.getByRole('button', { name: 'Cabut sertifikat' }).click();
    await dialog.waitFor({ state: 'detached' });
    const dimas = items.filter({ hasText: 'Dimas Saputra' });
    await dimas.locator('.badge', { hasText: 'Dicabut' }).waitFor();
    assert.equal(await items.filter({ hasText: 'Sah' }).count(), 1);
    const list = (await cohortCertificates(server.url, admin.token, room.cohort.id)).json.items;
    const revoked = list.find((c) => c.holder_name === 'Dimas Saputra');
    assert.equal(revoked.status, 'revoked');
    const pub = await credentialJson(server.url, revoked.id);
    assert.equal(pub.status, 200);
    assert.equal(pub.json.status, 'revoked');
    const kept = list.find((c) => c.holder_name === 'Citra Dewi');
    assert.equal((await credentialJson(server.url, kept.id)).json.status, 'valid');
    // the verify page link goes to the server's own page
    assert.equal(await page.locator(`[data-certificate="${kept.id}"] a`, { hasText: 'Halaman verifikasi' }).getAttribute('href'), `/credentials/${kept.id}`);
    await checkPage(page, 'admin-certificates-after-desktop');
  });
  await page.context().close();
});

test('certificates page at 360×800 (axe, screenshot)', async () => {
  const page = await signedInPage(browser, server.url, admin, 'mobile');
  await onFailureShot(page, 'admin-certificates-mobile', async () => {
    await open(page, `/admin/cohorts/${room.cohort.id}/certificates`, 'Sertifikat');
    await checkPage(page, 'admin-certificates-mobile');
  });
  await page.context().close();
});
