// p3_crowd.mjs — the flash crowd of PERFORMANCE.md P3 (run by
// p3_flash_crowd.sh): every participant of TOKENS (lines "n<TAB>segment<TAB>
// token") registers once for COHORT, all released at once, at most CONC
// requests open, participant n on server n mod (number of BASES), over
// keep-alive connections. A 503 (db_busy, the pool's back-pressure) or a
// dropped connection is retried after a short pause, as a browser's user
// would, and counted; the latency is from the first attempt to the answer.
// After DEADLINE seconds (0: none) no request is sent or retried any more:
// the participants left are counted as not_sent. Prints one JSON line.
//
//   node p3_crowd.mjs TOKENS COHORT BASE[,BASE...] CONC [DEADLINE]
import { readFileSync } from 'node:fs';
import http from 'node:http';

const [tokensPath, cohort, basesArg, concArg, deadlineArg = '0'] = process.argv.slice(2);
const CONC = Number(concArg), DEADLINE = Number(deadlineArg);
if (!tokensPath || !cohort || !basesArg || !(CONC > 0)) {
  console.error('usage: node p3_crowd.mjs TOKENS COHORT BASE[,BASE...] CONC');
  process.exit(2);
}
const people = readFileSync(tokensPath, 'utf8').trim().split('\n').map((l) => {
  const [n, segment, token] = l.split('\t');
  return { n: Number(n), segment, token };
});
const bases = basesArg.split(',').map((b) => new URL(b));
const agents = bases.map(() => new http.Agent({
  keepAlive: true, maxSockets: Math.ceil(CONC / bases.length), maxFreeSockets: CONC,
}));
const path = `/api/v1/cohorts/${encodeURIComponent(cohort)}/registrations`;

function post(server, person) {
  const body = JSON.stringify({ segment: person.segment });
  const base = bases[server];
  return new Promise((resolve) => {
    const req = http.request({
      host: base.hostname, port: base.port, path, method: 'POST', agent: agents[server],
      headers: {
        authorization: `Bearer ${person.token}`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, text }));
      res.on('error', (e) => resolve({ status: 'error', text: e.code ?? e.message }));
    });
    req.on('error', (e) => resolve({ status: 'error', text: e.code ?? e.message }));
    req.end(body);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const byStatus = {}, outcome = {}, latencies = new Float64Array(people.length);
let retries = 0, shown = 0, next = 0, answered = 0, notSent = 0;
const t0 = performance.now();
const late = () => DEADLINE > 0 && performance.now() - t0 > DEADLINE * 1000;

async function worker() {
  for (;;) {
    const i = next++;
    if (i >= people.length) return;
    if (late()) {
      notSent++;
      continue;
    }
    const person = people[i], server = person.n % bases.length;
    const t0 = performance.now();
    let res;
    for (let attempt = 0; ; attempt++) {
      res = await post(server, person);
      if ((res.status !== 503 && res.status !== 'error') || attempt >= 50 || late()) break;
      retries++;
      await sleep(20 + Math.random() * 80);
    }
    latencies[answered++] = performance.now() - t0;
    byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
    if (res.status === 201) {
      const s = JSON.parse(res.text).status;
      outcome[s] = (outcome[s] ?? 0) + 1;
    } else if (shown++ < 3) {
      console.error(`p3_crowd: ${res.status} ${res.text.slice(0, 200)}`);
    }
  }
}

await Promise.all(Array.from({ length: Math.min(CONC, people.length) }, worker));
const elapsed = (performance.now() - t0) / 1000;
for (const a of agents) a.destroy();
const sorted = Array.from(latencies.subarray(0, answered)).sort((a, b) => a - b);
const pct = (p) => sorted.length === 0 ? null
  : +sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)].toFixed(2);
console.log(JSON.stringify({
  n: people.length, by_status: byStatus, outcome, retries, not_sent: notSent,
  elapsed: +elapsed.toFixed(3), rate: +(answered / elapsed).toFixed(2),
  p50: pct(0.5), p90: pct(0.9), p99: pct(0.99), max: pct(1),
}));
