// A registration flash crowd that outlives a database failover (issue 19):
// participants with sessions, the race cohort, the race itself with a client
// that behaves as a browser's user does (waits Retry-After, then sends the
// same request with the same Idempotency-Key), and the checks of what the
// database holds afterwards against what the server answered.
import crypto from 'node:crypto';
import http from 'node:http';
import { psql, sleep } from './harness.mjs';
import { call, show, signup, PASSWORD, uniqueEmail, lit } from './accounts.mjs';
import { programme, createCohort, cohortBody, allocationLog, recomputeChain, auditVerify } from './cohorts.mjs';

export const SEGMENTS = ['asn', 'umkm', 'public'];

// n participants eligible for every segment, each signed in (a bearer
// token); participant i goes for SEGMENTS[i % 3]. One signs up through the
// API; the others are rows with the same password hash (argon2id, as
// signup made it) and a placeholder profile that registration never
// decrypts (as tests/bench/p3_fixtures.py does); then every one logs in
// through the API. Resolves to [{i, id, email, token, segment}].
export async function crowd(server, n, { conc = 40, tag = 'crowd' } = {}) {
  const dbUrl = server.database;
  const first = { email: uniqueEmail(tag), password: PASSWORD, full_name: 'Peserta 0' };
  const s = await signup(server.url, first);
  if (s.status !== 201) throw new Error(`crowd signup: ${show(s)}`);
  const run = crypto.randomBytes(4).toString('hex');
  await psql(dbUrl, [
    `insert into users (id, email, full_name, role, password_hash)
     select sinau_new_id(), ${lit(`${tag}.${run}.`)} || g || '@example.test', 'Peserta ' || g, 'participant', u.password_hash
       from generate_series(1, ${n - 1}) g, users u where u.email = ${lit(first.email)}`,
    `insert into profiles (user_id, nik_enc, nik_bidx, nik_mask, nik_region, nip_enc, nip_bidx, nip_mask, business_name)
     select id, 'placeholder', 'nik-' || id, '3573********0000', '357301', 'placeholder', 'nip-' || id,
            '1985**********0000', 'Usaha ' || full_name
       from users where email like ${lit(`${tag}.${run}.%`)} or email = ${lit(first.email)}
     on conflict (user_id) do update set nik_enc = excluded.nik_enc, nik_bidx = excluded.nik_bidx,
         nik_mask = excluded.nik_mask, nik_region = excluded.nik_region, nip_enc = excluded.nip_enc,
         nip_bidx = excluded.nip_bidx, nip_mask = excluded.nip_mask, business_name = excluded.business_name`,
  ]);
  const emails = [first.email, ...Array.from({ length: n - 1 }, (_, k) => `${tag}.${run}.${k + 1}@example.test`)];
  const people = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      let r;
      for (let attempt = 0; attempt < 5; attempt++) {
        r = await call(server.url, 'POST', '/api/v1/auth/login', { json: { email: emails[i], password: PASSWORD } });
        if (r.status !== 503 && r.status !== 0) break;
        await sleep(200);
      }
      if (r.status !== 200) throw new Error(`crowd login ${emails[i]}: ${show(r)}`);
      people[i] = { i, id: r.json.user.id, email: emails[i], token: r.json.token, segment: SEGMENTS[i % SEGMENTS.length] };
    }
  };
  await Promise.all(Array.from({ length: Math.min(conc, n) }, worker));
  return people;
}

// The race cohort: 3 segments × seats, open now. asn and umkm keep a
// waitlist; public has none, so the crowd there past its seats is refused
// (409 segment_full) — what "nothing refused is present" is checked on.
// offerTtl: seconds an offered seat waits (a cancellation then makes an
// offer, which is notified). Resolves to the cohort JSON.
export async function raceCohort(base, admin, { seats = 70, offerTtl = 600 } = {}) {
  const prog = await programme(base, admin, { title: 'Pelatihan Kerja Nasional' });
  const body = cohortBody({
    name: 'Gelombang 1',
    offer_ttl_s: offerTtl,
    segments: [
      { segment: 'asn', quota: seats, waitlist: true },
      { segment: 'umkm', quota: seats, waitlist: true },
      { segment: 'public', quota: seats, waitlist: false },
    ],
  });
  const r = await createCohort(base, admin.token, prog.slug, body);
  if (r.status !== 201) throw new Error(`race cohort: ${show(r)}`);
  return r.json;
}

