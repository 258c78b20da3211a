// Certificate PDFs signed by the office (issue 18): with SINAU_PDF_SIGN_P12
// and SINAU_PDF_SIGN_PASSWORD_FILE every certificate PDF carries a PAdES
// B-B signature (CMS detached over the byte ranges, ETSI.CAdES.detached,
// the signer's certificate and its chain) and a visible widget naming the
// signer. The test makes its own certificate authority with the `openssl`
// command; poppler's `pdfsig` (an independent PDF signature checker) must
// call the signature valid, name the configured signer and see the whole
// document signed; one changed byte makes it invalid; every fetch returns
// the same bytes (signed once and stored). Without the configuration the
// PDF is unsigned and the admin API says so. With SINAU_TSA_URL the
// signature carries an RFC 3161 timestamp from that authority (here an
// `openssl ts -reply` behind a loopback HTTP server the test runs); an
// authority that does not answer gets a 503 and nothing stored.
import { test, before, after, describe } from 'node:test';
import http from 'node:http';
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

// A timestamp authority: its own certificate (critical extended key usage
// timeStamping) from the root, and an openssl ts configuration.
function makeTsa() {
  fs.writeFileSync(file('tsa.ext'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('tsa.key'), '-out', file('tsa.csr'), '-subj', '/C=ID/O=Uji BSrE Sinau/CN=Uji TSA');
  openssl('x509', '-req', '-in', file('tsa.csr'), '-CA', file('root.crt'), '-CAkey', file('root.key'), '-CAcreateserial', '-out', file('tsa.crt'), '-days', '365', '-extfile', file('tsa.ext'));
  fs.writeFileSync(file('tsaserial'), '01\n');
  fs.writeFileSync(file('tsa.cnf'), [
    '[ tsa ]', 'default_tsa = tsa1', '[ tsa1 ]', `serial = ${file('tsaserial')}`, 'crypto_device = builtin',
    `signer_cert = ${file('tsa.crt')}`, `certs = ${file('root.crt')}`, `signer_key = ${file('tsa.key')}`,
    'signer_digest = sha256', 'default_policy = 1.2.3.4.1', 'digests = sha256, sha384, sha512',
    'accuracy = secs:1', 'ordering = yes', 'tsa_name = no', 'ess_cert_id_chain = no', 'ess_cert_id_alg = sha256', '',
  ].join('\n'));
}

// Serves RFC 3161 over HTTP on loopback: each POSTed query answered by
// `openssl ts -reply`. Resolves to {url, count(), close()}.
function startTsa() {
  let n = 0;
  const srv = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      n += 1;
      const q = file(`q${n}.tsq`);
      const a = file(`a${n}.tsr`);
      fs.writeFileSync(q, Buffer.concat(chunks));
      const r = spawnSync('openssl', ['ts', '-reply', '-config', file('tsa.cnf'), '-queryfile', q, '-out', a]);
      if (r.status !== 0 || req.headers['content-type'] !== 'application/timestamp-query') {
        res.writeHead(400).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(fs.readFileSync(a));
    });
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${srv.address().port}/tsa`, count: () => n, close: () => srv.close(),
  })));
}

// The CMS of a signed PDF's /Contents (zero-padded: cut at the DER
// SEQUENCE's own length), written to a file.
function cmsFile(pdf, name) {
  const der = Buffer.from(/\/Contents <([0-9A-F]+)>/.exec(pdf.toString('latin1'))[1], 'hex');
  assert.equal(der[0], 0x30, 'a DER SEQUENCE');
  const n = der[1] & 0x7f;
  const len = der[1] < 0x80 ? 2 + der[1] : 2 + n + der.subarray(2, 2 + n).reduce((a, b) => a * 256 + b, 0);
  fs.writeFileSync(file(name), der.subarray(0, len));
  return file(name);
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
let stamped; // one with a timestamp authority too
let tsa;
let deadTsa; // one whose authority does not answer
const ids = {};
const signerEnv = () => ({ SINAU_PDF_SIGN_P12: file('signer.p12'), SINAU_PDF_SIGN_PASSWORD_FILE: file('password') });

before(async () => {
  makeCa();
  makeTsa();
  tsa = await startTsa();
  signed = await startCertServer({ env: signerEnv() });
  plain = await startCertServer();
  stamped = await startCertServer({ env: { ...signerEnv(), SINAU_TSA_URL: tsa.url } });
  deadTsa = await startCertServer({ env: { ...signerEnv(), SINAU_TSA_URL: 'http://127.0.0.1:9/tsa' } });
  for (const [name, server] of Object.entries({ signed, plain, stamped, deadTsa })) {
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
    const body = (await pdfOf(signed.url, ids.signed.id)).body;
    const pdf = body.toString('latin1');
    const certs = openssl('pkcs7', '-inform', 'DER', '-in', cmsFile(body, 'sig.der'), '-print_certs', '-noout').toString();
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

describe('with a timestamp authority', () => {
  after(() => tsa.close());

  test('the signature carries an RFC 3161 token from the authority; pdfsig still calls it valid', async () => {
    const before_ = tsa.count();
    const r = await pdfOf(stamped.url, ids.stamped.id);
    assert.equal(r.status, 200);
    assert.equal(tsa.count(), before_ + 1, 'one timestamp request');
    const s = pdfsig(r.body, 'stamped.pdf');
    assert.equal(s.valid, true, s.text);
    assert.equal(s.signer, SIGNER, s.text);
    const printed = openssl('cms', '-cmsout', '-print', '-inform', 'DER', '-in', cmsFile(r.body, 'stamped.der')).toString();
    assert.match(printed, /unsignedAttrs:[\s\S]*id-smime-aa-timeStampToken/, 'the token is an unsigned attribute');
    assert.ok(printed.includes('Uji TSA'), 'signed by the authority');
    const again = await pdfOf(stamped.url, ids.stamped.id);
    assert.ok(again.body.equals(r.body), 'stored: the same bytes, no second stamp');
    assert.equal(tsa.count(), before_ + 1);
    const admin = expectStatus(await call(stamped.url, 'GET', '/api/v1/certificates/pdf-signing', { token: ids.stamped.admin.token }), 200, 'pdf-signing');
    assert.equal(admin.timestamp_authority, tsa.url);
  });

  test('an authority that does not answer: 503 with Retry-After, nothing stored', async () => {
    const r = await call(deadTsa.url, 'GET', `/credentials/${ids.deadTsa.id}.pdf`, { timeoutMs: 60000 });
    assert.equal(r.status, 503, show(r));
    assert.equal(r.json.error.code, 'pdf_signing_failed');
    assert.ok(r.headers['retry-after']);
    const again = await call(deadTsa.url, 'GET', `/credentials/${ids.deadTsa.id}.pdf`, { timeoutMs: 60000 });
    assert.equal(again.status, 503, 'still not signed, never served unsigned');
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
