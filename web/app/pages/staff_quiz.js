// staff_quiz.js — /staff/quizzes/:id: a quiz of a programme's draft for its
// authors: its settings (PUT /api/v1/quizzes/{id}), its questions (POST
// …/questions, PUT and DELETE /api/v1/questions/{id}) edited in a form that
// follows the type (options with the right one(s) marked, a true/false key,
// a short answer, a number and its tolerance; Likert, choice and free-text
// items in a survey), the question bank as CSV (import all or nothing, the
// refused row named; export), and a preview as a participant will see it
// (GET …/preview: the Markdown rendered as publishing will, the key shown
// on request). Published with the programme's next version, like lessons.
import { api, paths } from '../api.js';
import { loadArea, t, tn, fmtNumber, errorText } from '../i18n.js';
import { h, field, showErrors, clearErrors, toast, busy, newId, confirmDialog } from '../ui.js';
import { pageHead, errorBox, fill, checkbox, labelled, replace } from '../staff_ui.js';
import { questionView, parseNumber } from '../quiz_ui.js';

const enc = encodeURIComponent;

const GRADED = ['single', 'multiple', 'true_false', 'short_text', 'numeric'];
const SURVEY = ['likert', 'single', 'multiple', 'text'];

// ---- settings ----

function settingsForm(quiz, onSaved) {
  const num = (name, value, attrs = {}) => h('input', { type: 'number', name, inputmode: 'numeric', value: value === null || value === undefined ? '' : String(value), ...attrs });
  const opt = (name, value, values) => field({ label: t(`quiz.staff.f_${name}`), name, value, options: values.map((v) => ({ value: v, label: t(`quiz.staff.${name}.${v}`) })) });
  const survey = quiz.kind === 'survey';
  const save = h('button', { type: 'submit' }, t('common.save'));
  const form = h(
    'form',
    { class: 'staff-form card', novalidate: true, 'aria-labelledby': 'quiz-settings-h' },
    h('h2', { id: 'quiz-settings-h' }, t('quiz.staff.settings')),
    field({ label: t('quiz.staff.f_title'), name: 'title', value: quiz.title, required: true, autocomplete: 'off' }),
    h('p', { class: 'meta' }, t('quiz.staff.kind_is', { kind: t(`quiz.kind.${quiz.kind}`) })),
    labelled(t('quiz.staff.f_time_limit'), num('time_limit_min', quiz.time_limit_s ? Math.round(quiz.time_limit_s / 60) : '', { min: '1', max: '1440' }), { hint: t('quiz.staff.f_time_limit_hint') }),
    survey ? null : labelled(t('quiz.staff.f_max_attempts'), num('max_attempts', quiz.max_attempts, { min: '1', max: '100' }), { hint: t('quiz.staff.f_max_attempts_hint') }),
    survey ? null : labelled(t('quiz.staff.f_pass_score'), num('pass_score', quiz.pass_score, { min: '0', max: '100' }), { hint: t('quiz.staff.f_pass_score_hint') }),
    opt('layout', quiz.layout, ['one', 'all']),
    survey ? null : opt('review', quiz.review, ['after_attempt', 'after_close', 'score_only', 'none']),
    survey ? null : opt('grading', quiz.grading, ['best', 'first', 'last']),
    checkbox(t('quiz.staff.f_shuffle'), { name: 'shuffle' }, quiz.shuffle),
    survey ? checkbox(t('quiz.staff.f_anonymous'), { name: 'anonymous' }, quiz.anonymous) : null,
    field({ label: t('quiz.staff.f_description'), name: 'description_md', value: quiz.description_md, rows: 3, hint: t('quiz.staff.markdown_hint') }),
    save,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const v = form.elements;
    const body = { title: v.title.value, layout: v.layout.value, shuffle: v.shuffle.checked, description_md: v.description_md.value };
    const mins = v.time_limit_min.value.trim();
    body.time_limit_s = mins === '' ? null : Math.round(Number(mins) * 60);
    if (!survey) {
      body.max_attempts = v.max_attempts.value.trim() === '' ? null : Number(v.max_attempts.value);
      body.pass_score = v.pass_score.value.trim() === '' ? null : Number(v.pass_score.value);
      body.review = v.review.value;
      body.grading = v.grading.value;
    } else body.anonymous = v.anonymous.checked;
    try {
      const r = await busy(save, api('PUT', paths.quiz(quiz.id), body));
      toast(t('common.saved'));
      onSaved(r.quiz);
    } catch (ex) {
      // a quiz's pass mark is a percentage (staff's invalid_pass_score speaks of an assignment's maximum)
      const err = ex.code === 'invalid_pass_score' ? { code: 'quiz_pass_score', field: 'pass_score' } : ex;
      showErrors(form, err, { invalid_time_limit: 'time_limit_min', invalid_max_attempts: 'max_attempts', invalid_description_md: 'description_md' });
    }
  });
  return form;
}

