// Messages and account recovery in the browser (issue 13), at 360×800, in
// Indonesian and in English, against a real SMTP server (aiosmtpd): a
// visitor who forgot the password asks on /reset (from the sign-in page),
// follows the link from the mail, chooses a new password and signs in with
// it; a participant sets language, channels and reminders and changes the
// password on /me/notifications; the cohort's staff send an announcement to
// one segment and the participant reads it on the cohort page; an admin
// reads the delivery log, sends a message again and sends a reset link from
// the users page. axe on every page, screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, closeBrowser, newPage, pageReady, startServer } from './lib/browser.mjs';
import { call, newAdmin, newParticipant, login, PASSWORD, putProfile } from '../api/lib/accounts.mjs';
import { cohort, participant, register, newInstructor, addInstructor } from '../api/lib/cohorts.mjs';
import { smtpSink, mailEnv, until, to } from '../api/lib/mail.mjs';
import { signedInPage, checkPage, onFailureShot, confirm } from './staff_helpers.mjs';

const PUBLIC = 'https://sinau.example.test';
const NEW_PASSWORD = 'Sate-Ayam-Madura-77';
let browser, smtp, server, base, admin;

before(async () => {
  browser = await launchBrowser();
  smtp = await smtpSink();
  // the webhook is not configured: WhatsApp rows end undeliverable ("no channel")
  server = await startServer({ env: mailEnv(smtp) });
  base = server.url;
  admin = await newAdmin(server);
});
after(async () => {
  await closeBrowser(browser);
  await server?.stop();
  await smtp?.stop();
});

const kindOf = (m) => m.headers['X-Sinau-Kind'];
async function mailOf(email, kind, n = 1) {
  await until(() => to(smtp, email).filter((m) => kindOf(m) === kind).length >= n, 20000, () => `${kind} to ${email}`);
  return to(smtp, email).filter((m) => kindOf(m) === kind)[n - 1];
}
const inEnglish = (page) => page.context().addInitScript(() => localStorage.setItem('sinau.lang', 'en'));

const WORDS = {
  id: { forgot: 'Lupa kata sandi?', resetH: 'Atur ulang kata sandi', send: 'Kirim tautan', sent: /tautan sudah dikirim/, newH: 'Pilih kata sandi baru', newPw: 'Kata sandi baru', repeat: 'Ulangi kata sandi baru', save: 'Simpan kata sandi', done: /sudah diganti/, email: 'Email', password: 'Kata sandi', loginH: 'Masuk', submitLogin: 'Masuk', used: /tidak berlaku lagi/ },
  en: { forgot: 'Forgot your password?', resetH: 'Reset your password', send: 'Send the link', sent: /on its way/, newH: 'Choose a new password', newPw: 'New password', repeat: 'Repeat the new password', save: 'Save the password', done: /has been changed/, email: 'E-mail', password: 'Password', loginH: 'Log in', submitLogin: 'Log in', used: /no longer works/ },
};

