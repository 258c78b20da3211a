// A city training office runs a whole programme from the web, from an empty
// install to a signed certificate (issue 12), using only the pages for every
// step a person does:
//
//   an admin signs in, makes the instructor's account, the programme, a
//   cohort before any content exists (ASN 70, UMKM 30, Umum 70), puts the
//   instructor on it and sets the programme's signatory (name, title, a NIP
//   typed with spaces, a signature and a logo);
//   the instructor signs in (and lands on /staff), writes two modules — a
//   lesson with a table and an uploaded picture, a lesson with a YouTube
//   link, an assignment with a rubric and two attempts — publishes, sees the
//   cohort follow version 1 and sets the due date and cut-off;
//   three participants on phones (360 px) sign up — an ASN with a NIP typed
//   with spaces, a UMKM, and a member of the public who uses the site in
//   English — register, read, and hand in;
//   the instructor grades (the ASN fails), releases; the ASN hands in again
//   and passes; one grade is corrected from the graded list;
//   the admin is refused issuing before the cohort ends, moves its dates
//   through the edit form, sees the arrival numbers from 1, issues three
//   certificates; the ASN opens the PDF and a visitor types the ID printed on
//   it into /verify (and the English participant's, in English).
//
// Every step: axe (no serious or critical issue), no "null", "undefined",
// "[object …]" or untranslated key shown (axeCheck runs assertCleanText), no
// English in the Indonesian interface, no sideways scrolling on phones, a
// screenshot, no console error or unexpected HTTP error. One browser; each
// person keeps one context; no fixed sleeps.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { launchBrowser, closeBrowser, newPage, pageReady, axeCheck, assertCleanText, screenshot, assertNoProblems, ARTIFACTS } from './lib/browser.mjs';
import { newAdmin, uniqueEmail, PASSWORD } from '../api/lib/accounts.mjs';
import { nik } from '../api/lib/cohorts.mjs';
import { realPng } from '../api/lib/assignments.mjs';
import { startCertServer } from '../api/lib/certificates.mjs';
import { confirm, waitText } from './staff_helpers.mjs';

const execFileP = promisify(execFile);
const TITLE = 'Sinau TikTok dan YouTube';
const NIP_SIGNER = '19700312 199803 1 005';
const NIP_AYU = '19900101 201503 2 001';

let server;
let browser;
let admin;
const people = {}; // name -> {page, email}

before(async () => {
  server = await startCertServer();
  admin = await newAdmin(server);
  browser = await launchBrowser();
});

after(async () => {
  await closeBrowser(browser);
  await server?.stop();
});

// English words that have no place in the Indonesian interface (loanwords
// Indonesian uses — email, video, status, data, PDF — are not listed).
const ENGLISH = /\b(the|and|of|with|your|you|are|this|that|from|for|will|has|have|not|please|save|cancel|submit|send|sign|signed|loading|lessons?|assignments?|cohorts?|versions?|grades?|score|issued|certificates?|modules?|required|optional|seats?|waitlist|register|registered|download|upload|programmes?|participants?|instructors?|settings|search|name|date|done|open|closed|next|previous|back|edit|delete|add|new|yes)\b/i;

// Throws when the Indonesian interface shows English: the header and main,
// without what people typed (lesson text, answers, form values), code,
// and what is marked lang="en" on purpose.
async function assertIndonesian(page, label) {
  const text = await page.evaluate(() => {
    const skip = '[lang="en"], code, pre, .lesson-body, .staff-preview, .submitted-text, .grading-text, .staff-hash';
    const parts = [];
    for (const root of [document.querySelector('header'), document.querySelector('main')]) {
      if (!root) continue;
      const clone = root.cloneNode(true);
      for (const el of clone.querySelectorAll(skip)) el.remove();
      parts.push(clone.innerText || clone.textContent);
    }
    return parts.join('\n');
  });
  const bare = text.replace(/\S+@\S+|https?:\/\/\S+/g, ' ');
  const m = ENGLISH.exec(bare);
  if (m) throw new Error(`${label}: English "${m[0]}" in the Indonesian interface:\n…${bare.slice(Math.max(0, m.index - 160), m.index + 80)}…`);
}

