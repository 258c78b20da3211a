// quiz_staff.js — the quiz pieces other staff pages show (their words in
// the `quiz` dictionary area, which those pages load): a module's quizzes
// in the content editor with a form to add one (POST
// /api/v1/modules/{id}/quizzes), the certificate rules the quizzes add
// (post-test at least X %, survey answered) and their "missing" lines, and
// a gradebook cell.
import { api, paths } from './api.js';
import { t, tn, fmtNumber } from './i18n.js';
import { h, field, showErrors, clearErrors, busy, toast } from './ui.js';
import { checkbox, labelled } from './staff_ui.js';

const enc = encodeURIComponent;

// A draft module's quizzes, each linked to its editor, and a small form
// adding one of a kind (the editor opens for it).
export function moduleQuizzes(mod, navigate) {
  const quizzes = mod.quizzes || [];
  const add = h('button', { type: 'submit', class: 'secondary small' }, t('quiz.staff.add_quiz'));
  const form = h(
    'form',
    { class: 'staff-inline-form quiz-add', novalidate: true, 'aria-label': t('quiz.staff.add_quiz_to', { title: mod.title }) },
    field({ label: t('quiz.staff.f_title'), name: 'title', autocomplete: 'off' }),
    field({ label: t('quiz.staff.f_kind'), name: 'kind', options: ['pretest', 'posttest', 'check', 'survey'].map((k) => ({ value: k, label: t(`quiz.kind.${k}`) })) }),
    add,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    try {
      const r = await busy(add, api('POST', paths.moduleQuizzes(mod.id), { title: form.elements.title.value, kind: form.elements.kind.value }));
      toast(t('quiz.staff.quiz_added'));
      navigate(`/staff/quizzes/${enc(r.quiz.id)}`);
    } catch (ex) {
      showErrors(form, ex, { invalid_title: 'title', invalid_kind: 'kind' });
    }
  });
  return h(
    'div',
    { class: 'quiz-module' },
    h('h3', { class: 'staff-sub-h' }, t('quiz.staff.quizzes')),
    quizzes.length
      ? h('ul', { class: 'staff-list quiz-module-list' }, quizzes.map((q) => h('li', { dataset: { quiz: q.id } }, h('a', { href: `/staff/quizzes/${enc(q.id)}` }, q.title), h('span', { class: 'meta' }, ` · ${t(`quiz.kind.${q.kind}`)} · ${tn('quiz.questions_n', q.question_count)}`))))
      : h('p', { class: 'meta' }, t('quiz.staff.no_quizzes')),
    form,
  );
}

// The rules' controls for the certificate rules form.
export function quizRuleFields(rules) {
  const min = h('input', { type: 'number', name: 'min_posttest_percent', min: '0', max: '100', inputmode: 'numeric', value: rules.min_posttest_percent ?? '' });
  return [
    labelled(t('quiz.rules.f_min_posttest'), min, { hint: t('quiz.rules.f_min_posttest_hint') }),
    checkbox(t('quiz.rules.f_require_survey'), { name: 'require_survey' }, !!rules.require_survey),
  ];
}

// Their members of the rules body (min_posttest_percent null when empty).
export function quizRuleBody(form) {
  const v = form.elements;
  const min = v.min_posttest_percent.value.trim();
  return { min_posttest_percent: min === '' ? null : Number(min), require_survey: v.require_survey.checked };
}

// A line of what a participant still lacks, for the quiz rules; null for
// other codes.
export function quizMissingText(m) {
  switch (m.code) {
    case 'posttest_missing':
      return t('quiz.rules.miss_posttest', { title: m.title, need: fmtNumber(m.need) });
    case 'posttest_score':
      return t('quiz.rules.miss_posttest_score', { title: m.title, have: fmtNumber(m.have), need: fmtNumber(m.need) });
    case 'survey':
      return t('quiz.rules.miss_survey', { title: m.title });
    default:
      return null;
  }
}

// A gradebook cell of a quiz column.
export function quizCell(c) {
  if (c.status === 'answered') return t('quiz.cell.answered');
  if (c.percent !== null && c.percent !== undefined) return `${fmtNumber(c.percent)}%${c.passed === true ? ` · ${t('quiz.passed')}` : c.passed === false ? ` · ${t('quiz.not_passed')}` : ''}`;
  return t(`quiz.cell.${c.status}`);
}
