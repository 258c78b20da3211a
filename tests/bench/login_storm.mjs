// login_storm.mjs — the load of PERFORMANCE.md P5 (run by p5_login_storm.sh):
// CONC clients log in again and again for DUR seconds, client i as account
// i mod K (bench-<i>@bench.invalid, one password for all), each waiting for
// its answer before the next. Prints one JSON line: counts by status, the
// elapsed time and successful logins per second. Client i connects from
// 127.0.0.<2 + i mod 200>: a storm of many visitors, not one address (whose
// attempts the per-address throttle counts while they are being checked).
//
//   node login_storm.mjs BASE_URL K CONC DUR PASSWORD
import http from 'node:http';

const [base, kArg, concArg, durArg, password] = process.argv.slice(2);
const K = Number(kArg), CONC = Number(concArg), DUR = Number(durArg);
if (!base || !(K > 0) || !(CONC > 0) || !(DUR > 0) || !password) {
  console.error('usage: node login_storm.mjs BASE_URL K CONC DUR PASSWORD');
  process.exit(2);
}

const url = `${base}/api/v1/auth/login`;
const byStatus = {};
let shown = 0;
const t0 = performance.now();
const deadline = t0 + DUR * 1000;

// One POST over the client's own keep-alive connection → { status, text }.
function post(agent, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function client(i) {
  const body = JSON.stringify({ email: `bench-${i % K}@bench.invalid`, password });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1, localAddress: `127.0.0.${2 + (i % 200)}` });
  while (performance.now() < deadline) {
    let status;
    try {
      const res = await post(agent, body);
      status = res.status;
      if (status !== 200 && shown++ < 3) console.error(`login_storm: ${status} ${res.text}`);
    } catch (e) {
      status = 'error';
      if (shown++ < 3) console.error(`login_storm: ${e.code ?? e.message}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  }
  agent.destroy();
}

await Promise.all(Array.from({ length: CONC }, (_, i) => client(i)));
const elapsed = (performance.now() - t0) / 1000;
const ok = byStatus[200] ?? 0;
console.log(JSON.stringify({ ok, by_status: byStatus, elapsed: +elapsed.toFixed(3),
                             rate: +(ok / elapsed).toFixed(2) }));
