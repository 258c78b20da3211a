// A participant's journey in the browser, at 360x800 and at 1280x800: the
// catalogue, signing up, the profile (a wrong NIK refused next to its field
// in Indonesian, then a right one shown masked), registering for a cohort
// (confirmed), the cohort's home, reading a lesson (rendered Markdown, the
// script in it inert, the video embed on request), marking it done and
// seeing the progress bar move. axe-core on every page visited; a
// screenshot of each step under build/web-artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, closeBrowser, withPage, axeCheck, screenshot, pageReady, assertNoProblems, assertCleanText } from './lib/browser.mjs';
import { seedProgramme } from './lib/seed.mjs';
import { uniqueEmail, PASSWORD } from '../api/lib/accounts.mjs';
import { nik, seats } from '../api/lib/cohorts.mjs';

let server;
let browser;
let seed;

before(async () => {
  server = await startServer();
  seed = await seedProgramme(server);
  browser = await launchBrowser();
});

after(async () => {
  await closeBrowser(browser);
  await server?.stop();
});

// Video embeds cannot load here (loopback only): the iframe's request fails.
const OFFLINE_VIDEO = /request failed: GET https:\/\/www\.youtube-nocookie\.com\//;

async function check(page, name, allow = []) {
  const width = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(width[0] <= width[1], `${name}: the page is ${width[0]} px wide in a ${width[1]} px window`);
  await axeCheck(page, name);
  await assertCleanText(page, name);
  await screenshot(page, name);
  assertNoProblems(page, allow);
}

