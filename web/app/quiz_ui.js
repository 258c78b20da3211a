// quiz_ui.js — a quiz question on screen, shared by the participant's
// attempt page (attempt.js) and the authors' preview (staff_quiz.js): the
// stem and options (HTML the server rendered from Markdown in safe mode,
// put in through a template so nothing active survives), the control of
// each type with its label, and — when a review comes with the question —
// what was right and the explanation. Keyboard and screen readers: each
// question is a fieldset named by its stem; choices are native radios and
// checkboxes; a text answer is a labelled input.
import { t, tn, fmtNumber } from './i18n.js';
import { h, newId, setSafeHtml } from './ui.js';

// Server-rendered HTML (stem_html, text_html, explanation_html) into el,
// its outside links opened without the referrer.
export function safeHtml(el, html) {
  setSafeHtml(el, html);
  for (const a of el.querySelectorAll('a[href^="http"]')) a.rel = 'noopener noreferrer';
  return el;
}

// A number as people type it here: a decimal comma or point; null when
// empty, NaN when not a number.
export function parseNumber(s) {
  const v = String(s ?? '').trim().replace(/\s/g, '');
  if (v === '') return null;
  if (!/^[+-]?(\d+([.,]\d*)?|[.,]\d+)$/.test(v)) return NaN;
  return Number(v.replace(',', '.'));
}

function likertLabel(v) {
  return t(`quiz.likert.${v}`);
}

// The controls of one question. onChange(response) gets the answer body
// ({option_ids}, {text} or {value}) whenever the reader changes it; text
// inputs report on each input (the caller debounces).
function controls(q, { response, disabled, onChange, idPrefix }) {
  const name = `${idPrefix}-${q.id}`;
  const chosen = new Set((response && response.option_ids) || []);
  if (q.type === 'single' || q.type === 'multiple' || q.type === 'true_false') {
    const multi = q.type === 'multiple';
    const box = h('div', { class: 'quiz-options' });
    for (const o of q.options) {
      const id = newId('opt');
      const input = h('input', { type: multi ? 'checkbox' : 'radio', name, id, value: o.id, checked: chosen.has(o.id), disabled });
      input.addEventListener('change', () => {
        const ids = [...box.querySelectorAll('input:checked')].map((x) => x.value);
        onChange({ option_ids: ids });
      });
      const label = h('label', { for: id, class: 'quiz-option-text' });
      if (q.type === 'true_false') label.textContent = t(o.id === 'true' ? 'quiz.true' : 'quiz.false');
      else safeHtml(label, o.text_html);
      const row = h('div', { class: 'quiz-option', dataset: { option: o.id } }, input, label);
      if (o.correct !== undefined) {
        row.classList.add(o.correct ? 'right' : 'not-right');
        if (o.correct) label.append(h('span', { class: 'quiz-key-mark' }, ` ✓ ${t('quiz.review.right_option')}`));
      }
      box.append(row);
    }
    if (multi) box.prepend(h('p', { class: 'hint' }, t('quiz.choose_all')));
    return box;
  }
  if (q.type === 'likert') {
    const box = h('div', { class: 'quiz-options quiz-likert' });
    for (let v = 1; v <= 5; v++) {
      const id = newId('lk');
      const input = h('input', { type: 'radio', name, id, value: String(v), checked: response && response.value === v, disabled });
      input.addEventListener('change', () => onChange({ value: v }));
      box.append(h('div', { class: 'quiz-option' }, input, h('label', { for: id }, h('span', { class: 'quiz-likert-n' }, String(v)), ' ', likertLabel(v))));
    }
    return box;
  }
  const id = newId('ans');
  const value = response ? (q.type === 'numeric' ? (response.value ?? '') : (response.text ?? '')) : '';
  const input =
    q.type === 'text'
      ? h('textarea', { id, name, rows: '4', maxlength: '5000', disabled }, String(value))
      : h('input', { id, name, type: 'text', inputmode: q.type === 'numeric' ? 'decimal' : null, autocomplete: 'off', maxlength: '200', value: q.type === 'numeric' && value !== '' ? String(value).replace('.', ',') : String(value), disabled });
  const err = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  input.setAttribute('aria-describedby', `${id}-error`);
  input.addEventListener('input', () => {
    if (q.type !== 'numeric') {
      onChange({ text: input.value });
      return;
    }
    const n = parseNumber(input.value);
    const bad = Number.isNaN(n);
    err.textContent = bad ? t('quiz.not_a_number') : '';
    err.hidden = !bad;
    if (bad) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    if (!bad) onChange({ value: n });
  });
  return h('div', { class: 'field quiz-answer' }, h('label', { for: id }, t(q.type === 'numeric' ? 'quiz.your_number' : 'quiz.your_answer')), input, err);
}

// The review of a question: right or not, points, the key in words, the
// explanation.
function reviewBlock(q) {
  const r = q.review;
  if (!r) return null;
  const key = r.key || {};
  let keyText = null;
  if (q.type === 'short_text' && key.text) keyText = t('quiz.review.key_text', { text: key.text });
  if (q.type === 'numeric' && key.value !== undefined) {
    keyText = key.tolerance ? t('quiz.review.key_number_tol', { value: fmtNumber(key.value), tol: fmtNumber(key.tolerance) }) : t('quiz.review.key_number', { value: fmtNumber(key.value) });
  }
  const expl = r.explanation_html ? safeHtml(h('div', { class: 'quiz-explanation' }), r.explanation_html) : null;
  return h(
    'div',
    { class: `quiz-review ${r.correct === false ? 'wrong' : 'right'}` },
    r.points_awarded !== undefined
      ? h('p', { class: 'quiz-verdict' }, r.correct ? `✓ ${t('quiz.review.right')}` : `✗ ${t('quiz.review.wrong')}`, ' · ', t('quiz.review.points', { got: fmtNumber(r.points_awarded), of: fmtNumber(q.points) }))
      : null,
    keyText ? h('p', null, keyText) : null,
    expl ? h('div', null, h('p', { class: 'quiz-explanation-h' }, t('quiz.review.explanation')), expl) : null,
  );
}

// One question as a fieldset. opts: {number, total, response, disabled,
// onChange, idPrefix}. Returns {el, status(text)}: status writes the
// question's save state ("Tersimpan") into its own polite region.
export function questionView(q, opts) {
  const stemId = newId('stem');
  const stem = safeHtml(h('div', { class: 'quiz-stem', id: stemId }), q.stem_html);
  const note = h('p', { class: 'quiz-save-note meta', 'aria-live': 'polite' });
  const el = h(
    'fieldset',
    { class: 'quiz-question card', 'aria-labelledby': `${stemId}-n ${stemId}`, dataset: { question: q.id, type: q.type } },
    h(
      'p',
      { class: 'quiz-qhead', id: `${stemId}-n` },
      t('quiz.question_n', { n: opts.number, total: opts.total }),
      q.points !== undefined ? h('span', { class: 'meta' }, ` · ${tn('quiz.points_n', q.points)}`) : null,
    ),
    stem,
    controls(q, { ...opts, idPrefix: opts.idPrefix || 'q' }),
    note,
    reviewBlock(q),
  );
  return { el, status: (text) => (note.textContent = text || '') };
}

// Whether a response counts as an answer (for "answered n of m").
export function answered(response) {
  if (!response) return false;
  if (response.option_ids) return response.option_ids.length > 0;
  if ('text' in response) return String(response.text).trim() !== '';
  return response.value !== null && response.value !== undefined;
}
