// staff_survey.js — /staff/cohorts/:id/quizzes/:quizId/results: a survey's
// results for the cohort's staff (GET …/results): how many answered, each
// Likert item's distribution as bars with its mean, each choice's counts,
// and the free texts (an anonymous survey's without names, in the order of
// their words); the CSV is the server's (?format=csv).
import { api, paths } from '../api.js';
import { loadArea, t, tn, fmtNumber } from '../i18n.js';
import { h, progressBar } from '../ui.js';
import { pageHead, replace } from '../staff_ui.js';

const enc = encodeURIComponent;

function bars(rows, total) {
  return h(
    'ul',
    { class: 'quiz-bars' },
    rows.map(([label, n]) => h('li', null, h('span', { class: 'quiz-bar-label' }, label), progressBar(total ? (100 * n) / total : 0, label), h('span', { class: 'quiz-bar-n' }, fmtNumber(n)))),
  );
}

function question(q, i) {
  const total = q.answers;
  let body;
  if (q.type === 'likert') {
    body = [
      h('p', { class: 'meta' }, t('quiz.survey.mean', { mean: q.mean === null ? '—' : fmtNumber(q.mean) })),
      bars(q.distribution.map((d) => [`${d.value} · ${t(`quiz.likert.${d.value}`)}`, d.count]), total),
    ];
  } else if (q.type === 'text') {
    body = q.texts.length ? h('ul', { class: 'quiz-texts' }, q.texts.map((x) => h('li', null, h('blockquote', null, x.text), x.user ? h('p', { class: 'meta' }, x.user.full_name) : null))) : h('p', { class: 'empty' }, t('quiz.survey.no_texts'));
  } else {
    body = bars(q.options.map((o) => [o.text, o.count]), total);
  }
  return h('li', { class: 'card', dataset: { question: q.id } }, h('h2', null, `${i + 1}. ${q.stem}`), h('p', { class: 'meta' }, t(`quiz.type.${q.type}`), ' · ', tn('quiz.survey.answers_n', total)), body);
}

export default async function render(view, ctx) {
  await Promise.all([loadArea('staff'), loadArea('quiz')]);
  const { id, quizId } = ctx.params;
  const r = await api('GET', paths.cohortQuizResults(id, quizId));
  replace(
    view,
    pageHead(t('quiz.survey.title', { title: r.title }), { back: `/staff/cohorts/${enc(id)}/quizzes`, backLabel: t('quiz.staff.cohort_title') }),
    h('p', { class: 'meta', 'data-testid': 'survey-respondents' }, tn('quiz.survey.respondents', r.respondents), r.anonymous ? ` · ${t('quiz.anonymous')}` : null),
    h('p', { class: 'staff-actions' }, h('a', { class: 'button secondary', href: paths.cohortQuizResults(id, quizId, { format: 'csv' }), download: 'hasil-survei.csv' }, t('quiz.survey.csv'))),
    h('ol', { class: 'staff-list quiz-survey', 'data-testid': 'survey-results' }, r.questions.map(question)),
  );
}