for (const vp of ['mobile', 'desktop']) {
  test(`participant journey at ${vp}`, () => withPage(browser, server.url, vp, `journey-${vp}`, async (page) => {
    const shot = (step) => `journey-${vp}-${step}`;

    // the catalogue: programme, cohort, live seats (as the API counts them)
    const left = (await seats(server.url, seed.cohort.id)).public.seats_left;
    await page.goto('/');
    await pageReady(page, 'Program pelatihan');
    assert.equal(await page.locator('html').getAttribute('lang'), 'id');
    const card = page.locator('article.programme', { hasText: seed.title }).first();
    await card.waitFor();
    assert.match(await card.textContent(), /Angkatan 1/);
    assert.match(await card.locator('.seats li[data-segment="public"]').textContent(), new RegExp(`Umum\\s*${left}\\s*tersisa dari 5`));
    await check(page, shot('01-catalogue'));

    // sign up: a short password is refused next to its field, then accepted
    await page.getByRole('link', { name: 'Daftar akun' }).first().click();
    await pageReady(page, 'Daftar akun');
    const email = uniqueEmail('web');
    await page.getByLabel('Nama lengkap').fill('Sri Wahyuni');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Kata sandi').fill('pendek');
    await page.getByRole('button', { name: 'Buat akun' }).click();
    await page.getByText('Kata sandi minimal 10 karakter.').waitFor();
    assert.equal(await page.getByLabel('Kata sandi').getAttribute('aria-invalid'), 'true');
    await check(page, shot('02-signup'));
    await page.getByLabel('Kata sandi').fill(PASSWORD);
    await page.getByRole('button', { name: 'Buat akun' }).click();

    // the profile: Umum needs a NIK; a wrong one gets an Indonesian message
    await pageReady(page, 'Profil');
    assert.match(new URL(page.url()).pathname, /^\/me\/profile$/);
    await page.getByText('Akun Anda sudah dibuat, Sri Wahyuni.').waitFor();
    await page.locator('.site-header .who', { hasText: 'Sri Wahyuni' }).waitFor({ state: 'attached' });
    assert.equal(await page.getByLabel('Umum').isChecked(), true);
    await page.getByLabel(/^NIK/).fill('35730101900');
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.getByText('NIK harus 16 digit.').waitFor();
    assert.equal(await page.getByLabel(/^NIK/).getAttribute('aria-invalid'), 'true');
    // the server's own check: a region code that does not exist
    await page.getByLabel(/^NIK/).fill('0000000101900001');
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.getByText(/NIK (tidak valid|tidak boleh)|Kode wilayah pada NIK tidak valid/).waitFor();
    await check(page, shot('03-profile-error'), [/^http 422 PUT \/api\/v1\/me\/profile$/]);
    const myNik = nik();
    await page.getByLabel(/^NIK/).fill(myNik);
    await page.getByLabel('Nomor ponsel').fill('0812 3456 7890');
    await page.getByLabel('Kecamatan dan kota domisili').fill('Lowokwaru, Kota Malang');
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.getByText('Tersimpan.').first().waitFor();
    const masked = `${myNik.slice(0, 4)}********${myNik.slice(12)}`;
    await page.getByText(`Tersimpan: ${masked}.`).waitFor();
    assert.equal(await page.getByText(myNik).count(), 0, 'the full NIK is never shown');
    await check(page, shot('04-profile-saved'));

    // the programme page: register in Umum → confirmed
    await page.getByRole('link', { name: 'Program', exact: true }).click();
    await pageReady(page, 'Program pelatihan');
    await page.locator('article.programme', { hasText: seed.title }).getByRole('link', { name: /^Daftar/ }).first().click();
    await pageReady(page, seed.title);
    const section = page.locator(`#cohort-${seed.cohort.id}`);
    await section.getByLabel(/Umum/).check();
    await section.getByRole('button', { name: 'Daftar angkatan ini' }).click();
    await section.locator('.outcome.confirmed').waitFor();
    assert.match(await section.locator('.outcome').textContent(), /Terdaftar.*segmen Umum/s);
    // the seat counts are refreshed after registering: one fewer left in Umum
    await section.locator('.seats li[data-segment="public"]', { hasText: new RegExp(`Umum\\s*${left - 1}\\s*tersisa dari 5`) }).waitFor();
    await check(page, shot('05-registered'));

    // the cohort's home: 0 % and the module tree
    await section.getByRole('link', { name: 'Buka kelas' }).click();
    await pageReady(page, new RegExp(seed.title));
    const bar = page.getByRole('progressbar').first();
    assert.equal(await bar.getAttribute('aria-valuenow'), '0');
    await page.getByText('0 dari 3 materi selesai (0%)').waitFor();
    for (const l of seed.lessons) await page.locator('.lessons').getByRole('link', { name: l.title, exact: true }).waitFor();
    await check(page, shot('06-cohort'));

    // a lesson: rendered, inert, video on request; mark it done
    await page.getByRole('link', { name: /Mulai belajar/ }).click();
    await pageReady(page, seed.lessons[0].title);
    const body = page.locator('.lesson-body');
    assert.equal(await body.locator('strong').textContent(), 'Daftar');
    assert.equal(await body.locator('a').getAttribute('href'), 'https://example.com/panduan');
    assert.equal(await body.locator('script').count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    await page.getByText('Materi 1 dari 3').waitFor();
    await check(page, shot('07-lesson'));
    await page.getByRole('button', { name: 'Putar video YouTube' }).click();
    const iframe = page.locator('.video-frame iframe');
    assert.equal(await iframe.getAttribute('src'), 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ');
    assert.match(await iframe.getAttribute('title'), /Membuat akun kreator/);
    const lessonBar = page.locator('.lesson-progress [role="progressbar"]');
    assert.equal(await lessonBar.getAttribute('aria-valuenow'), '0');
    await page.getByRole('button', { name: 'Tandai selesai' }).click();
    await page.getByText('Materi ini sudah selesai.').waitFor();
    assert.equal(await lessonBar.getAttribute('aria-valuenow'), '33');
    await page.getByText('1 dari 3 materi selesai (33%)').waitFor();
    // the fill grows (a short transition) to a third of the bar
    await page.waitForFunction(() => {
      const el = document.querySelector('.lesson-progress .progress-fill');
      return Math.abs(el.getBoundingClientRect().width / el.parentElement.getBoundingClientRect().width - 0.33) < 0.02;
    });
    await check(page, shot('08-lesson-done'), [OFFLINE_VIDEO]);

    // next lesson, then back home: the bar kept its place
    await page.getByRole('link', { name: /Berikutnya/ }).click();
    await pageReady(page, seed.lessons[1].title);
    await page.getByRole('link', { name: 'Kembali ke kelas' }).first().click();
    await pageReady(page, new RegExp(seed.title));
    assert.equal(await page.getByRole('progressbar').first().getAttribute('aria-valuenow'), '33');
    await page.getByRole('link', { name: /Lanjutkan belajar/ }).waitFor();
    assert.equal(await page.locator('.lessons li.done').count(), 1);
    await check(page, shot('09-cohort-progress'), [OFFLINE_VIDEO]);

    // my cohorts lists the registration as confirmed
    await page.getByRole('link', { name: 'Angkatan saya' }).first().click();
    await pageReady(page, 'Angkatan saya');
    await page.locator('.badge.confirmed', { hasText: 'Terdaftar' }).waitFor();
    await check(page, shot('10-my-cohorts'));
  }));
}
