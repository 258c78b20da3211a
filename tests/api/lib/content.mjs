// Helpers for the content, learning and live-session tests (issue 5; API.md
// "Content" and "Learning"): authoring calls on a programme's draft,
// publishing, programmes with content built from a short outline, cohorts
// pinned to a version, learners with a confirmed (or waitlisted)
// registration, the learning calls, live sessions and check-in codes, an
// iCalendar reader that checks the framing (CRLF, folding at 75 octets,
// whole UTF-8 characters) independently of the server, an HTML checker for
// rendered Markdown, and a psql session kept open (to hold a lock).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { PGBIN } from './harness.mjs';
import { call, show, dbUrlOf } from './accounts.mjs';
import { programme, createCohort, cohortBody, participant, register } from './cohorts.mjs';

const enc = encodeURIComponent;

// Asserts r.status === status (with the response and `what` in the message);
// returns r.json.
export function expectStatus(r, status, what = '') {
  assert.equal(r.status, status, `${what}: expected ${status}, got ${show(r)}`);
  return r.json;
}

// Asserts an error response {error:{code}} with this status and code.
export function expectError(r, status, code, what = '') {
  assert.equal(r.status, status, `${what}: expected ${status} ${code}, got ${show(r)}`);
  assert.equal(r.json?.error?.code, code, `${what}: expected error code ${code}, got ${show(r)}`);
}

// ------------------------------------------------------------ authoring ----

export const getDraft = (base, token, slug) => call(base, 'GET', `/api/v1/programmes/${enc(slug)}/draft`, { token });
export const addModule = (base, token, slug, json) => call(base, 'POST', `/api/v1/programmes/${enc(slug)}/modules`, { token, json });
export const putModule = (base, token, id, json) => call(base, 'PUT', `/api/v1/modules/${enc(id)}`, { token, json });
export const delModule = (base, token, id) => call(base, 'DELETE', `/api/v1/modules/${enc(id)}`, { token });
export const addLesson = (base, token, moduleId, json) => call(base, 'POST', `/api/v1/modules/${enc(moduleId)}/lessons`, { token, json });
export const putLesson = (base, token, id, json) => call(base, 'PUT', `/api/v1/lessons/${enc(id)}`, { token, json });
export const delLesson = (base, token, id) => call(base, 'DELETE', `/api/v1/lessons/${enc(id)}`, { token });
export const previewMd = (base, token, body_md) => call(base, 'POST', '/api/v1/markdown/preview', { token, json: { body_md } });
export const getProgramme = (base, slug, opts = {}) => call(base, 'GET', `/api/v1/programmes/${enc(slug)}`, opts);

// POST …/versions; `json` (e.g. {}) is sent when given, else an empty body.
export function publish(base, token, slug, { json, body } = {}) {
  return call(base, 'POST', `/api/v1/programmes/${enc(slug)}/versions`, { token, json, body, timeoutMs: 30000 });
}

export function moveCohort(base, token, cohortId, version, { json } = {}) {
  return call(base, 'PUT', `/api/v1/cohorts/${enc(cohortId)}/content-version`, { token, json: json ?? { version } });
}

// Must-succeed versions of the above; each resolves to the created JSON.
export async function newModule(base, token, slug, title = 'Modul', extra = {}) {
  return expectStatus(await addModule(base, token, slug, { title, ...extra }), 201, `module ${title}`);
}

export async function newLesson(base, token, moduleId, { title = 'Pelajaran', body_md = `Isi ${title}.`, ...extra } = {}) {
  return expectStatus(await addLesson(base, token, moduleId, { title, body_md, ...extra }), 201, `lesson ${title}`);
}

export async function published(base, token, slug) {
  const v = expectStatus(await publish(base, token, slug), 201, `publish ${slug}`);
  return v;
}

export async function draftOf(base, token, slug) {
  return expectStatus(await getDraft(base, token, slug), 200, `draft of ${slug}`);
}