// The checks of every step, then a screenshot; the time since the start
// is printed (the whole cycle should take well under three minutes). axe
// runs once per page (its route), width and language: a second participant
// on the same page at the same width gets the other checks, not the same
// audit again (it is most of a step's time).
const started = Date.now();
const audited = new Set();
async function step(page, name, { allow = [], english = false } = {}) {
  const t = Date.now();
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= inner, `${name}: ${scroll} px wide in a ${inner} px window`);
  assert.equal(await page.locator('html').getAttribute('lang'), english ? 'en' : 'id', `${name}: the page's language`);
  const route = new URL(page.url()).pathname.replace(/\/[A-Za-z0-9_-]{22,26}(?=\/|$)/g, '/:id');
  const key = `${route} ${inner} ${english ? 'en' : 'id'}`;
  if (audited.has(key)) await assertCleanText(page, name);
  else await axeCheck(page, name); // with assertCleanText
  audited.add(key);
  if (!english) await assertIndonesian(page, name);
  await page.evaluate(() => document.querySelectorAll('#toasts > *').forEach((el) => el.remove()));
  await screenshot(page, `cycle-${name}`);
  assertNoProblems(page, allow);
  console.log(`# ${name}: at ${((Date.now() - started) / 1000).toFixed(1)} s (checks ${Date.now() - t} ms)`);
}

// Signs in through the login page; resolves once the first page is drawn.
async function signIn(page, email, heading) {
  await page.goto('/masuk');
  await pageReady(page, 'Masuk');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Kata sandi').fill(PASSWORD);
  await page.getByRole('button', { name: 'Masuk' }).click();
  await pageReady(page, heading);
}

const toastSays = (page, text) => page.locator('#toasts', { hasText: text }).waitFor();

// A datetime-local value `days` from now, in the browser's zone (the test
// process shares it).
function localIn(days) {
  const d = new Date(Date.now() + days * 86400000);
  const two = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
}
const dateIn = (days) => localIn(days).slice(0, 10);

let cohortId;
let cohortPath;