for (const lang of ['id', 'en']) {
  test(`a forgotten password, through the mail, at 360 px (${lang})`, async () => {
    const w = WORDS[lang];
    const p = await newParticipant(base);
    const page = await newPage(browser, base, 'mobile');
    if (lang === 'en') await inEnglish(page);
    await onFailureShot(page, `reset-${lang}`, async () => {
      await page.goto('/masuk');
      await pageReady(page);
      await page.getByRole('link', { name: w.forgot }).click();
      await pageReady(page, w.resetH);
      await checkPage(page, `reset-ask-${lang}`);
      await page.getByLabel(w.email).fill(p.email);
      await page.getByRole('button', { name: w.send }).click();
      await page.getByRole('status').filter({ hasText: w.sent }).waitFor();

      const m = await mailOf(p.email, 'password_reset');
      const link = /https:\/\/sinau\.example\.test(\/reset\?token=[\w-]{43})/.exec(m.text)[1];
      await page.goto(link);
      await pageReady(page, w.newH);
      assert.equal(new URL(page.url()).search, '', 'the token left the address bar');
      await page.getByRole('textbox', { name: w.newPw, exact: true }).fill(NEW_PASSWORD);
      await page.getByLabel(w.repeat).fill('Something-Else-123');
      await page.getByRole('button', { name: w.save }).click();
      await page.locator('.field-error:not([hidden])').first().waitFor();
      await page.getByLabel(w.repeat).fill(NEW_PASSWORD);
      await page.getByRole('button', { name: w.save }).click();
      await page.getByRole('status').filter({ hasText: w.done }).waitFor();
      await checkPage(page, `reset-done-${lang}`);

      // the link works once
      await page.goto(link);
      await pageReady(page, w.newH);
      await page.getByRole('textbox', { name: w.newPw, exact: true }).fill(NEW_PASSWORD);
      await page.getByLabel(w.repeat).fill(NEW_PASSWORD);
      await page.getByRole('button', { name: w.save }).click();
      await page.locator('.form-error:not([hidden])').filter({ hasText: w.used }).waitFor();
      page.problems.length = 0; // the 400 was the point

      await page.goto('/masuk');
      await pageReady(page, w.loginH);
      await page.getByLabel(w.email).fill(p.email);
      await page.getByRole('textbox', { name: w.password, exact: true }).fill(NEW_PASSWORD);
      await page.getByRole('button', { name: w.submitLogin }).click();
      await page.waitForURL(/\/me\/cohorts/);
    });
    await page.context().close();
  });
}

test('notifications and password on /me/notifications at 360 px', async () => {
  const p = await newParticipant(base);
  const page = await signedInPage(browser, base, p, 'mobile');
  await onFailureShot(page, 'notifications', async () => {
    await page.goto('/me/profile');
    await pageReady(page);
    await page.getByRole('link', { name: 'Pemberitahuan dan kata sandi' }).click();
    await pageReady(page, 'Pemberitahuan dan keamanan');
    assert.equal(await page.getByRole('checkbox', { name: 'WhatsApp' }).isDisabled(), true, 'no phone: WhatsApp cannot be chosen');
    await checkPage(page, 'notifications-id');
    await page.getByLabel('Bahasa pesan').selectOption('en');
    await page.getByRole('checkbox', { name: /Pengingat/ }).uncheck();
    await page.getByTestId('prefs').getByRole('button', { name: 'Simpan' }).click();
    await until(async () => (await call(base, 'GET', '/api/v1/me/notifications', { token: p.token })).json.reminders === false, 10000);
    const prefs = (await call(base, 'GET', '/api/v1/me/notifications', { token: p.token })).json;
    assert.equal(prefs.language, 'en');
    assert.equal(prefs.email, true);

    const pw = page.getByTestId('password');
    await pw.getByLabel('Kata sandi sekarang').fill('Wrong-Password-999');
    await pw.getByLabel('Kata sandi baru').fill(NEW_PASSWORD);
    await pw.getByRole('button', { name: 'Ganti kata sandi' }).click();
    await page.getByText('Kata sandi sekarang salah.').waitFor();
    page.problems.length = 0; // the 403 was the point
    await pw.getByLabel('Kata sandi sekarang').fill(PASSWORD);
    await pw.getByLabel('Kata sandi baru').fill(NEW_PASSWORD);
    await pw.getByRole('button', { name: 'Ganti kata sandi' }).click();
    await page.getByRole('status').filter({ hasText: 'Kata sandi diganti' }).waitFor();
    assert.equal((await login(base, p.email, NEW_PASSWORD)).status, 200);
    await mailOf(p.email, 'password_changed');
  });
  await page.context().close();
});