// A programme (no version published by the helper) whose draft follows
// `outline`: [{title, lessons: [{title, body_md?, video_url?, duration_minutes?}]}],
// then published unless publish is false. Resolves to {slug, programme,
// modules: [module JSON + {lessons: [lesson JSON]}], lessons (all, in
// reading order), version (publish answer or null)}.
export async function contentProgramme(base, admin, outline, { publish: doPublish = true } = {}) {
  const prog = await programme(base, admin, { publish: false });
  const modules = [];
  const lessons = [];
  for (const m of outline) {
    const mod = await newModule(base, admin.token, prog.slug, m.title, m.position !== undefined ? { position: m.position } : {});
    mod.lessons = [];
    for (const l of m.lessons ?? []) {
      const les = await newLesson(base, admin.token, mod.id, l);
      mod.lessons.push(les);
      lessons.push(les);
    }
    modules.push(mod);
  }
  const version = doPublish ? await published(base, admin.token, prog.slug) : null;
  return { slug: prog.slug, programme: prog, modules, lessons, version };
}

// An outline of n modules with `per` lessons each, titled M1, M1.L1, ….
export function outlineOf(n, per) {
  return Array.from({ length: n }, (_, i) => ({
    title: `M${i + 1}`,
    lessons: Array.from({ length: per }, (_, j) => ({ title: `M${i + 1}.L${j + 1}`, body_md: `Materi **M${i + 1}.L${j + 1}**.` })),
  }));
}

// A cohort of `slug` (which must have a published version); `over` as
// cohortBody. Resolves to the cohort JSON.
export async function cohortOf(base, admin, slug, over = {}) {
  return expectStatus(await createCohort(base, admin.token, slug, cohortBody(over)), 201, `cohort in ${slug}`);
}

// A cohort body with one `public` segment of `quota` seats and a waitlist.
export function publicSeats(quota, over = {}) {
  return { segments: [{ segment: 'public', quota, waitlist: true }], ...over };
}

// A new participant (NIK profile) registered in the `public` segment of a
// cohort, whose registration must come out `status` ('confirmed' or
// 'waitlisted'). Resolves to the participant plus {registration}.
export async function learner(base, cohortId, { status = 'confirmed', full_name = 'Peserta Belajar' } = {}) {
  const p = await participant(base, { segment: 'public', full_name });
  const r = await register(base, p.token, cohortId, 'public');
  const reg = expectStatus(r, 201, 'registration');
  assert.equal(reg.status, status, `registration status: ${show(r)}`);
  return { ...p, registration: reg };
}

// ------------------------------------------------------------- learning ----

export const learnModules = (base, token, cohortId) => call(base, 'GET', `/api/v1/cohorts/${enc(cohortId)}/modules`, { token });
export const learnLesson = (base, token, cohortId, lessonId) => call(base, 'GET', `/api/v1/cohorts/${enc(cohortId)}/lessons/${enc(lessonId)}`, { token });
export const complete = (base, token, cohortId, lessonId, opts = {}) => call(base, 'POST', `/api/v1/cohorts/${enc(cohortId)}/lessons/${enc(lessonId)}/complete`, { token, ...opts });
export const progress = (base, token, cohortId) => call(base, 'GET', `/api/v1/cohorts/${enc(cohortId)}/progress`, { token });

// The lesson ids of a module tree, in tree order.
export function treeLessonIds(tree) {
  return tree.modules.flatMap((m) => m.lessons.map((l) => l.id));
}

// ------------------------------------------------------- live sessions ----

export const createSession = (base, token, cohortId, json) => call(base, 'POST', `/api/v1/cohorts/${enc(cohortId)}/sessions`, { token, json });
export const listSessions = (base, token, cohortId) => call(base, 'GET', `/api/v1/cohorts/${enc(cohortId)}/sessions`, { token });
export const openCheckin = (base, token, sessionId, json) => call(base, 'POST', `/api/v1/sessions/${enc(sessionId)}/checkin`, { token, json });
export const checkin = (base, token, sessionId, code) => call(base, 'POST', `/api/v1/sessions/${enc(sessionId)}/attendance`, { token, json: { code } });
export const attendanceOf = (base, token, cohortId) => call(base, 'GET', `/api/v1/cohorts/${enc(cohortId)}/attendance`, { token });
export const calendarOf = (base, cohortId, opts = {}) => call(base, 'GET', `/api/v1/cohorts/${enc(cohortId)}/calendar.ics`, opts);

// A six-digit code that is not `code`.
export function otherCode(code) {
  return String((Number(code) + 1) % 1000000).padStart(6, '0');
}

