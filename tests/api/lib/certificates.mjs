// Helpers for the certificate tests (issue 7; CERTIFICATES.md, API.md
// "Certificates"): a server whose SINAU_PUBLIC_URL is its own origin, the
// certificate API calls, a classroom whose participants can be walked to
// eligibility step by step (lessons, a graded and released assignment,
// attendance), and an outside verifier written here from CERTIFICATES.md
// alone — base64url, RFC 7638 thumbprints, Ed25519 with node:crypto, the
// Bitstring Status List (base64url → gunzip → bit, most significant bit
// first) — so that the tests never take the server's word for what its
// credentials say. Forging helpers (a key of our own, re-signing a changed
// credential) feed the "refused" half of every check.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { startServer } from './harness.mjs';
import { call, show, dbUrlOf, putProfile } from './accounts.mjs';
import { nip, dateIn } from './cohorts.mjs';
import { expectStatus, complete, createSession, openCheckin, checkin } from './content.mjs';
import { classroom, submitted, grade, release, getBytes } from './assignments.mjs';
import { runSinau } from './probe.mjs';

const enc = encodeURIComponent;

// -------------------------------------------------------------- server ----

// A loopback port nothing listens on right now.
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// startServer on a port chosen beforehand, so that SINAU_PUBLIC_URL can be
// the server's own origin (every URL inside a credential must resolve to
// it). Resolves to the server plus {publicUrl}. `env` as startServer.
// Only a port taken meanwhile is tried again (with another port); any other
// failure — a crash, a bad configuration — fails at once.
export async function startCertServer({ env = {}, ...opts } = {}) {
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    try {
      const server = await startServer({ ...opts, env: { SINAU_LISTEN: `127.0.0.1:${port}`, SINAU_PUBLIC_URL: publicUrl, ...env } });
      assert.equal(server.url, publicUrl, 'the server listens where its public URL says');
      return { ...server, publicUrl };
    } catch (e) {
      if (!portTaken(e)) throw e;
      lastError = e;
    }
  }
  throw lastError;
}

// True when startServer failed only because the port was in use: sinau
// exited with its "cannot listen on …: Address already in use" and code 1
// (a crash exits by a signal, 128 + n).
export function portTaken(e) {
  const m = /exited with code (\d+) before listening/.exec(e.message);
  return m !== null && Number(m[1]) < 128 && /cannot listen on [^\n]*(Address already in use|EADDRINUSE)/.test(e.message);
}

// --------------------------------------------------------- API calls ----

export const putRules = (base, token, cohortId, json) => call(base, 'PUT', `/api/v1/cohorts/${enc(cohortId)}/certificate-rules`, { token, json });
export const eligibility = (base, token, cohortId) => call(base, 'GET', `/api/v1/cohorts/${enc(cohortId)}/eligibility`, { token });
export const issue = (base, token, cohortId) => call(base, 'POST', `/api/v1/cohorts/${enc(cohortId)}/certificates`, { token, timeoutMs: 60000 });
export const cohortCertificates = (base, token, cohortId) => call(base, 'GET', `/api/v1/cohorts/${enc(cohortId)}/certificates`, { token });
export const myCertificates = (base, token) => call(base, 'GET', '/api/v1/me/certificates', { token });
export const revoke = (base, token, id, json) => call(base, 'POST', `/api/v1/certificates/${enc(id)}/revoke`, { token, json });
export const verifyApi = (base, body, headers = { 'content-type': 'text/plain' }) => call(base, 'POST', '/api/v1/verify', { body, headers });

// GET /credentials/{id} (id used as given: a test may send a hostile one).
// `accept` sets Accept; `query` is appended as is ("?lang=en").
export function credential(base, id, { accept, query = '', localAddress } = {}) {
  const headers = accept ? { accept } : {};
  return call(base, 'GET', `/credentials/${id}${query}`, { headers, localAddress });
}
export const credentialJson = (base, id, opts = {}) => credential(base, id, { ...opts, accept: 'application/json' });

// The signed credential as text (?format=jwt); must succeed.
export async function tokenOf(base, id) {
  const r = await credential(base, id, { query: '?format=jwt' });
  assert.equal(r.status, 200, `GET /credentials/${id}?format=jwt: ${show(r)}`);
  return r.text.trim();
}

export async function jwksOf(base) {
  const r = await call(base, 'GET', '/.well-known/jwks.json');
  assert.equal(r.status, 200, `jwks: ${show(r)}`);
  assert.ok(Array.isArray(r.json?.keys), `jwks is {keys:[…]}: ${r.text.slice(0, 200)}`);
  return r.json;
}

