// Reads on a standby (issue 19): with SINAU_DATABASE_READ_URL on a
// pg_auto_failover formation (primary + synchronous standby on loopback),
// the catalogue's seat counts, certificate verification (VC-JWT and Data
// Integrity), the PDF, JWKS, the issuer's keys and the status list are
// answered by the standby, and nothing that decides —
// registering, grading, issuing, revoking, the session checks that write —
// ever runs there (pg_stat_statements on each node says what ran where).
// The staleness bound (SINAU_READ_MAX_LAG_MS, 1,000 ms by default) holds: a
// read sent B ms after a write was acknowledged shows it, measured in the
// steady state (the apply lag, printed) and with the standby's replay
// paused (then the reads go to the primary once the bound is reached).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, psql, sleep } from '../api/lib/harness.mjs';
import { startFormation, pgAutoctlAvailable } from '../api/lib/formation.mjs';
import { newAdmin, newParticipant, call, show, lit } from '../api/lib/accounts.mjs';
import { timedRequest, parseMetrics, metricValue } from '../api/lib/probe.mjs';
import { register, setQuota, getCohort, profileFor } from '../api/lib/cohorts.mjs';
import { certClass, graduate, issue, revoke, credentialJson, jwksOf, statusTokenOf, verifyApi, tokenOf, pdfOf } from '../api/lib/certificates.mjs';
import { putProfile } from '../api/lib/accounts.mjs';

const BOUND_MS = 1000; // SINAU_READ_MAX_LAG_MS's default, stated in the README
const skip = !pgAutoctlAvailable() && 'pg_auto_failover is not installed';

let f;
let s;
let admin;
let cr; // a class with one graduate and a certificate
let certId;
const srv = () => ({ url: s.url, database: f.url });

before(async () => {
  if (skip) return;
  f = await startFormation({});
  await psql(f.nodeUrl('node1'), 'create extension if not exists pg_stat_statements');
  s = await startServer({
    database: f.url,
    env: { SINAU_THREADS: 2, SINAU_DATABASE_READ_URL: f.readUrl, SINAU_PUBLIC_URL: 'http://localhost:8080' },
  });
  for (let i = 0; ; i++) {
    if ((await timedRequest(`${s.url}/readyz`)).status === 200) break;
    assert.ok(i < 100, 'ready');
    await sleep(100);
  }
  admin = await newAdmin(srv());
});

after(async () => {
  await s?.stop();
  await f?.destroy();
});

// Statements pg_stat_statements saw on a node in database sinau: [{query, calls}].
async function statements(node) {
  const out = await psql(f.nodeUrl(node), "select calls, regexp_replace(query, '\\s+', ' ', 'g') from pg_stat_statements s join pg_database d on d.oid = s.dbid where d.datname = 'sinau' and query !~* 'pg_stat_statements'");
  return out.split('\n').filter(Boolean).map((l) => {
    const i = l.indexOf('|');
    return { calls: Number(l.slice(0, i)), query: l.slice(i + 1) };
  }).filter((x) => !KEEPER.test(x.query));
}

// The server's figures, once its loops' tick (250 ms) has published them.
async function metrics() {
  await sleep(300);
  return parseMetrics((await timedRequest(`${s.url}/metrics`)).text);
}