// --------------------------------------------------------- iCalendar ----

// Reads an iCalendar text strictly (RFC 5545 §3.1): every line ends in CRLF,
// no physical line is longer than 75 octets, a fold never splits a UTF-8
// character (each physical line decodes on its own). Returns {problems
// (framing faults found), physical (lines), lines (unfolded content lines as
// {name, params, value, raw}), calendars, events ([{NAME: [values]}])}.
export function parseIcs(text) {
  const problems = [];
  const bytes = Buffer.from(text, 'utf8');
  if (!text.endsWith('\r\n')) problems.push('the text does not end with CRLF');
  const physical = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a) {
      if (i === 0 || bytes[i - 1] !== 0x0d) problems.push(`a bare LF at octet ${i}`);
      physical.push(bytes.subarray(start, i > 0 && bytes[i - 1] === 0x0d ? i - 1 : i));
      start = i + 1;
    } else if (bytes[i] === 0x0d && bytes[i + 1] !== 0x0a) {
      problems.push(`a bare CR at octet ${i}`);
    }
  }
  if (start < bytes.length) physical.push(bytes.subarray(start));
  const dec = new TextDecoder('utf-8', { fatal: true });
  const physText = [];
  physical.forEach((b, n) => {
    if (b.length > 75) problems.push(`line ${n + 1} has ${b.length} octets`);
    try {
      physText.push(dec.decode(b));
    } catch {
      problems.push(`line ${n + 1} is not whole UTF-8 (a fold split a character?)`);
      physText.push(b.toString('utf8'));
    }
  });
  const unfolded = [];
  for (const l of physText) {
    if ((l.startsWith(' ') || l.startsWith('\t')) && unfolded.length) unfolded[unfolded.length - 1] += l.slice(1);
    else unfolded.push(l);
  }
  const lines = [];
  for (const raw of unfolded) {
    if (raw === '') continue;
    const colon = indexOfUnquoted(raw, ':');
    if (colon < 0) {
      problems.push(`a content line without ':': ${JSON.stringify(raw)}`);
      continue;
    }
    const [name, ...params] = raw.slice(0, colon).split(';');
    lines.push({ name: name.toUpperCase(), params, value: raw.slice(colon + 1), raw });
  }
  const events = [];
  let calendars = 0;
  let depth = [];
  let ev = null;
  for (const l of lines) {
    if (l.name === 'BEGIN') {
      depth.push(l.value);
      if (l.value === 'VCALENDAR') calendars += 1;
      if (l.value === 'VEVENT') ev = {};
    } else if (l.name === 'END') {
      const open = depth.pop();
      if (open !== l.value) problems.push(`END:${l.value} closes ${open}`);
      if (l.value === 'VEVENT' && ev) {
        events.push(ev);
        ev = null;
      }
    } else if (ev) {
      (ev[l.name] ??= []).push(l.value);
    }
  }
  if (depth.length) problems.push(`unclosed: ${depth.join(',')}`);
  return { problems, physical: physText, lines, calendars, events };
}

function indexOfUnquoted(s, ch) {
  let q = false;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '"') q = !q;
    else if (s[i] === ch && !q) return i;
  }
  return -1;
}

// The value of an RFC 5545 TEXT property, unescaped; throws on a backslash
// that escapes nothing allowed, or an unescaped ',' or ';' (which would
// split the value into several).
export function icsText(value) {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\') {
      const n = value[++i];
      if (n === 'n' || n === 'N') out += '\n';
      else if (n === '\\' || n === ';' || n === ',') out += n;
      else throw new Error(`bad escape \\${n} in ${JSON.stringify(value)}`);
    } else if (c === ',' || c === ';') {
      throw new Error(`unescaped ${c} in TEXT ${JSON.stringify(value)}`);
    } else out += c;
  }
  return out;
}

// "YYYYMMDDTHHMMSSZ" → epoch milliseconds; throws when not a UTC form.
export function icsUtc(value) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) throw new Error(`not a UTC DATE-TIME: ${value}`);
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

// ------------------------------------------------------- rendered HTML ----