// ---- a question's form ----

// The rows of a choice question's options: text, right or not, remove.
function optionRows(type, survey, options) {
  const box = h('div', { class: 'quiz-option-editor', role: 'group', 'aria-label': t('quiz.staff.options') });
  const group = newId('right');
  const add = (o = { text_md: '', correct: false }) => {
    const text = h('input', { type: 'text', name: 'option_text', value: o.text_md, 'aria-label': t('quiz.staff.option_n', { n: box.querySelectorAll('.quiz-option-row').length + 1 }) });
    text.dataset.id = o.id || '';
    const right = survey ? null : h('input', { type: type === 'single' ? 'radio' : 'checkbox', name: group, checked: !!o.correct, 'aria-label': t('quiz.staff.option_right') });
    const del = h('button', { type: 'button', class: 'secondary small', 'aria-label': t('quiz.staff.remove_option') }, '×');
    const row = h('div', { class: 'quiz-option-row' }, right ? h('label', { class: 'quiz-right' }, right, h('span', { 'aria-hidden': 'true' }, '✓')) : null, text, del);
    del.addEventListener('click', () => {
      row.remove();
      box.querySelectorAll('.quiz-option-row input[type=text]').forEach((x, i) => x.setAttribute('aria-label', t('quiz.staff.option_n', { n: i + 1 })));
    });
    box.insertBefore(row, addBtn);
    return text;
  };
  const addBtn = h('button', { type: 'button', class: 'secondary small' }, t('quiz.staff.add_option'));
  addBtn.addEventListener('click', () => add().focus());
  box.append(addBtn);
  for (const o of options.length ? options : [{ text_md: '' }, { text_md: '' }]) add(o);
  box.read = () =>
    [...box.querySelectorAll('.quiz-option-row')].map((row) => {
      const text = row.querySelector('input[type=text]');
      const right = row.querySelector('.quiz-right input');
      const o = { text_md: text.value };
      if (text.dataset.id) o.id = text.dataset.id;
      if (right) o.correct = right.checked;
      return o;
    });
  return h('div', { class: 'field', dataset: { field: 'options' } }, h('p', { class: 'quiz-label' }, t(survey ? 'quiz.staff.options' : 'quiz.staff.options_right')), box, h('p', { class: 'field-error', hidden: true }));
}

// The body of a question form by type (rebuilt when the type changes).
function typeFields(type, survey, q) {
  const a = q.answer || {};
  switch (type) {
    case 'single':
    case 'multiple':
      return [
        optionRows(type, survey, q.type === type ? q.options : []),
        type === 'multiple' && !survey
          ? field({ label: t('quiz.staff.f_scoring'), name: 'scoring', value: q.scoring, options: ['all_or_nothing', 'partial'].map((v) => ({ value: v, label: t(`quiz.staff.scoring.${v}`) })) })
          : null,
      ];
    case 'true_false':
      return field({ label: t('quiz.staff.f_key'), name: 'key_tf', value: a.value === false ? 'false' : 'true', options: [{ value: 'true', label: t('quiz.true') }, { value: 'false', label: t('quiz.false') }] });
    case 'short_text':
      return field({ label: t('quiz.staff.f_key'), name: 'key_text', value: a.text || '', hint: t('quiz.staff.key_text_hint'), autocomplete: 'off' });
    case 'numeric':
      return [
        field({ label: t('quiz.staff.f_key'), name: 'key_value', value: a.value !== undefined ? String(a.value).replace('.', ',') : '', inputmode: 'decimal', autocomplete: 'off' }),
        field({ label: t('quiz.staff.f_tolerance'), name: 'key_tolerance', value: a.tolerance ? String(a.tolerance).replace('.', ',') : '', inputmode: 'decimal', hint: t('quiz.staff.tolerance_hint'), autocomplete: 'off' }),
      ];
    default:
      return h('p', { class: 'meta' }, t(type === 'likert' ? 'quiz.staff.likert_note' : 'quiz.staff.text_note'));
  }
}

