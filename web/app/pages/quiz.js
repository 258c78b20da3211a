// quiz.js — `/cohorts/:id/quizzes/:quizId`: a quiz of the cohort for its
// participant before and between attempts (GET …/quizzes/{quiz_id}): what
// it is (kind, questions, time limit, attempts, pass mark), whether it is
// open, the attempts so far (the score only where the quiz lets it show),
// and the button that starts a new attempt or resumes the one in progress
// (POST …/attempts, which answers the open one when there is one) — the
// attempt itself is attempt.js.
import { api, paths } from '../api.js';
import { t, tn, fmtDateTime, fmtNumber, errorText } from '../i18n.js';
import { h, put, busy, toast } from '../ui.js';
import { safeHtml } from '../quiz_ui.js';

const enc = encodeURIComponent;

export function attemptHref(cohortId, attemptId) {
  return `/cohorts/${enc(cohortId)}/attempts/${enc(attemptId)}`;
}

function facts(q) {
  const items = [t(`quiz.kind.${q.kind}`), tn('quiz.questions_n', q.question_count)];
  items.push(q.time_limit_s ? tn('quiz.time_limit', Math.round(q.time_limit_s / 60)) : t('quiz.no_time_limit'));
  if (q.kind !== 'survey') items.push(q.max_attempts ? tn('quiz.attempts_max', q.max_attempts) : t('quiz.attempts_unlimited'));
  if (q.pass_score !== null && q.pass_score !== undefined) items.push(t('quiz.pass_mark', { n: fmtNumber(q.pass_score) }));
  if (q.anonymous) items.push(t('quiz.anonymous'));
  return h('ul', { class: 'quiz-facts' }, items.map((x) => h('li', null, x)));
}

function windowLine(q) {
  const w = q.window || {};
  if (!w.open) return h('p', { class: 'notice', role: 'status' }, t(`quiz.closed.${w.reason || 'closed'}`, { date: fmtDateTime(w.opens_at) }));
  const bits = [];
  if (w.closes_at) bits.push(t('quiz.closes_at', { date: fmtDateTime(w.closes_at) }));
  if (w.close_at_first_lesson) bits.push(t('quiz.closes_first_lesson'));
  return bits.length ? h('p', { class: 'meta' }, bits.join(' · ')) : null;
}

function attemptRow(a, cohortId) {
  const result =
    a.percent !== undefined && a.percent !== null
      ? t('quiz.result_line', { percent: fmtNumber(a.percent) }) + (a.passed === true ? ` · ${t('quiz.passed')}` : a.passed === false ? ` · ${t('quiz.not_passed')}` : '')
      : a.status === 'open'
        ? t('quiz.in_progress')
        : t('quiz.sent');
  return h(
    'li',
    null,
    h('a', { href: attemptHref(cohortId, a.id) }, t('quiz.attempt_n', { n: a.number })),
    ' · ',
    h('span', { class: 'meta' }, fmtDateTime(a.closed_at || a.started_at)),
    ' · ',
    result,
    a.review_available ? h('span', { class: 'meta' }, ` · ${t('quiz.review_ready')}`) : null,
  );
}

export default async function render(view, { t: tt, params, navigate, signal }) {
  const { id, quizId } = params;
  const q = await api('GET', paths.cohortQuiz(id, quizId), null, { signal });
  document.title = `${q.title} · Sinau`;
  const description = q.description_html ? safeHtml(h('div', { class: 'lesson-body' }), q.description_html) : null;
  const canStart = q.window.open && (q.open_attempt_id || q.attempts_left === null || q.attempts_left > 0) && !(q.kind === 'survey' && q.answered);
  const start = h('button', { type: 'button', class: 'quiz-start' }, q.open_attempt_id ? tt('quiz.resume') : q.kind === 'survey' ? tt('quiz.start_survey') : tt('quiz.start'));
  start.addEventListener('click', async () => {
    try {
      const r = await busy(start, api('POST', paths.cohortQuizAttempts(id, quizId), {}));
      navigate(attemptHref(id, r.attempt.id));
    } catch (err) {
      // common's attempts_exhausted speaks of an assignment
      toast(err.code === 'attempts_exhausted' ? tt('quiz.attempts_used_up') : errorText(err), { kind: 'error' });
    }
  });
  const left = q.attempts_left !== null && q.attempts_left !== undefined && q.kind !== 'survey' ? h('p', { class: 'meta' }, tt('quiz.attempts_left', { n: fmtNumber(q.attempts_left) })) : null;
  put(
    view,
    h('p', { class: 'crumbs' }, h('a', { href: `/cohorts/${enc(id)}` }, tt('quiz.back_to_cohort'))),
    h('h1', null, q.title),
    facts(q),
    description,
    windowLine(q),
    q.kind === 'survey' && q.anonymous ? h('p', { class: 'notice' }, tt('quiz.anonymous_note')) : null,
    q.kind === 'survey' && q.answered ? h('p', { class: 'done-note', role: 'status' }, `✓ ${tt('quiz.survey_thanks')}`) : null,
    canStart ? h('p', null, start) : null,
    left,
    q.attempts.length ? [h('h2', null, tt('quiz.your_attempts')), h('ul', { class: 'quiz-attempts' }, q.attempts.map((a) => attemptRow(a, id)))] : null,
  );
}
