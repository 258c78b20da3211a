// staff_ui.js — helpers shared by the instructor and admin pages
// (pages/staff_*.js, pages/admin_*.js) on top of ui.js: polling that pauses
// while the tab is hidden, a dialog asking for a text, the live Markdown
// preview, the unsaved-changes guard, and the small pieces every staff page
// repeats (back links, error boxes, status names). Segments, the
// confirmation dialog, paging and server HTML are ui.js's (every page
// shares them); dates and times are i18n.js's.
import { h, newId, put, setSafeHtml, confirmDialog, showModal, busy, showErrors, clearErrors, field, pager, toast } from './ui.js';
import { api, paths } from './api.js';
import { t, errorText, fmtNumber, loadArea } from './i18n.js';

export function statusLabel(status) {
  const key = `staff.status.${status}`;
  const s = t(key);
  return s === key ? status : s;
}

// Calls fn now and then every `ms` after the previous call settled, while the
// document is visible; hidden tabs stop polling and a tab shown again polls
// at once. onState(running) reports pauses. Returns stop().
export function poll(fn, ms, onState = () => {}) {
  let timer = null;
  let stopped = false;
  let inFlight = false;

  const schedule = () => {
    clearTimeout(timer);
    timer = null;
    if (!stopped && !document.hidden) timer = setTimeout(tick, ms);
  };
  const tick = async () => {
    if (stopped || inFlight) return;
    if (document.hidden) {
      onState(false);
      return;
    }
    inFlight = true;
    try {
      await fn();
    } catch {
      /* the page shows its own error; keep polling */
    } finally {
      inFlight = false;
    }
    schedule();
  };
  const onVisibility = () => {
    if (stopped) return;
    if (document.hidden) {
      clearTimeout(timer);
      timer = null;
      onState(false);
    } else {
      onState(true);
      tick();
    }
  };
  document.addEventListener('visibilitychange', onVisibility);
  onState(!document.hidden);
  tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
    document.removeEventListener('visibilitychange', onVisibility);
  };
}

// A dialog asking for one text (a reason, a name): resolves to the trimmed
// text, or null when cancelled. {question, label, hint, value,
// confirmLabel, danger, rows (a textarea when given), min (length, 1),
// code (the error code shown when it is shorter)}.
export function askText({ question, label, hint, value = '', confirmLabel, danger = false, rows, min = 1, code = 'staff_required' }) {
  return new Promise((resolve) => {
    const input = rows
      ? h('textarea', { name: 'answer', rows: String(rows), required: true, maxlength: '500' }, value)
      : h('input', { type: 'text', name: 'answer', required: true, maxlength: '200', value, autocomplete: 'off' });
    const ok = h('button', { type: 'submit', class: danger ? 'danger' : null }, confirmLabel);
    const no = h('button', { type: 'button', class: 'secondary' }, t('common.cancel'));
    const qid = newId('ask');
    const form = h('form', { method: 'dialog', class: 'staff-form', novalidate: true },
      h('p', { id: qid }, question),
      labelled(label, input, { hint }),
      h('div', { class: 'staff-actions' }, no, ok));
    const dlg = h('dialog', { class: 'staff-dialog', 'aria-labelledby': qid }, form);
    const finish = showModal(dlg, input, resolve, null);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const wrap = form.querySelector('.field');
      const v = input.value.trim();
      if (v.length < min) {
        wrap.querySelector('.field-error').textContent = errorText({ code });
        wrap.querySelector('.field-error').hidden = false;
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      finish(v);
    });
    no.addEventListener('click', () => finish(null));
  });
}

// A box for an API error next to a form (role=alert so it is announced);
// update(err) replaces the text, update(null) hides it.
export function errorBox() {
  const box = h('p', { class: 'staff-error', role: 'alert', hidden: true });
  box.update = (err) => {
    box.textContent = err ? (typeof err === 'string' ? err : errorText(err)) : '';
    box.hidden = !err;
  };
  return box;
}

