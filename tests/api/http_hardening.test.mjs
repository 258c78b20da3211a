// Hardening of the HTTP layer (issue 14 items 3, 8, 9, 11, 12; SECURITY.md
// case 28): uploads authenticated from the head (401/403/404 before a byte
// of the body is read), small JSON limits on the public account routes, one
// reading of a request that cannot be smuggled past the limits, IPv4 clients
// of a dual-stack listener counted as IPv4 (/32), and behind a trusted
// proxy the address it appended and a token for /metrics. Every test here
// failed on the server before these changes.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, request } from './lib/harness.mjs';
import { newAdmin, signedIn, newParticipant, call, show } from './lib/accounts.mjs';
import { classroom, submitted } from './lib/assignments.mjs';
import { parseRaw, timedRequest } from './lib/probe.mjs';
import { quizClass } from './lib/quizzes.mjs';

const MiB = 1024 * 1024;

// One raw connection: send() writes, text() is everything received so far,
// until(re) waits for it to match, closed() for the server's close.
function conn(port, host = '127.0.0.1') {
  const sock = net.connect({ host, port });
  let buf = '';
  let isClosed = false;
  const waiters = new Set();
  const wake = () => {
    for (const w of waiters) w();
  };
  sock.on('data', (d) => {
    buf += d.toString('latin1');
    wake();
  });
  sock.on('error', () => {});
  sock.on('close', () => {
    isClosed = true;
    wake();
  });
  const ready = new Promise((resolve) => sock.once('connect', resolve));
  const wait = (ok, timeoutMs) =>
    new Promise((resolve) => {
      const check = () => {
        if (ok()) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(true);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        resolve(false);
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return {
    async send(bytes) {
      await ready;
      if (!isClosed) sock.write(bytes);
    },
    text: () => buf,
    until: (re, timeoutMs = 5000) => wait(() => re.test(buf) || isClosed, timeoutMs).then(() => re.test(buf)),
    closed: (timeoutMs = 5000) => wait(() => isClosed, timeoutMs),
    end: () => sock.destroy(),
  };
}

// The answers in a raw exchange, each {status, headers, body} (Content-Length framed).
function answers(text) {
  const out = [];
  let rest = text;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0 || !/^HTTP\/1\.1 \d{3}/.test(rest)) return out;
    const r = parseRaw(rest.slice(0, end + 4));
    const len = Number(r.headers['content-length'] ?? 0);
    r.body = rest.slice(end + 4, end + 4 + len);
    out.push(r);
    rest = rest.slice(end + 4 + len);
  }
}

describe('uploads are authenticated from the head', () => {
  let server;
  let cr;
  let owner;
  let other;
  let sub; // owner's submission

  before(async () => {
    server = await startServer();
    const admin = await newAdmin(server);
    cr = await classroom(server, admin, { assignments: [{ title: 'Berkas' }], participants: 2 });
    [owner, other] = cr.people;
    sub = await submitted(server.url, owner.token, cr.cohort.id, cr.assignments[0].id);
  });
  after(async () => {
    await server?.stop();
  });

  const uploadHead = (id, extra = '') =>
    `PUT /api/v1/submissions/${id}/file HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/pdf\r\n` +
    `X-Filename: tugas.pdf\r\n${extra}Content-Length: ${10 * MiB}\r\n\r\n`;

  test('an anonymous 10 MiB upload is answered 401 from its head, before a byte of the body (SECURITY 28)', async () => {
    const c = conn(server.port);
    try {
      await c.send(uploadHead(sub.id));
      assert.ok(await c.until(/\r\n\r\n\{.*\}$/s), `an answer to the head alone: ${c.text()}`);
      const [r] = answers(c.text());
      assert.equal(r.status, 401, c.text());
      assert.equal(JSON.parse(r.body).error.code, 'unauthenticated');
    } finally {
      c.end();
    }
  });

  test('with Expect: 100-continue the refusal comes instead of 100 Continue, and the connection closes', async () => {
    const c = conn(server.port);
    try {
      await c.send(uploadHead(sub.id, 'Expect: 100-continue\r\n'));
      assert.ok(await c.closed(), `closed: ${c.text()}`);
      const all = answers(c.text());
      assert.equal(all.length, 1, c.text());
      assert.equal(all[0].status, 401);
      assert.equal(all[0].headers.connection, 'close');
      assert.ok(!/100 Continue/.test(c.text()), 'no 100 Continue for a refused upload');
    } finally {
      c.end();
    }
  });

  test("another participant's submission is 404 from the head; a cookie without its CSRF token 403", async () => {
    for (const [extra, status, code] of [
      [`Authorization: Bearer ${other.token}\r\n`, 404, 'not_found'],
      [`Cookie: sinau_session=${other.token}\r\n`, 403, 'csrf_failed'],
    ]) {
      const c = conn(server.port);
      try {
        await c.send(uploadHead(sub.id, extra));
        assert.ok(await c.until(/\r\n\r\n\{.*\}$/s), `an answer to the head alone: ${c.text()}`);
        const [r] = answers(c.text());
        assert.equal(r.status, status, c.text());
        assert.equal(JSON.parse(r.body).error.code, code);
      } finally {
        c.end();
      }
    }
  });

  test('the owner, asking with Expect: 100-continue, gets 100 Continue, sends the file and it is stored', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(4000, 0x41)]);
    const c = conn(server.port);
    try {
      await c.send(
        `PUT /api/v1/submissions/${sub.id}/file HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${owner.token}\r\n` +
          `Content-Type: application/pdf\r\nX-Filename: tugas.pdf\r\nExpect: 100-continue\r\nContent-Length: ${pdf.length}\r\n\r\n`,
      );
      assert.ok(await c.until(/^HTTP\/1\.1 100 Continue\r\n\r\n/), `100 Continue first: ${c.text()}`);
      await c.send(pdf);
      assert.ok(await c.until(/HTTP\/1\.1 200 [\s\S]*\r\n\r\n\{.*\}$/s), c.text());
      const r = answers(c.text().replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, ''))[0];
      assert.equal(r.status, 200, c.text());
      assert.equal(JSON.parse(r.body).file.size, pdf.length);
    } finally {
      c.end();
    }
  });
});

