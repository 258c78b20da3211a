// The database pool under pressure (issue 2; SECURITY.md case 22): a full
// pool answers 503 db_busy + Retry-After at once, a query over
// statement_timeout answers 503 db_timeout and its connection is reused, a
// query that waited too long for a connection answers 503 db_busy; nothing
// hangs and /healthz stays fast throughout.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, psql } from '../api/lib/harness.mjs';
import { timedRequest, parseRaw, parseMetrics, metricValue, sleepMs } from '../api/lib/probe.mjs';

const servers = [];
after(async () => {
  for (const s of servers) await s.stop();
});

async function serve(env) {
  const s = await startServer({ env: { SINAU_THREADS: '1', SINAU_DB_POOL: '1', SINAU_DEBUG_ROUTES: '1', ...env } });
  servers.push(s);
  const warm = await timedRequest(`${s.url}/debug/sleep?ms=0`);
  assert.equal(warm.status, 200, `warm-up: ${warm.text}`);
  return s;
}

// The server's backends in its database (application_name sinau).
async function backends(s) {
  const out = await psql(s.database.url, "select pid from pg_stat_activity where datname = current_database() and application_name = 'sinau' order by pid");
  return out ? out.split('\n').map(Number) : [];
}

async function waitForSleep(s, n = 1, ms = 5000) {
  const until = performance.now() + ms;
  for (;;) {
    const out = await psql(
      s.database.url,
      "select count(*) from pg_stat_activity where datname = current_database() and state = 'active' and query like '%pg_sleep%' and pid <> pg_backend_pid()",
    );
    if (Number(out) >= n) return;
    assert.ok(performance.now() < until, `no pg_sleep running after ${ms} ms`);
    await sleepMs(20);
  }
}

async function metrics(s) {
  const r = await timedRequest(`${s.url}/metrics`);
  assert.equal(r.status, 200);
  return parseMetrics(r.text);
}

function assertBusy(r, code, what) {
  assert.equal(r.status, 503, `${what}: ${r.error ?? r.text}`);
  assert.equal(r.json?.error?.code, code, `${what}: ${r.text}`);
  assert.match(r.headers['retry-after'] ?? '', /^\d+$/, `${what}: Retry-After`);
}

function assertSlept(r, ms, what) {
  assert.equal(r.status, 200, `${what}: ${r.error ?? r.text}`);
  assert.deepEqual(r.json, { slept_ms: ms }, what);
}

async function assertHealthyFast(s, what) {
  const h = await timedRequest(`${s.url}/healthz`);
  assert.equal(h.status, 200, what);
  assert.ok(h.ms < 250, `${what}: /healthz took ${h.ms.toFixed(0)} ms`);
}

test('pool exhausted: with one query running, 2 more wait (200) and 3 get 503 db_busy + Retry-After at once', async () => {
  const s = await serve({ SINAU_DB_QUEUE: '2', SINAU_DB_QUEUE_TIMEOUT_MS: '10000' });
  const t0 = performance.now();
  const running = timedRequest(`${s.url}/debug/sleep?ms=1500`, { timeoutMs: 15000 });
  await waitForSleep(s);
  const more = Array.from({ length: 5 }, () => timedRequest(`${s.url}/debug/sleep?ms=1500`, { timeoutMs: 15000 }));

  // While the queue is full: /readyz cannot get a connection either, and says so at once.
  await sleepMs(100);
  const ready = await timedRequest(`${s.url}/readyz`);
  assertBusy(ready, 'db_busy', '/readyz with the queue full');
  assert.ok(ready.ms < 500, `/readyz answered in ${ready.ms.toFixed(0)} ms`);
  await assertHealthyFast(s, 'while the pool is exhausted');

  const all = [await running, ...(await Promise.all(more))];
  const total = performance.now() - t0;
  console.log(`db_pool: statuses ${all.map((r) => `${r.status}@${r.ms.toFixed(0)}ms`).join(' ')}; all done in ${total.toFixed(0)} ms`);
  const ok = all.filter((r) => r.status === 200);
  const busy = all.filter((r) => r.status !== 200);
  assert.equal(ok.length, 3, 'one running and two waiting succeed');
  assert.equal(busy.length, 3, 'the other three are refused');
  for (const r of ok) assertSlept(r, 1500, 'admitted');
  for (const r of busy) {
    assertBusy(r, 'db_busy', 'refused');
    assert.ok(r.ms < 500, `a refusal is immediate (took ${r.ms.toFixed(0)} ms)`);
  }
  assert.ok(total < 7000, `bounded: everything answered in ${total.toFixed(0)} ms`);

  assert.equal((await timedRequest(`${s.url}/readyz`)).status, 200, '/readyz 200 once the pool is free');
  const m = await metrics(s);
  assert.ok(metricValue(m, 'sinau_db_refused_total') >= 4, 'refusals are counted');
});

