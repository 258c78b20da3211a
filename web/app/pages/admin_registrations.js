// admin_registrations.js — /admin/cohorts/:id/registrations: a cohort's
// registrations in arrival order, numbered from 1 in the cohort. Segment
// and status filter on the server (?segment=&status=, pages of 200 with
// "load more"); the name search filters the loaded rows as you type. CSV
// export is the server's own (?format=csv&lang=: UTF-8 with BOM, ';'
// separated, cells starting with = + - @ neutralised; phone, agency and
// district; segment and status in the interface's language), with the same
// segment and status; identity numbers and phones are masked there, and
// unmasked only through a second export that asks for the reason (POST
// …/registrations/export, audited). An admin can cancel a registration
// after confirming; the freed seat goes to the waitlist.
import { api, ApiError, paths } from '../api.js';
import { loadArea, t, lang, fmtDateTime, fmtNumber } from '../i18n.js';
import { h, toast, busy, rememberQuery, segmentName, confirmDialog } from '../ui.js';
import { pageHead, errorBox, statusLabel, replace, askText, fold, searchedList } from '../staff_ui.js';
import { getMe } from '../session.js';

const enc = encodeURIComponent;
const PAGE = 200;
const STATUSES = ['confirmed', 'waitlisted', 'offered', 'cancelled', 'expired'];
const LIVE = new Set(['confirmed', 'waitlisted', 'offered']);

// POSTs the export and saves the CSV it answers; resolves to the file name.
async function downloadUnmasked(id, body) {
  const headers = { 'Content-Type': 'application/json', Accept: 'text/csv' };
  const csrf = getMe()?.csrf_token;
  if (csrf) headers['X-CSRF-Token'] = csrf;
  const res = await fetch(paths.cohortRegistrationsExport(id), { method: 'POST', headers, credentials: 'same-origin', body: JSON.stringify(body) });
  if (!res.ok) {
    const data = await res.json().catch(() => null);
    throw new ApiError(res.status, data?.error?.code || `http_${res.status}`, data?.error?.message || '', data?.error?.details);
  }
  const name = t('staff.registrations.csv_unmasked_file');
  const a = h('a', { href: URL.createObjectURL(await res.blob()), download: name, hidden: true });
  document.body.append(a);
  a.click();
  setTimeout(() => {
    URL.revokeObjectURL(a.href);
    a.remove();
  }, 1000);
  return name;
}

// The filters the server applies, as a query: segment, status and `extra`.
function filterQuery(c, extra = {}) {
  return new URLSearchParams(Object.entries({ segment: c.segment.value, status: c.status.value, ...extra }).filter(([, v]) => v)).toString();
}

// ---- act ----

// Cancels r after a confirmation (the seat goes to the waitlist).
async function cancelRegistration(r, b, err, redraw) {
  if (!(await confirmDialog(t('staff.registrations.confirm_cancel', { name: r.user.full_name, segment: segmentName(r.segment) }), { confirmLabel: t('staff.registrations.cancel') }))) return;
  err.update(null);
  try {
    const updated = await busy(b, api('DELETE', paths.registration(r.id)));
    Object.assign(r, updated);
    toast(t('staff.registrations.cancelled', { name: r.user.full_name }));
    redraw();
  } catch (ex) {
    err.update(ex);
  }
}

// The unmasked export: the reason first, then a download (audited).
async function exportUnmasked(id, c) {
  const reason = await askText({ question: t('staff.registrations.csv_unmasked_q'), label: t('staff.registrations.reason'), hint: t('staff.registrations.reason_hint'), rows: 3, min: 5, code: 'invalid_reason', confirmLabel: t('staff.registrations.csv_unmasked_go') });
  if (!reason) return;
  c.err.update(null);
  try {
    const res = await busy(c.unmasked, downloadUnmasked(id, { reason, lang: lang(), ...Object.fromEntries(new URLSearchParams(filterQuery(c))) }));
    toast(t('staff.registrations.csv_unmasked_done', { name: res }));
  } catch (ex) {
    c.err.update(ex);
  }
}

// ---- draw ----

function regRow(r, err, redraw) {
  let action = '';
  if (LIVE.has(r.status)) {
    action = h('button', { type: 'button', class: 'danger small', 'aria-label': t('staff.registrations.cancel_of', { name: r.user.full_name }) }, t('staff.registrations.cancel'));
    action.addEventListener('click', () => cancelRegistration(r, action, err, redraw));
  }
  return h('tr', { 'data-registration': r.id },
    h('td', { 'data-label': t('staff.registrations.no') }, fmtNumber(r.no)),
    h('td', { 'data-label': t('staff.common.name'), class: 'wide' }, h('span', { class: 'staff-name' }, r.user.full_name), h('br'), h('span', { class: 'meta' }, r.user.email)),
    h('td', { 'data-label': t('staff.registrations.segment') }, segmentName(r.segment)),
    h('td', { 'data-label': t('staff.registrations.status') },
      h('span', { class: `badge ${r.status}` }, statusLabel(r.status)),
      r.waitlist_position ? ` #${fmtNumber(r.waitlist_position)}` : ''),
    h('td', { 'data-label': t('staff.registrations.at') }, fmtDateTime(r.created_at)),
    h('td', { 'data-label': t('staff.registrations.action'), class: 'wide' }, action));
}

