// Submissions (issue 6; API.md "Assignments and grading"; SECURITY.md cases
// 1, 7, 15, 16, 17, 18): handing in text and links in versions, late work
// after the due date and 409 deadline_passed after the cut-off on every path
// (the file upload too), links (http/https only, stored, never fetched),
// files typed by their magic bytes (PNG, JPEG, PDF, MP4; HTML named .pdf,
// GIF, ZIP, EXE, QuickTime refused with 415, as is a Content-Type that
// contradicts the bytes), file names (no folders, no control characters,
// not hidden, at most 200 bytes), stored under a generated name with their
// SHA-256 and served back byte for byte as an attachment with nosniff, the
// 10 MiB limit exactly (and one byte over: 413, nothing stored, the server
// still answers), who may read or upload (the owner, the cohort's staff;
// 404 for everyone else), `<script>` in a submission staying data, and 20
// concurrent uploads while /healthz keeps answering.
import { test, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer } from './lib/harness.mjs';
import { call, show, sql, lit, newAdmin, newParticipant } from './lib/accounts.mjs';
import { addInstructor, newInstructor, participants as makeParticipants, register } from './lib/cohorts.mjs';
import { expectStatus, expectError, cohortOf, learner, htmlProblems, progress } from './lib/content.mjs';
import { timedRequest } from './lib/probe.mjs';
import {
  classroom, scheduleIn, submit, submitted, getSubmission, listSubmissions, upload, uploadChunked, getFile, grade,
  pngFile, jpegFile, pdfFile, mp4File, movFile, htmlFile, noise, SIG, sha256hex, quantile,
} from './lib/assignments.mjs';

let server;
let base;
let admin;
let cr; // the classroom: assignments [all types, text only, url only, file only]
let A; // the assignment taking every type
let p1;
let p2;
let stranger; // a participant of another cohort of the same programme
let otherInstr; // instructor of that other cohort

const MiB = 1024 * 1024;
const LIMIT = 10 * MiB; // 10485760 bytes: the largest file allowed

before(async () => {
  server = await startServer();
  base = server.url;
  admin = await newAdmin(server);
  cr = await classroom(server, admin, {
    assignments: [
      { title: 'Semua jenis' },
      { title: 'Teks saja', submission_types: ['text'] },
      { title: 'Tautan saja', submission_types: ['url'] },
      { title: 'Berkas saja', submission_types: ['file'] },
    ],
    participants: 2,
    seats: 40,
  });
  A = cr.assignments[0];
  [p1, p2] = cr.people;
  const other = await cohortOf(base, admin, cr.slug, { name: 'Angkatan lain' });
  stranger = await learner(base, other.id);
  otherInstr = await newInstructor(server);
  expectStatus(await addInstructor(base, admin.token, other.id, otherInstr.id), 201, 'other instructor');
});

const SUBMISSION_KEYS = ['assignment_id', 'cohort_id', 'file', 'grade', 'id', 'late', 'latest', 'released', 'status', 'submitted_at', 'text', 'url', 'user', 'version'];

async function count(table, where) {
  return Number(await sql(server, `select count(*) from ${table} where ${where}`));
}
const submissionsOf = (userId) => count('submissions', `user_id = ${lit(userId)}`);
const filesOf = (sid) => count('submission_files', `submission_id = ${lit(sid)}`);
const allFiles = () => count('submission_files', 'true');

// An assignment made for one test, published into a new version and a new
// cohort (so schedules do not disturb the other tests): resolves to {cohort,
// a, people, instructor}.
async function freshClass(over = {}, participants = 1) {
  const c = await classroom(server, admin, { assignments: [over], participants });
  return { cohort: c.cohort, a: c.assignments[0], people: c.people, instructor: c.instructor };
}

// ------------------------------------------------------------- versions ----

