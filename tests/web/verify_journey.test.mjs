// A visitor verifies a certificate in the browser (issue 8; CERTIFICATES.md
// "What people see"), at 360×800 and at 1280×800, each with a certificate
// of its own: the certificate's URL opened as a QR code would open it (no
// cookies, the public URL) says VALID with the holder, programme, cohort,
// dates in Indonesian ("22 Maret 2021"), JP and issuer; the language switch
// gives English; the paste box takes the certificate's token (the page's
// own VC-JWT link) and says VALID, a tampered token TIDAK SAH / INVALID;
// after an admin revokes the certificate through the API a reload says
// DICABUT (REVOKED in English, also by the web app's lang cookie) with the
// revocation date; an unknown id says TIDAK DITEMUKAN. Every state is
// screenshotted, checked by axe (no serious or critical issue), has no
// horizontal scroll, and holds neither the holder's e-mail, NIK nor NIP.
// The verdict badge's colours are read back (green, red, grey). Last, the
// first load of the server-rendered pages is weighed (under 100 KB).
//
// The pages are rendered by the server (server/cert/credpage.c), without
// JavaScript; the server runs with SINAU_PUBLIC_URL = its own origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { launchBrowser, closeBrowser, withPage, screenshot, axeCheck, assertCleanText, assertNoProblems, VIEWPORTS } from './lib/browser.mjs';
import { newAdmin } from '../api/lib/accounts.mjs';
import { expectStatus } from '../api/lib/content.mjs';
import {
  startCertServer, certClass, issued, revoke, tokenOf, credentialJson, withIdentityNumbers, replaceInPart, flipByte, leaks,
} from '../api/lib/certificates.mjs';

let server;
let browser;
let admin;
let cr; // the class: one lesson, no assignment, rules that make everyone eligible
const holders = {}; // viewport -> {person, id, numbers}

// A long name with an apostrophe (escaped by the server, wrapped at 360 px)
// for the phone, a short one for the desktop.
const NAMES = { mobile: "Raden Ajeng Nur'aini Kusumawardhani", desktop: 'Ani Lestari' };

// The dates as a reader expects them, made here with Intl (not the server's
// table): "22 Maret 2021", "22 March 2021".
const dateIn = (locale, iso) => new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${iso.slice(0, 10)}T00:00:00Z`));
const idDate = (iso) => dateIn('id-ID', iso);
const enDate = (iso) => dateIn('en-GB', iso);

before(async () => {
  server = await startCertServer();
  admin = await newAdmin(server);
  cr = await certClass(server, admin, {
    lessons: 1, assignments: [], participants: 2, names: [NAMES.mobile, NAMES.desktop],
    rules: { min_lesson_percent: 0, require_assignments_passed: false, min_attendance_percent: 0 },
  });
  const numbers = [];
  for (const p of cr.people) numbers.push(await withIdentityNumbers(server.url, p));
  const r = await issued(server.url, admin, cr.cohort.id);
  assert.equal(r.issued, 2, JSON.stringify(r));
  for (const [i, vp] of ['mobile', 'desktop'].entries()) {
    const person = cr.people[i];
    const cert = r.certificates.find((c) => c.user_id === person.id);
    assert.ok(cert, `a certificate for ${person.full_name ?? NAMES[vp]}`);
    holders[vp] = { person, id: cert.id, numbers: numbers[i] };
  }
  browser = await launchBrowser();
});

after(async () => {
  await closeBrowser(browser);
  await server?.stop();
});

// ------------------------------------------------------------ reading ----

// The verdict paragraph: {text, status (data-status), cls, bg, fg}.
async function verdictOf(page) {
  const v = page.locator('p.verdict');
  await v.waitFor();
  assert.equal(await v.count(), 1, 'one verdict');
  return v.evaluate((el) => {
    const cs = getComputedStyle(el);
    return { text: el.textContent.trim(), status: el.dataset.status, cls: el.className, bg: cs.backgroundColor, fg: cs.color };
  });
}

// The facts list as {label: value}.
async function factsOf(page) {
  return page.locator('dl.facts').evaluate((dl) => {
    const out = {};
    for (const dt of dl.querySelectorAll('dt')) out[dt.textContent.trim()] = dt.nextElementSibling?.textContent.trim();
    return out;
  });
}

// [r, g, b] of a computed "rgb(…)" / "rgba(…)" colour.
const rgb = (css) => (/rgba?\((\d+), (\d+), (\d+)/.exec(css) ?? [0, -1, -1, -1]).slice(1, 4).map(Number);

// The badge's colour family: green, red or grey (a verdict must not be
// told by its word alone, nor look like another verdict).
function hueOf(css) {
  const [r, g, b] = rgb(css);
  if (Math.max(r, g, b) - Math.min(r, g, b) < 24) return 'grey';
  if (g > r && g >= b) return 'green';
  if (r > g && r > b) return 'red';
  return `other ${css}`;
}

// Asserts the verdict: its word, data-status, class and colour family.
async function expectVerdict(page, word, status, hue) {
  const v = await verdictOf(page);
  assert.equal(v.text, word, `verdict on ${page.url()}`);
  assert.equal(v.status, status, 'data-status');
  assert.ok(v.cls.split(/\s+/).includes(`verdict-${status.replace('_', '-')}`), `class ${v.cls}`);
  assert.equal(hueOf(v.bg), hue, `the ${word} badge's background ${v.bg}`);
  return v;
}

