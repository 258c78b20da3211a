// Key rotation in the browser (issue 8, admin: "rotate keys"): from a
// cohort's certificates page an admin opens the signing keys, sees the one
// key the server made at start marked as the current signer with the
// certificate it signed, opens the rotation dialog (which says what
// rotating means), cancels once (nothing changes), then rotates. The list
// then shows two keys, the new one current and the old one for
// verification only, as GET /api/v1/keys has them; the certificate issued
// before still verifies (GET /credentials/{id} as JSON: valid, every check
// ok); one issued after is signed by the new key (its token's kid) and
// counted on it. At 360×800 and at 1280×800, each on a server of its own so
// each starts with one key; axe and screenshots before, in the dialog and
// after.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, closeBrowser, axeCheck, screenshot } from './lib/browser.mjs';
import { call, newAdmin } from '../api/lib/accounts.mjs';
import { expectStatus } from '../api/lib/content.mjs';
import { startCertServer, certClass, completeLessons, issued, credentialJson, tokenOf, decodeJws, jwksOf } from '../api/lib/certificates.mjs';
import { signedInPage, open, checkPage, waitText, onFailureShot } from './staff_helpers.mjs';

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await closeBrowser(browser);
});

const keysOf = async (base, admin) => expectStatus(await call(base, 'GET', '/api/v1/keys', { token: admin.token }), 200, 'GET /api/v1/keys').items;

// The key rows as shown: [{thumbprint, current, text}] in page order.
function shownKeys(page) {
  return page.getByTestId('keys').locator('tbody tr').evaluateAll((rows) => rows.map((r) => ({
    thumbprint: r.dataset.key, current: r.dataset.current === 'true', text: r.textContent,
    certificates: r.querySelector('td:nth-child(3)')?.textContent.trim(),
  })));
}

// The certificate verifies by its URL: valid, every check passed.
async function assertVerifies(base, id, what) {
  const r = await credentialJson(base, id);
  assert.equal(r.status, 200, `${what}: ${r.text}`);
  assert.equal(r.json.status, 'valid', `${what}: ${r.text}`);
  assert.ok(Array.isArray(r.json.checks) && r.json.checks.length >= 3, `${what}: checks ${JSON.stringify(r.json.checks)}`);
  for (const c of r.json.checks) assert.equal(c.ok, true, `${what}: check ${c.name} failed: ${c.detail ?? ''}`);
}