describe('handing in text and links', () => {
  test('a submission: 201 with its members; each call makes a new version; the old one is no longer the latest', async () => {
    const r = await submit(base, p1.token, cr.cohort.id, A.id, { text: 'Caption: Keripik pedas Bu Sri!', url: 'https://www.tiktok.com/@busri/video/7312345678901234567' });
    const s1 = expectStatus(r, 201, 'first');
    assert.deepEqual(Object.keys(s1).sort(), SUBMISSION_KEYS);
    assert.equal(s1.version, 1);
    assert.equal(s1.text, 'Caption: Keripik pedas Bu Sri!');
    assert.equal(s1.url, 'https://www.tiktok.com/@busri/video/7312345678901234567');
    assert.equal(s1.late, false);
    assert.equal(s1.latest, true);
    assert.equal(s1.status, 'submitted');
    assert.equal(s1.released, false);
    assert.equal(s1.file, null);
    assert.equal(s1.grade, null);
    assert.equal(s1.user.id, p1.id);
    assert.equal(s1.cohort_id, cr.cohort.id);
    assert.equal(s1.assignment_id, A.id);
    assert.ok(Math.abs(Date.parse(s1.submitted_at) - Date.now()) < 60000, `submitted_at is now: ${s1.submitted_at}`);
    const s2 = await submitted(base, p1.token, cr.cohort.id, A.id, { url: 'https://youtu.be/dQw4w9WgXcQ' });
    assert.equal(s2.version, 2);
    assert.notEqual(s2.id, s1.id);
    assert.equal(s2.text, null, 'a version holds only what it was sent');
    const old = expectStatus(await getSubmission(base, p1.token, s1.id), 200, 'v1');
    assert.equal(old.latest, false);
    assert.equal(old.text, s1.text, 'the old version is kept as it was');
    const list = expectStatus(await listSubmissions(base, p1.token, cr.cohort.id, A.id), 200, 'own list');
    assert.deepEqual(list.items.map((x) => x.version), [2, 1], 'the participant sees their versions, newest first');
    assert.ok(list.items.every((x) => x.user.id === p1.id));
  });

  test('raced: 10 versions sent at once are numbered 1..10 without a gap or a clash; 5 files sent at once to one version: one is kept, the rest 409 file_exists', async () => {
    const c = await freshClass();
    const [p] = c.people;
    const rs = await Promise.all(Array.from({ length: 10 }, (_, i) => submit(base, p.token, c.cohort.id, c.a.id, { text: `serentak ${i}` })));
    rs.forEach((r, i) => expectStatus(r, 201, `version ${i}`));
    assert.deepEqual(rs.map((r) => r.json.version).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(await sql(server, `select string_agg(version::text, ',' order by version) from submissions where user_id = ${lit(p.id)}`), '1,2,3,4,5,6,7,8,9,10');
    const latest = rs.find((r) => r.json.version === 10).json;
    const files = Array.from({ length: 5 }, (_, i) => pngFile(20000, 60 + i));
    const ups = await Promise.all(files.map((f, i) => upload(base, p.token, latest.id, f, { type: 'image/png', filename: `balapan-${i}.png` })));
    const won = ups.filter((r) => r.status === 200);
    assert.equal(won.length, 1, `exactly one file kept: ${ups.map((r) => r.status)}`);
    for (const r of ups.filter((x) => x.status !== 200)) expectError(r, 409, 'file_exists', 'a raced second file');
    assert.equal(await filesOf(latest.id), 1);
    const kept = files[ups.indexOf(won[0])];
    const f = await getFile(base, p.token, latest.id);
    assert.ok(f.body.equals(kept), 'the file kept is the one whose upload answered 200');
  });

  test('types the assignment does not take (422 type_not_allowed), an empty submission (422 empty_submission), bad text — nothing stored', async () => {
    const [, textOnly, urlOnly] = cr.assignments;
    const n0 = await submissionsOf(p2.id);
    expectError(await submit(base, p2.token, cr.cohort.id, textOnly.id, { url: 'https://example.com/' }), 422, 'type_not_allowed', 'a link for text only');
    expectError(await submit(base, p2.token, cr.cohort.id, urlOnly.id, { text: 'teks' }), 422, 'type_not_allowed', 'text for links only');
    expectError(await submit(base, p2.token, cr.cohort.id, textOnly.id, {}), 422, 'empty_submission', 'nothing');
    expectError(await submit(base, p2.token, cr.cohort.id, urlOnly.id, {}), 422, 'empty_submission', 'nothing (link)');
    expectError(await submit(base, p2.token, cr.cohort.id, textOnly.id, { text: '' }), 422, 'invalid_text', 'an empty text');
    expectError(await submit(base, p2.token, cr.cohort.id, textOnly.id, { text: 'a'.repeat(65537) }), 422, 'invalid_text', 'a text over 64 KiB');
    expectError(await submit(base, p2.token, cr.cohort.id, textOnly.id, { text: 5 }), 422, 'invalid_field', 'a number');
    for (const member of ['score', 'version', 'late', 'user_id', 'grade']) {
      expectError(await submit(base, p2.token, cr.cohort.id, textOnly.id, { text: 'x', [member]: member === 'late' ? false : 1 }), 422, 'unknown_field', `a member ${member}`);
    }
    assert.equal(await submissionsOf(p2.id), n0, 'nothing stored');
    const edge = await submitted(base, p2.token, cr.cohort.id, textOnly.id, { text: 'a'.repeat(65536) });
    assert.equal(edge.text.length, 65536, '64 KiB of text is allowed');
  });

  test('SECURITY 17: links are http or https only (422 invalid_url, nothing stored); a link is stored as given and never fetched', async () => {
    const urlOnly = cr.assignments[2];
    const n0 = await submissionsOf(p2.id);
    const bad = [
      'javascript:alert(document.cookie)', 'JavaScript:alert(1)', ' javascript:alert(1)', 'data:text/html,<script>alert(1)</script>',
      'file:///etc/passwd', 'ftp://example.com/x', 'gopher://127.0.0.1:25/', '//example.com/x', 'example.com', 'http://', 'https:///etc/passwd',
      'http:/example.com', 'https://exa mple.com/', 'https://example.com/\nx', `https://example.com/${'a'.repeat(2000)}`, '',
    ];
    for (const url of bad) expectError(await submit(base, p2.token, cr.cohort.id, urlOnly.id, { url }), 422, 'invalid_url', JSON.stringify(url.slice(0, 60)));
    assert.equal(await submissionsOf(p2.id), n0, 'nothing stored');

    // a link at a listener of ours: stored, and nobody ever connects to it
    let connections = 0;
    const trap = net.createServer((s) => {
      connections += 1;
      s.destroy();
    });
    await new Promise((resolve) => trap.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${trap.address().port}/video?id=1&x=%3Cy%3E`;
      const s = await submitted(base, p2.token, cr.cohort.id, urlOnly.id, { url });
      assert.equal(s.url, url, 'stored as given');
      const upper = await submitted(base, p2.token, cr.cohort.id, urlOnly.id, { url: `HTTPS://127.0.0.1:${trap.address().port}/` });
      assert.match(upper.url, /^HTTPS:/);
      assert.equal(await sql(server, `select url from submissions where id = ${lit(s.id)}`), url);
      await new Promise((resolve) => setTimeout(resolve, 700));
      assert.equal(connections, 0, 'the server never fetched the link');
    } finally {
      trap.close();
    }
  });

  test('SECURITY 18: <script> in a submission comes back as JSON data, exactly as sent, with nosniff; the grader\'s feedback HTML has no script', async () => {
    const evil = '<script>alert(document.cookie)</script><img src=x onerror=alert(1)>"\'</textarea>';
    const s = await submitted(base, p1.token, cr.cohort.id, cr.assignments[1].id, { text: evil });
    for (const [who, u] of [['owner', p1], ['instructor', cr.instructor]]) {
      const r = await getSubmission(base, u.token, s.id);
      expectStatus(r, 200, who);
      assert.match(r.headers['content-type'], /^application\/json/, `${who}: served as JSON`);
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      assert.equal(r.json.text, evil, `${who}: the text is data, unchanged`);
    }
    const g = expectStatus(await grade(base, cr.instructor.token, s.id, {
      score: 50, feedback_md: 'Bagus. <script>alert(1)</script> <a href="javascript:alert(2)">x</a> [y](javascript:alert(3)) **rapi**',
    }), 200, 'grade');
    assert.match(g.grade.feedback_html, /<strong>rapi<\/strong>/);
    assert.deepEqual(htmlProblems(g.grade.feedback_html), [], `feedback rendered inert: ${g.grade.feedback_html}`);
  });
});

// ------------------------------------------------------------ deadlines ----

describe('deadlines (SECURITY 15)', () => {
  test('after the due date work is taken and marked late; progress shows it late', async () => {
    const c = await freshClass();
    const [p] = c.people;
    await scheduleIn(base, c.instructor.token, c.cohort.id, c.a.id, -3600, 3600);
    const s = await submitted(base, p.token, c.cohort.id, c.a.id, { text: 'terlambat' });
    assert.equal(s.late, true);
    const withFile = await upload(base, p.token, s.id, pngFile(), { type: 'image/png', filename: 'a.png' });
    expectStatus(withFile, 200, 'a file before the cut-off');
    const st = expectStatus(await progress(base, p.token, c.cohort.id), 200, 'progress').assignments[0];
    assert.equal(st.late, true);
    assert.equal(st.status, 'submitted');
    // a due date without a cut-off takes work forever, late
    await scheduleIn(base, c.instructor.token, c.cohort.id, c.a.id, -7200);
    const s2 = await submitted(base, p.token, c.cohort.id, c.a.id, { text: 'tanpa batas akhir' });
    assert.equal(s2.late, true);
    // before the due date: on time
    await scheduleIn(base, c.instructor.token, c.cohort.id, c.a.id, 3600, 7200);
    assert.equal((await submitted(base, p.token, c.cohort.id, c.a.id, { text: 'tepat waktu' })).late, false);
  });

  test('after the cut-off: 409 deadline_passed on a new version and on a file upload; nothing stored', async () => {
    const c = await freshClass();
    const [p] = c.people;
    await scheduleIn(base, c.instructor.token, c.cohort.id, c.a.id, 3600, 7200);
    const s = await submitted(base, p.token, c.cohort.id, c.a.id, { text: 'sebelum batas' });
    await scheduleIn(base, c.instructor.token, c.cohort.id, c.a.id, -7200, -1);
    const n0 = await submissionsOf(p.id);
    expectError(await submit(base, p.token, c.cohort.id, c.a.id, { text: 'sesudah batas' }), 409, 'deadline_passed', 'a new version');
    expectError(await submit(base, p.token, c.cohort.id, c.a.id, { url: 'https://example.com/' }), 409, 'deadline_passed', 'a link');
    expectError(await upload(base, p.token, s.id, pdfFile(), { type: 'application/pdf', filename: 'rencana.pdf' }), 409, 'deadline_passed', 'a file for the version made in time');
    assert.equal(await submissionsOf(p.id), n0, 'no new version');
    assert.equal(await filesOf(s.id), 0, 'no file');
    // the work made in time is still there and readable
    const still = expectStatus(await getSubmission(base, p.token, s.id), 200, 'read after the cut-off');
    assert.equal(still.text, 'sebelum batas');
    // the staff reopen it: taken again
    await scheduleIn(base, c.instructor.token, c.cohort.id, c.a.id, -7200, 3600);
    expectStatus(await upload(base, p.token, s.id, pdfFile(), { type: 'application/pdf', filename: 'rencana.pdf' }), 200, 'reopened');
  });
});

// ---------------------------------------------------------------- files ----

describe('files (SECURITY 16)', () => {
  test('PNG, JPEG, PDF and MP4 by their magic bytes: stored under <submission id>.<ext> with their SHA-256, served back byte for byte as an attachment', async () => {
    const fileOnly = cr.assignments[3];
    const cases = [
      ['png', pngFile(3000, 11), 'image/png', 'Foto produk.png'],
      ['jpg', jpegFile(5000, 12), 'image/jpeg', 'etalase toko.jpeg'],
      ['jpg', jpegFile(700, 13), 'image/jpg', 'kecil.jpg'],
      ['pdf', pdfFile(9000, 14), 'application/pdf', 'Rencana konten — Mei.pdf'],
      ['mp4', mp4File(20000, 15, 'isom'), 'video/mp4', 'video promosi.mp4'],
      ['mp4', mp4File(20000, 16, 'mp42'), 'application/octet-stream', 'dari hp.mp4'],
      ['mp4', mp4File(20000, 17, 'M4V '), null, 'tanpa tipe.m4v'],
      ['png', pngFile(100000, 18), 'image/png; charset=binary', 'ünïcødé 照片 🙂.png'],
    ];
    for (const [ext, bytes, type, name] of cases) {
      const s = await submitted(base, p1.token, cr.cohort.id, fileOnly.id, {});
      const r = await upload(base, p1.token, s.id, bytes, { type, filename: name });
      const j = expectStatus(r, 200, `upload ${name}`);
      const mime = { png: 'image/png', jpg: 'image/jpeg', pdf: 'application/pdf', mp4: 'video/mp4' }[ext];
      assert.deepEqual(j.file, {
        name: `${s.id}.${ext}`, original_name: name, content_type: mime, size: bytes.length, sha256: sha256hex(bytes), url: `/api/v1/submissions/${s.id}/file`,
      }, `the file member of ${name}`);
      assert.equal(j.id, s.id);
      const row = await sql(server, `select stored_name || '|' || content_type || '|' || size_bytes || '|' || sha256 || '|' || encode(sha256(data), 'hex') from submission_files where submission_id = ${lit(s.id)}`);
      assert.equal(row, `${s.id}.${ext}|${mime}|${bytes.length}|${sha256hex(bytes)}|${sha256hex(bytes)}`, 'the stored row');
      for (const [who, u] of [['owner', p1], ['instructor', cr.instructor], ['admin', admin]]) {
        const f = await getFile(base, u.token, s.id);
        assert.equal(f.status, 200, `${who} downloads ${name}: ${f.status} ${f.body.toString('utf8', 0, 200)}`);
        assert.ok(f.body.equals(bytes), `${who}: the exact bytes of ${name}`);
        assert.equal(f.headers['content-type'], mime);
        assert.equal(f.headers['x-content-type-options'], 'nosniff');
        assert.equal(f.headers.etag, `"${sha256hex(bytes)}"`);
        assert.equal(Number(f.headers['content-length']), bytes.length);
        const cd = f.headers['content-disposition'];
        const m = /^attachment; filename="([^"]+)"; filename\*=UTF-8''([A-Za-z0-9%\-._~]+)$/.exec(cd);
        assert.ok(m, `Content-Disposition: ${cd}`);
        assert.equal(m[1], `${s.id}.${ext}`, 'the plain filename is the generated one');
        assert.equal(decodeURIComponent(m[2]), name, 'filename* carries the original name');
      }
    }
  });

  test('impostors get 415 unsupported_file_type: HTML named .pdf, GIF, ZIP, EXE, QuickTime, truncated signatures, and a Content-Type contradicting the bytes — nothing stored', async () => {
    const s = await submitted(base, p2.token, cr.cohort.id, A.id, { text: 'dengan berkas' });
    const before0 = await allFiles();
    const bad = [
      ['HTML named .pdf', htmlFile(), 'application/pdf', 'rencana.pdf'],
      ['HTML as text/html', htmlFile(), 'text/html', 'a.html'],
      ['SVG', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'image/svg+xml', 'a.png'],
      ['GIF', Buffer.concat([SIG.gif, noise(500)]), 'image/gif', 'a.gif'],
      ['ZIP', Buffer.concat([SIG.zip, noise(500)]), 'application/zip', 'a.zip'],
      ['an Office file (ZIP) named .pdf', Buffer.concat([SIG.zip, noise(500)]), 'application/pdf', 'a.pdf'],
      ['EXE', Buffer.concat([SIG.exe, Buffer.alloc(58), noise(500)]), 'application/octet-stream', 'setup.exe'],
      ['QuickTime', movFile(), 'video/quicktime', 'a.mov'],
      ['QuickTime declared as MP4', movFile(), 'video/mp4', 'a.mp4'],
      ['7 of the 8 PNG signature bytes', SIG.png.subarray(0, 7), 'image/png', 'a.png'],
      ['PNG signature with one byte changed', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0b]), noise(100)]), 'image/png', 'a.png'],
      ['2 bytes of JPEG', Buffer.from([0xff, 0xd8]), 'image/jpeg', 'a.jpg'],
      ['%PDF without the dash', Buffer.from('%PDF1.4 hello'), 'application/pdf', 'a.pdf'],
      ['a PDF signature not at the start', Buffer.concat([Buffer.from(' '), pdfFile(200)]), 'application/pdf', 'a.pdf'],
      ['an ftyp box cut short', mp4File(4096).subarray(0, 11), 'video/mp4', 'a.mp4'],
      ['PNG bytes declared as PDF', pngFile(), 'application/pdf', 'a.pdf'],
      ['PNG bytes declared as HTML', pngFile(), 'text/html', 'a.png'],
      ['PDF bytes declared as PNG', pdfFile(), 'image/png', 'a.png'],
      ['JPEG bytes declared as MP4', jpegFile(), 'video/mp4', 'a.mp4'],
    ];
    for (const [what, bytes, type, name] of bad) {
      expectError(await upload(base, p2.token, s.id, bytes, { type, filename: name }), 415, 'unsupported_file_type', what);
    }
    expectError(await upload(base, p2.token, s.id, Buffer.alloc(0), { type: 'image/png', filename: 'a.png' }), 422, 'empty_file', 'an empty body');
    assert.equal(await allFiles(), before0, 'nothing stored');
    assert.equal(await filesOf(s.id), 0);
    expectStatus(await upload(base, p2.token, s.id, pngFile(), { type: 'image/png', filename: 'asli.png' }), 200, 'then a real PNG');
  });

  test('file names: ../../x, folders, drive letters, hidden names, control characters and over 200 bytes get 422 invalid_filename; the stored name is always generated', async () => {
    const s = await submitted(base, p2.token, cr.cohort.id, cr.assignments[3].id, {});
    const before0 = await allFiles();
    const bad = [
      ['../../x', '../../x'], ['a path', 'foto/produk.png'], ['an absolute path', '/etc/passwd'], ['a Windows path', '..\\..\\x.png'],
      ['a drive letter', 'C:x.png'], ['a hidden name', '.htaccess'], ['a dot', '.'], ['a newline', 'a\n.png'], ['a tab', 'a\tb.png'],
      ['a NUL', 'a\u0000.png'], ['DEL', 'a\u007f.png'], ['201 bytes', `${'a'.repeat(197)}.png`], ['202 bytes of UTF-8', `${'é'.repeat(99)}.png`],
    ];
    for (const [what, name] of bad) expectError(await upload(base, p2.token, s.id, pngFile(), { type: 'image/png', filename: name }), 422, 'invalid_filename', what);
    for (const [what, raw] of [['a bad escape', 'a%zz.png'], ['a cut escape', 'a.png%2'], ['an encoded slash', '..%2F..%2Fx'], ['an empty name', ''], ['invalid UTF-8', 'a%C3%28.png'], ['an overlong slash', '%C0%AF.png']]) {
      expectError(await upload(base, p2.token, s.id, pngFile(), { type: 'image/png', rawName: raw }), 422, 'invalid_filename', what);
    }
    assert.equal(await allFiles(), before0, 'nothing stored');
    const longest = `${'b'.repeat(196)}.png`;
    const ok = expectStatus(await upload(base, p2.token, s.id, pngFile(), { type: 'image/png', filename: longest }), 200, '200 bytes');
    assert.equal(ok.file.original_name, longest);
    assert.equal(ok.file.name, `${s.id}.png`);
    // without X-Filename the generated name stands in for the original
    const s2 = await submitted(base, p2.token, cr.cohort.id, cr.assignments[3].id, {});
    const none = expectStatus(await upload(base, p2.token, s2.id, jpegFile(), { type: 'image/jpeg', filename: null }), 200, 'no X-Filename');
    assert.equal(none.file.name, `${s2.id}.jpg`);
    const f = await getFile(base, p2.token, s2.id);
    assert.match(f.headers['content-disposition'], new RegExp(`^attachment; filename="${s2.id}\\.jpg"`));
    // the name a participant sends never becomes a stored name
    assert.equal(await count('submission_files', "stored_name !~ '^[A-Za-z0-9_-]+\\.(png|jpg|pdf|mp4)$'"), 0, 'every stored name is generated');
  });

  test('one file per version (409 file_exists), only the latest version (409 submission_changed), not once graded (409 already_graded), not a file for an assignment without files (422 type_not_allowed)', async () => {
    const c = await freshClass();
    const [p] = c.people;
    const v1 = await submitted(base, p.token, c.cohort.id, c.a.id, { text: 'v1' });
    expectStatus(await upload(base, p.token, v1.id, pngFile(1000, 21), { type: 'image/png', filename: 'satu.png' }), 200, 'first file');
    expectError(await upload(base, p.token, v1.id, pngFile(1000, 22), { type: 'image/png', filename: 'dua.png' }), 409, 'file_exists', 'a second file');
    const v2 = await submitted(base, p.token, c.cohort.id, c.a.id, { text: 'v2' });
    const v3 = await submitted(base, p.token, c.cohort.id, c.a.id, { text: 'v3' });
    expectError(await upload(base, p.token, v2.id, pngFile(1000, 23), { type: 'image/png', filename: 'lama.png' }), 409, 'submission_changed', 'an older version');
    assert.equal(await filesOf(v2.id), 0);
    const f1 = await getFile(base, p.token, v1.id);
    assert.ok(f1.body.equals(pngFile(1000, 21)), 'the first file is unchanged');
    expectStatus(await grade(base, c.instructor.token, v3.id, { score: 80 }), 200, 'graded');
    expectError(await upload(base, p.token, v3.id, pngFile(1000, 24), { type: 'image/png', filename: 'telat.png' }), 409, 'already_graded', 'a graded version');
    assert.equal(await filesOf(v3.id), 0);
    const textOnly = cr.assignments[1];
    const t = await submitted(base, p2.token, cr.cohort.id, textOnly.id, { text: 'teks' });
    expectError(await upload(base, p2.token, t.id, pngFile(), { type: 'image/png', filename: 'a.png' }), 422, 'type_not_allowed', 'text-only assignment');
    assert.equal(await filesOf(t.id), 0);
    const none = await getFile(base, p2.token, t.id);
    assert.equal(none.status, 404, 'no file to download');
    assert.equal(JSON.parse(none.body.toString()).error.code, 'not_found');
  });

  test('SECURITY 7: another participant, another cohort\'s participant or instructor get 404 on the submission, its file and its upload; anonymous 401', async () => {
    const s = await submitted(base, p1.token, cr.cohort.id, A.id, { text: 'rahasia p1' });
    expectStatus(await upload(base, p1.token, s.id, pdfFile(4000, 31), { type: 'application/pdf', filename: 'p1.pdf' }), 200, 'owner uploads');
    const s2 = await submitted(base, p1.token, cr.cohort.id, cr.assignments[3].id, {});
    const unknownRead = await getSubmission(base, p2.token, 'nosuchsubmission');
    expectError(unknownRead, 404, 'not_found', 'unknown id');
    for (const [who, u] of [['another participant', p2], ['another cohort\'s participant', stranger], ['another cohort\'s instructor', otherInstr]]) {
      const r = await getSubmission(base, u.token, s.id);
      expectError(r, 404, 'not_found', `${who}: read`);
      assert.equal(r.text, unknownRead.text, `${who}: the same answer as an unknown id`);
      const f = await getFile(base, u.token, s.id);
      assert.equal(f.status, 404, `${who}: file`);
      assert.ok(!f.body.includes(Buffer.from('%PDF')), `${who}: no file bytes`);
      expectError(await upload(base, u.token, s2.id, pngFile(), { type: 'image/png', filename: 'bukan.png' }), 404, 'not_found', `${who}: upload`);
    }
    expectError(await upload(base, cr.instructor.token, s2.id, pngFile(), { type: 'image/png', filename: 'bukan.png' }), 404, 'not_found', 'even the cohort\'s instructor does not upload for a participant');
    expectError(await upload(base, admin.token, s2.id, pngFile(), { type: 'image/png', filename: 'bukan.png' }), 404, 'not_found', 'nor an admin');
    assert.equal(await filesOf(s2.id), 0, 'nothing uploaded by others');
    expectStatus(await getSubmission(base, undefined, s.id), 401, 'anonymous read');
    assert.equal((await getFile(base, undefined, s.id)).status, 401, 'anonymous file');
    expectStatus(await upload(base, undefined, s2.id, pngFile(), { type: 'image/png' }), 401, 'anonymous upload');
    // lists: a participant sees only their own; staff see every participant's latest
    const own = expectStatus(await listSubmissions(base, p2.token, cr.cohort.id, A.id), 200, 'p2 list');
    assert.ok(own.items.every((x) => x.user.id === p2.id), 'p2 sees only p2\'s work');
    const staff = expectStatus(await listSubmissions(base, cr.instructor.token, cr.cohort.id, A.id), 200, 'staff list');
    const users = staff.items.map((x) => x.user.id);
    assert.deepEqual([...new Set(users)].sort(), [p1.id, p2.id].sort(), 'staff see both participants');
    assert.equal(users.length, 2, 'one item per participant');
    assert.ok(staff.items.every((x) => x.latest), 'the latest version of each');
    for (const [who, u] of [['another cohort\'s participant', stranger], ['another cohort\'s instructor', otherInstr]]) {
      expectError(await listSubmissions(base, u.token, cr.cohort.id, A.id), 404, 'not_found', `${who}: list`);
    }
    // submitting is for the cohort's confirmed participants only
    const n0 = await count('submissions', `cohort_id = ${lit(cr.cohort.id)}`);
    for (const [who, u] of [['another cohort\'s participant', stranger], ['the cohort\'s instructor', cr.instructor], ['an admin', admin]]) {
      expectError(await submit(base, u.token, cr.cohort.id, A.id, { text: 'x' }), 404, 'not_found', `${who} submits`);
    }
    const waiting = await newParticipant(base);
    expectError(await submit(base, waiting.token, cr.cohort.id, A.id, { text: 'x' }), 404, 'not_found', 'a participant without a registration');
    assert.equal(await count('submissions', `cohort_id = ${lit(cr.cohort.id)}`), n0, 'nothing stored');
  });
});

