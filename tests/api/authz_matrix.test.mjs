// Authorization over every route (issue 14; SECURITY.md case 31): the routes
// come from the server's own OpenAPI document, built from the same route
// tables the router serves (server/api/registry.c), with each route's
// declared access (x-sinau-access). A new route is in the run by
// construction. Path parameters are filled with the objects of one cohort X
// (its id, programme, module, lesson, assignment, quiz and question, live
// session, a participant's submission and registration). Callers, none of
// whom may touch X's objects:
//   anonymous               every route but public ones: 401
//   disabled account        (was X's instructor) every signed-in route: 401
//   participant of cohort Y staff/admin routes: 403; X's objects: 403/404
//   instructor of cohort Y  admin routes: 403; X's objects: 403/404
//   demoted instructor      (was X's instructor, now a participant) as the
//                           participant of Y (issue 14 problem 2).
// Writes carry a body no route takes, so a route that checks its body before
// its caller answers 422 and fails the run: access is decided first.
// Each refusal must not change anything: the routes' objects are checked
// again after the run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/harness.mjs';
import { call, newAdmin, show } from './lib/accounts.mjs';
import { addInstructor, newInstructor } from './lib/cohorts.mjs';
import { classroom, submitted } from './lib/assignments.mjs';
import { expectStatus, newLesson, createSession } from './lib/content.mjs';
import { newQuiz, newQuestion, single } from './lib/quizzes.mjs';

let srv;
let X; // the target classroom
let Y; // another cohort's classroom
let fill; // path parameter -> value
const actors = {};

// Routes about X that a caller outside X may still use on purpose: anyone
// may register in an open cohort, read its public page, seats, calendar and
// fairness-log head. (method pattern -> reason)
const OPEN_TO_OUTSIDERS = new Map([
  ['POST /api/v1/cohorts/{id}/registrations', 'registering is open to every participant'],
  ['GET /api/v1/cohorts/{id}', 'the public cohort page'],
  ['GET /api/v1/programmes/{slug}', 'the public catalogue'],
  ['GET /api/v1/programmes/{slug}/cohorts', 'the public catalogue'],
  ['GET /api/v1/cohorts/{id}/calendar.ics', 'the public calendar'],
  ['GET /api/v1/cohorts/{id}/allocation-log/head', 'the published chain head'],
]);

before(async () => {
  srv = await startServer();
  const admin = await newAdmin(srv);
  X = await classroom(srv, admin, { assignments: [{ submission_types: ['text'] }], participants: 1, seats: 5 });
  Y = await classroom(srv, admin, { assignments: [{ submission_types: ['text'] }], participants: 1, seats: 5 });
  const sub = await submitted(srv.url, X.people[0].token, X.cohort.id, X.assignments[0].id);
  actors.anonymous = undefined;
  actors.otherParticipant = Y.people[0];
  actors.otherInstructor = Y.instructor;
  for (const who of ['demoted', 'disabled']) {
    const i = await newInstructor(srv);
    assert.equal((await addInstructor(srv.url, admin.token, X.cohort.id, i.id)).status, 201);
    const change = who === 'demoted' ? { role: 'participant' } : { status: 'disabled' };
    const r = await call(srv.url, 'PUT', `/api/v1/users/${i.id}`, { token: admin.token, json: change });
    assert.equal(r.status, 200, `${who}: ${show(r)}`);
    actors[who] = i;
  }
  // X's draft also gets a lesson, a quiz with a question and a live session,
  // so that the routes about those are tried on X's own objects too
  const lesson = await newLesson(srv.url, admin.token, X.module.id, { title: 'Materi X' });
  const quiz = await newQuiz(srv.url, admin.token, X.module.id, { title: 'Kuis X', kind: 'check' });
  const question = await newQuestion(srv.url, admin.token, quiz.id, single('Ibu kota Jawa Timur?', ['Malang', 'Surabaya'], 'Surabaya'));
  const session = expectStatus(await createSession(srv.url, admin.token, X.cohort.id, {
    title: 'Sesi X', starts_at: new Date(Date.now() + 86400e3).toISOString(), ends_at: new Date(Date.now() + 90000e3).toISOString(), place: 'Balai Kota',
  }), 201, 'session');
  fill = {
    id: X.cohort.id,
    slug: X.slug,
    aid: X.assignments[0].id,
    module: X.module.id,
    submission: sub.id,
    registration: X.people[0].registration.id,
    user: X.people[0].id,
    lesson: lesson.id,
    quiz: quiz.id,
    question: question.id,
    session: session.id,
  };
});

after(async () => {
  if (srv) await srv.stop();
});

// The value of {name} in `pattern`: X's object of that kind, or a
// placeholder when the route is not about an object of X.
function pathOf(pattern) {
  let aboutX = false;
  const p = pattern.replace(/\{([^}]+)\}/g, (_, name) => {
    const before = pattern.slice(0, pattern.indexOf(`{${name}}`));
    let v;
    if (/\/cohorts\/$/.test(before) && name === 'id') v = fill.id;
    else if (name === 'slug') v = fill.slug;
    else if (name === 'aid' || /\/assignments\/$/.test(before)) v = fill.aid;
    else if (/\/modules\/$/.test(before)) v = fill.module;
    else if (/\/submissions\/$/.test(before)) v = fill.submission;
    else if (/\/registrations\/$/.test(before)) v = fill.registration;
    else if (/\/users\/$/.test(before)) v = fill.user;
    else if (name === 'lesson_id' || /\/lessons\/$/.test(before)) v = fill.lesson;
    else if (name === 'quiz_id' || /\/quizzes\/$/.test(before)) v = fill.quiz;
    else if (/\/questions\/$/.test(before)) v = fill.question;
    else if (/\/sessions\/$/.test(before)) v = fill.session;
    if (v !== undefined) aboutX = true;
    return encodeURIComponent(v ?? 'zz0000000000000000');
  });
  return { path: p, aboutX };
}

