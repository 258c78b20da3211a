// PostgreSQL restarted or stopped under the server (issue 2; SECURITY.md
// case 20): while the database is down every database-backed answer is 200
// or 503 with Retry-After — never a hang, another status or a dropped
// connection — /healthz answers throughout, and once the database is back
// the pool reconnects by itself, with the same sinau process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, privateCluster } from '../api/lib/harness.mjs';
import { timedRequest, keepAliveAgent, sleepMs } from '../api/lib/probe.mjs';

const HANG_MS = 5000; // a database-backed answer slower than this is a hang
const RECOVER_MS = 10000; // back to 200 within this after PostgreSQL is up

let cluster;
let srv;

before(async () => {
  cluster = await privateCluster();
  srv = await startServer({
    database: cluster.url,
    env: { SINAU_THREADS: '2', SINAU_DB_POOL: '2', SINAU_DEBUG_ROUTES: '1' },
  });
  // "listening" comes before the pool's first connections: wait for them,
  // on both loops (either may take a request): ten answers in a row.
  await waitForRecovery('at start');
  for (let ok = 0, t = performance.now(); ok < 10; ) {
    ok = (await timedRequest(`${srv.url}/readyz`)).status === 200 ? ok + 1 : 0;
    assert.ok(performance.now() - t < RECOVER_MS, 'both loops ready at start');
  }
});

after(async () => {
  if (srv) await srv.stop();
  if (cluster) await cluster.destroy();
});

// Load: `clients` keep-alive clients alternating /debug/sleep?ms=0 and
// /readyz, plus one /healthz prober; bounded by maxRequests and maxMs.
function startLoad({ clients = 4, maxRequests = 600, maxMs = 30000, pauseMs = 10 } = {}) {
  const db = []; // {path, status, code, retryAfter, ms, error, at}
  const health = [];
  let stop = false;
  const t0 = performance.now();
  const agents = [];
  const loops = Array.from({ length: clients }, async (_, i) => {
    const agent = keepAliveAgent(1);
    agents.push(agent);
    for (let n = 0; !stop && db.length < maxRequests && performance.now() - t0 < maxMs; n++) {
      const path = (n + i) % 2 === 0 ? '/debug/sleep?ms=0' : '/readyz';
      const r = await timedRequest(`${srv.url}${path}`, { agent, timeoutMs: HANG_MS + 1000 });
      db.push({ path, status: r.status, code: r.json?.error?.code, retryAfter: r.headers['retry-after'], ms: r.ms, error: r.error, at: r.t0 - t0 });
      await sleepMs(pauseMs);
    }
  });
  const prober = (async () => {
    const agent = keepAliveAgent(1);
    agents.push(agent);
    while (!stop && performance.now() - t0 < maxMs) {
      const r = await timedRequest(`${srv.url}/healthz`, { agent, timeoutMs: 2000 });
      health.push({ status: r.status, ms: r.ms, error: r.error, at: r.t0 - t0 });
      await sleepMs(50);
    }
  })();
  return {
    db,
    health,
    t0,
    async stop() {
      stop = true;
      await Promise.all([...loops, prober]);
      for (const a of agents) a.destroy();
    },
  };
}

function summarize(list) {
  const by = {};
  for (const r of list) {
    const k = r.error ? `error:${r.error}` : `${r.status}${r.code ? ` ${r.code}` : ''}`;
    by[k] = (by[k] ?? 0) + 1;
  }
  return JSON.stringify(by);
}

function assertDbAnswersSound(list, what) {
  for (const r of list) {
    assert.ok(!r.error, `${what}: ${r.path} at ${r.at.toFixed(0)} ms got no answer (${r.error})`);
    assert.ok(r.ms < HANG_MS, `${what}: ${r.path} at ${r.at.toFixed(0)} ms took ${r.ms.toFixed(0)} ms`);
    assert.ok(r.status === 200 || r.status === 503, `${what}: ${r.path} at ${r.at.toFixed(0)} ms answered ${r.status}`);
    if (r.status === 503) {
      assert.match(r.retryAfter ?? '', /^\d+$/, `${what}: a 503 (${r.code}) without Retry-After`);
      assert.ok(['db_unavailable', 'db_busy', 'db_timeout'].includes(r.code), `${what}: 503 code ${r.code}`);
    }
  }
}

function assertHealthThroughout(list, what) {
  assert.ok(list.length > 0, `${what}: /healthz was probed`);
  for (const h of list) {
    assert.equal(h.status, 200, `${what}: /healthz at ${h.at.toFixed(0)} ms: ${h.error ?? h.status}`);
    assert.ok(h.ms < 1000, `${what}: /healthz at ${h.at.toFixed(0)} ms took ${h.ms.toFixed(0)} ms`);
  }
}