for (const vp of ['mobile', 'desktop']) {
  test(`admin rotates the signing key in the browser (${vp})`, async () => {
    const server = await startCertServer();
    try {
      const base = server.url;
      const admin = await newAdmin(server);
      // two learners; a certificate needs every lesson, so only the first
      // (who finished hers) gets one before the rotation
      const cr = await certClass(server, admin, {
        lessons: 1, assignments: [], participants: 2, names: ['Citra Dewi', 'Dimas Saputra'],
        rules: { min_lesson_percent: 100, require_assignments_passed: false, min_attendance_percent: 0 },
      });
      const [citra, dimas] = cr.people;
      await completeLessons(base, cr, citra);
      const first = await issued(base, admin, cr.cohort.id);
      assert.equal(first.issued, 1, JSON.stringify(first));
      const oldCert = first.certificates[0].id;
      const [oldKey] = await keysOf(base, admin);
      assert.equal((await keysOf(base, admin)).length, 1, 'a fresh server has one key');

      const page = await signedInPage(browser, base, admin, vp);
      await onFailureShot(page, `admin-keys-${vp}`, async () => {
        // from the certificates page, whose card no longer sends admins to a command
        await open(page, `/admin/cohorts/${cr.cohort.id}/certificates`, 'Sertifikat');
        assert.equal(await page.getByText('sinau keys rotate').count(), 0, 'no command to run');
        await page.getByRole('link', { name: 'Kunci penandatangan: daftar dan rotasi' }).click();
        await page.getByRole('heading', { level: 1, name: 'Kunci penandatangan' }).waitFor();
        assert.equal(new URL(page.url()).pathname, '/admin/keys');

        let rows = await shownKeys(page);
        assert.equal(rows.length, 1, JSON.stringify(rows));
        assert.deepEqual([rows[0].thumbprint, rows[0].current, rows[0].certificates], [oldKey.thumbprint, true, '1']);
        assert.match(rows[0].text, /Dipakai sekarang/);
        await waitText(page, '[data-testid="keys-summary"]', /^Jumlah kunci: 1\./);
        await checkPage(page, `admin-keys-before-${vp}`);

        // the dialog explains; cancelling changes nothing
        const rotate = page.getByRole('button', { name: 'Buat kunci baru' });
        await rotate.click();
        const dialog = page.getByRole('dialog', { name: 'Buat kunci penandatangan baru?' });
        await dialog.waitFor();
        const said = await dialog.locator('li').allTextContents();
        assert.equal(said.length, 3, JSON.stringify(said));
        assert.match(said[0], /mulai sekarang.*kunci baru/i);
        assert.match(said[1], /tetap dapat diverifikasi/);
        assert.match(said[2], /log audit.*tidak dapat dibatalkan/);
        await axeCheck(page, `admin-keys-dialog-${vp}`);
        await screenshot(page, `admin-keys-dialog-${vp}`);
        await dialog.getByRole('button', { name: 'Batal' }).click();
        await page.locator('dialog').waitFor({ state: 'detached' });
        assert.equal((await keysOf(base, admin)).length, 1, 'cancelled: still one key');

        // rotate
        await rotate.click();
        await dialog.getByRole('button', { name: 'Ya, buat kunci baru' }).click();
        await page.locator('dialog').waitFor({ state: 'detached' });
        await waitText(page, '[data-testid="rotate-result"]', /^Kunci baru \S+ dipakai mulai sekarang\.$/);
        const keys = await keysOf(base, admin);
        assert.equal(keys.length, 2, JSON.stringify(keys));
        const newKey = keys.find((k) => k.current);
        assert.notEqual(newKey.thumbprint, oldKey.thumbprint);
        assert.match(await page.getByTestId('rotate-result').textContent(), new RegExp(newKey.thumbprint));
        rows = await shownKeys(page);
        assert.deepEqual(rows.map((r) => [r.thumbprint, r.current, r.certificates]), [[newKey.thumbprint, true, '0'], [oldKey.thumbprint, false, '1']]);
        assert.match(rows[0].text, /Dipakai sekarang/);
        assert.match(rows[1].text, /Hanya untuk verifikasi/);
        await waitText(page, '[data-testid="keys-summary"]', /^Jumlah kunci: 2\./);
        const jwks = await jwksOf(base);
        for (const k of [oldKey, newKey]) assert.ok(jwks.keys.some((j) => j.kid === k.kid), `${k.kid} is published`);

        // the certificate issued before still verifies; one issued now is the new key's
        await assertVerifies(base, oldCert, 'the certificate issued before the rotation');
        await completeLessons(base, cr, dimas);
        const second = await issued(base, admin, cr.cohort.id);
        assert.equal(second.issued, 1, JSON.stringify(second));
        const newCert = second.certificates[0].id;
        assert.equal(decodeJws(await tokenOf(base, newCert)).header.kid, newKey.kid, 'signed by the new key');
        await assertVerifies(base, newCert, 'the certificate issued after the rotation');
        await assertVerifies(base, oldCert, 'the certificate issued before, once more');
        await page.reload();
        await page.getByRole('heading', { level: 1, name: 'Kunci penandatangan' }).waitFor();
        rows = await shownKeys(page);
        assert.deepEqual(rows.map((r) => [r.current, r.certificates]), [[true, '1'], [false, '1']]);
        await checkPage(page, `admin-keys-after-${vp}`);
      });
      await page.context().close();
    } finally {
      await server.stop();
    }
  });
}