// A file chooser that uploads at once: a file over `max` bytes is refused
// here, one the server refuses with 413 likewise (both say `tooBig` in err,
// an errorBox); otherwise upload(file) (a promise of the answer), then
// done(answer, file). After a failure the chooser is emptied.
export function uploadOnChoose(input, err, { max, tooBig, upload, done }) {
  input.addEventListener('change', async () => {
    const file = input.files[0];
    if (!file) return;
    err.update(null);
    try {
      if (file.size > max) throw Object.assign(new Error('too big'), { status: 413 });
      done(await upload(file), file);
    } catch (ex) {
      err.update(ex.status === 413 ? tooBig : ex);
      input.value = '';
    }
  });
}

// A cohort's staff pages, in the order the links show them: the path
// (`{id}` the cohort), the dictionary key of the link's text (the quiz
// and account areas name two), and whether only admins see it.
const COHORT_PAGES = [
  ['/staff/cohorts/{id}', 'staff.nav.cohort_staff'],
  ['/staff/cohorts/{id}/sessions', 'staff.nav.sessions'],
  ['/staff/cohorts/{id}/grading', 'staff.nav.grading'],
  ['/staff/cohorts/{id}/gradebook', 'staff.nav.gradebook'],
  ['/staff/cohorts/{id}/quizzes', 'quiz.staff.cohort_title'],
  ['/staff/cohorts/{id}/announcements', 'acct.ann.title'],
  ['/admin/cohorts/{id}/seats', 'staff.nav.seats', true],
  ['/admin/cohorts/{id}/registrations', 'staff.nav.registrations', true],
  ['/admin/cohorts/{id}/certificates', 'staff.nav.certificates', true],
];

// The links to a cohort's staff pages (the admin ones for admins), and
// any `extra` links after them.
export function cohortLinks(cohort, isAdmin, ...extra) {
  const id = encodeURIComponent(cohort.id);
  return h('p', { class: 'staff-links' },
    COHORT_PAGES.filter(([, , adminOnly]) => isAdmin || !adminOnly)
      .map(([path, key]) => h('a', { href: path.replace('{id}', id) }, t(key))),
    ...extra);
}

// A staff table that turns into one card a row on a phone: a caption for
// screen readers, then a row per item. `cols` are the columns, each
// {key, wide}: its heading's dictionary key, and whether it takes a card's
// whole width. row(item) gives {attrs, cells}: the <tr>'s attributes and
// the cells' contents, the first a row heading, every other labelled with
// its column's heading (which a card shows beside it).
export function cardTable({ kind = '', testid, caption, cols, items, row }) {
  const heads = cols.map((c) => t(c.key));
  const tr = (item) => {
    const { attrs = null, cells } = row(item);
    return h('tr', attrs,
      h('th', { scope: 'row', class: 'wide' }, cells[0]),
      cells.slice(1).map((c, i) => h('td', { 'data-label': heads[i + 1], class: cols[i + 1].wide ? 'wide' : null }, c)));
  };
  return h('div', { class: 'staff-table-wrap' },
    h('table', { class: `staff-table staff-table-cards ${kind}`.trim(), 'data-testid': testid },
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', null, h('tr', null, heads.map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', null, items.map(tr))));
}

// The heading row of a staff page: a back link (optional), the title and an
// optional subtitle.
export function pageHead(title, { back, backLabel, sub } = {}) {
  return h('header', { class: 'staff-head' },
    back ? h('a', { href: back, class: 'staff-back' }, `← ${backLabel || t('common.back')}`) : null,
    h('h1', {}, title),
    sub ? h('p', { class: 'meta' }, sub) : null);
}