function post(agent, base, path, token, key, body) {
  const u = new URL(base);
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = http.request({
      host: u.hostname, port: u.port, path, method: 'POST', agent,
      headers: { authorization: `Bearer ${token}`, 'idempotency-key': key, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => {
        let json;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ t0, t1: performance.now(), status: res.statusCode, retryAfter: res.headers['retry-after'], json, text: text.slice(0, 300) });
      });
      res.on('error', (e) => resolve({ t0, t1: performance.now(), status: 0, error: e.code ?? e.message }));
    });
    req.setTimeout(60000, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ t0, t1: performance.now(), status: 0, error: e.code ?? e.message }));
    req.end(body);
  });
}

// Runs the race: every participant POSTs its registration once with its own
// Idempotency-Key, at most conc open at once; a 503 or a dropped connection
// is sent again, same key, after Retry-After (× 0.5–1.5, so the retries
// spread), until an answer or deadlineMs. onAnswer(count) runs after each
// final answer (the kill is triggered from it). Resolves to {results:
// [{person, key, attempts: [...], final}], t0, elapsed}; times are
// performance.now() values.
export async function race(base, people, cohortId, { conc = 200, deadlineMs = 180000, onAnswer } = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: conc, maxFreeSockets: conc });
  const path = `/api/v1/cohorts/${encodeURIComponent(cohortId)}/registrations`;
  const t0 = performance.now();
  const results = people.map((person) => ({ person, key: `race-${person.id}-${crypto.randomBytes(6).toString('hex')}`, attempts: [], final: null }));
  let next = 0;
  let answered = 0;
  const worker = async () => {
    for (;;) {
      const k = next++;
      if (k >= results.length) return;
      const r = results[k];
      const body = JSON.stringify({ segment: r.person.segment });
      for (;;) {
        const a = await post(agent, base, path, r.person.token, r.key, body);
        r.attempts.push(a);
        if (a.status !== 503 && a.status !== 0) {
          r.final = a;
          break;
        }
        if (performance.now() - t0 > deadlineMs) break;
        const after = Number(a.retryAfter) > 0 ? Number(a.retryAfter) : 1;
        await sleep(after * 1000 * (0.5 + Math.random()));
      }
      answered++;
      onAnswer?.(answered);
    }
  };
  await Promise.all(Array.from({ length: Math.min(conc, results.length) }, worker));
  agent.destroy();
  return { results, t0, elapsed: performance.now() - t0 };
}

// Summary of every attempt: {"201": n, "503 db_unavailable": n, ...}.
export function attemptTally(results) {
  const by = {};
  for (const r of results) {
    for (const a of r.attempts) {
      const k = a.status === 0 ? `error ${a.error}` : `${a.status}${a.json?.error?.code ? ` ${a.json.error.code}` : ''}`;
      by[k] = (by[k] ?? 0) + 1;
    }
  }
  return by;
}

// The first registration acknowledged among those sent after `at`
// (performance.now()): {ms after at, attempt} or null.
export function firstSuccessAfter(results, at) {
  let best = null;
  for (const r of results) {
    for (const a of r.attempts) {
      if (a.t0 > at && a.status === 201 && (best === null || a.t1 < best.t1)) best = a;
    }
  }
  return best === null ? null : { ms: best.t1 - at, attempt: best };
}

