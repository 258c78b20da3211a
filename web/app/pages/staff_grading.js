// staff_grading.js — /staff/cohorts/:id/grading: the grading queue of a
// cohort (the latest ungraded version of each participant's work, oldest
// first). One submission at a time: the work on one side, the rubric (or a
// score) with Markdown feedback on the other. j / n go to the next
// submission, k / p to the previous one (outside text fields). What was
// typed for a submission is kept while moving around, and a failed save
// shows the error and keeps it. Grades stay hidden from participants
// until released (here, per assignment or all at once). "Already graded"
// lists the latest graded work to grade again (the history is kept; a
// released grade changes for the participant at once).
import { api, paths } from '../api.js';
import { loadArea, t, tn, fmtDateTime, fmtNumber } from '../i18n.js';
import { h, field, showErrors, clearErrors, toast, busy, confirmDialog, rememberQuery } from '../ui.js';
import { pageHead, errorBox, replace } from '../staff_ui.js';

const enc = encodeURIComponent;

function fmtBytes(n) {
  if (n >= 1048576) return `${fmtNumber(Math.round(n / 104857.6) / 10)} MB`;
  if (n >= 1024) return `${fmtNumber(Math.round(n / 1024))} KB`;
  return `${fmtNumber(n)} B`;
}

// The participant's work: text, link, file.
function workView(s) {
  const parts = [];
  if (s.text) parts.push(h('section', { 'aria-labelledby': 'work-text-h' }, h('h3', { id: 'work-text-h' }, t('staff.grading.text')), h('div', { class: 'grading-text', 'data-testid': 'work-text' }, s.text)));
  if (s.url) {
    parts.push(h('section', { 'aria-labelledby': 'work-url-h' }, h('h3', { id: 'work-url-h' }, t('staff.grading.link')),
      h('p', {}, h('a', { href: s.url, target: '_blank', rel: 'noopener noreferrer nofollow', class: 'grading-url' }, s.url))));
  }
  if (s.file) {
    parts.push(h('section', { 'aria-labelledby': 'work-file-h' }, h('h3', { id: 'work-file-h' }, t('staff.grading.file')),
      h('p', {}, h('a', { href: s.file.url, download: s.file.original_name || s.file.name }, s.file.original_name || s.file.name),
        ` · ${s.file.content_type} · ${fmtBytes(s.file.size)}`)));
  }
  if (!parts.length) parts.push(h('p', { class: 'empty' }, t('staff.grading.no_work')));
  return parts;
}

// ---- draw ----

// What is typed for a submission ({score, choices[], feedback}, kept in
// `drafts` by submission id); a graded one starts from its grade.
function draftOf(drafts, s) {
  if (!drafts.has(s.id)) {
    const g = s.grade;
    drafts.set(s.id, g
      ? { score: String(g.score), choices: Array.isArray(g.rubric) ? g.rubric.slice() : [], feedback: g.feedback_md || '' }
      : { score: '', choices: [], feedback: '' });
  }
  return drafts.get(s.id);
}

function rubricFieldset(s, d, onChange) {
  return h('fieldset', { class: 'grading-rubric', 'data-testid': 'rubric' },
    h('legend', {}, t('staff.grading.rubric')),
    ...s.rubric.map((c, ci) => h('fieldset', { class: 'grading-criterion' },
      h('legend', {}, c.title),
      ...c.levels.map((l, li) => {
        const input = h('input', { type: 'radio', name: `crit-${ci}`, id: `crit-${ci}-${li}`, value: String(li) });
        input.checked = d.choices[ci] === li;
        input.addEventListener('change', () => {
          d.choices[ci] = li;
          onChange();
        });
        return h('div', { class: 'field-check' }, input,
          h('label', { for: input.id }, `${l.title} (${tn('staff.grading.points', l.points)})`));
      }))));
}

