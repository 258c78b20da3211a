// The language: Bahasa Indonesia by default, an English switch in the
// header that persists across reloads (localStorage 'sinau.lang' and a
// 'lang' cookie), dates as "22 Maret 2027" in id and "22 March 2027" in en,
// and a switch back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, closeBrowser, withPage, pageReady, axeCheck, screenshot, assertNoProblems } from './lib/browser.mjs';
import { seedProgramme } from './lib/seed.mjs';

const ID_MONTHS = ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus', 'September', 'Oktober', 'November', 'Desember'];
const EN_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

let server;
let browser;
let seed;
const year = new Date().getUTCFullYear() + 1;
const starts = `${year}-03-22`;
const ends = `${year}-04-05`;

before(async () => {
  server = await startServer();
  seed = await seedProgramme(server, { over: { starts_on: starts, ends_on: ends } });
  browser = await launchBrowser();
});

after(async () => {
  await closeBrowser(browser);
  await server?.stop();
});

test('Indonesian by default, English on request, kept across reloads', () =>
  withPage(browser, server.url, 'mobile', 'language', async (page) => {
    await page.goto('/');
    await pageReady(page, 'Program pelatihan');
    assert.equal(await page.locator('html').getAttribute('lang'), 'id');
    const card = page.locator('article.programme', { hasText: seed.title });
    // calendar dates, day month-name year, in Indonesian
    await card.getByText(`22 ${ID_MONTHS[2]} ${year} – 5 ${ID_MONTHS[3]} ${year}`).waitFor();
    const sw = page.getByRole('button', { name: 'English' });
    assert.equal(await sw.getAttribute('lang'), 'en');

    await sw.click();
    await pageReady(page, 'Training programmes');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await card.getByText(`22 ${EN_MONTHS[2]} ${year} – 5 ${EN_MONTHS[3]} ${year}`).waitFor();
    await page.getByRole('link', { name: 'Programmes' }).waitFor();
    await axeCheck(page, 'catalogue in English');
    await screenshot(page, 'language-en-catalogue');

    // a reload and a deep link keep English
    await page.reload();
    await pageReady(page, 'Training programmes');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal(await page.evaluate(() => localStorage.getItem('sinau.lang')), 'en');
    const cookies = await page.context().cookies();
    assert.equal(cookies.find((c) => c.name === 'lang')?.value, 'en');
    await page.goto('/masuk');
    await pageReady(page, 'Log in');
    await page.getByLabel('Password').waitFor();

    // and back to Indonesian, also kept
    await page.getByRole('button', { name: 'Bahasa Indonesia' }).click();
    await pageReady(page, 'Masuk');
    await page.reload();
    await pageReady(page, 'Masuk');
    assert.equal(await page.locator('html').getAttribute('lang'), 'id');
    assertNoProblems(page);
  }));

test('instants are shown in the reader\'s words too', () =>
  withPage(browser, server.url, 'desktop', 'language-instants', async (page) => {
    await page.goto(`/programmes/${seed.slug}`);
    await pageReady(page, seed.title);
    const closes = new Date(seed.cohort.registration_closes_at);
    const text = await page.locator(`#cohort-${seed.cohort.id} .badge`).first().textContent();
    // the closing instant, in the browser's time zone, with the Indonesian month
    const local = new Date(closes.getTime());
    assert.match(text, new RegExp(`^Pendaftaran dibuka sampai ${local.getDate()} ${ID_MONTHS[local.getMonth()]} ${local.getFullYear()} pukul \\d{2}\\.\\d{2}$`));
    assertNoProblems(page);
  }));
