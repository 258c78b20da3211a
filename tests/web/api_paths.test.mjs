// The web app's API paths (issue 16, "Web"): every path the pages call comes
// from one table, `paths` in web/app/api.js, one function per route. Held
// here: each function names a route the server serves (its OpenAPI
// document, generated from the route tables), each call in the app uses a
// method that route has, no page builds an API path by hand, and the
// functions encode parameters, add queries and refuse a missing parameter.
// No browser: the table is plain JavaScript and the app's files are text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SOURCE_DIR, startServer, request } from '../api/lib/harness.mjs';

const APP = path.join(SOURCE_DIR, 'web', 'app');
const { paths } = await import(pathToFileURL(path.join(APP, 'api.js')).href);

let server;
let doc;

before(async () => {
  server = await startServer();
  const r = await request(`${server.url}/api/openapi.json`);
  assert.equal(r.status, 200);
  doc = r.json;
});

after(async () => {
  await server?.stop();
});

// '/api/v1/cohorts/{id}/quizzes/{quiz_id}' → '/api/v1/cohorts/{}/quizzes/{}'
const shape = (p) => p.replace(/\{[^}]+\}/g, '{}');

// The methods the server serves on each path shape.
function served() {
  const out = new Map();
  for (const [pattern, item] of Object.entries(doc.paths)) {
    out.set(shape(pattern), new Set(Object.keys(item).map((m) => m.toUpperCase())));
  }
  return out;
}

// The template a path function was made from: call it with '{}' for every
// parameter ('%7B%7D' once encoded) until it stops throwing.
function template(fn) {
  for (let n = 0; n < 5; n++) {
    try {
      return fn(...Array(n).fill('{}')).replaceAll('%7B%7D', '{}');
    } catch {
      /* one parameter more */
    }
  }
  throw new Error('no arity up to 5 works');
}

function appFiles(dir = APP) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...appFiles(p));
    else if (e.name.endsWith('.js')) out.push(p);
  }
  return out;
}

// A file's text without its comments (line comments outside strings are
// enough for this code base: no block comments, no '//' in a regex).
function code(file) {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => !/^\s*\/\//.test(line))
    .join('\n');
}

test('every path function names a route the server serves', () => {
  const routes = served();
  const names = Object.keys(paths);
  assert.ok(names.length >= 80, `the table holds the app's routes (${names.length})`);
  for (const name of names) {
    const t = template(paths[name]);
    assert.ok(routes.has(t), `paths.${name} → ${t} is not a route of the server`);
  }
});

test('every call in the app uses a method its route has, and a function of the table', () => {
  const routes = served();
  let calls = 0;
  for (const file of appFiles()) {
    const src = code(file);
    for (const m of src.matchAll(/\bpaths\.(\w+)\b/g)) {
      assert.ok(typeof paths[m[1]] === 'function', `${path.basename(file)}: paths.${m[1]} is not in the table`);
    }
    for (const m of src.matchAll(/\bapi\(\s*'([A-Z]+)',\s*paths\.(\w+)\(/g)) {
      const [, method, name] = m;
      const methods = routes.get(template(paths[name]));
      assert.ok(methods && methods.has(method), `${path.basename(file)}: ${method} ${template(paths[name])} is not served`);
      calls += 1;
    }
  }
  assert.ok(calls >= 100, `the app's calls were found (${calls})`);
});

test('no page builds an API path by hand', () => {
  for (const file of appFiles()) {
    if (path.basename(file) === 'api.js') continue;
    const src = code(file);
    assert.doesNotMatch(src, /['`"]\/api\//, `${path.relative(APP, file)} writes an /api/ path itself`);
    // the relative form api() also takes: api('GET', '/me') or `/cohorts/${…}`
    assert.doesNotMatch(src, /\bapi(Upload)?\(\s*('[A-Z]+',\s*)?['`]\//, `${path.relative(APP, file)} passes a literal path to api()`);
  }
});

test('parameters are encoded as one segment, queries added, a missing parameter refused', () => {
  assert.equal(paths.cohortQuiz('c 1', 'q/9'), '/api/v1/cohorts/c%201/quizzes/q%2F9');
  assert.equal(paths.meJpTranscript(2026), '/api/v1/me/jp/2026/transcript');
  assert.equal(paths.users({ role: 'instructor', limit: 200, cursor: null, q: '' }), '/api/v1/users?role=instructor&limit=200');
  assert.equal(paths.messages(new URLSearchParams({ state: 'failed' })), '/api/v1/messages?state=failed');
  assert.equal(paths.cohortGradebook('c1', 'format=csv'), '/api/v1/cohorts/c1/gradebook?format=csv');
  assert.equal(paths.programmes({}), '/api/v1/programmes');
  assert.throws(() => paths.cohort(undefined), TypeError);
  assert.throws(() => paths.cohortLesson('c1', ''), TypeError);
});
