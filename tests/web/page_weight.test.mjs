// Page weight (PERFORMANCE.md, web/app/README.md): the first load of each
// participant page, fresh (new browser context: no cache, no storage),
// transfers less than 100 KB in all: the shell, the stylesheet, every
// module, the dictionaries and the API calls the page makes. Bytes are what
// Chromium counts on the wire (CDP Network.loadingFinished
// encodedDataLength: headers and bodies as sent, gzip included). Prints a
// table of the figures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, closeBrowser, pageReady, VIEWPORTS } from './lib/browser.mjs';
import { seedProgramme, participant, register, signInContext } from './lib/seed.mjs';
import { call } from '../api/lib/accounts.mjs';
import { newModule, published, cohortOf } from '../api/lib/content.mjs';
import { newAssignment } from '../api/lib/assignments.mjs';

const BUDGET = 100 * 1000;

let server;
let browser;
let seed;
let learner;
let work; // {cohort, assignment} of a programme with an assignment

before(async () => {
  server = await startServer();
  seed = await seedProgramme(server);
  learner = await participant(server.url, { segment: 'public', full_name: 'Dewi Lestari' });
  const r = await register(server.url, learner.token, seed.cohort.id, 'public');
  assert.equal(r.status, 201, r.text);
  // one lesson done, so the pages show real progress
  const done = await call(server.url, 'POST', `/api/v1/cohorts/${seed.cohort.id}/lessons/${seed.lessons[0].id}/complete`, { token: learner.token });
  assert.equal(done.status, 200, done.text);
  // a second programme with an assignment, the learner confirmed in its cohort
  const mod = await newModule(server.url, seed.admin.token, seed.slug, 'Tugas');
  const assignment = await newAssignment(server.url, seed.admin.token, mod.id, { title: 'Video promosi' });
  await published(server.url, seed.admin.token, seed.slug);
  const cohort = await cohortOf(server.url, seed.admin, seed.slug, { name: 'Angkatan 2' });
  const r2 = await register(server.url, learner.token, cohort.id, 'public');
  assert.equal(r2.status, 201, r2.text);
  work = { cohort, assignment };
  browser = await launchBrowser();
});

after(async () => {
  await closeBrowser(browser);
  await server?.stop();
});

// Loads path in a fresh context (signed in when asked) and sums the bytes
// of every response. Resolves to {total, requests, byType}.
async function weigh(path, { signedIn = false, heading } = {}) {
  const context = await browser.newContext({ baseURL: server.url, viewport: VIEWPORTS.mobile });
  try {
    if (signedIn) await signInContext(context, server.url, learner);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const urls = new Map();
    const sizes = new Map();
    cdp.on('Network.responseReceived', (e) => urls.set(e.requestId, e.response.url));
    cdp.on('Network.loadingFinished', (e) => sizes.set(e.requestId, e.encodedDataLength));
    cdp.on('Network.loadingFailed', (e) => sizes.set(e.requestId, 0));
    await page.goto(path, { waitUntil: 'networkidle' });
    await pageReady(page, heading);
    await page.waitForLoadState('networkidle');
    let total = 0;
    const byType = {};
    const rows = [];
    for (const [id, bytes] of sizes) {
      const url = urls.get(id) || '?';
      const p = url === '?' ? '?' : new URL(url).pathname;
      const type = p.startsWith('/api/') ? 'api' : /\.json$/.test(p) ? 'i18n' : /\.js$/.test(p) ? 'js' : /\.css$/.test(p) ? 'css' : 'other';
      byType[type] = (byType[type] || 0) + bytes;
      total += bytes;
      rows.push([p, bytes]);
    }
    return { total, requests: sizes.size, byType, rows };
  } finally {
    await context.close();
  }
}

test('each participant page loads in under 100 KB', async () => {
  const c = seed.cohort.id;
  const pages = [
    ['/', {}],
    [`/programmes/${seed.slug}`, {}],
    [`/programmes/${seed.slug}`, { signedIn: true, label: 'programme (signed in)' }],
    ['/daftar', {}],
    ['/masuk', {}],
    ['/me/profile', { signedIn: true }],
    ['/me/cohorts', { signedIn: true }],
    [`/cohorts/${c}`, { signedIn: true }],
    [`/cohorts/${c}/lessons/${seed.lessons[0].id}`, { signedIn: true }],
    [`/cohorts/${work.cohort.id}/assignments/${work.assignment.id}`, { signedIn: true }],
    ['/me/certificates', { signedIn: true }],
  ];
  const results = [];
  for (const [path, opts] of pages) {
    const r = await weigh(path, opts);
    results.push({ page: opts.label || path, ...r });
  }
  const kb = (n) => (n / 1000).toFixed(1).padStart(6);
  console.log('page weight, first load (KB = 1000 bytes; js css i18n api other):');
  for (const r of results) {
    const parts = ['js', 'css', 'i18n', 'api', 'other'].map((k) => kb(r.byType[k] || 0)).join(' ');
    console.log(`  ${kb(r.total)} KB in ${String(r.requests).padStart(2)} requests  [${parts}]  ${r.page}`);
  }
  for (const r of results) {
    assert.ok(r.requests > 3, `${r.page}: only ${r.requests} responses were counted`);
    assert.ok(r.total < BUDGET, `${r.page}: ${r.total} bytes (budget ${BUDGET}):\n${r.rows.map(([p, b]) => `    ${b} ${p}`).join('\n')}`);
  }
});