// The grading form of submission s over its draft d (typing updates d);
// onSubmit(form, save) when sent.
function gradeForm(s, d, onSubmit) {
  const total = h('p', { class: 'grading-total', 'data-testid': 'rubric-total', role: 'status' });
  const showTotal = () => {
    if (!s.rubric) return;
    const done = s.rubric.every((c, ci) => Number.isInteger(d.choices[ci]));
    const sum = s.rubric.reduce((acc, c, ci) => acc + (Number.isInteger(d.choices[ci]) ? Number(c.levels[d.choices[ci]].points) : 0), 0);
    total.textContent = t(done ? 'staff.grading.total' : 'staff.grading.total_partial', { n: fmtNumber(sum), max: fmtNumber(s.max_score) });
  };
  const save = h('button', { type: 'submit' }, t(s.grade ? 'staff.grading.save_again' : 'staff.grading.save'));
  const form = h('form', { class: 'staff-form', novalidate: true, 'aria-labelledby': 'grade-h' },
    h('h2', { id: 'grade-h' }, t(s.grade ? 'staff.grading.regrade_h' : 'staff.grading.grade_h')),
    s.grade ? h('p', { class: 'meta', 'data-testid': 'current-grade' }, t('staff.grading.current', { score: fmtNumber(s.grade.score), max: fmtNumber(s.max_score), when: fmtDateTime(s.grade.graded_at) })) : null,
    s.rubric
      ? [rubricFieldset(s, d, showTotal), total]
      : field({ label: t('staff.grading.score', { max: fmtNumber(s.max_score) }), name: 'score', type: 'number', inputmode: 'decimal', value: d.score }),
    field({ label: t('staff.grading.feedback'), name: 'feedback_md', rows: 6, hint: t('staff.grading.feedback_hint'), value: d.feedback }),
    save);
  showTotal();
  const scoreInput = form.elements.score;
  if (scoreInput) {
    scoreInput.min = '0';
    scoreInput.max = String(s.max_score);
    scoreInput.step = '0.01';
    scoreInput.addEventListener('input', () => { d.score = scoreInput.value; });
  }
  form.elements.feedback_md.addEventListener('input', () => { d.feedback = form.elements.feedback_md.value; });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    onSubmit(form, save);
  });
  return form;
}

// The page's controls and places, the filters from the address.
function gradingControls(query, assignments) {
  const stateSel = h('select', { id: 'grading-state', name: 'state' },
    h('option', { value: 'ungraded' }, t('staff.grading.state_ungraded')),
    h('option', { value: 'graded' }, t('staff.grading.state_graded')));
  stateSel.value = query.get('state') === 'graded' ? 'graded' : 'ungraded';
  const filter = h('select', { id: 'grading-assignment', name: 'assignment' },
    h('option', { value: '' }, t('staff.grading.all_assignments')),
    ...assignments.items.map((a) => h('option', { value: a.id }, a.title)));
  filter.value = query.get('assignment') || '';
  return {
    stateSel,
    filter,
    position: h('p', { class: 'meta', role: 'status', 'data-testid': 'queue-position' }),
    workEl: h('div', { class: 'grading-work card', 'data-testid': 'work' }),
    formEl: h('div', { class: 'grading-form card' }),
    prev: h('button', { type: 'button', class: 'secondary small', 'aria-keyshortcuts': 'k p' }, `← ${t('staff.grading.prev')}`),
    next: h('button', { type: 'button', class: 'secondary small', 'aria-keyshortcuts': 'j n' }, `${t('staff.grading.next')} →`),
    release: h('button', { type: 'button', class: 'secondary' }, t('staff.grading.release')),
    releaseNote: h('p', { class: 'staff-success', role: 'status', 'data-testid': 'release-result' }),
  };
}

function gradingLayout(view, cohort, c, err) {
  replace(view,
    pageHead(t('staff.grading.title'), { back: '/staff', backLabel: t('staff.home.title'), sub: `${cohort.programme_title || cohort.programme_slug} — ${cohort.name}` }),
    h('p', { class: 'staff-links' }, h('a', { href: `/staff/cohorts/${enc(cohort.id)}/gradebook` }, t('staff.nav.gradebook'))),
    h('div', { class: 'staff-filters grading-bar' },
      h('div', { class: 'field' }, h('label', { for: c.stateSel.id }, t('staff.grading.state')), c.stateSel),
      h('div', { class: 'field' }, h('label', { for: c.filter.id }, t('staff.grading.assignment')), c.filter),
      h('div', { class: 'staff-actions' }, c.release)),
    c.releaseNote, err, h('div', { class: 'staff-note grading-help' }, t('staff.grading.keys')),
    h('div', { class: 'staff-actions grading-nav' }, c.prev, c.position, c.next),
    h('div', { class: 'grading-grid' }, c.workEl, c.formEl));
}

// Moves the focus to el's heading (after moving in the queue).
function focusHeading(el) {
  const hd = el.querySelector('h2');
  if (hd) {
    hd.tabIndex = -1;
    hd.focus();
  }
}

// ---- act ----

// Grades s from its draft d; resolves to the answer and the score sent, or
// null after showing why not (the choices, score and feedback stay).
async function saveGrade(s, d, form, save) {
  clearErrors(form);
  const body = { feedback_md: d.feedback };
  if (s.rubric) {
    if (!s.rubric.every((c, ci) => Number.isInteger(d.choices[ci]))) {
      showErrors(form, { code: 'rubric_required' });
      return null;
    }
    body.rubric = s.rubric.map((c, ci) => d.choices[ci]);
  } else {
    if (d.score.trim() === '' || Number.isNaN(Number(d.score))) {
      showErrors(form, { code: 'score_required' });
      return null;
    }
    body.score = Number(d.score);
  }
  try {
    return { graded: await busy(save, api('PUT', paths.submissionGrade(s.id), body)), score: body.score };
  } catch (ex) {
    showErrors(form, ex);
    return null;
  }
}

