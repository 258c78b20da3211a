// Several `sinau serve` behind a load balancer on one PostgreSQL: what
// docker/compose.yaml describes, run here on loopback with nginx as the
// balancer (no Docker engine on these machines). The instances share the
// database and the master key file and nothing else: a session made through
// one is good on every one, and when one instance stops, the other serves on.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, startServer, request, sleep } from '../api/lib/harness.mjs';
import { startBalancer, nginxBin } from '../api/lib/balancer.mjs';

let lb;
after(() => lb?.stop());

test('two instances behind nginx act as one: sessions cross, and one stopping loses nothing', { skip: !nginxBin() && 'nginx is not installed' }, async () => {
  const db = await freshDatabase();
  const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sinau-key-'));
  const env = { SINAU_KEY_FILE: path.join(keyDir, 'master.key'), SINAU_THREADS: 1 };
  const a = await startServer({ database: db, env });
  const b = await startServer({ database: db, env });
  lb = await startBalancer([a.port, b.port]);

  const json = { email: 'lb@sinau.test', password: 'balanced load 2026', full_name: 'Lb Test' };
  const signup = await request(`${lb.url}/api/v1/auth/signup`, { method: 'POST', json });
  assert.equal(signup.status, 201, signup.text);
  const login = await request(`${lb.url}/api/v1/auth/login`, { method: 'POST', json: { email: json.email, password: json.password } });
  assert.equal(login.status, 200, login.text);
  const auth = { Authorization: `Bearer ${login.json.token}` };

  // round robin: the same token is good on both instances
  for (let i = 0; i < 20; i++) {
    const me = await request(`${lb.url}/api/v1/me`, { headers: auth });
    assert.equal(me.status, 200, me.text);
  }
  await sleep(400); // access logs are flushed by each loop's tick
  const served = (srv) => srv.logs().filter((l) => l.includes('route=/api/v1/me ')).length;
  assert.ok(served(a) > 0 && served(b) > 0, `both instances served /me (a=${served(a)}, b=${served(b)})`);

  // a profile written through one is read through the other (same key file)
  const put = await request(`${lb.url}/api/v1/me/profile`, { method: 'PUT', headers: auth, json: { nik: '3573014507900001' } });
  assert.equal(put.status, 200, put.text);

  // one instance stops (a rolling restart): every request still succeeds
  assert.equal(await a.stop('SIGTERM'), 0);
  for (let i = 0; i < 20; i++) {
    const me = await request(`${lb.url}/api/v1/me`, { headers: auth });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.profile.nik, '3573********0001');
  }

  // logout through the balancer ends the session on the remaining instance
  const out = await request(`${lb.url}/api/v1/auth/logout`, { method: 'POST', headers: auth });
  assert.equal(out.status, 204);
  const gone = await request(`http://127.0.0.1:${b.port}/api/v1/me`, { headers: auth });
  assert.equal(gone.status, 401);
  await b.stop('SIGTERM');
  fs.rmSync(keyDir, { recursive: true, force: true });
});