// What may run on a standby, by a phrase of its SQL (server/api/*.c): the
// reads http_db_read sends there, and the read pool's staleness measure.
const STANDBY_OK = {
  catalogue: 'reg_programme_json',
  cohort: 'reg_cohort_json',
  verification: 'cert_verify_row',
  keys: 'from signing_keys',
  status_list: 'token is null or credential_di is null or token_version < version',
  pdf: 'ce.programme_title',
  pdf_stored: 'sp.pdf, ce.year',
  data_integrity: 'select credential_di from certificates',
  staleness: 'ha_staleness_ms',
};
// pg_autoctl's own queries (its keeper connects to the same database).
const KEEPER = /pg_is_in_recovery\(\), coalesce\(rep\.sync_state|slot_name|pg_replication_slots|pg_stat_replication|pg_last_wal_|pg_current_wal|pg_control_|pg_catalog\./;
// What decides or writes, which must never run there.
const DECIDING = ['reg_register', 'asg_grade', 'cert_issue', 'cert_store', 'cert_prepare', 'cert_revoke', 'reg_cancel', 'reg_accept', 'auth_session', 'sessions', 'insert', 'update', 'delete', 'ha_heartbeat'];

test('the catalogue, verification, the PDF, JWKS and the status list run on the standby; nothing that decides does', { skip }, async () => {
  cr = await certClass(srv(), admin, { lessons: 1, participants: 1 });
  await graduate(s.url, cr, cr.people[0]);
  const issued = await issue(s.url, admin.token, cr.cohort.id);
  assert.equal(issued.status, 200, show(issued));
  certId = issued.json.certificates[0].id;
  const standby = await psql(f.nodeUrl('node2'), 'select pg_is_in_recovery()');
  assert.equal(standby, 't', 'node2 is the standby');
  const kid = (await jwksOf(s.url)).keys[0].kid.split('/').at(-1); // a key's thumbprint
  await psql(f.nodeUrl('node2'), 'select pg_stat_statements_reset()');
  await sleep(BOUND_MS + 200); // every read below may go to the standby

  for (let i = 0; i < 5; i++) {
    for (const [what, r] of [
      ['catalogue', await call(s.url, 'GET', '/api/v1/programmes')],
      ['programme', await call(s.url, 'GET', `/api/v1/programmes/${cr.slug}`)],
      ['cohort', await getCohort(s.url, cr.cohort.id)],
      ['credential', await credentialJson(s.url, certId)],
      ['credential (Data Integrity)', await call(s.url, 'GET', `/credentials/${certId}?format=vc`)],
      ['jwks', await call(s.url, 'GET', '/.well-known/jwks.json')],
      ['issuer', await call(s.url, 'GET', '/issuer')],
      ['multikey', await call(s.url, 'GET', `/keys/${kid}/multikey`)],
      ['status list', await call(s.url, 'GET', '/status/1')],
      ['status list (Data Integrity)', await call(s.url, 'GET', '/status/1?format=vc')],
    ]) assert.equal(r.status, 200, `${what}: ${show(r)}`);
  }
  const token = await tokenOf(s.url, certId);
  const v = await verifyApi(s.url, token);
  assert.equal(v.status, 200, show(v));
  assert.equal(v.json.valid, true, 'the pasted token verifies');
  const pdf = await pdfOf(s.url, certId);
  assert.equal(pdf.status, 200, 'the PDF');

  // the deciding work, with the standby watching
  const p = await newParticipant(s.url);
  assert.equal((await putProfile(s.url, p.token, profileFor('public'))).status, 200);
  const reg = await register(s.url, p.token, cr.cohort.id, 'public', { key: 'standby-test-1' });
  assert.equal(reg.status, 201, show(reg));
  const rv = await revoke(s.url, admin.token, certId, { reason: 'Data keliru, diterbitkan ulang' });
  assert.equal(rv.status, 200, show(rv));

  const onStandby = await statements('node2');
  const onPrimary = await statements('node1');
  console.log(`on the standby: ${onStandby.map((x) => `${x.calls}x ${x.query.slice(0, 70)}`).join(' | ')}`);
  for (const x of onStandby) {
    const known = Object.values(STANDBY_OK).some((phrase) => x.query.includes(phrase));
    assert.ok(known, `ran on the standby but is not a standby read: ${x.query}`);
    for (const d of DECIDING) assert.ok(!x.query.toLowerCase().includes(d), `a deciding statement ran on the standby: ${x.query}`);
  }
  for (const [what, phrase] of Object.entries(STANDBY_OK)) {
    assert.ok(onStandby.some((x) => x.query.includes(phrase) && x.calls > 0), `${what} was read on the standby`);
  }
  for (const phrase of ['reg_register_idem', 'asg_grade', 'cert_revoke']) {
    assert.ok(onPrimary.some((x) => x.query.includes(phrase) && x.calls > 0), `${phrase} ran on the primary`);
  }
  const m = await metrics();
  assert.ok(metricValue(m, 'sinau_db_read_queries_total') > 0, 'the read pool answered');
  assert.ok(metricValue(m, 'sinau_db_read_pool_connected') > 0, 'read connections up');
});

// Sets the quota of the cohort's public segment; resolves to the
// performance.now() of the acknowledgement.
async function writeQuota(quota) {
  const r = await setQuota(s.url, admin.token, cr.cohort.id, 'public', { quota });
  assert.equal(r.status, 200, show(r));
  return r.t1;
}

// Reads the cohort until the public quota shows `quota`; resolves to
// {ms: from `ackedAt` to the send of the first read showing it, staleAfter:
// reads sent more than BOUND_MS after the acknowledgement that did not}.
async function readUntil(quota, ackedAt, { limitMs = 5000, pauseMs = 5 } = {}) {
  let staleAfter = 0;
  for (;;) {
    const r = await getCohort(s.url, cr.cohort.id);
    assert.equal(r.status, 200, show(r));
    const q = r.json.segments.find((x) => x.segment === 'public').quota;
    if (q === quota) return { ms: r.t0 - ackedAt, staleAfter };
    if (r.t0 - ackedAt > BOUND_MS) staleAfter++;
    assert.ok(r.t0 - ackedAt < limitMs, `quota ${quota} not visible ${limitMs} ms after the write`);
    await sleep(pauseMs);
  }
}

const pct = (xs, p) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)];

