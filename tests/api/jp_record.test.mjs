// The ASN's yearly JP record and the achievement pages (issue 18): every
// achievement.id a credential names resolves to a public page (HTML, and
// JSON-LD for machines) citing the content version and content hash the
// cohort was taught — the same hash the credential cites and the programme
// publishes; a participant sees their JP by year; a yearly transcript is a
// credential listing the year's certificates and their JP that verifies
// with both outside verifiers (jose for the VC-JWT, @digitalbazaar/vc for
// the Data Integrity proof), has a PDF, and is re-issued only when the
// year's certificates change; admins export JP per participant per year by
// agency as CSV (read back here).
import { test, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { call, show, newAdmin, putProfile } from './lib/accounts.mjs';
import { register, nip } from './lib/cohorts.mjs';
import { expectStatus } from './lib/content.mjs';
import { startCertServer, certClass, completeLessons, issued, revoke, tokenOf, decodeJws, jwksOf, pdfOf } from './lib/certificates.mjs';
import { offlineLoader, verifyDi, whyNot } from './lib/di_verifier.mjs';

let server;
let base;
let pub;
let admin;
let classes; // two programmes, one cohort each
let asn; // a participant of both, with a NIP and an agency
let other; // a participant of the first only
let certs; // asn's two certificate ids
const year = Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Jakarta', year: 'numeric' }).format(new Date()));

const enc = encodeURIComponent;
const myJp = (p) => call(base, 'GET', '/api/v1/me/jp', { token: p.token });
const transcript = (p, y = year) => call(base, 'POST', `/api/v1/me/jp/${y}/transcript`, { token: p.token, json: {} });

// A CSV as the spreadsheet reads it: BOM, ';' between fields, CRLF rows,
// "" quoting. Rows of fields.
function parseCsv(text) {
  assert.ok(text.startsWith('\ufeff'), 'a byte-order mark');
  const rows = [];
  let row = [];
  let f = '';
  let q = false;
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { f += '"'; i++; } else if (c === '"') q = false; else f += c;
    } else if (c === '"') q = true;
    else if (c === ';') { row.push(f); f = ''; } else if (c === '\r' && text[i + 1] === '\n') { row.push(f); rows.push(row); row = []; f = ''; i++; } else f += c;
  }
  return rows;
}

before(async () => {
  server = await startCertServer();
  base = server.url;
  pub = server.publicUrl;
  admin = await newAdmin(server);
  classes = [
    await certClass(server, admin, { lessons: 1, assignments: [], participants: 2, names: ['Ayu Kartika', 'Joko Widodo'], rules: {} }),
    await certClass(server, admin, { lessons: 2, assignments: [], participants: 0, rules: {} }),
  ];
  [asn, other] = classes[0].people;
  expectStatus(await register(base, asn.token, classes[1].cohort.id, 'public'), 201, 'second registration');
  expectStatus(await putProfile(base, asn.token, { nip: nip(), agency: 'Dinas Komunikasi dan Informatika' }), 200, 'profile');
  for (const p of classes[0].people) await completeLessons(base, classes[0], p);
  await completeLessons(base, classes[1], asn);
  const one = await issued(base, admin, classes[0].cohort.id);
  const two = await issued(base, admin, classes[1].cohort.id);
  certs = [one.certificates.find((c) => c.user_id === asn.id).id, two.certificates[0].id];
});

