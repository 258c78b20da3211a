// Helpers for the quiz tests (issue 15): authoring calls (quizzes,
// questions, the CSV question bank, preview), a class fixture (a programme
// whose module holds lessons and quizzes, published, a cohort, its
// instructor, confirmed participants), the taking calls (start, save,
// close, read), the staff reads (window, report, survey results), and a
// recorder that keeps every response body a participant receives, so a
// test can search them all for what must not be there.
import assert from 'node:assert/strict';
import { call, show, sql, lit } from './accounts.mjs';
import { addInstructor, newInstructor, programme, dateIn } from './cohorts.mjs';
import { expectStatus, newModule, newLesson, published, cohortOf, learner, publicSeats } from './content.mjs';

const enc = encodeURIComponent;

// ------------------------------------------------------------ authoring ----

export const addQuiz = (base, token, moduleId, json) => call(base, 'POST', `/api/v1/modules/${enc(moduleId)}/quizzes`, { token, json });
export const getQuiz = (base, token, id) => call(base, 'GET', `/api/v1/quizzes/${enc(id)}`, { token });
export const putQuiz = (base, token, id, json) => call(base, 'PUT', `/api/v1/quizzes/${enc(id)}`, { token, json });
export const delQuiz = (base, token, id) => call(base, 'DELETE', `/api/v1/quizzes/${enc(id)}`, { token });
export const previewQuiz = (base, token, id) => call(base, 'GET', `/api/v1/quizzes/${enc(id)}/preview`, { token, timeoutMs: 30000 });
export const addQuestion = (base, token, quizId, json) => call(base, 'POST', `/api/v1/quizzes/${enc(quizId)}/questions`, { token, json });
export const putQuestion = (base, token, id, json) => call(base, 'PUT', `/api/v1/questions/${enc(id)}`, { token, json });
export const delQuestion = (base, token, id) => call(base, 'DELETE', `/api/v1/questions/${enc(id)}`, { token });
export const listQuestions = (base, token, quizId, query = '') => call(base, 'GET', `/api/v1/quizzes/${enc(quizId)}/questions${query}`, { token });

// POST …/questions/import with a CSV body (a string or Buffer, sent as is).
export function importCsv(base, token, quizId, body, type = 'text/csv') {
  return call(base, 'POST', `/api/v1/quizzes/${enc(quizId)}/questions/import`, { token, body, headers: { 'content-type': type }, timeoutMs: 30000 });
}

// Must-succeed versions; each resolves to the created object.
export async function newQuiz(base, token, moduleId, json) {
  return expectStatus(await addQuiz(base, token, moduleId, json), 201, `quiz ${json.title}`).quiz;
}

export async function newQuestion(base, token, quizId, json) {
  return expectStatus(await addQuestion(base, token, quizId, json), 201, `question ${json.type}`).question;
}

// A single-choice question whose right option is `right` among `options`.
export function single(stem, options, right, extra = {}) {
  return { type: 'single', stem_md: stem, options: options.map((t) => ({ text_md: t, correct: t === right })), ...extra };
}

// ------------------------------------------------------------- a class ----

// A programme with one module: `lessons` lessons, then the quizzes given as
// [{quiz: body, questions: [body]}] in order; published; a cohort of
// `seats` public seats (and the members of `cohort`, e.g. its dates), its
// instructor, `participants` confirmed learners. Resolves to {slug, module,
// lessons, quizzes: [{…quiz, questions}], cohort, instructor, people}.
export async function quizClass(server, admin, { quizzes = [], lessons = 1, participants = 2, seats = 20, rules, names, cohort: cohortOver = {} } = {}) {
  const base = server.url;
  const prog = await programme(base, admin, { publish: false });
  const module = await newModule(base, admin.token, prog.slug, 'Modul kuis');
  const madeLessons = [];
  for (let i = 0; i < lessons; i++) madeLessons.push(await newLesson(base, admin.token, module.id, { title: `Materi ${i + 1}` }));
  const made = [];
  for (const q of quizzes) {
    const quiz = await newQuiz(base, admin.token, module.id, q.quiz);
    quiz.questions = [];
    for (const body of q.questions ?? []) quiz.questions.push(await newQuestion(base, admin.token, quiz.id, body));
    made.push(quiz);
  }
  await published(base, admin.token, prog.slug);
  const over = { name: 'Angkatan Kuis', ...cohortOver };
  if (rules) over.certificate_rules = rules;
  const cohort = await cohortOf(base, admin, prog.slug, publicSeats(seats, over));
  const instructor = await newInstructor(server);
  expectStatus(await addInstructor(base, admin.token, cohort.id, instructor.id), 201, 'instructor');
  const people = [];
  for (let i = 0; i < participants; i++) people.push(await learner(base, cohort.id, { full_name: names?.[i] ?? `Peserta Kuis ${i + 1}` }));
  return { slug: prog.slug, programme: prog, module, lessons: madeLessons, quizzes: made, cohort, instructor, people };
}

// A cohort on its last day: quizzes are still taken, and certificates are
// issued from a cohort's last day on (issue 12, 409 cohort_not_finished
// before).
export const LAST_DAY = { starts_on: dateIn(-30), ends_on: dateIn(0) };