// Opens n connections (accepted by the server before anything is sent).
async function openSockets(port, n) {
  const socks = await Promise.all(
    Array.from({ length: n }, () => new Promise((resolve, reject) => {
      const sock = net.connect({ host: '127.0.0.1', port }, () => resolve(sock));
      sock.on('error', reject);
    })),
  );
  await sleepMs(100);
  return socks;
}

// Resolves to {status, headers, body, json, ms} once the (Content-Length framed) response is in.
function readResponse(sock, t0) {
  return new Promise((resolve) => {
    let buf = '';
    const done = () => {
      const p = parseRaw(buf);
      let json;
      try {
        json = JSON.parse(p.body);
      } catch {
        json = undefined;
      }
      resolve({ ...p, json, text: p.body, ms: performance.now() - t0 });
      sock.destroy();
    };
    sock.setEncoding('utf8');
    sock.on('data', (c) => {
      buf += c;
      const p = parseRaw(buf);
      const cl = Number(p.headers['content-length'] ?? NaN);
      if (p.status && Buffer.byteLength(p.body) >= cl) done();
    });
    sock.on('close', done);
    sock.on('error', () => {});
  });
}

test('pool exhausted: 6 queries at once on an idle pool of 1 with SINAU_DB_QUEUE=2: 3 answer 200, 3 answer 503 db_busy', async () => {
  const s = await serve({ SINAU_DB_QUEUE: '2', SINAU_DB_QUEUE_TIMEOUT_MS: '10000' });
  const socks = await openSockets(s.port, 6);
  // The burst must land in one turn of the loop, as it does under load: keep
  // the loop busy for a few ms (a large body to parse) while it arrives.
  const big = '[' + Array(300000).fill('1').join(',') + ']';
  const busy = timedRequest(`${s.url}/debug/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
  await sleepMs(3);
  const t0 = performance.now();
  const answers = socks.map((sock) => readResponse(sock, t0));
  for (const sock of socks) sock.write('GET /debug/sleep?ms=1500 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
  await busy;
  const all = await Promise.all(answers);
  console.log(`db_pool burst: ${all.map((r) => `${r.status}${r.json?.error ? ` ${r.json.error.code}` : ""}@${r.ms.toFixed(0)}ms`).join(" ")}`);
  const ok = all.filter((r) => r.status === 200);
  const refused = all.filter((r) => r.status !== 200);
  for (const r of refused) assertBusy(r, 'db_busy', `refused (server log:\n${s.logs().slice(-10).join('\n')})`);
  for (const r of ok) assertSlept(r, 1500, 'admitted');
  assert.equal(
    ok.length,
    3,
    `SINAU_DB_POOL=1 + SINAU_DB_QUEUE=2 admit 1 running + 2 waiting; ${ok.length} were admitted ` +
      `(the query about to start on the idle connection must not take a waiting place)\n${s.logs().slice(-10).join('\n')}`,
  );
  assert.equal(refused.length, 3);
  assert.ok(Math.max(...all.map((r) => r.ms)) < 7000, 'bounded');
});

test('statement_timeout: a query over it answers 503 db_timeout fast, and its connection is reused', async () => {
  const s = await serve({ SINAU_STATEMENT_TIMEOUT_MS: '500', SINAU_DB_QUEUE_TIMEOUT_MS: '3000' });
  const pidsBefore = await backends(s);
  assert.equal(pidsBefore.length, 1, `one connection (SINAU_DB_POOL=1): ${pidsBefore}`);
  const reconnectsBefore = metricValue(await metrics(s), 'sinau_db_reconnects_total') ?? 0;

  const slow = timedRequest(`${s.url}/debug/sleep?ms=2000`, { timeoutMs: 10000 });
  await sleepMs(50);
  // /readyz waits for the one connection, which the timeout frees.
  const ready = await timedRequest(`${s.url}/readyz`, { timeoutMs: 10000 });
  const r = await slow;
  console.log(`db_pool: statement_timeout answered in ${r.ms.toFixed(0)} ms; /readyz meanwhile ${ready.status} in ${ready.ms.toFixed(0)} ms`);
  assertBusy(r, 'db_timeout', 'sleep 2000 with statement_timeout 500');
  assert.ok(r.ms < 1500, `db_timeout within 1.5 s (took ${r.ms.toFixed(0)} ms)`);
  assert.equal(ready.status, 200, `/readyz: ${ready.text}`);
  assert.ok(ready.ms < 1500, `/readyz in ${ready.ms.toFixed(0)} ms`);

  const next = await timedRequest(`${s.url}/debug/sleep?ms=0`);
  assertSlept(next, 0, 'the next query');
  assert.ok(next.ms < 500, `the next query ran at once (${next.ms.toFixed(0)} ms)`);
  const pidsAfter = await backends(s);
  assert.deepEqual(pidsAfter, pidsBefore, 'the same backend served it: the connection was reused, not replaced');
  await sleepMs(300); // gauges and counters are published every 250 ms
  const m = await metrics(s);
  assert.equal(metricValue(m, 'sinau_db_reconnects_total') ?? 0, reconnectsBefore, 'no reconnect');
  assert.equal(metricValue(m, 'sinau_db_pool_connected'), 1);
  await assertHealthyFast(s, 'after the timeout');
});

test('queue timeout: a query that waits longer than SINAU_DB_QUEUE_TIMEOUT_MS answers 503 db_busy within ~1 s', async () => {
  const s = await serve({ SINAU_DB_QUEUE_TIMEOUT_MS: '300' });
  // 3 s leaves room to see the sleep start even on a loaded machine
  const slow = timedRequest(`${s.url}/debug/sleep?ms=3000`, { timeoutMs: 10000 });
  await waitForSleep(s);
  const [waited, ready] = await Promise.all([timedRequest(`${s.url}/debug/sleep?ms=0`, { timeoutMs: 10000 }), timedRequest(`${s.url}/readyz`, { timeoutMs: 10000 })]);
  await assertHealthyFast(s, 'while a query holds the only connection');
  console.log(`db_pool: queue timeout answered in ${waited.ms.toFixed(0)} ms, /readyz ${ready.status} in ${ready.ms.toFixed(0)} ms`);
  assertBusy(waited, 'db_busy', 'a query behind a 3 s sleep');
  assert.ok(waited.ms >= 250, `it waited its turn first (${waited.ms.toFixed(0)} ms)`);
  assert.ok(waited.ms < 1000, `db_busy within ~1 s (took ${waited.ms.toFixed(0)} ms)`);
  assertBusy(ready, 'db_busy', '/readyz behind a 3 s sleep');
  assert.ok(ready.ms < 1000, `/readyz answered in ${ready.ms.toFixed(0)} ms`);

  assertSlept(await slow, 3000, 'the long query itself');
  const after = await timedRequest(`${s.url}/readyz`);
  assert.equal(after.status, 200, '/readyz 200 once the connection is free');
  const again = await timedRequest(`${s.url}/debug/sleep?ms=0`);
  assertSlept(again, 0, 'the pool serves again');
});