describe('achievement pages', () => {
  test('every issued credential\'s achievement resolves, HTML and JSON-LD, with the hash the programme published', async () => {
    for (const [i, id] of certs.entries()) {
      const { payload } = decodeJws(await tokenOf(base, id));
      const a = payload.credentialSubject.achievement;
      const cited = a.otherIdentifier.find((o) => o.identifierType === 'ext:contentHash');
      assert.match(cited.identifier, /^sha256:[0-9a-f]{64}$/);
      const prog = expectStatus(await call(base, 'GET', `/api/v1/programmes/${enc(classes[i].slug)}`), 200, 'programme');
      const version = prog.versions.find((v) => String(v.version) === a.version);
      assert.ok(version, `the credential's version ${a.version} is published`);
      assert.equal(cited.identifier, `sha256:${version.content_hash}`, 'the credential cites the published hash');
      assert.ok(a.id.startsWith(`${pub}/achievements/`));
      const page = await call(base, 'GET', a.id.slice(pub.length), { headers: { accept: 'text/html' } });
      assert.equal(page.status, 200, show(page));
      assert.match(page.headers['content-type'], /^text\/html/);
      assert.ok(page.text.includes(version.content_hash), 'the page shows the hash');
      assert.ok(page.text.includes(classes[i].cohort.name), 'and the cohort taught');
      const ld = await call(base, 'GET', a.id.slice(pub.length), { headers: { accept: 'application/ld+json' } });
      assert.equal(ld.status, 200, show(ld));
      assert.equal(ld.json.id, a.id);
      assert.deepEqual(ld.json.type, ['Achievement']);
      assert.equal(ld.json.version, a.version);
      assert.deepEqual(ld.json.otherIdentifier, a.otherIdentifier);
      assert.equal(ld.json.name, a.name);
      const en = await call(base, 'GET', `${a.id.slice(pub.length)}?lang=en`);
      assert.match(en.text, /Content hash/);
    }
  });

  test('unknown achievements are 404', async () => {
    for (const p of ['/achievements/nope-v1', '/achievements/x', `/achievements/${classes[0].slug}-v99`, '/achievements/jp-record-1999']) {
      assert.equal((await call(base, 'GET', p)).status, 404, p);
    }
  });
});

describe('JP by year', () => {
  test('a participant sees the year\'s certificates and their JP', async () => {
    const r = expectStatus(await myJp(asn), 200, 'me/jp');
    assert.equal(r.target_jp, 20);
    assert.equal(r.years.length, 1);
    const y = r.years[0];
    assert.equal(y.year, year);
    assert.deepEqual(y.certificates.map((c) => c.id).sort(), [...certs].sort());
    assert.equal(y.jp, y.certificates.reduce((s, c) => s + c.jp, 0));
    assert.equal(y.jp, classes[0].cohort.jp + classes[1].cohort.jp);
    assert.equal(y.transcript, null);
    const o = expectStatus(await myJp(other), 200, 'me/jp of the other');
    assert.equal(o.years[0].certificates.length, 1, 'only one\'s own');
    assert.equal((await call(base, 'GET', '/api/v1/me/jp')).status, 401);
  });
});

