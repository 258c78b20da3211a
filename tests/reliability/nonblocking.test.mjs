// The non-blocking proof (issue 2, Tests): while one request runs
// pg_sleep(2) in the database, 100 /healthz requests all answer within
// 100 ms each. SINAU_THREADS=1 makes it strict: the one loop thread that
// waits for the sleeping query is the one that serves every /healthz.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, psql } from '../api/lib/harness.mjs';
import { timedRequest, keepAliveAgent, sleepMs } from '../api/lib/probe.mjs';

const LIMIT_MS = 100; // the figure: do not raise it
const CONNECTIONS = 5;
const PER_CONNECTION = 20; // 5 × 20 = 100 requests

let srv;

before(async () => {
  srv = await startServer({ env: { SINAU_THREADS: '1', SINAU_DB_POOL: '2', SINAU_DEBUG_ROUTES: '1' } });
});

after(async () => {
  await srv?.stop();
});

// Is a pg_sleep of this test's database running right now?
async function sleepRunning() {
  const out = await psql(
    srv.database.url,
    "select count(*) from pg_stat_activity where datname = current_database() and state = 'active' and query like '%pg_sleep%' and pid <> pg_backend_pid()",
  );
  return Number(out) > 0;
}

test('while the database sleeps 2 s, 100 /healthz requests each answer within 100 ms', async () => {
  const agents = Array.from({ length: CONNECTIONS }, () => keepAliveAgent(1));
  try {
    // Warm up: the statement prepared, the client connections open.
    const warm = await timedRequest(`${srv.url}/debug/sleep?ms=0`);
    assert.equal(warm.status, 200, warm.text);
    for (const a of agents) assert.equal((await timedRequest(`${srv.url}/healthz`, { agent: a })).status, 200);

    const t0 = performance.now();
    const slow = timedRequest(`${srv.url}/debug/sleep?ms=2000`, { timeoutMs: 10000 });
    let slowDone = false;
    slow.then(() => (slowDone = true));
    // Wait until PostgreSQL is really sleeping for that request.
    const waitUntil = performance.now() + 1500;
    while (!(await sleepRunning())) {
      assert.ok(performance.now() < waitUntil, 'the pg_sleep never showed up in pg_stat_activity');
      await sleepMs(20);
    }

    const results = [];
    await Promise.all(
      agents.map(async (agent) => {
        for (let i = 0; i < PER_CONNECTION; i++) {
          results.push(await timedRequest(`${srv.url}/healthz`, { agent, timeoutMs: 5000 }));
        }
      }),
    );
    const burstEnd = performance.now();
    const stillSleeping = !slowDone && (await sleepRunning());

    const s = await slow;
    const lat = results.map((r) => r.ms).sort((a, b) => a - b);
    const max = lat[lat.length - 1];
    const p50 = lat[Math.floor(lat.length / 2)];
    const p99 = lat[Math.floor(lat.length * 0.99) - 1];
    console.log(
      `nonblocking: ${results.length} /healthz during pg_sleep(2): max ${max.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, ` +
        `p50 ${p50.toFixed(1)} ms; burst took ${(burstEnd - t0).toFixed(0)} ms from the sleep's start; sleep answered after ${s.ms.toFixed(0)} ms`,
    );

    assert.equal(results.length, CONNECTIONS * PER_CONNECTION);
    for (const r of results) {
      assert.equal(r.status, 200, `healthz: ${r.error ?? r.text}`);
      assert.deepEqual(r.json, { status: 'ok' });
    }
    assert.ok(stillSleeping, 'every /healthz was answered while the database was still sleeping');
    assert.ok(max < LIMIT_MS, `every /healthz within ${LIMIT_MS} ms; the slowest took ${max.toFixed(1)} ms`);

    assert.equal(s.status, 200, s.error ?? s.text);
    assert.deepEqual(s.json, { slept_ms: 2000 });
    assert.ok(s.ms >= 1990 && s.ms < 4000, `the sleep took ${s.ms.toFixed(0)} ms`);
  } finally {
    for (const a of agents) a.destroy();
  }
});

test('100 new connections during the sleep are accepted and answered within 100 ms each', async () => {
  // The same proof with a fresh TCP connection per request (accept included).
  const slow = timedRequest(`${srv.url}/debug/sleep?ms=2000`, { timeoutMs: 10000 });
  const waitUntil = performance.now() + 1500;
  while (!(await sleepRunning())) {
    assert.ok(performance.now() < waitUntil, 'the pg_sleep never showed up in pg_stat_activity');
    await sleepMs(20);
  }
  const results = [];
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      for (let i = 0; i < PER_CONNECTION; i++) results.push(await timedRequest(`${srv.url}/healthz`, { timeoutMs: 5000 }));
    }),
  );
  const stillSleeping = await sleepRunning();
  const s = await slow;
  const max = Math.max(...results.map((r) => r.ms));
  console.log(`nonblocking: ${results.length} /healthz on new connections during pg_sleep(2): max ${max.toFixed(1)} ms`);
  for (const r of results) assert.equal(r.status, 200, r.error ?? r.text);
  assert.ok(stillSleeping, 'answered while the database was still sleeping');
  assert.ok(max < LIMIT_MS, `every /healthz within ${LIMIT_MS} ms; the slowest took ${max.toFixed(1)} ms`);
  assert.equal(s.status, 200);
});
