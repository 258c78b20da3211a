// Our certificates as outside verifiers see them (issue 7; CERTIFICATES.md
// "What an outside verifier checks"): the npm library `jose` accepts a
// credential the server issued, and its status list, with the served key set
// and algorithms ['EdDSA'], and refuses them with one byte changed in any of
// the three parts; then every check of the list is done here in JS
// independently of the server (lib/certificates.mjs: base64url, RFC 7638
// thumbprints, Ed25519 with node:crypto, the status list gunzipped and read
// bit by bit), both ways — the genuine credential passes, and a credential
// broken in exactly one respect (re-signed with a key of our own where the
// signature must stay good) fails exactly that check — and POST
// /api/v1/verify and `sinau verify` must come to the same verdict, failing
// at the same first check.
//
// Needs `jose` in tests/api/node_modules (npm ci --prefix tests/api).
import { test, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import * as jose from 'jose';
import { call, show, newAdmin } from './lib/accounts.mjs';
import { expectStatus } from './lib/content.mjs';
import {
  startCertServer, certClass, completeLessons, issued, revoke, verifyApi, credentialJson, tokenOf, jwksOf, statusTokenOf, decodeJws,
  b64u, b64uDecode, thumbprint, edVerify, statusBits, bitAt, checkCredential, claimProblem, CONTEXTS, STATUS_BITS, firstFailedOf,
  okByName, sinauVerify, tempDir, forgeKey, signJws, flipByte, replaceInPart,
} from './lib/certificates.mjs';

let server;
let base;
let pub;
let admin;
let cr;
let ids = []; // two certificates: [0] is revoked near the end
let token; // ids[0]'s token
let jwks;
let status; // the status list token
let dir;

before(async () => {
  server = await startCertServer();
  base = server.url;
  pub = server.publicUrl;
  admin = await newAdmin(server);
  cr = await certClass(server, admin, { lessons: 1, assignments: [], participants: 2, names: ['Hana Pratiwi', 'Irfan Hakim'], rules: {} });
  for (const p of cr.people) await completeLessons(base, cr, p);
  const r = await issued(base, admin, cr.cohort.id);
  assert.equal(r.issued, 2, JSON.stringify(r));
  ids = cr.people.map((p) => r.certificates.find((c) => c.user_id === p.id).id);
  token = await tokenOf(base, ids[0]);
  jwks = await jwksOf(base);
  status = await statusTokenOf(base);
  dir = tempDir('jose');
});

// ---------------------------------------------------------------- jose ----

describe('jose', () => {
  test('jwtVerify with the served key set (local and remote) and algorithms [EdDSA] accepts the credential', async () => {
    const { payload, protectedHeader } = await jose.jwtVerify(token, jose.createLocalJWKSet(jwks), { algorithms: ['EdDSA'] });
    assert.deepEqual(payload, decodeJws(token).payload);
    assert.equal(protectedHeader.alg, 'EdDSA');
    const remote = jose.createRemoteJWKSet(new URL(`${pub}/.well-known/jwks.json`));
    const again = await jose.jwtVerify(token, remote, { algorithms: ['EdDSA'], issuer: `${pub}/issuer`, subject: payload.credentialSubject.id, typ: 'JWT' });
    assert.equal(again.payload.jti, `${pub}/credentials/${ids[0]}`);
    const second = await jose.jwtVerify(await tokenOf(base, ids[1]), jose.createLocalJWKSet(jwks), { algorithms: ['EdDSA'] });
    assert.equal(second.payload.jti, `${pub}/credentials/${ids[1]}`);
  });

  test('jwtVerify accepts the status list', async () => {
    const { payload } = await jose.jwtVerify(status, jose.createLocalJWKSet(jwks), { algorithms: ['EdDSA'] });
    assert.deepEqual(payload.type, ['VerifiableCredential', 'BitstringStatusListCredential']);
  });

  test('one byte changed in the header, the payload or the signature: refused (signature verification failed)', async () => {
    const set = jose.createLocalJWKSet(jwks);
    const { payload } = decodeJws(token);
    const tampered = {
      header: replaceInPart(token, 0, '"JWT"', '"JWS"'),
      payload: replaceInPart(token, 1, `"${payload.name}"`, `"${payload.name[0] === 'X' ? 'Y' : 'X'}${payload.name.slice(1)}"`),
      signature: flipByte(token, 2, 31),
    };
    for (const [part, t] of Object.entries(tampered)) {
      assert.notEqual(t, token);
      await assert.rejects(jose.jwtVerify(t, set, { algorithms: ['EdDSA'] }), (e) => e.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', `${part}: refused for its signature`);
    }
    // a byte flipped anywhere in each decoded part: refused, whatever the reason
    for (let part = 0; part < 3; part++) {
      const n = Buffer.from(token.split('.')[part], 'base64url').length;
      for (const i of [0, Math.floor(n / 2), n - 1]) {
        await assert.rejects(jose.jwtVerify(flipByte(token, part, i, 0x20), set, { algorithms: ['EdDSA'] }), `part ${part} byte ${i}`);
      }
    }
    await assert.rejects(jose.jwtVerify(flipByte(status, 2, 5), set, { algorithms: ['EdDSA'] }), (e) => e.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', 'the status list too');
  });

  test('jose refuses alg none, HS256 keyed with the public key, an unknown crit, and a key not in the set', async () => {
    const set = jose.createLocalJWKSet(jwks);
    const { header, payload } = decodeJws(token);
    const x = b64uDecode(jwks.keys[0].x);
    const hs = (() => {
      const h = b64u(JSON.stringify({ alg: 'HS256', kid: header.kid, typ: 'JWT' }));
      const p = token.split('.')[1];
      return `${h}.${p}.${b64u(crypto.createHmac('sha256', x).update(`${h}.${p}`).digest())}`;
    })();
    const forged = forgeKey(pub);
    const cases = {
      none: `${b64u(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${token.split('.')[1]}.`,
      hs256: hs,
      crit: signJws({ alg: 'EdDSA', kid: forged.kid, typ: 'JWT', crit: ['urn:x'], 'urn:x': 1 }, payload, forged.privateKey),
      unknownKey: signJws({ alg: 'EdDSA', kid: forged.kid, typ: 'JWT' }, payload, forged.privateKey),
    };
    const withForged = jose.createLocalJWKSet({ keys: [...jwks.keys, forged.jwk] });
    for (const [what, t] of Object.entries(cases)) {
      await assert.rejects(jose.jwtVerify(t, what === 'crit' ? withForged : set, { algorithms: ['EdDSA'] }), what);
    }
    // the same forged key, once published, is accepted by jose: the refusal above was the key set's doing
    await jose.jwtVerify(cases.unknownKey, withForged, { algorithms: ['EdDSA'] });
  });
});

// ------------------------------------------- the five points, one by one ----

describe('CERTIFICATES.md, what an outside verifier checks', () => {
  test('1. three base64url parts; the header is exactly {"alg":"EdDSA","kid":"<origin>/keys/<t>","typ":"JWT"}', () => {
    assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const [h, p, s] = token.split('.');
    for (const part of [h, p, s]) assert.ok(b64uDecode(part), 'canonical base64url without padding');
    const raw = b64uDecode(h).toString('utf8');
    const { kid } = JSON.parse(raw);
    assert.match(kid, new RegExp(`^${pub.replace(/[.]/g, '\\.')}/keys/[A-Za-z0-9_-]{43}$`), 'a kid on our origin');
    assert.equal(raw, `{"alg":"EdDSA","kid":"${kid}","typ":"JWT"}`, 'exactly these members, in this order');
    assert.equal(b64uDecode(status.split('.')[0]).toString('utf8'), `{"alg":"EdDSA","kid":"${kid}","typ":"JWT"}`, 'the status list: the same header');
  });

  test('2. the key set has exactly one key with that kid (OKP/Ed25519); /keys/<t> serves the same key; its RFC 7638 thumbprint is t', async () => {
    const { kid } = decodeJws(token).header;
    const t = kid.slice(kid.lastIndexOf('/') + 1);
    const same = jwks.keys.filter((k) => k.kid === kid);
    assert.equal(same.length, 1);
    const key = same[0];
    assert.deepEqual(key, { kty: 'OKP', crv: 'Ed25519', x: key.x, kid, use: 'sig', alg: 'EdDSA' });
    assert.equal(b64uDecode(key.x).length, 32);
    assert.equal(new Set(jwks.keys.map((k) => k.kid)).size, jwks.keys.length, 'one key per kid');
    assert.equal(thumbprint(key.x), t, 'thumbprint computed here');
    assert.equal(await jose.calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: key.x }, 'sha256'), t, 'and by jose');
    const r = await call(base, 'GET', `/keys/${t}`);
    assert.equal(r.status, 200, show(r));
    assert.match(r.headers['content-type'], /^application\/jwk\+json/);
    assert.deepEqual(r.json, key, 'the same key');
    const miss = await call(base, 'GET', `/keys/${thumbprint(b64u(crypto.randomBytes(32)))}`);
    assert.equal(miss.status, 404, `an unknown thumbprint: ${show(miss)}`);
  });

  test('3. the Ed25519 signature verifies (node:crypto); one byte changed anywhere in the token makes it fail', () => {
    const d = decodeJws(token);
    const x = jwks.keys.find((k) => k.kid === d.header.kid).x;
    assert.equal(d.sig.length, 64);
    assert.equal(edVerify(x, d.signingInput, d.sig), true);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    let tried = 0;
    for (let i = 0; i < token.length; i += Math.max(1, Math.floor(token.length / 60))) {
      if (token[i] === '.') continue;
      const c = alphabet[(alphabet.indexOf(token[i]) + 1) % 64];
      const t = token.slice(0, i) + c + token.slice(i + 1);
      const r = checkCredential(t, jwks, pub);
      assert.equal(r.valid, false, `character ${i} changed: still valid`);
      tried += 1;
    }
    assert.ok(tried > 50);
  });

  test('4. no vc claim; contexts and types; iss = issuer.id, jti = id, sub = credentialSubject.id, nbf = validFrom; the credential as the document describes it', async () => {
    const p = decodeJws(token).payload;
    assert.equal(claimProblem(p), '');
    assert.equal('vc' in p, false);
    assert.deepEqual(p['@context'], CONTEXTS);
    assert.deepEqual(p.type, ['VerifiableCredential', 'OpenBadgeCredential']);
    assert.equal(p.id, `${pub}/credentials/${ids[0]}`);
    assert.equal(p.jti, p.id);
    assert.deepEqual(p.issuer.id, `${pub}/issuer`);
    assert.deepEqual(p.issuer.type, ['Profile']);
    assert.ok(typeof p.issuer.name === 'string' && p.issuer.name.length > 0);
    assert.equal(p.iss, p.issuer.id);
    assert.match(p.validFrom, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.match(p.awardedDate, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.equal(p.nbf, Date.parse(p.validFrom) / 1000);
    assert.ok(Number.isInteger(p.iat));
    assert.equal('exp' in p, 'validUntil' in p, 'exp only with validUntil');
    const page = expectStatus(await credentialJson(base, ids[0]), 200, 'page');
    assert.equal(Date.parse(page.issued_at), Date.parse(p.validFrom), 'valid from the issue time');
    assert.ok(p.name.includes(cr.programme.title), `name: ${p.name}`);
    const cs = p.credentialSubject;
    assert.match(cs.id, /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(p.sub, cs.id);
    assert.deepEqual(cs.type, ['AchievementSubject']);
    const holder = cr.people[0];
    const ids2 = cs.identifier;
    assert.ok(Array.isArray(ids2), 'identifier list');
    const email = ids2.find((i) => i.identityType === 'emailAddress');
    assert.ok(email && email.hashed === true && typeof email.salt === 'string' && email.salt.length >= 16, JSON.stringify(ids2));
    const want = `sha256$${crypto.createHash('sha256').update(holder.email + email.salt, 'utf8').digest('hex')}`;
    assert.equal(email.identityHash, want, 'the e-mail hashed with its salt, as computed here');
    assert.ok(!JSON.stringify(p).toLowerCase().includes(holder.email.toLowerCase()), 'the e-mail never in clear');
    assert.equal(ids2.find((i) => i.identityType === 'name')?.identityHash, 'Hana Pratiwi', 'the name, not hashed');
    const a = cs.achievement;
    assert.equal(a.id, `${pub}/achievements/${cr.slug}-v${cr.cohort.content_version ?? 1}`, 'cites the content version');
    assert.deepEqual(a.type, ['Achievement']);
    assert.ok(['Certificate', 'CertificateOfCompletion'].includes(a.achievementType));
    assert.ok(a.name && a.description, 'name and description');
    assert.match(a.criteria?.narrative ?? '', new RegExp(`${cr.cohort.jp} JP`), 'the rules in words, with JP');
    const st = p.credentialStatus;
    assert.deepEqual(Object.keys(st).sort(), ['id', 'statusListCredential', 'statusListIndex', 'statusPurpose', 'type']);
    assert.equal(st.type, 'BitstringStatusListEntry');
    assert.equal(st.statusPurpose, 'revocation');
    assert.match(st.statusListIndex, /^(0|[1-9][0-9]*)$/);
    assert.equal(st.statusListCredential, `${pub}/status/1`);
    assert.equal(st.id, `${pub}/status/1#${st.statusListIndex}`);
    const known = new Set(['@context', 'id', 'type', 'issuer', 'validFrom', 'validUntil', 'awardedDate', 'name', 'description', 'credentialSubject',
      'credentialStatus', 'iss', 'jti', 'sub', 'nbf', 'iat', 'exp']);
    assert.deepEqual(Object.keys(p).filter((k) => !known.has(k)), [], 'no member outside the VC, OB 3.0 and JWT vocabularies');
    const issuer = await call(base, 'GET', '/issuer');
    assert.equal(issuer.status, 200, show(issuer));
    assert.equal(issuer.json.id, p.issuer.id, 'GET /issuer is the issuer profile');
    assert.ok([].concat(issuer.json.type).includes('Profile'));
    assert.equal(issuer.json.name, p.issuer.name);
  });

  test('5. the status list verifies with the same key set; a BitstringStatusList of ≥ 131,072 bits; the bit at the index is 0', async () => {
    const d = decodeJws(status);
    const key = jwks.keys.find((k) => k.kid === d.header.kid);
    assert.ok(key, 'signed by a published key');
    assert.equal(edVerify(key.x, d.signingInput, d.sig), true);
    const sp = d.payload;
    assert.deepEqual(sp.type, ['VerifiableCredential', 'BitstringStatusListCredential']);
    assert.equal(sp.id, `${pub}/status/1`);
    assert.equal(sp.credentialSubject.id, `${pub}/status/1#list`);
    assert.equal(sp.credentialSubject.type, 'BitstringStatusList');
    assert.equal(sp.credentialSubject.statusPurpose, 'revocation');
    const bits = statusBits(sp.credentialSubject.encodedList);
    assert.ok(bits.length * 8 >= STATUS_BITS, `${bits.length * 8} bits`);
    for (const id of ids) {
      const idx = Number(decodeJws(await tokenOf(base, id)).payload.credentialStatus.statusListIndex);
      assert.equal(bitAt(bits, idx), 0, `bit ${idx}`);
    }
    assert.ok(bits.every((b) => b === 0), 'nothing revoked yet');
    const r = checkCredential(token, jwks, pub, status);
    assert.equal(r.valid, true, JSON.stringify(r.checks));
    assert.equal(r.status, 'valid');
  });
});

// ------------------------------------------------------- both ways ----

// Cases: a token (and the key set and status list an outside verifier would
// be given) broken in one respect, and the first check that must fail.
function brokenCases() {
  const d = decodeJws(token);
  const p = d.payload;
  const h = d.header;
  const forged = forgeKey(pub);
  const elsewhere = forgeKey('http://127.0.0.1:9');
  const other = forgeKey(pub);
  const withKey = (...ks) => ({ keys: [...jwks.keys, ...ks] });
  const resign = (payload, header = { alg: 'EdDSA', kid: forged.kid, typ: 'JWT' }, key = forged.privateKey) => signJws(header, payload, key);
  const mut = (f) => {
    const c = structuredClone(p);
    f(c);
    return c;
  };
  const sd = decodeJws(status);
  const statusWith = (bits, subj = {}) => signJws({ alg: 'EdDSA', kid: forged.kid, typ: 'JWT' }, {
    ...sd.payload,
    credentialSubject: { ...sd.payload.credentialSubject, encodedList: `u${b64u(zlib.gzipSync(bits))}`, ...subj },
  }, forged.privateKey);
  const idx = Number(p.credentialStatus.statusListIndex);
  const setBit = Buffer.alloc(STATUS_BITS / 8);
  setBit[idx >> 3] |= 0x80 >> (idx & 7);
  const x = b64uDecode(jwks.keys.find((k) => k.kid === h.kid).x);
  const [h0, p0] = token.split('.');
  const hsHeader = b64u(JSON.stringify({ alg: 'HS256', kid: h.kid, typ: 'JWT' }));
  return [
    { what: 'the genuine credential', token, first: null },
    { what: 'the genuine credential, re-signed with a published key of ours', token: resign(p), jwks: withKey(forged.jwk), first: null, offline: true },
    { what: 'two parts', token: token.split('.').slice(0, 2).join('.'), first: 'format' },
    { what: 'four parts', token: `${token}.${token.split('.')[2]}`, first: 'format' },
    { what: 'padding', token: `${token}==`, first: 'format' },
    // the header and payload in standard base64 with padding (the header's
    // 32-byte kid thumbprint makes '=' or '+' '/' likely; the case is kept
    // only when the text really differs)
    ...[`${Buffer.from(b64uDecode(h0)).toString('base64')}.${Buffer.from(b64uDecode(p0)).toString('base64')}.${token.split('.')[2]}`]
      .filter((t) => t !== token)
      .map((t) => ({ what: 'standard base64 with padding', token: t, first: 'format' })),
    { what: 'payload not JSON', token: `${h0}.${b64u('not json')}.${token.split('.')[2]}`, first: 'format' },
    { what: 'alg none', token: `${b64u(JSON.stringify({ alg: 'none', kid: h.kid, typ: 'JWT' }))}.${p0}.${b64u('x')}`, first: 'header' },
    { what: 'HS256 keyed with the public key', token: `${hsHeader}.${p0}.${b64u(crypto.createHmac('sha256', x).update(`${hsHeader}.${p0}`).digest())}`, first: 'header' },
    { what: 'typ JWS', token: resign(p, { alg: 'EdDSA', kid: forged.kid, typ: 'JWS' }), jwks: withKey(forged.jwk), first: 'header' },
    { what: 'an unknown crit', token: resign(p, { alg: 'EdDSA', crit: ['urn:x'], kid: forged.kid, typ: 'JWT', 'urn:x': 1 }), jwks: withKey(forged.jwk), first: 'header' },
    { what: 'an extra header member (jku)', token: resign(p, { alg: 'EdDSA', jku: `${pub}/.well-known/jwks.json`, kid: forged.kid, typ: 'JWT' }), jwks: withKey(forged.jwk), first: 'header' },
    { what: 'a kid on another origin', token: resign(p, { alg: 'EdDSA', kid: elsewhere.kid, typ: 'JWT' }, elsewhere.privateKey), jwks: withKey(elsewhere.jwk), first: 'header' },
    { what: 'a kid the key set does not have', token: resign(p), first: 'key' },
    { what: 'two keys with the kid', token: resign(p), jwks: withKey(forged.jwk, { ...other.jwk, kid: forged.kid }), first: 'key' },
    { what: 'the kid\'s key is X25519', token: resign(p), jwks: withKey({ ...forged.jwk, crv: 'X25519' }), first: 'key' },
    { what: 'a key published under another key\'s thumbprint', token: resign(p, { alg: 'EdDSA', kid: other.kid, typ: 'JWT' }), jwks: withKey({ ...forged.jwk, kid: other.kid }), first: 'key' },
    // the header is exact, so any one changed byte in it breaks the header check itself
    { what: 'one byte changed in the header (typ JWt)', token: replaceInPart(token, 0, '"JWT"', '"JWt"'), first: 'header' },
    { what: 'one byte changed in the header (a kid byte)', token: replaceInPart(token, 0, h.kid, h.kid.slice(0, -1) + (h.kid.endsWith('A') ? 'B' : 'A')), first: 'key' },
    { what: 'one byte changed in the payload', token: flipByte(token, 1, 40), first: 'signature' },
    { what: 'one byte changed in the signature', token: flipByte(token, 2, 0), first: 'signature' },
    { what: 'a 63-byte signature', token: `${h0}.${p0}.${b64u(b64uDecode(token.split('.')[2]).subarray(0, 63))}`, first: 'signature' },
    { what: 'a vc claim', token: resign({ ...p, vc: { type: p.type } }), jwks: withKey(forged.jwk), first: 'claims' },
    { what: 'contexts reversed', token: resign(mut((c) => c['@context'].reverse())), jwks: withKey(forged.jwk), first: 'claims' },
    { what: 'type without OpenBadgeCredential', token: resign(mut((c) => (c.type = ['VerifiableCredential']))), jwks: withKey(forged.jwk), first: 'claims' },
    { what: 'iss is not issuer.id', token: resign(mut((c) => (c.iss = `${pub}/issuer2`))), jwks: withKey(forged.jwk), first: 'claims' },
    { what: 'jti is not id', token: resign(mut((c) => (c.jti = `${pub}/credentials/00000000000000000000000000`))), jwks: withKey(forged.jwk), first: 'claims' },
    { what: 'sub is not credentialSubject.id', token: resign(mut((c) => (c.sub = 'urn:uuid:00000000-0000-4000-8000-000000000000'))), jwks: withKey(forged.jwk), first: 'claims' },
    { what: 'nbf is not validFrom', token: resign(mut((c) => (c.nbf += 1))), jwks: withKey(forged.jwk), first: 'claims' },
    { what: 'credentialStatus of another kind', token: resign(mut((c) => (c.credentialStatus.type = 'StatusList2021Entry'))), jwks: withKey(forged.jwk), first: 'claims' },
    { what: 'the status list with one byte changed', token, status: flipByte(status, 2, 9), first: 'status_signature', offline: true },
    { what: 'a status list signed by nobody published', token, status: statusWith(Buffer.alloc(STATUS_BITS / 8)), first: 'status_signature', offline: true },
    { what: 'a (published) status list with the bit set', token, status: statusWith(setBit), jwks: withKey(forged.jwk), first: 'status', revoked: true, offline: true },
    { what: 'a status list of 1,024 bits', token, status: statusWith(Buffer.alloc(128)), jwks: withKey(forged.jwk), first: 'status', offline: true },
    { what: 'a status list for suspension', token, status: statusWith(Buffer.alloc(STATUS_BITS / 8), { statusPurpose: 'suspension' }), jwks: withKey(forged.jwk), first: 'status', offline: true },
  ];
}

describe('every check both ways, here, in `sinau verify` and in POST /api/v1/verify', () => {
  test('each broken credential fails exactly the expected first check in our JS verifier and in `sinau verify`', async () => {
    for (const c of brokenCases()) {
      const keys = c.jwks ?? jwks;
      const st = c.status ?? status;
      const ours = checkCredential(c.token, keys, pub, st);
      assert.equal(ours.firstFailed, c.first, `${c.what}: our verifier failed ${ours.firstFailed} (${JSON.stringify(ours.checks)})`);
      if (c.revoked) assert.equal(ours.status, 'revoked', c.what);
      const cli = await sinauVerify(dir, c.token, keys, { status: st, origin: pub });
      assert.equal(cli.code, c.first === null ? 0 : 1, `${c.what}: sinau verify exit ${cli.code}\n${cli.stdout}${cli.stderr}`);
      assert.equal(firstFailedOf(cli.checks), c.first, `${c.what}: sinau verify failed first ${firstFailedOf(cli.checks)}\n${cli.stdout}`);
      assert.equal(cli.verdict, c.first === null ? 'VALID' : c.revoked ? 'REVOKED' : 'INVALID', `${c.what}: ${cli.stdout}`);
    }
  });

  test('POST /api/v1/verify agrees with our verifier (given the served key set and status list) on every case', async () => {
    const served = await statusTokenOf(base);
    for (const c of brokenCases()) {
      if (c.offline) continue; // needs a key set or status list other than the served ones
      const ours = checkCredential(c.token, jwks, pub, served);
      const r = await verifyApi(base, c.token);
      assert.equal(r.status, 200, `${c.what}: ${show(r)}`);
      assert.equal(r.json.valid, ours.valid, `${c.what}: valid ${r.json.valid}: ${r.text}`);
      assert.equal(firstFailedOf(r.json.checks), ours.firstFailed, `${c.what}: first failed ${firstFailedOf(r.json.checks)} vs ours ${ours.firstFailed}: ${r.text}`);
      assert.equal(ours.firstFailed, c.jwks ? ours.firstFailed : c.first, c.what);
      for (const k of r.json.checks) assert.deepEqual(Object.keys(k).sort(), ['detail', 'name', 'ok']);
    }
  });

  test('POST /api/v1/verify takes the token as text with any content type', async () => {
    for (const ct of ['text/plain', 'application/jwt', 'application/vc+jwt', 'application/octet-stream', null]) {
      const headers = ct ? { 'content-type': ct } : {};
      const r = await verifyApi(base, `${token}\n`, headers);
      assert.equal(r.status, 200, `${ct}: ${show(r)}`);
      assert.equal(r.json.valid, true, `${ct}: ${r.text}`);
      assert.equal(r.json.status, 'valid');
      assert.deepEqual(okByName(r.json.checks), Object.fromEntries(r.json.checks.map((k) => [k.name, true])));
    }
    const empty = await verifyApi(base, '');
    assert.ok(empty.status === 200 ? empty.json.valid === false : [400, 422].includes(empty.status), `empty body: ${show(empty)}`);
  });
});

// ------------------------------------------------------ revocation ----

describe('revocation, seen from outside', () => {
  test('`sinau verify --jwks <served key set> TOKEN` exits 0; after revocation, with --status <the new /status/1>, it exits 1 (REVOKED)', async () => {
    const ok = await sinauVerify(dir, token, jwks);
    assert.equal(ok.code, 0, `${ok.stdout}${ok.stderr}`);
    assert.equal(ok.verdict, 'VALID');
    const okStatus = await sinauVerify(dir, token, jwks, { status });
    assert.equal(okStatus.code, 0, `with the status list: ${okStatus.stdout}`);

    expectStatus(await revoke(base, admin.token, ids[0], { reason: 'Diterbitkan keliru' }), 200, 'revoke');
    const after = await statusTokenOf(base);
    assert.notEqual(after, status, 'the list is re-signed');
    await jose.jwtVerify(after, jose.createLocalJWKSet(await jwksOf(base)), { algorithms: ['EdDSA'] });
    const idx = Number(decodeJws(token).payload.credentialStatus.statusListIndex);
    const bits = statusBits(decodeJws(after).payload.credentialSubject.encodedList);
    assert.equal(bitAt(bits, idx), 1, 'the bit is set');
    assert.equal(bits.reduce((n, b) => n + (b.toString(2).match(/1/g)?.length ?? 0), 0), 1, 'and only that one');
    const idx2 = Number(decodeJws(await tokenOf(base, ids[1])).payload.credentialStatus.statusListIndex);
    assert.equal(bitAt(bits, idx2), 0);

    const revoked = await sinauVerify(dir, token, jwks, { status: after });
    assert.equal(revoked.code, 1, `${revoked.stdout}${revoked.stderr}`);
    assert.equal(revoked.verdict, 'REVOKED');
    assert.equal(firstFailedOf(revoked.checks), 'status');
    const ours = checkCredential(token, jwks, pub, after);
    assert.equal(ours.status, 'revoked');
    const v = expectStatus(await verifyApi(base, token), 200, 'POST verify');
    assert.equal(v.valid, false);
    assert.equal(v.status, 'revoked');
    assert.equal(firstFailedOf(v.checks), 'status');
    const still = await sinauVerify(dir, await tokenOf(base, ids[1]), jwks, { status: after });
    assert.equal(still.code, 0, `the other certificate stays valid: ${still.stdout}`);
  });
});
