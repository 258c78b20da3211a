// P7's client (p7_idle.sh): holds N idle keep-alive connections to a server
// and measures what they cost it in memory.
//
//   node p7_hold.mjs PORT N PID [PID...]
//
// 1. warm-up: 64 connections, one GET /healthz each, closed; then 0.5 s;
// 2. the server's memory (the sum of Rss over the PIDs, from
//    /proc/PID/smaps_rollup) before;
// 3. N connections opened (OPEN_AT_ONCE at a time), each sends one
//    GET /healthz, reads its answer and stays open, idle;
// 4. after SETTLE_MS the memory again: (after - before) / N is the cost of
//    one idle keep-alive connection;
// 5. every connection sends a second GET /healthz: all N must answer 200
//    (the connections were held, not dropped), then all are closed.
//
// Prints one JSON line: {n, before_kb, idle_kb, per_conn_bytes, served,
// open_ms}. Exit status 1 when a connection failed or was not served.
import net from 'node:net';
import fs from 'node:fs';

const [port, n, ...pids] = process.argv.slice(2).map(Number);
const OPEN_AT_ONCE = Number(process.env.OPEN_AT_ONCE ?? 200);
const SETTLE_MS = Number(process.env.SETTLE_MS ?? 2000);
const REQUEST = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';

if (!port || !n || pids.length === 0) {
  console.error('usage: node p7_hold.mjs PORT N PID [PID...]');
  process.exit(2);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function rssKb() {
  let sum = 0;
  for (const pid of pids) {
    const text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    sum += Number(/^Rss:\s+(\d+) kB/m.exec(text)[1]);
  }
  return sum;
}

// One connection; ask() sends a request and resolves with the status of
// its whole answer (Content-Length framed), or rejects on an error/close.
function open() {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    let waiting = null;
    const fail = (e) => {
      if (waiting) {
        waiting.reject(e);
        waiting = null;
      }
    };
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0 || !waiting) return;
      const head = buf.subarray(0, end).toString('latin1');
      const len = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (buf.length < end + 4 + len) return;
      buf = buf.subarray(end + 4 + len);
      const w = waiting;
      waiting = null;
      w.resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0));
    });
    sock.on('error', (e) => {
      fail(e);
      reject(e);
    });
    sock.on('close', () => fail(new Error('closed by the server')));
    sock.on('connect', () =>
      resolve({
        sock,
        ask() {
          return new Promise((res, rej) => {
            waiting = { resolve: res, reject: rej };
            sock.write(REQUEST);
          });
        },
      }),
    );
  });
}

async function openAndAsk() {
  const c = await open();
  const status = await c.ask();
  if (status !== 200) throw new Error(`status ${status}`);
  return c;
}

// Runs fn(i) for i in 0..count-1 with at most `width` at once.
async function inBatches(count, width, fn) {
  const out = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      out[i] = await fn(i).then((v) => ({ v }), (e) => ({ e }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
  return out;
}

const warm = await inBatches(64, 64, () => openAndAsk());
for (const r of warm) r.v?.sock.destroy();
await sleep(500);

const before = rssKb();
const t0 = performance.now();
const conns = await inBatches(n, OPEN_AT_ONCE, () => openAndAsk());
const openMs = performance.now() - t0;
const failed = conns.filter((r) => r.e);
await sleep(SETTLE_MS);
const idle = rssKb();

const again = await inBatches(n, OPEN_AT_ONCE, async (i) => {
  if (!conns[i].v) throw new Error('never opened');
  const status = await conns[i].v.ask();
  if (status !== 200) throw new Error(`status ${status}`);
});
const served = again.filter((r) => !r.e).length;
for (const r of conns) r.v?.sock.destroy();

const result = {
  n,
  before_kb: before,
  idle_kb: idle,
  per_conn_bytes: Math.round(((idle - before) * 1024) / n),
  served,
  open_ms: Math.round(openMs),
};
if (failed.length > 0) result.failed = `${failed.length}: ${failed[0].e.message}`;
console.log(JSON.stringify(result));
process.exit(failed.length === 0 && served === n ? 0 : 1);
