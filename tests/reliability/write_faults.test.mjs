// Faults under a write load, with durability on (issue 14; SECURITY.md cases
// 20-23): PostgreSQL restarted fast and immediate, the server's backends
// terminated with pg_terminate_backend, a seat row locked for 10 s, and the
// server SIGKILLed and started again. While each fault happens, participants
// register (half with an Idempotency-Key, half without; retrying refusals
// the way a client would) and others hand in text submissions. Afterwards,
// read straight from PostgreSQL:
//   - every write the server acknowledged (2xx) is there exactly once, as
//     acknowledged (same registration id, same submission id);
//   - nothing it refused (an HTTP error, or a connection refused before it
//     was sent) is there;
//   - a write whose answer never came (reset, timeout) is there at most once;
//   - every participant ends registered (the server recovered by itself),
//     and a keyed registration replayed gives the acknowledged answer.
// The cluster is the test's own, with fsync and synchronous_commit on (the
// shared test clusters run with fsync off, which a crash may not survive).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, privateCluster, psql } from '../api/lib/harness.mjs';
import { newAdmin } from '../api/lib/accounts.mjs';
import { cohort, participants, programme, register } from '../api/lib/cohorts.mjs';
import { classroom, submit } from '../api/lib/assignments.mjs';
import { sleepMs } from '../api/lib/probe.mjs';

const SERVER_ENV = { SINAU_THREADS: '2', SINAU_DB_POOL: '3' };
const PEOPLE = 16; // registering participants
const COHORTS = 6; // cohorts each registers in, one after another, per fault
const QUOTA = 10; // seats per cohort: the rest are waitlisted
const WRITERS = 3; // participants handing in submissions
const RETRY_FOR_MS = 40000; // a refused registration is retried this long
const REQUEST_MS = 20000; // no answer within this is a hang

let cluster;
let srv; // the server now (case 23 replaces it)
let admin;
let slug;
let people;
let cr; // classroom of the submission writers

const base = () => srv.url;

before(async () => {
  cluster = await privateCluster({ settings: { fsync: 'on', synchronous_commit: 'on', full_page_writes: 'on' } });
  const settings = await psql(cluster.url, "select current_setting('fsync') || ' ' || current_setting('synchronous_commit') || ' ' || current_setting('full_page_writes')");
  assert.equal(settings.trim(), 'on on on', 'the cluster runs with durability on');
  srv = await startServer({ database: cluster.url, env: SERVER_ENV });
  admin = await newAdmin(srv);
  slug = (await programme(base(), admin)).slug;
  people = await participants(base(), PEOPLE, { segment: 'umkm' }, 4);
  cr = await classroom(srv, admin, { assignments: [{ submission_types: ['text'] }], participants: WRITERS, seats: WRITERS });
});

after(async () => {
  if (srv) await srv.stop();
  if (cluster) await cluster.destroy();
});

// An answer: 'ack' (2xx), 'refused' (an HTTP error, or nothing sent), or
// 'unknown' (sent, no whole answer).
function outcomeOf(r) {
  if (r.status >= 200 && r.status < 300) return 'ack';
  if (r.status >= 400) return 'refused';
  if (r.error === 'ECONNREFUSED') return 'refused';
  return 'unknown';
}

// Runs the write load; `fault` is called once the load is under way and its
// promise awaited. Resolves to {regs, subs, cohorts}.
async function underLoad(tag, fault, { faultAtMs = 700 } = {}) {
  const cohorts = [];
  for (let i = 0; i < COHORTS; i++) {
    cohorts.push(await cohort(base(), admin, { name: `${tag} ${i + 1}`, segments: [{ segment: 'umkm', quota: QUOTA, waitlist: true }] }, { slug }));
  }
  const regs = []; // {cohort, user, key, status, code, id, error, outcome}
  const subs = []; // {cohort, user, text, status, id, error, outcome}
  let stop = false;

  const registrant = async (p, i) => {
    await sleepMs(i * 37); // spread the arrivals
    for (const c of cohorts) {
      const key = i % 2 === 0 ? `${tag}-${c.id}-${i}` : undefined;
      const t0 = performance.now();
      for (;;) {
        const r = await register(base(), p.token, c.id, 'umkm', { key, timeoutMs: REQUEST_MS });
        const rec = { cohort: c.id, user: p.id, key, status: r.status, code: r.json?.error?.code, id: r.json?.id, error: r.error, outcome: outcomeOf(r) };
        regs.push(rec);
        if (rec.outcome === 'ack' || rec.code === 'already_registered') break;
        if (r.status >= 400 && r.status < 500) break; // a refusal a retry cannot change
        if (performance.now() - t0 > RETRY_FOR_MS) break;
        await sleepMs(100);
      }
      await sleepMs(150);
    }
  };

  const writer = async (p, i) => {
    const aid = cr.assignments[0].id;
    for (let n = 0; !stop; n++) {
      const text = `${tag} ${i} ${n}`;
      const r = await submit(base(), p.token, cr.cohort.id, aid, { text });
      subs.push({ user: p.id, text, status: r.status, id: r.json?.id, error: r.error, outcome: outcomeOf(r) });
      await sleepMs(60);
    }
  };

  const writers = cr.people.map(writer);
  const registering = Promise.all(people.map(registrant));
  await sleepMs(faultAtMs);
  await fault(cohorts);
  await registering;
  await sleepMs(300);
  stop = true;
  await Promise.all(writers);
  return { regs, subs, cohorts };
}