// The quiz bank import (up to 1 MiB of CSV) and a lesson's attachments are
// written by the programme's authors only: anyone else is answered from the
// head (401 anonymous, 403 a participant, 404 staff who do not author it)
// before a byte of the body is read. The import used to read the whole sheet
// and parse it before asking who sent it (issue 14).
describe('author-only uploads are authorised from the head', () => {
  let server;
  let admin;
  let qc; // a quiz class: its quiz, lesson, cohort instructor (an author), participants
  let outsider; // instructor of another programme's cohort: staff, not an author here

  before(async () => {
    server = await startServer();
    admin = await newAdmin(server);
    qc = await quizClass(server, admin, { quizzes: [{ quiz: { title: 'Kuis bank', kind: 'check' } }], participants: 1 });
    outsider = (await classroom(server, admin, { assignments: [{ title: 'Lain' }], participants: 0 })).instructor;
  });
  after(async () => {
    await server?.stop();
  });

  const ROWS = 'tipe;soal;kunci\r\nisian;Singkatan Usaha Mikro Kecil Menengah?;UMKM\r\n';
  const importHead = (auth, extra = '', length = 1000000) =>
    `POST /api/v1/quizzes/${qc.quizzes[0].id}/questions/import HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}` +
    `Content-Type: text/csv\r\n${extra}Content-Length: ${length}\r\n\r\n`;
  const attachHead = (auth) =>
    `POST /api/v1/lessons/${qc.lessons[0].id}/attachments HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}` +
    `Content-Type: application/pdf\r\nX-Filename: materi.pdf\r\nContent-Length: 1000000\r\n\r\n`;
  const bearer = (who) => `Authorization: Bearer ${who.token}\r\n`;

  // The answer to a head sent alone (no body byte follows).
  async function headAnswer(head) {
    const c = conn(server.port);
    try {
      await c.send(head);
      assert.ok(await c.until(/\r\n\r\n\{.*\}$/s), `an answer to the head alone: ${c.text()}`);
      const [r] = answers(c.text());
      return { status: r.status, code: JSON.parse(r.body).error?.code };
    } finally {
      c.end();
    }
  }

  test('the quiz bank import: anonymous 401, a participant 403, an instructor of another programme 404, from the head', async () => {
    assert.deepEqual(await headAnswer(importHead('')), { status: 401, code: 'unauthenticated' });
    assert.deepEqual(await headAnswer(importHead(bearer(qc.people[0]))), { status: 403, code: 'forbidden' });
    assert.deepEqual(await headAnswer(importHead(bearer(outsider))), { status: 404, code: 'not_found' });
  });

  test('a lesson attachment: an instructor of another programme 404 from the head', async () => {
    assert.deepEqual(await headAnswer(attachHead(bearer(outsider))), { status: 404, code: 'not_found' });
  });

  test('the outsider asking with Expect: 100-continue gets the 404 instead, and the connection closes', async () => {
    const c = conn(server.port);
    try {
      await c.send(importHead(bearer(outsider), 'Expect: 100-continue\r\n'));
      assert.ok(await c.closed(), `closed: ${c.text()}`);
      const all = answers(c.text());
      assert.deepEqual(all.map((a) => a.status), [404], c.text());
      assert.ok(!/100 Continue/.test(c.text()), 'no 100 Continue for a refused import');
    } finally {
      c.end();
    }
  });

  test("the cohort's instructor (an author) gets 100 Continue, sends the sheet, and it is imported", async () => {
    const c = conn(server.port);
    try {
      await c.send(importHead(bearer(qc.instructor), 'Expect: 100-continue\r\n', Buffer.byteLength(ROWS)));
      assert.ok(await c.until(/^HTTP\/1\.1 100 Continue\r\n\r\n/), `100 Continue first: ${c.text()}`);
      await c.send(ROWS);
      assert.ok(await c.until(/HTTP\/1\.1 201 [\s\S]*\r\n\r\n\{.*\}$/s), c.text());
      const r = answers(c.text().replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, ''))[0];
      assert.equal(JSON.parse(r.body).imported, 1, c.text());
    } finally {
      c.end();
    }
    const list = await call(server.url, 'GET', `/api/v1/quizzes/${qc.quizzes[0].id}/questions`, { token: admin.token });
    assert.equal(list.status, 200, show(list));
    assert.equal(list.json.items.length, 1, `only the author's sheet was imported: ${show(list)}`);
  });
});

