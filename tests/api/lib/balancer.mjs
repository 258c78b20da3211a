// A private nginx balancing round-robin over sinau instances on loopback:
// what docker/compose.yaml puts in front of several `sinau serve`, for the
// tests (no Docker engine on these machines). Stopped and removed at exit.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, onExit, request, sleep } from './harness.mjs';

export function nginxBin() {
  for (const p of ['/usr/sbin/nginx', '/usr/bin/nginx']) if (fs.existsSync(p)) return p;
  return null;
}

// Starts nginx in front of the instances' ports. Options:
//   nextUpstream  what makes nginx try the next instance ('error timeout
//                 http_503' by default: one instance stopping loses nothing;
//                 nginx never resends a POST that reached an instance)
//   maxFails      failures before an instance is left out for 2 s (1;
//                 0: never left out — when every instance answers 503 for a
//                 while, as during a database failover, each 503 must reach
//                 the client rather than nginx's own 502)
//   connections   worker_connections (256)
// Returns {url, port, stop()}.
export async function startBalancer(ports, { nextUpstream = 'error timeout http_503', maxFails = 1, connections = 256 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sinau-lb-'));
  const port = await freePort();
  const user = process.getuid && process.getuid() === 0 ? 'user root;' : '';
  const conf = `${user}
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections ${connections}; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream sinau {
${ports.map((p) => `    server 127.0.0.1:${p} max_fails=${maxFails} fail_timeout=2s;`).join('\n')}
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://sinau;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_next_upstream ${nextUpstream};
      proxy_read_timeout 60s;
    }
  }
}
`;
  fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const proc = spawn(nginxBin(), ['-c', path.join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' });
  proc.unref();
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      proc.kill('SIGTERM');
    } catch {
      /* gone */
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const unregister = onExit(stop);
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
    port,
    stop() {
      stop();
      unregister();
    },
  };
}
