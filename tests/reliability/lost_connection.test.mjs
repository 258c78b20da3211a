// A connection lost under a request (issue 19; SECURITY.md case 21): the
// server runs a statement again only when the request is idempotent — a
// read, or a registration carrying an Idempotency-Key — and answers
// everything else with 503 db_unavailable + Retry-After, leaving nothing
// half-written. The backend is terminated (pg_terminate_backend) while the
// statement waits on a row lock held from psql, so the moment is exact; one
// terminated backend does not take its healthy siblings down.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startServer, psql, sleep, PGBIN } from '../api/lib/harness.mjs';
import { timedRequest, parseMetrics, metricValue } from '../api/lib/probe.mjs';
import { newAdmin, lit, show } from '../api/lib/accounts.mjs';
import { cohort, participant, register } from '../api/lib/cohorts.mjs';

let s;
let admin;
before(async () => {
  s = await startServer({ env: { SINAU_THREADS: 1, SINAU_DB_POOL: 2, SINAU_DEBUG_ROUTES: 1, SINAU_DB_QUEUE_TIMEOUT_MS: 5000 } });
  admin = await newAdmin(s);
});
after(async () => {
  await s?.stop();
});

// The server's own re-runs so far (counted before the reply they lead to).
async function retries() {
  return metricValue(parseMetrics((await timedRequest(`${s.url}/metrics`)).text), 'sinau_db_retries_total');
}

// Terminates the server's backend that runs a statement matching `like`,
// once one does; resolves to its pid.
async function terminateWhen(like) {
  for (let i = 0; i < 200; i++) {
    const pid = await psql(s.database.url, `select pid from pg_stat_activity where datname = current_database() and application_name = 'sinau' and state = 'active' and query like ${lit(like)} limit 1`);
    if (pid) {
      await psql(s.database.url, `select pg_terminate_backend(${Number(pid)})`);
      return Number(pid);
    }
    await sleep(25);
  }
  throw new Error(`no backend ran ${like}`);
}

// A psql session that holds the row lock of a cohort's segment until
// release() (stdin closed: the transaction rolls back).
function holdSegment(cohortId, segment) {
  const proc = spawn(path.join(PGBIN, 'psql'), ['-X', '-q', '-d', s.database.url], { stdio: ['pipe', 'ignore', 'ignore'] });
  proc.stdin.write(`begin;\nselect 1 from cohort_segments where cohort_id = ${lit(cohortId)} and segment = ${lit(segment)} for update;\n`);
  return {
    release: () => new Promise((resolve) => {
      proc.on('close', resolve);
      proc.stdin.end('rollback;\n');
    }),
  };
}

test('a read whose backend is terminated mid-statement runs again and answers 200; its siblings stay up', async () => {
  const before0 = await retries();
  const r = timedRequest(`${s.url}/debug/sleep?ms=1500`, { timeoutMs: 10000 });
  await terminateWhen('%pg_sleep%');
  const res = await r;
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json, { slept_ms: 1500 });
  assert.equal(await retries(), before0 + 1, 'run again once');
});

test('a registration without Idempotency-Key whose connection is lost answers 503 and is not run again; nothing is written', async () => {
  const c = await cohort(s.url, admin, { segments: [{ segment: 'public', quota: 5, waitlist: true }] });
  const p = await participant(s.url, { segment: 'public' });
  const before0 = await retries();
  const lock = holdSegment(c.id, 'public');
  await sleep(200);
  const r = register(s.url, p.token, c.id, 'public');
  await terminateWhen('%reg_register_idem%');
  const res = await r;
  await lock.release();
  assert.equal(res.status, 503, show(res));
  assert.equal(res.json?.error?.code, 'db_unavailable');
  assert.match(res.headers['retry-after'] ?? '', /^\d+$/);
  assert.equal(await retries(), before0, 'not run again');
  assert.equal(await psql(s.database.url, `select count(*) from registrations where cohort_id = ${lit(c.id)}`), '0', 'nothing written');
  assert.equal(await psql(s.database.url, `select count(*) from allocation_log where cohort_id = ${lit(c.id)}`), '0', 'nothing logged');
});

test('the same registration with an Idempotency-Key runs again after the lost connection and registers once', async () => {
  const c = await cohort(s.url, admin, { segments: [{ segment: 'public', quota: 5, waitlist: true }] });
  const p = await participant(s.url, { segment: 'public' });
  const before0 = await retries();
  const lock = holdSegment(c.id, 'public');
  await sleep(200);
  const r = register(s.url, p.token, c.id, 'public', { key: 'retry-after-a-lost-connection' });
  await terminateWhen('%reg_register_idem%');
  await sleep(300); // the retry now waits on the same lock
  await lock.release();
  const res = await r;
  assert.equal(res.status, 201, show(res));
  assert.equal(res.json.status, 'confirmed');
  assert.equal(await retries(), before0 + 1, 'run again once');
  assert.equal(await psql(s.database.url, `select count(*) from registrations where cohort_id = ${lit(c.id)}`), '1', 'one registration');
  const again = await register(s.url, p.token, c.id, 'public', { key: 'retry-after-a-lost-connection' });
  assert.equal(again.status, 201, show(again));
  assert.equal(again.json.id, res.json.id, 'the key replays the same answer');
});
