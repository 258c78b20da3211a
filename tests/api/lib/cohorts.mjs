// Helpers for the programme, cohort and registration tests (issue 4; API.md
// "Programmes, cohorts, registration"): valid identity numbers, instants and
// dates relative to now, programmes and cohorts made by an admin, crowds of
// participants with the profile a segment needs, registration calls, the
// registration list and its CSV, and the fairness log with its hash chain
// (recomputed here independently of the server, and checked with
// `sinau audit verify`).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { call, show, newParticipant, putProfile, cliUserCreate, dbUrlOf, signedIn, uniqueEmail, PASSWORD } from './accounts.mjs';
import { runSinau } from './probe.mjs';

// ------------------------------------------------------ identity numbers ----

let nikSerial = 0;
// A valid NIK, unique within this process: region (6 digits, default 357301:
// Jawa Timur, Kota Malang, district 01), birth date 01-01-90 (day + 40 for
// women), and a fresh serial 0001..9999.
export function nik(region = '357301') {
  nikSerial += 1;
  if (nikSerial > 9999) throw new Error('nik(): out of serials');
  return `${region}010190${String(nikSerial).padStart(4, '0')}`;
}

let nipSerial = 0;
// A valid NIP, unique within this process: born 1985-01-01, appointed
// 2010-01, male, serial 001..999 (then the birth day moves on).
export function nip() {
  nipSerial += 1;
  const day = 1 + Math.floor((nipSerial - 1) / 999);
  const serial = ((nipSerial - 1) % 999) + 1;
  if (day > 28) throw new Error('nip(): out of serials');
  return `198501${String(day).padStart(2, '0')}2010011${String(serial).padStart(3, '0')}`;
}

// ---------------------------------------------------------- time values ----

// An RFC 3339 instant `seconds` from now (negative: in the past).
export function instantIn(seconds) {
  return new Date(Date.now() + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// A calendar date (YYYY-MM-DD, UTC) `days` from today.
export function dateIn(days) {
  return new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
}

// ------------------------------------------------------------- accounts ----

// An instructor made with the command line, signed in.
export async function newInstructor(server, { email = uniqueEmail('instr'), name = 'Guru Pengajar' } = {}) {
  const r = await cliUserCreate(dbUrlOf(server), { email, name, role: 'instructor' });
  if (r.code !== 0) throw new Error(`sinau user create (instructor) exited ${r.code}: ${r.stderr}`);
  return signedIn(server.url, email, PASSWORD);
}

// The profile that makes a participant eligible for a segment.
export function profileFor(segment, { region } = {}) {
  if (segment === 'asn') return { nip: nip() };
  if (segment === 'umkm') return { business_name: 'Warung Bu Sri' };
  if (segment === 'public') return { nik: nik(region) };
  return {};
}

// A participant signed up, logged in and given `profile` (or the profile of
// `segment`). Resolves to newParticipant's shape plus {profile}.
export async function participant(base, { segment, profile, full_name = 'Budi Santoso', region } = {}) {
  const p = await newParticipant(base, { full_name });
  const prof = profile ?? (segment ? profileFor(segment, { region }) : null);
  if (prof && Object.keys(prof).length) {
    const r = await putProfile(base, p.token, prof);
    if (r.status !== 200) throw new Error(`profile ${JSON.stringify(prof)}: ${show(r)}`);
  }
  return { ...p, profile: prof };
}

// n participants, made `width` at a time (so that the crowd exists before
// it races). opts as participant(); full_name gets the index appended.
export async function participants(base, n, opts = {}, width = 10) {
  const out = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      out[i] = await participant(base, { ...opts, full_name: `${opts.full_name ?? 'Peserta'} ${i + 1}` });
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, n) }, worker));
  return out;
}

// ------------------------------------------------ programmes and cohorts ----

let slugSeq = 0;
export function uniqueSlug(tag = 'prog') {
  slugSeq += 1;
  return `${tag}-${process.pid}-${slugSeq}-${crypto.randomBytes(2).toString('hex')}`;
}

export function createProgramme(base, token, json) {
  return call(base, 'POST', '/api/v1/programmes', { token, json });
}

