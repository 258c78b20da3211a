// The command line (issue 2, "The server" and "Migrations"; API.md
// Configuration): help, version, exit codes, one-line configuration errors,
// migrations applied once and refused on a database newer than the binary.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, freshDatabase, psql, testEnv, conninfoWithDb } from './lib/harness.mjs';
import { runSinau } from './lib/probe.mjs';

// An empty database (not cloned from the migrated template), dropped at the end.
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

// Settings under which `serve` would start at once if the bad value were
// accepted (so a missing refusal shows up as a timeout, not a pass).
const SERVE_ENV = { SINAU_LISTEN: '127.0.0.1:0', SINAU_PWHASH: 'fast', DATABASE_URL: 'host=/nonexistent dbname=none' };

function lines(s) {
  return s.split('\n').filter((l) => l.length > 0);
}

test('--help exits 0 and lists the serve and migrate commands', async () => {
  const r = await runSinau(['--help']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\bserve\b/);
  assert.match(r.stdout, /\bmigrate\b/);
  assert.match(r.stdout, /--listen/);
  assert.match(r.stdout, /DATABASE_URL/);
});

test('--version exits 0 and prints the version on one line', async () => {
  const r = await runSinau(['--version']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^sinau \d+\.\d+\S*\n$/);
});

test('an unknown command exits 2 with one line on stderr', async () => {
  for (const cmd of ['frobnicate', 'serv', '--nope']) {
    const r = await runSinau([cmd], { env: SERVE_ENV, timeoutMs: 5000 });
    assert.equal(r.code, 2, `sinau ${cmd}: ${r.stderr}`);
    assert.equal(lines(r.stderr).length, 1, `one line: ${r.stderr}`);
    assert.match(r.stderr, /^sinau: /);
  }
});

test('a bad configuration value exits 2 with one line naming it', async () => {
  const cases = [
    { what: 'SINAU_THREADS=abc', env: { SINAU_THREADS: 'abc' }, args: [], name: /SINAU_THREADS/ },
    { what: '--listen nonsense', env: {}, args: ['--listen', 'nonsense'], name: /--listen/ },
    { what: 'SINAU_PWHASH=slow', env: { SINAU_PWHASH: 'slow' }, args: [], name: /SINAU_PWHASH/ },
    { what: 'SINAU_MAX_BODY=-1', env: { SINAU_MAX_BODY: '-1' }, args: [], name: /SINAU_MAX_BODY/ },
    { what: 'SINAU_THREADS=0', env: { SINAU_THREADS: '0' }, args: [], name: /SINAU_THREADS/ },
    { what: 'SINAU_DB_POOL=1x', env: { SINAU_DB_POOL: '1x' }, args: [], name: /SINAU_DB_POOL/ },
    { what: '--max-body 12q', env: {}, args: ['--max-body', '12q'], name: /--max-body/ },
    { what: '--listen=127.0.0.1:99999', env: {}, args: ['--listen=127.0.0.1:99999'], name: /--listen/ },
    { what: 'SINAU_DEBUG_ROUTES=maybe', env: { SINAU_DEBUG_ROUTES: 'maybe' }, args: [], name: /SINAU_DEBUG_ROUTES/ },
    { what: 'an unknown flag', env: {}, args: ['--no-such-flag'], name: /no-such-flag/ },
    { what: 'a flag without its value', env: {}, args: ['--threads'], name: /--threads/ },
  ];
  for (const c of cases) {
    for (const cmd of ['serve', 'migrate']) {
      const r = await runSinau([cmd, ...c.args], { env: { ...SERVE_ENV, ...c.env }, timeoutMs: 5000 });
      assert.ok(!r.timedOut, `${cmd} with ${c.what} kept running instead of refusing the value`);
      assert.equal(r.code, 2, `${cmd} with ${c.what}: exit code; stderr: ${r.stderr}`);
      const l = lines(r.stderr);
      assert.equal(l.length, 1, `${cmd} with ${c.what}: exactly one line on stderr, got:\n${r.stderr}`);
      assert.match(l[0], /^sinau: (invalid|unknown|missing|unexpected)/, `${cmd} with ${c.what}: ${l[0]}`);
      assert.match(l[0], c.name, `${cmd} with ${c.what}: the line names the setting`);
      assert.equal(r.stdout, '', 'nothing on stdout');
    }
  }
});

test('a secret in a bad value is not echoed', async () => {
  const r = await runSinau(['serve', '--metrics-token', 'has space secret-xyz'], { env: SERVE_ENV, timeoutMs: 5000 });
  assert.equal(r.code, 2, r.stderr);
  assert.ok(!r.stderr.includes('secret-xyz'), r.stderr);
});

async function migrationRows(url) {
  const out = await psql(url, 'select version, name from schema_migrations order by version');
  return out ? out.split('\n') : [];
}

test('migrate on a fresh database applies every migration, and running it twice applies 0', async () => {
  const db = await emptyDatabase();
  const first = await runSinau(['migrate'], { env: { DATABASE_URL: db.url } });
  assert.equal(first.code, 0, first.stderr);
  const m1 = /(\d+) applied/.exec(first.stderr);
  assert.ok(m1, `"N applied" in: ${first.stderr}`);
  assert.ok(Number(m1[1]) >= 1, 'at least one migration applied');
  const rows = await migrationRows(db.url);
  assert.equal(rows.length, Number(m1[1]), 'one schema_migrations row per applied migration');
  assert.match(rows[0], /^1\|/);

  const second = await runSinau(['migrate'], { env: { DATABASE_URL: db.url } });
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, /\b0 applied/, second.stderr);
  assert.deepEqual(await migrationRows(db.url), rows, 'nothing changed the second time');
});

test('serve --migrate migrates a fresh database before listening', async () => {
  const db = await emptyDatabase();
  const srv = await startServer({ database: db, args: ['--migrate'] });
  try {
    const rows = await migrationRows(db.url);
    assert.ok(rows.length >= 1, 'migrations applied');
    // ready once the pool's first connection is up
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await fetch(`${srv.url}/readyz`)).status;
    }
    assert.equal(status, 200);
  } finally {
    assert.equal(await srv.stop(), 0);
  }
});

test('a database newer than the binary is refused by migrate, serve and serve --migrate (exit 1)', async () => {
  const db = await freshDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sinau-cli-'));
  try {
    const before = await migrationRows(db.url);
    await psql(db.url, "insert into schema_migrations (version, name) values (9999, '9999_from_the_future')");
    const env = { DATABASE_URL: db.url, SINAU_LISTEN: '127.0.0.1:0', SINAU_PWHASH: 'fast', SINAU_DATA_DIR: dataDir };

    const mig = await runSinau(['migrate'], { env, timeoutMs: 10000 });
    assert.equal(mig.code, 1, `migrate: ${mig.stderr}`);
    assert.match(mig.stderr, /9999/, 'the message names the database version');
    assert.match(mig.stderr, /version/i);
    assert.match(mig.stderr, /(newer|only up to|knows only)/i, `a clear reason: ${mig.stderr}`);

    for (const args of [['serve'], ['serve', '--migrate']]) {
      const r = await runSinau(args, { env, timeoutMs: 10000 });
      assert.ok(!r.timedOut, `${args.join(' ')} served a database newer than itself`);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(!/listening on/.test(r.stderr), `${args.join(' ')} must not listen`);
      assert.match(r.stderr, /9999/, `${args.join(' ')}: ${r.stderr}`);
    }
    const after = await migrationRows(db.url);
    assert.deepEqual(after, [...before, '9999|9999_from_the_future'], 'nothing was applied or removed');
  } finally {
    await db.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