// ----------------------------------------------------------------- size ----

describe('the size limit (SECURITY 1)', () => {
  test('10 MiB exactly is taken and comes back intact; one byte more is 413 with nothing stored; /healthz still answers', async () => {
    const fileOnly = cr.assignments[3];
    const big = pdfFile(LIMIT, 41);
    assert.equal(big.length, 10485760);
    const s = await submitted(base, p1.token, cr.cohort.id, fileOnly.id, {});
    const r = await upload(base, p1.token, s.id, big, { type: 'application/pdf', filename: 'besar.pdf' });
    const j = expectStatus(r, 200, '10 MiB');
    assert.equal(j.file.size, LIMIT);
    assert.equal(j.file.sha256, sha256hex(big));
    const f = await getFile(base, cr.instructor.token, s.id);
    assert.equal(f.status, 200);
    assert.equal(f.body.length, LIMIT);
    assert.ok(f.body.equals(big), 'the same 10 MiB back');
    assert.equal(f.headers.etag, `"${sha256hex(big)}"`);

    const s2 = await submitted(base, p1.token, cr.cohort.id, fileOnly.id, {});
    const over = await upload(base, p1.token, s2.id, pdfFile(LIMIT + 1, 42), { type: 'application/pdf', filename: 'kebesaran.pdf' });
    assert.equal(over.status, 413, `10 MiB + 1: ${show(over)}`);
    assert.equal(await filesOf(s2.id), 0, 'nothing stored');
    const h = await call(base, 'GET', '/healthz');
    assert.equal(h.status, 200, `healthz after: ${show(h)}`);
    expectStatus(await upload(base, p1.token, s2.id, pdfFile(1000, 43), { type: 'application/pdf', filename: 'kecil.pdf' }), 200, 'the same version then takes a small file');
  });

  test('the 413 for one byte over is the API\'s JSON error body_too_large, also for a chunked body; a chunked body of exactly 10 MiB is taken', async () => {
    const fileOnly = cr.assignments[3];
    const s = await submitted(base, p2.token, cr.cohort.id, fileOnly.id, {});
    const over = await upload(base, p2.token, s.id, pdfFile(LIMIT + 1, 44), { type: 'application/pdf', filename: 'kebesaran.pdf' });
    expectError(over, 413, 'body_too_large', '10 MiB + 1');
    assert.equal(over.headers['x-content-type-options'], 'nosniff', 'with the usual security headers');
    const chunkedOver = await uploadChunked(base, p2.token, s.id, pdfFile(LIMIT + 1, 45), { type: 'application/pdf', filename: 'potongan.pdf' });
    assert.equal(chunkedOver.status, 413, `chunked 10 MiB + 1: ${chunkedOver.status} ${chunkedOver.error} ${chunkedOver.text.slice(0, 200)}`);
    assert.equal(chunkedOver.json?.error?.code, 'body_too_large');
    assert.equal(await filesOf(s.id), 0, 'nothing stored');
    const exact = pdfFile(LIMIT, 46);
    const chunkedExact = await uploadChunked(base, p2.token, s.id, exact, { type: 'application/pdf', filename: 'pas.pdf', chunk: 1000000 });
    assert.equal(chunkedExact.status, 200, `chunked 10 MiB: ${chunkedExact.status} ${chunkedExact.error} ${chunkedExact.text.slice(0, 200)}`);
    assert.equal(chunkedExact.json.file.sha256, sha256hex(exact));
    const f = await getFile(base, p2.token, s.id);
    assert.ok(f.body.equals(exact), 'the chunked 10 MiB back intact');
    assert.equal((await call(base, 'GET', '/healthz')).status, 200);
  });
});

