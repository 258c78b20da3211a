// participant.js — pieces shared by the public and participant pages:
// seat counts, registration state and outcome, and polling.
import { t, tn, fmtDateTime, fmtNumber } from './i18n.js';
import { h, sortSegments, segmentName, segmentShort } from './ui.js';

// Where registration stands: 'open', 'soon' (opens later) or 'closed'.
export function registrationState(cohort, now = Date.now()) {
  if (cohort.registration_open) return 'open';
  const opens = Date.parse(cohort.registration_opens_at);
  return opens > now ? 'soon' : 'closed';
}

export function registrationBadge(cohort) {
  const state = registrationState(cohort);
  const text =
    state === 'open'
      ? t('reg.open_until', { date: fmtDateTime(cohort.registration_closes_at) })
      : state === 'soon'
        ? t('reg.opens_at', { date: fmtDateTime(cohort.registration_opens_at) })
        : t('reg.closed');
  return h('span', { class: `badge ${state === 'open' ? 'open' : 'closed'}` }, text);
}

function seatText(s) {
  if (s.seats_left > 0) return t('seats.left_of', { n: fmtNumber(s.seats_left), quota: fmtNumber(s.quota) });
  return s.waitlist ? t('seats.full_waitlist', { n: fmtNumber(s.waitlisted || 0) }) : t('seats.full');
}

// The live seat counts of a cohort as a list; returns {el, update(cohort)}:
// update rewrites the numbers in place (focus and scroll stay put).
export function seatsList(cohort) {
  const cells = new Map();
  const el = h(
    'ul',
    { class: 'seats', 'aria-label': t('seats.label') },
    sortSegments(cohort.segments).map((s) => {
      const n = h('span', { class: 'n' });
      const note = h('span', { class: 'note' });
      const li = h('li', { dataset: { segment: s.segment } }, h('abbr', { class: 'seg', title: segmentName(s.segment) }, segmentShort(s.segment)), n, note);
      cells.set(s.segment, { li, n, note });
      return li;
    }),
  );
  function update(c) {
    for (const s of c.segments || []) {
      const cell = cells.get(s.segment);
      if (!cell) continue;
      cell.n.textContent = fmtNumber(s.seats_left);
      cell.note.textContent = seatText(s);
      cell.li.classList.toggle('full', s.seats_left <= 0);
    }
  }
  update(cohort);
  return { el, update };
}

// A registration's status as a badge ("Daftar tunggu #3").
export function statusBadge(reg) {
  const text = reg.status === 'waitlisted' && reg.waitlist_position ? t('reg.status.waitlisted_n', { n: reg.waitlist_position }) : t(`reg.status.${reg.status}`);
  return h('span', { class: `badge ${reg.status}` }, text);
}

// The outcome of registering, for the reader: what happened and what next.
export function outcomeText(reg) {
  switch (reg.status) {
    case 'confirmed':
      return t('reg.outcome.confirmed', { segment: segmentName(reg.segment) });
    case 'waitlisted':
      return reg.waitlist_position ? t('reg.outcome.waitlisted_n', { n: reg.waitlist_position }) : t('reg.outcome.waitlisted');
    case 'offered':
      return t('reg.outcome.offered', { date: fmtDateTime(reg.offer_expires_at) });
    case 'cancelled':
      return t('reg.outcome.cancelled');
    case 'expired':
      return t('reg.outcome.expired');
    default:
      return reg.status;
  }
}

// Calls fn every `ms` while the tab is visible (and once when it becomes
// visible again); returns the stop function (a page's cleanup).
export function poll(fn, ms = 10000) {
  let timer = null;
  let stopped = false;
  const tick = async () => {
    timer = null;
    if (stopped) return;
    if (!document.hidden) {
      try {
        await fn();
      } catch {
        /* the next tick tries again */
      }
    }
    if (!stopped) timer = setTimeout(tick, ms);
  };
  const onVisible = () => {
    if (!document.hidden && timer !== null) {
      clearTimeout(timer);
      tick();
    }
  };
  document.addEventListener('visibilitychange', onVisible);
  timer = setTimeout(tick, ms);
  return () => {
    stopped = true;
    if (timer !== null) clearTimeout(timer);
    document.removeEventListener('visibilitychange', onVisible);
  };
}

// A local path from ?next= (never another origin), else fallback.
export function nextPath(query, fallback = '/') {
  const n = query.get('next');
  return n && n.startsWith('/') && !n.startsWith('//') && !n.startsWith('/\\') ? n : fallback;
}

export function lessonHref(cohortId, lessonId) {
  return `/cohorts/${encodeURIComponent(cohortId)}/lessons/${encodeURIComponent(lessonId)}`;
}

// "2 dari 5 materi selesai (40 %)".
export function progressLine(t, p) {
  return tn('cohort.progress', p.lessons_total, { done: fmtNumber(p.lessons_completed), percent: fmtNumber(Math.round(p.percent)) });
}
