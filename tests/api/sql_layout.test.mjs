// Where the schema's code lives (issue 16, "SQL with one home"): every SQL
// function is defined in exactly one file; `sinau migrate` applies a changed
// function file and nothing else; a database made by the schema as it stood
// before the move (fixtures/v7, made by fixtures/make_v7.mjs) upgrades to
// today's layout with every row intact and every service working on it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { SOURCE_DIR, PGBIN, freshDatabase, psql, testEnv, conninfoWithDb, startServer } from './lib/harness.mjs';
import { runSinau } from './lib/probe.mjs';
import { signedIn, call, me, show } from './lib/accounts.mjs';
import { getBytes, pdfFile, sha256hex } from './lib/assignments.mjs';

const SQL_DIR = path.join(SOURCE_DIR, 'sql');
const FIXTURE = path.join(SOURCE_DIR, 'tests', 'api', 'fixtures', 'v7');

const emptyDbs = [];
async function emptyDatabase() {
  const { admin } = testEnv();
  const name = `t_${crypto.randomBytes(8).toString('hex')}`; // dev.sh reaps t_<16 hex> leftovers
  await psql(admin, `CREATE DATABASE "${name}"`);
  emptyDbs.push(name);
  return { name, url: conninfoWithDb(admin, name) };
}

after(async () => {
  const { admin } = testEnv();
  for (const n of emptyDbs) await psql(admin, `DROP DATABASE IF EXISTS "${n}" WITH (FORCE)`).catch(() => {});
});

// Every `create [or replace] function NAME` in the .sql files under dir,
// as [{file, name}].
function definitions(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.sql')) continue;
    const file = path.join(entry.parentPath ?? entry.path, entry.name);
    const text = fs.readFileSync(file, 'utf8').replace(/--[^\n]*/g, '');
    for (const m of text.matchAll(/\bcreate\s+(?:or\s+replace\s+)?function\s+([a-z0-9_]+)\s*\(/gi)) {
      out.push({ file: path.relative(SOURCE_DIR, file), name: m[1].toLowerCase() });
    }
  }
  return out;
}

// Our functions in a database: public schema, not an extension's.
async function dbFunctions(url) {
  const out = await psql(url, `select distinct p.proname from pg_proc p
      join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'public'
       and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
     order by 1`);
  return out.split('\n').filter(Boolean);
}

function migrateCounts(stderr) {
  const m = /migrate: (\d+) applied, (\d+) function files applied/.exec(stderr);
  assert.ok(m, `the summary line in: ${stderr}`);
  return { migrations: Number(m[1]), functions: Number(m[2]) };
}

const appliedFiles = (stderr) => [...stderr.matchAll(/applied functions\/([a-z0-9_]+\.sql)/g)].map((m) => m[1]).sort();
const functionFiles = () => fs.readdirSync(path.join(SQL_DIR, 'functions')).filter((f) => f.endsWith('.sql')).sort();
const fileSha = (f) => crypto.createHash('sha256').update(fs.readFileSync(path.join(SQL_DIR, 'functions', f))).digest('hex');

test('every SQL function is defined in exactly one file, and the database has exactly those', async () => {
  const defs = definitions(SQL_DIR);
  const byName = new Map();
  for (const d of defs) byName.set(d.name, [...(byName.get(d.name) ?? []), d.file]);
  const twice = [...byName].filter(([, files]) => files.length > 1);
  assert.deepEqual(twice, [], 'functions defined more than once');
  // outside the schema's own few (defaults, triggers, check constraints),
  // every function lives in sql/functions
  const inMigrations = defs.filter((d) => d.file.includes('/migrations/')).map((d) => d.name).sort();
  assert.ok(inMigrations.length <= 6, `schema functions in migrations: ${inMigrations}`);
  const db = await freshDatabase();
  assert.deepEqual(await dbFunctions(db.url), [...byName.keys()].sort(), 'the migrated database holds exactly the functions in sql/');
});

test('migrate applies a changed function file and nothing else', async () => {
  const db = await freshDatabase();
  // learning.sql as if it had changed since it was applied, and one of its
  // functions gone: only that file must be applied, and it brings it back
  await psql(db.url, "update schema_functions set sha256 = 'stale' where name = 'learning.sql'; drop function learn_progress(text, text)");
  const r = await runSinau(['migrate'], { env: { DATABASE_URL: db.url } });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(migrateCounts(r.stderr), { migrations: 0, functions: 1 });
  assert.deepEqual(appliedFiles(r.stderr), ['learning.sql']);
  assert.ok((await dbFunctions(db.url)).includes('learn_progress'), 'the dropped function is back');
  const recorded = await psql(db.url, "select sha256 from schema_functions where name = 'learning.sql'");
  assert.equal(recorded, fileSha('learning.sql'));
  const again = await runSinau(['migrate'], { env: { DATABASE_URL: db.url } });
  assert.deepEqual(migrateCounts(again.stderr), { migrations: 0, functions: 0 });
});

