// p3_crowd.mjs — the flash crowd of PERFORMANCE.md P3 (run by
// p3_flash_crowd.sh): every participant of TOKENS (lines "n<TAB>segment<TAB>
// token") registers once for COHORT, all released at once, at most CONC
// requests open, participant n on server n mod (number of BASES), over
// keep-alive connections. A 503 (db_busy, the pool's back-pressure) or a
// dropped connection is retried after a short pause, as a browser's user
// would, and counted; the latency is from the first attempt to the answer.
// After DEADLINE seconds (0: none) no request is sent or retried any more:
// the participants left are counted as not_sent. Prints one JSON line.
// With P3_TRACE=path it also writes, once the race is over, one line per
// answered request (kept in memory meanwhile, so tracing costs no I/O
// during the race): start offset from the release in ms, latency in ms,
// server, connection, the request's place on its connection (0 = the one
// that opened it), attempts, status, segment, and the TCP connect's duration
// when this request opened the connection. p3_trace.py summarises it.
//
// P3_PRECONNECT=1 opens the CONC connections before the release, as the
// browsers of people waiting on the registration page hold theirs: then no
// request's latency includes a TCP connect, nor the time this one process
// takes to create CONC sockets before the first request can leave (which,
// by default, every request of the first wave carries: its clock starts
// when its socket is made, and nothing is written before node has made them
// all). The default stays the model of PERFORMANCE.md's P3 runs so far.
//
//   node p3_crowd.mjs TOKENS COHORT BASE[,BASE...] CONC [DEADLINE]
//
// The client shares the two cores with both servers and PostgreSQL, so it
// is kept lean (issue 17): plain sockets, each keeping one request open at a
// time (CONC ÷ servers connections per server, as node's http.Agent with
// that many sockets would), requests written as one preformatted string,
// answers parsed only as far as the status, Content-Length and body. node's
// http module cost ~600 µs of CPU per registration, four times the server's.
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';

const [tokensPath, cohort, basesArg, concArg, deadlineArg = '0'] = process.argv.slice(2);
const PRECONNECT = process.env.P3_PRECONNECT === '1';
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
const path = `/api/v1/cohorts/${encodeURIComponent(cohort)}/registrations`;

function requestText(base, person) {
  const body = JSON.stringify({ segment: person.segment });
  return `POST ${path} HTTP/1.1\r\nHost: ${base.host}\r\nAuthorization: Bearer ${person.token}\r\n`
    + `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

// One keep-alive connection with at most one request open; reconnects
// after the server closes it.
class Conn {
  constructor(base) {
    this.base = base;
    this.sock = null;
    this.buf = null;
    this.done = null;
    this.connectMs = -1; /* the last connect's duration (P3_TRACE) */
  }

  // Opens the connection; resolves once it is connected (or failed).
  open() {
    const sock = net.connect({ host: this.base.hostname, port: Number(this.base.port) });
    const opened = performance.now();
    const connected = new Promise((resolve) => {
      sock.once('connect', resolve);
      sock.once('close', resolve);
    });
    this.connectMs = -1;
    sock.setNoDelay(true);
    sock.on('connect', () => { this.connectMs = performance.now() - opened; });
    sock.on('data', (chunk) => this.data(chunk));
    sock.on('error', () => {});
    sock.on('close', () => {
      if (this.sock === sock) this.sock = null;
      this.finish({ status: 'error', text: 'closed' });
    });
    this.sock = sock;
    return connected;
  }

  finish(res) {
    const done = this.done;
    this.done = null;
    this.buf = null;
    if (done) done(res);
  }

  data(chunk) {
    this.buf = this.buf ? Buffer.concat([this.buf, chunk]) : chunk;
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.buf.toString('latin1', 0, end);
    const m = /\r\ncontent-length: *(\d+)/i.exec(head);
    const len = m ? Number(m[1]) : 0;
    if (this.buf.length < end + 4 + len) return;
    const status = Number(head.slice(9, 12));
    const text = this.buf.toString('utf8', end + 4, end + 4 + len);
    const close = /\r\nconnection: *close/i.test(head);
    this.finish({ status, text });
    if (close && this.sock) {
      const s = this.sock;
      this.sock = null;
      s.destroy();
    }
  }

  send(text) {
    return new Promise((resolve) => {
      if (!this.sock) this.open();
      this.done = resolve;
      this.sock.write(text);
    });
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const byStatus = {}, outcome = {}, latencies = new Float64Array(people.length);
const TRACE = process.env.P3_TRACE || '';
const trace = TRACE ? [] : null;
let retries = 0, shown = 0, answered = 0, notSent = 0;
let t0 = performance.now();
const late = () => DEADLINE > 0 && performance.now() - t0 > DEADLINE * 1000;

// Each server's participants, in order; each connection takes the next.
const queues = bases.map((_, s) => people.filter((p) => p.n % bases.length === s));
const nextOf = bases.map(() => 0);

let connCount = 0;

async function worker(server, conn) {
  const connId = connCount++;
  let onConn = 0;
  const queue = queues[server];
  for (;;) {
    const i = nextOf[server]++;
    if (i >= queue.length) break;
    if (late()) {
      notSent++;
      continue;
    }
    const person = queue[i], text = requestText(bases[server], person);
    const start = performance.now();
    const reconnect = !conn.sock;
    let res, attempts = 0;
    for (let attempt = 0; ; attempt++) {
      attempts++;
      res = await conn.send(text);
      if ((res.status !== 503 && res.status !== 'error') || attempt >= 50 || late()) break;
      retries++;
      await sleep(20 + Math.random() * 80);
    }
    const end = performance.now();
    latencies[answered++] = end - start;
    if (trace) {
      trace.push([(start - t0).toFixed(3), (end - start).toFixed(3), server, connId, onConn,
                  attempts, res.status, person.segment,
                  reconnect ? conn.connectMs.toFixed(3) : '']);
    }
    onConn++;
    byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
    if (res.status === 201) {
      const s = JSON.parse(res.text).status;
      outcome[s] = (outcome[s] ?? 0) + 1;
    } else if (shown++ < 3) {
      console.error(`p3_crowd: ${res.status} ${res.text.slice(0, 200)}`);
    }
  }
  if (conn.sock) conn.sock.destroy();
}

const conns = [];
for (let s = 0; s < bases.length; s++) {
  const n = Math.min(Math.ceil(CONC / bases.length), queues[s].length);
  for (let k = 0; k < n; k++) conns.push([s, new Conn(bases[s])]);
}
if (PRECONNECT) {
  await Promise.all(conns.map(([, c]) => c.open()));
  t0 = performance.now();
}
await Promise.all(conns.map(([s, c]) => worker(s, c)));
const elapsed = (performance.now() - t0) / 1000;
if (trace) {
  writeFileSync(TRACE, 'start_ms\tlatency_ms\tserver\tconn\ton_conn\tattempts\tstatus\tsegment\tconnect_ms\n'
    + trace.map((t) => t.join('\t')).join('\n') + '\n');
}
const sorted = Array.from(latencies.subarray(0, answered)).sort((a, b) => a - b);
const pct = (p) => sorted.length === 0 ? null
  : +sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)].toFixed(2);
console.log(JSON.stringify({
  n: people.length, by_status: byStatus, outcome, retries, not_sent: notSent,
  elapsed: +elapsed.toFixed(3), rate: +(answered / elapsed).toFixed(2),
  p50: pct(0.5), p90: pct(0.9), p99: pct(0.99), max: pct(1),
}));
