// ui.js — small DOM helpers shared by every page.
//
// Text always goes in as text nodes: nothing here uses innerHTML, and h()
// refuses a `style` or `on…` string attribute (the CSP forbids them anyway).
// HTML from the API goes in only through setSafeHtml, and only the fields
// the server renders from Markdown in safe mode (and the lesson reader's
// `body_html`).

import { t, errorText } from './i18n.js';

let uid = 0;
// A page-unique id with a readable prefix.
export function newId(prefix = 'id') {
  uid += 1;
  return `${prefix}-${uid}`;
}

// h('a', {href: '/x', class: 'btn', onclick: fn}, 'text', child, [more]).
// attrs: `class`, `for`, `dataset` (object), `on<event>` (a function, added as
// a listener), booleans (true → empty attribute, false/null → absent), other
// values as strings. Children: strings/numbers (text nodes), nodes, arrays,
// null/false (skipped).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2).toLowerCase(), v);
    } else if (k === 'dataset') {
      Object.assign(el.dataset, v);
    } else if (k === 'style' || k.startsWith('on')) {
      throw new Error(`h(): ${k} attributes are not allowed (CSP)`);
    } else if (k === 'value' && 'value' in el) {
      el.value = v;
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

// Appends children to el the way h() takes them (text, nodes, arrays;
// null/false skipped): for pages filling their view.
export function put(el, ...children) {
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.append(c);
    else el.append(document.createTextNode(String(c)));
  }
}

// A labelled form field:
//   field({label, name, type='text', value, hint, error, required, autocomplete,
//          inputmode, maxlength, pattern, placeholder, options:[{value,label}]
//          (a <select>), rows (a <textarea>)})
// → <div class="field"> with <label for>, the control (aria-describedby to
// the hint and the error, aria-invalid when in error) and an error slot
// (<p class="field-error">) that showErrors fills.
export function field(o) {
  const id = newId(`f-${o.name}`);
  const hintId = `${id}-hint`;
  const errId = `${id}-error`;
  let control;
  const common = {
    id,
    name: o.name,
    required: o.required || null,
    autocomplete: o.autocomplete || null,
    'aria-describedby': o.hint ? `${hintId} ${errId}` : errId,
  };
  if (o.options) {
    control = h('select', common, o.options.map((opt) => h('option', { value: opt.value, selected: String(opt.value) === String(o.value ?? '') }, opt.label)));
  } else if (o.rows) {
    control = h('textarea', { ...common, rows: o.rows, maxlength: o.maxlength || null }, o.value ?? '');
  } else {
    control = h('input', {
      ...common,
      type: o.type || 'text',
      value: o.value ?? null,
      inputmode: o.inputmode || null,
      maxlength: o.maxlength || null,
      pattern: o.pattern || null,
      placeholder: o.placeholder || null,
      accept: o.accept || null,
    });
  }
  const wrap = h(
    'div',
    { class: 'field', dataset: { field: o.name } },
    h('label', { for: id }, o.label, o.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
    o.hint ? h('p', { class: 'hint', id: hintId }, o.hint) : null,
    control,
    h('p', { class: 'field-error', id: errId, hidden: true }),
  );
  if (o.error) setFieldError(wrap, o.error);
  return wrap;
}

// Puts (or with '' clears) an error message on a field wrapper.
export function setFieldError(wrap, message) {
  const slot = wrap.querySelector('.field-error');
  const control = wrap.querySelector('input, select, textarea');
  slot.textContent = message || '';
  slot.hidden = !message;
  if (!control) return; // a group whose controls come and go (a rubric with no rows yet)
  if (message) control.setAttribute('aria-invalid', 'true');
  else control.removeAttribute('aria-invalid');
}

// Error codes of the API that belong to one field (beyond invalid_<field>,
// which showErrors reads itself), one table for every form: an error code
// means the same field wherever it comes back.
const FIELD_OF_CODE = {
  invalid_email: 'email',
  email_taken: 'email',
  weak_password: 'password',
  invalid_nik: 'nik',
  nik_taken: 'nik',
  invalid_nip: 'nip',
  nip_taken: 'nip',
  invalid_nib: 'nib',
  invalid_phone: 'phone',
  invalid_url: 'url',
  unsupported_video: 'video_url', // a lesson
  invalid_duration: 'duration_minutes',
  invalid_submission_types: 'types', // an assignment
  invalid_score: 'max_score',
  score_out_of_range: 'score', // a grade
  score_required: 'score',
  score_mismatch: 'score',
  invalid_grade: 'score',
};

// The form-level error box (made on first use, at the top of the form).
function formBox(form) {
  let box = form.querySelector(':scope > .form-error');
  if (!box) {
    box = h('div', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true });
    form.prepend(box);
  }
  return box;
}

export function clearErrors(form) {
  for (const wrap of form.querySelectorAll('.field')) setFieldError(wrap, '');
  const box = form.querySelector(':scope > .form-error');
  if (box) {
    box.textContent = '';
    box.hidden = true;
  }
}

