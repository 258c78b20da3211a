// Bearer credentials are read in one place (http_bearer_token, issue 16 "one
// of each"): the scheme is case-insensitive (RFC 7235 §2.1) for the route
// guard as for /metrics, one or more blanks may follow it, and anything
// else is no bearer credential at all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/harness.mjs';
import { call, show, newParticipant } from './lib/accounts.mjs';

let server;
let base;

before(async () => {
  server = await startServer({ env: { SINAU_METRICS_TOKEN: 'metrics-token-16' } });
  base = server.url;
});
after(() => server.stop());

test('the guard and /metrics take the scheme in any case, and nothing else', async () => {
  const p = await newParticipant(base);
  for (const scheme of ['Bearer ', 'bearer ', 'BEARER ', 'bEaReR \t ']) {
    const me = await call(base, 'GET', '/api/v1/me', { headers: { authorization: `${scheme}${p.token}` } });
    assert.equal(me.status, 200, `${JSON.stringify(scheme)} to the guard: ${show(me)}`);
    const m = await call(base, 'GET', '/metrics', { headers: { authorization: `${scheme}metrics-token-16` } });
    assert.equal(m.status, 200, `${JSON.stringify(scheme)} to /metrics: ${show(m)}`);
  }
  for (const bad of [`Bearer${p.token}`, `Basic ${p.token}`, 'Bearer ']) {
    const me = await call(base, 'GET', '/api/v1/me', { headers: { authorization: bad } });
    assert.equal(me.status, 401, `${JSON.stringify(bad.slice(0, 10))}: ${show(me)}`);
  }
  const m = await call(base, 'GET', '/metrics', { headers: { authorization: 'Bearermetrics-token-16' } });
  assert.equal(m.status, 403, show(m));
});
