// Slow clients and connection caps (issue 14 item 3; SECURITY.md cases 3 and
// 28): a request head must arrive whole within SINAU_HEAD_TIMEOUT_S however
// its bytes trickle in (each byte well within the idle timeout), a body at
// SINAU_MIN_BODY_RATE on average after that grace, and connections are
// capped in all (SINAU_MAX_CONNECTIONS) and per client address
// (SINAU_MAX_CONNECTIONS_PER_ADDRESS): one over is refused cleanly (a 503
// in JSON, then the close) while those already open go on being served.
// The bounds below are generous (tens of times the deadline); what is
// asserted is that the server ended the trickle, not how fast. Every test
// here failed on the server before these changes.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, request } from './lib/harness.mjs';
import { timedRequest, parseRaw, sleepMs } from './lib/probe.mjs';

// A connection that sends `head` then trickles `bytes` one `every` ms until
// the server closes or `bytes` run out. Resolves to {closedByServer, text}.
function trickle(port, head, bytes, every, { from } = {}) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port, localAddress: from });
    let text = '';
    let i = 0;
    let timer = null;
    let done = false;
    const finish = (closedByServer) => {
      if (done) return;
      done = true;
      clearInterval(timer);
      sock.destroy();
      resolve({ closedByServer, text });
    };
    sock.on('connect', () => {
      sock.write(head);
      timer = setInterval(() => {
        if (i >= bytes.length) return finish(false);
        sock.write(bytes.subarray(i, i + 1));
        i++;
      }, every);
    });
    sock.on('data', (d) => {
      text += d.toString('latin1');
    });
    sock.on('error', () => finish(true));
    sock.on('end', () => finish(true));
    sock.on('close', () => finish(true));
  });
}

// Opens a connection and asks GET /healthz on it; resolves to
// {sock, status, ask()} (status 0 and sock null when refused or closed).
function openAsked(port, from) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port, localAddress: from });
    let buf = '';
    let waiting = null;
    const answer = () => {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return null;
      const r = parseRaw(buf.slice(0, end + 4));
      const len = Number(r.headers['content-length'] ?? 0);
      if (buf.length < end + 4 + len) return null;
      r.body = buf.slice(end + 4, end + 4 + len);
      buf = buf.slice(end + 4 + len);
      return r;
    };
    const c = {
      sock,
      ask() {
        return new Promise((res) => {
          waiting = res;
          sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
        });
      },
    };
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      const r = answer();
      if (r && waiting) {
        const w = waiting;
        waiting = null;
        w(r);
      }
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      if (waiting) waiting({ status: 0, headers: {}, body: buf });
      waiting = null;
    });
    sock.on('connect', async () => {
      const r = await c.ask();
      resolve({ ...c, status: r.status, body: r.body });
    });
  });
}