describe('request reading', () => {
  let server;

  before(async () => {
    server = await startServer({ env: { SINAU_DEBUG_ROUTES: '1' } });
  });
  after(async () => {
    await server?.stop();
  });

  test('login and signup take a few KiB of JSON: 1 MiB is 413 from the head (SECURITY 28)', async () => {
    for (const path of ['/api/v1/auth/login', '/api/v1/auth/signup']) {
      const c = conn(server.port);
      try {
        await c.send(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${MiB}\r\n\r\n`);
        assert.ok(await c.until(/\r\n\r\n\{.*\}$/s), `${path}: an answer before the body: ${c.text()}`);
        const [r] = answers(c.text());
        assert.equal(r.status, 413, c.text());
        assert.equal(JSON.parse(r.body).error.code, 'body_too_large');
      } finally {
        c.end();
      }
    }
    // 5 KiB of well-formed JSON is refused too, and a normal login still works
    const padded = { email: 'a@example.org', password: 'x'.repeat(12), pad: 'p'.repeat(5 * 1024) };
    const big = await call(server.url, 'POST', '/api/v1/auth/login', { json: padded });
    assert.equal(big.status, 413, show(big));
    const p = await newParticipant(server.url);
    assert.ok(p.token, 'signup and login of a real account still work');
  });

  test('CONNECT with an unknown Expect is refused and closed: the body is never read as a request (item 9)', async () => {
    const smuggled = 'GET /debug/sleep?ms=0 HTTP/1.1\r\nHost: x\r\n\r\n';
    for (const method of ['CONNECT', 'POST']) {
      const c = conn(server.port);
      try {
        await c.send(`${method} /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: please\r\nContent-Length: ${smuggled.length}\r\n\r\n${smuggled}`);
        assert.ok(await c.closed(), `${method}: the server closes: ${c.text()}`);
        const all = answers(c.text());
        assert.equal(all.length, 1, `${method}: one answer only, never one to the body: ${c.text()}`);
        assert.equal(all[0].status, 417, c.text());
        assert.equal(JSON.parse(all[0].body).error.code, 'expectation_failed');
        assert.equal(all[0].headers.connection, 'close');
      } finally {
        c.end();
      }
    }
  });

  test('a request refused before its body was read never has its body taken for the next request', async () => {
    // a 413 with Content-Length: the body is skipped by its length, then the next request
    const c = conn(server.port);
    try {
      const inner = 'GET /debug/sleep?ms=0 HTTP/1.1\r\nHost: x\r\n\r\n';
      await c.send(`POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: ${5000}\r\n\r\n${inner}${' '.repeat(5000 - inner.length)}GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n`);
      assert.ok(await c.until(/\{"status":"ok"\}$/), c.text());
      const all = answers(c.text());
      assert.deepEqual(all.map((a) => a.status), [413, 200], c.text());
    } finally {
      c.end();
    }
  });
});

describe('client addresses', () => {
  const misses = async (url, n, opts) => {
    const statuses = [];
    for (let i = 0; i < n; i++) {
      const r = await timedRequest(`${url}/credentials/not-an-id-${i}`, { headers: { Accept: 'application/json', ...(opts.headers?.(i) ?? {}) }, localAddress: opts.from });
      statuses.push(r.status);
    }
    return statuses;
  };

  test('on a dual-stack listener an IPv4 client is itself (/32), not a /64 shared by every IPv4 client (item 8)', async () => {
    const server = await startServer({ env: { SINAU_LISTEN: '[::]:0' } });
    try {
      const a = await misses(server.url, 21, { from: '127.0.0.71' });
      assert.deepEqual(a.slice(0, 20), Array(20).fill(404), `20 misses from one address: ${a}`);
      assert.equal(a[20], 429, 'the 21st is over the budget');
      const b = await misses(server.url, 3, { from: '127.0.0.72' });
      assert.deepEqual(b, [404, 404, 404], `another IPv4 address has its own budget: ${b}`);
    } finally {
      await server.stop();
    }
  });

  test('behind a trusted proxy the client is the last X-Forwarded-For entry, the one the proxy appended (item 12)', async () => {
    const server = await startServer({ env: { SINAU_TRUST_PROXY: '1' } });
    try {
      // the client writes any first line it likes; the proxy appends its own last
      const spoofed = (i) => ({ 'X-Forwarded-For': [`10.9.${i}.1, 10.8.${i}.2`, '203.0.113.7'] });
      const a = await misses(server.url, 21, { headers: spoofed });
      assert.deepEqual(a.slice(0, 20), Array(20).fill(404), `${a}`);
      assert.equal(a[20], 429, `the address the proxy appended is over its budget: ${a}`);
      const b = await misses(server.url, 2, { headers: () => ({ 'X-Forwarded-For': '10.9.9.9, 203.0.113.8' }) });
      assert.deepEqual(b, [404, 404], `another client behind the proxy: ${b}`);
    } finally {
      await server.stop();
    }
  });

  test('with a trusted proxy /metrics needs the token even from loopback (item 12)', async () => {
    const server = await startServer({ env: { SINAU_TRUST_PROXY: '1' } });
    try {
      const r = await request(`${server.url}/metrics`);
      assert.equal(r.status, 403, `every proxied request comes from loopback: ${r.status}`);
      assert.equal(r.json?.error?.code, 'forbidden');
    } finally {
      await server.stop();
    }
    const token = `tok-${Date.now()}`;
    const withToken = await startServer({ env: { SINAU_TRUST_PROXY: '1', SINAU_METRICS_TOKEN: token } });
    try {
      assert.equal((await request(`${withToken.url}/metrics`)).status, 403);
      const ok = await request(`${withToken.url}/metrics`, { headers: { Authorization: `bearer ${token}` } });
      assert.equal(ok.status, 200, 'the token (the scheme in any case) opens it');
      assert.match(ok.text, /sinau_http_connections /);
    } finally {
      await withToken.stop();
    }
  });
});