// ----------------------------------------------------------- concurrency ----

describe('20 concurrent uploads', () => {
  test('20 participants upload 1–2 MiB at once while /healthz is polled: every upload succeeds or is refused cleanly (and then taken), every file is stored intact, /healthz keeps answering', async () => {
    const c = await classroom(server, admin, { assignments: [{ title: 'Serentak', submission_types: ['file'] }], participants: 0, seats: 25 });
    const crowd = await makeParticipants(base, 20, { segment: 'public', full_name: 'Serentak' });
    for (const p of crowd) expectStatus(await register(base, p.token, c.cohort.id, 'public'), 201, 'register');
    const subs = [];
    for (const p of crowd) subs.push(await submitted(base, p.token, c.cohort.id, c.assignments[0].id, {}));
    const files = crowd.map((_, i) => (i % 2 ? pdfFile(MiB + i * 50000, 100 + i) : pngFile(2 * MiB - i * 30000, 100 + i)));

    // idle baseline
    const idle = [];
    for (let i = 0; i < 50; i++) idle.push((await timedRequest(`${base}/healthz`)).ms);

    const polls = [];
    let uploading = true;
    const poller = (async () => {
      while (uploading) {
        const r = await timedRequest(`${base}/healthz`, { timeoutMs: 10000 });
        polls.push(r);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const t0 = performance.now();
    const results = await Promise.all(crowd.map((p, i) => upload(base, p.token, subs[i].id, files[i], {
      type: i % 2 ? 'application/pdf' : 'image/png', filename: `serentak-${i}.${i % 2 ? 'pdf' : 'png'}`, timeoutMs: 120000,
    })));
    const wall = performance.now() - t0;
    uploading = false;
    await poller;

    // each answer is a success or a clean refusal: 503 with Retry-After when
    // the database pool's queue stays full too long (a busy machine); a
    // refused upload stored nothing and goes through when sent again
    const refused = [];
    for (let i = 0; i < 20; i++) {
      const r = results[i];
      if (r.status === 200) continue;
      assert.ok(r.status === 503 && r.headers['retry-after'], `upload ${i}: neither 200 nor a clean 503: ${show(r)} ${JSON.stringify(r.headers)}`);
      assert.match(r.json?.error?.code ?? '', /^db_/, `upload ${i}: a database code`);
      assert.equal(await filesOf(subs[i].id), 0, `upload ${i}: refused, nothing stored`);
      refused.push(`${i}:${r.status} ${r.json.error.code}`);
      let again;
      for (let attempt = 0; attempt < 5; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 1000 * Number(r.headers['retry-after'] ?? 1)));
        again = await upload(base, crowd[i].token, subs[i].id, files[i], { type: i % 2 ? 'application/pdf' : 'image/png', filename: `ulang-${i}`, timeoutMs: 120000 });
        if (again.status === 200) break;
      }
      expectStatus(again, 200, `upload ${i} sent again`);
    }
    if (refused.length) console.log(`refused cleanly and then taken: ${refused.join(', ')}`);
    for (let i = 0; i < 20; i++) {
      assert.equal(await sql(server, `select sha256 || '|' || encode(sha256(data), 'hex') from submission_files where submission_id = ${lit(subs[i].id)}`), `${sha256hex(files[i])}|${sha256hex(files[i])}`, `file ${i} intact`);
    }
    assert.ok(polls.length >= 5, `healthz was polled during the uploads (${polls.length} polls)`);
    const failed = polls.filter((r) => r.status !== 200);
    assert.deepEqual(failed.map((r) => `${r.status} ${r.error}`), [], 'every /healthz poll answered 200');
    const ms = polls.map((r) => r.ms);
    const p50 = quantile(ms, 0.5);
    const p99 = quantile(ms, 0.99);
    console.log(`20 concurrent uploads (${(files.reduce((n, f) => n + f.length, 0) / MiB).toFixed(1)} MiB) in ${wall.toFixed(0)} ms; /healthz during: n=${polls.length} p50=${p50.toFixed(1)} ms p99=${p99.toFixed(1)} ms max=${Math.max(...ms).toFixed(1)} ms; idle p50=${quantile(idle, 0.5).toFixed(1)} ms p99=${quantile(idle, 0.99).toFixed(1)} ms`);
    assert.ok(p99 < 2000, `/healthz p99 during the uploads stays under 2 s (a blocked loop would not): ${p99.toFixed(1)} ms`);
    const h = await call(base, 'GET', '/healthz');
    assert.equal(h.status, 200);
  });
});
