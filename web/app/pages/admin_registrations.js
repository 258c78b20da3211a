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
import { h, toast, busy, pager, rememberQuery, segmentName, confirmDialog } from '../ui.js';
import { pageHead, errorBox, statusLabel, replace, askText } from '../staff_ui.js';
import { getMe } from '../session.js';

const enc = encodeURIComponent;
const PAGE = 200;
const STATUSES = ['confirmed', 'waitlisted', 'offered', 'cancelled', 'expired'];
const LIVE = new Set(['confirmed', 'waitlisted', 'offered']);

// Lower-case text without accents, for the name search.
function fold(s) {
  return String(s || '').normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

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

export default async function render(view, ctx) {
  await loadArea('staff');
  const id = ctx.params.id;
  const cohort = await api('GET', paths.cohort(id));
  const err = errorBox();
  let rows = [];

  const segment = h('select', { id: 'reg-segment', name: 'segment' },
    h('option', { value: '' }, t('staff.registrations.all_segments')),
    ...cohort.segments.map((s) => h('option', { value: s.segment }, segmentName(s.segment))));
  const status = h('select', { id: 'reg-status', name: 'status' },
    h('option', { value: '' }, t('staff.registrations.all_statuses')),
    ...STATUSES.map((s) => h('option', { value: s }, statusLabel(s))));
  const search = h('input', { type: 'search', id: 'reg-search', name: 'q', autocomplete: 'off', 'aria-describedby': 'reg-search-hint' });
  segment.value = ctx.query.get('segment') || '';
  status.value = ctx.query.get('status') || '';
  search.value = ctx.query.get('q') || '';
  const csv = h('a', { class: 'button secondary', download: 'pendaftar.csv', 'data-testid': 'csv' }, t('staff.registrations.csv'));
  const count = h('p', { class: 'meta', role: 'status', 'data-testid': 'reg-count' });
  const tbody = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, t('staff.registrations.more'));

  const queryString = (extra = {}) => {
    const q = new URLSearchParams();
    if (segment.value) q.set('segment', segment.value);
    if (status.value) q.set('status', status.value);
    for (const [k, v] of Object.entries(extra)) q.set(k, v);
    return q.toString();
  };

  const cancelButton = (r) => {
    const b = h('button', { type: 'button', class: 'danger small', 'aria-label': t('staff.registrations.cancel_of', { name: r.user.full_name }) }, t('staff.registrations.cancel'));
    b.addEventListener('click', async () => {
      if (!(await confirmDialog(t('staff.registrations.confirm_cancel', { name: r.user.full_name, segment: segmentName(r.segment) }), { confirmLabel: t('staff.registrations.cancel') }))) return;
      err.update(null);
      try {
        const updated = await busy(b, api('DELETE', paths.registration(r.id)));
        Object.assign(r, updated);
        toast(t('staff.registrations.cancelled', { name: r.user.full_name }));
        draw();
      } catch (ex) {
        err.update(ex);
      }
    });
    return b;
  };

  const row = (r) => h('tr', { 'data-registration': r.id },
    h('td', { 'data-label': t('staff.registrations.no') }, fmtNumber(r.no)),
    h('td', { 'data-label': t('staff.common.name'), class: 'wide' }, h('span', { class: 'staff-name' }, r.user.full_name), h('br'), h('span', { class: 'meta' }, r.user.email)),
    h('td', { 'data-label': t('staff.registrations.segment') }, segmentName(r.segment)),
    h('td', { 'data-label': t('staff.registrations.status') },
      h('span', { class: `badge ${r.status}` }, statusLabel(r.status)),
      r.waitlist_position ? ` #${fmtNumber(r.waitlist_position)}` : ''),
    h('td', { 'data-label': t('staff.registrations.at') }, fmtDateTime(r.created_at)),
    h('td', { 'data-label': t('staff.registrations.action'), class: 'wide' }, LIVE.has(r.status) ? cancelButton(r) : ''));

  function draw() {
    const q = fold(search.value.trim());
    const shown = q ? rows.filter((r) => fold(r.user.full_name).includes(q) || fold(r.user.email).includes(q)) : rows;
    if (!shown.length) tbody.replaceChildren(h('tr', {}, h('td', { colspan: '6', class: 'wide' }, t('staff.registrations.none'))));
    else tbody.replaceChildren(...shown.map(row));
    count.textContent = t(list.hasMore() ? 'staff.registrations.count_more' : 'staff.registrations.count', { shown: fmtNumber(shown.length), loaded: fmtNumber(rows.length) });
  }

  const list = pager((cursor) => api('GET', paths.cohortRegistrations(id, queryString({ limit: String(PAGE), ...(cursor ? { cursor } : {}) }))), (items, first) => {
    rows = first ? items : rows.concat(items);
    draw();
  }, { button: more, onError: (ex) => err.update(ex) });

  // The URL keeps the filters, so a reload or a shared link shows the same.
  const remember = () => {
    rememberQuery({ segment: segment.value, status: status.value, q: search.value.trim() });
    csv.href = paths.cohortRegistrations(id, queryString({ format: 'csv', lang: lang() }));
  };
  const refilter = () => {
    remember();
    err.update(null);
    list.reload();
  };
  segment.addEventListener('change', refilter);
  status.addEventListener('change', refilter);
  search.addEventListener('input', () => {
    remember();
    draw();
  });

  // The unmasked export: the reason first, then a download (audited).
  const unmasked = h('button', { type: 'button', class: 'secondary' }, t('staff.registrations.csv_unmasked'));
  unmasked.addEventListener('click', async () => {
    const reason = await askText({ question: t('staff.registrations.csv_unmasked_q'), label: t('staff.registrations.reason'), hint: t('staff.registrations.reason_hint'), rows: 3, min: 5, code: 'invalid_reason', confirmLabel: t('staff.registrations.csv_unmasked_go') });
    if (!reason) return;
    err.update(null);
    try {
      const res = await busy(unmasked, downloadUnmasked(id, { reason, lang: lang(), ...Object.fromEntries(new URLSearchParams(queryString())) }));
      toast(t('staff.registrations.csv_unmasked_done', { name: res }));
    } catch (ex) {
      err.update(ex);
    }
  });

  remember();
  await list.load();
  replace(view, 
    pageHead(t('staff.registrations.title'), { back: `/admin/cohorts/${enc(id)}`, backLabel: cohort.name, sub: `${cohort.programme_title || cohort.programme_slug} — ${cohort.name}` }),
    h('form', { class: 'staff-filters', role: 'search', 'aria-label': t('staff.registrations.filters'), onsubmit: (e) => e.preventDefault() },
      h('div', { class: 'field' }, h('label', { for: segment.id }, t('staff.registrations.segment')), segment),
      h('div', { class: 'field' }, h('label', { for: status.id }, t('staff.registrations.status')), status),
      h('div', { class: 'field' }, h('label', { for: search.id }, t('staff.registrations.search')), search,
        h('p', { class: 'hint', id: 'reg-search-hint' }, t('staff.registrations.search_hint'))),
      h('div', { class: 'staff-actions' }, csv, unmasked)),
    err, count,
    h('div', { class: 'staff-table-wrap' },
      h('table', { class: 'staff-table staff-table-cards', 'data-testid': 'registrations' },
        h('caption', { class: 'visually-hidden' }, t('staff.registrations.title')),
        h('thead', {}, h('tr', {},
          ...['no', 'name', 'segment', 'status', 'at', 'action'].map((k) => h('th', { scope: 'col' }, k === 'name' ? t('staff.common.name') : t(`staff.registrations.${k}`))))),
        tbody)),
    more);
}
