// The outbox under faults (issue 13, "What it must show"), against a real
// SMTP server on loopback (aiosmtpd): SMTP down during a burst of 500
// registrations, then back; the server killed with SIGKILL in the middle of
// sending, then restarted; two instances sending from one outbox; a
// registration rolled back after its message row was written. Each test is
// bounded in count and time; messages are told apart by Message-ID.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, freshDatabase, sleep } from '../api/lib/harness.mjs';
import { newAdmin, sql, lit } from '../api/lib/accounts.mjs';
import { cohort, participants, register, tally } from '../api/lib/cohorts.mjs';
import { smtpSink, mailEnv, until, messageId } from '../api/lib/mail.mjs';

// Registers every participant at once (width requests in flight); resolves
// to the responses.
async function crowd(base, people, cohortId, segment, width = 50) {
  const out = new Array(people.length);
  let next = 0;
  const worker = async () => {
    while (next < people.length) {
      const i = next++;
      out[i] = await register(base, people[i].token, cohortId, segment);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return out;
}

// Message-IDs seen more than once.
function repeated(messages) {
  return Object.entries(tally(messages.map(messageId))).filter(([, n]) => n > 1).map(([id]) => id);
}

const outboxCount = async (server, where) => Number(await sql(server, `select count(*) from outbox where ${where}`));

test('SMTP down during a burst of 500 registrations: registrations unaffected, messages queued; SMTP back: each delivered once', async () => {
  const smtp = await smtpSink();
  await smtp.stop();
  const server = await startServer({ env: mailEnv(smtp, { extra: { SINAU_OUTBOX_BACKOFF_MS: 300, SINAU_OUTBOX_BACKOFF_MAX_MS: 2000 } }) });
  try {
    const admin = await newAdmin(server);
    const c = await cohort(server.url, admin, { segments: [{ segment: 'umkm', quota: 300, waitlist: true }] });
    const people = await participants(server.url, 500, { segment: 'umkm' }, 20);
    const answers = await crowd(server.url, people, c.id, 'umkm');
    assert.deepEqual(tally(answers.map((r) => r.status)), { 201: 500 }, 'every registration answered 201');
    assert.deepEqual(tally(answers.map((r) => r.json.status)), { confirmed: 300, waitlisted: 200 });
    assert.equal(await outboxCount(server, 'true'), 500, 'one message per registration');
    await until(async () => (await outboxCount(server, "state = 'queued' and attempts > 0")) >= 100, 20000, () => 'tries against the dead server');
    assert.equal(await outboxCount(server, "state in ('sent', 'failed')"), 0, 'nothing sent, nothing given up');
    assert.equal(smtp.messages.length, 0);

    await smtp.start();
    await until(async () => (await outboxCount(server, "state = 'sent'")) === 500, 90000, () => `all sent (have ${smtp.messages.length} mails)`);
    assert.equal(smtp.messages.length, 500, 'every message delivered once');
    assert.deepEqual(repeated(smtp.messages), [], 'no Message-ID twice');
    const rcpts = new Set(smtp.messages.map((m) => m.rcpt_tos[0]));
    assert.equal(rcpts.size, 500, 'each participant got theirs');
    for (const p of people) assert.ok(rcpts.has(p.email));
    const tries = Number(await sql(server, 'select max(attempts) from outbox'));
    console.log(`smtp outage: 500 registrations, ${smtp.messages.length} mails after the outage, up to ${tries} tries each`);
  } finally {
    await server.stop();
    await smtp.stop();
  }
});

test('SIGKILL in the middle of sending, then a restart: every message delivered, duplicates only among those in flight', async () => {
  const smtp = await smtpSink({ delayMs: 150 });
  const db = await freshDatabase();
  const env = mailEnv(smtp, { extra: { SINAU_MAIL_TIMEOUT_MS: 2000, SINAU_OUTBOX_CONCURRENCY: 8 } });
  let server = await startServer({ database: db, env });
  const dataDir = server.dataDir; // the same master key after the restart
  try {
    const admin = await newAdmin(server);
    const c = await cohort(server.url, admin, { segments: [{ segment: 'umkm', quota: 200, waitlist: true }] });
    const people = await participants(server.url, 120, { segment: 'umkm' }, 20);
    const answers = await crowd(server.url, people, c.id, 'umkm', 20);
    assert.deepEqual(tally(answers.map((r) => r.status)), { 201: 120 });
    await until(() => smtp.messages.length >= 30, 30000, () => 'some mail out');
    server.kill();
    await server.exited;
    const inFlight = new Set((await sql(server, "select id from outbox where state = 'sending'")).split('\n').filter(Boolean).map((id) => `<sinau.${id}@sinau.example.test>`));
    const before = smtp.messages.length;
    assert.ok(before < 120, `killed mid-sending (${before} of 120 out)`);
    assert.ok(inFlight.size > 0, 'some sends were in flight at the kill');

    server = await startServer({ database: db, dataDir, env });
    await until(async () => (await outboxCount(server, "state = 'sent'")) === 120, 90000, () => `all sent (${smtp.messages.length} mails)`);
    const ids = new Set(smtp.messages.map(messageId));
    assert.equal(ids.size, 120, 'every message delivered at least once');
    const twice = repeated(smtp.messages);
    for (const id of twice) assert.ok(inFlight.has(id), `${id} came twice but was not in flight at the kill`);
    console.log(`sigkill: ${before} mails before the kill, ${inFlight.size} in flight, ${twice.length} delivered twice, ${smtp.messages.length} in all`);
  } finally {
    await server.stop();
    await smtp.stop();
  }
});

test('two instances sending from one outbox: each message once, both instances sending', async () => {
  const smtp = await smtpSink({ delayMs: 40 });
  const db = await freshDatabase();
  const env = mailEnv(smtp, { extra: { SINAU_OUTBOX_CONCURRENCY: 4 } });
  const a = await startServer({ database: db, env });
  const b = await startServer({ database: db, dataDir: a.dataDir, env });
  try {
    const admin = await newAdmin(a);
    const c = await cohort(a.url, admin, { segments: [{ segment: 'umkm', quota: 200, waitlist: true }] });
    const people = await participants(a.url, 200, { segment: 'umkm' }, 20);
    const half = people.length / 2;
    const answers = await Promise.all([crowd(a.url, people.slice(0, half), c.id, 'umkm', 20), crowd(b.url, people.slice(half), c.id, 'umkm', 20)]);
    assert.deepEqual(tally(answers.flat().map((r) => r.status)), { 201: 200 });
    await until(async () => (await outboxCount(a, "state = 'sent'")) === 200, 60000, () => `all sent (${smtp.messages.length})`);
    await sleep(500); // a late duplicate would show here
    assert.equal(smtp.messages.length, 200, 'no message twice');
    assert.deepEqual(repeated(smtp.messages), []);
    const senders = (await sql(a, 'select claimed_by, count(*) from outbox group by 1 order by 1')).split('\n');
    console.log(`two instances: ${senders.join(', ')}`);
    assert.equal(senders.length, 2, 'both instances sent some');
  } finally {
    await a.stop();
    await b.stop();
    await smtp.stop();
  }
});

test('a registration rolled back after its message row was written sends nothing', async () => {
  const smtp = await smtpSink();
  const server = await startServer({ env: mailEnv(smtp) });
  try {
    const admin = await newAdmin(server);
    const c = await cohort(server.url, admin, {});
    const [doomed, fine] = await participants(server.url, 2, { segment: 'umkm' });
    // fails at commit, after reg_register wrote the registration and its message
    await sql(server, [
      `create function t_fail_at_commit() returns trigger language plpgsql as $$
       begin if new.user_id = ${lit(doomed.id)} then raise exception 'rolled back on purpose'; end if; return new; end $$`,
      'create constraint trigger t_fail_at_commit after insert on registrations deferrable initially deferred for each row execute function t_fail_at_commit()',
    ]);
    const r = await register(server.url, doomed.token, c.id, 'umkm');
    assert.equal(r.status, 500, 'the registration failed');
    assert.equal(await outboxCount(server, `user_id = ${lit(doomed.id)}`), 0, 'no message row');
    assert.equal(Number(await sql(server, `select count(*) from registrations where user_id = ${lit(doomed.id)}`)), 0);
    assert.equal((await register(server.url, fine.token, c.id, 'umkm')).status, 201);
    await smtp.waitFor(1);
    await until(async () => (await outboxCount(server, "state <> 'sent'")) === 0, 10000);
    assert.deepEqual(smtp.messages.map((m) => m.rcpt_tos[0]), [fine.email], 'only the committed registration was told');
  } finally {
    await server.stop();
    await smtp.stop();
  }
});
