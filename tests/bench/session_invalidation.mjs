// session_invalidation.mjs A_URL B_URL EMAIL PASSWORD ROUNDS — issue 17: how
// long a session logged out on instance A is still accepted by instance B,
// which holds it in its session cache. Each round: log in on A, make B
// answer the token from its cache (three reads: the doorkeeper admits it on
// the second check, the third is a hit), log out on A, then read on B back
// to back until it answers 401. Prints JSON: the delays from A's 204 (and
// from sending the logout) to B's first 401, in ms, the stale 200s B gave
// after A's 204, and B's cache hits during the run.
const [A, B, email, password, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg || 200);

async function req(base, method, path, { token, json } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (json) headers['content-type'] = 'application/json';
  const r = await fetch(base + path, { method, headers, body: json ? JSON.stringify(json) : undefined });
  const text = await r.text();
  return { status: r.status, text };
}

async function hits(base) {
  const r = await req(base, 'GET', '/metrics');
  const m = r.text.match(/^sinau_session_cache_hits_total (\d+)/m);
  return m ? Number(m[1]) : NaN;
}

const ms = (t) => Number(t) / 1e6;
const fromAck = [];
const fromSend = [];
let stale = 0;
const hits0 = await hits(B);
for (let i = 0; i < rounds; i++) {
  const l = await req(A, 'POST', '/api/v1/auth/login', { json: { email, password } });
  if (l.status !== 200) throw new Error(`login: ${l.status} ${l.text}`);
  const token = JSON.parse(l.text).token;
  for (let k = 0; k < 3; k++) {
    const r = await req(B, 'GET', '/api/v1/me', { token });
    if (r.status !== 200) throw new Error(`warm-up read on B: ${r.status}`);
  }
  const t0 = process.hrtime.bigint();
  const out = await req(A, 'POST', '/api/v1/auth/logout', { token });
  const tAck = process.hrtime.bigint();
  if (out.status !== 204) throw new Error(`logout: ${out.status} ${out.text}`);
  for (;;) {
    const r = await req(B, 'GET', '/api/v1/me', { token });
    if (r.status === 401) break;
    if (r.status !== 200) throw new Error(`read on B: ${r.status}`);
    stale++;
  }
  const t1 = process.hrtime.bigint();
  fromAck.push(ms(t1 - tAck));
  fromSend.push(ms(t1 - t0));
}
await new Promise((r) => setTimeout(r, 600)); // the metrics are published every 250 ms
const q = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return Number(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)].toFixed(3));
};
console.log(JSON.stringify({
  rounds,
  from_ack_ms: { p50: q(fromAck, 50), p99: q(fromAck, 99), max: q(fromAck, 100) },
  from_send_ms: { p50: q(fromSend, 50), p99: q(fromSend, 99), max: q(fromSend, 100) },
  stale_after_ack: stale,
  cache_hits_on_b: (await hits(B)) - hits0,
}));
