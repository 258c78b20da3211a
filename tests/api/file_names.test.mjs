// Uploaded file names (issue 14, problem 10): the name a download carries
// has the extension of the type sniffed from the bytes, whatever the
// uploader called it, and no control, bidirectional-override or path
// characters — also for names stored before this rule.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/harness.mjs';
import { newAdmin, sql, lit } from './lib/accounts.mjs';
import { classroom, submitted, upload, getFile, pdfFile, pngFile, jpegFile } from './lib/assignments.mjs';
import { expectStatus } from './lib/content.mjs';

let server;
let base;
let room;

before(async () => {
  server = await startServer();
  base = server.url;
  const admin = await newAdmin(server);
  room = await classroom(server, admin, { participants: 1 });
});
after(() => server.stop());

function downloadName(f) {
  const m = /filename\*=UTF-8''([A-Za-z0-9%\-._~]+)$/.exec(f.headers['content-disposition']);
  assert.ok(m, f.headers['content-disposition']);
  return decodeURIComponent(m[1]);
}

async function roundTrip(bytes, type, name) {
  const p = room.people[0];
  const s = await submitted(base, p.token, room.cohort.id, room.assignments[0].id, {});
  const j = expectStatus(await upload(base, p.token, s.id, bytes, { type, filename: name }), 200, name);
  const f = await getFile(base, p.token, s.id);
  assert.equal(f.status, 200);
  return { stored: j.file.original_name, download: downloadName(f), id: s.id };
}

test('download_name_extension_follows_sniffed_type', async () => {
  const cases = [
    [pdfFile(), 'application/pdf', 'Tugas.pdf.bat', 'Tugas.pdf'],
    [pdfFile(), 'application/pdf', 'Tugas.exe', 'Tugas.pdf'],
    [pdfFile(), 'application/pdf', 'laporan akhir', 'laporan akhir.pdf'],
    [pngFile(), 'image/png', 'v1.2 foto', 'v1.2 foto.png'],
    [jpegFile(), 'image/jpeg', 'etalase.jpeg', 'etalase.jpeg'],
    [pngFile(), 'image/png', 'Foto.PNG', 'Foto.PNG'],
    [pngFile(), 'application/octet-stream', 'gambar.html', 'gambar.png'],
  ];
  for (const [bytes, type, name, want] of cases) {
    const r = await roundTrip(bytes, type, name);
    assert.equal(r.stored, want, `stored name of ${name}`);
    assert.equal(r.download, want, `download name of ${name}`);
  }
});

test('download_name_drops_bidi_overrides', async () => {
  // "Tugas<RLO>fdp.exe" shows as "Tugasexe.pdf" in a right-to-left-aware file manager
  const r = await roundTrip(pdfFile(), 'application/pdf', 'Tugas\u202Efdp.exe');
  assert.equal(r.download, 'Tugasfdp.pdf');
  const r2 = await roundTrip(pngFile(), 'image/png', 'a\u2066b\u2069c\u200Fd\u061C.png');
  assert.equal(r2.download, 'abcd.png');
});

test('download_name_cleans_names_stored_before_the_rule', async () => {
  const r = await roundTrip(pdfFile(), 'application/pdf', 'lama.pdf');
  await sql(server, `update submission_files set original_name = ${lit('..\\x/y:\u0007z\u202E.pdf.bat')} where submission_id = ${lit(r.id)}`);
  const f = await getFile(base, room.people[0].token, r.id);
  assert.equal(downloadName(f), 'xyz.pdf');
});