describe('slow heads and bodies', () => {
  let server;

  before(async () => {
    server = await startServer({
      env: { SINAU_DEBUG_ROUTES: '1', SINAU_HEAD_TIMEOUT_S: '2', SINAU_IDLE_TIMEOUT_S: '30', SINAU_MIN_BODY_RATE: '1k' },
    });
  });
  after(async () => {
    await server?.stop();
  });

  test('a head trickled a byte every 250 ms is answered 408 and closed at its deadline, not kept for ever', async () => {
    // 120 bytes take 30 s; the head deadline is 2 s, the idle timeout 30 s
    const r = await trickle(server.port, 'GET /healthz HTTP/1.1\r\nX-Slow: ', Buffer.alloc(120, 0x61), 250);
    assert.ok(r.closedByServer, 'the server closed the connection before the trickle ended');
    const a = parseRaw(r.text);
    assert.equal(a.status, 408, r.text);
    assert.equal(JSON.parse(a.body).error.code, 'request_timeout');
    assert.equal(a.headers.connection, 'close');
  });

  test('200 slow clients trickling heads: /healthz keeps answering, and every one is closed (SECURITY 3)', async () => {
    const slow = [];
    for (let i = 0; i < 200; i++) slow.push(trickle(server.port, `GET /healthz HTTP/1.1\r\nX-${i}: `, Buffer.alloc(120, 0x62), 250));
    for (let i = 0; i < 10; i++) {
      const h = await request(`${server.url}/healthz`, { timeoutMs: 5000 });
      assert.equal(h.status, 200, 'healthz answers while 200 clients trickle');
      await sleepMs(100);
    }
    const results = await Promise.all(slow);
    const open = results.filter((r) => !r.closedByServer).length;
    assert.equal(open, 0, `${open} of 200 trickling connections were never closed by the server`);
    assert.ok(results.every((r) => parseRaw(r.text).status === 408), 'each got its 408');
  });

  test('a body below the minimum rate is answered 408 and closed; a fair pace is served', async () => {
    const head = 'POST /debug/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n';
    // 150 bytes at 10 bytes/s take 15 s: far longer than the 2 s grace
    const r = await trickle(server.port, head, Buffer.alloc(150, 0x20), 100);
    assert.ok(r.closedByServer, 'the server ended a 10 bytes/s body');
    const a = parseRaw(r.text);
    assert.equal(a.status, 408, r.text);
    assert.equal(JSON.parse(a.body).error.code, 'request_timeout');

    // 32 KiB in 8 pieces over ~1.6 s: well above 1 KiB/s
    const body = JSON.stringify({ a: 'x'.repeat(32 * 1024) });
    const sock = net.connect({ host: '127.0.0.1', port: server.port });
    let text = '';
    sock.on('data', (d) => (text += d));
    await new Promise((resolve) => sock.once('connect', resolve));
    sock.write(`POST /debug/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    const piece = Math.ceil(body.length / 8);
    for (let i = 0; i < body.length; i += piece) {
      sock.write(body.slice(i, i + piece));
      await sleepMs(200);
    }
    for (let i = 0; i < 50 && !text.endsWith('}'); i++) await sleepMs(100);
    sock.destroy();
    assert.equal(parseRaw(text).status, 200, text.slice(0, 200));
  });
});

describe('connection caps', () => {
  test('one address gets its share; over it new connections are refused in JSON while the open ones are served', async () => {
    const server = await startServer({ env: { SINAU_MAX_CONNECTIONS: '200', SINAU_MAX_CONNECTIONS_PER_ADDRESS: '20' } });
    const open = [];
    try {
      for (let i = 0; i < 20; i++) open.push(await openAsked(server.port, '127.0.0.81'));
      assert.ok(open.every((c) => c.status === 200), 'the share is served');
      const over = await openAsked(server.port, '127.0.0.81');
      assert.equal(over.status, 503, `the 21st from the same address: ${over.status} ${over.body}`);
      assert.equal(JSON.parse(over.body).error.code, 'too_many_connections');
      over.sock.destroy();
      const elsewhere = await openAsked(server.port, '127.0.0.82');
      assert.equal(elsewhere.status, 200, 'another address is still admitted');
      elsewhere.sock.destroy();
      for (const c of open) assert.equal((await c.ask()).status, 200, 'an open connection is still served');
      // one closes: its place is free again
      open.pop().sock.destroy();
      let again;
      for (let i = 0; i < 50; i++) {
        again = await openAsked(server.port, '127.0.0.81');
        if (again.status === 200) break;
        again.sock.destroy();
        await sleepMs(50);
      }
      assert.equal(again.status, 200, 'a closed connection gives its place back');
      open.push(again);
    } finally {
      for (const c of open) c.sock.destroy();
      await server.stop();
    }
  });

  test('600 connections from one address get the default share (a tenth of the cap), established ones still served (SECURITY 28)', async () => {
    const server = await startServer({ env: { SINAU_MAX_CONNECTIONS: '1000' } });
    const conns = [];
    try {
      for (let i = 0; i < 600; i += 50) {
        const batch = await Promise.all(Array.from({ length: 50 }, () => openAsked(server.port, '127.0.0.91')));
        conns.push(...batch);
      }
      const served = conns.filter((c) => c.status === 200);
      const refused = conns.filter((c) => c.status !== 200);
      assert.equal(served.length, 100, `admitted from one address: ${served.length}`);
      assert.ok(refused.every((c) => c.status === 503 || c.status === 0), 'the rest refused');
      assert.ok(refused.some((c) => c.status === 503), 'refused with a 503 in JSON');
      const again = await Promise.all(served.map((c) => c.ask()));
      assert.ok(again.every((r) => r.status === 200), 'every established connection is still served');
      const other = await timedRequest(`${server.url}/healthz`, { localAddress: '127.0.0.92' });
      assert.equal(other.status, 200, 'another address is served');
    } finally {
      for (const c of conns) c.sock.destroy();
      await server.stop();
    }
  });

  test('over the total cap every address is refused until a connection closes', async () => {
    const server = await startServer({ env: { SINAU_MAX_CONNECTIONS: '16', SINAU_MAX_CONNECTIONS_PER_ADDRESS: '0' } });
    const open = [];
    try {
      for (let i = 0; i < 16; i++) open.push(await openAsked(server.port, `127.0.1.${i + 1}`));
      assert.ok(open.every((c) => c.status === 200));
      const over = await openAsked(server.port, '127.0.2.1');
      assert.equal(over.status, 503, `the 17th connection: ${over.status}`);
      over.sock.destroy();
      assert.ok((await Promise.all(open.map((c) => c.ask()))).every((r) => r.status === 200));
    } finally {
      for (const c of open) c.sock.destroy();
      await server.stop();
    }
  });
});