// A labelled control built by hand, for controls ui.field does not make
// (a textarea with its own behaviour, a number with min/max). The wrapper
// has data-field=name so ui.showErrors finds it. Returns the wrapper.
export function labelled(label, control, { hint } = {}) {
  if (!control.id) control.id = newId(`f-${control.name || 'x'}`);
  const errId = `${control.id}-error`;
  const hintEl = hint ? h('p', { class: 'hint', id: `${control.id}-hint` }, hint) : null;
  control.setAttribute('aria-describedby', hint ? `${control.id}-hint ${errId}` : errId);
  return h('div', { class: 'field', dataset: control.name ? { field: control.name } : {} },
    h('label', { for: control.id }, label), hintEl, control, h('p', { class: 'field-error', id: errId, hidden: true }));
}

// A checkbox with its label after it.
export function checkbox(label, attrs = {}, checked = false) {
  const box = h('input', { type: 'checkbox', id: newId(`f-${attrs.name || 'check'}`), ...attrs });
  box.checked = checked;
  const errId = `${box.id}-error`;
  box.setAttribute('aria-describedby', errId);
  // the empty error slot lets ui.clearErrors/showErrors treat it as a field
  return h('div', { class: 'field field-check', dataset: attrs.name ? { field: attrs.name } : {} },
    box, h('label', { for: box.id }, label), h('p', { class: 'field-error', id: errId, hidden: true }));
}

// Replaces el's children with the given ones, by h()'s rules (null, false
// and undefined skipped, arrays flattened, strings as text).
export function replace(el, ...children) {
  el.replaceChildren();
  return put(el, ...children);
}

// Puts one child per item (or the empty state) into a container.
export function fill(container, items, render, emptyText) {
  const tag = container.tagName === 'UL' || container.tagName === 'OL' ? 'li' : 'p';
  if (!items.length) container.replaceChildren(h(tag, { class: 'empty' }, emptyText));
  else container.replaceChildren(...items.map(render));
}

// Moves item `from` to index `to` in a copy of list.
export function moved(list, from, to) {
  const out = list.slice();
  const [x] = out.splice(from, 1);
  out.splice(to, 0, x);
  return out;
}

// A short form of a 64-hex content hash for display, full value in title.
export function hashCode(hash) {
  return h('code', { class: 'staff-hash', title: hash }, hash);
}

const PREVIEW_DELAY_MS = 300;

// The live preview of a Markdown textarea: asks the server to render it
// (POST /api/v1/markdown/preview, exactly as publishing renders) a moment
// after typing stops; a newer request cancels an older one; `empty` shows
// while there is no text. Returns the page's cleanup (stops it).
export function livePreview(textarea, target, status, empty) {
  let timer = null;
  let ctl = null;
  const run = async () => {
    if (ctl) ctl.abort();
    ctl = new AbortController();
    const mine = ctl;
    target.setAttribute('aria-busy', 'true');
    try {
      const r = await api('POST', paths.markdownPreview(), { body_md: textarea.value }, { signal: mine.signal });
      if (mine !== ctl) return;
      setSafeHtml(target, r.body_html);
      if (!textarea.value.trim()) target.replaceChildren(h('p', { class: 'empty' }, empty));
      status.update(null);
    } catch (ex) {
      if (ex && ex.name === 'AbortError') return;
      status.update(ex);
    } finally {
      if (mine === ctl) target.removeAttribute('aria-busy');
    }
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(run, PREVIEW_DELAY_MS);
  };
  textarea.addEventListener('input', schedule);
  run();
  return () => {
    clearTimeout(timer);
    if (ctl) ctl.abort();
  };
}

