// GET /healthz and GET /readyz (API.md, Operations).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, request } from './lib/harness.mjs';

let srv;

before(async () => {
  srv = await startServer();
});

after(async () => {
  await srv?.stop();
});

test('GET /healthz answers 200 {"status":"ok"} as JSON with a request id', async () => {
  const res = await request(`${srv.url}/healthz`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json\b/);
  assert.deepEqual(res.json, { status: 'ok' });
  const id = res.headers.get('x-request-id');
  assert.ok(id && id.length > 0, 'X-Request-Id header is present');
});

test('each request gets its own X-Request-Id', async () => {
  const a = await request(`${srv.url}/healthz`);
  const b = await request(`${srv.url}/healthz`);
  assert.notEqual(a.headers.get('x-request-id'), b.headers.get('x-request-id'));
});

test('GET /readyz answers 200 while the database answers', async () => {
  // the pool connects in the background after the listening line: poll
  let res = await request(`${srv.url}/readyz`);
  for (let i = 0; i < 50 && res.status !== 200; i++) {
    await new Promise((r) => setTimeout(r, 100));
    res = await request(`${srv.url}/readyz`);
  }
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json\b/);
  assert.ok(res.headers.get('x-request-id'));
});

test('SIGTERM stops the server with exit code 0', async () => {
  const code = await srv.stop('SIGTERM');
  assert.equal(code, 0, `exit code; stderr:\n${srv.logs().join('\n')}`);
});
