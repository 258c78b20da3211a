// A full worker pool refuses cleanly (issue 14, problem 14): every handler
// that hands work to the pool — publishing, markdown preview, certificate
// and transcript PDFs, file downloads, CSV exports, password hashing — may
// be refused with 503 busy, and nothing may read the request after that
// reply. The server runs with one worker and a queue of one, and with
// glibc's allocator told to fill freed memory (perturb, no thread cache),
// so a read of the request's memory after the refusal crashes the server
// instead of passing unnoticed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/harness.mjs';
import { call, show, sql, lit, newAdmin, newParticipant, uniqueEmail, login } from './lib/accounts.mjs';
import { contentProgramme, outlineOf, publish } from './lib/content.mjs';

let server;
let base;

before(async () => {
  server = await startServer({
    env: {
      SINAU_WORKERS: 1,
      SINAU_WORKER_QUEUE: 1,
      GLIBC_TUNABLES: 'glibc.malloc.tcache_count=0:glibc.malloc.perturb=165',
    },
  });
  base = server.url;
});
after(() => server.stop());

test('publish_refused_when_the_pool_is_full_reads_nothing_after_the_reply', async () => {
  const admin = await newAdmin(server);
  const prog = await contentProgramme(base, admin, outlineOf(3, 4), { publish: false });
  const busy = [];
  for (let round = 0; round < 10 && busy.length === 0; round++) {
    const rs = await Promise.all(Array.from({ length: 16 }, () => publish(base, admin.token, prog.slug)));
    for (const r of rs) {
      assert.notEqual(r.status, 0, `every request is answered (the server is alive): ${show(r)}`);
      assert.ok([200, 201, 409, 503].includes(r.status), show(r));
      if (r.status === 503) {
        assert.equal(r.json.error.code, 'busy');
        assert.equal(r.headers['retry-after'], '1');
        busy.push(r);
      }
    }
  }
  assert.ok(busy.length > 0, 'the pool of one worker and a queue of one refused some publishing');
  assert.equal((await call(base, 'GET', '/healthz')).status, 200, 'the server keeps serving');
  assert.equal(server.exitCode(), null, 'the server did not exit');
  const versions = await sql(server, `select count(*) from content_versions v join programmes p on p.id = v.programme_id where p.slug = ${lit(prog.slug)}`);
  assert.ok(Number(versions) >= 1, `${versions} versions published`);
});

test('logins_and_signups_refused_by_a_full_pool_leave_the_server_serving', async () => {
  const p = await newParticipant(base);
  const rs = await Promise.all([
    ...Array.from({ length: 10 }, (_, i) => login(base, p.email, 'Wrong-Password-123', { localAddress: `127.0.4.${i + 1}` })),
    ...Array.from({ length: 10 }, (_, i) => call(base, 'POST', '/api/v1/auth/signup', { json: { email: uniqueEmail('full'), password: 'Kopi-Tubruk-2024!', full_name: 'Ani' }, localAddress: `127.0.5.${i + 1}` })),
  ]);
  for (const r of rs) assert.ok([201, 401, 429, 503].includes(r.status), show(r));
  assert.equal((await call(base, 'GET', '/healthz')).status, 200);
});

test('pasted_tokens_are_checked_on_the_pool_never_on_the_loop', async () => {
  // vccheck_run reads attacker-supplied tokens (issue 16): it runs on the
  // worker pool, so a full pool refuses the check with 503 busy like any
  // other job, and the answers that do come are whole verdicts.
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const token = [
    b64({ alg: 'EdDSA', kid: `${base}/keys/none`, typ: 'JWT' }),
    b64({ iss: `${base}/issuer`, vc: { credentialSubject: { name: 'x'.repeat(40000) } } }),
    Buffer.alloc(64, 7).toString('base64url'),
  ].join('.');
  const busy = [];
  let checked = 0;
  for (let round = 0; round < 10 && busy.length === 0; round++) {
    const rs = await Promise.all(Array.from({ length: 16 }, () => call(base, 'POST', '/api/v1/verify', { body: token, headers: { 'content-type': 'text/plain' } })));
    for (const r of rs) {
      assert.ok([200, 503].includes(r.status), show(r));
      if (r.status === 503) {
        assert.equal(r.json.error.code, 'busy');
        busy.push(r);
      } else {
        assert.equal(r.json.valid, false, show(r));
        checked++;
      }
    }
  }
  assert.ok(busy.length > 0, 'a pool of one worker and a queue of one refused some checks: they run on it');
  assert.ok(checked > 0, 'the others were checked');
  assert.equal((await call(base, 'GET', '/healthz')).status, 200, 'the server keeps serving');
});
