// staff_assignment.js — /staff/programmes/:slug/assignments/new?module=… and
// /staff/programmes/:slug/assignments/:assignmentId: one draft assignment's
// editor. Title, Markdown instructions with the same live preview as
// lessons, what may be handed in (text, a link, a file), the maximum and
// pass score, whether it is required, how many graded attempts it allows,
// and an optional rubric: criteria, each with levels worth points (the
// maximum is then the sum of each criterion's best level, as the server
// requires). The due date and late cut-off belong to each cohort
// (staff_cohort.js). A refused save keeps everything typed.
import { api, paths } from '../api.js';
import { t, fmtNumber } from '../i18n.js';
import { h, field, showErrors, clearErrors, toast, busy } from '../ui.js';
import { snapshotGuard, labelled, checkbox, editorPage, loadDraftItem } from '../staff_ui.js';

const enc = encodeURIComponent;
const TYPES = ['text', 'url', 'file'];

function findAssignment(draft, id) {
  for (const m of draft.modules) for (const a of m.assignments || []) if (a.id === id) return { module: m, assignment: a };
  return null;
}

// The rubric editor: criteria with levels. read() gives the rubric as the
// API takes it (null when there are no criteria); onChange after each edit.
function rubricEditor(initial, onChange) {
  let criteria = (initial || []).map((c) => ({ title: c.title, levels: c.levels.map((l) => ({ title: l.title, points: String(l.points) })) }));
  const list = h('ol', { class: 'staff-rubric' });
  const add = h('button', { type: 'button', class: 'secondary small' }, t('staff.assignment.add_criterion'));
  const changed = () => onChange();
  const text = (value, label, oninput, attrs = {}) => {
    const input = h('input', { type: 'text', value, 'aria-label': label, autocomplete: 'off', ...attrs });
    input.addEventListener('input', () => {
      oninput(input.value);
      changed();
    });
    return input;
  };
  function draw(focus) {
    list.replaceChildren(...criteria.map((c, ci) => {
      const levels = h('ul', { class: 'staff-rubric-levels' }, ...c.levels.map((l, li) => {
        const remove = h('button', { type: 'button', class: 'danger small', 'aria-label': t('staff.assignment.remove_level', { n: li + 1, criterion: ci + 1 }), disabled: c.levels.length <= 1 }, '×');
        remove.addEventListener('click', () => {
          c.levels.splice(li, 1);
          draw();
          changed();
        });
        return h('li', { class: 'staff-rubric-level' },
          text(l.title, t('staff.assignment.level_title', { n: li + 1, criterion: ci + 1 }), (v) => { l.title = v; }, { placeholder: t('staff.assignment.level_placeholder') }),
          text(l.points, t('staff.assignment.level_points', { n: li + 1, criterion: ci + 1 }), (v) => { l.points = v; }, { inputmode: 'decimal', class: 'staff-points' }),
          remove);
      }));
      const addLevel = h('button', { type: 'button', class: 'secondary small' }, t('staff.assignment.add_level'));
      addLevel.addEventListener('click', () => {
        c.levels.push({ title: '', points: '' });
        draw([ci, c.levels.length - 1]);
        changed();
      });
      const removeCriterion = h('button', { type: 'button', class: 'danger small', 'aria-label': t('staff.assignment.remove_criterion_n', { n: ci + 1 }) }, t('staff.assignment.remove_criterion'));
      removeCriterion.addEventListener('click', () => {
        criteria.splice(ci, 1);
        draw();
        changed();
        add.focus();
      });
      return h('li', { class: 'staff-rubric-criterion', dataset: { criterion: String(ci) } },
        text(c.title, t('staff.assignment.criterion_title', { n: ci + 1 }), (v) => { c.title = v; }, { placeholder: t('staff.assignment.criterion_placeholder') }),
        levels, h('p', { class: 'staff-actions' }, addLevel, removeCriterion));
    }));
    if (focus) list.querySelectorAll('.staff-rubric-criterion')[focus[0]]?.querySelectorAll('.staff-rubric-level input')[focus[1] * 2]?.focus();
  }
  add.addEventListener('click', () => {
    criteria.push({ title: '', levels: [{ title: '', points: '0' }, { title: '', points: '' }] });
    draw();
    list.lastElementChild?.querySelector('input')?.focus();
    changed();
  });
  draw();
  const read = () => (criteria.length
    ? criteria.map((c) => ({ title: c.title.trim(), levels: c.levels.map((l) => ({ title: l.title.trim(), points: l.points.trim() === '' ? Number.NaN : Number(l.points.replace(',', '.')) })) }))
    : null);
  const el = h('fieldset', { class: 'staff-rubric-box field', dataset: { field: 'rubric' }, 'aria-describedby': 'rubric-hint' },
    h('legend', {}, t('staff.assignment.rubric')),
    h('p', { class: 'hint', id: 'rubric-hint' }, t('staff.assignment.rubric_hint')),
    h('p', { class: 'field-error', hidden: true }),
    list, h('p', {}, add));
  return { el, read };
}