async function adminSetsUp(page) {
  await signIn(page, admin.email, 'Ruang staf');
  assert.equal(new URL(page.url()).pathname, '/staff', 'an admin lands on /staff');
  await step(page, 'a01-staff-home');

  // the instructor's account
  await page.getByRole('link', { name: 'Pengguna dan peran' }).click();
  await pageReady(page, 'Pengguna dan peran');
  const form = page.locator('form[aria-labelledby="new-user-h"]');
  people.rina = { email: uniqueEmail('rina') };
  await form.getByLabel('Nama').fill('Rina Kusuma');
  await form.getByLabel('Email').fill(people.rina.email);
  await form.getByLabel('Kata sandi awal').fill(PASSWORD);
  await form.getByLabel('Peran').selectOption('instructor');
  await form.getByRole('button', { name: 'Buat akun' }).click();
  await toastSays(page, 'Akun Rina Kusuma dibuat.');
  await step(page, 'a02-instructor-account');

  // the programme
  await page.goto('/admin/programmes');
  await pageReady(page, 'Program');
  const pf = page.locator('form', { has: page.getByRole('button', { name: 'Buat program' }) });
  await pf.getByLabel('Judul').fill(TITLE);
  await pf.getByLabel('Deskripsi').fill('Pelatihan konten video pendek untuk ASN, UMKM, dan masyarakat umum Kota Malang.');
  await pf.getByRole('button', { name: 'Buat program' }).click();
  await pageReady(page, TITLE);
  await page.getByTestId('no-version-note').waitFor();
  await step(page, 'a03-programme');

  // a cohort before any content: ASN 70, UMKM 30, Umum 70
  const cf = page.locator('form[aria-labelledby="new-cohort"]');
  await cf.getByLabel('Nama angkatan').fill('Angkatan 1');
  await cf.locator('fieldset.staff-segment', { hasText: 'UMKM' }).getByLabel('Kuota kursi').fill('30');
  await cf.getByRole('button', { name: 'Buat angkatan' }).click();
  await pageReady(page, 'Angkatan 1');
  cohortPath = new URL(page.url()).pathname;
  cohortId = cohortPath.split('/').pop();
  await page.getByText('Belum ada versi terbit').first().waitFor();
  await step(page, 'a04-cohort');

  // the instructor on the cohort
  await page.getByLabel('Tambah narasumber').selectOption({ label: `Rina Kusuma (${people.rina.email})` });
  await page.getByRole('button', { name: 'Tambahkan' }).click();
  await page.getByTestId('instructors').getByText('Rina Kusuma').waitFor();
  await step(page, 'a05-instructor-added');

  // the programme's signatory: organisation, name, title, NIP, images
  await page.getByRole('link', { name: `← ${TITLE}` }).click();
  await pageReady(page, TITLE);
  await page.getByText('Tetapkan penanda tangan khusus program ini').click();
  const sf = page.locator('details.staff-edit form', { has: page.getByRole('button', { name: 'Simpan penanda tangan' }) });
  await sf.getByLabel('Organisasi penerbit').fill('Dinas Komunikasi dan Informatika Kota Malang');
  await sf.getByLabel('Nama penanda tangan').fill('Dr. Ir. Suwarjana, S.T., M.T.');
  await sf.getByLabel('Jabatan').fill('Kepala Dinas');
  await sf.getByLabel(/NIP penanda tangan/).fill(NIP_SIGNER);
  await sf.getByLabel(/Gambar tanda tangan/).setInputFiles({ name: 'ttd.png', mimeType: 'image/png', buffer: realPng(180, 60, 3) });
  await sf.getByText('ttd.png diunggah.').waitFor();
  await sf.getByLabel(/^Logo/).setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: realPng(64, 64, 9) });
  await sf.getByText('logo.png diunggah.').waitFor();
  await sf.getByRole('button', { name: 'Simpan penanda tangan' }).click();
  await page.getByTestId('signatory').getByText('Dr. Ir. Suwarjana, S.T., M.T.').waitFor();
  await page.getByText('Khusus program ini.').waitFor();
  await step(page, 'a06-signatory');
}

