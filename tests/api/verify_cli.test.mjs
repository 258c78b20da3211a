// `sinau verify` (CERTIFICATES.md "What an outside verifier checks"): a
// credential, its key set and its status list are built here with node's own
// crypto and zlib, exactly as the document describes and independently of
// our C code, so this is the cross-implementation check of the format. No
// database and no server configuration are involved.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { SINAU_BIN } from './lib/harness.mjs';
import { runSinau, cliEnv } from './lib/probe.mjs';

const ORIGIN = 'http://127.0.0.1:8080';
const STATUS_URL = `${ORIGIN}/status/1`;
const CONTEXTS = ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'];
// must not be needed: pointing it nowhere proves verify never connects
const NO_DB = { DATABASE_URL: 'host=/nonexistent dbname=none', SINAU_KEY_FILE: '/nonexistent/master.key' };

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sinau-verify-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const b64u = (x) => Buffer.from(x).toString('base64url');

// An Ed25519 key as /.well-known/jwks.json publishes it.
function makeKey() {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const { x } = publicKey.export({ format: 'jwk' });
  // RFC 7638: the required members in lexicographic order, no spaces
  const thumbprint = crypto.createHash('sha256').update(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`).digest('base64url');
  const kid = `${ORIGIN}/keys/${thumbprint}`;
  return { privateKey, kid, jwk: { kty: 'OKP', crv: 'Ed25519', x, kid, use: 'sig', alg: 'EdDSA' } };
}

function sign(header, payload, privateKey) {
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
  return `${input}.${crypto.sign(null, Buffer.from(input), privateKey).toString('base64url')}`;
}

// 128 random bits as 26 characters of lower-case Crockford base32
function cid() {
  const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
  let n = BigInt(`0x${crypto.randomBytes(16).toString('hex')}`);
  let s = '';
  for (let i = 0; i < 26; i++, n >>= 5n) s = alphabet[Number(n & 31n)] + s;
  return s;
}

function credential(index, { validUntil } = {}) {
  const id = `${ORIGIN}/credentials/${cid()}`;
  const holder = `urn:uuid:${crypto.randomUUID()}`;
  const validFrom = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const salt = crypto.randomBytes(16).toString('hex');
  const c = {
    '@context': CONTEXTS,
    id,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: { id: `${ORIGIN}/issuer`, type: ['Profile'], name: 'Sinau', url: ORIGIN },
    validFrom,
    awardedDate: validFrom,
    name: 'Sertifikat: Sinau TikTok & YouTube — Angkatan 1',
    credentialSubject: {
      id: holder,
      type: ['AchievementSubject'],
      identifier: [
        { type: 'IdentityObject', identityType: 'name', hashed: false, identityHash: 'Siti Rahmawati' },
        {
          type: 'IdentityObject',
          identityType: 'emailAddress',
          hashed: true,
          identityHash: `sha256$${crypto.createHash('sha256').update(`siti@example.id${salt}`).digest('hex')}`,
          salt,
        },
      ],
      achievement: {
        id: `${ORIGIN}/achievements/tiktok-youtube-v1`,
        type: ['Achievement'],
        achievementType: 'Certificate',
        name: 'Sinau TikTok & YouTube',
        description: 'Membuat konten video pendek',
        criteria: { narrative: 'Hadir minimal 80% sesi dan lulus tugas akhir (32 JP)' },
      },
    },
    credentialStatus: {
      id: `${STATUS_URL}#${index}`,
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: String(index),
      statusListCredential: STATUS_URL,
    },
  };
  const seconds = (iso) => Date.parse(iso) / 1000;
  const claims = { iss: c.issuer.id, jti: c.id, sub: holder, nbf: seconds(validFrom), iat: seconds(validFrom) };
  if (validUntil) {
    c.validUntil = validUntil;
    claims.exp = seconds(validUntil);
  }
  return { ...c, ...claims };
}

// Bitstring Status List v1.0: 131,072 bits, bit 0 = top bit of byte 0
function statusList(revoked) {
  const bits = Buffer.alloc(131072 / 8);
  for (const i of revoked) bits[i >> 3] |= 0x80 >> (i & 7);
  const now = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  return {
    '@context': [CONTEXTS[0]],
    id: STATUS_URL,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: `${ORIGIN}/issuer`,
    validFrom: now,
    credentialSubject: {
      id: `${STATUS_URL}#list`,
      type: 'BitstringStatusList',
      statusPurpose: 'revocation',
      encodedList: `u${zlib.gzipSync(bits).toString('base64url')}`,
    },
    iss: `${ORIGIN}/issuer`,
    jti: STATUS_URL,
    iat: Math.floor(Date.now() / 1000),
  };
}