// Rows per table, for "nothing lost".
async function rowCounts(url) {
  const tables = (await psql(url, "select tablename from pg_tables where schemaname = 'public' and tablename <> 'schema_functions' order by 1")).split('\n').filter(Boolean);
  const counts = {};
  for (const t of tables) counts[t] = Number(await psql(url, `select count(*) from "${t}"`));
  return counts;
}

test('a database made by the schema before the move upgrades with every row intact', async (t) => {
  const facts = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'facts.json'), 'utf8'));
  const db = await emptyDatabase();
  await promisify(execFile)(path.join(PGBIN, 'pg_restore'), ['--no-owner', '--exit-on-error', '-d', db.url, path.join(FIXTURE, 'dump.pgdump')], { timeout: 120000 });
  const before = await rowCounts(db.url);
  assert.equal(Number(await psql(db.url, 'select max(version) from schema_migrations')), 7);

  const r = await runSinau(['migrate'], { env: { DATABASE_URL: db.url } });
  assert.equal(r.code, 0, r.stderr);
  const counts = migrateCounts(r.stderr);
  assert.deepEqual(appliedFiles(r.stderr), functionFiles(), 'every function file applied once');
  assert.equal(counts.functions, functionFiles().length);
  const after = await rowCounts(db.url);
  for (const [table, n] of Object.entries(before)) {
    if (table === 'schema_migrations') assert.equal(after[table], n + counts.migrations, 'one row per new migration');
    else assert.equal(after[table], n, `rows of ${table}`);
  }

  // The services on the upgraded data, with the key that encrypted it.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sinau-upgrade-'));
  t.after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  fs.copyFileSync(path.join(FIXTURE, 'master.key'), path.join(dataDir, 'master.key'));
  fs.chmodSync(path.join(dataDir, 'master.key'), 0o600);
  const server = await startServer({ database: db.url, dataDir });
  t.after(() => server.stop());
  const base = server.url;

  const admin = await signedIn(base, facts.admin);
  const regs = await call(base, 'GET', `/api/v1/cohorts/${facts.cohort}/registrations`, { token: admin.token });
  assert.equal(regs.status, 200, show(regs));
  assert.deepEqual(regs.json.items.map((x) => x.status).sort(), ['confirmed', 'confirmed', 'confirmed', 'waitlisted']);

  const [first, , third] = facts.participants;
  const p = await signedIn(base, first.email);
  const mine = await me(base, p.token);
  assert.equal(mine.json.profile.nik, `${first.nik.slice(0, 4)}********${first.nik.slice(-4)}`, 'the NIK still decrypts (masked)');
  const lesson = await call(base, 'GET', `/api/v1/cohorts/${facts.cohort}/lessons/${facts.lessons[0]}`, { token: p.token });
  assert.equal(lesson.status, 200, show(lesson));
  assert.equal(lesson.json.completed, true);

  const certs = await call(base, 'GET', '/api/v1/me/certificates', { token: p.token });
  assert.equal(certs.status, 200, show(certs));
  assert.equal(certs.json.items.length, 1);
  const cid = certs.json.items[0].id;
  const verdict = await call(base, 'GET', `/credentials/${cid}`, { headers: { accept: 'application/json' } });
  assert.equal(verdict.json.status, cid === facts.revoked ? 'revoked' : 'valid', show(verdict));
  const revoked = await call(base, 'GET', `/credentials/${facts.revoked}`, { headers: { accept: 'application/json' } });
  assert.equal(revoked.json.status, 'revoked', show(revoked));
  const jwt = await call(base, 'POST', '/api/v1/verify', { body: (await call(base, 'GET', `/credentials/${cid}?format=jwt`)).text, headers: { 'content-type': 'text/plain' } });
  assert.equal(jwt.status, 200, show(jwt));
  assert.ok(jwt.json.checks.every((c) => c.ok !== false), `signature and key still check: ${jwt.text}`);

  const owner = await signedIn(base, third.email);
  const file = await getBytes(base, owner.token, `/api/v1/submissions/${facts.submission_with_file}/file`);
  assert.equal(file.status, 200);
  assert.equal(sha256hex(file.body), sha256hex(pdfFile(4096, 7)), 'the stored file, byte for byte');
});
