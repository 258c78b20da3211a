// The header at 360 px (web/css/site.css "header"): for an admin, an
// instructor, a participant and a visitor, in Indonesian and in English,
// every header link and button lies wholly inside the 360 px, nothing
// scrolls sideways (neither the page nor the nav), each nav link is a tap
// target of at least 24×24 px and is the element hit at its centre (not
// covered), and the links each role should have are there. A participant's
// and a visitor's links stay in one row; staff get "Kelola" / "Manage"
// (cut off at the right edge before) and it works. At 1280×800 staff links
// are one row again. Screenshots of each header state; axe on each page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, closeBrowser, withPage, pageReady, axeCheck, screenshot, assertNoProblems } from './lib/browser.mjs';
import { newAdmin } from '../api/lib/accounts.mjs';
import { newInstructor, participant } from '../api/lib/cohorts.mjs';

let server;
let browser;
const people = {};

const LINKS = {
  id: { visitor: ['Program'], participant: ['Program', 'Angkatan saya', 'Sertifikat'], staff: ['Program', 'Angkatan saya', 'Sertifikat', 'Kelola'] },
  en: { visitor: ['Programmes'], participant: ['Programmes', 'My cohorts', 'Certificates'], staff: ['Programmes', 'My cohorts', 'Certificates', 'Manage'] },
};
const STAFF_HOME = { id: 'Ruang staf', en: 'Staff room' };

before(async () => {
  server = await startServer();
  people.admin = await newAdmin(server);
  people.instructor = await newInstructor(server);
  people.participant = await participant(server.url, { full_name: 'Dewi Lestari' });
  people.visitor = null;
  browser = await launchBrowser();
});

after(async () => {
  await closeBrowser(browser);
  await server?.stop();
});

// Signs the page's context in as `person` (none for a visitor) in `lang`.
async function as(page, person, lang) {
  const cookies = [{ name: 'lang', value: lang, url: server.url }];
  if (person) cookies.push({ name: 'sinau_session', value: person.cookie, url: server.url, httpOnly: true, sameSite: 'Lax' });
  await page.context().addCookies(cookies);
}

// What the header looks like: the viewport, the page's and the nav's
// widths, and each link or button of the header with its box and whether
// it is what a tap at its centre hits.
function measure(page) {
  return page.evaluate(() => {
    const nav = document.querySelector('.site-header nav');
    const box = (el) => {
      const r = el.getBoundingClientRect();
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return { text: el.textContent.trim(), left: r.left, right: r.right, top: Math.round(r.top), width: r.width, height: r.height, hit: !!hit && el.contains(hit) };
    };
    return {
      viewport: document.documentElement.clientWidth,
      pageWidth: document.scrollingElement.scrollWidth,
      nav: { scroll: nav.scrollWidth, client: nav.clientWidth },
      links: [...nav.querySelectorAll('a')].map(box),
      controls: [...document.querySelectorAll('.site-header .bar a, .site-header .bar button')].filter((el) => el.getClientRects().length).map(box),
    };
  });
}

for (const lang of ['id', 'en']) {
  for (const role of ['admin', 'instructor', 'participant', 'visitor']) {
    test(`header at 360 px: ${role} (${lang})`, async () => {
      const staff = role === 'admin' || role === 'instructor';
      await withPage(browser, server.url, 'mobile', `header-360-${role}-${lang}`, async (page) => {
        await as(page, people[role], lang);
        await page.goto(staff ? '/staff' : role === 'participant' ? '/me/cohorts' : '/');
        await pageReady(page);
        const m = await measure(page);
        const label = `${role} (${lang})`;
        assert.equal(m.viewport, 360);
        assert.ok(m.pageWidth <= m.viewport, `${label}: the page scrolls sideways (${m.pageWidth} px)`);
        assert.ok(m.nav.scroll <= m.nav.client, `${label}: the nav scrolls sideways (${m.nav.scroll} > ${m.nav.client} px)`);
        assert.deepEqual(m.links.map((l) => l.text), LINKS[lang][staff ? 'staff' : role], `${label}: the nav links`);
        for (const el of [...m.links, ...m.controls]) {
          assert.ok(el.left >= 0 && el.right <= m.viewport + 0.5, `${label}: "${el.text}" is cut off (${el.left}–${el.right} px)`);
          assert.ok(el.hit, `${label}: "${el.text}" is covered at its centre`);
        }
        for (const l of m.links) assert.ok(l.width >= 24 && l.height >= 24, `${label}: "${l.text}" is a ${l.width}×${l.height} px target`);
        if (!staff) assert.equal(new Set(m.links.map((l) => l.top)).size, 1, `${label}: the links in one row: ${JSON.stringify(m.links)}`);
        await page.locator('.site-header').screenshot({ path: await screenshot(page, `header-360-${role}-${lang}`).then((f) => f.replace(/\.png$/, '-header.png')) });
        if (lang === 'id') await axeCheck(page, label);
        if (staff) {
          // the link that was cut off leads to the staff room
          await page.goto('/');
          await pageReady(page);
          await page.locator('.site-header nav').getByRole('link', { name: LINKS[lang].staff[3] }).click();
          await page.getByRole('heading', { level: 1, name: STAFF_HOME[lang] }).waitFor();
        }
        assertNoProblems(page);
      });
    });
  }
}

test('header at 1280 px: the staff links in one row', async () => {
  await withPage(browser, server.url, 'desktop', 'header-1280-admin', async (page) => {
    await as(page, people.admin, 'en');
    await page.goto('/staff');
    await pageReady(page);
    const m = await measure(page);
    assert.deepEqual(m.links.map((l) => l.text), LINKS.en.staff);
    assert.equal(new Set(m.links.map((l) => l.top)).size, 1, `one row: ${JSON.stringify(m.links)}`);
    assert.ok(m.pageWidth <= m.viewport);
    await screenshot(page, 'header-1280-admin-en');
    assertNoProblems(page);
  });
});
