// The HTTP core (issue 2; API.md Conventions and Operations; SECURITY.md
// case 4): error format, methods, security headers, request ids, the landing
// page and static files, path traversal, /metrics and the OpenAPI document.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, request, rawRequest } from './lib/harness.mjs';
import { rawExchange, parseRaw, parseMetrics, metricValue, sleepMs } from './lib/probe.mjs';

let srv;

before(async () => {
  srv = await startServer();
});

after(async () => {
  await srv?.stop();
});

const REQUEST_ID_RE = /^[A-Za-z0-9._-]{1,40}$/;

function assertErrorBody(res, status, code) {
  assert.equal(res.status, status, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json\b/);
  assert.ok(res.json && typeof res.json.error === 'object', `error object in ${res.text}`);
  assert.equal(res.json.error.code, code);
  assert.equal(typeof res.json.error.message, 'string');
  assert.ok(res.json.error.message.length > 0);
}

// What every response carries: the request id, nosniff, and no caching of
// API answers unless a handler says otherwise.
function assertBaseHeaders(get, what) {
  assert.equal(get('x-content-type-options'), 'nosniff', `${what}: X-Content-Type-Options`);
  assert.match(get('x-request-id') ?? '', REQUEST_ID_RE, `${what}: X-Request-Id`);
  assert.ok(get('cache-control'), `${what}: Cache-Control`);
}

// The browser-facing headers of every document (SECURITY.md "Headers").
// JSON answers carry only the base set: under nosniff a browser never
// renders them as a page, and each header costs evhttp measurable time.
function assertSecurityHeaders(get, what) {
  assert.equal(get('x-content-type-options'), 'nosniff', `${what}: X-Content-Type-Options`);
  const csp = get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'self'/, `${what}: Content-Security-Policy has default-src 'self' (got "${csp}")`);
  assert.match(csp, /object-src 'none'/, `${what}: CSP object-src`);
  assert.match(csp, /base-uri 'none'/, `${what}: CSP base-uri`);
  assert.match(csp, /frame-ancestors 'none'/, `${what}: CSP frame-ancestors`);
  assert.ok(get('referrer-policy'), `${what}: Referrer-Policy`);
  assert.match(get('x-frame-options') ?? '', /^(DENY|SAMEORIGIN)$/i, `${what}: X-Frame-Options`);
  assert.match(get('x-request-id') ?? '', REQUEST_ID_RE, `${what}: X-Request-Id`);
}

// Paths without an extension outside /api/ are the web app's own pages (the
// shell answers them, tests/api/web_static.test.mjs); everything else unknown
// is a 404 in the error format.
test('an unknown path answers 404 not_found in the error format', async () => {
  for (const p of ['/nope.txt', '/api/v1/nope', '/api/nope', '/css/none.css', '/api/openapi.json/x']) {
    const res = await request(`${srv.url}${p}`);
    assertErrorBody(res, 404, 'not_found');
    assert.match(res.headers.get('x-request-id') ?? '', REQUEST_ID_RE);
  }
});

test('TRACE, CONNECT, PATCH and DELETE on /healthz answer 405 with Allow, never 2xx', async () => {
  for (const method of ['TRACE', 'CONNECT', 'PATCH', 'DELETE', 'POST', 'PUT']) {
    const r = await rawExchange(srv.port, `${method} /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n`);
    assert.ok(!(r.status >= 200 && r.status < 300), `${method} /healthz must never be 2xx: ${r.text}`);
    assert.equal(r.status, 405, `${method} /healthz: ${r.text}`);
    const allow = (r.headers.allow ?? '').split(',').map((s) => s.trim());
    assert.ok(allow.includes('GET'), `${method}: Allow lists GET (got "${r.headers.allow}")`);
    assert.ok(!allow.includes(method), `${method}: Allow does not list ${method}`);
    assert.equal(JSON.parse(r.body).error.code, 'method_not_allowed', `${method}: ${r.body}`);
  }
  // CONNECT in its proxy form (authority target) is no tunnel either.
  const c = await rawExchange(srv.port, 'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n');
  assert.ok(c.status >= 400 && c.status < 600, `CONNECT host:port must be refused: ${c.text}`);
});