// Everything a page state must satisfy: a screenshot, axe, no stray text,
// no horizontal scroll, no script, none of the holder's personal numbers or
// e-mail in the document; problems other than `allow` fail.
async function look(page, vp, holder, shot, allow = []) {
  const label = `${vp} ${shot}`;
  await screenshot(page, `verify-${vp}-${shot}`);
  await axeCheck(page, label);
  await assertCleanText(page, label);
  const { scroll, client, scripts } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
    scripts: document.scripts.length,
  }));
  assert.ok(scroll <= client, `${label}: scrolls sideways (${scroll} > ${client})`);
  assert.equal(scripts, 0, `${label}: the page needs no script`);
  const { person, numbers } = holder;
  const needles = [person.email, person.email.split('@')[0], numbers.nik, numbers.nip];
  assert.deepEqual(leaks(await page.content(), needles), [], `${label}: personal data on the page`);
  assertNoProblems(page, allow);
}

// ------------------------------------------------------------ the journey ----

async function journey(vp) {
  const holder = holders[vp];
  const { id } = holder;
  const name = NAMES[vp];
  const qrUrl = `${server.publicUrl}/credentials/${id}`;
  const cohort = cr.cohort;

  await withPage(browser, server.url, vp, `verify-${vp}`, async (page) => {
    // 1. The QR code's URL: Indonesian, VALID, the facts.
    const res = await page.goto(qrUrl);
    assert.equal(res.status(), 200);
    assert.match(res.headers()['x-robots-tag'] ?? '', /noindex/);
    assert.equal(await page.getAttribute('html', 'lang'), 'id');
    await page.getByRole('heading', { level: 1, name: 'Verifikasi Sertifikat' }).waitFor();
    await expectVerdict(page, 'VALID', 'valid', 'green');
    let facts = await factsOf(page);
    assert.equal(facts['Nama pemegang'], name);
    assert.equal(facts.Program, cr.programme.title);
    assert.equal(facts.Angkatan, cohort.name);
    assert.equal(facts['Tanggal pelaksanaan'], `${idDate(cohort.starts_on)} – ${idDate(cohort.ends_on)}`);
    assert.match(facts['Tanggal pelaksanaan'], /^\d{1,2} (Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember) \d{4} – /);
    assert.equal(facts['Jam pelajaran'], `${cohort.jp} JP`);
    assert.ok(facts.Penerbit, 'an issuer');
    const issuedAt = (await credentialJson(server.url, id)).json.issued_at;
    assert.equal(facts.Diterbitkan, idDate(issuedAt));
    assert.ok(!('Dicabut pada' in facts), 'no revocation date while valid');
    assert.match(await page.locator('p.signature').innerText(), /telah diperiksa terhadap kunci publik/);
    await look(page, vp, holder, '01-valid-id');

    // The checks, opened: every one passed.
    await page.locator('details.checks summary').click();
    const checks = page.locator('details.checks li');
    assert.ok((await checks.count()) >= 5, 'the checks made are listed');
    assert.equal(await page.locator('details.checks li.fail').count(), 0, 'no check failed');
    for (const n of ['signature', 'status']) assert.equal(await checks.filter({ hasText: n }).count(), 1, `a ${n} check`);
    await look(page, vp, holder, '02-valid-id-checks');

    // The links: the PDF and the token answer.
    const pdfHref = await page.getByRole('link', { name: 'Unduh PDF' }).getAttribute('href');
    const pdf = await page.request.get(pdfHref, { timeout: 60000 });
    assert.equal(pdf.status(), 200);
    assert.match(pdf.headers()['content-type'], /^application\/pdf/);
    const jwtHref = await page.getByRole('link', { name: 'Token (VC-JWT)' }).getAttribute('href');
    const token = (await (await page.request.get(jwtHref)).text()).trim();
    assert.equal(token, await tokenOf(server.url, id), 'the page links the stored token');
    const jsonHref = await page.getByRole('link', { name: 'JSON', exact: true }).getAttribute('href');
    assert.equal((await (await page.request.get(jsonHref)).json()).status, 'valid');

    // 2. English by the switch.
    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(/\?lang=en$/);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await page.getByRole('heading', { level: 1, name: 'Certificate verification' }).waitFor();
    await expectVerdict(page, 'VALID', 'valid', 'green');
    facts = await factsOf(page);
    assert.equal(facts.Holder, name);
    assert.equal(facts.Programme, cr.programme.title);
    assert.equal(facts.Cohort, cohort.name);
    assert.equal(facts.Dates, `${enDate(cohort.starts_on)} – ${enDate(cohort.ends_on)}`);
    assert.equal(facts['Lesson hours (JP)'], `${cohort.jp} JP`);
    await look(page, vp, holder, '03-valid-en');

    // 3. The paste box: the token says VALID and names the holder.
    const box = page.getByLabel("Paste the certificate's token (VC-JWT)");
    await box.fill(token);
    await Promise.all([page.waitForURL(/\/verify\?lang=en$/), page.getByRole('button', { name: 'Check' }).click()]);
    await expectVerdict(page, 'VALID', 'valid', 'green');
    facts = await factsOf(page);
    assert.equal(facts.Holder, name);
    assert.equal(facts.Programme, cr.programme.title);
    assert.equal(facts.Issued, enDate(issuedAt));
    assert.equal(await page.getByRole('link', { name: "Open the certificate's page" }).getAttribute('href'), `/credentials/${id}?lang=en`);
    await look(page, vp, holder, '04-pasted-valid-en');

    // A tampered token (the name changed in the payload): INVALID, the
    // changed name shown nowhere, the signature check failed.
    const forged = name.replace(/.$/, (c) => (c === 'x' ? 'y' : 'x'));
    const tampered = replaceInPart(token, 1, name, forged);
    await page.getByLabel("Paste the certificate's token (VC-JWT)").fill(tampered);
    await Promise.all([page.waitForURL(/\/verify\?lang=en$/), page.getByRole('button', { name: 'Check' }).click()]);
    await expectVerdict(page, 'INVALID', 'invalid', 'red');
    assert.ok(!(await page.content()).includes(forged), 'a tampered payload is not shown');
    await page.locator('details.checks summary').click();
    assert.equal(await page.locator('details.checks li.fail').filter({ hasText: 'signature' }).count(), 1, 'the signature check failed');
    await look(page, vp, holder, '05-pasted-tampered-en');

    // The paste box on its own, in Indonesian: one changed signature byte
    // says TIDAK SAH.
    const verify = await page.goto('/verify');
    assert.equal(verify.status(), 200);
    assert.equal(await page.getAttribute('html', 'lang'), 'id');
    assert.equal(await page.locator('p.verdict').count(), 0, 'no verdict before a token is pasted');
    assert.match(await page.locator('main p.lead').innerText(), /pindai kode QR/, 'says where certificates are checked');
    assert.equal(await page.getByRole('link', { name: '/.well-known/jwks.json' }).getAttribute('href'), '/.well-known/jwks.json');
    await look(page, vp, holder, '06-paste-box-id');
    await page.getByLabel('Tempel token sertifikat (VC-JWT)').fill(flipByte(token, 2, 5));
    await Promise.all([page.waitForURL(/\/verify\?lang=id$/), page.getByRole('button', { name: 'Periksa', exact: true }).click()]);
    await expectVerdict(page, 'TIDAK SAH', 'invalid', 'red');
    await look(page, vp, holder, '07-pasted-tampered-id');

    // 4. An admin revokes the certificate; the visitor reloads its page.
    await page.goto(qrUrl);
    await expectVerdict(page, 'VALID', 'valid', 'green');
    const before = Date.now();
    expectStatus(await revoke(server.url, admin.token, id, { reason: 'Data kehadiran keliru' }), 200, 'revoke');
    const revokedAt = (await credentialJson(server.url, id)).json.revoked_at;
    assert.ok(Math.abs(Date.parse(revokedAt.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')) - before) < 120000, `revoked_at ${revokedAt} is now`);
    await page.reload();
    await expectVerdict(page, 'DICABUT', 'revoked', 'red');
    facts = await factsOf(page);
    assert.equal(facts['Dicabut pada'], idDate(revokedAt), 'the revocation date');
    assert.equal(facts['Nama pemegang'], name, 'still says whose it was');
    await page.locator('details.checks summary').click();
    assert.equal(await page.locator('details.checks li.fail').filter({ hasText: 'status' }).count(), 1, 'the status check failed');
    await look(page, vp, holder, '08-revoked-id');

    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(/\?lang=en$/);
    await expectVerdict(page, 'REVOKED', 'revoked', 'red');
    facts = await factsOf(page);
    assert.equal(facts['Revoked on'], enDate(revokedAt));
    await look(page, vp, holder, '09-revoked-en');

    // The web app's language cookie gives English at the plain URL too.
    await page.context().addCookies([{ name: 'lang', value: 'en', url: server.url }]);
    await page.goto(qrUrl);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await expectVerdict(page, 'REVOKED', 'revoked', 'red');
    await page.context().clearCookies();
    assertNoProblems(page);

    // 5. An unknown id: TIDAK DITEMUKAN, the id not echoed, the paste box there.
    const ghost = Array.from(crypto.randomBytes(26), (b) => '0123456789abcdefghjkmnpqrstvwxyz'[b & 31]).join('');
    const miss = await page.goto(`/credentials/${ghost}`);
    assert.equal(miss.status(), 404);
    await expectVerdict(page, 'TIDAK DITEMUKAN', 'not_found', 'grey');
    assert.ok(!(await page.content()).includes(ghost), 'the unknown id is not echoed');
    await page.getByLabel('Tempel token sertifikat (VC-JWT)').waitFor();
    await look(page, vp, holder, '10-not-found-id', [/^http 404 GET \/credentials\//]);
  });
}

test('a visitor at 360×800 checks a certificate, pastes its token, sees it revoked, and an unknown id', () => journey('mobile'));
test('a visitor at 1280×800 checks a certificate, pastes its token, sees it revoked, and an unknown id', () => journey('desktop'));

// ------------------------------------------------------------ weight ----

// Bytes on the wire (CDP encodedDataLength, headers included) of a fresh
// first load of `path`: {total, rows: [[path, bytes]]}.
async function weigh(path) {
  const context = await browser.newContext({ baseURL: server.url, viewport: VIEWPORTS.mobile });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const urls = new Map();
    const sizes = new Map();
    cdp.on('Network.responseReceived', (e) => urls.set(e.requestId, e.response.url));
    cdp.on('Network.loadingFinished', (e) => sizes.set(e.requestId, e.encodedDataLength));
    await page.goto(path, { waitUntil: 'networkidle' });
    const rows = [...sizes].map(([rid, bytes]) => [new URL(urls.get(rid) ?? 'http://x/?').pathname, bytes]);
    return { total: rows.reduce((s, [, b]) => s + b, 0), rows };
  } finally {
    await context.close();
  }
}

test('the verification pages load in under 100 KB (the page and the stylesheet)', async () => {
  for (const path of [`/credentials/${holders.desktop.id}`, '/verify']) {
    const w = await weigh(path);
    console.log(`  ${(w.total / 1000).toFixed(1)} KB: ${w.rows.map(([p, b]) => `${p} ${b}`).join(', ')}`);
    assert.ok(w.rows.some(([p]) => p === '/css/site.css'), `${path} loads the stylesheet: ${JSON.stringify(w.rows)}`);
    assert.ok(w.total > 1000 && w.total < 100 * 1000, `${path}: ${w.total} bytes`);
  }
});