async function instructorWrites(page) {
  await signIn(page, people.rina.email, 'Ruang staf');
  assert.equal(new URL(page.url()).pathname, '/staff', 'an instructor lands on /staff, not on "my cohorts"');
  await page.getByText(TITLE).first().waitFor();
  await step(page, 'i01-staff-home');
  await page.getByRole('link', { name: 'Materi program' }).first().click();
  await pageReady(page, `Materi: ${TITLE}`);

  // two modules; a numbered title is not numbered twice
  const addModule = async (title) => {
    const f = page.locator('form[aria-labelledby="new-module-h"]');
    await f.getByLabel('Judul modul').fill(title);
    await f.getByRole('button', { name: 'Tambah modul' }).click();
    await toastSays(page, 'Modul ditambahkan');
  };
  await addModule('Modul 1: Merencanakan konten');
  await addModule('Produksi dan unggah');
  await page.getByRole('heading', { level: 2, name: 'Modul 1: Merencanakan konten', exact: true }).waitFor();
  await page.getByRole('heading', { level: 2, name: 'Modul 2: Produksi dan unggah', exact: true }).waitFor();
  assert.equal(await page.getByText('Modul 1: Modul 1').count(), 0);
  await step(page, 'i02-modules');

  // a lesson with a table, strikethrough and an uploaded picture
  const m1 = page.locator('li.staff-module', { hasText: 'Merencanakan konten' });
  await m1.getByRole('link', { name: 'Tambah materi' }).click();
  await pageReady(page, 'Materi baru');
  await page.getByLabel('Judul materi').fill('Tujuan, penonton, dan pesan');
  await page.getByLabel('Isi (Markdown)').fill('## Satu video, satu pesan\n\n| Platform | Durasi |\n|:--|--:|\n| TikTok | 60 detik |\n| YouTube | 5 menit |\n\nHindari ~~video tanpa naskah~~.\n');
  await page.getByRole('button', { name: 'Simpan materi' }).click();
  await pageReady(page, 'Sunting materi');
  await page.getByLabel('Unggah gambar atau PDF').setInputFiles({ name: 'alur-kerja.png', mimeType: 'image/png', buffer: realPng(320, 120, 5) });
  await page.getByTestId('attachments').getByText('alur-kerja.png').waitFor();
  assert.match(await page.getByLabel('Isi (Markdown)').inputValue(), /!\[alur-kerja\.png\]\(\/api\/v1\/attachments\/[A-Za-z0-9_-]+\)/);
  await page.getByRole('button', { name: 'Simpan', exact: true }).click();
  await toastSays(page, 'Tersimpan');
  const preview = page.getByTestId('preview');
  await preview.locator('table td', { hasText: '60 detik' }).waitFor();
  await preview.locator('del', { hasText: 'video tanpa naskah' }).waitFor();
  await preview.locator('img[loading="lazy"]').waitFor();
  await step(page, 'i03-lesson-table-picture');

  // a lesson with a YouTube video
  await page.getByRole('link', { name: '← Materi program' }).click();
  await pageReady(page, `Materi: ${TITLE}`);
  await m1.getByRole('link', { name: 'Tambah materi' }).click();
  await pageReady(page, 'Materi baru');
  await page.getByLabel('Judul materi').fill('Contoh video yang baik');
  await page.getByLabel('Isi (Markdown)').fill('Tonton contohnya, lalu catat **pembuka**, **isi**, dan **ajakan**.');
  await page.getByLabel(/Tautan video YouTube/).fill('https://www.youtube.com/watch?v=jNQXAC9IVRw');
  await page.getByRole('button', { name: 'Simpan materi' }).click();
  await pageReady(page, 'Sunting materi');
  await page.getByTestId('video-note').waitFor();

  // the assignment, with a rubric and two attempts
  await page.getByRole('link', { name: '← Materi program' }).click();
  await pageReady(page, `Materi: ${TITLE}`);
  await page.locator('li.staff-module', { hasText: 'Produksi dan unggah' }).getByRole('link', { name: 'Tambah tugas' }).click();
  await pageReady(page, 'Tugas baru');
  await page.getByLabel('Judul tugas').fill('Video profil layanan');
  await page.getByLabel('Petunjuk (Markdown)').fill('Buat video **60 detik** tentang satu layanan, unggah, lalu kirim tautannya.');
  await page.getByTestId('preview').locator('strong', { hasText: '60 detik' }).waitFor();
  for (const [ci, name] of [[1, 'Pesan jelas'], [2, 'Gambar dan suara']]) {
    await page.getByRole('button', { name: 'Tambah kriteria' }).click();
    await page.getByLabel(`Nama kriteria ${ci}`).fill(name);
    await page.getByLabel(`Nama tingkat 1 kriteria ${ci}`).fill('Kurang');
    await page.getByLabel(`Poin tingkat 1 kriteria ${ci}`).fill('0');
    await page.getByLabel(`Nama tingkat 2 kriteria ${ci}`).fill('Baik');
    await page.getByLabel(`Poin tingkat 2 kriteria ${ci}`).fill('50');
  }
  await waitText(page, '[data-testid="rubric-max"]', /nilai maksimum 100/);
  await page.getByLabel('Nilai lulus').fill('70');
  await page.getByLabel(/Batas percobaan/).fill('2');
  await step(page, 'i04-assignment-editor');
  await page.getByRole('button', { name: 'Buat tugas' }).click();
  await pageReady(page, 'Sunting tugas');

  // publish: the cohort made first now follows version 1
  await page.getByRole('link', { name: '← Materi program' }).click();
  await pageReady(page, `Materi: ${TITLE}`);
  await page.getByTestId('assignments').getByRole('link', { name: 'Video profil layanan' }).waitFor();
  await page.getByRole('button', { name: 'Terbitkan versi baru' }).click();
  await confirm(page, 'Terbitkan versi baru');
  await waitText(page, '[data-testid="publish-result"]', /Versi 1 terbit/);
  await step(page, 'i05-published');

  // the cohort's staff page: version 1, the due date and the cut-off
  await page.goto(`/staff/cohorts/${cohortId}`);
  await pageReady(page, 'Angkatan 1');
  await waitText(page, '[data-testid="version-state"]', /mengikuti versi 1/);
  const sched = page.locator('form.staff-schedule', { hasText: 'Video profil layanan' });
  await sched.getByLabel('Tenggat').fill(localIn(7));
  await sched.getByLabel('Batas akhir keterlambatan').fill(localIn(10));
  await sched.getByRole('button', { name: 'Simpan' }).click();
  await toastSays(page, 'Jadwal “Video profil layanan” disimpan.');
  await page.locator('form.staff-schedule', { hasText: 'Tenggat ' }).waitFor();
  await step(page, 'i06-schedule');
}

