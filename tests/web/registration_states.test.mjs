// Registration outcomes in the browser besides "confirmed": a full segment
// puts the reader on the waitlist with a position; a cancellation elsewhere
// turns that into an offer to accept (cohort with offer_ttl_s), accepted
// from "my cohorts"; cancelling asks first. The catalogue's seat counts
// follow registrations made elsewhere within its ~10 s refresh. And the
// cohort home's check-in form takes a 6-digit code (a wrong one refused).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, closeBrowser, withPage, pageReady, axeCheck, screenshot, assertNoProblems, assertCleanText } from './lib/browser.mjs';
import { seedProgramme, participant, register, signInContext, call } from './lib/seed.mjs';
import { seats, cohortBody } from '../api/lib/cohorts.mjs';
import { createSession, openCheckin, otherCode, expectStatus } from '../api/lib/content.mjs';

let server;
let browser;
let seed;

before(async () => {
  server = await startServer();
  seed = await seedProgramme(server, {
    over: { name: 'Angkatan Kecil', offer_ttl_s: 3600, segments: [{ segment: 'public', quota: 1, waitlist: true }] },
  });
  browser = await launchBrowser();
});

after(async () => {
  await closeBrowser(browser);
  await server?.stop();
});

test('waitlisted with a position, then offered a seat, accepted, then cancelled', () =>
  withPage(browser, server.url, 'mobile', 'states', async (page) => {
    const base = server.url;
    const first = await participant(base, { segment: 'public', full_name: 'Agus Pertama' });
    const r1 = await register(base, first.token, seed.cohort.id, 'public');
    assert.equal(r1.json?.status, 'confirmed', r1.text);
    const me = await participant(base, { segment: 'public', full_name: 'Wulan Kedua' });
    await signInContext(page.context(), base, me);

    await page.goto(`/programmes/${seed.slug}`);
    await pageReady(page, seed.title);
    const section = page.locator(`#cohort-${seed.cohort.id}`);
    await section.locator('.seats li[data-segment="public"]', { hasText: /penuh/ }).waitFor();
    await section.getByRole('button', { name: 'Daftar angkatan ini' }).click();
    await section.locator('.outcome.waitlisted').waitFor();
    assert.match(await section.locator('.outcome').textContent(), /Daftar tunggu · urutan 1.*urutan ke-1/s);
    await axeCheck(page, 'waitlisted');
    await assertCleanText(page, 'states-01-waitlisted');
    await screenshot(page, 'states-01-waitlisted');

    // the first one cancels: the seat is offered to the reader
    const mine1 = await call(base, 'DELETE', `/api/v1/registrations/${r1.json.id}`, { token: first.token });
    assert.equal(mine1.status, 200, mine1.text);
    await page.getByRole('link', { name: 'Angkatan saya' }).click();
    await pageReady(page, 'Angkatan saya');
    const card = page.locator('.my-cohorts > li').first();
    await card.locator('.badge.offered', { hasText: 'Ditawari kursi' }).waitFor();
    await card.getByText(/Ada kursi untuk Anda! Terima sebelum \d+ \w+ \d{4}/).waitFor();
    await axeCheck(page, 'offered');
    await assertCleanText(page, 'states-02-offered');
    await screenshot(page, 'states-02-offered');
    await card.getByRole('button', { name: 'Terima kursi' }).click();
    await page.locator('.my-cohorts .badge.confirmed', { hasText: 'Terdaftar' }).waitFor();
    await page.locator('.my-cohorts').getByRole('link', { name: /Buka kelas/ }).waitFor();

    // cancelling asks first (the app's dialog, the one every page uses);
    // "no" keeps the seat, "yes" frees it
    const dialog = page.getByRole('dialog', { name: /Yakin membatalkan\?/ });
    await page.locator('.my-cohorts').getByRole('button', { name: 'Batalkan pendaftaran' }).click();
    await dialog.waitFor();
    await axeCheck(page, 'cancel-dialog');
    await dialog.getByRole('button', { name: 'Tidak', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal((await seats(base, seed.cohort.id)).public.confirmed, 1);
    await page.locator('.my-cohorts').getByRole('button', { name: 'Batalkan pendaftaran' }).click();
    await dialog.getByRole('button', { name: 'Ya, batalkan' }).click();
    await page.locator('.my-cohorts .badge.cancelled', { hasText: 'Dibatalkan' }).waitFor();
    assert.equal((await seats(base, seed.cohort.id)).public.confirmed, 0);
    await assertCleanText(page, 'states-03-cancelled');
    await screenshot(page, 'states-03-cancelled');
    assertNoProblems(page);
  }));

test('the catalogue\'s seats follow registrations made elsewhere', () =>
  withPage(browser, server.url, 'desktop', 'states-live', async (page) => {
    const base = server.url;
    await page.goto('/');
    await pageReady(page, 'Program pelatihan');
    const cell = page.locator('article.programme', { hasText: seed.title }).locator('.seats li[data-segment="public"]');
    const before = (await seats(base, seed.cohort.id)).public.seats_left;
    assert.equal(before, 1, 'one seat left after the first test');
    await cell.getByText('tersisa dari 1').waitFor();
    const other = await participant(base, { segment: 'public', full_name: 'Rudi Ketiga' });
    const r = await register(base, other.token, seed.cohort.id, 'public');
    assert.equal(r.json?.status, 'confirmed', r.text);
    // no reload: the page polls every 10 s while registration is open
    await cell.locator('.n', { hasText: /^0$/ }).waitFor({ timeout: 25000 });
    await cell.getByText(/penuh/).waitFor();
    assertNoProblems(page);
  }));

test('check-in at a live session with the 6-digit code', () =>
  withPage(browser, server.url, 'mobile', 'states-checkin', async (page) => {
    const base = server.url;
    const me = await participant(base, { segment: 'public', full_name: 'Sari Hadir' });
    // a cohort of its own with seats to spare
    const c = await call(base, 'POST', `/api/v1/programmes/${seed.slug}/cohorts`, {
      token: seed.admin.token,
      json: cohortBody({ name: 'Angkatan Presensi' }),
    });
    const cohortId = c.status === 201 ? c.json.id : null;
    assert.ok(cohortId, c.text);
    const reg = await register(base, me.token, cohortId, 'public');
    assert.equal(reg.json?.status, 'confirmed', reg.text);
    const start = Date.now() - 600000;
    const s = expectStatus(
      await createSession(base, seed.admin.token, cohortId, { title: 'Tatap muka 1', starts_at: new Date(start).toISOString(), ends_at: new Date(start + 7200000).toISOString(), place: 'Ngalam Command Center' }),
      201,
      'session',
    );
    const code = expectStatus(await openCheckin(base, seed.admin.token, s.id, {}), 200, 'open check-in').code;
    await signInContext(page.context(), base, me);
    await page.goto(`/cohorts/${cohortId}`);
    await pageReady(page, new RegExp(seed.title));
    const session = page.locator('.session', { hasText: 'Tatap muka 1' });
    await session.getByText('Ngalam Command Center').waitFor();
    await session.getByLabel('Kode presensi').fill('12ab');
    await session.getByRole('button', { name: 'Catat kehadiran' }).click();
    await session.getByText('Kode presensi salah. Periksa 6 angkanya.').waitFor();
    await session.getByLabel('Kode presensi').fill(otherCode(code));
    await session.getByRole('button', { name: 'Catat kehadiran' }).click();
    await session.getByText('Kode presensi salah. Periksa 6 angkanya.').waitFor();
    await session.getByLabel('Kode presensi').fill(code);
    await session.getByRole('button', { name: 'Catat kehadiran' }).click();
    await session.getByText('Kehadiran Anda tercatat. Terima kasih!').waitFor();
    await axeCheck(page, 'checked in');
    await assertCleanText(page, 'states-04-checked-in');
    await screenshot(page, 'states-04-checked-in');
    const att = await call(base, 'GET', `/api/v1/cohorts/${cohortId}/attendance`, { token: seed.admin.token });
    assert.equal(att.status, 200, att.text);
    assert.match(att.text, /Sari Hadir/);
    assertNoProblems(page, [/^http 422 POST \/api\/v1\/sessions\/[^/]+\/attendance$/]);
  }));
