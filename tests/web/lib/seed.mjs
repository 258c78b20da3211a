// Test data for the browser tests, made through the API with the api
// layer's helpers: an admin (command line), a programme with published
// content, a cohort whose registration is open, and participants.
import { newAdmin, call, show } from '../../api/lib/accounts.mjs';
import { createCohort, cohortBody, participant, register, instantIn, dateIn } from '../../api/lib/cohorts.mjs';
import { contentProgramme } from '../../api/lib/content.mjs';

export { participant, register, call, show, instantIn, dateIn };

// Three lessons in two modules; the first has a YouTube video and some
// Markdown that must arrive rendered (strong, a link) and inert (a script).
export const OUTLINE = [
  {
    title: 'Dasar-dasar TikTok',
    lessons: [
      {
        title: 'Membuat akun kreator',
        body_md: '## Langkah pertama\n\nBuka aplikasi lalu pilih **Daftar**. Baca [panduan komunitas](https://example.com/panduan).\n\n<script>window.__pwned = 1</script>\n\n- Siapkan email\n- Pilih nama akun',
        video_url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
        duration_minutes: 12,
      },
      { title: 'Menyunting video pendek', body_md: 'Potong klip, tambahkan teks, dan pilih musik bebas royalti.', duration_minutes: 20 },
    ],
  },
  { title: 'YouTube untuk UMKM', lessons: [{ title: 'Membangun kanal usaha', body_md: 'Nama kanal, logo, dan deskripsi usaha.' }] },
];

// An admin, a programme with OUTLINE published and one cohort of it (open
// registration; `over` as cohortBody). Resolves to {admin, slug, title,
// cohort, lessons}.
export async function seedProgramme(server, { over = {} } = {}) {
  const base = server.url;
  const admin = await newAdmin(server);
  const cp = await contentProgramme(base, admin, OUTLINE);
  const r = await createCohort(base, admin.token, cp.slug, cohortBody({ name: 'Angkatan 1', ...over }));
  if (r.status !== 201) throw new Error(`cohort: ${show(r)}`);
  return { admin, slug: cp.slug, title: cp.programme.title, cohort: r.json, lessons: cp.lessons };
}

// Puts a participant's session cookie into a browser context (what the
// login page would get), so a page can be opened signed in.
export async function signInContext(context, baseURL, person) {
  await context.addCookies([{ name: 'sinau_session', value: person.cookie, url: baseURL, httpOnly: true, sameSite: 'Lax' }]);
}
