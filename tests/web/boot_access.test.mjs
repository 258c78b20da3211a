// The first load starts the page module and its dictionary area with
// GET /api/v1/me (web/app/main.js), before anyone knows who is reading. This
// test holds what must not change with it: the access check by role still
// decides before a page is drawn, and the area arrives in the reader's
// language. Each case opens its address cold (a new context):
//   - a visitor at /admin/keys and /me/cohorts is sent to /masuk?next=… and
//     sees the sign-in page, nothing of the page asked for;
//   - a participant at /staff sees "Tidak ada akses", not the staff home;
//   - an admin at /staff sees the admin tiles, programmes, users and signing
//     keys, and the signing-keys tile leads to /admin/keys;
//   - a visitor whose language is English (the 'lang' cookie) gets the
//     sign-in page in English at once, area words included.
// At 360×800; no console errors or failed requests (but the signed-out
// 401 of /me).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, closeBrowser, newPage, pageReady, assertNoProblems, screenshot } from './lib/browser.mjs';
import { participant } from './lib/seed.mjs';
import { newAdmin } from '../api/lib/accounts.mjs';

let server;
let browser;
let admin;
let learner;

before(async () => {
  server = await startServer();
  admin = await newAdmin(server);
  learner = await participant(server.url, { segment: 'public', full_name: 'Dewi Lestari' });
  browser = await launchBrowser();
});

after(async () => {
  await closeBrowser(browser);
  await server?.stop();
});

// A fresh page, signed in as `who` when given, with `cookies` besides.
async function fresh(who, cookies = []) {
  const page = await newPage(browser, server.url, 'mobile');
  const jar = [...cookies];
  if (who) jar.push({ name: 'sinau_session', value: who.cookie, url: server.url, httpOnly: true, sameSite: 'Lax' });
  if (jar.length) await page.context().addCookies(jar);
  return page;
}

async function run(name, who, fn, cookies) {
  const page = await fresh(who, cookies);
  try {
    await fn(page);
    assertNoProblems(page);
  } catch (err) {
    await screenshot(page, `boot-${name}-FAILED`).catch(() => null);
    throw err;
  } finally {
    await page.context().close();
  }
}

test('a visitor at a signed-in or admin address is sent to sign in first', async () => {
  for (const path of ['/admin/keys', '/me/cohorts']) {
    await run(`visitor${path.replace(/\//g, '-')}`, null, async (page) => {
      await page.goto(path);
      await page.waitForURL((u) => u.pathname === '/masuk');
      await pageReady(page, 'Masuk');
      assert.equal(new URL(page.url()).searchParams.get('next'), path);
      assert.equal(await page.getByRole('heading', { name: 'Kunci penandatangan' }).count(), 0, `${path}: the keys page was drawn`);
      assert.equal(await page.locator('main .page').count(), 1);
    });
  }
});

test('a participant at /staff sees no access, not the staff home', async () => {
  await run('participant-staff', learner, async (page) => {
    await page.goto('/staff');
    await pageReady(page, 'Tidak ada akses');
    assert.equal(new URL(page.url()).pathname, '/staff');
    assert.equal(await page.locator('.staff-tiles').count(), 0);
    assert.equal(await page.getByRole('link', { name: 'Kunci penandatangan' }).count(), 0);
  });
});

test('an admin at /staff has a tile to the signing keys', async () => {
  await run('admin-staff', admin, async (page) => {
    await page.goto('/staff');
    await pageReady(page, 'Ruang staf');
    const tiles = page.getByRole('navigation', { name: 'Menu admin' }).getByRole('link');
    // issue 12 added the certificate signatory's tile, issue 13 the message delivery log's
    assert.deepEqual(await tiles.allTextContents(), ['Program', 'Pengguna dan peran', 'Kunci penandatangan', 'Penanda tangan sertifikat', 'Log pengiriman pesan']);
    await screenshot(page, 'boot-admin-staff-tiles');
    await tiles.filter({ hasText: 'Kunci penandatangan' }).click();
    await page.waitForURL((u) => u.pathname === '/admin/keys');
    await pageReady(page, 'Kunci penandatangan');
  });
});

test('the first page comes in the reader\'s language, its area too', async () => {
  await run('visitor-en', null, async (page) => {
    await page.goto('/masuk');
    await pageReady(page, 'Log in');
    await page.locator('main').getByRole('button', { name: 'Log in', exact: true }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    const text = await page.locator('main').innerText();
    assert.doesNotMatch(text, /Kata sandi|Masuk/, `Indonesian words on the English sign-in page:\n${text}`);
  }, [{ name: 'lang', value: 'en', url: server.url, sameSite: 'Lax' }]);
});
