// Helpers for the assignment, submission and grading tests (issue 6; API.md
// "Assignments and grading"): authoring calls on a draft's assignments, a
// classroom fixture (a programme whose published version holds assignments,
// a cohort pinned to it, its instructor, confirmed participants), the
// schedule, submitting, uploading a file and reading it back byte for byte,
// grading, release, the gradebook, and files built from their magic bytes
// (PNG, JPEG, PDF, MP4 and impostors) at any size.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import http from 'node:http';
import { checkResponse } from './openapi_check.mjs';
import { call, show } from './accounts.mjs';
import { addInstructor, newInstructor, instantIn } from './cohorts.mjs';
import { expectStatus, newModule, newLesson, published, cohortOf, learner, publicSeats } from './content.mjs';
import { programme } from './cohorts.mjs';

const enc = encodeURIComponent;

// ------------------------------------------------------------ authoring ----

export const addAssignment = (base, token, moduleId, json) => call(base, 'POST', `/api/v1/modules/${enc(moduleId)}/assignments`, { token, json });
export const putAssignment = (base, token, id, json) => call(base, 'PUT', `/api/v1/assignments/${enc(id)}`, { token, json });
export const delAssignment = (base, token, id) => call(base, 'DELETE', `/api/v1/assignments/${enc(id)}`, { token });

// A valid assignment body with `over` replacing members (undefined removes).
export function assignmentBody(over = {}) {
  const body = {
    title: 'Unggah video promosi',
    instructions_md: 'Buat video **30 detik** tentang produkmu.',
    submission_types: ['text', 'url', 'file'],
    max_score: 100,
    pass_score: 70,
  };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete body[k];
    else body[k] = v;
  }
  return body;
}

// Must-succeed: resolves to the created assignment JSON.
export async function newAssignment(base, token, moduleId, over = {}) {
  return expectStatus(await addAssignment(base, token, moduleId, assignmentBody(over)), 201, `assignment ${over.title ?? ''}`);
}

// A rubric of criteria [[points of each level], …] titled K1.., L1...
export function rubricOf(levels) {
  return levels.map((pts, i) => ({ title: `K${i + 1}`, levels: pts.map((p, j) => ({ title: `L${j + 1}`, points: p })) }));
}

// ------------------------------------------------------------ classroom ----

// A programme with one module holding `lessons` lessons and `assignments`
// (bodies for assignmentBody), published, and a cohort of `seats` public
// seats pinned to that version, with an instructor and `participants`
// confirmed learners (named `names[i]` or Peserta i). Resolves to {slug,
// programme, module, lessons, assignments (draft JSON, in order), cohort,
// instructor, people: [learner]}.
// `cohort` adds members to the cohort's body (dates, say).
export async function classroom(server, admin, { assignments = [{}], lessons = 0, participants = 2, seats = 10, names, cohort: cohortOver = {} } = {}) {
  const base = server.url;
  const prog = await programme(base, admin, { publish: false });
  const module = await newModule(base, admin.token, prog.slug, 'Tugas praktik');
  const madeLessons = [];
  for (let i = 0; i < lessons; i++) madeLessons.push(await newLesson(base, admin.token, module.id, { title: `Materi ${i + 1}` }));
  const made = [];
  for (const a of assignments) made.push(await newAssignment(base, admin.token, module.id, a));
  await published(base, admin.token, prog.slug);
  const cohort = await cohortOf(base, admin, prog.slug, publicSeats(seats, { name: 'Angkatan Tugas', ...cohortOver }));
  const instructor = await newInstructor(server);
  expectStatus(await addInstructor(base, admin.token, cohort.id, instructor.id), 201, 'instructor');
  const people = [];
  for (let i = 0; i < participants; i++) people.push(await learner(base, cohort.id, { full_name: names?.[i] ?? `Peserta ${i + 1}` }));
  return { slug: prog.slug, programme: prog, module, lessons: madeLessons, assignments: made, cohort, instructor, people };
}

// ------------------------------------------------- a cohort's assignments ----

export const schedule = (base, token, cohortId, aid, json) => call(base, 'PUT', `/api/v1/cohorts/${enc(cohortId)}/assignments/${enc(aid)}/schedule`, { token, json });
export const listAssignments = (base, token, cohortId) => call(base, 'GET', `/api/v1/cohorts/${enc(cohortId)}/assignments`, { token });
export const getAssignment = (base, token, cohortId, aid) => call(base, 'GET', `/api/v1/cohorts/${enc(cohortId)}/assignments/${enc(aid)}`, { token });