// Every (method, pattern, access) of the served OpenAPI document.
async function routes() {
  const r = await call(srv.url, 'GET', '/api/openapi.json');
  assert.equal(r.status, 200, show(r));
  const out = [];
  for (const [pattern, item] of Object.entries(r.json.paths)) {
    for (const [method, op] of Object.entries(item)) {
      assert.ok(op['x-sinau-access'], `${method} ${pattern}: the document says who may call it`);
      out.push({ method: method.toUpperCase(), pattern, access: op['x-sinau-access'] });
    }
  }
  return out;
}

const SIGNED = new Set(['signed_in', 'staff', 'admin']);

// The statuses that count as refused for `actor` on `route`, or null when
// the actor may legitimately be served.
function expected(actorName, route, aboutX) {
  const key = `${route.method} ${route.pattern}`;
  if (actorName === 'anonymous') return SIGNED.has(route.access) ? [401] : null;
  if (actorName === 'disabled') return SIGNED.has(route.access) ? [401] : null;
  if (route.access === 'admin') return [403];
  if (route.access === 'staff' && actorName !== 'otherInstructor') return [403];
  if (!aboutX || OPEN_TO_OUTSIDERS.has(key)) return null;
  if (route.pattern.startsWith('/api/v1/users/')) return [403];
  return [403, 404];
}

test('every route of every route table refuses those who must be refused, with the expected code', async () => {
  const list = await routes();
  assert.ok(list.length > 60, `the document lists the routes (${list.length})`);
  const failures = [];
  let checked = 0;
  for (const route of list) {
    const { path, aboutX } = pathOf(route.pattern);
    for (const [name, who] of Object.entries(actors)) {
      const want = expected(name, route, aboutX);
      if (want === null) continue;
      // a body no route takes (a member nobody declares): a route that reads
      // or checks it before its caller answers 422, which fails the run
      const json = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(route.method) ? { not_a_member: true } : undefined;
      const r = await call(srv.url, route.method, path, { token: who?.token, json });
      checked++;
      if (!want.includes(r.status)) failures.push({ who: name, route: `${route.method} ${route.pattern}`, got: r.status, code: r.json?.error?.code, want, json: json !== undefined });
    }
  }
  // A call refused for its body or query before its caller was checked
  // says nothing about access: every route decides access first (issue 14),
  // so such a row fails the run too.
  const inconclusive = failures.filter((f) => [400, 422].includes(f.got));
  const rest = failures.filter((f) => !inconclusive.includes(f));
  const demotedOnly = rest.filter((f) => f.who === 'demoted');
  // issue 14 problem 3: upload routes must refuse from the head, before the body
  const uploadFirst = rest.filter((f) => f.who !== 'demoted' && f.got === 415);
  const others = rest.filter((f) => !demotedOnly.includes(f) && !uploadFirst.includes(f));
  const lines = (l) => l.map((f) => `  ${f.who} ${f.route}: ${f.got} ${f.code ?? ''} (want ${f.want})`).join('\n');
  console.log(`authz_matrix: ${list.length} routes, ${checked} refusals checked, ${failures.length} not as expected`);
  if (inconclusive.length) console.log(`INCONCLUSIVE (body refused before the caller was checked):\n${lines(inconclusive)}`);
  if (demotedOnly.length) console.log(`DEMOTED-INSTRUCTOR rows failing (issue 14 problem 2):\n${lines(demotedOnly)}`);
  if (uploadFirst.length) console.log(`UPLOAD rows answering from the body (issue 14 problem 3):\n${lines(uploadFirst)}`);
  assert.deepEqual(others, [], 'routes that served or answered wrongly a caller they must refuse');
  assert.deepEqual(demotedOnly, [], 'DEMOTED INSTRUCTOR keeps access (issue 14 problem 2)');
  assert.deepEqual(uploadFirst, [], 'an upload route checked the body before the caller (issue 14 problem 3)');
  assert.deepEqual(inconclusive, [], 'routes that validated the body or query before deciding access (inconclusive)');
});

test("nothing of X changed under the refused calls", async () => {
  const p = X.people[0];
  const r = await call(srv.url, 'GET', `/api/v1/submissions/${fill.submission}`, { token: p.token });
  assert.equal(r.status, 200, show(r));
  assert.equal(r.json.text, 'Jawaban saya.');
  assert.equal(r.json.grade ?? null, null, 'not graded by anyone');
  const mine = await call(srv.url, 'GET', '/api/v1/me/registrations', { token: p.token });
  assert.equal(mine.json.items.find((x) => x.id === fill.registration)?.status, 'confirmed', 'the registration stands');
});
