// Graceful stop (issue 2; SECURITY.md case 23, first half): at SIGTERM the
// server stops accepting, lets in-flight requests finish within
// SINAU_SHUTDOWN_GRACE_S, and exits 0; a request longer than the grace does
// not keep the process alive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../api/lib/harness.mjs';
import { timedRequest, keepAliveAgent, sleepMs } from '../api/lib/probe.mjs';

// Resolves to the time (ms since `since`) at which the process exited, and its code.
async function exitAfter(srv, since, boundMs) {
  const timer = setTimeout(() => srv.kill(), boundMs);
  try {
    const code = await srv.exited;
    return { code, ms: performance.now() - since };
  } finally {
    clearTimeout(timer);
  }
}

test('SIGTERM with a request in flight: it completes with 200, new connections are refused or get 503, exit 0', async () => {
  const srv = await startServer({ env: { SINAU_DEBUG_ROUTES: '1', SINAU_SHUTDOWN_GRACE_S: '10' } });
  const idle = keepAliveAgent(1);
  try {
    assert.equal((await timedRequest(`${srv.url}/debug/sleep?ms=0`)).status, 200);
    // A keep-alive connection opened before the signal.
    assert.equal((await timedRequest(`${srv.url}/healthz`, { agent: idle })).status, 200);

    const inflight = timedRequest(`${srv.url}/debug/sleep?ms=1500`, { timeoutMs: 10000 });
    await sleepMs(200);
    const tSignal = performance.now();
    srv.proc.kill('SIGTERM');
    const exit = exitAfter(srv, tSignal, 15000);
    await srv.waitForLog(/stopping/, 2000);
    await sleepMs(100);

    // After the signal: a new connection, and a request on the old one.
    const [fresh, reused] = await Promise.all([
      timedRequest(`${srv.url}/healthz`, { timeoutMs: 8000 }),
      timedRequest(`${srv.url}/healthz`, { agent: idle, timeoutMs: 8000 }),
    ]);
    const done = await inflight;
    const { code, ms } = await exit;
    console.log(
      `sigterm: in-flight ${done.status} after ${done.ms.toFixed(0)} ms; exit ${code} ${ms.toFixed(0)} ms after the signal; ` +
        `new connection: ${fresh.error ?? fresh.status} (${fresh.ms.toFixed(0)} ms); old keep-alive connection: ${reused.error ?? reused.status}`,
    );

    assert.equal(done.status, 200, `the in-flight request finished: ${done.error ?? done.text}`);
    assert.deepEqual(done.json, { slept_ms: 1500 });
    assert.equal(code, 0, `exit code; stderr:\n${srv.logs().slice(-10).join('\n')}`);
    assert.ok(ms < 4000, `exited ${ms.toFixed(0)} ms after SIGTERM (in-flight 1.3 s left, grace 10 s)`);

    for (const [what, r] of [['a new connection', fresh], ['the old keep-alive connection', reused]]) {
      assert.ok(!(r.status >= 200 && r.status < 300), `${what} after SIGTERM must not be served: ${r.status}`);
      if (r.status !== 0) {
        assert.equal(r.status, 503, `${what}: ${r.text}`);
        assert.equal(r.json?.error?.code, 'shutting_down', `${what}: ${r.text}`);
      } else {
        assert.ok(r.error, `${what}: refused or closed`);
      }
    }
    assert.ok(srv.logs().some((l) => /stopped/.test(l)), 'logs "stopped"');
  } finally {
    idle.destroy();
    srv.kill();
  }
});

test('after SIGTERM a new connection is refused or answered 503 at once, not left waiting for the drain', async () => {
  // "Stops accepting" must be visible to clients: a connection the kernel
  // still takes into the listen backlog but nobody serves hangs until exit.
  const srv = await startServer({ env: { SINAU_DEBUG_ROUTES: '1', SINAU_SHUTDOWN_GRACE_S: '10' } });
  try {
    const inflight = timedRequest(`${srv.url}/debug/sleep?ms=3000`, { timeoutMs: 10000 });
    await sleepMs(200);
    srv.proc.kill('SIGTERM');
    const exit = exitAfter(srv, performance.now(), 15000);
    await srv.waitForLog(/stopping/, 2000);
    await sleepMs(100);
    const fresh = await timedRequest(`${srv.url}/healthz`, { timeoutMs: 8000 });
    const done = await inflight;
    const { code } = await exit;
    console.log(`sigterm: new connection during a 3 s drain: ${fresh.error ?? fresh.status} after ${fresh.ms.toFixed(0)} ms; in-flight ${done.status}; exit ${code}`);
    assert.ok(!(fresh.status >= 200 && fresh.status < 300), 'not served');
    assert.ok(fresh.status === 503 || fresh.error, `refused or 503: ${fresh.status}`);
    assert.ok(fresh.ms < 1000, `answered or refused in ${fresh.ms.toFixed(0)} ms (the drain had ~2.7 s left)`);
    assert.equal(done.status, 200);
    assert.equal(code, 0);
  } finally {
    srv.kill();
  }
});

test('a request longer than SINAU_SHUTDOWN_GRACE_S=1 does not keep the process alive past the grace', async () => {
  const srv = await startServer({ env: { SINAU_DEBUG_ROUTES: '1', SINAU_SHUTDOWN_GRACE_S: '1' } });
  try {
    const long = timedRequest(`${srv.url}/debug/sleep?ms=8000`, { timeoutMs: 12000 });
    await sleepMs(200);
    const tSignal = performance.now();
    srv.proc.kill('SIGTERM');
    const { code, ms } = await exitAfter(srv, tSignal, 10000);
    const r = await long;
    console.log(`sigterm: grace 1 s, exit ${code} ${ms.toFixed(0)} ms after the signal; the 8 s request got ${r.error ?? r.status}`);
    assert.equal(code, 0, `exit code; stderr:\n${srv.logs().slice(-10).join('\n')}`);
    assert.ok(ms >= 900, `it waited for the grace period (${ms.toFixed(0)} ms)`);
    assert.ok(ms < 3000, `exited ${ms.toFixed(0)} ms after SIGTERM with a 1 s grace`);
    assert.ok(!(r.status >= 200 && r.status < 300), 'the long request was cut off, not answered 2xx');
  } finally {
    srv.kill();
  }
});

test('SIGINT stops an idle server at once with exit code 0', async () => {
  const srv = await startServer();
  const t = performance.now();
  const code = await srv.stop('SIGINT', { timeoutMs: 5000 });
  const ms = performance.now() - t;
  assert.equal(code, 0);
  assert.ok(ms < 1500, `exited in ${ms.toFixed(0)} ms`);
});