export async function statusTokenOf(base) {
  const r = await call(base, 'GET', '/status/1');
  assert.equal(r.status, 200, `status list: ${show(r)}`);
  return r.text.trim();
}

export const pdfOf = (base, id) => getBytes(base, undefined, `/credentials/${id}.pdf`, { timeoutMs: 60000 });

// Must-succeed issuance; resolves to its JSON.
export async function issued(base, admin, cohortId) {
  return expectStatus(await issue(base, admin.token, cohortId), 200, 'issue certificates');
}

// The eligibility item of one user (must exist).
export function itemOf(report, userId) {
  const it = report.items.find((x) => x.user?.id === userId);
  assert.ok(it, `no eligibility row for ${userId} in ${JSON.stringify(report).slice(0, 600)}`);
  return it;
}

// The codes of a `missing` list, sorted.
export const codes = (missing) => missing.map((m) => m.code).sort();

// ------------------------------------------------- a class to graduate ----

// A classroom (assignments.mjs) with `lessons` lessons, the given
// assignments (required by default), `sessions` live sessions made by the
// instructor, `participants` confirmed learners, and rules put when given.
// Its training ended yesterday: certificates are issued from a cohort's
// last day on (issue 12, 409 cohort_not_finished before). Resolves to the
// classroom plus {sessions, rules (the PUT answer or null)}.
export const FINISHED = { starts_on: dateIn(-30), ends_on: dateIn(-1) };
export async function certClass(server, admin, { lessons = 2, assignments = [{ required: true }], sessions = 0, participants = 2, names, seats = 10, rules, cohort = FINISHED } = {}) {
  const cr = await classroom(server, admin, { lessons, assignments, participants, names, seats, cohort });
  const made = [];
  for (let i = 0; i < sessions; i++) {
    const start = Date.now() + (i + 1) * 86400000;
    const json = { title: `Sesi tatap muka ${i + 1}`, starts_at: new Date(start).toISOString(), ends_at: new Date(start + 7200000).toISOString(), place: 'Balai Kota' };
    made.push(expectStatus(await createSession(server.url, cr.instructor.token, cr.cohort.id, json), 201, `session ${i + 1}`));
  }
  let put = null;
  if (rules) put = expectStatus(await putRules(server.url, admin.token, cr.cohort.id, rules), 200, 'certificate rules');
  return { ...cr, sessions: made, rules: put };
}

// Steps of becoming eligible, each must succeed.
export async function completeLessons(base, cr, p, lessons = cr.lessons) {
  for (const l of lessons) expectStatus(await complete(base, p.token, cr.cohort.id, l.id), 200, `complete ${l.title}`);
}

// Submits the assignment and has the instructor grade it `score`; resolves
// to the submission.
export async function submitAndGrade(base, cr, p, assignment, score) {
  const s = await submitted(base, p.token, cr.cohort.id, assignment.id, { text: 'Tugas saya sudah selesai.' });
  expectStatus(await grade(base, cr.instructor.token, s.id, { score }), 200, `grade ${score}`);
  return s;
}

export async function releaseGrades(base, cr, assignment) {
  return expectStatus(await release(base, cr.instructor.token, cr.cohort.id, assignment ? { assignment_id: assignment.id } : {}), 200, 'release grades');
}

// Checks p in to each of `sessions` (a fresh code each time).
export async function attend(base, cr, p, sessions = cr.sessions) {
  for (const s of sessions) {
    const code = expectStatus(await openCheckin(base, cr.instructor.token, s.id), 200, 'open check-in').code;
    expectStatus(await checkin(base, p.token, s.id, code), 200, 'check in');
  }
}

// Everything at once: lessons, every required assignment passed (score
// `score`) and released, every session attended.
export async function graduate(base, cr, p, { score = 90 } = {}) {
  await completeLessons(base, cr, p);
  for (const a of cr.assignments) {
    if (a.required === false) continue;
    await submitAndGrade(base, cr, p, a, score);
  }
  for (const a of cr.assignments) if (a.required !== false) await releaseGrades(base, cr, a);
  await attend(base, cr, p);
}

// Gives p a NIP next to the NIK it registered with (both must then be
// nowhere in a credential). Resolves to {nik, nip}.
export async function withIdentityNumbers(base, p) {
  const numbers = { nik: p.profile.nik, nip: nip() };
  expectStatus(await putProfile(base, p.token, numbers), 200, 'profile with NIK and NIP');
  return numbers;
}

// ----------------------------------------------------- base64url, keys ----

