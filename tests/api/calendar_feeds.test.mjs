// Calendar feeds (issue 14, problem 6): the public feed of a cohort holds
// times and places only — never the online meeting links the session list
// keeps from outsiders; a personal feed URL with its own revocable token
// carries the links, for the cohorts where its owner holds a confirmed seat.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/harness.mjs';
import { call, show, newAdmin, newParticipant } from './lib/accounts.mjs';
import { contentProgramme, outlineOf, cohortOf, publicSeats, learner, createSession, calendarOf, expectStatus } from './lib/content.mjs';

let server;
let base;
let admin;
let C;
let member;
const LINK = 'https://meet.example.org/rahasia-kelas';

before(async () => {
  server = await startServer();
  base = server.url;
  admin = await newAdmin(server);
  const prog = await contentProgramme(base, admin, outlineOf(1, 1));
  C = await cohortOf(base, admin, prog.slug, publicSeats(3, { name: 'Kalender' }));
  expectStatus(await createSession(base, admin.token, C.id, {
    title: 'Kelas daring', starts_at: '2031-05-06T02:00:00Z', ends_at: '2031-05-06T04:00:00Z', place: 'Aula', online_url: LINK,
  }), 201);
  member = await learner(base, C.id);
});
after(() => server.stop());

const feed = (token) => call(base, 'GET', `/api/v1/calendar/${encodeURIComponent(token)}`);

test('public_calendar_has_no_online_links', async () => {
  const r = await calendarOf(base, C.id);
  assert.equal(r.status, 200, show(r));
  assert.match(r.text, /LOCATION:Aula/);
  assert.ok(!r.text.includes('meet.example.org'), r.text);
  assert.ok(!/^URL/m.test(r.text), 'no URL property');
});

test('personal_calendar_feed_carries_links_for_confirmed_participants_and_is_revocable', async () => {
  const made = await call(base, 'POST', '/api/v1/me/calendar-feed', { token: member.token, json: {} });
  assert.equal(made.status, 201, show(made));
  const token = made.json.token;
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  assert.ok(made.json.url.endsWith(`/api/v1/calendar/${token}`), made.json.url);

  const r = await feed(token);
  assert.equal(r.status, 200, show(r));
  assert.match(r.headers['content-type'], /^text\/calendar/);
  assert.ok(r.text.replace(/\r\n /g, '').includes(LINK), 'the link is in the personal feed');
  assert.match(r.headers['cache-control'], /private/);

  // an outsider's feed holds nothing of this cohort
  const outsider = await newParticipant(base);
  const o = await call(base, 'POST', '/api/v1/me/calendar-feed', { token: outsider.token, json: {} });
  const of = await feed(o.json.token);
  assert.equal(of.status, 200);
  assert.ok(!of.text.includes('meet.example.org'));
  assert.ok(!of.text.includes('BEGIN:VEVENT'));

  // a new token revokes the old one; DELETE revokes the current one
  const again = await call(base, 'POST', '/api/v1/me/calendar-feed', { token: member.token, json: {} });
  assert.equal(again.status, 201);
  assert.equal((await feed(token)).status, 404, 'the old token is revoked');
  assert.equal((await feed(again.json.token)).status, 200);
  assert.equal((await call(base, 'DELETE', '/api/v1/me/calendar-feed', { token: member.token })).status, 204);
  assert.equal((await feed(again.json.token)).status, 404, 'revoked');
  assert.equal((await feed('x'.repeat(43))).status, 404, 'an unknown token');
});

test('personal_calendar_feed_drops_cancelled_seats', async () => {
  const p = await learner(base, C.id);
  const made = await call(base, 'POST', '/api/v1/me/calendar-feed', { token: p.token, json: {} });
  assert.ok((await feed(made.json.token)).text.includes('BEGIN:VEVENT'));
  const gone = await call(base, 'DELETE', `/api/v1/registrations/${p.registration.id}`, { token: p.token });
  assert.ok(gone.status < 300, show(gone));
  const after = await feed(made.json.token);
  assert.equal(after.status, 200);
  assert.ok(!after.text.includes('meet.example.org'), 'no link once the seat is gone');
});
