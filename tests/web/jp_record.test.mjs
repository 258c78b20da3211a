// The JP record and the wallet download in the browser (issue 18), at
// 360×800 and 1280×800: a participant with two certificates opens "my
// certificates", downloads one as a Data Integrity credential (the file is
// the server's ?format=vc answer), follows the link to "JP saya", sees the
// year with its JP against the 20 JP target and both certificates, makes the
// signed JP record (POST …/transcript) and then sees its PDF, verify page
// and wallet links. An admin sees on /admin/keys that PDFs are not signed
// (this server has no signing certificate) and downloads the BKN CSV. Axe,
// no stray text, screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { launchBrowser, closeBrowser } from './lib/browser.mjs';
import { call, newAdmin } from '../api/lib/accounts.mjs';
import { register } from '../api/lib/cohorts.mjs';
import { expectStatus } from '../api/lib/content.mjs';
import { startCertServer, certClass, completeLessons, issued } from '../api/lib/certificates.mjs';
import { signedInPage, open, checkPage, onFailureShot } from './staff_helpers.mjs';

let browser;
let server;
let admin;
const people = {};

before(async () => {
  browser = await launchBrowser();
  server = await startCertServer();
  admin = await newAdmin(server);
  const a = await certClass(server, admin, { lessons: 1, assignments: [], participants: 2, names: ['Sekar Ayu', 'Wahyu Pratama'], rules: {} });
  const b = await certClass(server, admin, { lessons: 1, assignments: [], participants: 0, rules: {} });
  for (const [i, p] of a.people.entries()) {
    expectStatus(await register(server.url, p.token, b.cohort.id, 'public'), 201, 'second cohort');
    await completeLessons(server.url, a, p);
    await completeLessons(server.url, b, p);
    people[i === 0 ? 'mobile' : 'desktop'] = { person: p, jp: a.cohort.jp + b.cohort.jp };
  }
  await issued(server.url, admin, a.cohort.id);
  await issued(server.url, admin, b.cohort.id);
});

after(async () => {
  await closeBrowser(browser);
});

for (const vp of ['mobile', 'desktop']) {
  test(`a participant downloads a wallet credential and makes the JP record (${vp})`, async () => {
    const { person, jp } = people[vp];
    const page = await signedInPage(browser, server.url, person, vp);
    await onFailureShot(page, `jp-${vp}`, async () => {
      await open(page, '/me/certificates', 'Sertifikat saya');
      const wallet = page.getByRole('link', { name: 'Unduh untuk dompet digital' });
      assert.equal(await wallet.count(), 2);
      const [download] = await Promise.all([page.waitForEvent('download'), wallet.first().click()]);
      const got = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
      assert.equal(got.proof?.cryptosuite, 'eddsa-rdfc-2022');
      const served = await call(server.url, 'GET', `${new URL(got.id).pathname}?format=vc`);
      assert.deepEqual(got, served.json, 'the file is the served credential');
      await checkPage(page, `certificates-wallet-${vp}`);

      await page.getByRole('link', { name: 'Lihat JP saya per tahun dan rekap JP bertanda tangan' }).click();
      await page.getByRole('heading', { level: 1, name: 'JP saya' }).waitFor();
      const year = await page.locator('section.jp-year').first().getAttribute('data-year');
      const section = page.locator(`section[data-year="${year}"]`);
      assert.match(await section.locator('.jp-total').innerText(), new RegExp(`^${jp} JP dari target 20 JP$`));
      assert.equal(await section.locator('.jp-certs li').count(), 2);
      assert.equal(await section.getByRole('progressbar').getAttribute('aria-valuenow'), String(Math.min(100, Math.round((100 * jp) / 20))));
      await checkPage(page, `jp-before-${vp}`);

      await section.getByRole('button', { name: 'Buat rekap JP' }).click();
      await section.getByRole('link', { name: 'PDF rekap' }).waitFor();
      assert.equal(await page.getByRole('heading', { level: 1 }).count(), 1, 'the page redrawn, not added to');
      const me = expectStatus(await call(server.url, 'GET', '/api/v1/me/jp', { token: person.token }), 200, 'me/jp');
      const tr = me.years[0].transcript;
      assert.equal(tr.current, true);
      assert.equal(await section.getByRole('link', { name: 'PDF rekap' }).getAttribute('href'), tr.pdf_url);
      assert.equal(await section.getByRole('link', { name: 'Unduh untuk dompet digital' }).getAttribute('href'), `${tr.vc_url}&download=1`);
      await checkPage(page, `jp-after-${vp}`);
    });
    await page.context().close();
  });
}

test('an admin sees that PDFs are unsigned and downloads the BKN CSV', async () => {
  const page = await signedInPage(browser, server.url, admin, 'desktop');
  await onFailureShot(page, 'admin-jp', async () => {
    await open(page, '/admin/keys', 'Kunci penandatangan');
    const box = page.getByTestId('pdf-signing');
    assert.equal(await box.getAttribute('data-signed'), 'false');
    assert.match(await box.innerText(), /TIDAK ditandatangani secara elektronik/);
    const year = new Date().getFullYear();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Unduh CSV' }).click()]);
    const csv = fs.readFileSync(await download.path(), 'utf8');
    assert.ok(csv.startsWith('\ufefftahun;instansi (OPD);nama;NIP;jumlah sertifikat;JP;pelatihan\r\n'), csv.slice(0, 120));
    assert.match(csv, /Sekar Ayu/);
    assert.match(csv, new RegExp(`^${year};`, 'm'));
    await checkPage(page, 'admin-keys-pdf-signing');
  });
  await page.context().close();
});
