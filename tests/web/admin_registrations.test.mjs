// Registrations and users in the browser: an admin filters a cohort's
// registrations by segment and status (server side) and by name (as typed),
// downloads the CSV with the same filters (a name that looks like a
// formula arrives neutralised), cancels a registration after confirming
// (dismissing the question changes nothing; the waitlisted participant is
// promoted), changes a user's role, and the pages switch to English. Pages
// checked at 360×800 and 1280×800 (axe, screenshots).
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, closeBrowser } from './lib/browser.mjs';
import { newAdmin, call } from '../api/lib/accounts.mjs';
import { cohort, participant, register, parseCsv } from '../api/lib/cohorts.mjs';
import { signedInPage, open, checkPage, waitText, confirm, onFailureShot } from './staff_helpers.mjs';

const FORMULA = '=HYPERLINK("http://evil.test","klik")';

let server;
let browser;
let admin;
let co;
const people = {};

before(async () => {
  server = await startServer();
  admin = await newAdmin(server);
  co = await cohort(server.url, admin, {
    segments: [{ segment: 'asn', quota: 2, waitlist: true }, { segment: 'public', quota: 2, waitlist: true }],
  });
  for (const [key, name, segment] of [['sari', 'Sari Wulandari', 'public'], ['formula', FORMULA, 'public'], ['rudi', 'Rudi Hartono', 'public'], ['agus', 'Agus Salim', 'asn']]) {
    const p = await participant(server.url, { segment, full_name: name });
    const r = await register(server.url, p.token, co.id, segment);
    assert.equal(r.status, 201, r.text);
    people[key] = { ...p, registration: r.json };
  }
  assert.equal(people.rudi.registration.status, 'waitlisted');
  browser = await launchBrowser();
});

after(async () => {
  await closeBrowser(browser);
  await server?.stop();
});

const rowsOf = (page) => page.getByTestId('registrations').locator('tbody tr[data-registration]');
const rowOf = (page, key) => page.locator(`tr[data-registration="${people[key].registration.id}"]`);

test('admin: registrations filtered, CSV, cancel with confirmation; users and roles; English (desktop)', async () => {
  const page = await signedInPage(browser, server.url, admin, 'desktop');
  await onFailureShot(page, 'admin-registrations-desktop', async () => {
    await open(page, `/admin/cohorts/${co.id}/registrations`, 'Pendaftar');
    await waitText(page, '[data-testid="reg-count"]', /^Menampilkan 4 dari 4\.$/);
    await checkPage(page, 'admin-registrations-desktop');

    // Server-side filters, kept in the address.
    await page.getByLabel('Segmen').selectOption('public');
    await waitText(page, '[data-testid="reg-count"]', /^Menampilkan 3 dari 3\.$/);
    await page.getByLabel('Status', { exact: true }).selectOption('waitlisted');
    await waitText(page, '[data-testid="reg-count"]', /^Menampilkan 1 dari 1\.$/);
    assert.match(await rowsOf(page).first().textContent(), /Rudi Hartono[\s\S]*Daftar tunggu #1/);
    assert.match(page.url(), /\?segment=public&status=waitlisted$/);
    await page.getByLabel('Status', { exact: true }).selectOption('');
    await waitText(page, '[data-testid="reg-count"]', /^Menampilkan 3 dari 3\.$/);

    // The name search filters what is loaded.
    await page.getByLabel('Cari nama atau email').fill('wulan');
    await waitText(page, '[data-testid="reg-count"]', /^Menampilkan 1 dari 3\.$/);
    assert.equal(await rowsOf(page).count(), 1);
    await page.getByLabel('Cari nama atau email').fill('');

    // The CSV with the same filter; the formula-looking name is neutralised.
    const href = await page.getByTestId('csv').getAttribute('href');
    // issue 12: the export speaks the interface's language
    assert.equal(href, `/api/v1/cohorts/${co.id}/registrations?segment=public&format=csv&lang=id`);
    const csv = await page.evaluate(async (u) => {
      const r = await fetch(u);
      return { type: r.headers.get('content-type'), text: await r.text() };
    }, href);
    assert.match(csv.type, /^text\/csv/);
    const rows = parseCsv(csv.text.replace(/^\uFEFF/, ''));
    assert.equal(rows.length, 4, 'header and three public registrations');
    const names = rows.slice(1).map((r) => r[3]);
    assert.deepEqual(names, ['Sari Wulandari', `'${FORMULA}`, 'Rudi Hartono']);

    // Cancel: dismissing the question changes nothing.
    await rowOf(page, 'sari').getByRole('button', { name: 'Batalkan pendaftaran Sari Wulandari' }).click();
    await confirm(page, 'Batal');
    assert.match(await rowOf(page, 'sari').textContent(), /Terkonfirmasi/);
    // Confirmed: cancelled, and Rudi moves up from the waitlist.
    await rowOf(page, 'sari').getByRole('button', { name: 'Batalkan pendaftaran Sari Wulandari' }).click();
    await confirm(page, 'Batalkan pendaftaran');
    await waitText(page, `tr[data-registration="${people.sari.registration.id}"]`, /Dibatalkan/);
    const mine = await call(server.url, 'GET', '/api/v1/me/registrations', { token: people.rudi.token });
    assert.equal(mine.json.items[0].status, 'confirmed');
    await page.reload();
    await waitText(page, `tr[data-registration="${people.rudi.registration.id}"]`, /Terkonfirmasi/);

    // Users: search, change a role after confirming.
    await open(page, '/admin/users', 'Pengguna dan peran');
    await page.getByLabel('Cari nama atau email').fill('agus');
    const agus = page.locator(`tr[data-user="${people.agus.id}"]`);
    await agus.waitFor();
    assert.equal(await page.getByTestId('users').locator('tbody tr[data-user]').count(), 1);
    await agus.getByLabel('Peran Agus Salim', { exact: true }).selectOption('instructor');
    await agus.getByRole('button', { name: 'Simpan peran Agus Salim' }).click();
    await confirm(page, 'Ya, lanjutkan');
    await page.getByText('Peran Agus Salim kini Narasumber.').waitFor();
    const u = await call(server.url, 'GET', '/api/v1/users?role=instructor', { token: admin.token });
    assert.ok(u.json.items.some((x) => x.id === people.agus.id && x.role === 'instructor'));
    // one's own role cannot be changed here
    await page.getByLabel('Cari nama atau email').fill('');
    assert.equal(await page.locator(`tr[data-user="${admin.id}"] select`).isDisabled(), true);
    await checkPage(page, 'admin-users-desktop');

    // English.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Users and roles' }).waitFor();
    await page.getByLabel('Search name or e-mail').waitFor();
    await checkPage(page, 'admin-users-en-desktop');
    await page.getByRole('button', { name: 'Bahasa Indonesia' }).click().catch(() => {});
  });
  await page.context().close();
});

test('registrations and users pages at 360×800 (axe, screenshot)', async () => {
  const page = await signedInPage(browser, server.url, admin, 'mobile');
  await onFailureShot(page, 'admin-registrations-mobile', async () => {
    await open(page, `/admin/cohorts/${co.id}/registrations`, 'Pendaftar');
    await rowsOf(page).first().waitFor();
    await checkPage(page, 'admin-registrations-mobile');
    await open(page, '/admin/users', 'Pengguna dan peran');
    await checkPage(page, 'admin-users-mobile');
  });
  await page.context().close();
});
