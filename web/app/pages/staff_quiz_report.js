// staff_quiz_report.js — /staff/cohorts/:id/quiz-report: the cohort's
// learning gain for its staff (GET …/quiz-report): the summary (means and
// medians of the pre- and post-test, the mean gain, Hake's normalised gain
// ⟨g⟩, the share who passed), each participant's scores, and the item
// analysis of every graded quiz (difficulty, discrimination by the upper
// and lower 27 %, how often each option was chosen), with the questions
// worth a look marked; the CSV is the server's (?format=csv).
import { api, paths } from '../api.js';
import { loadArea, t, fmtNumber } from '../i18n.js';
import { h } from '../ui.js';
import { pageHead, replace, cardTable } from '../staff_ui.js';

const enc = encodeURIComponent;

const num = (v, digits = 2) => (v === null || v === undefined ? '—' : new Intl.NumberFormat(undefined, { maximumFractionDigits: digits }).format(v));
const pct = (v) => (v === null || v === undefined ? '—' : `${fmtNumber(v)}%`);

function summary(s) {
  const rows = [
    ['quiz.report.participants', fmtNumber(s.participants)],
    ['quiz.report.pre_mean', pct(s.pre_mean)],
    ['quiz.report.pre_median', pct(s.pre_median)],
    ['quiz.report.post_mean', pct(s.post_mean)],
    ['quiz.report.post_median', pct(s.post_median)],
    ['quiz.report.mean_gain', s.mean_gain === null ? '—' : `${fmtNumber(s.mean_gain)} ${t('quiz.report.points')}`],
    ['quiz.report.hake_g', num(s.hake_g, 3)],
    ['quiz.report.mean_g', num(s.mean_g, 3)],
    ['quiz.report.passed', s.passed_share === null ? '—' : `${fmtNumber(Math.round(s.passed_share * 1000) / 10)}% (${fmtNumber(s.passed)})`],
  ];
  return h('dl', { class: 'quiz-summary', 'data-testid': 'report-summary' }, rows.map(([k, v]) => h('div', { dataset: { key: k.split('.').pop() } }, h('dt', null, t(k)), h('dd', null, v))));
}

// Hake's bands: low < 0.3 ≤ medium < 0.7 ≤ high.
function band(g) {
  if (g === null || g === undefined) return '';
  return t(g >= 0.7 ? 'quiz.report.g_high' : g >= 0.3 ? 'quiz.report.g_medium' : 'quiz.report.g_low');
}

function participants(rows) {
  return cardTable({
    testid: 'report-participants',
    caption: t('quiz.report.per_participant'),
    cols: ['staff.common.name', 'quiz.report.pre', 'quiz.report.post', 'quiz.report.gain', 'quiz.report.g', 'quiz.report.passed_col'].map((key) => ({ key })),
    items: rows,
    row: (r) => ({
      cells: [r.user.full_name, pct(r.pre), pct(r.post), r.gain === null ? '—' : fmtNumber(r.gain), num(r.g, 3),
        r.passed === true ? t('quiz.passed') : r.passed === false ? t('quiz.not_passed') : '—'],
    }),
  });
}

// A question worth a look (once five or more answered it): hardly anyone
// or everyone right, or the weaker participants doing as well or better
// than the stronger.
function flag(it) {
  if (it.n < 5) return null; // too few answers to judge a question
  if (it.discrimination !== null && it.discrimination < 0.2) return t('quiz.report.flag_discrimination');
  if (it.difficulty < 0.2) return t('quiz.report.flag_hard');
  if (it.difficulty > 0.95) return t('quiz.report.flag_easy');
  return null;
}

function items(list, quizzes) {
  const title = new Map(quizzes.map((q) => [q.id, q.title]));
  const options = (it) => (it.options
    ? it.options.map((o, i) => `${String.fromCharCode(65 + i)}${o.correct ? ' ✓' : ''}: ${fmtNumber(o.chosen)}`)
    : (it.answers || []).map((a) => `${a.text}${a.correct ? ' ✓' : ''}: ${fmtNumber(a.count)}`)).join(' · ');
  return cardTable({
    kind: 'quiz-items',
    testid: 'report-items',
    caption: t('quiz.report.items'),
    cols: [{ key: 'quiz.report.question' }, { key: 'quiz.report.n' }, { key: 'quiz.report.difficulty' }, { key: 'quiz.report.discrimination' }, { key: 'quiz.report.options', wide: true }],
    items: list,
    row: (it) => {
      const f = flag(it);
      return {
        attrs: { class: f ? 'flagged' : null },
        cells: [[h('span', { class: 'meta' }, `${title.get(it.quiz_id) || ''} · ${it.ordinal}. `), it.stem, f ? h('span', { class: 'badge closed' }, ` ${f}`) : null],
          fmtNumber(it.n), num(it.difficulty, 2), num(it.discrimination, 2), options(it) || '—'],
      };
    },
  });
}

export default async function render(view, ctx) {
  await Promise.all([loadArea('staff'), loadArea('quiz')]);
  const id = ctx.params.id;
  const [cohort, r] = await Promise.all([api('GET', paths.cohort(id)), api('GET', paths.cohortQuizReport(id))]);
  const which = [r.pretest ? t('quiz.report.pre_is', { title: r.pretest.title }) : t('quiz.report.no_pre'), r.posttest ? t('quiz.report.post_is', { title: r.posttest.title }) : t('quiz.report.no_post')].join(' · ');
  replace(
    view,
    pageHead(t('quiz.report.title'), { back: `/staff/cohorts/${enc(id)}/quizzes`, backLabel: t('quiz.staff.cohort_title'), sub: `${cohort.programme_title || cohort.programme_slug || ''} — ${cohort.name}` }),
    h('p', { class: 'meta' }, which),
    h('p', { class: 'staff-actions' }, h('a', { class: 'button secondary', href: paths.cohortQuizReport(id, { format: 'csv' }), download: 'laporan-kuis.csv', 'data-testid': 'report-csv' }, t('quiz.report.csv'))),
    h('section', { class: 'card', 'aria-labelledby': 'gain-h' }, h('h2', { id: 'gain-h' }, t('quiz.report.gain_title')), summary(r.summary), h('p', { class: 'meta', 'data-testid': 'report-band' }, band(r.summary.hake_g)), h('p', { class: 'staff-note' }, t('quiz.report.g_note'))),
    h('h2', { class: 'staff-section-h' }, t('quiz.report.per_participant')),
    r.participants.length ? participants(r.participants) : h('p', { class: 'empty' }, t('quiz.report.none')),
    r.items.length ? [h('h2', { class: 'staff-section-h' }, t('quiz.report.items')), items(r.items, r.quizzes), h('p', { class: 'staff-note' }, t('quiz.report.items_note'))] : null,
  );
}