export const b64u = (buf) => Buffer.from(buf).toString('base64url');

// Strict base64url (no padding, canonical): a Buffer, or null.
export function b64uDecode(s) {
  if (typeof s !== 'string' || !/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) return null;
  const buf = Buffer.from(s, 'base64url');
  return b64u(buf) === s ? buf : null;
}

// RFC 7638 thumbprint of an Ed25519 public key given as its base64url x.
export function thumbprint(x) {
  return b64u(crypto.createHash('sha256').update(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`, 'utf8').digest());
}

export function edVerify(x, data, sig) {
  try {
    const key = crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
    return crypto.verify(null, Buffer.from(data), key, sig);
  } catch {
    return false;
  }
}

// The three parts decoded, nothing checked: {parts, header, payload, sig,
// signingInput}; members are null where a part does not decode.
export function decodeJws(token) {
  const parts = token.split('.');
  const json = (p) => {
    const b = b64uDecode(p ?? '');
    if (!b) return null;
    try {
      return JSON.parse(b.toString('utf8'));
    } catch {
      return null;
    }
  };
  return { parts, header: json(parts[0]), payload: json(parts[1]), sig: b64uDecode(parts[2] ?? ''), signingInput: `${parts[0]}.${parts[1]}` };
}

// --------------------------------------------------------- status list ----

export const STATUS_BITS = 131072;

// The bitstring of an encodedList ("u" + base64url of gzip), or throws.
export function statusBits(encodedList) {
  assert.equal(typeof encodedList, 'string', 'encodedList is a string');
  assert.ok(encodedList.startsWith('u'), `encodedList starts with the multibase prefix u: ${encodedList.slice(0, 10)}`);
  const gz = b64uDecode(encodedList.slice(1));
  assert.ok(gz, 'encodedList is base64url without padding');
  return zlib.gunzipSync(gz);
}

// Bit `index` of a bitstring, bit 0 the most significant bit of byte 0.
export function bitAt(bits, index) {
  return (bits[index >> 3] >> (7 - (index & 7))) & 1;
}

// The revocation bit of `index` in a status list token (payload read
// without checking: the checker below does the checking).
export function statusBitOf(statusToken, index) {
  const { payload } = decodeJws(statusToken);
  return bitAt(statusBits(payload.credentialSubject.encodedList), index);
}

// ------------------------------------------------ the outside verifier ----

export const CONTEXTS = ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'];
export const CHECK_NAMES = ['format', 'header', 'key', 'signature', 'claims', 'status_signature', 'status'];
const SECONDS_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Points 1–3 of CERTIFICATES.md on one token: {format, header, key,
// signature} as {ok, why}, plus the decoded parts.
function checkJws(token, jwks, origin) {
  const out = {};
  const fail = (name, why) => (out[name] = { ok: false, why });
  const pass = (name) => (out[name] = { ok: true, why: '' });
  const d = typeof token === 'string' ? decodeJws(token) : { parts: [] };
  if (typeof token !== 'string' || d.parts.length !== 3 || d.parts.some((p) => p === '') || !d.header || !d.payload || !d.sig ||
    typeof d.header !== 'object' || Array.isArray(d.header) || typeof d.payload !== 'object' || Array.isArray(d.payload)) {
    fail('format', 'not three base64url parts with JSON objects');
  } else pass('format');
  const h = d.header ?? {};
  const kidRe = new RegExp(`^${escapeRe(origin)}/keys/([A-Za-z0-9_-]{43})$`);
  if (!out.format.ok) fail('header', 'not checked: format');
  else if (h.alg !== 'EdDSA') fail('header', `alg ${h.alg}`);
  else if (h.typ !== 'JWT') fail('header', `typ ${h.typ}`);
  else if ('crit' in h) fail('header', 'crit');
  else if (JSON.stringify(Object.keys(h).sort()) !== '["alg","kid","typ"]') fail('header', `members ${Object.keys(h)}`);
  else if (typeof h.kid !== 'string' || !kidRe.test(h.kid)) fail('header', `kid ${h.kid} not on ${origin}`);
  else pass('header');
  let key = null;
  if (!out.header.ok) fail('key', 'not checked: header');
  else {
    const same = (jwks?.keys ?? []).filter((k) => k?.kid === h.kid);
    const t = kidRe.exec(h.kid)[1];
    if (same.length !== 1) fail('key', `${same.length} keys with the kid`);
    else if (same[0].kty !== 'OKP' || same[0].crv !== 'Ed25519') fail('key', `kty ${same[0].kty} crv ${same[0].crv}`);
    else if (b64uDecode(same[0].x)?.length !== 32) fail('key', 'x is not 32 bytes');
    else if (thumbprint(same[0].x) !== t) fail('key', 'the thumbprint of x is not the kid\'s');
    else {
      key = same[0];
      pass('key');
    }
  }
  if (!key) fail('signature', 'not checked: key');
  else if (d.sig.length !== 64 || !edVerify(key.x, d.signingInput, d.sig)) fail('signature', 'does not verify');
  else pass('signature');
  return { checks: out, header: h, payload: d.payload };
}

// Point 4: the claims of a credential payload; '' when right, else why.
export function claimProblem(p) {
  if (!p || typeof p !== 'object') return 'no payload';
  if ('vc' in p) return 'a vc claim';
  if (JSON.stringify(p['@context']) !== JSON.stringify(CONTEXTS)) return '@context';
  if (JSON.stringify(p.type) !== JSON.stringify(['VerifiableCredential', 'OpenBadgeCredential'])) return 'type';
  if (typeof p.iss !== 'string' || p.iss !== p.issuer?.id) return 'iss is not issuer.id';
  if (typeof p.jti !== 'string' || p.jti !== p.id) return 'jti is not id';
  if (typeof p.sub !== 'string' || p.sub !== p.credentialSubject?.id) return 'sub is not credentialSubject.id';
  if (typeof p.validFrom !== 'string' || !SECONDS_Z.test(p.validFrom)) return 'validFrom';
  if (p.nbf !== Date.parse(p.validFrom) / 1000) return 'nbf is not validFrom';
  if (('exp' in p || 'validUntil' in p) && !(typeof p.validUntil === 'string' && SECONDS_Z.test(p.validUntil) && p.exp === Date.parse(p.validUntil) / 1000)) {
    return 'exp is not validUntil';
  }
  const cs = p.credentialStatus;
  if (!cs || cs.type !== 'BitstringStatusListEntry' || cs.statusPurpose !== 'revocation' || typeof cs.statusListIndex !== 'string' ||
    !/^(0|[1-9][0-9]*)$/.test(cs.statusListIndex) || typeof cs.statusListCredential !== 'string') {
    return 'credentialStatus';
  }
  return '';
}

// Every check of CERTIFICATES.md "What an outside verifier checks", done
// here: token against jwks ({keys}) for origin, and the status list token
// when given. Returns {valid, status ('valid'|'revoked'|'unknown'), checks:
// {name: {ok, why}}, firstFailed (name or null), payload}.
export function checkCredential(token, jwks, origin, statusToken) {
  const main = checkJws(token, jwks, origin);
  const checks = { ...main.checks };
  const p = main.payload;
  const why = main.checks.format.ok ? claimProblem(p) : 'not checked: format';
  checks.claims = { ok: why === '', why };
  let status = 'unknown';
  if (statusToken === undefined || statusToken === null) {
    checks.status = { ok: true, why: 'not checked offline' };
  } else {
    const st = checkJws(statusToken, jwks, origin);
    const bad = ['format', 'header', 'key', 'signature'].find((n) => !st.checks[n].ok);
    checks.status_signature = bad ? { ok: false, why: `status list ${bad}: ${st.checks[bad].why}` } : { ok: true, why: '' };
    const sp = st.payload;
    const cs = p?.credentialStatus;
    let problem = '';
    if (bad) problem = 'not checked: status_signature';
    else if (!checks.claims.ok) problem = 'not checked: claims';
    else if (JSON.stringify(sp.type) !== JSON.stringify(['VerifiableCredential', 'BitstringStatusListCredential'])) problem = 'status list type';
    else if (sp.id !== cs.statusListCredential) problem = 'status list id';
    else if (sp.credentialSubject?.type !== 'BitstringStatusList' || sp.credentialSubject?.statusPurpose !== 'revocation') problem = 'status list subject';
    else if (sp.credentialSubject?.id !== `${cs.statusListCredential}#list`) problem = 'status list subject id';
    let bits = null;
    if (!problem) {
      try {
        bits = statusBits(sp.credentialSubject.encodedList);
      } catch (e) {
        problem = `encodedList: ${e.message}`;
      }
    }
    if (!problem && bits.length * 8 < STATUS_BITS) problem = `${bits.length * 8} bits`;
    if (!problem && Number(cs.statusListIndex) >= bits.length * 8) problem = 'index beyond the list';
    if (!problem) {
      status = bitAt(bits, Number(cs.statusListIndex)) ? 'revoked' : 'valid';
      if (status === 'revoked') problem = 'revoked';
    }
    checks.status = { ok: problem === '', why: problem };
  }
  const order = CHECK_NAMES.filter((n) => n in checks);
  const firstFailed = order.find((n) => !checks[n].ok) ?? null;
  return { valid: firstFailed === null, status, checks, firstFailed, payload: p };
}

// A verifier's answer ({checks:[{name, ok, detail}]}, the server's or
// `sinau verify`'s) → {name: ok}, and the first failed check's name.
export function okByName(list) {
  const m = {};
  for (const c of list) m[c.name] = c.ok;
  return m;
}
export const firstFailedOf = (list) => list.find((c) => !c.ok)?.name ?? null;

// `sinau verify` output ("ok   name   detail" / "FAIL name   detail" lines,
// then VALID / REVOKED / INVALID) → {checks:[{name, ok, detail}], verdict}.
export function parseVerifyOutput(stdout) {
  const checks = [];
  let verdict = null;
  for (const line of stdout.split('\n')) {
    const m = /^(ok|FAIL)\s+(\S+)\s*(.*)$/.exec(line);
    if (m) checks.push({ name: m[2], ok: m[1] === 'ok', detail: m[3] });
    else if (/^(VALID|REVOKED|INVALID)$/.test(line.trim())) verdict = line.trim();
  }
  return { checks, verdict };
}

// A temporary folder removed when the process exits.
export function tempDir(tag = 'cert') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sinau-${tag}-`));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// `sinau verify --jwks <file> [--status <file>] [--origin URL] TOKEN` with
// jwks (an object) and the status token written to files in `dir`.
let fileSeq = 0;
export async function sinauVerify(dir, token, jwks, { status, origin } = {}) {
  fileSeq += 1;
  const jwksFile = path.join(dir, `jwks-${fileSeq}.json`);
  fs.writeFileSync(jwksFile, JSON.stringify(jwks));
  const args = ['verify', '--jwks', jwksFile];
  if (status !== undefined) {
    const statusFile = path.join(dir, `status-${fileSeq}.jwt`);
    fs.writeFileSync(statusFile, status);
    args.push('--status', statusFile);
  }
  if (origin !== undefined) args.push('--origin', origin);
  args.push(token);
  const r = await runSinau(args);
  return { ...r, ...parseVerifyOutput(r.stdout) };
}

// ------------------------------------------------------------- forging ----

// A key of our own, published (in a key set we make) under a kid on
// `origin`: {privateKey, jwk (as our JWKS lists keys), kid, thumbprint}.
export function forgeKey(origin) {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x;
  const t = thumbprint(x);
  const kid = `${origin}/keys/${t}`;
  return { privateKey, kid, thumbprint: t, jwk: { kty: 'OKP', crv: 'Ed25519', x, kid, use: 'sig', alg: 'EdDSA' } };
}

// A compact JWS of `header` and `payload` (objects, or strings taken
// verbatim) signed with privateKey (none: the signature part is `sig`).
export function signJws(header, payload, privateKey, { sig } = {}) {
  const h = b64u(typeof header === 'string' ? header : JSON.stringify(header));
  const p = b64u(typeof payload === 'string' ? payload : JSON.stringify(payload));
  const s = privateKey ? b64u(crypto.sign(null, Buffer.from(`${h}.${p}`), privateKey)) : sig ?? '';
  return `${h}.${p}.${s}`;
}

// One byte of a base64url part changed: decoded, byte i xor `mask`,
// re-encoded (so the token stays three well-formed parts).
export function flipByte(token, part, i, mask = 0x01) {
  const parts = token.split('.');
  const b = Buffer.from(parts[part], 'base64url');
  b[i] ^= mask;
  parts[part] = b64u(b);
  return parts.join('.');
}

// Replaces the first occurrence of `from` by `to` (same length, so one or
// a few bytes) inside the decoded part; throws when `from` is absent.
export function replaceInPart(token, part, from, to) {
  const parts = token.split('.');
  const text = Buffer.from(parts[part], 'base64url').toString('utf8');
  assert.ok(text.includes(from), `part ${part} holds ${from}`);
  parts[part] = b64u(text.replace(from, to));
  return parts.join('.');
}

// ------------------------------------------------------------ personal ----

// Where any of `needles` (strings, compared case-insensitively) occurs in
// `text`: [] when none.
export function leaks(text, needles) {
  const low = String(text).toLowerCase();
  return needles.filter((n) => n && low.includes(String(n).toLowerCase()));
}

export { dbUrlOf };