// The most a rubric gives: the best level of each criterion, summed.
function rubricMax(rubric) {
  return rubric.reduce((sum, c) => sum + Math.max(...c.levels.map((l) => (Number.isFinite(l.points) ? l.points : 0))), 0);
}

const NEW_ASSIGNMENT = { title: '', instructions_md: '', submission_types: ['text', 'url'], max_score: 100, pass_score: 70, required: true, rubric: null, max_attempts: null };

// ---- draw ----

// The editor's form for assignment a; returns {form, save, body()} where
// body() reads what it holds now as the API's body.
function assignmentForm(a, creating) {
  const save = h('button', { type: 'submit' }, creating ? t('staff.assignment.create') : t('common.save'));
  const maxNote = h('p', { class: 'hint', 'data-testid': 'rubric-max', role: 'status' });
  let v = null;
  // With a rubric the maximum is its best levels summed (shown, not typed).
  const syncMax = () => {
    const r = rubric.read();
    v.max_score.readOnly = !!r;
    if (r) {
      const max = rubricMax(r);
      v.max_score.value = String(max);
      maxNote.textContent = t('staff.assignment.max_from_rubric', { n: fmtNumber(max) });
    } else {
      maxNote.textContent = '';
    }
  };
  const rubric = rubricEditor(a.rubric, () => syncMax());
  const types = h('fieldset', { class: 'field staff-types', dataset: { field: 'types' } },
    h('legend', {}, t('staff.assignment.types')),
    h('p', { class: 'field-error', hidden: true }), // first: showErrors fills the first slot
    ...TYPES.map((ty) => checkbox(t(`staff.assignment.type_${ty}`), { name: `type_${ty}` }, (a.submission_types || []).includes(ty))));
  const num = (name, value, attrs = {}) => h('input', { type: 'number', name, inputmode: 'decimal', value: value == null ? '' : String(value), ...attrs });
  const form = h('form', { class: 'staff-form staff-lesson-form', novalidate: true },
    field({ label: t('staff.assignment.f_title'), name: 'title', required: true, autocomplete: 'off', value: a.title, maxlength: 200 }),
    field({ label: t('staff.assignment.f_instructions'), name: 'instructions_md', rows: 10, hint: t('staff.lesson.f_body_hint'), value: a.instructions_md }),
    types,
    labelled(t('staff.assignment.f_max'), num('max_score', a.max_score, { min: '0.01', max: '10000', step: 'any' })),
    maxNote,
    labelled(t('staff.assignment.f_pass'), num('pass_score', a.pass_score, { min: '0', max: '10000', step: 'any' })),
    labelled(t('staff.assignment.f_attempts'), num('max_attempts', a.max_attempts, { min: '1', max: '100', step: '1', inputmode: 'numeric' }), { hint: t('staff.assignment.f_attempts_hint') }),
    checkbox(t('staff.assignment.f_required'), { name: 'required' }, a.required !== false),
    rubric.el,
    h('p', { class: 'hint' }, t('staff.assignment.schedule_note')),
    h('div', { class: 'staff-actions' }, save));
  v = form.elements;
  v.instructions_md.classList.add('staff-md');
  syncMax();
  const body = () => ({
    title: v.title.value.trim(),
    instructions_md: v.instructions_md.value,
    submission_types: TYPES.filter((ty) => v[`type_${ty}`].checked),
    max_score: Number(v.max_score.value.replace(',', '.')),
    pass_score: Number(v.pass_score.value.replace(',', '.')),
    required: v.required.checked,
    rubric: rubric.read(),
    max_attempts: v.max_attempts.value.trim() === '' ? null : Number(v.max_attempts.value),
  });
  return { form, save, body };
}