test('a 405 answer to CONNECT is framed (Content-Length or close), so the client is not left waiting', async () => {
  // A response without Content-Length, chunking or a close leaves its end
  // undefined: the client waits for the connection to close (the idle timeout).
  const r = await rawRequest(srv.port, 'CONNECT /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n', {
    timeoutMs: 2000,
    detailed: true,
  });
  const { status, headers } = parseRaw(r.text);
  assert.equal(status, 405, r.text);
  const framed = headers['content-length'] !== undefined || /chunked/i.test(headers['transfer-encoding'] ?? '') || r.closed;
  assert.ok(framed, `the 405 to CONNECT has neither Content-Length nor chunking, and the connection stayed open:\n${r.text}`);
});

test('POST to a static file answers 405 with Allow: GET, HEAD', async () => {
  for (const p of ['/', '/index.html', '/css/site.css']) {
    for (const method of ['POST', 'DELETE', 'TRACE']) {
      const r = await rawExchange(srv.port, `${method} ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`);
      assert.equal(r.status, 405, `${method} ${p}: ${r.text}`);
      const allow = (r.headers.allow ?? '').split(',').map((s) => s.trim()).sort();
      assert.deepEqual(allow, ['GET', 'HEAD'], `${method} ${p}: Allow`);
      assert.equal(JSON.parse(r.body).error.code, 'method_not_allowed');
    }
  }
});

test('HEAD /healthz answers 200 without a body', async () => {
  const res = await request(`${srv.url}/healthz`, { method: 'HEAD' });
  assert.equal(res.status, 200);
  assert.equal(res.text, '');
  assert.match(res.headers.get('content-type') ?? '', /^application\/json\b/);
  assert.match(res.headers.get('x-request-id') ?? '', REQUEST_ID_RE);
});

test('JSON answers carry nosniff, a request id and JSON as their type', async () => {
  const ok = await request(`${srv.url}/healthz`);
  assert.equal(ok.status, 200);
  assertBaseHeaders((h) => ok.headers.get(h), 'GET /healthz');
  assert.equal(ok.headers.get('cache-control'), 'no-store');
  const missing = await request(`${srv.url}/no/such/thing.json`);
  assert.equal(missing.status, 404);
  assert.match(missing.headers.get('content-type') ?? '', /^application\/json\b/);
  assertBaseHeaders((h) => missing.headers.get(h), '404');
  const wrong = await rawExchange(srv.port, 'PATCH /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n');
  assert.equal(wrong.status, 405);
  assertBaseHeaders((h) => wrong.headers[h], '405');
});

test('the HTML landing page carries the security headers', async () => {
  const res = await request(`${srv.url}/`);
  assert.equal(res.status, 200);
  assertSecurityHeaders((h) => res.headers.get(h), 'GET /');
});

