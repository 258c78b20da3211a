// Instructor journey (browser): an instructor of a cohort authors the
// programme's draft — two modules put in order, a lesson with a live
// Markdown preview (rendered by the server, raw HTML dropped), a video link
// and a duration — survives a failed save (a 201-character title: 422, the
// error next to the field, every field keeps its text, nothing saved), and
// publishes a new version whose content hash the page shows. At 360×800
// and 1280×800, with a screenshot and an axe check of each page.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, closeBrowser } from './lib/browser.mjs';
import { newAdmin, call } from '../api/lib/accounts.mjs';
import { newInstructor, programme, createCohort, cohortBody, addInstructor } from '../api/lib/cohorts.mjs';
import { signedInPage, open, checkPage, waitText, confirm, onFailureShot, VIEWPORT_NAMES } from './staff_helpers.mjs';

let server;
let browser;
let admin;

before(async () => {
  server = await startServer();
  admin = await newAdmin(server);
  browser = await launchBrowser();
});

after(async () => {
  await closeBrowser(browser);
  await server?.stop();
});

// A programme (v1 published, empty) with a cohort that names a new
// instructor; resolves to {slug, title, instructor}.
async function setUp(vp) {
  const instructor = await newInstructor(server, { name: `Narasumber ${vp}` });
  const title = `Konten Kreatif ${vp}`;
  const p = await programme(server.url, admin, { title });
  const c = await createCohort(server.url, admin.token, p.slug, cohortBody());
  assert.equal(c.status, 201, c.text);
  const r = await addInstructor(server.url, admin.token, c.json.id, instructor.id);
  assert.equal(r.status, 201, r.text);
  return { slug: p.slug, title, instructor };
}