// ---- act ----

// Problems the form can name before sending (the server judges the rest).
function problems(b) {
  if (!b.title) return { code: 'invalid_title', field: 'title' };
  if (!b.submission_types.length) return { code: 'invalid_submission_types', field: 'types' };
  if (b.rubric && b.rubric.some((c) => !c.title || c.levels.some((l) => !l.title || !Number.isFinite(l.points) || l.points < 0))) return { code: 'staff_rubric_incomplete', field: 'rubric' };
  if (!Number.isFinite(b.max_score) || b.max_score <= 0) return { code: 'invalid_max_score', field: 'max_score' };
  if (!Number.isFinite(b.pass_score) || b.pass_score < 0 || b.pass_score > b.max_score) return { code: 'invalid_pass_score', field: 'pass_score' };
  if (b.max_attempts !== null && !(Number.isInteger(b.max_attempts) && b.max_attempts >= 1 && b.max_attempts <= 100)) return { code: 'invalid_max_attempts', field: 'max_attempts' };
  return null;
}

// Creates (in module mod) or updates assignment a; resolves to the answer,
// or null after showing why not on the form.
async function saveAssignment(ed, mod, a, creating) {
  clearErrors(ed.form);
  const b = ed.body();
  const bad = problems(b);
  if (bad) {
    showErrors(ed.form, bad);
    return null;
  }
  try {
    return creating
      ? await busy(ed.save, api('POST', paths.moduleAssignments(mod.id), b))
      : await busy(ed.save, api('PUT', paths.assignment(a.id), b));
  } catch (ex) {
    showErrors(ed.form, ex);
    return null;
  }
}

// ---- the page: load the draft's assignment, draw the editor ----
export default async function render(view, ctx) {
  const item = await loadDraftItem(view, ctx, ctx.params.assignmentId || null, findAssignment, 'staff.assignment.missing');
  if (!item) return undefined;
  const { slug, found, mod, back, creating } = item;
  const a = found ? found.assignment : NEW_ASSIGNMENT;
  const ed = assignmentForm(a, creating);
  const guard = snapshotGuard(() => ed.body());

  ed.form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const r = await saveAssignment(ed, mod, a, creating);
    if (!r) return;
    guard.markSaved();
    toast(creating ? t('staff.assignment.created') : t('common.saved'));
    if (creating) ctx.navigate(`/staff/programmes/${enc(slug)}/assignments/${enc(r.id)}`, { replace: true });
  });

  return editorPage(view, ctx, {
    title: creating ? t('staff.assignment.new_title') : t('staff.assignment.edit_title'),
    head: { back, backLabel: t('staff.nav.content'), sub: t('staff.lesson.in_module', { title: mod.title }) },
    formTitle: t('staff.assignment.edit_title'),
    form: ed.form,
    source: ed.form.elements.instructions_md,
    preview: h('div', { class: 'staff-preview lesson-body', 'data-testid': 'preview' }),
    guard,
    del: creating ? null : {
      label: t('staff.content.delete_assignment', { title: a.title }),
      question: t('staff.content.confirm_delete_assignment', { title: a.title }),
      path: paths.assignment(a.id),
      deleted: t('staff.content.assignment_deleted'),
    },
  });
}
