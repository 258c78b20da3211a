// staff_gradebook.js — /staff/cohorts/:id/gradebook: confirmed participants
// × the assignments of the cohort's version, with lesson progress and
// attendance; per assignment whether its grades are released (and a button
// to release them). The CSV is the server's (?format=csv: ';' separated,
// decimal commas, cells starting with = + - @ neutralised).
import { api, paths } from '../api.js';
import { loadArea, t, tn, fmtNumber } from '../i18n.js';
import { h, toast, busy, segmentName, confirmDialog } from '../ui.js';
import { pageHead, errorBox, replace } from '../staff_ui.js';
import { quizCell } from '../quiz_staff.js';

const enc = encodeURIComponent;

function cellText(c) {
  if (c.status === 'missing') return t('staff.gradebook.missing');
  if (c.status === 'submitted') return c.late ? t('staff.gradebook.ungraded_late') : t('staff.gradebook.ungraded');
  return `${fmtNumber(c.score)} · ${c.passed ? t('staff.gradebook.passed') : t('staff.gradebook.failed')}`;
}

export default async function render(view, ctx) {
  await Promise.all([loadArea('staff'), loadArea('quiz')]);
  const id = ctx.params.id;
  const [cohort, book, assignments] = await Promise.all([
    api('GET', paths.cohort(id)),
    api('GET', paths.cohortGradebook(id)),
    api('GET', paths.cohortAssignments(id)),
  ]);
  const err = errorBox();
  const released = new Map(assignments.items.map((a) => [a.id, a.grades_released]));

  const releaseCell = (a) => {
    if (released.get(a.id)) return h('span', { class: 'badge' }, t('staff.gradebook.released'));
    const b = h('button', { type: 'button', class: 'secondary small', 'aria-label': t('staff.gradebook.release_of', { title: a.title }) }, t('staff.grading.release'));
    b.addEventListener('click', async () => {
      if (!(await confirmDialog(t('staff.grading.confirm_release_one', { title: a.title }), { confirmLabel: t('staff.grading.release'), danger: false }))) return;
      err.update(null);
      try {
        const r = await busy(b, api('POST', paths.cohortGradesRelease(id), { assignment_id: a.id }));
        released.set(a.id, true);
        b.replaceWith(h('span', { class: 'badge' }, t('staff.gradebook.released')));
        toast(tn('staff.grading.released', r.released));
      } catch (ex) {
        err.update(ex);
      }
    });
    return b;
  };

  const head = h('tr', {},
    h('th', { scope: 'col' }, t('staff.common.name')),
    h('th', { scope: 'col' }, t('staff.registrations.segment')),
    h('th', { scope: 'col' }, t('staff.gradebook.progress')),
    h('th', { scope: 'col' }, t('staff.sessions.attended')),
    ...book.assignments.map((a) => h('th', { scope: 'col' }, a.title)),
    ...(book.quizzes || []).map((q) => h('th', { scope: 'col' }, q.title)));
  const assignmentList = h('ul', { class: 'staff-list gradebook-assignments', 'data-testid': 'gradebook-assignments' },
    ...book.assignments.map((a) => h('li', {},
      h('span', { class: 'staff-name' }, a.title), ' ',
      h('span', { class: 'meta' }, t('staff.gradebook.pass_of', { pass: fmtNumber(a.pass_score), max: fmtNumber(a.max_score) })), ' ',
      releaseCell(a))));
  const rows = book.rows.map((r) => h('tr', {},
    h('th', { scope: 'row', class: 'wide' }, r.user.full_name),
    h('td', { 'data-label': t('staff.registrations.segment') }, segmentName(r.segment)),
    h('td', { 'data-label': t('staff.gradebook.progress') }, `${fmtNumber(r.progress_percent)}%`),
    h('td', { 'data-label': t('staff.sessions.attended') }, `${fmtNumber(r.attended)} / ${fmtNumber(book.sessions)}`),
    ...r.assignments.map((c, i) => h('td', { 'data-label': book.assignments[i] ? book.assignments[i].title : '', class: `grade-${c.status}` }, cellText(c))),
    ...(r.quizzes || []).map((c, i) => h('td', { 'data-label': book.quizzes[i].title, class: `quiz-${c.status}` }, quizCell(c)))));

  replace(view, 
    pageHead(t('staff.gradebook.title'), { back: `/staff/cohorts/${enc(id)}/grading`, backLabel: t('staff.grading.title'), sub: `${cohort.programme_title || cohort.programme_slug} — ${cohort.name}` }),
    h('p', { class: 'staff-actions' },
      h('a', { class: 'button secondary', href: paths.cohortGradebook(id, { format: 'csv' }), download: 'nilai.csv', 'data-testid': 'gradebook-csv' }, t('staff.gradebook.csv'))),
    err,
    book.assignments.length ? h('section', { class: 'card', 'aria-labelledby': 'asg-h' }, h('h2', { id: 'asg-h' }, t('staff.gradebook.assignments')), assignmentList) : null,
    book.rows.length
      ? h('div', { class: 'staff-table-wrap' },
        h('table', { class: 'staff-table staff-table-cards gradebook', 'data-testid': 'gradebook' },
          h('caption', { class: 'visually-hidden' }, t('staff.gradebook.title')),
          h('thead', {}, head), h('tbody', {}, ...rows)))
      : h('p', { class: 'empty' }, t('staff.gradebook.none')));
}
