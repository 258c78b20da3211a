// Certificates with a Data Integrity proof (issue 18): the same Open Badges
// 3.0 credential as the VC-JWT, signed with eddsa-rdfc-2022 by the same
// Ed25519 key, verified here by independent libraries from npm
// (lib/di_verifier.mjs: @digitalbazaar/vc with the eddsa-rdfc-2022
// cryptosuite and the Bitstring Status List checker) offline, with only
// bundled contexts and the server's own URLs. A byte changed anywhere fails;
// the status list is itself a verified Data Integrity credential; a revoked
// certificate fails the status check. The VC-JWT stays as it was.
import { test, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { call, show, newAdmin, sql, lit } from './lib/accounts.mjs';
import { startCertServer, certClass, completeLessons, issued, revoke, tokenOf, decodeJws, jwksOf, thumbprint, sinauVerify, tempDir, verifyApi, okByName } from './lib/certificates.mjs';
import { offlineLoader, verifyDi, suite, whyNot } from './lib/di_verifier.mjs';
import * as vc from '@digitalbazaar/vc';
import { expectStatus } from './lib/content.mjs';

let server;
let base;
let pub;
let admin;
let cr;
let ids;
let creds; // the Data Integrity credentials, parsed, in ids' order

async function diOf(id, how = { query: '?format=vc' }) {
  const r = await call(base, 'GET', `/credentials/${id}${how.query ?? ''}`, { headers: how.accept ? { accept: how.accept } : {} });
  assert.equal(r.status, 200, `GET /credentials/${id} as vc: ${show(r)}`);
  assert.match(r.headers['content-type'], /^application\/vc\+ld\+json/);
  return { text: r.text, json: JSON.parse(r.text) };
}

before(async () => {
  server = await startCertServer();
  base = server.url;
  pub = server.publicUrl;
  admin = await newAdmin(server);
  cr = await certClass(server, admin, { lessons: 1, assignments: [], participants: 2, names: ['Dewi "Dee" Lestari', 'Bima Saputra'], rules: {} });
  for (const p of cr.people) await completeLessons(base, cr, p);
  const r = await issued(base, admin, cr.cohort.id);
  assert.equal(r.issued, 2, JSON.stringify(r));
  ids = cr.people.map((p) => r.certificates.find((c) => c.user_id === p.id).id);
  creds = [];
  for (const id of ids) creds.push((await diOf(id)).json);
});

describe('the Data Integrity credential', () => {
  test('is served with Accept: application/vc+ld+json and ?format=vc, the same bytes, as a download too', async () => {
    const a = await diOf(ids[0], { accept: 'application/vc+ld+json' });
    const b = await diOf(ids[0]);
    assert.equal(a.text, b.text);
    const d = await call(base, 'GET', `/credentials/${ids[0]}?format=vc&download=1`);
    assert.match(d.headers['content-disposition'] ?? '', /^attachment; filename="sertifikat-/);
    assert.equal(d.text, a.text);
  });

  test('is the VC-JWT\'s credential, less the JWT claims, with one eddsa-rdfc-2022 proof by the same key', async () => {
    const { payload, header } = decodeJws(await tokenOf(base, ids[0]));
    const { proof, ...rest } = creds[0];
    const { iss, jti, sub, nbf, iat, ...credential } = payload;
    assert.deepEqual(rest, credential);
    assert.equal(proof.type, 'DataIntegrityProof');
    assert.equal(proof.cryptosuite, 'eddsa-rdfc-2022');
    assert.equal(proof.proofPurpose, 'assertionMethod');
    assert.equal(proof.created, creds[0].validFrom);
    assert.equal(proof.verificationMethod, `${header.kid}/multikey`, 'the VC-JWT\'s kid, as a Multikey');
    assert.match(proof.proofValue, /^z[1-9A-HJ-NP-Za-km-z]+$/);
  });

  test('the verification method resolves to a Multikey of the JWKS key, controlled by the issuer, which lists it', async () => {
    const vm = creds[0].proof.verificationMethod;
    const r = await call(base, 'GET', vm.slice(pub.length));
    assert.equal(r.status, 200, show(r));
    const doc = r.json;
    assert.deepEqual(Object.keys(doc).sort(), ['@context', 'controller', 'id', 'publicKeyMultibase', 'type']);
    assert.equal(doc.id, vm);
    assert.equal(doc.type, 'Multikey');
    assert.equal(doc.controller, `${pub}/issuer`);
    // z + base58btc(0xed 0x01 ‖ key) — decoded here by hand, compared with the JWK
    const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
    let n = 0n;
    for (const c of doc.publicKeyMultibase.slice(1)) n = n * 58n + BigInt(alphabet.indexOf(c));
    const bytes = Buffer.from(n.toString(16).padStart(68, '0'), 'hex');
    assert.deepEqual([...bytes.subarray(0, 2)], [0xed, 0x01]);
    const jwks = await jwksOf(base);
    const t = vm.split('/').at(-2);
    const jwk = jwks.keys.find((k) => k.kid === `${pub}/keys/${t}`);
    assert.equal(Buffer.from(jwk.x, 'base64url').toString('hex'), bytes.subarray(2).toString('hex'));
    assert.equal(thumbprint(jwk.x), t);
    const issuer = (await call(base, 'GET', '/issuer')).json;
    assert.ok(issuer.assertionMethod.includes(vm), JSON.stringify(issuer));
    assert.equal(issuer.id, creds[0].issuer.id);
  });

  test('verifies with @digitalbazaar/vc offline (bundled contexts and the server\'s URLs only), status included', async () => {
    for (const c of creds) {
      const fetched = [];
      const result = await verifyDi(c, offlineLoader(pub, { fetched }));
      assert.equal(result.verified, true, whyNot(result));
      assert.equal(result.statusResult?.verified, true, whyNot(result));
      assert.equal(result.revoked, false, 'not revoked');
      assert.equal(result.accepted, true);
      const remote = fetched.filter((u) => u.startsWith('http://'));
      assert.ok(remote.every((u) => u.startsWith(`${pub}/`)), remote.join(' '));
      assert.ok(remote.includes(`${pub}/status/1`), 'the status list was fetched');
    }
  });

  test('a byte changed anywhere (a literal, an IRI, a date, the proof) fails', async () => {
    const c = creds[1];
    const changes = [
      (x) => { x.credentialSubject.identifier[0].identityHash = x.credentialSubject.identifier[0].identityHash.replace('B', 'C'); },
      (x) => { x.credentialSubject.achievement.criteria.narrative += '.'; },
      (x) => { x.name = x.name.replace('S', 'Z'); },
      (x) => { x.validFrom = x.validFrom.replace(/:(\d)(\d)Z$/, (m, a, b) => `:${a}${(Number(b) + 1) % 10}Z`); },
      (x) => { x.credentialSubject.id = x.credentialSubject.id.replace(/.$/, (ch) => (ch === 'a' ? 'b' : 'a')); },
      (x) => { x.credentialSubject.achievement.otherIdentifier[0].identifier = x.credentialSubject.achievement.otherIdentifier[0].identifier.replace(/.$/, (ch) => (ch === '0' ? '1' : '0')); },
      (x) => { x.credentialStatus.statusListIndex = String(Number(x.credentialStatus.statusListIndex) ^ 1); x.credentialStatus.id = `${pub}/status/1#${x.credentialStatus.statusListIndex}`; },
      (x) => { x.proof.created = x.proof.created.replace(/^(\d{4})/, (y) => String(Number(y) - 1)); },
      (x) => { const v = x.proof.proofValue; x.proof.proofValue = v.slice(0, 20) + (v[20] === 'A' ? 'B' : 'A') + v.slice(21); },
    ];
    for (const [i, change] of changes.entries()) {
      const x = structuredClone(c);
      change(x);
      assert.notDeepEqual(x, c);
      const result = await verifyDi(x, offlineLoader(pub));
      assert.equal(result.verified, false, `change ${i} verified`);
      assert.equal(result.accepted, false, `change ${i} was accepted`);
    }
    const ok = await verifyDi(structuredClone(c), offlineLoader(pub));
    assert.equal(ok.accepted, true, whyNot(ok));
  });
});

describe('the verify page checks both stored forms', () => {
  test('valid: a data_integrity check among the checks; a stored Data Integrity form that says otherwise makes it invalid', async () => {
    const r = await call(base, 'GET', `/credentials/${ids[1]}`, { headers: { accept: 'application/json' } });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.json.status, 'valid');
    const di = r.json.checks.find((c) => c.name === 'data_integrity');
    assert.equal(di?.ok, true, JSON.stringify(r.json.checks));
    // a copy of the second certificate whose Data Integrity form names another holder
    const forged = structuredClone(creds[1]);
    forged.credentialSubject.identifier[0].identityHash = 'Orang Lain';
    const saved = await sql(server, `select credential_di from certificates where id = ${lit(ids[1])}`);
    await sql(server, `update certificates set credential_di = ${lit(JSON.stringify(forged))} where id = ${lit(ids[1])}`);
    try {
      const bad = await call(base, 'GET', `/credentials/${ids[1]}`, { headers: { accept: 'application/json' } });
      assert.equal(bad.json.status, 'invalid', JSON.stringify(bad.json));
      assert.equal(bad.json.checks.find((c) => c.name === 'data_integrity').ok, false);
    } finally {
      await sql(server, `update certificates set credential_di = ${lit(saved)} where id = ${lit(ids[1])}`);
    }
    const again = await call(base, 'GET', `/credentials/${ids[1]}`, { headers: { accept: 'application/json' } });
    assert.equal(again.json.status, 'valid');
  });
});

describe('sinau verify and POST /api/v1/verify read both formats', () => {
  test('the Data Integrity credential: VALID offline, with the JSON or the JWT status list', async () => {
    const dir = tempDir('di');
    const jwks = await jwksOf(base);
    const diList = (await call(base, 'GET', '/status/1?format=vc')).text;
    const jwtList = (await call(base, 'GET', '/status/1')).text;
    for (const status of [undefined, diList, jwtList]) {
      const r = await sinauVerify(dir, JSON.stringify(creds[1]), jwks, { status });
      assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
      assert.equal(r.verdict, 'VALID');
      assert.deepEqual(r.checks.map((c) => c.name), ['format', 'proof', 'key', 'signature', 'claims', ...(status ? ['status_signature'] : []), 'status']);
    }
    const api = await verifyApi(base, JSON.stringify(creds[1]), { 'content-type': 'application/json' });
    assert.equal(api.status, 200, show(api));
    assert.equal(api.json.valid, true, JSON.stringify(api.json));
    assert.equal(api.json.status, 'valid');
  });

  test('a changed byte fails the signature; another origin\'s key or a shape it does not know is refused clearly', async () => {
    const dir = tempDir('di');
    const jwks = await jwksOf(base);
    const x = structuredClone(creds[1]);
    x.credentialSubject.achievement.name += ' ';
    let r = await sinauVerify(dir, JSON.stringify(x), jwks);
    assert.equal(r.verdict, 'INVALID');
    assert.equal(okByName(r.checks).signature, false, r.stdout);
    const y = structuredClone(creds[1]);
    y.credentialSubject.nickname = 'Dee';
    r = await sinauVerify(dir, JSON.stringify(y), jwks);
    assert.equal(r.verdict, 'INVALID');
    assert.match(r.checks.find((c) => c.name === 'signature').detail, /term this server does not know: nickname/);
    r = await sinauVerify(dir, JSON.stringify(creds[1]), jwks, { origin: 'https://elsewhere.example' });
    assert.equal(okByName(r.checks).proof, false, r.stdout);
    const api = await verifyApi(base, JSON.stringify(x), { 'content-type': 'application/json' });
    assert.equal(api.json.valid, false);
    assert.equal(api.json.checks.find((c) => !c.ok).name, 'signature');
  });
});

describe('the status list as a Data Integrity credential', () => {
  test('is served with ?format=vc and verifies on its own; the JWT stays the default', async () => {
    const jwt = await call(base, 'GET', '/status/1');
    assert.match(jwt.headers['content-type'], /^application\/vc\+jwt/);
    const r = await call(base, 'GET', '/status/1?format=vc');
    assert.equal(r.status, 200, show(r));
    assert.match(r.headers['content-type'], /^application\/vc\+ld\+json/);
    const list = r.json;
    assert.deepEqual(list.type, ['VerifiableCredential', 'BitstringStatusListCredential']);
    assert.equal(list.credentialSubject.statusPurpose, 'revocation');
    const result = await vc.verifyCredential({ credential: list, suite: suite(), documentLoader: offlineLoader(pub) });
    assert.equal(result.verified, true, whyNot(result));
    const forged = structuredClone(list);
    forged.credentialSubject.encodedList = forged.credentialSubject.encodedList.replace(/A(?=[^A]*$)/, 'B');
    const bad = await vc.verifyCredential({ credential: forged, suite: suite(), documentLoader: offlineLoader(pub) });
    assert.equal(bad.verified, false);
  });

  test('a status list changed in one byte makes the credential\'s status check fail', async () => {
    const list = (await call(base, 'GET', '/status/1?format=vc')).json;
    const forged = structuredClone(list);
    forged.validFrom = '2001-01-01T00:00:00Z';
    const result = await verifyDi(creds[1], offlineLoader(pub, { override: new Map([[`${pub}/status/1`, forged]]) }));
    assert.equal(result.verified, false, 'a forged status list was believed');
  });

  test('a revoked certificate fails the status check; the other still verifies', async () => {
    expectStatus(await revoke(base, admin.token, ids[0], { reason: 'Data peserta keliru' }), 200, 'revoke');
    const result = await verifyDi(creds[0], offlineLoader(pub));
    assert.equal(result.accepted, false, 'a revoked credential was accepted');
    assert.equal(result.results?.[0]?.verified, true, 'its proof is still good');
    assert.equal(result.statusResult?.verified, true, 'the re-signed status list itself verifies');
    assert.equal(result.revoked, true, 'the bit is set: revoked');
    const dir = tempDir('di');
    const cli = await sinauVerify(dir, JSON.stringify(creds[0]), await jwksOf(base), { status: (await call(base, 'GET', '/status/1?format=vc')).text });
    assert.equal(cli.verdict, 'REVOKED', cli.stdout);
    const api = await verifyApi(base, JSON.stringify(creds[0]), { 'content-type': 'application/json' });
    assert.equal(api.json.status, 'revoked');
    const other = await verifyDi(creds[1], offlineLoader(pub));
    assert.equal(other.accepted, true, whyNot(other));
    assert.equal(other.revoked, false);
  });
});