test('reads on the standby stay within the staleness bound: measured, and enforced when replay stops', { skip }, async () => {
  assert.ok(cr, 'the first test made the class');
  // steady state: how long an acknowledged write takes to show on the standby
  const before = await metrics();
  const lags = [];
  let stale = 0;
  for (let i = 0; i < 40; i++) {
    const quota = 10 + i;
    const acked = await writeQuota(quota);
    const r = await readUntil(quota, acked);
    lags.push(Math.max(0, r.ms));
    stale += r.staleAfter;
  }
  const after1 = await metrics();
  const reads = metricValue(after1, 'sinau_db_read_queries_total') - metricValue(before, 'sinau_db_read_queries_total');
  const fallbacks = metricValue(after1, 'sinau_db_read_fallbacks_total') - metricValue(before, 'sinau_db_read_fallbacks_total');
  console.log(`standby staleness (write acknowledged -> first read showing it), 40 writes: p50 ${pct(lags, 0.5).toFixed(1)} ms, p99 ${pct(lags, 0.99).toFixed(1)} ms, max ${Math.max(...lags).toFixed(1)} ms; bound ${BOUND_MS} ms; ${reads} reads on the standby, ${fallbacks} sent to the primary`);
  assert.equal(stale, 0, 'no read sent past the bound showed the old value');
  assert.ok(Math.max(...lags) <= BOUND_MS, `a write took ${Math.max(...lags).toFixed(0)} ms to show`);
  assert.ok(reads > fallbacks, 'the reads were answered by the standby');

  // replay paused on the standby: its data stops; once the bound is
  // reached the reads go to the primary, never later
  await psql(f.nodeUrl('node2', 'postgres'), 'select pg_wal_replay_pause()');
  try {
    const acked = await writeQuota(99);
    const r = await readUntil(99, acked, { limitMs: BOUND_MS + 3000 });
    const m = await metrics();
    console.log(`standby replay paused: the write showed ${r.ms.toFixed(0)} ms after its acknowledgement (bound ${BOUND_MS} ms); reads refused by the standby as too stale: ${metricValue(m, 'sinau_db_read_stale_total') - metricValue(after1, 'sinau_db_read_stale_total')}`);
    assert.equal(r.staleAfter, 0, 'no read sent past the bound showed the old value');
    assert.ok(metricValue(m, 'sinau_db_read_stale_total') > metricValue(after1, 'sinau_db_read_stale_total'), 'the standby was found too stale');
    for (let i = 0; i < 10; i++) {
      const q = (await getCohort(s.url, cr.cohort.id)).json.segments.find((x) => x.segment === 'public').quota;
      assert.equal(q, 99, 'reads stay on the primary while the standby lags');
    }
  } finally {
    await psql(f.nodeUrl('node2', 'postgres'), 'select pg_wal_replay_resume()');
  }
  // back on the standby once it caught up
  await sleep(BOUND_MS);
  const m1 = await metrics();
  for (let i = 0; i < 20; i++) assert.equal((await getCohort(s.url, cr.cohort.id)).status, 200);
  const m2 = await metrics();
  assert.ok(metricValue(m2, 'sinau_db_read_queries_total') - metricValue(m1, 'sinau_db_read_queries_total') >= 20, 'reads back on the standby');
});
