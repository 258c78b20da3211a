// staff_sessions.js — /staff/cohorts/:id/sessions: a cohort's live sessions
// for its instructors and admins. Schedule a session, open its check-in
// (a fresh six-digit code valid for some minutes, shown on the projector
// page), and the attendance list, refreshed every few seconds while the
// tab is visible.
import { api, paths } from '../api.js';
import { loadArea, t, tn, fmtNumber, isoFromLocal, localInputValue, fmtCountdown, fmtSpan } from '../i18n.js';
import { h, field, showErrors, clearErrors, toast, busy, whenSubmitted } from '../ui.js';
import { pageHead, errorBox, fill, poll, replace } from '../staff_ui.js';

const enc = encodeURIComponent;
const ATTENDANCE_MS = 5000;
const MINUTES = [5, 10, 15, 30, 60];

function projectorHref(cohortId, sessionId) {
  return `/staff/cohorts/${enc(cohortId)}/sessions/${enc(sessionId)}/projector`;
}

// ---- load ----

async function load(id) {
  const [cohort, sessions] = await Promise.all([
    api('GET', paths.cohort(id)),
    api('GET', paths.cohortSessions(id)),
  ]);
  return { cohort, items: sessions.items };
}

// ---- act ----

// Opens (or renews) s's check-in, then shows its code on the projector page.
async function openCheckin(ctx, err, button, s, minutes) {
  err.update(null);
  try {
    await busy(button, api('POST', paths.sessionCheckin(s.id), { valid_minutes: minutes }));
  } catch (ex) {
    err.update(ex);
    return;
  }
  ctx.navigate(projectorHref(ctx.params.id, s.id));
}

// Schedules the session the form describes; onCreated(session) shows it.
async function createSession(id, form, submit, onCreated) {
  clearErrors(form);
  const v = form.elements;
  const body = { title: v.title.value.trim(), starts_at: isoFromLocal(v.starts_at.value), ends_at: isoFromLocal(v.ends_at.value) };
  if (v.place.value.trim()) body.place = v.place.value.trim();
  if (v.online_url.value.trim()) body.online_url = v.online_url.value.trim();
  if (!body.title) return showErrors(form, { code: 'staff_required' }, { staff_required: 'title' });
  if (!body.starts_at) return showErrors(form, { code: 'staff_required' }, { staff_required: 'starts_at' });
  if (!body.ends_at || body.ends_at <= body.starts_at) return showErrors(form, { code: 'staff_ends_before' }, { staff_ends_before: 'ends_at' });
  try {
    onCreated(await busy(submit, api('POST', paths.cohortSessions(id), body)));
    v.title.value = '';
    toast(t('staff.sessions.created'));
  } catch (ex) {
    showErrors(form, ex);
  }
  return undefined;
}

// ---- draw ----

function sessionItem(s, cohortId, onOpen) {
  const minutes = h('select', { name: 'minutes', id: `min-${s.id}` }, ...MINUTES.map((m) => h('option', { value: String(m), selected: m === 15 }, tn('staff.sessions.minutes_n', m))));
  const open = h('button', { type: 'button' }, s.checkin_open ? t('staff.sessions.new_code') : t('staff.sessions.open_checkin'));
  open.addEventListener('click', () => onOpen(open, s, Number(minutes.value)));
  const where = [s.place, s.online_url].filter(Boolean).join(' · ');
  return h('li', { class: 'card staff-session', 'data-session': s.id },
    h('h3', {}, s.title),
    h('p', {}, fmtSpan(s.starts_at, s.ends_at)),
    where ? h('p', { class: 'meta' }, where) : null,
    s.checkin_open
      ? h('p', { class: 'staff-success' }, t('staff.sessions.code_open', { code: s.checkin_code || '', left: fmtCountdown(new Date(s.checkin_expires_at) - Date.now()) }), ' ',
        h('a', { href: projectorHref(cohortId, s.id) }, t('staff.sessions.show_projector')))
      : null,
    h('div', { class: 'staff-inline-form' },
      h('div', { class: 'field' }, h('label', { for: minutes.id }, t('staff.sessions.valid_for')), minutes), open));
}

