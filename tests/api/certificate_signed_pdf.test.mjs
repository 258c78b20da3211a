// Certificate PDFs signed by the office (issue 18): with SINAU_PDF_SIGN_P12
// and SINAU_PDF_SIGN_PASSWORD_FILE every certificate PDF carries a PAdES
// B-B signature (CMS detached over the byte ranges, ETSI.CAdES.detached,
// the signer's certificate and its chain) and a visible widget naming the
// signer. The test makes its own certificate authority with the `openssl`
// command; poppler's `pdfsig` (an independent PDF signature checker) must
// call the signature valid, name the configured signer and see the whole
// document signed; one changed byte makes it invalid; every fetch returns
// the same bytes (signed once and stored). Without the configuration the
// PDF is unsigned and the admin API says so.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { call, show, newAdmin } from './lib/accounts.mjs';
import { startCertServer, certClass, completeLessons, issued, pdfOf, tempDir } from './lib/certificates.mjs';
import { expectStatus } from './lib/content.mjs';

const SIGNER = 'Dr. Ir. Siti Aminah, M.Kom';
const dir = tempDir('pdfsign');
const file = (n) => path.join(dir, n);
const openssl = (...args) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });

// A root CA, an intermediate CA, and the signer's certificate (key usage
// for signing documents), packed with the chain into a PKCS#12.
function makeCa() {
  fs.writeFileSync(file('ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n');
  fs.writeFileSync(file('signer.ext'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=emailProtection\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('root.key'), '-out', file('root.crt'), '-days', '3650', '-subj', '/C=ID/O=Uji BSrE Sinau/CN=Uji Root CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('inter.key'), '-out', file('inter.csr'), '-subj', '/C=ID/O=Uji BSrE Sinau/CN=Uji Intermediate CA');
  openssl('x509', '-req', '-in', file('inter.csr'), '-CA', file('root.crt'), '-CAkey', file('root.key'), '-CAcreateserial', '-out', file('inter.crt'), '-days', '3650', '-extfile', file('ca.ext'));
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('signer.key'), '-out', file('signer.csr'), '-subj', `/C=ID/O=Pemerintah Kota Malang/CN=${SIGNER}`);
  openssl('x509', '-req', '-in', file('signer.csr'), '-CA', file('inter.crt'), '-CAkey', file('inter.key'), '-CAcreateserial', '-out', file('signer.crt'), '-days', '365', '-extfile', file('signer.ext'));
  fs.writeFileSync(file('chain.pem'), fs.readFileSync(file('inter.crt')) + fs.readFileSync(file('root.crt')));
  fs.writeFileSync(file('password'), 'rahasia-kantor\n');
  openssl('pkcs12', '-export', '-inkey', file('signer.key'), '-in', file('signer.crt'), '-certfile', file('chain.pem'), '-out', file('signer.p12'), '-passout', 'pass:rahasia-kantor');
}

// pdfsig's report of a PDF: {text, valid, signer, type, total}.
function pdfsig(bytes, name) {
  const f = file(name);
  fs.writeFileSync(f, bytes);
  const r = spawnSync('pdfsig', [f], { encoding: 'utf8' });
  const text = `${r.stdout}${r.stderr}`;
  return {
    text,
    valid: /Signature Validation: Signature is Valid\./.test(text),
    signer: /Signer Certificate Common Name: (.*)/.exec(text)?.[1]?.trim(),
    type: /Signature Type: (.*)/.exec(text)?.[1]?.trim(),
    total: /Total document signed/.test(text) && !/Not total document signed/.test(text),
    count: (text.match(/^Signature #\d+:/gm) ?? []).length,
  };
}

let signed; // a server with the signer configured
let plain; // one without
const ids = {};

before(async () => {
  makeCa();
  signed = await startCertServer({ env: { SINAU_PDF_SIGN_P12: file('signer.p12'), SINAU_PDF_SIGN_PASSWORD_FILE: file('password') } });
  plain = await startCertServer();
  for (const [name, server] of Object.entries({ signed, plain })) {
    const admin = await newAdmin(server);
    const cr = await certClass(server, admin, { lessons: 1, assignments: [], participants: 1, names: ['Rina Wulandari'], rules: {} });
    for (const p of cr.people) await completeLessons(server.url, cr, p);
    const r = await issued(server.url, admin, cr.cohort.id);
    ids[name] = { id: r.certificates[0].id, admin };
  }
});

describe('with a configured signing certificate', () => {
  test('pdfsig: one PAdES signature, valid, by the configured signer, over the whole document', async () => {
    const r = await pdfOf(signed.url, ids.signed.id);
    assert.equal(r.status, 200);
    const s = pdfsig(r.body, 'signed.pdf');
    assert.equal(s.count, 1, s.text);
    assert.equal(s.valid, true, s.text);
    assert.equal(s.signer, SIGNER, s.text);
    assert.equal(s.type, 'ETSI.CAdES.detached', s.text);
    assert.equal(s.total, true, s.text);
  });

  test('the signature carries the chain, and is visible on the page as a widget naming the signer', async () => {
    const pdf = (await pdfOf(signed.url, ids.signed.id)).body.toString('latin1');
    const contents = /\/Contents <([0-9A-F]+)>/.exec(pdf)[1].replace(/(00)+$/, '');
    fs.writeFileSync(file('sig.der'), Buffer.from(contents.length % 2 ? `${contents}0` : contents, 'hex'));
    const certs = openssl('pkcs7', '-inform', 'DER', '-in', file('sig.der'), '-print_certs', '-noout').toString();
    const subjects = [...certs.matchAll(/^subject=.*CN = "?([^"\n]*)"?$/gm)].map((m) => m[1]).sort();
    assert.deepEqual(subjects, [SIGNER, 'Uji Intermediate CA', 'Uji Root CA'].sort(), certs);
    const widget = /\/Subtype \/Widget \/FT \/Sig[^\n]*\/Rect \[([\d. ]+)\]/.exec(pdf);
    assert.ok(widget, 'a signature widget');
    const [x1, y1, x2, y2] = widget[1].trim().split(/\s+/).map(Number);
    assert.ok(x2 - x1 > 100 && y2 - y1 > 20 && x1 >= 0 && x2 <= 841.89 && y1 >= 0 && y2 <= 595.28, `a visible rectangle on the page: ${widget[1]}`);
    assert.ok(pdf.includes(`(${SIGNER})`), 'the appearance names the signer');
    assert.ok(pdf.includes('(Ditandatangani secara elektronik oleh:)'));
  });

  test('every fetch returns the same bytes (signed once, stored)', async () => {
    const a = await pdfOf(signed.url, ids.signed.id);
    const b = await pdfOf(signed.url, ids.signed.id);
    assert.ok(a.body.equals(b.body), 'the same bytes');
    const en1 = await call(signed.url, 'GET', `/credentials/${ids.signed.id}.pdf?lang=en`);
    assert.equal(en1.status, 200);
  });

  test('one changed byte makes pdfsig call it invalid', async () => {
    const good = (await pdfOf(signed.url, ids.signed.id)).body;
    const at = good.indexOf('/Creator (');
    assert.ok(at > 0);
    const bad = Buffer.from(good);
    bad[at + 11] ^= 0x01;
    const s = pdfsig(bad, 'tampered.pdf');
    assert.equal(s.count, 1, s.text);
    assert.equal(s.valid, false, s.text);
    const sigAt = good.indexOf('/Type /Sig');
    const later = Buffer.from(good);
    later[sigAt - 20] ^= 0x01; // in the update, before the signature dictionary
    assert.equal(pdfsig(later, 'tampered2.pdf').valid, false);
  });

  test('the admin API names the signer', async () => {
    const r = expectStatus(await call(signed.url, 'GET', '/api/v1/certificates/pdf-signing', { token: ids.signed.admin.token }), 200, 'pdf-signing');
    assert.deepEqual(r, { signed: true, signer: SIGNER, issuer: 'Uji Intermediate CA', not_after: r.not_after, timestamp_authority: null });
    assert.match(r.not_after, /^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('without one', () => {
  test('the PDF has no signature and the admin API says it is unsigned', async () => {
    const r = await pdfOf(plain.url, ids.plain.id);
    assert.equal(r.status, 200);
    assert.equal(pdfsig(r.body, 'plain.pdf').count, 0);
    const a = expectStatus(await call(plain.url, 'GET', '/api/v1/certificates/pdf-signing', { token: ids.plain.admin.token }), 200, 'pdf-signing');
    assert.equal(a.signed, false);
  });

  test('a signer that does not open stops the server with a clear line', async () => {
    fs.writeFileSync(file('wrong'), 'salah\n');
    await assert.rejects(startCertServer({ env: { SINAU_PDF_SIGN_P12: file('signer.p12'), SINAU_PDF_SIGN_PASSWORD_FILE: file('wrong') } }));
  });
});