// A programme that must be created, with a published (empty) content
// version unless publish is false; resolves to its JSON.
export async function programme(base, admin, { slug = uniqueSlug(), title = 'Pelatihan Digital UMKM', description, publish = true } = {}) {
  const json = { slug, title };
  if (description !== undefined) json.description = description;
  const r = await createProgramme(base, admin.token, json);
  if (r.status !== 201) throw new Error(`programme ${slug}: ${show(r)}`);
  if (publish) await publishVersion(base, admin.token, slug);
  return r.json;
}

// Publishes the programme's (possibly empty) draft as a content version:
// API.md "Content" refuses cohorts of a programme without one (422
// no_published_version). A server without the content routes (404/405)
// needs none. Resolves to the response.
export async function publishVersion(base, token, slug) {
  const r = await call(base, 'POST', `/api/v1/programmes/${encodeURIComponent(slug)}/versions`, { token });
  if (r.status !== 201 && r.status !== 404 && r.status !== 405) throw new Error(`publish ${slug}: ${show(r)}`);
  return r;
}

// A cohort body whose registration window is open now, with the given
// members replacing the defaults (undefined removes a member).
export function cohortBody(over = {}) {
  const body = {
    name: 'Angkatan 1',
    registration_opens_at: instantIn(-3600),
    registration_closes_at: instantIn(7 * 86400),
    starts_on: dateIn(14),
    ends_on: dateIn(44),
    jp: 32,
    segments: [
      { segment: 'asn', quota: 5, waitlist: true },
      { segment: 'umkm', quota: 5, waitlist: true },
      { segment: 'public', quota: 5, waitlist: true },
    ],
  };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete body[k];
    else body[k] = v;
  }
  return body;
}

export function createCohort(base, token, slug, json) {
  return call(base, 'POST', `/api/v1/programmes/${encodeURIComponent(slug)}/cohorts`, { token, json });
}

// A new programme with one cohort (cohortBody(over)); resolves to the cohort
// JSON plus {slug}.
export async function cohort(base, admin, over = {}, { slug } = {}) {
  const p = slug ? { slug } : await programme(base, admin);
  const r = await createCohort(base, admin.token, p.slug, cohortBody(over));
  if (r.status !== 201) throw new Error(`cohort in ${p.slug}: ${show(r)}`);
  return { ...r.json, slug: p.slug };
}

export function getCohort(base, id, opts = {}) {
  return call(base, 'GET', `/api/v1/cohorts/${encodeURIComponent(id)}`, opts);
}

// The public seat counts of a cohort: {segment: {quota, waitlist, confirmed,
// waitlisted, seats_left}}.
export async function seats(base, id) {
  const r = await getCohort(base, id);
  if (r.status !== 200) throw new Error(`GET cohort ${id}: ${show(r)}`);
  return Object.fromEntries(r.json.segments.map((s) => [s.segment, s]));
}

export function setQuota(base, token, id, segment, json) {
  return call(base, 'PUT', `/api/v1/cohorts/${encodeURIComponent(id)}/segments/${encodeURIComponent(segment)}`, { token, json });
}

export function addInstructor(base, token, id, userId) {
  return call(base, 'POST', `/api/v1/cohorts/${encodeURIComponent(id)}/instructors`, { token, json: { user_id: userId } });
}

// ---------------------------------------------------------- registering ----

// POST /api/v1/cohorts/{id}/registrations; `key` sends Idempotency-Key;
// `json` replaces the body {segment}.
export function register(base, token, cohortId, segment, { key, json, ...opts } = {}) {
  const headers = key !== undefined ? { 'idempotency-key': key } : {};
  return call(base, 'POST', `/api/v1/cohorts/${encodeURIComponent(cohortId)}/registrations`, {
    token, json: json ?? { segment }, headers, timeoutMs: 30000, ...opts,
  });
}

export function cancel(base, token, regId) {
  return call(base, 'DELETE', `/api/v1/registrations/${encodeURIComponent(regId)}`, { token });
}

export function accept(base, token, regId) {
  return call(base, 'POST', `/api/v1/registrations/${encodeURIComponent(regId)}/accept`, { token });
}

