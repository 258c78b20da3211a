// `make run` on a fresh clone (issue 12): scripts/dev.sh run, on a fresh
// database and data folder, makes the demo logins, seeds the demo
// programme once and serves — so the catalogue shows "Sinau TikTok dan
// YouTube" with an open cohort of three segments, its lessons (one with a
// YouTube video, one with a table), an assignment due, a live session and
// the demo participant registered; it says once that certificates carry
// SINAU_PUBLIC_URL. A second run seeds nothing and says nothing about it
// again. The binary is the one the tests use (SINAU_PREBUILT=1: packages
// and build are `make test`'s business).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SOURCE_DIR, SINAU_BIN, freshDatabase, psql } from './lib/harness.mjs';
import { call, show, signedIn } from './lib/accounts.mjs';

const LISTEN = /listening on http:\\?\/\\?\/([^\s:/"\\]+):(\d+)/;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sinau-test-makerun-'));
let db;
const running = new Set();

after(async () => {
  for (const p of running) p.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
  await db?.drop();
});

// scripts/dev.sh run as a newcomer would start it; resolves once it
// serves to {url, stderr(), stop()}.
async function makeRun() {
  if (!db) db = await freshDatabase();
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SINAU_') && k !== 'DATABASE_URL') env[k] = v;
  Object.assign(env, {
    DATABASE_URL: db.url,
    SINAU_DATA_DIR: dataDir,
    SINAU_LISTEN: '127.0.0.1:0',
    SINAU_PWHASH: 'fast',
    SINAU_BUILD_DIR: path.dirname(SINAU_BIN),
    SINAU_PREBUILT: '1',
  });
  const proc = spawn(path.join(SOURCE_DIR, 'scripts', 'dev.sh'), ['run'], { env, cwd: SOURCE_DIR, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  running.add(proc);
  let err = '';
  const exited = new Promise((resolve) => proc.on('close', (code) => {
    running.delete(proc);
    resolve(code);
  }));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dev.sh run did not serve within 60 s:\n${err}`)), 60000);
    const onData = (chunk) => {
      err += chunk;
      const m = LISTEN.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(`http://${m[1]}:${m[2]}`);
      }
    };
    proc.stderr.setEncoding('utf8');
    proc.stdout.setEncoding('utf8');
    proc.stderr.on('data', onData);
    proc.stdout.on('data', onData);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`dev.sh run exited ${code} before serving:\n${err}`));
    });
  });
  return {
    url,
    stderr: () => err,
    async stop() {
      process.kill(-proc.pid, 'SIGTERM'); // Ctrl-C reaches the whole group
      return exited;
    },
  };
}

const password = (role) => fs.readFileSync(path.join(dataDir, 'demo-logins.txt'), 'utf8').split('\n').map((l) => l.split(' ')).find((f) => f[0] === role)[2];

test('the first make run shows the demo programme working; the second seeds nothing', { timeout: 240000 }, async () => {
  const first = await makeRun();
  const base = first.url;
  const cat = await call(base, 'GET', '/api/v1/programmes');
  assert.equal(cat.status, 200, show(cat));
  const prog = cat.json.items.find((p) => p.slug === 'sinau-tiktok-youtube');
  assert.ok(prog, `the catalogue shows the demo programme: ${cat.text.slice(0, 300)}`);
  assert.equal(prog.title, 'Sinau TikTok dan YouTube');
  assert.equal(prog.cohorts.length, 1);
  const cohort = prog.cohorts[0];
  assert.equal(cohort.registration_open, true, 'its registration is open');
  assert.deepEqual(cohort.segments.map((s) => [s.segment, s.quota]), [['asn', 70], ['public', 70], ['umkm', 30]]);
  assert.equal(cohort.content_version, 1);
  assert.match(first.stderr(), /demo: seeded "Sinau TikTok dan YouTube"/);
  assert.match(first.stderr(), /certificates carry SINAU_PUBLIC_URL.*\n.*only for trying/, 'the public URL note');
  // the demo participant, signed in with the printed login, learns
  const p = await signedIn(base, 'demo.participant@sinau.test', password('participant'));
  const mine = await call(base, 'GET', '/api/v1/me/registrations', { token: p.token });
  assert.deepEqual(mine.json.items.map((r) => [r.cohort_id, r.status]), [[cohort.id, 'confirmed']]);
  const tree = await call(base, 'GET', `/api/v1/cohorts/${cohort.id}/modules`, { token: p.token });
  assert.equal(tree.status, 200, show(tree));
  assert.equal(tree.json.modules.length, 2);
  const lessons = tree.json.modules.flatMap((m) => m.lessons);
  assert.equal(lessons.length, 4);
  assert.ok(lessons.some((l) => l.has_video), 'a lesson with a video');
  const withTable = await call(base, 'GET', `/api/v1/cohorts/${cohort.id}/lessons/${lessons[1].id}`, { token: p.token });
  assert.match(withTable.json.body_html, /<table>/);
  const asg = tree.json.modules[1].assignments[0];
  assert.ok(asg.due_at && Date.parse(asg.due_at) > Date.now(), 'an assignment with a due date');
  const sessions = await call(base, 'GET', `/api/v1/cohorts/${cohort.id}/sessions`, { token: p.token });
  assert.equal(sessions.json.items.length, 1, 'a live session');
  const instr = await signedIn(base, 'demo.instructor@sinau.test', password('instructor'));
  assert.equal((await call(base, 'GET', '/api/v1/programmes/sinau-tiktok-youtube/draft', { token: instr.token })).status, 200, 'the demo instructor authors it');
  assert.equal(await first.stop(), 0, 'Ctrl-C stops it cleanly');

  const second = await makeRun();
  assert.match(second.stderr(), /demo: already seeded once; nothing done/);
  assert.doesNotMatch(second.stderr(), /certificates carry SINAU_PUBLIC_URL/, 'said once');
  const again = await call(second.url, 'GET', '/api/v1/programmes');
  assert.equal(again.json.items.length, 1);
  assert.equal(await psql(db.url, 'select count(*) from registrations'), '1', 'nothing added');
  assert.equal(await psql(db.url, "select count(*) from audit_log where action = 'demo.seeded'"), '1');
  assert.equal(await second.stop(), 0);
});
