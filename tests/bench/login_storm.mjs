// login_storm.mjs — the load of PERFORMANCE.md P5 (run by p5_login_storm.sh):
// CONC clients log in again and again for DUR seconds, client i as account
// i mod K (bench-<i>@bench.invalid, one password for all), each waiting for
// its answer before the next. Prints one JSON line: counts by status, the
// elapsed time and successful logins per second.
//
//   node login_storm.mjs BASE_URL K CONC DUR PASSWORD
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

async function client(i) {
  const body = JSON.stringify({ email: `bench-${i % K}@bench.invalid`, password });
  while (performance.now() < deadline) {
    let status;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const text = await res.text();
      status = res.status;
      if (status !== 200 && shown++ < 3) console.error(`login_storm: ${status} ${text}`);
    } catch (e) {
      status = 'error';
      if (shown++ < 3) console.error(`login_storm: ${e.cause?.code ?? e.message}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  }
}

await Promise.all(Array.from({ length: CONC }, (_, i) => client(i)));
const elapsed = (performance.now() - t0) / 1000;
const ok = byStatus[200] ?? 0;
console.log(JSON.stringify({ ok, by_status: byStatus, elapsed: +elapsed.toFixed(3),
                             rate: +(ok / elapsed).toFixed(2) }));