// The participant's registration in a cohort (from /me/registrations), or
// undefined.
export async function myRegistration(base, token, cohortId) {
  const r = await call(base, 'GET', '/api/v1/me/registrations', { token });
  if (r.status !== 200) throw new Error(`GET /me/registrations: ${show(r)}`);
  const live = r.json.items.filter((x) => x.cohort_id === cohortId && ['confirmed', 'waitlisted', 'offered'].includes(x.status));
  return live[0] ?? r.json.items.find((x) => x.cohort_id === cohortId);
}

// GET /api/v1/cohorts/{id}/registrations with a query object.
export function listRegistrations(base, token, cohortId, query = {}) {
  const qs = new URLSearchParams(query).toString();
  return call(base, 'GET', `/api/v1/cohorts/${encodeURIComponent(cohortId)}/registrations${qs ? `?${qs}` : ''}`, { token });
}

// Every registration of a cohort (following next_cursor), in seq order.
export async function allRegistrations(base, token, cohortId, query = {}) {
  const items = [];
  let cursor;
  for (let page = 0; page < 100; page++) {
    const r = await listRegistrations(base, token, cohortId, { ...query, limit: 200, ...(cursor ? { cursor } : {}) });
    if (r.status !== 200) throw new Error(`registration list: ${show(r)}`);
    items.push(...r.json.items);
    cursor = r.json.next_cursor;
    if (!cursor) return items;
  }
  throw new Error('registration list: more than 100 pages');
}

// ---------------------------------------------------------------- CSV ----

// Parses CSV with `sep` (quotes doubled inside quoted fields, CRLF or LF
// rows). Returns rows of strings; throws on a stray quote.
export function parseCsv(text, sep = ';') {
  const rows = [];
  let row = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i += 1;
        if (i < text.length && text[i] !== sep && text[i] !== '\r' && text[i] !== '\n') {
          throw new Error(`CSV: text after a closing quote at ${i}`);
        }
        continue;
      }
      field += ch;
      i += 1;
      continue;
    }
    if (ch === '"') {
      if (field !== '') throw new Error(`CSV: a quote inside an unquoted field at ${i}`);
      quoted = true;
      i += 1;
    } else if (ch === sep) {
      row.push(field);
      field = '';
      i += 1;
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else {
      field += ch;
      i += 1;
    }
  }
  if (quoted) throw new Error('CSV: unterminated quoted field');
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

// ------------------------------------------------------- fairness log ----

// GET .../allocation-log as admin: {status, text, entries (parsed lines),
// head (X-Chain-Head), res}.
export async function allocationLog(base, token, cohortId) {
  const r = await call(base, 'GET', `/api/v1/cohorts/${encodeURIComponent(cohortId)}/allocation-log`, { token });
  const entries = r.status === 200 ? r.text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l)) : [];
  return { status: r.status, text: r.text, entries, head: r.headers['x-chain-head'], res: r };
}

export function logHead(base, cohortId, opts = {}) {
  return call(base, 'GET', `/api/v1/cohorts/${encodeURIComponent(cohortId)}/allocation-log/head`, opts);
}

export const GENESIS = '0'.repeat(64);

// The chain as hashchain.h defines it, recomputed here: hash(i) =
// SHA-256(bytes(hash(i-1)) ‖ "seq|at|segment|outcome|user|registration"),
// from 64 zeros. Returns {ok, head, line (1-based failing line), why}.
export function recomputeChain(entries) {
  let prev = GENESIS;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (e.prev !== prev) return { ok: false, head: prev, line: i + 1, why: 'prev' };
    const line = [e.seq, e.at, e.segment, e.outcome, e.user, e.registration].map((v) => (v === null || v === undefined ? '' : String(v))).join('|');
    const h = crypto.createHash('sha256').update(Buffer.from(prev, 'hex')).update(line, 'utf8').digest('hex');
    if (e.hash !== h) return { ok: false, head: prev, line: i + 1, why: 'hash' };
    prev = h;
  }
  return { ok: true, head: prev };
}

// `sinau audit verify` on `text` written to a temporary file; resolves to
// runSinau's result.
export async function auditVerify(text) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sinau-audit-'));
  const file = path.join(dir, 'allocation-log.ndjson');
  try {
    fs.writeFileSync(file, text);
    return await runSinau(['audit', 'verify', file]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Counts of values: {value: n}.
export function tally(values) {
  const out = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
