// The web app's files as the server sends them (server/http/web.c,
// static_files.c): the shell for app routes (never for /api/), the build id
// written into it, versioned assets cached for a year, ETag and 304, gzip
// when accepted (Vary either way), the CSP on documents, and the shell free
// of inline code the CSP would refuse.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { startServer, rawRequest, SOURCE_DIR } from './lib/harness.mjs';
import { timedRequest } from './lib/probe.mjs';

let server;
let build;

// node:http underneath: no decompression, headers as sent.
function get(p, { method = 'GET', headers = {} } = {}) {
  return timedRequest(`${server.url}${p}`, { method, headers });
}

async function getRaw(p, headers = {}) {
  const http = await import('node:http');
  return new Promise((resolve, reject) => {
    const u = new URL(`${server.url}${p}`);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  server = await startServer();
  const shell = await get('/');
  const m = /\/v\/([0-9a-f]{8})\/app\/main\.js/.exec(shell.text);
  assert.ok(m, `the shell names /v/<build>/app/main.js:\n${shell.text}`);
  build = m[1];
});

after(async () => {
  await server?.stop();
});

test('app routes get the shell with the build written in, revalidated', async () => {
  for (const p of ['/', '/cohorts/abc/lessons/def', '/daftar', '/me/profile', '/programmes/sinau-tiktok']) {
    const r = await get(p);
    assert.equal(r.status, 200, p);
    assert.match(r.headers['content-type'], /^text\/html; charset=utf-8$/, p);
    assert.equal(r.headers['cache-control'], 'no-cache', p);
    assert.match(r.headers.etag, /^"[0-9a-f]{32}"$/, p);
    assert.ok(!r.text.includes('{{BUILD}}'), `${p}: placeholder left`);
    assert.ok(r.text.includes(`<script type="module" src="/v/${build}/app/main.js"></script>`), p);
    assert.ok(r.text.includes(`<link rel="stylesheet" href="/v/${build}/css/site.css">`), p);
  }
  // HEAD: the headers of GET, no body, on a connection that stays usable
  const shell = await get('/cohorts/abc');
  const raw = await rawRequest(server.port, 'HEAD /cohorts/abc HTTP/1.1\r\nHost: t\r\n\r\nGET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n', { waitClose: true });
  const [headPart, rest] = raw.split('\r\n\r\n');
  assert.match(headPart, /^HTTP\/1\.1 200 /);
  assert.match(headPart, new RegExp(`\r\nContent-Length: ${Buffer.byteLength(shell.text)}\r\n`, 'i'));
  assert.match(rest, /^HTTP\/1\.1 200 /, 'the next response follows the HEAD headers at once');
});

test('the shell is never the answer under /api/, for files, or for other methods', async () => {
  for (const p of ['/api', '/api/', '/api/v1/nope', '/api/v1/cohorts/x/y/z']) {
    const r = await get(p);
    assert.equal(r.status, 404, p);
    assert.match(r.headers['content-type'], /^application\/json/, p);
    assert.equal(r.json?.error?.code, 'not_found', p);
  }
  for (const p of ['/nope.js', '/app/missing.js', `/v/${build}/app/missing.js`, `/v/${build}/nothing`, '/favicon.ico']) {
    const r = await get(p);
    assert.equal(r.status, 404, p);
    assert.equal(r.json?.error?.code, 'not_found', p);
  }
  const post = await get('/cohorts/abc', { method: 'POST' });
  assert.equal(post.status, 404);
  const put = await get(`/v/${build}/app/main.js`, { method: 'PUT' });
  assert.equal(put.status, 405);
  assert.match(put.headers.allow, /GET/);
});

test('versioned assets are immutable for a year; other builds and bare paths revalidate', async () => {
  const main = fs.readFileSync(path.join(SOURCE_DIR, 'web', 'app', 'main.js'));
  const v = await getRaw(`/v/${build}/app/main.js`);
  assert.equal(v.status, 200);
  assert.equal(v.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.match(v.headers['content-type'], /^text\/javascript; charset=utf-8$/);
  assert.ok(v.body.equals(main), 'the file as it is on disk');
  const other = await getRaw(`/v/${build === '00000000' ? '11111111' : '00000000'}/app/main.js`);
  assert.equal(other.status, 200);
  assert.equal(other.headers['cache-control'], 'no-cache');
  const bare = await getRaw('/app/main.js');
  assert.equal(bare.status, 200);
  assert.equal(bare.headers['cache-control'], 'no-cache');
  assert.ok(bare.body.equals(main));
  assert.equal(bare.headers.etag, v.headers.etag);
});

test('ETag and If-None-Match give 304 without a body', async () => {
  for (const p of ['/', `/v/${build}/css/site.css`, '/i18n/id/common.json']) {
    const first = await get(p);
    assert.equal(first.status, 200, p);
    const again = await get(p, { headers: { 'if-none-match': first.headers.etag } });
    assert.equal(again.status, 304, p);
    assert.equal(again.text, '', p);
    assert.equal(again.headers.etag, first.headers.etag, p);
    const stale = await get(p, { headers: { 'if-none-match': '"0123"' } });
    assert.equal(stale.status, 200, p);
  }
});

test('text is sent gzipped when accepted, identical once unzipped, with Vary', async () => {
  const css = fs.readFileSync(path.join(SOURCE_DIR, 'web', 'css', 'site.css'));
  const plain = await getRaw(`/v/${build}/css/site.css`);
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.headers.vary, 'Accept-Encoding');
  assert.ok(plain.body.equals(css));
  const gz = await getRaw(`/v/${build}/css/site.css`, { 'accept-encoding': 'gzip, deflate, br' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(gz.headers.vary, 'Accept-Encoding');
  assert.equal(Number(gz.headers['content-length']), gz.body.length);
  assert.ok(gz.body.length < css.length / 2, `${gz.body.length} of ${css.length} bytes`);
  assert.ok(zlib.gunzipSync(gz.body).equals(css));
  assert.notEqual(gz.headers.etag, plain.headers.etag, 'each representation has its own tag');
  const again = await getRaw(`/v/${build}/css/site.css`, { 'accept-encoding': 'gzip', 'if-none-match': gz.headers.etag });
  assert.equal(again.status, 304);
  const refused = await getRaw(`/v/${build}/css/site.css`, { 'accept-encoding': 'gzip;q=0, br' });
  assert.equal(refused.headers['content-encoding'], undefined);
  // the shell too, with the build written in
  const shell = await getRaw('/daftar', { 'accept-encoding': 'gzip' });
  assert.equal(shell.headers['content-encoding'], 'gzip');
  assert.ok(zlib.gunzipSync(shell.body).toString().includes(`/v/${build}/app/main.js`));
});

test('documents carry the strict CSP; the shell has no inline code', async () => {
  const r = await get('/cohorts/abc');
  const csp = r.headers['content-security-policy'];
  assert.ok(csp, 'CSP present');
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /object-src 'none'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(r.headers['x-content-type-options'], 'nosniff');
  const html = fs.readFileSync(path.join(SOURCE_DIR, 'web', 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
  assert.ok(scripts.length >= 1);
  for (const [, attrs, body] of scripts) {
    assert.match(attrs, /\bsrc="\/v\/\{\{BUILD\}\}\//, 'scripts are external and versioned');
    assert.equal(body.trim(), '', 'no inline script body');
  }
  assert.doesNotMatch(html, /\sstyle\s*=/i, 'no style attribute');
  assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'no event-handler attribute');
  assert.doesNotMatch(html, /<style\b/i, 'no style element');
});