// Asks before an editor's unsaved changes are lost: the browser's own
// question on unload, and ours on links inside the app (this runs before
// the router's click handler, which skips prevented clicks). dirty() says
// whether there is something unsaved; markSaved() is called when the
// reader leaves anyway. Returns the cleanup.
export function guardUnsaved(dirty, markSaved) {
  const onBeforeUnload = (e) => {
    if (!dirty()) return;
    e.preventDefault();
    e.returnValue = '';
  };
  const onLinkClick = async (e) => {
    const a = e.target.closest && e.target.closest('a[href]');
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    if (a.target || a.hasAttribute('download') || a.origin !== location.origin || !dirty()) return;
    e.preventDefault();
    if (await confirmDialog(t('staff.lesson.leave_unsaved'), { confirmLabel: t('staff.lesson.leave') })) {
      markSaved();
      a.click(); // again, now clean: the router (or the browser) follows it
    }
  };
  window.addEventListener('beforeunload', onBeforeUnload);
  document.addEventListener('click', onLinkClick, true);
  return () => {
    window.removeEventListener('beforeunload', onBeforeUnload);
    document.removeEventListener('click', onLinkClick, true);
  };
}

// guardUnsaved over a snapshot of what the editor would send: body() is
// compared with what it gave when last saved. Returns {markSaved, stop}.
export function snapshotGuard(body) {
  let saved = JSON.stringify(body());
  const markSaved = () => { saved = JSON.stringify(body()); };
  const stop = guardUnsaved(() => JSON.stringify(body()) !== saved, markSaved);
  return { markSaved, stop };
}

// A module's heading: "Modul 2: Produksi" — unless the author already
// numbered it ("Modul 1: Pengantar" stays as written, never "Modul 1:
// Modul 1: …").
export function moduleHeading(index, title) {
  if (/^\s*(modul|module|bab|unit|sesi|pertemuan|chapter|part|bagian)\s*[0-9ivx]+\b/i.test(title)) return title;
  return t('staff.content.module_n', { n: index + 1, title });
}

// "Versi 1" and, when a newer one is published, a badge saying so.
export function versionNote(c) {
  const newer = c.latest_version && c.latest_version > (c.content_version || 0);
  return h('span', { class: 'staff-version', 'data-testid': 'cohort-version' },
    c.content_version ? t('staff.cohort.version_n', { n: c.content_version }) : t('staff.version.unpublished'),
    newer ? ' ' : '', newer ? h('span', { class: 'badge waitlisted' }, t('staff.version.newer', { n: c.latest_version })) : '');
}

// Lower-case text without accents, for a name search.
export function fold(s) {
  return String(s || '').normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

// The list of an admin page filtered two ways (accounts, registrations):
// `filters` (controls) the server applies, each change loading the list
// again from its first page (fetchPage(cursor), "load more" on `c.more`);
// and `c.search`, a name or e-mail search over what is loaded, which only
// redraws. c: {search, tbody, count, more, err}; row(item) draws an item,
// matches(item, folded query) answers the search, remember() keeps the
// filters in the address. Resolves once the first page is drawn to
// {redraw(), prepend(item)}.
export async function searchedList(c, { fetchPage, filters, row, matches, colspan, noneText, remember }) {
  let items = [];
  const redraw = () => {
    const q = fold(c.search.value.trim());
    const shown = q ? items.filter((x) => matches(x, q)) : items;
    if (!shown.length) c.tbody.replaceChildren(h('tr', {}, h('td', { colspan: String(colspan), class: 'wide' }, noneText)));
    else c.tbody.replaceChildren(...shown.map(row));
    c.count.textContent = t(list.hasMore() ? 'staff.registrations.count_more' : 'staff.registrations.count', { shown: fmtNumber(shown.length), loaded: fmtNumber(items.length) });
  };
  const list = pager(fetchPage, (page, first) => {
    items = first ? page : items.concat(page);
    redraw();
  }, { button: c.more, onError: (ex) => c.err.update(ex) });
  for (const f of filters) {
    f.addEventListener('change', () => {
      remember();
      c.err.update(null);
      list.reload();
    });
  }
  c.search.addEventListener('input', () => {
    remember();
    redraw();
  });
  remember();
  await list.load();
  return {
    redraw,
    prepend: (x) => {
      items = [x, ...items];
      redraw();
    },
  };
}

// A small form that picks one of the active instructors (`users`, GET
// /users?role=instructor) and hands its id to add(userId) (busy
// meanwhile; an error, e.g. not_instructor, shows on the field). Used for a
// cohort's instructors and a programme's authors.
export function instructorPicker(users, buttonLabel, add) {
  const button = h('button', { type: 'submit', class: 'secondary' }, buttonLabel);
  const form = h('form', { class: 'staff-inline-form', novalidate: true },
    field({ label: t('staff.cohort.f_instructor'), name: 'user_id', options: [{ value: '', label: t('staff.cohort.pick_instructor') },
      ...users.filter((u) => u.status === 'active').map((u) => ({ value: u.id, label: `${u.full_name} (${u.email})` }))] }),
    button);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const userId = form.elements.user_id.value;
    if (!userId) return showErrors(form, { code: 'staff_required' }, { staff_required: 'user_id' });
    try {
      await busy(button, add(userId));
    } catch (ex) {
      showErrors(form, ex, { not_instructor: 'user_id' });
    }
    return undefined;
  });
  return form;
}

