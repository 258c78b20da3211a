// Small helpers for the black-box tests that harness.mjs does not cover:
// timed requests that never reject (node:http, chosen connection reuse),
// raw exchanges framed by the status line and headers, running the sinau
// command line, and reading Prometheus text. Loopback only.
import http from 'node:http';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { SINAU_BIN } from './harness.mjs';
import { checkResponse } from './openapi_check.mjs';

// ------------------------------------------------------------ requests ----

// One request with node:http, timed from just before it is sent to the end
// of the body. Never rejects for the network's sake (a JSON body that does
// not match the server's OpenAPI document rejects, openapi_check.mjs): resolves to {status, headers (lower-case
// object), setCookies ([]), text, json, ms, error}; status is 0 and error
// set when no whole response came (connection refused or reset, timeout).
//   agent        false (default): a new connection; or an http.Agent to reuse one
//   localAddress the loopback source address (127.0.0.x) of the connection
export async function timedRequest(url, opts = {}) {
  const r = await sendTimed(url, opts);
  const body = opts.body;
  await checkResponse(url, opts.method ?? 'GET', r.status, r.headers['content-type'], r.json, r.text, typeof body === 'string' ? body : undefined);
  return r;
}

function sendTimed(url, { method = 'GET', headers = {}, body, agent = false, localAddress, timeoutMs = 10000 } = {}) {
  return new Promise((resolve) => {
    const u = new URL(url);
    const t0 = performance.now();
    let done = false;
    const finish = (r) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ status: 0, headers: {}, setCookies: [], text: '', json: undefined, error: null, ...r, ms: performance.now() - t0, t0, t1: performance.now() });
    };
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers, agent, localAddress },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', (e) => finish({ error: e.code || e.message }));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          const sc = res.headers['set-cookie'];
          finish({ status: res.statusCode, headers: res.headers, setCookies: sc ? [].concat(sc) : [], text, json });
        });
      },
    );
    const timer = setTimeout(() => {
      finish({ error: 'timeout' });
      req.destroy();
    }, timeoutMs);
    req.on('error', (e) => finish({ error: e.code || e.message }));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

// A keep-alive agent with exactly `sockets` connections.
export function keepAliveAgent(sockets = 1) {
  return new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
}

// Splits a raw HTTP response: {status, headers (lower-case names, last
// value wins), body (text after the blank line)}; status 0 when there is no
// status line.
export function parseRaw(text) {
  const end = text.indexOf('\r\n\r\n');
  const head = end >= 0 ? text.slice(0, end) : text;
  const lines = head.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  const headers = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  return { status: m ? Number(m[1]) : 0, headers, body: end >= 0 ? text.slice(end + 4) : '' };
}

// Sends raw bytes on a new connection and resolves once the response's
// headers arrived and then either its Content-Length is complete, the server
// closed, or `settleMs` passed without more bytes (a response with no framing
// at all). Never rejects. Resolves to {status, headers, body, text, closed,
// error, ms}; `closed` says whether the server closed the connection within
// `closeWaitMs` after the response (only waited for when closeWaitMs > 0).
export function rawExchange(port, bytes, { timeoutMs = 5000, settleMs = 300, closeWaitMs = 0, host = '127.0.0.1' } = {}) {
  return new Promise((resolve) => {
    const chunks = [];
    const t0 = performance.now();
    let done = false;
    let error = null;
    let closed = false;
    let settle = null;
    let responded = false;
    const sock = net.connect({ host, port });
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(settle);
      sock.destroy();
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({ ...parseRaw(text), text, closed, error, ms: performance.now() - t0 });
    };
    const responseDone = () => {
      if (responded) return;
      responded = true;
      if (closeWaitMs > 0 && !closed) {
        clearTimeout(timer);
        setTimeout(finish, closeWaitMs);
      } else finish();
    };
    const timer = setTimeout(finish, timeoutMs);
    sock.on('connect', () => sock.write(bytes));
    sock.on('data', (c) => {
      chunks.push(c);
      const buf = Buffer.concat(chunks);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString('latin1');
      const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      clearTimeout(settle);
      if (cl) {
        if (buf.length - end - 4 >= Number(cl[1])) responseDone();
      } else {
        settle = setTimeout(responseDone, settleMs);
      }
    });
    sock.on('error', (e) => {
      error = e.code || e.message;
      closed = true;
      finish();
    });
    sock.on('close', () => {
      closed = true;
      finish();
    });
  });
}

// ------------------------------------------------------ command line ----

// The environment of a child sinau: none of the developer's SINAU_* or
// DATABASE_URL (as harness.mjs does for servers), plus `env` (null removes).
export function cliEnv(env = {}) {
  const out = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('SINAU_') || k === 'DATABASE_URL') continue;
    out[k] = v;
  }
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || v === null) delete out[k];
    else out[k] = String(v);
  }
  return out;
}

// Runs `sinau ...args`; resolves to {code, signal, stdout, stderr, ms,
// timedOut}. Killed (SIGKILL) after timeoutMs.
export function runSinau(args, { env = {}, timeoutMs = 20000 } = {}) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const proc = spawn(SINAU_BIN, args, { env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    proc.stdout.setEncoding('utf8');
    proc.stderr.setEncoding('utf8');
    proc.stdout.on('data', (c) => (stdout += c));
    proc.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => {
      timedOut = true;
      proc.kill('SIGKILL');
    }, timeoutMs);
    proc.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: 127, signal: null, stdout, stderr: stderr + String(e), ms: performance.now() - t0, timedOut });
    });
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - t0, timedOut });
    });
  });
}

// ------------------------------------------------------------ metrics ----

// Prometheus text → [{name, labels: {k: v}, value}] (comments skipped).
export function parseMetrics(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = {};
    if (m[2]) {
      for (const lm of m[2].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[lm[1]] = lm[2];
    }
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

// The value of the first sample named `name` whose labels include `labels`;
// undefined when there is none.
export function metricValue(samples, name, labels = {}) {
  const s = samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  return s?.value;
}

export const sleepMs = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
