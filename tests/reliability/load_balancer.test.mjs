// Several `sinau serve` behind a load balancer on one PostgreSQL: what
// docker/compose.yaml describes, run here on loopback with nginx as the
// balancer (no Docker engine on these machines). The instances share the
// database and the master key file and nothing else: a session made through
// one is good on every one, and when one instance stops, the other serves on.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, startServer, request, sleep } from '../api/lib/harness.mjs';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function nginxBin() {
  for (const p of ['/usr/sbin/nginx', '/usr/bin/nginx']) if (fs.existsSync(p)) return p;
  return null;
}

// A private nginx balancing round-robin over the instances, retrying the
// next one when an instance refuses connections.
async function startBalancer(ports) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sinau-lb-'));
  const port = await freePort();
  const user = process.getuid && process.getuid() === 0 ? 'user root;' : '';
  const conf = `${user}
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream sinau {
${ports.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;`).join('\n')}
    keepalive 8;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://sinau;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_next_upstream error timeout http_503;
    }
  }
}
`;
  fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const proc = spawn(nginxBin(), ['-c', path.join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    try {
      const res = await request(`http://127.0.0.1:${port}/healthz`, { timeoutMs: 1000 });
      if (res.status === 200) break;
    } catch {
      /* not up yet */
    }
    await sleep(100);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    stop() {
      proc.kill('SIGTERM');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

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