// A participant at 360 px: sign up, the profile, register, read, hand in.
async function participantJoins(key, { name, segment, profile, english = false }) {
  const page = await newPage(browser, server.url, 'mobile');
  people[key] = { page, email: uniqueEmail(key), name };
  const s = (n) => `p-${key}-${n}`;
  await page.goto('/');
  await pageReady(page, 'Program pelatihan');
  if (english) {
    await page.getByRole('button', { name: 'English' }).click();
    await pageReady(page, 'Training programmes');
  }
  await page.locator('article.programme', { hasText: TITLE }).waitFor();
  await step(page, s('01-catalogue'), { english });

  await page.getByRole('link', { name: english ? 'Sign up' : 'Daftar akun' }).first().click();
  await pageReady(page, english ? 'Sign up' : 'Daftar akun');
  await page.getByLabel(english ? 'Full name' : 'Nama lengkap').fill(name);
  await page.getByLabel(english ? 'E-mail' : 'Email').fill(people[key].email);
  await page.getByLabel(english ? 'Password' : 'Kata sandi').fill(PASSWORD);
  await page.getByRole('button', { name: english ? 'Create account' : 'Buat akun' }).click();
  await pageReady(page, english ? 'Profile' : 'Profil');
  await page.locator('.segment-chooser').getByLabel(segment).check();
  for (const [label, value] of profile) await page.getByLabel(label, { exact: typeof label === 'string' }).fill(value);
  await page.getByRole('button', { name: english ? 'Save' : 'Simpan', exact: true }).click();
  await page.locator('#toasts', { hasText: english ? 'Saved' : 'Tersimpan' }).waitFor();
  await step(page, s('02-profile'), { english });

  await page.goto(`/programmes/${'sinau-tiktok-dan-youtube'}`);
  await pageReady(page, TITLE);
  const section = page.locator(`#cohort-${cohortId}`);
  await section.locator('.register-form').waitFor();
  assert.doesNotMatch(await section.innerText(), /\bnull\b/, 'no stray null before the register button');
  await section.getByLabel(new RegExp(segment)).check();
  await section.getByRole('button', { name: english ? 'Register for this cohort' : 'Daftar angkatan ini' }).click();
  await section.locator('.outcome.confirmed').waitFor();
  await step(page, s('03-registered'), { english });

  await section.getByRole('link', { name: english ? 'Open the class' : 'Buka kelas' }).click();
  await pageReady(page, new RegExp(TITLE));
  await page.getByRole('link', { name: english ? /Start learning/ : /Mulai belajar/ }).click();
  await pageReady(page, 'Tujuan, penonton, dan pesan');
  const body = page.locator('.lesson-body');
  await body.getByRole('table').waitFor();
  const img = body.locator('img');
  assert.equal(await img.getAttribute('loading'), 'lazy');
  await img.scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelector('.lesson-body img').complete && document.querySelector('.lesson-body img').naturalWidth > 0);
  const imgWidth = await img.evaluate((el) => el.getBoundingClientRect().width);
  assert.ok(imgWidth <= 360, `the picture fits the phone (${imgWidth} px)`);
  await page.locator('.lesson-files').getByText('alur-kerja.png').waitFor();
  await step(page, s('04-lesson'), { english });
  await page.getByRole('button', { name: english ? 'Mark as done' : 'Tandai selesai' }).click();
  await page.getByText(english ? 'This lesson is done.' : 'Materi ini sudah selesai.').waitFor();
  await page.getByRole('link', { name: english ? /Next/ : /Berikutnya/ }).click();
  await pageReady(page, 'Contoh video yang baik');
  await page.getByRole('button', { name: english ? 'Mark as done' : 'Tandai selesai' }).click();
  await page.getByText(english ? 'This lesson is done.' : 'Materi ini sudah selesai.').waitFor();

  await page.goto(`/cohorts/${cohortId}`);
  await pageReady(page, new RegExp(TITLE));
  await page.getByRole('link', { name: 'Video profil layanan' }).click();
  await pageReady(page, 'Video profil layanan');
  await handIn(page, `Video tentang layanan Mal Pelayanan Publik, oleh ${name}.`, english);
  await step(page, s('05-handed-in'), { english });
}

