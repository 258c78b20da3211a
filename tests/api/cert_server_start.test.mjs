// The certificate tests' server start (issue 14, test-suite gaps): it picks
// a free port, and starts again on another one only when that port was
// taken meanwhile. A server that crashes or refuses its configuration fails
// the test at once instead of being retried until it happens to start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer } from './lib/harness.mjs';
import { startCertServer, portTaken } from './lib/certificates.mjs';

test('a port in use is recognised as such (and only then retried)', async () => {
  const holder = net.createServer();
  await new Promise((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const { port } = holder.address();
  try {
    const e = await startServer({ database: false, env: { SINAU_LISTEN: `127.0.0.1:${port}` } }).then(
      () => assert.fail('sinau started on a port in use'),
      (err) => err,
    );
    assert.ok(portTaken(e), `not recognised as a taken port: ${e.message}`);
  } finally {
    holder.close();
  }
});

test('a crash or any other failure before listening is not a taken port', () => {
  const crash = new Error('sinau exited with code 139 before listening; its stderr:\ncannot listen on 127.0.0.1:1: Address already in use');
  assert.equal(portTaken(crash), false, 'killed by a signal (SIGSEGV)');
  const abort = new Error('sinau exited with code 134 before listening; its stderr:\n');
  assert.equal(portTaken(abort), false, 'aborted');
  const config = new Error('sinau exited with code 2 before listening; its stderr:\nSINAU_THREADS: not a number');
  assert.equal(portTaken(config), false, 'bad configuration');
  const timeout = new Error('sinau did not log "listening on http://…" within 15000 ms');
  assert.equal(portTaken(timeout), false, 'a hang');
});

test('startCertServer fails at once on a server that exits before listening', async () => {
  await assert.rejects(startCertServer({ database: false, env: { SINAU_THREADS: 'many' } }), (e) => {
    assert.ok(!portTaken(e), e.message);
    return /before listening/.test(e.message);
  });
});
