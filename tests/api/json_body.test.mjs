// Strict JSON bodies and request size limits (issue 2; SECURITY.md cases 1,
// 2 and 5), through POST /debug/echo (SINAU_DEBUG_ROUTES=1), which answers
// the reader's verdict or echoes the object. Hostile JSON goes to a server
// with the default body limit (1 MiB); oversize bodies to one with
// SINAU_MAX_BODY=4k. After every case both must still answer /healthz.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, request, rawRequest } from './lib/harness.mjs';
import { parseRaw, rawExchange } from './lib/probe.mjs';

const MAX_BODY = 4096; // SINAU_MAX_BODY=4k below
let srv; // default limits
let small; // SINAU_MAX_BODY=4k

before(async () => {
  [srv, small] = await Promise.all([
    startServer({ env: { SINAU_DEBUG_ROUTES: '1' } }),
    startServer({ env: { SINAU_DEBUG_ROUTES: '1', SINAU_MAX_BODY: '4k' } }),
  ]);
});

after(async () => {
  for (const s of [srv, small]) {
    if (!s) continue;
    const code = await s.stop();
    assert.equal(code, 0, `exit code after SIGTERM; stderr:\n${s.logs().slice(-20).join('\n')}`);
  }
});

afterEach(async () => {
  for (const s of [srv, small]) {
    if (!s) continue;
    assert.equal(s.exitCode(), null, `sinau exited; stderr:\n${s.logs().slice(-20).join('\n')}`);
    const res = await request(`${s.url}/healthz`, { timeoutMs: 5000 });
    assert.equal(res.status, 200, 'the server still answers /healthz');
  }
});

// POST /debug/echo with a body (string or Buffer) and a content type (null:
// none) to `to` (default: the server with default limits).
async function echo(body, contentType = 'application/json', to = srv) {
  const srv = to;
  const headers = {};
  if (contentType !== null) headers['content-type'] = contentType;
  else if (body !== undefined && body.length > 0) {
    // fetch would add text/plain to a string body: send raw bytes instead
    const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
    const text = await rawRequest(
      srv.port,
      Buffer.concat([Buffer.from(`POST /debug/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${buf.length}\r\n\r\n`), buf]),
    );
    const r = parseRaw(text);
    return { status: r.status, text: r.body, json: r.body ? JSON.parse(r.body) : undefined, headers: new Headers(r.headers) };
  }
  return request(`${srv.url}/debug/echo`, { method: 'POST', headers, body });
}