const key = makeKey();
const other = makeKey();
const header = { alg: 'EdDSA', kid: key.kid, typ: 'JWT' };
const INDEX = 70001;

function writeFile(name, content) {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}

const jwksFile = writeFile('jwks.json', JSON.stringify({ keys: [other.jwk, key.jwk] }));
const token = sign(header, credential(INDEX), key.privateKey);
const clearList = writeFile('status-clear.jwt', `${sign(header, statusList([INDEX - 1, INDEX + 1, 0]), key.privateKey)}\n`);
const revokedList = writeFile('status-revoked.jwt', sign(header, statusList([3, INDEX]), key.privateKey));

const lines = (s) => s.split('\n').filter((l) => l.length > 0);
const verify = (args) => runSinau(['verify', ...args], { env: NO_DB });

// Runs `sinau verify` with input on standard input.
function verifyStdin(args, input) {
  return new Promise((resolve) => {
    const proc = spawn(SINAU_BIN, ['verify', ...args], { env: cliEnv(NO_DB), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c) => (stdout += c));
    proc.stderr.on('data', (c) => (stderr += c));
    proc.on('close', (code) => resolve({ code, stdout, stderr }));
    proc.stdin.end(input);
  });
}

function expectVerdict(r, code, verdict) {
  assert.equal(r.code, code, `exit ${r.code}\n${r.stdout}${r.stderr}`);
  assert.equal(lines(r.stdout).at(-1), verdict, r.stdout);
}

test('a credential built from CERTIFICATES.md with node crypto is VALID', async () => {
  const r = await verify(['--jwks', jwksFile, token]);
  expectVerdict(r, 0, 'VALID');
  const checks = lines(r.stdout).slice(0, -1);
  assert.deepEqual(
    checks.map((l) => l.split(/\s+/).slice(0, 2).join(' ')),
    ['ok format', 'ok header', 'ok key', 'ok signature', 'ok claims', 'ok status'],
  );
  assert.match(r.stdout, /^ok +status +not checked offline$/m);
});

test('with the status list and a clear bit it is VALID, the status list checked too', async () => {
  const r = await verify(['--jwks', jwksFile, '--status', clearList, token]);
  expectVerdict(r, 0, 'VALID');
  assert.match(r.stdout, /^ok +status_signature /m);
  assert.match(r.stdout, new RegExp(`^ok +status +bit ${INDEX} is 0`, 'm'));
});

test('with its bit set in the status list it is REVOKED (exit 1)', async () => {
  const r = await verify(['--jwks', jwksFile, `--status=${revokedList}`, token]);
  expectVerdict(r, 1, 'REVOKED');
  assert.match(r.stdout, /^FAIL +status +revoked/m);
  assert.doesNotMatch(r.stdout, /^FAIL +(?!status )/m);
});

test('a changed character in any of the three parts is INVALID', async () => {
  const parts = token.split('.');
  for (let p = 0; p < 3; p++) {
    const changed = [...parts];
    const at = Math.floor(parts[p].length / 2);
    changed[p] = parts[p].slice(0, at) + (parts[p][at] === 'A' ? 'B' : 'A') + parts[p].slice(at + 1);
    const r = await verify(['--jwks', jwksFile, changed.join('.')]);
    expectVerdict(r, 1, 'INVALID');
  }
});

test('a re-encoded payload with another holder name fails the signature only', async () => {
  const c = credential(INDEX);
  const t = sign(header, c, key.privateKey).split('.');
  c.credentialSubject.identifier[0].identityHash = 'Someone Else';
  t[1] = b64u(JSON.stringify(c));
  const r = await verify(['--jwks', jwksFile, t.join('.')]);
  expectVerdict(r, 1, 'INVALID');
  assert.match(r.stdout, /^FAIL +signature /m);
  assert.match(r.stdout, /^ok +claims /m);
});

