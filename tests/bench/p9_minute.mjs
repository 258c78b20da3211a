// p9_minute.mjs — the post-test minute of PERFORMANCE.md P9 (run by
// p9_quiz.sh): every participant of TOKENS (lines "n<TAB>segment<TAB>token")
// opens their attempt `ba<n>` (GET, as the page does), answers its QUESTIONS
// questions one by one (PUT …/answers/bq<k> {option_ids, seq}, with a think
// time between saves, and a retry of the same save now and then as on a
// flaky connection), then hands it in (POST …/close). Participants start
// spread over SPREAD seconds, so the whole class fits in about a minute.
// Each save's latency is recorded from sending to the answer, over
// keep-alive connections (one per participant). Prints one JSON line.
//
//   node p9_minute.mjs TOKENS BASE QUESTIONS SPREAD_S THINK_MS
import { readFileSync } from 'node:fs';
import http from 'node:http';

const [tokensPath, baseArg, qArg, spreadArg, thinkArg] = process.argv.slice(2);
const QUESTIONS = Number(qArg), SPREAD = Number(spreadArg) * 1000, THINK = Number(thinkArg);
if (!tokensPath || !baseArg || !(QUESTIONS > 0) || !(SPREAD >= 0) || !(THINK >= 0)) {
  console.error('usage: node p9_minute.mjs TOKENS BASE QUESTIONS SPREAD_S THINK_MS');
  process.exit(2);
}
const RETRY_SHARE = 0.05;
const people = readFileSync(tokensPath, 'utf8').trim().split('\n').map((l) => {
  const [n, , token] = l.split('\t');
  return { n: Number(n), token };
});
const base = new URL(baseArg);

function send(agent, method, path, token, body) {
  const data = body === undefined ? undefined : JSON.stringify(body);
  const headers = { authorization: `Bearer ${token}` };
  if (data !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = Buffer.byteLength(data);
  }
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = http.request({ host: base.hostname, port: base.port, path, method, agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, text, ms: performance.now() - t0 }));
      res.on('error', (e) => resolve({ status: 'error', text: e.code ?? e.message, ms: performance.now() - t0 }));
    });
    req.on('error', (e) => resolve({ status: 'error', text: e.code ?? e.message, ms: performance.now() - t0 }));
    req.end(data);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const saves = [], closes = [], byStatus = {};
let retries = 0, shown = 0, rightKept = 0;
const count = (r, what) => {
  const key = `${what} ${r.status}`;
  byStatus[key] = (byStatus[key] ?? 0) + 1;
  if (r.status !== 200 && shown++ < 3) console.error(`p9_minute: ${what} ${r.status} ${String(r.text).slice(0, 200)}`);
};

async function participant(p) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  await sleep(Math.random() * SPREAD);
  const a = `ba${p.n}`;
  count(await send(agent, 'GET', `/api/v1/attempts/${a}`, p.token), 'open');
  let seq = 0;
  for (let k = 1; k <= QUESTIONS; k++) {
    await sleep(THINK * (0.5 + Math.random()));
    const body = { option_ids: [`o${1 + Math.floor(Math.random() * 4)}`], seq: ++seq };
    const r = await send(agent, 'PUT', `/api/v1/attempts/${a}/answers/bq${k}`, p.token, body);
    saves.push(r.ms);
    count(r, 'save');
    if (Math.random() < RETRY_SHARE) {
      retries++;
      const again = await send(agent, 'PUT', `/api/v1/attempts/${a}/answers/bq${k}`, p.token, body);
      saves.push(again.ms);
      count(again, 'save');
    }
  }
  const c = await send(agent, 'POST', `/api/v1/attempts/${a}/close`, p.token, {});
  closes.push(c.ms);
  count(c, 'close');
  if (c.status === 200 && JSON.parse(c.text).attempt.status === 'closed') rightKept++;
  agent.destroy();
}

const t0 = performance.now();
await Promise.all(people.map(participant));
const elapsed = (performance.now() - t0) / 1000;
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? +s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)].toFixed(2) : null;
};
console.log(JSON.stringify({
  participants: people.length, saves: saves.length, retries, closed: rightKept, by_status: byStatus,
  elapsed: +elapsed.toFixed(2), saves_per_s: +(saves.length / elapsed).toFixed(2),
  p50: pct(saves, 0.5), p90: pct(saves, 0.9), p99: pct(saves, 0.99), max: pct(saves, 1),
  close_p50: pct(closes, 0.5), close_p99: pct(closes, 0.99),
}));