function questionBody(form, type, survey) {
  const v = form.elements;
  const body = { type, stem_md: v.stem_md.value };
  const opts = form.querySelector('.quiz-option-editor');
  if (opts) body.options = opts.read();
  if (type === 'true_false') body.answer = { value: v.key_tf.value === 'true' };
  if (type === 'short_text') body.answer = { text: v.key_text.value };
  if (type === 'numeric') {
    const value = parseNumber(v.key_value.value);
    const tol = parseNumber(v.key_tolerance.value);
    if (value === null || Number.isNaN(value)) return { error: { code: 'invalid_key', field: 'key_value' } };
    if (Number.isNaN(tol)) return { error: { code: 'invalid_key', field: 'key_tolerance' } };
    body.answer = { value, tolerance: tol ?? 0 };
  }
  if (v.scoring) body.scoring = v.scoring.value;
  if (!survey) {
    const pts = parseNumber(v.points.value);
    if (pts === null || Number.isNaN(pts)) return { error: { code: 'invalid_points', field: 'points' } };
    body.points = pts;
    body.explanation_md = v.explanation_md.value;
  }
  body.tags = v.tags.value.split(',').map((x) => x.trim()).filter(Boolean);
  return { body };
}

// A form for a new question (q null) or an existing one.
function questionForm(quiz, q, onDone, onCancel) {
  const survey = quiz.kind === 'survey';
  const types = survey ? SURVEY : GRADED;
  const base = q || { type: types[0], options: [], points: 1, tags: [], scoring: 'all_or_nothing', explanation_md: '', stem_md: '' };
  const typeSel = field({ label: t('quiz.staff.f_type'), name: 'type', value: base.type, options: types.map((x) => ({ value: x, label: t(`quiz.type.${x}`) })) });
  const byType = h('div', { class: 'quiz-type-fields' });
  const save = h('button', { type: 'submit' }, q ? t('common.save') : t('quiz.staff.add_question'));
  const cancel = h('button', { type: 'button', class: 'secondary' }, t('common.cancel'));
  const form = h(
    'form',
    { class: 'staff-form quiz-question-form', novalidate: true },
    typeSel,
    field({ label: t('quiz.staff.f_stem'), name: 'stem_md', value: base.stem_md, rows: 3, required: true, hint: t('quiz.staff.markdown_hint') }),
    byType,
    survey ? null : field({ label: t('quiz.staff.f_points'), name: 'points', value: String(base.points).replace('.', ','), inputmode: 'decimal', autocomplete: 'off' }),
    survey ? null : field({ label: t('quiz.staff.f_explanation'), name: 'explanation_md', value: base.explanation_md, rows: 2, hint: t('quiz.staff.explanation_hint') }),
    field({ label: t('quiz.staff.f_tags'), name: 'tags', value: (base.tags || []).join(', '), hint: t('quiz.staff.tags_hint'), autocomplete: 'off' }),
    h('div', { class: 'staff-actions' }, q || onCancel ? cancel : null, save),
  );
  const drawType = () => byType.replaceChildren(...[].concat(typeFields(form.elements.type.value, survey, base)).filter(Boolean));
  form.elements.type.addEventListener('change', drawType);
  drawType();
  cancel.addEventListener('click', () => onCancel && onCancel());
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const type = form.elements.type.value;
    const { body, error } = questionBody(form, type, survey);
    if (error) return showErrors(form, error);
    try {
      const r = await busy(save, q ? api('PUT', paths.question(q.id), body) : api('POST', paths.quizQuestions(quiz.id), body));
      toast(q ? t('common.saved') : t('quiz.staff.question_added'));
      onDone(r.question);
    } catch (ex) {
      showErrors(form, ex, { invalid_stem_md: 'stem_md', invalid_options: 'options', invalid_key: type === 'numeric' ? 'key_value' : type === 'short_text' ? 'key_text' : 'options', invalid_points: 'points', invalid_explanation_md: 'explanation_md', invalid_tags: 'tags', question_type_not_allowed: 'type' });
    }
  });
  return form;
}

// ---- the page ----

