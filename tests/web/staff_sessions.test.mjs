// Live sessions in the browser: an instructor schedules a session, opens
// its check-in, and the projector view shows the six-digit code filling the
// screen with its countdown; a participant checks in with that code
// through the API and the attendance list counts it. Checked at 360×800
// and 1280×800 (axe, screenshots).
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, closeBrowser } from './lib/browser.mjs';
import { newAdmin, call } from '../api/lib/accounts.mjs';
import { classroom } from '../api/lib/assignments.mjs';
import { signedInPage, open, checkPage, waitText, onFailureShot, VIEWPORT_NAMES } from './staff_helpers.mjs';

let server;
let browser;
let room;

before(async () => {
  server = await startServer();
  const admin = await newAdmin(server);
  room = await classroom(server, admin, { assignments: [], lessons: 1, participants: 1, names: ['Eka Putri'] });
  browser = await launchBrowser();
});

after(async () => {
  await closeBrowser(browser);
  await server?.stop();
});

for (const vp of VIEWPORT_NAMES) {
  test(`instructor: session, check-in code on the projector, attendance (${vp})`, async () => {
    const page = await signedInPage(browser, server.url, room.instructor, vp);
    await onFailureShot(page, `staff-sessions-${vp}`, async () => {
      const cohortId = room.cohort.id;
      await open(page, `/staff/cohorts/${cohortId}/sessions`, 'Sesi tatap muka');
      await waitText(page, '[data-testid="attendance"] tbody', /Eka Putri/);

      // Schedule a session (the form's default times: tomorrow 09:00–11:00).
      const form = page.locator('form[aria-labelledby="new-session-h"]');
      await form.getByLabel('Judul sesi').fill(`Praktik rekaman ${vp}`);
      await form.getByLabel('Tempat (opsional)').fill('Ruang Rapat Diskominfo, Balai Kota Malang');
      await form.getByRole('button', { name: 'Jadwalkan' }).click();
      const item = page.getByTestId('sessions').locator('[data-session]', { hasText: `Praktik rekaman ${vp}` });
      await item.waitFor();
      await checkPage(page, `staff-sessions-${vp}`);

      // Open the check-in for 5 minutes: the projector view.
      await item.getByLabel('Kode berlaku').selectOption('5');
      await item.getByRole('button', { name: 'Buka presensi' }).click();
      await page.getByTestId('checkin-code').waitFor();
      await waitText(page, '[data-testid="checkin-code"]', /^\d{3} \d{3}$/);
      const shown = (await page.getByTestId('checkin-code').textContent()).replace(' ', '');
      const sessionId = /\/sessions\/([^/]+)\/projector$/.exec(page.url())[1];
      const listed = await call(server.url, 'GET', `/api/v1/cohorts/${cohortId}/sessions`, { token: room.instructor.token });
      const s = listed.json.items.find((x) => x.id === sessionId);
      assert.equal(s.checkin_code, shown, 'the projector shows the open code');
      await waitText(page, '[data-testid="countdown"]', /^Sisa waktu 0[45]:\d\d$/);
      // the code fills the screen: most of the width, white on black
      const box = await page.getByTestId('checkin-code').boundingBox();
      const vw = page.viewportSize().width;
      assert.ok(box.width > vw * 0.6, `code ${box.width}px wide on a ${vw}px screen`);
      const colours = await page.getByTestId('checkin-code').evaluate((el) => {
        const cs = getComputedStyle(el);
        return [cs.color, getComputedStyle(el.closest('.projector')).backgroundColor];
      });
      assert.deepEqual(colours, ['rgb(255, 255, 255)', 'rgb(0, 0, 0)']);
      const before = await page.getByTestId('countdown').textContent();
      await page.waitForTimeout(2100);
      assert.notEqual(await page.getByTestId('countdown').textContent(), before, 'the countdown runs');
      await checkPage(page, `staff-projector-${vp}`);

      // A participant checks in with it; the attendance list counts it.
      const r = await call(server.url, 'POST', `/api/v1/sessions/${sessionId}/attendance`, { token: room.people[0].token, json: { code: shown } });
      assert.equal(r.status, 200, r.text);
      await page.getByRole('link', { name: /Kembali ke sesi/ }).click();
      await page.getByRole('heading', { level: 1, name: 'Sesi tatap muka' }).waitFor();
      const att = await call(server.url, 'GET', `/api/v1/cohorts/${cohortId}/attendance`, { token: room.instructor.token });
      const eka = att.json.items.find((x) => x.user.full_name === 'Eka Putri');
      assert.equal(eka.attended, VIEWPORT_NAMES.indexOf(vp) + 1, 'one check-in per session so far');
      await waitText(page, '[data-testid="attendance"] tbody', new RegExp(`Eka Putri\\s*${eka.attended} / ${att.json.sessions}`));
      assert.match(await item.textContent(), new RegExp(`Presensi dibuka: kode ${shown}`));
    });
    await page.context().close();
  });
}
