// staff_quizzes.js — /staff/cohorts/:id/quizzes: the cohort's quizzes for
// its staff (GET …/quizzes): how many started and sent each, its opening
// window for this cohort (PUT …/quizzes/{quiz_id}/window: opens, closes,
// and for a pre-test "close at the first lesson"), and links to the
// pre/post report, each survey's results and the attempts.
import { api, paths } from '../api.js';
import { loadArea, t, fmtNumber, fmtDateTime, localInputValue, isoFromLocal } from '../i18n.js';
import { h, showErrors, clearErrors, toast, busy } from '../ui.js';
import { pageHead, errorBox, fill, checkbox, labelled, replace } from '../staff_ui.js';

const enc = encodeURIComponent;

function windowForm(cohortId, q, onSaved) {
  const w = q.window || {};
  const opens = h('input', { type: 'datetime-local', name: 'opens_at', value: localInputValue(w.opens_at) });
  const closes = h('input', { type: 'datetime-local', name: 'closes_at', value: localInputValue(w.closes_at) });
  const save = h('button', { type: 'submit', class: 'secondary small' }, t('common.save'));
  const form = h(
    'form',
    { class: 'staff-form quiz-window', novalidate: true, 'aria-label': t('quiz.staff.window_of', { title: q.title }) },
    labelled(t('quiz.staff.f_opens'), opens, { hint: t('quiz.staff.f_window_hint') }),
    labelled(t('quiz.staff.f_closes'), closes),
    q.kind === 'pretest' ? checkbox(t('quiz.staff.f_first_lesson'), { name: 'close_at_first_lesson' }, !!w.close_at_first_lesson) : null,
    save,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const body = { opens_at: isoFromLocal(opens.value), closes_at: isoFromLocal(closes.value) };
    if (form.elements.close_at_first_lesson) body.close_at_first_lesson = form.elements.close_at_first_lesson.checked;
    try {
      await busy(save, api('PUT', paths.cohortQuizWindow(cohortId, q.id), body));
      toast(t('common.saved'));
      onSaved();
    } catch (ex) {
      showErrors(form, ex, { invalid_window: 'closes_at', invalid_time: 'opens_at' });
    }
  });
  return form;
}

export default async function render(view, ctx) {
  await Promise.all([loadArea('staff'), loadArea('quiz')]);
  const id = ctx.params.id;
  const [cohort, initial] = await Promise.all([api('GET', paths.cohort(id)), api('GET', paths.cohortQuizzes(id))]);
  let data = initial;
  const err = errorBox();
  const list = h('ul', { class: 'staff-list', 'data-testid': 'cohort-quizzes' });
  const reload = async () => {
    data = await api('GET', paths.cohortQuizzes(id));
    draw();
  };
  const item = (q) => {
    const w = q.window || {};
    const when = [w.opens_at ? t('quiz.staff.opens', { date: fmtDateTime(w.opens_at) }) : null, w.closes_at ? t('quiz.staff.closes', { date: fmtDateTime(w.closes_at) }) : null].filter(Boolean).join(' · ');
    return h(
      'li',
      { class: 'card', dataset: { quiz: q.id } },
      h('h2', null, q.title),
      h('p', { class: 'meta' }, t(`quiz.kind.${q.kind}`), ' · ', t('quiz.staff.done_n', { done: fmtNumber(q.participants_done), started: fmtNumber(q.participants_started) }), q.in_progress ? ` · ${t('quiz.staff.in_progress_n', { n: fmtNumber(q.in_progress) })}` : null),
      h('p', { class: 'meta' }, when || t('quiz.staff.always_open')),
      h(
        'p',
        { class: 'staff-links' },
        q.kind === 'survey' ? h('a', { href: `/staff/cohorts/${enc(id)}/quizzes/${enc(q.id)}/results` }, t('quiz.staff.results')) : h('a', { href: `/staff/cohorts/${enc(id)}/quiz-report` }, t('quiz.staff.report')),
      ),
      h('details', null, h('summary', null, t('quiz.staff.window')), windowForm(id, q, reload)),
    );
  };
  const draw = () => fill(list, data.items, item, t('quiz.staff.no_cohort_quizzes'));
  draw();
  replace(
    view,
    pageHead(t('quiz.staff.cohort_title'), { back: '/staff', backLabel: t('staff.home.title'), sub: `${cohort.programme_title || cohort.programme_slug || ''} — ${cohort.name}` }),
    h('p', { class: 'staff-note' }, t('quiz.staff.cohort_intro')),
    h('p', { class: 'staff-actions' }, h('a', { class: 'button', href: `/staff/cohorts/${enc(id)}/quiz-report` }, t('quiz.staff.report'))),
    err,
    list,
  );
}