function keyLine(q) {
  const a = q.answer || {};
  if (q.type === 'single' || q.type === 'multiple') {
    const letters = q.options.map((o, i) => (o.correct ? String.fromCharCode(65 + i) : null)).filter(Boolean);
    return letters.length ? t('quiz.staff.key_is', { key: letters.join(', ') }) : null;
  }
  if (q.type === 'true_false') return t('quiz.staff.key_is', { key: t(a.value ? 'quiz.true' : 'quiz.false') });
  if (q.type === 'short_text') return t('quiz.staff.key_is', { key: a.text });
  if (q.type === 'numeric') return t('quiz.staff.key_is', { key: a.tolerance ? `${fmtNumber(a.value)} ± ${fmtNumber(a.tolerance)}` : fmtNumber(a.value) });
  return null;
}

// ---- act ----

// Deletes question q (number i + 1) after a confirmation; resolves to
// whether it is gone.
async function deleteQuestion(q, i, button, err) {
  if (!(await confirmDialog(t('quiz.staff.confirm_delete_question', { n: i + 1 })))) return false;
  err.update(null);
  try {
    await busy(button, api('DELETE', paths.question(q.id)));
    toast(t('quiz.staff.question_deleted'));
    return true;
  } catch (ex) {
    err.update(ex);
    return false;
  }
}

// Imports the chosen CSV into the bank; a refused row is named on the field.
async function importCsv(id, form, file, button, note, onImported) {
  clearErrors(form);
  note.textContent = '';
  if (!file.files.length) return showErrors(form, { code: 'staff_required', field: 'csv' });
  try {
    const r = await busy(button, api('POST', paths.quizQuestionsImport(id), file.files[0], { raw: true, headers: { 'Content-Type': 'text/csv' } }));
    note.textContent = tn('quiz.staff.imported', r.imported);
    file.value = '';
    await onImported();
  } catch (ex) {
    const row = ex.details && ex.details.row;
    const slot = form.querySelector('.field .field-error');
    slot.textContent = row ? t('quiz.staff.import_row', { row, why: errorText(ex) }) : errorText(ex);
    slot.hidden = false;
    file.setAttribute('aria-invalid', 'true');
    file.focus();
  }
  return undefined;
}

// ---- draw ----

// One question of the list, shown or being edited in place.
function questionItem(state, q, i, err, reload, list) {
  const quiz = state.quiz;
  const li = h('li', { class: 'quiz-question-item', dataset: { question: q.id } });
  const edit = h('button', { type: 'button', class: 'secondary small', 'aria-label': t('quiz.staff.edit_n', { n: i + 1 }) }, t('quiz.staff.edit'));
  const del = h('button', { type: 'button', class: 'danger small', 'aria-label': t('quiz.staff.delete_n', { n: i + 1 }) }, t('staff.common.delete'));
  const show = () =>
    replace(
      li,
      h('p', { class: 'quiz-qhead' }, h('strong', null, t('quiz.question_n', { n: i + 1, total: quiz.questions.length })), ' · ', t(`quiz.type.${q.type}`), quiz.kind === 'survey' ? null : ` · ${tn('quiz.points_n', q.points)}`, q.tags.length ? h('span', { class: 'meta' }, ` · ${q.tags.join(', ')}`) : null),
      h('p', { class: 'quiz-stem-md' }, q.stem_md),
      q.options.length ? h('ol', { class: 'quiz-option-list', type: 'A' }, q.options.map((o) => h('li', { class: o.correct ? 'right' : null }, o.text_md, o.correct ? h('span', { class: 'visually-hidden' }, ` (${t('quiz.review.right_option')})`) : null))) : null,
      keyLine(q) ? h('p', { class: 'meta' }, keyLine(q)) : null,
      h('div', { class: 'staff-actions' }, edit, del),
    );
  edit.addEventListener('click', () => {
    li.replaceChildren(questionForm(quiz, q, async () => { await reload(); list.querySelector(`[data-question="${q.id}"] button`)?.focus(); }, () => { show(); edit.focus(); }));
    li.querySelector('textarea, input')?.focus();
  });
  del.addEventListener('click', async () => {
    if (await deleteQuestion(q, i, del, err)) await reload();
  });
  show();
  return li;
}