// ----------------------------------------------------------------- taking ----

export const cohortQuiz = (base, token, cohortId, quizId) => call(base, 'GET', `/api/v1/cohorts/${enc(cohortId)}/quizzes/${enc(quizId)}`, { token });
export const startAttempt = (base, token, cohortId, quizId) => call(base, 'POST', `/api/v1/cohorts/${enc(cohortId)}/quizzes/${enc(quizId)}/attempts`, { token, timeoutMs: 30000 });
export const getAttempt = (base, token, id) => call(base, 'GET', `/api/v1/attempts/${enc(id)}`, { token });
export const saveAnswer = (base, token, attemptId, questionId, json) => call(base, 'PUT', `/api/v1/attempts/${enc(attemptId)}/answers/${enc(questionId)}`, { token, json });
export const closeAttempt = (base, token, id) => call(base, 'POST', `/api/v1/attempts/${enc(id)}/close`, { token });

// Must-succeed start (201 new or 200 resumed); resolves to the attempt.
export async function started(base, token, cohortId, quizId) {
  const r = await startAttempt(base, token, cohortId, quizId);
  assert.ok(r.status === 201 || r.status === 200, `start: ${show(r)}`);
  return r.json.attempt;
}

export async function saved(base, token, attemptId, questionId, json) {
  return expectStatus(await saveAnswer(base, token, attemptId, questionId, json), 200, `save ${questionId}`);
}

export async function closed(base, token, attemptId) {
  return expectStatus(await closeAttempt(base, token, attemptId), 200, 'close').attempt;
}

// The answer body that is right (or, with right false, wrong) for a
// draft question as the author made it.
export function answerFor(q, right = true) {
  switch (q.type) {
    case 'single':
    case 'multiple': {
      const ids = q.options.filter((o) => o.correct === right).map((o) => o.id);
      return { option_ids: q.type === 'single' ? ids.slice(0, 1) : ids };
    }
    case 'true_false':
      return { option_ids: [String(right ? q.answer.value : !q.answer.value)] };
    case 'short_text':
      return { text: right ? q.answer.text : 'jawaban keliru' };
    case 'numeric':
      return { value: right ? q.answer.value : q.answer.value + 1000 };
    case 'likert':
      return { value: 4 };
    default:
      return { text: 'Jawaban bebas.' };
  }
}

// Answers every question of an attempt from the draft questions, right
// ones for the indexes in `rightIdx` (by draft order; all by default).
export async function answerAll(base, token, attempt, drafts, rightIdx) {
  for (const aq of attempt.questions) {
    const i = drafts.findIndex((d) => d.id === aq.id);
    assert.ok(i >= 0, `question ${aq.id} is one of the quiz's`);
    const right = rightIdx ? rightIdx.includes(i) : true;
    await saved(base, token, attempt.id, aq.id, answerFor(drafts[i], right));
  }
}

// ------------------------------------------------------------------ staff ----

export const putWindow = (base, token, cohortId, quizId, json) => call(base, 'PUT', `/api/v1/cohorts/${enc(cohortId)}/quizzes/${enc(quizId)}/window`, { token, json });
export const cohortQuizzes = (base, token, cohortId) => call(base, 'GET', `/api/v1/cohorts/${enc(cohortId)}/quizzes`, { token });
export const quizReport = (base, token, cohortId, query = '') => call(base, 'GET', `/api/v1/cohorts/${enc(cohortId)}/quiz-report${query}`, { token, timeoutMs: 30000 });
export const surveyResults = (base, token, cohortId, quizId, query = '') => call(base, 'GET', `/api/v1/cohorts/${enc(cohortId)}/quizzes/${enc(quizId)}/results${query}`, { token });
export const quizAttempts = (base, token, cohortId, quizId) => call(base, 'GET', `/api/v1/cohorts/${enc(cohortId)}/quizzes/${enc(quizId)}/attempts`, { token });

// Moves an attempt's clock back by `seconds` (its start and deadline), as
// if it had been started that long ago: the deadline fixed at the start
// then lies in the past when seconds exceed the time left.
export async function ageAttempt(server, attemptId, seconds) {
  await sql(server, `update quiz_attempts set started_at = started_at - interval '${Number(seconds)} seconds',
                       deadline_at = deadline_at - interval '${Number(seconds)} seconds' where id = ${lit(attemptId)}`);
}

// --------------------------------------------------------------- recorder ----

// Wraps a participant's calls so that every response body they receive is
// kept: rec.call(method, path, opts) and rec.bodies.
export function recorder(base, person) {
  const bodies = [];
  return {
    bodies,
    async call(method, path, opts = {}) {
      const r = await call(base, method, path, { token: person.token, ...opts });
      bodies.push({ method, path, status: r.status, text: r.text });
      return r;
    },
  };
}

// Every key of every object in a JSON value.
export function jsonKeys(v, out = new Set()) {
  if (Array.isArray(v)) for (const x of v) jsonKeys(x, out);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      out.add(k);
      jsonKeys(x, out);
    }
  }
  return out;
}
