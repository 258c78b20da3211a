// The delivery worker gives way to a flash crowd (issue 17, P3): while the
// instance has SINAU_OUTBOX_YIELD requests or more in flight, its turns
// claim nothing, so the crowd's registrations have the database to
// themselves; once the requests are answered the messages go; and however
// busy the instance stays, a message waits at most SINAU_OUTBOX_YIELD_MAX_MS
// for that in one busy period (the rule itself, dips included:
// unit.test_yield). Requests are held in flight by clients that send a
// request's head and only part of its body (the body's minimum rate is off
// here).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer } from './lib/harness.mjs';
import { call, show, newAdmin, sql, lit } from './lib/accounts.mjs';
import { cohort, participant, register } from './lib/cohorts.mjs';
import { smtpSink, mailEnv, until, to } from './lib/mail.mjs';

let smtp;
before(async () => {
  smtp = await smtpSink();
});
after(async () => {
  await smtp?.stop();
});

const kindOf = (m) => m.headers['X-Sinau-Kind'];

// n requests held in flight on server: each a POST whose body never ends.
// Resolves to their sockets once the server has them in flight.
async function hold(server, n) {
  const url = new URL(server.url);
  const socks = [];
  for (let i = 0; i < n; i++) {
    const s = net.connect({ host: url.hostname, port: Number(url.port) });
    await new Promise((resolve, reject) => { s.once('connect', resolve); s.once('error', reject); });
    s.on('error', () => {});
    s.write(`POST /api/v1/auth/login HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n`
      + 'Content-Length: 200\r\n\r\n{"email":');
    socks.push(s);
  }
  await until(async () => (await gauge(server, 'sinau_http_inflight')) >= n, 10000, () => `${n} requests in flight`);
  return socks;
}

// A figure of /metrics (the sum over its series).
async function gauge(server, name) {
  const r = await call(server.url, 'GET', '/metrics');
  assert.equal(r.status, 200, show(r));
  let sum = 0;
  for (const line of r.text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) sum += Number(line.split(' ').pop());
  }
  return sum;
}

async function serverWith(extra) {
  const server = await startServer({
    env: mailEnv(smtp, { extra: { SINAU_HEAD_TIMEOUT_S: 600, SINAU_MIN_BODY_RATE: 0, ...extra } }),
  });
  const admin = await newAdmin(server);
  const c = await cohort(server.url, admin, { segments: [{ segment: 'umkm', quota: 5, waitlist: true }] });
  return { server, c };
}

async function outboxStates(server, userId) {
  return (await sql(server, `select string_agg(state, ',') from outbox where user_id = ${lit(userId)}`)).trim();
}

test('while the instance has SINAU_OUTBOX_YIELD requests in flight no message is claimed; once they are answered the messages go', async () => {
  const { server, c } = await serverWith({ SINAU_OUTBOX_YIELD: 2, SINAU_OUTBOX_YIELD_MAX_MS: 60000 });
  try {
    const p = await participant(server.url, { segment: 'umkm' });
    const held = await hold(server, 2);
    const y0 = await gauge(server, 'sinau_message_yields_total');
    await until(async () => (await gauge(server, 'sinau_message_yields_total')) > y0, 10000, () => 'a turn given way');

    const r = await register(server.url, p.token, c.id, 'umkm');
    assert.equal(r.status, 201, show(r));
    assert.equal(await outboxStates(server, p.user.id), 'queued', 'the message is written with the registration');
    // eight more turns (two seconds of ticks) given way: the message is still waiting
    const y1 = await gauge(server, 'sinau_message_yields_total');
    await until(async () => (await gauge(server, 'sinau_message_yields_total')) >= y1 + 8, 20000, () => '8 more turns given way');
    assert.equal(await outboxStates(server, p.user.id), 'queued', 'not claimed while the requests are many');
    assert.equal(to(smtp, p.email).length, 0, 'nothing sent meanwhile');

    for (const s of held) s.destroy();
    await until(() => to(smtp, p.email).some((m) => kindOf(m) === 'registration_confirmed'), 20000, () => 'the confirmation mail');
    await until(async () => (await outboxStates(server, p.user.id)) === 'sent', 10000, () => 'the row marked sent');
  } finally {
    await server.stop();
  }
});

test('however busy the instance stays, a message waits at most SINAU_OUTBOX_YIELD_MAX_MS to be claimed', async () => {
  const { server, c } = await serverWith({ SINAU_OUTBOX_YIELD: 2, SINAU_OUTBOX_YIELD_MAX_MS: 1000 });
  try {
    const p = await participant(server.url, { segment: 'umkm' });
    const held = await hold(server, 2);
    await until(async () => (await gauge(server, 'sinau_message_yields_total')) > 0, 10000, () => 'a turn given way');

    const r = await register(server.url, p.token, c.id, 'umkm');
    assert.equal(r.status, 201, show(r));
    await until(() => to(smtp, p.email).some((m) => kindOf(m) === 'registration_confirmed'), 20000, () => 'the confirmation mail');
    assert.ok(held.every((s) => !s.destroyed), 'sent while the held requests were still in flight');
    assert.ok((await gauge(server, 'sinau_http_inflight')) >= 2, 'and still are');
    for (const s of held) s.destroy();
  } finally {
    await server.stop();
  }
});

test('SINAU_OUTBOX_YIELD=0: the worker never gives way', async () => {
  const { server, c } = await serverWith({ SINAU_OUTBOX_YIELD: 0 });
  try {
    const p = await participant(server.url, { segment: 'umkm' });
    const held = await hold(server, 3);
    const r = await register(server.url, p.token, c.id, 'umkm');
    assert.equal(r.status, 201, show(r));
    await until(() => to(smtp, p.email).some((m) => kindOf(m) === 'registration_confirmed'), 20000, () => 'the confirmation mail');
    assert.equal(await gauge(server, 'sinau_message_yields_total'), 0, 'no turn given way');
    for (const s of held) s.destroy();
  } finally {
    await server.stop();
  }
});
