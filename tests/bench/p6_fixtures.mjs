// P6 fixtures, made through the API of a running sinau (node, no
// dependencies): a programme of 2 modules x 5 lessons (~3 KB of HTML each,
// like P2's), published; a cohort whose rules need nothing beyond a
// confirmed seat; N participants (signed up, a NIK in the profile,
// registered, 1 to 6 lessons completed); every certificate issued.
//
//   node p6_fixtures.mjs BASE_URL ADMIN_EMAIL N   (the admin's password on stdin)
//
// Prints one JSON object: {token (the first participant's bearer token),
// staff_token (the admin's), cohort, lesson, certificates: [ids], jp}.
import crypto from 'node:crypto';
import fs from 'node:fs';

const [base, adminEmail, nArg] = process.argv.slice(2);
const n = Number(nArg);
if (!base || !adminEmail || !(n >= 1 && n <= 9999)) {
  console.error('usage: node p6_fixtures.mjs BASE_URL ADMIN_EMAIL N (1..9999), password on stdin');
  process.exit(2);
}
const adminPassword = fs.readFileSync(0, 'utf8').trim();
const PASSWORD = 'Kopi-Tubruk-2024!';

async function api(method, path, { token, json } = {}, want = [200, 201]) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (json !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(base + path, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
  const text = await r.text();
  if (!want.includes(r.status)) throw new Error(`${method} ${path}: ${r.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

const login = async (email, password) => (await api('POST', '/api/v1/auth/login', { json: { email, password } })).token;
const day = (d) => new Date(Date.now() + d * 86400000).toISOString().slice(0, 10);
const at = (s) => new Date(Date.now() + s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

// Markdown rendering to about 3 KB of HTML: headings, emphasis, links, a list.
function lessonMd(m, l) {
  let md = `Pelajaran ${m}.${l}: memulai toko daring.\n\n`;
  for (let i = 1; md.length < 2400; i++) {
    md += `## Bagian ${i}\n\nDalam bagian ${i} kita membahas cara **memasarkan produk** secara daring, mulai dari foto produk yang jelas, `
      + `deskripsi yang jujur, hingga harga yang bersaing. Baca juga [panduan lengkapnya](https://example.org/panduan/${i}).\n\n`
      + '- Siapkan akun & profil usaha\n- Unggah *katalog* produk\n- Tanggapi pertanyaan pembeli dalam 24 jam\n\n';
  }
  return md;
}

async function main() {
  const admin = await login(adminEmail, adminPassword);
  const slug = `p6-${crypto.randomBytes(3).toString('hex')}`;
  await api('POST', '/api/v1/programmes', { token: admin, json: { slug, title: 'Literasi Digital untuk UMKM', description: 'Program pelatihan literasi digital.' } });
  const lessons = [];
  for (let m = 1; m <= 2; m++) {
    const mod = await api('POST', `/api/v1/programmes/${slug}/modules`, { token: admin, json: { title: `Modul ${m}` } });
    for (let l = 1; l <= 5; l++) {
      lessons.push(await api('POST', `/api/v1/modules/${mod.id}/lessons`, { token: admin, json: { title: `Pelajaran ${m}.${l}`, body_md: lessonMd(m, l), video_url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ', duration_minutes: 20 + l } }));
    }
  }
  await api('POST', `/api/v1/programmes/${slug}/versions`, { token: admin });
  const cohort = await api('POST', `/api/v1/programmes/${slug}/cohorts`, {
    token: admin,
    json: { name: 'Angkatan 1', registration_opens_at: at(-3600), registration_closes_at: at(7 * 86400), starts_on: day(-30), ends_on: day(-1), jp: 32, segments: [{ segment: 'public', quota: n + 10, waitlist: false }] },
  });
  await api('PUT', `/api/v1/cohorts/${cohort.id}/certificate-rules`, { token: admin, json: { min_lesson_percent: 0, require_assignments_passed: false } });

  let first = null;
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const email = `p6.${i}.${crypto.randomBytes(3).toString('hex')}@bench.invalid`;
      await api('POST', '/api/v1/auth/signup', { json: { email, password: PASSWORD, full_name: `Peserta Bench ${i + 1}` } });
      const token = await login(email, PASSWORD);
      await api('PUT', '/api/v1/me/profile', { token, json: { nik: `357301010190${String(i + 1).padStart(4, '0')}` } });
      await api('POST', `/api/v1/cohorts/${cohort.id}/registrations`, { token, json: { segment: 'public' } });
      const done = i === 0 ? 3 : 1 + (i % 6);
      for (const l of lessons.slice(0, done)) await api('POST', `/api/v1/cohorts/${cohort.id}/lessons/${l.id}/complete`, { token });
      if (i === 0) first = token;
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, n) }, worker));

  const issued = await api('POST', `/api/v1/cohorts/${cohort.id}/certificates`, { token: admin });
  if (issued.issued !== n) throw new Error(`issued ${issued.issued} of ${n}: ${JSON.stringify(issued).slice(0, 300)}`);
  process.stdout.write(`${JSON.stringify({ token: first, staff_token: admin, cohort: cohort.id, lesson: lessons[2].id, certificates: issued.certificates.map((c) => c.id), jp: 32 })}\n`);
}

main().catch((e) => {
  console.error(`p6_fixtures: ${e.message}`);
  process.exit(1);
});