// The bank: the CSV export and the import form.
function bankSection(id, onImported) {
  const file = h('input', { type: 'file', name: 'csv', accept: '.csv,text/csv' });
  const button = h('button', { type: 'submit', class: 'secondary' }, t('quiz.staff.import'));
  const note = h('p', { class: 'staff-success', role: 'status', 'data-testid': 'import-result' });
  const form = h('form', { class: 'staff-form', novalidate: true }, labelled(t('quiz.staff.f_csv'), file, { hint: t('quiz.staff.csv_hint') }), button, note);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    importCsv(id, form, file, button, note, onImported);
  });
  return h('section', { class: 'card', 'aria-labelledby': 'quiz-bank-h' },
    h('h2', { id: 'quiz-bank-h' }, t('quiz.staff.bank')),
    h('p', null, h('a', { class: 'button secondary', href: paths.quizQuestions(id, { format: 'csv' }), download: 'bank-soal.csv', 'data-testid': 'bank-csv' }, t('quiz.staff.export'))),
    form);
}

// The quiz as a participant sees it (GET …/preview), the key on request.
function drawPreview(preview, pv) {
  const showKey = checkbox(t('quiz.staff.show_key'), { name: 'show_key' }, false);
  const body = h('div', { class: 'quiz-questions' });
  const draw = () => {
    const withKey = showKey.querySelector('input').checked;
    body.replaceChildren(...pv.questions.map((q, i) => questionView(withKey ? { ...q, options: q.options.map((o) => ({ ...o, correct: q.review.key.option_ids ? q.review.key.option_ids.includes(o.id) : undefined })), review: { key: q.review.key, explanation_html: q.review.explanation_html } } : { ...q, review: undefined }, { number: i + 1, total: pv.questions.length, onChange() {}, idPrefix: 'pv' }).el));
  };
  showKey.querySelector('input').addEventListener('change', draw);
  draw();
  preview.replaceChildren(h('h2', { id: 'quiz-preview-h', tabindex: '-1' }, t('quiz.staff.preview_title')), h('p', { class: 'staff-note' }, t('quiz.staff.preview_note')), showKey, body);
  preview.hidden = false;
  preview.querySelector('h2').focus();
}

// ---- the page: the quiz loaded (again after each change), its questions,
// a new one, settings, the bank and the preview ----
export default async function render(view, ctx) {
  await Promise.all([loadArea('staff'), loadArea('quiz')]);
  const id = ctx.params.id;
  const data = await api('GET', paths.quiz(id));
  const state = { quiz: data.quiz };
  const err = errorBox();
  const list = h('ol', { class: 'staff-list quiz-question-list', 'data-testid': 'questions' });
  const count = h('p', { class: 'meta', 'data-testid': 'question-count' });
  const adding = h('section', { class: 'card', 'aria-labelledby': 'quiz-add-h' });
  const preview = h('section', { class: 'card quiz-preview', 'aria-labelledby': 'quiz-preview-h', hidden: true });

  const drawQuestions = () => {
    fill(list, state.quiz.questions, (q, i) => questionItem(state, q, i, err, reload, list), t('quiz.staff.no_questions'));
    count.textContent = tn('quiz.questions_n', state.quiz.questions.length);
  };
  const reload = async () => {
    state.quiz = (await api('GET', paths.quiz(id))).quiz;
    drawQuestions();
  };
  const drawAdding = () =>
    adding.replaceChildren(
      h('h2', { id: 'quiz-add-h' }, t('quiz.staff.new_question')),
      questionForm(state.quiz, null, async () => {
        await reload();
        drawAdding();
        adding.querySelector('select')?.focus();
      }),
    );
  const previewBtn = h('button', { type: 'button', class: 'secondary' }, t('quiz.staff.preview'));
  previewBtn.addEventListener('click', async () => {
    err.update(null);
    try {
      drawPreview(preview, await busy(previewBtn, api('GET', paths.quizPreview(id))));
    } catch (ex) {
      err.update(ex);
    }
  });

  drawQuestions();
  drawAdding();
  const quiz = state.quiz;
  replace(
    view,
    pageHead(t('quiz.staff.editor_title', { title: quiz.title }), { back: `/staff/programmes/${enc(data.programme.slug)}/content`, backLabel: data.programme.title, sub: `${data.module.title} · ${t(`quiz.kind.${quiz.kind}`)}` }),
    h('p', { class: 'staff-note' }, t('quiz.staff.intro')),
    err,
    h('div', { class: 'staff-grid' },
      h('div', null, h('section', { 'aria-labelledby': 'quiz-q-h' }, h('h2', { id: 'quiz-q-h' }, t('quiz.staff.questions')), count, list), adding, preview),
      h('div', null,
        settingsForm(quiz, reload),
        bankSection(id, reload),
        h('section', { class: 'card' }, h('p', { class: 'staff-note' }, t('quiz.staff.preview_intro')), previewBtn))),
  );
}
