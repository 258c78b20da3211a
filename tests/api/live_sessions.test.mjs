// Live sessions and attendance (issue 5): scheduling a cohort's sessions
// (its instructors and admins), the list (learners; managers also see an
// open check-in code), check-in codes (six digits, limited time, refused
// when wrong or expired, locked after 10 wrong tries), attendance counted
// once per session and per participant, and the public iCalendar feed
// (text/calendar, CRLF, folded at 75 octets, TEXT escaped).
//
// (Named live_sessions: sessions.test.mjs holds the sign-in session tests.)
import { test, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/harness.mjs';
import { show, sql, lit, newAdmin } from './lib/accounts.mjs';
import { addInstructor, newInstructor, instantIn } from './lib/cohorts.mjs';
import {
  expectStatus, expectError, contentProgramme, outlineOf, cohortOf, publicSeats, learner, createSession, listSessions,
  openCheckin, checkin, attendanceOf, calendarOf, otherCode, parseIcs, icsText, icsUtc,
} from './lib/content.mjs';

let server;
let base;
let admin;
let slug;
let A; // cohort A: 3 public seats
let B; // cohort B of the same programme
let p1;
let p2;
let p3;
let pw; // waitlisted in A
let pb; // confirmed in B
let ia; // instructor of A
let ib; // instructor of B

before(async () => {
  server = await startServer();
  base = server.url;
  admin = await newAdmin(server);
  slug = (await contentProgramme(base, admin, outlineOf(1, 1))).slug;
  A = await cohortOf(base, admin, slug, publicSeats(3, { name: 'Angkatan A' }));
  B = await cohortOf(base, admin, slug, publicSeats(3, { name: 'Angkatan B' }));
  p1 = await learner(base, A.id, { full_name: 'Ani' });
  p2 = await learner(base, A.id, { full_name: 'Budi' });
  p3 = await learner(base, A.id, { full_name: 'Citra' });
  pw = await learner(base, A.id, { status: 'waitlisted', full_name: 'Wati' });
  pb = await learner(base, B.id, { full_name: 'Bayu' });
  ia = await newInstructor(server);
  ib = await newInstructor(server);
  expectStatus(await addInstructor(base, admin.token, A.id, ia.id), 201, 'instructor A');
  expectStatus(await addInstructor(base, admin.token, B.id, ib.id), 201, 'instructor B');
});

const SESSION_KEYS = ['checkin_code', 'checkin_expires_at', 'checkin_open', 'cohort_id', 'ends_at', 'id', 'online_url', 'place', 'starts_at', 'title'];

let n = 0;
// A session of cohort `c` made by `who` (default: the instructor of A).
async function session(c = A, who = ia, over = {}) {
  n += 1;
  const json = { title: `Sesi ${n}`, starts_at: instantIn(86400 * n), ends_at: instantIn(86400 * n + 7200), place: 'Balai Kota', ...over };
  return expectStatus(await createSession(base, who.token, c.id, json), 201, `session ${n}`);
}

async function attendanceRows(sessionId) {
  return Number(await sql(server, `select count(*) from attendance where session_id = ${lit(sessionId)}`));
}

// ------------------------------------------------------------ sessions ----

describe('scheduling', () => {
  test('the cohort\'s instructor and an admin schedule sessions (201); the list shows them in time order to learners', async () => {
    const C = await cohortOf(base, admin, slug, publicSeats(3, { name: 'Jadwal' }));
    const ic = await newInstructor(server);
    expectStatus(await addInstructor(base, admin.token, C.id, ic.id), 201, 'instructor');
    const pc = await learner(base, C.id);
    const later = expectStatus(await createSession(base, ic.token, C.id, {
      title: 'Praktik foto', starts_at: '2031-03-02T02:00:00Z', ends_at: '2031-03-02T04:30:00Z', online_url: 'https://meet.example.org/abc',
    }), 201, 'by the instructor');
    assert.deepEqual(Object.keys(later).sort(), SESSION_KEYS);
    assert.equal(later.cohort_id, C.id);
    assert.equal(later.title, 'Praktik foto');
    assert.equal(Date.parse(later.starts_at), Date.parse('2031-03-02T02:00:00Z'));
    assert.equal(Date.parse(later.ends_at), Date.parse('2031-03-02T04:30:00Z'));
    assert.equal(later.online_url, 'https://meet.example.org/abc');
    assert.equal(later.place, null);
    assert.equal(later.checkin_code, null);
    const earlier = expectStatus(await createSession(base, admin.token, C.id, {
      title: 'Pembukaan', starts_at: '2031-03-01T09:00:00+07:00', ends_at: '2031-03-01T11:00:00+07:00', place: 'Aula Dinas',
    }), 201, 'by an admin');
    assert.equal(Date.parse(earlier.starts_at), Date.parse('2031-03-01T02:00:00Z'), 'offsets are honoured');
    const list = expectStatus(await listSessions(base, pc.token, C.id), 200, 'list');
    assert.deepEqual(list.items.map((s) => s.id), [earlier.id, later.id], 'in time order');
    for (const s of list.items) assert.equal(s.checkin_code, null, 'no code for participants');
  });

  test('who may not schedule: a participant 403, anonymous 401, another cohort\'s instructor 404; bad sessions 422', async () => {
    const ok = { title: 'Sesi', starts_at: '2031-01-01T01:00:00Z', ends_at: '2031-01-01T02:00:00Z' };
    expectStatus(await createSession(base, p1.token, A.id, ok), 403, 'participant');
    expectStatus(await createSession(base, undefined, A.id, ok), 401, 'anonymous');
    expectError(await createSession(base, ib.token, A.id, ok), 404, 'not_found', 'instructor of B');
    expectError(await createSession(base, admin.token, 'nosuchcohort', ok), 404, 'not_found', 'unknown cohort');
    const before = await sql(server, `select count(*) from cohort_sessions where cohort_id = ${lit(A.id)}`);
    const bad = [
      ['ends before it starts', { ...ok, ends_at: '2031-01-01T00:30:00Z' }, 'invalid_session'],
      ['ends when it starts', { ...ok, ends_at: ok.starts_at }, 'invalid_session'],
      ['a start that is not a time', { ...ok, starts_at: 'besok pagi' }, 'invalid_session'],
      ['a javascript: online_url', { ...ok, online_url: 'javascript:alert(1)' }, 'invalid_session'],
      ['an empty title', { ...ok, title: '' }, 'invalid_session'],
      ['no title', { starts_at: ok.starts_at, ends_at: ok.ends_at }, 'invalid_field'],
      ['an unknown member', { ...ok, checkin_code: '123456' }, 'unknown_field'],
    ];
    for (const [what, json, code] of bad) expectError(await createSession(base, ia.token, A.id, json), 422, code, what);
    assert.equal(await sql(server, `select count(*) from cohort_sessions where cohort_id = ${lit(A.id)}`), before, 'nothing scheduled');
  });

  test('the session list is for learners of the cohort: 404 for the waitlisted, another cohort\'s participant and instructor, anonymous', async () => {
    await session();
    for (const [who, u] of [['waitlisted', pw], ['participant of B', pb], ['instructor of B', ib], ['anonymous', { token: undefined }]]) {
      expectError(await listSessions(base, u.token, A.id), 404, 'not_found', who);
    }
  });
});

// ------------------------------------------------------------ check-in ----

describe('check-in codes', () => {
  test('a manager opens a check-in: a six-digit code valid for 15 minutes by default or valid_minutes 1..180; managers see it in the list, participants do not', async () => {
    const s = await session();
    const t0 = Date.now();
    const c = expectStatus(await openCheckin(base, ia.token, s.id), 200, 'open (empty body)');
    assert.deepEqual(Object.keys(c).sort(), ['code', 'expires_at', 'session_id']);
    assert.equal(c.session_id, s.id);
    assert.match(c.code, /^[0-9]{6}$/);
    const ttl = Date.parse(c.expires_at) - t0;
    assert.ok(ttl > 14 * 60000 && ttl < 16 * 60000, `default 15 minutes: ${c.expires_at}`);
    const c5 = expectStatus(await openCheckin(base, admin.token, s.id, { valid_minutes: 5 }), 200, 'open for 5 minutes (admin)');
    const ttl5 = Date.parse(c5.expires_at) - Date.now();
    assert.ok(ttl5 > 4 * 60000 && ttl5 < 6 * 60000, `5 minutes: ${c5.expires_at}`);
    expectStatus(await openCheckin(base, ia.token, s.id, { valid_minutes: 180 }), 200, '180 minutes');
    const c1 = expectStatus(await openCheckin(base, ia.token, s.id, { valid_minutes: 1 }), 200, '1 minute');
    for (const v of [0, 181, -5]) expectError(await openCheckin(base, ia.token, s.id, { valid_minutes: v }), 422, 'invalid_minutes', `valid_minutes ${v}`);
    expectStatus(await openCheckin(base, ia.token, s.id, { valid_minutes: '5' }), 422, 'valid_minutes as a string');
    expectStatus(await openCheckin(base, p1.token, s.id), 403, 'participant opens');
    expectStatus(await openCheckin(base, undefined, s.id), 401, 'anonymous opens');
    expectError(await openCheckin(base, ib.token, s.id), 404, 'not_found', 'instructor of B opens');
    expectError(await openCheckin(base, ia.token, 'nosuchsession'), 404, 'not_found', 'unknown session');

    const forManager = expectStatus(await listSessions(base, ia.token, A.id), 200, 'manager list').items.find((x) => x.id === s.id);
    assert.equal(forManager.checkin_open, true);
    assert.equal(forManager.checkin_code, c1.code, 'the manager sees the open code');
    const forLearner = expectStatus(await listSessions(base, p1.token, A.id), 200, 'learner list').items.find((x) => x.id === s.id);
    assert.equal(forLearner.checkin_open, true);
    assert.equal(forLearner.checkin_code, null, 'a participant never sees the code');
  });

  test('a right code counts once (twice, and raced); a wrong or malformed code is 422 invalid_code; outsiders 404', async () => {
    const s = await session();
    const { code } = expectStatus(await openCheckin(base, ia.token, s.id), 200, 'open');
    expectError(await checkin(base, p1.token, s.id, otherCode(code)), 422, 'invalid_code', 'wrong code');
    for (const bad of ['12345', '1234567', 'abcdef', ' 12345', '']) expectError(await checkin(base, p1.token, s.id, bad), 422, 'invalid_code', `malformed ${JSON.stringify(bad)}`);
    assert.equal(await attendanceRows(s.id), 0, 'nothing counted for wrong codes');
    const sessions = Number(await sql(server, `select count(*) from cohort_sessions where cohort_id = ${lit(A.id)}`));
    const r = expectStatus(await checkin(base, p1.token, s.id, code), 200, 'right code');
    assert.equal(r.checked_in, true);
    assert.equal(r.session_id, s.id);
    assert.equal(r.sessions, sessions);
    const attended = r.attended;
    assert.ok(attended >= 1);
    const again = expectStatus(await checkin(base, p1.token, s.id, code), 200, 'again');
    assert.equal(again.attended, attended, 'checking in twice counts once');
    const raced = await Promise.all(Array.from({ length: 6 }, () => checkin(base, p2.token, s.id, code)));
    for (const x of raced) expectStatus(x, 200, 'raced');
    assert.equal(await attendanceRows(s.id), 2, 'one row per participant');

    for (const [who, u] of [['waitlisted', pw], ['participant of B', pb], ['instructor of A', ia], ['admin', admin]]) {
      expectError(await checkin(base, u.token, s.id, code), 404, 'not_found', `${who} checks in`);
    }
    expectStatus(await checkin(base, undefined, s.id, code), 401, 'anonymous checks in');
    expectError(await checkin(base, p1.token, 'nosuchsession', code), 404, 'not_found', 'unknown session');
    assert.equal(await attendanceRows(s.id), 2, 'outsiders added nothing');
  });

  test('no code open yet, an expired code (409 code_expired), a replaced code: refused and not counted', async () => {
    const s = await session();
    expectError(await checkin(base, p1.token, s.id, '000000'), 422, 'invalid_code', 'before any check-in opened');
    const { code } = expectStatus(await openCheckin(base, ia.token, s.id, { valid_minutes: 10 }), 200, 'open');
    await sql(server, `update cohort_sessions set checkin_expires_at = now() - interval '1 second' where id = ${lit(s.id)}`);
    expectError(await checkin(base, p1.token, s.id, code), 409, 'code_expired', 'expired code');
    assert.equal(await attendanceRows(s.id), 0, 'an expired code counts nothing');
    const m = expectStatus(await listSessions(base, ia.token, A.id), 200, 'list').items.find((x) => x.id === s.id);
    assert.equal(m.checkin_open, false, 'the check-in shows closed');
    assert.equal(m.checkin_code, null, 'an expired code is not shown');

    const fresh = expectStatus(await openCheckin(base, ia.token, s.id), 200, 'reopen');
    if (fresh.code !== code) expectError(await checkin(base, p1.token, s.id, code), 422, 'invalid_code', 'the replaced code');
    expectStatus(await checkin(base, p1.token, s.id, fresh.code), 200, 'the fresh code');
    assert.equal(await attendanceRows(s.id), 1);
  });

  test('after 10 wrong codes for a session the participant gets 429, even with the right code; others and other sessions are unaffected', async () => {
    const s = await session();
    const s2 = await session();
    const { code } = expectStatus(await openCheckin(base, ia.token, s.id), 200, 'open');
    const { code: code2 } = expectStatus(await openCheckin(base, ia.token, s2.id), 200, 'open 2');
    for (let i = 0; i < 10; i++) expectError(await checkin(base, p3.token, s.id, otherCode(code)), 422, 'invalid_code', `wrong code ${i + 1}`);
    expectError(await checkin(base, p3.token, s.id, otherCode(code)), 429, 'too_many_attempts', 'the 11th wrong code');
    expectError(await checkin(base, p3.token, s.id, code), 429, 'too_many_attempts', 'the right code after 10 wrong ones');
    assert.equal(await attendanceRows(s.id), 0);
    expectStatus(await checkin(base, p2.token, s.id, code), 200, 'another participant');
    expectStatus(await checkin(base, p3.token, s2.id, code2), 200, 'the same participant, another session');
  });
});

describe('check-in guessing', () => {
  test('wrong codes sent all at once are limited the same: at most 10 are judged, the rest 429', async () => {
    const C = await cohortOf(base, admin, slug, publicSeats(1, { name: 'Tebak' }));
    const guesser = await learner(base, C.id);
    const s = await session(C, admin);
    const { code } = expectStatus(await openCheckin(base, admin.token, s.id), 200, 'open');
    // 40 distinct wrong guesses at once, as a script would send them
    const guesses = Array.from({ length: 40 }, (_, i) => String((Number(code) + 1 + i) % 1000000).padStart(6, '0'));
    const rs = await Promise.all(guesses.map((g) => checkin(base, guesser.token, s.id, g)));
    const tally = {};
    for (const r of rs) tally[`${r.status} ${r.json?.error?.code ?? ''}`] = (tally[`${r.status} ${r.json?.error?.code ?? ''}`] ?? 0) + 1;
    const judged = rs.filter((r) => r.status === 422).length;
    assert.ok(rs.every((r) => r.status === 422 || r.status === 429), JSON.stringify(tally));
    assert.ok(judged <= 10, `at most 10 wrong codes may be tried per session; ${judged} of 40 simultaneous guesses were judged (${JSON.stringify(tally)})`);
    expectError(await checkin(base, guesser.token, s.id, code), 429, 'too_many_attempts', 'the right code after the burst');
  });
});

// ---------------------------------------------------------- attendance ----

describe('attendance per participant', () => {
  test('three sessions: Ani attends 2 (one of them twice), Budi 1, Citra 0; the waitlisted are not listed; the check-in answers count too', async () => {
    const C = await cohortOf(base, admin, slug, publicSeats(3, { name: 'Hadir' }));
    const ic = await newInstructor(server);
    expectStatus(await addInstructor(base, admin.token, C.id, ic.id), 201, 'instructor');
    const ani = await learner(base, C.id, { full_name: 'Ani Hadir' });
    const budi = await learner(base, C.id, { full_name: 'Budi Hadir' });
    const citra = await learner(base, C.id, { full_name: 'Citra Hadir' });
    const wait = await learner(base, C.id, { status: 'waitlisted', full_name: 'Wati Hadir' });
    const empty = expectStatus(await attendanceOf(base, ic.token, C.id), 200, 'before any session');
    assert.equal(empty.sessions, 0);
    assert.deepEqual(empty.items.map((x) => [x.user.full_name, x.attended]), [['Ani Hadir', 0], ['Budi Hadir', 0], ['Citra Hadir', 0]]);
    const [s1, s2, s3] = [await session(C, ic), await session(C, ic), await session(C, ic)];
    const codes = [];
    for (const s of [s1, s2, s3]) codes.push(expectStatus(await openCheckin(base, ic.token, s.id), 200, 'open').code);

    const a1 = expectStatus(await checkin(base, ani.token, s1.id, codes[0]), 200, 'Ani s1');
    assert.deepEqual([a1.attended, a1.sessions], [1, 3]);
    expectStatus(await checkin(base, ani.token, s1.id, codes[0]), 200, 'Ani s1 again');
    const a2 = expectStatus(await checkin(base, ani.token, s2.id, codes[1]), 200, 'Ani s2');
    assert.deepEqual([a2.attended, a2.sessions], [2, 3]);
    expectError(await checkin(base, ani.token, s3.id, codes[0]), 422, 'invalid_code', 'Ani with s1\'s code on s3');
    const b = expectStatus(await checkin(base, budi.token, s3.id, codes[2]), 200, 'Budi s3');
    assert.deepEqual([b.attended, b.sessions], [1, 3]);
    expectError(await checkin(base, citra.token, s2.id, otherCode(codes[1])), 422, 'invalid_code', 'Citra wrong');
    expectError(await checkin(base, wait.token, s2.id, codes[1]), 404, 'not_found', 'waitlisted');

    const att = expectStatus(await attendanceOf(base, ic.token, C.id), 200, 'attendance');
    assert.deepEqual(Object.keys(att).sort(), ['items', 'sessions']);
    assert.equal(att.sessions, 3);
    assert.deepEqual(att.items.map((x) => [x.user.id, x.attended]), [[ani.id, 2], [budi.id, 1], [citra.id, 0]]);
    assert.deepEqual(att.items[0].user, { id: ani.id, full_name: 'Ani Hadir' });
    assert.ok(!JSON.stringify(att).includes(wait.id), 'the waitlisted participant is not listed');
    const byAdmin = expectStatus(await attendanceOf(base, admin.token, C.id), 200, 'admin');
    assert.deepEqual(byAdmin, att);

    expectStatus(await attendanceOf(base, ani.token, C.id), 403, 'participant');
    expectStatus(await attendanceOf(base, undefined, C.id), 401, 'anonymous');
    expectError(await attendanceOf(base, ia.token, C.id), 404, 'not_found', 'instructor of another cohort');
    expectError(await attendanceOf(base, admin.token, 'nosuchcohort'), 404, 'not_found', 'unknown cohort');
  });
});

// ----------------------------------------------------------- iCalendar ----

describe('the iCalendar feed', () => {
  test('public text/calendar: one VEVENT per session with UID, UTC DTSTART/DTEND, SUMMARY and LOCATION escaped, CRLF lines of at most 75 octets', async () => {
    const C = await cohortOf(base, admin, slug, publicSeats(3, { name: 'Kalender, Batch; 1' }));
    const specs = [
      { title: 'Kelas pagi, sesi 1; teori', starts_at: '2031-05-04T01:30:00Z', ends_at: '2031-05-04T03:00:00Z', place: 'Aula Lt. 2, Jl. Ijen 1; Malang' },
      { title: 'Back\\slash and\nnew line', starts_at: '2031-05-05T08:00:00+07:00', ends_at: '2031-05-05T10:15:00+07:00', place: 'Ruang A' },
      {
        title: Array.from(`Praktik pemasaran digital untuk UMKM — ${'ĐŪŠ ✓ 🚀 kopi '.repeat(12)}`).slice(0, 150).join(''),
        starts_at: '2031-05-06T02:00:00Z', ends_at: '2031-05-06T04:00:00Z', online_url: 'https://meet.example.org/sinau-kelas',
      },
    ];
    const made = [];
    for (const s of specs) made.push(expectStatus(await createSession(base, admin.token, C.id, s), 201, s.title));

    const r = await calendarOf(base, C.id);
    assert.equal(r.status, 200, show(r));
    assert.match(r.headers['content-type'] ?? '', /^text\/calendar(;|$)/);
    const ics = parseIcs(r.text);
    assert.deepEqual(ics.problems, [], 'RFC 5545 framing');
    assert.equal(ics.calendars, 1);
    assert.equal(ics.lines[0].raw, 'BEGIN:VCALENDAR');
    assert.equal(ics.lines.at(-1).raw, 'END:VCALENDAR');
    const head = Object.fromEntries(ics.lines.slice(0, 8).map((l) => [l.name, l.value]));
    assert.equal(head.VERSION, '2.0');
    assert.ok(head.PRODID, 'a PRODID');
    assert.ok(ics.physical.some((l) => l.startsWith(' ')) , 'the long title was folded');
    assert.equal(ics.events.length, 3, 'one VEVENT per session');
    const uids = ics.events.map((e) => e.UID?.[0]);
    assert.equal(new Set(uids).size, 3, `distinct UIDs: ${uids}`);
    for (const [i, s] of specs.entries()) {
      const e = ics.events.find((x) => x.UID[0].includes(made[i].id));
      assert.ok(e, `an event whose UID names session ${made[i].id}: ${uids}`);
      for (const prop of ['UID', 'DTSTAMP', 'DTSTART', 'DTEND', 'SUMMARY']) assert.equal(e[prop]?.length, 1, `${prop} once in event ${i + 1}`);
      assert.equal(icsUtc(e.DTSTART[0]), Date.parse(s.starts_at), `DTSTART of ${i + 1}: ${e.DTSTART[0]}`);
      assert.equal(icsUtc(e.DTEND[0]), Date.parse(s.ends_at), `DTEND of ${i + 1}: ${e.DTEND[0]}`);
      assert.equal(icsText(e.SUMMARY[0]), s.title, `SUMMARY of ${i + 1} unescapes to the title`);
      if (s.place) assert.equal(icsText(e.LOCATION[0]), s.place, `LOCATION of ${i + 1}`);
    }
    const first = ics.events.find((x) => x.UID[0].includes(made[0].id));
    assert.equal(first.SUMMARY[0], 'Kelas pagi\\, sesi 1\\; teori', 'commas and semicolons are escaped');
    assert.equal(first.LOCATION[0], 'Aula Lt. 2\\, Jl. Ijen 1\\; Malang');
    const second = ics.events.find((x) => x.UID[0].includes(made[1].id));
    assert.equal(second.SUMMARY[0], 'Back\\\\slash and\\nnew line', 'backslash and newline are escaped');

    // public: no sign-in needed; the same for a signed-in outsider
    const again = await calendarOf(base, C.id, { token: pb.token });
    assert.equal(again.status, 200);
  });

  test('a cohort without sessions is an empty calendar; an unknown cohort is 404', async () => {
    const C = await cohortOf(base, admin, slug, publicSeats(1, { name: 'Kosong' }));
    const r = await calendarOf(base, C.id);
    assert.equal(r.status, 200, show(r));
    const ics = parseIcs(r.text);
    assert.deepEqual(ics.problems, []);
    assert.equal(ics.calendars, 1);
    assert.equal(ics.events.length, 0);
    expectError(await calendarOf(base, 'nosuchcohort'), 404, 'not_found', 'unknown cohort');
  });
});