test('a valid incoming X-Request-Id is reused and logged', async () => {
  for (const id of ['abc', 'Req.123_x-Y', 'a'.repeat(40)]) {
    const res = await request(`${srv.url}/healthz`, { headers: { 'X-Request-Id': id } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-request-id'), id);
  }
  const id = `trace-${Date.now()}`;
  await request(`${srv.url}/healthz`, { headers: { 'X-Request-Id': id } });
  const line = await srv.waitForLog(new RegExp(`req=${id}\\b.*access`), 3000);
  assert.match(line, /method=GET/);
  assert.match(line, /route=\/healthz/);
  assert.match(line, /status=200/);
  assert.match(line, /dur_ms=\d+(\.\d+)?/);
});

test('an invalid incoming X-Request-Id is replaced by a generated one', async () => {
  const bad = ['a'.repeat(41), 'has space', 'a/b', 'x;y', '<script>', 'a"b', ''];
  const seen = new Set();
  for (const id of bad) {
    const res = await request(`${srv.url}/healthz`, { headers: { 'X-Request-Id': id } });
    assert.equal(res.status, 200);
    const got = res.headers.get('x-request-id') ?? '';
    assert.match(got, REQUEST_ID_RE, `generated id for ${JSON.stringify(id)}`);
    assert.notEqual(got, id);
    assert.ok(!seen.has(got), 'each generated id is new');
    seen.add(got);
  }
});

test('GET / is the web app: an HTML shell loading its versioned module and stylesheet', async () => {
  const res = await request(`${srv.url}/`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html\b/);
  assert.match(res.text, /<html/i);
  assert.match(res.text, /<script type="module" src="\/v\/[0-9a-f]{8}\/app\/main\.js">/);
  assert.match(res.text, /<link rel="stylesheet" href="\/v\/[0-9a-f]{8}\/css\/site\.css">/);
  assert.ok(!res.text.includes('{{BUILD}}'), 'the build placeholder is filled in');
  assert.ok(res.headers.get('etag'), 'has an ETag');
  assert.match(res.headers.get('cache-control') ?? '', /no-cache/);
  const css = await request(`${srv.url}/css/site.css`);
  assert.equal(css.status, 200);
  assert.match(css.headers.get('content-type') ?? '', /^text\/css\b/);
});

test('If-None-Match with the ETag answers 304 with no body; another tag gets 200', async () => {
  const first = await request(`${srv.url}/`);
  const etag = first.headers.get('etag');
  assert.ok(etag);
  const again = await request(`${srv.url}/`, { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  assert.equal(again.text, '');
  assert.equal(again.headers.get('etag'), etag);
  const list = await request(`${srv.url}/`, { headers: { 'If-None-Match': `"nope", ${etag}` } });
  assert.equal(list.status, 304);
  const other = await request(`${srv.url}/`, { headers: { 'If-None-Match': '"not-the-tag"' } });
  assert.equal(other.status, 200);
  assert.equal(other.text, first.text);
});

test('path traversal attempts answer 404 and never return a file', async () => {
  const index = (await request(`${srv.url}/`)).text;
  // Only files present in web/ are reachable, each under its one name.
  const must404 = ['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '//etc/passwd', '/css/../index.html', '/.env'];
  // Other spellings: 404, or 400 for a request the server finds malformed.
  const may400 = [
    '/css/%2e%2e/index.html',
    '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/..%2f..%2fetc%2fpasswd',
    '/css/..%5c..%5cindex.html',
    '/index.html%00.css',
    '/./index.html',
    '/web/index.html',
    '/../web/index.html',
    '/..',
    '/.git/config',
  ];
  for (const p of [...must404, ...may400]) {
    const text = await rawRequest(srv.port, `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, { timeoutMs: 3000 });
    const r = parseRaw(text);
    // a path the web app may route (letters, digits, '-', '_' and '/')
    // answers its shell, the very page GET / gives; nothing else is served
    const shell = r.status === 200 && r.body === index;
    if (must404.includes(p)) assert.ok(r.status === 404 || shell, `GET ${p}: ${text.slice(0, 200)}`);
    else assert.ok(r.status === 404 || r.status === 400 || shell, `GET ${p} must be 404 (or 400): ${text.slice(0, 200)}`);
    assert.ok(!/root:.*:0:0:/.test(r.body), `GET ${p} returned /etc/passwd`);
    if (!shell) assert.ok(!/<html/i.test(r.body), `GET ${p} returned an HTML file`);
  }
});

test('/metrics counts requests by route and status and has a latency histogram', async () => {
  for (let i = 0; i < 3; i++) assert.equal((await request(`${srv.url}/healthz`)).status, 200);
  await request(`${srv.url}/readyz`);
  let res;
  let samples;
  // The count is taken just after the reply is sent: allow a moment.
  for (let i = 0; i < 20; i++) {
    res = await request(`${srv.url}/metrics`);
    assert.equal(res.status, 200, res.text);
    samples = parseMetrics(res.text);
    if ((metricValue(samples, 'sinau_http_requests_total', { route: '/healthz', status: '200' }) ?? 0) >= 3) break;
    await sleepMs(50);
  }
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain\b/);
  assert.ok(metricValue(samples, 'sinau_http_requests_total', { route: '/healthz', status: '200' }) >= 3, res.text);
  assert.ok(metricValue(samples, 'sinau_http_requests_total', { route: '/readyz', status: '200' }) >= 1, res.text);
  assert.match(res.text, /# TYPE sinau_http_requests_total counter/);
  assert.match(res.text, /# TYPE sinau_http_request_duration_seconds histogram/);

  const buckets = samples.filter((s) => s.name === 'sinau_http_request_duration_seconds_bucket');
  assert.ok(buckets.length >= 3, 'several histogram buckets');
  const inf = buckets.find((b) => b.labels.le === '+Inf');
  assert.ok(inf, 'a +Inf bucket');
  for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i].value >= buckets[i - 1].value, 'buckets are cumulative');
  const count = metricValue(samples, 'sinau_http_request_duration_seconds_count');
  const sum = metricValue(samples, 'sinau_http_request_duration_seconds_sum');
  assert.equal(inf.value, count, '+Inf bucket equals _count');
  assert.ok(count >= 4);
  assert.ok(sum >= 0);

  for (const g of ['sinau_db_pool_size', 'sinau_db_pool_connected', 'sinau_db_pool_in_use', 'sinau_db_pool_waiting', 'sinau_worker_queue_depth']) {
    assert.ok(metricValue(samples, g) !== undefined, `${g} is exported`);
  }
  assert.ok(metricValue(samples, 'sinau_db_pool_size') >= 1);
});

test('/metrics with a configured token: 403 without it or with a wrong one, 200 with it', async () => {
  const token = 'tok-' + Math.random().toString(36).slice(2);
  const s = await startServer({ env: { SINAU_METRICS_TOKEN: token } });
  try {
    const none = await request(`${s.url}/metrics`);
    assertErrorBody(none, 403, none.json?.error?.code ?? 'forbidden');
    const wrong = await request(`${s.url}/metrics`, { headers: { Authorization: `Bearer ${token}x` } });
    assert.equal(wrong.status, 403);
    const ok = await request(`${s.url}/metrics`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);
    assert.match(ok.text, /sinau_http_requests_total/);
  } finally {
    assert.equal(await s.stop(), 0);
  }
});

test('/api/openapi.json is OpenAPI 3.1 and describes the operational paths', async () => {
  const res = await request(`${srv.url}/api/openapi.json`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json\b/);
  const doc = res.json;
  assert.ok(doc, 'parses as JSON');
  assert.match(doc.openapi, /^3\.1\.\d+$/);
  assert.equal(typeof doc.info?.title, 'string');
  assert.equal(typeof doc.info?.version, 'string');
  for (const p of ['/healthz', '/readyz', '/metrics', '/api/openapi.json']) {
    assert.ok(doc.paths?.[p]?.get, `paths["${p}"].get`);
  }
  // debug routes are not mounted without SINAU_DEBUG_ROUTES
  assert.ok(!Object.keys(doc.paths).some((p) => p.startsWith('/debug')), 'no /debug paths');
  const dbg = await request(`${srv.url}/debug/sleep?ms=0`, { headers: { Accept: 'application/json' } });
  assert.ok(dbg.status === 404 || (dbg.status === 200 && /^text\/html/.test(dbg.headers.get('content-type') ?? '')),
    `/debug/sleep is not mounted (404, or the web app's shell): ${dbg.status}`);
});

test('HEAD answers carry the length GET would have and no body, so keep-alive stays in step', async () => {
  // two requests on one connection: HEAD then GET; the GET's answer must
  // start right after the HEAD's headers
  const text = await rawRequest(srv.port,
    'HEAD /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    { timeoutMs: 3000, waitClose: true });
  const answers = text.split(/(?=HTTP\/1\.1 )/);
  assert.equal(answers.length, 2, `two answers: ${text}`);
  const head = parseRaw(answers[0]);
  const get = parseRaw(answers[1]);
  assert.equal(head.status, 200);
  assert.equal(head.body, '', 'HEAD sends no body');
  assert.equal(Number(head.headers['content-length']), Buffer.byteLength(get.body), 'the length of the GET body');
  assert.equal(get.status, 200);
  assert.match(get.body, /"status"/);
});
