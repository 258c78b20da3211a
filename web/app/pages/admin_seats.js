// admin_seats.js — /admin/cohorts/:id/seats: seats filling by segment while
// registration is open. Polls GET /api/v1/cohorts/{id} every 2 s while the
// tab is visible (stops when hidden, resumes at once when shown again) and
// updates the bars in place, without re-rendering the page.
import { api, paths } from '../api.js';
import { loadArea, t, lang, fmtNumber, fmtDateTime } from '../i18n.js';
import { h, segmentName, sortSegments } from '../ui.js';
import { poll, pageHead, errorBox, replace } from '../staff_ui.js';

const INTERVAL_MS = 2000;

// One segment's row: its bar and numbers, kept to be updated in place.
function segmentRow(seg) {
  const bar = h('progress', { class: 'seat-bar', max: '1', value: '0', 'aria-labelledby': `seat-${seg}-name` });
  const name = h('h2', { id: `seat-${seg}-name`, class: 'seat-name' }, segmentName(seg));
  const count = h('p', { class: 'seat-count', 'data-testid': `seat-count-${seg}` });
  const left = h('span', { class: 'seat-left', 'data-testid': `seat-left-${seg}` });
  const waiting = h('span', { class: 'seat-waiting', 'data-testid': `seat-waiting-${seg}` });
  const el = h('li', { class: 'seat-row', 'data-segment': seg },
    h('div', { class: 'seat-top' }, name, count), bar, h('p', { class: 'seat-meta' }, left, waiting));
  const update = (s) => {
    bar.max = Math.max(1, s.quota);
    bar.value = Math.min(s.confirmed, Math.max(1, s.quota));
    count.textContent = t('staff.seats.count', { confirmed: fmtNumber(s.confirmed), quota: fmtNumber(s.quota) });
    left.textContent = t('staff.seats.left', { n: fmtNumber(s.seats_left) });
    waiting.textContent = s.waitlist
      ? t('staff.seats.waiting', { n: fmtNumber(s.waitlisted) })
      : t('staff.seats.no_waitlist');
    el.classList.toggle('seat-full', s.seats_left <= 0);
  };
  return { el, update };
}

export default async function render(view, ctx) {
  await loadArea('staff');
  const id = ctx.params.id;
  const first = await api('GET', paths.cohort(id));

  const rows = new Map();
  const list = h('ul', { class: 'seat-list' });
  const total = h('p', { class: 'seat-total', 'data-testid': 'seat-total' });
  const state = h('p', { class: 'staff-live', 'data-testid': 'seat-state' });
  const err = errorBox();

  const show = (c) => {
    let confirmed = 0;
    let quota = 0;
    let waiting = 0;
    for (const s of sortSegments(c.segments)) {
      let row = rows.get(s.segment);
      if (!row) {
        row = segmentRow(s.segment);
        rows.set(s.segment, row);
        list.append(row.el);
      }
      row.update(s);
      confirmed += s.confirmed;
      quota += s.quota;
      waiting += s.waitlisted;
    }
    total.textContent = t('staff.seats.total', { confirmed: fmtNumber(confirmed), quota: fmtNumber(quota), waiting: fmtNumber(waiting) });
  };
  show(first);

  const windowLine = h('p', { class: 'meta' },
    first.registration_open ? t('staff.seats.open') : t('staff.seats.closed'), ' · ',
    t('staff.seats.window', { from: fmtDateTime(first.registration_opens_at), to: fmtDateTime(first.registration_closes_at) }));

  replace(view, 
    pageHead(t('staff.seats.title'), { back: `/admin/cohorts/${encodeURIComponent(id)}`, backLabel: first.name, sub: `${first.programme_title || first.programme_slug} — ${first.name}` }),
    windowLine,
    h('section', { class: 'card seat-card', 'aria-labelledby': 'seat-total-h' },
      h('h2', { id: 'seat-total-h', class: 'visually-hidden' }, t('staff.seats.title')),
      total, list, state, err),
    h('p', { class: 'staff-links' },
      h('a', { href: `/admin/cohorts/${encodeURIComponent(id)}/registrations` }, t('staff.nav.registrations'))),
  );

  let updated = null;
  const stop = poll(async () => {
    try {
      const c = await api('GET', paths.cohort(id));
      show(c);
      updated = new Date();
      err.update(null);
      state.textContent = t('staff.seats.updated', { time: updated.toLocaleTimeString(lang() === 'en' ? 'en-GB' : 'id-ID') });
    } catch (e) {
      err.update(e);
      throw e;
    }
  }, INTERVAL_MS, (running) => {
    state.textContent = running ? t('staff.seats.live') : t('staff.seats.paused');
    state.classList.toggle('paused', !running);
  });
  return stop;
}