function assertError(res, status, code, what) {
  assert.equal(res.status, status, `${what}: ${res.text}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json\b/, what);
  assert.equal(res.json?.error?.code, code, `${what}: ${res.text}`);
  assert.equal(typeof res.json.error.message, 'string');
}

test('a well-formed object is echoed back unchanged', async () => {
  const body = { a: 1, b: 'é — ✓ 😀', c: [true, false, null, 1.5, -2e3], d: { e: {} }, '': 'empty key' };
  const res = await echo(JSON.stringify(body));
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json, body);
  const charset = await echo('{"x":1}', 'application/json; charset=utf-8');
  assert.equal(charset.status, 200, charset.text);
  assert.deepEqual(charset.json, { x: 1 });
  const untyped = await echo('{"x":2}', null);
  assert.equal(untyped.status, 200, 'a body without Content-Type is parsed strictly as JSON');
  assert.deepEqual(untyped.json, { x: 2 });
});

test('an empty body is accepted as {}', async () => {
  for (const [body, ct] of [['', 'application/json'], ['', null], ['  \r\n\t ', 'application/json']]) {
    const res = await echo(body, ct);
    assert.equal(res.status, 200, `${JSON.stringify(body)}: ${res.text}`);
    assert.deepEqual(res.json, {});
  }
});

test('malformed JSON answers 400 invalid_json', async () => {
  const bad = [
    '{"a":',
    '{a:1}',
    "{'a':1}",
    '{"a":1,}',
    '{"a":1} trailing',
    '{"a":1}{"b":2}',
    '{"a":"unterminated}',
    '{"a":NaN}',
    '{"a":undefined}',
    '{"a":"\\x41"}',
    '{"a":"tab\there"}',
    '{"a":1e999999}',
    '}',
    '{',
  ];
  for (const b of bad) assertError(await echo(b), 400, 'invalid_json', b);
});

test('3,000-deep nesting answers 400 json_too_deep; 32 levels are accepted, 33 are not', async () => {
  assertError(await echo('['.repeat(3000) + ']'.repeat(3000)), 400, 'json_too_deep', '3000 arrays');
  assertError(await echo('{"a":'.repeat(3000) + '1' + '}'.repeat(3000)), 400, 'json_too_deep', '3000 objects');
  assertError(await echo('{"a":' + '['.repeat(3000)), 400, 'json_too_deep', '3000 unclosed');
  const deep = (n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
  const ok = await echo(deep(32));
  assert.equal(ok.status, 200, `32 levels: ${ok.text}`);
  assertError(await echo(deep(33)), 400, 'json_too_deep', '33 levels');
  // brackets inside strings are not nesting
  const inString = await echo(JSON.stringify({ s: '['.repeat(100) + '{'.repeat(100) }));
  assert.equal(inString.status, 200, inString.text);
});

test('a NUL byte, raw or as \\u0000, answers 400 invalid_json', async () => {
  assertError(await echo(Buffer.from('{"a":"x\u0000y"}', 'utf8')), 400, 'invalid_json', 'raw NUL in a string');
  assertError(await echo(Buffer.from('{"a":1}\u0000', 'utf8')), 400, 'invalid_json', 'raw NUL after the object');
  assertError(await echo('{"a":"x\\u0000y"}'), 400, 'invalid_json', '\\u0000 in a value');
  assertError(await echo('{"a\\u0000b":1}'), 400, 'invalid_json', '\\u0000 in a key');
});

test('invalid UTF-8 answers 400 invalid_json', async () => {
  const cases = {
    'a 0xff byte': [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d],
    'an overlong slash': [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d],
    'an encoded surrogate': [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d],
    'a truncated sequence': [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe2, 0x82, 0x22, 0x7d],
    'a bad byte in a key': [0x7b, 0x22, 0xfe, 0x22, 0x3a, 0x31, 0x7d],
  };
  for (const [what, bytes] of Object.entries(cases)) assertError(await echo(Buffer.from(bytes)), 400, 'invalid_json', what);
  assertError(await echo('{"a":"\\ud800"}'), 400, 'invalid_json', 'a lone surrogate escape');
});

test('duplicate keys answer 400 duplicate_key', async () => {
  assertError(await echo('{"a":1,"a":2}'), 400, 'duplicate_key', 'top level');
  assertError(await echo('{"a":{"b":1,"c":2,"b":3}}'), 400, 'duplicate_key', 'nested');
  assertError(await echo('{"x":[{"k":1,"k":1}]}'), 400, 'duplicate_key', 'in an array');
  assertError(await echo('{"a":1,"\\u0061":2}'), 400, 'duplicate_key', 'the same key escaped');
});

test('a top level other than an object answers 422 expected_object', async () => {
  for (const b of ['[]', '[1,2]', '"s"', '42', '-1.5', 'true', 'false', 'null']) assertError(await echo(b), 422, 'expected_object', b);
});

test('a body that is not application/json answers 415 unsupported_media_type', async () => {
  for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', 'text/json', 'application/xml']) {
    assertError(await echo('{"a":1}', ct), 415, 'unsupported_media_type', ct);
  }
});

test('a body at the limit is read; over SINAU_MAX_BODY answers 413 body_too_large as JSON', async () => {
  const at = JSON.stringify({ a: 'x'.repeat(MAX_BODY - 8) });
  assert.equal(at.length, MAX_BODY);
  const ok = await echo(at, 'application/json', small);
  assert.equal(ok.status, 200, `a body of exactly ${MAX_BODY} bytes: ${ok.text.slice(0, 200)}`);

  const over = JSON.stringify({ a: 'x'.repeat(5 * 1024) });
  const res = await echo(over, 'application/json', small);
  assert.equal(res.status, 413, res.text.slice(0, 300));
  assert.match(res.headers.get('content-type') ?? '', /^application\/json\b/, `413 type; body: ${res.text.slice(0, 300)}`);
  assert.equal(res.json?.error?.code, 'body_too_large', res.text.slice(0, 300));
  assert.ok(res.headers.get('x-request-id'), 'the 413 has an X-Request-Id');

  // the same with chunked transfer-encoding (no Content-Length up front)
  const chunk = Buffer.from(over);
  const raw = Buffer.concat([
    Buffer.from('POST /debug/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n'),
    Buffer.from(`${chunk.length.toString(16)}\r\n`),
    chunk,
    Buffer.from('\r\n0\r\n\r\n'),
  ]);
  const r = parseRaw(await rawRequest(small.port, raw));
  assert.equal(r.status, 413, `chunked: ${r.body.slice(0, 200)}`);
  assert.equal(JSON.parse(r.body || 'null')?.error?.code, 'body_too_large', `chunked: ${r.body.slice(0, 200)}`);
});

test('a far larger body (2 MiB) is refused with 413 without a crash', async () => {
  const big = Buffer.alloc(2 * 1024 * 1024, 0x20);
  const r = await rawExchange(
    srv.port,
    Buffer.concat([Buffer.from(`POST /debug/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${big.length}\r\n\r\n`), big]),
    { timeoutMs: 5000 },
  );
  // The server may answer before reading it all and close; a reset while we
  // are still writing is acceptable, a 2xx is not.
  assert.ok(r.status === 413 || (r.status === 0 && r.error), `2 MiB body: status ${r.status} ${r.error ?? ''} ${r.text.slice(0, 200)}`);
});

async function headerFlood(headerBlock) {
  return rawRequest(srv.port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n${headerBlock}\r\n`, { detailed: true, waitClose: true, timeoutMs: 5000 });
}

