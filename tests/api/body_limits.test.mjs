// Per-route body limits enforced before the body is read (SECURITY.md case 1:
// body over the limit → 413, nothing stored, server still answers), through
// POST /debug/echo on a server with SINAU_MAX_BODY=4k and raw sockets, so
// that what is sent, and when, is exactly what the test says. Every refusal
// is the API's JSON error, never libevent's HTML page.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, request } from './lib/harness.mjs';

const LIMIT = 4096; // SINAU_MAX_BODY=4k below
let srv;

before(async () => {
  srv = await startServer({ env: { SINAU_DEBUG_ROUTES: '1', SINAU_MAX_BODY: '4k' } });
});

after(async () => {
  if (!srv) return;
  const code = await srv.stop();
  assert.equal(code, 0, `exit code after SIGTERM; stderr:\n${srv.logs().slice(-20).join('\n')}`);
});

afterEach(async () => {
  assert.equal(srv.exitCode(), null, `sinau exited; stderr:\n${srv.logs().slice(-20).join('\n')}`);
  const res = await request(`${srv.url}/healthz`, { timeoutMs: 5000 });
  assert.equal(res.status, 200, 'the server still answers /healthz');
});

// One raw connection. write() sends bytes; next() resolves to the next whole
// response {status, headers (lower-case), body (text), json}, or rejects
// after timeoutMs; closed() resolves once the server closed the connection.
function connect(port) {
  const sock = net.connect({ host: '127.0.0.1', port });
  let buf = Buffer.alloc(0);
  let closed = false;
  const parsed = [];
  const waiters = [];
  const closeWaiters = [];

  const parse = () => {
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString('latin1').split('\r\n');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head[0]);
      assert.ok(m, `a status line, got: ${head[0]}`);
      const headers = {};
      for (const line of head.slice(1)) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      assert.ok(headers['content-length'] !== undefined, `a framed response: ${head.join(' | ')}`);
      const len = Number(headers['content-length']);
      if (buf.length < end + 4 + len) return;
      const body = buf.subarray(end + 4, end + 4 + len).toString('utf8');
      buf = buf.subarray(end + 4 + len);
      let json;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      parsed.push({ status: Number(m[1]), headers, body, json });
    }
  };
  const wake = () => {
    while (waiters.length > 0 && (parsed.length > 0 || closed)) {
      const w = waiters.shift();
      clearTimeout(w.timer);
      if (parsed.length > 0) w.resolve(parsed.shift());
      else w.reject(new Error('the server closed the connection before a response'));
    }
    if (closed) for (const w of closeWaiters.splice(0)) w();
  };
  sock.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    parse();
    wake();
  });
  sock.on('error', () => {});
  sock.on('close', () => {
    closed = true;
    wake();
  });
  const ready = new Promise((resolve) => sock.once('connect', resolve));

  return {
    async write(bytes) {
      await ready;
      await new Promise((resolve, reject) => sock.write(bytes, (e) => (e ? reject(e) : resolve())));
    },
    next(timeoutMs = 3000) {
      return new Promise((resolve, reject) => {
        const w = { resolve, reject };
        w.timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`no response within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(w);
        wake();
      });
    },
    closed(timeoutMs = 3000) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        closeWaiters.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
        wake();
      });
    },
    isClosed: () => closed,
    end: () => sock.destroy(),
  };
}

const echoHead = (length, extra = '') =>
  `POST /debug/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${extra}Content-Length: ${length}\r\n\r\n`;

// A JSON object of exactly n bytes.
function jsonOf(n) {
  const s = JSON.stringify({ a: 'x'.repeat(n - 8) });
  assert.equal(s.length, n);
  return s;
}

function assertJsonError(res, status, code) {
  assert.equal(res.status, status, res.body);
  assert.match(res.headers['content-type'] ?? '', /^application\/json\b/, `${status}: ${res.body}`);
  assert.equal(res.json?.error?.code, code, res.body);
  assert.equal(typeof res.json.error.message, 'string');
  assert.ok(res.headers['x-request-id'], 'the refusal has a request id');
}

test('a head declaring a body over the limit is answered 413 before any body byte is sent', async () => {
  const c = connect(srv.port);
  try {
    await c.write(echoHead(LIMIT + 1, 'X-Request-Id: limit-test-1\r\n'));
    // not one byte of the body has been sent: the answer cannot have waited for it
    const res = await c.next(3000);
    assertJsonError(res, 413, 'body_too_large');
    assert.equal(res.headers['x-request-id'], 'limit-test-1', 'the client request id is kept');
    // the body then arrives, is dropped, and the connection goes on
    await c.write(Buffer.alloc(LIMIT + 1, 0x20));
    await c.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const next = await c.next();
    assert.equal(next.status, 200, next.body);
    assert.deepEqual(next.json, { status: 'ok' });
  } finally {
    c.end();
  }
});

test('a huge declared length is refused at once, without waiting or closing', async () => {
  const c = connect(srv.port);
  try {
    const t0 = performance.now();
    await c.write(echoHead('999999999999999999'));
    const res = await c.next(3000);
    assertJsonError(res, 413, 'body_too_large');
    assert.ok(performance.now() - t0 < 2000, 'answered at once');
  } finally {
    c.end();
  }
});

test('a body of exactly the limit is read; one byte more is 413', async () => {
  const c = connect(srv.port);
  try {
    const at = jsonOf(LIMIT);
    await c.write(echoHead(LIMIT) + at);
    const ok = await c.next();
    assert.equal(ok.status, 200, ok.body.slice(0, 200));
    assert.equal(ok.body, at);
    const over = jsonOf(LIMIT + 1);
    await c.write(echoHead(LIMIT + 1) + over);
    assertJsonError(await c.next(), 413, 'body_too_large');
    // and still the same connection
    await c.write(echoHead(2) + '{}');
    const again = await c.next();
    assert.equal(again.status, 200, again.body);
    assert.equal(c.isClosed(), false);
  } finally {
    c.end();
  }
});

test('three pipelined requests on one socket are all answered, in order', async () => {
  const c = connect(srv.port);
  try {
    await c.write(echoHead(7) + '{"a":1}' + 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' + echoHead(7) + '{"b":2}');
    const r1 = await c.next();
    const r2 = await c.next();
    const r3 = await c.next();
    assert.deepEqual([r1.status, r2.status, r3.status], [200, 200, 200]);
    assert.deepEqual(r1.json, { a: 1 });
    assert.deepEqual(r2.json, { status: 'ok' });
    assert.deepEqual(r3.json, { b: 2 });
    assert.equal(c.isClosed(), false, 'keep-alive: still open');
  } finally {
    c.end();
  }
});

test('a pipelined request over the limit is refused and the ones around it still answered', async () => {
  const c = connect(srv.port);
  try {
    await c.write(Buffer.concat([
      Buffer.from(echoHead(7) + '{"a":1}'),
      Buffer.from(echoHead(LIMIT * 3)),
      Buffer.alloc(LIMIT * 3, 0x20),
      Buffer.from(echoHead(7) + '{"c":3}'),
    ]));
    const r1 = await c.next();
    const r2 = await c.next();
    const r3 = await c.next();
    assert.deepEqual(r1.json, { a: 1 });
    assertJsonError(r2, 413, 'body_too_large');
    assert.equal(r3.status, 200, r3.body);
    assert.deepEqual(r3.json, { c: 3 });
  } finally {
    c.end();
  }
});

test('chunked within the limit is read; over the limit is 413 before the last chunk is sent', async () => {
  const c = connect(srv.port);
  try {
    const head = 'POST /debug/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    await c.write(head + '4\r\n{"a"\r\n3;ext=1\r\n:1}\r\n0\r\n\r\n');
    const ok = await c.next();
    assert.equal(ok.status, 200, ok.body);
    assert.deepEqual(ok.json, { a: 1 });
    // a chunk that takes the body over the limit: refused when its size line arrives
    await c.write(`${head}800\r\n${'x'.repeat(0x800)}\r\n801\r\n`);
    assertJsonError(await c.next(), 413, 'body_too_large');
    // the rest of the body is dropped, and the connection goes on
    await c.write(`${'y'.repeat(0x801)}\r\n0\r\n\r\n` + echoHead(2) + '{}');
    const again = await c.next();
    assert.equal(again.status, 200, again.body);
  } finally {
    c.end();
  }
});

test('a HEAD over the limit is answered 413 without a body, so the next answer stays in step', async () => {
  const sock = net.connect({ host: '127.0.0.1', port: srv.port });
  try {
    await new Promise((resolve) => sock.once('connect', resolve));
    let text = '';
    const done = new Promise((resolve) => {
      const timer = setTimeout(resolve, 3000);
      sock.on('data', (d) => {
        text += d.toString('latin1');
        if (/\{"status":"ok"\}$/.test(text)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    sock.write(`HEAD /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${LIMIT + 1}\r\n\r\n`);
    sock.write(Buffer.alloc(LIMIT + 1, 0x20));
    sock.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await done;
    const answers = text.split(/(?=HTTP\/1\.1 )/);
    assert.equal(answers.length, 2, `two answers: ${text}`);
    assert.match(answers[0], /^HTTP\/1\.1 413 /);
    assert.ok(answers[0].endsWith('\r\n\r\n'), `the 413 to HEAD has no body: ${answers[0]}`);
    assert.match(answers[1], /^HTTP\/1\.1 200 [\s\S]*\{"status":"ok"\}$/);
  } finally {
    sock.destroy();
  }
});

test('the internal refusal paths are not reachable from outside: 404', async () => {
  for (const p of ['/__sinau/too-large', '/__sinau/bad-request', '/__sinau/headers-too-large']) {
    for (const extra of ['', 'X-Sinau-Refusal: 00000000000000000000000000000000\r\n', 'X-Sinau-Refusal: \r\n']) {
      const c = connect(srv.port);
      try {
        await c.write(`POST ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}Content-Length: 0\r\n\r\n`);
        const res = await c.next();
        assert.equal(res.status, 404, `${p} ${extra}: ${res.body}`);
        assert.equal(res.json?.error?.code, 'not_found');
      } finally {
        c.end();
      }
    }
  }
});

test('framing that could be read two ways is 400 in JSON, and the connection closes', async () => {
  const cases = {
    'two different Content-Length': echoHead(3).replace('\r\n\r\n', '\r\nContent-Length: 4\r\n\r\n') + '{}',
    'a signed Content-Length': echoHead('+2') + '{}',
    'Content-Length and chunked': echoHead(2, 'Transfer-Encoding: chunked\r\n') + '{}',
    'a transfer coding other than chunked': echoHead(2).replace('Content-Length: 2', 'Transfer-Encoding: gzip, chunked') + '{}',
    'a folded header': echoHead(2, 'X-A: 1\r\n  folded\r\n') + '{}',
    'a malformed chunk size': echoHead(0).replace('Content-Length: 0', 'Transfer-Encoding: chunked') + 'zz\r\n',
  };
  for (const [what, bytes] of Object.entries(cases)) {
    const c = connect(srv.port);
    try {
      await c.write(bytes + 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      const res = await c.next();
      assert.equal(res.status, 400, `${what}: ${res.body}`);
      assert.equal(res.json?.error?.code, 'bad_request', what);
      assert.equal(res.headers.connection, 'close', `${what}: Connection: close`);
      assert.ok(await c.closed(), `${what}: the server closed the connection`);
    } finally {
      c.end();
    }
  }
});

test('a method libevent does not know is 501 in JSON', async () => {
  const c = connect(srv.port);
  try {
    await c.write('BREW /pot HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    assertJsonError(await c.next(), 501, 'not_implemented');
    assert.ok(await c.closed());
  } finally {
    c.end();
  }
});

test('a large body sent in full by fetch gets the 413 (not a reset), and nothing is kept', async () => {
  // The server answers at once and reads the rest only to drop it; closing
  // instead would reset the connection while fetch is still writing.
  const big = Buffer.alloc(12 * 1024 * 1024, 0x20);
  for (let i = 0; i < 3; i++) {
    const res = await request(`${srv.url}/debug/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    assert.equal(res.status, 413, res.text.slice(0, 200));
    assert.equal(res.json?.error?.code, 'body_too_large');
  }
  const status = await import('node:fs').then((fs) => fs.readFileSync(`/proc/${srv.pid}/status`, 'utf8'));
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  assert.ok(rssKb < 200 * 1024, `server RSS ${rssKb} kB after 36 MiB of refused bodies`);
});
