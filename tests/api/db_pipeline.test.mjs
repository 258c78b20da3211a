// libpq pipeline mode in the database pool (issue 17, "fewer round trips"):
// db_query_pipeline sends several statements on one connection at once,
// each followed by a sync, so each is its own transaction and one that
// fails leaves the others alone; every result comes back in order. Driven
// through the test-only route /debug/pipeline (SINAU_DEBUG_ROUTES): who am
// I (backend pid, transaction id), a division by zero, who am I twice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, request } from './lib/harness.mjs';

let srv;

before(async () => {
  // one connection: the statements cannot have been spread over several
  srv = await startServer({ env: { SINAU_THREADS: '1', SINAU_DB_POOL: '1', SINAU_DEBUG_ROUTES: '1' } });
});

after(async () => {
  await srv?.stop();
});

async function pipeline() {
  const res = await request(`${srv.url}/debug/pipeline`);
  assert.equal(res.status, 200, res.text);
  return res.json.steps;
}

function check(steps, label) {
  assert.equal(steps.length, 4, `${label}: one result per statement`);
  assert.deepEqual(steps.map((s) => s.status), ['ok', 'sql_error', 'ok', 'ok'], `${label}: in order; only the failing one failed`);
  assert.equal(steps[1].sqlstate, '22012', `${label}: the failure is the division by zero`);
  const who = [steps[0], steps[2], steps[3]].map((s) => JSON.parse(s.value));
  assert.equal(new Set(who.map((w) => w.pid)).size, 1, `${label}: all on one connection`);
  assert.equal(new Set(who.map((w) => w.xid)).size, 3, `${label}: each statement its own transaction`);
  return who[0].pid;
}

test('a pipeline: every statement answered in order, each in its own transaction, a failure alone', async () => {
  // the first time prepares the statements inside the same pipeline
  const pid = check(await pipeline(), 'first');
  // then they are prepared on the connection already
  assert.equal(check(await pipeline(), 'second'), pid, 'the same connection again');
});

test('the connection is left usable: pipelines and plain statements alternate and overlap', async () => {
  const all = await Promise.all([
    pipeline(),
    request(`${srv.url}/debug/sleep?ms=10`),
    pipeline(),
    request(`${srv.url}/debug/sleep?ms=0`),
    pipeline(),
  ]);
  for (const i of [0, 2, 4]) check(all[i], `pipeline ${i}`);
  for (const i of [1, 3]) assert.equal(all[i].status, 200, `plain statement ${i}: ${all[i].text}`);
});