// What the database holds for the cohort against what the server answered.
// Resolves to {problems: [strings], lost (acknowledged but absent), figures}.
// With sync false the acknowledged-but-absent ones are counted, not
// problems (asynchronous replication may lose them; the count is the point).
export async function checkRace(server, admin, cohortId, run, { seats = 70, sync = true } = {}) {
  const dbUrl = server.database;
  const problems = [];
  const rows = (await psql(dbUrl, `select id, user_id, segment, status, seq from registrations where cohort_id = ${lit(cohortId)} order by seq`))
    .split('\n').filter(Boolean).map((l) => {
      const [id, user, segment, status, seq] = l.split('|');
      return { id, user, segment, status, seq: Number(seq) };
    });
  const byUser = new Map();
  for (const row of rows) byUser.set(row.user, [...(byUser.get(row.user) ?? []), row]);
  let lost = 0;
  let acked = 0;
  let refused = 0;
  for (const r of run.results) {
    const mine = byUser.get(r.person.id) ?? [];
    const f = r.final;
    if (!f) {
      problems.push(`participant ${r.person.i} never got an answer (${r.attempts.length} attempts)`);
      continue;
    }
    if (f.status === 201) {
      acked++;
      const want = f.json;
      if (mine.length === 0) {
        lost++;
        if (sync) problems.push(`acknowledged registration ${want.id} (${want.status}) of participant ${r.person.i} is missing`);
      } else if (mine.length > 1) {
        problems.push(`participant ${r.person.i} has ${mine.length} registrations`);
      } else if (mine[0].id !== want.id || mine[0].status !== want.status) {
        if (sync) problems.push(`participant ${r.person.i}: acknowledged ${want.id} ${want.status}, holds ${mine[0].id} ${mine[0].status}`);
        else lost++;
      }
    } else if (f.status === 409 && f.json?.error?.code === 'segment_full') {
      refused++;
      if (mine.length > 0) problems.push(`participant ${r.person.i} was refused (segment_full) but holds ${mine[0].id} ${mine[0].status}`);
    } else {
      problems.push(`participant ${r.person.i}: final answer ${f.status} ${f.text}`);
    }
  }
  if (rows.length !== byUser.size) problems.push(`${rows.length} registrations for ${byUser.size} participants`);

  // seats: never over the quota, the counters true
  const counters = (await psql(dbUrl, `select segment, quota, confirmed, waitlisted from cohort_segments where cohort_id = ${lit(cohortId)} order by segment`))
    .split('\n').filter(Boolean).map((l) => {
      const [segment, quota, confirmed, waitlisted] = l.split('|');
      return { segment, quota: Number(quota), confirmed: Number(confirmed), waitlisted: Number(waitlisted) };
    });
  let overbooked = 0;
  for (const c of counters) {
    const held = rows.filter((x) => x.segment === c.segment && ['confirmed', 'offered'].includes(x.status)).length;
    const waiting = rows.filter((x) => x.segment === c.segment && x.status === 'waitlisted').length;
    overbooked += Math.max(0, held - c.quota);
    if (held !== c.confirmed) problems.push(`${c.segment}: counter says ${c.confirmed} seats held, rows ${held}`);
    if (waiting !== c.waitlisted) problems.push(`${c.segment}: counter says ${c.waitlisted} waiting, rows ${waiting}`);
    if (c.quota !== seats) problems.push(`${c.segment}: quota ${c.quota}, not ${seats}`);
  }
  if (overbooked > 0) problems.push(`${overbooked} seats overbooked`);

  // the waitlist: arrival order, and the positions the server answered
  for (const segment of SEGMENTS) {
    const seg = rows.filter((x) => x.segment === segment);
    const confirmed = seg.filter((x) => x.status === 'confirmed');
    const waiting = seg.filter((x) => x.status === 'waitlisted');
    const lastSeat = Math.max(0, ...confirmed.map((x) => x.seq));
    if (waiting.some((w) => w.seq < lastSeat)) problems.push(`${segment}: someone waits who arrived before a seat was given`);
    waiting.forEach((w, k) => {
      const res = run.results.find((r) => r.final?.json?.id === w.id);
      if (sync && res && res.final.json.waitlist_position !== k + 1) {
        problems.push(`${segment}: ${w.id} was told position ${res.final.json.waitlist_position}, is ${k + 1}`);
      }
    });
  }

  // the fairness log: its chain, and one decision per participant
  const log = await allocationLog(server.url, admin.token, cohortId);
  if (log.status !== 200) problems.push(`allocation log: ${show(log.res)}`);
  const chain = recomputeChain(log.entries);
  if (!chain.ok) problems.push(`fairness log chain broken at line ${chain.line} (${chain.why})`);
  const audit = await auditVerify(log.text);
  if (audit.code !== 0) problems.push(`sinau audit verify: ${audit.stdout} ${audit.stderr}`);
  // (the log names people by a keyed hash, one per person and cohort)
  const decided = new Map();
  for (const e of log.entries) {
    if (!['confirmed', 'waitlisted', 'segment_full'].includes(e.outcome)) continue;
    decided.set(e.user, (decided.get(e.user) ?? 0) + 1);
  }
  const twice = [...decided.values()].filter((n) => n !== 1).length;
  if (sync && twice > 0) problems.push(`${twice} participants have more than one decision in the fairness log`);
  if (sync && decided.size !== run.results.length) problems.push(`${decided.size} participants decided in the fairness log, ${run.results.length} raced`);
  const fullLogged = log.entries.filter((e) => e.outcome === 'segment_full').length;
  if (sync && fullLogged !== refused) problems.push(`${fullLogged} segment_full decisions logged, ${refused} answered`);
  for (const row of rows) {
    if (!log.entries.some((e) => e.registration === row.id && e.outcome === row.status)) problems.push(`registration ${row.id} has no ${row.status} entry in the fairness log`);
  }
  return {
    problems,
    lost,
    figures: { registrations: rows.length, acknowledged: acked, refused, overbooked, log_entries: log.entries.length, chain_head: chain.head, segments: counters },
  };
}