// The page's controls, filled from the address (?segment=, ?status=, ?q=).
function controls(cohort, query) {
  const c = {
    segment: h('select', { id: 'reg-segment', name: 'segment' },
      h('option', { value: '' }, t('staff.registrations.all_segments')),
      ...cohort.segments.map((s) => h('option', { value: s.segment }, segmentName(s.segment)))),
    status: h('select', { id: 'reg-status', name: 'status' },
      h('option', { value: '' }, t('staff.registrations.all_statuses')),
      ...STATUSES.map((s) => h('option', { value: s }, statusLabel(s)))),
    search: h('input', { type: 'search', id: 'reg-search', name: 'q', autocomplete: 'off', 'aria-describedby': 'reg-search-hint' }),
    csv: h('a', { class: 'button secondary', download: 'pendaftar.csv', 'data-testid': 'csv' }, t('staff.registrations.csv')),
    unmasked: h('button', { type: 'button', class: 'secondary' }, t('staff.registrations.csv_unmasked')),
    err: errorBox(),
    count: h('p', { class: 'meta', role: 'status', 'data-testid': 'reg-count' }),
    tbody: h('tbody'),
    more: h('button', { type: 'button', class: 'secondary', hidden: true }, t('staff.registrations.more')),
  };
  c.segment.value = query.get('segment') || '';
  c.status.value = query.get('status') || '';
  c.search.value = query.get('q') || '';
  return c;
}

function layout(view, cohort, c) {
  replace(view,
    pageHead(t('staff.registrations.title'), { back: `/admin/cohorts/${enc(cohort.id)}`, backLabel: cohort.name, sub: `${cohort.programme_title || cohort.programme_slug} — ${cohort.name}` }),
    h('form', { class: 'staff-filters', role: 'search', 'aria-label': t('staff.registrations.filters'), onsubmit: (e) => e.preventDefault() },
      h('div', { class: 'field' }, h('label', { for: c.segment.id }, t('staff.registrations.segment')), c.segment),
      h('div', { class: 'field' }, h('label', { for: c.status.id }, t('staff.registrations.status')), c.status),
      h('div', { class: 'field' }, h('label', { for: c.search.id }, t('staff.registrations.search')), c.search,
        h('p', { class: 'hint', id: 'reg-search-hint' }, t('staff.registrations.search_hint'))),
      h('div', { class: 'staff-actions' }, c.csv, c.unmasked)),
    c.err, c.count,
    h('div', { class: 'staff-table-wrap' },
      h('table', { class: 'staff-table staff-table-cards', 'data-testid': 'registrations' },
        h('caption', { class: 'visually-hidden' }, t('staff.registrations.title')),
        h('thead', {}, h('tr', {},
          ...['no', 'name', 'segment', 'status', 'at', 'action'].map((k) => h('th', { scope: 'col' }, k === 'name' ? t('staff.common.name') : t(`staff.registrations.${k}`))))),
        c.tbody)),
    c.more);
}

// ---- the page: load the cohort and the first page, then draw; the
// filters reload (and keep the address and the CSV link in step), the
// search only redraws ----
export default async function render(view, ctx) {
  await loadArea('staff');
  const id = ctx.params.id;
  const cohort = await api('GET', paths.cohort(id));
  const c = controls(cohort, ctx.query);
  const list = await searchedList(c, {
    fetchPage: (cursor) => api('GET', paths.cohortRegistrations(id, filterQuery(c, { limit: String(PAGE), cursor }))),
    filters: [c.segment, c.status],
    row: (r) => regRow(r, c.err, () => list.redraw()),
    matches: (r, q) => fold(r.user.full_name).includes(q) || fold(r.user.email).includes(q),
    colspan: 6,
    noneText: t('staff.registrations.none'),
    remember: () => {
      rememberQuery({ segment: c.segment.value, status: c.status.value, q: c.search.value.trim() });
      c.csv.href = paths.cohortRegistrations(id, filterQuery(c, { format: 'csv', lang: lang() }));
    },
  });
  c.unmasked.addEventListener('click', () => exportUnmasked(id, c));
  layout(view, cohort, c);
}