test('an announcement to one segment, written by the staff and read on the cohort page, at 360 px', async () => {
  const c = await cohort(base, admin, {});
  const instructor = await newInstructor(server);
  assert.equal((await addInstructor(base, admin.token, c.id, instructor.id)).status, 201);
  const umkm = await participant(base, { segment: 'umkm', full_name: 'Bu Sri' });
  const pub = await participant(base, { segment: 'public', full_name: 'Pak Budi' });
  assert.equal((await register(base, umkm.token, c.id, 'umkm')).status, 201);
  assert.equal((await register(base, pub.token, c.id, 'public')).status, 201);

  const staff = await signedInPage(browser, base, instructor, 'mobile');
  await onFailureShot(staff, 'announce', async () => {
    await staff.goto('/staff');
    await pageReady(staff);
    await staff.getByRole('link', { name: 'Pengumuman' }).first().click();
    await pageReady(staff, 'Pengumuman angkatan');
    const form = staff.getByTestId('announce');
    await form.getByLabel('Judul').fill('Pelatihan pindah ke Aula');
    await form.getByLabel('Isi (Markdown)').fill('Sesi besok di **Aula Balai Kota**.');
    await form.getByLabel('Penerima').selectOption('umkm');
    await checkPage(staff, 'announce-form');
    await form.getByRole('button', { name: 'Kirim pengumuman' }).click();
    await staff.getByTestId('announcements').getByRole('heading', { name: 'Pelatihan pindah ke Aula' }).waitFor();
  });
  await staff.context().close();
  const m = await mailOf(umkm.email, 'announcement');
  assert.equal(m.headers.Subject, 'Pelatihan pindah ke Aula');

  for (const [who, sees] of [[umkm, true], [pub, false]]) {
    const page = await signedInPage(browser, base, who, 'mobile');
    await onFailureShot(page, `announcement-read-${sees}`, async () => {
      await page.goto(`/cohorts/${c.id}`);
      await pageReady(page);
      const list = page.getByTestId('announcements');
      await list.waitFor();
      assert.equal(await list.getByRole('heading', { name: 'Pelatihan pindah ke Aula' }).count(), sees ? 1 : 0);
      if (sees) assert.equal(await list.locator('strong').innerText(), 'Aula Balai Kota');
      await checkPage(page, `announcement-read-${sees ? 'umkm' : 'public'}`);
    });
    await page.context().close();
  }
});

test('the delivery log, sending again, and a reset link from the users page, at 360 px', async () => {
  const p = await participant(base, { segment: 'umkm', full_name: 'Dewi WhatsApp' });
  assert.equal((await putProfile(base, p.token, { phone: '081234567899' })).status, 200);
  assert.equal((await call(base, 'PUT', '/api/v1/me/notifications', { token: p.token, json: { whatsapp: true } })).status, 200);
  const c = await cohort(base, admin, {});
  assert.equal((await register(base, p.token, c.id, 'umkm')).status, 201);
  await until(async () => (await call(base, 'GET', '/api/v1/messages?state=undeliverable', { token: admin.token })).json.items.length > 0, 15000);

  const page = await signedInPage(browser, base, admin, 'mobile');
  await onFailureShot(page, 'admin-messages', async () => {
    await page.goto('/staff');
    await pageReady(page);
    await page.getByRole('link', { name: 'Log pengiriman pesan' }).click();
    await pageReady(page, 'Log pengiriman pesan');
    await page.getByLabel('Status').selectOption('undeliverable');
    await page.getByRole('button', { name: 'Saring' }).click();
    const row = page.getByTestId('messages').locator('tbody tr[data-state="undeliverable"]').first();
    await row.waitFor();
    assert.match(await row.innerText(), /tidak ada saluran yang dikonfigurasi/);
    assert.match(await row.innerText(), /\*\*\*|\d{4}/, 'the recipient masked');
    await checkPage(page, 'admin-messages');
    await row.getByRole('button', { name: /Kirim ulang/ }).click();
    await page.getByTestId('messages').locator('tbody tr[data-state="queued"]').first().waitFor();

    await page.goto('/admin/users');
    await pageReady(page);
    await page.getByRole('button', { name: 'Kirim tautan atur ulang kata sandi ke Dewi WhatsApp' }).click();
    await confirm(page, 'Ya, lanjutkan');
    await page.getByText('Tautan atur ulang dikirim ke Dewi WhatsApp.').waitFor();
    await checkPage(page, 'admin-users-reset');
  });
  await page.context().close();
  const m = await mailOf(p.email, 'password_reset');
  assert.match(m.text, /24 jam/);
});