async function draftOf(slug, token) {
  const r = await call(server.url, 'GET', `/api/v1/programmes/${slug}/draft`, { token });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

// Polls fn (every 200 ms, up to 15 s) until it returns something truthy.
async function until(fn, what) {
  for (let i = 0; i < 75; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out: ${what}`);
}

const BODY = [
  '# Mengenal algoritma',
  '',
  'Video **pendek** lebih mudah _ditonton_ sampai habis.',
  '',
  '- kait di 3 detik pertama',
  '- teks di layar',
  '',
  '[Panduan](https://example.org/panduan) · <script>alert(1)</script><b>mentah</b>',
].join('\n');

for (const vp of VIEWPORT_NAMES) {
  test(`instructor: authors a lesson with preview, a failed save keeps the text, publishes (${vp})`, async () => {
    const { slug, title, instructor } = await setUp(vp);
    const page = await signedInPage(browser, server.url, instructor, vp);
    await onFailureShot(page, `staff-content-${vp}`, () => journey(page, vp, { slug, title, instructor }));
    await page.context().close();
  });
}

async function journey(page, vp, { slug, title, instructor }) {
  // The staff home lists the instructor's programme.
  await open(page, '/staff', 'Ruang staf');
  await checkPage(page, `staff-home-${vp}`);
  await page.getByRole('link', { name: 'Materi program' }).click();
  await page.getByRole('heading', { level: 1, name: `Materi: ${title}` }).waitFor();

  // Two modules, the second moved above the first.
  const addModule = page.locator('form[aria-labelledby="new-module-h"]');
  for (const m of ['Dasar TikTok', 'Membuat video pertama']) {
    await addModule.getByLabel('Judul modul').fill(m);
    await addModule.getByRole('button', { name: 'Tambah modul' }).click();
    await page.getByRole('heading', { level: 2, name: new RegExp(`Modul \\d: ${m}$`) }).waitFor();
  }
  await page.getByRole('button', { name: 'Naikkan Membuat video pertama' }).click();
  await page.getByRole('heading', { level: 2, name: 'Modul 1: Membuat video pertama' }).waitFor();
  assert.deepEqual((await draftOf(slug, instructor.token)).modules.map((m) => m.title), ['Membuat video pertama', 'Dasar TikTok']);
  await checkPage(page, `staff-content-modules-${vp}`);

  // A lesson in the first module, with a live preview.
  await page.locator('[data-module]').first().getByRole('link', { name: '+ Tambah materi' }).click();
  await page.getByRole('heading', { level: 1, name: 'Materi baru' }).waitFor();
  await page.getByLabel('Judul materi').fill('Algoritma For You');
  await page.getByLabel('Isi (Markdown)').fill(BODY);
  const preview = page.getByTestId('preview');
  await preview.locator('h1', { hasText: 'Mengenal algoritma' }).waitFor();
  assert.equal(await preview.locator('strong').textContent(), 'pendek');
  assert.equal(await preview.locator('em').textContent(), 'ditonton');
  assert.equal(await preview.locator('li').count(), 2);
  assert.equal(await preview.locator('a').getAttribute('href'), 'https://example.org/panduan');
  assert.equal(await preview.locator('script, b').count(), 0, 'raw HTML is not rendered');
  // the preview follows the text as it changes
  const body = page.getByLabel('Isi (Markdown)');
  await body.evaluate((el) => el.setSelectionRange(el.value.length, el.value.length));
  await body.pressSequentially('\n\n## Latihan');
  assert.equal(await body.inputValue(), `${BODY}\n\n## Latihan`);
  await preview.locator('h2', { hasText: 'Latihan' }).waitFor();
  await page.getByLabel(/Tautan video/).fill('https://youtu.be/dQw4w9WgXcQ');
  await page.getByLabel(/Durasi/).fill('15');
  await page.getByRole('button', { name: 'Simpan materi' }).click();
  await page.getByRole('heading', { level: 1, name: 'Sunting materi' }).waitFor();
  await waitText(page, '[data-testid="video-note"]', /Video YouTube dikenali/);
  const lessonId = /\/lessons\/([^/?#]+)$/.exec(page.url())[1];
  let lesson = (await draftOf(slug, instructor.token)).modules[0].lessons[0];
  assert.equal(lesson.id, lessonId);
  assert.equal(lesson.title, 'Algoritma For You');
  assert.equal(lesson.body_md, `${BODY}\n\n## Latihan`, 'first save: body');
  assert.equal(lesson.duration_minutes, 15);
  assert.deepEqual(lesson.video, { provider: 'youtube', embed_url: 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ' });
  await page.locator('[data-testid="preview"]:not([aria-busy])').waitFor();
  await checkPage(page, `staff-lesson-${vp}`);

  // A failed save: the server refuses a 201-character title (422); the
  // message stands next to the title and every field keeps its text.
  const longTitle = `Judul ${'panjang '.repeat(30)}`.slice(0, 201);
  assert.equal(longTitle.length, 201);
  const changedBody = `${BODY}\n\nParagraf baru yang belum tersimpan.`;
  await page.getByLabel('Judul materi').fill(longTitle);
  await page.getByLabel('Isi (Markdown)').fill(changedBody);
  const refused = page.waitForResponse((r) => r.url().endsWith(`/api/v1/lessons/${lessonId}`) && r.request().method() === 'PUT');
  await page.getByRole('button', { name: 'Simpan', exact: true }).click();
  assert.equal((await refused).status(), 422);
  const titleField = page.locator('.field[data-field="title"]');
  await waitText(page, '.field[data-field="title"] .field-error', /Judul harus 1–200 karakter/);
  assert.equal(await titleField.locator('input').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByLabel('Judul materi').inputValue(), longTitle);
  assert.equal(await page.getByLabel('Isi (Markdown)').inputValue(), changedBody, 'failed save: body kept');
  assert.equal(await page.getByLabel(/Tautan video/).inputValue(), 'https://youtu.be/dQw4w9WgXcQ');
  lesson = (await draftOf(slug, instructor.token)).modules[0].lessons[0];
  assert.equal(lesson.title, 'Algoritma For You', 'nothing was saved');
  await page.locator('[data-testid="preview"]:not([aria-busy])').waitFor();
  await checkPage(page, `staff-lesson-failed-save-${vp}`, { allow: [new RegExp(`^http 422 PUT /api/v1/lessons/${lessonId}$`)] });

  // Leaving with the unsaved text asks first; staying keeps it.
  await page.getByRole('link', { name: '← Materi program' }).click();
  await confirm(page, 'Batal');
  assert.match(page.url(), new RegExp(`/lessons/${lessonId}$`));
  assert.equal(await page.getByLabel('Isi (Markdown)').inputValue(), changedBody, 'after staying: body kept');

  // Corrected, it saves (the error goes away).
  await page.getByLabel('Judul materi').fill('Algoritma For You: cara kerjanya');
  await page.getByRole('button', { name: 'Simpan', exact: true }).click();
  await titleField.locator('.field-error').waitFor({ state: 'hidden' });
  lesson = await until(async () => {
    const l = (await draftOf(slug, instructor.token)).modules[0].lessons[0];
    return l.title === 'Algoritma For You: cara kerjanya' ? l : null;
  }, 'the corrected save reaches the draft');
  assert.equal(lesson.body_md, changedBody, 'corrected save: body');

  // Publish: version 2 with the hash the API reports.
  await page.getByRole('link', { name: '← Materi program' }).click();
  await page.getByRole('heading', { level: 1, name: `Materi: ${title}` }).waitFor();
  await page.getByRole('button', { name: 'Terbitkan versi baru' }).click();
  await confirm(page, 'Terbitkan versi baru');
  await waitText(page, '[data-testid="publish-result"]', /Versi 2 terbit/);
  const prog = await call(server.url, 'GET', `/api/v1/programmes/${slug}`);
  const v2 = prog.json.versions.find((v) => v.version === 2);
  assert.ok(v2, 'version 2 exists');
  assert.equal(v2.lessons_total, 1);
  assert.match(v2.content_hash, /^[0-9a-f]{64}$/);
  assert.equal(await page.getByTestId('publish-result').locator('code').textContent(), v2.content_hash);
  await waitText(page, '[data-testid="versions"]', new RegExp(`Versi 2[\\s\\S]*${v2.content_hash}`));
  await checkPage(page, `staff-content-published-${vp}`);
}
