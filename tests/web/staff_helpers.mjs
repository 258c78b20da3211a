// Helpers of the staff and admin browser tests (staff_*.test.mjs,
// admin_*.test.mjs): signing a browser context in with an account made
// through the API, page checks that every staff page gets (axe, screenshot,
// no console errors or failed requests), and small waits on page text.
import { newPage, pageReady, axeCheck, screenshot, assertNoProblems, assertCleanText } from './lib/browser.mjs';

export const VIEWPORT_NAMES = ['mobile', 'desktop'];

// A page at `viewport` whose context carries `account`'s session cookie
// (from a login through the API), so the app starts signed in.
export async function signedInPage(browser, base, account, viewport) {
  if (!account.cookie) throw new Error(`no session cookie for ${account.email}`);
  const page = await newPage(browser, base, viewport);
  await page.context().addCookies([{ name: 'sinau_session', value: account.cookie, url: base, httpOnly: true, sameSite: 'Lax' }]);
  return page;
}

// Opens `path`, waits for the page (and its h1 when `heading` is given).
export async function open(page, path, heading) {
  await page.goto(path);
  await pageReady(page, heading);
}

// The checks every staff page gets once drawn: no "null", "undefined" or
// untranslated key shown, axe (serious and critical issues fail), a
// full-page screenshot, and no problems collected so far except those
// `allow` matches.
export async function checkPage(page, name, { allow = [] } = {}) {
  await assertCleanText(page, name);
  await axeCheck(page, name);
  // passing toasts would cover the page in the picture
  await page.evaluate(() => document.querySelectorAll('#toasts > *').forEach((el) => el.remove()));
  const file = await screenshot(page, name);
  assertNoProblems(page, allow);
  return file;
}

// Waits until the element matching `selector` has text matching `re`.
export async function waitText(page, selector, re, timeout = 15000) {
  await page.waitForFunction(
    ([sel, src, flags]) => {
      const el = document.querySelector(sel);
      return !!el && new RegExp(src, flags).test(el.textContent);
    },
    [selector, re.source, re.flags],
    { timeout },
  );
}

// Answers the confirmation dialog of staff_ui.confirmDialog: clicks the
// button named `name` inside the open <dialog>.
export async function confirm(page, name) {
  const dialog = page.locator('dialog[open]');
  await dialog.waitFor();
  await dialog.getByRole('button', { name, exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
}

// Runs fn(); when it throws, saves a screenshot named failed-<name> (and
// the problems seen) before passing the error on.
export async function onFailureShot(page, name, fn) {
  try {
    return await fn();
  } catch (err) {
    const file = await screenshot(page, `failed-${name}`).catch(() => null);
    console.error(`failed on ${page.url()}\n  screenshot: ${file}\n  problems: ${(page.problems || []).join('\n    ') || 'none'}`);
    throw err;
  }
}