// Shows an error from the API (or a local {code, field}) on a form: next
// to the field it names (a local err.field, the server's details.field, else
// by code: `extra`, FIELD_OF_CODE, invalid_<member>), else in the box at the
// top. Never from a message's text. Focuses the first message.
export function showErrors(form, err, extra = {}) {
  clearErrors(form);
  const code = err && err.code;
  const d = (err && err.details) || {};
  let name = (err && err.field) || d.field || extra[code] || FIELD_OF_CODE[code] || null;
  if (!name && code && code.startsWith('invalid_') && code !== 'invalid_field') name = code.slice(8); // invalid_<member>
  const wrap = name ? form.querySelector(`.field[data-field="${CSS.escape(name)}"]`) : null;
  if (wrap) {
    setFieldError(wrap, errorText(err));
    wrap.querySelector('input, select, textarea')?.focus();
    return;
  }
  const box = formBox(form);
  box.textContent = errorText(err);
  box.hidden = false;
  box.focus();
}

// Makes form's submit (Enter or its button) call fn(event) instead of
// leaving the page. Returns the form.
export function whenSubmitted(form, fn) {
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    fn(e);
  });
  return form;
}

// A button that does one thing once: run() (a promise) while the button is
// busy, then the button gives way to `doneText`, or to what went wrong.
export function oneShotButton(label, run, doneText) {
  const button = h('button', { type: 'button', class: 'secondary' }, label);
  button.addEventListener('click', async () => {
    try {
      await busy(button, run());
      button.replaceWith(h('p', null, doneText));
    } catch (err) {
      button.replaceWith(h('p', { class: 'form-error' }, errorText(err)));
    }
  });
  return button;
}

// A short message in the polite live region, gone after a few seconds.
export function toast(message, { kind = 'info', ms = 5000 } = {}) {
  const region = document.getElementById('toasts');
  if (!region) return;
  const el = h('p', { class: `toast toast-${kind}` }, message);
  region.append(el);
  setTimeout(() => el.remove(), ms);
}

// Disables a button while promise runs (aria-busy meanwhile); resolves or
// rejects with the promise.
export async function busy(button, promise) {
  const was = button.disabled;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await promise;
  } finally {
    button.disabled = was;
    button.removeAttribute('aria-busy');
  }
}

export function emptyState(text, ...extra) {
  return h('div', { class: 'empty' }, h('p', null, text), ...extra);
}

// A block for an error that stops a page from showing.
export function errorState(err) {
  return h('div', { class: 'error-state', role: 'alert' }, h('p', null, errorText(err)));
}

export function loading() {
  return h('p', { class: 'loading' }, t('common.loading'));
}

// A progress bar: role=progressbar with its value, the fill's width set
// through the CSSOM (allowed by the CSP, unlike a style attribute).
export function progressBar(percent, label) {
  const p = Math.max(0, Math.min(100, Math.round(Number(percent) || 0)));
  const fill = h('span', { class: 'progress-fill' });
  fill.style.width = `${p}%`;
  return h(
    'div',
    { class: 'progress', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(p), 'aria-label': label },
    fill,
  );
}

// Updates a bar made by progressBar.
export function setProgress(bar, percent) {
  const p = Math.max(0, Math.min(100, Math.round(Number(percent) || 0)));
  bar.setAttribute('aria-valuenow', String(p));
  bar.querySelector('.progress-fill').style.width = `${p}%`;
}

// The values of a form's named controls as an object of trimmed strings.
export function formValues(form) {
  const out = {};
  for (const [k, v] of new FormData(form).entries()) {
    if (typeof v === 'string') out[k] = v.trim();
  }
  return out;
}