// Must-succeed schedule relative to now: due and cutoff in seconds from now
// (null clears; cutoff undefined sends none).
export async function scheduleIn(base, token, cohortId, aid, dueS, cutoffS) {
  const json = { due_at: dueS === null ? null : instantIn(dueS) };
  if (cutoffS !== undefined) json.cutoff_at = cutoffS === null ? null : instantIn(cutoffS);
  return expectStatus(await schedule(base, token, cohortId, aid, json), 200, 'schedule');
}

// ---------------------------------------------------------- submissions ----

export const submit = (base, token, cohortId, aid, json = {}) => call(base, 'POST', `/api/v1/cohorts/${enc(cohortId)}/assignments/${enc(aid)}/submissions`, { token, json });
export const getSubmission = (base, token, id) => call(base, 'GET', `/api/v1/submissions/${enc(id)}`, { token });
export const listSubmissions = (base, token, cohortId, aid) => call(base, 'GET', `/api/v1/cohorts/${enc(cohortId)}/assignments/${enc(aid)}/submissions`, { token });

// Must-succeed submission; resolves to its JSON.
export async function submitted(base, token, cohortId, aid, json = { text: 'Jawaban saya.' }) {
  return expectStatus(await submit(base, token, cohortId, aid, json), 201, 'submission');
}

// PUT /api/v1/submissions/{id}/file with the raw bytes. `type` is the
// Content-Type (null sends none), `filename` goes percent-encoded into
// X-Filename (null sends none; `rawName` sends that header value as is).
export function upload(base, token, id, bytes, { type = 'application/octet-stream', filename = 'berkas.bin', rawName, timeoutMs = 60000 } = {}) {
  const headers = {};
  if (type !== null) headers['content-type'] = type;
  if (rawName !== undefined) headers['x-filename'] = rawName;
  else if (filename !== null) headers['x-filename'] = enc(filename);
  return call(base, 'PUT', `/api/v1/submissions/${enc(id)}/file`, { token, body: bytes, headers, timeoutMs });
}

// The same upload sent with Transfer-Encoding: chunked (no Content-Length),
// in chunks of `chunk` bytes. Resolves to {status, headers, text, json,
// error}; never rejects.
export async function uploadChunked(base, token, id, bytes, opts = {}) {
  const r = await sendChunked(base, token, id, bytes, opts);
  await checkResponse(new URL(`/api/v1/submissions/${enc(id)}/file`, base).href, 'PUT', r.status, r.headers['content-type'], r.json, r.text);
  return r;
}

function sendChunked(base, token, id, bytes, { type = 'application/octet-stream', filename = 'berkas.bin', chunk = 65536, timeoutMs = 60000 } = {}) {
  return new Promise((resolve) => {
    const u = new URL(`/api/v1/submissions/${enc(id)}/file`, base);
    const headers = { 'transfer-encoding': 'chunked', 'content-type': type, 'x-filename': enc(filename) };
    if (token) headers.authorization = `Bearer ${token}`;
    let done = false;
    const finish = (r) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ status: 0, headers: {}, text: '', json: undefined, error: null, ...r });
    };
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'PUT', headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        finish({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    const timer = setTimeout(() => {
      finish({ error: 'timeout' });
      req.destroy();
    }, timeoutMs);
    // the server may answer (413) and close before the whole body is sent
    req.on('error', (e) => finish({ error: e.code || e.message }));
    for (let off = 0; off < bytes.length; off += chunk) req.write(bytes.subarray(off, off + chunk));
    req.end();
  });
}

// GET with the body kept as bytes: resolves to {status, headers, body
// (Buffer), ms, error}. Never rejects.
export async function getBytes(base, token, urlPath, opts = {}) {
  const r = await fetchBytes(base, token, urlPath, opts);
  if (/json/i.test(r.headers['content-type'] ?? '')) {
    const text = r.body.toString('utf8');
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    await checkResponse(new URL(urlPath, base).href, 'GET', r.status, r.headers['content-type'], json, text);
  }
  return r;
}

