// Editing in the admin pages (browser). An admin renames a programme and
// rewrites its description (an empty title is refused before sending);
// moves a cohort's dates and registration window, typed in the browser's
// time zone — Asia/Makassar (UTC+08:00), neither UTC nor the machine's — and
// sent with that offset, only the fields that changed; a window that closes
// before it opens is refused by the server (cohorts_window_check) with the
// message next to "Ditutup" and every field keeping what was typed; the
// public programme page shows the new title, dates and window afterwards;
// an instructor is taken off the cohort after a confirmation (dismissing it
// changes nothing). At 360×800 and 1280×800, axe on each page, screenshots
// saved.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, closeBrowser, newPage } from './lib/browser.mjs';
import { newAdmin, call, show } from '../api/lib/accounts.mjs';
import { programme, cohort, newInstructor, addInstructor, dateIn } from '../api/lib/cohorts.mjs';
import { open, checkPage, waitText, confirm, onFailureShot, VIEWPORT_NAMES } from './staff_helpers.mjs';

const ZONE = 'Asia/Makassar';
const OFFSET = '+08:00'; // WITA has no summer time

let server;
let browser;
let admin;

before(async () => {
  server = await startServer();
  admin = await newAdmin(server);
  browser = await launchBrowser();
});

after(async () => {
  await closeBrowser(browser);
  await server?.stop();
});

// A signed-in admin page whose browser lives in ZONE.
async function adminPage(vp) {
  const page = await newPage(browser, server.url, vp, { timezoneId: ZONE });
  await page.context().addCookies([{ name: 'sinau_session', value: admin.cookie, url: server.url, httpOnly: true, sameSite: 'Lax' }]);
  return page;
}

// The <input type=datetime-local> text of an instant for a reader in ZONE.
const inZone = (iso) => new Date(Date.parse(iso) + 8 * 3600e3).toISOString().slice(0, 16);

// How the browser (its own Intl) writes an instant in ZONE and a calendar
// date, in Indonesian: what the pages must show.
const idDateTime = (page, iso) => page.evaluate(([i, zone]) => new Intl.DateTimeFormat('id-ID', {
  day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: zone,
}).format(new Date(i)), [iso, ZONE]);
const idDate = (page, ymd) => page.evaluate((d) => new Intl.DateTimeFormat('id-ID', {
  day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC',
}).format(new Date(`${d}T00:00:00Z`)), ymd);

async function getJson(path) {
  const r = await call(server.url, 'GET', path, { token: admin.token });
  assert.equal(r.status, 200, show(r));
  return r.json;
}

async function noSidewaysScroll(page, label) {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= width, `${label}: ${scroll}px wide in a ${width}px window`);
}

// The text of the <dd> after the <dt> named `label` in `scope`.
async function fact(scope, label) {
  return scope.locator('dt', { hasText: new RegExp(`^${label}$`) }).locator('xpath=following-sibling::dd[1]').innerText();
}

for (const vp of VIEWPORT_NAMES) {
  test(`admin edits a programme and a cohort, removes an instructor (${vp})`, async () => {
    const p = await programme(server.url, admin, { title: `Pelatihan Lama ${vp}`, description: 'Deskripsi lama.' });
    const c = await cohort(server.url, admin, { name: 'Angkatan 1' }, { slug: p.slug });
    const ani = await newInstructor(server, { name: `Guru Ani ${vp}` });
    const budi = await newInstructor(server, { name: `Guru Budi ${vp}` });
    for (const who of [ani, budi]) assert.equal((await addInstructor(server.url, admin.token, c.id, who.id)).status, 201);
    const page = await adminPage(vp);
    await onFailureShot(page, `admin-editing-${vp}`, () => journey(page, vp, p, c));
    await page.context().close();
  });
}