describe('the yearly transcript', () => {
  let t;

  test('is issued once for the same certificates (201, then 200 with the same id)', async () => {
    const r = await transcript(asn);
    assert.equal(r.status, 201, show(r));
    t = r.json;
    assert.equal(t.year, year);
    assert.equal(t.jp, classes[0].cohort.jp + classes[1].cohort.jp);
    assert.equal(t.current, true);
    assert.deepEqual(t.items.map((i) => i.id).sort(), [...certs].sort());
    const again = await transcript(asn);
    assert.equal(again.status, 200, show(again));
    assert.equal(again.json.id, t.id);
    assert.equal((await myJp(asn)).json.years[0].transcript.id, t.id);
    assert.equal((await transcript(asn, year - 1)).status, 422, 'no certificates that year');
    assert.equal((await transcript(asn, 'abcd')).status, 422);
  });

  test('the VC-JWT verifies with jose; it lists the certificates and the total JP', async () => {
    const token = await tokenOf(base, t.id);
    const { payload } = await jose.jwtVerify(token, jose.createLocalJWKSet(await jwksOf(base)), { algorithms: ['EdDSA'] });
    assert.equal(payload.id, `${pub}/credentials/${t.id}`);
    assert.equal(payload.credentialSubject.creditsEarned, t.jp);
    assert.equal(payload.credentialSubject.activityStartDate, `${year}-01-01`);
    assert.deepEqual(payload.evidence.map((e) => e.id).sort(), certs.map((c) => `${pub}/credentials/${c}`).sort());
    for (const e of payload.evidence) assert.match(e.description, /^\d+ JP; /);
    const ach = await call(base, 'GET', payload.credentialSubject.achievement.id.slice(pub.length), { headers: { accept: 'application/ld+json' } });
    assert.equal(ach.status, 200, 'its achievement resolves too');
    assert.equal(ach.json.id, payload.credentialSubject.achievement.id);
  });

  test('the Data Integrity credential verifies with @digitalbazaar/vc offline', async () => {
    const r = await call(base, 'GET', `/credentials/${t.id}?format=vc`);
    assert.equal(r.status, 200, show(r));
    const result = await verifyDi(r.json, offlineLoader(pub));
    assert.equal(result.accepted, true, whyNot(result));
    const forged = structuredClone(r.json);
    forged.credentialSubject.creditsEarned += 10;
    assert.equal((await verifyDi(forged, offlineLoader(pub))).verified, false, 'more JP than signed');
  });

  test('its verify page and PDF answer like a certificate\'s', async () => {
    const page = await call(base, 'GET', `/credentials/${t.id}`, { headers: { accept: 'application/json' } });
    assert.equal(page.status, 200, show(page));
    assert.equal(page.json.status, 'valid');
    assert.equal(page.json.jp, t.jp);
    const pdf = await pdfOf(base, t.id);
    assert.equal(pdf.status, 200);
    assert.equal(pdf.body.subarray(0, 5).toString(), '%PDF-');
    // the PDF lists the year's certificates with their JP, and the total
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sinau-jp-')), 'rekap.pdf');
    fs.writeFileSync(f, pdf.body);
    const text = spawnSync('pdftotext', ['-layout', f, '-'], { encoding: 'utf8' }).stdout;
    fs.rmSync(path.dirname(f), { recursive: true, force: true });
    assert.match(text, /REKAP JAM PELAJARAN \(JP\)/);
    assert.match(text, new RegExp(`Tahun ${year}`));
    assert.match(text, /Ayu Kartika/);
    for (const it of t.items) {
      assert.ok(text.includes(`${it.programme} — ${it.cohort}`), `${it.programme} in ${text}`);
      // the whole ID in groups of five, as /verify finds it (issue 12)
      assert.ok(text.includes(`ID: ${it.id.match(/.{1,5}/g).join('-')}`), text);
    }
    assert.ok(text.includes(`ID: ${t.id.match(/.{1,5}/g).join('-')}`), `the transcript's own ID in ${text}`);
    assert.match(text, new RegExp(`Jumlah JP tahun ${year}\\s+${t.jp}\\b`));
  });

  test('a revoked certificate leaves the year\'s JP and makes a new transcript', async () => {
    expectStatus(await revoke(base, admin.token, certs[1], { reason: 'Salah angkatan' }), 200, 'revoke');
    const y = (await myJp(asn)).json.years[0];
    assert.equal(y.jp, classes[0].cohort.jp);
    assert.equal(y.transcript.current, false, 'the old transcript no longer lists the year');
    const r = await transcript(asn);
    assert.equal(r.status, 201, show(r));
    assert.notEqual(r.json.id, t.id);
    assert.deepEqual(r.json.items.map((i) => i.id), [certs[0]]);
    assert.equal(r.json.jp, classes[0].cohort.jp);
  });
});

describe('the BKN export', () => {
  test('admins get JP per participant per year by agency as CSV, read back', async () => {
    const r = await call(base, 'GET', `/api/v1/reports/jp?year=${year}&format=csv`, { token: admin.token });
    assert.equal(r.status, 200, show(r));
    assert.match(r.headers['content-type'], /^text\/csv/);
    assert.match(r.headers['content-disposition'], new RegExp(`jp-${year}\\.csv`));
    const rows = parseCsv(r.text);
    assert.deepEqual(rows[0], ['tahun', 'instansi (OPD)', 'nama', 'NIP', 'jumlah sertifikat', 'JP', 'pelatihan']);
    const byName = Object.fromEntries(rows.slice(1).map((row) => [row[2], row]));
    const a = byName['Ayu Kartika'];
    assert.ok(a, JSON.stringify(rows));
    assert.equal(a[0], String(year));
    assert.equal(a[1], 'Dinas Komunikasi dan Informatika');
    assert.match(a[3], /^\d{4}\*+\d{4}$/, 'the NIP masked');
    assert.equal(a[4], '1', 'the revoked certificate does not count');
    assert.equal(a[5], String(classes[0].cohort.jp));
    const j = byName['Joko Widodo'];
    assert.equal(j[1], '', 'no agency');
    assert.equal(j[5], String(classes[0].cohort.jp));
    assert.equal(rows.length, 3, 'one row per participant, transcripts not counted');
    const json = expectStatus(await call(base, 'GET', `/api/v1/reports/jp?year=${year}`, { token: admin.token }), 200, 'json');
    assert.equal(json.items.length, 2);
    assert.equal((await call(base, 'GET', `/api/v1/reports/jp?year=${year}`, { token: asn.token })).status, 403);
    assert.equal((await call(base, 'GET', '/api/v1/reports/jp?year=20x6', { token: admin.token })).status, 422);
  });
});