function fetchBytes(base, token, urlPath, { timeoutMs = 30000 } = {}) {
  return new Promise((resolve) => {
    const u = new URL(urlPath, base);
    const t0 = performance.now();
    let done = false;
    const finish = (r) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ status: 0, headers: {}, body: Buffer.alloc(0), error: null, ...r, ms: performance.now() - t0 });
    };
    const headers = token ? { authorization: `Bearer ${token}` } : {};
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: 'GET', headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', (e) => finish({ error: e.code || e.message }));
      res.on('end', () => finish({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    const timer = setTimeout(() => {
      finish({ error: 'timeout' });
      req.destroy();
    }, timeoutMs);
    req.on('error', (e) => finish({ error: e.code || e.message }));
    req.end();
  });
}

export const getFile = (base, token, id) => getBytes(base, token, `/api/v1/submissions/${enc(id)}/file`);

// ------------------------------------------------------------- grading ----

export function gradingQueue(base, token, cohortId, query = {}) {
  const qs = new URLSearchParams(query).toString();
  return call(base, 'GET', `/api/v1/cohorts/${enc(cohortId)}/grading-queue${qs ? `?${qs}` : ''}`, { token });
}
export const grade = (base, token, id, json) => call(base, 'PUT', `/api/v1/submissions/${enc(id)}/grade`, { token, json });
export const gradeHistory = (base, token, id) => call(base, 'GET', `/api/v1/submissions/${enc(id)}/grades`, { token });
export const release = (base, token, cohortId, json = {}) => call(base, 'POST', `/api/v1/cohorts/${enc(cohortId)}/grades/release`, { token, json });
export const gradebook = (base, token, cohortId, format) => call(base, 'GET', `/api/v1/cohorts/${enc(cohortId)}/gradebook${format ? `?format=${enc(format)}` : ''}`, { token });

// ---------------------------------------------------------------- files ----

// Pseudo-random bytes from a seed (the same seed, the same bytes), so that
// a round trip is checked against content no server could guess.
export function noise(n, seed = 1) {
  const out = Buffer.alloc(n);
  let off = 0;
  let counter = 0;
  while (off < n) {
    const block = crypto.createHash('sha256').update(`${seed}:${counter++}`).digest();
    off += block.copy(out, off);
  }
  return out;
}

// `size` bytes starting with `head`, the rest noise.
function fileOf(head, size, seed) {
  const h = Buffer.from(head);
  assert.ok(size >= h.length, `a file of ${size} bytes cannot hold its ${h.length}-byte signature`);
  return Buffer.concat([h, noise(size - h.length, seed)]);
}

export const SIG = {
  png: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  jpeg: Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
  pdf: Buffer.from('%PDF-1.7\n'),
  gif: Buffer.from('GIF89a'),
  zip: Buffer.from([0x50, 0x4b, 0x03, 0x04]),
  exe: Buffer.from('MZ'),
};

// An ISO base media box header: size, 'ftyp', the major brand.
function ftyp(brand) {
  const b = Buffer.alloc(12);
  b.writeUInt32BE(24, 0);
  b.write('ftyp', 4, 'latin1');
  b.write(brand, 8, 'latin1');
  return b;
}

// A small real PNG (RGB, w x h, a gradient moved by shade) that decodes,
// unlike pngFile's noise: for signatures, logos and lesson pictures.
export function realPng(w = 40, h = 16, shade = 0) {
  const crcOf = (buf) => zlib.crc32(buf);
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crcOf(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const rows = [];
  for (let y = 0; y < h; y++) {
    const row = Buffer.alloc(1 + w * 3);
    for (let x = 0; x < w; x++) row.fill((x * 7 + y * 3 + shade) & 0xff, 1 + x * 3, 4 + x * 3);
    rows.push(row);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

export const pngFile = (size = 2048, seed = 1) => fileOf(SIG.png, size, seed);
export const jpegFile = (size = 2048, seed = 2) => fileOf(SIG.jpeg, size, seed);
export const pdfFile = (size = 2048, seed = 3) => fileOf(SIG.pdf, size, seed);
export const mp4File = (size = 4096, seed = 4, brand = 'isom') => fileOf(ftyp(brand), size, seed);
export const movFile = (size = 4096, seed = 5) => fileOf(ftyp('qt  '), size, seed);
export const htmlFile = () => Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>\n');

export function sha256hex(buf) {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

// ------------------------------------------------------------- timing ----

// The q-quantile (0..1) of numbers, nearest rank.
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

export { show };