test('64 KiB of headers answers 413 or 431 and closes the connection', async () => {
  const cases = {
    'one 64 KiB header': `X-Big: ${'a'.repeat(64 * 1024)}\r\n`,
    '64 headers of 1 KiB': Array.from({ length: 64 }, (_, i) => `X-H${i}: ${'b'.repeat(1024)}\r\n`).join(''),
  };
  for (const [what, block] of Object.entries(cases)) {
    const r = await headerFlood(block);
    const { status } = parseRaw(r.text);
    assert.ok(!r.timedOut, `${what}: the server closed the connection (it stayed open ${r.timedOut ? '5 s' : ''})`);
    assert.ok(r.closed, `${what}: connection closed`);
    assert.ok(status === 413 || status === 431, `${what}: expected 413 or 431, got ${status || 'no answer'}:\n${r.text.slice(0, 300)}`);
    const health = await request(`${srv.url}/healthz`);
    assert.equal(health.status, 200);
  }
});

test('headers under the limit are fine', async () => {
  const r = await rawRequest(srv.port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Mid: ${'c'.repeat(8 * 1024)}\r\n\r\n`, { timeoutMs: 3000 });
  assert.equal(parseRaw(r).status, 200, r.slice(0, 200));
});

test('the server survived every case: same process, still answering', async () => {
  assert.equal(srv.exitCode(), null);
  const res = await request(`${srv.url}/debug/echo`, { method: 'POST', json: { still: 'here' } });
  assert.equal(res.status, 200);
  assert.deepEqual(res.json, { still: 'here' });
});