const tally = (list) => {
  const by = {};
  for (const r of list) {
    const k = r.error ? `error:${r.error}` : `${r.status}${r.code ? ` ${r.code}` : ''}`;
    by[k] = (by[k] ?? 0) + 1;
  }
  return JSON.stringify(by);
};

// The checks against PostgreSQL itself.
async function assertNothingLost(tag, { regs, subs, cohorts }, { faultSeen = true } = {}) {
  console.log(`${tag}: ${regs.length} registration requests ${tally(regs)}; ${subs.length} submissions ${tally(subs)}`);
  if (faultSeen) assert.ok([...regs, ...subs].some((r) => r.outcome !== 'ack'), `${tag}: the fault refused or cut at least one write (else it tested nothing)`);
  assert.ok(subs.filter((s) => s.outcome === 'ack').length > 5, `${tag}: submissions were acknowledged`);

  const ids = cohorts.map((c) => `'${c.id}'`).join(',');
  const rows = (await psql(cluster.url, `select cohort_id, user_id, id, status from registrations where cohort_id in (${ids})`))
    .split('\n').filter(Boolean).map((l) => l.split('|'));
  const byPair = new Map();
  for (const [c, u, id, status] of rows) {
    const k = `${c} ${u}`;
    if (!byPair.has(k)) byPair.set(k, []);
    byPair.get(k).push({ id, status });
  }
  const attempts = new Map();
  for (const r of regs) {
    const k = `${r.cohort} ${r.user}`;
    if (!attempts.has(k)) attempts.set(k, []);
    attempts.get(k).push(r);
  }
  for (const c of cohorts) {
    for (const p of people) {
      const k = `${c.id} ${p.id}`;
      const tries = attempts.get(k) ?? [];
      const found = byPair.get(k) ?? [];
      const acked = tries.filter((t) => t.outcome === 'ack');
      const what = `${tag}: participant ${p.id} in cohort ${c.id} (attempts ${tally(tries)}, rows ${JSON.stringify(found)})`;
      assert.ok(acked.length > 0 || tries.some((t) => t.code === 'already_registered'), `${what}: never registered (no recovery)`);
      assert.equal(found.length, 1, `${what}: one registration row`);
      if (acked.length > 0) {
        for (const a of acked) assert.equal(found[0].id, a.id, `${what}: the row is the acknowledged registration`);
        assert.ok(['confirmed', 'waitlisted'].includes(found[0].status), what);
      }
      // A registration the server refused (5xx, say) was not written: the
      // retry after it must not find one already there.
      const i = tries.findIndex((t) => t.code === 'already_registered');
      if (i > 0) {
        const before = tries.slice(0, i);
        assert.ok(before.some((t) => t.outcome === 'unknown' || (t.key && t.outcome === 'ack')), `${what}: refused, yet present`);
      }
    }
    const confirmed = (byPairOf(byPair, c.id)).filter((x) => x.status === 'confirmed').length;
    assert.equal(confirmed, QUOTA, `${tag}: cohort ${c.id} has exactly its ${QUOTA} confirmed seats`);
  }
  assert.equal(rows.length, COHORTS * PEOPLE, `${tag}: no registration rows but these`);

  // A keyed registration sent again gives the acknowledged answer, no new row.
  for (const r of regs.filter((x) => x.key && x.outcome === 'ack').slice(0, 8)) {
    const p = people.find((x) => x.id === r.user);
    // a 503 (the pool reconnecting after the fault) asks the client to retry
    let again = await register(base(), p.token, r.cohort, 'umkm', { key: r.key });
    for (let n = 0; again.status === 503 && n < 20; n++) {
      await new Promise((ok) => setTimeout(ok, 500));
      again = await register(base(), p.token, r.cohort, 'umkm', { key: r.key });
    }
    assert.equal(again.status, r.status, `${tag}: replay of ${r.key}: ${again.status} ${again.text}`);
    assert.equal(again.json?.id, r.id, `${tag}: replay of ${r.key} names the same registration`);
  }

  const subRows = (await psql(cluster.url, `select body_text, id from submissions where cohort_id = '${cr.cohort.id}' and body_text like '${tag} %'`))
    .split('\n').filter(Boolean).map((l) => l.split('|'));
  const subByText = new Map();
  for (const [text, id] of subRows) subByText.set(text, [...(subByText.get(text) ?? []), id]);
  for (const s of subs) {
    const found = subByText.get(s.text) ?? [];
    const what = `${tag}: submission "${s.text}" (${s.error ?? s.status}): ${found.length} rows`;
    if (s.outcome === 'ack') assert.deepEqual(found, [s.id], `${what}: acknowledged, so there exactly once`);
    else if (s.outcome === 'refused') assert.equal(found.length, 0, `${what}: refused, so absent`);
    else assert.ok(found.length <= 1, `${what}: at most once`);
  }
  assert.equal(subRows.length, new Set(subRows.map(([t]) => t)).size, `${tag}: no submission twice`);
  assert.ok(subRows.every(([t]) => subs.some((s) => s.text === t)), `${tag}: no submission nobody sent`);
}