test('claims that disagree are INVALID, naming the claim', async () => {
  const c = credential(INDEX);
  c.iss = `${ORIGIN}/someone-else`;
  const r = await verify(['--jwks', jwksFile, sign(header, c, key.privateKey)]);
  expectVerdict(r, 1, 'INVALID');
  assert.match(r.stdout, /^FAIL +claims +iss differs from issuer\.id/m);
  assert.match(r.stdout, /^ok +signature /m);

  const v = credential(INDEX);
  v.vc = { type: ['VerifiableCredential'] };
  expectVerdict(await verify(['--jwks', jwksFile, sign(header, v, key.privateKey)]), 1, 'INVALID');
});

test('validUntil with a matching exp is VALID', async () => {
  const r = await verify(['--jwks', jwksFile, sign(header, credential(5, { validUntil: '2031-06-30T23:59:59Z' }), key.privateKey)]);
  expectVerdict(r, 0, 'VALID');
});

test('alg none, HS256 and crit are refused', async () => {
  const payload = b64u(JSON.stringify(credential(INDEX)));
  const none = `${b64u(JSON.stringify({ alg: 'none', kid: key.kid, typ: 'JWT' }))}.${payload}.`;
  expectVerdict(await verify(['--jwks', jwksFile, none]), 1, 'INVALID');
  const hsInput = `${b64u(JSON.stringify({ alg: 'HS256', kid: key.kid, typ: 'JWT' }))}.${payload}`;
  // HMAC keyed with the public key's x: the classic algorithm-confusion forgery
  const mac = crypto.createHmac('sha256', key.jwk.x).update(hsInput).digest('base64url');
  const hs = await verify(['--jwks', jwksFile, `${hsInput}.${mac}`]);
  expectVerdict(hs, 1, 'INVALID');
  assert.match(hs.stdout, /^FAIL +header +HMAC/m);
  const crit = await verify(['--jwks', jwksFile, sign({ ...header, crit: ['exp'] }, credential(INDEX), key.privateKey)]);
  expectVerdict(crit, 1, 'INVALID');
  assert.match(crit.stdout, /^FAIL +header +crit/m);
});

test('a key that is not in the key set, or another origin, is INVALID', async () => {
  const stranger = makeKey();
  const r = await verify(['--jwks', jwksFile, sign({ ...header, kid: stranger.kid }, credential(INDEX), stranger.privateKey)]);
  expectVerdict(r, 1, 'INVALID');
  assert.match(r.stdout, /^FAIL +key +no key with this kid/m);
  const o = await verify(['--jwks', jwksFile, '--origin', 'https://sinau.example', token]);
  expectVerdict(o, 1, 'INVALID');
  assert.match(o.stdout, /^FAIL +header +kid/m);
  expectVerdict(await verify(['--jwks', jwksFile, '--origin', `${ORIGIN}/`, token]), 0, 'VALID');
});

test('the token can come on standard input, whitespace around it trimmed', async () => {
  expectVerdict(await verifyStdin(['--jwks', jwksFile], `\n  ${token}\r\n`), 0, 'VALID');
  expectVerdict(await verifyStdin(['--jwks', jwksFile, '--status', revokedList, '-'], token), 1, 'REVOKED');
  const empty = await verifyStdin(['--jwks', jwksFile], ' \n');
  assert.equal(empty.code, 2, empty.stderr);
});

test('usage errors exit 2 with one line on stderr', async () => {
  const badJson = writeFile('bad.json', '{"keys": [');
  const notSet = writeFile('notset.json', '[1,2]');
  for (const args of [
    ['--jwks', path.join(dir, 'missing.json'), token],
    ['--jwks', badJson, token],
    ['--jwks', notSet, token],
    [token],
    ['--jwks'],
    ['--jwks', jwksFile, '--status', path.join(dir, 'missing.jwt'), token],
    ['--jwks', jwksFile, '--frobnicate', token],
    ['--jwks', jwksFile, token, token],
  ]) {
    const r = await verify(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr, /^sinau: /);
    assert.equal(r.stdout, '');
  }
});

test('without --origin, key sets whose kids name different origins need one', async () => {
  const mixed = writeFile('mixed.json', JSON.stringify({ keys: [key.jwk, { ...other.jwk, kid: other.kid.replace(ORIGIN, 'https://elsewhere.example') }] }));
  const r = await verify(['--jwks', mixed, token]);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /--origin/);
  expectVerdict(await verify(['--jwks', mixed, '--origin', ORIGIN, token]), 0, 'VALID');
});

test('--help lists verify', async () => {
  const r = await runSinau(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^ {2}verify --jwks FILE/m);
});