// What cmark-gfm's HTML renderer emits for Markdown (no raw HTML), with the
// table and strikethrough extensions (issue 12), images loading lazily.
const SAFE_TAGS = new Set(['p', 'a', 'em', 'strong', 'code', 'pre', 'ul', 'ol', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'blockquote', 'img', 'br', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'del']);
const SAFE_ATTRS = new Set(['href', 'src', 'alt', 'title', 'start', 'class', 'loading', 'align']);
const SAFE_SCHEMES = new Set(['http', 'https', 'mailto']);

function decodeEntities(s) {
  const named = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", colon: ':', tab: '\t', newline: '\n', nbsp: '\u00a0' };
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);?/gi, (m, e) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(cp) && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return named[e.toLowerCase()] ?? m;
  });
}

// The scheme a browser would see in an href/src value (after entity
// decoding, percent-decoding and dropping whitespace and control
// characters), or null for a relative reference.
export function urlScheme(value) {
  let v = decodeEntities(value);
  try {
    v = decodeURIComponent(v);
  } catch {
    /* keep it */
  }
  // eslint-disable-next-line no-control-regex
  v = v.replace(/[\u0000-\u0020\u007f-\u00a0]/g, '');
  const m = /^([^:/?#]*):/.exec(v);
  return m ? m[1].toLowerCase() : null;
}

// Everything in `html` that could run or load something it should not: a
// tag Markdown does not produce, an attribute other than href/src/alt/
// title/start/class (event handlers above all), a link or image target with
// a scheme other than http, https or mailto. [] when inert.
export function htmlProblems(html) {
  const problems = [];
  for (const m of html.matchAll(/<\s*\/?\s*([a-zA-Z][\w:-]*)([^>]*)>/g)) {
    const tag = m[1].toLowerCase();
    if (!SAFE_TAGS.has(tag)) problems.push(`tag <${tag}>: ${m[0]}`);
    for (const a of m[2].matchAll(/([^\s"'=<>/]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?/g)) {
      const name = a[1].toLowerCase();
      let value = a[2] ?? '';
      if (/^["']/.test(value)) value = value.slice(1, -1);
      if (!SAFE_ATTRS.has(name)) problems.push(`attribute ${name} in ${m[0]}`);
      if (name === 'href' || name === 'src') {
        const scheme = urlScheme(value);
        if (scheme !== null && !SAFE_SCHEMES.has(scheme)) problems.push(`${name} with scheme ${scheme}: ${m[0]}`);
      }
    }
  }
  if (/<\s*script/i.test(html)) problems.push('a <script> tag');
  return problems;
}

// The href values of the links in `html` (entity-decoded).
export function hrefs(html) {
  return [...html.matchAll(/<a\s[^>]*href="([^"]*)"/g)].map((m) => decodeEntities(m[1]));
}

// -------------------------------------------------- a psql session open ----

// A psql process kept open on the server's database, for holding a lock
// across requests. run(sql) sends statements and resolves to their output
// once psql has executed them; close() ends it.
export function psqlSession(server) {
  const proc = spawn(path.join(PGBIN, 'psql'), ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=0', '-d', dbUrlOf(server)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let mark = 0;
  const waiters = [];
  proc.stdout.setEncoding('utf8');
  proc.stderr.setEncoding('utf8');
  proc.stdout.on('data', (c) => {
    out += c;
    for (const w of [...waiters]) w();
  });
  proc.stderr.on('data', (c) => (err += c));
  return {
    proc,
    stderr: () => err,
    run(sqlText, timeoutMs = 10000) {
      mark += 1;
      const token = `__mark_${mark}__`;
      const from = out.length;
      proc.stdin.write(`${sqlText}\n\\echo ${token}\n`);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`psql session: no answer to ${sqlText} in ${timeoutMs} ms; stderr: ${err}`)), timeoutMs);
        const w = () => {
          const i = out.indexOf(token, from);
          if (i >= 0) {
            clearTimeout(timer);
            waiters.splice(waiters.indexOf(w), 1);
            resolve(out.slice(from, i).trim());
          }
        };
        waiters.push(w);
        w();
      });
    },
    close() {
      try {
        proc.stdin.end('\\q\n');
      } catch {
        /* gone */
      }
      setTimeout(() => proc.kill('SIGKILL'), 2000).unref();
    },
  };
}