function byPairOf(byPair, cohortId) {
  const out = [];
  for (const [k, v] of byPair) if (k.startsWith(`${cohortId} `)) out.push(...v);
  return out;
}

test('case 20: PostgreSQL restarted fast, then immediate, under a write load: every acknowledged write there once, nothing refused there', async () => {
  const result = await underLoad('restart', async () => {
    await cluster.restart('fast');
    await sleepMs(1500);
    await cluster.restart('immediate');
  });
  assert.equal(srv.exitCode(), null, 'sinau kept running');
  await assertNothingLost('restart', result);
});

test("case 21: the server's backends terminated with pg_terminate_backend under a write load", async () => {
  let killed = 0;
  const result = await underLoad('terminate', async () => {
    for (let i = 0; i < 8; i++) {
      const n = await psql(
        cluster.adminUrl,
        "select count(pg_terminate_backend(pid)) from pg_stat_activity where datname = 'sinau' and backend_type = 'client backend' and pid <> pg_backend_pid()",
      );
      killed += Number(n.trim());
      await sleepMs(250);
    }
  });
  console.log(`terminate: ${killed} backends terminated`);
  assert.ok(killed > 0, 'backends were terminated');
  assert.equal(srv.exitCode(), null, 'sinau kept running');
  // the server may retry a statement whose connection died: no refusal needed
  await assertNothingLost('terminate', result, { faultSeen: false });
});

test('case 22: a seat row locked for 10 s under a write load: answers come (503 or late success), nothing lost', async () => {
  let locked;
  const result = await underLoad(
    'lock',
    async (cohorts) => {
      // the seat row of the last cohort: locked before the registrants get there
      const target = cohorts[COHORTS - 1].id;
      locked = psql(cluster.url, `begin; select quota from cohort_segments where cohort_id = '${target}' for update; select pg_sleep(10); commit;`, { timeoutMs: 30000 });
      for (let i = 0; ; i++) {
        const n = await psql(cluster.adminUrl, "select count(*) from pg_stat_activity where wait_event = 'PgSleep'");
        if (n.trim() === '1') break;
        assert.ok(i < 100, 'the lock holder started');
        await sleepMs(20);
      }
    },
    { faultAtMs: 0 },
  );
  await locked;
  const hung = [...result.regs, ...result.subs].filter((r) => r.error === 'timeout');
  assert.deepEqual(hung, [], 'every request was answered (no hang behind the lock)');
  assert.ok(result.regs.some((r) => r.status === 503), `registrations behind the lock were refused with 503: ${tally(result.regs)}`);
  assert.equal(srv.exitCode(), null, 'sinau kept running');
  await assertNothingLost('lock', result);
});

test('case 23: the server SIGKILLed during writes and started again on the same database', async () => {
  const result = await underLoad('sigkill', async () => {
    const old = srv;
    old.proc.kill('SIGKILL');
    await old.exited;
    await sleepMs(300);
    srv = await startServer({ database: cluster.url, dataDir: old.dataDir, env: SERVER_ENV });
  });
  await assertNothingLost('sigkill', result);
});