// Puts HTML that the server rendered in safe mode (Markdown preview, lesson
// bodies, instructions, feedback, announcements, quiz questions) into el:
// the one way server HTML enters a page. The server already drops raw HTML
// and unsafe links; this parses it inertly, removes anything active anyway,
// and opens outside links with rel="noopener noreferrer".
export function setSafeHtml(el, html) {
  const doc = new DOMParser().parseFromString(`<body>${html || ''}</body>`, 'text/html');
  for (const bad of doc.body.querySelectorAll('script,style,iframe,object,embed,form,link,meta,base')) bad.remove();
  for (const node of doc.body.querySelectorAll('*')) {
    for (const attr of [...node.attributes]) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on') || name === 'style') node.removeAttribute(attr.name);
      if ((name === 'href' || name === 'src') && !/^(https?:|mailto:|#|\/)/i.test(attr.value.trim())) node.removeAttribute(attr.name);
    }
    if (node.tagName === 'A' && /^https?:/i.test(node.getAttribute('href') || '')) node.setAttribute('rel', 'noopener noreferrer');
  }
  el.replaceChildren(...[...doc.body.childNodes].map((n) => document.importNode(n, true)));
  return el;
}

// ---- Segments ----
// The one list of the segments the forms offer, in the house order (ASN,
// UMKM, Umum). A cohort may have others (the API accepts them): they come
// after these by name and are shown by their own name. Whether a reader
// may register in a segment is the API's answer (GET /me's `eligibility`),
// never worked out here.
export const SEGMENTS = ['asn', 'umkm', 'public'];

// A copy of a list of {segment, …} in the house order.
export function sortSegments(list) {
  const rank = (s) => (SEGMENTS.includes(s.segment) ? SEGMENTS.indexOf(s.segment) : SEGMENTS.length);
  return (list || []).slice().sort((a, b) => rank(a) - rank(b) || a.segment.localeCompare(b.segment));
}

function labelOr(key, fallback) {
  const s = t(key);
  return s === key ? fallback : s;
}

// "ASN", "UMKM", "Umum" (a segment without a dictionary entry: its name).
export function segmentName(seg) {
  return labelOr(`common.segment.${seg}`, seg);
}

// The short form, for the narrow seat boxes.
export function segmentShort(seg) {
  return labelOr(`common.segment_short.${seg}`, seg);
}

// ---- Dialogs ----
// A modal <dialog> (focus stays inside, Escape cancels) with a question and
// two buttons; resolves true when confirmed, false otherwise. The question
// is a paragraph, or with `heading` the dialog's h2; `details` (texts)
// follow as a list that describes the dialog. The cancel button has the
// focus, so Enter never confirms by accident.
export function confirmDialog(message, { confirmLabel = t('common.confirm'), cancelLabel = t('common.cancel'), danger = true, heading = false, details = null } = {}) {
  return new Promise((resolve) => {
    const yes = h('button', { type: 'button', class: danger ? 'danger' : null }, confirmLabel);
    const no = h('button', { type: 'button', class: 'secondary' }, cancelLabel);
    const qid = newId('confirm');
    const did = details ? newId('confirm-what') : null;
    const dlg = h('dialog', { class: 'staff-dialog', 'aria-labelledby': qid, 'aria-describedby': did },
      h(heading ? 'h2' : 'p', { id: qid }, message),
      details ? h('ul', { id: did, class: 'dialog-details' }, details.map((d) => h('li', {}, d))) : null,
      h('div', { class: 'staff-actions' }, no, yes));
    const answer = showModal(dlg, no, resolve, false);
    yes.addEventListener('click', () => answer(true));
    no.addEventListener('click', () => answer(false));
  });
}

// Shows a <dialog> the caller made as a modal, focus on `focus`, and
// returns answer(v): it closes and removes the dialog and resolves with v,
// once; closing it any other way (Escape) answers `cancelled`. The base of
// every dialog of the app (confirmDialog, staff_ui's askText).
export function showModal(dlg, focus, resolve, cancelled) {
  let answered = false;
  const answer = (v) => {
    if (answered) return;
    answered = true;
    if (dlg.open) dlg.close();
    dlg.remove();
    resolve(v);
  };
  dlg.addEventListener('close', () => answer(cancelled));
  document.body.append(dlg);
  dlg.showModal();
  focus.focus();
  return answer;
}

// ---- Paging ----
// "Load more" over a cursor-paged list (API.md: {items, next_cursor}).
// fetchPage(cursor) → a page (cursor null for the first); onPage(items,
// first) shows them (first: the list starts again). A newer load() makes
// an older one's answer void, so a filter changed while a page was on its
// way never mixes two lists. `button` (optional) is shown while there is
// more and loads the next page when pressed (busy meanwhile); onError(err)
// hears a failed press, and a failed reload(). Returns {load() (from the
// start), reload() (the same, its failure to onError), more(), hasMore()}.
export function pager(fetchPage, onPage, { button = null, onError = null } = {}) {
  let cursor = null;
  let seq = 0;
  const fetchInto = async (first) => {
    const my = ++seq;
    const page = await fetchPage(first ? null : cursor);
    if (my !== seq) return;
    cursor = page.next_cursor || null;
    if (button) button.hidden = !cursor;
    onPage(page.items, first);
  };
  if (button) {
    button.hidden = true;
    button.addEventListener('click', async () => {
      try {
        await busy(button, fetchInto(false));
      } catch (err) {
        if (onError) onError(err);
      }
    });
  }
  const reload = async () => {
    try {
      await fetchInto(true);
    } catch (err) {
      if (onError) onError(err);
    }
  };
  return { load: () => fetchInto(true), reload, more: () => fetchInto(false), hasMore: () => cursor !== null };
}

// Keeps a list's filters in the address (history.replaceState, no new
// history entry), so a reload or a shared link shows the same list; empty
// values are left out.
export function rememberQuery(values) {
  const q = new URLSearchParams(Object.entries(values).filter(([, v]) => v));
  const s = q.toString();
  history.replaceState(null, '', `${location.pathname}${s ? `?${s}` : ''}`);
}