async function journey(page, vp, p, c) {
  const puts = [];
  page.on('request', (req) => {
    if (req.method() === 'PUT') puts.push({ path: new URL(req.url()).pathname, body: req.postDataJSON() });
  });

  // ---- The programme: renamed, its description rewritten; the slug stays.
  await open(page, `/admin/programmes/${p.slug}`, `Pelatihan Lama ${vp}`);
  await checkPage(page, `admin-editing-programme-${vp}`);
  await page.getByText('Ubah judul dan deskripsi').click();
  const pf = page.getByRole('form', { name: 'Ubah judul dan deskripsi' });
  assert.equal(await pf.getByLabel('Judul').inputValue(), `Pelatihan Lama ${vp}`, 'prefilled');
  assert.equal(await pf.getByLabel('Deskripsi').inputValue(), 'Deskripsi lama.');
  // an empty title is refused here, nothing sent
  await pf.getByLabel('Judul').fill('   ');
  await pf.getByRole('button', { name: 'Simpan perubahan' }).click();
  await waitText(page, 'form[aria-label="Ubah judul dan deskripsi"] .field[data-field="title"] .field-error', /^Isi judul program\.$/);
  assert.equal(puts.length, 0, 'nothing sent for an empty title');
  const title = `Sinau TikTok & YouTube ${vp}`;
  await pf.getByLabel('Judul').fill(title);
  await pf.getByLabel('Deskripsi').fill('Untuk UMKM dan ASN Kota Malang.');
  await pf.getByRole('button', { name: 'Simpan perubahan' }).click();
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
  assert.deepEqual(puts.shift(), { path: `/api/v1/programmes/${p.slug}`, body: { title, description: 'Untuk UMKM dan ASN Kota Malang.' } });
  assert.equal(await page.locator('.staff-head .meta').innerText(), 'Untuk UMKM dan ASN Kota Malang.');
  assert.equal(await pf.getByLabel('Judul').isVisible(), true, 'the form stays open with the saved values');
  assert.equal(await pf.getByLabel('Judul').inputValue(), title);
  const prog = await getJson(`/api/v1/programmes/${p.slug}`);
  assert.deepEqual([prog.slug, prog.title, prog.description], [p.slug, title, 'Untuk UMKM dan ASN Kota Malang.']);
  await noSidewaysScroll(page, 'programme');
  await checkPage(page, `admin-editing-programme-saved-${vp}`);

  // ---- The cohort: its edit form is prefilled in the browser's zone.
  await page.locator('.staff-list').getByRole('link', { name: 'Angkatan 1' }).click();
  await page.getByRole('heading', { level: 1, name: 'Angkatan 1' }).waitFor();
  assert.match(page.url(), new RegExp(`/admin/cohorts/${c.id}$`));
  await checkPage(page, `admin-editing-cohort-${vp}`);
  await page.getByText('Ubah data angkatan').click();
  const cf = page.getByRole('form', { name: 'Ubah data angkatan' });
  await cf.getByText(`zona waktu perangkat ini: ${ZONE} (UTC${OFFSET})`).waitFor();
  // exact ('Mulai' is also in another label); a required field's label ends with ' *'
  const input = (label) => cf.getByLabel(new RegExp(`^${label.replace(/[()]/g, '\\$&')}( \\*)?$`));
  assert.equal(await input('Nama angkatan').inputValue(), 'Angkatan 1');
  assert.equal(await input('Dibuka').inputValue(), inZone(c.registration_opens_at));
  assert.equal(await input('Ditutup').inputValue(), inZone(c.registration_closes_at));
  assert.equal(await input('Mulai').inputValue(), c.starts_on);
  assert.equal(await input('Selesai').inputValue(), c.ends_on);
  assert.equal(await input('Jam pelajaran (JP)').inputValue(), String(c.jp));
  await noSidewaysScroll(page, 'cohort form');

  // A window that closes before it opens: the server refuses it, the
  // message is next to "Ditutup", everything typed stays.
  const opensDay = dateIn(30);
  const typed = {
    'Nama angkatan': `Angkatan Pindah ${vp}`,
    Dibuka: `${opensDay}T09:00`,
    Ditutup: `${dateIn(20)}T17:00`,
    Mulai: dateIn(50),
    Selesai: dateIn(70),
  };
  for (const [label, value] of Object.entries(typed)) await input(label).fill(value);
  const [refusal] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'PUT' && new URL(r.url()).pathname === `/api/v1/cohorts/${c.id}`),
    cf.getByRole('button', { name: 'Simpan perubahan' }).click(),
  ]);
  assert.equal(refusal.status(), 422);
  assert.equal((await refusal.json()).error.details.constraint, 'cohorts_window_check');
  const closesError = cf.locator('.field[data-field="registration_closes_at"] .field-error');
  await closesError.waitFor();
  assert.equal(await closesError.innerText(), 'Pendaftaran harus ditutup setelah dibuka.');
  assert.equal(await input('Ditutup').getAttribute('aria-invalid'), 'true');
  assert.equal(await input('Ditutup').evaluate((el) => el === document.activeElement), true, 'focus on the field in error');
  assert.equal(await cf.locator('.field-error:not([hidden])').count(), 1, 'one message, at Ditutup');
  for (const [label, value] of Object.entries(typed)) assert.equal(await input(label).inputValue(), value, `${label} keeps what was typed`);
  assert.equal((await getJson(`/api/v1/cohorts/${c.id}`)).name, 'Angkatan 1', 'nothing changed');
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Angkatan 1');
  await checkPage(page, `admin-editing-window-error-${vp}`, { allow: [new RegExp(`^http 422 PUT /api/v1/cohorts/${c.id}$`)] });

  // Corrected: the changed fields go out with the zone's offset.
  const closesDay = dateIn(45);
  await input('Ditutup').fill(`${closesDay}T17:00`);
  await input('Batas waktu tawaran (menit)').fill('1440');
  puts.length = 0;
  await cf.getByRole('button', { name: 'Simpan perubahan' }).click();
  await page.getByRole('heading', { level: 1, name: `Angkatan Pindah ${vp}` }).waitFor();
  assert.deepEqual(puts, [{
    path: `/api/v1/cohorts/${c.id}`,
    body: {
      name: `Angkatan Pindah ${vp}`,
      registration_opens_at: `${opensDay}T09:00:00${OFFSET}`,
      registration_closes_at: `${closesDay}T17:00:00${OFFSET}`,
      starts_on: dateIn(50),
      ends_on: dateIn(70),
      offer_ttl_s: 86400,
    },
  }], 'only what changed, times with the offset');
  const moved = await getJson(`/api/v1/cohorts/${c.id}`);
  assert.equal(Date.parse(moved.registration_opens_at), Date.parse(`${opensDay}T01:00:00Z`));
  assert.equal(Date.parse(moved.registration_closes_at), Date.parse(`${closesDay}T09:00:00Z`));
  assert.deepEqual([moved.name, moved.starts_on, moved.ends_on, moved.jp, moved.offer_ttl_s, moved.spillover_at], [`Angkatan Pindah ${vp}`, dateIn(50), dateIn(70), c.jp, 86400, null]);
  assert.equal(await cf.locator('.field-error:not([hidden])').count(), 0, 'the message is gone');
  assert.equal(await input('Dibuka').inputValue(), `${opensDay}T09:00`, 'the form shows the saved values');
  // the facts follow, in the reader's zone
  const facts = page.locator('dl.staff-facts');
  const opensText = await idDateTime(page, moved.registration_opens_at);
  const closesText = await idDateTime(page, moved.registration_closes_at);
  assert.match(opensText, /09[.:]00/);
  assert.equal(await fact(facts, 'Masa pendaftaran'), `${opensText} sampai ${closesText}`);
  assert.equal(await fact(facts, 'Tawaran kursi yang lepas'), 'Berlaku 1 hari');
  assert.equal(await fact(facts, 'Tanggal pelatihan'), `${await idDate(page, dateIn(50))} – ${await idDate(page, dateIn(70))}`);
  await checkPage(page, `admin-editing-cohort-saved-${vp}`);

  // ---- The public programme page shows the new title, dates and window.
  await open(page, `/programmes/${p.slug}`, title);
  const card = page.locator(`#cohort-${c.id}`);
  await card.getByRole('heading', { level: 2, name: `Angkatan Pindah ${vp}` }).waitFor();
  await page.getByText('Untuk UMKM dan ASN Kota Malang.').waitFor();
  assert.equal(await fact(card, 'Jadwal'), `${await idDate(page, dateIn(50))} – ${await idDate(page, dateIn(70))}`);
  assert.equal(await fact(card, 'Pendaftaran'), `${opensText} – ${closesText}`);
  await checkPage(page, `admin-editing-public-${vp}`);

  // ---- An instructor taken off the cohort, after a confirmation.
  await open(page, `/admin/cohorts/${c.id}`, `Angkatan Pindah ${vp}`);
  const list = page.getByTestId('instructors');
  const names = () => list.locator('li > span').allInnerTexts();
  assert.deepEqual(await names(), [`Guru Ani ${vp}`, `Guru Budi ${vp}`]);
  const remove = page.getByRole('button', { name: `Keluarkan Guru Ani ${vp} dari angkatan` });
  await remove.click();
  await page.locator('dialog[open]').getByText(`Keluarkan Guru Ani ${vp} dari Angkatan Pindah ${vp}?`).waitFor();
  await checkPage(page, `admin-editing-remove-confirm-${vp}`);
  await confirm(page, 'Batal');
  assert.deepEqual(await names(), [`Guru Ani ${vp}`, `Guru Budi ${vp}`], 'dismissed: nothing changed');
  assert.equal((await getJson(`/api/v1/cohorts/${c.id}`)).instructors.length, 2);
  await remove.click();
  await confirm(page, 'Ya, keluarkan');
  await page.waitForFunction((who) => ![...document.querySelectorAll('[data-testid="instructors"] li')].some((li) => li.textContent.includes(who)), `Guru Ani ${vp}`);
  assert.deepEqual(await names(), [`Guru Budi ${vp}`]);
  assert.deepEqual((await getJson(`/api/v1/cohorts/${c.id}`)).instructors.map((i) => i.full_name), [`Guru Budi ${vp}`]);
  await noSidewaysScroll(page, 'cohort');
  await checkPage(page, `admin-editing-removed-${vp}`);
}