// The load step of an editor of a draft item (a lesson, an assignment):
// the programme's draft, then the item find(draft, id) gives ({module, …})
// or, for a new one (id null), the module ?module= names. Resolves to
// {slug, found, mod, back, creating}, or to null after showing
// the title `missingKey` names when the item or the module is not in the
// draft. Loads the staff dictionary first.
export async function loadDraftItem(view, ctx, id, find, missingKey) {
  await loadArea('staff');
  const slug = ctx.params.slug;
  const creating = id === null;
  const draft = await api('GET', paths.programmeDraft(slug));
  const found = creating ? null : find(draft, id);
  const mod = creating ? draft.modules.find((m) => m.id === ctx.query.get('module')) : found && found.module;
  const back = `/staff/programmes/${encodeURIComponent(slug)}/content`;
  if (!mod || (!creating && !found)) {
    replace(view, pageHead(t(missingKey), { back, backLabel: t('staff.nav.content') }), h('p', {}, t('staff.lesson.missing_text')));
    return null;
  }
  return { slug, found, mod, back, creating };
}

// The page every Markdown editor shares (a lesson, an assignment): the
// heading, the form and what follows it (`after`), the live preview of the
// textarea `source` beside them in `preview`, and for an existing item the
// delete button (`del`: {label, question, path, deleted}: asks, DELETEs
// path, says `deleted` and goes back to `head.back`; a failure shows on the
// form). `guard` is the editor's snapshotGuard. Returns the page's cleanup
// (the preview and the guard stop).
export function editorPage(view, ctx, { title, head, formTitle, form, after = null, source, preview, del = null, guard }) {
  const previewErr = errorBox();
  let button = null;
  if (del) {
    button = h('button', { type: 'button', class: 'danger' }, del.label);
    button.addEventListener('click', async () => {
      if (!(await confirmDialog(del.question))) return;
      try {
        await busy(button, api('DELETE', del.path));
        guard.markSaved();
        toast(del.deleted);
        ctx.navigate(head.back);
      } catch (ex) {
        showErrors(form, ex);
      }
    });
  }
  replace(view,
    pageHead(title, head),
    h('div', { class: 'staff-editor' },
      h('section', { 'aria-labelledby': 'editor-form-h' }, h('h2', { id: 'editor-form-h', class: 'visually-hidden' }, formTitle), form, after),
      h('section', { class: 'card staff-preview-card', 'aria-labelledby': 'preview-h' },
        h('h2', { id: 'preview-h' }, t('staff.lesson.preview')), previewErr, preview)),
    button ? h('p', { class: 'staff-danger-zone' }, button) : null);
  const stopPreview = livePreview(source, preview, previewErr, t('staff.lesson.preview_empty'));
  return () => {
    stopPreview();
    guard.stop();
  };
}