// Scheduling a session: tomorrow 09.00–11.00 to start with.
function sessionForm(onSubmit) {
  const start = new Date(Date.now() + 86400000);
  start.setHours(9, 0, 0, 0);
  const end = new Date(start.getTime() + 2 * 3600000);
  const submit = h('button', { type: 'submit' }, t('staff.sessions.create'));
  const form = h('form', { class: 'staff-form card', novalidate: true, 'aria-labelledby': 'new-session-h' },
    h('h2', { id: 'new-session-h' }, t('staff.sessions.new')),
    field({ label: t('staff.sessions.f_title'), name: 'title', required: true, autocomplete: 'off' }),
    field({ label: t('staff.sessions.f_starts'), name: 'starts_at', type: 'datetime-local', required: true, value: localInputValue(start.toISOString()) }),
    field({ label: t('staff.sessions.f_ends'), name: 'ends_at', type: 'datetime-local', required: true, value: localInputValue(end.toISOString()) }),
    field({ label: t('staff.sessions.f_place'), name: 'place', autocomplete: 'off' }),
    field({ label: t('staff.sessions.f_url'), name: 'online_url', type: 'url', hint: t('staff.sessions.f_url_hint') }),
    submit);
  return whenSubmitted(form, () => onSubmit(form, submit));
}

// The attendance table; returns {el, update(attendance)}.
function attendanceTable() {
  const body = h('tbody');
  const note = h('p', { class: 'meta' });
  const update = (a) => {
    note.textContent = t('staff.sessions.attendance_of', { n: fmtNumber(a.sessions) });
    if (!a.items.length) {
      body.replaceChildren(h('tr', {}, h('td', { colspan: '2' }, t('staff.sessions.no_participants'))));
      return;
    }
    body.replaceChildren(...a.items.map((p) => h('tr', {},
      h('td', { 'data-label': t('staff.common.name') }, p.user.full_name),
      h('td', { 'data-label': t('staff.sessions.attended') }, `${fmtNumber(p.attended)} / ${fmtNumber(a.sessions)}`))));
  };
  const el = h('section', { class: 'card', 'aria-labelledby': 'attendance-h' },
    h('h2', { id: 'attendance-h' }, t('staff.sessions.attendance')), note,
    h('table', { class: 'staff-table', 'data-testid': 'attendance' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('staff.common.name')), h('th', { scope: 'col' }, t('staff.sessions.attended')))),
      body));
  return { el, update };
}

// ---- the page: load, draw, then the attendance polled ----
export default async function render(view, ctx) {
  await loadArea('staff');
  const id = ctx.params.id;
  const data = await load(id);
  const err = errorBox();
  const list = h('ol', { class: 'staff-sessions', 'data-testid': 'sessions' });
  const drawSessions = () => fill(list, data.items, (s) => sessionItem(s, id, (button, x, minutes) => openCheckin(ctx, err, button, x, minutes)), t('staff.sessions.none'));
  drawSessions();
  const form = sessionForm((f, submit) => createSession(id, f, submit, (s) => {
    data.items = [...data.items, s].sort((a, b) => a.starts_at.localeCompare(b.starts_at));
    drawSessions();
  }));
  const attendance = attendanceTable();
  const { cohort } = data;
  replace(view,
    pageHead(t('staff.sessions.title'), { back: '/staff', backLabel: t('staff.home.title'), sub: `${cohort.programme_title || cohort.programme_slug} — ${cohort.name}` }),
    err,
    h('div', { class: 'staff-grid' },
      h('div', {}, h('section', { 'aria-labelledby': 'sessions-h' }, h('h2', { id: 'sessions-h', class: 'staff-first-h' }, t('staff.sessions.scheduled')), list), form),
      attendance.el));
  return poll(async () => attendance.update(await api('GET', paths.cohortAttendance(id))), ATTENDANCE_MS);
}