async function handIn(page, text, english = false) {
  await page.getByLabel(english ? 'Answer' : 'Jawaban').fill(text);
  await page.getByLabel(english ? /Link to your video/ : /Tautan video/).fill('https://www.tiktok.com/@diskominfo.malang/video/7300000000000000000');
  await page.getByRole('button', { name: english ? 'Send' : 'Kirim', exact: true }).click();
  await page.locator('#toasts', { hasText: english ? 'Your work is handed in.' : 'Tugas terkirim.' }).waitFor();
}

// Grades the queue's submission of `who` with the rubric levels chosen.
async function gradeOf(page, who, levels) {
  for (let i = 0; i < 10; i++) {
    if ((await page.locator('[data-testid="work"] h2').textContent()) === who) break;
    await page.getByRole('button', { name: /Berikutnya/ }).click();
  }
  await waitText(page, '[data-testid="work"] h2', new RegExp(`^${who}$`));
  const rubric = page.getByTestId('rubric');
  for (const [ci, level] of levels.entries()) await rubric.locator('fieldset.grading-criterion').nth(ci).getByLabel(new RegExp(`^${level}`)).check();
  await page.getByRole('button', { name: /^Simpan nilai/ }).click();
  await page.locator('#toasts', { hasText: who }).waitFor();
}

async function pdfId(page, certLabel) {
  const href = await page.getByRole('link', { name: certLabel }).first().getAttribute('href');
  const res = await page.request.get(href);
  assert.equal(res.status(), 200);
  assert.equal(res.headers()['content-type'], 'application/pdf');
  const file = path.join(ARTIFACTS, `cycle-certificate-${Date.now()}.pdf`);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  fs.writeFileSync(file, await res.body());
  const { stdout } = await execFileP('pdftotext', ['-layout', file, '-']);
  for (const want of ['Dinas Komunikasi dan Informatika Kota Malang', 'Dr. Ir. Suwarjana, S.T., M.T.', `NIP. ${NIP_SIGNER}`]) assert.ok(stdout.includes(want), `the PDF prints ${want}`);
  return /ID: ([0-9a-z-]+)/.exec(stdout)[1];
}

