// Browser-test harness for Sinau's web pages (CTest label web).
//
// A server comes from tests/api/lib/harness.mjs (its own sinau on a fresh
// database, everything cleaned up at exit); this file adds Debian's Chromium
// driven by playwright-core, the two viewports every page is checked at,
// screenshots saved as artifacts, an axe-core check that fails on serious or
// critical violations, and a watch on console errors (CSP refusals show up
// there) and failed requests.
//
// Environment: as the api layer (SINAU_BIN, SINAU_SOURCE_DIR,
// SINAU_TEST_ADMIN_URL, SINAU_TEST_TEMPLATE, …), plus
//   SINAU_WEB_ARTIFACTS  where screenshots go (default <source>/build/web-artifacts)
//   SINAU_CHROMIUM       the browser (default /usr/bin/chromium)
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { SOURCE_DIR, startServer } from '../../api/lib/harness.mjs';

export { startServer };

export const VIEWPORTS = {
  mobile: { width: 360, height: 800 },
  desktop: { width: 1280, height: 800 },
};

export const ARTIFACTS = process.env.SINAU_WEB_ARTIFACTS || path.join(SOURCE_DIR, 'build', 'web-artifacts');

const CHROMIUM = process.env.SINAU_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

const browsers = new Set();
process.on('exit', () => {
  for (const b of browsers) {
    try {
      b.process?.()?.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
});

// Launches Chromium; closed by closeBrowser (or killed at exit).
export async function launchBrowser() {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60000 });
  browsers.add(browser);
  return browser;
}

export async function closeBrowser(browser) {
  if (!browser) return;
  browsers.delete(browser);
  await browser.close().catch(() => {});
}

// A fresh context (own cookies, storage and cache) and page at a viewport
// ('mobile', 'desktop' or {width, height}), with base URL. The page gets a
// `problems` array: console errors, uncaught exceptions and failed requests
// (assertNoProblems checks it).
export async function newPage(browser, baseURL, viewport = 'mobile', options = {}) {
  const vp = typeof viewport === 'string' ? VIEWPORTS[viewport] : viewport;
  const context = await browser.newContext({ baseURL, viewport: vp, deviceScaleFactor: 1, ...options });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (msg) => {
    // "Failed to load resource" repeats a response below, without its URL
    if (msg.type() === 'error' && !/^Failed to load resource/.test(msg.text())) page.problems.push(`console: ${msg.text()}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) page.problems.push(`http ${res.status()} ${res.request().method()} ${new URL(res.url()).pathname}`);
  });
  page.on('pageerror', (err) => page.problems.push(`exception: ${err.message}`));
  page.on('requestfailed', (req) => {
    const why = req.failure()?.errorText || '';
    if (!/ERR_ABORTED/.test(why)) page.problems.push(`request failed: ${req.method()} ${req.url()} ${why}`);
  });
  return page;
}

// Responses of 400 and more are problems ("http 422 PUT /api/v1/me/profile")
// unless a pattern of `allow` matches; so is "http 401 GET /api/v1/me", the
// signed-out answer every first load gets. Throws with the list; clears it.
export const SIGNED_OUT = /^http 401 GET \/api\/v1\/me$/;
export function assertNoProblems(page, allow = []) {
  const left = page.problems.filter((p) => !SIGNED_OUT.test(p) && !allow.some((re) => re.test(p)));
  page.problems.length = 0;
  if (left.length) throw new Error(`problems on ${page.url()}:\n  ${left.join('\n  ')}`);
}

// Fails when the page shows a value that was never meant for readers:
// "null", "undefined", "[object …]", "NaN" or an untranslated key
// ("reg.outcome.x") in <main> or the header.
export async function assertCleanText(page, label = page.url()) {
  const text = await page.evaluate(() => `${document.querySelector('header')?.innerText || ''}\n${document.querySelector('main')?.innerText || ''}`);
  const bad = /\b(null|undefined|NaN)\b|\[object [A-Za-z]+\]|\b[a-z]+(\.[a-z_]+){1,3}\.[a-z_]+\b(?!\.)/.exec(text.replace(/\S+@\S+|https?:\/\/\S+/g, ''));
  if (bad) throw new Error(`${label}: the page shows "${bad[0]}":\n${text.slice(0, 800)}`);
}

// Saves a full-page screenshot as <ARTIFACTS>/<name>.png; returns its path.
export async function screenshot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name.replace(/[^A-Za-z0-9._-]+/g, '_')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// Runs axe-core (WCAG 2.x A and AA rules) on the page; throws when a
// violation is serious or critical. Resolves to the full list of
// violations (for information). Every page a test checks with axe is also
// checked for values never meant for readers (assertCleanText: "null",
// "undefined", "[object …]", untranslated keys, buttons included), so no
// page test can miss a stray "null" (issue 12).
export async function axeCheck(page, label = page.url()) {
  await assertCleanText(page, label);
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length) {
    const lines = bad.map((v) => `${v.impact} ${v.id}: ${v.help}\n      ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n      ')}`);
    throw new Error(`axe found ${bad.length} serious/critical issue(s) on ${label}:\n  ${lines.join('\n  ')}`);
  }
  return result.violations;
}

// Waits until the router has drawn a page (the <main> holds a .page that is
// no longer busy) and, if given, an <h1> with text matching `heading`.
export async function pageReady(page, heading) {
  await page.waitForSelector('main[id="main"]:not([aria-busy]) > .page');
  if (heading) await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

// Runs fn(page) on a fresh page; on failure saves <name>-FAILED.png and adds
// the page's address, problems and main text to the error. Closes the context.
export async function withPage(browser, baseURL, viewport, name, fn) {
  const page = await newPage(browser, baseURL, viewport);
  try {
    await fn(page);
  } catch (err) {
    let extra = '';
    try {
      await screenshot(page, `${name}-FAILED`);
      const text = await page.locator('main').innerText({ timeout: 2000 });
      extra = `\n  at ${page.url()}\n  problems: ${page.problems.join(' | ') || 'none'}\n  main: ${text.slice(0, 600).replace(/\n+/g, ' / ')}`;
    } catch {
      /* the page is gone */
    }
    err.message += extra;
    throw err;
  } finally {
    await page.context().close().catch(() => {});
  }
}