// Polls until /readyz and /debug/sleep?ms=0 both answer 200; resolves to the
// time it took, or fails after RECOVER_MS.
async function waitForRecovery(what) {
  const t = performance.now();
  for (;;) {
    const [ready, sleepR] = await Promise.all([timedRequest(`${srv.url}/readyz`, { timeoutMs: HANG_MS }), timedRequest(`${srv.url}/debug/sleep?ms=0`, { timeoutMs: HANG_MS })]);
    if (ready.status === 200 && sleepR.status === 200) return performance.now() - t;
    assert.ok(
      performance.now() - t < RECOVER_MS,
      `${what}: not recovered ${RECOVER_MS} ms after PostgreSQL came back: /readyz ${ready.status} ${ready.text}, /debug/sleep ${sleepR.status} ${sleepR.text}\n${srv.logs().slice(-15).join('\n')}`,
    );
    await sleepMs(100);
  }
}

test('pg_ctl restart -m immediate under load: 200 or 503 + Retry-After, then recovery without restarting sinau', async () => {
  const pid = srv.pid;
  assert.equal((await timedRequest(`${srv.url}/readyz`)).status, 200);
  const load = startLoad({ clients: 4, maxRequests: 800, maxMs: 25000 });
  await sleepMs(500);
  const tRestart = performance.now();
  await cluster.restart('immediate');
  const restartMs = performance.now() - tRestart;
  const recoverMs = await waitForRecovery('after restart');
  await sleepMs(300); // a little load after recovery
  await load.stop();

  const during = load.db.filter((r) => r.at >= tRestart - load.t0);
  console.log(
    `pg_restart: restart took ${restartMs.toFixed(0)} ms, recovered ${recoverMs.toFixed(0)} ms after it; ` +
      `${load.db.length} db-backed requests ${summarize(load.db)}; since the restart ${summarize(during)}; ` +
      `max ${Math.max(...load.db.map((r) => r.ms)).toFixed(0)} ms; ${load.health.length} /healthz ${summarize(load.health)}`,
  );
  assert.ok(load.db.length > 50, 'the load ran');
  assertDbAnswersSound(load.db, 'restart');
  assertHealthThroughout(load.health, 'restart');
  assert.equal(srv.exitCode(), null, 'sinau is still running');
  assert.equal(srv.pid, pid, 'the same sinau process');
  // the last answers of every client are healthy again
  const tail = load.db.slice(-8);
  for (const r of tail) assert.equal(r.status, 200, `after recovery: ${r.path} ${r.status} ${r.code ?? ''}`);
});

test('PostgreSQL stopped: 503 db_unavailable + Retry-After and /readyz 503, then recovery when it starts again', async () => {
  const pid = srv.pid;
  assert.equal((await timedRequest(`${srv.url}/readyz`)).status, 200);
  const load = startLoad({ clients: 2, maxRequests: 600, maxMs: 30000, pauseMs: 25 });
  await sleepMs(300);
  const tStop = performance.now();
  await cluster.stop('fast');

  // Down: wait until the pool has noticed, then every answer is a prompt 503.
  let sleepR;
  let ready;
  const until = performance.now() + 3000;
  for (;;) {
    sleepR = await timedRequest(`${srv.url}/debug/sleep?ms=0`, { timeoutMs: HANG_MS });
    if (sleepR.status === 503 && sleepR.json?.error?.code === 'db_unavailable') break;
    assert.ok(performance.now() < until, `no db_unavailable 3 s after the stop: ${sleepR.status} ${sleepR.text}`);
    await sleepMs(50);
  }
  const noticedMs = performance.now() - tStop;
  for (let i = 0; i < 5; i++) {
    sleepR = await timedRequest(`${srv.url}/debug/sleep?ms=0`, { timeoutMs: HANG_MS });
    assert.equal(sleepR.status, 503, sleepR.text);
    assert.equal(sleepR.json?.error?.code, 'db_unavailable', sleepR.text);
    assert.match(sleepR.headers['retry-after'] ?? '', /^\d+$/, 'Retry-After on db_unavailable');
    assert.ok(sleepR.ms < 1000, `db_unavailable answered in ${sleepR.ms.toFixed(0)} ms`);
    ready = await timedRequest(`${srv.url}/readyz`, { timeoutMs: HANG_MS });
    assert.equal(ready.status, 503, `/readyz while down: ${ready.text}`);
    assert.match(ready.headers['retry-after'] ?? '', /^\d+$/, 'Retry-After on /readyz 503');
    assert.ok(ready.ms < 1000, `/readyz answered in ${ready.ms.toFixed(0)} ms`);
    await sleepMs(200);
  }
  const h = await timedRequest(`${srv.url}/healthz`);
  assert.equal(h.status, 200, '/healthz while the database is down');

  await sleepMs(1000); // down for a while: the pool is backing off
  const tStart = performance.now();
  await cluster.start();
  const recoverMs = await waitForRecovery('after start');
  await load.stop();
  console.log(
    `pg_stop: db_unavailable noticed ${noticedMs.toFixed(0)} ms after the stop; down ${(tStart - tStop).toFixed(0)} ms; ` +
      `recovered ${recoverMs.toFixed(0)} ms after the start; ${load.db.length} db-backed requests ${summarize(load.db)}; ` +
      `${load.health.length} /healthz ${summarize(load.health)}`,
  );
  assertDbAnswersSound(load.db, 'stop/start');
  assertHealthThroughout(load.health, 'stop/start');
  assert.equal(srv.exitCode(), null, 'sinau is still running');
  assert.equal(srv.pid, pid, 'the same sinau process');
});