// Releasing grades: assignment a, or all of them; resolves to the note.
async function releaseGrades(id, a, button, err) {
  const question = a ? t('staff.grading.confirm_release_one', { title: a.title }) : t('staff.grading.confirm_release_all');
  if (!(await confirmDialog(question, { confirmLabel: t('staff.grading.release'), danger: false }))) return null;
  err.update(null);
  try {
    const r = await busy(button, api('POST', paths.cohortGradesRelease(id), a ? { assignment_id: a.id } : {}));
    return tn('staff.grading.released', r.released);
  } catch (ex) {
    err.update(ex);
    return null;
  }
}

// j/n next, k/p previous — not while typing; go(delta) moves. Returns the
// keydown listener.
function keyNav(go) {
  return (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    const tag = e.target && e.target.tagName;
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || (e.target && e.target.isContentEditable)) return;
    if (document.querySelector('dialog[open]')) return;
    if (e.key === 'j' || e.key === 'n') {
      e.preventDefault();
      go(1);
    } else if (e.key === 'k' || e.key === 'p') {
      e.preventDefault();
      go(-1);
    }
  };
}

// ---- the page: the queue loaded by the filters, one submission at a time ----
export default async function render(view, ctx) {
  await loadArea('staff');
  const id = ctx.params.id;
  const [cohort, assignments] = await Promise.all([
    api('GET', paths.cohort(id)),
    api('GET', paths.cohortAssignments(id)),
  ]);
  const err = errorBox();
  let queue = [];
  let index = 0;
  const drafts = new Map();

  const c = gradingControls(ctx.query, assignments);
  const { stateSel, filter, position, workEl, formEl, prev, next, release, releaseNote } = c;
  const regrading = () => stateSel.value === 'graded';

  const focusWork = () => focusHeading(workEl);
  // After a grade: a regraded submission stays (with its new grade), a
  // graded one leaves the queue.
  const graded = (s, answer) => {
    drafts.delete(s.id);
    toast(t('staff.grading.saved', { name: s.user.full_name, score: fmtNumber(answer.graded.grade ? answer.graded.grade.score : answer.score ?? 0) }));
    if (regrading()) {
      queue[index] = { ...s, grade: answer.graded.grade };
    } else {
      queue.splice(index, 1);
      if (index >= queue.length) index = Math.max(0, queue.length - 1);
    }
    drawCurrent();
    focusWork();
  };
  function drawCurrent() {
    const s = queue[index];
    prev.disabled = index <= 0;
    next.disabled = index >= queue.length - 1;
    if (!s) {
      position.textContent = t(regrading() ? 'staff.grading.none_graded' : 'staff.grading.empty');
      workEl.replaceChildren(h('p', { class: 'empty' }, t(regrading() ? 'staff.grading.none_graded' : 'staff.grading.done')));
      formEl.replaceChildren();
      return;
    }
    position.textContent = t(regrading() ? 'staff.grading.position_graded' : 'staff.grading.position', { n: index + 1, total: queue.length });
    workEl.replaceChildren(
      h('h2', { id: 'work-h' }, s.user.full_name),
      h('p', { class: 'meta' }, s.assignment_title, ' · ', t('staff.grading.version', { n: s.version }), ' · ',
        fmtDateTime(s.submitted_at), s.late ? ' · ' : '', s.late ? h('span', { class: 'badge waitlisted' }, t('staff.grading.late')) : null),
      ...workView(s));
    const d = draftOf(drafts, s);
    formEl.replaceChildren(gradeForm(s, d, async (form, save) => {
      const answer = await saveGrade(s, d, form, save);
      if (answer) graded(s, answer);
    }));
  }

  const go = (delta) => {
    const to = index + delta;
    if (to < 0 || to >= queue.length) return;
    index = to;
    drawCurrent();
    focusWork();
  };
  prev.addEventListener('click', () => go(-1));
  next.addEventListener('click', () => go(1));

  const load = async () => {
    const q = new URLSearchParams({ limit: '200', state: stateSel.value });
    if (filter.value) q.set('assignment_id', filter.value);
    const r = await api('GET', paths.cohortGradingQueue(id, q));
    queue = r.items;
    index = 0;
    drawCurrent();
  };
  const refilter = async () => {
    rememberQuery({ assignment: filter.value, state: regrading() ? 'graded' : '' });
    err.update(null);
    drafts.clear();
    try {
      await load();
    } catch (ex) {
      err.update(ex);
    }
  };
  filter.addEventListener('change', refilter);
  stateSel.addEventListener('change', refilter);

  release.addEventListener('click', async () => {
    const note = await releaseGrades(id, assignments.items.find((x) => x.id === filter.value), release, err);
    if (note) releaseNote.textContent = note;
  });
  const onKey = keyNav(go);
  document.addEventListener('keydown', onKey);

  await load();
  gradingLayout(view, cohort, c, err);
  return () => document.removeEventListener('keydown', onKey);
}
