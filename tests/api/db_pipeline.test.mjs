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

// The hot request it serves: a lesson read whose session is not in the
// cache sends the session check and the lesson statement in one round
// trip (the route's prefetch); the lesson is used only for the user the
// session check let in. With the cache off every read takes that path.
test('a lesson read on a session-cache miss: the session check and the lesson in one round trip, for the right user only', async () => {
  const { newAdmin, newParticipant, sql, lit } = await import('./lib/accounts.mjs');
  const { contentProgramme, outlineOf, cohortOf, publicSeats, learner, learnLesson, complete } = await import('./lib/content.mjs');
  const s = await startServer({ env: { SINAU_SESSION_CACHE_S: '0', SINAU_LOG_LEVEL: 'debug' } });
  try {
    const base = s.url;
    const admin = await newAdmin(s);
    const cp = await contentProgramme(base, admin, outlineOf(1, 2));
    const C = await cohortOf(base, admin, cp.slug, publicSeats(5));
    const p1 = await learner(base, C.id, { full_name: 'Satu' });
    const p2 = await learner(base, C.id, { full_name: 'Dua' });
    const stranger = await newParticipant(base);
    const lesson = cp.lessons[0].id;
    assert.equal((await complete(base, p1.token, C.id, lesson)).status, 200, 'p1 completes the lesson');
    const before = s.logs().filter((l) => l.includes('lesson read with the session check in one round trip')).length;

    const r1 = await learnLesson(base, p1.token, C.id, lesson);
    assert.equal(r1.status, 200, r1.text);
    assert.equal(r1.json.completed, true, 'p1 sees their own completion');
    const r2 = await learnLesson(base, p2.token, C.id, lesson);
    assert.equal(r2.status, 200, r2.text);
    assert.equal(r2.json.completed, false, 'p2 sees theirs, not p1\'s');
    assert.deepEqual({ ...r2.json, completed: true }, r1.json, 'otherwise the same lesson');
    // The server logs the line before it answers, but its stderr and the
    // socket are two channels: wait (a bounded while) for the line to arrive.
    const pipelined = () => s.logs().filter((l) => l.includes('lesson read with the session check in one round trip')).length;
    for (let i = 0; i < 50 && pipelined() - before < 2; i++) await new Promise((r) => setTimeout(r, 100));
    const after = pipelined();
    assert.equal(after - before, 2, 'both reads were answered from the pipelined statement');

    assert.equal((await learnLesson(base, stranger.token, C.id, lesson)).status, 404, 'no registration: 404');
    await sql(s, `update sessions set revoked_at = now() where user_id = ${lit(p1.id)}`);
    assert.equal((await learnLesson(base, p1.token, C.id, lesson)).status, 404, 'a revoked session reads as anonymous: 404');
    assert.equal((await learnLesson(base, 'x'.repeat(43), C.id, lesson)).status, 404, 'an unknown token: 404');
    const fin = s.logs().filter((l) => l.includes('lesson read with the session check in one round trip')).length;
    assert.equal(fin, after, 'none of the refused reads used the prefetched lesson');
  } finally {
    await s.stop();
  }
});
