// The printable certificate (issue 7; CERTIFICATES.md "What people see"):
// GET /credentials/{id}.pdf is a one-page A4 landscape PDF whose QR code,
// rendered to PNG by poppler (pdftoppm -r 150) and read back by zbar
// (zbarimg --raw), holds exactly the credential URL; its text (pdftotext)
// has the holder's name, the programme, the cohort and the JP, and no
// e-mail, NIK or NIP; the same certificate always gives the same bytes.
import { test, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { newAdmin } from './lib/accounts.mjs';
import { sha256hex } from './lib/assignments.mjs';
import { startCertServer, certClass, completeLessons, issued, pdfOf, withIdentityNumbers, tempDir, leaks } from './lib/certificates.mjs';

const execFileP = promisify(execFile);
// the second is long enough to be shrunk or split over two lines
const NAMES = ['Putu Ayu Maharani', 'Muhammad Rizky Ramadhan Saputra Wijayakusuma Hadiningrat'];

let server;
let base;
let pub;
let admin;
let cr;
let people;
let numbers;
let certs; // [{id, user}]
let dir;

before(async () => {
  server = await startCertServer();
  base = server.url;
  pub = server.publicUrl;
  admin = await newAdmin(server);
  cr = await certClass(server, admin, {
    lessons: 1, assignments: [], participants: 2, rules: {},
    names: NAMES,
  });
  people = cr.people;
  numbers = [];
  for (const p of people) {
    numbers.push(await withIdentityNumbers(base, p));
    await completeLessons(base, cr, p);
  }
  const r = await issued(base, admin, cr.cohort.id);
  assert.equal(r.issued, 2, JSON.stringify(r));
  certs = people.map((p, i) => ({ id: r.certificates.find((c) => c.user_id === p.id).id, user: p, name: NAMES[i] }));
  dir = tempDir('pdf');
});

async function pdfFile(id, name = id) {
  const r = await pdfOf(base, id);
  assert.equal(r.status, 200, `GET /credentials/${id}.pdf: ${r.status} ${r.error ?? ''} ${r.body.subarray(0, 200)}`);
  const file = path.join(dir, `${name}.pdf`);
  fs.writeFileSync(file, r.body);
  return { file, r };
}

describe('the certificate PDF', () => {
  test('a one-page A4 landscape PDF (841.89 x 595.28 pt)', async () => {
    const { file, r } = await pdfFile(certs[0].id);
    assert.match(r.headers['content-type'], /^application\/pdf/);
    assert.equal(r.body.subarray(0, 5).toString('latin1'), '%PDF-');
    const { stdout } = await execFileP('pdfinfo', [file]);
    assert.match(stdout, /^Pages:\s+1$/m, stdout);
    const m = /^Page size:\s+([\d.]+) x ([\d.]+) pts/m.exec(stdout);
    assert.ok(m, stdout);
    assert.ok(Math.abs(Number(m[1]) - 841.89) < 1 && Math.abs(Number(m[2]) - 595.28) < 1, `A4 landscape: ${m[0]}`);
  });

  test('its QR code, rendered at 150 dpi and decoded by zbarimg, is exactly the credential URL', async () => {
    for (const c of certs) {
      const { file } = await pdfFile(c.id, `qr-${c.id}`);
      const prefix = path.join(dir, `qr-${c.id}`);
      await execFileP('pdftoppm', ['-r', '150', '-png', '-singlefile', file, prefix]);
      const { stdout } = await execFileP('zbarimg', ['--raw', '-q', `${prefix}.png`]);
      assert.equal(stdout.replace(/\n$/, ''), `${pub}/credentials/${c.id}`, 'one code, the URL exactly');
    }
  });

  test('its text has the holder, programme, cohort and JP, and no e-mail, NIK or NIP', async () => {
    for (const [i, c] of certs.entries()) {
      const { file } = await pdfFile(c.id, `text-${c.id}`);
      const { stdout } = await execFileP('pdftotext', ['-layout', file, '-']);
      const flat = stdout.replace(/\s+/g, ' ');
      for (const word of c.name.split(' ')) assert.ok(flat.includes(word), `holder name part ${word} in: ${flat.slice(0, 600)}`);
      assert.ok(flat.includes(cr.programme.title), `programme ${cr.programme.title}`);
      assert.ok(flat.includes(cr.cohort.name), `cohort ${cr.cohort.name}`);
      assert.match(flat, new RegExp(`\\b${cr.cohort.jp} JP\\b`), 'JP');
      assert.deepEqual(leaks(flat, [c.user.email, c.user.email.split('@')[0], numbers[i].nik, numbers[i].nip]), [], 'no personal data');
      const raw = fs.readFileSync(file, 'latin1');
      assert.deepEqual(leaks(raw, [c.user.email, numbers[i].nik, numbers[i].nip]), [], 'not in the PDF bytes either');
    }
  });

  test('the same certificate gives the same bytes, one after another and ten at once; two certificates differ', async () => {
    const first = await pdfOf(base, certs[0].id);
    const second = await pdfOf(base, certs[0].id);
    assert.equal(first.status, 200);
    assert.equal(sha256hex(second.body), sha256hex(first.body));
    const many = await Promise.all(Array.from({ length: 10 }, () => pdfOf(base, certs[0].id)));
    for (const r of many) {
      assert.equal(r.status, 200);
      assert.equal(sha256hex(r.body), sha256hex(first.body));
    }
    const other = await pdfOf(base, certs[1].id);
    assert.notEqual(sha256hex(other.body), sha256hex(first.body));
  });

  test('an unknown id has no PDF (404)', async () => {
    const r = await pdfOf(base, 'zzzzzzzzzzzzzzzzzzzzzzzzzz');
    assert.equal(r.status, 404);
  });
});