test('the whole cycle, from an empty install to a signed certificate, in the pages only', { timeout: 600000 }, async () => {
  const adminPage = await newPage(browser, server.url, 'desktop');
  const instrPage = await newPage(browser, server.url, 'desktop');
  try {
    await adminSetsUp(adminPage);
    await instructorWrites(instrPage);

    await participantJoins('ayu', { name: 'Ayu Lestari', segment: 'ASN', profile: [[/^NIP/, NIP_AYU], ['Instansi (OPD)', 'Dinas Kominfo Kota Malang']] });
    const ayu = people.ayu.page;
    await ayu.goto('/me/profile');
    await pageReady(ayu, 'Profil');
    await ayu.getByText('Tersimpan: 1990**********2001.').waitFor(); // the spaced NIP, stored as its digits
    await participantJoins('budi', { name: 'Budi Santoso', segment: 'UMKM', profile: [['Nama usaha', 'Kopi Lereng Arjuno']] });
    await participantJoins('citra', { name: 'Citra Dewi', segment: 'General public', profile: [[/^NIK/, nik()]], english: true });

    // grading: Ayu fails, Budi passes, Citra gets a grade that is corrected later
    await instrPage.goto(`/staff/cohorts/${cohortId}/grading`);
    await pageReady(instrPage, 'Antrean penilaian');
    await waitText(instrPage, '[data-testid="queue-position"]', /dari 3/);
    await step(instrPage, 'i07-grading-queue');
    await gradeOf(instrPage, 'Ayu Lestari', ['Kurang', 'Baik']);
    await gradeOf(instrPage, 'Budi Santoso', ['Baik', 'Baik']);
    await gradeOf(instrPage, 'Citra Dewi', ['Kurang', 'Baik']);
    await instrPage.getByRole('button', { name: 'Rilis nilai' }).click();
    await confirm(instrPage, 'Rilis nilai');
    await waitText(instrPage, '[data-testid="release-result"]', /3 nilai kini terlihat/);
    await step(instrPage, 'i08-released');

    // Ayu sees the failing grade and hands in a new version
    await ayu.goto(`/cohorts/${cohortId}`);
    await pageReady(ayu, new RegExp(TITLE));
    await ayu.getByRole('link', { name: 'Video profil layanan' }).click();
    await pageReady(ayu, 'Video profil layanan');
    await ayu.getByText('belum lulus').first().waitFor();
    await ayu.getByText('Nilai Anda belum lulus. Anda boleh mengirim versi baru sampai batas akhir.').waitFor();
    await ayu.getByTestId('attempts').getByText('1 dari 2').waitFor();
    await step(ayu, 'p-ayu-06-failed');
    await handIn(ayu, 'Versi perbaikan: naskah lebih singkat dan ajakan yang jelas.');
    await ayu.getByText('Versi 2').first().waitFor();
    await step(ayu, 'p-ayu-07-resubmitted');

    // the new version passes; Citra's grade is corrected from the graded list
    await instrPage.reload();
    await pageReady(instrPage, 'Antrean penilaian');
    await gradeOf(instrPage, 'Ayu Lestari', ['Baik', 'Baik']);
    await instrPage.getByLabel('Tampilkan').selectOption('graded');
    await waitText(instrPage, '[data-testid="queue-position"]', /yang sudah dinilai/);
    await gradeOf(instrPage, 'Citra Dewi', ['Baik', 'Baik']);
    await instrPage.getByTestId('current-grade').getByText(/Nilai sekarang: 100 dari 100/).waitFor();
    await step(instrPage, 'i09-regraded');

    // the admin: refused before the end, moves the dates, issues
    await adminPage.goto(`${cohortPath}/certificates`);
    await pageReady(adminPage, 'Sertifikat');
    await waitText(adminPage, '[data-testid="eligible-count"]', /^3 dari 3 peserta layak/);
    await adminPage.getByRole('button', { name: 'Terbitkan sertifikat untuk yang layak' }).click();
    await adminPage.getByText('Sertifikat baru dapat diterbitkan mulai hari terakhir pelatihan.').waitFor();
    await step(adminPage, 'a07-not-finished', { allow: [/^http 409 POST \/api\/v1\/cohorts\/[^/]+\/certificates$/] });
    await adminPage.goto(cohortPath);
    await pageReady(adminPage, 'Angkatan 1');
    await adminPage.getByText('Ubah data angkatan').click();
    const edit = adminPage.getByTestId('cohort-edit');
    await edit.getByLabel('Mulai', { exact: true }).fill(dateIn(-30));
    await edit.getByLabel('Selesai', { exact: true }).fill(dateIn(-1));
    await edit.getByRole('button', { name: 'Simpan perubahan' }).click();
    await toastSays(adminPage, 'disimpan');
    await step(adminPage, 'a08-dates-moved');
    await adminPage.goto(`${cohortPath}/registrations`);
    await pageReady(adminPage, 'Pendaftar');
    const numbers = await adminPage.locator('[data-testid="registrations"] tbody tr td:first-child').allInnerTexts();
    assert.deepEqual(numbers, ['1', '2', '3'], 'arrival numbers from 1');
    await step(adminPage, 'a09-registrations');
    await adminPage.goto(`${cohortPath}/certificates`);
    await pageReady(adminPage, 'Sertifikat');
    await adminPage.getByRole('button', { name: 'Terbitkan sertifikat untuk yang layak' }).click();
    await waitText(adminPage, '[data-testid="issue-result"]', /^3 sertifikat terbit; 0 peserta belum layak\.$/);
    await step(adminPage, 'a10-issued');

    // Ayu's certificate: the ID the PDF prints, typed into /verify
    await ayu.goto('/me/certificates');
    await pageReady(ayu, 'Sertifikat saya');
    await step(ayu, 'p-ayu-08-certificates');
    const printed = await pdfId(ayu, 'Buka PDF');
    const visitor = await newPage(browser, server.url, 'mobile');
    await visitor.goto('/verify');
    await visitor.getByRole('heading', { level: 1 }).waitFor();
    await step(visitor, 'v01-verify');
    await visitor.getByRole('textbox', { name: /ID sertifikat/ }).fill(`ID: ${printed.toUpperCase()}`);
    await visitor.getByRole('button', { name: 'Cari' }).click();
    await visitor.locator('[data-status="valid"]').waitFor();
    for (const want of ['Ayu Lestari', 'Dr. Ir. Suwarjana, S.T., M.T.', `NIP. ${NIP_SIGNER}`, 'Dinas Komunikasi dan Informatika Kota Malang']) await visitor.getByText(want).first().waitFor();
    assert.ok(await visitor.locator('.signatory-signature').evaluate((el) => el.complete && el.naturalWidth > 0), 'the signature image shows');
    await step(visitor, 'v02-valid');

    // and Citra's, in English
    const citra = people.citra.page;
    await citra.goto('/me/certificates');
    await pageReady(citra, 'My certificates');
    await step(citra, 'p-citra-06-certificates', { english: true });
    const citraId = await pdfId(citra, 'Open the PDF');
    await visitor.goto('/verify?lang=en');
    await visitor.getByRole('textbox', { name: /Certificate ID/ }).fill(citraId.replace(/-/g, ' '));
    await visitor.getByRole('button', { name: 'Look up' }).click();
    await visitor.locator('[data-status="valid"]').waitFor();
    await visitor.getByText('Citra Dewi').first().waitFor();
    await visitor.getByText('Signed by').waitFor();
    await step(visitor, 'v03-valid-en', { english: true });
  } catch (err) {
    // what each person saw when it failed
    const pages = { admin: adminPage, instructor: instrPage, ...Object.fromEntries(Object.entries(people).filter(([, x]) => x.page).map(([k, x]) => [k, x.page])) };
    for (const [who, p] of Object.entries(pages)) {
      await screenshot(p, `cycle-FAILED-${who}`).catch(() => {});
      err.message += `\n  ${who} at ${p.url()}: problems ${p.problems.join(' | ') || 'none'}`;
    }
    throw err;
  } finally {
    for (const p of [adminPage, instrPage, ...Object.values(people).map((x) => x.page).filter(Boolean)]) await p.context().close().catch(() => {});
  }
});
